package org.sgdlab.diagnostics;

import java.util.List;
import java.util.Map;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.DiagonalLinearNet;
import org.sgdlab.nn.Layout;
import org.sgdlab.nn.Loss;
import org.sgdlab.tensor.Tensor;

/**
 * Diagonal-linear-network symmetry and sparsity quantities (QUANTITIES.md Q15.4, Q16; Ziyin et al. arXiv
 * 2402.07193; Andriushchenko et al. arXiv 2210.05337):
 *
 * <pre>  beta = u ⊙ v,  C_i = u_i^2 - v_i^2 (per-coordinate Noether charge),
 *  balancedness = || |u| - |v| ||_2,  l1 = ||beta||_1,  l2 = ||beta||_2,  nnz = #{i : |u_i v_i| > tau}, tau = 1e-3.</pre>
 *
 * Exact per-coordinate identity (derived, Q15.4): with simultaneous updates {@code u <- u - eta g ⊙ v},
 * {@code v <- v - eta g ⊙ u}, {@code g_i = dL_batch/d beta_i}, {@code C_i(t+1) = (1 - eta^2 g_i^2) C_i(t)}
 * ({@link #predictedCharges}); {@link #betaGradient} gives g. Balancedness after the authors' notebook
 * (tml-epfl/sgd-sparse-features {@code diag_nets.ipynb}).
 *
 * <p>The diagnostic {@value #NAME} reads the blocks {@code u}, {@code v} (configurable); for a
 * {@link DiagonalLinearNet} of variant SQUARES, beta is that model's {@code u ⊙ u - v ⊙ v} in l1, l2 (the
 * rescaling symmetry and the charges belong to the PRODUCT variant).
 */
public final class DlnSymmetry implements Diagnostic<DlnSymmetry.Result> {

    /** Registry name. */
    public static final String NAME = "dln";

    private static final List<String> KEYS = List.of("u_block", "v_block", "tau");

    /** Blocks {@code uBlock} ({@code u}), {@code vBlock} ({@code v}); sparsity threshold {@code tau} (1e-3). */
    public record Config(String uBlock, String vBlock, double tau) {
        public Config {
            if (uBlock == null || uBlock.isEmpty() || vBlock == null || vBlock.isEmpty() || uBlock.equals(vBlock)) {
                throw new IllegalArgumentException("diagnostics.dln.u_block/v_block must be two distinct block names, "
                        + "got '" + uBlock + "' and '" + vBlock + "'");
            }
            if (!(tau >= 0) || Double.isInfinite(tau)) {
                throw new IllegalArgumentException("diagnostics.dln.tau must be finite and >= 0, got " + tau);
            }
        }

        public static Config defaults() {
            return new Config("u", "v", 1e-3);
        }
    }

    /**
     * {@code balancedness}; charges {@code chargeSum} = sum_i C_i = ||u||^2 - ||v||^2 (total rescaling charge),
     * {@code chargeMin}, {@code chargeMax}, {@code chargeAbsMax}; {@code l1}, {@code l2} of beta; {@code nnz}
     * = ||u ⊙ v||_0 at tau; {@code seconds}.
     */
    public record Result(double balancedness, double chargeSum, double chargeMin, double chargeMax,
                         double chargeAbsMax, double l1, double l2, int nnz, double seconds) {
    }

    private final Config config;

    public DlnSymmetry(Config config) {
        this.config = config;
    }

    /** Snake_case parameters {@code u_block}, {@code v_block}, {@code tau}. */
    public static DlnSymmetry fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        Config d = Config.defaults();
        return new DlnSymmetry(new Config(p.string("u_block", d.uBlock()), p.string("v_block", d.vBlock()),
                p.number("tau", d.tau(), 0, Double.MAX_VALUE)));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@code C_i = u_i^2 - v_i^2} {@code [d]}. */
    public static Tensor charges(Tensor u, Tensor v) {
        requirePair(u, v);
        return u.square().sub(v.square());
    }

    /** {@code (1 - eta^2 g_i^2) C_i}: the charges after one simultaneous SGD step with beta-gradient g. */
    public static Tensor predictedCharges(Tensor charges, Tensor g, double eta) {
        requirePair(charges, g);
        return charges.mul(g.square().mul(-eta * eta).add(1.0));
    }

    /** {@code || |u| - |v| ||_2}. */
    public static double balancedness(Tensor u, Tensor v) {
        requirePair(u, v);
        return u.abs().sub(v.abs()).norm();
    }

    /** {@code #{i : |u_i v_i| > tau}}. */
    public static int nnz(Tensor u, Tensor v, double tau) {
        requirePair(u, v);
        return (int) Math.round(u.mul(v).abs().gt(tau).sum().item());
    }

    /**
     * {@code g = dL_B/d beta} of the linear predictor {@code f(x) = <beta, x>} on data {@code d}: the gradient of
     * {@code beta -> mean_i l(x_i^T beta, y_i)} at {@code beta} ({@code [dim]}).
     */
    public static Tensor betaGradient(Loss loss, Dataset d, Tensor beta) {
        Tensor x = d.flattenX().x();                                   // [n, d]
        Tensor y = d.y();
        int dim = beta.size();
        return Autodiff.grad(b -> loss.perExample(x.matmul(b.reshape(dim, 1)), y).mean(), beta);   // [n, d] @ [d, 1]
    }

    @Override
    public void check(Problem problem) {
        Layout layout = problem.model().layout();
        Diagnostics.requireBlocks(layout, NAME, "the charges u^2 - v^2 of a diagonal linear network (model"
                + " diagonal-linear), or of two equal-length blocks named by u_block and v_block",
                new String[] {"u_block", config.uBlock()}, new String[] {"v_block", config.vBlock()});
        Tensor theta = Tensor.zeros(layout.size());
        requirePair(layout.view(theta, config.uBlock()).flatten(), layout.view(theta, config.vBlock()).flatten());
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Layout layout = probe.problem().model().layout();
        Tensor theta = probe.theta();
        Tensor u = layout.view(theta, config.uBlock()).flatten();
        Tensor v = layout.view(theta, config.vBlock()).flatten();
        requirePair(u, v);
        Tensor beta = probe.problem().model() instanceof DiagonalLinearNet dln
                && config.uBlock().equals("u") && config.vBlock().equals("v") ? dln.beta(theta) : u.mul(v);
        Tensor c = charges(u, v);
        double[] ca = c.toArray();
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double absMax = 0;
        double sum = 0;
        for (double x : ca) {
            min = Math.min(min, x);
            max = Math.max(max, x);
            absMax = Math.max(absMax, Math.abs(x));
            sum += x;
        }
        return new Result(balancedness(u, v), sum, min, max, absMax, beta.abs().sum().item(), beta.norm(),
                nnz(u, v, config.tau()), (System.nanoTime() - t0) * 1e-9);
    }

    private static void requirePair(Tensor a, Tensor b) {
        if (a.rank() != 1 || b.rank() != 1 || a.size() != b.size()) {
            throw new IllegalArgumentException("diagnostics.dln: u and v must be vectors of equal length, got "
                    + java.util.Arrays.toString(a.shape()) + " and " + java.util.Arrays.toString(b.shape()));
        }
    }
}
