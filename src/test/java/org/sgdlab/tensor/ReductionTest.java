package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** sum / mean / max / min over every subset of axes, logSumExp, argmaxRows, dot, norm against naive loops. */
class ReductionTest {

    /** Summation order may differ from the naive loop: |error| <= 1e-13 * sum |x_i|. */
    static final double TOL = 1e-13;

    static List<int[]> shapes() {
        return List.of(new int[] {}, new int[] {7}, new int[] {3, 4}, new int[] {2, 3, 4}, new int[] {2, 3, 4, 5},
                new int[] {3, 1, 4}, new int[] {0, 3}, new int[] {4, 0, 2}, new int[] {1, 1}, new int[] {5, 1, 3, 1},
                new int[] {300, 400}, new int[] {3, 200, 150}, new int[] {70000});
    }

    /** Every subset of axes (bit masks); mask 0 is passed as the empty array, which means all axes. */
    static int[] axesOf(int mask, int rank, boolean negative) {
        int n = Integer.bitCount(mask);
        int[] ax = new int[n];
        for (int d = 0, j = 0; d < rank; d++) {
            if ((mask & (1 << d)) != 0) {
                ax[j++] = negative ? d - rank : d;
            }
        }
        // reverse, so the engine must sort them
        for (int i = 0; i < n / 2; i++) {
            int t = ax[i];
            ax[i] = ax[n - 1 - i];
            ax[n - 1 - i] = t;
        }
        return ax;
    }

