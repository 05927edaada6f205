package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleBinaryOperator;

/**
 * Naive reference implementations for the tensor oracle tests: plain loops over multi-indices,
 * written independently of {@code Kernels}/{@code Shapes} (no shared code), plus the comparison
 * helpers. Arrays are row-major; a shape {@code []} holds one value.
 */
final class Ref {

    private Ref() {
    }

    // ------------------------------------------------------------------ multi-indices

    static int size(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /** Row-major offset of {@code idx} in {@code shape}. */
    static int offset(int[] shape, int[] idx) {
        int off = 0;
        for (int d = 0; d < shape.length; d++) {
            if (idx[d] < 0 || idx[d] >= shape[d]) {
                throw new AssertionError("Ref.offset: " + Arrays.toString(idx) + " outside " + Arrays.toString(shape));
            }
            off = off * shape[d] + idx[d];
        }
        return off;
    }

    /** All multi-indices of {@code shape} in row-major order. */
    static int[][] indices(int[] shape) {
        int n = size(shape);
        int[][] out = new int[n][];
        for (int f = 0; f < n; f++) {
            int[] idx = new int[shape.length];
            int rem = f;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            out[f] = idx;
        }
        return out;
    }

    // ------------------------------------------------------------------ broadcasting

    /** numpy broadcast of two shapes, or null when they do not broadcast. */
    static int[] broadcastShape(int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 1; i <= r; i++) {
            int da = i <= a.length ? a[a.length - i] : 1;
            int db = i <= b.length ? b[b.length - i] : 1;
            if (da == db || db == 1) {
                out[r - i] = da;
            } else if (da == 1) {
                out[r - i] = db;
            } else {
                return null;
            }
        }
        return out;
    }

    /** The index into an operand of shape {@code in} that broadcasts to output index {@code outIdx}. */
    static int[] sourceIndex(int[] in, int[] outIdx) {
        int lead = outIdx.length - in.length;
        int[] idx = new int[in.length];
        for (int d = 0; d < in.length; d++) {
            idx[d] = in[d] == 1 ? 0 : outIdx[d + lead];
        }
        return idx;
    }

    static double[] broadcastTo(double[] x, int[] xs, int[] os) {
        int[][] all = indices(os);
        double[] o = new double[all.length];
        for (int f = 0; f < all.length; f++) {
            o[f] = x[offset(xs, sourceIndex(xs, all[f]))];
        }
        return o;
    }

    static double[] binary(DoubleBinaryOperator op, double[] a, int[] as, double[] b, int[] bs, int[] os) {
        int[][] all = indices(os);
        double[] o = new double[all.length];
        for (int f = 0; f < all.length; f++) {
            o[f] = op.applyAsDouble(a[offset(as, sourceIndex(as, all[f]))], b[offset(bs, sourceIndex(bs, all[f]))]);
        }
        return o;
    }

    // ------------------------------------------------------------------ reductions

    /** A reduction result and the sum of absolute values that went into each entry (its error scale). */
    record Reduced(int[] shape, double[] values, double[] absSum) {
    }

    /**
     * Reduces the axes flagged in {@code red} (keepdims shape is {@code shape} with those axes set
     * to 1); {@code max} selects max instead of sum. NaN propagates through max.
     */
    static Reduced reduce(double[] x, int[] shape, boolean[] red, boolean keepdims, boolean max) {
        int[] ks = shape.clone();
        for (int d = 0; d < shape.length; d++) {
            if (red[d]) {
                ks[d] = 1;
            }
        }
        int n = size(ks);
        double[] v = new double[n];
        double[] abs = new double[n];
        if (max) {
            Arrays.fill(v, Double.NEGATIVE_INFINITY);
        }
        int[][] all = indices(shape);
        for (int f = 0; f < all.length; f++) {
            int[] o = all[f].clone();
            for (int d = 0; d < shape.length; d++) {
                if (red[d]) {
                    o[d] = 0;
                }
            }
            int of = offset(ks, o);
            double xv = x[f];
            if (max) {
                if (Double.isNaN(xv) || Double.isNaN(v[of])) {
                    v[of] = Double.NaN;
                } else if (xv > v[of]) {
                    v[of] = xv;
                }
            } else {
                v[of] += xv;
            }
            abs[of] += Math.abs(xv);
        }
        int[] os = ks;
        if (!keepdims) {
            int m = 0;
            for (boolean b : red) {
                if (!b) {
                    m++;
                }
            }
            os = new int[m];
            for (int d = 0, j = 0; d < shape.length; d++) {
                if (!red[d]) {
                    os[j++] = shape[d];
                }
            }
        }
        return new Reduced(os, v, abs);
    }

    // ------------------------------------------------------------------ data movement

