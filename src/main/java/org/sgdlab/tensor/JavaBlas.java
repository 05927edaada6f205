package org.sgdlab.tensor;

/**
 * Pure-Java dgemm, the fallback when no native BLAS loads. Operands are packed to row-major
 * {@code op(A)} and {@code op(B)}; rows of C are computed in parallel blocks, each element summed
 * in increasing k order whatever the blocking or thread count (deterministic).
 */
final class JavaBlas implements Blas {

    private static final int KB = 256;   // k-block: rows of op(B) kept hot in cache
    private static final int NB = 1024;  // n-block: width of the C row segment updated per pass

    @Override
    public String name() {
        return "java";
    }

    @Override
    public String detail() {
        return "pure-Java dgemm, " + threads() + " threads";
    }

    @Override
    public int threads() {
        return Parallel.threads();
    }

    @Override
    public void dgemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                      double[] a, int aOff, int lda, double[] b, int bOff, int ldb,
                      double beta, double[] c, int cOff, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        // op(A) as m x k row-major, op(B) as k x n row-major (copies only when needed)
        final double[] pa;
        final int pao;
        final int plda;
        if (!transA) {
            pa = a; pao = aOff; plda = lda;
        } else {
            pa = new double[m * k]; pao = 0; plda = k;
            for (int p = 0; p < k; p++) {
                int src = aOff + p * lda;
                for (int i = 0; i < m; i++) {
                    pa[i * k + p] = a[src + i];
                }
            }
        }
        final double[] pb;
        final int pbo;
        final int pldb;
        if (!transB) {
            pb = b; pbo = bOff; pldb = ldb;
        } else {
            pb = new double[k * n]; pbo = 0; pldb = n;
            for (int j = 0; j < n; j++) {
                int src = bOff + j * ldb;
                for (int p = 0; p < k; p++) {
                    pb[p * n + j] = b[src + p];
                }
            }
        }
        long work = (long) m * n * Math.max(k, 1);
        int grain = (int) Math.max(1, Math.min(m, (1L << 16) / Math.max(1L, (long) n * Math.max(k, 1))));
        Parallel.forRange(m, work < (1L << 15) ? m : grain, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                int ci = cOff + i * ldc;
                if (beta == 0.0) {
                    java.util.Arrays.fill(c, ci, ci + n, 0.0);
                } else if (beta != 1.0) {
                    for (int j = 0; j < n; j++) {
                        c[ci + j] *= beta;
                    }
                }
            }
            for (int p0 = 0; p0 < k; p0 += KB) {
                int p1 = Math.min(k, p0 + KB);
                for (int j0 = 0; j0 < n; j0 += NB) {
                    int j1 = Math.min(n, j0 + NB);
                    for (int i = lo; i < hi; i++) {
                        int ci = cOff + i * ldc;
                        int ai = pao + i * plda;
                        for (int p = p0; p < p1; p++) {
                            double av = alpha * pa[ai + p];
                            int bp = pbo + p * pldb;
                            for (int j = j0; j < j1; j++) {
                                c[ci + j] += av * pb[bp + j];
                            }
                        }
                    }
                }
            }
        });
    }
}
