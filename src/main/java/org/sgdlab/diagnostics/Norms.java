package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sgdlab.nn.Layout;
import org.sgdlab.tensor.Tensor;

/**
 * General norms of the training state (QUANTITIES.md Q18):
 *
 * <ul>
 *   <li>{@code grad_norm} = {@code ||grad L(theta_t)||}, the full-batch gradient on the training set (exact,
 *       chunked, {@link Problem#valueAndGrad});</li>
 *   <li>{@code batch_grad_norm} = {@code ||grad L_{B_t}(theta_t)||} on the probe's batch B_t;</li>
 *   <li>{@code layer_norms}: {@code ||W_l||_F} for every block of the model's {@link Layout}
 *       (weights and biases, in layout order, under their layout names such as {@code 0.weight});</li>
 *   <li>{@code param_norm} = {@code ||theta_t||} (so the squares of the block norms sum to its square);</li>
 *   <li>{@code dist_from_init} = {@code ||theta_t - theta_0||}.</li>
 * </ul>
 * {@code grads} counts the gradient evaluations (one per chunk of at most {@code physical_batch_size}
 * examples, full set and batch).
 */
public final class Norms implements Diagnostic<Norms.Result> {

    public static final String NAME = "norms";

    /**
     * Configuration.
     *
     * @param grad compute {@code grad_norm} (default true; NaN when false)
     * @param batchGrad compute {@code batch_grad_norm} (default true; NaN when false)
     */
    public record Config(boolean grad, boolean batchGrad) {

        public static Config defaults() {
            return new Config(true, true);
        }
    }

    /** The Frobenius norm of one named block. */
    public record BlockNorm(String name, double norm) {
    }

    /** The measurement. */
    public record Result(double gradNorm, double batchGradNorm, double paramNorm, double distFromInit,
                         List<BlockNorm> layerNorms, int grads, double seconds) {
    }

    private final Config config;

    public Norms(Config config) {
        this.config = config;
    }

    /** From run-spec parameters: {@code grad} and {@code batch_grad} (booleans, default true). */
    public static Norms fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown("grad", "batch_grad");
        return new Norms(new Config(p.bool("grad", true), p.bool("batch_grad", true)));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        Tensor theta = probe.theta().detach();
        int grads = 0;
        double g = Double.NaN;
        if (config.grad()) {
            g = problem.valueAndGrad(theta, problem.train()).grad().norm();
            grads += chunks(problem.train().size(), problem.physicalBatch());
        }
        double gb = Double.NaN;
        if (config.batchGrad()) {
            int[] b = probe.batch();
            gb = problem.valueAndGrad(theta, problem.train().batch(b)).grad().norm();
            grads += chunks(b.length, problem.physicalBatch());
        }
        Tensor.Norms n = theta.norms(probe.theta0());
        return new Result(g, gb, n.norm(), n.distance(), blockNorms(problem.model().layout(), theta), grads,
                (System.nanoTime() - t0) / 1e9);
    }

    private static int chunks(int n, int chunk) {
        return (n + chunk - 1) / chunk;
    }

    /** {@code ||theta_block||_F} for every block of {@code layout}, in layout order. */
    public static List<BlockNorm> blockNorms(Layout layout, Tensor theta) {
        layout.check("norms", theta);
        List<BlockNorm> out = new ArrayList<>();
        for (Layout.Block b : layout.blocks()) {
            out.add(new BlockNorm(b.name(), theta.slice(0, b.offset(), b.end()).norm()));
        }
        return out;
    }
}
