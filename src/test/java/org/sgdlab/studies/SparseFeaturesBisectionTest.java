package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** QUANTITIES.md Q17 bisection: against an oracle threshold and against GD/SGD on a quadratic. */
class SparseFeaturesBisectionTest {

    private static SparseFeaturesBisection.Trial trial(boolean diverged) {
        return new SparseFeaturesBisection.Trial(diverged, 0, diverged ? "oracle" : "max_steps");
    }

    @Test
    void doublesFromBelowThenBisectsAroundTheThreshold() {
        double c = 0.7321;
        List<Double> seen = new ArrayList<>();
        SparseFeaturesBisection.Outcome o = SparseFeaturesBisection.bisect(0.1, eta -> {
            seen.add(eta);
            return trial(eta >= c);
        }, 12);
        // 0.1, 0.2, 0.4 converge; 0.8 diverges: bracket [0.4, 0.8], width 0.4 / 2^12 after 12 steps
        assertEquals(List.of(0.1, 0.2, 0.4, 0.8), seen.subList(0, 4));
        assertEquals(4 + 12, o.probes().size());
        assertTrue(o.etaLo() < c && c <= o.etaCrit(), o.toString());
        assertEquals(0.4 / 4096, o.etaCrit() - o.etaLo(), 1e-15);
        assertEquals(0.1, o.eta0());
        assertTrue(o.monotone());
        assertEquals("start", o.probes().get(0).phase());
        assertEquals("double", o.probes().get(1).phase());
        assertEquals("bisect", o.probes().get(15).phase());
    }

    @Test
    void halvesFromAboveWhenTheStartDiverges() {
        double c = 0.3;
        List<Double> seen = new ArrayList<>();
        SparseFeaturesBisection.Outcome o = SparseFeaturesBisection.bisect(2.0, eta -> {
            seen.add(eta);
            return trial(eta > c);
        }, 12);
        assertEquals(List.of(2.0, 1.0, 0.5, 0.25), seen.subList(0, 4));
        assertTrue(o.etaLo() <= c && c < o.etaCrit(), o.toString());
        assertEquals(0.25 / 4096, o.etaCrit() - o.etaLo(), 1e-15);
        assertEquals("halve", o.probes().get(1).phase());
        assertTrue(o.monotone());
        // every converged probe lies below every diverged one, and eta_lo / eta_hi are the extreme ones
        for (SparseFeaturesBisection.ProbeOutcome p : o.probes()) {
            assertTrue(p.diverged() ? p.eta() >= o.etaCrit() : p.eta() <= o.etaLo(), p.toString());
        }
    }

    @Test
    void aDivergingCheckBelowEtaLoIsRecordedAsNonMonotone() {
        // divergence set [1, inf) plus an island [0.45, 0.55): the bisection never probes the island, the check at
        // 0.5 eta_crit does
        SparseFeaturesBisection.Outcome o = SparseFeaturesBisection.bisect(1.5,
                eta -> trial(eta >= 1 || (eta >= 0.45 && eta < 0.55)), 12, 0.5);
        SparseFeaturesBisection.ProbeOutcome check = o.probes().get(o.probes().size() - 1);
        assertEquals("check", check.phase());
        assertEquals(0.5 * o.etaCrit(), check.eta());
        assertTrue(check.diverged());
        assertFalse(o.monotone());
        assertTrue(o.etaLo() < 1 && 1 <= o.etaCrit());
        // the record keeps every probe
        assertEquals(o.probes().size(), ((List<?>) o.toMap().get("probes")).size());
        assertEquals(false, o.toMap().get("monotone"));
    }

    @Test
    void aConvergingCheckKeepsTheHistoryMonotone() {
        SparseFeaturesBisection.Outcome o = SparseFeaturesBisection.bisect(0.3, eta -> trial(eta >= 1), 12, 0.8);
        assertTrue(o.monotone());
        assertFalse(o.probes().get(o.probes().size() - 1).diverged());
    }

    @Test
    void rejectsBadStartsAndUnboundedBrackets() {
        assertThrows(IllegalArgumentException.class, () -> SparseFeaturesBisection.bisect(0, eta -> trial(true), 12));
        assertThrows(IllegalArgumentException.class,
                () -> SparseFeaturesBisection.bisect(Double.NaN, eta -> trial(true), 12));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SparseFeaturesBisection.bisect(1, eta -> trial(false), 12));
        assertTrue(e.getMessage().contains("no probe diverged"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> SparseFeaturesBisection.bisect(1, eta -> trial(true), 12));
        assertTrue(e.getMessage().contains("every probe diverged"), e.getMessage());
    }

    // ------------------------------------------------------------------ probes as training runs

