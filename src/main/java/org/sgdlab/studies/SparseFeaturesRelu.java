package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Samplers;
import org.sgdlab.data.Synthetic;
import org.sgdlab.diagnostics.ActivationDensity;
import org.sgdlab.diagnostics.FeatureRanks;
import org.sgdlab.diagnostics.FeatureSparsity;
import org.sgdlab.diagnostics.JacobianRank;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.ReluPatterns;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.Init;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.Serial;
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
 * The ReLU toy experiments of the sparse-features study, STUDIES.md §7.4-§7.7 (authors' code {@code fc_nets.py}
 * and notebooks): SF4 (one-dimensional two-layer regression), SF5 (three-layer teacher-student), SF6 (two-layer
 * teacher-student, d = 2, report) and SF7 (wider MLP). Common setup: loss mean((f - y)^2) (c = 1,
 * {@link MseConvention#PLAIN}) for train and test; SGD with {@code independent-without-replacement} batches;
 * {@code toy-warmup-decay} schedules (Q3.5); all runs of one seed share the initialisation (the {@code init}
 * stream of the run seed) and the batch sequence ({@code batches}). Runs diverge only on non-finite values or
 * max |theta_j| &gt; 1e6 (the initial loss of SF4 is in the thousands, so the Q17 loss bound is for probes only).
 * Final measurements at N: {@link FeatureSparsity} (activation density, dedup coefficient, active ReLUs),
 * {@link FeatureRanks}, {@link ReluPatterns}, {@link JacobianRank} (Q16.1, Q16.3).
 */
final class SparseFeaturesRelu {

    private SparseFeaturesRelu() {
    }

    /** One seed: index, run seed, problem and theta_0 (shared by every run of the seed). */
    record Seed(int index, long seed, Problem problem, Tensor theta0) {
    }

    static Seed seed(StudyContext ctx, String exp, int index, Model model, Dataset train, Dataset test) {
        long seed = ctx.pick(index, exp, "seed");
        Problem p = new Problem(model, Losses.squared(MseConvention.PLAIN), train, test);
        return new Seed(index, seed, p, model.init(Rng.stream(seed, Rng.INIT)));
    }

    /** Which final measurements a run takes. */
    record Measure(FeatureSparsity sparsity, FeatureRanks ranks, JacobianRank jacobian, ReluPatterns patterns) {
    }

    /** A run of N steps with batch size b, the given schedule and final measurements. */
    static SparseFeaturesRun train(StudyContext ctx, String exp, Seed s, String label, Schedule schedule, double eta,
            double etaCrit, int batch, long steps, Measure mz, String sparsityKey) {
        String id = exp + "-s" + s.index() + "-" + label;
        int n = s.problem().train().size();
        boolean testIsTrain = s.problem().test() == s.problem().train();
        TrainConfig.Builder b = TrainConfig.builder(s.problem(), Optimizers.sgd(schedule),
                        Samplers.create(Samplers.INDEPENDENT_WITHOUT_REPLACEMENT, n, batch, s.seed()))
                .steps(steps).seed(s.seed()).theta0(s.theta0()).evalEvery((int) Math.max(1, steps / 20))
                .logEvery((int) Math.max(1, steps / 20))
                .testEvery(testIsTrain ? 0 : (int) steps)
                .divergenceParam(SparseFeaturesBisection.PARAM_BOUND).spikeKappa(0);
        if (mz.sparsity() != null) {
            b.diagnostic(SparseFeaturesDln.atEnd(mz.sparsity()));
        }
        if (mz.ranks() != null) {
            b.diagnostic(SparseFeaturesDln.atEnd(mz.ranks()));
        }
        if (mz.jacobian() != null) {
            b.diagnostic(SparseFeaturesDln.atEnd(mz.jacobian()));
        }
        if (mz.patterns() != null) {
            b.diagnostic(SparseFeaturesDln.atEnd(mz.patterns()));
        }
        MetricsLog log = ctx.train(id, b.build());
        Map<String, Double> fin = new LinkedHashMap<>();
        last(log, FeatureSparsity.NAME, FeatureSparsity.Result.class).ifPresent(r -> {
            for (FeatureSparsity.Layer l : r.layers()) {
                String p = r.layers().size() == 1 ? "" : "_l" + l.layer();
                fin.put("density" + p, l.activationDensity());
                fin.put("frac_nonzeros" + p, l.activationFracNonzeros() / 100);
                fin.put("dedup" + p, l.featureSparsity());
                fin.put("active_relus" + p, (double) l.nActiveRelus());
                fin.put("dead_fraction" + p, l.deadFraction());
            }
        });
        last(log, FeatureRanks.NAME, FeatureRanks.Result.class).ifPresent(r -> {
            FeatureRanks.Layer l = r.layers().get(r.layers().size() - 1);
            fin.put("nuclear_norm", l.nuclearNorm());
            fin.put("effective_rank", l.effectiveRank());
        });
        last(log, JacobianRank.NAME, JacobianRank.Result.class).ifPresent(r -> fin.put("jacobian_rank", (double) r.rank()));
        last(log, ReluPatterns.NAME, ReluPatterns.Result.class).ifPresent(r -> fin.put("relu_change", r.reluDistances()));
        SparseFeaturesRun run = SparseFeaturesRun.of(id, exp, s.index(), s.seed(), label, eta, eta / etaCrit, log, fin,
                sparsityKey, false);
        // test set = training set (SF4): the test loss is the train loss
        return testIsTrain ? run.withTestLoss(run.trainLoss()) : run;
    }

    static <R extends Record> java.util.Optional<R> last(MetricsLog log, String name, Class<R> type) {
        List<MetricsLog.Measurement> m = log.measurements(name);
        return m.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(type.cast(m.get(m.size() - 1).result()));
    }

    // ================================================================== SF4

    static final long SF4_N = 31_623;
    static final double[][] SF4_RUNS = {{0.02, 2.5}, {0.5, 3.0}};

    /** f(x) = sum_{j=1..100} a_j ReLU(w_j x + b_j): w_j = 2.5 (+-1), b_j = 2.5 N(0, 1), a_j = 4 N(0, 1). */
    static Model sf4Model() {
        return Serial.of(Dense.of(1, 100).withInit(Init.rademacher(2.5), Init.normal(2.5)), Activation.RELU,
                Dense.of(100, 1).withoutBias().withWeightInit(Init.normal(4)));
    }

    /** SF4's two runs of a seed: f = 0.02 (peak 2.28e-4) and f = 0.5 (peak 2.01e-2). */
    record Sf4Seed(Seed seed, SparseFeaturesRun small, SparseFeaturesRun large) {
    }

    static List<Sf4Seed> sf4(StudyContext ctx, StudyResult out) {
        int seeds = ctx.seedCount(5);
        Dataset pts = Synthetic.sf4Points();
        List<Seed> ss = new ArrayList<>();
        List<Callable<SparseFeaturesRun>> jobs = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            Seed s = seed(ctx, "SF4", i, sf4Model(), pts, pts);
            ss.add(s);
            for (double[] fd : SF4_RUNS) {
                double f = fd[0];
                Schedule sch = Schedules.toyWarmupDecay(2e-4, 400 * f, 1, f, fd[1], SF4_N);
                Measure mz = new Measure(new FeatureSparsity(FeatureSparsity.Config.defaults().withThreshold(0.999)),
                        new FeatureRanks(FeatureRanks.Config.defaults()),
                        new JacobianRank(new JacobianRank.Config("uniform", 300, Double.NaN, JacobianRank.DEFAULT_TAU)),
                        new ReluPatterns(ReluPatterns.Config.defaults()));
                double peak = 2e-4 * (1 + (400 * f - 1) * f);
                jobs.add(() -> train(ctx, "SF4", s, "f" + f, sch, peak, Double.NaN, 1, SF4_N, mz, "frac_nonzeros"));
            }
        }
        List<SparseFeaturesRun> runs = ctx.parallel(jobs);
        List<Sf4Seed> res = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            res.add(new Sf4Seed(ss.get(i), runs.get(2 * i), runs.get(2 * i + 1)));
        }
        for (SparseFeaturesRun r : runs) {
            out.run(r.toRunMap());
        }
        int k = seeds;
        double[] d02 = new double[k];
        double[] d05 = new double[k];
        double[] nn02 = new double[k];
        double[] nn05 = new double[k];
        double[] nnRatio = new double[k];
        double[] tr02 = new double[k];
        double[] tr05 = new double[k];
        boolean[] sparser = new boolean[k];
        boolean[] div = new boolean[k];
        for (int i = 0; i < k; i++) {
            Sf4Seed s = res.get(i);
            d02[i] = s.small().fin("frac_nonzeros", Double.NaN);
            d05[i] = s.large().fin("frac_nonzeros", Double.NaN);
            nn02[i] = s.small().fin("nuclear_norm", Double.NaN);
            nn05[i] = s.large().fin("nuclear_norm", Double.NaN);
            nnRatio[i] = s.small().diverged() || s.large().diverged() ? Double.POSITIVE_INFINITY : nn05[i] / nn02[i];
            tr02[i] = s.small().train();
            tr05[i] = s.large().train();
            sparser[i] = d05[i] <= 0.8 * d02[i];
            div[i] = s.small().diverged() || s.large().diverged();
        }
        int needA = SparseFeaturesStats.atLeast(4, 5, k);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("density_f0.02", SparseFeaturesDln.list(d02));
        m.put("density_f0.5", SparseFeaturesDln.list(d05));
        m.put("sparser", SparseFeaturesDln.list(sparser));
        m.put("count", SparseFeaturesStats.count(sparser));
        m.put("needed", needA);
        out.gate("SF4a", "the long large-step schedule activates fewer ReLUs per input",
                SparseFeaturesStats.count(sparser) >= needA, m, "density(f = 0.5) <= 0.8 * density(f = 0.02) in >= "
                        + needA + " of " + k + " seeds (density = activation_frac_nonzeros/100)");
        double medNn = SparseFeaturesStats.median(nnRatio);
        m = new LinkedHashMap<>();
        m.put("nuclear_f0.02", SparseFeaturesDln.list(nn02));
        m.put("nuclear_f0.5", SparseFeaturesDln.list(nn05));
        m.put("ratio", SparseFeaturesDln.list(nnRatio));
        m.put("median_ratio", medNn);
        out.gate("SF4b", "... and its scaled features have a much smaller nuclear norm", medNn <= 0.2, m,
                "median over seeds of nuclear_norm(f = 0.5)/nuclear_norm(f = 0.02) <= 0.2");
        double m02 = SparseFeaturesStats.median(tr02);
        double m05 = SparseFeaturesStats.median(tr05);
        m = new LinkedHashMap<>();
        m.put("train_f0.02", SparseFeaturesDln.list(tr02));
        m.put("train_f0.5", SparseFeaturesDln.list(tr05));
        m.put("median_f0.02", m02);
        m.put("median_f0.5", m05);
        out.gate("SF4c", "both schedules fit the twelve points", m02 <= 1e-2 && m05 <= 1e-2, m,
                "median final train MSE <= 1e-2 for both runs");
        m = new LinkedHashMap<>();
        m.put("diverged", SparseFeaturesDln.list(div));
        m.put("count", SparseFeaturesStats.count(div));
        out.gate("SF4d", "no run diverges", SparseFeaturesStats.count(div) == 0, m, "0 diverged runs");
        m = new LinkedHashMap<>();
        String[] keys = {"dedup", "jacobian_rank", "relu_change"};
        for (String key : keys) {
            double[] a = new double[k];
            double[] b = new double[k];
            for (int i = 0; i < k; i++) {
                a[i] = res.get(i).small().fin(key, Double.NaN);
                b[i] = res.get(i).large().fin(key, Double.NaN);
            }
            m.put(key + "_f0.02", SparseFeaturesDln.list(a));
            m.put(key + "_f0.5", SparseFeaturesDln.list(b));
        }
        out.report("SF4e", "dedup coefficient (thr 0.999), Jacobian rank (300 uniform points) and ReLU-pattern change",
                null, m, "report (authors, seed 3: ReLU-pattern change 0.04 vs 0.25)");
        return res;
    }

    static Figure sf4Figure(List<Sf4Seed> res, StudyResult out) {
        int k = res.size();
        List<String> cats = new ArrayList<>();
        double[] x = SparseFeaturesDln.seq(k);
        double[][] v = new double[4][k];
        for (int i = 0; i < k; i++) {
            cats.add("seed " + i);
            v[0][i] = res.get(i).small().fin("frac_nonzeros", Double.NaN);
            v[1][i] = res.get(i).large().fin("frac_nonzeros", Double.NaN);
            v[2][i] = res.get(i).small().fin("nuclear_norm", Double.NaN);
            v[3][i] = res.get(i).large().fin("nuclear_norm", Double.NaN);
        }
        Plot pd = Plot.builder().title("SF4: activation density").yLabel("activation_frac_nonzeros / 100").xCategories(cats)
                .yRange(0, Double.NaN)
                .add(Series.markers("f = 0.02 (peak 2.28e-4)", x, v[0]).withColor(Palette.VERMILLION))
                .add(Series.markers("f = 0.5 (peak 2.01e-2)", x, v[1]).withColor(Palette.BLUE)).build();
        Plot pn = Plot.builder().title("SF4: nuclear norm of the scaled features").yLabel("sum of singular values")
                .xCategories(cats).yLog()
                .add(Series.markers("f = 0.02", x, v[2]).withColor(Palette.VERMILLION))
                .add(Series.markers("f = 0.5", x, v[3]).withColor(Palette.BLUE)).build();
        return Figure.grid("sf4_relu1d", List.of(pd, pn), 2).withSize(420, 220)
                .withTitle("SF4: one-dimensional two-layer ReLU regression")
                .withCaption("Per seed, the activation density (left) and the nuclear norm of ReLU(xW + b) ⊙ a (right, log) "
                        + "at N = 31623 for the short (f = 0.02) and the long (f = 0.5) warmup of toy-warmup-decay. "
                        + "Verdicts: SF4a " + SparseFeaturesDln.outcome(out, "SF4a") + ", SF4b "
                        + SparseFeaturesDln.outcome(out, "SF4b") + ".");
    }

    // ================================================================== SF5

    static final long SF5_N = 10_001;
    static final double[][] SF5_LARGE = {{0.1, 3.5}, {0.3, 2.5}, {0.5, 5.0}};

    /** Student 5 -> 10 -> 10 -> 1 with biases: weights 0.8 N(0, 1), biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    static Model sf5Model() {
        Init w = Init.normal(0.8);
        Init b = Init.pytorchDefault();
        return Serial.of(Dense.of(5, 10).withInit(w, b), Activation.RELU, Dense.of(10, 10).withInit(w, b),
                Activation.RELU, Dense.of(10, 1).withInit(w, b));
    }

    /** SF5's runs of a seed: the small constant step and the three large-step schedules (f = 0.1, 0.3, 0.5). */
    record Sf5Seed(Seed seed, SparseFeaturesRun small, SparseFeaturesRun[] large) {
    }

    static List<Sf5Seed> sf5(StudyContext ctx, StudyResult out) {
        int seeds = ctx.seedCount(6);
        List<Seed> ss = new ArrayList<>();
        List<Callable<SparseFeaturesRun>> jobs = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long dataSeed = ctx.pick(i, "SF5", "seed");
            Synthetic.Task t = Synthetic.sf5(50, 1000, Rng.stream(dataSeed, Rng.DATA));
            Seed s = seed(ctx, "SF5", i, sf5Model(), t.train(), t.test());
            ss.add(s);
            jobs.add(() -> train(ctx, "SF5", s, "small0.011", Schedules.constant(0.011), 0.011, Double.NaN, 1, SF5_N,
                    sf5Measure(), "density_l2"));
            for (double[] fd : SF5_LARGE) {
                double f = fd[0];
                double peak = 0.04 * (1 + 5 * Math.sqrt(f));
                jobs.add(() -> train(ctx, "SF5", s, "large0.04-f" + f, Schedules.toyWarmupDecay(0.04, 6, 0.5, f, fd[1], SF5_N),
                        peak, Double.NaN, 1, SF5_N, sf5Measure(), "density_l2"));
            }
        }
        List<SparseFeaturesRun> runs = ctx.parallel(jobs);
        List<Sf5Seed> res = new ArrayList<>();
        int per = 1 + SF5_LARGE.length;
        for (int i = 0; i < seeds; i++) {
            res.add(new Sf5Seed(ss.get(i), runs.get(i * per),
                    runs.subList(i * per + 1, (i + 1) * per).toArray(new SparseFeaturesRun[0])));
        }
        for (SparseFeaturesRun r : runs) {
            out.run(r.toRunMap());
        }
        sf5Verdicts(out, res);
        return res;
    }

    private static Measure sf5Measure() {
        return new Measure(new FeatureSparsity(FeatureSparsity.Config.defaults().withLayers(ActivationDensity.Layers.ALL)),
                new FeatureRanks(FeatureRanks.Config.defaults().withInputs("test", -1)),
                new JacobianRank(new JacobianRank.Config("test", -1, Double.NaN, JacobianRank.DEFAULT_TAU)), null);
    }

    private static void sf5Verdicts(StudyResult out, List<Sf5Seed> res) {
        int k = res.size();
        int cfgs = 1 + SF5_LARGE.length;
        int[] divPerCfg = new int[cfgs];
        double[] small2 = new double[k];
        double[] minLarge2 = new double[k];
        double[] small1 = new double[k];
        double[] f05l1 = new double[k];
        double[] testSmall = new double[k];
        double[] testF05 = new double[k];
        double[] ratio = new double[k];
        boolean[] lower2 = new boolean[k];
        boolean[] lower1 = new boolean[k];
        for (int i = 0; i < k; i++) {
            Sf5Seed s = res.get(i);
            divPerCfg[0] += s.small().diverged() ? 1 : 0;
            double mn = Double.POSITIVE_INFINITY;
            for (int j = 0; j < SF5_LARGE.length; j++) {
                SparseFeaturesRun r = s.large()[j];
                divPerCfg[j + 1] += r.diverged() ? 1 : 0;
                if (!r.diverged()) {
                    mn = Math.min(mn, r.fin("density_l2", Double.NaN));
                }
            }
            small2[i] = s.small().fin("density_l2", Double.NaN);
            minLarge2[i] = mn;
            small1[i] = s.small().fin("density_l1", Double.NaN);
            SparseFeaturesRun f05 = s.large()[SF5_LARGE.length - 1];
            f05l1[i] = f05.fin("density_l1", Double.NaN);
            testSmall[i] = s.small().test();
            testF05[i] = f05.test();
            ratio[i] = SparseFeaturesStats.ratio(testF05[i], testSmall[i]);
            lower2[i] = !s.small().diverged() && minLarge2[i] < small2[i];
            lower1[i] = !s.small().diverged() && !f05.diverged() && f05l1[i] < small1[i];
        }
        int maxDiv = SparseFeaturesStats.atMost(1, 6, k);
        int worst = 0;
        for (int c : divPerCfg) {
            worst = Math.max(worst, c);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("diverged_small", divPerCfg[0]);
        for (int j = 0; j < SF5_LARGE.length; j++) {
            m.put("diverged_f" + SF5_LARGE[j][0], divPerCfg[j + 1]);
        }
        m.put("allowed", maxDiv);
        out.gate("SF5a", "the authors' step sizes are stable for the student on other seeds", worst <= maxDiv, m,
                "<= " + maxDiv + " of " + k + " seeds diverge per configuration");
        int need2 = SparseFeaturesStats.atLeast(5, 6, k);
        m = new LinkedHashMap<>();
        m.put("density_l2_small", SparseFeaturesDln.list(small2));
        m.put("min_density_l2_large", SparseFeaturesDln.list(minLarge2));
        m.put("lower", SparseFeaturesDln.list(lower2));
        m.put("count", SparseFeaturesStats.count(lower2));
        m.put("needed", need2);
        out.gate("SF5b", "large-step schedules give sparser layer-2 activations than the small constant step",
                SparseFeaturesStats.count(lower2) >= need2, m, "min over the three large-LR runs of layer-2 density < the "
                        + "small-LR density in >= " + need2 + " of " + k + " seeds (diverged large runs are skipped in "
                        + "the min; a diverged small run fails the seed)");
        double med = SparseFeaturesStats.median(ratio);
        m = new LinkedHashMap<>();
        m.put("test_small", SparseFeaturesDln.list(testSmall));
        m.put("test_f0.5", SparseFeaturesDln.list(testF05));
        m.put("ratio", SparseFeaturesDln.list(ratio));
        m.put("median_ratio", med);
        // evidence that SF5c is seed-sensitive as specified (independent NumPy oracle, its own streams)
        m.put("oracle_numpy_120_seeds", "bench/crosscheck/sparse_sf5.py: median ratio 0.46, ratio > 0.7 in 44/120 "
                + "seeds, f = 0.5 layer 2 dead in 20/120; SF5c passes in 13 of 20 disjoint 6-seed blocks");
        out.gate("SF5c", "the longest large step generalises better", med <= 0.7, m,
                "median over seeds of test(f = 0.5)/test(small) <= 0.7 (diverged = +inf)");
        int need1 = SparseFeaturesStats.atLeast(4, 6, k);
        m = new LinkedHashMap<>();
        m.put("density_l1_small", SparseFeaturesDln.list(small1));
        m.put("density_l1_f0.5", SparseFeaturesDln.list(f05l1));
        m.put("lower", SparseFeaturesDln.list(lower1));
        m.put("count", SparseFeaturesStats.count(lower1));
        m.put("needed", need1);
        out.gate("SF5d", "... and sparser layer-1 activations", SparseFeaturesStats.count(lower1) >= need1, m,
                "layer-1 density lower for the f = 0.5 run than for the small-LR run in >= " + need1 + " of " + k
                        + " seeds");
        m = new LinkedHashMap<>();
        String[] keys = {"dedup_l1", "dedup_l2", "jacobian_rank", "effective_rank", "active_relus_l1", "active_relus_l2"};
        String[] cfg = {"small", "f0.1", "f0.3", "f0.5"};
        for (String key : keys) {
            for (int c = 0; c < cfgs; c++) {
                double[] a = new double[k];
                for (int i = 0; i < k; i++) {
                    SparseFeaturesRun r = c == 0 ? res.get(i).small() : res.get(i).large()[c - 1];
                    a[i] = r.fin(key, Double.NaN);
                }
                m.put(key + "_" + cfg[c], SparseFeaturesDln.list(a));
            }
        }
        int collapsed = 0;
        for (Sf5Seed s : res) {
            for (SparseFeaturesRun r : s.large()) {
                collapsed += r.fin("active_relus_l2", Double.NaN) == 0 ? 1 : 0;
            }
        }
        m.put("large_runs_with_all_layer2_relus_dead", collapsed);
        out.report("SF5e", "dedup coefficient per layer (thr 0.99), Jacobian rank on X_test[:181], effective rank of "
                + "the row-normalised layer-2 features", null, m, "report (authors, seed 5: effective rank 2.00 vs "
                + "2.03 / 1.78 / 1.27); large runs whose layer 2 died entirely (density 0, counted by SF5b as sparse) "
                + "are listed");
    }

    static Figure sf5Figure(List<Sf5Seed> res, StudyResult out) {
        int k = res.size();
        List<String> cats = new ArrayList<>();
        double[] x = SparseFeaturesDln.seq(k);
        double[][] v = new double[4][k];
        double[][] t = new double[2][k];
        for (int i = 0; i < k; i++) {
            cats.add("seed " + i);
            v[0][i] = res.get(i).small().fin("density_l2", Double.NaN);
            for (int j = 0; j < 3; j++) {
                v[j + 1][i] = res.get(i).large()[j].fin("density_l2", Double.NaN);
            }
            t[0][i] = res.get(i).small().test();
            t[1][i] = res.get(i).large()[2].test();
        }
        Plot.Builder pd = Plot.builder().title("SF5: layer-2 activation density").yLabel("mean 1[h_2 > 0]")
                .xCategories(cats).yRange(0, Double.NaN)
                .add(Series.markers("small LR 0.011", x, v[0]).withColor(Palette.VERMILLION));
        String[] lab = {"large, f = 0.1", "large, f = 0.3", "large, f = 0.5"};
        String[] col = {Palette.SKY, Palette.GREEN, Palette.BLUE};
        for (int j = 0; j < 3; j++) {
            pd.add(Series.markers(lab[j], x, v[j + 1]).withColor(col[j]));
        }
        Plot pt = Plot.builder().title("SF5: test MSE").yLabel("test MSE").xCategories(cats).yLog()
                .add(Series.markers("small LR 0.011", x, t[0]).withColor(Palette.VERMILLION))
                .add(Series.markers("large, f = 0.5", x, t[1]).withColor(Palette.BLUE)).build();
        return Figure.grid("sf5_teacher_student", List.of(pd.build(), pt), 2).withSize(420, 220)
                .withTitle("SF5: three-layer teacher-student")
                .withCaption("Per seed, the layer-2 activation density on the training inputs (left) and the test MSE "
                        + "(right, log) at N = 10001: constant 0.011 vs toy-warmup-decay from 0.04 (peaks 0.103, 0.150, "
                        + "0.181). Verdicts: SF5b " + SparseFeaturesDln.outcome(out, "SF5b") + ", SF5c "
                        + SparseFeaturesDln.outcome(out, "SF5c") + ", SF5d " + SparseFeaturesDln.outcome(out, "SF5d") + ".");
    }

    // ================================================================== SF6 (report)

    static final long SF6_N = 14_126;
    static final double[] SF6_FS = {0.1, 0.3, 0.5};

    /** Student 2 -> 20 -> 1 without biases: first layer 0.5 N(0, 1), second layer 0. */
    static Model sf6Model() {
        return Serial.of(Dense.of(2, 20).withoutBias().withWeightInit(Init.normal(0.5)), Activation.RELU,
                Dense.of(20, 1).withoutBias().withWeightInit(Init.zeros()));
    }

    /**
     * SF6 (§7.6, report): relative version (0.25 eta_crit constant vs 0.8 eta_crit /4 at 10/30/50 %, toy-warmup-decay
     * with F = 1), 8 seeds, eta_crit from batch-1 probes of K = 2000 steps (toolkit choice, as SF1); and the
     * authors' step sizes (0.13 constant vs 0.455 /2, /4, /5 at 10/30/50 %) on seed 0.
     */
    static List<SparseFeaturesRun> sf6(StudyContext ctx, StudyResult out, Map<String, Object> etaCrits) {
        int seeds = ctx.seedCount(8);
        List<Seed> ss = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long dataSeed = ctx.pick(i, "SF6", "seed");
            Synthetic.Task t = Synthetic.sf6(15, 1000, Rng.stream(dataSeed, Rng.DATA));
            Seed s = seed(ctx, "SF6", i, sf6Model(), t.train(), t.test());
            ss.add(s);
        }
        List<SparseFeaturesBisection.Outcome> bo = SparseFeaturesBisection.perSeed(ctx, ss,
                s -> bisect(s, 1, 2000, 0.8));
        Map<String, Object> ecMap = new LinkedHashMap<>();
        List<Callable<SparseFeaturesRun>> jobs = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            Seed s = ss.get(i);
            double ec = bo.get(i).etaCrit();
            ecMap.put("seed" + i, bo.get(i).toMap());
            jobs.add(() -> train(ctx, "SF6", s, "const0.25", Schedules.constant(0.25 * ec), 0.25 * ec, ec, 1, SF6_N,
                    sf6Measure(), "dedup"));
            for (double f : SF6_FS) {
                jobs.add(() -> train(ctx, "SF6", s, "large0.8-f" + f, Schedules.toyWarmupDecay(0.8 * ec, 1, 1, f, 4, SF6_N),
                        0.8 * ec, ec, 1, SF6_N, sf6Measure(), "dedup"));
            }
        }
        Seed s0 = ss.get(0);
        double ec0 = bo.get(0).etaCrit();
        jobs.add(() -> train(ctx, "SF6", s0, "authors-const0.13", Schedules.constant(0.13), 0.13, ec0, 1, SF6_N,
                sf6Measure(), "dedup"));
        double[] authorsD = {2, 4, 5};
        for (int j = 0; j < SF6_FS.length; j++) {
            double f = SF6_FS[j];
            double dd = authorsD[j];
            jobs.add(() -> train(ctx, "SF6", s0, "authors-0.455-f" + f, Schedules.toyWarmupDecay(0.455, 1, 1, f, dd, SF6_N),
                    0.455, ec0, 1, SF6_N, sf6Measure(), "dedup"));
        }
        etaCrits.put("SF6", ecMap);
        List<SparseFeaturesRun> runs = ctx.parallel(jobs);
        for (SparseFeaturesRun r : runs) {
            out.run(r.toRunMap());
        }
        int per = 1 + SF6_FS.length;
        Map<String, Object> m = new LinkedHashMap<>();
        int[] fell = new int[SF6_FS.length];
        int[] rose = new int[SF6_FS.length];
        int[] better = new int[SF6_FS.length];
        int diverged = 0;
        for (int i = 0; i < seeds; i++) {
            SparseFeaturesRun c = runs.get(i * per);
            diverged += c.diverged() ? 1 : 0;
            for (int j = 0; j < SF6_FS.length; j++) {
                SparseFeaturesRun r = runs.get(i * per + 1 + j);
                diverged += r.diverged() ? 1 : 0;
                if (c.diverged() || r.diverged()) {
                    continue;
                }
                fell[j] += r.fin("dedup", Double.NaN) < c.fin("dedup", Double.NaN) ? 1 : 0;
                rose[j] += r.fin("dedup", Double.NaN) > c.fin("dedup", Double.NaN) ? 1 : 0;
                better[j] += r.test() < c.test() ? 1 : 0;
            }
        }
        m.put("eta_crit", SparseFeaturesDln.list(bo.stream().mapToDouble(SparseFeaturesBisection.Outcome::etaCrit).toArray()));
        for (int j = 0; j < SF6_FS.length; j++) {
            m.put("dedup_fell_f" + SF6_FS[j], fell[j]);
            m.put("dedup_rose_f" + SF6_FS[j], rose[j]);
            m.put("test_better_f" + SF6_FS[j], better[j]);
        }
        m.put("diverged_runs", diverged);
        for (int i = 0; i < seeds; i++) {
            for (int j = 0; j < per; j++) {
                SparseFeaturesRun r = runs.get(i * per + j);
                m.put(r.id() + "_dedup", r.fin("dedup", Double.NaN));
                m.put(r.id() + "_test", r.test());
                m.put(r.id() + "_relu_change", r.fin("relu_change", Double.NaN));
            }
        }
        for (int j = seeds * per; j < runs.size(); j++) {
            SparseFeaturesRun r = runs.get(j);
            m.put(r.id() + "_test", r.test());
            m.put(r.id() + "_dedup", r.fin("dedup", Double.NaN));
            m.put(r.id() + "_relu_change", r.fin("relu_change", Double.NaN));
        }
        out.report("SF6", "two-layer teacher-student, d = 2: the large step lowers the dedup coefficient (report only)",
                null, m, "report: seeds where the dedup coefficient fell / rose, test loss, ReLU-pattern change "
                        + "(reference: fell in 5/8, rose in 1, 2 diverged; test not consistently better)");
        return runs;
    }

    private static Measure sf6Measure() {
        return new Measure(new FeatureSparsity(FeatureSparsity.Config.defaults()), null, null,
                new ReluPatterns(ReluPatterns.Config.defaults()));
    }

    /** Q17 for the ReLU toys: SGD with independent-without-replacement batches of size b, probes of K steps. */
    static SparseFeaturesBisection.Outcome bisect(Seed s, int batch, long k, double... checks) {
        return SparseFeaturesBisection.run(new SparseFeaturesBisection.Setup(s.problem(), "sgd",
                Samplers.INDEPENDENT_WITHOUT_REPLACEMENT, batch, s.seed(), s.theta0(), k), checks);
    }

    // ================================================================== SF7

    static final long SF7_N = 20_000;
    static final double[] SF7_NUS = {0.5, 0.7};
    static final double[] SF7_FS = {0.1, 0.5};

    /** Student 20 -> 100 -> 100 -> 1, He init N(0, 2/fan_in), biases 0. */
    static Model sf7Model() {
        Init w = Init.kaimingNormal();
        Init b = Init.zeros();
        return Serial.of(Dense.of(20, 100).withInit(w, b), Activation.RELU, Dense.of(100, 100).withInit(w, b),
                Activation.RELU, Dense.of(100, 1).withInit(w, b));
    }

    /** SF7's runs of a seed: the small constant run and large[nu index][f index]. */
    record Sf7Seed(Seed seed, SparseFeaturesBisection.Outcome bisection, SparseFeaturesRun small,
                   SparseFeaturesRun[][] large) {
    }

    /** SF7 (§7.7): 3 seeds, batch 8, N = 2e4, K = 2000; SF7a (provisional gate) and SF7b (report). */
    static List<Sf7Seed> sf7(StudyContext ctx, StudyResult out, Map<String, Object> etaCrits) {
        int seeds = ctx.seedCount(3);
        List<Seed> ss = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            long dataSeed = ctx.pick(i, "SF7", "seed");
            Synthetic.Task t = Synthetic.sf7(500, 1000, Rng.stream(dataSeed, Rng.DATA));
            Seed s = seed(ctx, "SF7", i, sf7Model(), t.train(), t.test());
            ss.add(s);
        }
        List<SparseFeaturesBisection.Outcome> bo = SparseFeaturesBisection.perSeed(ctx, ss,
                s -> bisect(s, 8, 2000, SF7_NUS));
        Map<String, Object> ecMap = new LinkedHashMap<>();
        List<Callable<SparseFeaturesRun>> jobs = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            Seed s = ss.get(i);
            double ec = bo.get(i).etaCrit();
            ecMap.put("seed" + i, bo.get(i).toMap());
            jobs.add(() -> train(ctx, "SF7", s, "small0.1", Schedules.constant(0.1 * ec), 0.1 * ec, ec, 8, SF7_N,
                    sf7Measure(), "density_l2"));
            for (double nu : SF7_NUS) {
                for (double f : SF7_FS) {
                    jobs.add(() -> train(ctx, "SF7", s, "large" + nu + "-f" + f,
                            Schedules.toyWarmupDecay(nu * ec, 1, 1, f, 10 * nu, SF7_N), nu * ec, ec, 8, SF7_N,
                            sf7Measure(), "density_l2"));
                }
            }
        }
        etaCrits.put("SF7", ecMap);
        List<SparseFeaturesRun> runs = ctx.parallel(jobs);
        for (SparseFeaturesRun r : runs) {
            out.run(r.toRunMap());
        }
        int per = 1 + SF7_NUS.length * SF7_FS.length;
        List<Sf7Seed> res = new ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            SparseFeaturesRun[][] large = new SparseFeaturesRun[SF7_NUS.length][SF7_FS.length];
            for (int a = 0; a < SF7_NUS.length; a++) {
                for (int b = 0; b < SF7_FS.length; b++) {
                    large[a][b] = runs.get(i * per + 1 + a * SF7_FS.length + b);
                }
            }
            res.add(new Sf7Seed(ss.get(i), bo.get(i), runs.get(i * per), large));
        }
        boolean[] below = new boolean[seeds];
        Map<String, Object> m = new LinkedHashMap<>();
        double[] small2 = new double[seeds];
        double[][] l2 = new double[SF7_FS.length][seeds];
        for (int i = 0; i < seeds; i++) {
            Sf7Seed s = res.get(i);
            small2[i] = s.small().fin("density_l2", Double.NaN);
            boolean ok = !s.small().diverged();
            for (int b = 0; b < SF7_FS.length; b++) {
                SparseFeaturesRun r = s.large()[0][b];
                l2[b][i] = r.fin("density_l2", Double.NaN);
                ok &= !r.diverged() && l2[b][i] < small2[i];
            }
            below[i] = ok;
        }
        int need = SparseFeaturesStats.atLeast(2, 3, seeds);
        m.put("eta_crit", SparseFeaturesDln.list(bo.stream().mapToDouble(SparseFeaturesBisection.Outcome::etaCrit).toArray()));
        m.put("density_l2_small", SparseFeaturesDln.list(small2));
        for (int b = 0; b < SF7_FS.length; b++) {
            m.put("density_l2_nu0.5_f" + SF7_FS[b], SparseFeaturesDln.list(l2[b]));
        }
        m.put("below", SparseFeaturesDln.list(below));
        m.put("count", SparseFeaturesStats.count(below));
        m.put("needed", need);
        out.provisional("SF7a", "in a wider MLP the large step (0.5 eta_crit for 10 % or 50 % of training) lowers the "
                + "layer-2 activation density", SparseFeaturesStats.count(below) >= need, m,
                "nu_big = 0.5: layer-2 density of both large-LR runs below the small-LR run in >= " + need + " of "
                        + seeds + " seeds");
        m = new LinkedHashMap<>();
        for (int i = 0; i < seeds; i++) {
            Sf7Seed s = res.get(i);
            List<SparseFeaturesRun> all = new ArrayList<>();
            all.add(s.small());
            for (SparseFeaturesRun[] row : s.large()) {
                all.addAll(List.of(row));
            }
            for (SparseFeaturesRun r : all) {
                m.put(r.id() + "_test", r.test());
                m.put(r.id() + "_density_l2", r.fin("density_l2", Double.NaN));
                m.put(r.id() + "_dead_l1", r.fin("dead_fraction_l1", Double.NaN));
                m.put(r.id() + "_dead_l2", r.fin("dead_fraction_l2", Double.NaN));
                m.put(r.id() + "_diverged", r.diverged());
            }
        }
        out.report("SF7b", "nu_big = 0.7 runs; test MSE; dead-neuron fraction (part of the sparsity is dead ReLUs)",
                null, m, "report (reference, nu_big = 0.7: layer-2 density 0.48 -> 0.05-0.08, test 0.27-0.30 -> "
                        + "0.19-0.23 in the 2 converged seeds)");
        return res;
    }

    private static Measure sf7Measure() {
        return new Measure(new FeatureSparsity(FeatureSparsity.Config.defaults().withLayers(ActivationDensity.Layers.ALL)),
                null, null, null);
    }
}
