package org.sgdlab.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** Shared oracles for the nn tests: derivative checks of a model through a fixed smooth scalarisation. */
final class NnTesting {

    static final double GRAD_TOL = 1e-6;
    static final double HVP_TOL = 1e-5;

    private NnTesting() {
    }

    /**
     * {@code s(y) = sum(R y) + 1/2 sum(Q y^2)} with fixed random R and Q > 0: a smooth scalar whose
     * second derivative is non-zero even for outputs linear in the parameters.
     */
    static Function<Tensor, Tensor> scalariser(int[] shape, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor r = Tensor.randn(rng, shape);
        Tensor q = Tensor.uniform(rng, 0.5, 1.5, shape);
        return y -> y.mul(r).sum().add(y.square().mul(q).sum().mul(0.5));
    }

    static Function<Tensor, Tensor> thetaObjective(Model m, Tensor theta, Tensor x, long seed) {
        Function<Tensor, Tensor> s = scalariser(m.apply(theta, x).shape(), seed);
        return t -> s.apply(m.apply(t, x));
    }

    static Function<Tensor, Tensor> inputObjective(Model m, Tensor theta, Tensor x, long seed) {
        Function<Tensor, Tensor> s = scalariser(m.apply(theta, x).shape(), seed);
        return z -> s.apply(m.apply(theta, z));
    }

    /** Gradient w.r.t. theta and w.r.t. x against finite differences. */
    static void checkGrads(String what, Model m, Tensor theta, Tensor x, long seed) {
        if (theta.size() > 0) {
            Checks.checkGrad(what + " d/dtheta", thetaObjective(m, theta, x, seed), theta, seed, GRAD_TOL);
        }
        Checks.checkGrad(what + " d/dx", inputObjective(m, theta, x, seed), x, seed + 1, GRAD_TOL);
    }

    /** HVP w.r.t. theta against finite differences of the gradient, and Hessian symmetry. */
    static void checkHvp(String what, Model m, Tensor theta, Tensor x, long seed) {
        Function<Tensor, Tensor> f = thetaObjective(m, theta, x, seed);
        Checks.checkHvp(what + " hvp", f, theta, seed, HVP_TOL);
        Checks.checkHessianSymmetry(what, f, theta, seed);
    }

    /**
     * Like {@link #checkGrads} for piecewise-smooth models (relu, max pooling): central differences
     * with a step of 1e-5 instead of 1e-3, so the finite-difference path is unlikely to cross a kink
     * (the check must not depend on a lucky seed); the rounding error ~1e-16/h stays far below the tolerance.
     */
    static void checkGradsKinked(String what, Model m, Tensor theta, Tensor x, long seed) {
        if (theta.size() > 0) {
            smallStepGrad(what + " d/dtheta", thetaObjective(m, theta, x, seed), theta, seed);
        }
        smallStepGrad(what + " d/dx", inputObjective(m, theta, x, seed), x, seed + 1);
    }

    /** HVP of a piecewise-smooth model against small-step differences of its gradient. */
    static void checkHvpKinked(String what, Model m, Tensor theta, Tensor x, long seed) {
        Function<Tensor, Tensor> f = thetaObjective(m, theta, x, seed);
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int t = 0; t < 2; t++) {
            Tensor v = Tensor.randn(rng, theta.shape());
            Tensor hv = Autodiff.hvp(f, theta, v);
            Tensor fd = Checks.directionalVec(z -> Autodiff.grad(f, z), theta, v, SMALL_STEP);
            double err = Checks.relErr(hv, fd);
            assertTrue(err <= HVP_TOL, what + " hvp: rel err " + err + " against small-step differences of the gradient");
        }
    }

    private static final double SMALL_STEP = 1e-5;

    private static void smallStepGrad(String what, Function<Tensor, Tensor> f, Tensor x, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor g = Autodiff.grad(f, x);
        for (int t = 0; t < 3; t++) {
            Tensor d = Tensor.randn(rng, x.shape());
            double ad = g.dotValue(d);
            double fd = Checks.directional(f, x, d, SMALL_STEP);
            double err = Checks.relErr(ad, fd);
            assertTrue(err <= GRAD_TOL, what + ": grad.d = " + ad + " but small-step differences give " + fd
                    + " (rel err " + err + ")");
        }
    }

    /** Entries drawn from +-U(lo, hi): magnitudes bounded away from 0 (away from relu kinks). */
    static Tensor awayFromZero(SplittableRandom rng, double lo, double hi, int... shape) {
        Tensor mag = Tensor.uniform(rng, lo, hi, shape);
        double[] s = new double[mag.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = rng.nextBoolean() ? 1 : -1;
        }
        return mag.mul(Tensor.of(s, shape));
    }

    static void assertClose(double expected, double actual, double tol, String what) {
        double err = Math.abs(expected - actual) / Math.max(1.0, Math.abs(expected));
        if (!(err <= tol)) {
            throw new AssertionError(what + ": expected " + expected + " but got " + actual + " (err " + err + ")");
        }
    }

    static void assertAllClose(double[] expected, Tensor actual, double tol, String what) {
        if (expected.length != actual.size()) {
            throw new AssertionError(what + ": expected " + expected.length + " values, got " + actual.size());
        }
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual.flat(i), tol, what + " [" + i + "]");
        }
    }
}