    /**
     * f(x) = w x on m copies of the point x = 2, y = 0, c = 1/2: L(w) = 2 w^2, curvature a = 4, 2/a = 0.5. From
     * w_0 = 1 GD (and SGD, every batch is the same point) gives w_t = (1 - 4 eta)^t, L_t = 2 (1 - 4 eta)^(2t), so the
     * Q17 test (L > 10 at step K; |w| stays far below 1e6) diverges exactly when 4 eta - 1 > 5^(1/(2K)).
     */
    private static SparseFeaturesBisection.Setup quadratic(String optimizer, int copies, long k) {
        double[] x = new double[copies];
        Arrays.fill(x, 2.0);
        Dataset d = Dataset.regression("quadratic", Tensor.of(x, copies, 1), Tensor.zeros(copies, 1));
        Problem p = new Problem(Dense.of(1, 1).withoutBias(), Losses.squared(MseConvention.HALF), d, null);
        String sampler = optimizer.equals("gd") ? Samplers.FULL_BATCH : Samplers.IID_WITH_REPLACEMENT;
        return new SparseFeaturesBisection.Setup(p, optimizer, sampler, optimizer.equals("gd") ? copies : 1, 7,
                Tensor.vector(1.0), k);
    }

    private static double exactCritical(long k) {
        return (1 + Math.pow(5, 1.0 / (2 * k))) / 4;
    }

    @Test
    void gdOnAQuadraticFindsTwoOverTheCurvature() {
        long k = 2000;
        SparseFeaturesBisection.Setup s = quadratic("gd", 1, k);
        assertEquals(0.5, s.defaultStart(), 1e-12);
        SparseFeaturesBisection.Outcome o = SparseFeaturesBisection.run(s);
        double exact = exactCritical(k);
        assertTrue(o.etaLo() < exact && exact <= o.etaCrit(), o + " vs exact " + exact);
        // eta_crit -> 2/a: within one bisection cell of 0.5 (the K-step bound moves it by 1e-4)
        assertEquals(0.5, o.etaCrit(), 0.5 / 4096);
        // bracket: 0.5 converges (|1 - 2| = 1: the loss stays 2), 1.0 diverges
        assertFalse(o.probes().get(0).diverged());
        assertTrue(o.probes().get(1).diverged());
        // at eta = 1, w_t = (-3)^t: |w_13| = 3^13 > 1e6 > 3^12, before the first loss check at step 50
        assertEquals("param_bound", o.probes().get(1).reason());
        assertEquals(13, o.probes().get(1).step());
        assertEquals(2 + SparseFeaturesBisection.STEPS, o.probes().size());
        assertTrue(o.monotone());
    }

    @Test
    void theExactThresholdMovesWithKAsTheClosedFormSays() {
        long k = 60;
        SparseFeaturesBisection.Outcome o = SparseFeaturesBisection.run(quadratic("gd", 1, k));
        double exact = exactCritical(k);
        assertTrue(exact > 0.5 + 0.5 / 4096, "K = 60 moves the threshold past the first cell");
        assertTrue(o.etaLo() < exact && exact <= o.etaCrit(), o + " vs exact " + exact);
    }

    @Test
    void sgdProbesUseTheBisectionStreamWithCommonBatchesAndTheSameStart() {
        SparseFeaturesBisection.Setup s = quadratic("sgd", 5, 500);
        TrainConfig a = s.config(0.1);
        TrainConfig b = s.config(0.3);
        var ref = Samplers.create(Samplers.IID_WITH_REPLACEMENT, 5, 1, true, 7, Rng.BISECTION);
        var training = Samplers.create(Samplers.IID_WITH_REPLACEMENT, 5, 1, 7);
        boolean differs = false;
        for (long t = 0; t < 50; t++) {
            assertArrayEquals(ref.batch(t), a.sampler().batch(t));
            assertArrayEquals(ref.batch(t), b.sampler().batch(t));
            differs |= !Arrays.equals(ref.batch(t), training.batch(t));
        }
        assertTrue(differs, "the probes' batches must not be the training runs' batches");
        assertNotSame(a, b);
        assertEquals(a.theta0().item(), b.theta0().item());
        assertEquals(500, a.steps());
        assertEquals(SparseFeaturesBisection.LOSS_BOUND, a.divergenceLoss());
        assertEquals(SparseFeaturesBisection.PARAM_BOUND, a.divergenceParam());
        assertEquals(SparseFeaturesBisection.EVAL_EVERY, a.evalEvery());
        assertEquals(0.3, b.optimizer().lr(123));
        // five copies of the same point: every SGD batch is the GD batch, so the same exact threshold
        SparseFeaturesBisection.Outcome o = SparseFeaturesBisection.run(s);
        double exact = exactCritical(500);
        assertTrue(o.etaLo() < exact && exact <= o.etaCrit(), o + " vs exact " + exact);
    }

    @Test
    void setupRejectsUnknownNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SparseFeaturesBisection.Setup(quadratic("gd", 1, 10).problem(), "adam", Samplers.FULL_BATCH, 1,
                        0, Tensor.vector(1.0), 10));
        assertTrue(e.getMessage().contains("adam"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new SparseFeaturesBisection.Setup(quadratic("gd", 1, 10).problem(), "gd", "shuffle", 1, 0,
                        Tensor.vector(1.0), 10));
        assertTrue(e.getMessage().contains("shuffle") && e.getMessage().contains("epoch-shuffle"), e.getMessage());
    }
}
