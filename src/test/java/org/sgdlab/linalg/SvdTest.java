package org.sgdlab.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

/** One-sided Jacobi SVD against matrices U diag(sigma) V^T of known singular values. */
class SvdTest {

    /**
     * Values to {@code 1e-12 sigma_1}, {@code U^T U = I}, {@code V^T V = I}, {@code A = U S V^T} to
     * {@code 1e-12 sigma_1}, {@code A v_i = sigma_i u_i}.
     */
    private static Svd.Result check(Tensor a, double[] sigma) {
        int m = a.dim(0);
        int n = a.dim(1);
        int r = Math.min(m, n);
        Svd.Result s = Svd.decompose(a);
        assertTrue(s.converged());
        double[] want = Known.descending(Arrays.copyOf(sigma, r));     // pad with zeros to min(m, n)
        double scale = Math.max(want.length == 0 ? 0 : want[0], 1e-300);
        assertEquals(r, s.singularValues().length);
        for (int i = 0; i < r; i++) {
            assertEquals(want[i], s.singularValues()[i], 1e-12 * scale, "sigma_" + i);
        }
        assertArrayEquals(s.singularValues(), Svd.singularValues(a), 1e-14 * scale, "values-only path");
        assertArrayEquals(new int[] {m, r}, s.u().shape());
        assertArrayEquals(new int[] {n, r}, s.v().shape());
        for (int i = 0; i < r; i++) {
            for (int j = 0; j <= i; j++) {
                assertEquals(i == j ? 1 : 0, Known.dot(Known.column(s.u(), i), Known.column(s.u(), j)), 1e-12, "U");
                assertEquals(i == j ? 1 : 0, Known.dot(Known.column(s.v(), i), Known.column(s.v(), j)), 1e-12, "V");
            }
            double[] av = Known.mul(a, Known.column(s.v(), i));
            double[] u = Known.column(s.u(), i);
            for (int k = 0; k < m; k++) {
                assertEquals(s.singularValues()[i] * u[k], av[k], 1e-12 * scale, "A v_i = sigma_i u_i");
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double x = 0;
                for (int k = 0; k < r; k++) {
                    x += s.u().get(i, k) * s.singularValues()[k] * s.v().get(j, k);
                }
                assertEquals(a.get(i, j), x, 1e-12 * scale, "reconstruction");
            }
        }
        return s;
    }

    @Test
    void tallWideAndSquareMatricesOfKnownSingularValues() {
        SplittableRandom rng = new SplittableRandom(21);
        int[][] shapes = {{1, 1}, {5, 1}, {1, 6}, {12, 12}, {40, 15}, {15, 40}};
        for (int[] sh : shapes) {
            int r = Math.min(sh[0], sh[1]);
            double[] sigma = new double[r];
            for (int i = 0; i < r; i++) {
                sigma[i] = 0.1 + 10 * rng.nextDouble();
            }
            check(Known.withSingularValues(rng, sh[0], sh[1], sigma), sigma);
        }
    }

    @Test
    void rankDeficientMatricesHaveZeroSingularValuesAndTheRightRank() {
        SplittableRandom rng = new SplittableRandom(22);
        double[] sigma = {7, 3, 3, 0.5};                                   // rank 4 with a repeated value
        Tensor tall = Known.withSingularValues(rng, 30, 10, sigma);
        Svd.Result s = check(tall, sigma);
        assertEquals(4, s.rank(1e-10));
        assertEquals(4, Svd.rank(tall, 1e-10));
        assertEquals(3, Svd.rank(tall, 0.5 / 7 + 1e-9), "threshold just above sigma_4 / sigma_1");
        assertEquals(1, Svd.rank(tall, 3.0 / 7 + 1e-9));
        Tensor wide = Known.withSingularValues(rng, 8, 25, sigma);
        check(wide, sigma);
        assertEquals(4, Svd.rank(wide, 1e-10));
    }

    @Test
    void stableRankIsFrobeniusOverSpectralSquared() {
        SplittableRandom rng = new SplittableRandom(23);
        double[] sigma = {4, 2, 1, 1};
        Tensor a = Known.withSingularValues(rng, 9, 6, sigma);
        double fro2 = 0;
        for (int i = 0; i < a.size(); i++) {
            fro2 += a.flat(i) * a.flat(i);
        }
        assertEquals(fro2 / 16, Svd.stableRank(a), 1e-12);
        assertEquals((16 + 4 + 1 + 1) / 16.0, Svd.stableRank(a), 1e-12);
    }

    @Test
    void diagonalWithNegativeEntriesAndZeroMatrix() {
        Tensor d = Tensor.matrix(new double[][] {{-3, 0, 0}, {0, 0.5, 0}, {0, 0, -7}, {0, 0, 0}});
        Svd.Result s = check(d, new double[] {3, 0.5, 7});
        assertArrayEquals(new double[] {7, 3, 0.5}, s.singularValues(), 0.0);
        Svd.Result z = check(Tensor.zeros(4, 3), new double[0]);
        assertEquals(0, z.rank(0.0));
        assertEquals(0.0, z.stableRank());
    }

    @Test
    void nonFiniteInputIsData() {
        Svd.Result s = Svd.decompose(Tensor.matrix(new double[][] {{1, Double.NaN}, {0, 1}}));
        assertFalse(s.converged());
        assertTrue(Double.isNaN(s.singularValues()[0]));
    }

