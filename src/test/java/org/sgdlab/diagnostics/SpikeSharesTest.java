package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-spike shares (Q10.3) and the derived spike quantities of Q12 on hand-computed series. */
class SpikeSharesTest {

    // step, L, L_top, L_rest (L_top + L_rest = L)
    private static final double[][] SERIES = {
        {0, 1.0, 0.5, 0.5},
        {1, 0.8, 0.4, 0.4},
        {2, 0.6, 0.3, 0.3},
        {3, 2.0, 1.6, 0.4},
        {4, 6.0, 5.5, 0.5},
        {5, 3.0, 2.6, 0.4},
        {6, 0.7, 0.35, 0.35},
        {7, 0.5, 0.2, 0.3},
        {8, 0.4, 0.15, 0.25},
        {9, 0.3, 0.1, 0.2},
    };

    private static List<SpikeShares.Point> points(int upTo) {
        List<SpikeShares.Point> out = new ArrayList<>();
        for (int i = 0; i <= upTo; i++) {
            double[] r = SERIES[i];
            out.add(new SpikeShares.Point((long) r[0], r[1], r[2], r[3]));
        }
        return out;
    }

    private static double[] losses() {
        double[] l = new double[SERIES.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = SERIES[i][1];
        }
        return l;
    }

    @Test
    void sharesOfOneSpike() {
        // the Q12 detector (kappa = 2) sees onset 3 (2.0 > 2 * 0.6), peak 4, end 6 (0.7 <= sqrt 2 * 0.6 = 0.849)
        SpikeDetector det = new SpikeDetector(2);
        double[] l = losses();
        for (int t = 0; t < l.length; t++) {
            det.observe(t, l[t]);
        }
        assertEquals(1, det.finished().size());
        SpikeDetector.Spike spike = det.finished().get(0);
        assertEquals(List.of(3L, 4L, 6L), List.of(spike.onset(), spike.peak(), spike.end()));

        List<SpikeShares.Point> s = points(9);
        SpikeShares.Shares sh = SpikeShares.of(s, spike);
        assertEquals(5.5 / 6.0, sh.phi(), 1e-15);
        // W = 20 covers steps 0..4: min L_top = 0.3, min L = 0.6
        assertEquals((5.5 - 0.3) / (6.0 - 0.6), sh.psi(), 1e-15);
        // max L_rest over steps 3..6 is 0.5; L_rest at step 2 is 0.3
        assertEquals(0.5 / 0.3, sh.chi(), 1e-15);
        // a window of 1 step covers steps 3..4: min L_top = 1.6, min L = 2.0
        assertEquals((5.5 - 1.6) / (6.0 - 2.0), SpikeShares.psi(s, 4, 1), 1e-15);
        // an open spike on a series that stops at step 5: steps 3..5
        assertEquals(0.5 / 0.3, SpikeShares.chi(points(5), 3, null), 1e-15);
        // onset - 1 not logged; peak not logged
        assertTrue(Double.isNaN(SpikeShares.chi(s.subList(3, 10), 3, 6L)));
        assertTrue(Double.isNaN(SpikeShares.phi(s, 42)));
        assertArrayEquals(new double[] {0.5, 0.5, 0.5, 0.8, 5.5 / 6.0}, java.util.Arrays.copyOf(
                SpikeShares.phiSeries(s), 5), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> SpikeShares.phi(List.of(s.get(2), s.get(1)), 1));
    }

    @Test
    void catapultRule() {
        SpikeDetector.Spike returned = new SpikeDetector.Spike(3, 4, 6L, 0.6, 6.0, 10, true);
        SpikeDetector.Spike open = new SpikeDetector.Spike(3, 4, null, 0.6, 6.0, 10, false);
        // eta = 1: kernel 2.5 -> 1.5 (< 2/eta = 2) is a catapult; 2.5 -> 2.1 shrank but is still unstable
        assertTrue(SpikeShares.catapult(returned, 2.5, 1.5, 1.0));
        assertFalse(SpikeShares.catapult(returned, 2.5, 2.1, 1.0));
        assertFalse(SpikeShares.catapult(returned, 1.5, 1.6, 1.0), "the kernel must decrease");
        assertFalse(SpikeShares.catapult(open, 2.5, 1.5, 1.0), "the loss must return");
    }

    @Test
    void maxSpikeRatioIsFloored() {
        // t = 4: 6.0 / min(1.0, 0.8, 0.6, 2.0) = 10
        assertEquals(10.0, SpikeShares.maxSpikeRatio(losses()), 1e-14);
        // floor = 1e-8 L_0: at t = 2 the running min 1e-12 is floored to 1e-8, ratio 1e-9 / 1e-8 = 0.1 (not 1000)
        assertEquals(0.1, SpikeShares.maxSpikeRatio(new double[] {1.0, 1e-12, 1e-9}), 1e-15);
        // monotone decrease: every ratio < 1, the largest is the first step's
        assertEquals(0.9, SpikeShares.maxSpikeRatio(new double[] {1.0, 0.9, 0.5, 0.1}), 1e-15);
        assertTrue(Double.isNaN(SpikeShares.maxSpikeRatio(new double[] {1.0})));
        // non-finite values are skipped
        assertEquals(2.0, SpikeShares.maxSpikeRatio(new double[] {1.0, Double.NaN, 2.0}), 0.0);
    }

    @Test
    void localPeaksFollowTheRule() {
        assertArrayEquals(new int[] {4}, SpikeShares.localPeaks(losses()));
        // a plateau satisfies the non-strict comparisons; the window decides step 5
        double[] plateau = {0.1, 1, 1, 1, 1, 1.5, 1};
        assertArrayEquals(new int[] {1, 2, 3, 5}, SpikeShares.localPeaks(plateau, 20, 2));
        assertArrayEquals(new int[] {1, 2, 3}, SpikeShares.localPeaks(plateau, 3, 2));
        // bumps below twice the recent minimum are not peaks; with factor 1.5 the first is
        double[] small = {1, 0.5, 0.9, 0.4, 0.45, 0.3};
        assertArrayEquals(new int[0], SpikeShares.localPeaks(small));
        assertArrayEquals(new int[] {2}, SpikeShares.localPeaks(small, 20, 1.5));
        // the last step is never a peak (no successor)
        assertArrayEquals(new int[0], SpikeShares.localPeaks(new double[] {1, 0.1, 5}));
    }

    @Test
    void lossJumps() {
        assertArrayEquals(new boolean[] {true, false, false, true},
                SpikeShares.jumps(new double[] {1, 2, 2.9, 1, 1.6}));
        assertArrayEquals(new boolean[] {false}, SpikeShares.jumps(new double[] {1, 1.5}), "strict >");
        assertEquals(0, SpikeShares.jumps(new double[] {1}).length);
    }

    @Test
    void unstableDimensions() {
        assertEquals(2, LossSplit.unstableDims(1.0, new double[] {3, 2.5, 1.9, 0.1}));
        assertEquals(1, LossSplit.unstableDims(0.1, new double[] {3, 2.5}));
    }
}
