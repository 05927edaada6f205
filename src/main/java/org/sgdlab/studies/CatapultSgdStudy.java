package org.sgdlab.studies;

import static org.sgdlab.studies.CatapultSetup.f;
import static org.sgdlab.studies.CatapultSetup.r4;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.AgopAlignment;
import org.sgdlab.diagnostics.BatchKernel;
import org.sgdlab.diagnostics.Ntk;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.SpikeDetector;
import org.sgdlab.diagnostics.SpikeShares;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.report.Figure;
import org.sgdlab.report.Palette;
import org.sgdlab.report.Plot;
import org.sgdlab.report.Series;

/**
 * {@code catapult-sgd} (STUDIES.md §4): SGD loss spikes are catapults; smaller batches give more of them,
 * a higher alignment with the AGOP of the true predictor and a lower test error.
 *
 * <ul>
 *   <li>P1-C (§4.1): one eta = 0.7 eta_crit(0) for every batch size b in {5, 10, 25, 50, 100, 500} (500 = GD),
 *       epoch-shuffle batches (stream seeded by 100 + net seed), stop when the full training loss &lt; 1e-3
 *       at an epoch end or at 8000 steps; the full loss after every update feeds the kappa = 2 spike detector
 *       (Q12). At the stop: spike count, rho(G, G*) on the training inputs (Q13), test MSE, steps. Gates CC1-CC4
 *       on the seed means, report CC5.</li>
 *   <li>P1-D (§4.2): b = 10, net seed 0, 250 steps; at every step K-bar(theta_t) on all 500 training points
 *       (closed form, Lanczos top-10), L_top,s for s in {1, 10}; local peaks (Q12); psi_1 per peak and phi_1 at
 *       peaks vs all steps (Q10.3). Gates CD1, CD2; report CD3.</li>
 *   <li>P1-E (§4.3, report): c_t = eta lambda_1(K-bar_B(theta_t))/2 for the batch of each step (Q11) against the
 *       loss jumps L_{t+1} &gt; 1.5 L_t (Q12) in the P1-C runs with b = 10 and 25 (net seed 0).</li>
 * </ul>
 *
 * Batch sizes are compared at equal final training loss (the stop rule), not at equal epochs (§4.5).
 * Paper: L. Zhu, C. Liu, A. Radhakrishnan, M. Belkin, "Catapults in SGD: spikes in the training loss and
 * their impact on generalization through feature learning", ICML 2024, arXiv 2306.04815 (QUANTITIES.md
 * Q10-Q13).
 */
public final class CatapultSgdStudy implements Study {

    static final int N = 500;
    static final int[] BATCHES = {5, 10, 25, 50, 100, 500};
    static final int[] BATCHES_QUICK = {5, 10, 50, 500};
    static final double NU = 0.7;
    static final double LOSS_GOAL = 1e-3;
    static final long MAX_STEPS = 8000;
    static final double[] KAPPAS = {1.5, 2, 10};
    static final int[] SPLIT_D = {1, 10};

    /**
     * The evidence behind CC3 at base seed 0 (fix-catapult cross-check, bench/crosscheck/catapult_p1c.py): a NumPy
     * oracle written from the spec reproduces sgdlab's P1-C runs on sgdlab's data, theta_0 and batches (b = 5: 1800
     * steps, 94 spikes, test MSE 0.5637, rho 0.8631; b = 500: 529 steps, test 1.0695, rho 0.4487); with NumPy's own
     * draws it reproduces the reference run's seed 0 (b = 5: 129 spikes, b = 10: 33, as quoted) and gives test(5)/test(500)
     * = 0.287/0.883 = 0.325. Over independent draws the single-seed ratio straddles 0.5 in both implementations
     * (NumPy 0.325, 0.543, 0.415, 0.390, 0.385; sgdlab base seeds 0-6 0.527, 0.460, 0.545, 0.403, 0.361, 0.495, 0.426),
     * and GD's test MSE / rho have the same distribution (8 draws each: 0.893 +- 0.096 / 0.643 +- 0.099 vs 0.872 +- 0.058
     * / 0.647 +- 0.084); sgdlab's seed-0 draw (data seed 5, net seed 0; GD rho 0.449, test 1.07) is an unfavourable one.
     */
    static final String CC3_NOTE = "single-seed CC3 is a draw effect, not an implementation difference: a NumPy oracle"
            + " reproduces these runs exactly on the same data/init/batches and reproduces the reference seed 0 on NumPy's"
            + " draws (ratio 0.325); over independent draws test(5)/test(500) straddles 0.5 in both (NumPy 0.33-0.54,"
            + " 1 of 5 above 0.5; sgdlab base seeds 0-6 0.36-0.55, 2 of 7 above); see bench/crosscheck/catapult_p1c.py";

    @Override
    public String name() {
        return "catapult-sgd";
    }

    @Override
    public String paper() {
        return "Zhu, Liu, Radhakrishnan, Belkin, ICML 2024, arXiv 2306.04815";
    }

    @Override
    public String claim() {
        return "SGD loss spikes are catapults in the top NTK eigenspace; smaller batches give more catapults, higher AGOP"
                + " alignment and lower test error";
    }

    @Override
    public String quickRuntime() {
        return "~6 s";
    }

    @Override
    public String fullRuntime() {
        return "~12 s";
    }

