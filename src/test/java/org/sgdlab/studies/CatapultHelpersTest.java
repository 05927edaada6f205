package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Samplers;
import org.sgdlab.data.Synthetic;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.TwoLayerNtk;
import org.sgdlab.optim.MilestoneAdaptive;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Unit tests of the catapult studies' machinery, each against an independent oracle: hand-computed statistics,
 * the network and its kernel written out as loops, and a hand-written SGD replay of the P1-C stop rule.
 */
class CatapultHelpersTest {

    // ------------------------------------------------------------------------------------ statistics

    @Test
    void ranksGiveTiesTheirAveragePosition() {
        assertArrayEquals(new double[] {3, 1.5, 4, 1.5, 5}, CatapultStats.ranks(new double[] {3, 1, 4, 1, 5}), 0);
        assertArrayEquals(new double[] {2, 2, 2}, CatapultStats.ranks(new double[] {7, 7, 7}), 0);
    }

    @Test
    void spearmanWithTiesMatchesAHandComputation() {
        // ranks (1, 2.5, 2.5, 4) vs (1, 2, 3, 4): sum d_a d_b = 4.5, sum d_a^2 = 4.5, sum d_b^2 = 5
        assertEquals(4.5 / Math.sqrt(4.5 * 5), CatapultStats.spearman(new double[] {1, 2, 2, 3},
                new double[] {10, 20, 30, 40}), 1e-15);
        assertEquals(-1, CatapultStats.spearman(new double[] {1, 2, 3}, new double[] {30, 20, 10}), 1e-15);
        // monotone but non-linear: rank correlation 1
        assertEquals(1, CatapultStats.spearman(new double[] {1, 2, 3, 4}, new double[] {1, 8, 27, 64}), 1e-15);
        assertTrue(Double.isNaN(CatapultStats.spearman(new double[] {1, 1, 1}, new double[] {1, 2, 3})));
    }

    @Test
    void medianMeanAndMonotonicity() {
        assertEquals(2, CatapultStats.median(new double[] {3, 1, 2}), 0);
        assertEquals(2.5, CatapultStats.median(new double[] {4, 1, 3, 2}), 0);
        assertTrue(Double.isNaN(CatapultStats.median(new double[0])));
        assertThrows(IllegalArgumentException.class, () -> CatapultStats.median(new double[] {1, Double.NaN}));
        assertEquals(2, CatapultStats.mean(new double[] {1, 2, 3}), 0);
        assertTrue(CatapultStats.nonIncreasing(new double[] {3, 3, 1}));
        assertFalse(CatapultStats.nonIncreasing(new double[] {3, 1, 2}));
        assertTrue(CatapultStats.nonDecreasing(new double[] {1, 1, 2}));
        assertTrue(CatapultStats.decreasing(new double[] {3, 2, 1}));
        assertFalse(CatapultStats.decreasing(new double[] {3, 3, 1}));
        assertTrue(CatapultStats.increasing(new double[] {1, 2, 3}));
        assertFalse(CatapultStats.increasing(new double[] {1, Double.NaN, 3}));
    }

    @Test
    void conditionalProbabilitiesAndRuns() {
        boolean[] a = {true, false, true, true};
        boolean[] b = {true, true, false, true};
        assertEquals(2.0 / 3, CatapultStats.conditional(a, b), 1e-15);
        assertEquals(2.0 / 3, CatapultStats.conditional(b, a), 1e-15);
        assertEquals(1.0, CatapultStats.conditional(a, CatapultStats.not(b)), 0);
        assertTrue(Double.isNaN(CatapultStats.conditional(a, new boolean[4])));
        assertEquals(0.75, CatapultStats.fraction(a), 0);
        assertArrayEquals(new boolean[] {false, true, false, false, true, true},
                CatapultStats.runEnding(new boolean[] {true, true, false, true, true, true}, 2));
        assertThrows(IllegalArgumentException.class, () -> CatapultStats.conditional(a, new boolean[3]));
    }

    @Test
    void offlineSpikeDetectionFollowsQ12() {
        // L_0 = 1; 2.5 > 2 * 1 starts a spike at t = 2, the peak 5 at t = 3; 1.2 <= sqrt(2) * 1 ends it at t = 4
        var det = CatapultSetup.detect(new double[] {1, 0.9, 2.5, 5, 1.2, 1.1, 0.5}, 2);
        assertEquals(1, det.count());
        var s = det.all().get(0);
        assertEquals(2, s.onset());
        assertEquals(3, s.peak());
        assertEquals(4L, s.end());
        assertEquals(0, CatapultSetup.detect(new double[] {1, 0.9, 0.8, 0.5}, 2).count());
    }

