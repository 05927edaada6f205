package org.sgdlab.studies;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Arrays;

/**
 * The statistics behind the criteria of the {@code eos} study (STUDIES.md §1.2; QUANTITIES.md Q6.4):
 * entry into the edge, stability-ratio windows, loss-increase fractions and running-maximum dips. All
 * pure functions of measured arrays, so each one is unit-tested against hand-computed answers.
 */
final class EosStats {

    private EosStats() {
    }

    /** A measured series: steps (ascending) and values (e.g. sharpness or stability ratio). */
    record Trace(long[] steps, double[] values) {
        Trace {
            if (steps.length != values.length) {
                throw new IllegalArgumentException("trace: " + steps.length + " steps but " + values.length + " values");
            }
        }

        int size() {
            return steps.length;
        }

        /** The values at steps in [from, to] (both inclusive). */
        double[] window(long from, long to) {
            return Arrays.stream(indices(from, to)).mapToDouble(i -> values[i]).toArray();
        }

        /** The steps in [from, to] (both inclusive). */
        long[] windowSteps(long from, long to) {
            return Arrays.stream(indices(from, to)).mapToLong(i -> steps[i]).toArray();
        }

        private int[] indices(long from, long to) {
            return java.util.stream.IntStream.range(0, steps.length).filter(i -> steps[i] >= from && steps[i] <= to)
                    .toArray();
        }

        /** The values divided by {@code d}. */
        Trace div(double d) {
            return new Trace(steps, Arrays.stream(values).map(v -> v / d).toArray());
        }

        /** Steps shifted by {@code offset} (a forked run on the global step axis). */
        Trace shift(long offset) {
            return new Trace(Arrays.stream(steps).map(s -> s + offset).toArray(), values);
        }

        /** The value at {@code step}, or NaN if it was not measured. */
        double at(long step) {
            int i = Arrays.binarySearch(steps, step);
            return i >= 0 ? values[i] : Double.NaN;
        }
    }

    /**
     * t_EoS (Q6.4): the first measured step whose stability ratio (sharpness / threshold) is at least
     * 1, or -1 when no measurement reaches it.
     */
    static long tEos(Trace ratio) {
        for (int i = 0; i < ratio.size(); i++) {
            if (ratio.values()[i] >= 1.0) {
                return ratio.steps()[i];
            }
        }
        return -1;
    }

    /**
     * The smallest value of {@code v_i / max_{j <= i} v_j} over the measurements before step
     * {@code before} (exclusive): 1 for a non-decreasing series; A1 asks for at least 0.98
     * ("dips of at most 2 % below the running maximum"). NaN when no measurement precedes it.
     */
    static double minRunningMaxRatio(Trace t, long before) {
        double runMax = Double.NEGATIVE_INFINITY;
        double min = Double.NaN;
        for (int i = 0; i < t.size() && t.steps()[i] < before; i++) {
            double v = t.values()[i];
            runMax = Math.max(runMax, v);
            double r = v / runMax;
            min = Double.isNaN(min) ? r : Math.min(min, r);
        }
        return min;
    }

    /** The fraction of {@code values} with {@code |v - 1| <= tol} (NaN for no values). */
    static double fractionWithin(double[] values, double tol) {
        if (values.length == 0) {
            return Double.NaN;
        }
        long k = Arrays.stream(values).filter(v -> Math.abs(v - 1.0) <= tol).count();
        return (double) k / values.length;
    }

    /**
     * The fraction of steps t in [from, to) with {@code loss[t + 1] > loss[t]} ("loss increase", Q6.4);
     * {@code loss[t]} is L(theta_t). NaN for an empty window; the window must lie inside the array.
     */
    static double lossIncreaseFraction(double[] loss, int from, int to) {
        if (from < 0 || to > loss.length - 1 || from > to) {
            throw new IllegalArgumentException("loss-increase window [" + from + ", " + to + ") needs 0 <= from <= to <= "
                    + (loss.length - 1) + " (the last loss has no successor)");
        }
        if (from == to) {
            return Double.NaN;
        }
        int up = 0;
        for (int t = from; t < to; t++) {
            if (loss[t + 1] > loss[t]) {
                up++;
            }
        }
        return (double) up / (to - from);
    }

    /** The ordinary median (mean of the two middle values for an even count); NaN when empty. */
    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double mean(double[] v) {
        return v.length == 0 ? Double.NaN : Arrays.stream(v).sum() / v.length;
    }

    static double max(double[] v) {
        return v.length == 0 ? Double.NaN : Arrays.stream(v).max().getAsDouble();
    }

    static double min(double[] v) {
        return v.length == 0 ? Double.NaN : Arrays.stream(v).min().getAsDouble();
    }

    /** The largest {@code loss[t] / loss[from]} for t in [from, to] (inclusive; clipped to the array). */
    static double maxLossRatio(double[] loss, int from, int to) {
        double base = loss[from];
        double m = Double.NEGATIVE_INFINITY;
        for (int t = from; t <= Math.min(to, loss.length - 1); t++) {
            m = Math.max(m, loss[t] / base);
        }
        return m;
    }

    /** The step t in [from, to] where {@code loss[t] / loss[from]} is largest. */
    static int argMaxLoss(double[] loss, int from, int to) {
        int best = from;
        for (int t = from; t <= Math.min(to, loss.length - 1); t++) {
            if (loss[t] > loss[best]) {
                best = t;
            }
        }
        return best;
    }

    /** {@code x} rounded to two significant digits (STUDIES.md §8.2: eta_F = 0.68 / lambda_max(theta_0)). */
    static double twoSignificant(double x) {
        if (!(x > 0) || Double.isInfinite(x)) {
            throw new IllegalArgumentException("two significant digits: need a finite positive number, got " + x);
        }
        return new BigDecimal(x).round(new MathContext(2)).doubleValue();
    }
}
