package org.sgdlab.optim;

import java.util.Map;
import org.sgdlab.tensor.Tensor;

/**
 * Nesterov momentum, PyTorch form (QUANTITIES.md Q3.3, form 3):
 *
 * <pre>
 *   v_{t+1} = beta v_t + g_t,    theta_{t+1} = theta_t - eta_t (g_t + beta v_{t+1}),    v_0 = 0.
 * </pre>
 *
 * Arithmetic, elementwise: {@code v' = g + beta * v; d = g + beta * v'; theta' = theta + (-eta_t) * d}.
 * With beta = 0, v' = g and d = g + 0 * v' = g exactly, so the iterates are GD's bit for bit.
 * Threshold (2 + 2 beta)/((1 + 2 beta) eta_t) (Q3.4, evaluated with eta_t as in Q3.6). The look-ahead
 * form has the same characteristic polynomial for constant eta and is not built.
 */
final class Nesterov implements Optimizer<OptimizerState.MomentumBuffer> {

    static final String NAME = "nesterov";

    private final Schedule schedule;
    private final double beta;

    Nesterov(Schedule schedule, double beta) {
        if (schedule == null) {
            throw new IllegalArgumentException("optimizer '" + NAME + "': schedule is null");
        }
        this.schedule = schedule;
        this.beta = Require.momentum("optimizer '" + NAME + "'", beta);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String describe() {
        return "nesterov (PyTorch form): v <- beta*v + g; theta <- theta - eta_t*(g + beta*v); v_0 = 0; beta="
                + Require.num(beta) + "; threshold (2+2*beta)/((1+2*beta)*eta_t); eta_t: " + schedule.describe();
    }

    @Override
    public Schedule schedule() {
        return schedule;
    }

    @Override
    public Optimizer<OptimizerState.MomentumBuffer> withSchedule(Schedule s) {
        return new Nesterov(s, beta);
    }

    @Override
    public double beta() {
        return beta;
    }

    @Override
    public double threshold(long step) {
        double eta = schedule.lr(step);
        return eta == 0 ? Double.POSITIVE_INFINITY : (2 + 2 * beta) / ((1 + 2 * beta) * eta);
    }

    @Override
    public OptimizerState.MomentumBuffer init(Tensor theta) {
        return new OptimizerState.MomentumBuffer(Tensor.zeros(theta.shape()));
    }

    @Override
    public Update<OptimizerState.MomentumBuffer> update(Tensor grad, OptimizerState.MomentumBuffer state,
            Tensor theta, long step) {
        Require.sameShape(NAME + ".update", "grad", grad, "theta", theta);
        Require.sameShape(NAME + ".update", "momentum buffer", state.v(), "theta", theta);
        double eta = schedule.lr(step);
        Tensor v = grad.addScaled(state.v(), beta);            // g + beta * v
        Tensor d = grad.addScaled(v, beta);                    // g + beta * v'
        return new Update<>(theta.addScaled(d, -eta), new OptimizerState.MomentumBuffer(v));
    }

    @Override
    public OptimizerState.MomentumBuffer restore(Map<String, Tensor> tensors, Map<String, Double> scalars) {
        return new OptimizerState.MomentumBuffer(
                Require.single(NAME, tensors, scalars, OptimizerState.MomentumBuffer.KEY));
    }

    @Override
    public String toString() {
        return describe();
    }
}