    @Override
    public StudyResult run(StudyContext ctx) {
        StudyResult res = new StudyResult(name());
        PartC c = PartC.prepare(ctx);
        PartD d = new PartD(c, ctx.quick());
        List<Callable<Object>> tasks = new ArrayList<>();
        // the longest runs first: b = 5 of every seed, then P1-D, then the rest. In the quick variant P1-D follows the
        // P1-C run with b = 10 and seed 0 (the same trajectory), whose loss decides between 100 and 250 steps (§4.4).
        List<PartC.Run> order = new ArrayList<>(c.runs);
        order.sort((x, y) -> Integer.compare(x.b(), y.b()));
        PartC.Run first10 = order.stream().filter(r -> r.b() == 10 && r.seedIndex() == 0).findFirst().orElseThrow();
        for (PartC.Run r : order) {
            if (ctx.quick() && r == first10) {
                tasks.add(() -> {
                    PartC.Outcome oc = c.execute(ctx, r);
                    d.execute(ctx, oc.loss());
                    return oc;
                });
            } else {
                tasks.add(() -> c.execute(ctx, r));
            }
            if (!ctx.quick() && r == order.get(Math.min(order.size() - 1, c.seeds.length - 1))) {
                tasks.add(() -> d.execute(ctx, null));
            }
        }
        List<Object> out = ctx.parallel(tasks);
        for (Object o : out) {
            if (o instanceof PartC.Outcome oc) {
                c.outcomes.put(oc.run().id(), oc);
            }
        }
        c.analyse(res);
        d.analyse(res);
        c.p1e(res);
        return res;
    }

    // =========================================================================================== P1-C

    /** P1-C (§4.1). */
    static final class PartC {
        final boolean quick;
        final long dataSeed;
        final Problem problem;
        final int[] bs;
        final long[] seeds;
        final long[] batchSeeds;
        final double[] lambda0;
        final List<Run> runs = new ArrayList<>();
        final Map<String, Outcome> outcomes = new java.util.concurrent.ConcurrentHashMap<>();

        /** One (seed, b) run; P1-E measures c_t at every step in the b = 10, 25 runs of the first seed. */
        record Run(int seedIndex, long netSeed, long batchSeed, int b, double eta, boolean batchKernel, String id) {
        }

        /** The numbers of one run at its stop. */
        record Outcome(Run run, RunResult result, double[] loss, int[] spikes, double rho, double rhoTest, double testMse,
                       double[] ct) {

            int spikes(double kappa) {
                for (int i = 0; i < KAPPAS.length; i++) {
                    if (KAPPAS[i] == kappa) {
                        return spikes[i];
                    }
                }
                throw new IllegalArgumentException("kappa " + kappa + " not measured");
            }

            double finalLoss() {
                return loss[loss.length - 1];
            }
        }

        private PartC(boolean quick, long dataSeed, Problem problem, int[] bs, long[] seeds, long[] batchSeeds,
                double[] lambda0) {
            this.quick = quick;
            this.dataSeed = dataSeed;
            this.problem = problem;
            this.bs = bs;
            this.seeds = seeds;
            this.batchSeeds = batchSeeds;
            this.lambda0 = lambda0;
        }

        static PartC prepare(StudyContext ctx) {
            long data = ctx.pick(5, "x1x2-n500-d50", "data");
            Problem p = CatapultSetup.problem(N, 2000, 50, 256, data);
            int count = ctx.seedCount(ctx.quick() ? 1 : 3);
            long[] nets = new long[count];
            long[] batches = new long[count];
            double[] lam = new double[count];
            for (int i = 0; i < count; i++) {
                nets[i] = ctx.pick(i, "P1-C", "net");
                batches[i] = ctx.pick(100 + i, "P1-C", "batches");
                lam[i] = CatapultSetup.lambda1(p, CatapultSetup.init(p, nets[i]), CatapultSetup.LANCZOS, nets[i]);
            }
            PartC c = new PartC(ctx.quick(), data, p, ctx.quick() ? BATCHES_QUICK : BATCHES, nets, batches, lam);
            for (int i = 0; i < count; i++) {
                for (int b : c.bs) {
                    c.runs.add(new Run(i, nets[i], batches[i], b, NU * 2 / lam[i], i == 0 && (b == 10 || b == 25),
                            String.format(Locale.ROOT, "P1-C_b%d_seed%d", b, i)));
                }
            }
            return c;
        }

        /** The sampler of a run: full batch for b = n (GD), else epoch-shuffle on the batch stream {@code batchSeed}. */
        static BatchSampler sampler(int n, int b, long batchSeed) {
            return b == n ? Samplers.create(Samplers.FULL_BATCH, n, n, batchSeed)
                    : Samplers.create(Samplers.EPOCH_SHUFFLE, n, b, batchSeed);
        }

        /** GD for b = n, else SGD, at a constant eta. */
        static Optimizer<? extends OptimizerState> optimizer(int n, int b, double eta) {
            return b == n ? Optimizers.gd(Schedules.constant(eta)) : Optimizers.sgd(Schedules.constant(eta));
        }

        TrainConfig config(Run r) {
            return config(problem, r.b, r.eta, r.netSeed, r.batchSeed, MAX_STEPS, r.batchKernel);
        }

