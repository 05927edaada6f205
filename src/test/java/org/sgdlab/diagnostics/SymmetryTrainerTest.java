package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Samplers;
import org.sgdlab.data.Synthetic;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.nn.Init;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.TwoLayerLinear;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;

/**
 * The symmetry diagnostics inside a training run (S1 of STUDIES.md §6.1): the charge measured at consecutive
 * steps moves by exactly the increment predicted at the earlier step from the batch the trainer used.
 */
class SymmetryTrainerTest {

    @Test
    void chargeMeasuredEveryStepObeysTheExactIdentityAlongTheRun() {
        TwoLayerLinear m = TwoLayerLinear.of(4, 4, 4).withInit(Init.normal(0.5));
        Dataset d = Synthetic.linearTeacher(40, 1, new double[] {1, 1, 1, 1}, 4, new double[] {0.5},
                new SplittableRandom(1)).train();
        Problem pr = new Problem(m, Losses.squared(MseConvention.HALF), d, null);
        List<List<Double>> b = List.of(List.of(1.0, 0.5, 0.0, 0.0), List.of(0.5, -1.0, 0.2, 0.0),
                List.of(0.0, 0.2, 0.3, 0.1), List.of(0.0, 0.0, 0.1, 2.0));
        NoetherCharge charge = NoetherCharge.fromParams(Map.of("kind", "two_layer", "matrix", b));
        LinearNetSymmetry sym = LinearNetSymmetry.fromParams(Map.of());
        NoiseCovariance noise = NoiseCovariance.fromParams(Map.of("top_k", 2));
        SelfStabilization ss = SelfStabilization.fromParams(Map.of("grad_s_every", 5));
        int steps = 40;
        TrainConfig c = TrainConfig.builder(pr, Optimizers.sgd(Schedules.constant(0.05)),
                        Samplers.create(Samplers.IID_WITH_REPLACEMENT, d.size(), 4, 7)).seed(3).steps(steps)
                .diagnostic(Scheduled.every(charge, 1)).diagnostic(Scheduled.every(sym, 10))
                .diagnostic(Scheduled.every(noise, 20)).diagnostic(Scheduled.every(ss, 1)).build();
        MetricsLog log = new MetricsLog();
        Trainer.run(c, log);
        List<MetricsLog.Measurement> ms = log.measurements(NoetherCharge.NAME);
        assertEquals(steps + 1, ms.size());
        double moved = 0;
        for (int t = 0; t < steps; t++) {
            NoetherCharge.Result now = (NoetherCharge.Result) ms.get(t).result();
            NoetherCharge.Result next = (NoetherCharge.Result) ms.get(t + 1).result();
            assertEquals(t, ms.get(t).step());
            double dc = next.cA() - now.cA();
            double tol = 1e-10 * Math.max(1, Math.abs(now.batchIncrement()));
            assertEquals(now.batchIncrement(), dc, tol, "step " + t);
            assertTrue(now.orthogonality() < 1e-12);
            moved += Math.abs(dc);
        }
        assertTrue(moved > 1e-8, "the charge did not move: " + moved);
        // the other diagnostics ran on their schedules and produced finite numbers
        List<MetricsLog.Measurement> symMs = log.measurements(LinearNetSymmetry.NAME);
        assertEquals(5, symMs.size());
        LinearNetSymmetry.Result s0 = (LinearNetSymmetry.Result) symMs.get(0).result();
        assertTrue(s0.closedForm() && s0.orbitAttained() && s0.traceHPredicted() <= s0.traceH());
        NoiseCovariance.Result n0 = (NoiseCovariance.Result) log.measurements(NoiseCovariance.NAME).get(0).result();
        assertEquals(s0.noiseTrace(), n0.noiseTrace(), 1e-10 * n0.noiseTrace());
        assertTrue(n0.noiseEig()[0] >= n0.noiseEig()[1] && n0.noiseEig()[1] >= 0);
        List<MetricsLog.Measurement> ssMs = log.measurements(SelfStabilization.NAME);
        SelfStabilization.Result ss1 = (SelfStabilization.Result) ssMs.get(1).result();
        SelfStabilization.Result ss5 = (SelfStabilization.Result) ssMs.get(5).result();
        assertTrue(Double.isFinite(ss1.ssX()) && Double.isNaN(ss1.ssAlpha()));
        assertTrue(Double.isFinite(ss5.ssAlpha()) && Double.isFinite(ss5.ssBeta()));
    }
}
