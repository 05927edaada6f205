package org.sgdlab.nn;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/** {@code y[n, c] = mean_{i, j} x[n, c, i, j]}: {@code [N, C, H, W] -> [N, C]}. */
final class GlobalAvgPool implements Model {

    static final GlobalAvgPool INSTANCE = new GlobalAvgPool();

    private GlobalAvgPool() {
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
        Layout.empty().check("global-avg-pool", theta);
        if (x.rank() != 4) {
            throw new IllegalArgumentException("global-avg-pool: input has shape " + Arrays.toString(x.shape())
                    + "; expected [N, C, H, W]");
        }
        return x.mean(new int[] {2, 3}, false);
    }

    @Override
    public String describe() {
        return "global-avg-pool";
    }
}
