package org.sgdlab.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

/**
 * Criterion M1 of STUDIES.md §1.2 and the thresholds of QUANTITIES.md Q3.4: on f(w) = a w^2/2 with
 * eta = 1, 10^4 steps from w_0 = 1, each momentum optimizer converges (|w_T| &lt; 1e-6) at
 * a = 0.99 x threshold and blows up (|w_T| &gt; 1e3 or non-finite) at 1.01 x threshold, for
 * beta in {0, 0.5, 0.9}; the spectral radius of the 2x2 iteration matrix, derived here by hand
 * for each method, is &lt; 1 below and &gt; 1 above.
 */
class QuadraticThresholdTest {

    static final double ETA = 1.0;
    static final double[] BETAS = {0.0, 0.5, 0.9};
    static final String[] METHODS = {"heavy-ball", "polyak", "nesterov"};

    /** The thresholds of the Q3.4 table, written independently of the implementation. */
    static double threshold(String method, double beta, double eta) {
        return switch (method) {
            case "gd" -> 2 / eta;
            case "heavy-ball", "polyak" -> (2 + 2 * beta) / eta;
            case "nesterov" -> (2 + 2 * beta) / ((1 + 2 * beta) * eta);
            default -> throw new IllegalArgumentException(method);
        };
    }

    /**
     * The iteration matrix on (w, s), s the method's stored state, derived by hand from the update:
     * <pre>
     * heavy-ball: v' = beta v + a w,     w' = w - eta v'            = (1 - eta a) w - eta beta v
     * polyak:     v' = beta v + eta a w, w' = w - v'                = (1 - eta a) w - beta v
     * nesterov:   v' = beta v + a w,     w' = w - eta (a w + beta v') = (1 - eta a (1 + beta)) w - eta beta^2 v
     * </pre>
     */
    static double[][] iterationMatrix(String method, double beta, double eta, double a) {
        return switch (method) {
            case "heavy-ball" -> new double[][] {{1 - eta * a, -eta * beta}, {a, beta}};
            case "polyak" -> new double[][] {{1 - eta * a, -beta}, {eta * a, beta}};
            case "nesterov" -> new double[][] {{1 - eta * a * (1 + beta), -eta * beta * beta}, {a, beta}};
            default -> throw new IllegalArgumentException(method);
        };
    }

    /** Largest |eigenvalue| of a real 2x2 matrix from its trace and determinant. */
    static double spectralRadius(double[][] m) {
        double tr = m[0][0] + m[1][1];
        double det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        double disc = tr * tr - 4 * det;
        if (disc >= 0) {
            double s = Math.sqrt(disc);
            return Math.max(Math.abs(tr + s), Math.abs(tr - s)) / 2;
        }
        return Math.sqrt(det); // complex pair: |z|^2 = det
    }

    static Optimizer<?> make(String method, double beta) {
        Schedule s = Schedules.constant(ETA);
        return method.equals("gd") ? Optimizers.gd(s) : Optimizers.create(method, s, Map.of("beta", beta));
    }

    /** w_T after {@code steps} updates of f(w) = a w^2/2 (gradient a w), stopping early once non-finite. */
    static <S extends OptimizerState> double finalW(Optimizer<S> opt, double a, int steps) {
        Tensor w = Tensor.vector(1.0);
        S s = opt.init(w);
        for (int t = 0; t < steps; t++) {
            Update<S> u = opt.update(w.mul(a), s, w, t);
            w = u.newTheta();
            s = u.newState();
            if (!Double.isFinite(w.item())) {
                break;
            }
        }
        return w.item();
    }

    @Test
    void m1ConvergesBelowAndDivergesAboveThreshold() {
        for (double beta : BETAS) {
            for (String method : beta == 0 ? new String[] {"gd", "heavy-ball", "polyak", "nesterov"} : METHODS) {
                Optimizer<?> opt = make(method, beta);
                double thr = threshold(method, beta, ETA);
                assertEquals(thr, opt.threshold(0), 1e-12 * thr, method + " beta=" + beta + " threshold");
                String what = method + " beta=" + beta;
                double below = finalW(opt, 0.99 * thr, 10_000);
                assertTrue(Math.abs(below) < 1e-6, what + ": |w_T| = " + below + " at 0.99 x threshold");
                double above = finalW(opt, 1.01 * thr, 10_000);
                assertTrue(!Double.isFinite(above) || Math.abs(above) > 1e3,
                        what + ": |w_T| = " + above + " at 1.01 x threshold");
            }
        }
    }

