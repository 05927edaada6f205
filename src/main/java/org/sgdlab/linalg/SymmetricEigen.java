package org.sgdlab.linalg;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.sgdlab.tensor.Tensor;

/**
 * All eigenpairs of a small dense symmetric matrix, {@code A = V diag(lambda) V^T}, in pure Java.
 *
 * <p>Algorithm: Householder reduction to tridiagonal form {@code A = Q T Q^T} (Golub &amp; Van Loan,
 * Matrix Computations, 4th ed., Alg. 8.3.1), then the implicit QL iteration with Wilkinson shifts on T,
 * accumulating the rotations into Q (Bowdler, Martin, Reinsch &amp; Wilkinson, "The QR and QL algorithms
 * for symmetric matrices", Numer. Math. 11, 1968). Backward stable: each eigenvalue is exact for a
 * matrix within about {@code n * eps * ||A||} of A, and the eigenvectors are orthonormal to working
 * precision. Cost about {@code 9 n^3} flops with vectors. This is the dense path of QUANTITIES.md Q5.2
 * and the tridiagonal solver of {@link Lanczos} and {@link Slq}.
 *
 * <p>Results are sorted in descending order of eigenvalue. A non-finite input, or a QL iteration that
 * does not converge within 60 sweeps for one eigenvalue, gives {@code converged = false} (NaN values for
 * non-finite input) instead of an exception.
 */
public final class SymmetricEigen {

    private static final double EPS = Math.ulp(1.0);
    private static final int MAX_QL_ITERATIONS = 60;

    private SymmetricEigen() {
    }

    /**
     * Eigenvalues {@code values} (descending) and eigenvectors: column i of {@code vectors [n, n]} is the
     * unit eigenvector of {@code values[i]} (the array is shared, do not mutate).
     */
    public record Result(double[] values, Tensor vectors, boolean converged) {
        /** The unit eigenvector of {@code values[i]} as a rank-1 tensor {@code [n]}. */
        public Tensor vector(int i) {
            int n = values.length;
            if (i < 0 || i >= n) {
                throw new IllegalArgumentException("SymmetricEigen.Result.vector: index " + i + " outside [0, " + n + ")");
            }
            double[] v = new double[n];
            for (int r = 0; r < n; r++) {
                v[r] = vectors.flat(r * n + i);
            }
            return Tensor.vector(v);
        }

        @Override
        public String toString() {
            return "SymmetricEigen.Result[values=" + Arrays.toString(values) + ", converged=" + converged + "]";
        }
    }

    /**
     * All eigenpairs of the symmetric matrix {@code a [n, n]}. The solver reads {@code (A + A^T)/2}; a matrix
     * whose asymmetry exceeds {@code 1e-10 * max |A_ij|} is rejected as a likely bug.
     */
    public static Result decompose(Tensor a) {
        Operators.requireSymmetric("SymmetricEigen.decompose", a);
        return solve(a, true);
    }

    /** The eigenvalues of {@code a} in descending order (no vectors: about 3 times cheaper). */
    public static double[] eigenvalues(Tensor a) {
        Operators.requireSymmetric("SymmetricEigen.eigenvalues", a);
        return solve(a, false).values();
    }

    /**
     * Eigenpairs of the symmetric tridiagonal matrix with diagonal {@code diag[0..n-1]} and off-diagonal
     * {@code offDiag[0..n-2]} ({@code offDiag[i] = T[i, i+1] = T[i+1, i]}), by implicit QL.
     */
    public static Result tridiagonal(double[] diag, double[] offDiag) {
        int n = diag.length;
        if (n < 1 || offDiag.length != n - 1) {
            throw new IllegalArgumentException("SymmetricEigen.tridiagonal: need n >= 1 diagonal and n - 1 off-diagonal"
                    + " entries, got " + n + " and " + offDiag.length);
        }
        double[] d = diag.clone();
        double[] e = Arrays.copyOf(offDiag, n);
        if (!Vec.finite(d) || !Vec.finite(e)) {
            return failed(n);
        }
        double[][] z = new double[n][n];
        for (int i = 0; i < n; i++) {
            z[i][i] = 1;
        }
        boolean ok = ql(d, e, z);
        return sorted(d, z, ok);
    }

