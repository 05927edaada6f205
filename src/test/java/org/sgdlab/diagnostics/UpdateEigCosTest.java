package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.data.Samplers;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.tensor.Tensor;

/**
 * update_eig_cos (Q18) on the quadratic L(theta) = (1/2)[(2 theta_1)^2 + theta_2^2] = 2 theta_1^2 +
 * theta_2^2 / 2 (a linear model without bias on x = (2, 0), (0, 1), targets 0, plain squared loss):
 * H = diag(4, 1), u_1 = e_1, grad L = (4 theta_1, theta_2). A GD step from theta = (1, 0) moves along e_1
 * (cos = 1), from (0, 1) along e_2 (cos = 0), from (1, 1) along (4, 1) (cos = 4/sqrt 17).
 */
class UpdateEigCosTest {

    static final double ETA = 0.1;

    static Problem quadratic() {
        Dataset d = Dataset.regression("q", Tensor.matrix(new double[][] {{2, 0}, {0, 1}}), Tensor.zeros(2, 1));
        return new Problem(Dense.of(2, 1).withoutBias(), Losses.of("mse", MseConvention.PLAIN), d, null);
    }

    static Tensor topEigenvector(Problem p, Tensor theta) {
        Tensor h = Autodiff.hessian(p.objective(p.train()), theta);
        assertEquals(0.0, h.sub(Tensor.matrix(new double[][] {{4, 0}, {0, 1}})).abs().max().item(), 1e-14);
        return SymmetricEigen.decompose(h).vector(0);
    }

    static Tensor gdStep(Problem p, Tensor theta) {
        return theta.sub(p.valueAndGrad(theta, p.train()).grad().mul(ETA));
    }

    @Test
    void staticCosineOnTheQuadratic() {
        Problem p = quadratic();
        double[][] starts = {{1, 0}, {0, 1}, {1, 1}};
        double[] want = {1, 0, 4 / Math.sqrt(17)};
        for (int k = 0; k < 3; k++) {
            Tensor th = Tensor.vector(starts[k]);
            Tensor u1 = topEigenvector(p, th);
            assertEquals(want[k], UpdateEigCos.of(gdStep(p, th), th, u1), 1e-15);
        }
        assertTrue(Double.isNaN(UpdateEigCos.cosine(Tensor.zeros(2), Tensor.vector(1, 0))));
    }

    @Test
    void diagnosticReportsTheUpdateBetweenMeasurements() {
        Problem p = quadratic();
        double[][] starts = {{1, 0}, {0, 1}, {1, 1}};
        double[] want = {1, 0, 4 / Math.sqrt(17)};
        for (int k = 0; k < 3; k++) {
            Tensor th = Tensor.vector(starts[k]);
            StaticProbe at0 = StaticProbe.of(p, th).withStep(10);
            at0.shared().put(UpdateEigCos.SHARED_KEY, List.of(topEigenvector(p, th)));
            at0.shared().put(UpdateEigCos.SHARED_STEP_KEY, 10L);
            StaticProbe at1 = StaticProbe.of(p, gdStep(p, th)).withStep(11);
            UpdateEigCos d = UpdateEigCos.fromParams(Map.of());
            UpdateEigCos.Result first = d.measure(at0);
            assertTrue(Double.isNaN(first.updateEigCos()));
            assertFalse(first.available());
            Map<String, Tensor> state = d.exportState();
            UpdateEigCos.Result r = d.measure(at1);
            assertEquals(want[k], r.updateEigCos(), 1e-15);
            assertEquals(10, r.fromStep());
            assertEquals(1, r.steps());
            assertEquals(10, r.eigStep());
            assertEquals(ETA * Math.hypot(4 * starts[k][0], starts[k][1]), r.updateNorm(), 1e-15);
            assertTrue(r.available());
            // a resumed instance continues with the same number
            UpdateEigCos resumed = new UpdateEigCos();
            resumed.importState(state);
            assertEquals(r, withSeconds(resumed.measure(at1), r.seconds()));
        }
    }

    static UpdateEigCos.Result withSeconds(UpdateEigCos.Result r, double s) {
        return new UpdateEigCos.Result(r.updateEigCos(), r.fromStep(), r.steps(), r.eigStep(), r.updateNorm(),
                r.available(), s);
    }

