package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** Sharpness (Q6) against dense eigendecompositions of explicit Hessians; subsets, warm start, state. */
class SharpnessTest {

    /** 4-10-10-3 tanh net: 193 parameters (dense path under auto). */
    static Problem small(int n, long seed) {
        return SharpnessFixtures.tanhProblem(SharpnessFixtures.data(n, 4, 3, seed), SharpnessFixtures.HALF, 7, 4, 10, 10, 3);
    }

    private static void topKMatchesDense(Sharpness.Result r, double[] want, int k, double rel) {
        assertEquals(k, r.hessEig().length);
        for (int i = 0; i < k; i++) {
            assertEquals(want[i], r.hessEig()[i], rel * Math.abs(want[i]), "eigenvalue " + i + " of " + r);
        }
        assertEquals(r.hessEig()[0], r.sharpness());
    }

    @Test
    void densePathMatchesTheExplicitHessian() {
        Problem p = small(20, 1);
        Tensor th = SharpnessFixtures.theta(p, 2, 1.5);
        double[] want = SharpnessFixtures.eig(SharpnessFixtures.hessian(p, th, p.train()));
        Sharpness s = new Sharpness(Sharpness.Config.DEFAULT.withK(3));
        Sharpness.Result r = s.measure(StaticProbe.of(p, th));
        topKMatchesDense(r, want, 3, 1e-10);
        assertTrue(r.converged());
        assertEquals(th.size(), r.hvps());               // dense path: p applications
        assertFalse(r.warmStart());
        assertEquals("all", r.subset());
        assertEquals(20, r.n());
        for (double res : r.hessResidual()) {
            assertTrue(res <= 1e-10 * Math.abs(want[0]), "residual " + res);
        }
    }

    @Test
    void lanczosPathMatchesTheExplicitHessian() {
        Problem p = small(20, 3);
        Tensor th = SharpnessFixtures.theta(p, 4, 1.5);
        double[] want = SharpnessFixtures.eig(SharpnessFixtures.hessian(p, th, p.train()));
        Sharpness s = new Sharpness(Sharpness.Config.DEFAULT.withK(3).withSolver("lanczos").withTol(1e-10));
        Sharpness.Result r = s.measure(StaticProbe.of(p, th));
        topKMatchesDense(r, want, 3, 1e-8);
        assertTrue(r.converged(), r.toString());
        assertTrue(r.hvps() < th.size(), "Lanczos should need fewer than p HVPs here: " + r.hvps());
        // largest algebraic: the Hessian has negative eigenvalues of larger magnitude? either way, top = max
        assertEquals(Arrays.stream(want).max().getAsDouble(), r.sharpness(), 1e-8 * Math.abs(want[0]));
    }

