package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The numbers behind the {@code eoss} criteria (STUDIES.md §2.2), as pure functions of (step, value) series so
 * that each can be tested against hand-computed answers.
 */
final class EossCriteria {

    /** BS measurements where the full loss is below this are excluded from B4, B7, B8 (§2.1, Q7.2). */
    static final double LOSS_FLOOR = 1e-6;
    /** B4: the cap on BS / (2/eta). */
    static final double CAP = 1.15;
    /** B4: the warm-up fraction of the steps. */
    static final double WARM = 0.10;
    /** B4: the catapult horizon in steps. */
    static final int HORIZON = 200;

    private EossCriteria() {
    }

    /** Mean of the finite values whose step is at least {@code from}; NaN when there is none. */
    static double meanFrom(long[] steps, double[] v, long from) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] >= from && Double.isFinite(v[i])) {
                s += v[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : s / n;
    }

    /** {min, max} of the finite values whose step is at least {@code from}; NaNs when there is none. */
    static double[] rangeFrom(long[] steps, double[] v, long from) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] >= from && Double.isFinite(v[i])) {
                lo = Math.min(lo, v[i]);
                hi = Math.max(hi, v[i]);
            }
        }
        return lo > hi ? new double[] {Double.NaN, Double.NaN} : new double[] {lo, hi};
    }

    /** The first step of the "2nd half" of a T-step run: measurements at steps >= T/2 (§2.1). */
    static long secondHalf(long steps) {
        return (steps + 1) / 2;
    }

    /**
     * max_{t < s <= t + h'} L_s / L_t with h' = min(horizon, last - t), from a loss series; NaN unless L_t and
     * every L_s of the window are logged.
     */
    static double catapultRatio(long[] lossSteps, double[] loss, long t, int horizon, long last) {
        int i = Arrays.binarySearch(lossSteps, t);
        if (i < 0) {
            return Double.NaN;
        }
        long end = Math.min(t + horizon, last);
        if (end <= t) {
            return Double.NaN;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (long s = t + 1; s <= end; s++) {
            int j = i + (int) (s - t);
            if (j >= lossSteps.length || lossSteps[j] != s) {
                return Double.NaN;
            }
            max = Math.max(max, Double.isFinite(loss[j]) ? loss[j] : Double.POSITIVE_INFINITY);
        }
        return max / loss[i];
    }

    /**
     * One BS measurement under B4: {@code ratio} = BS/(2/eta), the loss at t, the catapult ratio, and whether it
     * is excluded (before the warm-up end, or loss below the floor) or a violation (ratio above the cap with no
     * doubling of the loss within the horizon; an unknown catapult ratio counts as no catapult).
     */
    record CapPoint(long step, double ratio, double loss, double catapultRatio, boolean excluded, boolean violation) {
    }

    /**
     * B4 on one run: after the first {@code WARM} of the {@code steps}, no BS ratio above {@code CAP} unless the
     * loss at least doubles within {@code HORIZON} steps; measurements with loss below the floor are excluded.
     */
    static List<CapPoint> cap(long[] bsSteps, double[] bsRatio, double[] lossAtStep, double[] catapult, long steps) {
        List<CapPoint> out = new ArrayList<>();
        long warm = (long) Math.ceil(WARM * steps);
        for (int i = 0; i < bsSteps.length; i++) {
            boolean excluded = bsSteps[i] < warm || lossAtStep[i] < LOSS_FLOOR;
            boolean over = bsRatio[i] > CAP;
            boolean spike = catapult[i] >= 2.0;
            out.add(new CapPoint(bsSteps[i], bsRatio[i], lossAtStep[i], catapult[i], excluded,
                    !excluded && over && !spike));
        }
        return out;
    }

    /** The measurements of the last quarter of a run: steps >= 0.75 T (B7, B8: "the last 25 %"). */
    static long lastQuarter(long steps) {
        return (long) Math.ceil(0.75 * steps);
    }

    /**
     * Window statistics of a long run (ratios to 2/eta): BS measurements with loss below the floor excluded;
     * {@code meanBsOverLmax} is the mean over measurement steps of BS/lambda_max (both present, BS kept).
     */
    record Window(int points, int excluded, double meanBs, double maxBs, double minBs, double meanLmax,
                  double meanBsOverLmax) {
    }

    static Window window(long[] bsSteps, double[] bsRatio, double[] lossAtBs, long[] lmaxSteps, double[] lmaxRatio,
                         long from) {
        double sb = 0;
        double maxB = Double.NEGATIVE_INFINITY;
        double minB = Double.POSITIVE_INFINITY;
        int nb = 0;
        int excluded = 0;
        double sr = 0;
        int nr = 0;
        for (int i = 0; i < bsSteps.length; i++) {
            if (bsSteps[i] < from) {
                continue;
            }
            if (lossAtBs[i] < LOSS_FLOOR) {
                excluded++;
                continue;
            }
            if (!Double.isFinite(bsRatio[i])) {
                continue;
            }
            sb += bsRatio[i];
            nb++;
            maxB = Math.max(maxB, bsRatio[i]);
            minB = Math.min(minB, bsRatio[i]);
            int j = Arrays.binarySearch(lmaxSteps, bsSteps[i]);
            if (j >= 0 && Double.isFinite(lmaxRatio[j]) && lmaxRatio[j] != 0) {
                sr += bsRatio[i] / lmaxRatio[j];
                nr++;
            }
        }
        return new Window(nb, excluded, nb == 0 ? Double.NaN : sb / nb, nb == 0 ? Double.NaN : maxB,
                nb == 0 ? Double.NaN : minB, meanFrom(lmaxSteps, lmaxRatio, from), nr == 0 ? Double.NaN : sr / nr);
    }

    /**
     * Least-squares fit of {@code y = a x^(-alpha)} on logarithms over the points with x, y &gt; 0: returns
     * {a, alpha, points}; NaNs when fewer than two distinct x.
     */
    static double[] powerLaw(double[] x, double[] y) {
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double sxy = 0;
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] > 0 && y[i] > 0 && Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                double lx = Math.log(x[i]);
                double ly = Math.log(y[i]);
                sx += lx;
                sy += ly;
                sxx += lx * lx;
                sxy += lx * ly;
                n++;
            }
        }
        double den = n * sxx - sx * sx;
        if (n < 2 || Math.abs(den) < 1e-12 * Math.max(1, n * sxx)) {
            return new double[] {Double.NaN, Double.NaN, n};
        }
        double slope = (n * sxy - sx * sy) / den;
        double icpt = (sy - slope * sx) / n;
        return new double[] {Math.exp(icpt), -slope, n};
    }

    /** |a - b| / |b|. */
    static double relErr(double a, double b) {
        return Math.abs(a - b) / Math.abs(b);
    }

    /** Strictly increasing. */
    static boolean increasing(double... v) {
        for (int i = 1; i < v.length; i++) {
            if (!(v[i] > v[i - 1])) {
                return false;
            }
        }
        return true;
    }

    /** Second-order GNI model of the one-step change (Q7.4): -eta ||g||^2 (1 - eta GNI / 2). */
    static double gniPrediction(double eta, double gradNormSq, double gni) {
        return -eta * gradNormSq * (1 - eta * gni / 2);
    }
}
