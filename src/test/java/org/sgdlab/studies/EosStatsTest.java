package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.sgdlab.studies.EosStats.Trace;

/** The statistics behind the eos criteria, against hand-computed answers. */
class EosStatsTest {

    static Trace trace(long[] steps, double... v) {
        return new Trace(steps, v);
    }

    @Test
    void tEosIsTheFirstMeasuredStepAtOrAboveOne() {
        Trace r = trace(new long[] {0, 50, 100, 150, 200}, 0.3, 0.8, 0.999, 1.0, 1.2);
        assertEquals(150, EosStats.tEos(r));
        assertEquals(-1, EosStats.tEos(trace(new long[] {0, 10}, 0.5, 0.99)));
        assertEquals(0, EosStats.tEos(trace(new long[] {0, 10}, 1.5, 0.9)));
    }

    @Test
    void runningMaximumDips() {
        // values 1, 2, 1.97, 3, 2.9, 5 (step 50 is the crossing, excluded)
        Trace t = trace(new long[] {0, 10, 20, 30, 40, 50}, 1, 2, 1.97, 3, 2.9, 5);
        // dips: 1.97/2 = 0.985, 2.9/3 = 0.96667
        assertEquals(2.9 / 3, EosStats.minRunningMaxRatio(t, 50), 1e-15);
        assertEquals(1.97 / 2, EosStats.minRunningMaxRatio(t, 40), 1e-15);
        assertEquals(1.0, EosStats.minRunningMaxRatio(t, 20), 0);
        assertTrue(Double.isNaN(EosStats.minRunningMaxRatio(t, 0)));
    }

    @Test
    void fractionWithinCountsTheClosedBand() {
        // inside |v - 1| <= 0.1: 0.92, 1.0, 1.08, 1.05, 0.95; outside: 0.89, 1.11, 2.0
        double[] v = {0.89, 0.92, 1.0, 1.08, 1.11, 1.05, 0.95, 2.0};
        assertEquals(5.0 / 8, EosStats.fractionWithin(v, 0.10), 0);
        assertTrue(Double.isNaN(EosStats.fractionWithin(new double[0], 0.1)));
    }

    @Test
    void lossIncreaseFraction() {
        double[] loss = {5, 4, 4.5, 3, 3, 3.5, 2};
        // t = 0..5: 4<5 no, 4.5>4 yes, 3 no, 3=3 no (not an increase), 3.5 yes, 2 no
        assertEquals(2.0 / 6, EosStats.lossIncreaseFraction(loss, 0, 6), 1e-15);
        assertEquals(1.0 / 2, EosStats.lossIncreaseFraction(loss, 1, 3), 1e-15);
        assertEquals(0.0, EosStats.lossIncreaseFraction(loss, 2, 4), 0);
        assertTrue(Double.isNaN(EosStats.lossIncreaseFraction(loss, 3, 3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EosStats.lossIncreaseFraction(loss, 0, 7));
        assertTrue(e.getMessage().contains("[0, 7)"), e.getMessage());
    }

    @Test
    void medianMeanAndLossRatios() {
        assertEquals(2.0, EosStats.median(new double[] {3, 1, 2}), 0);
        assertEquals(2.5, EosStats.median(new double[] {4, 1, 3, 2}), 0);
        assertEquals(2.5, EosStats.mean(new double[] {4, 1, 3, 2}), 0);
        double[] loss = {2, 1, 6, 30, 4, 1};
        assertEquals(15.0, EosStats.maxLossRatio(loss, 0, 5), 0);
        assertEquals(3, EosStats.argMaxLoss(loss, 0, 5));
        assertEquals(3.0, EosStats.maxLossRatio(loss, 0, 2), 0);
        assertEquals(1.0, EosStats.maxLossRatio(loss, 4, 100), 0); // clipped to the array
    }

    @Test
    void traceWindowsShiftsAndLookups() {
        Trace t = trace(new long[] {0, 25, 50, 75}, 1, 2, 3, 4);
        assertEquals(2, t.window(25, 50).length);
        assertEquals(3.0, t.window(26, 100)[0], 0);
        assertEquals(1525, t.shift(1500).steps()[1]);
        assertEquals(2.0, t.div(2).at(75), 0);
        assertTrue(Double.isNaN(t.at(10)));
    }

    @Test
    void twoSignificantDigits() {
        // eta_F = 0.68 / lambda_0 rounded to two significant digits (STUDIES.md 8.2)
        assertEquals(0.20, EosStats.twoSignificant(0.68 / 3.38), 0); // 0.2011...
        assertEquals(0.23, EosStats.twoSignificant(0.68 / 2.9737), 0); // 0.22867...
        assertEquals(0.012, EosStats.twoSignificant(0.0123456), 0);
        assertEquals(1.3, EosStats.twoSignificant(1.2734), 0);
        assertEquals(4700.0, EosStats.twoSignificant(4651.0), 0);
        assertThrows(IllegalArgumentException.class, () -> EosStats.twoSignificant(0));
        assertThrows(IllegalArgumentException.class, () -> EosStats.twoSignificant(Double.NaN));
    }
}
