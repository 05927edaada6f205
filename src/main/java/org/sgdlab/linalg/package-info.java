/**
 * Matrix-free linear algebra for curvature diagnostics (QUANTITIES.md Q5, Q8).
 *
 * <ul>
 *   <li>{@link org.sgdlab.linalg.LinearOperator}: a symmetric operator {@code v -> A v} on rank-1 tensors
 *       (Hessian, Gauss-Newton, NTK, noise covariance), with sums, scalings, shifts and a
 *       {@link org.sgdlab.linalg.CountingOperator counting wrapper}.</li>
 *   <li>{@link org.sgdlab.linalg.Lanczos}: top-k largest-algebraic eigenpairs with full
 *       re-orthogonalisation, warm start and restarts (Q5.2).</li>
 *   <li>{@link org.sgdlab.linalg.PowerIteration}: largest-magnitude eigenpair, for cross-checks (Q5.2).</li>
 *   <li>{@link org.sgdlab.linalg.Hutchinson}: trace with Rademacher probes (Q8.1).</li>
 *   <li>{@link org.sgdlab.linalg.Slq}: stochastic Lanczos quadrature spectral density (Q8.2).</li>
 *   <li>{@link org.sgdlab.linalg.SymmetricEigen} and {@link org.sgdlab.linalg.Svd}: small dense
 *       eigen- and singular-value decompositions in pure Java.</li>
 * </ul>
 *
 * <p>Every estimator reports the number of operator applications it cost, and reports numerical
 * failure (a non-finite operator output, no convergence) as data ({@code converged = false}), never
 * as an exception. Exceptions are for bad arguments only.
 */
package org.sgdlab.linalg;
