package org.sgdlab.nn;

import java.util.Locale;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/** {@code init = s * inner.init}; layout and forward pass unchanged (see {@link Model#withInitScale}). */
final class ScaledInit implements Model {

    private final Model inner;
    private final double scale;

    ScaledInit(Model inner, double scale) {
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("init scale must be finite, got " + scale);
        }
        this.inner = inner;
        this.scale = scale;
    }

    @Override
    public Layout layout() {
        return inner.layout();
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        return inner.init(rng).mul(scale);
    }

    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        return inner.apply(theta, x);
    }

    @Override
    public String describe() {
        return inner.describe() + String.format(Locale.ROOT, ", init scale %s", Numerics.fmt(scale));
    }
}
