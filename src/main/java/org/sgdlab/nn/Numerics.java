package org.sgdlab.nn;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Locale;
import org.sgdlab.tensor.Tensor;

/** Stable scalar compositions and formatting shared by layers and losses. */
final class Numerics {

    private Numerics() {
    }

    /** Below this u, {@code log(1 + u)} is replaced by its series (rounding 1 + u would lose digits). */
    private static final double LOG1P_SERIES = 1e-4;

    /**
     * {@code log(1 + u)} for {@code u >= 0}, accurate to full relative precision for small u:
     * the four-term series {@code u - u^2/2 + u^3/3 - u^4/4} below 1e-4 (truncation < u^5/5, i.e.
     * relative 2e-17), {@code log(1 + u)} above. Differentiable to any order (both branches are).
     */
    static Tensor log1p(Tensor u) {
        // u (1 - u (1/2 - u (1/3 - u/4)))
        Tensor series = u.mul(u.mul(u.mul(u.mul(-0.25).add(1.0 / 3)).neg().add(0.5)).neg().add(1.0));
        return Tensor.where(u.lt(LOG1P_SERIES), series, u.add(1.0).log());
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
