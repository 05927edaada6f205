package org.sgdlab.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** Derivatives with known closed forms. */
class ClosedFormTest {

    @Test
    void quadraticFormHasHessianA() {
        SplittableRandom rng = new SplittableRandom(1);
        int n = 7;
        Tensor b = Tensor.randn(rng, n, n);
        Tensor a = b.add(b.transpose()).mul(0.5);                       // symmetric A
        Function<Tensor, Tensor> f = x -> x.matmul(a.matmul(x)).mul(0.5); // 1/2 x^T A x
        Tensor x0 = Tensor.randn(rng, n);
        for (int t = 0; t < 3; t++) {
            Tensor v = Tensor.randn(rng, n);
            Tensor hv = Autodiff.hvp(f, x0, v);
            Tensor av = a.matmul(v);
            assertTrue(Checks.relErr(hv, av) < 1e-14, "Hv " + hv + " vs Av " + av);
        }
        assertTrue(Checks.relErr(Autodiff.grad(f, x0), a.matmul(x0)) < 1e-14, "gradient of 1/2 x^T A x is A x");
    }

    @Test
    void nonSymmetricQuadraticHasSymmetrisedHessian() {
        SplittableRandom rng = new SplittableRandom(2);
        int n = 5;
        Tensor a = Tensor.randn(rng, n, n);
        Function<Tensor, Tensor> f = x -> x.matmul(a.matmul(x)).mul(0.5);
        Tensor h = Autodiff.hessian(f, Tensor.randn(rng, n));
        Tensor want = a.add(a.transpose()).mul(0.5);
        assertTrue(Checks.relErr(h, want) < 1e-14, h + " vs " + want);
    }

    @Test
    void leastSquaresHessianIsXtXOverN() {
        SplittableRandom rng = new SplittableRandom(3);
        int n = 40;
        int d = 6;
        Tensor x = Tensor.randn(rng, n, d);
        Tensor y = Tensor.randn(rng, n);
        Function<Tensor, Tensor> loss = w -> x.matmul(w).sub(y).square().sum().div(2.0 * n);   // (1/2n)||Xw - y||^2
        Tensor h = Autodiff.hessian(loss, Tensor.randn(rng, d));
        Tensor want = x.matmul(x, true, false).div((double) n);
        assertTrue(Checks.relErr(h, want) < 1e-13, "H " + h + " vs X^T X / n " + want);
    }

    @Test
    void hessianOfTinyTanhMlpIsSymmetricAndMatchesFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(4);
        int in = 3;
        int hid = 4;
        int out = 2;
        int p = hid * in + hid + out * hid + out;
        Tensor x = Tensor.randn(rng, 5, in);
        Tensor y = Tensor.randn(rng, 5, out);
        Function<Tensor, Tensor> loss = th -> {
            Tensor w1 = th.slice(0, 0, hid * in).reshape(hid, in);
            Tensor b1 = th.slice(0, hid * in, hid * in + hid);
            int o = hid * in + hid;
            Tensor w2 = th.slice(0, o, o + out * hid).reshape(out, hid);
            Tensor b2 = th.slice(0, o + out * hid, p);
            Tensor f = x.matmul(w1, false, true).add(b1).tanh().matmul(w2, false, true).add(b2);
            return f.sub(y).square().sum().mul(0.5 / 5);
        };
        Tensor th0 = Tensor.randn(rng, p).mul(0.7);
        Tensor h = Autodiff.hessian(loss, th0);
        assertEquals(p, h.dim(0));
        Tensor asym = h.sub(h.transpose());
        assertTrue(asym.norm() <= 1e-13 * h.norm(), "Hessian not symmetric: ||H - H^T|| = " + asym.norm());
        for (int j = 0; j < p; j++) {
            double[] e = new double[p];
            e[j] = 1;
            Tensor col = Checks.directionalVec(t -> Autodiff.grad(loss, t), th0, Tensor.of(e, p), 1e-3);
            Tensor hcol = h.slice(1, j, j + 1).reshape(p);
            assertTrue(Checks.relErr(hcol, col) < 1e-7 || col.sub(hcol).norm() < 1e-9,
                    "column " + j + ": " + hcol + " vs finite differences " + col);
        }
    }

    @Test
    void hvpIsLinearInV() {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor a = Tensor.randn(rng, 6, 6);
        Function<Tensor, Tensor> f = x -> a.matmul(x).tanh().sum().add(x.square().mul(x).sum().mul(0.1));
        Tensor x0 = Tensor.randn(rng, 6);
        Tensor u = Tensor.randn(rng, 6);
        Tensor v = Tensor.randn(rng, 6);
        Tensor lhs = Autodiff.hvp(f, x0, u.mul(2.5).add(v.mul(-1.5)));
        Tensor rhs = Autodiff.hvp(f, x0, u).mul(2.5).add(Autodiff.hvp(f, x0, v).mul(-1.5));
        assertTrue(Checks.relErr(lhs, rhs) < 1e-14, lhs + " vs " + rhs);
    }

    @Test
    void reusableHessianOperatorEqualsHvp() {
        SplittableRandom rng = new SplittableRandom(7);
        Tensor a = Tensor.randn(rng, 5, 5);
        Function<Tensor, Tensor> f = x -> a.matmul(x).tanh().square().sum().add(x.exp().sum());
        Tensor x0 = Tensor.randn(rng, 5);
        var h = Autodiff.hessianAt(f, x0);
        for (int t = 0; t < 3; t++) {
            Tensor v = Tensor.randn(rng, 5);
            Tensor hv = h.apply(v);
            assertTrue(Checks.relErr(hv, Autodiff.hvp(f, x0, v)) == 0.0, "hessianAt differs from hvp");
            assertTrue(!hv.isTraced());
        }
    }

    @Test
    void linearModelJacobianIsX() {
        SplittableRandom rng = new SplittableRandom(6);
        Tensor x = Tensor.randn(rng, 4, 3);
        Tensor j = Autodiff.jacobian(w -> x.matmul(w), Tensor.randn(rng, 3));
        assertTrue(Checks.relErr(j, x) == 0.0, j + " vs " + x);
    }
}
