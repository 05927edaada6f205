package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.TwoLayerNtk;
import org.sgdlab.tensor.Tensor;

/** Tangent kernel (Q10.1), its spectrum and the loss split (Q10.2) against exact answers. */
class NtkTest {

    /** Linear model f = X theta: J = X, so K = X X^T and K-bar = (2c/n) X X^T (Q10.1's unit test). */
    @Test
    void linearModelKernelIsXXt() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 9;
        int d = 4;
        Tensor x = Tensor.randn(r, n, d);
        Model lin = Dense.of(d, 1).withoutBias();
        Tensor theta = Tensor.randn(r, d);
        for (double c : new double[] {0.5, 1.0}) {
            NtkOperator op = NtkOperator.of(lin, theta, x, 2 * c / n, 4);
            double[][] naive = new double[n][n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int a = 0; a < d; a++) {
                        s += x.get(i, a) * x.get(j, a);
                    }
                    naive[i][j] = 2 * c / n * s;
                }
            }
            Tensor expect = Tensor.matrix(naive);
            assertClose(expect, op.matrix(), 1e-14, "explicit K-bar, c = " + c);
            assertClose(expect, op.operator().toMatrix(), 1e-14, "matrix-free K-bar, c = " + c);
        }
        // through the problem's convention: plain (c = 1) gives twice half's kernel
        Dataset data = Dataset.regression("lin", x, Tensor.randn(r, n, 1));
        Tensor half = NtkOperator.normalised(new Problem(lin, Losses.of("mse", MseConvention.HALF), data, null), theta,
                data).matrix();
        Tensor plain = NtkOperator.normalised(new Problem(lin, Losses.of("mse", MseConvention.PLAIN), data, null), theta,
                data).matrix();
        assertClose(half.mul(2), plain, 1e-15, "plain = 2 half");
    }

    /** Multi-output linear model f = X W^T: K_{(i,a),(j,b)} = <x_i, x_j> delta_ab, sample-major. */
    @Test
    void multiOutputLinearKernelIsSampleMajor() {
        SplittableRandom r = new SplittableRandom(4);
        int n = 5;
        int d = 3;
        int k = 2;
        Tensor x = Tensor.randn(r, n, d);
        Model lin = Dense.of(d, k).withoutBias();
        NtkOperator op = NtkOperator.of(lin, Tensor.randn(r, d * k), x, 1.0, 1000);
        Tensor km = op.matrix();
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < k; a++) {
                for (int j = 0; j < n; j++) {
                    for (int b = 0; b < k; b++) {
                        double dot = 0;
                        for (int q = 0; q < d; q++) {
                            dot += x.get(i, q) * x.get(j, q);
                        }
                        assertEquals(a == b ? dot : 0.0, km.get(i * k + a, j * k + b), 1e-13);
                    }
                }
            }
        }
    }

    /**
     * On a tiny multi-output MLP the matrix-free product and the block-assembled kernel both equal
     * scale J J^T with J from Autodiff.jacobian of the whole batch, and each entry equals
     * <grad f_a(x_i), grad f_b(x_j)> from per-sample gradients (ordering (i, a) sample-major).
     */
    @Test
    void matrixFreeEqualsDenseJacobianKernel() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 7;
        int k = 3;
        Mlp mlp = Mlp.of(Activation.of("tanh"), 4, 6, k);
        Tensor theta = mlp.init(r);
        Tensor x = Tensor.randn(r, n, 4);
        double scale = 0.37;
        Tensor j = Autodiff.jacobian(th -> mlp.apply(th, x), theta);                 // [n k, p]
        Tensor ref = j.matmul(j, false, true).mul(scale);
        for (int chunk : new int[] {1, 3, 1000}) {
            NtkOperator op = NtkOperator.of(mlp, theta, x, scale, chunk);
            assertClose(ref, op.matrix(), 1e-13, "explicit, chunk " + chunk);
            assertClose(ref, op.operator().toMatrix(), 1e-13, "matrix-free, chunk " + chunk);
            assertClose(j, op.jacobian(), 1e-14, "per-sample blocks vs batched Jacobian, chunk " + chunk);
        }
        // entry-wise oracle from scalar gradients
        for (int[] e : new int[][] {{0, 0, 0, 0}, {2, 1, 5, 2}, {6, 2, 3, 0}, {4, 0, 4, 1}}) {
            int i = e[0];
            int a = e[1];
            int jj = e[2];
            int b = e[3];
            Tensor gi = Autodiff.grad(th -> mlp.apply(th, x.slice(0, i, i + 1)).slice(1, a, a + 1).sum(), theta);
            Tensor gj = Autodiff.grad(th -> mlp.apply(th, x.slice(0, jj, jj + 1)).slice(1, b, b + 1).sum(), theta);
            assertEquals(scale * gi.dotValue(gj), ref.get(i * k + a, jj * k + b), 1e-13);
        }
    }

    /** Nonzero eigenvalues of K-bar = (2c/n) J J^T equal those of the Gauss-Newton matrix (2c/n) J^T J. */
    @Test
    void kernelEigenvaluesAreGaussNewtonEigenvalues() {
        SplittableRandom r = new SplittableRandom(6);
        int n = 12;
        int k = 2;
        Mlp mlp = Mlp.of(Activation.of("tanh"), 3, 4, k);                          // p = 3*4+4 + 4*2+2 = 26 > nk = 24
        Tensor theta = mlp.init(r);
        Tensor x = Tensor.randn(r, n, 3);
        Dataset data = Dataset.regression("t", x, Tensor.randn(r, n, k));
        Problem problem = new Problem(mlp, Losses.of("mse", MseConvention.HALF), data, null);
        Tensor j = Autodiff.jacobian(th -> mlp.apply(th, x), theta);
        double[] gn = SymmetricEigen.eigenvalues(symm(j.matmul(j, true, false).mul(1.0 / n)));   // (2c/n) J^T J, c = 1/2
        Ntk ntk = new Ntk(new Ntk.Config(n * k, new int[] {1}, 0, NtkOperator.Solver.defaults()));
        Ntk.Result res = ntk.measure(StaticProbe.of(problem, theta));
        assertEquals("dense", res.method());
        assertEquals("jacobian", res.kernel());
        assertEquals(0, res.jvps());
        assertEquals(n * k, res.vjps(), "explicit J: one VJP per sample and output");
        assertTrue(res.converged());
        for (int i = 0; i < n * k; i++) {
            assertEquals(gn[i], res.ntkEig()[i], 1e-12 * gn[0], "eigenvalue " + i);
        }
        assertEquals(2.0 / gn[0], res.etaCrit(), 1e-10 * res.etaCrit());
        // the Gauss-Newton matrix is also the Hessian of the loss linearised in theta (independent oracle)
        Tensor f0 = mlp.apply(theta, x).reshape(n * k);
        Tensor gnHess = Autodiff.hessian(t -> j.matmul(t.sub(theta)).add(f0).sub(data.y().reshape(n * k)).square().sum()
                .mul(0.5 / n), theta);
        double[] gn2 = SymmetricEigen.eigenvalues(symm(gnHess));
        assertEquals(gn2[0], res.ntkEig()[0], 1e-10 * gn2[0]);
    }

    /**
     * The loss split: L_top,s + L_rest,s = L, s = nk gives L_top = L, and L_top,1 = (c/n) <p_1, r>^2 with
     * p_1 from an independent decomposition of the Autodiff.jacobian kernel.
     */
    @Test
    void lossSplitSumsToLoss() {
        SplittableRandom r = new SplittableRandom(7);
        int n = 10;
        int k = 2;
        Mlp mlp = Mlp.of(Activation.of("tanh"), 3, 8, k);
        Tensor theta = mlp.init(r);
        Tensor x = Tensor.randn(r, n, 3);
        Tensor y = Tensor.randn(r, n, k);
        for (MseConvention conv : MseConvention.values()) {
            double c = conv.factor();
            Problem problem = new Problem(mlp, Losses.of("mse", conv), new Dataset("t", x, y, null, 0), null);
            int nk = n * k;
            Ntk ntk = new Ntk(new Ntk.Config(3, new int[] {1, 3, 5, nk}, 0, NtkOperator.Solver.defaults()));
            Ntk.Result res = ntk.measure(StaticProbe.of(problem, theta));
            double loss = problem.loss(theta, problem.train());
            assertEquals(loss, res.loss(), 1e-14 * loss);
            for (int s : new int[] {1, 3, 5, nk}) {
                assertEquals(loss, res.lossTop(s) + res.lossRest(s), 1e-12 * loss, "s = " + s);
                assertTrue(res.lossTop(s) >= 0 && res.lossRest(s) >= -1e-15 * loss);
            }
            assertEquals(loss, res.lossTop(nk), 1e-12 * loss);
            assertEquals(0.0, res.lossRest(nk), 1e-12 * loss);
            assertTrue(res.lossTop(1) <= res.lossTop(3) && res.lossTop(3) <= res.lossTop(5));
            assertEquals(List.of("loss_top_1", "loss_rest_1", "loss_top_3", "loss_rest_3", "loss_top_5", "loss_rest_5",
                    "loss_top_" + nk, "loss_rest_" + nk), List.copyOf(res.lossSplit().keySet()));
            assertTrue(Double.isNaN(res.lossTop(2)));
            // independent p_1
            Tensor j = Autodiff.jacobian(th -> mlp.apply(th, x), theta);
            SymmetricEigen.Result e = SymmetricEigen.decompose(symm(j.matmul(j, false, true).mul(2 * c / n)));
            Tensor rr = mlp.apply(theta, x).sub(y).reshape(nk);
            double proj = e.vector(0).dotValue(rr);
            assertEquals(c / n * proj * proj, res.lossTop(1), 1e-11 * loss);
            assertEquals(e.values()[0], res.ntkEig()[0], 1e-12 * e.values()[0]);
            assertEquals(3, res.ntkEig().length);
            // the published vectors are those of the split: max(k, max s) = nk of them
            @SuppressWarnings("unchecked")
            List<Tensor> pub = (List<Tensor>) ntk.publish().get(Ntk.EIGENVECTORS);
            assertEquals(nk, pub.size());
            assertEquals(1.0, Math.abs(pub.get(0).dotValue(e.vector(0))), 1e-9);
        }
    }

    /** Lanczos on the matrix-free kernel agrees with the dense path; warm-start state survives export/import. */
    @Test
    void lanczosAgreesWithDenseAndResumes() {
        SplittableRandom r = new SplittableRandom(8);
        int n = 30;
        TwoLayerNtk net = TwoLayerNtk.of(4, 16);
        Tensor theta = net.init(r);
        Tensor x = Tensor.randn(r, n, 4);
        Dataset data = Dataset.regression("t", x, Tensor.randn(r, n, 1));
        Problem problem = new Problem(net, Losses.of("mse", MseConvention.HALF), data, null, 7);
        Ntk dense = new Ntk(new Ntk.Config(3, new int[] {1, 3}, 0, NtkOperator.Solver.defaults()));
        NtkOperator.Solver lz = new NtkOperator.Solver("lanczos", 1000, 0, 1e-10, 30);
        Ntk lanczos = new Ntk(new Ntk.Config(3, new int[] {1, 3}, 0, lz));
        StaticProbe probe = StaticProbe.of(problem, theta);
        Ntk.Result a = dense.measure(probe);
        Ntk.Result b = lanczos.measure(probe);
        assertEquals("lanczos", b.method());
        assertTrue(b.converged());
        assertTrue(b.jvps() > 0 && b.vjps() > 0, "matrix-free products are counted");
        assertEquals(b.jvps(), b.vjps());
        assertEquals("closed-form", a.kernel());
        assertEquals("matrix-free", b.kernel());
        for (int i = 0; i < 3; i++) {
            assertEquals(a.ntkEig()[i], b.ntkEig()[i], 1e-9 * a.ntkEig()[0]);
        }
        for (int s : new int[] {1, 3}) {
            assertEquals(a.lossTop(s), b.lossTop(s), 1e-7 * a.loss());
        }
        // resume: a fresh instance importing the state measures the next step with identical numbers
        Tensor theta1 = theta.add(Tensor.randn(r, theta.size()).mul(1e-3));
        StaticProbe next = StaticProbe.of(problem, theta1).withStep(1);
        Map<String, Tensor> state = lanczos.exportState();
        assertFalse(state.isEmpty());
        Ntk resumed = new Ntk(new Ntk.Config(3, new int[] {1, 3}, 0, lz));
        resumed.importState(state);
        Ntk.Result c1 = lanczos.measure(next);
        Ntk.Result c2 = resumed.measure(next);
        assertTrue(java.util.Arrays.equals(c1.ntkEig(), c2.ntkEig()));
        assertEquals(c1.lossSplit(), c2.lossSplit());
    }

    /**
     * The two-layer NTK network of Q10.5: K(x, x') = (1/m) sum_i [s(u_i.x/sqrt d) s(u_i.x'/sqrt d)
     * + v_i^2 s'(.) s'(.) x.x'/d] (derived closed form) equals the assembled kernel.
     */
    @Test
    void twoLayerNtkClosedFormKernel() {
        SplittableRandom r = new SplittableRandom(9);
        int d = 5;
        int m = 12;
        int n = 6;
        TwoLayerNtk net = TwoLayerNtk.of(d, m);
        Tensor theta = net.init(r);
        Tensor x = Tensor.randn(r, n, d);
        Tensor u = net.layout().view(theta, "0.weight");                               // [m, d]
        Tensor v = net.layout().view(theta, "2.weight");                               // [1, m]
        Tensor km = NtkOperator.of(net, theta, x, 1.0, 1000).matrix();
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                double xx = 0;
                for (int q = 0; q < d; q++) {
                    xx += x.get(a, q) * x.get(b, q);
                }
                double s = 0;
                for (int i = 0; i < m; i++) {
                    double za = 0;
                    double zb = 0;
                    for (int q = 0; q < d; q++) {
                        za += u.get(i, q) * x.get(a, q) / Math.sqrt(d);
                        zb += u.get(i, q) * x.get(b, q) / Math.sqrt(d);
                    }
                    double vi = v.get(0, i);
                    s += Math.max(za, 0) * Math.max(zb, 0) + vi * vi * (za > 0 ? 1 : 0) * (zb > 0 ? 1 : 0) * xx / d;
                }
                assertEquals(s / m, km.get(a, b), 1e-13);
            }
        }
        // and the closed form equals J J^T of the generic Jacobian, also with a bias, tanh and two outputs
        for (TwoLayerNtk variant : List.of(net, TwoLayerNtk.of(d, m).withActivation(Activation.TANH).withBias(true)
                .withBiasInit(org.sgdlab.nn.Init.normal(1)).withOutputs(2), TwoLayerNtk.of(d, m).withOutputs(3))) {
            Tensor th = variant.init(r);
            NtkOperator op = NtkOperator.of(variant, th, x, 0.25, 4);
            assertEquals("closed-form", op.assembly());
            Tensor j = Autodiff.jacobian(t -> variant.apply(t, x), th);
            assertClose(j.matmul(j, false, true).mul(0.25), op.matrix(), 1e-13, variant.describe());
            assertClose(op.operator().toMatrix(), op.matrix(), 1e-13, variant.describe() + " matrix-free");
        }
    }

    @Test
    void numericalFailureIsData() {
        SplittableRandom r = new SplittableRandom(10);
        Mlp mlp = Mlp.of(Activation.of("tanh"), 2, 3, 1);
        Tensor x = Tensor.randn(r, 4, 2);
        Problem problem = new Problem(mlp, Losses.of("mse", MseConvention.HALF), Dataset.regression("t", x,
                Tensor.randn(r, 4, 1)), null);
        double[] th = mlp.init(r).toArray();
        th[0] = Double.NaN;
        Ntk.Result res = new Ntk().measure(StaticProbe.of(problem, Tensor.vector(th)));
        assertFalse(res.converged());
        assertTrue(Double.isNaN(res.ntkEig()[0]) && Double.isNaN(res.lossTop(1)) && Double.isNaN(res.etaCrit()));
        assertEquals(4, res.ntkEig().length, "k is capped at nk");
    }

    @Test
    void badConfigurationFailsLoudly() {
        SplittableRandom r = new SplittableRandom(11);
        Mlp mlp = Mlp.of(Activation.of("tanh"), 2, 3);
        Dataset d = Dataset.classification("t", Tensor.randn(r, 4, 2), new int[] {0, 1, 2, 0}, 3);
        Problem ce = new Problem(mlp, Losses.of("cross-entropy"), d, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Ntk().measure(StaticProbe.of(ce, mlp.init(r))));
        assertTrue(e.getMessage().contains("diagnostics.ntk") && e.getMessage().contains("cross-entropy"), e.getMessage());
        Map<String, Object> p = new HashMap<>();
        p.put("kk", 3);
        e = assertThrows(IllegalArgumentException.class, () -> Ntk.fromParams(p));
        assertTrue(e.getMessage().contains("'kk'") && e.getMessage().contains("split"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ntk.fromParams(Map.of("eigensolver", "arpack")));
        assertTrue(e.getMessage().contains("diagnostics.ntk.eigensolver") && e.getMessage().contains("lanczos"));
        e = assertThrows(IllegalArgumentException.class, () -> Ntk.fromParams(Map.of("split", List.of(1, 0))));
        assertTrue(e.getMessage().contains("diagnostics.ntk.split"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Ntk.fromParams(Map.of("k", 2.5)));
        assertTrue(e.getMessage().contains("diagnostics.ntk.k"), e.getMessage());
        Ntk ok = Ntk.fromParams(Map.of("k", 4, "split", List.of(1, 10), "eigensolver", "lanczos", "tol", "1e-8"));
        assertEquals(4, ok.config().k());
        assertEquals(10, ok.config().split()[1]);
        assertEquals(1e-8, ok.config().solver().tol());
        assertEquals("ntk", ok.name());
    }

    static Tensor symm(Tensor a) {
        return a.add(a.transpose()).mul(0.5);
    }

    static void assertClose(Tensor expect, Tensor got, double tol, String what) {
        assertEquals(java.util.Arrays.toString(expect.shape()), java.util.Arrays.toString(got.shape()), what);
        double scale = 0;
        for (int i = 0; i < expect.size(); i++) {
            scale = Math.max(scale, Math.abs(expect.flat(i)));
        }
        for (int i = 0; i < expect.size(); i++) {
            assertEquals(expect.flat(i), got.flat(i), tol * Math.max(scale, 1e-300), what + " at " + i);
        }
    }
}
