package org.sgdlab.tensor;

/**
 * The matrix-product backend: row-major {@code C = alpha * op(A) op(B) + beta * C} (BLAS dgemm).
 *
 * <p>Chosen once per process by {@link BlasLoader}: native OpenBLAS through the Foreign Function
 * API (zero-copy on heap arrays) when the JVM is 22 or newer and a library loads, the pure-Java
 * {@link JavaBlas} otherwise. Every backend computes each output element with a fixed summation
 * order for a given thread count, so results are reproducible run to run.
 */
public interface Blas {

    /** Short id: {@code "openblas-native"} or {@code "java"}. */
    String name();

    /** One line on the library in use (version, core, threads, path) for {@code info}. */
    String detail();

    /** Number of threads the backend uses for one product. */
    int threads();

    /**
     * Sets the threads of one product (process-wide). Runs executed side by side should use 1: a
     * multi-threaded BLAS under concurrent callers spends its time spinning, not computing. Results
     * do not depend on it. The pure-Java backend follows {@link Parallel} and ignores this.
     */
    default void setThreads(int n) {
    }

    /**
     * Row-major dgemm: {@code C[m x n] = alpha * op(A)[m x k] op(B)[k x n] + beta * C}, where
     * {@code op(X) = X^T} when the flag is set. {@code lda}, {@code ldb}, {@code ldc} are row
     * strides of the stored (untransposed) matrices; offsets index into the arrays.
     */
    void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
               double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
               double beta, double[] c, int cOff, int ldc);

    /** The backend of this process (loaded on first use; see {@link BlasLoader}). */
    static Blas get() {
        return BlasLoader.INSTANCE;
    }
}
