package org.sgdlab.nn;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Identity skip connection without normalisation: {@code y = x + F(x; theta)}, F any model that
 * preserves the shape (typically a serial conv-act-conv). The layout is F's.
 */
final class Residual implements Model {

    private final Model body;

    Residual(Model body) {
        this.body = body;
    }

    Model body() {
        return body;
    }

    @Override
    public Layout layout() {
        return body.layout();
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        return body.init(rng);
    }

    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        Tensor f = body.apply(theta, x);
        if (!Arrays.equals(f.shape(), x.shape())) {
            throw new IllegalArgumentException("residual: the body maps " + Arrays.toString(x.shape()) + " to "
                    + Arrays.toString(f.shape()) + "; y = x + F(x) needs F to keep the shape (" + body.describe() + ")");
        }
        return x.add(f);
    }

    @Override
    public String describe() {
        return "residual(" + body.describe() + ")";
    }
}
