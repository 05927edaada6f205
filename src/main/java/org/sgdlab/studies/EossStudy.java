package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.BatchSharpness;
import org.sgdlab.diagnostics.Gni;
import org.sgdlab.diagnostics.MiniBatchSharpness;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.diagnostics.StaticProbe;
import org.sgdlab.experiment.Checkpoint;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunListener;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.report.Verdict;
import org.sgdlab.tensor.Tensor;

/**
 * {@code eoss}: SGD at the edge of stochastic stability (STUDIES.md §2; Andreyev &amp; Beneventano, arXiv
 * 2412.20553). Batch sharpness {@code BS = E_B[g_B^T H_B g_B / ||g_B||^2]} (QUANTITIES.md Q7.2) is claimed to
 * stabilise at 2/eta while lambda_max (Q6) is suppressed below it, more so for smaller batches; MiniBS
 * {@code E_B[lambda_max(H_B)]} (Q7.3) exceeds both.
 *
 * <p>Full variant: the twelve short runs of §2.1 (full loss after every step, lambda_max and BS with M = 64
 * every 100 or 500 steps, the adaptive BS cross-check every 10th measurement, MiniBS every 2000 steps and at
 * the end with b &lt;= 8 and at the end of every short run for B12, GNI and the one-step loss change every 500
 * steps), the five long runs (2e5 steps, 20 % label noise, every 4000 steps, M = 128 and MiniBS at the end), the
 * B10 edge-test forks, the B13 momentum runs; criteria B1-B14 with the retry rule of B7-B9. Quick variant
 * (§2.3): the four gated short runs measured every 300 steps from step 600, MiniBS at the end of R-0.4-8, the
 * b = n identities of B5 on a 100-example subset and L-0.3-8 measured every 8000 steps; criteria B1-B5, B7.
 * The data of {@code --data} and the kinds of the criteria per data set follow §8 ({@link EossSetup}).
 */
public final class EossStudy implements Study {

    /** Name of the adaptive batch-sharpness cross-check (§2.1). */
    static final String ADAPTIVE = "batch_sharpness_adaptive";
    /** Fork step of the B10 edge test in R-0.4-64n. */
    static final long FORK_STEP = 4000;
    /** Steps of each B10 fork. */
    static final long FORK_STEPS = 1000;
    /** MiniBS cadence in the short runs with b <= 8 (§2.1). */
    static final long MINI_EVERY = 2000;
    /** Runs whose full loss exceeds this end as diverged (the initial loss is about 0.5). */
    static final double DIVERGENCE_LOSS = 1e3;
    /**
     * Whether the quick variant includes L-0.3-8 and B7 (§2.3: they move to the full variant when the quick
     * runtime exceeds the budget; the decision and its measurement are recorded in the report).
     */
    static final boolean QUICK_LONG = true;

    @Override
    public String name() {
        return "eoss";
    }

    @Override
    public boolean usesData() {
        return true;
    }

    @Override
    public String paper() {
        return "Andreyev & Beneventano, arXiv 2412.20553";
    }

    @Override
    public String claim() {
        return "SGD trains where batch sharpness E_B[g_B^T H_B g_B/||g_B||^2] sits at 2/eta while lambda_max is "
                + "suppressed below it, the more so the smaller the batch; MiniBS exceeds both";
    }

    @Override
    public String quickRuntime() {
        return "~38 s";
    }

    /**
     * Measured (base seed 0, digits, jobs = 2) on the quiet 2-core machine on 2026-11-22: 907 s of study wall time,
     * 1737 s CPU (the five 2e5-step long runs 74-104 s each, the 30000-step runs 201 and 219 s). Under a
     * load of 3-8 the same variant took 2326 s.
     */
    @Override
    public String fullRuntime() {
        return "~11 min";
    }

    /**
     * What a variant runs: the short, long and momentum runs, the B10 fork step and length, and the MiniBS
     * cadence of short runs with b <= 8 (full variant).
     */
    record Plan(boolean quick, List<EossSetup.RunSpec> shorts, List<EossSetup.RunSpec> longs,
                List<EossSetup.RunSpec> moms, long forkStep, long forkSteps, long miniEvery) {
    }

