package org.sgdlab.optim;

import org.sgdlab.tensor.Tensor;

/**
 * Heavy ball, PyTorch form (QUANTITIES.md Q3.3, form 1; Cohen et al.'s {@code SGD(momentum=beta)}):
 *
 * <pre>
 *   v_{t+1} = beta v_t + g_t,    theta_{t+1} = theta_t - eta_t v_{t+1},    v_0 = 0,
 * </pre>
 *
 * equivalently theta_{t+1} = theta_t - eta_t g_t + beta (eta_t/eta_{t-1}) (theta_t - theta_{t-1}).
 * Arithmetic, elementwise: {@code v' = g + beta * v; theta' = theta + (-eta_t) * v'}. With
 * beta = 0, v' = g + 0 * v = g exactly, so the iterates are GD's bit for bit. Threshold
 * (2 + 2 beta)/eta_t (Q3.4; exact for constant eta, a frozen-eta approximation under a schedule, Q3.6).
 */
final class HeavyBall extends MomentumOptimizer<OptimizerState.MomentumBuffer> {

    static final String NAME = "heavy-ball";

    HeavyBall(Schedule schedule, double beta) {
        super(NAME, MOMENTUM_BUFFER, schedule, beta);
    }

    @Override
    public String describe() {
        return "heavy-ball (PyTorch form): v <- beta*v + g; theta <- theta - eta_t*v; v_0 = 0; beta="
                + Require.num(beta) + "; threshold (2+2*beta)/eta_t; eta_t: " + schedule.describe();
    }

    @Override
    public Optimizer<OptimizerState.MomentumBuffer> withSchedule(Schedule s) {
        return new HeavyBall(s, beta);
    }

    @Override
    public double threshold(long step) {
        return Require.threshold(2 + 2 * beta, schedule.lr(step));
    }

    @Override
    public Update<OptimizerState.MomentumBuffer> update(Tensor grad, OptimizerState.MomentumBuffer state,
            Tensor theta, long step) {
        checkShapes(grad, state, theta);
        double eta = schedule.lr(step);
        Tensor v = grad.addScaled(state.v(), beta);            // g + beta * v
        return new Update<>(theta.addScaled(v, -eta), new OptimizerState.MomentumBuffer(v));
    }
}
