package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

/**
 * The RK4 gradient flow on the quadratic L = 1/2 sum_i a_i theta_i^2 (gradient a_i theta_i): one RK4 step
 * multiplies each component by the degree-4 Taylor polynomial R(z) = 1 + z + z^2/2 + z^3/6 + z^4/24 of
 * exp(z) at z = -h a_i (an exact identity for linear ODEs), so n steps give R(-h a_i)^n exactly.
 */
class EosFlowTest {

    static double r4(double z) {
        return 1 + z + z * z / 2 + z * z * z / 6 + z * z * z * z / 24;
    }

    static final double[] A = {0.5, 3.0, 10.0};

    static EosFlow.Field quadratic(double[] a) {
        Tensor av = Tensor.vector(a);
        return new EosFlow.Field() {
            @Override
            public Tensor grad(Tensor theta) {
                return theta.mul(av);
            }

            @Override
            public double loss(Tensor theta) {
                return 0.5 * theta.mul(theta).mul(av).sum().item();
            }

            @Override
            public double sharpness(long k, Tensor theta) {
                return 10.0;
            }
        };
    }

    @Test
    void oneStepIsTheTaylorPolynomialOfExp() {
        Tensor theta = Tensor.vector(1.0, -2.0, 0.5);
        double h = 0.07;
        Tensor next = EosFlow.rk4Step(quadratic(A)::grad, theta, h);
        for (int i = 0; i < 3; i++) {
            assertEquals(theta.flat(i) * r4(-h * A[i]), next.flat(i), 1e-15);
        }
    }

    @Test
    void integrateUsesEqualStepsBoundedByOneOverLambda() {
        Tensor theta0 = Tensor.vector(1.0, -2.0, 0.5);
        // lambda = 10: bound 0.1; interval 0.25 -> n = 3 steps of h = 1/12 per interval
        EosFlow.Trajectory tr = EosFlow.integrate(quadratic(A), theta0, 0.25, 4, 1.0);
        assertEquals(5, tr.tau().length);
        assertEquals(12, tr.rkSteps());
        assertEquals(1.0 / 12, tr.step()[0], 1e-15);
        assertTrue(Double.isNaN(tr.step()[4]));
        for (int k = 0; k <= 4; k++) {
            assertEquals(0.25 * k, tr.tau()[k], 1e-15);
            for (int i = 0; i < 3; i++) {
                double want = theta0.flat(i) * Math.pow(r4(-A[i] / 12), 3 * k);
                assertEquals(want, tr.theta().get(k).flat(i), 1e-14, "k " + k + " component " + i);
                // and RK4 tracks the exact flow exp(-a tau) closely at this step size
                assertEquals(theta0.flat(i) * Math.exp(-A[i] * 0.25 * k), tr.theta().get(k).flat(i), 2e-3);
            }
            assertEquals(quadratic(A).loss(tr.theta().get(k)), tr.loss()[k], 1e-15);
        }
    }

    @Test
    void stepBoundAndErrors() {
        assertEquals(0.1, EosFlow.stepBound(10, 1), 0);
        assertEquals(1.0, EosFlow.stepBound(0.5, 1), 0);
        assertEquals(1.0, EosFlow.stepBound(-3, 1), 0);
        assertEquals(1.0, EosFlow.stepBound(Double.NaN, 1), 0);
        assertThrows(IllegalArgumentException.class, () -> EosFlow.integrate(quadratic(A), Tensor.vector(1, 1, 1), 0, 3, 1));
    }

    @Test
    void stepsExactlyAtTheBoundAreNotSplit() {
        // interval 0.3 with bound 0.1: exactly 3 steps (no fourth from rounding)
        EosFlow.Trajectory tr = EosFlow.integrate(quadratic(A), Tensor.vector(1, 1, 1), 0.3, 1, 1.0);
        assertEquals(3, tr.rkSteps());
    }
}
