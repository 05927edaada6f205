package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** Q14: the exact third-order product grad S against central differences of HVPs, and the diagnostic. */
class SelfStabilizationTest {

    private static Problem problem(int physicalBatch) {
        SplittableRandom r = new SplittableRandom(17);
        Tensor x = Tensor.randn(r, 10, 3);
        Dataset d = Dataset.regression("tiny", x, Tensor.randn(r, 10, 1));
        return new Problem(Mlp.of(Activation.TANH, 3, 4, 1), Losses.squared(MseConvention.HALF), d, null,
                physicalBatch);
    }

    private static SymmetricEigen.Result denseEig(Problem pr, Tensor theta) {
        Tensor h = Autodiff.hessian(pr.objective(pr.train()), theta);
        return SymmetricEigen.decompose(h.add(h.transpose()).mul(0.5));
    }

    /** (H(theta + eps u) - H(theta - eps u)) u / (2 eps): the oracle of Q14. */
    private static Tensor fdGradS(Problem pr, Tensor theta, Tensor u, double eps) {
        Tensor plus = pr.hvp(theta.addScaled(u, eps), pr.train(), u);
        Tensor minus = pr.hvp(theta.addScaled(u, -eps), pr.train(), u);
        return plus.sub(minus).div(2 * eps);
    }

    @Test
    void gradSEqualsCentralDifferencesOfHvps() {
        Problem pr = problem(1000);
        Tensor theta = pr.model().init(new SplittableRandom(3));
        Tensor u = denseEig(pr, theta).vector(0);
        Tensor exact = SelfStabilization.gradS(pr, theta, pr.train(), u);
        Tensor fd = fdGradS(pr, theta, u, 1e-3);
        assertTrue(Checks.relErr(exact, fd) < 1e-5, "eps = 1e-3: " + Checks.relErr(exact, fd));
        // Richardson extrapolation removes the O(eps^2) term
        Tensor fdHalf = fdGradS(pr, theta, u, 5e-4);
        Tensor rich = fdHalf.mul(4).sub(fd).div(3);
        assertTrue(Checks.relErr(exact, rich) < 1e-8, "Richardson: " + Checks.relErr(exact, rich));
        // along a non-eigen direction too (grad of theta -> v^T H v is grad^3 L[v, v])
        Tensor v = Tensor.randn(new SplittableRandom(4), theta.size());
        v = v.div(v.norm());
        Tensor ev = SelfStabilization.gradS(pr, theta, pr.train(), v);
        Tensor fv = fdGradS(pr, theta, v, 5e-4).mul(4).sub(fdGradS(pr, theta, v, 1e-3)).div(3);
        assertTrue(Checks.relErr(ev, fv) < 1e-8, "non-eigen direction: " + Checks.relErr(ev, fv));
        // chunking is exact
        Tensor chunked = SelfStabilization.gradS(problem(3), theta, pr.train(), u);
        assertTrue(Checks.relErr(exact, chunked) < 1e-12);
        // the directional derivative of S along u is u^T grad S = grad^3 L[u, u, u]
        double s0 = denseEig(pr, theta).values()[0];
        double sp = denseEig(pr, theta.addScaled(u, 1e-4)).values()[0];
        double sm = denseEig(pr, theta.addScaled(u, -1e-4)).values()[0];
        assertEquals((sp - sm) / 2e-4, u.dotValue(exact), 1e-6 * Math.max(1, Math.abs(u.dotValue(exact))));
        assertTrue(s0 > 0);
    }

    @Test
    void quantitiesFollowTheirFormulas() {
        Tensor g = Tensor.vector(1, -2, 0.5);
        Tensor gs = Tensor.vector(3, 1, -1);
        Tensor u = Tensor.vector(0, 0.6, 0.8);
        double s = 4;
        SelfStabilization.Quantities q = SelfStabilization.quantities(g, gs, u, s);
        // u^T gs = 0.6 - 0.8 = -0.2; perp = gs + 0.2 u = (3, 1.12, -0.84)
        assertTrue(Checks.relErr(Tensor.vector(3, 1.12, -0.84), q.gradSPerp()) < 1e-15);
        double alpha = -(3 - 2.24 - 0.42);
        double beta = 9 + 1.12 * 1.12 + 0.84 * 0.84;
        assertEquals(alpha, q.alpha(), 1e-14);
        assertEquals(beta, q.beta(), 1e-14);
        assertTrue(Double.isNaN(q.delta()));                             // alpha < 0
        assertEquals(alpha / (Math.sqrt(5.25) * Math.sqrt(beta)), q.gamma(), 1e-14);
        assertEquals((-1.2 + 0.4) / 4, q.newton(), 1e-15);
        SelfStabilization.Quantities q2 = SelfStabilization.quantities(g.neg(), gs, u, s);
        assertEquals(Math.sqrt(2 * -alpha / beta), q2.delta(), 1e-14);
        assertEquals(0.5 * (0.6 * 1 + 0.8 * 2), SelfStabilization.proxyX(u, Tensor.vector(5, 1, 2), Tensor.vector(1, 0, 0)),
                1e-15);
    }

