package org.sgdlab.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

class ActivationTest {

    /** erf by its Maclaurin series (converges for all x; used for |x| <= 3, error ~1e-13). */
    static double erfSeries(double x) {
        double sum = 0;
        double term = x;             // (-1)^n x^(2n+1) / n!
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }

    static double phi(double x) {
        return 0.5 * (1 + erfSeries(x / Math.sqrt(2)));
    }

    private static final double[] XS = {-2.7, -1.3, -0.41, -0.02, 0.003, 0.37, 1.1, 2.9};

    private static void forward(Activation a, DoubleUnaryOperator ref, double tol) {
        Tensor y = a.apply(Tensor.vector(XS));
        for (int i = 0; i < XS.length; i++) {
            NnTesting.assertClose(ref.applyAsDouble(XS[i]), y.flat(i), tol, a.id() + "(" + XS[i] + ")");
        }
    }

    @Test
    void forwardValuesMatchScalarFormulas() {
        forward(Activation.IDENTITY, x -> x, 0);
        forward(Activation.RELU, x -> x > 0 ? x : 0, 0);
        forward(Activation.TANH, Math::tanh, 1e-15);
        forward(Activation.ELU, x -> x > 0 ? x : Math.expm1(x), 1e-15);
        forward(Activation.GELU, x -> x * phi(x), 1e-12);
        forward(Activation.SOFTPLUS, x -> Math.log1p(Math.exp(x)), 1e-15);
        forward(Activation.SIGMOID, x -> 1 / (1 + Math.exp(-x)), 1e-15);
        forward(Activation.SWISH, x -> x / (1 + Math.exp(-x)), 1e-15);
    }

    @Test
    void derivativesMatchClosedForms() {
        // d/dx of sum(act(x)) is act'(x) elementwise
        Tensor x = Tensor.vector(XS);
        check(Activation.TANH, x, t -> 1 - Math.tanh(t) * Math.tanh(t));
        check(Activation.ELU, x, t -> t > 0 ? 1 : Math.exp(t));
        check(Activation.GELU, x, t -> phi(t) + t * Math.exp(-t * t / 2) / Math.sqrt(2 * Math.PI));
        check(Activation.SOFTPLUS, x, t -> 1 / (1 + Math.exp(-t)));
        check(Activation.RELU, x, t -> t > 0 ? 1 : 0);
        check(Activation.SIGMOID, x, t -> Math.exp(-t) / Math.pow(1 + Math.exp(-t), 2));
        // softplus'(0) = sigmoid(0) = 1/2 exactly
        assertEquals(0.5, Autodiff.grad(t -> Activation.SOFTPLUS.apply(t).sum(), Tensor.vector(0.0)).flat(0));
    }

    private static void check(Activation a, Tensor x, DoubleUnaryOperator deriv) {
        Tensor g = Autodiff.grad(t -> a.apply(t).sum(), x);
        for (int i = 0; i < x.size(); i++) {
            NnTesting.assertClose(deriv.applyAsDouble(x.flat(i)), g.flat(i), 1e-12, a.id() + "'(" + x.flat(i) + ")");
        }
    }

    @Test
    void gradientsAndHvpsAgreeWithFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(3);
        // magnitudes >= 0.1 keep relu and elu (second derivative jumps at 0) away from their kinks
        Tensor x = NnTesting.awayFromZero(rng, 0.1, 2.0, 3, 4);
        for (Activation a : Activation.values()) {
            NnTesting.checkGrads(a.id(), a, Tensor.zeros(0), x, 11);
            Checks.checkHvp(a.id() + " d2/dx2", NnTesting.inputObjective(a, Tensor.zeros(0), x, 12), x, 13,
                    NnTesting.HVP_TOL);
        }
    }

    @Test
    void softplusIsStableAndPrecise() {
        Tensor y = Activation.SOFTPLUS.apply(Tensor.vector(1000, -1000, -40, -700, 35));
        assertEquals(1000.0, y.flat(0));
        assertEquals(0.0, y.flat(1));
        // full relative precision where softplus(x) ~ e^x (naive log(1 + e^x) gives 0 here)
        NnTesting.assertClose(1.0, y.flat(2) / Math.log1p(Math.exp(-40)), 1e-15, "softplus(-40)");
        NnTesting.assertClose(1.0, y.flat(3) / Math.exp(-700), 1e-14, "softplus(-700)");
        NnTesting.assertClose(35 + Math.log1p(Math.exp(-35)), y.flat(4), 1e-16, "softplus(35)");
        // a few ulps everywhere (log(1 + e^x) alone has relative error ~1e-16 e^-x for x < 0)
        double[] xs = {-0.3, -1, -5, -9, -9.25, -10, -12, -20, -36, -38, -50, -745, 0.3, 9.25, 12, 40};
        Tensor sp = Activation.SOFTPLUS.apply(Tensor.vector(xs));
        for (int i = 0; i < xs.length; i++) {
            double ref = Math.max(xs[i], 0) + Math.log1p(Math.exp(-Math.abs(xs[i])));
            NnTesting.assertClose(1.0, sp.flat(i) / ref, 5e-16, "softplus(" + xs[i] + ")");
        }
        Tensor g = Autodiff.grad(t -> Activation.SOFTPLUS.apply(t).sum(), Tensor.vector(1000, -1000, 0));
        assertEquals(1.0, g.flat(0));
        assertEquals(0.0, g.flat(1));
        assertEquals(0.5, g.flat(2));
    }

    @Test
    void eluDoesNotOverflowForLargeInputs() {
        Tensor x = Tensor.vector(800, -800);
        Tensor g = Autodiff.grad(t -> Activation.ELU.apply(t).sum(), x);
        assertEquals(800.0, Activation.ELU.apply(x).flat(0));
        assertEquals(-1.0, Activation.ELU.apply(x).flat(1));
        assertEquals(1.0, g.flat(0));
        assertEquals(0.0, g.flat(1));
    }

    @Test
    void registryFailsLoudly() {
        assertSame(Activation.TANH, Activation.of("tanh"));
        assertSame(Activation.GELU, Layers.activation("gelu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.of("Tanh"));
        assertTrue(e.getMessage().contains("unknown activation 'Tanh'"), e.getMessage());
        assertTrue(e.getMessage().contains("identity, relu, tanh, elu, gelu, softplus, sigmoid, swish"), e.getMessage());
    }

    @Test
    void activationsTakeNoParameters() {
        assertEquals(0, Activation.RELU.numParams());
        assertThrows(IllegalArgumentException.class, () -> Activation.RELU.apply(Tensor.zeros(1), Tensor.zeros(2, 2)));
    }
}
