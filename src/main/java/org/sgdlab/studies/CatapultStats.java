package org.sgdlab.studies;

import java.util.Arrays;
import java.util.List;
import org.sgdlab.diagnostics.SpikeShares;

/**
 * Small statistics shared by the catapult studies (STUDIES.md §3, §4; QUANTITIES.md Q1, Q12):
 *
 * <pre>
 *   median          ordinary median (mean of the two middle values for an even count), NaN for none
 *   ranks           average ranks 1..n, ties share the mean of their positions
 *   spearman(a, b)  = pearson(ranks(a), ranks(b))   (Q1: ties get their average rank)
 *   conditional     P(A | B) = #(A and B) / #B over aligned flags (NaN when #B = 0)
 *   chiFromStart    max_{t in [t_0, t_end]} L_rest,s(t) / L_rest,s(t_0), t_0 the first logged step
 * </pre>
 *
 * NaN entries are rejected where they would silently change a rank or a median.
 */
final class CatapultStats {

    private CatapultStats() {
    }

    /** Arithmetic mean; NaN for an empty array. */
    static double mean(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** The ordinary median (Q1); NaN for an empty array; NaN values are not allowed. */
    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        for (double x : s) {
            if (Double.isNaN(x)) {
                throw new IllegalArgumentException("median: NaN in " + Arrays.toString(v));
            }
        }
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }

    /** Average ranks (1-based): tied values share the mean of the positions they occupy. */
    static double[] ranks(double[] v) {
        int n = v.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(v[i])) {
                throw new IllegalArgumentException("ranks: NaN at position " + i + " of " + Arrays.toString(v));
            }
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(v[a], v[b]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && v[idx[j + 1]] == v[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    /** Pearson correlation; NaN when either side is constant. */
    static double pearson(double[] a, double[] b) {
        if (a.length != b.length || a.length < 2) {
            throw new IllegalArgumentException("pearson: need two arrays of equal length >= 2, got " + a.length + " and "
                    + b.length);
        }
        double ma = mean(a);
        double mb = mean(b);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < a.length; i++) {
            double da = a[i] - ma;
            double db = b[i] - mb;
            sab += da * db;
            saa += da * da;
            sbb += db * db;
        }
        return saa == 0 || sbb == 0 ? Double.NaN : sab / Math.sqrt(saa * sbb);
    }

    /** Spearman rank correlation with average ranks for ties (Q1). */
    static double spearman(double[] a, double[] b) {
        return pearson(ranks(a), ranks(b));
    }

    /** Whether v_0 &gt;= v_1 &gt;= ... (non-increasing). */
    static boolean nonIncreasing(double[] v) {
        for (int i = 1; i < v.length; i++) {
            if (!(v[i] <= v[i - 1])) {
                return false;
            }
        }
        return true;
    }

    /** Whether v_0 &lt;= v_1 &lt;= ... (non-decreasing). */
    static boolean nonDecreasing(double[] v) {
        for (int i = 1; i < v.length; i++) {
            if (!(v[i] >= v[i - 1])) {
                return false;
            }
        }
        return true;
    }

    /** Whether v_0 &lt; v_1 &lt; ... (strictly increasing). */
    static boolean increasing(double[] v) {
        for (int i = 1; i < v.length; i++) {
            if (!(v[i] > v[i - 1])) {
                return false;
            }
        }
        return true;
    }

    /** Whether v_0 &gt; v_1 &gt; ... (strictly decreasing). */
    static boolean decreasing(double[] v) {
        for (int i = 1; i < v.length; i++) {
            if (!(v[i] < v[i - 1])) {
                return false;
            }
        }
        return true;
    }

    /** P(a | b) = #(a and b) / #b over aligned flags; NaN when b never holds. */
    static double conditional(boolean[] a, boolean[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("conditional: flag arrays differ in length: " + a.length + " vs "
                    + b.length);
        }
        int nb = 0;
        int nab = 0;
        for (int i = 0; i < a.length; i++) {
            if (b[i]) {
                nb++;
                if (a[i]) {
                    nab++;
                }
            }
        }
        return nb == 0 ? Double.NaN : (double) nab / nb;
    }

    /** The fraction of true flags; NaN for none. */
    static double fraction(boolean[] a) {
        if (a.length == 0) {
            return Double.NaN;
        }
        int c = 0;
        for (boolean x : a) {
            if (x) {
                c++;
            }
        }
        return (double) c / a.length;
    }

    /** Elementwise negation of flags. */
    static boolean[] not(boolean[] a) {
        boolean[] out = new boolean[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = !a[i];
        }
        return out;
    }

    /** Number of true flags. */
    static int count(boolean[] a) {
        int c = 0;
        for (boolean x : a) {
            if (x) {
                c++;
            }
        }
        return c;
    }

    /**
     * {@code out[t]} = flags t-run+1 .. t all true (a run of at least {@code run} consecutive true flags ending at
     * t); false for t &lt; run - 1.
     */
    static boolean[] runEnding(boolean[] a, int run) {
        if (run < 1) {
            throw new IllegalArgumentException("runEnding: run must be >= 1, got " + run);
        }
        boolean[] out = new boolean[a.length];
        int len = 0;
        for (int i = 0; i < a.length; i++) {
            len = a[i] ? len + 1 : 0;
            out[i] = len >= run;
        }
        return out;
    }

    /**
     * The complement growth measured from the start of the run instead of from the step before the onset:
     *
     * <pre>  chi0_s = max_{t in [t_0, t_end]} L_rest,s(t) / L_rest,s(t_0)   (t_0 = first logged step, t_end = end, or
     *                                                                  the last logged step for null)</pre>
     *
     * This is NOT Q10.3's chi_s (denominator L_rest,s(t_on - 1), window [t_on, t_end]). It is the reading that
     * reproduces all four chi values quoted by STUDIES.md §3.2 (reference draw: nu = 1.2 chi_5 = 1.00; nu = 1.5
     * chi_1 = 1.97, chi_3 = 1.04, chi_5 = 1.00, bench/crosscheck/catapult_p1a.py), so catapult-gd reports it
     * next to chi_s as evidence of that calibration question; no gate uses it. NaN if the first value is not
     * positive or no step lies in the window.
     */
    static double chiFromStart(List<SpikeShares.Point> series, Long end) {
        if (series == null || series.isEmpty()) {
            throw new IllegalArgumentException("chiFromStart: the series is empty");
        }
        double first = series.get(0).rest();
        long last = end == null ? Long.MAX_VALUE : end;
        double max = Double.NEGATIVE_INFINITY;
        for (SpikeShares.Point q : series) {
            if (q.step() <= last) {
                max = Math.max(max, q.rest());
            }
        }
        return first > 0 && max > Double.NEGATIVE_INFINITY ? max / first : Double.NaN;
    }
}
