package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Matrix products against a naive triple loop: 2-D, transpose flags, 1-D operands, batched and
 * broadcast batches, both sides of the Java/BLAS size threshold, and both BLAS backends directly.
 * Tolerance: |C - C_ref| <= 1e-13 (|op(A)| |op(B)|)_ij (a k eps bound for k up to ~400).
 */
class MatmulTest {

    static final double TOL = 1e-13;

    /** numpy matmul of rank >= 2 operands with the engine's transpose flags, by naive loops. */
    static Ref.Reduced naive(Tensor a, Tensor b, boolean ta, boolean tb) {
        int[] as = a.shape();
        int[] bs = b.shape();
        int ra = as.length;
        int rb = bs.length;
        int m = ta ? as[ra - 1] : as[ra - 2];
        int k = ta ? as[ra - 2] : as[ra - 1];
        int n = tb ? bs[rb - 2] : bs[rb - 1];
        int[] ba = Arrays.copyOf(as, ra - 2);
        int[] bb = Arrays.copyOf(bs, rb - 2);
        int[] batch = Ref.broadcastShape(ba, bb);
        int[] os = Arrays.copyOf(batch, batch.length + 2);
        os[batch.length] = m;
        os[batch.length + 1] = n;
        double[] c = new double[Ref.size(os)];
        double[] abs = new double[c.length];
        double[] ad = a.toArray();
        double[] bd = b.toArray();
        int matA = as[ra - 2] * as[ra - 1];
        int matB = bs[rb - 2] * bs[rb - 1];
        int[][] all = Ref.indices(batch);
        for (int f = 0; f < all.length; f++) {
            int oa = Ref.offset(ba, Ref.sourceIndex(ba, all[f])) * matA;
            int ob = Ref.offset(bb, Ref.sourceIndex(bb, all[f])) * matB;
            double[] am = Arrays.copyOfRange(ad, oa, oa + matA);
            double[] bm = Arrays.copyOfRange(bd, ob, ob + matB);
            System.arraycopy(Ref.matmul(am, bm, m, n, k, ta, tb), 0, c, f * m * n, m * n);
            System.arraycopy(Ref.matmulAbs(am, bm, m, n, k, ta, tb), 0, abs, f * m * n, m * n);
        }
        return new Ref.Reduced(os, c, abs);
    }

    static void check(String what, Tensor a, Tensor b, boolean ta, boolean tb) {
        Ref.Reduced want = naive(a, b, ta, tb);
        Tensor got = a.matmul(b, ta, tb);
        Ref.assertClose(what + " " + Ref.str(a.shape()) + (ta ? "^T" : "") + " @ " + Ref.str(b.shape())
                + (tb ? "^T" : ""), want.shape(), want.values(), want.absSum(), TOL, got);
        if (!ta && !tb) {
            Ref.assertExact(what + " matmul(b) equals matmul(b, false, false)", want.shape(), got.toArray(),
                    a.matmul(b));
        }
    }

    /** {m, n, k}: tiny, exactly at the 4096 threshold, just above it, and well above (BLAS). */
    static List<int[]> sizes() {
        return List.of(new int[] {1, 1, 1}, new int[] {3, 5, 4}, new int[] {16, 16, 16}, new int[] {17, 16, 16},
                new int[] {2, 3, 700}, new int[] {33, 20, 17}, new int[] {64, 1, 100}, new int[] {1, 80, 90},
                new int[] {120, 70, 150});
    }

