package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Samplers;
import org.sgdlab.data.Synthetic;
import org.sgdlab.diagnostics.DlnSymmetry;
import org.sgdlab.diagnostics.JacobianRank;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.nn.DiagonalLinearNet;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedule;
import org.sgdlab.optim.Schedules;
import org.sgdlab.report.Figure;
import org.sgdlab.report.Palette;
import org.sgdlab.report.Plot;
import org.sgdlab.report.Series;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The diagonal-linear-network experiments of the sparse-features study: SF1 (sparse recovery against nu), SF2
 * (duration of the large step), SF3 (loss stabilisation, from the SF1 runs) and SF8 (GD vs SGD), STUDIES.md
 * §7.1-§7.3, §7.8.
 *
 * <p>Common DLN setup (authors' code {@code diag_nets.py}): X ~ N(0, I_d) (n x d), X_test 1000 x d, theta* =
 * |N(0, 1)| on the first r coordinates normalised to norm 1 ({@link Synthetic#sparseRegression}); prediction
 * X(u ⊙ v) ({@link DiagonalLinearNet#product}, init u_0 = 0.1 1, v_0 = 0); loss ||X(u ⊙ v) - y||^2/(2n)
 * (c = 1/2, Q2.2) for train and test; SGD with batch 1 {@code iid-with-replacement}; {@code step-decay-after}
 * (Q3.5); ||beta||_0 = #{j : |u_j v_j| &gt; 1e-3} and balancedness || |u| - |v| ||_2 ({@link DlnSymmetry}, Q16.3).
 * Seed s draws the data (its {@code data} stream), the batches ({@code batches}) and its own eta_crit bisection
 * ({@code bisection} stream, Q17). A run diverges as a Q17 probe does (non-finite, max |theta_j| &gt; 1e6, or the
 * train loss, logged every 100 steps, above 10).
 */
final class SparseFeaturesDln {

    static final int N_TEST = 1000;
    static final double TAU = 1e-3;
    static final int EVAL_EVERY = 100;

    private SparseFeaturesDln() {
    }

    /** One seed of a DLN experiment: index (the calibrated literal), run seed, data, problem and theta_0. */
    record Seed(int index, long seed, Synthetic.Task task, Problem problem, Tensor theta0) {
        int n() {
            return problem.train().size();
        }

        int d() {
            return ((DiagonalLinearNet) problem.model()).dim();
        }
    }

    /** The seed {@code index} of experiment {@code exp} with data (n, d, r). */
    static Seed seed(StudyContext ctx, String exp, int index, int n, int d, int r) {
        long seed = ctx.pick(index, exp, "seed");
        Synthetic.Task task = Synthetic.sparseRegression(n, N_TEST, d, r, Rng.stream(seed, Rng.DATA));
        DiagonalLinearNet model = DiagonalLinearNet.product(d);
        Problem problem = new Problem(model, Losses.squared(MseConvention.HALF), task.train(), task.test());
        return new Seed(index, seed, task, problem, model.init(Rng.stream(seed, Rng.INIT)));
    }

    /** Q17 for SGD (batch 1, iid-with-replacement) or GD with probes of K steps, and check probes. */
    static SparseFeaturesBisection.Outcome bisect(Seed s, boolean gd, long k, double... checks) {
        SparseFeaturesBisection.Setup setup = new SparseFeaturesBisection.Setup(s.problem(), gd ? "gd" : "sgd",
                gd ? Samplers.FULL_BATCH : Samplers.IID_WITH_REPLACEMENT, gd ? s.n() : 1, s.seed(), s.theta0(), k);
        return SparseFeaturesBisection.run(setup, checks);
    }

    /** A training run of N steps: SGD (batch 1, {@code batches} stream) or GD, final ||beta||_0, balancedness. */
    static SparseFeaturesRun train(StudyContext ctx, String exp, Seed s, String label, boolean gd, Schedule schedule,
            double etaCrit, long steps, boolean keepCurve) {
        String id = exp + "-s" + s.index() + "-" + label;
        BatchSampler sampler = gd ? Samplers.create(Samplers.FULL_BATCH, s.n(), s.n(), s.seed())
                : Samplers.create(Samplers.IID_WITH_REPLACEMENT, s.n(), 1, s.seed());
        TrainConfig c = TrainConfig.builder(s.problem(), gd ? Optimizers.gd(schedule) : Optimizers.sgd(schedule), sampler)
                .steps(steps).seed(s.seed()).theta0(s.theta0()).evalEvery(EVAL_EVERY).logEvery(EVAL_EVERY)
                .testEvery((int) steps)
                .divergenceLoss(SparseFeaturesBisection.LOSS_BOUND).divergenceParam(SparseFeaturesBisection.PARAM_BOUND)
                .spikeKappa(0)
                .diagnostic(atEnd(new DlnSymmetry(new DlnSymmetry.Config("u", "v", TAU))))
                .diagnostic(atEnd(new JacobianRank(new JacobianRank.Config("test", 2 * s.d(), Double.NaN, TAU))))
                .build();
        MetricsLog log = ctx.train(id, c);
        Map<String, Double> fin = new LinkedHashMap<>();
        List<MetricsLog.Measurement> dm = log.measurements(DlnSymmetry.NAME);
        if (!dm.isEmpty()) {
            DlnSymmetry.Result r = (DlnSymmetry.Result) dm.get(dm.size() - 1).result();
            fin.put("l0", (double) r.nnz());
            fin.put("balancedness", r.balancedness());
            fin.put("l1", r.l1());
        }
        List<MetricsLog.Measurement> jm = log.measurements(JacobianRank.NAME);
        if (!jm.isEmpty()) {
            fin.put("jacobian_rank", (double) ((JacobianRank.Result) jm.get(jm.size() - 1).result()).rank());
        }
        double eta = schedule.lr(0);
        return SparseFeaturesRun.of(id, exp, s.index(), s.seed(), label, eta, gd ? Double.NaN : eta / etaCrit, log, fin,
                "l0", keepCurve);
    }

    static Scheduled atEnd(org.sgdlab.diagnostics.Diagnostic<?> d) {
        return new Scheduled(d, 0, 0, null, true, false);
    }


    static List<Double> list(double[] v) {
        List<Double> l = new ArrayList<>();
        for (double x : v) {
            l.add(x);
        }
        return l;
    }

    static List<Boolean> list(boolean[] v) {
        List<Boolean> l = new ArrayList<>();
        for (boolean x : v) {
            l.add(x);
        }
        return l;
    }

    static double[] seq(int k) {
        double[] x = new double[k];
        for (int i = 0; i < k; i++) {
            x[i] = i;
        }
        return x;
    }

    // ================================================================== SF1 + SF3

    static final double[] SF1_NUS = {0.1, 0.5, 0.8, 0.9};
    static final double SF1_GF_ETA = 0.03;

    /** SF1's runs of one seed: GF, then SGD at each nu of {@link #SF1_NUS}. */
    record Sf1Seed(Seed seed, SparseFeaturesBisection.Outcome bisection, SparseFeaturesRun gf, SparseFeaturesRun[] sgd) {
        SparseFeaturesRun nu(double nu) {
            for (int i = 0; i < SF1_NUS.length; i++) {
                if (SF1_NUS[i] == nu) {
                    return sgd[i];
                }
            }
            throw new IllegalArgumentException("SF1: no run at nu = " + nu);
        }
    }

    /** SF1 (§7.1): n = 20, d = 30, r = 3, N = 1e4 + 1, K = 2000; returns the per-seed runs for SF3. */
    static List<Sf1Seed> sf1(StudyContext ctx, StudyResult out, Map<String, Object> etaCrits) {
        int seeds = ctx.seedCount(8);
        long n = 10_001;
        List<Seed> ss = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            Seed s = seed(ctx, "SF1", i, 20, 30, 3);
            ss.add(s);
        }
        List<SparseFeaturesBisection.Outcome> bo = SparseFeaturesBisection.perSeed(ctx, ss,
                s -> bisect(s, false, 2000, 0.8));
        List<Callable<SparseFeaturesRun>> jobs = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            Seed s = ss.get(i);
            double ec = bo.get(i).etaCrit();
            ctx.log(String.format(Locale.ROOT, "  SF1 seed %d: %s", i, bo.get(i)));
            jobs.add(() -> train(ctx, "SF1", s, "gf", true, Schedules.constant(SF1_GF_ETA), ec, n, true));
            for (double nu : SF1_NUS) {
                jobs.add(() -> train(ctx, "SF1", s, "nu" + nu, false, Schedules.stepDecayAfter(nu * ec, n / 2, 3), ec, n,
                        true));
            }
        }
        List<SparseFeaturesRun> runs = ctx.parallel(jobs);
        List<Sf1Seed> res = new ArrayList<>();
        int per = 1 + SF1_NUS.length;
        Map<String, Object> ecMap = new LinkedHashMap<>();
        for (int i = 0; i < seeds; i++) {
            SparseFeaturesRun[] sgd = runs.subList(i * per + 1, (i + 1) * per).toArray(new SparseFeaturesRun[0]);
            res.add(new Sf1Seed(ss.get(i), bo.get(i), runs.get(i * per), sgd));
            ecMap.put("seed" + i, bo.get(i).toMap());
        }
        etaCrits.put("SF1", ecMap);
        for (SparseFeaturesRun r : runs) {
            out.run(r.toRunMap());
        }
        sf1Verdicts(out, res);
        return res;
    }

    private static void sf1Verdicts(StudyResult out, List<Sf1Seed> res) {
        int k = res.size();
        double[] ec = new double[k];
        double[] gf = new double[k];
        double[] t01 = new double[k];
        double[] t08 = new double[k];
        double[] ratio = new double[k];
        double[] l0gf = new double[k];
        double[] l008 = new double[k];
        boolean[] better = new boolean[k];
        boolean[] div08 = new boolean[k];
        boolean[] div09 = new boolean[k];
        boolean[] mono = new boolean[k];
        boolean[] mono09 = new boolean[k];
        for (int i = 0; i < k; i++) {
            Sf1Seed s = res.get(i);
            ec[i] = s.bisection().etaCrit();
            gf[i] = s.gf().test();
            t01[i] = s.nu(0.1).test();
            t08[i] = s.nu(0.8).test();
            ratio[i] = SparseFeaturesStats.ratio(t08[i], gf[i]);
            l0gf[i] = s.gf().fin("l0", Double.POSITIVE_INFINITY);
            l008[i] = s.nu(0.8).fin("l0", Double.POSITIVE_INFINITY);
            better[i] = t08[i] < t01[i];
            div08[i] = s.nu(0.8).diverged();
            div09[i] = s.nu(0.9).diverged();
            double t05 = s.nu(0.5).test();
            mono[i] = t01[i] > t05 && t05 > t08[i];
            mono09[i] = mono[i] && (div09[i] || t08[i] > s.nu(0.9).test());
        }
        double medRatio = SparseFeaturesStats.median(ratio);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eta_crit", list(ec));
        m.put("test_gf", list(gf));
        m.put("test_nu0.8", list(t08));
        m.put("ratio", list(ratio));
        m.put("diverged_nu0.8", list(div08));
        m.put("median_ratio", medRatio);
        out.gate("SF1a", "SGD at 0.8 eta_crit (decayed /3 at N/2) generalises far better than GF (GD, eta = 0.03)",
                medRatio <= 0.2, m, "median over seeds of test(0.8)/test(GF) <= 0.2 (a diverged run counts as +inf)");

        int needB = SparseFeaturesStats.atLeast(7, 8, k);
        m = new LinkedHashMap<>();
        m.put("test_nu0.1", list(t01));
        m.put("test_nu0.8", list(t08));
        m.put("better", list(better));
        m.put("count", SparseFeaturesStats.count(better));
        m.put("needed", needB);
        m.put("seeds", k);
        out.gate("SF1b", "the larger step (0.8 eta_crit) beats the small one (0.1 eta_crit) seed by seed",
                SparseFeaturesStats.count(better) >= needB, m,
                "test(0.8) < test(0.1) in >= " + needB + " of " + k + " seeds");

        double medL0gf = SparseFeaturesStats.median(l0gf);
        double medL008 = SparseFeaturesStats.median(l008);
        m = new LinkedHashMap<>();
        m.put("l0_gf", list(l0gf));
        m.put("l0_nu0.8", list(l008));
        m.put("median_l0_gf", medL0gf);
        m.put("median_l0_nu0.8", medL008);
        m.put("ratio_of_medians", medL008 / medL0gf);
        out.gate("SF1c", "large-step SGD finds a sparser predictor than GF", medL008 <= 0.75 * medL0gf, m,
                "median ||beta||_0(0.8) <= 0.75 * median ||beta||_0(GF), tau = 1e-3");

        int maxD = SparseFeaturesStats.atMost(1, 8, k);
        m = new LinkedHashMap<>();
        m.put("diverged_nu0.8", list(div08));
        m.put("count", SparseFeaturesStats.count(div08));
        m.put("allowed", maxD);
        out.gate("SF1d", "0.8 eta_crit (bisection on the probe stream) is a safe step for the training stream",
                SparseFeaturesStats.count(div08) <= maxD, m, "<= " + maxD + " of " + k + " seeds diverge at nu = 0.8");

        m = new LinkedHashMap<>();
        m.put("diverged_nu0.9", list(div09));
        m.put("count_diverged_nu0.9", SparseFeaturesStats.count(div09));
        m.put("monotone_0.1_0.5_0.8", list(mono));
        m.put("count_monotone", SparseFeaturesStats.count(mono));
        m.put("count_monotone_incl_0.9", SparseFeaturesStats.count(mono09));
        out.report("SF1e", "nu = 0.9 sometimes diverges; the test loss falls monotonically with nu",
                SparseFeaturesStats.count(mono) == k, m,
                "report: divergences at nu = 0.9; test(0.1) > test(0.5) > test(0.8) in every seed "
                        + "(and > test(0.9) where it converged; reference 8/8, 2/8 diverged at 0.9)");
    }

    /** SF1 figures: test loss and ||beta||_0 against nu, per seed and median. */
    static List<Figure> sf1Figures(List<Sf1Seed> res, StudyResult out) {
        List<String> cats = List.of("GF", "0.1", "0.5", "0.8", "0.9");
        int k = res.size();
        double[][] test = new double[k][5];
        double[][] l0 = new double[k][5];
        for (int i = 0; i < k; i++) {
            Sf1Seed s = res.get(i);
            test[i][0] = s.gf().test();
            l0[i][0] = s.gf().fin("l0", Double.NaN);
            for (int j = 0; j < SF1_NUS.length; j++) {
                test[i][j + 1] = s.sgd()[j].test();
                l0[i][j + 1] = s.sgd()[j].fin("l0", Double.NaN);
            }
        }
        Plot.Builder pt = Plot.builder().title("SF1: test loss at N").xLabel("run (GF, or SGD at nu * eta_crit)")
                .yLabel("test loss").yLog().xCategories(cats);
        Plot.Builder pl = Plot.builder().title("SF1: ||beta||_0 (tau = 1e-3) at N").xLabel("run (GF, or nu)")
                .yLabel("||beta||_0").xCategories(cats).refLine(3, "r = 3 (true support)");
        double[] x = seq(5);
        for (int i = 0; i < k; i++) {
            pt.add(Series.lineMarkers(i == 0 ? "seeds" : null, x, test[i]).withColor(Palette.SKY).withWidth(0.8));
            pl.add(Series.lineMarkers(i == 0 ? "seeds" : null, x, l0[i]).withColor(Palette.SKY).withWidth(0.8));
        }
        pt.add(Series.lineMarkers("median (diverged = +inf)", x, columnMedians(test, false)).withColor(Palette.BLUE)
                .withWidth(2.5));
        pl.add(Series.lineMarkers("median of converged", x, columnMedians(l0, true)).withColor(Palette.BLUE)
                .withWidth(2.5));
        Figure f = Figure.grid("sf1_nu", List.of(pt.build(), pl.build()), 2).withSize(420, 220)
                .withTitle("SF1: sparse recovery against the step size")
                .withCaption("Test loss (left, log scale) and ||beta||_0 (right) at N = 10001 for GF (GD, eta = 0.03) and "
                        + "SGD at nu * eta_crit (decayed /3 after N/2), " + k + " seeds (thin) and the median (thick). "
                        + "Diverged runs are not drawn. Verdicts: SF1a " + outcome(out, "SF1a") + ", SF1b "
                        + outcome(out, "SF1b") + ", SF1c " + outcome(out, "SF1c") + ", SF1d " + outcome(out, "SF1d") + ".");
        return List.of(f);
    }

    static double[] columnMedians(double[][] v, boolean finiteOnly) {
        int c = v.length == 0 ? 0 : v[0].length;
        double[] m = new double[c];
        for (int j = 0; j < c; j++) {
            List<Double> col = new ArrayList<>();
            for (double[] row : v) {
                double x = row[j];
                if (Double.isNaN(x) || (finiteOnly && !Double.isFinite(x))) {
                    continue;
                }
                col.add(x);
            }
            m[j] = col.isEmpty() ? Double.NaN
                    : SparseFeaturesStats.median(col.stream().mapToDouble(Double::doubleValue).toArray());
        }
        return m;
    }

    static String outcome(StudyResult out, String id) {
        org.sgdlab.report.Verdict v = out.verdict(id);
        return v == null ? "not run" : v.outcome().name();
    }

    /** SF3 (§7.3): stabilisation ratio and the drop after the decay, from the SF1 runs at nu = 0.8. */
    static Figure sf3(List<Sf1Seed> res, StudyResult out) {
        int k = res.size();
        double n = 10_001;
        double[] ratio = new double[k];
        double[] drop = new double[k];
        double[] plateau = new double[k];
        for (int i = 0; i < k; i++) {
            SparseFeaturesRun r = res.get(i).nu(0.8);
            if (r.diverged()) {
                ratio[i] = 0;
                drop[i] = 0;
                plateau[i] = Double.POSITIVE_INFINITY;
                continue;
            }
            double pre = SparseFeaturesStats.windowMedian(r.curveSteps(), r.curveTrain(), n / 4, n / 2, false);
            double end = SparseFeaturesStats.windowMedian(r.curveSteps(), r.curveTrain(), 3 * n / 4, n, true);
            double after = SparseFeaturesStats.windowMedian(r.curveSteps(), r.curveTrain(),
                    Math.floor(n / 2) + 0.05 * n, Math.floor(n / 2) + 0.1 * n, true);
            plateau[i] = pre;
            ratio[i] = pre / end;
            drop[i] = pre / after;
        }
        double med = SparseFeaturesStats.median(ratio);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plateau_median_loss", list(plateau));
        m.put("ratio", list(ratio));
        m.put("median_ratio", med);
        out.gate("SF3a", "the train loss stabilises at a plateau while the step is large and drops after the decay",
                med >= 5, m, "median over seeds of median L[N/4, N/2) / median L[3N/4, N] >= 5 (nu = 0.8; a diverged run "
                        + "counts as ratio 0)");
        boolean[] big = new boolean[k];
        for (int i = 0; i < k; i++) {
            big[i] = drop[i] >= 3;
        }
        m = new LinkedHashMap<>();
        m.put("drop", list(drop));
        m.put("count", SparseFeaturesStats.count(big));
        out.report("SF3b", "the loss drops by >= 3x within 0.1 N after the decay", SparseFeaturesStats.count(big) == k, m,
                "report: median L[N/4, N/2) / median L[N/2 + 0.05N, N/2 + 0.1N] >= 3 in every seed");

        Plot.Builder p = Plot.builder().title("SF3: train loss of SGD at 0.8 eta_crit").xLabel("step").yLabel("train loss")
                .yLog().span(n / 4, n / 2, "plateau window [N/4, N/2)", Palette.ORANGE)
                .span(3 * n / 4, n, "final window [3N/4, N]", Palette.GREEN)
                .vline(Math.floor(n / 2), "decay /3");
        for (int i = 0; i < k; i++) {
            SparseFeaturesRun r = res.get(i).nu(0.8);
            if (r.curveSteps() == null) {
                continue;
            }
            double[] xs = new double[r.curveSteps().length];
            for (int j = 0; j < xs.length; j++) {
                xs[j] = r.curveSteps()[j];
            }
            p.add(Series.line("seed " + i, xs, r.curveTrain()).withWidth(1.0));
        }
        SparseFeaturesRun gf = res.get(0).gf();
        if (gf.curveSteps() != null) {
            double[] xs = new double[gf.curveSteps().length];
            for (int j = 0; j < xs.length; j++) {
                xs[j] = gf.curveSteps()[j];
            }
            p.add(Series.line("GF (seed 0)", xs, gf.curveTrain()).withColor(Palette.BLACK).dashed());
        }
        return Figure.of("sf3_plateau", p.build()).withTitle("SF3: loss stabilisation")
                .withCaption(String.format(Locale.ROOT, "Train loss (every 100 steps) of SGD at 0.8 eta_crit, decayed /3 after "
                        + "N/2, per seed; shaded: the windows of the stabilisation ratio. Median ratio %.3g (gate >= 5): "
                        + "SF3a %s. GF of seed 0 dashed for comparison.", med, outcome(out, "SF3a")));
    }

    // ================================================================== SF2

    /** SF2's runs of one seed. */
    record Sf2Seed(Seed seed, SparseFeaturesBisection.Outcome bisection, SparseFeaturesRun constant,
                   Map<Double, SparseFeaturesRun> large, Map<Double, SparseFeaturesRun> large95) {
    }

    /** SF2 (§7.2): n = 80, d = 200, r = 20, N = 1e5 + 1, K = 5000. */
    static List<Sf2Seed> sf2(StudyContext ctx, StudyResult out, Map<String, Object> etaCrits, int seeds, double[] fs) {
        long n = 100_001;
        List<Seed> ss = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            Seed s = seed(ctx, "SF2", i, 80, 200, 20);
            ss.add(s);
        }
        List<SparseFeaturesBisection.Outcome> bo = SparseFeaturesBisection.perSeed(ctx, ss,
                s -> bisect(s, false, 5000, 0.8));
        List<Callable<SparseFeaturesRun>> jobs = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            Seed s = ss.get(i);
            double ec = bo.get(i).etaCrit();
            ctx.log(String.format(Locale.ROOT, "  SF2 seed %d: %s", i, bo.get(i)));
            jobs.add(() -> train(ctx, "SF2", s, "const0.3", false, Schedules.constant(0.3 * ec), ec, n, false));
            for (double f : fs) {
                jobs.add(() -> train(ctx, "SF2", s, "large0.8-f" + f, false,
                        Schedules.stepDecayAtFraction(0.8 * ec, f, n, 4), ec, n, false));
            }
            for (double f : fs) {
                jobs.add(() -> train(ctx, "SF2", s, "large0.95-f" + f, false,
                        Schedules.stepDecayAtFraction(0.95 * ec, f, n, 4), ec, n, false));
            }
        }
        List<SparseFeaturesRun> runs = ctx.parallel(jobs);
        int per = 1 + 2 * fs.length;
        List<Sf2Seed> res = new ArrayList<>();
        Map<String, Object> ecMap = new LinkedHashMap<>();
        for (int i = 0; i < seeds; i++) {
            Map<Double, SparseFeaturesRun> large = new LinkedHashMap<>();
            Map<Double, SparseFeaturesRun> l95 = new LinkedHashMap<>();
            for (int j = 0; j < fs.length; j++) {
                large.put(fs[j], runs.get(i * per + 1 + j));
                l95.put(fs[j], runs.get(i * per + 1 + fs.length + j));
            }
            res.add(new Sf2Seed(ss.get(i), bo.get(i), runs.get(i * per), large, l95));
            ecMap.put("seed" + i, bo.get(i).toMap());
        }
        etaCrits.put("SF2", ecMap);
        for (SparseFeaturesRun r : runs) {
            out.run(r.toRunMap());
        }
        sf2Verdicts(out, res, fs);
        return res;
    }

    private static void sf2Verdicts(StudyResult out, List<Sf2Seed> res, double[] fs) {
        int k = res.size();
        Map<String, Object> ma = new LinkedHashMap<>();
        Map<String, Object> mb = new LinkedHashMap<>();
        boolean passA = true;
        boolean passB = true;
        double[] ec = new double[k];
        for (int i = 0; i < k; i++) {
            ec[i] = res.get(i).bisection().etaCrit();
        }
        ma.put("eta_crit", list(ec));
        double[] medTest = new double[fs.length];
        double[] medL0 = new double[fs.length];
        for (int j = 0; j < fs.length; j++) {
            double f = fs[j];
            double[] rt = new double[k];
            double[] rl = new double[k];
            for (int i = 0; i < k; i++) {
                Sf2Seed s = res.get(i);
                rt[i] = SparseFeaturesStats.ratio(s.large().get(f).test(), s.constant().test());
                rl[i] = SparseFeaturesStats.ratio(s.large().get(f).fin("l0", Double.POSITIVE_INFINITY),
                        s.constant().fin("l0", Double.NaN));
            }
            medTest[j] = SparseFeaturesStats.median(rt);
            medL0[j] = SparseFeaturesStats.median(rl);
            passA &= medTest[j] <= 0.3;
            passB &= medL0[j] <= 0.75;
            ma.put("test_ratio_f" + f, list(rt));
            ma.put("median_f" + f, medTest[j]);
            mb.put("l0_ratio_f" + f, list(rl));
            mb.put("median_f" + f, medL0[j]);
        }
        double[] tc = new double[k];
        double[] lc = new double[k];
        for (int i = 0; i < k; i++) {
            tc[i] = res.get(i).constant().test();
            lc[i] = res.get(i).constant().fin("l0", Double.NaN);
        }
        ma.put("test_const", list(tc));
        mb.put("l0_const", list(lc));
        out.gate("SF2a", "a large step (0.8 eta_crit) for a fraction f of training, then 0.2 eta_crit, beats a constant "
                + "0.3 eta_crit on test loss", passA, ma, "for each f in " + java.util.Arrays.toString(fs)
                + ": median over seeds of test(large, f)/test(const) <= 0.3");
        out.gate("SF2b", "... and finds a sparser predictor", passB, mb, "for each f in " + java.util.Arrays.toString(fs)
                + ": median over seeds of ||beta||_0(large, f)/||beta||_0(const) <= 0.75");

        Map<String, Object> mc = new LinkedHashMap<>();
        boolean mono = true;
        for (int j = 1; j < fs.length; j++) {
            mono &= medTest[j] <= medTest[j - 1] && medL0[j] <= medL0[j - 1];
        }
        mc.put("median_test_ratio_by_f", list(medTest));
        mc.put("median_l0_ratio_by_f", list(medL0));
        for (double f : fs) {
            double[] t = new double[k];
            double[] l = new double[k];
            boolean[] dv = new boolean[k];
            for (int i = 0; i < k; i++) {
                SparseFeaturesRun r = res.get(i).large95().get(f);
                t[i] = r.test();
                l[i] = r.fin("l0", Double.NaN);
                dv[i] = r.diverged();
            }
            mc.put("nu0.95_test_f" + f, list(t));
            mc.put("nu0.95_l0_f" + f, list(l));
            mc.put("nu0.95_diverged_f" + f, SparseFeaturesStats.count(dv));
        }
        out.report("SF2c", "the longer the large step, the sparser and the better (medians over seeds)", mono, mc,
                "report: median ratios non-increasing in f (reference: saturated, 10% ~ 30% ~ 50%); nu = 0.95 runs "
                        + "(reference: much better when they survive, 5/12 diverged)");
    }

    /** SF2 figure: test loss and ||beta||_0 against f, constant run as reference. */
    static Figure sf2Figure(List<Sf2Seed> res, double[] fs, StudyResult out) {
        Plot.Builder pt = Plot.builder().title("SF2: test loss at N").xLabel("duration f of the large step")
                .yLabel("test loss").yLog();
        Plot.Builder pl = Plot.builder().title("SF2: ||beta||_0 at N").xLabel("duration f of the large step")
                .yLabel("||beta||_0").refLine(20, "r = 20");
        int k = res.size();
        double[][] tc = new double[k][1];
        double[][] lc = new double[k][1];
        for (int i = 0; i < k; i++) {
            Sf2Seed s = res.get(i);
            double[] t = new double[fs.length];
            double[] l = new double[fs.length];
            double[] t95 = new double[fs.length];
            double[] l95 = new double[fs.length];
            for (int j = 0; j < fs.length; j++) {
                t[j] = s.large().get(fs[j]).test();
                l[j] = s.large().get(fs[j]).fin("l0", Double.NaN);
                SparseFeaturesRun r95 = s.large95().get(fs[j]);
                t95[j] = r95 == null ? Double.NaN : r95.test();
                l95[j] = r95 == null ? Double.NaN : r95.fin("l0", Double.NaN);
            }
            tc[i][0] = s.constant().test();
            lc[i][0] = s.constant().fin("l0", Double.NaN);
            String lab = "0.8 eta_crit, seed " + i;
            pt.add(Series.lineMarkers(lab, fs, t).withColor(Palette.BLUE));
            pl.add(Series.lineMarkers(lab, fs, l).withColor(Palette.BLUE));
            pt.add(Series.lineMarkers("const 0.3 eta_crit, seed " + i, fs, fill(fs.length, tc[i][0]))
                    .withColor(Palette.VERMILLION).dashed());
            pl.add(Series.lineMarkers("const 0.3 eta_crit, seed " + i, fs, fill(fs.length, lc[i][0]))
                    .withColor(Palette.VERMILLION).dashed());
            pt.add(Series.lineMarkers("0.95 eta_crit, seed " + i, fs, t95).withColor(Palette.GREEN));
            pl.add(Series.lineMarkers("0.95 eta_crit, seed " + i, fs, l95).withColor(Palette.GREEN));
        }
        return Figure.grid("sf2_duration", List.of(pt.build(), pl.build()), 2).withSize(420, 240)
                .withTitle("SF2: the longer the large step, the sparser")
                .withCaption("Test loss (left) and ||beta||_0 (right) at N = 100001 against the duration f of the 0.8 eta_crit "
                        + "step (then 0.2 eta_crit), per seed; dashed: the constant 0.3 eta_crit run of the same seed"
                        + "; green: 0.95 eta_crit (report)"
                        + ". Diverged runs are not drawn. Verdicts: SF2a " + outcome(out, "SF2a") + ", SF2b "
                        + outcome(out, "SF2b") + ".");
    }

    static double[] fill(int n, double v) {
        double[] x = new double[n];
        java.util.Arrays.fill(x, v);
        return x;
    }

    // ================================================================== SF8

    /**
     * SF8 (§7.8, report only): n = 40, d = 100, r = 20, N = 1e5 + 1 on data seed 0. The authors' step sizes (GD
     * 2.0 constant; GD 3.53 /4.8, /3.4, /1.5 after 10/30/50 %; SGD 0.272 /20 after 50 %) and the relative
     * version (GD at 0.9 eta_crit^GD with the same decays, GD bisection on the full-batch dynamics; SGD at
     * 0.8 eta_crit /20 after 50 %). Probes of K = 5000 steps for both bisections (toolkit choice).
     */
    static List<SparseFeaturesRun> sf8(StudyContext ctx, StudyResult out, Map<String, Object> etaCrits) {
        long n = 100_001;
        Seed s = seed(ctx, "SF8", 0, 40, 100, 20);
        List<Callable<Object[]>> bis = List.of(() -> new Object[] {bisect(s, true, 5000)},
                () -> new Object[] {bisect(s, false, 5000, 0.8)});
        List<Object[]> bo = ctx.parallel(bis);
        SparseFeaturesBisection.Outcome gdB = (SparseFeaturesBisection.Outcome) bo.get(0)[0];
        SparseFeaturesBisection.Outcome sgdB = (SparseFeaturesBisection.Outcome) bo.get(1)[0];
        Map<String, Object> ecMap = new LinkedHashMap<>();
        ecMap.put("gd", gdB.toMap());
        ecMap.put("sgd", sgdB.toMap());
        etaCrits.put("SF8", ecMap);
        double eg = gdB.etaCrit();
        double es = sgdB.etaCrit();
        double[][] decays = {{0.1, 4.8}, {0.3, 3.4}, {0.5, 1.5}};
        List<Callable<SparseFeaturesRun>> jobs = new ArrayList<>();
        jobs.add(() -> train(ctx, "SF8", s, "authors-gd2.0", true, Schedules.constant(2.0), eg, n, false));
        for (double[] dc : decays) {
            jobs.add(() -> train(ctx, "SF8", s, "authors-gd3.53-f" + dc[0], true,
                    Schedules.stepDecayAtFraction(3.53, dc[0], n, dc[1]), eg, n, false));
        }
        jobs.add(() -> train(ctx, "SF8", s, "authors-sgd0.272", false, Schedules.stepDecayAtFraction(0.272, 0.5, n, 20),
                es, n, false));
        for (double[] dc : decays) {
            jobs.add(() -> train(ctx, "SF8", s, "rel-gd0.9-f" + dc[0], true,
                    Schedules.stepDecayAtFraction(0.9 * eg, dc[0], n, dc[1]), eg, n, false));
        }
        jobs.add(() -> train(ctx, "SF8", s, "rel-sgd0.8", false, Schedules.stepDecayAtFraction(0.8 * es, 0.5, n, 20), es,
                n, false));
        List<SparseFeaturesRun> runs = ctx.parallel(jobs);
        for (SparseFeaturesRun r : runs) {
            out.run(r.toRunMap());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("eta_crit_gd", eg);
        m.put("eta_crit_sgd", es);
        double bestGd = Double.POSITIVE_INFINITY;
        for (SparseFeaturesRun r : runs) {
            m.put(r.config() + "_test", r.test());
            m.put(r.config() + "_l0", r.fin("l0", Double.NaN));
            m.put(r.config() + "_diverged", r.diverged());
            if (r.config().startsWith("rel-gd")) {
                bestGd = Math.min(bestGd, r.test());
            }
        }
        double sgdTest = runs.get(runs.size() - 1).test();
        out.report("SF8", "GD with a large step and decays does not beat SGD on test loss (authors' D3)",
                sgdTest <= bestGd, m, "report: test(SGD 0.8 eta_crit /20) <= min over the relative GD runs (0.9 eta_crit^GD "
                        + "with decays); authors: GD 0.168, GD with decays 0.449/0.438/0.497, SGD 0.0385");
        return runs;
    }
}
