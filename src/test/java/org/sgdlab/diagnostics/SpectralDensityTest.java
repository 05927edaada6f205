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

/** SLQ spectral density (Q8.2) of a small net's Hessian. */
class SpectralDensityTest {

    @Test
    void densityIntegratesToOneAndTheTraceAgreesWithTheExactTrace() {
        Problem p = SharpnessTest.small(15, 71);
        Tensor th = SharpnessFixtures.theta(p, 72, 1.5);
        Tensor h = SharpnessFixtures.hessian(p, th, p.train());
        double trace = SharpnessFixtures.trace(h);
        double[] ev = SharpnessFixtures.eig(h);
        SpectralDensity.Result r = new SpectralDensity(SpectralDensity.Config.DEFAULT.withProbes(10))
                .measure(StaticProbe.of(p, th));
        assertTrue(r.converged());
        assertEquals(10, r.nodes().length);
        assertEquals(1000, r.grid().length);
        double integral = 0;
        for (int i = 1; i < r.grid().length; i++) {
            integral += 0.5 * (r.density()[i] + r.density()[i - 1]) * (r.grid()[i] - r.grid()[i - 1]);
        }
        assertEquals(1.0, integral, 1e-4, "the density integrates to 1");
        assertTrue(Math.abs(r.traceEstimate() - trace) <= 4 * r.traceSe(),
                "SLQ trace " + r.traceEstimate() + " +- " + r.traceSe() + " vs exact " + trace);
        for (int l = 0; l < r.nodes().length; l++) {
            double w = 0;
            for (int k = 0; k < r.nodes()[l].length; k++) {
                w += r.weights()[l][k];
                // Ritz values lie in [lambda_min, lambda_max]
                assertTrue(r.nodes()[l][k] <= ev[0] + 1e-8 * ev[0] && r.nodes()[l][k] >= ev[ev.length - 1] - 1e-8 * ev[0]);
            }
            assertEquals(1.0, w, 1e-12, "weights of probe " + l);
        }
        assertEquals(10L * 80, r.hvps());
    }

    @Test
    void withAsManyStepsAsParametersTheQuadratureIsExactForEachProbe() {
        // m = p: the trace estimate is exactly the mean of z^T H z over the probes stream's Rademacher vectors
        Problem p = SharpnessFixtures.tiny(10, 73);
        Tensor th = SharpnessFixtures.theta(p, 74, 2.0);
        Tensor h = SharpnessFixtures.hessian(p, th, p.train());
        StaticProbe probe = StaticProbe.of(p, th).withSeed(4);
        SpectralDensity.Result r = new SpectralDensity(SpectralDensity.Config.DEFAULT.withProbes(5)).measure(probe);
        SplittableRandom rng = probe.rng(Rng.PROBES, SpectralDensity.NAME);
        double sum = 0;
        for (int l = 0; l < 5; l++) {
            Tensor z = Hutchinson.rademacher(rng, th.size());
            sum += SharpnessFixtures.quad(z, h, z);
        }
        assertEquals(sum / 5, r.traceEstimate(), 1e-8 * Math.abs(sum / 5));
    }

    @Test
    void params() {
        assertEquals(SpectralDensity.Config.DEFAULT, SpectralDensity.fromParams(Map.of()).config());
        assertEquals(SpectralDensity.Config.DEFAULT.withProbes(3).withSteps(20),
                SpectralDensity.fromParams(Map.of("probes", 3, "steps", 20)).config());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SpectralDensity.fromParams(Map.of("sigma_fraction", 0)));
        assertTrue(e.getMessage().contains("diagnostics.slq_density.sigma_fraction") && e.getMessage().contains("> 0"),
                e.getMessage());
    }
}
