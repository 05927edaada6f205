package org.sgdlab.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** Hutchinson trace estimator (QUANTITIES.md Q8.1). */
class HutchinsonTest {

    private static double trace(Tensor a) {
        double t = 0;
        for (int i = 0; i < a.dim(0); i++) {
            t += a.get(i, i);
        }
        return t;
    }

    @Test
    void unbiasedWithinFourStandardErrorsAndTheoreticalSpread() {
        SplittableRandom rng = new SplittableRandom(51);
        int p = 30;
        Tensor a = Known.randomSymmetric(rng, p).add(Tensor.eye(p).mul(2));
        double tr = trace(a);
        // Var(z^T A z) = 2 (||A||_F^2 - sum_i A_ii^2) for Rademacher z and symmetric A
        double off2 = 0;
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) {
                if (i != j) {
                    off2 += a.get(i, j) * a.get(i, j);
                }
            }
        }
        double sdTheory = Math.sqrt(2 * off2);
        for (int seed = 0; seed < 5; seed++) {
            Hutchinson.Result r = Hutchinson.estimate(LinearOperator.symmetric(a), 2000, Rng.stream(seed, Rng.PROBES));
            assertTrue(r.converged());
            assertEquals(2000, r.probes());
            assertEquals(2000, r.applications());
            assertTrue(Math.abs(r.estimate() - tr) <= 4 * r.standardError(),
                    "estimate " + r.estimate() + " vs trace " + tr + ", SE " + r.standardError());
            // the sample sd of 2000 draws is within 10% of the exact sd (its own relative SE is ~2-3 %)
            double sd = r.standardError() * Math.sqrt(2000);
            assertEquals(sdTheory, sd, 0.1 * sdTheory, "sample sd vs sqrt(2 sum_{i != j} A_ij^2)");
        }
    }

    @Test
    void samplesAndStandardErrorFormulaFromRegeneratedProbes() {
        SplittableRandom rng = new SplittableRandom(52);
        int p = 12;
        Tensor a = Known.randomSymmetric(rng, p);
        int m = 25;
        Hutchinson.Result r = Hutchinson.estimate(LinearOperator.symmetric(a), m, Rng.stream(9, Rng.PROBES));
        SplittableRandom again = Rng.stream(9, Rng.PROBES);
        double[] s = new double[m];
        for (int j = 0; j < m; j++) {
            double[] z = Hutchinson.rademacher(again, p).toArray();
            for (double x : z) {
                assertEquals(1.0, Math.abs(x), 0.0);
            }
            s[j] = Known.dot(z, Known.mul(a, z));
        }
        assertArrayEquals(s, r.samples(), 1e-12);
        double mean = 0;
        for (double x : s) {
            mean += x / m;
        }
        double ss = 0;
        for (double x : s) {
            ss += (x - mean) * (x - mean);
        }
        double se = Math.sqrt(ss / (m - 1)) / Math.sqrt(m);
        assertEquals(mean, r.estimate(), 1e-12);
        assertEquals(se, r.standardError(), 1e-12);
    }

    @Test
    void exactOnADiagonalOperator() {
        double[] d = {3, -1.5, 0, 8, 2.25};
        Hutchinson.Result r = Hutchinson.estimate(LinearOperator.diagonal(d), 7, Rng.stream(1, Rng.PROBES));
        assertEquals(11.75, r.estimate(), 1e-14);
        assertEquals(0.0, r.standardError(), 1e-14);
    }

    @Test
    void exactTraceForSmallOperatorsAndTheAutomaticChoice() {
        SplittableRandom rng = new SplittableRandom(55);
        Tensor a = Known.randomSymmetric(rng, 50);
        Hutchinson.Result r = Hutchinson.auto(LinearOperator.symmetric(a), Rng.stream(1, Rng.PROBES));
        assertEquals(trace(a), r.estimate(), 1e-12);
        assertEquals(0.0, r.standardError());
        assertEquals(50, r.applications());
        assertTrue(r.converged());
        LinearOperator big = LinearOperator.diagonal(Tensor.ones(501).toArray());
        Hutchinson.Result h = Hutchinson.auto(big, Rng.stream(1, Rng.PROBES));
        assertEquals(20, h.applications(), "p = 501 > 500: adaptive Hutchinson, exact on a diagonal after 20 probes");
        assertEquals(501, h.estimate(), 1e-12);
    }

    @Test
    void adaptiveStopsAtTheFirstProbeCountMeetingTheRule() {
        SplittableRandom rng = new SplittableRandom(53);
        int p = 40;
        Tensor a = Known.randomSymmetric(rng, p).mul(0.1).add(Tensor.eye(p).mul(1.5));   // tr ~ 60, sd ~ 5.6
        Hutchinson.Result r = Hutchinson.adaptive(LinearOperator.symmetric(a), Rng.stream(2, Rng.PROBES));
        assertTrue(r.converged(), r.toString());
        assertTrue(r.probes() > 20 && r.probes() < 256, "the rule should stop strictly inside the range: " + r);
        double[] s = r.samples();
        for (int m = 20; m <= r.probes(); m++) {             // recompute the rule on every prefix
            double mean = 0;
            for (int j = 0; j < m; j++) {
                mean += s[j] / m;
            }
            double ss = 0;
            for (int j = 0; j < m; j++) {
                ss += (s[j] - mean) * (s[j] - mean);
            }
            boolean met = Math.sqrt(ss / (m - 1) / m) <= 0.01 * Math.abs(mean);
            assertEquals(m == r.probes(), met, "the rule first holds at m = " + r.probes() + ", checked m = " + m);
        }
        assertTrue(Math.abs(r.estimate() - trace(a)) <= 4 * r.standardError());
    }

    @Test
    void adaptiveOnATracelessOperatorRunsToTheCapAndSaysSo() {
        double[] d = {5, -5, 3, -3};
        LinearOperator op = LinearOperator.symmetric(Known.withSpectrum(new SplittableRandom(54), d));
        Hutchinson.Result r = Hutchinson.adaptive(op, new Hutchinson.Config(20, 64, 0.01), Rng.stream(3, Rng.PROBES));
        assertFalse(r.converged());
        assertEquals(64, r.probes());
        assertEquals(64, r.applications());
    }

    @Test
    void nonFiniteAndBadArguments() {
        Hutchinson.Result r = Hutchinson.estimate(LinearOperator.of(3, v -> v.mul(Double.NaN)), 5, Rng.stream(1, Rng.PROBES));
        assertFalse(r.converged());
        assertTrue(Double.isNaN(r.estimate()));
        assertEquals(1, r.probes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Hutchinson.estimate(LinearOperator.diagonal(1), 1, Rng.stream(1, Rng.PROBES)));
        assertTrue(e.getMessage().contains("probes must be >= 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Hutchinson.Config(20, 10, 0.01));
        assertTrue(e.getMessage().contains("maxProbes"), e.getMessage());
    }
}
