package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.sgdlab.nn.DiagonalLinearNet;
import org.sgdlab.nn.Init;
import org.sgdlab.nn.Layout;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.ScaleInvariantNet;
import org.sgdlab.nn.TwoLayerLinear;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/**
 * The exact Noether identities of Q15.2 and Q15.4-Q15.5 along 200 SGD steps (the acceptance test: the
 * symmetry identity holds at every step to 1e-10), orthogonality per sample, and the charge diagnostic.
 */
class NoetherChargeTest {

    private static final int STEPS = 200;

    /** Regression data y = T x + noise with k outputs. */
    private static Dataset data(int n, int d, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.randn(r, n, d);
        Tensor y = x.matmul(Tensor.randn(r, k, d), false, true).add(Tensor.randn(r, n, k).mul(0.5));
        return Dataset.regression("lin", x, y);
    }

    /** A batch of b indices drawn i.i.d. with replacement. */
    private static int[] batch(SplittableRandom r, int n, int b) {
        int[] idx = new int[b];
        for (int i = 0; i < b; i++) {
            idx[i] = r.nextInt(n);
        }
        return idx;
    }

    /** The batch gradient of the mean loss on rows idx. */
    private static Tensor batchGrad(Problem pr, Tensor theta, int[] idx) {
        return Autodiff.grad(pr.objective(pr.train().batch(idx)), theta);
    }

    /**
     * Runs {@link #STEPS} plain SGD steps and checks, at every step, both sides of C(theta_{t+1}) - C(theta_t) =
     * eta^2 g^T A g with the SY1 tolerance; returns the largest relative error.
     */
    private static double runScalarIdentity(Problem pr, Symmetry a, Tensor theta0, double eta, int b, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor theta = theta0;
        double worst = 0;
        double moved = 0;
        for (int t = 0; t < STEPS; t++) {
            Tensor g = batchGrad(pr, theta, batch(r, pr.train().size(), b));
            Tensor next = theta.addScaled(g, -eta);
            NoetherCharge.Identity id = NoetherCharge.identity(a, theta, next, eta, g);
            // the increment is also the plain difference of charges (within their rounding)
            double direct = a.charge(next) - a.charge(theta);
            assertEquals(direct, id.measured(), 1e-12 * Math.max(1, Math.abs(a.charge(theta))));
            assertTrue(id.relativeError() <= 1e-10, "step " + t + ": " + id);
            worst = Math.max(worst, id.relativeError());
            moved += Math.abs(id.predicted());
            theta = next;
        }
        assertTrue(moved > 1e-6, "the charge did not move, the test is void: " + moved);
        return worst;
    }

    @Test
    void scalarRescalingIdentityHoldsAtEveryStep() {
        // f = u w x: TwoLayerLinear with d = h = k = 1, A = diag(-1 (W), +1 (U))
        TwoLayerLinear m = TwoLayerLinear.of(1, 1, 1).withInit(Init.normal(0.5));
        for (MseConvention c : MseConvention.values()) {
            Problem pr = new Problem(m, Losses.squared(c), data(20, 1, 1, 3), null);
            Symmetry a = Symmetry.rescaling(m.layout(), List.of("U"), List.of("W"));
            runScalarIdentity(pr, a, m.init(new SplittableRandom(1)), 0.05, 1, 7);
        }
        // and the vector version u^T W x... with several hidden units: C = ||U||^2 - ||W||^2
        TwoLayerLinear m2 = TwoLayerLinear.of(3, 2, 2).withInit(Init.normal(0.5));
        Problem pr2 = new Problem(m2, Losses.squared(MseConvention.PLAIN), data(30, 3, 2, 4), null);
        runScalarIdentity(pr2, Symmetry.rescaling(m2.layout(), List.of("U"), List.of("W")),
                m2.init(new SplittableRandom(2)), 0.01, 4, 8);
    }

    @Test
    void scaleInvariantBlockIdentityHoldsAtEveryStep() {
        ScaleInvariantNet m = ScaleInvariantNet.of(5, 6, 1);
        Dataset d = data(40, 5, 1, 5);
        Problem pr = new Problem(m, Losses.squared(MseConvention.HALF), d, null);
        Symmetry a = Symmetry.scaleInvariant(m.layout(), m.scaleInvariantBlock());
        Tensor theta0 = m.init(new SplittableRandom(3));
        for (int b : new int[] {1, 4}) {
            runScalarIdentity(pr, a, theta0, 0.05, b, 9 + b);
        }
        // the charge only grows (A is PSD): ||W||^2 is non-decreasing
        SplittableRandom r = new SplittableRandom(1);
        Tensor theta = theta0;
        for (int t = 0; t < 50; t++) {
            Tensor next = theta.addScaled(batchGrad(pr, theta, batch(r, 40, 1)), -0.05);
            assertTrue(a.increment(theta, next) >= -1e-12 * a.charge(theta));
            theta = next;
        }
    }

