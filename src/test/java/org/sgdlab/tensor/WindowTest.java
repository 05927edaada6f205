package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sliding windows: conv2d against direct convolution loops, unfold/fold, max and average pooling. */
class WindowTest {

    /** x[n, c, h, w], or 0 outside the image (zero padding). */
    static double at(Tensor x, int n, int c, int h, int w) {
        int[] s = x.shape();
        if (h < 0 || h >= s[2] || w < 0 || w >= s[3]) {
            return 0.0;
        }
        return x.get(n, c, h, w);
    }

    static int outLen(int len, int k, int stride, int pad) {
        return Math.floorDiv(len + 2 * pad - k, stride) + 1;
    }

    /**
     * Direct cross-correlation: y[n, o, i, j] = sum_{c, p, q} w[o, c, p, q] x[n, c, i s - pad + p, j s - pad + q].
     * Returns {values, sum of |terms|}.
     */
    static double[][] naiveConv(Tensor x, Tensor w, int stride, int pad) {
        int[] xs = x.shape();
        int[] ws = w.shape();
        int nn = xs[0];
        int cc = xs[1];
        int oo = ws[0];
        int kh = ws[2];
        int kw = ws[3];
        int ho = outLen(xs[2], kh, stride, pad);
        int wo = outLen(xs[3], kw, stride, pad);
        double[] y = new double[nn * oo * ho * wo];
        double[] abs = new double[y.length];
        for (int n = 0; n < nn; n++) {
            for (int o = 0; o < oo; o++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double s = 0;
                        double a = 0;
                        for (int c = 0; c < cc; c++) {
                            for (int p = 0; p < kh; p++) {
                                for (int q = 0; q < kw; q++) {
                                    double t = w.get(o, c, p, q) * at(x, n, c, i * stride - pad + p, j * stride - pad + q);
                                    s += t;
                                    a += Math.abs(t);
                                }
                            }
                        }
                        int idx = ((n * oo + o) * ho + i) * wo + j;
                        y[idx] = s;
                        abs[idx] = a;
                    }
                }
            }
        }
        return new double[][] {y, abs};
    }

    @Test
    void conv2dAgainstDirectLoops() {
        SplittableRandom rng = new SplittableRandom(1);
        // {N, C, H, W, O, kh, kw}
        int[][] cases = {
            {2, 3, 7, 6, 4, 3, 3},
            {1, 1, 5, 5, 1, 1, 1},
            {2, 2, 6, 8, 3, 2, 3},     // non-square kernel
            {1, 4, 9, 7, 2, 3, 1},
            {3, 2, 4, 4, 5, 4, 4},     // kernel as large as the image
            {4, 8, 12, 12, 16, 3, 3},  // large enough for the BLAS path
        };
        for (int[] c : cases) {
            Tensor x = Ref.randn(rng, c[0], c[1], c[2], c[3]);
            Tensor w = Ref.randn(rng, c[4], c[1], c[5], c[6]);
            for (int stride = 1; stride <= 2; stride++) {
                for (int pad = 0; pad <= 2; pad++) {
                    int ho = outLen(c[2], c[5], stride, pad);
                    int wo = outLen(c[3], c[6], stride, pad);
                    double[][] want = naiveConv(x, w, stride, pad);
                    Ref.assertClose("conv2d x " + Ref.str(x.shape()) + " w " + Ref.str(w.shape()) + " stride " + stride
                            + " pad " + pad, new int[] {c[0], c[4], ho, wo}, want[0], want[1], 1e-13,
                            x.conv2d(w, stride, pad));
                }
            }
        }
    }

    @Test
    void conv2dWithEmptyBatchOrNoFilters() {
        Tensor y = Tensor.zeros(0, 3, 5, 5).conv2d(Tensor.ones(2, 3, 3, 3), 1, 1);
        Ref.assertExact("conv2d of N = 0", new int[] {0, 2, 5, 5}, new double[0], y);
        Tensor z = Tensor.ones(2, 3, 5, 5).conv2d(Tensor.ones(0, 3, 3, 3), 2, 0);
        Ref.assertExact("conv2d with O = 0", new int[] {2, 0, 2, 2}, new double[0], z);
        Ref.assertExact("maxPool2d of N = 0", new int[] {0, 3, 2, 2}, new double[0], Tensor.zeros(0, 3, 4, 4).maxPool2d(2, 2));
        Ref.assertExact("avgPool2d of N = 0", new int[] {0, 3, 4, 4}, new double[0],
                Tensor.zeros(0, 3, 4, 4).avgPool2d(3, 1, 1));
    }

    /** out[n, oh*Wo + ow, (c*kh + i)*kw + j] = x[n, c, oh*sh - ph + i, ow*sw - pw + j] (0 outside). */
    static double[] naiveUnfold(Tensor x, int kh, int kw, int sh, int sw, int ph, int pw) {
        int[] s = x.shape();
        int ho = outLen(s[2], kh, sh, ph);
        int wo = outLen(s[3], kw, sw, pw);
        int ck = s[1] * kh * kw;
        double[] o = new double[s[0] * ho * wo * ck];
        for (int n = 0; n < s[0]; n++) {
            for (int oh = 0; oh < ho; oh++) {
                for (int ow = 0; ow < wo; ow++) {
                    for (int c = 0; c < s[1]; c++) {
                        for (int i = 0; i < kh; i++) {
                            for (int j = 0; j < kw; j++) {
                                int row = n * ho * wo + oh * wo + ow;
                                int col = (c * kh + i) * kw + j;
                                o[row * ck + col] = at(x, n, c, oh * sh - ph + i, ow * sw - pw + j);
                            }
                        }
                    }
                }
            }
        }
        return o;
    }

    @Test
    void unfoldAgainstNaiveAndFoldIsItsAdjoint() {
        SplittableRandom rng = new SplittableRandom(2);
        // {N, C, H, W, kh, kw, sh, sw, ph, pw}
        int[][] cases = {
            {2, 3, 6, 5, 3, 3, 1, 1, 0, 0},
            {1, 2, 7, 8, 2, 3, 2, 1, 1, 0},
            {2, 1, 5, 9, 3, 2, 1, 3, 0, 2},
            {1, 3, 4, 4, 4, 4, 1, 1, 0, 0},
            {2, 2, 3, 3, 5, 5, 1, 1, 1, 1},   // kernel larger than the image, covered by padding
            {1, 1, 6, 6, 1, 1, 2, 2, 0, 0},
            {3, 4, 16, 16, 3, 3, 1, 1, 1, 1},
            {8, 4, 24, 24, 3, 3, 1, 1, 1, 1}, // large: parallel unfold and fold
        };
        for (int[] c : cases) {
            Tensor x = Ref.randn(rng, c[0], c[1], c[2], c[3]);
            int ho = outLen(c[2], c[4], c[6], c[8]);
            int wo = outLen(c[3], c[5], c[7], c[9]);
            int[] os = {c[0], ho * wo, c[1] * c[4] * c[5]};
            String what = "unfold " + Ref.str(x.shape()) + " k " + c[4] + "x" + c[5] + " s " + c[6] + "x" + c[7]
                    + " p " + c[8] + "x" + c[9];
            Tensor cols = x.unfold(c[4], c[5], c[6], c[7], c[8], c[9]);
            Ref.assertExact(what, os, naiveUnfold(x, c[4], c[5], c[6], c[7], c[8], c[9]), cols);

            // fold sums each column entry back onto its pixel: naive scatter, and <unfold x, y> = <x, fold y>
            Attr.Window win = new Attr.Window(x.shape(), c[4], c[5], c[6], c[7], c[8], c[9]);
            Tensor y = Ref.randn(rng, os);
            Tensor folded = y.fold(win);
            double[] want = new double[x.size()];
            double[] abs = new double[x.size()];
            // the image index each column entry came from, found by unfolding the index image
            double[] ids = new double[x.size()];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = i + 1;      // 0 marks padding
            }
            double[] where = naiveUnfold(Tensor.of(ids, x.shape()), c[4], c[5], c[6], c[7], c[8], c[9]);
            for (int e = 0; e < where.length; e++) {
                if (where[e] != 0) {
                    int px = (int) where[e] - 1;
                    want[px] += y.flat(e);
                    abs[px] += Math.abs(y.flat(e));
                }
            }
            Ref.assertClose("fold of " + what, x.shape(), want, abs, 1e-15, folded);
            double lhs = cols.dotValue(y);
            double rhs = x.dotValue(folded);
            assertEquals(lhs, rhs, 1e-12 * Math.max(1, Math.abs(lhs)), "<unfold x, y> = <x, fold y> for " + what);
        }
    }

    static double[] naivePool(Tensor x, boolean max, int k, int stride, int pad) {
        int[] s = x.shape();
        int ho = outLen(s[2], k, stride, pad);
        int wo = outLen(s[3], k, stride, pad);
        double[] o = new double[s[0] * s[1] * ho * wo];
        int idx = 0;
        for (int n = 0; n < s[0]; n++) {
            for (int c = 0; c < s[1]; c++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double acc = max ? Double.NEGATIVE_INFINITY : 0.0;
                        for (int p = 0; p < k; p++) {
                            for (int q = 0; q < k; q++) {
                                double v = at(x, n, c, i * stride - pad + p, j * stride - pad + q);
                                acc = max ? Math.max(acc, v) : acc + v;
                            }
                        }
                        o[idx++] = max ? acc : acc / (k * k);
                    }
                }
            }
        }
        return o;
    }

    @Test
    void maxPoolAgainstNaiveLoops() {
        SplittableRandom rng = new SplittableRandom(3);
        int[][] cases = {{2, 3, 6, 6, 2, 2}, {1, 2, 7, 5, 3, 2}, {2, 2, 5, 5, 3, 1}, {1, 1, 4, 4, 4, 4},
            {2, 3, 9, 8, 2, 3}, {8, 16, 32, 32, 2, 2}};
        for (int[] c : cases) {
            Tensor x = Ref.grid(rng, c[0], c[1], c[2], c[3]);     // ties
            int k = c[4];
            int stride = c[5];
            int[] os = {c[0], c[1], outLen(c[2], k, stride, 0), outLen(c[3], k, stride, 0)};
            Ref.assertExact("maxPool2d " + Ref.str(x.shape()) + " k " + k + " s " + stride, os,
                    naivePool(x, true, k, stride, 0), x.maxPool2d(k, stride));
            Tensor neg = x.sub(10.0);     // all negative: padding-free windows must not see zeros
            Ref.assertExact("maxPool2d negative", os, naivePool(neg, true, k, stride, 0), neg.maxPool2d(k, stride));
        }
    }

    @Test
    void avgPoolAgainstNaiveLoopsCountingPadding() {
        SplittableRandom rng = new SplittableRandom(4);
        int[][] cases = {{2, 3, 6, 6, 2, 2, 0}, {1, 2, 7, 5, 3, 2, 1}, {2, 2, 5, 5, 3, 1, 1}, {1, 1, 4, 4, 2, 2, 1},
            {2, 1, 5, 7, 3, 3, 0}};
        for (int[] c : cases) {
            Tensor x = Ref.randn(rng, c[0], c[1], c[2], c[3]);
            int k = c[4];
            int stride = c[5];
            int pad = c[6];
            int[] os = {c[0], c[1], outLen(c[2], k, stride, pad), outLen(c[3], k, stride, pad)};
            double[] want = naivePool(x, false, k, stride, pad);
            double[] scale = naivePool(x.abs(), false, k, stride, pad);
            Ref.assertClose("avgPool2d " + Ref.str(x.shape()) + " k " + k + " s " + stride + " p " + pad, os, want,
                    scale, 1e-14, x.avgPool2d(k, stride, pad));
        }
        // hand-checked: a 1x1x2x2 image of ones with one zero pad on each side, k=2, stride 2 -> quarter sums
        Tensor ones = Tensor.ones(1, 1, 2, 2);
        Ref.assertExact("avgPool2d counts padding", new int[] {1, 1, 2, 2}, new double[] {0.25, 0.25, 0.25, 0.25},
                ones.avgPool2d(2, 2, 1));
    }
}
