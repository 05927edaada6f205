package org.sgdlab.diagnostics;

import java.util.List;
import java.util.Map;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Layout;
import org.sgdlab.tensor.Tensor;

/**
 * Noether charge {@code C_A(theta) = theta^T A theta} of an exponential symmetry A and its SGD bookkeeping
 * (QUANTITIES.md Q15.2; Ziyin, Wang, Li, Wu, arXiv 2402.07193):
 *
 * <pre>  orthogonality        grad l(theta, x)^T A theta = 0 for every sample        (Q15.2(1))
 *  exact discrete step  C(theta_{t+1}) - C(theta_t) = eta^2 g_t^T A g_t          (Q15.2(5), any batch)
 *  expectation          E[dC] = eta^2 (grad L^T A grad L + Tr[A Sigma] / S)     (i.i.d. batch of S with replacement)
 *  Noether rate         Tr[A Sigma] = (1/n) sum_i (g_i - g)^T A (g_i - g)        (Q15.2(4), Sigma of Q9)</pre>
 *
 * The diagnostic {@value #NAME} reports, at theta_t: {@code c_a}, the relative orthogonality residual of the
 * full gradient, the charge increment {@code eta_t^2 ghat^T A ghat} that the coming plain-SGD update on the
 * probe's batch B_t will produce (so consecutive measurements check the identity), the GD drift
 * {@code eta^2 g^T A g}, and, with {@code rate = true}, the Noether rate and the expected increment.
 * {@link #identity} gives both sides of the exact identity for study code and tests.
 */
public final class NoetherCharge implements Diagnostic<NoetherCharge.Result> {

    /** Registry name. */
    public static final String NAME = "charge";

    private static final List<String> KEYS = List.of("kind", "up", "down", "w_block", "u_block", "matrix",
            "diagonal", "rate", "subset", "subset_size", "chunk");

    /**
     * The generator {@code symmetry} (see {@link Symmetry.Spec}); {@code rate} computes Tr[A Sigma] from
     * per-sample gradients (default false: it costs n backward passes); evaluation {@code subset} ({@code all})
     * for the full gradient and the rate; per-sample {@code chunk} (16).
     */
    public record Config(Symmetry.Spec symmetry, boolean rate, String subset, int subsetSize, int chunk) {
        public Config {
            if (symmetry == null) {
                throw new IllegalArgumentException("diagnostics.charge.kind: a symmetry is required; known kinds: "
                        + String.join(", ", Symmetry.Spec.KINDS));
            }
            Subset.checkNamed(NAME, subset, subsetSize);
            if (chunk < 1) {
                throw new IllegalArgumentException("diagnostics.charge.chunk must be >= 1, got " + chunk);
            }
        }

        /** The symmetry, no rate, all data, chunk 16. */
        public static Config of(Symmetry.Spec symmetry) {
            return new Config(symmetry, false, "all", 0, PerSampleGradients.DEFAULT_CHUNK);
        }

        public Config withRate(boolean r) {
            return new Config(symmetry, r, subset, subsetSize, chunk);
        }
    }

    /**
     * {@code cA} = C_A(theta_t); {@code orthogonality} = |g^T A theta| / (||g|| ||A theta||) (0 if a norm is 0);
     * {@code batchIncrement} = eta_t^2 ghat^T A ghat on B_t; {@code gdIncrement} = eta_t^2 g^T A g;
     * {@code noetherRate} = Tr[A Sigma] and {@code expectedIncrement} = eta_t^2 (g^T A g + Tr[A Sigma]/b) (NaN
     * unless {@code rate}); {@code samples} n; {@code vjps} backward passes; {@code seconds}.
     */
    public record Result(double cA, double orthogonality, double batchIncrement, double gdIncrement,
                         double noetherRate, double expectedIncrement, int samples, long vjps, double seconds) {
    }

    /** Both sides of the exact identity {@code C(next) - C(theta) = eta^2 g^T A g}. */
    public record Identity(double measured, double predicted) {
        /** {@code |measured - predicted|}. */
        public double error() {
            return Math.abs(measured - predicted);
        }

        /** {@code error / max(1, |predicted|)} (the SY1 criterion of STUDIES.md §6.1). */
        public double relativeError() {
            return error() / Math.max(1.0, Math.abs(predicted));
        }
    }

