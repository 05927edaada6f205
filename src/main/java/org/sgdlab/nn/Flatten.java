package org.sgdlab.nn;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/** {@code [N, d1, d2, ...] -> [N, d1 d2 ...]} (row-major, like PyTorch's {@code nn.Flatten}). */
final class Flatten implements Model {

    static final Flatten INSTANCE = new Flatten();

    private Flatten() {
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
        Layout.empty().check("flatten", theta);
        if (x.rank() < 1) {
            throw new IllegalArgumentException("flatten: input has shape " + Arrays.toString(x.shape())
                    + "; expected a batch [N, ...]");
        }
        return x.reshape(x.dim(0), -1);
    }

    @Override
    public String describe() {
        return "flatten";
    }
}
