package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;

/**
 * Per-spike shares of the loss split and the derived per-run spike quantities, computed after a run
 * from logged series (QUANTITIES.md Q10.3, Q12). For a spike with onset t_on, peak t_pk and end
 * t_end (Q12; the last logged step for an open spike), window W = 20:
 *
 * <pre>
 *   phi_s = L_top,s(t_pk) / L(t_pk)
 *   psi_s = (L_top,s(t_pk) - min_{tau in [t_pk - W, t_pk]} L_top,s(tau)) / (L(t_pk) - min_{tau in [t_pk - W, t_pk]} L(tau))
 *   chi_s = max_{t in [t_on, t_end]} L_rest,s(t) / L_rest,s(t_on - 1)
 *
 *   max_spike_ratio = max_t L_t / max(min_{s &lt; t} L_s, floor),   floor = 1e-8 L_0
 *   local peak t:     L_t &gt;= L_{t-1}, L_t &gt;= L_{t+1}, L_t &gt; 2 min(L_{t-20}, ..., L_{t-1}) (window truncated at 0)
 *   loss jump at t:   L_{t+1} &gt; 1.5 L_t
 * </pre>
 *
 * Papers: Zhu, Liu, Radhakrishnan, Belkin, ICML 2024, arXiv 2306.04815 (catapults in the top
 * eigenspace; the operationalisations above are sgdlab's, Q10.3 and Q12). Windows in steps are taken
 * over the logged step values ({@link Point#step()}), so a series logged every step is used exactly.
 * Loss arrays ({@code double[]}) are indexed by consecutive steps 0, 1, 2, ...
 */
public final class SpikeShares {

    /** The window W of psi (Q10.3). */
    public static final int WINDOW = 20;

    private SpikeShares() {
    }

    /** One logged step: the loss L and its split L_top,s, L_rest,s for one s. */
    public record Point(long step, double loss, double top, double rest) {
    }

    /** phi_s, psi_s and chi_s of one spike (NaN where undefined, e.g. no step t_on - 1 logged). */
    public record Shares(double phi, double psi, double chi) {
    }

    /** phi = L_top(t) / L(t) at every point (the "all steps" series of catapult-sgd P1-D). */
    public static double[] phiSeries(List<Point> series) {
        double[] out = new double[series.size()];
        for (int i = 0; i < out.length; i++) {
            Point q = series.get(i);
            out[i] = q.top() / q.loss();
        }
        return out;
    }

    /** phi_s at the peak step (NaN if the peak is not in the series). */
    public static double phi(List<Point> series, long peak) {
        Point q = at(check(series), peak);
        return q == null ? Double.NaN : q.top() / q.loss();
    }

    /** psi_s at the peak with window {@code window} steps (NaN if the peak is not logged or the loss excess is 0). */
    public static double psi(List<Point> series, long peak, int window) {
        check(series);
        if (window < 0) {
            throw new IllegalArgumentException("SpikeShares.psi: window must be >= 0, got " + window);
        }
        Point q = at(series, peak);
        if (q == null) {
            return Double.NaN;
        }
        double minTop = Double.POSITIVE_INFINITY;
        double minLoss = Double.POSITIVE_INFINITY;
        for (Point r : series) {
            if (r.step() >= peak - window && r.step() <= peak) {
                minTop = Math.min(minTop, r.top());
                minLoss = Math.min(minLoss, r.loss());
            }
        }
        double excess = q.loss() - minLoss;
        return excess > 0 ? (q.top() - minTop) / excess : Double.NaN;
    }

    /**
     * chi_s: the largest L_rest over logged steps in [onset, end] divided by L_rest at onset - 1 ({@code end}
     * null: through the last logged step). NaN if onset - 1 is not logged.
     */
    public static double chi(List<Point> series, long onset, Long end) {
        Point before = at(check(series), onset - 1);
        if (before == null) {
            return Double.NaN;
        }
        long last = end == null ? Long.MAX_VALUE : end;
        double max = Double.NEGATIVE_INFINITY;
        for (Point r : series) {
            if (r.step() >= onset && r.step() <= last) {
                max = Math.max(max, r.rest());
            }
        }
        return max == Double.NEGATIVE_INFINITY ? Double.NaN : max / before.rest();
    }

