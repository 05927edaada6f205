package org.sgdlab.studies;

import java.util.Arrays;

/**
 * The two-variable toy of {@code momentum-catapult} P2-C (STUDIES.md §5.3; sgdlab's toy in Damian's normal
 * form, QUANTITIES.md Q14, not P2's own toy), in plain double arithmetic:
 *
 * <pre>
 *   L(x, y) = 1/2 e^y x^2 - alpha y,     dL/dx = e^y x,     dL/dy = 1/2 e^y x^2 - alpha,
 *   S = e^y (the curvature along x),     threshold theta = 2 (1 + beta) / eta,
 *   x_{t+1} = x_t - eta dL/dx(x_t, y_t) + beta (x_t - x_{t-1})      (polyak, Q3.3; the same for y),
 *   x_0 = 0.01, y_0 = ln(0.9 theta), x_{-1} = x_0, y_{-1} = y_0;   |x| &gt; 1e8 ends the run as diverged.
 * </pre>
 *
 * -grad L^T grad S = alpha e^y &gt; 0 at x = 0, so S sharpens until it crosses theta; x then grows and the x^2
 * term pushes y (and S) back down: Damian et al.'s self-stabilisation, which momentum on y prolongs.
 *
 * <p>First cycle (§5.3): from the first step t_a with S &gt; theta, through the first later step with
 * S &lt; 0.99 theta, until the next step t_c with S &gt; theta (or the last step); the measurement is
 * min_{t in [t_a, t_c]} S_t / theta. Only the first cycle is meaningful: L is unbounded below in y.
 */
final class MomentumCatapultToy {

    /** The guard of §5.3: |x| above it ends the run as diverged. */
    static final double GUARD = 1e8;

    private MomentumCatapultToy() {
    }

    /**
     * A trajectory: {@code x[t], y[t]} for t = 0..steps (fewer when it diverged at step {@code divergedAt},
     * the first t with |x_t| &gt; guard, which is the last entry).
     */
    record Trajectory(double alpha, double beta, double eta, double threshold, double[] x, double[] y,
                      int divergedAt) {

        boolean diverged() {
            return divergedAt >= 0;
        }

        /** S_t = e^{y_t} for every recorded t. */
        double[] sharpness() {
            double[] s = new double[y.length];
            for (int t = 0; t < s.length; t++) {
                s[t] = Math.exp(y[t]);
            }
            return s;
        }

        /** L(x_t, y_t). */
        double loss(int t) {
            return 0.5 * Math.exp(y[t]) * x[t] * x[t] - alpha * y[t];
        }
    }

    /** The first self-stabilisation cycle; indices -1 and min NaN when S never exceeds theta. */
    record Cycle(int start, int below, int end, double minRatio) {
    }

    /** The §5.3 run: eta, beta, alpha, {@code steps} updates from x_0 = 0.01, y_0 = ln(0.9 theta). */
    static Trajectory run(double alpha, double beta, double eta, int steps) {
        if (!(eta > 0) || !Double.isFinite(eta)) {
            throw new IllegalArgumentException("toy: eta must be finite and > 0, got " + eta);
        }
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException("toy: beta must be in [0, 1), got " + beta);
        }
        double threshold = 2 * (1 + beta) / eta;
        return run(alpha, beta, eta, steps, 0.01, Math.log(0.9 * threshold));
    }

    /** As {@link #run(double, double, double, int)} from a given (x_0, y_0). */
    static Trajectory run(double alpha, double beta, double eta, int steps, double x0, double y0) {
        if (steps < 0) {
            throw new IllegalArgumentException("toy: steps must be >= 0, got " + steps);
        }
        if (!Double.isFinite(alpha) || !Double.isFinite(x0) || !Double.isFinite(y0)) {
            throw new IllegalArgumentException("toy: alpha, x0 and y0 must be finite, got " + alpha + ", " + x0 + ", "
                    + y0);
        }
        double threshold = 2 * (1 + beta) / eta;
        double[] xs = new double[steps + 1];
        double[] ys = new double[steps + 1];
        xs[0] = x0;
        ys[0] = y0;
        double xPrev = x0;
        double yPrev = y0;
        int diverged = -1;
        int t = 0;
        for (; t < steps; t++) {
            double x = xs[t];
            double y = ys[t];
            double ey = Math.exp(y);
            double gx = ey * x;                      // dL/dx
            double gy = 0.5 * ey * x * x - alpha;    // dL/dy
            double xn = x - eta * gx + beta * (x - xPrev);
            double yn = y - eta * gy + beta * (y - yPrev);
            xPrev = x;
            yPrev = y;
            xs[t + 1] = xn;
            ys[t + 1] = yn;
            if (!(Math.abs(xn) <= GUARD) || !Double.isFinite(yn)) {
                diverged = t + 1;
                t++;
                break;
            }
        }
        int n = diverged >= 0 ? diverged + 1 : steps + 1;
        return new Trajectory(alpha, beta, eta, threshold, Arrays.copyOf(xs, n), Arrays.copyOf(ys, n), diverged);
    }

    /**
     * The first-cycle rule of §5.3 on a sharpness sequence {@code s} with threshold {@code theta}: t_a = the
     * first t with s_t &gt; theta; t_b = the first t &gt; t_a with s_t &lt; 0.99 theta; t_c = the first t &gt;
     * t_b with s_t &gt; theta, else the last index (also when there is no t_b); min over [t_a, t_c] of
     * s_t / theta.
     */
    static Cycle firstCycle(double[] s, double theta) {
        if (!(theta > 0) || !Double.isFinite(theta)) {
            throw new IllegalArgumentException("first cycle: threshold must be finite and > 0, got " + theta);
        }
        int last = s.length - 1;
        int ta = -1;
        for (int t = 0; t <= last; t++) {
            if (s[t] > theta) {
                ta = t;
                break;
            }
        }
        if (ta < 0) {
            return new Cycle(-1, -1, -1, Double.NaN);
        }
        int tb = -1;
        for (int t = ta + 1; t <= last; t++) {
            if (s[t] < 0.99 * theta) {
                tb = t;
                break;
            }
        }
        int tc = last;
        if (tb >= 0) {
            for (int t = tb + 1; t <= last; t++) {
                if (s[t] > theta) {
                    tc = t;
                    break;
                }
            }
        }
        double min = Double.POSITIVE_INFINITY;
        for (int t = ta; t <= tc; t++) {
            min = Math.min(min, s[t] / theta);
        }
        return new Cycle(ta, tb, tc, min);
    }
}
