package org.sgdlab.nn;

import org.sgdlab.tensor.Tensor;

/** Independent reference loops (no tensor ops beyond element access) for the forward passes. */
final class Naive {

    private Naive() {
    }

    /** y[n, o] = s sum_i x[n, i] w[o, i] + b[o] (b may be null). */
    static double[][] dense(Tensor x, Tensor w, Tensor b, double s) {
        int n = x.dim(0);
        int in = x.dim(1);
        int out = w.dim(0);
        double[][] y = new double[n][out];
        for (int r = 0; r < n; r++) {
            for (int o = 0; o < out; o++) {
                double acc = 0;
                for (int i = 0; i < in; i++) {
                    acc += x.get(r, i) * w.get(o, i);
                }
                y[r][o] = s * acc + (b == null ? 0 : b.get(o));
            }
        }
        return y;
    }

    /** Direct cross-correlation with zero padding: [N, C, H, W] * [O, C, k, k] -> [N, O, Ho, Wo]. */
    static Tensor conv(Tensor x, Tensor w, Tensor b, int stride, int pad, double s) {
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int wd = x.dim(3);
        int o = w.dim(0);
        int k = w.dim(2);
        int ho = (h + 2 * pad - k) / stride + 1;
        int wo = (wd + 2 * pad - k) / stride + 1;
        double[] y = new double[n * o * ho * wo];
        int at = 0;
        for (int a = 0; a < n; a++) {
            for (int oc = 0; oc < o; oc++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double acc = 0;
                        for (int ch = 0; ch < c; ch++) {
                            for (int p = 0; p < k; p++) {
                                for (int q = 0; q < k; q++) {
                                    int r = i * stride + p - pad;
                                    int col = j * stride + q - pad;
                                    if (r >= 0 && r < h && col >= 0 && col < wd) {
                                        acc += w.get(oc, ch, p, q) * x.get(a, ch, r, col);
                                    }
                                }
                            }
                        }
                        y[at++] = s * acc + (b == null ? 0 : b.get(oc));
                    }
                }
            }
        }
        return Tensor.of(y, n, o, ho, wo);
    }

    /** Max or average (zero padding counted) pooling over k x k windows. */
    static Tensor pool(Tensor x, boolean max, int k, int stride, int pad) {
        int n = x.dim(0);
        int c = x.dim(1);
        int h = x.dim(2);
        int wd = x.dim(3);
        int ho = (h + 2 * pad - k) / stride + 1;
        int wo = (wd + 2 * pad - k) / stride + 1;
        double[] y = new double[n * c * ho * wo];
        int at = 0;
        for (int a = 0; a < n; a++) {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < ho; i++) {
                    for (int j = 0; j < wo; j++) {
                        double best = Double.NEGATIVE_INFINITY;
                        double sum = 0;
                        for (int p = 0; p < k; p++) {
                            for (int q = 0; q < k; q++) {
                                int r = i * stride + p - pad;
                                int col = j * stride + q - pad;
                                double v = r >= 0 && r < h && col >= 0 && col < wd ? x.get(a, ch, r, col) : 0.0;
                                best = Math.max(best, v);
                                sum += v;
                            }
                        }
                        y[at++] = max ? best : sum / (k * k);
                    }
                }
            }
        }
        return Tensor.of(y, n, c, ho, wo);
    }

    static Tensor map(Tensor x, java.util.function.DoubleUnaryOperator f) {
        double[] d = x.toArray();
        for (int i = 0; i < d.length; i++) {
            d[i] = f.applyAsDouble(d[i]);
        }
        return Tensor.of(d, x.shape());
    }

    static Tensor matrix(double[][] rows) {
        return Tensor.matrix(rows);
    }
}
