package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Medians over seeds and windows, and rescaled seed counts (STUDIES.md §0.2, §7.3). */
class SparseFeaturesStatsTest {

    private static final double INF = Double.POSITIVE_INFINITY;

    @Test
    void medianOfOddAndEvenCountsWithDivergedRunsAsInfinity() {
        assertEquals(3.0, SparseFeaturesStats.median(new double[] {5, 1, 3}));
        assertEquals(2.5, SparseFeaturesStats.median(new double[] {4, 1, 3, 2}));
        // one diverged seed of four moves the median up, two make it infinite
        assertEquals(3.5, SparseFeaturesStats.median(new double[] {1, 3, INF, 4}));
        assertEquals(INF, SparseFeaturesStats.median(new double[] {1, INF, INF, 4, INF}));
        assertEquals(INF, SparseFeaturesStats.median(new double[] {1, INF, INF, 4}));
        assertTrue(Double.isNaN(SparseFeaturesStats.median(new double[0])));
        assertThrows(IllegalArgumentException.class, () -> SparseFeaturesStats.median(new double[] {1, Double.NaN}));
    }

    @Test
    void windowMedianUsesHalfOpenOrClosedStepRanges() {
        long[] steps = {0, 100, 200, 300, 400, 500};
        double[] v = {9, 1, 2, Double.NaN, 4, 8};
        // [100, 400): 1, 2 (300 has no value)
        assertEquals(1.5, SparseFeaturesStats.windowMedian(steps, v, 100, 400, false));
        // [100, 400]: 1, 2, 4
        assertEquals(2.0, SparseFeaturesStats.windowMedian(steps, v, 100, 400, true));
        // SF3 windows of N = 1001: [N/4, N/2) = [250.25, 500.5) -> 300 (NaN), 400, 500
        assertEquals(6.0, SparseFeaturesStats.windowMedian(steps, v, 1001 / 4.0, 1001 / 2.0, false));
        assertTrue(Double.isNaN(SparseFeaturesStats.windowMedian(steps, v, 600, 700, true)));
        assertThrows(IllegalArgumentException.class,
                () -> SparseFeaturesStats.windowMedian(steps, new double[2], 0, 1, true));
    }

    @Test
    void seedCountsAreExactForTheDefaultsAndScaleOtherwise() {
        assertEquals(7, SparseFeaturesStats.atLeast(7, 8, 8));
        assertEquals(4, SparseFeaturesStats.atLeast(4, 5, 5));
        assertEquals(5, SparseFeaturesStats.atLeast(5, 6, 6));
        assertEquals(4, SparseFeaturesStats.atLeast(4, 6, 6));
        assertEquals(2, SparseFeaturesStats.atLeast(2, 3, 3));
        assertEquals(1, SparseFeaturesStats.atMost(1, 8, 8));
        assertEquals(1, SparseFeaturesStats.atMost(1, 6, 6));
        // 16 seeds: 14 must pass SF1b, 2 may diverge in SF1d; 3 seeds: 3 must pass SF1b, none may diverge
        assertEquals(14, SparseFeaturesStats.atLeast(7, 8, 16));
        assertEquals(2, SparseFeaturesStats.atMost(1, 8, 16));
        assertEquals(3, SparseFeaturesStats.atLeast(7, 8, 3));
        assertEquals(0, SparseFeaturesStats.atMost(1, 8, 3));
    }

    @Test
    void ratioKeepsDivergenceAndRejectsBadDenominators() {
        assertEquals(0.25, SparseFeaturesStats.ratio(1, 4));
        assertEquals(INF, SparseFeaturesStats.ratio(INF, 4));
        // a diverged or missing baseline supports no claim: +inf, never 0
        assertEquals(INF, SparseFeaturesStats.ratio(1, INF));
        assertEquals(INF, SparseFeaturesStats.ratio(1, 0));
        assertEquals(INF, SparseFeaturesStats.ratio(1, Double.NaN));
        assertEquals(INF, SparseFeaturesStats.ratio(Double.NaN, 2));
    }
}
