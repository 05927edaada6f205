package org.sgdlab.linalg;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.sgdlab.tensor.Tensor;

/**
 * Thin singular value decomposition {@code A = U diag(sigma) V^T} of a small or medium dense matrix
 * {@code A [m, n]}, {@code r = min(m, n)}, {@code sigma} descending, {@code U [m, r]} and {@code V [n, r]}
 * with orthonormal columns; plus numerical rank and stable rank.
 *
 * <p>Algorithm: one-sided Jacobi (Hestenes 1958; Demmel &amp; Veselic, "Jacobi's method is more accurate
 * than QR", SIAM J. Matrix Anal. Appl. 13(4), 1992). The columns {@code a_i, a_j} of the working copy
 * of A (of {@code A^T} when {@code m < n}) are rotated until every pair is orthogonal to
 * {@code |a_i . a_j| <= m eps ||a_i|| ||a_j||}: with {@code zeta = (||a_j||^2 - ||a_i||^2) / (2 a_i.a_j)},
 * {@code t = sign(zeta) / (|zeta| + sqrt(1 + zeta^2))}, {@code c = 1/sqrt(1+t^2)}, {@code s = c t},
 * {@code a_i <- c a_i - s a_j}, {@code a_j <- s a_i + c a_j} (the same rotation accumulates V). Then
 * {@code sigma_i = ||a_i||}, {@code u_i = a_i / sigma_i}. The singular values have high relative accuracy
 * for matrices whose columns are well conditioned after scaling. Columns of U for numerically zero
 * singular values ({@code sigma_i <= max(m, n) eps sigma_1}) are completed to an orthonormal set.
 * Cost about {@code 3 m n^2} flops per sweep, typically 6 to 10 sweeps; more than 80 sweeps gives
 * {@code converged = false}.
 */
public final class Svd {

    private static final double EPS = Math.ulp(1.0);
    private static final int MAX_SWEEPS = 80;

    private Svd() {
    }

    /**
     * {@code singularValues} (descending), {@code u [m, r]}, {@code v [n, r]} ({@code r = min(m, n)};
     * null when only values were requested). Arrays are shared, do not mutate.
     */
    public record Result(double[] singularValues, Tensor u, Tensor v, boolean converged) {

        /** Number of singular values with {@code sigma_i / sigma_1 > relTol} (0 for the zero matrix). */
        public int rank(double relTol) {
            return Svd.rank(singularValues, relTol);
        }

        /** Stable rank {@code ||A||_F^2 / sigma_1^2 = sum_i sigma_i^2 / sigma_1^2} (0 for the zero matrix). */
        public double stableRank() {
            return Svd.stableRank(singularValues);
        }

        @Override
        public String toString() {
            return "Svd.Result[singularValues=" + Arrays.toString(singularValues) + ", converged=" + converged + "]";
        }
    }

    /** The thin SVD of the rank-2 tensor {@code a}. */
    public static Result decompose(Tensor a) {
        requireMatrix("Svd.decompose", a);
        return compute(a, true);
    }

    /** The singular values of {@code a}, descending (no vectors accumulated). */
    public static double[] singularValues(Tensor a) {
        requireMatrix("Svd.singularValues", a);
        return compute(a, false).singularValues();
    }

    /** Numerical rank: {@code #{i : sigma_i / sigma_1 > relTol}}, {@code 0 <= relTol < 1}. */
    public static int rank(Tensor a, double relTol) {
        requireMatrix("Svd.rank", a);
        checkTol(relTol);
        return rank(singularValues(a), relTol);
    }

    /** Stable rank {@code ||A||_F^2 / ||A||_2^2} (0 for the zero matrix). */
    public static double stableRank(Tensor a) {
        requireMatrix("Svd.stableRank", a);
        return stableRank(singularValues(a));
    }

    // ------------------------------------------------------------------ machinery

