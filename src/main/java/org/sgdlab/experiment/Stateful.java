package org.sgdlab.experiment;

/**
 * A diagnostic or controller of a run whose state its owner reads after the run (theta snapshots, the
 * learning rates a controller chose). A run replayed from its {@link Journal} never calls such an object,
 * so the journal keeps its final state and the replay restores it.
 *
 * <p>The state is a record of values the journal can hold (numbers, strings, arrays, lists, maps,
 * records, tensors).
 */
public interface Stateful {

    /** The state after the run. */
    Record state();

    /** Sets the state a {@link #state()} of an earlier run returned. */
    void restore(Record state);
}
