package org.sgdlab.studies;

import java.util.Arrays;

/**
 * The aggregates of the sparse-features criteria (STUDIES.md §0.2, §7): medians over seeds (a diverged run
 * enters as +infinity, so it counts against the claim), medians over windows of a logged loss curve (SF3),
 * and seed counts rescaled when {@code --seeds} changes the number of seeds.
 */
final class SparseFeaturesStats {

    private SparseFeaturesStats() {
    }

    /**
     * The ordinary median (the mean of the two middle values for an even count, QUANTITIES.md Q1); +infinity
     * is an ordinary large value; NaN entries are an error (a study must map a missing value first).
     */
    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        for (double x : v) {
            if (Double.isNaN(x)) {
                throw new IllegalArgumentException("median: NaN among " + Arrays.toString(values)
                        + "; map diverged or missing runs to +infinity first");
            }
        }
        Arrays.sort(v);
        int n = v.length;
        if (n % 2 == 1) {
            return v[n / 2];
        }
        double a = v[n / 2 - 1];
        double b = v[n / 2];
        return a == b ? a : a / 2 + b / 2;
    }

    /**
     * The median of {@code values[i]} over the logged points whose step lies in [lo, hi) (or [lo, hi] when
     * {@code closed}), skipping NaN (steps without a measurement); NaN when the window holds none.
     */
    static double windowMedian(long[] steps, double[] values, double lo, double hi, boolean closed) {
        if (steps.length != values.length) {
            throw new IllegalArgumentException("windowMedian: " + steps.length + " steps but " + values.length
                    + " values");
        }
        double[] w = new double[values.length];
        int k = 0;
        for (int i = 0; i < steps.length; i++) {
            double t = steps[i];
            boolean in = t >= lo && (closed ? t <= hi : t < hi);
            if (in && !Double.isNaN(values[i])) {
                w[k++] = values[i];
            }
        }
        return k == 0 ? Double.NaN : median(Arrays.copyOf(w, k));
    }

    /** How many entries are true. */
    static int count(boolean[] b) {
        int c = 0;
        for (boolean x : b) {
            c += x ? 1 : 0;
        }
        return c;
    }

    /**
     * "in at least k of k0 seeds" with {@code seeds} seeds instead of k0: ceil(k * seeds / k0) (exactly k for
     * the default count).
     */
    static int atLeast(int k, int k0, int seeds) {
        return (int) Math.ceil((double) k * seeds / k0 - 1e-9);
    }

    /** "at most k of k0 seeds" with {@code seeds} seeds: floor(k * seeds / k0) (exactly k for the default count). */
    static int atMost(int k, int k0, int seeds) {
        return (int) Math.floor((double) k * seeds / k0 + 1e-9);
    }

    /**
     * a / b for "treatment / baseline" ratios that a claim wants small: +infinity when a is +infinity (the treatment
     * diverged) or NaN, or when b is not a finite positive number (a diverged baseline supports no claim).
     */
    static double ratio(double a, double b) {
        if (!(b > 0) || !Double.isFinite(b) || Double.isNaN(a)) {
            return Double.POSITIVE_INFINITY;
        }
        return a / b;
    }
}
