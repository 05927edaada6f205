package org.sgdlab.optim;

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
final class Nesterov extends MomentumOptimizer<OptimizerState.MomentumBuffer> {

    static final String NAME = "nesterov";

    Nesterov(Schedule schedule, double beta) {
        super(NAME, MOMENTUM_BUFFER, schedule, beta);
    }

    @Override
    public String describe() {
        return "nesterov (PyTorch form): v <- beta*v + g; theta <- theta - eta_t*(g + beta*v); v_0 = 0; beta="
                + Require.num(beta) + "; threshold (2+2*beta)/((1+2*beta)*eta_t); eta_t: " + schedule.describe();
    }

    @Override
    public Optimizer<OptimizerState.MomentumBuffer> withSchedule(Schedule s) {
        return new Nesterov(s, beta);
    }

    @Override
    public double threshold(long step) {
        double eta = schedule.lr(step);
        return eta == 0 ? Double.POSITIVE_INFINITY : (2 + 2 * beta) / ((1 + 2 * beta) * eta);
    }

    @Override
    public Update<OptimizerState.MomentumBuffer> update(Tensor grad, OptimizerState.MomentumBuffer state,
            Tensor theta, long step) {
        checkShapes(grad, state, theta);
        double eta = schedule.lr(step);
        Tensor v = grad.addScaled(state.v(), beta);            // g + beta * v
        Tensor d = grad.addScaled(v, beta);                    // g + beta * v'
        return new Update<>(theta.addScaled(d, -eta), new OptimizerState.MomentumBuffer(v));
    }
}