    @Test
    void twoLayerMatrixIdentityHoldsAtEveryStep() {
        TwoLayerLinear m = TwoLayerLinear.of(4, 4, 4).withInit(Init.normal(0.5));
        Layout layout = m.layout();
        for (MseConvention c : MseConvention.values()) {
            // S1 (b): the data of S4 with phi = 1 (T_ij ~ N(0, 1/d), label noise 0.5)
            Dataset s4 = Synthetic.linearTeacher(50, 1, new double[] {1, 1, 1, 1}, 4, new double[] {0.5},
                    new SplittableRandom(6)).train();
            Problem pr = new Problem(m, Losses.squared(c), s4, null);
            for (int b : new int[] {1, 4}) {
                for (double eta : new double[] {0.01, 0.05}) {
                    SplittableRandom r = new SplittableRandom(31 + b);
                    Tensor theta = m.init(new SplittableRandom(4));
                    double moved = 0;
                    for (int t = 0; t < STEPS; t++) {
                        Tensor g = batchGrad(pr, theta, batch(r, 50, b));
                        Tensor next = theta.addScaled(g, -eta);
                        LinearNetSymmetry.MatrixIdentity id = LinearNetSymmetry.mIdentity(layout, "W", "U", theta, next,
                                eta, g);
                        assertTrue(id.relativeError() <= 1e-10, "c " + c + " b " + b + " eta " + eta + " step " + t
                                + ": " + id.relativeError());
                        moved += id.predicted().norm();
                        assertTrue(Double.isFinite(pr.loss(next, s4)) && pr.loss(next, s4) < 100, "diverged");
                        theta = next;
                    }
                    assertTrue(moved > 1e-6);
                }
            }
        }
    }