    @Test
    void spectralRadiusCrossesOneAtTheThreshold() {
        for (double beta : BETAS) {
            for (String method : METHODS) {
                double thr = threshold(method, beta, ETA);
                String what = method + " beta=" + beta;
                double below = spectralRadius(iterationMatrix(method, beta, ETA, 0.99 * thr));
                double above = spectralRadius(iterationMatrix(method, beta, ETA, 1.01 * thr));
                assertTrue(below < 1, what + ": rho = " + below + " at 0.99 x threshold");
                assertTrue(above > 1, what + ": rho = " + above + " at 1.01 x threshold");
            }
        }
        // Q3.4 quotes heavy ball beta = 0.5: 0.94 -> 1.06 and Nesterov beta = 0.5: 0.976 -> 1.024
        assertEquals(0.94, spectralRadius(iterationMatrix("heavy-ball", 0.5, 1, 0.99 * 3)), 0.005);
        assertEquals(1.06, spectralRadius(iterationMatrix("heavy-ball", 0.5, 1, 1.01 * 3)), 0.005);
        assertEquals(0.976, spectralRadius(iterationMatrix("nesterov", 0.5, 1, 0.99 * 1.5)), 0.002);
        assertEquals(1.024, spectralRadius(iterationMatrix("nesterov", 0.5, 1, 1.01 * 1.5)), 0.002);
    }

    /** Trace and determinant of the hand-derived matrices equal the characteristic polynomials of Q3.4. */
    @Test
    void iterationMatricesHaveTheTabulatedCharacteristicPolynomials() {
        double eta = 0.3;
        double a = 2.7;
        for (double beta : BETAS) {
            for (String method : METHODS) {
                double[][] m = iterationMatrix(method, beta, eta, a);
                double tr = m[0][0] + m[1][1];
                double det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
                boolean nes = method.equals("nesterov");
                // z^2 - tr z + det
                double trQ34 = nes ? (1 + beta) * (1 - eta * a) : 1 + beta - eta * a;
                double detQ34 = nes ? beta * (1 - eta * a) : beta;
                assertEquals(trQ34, tr, 1e-14, method + " trace");
                assertEquals(detQ34, det, 1e-14, method + " det");
            }
        }
    }

    /** One update from an arbitrary restored state equals the hand-derived matrix times (w, s). */
    @Test
    void oneStepEqualsTheIterationMatrix() {
        double eta = 0.7;
        double a = 1.3;
        double w = 0.8;
        double s = -0.35;
        for (double beta : BETAS) {
            for (String method : METHODS) {
                double[][] m = iterationMatrix(method, beta, eta, a);
                double[] got = oneStep(make(method, beta).withSchedule(Schedules.constant(eta)), a, w, s);
                assertEquals(m[0][0] * w + m[0][1] * s, got[0], 1e-14, method + " w'");
                assertEquals(m[1][0] * w + m[1][1] * s, got[1], 1e-14, method + " s'");
            }
        }
    }

    static <S extends OptimizerState> double[] oneStep(Optimizer<S> opt, double a, double w, double s) {
        String key = opt.name().equals("polyak") ? OptimizerState.Displacement.KEY : OptimizerState.MomentumBuffer.KEY;
        S state = opt.restore(Map.of(key, Tensor.vector(s)), Map.of());
        Tensor th = Tensor.vector(w);
        Update<S> u = opt.update(th.mul(a), state, th, 0);
        return new double[] {u.newTheta().item(), u.newState().tensors().get(key).item()};
    }

    /**
     * On a 1-D quadratic with constant eta the iterates satisfy the recurrence of the characteristic
     * polynomial (Q3.4): w_{t+2} = c1 w_{t+1} - c0 w_t, with w_1 from v_0 = 0.
     */
    @Test
    void iteratesFollowTheCharacteristicRecurrence() {
        double eta = 0.1;
        double a = 7.0;
        for (double beta : new double[] {0.5, 0.9}) {
            for (String method : METHODS) {
                boolean nes = method.equals("nesterov");
                double c1 = nes ? (1 + beta) * (1 - eta * a) : 1 + beta - eta * a;
                double c0 = nes ? beta * (1 - eta * a) : beta;
                double w1 = nes ? 1 - eta * a * (1 + beta) : 1 - eta * a;
                double[] ws = trajectory(make(method, beta).withSchedule(Schedules.constant(eta)), a, 40);
                assertEquals(w1, ws[1], 1e-15, method + " w_1");
                for (int t = 0; t + 2 <= 40; t++) {
                    double expected = c1 * ws[t + 1] - c0 * ws[t];
                    assertEquals(expected, ws[t + 2], 1e-13 * Math.max(1e-3, Math.abs(ws[t])),
                            method + " beta=" + beta + " t=" + t);
                }
            }
        }
    }

    static <S extends OptimizerState> double[] trajectory(Optimizer<S> opt, double a, int steps) {
        double[] out = new double[steps + 1];
        Tensor w = Tensor.vector(1.0);
        out[0] = 1.0;
        S s = opt.init(w);
        for (int t = 0; t < steps; t++) {
            Update<S> u = opt.update(w.mul(a), s, w, t);
            w = u.newTheta();
            s = u.newState();
            out[t + 1] = w.item();
        }
        return out;
    }
}
