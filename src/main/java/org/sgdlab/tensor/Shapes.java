package org.sgdlab.tensor;

import java.util.Arrays;

/** Shape arithmetic and the error messages of shape rules. */
final class Shapes {

    private Shapes() {
    }

    static String str(int[] shape) {
        return Arrays.toString(shape);
    }

    static long size(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    static int checkedSize(String op, int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException(op + ": negative dimension in shape " + str(shape));
            }
        }
        long n = size(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(op + ": shape " + str(shape) + " has " + n
                    + " elements, more than a Java array holds (2^31 - 9); use smaller batches");
        }
        return (int) n;
    }

    /** Row-major strides of a contiguous array of this shape. */
    static int[] strides(int[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    /** numpy broadcasting: align right, each pair equal or one of them 1. */
    static int[] broadcast(String op, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.length ? 1 : a[i - (r - a.length)];
            int db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + str(a) + " and " + str(b)
                        + " do not broadcast (axis " + (i - r) + ": " + da + " vs " + db
                        + "); aligned from the right, each pair of dimensions must be equal or one of them 1");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Normalises an axis (negative counts from the end) or throws naming the op and rank. */
    static int axis(String op, int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException(op + ": axis " + axis + " out of range for a tensor of rank " + rank
                    + " (valid: " + (-rank) + " .. " + (rank - 1) + ")");
        }
        return a;
    }

    /** Sorted, distinct, normalised axes; an empty array means all axes. */
    static int[] axes(String op, int[] axes, int rank) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axis(op, axes[i], rank);
        }
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) {
            if (out[i] == out[i - 1]) {
                throw new IllegalArgumentException(op + ": axis " + out[i] + " given twice in " + Arrays.toString(axes));
            }
        }
        return out;
    }

    static int[] reducedShape(int[] shape, int[] axes, boolean keepdims) {
        boolean[] red = new boolean[shape.length];
        for (int a : axes) {
            red[a] = true;
        }
        int n = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!red[d] || keepdims) {
                n++;
            }
        }
        int[] out = new int[n];
        int j = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!red[d]) {
                out[j++] = shape[d];
            } else if (keepdims) {
                out[j++] = 1;
            }
        }
        return out;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
