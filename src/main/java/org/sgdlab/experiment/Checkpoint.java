package org.sgdlab.experiment;

import java.util.Map;
import org.sgdlab.tensor.Tensor;

/**
 * Everything needed to continue a run bit-exactly from the state before update {@code step}:
 * theta_t, theta_0, theta_{t-1} (for spike-triggered measurements one step back), the optimizer
 * state (tensors and scalars), each stateful diagnostic's state, and the spike detector's numbers.
 * Batch samplers and per-step noise are pure functions of (seed, step) and need nothing.
 */
public record Checkpoint(long step, Tensor theta, Tensor theta0, Tensor previousTheta,
                         Map<String, Tensor> optimizerTensors, Map<String, Double> optimizerScalars,
                         Map<String, Map<String, Tensor>> diagnosticStates, double[] detectorState) {
}
