package org.sgdlab.nn;

import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * A pure network: {@code f(x; theta) = apply(theta, x)} with theta one flat vector described by
 * {@link #layout()}. No hidden state, no train/eval flag: the same (theta, x) always gives the same
 * output, and differentiating {@code theta -> loss(apply(theta, x), y)} is all the training loop and
 * the curvature diagnostics need.
 *
 * <p>Inputs are batches {@code [N, ...]}; a top-level model returns {@code [N, k]}. Layers
 * ({@link Dense}, {@link Conv2d}, {@link Activation}, ...) are models too (their outputs may have
 * any rank) and compose with {@link Serial#of}.
 */
public interface Model {

    /** Names, offsets and shapes of the parameter blocks. */
    Layout layout();

    /**
     * Initial parameters, a pure function of {@code rng}: blocks are drawn in layout order, each in
     * row-major order, so one seed gives one theta.
     */
    Tensor init(RandomGenerator rng);

    /** The output for the batch {@code x} at parameters {@code theta} (a vector of layout size). */
    Tensor apply(Tensor theta, Tensor x);

    /** One line for run headers, e.g. {@code mlp 64-128-128-10 tanh ... (26,122 parameters)}. */
    String describe();

    /** Number of parameters, {@code layout().size()}. */
    default int numParams() {
        return layout().size();
    }

    /**
     * The same network whose initial parameters are multiplied by {@code scale} (all weights and
     * biases; the EoSS code's {@code --init-scale}).
     */
    default Model withInitScale(double scale) {
        return new ScaledInit(this, scale);
    }
}
