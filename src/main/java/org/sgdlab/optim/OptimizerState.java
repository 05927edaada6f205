package org.sgdlab.optim;

import java.util.Map;
import org.sgdlab.tensor.Tensor;

/**
 * The immutable state of an {@link Optimizer} between updates, exportable for checkpoints.
 *
 * <p>{@link #tensors()} and {@link #scalars()} name every number the state holds; a checkpoint
 * writer saves them as they are (float64, bit for bit) and {@link Optimizer#restore} rebuilds the
 * state, so a resumed run continues bit-identically.
 */
public interface OptimizerState {

    /** The state's tensors by name (unmodifiable). */
    Map<String, Tensor> tensors();

    /** The state's scalars by name (unmodifiable). */
    Map<String, Double> scalars();

    /** No state: {@code gd} and {@code sgd}. */
    record Empty() implements OptimizerState {
        /** The single instance. */
        public static final Empty INSTANCE = new Empty();

        @Override
        public Map<String, Tensor> tensors() {
            return Map.of();
        }

        @Override
        public Map<String, Double> scalars() {
            return Map.of();
        }
    }

    /**
     * The PyTorch momentum buffer v_t of {@code heavy-ball} and {@code nesterov} (v_0 = 0; the
     * gradient accumulator, not multiplied by eta). Tensor key {@value #KEY}.
     */
    record MomentumBuffer(Tensor v) implements OptimizerState {
        public static final String KEY = "momentum_buffer";

        public MomentumBuffer {
            Require.tensor("momentum buffer", v);
        }

        @Override
        public Map<String, Tensor> tensors() {
            return Map.of(KEY, v);
        }

        @Override
        public Map<String, Double> scalars() {
            return Map.of();
        }
    }

    /**
     * The {@code polyak} velocity v_t = theta_{t-1} - theta_t (v_0 = 0 from theta_{-1} = theta_0),
     * the last parameter displacement with eta inside. Tensor key {@value #KEY}.
     */
    record Displacement(Tensor v) implements OptimizerState {
        public static final String KEY = "displacement";

        public Displacement {
            Require.tensor("polyak displacement", v);
        }

        @Override
        public Map<String, Tensor> tensors() {
            return Map.of(KEY, v);
        }

        @Override
        public Map<String, Double> scalars() {
            return Map.of();
        }
    }
}
