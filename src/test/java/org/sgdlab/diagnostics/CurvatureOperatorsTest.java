package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Loss;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.tensor.Tensor;

/** Hessian and Gauss-Newton operators against dense matrices assembled independently (Q5.1). */
class CurvatureOperatorsTest {

    private static double relFrob(Tensor a, Tensor b) {
        return a.sub(b).norm() / Math.max(a.norm(), b.norm());
    }

    @Test
    void hessianOperatorEqualsTheDenseHessianAndCountsApplications() {
        Problem p = SharpnessFixtures.tanhProblem(SharpnessFixtures.data(11, 3, 3, 1), SharpnessFixtures.HALF, 4, 3, 4, 3);
        Tensor th = SharpnessFixtures.theta(p, 2, 1.5);
        CountingOperator h = CurvatureOperators.hessian(p, th, p.train());
        Tensor dense = SharpnessFixtures.hessian(p, th, p.train());
        Tensor m = h.toMatrix();
        assertEquals(th.size(), h.applications());
        assertTrue(relFrob(m, dense) < 1e-12, "chunked operator vs Autodiff.hessian: " + relFrob(m, dense));
        int[] idx = {7, 2, 9};
        Dataset b = p.train().batch(idx);
        Tensor hb = CurvatureOperators.batchHessian(p, th, idx).toMatrix();
        assertTrue(relFrob(hb, SharpnessFixtures.hessian(p, th, b)) < 1e-12);
    }

