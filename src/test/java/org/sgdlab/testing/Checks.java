package org.sgdlab.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Tensor;

/**
 * Float64 derivative oracles: central finite differences with one Richardson step (error O(h^4))
 * along random directions, for first derivatives (against {@code grad}) and second derivatives
 * (finite differences of {@code grad} against {@code hvp}).
 */
public final class Checks {

    private Checks() {
    }

    /** Richardson-extrapolated central difference of a scalar function along d. */
    public static double directional(Function<Tensor, Tensor> f, Tensor x, Tensor d, double h) {
        double d1 = (f.apply(x.addScaled(d, h)).item() - f.apply(x.addScaled(d, -h)).item()) / (2 * h);
        double h2 = h / 2;
        double d2 = (f.apply(x.addScaled(d, h2)).item() - f.apply(x.addScaled(d, -h2)).item()) / (2 * h2);
        return (4 * d2 - d1) / 3;
    }

    /** Richardson-extrapolated central difference of a tensor-valued function along d. */
    public static Tensor directionalVec(Function<Tensor, Tensor> f, Tensor x, Tensor d, double h) {
        Tensor d1 = f.apply(x.addScaled(d, h)).sub(f.apply(x.addScaled(d, -h))).div(2 * h);
        double h2 = h / 2;
        Tensor d2 = f.apply(x.addScaled(d, h2)).sub(f.apply(x.addScaled(d, -h2))).div(2 * h2);
        return d2.mul(4).sub(d1).div(3);
    }

    public static double relErr(double a, double b) {
        return Math.abs(a - b) / Math.max(1e-12, Math.max(Math.abs(a), Math.abs(b)));
    }

    /** ||a - b|| / max(||a||, ||b||, floor). */
    public static double relErr(Tensor a, Tensor b) {
        double diff = a.sub(b).norm();
        return diff / Math.max(1e-12, Math.max(a.norm(), b.norm()));
    }

    public static Tensor randomDirection(SplittableRandom rng, int... shape) {
        return Tensor.randn(rng, shape);
    }

    /** grad(f)(x) . d against finite differences along {@code trials} random directions. */
    public static void checkGrad(String what, Function<Tensor, Tensor> f, Tensor x, long seed, double tol) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor g = Autodiff.grad(f, x);
        for (int t = 0; t < 3; t++) {
            Tensor d = randomDirection(rng, x.shape());
            double ad = g.dotValue(d);
            double fd = directional(f, x, d, 1e-3);
            double err = relErr(ad, fd);
            double scale = Math.max(Math.abs(ad), Math.abs(fd));
            assertTrue(err <= tol || Math.abs(ad - fd) <= 1e-10 * Math.max(1, scale) && scale < 1e-8,
                    what + ": grad.d = " + ad + " but finite differences give " + fd + " (rel err " + err + ")");
        }
    }

    /** hvp(f)(x, v) against finite differences of the gradient along v. */
    public static void checkHvp(String what, Function<Tensor, Tensor> f, Tensor x, long seed, double tol) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5DEECE66DL);
        for (int t = 0; t < 2; t++) {
            Tensor v = randomDirection(rng, x.shape());
            Tensor hv = Autodiff.hvp(f, x, v);
            Tensor fd = directionalVec(z -> Autodiff.grad(f, z), x, v, 1e-3);
            double err = relErr(hv, fd);
            assertTrue(err <= tol || (hv.norm() < 1e-9 && fd.norm() < 1e-7),
                    what + ": hvp differs from finite differences of grad: rel err " + err
                            + "\n  hvp " + hv + "\n  fd  " + fd);
        }
    }

    /** {@code <u, J v> = <J^T u, v>} and J v against finite differences of f. */
    public static void checkJvpVjp(String what, Function<Tensor, Tensor> f, Tensor x, long seed, double tol) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x9E3779B97F4A7C15L);
        Tensor y = f.apply(x);
        Tensor v = randomDirection(rng, x.shape());
        Tensor u = randomDirection(rng, y.shape());
        Tensor jv = Autodiff.jvp(f, x, v);
        Tensor jtu = Autodiff.vjp(f, x, u);
        double lhs = u.dotValue(jv);
        double rhs = jtu.dotValue(v);
        assertTrue(relErr(lhs, rhs) <= 1e-10 || Math.abs(lhs - rhs) < 1e-12,
                what + ": <u, Jv> = " + lhs + " but <J^T u, v> = " + rhs);
        Tensor fd = directionalVec(f, x, v, 1e-3);
        double err = relErr(jv, fd);
        assertTrue(err <= tol || (jv.norm() < 1e-9 && fd.norm() < 1e-7),
                what + ": jvp differs from finite differences: rel err " + err + "\n  jvp " + jv + "\n  fd  " + fd);
    }

    /** u . H v = v . H u. */
    public static void checkHessianSymmetry(String what, Function<Tensor, Tensor> f, Tensor x, long seed) {
        SplittableRandom rng = new SplittableRandom(seed ^ 0x2545F4914F6CDD1DL);
        Tensor u = randomDirection(rng, x.shape());
        Tensor v = randomDirection(rng, x.shape());
        double a = u.dotValue(Autodiff.hvp(f, x, v));
        double b = v.dotValue(Autodiff.hvp(f, x, u));
        assertTrue(relErr(a, b) <= 1e-9 || Math.abs(a - b) < 1e-12, what + ": u.Hv = " + a + " but v.Hu = " + b);
    }

    public static String str(int[] s) {
        return Arrays.toString(s);
    }
}