    @Test
    void powerIterationIsAnOption() {
        // a linear model: H = (2c/N) X^T X is PSD, so the largest magnitude is lambda_max
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        int n = 30;
        int d = 6;
        double[] xs = new double[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                xs[i * d + j] = r.nextGaussian() * (j == 0 ? 3.0 : 1.0);
            }
        }
        Dataset data = Dataset.regression("lin", Tensor.of(xs, n, d), Tensor.randn(r, n));
        Problem p = new Problem(org.sgdlab.nn.Mlp.of(org.sgdlab.nn.Activation.TANH, d, 1).withBias(false),
                SharpnessFixtures.HALF, data, null, 1000);
        Tensor th = Tensor.randn(r, d);
        double[] want = SharpnessFixtures.eig(SharpnessFixtures.hessian(p, th, data));
        Sharpness.Result pr = new Sharpness(Sharpness.Config.DEFAULT.withSolver("power").withTol(1e-9))
                .measure(StaticProbe.of(p, th));
        assertTrue(pr.converged(), pr.toString());
        assertEquals(want[0], pr.sharpness(), 1e-12 * want[0]);
        assertTrue(pr.hessResidual()[0] <= 1e-9 * want[0]);
        assertThrows(IllegalArgumentException.class,
                () -> new Sharpness(Sharpness.Config.DEFAULT.withK(2).withSolver("power")));
    }

    @Test
    void stabilityRatioIsSharpnessTimesEtaOverTwoForGd() {
        Problem p = SharpnessFixtures.tiny(10, 7);
        Tensor th = SharpnessFixtures.theta(p, 8, 2.0);
        double eta = 0.37;
        Sharpness.Result r = new Sharpness(Sharpness.Config.DEFAULT).measure(StaticProbe.of(p, th).withLr(eta));
        assertEquals(2 / eta, r.threshold(), 1e-15);
        assertEquals(r.sharpness() * eta / 2, r.stabilityRatio(), 1e-14 * Math.abs(r.sharpness()));
    }

    @Test
    void firstNEqualsTheSharpnessOfTheFirstNExamples() {
        Problem p = small(30, 9);
        Tensor th = SharpnessFixtures.theta(p, 10, 1.5);
        Sharpness.Result sub = new Sharpness(Sharpness.Config.DEFAULT.withK(2).withSubset(Subset.firstN(12)))
                .measure(StaticProbe.of(p, th));
        Problem first = new Problem(p.model(), p.loss(), p.train().first(12), null, 7);
        Sharpness.Result direct = new Sharpness(Sharpness.Config.DEFAULT.withK(2)).measure(StaticProbe.of(first, th));
        assertEquals("first_n", sub.subset());
        assertEquals(12, sub.n());
        assertArrayEquals(direct.hessEig(), sub.hessEig(), 1e-12 * Math.abs(direct.sharpness()));
        double[] want = SharpnessFixtures.eig(SharpnessFixtures.hessian(p, th, p.train().first(12)));
        assertEquals(want[0], sub.sharpness(), 1e-10 * Math.abs(want[0]));
        // and it is not the sharpness of all 30 examples
        double all = SharpnessFixtures.eig(SharpnessFixtures.hessian(p, th, p.train()))[0];
        assertTrue(Math.abs(all - sub.sharpness()) > 1e-6 * Math.abs(all));
    }

    @Test
    void randomNDrawsFromTheProbesStream() {
        Problem p = small(40, 11);
        Tensor th = SharpnessFixtures.theta(p, 12, 1.5);
        Subset policy = Subset.randomN(15);
        StaticProbe base = StaticProbe.of(p, th).withSeed(5);
        int[] a = policy.select(p.train(), base.withStep(3).rng(Rng.PROBES, Sharpness.NAME)).indices();
        int[] b = policy.select(p.train(), base.withStep(3).rng(Rng.PROBES, Sharpness.NAME)).indices();
        int[] c = policy.select(p.train(), base.withStep(4).rng(Rng.PROBES, Sharpness.NAME)).indices();
        int[] d = policy.select(p.train(), base.withSeed(6).withStep(3).rng(Rng.PROBES, Sharpness.NAME)).indices();
        assertArrayEquals(a, b, "same seed and step -> same subset");
        assertFalse(Arrays.equals(a, c), "different step -> different subset");
        assertFalse(Arrays.equals(a, d), "different seed -> different subset");
        assertEquals(15, a.length);
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i] > a[i - 1], "indices sorted and distinct: " + Arrays.toString(a));
        }
        // the independent draw of the documented order gives the same set
        int[] ref = SharpnessFixtures.drawBatch(base.withStep(3).rng(Rng.PROBES, Sharpness.NAME), 40, 15);
        Arrays.sort(ref);
        assertArrayEquals(ref, a);
        // the diagnostic measures exactly that subset
        Sharpness.Result r = new Sharpness(Sharpness.Config.DEFAULT.withSubset(policy)).measure(base.withStep(3));
        double want = SharpnessFixtures.eig(SharpnessFixtures.hessian(p, th, p.train().batch(a)))[0];
        assertEquals("random_n", r.subset());
        assertEquals(15, r.n());
        assertEquals(want, r.sharpness(), 1e-10 * Math.abs(want));
        Sharpness.Result r4 = new Sharpness(Sharpness.Config.DEFAULT.withSubset(policy)).measure(base.withStep(4));
        assertNotEquals(r.sharpness(), r4.sharpness());
    }

    @Test
    void autoUsesAllExamplesUpTo5000AndNEqualToNMeansAll() {
        Dataset d = SharpnessFixtures.data(30, 2, 2, 1);
        assertEquals(30, Subset.auto().select(d, new java.util.SplittableRandom(1)).n());
        assertEquals("all", Subset.auto().select(d, new java.util.SplittableRandom(1)).policy());
        assertEquals(30, Subset.randomN(4096).select(d, new java.util.SplittableRandom(1)).n());
        assertEquals(30, Subset.firstN(5000).select(d, null).n());
    }

    /** A short GD trajectory (eta = 0.05) on a 4-10-10-3 net: warm and cold sharpness at each step. */
    @Test
    void warmStartGivesTheSameAnswerWithFewerHvps() {
        Problem p = small(25, 13);
        Tensor th = SharpnessFixtures.theta(p, 14, 1.5);
        Sharpness.Config cfg = Sharpness.Config.DEFAULT.withSolver("lanczos");
        Sharpness warm = new Sharpness("warm", cfg);
        Sharpness cold = new Sharpness("cold", cfg.withWarmStart(false));
        long hw = 0;
        long hc = 0;
        for (int t = 0; t < 8; t++) {
            StaticProbe probe = StaticProbe.of(p, th).withStep(t).withLr(0.05);
            Sharpness.Result a = warm.measure(probe);
            Sharpness.Result b = cold.measure(probe);
            assertTrue(a.converged() && b.converged());
            assertEquals(t > 0, a.warmStart());
            assertFalse(b.warmStart());
            double want = SharpnessFixtures.eig(SharpnessFixtures.hessian(p, th, p.train()))[0];
            assertEquals(want, a.sharpness(), 2e-6 * want, "warm at step " + t);
            assertEquals(want, b.sharpness(), 2e-6 * want, "cold at step " + t);
            if (t > 0) {
                hw += a.hvps();
                hc += b.hvps();
            }
            th = th.sub(p.valueAndGrad(th, p.train()).grad().mul(0.05));
        }
        assertTrue(hw < hc, "warm-started Lanczos should need fewer HVPs: warm " + hw + " vs cold " + hc);
    }

    @Test
    void exportedStateReproducesTheNextMeasurementExactly() {
        Problem p = small(20, 15);
        Tensor th0 = SharpnessFixtures.theta(p, 16, 1.5);
        Tensor th1 = th0.sub(p.valueAndGrad(th0, p.train()).grad().mul(0.1));
        Sharpness.Config cfg = Sharpness.Config.DEFAULT.withK(2).withSolver("lanczos");
        Sharpness a = new Sharpness(cfg);
        assertTrue(a.exportState().isEmpty());
        a.measure(StaticProbe.of(p, th0));
        Map<String, Tensor> state = a.exportState();
        assertArrayEquals(new int[] {2, th0.size()}, state.get("eigenvectors").shape());
        Sharpness b = new Sharpness(cfg);
        b.importState(state);
        StaticProbe next = StaticProbe.of(p, th1).withStep(1);
        Sharpness.Result ra = a.measure(next);
        Sharpness.Result rb = b.measure(next);
        assertArrayEquals(ra.hessEig(), rb.hessEig(), 0.0);
        assertArrayEquals(ra.hessResidual(), rb.hessResidual(), 0.0);
        assertEquals(ra.hvps(), rb.hvps());
        assertTrue(rb.warmStart());
        // a fresh instance (cold) is a different computation
        Sharpness.Result rc = new Sharpness(cfg).measure(next);
        assertFalse(rc.warmStart());
        assertThrows(IllegalArgumentException.class, () -> b.importState(Map.of("eigenvectors", Tensor.zeros(3))));
    }

    @Test
    void publishesUnitEigenvectorsOfTheHessian() {
        Problem p = small(20, 17);
        Tensor th = SharpnessFixtures.theta(p, 18, 1.5);
        Sharpness s = new Sharpness(Sharpness.Config.DEFAULT.withK(2));
        assertTrue(s.publish().isEmpty());
        s.measure(StaticProbe.of(p, th).withStep(42));
        Tensor h = SharpnessFixtures.hessian(p, th, p.train());
        @SuppressWarnings("unchecked")
        List<Tensor> vs = (List<Tensor>) s.publish().get(Sharpness.SHARED_EIGENVECTORS);
        double[] vals = (double[]) s.publish().get(Sharpness.SHARED_EIGENVALUES);
        assertEquals(42L, s.publish().get(Sharpness.SHARED_STEP));
        assertEquals(2, vs.size());
        for (int i = 0; i < 2; i++) {
            Tensor u = vs.get(i);
            assertEquals(1.0, u.norm(), 1e-12);
            double res = h.matmul(u).addScaled(u, -vals[i]).norm();
            assertTrue(res <= 1e-9 * Math.abs(vals[0]), "||H u - lambda u|| = " + res);
        }
    }

    @Test
    void nonFiniteParametersAreDataNotAnException() {
        Problem p = SharpnessFixtures.tiny(6, 19);
        Tensor th = SharpnessFixtures.theta(p, 20, 1.0);
        double[] a = th.toArray();
        a[3] = Double.NaN;
        for (String solver : Sharpness.SOLVERS) {
            Sharpness s = new Sharpness(Sharpness.Config.DEFAULT.withSolver(solver));
            Sharpness.Result r = s.measure(StaticProbe.of(p, Tensor.vector(a)));
            assertFalse(r.converged(), solver);
            assertTrue(Double.isNaN(r.sharpness()), solver + ": " + r);
            assertTrue(s.exportState().isEmpty());
        }
    }

    @Test
    void fromParamsReadsEveryKeyAndRejectsBadOnes() {
        assertEquals(Sharpness.Config.DEFAULT, Sharpness.fromParams(Map.of()).config());
        Map<String, Object> m = new HashMap<>();
        m.put("k", 3);
        m.put("tol", 1e-8);
        m.put("max_dim", 60);
        m.put("max_restarts", 1);
        m.put("solver", "Lanczos");
        m.put("warm_start", false);
        m.put("subset", "random_n");
        m.put("subset_size", 100);
        assertEquals(new Sharpness.Config(3, 1e-8, 60, 1, "lanczos", false, Subset.randomN(100)),
                Sharpness.fromParams(m).config());
        assertEquals(Subset.randomN(Subset.RANDOM_N_DEFAULT),
                Sharpness.fromParams(Map.of("subset", "random_n")).config().subset());
        assertEquals(Subset.firstN(Subset.FIRST_N_DEFAULT),
                Sharpness.fromParams(Map.of("subset", "first_n")).config().subset());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sharpness.fromParams(Map.of("neigs", 2)));
        assertTrue(e.getMessage().contains("diagnostics.sharpness") && e.getMessage().contains("neigs")
                && e.getMessage().contains("max_dim, max_restarts"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sharpness.fromParams(Map.of("k", 0)));
        assertTrue(e.getMessage().contains("diagnostics.sharpness.k") && e.getMessage().contains("got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sharpness.fromParams(Map.of("solver", "eigsh")));
        assertTrue(e.getMessage().contains("'eigsh'") && e.getMessage().contains("auto, lanczos, dense, power"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sharpness.fromParams(Map.of("subset", "half")));
        assertTrue(e.getMessage().contains("diagnostics.sharpness.subset") && e.getMessage().contains("first_n"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sharpness.fromParams(Map.of("subset_size", 10)));
        assertTrue(e.getMessage().contains("subset_size"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sharpness.fromParams(Map.of("tol", "tight")));
        assertTrue(e.getMessage().contains("diagnostics.sharpness.tol"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sharpness.fromParams(Map.of("k", 2.5)));
        assertTrue(e.getMessage().contains("integer"), e.getMessage());
        Problem p = SharpnessFixtures.tiny(4, 1);
        e = assertThrows(IllegalArgumentException.class, () -> new Sharpness(Sharpness.Config.DEFAULT.withK(40))
                .measure(StaticProbe.of(p, SharpnessFixtures.theta(p, 1, 1))));
        assertTrue(e.getMessage().contains("diagnostics.sharpness.k = 40 exceeds the number of parameters 31"),
                e.getMessage());
    }
}
