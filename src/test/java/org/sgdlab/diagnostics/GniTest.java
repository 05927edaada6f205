package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** GNI (Q7.4) against its definition by enumeration of every batch. */
class GniTest {

    @Test
    void agreesWithTheEnumerationOfAllFifteenBatches() {
        Problem p = SharpnessFixtures.tiny(6, 51);
        Tensor th = SharpnessFixtures.theta(p, 52, 2.0);
        Tensor h = SharpnessFixtures.hessian(p, th, p.train());
        Tensor g = SharpnessFixtures.grad(p, th, p.train());
        double gg = g.dotValue(g);
        List<int[]> all = SharpnessFixtures.allBatches(6, 2);
        double num = 0;
        for (int[] b : all) {
            Tensor gb = SharpnessFixtures.grad(p, th, p.train().batch(b));
            num += SharpnessFixtures.quad(gb, h, gb) / all.size();
        }
        double exact = num / gg;
        StaticProbe probe = StaticProbe.of(p, th).withBatchSize(2).withSeed(8).withLr(0.3);
        Gni.Result r = new Gni(Gni.Config.DEFAULT.withDraws(1500)).measure(probe);
        assertEquals(1500, r.draws());
        assertTrue(r.converged());
        assertEquals(gg, r.gradNormSq(), 1e-12 * gg);
        assertTrue(Math.abs(r.gni() - exact) <= 4 * r.gniSe(), "GNI " + r.gni() + " +- " + r.gniSe() + " vs exact " + exact);
        assertTrue(r.gniSe() < 0.05 * Math.abs(exact));
        assertEquals(r.gni() * 0.3 / 2, r.gniRatio(), 1e-12 * Math.abs(exact));
        assertEquals(1500, r.hvps());
    }

    @Test
    void fixedDrawsEqualAHandComputationOverTheSameBatches() {
        Problem p = SharpnessFixtures.tiny(9, 53);
        Tensor th = SharpnessFixtures.theta(p, 54, 2.0);
        StaticProbe probe = StaticProbe.of(p, th).withBatchSize(3).withSeed(2).withStep(4);
        Gni.Result r = new Gni(Gni.Config.DEFAULT.withDraws(25)).measure(probe);
        Tensor h = SharpnessFixtures.hessian(p, th, p.train());
        Tensor g = SharpnessFixtures.grad(p, th, p.train());
        SplittableRandom rng = probe.rng(Rng.PROBES, Gni.NAME);
        double[] s = new double[25];
        for (int i = 0; i < 25; i++) {
            Tensor gb = SharpnessFixtures.grad(p, th, p.train().batch(SharpnessFixtures.drawBatch(rng, 9, 3)));
            s[i] = SharpnessFixtures.quad(gb, h, gb);
        }
        double gg = g.dotValue(g);
        assertEquals(SharpnessFixtures.mean(s) / gg, r.gni(), 1e-10 * Math.abs(r.gni()));
        assertEquals(Math.sqrt(SharpnessFixtures.cov(s, s) / 25) / gg, r.gniSe(), 1e-9 * r.gniSe());
    }

    @Test
    void aBatchOfEveryExampleGivesTheFullRayleighQuotient() {
        Problem p = SharpnessFixtures.tiny(7, 55);
        Tensor th = SharpnessFixtures.theta(p, 56, 1.5);
        Tensor h = SharpnessFixtures.hessian(p, th, p.train());
        Tensor g = SharpnessFixtures.grad(p, th, p.train());
        double rq = SharpnessFixtures.quad(g, h, g) / g.dotValue(g);
        Gni.Result r = new Gni(Gni.Config.DEFAULT).measure(StaticProbe.of(p, th).withBatchSize(7));
        assertEquals(rq, r.gni(), 1e-10 * Math.abs(rq));
        assertEquals(20, r.draws(), "zero variance: the adaptive rule stops at min_draws");
        assertTrue(r.converged());
    }

    @Test
    void adaptiveRuleAndSubsetPolicy() {
        Problem p = SharpnessFixtures.tiny(30, 57);
        Tensor th = SharpnessFixtures.theta(p, 58, 2.0);
        StaticProbe probe = StaticProbe.of(p, th).withBatchSize(4);
        Gni.Result r = new Gni(Gni.Config.DEFAULT.withRule(20, 2000, 0.03)).measure(probe);
        assertTrue(r.draws() >= 20 && r.converged(), r.toString());
        assertTrue(r.gniSe() <= 0.03 * Math.abs(r.gni()) * (1 + 1e-12));
        // first_n: H and g of the first 10 examples, batches from all 30
        Gni.Result f = new Gni(Gni.Config.DEFAULT.withDraws(30).withSubset(Subset.firstN(10))).measure(probe);
        Dataset first = p.train().first(10);
        Tensor h = SharpnessFixtures.hessian(p, th, first);
        Tensor g = SharpnessFixtures.grad(p, th, first);
        SplittableRandom rng = probe.rng(Rng.PROBES, Gni.NAME);
        double sum = 0;
        for (int i = 0; i < 30; i++) {
            Tensor gb = SharpnessFixtures.grad(p, th, p.train().batch(SharpnessFixtures.drawBatch(rng, 30, 4)));
            sum += SharpnessFixtures.quad(gb, h, gb);
        }
        assertEquals(sum / 30 / g.dotValue(g), f.gni(), 1e-10 * Math.abs(f.gni()));
        assertEquals("first_n", f.subset());
        assertEquals(10, f.n());
    }

    @Test
    void nanAndParams() {
        Problem p = SharpnessFixtures.tiny(6, 59);
        double[] a = SharpnessFixtures.theta(p, 60, 1.0).toArray();
        a[2] = Double.NaN;
        Gni.Result r = new Gni(Gni.Config.DEFAULT).measure(StaticProbe.of(p, Tensor.vector(a)).withBatchSize(2));
        assertFalse(r.converged());
        assertTrue(Double.isNaN(r.gni()));
        assertEquals(Gni.Config.DEFAULT, Gni.fromParams(Map.of()).config());
        assertEquals(Gni.Config.DEFAULT.withDraws(500).withSubset(Subset.firstN(100)),
                Gni.fromParams(Map.of("draws", 500, "subset", "first_n", "subset_size", 100)).config());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Gni.fromParams(Map.of("tolerance", 0.05)));
        assertTrue(e.getMessage().contains("diagnostics.gni") && e.getMessage().contains("rel_tol"), e.getMessage());
    }
}
