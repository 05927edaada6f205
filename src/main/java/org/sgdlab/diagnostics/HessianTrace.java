package org.sgdlab.diagnostics;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.linalg.Hutchinson;

/**
 * The Hessian trace {@code tr H = sum_i lambda_i} of the training loss on the sharpness subset (QUANTITIES.md
 * Q8.1). Method {@code auto} (default): exact {@code sum_i e_i^T H e_i} from p HVPs when p &lt;= 500, else
 * Hutchinson's estimator {@code (1/M) sum_j z_j^T H z_j} with Rademacher probes {@code z_j} from this
 * diagnostic's {@code probes} stream, {@code SE = sd/sqrt(M)}, adaptive: stop when {@code SE <= 0.01 |mean|}
 * after at least 20 probes, at most 256 (the EoSS code's {@code --hessian-trace}); or a fixed number of
 * probes. The {@code probes} stream is drawn from by the {@code random_n} subset first, then by the probes
 * ({@link Hutchinson#rademacher} order). Reference: Hutchinson, "A stochastic estimator of the trace of the influence matrix for Laplacian
 * smoothing splines", Commun. Statist. Simul. Comput. 18(3), 1989.
 */
public final class HessianTrace implements Diagnostic<HessianTrace.Result> {

    /** The registry name. */
    public static final String NAME = "hess_trace";
    /** The methods. */
    public static final List<String> METHODS = List.of("auto", "exact", "hutchinson");

    /**
     * Configuration (Q8.1 defaults): {@code method} ({@code auto}: exact for p &lt;= 500), {@code probes}
     * (0 = adaptive, M &gt;= 2 = fixed), {@code minProbes} (20), {@code maxProbes} (256), {@code relTol} (0.01),
     * {@code subset} (auto).
     */
    public record Config(String method, int probes, int minProbes, int maxProbes, double relTol, Subset subset) {
        public static final Config DEFAULT = new Config("auto", 0, 20, 256, 0.01, Subset.auto());

        public Config {
            String k = "diagnostics." + NAME + ".";
            if (!METHODS.contains(method)) {
                throw new IllegalArgumentException(k + "method: unknown method '" + method + "'; known: "
                        + String.join(", ", METHODS));
            }
            if (probes == 1 || probes < 0) {
                throw new IllegalArgumentException(k + "probes must be 0 (adaptive) or >= 2, got " + probes);
            }
            if (minProbes < 2) {
                throw new IllegalArgumentException(k + "min_probes must be >= 2, got " + minProbes);
            }
            if (maxProbes < minProbes) {
                throw new IllegalArgumentException(k + "max_probes must be >= min_probes = " + minProbes + ", got "
                        + maxProbes);
            }
            if (!(relTol >= 0) || Double.isInfinite(relTol)) {
                throw new IllegalArgumentException(k + "rel_tol must be finite and >= 0, got " + relTol);
            }
            if (subset == null) {
                throw new IllegalArgumentException(k + "subset is null");
            }
        }

        public Config withMethod(String m) {
            return new Config(m, probes, minProbes, maxProbes, relTol, subset);
        }

        public Config withProbes(int m) {
            return new Config(method, m, minProbes, maxProbes, relTol, subset);
        }

        public Config withSubset(Subset s) {
            return new Config(method, probes, minProbes, maxProbes, relTol, s);
        }
    }

    /**
     * {@code hessTrace}, {@code hessTraceSe} (0 for the exact method), the {@code method} applied
     * ({@code exact} or {@code hutchinson}), {@code probes}, {@code converged}, the applied {@code subset} and
     * its size {@code n}, {@code hvps}, {@code seconds}.
     */
    public record Result(double hessTrace, double hessTraceSe, String method, int probes, boolean converged,
                         String subset, int n, long hvps, double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "HessianTrace.Result[trace=%s, se=%s, method=%s, probes=%d]", hessTrace,
                    hessTraceSe, method, probes);
        }
    }

    private static final List<String> KEYS = Subset.withKeys("method", "probes", "min_probes", "max_probes",
            "rel_tol");

    private final Config config;

    public HessianTrace(Config config) {
        this.config = DiagnosticParams.requireConfig(NAME, config);
    }

    /**
     * From a run spec's params: {@code method} (auto, exact, hutchinson), {@code probes}, {@code min_probes},
     * {@code max_probes}, {@code rel_tol}, {@code subset}, {@code subset_size}.
     */
    public static HessianTrace fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        Config d = Config.DEFAULT;
        int min = p.integer("min_probes", d.minProbes(), 2, Integer.MAX_VALUE);
        return new HessianTrace(new Config(p.choice("method", d.method(), METHODS),
                p.integer("probes", d.probes(), 0, Integer.MAX_VALUE), min,
                p.integer("max_probes", Math.max(d.maxProbes(), min), min, Integer.MAX_VALUE),
                p.number("rel_tol", d.relTol(), 0, Double.MAX_VALUE), Subset.read(p)));
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
        String method = config.method();
        if (method.equals("auto")) {
            method = h.dim() <= Hutchinson.EXACT_MAX_DIM ? "exact" : "hutchinson";
        }
        Hutchinson.Result r;
        if (method.equals("exact")) {
            r = Hutchinson.exact(h);
        } else if (config.probes() > 0) {
            r = Hutchinson.estimate(h, config.probes(), sh.rng());
        } else {
            r = Hutchinson.adaptive(h, new Hutchinson.Config(config.minProbes(), config.maxProbes(), config.relTol()),
                    sh.rng());
        }
        return new Result(r.estimate(), r.standardError(), method, r.probes(), r.converged(), sel.policy(), sel.n(),
                h.applications(), (System.nanoTime() - t0) * 1e-9);
    }
}
