package org.sgdlab.nn;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;
import org.sgdlab.tensor.Tensor;

/** Stable scalar compositions and formatting shared by layers and losses. */
final class Numerics {

    private Numerics() {
    }

    /**
     * {@code log(1 + u)} for {@code u > -1} to a few ulps for every u, including tiny ones where
     * {@code log(1 + u)} alone loses all digits: with w = fl(1 + u), {@code log1p(u) = log(w) + (u - (w - 1))/w}
     * (the second term corrects the rounding of 1 + u to first order; w - 1 is exact). Differentiable to
     * any order: the correction's derivative vanishes identically, so the derivatives are those of
     * log(w), 1/w, -1/w^2, ...
     */
    static Tensor log1p(Tensor u) {
        Tensor w = u.add(1.0);
        return w.log().add(u.sub(w.sub(1.0)).div(w));
    }

    /**
     * {@code softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^{-|x|})}: no overflow for large |x|, full
     * relative precision for very negative x (where softplus(x) ~ e^x). Derivative sigmoid(x)
     * (1/2 at x = 0 exactly, by the tie rule of max and the zero derivative of |x| at 0).
     */
    static Tensor softplus(Tensor x) {
        return x.relu().add(log1p(x.abs().neg().exp()));
    }

    /** Shortest round-trip decimal of a double, Locale-independent ({@code 0.5}, {@code 1e-05}). */
    static String fmt(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        String s = Double.toString(v);
        if (s.contains("E")) {
            return new BigDecimal(s).stripTrailingZeros().toString().toLowerCase(Locale.ROOT);
        }
        return s;
    }

    /** {@code 26,122}. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String shape(int[] s) {
        return Arrays.toString(s);
    }

    static String dims(int[] widths) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            if (i > 0) {
                sb.append('-');
            }
            sb.append(widths[i]);
        }
        return sb.toString();
    }
}
