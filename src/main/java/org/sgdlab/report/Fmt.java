package org.sgdlab.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Locale;

/** Locale-independent number formatting with limited precision (deterministic output). */
final class Fmt {

    private Fmt() {
    }

    /** A pixel coordinate: at most two decimals, no trailing zeros, never "-0". */
    static String px(double v) {
        if (!Double.isFinite(v)) {
            return "0";
        }
        long r = Math.round(v * 100);
        if (r == 0) {
            return "0";
        }
        String sign = r < 0 ? "-" : "";
        long a = Math.abs(r);
        long whole = a / 100;
        long frac = a % 100;
        if (frac == 0) {
            return sign + whole;
        }
        if (frac % 10 == 0) {
            return sign + whole + "." + (frac / 10);
        }
        return sign + whole + "." + (frac < 10 ? "0" : "") + frac;
    }

    /**
     * A value for tables and captions: {@code digits} significant digits, integers as integers, scientific
     * notation below 1e-3 and from 1e6; "NaN", "inf", "-inf" for non-finite values.
     */
    static String num(double v, int digits) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (v == Math.rint(v) && a < 1e15 && a >= 1e-3) {
            if (a < 1e6) {
                return Long.toString((long) v);
            }
        }
        BigDecimal bd = new BigDecimal(v).round(new MathContext(digits, RoundingMode.HALF_EVEN));
        if (a >= 1e-3 && a < 1e6) {
            String s = bd.stripTrailingZeros().toPlainString();
            return s;
        }
        // scientific: mantissa with up to digits significant digits, exponent without '+' or zeros
        int exp = bd.precision() - bd.scale() - 1;
        BigDecimal mant = bd.movePointLeft(exp).stripTrailingZeros();
        return mant.toPlainString() + "e" + exp;
    }

    /** {@link #num(double, int)} with 4 significant digits. */
    static String num(double v) {
        return num(v, 4);
    }

    /** A fixed-decimals format in Locale.ROOT. */
    static String fixed(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        if (s.startsWith("-") && s.matches("-0(\\.0*)?")) {
            s = s.substring(1);
        }
        return s;
    }

    /** Seconds as h:mm:ss (or m:ss). */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return num(seconds);
        }
        long s = Math.round(seconds);
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }
}
