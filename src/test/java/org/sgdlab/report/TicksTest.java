package org.sgdlab.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.report.Ticks.TickSet;

class TicksTest {

    @Test
    void niceStepOnKnownRanges() {
        // raw = range / 5; mantissa < 1.5 -> 1, < 3 -> 2, < 7 -> 5, else 10 (hand-computed)
        assertEquals(0.2, Ticks.niceStep(1, 5), 1e-15);      // raw 0.2 -> 2e-1
        assertEquals(2, Ticks.niceStep(10, 5), 1e-15);       // raw 2
        assertEquals(20, Ticks.niceStep(97, 5), 1e-12);      // raw 19.4 -> 1.94 -> 2
        assertEquals(500, Ticks.niceStep(2000, 5), 1e-12);   // raw 400 -> 4 -> 5
        assertEquals(1e-3, Ticks.niceStep(0.0037, 5), 1e-18); // raw 7.4e-4 -> 7.4 -> 10
        assertEquals(1e4, Ticks.niceStep(41000, 5), 1e-9);   // raw 8200 -> 8.2 -> 10
    }

    @Test
    void linearTicksOnKnownRanges() {
        TickSet t = Ticks.linear(0.13, 0.87, 5); // step 0.1, widened to [0.1, 0.9]
        assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9}, t.values(), 0);
        assertArrayEquals(new String[] {"0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"}, t.labels());
        assertEquals(0.1, t.lo(), 0);
        assertEquals(0.9, t.hi(), 0);

        t = Ticks.linear(-3, 7, 5); // step 2: floor(-1.5) = -2 -> -4 ... ceil(3.5) = 4 -> 8
        assertArrayEquals(new double[] {-4, -2, 0, 2, 4, 6, 8}, t.values(), 0);
        assertArrayEquals(new String[] {"-4", "-2", "0", "2", "4", "6", "8"}, t.labels());

        t = Ticks.linear(0, 2000, 5);
        assertArrayEquals(new double[] {0, 500, 1000, 1500, 2000}, t.values(), 0);

        t = Ticks.linear(5, 5, 5); // degenerate: widened by 10 % to [4.5, 5.5], step 0.2
        assertArrayEquals(new double[] {4.4, 4.6, 4.8, 5.0, 5.2, 5.4, 5.6}, t.values(), 1e-12);
        assertEquals("4.4", t.labels()[0]);

        t = Ticks.linear(0, 0, 5); // zero: widened to [-1, 1]
        assertArrayEquals(new double[] {-1, -0.5, 0, 0.5, 1}, t.values(), 0);

        t = Ticks.linear(0, 3e7, 5); // raw step 6e6 -> 5e6; big numbers in scientific notation
        assertEquals("0", t.labels()[0]);
        assertEquals("5\u00d710\u2076", t.labels()[1]);
        assertEquals("10\u2077", t.labels()[2]);

        t = Ticks.linear(-3.6605e-4, -3.6495e-4, 5); // tiny step next to a larger value: labels stay distinct
        // step 2e-7: -3.662e-4, -3.660e-4, -3.658e-4, ... with four significant digits
        assertEquals("-3.662\u00d710\u207b\u2074", t.labels()[0]);
        assertEquals("-3.66\u00d710\u207b\u2074", t.labels()[1]);
        assertEquals("-3.658\u00d710\u207b\u2074", t.labels()[2]);
    }

    @Test
    void linearTicksPropertiesOnRandomRanges() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 2000; trial++) {
            double a = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(-6, 7));
            double b = a + r.nextDouble() * Math.pow(10, r.nextInt(-6, 7));
            TickSet t = Ticks.linear(a, b, 5);
            double[] v = t.values();
            double tol = (v[1] - v[0]) * 1e-6; // the widening tolerates float noise of 1e-9 steps
            assertTrue(t.lo() <= a + tol && t.hi() >= b - tol, () -> "range [" + t.lo() + ", " + t.hi() + "] misses data [" + a + ", " + b + "]");
            assertTrue(v.length >= 2 && v.length <= 13, () -> v.length + " ticks for [" + a + ", " + b + "]");
            double step = v[1] - v[0];
            double mant = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
            assertTrue(Math.abs(mant - 1) < 1e-4 || Math.abs(mant - 2) < 1e-4 || Math.abs(mant - 5) < 1e-4
                    || Math.abs(mant - 10) < 1e-4, () -> "step " + step + " is not 1-2-5");
            for (int i = 1; i < v.length; i++) {
                assertEquals(step, v[i] - v[i - 1], step * 1e-4);
            }
            assertEquals(v.length, new HashSet<>(java.util.Arrays.asList(t.labels())).size(),
                    () -> "duplicate labels " + java.util.Arrays.toString(t.labels()));
        }
    }

    @Test
    void logTicksAreDecades() {
        TickSet t = Ticks.log(0.003, 250);
        assertArrayEquals(new double[] {1e-3, 1e-2, 1e-1, 1, 10, 100, 1000}, t.values(), 0);
        assertArrayEquals(new String[] {"0.001", "0.01", "0.1", "1", "10", "100", "1000"}, t.labels());
        assertEquals(1e-3, t.lo(), 0);
        assertEquals(1e3, t.hi(), 0);

        // 13 decades -> every 2nd decade, aligned to even exponents: 1e-8 ... 1e6
        t = Ticks.log(2e-7, 3e5);
        assertArrayEquals(new double[] {1e-8, 1e-6, 1e-4, 1e-2, 1, 1e2, 1e4, 1e6}, t.values(), 0);
        assertEquals("10\u207b\u2078", t.labels()[0]);
        assertEquals("10\u2076", t.labels()[7]);
        assertEquals("10000", t.labels()[6]);

        // at most two decades: 1, 2, 5 per decade, trimmed to the tightest marks around the data
        t = Ticks.log(3, 8);
        assertArrayEquals(new double[] {2, 5, 10}, t.values(), 0);
        t = Ticks.log(0.05, 0.5);
        assertArrayEquals(new double[] {0.05, 0.1, 0.2, 0.5}, t.values(), 0);
        assertArrayEquals(new String[] {"0.05", "0.1", "0.2", "0.5"}, t.labels());
        t = Ticks.log(7, 7); // one value: neighbouring marks
        assertTrue(t.lo() < 7 && t.hi() > 7 && t.values().length >= 2, java.util.Arrays.toString(t.values()));
        // exact decade bounds stay put
        t = Ticks.log(1, 1000);
        assertArrayEquals(new double[] {1, 10, 100, 1000}, t.values(), 0);
        t = Ticks.log(0.5, 40);
        assertArrayEquals(new double[] {0.1, 1, 10, 100}, t.values(), 0);
        // 10^-25 .. 1: 25 decades -> every 4th, covering the data
        t = Ticks.log(3e-25, 0.7);
        assertTrue(t.lo() <= 3e-25 && t.hi() >= 0.7, t.lo() + " " + t.hi());
        assertTrue(t.values().length <= 9, String.valueOf(t.values().length));
    }

    @Test
    void formatting() {
        assertEquals("0", Fmt.num(0));
        assertEquals("0.1", Fmt.num(0.1));
        assertEquals("1.5e-5", Fmt.num(1.5e-5));
        assertEquals("2.5e6", Fmt.num(2.5e6));
        assertEquals("123457", Fmt.num(123457)); // integers up to 1e6 unchanged
        assertEquals("3.142", Fmt.num(Math.PI));
        assertEquals("NaN", Fmt.num(Double.NaN));
        assertEquals("-inf", Fmt.num(Double.NEGATIVE_INFINITY));
        assertEquals("-12.5", Fmt.px(-12.4999));
        assertEquals("0", Fmt.px(-0.001));
        assertEquals("3.05", Fmt.px(3.05));
        assertEquals("1:01:05", Fmt.duration(3665));
    }
}
