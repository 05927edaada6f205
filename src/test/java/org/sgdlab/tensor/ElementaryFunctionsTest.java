package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * exp, tanh and sigmoid are sgdlab's own (Kernels and VectorSimd, the same IEEE operations): accurate
 * against java.lang.Math, identical between vector lanes and scalar code, and identical before and
 * after JIT compilation (the property that keeps same-seed runs byte-identical).
 */
class ElementaryFunctionsTest {

    private static double ulps(double got, double want) {
        if (Double.doubleToLongBits(got) == Double.doubleToLongBits(want)) {
            return 0;
        }
        return Math.abs(got - want) / Math.ulp(want);
    }

    @Test
    void expIsWithinTwoUlpsOfMath() {
        SplittableRandom r = new SplittableRandom(1);
        double worst = 0;
        for (int i = 0; i < 400_000; i++) {
            double x = (r.nextDouble() * 2 - 1) * (i % 2 == 0 ? 5 : 700);
            worst = Math.max(worst, ulps(Kernels.exp(x), Math.exp(x)));
        }
        assertTrue(worst <= 2, "worst " + worst + " ulps");
        assertEquals(1.0, Kernels.exp(0.0));
        assertEquals(Double.POSITIVE_INFINITY, Kernels.exp(710.0));
        assertEquals(Double.POSITIVE_INFINITY, Kernels.exp(Double.POSITIVE_INFINITY));
        assertEquals(0.0, Kernels.exp(Double.NEGATIVE_INFINITY));
        assertEquals(0.0, Kernels.exp(-800));
        assertTrue(Double.isNaN(Kernels.exp(Double.NaN)));
        // near the top and the subnormal range
        for (double x : new double[] {709.78, 709.0, -708.0, -720.0, -744.0, 1e-300, -1e-20}) {
            assertTrue(ulps(Kernels.exp(x), Math.exp(x)) <= 2 || Math.abs(Kernels.exp(x) - Math.exp(x)) <= Double.MIN_VALUE * 2,
                    "exp(" + x + ") = " + Kernels.exp(x) + " vs " + Math.exp(x));
        }
    }

    @Test
    void tanhAndSigmoidAreAccurate() {
        SplittableRandom r = new SplittableRandom(2);
        double worstT = 0;
        double worstS = 0;
        for (int i = 0; i < 400_000; i++) {
            double x = (r.nextDouble() * 2 - 1) * (i % 3 == 0 ? 0.6 : i % 3 == 1 ? 4 : 30);
            worstT = Math.max(worstT, ulps(Kernels.tanh(x), Math.tanh(x)));
            double s = x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            worstS = Math.max(worstS, ulps(Kernels.sigmoid(x), s));
        }
        assertTrue(worstT <= 4, "tanh worst " + worstT + " ulps");
        assertTrue(worstS <= 4, "sigmoid worst " + worstS + " ulps");
        assertEquals(1e-12, Kernels.tanh(1e-12), 0.0);                 // no cancellation near 0
        assertEquals(-1.0, Kernels.tanh(-400), 0.0);
        assertEquals(1.0, Kernels.tanh(Double.POSITIVE_INFINITY), 0.0);
        assertTrue(Double.isNaN(Kernels.tanh(Double.NaN)));
        assertEquals(0.0, Kernels.sigmoid(-1e4), 0.0);
        assertEquals(1.0, Kernels.sigmoid(1e4), 0.0);
    }

    @Test
    void vectorLanesEqualScalarCodeBitForBit() {
        SplittableRandom r = new SplittableRandom(3);
        // lengths below, at and above a vector width, with and without scalar tails
        for (int n : new int[] {3, 45, 1003}) {
            double[] x = new double[n];
            double[] g = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = (r.nextDouble() * 2 - 1) * (i % 4 == 0 ? 0.7 : 25);
                g[i] = r.nextGaussian();
            }
            Tensor t = Tensor.of(x, n);
            double[] e = t.exp().toArray();
            double[] th = t.tanh().toArray();
            double[] sg = t.sigmoid().toArray();
            double[] ms = Tensor.of(g, n).mulOneMinusSquare(t.tanh()).toArray();
            for (int i = 0; i < n; i++) {
                String at = " at " + i + " of " + n;
                assertEquals(Double.doubleToLongBits(Kernels.exp(x[i])), Double.doubleToLongBits(e[i]), "exp" + at);
                double y = Kernels.tanh(x[i]);
                assertEquals(Double.doubleToLongBits(y), Double.doubleToLongBits(th[i]), "tanh" + at);
                assertEquals(Double.doubleToLongBits(Kernels.sigmoid(x[i])), Double.doubleToLongBits(sg[i]), "sigmoid" + at);
                assertEquals(Double.doubleToLongBits(g[i] * (1.0 - y * y)), Double.doubleToLongBits(ms[i]),
                        "mulOneMinusSquare" + at);
            }
        }
    }

    @Test
    void resultsDoNotChangeWhenTheCodeGetsCompiled() {
        SplittableRandom r = new SplittableRandom(4);
        Tensor x = Tensor.randn(r, 4096).mul(6);
        Set<Long> seen = new HashSet<>();
        for (int it = 0; it < 20_000; it++) {
            double[] a = x.tanh().toArray();
            double[] b = x.exp().toArray();
            double[] c = x.mulOneMinusSquare(x.tanh()).toArray();
            long h = 0;
            for (int i = 0; i < a.length; i++) {
                h = h * 31 + Double.doubleToLongBits(a[i]);
                h = h * 31 + Double.doubleToLongBits(b[i]);
                h = h * 31 + Double.doubleToLongBits(c[i]);
            }
            seen.add(h);
        }
        assertEquals(1, seen.size(), "tanh/exp/mulOneMinusSquare gave different bits in different JIT tiers");
    }
}
