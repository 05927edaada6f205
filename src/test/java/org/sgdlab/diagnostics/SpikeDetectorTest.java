package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Q12 detector on loss curves with known spikes. */
class SpikeDetectorTest {

    private static SpikeDetector feed(double kappa, double... losses) {
        SpikeDetector d = new SpikeDetector(kappa);
        for (int t = 0; t < losses.length; t++) {
            d.observe(t, losses[t]);
        }
        return d;
    }

    @Test
    void monotoneDecreaseHasNoSpike() {
        double[] l = new double[200];
        for (int t = 0; t < l.length; t++) {
            l[t] = Math.exp(-0.05 * t);
        }
        SpikeDetector d = feed(2, l);
        assertEquals(0, d.count());
        assertTrue(d.all().isEmpty());
    }

    @Test
    void oneBumpThatReturnsIsOneFinishedSpike() {
        //            0    1    2    3    4    5    6    7    8    9
        double[] l = {1.0, 0.8, 0.6, 0.5, 1.5, 3.0, 2.0, 0.9, 0.7, 0.6};
        SpikeDetector d = feed(2, l);
        assertEquals(1, d.count());
        List<SpikeDetector.Spike> s = d.finished();
        assertEquals(1, s.size());
        // onset: first L_t > 2 * base(0.5) = 1.0 -> t = 4 (1.5); peak t = 5; end: first L_t <= sqrt(2) * 0.5 = 0.7071 -> t = 8
        assertEquals(4, s.get(0).onset());
        assertEquals(5, s.get(0).peak());
        assertEquals(8L, s.get(0).end());
        assertEquals(0.5, s.get(0).pre());
        assertEquals(6.0, s.get(0).magnitude(), 1e-15);
        assertTrue(s.get(0).returned());
        assertNull(d.open());
    }

    @Test
    void bumpThatDoesNotReturnIsOneOpenSpike() {
        double[] l = {1.0, 0.5, 0.4, 2.0, 3.0, 2.5, 2.4};
        SpikeDetector d = feed(2, l);
        assertEquals(1, d.count());
        assertTrue(d.finished().isEmpty());
        SpikeDetector.Spike open = d.open();
        assertEquals(3, open.onset());
        assertEquals(4, open.peak());
        assertNull(open.end());
        assertFalse(open.returned());
        assertEquals(1, d.all().size());
    }

    @Test
    void decayToFloatNoiseAtInterpolationIsNotASpike() {
        SplittableRandom r = new SplittableRandom(1);
        double[] l = new double[400];
        for (int t = 0; t < l.length; t++) {
            double clean = Math.exp(-0.15 * t);                 // reaches ~1e-26
            l[t] = Math.max(clean, 1e-25 * (1 + 50 * r.nextDouble()));
        }
        SpikeDetector d = feed(2, l);
        assertEquals(0, d.count(), "noise below 1e-8 L_0 must not count");
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        double[] l = {1.0, 0.8, 0.5, 1.2, 2.0, 0.6, 0.4, 0.9, 1.0, 0.3};
        SpikeDetector a = feed(2, l);
        SpikeDetector b = new SpikeDetector(2);
        for (int t = 0; t < 5; t++) {
            b.observe(t, l[t]);
        }
        SpikeDetector c = new SpikeDetector(2);
        c.restore(b.state());
        for (int t = 5; t < l.length; t++) {
            c.observe(t, l[t]);
        }
        assertEquals(a.count(), c.count());
        assertEquals(a.finished().get(a.finished().size() - 1), c.finished().get(c.finished().size() - 1));
    }
}
