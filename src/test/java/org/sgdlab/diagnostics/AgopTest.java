package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Synthetic;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.TwoLayerNtk;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** AGOP, true AGOP and alignment (Q13) against closed forms. */
class AgopTest {

    /** f(x) = x^T A x / 2, A symmetric: grad f = A x, so G = A Sigma_hat A with Sigma_hat = (1/N) sum x x^T. */
    @Test
    void quadraticTargetClosedForm() {
        SplittableRandom r = new SplittableRandom(1);
        int d = 4;
        int n = 37;
        Tensor b = Tensor.randn(r, d, d);
        Tensor a = b.add(b.transpose());
        Tensor x = Tensor.randn(r, n, d);
        Function<Tensor, Tensor> f = xx -> xx.matmul(a).mul(xx).sum(1).mul(0.5);       // [N, d] -> [N]
        double[][] sigma = new double[d][d];
        for (int j = 0; j < n; j++) {
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    sigma[p][q] += x.get(j, p) * x.get(j, q) / n;
                }
            }
        }
        double[][] g = new double[d][d];                                              // A Sigma A by loops
        for (int p = 0; p < d; p++) {
            for (int q = 0; q < d; q++) {
                double s = 0;
                for (int u = 0; u < d; u++) {
                    for (int v = 0; v < d; v++) {
                        s += a.get(p, u) * sigma[u][v] * a.get(v, q);
                    }
                }
                g[p][q] = s;
            }
        }
        Tensor expect = Tensor.matrix(g);
        for (int chunk : new int[] {1, 5, 1000}) {
            NtkTest.assertClose(expect, Agop.of(f, x, chunk), 1e-12, "chunk " + chunk);
        }
        // the same function with a [N, 1] output, and through the per-sample Jacobians
        Function<Tensor, Tensor> f2 = xx -> f.apply(xx).reshape(-1, 1);
        NtkTest.assertClose(expect, Agop.of(f2, x, 8), 1e-12, "[N, 1] output");
        Tensor jac = Agop.inputJacobians(f, x, 6);
        assertEquals(List.of(n, 1, d), List.of(jac.dim(0), jac.dim(1), jac.dim(2)));
        NtkTest.assertClose(expect, Agop.fromGradients(jac), 1e-12, "fromGradients");
        NtkTest.assertClose(x.matmul(a), jac.reshape(n, d), 1e-13, "grad = A x");
    }

    /** For a model with k outputs, D_j D_j^T sums the k per-output outer products; batched equals per-sample. */
    @Test
    void multiOutputBatchedEqualsPerSample() {
        SplittableRandom r = new SplittableRandom(2);
        int n = 6;
        int d = 3;
        Mlp mlp = Mlp.of(Activation.of("tanh"), d, 5, 2);
        Tensor theta = mlp.init(r);
        Tensor x = Tensor.randn(r, n, d);
        double[][] g = new double[d][d];
        Tensor batched = Agop.inputJacobians(mlp, theta, x, 4);                        // [n, 2, d]
        for (int j = 0; j < n; j++) {
            Tensor xj = x.slice(0, j, j + 1);
            Tensor dj = Autodiff.jacobian(xx -> mlp.apply(theta, xx), xj);            // [2, d]: rows = outputs
            for (int a = 0; a < 2; a++) {
                for (int p = 0; p < d; p++) {
                    assertEquals(dj.get(a, p), batched.get(j, a, p), 1e-14, "no cross-sample interaction");
                    for (int q = 0; q < d; q++) {
                        g[p][q] += dj.get(a, p) * dj.get(a, q) / n;
                    }
                }
            }
        }
        NtkTest.assertClose(Tensor.matrix(g), Agop.of(mlp, theta, x, 4), 1e-13, "G");
    }

    /** The two-layer NTK network: grad_x f = U^T (v . s'(U x / sqrt d)) / sqrt(m d) (Q13, derived). */
    @Test
    void twoLayerNtkClosedFormInputGradient() {
        SplittableRandom r = new SplittableRandom(3);
        int d = 6;
        int m = 20;
        int n = 9;
        TwoLayerNtk net = TwoLayerNtk.of(d, m);
        Tensor theta = net.init(r);
        Tensor x = Tensor.randn(r, n, d);
        Tensor u = net.layout().view(theta, "0.weight");                                // [m, d]
        Tensor v = net.layout().view(theta, "2.weight").reshape(m);
        Tensor z = x.matmul(u, false, true).mul(1 / Math.sqrt(d));                     // [n, d] @ [d, m] -> [n, m]
        Tensor closed = z.gt(0).mul(v).matmul(u).mul(1 / Math.sqrt((double) m * d));   // [n, m] @ [m, d] -> [n, d]
        Tensor auto = Agop.inputJacobians(net, theta, x, 4).reshape(n, d);
        NtkTest.assertClose(closed, auto, 1e-13, "closed-form input gradient");
        // and the autodiff input gradient against finite differences (away from ReLU kinks almost surely)
        Checks.checkGrad("two-layer input gradient", xx -> net.apply(theta, xx).sum(), x.slice(0, 0, 1), 4, 1e-6);
    }

    /** Analytic gradients of the synthetic targets equal autodiff of the target formulas. */
    @Test
    void analyticTargetGradients() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = Tensor.randn(r, 11, 5);
        Map<String, Function<Tensor, Tensor>> f = Map.of(
                "x1x2", xx -> xx.slice(1, 0, 1).mul(xx.slice(1, 1, 2)),
                "x1x2x3", xx -> xx.slice(1, 0, 1).mul(xx.slice(1, 1, 2)).mul(xx.slice(1, 2, 3)),
                "sin-x1-plus-x2x3", xx -> sin(xx.slice(1, 0, 1)).add(xx.slice(1, 1, 2).mul(xx.slice(1, 2, 3))));
        assertEquals(f.keySet(), new java.util.HashSet<>(TrueAgop.targets()));
        for (var e : f.entrySet()) {
            Tensor auto = Agop.inputJacobians(e.getValue(), x, 4).reshape(11, 5);
            NtkTest.assertClose(auto, TrueAgop.gradients(e.getKey(), x), 1e-14, e.getKey());
            NtkTest.assertClose(TrueAgop.of(e.getValue(), x), TrueAgop.of(e.getKey(), x), 1e-13, e.getKey() + " G*");
        }
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> TrueAgop.gradients("x1x2x3", Tensor.randn(r, 3, 2)));
        assertTrue(ex.getMessage().contains("d >= 3"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TrueAgop.gradients("x1x3", x));
    }

    /**
     * sin x by its Taylor polynomial of degree 51 (the engine has no sin primitive): the remainder and that
     * of its derivative are below 1e-20 for |x| &lt;= 6, far below the tolerance (inputs are N(0, 1) draws).
     */
    private static Tensor sin(Tensor t) {
        Tensor x2 = t.square();
        Tensor term = t;
        Tensor sum = t;
        for (int k = 1; k <= 25; k++) {
            term = term.mul(x2).mul(-1.0 / ((2 * k) * (2 * k + 1)));
            sum = sum.add(term);
        }
        return sum;
    }

    /**
     * x1*x2 on N(0, I): the empirical G* is near diag(1, 1, 0, ...) (Q13) within three standard errors per
     * entry: 3/sqrt(N) off the diagonal (G*_12 = mean x_1 x_2, variance 1) and 3 sqrt(2)/sqrt(N) on it
     * (G*_11 = mean x_2^2, variance 2; Q13's "3/sqrt(N)" is only 2.1 standard errors there). Entries
     * outside the first two rows and columns are exactly 0.
     */
    @Test
    void empiricalTrueAgopNearPopulation() {
        int n = 4000;
        int d = 6;
        Dataset data = Synthetic.gaussianTarget(n, d, Synthetic.Target.X1X2, new SplittableRandom(5));
        Tensor g = TrueAgop.of("x1x2", data.x());
        for (int p = 0; p < d; p++) {
            for (int q = 0; q < d; q++) {
                double pop = p == q && p < 2 ? 1 : 0;
                double tol = p >= 2 || q >= 2 ? 0 : (p == q ? 3 * Math.sqrt(2) : 3) / Math.sqrt(n);
                assertEquals(pop, g.get(p, q), tol, "G*[" + p + "," + q + "]");
            }
        }
        Dataset d3 = Synthetic.gaussianTarget(n, d, Synthetic.Target.X1X2X3, new SplittableRandom(6));
        Tensor g3 = TrueAgop.of("x1x2x3", d3.x());
        for (int p = 0; p < d; p++) {
            for (int q = 0; q < d; q++) {
                // entries (x_2 x_3)^2 have variance 8, so the tolerance is sqrt(8) times wider
                assertEquals(p == q && p < 3 ? 1 : 0, g3.get(p, q), 3 * Math.sqrt(8) / Math.sqrt(n));
            }
        }
    }

    @Test
    void alignmentProperties() {
        SplittableRandom r = new SplittableRandom(7);
        Tensor a = Tensor.randn(r, 4, 4);
        Tensor b = Tensor.randn(r, 4, 4);
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < 16; i++) {
            dot += a.flat(i) * b.flat(i);
            na += a.flat(i) * a.flat(i);
            nb += b.flat(i) * b.flat(i);
        }
        Agop.Alignment al = Agop.alignment(a, b);
        assertEquals(dot / Math.sqrt(na * nb), al.value(), 1e-15);
        assertFalse(al.zeroNorm());
        assertEquals(al.value(), Agop.alignment(a.mul(3.7), b.mul(1e-4)).value(), 1e-15, "scale invariance");
        assertEquals(-al.value(), Agop.alignment(a.mul(-2), b).value(), 1e-15);
        assertEquals(1.0, Agop.alignment(a, a).value(), 1e-15);
        Agop.Alignment z = Agop.alignment(Tensor.zeros(4, 4), b);
        assertEquals(0.0, z.value());
        assertTrue(z.zeroNorm());
        assertTrue(Agop.alignment(a, Tensor.zeros(4, 4)).zeroNorm());
        assertThrows(IllegalArgumentException.class, () -> Agop.alignment(a, Tensor.zeros(3, 4)));
    }

    /** The diagnostic: G and G* on the same inputs, train and test, auto target, reference model, flags. */
    @Test
    void alignmentDiagnostic() {
        SplittableRandom r = new SplittableRandom(8);
        int d = 5;
        SplittableRandom data = new SplittableRandom(9);
        Dataset train = Synthetic.gaussianTarget(40, d, Synthetic.Target.X1X2, data);
        Dataset test = Synthetic.gaussianTarget(25, d, Synthetic.Target.X1X2, data);
        TwoLayerNtk net = TwoLayerNtk.of(d, 16);
        Tensor theta = net.init(r);
        Problem problem = new Problem(net, Losses.of("mse", MseConvention.HALF), train, test, 16);
        StaticProbe probe = StaticProbe.of(problem, theta);

        AgopAlignment.Result res = new AgopAlignment().measure(probe);
        double expectTrain = manual(net, theta, train.x());
        double expectTest = manual(net, theta, test.x());
        assertEquals(expectTrain, res.agopAlignment(), 1e-12);
        assertEquals(expectTest, res.agopAlignmentTest(), 1e-12);
        assertEquals(40, res.n());
        assertEquals(25, res.nTest());
        assertFalse(res.zeroNorm() || res.zeroNormTest());
        assertEquals(3 + 2, res.vjps(), "one VJP per output and chunk: 40 rows in chunks of 16, then 25 rows");

        // named target equals auto; a function target gives the same; the model as its own reference gives 1
        AgopAlignment named = AgopAlignment.fromParams(Map.of("target", "x1x2", "eigenvalues", 2));
        AgopAlignment.Result rn = named.measure(probe);
        assertEquals(res.agopAlignment(), rn.agopAlignment(), 0.0);
        assertEquals(2, rn.agopEig().length);
        assertTrue(rn.agopEig()[0] >= rn.agopEig()[1]);
        AgopAlignment fn = AgopAlignment.withTarget(xx -> xx.slice(1, 0, 1).mul(xx.slice(1, 1, 2)), true, 0);
        assertEquals(res.agopAlignment(), fn.measure(probe).agopAlignment(), 1e-13);
        AgopAlignment self = AgopAlignment.withReference(net, theta, true, 0);
        AgopAlignment.Result rs = self.measure(probe);
        assertEquals(1.0, rs.agopAlignment(), 1e-14);
        assertEquals(1.0, rs.agopAlignmentTest(), 1e-14);

        // no test set: NaN; test disabled: NaN
        Problem noTest = new Problem(net, Losses.of("mse", MseConvention.HALF), train, null);
        AgopAlignment.Result r2 = new AgopAlignment().measure(StaticProbe.of(noTest, theta));
        assertTrue(Double.isNaN(r2.agopAlignmentTest()));
        assertEquals(0, r2.nTest());
        assertTrue(Double.isNaN(AgopAlignment.fromParams(Map.of("test", false)).measure(probe).agopAlignmentTest()));

        // a zero network (a = 0): G = 0, alignment 0 with the flag
        double[] z = theta.toArray();
        var blk = net.layout().block("2.weight");
        for (int i = blk.offset(); i < blk.end(); i++) {
            z[i] = 0;
        }
        AgopAlignment.Result r3 = new AgopAlignment().measure(StaticProbe.of(problem, Tensor.vector(z)));
        assertEquals(0.0, r3.agopAlignment());
        assertTrue(r3.zeroNorm() && r3.zeroNormTest());
    }

    @Test
    void targetConfiguration() {
        SplittableRandom r = new SplittableRandom(10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AgopAlignment.fromParams(Map.of("target", "x1x3")));
        assertTrue(e.getMessage().contains("diagnostics.agop.target") && e.getMessage().contains("x1x2x3"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> AgopAlignment.fromParams(Map.of("inputs", "test")));
        assertTrue(e.getMessage().contains("'inputs'") && e.getMessage().contains("target"), e.getMessage());
        // auto on a data set whose name is not a target
        Dataset other = Dataset.regression("digits", Tensor.randn(r, 5, 3), Tensor.randn(r, 5, 1));
        Mlp mlp = Mlp.of(Activation.of("tanh"), 3, 4, 1);
        Problem p = new Problem(mlp, Losses.of("mse", MseConvention.HALF), other, null);
        e = assertThrows(IllegalArgumentException.class, () -> new AgopAlignment().measure(StaticProbe.of(p, mlp.init(r))));
        assertTrue(e.getMessage().contains("diagnostics.agop.target") && e.getMessage().contains("digits"),
                e.getMessage());
    }

    /** rho(G, G*) from closed-form input gradients of the two-layer network and analytic x1 x2 gradients. */
    private static double manual(TwoLayerNtk net, Tensor theta, Tensor x) {
        int n = x.dim(0);
        int d = x.dim(1);
        int m = net.width();
        Tensor u = net.layout().view(theta, "0.weight");
        Tensor v = net.layout().view(theta, "2.weight").reshape(m);
        double[][] g = new double[d][d];
        double[][] gs = new double[d][d];
        for (int j = 0; j < n; j++) {
            double[] grad = new double[d];
            for (int i = 0; i < m; i++) {
                double zi = 0;
                for (int q = 0; q < d; q++) {
                    zi += u.get(i, q) * x.get(j, q);
                }
                if (zi > 0) {
                    for (int q = 0; q < d; q++) {
                        grad[q] += v.get(i) * u.get(i, q) / Math.sqrt((double) m * d);
                    }
                }
            }
            double[] gstar = new double[d];
            gstar[0] = x.get(j, 1);
            gstar[1] = x.get(j, 0);
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    g[p][q] += grad[p] * grad[q] / n;
                    gs[p][q] += gstar[p] * gstar[q] / n;
                }
            }
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int p = 0; p < d; p++) {
            for (int q = 0; q < d; q++) {
                dot += g[p][q] * gs[p][q];
                na += g[p][q] * g[p][q];
                nb += gs[p][q] * gs[p][q];
            }
        }
        return dot / Math.sqrt(na * nb);
    }
}
