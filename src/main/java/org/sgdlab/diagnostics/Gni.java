package org.sgdlab.diagnostics;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Gradient-noise interaction {@code GNI(theta) = E_B[ g_B^T H g_B ] / ||g||^2}, with H and g the full-batch
 * Hessian and gradient and {@code g_B} the gradient of a fresh batch (QUANTITIES.md Q7.4; the EoSS authors'
 * code {@code calculate_gni}, Andreyev &amp; Beneventano, arXiv 2412.20553). Motivation:
 * {@code E_B[L(theta - eta g_B)] - L(theta) ≈ -eta ||g||^2 + (eta^2/2) E_B[g_B^T H g_B]}, so the second-order
 * expected change of the full loss is negative iff GNI &lt; 2/eta.
 *
 * <p>Estimator (Q7.4): H and g on the subset of the sharpness subset policy ({@link Subset}, default all
 * when n &lt;= 5000); fresh batches of b distinct training indices (b = the training batch size unless
 * configured) from this diagnostic's {@code probes} stream (after the subset draw of {@code random_n});
 * numerator samples {@code s_i = g_{B_i}^T H g_{B_i}} (one full-subset HVP each) averaged until
 * {@code SE <= relTol |mean|} (relTol 0.01) after at least {@code minDraws} = 20 draws, at most
 * {@code maxDraws} = 500; fixed-M mode ({@code draws = M}, the authors use 500 without early stop). Divided
 * by the exact {@code ||g||^2} on the same subset; the standard error is {@code SE(s) / ||g||^2}.
 */
public final class Gni implements Diagnostic<Gni.Result> {

    /** The registry name. */
    public static final String NAME = "gni";

    /**
     * Configuration (Q7.4 defaults): {@code batchSize} (0 = training b), {@code draws} (0 = adaptive),
     * {@code minDraws} (20), {@code maxDraws} (500), {@code relTol} (0.01), {@code subset} (auto).
     */
    public record Config(int batchSize, int draws, int minDraws, int maxDraws, double relTol, Subset subset) {
        public static final Config DEFAULT = new Config(0, 0, 20, 500, 0.01, Subset.auto());

        public Config {
            String k = "diagnostics." + NAME + ".";
            Draws.check(k, batchSize, draws, minDraws, maxDraws, relTol);
            if (subset == null) {
                throw new IllegalArgumentException(k + "subset is null");
            }
        }

        public Config withDraws(int m) {
            return new Config(batchSize, m, minDraws, maxDraws, relTol, subset);
        }

        public Config withBatchSize(int b) {
            return new Config(b, draws, minDraws, maxDraws, relTol, subset);
        }

        public Config withSubset(Subset s) {
            return new Config(batchSize, draws, minDraws, maxDraws, relTol, s);
        }

        public Config withRule(int min, int max, double rel) {
            return new Config(batchSize, draws, min, max, rel, subset);
        }
    }

    /**
     * {@code gni}, {@code gniSe}, {@code draws}, {@code converged} (adaptive: rule met; all finite);
     * {@code gradNormSq} = {@code ||g||^2} on the subset; the applied {@code subset} and its size {@code n};
     * {@code batchSize}; {@code threshold} (Q3.6) and {@code gniRatio} = gni / threshold; {@code hvps};
     * {@code seconds}.
     */
    public record Result(double gni, double gniSe, int draws, boolean converged, double gradNormSq, String subset, int n,
                         int batchSize, double threshold, double gniRatio, long hvps, double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Gni.Result[gni=%s, se=%s, draws=%d, converged=%s]", gni, gniSe, draws,
                    converged);
        }
    }

    private static final List<String> KEYS = Subset.withKeys("batch_size", "draws", "min_draws", "max_draws",
            "rel_tol");

    private final Config config;

    public Gni(Config config) {
        this.config = DiagnosticParams.requireConfig(NAME, config);
    }

    /**
     * From a run spec's params: {@code batch_size}, {@code draws}, {@code min_draws}, {@code max_draws},
     * {@code rel_tol}, {@code subset}, {@code subset_size}.
     */
    public static Gni fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        Config d = Config.DEFAULT;
        int min = p.integer("min_draws", d.minDraws(), 2, Integer.MAX_VALUE);
        return new Gni(new Config(p.integer("batch_size", d.batchSize(), 0, Integer.MAX_VALUE),
                p.integer("draws", d.draws(), 0, Integer.MAX_VALUE), min,
                p.integer("max_draws", Math.max(d.maxDraws(), min), min, Integer.MAX_VALUE),
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
        Problem problem = probe.problem();
        int b = BatchSharpness.batchSize(NAME, config.batchSize(), probe);
        SplittableRandom rng = probe.rng(Rng.PROBES, NAME);
        Subset.Selection sel = config.subset().select(problem.train(), rng);
        Tensor theta = probe.theta();
        Tensor g = problem.valueAndGrad(theta, sel.data()).grad();
        double gg = g.dotValue(g);
        CountingOperator h = CurvatureOperators.hessian(problem, theta, sel.data());
        BatchSharpness.Stream stream = new BatchSharpness.Stream(problem, theta, b, rng);
        SharpnessStats.Moments s = new SharpnessStats.Moments();
        boolean fixed = config.draws() > 0;
        int limit = fixed ? config.draws() : config.maxDraws();
        boolean failed = false;
        boolean ruleMet = false;
        for (int i = 0; i < limit; i++) {
            Tensor gb = problem.valueAndGrad(theta, stream.get(i).data()).grad();
            double v = gb.dotValue(h.apply(gb));
            if (!Double.isFinite(v)) {
                failed = true;
                break;
            }
            s.add(v);
            if (!fixed && s.count() >= config.minDraws() && s.se() <= config.relTol() * Math.abs(s.mean())) {
                ruleMet = true;
                break;
            }
        }
        double gni = failed ? Double.NaN : s.mean() / gg;
        double se = failed ? Double.NaN : s.se() / gg;
        boolean converged = !failed && Double.isFinite(gni) && s.count() >= 2 && (fixed || ruleMet);
        double thr = probe.threshold();
        return new Result(gni, se, s.count(), converged, gg, sel.policy(), sel.n(), b, thr, gni / thr, h.applications(),
                (System.nanoTime() - t0) * 1e-9);
    }
}
