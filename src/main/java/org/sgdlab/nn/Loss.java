package org.sgdlab.nn;

import java.util.function.Function;
import org.sgdlab.tensor.Tensor;

/**
 * A per-example loss l(f(x_i), y_i) and its mean {@code L = (1/n) sum_i l_i} (QUANTITIES.md Q1, Q2).
 * Both are differentiable tensor computations (traced when the output is), so
 * {@code theta -> loss.mean(model.apply(theta, x), y)} can be differentiated to any order.
 */
public interface Loss {

    /** Registry name ({@code mse}, {@code cross-entropy}, {@code logistic}). */
    String name();

    /** The losses of the n examples, {@code [n]}. */
    Tensor perExample(Tensor output, Tensor target);

    /** The mean loss {@code (1/n) sum_i l_i}, a scalar tensor. */
    default Tensor mean(Tensor output, Tensor target) {
        return perExample(output, target).mean();
    }

    /** The convention in words, printed in every run's header. */
    String describe();

    /** {@code theta -> mean(model.apply(theta, x), y)}: the objective for autodiff transforms. */
    default Function<Tensor, Tensor> objective(Model model, Tensor x, Tensor y) {
        return theta -> mean(model.apply(theta, x), y);
    }
}