    private final Config config;
    private Layout resolvedFor;
    private Symmetry resolved;

    public NoetherCharge(Config config) {
        this.config = config;
    }

    /**
     * Snake_case parameters: {@code kind} (rescaling, scale, two_layer, dense, diagonal), {@code up}, {@code down}
     * (block lists), {@code w_block}, {@code u_block} (two_layer; default W, U), {@code matrix} (B for two_layer,
     * A for dense), {@code diagonal}, {@code rate}, {@code subset}, {@code subset_size}, {@code chunk}.
     */
    public static NoetherCharge fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        String kind = p.choice("kind", null, Symmetry.Spec.KINDS);
        if (kind == null) {
            throw new IllegalArgumentException("diagnostics.charge.kind is required; known: "
                    + String.join(", ", Symmetry.Spec.KINDS));
        }
        Symmetry.Spec spec;
        try {
            spec = new Symmetry.Spec(kind, p.strings("up", List.of()), p.strings("down", List.of()),
                    p.string("w_block", "W"), p.string("u_block", "U"), p.matrix("matrix", null),
                    p.vector("diagonal", null));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("diagnostics.charge: " + e.getMessage(), e);
        }
        return new NoetherCharge(new Config(spec, p.bool("rate", false),
                p.choice("subset", "all", Subset.NAMED), p.integer("subset_size", 0, 0, Integer.MAX_VALUE),
                p.integer("chunk", PerSampleGradients.DEFAULT_CHUNK, 1, Integer.MAX_VALUE)));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The two sides of Q15.2(5) for the step {@code next = theta - eta g}. */
    public static Identity identity(Symmetry a, Tensor theta, Tensor next, double eta, Tensor g) {
        return new Identity(a.increment(theta, next), a.predictedIncrement(eta, g));
    }

    /** {@code Tr[A Sigma] = (1/n) sum_i (g_i - gbar)^T A (g_i - gbar)} from per-sample gradients G {@code [n, p]}. */
    public static double noetherRate(Symmetry a, Tensor g) {
        Tensor gc = NoiseCovariance.centred(g);
        double s = 0;
        for (int i = 0; i < g.dim(0); i++) {
            Tensor row = gc.slice(0, i, i + 1).reshape(g.dim(1));
            s += a.bilinear(row, row);
        }
        return s / g.dim(0);
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        Layout layout = problem.model().layout();
        if (!layout.equals(resolvedFor)) {
            resolved = config.symmetry().resolve(layout);
            resolvedFor = layout;
        }
        Symmetry a = resolved;
        Tensor theta = probe.theta();
        double eta = probe.lr();
        Dataset d = Subset.selectNamed(probe, NAME, config.subset(), config.subsetSize());
        Tensor g = problem.valueAndGrad(theta, d).grad();
        long vjps = problem.chunks(d).size();
        Tensor at = a.apply(theta);
        double gn = g.norm();
        double an = at.norm();
        double orth = gn > 0 && an > 0 ? Math.abs(g.dotValue(at)) / (gn * an) : 0.0;
        double gAg = a.bilinear(g, g);
        Dataset batch = problem.train().batch(probe.batch());
        Tensor gb = Autodiff.grad(problem.objective(batch), theta);
        vjps++;
        double rate = Double.NaN;
        double expected = Double.NaN;
        if (config.rate()) {
            Tensor gbar = g;
            double[] acc = new double[1];
            PerSampleGradients.forEachChunk(problem, theta, d, config.chunk(), (off, gc) -> {
                Tensor c = gc.sub(gbar);                                  // [m, p] - [p]
                for (int i = 0; i < c.dim(0); i++) {
                    Tensor row = c.slice(0, i, i + 1).reshape(c.dim(1));
                    acc[0] += a.bilinear(row, row);
                }
            });
            vjps += d.size();
            rate = acc[0] / d.size();
            expected = eta * eta * (gAg + rate / probe.batchSize());
        }
        return new Result(a.charge(theta), orth, a.predictedIncrement(eta, gb), eta * eta * gAg, rate, expected,
                d.size(), vjps, (System.nanoTime() - t0) * 1e-9);
    }
}