    /** The plan of the variant of {@code ctx} on the data of {@code setup} (§2.1, §2.3, §8.2). */
    static Plan plan(boolean quick, EossSetup setup) {
        if (quick) {
            return new Plan(true, EossSetup.quickShortRuns(),
                    QUICK_LONG ? List.of(EossSetup.quickLongRun()) : List.of(), List.of(), FORK_STEP, FORK_STEPS,
                    MINI_EVERY);
        }
        List<EossSetup.RunSpec> shorts = EossSetup.shortRuns();
        List<EossSetup.RunSpec> moms = EossSetup.momentumRuns();
        if (setup.data.equals("fashion-mnist")) {
            // §8.2: sharpness may be measured half as often to keep the full variant under 30 minutes
            shorts = halfAsOften(shorts);
            moms = halfAsOften(moms);
        }
        return new Plan(false, shorts, EossSetup.longRuns(), moms, FORK_STEP, FORK_STEPS, MINI_EVERY);
    }

    @Override
    public StudyResult run(StudyContext ctx) {
        EossSetup setup = EossSetup.create(ctx, ctx.pick(0, "eoss", "run"));
        return run(ctx, setup, plan(ctx.quick(), setup));
    }

    /** Runs a plan: the independent runs in parallel, the B10 forks, the B7-B9 retries, verdicts and report. */
    StudyResult run(StudyContext ctx, EossSetup setup, Plan plan) {
        long seed0 = ctx.pick(0, "eoss", "run");
        long seed1 = ctx.pick(1, "eoss", "run");
        ctx.log(String.format(Locale.ROOT, "eoss: data %s, eta scale %.4g, %d short, %d long, %d momentum runs",
                setup.data, setup.etaScale, plan.shorts().size(), plan.longs().size(), plan.moms().size()));

        // 1. the independent runs, longest first so that the workers stay busy
        List<EossSetup.RunSpec> all = new ArrayList<>(plan.longs());
        List<EossSetup.RunSpec> rest = new ArrayList<>(plan.shorts());
        rest.addAll(plan.moms());
        rest.sort((a, b) -> Double.compare(cost(b), cost(a)));
        all.addAll(rest);
        List<Callable<EossRun>> tasks = new ArrayList<>();
        for (EossSetup.RunSpec s : all) {
            tasks.add(() -> train(ctx, setup, plan, s, seed0));
        }
        Map<String, EossRun> runs = new LinkedHashMap<>();
        for (EossRun r : ctx.parallel(tasks)) {
            runs.put(r.id(), r);
        }

        // 2. B10 edge-test forks from R-0.4-64n (full variant)
        List<EossRun> forks = new ArrayList<>();
        EossRun source = runs.get(FORK_SOURCE);
        if (!plan.quick() && source != null && source.fork != null) {
            forks = forks(ctx, setup, plan, source);
        }

        // 3. retries of B7-B9 with seed 1 where the default seed fails
        Map<String, EossRun> retries = retries(ctx, setup, plan, runs, seed1);

        // 4. verdicts and report
        StudyResult res = new StudyResult(name());
        EossVerdicts v = new EossVerdicts(setup, res, runs, retries, forks, plan);
        v.all(identities(setup, runs.get("R-0.4-8"), plan.quick(), seed0));
        EossReport.write(res, setup, runs, retries, forks, plan, v);
        return res;
    }

    /** The source run of the B10 forks. */
    static final String FORK_SOURCE = "R-0.4-64n";

    private static List<EossSetup.RunSpec> halfAsOften(List<EossSetup.RunSpec> specs) {
        List<EossSetup.RunSpec> out = new ArrayList<>();
        for (EossSetup.RunSpec s : specs) {
            out.add(s.withCadence(2 * s.every(), s.start(), s.evalEvery()));
        }
        return out;
    }

    /** Rough relative cost of a run (steps times the per-step cost and the measurements), for ordering. */
    private static double cost(EossSetup.RunSpec s) {
        double perStep = s.evalEvery() == 1 ? 1.5 : 0.1 + s.b() * 0.005;
        return s.steps() * perStep + (s.steps() / (double) s.every()) * 300;
    }

