package org.sgdlab.optim;

import java.util.Map;
import org.sgdlab.tensor.Tensor;

/**
 * An optimizer in the optax style: a pair of pure functions over an immutable state.
 *
 * <pre>
 *   S s = opt.init(theta0);
 *   for t = 0, 1, ...:  u = opt.update(g_t, s, theta_t, t);  theta_{t+1} = u.newTheta();  s = u.newState();
 * </pre>
 *
 * The learning rate of update t is {@code schedule().lr(t)} (QUANTITIES.md Q3.5); the optimizer
 * holds its schedule, so {@code update} needs only the step. Every optimizer reports its quadratic
 * stability threshold at step t evaluated with eta_t (Q3.4, Q3.6), the number sharpness is compared
 * with. Updates are bit-reproducible: the arithmetic order of each is fixed and stated in its
 * Javadoc, and with beta = 0 every momentum optimizer gives exactly GD's bits.
 *
 * @param <S> the immutable state record
 */
public interface Optimizer<S extends OptimizerState> {

    /** The registry name ({@code gd}, {@code sgd}, {@code heavy-ball}, {@code polyak}, {@code nesterov}). */
    String name();

    /** The update formula in words with its parameters and schedule, for the run header. */
    String describe();

    /** The learning-rate schedule. */
    Schedule schedule();

    /** The same optimizer with another schedule (states stay compatible), e.g. after a milestone. */
    Optimizer<S> withSchedule(Schedule schedule);

    /** The momentum coefficient beta (0 for gd/sgd). */
    double beta();

    /** eta_t = schedule().lr(step). */
    default double lr(long step) {
        return schedule().lr(step);
    }

    /**
     * The quadratic stability threshold with eta_t (Q3.6): 2/eta_t for gd/sgd, (2 + 2 beta)/eta_t for
     * heavy-ball and polyak, (2 + 2 beta)/((1 + 2 beta) eta_t) for nesterov; +Infinity when eta_t = 0.
     */
    double threshold(long step);

    /** The state before update 0. */
    S init(Tensor theta);

    /**
     * Update t: from theta_t, its (mini-batch) gradient g_t and the state, the new parameters and state.
     * Shapes of grad, theta and state tensors must agree (IllegalArgumentException otherwise).
     */
    Update<S> update(Tensor grad, S state, Tensor theta, long step);

    /**
     * Rebuilds a state from its exported {@link OptimizerState#tensors()} and
     * {@link OptimizerState#scalars()}; missing or extra keys are IllegalArgumentExceptions.
     */
    S restore(Map<String, Tensor> tensors, Map<String, Double> scalars);
}
