package org.sgdlab.optim;

import java.util.Map;
import java.util.function.Function;
import org.sgdlab.tensor.Tensor;

/**
 * The plumbing shared by the one-buffer momentum optimizers ({@code heavy-ball}, {@code nesterov},
 * {@code polyak}): constructor checks, name, schedule, beta, a zero buffer at init, the
 * single-tensor restore and the shape checks of update. Each subclass keeps its own update
 * arithmetic, threshold and description (QUANTITIES.md Q3.3, Q3.4).
 *
 * @param <S> the single-tensor state record
 */
abstract class MomentumOptimizer<S extends OptimizerState> implements Optimizer<S> {

    /**
     * How an optimizer's state record holds its one tensor: the name used in shape errors, the export
     * key, and the record's constructor and accessor.
     */
    record Buffer<S extends OptimizerState>(String what, String key, Function<Tensor, S> wrap,
            Function<S, Tensor> unwrap) {
    }

    /** The PyTorch momentum buffer of heavy-ball and nesterov. */
    static final Buffer<OptimizerState.MomentumBuffer> MOMENTUM_BUFFER = new Buffer<>("momentum buffer",
            OptimizerState.MomentumBuffer.KEY, OptimizerState.MomentumBuffer::new, OptimizerState.MomentumBuffer::v);

    /** The displacement (eta inside) of polyak. */
    static final Buffer<OptimizerState.Displacement> DISPLACEMENT = new Buffer<>("displacement",
            OptimizerState.Displacement.KEY, OptimizerState.Displacement::new, OptimizerState.Displacement::v);

    private final String name;
    private final Buffer<S> buffer;
    final Schedule schedule;
    final double beta;

    MomentumOptimizer(String name, Buffer<S> buffer, Schedule schedule, double beta) {
        if (schedule == null) {
            throw new IllegalArgumentException("optimizer '" + name + "': schedule is null");
        }
        this.name = name;
        this.buffer = buffer;
        this.schedule = schedule;
        this.beta = Require.momentum("optimizer '" + name + "'", beta);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Schedule schedule() {
        return schedule;
    }

    @Override
    public final double beta() {
        return beta;
    }

    @Override
    public final S init(Tensor theta) {
        return buffer.wrap().apply(Tensor.zeros(theta.shape()));
    }

    /** The shape checks of {@code update}: grad, then the state's buffer, against theta. */
    final void checkShapes(Tensor grad, S state, Tensor theta) {
        Require.sameShape(name + ".update", "grad", grad, "theta", theta);
        Require.sameShape(name + ".update", buffer.what(), buffer.unwrap().apply(state), "theta", theta);
    }

    @Override
    public final S restore(Map<String, Tensor> tensors, Map<String, Double> scalars) {
        return buffer.wrap().apply(Require.single(name, tensors, scalars, buffer.key()));
    }

    @Override
    public final String toString() {
        return describe();
    }
}
