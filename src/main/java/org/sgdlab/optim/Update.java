package org.sgdlab.optim;

import org.sgdlab.tensor.Tensor;

/**
 * The result of one optimizer update: the new parameters theta_{t+1} (not the delta: returning
 * the iterate fixes the last rounding, theta + (-eta) * d, inside the optimizer, so every caller
 * gets the same bits) and the new state.
 */
public record Update<S extends OptimizerState>(Tensor newTheta, S newState) {
}