        /**
         * A P1-C run (§4.1): SGD (GD for b = n) at {@code eta}, stopped at the first epoch end with full training
         * loss &lt;= 1e-3 or after {@code maxSteps} updates. The Trainer evaluates the full loss at epoch ends only,
         * so that its loss goal is checked exactly there, and the {@code full_loss} diagnostic logs L(theta_t) at
         * every step for the spike detector; AGOP alignment at the stop; the batch kernel at every step if asked.
         */
        static TrainConfig config(Problem problem, int b, double eta, long netSeed, long batchSeed, long maxSteps,
                boolean batchKernel) {
            int n = problem.train().size();
            BatchSampler s = sampler(n, b, batchSeed);
            TrainConfig.Builder cb = TrainConfig.builder(problem, optimizer(n, b, eta), s).steps(maxSteps).seed(netSeed)
                    .evalEvery((int) s.stepsPerEpoch()).testEvery(0).lossGoal(LOSS_GOAL).spikeKappa(0)
                    .diagnostic(Scheduled.every(new CatapultSetup.FullLoss(), 1))
                    .diagnostic(new Scheduled(new AgopAlignment(), 0, 0, null, true, false));
            if (batchKernel) {
                cb.diagnostic(Scheduled.every(new BatchKernel(), 1));
            }
            return cb.build();
        }

        Outcome execute(StudyContext ctx, Run r) {
            MetricsLog log = ctx.train(r.id, config(r));
            RunResult rr = log.result();
            double[] loss = CatapultSetup.FullLoss.series(log);
            int[] sp = new int[KAPPAS.length];
            for (int i = 0; i < KAPPAS.length; i++) {
                sp[i] = CatapultSetup.detect(loss, KAPPAS[i]).count();
            }
            List<MetricsLog.Measurement> ag = log.measurements(AgopAlignment.NAME);
            AgopAlignment.Result a = ag.isEmpty() ? null : (AgopAlignment.Result) ag.get(ag.size() - 1).result();
            double[] ct = null;
            if (r.batchKernel) {
                List<MetricsLog.Measurement> bk = log.measurements(BatchKernel.NAME);
                ct = new double[bk.size()];
                for (int i = 0; i < ct.length; i++) {
                    if (bk.get(i).step() != i) {
                        throw new IllegalStateException("batch_kernel: expected step " + i + ", got " + bk.get(i).step());
                    }
                    ct[i] = ((BatchKernel.Result) bk.get(i).result()).batchCritRatio();
                }
            }
            return new Outcome(r, rr, loss, sp, a == null ? Double.NaN : a.agopAlignment(),
                    a == null ? Double.NaN : a.agopAlignmentTest(), CatapultSetup.testMse(problem, rr.theta()), ct);
        }

        List<Outcome> outcomes(int b) {
            List<Outcome> out = new ArrayList<>();
            for (Run r : runs) {
                if (r.b == b) {
                    out.add(outcomes.get(r.id));
                }
            }
            return out;
        }

        double[] means(ToDoubleFunction<Outcome> fn) {
            double[] m = new double[bs.length];
            for (int j = 0; j < bs.length; j++) {
                m[j] = CatapultStats.mean(outcomes(bs[j]).stream().mapToDouble(fn).toArray());
            }
            return m;
        }

