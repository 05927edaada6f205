package org.sgdlab.optim;

import org.sgdlab.tensor.Tensor;

/**
 * Polyak heavy ball with eta inside (QUANTITIES.md Q3.3, form 2; Eq. (1) of Phunyaphibarn et al.,
 * arXiv 2311.15051):
 *
 * <pre>
 *   theta_{t+1} = theta_t - eta_t g_t + beta (theta_t - theta_{t-1}),    theta_{-1} = theta_0,
 * </pre>
 *
 * computed in the equivalent velocity form v_{t+1} = beta v_t + eta_t g_t, theta_{t+1} = theta_t -
 * v_{t+1}, v_0 = 0 (v_t = theta_{t-1} - theta_t; storing the displacement instead of theta_{t-1}
 * avoids the cancellation in theta_t - theta_{t-1}). Arithmetic, elementwise:
 * {@code v' = eta_t * g + beta * v; theta' = theta - v'}. With beta = 0, v' = eta_t * g exactly and
 * theta - eta_t * g equals GD's theta + (-eta_t) * g bit for bit. Coincides with {@code heavy-ball}
 * (to rounding) for constant eta and differs under warmup or decay. Threshold (2 + 2 beta)/eta_t.
 */
final class Polyak extends MomentumOptimizer<OptimizerState.Displacement> {

    static final String NAME = "polyak";

    Polyak(Schedule schedule, double beta) {
        super(NAME, DISPLACEMENT, schedule, beta);
    }

    @Override
    public String describe() {
        return "polyak (eta inside): theta <- theta - eta_t*g + beta*(theta - theta_prev), theta_{-1} = theta_0 "
                + "(as v <- beta*v + eta_t*g; theta <- theta - v); beta=" + Require.num(beta)
                + "; threshold (2+2*beta)/eta_t; eta_t: " + schedule.describe();
    }

    @Override
    public Optimizer<OptimizerState.Displacement> withSchedule(Schedule s) {
        return new Polyak(s, beta);
    }

    @Override
    public double threshold(long step) {
        return Require.threshold(2 + 2 * beta, schedule.lr(step));
    }

    @Override
    public Update<OptimizerState.Displacement> update(Tensor grad, OptimizerState.Displacement state,
            Tensor theta, long step) {
        checkShapes(grad, state, theta);
        double eta = schedule.lr(step);
        Tensor v = grad.mul(eta).addScaled(state.v(), beta);   // eta * g + beta * v
        return new Update<>(theta.sub(v), new OptimizerState.Displacement(v));
    }
}
