package org.sgdlab.report;

import java.util.Arrays;
import java.util.NavigableMap;
import java.util.TreeMap;

/** Small statistics used by captions; all ignore non-finite values. */
final class Stats {

    private Stats() {
    }

    static double[] finite(double[] v) {
        return Arrays.stream(v).filter(Double::isFinite).toArray();
    }

    static double median(double[] v) {
        double[] f = finite(v);
        if (f.length == 0) {
            return Double.NaN;
        }
        Arrays.sort(f);
        int n = f.length;
        return n % 2 == 1 ? f[n / 2] : 0.5 * (f[n / 2 - 1] + f[n / 2]);
    }

    static double mean(double[] v) {
        double[] f = finite(v);
        if (f.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double x : f) {
            s += x;
        }
        return s / f.length;
    }

    /** Sample standard error of the mean (n - 1 in the variance); NaN for fewer than 2 values. */
    static double se(double[] v) {
        double[] f = finite(v);
        int n = f.length;
        if (n < 2) {
            return Double.NaN;
        }
        double m = mean(f);
        double ss = 0;
        for (double x : f) {
            ss += (x - m) * (x - m);
        }
        return Math.sqrt(ss / (n - 1) / n);
    }

    static double max(double[] v) {
        double m = Double.NaN;
        for (double x : v) {
            if (Double.isFinite(x) && !(x <= m)) {
                m = x;
            }
        }
        return m;
    }

    static double min(double[] v) {
        double m = Double.NaN;
        for (double x : v) {
            if (Double.isFinite(x) && !(x >= m)) {
                m = x;
            }
        }
        return m;
    }

    static int argmax(double[] v) {
        int k = -1;
        for (int i = 0; i < v.length; i++) {
            if (Double.isFinite(v[i]) && (k < 0 || v[i] > v[k])) {
                k = i;
            }
        }
        return k;
    }

    static int argmin(double[] v) {
        int k = -1;
        for (int i = 0; i < v.length; i++) {
            if (Double.isFinite(v[i]) && (k < 0 || v[i] < v[k])) {
                k = i;
            }
        }
        return k;
    }

    /** The last quarter of an array (at least one element when non-empty). */
    static double[] lastQuarter(double[] v) {
        int n = v.length;
        int from = n - Math.max(1, (n + 3) / 4);
        return Arrays.copyOfRange(v, Math.max(0, from), n);
    }

    /** True when all finite values are equal (up to 1e-12 relative) and there is at least one. */
    static boolean constant(double[] v) {
        double[] f = finite(v);
        if (f.length == 0) {
            return false;
        }
        for (double x : f) {
            if (Math.abs(x - f[0]) > 1e-12 * Math.max(1, Math.abs(f[0]))) {
                return false;
            }
        }
        return true;
    }

    /** A step -> value lookup that answers with the latest value at or before a step. */
    static NavigableMap<Long, Double> stepMap(Table.XY xy) {
        NavigableMap<Long, Double> m = new TreeMap<>();
        for (int i = 0; i < xy.size(); i++) {
            if (Double.isFinite(xy.y()[i])) {
                m.put((long) xy.x()[i], xy.y()[i]);
            }
        }
        return m;
    }

    static double at(NavigableMap<Long, Double> m, double step) {
        var e = m.floorEntry((long) Math.floor(step));
        return e == null ? Double.NaN : e.getValue();
    }
}
