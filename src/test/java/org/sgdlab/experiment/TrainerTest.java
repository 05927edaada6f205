package org.sgdlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Presets;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.tensor.Rng;

/** The training loop: determinism, independence from diagnostics, divergence, goals, resume. */
class TrainerTest {

    static Problem digits(int n) {
        Presets.Prepared p = Presets.digits(Presets.Options.defaults().withTrainSize(n).withTestSize(100));
        return new Problem(Mlp.of(Activation.of("tanh"), 64, 16, 10), Losses.of("mse", MseConvention.HALF), p.train(),
                p.test(), 64);
    }

    static TrainConfig.Builder sgd(Problem p, double lr, int b) {
        return TrainConfig.builder(p, Optimizers.sgd(Schedules.constant(lr)),
                Samplers.create(Samplers.EPOCH_SHUFFLE, p.train().size(), b, 7)).seed(3);
    }

    /** A diagnostic that consumes random numbers and records a statistic of theta. */
    record Noise(double draw, double thetaSum) {
    }

    static final class NoisyDiagnostic implements Diagnostic<Noise> {
        @Override
        public String name() {
            return "noisy";
        }

        @Override
        public Noise measure(Probe p) {
            double s = 0;
            for (int i = 0; i < 1000; i++) {
                s += p.rng(Rng.PROBES, name()).nextGaussian();
            }
            return new Noise(s, p.theta().sum().item());
        }
    }

    @Test
    void sameSeedSameRows() {
        Problem p = digits(200);
        MetricsLog a = new MetricsLog();
        MetricsLog b = new MetricsLog();
        Trainer.run(sgd(p, 0.1, 16).steps(60).build(), a);
        Trainer.run(sgd(p, 0.1, 16).steps(60).build(), b);
        assertEquals(61, a.rows().size());
        assertEquals(a.rows(), b.rows());
        assertEquals(Trainer.columns(sgd(p, 0.1, 16).build()), List.copyOf(a.rows().get(0).keySet()));
    }

    @Test
    void addingADiagnosticNeverChangesTheTrajectory() {
        Problem p = digits(200);
        MetricsLog plain = new MetricsLog();
        MetricsLog with = new MetricsLog();
        Trainer.run(sgd(p, 0.1, 16).steps(40).build(), plain);
        Trainer.run(sgd(p, 0.1, 16).steps(40).diagnostic(Scheduled.every(new NoisyDiagnostic(), 5)).build(), with);
        assertEquals(plain.rows(), with.rows());
        assertEquals(9, with.measurements("noisy").size());          // steps 0, 5, ..., 40
        assertEquals(40, with.measurements("noisy").get(8).step());
    }

    @Test
    void lossDecreasesAndMetricsAreConsistent() {
        Problem p = digits(300);
        MetricsLog log = new MetricsLog();
        RunResult r = Trainer.run(sgd(p, 0.2, 32).steps(300).build(), log);
        assertEquals(Status.COMPLETED, r.status());
        double[] loss = log.column("train_loss");
        assertTrue(loss[300] < 0.5 * loss[0], "loss " + loss[0] + " -> " + loss[300]);
        Map<String, Object> row0 = log.rows().get(0);
        assertEquals(0.0, (Double) row0.get("dist_from_init"));
        assertEquals(2 / 0.2, (Double) row0.get("threshold"), 1e-12);
        // epoch = floor(t / floor(n / b)) = floor(t / 9)
        assertEquals(2L, log.rows().get(18).get("epoch"));
        assertEquals(null, log.rows().get(300).get("batch_loss"));       // no update after the last step
    }

    @Test
    void fullBatchGdBatchLossEqualsTrainLoss() {
        Problem p = digits(100);
        MetricsLog log = new MetricsLog();
        Trainer.run(TrainConfig.builder(p, Optimizers.gd(Schedules.constant(0.1)),
                Samplers.create(Samplers.FULL_BATCH, 100, 100, 0)).steps(20).build(), log);
        for (int t = 0; t < 20; t++) {
            double tl = (Double) log.rows().get(t).get("train_loss");
            double bl = (Double) log.rows().get(t).get("batch_loss");
            assertEquals(tl, bl, 1e-14 * tl, "step " + t);
        }
    }

