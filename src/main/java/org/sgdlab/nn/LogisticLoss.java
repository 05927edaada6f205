package org.sgdlab.nn;

import java.util.Arrays;
import org.sgdlab.tensor.Tensor;

/**
 * Logistic loss for binary labels y in {-1, +1} and a scalar output:
 * {@code l_i = log(1 + exp(-y_i f(x_i))) = softplus(-y_i f(x_i))}, computed stably (no overflow for
 * large margins of either sign, full relative precision for large positive margins where
 * l ~ exp(-y f)). Output {@code [n, 1]} or {@code [n]}; labels {@code [n]} or {@code [n, 1]}.
 */
public final class LogisticLoss implements Loss {

    @Override
    public String name() {
        return "logistic";
    }

    @Override
    public Tensor perExample(Tensor output, Tensor target) {
        Tensor f = scalarOutputs("logistic loss", output);
        int n = f.dim(0);
        if (target.size() != n || target.rank() > 2 || (target.rank() == 2 && target.dim(1) != 1)) {
            throw new IllegalArgumentException("logistic loss: labels have shape " + Arrays.toString(target.shape())
                    + " for outputs " + Arrays.toString(output.shape()) + "; expected [" + n + "] labels in {-1, +1}");
        }
        Tensor y = target.reshape(n);
        for (int i = 0; i < n; i++) {
            double v = y.flat(i);
            if (v != 1.0 && v != -1.0) {
                throw new IllegalArgumentException("logistic loss: label " + v + " at index " + i
                        + " is not -1 or +1 (binary labels must be +-1)");
            }
        }
        return Numerics.softplus(f.mul(y).neg());              // [n]
    }

    static Tensor scalarOutputs(String op, Tensor output) {
        if (output.rank() == 1) {
            return output;
        }
        if (output.rank() == 2 && output.dim(1) == 1) {
            return output.reshape(output.dim(0));
        }
        throw new IllegalArgumentException(op + ": output has shape " + Arrays.toString(output.shape())
                + "; expected one score per sample, [n, 1] or [n]");
    }

    @Override
    public String describe() {
        return "logistic loss, labels in {-1, +1}: L = (1/n) sum_i log(1 + exp(-y_i f(x_i))) (stable softplus, mean over samples)";
    }
}
