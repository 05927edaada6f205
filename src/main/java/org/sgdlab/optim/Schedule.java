package org.sgdlab.optim;

/**
 * A learning-rate schedule: {@code eta_t = lr(t)}, a pure function of the step t = 0, 1, ... (the
 * index of the update it is used for; QUANTITIES.md Q1 and Q3.5).
 *
 * <p>Schedules are immutable values. They compose with {@link Schedules#product} (pointwise
 * product, absolute steps) and {@link Schedules#join} (one schedule after another, each part
 * counting its steps from its own start), and are built by name with {@link Schedules#create}.
 * Transcendental functions use {@link StrictMath}, so a schedule gives the same bits on every
 * JVM and machine.
 */
public interface Schedule {

    /** The learning rate eta_t used for update t (t >= 0; a negative step is an IllegalArgumentException). */
    double lr(long step);

    /** The registry name (e.g. {@code linear-warmup}). */
    String name();

    /** The formula in words with its parameter values, for run headers (Locale.ROOT numbers). */
    String describe();
}
