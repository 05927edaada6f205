package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Update;
import org.sgdlab.tensor.Tensor;

/** M1's machinery: iteration matrices against the optimizers, spectral radii of known matrices, the full check. */
class EosThresholdsTest {

    static final String[] ALL = {"gd", "heavy-ball", "polyak", "nesterov"};

    /** w_k of the optimizer on a w^2/2 from w_0 = 1, k = 0..steps. */
    static <S extends OptimizerState> double[] trajectory(Optimizer<S> opt, double a, int steps) {
        double[] out = new double[steps + 1];
        Tensor w = Tensor.vector(1.0);
        S s = opt.init(w);
        out[0] = 1;
        for (int t = 0; t < steps; t++) {
            Update<S> u = opt.update(w.mul(a), s, w, t);
            w = u.newTheta();
            s = u.newState();
            out[t + 1] = w.item();
        }
        return out;
    }

    /** The first component of M^k (1, 0): the w sequence the matrix predicts from w_0 = 1, state 0. */
    static double[] predicted(double[][] m, int steps) {
        double[] out = new double[steps + 1];
        double w = 1;
        double v = 0;
        out[0] = 1;
        for (int t = 0; t < steps; t++) {
            if (m.length == 1) {
                w = m[0][0] * w;
            } else {
                double w2 = m[0][0] * w + m[0][1] * v;
                double v2 = m[1][0] * w + m[1][1] * v;
                w = w2;
                v = v2;
            }
            out[t + 1] = w;
        }
        return out;
    }

    @Test
    void iterationMatricesReproduceTheOptimizers() {
        // both columns matter from step 2 on, so 12 steps test the whole matrix
        for (String m : ALL) {
            for (double beta : new double[] {0, 0.5, 0.9}) {
                for (double eta : new double[] {1.0, 0.37}) {
                    double a = 1.3;
                    double[] got = trajectory(EosThresholds.optimizer(m, beta, eta), a, 12);
                    double[] want = predicted(EosThresholds.iterationMatrix(m, beta, eta, a), 12);
                    for (int t = 0; t <= 12; t++) {
                        assertEquals(want[t], got[t], 1e-12 * Math.max(1, Math.abs(want[t])),
                                m + " beta " + beta + " eta " + eta + " step " + t);
                    }
                }
            }
        }
    }

    @Test
    void characteristicPolynomialsAreThoseOfQ34() {
        double beta = 0.7;
        double eta = 0.9;
        double a = 2.1;
        // heavy-ball and polyak: z^2 - (1 + beta - eta a) z + beta
        for (String m : List.of("heavy-ball", "polyak")) {
            double[][] mm = EosThresholds.iterationMatrix(m, beta, eta, a);
            assertEquals(1 + beta - eta * a, mm[0][0] + mm[1][1], 1e-15, m);
            assertEquals(beta, mm[0][0] * mm[1][1] - mm[0][1] * mm[1][0], 1e-15, m);
        }
        // nesterov: z^2 - (1 + beta)(1 - eta a) z + beta (1 - eta a)
        double[][] n = EosThresholds.iterationMatrix("nesterov", beta, eta, a);
        assertEquals((1 + beta) * (1 - eta * a), n[0][0] + n[1][1], 1e-14);
        assertEquals(beta * (1 - eta * a), n[0][0] * n[1][1] - n[0][1] * n[1][0], 1e-14);
    }

    @Test
    void rootMinusOneSitsAtTheThreshold() {
        // p(-1) = 0 exactly at a = threshold: 1 + tr + det = 0
        for (String m : List.of("heavy-ball", "polyak", "nesterov")) {
            for (double beta : new double[] {0.3, 0.9}) {
                double eta = 0.8;
                double[][] mm = EosThresholds.iterationMatrix(m, beta, eta, EosThresholds.threshold(m, beta, eta));
                double tr = mm[0][0] + mm[1][1];
                double det = mm[0][0] * mm[1][1] - mm[0][1] * mm[1][0];
                assertEquals(0.0, 1 + tr + det, 1e-13, m + " beta " + beta);
            }
        }
    }

    @Test
    void spectralRadiusOfKnownMatrices() {
        assertEquals(2.0, EosThresholds.spectralRadius(new double[][] {{0.5, 0}, {0, -2}}), 1e-15);
        // [[p, -q], [q, p]] has eigenvalues p +- i q
        assertEquals(Math.hypot(0.6, 0.7), EosThresholds.spectralRadius(new double[][] {{0.6, -0.7}, {0.7, 0.6}}), 1e-15);
        // upper triangular: eigenvalues on the diagonal
        assertEquals(1.5, EosThresholds.spectralRadius(new double[][] {{-1.5, 4}, {0, 0.2}}), 1e-15);
        assertEquals(0.3, EosThresholds.spectralRadius(new double[][] {{-0.3}}), 0);
    }

    @Test
    void everyM1CasePasses() {
        List<EosThresholds.Case> cases = EosThresholds.check(new double[] {0, 0.5, 0.9}, 1.0, 10_000);
        assertEquals(10, cases.size()); // gd + 3 methods at beta 0, 3 methods at 0.5 and 0.9
        for (EosThresholds.Case c : cases) {
            assertTrue(c.pass(), c.toString());
        }
    }

    @Test
    void aWrongThresholdFailsTheCase() {
        // the Q3.4 table's agreement check: a case whose formula disagrees with the optimizer fails
        EosThresholds.Case c = new EosThresholds.Case("heavy-ball", 0.5, 3.0, 3.1, 0, 1e9, 0.9, 1.1);
        assertFalse(c.pass());
        EosThresholds.Case stable = new EosThresholds.Case("gd", 0, 2.0, 2.0, 0, 1e2, 0.9, 1.1);
        assertFalse(stable.pass()); // did not blow up above the threshold
        assertThrows(IllegalArgumentException.class, () -> EosThresholds.threshold("adam", 0.9, 1));
    }
}