    /** Trains one run of the table with its measurements (§2.1) and keeps what the criteria need. */
    static EossRun train(StudyContext ctx, EossSetup setup, Plan plan, EossSetup.RunSpec s, long seed) {
        Problem p = setup.problem(s);
        int n = p.train().size();
        double eta = setup.eta(s);
        Optimizer<? extends OptimizerState> opt = s.kind() == EossSetup.Kind.MOMENTUM
                ? Optimizers.heavyBall(Schedules.constant(eta), s.beta()) : Optimizers.sgd(Schedules.constant(eta));
        BatchSampler sampler = Samplers.create(Samplers.EPOCH_SHUFFLE, n, s.b(), seed);
        TrainConfig.Builder b = TrainConfig.builder(p, opt, sampler).steps(s.steps()).seed(seed)
                .evalEvery(s.evalEvery()).testEvery(0).spikeKappa(0).divergenceLoss(DIVERGENCE_LOSS);
        for (Scheduled d : diagnostics(s, plan, opt, sampler)) {
            b.diagnostic(d);
        }
        boolean forkSource = !plan.quick() && s.id().equals(FORK_SOURCE) && plan.forkStep() < s.steps();
        if (forkSource) {
            b.checkpointEvery(plan.forkStep());
        }
        Checkpoint[] captured = new Checkpoint[1];
        RunListener capture = new RunListener() {
            @Override
            public void checkpoint(Checkpoint c) {
                if (c.step() == plan.forkStep()) {
                    captured[0] = c;
                }
            }
        };
        MetricsLog log = ctx.train(s.id(), b.build(), forkSource ? capture : null);
        EossRun r = new EossRun(s, eta, opt.threshold(0), seed, log, log.wallSeconds());
        r.fork = captured[0];
        return r;
    }

    /** The scheduled measurements of a run (§2.1, §2.3). */
    private static List<Scheduled> diagnostics(EossSetup.RunSpec s, Plan plan,
                                               Optimizer<? extends OptimizerState> opt, BatchSampler sampler) {
        long T = s.steps();
        boolean quick = plan.quick();
        List<Scheduled> d = new ArrayList<>();
        d.add(new Scheduled(new Sharpness(Sharpness.Config.DEFAULT), s.every(), s.start(), null, true, false));
        long[] mini;
        boolean miniAtEnd;
        int mEnd = 64;
        switch (s.kind()) {
            case SHORT -> {
                if (quick) {
                    mini = new long[0];
                    miniAtEnd = s.id().equals("R-0.4-8");
                } else {
                    mini = s.b() <= 8 ? range(plan.miniEvery(), T, plan.miniEvery()) : new long[0];
                    miniAtEnd = true; // b <= 8: §2.1; b > 8: for the B12 gap fit
                }
            }
            case LONG -> {
                mini = new long[0];
                miniAtEnd = true;
                mEnd = 128;
            }
            default -> {
                mini = new long[0];
                miniAtEnd = false;
            }
        }
        EossDiagnostics.Bs bs = new EossDiagnostics.Bs(64, mini, T, mEnd, miniAtEnd);
        d.add(new Scheduled(bs, s.every(), s.start(), null, true, false));
        if (!quick && (s.kind() == EossSetup.Kind.SHORT || s.kind() == EossSetup.Kind.LONG)) {
            d.add(new Scheduled(new EossDiagnostics.Renamed<>(ADAPTIVE, new BatchSharpness(BatchSharpness.Config.DEFAULT)),
                    10L * s.every(), s.start(), null, false, false));
        }
        if (!quick && s.kind() == EossSetup.Kind.SHORT) {
            // every 500 steps (§2.1); 1000 when lambda_max is measured half as often (Fashion-MNIST, §8.2), so that
            // B11 finds lambda_max at every GNI checkpoint
            long gniEvery = 500 % s.every() == 0 ? 500 : 1000;
            d.add(new Scheduled(new Gni(Gni.Config.DEFAULT.withRule(20, 100, 0.01)), gniEvery, 0, null, true, false));
            d.add(new Scheduled(new EossDiagnostics.OneStep(64), gniEvery, 0, null, true, false));
        }
        if (quick && s.kind() == EossSetup.Kind.SHORT && s.evalEvery() > 1) {
            d.add(new Scheduled(new EossDiagnostics.CapLookahead(bs, opt, sampler, T,
                    (long) Math.ceil(EossCriteria.WARM * T), EossCriteria.CAP, EossCriteria.HORIZON),
                    s.every(), s.start(), null, true, false));
        }
        if (s.kind() == EossSetup.Kind.MOMENTUM) {
            d.add(new Scheduled(new EossDiagnostics.MomentumQuotient(64), s.every(), s.start(), null, true, false));
        }
        return d;
    }

