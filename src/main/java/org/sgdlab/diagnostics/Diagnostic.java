package org.sgdlab.diagnostics;

import java.util.Map;
import org.sgdlab.tensor.Tensor;

/**
 * One measured quantity: {@code measure(probe)} returns a record that one generic writer turns into
 * a line of {@code diagnostics/<name>.jsonl} (component names in snake_case). Numerical failure is
 * data ({@code converged=false}, NaN), never an exception. A diagnostic draws randomness only from
 * {@link Probe#rng}, so adding one never changes the training trajectory.
 *
 * @param <R> the result record
 */
public interface Diagnostic<R extends Record> {

    /** The file name stem and metric prefix, snake_case (e.g. {@code sharpness}). */
    String name();

    /** Measures at the probe's theta_t. */
    R measure(Probe probe);

    /**
     * Refuses a problem this diagnostic cannot measure (a model without hidden layers, a loss it is not
     * defined for, a target it does not know), with an {@link IllegalArgumentException} that names the
     * field. Run specs call it when they are validated, so the mistake is reported before a run starts.
     * Default: every problem is fine.
     */
    default void check(Problem problem) {
    }

    /**
     * Artifacts to publish for other diagnostics after a measurement (default none), e.g. the top
     * eigenvectors; see {@link Probe#shared()}.
     */
    default Map<String, Object> publish() {
        return Map.of();
    }

    /**
     * A diagnostic that carries state between measurements (a Lanczos warm start, say) exports it
     * so a resumed run continues with the same numbers. Default: stateless.
     */
    default Map<String, Tensor> exportState() {
        return Map.of();
    }

    /** Restores what {@link #exportState()} returned. */
    default void importState(Map<String, Tensor> state) {
    }
}