    private static void requireMatrix(String op, Tensor a) {
        if (a == null || a.rank() != 2) {
            throw new IllegalArgumentException(op + ": expected a matrix [m, n], got shape "
                    + (a == null ? "null" : Arrays.toString(a.shape())));
        }
    }

    private static void checkTol(double relTol) {
        if (!(relTol >= 0 && relTol < 1)) {
            throw new IllegalArgumentException("Svd.rank: relTol must be in [0, 1), got " + relTol);
        }
    }

    static int rank(double[] s, double relTol) {
        checkTol(relTol);
        if (s.length == 0 || !(s[0] > 0)) {
            return 0;
        }
        int r = 0;
        for (double x : s) {
            if (x / s[0] > relTol) {
                r++;
            }
        }
        return r;
    }

    static double stableRank(double[] s) {
        if (s.length == 0 || !(s[0] > 0)) {
            return 0;
        }
        double sum = 0;
        for (double x : s) {
            double q = x / s[0];
            sum += q * q;
        }
        return sum;
    }

    private static Result compute(Tensor a, boolean wantVectors) {
        int rows = a.dim(0);
        int cols = a.dim(1);
        boolean transposed = rows < cols;
        int m = transposed ? cols : rows;                   // length of each working column
        int n = transposed ? rows : cols;                   // number of working columns, n <= m
        double[][] c = new double[n][m];                    // c[j] = column j of B (B = A or A^T)
        boolean finite = true;
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double x = a.flat(i * cols + j);
                finite &= Double.isFinite(x);
                if (transposed) {
                    c[i][j] = x;
                } else {
                    c[j][i] = x;
                }
            }
        }
        if (!finite) {
            double[] nan = new double[n];
            Arrays.fill(nan, Double.NaN);
            return new Result(nan, wantVectors ? Tensor.full(Double.NaN, rows, n) : null,
                    wantVectors ? Tensor.full(Double.NaN, cols, n) : null, false);
        }
        double[][] v = null;
        if (wantVectors) {
            v = new double[n][n];                           // v[j] = column j of V_B
            for (int j = 0; j < n; j++) {
                v[j][j] = 1;
            }
        }
        boolean converged = jacobi(c, v, Math.max(1, m) * EPS);
        double[] sigma = new double[n];
        for (int j = 0; j < n; j++) {
            sigma[j] = Vec.norm(c[j]);
        }
        Integer[] order = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer j) -> sigma[j]).reversed());
        double[] s = new double[n];
        for (int k = 0; k < n; k++) {
            s[k] = sigma[order[k]];
        }
        if (!wantVectors) {
            return new Result(s, null, null, converged);
        }
        // B = UB diag(s) VB^T with UB [m, n] from the normalised columns, VB [n, n].
        double[][] ub = new double[n][];
        double zero = Math.max(m, n) * EPS * (n == 0 ? 0 : s[0]);
        for (int k = 0; k < n; k++) {
            double[] col = c[order[k]].clone();
            if (s[k] > zero) {
                Vec.scale(col, 1.0 / s[k]);
                ub[k] = col;
            }
        }
        completeOrthonormal(ub, m);
        double[][] vb = new double[n][];
        for (int k = 0; k < n; k++) {
            vb[k] = v[order[k]];
        }
        // A = B (U = UB, V = VB) or A = B^T (U = VB, V = UB).
        double[][] uCols = transposed ? vb : ub;
        double[][] vCols = transposed ? ub : vb;
        return new Result(s, columnsToMatrix(uCols, rows), columnsToMatrix(vCols, cols), converged);
    }

    /**
     * Cyclic one-sided Jacobi on the columns {@code c} (accumulating the same rotations into the columns
     * {@code v} when non-null) until a sweep performs no rotation. Returns false after MAX_SWEEPS sweeps.
     */
    static boolean jacobi(double[][] c, double[][] v, double tol) {
        int n = c.length;
        double[] norms = new double[n];
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            int j0 = 0;
            for (; j0 + 3 < n; j0 += 4) {
                Vec.squares4(c[j0], c[j0 + 1], c[j0 + 2], c[j0 + 3], norms, j0);
            }
            for (; j0 < n; j0++) {
                norms[j0] = Vec.dot(c[j0], c[j0]);
            }
            boolean rotated = false;
            double[] gs = new double[4];
            for (int i = 0; i < n - 1; i++) {
                // The products <c_i, c_j> for j > i are taken four at a time (one sweep over c_i, four
                // independent sums) while no rotation happens. A rotation of (c_i, c_j) changes c_i and drops
                // the rest of the batch; the sweep that rotates also takes <c_i, c_{j+1}> with the new c_i.
                // Each product has the bits of Vec.dot(c[i], c[j]).
                boolean pending = false;
                int j = i + 1;
                while (j < n) {
                    int batch = pending || n - j < 4 ? 1 : 4;
                    if (pending) {
                        pending = false;                            // gs[0] holds <c_i, c_j> already
                    } else if (batch == 4) {
                        Vec.dot4(c[j], c[j + 1], c[j + 2], c[j + 3], c[i], gs, 0);
                    } else {
                        gs[0] = Vec.dot(c[i], c[j]);
                    }
                    boolean lastRotated = false;
                    for (int t = 0; t < batch && !lastRotated; t++, j++) {
                        double a = norms[i];
                        double b = norms[j];
                        // tracked norms can round to (slightly) negative values for columns that are zero in
                        // exact arithmetic: such a column needs no rotation (and sqrt would give NaN)
                        if (!(a > 0) || !(b > 0)) {
                            continue;
                        }
                        double g = gs[t];
                        if (g == 0 || Math.abs(g) <= tol * Math.sqrt(a) * Math.sqrt(b)) {
                            continue;
                        }
                        rotated = true;
                        lastRotated = true;
                        double zeta = (b - a) / (2.0 * g);
                        double tt = Math.abs(zeta) > 1e150 ? 0.5 / zeta
                                : (zeta >= 0 ? 1.0 : -1.0) / (Math.abs(zeta) + Math.sqrt(1.0 + zeta * zeta));
                        double cs = 1.0 / Math.sqrt(1.0 + tt * tt);
                        double sn = cs * tt;
                        if (j + 1 < n) {
                            gs[0] = Vec.rotateDot(c[i], c[j], cs, sn, c[j + 1]);
                            pending = true;
                        } else {
                            Vec.rotate(c[i], c[j], cs, sn);
                        }
                        if (v != null) {
                            Vec.rotate(v[i], v[j], cs, sn);
                        }
                        norms[i] = a - tt * g;                      // exact for the rotation that zeroes g
                        norms[j] = b + tt * g;
                    }
                }
            }
            if (!rotated) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fills the null entries of {@code cols} with unit vectors of length m orthogonal to all others: a
     * Gaussian vector from a fixed-seed generator (deterministic), Gram-Schmidt twice against the others.
     */
    private static void completeOrthonormal(double[][] cols, int m) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(0x5EEDL);
        for (int k = 0; k < cols.length; k++) {
            if (cols[k] != null) {
                continue;
            }
            java.util.List<double[]> basis = new java.util.ArrayList<>();
            for (double[] col : cols) {
                if (col != null) {
                    basis.add(col);
                }
            }
            while (true) {
                double[] e = Vec.randomUnit(rng, m);
                Vec.orthogonalize(e, basis, -1);
                double nrm = Vec.norm(e);
                if (nrm > 1e-3) {                             // fails only with probability ~0 (basis.size() < m)
                    Vec.scale(e, 1.0 / nrm);
                    cols[k] = e;
                    break;
                }
            }
        }
    }

    private static Tensor columnsToMatrix(double[][] cols, int rows) {
        int r = cols.length;
        double[] out = new double[rows * r];
        for (int k = 0; k < r; k++) {
            for (int i = 0; i < rows; i++) {
                out[i * r + k] = cols[k][i];
            }
        }
        return Tensor.of(out, rows, r);
    }
}
