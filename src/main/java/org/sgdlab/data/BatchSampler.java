package org.sgdlab.data;

/**
 * Which training examples form the mini-batch B_t of step t (QUANTITIES.md Q3.2).
 *
 * <p>A sampler is a pure function of its configuration (n, b, drop-last, seed, stream path) and the
 * step: {@code batch(t)} does not depend on which batches were asked for before. Resuming a run
 * from a checkpoint at step t therefore needs no sampler state; a fresh sampler built from the
 * run's spec returns the same batches for steps t, t + 1, ... as the uninterrupted run. Create
 * samplers with {@link Samplers}.
 */
public interface BatchSampler {

    /** The registry name: {@code epoch-shuffle}, {@code iid-with-replacement}, ... */
    String name();

    /** n, the number of examples sampled from. */
    int size();

    /** b, the (full) batch size. */
    int batchSize();

    /**
     * Steps per epoch: ⌊n/b⌋ for {@code epoch-shuffle} with drop-last, ⌈n/b⌉ without; 1 for
     * {@code full-batch}; ⌈n/b⌉ (the steps that see n examples on average) for the i.i.d. samplers.
     */
    long stepsPerEpoch();

    /** The indices (into [0, n)) of the batch of step {@code step >= 0}, as a fresh array. */
    int[] batch(long step);
}