        Map<String, Object> perB(double[] v) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int j = 0; j < bs.length; j++) {
                m.put("b" + bs[j], r4(v[j]));
            }
            return m;
        }

        Map<String, Object> perSeed(ToDoubleFunction<Outcome> fn) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int b : bs) {
                m.put("b" + b, outcomes(b).stream().map(o -> r4(fn.applyAsDouble(o))).toList());
            }
            return m;
        }

        int idx(int b) {
            for (int j = 0; j < bs.length; j++) {
                if (bs[j] == b) {
                    return j;
                }
            }
            throw new IllegalArgumentException("batch size " + b + " not run");
        }

        void analyse(StudyResult res) {
            double[] spikes = means(o -> o.spikes(2));
            double[] rho = means(Outcome::rho);
            double[] rhoTest = means(Outcome::rhoTest);
            double[] test = means(Outcome::testMse);
            double[] steps = means(o -> o.result.steps());
            double[] train = means(Outcome::finalLoss);
            String scope = seeds.length == 1 ? "seed " + seeds[0] : "means over " + seeds.length + " seeds";
            String sizes = quick ? "the four quick batch sizes {5, 10, 50, 500}" : "the six batch sizes";
            // CC1
            Map<String, Object> m1 = new LinkedHashMap<>();
            m1.put("mean_spikes", perB(spikes));
            m1.put("per_seed", perSeed(o -> o.spikes(2)));
            double s5 = spikes[idx(5)];
            double s50 = spikes[idx(50)];
            m1.put("spikes5_over_max1_spikes50", r4(s5 / Math.max(1, s50)));
            res.gate("CC1", "smaller batches give more catapults", CatapultStats.nonIncreasing(spikes)
                    && s5 >= 10 * Math.max(1, s50), m1, "spike count (kappa = 2, " + scope + ") non-increasing in b over "
                    + sizes + ", and spikes(5) >= 10 * max(1, spikes(50))");
            // CC2
            Map<String, Object> m2 = new LinkedHashMap<>();
            m2.put("mean_rho", perB(rho));
            m2.put("per_seed", perSeed(Outcome::rho));
            double dr = rho[idx(5)] - rho[idx(500)];
            m2.put("rho5_minus_rho500", r4(dr));
            res.gate("CC2", "smaller batches give a higher AGOP alignment with the true predictor",
                    CatapultStats.nonIncreasing(rho) && dr >= 0.15, m2, "rho(G, G*) on the training inputs (" + scope
                            + ") non-increasing in b over " + sizes + ", and rho(5) - rho(500) >= 0.15");
            // CC3
            Map<String, Object> m3 = new LinkedHashMap<>();
            m3.put("mean_test_mse", perB(test));
            m3.put("per_seed", perSeed(Outcome::testMse));
            double tr = test[idx(5)] / test[idx(500)];
            m3.put("test5_over_test500", r4(tr));
            m3.put("note", CC3_NOTE);
            res.gate("CC3", "smaller batches give a lower test error", CatapultStats.nonDecreasing(test) && tr <= 0.5, m3,
                    "test MSE (" + scope + ") non-decreasing in b over " + sizes + ", and test(5) <= 0.5 * test(500)");
            // CC4
            double[] negTest = new double[test.length];
            for (int j = 0; j < test.length; j++) {
                negTest[j] = -test[j];
            }
            double sr = CatapultStats.spearman(spikes, rho);
            double st = CatapultStats.spearman(spikes, negTest);
            Map<String, Object> m4 = new LinkedHashMap<>();
            m4.put("spearman_spikes_rho", r4(sr));
            m4.put("spearman_spikes_neg_test", r4(st));
            m4.put("batch_sizes", java.util.Arrays.stream(bs).boxed().toList());
            res.gate("CC4", "the number of spikes is well correlated with the test error and the AGOP alignment", sr >= 0.8
                    && st >= 0.8, m4, "Spearman(spikes, rho) >= 0.8 and Spearman(spikes, -test MSE) >= 0.8 over " + sizes
                    + " (" + scope + "; ties get average ranks)");
            // CC5
            Map<String, Object> m5 = new LinkedHashMap<>();
            m5.put("mean_spikes_kappa1.5", perB(means(o -> o.spikes(1.5))));
            m5.put("mean_spikes_kappa10", perB(means(o -> o.spikes(10))));
            m5.put("per_seed_kappa1.5", perSeed(o -> o.spikes(1.5)));
            m5.put("per_seed_kappa10", perSeed(o -> o.spikes(10)));
            m5.put("per_seed_steps", perSeed(o -> o.result.steps()));
            m5.put("per_seed_rho_test_inputs", perSeed(Outcome::rhoTest));
            res.report("CC5", "spike counts at other detector thresholds; per-seed values", null, m5,
                    "report spike counts at kappa in {1.5, 10} and per-seed values");
            report(res, spikes, rho, rhoTest, test, steps, train);
        }

        private void report(StudyResult res, double[] spikes, double[] rho, double[] rhoTest, double[] test,
                double[] steps, double[] train) {
            res.section("P1-C: batch-size sweep");
            StringBuilder lam = new StringBuilder();
            for (int i = 0; i < seeds.length; i++) {
                lam.append(String.format(Locale.ROOT, "%snet seed %d (batch seed %d): lambda_1(K-bar(theta_0)) = %s, eta = %s",
                        i == 0 ? "" : "; ", seeds[i], batchSeeds[i], f(lambda0[i]), f(NU * 2 / lambda0[i])));
            }
            res.text("Paper's claim: smaller batches make SGD spike more often; the spikes are catapults that improve"
                    + " feature learning, so the number of spikes correlates with a higher AGOP alignment and a lower test"
                    + " error. Setup (§4.1): n = 500 training and 2000 test points, d = 50, m = 256, target x1*x2, data seed "
                    + dataSeed + "; one learning rate eta = 0.7 eta_crit(0) for every batch size (b = 500 is full-batch GD),"
                    + " epoch-shuffle batches; each run stops at the first epoch end with full training loss < 1e-3 (or"
                    + " 8000 steps), so batch sizes are compared at equal final training loss (§4.5). The full training loss"
                    + " is logged after every update and spikes are counted by the Q12 detector with kappa = 2. " + lam
                    + "." + (quick ? " Quick variant: net seed 0 only and b in {5, 10, 50, 500}." : ""));
            Map<Integer, String[]> ref = new LinkedHashMap<>();
            ref.put(5, new String[] {"129 / 119 / 127", "0.933", "0.310", "~2200"});
            ref.put(10, new String[] {"33 / 36 / 29", "0.865", "0.571", "~800"});
            ref.put(25, new String[] {"2 / 5 / 3", "0.757", "0.803", "~470"});
            ref.put(50, new String[] {"0", "0.726", "0.855", "~440"});
            ref.put(100, new String[] {"0", "0.708", "0.879", "~430"});
            ref.put(500, new String[] {"0", "0.697", "0.892", "~440"});
            List<List<Object>> rows = new ArrayList<>();
            for (int j = 0; j < bs.length; j++) {
                int b = bs[j];
                String[] r = ref.get(b);
                StringBuilder ps = new StringBuilder();
                for (Outcome o : outcomes(b)) {
                    ps.append(ps.length() == 0 ? "" : " / ").append(o.spikes(2));
                }
                rows.add(List.of(b, ps.toString(), r[0], f(rho[j]), r[1], f(rhoTest[j]), f(test[j]), r[2],
                        CatapultSetup.fmt(steps[j], 4), r[3], CatapultSetup.fmt(train[j], 2)));
            }
            res.text("Ours (" + (seeds.length == 1 ? "one seed" : "means over " + seeds.length + " seeds; spikes per seed")
                    + ") next to the reference values (reference run, float64 NumPy prototype, means over 3 seeds, STUDIES.md"
                    + " §4.1).");
            res.table(List.of("b", "spikes (kappa = 2)", "ref", "rho(G, G*) train", "ref", "rho test inputs", "test MSE",
                    "ref", "steps", "ref", "train loss at stop"), rows);
            res.text("Cross-check (bench/crosscheck/catapult_p1c.py): a NumPy oracle written from the spec reproduces these"
                    + " runs on sgdlab's data, initial weights and batches (seed 0: b = 5 1800 steps, 94 spikes, test MSE"
                    + " 0.5637, rho 0.8631; b = 500 529 steps, test MSE 1.0695, rho 0.4487), and on NumPy's own draws"
                    + " (default_rng(5) data, default_rng(0) net, default_rng(100) batch permutations) it reproduces the"
                    + " reference seed 0 (129 spikes at b = 5, 33 at b = 10, test MSE 0.287 vs GD 0.883). A GD test MSE"
                    + " near 1 is the kernel regime at n = 500, d = 50: on seed 0's data the linearised-NTK predictor from"
                    + " theta_0 scores 1.10, kernel regression with K(theta_0) 1.08 and the zero predictor 1.12 (the mean of"
                    + " y^2 on that test set). Over independent draws the GD test MSE and rho have the same distribution"
                    + " in both implementations (8 draws each: 0.893 +- 0.096 / 0.643 +- 0.099 in sgdlab, 0.872 +- 0.058 /"
                    + " 0.647 +- 0.084 in NumPy), and the single-seed ratio test(5)/test(500) straddles CC3's 0.5 (NumPy draws"
                    + " 0.325, 0.543, 0.415, 0.390, 0.385; sgdlab base seeds 0-6: 0.527, 0.460, 0.545, 0.403, 0.361, 0.495,"
                    + " 0.426). sgdlab's base-seed-0 draw is an unfavourable one (GD rho 0.449), which is why every test MSE"
                    + " and alignment of this seed sits below the reference's.");
            res.figure(vsB(spikes, rho, rhoTest, test));
            res.figure(lossFigure());
            for (Run rr : runs) {
                Outcome o = outcomes.get(rr.id);
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("id", o.run.id);
                run.put("experiment", "P1-C");
                run.put("settings", String.format(Locale.ROOT, "%s, b = %d, eta = %s = 0.7 eta_crit, stop: loss < 1e-3 at an"
                        + " epoch end or 8000 steps, data seed %d, net seed %d, batch seed %d", o.run.b == N ? "GD" : "SGD",
                        o.run.b, f(o.run.eta), dataSeed, o.run.netSeed, o.run.batchSeed));
                run.put("status", o.result.status().id() + " (" + o.result.reason() + ")");
                run.put("steps", o.result.steps());
                run.put("train_loss", r4(o.finalLoss()));
                run.put("spikes", o.spikes(2));
                run.put("finals", "test MSE " + f(o.testMse) + ", rho " + f(o.rho) + " (test inputs " + f(o.rhoTest)
                        + "), spikes at kappa 1.5/10: " + o.spikes(1.5) + "/" + o.spikes(10));
                res.run(run);
            }
        }

        private Figure vsB(double[] spikes, double[] rho, double[] rhoTest, double[] test) {
            double[] x = new double[bs.length];
            for (int j = 0; j < bs.length; j++) {
                x[j] = bs[j];
            }
            Plot.Builder ps = Plot.builder().title("spike count (kappa = 2)").xLabel("batch size b").xLog()
                    .yLabel("spikes").add(Series.lineMarkers("mean", x, spikes));
            Plot.Builder pr = Plot.builder().title("AGOP alignment").xLabel("batch size b").xLog().yLabel("rho(G, G*)")
                    .add(Series.lineMarkers("training inputs (mean)", x, rho))
                    .add(Series.lineMarkers("test inputs (mean)", x, rhoTest).dashed());
            Plot.Builder pt = Plot.builder().title("test MSE").xLabel("batch size b").xLog().yLabel("test MSE")
                    .add(Series.lineMarkers("mean", x, test));
            for (int i = 0; i < seeds.length; i++) {
                final int si = i;
                double[] sp = new double[bs.length];
                double[] rh = new double[bs.length];
                double[] te = new double[bs.length];
                for (int j = 0; j < bs.length; j++) {
                    Outcome o = outcomes(bs[j]).stream().filter(q -> q.run.seedIndex == si).findFirst().orElseThrow();
                    sp[j] = o.spikes(2);
                    rh[j] = o.rho;
                    te[j] = o.testMse;
                }
                String l = "seed #" + i;
                ps.add(Series.markers(l, x, sp).hollow());
                pr.add(Series.markers(l, x, rh).hollow());
                pt.add(Series.markers(l, x, te).hollow());
            }
            int i5 = idx(5);
            int i500 = idx(500);
            return Figure.grid("p1c_vs_batch", List.of(ps.build(), pr.build(), pt.build()), 3).withSize(320, 200)
                    .withTitle("P1-C: spike count, AGOP alignment and test MSE against the batch size")
                    .withCaption(String.format(Locale.ROOT, "At the stop (training loss < 1e-3 at an epoch end): %s (lines)"
                            + " and per-seed values (hollow markers), log-scale batch size. b = 5 vs 500: spikes %s vs %s"
                            + " (CC1), rho %s vs %s (CC2 needs +0.15), test MSE %s vs %s (CC3 needs <= 0.5x).",
                            seeds.length == 1 ? "one seed" : "means over " + seeds.length + " seeds", f(spikes[i5]),
                            f(spikes[i500]), f(rho[i5]), f(rho[i500]), f(test[i5]), f(test[i500])));
        }

        private Figure lossFigure() {
            Plot.Builder b = Plot.builder().xLabel("step").yLabel("full training loss").yLog();
            for (int bb : bs) {
                Outcome o = outcomes(bb).get(0);
                double[] x = new double[o.loss.length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = i;
                }
                b.add(Series.line("b = " + bb + " (" + o.spikes(2) + " spikes)", x, o.loss));
            }
            b.refLine(LOSS_GOAL, "stop: 1e-3");
            return Figure.of("p1c_loss", b.build()).withTitle("P1-C: full training loss after every update (first net seed)").withCaption("Full training loss L(theta_t) of every batch size for the first net seed"
                            + " (log scale) until the stop; the legend gives the kappa = 2 spike count. Small batches"
                            + " spike repeatedly before converging; GD (b = 500) decreases monotonically.");
        }

        // ------------------------------------------------------------------------------------ P1-E

        void p1e(StudyResult res) {
            res.section("P1-E: batch-critical learning rate (Claim 2), diagnostic only");
            res.text("Paper's claim: a spike happens when the learning rate exceeds the critical learning rate of the"
                    + " batch. Per step t of the P1-C runs with b = 10 and 25 (net seed " + seeds[0] + "): c_t = eta"
                    + " lambda_1(K-bar_B(theta_t))/2 for the batch B_t of the step (Q11) and the loss jump L_{t+1} > 1.5 L_t"
                    + " (Q12); 'run >= 2' means c_{t-1} > 1 and c_t > 1. The operationalisation is unverified; all report."
                    + " Reference (NumPy prototype): b = 10: 76 % of steps had c_t > 1; P(jump | c_t > 1) = 0.106 vs 0.083"
                    + " otherwise; P(c_t > 1 | jump) = 0.80. b = 25: c_t < 1 on every step, yet 3 jumps.");
            List<List<Object>> rows = new ArrayList<>();
            Map<String, Object> m = new LinkedHashMap<>();
            Figure fig = null;
            for (int b : new int[] {10, 25}) {
                Outcome o = outcomes.get(String.format(Locale.ROOT, "P1-C_b%d_seed0", b));
                if (o == null || o.ct == null) {
                    continue;
                }
                int steps = o.loss.length - 1;
                boolean[] sup = new boolean[steps];
                for (int t = 0; t < steps; t++) {
                    sup[t] = o.ct[t] > 1;
                }
                boolean[] jump = SpikeShares.jumps(o.loss);
                boolean[] run2 = CatapultStats.runEnding(sup, 2);
                double frac = CatapultStats.fraction(sup);
                double pjs = CatapultStats.conditional(jump, sup);
                double pjn = CatapultStats.conditional(jump, CatapultStats.not(sup));
                double psj = CatapultStats.conditional(sup, jump);
                double pjr = CatapultStats.conditional(jump, run2);
                double pjnr = CatapultStats.conditional(jump, CatapultStats.not(run2));
                double prj = CatapultStats.conditional(run2, jump);
                String k = "b" + b + "_";
                m.put(k + "steps", steps);
                m.put(k + "jumps", CatapultStats.count(jump));
                m.put(k + "frac_ct_gt1", r4(frac));
                m.put(k + "P_jump_given_ct_gt1", r4(pjs));
                m.put(k + "P_jump_given_ct_le1", r4(pjn));
                m.put(k + "P_ct_gt1_given_jump", r4(psj));
                m.put(k + "P_jump_given_run2", r4(pjr));
                m.put(k + "P_jump_given_not_run2", r4(pjnr));
                m.put(k + "P_run2_given_jump", r4(prj));
                rows.add(List.of(b, steps, CatapultStats.count(jump), f(frac), f(pjs), f(pjn), f(psj), f(pjr), f(pjnr),
                        f(prj)));
                if (b == 10) {
                    fig = ctFigure(o, jump);
                }
            }
            if (quick) {
                m.put("note", "quick variant: b = 10 only (b = 25 is not run)");
            }
            res.report("P1-E", "a spike happens when eta exceeds the critical learning rate of the batch (Claim 2)", null, m,
                    "report: fraction of steps with c_t > 1; P(jump | c_t > 1) vs P(jump | c_t <= 1); P(c_t > 1 | jump);"
                            + " the same for runs of >= 2 consecutive super-critical batches");
            res.table(List.of("b", "steps", "jumps", "frac c_t > 1", "P(jump | c > 1)", "P(jump | c <= 1)",
                    "P(c > 1 | jump)", "P(jump | run >= 2)", "P(jump | not run >= 2)", "P(run >= 2 | jump)"), rows);
            if (fig != null) {
                res.figure(fig);
            }
        }

        private Figure ctFigure(Outcome o, boolean[] jump) {
            int steps = o.loss.length - 1;
            double[] x = new double[steps];
            double[] c = new double[steps];
            List<Double> jx = new ArrayList<>();
            List<Double> jy = new ArrayList<>();
            for (int t = 0; t < steps; t++) {
                x[t] = t;
                c[t] = o.ct[t];
                if (jump[t]) {
                    jx.add((double) t);
                    jy.add(o.ct[t]);
                }
            }
            Plot p = Plot.builder().xLabel("step t").yLabel("c_t = eta lambda_1(K-bar_B)/2")
                    .add(Series.line("c_t", x, c).withWidth(0.8))
                    .add(Series.markers("loss jump L_{t+1} > 1.5 L_t", jx.stream().mapToDouble(Double::doubleValue).toArray(),
                            jy.stream().mapToDouble(Double::doubleValue).toArray()).withColor(Palette.VERMILLION))
                    .refLine(1, "batch-critical").build();
            return Figure.of("p1e_batch_critical", p).withTitle("P1-E: batch-critical ratio c_t (b = 10, first net seed)").withCaption("c_t for the batch of every step of the b = 10 run (line) and the steps"
                            + " followed by a loss jump (markers); above 1 the step exceeds the batch's critical learning"
                            + " rate. Report only.");
        }
    }

    // =========================================================================================== P1-D

    /** P1-D (§4.2): b = 10, net seed 0, 250 steps (quick: 100, extended to 250 if fewer than 5 peaks). */
    static final class PartD {
        final PartC c;
        final boolean quick;
        volatile MetricsLog log;
        volatile long steps;
        volatile int peaksShort = -1;
        volatile double[] reference;

        PartD(PartC c, boolean quick) {
            this.c = c;
            this.quick = quick;
        }

        TrainConfig config(long t) {
            PartC.Run r = new PartC.Run(0, c.seeds[0], c.batchSeeds[0], 10, NU * 2 / c.lambda0[0], false, "P1-D");
            return TrainConfig.builder(c.problem, PartC.optimizer(N, 10, r.eta()), PartC.sampler(N, 10, r.batchSeed()))
                    .steps(t).seed(r.netSeed()).evalEvery(1).testEvery(0).spikeKappa(2)
                    .diagnostic(Scheduled.every(new Ntk(new Ntk.Config(10, SPLIT_D, 0, CatapultSetup.LANCZOS)), 1))
                    .build();
        }

        /**
         * Trains P1-D. Full variant: 250 steps. Quick: 100 steps when the first 100 steps of the same trajectory
         * ({@code p1cLoss}, the P1-C run with b = 10 and net seed 0) hold at least 5 local peaks, else 250 (§4.4).
         */
        Object execute(StudyContext ctx, double[] p1cLoss) {
            long t = 250;
            if (quick) {
                double[] first = java.util.Arrays.copyOf(p1cLoss, Math.min(p1cLoss.length, 101));
                peaksShort = SpikeShares.localPeaks(first).length;
                t = peaksShort >= 5 ? 100 : 250;
                reference = p1cLoss;
            }
            MetricsLog l = ctx.train("P1-D", config(t));
            log = l;
            steps = t;
            return l;
        }

        void analyse(StudyResult res) {
            double[] loss = log.column("train_loss");
            CatapultSetup.NtkSeries ns = CatapultSetup.NtkSeries.of(log, SPLIT_D);
            int[] peaks = SpikeShares.localPeaks(loss);
            List<SpikeShares.Point> p1 = ns.points(1);
            List<SpikeShares.Point> p10 = ns.points(10);
            double[] psi1 = new double[peaks.length];
            double[] phi1 = new double[peaks.length];
            double[] psi10 = new double[peaks.length];
            double[] phi10 = new double[peaks.length];
            for (int i = 0; i < peaks.length; i++) {
                psi1[i] = SpikeShares.psi(p1, peaks[i], SpikeShares.WINDOW);
                phi1[i] = SpikeShares.phi(p1, peaks[i]);
                psi10[i] = SpikeShares.psi(p10, peaks[i], SpikeShares.WINDOW);
                phi10[i] = SpikeShares.phi(p10, peaks[i]);
            }
            double[] all1 = SpikeShares.phiSeries(p1);
            double[] all10 = SpikeShares.phiSeries(p10);
            double eta = NU * 2 / c.lambda0[0];
            double[] ratio = new double[ns.lambda1().length];
            double rmin = Double.POSITIVE_INFINITY;
            double rmax = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < ratio.length; i++) {
                ratio[i] = eta * ns.lambda1()[i] / 2;
                rmin = Math.min(rmin, ratio[i]);
                rmax = Math.max(rmax, ratio[i]);
            }
            double medPsi1 = peaks.length == 0 ? Double.NaN : CatapultStats.median(psi1);
            double medPhi1 = peaks.length == 0 ? Double.NaN : CatapultStats.median(phi1);
            double medAll1 = CatapultStats.median(all1);
            double medPsi10 = peaks.length == 0 ? Double.NaN : CatapultStats.median(psi10);
            double medPhi10 = peaks.length == 0 ? Double.NaN : CatapultStats.median(phi10);
            double medAll10 = CatapultStats.median(all10);
            String scope = String.format(Locale.ROOT, "%d steps%s", steps, quick ? (peaksShort >= 5
                    ? " (quick: the first 100 steps; " + peaksShort + " >= 5 peaks)"
                    : " (quick: extended to 250 steps, only " + peaksShort + " peaks in the first 100)") : "");
            Map<String, Object> m1 = new LinkedHashMap<>();
            m1.put("steps", steps);
            m1.put("peaks", peaks.length);
            m1.put("peak_steps", java.util.Arrays.stream(peaks).boxed().toList());
            m1.put("median_psi1", r4(medPsi1));
            m1.put("psi1_per_peak", r4(psi1));
            res.gate("CD1", "SGD spikes live in the top eigenspace of the full kernel: the spike's excess loss is carried"
                    + " by the top eigendirection", peaks.length > 0 && medPsi1 >= 0.9, m1,
                    "median over local peaks of psi_1 >= 0.9 (" + scope + ")");
            Map<String, Object> m2 = new LinkedHashMap<>();
            m2.put("median_phi1_peaks", r4(medPhi1));
            m2.put("median_phi1_all_steps", r4(medAll1));
            m2.put("ratio", r4(medPhi1 / medAll1));
            m2.put("phi1_per_peak", r4(phi1));
            res.gate("CD2", "at spike peaks the loss is concentrated in the top eigendirection far more than usual",
                    peaks.length > 0 && medPhi1 >= 2 * medAll1, m2,
                    "median phi_1 over peaks >= 2 * median phi_1 over all steps (" + scope + ")");
            Map<String, Object> m3 = new LinkedHashMap<>();
            m3.put("median_psi10", r4(medPsi10));
            m3.put("median_phi10_peaks", r4(medPhi10));
            m3.put("median_phi10_all_steps", r4(medAll10));
            if (reference != null) {
                int nn = Math.min(reference.length, loss.length);
                m3.put("same_trajectory_as_p1c_b10", java.util.Arrays.equals(java.util.Arrays.copyOf(reference, nn),
                        java.util.Arrays.copyOf(loss, nn)));
            }
            m3.put("eta_lambda1_over2_min", r4(rmin));
            m3.put("eta_lambda1_over2_max", r4(rmax));
            res.report("CD3", "the same with s = 10; the full-batch kernel stays below the GD threshold (spikes are"
                    + " batch-driven)", null, m3, "report s = 10 shares and the range of eta lambda_1(K-bar)/2 (reference:"
                    + " 0.626 vs 0.233; 0.65-0.70)");
            report(res, loss, ns, peaks, all1, phi1, psi1, ratio, medPsi1, medPhi1, medAll1, medPsi10, medPhi10, medAll10,
                    rmin, rmax, scope);
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("id", "P1-D");
            run.put("experiment", "P1-D");
            run.put("settings", String.format(Locale.ROOT, "SGD, b = 10, eta = %s = 0.7 eta_crit, %d steps, K-bar on 500"
                    + " points every step, net seed %d, batch seed %d", f(eta), steps, c.seeds[0], c.batchSeeds[0]));
            run.put("status", log.result().status().id());
            run.put("steps", log.result().steps());
            run.put("train_loss", r4(loss[loss.length - 1]));
            run.put("spikes", CatapultSetup.spikes(log).size());
            run.put("finals", peaks.length + " local peaks, median psi_1 " + f(medPsi1) + ", median phi_1 " + f(medPhi1)
                    + " vs " + f(medAll1));
            res.run(run);
        }

        private void report(StudyResult res, double[] loss, CatapultSetup.NtkSeries ns, int[] peaks, double[] all1,
                double[] phi1, double[] psi1, double[] ratio, double medPsi1, double medPhi1, double medAll1,
                double medPsi10, double medPhi10, double medAll10, double rmin, double rmax, String scope) {
            res.section("P1-D: SGD spikes live in the top eigenspace of the full kernel");
            res.text("Paper's claim: SGD loss spikes occur in the top eigenspace of the tangent kernel. Setup (§4.2): the"
                    + " P1-C run with b = 10 and net seed " + c.seeds[0] + ", " + scope + "; at every step K-bar(theta_t) on"
                    + " all 500 training points (closed form of the two-layer network, Lanczos top-10) and L_top,s for"
                    + " s in {1, 10}; local peaks of the full training loss by the rule of Q12; psi_1 (W = 20) per peak and"
                    + " phi_1 at peaks and at all steps (Q10.3).");
            res.table(List.of("quantity", "ours", "reference (NumPy prototype, 250 steps)"), List.of(
                    List.of("local peaks", peaks.length, "17"),
                    List.of("median psi_1 over peaks", f(medPsi1), "0.997"),
                    List.of("median phi_1: peaks vs all steps", f(medPhi1) + " vs " + f(medAll1), "0.585 vs 0.125"),
                    List.of("s = 10: median phi_10 peaks vs all steps (median psi_10)", f(medPhi10) + " vs " + f(medAll10)
                            + " (" + f(medPsi10) + ")", "0.626 vs 0.233"),
                    List.of("eta lambda_1(K-bar)/2 over the run", f(rmin) + " - " + f(rmax), "0.65 - 0.70")));
            double[] x = new double[loss.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;
            }
            double[] px = new double[peaks.length];
            double[] py = new double[peaks.length];
            for (int i = 0; i < peaks.length; i++) {
                px[i] = peaks[i];
                py[i] = loss[peaks[i]];
            }
            Plot pl = Plot.builder().title("full training loss").xLabel("step").yLabel("loss").yLog()
                    .add(Series.line("L", x, loss).withColor(Palette.BLACK))
                    .add(Series.line("L_top,1", ns.stepsAsDouble(), ns.top().get(1)).withColor(Palette.VERMILLION))
                    .add(Series.markers("local peaks", px, py).withColor(Palette.BLUE)).build();
            Plot pp = Plot.builder().title("top-1 fraction phi_1 = L_top,1 / L").xLabel("step").yLabel("phi_1")
                    .add(Series.line("all steps", ns.stepsAsDouble(), all1).withColor(Palette.SKY))
                    .add(Series.markers("at peaks", px, phi1).withColor(Palette.VERMILLION))
                    .refLine(medAll1, "median, all steps", Palette.SKY)
                    .refLine(medPhi1, "median, peaks", Palette.VERMILLION).build();
            Plot pr = Plot.builder().title("eta lambda_1(K-bar)/2").xLabel("step").yLabel("ratio")
                    .add(Series.line("eta lambda_1/2", ns.stepsAsDouble(), ratio)).refLine(1, "GD threshold").build();
            res.figure(Figure.stacked("p1d_phi", List.of(pl, pp, pr)).withTitle("P1-D: phi_1 at loss peaks vs all steps (b"
                    + " = 10)").withCaption(String.format(Locale.ROOT, "Top: full training loss and its part in the top"
                            + " kernel eigendirection, local peaks marked. Middle: phi_1 at every step (line) and at the %d"
                            + " peaks (markers) with their medians %s (all steps) and %s (peaks): CD2 needs peaks >= 2x all"
                            + " steps. Median psi_1 over peaks = %s (CD1 needs >= 0.9). Bottom: eta lambda_1(K-bar)/2 stays in"
                            + " %s - %s, below the GD threshold 1: the spikes are driven by the batches.", peaks.length,
                            f(medAll1), f(medPhi1), f(medPsi1), f(rmin), f(rmax))));
        }
    }
}
