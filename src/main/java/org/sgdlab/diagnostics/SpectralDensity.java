package org.sgdlab.diagnostics;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.linalg.Slq;

/**
 * The Hessian eigenvalue density by stochastic Lanczos quadrature (QUANTITIES.md Q8.2; Ubaru, Chen &amp; Saad,
 * "Fast estimation of tr(f(A)) via stochastic Lanczos quadrature", SIAM J. Matrix Anal. Appl. 38(4), 2017;
 * Ghorbani, Krishnan &amp; Xiao, "An investigation into neural net optimization via Hessian eigenvalue
 * density", ICML 2019):
 * {@code phi(t) = (1/n_v) sum_l sum_k w_k^(l) g_sigma(t - theta_k^(l))}, with nodes {@code theta_k^(l)} and weights
 * {@code w_k^(l)} (squared first components) of the m-step Lanczos tridiagonal from the l-th normalised
 * Rademacher probe ({@code probes} stream), {@code g_sigma} a unit-mass Gaussian of width
 * {@code sigma = 0.01 (max node - min node)}, on 1000 grid points over
 * {@code [min node - 5 sigma, max node + 5 sigma]}; phi integrates to 1 (times p: eigenvalue counts). Also the
 * SLQ trace estimate {@code p (1/n_v) sum_l sum_k w_k^(l) theta_k^(l)} and its standard error over the probes.
 * Defaults n_v = 10, m = 80 (capped at p). The Hessian is that of the sharpness subset ({@link Subset}); the
 * {@code probes} stream is drawn from by the {@code random_n} subset first, then by the Rademacher probes.
 */
public final class SpectralDensity implements Diagnostic<SpectralDensity.Result> {

    /** The registry name. */
    public static final String NAME = "slq_density";

    /**
     * Configuration (Q8.2 defaults): {@code probes} n_v (10), Lanczos {@code steps} m (80),
     * {@code sigmaFraction} (0.01), {@code gridPoints} (1000), {@code subset} (auto).
     */
    public record Config(int probes, int steps, double sigmaFraction, int gridPoints, Subset subset) {
        public static final Config DEFAULT = new Config(10, 80, 0.01, 1000, Subset.auto());

        public Config {
            String k = "diagnostics." + NAME + ".";
            if (probes < 1) {
                throw new IllegalArgumentException(k + "probes must be >= 1, got " + probes);
            }
            if (steps < 1) {
                throw new IllegalArgumentException(k + "steps must be >= 1, got " + steps);
            }
            if (!(sigmaFraction > 0) || Double.isInfinite(sigmaFraction)) {
                throw new IllegalArgumentException(k + "sigma_fraction must be finite and > 0, got " + sigmaFraction);
            }
            if (gridPoints < 2) {
                throw new IllegalArgumentException(k + "grid_points must be >= 2, got " + gridPoints);
            }
            if (subset == null) {
                throw new IllegalArgumentException(k + "subset is null");
            }
        }

        public Config withProbes(int n) {
            return new Config(n, steps, sigmaFraction, gridPoints, subset);
        }

        public Config withSteps(int m) {
            return new Config(probes, m, sigmaFraction, gridPoints, subset);
        }

        public Config withSubset(Subset s) {
            return new Config(probes, steps, sigmaFraction, gridPoints, s);
        }
    }

    /**
     * {@code nodes[l]} and {@code weights[l]}: the quadrature of probe l; {@code sigma}; the {@code grid} and
     * the {@code density} phi on it; {@code traceEstimate} and {@code traceSe} (NaN with one probe);
     * {@code converged} (every probe finished); the applied {@code subset} and its size {@code n};
     * {@code hvps}; {@code seconds}.
     */
    public record Result(double[][] nodes, double[][] weights, double sigma, double[] grid, double[] density,
                         double traceEstimate, double traceSe, boolean converged, String subset, int n, long hvps,
                         double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "SpectralDensity.Result[probes=%d, sigma=%s, trace=%s, se=%s, converged=%s]",
                    nodes.length, sigma, traceEstimate, traceSe, converged);
        }
    }

    private static final List<String> KEYS = Subset.withKeys("probes", "steps", "sigma_fraction", "grid_points");

    private final Config config;

    public SpectralDensity(Config config) {
        this.config = DiagnosticParams.requireConfig(NAME, config);
    }

    /**
     * From a run spec's params: {@code probes}, {@code steps}, {@code sigma_fraction}, {@code grid_points},
     * {@code subset}, {@code subset_size}.
     */
    public static SpectralDensity fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        Config d = Config.DEFAULT;
        return new SpectralDensity(new Config(p.integer("probes", d.probes(), 1, Integer.MAX_VALUE),
                p.integer("steps", d.steps(), 1, Integer.MAX_VALUE),
                p.number("sigma_fraction", d.sigmaFraction(), x -> x > 0, "> 0"),
                p.integer("grid_points", d.gridPoints(), 2, Integer.MAX_VALUE), Subset.read(p)));
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
        SubsetHessian sh = SubsetHessian.of(probe, NAME, config.subset());
        Subset.Selection sel = sh.selection();
        CountingOperator h = sh.h();
        Slq.Result r = Slq.density(h, new Slq.Config(config.probes(), config.steps(), config.sigmaFraction(),
                config.gridPoints()), sh.rng());
        int nv = r.quadratures().size();
        double[][] nodes = new double[nv][];
        double[][] weights = new double[nv][];
        for (int l = 0; l < nv; l++) {
            nodes[l] = r.quadratures().get(l).nodes().clone();
            weights[l] = r.quadratures().get(l).weights().clone();
        }
        return new Result(nodes, weights, r.sigma(), r.grid().clone(), r.density().clone(), r.traceEstimate(),
                r.traceStandardError(), r.converged(), sel.policy(), sel.n(), h.applications(),
                (System.nanoTime() - t0) * 1e-9);
    }
}