    @Test
    void chiFromStartDividesTheLargestRestUpToTheEndByTheFirstRest() {
        // rest 0.6, 0.4, 0.2, 0.9, 0.3, 2.0: up to end = 4 the largest is 0.9 -> 0.9 / 0.6 = 1.5 (the 2.0 at t = 5 is
        // after the end); an open spike (end null) runs to the last step -> 2.0 / 0.6; Q10.3's chi with onset 3 would
        // instead give 0.9 / 0.2 = 4.5 (SpikeShares.chi), which is the number the gate uses
        double[] rest = {0.6, 0.4, 0.2, 0.9, 0.3, 2.0};
        List<org.sgdlab.diagnostics.SpikeShares.Point> pts = new ArrayList<>();
        for (int t = 0; t < rest.length; t++) {
            pts.add(new org.sgdlab.diagnostics.SpikeShares.Point(t, 1.0, 1.0 - rest[t], rest[t]));
        }
        assertEquals(1.5, CatapultStats.chiFromStart(pts, 4L), 1e-15);
        assertEquals(2.0 / 0.6, CatapultStats.chiFromStart(pts, null), 1e-15);
        assertEquals(4.5, org.sgdlab.diagnostics.SpikeShares.chi(pts, 3, 4L), 1e-15);
        // monotone decreasing rest: exactly 1 (the reference's "chi_5 = 1.00" at nu = 1.2)
        List<org.sgdlab.diagnostics.SpikeShares.Point> dec = List.of(
                new org.sgdlab.diagnostics.SpikeShares.Point(0, 1, 0.5, 0.5),
                new org.sgdlab.diagnostics.SpikeShares.Point(1, 1, 0.6, 0.4));
        assertEquals(1.0, CatapultStats.chiFromStart(dec, 1L), 0);
        assertThrows(IllegalArgumentException.class, () -> CatapultStats.chiFromStart(List.of(), 1L));
    }

    // ------------------------------------------------------------------------------------ setup (§3.1)

