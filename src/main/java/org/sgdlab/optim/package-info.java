/**
 * Optimizers and learning-rate schedules (QUANTITIES.md Q3).
 *
 * <p>An {@link org.sgdlab.optim.Optimizer} is a pair of pure functions, {@code init(theta)} and
 * {@code update(grad, state, theta, step)}, over an immutable {@link org.sgdlab.optim.OptimizerState}
 * (optax style). It holds its {@link org.sgdlab.optim.Schedule} and reports its quadratic stability
 * threshold at each step (Q3.4, Q3.6). Built by name with {@link org.sgdlab.optim.Optimizers#create}
 * and {@link org.sgdlab.optim.Schedules#create}; both fail loudly on unknown names and keys.
 *
 * <p>Decisions:
 * <ul>
 *   <li>{@code update} returns the new parameters (not the delta), so the last rounding is fixed here.</li>
 *   <li>Elementwise arithmetic orders are fixed and documented per optimizer; all use
 *       {@code Tensor.addScaled} (one rounding per multiply and per add, no fused multiply-add) and
 *       are therefore bit-reproducible. With beta = 0 every momentum optimizer is GD bit for bit
 *       (for finite iterates; only the sign of an exact zero could differ).</li>
 *   <li>{@code polyak} is computed in its velocity form (v = theta_{t-1} - theta_t) rather than
 *       from a stored theta_{t-1}: same iterates in exact arithmetic, no cancellation.</li>
 *   <li>States export their tensors under fixed keys ({@code momentum_buffer}, {@code displacement});
 *       {@code restore} rebuilds them; a checkpoint must also record the optimizer name and, for
 *       {@code milestone-adaptive}, the values set at milestones.</li>
 *   <li>Schedules use {@link java.lang.StrictMath} for pow/cos so their values are identical on every
 *       JVM; floors of fractions of training are taken of the double product f * N.</li>
 *   <li>Coupled weight decay is a wrapper adding 2 gamma theta_block to the gradient (Q2.1); its
 *       threshold is the inner optimizer's.</li>
 *   <li>Label-noise SGD is not an optimizer (the training loop perturbs targets); the authors'
 *       deep-net schedules (Q16.4) are documentation only.</li>
 * </ul>
 */
package org.sgdlab.optim;
