package org.sgdlab.tensor;

/** The static parameters a primitive records next to its inputs (read by the gradient rules). */
public final class Attr {

    private Attr() {
    }

    /** Reduction axes (sorted, non-negative) and whether reduced axes are kept with length 1. */
    public record Axes(int[] axes, boolean keepdims) {
    }

    /** {@code out = in[..., start:stop, ...]} along {@code axis}. */
    public record Slice(int axis, int start, int stop) {
    }

    /** Constant padding: {@code lo[d]} before and {@code hi[d]} after axis d, filled with {@code value}. */
    public record Pad(int[] lo, int[] hi, double value) {
    }

    /**
     * Index-select ({@code out = in.take(index, axis)}) or its adjoint, scatter-add into zeros;
     * {@code size} is the length of {@code axis} on the un-indexed side.
     */
    public record Index(int axis, int[] index, int size) {
    }

    /** {@code op(A) op(B)} with {@code op(X) = X^T} (last two axes) when the flag is set. */
    public record Matmul(boolean transA, boolean transB) {
    }

    /**
     * Comparison kind of a {@link Primitive#COMPARE}; {@code SHARE_GT} and {@code SHARE_LT} give 1 where the
     * strict comparison holds, 1/2 where the operands are equal and 0 otherwise.
     */
    public enum Cmp { GT, GE, LT, LE, EQ, NE, SHARE_GT, SHARE_LT }

    /**
     * Sliding windows over an image batch {@code [N, C, H, W]} (the {@code image} shape):
     * kernel {@code kh x kw}, strides, zero padding. Unfold gives {@code [N, Ho*Wo, C*kh*kw]}.
     */
    public record Window(int[] image, int kh, int kw, int sh, int sw, int ph, int pw) {
        public int outH() {
            return (image[2] + 2 * ph - kh) / sh + 1;
        }

        public int outW() {
            return (image[3] + 2 * pw - kw) / sw + 1;
        }
    }
}
