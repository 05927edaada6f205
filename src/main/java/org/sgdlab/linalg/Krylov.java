package org.sgdlab.linalg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * The Lanczos process with full re-orthogonalisation, one step at a time (QUANTITIES.md Q5.2 steps 2-3).
 *
 * <p>Step j: {@code w = A q_j - alpha_j q_j - beta_{j-1} q_{j-1}}, then classical Gram-Schmidt of w against
 * all basis vectors, twice (the correction along {@code q_j} is added to {@code alpha_j});
 * {@code beta_j = ||w||}, {@code q_{j+1} = w / beta_j}. This keeps the relation
 * {@code A Q_j = Q_j T_j + beta_j q_{j+1} e_j^T} with {@code Q_j} orthonormal to working precision.
 * Breakdown is {@code beta_j <= 1e-12 max_i |alpha_i|} (an invariant subspace was found): the caller may
 * continue with a random unit vector orthogonalised against the basis, with {@code T[j, j+1] = 0}; the
 * discarded tiny {@code beta_j} is kept for the residual bound of {@link Ritz}.
 */
final class Krylov {

    static final double BREAKDOWN = 1e-12;

    private final LinearOperator a;
    private final int p;
    private final List<double[]> q = new ArrayList<>();
    private final double[] alpha;
    private final double[] off;                 // off[j] = T[j, j+1]
    private final List<Integer> breakIndex = new ArrayList<>();
    private final List<Double> breakBeta = new ArrayList<>();
    private double[] w;
    private double beta;                        // ||w|| after the last step
    private double maxAlpha;
    private int steps;

    /** A process of at most {@code capacity} steps starting from the unit vector {@code start}. */
    Krylov(LinearOperator a, double[] start, int capacity) {
        this.a = a;
        this.p = a.dim();
        this.alpha = new double[capacity];
        this.off = new double[capacity];
        q.add(start);
    }

    /** Number of completed steps (= basis vectors with A applied = size of T). */
    int size() {
        return steps;
    }

    int capacity() {
        return alpha.length;
    }

    /** Applies A to the newest basis vector. False when the result (or alpha/beta) is not finite. */
    boolean step() {
        int j = steps;
        double[] qj = q.get(j);
        double[] r = a.apply(Tensor.vector(qj)).toArray();
        if (!Vec.finite(r)) {
            return false;
        }
        double al = Vec.dot(qj, r);
        Vec.axpy(-al, qj, r);
        if (j > 0) {
            Vec.axpy(-off[j - 1], q.get(j - 1), r);
        }
        al += Vec.orthogonalize(r, q, j);
        alpha[j] = al;
        beta = Vec.norm(r);
        w = r;
        maxAlpha = Math.max(maxAlpha, Math.abs(al));
        steps = j + 1;
        return Double.isFinite(al) && Double.isFinite(beta);
    }

    /** True when the last step found an invariant subspace: {@code beta_j <= 1e-12 max_i |alpha_i|}. */
    boolean brokeDown() {
        return beta <= BREAKDOWN * maxAlpha;
    }

    /**
     * Appends the next basis vector: {@code w / beta}, or after a breakdown (when {@code rng} is non-null) a
     * random unit vector orthogonalised twice against the basis. False when the basis cannot grow: it
     * spans the whole space, it is at capacity, or it broke down and {@code rng} is null.
     */
    boolean extend(RandomGenerator rng) {
        if (steps >= p || steps >= alpha.length) {
            return false;
        }
        int j = steps - 1;
        if (!brokeDown()) {
            off[j] = beta;
            Vec.scale(w, 1.0 / beta);
            q.add(w);
            return true;
        }
        if (rng == null) {
            return false;
        }
        for (int attempt = 0; attempt < 5; attempt++) {
            double[] x = Vec.randomUnit(rng, p);
            Vec.orthogonalize(x, q, -1);
            double n = Vec.norm(x);
            if (n > 1e-8) {
                Vec.scale(x, 1.0 / n);
                breakIndex.add(j);
                breakBeta.add(beta);
                off[j] = 0;
                q.add(x);
                return true;
            }
        }
        return false;
    }

    /** The tridiagonal {@code T} of the completed steps as its eigendecomposition (descending). */
    SymmetricEigen.Result eigenOfT() {
        return SymmetricEigen.tridiagonal(Arrays.copyOf(alpha, steps), Arrays.copyOf(off, Math.max(0, steps - 1)));
    }

    /**
     * The top {@code k} Ritz pairs of the completed steps, or null if the tridiagonal solver failed.
     * Residual bound of pair i (from the Lanczos relation, no operator application):
     * {@code ||A Q s_i - theta_i Q s_i|| <= beta_j |s_i[j]| + sum_b beta_b |s_i[b]|} over the breakdown
     * points b (Q5.2 step 3; the sum is empty without breakdowns).
     */
    Ritz ritz(int k) {
        SymmetricEigen.Result e = eigenOfT();
        if (!e.converged()) {
            return null;
        }
        int n = steps;
        double[] values = Arrays.copyOf(e.values(), k);
        double[][] s = new double[k][n];
        double[] res = new double[k];
        for (int i = 0; i < k; i++) {
            for (int r = 0; r < n; r++) {
                s[i][r] = e.vectors().flat(r * n + i);
            }
            double bound = beta * Math.abs(s[i][n - 1]);
            for (int b = 0; b < breakIndex.size(); b++) {
                bound += breakBeta.get(b) * Math.abs(s[i][breakIndex.get(b)]);
            }
            res[i] = bound;
        }
        return new Ritz(values, s, res);
    }

    /** {@code Q c} for a coefficient vector c of length {@link #size()}. */
    double[] combine(double[] c) {
        double[] out = new double[p];
        for (int r = 0; r < c.length; r++) {
            Vec.axpy(c[r], q.get(r), out);
        }
        return out;
    }

    /** Ritz values (descending), coefficient vectors in the Lanczos basis, residual bounds. */
    record Ritz(double[] values, double[][] coefficients, double[] residuals) {
        boolean converged(int i, double tol) {
            return residuals[i] <= tol * Math.abs(values[i]);
        }

        /** Largest relative residual {@code res_i / |theta_i|} (infinite when a theta is 0 with res > 0). */
        double worst() {
            double w = 0;
            for (int i = 0; i < values.length; i++) {
                double r = residuals[i] == 0 ? 0 : residuals[i] / Math.abs(values[i]);
                w = Math.max(w, Double.isNaN(r) ? Double.POSITIVE_INFINITY : r);
            }
            return w;
        }
    }
}
