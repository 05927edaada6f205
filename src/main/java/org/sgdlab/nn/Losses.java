package org.sgdlab.nn;

import java.util.Arrays;
import java.util.List;
import org.sgdlab.tensor.Tensor;

/** The loss registry: {@code mse}, {@code cross-entropy}, {@code logistic}. */
public final class Losses {

    /** Names accepted by {@link #of}. */
    public static final List<String> NAMES = List.of("mse", "cross-entropy", "logistic");

    private Losses() {
    }

    /** The loss called {@code name}; {@code mse} uses the default convention {@link MseConvention#HALF} (Q2.1). */
    public static Loss of(String name) {
        return of(name, MseConvention.HALF);
    }

    /** The loss called {@code name}; the convention applies to {@code mse} only. */
    public static Loss of(String name, MseConvention convention) {
        switch (name == null ? "" : name) {
            case "mse":
                return new SquaredLoss(convention);
            case "cross-entropy":
                return new CrossEntropyLoss();
            case "logistic":
                return new LogisticLoss();
            default:
                throw new IllegalArgumentException("unknown loss '" + name + "'; known: " + String.join(", ", NAMES));
        }
    }

    public static SquaredLoss squared(MseConvention convention) {
        return new SquaredLoss(convention);
    }

    public static CrossEntropyLoss crossEntropy() {
        return new CrossEntropyLoss();
    }

    public static LogisticLoss logistic() {
        return new LogisticLoss();
    }

    /** Integer class labels from a {@code [n]} tensor of integral values in [0, k). */
    static int[] labels(String op, Tensor target, int k) {
        if (target.rank() != 1) {
            throw new IllegalArgumentException(op + ": labels must be [n], got " + Arrays.toString(target.shape()));
        }
        int[] out = new int[target.size()];
        for (int i = 0; i < out.length; i++) {
            double v = target.flat(i);
            if (v != Math.rint(v) || v < 0 || v >= k) {
                throw new IllegalArgumentException(op + ": label " + v + " at index " + i
                        + " is not an integer class in [0, " + k + ")");
            }
            out[i] = (int) v;
        }
        return out;
    }
}
