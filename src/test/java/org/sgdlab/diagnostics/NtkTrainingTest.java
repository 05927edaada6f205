package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.TwoLayerNtk;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** The kernel and AGOP diagnostics inside the training loop (a miniature catapult-gd P1-A), by exact identities. */
class NtkTrainingTest {

    @Test
    void diagnosticsAgreeWithTheTrainingLoop() {
        SplittableRandom data = new SplittableRandom(1);
        int n = 32;
        int d = 5;
        Dataset train = Synthetic.gaussianTarget(n, d, Synthetic.Target.X1X2, data);
        Dataset test = Synthetic.gaussianTarget(20, d, Synthetic.Target.X1X2, data);
        TwoLayerNtk net = TwoLayerNtk.of(d, 64);
        Problem problem = new Problem(net, Losses.of("mse", MseConvention.HALF), train, test);
        long seed = 0;
        Tensor theta0 = net.init(Rng.stream(seed, Rng.INIT));
        double etaCrit = CriticalLearningRate.atInit(problem, theta0, new SplittableRandom(0));
        double eta = 1.5 * etaCrit;
        TrainConfig config = TrainConfig.builder(problem, Optimizers.gd(Schedules.constant(eta)),
                        Samplers.create(Samplers.FULL_BATCH, n, n, seed))
                .seed(seed).steps(25).spikeKappa(2)
                .diagnostic(Scheduled.every(new Ntk(), 1))
                .diagnostic(Scheduled.every(new BatchKernel(), 1))
                .diagnostic(Scheduled.every(new AgopAlignment(), 0))
                .build();
        MetricsLog log = new MetricsLog();
        Trainer.run(config, log);

        Map<Long, Double> trainLoss = new java.util.HashMap<>();
        for (Map<String, Object> row : log.rows()) {
            trainLoss.put(((Number) row.get("step")).longValue(), (Double) row.get("train_loss"));
        }
        List<MetricsLog.Measurement> ntk = log.measurements(Ntk.NAME);
        List<MetricsLog.Measurement> bk = log.measurements(BatchKernel.NAME);
        assertTrue(ntk.size() >= 26, "every step and the final one");
        List<SpikeShares.Point> series = new ArrayList<>();
        for (int i = 0; i < ntk.size(); i++) {
            Ntk.Result r = (Ntk.Result) ntk.get(i).result();
            BatchKernel.Result b = (BatchKernel.Result) bk.get(i).result();
            long step = ntk.get(i).step();
            assertEquals(step, bk.get(i).step());
            double l = trainLoss.get(step);
            assertEquals(l, r.loss(), 1e-12 * l, "the split's L is the logged training loss at step " + step);
            assertEquals(l, r.lossTop(5) + r.lossRest(5), 1e-12 * l);
            // full batch: K-bar_B = K-bar, so c_t = eta lambda_1(K-bar) / 2 = eta / eta_crit(t)
            assertEquals(r.top(), b.batchKernelEig()[0], 1e-12 * r.top());
            assertEquals(eta / r.etaCrit(), b.batchCritRatio(), 1e-12);
            assertEquals(l, b.batchLoss(), 1e-12 * l);
            if (step == 0) {
                assertEquals(etaCrit, r.etaCrit(), 1e-12 * etaCrit);
                assertEquals(1.5, b.batchCritRatio(), 1e-12);
            }
            if (series.isEmpty() || series.get(series.size() - 1).step() < step) {
                series.add(new SpikeShares.Point(step, r.loss(), r.lossTop(1), r.lossRest(1)));
            }
        }
        // the shares of every detected spike are well-defined fractions
        for (var spike : log.result().spikes()) {
            SpikeShares.Shares sh = SpikeShares.of(series, spike);
            assertTrue(sh.phi() >= 0 && sh.phi() <= 1 + 1e-12, "phi " + sh.phi());
        }
        // AGOP alignment at the end equals a direct computation at the final parameters
        List<MetricsLog.Measurement> agop = log.measurements(AgopAlignment.NAME);
        assertEquals(1, agop.size());
        AgopAlignment.Result a = (AgopAlignment.Result) agop.get(0).result();
        Tensor thetaT = log.result().theta();
        double direct = Agop.alignment(Agop.of(net, thetaT, train.x()), TrueAgop.of("x1x2", train.x())).value();
        assertEquals(direct, a.agopAlignment(), 1e-12);
        double directTest = Agop.alignment(Agop.of(net, thetaT, test.x()), TrueAgop.of("x1x2", test.x())).value();
        assertEquals(directTest, a.agopAlignmentTest(), 1e-12);
    }
}
