package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.BatchSharpness;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.diagnostics.StaticProbe;
import org.sgdlab.experiment.Checkpoint;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunListener;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.Status;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.report.Verdict;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** The study-local computations of {@code eoss} against hand-computed answers and exact identities. */
class EossCriteriaTest {

    private static Problem tiny(int n) {
        SplittableRandom r = Rng.stream(3, Rng.DATA);
        Tensor x = Tensor.randn(r, n, 4);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(3);
        }
        return new Problem(Mlp.of(Activation.TANH, 4, 6, 3), Losses.squared(MseConvention.HALF),
                Dataset.classification("tiny", x, labels, 3), null);
    }

    @Test
    void windowsAndMeans() {
        long[] s = {0, 100, 200, 300, 400};
        double[] v = {1, 2, Double.NaN, 4, 6};
        assertEquals((2 + 4 + 6) / 3.0, EossCriteria.meanFrom(s, v, 100), 0);
        assertEquals(5.0, EossCriteria.meanFrom(s, v, 250), 0);
        assertTrue(Double.isNaN(EossCriteria.meanFrom(s, v, 500)));
        double[] r = EossCriteria.rangeFrom(s, v, 100);
        assertEquals(2, r[0], 0);
        assertEquals(6, r[1], 0);
        assertEquals(3000, EossCriteria.secondHalf(6000));
        assertEquals(150_000, EossCriteria.lastQuarter(200_000));
    }

    @Test
    void catapultRatioNeedsEveryLossOfTheWindow() {
        long[] steps = {0, 1, 2, 3, 4, 5, 6};
        double[] loss = {1, 1.5, 0.5, 3, 1, 1, 1};
        // window (0, 3]: max 3 / L_0 = 3
        assertEquals(3.0, EossCriteria.catapultRatio(steps, loss, 0, 3, 6), 0);
        // window (3, 6]: max 1 / 3
        assertEquals(1 / 3.0, EossCriteria.catapultRatio(steps, loss, 3, 200, 6), 1e-15);
        // the run ends at step 4: window (2, 4]
        assertEquals(6.0, EossCriteria.catapultRatio(steps, loss, 2, 200, 4), 0);
        // a missing step gives NaN
        long[] gap = {0, 1, 3, 4};
        assertTrue(Double.isNaN(EossCriteria.catapultRatio(gap, new double[] {1, 1, 1, 1}, 0, 3, 4)));
        assertTrue(Double.isNaN(EossCriteria.catapultRatio(steps, loss, 6, 3, 6)));
    }

    @Test
    void capExcludesWarmupAndTinyLossAndForgivesCatapults() {
        long[] steps = {500, 700, 800, 900, 1000};
        double[] ratio = {2.0, 1.2, 1.2, 1.1, 1.3};
        double[] loss = {0.1, 0.1, 0.1, 0.1, 1e-7};
        double[] cat = {1.0, 2.5, 1.9, 1.0, 1.0};
        List<EossCriteria.CapPoint> p = EossCriteria.cap(steps, ratio, loss, cat, 6000);
        assertTrue(p.get(0).excluded());                     // before 10 % of 6000 = 600
        assertFalse(p.get(1).violation());                   // above the cap, but the loss doubled
        assertTrue(p.get(2).violation());                    // above the cap, 1.9x is not a doubling
        assertFalse(p.get(3).violation());                   // below the cap
        assertTrue(p.get(4).excluded());                     // L < 1e-6
        assertFalse(p.get(4).violation());
    }

    @Test
    void windowStatistics() {
        long[] bs = {100, 200, 300, 400};
        double[] br = {0.9, 1.1, 5.0, 1.0};
        double[] loss = {0.1, 0.1, 1e-9, 0.1};
        long[] ls = {100, 200, 300, 400};
        double[] lr = {0.5, 0.5, 0.9, 0.4};
        EossCriteria.Window w = EossCriteria.window(bs, br, loss, ls, lr, 200);
        assertEquals(2, w.points());
        assertEquals(1, w.excluded());
        assertEquals(1.05, w.meanBs(), 1e-15);
        assertEquals(1.1, w.maxBs(), 0);
        assertEquals(1.0, w.minBs(), 0);
        assertEquals((0.5 + 0.9 + 0.4) / 3, w.meanLmax(), 1e-15);         // lambda_max is always kept
        assertEquals((1.1 / 0.5 + 1.0 / 0.4) / 2, w.meanBsOverLmax(), 1e-14);
    }

    @Test
    void powerLawRecoversAnExactLaw() {
        double[] b = {8, 16, 32, 128};
        double[] y = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            y[i] = 3 * Math.pow(b[i], -0.5);
        }
        double[] fit = EossCriteria.powerLaw(b, y);
        assertEquals(3, fit[0], 1e-12);
        assertEquals(0.5, fit[1], 1e-12);
        assertEquals(4, fit[2], 0);
        // non-positive gaps are ignored; a single distinct b has no fit
        assertTrue(Double.isNaN(EossCriteria.powerLaw(new double[] {8, 8}, new double[] {1, 2})[1]));
        assertEquals(4, EossCriteria.powerLaw(new double[] {8, 16, 32, 128, 64}, new double[] {y[0], y[1], y[2], y[3],
            -1})[2], 0);
        assertTrue(EossCriteria.increasing(1, 2, 3));
        assertFalse(EossCriteria.increasing(1, 1));
        assertEquals(-0.2 * 4 * (1 - 0.2 * 5 / 2), EossCriteria.gniPrediction(0.2, 4, 5), 1e-15);
    }

    @Test
    void fashionLearningRateRoundsToTwoSignificantDigits() {
        assertEquals(0.23, EossSetup.round2(0.68 / 2.97), 0);
        assertEquals(0.035, EossSetup.round2(0.0345), 0);
        assertEquals(120, EossSetup.round2(123.4), 0);
        assertThrows(IllegalArgumentException.class, () -> EossSetup.round2(0));
    }

    @Test
    void verdictKindsFollowSections2And8() {
        StudyContext digits = new StudyContext(true, 0, 0, null, "digits", 1, false, null);
        EossSetup d = EossSetup.create(digits, 0);
        assertEquals(Verdict.Kind.GATE, d.kind("B1"));
        assertEquals(Verdict.Kind.GATE, d.kind("B9"));
        assertEquals(Verdict.Kind.PROVISIONAL, d.kind("B6"));
        assertEquals(Verdict.Kind.REPORT, d.kind("B1r"));
        assertEquals(Verdict.Kind.REPORT, d.kind("B10"));
        EossSetup s = EossSetup.create(new StudyContext(true, 0, 0, null, "synthetic", 1, false, null), 0);
        assertEquals(Verdict.Kind.REPORT, s.kind("B1"));
        assertEquals(Verdict.Kind.REPORT, s.kind("B5"));
        assertEquals(1.0, s.etaScale, 0);
        assertThrows(IllegalArgumentException.class,
                () -> EossSetup.create(new StudyContext(true, 0, 0, null, "cifar", 1, false, null), 0));
    }

    @Test
    void fashionMnistRescalesTheLearningRatesFromLambdaMaxAtInit() {
        Assumptions.assumeTrue(java.nio.file.Files.isDirectory(org.sgdlab.data.FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not installed (Debian package dataset-fashion-mnist)");
        EossSetup f = EossSetup.create(new StudyContext(true, 0, 0, null, "fashion-mnist", 1, false, null), 0);
        assertEquals(196, f.clean.inputDim());
        // eta_F = 0.68 / lambda_max(theta_0) to two significant digits; every step size scaled by eta_F / 0.2
        Problem p = EossSetup.problem(f.model(1.0), f.clean);
        double lam = new Sharpness(Sharpness.Config.DEFAULT)
                .measure(StaticProbe.of(p, p.model().init(Rng.stream(0, Rng.INIT)))).sharpness();
        assertEquals(lam, f.lambda0, 1e-9 * lam);
        assertEquals(EossSetup.round2(0.68 / lam) / 0.2, f.etaScale, 1e-15);
        assertEquals(0.4 * f.etaScale, f.eta(EossSetup.shortRuns().get(0)), 1e-15);
        assertEquals(Verdict.Kind.PROVISIONAL, f.kind("B1"));
        assertEquals(Verdict.Kind.PROVISIONAL, f.kind("B9"));
        assertEquals(Verdict.Kind.REPORT, f.kind("B1r"));
        assertEquals(Verdict.Kind.REPORT, f.kind("B6"));
        assertEquals(Verdict.Kind.REPORT, f.kind("B14"));
    }

    @Test
    void labelNoiseReplacesTheStatedFraction() {
        EossSetup d = EossSetup.create(new StudyContext(true, 0, 0, null, "digits", 1, false, null), 0);
        Dataset noisy = d.train(0.2);
        int diff = 0;
        for (int i = 0; i < noisy.size(); i++) {
            diff += noisy.label(i) != d.clean.label(i) ? 1 : 0;
        }
        // 200 labels replaced by a uniform class: about 180 change, never more than 200
        assertTrue(diff <= 200 && diff > 140, "changed labels: " + diff);
        assertTrue(d.train(0.2) == noisy, "the noisy set is cached per q");
    }

    /** A trainer run of {@code steps} SGD or heavy-ball steps with the loss after every step. */
    private static MetricsLog run(Problem p, Optimizer<? extends OptimizerState> opt, BatchSampler s, long steps,
                                  List<Scheduled> diags, RunListener extra) {
        TrainConfig.Builder b = TrainConfig.builder(p, opt, s).steps(steps).seed(5).evalEvery(1).testEvery(0)
                .spikeKappa(0);
        diags.forEach(b::diagnostic);
        MetricsLog log = new MetricsLog();
        Trainer.run(b.build(), extra == null ? log : RunListener.all(log, extra));
        return log;
    }

    @Test
    void replayReproducesTheTrainerBitForBit() {
        Problem p = tiny(24);
        for (Optimizer<? extends OptimizerState> opt : List.of(Optimizers.sgd(Schedules.constant(0.3)),
                Optimizers.heavyBall(Schedules.constant(0.1), 0.9))) {
            BatchSampler s = Samplers.create(Samplers.EPOCH_SHUFFLE, 24, 5, 11);
            Checkpoint[] ck = new Checkpoint[1];
            TrainConfig.Builder b = TrainConfig.builder(p, opt, s).steps(30).seed(5).evalEvery(1).testEvery(0)
                    .spikeKappa(0).checkpointEvery(12);
            MetricsLog log = new MetricsLog();
            Trainer.run(b.build(), RunListener.all(log, new RunListener() {
                @Override
                public void checkpoint(Checkpoint c) {
                    if (c.step() == 12) {
                        ck[0] = c;
                    }
                }
            }));
            OptimizerState st = opt.restore(ck[0].optimizerTensors(), ck[0].optimizerScalars());
            double[] replay = EossDiagnostics.replay(p, opt, st, s, ck[0].theta(), 12, 10);
            double[] logged = log.column("train_loss");
            for (int i = 0; i < 10; i++) {
                assertEquals(logged[13 + i], replay[i], 0.0, opt.name() + " step " + (13 + i));
            }
        }
    }

    @Test
    void capLookaheadMatchesTheLoggedLosses() {
        Problem p = tiny(24);
        Optimizer<?> opt = Optimizers.sgd(Schedules.constant(0.5));
        BatchSampler s = Samplers.create(Samplers.EPOCH_SHUFFLE, 24, 4, 2);
        EossDiagnostics.Bs bs = new EossDiagnostics.Bs(8, new long[0], 40, 8, false);
        // cap 0: every measurement past the warm-up is armed
        EossDiagnostics.CapLookahead la = new EossDiagnostics.CapLookahead(bs, opt, s, 40, 10, 0.0, 7);
        MetricsLog log = run(p, opt, s, 40, List.of(new Scheduled(bs, 5, 5, null, true, false),
                new Scheduled(la, 5, 5, null, true, false)), null);
        double[] loss = log.column("train_loss");
        int armed = 0;
        for (MetricsLog.Measurement m : log.measurements(EossDiagnostics.CapLookahead.NAME)) {
            EossDiagnostics.CapLookahead.Result r = (EossDiagnostics.CapLookahead.Result) m.result();
            int t = (int) m.step();
            if (t < 10) {
                assertFalse(r.armed());
                continue;
            }
            int k = Math.min(7, 40 - t);
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 1; j <= k; j++) {
                max = Math.max(max, loss[t + j]);
            }
            if (k == 0) {
                assertEquals(0, r.steps());
                continue;
            }
            armed++;
            assertTrue(r.armed());
            assertEquals(k, r.steps());
            assertEquals(loss[t], r.loss(), 0.0);
            assertEquals(max / loss[t], r.maxLossRatio(), 0.0, "step " + t);
        }
        assertTrue(armed >= 5);
    }

    @Test
    void oneStepAndMomentumQuotientAreExactInTheFullBatchLimit() {
        Problem p = tiny(20);
        Tensor theta = p.model().init(Rng.stream(1, Rng.INIT));
        StaticProbe probe = StaticProbe.of(p, theta).withLr(0.3).withBatchSize(20);
        EossDiagnostics.OneStep.Result o = new EossDiagnostics.OneStep(4).measure(probe);
        Autodiff.ValueAndGrad vg = p.valueAndGrad(theta, p.train());
        double expect = p.loss(theta.sub(vg.grad().mul(0.3)), p.train()) - vg.loss();
        assertEquals(0, rel(o.change(), expect), 1e-12);
        assertEquals(0, o.changeSe(), 1e-15);
        assertEquals(vg.grad().dotValue(vg.grad()), o.gradNormSq(), 1e-14 * o.gradNormSq());

        Tensor v = Tensor.randn(Rng.stream(9, Rng.DATA), theta.size());
        double beta = 0.7;
        StaticProbe mp = probe.withOptimizer("heavy-ball", 0.1, 34, beta, new OptimizerState.MomentumBuffer(v));
        EossDiagnostics.MomentumQuotient.Result q = new EossDiagnostics.MomentumQuotient(3).measure(mp);
        Tensor g = vg.grad();
        Tensor sv = g.add(v.mul(beta));
        double direct = sv.dotValue(p.hvp(theta, p.train(), sv)) / sv.dotValue(g);
        assertEquals(0, rel(q.quotient(), direct), 1e-10);
        assertEquals(3, q.draws());
        assertEquals(beta, q.beta(), 0);
    }

    private static double rel(double a, double b) {
        return Math.abs(a - b) / Math.max(1e-300, Math.abs(b));
    }

    @Test
    void identitiesHoldOnATinyProblem() {
        Problem p = tiny(15);
        EossStudy.Identity id = EossStudy.identity("t", p, p.model().init(Rng.stream(2, Rng.INIT)));
        assertTrue(id.pass(), id.toString());
        assertTrue(id.bsSe() <= 1e-12 * Math.abs(id.bs()), "all batches are the full set: " + id);
    }

    @Test
    void renamedDrawsFromItsOwnStreamsAndShiftedSamplerOffsets() {
        record Draw(long value) {
        }
        Diagnostic<Draw> inner = new Diagnostic<>() {
            @Override
            public String name() {
                return "inner";
            }

            @Override
            public Draw measure(Probe probe) {
                return new Draw(probe.rng(Rng.PROBES, "inner").nextLong());
            }
        };
        StaticProbe probe = StaticProbe.of(tiny(6), Tensor.zeros(tiny(6).model().numParams())).withStep(7).withSeed(4);
        Draw a = new EossDiagnostics.Renamed<>("renamed", inner).measure(probe);
        assertEquals(Rng.stream(4, Rng.PROBES, "renamed", 7L).nextLong(), a.value());
        assertNotEquals(inner.measure(probe).value(), a.value());

        BatchSampler s = Samplers.create(Samplers.EPOCH_SHUFFLE, 50, 8, 3);
        EossStudy.Shifted sh = new EossStudy.Shifted(s, 40);
        for (long t = 0; t < 20; t++) {
            assertEquals(java.util.Arrays.toString(s.batch(t + 40)), java.util.Arrays.toString(sh.batch(t)));
        }
        assertEquals(s.stepsPerEpoch(), sh.stepsPerEpoch());
    }

    /** A fabricated long run: rows every 1000 steps and BS / lambda_max measurements every 4000. */
    private static EossRun fakeLong(double bsRatio, double lmaxRatio, double lossMid, double lossEnd, double mini) {
        EossSetup.RunSpec spec = EossSetup.longRuns().get(0);
        double eta = 0.3;
        double thr = 2 / eta;
        MetricsLog log = new MetricsLog();
        long T = spec.steps();
        Map<String, Object> last = null;
        for (long t = 0; t <= T; t += 1000) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("step", t);
            row.put("train_loss", t <= T / 2 ? lossMid : lossEnd);
            log.metrics(row);
            last = row;
        }
        for (long t = 4000; t <= T; t += 4000) {
            log.diagnostic(Sharpness.NAME, t, new Sharpness.Result(lmaxRatio * thr, new double[] {lmaxRatio * thr},
                    new double[] {0}, true, thr, lmaxRatio, "all", 1000, 10, 0, true), "schedule");
            boolean end = t == T;
            log.diagnostic(BatchSharpness.NAME, t, new BatchSharpness.Result(bsRatio * thr, 0.01, end ? 128 : 64, 0,
                    bsRatio * thr, 0.01, true, "fixed", 8, thr, bsRatio, lmaxRatio * thr, 0, end ? mini * thr : Double.NaN,
                    0.1, Double.NaN, end ? 16 : 0, true, bsRatio * thr, 0, mini, 0, 0, 0), end ? "final" : "schedule");
        }
        log.finished(new RunResult(Status.COMPLETED, T, "max_steps", Tensor.zeros(1), last, List.of()));
        return new EossRun(spec, eta, thr, 0, log, 1.0);
    }

    @Test
    void headlineCriteriaOnFabricatedRuns() {
        assertTrue(EossVerdicts.b7(fakeLong(1.0, 0.45, 4e-3, 1e-3, 1.6)).pass());
        assertFalse(EossVerdicts.b7(fakeLong(0.8, 0.45, 4e-3, 1e-3, 1.6)).pass());   // BS below 0.85
        assertFalse(EossVerdicts.b7(fakeLong(1.0, 0.7, 4e-3, 1e-3, 1.6)).pass());    // lambda_max above 0.6
        assertFalse(EossVerdicts.b7(fakeLong(1.0, 0.45, 4e-3, 3e-3, 1.6)).pass());   // loss not halved
        assertFalse(EossVerdicts.b7(fakeLong(1.0, 0.45, 4e-3, 1e-3, 1.1)).pass());   // MiniBS below 1.2
        assertFalse(EossVerdicts.b7(fakeLong(1.0, 0.65, 4e-3, 1e-3, 1.6)).pass());   // BS/lambda_max 1.54 < 1.6
        // every BS point measured where L < 1e-6 is excluded, so no BS statistic is left
        assertFalse(EossVerdicts.b7(fakeLong(1.0, 0.45, 1e-7, 1e-8, 1.6)).pass());
        assertTrue(EossVerdicts.b8(fakeLong(0.85, 0.45, 4e-3, 1e-3, 1.6)).pass());
        assertFalse(EossVerdicts.b8(fakeLong(1.15, 0.45, 4e-3, 1e-3, 1.6)).pass());
        assertTrue(EossVerdicts.b9(fakeLong(1, 0.45, 1, 1, 1), fakeLong(1, 0.75, 1, 1, 1)).pass());
        assertFalse(EossVerdicts.b9(fakeLong(1, 0.45, 1, 1, 1), fakeLong(1, 0.70, 1, 1, 1)).pass());
        EossCriteria.Window w = EossVerdicts.lastQuarter(fakeLong(1.0, 0.45, 4e-3, 1e-3, 1.6));
        assertEquals(13, w.points());          // steps 152000, ..., 200000
    }

    @Test
    void plotTitlesPrintStepSizesShort() {
        // the double nearest 0.3 is 0.29999999999999998889...; titles show the number a user typed
        assertEquals("0.3", EossReport.g(0.3));
        assertEquals("0.15", EossReport.g(0.15));
        assertEquals("0.2", EossReport.g(0.1 + 0.1));
        assertEquals("1.235", EossReport.g(1.23456));
        assertEquals("1200", EossReport.g(1200.0));
        assertEquals("NaN", EossReport.g(Double.NaN));
    }

    /** A fabricated short run (R-0.2-8s) with BS = 2 at steps 0, 100, ... and the given SE per measurement. */
    private static EossRun fakeShortSe(int draws, double... se) {
        EossSetup.RunSpec spec = EossSetup.shortRuns().get(6);
        double thr = 10;
        MetricsLog log = new MetricsLog();
        for (int i = 0; i < se.length; i++) {
            log.diagnostic(BatchSharpness.NAME, 100L * i, new BatchSharpness.Result(2.0, se[i], draws, 0, 2.0, se[i],
                    true, "fixed", 8, thr, 0.2, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, false,
                    Double.NaN, Double.NaN, Double.NaN, 64, 0, 0), "schedule");
        }
        log.finished(new RunResult(Status.COMPLETED, 100L * se.length, "max_steps", Tensor.zeros(1), Map.of(),
                List.of()));
        return new EossRun(spec, 0.2, thr, 0, log, 1.0);
    }

    @Test
    void b5PrecisionCountsEveryM64MeasurementAboveFivePercent() {
        // SE/BS = se / 2: 0.02, 0.1 (over), 0.05 (on the bound: passes), 0.051 (over)
        EossVerdicts.Check c = EossVerdicts.b5Precision(List.of(fakeShortSe(64, 0.04, 0.2, 0.1, 0.102),
                fakeShortSe(128, 1.0)));                       // M = 128 (end of long runs) is not B5's
        assertFalse(c.pass());
        assertEquals(4, c.measured().get("m64_measurements"));
        assertEquals(2, c.measured().get("m64_over_0.05"));
        assertEquals(0.1, (double) c.measured().get("max_se_over_bs"), 1e-12);
        assertEquals("R-0.2-8s@100", c.measured().get("max_at"));
        assertEquals("R-0.2-8s@100, R-0.2-8s@300", c.measured().get("over_0.05_at"));
        EossVerdicts.Check ok = EossVerdicts.b5Precision(List.of(fakeShortSe(64, 0.04, 0.1)));
        assertTrue(ok.pass());
        assertEquals(0, ok.measured().get("m64_over_0.05"));
        assertFalse(ok.measured().containsKey("over_0.05_at"));
        assertFalse(EossVerdicts.b5Precision(List.of()).pass());     // no measurement: nothing shown
    }
}
