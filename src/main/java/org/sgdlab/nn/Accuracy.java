package org.sgdlab.nn;

import java.util.Arrays;
import org.sgdlab.tensor.Tensor;

/**
 * Classification accuracy (QUANTITIES.md Q18), a plain number (never traced):
 * <ul>
 *   <li>k > 1 outputs {@code [n, k]}: the fraction of samples with {@code argmax_c f(x_i)_c == y_i}
 *       (first maximiser at ties); labels {@code [n]} (integers) or one-hot/targets {@code [n, k]}
 *       (label = argmax of the target row).</li>
 *   <li>one output {@code [n, 1]} or {@code [n]}: sign agreement with labels in {-1, +1},
 *       the fraction with {@code y_i f(x_i) > 0} (a zero score counts as wrong).</li>
 * </ul>
 */
public final class Accuracy {

    private Accuracy() {
    }

    /** The accuracy of {@code output} against {@code target}, dispatching on the output width. */
    public static double of(Tensor output, Tensor target) {
        if (output.rank() == 1 || (output.rank() == 2 && output.dim(1) == 1)) {
            return sign(output, target);
        }
        return argmax(output, target);
    }

    /** Fraction with {@code argmax f(x_i) == y_i}; output {@code [n, k]}, labels {@code [n]} or {@code [n, k]}. */
    public static double argmax(Tensor output, Tensor target) {
        if (output.rank() != 2) {
            throw new IllegalArgumentException("accuracy: output has shape " + Arrays.toString(output.shape())
                    + "; expected [n, k]");
        }
        int n = output.dim(0);
        int k = output.dim(1);
        int[] labels;
        if (target.rank() == 1 && target.dim(0) == n) {
            labels = Losses.labels("accuracy", target, k);
        } else if (Arrays.equals(target.shape(), output.shape())) {
            labels = target.detach().argmaxRows();
        } else {
            throw new IllegalArgumentException("accuracy: target has shape " + Arrays.toString(target.shape())
                    + " for outputs " + Arrays.toString(output.shape()) + "; expected labels [" + n + "] or [" + n + ", "
                    + k + "]");
        }
        int[] pred = output.detach().argmaxRows();
        int ok = 0;
        for (int i = 0; i < n; i++) {
            if (pred[i] == labels[i]) {
                ok++;
            }
        }
        return n == 0 ? Double.NaN : (double) ok / n;
    }

    /** Fraction with {@code y_i f(x_i) > 0}; output {@code [n]} or {@code [n, 1]}, labels in {-1, +1}. */
    public static double sign(Tensor output, Tensor target) {
        Tensor f = LogisticLoss.scalarOutputs("accuracy", output);
        int n = f.dim(0);
        if (target.size() != n) {
            throw new IllegalArgumentException("accuracy: labels have shape " + Arrays.toString(target.shape())
                    + " for outputs " + Arrays.toString(output.shape()) + "; expected [" + n + "] labels in {-1, +1}");
        }
        int ok = 0;
        for (int i = 0; i < n; i++) {
            double y = target.flat(i);
            if (y != 1.0 && y != -1.0) {
                throw new IllegalArgumentException("accuracy: label " + y + " at index " + i
                        + " is not -1 or +1 (sign accuracy needs +-1 labels)");
            }
            if (y * f.flat(i) > 0) {
                ok++;
            }
        }
        return n == 0 ? Double.NaN : (double) ok / n;
    }
}
