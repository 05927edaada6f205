package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Samplers;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Mlp;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Batch sharpness (Q7.2), MiniBS (Q7.3) and step sharpness (Q7.1) against enumeration of every batch, closed
 * forms, and hand computations over independently replicated draws.
 */
class BatchSharpnessTest {

    /** Per-batch exact quantities from the dense batch Hessian: q_B, lambda_max(H_B), x_B, y_B. */
    record Exact(double q, double lambdaMax, double x, double y) {
    }

    static Exact exact(Problem p, Tensor th, int[] idx) {
        Dataset b = p.train().batch(idx);
        Tensor h = SharpnessFixtures.hessian(p, th, b);
        Tensor g = SharpnessFixtures.grad(p, th, b);
        double x = SharpnessFixtures.quad(g, h, g);
        double y = g.dotValue(g);
        return new Exact(x / y, SharpnessFixtures.eig(h)[0], x, y);
    }

    /**
     * A linear model f = w . x (no bias) with squared loss c = 1/2 and ||x_i||^2 = sq[i]: for a batch of one
     * example H_B = x x^T and g_B = r x, so q_B = lambda_max(H_B) = ||x_i||^2 = sq[i] exactly.
     */
    static Problem linear(double[] sq, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = sq.length;
        int d = 2;
        double[] xs = new double[n * d];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            double a = r.nextDouble() * 2 * Math.PI;
            xs[i * d] = Math.sqrt(sq[i]) * Math.cos(a);
            xs[i * d + 1] = Math.sqrt(sq[i]) * Math.sin(a);
            ys[i] = 1 + r.nextDouble();
        }
        Dataset data = Dataset.regression("lin", Tensor.of(xs, n, d), Tensor.vector(ys));
        return new Problem(Mlp.of(Activation.TANH, d, 1).withBias(false), SharpnessFixtures.HALF, data, null, 1000);
    }

    @Test
    void estimatorsAgreeWithTheExpectationOverAllFifteenBatches() {
        Problem p = SharpnessFixtures.tiny(6, 21);
        Tensor th = SharpnessFixtures.theta(p, 22, 2.0);
        List<int[]> all = SharpnessFixtures.allBatches(6, 2);
        assertEquals(15, all.size());
        double bs = 0;
        double mini = 0;
        for (int[] b : all) {
            Exact e = exact(p, th, b);
            bs += e.q() / 15;
            mini += e.lambdaMax() / 15;
        }
        StaticProbe probe = StaticProbe.of(p, th).withBatchSize(2).withSeed(3);
        BatchSharpness.Result r = new BatchSharpness(BatchSharpness.Config.DEFAULT.withDraws(1500)).measure(probe);
        assertEquals(1500, r.draws());
        assertEquals("fixed", r.stopping());
        assertEquals(2, r.batchSize());
        assertTrue(Math.abs(r.batchSharpness() - bs) <= 4 * r.batchSharpnessSe(),
                "BS " + r.batchSharpness() + " +- " + r.batchSharpnessSe() + " vs exact " + bs);
        assertTrue(r.batchSharpnessSe() < 0.05 * Math.abs(bs), "SE should be small with M = 1500: " + r);
        MiniBatchSharpness.Result m = new MiniBatchSharpness(MiniBatchSharpness.Config.DEFAULT.withDraws(200))
                .measure(probe);
        assertEquals(200, m.draws());
        assertTrue(m.converged());
        assertTrue(Math.abs(m.miniBs() - mini) <= 4 * m.miniBsSe(),
                "MiniBS " + m.miniBs() + " +- " + m.miniBsSe() + " vs exact " + mini);
        double maxLam = all.stream().mapToDouble(b -> exact(p, th, b).lambdaMax()).max().getAsDouble();
        assertTrue(m.miniBsMax() <= maxLam * (1 + 1e-10), "max over sampled batches <= max over all batches");
        // convexity of lambda_max: E_B lambda_max(H_B) >= lambda_max(H) (Q7.3)
        double full = SharpnessFixtures.eig(SharpnessFixtures.hessian(p, th, p.train()))[0];
        assertTrue(mini >= full - 1e-12 * Math.abs(full), "MiniBS " + mini + " < lambda_max " + full);
    }

    @Test
    void aBatchOfEveryExampleGivesTheFullRayleighQuotientAndLambdaMax() {
        // dense per-batch path (31 parameters) and Lanczos per-batch path (6-20-10-3: 383 parameters)
        Problem[] problems = {SharpnessFixtures.tiny(9, 23),
                SharpnessFixtures.tanhProblem(SharpnessFixtures.data(12, 6, 3, 24), SharpnessFixtures.HALF, 5, 6, 20, 10, 3)};
        for (Problem p : problems) {
            Tensor th = SharpnessFixtures.theta(p, 25, 1.5);
            int n = p.train().size();
            Tensor h = SharpnessFixtures.hessian(p, th, p.train());
            Tensor g = SharpnessFixtures.grad(p, th, p.train());
            double rq = SharpnessFixtures.quad(g, h, g) / g.dotValue(g);
            double lmax = SharpnessFixtures.eig(h)[0];
            StaticProbe probe = StaticProbe.of(p, th).withBatchSize(n);
            BatchSharpness.Result r = new BatchSharpness(BatchSharpness.Config.DEFAULT.withDraws(4)
                    .withMiniBs(MiniBatchSharpness.Config.SIMULTANEOUS.withDraws(2))).measure(probe);
            assertEquals(rq, r.batchSharpness(), 1e-10 * Math.abs(rq), "B5: BS = g^T H g / ||g||^2");
            assertEquals(rq, r.ratioOfMeans(), 1e-10 * Math.abs(rq));
            assertEquals(lmax, r.miniBs(), 1e-6 * Math.abs(lmax), "B5: MiniBS = lambda_max (p = " + th.size() + ")");
            assertEquals(rq, r.batchSharpnessSameBatches(), 1e-10 * Math.abs(rq));
            MiniBatchSharpness.Result m = new MiniBatchSharpness(MiniBatchSharpness.Config.DEFAULT.withDraws(2))
                    .measure(probe);
            assertEquals(lmax, m.miniBs(), 1e-6 * Math.abs(lmax));
            assertEquals(lmax, m.miniBsMax(), 1e-6 * Math.abs(lmax));
        }
    }

    @Test
    void miniBsIsAtLeastBatchSharpnessOnTheSameBatches() {
        for (long seed = 30; seed < 33; seed++) {
            Problem p = SharpnessFixtures.tanhProblem(SharpnessFixtures.data(20, 3, 3, seed), SharpnessFixtures.HALF, 1000,
                    3, 6, 3);
            Tensor th = SharpnessFixtures.theta(p, seed + 100, 2.5);
            StaticProbe probe = StaticProbe.of(p, th).withBatchSize(3).withSeed(seed).withStep(7);
            BatchSharpness.Result r = new BatchSharpness(BatchSharpness.Config.DEFAULT.withDraws(32)
                    .withMiniBs(MiniBatchSharpness.Config.SIMULTANEOUS)).measure(probe);
            assertEquals(16, r.miniBsDraws());
            assertTrue(r.miniBsConverged());
            assertTrue(r.miniBs() >= r.batchSharpnessSameBatches(), "B3: MiniBS " + r.miniBs() + " < BS on the same batches "
                    + r.batchSharpnessSameBatches());
            // the same batches: the first 16 of the measurement, replicated independently
            SplittableRandom rng = probe.rng(Rng.PROBES, BatchSharpness.NAME);
            double q = 0;
            double lam = 0;
            double all = 0;
            for (int i = 0; i < 32; i++) {
                Exact e = exact(p, th, SharpnessFixtures.drawBatch(rng, 20, 3));
                all += e.q() / 32;
                if (i < 16) {
                    q += e.q() / 16;
                    lam += e.lambdaMax() / 16;
                }
            }
            assertEquals(q, r.batchSharpnessSameBatches(), 1e-10 * Math.abs(q));
            assertEquals(lam, r.miniBs(), 1e-8 * Math.abs(lam));
            assertEquals(all, r.batchSharpness(), 1e-10 * Math.abs(all));
        }
    }

    @Test
    void stoppingRuleWithZeroVarianceStopsAtMinDraws() {
        double[] sq = new double[10];
        java.util.Arrays.fill(sq, 2.0);
        Problem p = linear(sq, 40);
        Tensor th = Tensor.vector(0.3, -0.2);
        StaticProbe probe = StaticProbe.of(p, th).withBatchSize(1);
        BatchSharpness.Config c = BatchSharpness.Config.DEFAULT.withRule(20, 1000, 0.005);
        BatchSharpness.Result s = new BatchSharpness(c).measure(probe);
        assertEquals(20, s.draws());
        assertTrue(s.converged());
        assertEquals(2.0, s.batchSharpness(), 1e-13);
        assertEquals(0.0, s.batchSharpnessSe(), 1e-13);
        // the authors' rule is first checked at N = min_draws + 1
        BatchSharpness.Result a = new BatchSharpness(c.withStopping("authors")).measure(probe);
        assertEquals(21, a.draws());
        assertEquals("authors", a.stopping());
        MiniBatchSharpness.Result m = new MiniBatchSharpness(MiniBatchSharpness.Config.DEFAULT).measure(probe);
        assertEquals(11, m.draws(), "Q7.3: stop after more than 10 draws");
        assertEquals(2.0, m.miniBs(), 1e-12);
    }

    /** q takes the values 1 and 3 with probability 1/2 each: mean 2, sd 1 (population). */
    @Test
    void stoppingRuleOnACaseWithKnownVariance() {
        double[] sq = {1, 1, 1, 1, 1, 3, 3, 3, 3, 3};
        Problem p = linear(sq, 41);
        Tensor th = Tensor.vector(0.1, 0.4);
        double tol = 0.02;
        StaticProbe probe = StaticProbe.of(p, th).withBatchSize(1).withSeed(9);
        BatchSharpness.Result r = new BatchSharpness(BatchSharpness.Config.DEFAULT.withRule(20, 5000, tol)).measure(probe);
        // replicate: first N >= 20 with sd/sqrt(N) <= tol |mean|
        SplittableRandom rng = probe.rng(Rng.PROBES, BatchSharpness.NAME);
        List<Double> qs = new ArrayList<>();
        int stop = -1;
        while (stop < 0) {
            qs.add(sq[SharpnessFixtures.drawBatch(rng, 10, 1)[0]]);
            int n = qs.size();
            if (n >= 20) {
                double[] v = qs.stream().mapToDouble(Double::doubleValue).toArray();
                double se = Math.sqrt(SharpnessFixtures.cov(v, v) / n);
                if (se <= tol * Math.abs(SharpnessFixtures.mean(v))) {
                    stop = n;
                }
            }
        }
        assertEquals(stop, r.draws());
        assertTrue(r.converged());
        double[] v = qs.stream().mapToDouble(Double::doubleValue).toArray();
        assertEquals(SharpnessFixtures.mean(v), r.batchSharpness(), 1e-12);
        assertEquals(Math.sqrt(SharpnessFixtures.cov(v, v) / stop), r.batchSharpnessSe(), 1e-10);
        // known variance: N is about (sd / (tol mean))^2 = 625
        assertTrue(stop > 300 && stop < 1200, "draws " + stop);
        // the MiniBS rule on the same kind of case (lambda_max(H_B) = q_B here): first N >= 11 with SE/mean < 0.1
        MiniBatchSharpness.Result m = new MiniBatchSharpness(MiniBatchSharpness.Config.DEFAULT.withRule(11, 50, 0.1))
                .measure(probe);
        SplittableRandom mr = probe.rng(Rng.PROBES, MiniBatchSharpness.NAME);
        List<Double> ls = new ArrayList<>();
        int mstop = -1;
        while (mstop < 0) {
            ls.add(sq[SharpnessFixtures.drawBatch(mr, 10, 1)[0]]);
            int n = ls.size();
            double[] w = ls.stream().mapToDouble(Double::doubleValue).toArray();
            if ((n >= 11 && Math.sqrt(SharpnessFixtures.cov(w, w) / n) / SharpnessFixtures.mean(w) < 0.1) || n == 50) {
                mstop = n;
            }
        }
        assertEquals(mstop, m.draws());
        double[] w = SharpnessFixtures.prefix(ls.stream().mapToDouble(Double::doubleValue).toArray(), mstop);
        assertEquals(SharpnessFixtures.mean(w), m.miniBs(), 1e-12);
        assertEquals(java.util.Arrays.stream(w).max().getAsDouble(), m.miniBsMax(), 1e-12);
    }

    @Test
    void bothStandardErrorsAgainstAHandComputation() {
        Problem p = SharpnessFixtures.tiny(8, 42);
        Tensor th = SharpnessFixtures.theta(p, 43, 2.0);
        StaticProbe probe = StaticProbe.of(p, th).withBatchSize(2).withSeed(4).withStep(11);
        int m = 30;
        BatchSharpness.Result r = new BatchSharpness(BatchSharpness.Config.DEFAULT.withDraws(m)).measure(probe);
        SplittableRandom rng = probe.rng(Rng.PROBES, BatchSharpness.NAME);
        double[] x = new double[m];
        double[] y = new double[m];
        double[] q = new double[m];
        for (int i = 0; i < m; i++) {
            Exact e = exact(p, th, SharpnessFixtures.drawBatch(rng, 8, 2));
            x[i] = e.x();
            y[i] = e.y();
            q[i] = e.q();
        }
        double mx = SharpnessFixtures.mean(x);
        double my = SharpnessFixtures.mean(y);
        double rr = mx / my;
        double seR = Math.sqrt((SharpnessFixtures.cov(x, x) / (my * my) - 2 * SharpnessFixtures.cov(x, y) * mx / (my * my * my)
                + SharpnessFixtures.cov(y, y) * mx * mx / (my * my * my * my)) / m);
        assertEquals(SharpnessFixtures.mean(q), r.batchSharpness(), 1e-10 * Math.abs(r.batchSharpness()));
        assertEquals(Math.sqrt(SharpnessFixtures.cov(q, q) / m), r.batchSharpnessSe(), 1e-9 * r.batchSharpnessSe());
        assertEquals(rr, r.ratioOfMeans(), 1e-10 * Math.abs(rr));
        assertEquals(seR, r.ratioOfMeansSe(), 1e-9 * seR);
        assertTrue(Math.abs(r.ratioOfMeans() - r.batchSharpness()) > 1e-6, "mean of ratios != ratio of means here");

        // the authors' rule: from N = min + 1, stop when sqrt(var_R / (N - 1)) / |R| < rel_tol
        double tol = 0.08;
        BatchSharpness.Result a = new BatchSharpness(BatchSharpness.Config.DEFAULT.withRule(5, 200, tol)
                .withStopping("authors")).measure(probe);
        rng = probe.rng(Rng.PROBES, BatchSharpness.NAME);
        List<double[]> pairs = new ArrayList<>();
        int stop = -1;
        while (stop < 0) {
            Exact e = exact(p, th, SharpnessFixtures.drawBatch(rng, 8, 2));
            pairs.add(new double[] {e.x(), e.y()});
            int n = pairs.size();
            if (n == 200) {
                stop = n;
            } else if (n >= 6) {
                double[] xs = pairs.stream().mapToDouble(v -> v[0]).toArray();
                double[] ys = pairs.stream().mapToDouble(v -> v[1]).toArray();
                double ax = SharpnessFixtures.mean(xs);
                double ay = SharpnessFixtures.mean(ys);
                double var = (SharpnessFixtures.cov(xs, xs) / (ay * ay) - 2 * SharpnessFixtures.cov(xs, ys) * ax / (ay * ay * ay)
                        + SharpnessFixtures.cov(ys, ys) * ax * ax / (ay * ay * ay * ay)) / (n - 1);
                if (Math.sqrt(var) / Math.abs(ax / ay) < tol) {
                    stop = n;
                }
            }
        }
        assertEquals(stop, a.draws());
        assertTrue(stop > 6, "the rule should not stop at the first check here: " + stop);
    }

    @Test
    void zeroGradientDrawsAreSkipped() {
        // theta = 0 gives f = 0; examples with y = 0 have zero residual, so their one-example batches have g = 0
        Dataset data = Dataset.regression("z", Tensor.of(new double[] {1, 0, 0, 1, 1, 1, 2, 1, 1, 2}, 5, 2),
                Tensor.vector(0, 0, 1, 2, 0));
        Problem p = new Problem(Mlp.of(Activation.TANH, 2, 1).withBias(false), SharpnessFixtures.HALF, data, null, 1000);
        StaticProbe probe = StaticProbe.of(p, Tensor.zeros(2)).withBatchSize(1).withSeed(2);
        BatchSharpness.Result r = new BatchSharpness(BatchSharpness.Config.DEFAULT.withDraws(40)).measure(probe);
        SplittableRandom rng = probe.rng(Rng.PROBES, BatchSharpness.NAME);
        int zero = 0;
        double sum = 0;
        for (int i = 0; i < 40; i++) {
            int j = SharpnessFixtures.drawBatch(rng, 5, 1)[0];
            if (data.y().flat(j) == 0) {
                zero++;
            } else {
                sum += data.x().get(j, 0) * data.x().get(j, 0) + data.x().get(j, 1) * data.x().get(j, 1);
            }
        }
        assertTrue(zero > 0);
        assertEquals(zero, r.skipped());
        assertEquals(40 - zero, r.draws());
        assertEquals(sum / (40 - zero), r.batchSharpness(), 1e-12);
        assertEquals(40 - zero, r.hvps(), "no HVP for a skipped draw");
    }

    @Test
    void stepSharpnessIsTheRayleighQuotientOfTheTrainingBatch() {
        Problem p = SharpnessFixtures.tiny(10, 44);
        Tensor th = SharpnessFixtures.theta(p, 45, 2.0);
        int[] idx = {4, 1, 8};
        StepSharpness.Result r = new StepSharpness().measure(StaticProbe.of(p, th).withBatch(idx).withLr(0.5));
        Exact e = exact(p, th, idx);
        assertEquals(e.q(), r.stepSharpness(), 1e-10 * Math.abs(e.q()));
        assertEquals(e.y(), r.gradNormSq(), 1e-12 * e.y());
        assertEquals(3, r.batchSize());
        assertEquals(e.q() * 0.5 / 2, r.stepSharpnessRatio(), 1e-10 * Math.abs(e.q()));
        assertTrue(e.q() <= e.lambdaMax(), "Q7.3: step sharpness <= lambda_max(H_B)");
        assertThrows(IllegalArgumentException.class, () -> StepSharpness.fromParams(Map.of("every", 3)));
    }

    @Test
    void gapsUseLambdaMaxPublishedAtTheSameStep() {
        Problem p = SharpnessFixtures.tiny(12, 46);
        Tensor th = SharpnessFixtures.theta(p, 47, 2.0);
        StaticProbe probe = StaticProbe.of(p, th).withStep(5).withBatchSize(3).withLr(0.1);
        BatchSharpness bs = new BatchSharpness(BatchSharpness.Config.DEFAULT.withDraws(20)
                .withMiniBs(MiniBatchSharpness.Config.SIMULTANEOUS.withDraws(4)));
        BatchSharpness.Result before = bs.measure(probe);
        assertTrue(Double.isNaN(before.lambdaMax()) && Double.isNaN(before.gapBs()));
        Sharpness s = new Sharpness(Sharpness.Config.DEFAULT);
        double lmax = s.measure(probe).sharpness();
        probe.shared().putAll(s.publish());
        BatchSharpness.Result r = bs.measure(probe);
        assertEquals(lmax, r.lambdaMax());
        assertEquals(r.batchSharpness() - lmax, r.gapBs(), 1e-12 * Math.abs(lmax));
        assertEquals(r.miniBs() - lmax, r.gapMiniBs(), 1e-12 * Math.abs(lmax));
        assertEquals(r.batchSharpness() * 0.1 / 2, r.batchSharpnessRatio(), 1e-12 * Math.abs(lmax));
        assertEquals(r.miniBs() * 0.1 / 2, r.miniBsRatio(), 1e-12 * Math.abs(lmax));
        assertTrue(Double.isNaN(bs.measure(probe.withStep(6)).lambdaMax()), "lambda_max of another step is not used");
    }

    @Test
    void nonFiniteParametersGiveNanNotAnException() {
        Problem p = SharpnessFixtures.tiny(6, 48);
        double[] a = SharpnessFixtures.theta(p, 49, 1.0).toArray();
        a[0] = Double.NaN;
        StaticProbe probe = StaticProbe.of(p, Tensor.vector(a)).withBatchSize(2);
        BatchSharpness.Result r = new BatchSharpness(BatchSharpness.Config.DEFAULT
                .withMiniBs(MiniBatchSharpness.Config.SIMULTANEOUS)).measure(probe);
        assertFalse(r.converged());
        assertTrue(Double.isNaN(r.batchSharpness()));
        MiniBatchSharpness.Result m = new MiniBatchSharpness(MiniBatchSharpness.Config.DEFAULT).measure(probe);
        assertFalse(m.converged());
        assertTrue(Double.isNaN(m.miniBs()));
    }

    @Test
    void addingTheDiagnosticsToATrainingRunLeavesTheTrajectoryAloneAndSharesLambdaMax() {
        Problem p = SharpnessFixtures.tanhProblem(SharpnessFixtures.data(40, 3, 3, 50), SharpnessFixtures.HALF, 1000, 3, 6, 3);
        TrainConfig.Builder plain = TrainConfig.builder(p, Optimizers.sgd(Schedules.constant(0.2)),
                Samplers.create(Samplers.EPOCH_SHUFFLE, 40, 8, 3)).steps(20).seed(1);
        TrainConfig.Builder with = TrainConfig.builder(p, Optimizers.sgd(Schedules.constant(0.2)),
                        Samplers.create(Samplers.EPOCH_SHUFFLE, 40, 8, 3)).steps(20).seed(1)
                .diagnostic(Scheduled.every(new Sharpness(Sharpness.Config.DEFAULT), 10))
                .diagnostic(Scheduled.every(new BatchSharpness(BatchSharpness.Config.DEFAULT.withDraws(16)
                        .withMiniBs(MiniBatchSharpness.Config.SIMULTANEOUS.withDraws(4))), 10))
                .diagnostic(Scheduled.every(new StepSharpness(), 10));
        MetricsLog a = new MetricsLog();
        MetricsLog b = new MetricsLog();
        Trainer.run(plain.build(), a);
        Trainer.run(with.build(), b);
        assertEquals(a.rows(), b.rows());
        List<MetricsLog.Measurement> s = b.measurements(Sharpness.NAME);
        List<MetricsLog.Measurement> bs = b.measurements(BatchSharpness.NAME);
        assertEquals(3, s.size());
        assertEquals(3, bs.size());
        for (int i = 0; i < 3; i++) {
            Sharpness.Result sr = (Sharpness.Result) s.get(i).result();
            BatchSharpness.Result br = (BatchSharpness.Result) bs.get(i).result();
            assertEquals(sr.sharpness(), br.lambdaMax());
            assertEquals(8, br.batchSize());
            assertEquals(2 / 0.2, br.threshold(), 1e-12);
            assertTrue(br.miniBs() >= br.batchSharpnessSameBatches());
        }
    }

    @Test
    void fromParamsReadsEveryKeyAndRejectsBadOnes() {
        assertEquals(BatchSharpness.Config.DEFAULT, BatchSharpness.fromParams(Map.of()).config());
        assertNull(BatchSharpness.fromParams(Map.of()).config().miniBs());
        Map<String, Object> m = new HashMap<>();
        m.put("batch_size", 16);
        m.put("draws", 64);
        m.put("min_draws", 10);
        m.put("max_draws", 100);
        m.put("rel_tol", 0.01);
        m.put("stopping", "authors");
        m.put("mini_bs", true);
        m.put("mini_bs_draws", 8);
        m.put("mini_bs_tol", 1e-4);
        BatchSharpness.Config c = BatchSharpness.fromParams(m).config();
        assertEquals(new BatchSharpness.Config(16, 64, 10, 100, 0.01, "authors",
                MiniBatchSharpness.Config.SIMULTANEOUS.withDraws(8).withTol(1e-4)), c);
        assertEquals(MiniBatchSharpness.Config.SIMULTANEOUS,
                BatchSharpness.fromParams(Map.of("mini_bs", true)).config().miniBs());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchSharpness.fromParams(Map.of("mini_bs_draws", 16)));
        assertTrue(e.getMessage().contains("diagnostics.batch_sharpness.mini_bs_draws") && e.getMessage().contains("mini_bs"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BatchSharpness.fromParams(Map.of("stopping", "eoss")));
        assertTrue(e.getMessage().contains("sgdlab, authors"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BatchSharpness.fromParams(Map.of("samples", 3)));
        assertTrue(e.getMessage().contains("samples") && e.getMessage().contains("draws"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BatchSharpness.fromParams(Map.of("min_draws", 50,
                "max_draws", 10)));
        assertTrue(e.getMessage().contains("diagnostics.batch_sharpness.max_draws"), e.getMessage());
        assertEquals(MiniBatchSharpness.Config.DEFAULT, MiniBatchSharpness.fromParams(Map.of()).config());
        assertEquals(MiniBatchSharpness.Config.DEFAULT.withDraws(16).withBatchSize(4),
                MiniBatchSharpness.fromParams(Map.of("draws", 16, "batch_size", 4)).config());
        e = assertThrows(IllegalArgumentException.class, () -> MiniBatchSharpness.fromParams(Map.of("rel_tol", -1)));
        assertTrue(e.getMessage().contains("diagnostics.mini_bs.rel_tol"), e.getMessage());
        Problem p = SharpnessFixtures.tiny(5, 1);
        e = assertThrows(IllegalArgumentException.class, () -> new BatchSharpness(BatchSharpness.Config.DEFAULT
                .withBatchSize(9)).measure(StaticProbe.of(p, SharpnessFixtures.theta(p, 1, 1))));
        assertTrue(e.getMessage().contains("diagnostics.batch_sharpness.batch_size = 9 must be in [1, n = 5]"),
                e.getMessage());
    }
}