    @Test
    void badInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Svd.decompose(Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Svd.rank(Tensor.eye(2), 1.5));
        assertTrue(e.getMessage().contains("relTol") && e.getMessage().contains("1.5"), e.getMessage());
    }
    /**
     * Found through SF5: the Jacobian of a student whose layer 2 died is finite, yet its rank came out as -1 (NaN
     * singular values). Minimal case: a rank-1 matrix e_1 r^T has singular values (||r||, 0, 0, 0). In
     * {@code Svd.jacobi} the tracked squared norms {@code a - t g} of two columns rotated to zero became -5.55e-17;
     * the skip test {@code |g| <= tol sqrt(a) sqrt(b)} is then NaN (false), so the pair with g = 0 and a = b is
     * rotated with zeta = 0/0 and every column turns NaN. Pairs with a non-positive tracked norm or g = 0 are now
     * skipped.
     */
    @Test
    void svdOfARankOneMatrixIsFinite() {
        double[] r = {-0.11809525893283676, -1.41152156687343, 0.46605334379240704, -0.6772331232671996};
        double[][] a = new double[4][4];
        a[0] = r.clone();
        double[] s = Svd.singularValues(Tensor.matrix(a));
        double norm = Math.sqrt(r[0] * r[0] + r[1] * r[1] + r[2] * r[2] + r[3] * r[3]);
        assertEquals(norm, s[0], 1e-12 * norm, java.util.Arrays.toString(s));
        for (int i = 1; i < 4; i++) {
            assertEquals(0.0, s[i], 1e-12 * norm, java.util.Arrays.toString(s));
        }
    }


    /** The Jacobi sweep as it was before the products were batched: one Vec.dot per pair. */
    private static boolean unbatchedJacobi(double[][] c, double[][] v, double tol) {
        int n = c.length;
        double[] norms = new double[n];
        for (int sweep = 0; sweep < 80; sweep++) {
            for (int j = 0; j < n; j++) {
                norms[j] = Vec.dot(c[j], c[j]);
            }
            boolean rotated = false;
            for (int i = 0; i < n - 1; i++) {
                for (int j = i + 1; j < n; j++) {
                    double a = norms[i];
                    double b = norms[j];
                    if (!(a > 0) || !(b > 0)) {
                        continue;
                    }
                    double g = Vec.dot(c[i], c[j]);
                    if (g == 0 || Math.abs(g) <= tol * Math.sqrt(a) * Math.sqrt(b)) {
                        continue;
                    }
                    rotated = true;
                    double zeta = (b - a) / (2.0 * g);
                    double t = Math.abs(zeta) > 1e150 ? 0.5 / zeta
                            : (zeta >= 0 ? 1.0 : -1.0) / (Math.abs(zeta) + Math.sqrt(1.0 + zeta * zeta));
                    double cs = 1.0 / Math.sqrt(1.0 + t * t);
                    double sn = cs * t;
                    for (double[][] m : v == null ? new double[][][] {c} : new double[][][] {c, v}) {
                        for (int k = 0; k < m[i].length; k++) {
                            double xi = m[i][k];
                            double yi = m[j][k];
                            m[i][k] = cs * xi - sn * yi;
                            m[j][k] = sn * xi + cs * yi;
                        }
                    }
                    norms[i] = a - t * g;
                    norms[j] = b + t * g;
                }
            }
            if (!rotated) {
                return true;
            }
        }
        return false;
    }

    @Test
    void batchedJacobiHasTheBitsOfTheOnePairAtATimeSweep() {
        SplittableRandom r = new SplittableRandom(21);
        // column counts around the batch of four, rank-deficient and zero columns, nearly orthogonal columns
        for (int n : new int[] {1, 2, 3, 4, 5, 7, 9, 13}) {
            for (int kind = 0; kind < 3; kind++) {
                int m = 40;
                double[][] c = new double[n][m];
                for (int j = 0; j < n; j++) {
                    for (int k = 0; k < m; k++) {
                        c[j][k] = kind == 2 ? (j == k ? 1 : 1e-9 * r.nextGaussian()) : r.nextGaussian();
                    }
                }
                if (kind == 1 && n > 2) {
                    Arrays.fill(c[1], 0.0);                               // a zero column
                    for (int k = 0; k < m; k++) {
                        c[n - 1][k] = c[0][k] - 2 * c[2 % n][k];          // a dependent one
                    }
                }
                double[][] c2 = new double[n][];
                double[][] v = new double[n][n];
                double[][] v2 = new double[n][n];
                for (int j = 0; j < n; j++) {
                    c2[j] = c[j].clone();
                    v[j][j] = 1;
                    v2[j][j] = 1;
                }
                double tol = m * Math.ulp(1.0);
                assertEquals(unbatchedJacobi(c2, v2, tol), Svd.jacobi(c, v, tol));
                for (int j = 0; j < n; j++) {
                    assertArrayEquals(c2[j], c[j], 0.0, "column " + j + ", n=" + n + " kind=" + kind);
                    assertArrayEquals(v2[j], v[j], 0.0, "V column " + j + ", n=" + n + " kind=" + kind);
                }
            }
        }
    }
}