    /**
     * Full-batch steps that are evaluated take the loss, accuracy and gradient from one forward pass; the logged
     * values and the trajectory have the bits of the separate calls, done here by hand (evaluated and
     * non-evaluated steps, the full-batch gradient norm, the parameter norm of the next step).
     */
    @Test
    void fullBatchStepsHaveTheBitsOfSeparateEvaluationAndGradient() {
        Presets.Prepared d = Presets.digits(Presets.Options.defaults().withTrainSize(37).withTestSize(100));
        Problem p = new Problem(Mlp.of(Activation.of("tanh"), 64, 16, 10), Losses.of("mse", MseConvention.HALF),
                d.train(), d.test(), 1000);
        double lr = 0.3;
        TrainConfig c = TrainConfig.builder(p, Optimizers.gd(Schedules.constant(lr)),
                Samplers.create(Samplers.FULL_BATCH, 37, 37, 0)).steps(40).evalEvery(2).fullGradNorm(true).build();
        MetricsLog log = new MetricsLog();
        Trainer.run(c, log);
        org.sgdlab.tensor.Tensor theta = Trainer.initialTheta(c);
        int[] all = java.util.stream.IntStream.range(0, 37).toArray();
        for (int t = 0; t < 40; t++) {
            Map<String, Object> row = log.rows().get(t);
            assertEquals(bits(theta.norm()), bits((Double) row.get("param_norm")), "param_norm, step " + t);
            if (t % 2 == 0) {
                Problem.Eval e = p.evaluate(theta, p.train());
                assertEquals(bits(e.loss()), bits((Double) row.get("train_loss")), "train_loss, step " + t);
                assertEquals(bits(e.accuracy()), bits((Double) row.get("train_acc")), "train_acc, step " + t);
                assertEquals(bits(p.valueAndGrad(theta, p.train()).grad().norm()), bits((Double) row.get("grad_norm")),
                        "grad_norm, step " + t);
            } else {
                assertEquals(null, row.get("train_loss"), "not evaluated, step " + t);
            }
            org.sgdlab.autodiff.Autodiff.ValueAndGrad vg =
                    org.sgdlab.autodiff.Autodiff.valueAndGrad(p.objective(p.train().batch(all)), theta);
            assertEquals(bits(vg.loss()), bits((Double) row.get("batch_loss")), "batch_loss, step " + t);
            theta = theta.addScaled(vg.grad(), -lr);
        }
    }

    private static long bits(double x) {
        return Double.doubleToLongBits(x);
    }

    @Test
    void heavyBallWithZeroBetaIsGd() {
        Problem p = digits(100);
        MetricsLog gd = new MetricsLog();
        MetricsLog hb = new MetricsLog();
        var s = Samplers.create(Samplers.EPOCH_SHUFFLE, 100, 10, 1);
        Trainer.run(TrainConfig.builder(p, Optimizers.gd(Schedules.constant(0.3)), s).steps(30).build(), gd);
        Trainer.run(TrainConfig.builder(p, Optimizers.heavyBall(Schedules.constant(0.3), 0.0), s).steps(30).build(), hb);
        assertEquals(gd.column("train_loss").length, hb.column("train_loss").length);
        for (int i = 0; i < 31; i++) {
            assertEquals(gd.column("train_loss")[i], hb.column("train_loss")[i], 0.0);
            assertEquals(gd.column("param_norm")[i], hb.column("param_norm")[i], 0.0);
        }
    }

    @Test
    void divergenceIsDataNotAnException() {
        Problem p = digits(100);
        MetricsLog log = new MetricsLog();
        RunResult r = Trainer.run(TrainConfig.builder(p, Optimizers.gd(Schedules.constant(500.0)),
                Samplers.create(Samplers.FULL_BATCH, 100, 100, 0)).steps(1000).build(), log);
        assertEquals(Status.DIVERGED, r.status());
        assertTrue(r.steps() < 1000, "diverged at step " + r.steps());
        assertEquals(r.steps(), ((Number) log.rows().get(log.rows().size() - 1).get("step")).longValue());
        MetricsLog bounded = new MetricsLog();
        RunResult rb = Trainer.run(TrainConfig.builder(p, Optimizers.gd(Schedules.constant(50.0)),
                Samplers.create(Samplers.FULL_BATCH, 100, 100, 0)).steps(1000).divergenceLoss(10).build(), bounded);
        assertEquals(Status.DIVERGED, rb.status());
        assertEquals("loss_bound", rb.reason());
        assertTrue(rb.lastValue("train_loss") > 10);
    }

    @Test
    void lossGoalStopsTheRun() {
        Problem p = digits(100);
        MetricsLog log = new MetricsLog();
        RunResult r = Trainer.run(sgd(p, 0.3, 10).steps(5000).lossGoal(0.2).build(), log);
        assertEquals(Status.COMPLETED, r.status());
        assertEquals("loss_goal", r.reason());
        assertTrue(r.lastValue("train_loss") <= 0.2);
        double[] l = log.column("train_loss");
        for (int i = 0; i < l.length - 1; i++) {
            assertTrue(l[i] > 0.2, "the goal was already met at step " + i);
        }
    }

    @Test
    void logEveryThinsTheRowsWithoutChangingTheTrajectory() {
        Problem p = digits(100);
        MetricsLog all = new MetricsLog();
        MetricsLog thin = new MetricsLog();
        Trainer.run(sgd(p, 0.2, 10).steps(23).build(), all);
        Trainer.run(sgd(p, 0.2, 10).steps(23).logEvery(5).build(), thin);
        assertEquals(List.of(0L, 5L, 10L, 15L, 20L, 23L), java.util.Arrays.stream(thin.steps()).boxed().toList());
        for (var row : thin.rows()) {
            assertEquals(all.rows().get(((Number) row.get("step")).intValue()), row);
        }
    }

