package org.sgdlab.nn;

import java.util.Arrays;
import org.sgdlab.tensor.Tensor;

/**
 * Softmax cross-entropy (QUANTITIES.md Q2.1): {@code l_i = -sum_c t_ic log softmax(f(x_i))_c} with
 * {@code log softmax(z) = z - logsumexp(z)} (stabilised by the row maximum, finite for logits of any
 * magnitude), {@code L = (1/n) sum_i l_i}. Targets: integer labels {@code [n]} (t = one-hot; the
 * usual {@code -log softmax(f(x_i))_{y_i}}) or a target distribution / one-hot matrix {@code [n, k]}.
 */
public final class CrossEntropyLoss implements Loss {

    @Override
    public String name() {
        return "cross-entropy";
    }

    @Override
    public Tensor perExample(Tensor output, Tensor target) {
        if (output.rank() != 2) {
            throw new IllegalArgumentException("cross-entropy: output has shape " + Arrays.toString(output.shape())
                    + "; expected logits [n, k]");
        }
        int n = output.dim(0);
        int k = output.dim(1);
        Tensor t;
        if (target.rank() == 1 && target.dim(0) == n) {
            t = Tensor.oneHot(Losses.labels("cross-entropy", target, k), k);
        } else if (Arrays.equals(target.shape(), output.shape())) {
            t = target;
        } else {
            throw new IllegalArgumentException("cross-entropy: target has shape " + Arrays.toString(target.shape())
                    + " for logits " + Arrays.toString(output.shape()) + "; expected labels [" + n + "] or targets ["
                    + n + ", " + k + "]");
        }
        Tensor logp = output.sub(output.logSumExp(1, true));           // [n, k] log softmax
        return t.mul(logp).sum(1).neg();                              // [n]
    }

    @Override
    public String describe() {
        return "cross-entropy: L = (1/n) sum_i -log softmax(f(x_i))_{y_i} (stable log-softmax, mean over samples)";
    }
}