    @ParameterizedTest(name = "m,n,k = {0}")
    @MethodSource("sizes")
    void twoDimensionalWithAllTransposeFlags(int[] mnk) {
        int m = mnk[0];
        int n = mnk[1];
        int k = mnk[2];
        SplittableRandom rng = new SplittableRandom(m * 31L + n * 7L + k);
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                Tensor a = ta ? Ref.randn(rng, k, m) : Ref.randn(rng, m, k);
                Tensor b = tb ? Ref.randn(rng, n, k) : Ref.randn(rng, k, n);
                check("2-D", a, b, ta, tb);
                // the flags mean what an explicit transpose means
                Tensor viaTranspose = (ta ? a.transpose() : a).matmul(tb ? b.transpose() : b);
                Ref.Reduced want = naive(a, b, ta, tb);
                Ref.assertClose("flags vs explicit transpose", want.shape(), want.values(), want.absSum(), TOL,
                        viaTranspose);
            }
        }
    }

    @Test
    void emptyDimensions() {
        Ref.assertExact("[0, 3] @ [3, 4]", new int[] {0, 4}, new double[0], Tensor.ones(0, 3).matmul(Tensor.ones(3, 4)));
        Ref.assertExact("[3, 0] @ [0, 4] = zeros", new int[] {3, 4}, new double[12],
                Tensor.ones(3, 0).matmul(Tensor.ones(0, 4)));
        Ref.assertExact("[2, 0, 3] @ [3, 5]", new int[] {2, 0, 5}, new double[0],
                Tensor.ones(2, 0, 3).matmul(Tensor.ones(3, 5)));
        Ref.assertExact("[0, 2, 3] @ [0, 3, 5]", new int[] {0, 2, 5}, new double[0],
                Tensor.ones(0, 2, 3).matmul(Tensor.ones(0, 3, 5)));
        Ref.assertExact("[70, 0] @ [0, 90] (above threshold by m*n)", new int[] {70, 90}, new double[6300],
                Tensor.ones(70, 0).matmul(Tensor.ones(0, 90)));
    }

    /**
     * Products small enough for the plain-Java loops: every output is its own sum from 0 in increasing p,
     * bit for bit, whatever rows the loops interleave (m around the blocks of four, every transpose).
     */
    @Test
    void smallProductsSumEachOutputInIncreasingP() {
        SplittableRandom rng = new SplittableRandom(41);
        for (int m = 1; m <= 9; m++) {
            for (int n : new int[] {1, 2, 5}) {
                for (int k : new int[] {1, 3, 64}) {
                    for (int f = 0; f < 4; f++) {
                        boolean ta = (f & 1) != 0;
                        boolean tb = (f & 2) != 0;
                        double[] ad = new double[m * k];
                        double[] bd = new double[k * n];
                        for (int i = 0; i < ad.length; i++) {
                            ad[i] = rng.nextGaussian() * Math.pow(10, rng.nextInt(-6, 7));
                        }
                        for (int i = 0; i < bd.length; i++) {
                            bd[i] = rng.nextGaussian() * Math.pow(10, rng.nextInt(-6, 7));
                        }
                        Tensor a = ta ? Tensor.of(ad, k, m) : Tensor.of(ad, m, k);
                        Tensor b = tb ? Tensor.of(bd, n, k) : Tensor.of(bd, k, n);
                        double[] got = a.matmul(b, ta, tb).toArray();
                        for (int i = 0; i < m; i++) {
                            for (int j = 0; j < n; j++) {
                                double s = 0;
                                for (int p = 0; p < k; p++) {
                                    s += (ta ? ad[p * m + i] : ad[i * k + p]) * (tb ? bd[j * k + p] : bd[p * n + j]);
                                }
                                assertEquals(Double.doubleToLongBits(s), Double.doubleToLongBits(got[i * n + j]),
                                        "m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + " at (" + i + ", "
                                                + j + ")");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void knownSmallProduct() {
        Tensor a = Tensor.matrix(new double[][] {{1, 2}, {3, 4}});
        Tensor b = Tensor.matrix(new double[][] {{5, 6}, {7, 8}});
        Ref.assertExact("[[1,2],[3,4]] @ [[5,6],[7,8]]", new int[] {2, 2}, new double[] {19, 22, 43, 50}, a.matmul(b));
        Ref.assertExact("A^T B", new int[] {2, 2}, new double[] {26, 30, 38, 44}, a.matmul(b, true, false));
        Ref.assertExact("A B^T", new int[] {2, 2}, new double[] {17, 23, 39, 53}, a.matmul(b, false, true));
        Ref.assertExact("A^T B^T", new int[] {2, 2}, new double[] {23, 31, 34, 46}, a.matmul(b, true, true));
    }

    @Test
    void oneDimensionalOperandsFollowNumpy() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int k : new int[] {4, 300}) {
            Tensor v = Ref.randn(rng, k);
            Tensor w = Ref.randn(rng, k);
            Tensor mat = Ref.randn(rng, k, 20);
            Tensor matL = Ref.randn(rng, 20, k);
            Tensor batched = Ref.randn(rng, 3, k, 20);
            Tensor batchedL = Ref.randn(rng, 3, 20, k);

            // [k] @ [k, n] -> [n]
            Ref.Reduced r = naive(v.reshape(1, k), mat, false, false);
            Ref.assertClose("[k] @ [k, n]", new int[] {20}, r.values(), r.absSum(), TOL, v.matmul(mat));
            // [m, k] @ [k] -> [m]
            r = naive(matL, w.reshape(k, 1), false, false);
            Ref.assertClose("[m, k] @ [k]", new int[] {20}, r.values(), r.absSum(), TOL, matL.matmul(w));
            // [k] @ [B, k, n] -> [B, n]
            r = naive(v.reshape(1, k), batched, false, false);
            Ref.assertClose("[k] @ [B, k, n]", new int[] {3, 20}, r.values(), r.absSum(), TOL, v.matmul(batched));
            // [B, m, k] @ [k] -> [B, m]
            r = naive(batchedL, w.reshape(k, 1), false, false);
            Ref.assertClose("[B, m, k] @ [k]", new int[] {3, 20}, r.values(), r.absSum(), TOL, batchedL.matmul(w));
        }
    }

    @Test
    void vectorDotVectorIsAScalar() {
        // numpy: [k] @ [k] -> [] (the inner product)
        Tensor v = Tensor.vector(1, 2, 3);
        Tensor w = Tensor.vector(4, -5, 6);
        Tensor c = v.matmul(w);
        Ref.assertExact("[3] @ [3]", new int[] {}, new double[] {12}, c);
    }

    @Test
    void batchedWithEqualBatch() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int[] s : new int[][] {{3, 4, 5, 6}, {4, 20, 30, 25}, {2, 1, 1, 1}}) {
            int bsz = s[0];
            int m = s[1];
            int k = s[2];
            int n = s[3];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Tensor a = ta ? Ref.randn(rng, bsz, k, m) : Ref.randn(rng, bsz, m, k);
                    Tensor b = tb ? Ref.randn(rng, bsz, n, k) : Ref.randn(rng, bsz, k, n);
                    check("batched", a, b, ta, tb);
                }
            }
        }
        // rank 4 with equal batches
        check("batched rank 4", Ref.randn(rng, 2, 3, 4, 5), Ref.randn(rng, 2, 3, 5, 6), false, false);
    }

    @Test
    void broadcastBatches() {
        SplittableRandom rng = new SplittableRandom(5);
        // [2, 1, m, k] @ [3, k, n] -> [2, 3, m, n], small and large per product
        check("broadcast batch", Ref.randn(rng, 2, 1, 4, 5), Ref.randn(rng, 3, 5, 6), false, false);
        check("broadcast batch large", Ref.randn(rng, 2, 1, 30, 40), Ref.randn(rng, 3, 40, 20), false, false);
        check("broadcast batch transposed", Ref.randn(rng, 2, 1, 5, 4), Ref.randn(rng, 3, 6, 5), true, true);
        check("broadcast batch [1, 3] vs [2, 1]", Ref.randn(rng, 1, 3, 4, 5), Ref.randn(rng, 2, 1, 5, 2), false, false);
        // 2-D @ batched
        check("2-D @ batched", Ref.randn(rng, 4, 5), Ref.randn(rng, 3, 5, 6), false, false);
        check("2-D @ batched large", Ref.randn(rng, 40, 50), Ref.randn(rng, 3, 50, 60), false, false);
        check("2-D^T @ batched", Ref.randn(rng, 5, 4), Ref.randn(rng, 3, 5, 6), true, false);
    }

    @Test
    void batchedTimesTwoDimensional() {
        SplittableRandom rng = new SplittableRandom(6);
        for (int[] s : new int[][] {{3, 4, 5, 6}, {5, 30, 40, 20}, {2, 1, 3, 1}}) {
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    Tensor a = ta ? Ref.randn(rng, s[0], s[2], s[1]) : Ref.randn(rng, s[0], s[1], s[2]);
                    Tensor b = tb ? Ref.randn(rng, s[3], s[2]) : Ref.randn(rng, s[2], s[3]);
                    check("batched @ 2-D", a, b, ta, tb);
                }
            }
        }
        // rank 4 left operand folds all batch axes into rows
        check("[2, 3, m, k] @ [k, n]", Ref.randn(rng, 2, 3, 10, 20), Ref.randn(rng, 20, 30), false, false);
    }

    // ------------------------------------------------------------------ the backends directly

    static List<Blas> backends() {
        return List.of(new JavaBlas(), Blas.get());
    }

    /**
     * Full dgemm contract on padded storage: {@code C = alpha op(A) op(B) + beta C} inside the
     * m x n window at {@code cOff} with row stride ldc; everything outside the window untouched.
     */
    static void checkDgemm(Blas blas, SplittableRandom rng, int m, int n, int k, boolean ta, boolean tb,
                           double alpha, double beta) {
        int rowsA = ta ? k : m;
        int colsA = ta ? m : k;
        int rowsB = tb ? n : k;
        int colsB = tb ? k : n;
        int lda = colsA + 1 + rng.nextInt(3);
        int ldb = colsB + 2;
        int ldc = n + 3;
        int aOff = 5;
        int bOff = 1 + rng.nextInt(4);
        int cOff = 7;
        double[] a = Ref.normals(rng, aOff + rowsA * lda + 2);
        double[] b = Ref.normals(rng, bOff + rowsB * ldb + 1);
        double[] c = Ref.normals(rng, cOff + m * ldc + 4);
        double[] a0 = a.clone();
        double[] b0 = b.clone();
        double[] c0 = c.clone();
        // the dense operands the reference sees
        double[] ad = new double[rowsA * colsA];
        for (int i = 0; i < rowsA; i++) {
            System.arraycopy(a, aOff + i * lda, ad, i * colsA, colsA);
        }
        double[] bd = new double[rowsB * colsB];
        for (int i = 0; i < rowsB; i++) {
            System.arraycopy(b, bOff + i * ldb, bd, i * colsB, colsB);
        }
        double[] p = Ref.matmul(ad, bd, m, n, k, ta, tb);
        double[] pa = Ref.matmulAbs(ad, bd, m, n, k, ta, tb);

        blas.dgemm(ta, tb, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);

        String what = blas.name() + " dgemm m,n,k=" + m + "," + n + "," + k + " ta=" + ta + " tb=" + tb + " alpha="
                + alpha + " beta=" + beta + " lda,ldb,ldc=" + lda + "," + ldb + "," + ldc;
        if (!Arrays.equals(a, a0) || !Arrays.equals(b, b0)) {
            fail(what + ": modified an input operand");
        }
        for (int idx = 0; idx < c.length; idx++) {
            int rel = idx - cOff;
            int i = rel >= 0 ? rel / ldc : -1;
            int j = rel >= 0 ? rel % ldc : -1;
            if (rel < 0 || i >= m || j >= n) {
                if (Double.doubleToLongBits(c[idx]) != Double.doubleToLongBits(c0[idx])) {
                    fail(what + ": wrote outside the C window at array index " + idx);
                }
                continue;
            }
            double cOld = beta == 0.0 ? 0.0 : beta * c0[idx];
            double want = alpha * p[i * n + j] + cOld;
            double scale = Math.abs(alpha) * pa[i * n + j] + Math.abs(cOld);
            if (!(Math.abs(c[idx] - want) <= TOL * scale + 1e-300)) {
                fail(what + ": C[" + i + "," + j + "] = " + c[idx] + ", expected " + want);
            }
        }
    }

    @Test
    void dgemmBackendsHonourStridesOffsetsAlphaAndBeta() {
        SplittableRandom rng = new SplittableRandom(7);
        int[][] dims = {{1, 1, 1}, {3, 5, 4}, {7, 1, 9}, {1, 6, 3}, {40, 35, 30}, {129, 67, 300}, {5, 4, 0}};
        double[][] ab = {{1.0, 0.0}, {0.7, -1.3}, {-2.0, 1.0}, {1.0, 0.5}, {0.0, 2.0}};
        for (Blas blas : backends()) {
            for (int[] d : dims) {
                for (boolean ta : new boolean[] {false, true}) {
                    for (boolean tb : new boolean[] {false, true}) {
                        for (double[] alphaBeta : ab) {
                            checkDgemm(blas, rng, d[0], d[1], d[2], ta, tb, alphaBeta[0], alphaBeta[1]);
                        }
                    }
                }
            }
        }
    }

    @Test
    void javaBlasLargeBlockedAndParallelPaths() {
        // exceeds JavaBlas's k-block (256) and n-block (1024) and its parallel threshold
        SplittableRandom rng = new SplittableRandom(8);
        JavaBlas blas = new JavaBlas();
        checkDgemm(blas, rng, 40, 1100, 300, false, false, 1.0, 0.0);
        checkDgemm(blas, rng, 40, 1100, 300, true, true, 0.5, -1.0);
    }

    @Test
    void betaZeroIgnoresNanInC() {
        // BLAS convention: with beta = 0, C is overwritten (its old contents, even NaN, are not read)
        for (Blas blas : backends()) {
            double[] a = {1, 2, 3, 4};
            double[] b = {5, 6, 7, 8};
            double[] c = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
            blas.dgemm(false, false, 2, 2, 2, 1.0, a, 0, 2, b, 0, 2, 0.0, c, 0, 2);
            assertEquals(List.of(19.0, 22.0, 43.0, 50.0), List.of(c[0], c[1], c[2], c[3]), blas.name());
        }
    }

    @Test
    void bothBackendsAgreeOnEngineProducts() {
        // the engine's result (whichever backend is active) against JavaBlas on the same product
        SplittableRandom rng = new SplittableRandom(9);
        Tensor a = Ref.randn(rng, 90, 80);
        Tensor b = Ref.randn(rng, 80, 70);
        double[] viaJava = new double[90 * 70];
        new JavaBlas().dgemm(false, false, 90, 70, 80, 1.0, a.toArray(), 0, 80, b.toArray(), 0, 70, 0.0, viaJava, 0, 70);
        Ref.Reduced want = naive(a, b, false, false);
        Ref.assertClose("JavaBlas", want.values(), want.absSum(), TOL, viaJava);
        Ref.assertClose("engine (" + Blas.get().name() + ")", want.values(), want.absSum(), TOL,
                a.matmul(b).toArray());
    }
}