    @Test
    void theNetworkIsTheNtkTwoLayerReluOfSection31WithStandardNormalInit() {
        int d = 7;
        int m = 4000;
        TwoLayerNtk net = TwoLayerNtk.of(d, m);
        assertEquals(m * (d + 1), net.numParams(), "p = m (d + 1), no biases");
        Tensor theta = net.init(Rng.stream(3, Rng.INIT));
        double[] u = net.layout().view(theta, "0.weight").toArray();
        double[] v = net.layout().view(theta, "2.weight").toArray();
        assertEquals(m * d, u.length);
        assertEquals(m, v.length);
        // u_i ~ N(0, I_d), v_i ~ N(0, 1): sample mean and variance within 5 standard errors
        checkStandardNormal("u", u);
        checkStandardNormal("v", v);
        // f(x) = (1/sqrt(m)) sum_i v_i relu(u_i . x / sqrt(d)), written out
        Tensor x = Tensor.randn(new SplittableRandom(9), 3, d);
        double[] f = net.apply(theta, x).toArray();
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int i = 0; i < m; i++) {
                double z = 0;
                for (int k = 0; k < d; k++) {
                    z += u[i * d + k] * x.get(j, k);
                }
                s += v[i] * Math.max(0, z / Math.sqrt(d));
            }
            assertEquals(s / Math.sqrt(m), f[j], 1e-12 * Math.max(1, Math.abs(s)));
        }
    }

    private static void checkStandardNormal(String name, double[] w) {
        double mean = CatapultStats.mean(w);
        double var = 0;
        for (double x : w) {
            var += (x - mean) * (x - mean);
        }
        var /= w.length - 1;
        assertEquals(0, mean, 5 / Math.sqrt(w.length), name + " mean");
        assertEquals(1, var, 5 * Math.sqrt(2.0 / w.length), name + " variance");
    }

    @Test
    void dataAreGaussianInputsWithTargetX1X2AndTheTestSetFollowsTheTrainingSetInOneStream() {
        Problem p = CatapultSetup.problem(30, 20, 4, 8, 11);
        var rng = Rng.stream(11, Rng.DATA);
        Dataset train = Synthetic.gaussianTarget(30, 4, Synthetic.Target.X1X2, rng);
        Dataset test = Synthetic.gaussianTarget(20, 4, Synthetic.Target.X1X2, rng);
        assertArrayEquals(train.x().toArray(), p.train().x().toArray(), 0);
        assertArrayEquals(test.x().toArray(), p.test().x().toArray(), 0);
        for (Dataset ds : List.of(p.train(), p.test())) {
            for (int i = 0; i < ds.size(); i++) {
                assertEquals(ds.x().get(i, 0) * ds.x().get(i, 1), ds.y().get(i, 0), 0);
            }
        }
        assertEquals("x1x2", p.train().name(), "the AGOP diagnostic finds the target by the training set's name");
        assertEquals(0.5, CatapultSetup.problem(5, 0, 3, 2, 1).loss() instanceof org.sgdlab.nn.SquaredLoss sq
                ? sq.convention().factor() : Double.NaN, 0, "c = 1/2");
    }

    @Test
    void testMseHasNoHalf() {
        Problem p = CatapultSetup.problem(10, 25, 3, 6, 2);
        Tensor theta = CatapultSetup.init(p, 4);
        double[] f = p.model().apply(theta, p.test().x()).toArray();
        double s = 0;
        for (int j = 0; j < 25; j++) {
            double r = f[j] - p.test().x().get(j, 0) * p.test().x().get(j, 1);
            s += r * r;
        }
        assertEquals(s / 25, CatapultSetup.testMse(p, theta), 1e-13);
    }

    @Test
    void etaCritUsesTheKernelOfTheInitialParametersWrittenAsLoops() {
        Problem p = CatapultSetup.problem(12, 0, 3, 5, 7);
        Tensor theta = CatapultSetup.init(p, 1);
        double lam = naiveTopEigenvalue(naiveKernel(p, theta));
        assertEquals(lam, CatapultSetup.lambda1(p, theta, CatapultSetup.DENSE, 1), 1e-12 * lam);
        assertEquals(lam, CatapultSetup.lambda1(p, theta, CatapultSetup.LANCZOS, 1), 1e-9 * lam);
    }

    // ------------------------------------------------------------------------------------ milestone-adaptive (Q3.5)

    @Test
    void milestoneScheduleIsPendingOnlyAtAnUnsetMilestoneStep() {
        CatapultMilestones s = new CatapultMilestones(MilestoneAdaptive.of(0.5, new long[] {3, 6}, 1.4));
        assertEquals(0.5, s.lr(2), 0);
        assertTrue(Double.isNaN(s.lr(3)), "pending until the controller sets it");
        assertThrows(IllegalStateException.class, () -> s.lr(4), "a skipped milestone still fails loudly");
        CatapultMilestones t = s.withCurvature(3, 2.0);
        assertEquals(1.4 * 2 / 2.0, t.lr(3), 0);
        assertEquals(1.4, t.lr(5), 0);
        assertTrue(Double.isNaN(t.lr(6)));
        assertArrayEquals(new long[] {200, 400, 600}, CatapultMilestones.milestones(3, 200));
        assertThrows(IllegalArgumentException.class, () -> CatapultMilestones.milestones(0, 200));
    }

    @Test
    void theControllerSetsEtaToCmTimesTwoOverLambda1AtEachMilestone() {
        Problem p = CatapultSetup.problem(16, 0, 3, 6, 5);
        long seed = 2;
        Tensor theta0 = CatapultSetup.init(p, seed);
        double eta0 = 0.5 * 2 / naiveTopEigenvalue(naiveKernel(p, theta0));
        long[] ms = {2, 4};
        CatapultMilestones.Control control = new CatapultMilestones.Control(CatapultSetup.DENSE);
        TrainConfig c = TrainConfig.builder(p, Optimizers.gd(new CatapultMilestones(MilestoneAdaptive.of(eta0, ms, 1.4))),
                        Samplers.create(Samplers.FULL_BATCH, 16, 16, seed))
                .steps(6).seed(seed).controller(control).build();
        MetricsLog log = new MetricsLog();
        Trainer.run(c, log);
        // replay GD by hand: the learning rate changes at the milestones to 1.4 * 2 / lambda_1 of the naive kernel
        Tensor theta = theta0;
        double eta = eta0;
        List<Double> expected = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            if (t == 2 || t == 4) {
                eta = 1.4 * 2 / naiveTopEigenvalue(naiveKernel(p, theta));
                expected.add(eta);
            }
            assertEquals(eta, (Double) log.rows().get(t).get("lr"), 1e-10 * eta, "lr at step " + t);
            theta = theta.addScaled(Autodiff.grad(p.objective(p.train()), theta), -eta);
        }
        assertEquals(2, control.changes().size());
        for (int j = 0; j < 2; j++) {
            assertEquals(ms[j], control.changes().get(j).step());
            assertEquals(expected.get(j), control.changes().get(j).eta(), 1e-10 * expected.get(j));
        }
        assertArrayEquals(theta.toArray(), log.result().theta().toArray(), 1e-9);
    }

    /** The Trainer sets a plain milestone-adaptive schedule itself (before the row); a controller may still override it. */
    @Test
    void aPlainMilestoneAdaptiveScheduleWorksWithAController() {
        Problem p = CatapultSetup.problem(16, 0, 3, 6, 5);
        TrainConfig c = TrainConfig.builder(p, Optimizers.gd(MilestoneAdaptive.of(0.1, new long[] {2}, 1.4)),
                        Samplers.create(Samplers.FULL_BATCH, 16, 16, 0))
                .steps(4).controller((probe, opt) -> probe.step() == 2
                        ? opt.withSchedule(((MilestoneAdaptive) opt.schedule()).withCurvature(2, 1.0)) : opt)
                .build();
        RunResult r = Trainer.run(c, new MetricsLog());
        assertEquals(4, r.steps());
    }

    // ------------------------------------------------------------------------------------ P1-C stop rule (§4.1)

    @Test
    void p1cStopsAtTheFirstEpochEndBelowTheGoalNotAtTheFirstStepBelowIt() {
        int n = 20;
        int b = 5;
        int spe = n / b;
        Problem p = CatapultSetup.problem(n, 0, 3, 12, 8);
        long netSeed = 1;
        long batchSeed = 101;
        Tensor theta0 = CatapultSetup.init(p, netSeed);
        double eta = 0.7 * 2 / naiveTopEigenvalue(naiveKernel(p, theta0));
        BatchSampler sampler = Samplers.create(Samplers.EPOCH_SHUFFLE, n, b, batchSeed);
        // replay SGD with hand-written gradients and the full loss (1/2n) sum r^2
        int horizon = 400;
        double[] loss = new double[horizon + 1];
        Tensor theta = theta0;
        for (int t = 0; t <= horizon; t++) {
            loss[t] = naiveLoss(p, theta, all(n));
            if (t < horizon) {
                theta = theta.addScaled(naiveGrad(p, theta, sampler.batch(t)), -eta);
            }
        }
        // a goal reached first between epoch ends: t1 is not an epoch end and no epoch end up to t1 is below L(t1)
        int t1 = -1;
        double bestEpochEnd = Double.POSITIVE_INFINITY;
        for (int t = 0; t <= horizon && t1 < 0; t++) {
            if (t % spe == 0) {
                bestEpochEnd = Math.min(bestEpochEnd, loss[t]);
            } else if (t > horizon / 4 && loss[t] < bestEpochEnd) {
                t1 = t;
            }
        }
        assertTrue(t1 > 0, "no step between epoch ends set a new low; choose another seed");
        double goal = loss[t1];
        int stop = -1;
        for (int t = 0; t <= horizon && stop < 0; t++) {
            if (t % spe == 0 && loss[t] <= goal) {
                stop = t;
            }
        }
        assertTrue(stop > t1, "the replay never reached the goal at an epoch end");
        TrainConfig c = CatapultSgdStudy.PartC.config(p, b, eta, netSeed, batchSeed, horizon, false);
        TrainConfig withGoal = new TrainConfig(c.problem(), c.optimizer(), c.sampler(), c.steps(), c.seed(), c.theta0(),
                c.evalEvery(), c.testEvery(), goal, c.accuracyGoal(), c.divergenceLoss(), c.divergenceParam(),
                c.labelNoiseStd(), c.spikeKappa(), c.checkpointEvery(), c.fullGradNorm(), c.diagnostics(), c.controller(), c.logEvery());
        MetricsLog log = new MetricsLog();
        RunResult r = Trainer.run(withGoal, log);
        assertEquals(stop, r.steps(), "stop step (first epoch end with L <= goal; first step below it: " + t1 + ")");
        assertEquals("loss_goal", r.reason());
        double[] logged = CatapultSetup.FullLoss.series(log);
        assertEquals(stop + 1, logged.length, "L(theta_t) logged for every step 0..stop");
        for (int t = 0; t <= stop; t++) {
            assertEquals(loss[t], logged[t], 1e-10 * loss[t], "full loss at step " + t);
        }
        assertEquals(1, log.measurements("agop").size(), "AGOP alignment measured once, at the stop");
    }

    // ------------------------------------------------------------------------------------ oracles

    private static int[] all(int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        return idx;
    }

    /** u [m, d], v [m] of theta, and the inputs and targets as arrays. */
    private record Net(int d, int m, double[] u, double[] v) {
        static Net of(Problem p, Tensor theta) {
            TwoLayerNtk net = (TwoLayerNtk) p.model();
            return new Net(net.inputDim(), net.width(), net.layout().view(theta, "0.weight").toArray(),
                    net.layout().view(theta, "2.weight").toArray());
        }

        double z(Dataset ds, int j, int i) {
            double z = 0;
            for (int k = 0; k < d; k++) {
                z += u[i * d + k] * ds.x().get(j, k);
            }
            return z / Math.sqrt(d);
        }

        double f(Dataset ds, int j) {
            double s = 0;
            for (int i = 0; i < m; i++) {
                s += v[i] * Math.max(0, z(ds, j, i));
            }
            return s / Math.sqrt(m);
        }

        /** grad_theta f(x_j) in the layout order: u (row-major), then v. */
        double[] grad(Dataset ds, int j) {
            double[] g = new double[m * d + m];
            for (int i = 0; i < m; i++) {
                double z = z(ds, j, i);
                if (z > 0) {
                    for (int k = 0; k < d; k++) {
                        g[i * d + k] = v[i] * ds.x().get(j, k) / Math.sqrt((double) m * d);
                    }
                }
                g[m * d + i] = Math.max(0, z) / Math.sqrt(m);
            }
            return g;
        }
    }

    /** L = (1/2|S|) sum_{j in S} (f(x_j) - y_j)^2. */
    private static double naiveLoss(Problem p, Tensor theta, int[] idx) {
        Net net = Net.of(p, theta);
        double s = 0;
        for (int j : idx) {
            double r = net.f(p.train(), j) - p.train().y().get(j, 0);
            s += r * r;
        }
        return s / (2.0 * idx.length);
    }

    /** grad of the batch loss (1/2b) sum_{j in B} r_j^2 = (1/b) sum r_j grad f(x_j). */
    private static Tensor naiveGrad(Problem p, Tensor theta, int[] batch) {
        Net net = Net.of(p, theta);
        double[] g = new double[theta.size()];
        for (int j : batch) {
            double r = net.f(p.train(), j) - p.train().y().get(j, 0);
            double[] gj = net.grad(p.train(), j);
            for (int q = 0; q < g.length; q++) {
                g[q] += r * gj[q] / batch.length;
            }
        }
        return Tensor.vector(g);
    }

    /** K-bar = (1/n) J J^T with J from the hand-written gradients. */
    private static double[][] naiveKernel(Problem p, Tensor theta) {
        Net net = Net.of(p, theta);
        int n = p.train().size();
        double[][] j = new double[n][];
        for (int a = 0; a < n; a++) {
            j[a] = net.grad(p.train(), a);
        }
        double[][] k = new double[n][n];
        for (int a = 0; a < n; a++) {
            for (int c = 0; c < n; c++) {
                double s = 0;
                for (int q = 0; q < j[a].length; q++) {
                    s += j[a][q] * j[c][q];
                }
                k[a][c] = s / n;
            }
        }
        return k;
    }

    /** The top eigenvalue of a symmetric PSD matrix by power iteration to convergence. */
    private static double naiveTopEigenvalue(double[][] k) {
        int n = k.length;
        double[] x = new double[n];
        java.util.Arrays.fill(x, 1);
        double lam = 0;
        for (int it = 0; it < 100000; it++) {
            double[] y = new double[n];
            for (int a = 0; a < n; a++) {
                for (int c = 0; c < n; c++) {
                    y[a] += k[a][c] * x[c];
                }
            }
            double norm = 0;
            for (double q : y) {
                norm += q * q;
            }
            norm = Math.sqrt(norm);
            double rayleigh = 0;
            for (int a = 0; a < n; a++) {
                rayleigh += x[a] * y[a];
            }
            for (int a = 0; a < n; a++) {
                x[a] = y[a] / norm;
            }
            if (Math.abs(rayleigh - lam) <= 1e-15 * Math.abs(rayleigh) && it > 10) {
                return rayleigh;
            }
            lam = rayleigh;
        }
        return lam;
    }
}