    /** {@code out[i_0..i_r] = x[j]} with {@code j[perm[d]] = i[d]}. */
    static double[] permute(double[] x, int[] shape, int[] perm, int[] outShape) {
        int[][] all = indices(outShape);
        double[] o = new double[all.length];
        for (int f = 0; f < all.length; f++) {
            int[] src = new int[shape.length];
            for (int d = 0; d < perm.length; d++) {
                src[perm[d]] = all[f][d];
            }
            o[f] = x[offset(shape, src)];
        }
        return o;
    }

    // ------------------------------------------------------------------ products

    /** {@code C[m x n] = op(A) op(B)}; A stored [m, k] (or [k, m] when ta), B [k, n] (or [n, k] when tb). */
    static double[] matmul(double[] a, double[] b, int m, int n, int k, boolean ta, boolean tb) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double x = ta ? a[p * m + i] : a[i * k + p];
                    double y = tb ? b[j * k + p] : b[p * n + j];
                    s += x * y;
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    /** {@code (|op(A)| |op(B)|)_{ij}}: the scale of the rounding error of entry (i, j). */
    static double[] matmulAbs(double[] a, double[] b, int m, int n, int k, boolean ta, boolean tb) {
        double[] aa = new double[a.length];
        double[] bb = new double[b.length];
        for (int i = 0; i < a.length; i++) {
            aa[i] = Math.abs(a[i]);
        }
        for (int i = 0; i < b.length; i++) {
            bb[i] = Math.abs(b[i]);
        }
        return matmul(aa, bb, m, n, k, ta, tb);
    }

    // ------------------------------------------------------------------ random data

    static double[] normals(SplittableRandom rng, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = rng.nextGaussian();
        }
        return d;
    }

    static Tensor randn(SplittableRandom rng, int... shape) {
        return Tensor.of(normals(rng, size(shape)), shape);
    }

    /** Values on a half-integer grid in [-3, 3]: many exact ties, zeros and equal pairs. */
    static Tensor grid(SplittableRandom rng, int... shape) {
        double[] d = new double[size(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = (rng.nextInt(13) - 6) / 2.0;
        }
        return Tensor.of(d, shape);
    }

    // ------------------------------------------------------------------ assertions

    static void assertShape(String what, int[] expected, Tensor t) {
        assertArrayEquals(expected, t.shape(), () -> what + ": shape " + Arrays.toString(t.shape()) + ", expected "
                + Arrays.toString(expected));
    }

    /** Shape equal and every value bitwise equal (NaN equal to NaN, 0.0 distinct from -0.0). */
    static void assertExact(String what, int[] shape, double[] expected, Tensor t) {
        assertShape(what, shape, t);
        double[] got = t.toArray();
        if (got.length != expected.length) {
            fail(what + ": " + got.length + " values, expected " + expected.length);
        }
        for (int i = 0; i < got.length; i++) {
            if (Double.doubleToLongBits(got[i]) != Double.doubleToLongBits(expected[i])) {
                fail(what + ": value " + i + " (index " + Arrays.toString(indexOf(shape, i)) + ") is " + got[i]
                        + ", expected " + expected[i]);
            }
        }
    }

    /** Shape equal and {@code |got - expected| <= tol * scale[i] + 1e-300} entrywise (NaN/inf must match). */
    static void assertClose(String what, int[] shape, double[] expected, double[] scale, double tol, Tensor t) {
        assertShape(what, shape, t);
        assertClose(what, expected, scale, tol, t.toArray());
    }

    static void assertClose(String what, double[] expected, double[] scale, double tol, double[] got) {
        if (got.length != expected.length) {
            fail(what + ": " + got.length + " values, expected " + expected.length);
        }
        for (int i = 0; i < got.length; i++) {
            double e = expected[i];
            double g = got[i];
            boolean ok;
            if (Double.isNaN(e) || Double.isInfinite(e)) {
                ok = Double.compare(e, g) == 0;
            } else {
                ok = Math.abs(g - e) <= tol * scale[i] + 1e-300;
            }
            if (!ok) {
                fail(what + ": value " + i + " is " + g + ", expected " + e + " (|diff| " + Math.abs(g - e)
                        + " > " + tol + " * scale " + scale[i] + ")");
            }
        }
    }

    /** Relative closeness against each expected value's own magnitude. */
    static void assertRelClose(String what, int[] shape, double[] expected, double tol, Tensor t) {
        double[] scale = new double[expected.length];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = Math.abs(expected[i]);
        }
        assertClose(what, shape, expected, scale, tol, t);
    }

    private static int[] indexOf(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = shape[d] == 0 ? 0 : flat % shape[d];
            flat = shape[d] == 0 ? 0 : flat / shape[d];
        }
        return idx;
    }

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }
}
