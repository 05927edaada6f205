package org.sgdlab.linalg;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.sgdlab.tensor.Tensor;

/**
 * Test matrices with a prescribed spectrum, written independently of the code under test:
 * {@code A = Q diag(lambda) Q^T} with Q the orthogonal factor of a Gaussian matrix (modified Gram-Schmidt,
 * applied twice), and naive loop references for products and norms.
 */
final class Known {

    private Known() {
    }

    /** A random orthogonal [n, n] matrix as columns q[j] (q[j][i] = Q[i, j]). */
    static double[][] orthogonalColumns(SplittableRandom rng, int rows, int cols) {
        double[][] q = new double[cols][rows];
        for (int j = 0; j < cols; j++) {
            for (int i = 0; i < rows; i++) {
                q[j][i] = rng.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < j; k++) {
                    double d = 0;
                    for (int i = 0; i < rows; i++) {
                        d += q[k][i] * q[j][i];
                    }
                    for (int i = 0; i < rows; i++) {
                        q[j][i] -= d * q[k][i];
                    }
                }
            }
            double n = 0;
            for (int i = 0; i < rows; i++) {
                n += q[j][i] * q[j][i];
            }
            n = Math.sqrt(n);
            for (int i = 0; i < rows; i++) {
                q[j][i] /= n;
            }
        }
        return q;
    }

    /** {@code Q diag(lambda) Q^T} (exactly symmetric) with a random orthogonal Q. */
    static Tensor withSpectrum(SplittableRandom rng, double... lambda) {
        int n = lambda.length;
        double[][] q = orthogonalColumns(rng, n, n);
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += q[k][i] * lambda[k] * q[k][j];
                }
                a[i * n + j] = s;
                a[j * n + i] = s;
            }
        }
        return Tensor.of(a, n, n);
    }

    /** {@code U diag(sigma) V^T} [m, n] with random orthonormal U [m, r], V [n, r], r = sigma.length. */
    static Tensor withSingularValues(SplittableRandom rng, int m, int n, double... sigma) {
        int r = sigma.length;
        double[][] u = orthogonalColumns(rng, m, r);
        double[][] v = orthogonalColumns(rng, n, r);
        double[] a = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += u[k][i] * sigma[k] * v[k][j];
                }
                a[i * n + j] = s;
            }
        }
        return Tensor.of(a, m, n);
    }

    /** A random symmetric matrix (B + B^T)/2 with Gaussian B. */
    static Tensor randomSymmetric(SplittableRandom rng, int n) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double x = rng.nextGaussian();
                a[i * n + j] = x;
                a[j * n + i] = x;
            }
        }
        return Tensor.of(a, n, n);
    }

    /** Naive {@code A v}. */
    static double[] mul(Tensor a, double[] v) {
        int n = a.dim(0);
        int m = a.dim(1);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < m; j++) {
                s += a.get(i, j) * v[j];
            }
            out[i] = s;
        }
        return out;
    }

    /** {@code ||A v - lambda v||}. */
    static double residual(Tensor a, double[] v, double lambda) {
        double[] av = mul(a, v);
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            double d = av[i] - lambda * v[i];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    /** Largest |entry| of the symmetric matrix's spectrum, i.e. ||A||_2 from the known spectrum. */
    static double maxAbs(double... x) {
        double m = 0;
        for (double v : x) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    /** The values sorted in descending order (a copy). */
    static double[] descending(double... x) {
        double[] s = x.clone();
        Arrays.sort(s);
        for (int i = 0; i < s.length / 2; i++) {
            double t = s[i];
            s[i] = s[s.length - 1 - i];
            s[s.length - 1 - i] = t;
        }
        return s;
    }

    /** Column j of a matrix as an array. */
    static double[] column(Tensor m, int j) {
        double[] c = new double[m.dim(0)];
        for (int i = 0; i < c.length; i++) {
            c[i] = m.get(i, j);
        }
        return c;
    }

    /** A spectrum: {@code top} followed by {@code rest} values uniform in [lo, hi). */
    static double[] spectrum(SplittableRandom rng, double[] top, int rest, double lo, double hi) {
        double[] s = Arrays.copyOf(top, top.length + rest);
        for (int i = 0; i < rest; i++) {
            s[top.length + i] = lo + (hi - lo) * rng.nextDouble();
        }
        return s;
    }
}