    static boolean[] flags(int mask, int rank) {
        boolean[] red = new boolean[rank];
        for (int d = 0; d < rank; d++) {
            red[d] = mask == 0 || (mask & (1 << d)) != 0;
        }
        return red;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void sumMeanMaxMinOverEverySubsetOfAxes(int[] shape) {
        SplittableRandom rng = new SplittableRandom(shape.length * 977L + Ref.size(shape));
        Tensor x = Ref.randn(rng, shape);
        double[] xs = x.toArray();
        double[] neg = new double[xs.length];
        for (int i = 0; i < xs.length; i++) {
            neg[i] = -xs[i];
        }
        int r = shape.length;
        for (int mask = 0; mask < (1 << r); mask++) {
            boolean[] red = flags(mask, r);
            boolean emptyAxis = false;
            long count = 1;
            for (int d = 0; d < r; d++) {
                if (red[d]) {
                    count *= shape[d];
                    emptyAxis |= shape[d] == 0;
                }
            }
            for (boolean keep : new boolean[] {false, true}) {
                for (boolean negative : new boolean[] {false, true}) {
                    int[] ax = axesOf(mask, r, negative);
                    String what = Ref.str(shape) + " axes " + Ref.str(ax) + " keepdims=" + keep;
                    Ref.Reduced s = Ref.reduce(xs, shape, red, keep, false);
                    Ref.assertClose("sum " + what, s.shape(), s.values(), s.absSum(), TOL, x.sum(ax, keep));

                    double[] mean = s.values().clone();
                    double[] meanScale = s.absSum().clone();
                    for (int i = 0; i < mean.length; i++) {
                        mean[i] /= count;
                        meanScale[i] /= count;
                    }
                    Ref.assertClose("mean " + what, s.shape(), mean, meanScale, TOL, x.mean(ax, keep));

                    if (!emptyAxis) {
                        Ref.Reduced m = Ref.reduce(xs, shape, red, keep, true);
                        Ref.assertExact("max " + what, m.shape(), m.values(), x.max(ax, keep));
                        double[] mn = Ref.reduce(neg, shape, red, keep, true).values();
                        for (int i = 0; i < mn.length; i++) {
                            mn[i] = -mn[i];
                        }
                        Ref.assertExact("min " + what, m.shape(), mn, x.min(ax, keep));
                    }
                }
            }
        }
    }

    @Test
    void shorthandOverloadsAgreeWithAxesForm() {
        Tensor x = Ref.randn(new SplittableRandom(1), 3, 4, 5);
        Ref.assertExact("sum()", new int[] {}, x.sum(new int[0], false).toArray(), x.sum());
        Ref.assertExact("sum(1)", new int[] {3, 5}, x.sum(new int[] {1}, false).toArray(), x.sum(1));
        Ref.assertExact("sum(-1)", new int[] {3, 4}, x.sum(new int[] {2}, false).toArray(), x.sum(-1));
        Ref.assertExact("mean()", new int[] {}, x.mean(new int[0], false).toArray(), x.mean());
        Ref.assertExact("mean(0)", new int[] {4, 5}, x.mean(new int[] {0}, false).toArray(), x.mean(0));
        Ref.assertExact("max()", new int[] {}, x.max(new int[0], false).toArray(), x.max());
        Ref.assertExact("max(2)", new int[] {3, 4}, x.max(new int[] {2}, false).toArray(), x.max(2));
        Ref.assertShape("sum all keepdims", new int[] {1, 1, 1}, x.sum(new int[0], true));
    }

    @Test
    void sumOfKnownValuesIsExact() {
        // integers sum exactly in any order
        Tensor x = Tensor.arange(100_000).reshape(400, 250);
        assertEquals(99_999.0 * 100_000 / 2, x.sum().item(), 0.0);
        double[] rows = x.sum(new int[] {1}, false).toArray();
        for (int i = 0; i < 400; i++) {
            assertEquals(250.0 * (250 * i) + 249.0 * 250 / 2, rows[i], 0.0, "row " + i);
        }
        double[] cols = x.sum(0).toArray();
        for (int j = 0; j < 250; j++) {
            assertEquals(400.0 * j + 250.0 * 399 * 400 / 2, cols[j], 0.0, "col " + j);
        }
        assertEquals(0.0, Tensor.zeros(0).sum().item(), 0.0);
        assertEquals(4.5, Tensor.arange(10).mean().item(), 0.0);
        assertTrue(Double.isNaN(Tensor.zeros(0).mean().item()), "mean of nothing is 0/0");
    }

    @Test
    void maxPropagatesNanAndHandlesInfinities() {
        double nan = Double.NaN;
        Tensor x = Tensor.of(new double[] {1, nan, 3, nan, 5, 6, Double.NEGATIVE_INFINITY, -1, -2}, 3, 3);
        double[] byRow = x.max(1).toArray();          // inner == 1 path
        assertTrue(Double.isNaN(byRow[0]));
        assertTrue(Double.isNaN(byRow[1]), "NaN first in its row");
        assertEquals(-1.0, byRow[2]);
        double[] byCol = x.max(0).toArray();          // inner > 1 path
        assertTrue(Double.isNaN(byCol[0]));
        assertTrue(Double.isNaN(byCol[1]));
        assertEquals(6.0, byCol[2]);
        assertTrue(Double.isNaN(x.max().item()));
        assertEquals(Double.NEGATIVE_INFINITY, Tensor.full(Double.NEGATIVE_INFINITY, 4).max().item());
        assertEquals(Double.POSITIVE_INFINITY, Tensor.vector(1, Double.POSITIVE_INFINITY).max().item());
        assertEquals(-7.0, Tensor.vector(3, -7, 2).min(new int[0], false).item());
    }

    // ------------------------------------------------------------------ logSumExp

    /** log sum_i exp(x_i) along {@code axis}, shifted by the naive row maximum. */
    static Ref.Reduced naiveLogSumExp(Tensor x, int axis, boolean keep) {
        int[] shape = x.shape();
        boolean[] red = new boolean[shape.length];
        red[axis] = true;
        double[] xs = x.toArray();
        double[] m = Ref.reduce(xs, shape, red, true, true).values();
        int[] ks = shape.clone();
        ks[axis] = 1;
        double[] s = new double[m.length];
        for (int[] idx : Ref.indices(shape)) {
            int[] o = idx.clone();
            o[axis] = 0;
            int of = Ref.offset(ks, o);
            s[of] += Math.exp(xs[Ref.offset(shape, idx)] - m[of]);
        }
        double[] out = new double[m.length];
        double[] scale = new double[m.length];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i] + Math.log(s[i]);
            scale[i] = Math.max(1.0, Math.abs(m[i]));
        }
        int[] os = keep ? ks : Ref.reduce(xs, shape, red, false, false).shape();
        return new Ref.Reduced(os, out, scale);
    }

    @Test
    void logSumExpAgainstNaiveShiftedSum() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int[] shape : new int[][] {{7}, {3, 4}, {2, 3, 4}, {5, 1}, {300, 300}}) {
            Tensor x = Ref.randn(rng, shape).mul(3.0);
            for (int axis = 0; axis < shape.length; axis++) {
                for (boolean keep : new boolean[] {false, true}) {
                    Ref.Reduced want = naiveLogSumExp(x, axis, keep);
                    Ref.assertClose("logSumExp " + Ref.str(shape) + " axis " + axis + " keep=" + keep, want.shape(),
                            want.values(), want.absSum(), 1e-14, x.logSumExp(axis, keep));
                    Ref.assertClose("logSumExp negative axis", want.shape(), want.values(), want.absSum(), 1e-14,
                            x.logSumExp(axis - shape.length, keep));
                }
            }
        }
    }

    @Test
    void logSumExpIsStableForMagnitudeOneThousand() {
        double l2 = Math.log(2);
        Tensor x = Tensor.matrix(new double[][] {
            {1000, 1000},
            {-1000, -1000},
            {1000, -1000},
            {1000, 999},
            {-1e3, Double.NEGATIVE_INFINITY},
        });
        double[] want = {1000 + l2, -1000 + l2, 1000, 1000 + Math.log1p(Math.exp(-1)), -1000};
        double[] got = x.logSumExp(1, false).toArray();
        for (int i = 0; i < want.length; i++) {
            assertTrue(Double.isFinite(got[i]), "row " + i + " overflowed: " + got[i]);
            assertEquals(want[i], got[i], 1e-13 * Math.abs(want[i]), "row " + i);
        }
        // all -inf -> -inf; +inf -> +inf
        assertEquals(Double.NEGATIVE_INFINITY, Tensor.full(Double.NEGATIVE_INFINITY, 3).logSumExp(0, false).item());
        assertEquals(Double.POSITIVE_INFINITY, Tensor.vector(1, Double.POSITIVE_INFINITY).logSumExp(0, false).item());
        // empty axis: log of an empty sum
        Tensor e = Tensor.zeros(2, 0).logSumExp(1, false);
        Ref.assertExact("logSumExp over empty axis", new int[] {2},
                new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}, e);
    }

    // ------------------------------------------------------------------ argmax, dot, norm

    @Test
    void argmaxRowsPicksTheFirstMaximum() {
        SplittableRandom rng = new SplittableRandom(2);
        Tensor x = Ref.grid(rng, 200, 9);    // many ties
        double[] d = x.toArray();
        int[] want = new int[200];
        for (int i = 0; i < 200; i++) {
            int best = 0;
            for (int j = 0; j < 9; j++) {
                if (d[i * 9 + j] > d[i * 9 + best]) {
                    best = j;
                }
            }
            want[i] = best;
        }
        assertArrayEquals(want, x.argmaxRows());
        assertArrayEquals(new int[] {1, 0, 2}, Tensor.matrix(new double[][] {{0, 5, 5}, {7, 7, 7}, {-3, -2, -1}})
                .argmaxRows());
        assertArrayEquals(new int[0], Tensor.zeros(0, 3).argmaxRows());
    }

    @Test
    void dotDotValueAndNormAgainstNaiveSums() {
        SplittableRandom rng = new SplittableRandom(9);
        for (int n : new int[] {0, 1, 3, 4095, 4096, 4097, 100_000}) {
            Tensor a = Ref.randn(rng, n);
            Tensor b = Ref.randn(rng, n);
            double s = 0;
            double abs = 0;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                s += a.flat(i) * b.flat(i);
                abs += Math.abs(a.flat(i) * b.flat(i));
                sq += a.flat(i) * a.flat(i);
            }
            assertEquals(s, a.dotValue(b), TOL * abs + 1e-300, "dotValue n=" + n);
            Tensor d = a.dot(b);
            Ref.assertShape("dot is a scalar", new int[] {}, d);
            assertEquals(a.dotValue(b), d.item(), 0.0, "dot equals dotValue");
            assertEquals(Math.sqrt(sq), a.norm(), TOL * Math.sqrt(sq) + 1e-300, "norm n=" + n);
        }
        // any equal shapes (not just vectors); dotValue only needs equal sizes
        Tensor a = Ref.randn(rng, 2, 3, 4);
        Tensor b = Ref.randn(rng, 2, 3, 4);
        double s = 0;
        for (int i = 0; i < 24; i++) {
            s += a.flat(i) * b.flat(i);
        }
        assertEquals(s, a.dot(b).item(), 1e-14);
        assertEquals(s, a.dotValue(b.reshape(24)), 1e-14);
        assertEquals(5.0, Tensor.vector(3, 4).norm(), 0.0);
    }

    @Test
    void dotOfTracedOperandsEqualsUntracedValue() {
        // the traced branch (mul + sum) must give the same value as dotValue up to summation order
        SplittableRandom rng = new SplittableRandom(4);
        Tensor a = Ref.randn(rng, 5000);
        Tensor b = Ref.randn(rng, 5000);
        Tensor va = Tensor.variable(a);
        double abs = 0;
        for (int i = 0; i < 5000; i++) {
            abs += Math.abs(a.flat(i) * b.flat(i));
        }
        assertEquals(a.dotValue(b), va.dot(b).item(), TOL * abs);
        assertTrue(va.dot(b).isTraced());
    }

    /** A cross-check that the reduction oracle is itself right on a hand-computed case. */
    @Test
    void referenceReductionOnHandComputedCase() {
        double[] x = {1, 2, 3, 4, 5, 6};      // [[1, 2, 3], [4, 5, 6]]
        Ref.Reduced rows = Ref.reduce(x, new int[] {2, 3}, new boolean[] {false, true}, false, false);
        assertArrayEquals(new double[] {6, 15}, rows.values());
        assertArrayEquals(new int[] {2}, rows.shape());
        Ref.Reduced cols = Ref.reduce(x, new int[] {2, 3}, new boolean[] {true, false}, true, true);
        assertArrayEquals(new double[] {4, 5, 6}, cols.values());
        assertArrayEquals(new int[] {1, 3}, cols.shape());
        List<int[]> seen = new ArrayList<>(List.of(Ref.indices(new int[] {2, 2})));
        assertArrayEquals(new int[] {1, 0}, seen.get(2));
    }
}