    @Test
    void diagnosticComputesOrReadsTheEigenvectorAndTracksTheProxy() {
        Problem pr = problem(4);
        Tensor theta4 = pr.model().init(new SplittableRandom(5));
        SymmetricEigen.Result e4 = denseEig(pr, theta4);
        Tensor g4 = pr.valueAndGrad(theta4, pr.train()).grad();
        SelfStabilization.Quantities want = SelfStabilization.quantities(g4,
                SelfStabilization.gradS(pr, theta4, pr.train(), e4.vector(0)), e4.vector(0), e4.values()[0]);

        SelfStabilization own = new SelfStabilization(SelfStabilization.Config.defaults().withUseShared(false));
        SelfStabilization.Result a = own.measure(StaticProbe.of(pr, theta4).withStep(4));
        assertEquals("dense", a.eigSource());
        assertTrue(a.converged());
        assertEquals(e4.values()[0], a.sharpness(), 1e-12 * e4.values()[0]);
        assertEquals(want.alpha(), a.ssAlpha(), 1e-9 * Math.abs(want.alpha()));
        assertEquals(want.beta(), a.ssBeta(), 1e-9 * want.beta());
        assertEquals(want.gamma(), a.ssGamma(), 1e-9 * Math.abs(want.gamma()));
        assertEquals(Math.abs(want.newton()), Math.abs(a.ssNewton()), 1e-9 * Math.abs(want.newton()));
        assertTrue(Double.isNaN(a.ssX()));                              // no previous theta yet
        assertEquals(g4.norm(), a.gradNorm(), 1e-14 * g4.norm());

        // the published eigenvector of the sharpness diagnostic is used as is
        StaticProbe sharedProbe = StaticProbe.of(pr, theta4).withStep(4);
        sharedProbe.shared().put(SelfStabilization.SHARED_EIGENVECTORS, List.of(e4.vector(0).neg()));
        SelfStabilization reader = new SelfStabilization(SelfStabilization.Config.defaults());
        SelfStabilization.Result b = reader.measure(sharedProbe);
        assertEquals("shared", b.eigSource());
        assertEquals(1, b.hvps());                                      // one HVP to verify it
        assertEquals(a.sharpness(), b.sharpness(), 1e-12 * a.sharpness());
        assertEquals(a.ssAlpha(), b.ssAlpha(), 1e-9 * Math.abs(a.ssAlpha()));
        assertEquals(a.ssNewton(), b.ssNewton(), 1e-9 * Math.abs(a.ssNewton()));   // same orientation rule

        // a stale or wrong published vector is rejected and Lanczos runs instead
        StaticProbe badProbe = StaticProbe.of(pr, theta4).withStep(4);
        badProbe.shared().put(SelfStabilization.SHARED_EIGENVECTORS, List.of(Tensor.ones(theta4.size())));
        SelfStabilization.Result c = new SelfStabilization(SelfStabilization.Config.defaults()).measure(badProbe);
        assertEquals("dense", c.eigSource());
        assertEquals(a.sharpness(), c.sharpness(), 1e-12 * a.sharpness());

        // step 5 after one GD step: x_5 = u_5^T (theta_5 - theta_4) / 2 with u_5 oriented like u_4
        double eta = 0.1;
        Tensor theta5 = theta4.addScaled(g4, -eta);
        Map<String, Tensor> saved = own.exportState();
        SelfStabilization.Result d5 = own.measure(StaticProbe.of(pr, theta5).withStep(5));
        Tensor u4 = e4.vector(0);
        double[] u4a = u4.toArray();
        int big = 0;
        for (int i = 0; i < u4a.length; i++) {
            big = Math.abs(u4a[i]) > Math.abs(u4a[big]) ? i : big;
        }
        u4 = u4a[big] < 0 ? u4.neg() : u4;
        Tensor u5 = denseEig(pr, theta5).vector(0);
        u5 = u5.dotValue(u4) < 0 ? u5.neg() : u5;
        double x5 = 0.5 * u5.dotValue(theta5.sub(theta4));
        assertEquals(x5, d5.ssX(), 1e-9 * Math.abs(x5));
        // a resumed instance gives the same number
        SelfStabilization resumed = new SelfStabilization(own.config());
        resumed.importState(saved);
        assertEquals(d5.ssX(), resumed.measure(StaticProbe.of(pr, theta5).withStep(5)).ssX(), 1e-12 * Math.abs(x5));
        // a gap in the steps gives no proxy; grad_s_every thins the third-order products
        SelfStabilization thin = SelfStabilization.fromParams(Map.of("grad_s_every", 2, "use_shared", false));
        thin.measure(StaticProbe.of(pr, theta4).withStep(3));
        SelfStabilization.Result t5 = thin.measure(StaticProbe.of(pr, theta5).withStep(5));
        assertTrue(Double.isNaN(t5.ssX()) && Double.isNaN(t5.ssAlpha()));
        assertEquals(0, t5.thirdOrder());
        assertFalse(Double.isNaN(t5.ssNewton()));
    }

    @Test
    void badParametersNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SelfStabilization.fromParams(Map.of("grad_s_every", 0)));
        assertTrue(e.getMessage().contains("diagnostics.self_stabilization.grad_s_every"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SelfStabilization.fromParams(Map.of("k", 2)));
        assertTrue(e.getMessage().contains("unknown parameter 'k'") && e.getMessage().contains("grad_s_every"),
                e.getMessage());
    }
}
