package org.sgdlab.linalg;

import java.util.List;
import java.util.random.RandomGenerator;

/** Plain {@code double[]} vector kernels shared by the iterative solvers. */
final class Vec {

    private Vec() {
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double norm(double[] a) {
        return Math.sqrt(dot(a, a));
    }

    /** {@code y += alpha x}. */
    static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < y.length; i++) {
            y[i] += alpha * x[i];
        }
    }

    static void scale(double[] a, double s) {
        for (int i = 0; i < a.length; i++) {
            a[i] *= s;
        }
    }

    static boolean finite(double[] a) {
        for (double x : a) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }

    /** A standard normal vector scaled to unit norm (a uniformly distributed direction). */
    static double[] randomUnit(RandomGenerator rng, int p) {
        double[] x = new double[p];
        for (int i = 0; i < p; i++) {
            x[i] = rng.nextGaussian();
        }
        double n = norm(x);
        scale(x, 1.0 / n);
        return x;
    }

    /**
     * Classical Gram-Schmidt of {@code w} against the orthonormal {@code basis}, applied twice ("twice is
     * enough", Giraud et al. 2005): {@code w <- w - Q (Q^T w)}, two passes. Returns the summed
     * coefficient on {@code basis.get(track)} (or 0 when {@code track < 0}).
     */
    static double orthogonalize(double[] w, List<double[]> basis, int track) {
        int j = basis.size();
        double tracked = 0;
        double[] c = new double[j];
        for (int pass = 0; pass < 2; pass++) {
            // Q^T w with the same w for every i (classical): four dots per sweep over w
            int i = 0;
            for (; i + 4 <= j; i += 4) {
                dot4(basis.get(i), basis.get(i + 1), basis.get(i + 2), basis.get(i + 3), w, c, i);
            }
            for (; i < j; i++) {
                c[i] = dot(basis.get(i), w);
            }
            i = 0;
            for (; i + 4 <= j; i += 4) {
                axpy4(-c[i], basis.get(i), -c[i + 1], basis.get(i + 1), -c[i + 2], basis.get(i + 2),
                        -c[i + 3], basis.get(i + 3), w);
            }
            for (; i < j; i++) {
                axpy(-c[i], basis.get(i), w);
            }
            if (track >= 0) {
                tracked += c[track];
            }
        }
        return tracked;
    }

    /**
     * {@code c[at + r] = dot(q_r, w)} for r < 4, each summed in the order of {@link #dot} (same bits), in
     * one sweep: four independent chains instead of one, and w read once.
     */
    static void dot4(double[] q0, double[] q1, double[] q2, double[] q3, double[] w, double[] c, int at) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int k = 0; k < w.length; k++) {
            double x = w[k];
            s0 += q0[k] * x;
            s1 += q1[k] * x;
            s2 += q2[k] * x;
            s3 += q3[k] * x;
        }
        c[at] = s0;
        c[at + 1] = s1;
        c[at + 2] = s2;
        c[at + 3] = s3;
    }

    /** {@code c[at + r] = dot(q_r, q_r)} for r < 4, each with the bits of {@link #dot}: four independent chains. */
    static void squares4(double[] q0, double[] q1, double[] q2, double[] q3, double[] c, int at) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        for (int k = 0; k < q0.length; k++) {
            double x0 = q0[k];
            double x1 = q1[k];
            double x2 = q2[k];
            double x3 = q3[k];
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
        }
        c[at] = s0;
        c[at + 1] = s1;
        c[at + 2] = s2;
        c[at + 3] = s3;
    }

    /** The plane rotation {@code x <- c x - s y}, {@code y <- s x + c y}. */
    static void rotate(double[] x, double[] y, double c, double s) {
        for (int k = 0; k < x.length; k++) {
            double xi = x[k];
            double yi = y[k];
            x[k] = c * xi - s * yi;
            y[k] = s * xi + c * yi;
        }
    }

    /**
     * {@link #rotate}, and in the same sweep
     * {@code dot(x', z)} of the rotated x with z, with the bits of {@link #dot}.
     */
    static double rotateDot(double[] x, double[] y, double c, double s, double[] z) {
        double d = 0;
        for (int k = 0; k < x.length; k++) {
            double xi = x[k];
            double yi = y[k];
            double xr = c * xi - s * yi;
            x[k] = xr;
            y[k] = s * xi + c * yi;
            d += xr * z[k];
        }
        return d;
    }

    /** {@code y += a0 x0; y += a1 x1; y += a2 x2; y += a3 x3} in one sweep, each element rounded as by four {@link #axpy} calls. */
    static void axpy4(double a0, double[] x0, double a1, double[] x1, double a2, double[] x2, double a3, double[] x3,
                      double[] y) {
        for (int k = 0; k < y.length; k++) {
            double t = y[k];
            t += a0 * x0[k];
            t += a1 * x1[k];
            t += a2 * x2[k];
            t += a3 * x3[k];
            y[k] = t;
        }
    }
}