    private static long[] range(long from, long to, long step) {
        List<Long> out = new ArrayList<>();
        for (long t = from; t <= to; t += step) {
            out.add(t);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * B10: from theta_4000 of R-0.4-64n, 1000 steps each of (i) the same (eta, b), (ii) b = 16, (iii) 1.25 eta;
     * SGD has no state to copy, and the forks see the source's batches of steps 4000.. (shifted sampler with the
     * source's seed; b = 16 slices the same permutations differently). Full loss after every step; lambda_max
     * and BS (at the fork's b) every 100 steps; GNI at the checkpoint.
     */
    private List<EossRun> forks(StudyContext ctx, EossSetup setup, Plan plan, EossRun source) {
        EossSetup.RunSpec src = source.spec;
        List<EossSetup.RunSpec> specs = List.of(
                fork("F-same", src.eta(), src.b(), src, plan),
                fork("F-b16", src.eta(), 16, src, plan),
                fork("F-eta1.25", 1.25 * src.eta(), src.b(), src, plan));
        Checkpoint ck = source.fork;
        List<Callable<EossRun>> tasks = new ArrayList<>();
        for (EossSetup.RunSpec f : specs) {
            tasks.add(() -> {
                Problem p = setup.problem(f);
                double eta = setup.eta(f);
                Optimizer<? extends OptimizerState> opt = Optimizers.sgd(Schedules.constant(eta));
                BatchSampler sampler = new Shifted(Samplers.create(Samplers.EPOCH_SHUFFLE, p.train().size(), f.b(),
                        source.seed), plan.forkStep());
                TrainConfig.Builder b = TrainConfig.builder(p, opt, sampler).steps(f.steps()).seed(source.seed)
                        .theta0(ck.theta()).evalEvery(1).testEvery(0).spikeKappa(0).divergenceLoss(DIVERGENCE_LOSS);
                b.diagnostic(new Scheduled(new Sharpness(Sharpness.Config.DEFAULT), f.every(), 0, null, true, false));
                b.diagnostic(new Scheduled(new EossDiagnostics.Bs(64, new long[0], f.steps(), 64, false), f.every(), 0,
                        null, true, false));
                b.diagnostic(new Scheduled(new Gni(Gni.Config.DEFAULT.withRule(20, 100, 0.01)), 0, 0, new long[] {0},
                        false, false));
                MetricsLog log = ctx.train(f.id(), b.build());
                return new EossRun(f, eta, opt.threshold(0), source.seed, log, log.wallSeconds());
            });
        }
        return ctx.parallel(tasks);
    }

    private static EossSetup.RunSpec fork(String id, double eta, int b, EossSetup.RunSpec src, Plan plan) {
        return new EossSetup.RunSpec(id, eta, b, src.noise(), src.initScale(), plan.forkSteps(),
                (int) Math.min(100, plan.forkSteps()), 0, 1, false,
                "B10 fork of " + src.id() + " at step " + plan.forkStep(), EossSetup.Kind.FORK, 0);
    }

    /** The batches of {@code inner} from step {@code offset} on: batch(t) = inner.batch(t + offset). */
    record Shifted(BatchSampler inner, long offset) implements BatchSampler {
        @Override
        public String name() {
            return inner.name();
        }

        @Override
        public int size() {
            return inner.size();
        }

        @Override
        public int batchSize() {
            return inner.batchSize();
        }

        @Override
        public long stepsPerEpoch() {
            return inner.stepsPerEpoch();
        }

        @Override
        public int[] batch(long step) {
            return inner.batch(step + offset);
        }
    }

    /**
     * The retry rule of B7-B9 (§2.2): a long run whose criterion fails with the default seed is repeated once
     * with seed 1 (B9 repeats both of its runs). Returns the retries by base id.
     */
    private Map<String, EossRun> retries(StudyContext ctx, EossSetup setup, Plan plan, Map<String, EossRun> runs,
                                         long seed1) {
        List<String> need = new ArrayList<>();
        EossRun l3 = runs.get("L-0.3-8");
        if (l3 != null && !EossVerdicts.b7(l3).pass()) {
            need.add("L-0.3-8");
        }
        if (!plan.quick()) {
            EossRun l2 = runs.get("L-0.2-8");
            EossRun l32 = runs.get("L-0.2-32");
            if (l2 != null && !EossVerdicts.b8(l2).pass()) {
                need.add("L-0.2-8");
            }
            if (l2 != null && l32 != null && !EossVerdicts.b9(l2, l32).pass()) {
                if (!need.contains("L-0.2-8")) {
                    need.add("L-0.2-8");
                }
                need.add("L-0.2-32");
            }
        }
        Map<String, EossRun> out = new LinkedHashMap<>();
        if (need.isEmpty()) {
            return out;
        }
        ctx.log("eoss: retrying with seed 1 (retry rule of B7-B9): " + need);
        List<Callable<EossRun>> tasks = new ArrayList<>();
        for (String id : need) {
            EossSetup.RunSpec s = runs.get(id).spec.withId(id + "-seed1");
            tasks.add(() -> train(ctx, setup, plan, s, seed1));
        }
        List<EossRun> done = ctx.parallel(tasks);
        for (int i = 0; i < need.size(); i++) {
            out.put(need.get(i), done.get(i));
        }
        return out;
    }

    /**
     * The b = n identities of B5: on a subset D of n examples (quick: the first 100 training examples; full: all
     * 1000) at theta_0 and at the final theta of R-0.4-8, batch sharpness with b = n equals g^T H g/||g||^2 and
     * MiniBS with b = n equals lambda_max(H).
     */
    static List<Identity> identities(EossSetup setup, EossRun r048, boolean quick, long seed) {
        Dataset full = setup.train(0);
        Dataset d = quick ? full.first(100) : full;
        Problem p = EossSetup.problem(setup.model(1.0), d);
        List<Identity> out = new ArrayList<>();
        out.add(identity("theta_0", p, p.model().init(org.sgdlab.tensor.Rng.stream(seed, org.sgdlab.tensor.Rng.INIT))));
        if (r048 != null && r048.finalTheta != null && !r048.diverged()) {
            out.add(identity("theta_end(R-0.4-8)", p, r048.finalTheta));
        }
        return out;
    }

    /** One check of the b = n identities. */
    record Identity(String at, int n, double bs, double direct, double bsRelErr, double miniBs, double lambdaMax,
                    double miniRelErr, double bsSe) {
        boolean pass() {
            return bsRelErr <= 1e-10 && miniRelErr <= 1e-6;
        }
    }

    static Identity identity(String at, Problem p, Tensor theta) {
        int n = p.train().size();
        StaticProbe probe = StaticProbe.of(p, theta).withLr(0.2).withBatchSize(n);
        BatchSharpness.Result r = new BatchSharpness(BatchSharpness.Config.DEFAULT.withDraws(16)
                .withMiniBs(MiniBatchSharpness.Config.SIMULTANEOUS)).measure(probe);
        Tensor g = p.valueAndGrad(theta, p.train()).grad();
        double direct = g.dotValue(p.hvp(theta, p.train(), g)) / g.dotValue(g);
        double lam = new Sharpness(Sharpness.Config.DEFAULT).measure(probe).sharpness();
        return new Identity(at, n, r.batchSharpness(), direct, EossCriteria.relErr(r.batchSharpness(), direct),
                r.miniBs(), lam, EossCriteria.relErr(r.miniBs(), lam), r.batchSharpnessSe());
    }

    /** Formats a number for the report (4 significant digits). */
    static String f(double x) {
        if (!Double.isFinite(x)) {
            return String.valueOf(x);
        }
        return String.format(Locale.ROOT, "%.4g", x);
    }

    /** A double rounded to 4 significant digits (for summary.json). */
    static double r4(double x) {
        if (!Double.isFinite(x) || x == 0) {
            return x;
        }
        return new java.math.BigDecimal(x).round(new java.math.MathContext(4)).doubleValue();
    }

    static List<Double> r4(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double x : v) {
            out.add(r4(x));
        }
        return out;
    }

    static double[] ratios(double[] v, double threshold) {
        return Arrays.stream(v).map(x -> x / threshold).toArray();
    }
}
