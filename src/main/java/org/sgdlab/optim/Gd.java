package org.sgdlab.optim;

import java.util.Map;
import org.sgdlab.tensor.Tensor;

/**
 * Gradient descent, theta_{t+1} = theta_t - eta_t g_t (QUANTITIES.md Q3.1). {@code gd} and
 * {@code sgd} are the same update; the difference (full-batch vs mini-batch gradient) is the
 * batch, chosen by the training loop. Evaluated elementwise as {@code theta + (-eta_t) * g}
 * (bitwise equal to theta - eta_t * g). Threshold 2/eta_t.
 */
final class Gd implements Optimizer<OptimizerState.Empty> {

    private final String name;
    private final Schedule schedule;

    Gd(String name, Schedule schedule) {
        if (schedule == null) {
            throw new IllegalArgumentException("optimizer '" + name + "': schedule is null");
        }
        this.name = name;
        this.schedule = schedule;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String describe() {
        String g = name.equals("sgd") ? "g_B (mini-batch gradient)" : "g (full-batch gradient)";
        return name + ": theta <- theta - eta_t*" + g + "; threshold 2/eta_t; eta_t: " + schedule.describe();
    }

    @Override
    public Schedule schedule() {
        return schedule;
    }

    @Override
    public Optimizer<OptimizerState.Empty> withSchedule(Schedule s) {
        return new Gd(name, s);
    }

    @Override
    public double beta() {
        return 0;
    }

    @Override
    public double threshold(long step) {
        return Require.threshold(2.0, schedule.lr(step));
    }

    @Override
    public OptimizerState.Empty init(Tensor theta) {
        return OptimizerState.Empty.INSTANCE;
    }

    @Override
    public Update<OptimizerState.Empty> update(Tensor grad, OptimizerState.Empty state, Tensor theta, long step) {
        Require.sameShape(name + ".update", "grad", grad, "theta", theta);
        double eta = schedule.lr(step);
        return new Update<>(theta.addScaled(grad, -eta), OptimizerState.Empty.INSTANCE);
    }

    @Override
    public OptimizerState.Empty restore(Map<String, Tensor> tensors, Map<String, Double> scalars) {
        if (tensors != null && !tensors.isEmpty()) {
            throw new IllegalArgumentException(name + ": restore expects no tensors, got " + tensors.keySet());
        }
        Require.none(name, scalars);
        return OptimizerState.Empty.INSTANCE;
    }

    @Override
    public String toString() {
        return describe();
    }
}
