package org.sgdlab.experiment;

import org.sgdlab.diagnostics.Probe;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;

/**
 * Changes the optimizer while a run trains, from what it measures at theta_t: e.g. the
 * {@code milestone-adaptive} schedule of QUANTITIES.md Q3.5 sets eta <- c_m 2/lambda_1(K(theta_t))
 * at milestones. Called at every step before the scheduled diagnostics and before update t; the
 * returned optimizer (usually {@code current.withSchedule(...)}, whose state stays compatible)
 * makes update t and later ones. Returning {@code current} changes nothing.
 */
@FunctionalInterface
public interface Controller {

    Optimizer<? extends OptimizerState> adjust(Probe probe, Optimizer<? extends OptimizerState> current);
}