    @Test
    void repeatedAndOutOfOrderMeasurements() {
        Problem p = quadratic();
        Tensor th = Tensor.vector(1, 0);
        Tensor u1 = topEigenvector(p, th);
        StaticProbe noEig = StaticProbe.of(p, th).withStep(0);
        StaticProbe withEig = StaticProbe.of(p, th).withStep(0);
        withEig.shared().put(UpdateEigCos.SHARED_KEY, u1);                     // a bare tensor [p]
        Tensor th1 = gdStep(p, th);
        UpdateEigCos d = new UpdateEigCos();
        d.measure(noEig);
        // the same step again: NaN, and the eigenvector published meanwhile is stored
        assertTrue(Double.isNaN(d.measure(withEig).updateEigCos()));
        StaticProbe at1 = StaticProbe.of(p, th1).withStep(1);
        UpdateEigCos.Result r = d.measure(at1);
        assertEquals(1.0, r.updateEigCos(), 1e-15);
        assertEquals(-1, r.eigStep());
        // a look-back to an earlier step (spike-triggered) gives NaN and leaves the state alone
        UpdateEigCos.Result back = d.measure(StaticProbe.of(p, th1.mul(7)).withStep(0));
        assertTrue(Double.isNaN(back.updateEigCos()));
        assertEquals(-1, back.fromStep());
        // at step 3, with no eigenvector stored at step 1: NaN, but the update from theta_1 is measured
        Tensor th3 = gdStep(p, th1);
        UpdateEigCos.Result r3 = d.measure(StaticProbe.of(p, th3).withStep(3));
        assertTrue(Double.isNaN(r3.updateEigCos()));
        assertEquals(2, r3.steps());
        assertEquals(1, r3.fromStep());
        assertEquals(th3.sub(th1).norm(), r3.updateNorm(), 0.0);
    }

    @Test
    void badSharedArtifactsFailLoudly() {
        Problem p = quadratic();
        StaticProbe wrongType = StaticProbe.of(p, Tensor.vector(1, 0));
        wrongType.shared().put(UpdateEigCos.SHARED_KEY, "u1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new UpdateEigCos().measure(wrongType));
        assertTrue(e.getMessage().contains("update_eig_cos") && e.getMessage().contains("hessian_eigenvectors"),
                e.getMessage());
        StaticProbe wrongSize = StaticProbe.of(p, Tensor.vector(1, 0));
        wrongSize.shared().put(UpdateEigCos.SHARED_KEY, List.of(Tensor.vector(1, 0, 0)));
        e = assertThrows(IllegalArgumentException.class, () -> new UpdateEigCos().measure(wrongSize));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("2 entries"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> UpdateEigCos.fromParams(Map.of("key", "x")));
        assertTrue(e.getMessage().contains("shared_key"), e.getMessage());
        assertEquals("lanczos_top", UpdateEigCos.fromParams(Map.of("shared_key", "lanczos_top")).config().sharedKey());
    }

    /** Stands in for the sharpness diagnostic: publishes the dense top Hessian eigenvector and its step. */
    record Top(double lambda) {
    }

    static final class DenseSharpness implements Diagnostic<Top> {
        private Map<String, Object> published = Map.of();

        @Override
        public String name() {
            return "sharpness";
        }

        @Override
        public Top measure(Probe probe) {
            Problem p = probe.problem();
            SymmetricEigen.Result e = SymmetricEigen.decompose(Autodiff.hessian(p.objective(p.train()), probe.theta()));
            published = Map.of(UpdateEigCos.SHARED_KEY, List.of(e.vector(0)), UpdateEigCos.SHARED_STEP_KEY, probe.step());
            return new Top(e.values()[0]);
        }

        @Override
        public Map<String, Object> publish() {
            return published;
        }
    }

    /**
     * In a GD run with sharpness and update_eig_cos measured every step (in that order), the value at step
     * t >= 1 is Q18's |cos(theta_t - theta_{t-1}, u_1(theta_{t-1}))|, recomputed here from the trajectory.
     */
    @Test
    void everyStepAfterSharpnessGivesTheQ18Quantity() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        Mlp net = Mlp.of(Activation.TANH, 2, 4, 1);
        Dataset d = Dataset.regression("t", Tensor.randn(r, 8, 2), Tensor.randn(r, 8, 1));
        Problem p = new Problem(net, Losses.of("mse", MseConvention.HALF), d, null);
        Tensor theta0 = net.init(r);
        double eta = 0.3;
        TrainConfig c = TrainConfig.builder(p, Optimizers.gd(Schedules.constant(eta)),
                        Samplers.create(Samplers.FULL_BATCH, 8, 8, 0))
                .steps(6).theta0(theta0)
                .diagnostic(Scheduled.every(new DenseSharpness(), 1))
                .diagnostic(Scheduled.every(new UpdateEigCos(), 1))
                .build();
        MetricsLog log = new MetricsLog();
        Trainer.run(c, log);
        List<MetricsLog.Measurement> ms = log.measurements(UpdateEigCos.NAME);
        assertEquals(7, ms.size());
        assertFalse(((UpdateEigCos.Result) ms.get(0).result()).available());
        Tensor th = theta0;
        for (int t = 1; t <= 6; t++) {
            Tensor u1 = SymmetricEigen.decompose(Autodiff.hessian(p.objective(d), th)).vector(0);
            Tensor next = th.sub(p.valueAndGrad(th, d).grad().mul(eta));
            UpdateEigCos.Result res = (UpdateEigCos.Result) ms.get(t).result();
            assertEquals(t, ms.get(t).step());
            assertEquals(t - 1, res.fromStep());
            assertEquals(t - 1, res.eigStep());
            assertEquals(UpdateEigCos.of(next, th, u1), res.updateEigCos(), 1e-9);
            th = next;
        }
    }
}
