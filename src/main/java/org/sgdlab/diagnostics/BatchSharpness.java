package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.sgdlab.data.Dataset;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Batch sharpness {@code BS(theta) = E_B[ g_B^T H_B g_B / ||g_B||^2 ]}, {@code g_B = grad L_B(theta)},
 * {@code H_B = grad^2 L_B(theta)}: the Rayleigh quotient of each batch's own Hessian along that batch's own
 * gradient, averaged over batches (QUANTITIES.md Q7.2; Andreyev &amp; Beneventano, "Edge of Stochastic
 * Stability", arXiv 2412.20553 v3-v5, the quantity claimed to sit at 2/eta). The expectation is outside the
 * ratio.
 *
 * <p>Estimator (Q7.2): for i = 1, 2, ... draw a fresh batch B_i of b distinct indices (b = the training batch
 * size unless configured; independent across draws; from this diagnostic's {@code probes} stream in the draw
 * order of {@link Subset#distinct}); {@code g_i} and {@code h_i = H_{B_i} g_i} (one exact HVP);
 * {@code x_i = g_i^T h_i}, {@code y_i = ||g_i||^2}, {@code q_i = x_i / y_i}; a draw with {@code y_i = 0} is
 * skipped and counted in {@code skipped}. Stopping:
 * <ul>
 *   <li>{@code sgdlab} (default): after at least {@code minDraws} = 20 draws, stop when
 *       {@code SE_q <= relTol |mean(q)|} (relTol 0.005), {@code SE_q = sd(q)/sqrt(N)} (N - 1 in the sample
 *       variance); at most {@code maxDraws} = 1000 batches (skipped ones included).</li>
 *   <li>{@code authors}: the EoSS code's rule ({@code calculate_averaged_grad_H_grad}): from N = minDraws + 1
 *       on, stop when the delta-method SE of the ratio of means computed with divisor N - 1 is
 *       {@code < relTol |R|}; the reported value is still the mean of ratios.</li>
 *   <li>fixed-M ({@code draws = M > 0}): exactly M batches are drawn (skipped ones included), no rule (the
 *       reference runs used M = 64).</li>
 * </ul>
 * Reported (Q7.2 step 3): {@code batchSharpness = mean(q)} with {@code batchSharpnessSe = SE_q}; the ratio of
 * means {@code R = x̄/ȳ} with its delta-method standard error
 * {@code SE_R^2 = (s_x^2/ȳ^2 - 2 s_xy x̄/ȳ^3 + s_y^2 x̄^2/ȳ^4)/N}; the ratio to the threshold and, when a
 * {@link Sharpness} diagnostic published lambda_max at the same step, {@code gapBs = BS - lambda_max} (Q7.5).
 *
 * <p>With {@code miniBs} configured, MiniBS (Q7.3, {@link MiniBatchSharpness}) is measured on the same
 * batches, in draw order: the first non-skipped batches of this measurement (continuing with fresh batches of
 * the same stream if MiniBS needs more), and {@code batchSharpnessSameBatches} is the mean Rayleigh quotient
 * over exactly those batches, so MiniBS {@code >=} it holds batch by batch (STUDIES.md §2.2, B3).
 *
 * <p>Measurements where the full loss is below 1e-6 are meaningless for BS (g_B vanishes); excluding them is
 * the studies' concern (Q7.2).
 */
public final class BatchSharpness implements Diagnostic<BatchSharpness.Result> {

    /** The registry name. */
    public static final String NAME = "batch_sharpness";
    /** The stopping modes. */
    public static final List<String> STOPPING = List.of("sgdlab", "authors");

    /**
     * Configuration (Q7.2 defaults): {@code batchSize} (0 = the training batch size), {@code draws} (0 =
     * adaptive; M &gt; 0 = fixed-M mode), {@code minDraws} (20), {@code maxDraws} (1000), {@code relTol}
     * (0.005), {@code stopping} ({@code sgdlab} or {@code authors}), {@code miniBs} (MiniBS on the same batches,
     * null = off; see {@link MiniBatchSharpness.Config#SIMULTANEOUS}).
     */
    public record Config(int batchSize, int draws, int minDraws, int maxDraws, double relTol, String stopping,
                         MiniBatchSharpness.Config miniBs) {
        public static final Config DEFAULT = new Config(0, 0, 20, 1000, 0.005, "sgdlab", null);

        public Config {
            String k = "diagnostics." + NAME + ".";
            Draws.check(k, batchSize, draws, minDraws, maxDraws, relTol);
            if (!STOPPING.contains(stopping)) {
                throw new IllegalArgumentException(k + "stopping: unknown mode '" + stopping + "'; known: "
                        + String.join(", ", STOPPING));
            }
        }

        /** Fixed-M mode with M = {@code m} batches (0 = adaptive). */
        public Config withDraws(int m) {
            return new Config(batchSize, m, minDraws, maxDraws, relTol, stopping, miniBs);
        }

        public Config withBatchSize(int b) {
            return new Config(b, draws, minDraws, maxDraws, relTol, stopping, miniBs);
        }

        public Config withRule(int min, int max, double rel) {
            return new Config(batchSize, draws, min, max, rel, stopping, miniBs);
        }

        public Config withStopping(String s) {
            return new Config(batchSize, draws, minDraws, maxDraws, relTol, s, miniBs);
        }

        public Config withMiniBs(MiniBatchSharpness.Config m) {
            return new Config(batchSize, draws, minDraws, maxDraws, relTol, stopping, m);
        }

        boolean fixed() {
            return draws > 0;
        }
    }

    /**
     * One measurement. Batch sharpness: {@code batchSharpness}, {@code batchSharpnessSe}, {@code draws}
     * (batches used), {@code skipped} (zero gradient), {@code ratioOfMeans}, {@code ratioOfMeansSe},
     * {@code converged} (adaptive: the rule was met; every sample finite), {@code stopping} ({@code sgdlab},
     * {@code authors} or {@code fixed}), {@code batchSize}, {@code threshold} (Q3.6),
     * {@code batchSharpnessRatio} = BS / threshold, {@code lambdaMax} (published by {@link Sharpness} at this
     * step, else NaN) and {@code gapBs} = BS - lambdaMax (Q7.5). MiniBS on the same batches (NaN and 0 draws when
     * off): {@code miniBs}, {@code miniBsSe}, {@code miniBsMax}, {@code miniBsDraws}, {@code miniBsConverged},
     * {@code batchSharpnessSameBatches} (mean q over exactly the MiniBS batches), {@code gapMiniBs},
     * {@code miniBsRatio}. Cost: {@code hvps} (batch sharpness), {@code miniBsHvps}, {@code seconds}.
     */
    public record Result(double batchSharpness, double batchSharpnessSe, int draws, int skipped, double ratioOfMeans,
                         double ratioOfMeansSe, boolean converged, String stopping, int batchSize, double threshold,
                         double batchSharpnessRatio, double lambdaMax, double gapBs, double miniBs, double miniBsSe,
                         double miniBsMax, int miniBsDraws, boolean miniBsConverged, double batchSharpnessSameBatches,
                         double gapMiniBs, double miniBsRatio, long hvps, long miniBsHvps, double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "BatchSharpness.Result[bs=%s, se=%s, draws=%d, skipped=%d, R=%s, seR=%s, "
                            + "converged=%s, miniBs=%s, sameBatches=%s]", batchSharpness, batchSharpnessSe, draws, skipped,
                    ratioOfMeans, ratioOfMeansSe, converged, miniBs, batchSharpnessSameBatches);
        }
    }

    private static final List<String> KEYS = List.of("batch_size", "draws", "min_draws", "max_draws", "rel_tol",
            "stopping", "mini_bs", "mini_bs_draws", "mini_bs_min_draws", "mini_bs_max_draws", "mini_bs_rel_tol",
            "mini_bs_tol", "mini_bs_warm_start");

    private final Config config;

    public BatchSharpness(Config config) {
        this.config = DiagnosticParams.requireConfig(NAME, config);
    }

    /**
     * From a run spec's params: {@code batch_size}, {@code draws} (0 = adaptive), {@code min_draws},
     * {@code max_draws}, {@code rel_tol}, {@code stopping} (sgdlab, authors), {@code mini_bs} (false), and for
     * MiniBS {@code mini_bs_draws} (16; 0 = the Q7.3 rule), {@code mini_bs_min_draws}, {@code mini_bs_max_draws},
     * {@code mini_bs_rel_tol}, {@code mini_bs_tol}, {@code mini_bs_warm_start}.
     */
    public static BatchSharpness fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        Config d = Config.DEFAULT;
        int min = p.integer("min_draws", d.minDraws(), 2, Integer.MAX_VALUE);
        boolean mini = p.bool("mini_bs", false);
        if (!mini) {
            for (String k : KEYS) {
                if (k.startsWith("mini_bs_") && p.has(k)) {
                    throw new IllegalArgumentException(p.field(k) + " is set but mini_bs is off; set mini_bs: true");
                }
            }
        }
        return new BatchSharpness(new Config(p.integer("batch_size", d.batchSize(), 0, Integer.MAX_VALUE),
                p.integer("draws", d.draws(), 0, Integer.MAX_VALUE), min,
                p.integer("max_draws", Math.max(d.maxDraws(), min), min, Integer.MAX_VALUE),
                p.number("rel_tol", d.relTol(), 0, Double.MAX_VALUE), p.choice("stopping", d.stopping(), STOPPING),
                mini ? MiniBatchSharpness.parse(p, "mini_bs_", MiniBatchSharpness.Config.SIMULTANEOUS) : null));
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
        int b = batchSize(NAME, config.batchSize(), probe);
        Stream stream = new Stream(problem, probe.theta(), b, probe.rng(Rng.PROBES, NAME));
        SharpnessStats.Pairs xy = new SharpnessStats.Pairs();
        SharpnessStats.Moments q = new SharpnessStats.Moments();
        boolean authors = config.stopping().equals("authors");
        int limit = config.fixed() ? config.draws() : config.maxDraws();
        int attempts = 0;
        int skipped = 0;
        boolean failed = false;
        boolean ruleMet = false;
        while (attempts < limit) {
            Draw d = stream.get(attempts++);
            d.rayleigh();
            if (d.skipped()) {
                skipped++;
                continue;
            }
            if (!Double.isFinite(d.x) || !Double.isFinite(d.y)) {
                failed = true;
                break;
            }
            xy.add(d.x, d.y);
            q.add(d.x / d.y);
            if (config.fixed()) {
                continue;
            }
            int n = q.count();
            if (authors) {
                if (n >= config.minDraws() + 1 && xy.ratioSe(n - 1) / Math.abs(xy.ratio()) < config.relTol()) {
                    ruleMet = true;
                    break;
                }
            } else if (n >= config.minDraws() && q.se() <= config.relTol() * Math.abs(q.mean())) {
                ruleMet = true;
                break;
            }
        }
        long hvps = stream.hvps;
        int n = q.count();
        double bs = failed ? Double.NaN : q.mean();
        double bsSe = failed ? Double.NaN : q.se();
        double r = failed ? Double.NaN : xy.ratio();
        double rSe = failed ? Double.NaN : xy.ratioSe(n);
        boolean converged = !failed && n >= 2 && (config.fixed() || ruleMet);
        double thr = probe.threshold();
        double lmax = sharedLambdaMax(probe);

        double mini = Double.NaN;
        double miniSe = Double.NaN;
        double miniMax = Double.NaN;
        int miniDraws = 0;
        boolean miniConv = false;
        double same = Double.NaN;
        long miniHvps = 0;
        if (config.miniBs() != null && !failed) {
            MiniBatchSharpness.Engine e = new MiniBatchSharpness.Engine(config.miniBs(), problem, probe.theta(),
                    probe.rng(Rng.LANCZOS, NAME));
            SharpnessStats.Moments sq = new SharpnessStats.Moments();
            MiniBatchSharpness.Config mc = config.miniBs();
            int scanLimit = attempts + (mc.fixed() ? mc.draws() : mc.maxDraws()) + skipped;
            for (int i = 0; !e.done() && i < scanLimit; i++) {
                Draw d = stream.get(i);
                d.rayleigh();
                if (d.skipped() || !Double.isFinite(d.x) || !Double.isFinite(d.y)) {
                    continue;
                }
                e.add(d.data());
                sq.add(d.x / d.y);
            }
            mini = e.mean();
            miniSe = e.se();
            miniMax = e.max();
            miniDraws = e.count();
            miniConv = e.converged();
            same = sq.mean();
            miniHvps = e.hvps;
            hvps = stream.hvps;                    // MiniBS may have drawn further batches
        }
        return new Result(bs, bsSe, n, skipped, r, rSe, converged, config.fixed() ? "fixed" : config.stopping(), b, thr,
                bs / thr, lmax, bs - lmax, mini, miniSe, miniMax, miniDraws, miniConv, same, mini - lmax, mini / thr,
                hvps, miniHvps, (System.nanoTime() - t0) * 1e-9);
    }

    /** lambda_max published by a {@link Sharpness} diagnostic at the probe's step, else NaN. */
    static double sharedLambdaMax(Probe probe) {
        Map<String, Object> s = probe.shared();
        if (s == null) {
            return Double.NaN;
        }
        Object step = s.get(Sharpness.SHARED_STEP);
        Object eig = s.get(Sharpness.SHARED_EIGENVALUES);
        if (step instanceof Long t && t == probe.step() && eig instanceof double[] v && v.length > 0) {
            return v[0];
        }
        return Double.NaN;
    }

    /** The batch size of fresh batches: the configured one, else the probe's training batch size. */
    static int batchSize(String name, int configured, Probe probe) {
        int n = probe.problem().train().size();
        int b = configured > 0 ? configured : probe.batchSize();
        if (b < 1 || b > n) {
            throw new IllegalArgumentException("diagnostics." + name + ".batch_size = " + b + " must be in [1, n = " + n
                    + "] (0 = the training batch size)");
        }
        return b;
    }

    /** One fresh batch; its gradient statistics are computed on first use. */
    static final class Draw {
        private final Stream owner;
        private final Dataset data;
        private boolean done;
        double x = Double.NaN;
        double y = Double.NaN;

        Draw(Stream owner, Dataset data) {
            this.owner = owner;
            this.data = data;
        }

        Dataset data() {
            return data;
        }

        /** {@code x = g^T H_B g}, {@code y = ||g||^2} (no HVP when g = 0). */
        void rayleigh() {
            if (done) {
                return;
            }
            done = true;
            Tensor g = owner.problem.valueAndGrad(owner.theta, data).grad();
            y = g.dotValue(g);
            if (y == 0.0) {
                return;
            }
            owner.hvps++;
            x = g.dotValue(owner.problem.hvp(owner.theta, data, g));
        }

        boolean skipped() {
            return y == 0.0;
        }
    }

    /**
     * The sequence of fresh batches of one measurement: batch i is drawn on first request, b distinct indices
     * by {@link Subset#distinct} from {@code rng}, so the sequence is a function of the stream alone.
     */
    static final class Stream {
        final Problem problem;
        final Tensor theta;
        private final int b;
        private final RandomGenerator rng;
        private final List<Draw> draws = new ArrayList<>();
        long hvps;

        Stream(Problem problem, Tensor theta, int b, RandomGenerator rng) {
            this.problem = problem;
            this.theta = theta.detach();
            this.b = b;
            this.rng = rng;
        }

        Draw get(int i) {
            while (draws.size() <= i) {
                int[] idx = Subset.distinct(problem.train().size(), b, rng);
                draws.add(new Draw(this, problem.train().batch(idx)));
            }
            return draws.get(i);
        }
    }
}