    @Test
    void twoLayerChargeIsTraceOfBMAndObeysTheIdentity() {
        TwoLayerLinear m = TwoLayerLinear.of(3, 4, 2).withInit(Init.normal(0.5));
        Problem pr = new Problem(m, Losses.squared(MseConvention.HALF), data(25, 3, 2, 7), null);
        SplittableRandom r = new SplittableRandom(12);
        Tensor bRaw = Tensor.randn(r, 4, 4);
        Tensor b = bRaw.add(bRaw.transpose());
        Symmetry a = Symmetry.twoLayer(m.layout(), "W", "U", b);
        Tensor theta = m.init(r);
        Tensor mm = LinearNetSymmetry.m(m.layout(), "W", "U", theta);
        double trBM = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                trBM += b.get(i, j) * mm.get(j, i);
            }
        }
        assertEquals(trBM, a.charge(theta), 1e-12 * Math.abs(trBM));
        // A is symmetric as a p x p matrix
        Tensor dense = a.operator().toMatrix();
        assertTrue(Checks.relErr(dense, dense.transpose()) < 1e-15);
        // and is a true symmetry: the loss is invariant along e^{lambda A} theta (first order: grad^T A theta = 0)
        runScalarIdentity(pr, a, theta, 0.03, 2, 13);
        // the dense form agrees with the block form
        Symmetry ad = Symmetry.dense(dense);
        Tensor v = Tensor.randn(r, theta.size());
        assertTrue(Checks.relErr(ad.apply(v), a.apply(v)) < 1e-14);
    }

    @Test
    void gradientsAreOrthogonalToAThetaForEverySample() {
        record Case(Model m, Symmetry a, Dataset d) {
        }
        TwoLayerLinear lin = TwoLayerLinear.of(3, 2, 2).withInit(Init.normal(0.5));
        ScaleInvariantNet si = ScaleInvariantNet.of(4, 5, 2);
        DiagonalLinearNet dln = DiagonalLinearNet.product(6).withGaussianInit(0.3);
        SplittableRandom r = new SplittableRandom(3);
        Tensor bRaw = Tensor.randn(r, 2, 2);
        List<Case> cases = List.of(
                new Case(lin, Symmetry.rescaling(lin.layout(), List.of("U"), List.of("W")), data(8, 3, 2, 1)),
                new Case(lin, Symmetry.twoLayer(lin.layout(), "W", "U", bRaw.add(bRaw.transpose())), data(8, 3, 2, 1)),
                new Case(si, Symmetry.scaleInvariant(si.layout(), "0.weight"), data(8, 4, 2, 2)),
                new Case(dln, Symmetry.rescaling(dln.layout(), List.of("u"), List.of("v")), data(8, 6, 1, 3)));
        for (Case c : cases) {
            Problem pr = new Problem(c.m(), Losses.squared(MseConvention.HALF), c.d(), null);
            Tensor theta = c.m().init(r);
            Tensor at = c.a().apply(theta);
            Tensor g = PerSampleGradients.matrix(pr, theta, c.d());
            for (int i = 0; i < g.dim(0); i++) {
                Tensor gi = g.slice(0, i, i + 1).reshape(theta.size());
                double dot = gi.dotValue(at);
                assertTrue(Math.abs(dot) <= 1e-13 * gi.norm() * at.norm(), c.a() + " sample " + i + ": " + dot);
            }
            // Sigma A theta = 0 too
            Tensor sat = NoiseCovariance.operator(g).apply(at);
            assertTrue(sat.norm() <= 1e-12 * NoiseCovariance.dense(g).norm() * at.norm());
        }
    }

    @Test
    void dlnPerCoordinateChargeIdentity() {
        // S1 (a): n = 20, d = 30, u, v ~ 0.3 N(0, 1)
        int d = 30;
        DiagonalLinearNet m = DiagonalLinearNet.product(d).withGaussianInit(0.3);
        SplittableRandom r = new SplittableRandom(21);
        Tensor x = Tensor.randn(r, 20, d);
        Tensor y = x.slice(1, 0, 3).sum(1).reshape(20, 1);
        Dataset data = Dataset.regression("dln", x, y);
        Layout layout = m.layout();
        for (MseConvention c : MseConvention.values()) {
            Problem pr = new Problem(m, Losses.squared(c), data, null);
            Symmetry total = Symmetry.rescaling(layout, List.of("u"), List.of("v"));
            for (double eta : new double[] {0.01, 0.05}) {
                Tensor theta = m.init(new SplittableRandom(5));
                SplittableRandom br = new SplittableRandom(77);
                double worst = 0;
                for (int t = 0; t < STEPS; t++) {
                    int[] idx = batch(br, 20, 4);
                    Dataset b = data.batch(idx);
                    Tensor g = batchGrad(pr, theta, idx);
                    Tensor next = theta.addScaled(g, -eta);
                    Tensor gBeta = DlnSymmetry.betaGradient(pr.loss(), b, m.beta(theta));
                    // the parameter gradient is (g ⊙ v, g ⊙ u)
                    Tensor u = layout.view(theta, "u");
                    Tensor v = layout.view(theta, "v");
                    assertTrue(Checks.relErr(layout.view(g, "u"), gBeta.mul(v)) < 1e-13);
                    Tensor before = DlnSymmetry.charges(u, v);
                    Tensor after = DlnSymmetry.charges(layout.view(next, "u"), layout.view(next, "v"));
                    Tensor pred = DlnSymmetry.predictedCharges(before, gBeta, eta);
                    double err = after.sub(pred).abs().max().item();
                    assertTrue(err <= 1e-13, "DLN C_i identity, step " + t + ": " + err);
                    worst = Math.max(worst, err);
                    NoetherCharge.Identity id = NoetherCharge.identity(total, theta, next, eta, g);
                    assertTrue(id.relativeError() <= 1e-10, "DLN total charge, step " + t + ": " + id);
                    theta = next;
                }
            }
        }
    }

    @Test
    void chargeDiagnosticMatchesHandComputations() {
        TwoLayerLinear m = TwoLayerLinear.of(3, 2, 1).withInit(Init.normal(0.5));
        Dataset d = data(6, 3, 1, 9);
        Problem pr = new Problem(m, Losses.squared(MseConvention.PLAIN), d, null, 4);
        Tensor theta = m.init(new SplittableRandom(9));
        double eta = 0.07;
        int[] idx = {4, 1, 1};
        StaticProbe probe = StaticProbe.of(pr, theta).withLr(eta).withBatch(idx);
        NoetherCharge nc = NoetherCharge.fromParams(Map.of("kind", "rescaling", "up", List.of("U"), "down", "W",
                "rate", true));
        NoetherCharge.Result res = nc.measure(probe);
        Tensor w = m.layout().view(theta, "W");
        Tensor u = m.layout().view(theta, "U");
        double c = u.square().sum().item() - w.square().sum().item();
        assertEquals(c, res.cA(), 1e-14 * Math.abs(c));
        // the coming SGD step on B_t moves the charge by exactly batchIncrement
        Tensor next = theta.addScaled(batchGrad(pr, theta, idx), -eta);
        double dc = next.dotValue(Tensor.concat(0, layout(m, next, "W").neg(), layout(m, next, "U")))
                - theta.dotValue(Tensor.concat(0, layout(m, theta, "W").neg(), layout(m, theta, "U")));
        assertEquals(dc, res.batchIncrement(), 1e-12 * Math.max(1e-3, Math.abs(dc)));
        assertTrue(res.orthogonality() < 1e-13);
        // Noether rate: Tr[A Sigma] with dense A = diag(-I_W, I_U), from one-at-a-time gradients
        double[] diag = new double[theta.size()];
        for (int i = 0; i < diag.length; i++) {
            diag[i] = i < 3 * 2 ? -1 : 1;
        }
        Symmetry a = Symmetry.dense(Tensor.vector(diag).reshape(-1, 1).mul(Tensor.eye(theta.size())));
        Tensor[] gi = new Tensor[6];
        Tensor gbar = Tensor.zeros(theta.size());
        for (int i = 0; i < 6; i++) {
            Dataset one = d.batch(new int[] {i});
            gi[i] = Autodiff.grad(pr.objective(one), theta);
            gbar = gbar.add(gi[i].div(6));
        }
        double rate = 0;
        for (Tensor g : gi) {
            rate += a.bilinear(g.sub(gbar), g.sub(gbar)) / 6;
        }
        assertEquals(rate, res.noetherRate(), 1e-12 * Math.abs(rate));
        // expected increment for b = 3 i.i.d. with replacement: exact enumeration of all n^3 batches
        double mean = 0;
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 6; j++) {
                for (int k = 0; k < 6; k++) {
                    Tensor gb = gi[i].add(gi[j]).add(gi[k]).div(3);
                    mean += eta * eta * a.bilinear(gb, gb) / 216;
                }
            }
        }
        assertEquals(mean, res.expectedIncrement(), 1e-12 * Math.abs(mean));
        assertEquals(eta * eta * a.bilinear(gbar, gbar), res.gdIncrement(), 1e-12 * Math.abs(res.gdIncrement()));
    }

    private static Tensor layout(Model m, Tensor theta, String block) {
        return m.layout().view(theta, block).flatten();
    }

    @Test
    void symmetryFormsAndBadInput() {
        Layout l = Layout.builder().add("a", 2).add("b", 3).add("c", 1).build();
        Symmetry s = Symmetry.blocks(l, Map.of("a", 2.0, "c", -1.0));
        Tensor v = Tensor.vector(1, 2, 3, 4, 5, 6);
        assertEquals(2 * (1 + 4) - 36, s.charge(v), 0);
        Symmetry diag = Symmetry.diagonal(Tensor.vector(2, 2, 0, 0, 0, -1));
        assertTrue(Checks.relErr(diag.apply(v), s.apply(v)) == 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Symmetry.scaleInvariant(l, "z"));
        assertTrue(e.getMessage().contains("'z'") && e.getMessage().contains("a, b, c"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Symmetry.dense(Tensor.matrix(new double[][] {{1, 2}, {0, 1}})));
        assertThrows(IllegalArgumentException.class, () -> s.charge(Tensor.zeros(5)));
        e = assertThrows(IllegalArgumentException.class, () -> NoetherCharge.fromParams(Map.of("rate", true)));
        assertTrue(e.getMessage().contains("diagnostics.charge.kind"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NoetherCharge.fromParams(Map.of("kind", "boost")));
        assertTrue(e.getMessage().contains("rescaling"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> NoetherCharge.fromParams(Map.of("kind", "scale", "blocks", List.of("W"))));
        assertTrue(e.getMessage().contains("unknown parameter 'blocks'"), e.getMessage());
        Function<Layout, Symmetry> spec = Symmetry.Spec.twoLayer("W", "U", null)::resolve;
        Symmetry id = spec.apply(TwoLayerLinear.of(2, 3, 1).layout());
        Tensor th = Tensor.vector(1, 1, 1, 1, 1, 1, 2, 2, 2);
        assertEquals(6 - 12, id.charge(th), 1e-15);
    }
}
