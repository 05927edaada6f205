package org.sgdlab.optim;

import java.util.Map;
import java.util.Optional;
import org.sgdlab.tensor.Tensor;

/**
 * Coupled weight decay as a wrapper (QUANTITIES.md Q2.1): the loss gets the explicit term
 * gamma ||theta_block||^2, so the gradient handed to the inner optimizer is
 *
 * <pre>
 *   g' = g + 2 gamma (m * theta),
 * </pre>
 *
 * with m the 0/1 block mask (all ones when no mask is given). Arithmetic, elementwise:
 * {@code g + (2 * gamma) * (m * theta)} (m * theta is exact for a 0/1 mask; 2 * gamma is exact).
 * State, schedule, name and threshold are the inner optimizer's: the threshold is compared with the
 * sharpness of the total loss, whose Hessian includes the 2 gamma of the decay term on the block.
 * Build masks from layout blocks with {@link #blockMask}.
 */
public final class WeightDecay<S extends OptimizerState> implements Optimizer<S> {

    private final Optimizer<S> inner;
    private final double gamma;
    private final Tensor mask; // null = every parameter

    private WeightDecay(Optimizer<S> inner, double gamma, Tensor mask) {
        if (inner == null) {
            throw new IllegalArgumentException("weight decay: inner optimizer is null");
        }
        this.inner = inner;
        this.gamma = Require.nonNegative("weight decay", "gamma (weight_decay)", gamma);
        this.mask = mask;
    }

    /** gamma ||theta||^2 on every parameter. */
    public static <S extends OptimizerState> WeightDecay<S> of(Optimizer<S> inner, double gamma) {
        return new WeightDecay<>(inner, gamma, null);
    }

    /** gamma ||m * theta||^2 with a 0/1 mask of theta's shape. */
    public static <S extends OptimizerState> WeightDecay<S> masked(Optimizer<S> inner, double gamma, Tensor mask) {
        if (mask == null) {
            throw new IllegalArgumentException("weight decay: mask is null");
        }
        for (int i = 0; i < mask.size(); i++) {
            double m = mask.flat(i);
            if (m != 0 && m != 1) {
                throw new IllegalArgumentException("weight decay: mask values must be 0 or 1, got " + m
                        + " at flat index " + i);
            }
        }
        return new WeightDecay<>(inner, gamma, mask);
    }

    /**
     * A 0/1 vector of length {@code size} with ones on the blocks, each {@code {offset, length}}
     * (e.g. a layout entry's offset and size); blocks must lie inside [0, size).
     */
    public static Tensor blockMask(int size, int[]... blocks) {
        if (size < 1) {
            throw new IllegalArgumentException("weight decay block mask: size must be >= 1, got " + size);
        }
        double[] m = new double[size];
        for (int[] b : blocks) {
            if (b == null || b.length != 2 || b[0] < 0 || b[1] < 0 || (long) b[0] + b[1] > size) {
                throw new IllegalArgumentException("weight decay block mask: block must be {offset, length} inside [0, "
                        + size + "), got " + java.util.Arrays.toString(b));
            }
            for (int i = b[0]; i < b[0] + b[1]; i++) {
                m[i] = 1;
            }
        }
        return Tensor.of(m, size);
    }

    public double gamma() {
        return gamma;
    }

    public Optional<Tensor> mask() {
        return Optional.ofNullable(mask);
    }

    public Optimizer<S> inner() {
        return inner;
    }

    /** The decay term gamma ||m * theta||^2 as a scalar tensor (differentiable; add it to the logged loss). */
    public Tensor penalty(Tensor theta) {
        checkMask(theta);
        Tensor block = mask == null ? theta : theta.mul(mask);
        return block.square().sum().mul(gamma);
    }

    /** The gradient of loss + penalty: g + (2 gamma) (m * theta). */
    public Tensor gradient(Tensor grad, Tensor theta) {
        Require.sameShape("weight decay", "grad", grad, "theta", theta);
        checkMask(theta);
        Tensor block = mask == null ? theta : theta.mul(mask);
        return grad.addScaled(block, 2 * gamma);
    }

    private void checkMask(Tensor theta) {
        if (mask != null) {
            Require.sameShape("weight decay", "mask", mask, "theta", theta);
        }
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String describe() {
        String block = mask == null ? "all parameters"
                : Require.num(mask.sum().item()) + " of " + mask.size() + " parameters (mask)";
        return inner.describe() + "; coupled weight decay: loss + gamma*||theta_block||^2, g <- g + 2*gamma*theta_block, "
                + "gamma=" + Require.num(gamma) + ", block: " + block;
    }

    @Override
    public Schedule schedule() {
        return inner.schedule();
    }

    @Override
    public Optimizer<S> withSchedule(Schedule schedule) {
        return new WeightDecay<>(inner.withSchedule(schedule), gamma, mask);
    }

    @Override
    public double beta() {
        return inner.beta();
    }

    @Override
    public double threshold(long step) {
        return inner.threshold(step);
    }

    @Override
    public S init(Tensor theta) {
        return inner.init(theta);
    }

    @Override
    public Update<S> update(Tensor grad, S state, Tensor theta, long step) {
        return inner.update(gradient(grad, theta), state, theta, step);
    }

    @Override
    public S restore(Map<String, Tensor> tensors, Map<String, Double> scalars) {
        return inner.restore(tensors, scalars);
    }

    @Override
    public String toString() {
        return describe();
    }
}
