package org.sgdlab.diagnostics;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.linalg.Lanczos;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * MiniBS {@code = E_B[lambda_max(H_B)]}, the mean over batches B of the largest eigenvalue of the
 * mini-batch-loss Hessian {@code H_B = grad^2 L_B(theta)} (QUANTITIES.md Q7.3; Andreyev &amp; Beneventano,
 * "Edge of Stochastic Stability", arXiv 2412.20553 v1: "the average over the batches of the largest
 * eigenvalue of the Hessian of the mini batch loss").
 *
 * <p>Estimator: fresh batches of b distinct indices (b = the training batch size unless configured),
 * independent across draws, from this diagnostic's {@code probes} stream (draw order of
 * {@link Subset#distinct}); {@code lambda_max(H_B)} by the largest-algebraic Lanczos of Q5.2 with tol 1e-5
 * (the dense path for p &lt;= 300), warm-started from the previous batch's top eigenvector (default on).
 * Adaptive rule (Q7.3, the authors' runner settings): after at least {@code minDraws} = 11 draws ("more
 * than 10") stop when {@code SE / |mean| < relTol} = 0.05, at most {@code maxDraws} = 50; a fixed-M mode
 * ({@code draws = M}) skips the rule. Reported: the mean, its standard error {@code sd/sqrt(N)}, the maximum
 * over the sampled batches ({@code miniBsMax}), the number of draws, and the ratio to the threshold.
 *
 * <p>Facts (Q7.3, derived): {@code E_B lambda_max(H_B) >= lambda_max(H)} for uniform batches (convexity of
 * lambda_max), and step sharpness {@code <= lambda_max(H_B)} batch by batch, so batch sharpness {@code <=}
 * MiniBS on the same batches. {@link BatchSharpness} can measure MiniBS on its own batches.
 */
public final class MiniBatchSharpness implements Diagnostic<MiniBatchSharpness.Result> {

    /** The registry name. */
    public static final String NAME = "mini_bs";

    /**
     * Configuration: {@code batchSize} (0 = the training batch size; ignored when run inside
     * {@link BatchSharpness}, which uses its own batches), {@code draws} (0 = adaptive, M &gt; 0 = exactly M
     * batches), {@code minDraws} (11), {@code maxDraws} (50), {@code relTol} (0.05), per-batch Lanczos
     * tolerance {@code tol} (1e-5), {@code warmStart} across batches (true).
     */
    public record Config(int batchSize, int draws, int minDraws, int maxDraws, double relTol, double tol,
                         boolean warmStart) {
        /** Q7.3 adaptive defaults. */
        public static final Config DEFAULT = new Config(0, 0, 11, 50, 0.05, 1e-5, true);
        /** As measured with batch sharpness in {@code eoss} (STUDIES.md §2.1): M = 16 fixed. */
        public static final Config SIMULTANEOUS = new Config(0, 16, 11, 50, 0.05, 1e-5, true);

        public Config {
            String k = "diagnostics." + NAME + ".";
            Draws.check(k, batchSize, draws, minDraws, maxDraws, relTol);
            if (!(tol >= 0) || Double.isInfinite(tol)) {
                throw new IllegalArgumentException(k + "tol must be finite and >= 0, got " + tol);
            }
        }

        public Config withDraws(int m) {
            return new Config(batchSize, m, minDraws, maxDraws, relTol, tol, warmStart);
        }

        public Config withBatchSize(int b) {
            return new Config(b, draws, minDraws, maxDraws, relTol, tol, warmStart);
        }

        public Config withTol(double t) {
            return new Config(batchSize, draws, minDraws, maxDraws, relTol, t, warmStart);
        }

        public Config withWarmStart(boolean w) {
            return new Config(batchSize, draws, minDraws, maxDraws, relTol, tol, w);
        }

        public Config withRule(int min, int max, double rel) {
            return new Config(batchSize, draws, min, max, rel, tol, warmStart);
        }

        boolean fixed() {
            return draws > 0;
        }
    }

    /**
     * One measurement: {@code miniBs} (mean of lambda_max(H_B)), {@code miniBsSe}, {@code miniBsMax},
     * {@code draws}; {@code converged} (adaptive: the rule was met; and every per-batch solve converged and
     * was finite), {@code unconverged} per-batch solves; {@code batchSize}; the {@code threshold} (Q3.6) and
     * {@code miniBsRatio} = miniBs / threshold (Q7.5); {@code hvps}; {@code seconds}.
     */
    public record Result(double miniBs, double miniBsSe, double miniBsMax, int draws, boolean converged,
                         int unconverged, int batchSize, double threshold, double miniBsRatio, long hvps,
                         double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "MiniBatchSharpness.Result[miniBs=%s, se=%s, max=%s, draws=%d, converged=%s]",
                    miniBs, miniBsSe, miniBsMax, draws, converged);
        }
    }

    private static final List<String> KEYS = List.of("batch_size", "draws", "min_draws", "max_draws", "rel_tol", "tol",
            "warm_start");

    private final Config config;

    public MiniBatchSharpness(Config config) {
        this.config = DiagnosticParams.requireConfig(NAME, config);
    }

    /**
     * From a run spec's params: {@code batch_size}, {@code draws}, {@code min_draws}, {@code max_draws},
     * {@code rel_tol}, {@code tol}, {@code warm_start}.
     */
    public static MiniBatchSharpness fromParams(Map<String, Object> params) {
        return new MiniBatchSharpness(parse(DiagnosticParams.of(NAME, params).requireKnown(KEYS), "", Config.DEFAULT));
    }

    /** The keys {@code prefix + batch_size, ...} of a MiniBS configuration (BatchSharpness uses {@code mini_bs_}). */
    static Config parse(DiagnosticParams p, String prefix, Config d) {
        int min = p.integer(prefix + "min_draws", d.minDraws(), 2, Integer.MAX_VALUE);
        return new Config(prefix.isEmpty() ? p.integer("batch_size", d.batchSize(), 0, Integer.MAX_VALUE) : 0,
                p.integer(prefix + "draws", d.draws(), 0, Integer.MAX_VALUE), min,
                p.integer(prefix + "max_draws", Math.max(d.maxDraws(), min), min, Integer.MAX_VALUE),
                p.number(prefix + "rel_tol", d.relTol(), 0, Double.MAX_VALUE),
                p.number(prefix + "tol", d.tol(), 0, Double.MAX_VALUE),
                p.bool(prefix + "warm_start", d.warmStart()));
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
        int b = BatchSharpness.batchSize(NAME, config.batchSize(), probe);
        BatchSharpness.Stream stream = new BatchSharpness.Stream(probe.problem(), probe.theta(), b,
                probe.rng(Rng.PROBES, NAME));
        Engine e = new Engine(config, probe.problem(), probe.theta(), probe.rng(Rng.LANCZOS, NAME));
        for (int i = 0; !e.done(); i++) {
            e.add(stream.get(i).data());
        }
        double thr = probe.threshold();
        return new Result(e.mean(), e.se(), e.max(), e.count(), e.converged(), e.unconverged, b, thr, e.mean() / thr,
                e.hvps, (System.nanoTime() - t0) * 1e-9);
    }

    /** The per-batch lambda_max solves and the stopping rule of Q7.3. */
    static final class Engine {
        private final Config c;
        private final Problem problem;
        private final Tensor theta;
        private final RandomGenerator rng;
        private final SharpnessStats.Moments lam = new SharpnessStats.Moments();
        private Tensor last;
        private boolean ruleMet;
        private boolean failed;
        int unconverged;
        long hvps;

        Engine(Config c, Problem problem, Tensor theta, RandomGenerator lanczosRng) {
            this.c = c;
            this.problem = problem;
            this.theta = theta;
            this.rng = lanczosRng;
        }

        /** lambda_max(H_B) of one more batch; returns it. */
        double add(Dataset batch) {
            CountingOperator h = CurvatureOperators.hessian(problem, theta, batch);
            List<Tensor> warm = c.warmStart() && last != null ? List.of(last) : List.of();
            Lanczos.Result r = Lanczos.auto(h, new Lanczos.Config(1, c.tol(), 50, 3), rng, warm);
            hvps += h.applications();
            double v = r.eigenvalues()[0];
            if (!r.converged()) {
                unconverged++;
            }
            if (!Double.isFinite(v)) {
                failed = true;
                return v;
            }
            if (Sharpness.allFinite(r.eigenvectors().get(0))) {
                last = r.eigenvectors().get(0);
            }
            lam.add(v);
            int n = lam.count();
            if (!c.fixed() && n >= c.minDraws() && lam.se() / Math.abs(lam.mean()) < c.relTol()) {
                ruleMet = true;
            }
            return v;
        }

        boolean done() {
            return failed || ruleMet || lam.count() >= (c.fixed() ? c.draws() : c.maxDraws());
        }

        int count() {
            return lam.count();
        }

        double mean() {
            return failed ? Double.NaN : lam.mean();
        }

        double se() {
            return failed ? Double.NaN : lam.se();
        }

        double max() {
            return failed ? Double.NaN : lam.max();
        }

        boolean converged() {
            return !failed && unconverged == 0 && lam.count() > 0 && (c.fixed() || ruleMet);
        }
    }
}
