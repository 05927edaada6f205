package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The vectorised reductions (sum, dot, the norms' block) against the plain-Java loops that define their bits:
 * every length from 0 to 300 and a few large ones, offsets, and values that make rounding and NaN visible.
 */
class SimdReductionTest {

    private static final Simd SIMD = Simd.INSTANCE;

    @Test
    void theVectorLoopsAreTheOnesUnderTest() {
        assumeTrue(Runtime.version().feature() >= 22, "the Vector API backend needs JDK >= 22");
        assertTrue(SIMD.describe().startsWith("jdk.incubator.vector"), SIMD.describe());
    }

    /** Values of very different magnitudes and signs, so that any change of summation order changes the bits. */
    private static double[] values(SplittableRandom rng, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian() * Math.pow(10, rng.nextInt(-8, 9));
        }
        return v;
    }

    private static void same(double want, double got, String what) {
        assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got), what + ": " + want + " vs " + got);
    }

    @Test
    void sumAndDotHaveTheBitsOfTheScalarLoops() {
        SplittableRandom rng = new SplittableRandom(5);
        int[] big = {1000, 4096, 4099, 26_122};
        for (int k = 0; k <= 300 + big.length; k++) {
            int n = k <= 300 ? k : big[k - 301];
            double[] x = values(rng, n + 7);
            double[] y = values(rng, n + 7);
            for (int lo : new int[] {0, 1, 3, 7}) {
                int hi = Math.min(x.length, lo + n);
                same(Kernels.sumRangeScalar(x, lo, hi), SIMD.sum4(x, lo, hi), "sum n=" + n + " lo=" + lo);
                same(Kernels.dotRangeScalar(x, y, lo, hi), SIMD.dot4(x, y, lo, hi), "dot n=" + n + " lo=" + lo);
            }
        }
    }

    @Test
    void normBlockHasTheBitsOfTheScalarLoop() {
        SplittableRandom rng = new SplittableRandom(6);
        for (int n = 0; n <= 4100; n += n < 300 ? 1 : 97) {
            double[] x = values(rng, n + 5);
            double[] r = values(rng, n + 5);
            for (int[] off : new int[][] {{0, 0}, {1, 4}, {5, 2}}) {
                int len = Math.min(n, x.length - Math.max(off[0], off[1]));
                double[] sq = new double[2];
                double[] dsq = new double[2];
                double[] mx = new double[2];
                Kernels.normBlockScalar(x, off[0], r, off[1], len, sq, dsq, mx, 1);
                SIMD.normBlock(x, off[0], r, off[1], len, sq, dsq, mx, 0);
                String at = "n=" + len + " offsets " + off[0] + "," + off[1];
                same(sq[1], sq[0], "sum x^2 " + at);
                same(dsq[1], dsq[0], "sum (x-r)^2 " + at);
                same(mx[1], mx[0], "max |x| " + at);
            }
        }
    }

    @Test
    void specialValuesPropagateAsInTheScalarLoops() {
        SplittableRandom rng = new SplittableRandom(7);
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE,
            Double.MAX_VALUE};
        for (double sp : specials) {
            for (int at : new int[] {0, 1, 2, 3, 64, 129, 198, 199}) {
                double[] x = values(rng, 200);
                double[] r = values(rng, 200);
                x[at] = sp;
                String what = "x[" + at + "] = " + sp;
                same(Kernels.sumRangeScalar(x, 0, 200), SIMD.sum4(x, 0, 200), "sum " + what);
                same(Kernels.dotRangeScalar(x, r, 0, 200), SIMD.dot4(x, r, 0, 200), "dot " + what);
                double[] sq = new double[2];
                double[] dsq = new double[2];
                double[] mx = new double[2];
                Kernels.normBlockScalar(x, 0, r, 0, 200, sq, dsq, mx, 1);
                SIMD.normBlock(x, 0, r, 0, 200, sq, dsq, mx, 0);
                same(sq[1], sq[0], "sum x^2 " + what);
                same(dsq[1], dsq[0], "sum (x-r)^2 " + what);
                assertEquals(Double.isNaN(mx[1]), Double.isNaN(mx[0]), "max NaN " + what);
                if (!Double.isNaN(mx[1])) {
                    same(mx[1], mx[0], "max |x| " + what);
                }
            }
        }
    }
}
