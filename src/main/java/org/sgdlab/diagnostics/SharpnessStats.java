package org.sgdlab.diagnostics;

/**
 * Running sample moments of the Monte-Carlo curvature estimators (QUANTITIES.md Q7.2-Q7.4), updated
 * one draw at a time (Welford's algorithm with a co-moment): means, sample variances and covariance
 * with N - 1 in the denominator.
 */
final class SharpnessStats {

    private SharpnessStats() {
    }

    /** Mean, sample variance, standard error {@code sd/sqrt(N)} and maximum of one series. */
    static final class Moments {
        private int n;
        private double mean;
        private double m2;
        private double max = Double.NEGATIVE_INFINITY;

        void add(double v) {
            n++;
            double d = v - mean;
            mean += d / n;
            m2 += d * (v - mean);
            max = Math.max(max, v);
        }

        int count() {
            return n;
        }

        double mean() {
            return n == 0 ? Double.NaN : mean;
        }

        double variance() {
            return n < 2 ? Double.NaN : m2 / (n - 1);
        }

        /** {@code sd / sqrt(N)}, NaN below two samples. */
        double se() {
            return n < 2 ? Double.NaN : Math.sqrt(Math.max(0.0, m2) / (n - 1) / n);
        }

        double max() {
            return n == 0 ? Double.NaN : max;
        }
    }

    /**
     * Pairs (x_i, y_i): means, sample variances and covariance, the ratio of means {@code R = x̄/ȳ} and its
     * delta-method standard error {@code SE_R^2 = (s_x^2/ȳ^2 - 2 s_xy x̄/ȳ^3 + s_y^2 x̄^2/ȳ^4) / D} with
     * D = N (Q7.2 step 3) or D = N - 1 (the EoSS authors' stopping rule).
     */
    static final class Pairs {
        private int n;
        private double mx;
        private double my;
        private double cxx;
        private double cyy;
        private double cxy;

        void add(double x, double y) {
            n++;
            double dx = x - mx;
            double dy = y - my;
            mx += dx / n;
            my += dy / n;
            cxx += dx * (x - mx);
            cyy += dy * (y - my);
            cxy += dx * (y - my);
        }

        int count() {
            return n;
        }

        double meanX() {
            return n == 0 ? Double.NaN : mx;
        }

        double meanY() {
            return n == 0 ? Double.NaN : my;
        }

        double ratio() {
            return n == 0 ? Double.NaN : mx / my;
        }

        /** The delta-method standard error of R with divisor {@code denominator}; NaN below two pairs. */
        double ratioSe(double denominator) {
            if (n < 2) {
                return Double.NaN;
            }
            double sxx = cxx / (n - 1);
            double syy = cyy / (n - 1);
            double sxy = cxy / (n - 1);
            double v = (sxx / (my * my) - 2 * sxy * mx / (my * my * my) + syy * mx * mx / (my * my * my * my))
                    / denominator;
            // the bracket is the sample variance of x - R y over ȳ^2, non-negative up to rounding
            return Math.sqrt(Math.max(0.0, v));
        }
    }
}
