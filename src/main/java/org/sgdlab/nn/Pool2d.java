package org.sgdlab.nn;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Max or average pooling over {@code k x k} windows: input {@code [N, C, H, W]}, output
 * {@code [N, C, Ho, Wo]} with {@code Ho = (H + 2 padding - k)/stride + 1} (floor, like PyTorch).
 * Max: {@code y = max over the window} (gradient split equally at ties). Average: the window mean,
 * padding zeros counted (PyTorch's default {@code count_include_pad=True}); max pooling has no padding.
 */
final class Pool2d implements Model {

    /** Which reduction. */
    enum Kind {
        MAX("max"), AVG("avg");

        final String id;

        Kind(String id) {
            this.id = id;
        }

        static Kind of(String name) {
            switch (name == null ? "" : name) {
                case "max":
                    return MAX;
                case "avg":
                case "average":
                    return AVG;
                default:
                    throw new IllegalArgumentException("unknown pooling '" + name + "'; known: max, avg (alias average)");
            }
        }
    }

    private final Kind kind;
    private final int k;
    private final int stride;
    private final int padding;

    Pool2d(Kind kind, int k, int stride, int padding) {
        if (k < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException(kind.id + "-pool: window " + k + ", stride " + stride + ", padding "
                    + padding + ": window and stride must be >= 1, padding >= 0");
        }
        if (kind == Kind.MAX && padding != 0) {
            throw new IllegalArgumentException("max-pool: padding must be 0, got " + padding);
        }
        if (2 * padding > k) {
            throw new IllegalArgumentException(kind.id + "-pool: padding " + padding + " exceeds half the window " + k);
        }
        this.kind = kind;
        this.k = k;
        this.stride = stride;
        this.padding = padding;
    }

    Kind kind() {
        return kind;
    }

    int outSize(int h) {
        return (h + 2 * padding - k) / stride + 1;
    }

    @Override
    public Layout layout() {
        return Layout.empty();
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        return Tensor.zeros(0);
    }

    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        Layout.empty().check(kind.id + "-pool", theta);
        if (x.rank() != 4 || x.dim(2) + 2 * padding < k || x.dim(3) + 2 * padding < k) {
            throw new IllegalArgumentException(kind.id + "-pool " + k + "x" + k + ": input has shape "
                    + Arrays.toString(x.shape()) + "; expected [N, C, H, W] with H, W >= " + (k - 2 * padding));
        }
        return kind == Kind.MAX ? x.maxPool2d(k, stride) : x.avgPool2d(k, stride, padding);
    }

    @Override
    public String describe() {
        return kind.id + "-pool " + k + "x" + k + (stride != k ? " stride " + stride : "")
                + (padding != 0 ? " pad " + padding : "");
    }
}