    // ------------------------------------------------------------------ machinery

    static Result solve(Tensor a, boolean wantVectors) {
        int n = a.dim(0);
        double[][] m = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = 0.5 * (a.flat(i * n + j) + a.flat(j * n + i));
                if (!Double.isFinite(m[i][j])) {
                    return failed(n);
                }
            }
        }
        double[] d = new double[n];
        double[] e = new double[n];
        double[][] z = tridiagonalize(m, d, e, wantVectors);
        boolean ok = ql(d, e, z);
        return sorted(d, z, ok);
    }

    private static Result failed(int n) {
        double[] v = new double[n];
        Arrays.fill(v, Double.NaN);
        return new Result(v, Tensor.full(Double.NaN, n, n), false);
    }

    /**
     * Householder reduction of the symmetric {@code a} (overwritten) to {@code T = Q^T A Q} with diagonal
     * {@code d} and off-diagonal {@code e} ({@code e[i] = T[i, i+1]}, {@code e[n-1] = 0}). Returns
     * {@code Q^T} (row i = column i of Q) when {@code wantQ}, else null. Reflector k maps
     * {@code x = A[k+1.., k]} to {@code beta e_1}: {@code H = I - tau v v^T}, {@code v = x - beta e_1},
     * {@code beta = -sign(x_0) ||x||}, {@code tau = 2 / v^T v}; the trailing block is updated as
     * {@code B <- B - v w^T - w v^T} with {@code p = tau B v}, {@code w = p - (tau/2)(v^T p) v}.
     */
    static double[][] tridiagonalize(double[][] a, double[] d, double[] e, boolean wantQ) {
        int n = d.length;
        double[][] vs = new double[n][];
        double[] taus = new double[n];
        for (int k = 0; k + 2 < n; k++) {
            int len = n - k - 1;
            int o = k + 1;
            double[] v = new double[len];
            double ss = 0;
            for (int i = 0; i < len; i++) {
                v[i] = a[o + i][k];
                ss += v[i] * v[i];
            }
            double alpha = Math.sqrt(ss);
            double x0 = v[0];
            if (alpha == 0) {
                e[k] = 0;
                continue;
            }
            double beta = x0 >= 0 ? -alpha : alpha;
            v[0] = x0 - beta;
            double vtv = Vec.dot(v, v);
            double tau = 2.0 / vtv;
            double[] p = new double[len];
            for (int i = 0; i < len; i++) {                   // p = tau B v, B = a[o.., o..]
                double[] row = a[o + i];
                double s = 0;
                for (int j = 0; j < len; j++) {
                    s += row[o + j] * v[j];
                }
                p[i] = tau * s;
            }
            double kk = 0.5 * tau * Vec.dot(v, p);
            for (int i = 0; i < len; i++) {
                p[i] -= kk * v[i];                              // p now holds w
            }
            for (int i = 0; i < len; i++) {                   // B -= v w^T + w v^T
                double[] row = a[o + i];
                double vi = v[i];
                double wi = p[i];
                for (int j = 0; j < len; j++) {
                    row[o + j] -= vi * p[j] + wi * v[j];
                }
            }
            e[k] = beta;
            vs[k] = v;
            taus[k] = tau;
        }
        for (int i = 0; i < n; i++) {
            d[i] = a[i][i];
        }
        if (n >= 2) {
            e[n - 2] = a[n - 1][n - 2];
        }
        e[n - 1] = 0;
        if (!wantQ) {
            return null;
        }
        // Q = H_0 H_1 ... H_{n-3}, accumulated from the right end: Q <- H_k Q touches rows and columns > k.
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            q[i][i] = 1;
        }
        for (int k = n - 3; k >= 0; k--) {
            double[] v = vs[k];
            if (v == null) {
                continue;
            }
            int o = k + 1;
            int len = v.length;
            double[] s = new double[n];
            for (int i = 0; i < len; i++) {                   // s = v^T Q[o.., :]
                Vec.axpy(v[i], q[o + i], s);
            }
            for (int i = 0; i < len; i++) {                   // Q[o.., :] -= tau v s^T
                Vec.axpy(-taus[k] * v[i], s, q[o + i]);
            }
        }
        double[][] qt = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                qt[j][i] = q[i][j];
            }
        }
        return qt;
    }

    /**
     * Implicit QL with Wilkinson shifts on the tridiagonal {@code (d, e)}, {@code e[i]} coupling i and i+1
     * ({@code e[n-1]} is workspace). On return {@code d} holds the eigenvalues (unsorted) and row i of
     * {@code z} (if non-null) has been rotated into the eigenvector of {@code d[i]}: pass the rows of
     * the basis in which T is expressed (identity for T itself, {@code Q^T} for {@code A = Q T Q^T}).
     * Returns false if some eigenvalue needed more than 60 iterations.
     */
    static boolean ql(double[] d, double[] e, double[][] z) {
        int n = d.length;
        // negligible off-diagonals are judged against the running scale max_{i<=l} |d_i| + |e_i| (as EISPACK's
        // tql2 does), not only against their neighbours: with a cluster of near-zero eigenvalues (a Hessian at
        // interpolation) a purely local relative test can never be met
        double scale = 0;
        for (int l = 0; l < n; l++) {
            scale = Math.max(scale, Math.abs(d[l]) + Math.abs(e[l]));
            int iter = 0;
            while (true) {
                int m = l;
                while (m < n - 1) {                           // first negligible e[m] at or after l
                    double dd = Math.max(Math.abs(d[m]) + Math.abs(d[m + 1]), scale);
                    if (Math.abs(e[m]) <= EPS * dd || Math.abs(e[m]) < Double.MIN_NORMAL) {
                        break;
                    }
                    m++;
                }
                if (m == l) {
                    break;                                    // d[l] is an eigenvalue
                }
                if (++iter > MAX_QL_ITERATIONS) {
                    return false;
                }
                // shift: the eigenvalue of the leading 2x2 block [d_l, e_l; e_l, d_{l+1}] closer to d_l
                double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                double r = Math.hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
                double s = 1;
                double c = 1;
                double p = 0;
                boolean deflated = false;
                for (int i = m - 1; i >= l; i--) {            // chase the bulge from the bottom of the block up
                    double f = s * e[i];
                    double b = c * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) {                             // exact split: restart on the smaller block
                        d[i + 1] -= p;
                        e[m] = 0;
                        deflated = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                    if (z != null) {
                        double[] zi = z[i];
                        double[] zi1 = z[i + 1];
                        for (int k = 0; k < zi.length; k++) {
                            double t = zi1[k];
                            zi1[k] = s * zi[k] + c * t;
                            zi[k] = c * zi[k] - s * t;
                        }
                    }
                }
                if (deflated) {
                    continue;
                }
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        }
        return true;
    }

    /** Sorts (d, rows of z) by descending eigenvalue into a Result ({@code vectors} column i = z row). */
    static Result sorted(double[] d, double[][] z, boolean ok) {
        int n = d.length;
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> d[i]).reversed());
        double[] values = new double[n];
        double[] vec = new double[n * n];
        for (int c = 0; c < n; c++) {
            int src = order[c];
            values[c] = d[src];
            if (z != null) {
                double[] row = z[src];
                for (int r = 0; r < n; r++) {
                    vec[r * n + c] = row[r];                  // column c of V
                }
            }
        }
        return new Result(values, z == null ? null : Tensor.of(vec, n, n), ok);
    }
}
