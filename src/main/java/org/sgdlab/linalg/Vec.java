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
            for (int i = 0; i < j; i++) {
                c[i] = dot(basis.get(i), w);                    // Q^T w with the same w for every i (classical)
            }
            for (int i = 0; i < j; i++) {
                axpy(-c[i], basis.get(i), w);
            }
            if (track >= 0) {
                tracked += c[track];
            }
        }
        return tracked;
    }
}
