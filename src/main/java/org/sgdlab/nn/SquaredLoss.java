package org.sgdlab.nn;

import java.util.Arrays;
import org.sgdlab.tensor.Tensor;

/**
 * Squared loss (QUANTITIES.md Q2.1): {@code l_i = c ||f(x_i) - y_i||^2} summed over the k outputs,
 * {@code L = (1/n) sum_i l_i = (c/n) ||r||^2}, c from {@link MseConvention}. Output and target
 * {@code [n, k]} (a target {@code [n]} is accepted for a {@code [n, 1]} output; a rank-1 output is
 * treated as {@code [n, 1]}). Gauss-Newton part of the Hessian: (2c/n) J^T J.
 */
public final class SquaredLoss implements Loss {

    private final MseConvention convention;

    public SquaredLoss(MseConvention convention) {
        this.convention = convention;
    }

    public MseConvention convention() {
        return convention;
    }

    @Override
    public String name() {
        return "mse";
    }

    @Override
    public Tensor perExample(Tensor output, Tensor target) {
        Tensor f = output.rank() == 1 ? output.reshape(-1, 1) : output;
        Tensor y = target;
        if (f.rank() == 2 && f.dim(1) == 1 && y.rank() == 1) {
            y = y.reshape(-1, 1);
        }
        if (f.rank() != 2 || !Arrays.equals(f.shape(), y.shape())) {
            throw new IllegalArgumentException("squared loss: output " + Arrays.toString(output.shape()) + " and target "
                    + Arrays.toString(target.shape()) + " differ; both must be [n, k] (a [n] target is allowed for "
                    + "[n, 1] outputs)");
        }
        return f.sub(y).square().sum(1).mul(convention.factor());      // [n, k] -> [n]
    }

    @Override
    public String describe() {
        return "squared loss, mse_convention=" + convention.id() + ": L = (1/n) sum_i "
                + (convention == MseConvention.HALF ? "1/2 " : "") + "||f(x_i) - y_i||^2 (mean over samples, sum over outputs)";
    }
}