    @Test
    void aControllerCanChangeTheScheduleMidRun() {
        Problem p = digits(100);
        var s = Samplers.create(Samplers.EPOCH_SHUFFLE, 100, 10, 1);
        MetricsLog piecewise = new MetricsLog();
        MetricsLog controlled = new MetricsLog();
        Trainer.run(TrainConfig.builder(p, Optimizers.sgd(Schedules.piecewise(new long[] {10}, new double[] {0.3, 0.1})), s)
                .steps(25).build(), piecewise);
        Trainer.run(TrainConfig.builder(p, Optimizers.sgd(Schedules.constant(0.3)), s).steps(25)
                .controller((probe, opt) -> probe.step() == 10 ? opt.withSchedule(Schedules.constant(0.1)) : opt)
                .build(), controlled);
        assertEquals(piecewise.rows(), controlled.rows());
        assertEquals(0.1, (Double) controlled.rows().get(10).get("lr"), 0.0);
    }

    @Test
    void resumeFromACheckpointReproducesTheRows() {
        Problem p = digits(150);
        List<Checkpoint> cks = new ArrayList<>();
        MetricsLog full = new MetricsLog();
        TrainConfig c = TrainConfig.builder(p, Optimizers.heavyBall(Schedules.linearWarmup(0.1, 20), 0.9),
                Samplers.create(Samplers.EPOCH_SHUFFLE, 150, 16, 5)).seed(11).steps(50).checkpointEvery(20)
                .labelNoiseStd(0.1).build();
        Trainer.run(c, RunListener.all(full, new RunListener() {
            @Override
            public void checkpoint(Checkpoint ck) {
                cks.add(ck);
            }
        }));
        assertEquals(2, cks.size());
        MetricsLog resumed = new MetricsLog();
        Trainer.resume(c, cks.get(0), resumed);
        assertEquals(full.rows().subList(20, 51), resumed.rows());
    }

    /** lambda_1 of K-bar = J J^T / n (c = 1/2, Q10.1) from the explicit Jacobian of the outputs (oracle). */
    private static double kernelTopByHand(Problem p, org.sgdlab.tensor.Tensor theta) {
        org.sgdlab.tensor.Tensor j = org.sgdlab.autodiff.Autodiff.jacobian(
                th -> p.model().apply(th, p.train().x()).reshape(-1), theta);
        org.sgdlab.tensor.Tensor k = j.matmul(j, false, true).div(p.train().size());
        k = k.add(k.transpose()).mul(0.5);
        return org.sgdlab.linalg.SymmetricEigen.eigenvalues(k)[0];
    }

    @Test
    void milestoneAdaptiveSetsEtaFromTheKernelAtEachMilestoneAndSurvivesResume() {
        Problem p = digits(30);
        var s = Samplers.create(Samplers.FULL_BATCH, 30, 30, 0);
        double eta0 = 0.05;
        List<Checkpoint> cks = new ArrayList<>();
        MetricsLog log = new MetricsLog();
        TrainConfig c = TrainConfig.builder(p, Optimizers.gd(org.sgdlab.optim.MilestoneAdaptive.of(eta0, new long[] {3, 6}, 1.4)), s)
                .seed(2).steps(10).checkpointEvery(4).build();
        RunResult r = Trainer.run(c, RunListener.all(log, new RunListener() {
            @Override
            public void checkpoint(Checkpoint ck) {
                cks.add(ck);
            }
        }));
        assertEquals(10, r.steps());
        // before the first milestone eta_0; at milestone 3: 1.4 * 2 / lambda_1(K-bar(theta_3)), theta_3 from plain GD
        assertEquals(eta0, (Double) log.rows().get(2).get("lr"), 0.0);
        RunResult gd = Trainer.run(TrainConfig.builder(p, Optimizers.gd(Schedules.constant(eta0)), s).seed(2).steps(3).build(),
                new MetricsLog());
        double expected = 1.4 * 2 / kernelTopByHand(p, gd.theta());
        double lr3 = (Double) log.rows().get(3).get("lr");
        assertEquals(expected, lr3, 1e-9 * expected);
        assertEquals(lr3, (Double) log.rows().get(5).get("lr"), 0.0);
        double lr6 = (Double) log.rows().get(6).get("lr");
        assertTrue(lr6 != lr3 && lr6 > 0, "milestone 6 sets a new value: " + lr6);
        assertEquals(2 / lr6, (Double) log.rows().get(7).get("threshold"), 1e-12 / lr6);
        // resume from the checkpoint at step 8 (both values set before it) reproduces the rows
        assertEquals(2, cks.size());
        MetricsLog resumed = new MetricsLog();
        Trainer.resume(c, cks.get(1), resumed);
        assertEquals(log.rows().subList(8, 11), resumed.rows());
    }
}