    @Test
    void gaussNewtonOfALinearModelIsTheHessianAndTwoCOverNXtX() {
        for (MseConvention conv : MseConvention.values()) {
            SplittableRandom r = new SplittableRandom(3);
            int n = 9;
            int d = 4;
            Tensor x = Tensor.randn(r, n, d);
            Dataset data = Dataset.regression("lin", x, Tensor.randn(r, n));
            Problem p = new Problem(Mlp.of(Activation.TANH, d, 1).withBias(false), Losses.of("mse", conv), data, null, 4);
            Tensor th = Tensor.randn(r, d);
            Tensor g = CurvatureOperators.gaussNewton(p, th, data).toMatrix();
            double c = conv.factor();
            // (2c/N) X^T X by explicit loops
            double[] want = new double[d * d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (int k = 0; k < n; k++) {
                        s += x.get(k, i) * x.get(k, j);
                    }
                    want[i * d + j] = 2 * c / n * s;
                }
            }
            Tensor w = Tensor.of(want, d, d);
            assertTrue(relFrob(g, w) < 1e-13, conv + ": G vs (2c/N) X^T X: " + relFrob(g, w));
            Tensor h = SharpnessFixtures.hessian(p, th, data);
            assertTrue(relFrob(h, w) < 1e-13, conv + ": H vs (2c/N) X^T X");
        }
    }

    @Test
    void gaussNewtonOfAnMlpIsSymmetricPsdAndTwoCOverNJtJ() {
        Dataset data = SharpnessFixtures.data(10, 3, 3, 4);
        Problem chunked = SharpnessFixtures.tanhProblem(data, SharpnessFixtures.HALF, 3, 3, 5, 3);
        Problem whole = SharpnessFixtures.tanhProblem(data, SharpnessFixtures.HALF, 1000, 3, 5, 3);
        Tensor th = SharpnessFixtures.theta(whole, 5, 2.0);
        CountingOperator op = CurvatureOperators.gaussNewton(chunked, th, data);
        Tensor g = op.toMatrix();
        assertEquals(th.size(), op.applications());
        Tensor g1 = CurvatureOperators.gaussNewton(whole, th, data).toMatrix();
        assertTrue(relFrob(g, g1) < 1e-12, "chunked GN differs: " + relFrob(g, g1));
        assertTrue(relFrob(g, g.transpose()) < 1e-12, "GN not symmetric");
        double[] ev = SharpnessFixtures.eig(g);
        assertTrue(ev[ev.length - 1] >= -1e-12 * ev[0], "GN not PSD: min eigenvalue " + ev[ev.length - 1]);
        Tensor j = Autodiff.jacobian(t -> whole.model().apply(t, data.x()), th);     // [N k, p]
        Tensor want = j.transpose().matmul(j).mul(2 * 0.5 / data.size());
        assertTrue(relFrob(g, want) < 1e-12, "GN vs (2c/N) J^T J: " + relFrob(g, want));
        // and the GN matrix differs from H by the residual term (not a vacuous comparison)
        assertTrue(relFrob(g, SharpnessFixtures.hessian(whole, th, data)) > 1e-3);
    }

    @Test
    void gaussNewtonOfCrossEntropyIsJtSoftmaxHessianJ() {
        Dataset data = SharpnessFixtures.data(8, 3, 4, 6);
        Problem p = SharpnessFixtures.tanhProblem(data, Losses.of("cross-entropy"), 3, 3, 5, 4);
        Tensor th = SharpnessFixtures.theta(p, 7, 2.0);
        Tensor g = CurvatureOperators.gaussNewton(p, th, data).toMatrix();
        int n = data.size();
        int k = 4;
        Tensor out = p.model().apply(th, data.x());
        Tensor j = Autodiff.jacobian(t -> p.model().apply(t, data.x()), th);          // rows (i, a), [n k, p]
        int pp = th.size();
        double[] want = new double[pp * pp];
        for (int i = 0; i < n; i++) {
            double mx = Double.NEGATIVE_INFINITY;
            for (int a = 0; a < k; a++) {
                mx = Math.max(mx, out.get(i, a));
            }
            double[] pr = new double[k];
            double z = 0;
            for (int a = 0; a < k; a++) {
                pr[a] = Math.exp(out.get(i, a) - mx);
                z += pr[a];
            }
            for (int a = 0; a < k; a++) {
                pr[a] /= z;
            }
            for (int a = 0; a < k; a++) {
                for (int c = 0; c < k; c++) {
                    double lam = (a == c ? pr[a] : 0) - pr[a] * pr[c];
                    for (int u = 0; u < pp; u++) {
                        double ju = j.get(i * k + a, u) * lam / n;
                        for (int v = 0; v < pp; v++) {
                            want[u * pp + v] += ju * j.get(i * k + c, v);
                        }
                    }
                }
            }
        }
        Tensor w = Tensor.of(want, pp, pp);
        assertTrue(relFrob(g, w) < 1e-12, "CE GN vs J^T (diag p - p p^T) J / N: " + relFrob(g, w));
    }

    @Test
    void gaussNewtonOfTheLogisticLossUsesTheExactOutputHessian() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 7;
        Tensor x = Tensor.randn(r, n, 3);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextBoolean() ? 1 : -1;
        }
        Dataset data = Dataset.regression("logit", x, Tensor.vector(y));
        Loss loss = Losses.of("logistic");
        Problem p = new Problem(Mlp.of(Activation.TANH, 3, 4, 1), loss, data, null, 1000);
        Tensor th = SharpnessFixtures.theta(p, 9, 2.0);
        Tensor g = CurvatureOperators.gaussNewton(p, th, data).toMatrix();
        Tensor f = p.model().apply(th, x);
        Tensor j = Autodiff.jacobian(t -> p.model().apply(t, x), th);                // [n, p]
        // d^2/df^2 log(1 + exp(-y f)) = s (1 - s), s = sigmoid(f) (y^2 = 1)
        double[] lam = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 1 / (1 + Math.exp(-f.flat(i)));
            lam[i] = s * (1 - s) / n;
        }
        Tensor want = j.transpose().matmul(Tensor.vector(lam).reshape(n, 1).mul(j));
        assertTrue(relFrob(g, want) < 1e-12, "logistic GN: " + relFrob(g, want));
    }

    @Test
    void badArgumentsAreNamed() {
        Problem p = SharpnessFixtures.tiny(4, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CurvatureOperators.hessian(p, Tensor.zeros(5), p.train()));
        assertTrue(e.getMessage().contains("theta has shape [5], expected [31]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CurvatureOperators.batchHessian(p, Tensor.zeros(31), new int[0]));
    }
}
