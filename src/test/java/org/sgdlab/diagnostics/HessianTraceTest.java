package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.linalg.Hutchinson;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** Hessian trace (Q8.1): exact and Hutchinson against the trace of the dense Hessian. */
class HessianTraceTest {

    @Test
    void exactTraceEqualsTheTraceOfTheDenseHessian() {
        Problem p = SharpnessTest.small(15, 61);
        Tensor th = SharpnessFixtures.theta(p, 62, 1.5);
        double want = SharpnessFixtures.trace(SharpnessFixtures.hessian(p, th, p.train()));
        HessianTrace.Result r = new HessianTrace(HessianTrace.Config.DEFAULT).measure(StaticProbe.of(p, th));
        assertEquals("exact", r.method(), "p = 193 <= 500: exact");
        assertEquals(want, r.hessTrace(), 1e-10 * Math.abs(want));
        assertEquals(0.0, r.hessTraceSe());
        assertEquals(th.size(), r.hvps());
        assertTrue(r.converged());
    }

    @Test
    void hutchinsonIsWithinItsStandardErrorAndUsesTheProbesStream() {
        Problem p = SharpnessTest.small(15, 63);
        Tensor th = SharpnessFixtures.theta(p, 64, 1.5);
        Tensor h = SharpnessFixtures.hessian(p, th, p.train());
        double want = SharpnessFixtures.trace(h);
        StaticProbe probe = StaticProbe.of(p, th).withSeed(3);
        HessianTrace.Result r = new HessianTrace(HessianTrace.Config.DEFAULT.withMethod("hutchinson")).measure(probe);
        assertEquals("hutchinson", r.method());
        assertTrue(r.probes() >= 20 && r.probes() <= 256);
        assertEquals(r.probes(), r.hvps());
        assertTrue(Math.abs(r.hessTrace() - want) <= 4 * r.hessTraceSe(),
                "Hutchinson " + r.hessTrace() + " +- " + r.hessTraceSe() + " vs exact " + want);
        // fixed probes: the mean of z^T H z over the probes stream's Rademacher vectors
        HessianTrace.Result f = new HessianTrace(HessianTrace.Config.DEFAULT.withMethod("hutchinson").withProbes(12))
                .measure(probe);
        SplittableRandom rng = probe.rng(Rng.PROBES, HessianTrace.NAME);
        double sum = 0;
        for (int j = 0; j < 12; j++) {
            Tensor z = Hutchinson.rademacher(rng, th.size());
            sum += SharpnessFixtures.quad(z, h, z);
        }
        assertEquals(12, f.probes());
        assertEquals(sum / 12, f.hessTrace(), 1e-10 * Math.abs(sum / 12));
    }

    @Test
    void subsetAndParams() {
        Problem p = SharpnessFixtures.tiny(20, 65);
        Tensor th = SharpnessFixtures.theta(p, 66, 2.0);
        HessianTrace.Result r = new HessianTrace(HessianTrace.Config.DEFAULT.withSubset(Subset.firstN(5)))
                .measure(StaticProbe.of(p, th));
        double want = SharpnessFixtures.trace(SharpnessFixtures.hessian(p, th, p.train().first(5)));
        assertEquals(want, r.hessTrace(), 1e-10 * Math.abs(want));
        assertEquals(5, r.n());
        assertEquals(HessianTrace.Config.DEFAULT, HessianTrace.fromParams(Map.of()).config());
        assertEquals(HessianTrace.Config.DEFAULT.withMethod("hutchinson").withProbes(64),
                HessianTrace.fromParams(Map.of("method", "hutchinson", "probes", 64)).config());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HessianTrace.fromParams(Map.of("method", "girard")));
        assertTrue(e.getMessage().contains("diagnostics.hess_trace.method") && e.getMessage().contains("hutchinson"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HessianTrace.fromParams(Map.of("probes", 1)));
        assertTrue(e.getMessage().contains("diagnostics.hess_trace.probes"), e.getMessage());
    }
}
