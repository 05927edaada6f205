package org.sgdlab.linalg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Top-k <b>largest-algebraic</b> eigenpairs {@code A u_i = lambda_i u_i}, {@code lambda_1 >= ... >= lambda_k},
 * of a symmetric operator by the Lanczos method with full re-orthogonalisation (QUANTITIES.md Q5.2;
 * Lanczos 1950; Golub &amp; Van Loan, Matrix Computations, 4th ed., section 10.1).
 *
 * <ol>
 *   <li>Start: with previous eigenvectors {@code u_1..u_k'} (warm start, e.g. the same diagnostic's last
 *       result), {@code q_1 ∝ sum_j u_j / sqrt(k') + 0.1 xi}; otherwise {@code q_1 = xi}; xi is a unit
 *       random vector from {@code rng} (the {@code lanczos} stream). Non-finite warm vectors are ignored.</li>
 *   <li>Lanczos recurrence with classical Gram-Schmidt against all previous Lanczos vectors, applied twice.
 *       On breakdown ({@code beta_j <= 1e-12 max_i |alpha_i|}) continue with a random unit vector
 *       orthogonalised against the basis (a new "block"). Toolkit addition to Q5.2: a breakdown shows
 *       that A has exactly repeated eigenvalues or low rank, and an invariant Krylov space holds one
 *       vector per distinct eigenvalue, so further copies of a top eigenvalue may be unexplored. After a
 *       breakdown, convergence is therefore accepted only at the end of a block (the next breakdown)
 *       whose exploration left the top-k values unchanged, or when the Krylov dimension is exhausted.
 *       Operators without exact multiplicities never break down and pay nothing.</li>
 *   <li>After each step {@code j >= k}: diagonalise {@code T_j} (implicit QL, {@link SymmetricEigen});
 *       the residual of the top-k Ritz pairs {@code (theta_i, s_i)} is the Lanczos-relation estimate
 *       {@code beta_j |s_i[j]|} (plus the tiny discarded {@code beta} of any breakdown); pair i has
 *       converged when residual {@code <= tol |theta_i|}; stop when all k have.</li>
 *   <li>If not converged at Krylov dimension {@code maxDim}, restart from the normalised sum of the current
 *       top-k Ritz vectors, at most {@code maxRestarts} times; then return the best Ritz pairs (smallest
 *       largest relative residual over the cycles) with {@code converged = false}.</li>
 * </ol>
 *
 * <p>Why largest-algebraic: Cohen et al.'s code asks SciPy {@code eigsh} for the largest-magnitude
 * eigenvalue, which can lock onto a large negative eigenvalue of the Hessian; sharpness is
 * {@code lambda_max}, so sgdlab orders by value ({@link PowerIteration} finds the largest magnitude and is
 * kept for cross-checks only).
 *
 * <p>Dense path (Q5.2): {@link #dense} assembles the operator from p applications and diagonalises it;
 * {@link #auto} uses it for {@code p <= 300} and Lanczos above.
 *
 * <p>Reported residuals are the Lanczos-relation estimates, not explicit {@code ||A u - lambda u||} (which
 * would cost k more applications); with full re-orthogonalisation they agree with the explicit residual
 * to about {@code eps ||A||}. If the Krylov space reaches the full dimension p, the Ritz values are the
 * eigenvalues of A and no restart is attempted. Limitation of single-vector Lanczos: in exact arithmetic
 * an eigenvalue of multiplicity r needs r blocks (breakdowns) to be found r times; when the Krylov
 * dimension {@code maxDim} is exhausted first, copies may be missing although every reported pair meets
 * the residual rule. A non-finite operator output ends the run with {@code converged = false} (NaN values
 * when no Ritz pair was formed); it never throws.
 */
public final class Lanczos {

    /** Operator dimension up to which {@link #auto} uses the dense path (Q5.2). */
    public static final int DENSE_MAX_DIM = 300;

    private Lanczos() {
    }

    /**
     * Parameters of Q5.2: number of eigenpairs {@code k >= 1}, relative tolerance {@code tol >= 0} (default
     * 1e-6), maximal Krylov dimension {@code maxDim >= k} per cycle (default 50; capped at the operator
     * dimension), restarts {@code maxRestarts >= 0} (default 3).
     */
    public record Config(int k, double tol, int maxDim, int maxRestarts) {
        public Config {
            if (k < 1) {
                throw new IllegalArgumentException("Lanczos: k must be >= 1, got " + k);
            }
            if (!(tol >= 0) || Double.isInfinite(tol)) {
                throw new IllegalArgumentException("Lanczos: tol must be finite and >= 0, got " + tol);
            }
            if (maxDim < k) {
                throw new IllegalArgumentException("Lanczos: maxDim must be >= k = " + k + ", got " + maxDim);
            }
            if (maxRestarts < 0) {
                throw new IllegalArgumentException("Lanczos: maxRestarts must be >= 0, got " + maxRestarts);
            }
        }

        /** Q5.2 defaults: tol 1e-6, maxDim 50 (at least k), 3 restarts. */
        public static Config defaults(int k) {
            return new Config(k, 1e-6, Math.max(50, k), 3);
        }

        public Config withTol(double t) {
            return new Config(k, t, maxDim, maxRestarts);
        }

        public Config withMaxDim(int m) {
            return new Config(k, tol, m, maxRestarts);
        }

        public Config withMaxRestarts(int r) {
            return new Config(k, tol, maxDim, r);
        }
    }

    /**
     * The top-k eigenpairs: {@code eigenvalues} descending, unit {@code eigenvectors} ([p] each),
     * {@code residuals} (Lanczos-relation estimates of {@code ||A u_i - lambda_i u_i||}),
     * {@code pairConverged[i]} = residual {@code <= tol |lambda_i|}, {@code converged} = all pairs,
     * operator {@code applications}, Lanczos {@code iterations} (steps over all cycles), {@code restarts},
     * wall-clock {@code seconds}. Arrays are shared, do not mutate.
     */
    public record Result(double[] eigenvalues, List<Tensor> eigenvectors, double[] residuals, boolean[] pairConverged,
                         boolean converged, long applications, int iterations, int restarts, double seconds) {

        /** The largest eigenvalue found. */
        public double top() {
            return eigenvalues[0];
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Lanczos.Result[eigenvalues=%s, residuals=%s, converged=%s, "
                            + "applications=%d, iterations=%d, restarts=%d]", Arrays.toString(eigenvalues),
                    Arrays.toString(residuals), converged, applications, iterations, restarts);
        }
    }

    /** Top-k eigenpairs with the Q5.2 defaults and a random start. */
    public static Result topK(LinearOperator a, int k, RandomGenerator rng) {
        return topK(a, Config.defaults(k), rng, List.of());
    }

    /** Top-k eigenpairs with a random start. */
    public static Result topK(LinearOperator a, Config config, RandomGenerator rng) {
        return topK(a, config, rng, List.of());
    }

    /**
     * Top-k eigenpairs, warm-started from {@code warmStart} (previous eigenvectors, each of shape [p]; an
     * empty list means a random start).
     */
    public static Result topK(LinearOperator a, Config config, RandomGenerator rng, List<Tensor> warmStart) {
        if (a == null || config == null || rng == null || warmStart == null) {
            throw new IllegalArgumentException("Lanczos.topK: operator, config, rng and warmStart must be non-null"
                    + " (use List.of() for no warm start)");
        }
        int p = a.dim();
        int k = config.k();
        if (k > p) {
            throw new IllegalArgumentException("Lanczos.topK: k = " + k + " exceeds the operator dimension " + p);
        }
        for (int i = 0; i < warmStart.size(); i++) {
            Operators.requireVector("Lanczos.topK", "warmStart[" + i + "]", warmStart.get(i), p);
        }
        long t0 = System.nanoTime();
        CountingOperator op = a.counting();
        int mEff = Math.min(config.maxDim(), p);
        double[] start = startVector(p, rng, warmStart);

        Cycle best = null;
        boolean anyFailure = false;
        int iterations = 0;
        int restarts = 0;
        for (int cycle = 0; ; cycle++) {
            Krylov kr = new Krylov(op, start, mEff);
            Krylov.Ritz ritz = null;
            boolean failed = false;
            boolean conv = false;
            double[] blockTop = null;                   // top-k Ritz values at the end of the previous block
            boolean brokeDown = false;
            while (true) {
                if (!kr.step()) {
                    failed = true;
                    break;
                }
                iterations++;
                Krylov.Ritz r = kr.size() >= k ? kr.ritz(k) : null;
                if (r != null) {
                    ritz = r;
                    conv = allConverged(r, config.tol());
                }
                if (kr.brokeDown()) {
                    // End of a block (invariant subspace). Its Ritz values are exact, but copies of repeated
                    // eigenvalues may lie outside it: accept only when a whole further block changed nothing.
                    double[] top = r == null ? null : r.values();
                    boolean verified = blockTop != null && top != null && sameValues(blockTop, top, config.tol());
                    blockTop = top;
                    brokeDown = true;
                    if (conv && verified) {
                        break;
                    }
                } else if (conv && !brokeDown) {
                    break;
                }
                if (kr.size() >= mEff || !kr.extend(rng)) {
                    break;
                }
            }
            double[][] current = ritz == null ? null : vectors(kr, ritz);
            if (ritz != null) {
                Cycle c = new Cycle(ritz, current);
                if (best == null || c.ritz.worst() <= best.ritz.worst()) {
                    best = c;
                }
            }
            anyFailure |= failed;
            if (failed || conv || ritz == null || cycle == config.maxRestarts() || kr.size() >= p) {
                break;
            }
            restarts++;
            start = new double[p];
            for (double[] u : current) {
                Vec.axpy(1.0, u, start);
            }
            double n = Vec.norm(start);
            if (!(n > 0) || !Double.isFinite(n)) {
                break;
            }
            Vec.scale(start, 1.0 / n);
        }
        double seconds = (System.nanoTime() - t0) * 1e-9;
        if (best == null) {
            double[] nan = new double[k];
            Arrays.fill(nan, Double.NaN);
            List<Tensor> vs = new ArrayList<>();
            for (int i = 0; i < k; i++) {
                vs.add(Tensor.full(Double.NaN, p));
            }
            return new Result(nan, List.copyOf(vs), nan.clone(), new boolean[k], false, op.applications(), iterations,
                    restarts, seconds);
        }
        boolean[] pc = new boolean[k];
        boolean all = !anyFailure;                      // a non-finite application is never "converged"
        for (int i = 0; i < k; i++) {
            pc[i] = best.ritz.converged(i, config.tol()) && !anyFailure;
            all &= pc[i];
        }
        List<Tensor> vs = new ArrayList<>();
        for (double[] u : best.vectors) {
            vs.add(Tensor.vector(u));
        }
        return new Result(best.ritz.values().clone(), List.copyOf(vs), best.ritz.residuals().clone(), pc, all,
                op.applications(), iterations, restarts, seconds);
    }

    /**
     * Q5.2's automatic choice: {@link #dense} when {@code p <= 300} (the operator is assembled from p
     * applications), else {@link #topK(LinearOperator, Config, RandomGenerator, List)}.
     */
    public static Result auto(LinearOperator a, Config config, RandomGenerator rng, List<Tensor> warmStart) {
        if (a != null && config != null && a.dim() <= DENSE_MAX_DIM) {
            return dense(a, config.k());
        }
        return topK(a, config, rng, warmStart);
    }

    /**
     * Q5.2 dense path: the matrix {@code M} with column j = {@code A e_j} (p applications, {@link
     * LinearOperator#toMatrix}), symmetrised {@code (M + M^T)/2} and diagonalised by {@link SymmetricEigen};
     * the top k pairs are returned. Residuals are explicit, {@code ||S u - lambda u||} with S the
     * symmetrised matrix (no further application); {@code converged} is the dense solver's flag (false also
     * for a non-finite matrix), {@code iterations = restarts = 0}.
     */
    public static Result dense(LinearOperator a, int k) {
        if (a == null) {
            throw new IllegalArgumentException("Lanczos.dense: operator is null");
        }
        int p = a.dim();
        if (k < 1 || k > p) {
            throw new IllegalArgumentException("Lanczos.dense: k must be in [1, " + p + "], got " + k);
        }
        long t0 = System.nanoTime();
        CountingOperator op = a.counting();
        Tensor m = op.toMatrix();
        Tensor sym = m.add(m.transpose()).mul(0.5);
        SymmetricEigen.Result e = SymmetricEigen.solve(sym, true);
        double[] values = Arrays.copyOf(e.values(), k);
        double[] res = new double[k];
        boolean[] pc = new boolean[k];
        List<Tensor> vs = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            Tensor u = e.vector(i);
            vs.add(u);
            res[i] = sym.matmul(u).addScaled(u, -values[i]).norm();      // [p, p] @ [p] -> [p]
            pc[i] = e.converged();
        }
        return new Result(values, List.copyOf(vs), res, pc, e.converged(), op.applications(), 0, 0,
                (System.nanoTime() - t0) * 1e-9);
    }

    private record Cycle(Krylov.Ritz ritz, double[][] vectors) {
    }

    /** {@code |a_i - b_i| <= max(tol, 1e-10) max_j |b_j|} for all i. */
    private static boolean sameValues(double[] a, double[] b, double tol) {
        double scale = 0;
        for (double x : b) {
            scale = Math.max(scale, Math.abs(x));
        }
        for (int i = 0; i < a.length; i++) {
            if (!(Math.abs(a[i] - b[i]) <= Math.max(tol, 1e-10) * scale)) {
                return false;
            }
        }
        return true;
    }

    private static boolean allConverged(Krylov.Ritz r, double tol) {
        for (int i = 0; i < r.values().length; i++) {
            if (!r.converged(i, tol)) {
                return false;
            }
        }
        return true;
    }

    /** Unit Ritz vectors {@code Q s_i}. */
    private static double[][] vectors(Krylov kr, Krylov.Ritz r) {
        double[][] out = new double[r.values().length][];
        for (int i = 0; i < out.length; i++) {
            double[] u = kr.combine(r.coefficients()[i]);
            double n = Vec.norm(u);
            Vec.scale(u, 1.0 / n);
            out[i] = u;
        }
        return out;
    }

    /** Q5.2 step 1: {@code q_1 ∝ sum_j u_j / sqrt(k') + 0.1 xi} (warm) or {@code xi} (cold), unit norm. */
    static double[] startVector(int p, RandomGenerator rng, List<Tensor> warm) {
        double[] xi = Vec.randomUnit(rng, p);
        if (warm.isEmpty()) {
            return xi;
        }
        double[] s = new double[p];
        double c = 1.0 / Math.sqrt(warm.size());
        for (Tensor u : warm) {
            Vec.axpy(c, u.toArray(), s);
        }
        Vec.axpy(0.1, xi, s);
        double n = Vec.norm(s);
        if (!(n > 0) || !Double.isFinite(n)) {
            return xi;
        }
        Vec.scale(s, 1.0 / n);
        return s;
    }
}
