package org.sgdlab.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Axis ranges and tick marks.
 *
 * <p>Linear axes use "nice" steps {1, 2, 5} x 10^k chosen so that about {@code target} intervals cover the
 * data, and the range is widened outward to the enclosing tick multiples. Log10 axes run between whole
 * decades and tick every decade (every k-th decade when there are more than 8; with 1, 2 and 5 per decade
 * when the range spans at most two decades).
 */
final class Ticks {

    /** A computed axis: the displayed range [lo, hi] (data units), tick positions and their labels. */
    record TickSet(double lo, double hi, double[] values, String[] labels) {
    }

    private Ticks() {
    }

    /** The nice step for a range: 1, 2 or 5 times a power of ten, closest to range / target. */
    static double niceStep(double range, int target) {
        if (!(range > 0) || !Double.isFinite(range)) {
            throw new IllegalArgumentException("niceStep: range must be positive and finite, got " + range);
        }
        double raw = range / Math.max(1, target);
        double mag = Math.pow(10, Math.floor(Math.log10(raw)));
        double r = raw / mag;
        double m;
        if (r < 1.5) {
            m = 1;
        } else if (r < 3) {
            m = 2;
        } else if (r < 7) {
            m = 5;
        } else {
            m = 10;
        }
        return m * mag;
    }

    /** Linear ticks covering [lo, hi] with about {@code target} intervals. */
    static TickSet linear(double lo, double hi, int target) {
        if (!Double.isFinite(lo) || !Double.isFinite(hi)) {
            lo = 0;
            hi = 1;
        }
        if (lo > hi) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        // keep hi - lo and every tick finite
        lo = Math.max(lo, -1e307);
        hi = Math.min(hi, 1e307);
        if (hi - lo <= Math.max(Math.abs(lo), Math.abs(hi)) * 1e-9) { // constant up to float noise
            double d = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            lo -= d;
            hi += d;
        }
        double step = niceStep(hi - lo, target);
        long first = (long) Math.floor(lo / step + 1e-9);
        long last = (long) Math.ceil(hi / step - 1e-9);
        int n = (int) (last - first) + 1;
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = clean((first + i) * step, step);
        }
        String[] labels = new String[n];
        for (int i = 0; i < n; i++) {
            labels[i] = linearLabel(v[i], step, Math.max(Math.abs(v[0]), Math.abs(v[n - 1])));
        }
        return new TickSet(v[0], v[n - 1], v, labels);
    }

    /** Log10 ticks covering [lo, hi]; both must be positive (callers drop non-positive data first). */
    static TickSet log(double lo, double hi) {
        if (!(lo > 0) || !(hi > 0) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            lo = 1;
            hi = 10;
        }
        if (lo > hi) {
            double t = lo;
            lo = hi;
            hi = t;
        }
        // decades 10^-300 .. 10^300 (pow10 stays normal and positive)
        lo = Math.min(Math.max(lo, 1e-300), 1e299);
        hi = Math.min(Math.max(hi, lo), 1e300);
        int e0 = (int) Math.floor(Math.log10(lo) + 1e-9);
        int e1 = (int) Math.ceil(Math.log10(hi) - 1e-9);
        if (e1 <= e0) {
            e1 = e0 + 1;
        }
        int decades = e1 - e0;
        List<Double> v = new ArrayList<>();
        List<String> l = new ArrayList<>();
        if (decades <= 2) {
            // 1-2-5 ticks, trimmed to the tightest pair enclosing [lo, hi]
            for (int e = e0; e <= e1; e++) {
                for (int m : new int[] {1, 2, 5}) {
                    if (e == e1 && m > 1) {
                        break;
                    }
                    v.add(m * pow10(e));
                    l.add(logLabel(m, e));
                }
            }
            int first = 0;
            while (first + 1 < v.size() && v.get(first + 1) <= lo * (1 + 1e-12)) {
                first++;
            }
            int last = v.size() - 1;
            while (last - 1 > first && v.get(last - 1) >= hi * (1 - 1e-12)) {
                last--;
            }
            v = new ArrayList<>(v.subList(first, last + 1));
            l = new ArrayList<>(l.subList(first, last + 1));
            if (v.size() < 2) { // a single value: widen to the neighbouring 1-2-5 marks
                return log(lo / 2.5, hi * 2.5);
            }
        } else {
            int k = (decades + 7) / 8;
            e0 = Math.floorDiv(e0, k) * k;
            e1 = e0 + ((e1 - e0 + k - 1) / k) * k;
            for (int e = e0; e <= e1; e += k) {
                v.add(pow10(e));
                l.add(logLabel(1, e));
            }
        }
        double[] vals = v.stream().mapToDouble(Double::doubleValue).toArray();
        return new TickSet(vals[0], vals[vals.length - 1], vals, l.toArray(new String[0]));
    }

    /** 10^e computed exactly for the representable decades (Math.pow(10, -3) is not 1e-3 bit for bit). */
    static double pow10(int e) {
        return Double.parseDouble("1e" + e);
    }

    private static double clean(double v, double step) {
        double r = Math.rint(v / step) * step;
        // snap to the decimal the step implies, so 0.30000000000000004 prints and compares as 0.3
        int dec = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        if (dec > 0 && dec < 17) {
            r = Double.parseDouble(String.format(java.util.Locale.ROOT, "%." + dec + "f", r));
        }
        return r == 0 ? 0.0 : r;
    }

    static String linearLabel(double v, double step, double maxAbs) {
        if (v == 0) {
            return "0";
        }
        int dec = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
        if (maxAbs >= 1e6 || maxAbs < 1e-3 || dec > 6) {
            // enough significant digits to tell neighbouring ticks apart
            int digits = (int) (Math.floor(Math.log10(Math.abs(v)) + 1e-9) - Math.floor(Math.log10(step) + 1e-9)) + 1;
            return sci(v, Math.max(1, Math.min(15, digits)));
        }
        return Fmt.fixed(v, dec);
    }

    /** m x 10^e: plain decimals for 10^-3 .. 10^4, otherwise with a Unicode superscript exponent. */
    static String logLabel(int m, int e) {
        if (e >= -3 && e <= 4) {
            return Fmt.fixed(m * Math.pow(10, e), Math.max(0, -e));
        }
        String pow = "10" + superscript(e);
        return m == 1 ? pow : m + "\u00d7" + pow;
    }

    private static String sci(double v, int digits) {
        int e = (int) Math.floor(Math.log10(Math.abs(v)) + 1e-9);
        double m = v / Math.pow(10, e);
        String ms = Fmt.num(m, digits);
        if ("1".equals(ms)) {
            return "10" + superscript(e);
        }
        if ("-1".equals(ms)) {
            return "-10" + superscript(e);
        }
        return ms + "\u00d710" + superscript(e);
    }

    static String superscript(int e) {
        String digits = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
        StringBuilder sb = new StringBuilder();
        String s = Integer.toString(e);
        for (char c : s.toCharArray()) {
            sb.append(c == '-' ? '\u207b' : digits.charAt(c - '0'));
        }
        return sb.toString();
    }
}