    /** phi, psi (window {@link #WINDOW}) and chi of a detected spike. */
    public static Shares of(List<Point> series, SpikeDetector.Spike spike) {
        return new Shares(phi(series, spike.peak()), psi(series, spike.peak(), WINDOW),
                chi(series, spike.onset(), spike.end()));
    }

    /**
     * Whether a spike is a catapult (Q12, GD): it returned ({@code end != null}) and the kernel shrank,
     * {@code lambda_1(K-bar(end)) < lambda_1(K-bar(onset))} with {@code eta lambda_1(K-bar(end)) < 2}
     * (Lewkowycz et al.; precursor arXiv 2205.11787). For momentum runs pass the Hessian sharpness for
     * the lambdas and the optimizer's threshold as {@code 2/eta}, i.e. {@code eta = 2 / threshold}.
     */
    public static boolean catapult(SpikeDetector.Spike spike, double lambdaOnset, double lambdaEnd, double eta) {
        return spike.end() != null && lambdaEnd < lambdaOnset && eta * lambdaEnd < 2;
    }

    /**
     * max_spike_ratio = max over t &gt;= 1 of L_t / max(min_{s &lt; t} L_s, 1e-8 L_0) (Q12). Non-finite losses
     * are skipped (divergence is reported elsewhere); NaN for fewer than two finite values.
     */
    public static double maxSpikeRatio(double[] loss) {
        double floor = Double.NaN;
        double min = Double.POSITIVE_INFINITY;
        double best = Double.NaN;
        for (double l : loss) {
            if (!Double.isFinite(l)) {
                continue;
            }
            if (Double.isNaN(floor)) {
                floor = 1e-8 * l;
                min = l;
                continue;
            }
            double ratio = l / Math.max(min, floor);
            if (Double.isNaN(best) || ratio > best) {
                best = ratio;
            }
            min = Math.min(min, l);
        }
        return best;
    }

    /** Local peaks with the Q12 rule (window 20, factor 2). */
    public static int[] localPeaks(double[] loss) {
        return localPeaks(loss, 20, 2.0);
    }

    /**
     * Steps t (indices) with {@code L_t >= L_{t-1}}, {@code L_t >= L_{t+1}} and {@code L_t > factor min(L_{t-w},
     * ..., L_{t-1})} (window truncated at 0). The first and last steps are never peaks (a neighbour is missing).
     */
    public static int[] localPeaks(double[] loss, int window, double factor) {
        if (window < 1) {
            throw new IllegalArgumentException("SpikeShares.localPeaks: window must be >= 1, got " + window);
        }
        List<Integer> out = new ArrayList<>();
        for (int t = 1; t + 1 < loss.length; t++) {
            double l = loss[t];
            if (!(l >= loss[t - 1] && l >= loss[t + 1])) {
                continue;
            }
            double min = Double.POSITIVE_INFINITY;
            for (int s = Math.max(0, t - window); s < t; s++) {
                min = Math.min(min, loss[s]);
            }
            if (l > factor * min) {
                out.add(t);
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Loss-jump flags with factor 1.5 (Q12, catapult-sgd P1-E). */
    public static boolean[] jumps(double[] loss) {
        return jumps(loss, 1.5);
    }

    /** {@code flags[t] = L_{t+1} > factor L_t} for t = 0 .. n-2 (length n - 1; empty for n &lt; 2). */
    public static boolean[] jumps(double[] loss, double factor) {
        boolean[] out = new boolean[Math.max(0, loss.length - 1)];
        for (int t = 0; t < out.length; t++) {
            out[t] = loss[t + 1] > factor * loss[t];
        }
        return out;
    }

    private static List<Point> check(List<Point> series) {
        if (series == null || series.isEmpty()) {
            throw new IllegalArgumentException("SpikeShares: the series is empty");
        }
        for (int i = 1; i < series.size(); i++) {
            if (series.get(i).step() <= series.get(i - 1).step()) {
                throw new IllegalArgumentException("SpikeShares: steps must increase strictly; step "
                        + series.get(i).step() + " at position " + i + " follows " + series.get(i - 1).step());
            }
        }
        return series;
    }

    private static Point at(List<Point> series, long step) {
        for (Point q : series) {
            if (q.step() == step) {
                return q;
            }
        }
        return null;
    }
}
