package org.sgdlab.optim;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;
import org.sgdlab.tensor.Tensor;

/** Argument checks shared by optimizers and schedules; every message names owner, field, value and rule. */
final class Require {

    private Require() {
    }

    static double positive(String owner, String key, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(owner + ": " + key + " must be finite and > 0, got " + v);
        }
        return v;
    }

    static double nonNegative(String owner, String key, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(owner + ": " + key + " must be finite and >= 0, got " + v);
        }
        return v;
    }

    static double unitInterval(String owner, String key, double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new IllegalArgumentException(owner + ": " + key + " must be in [0, 1], got " + v);
        }
        return v;
    }

    static double momentum(String owner, double beta) {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException(owner + ": beta (momentum coefficient) must be in [0, 1), got " + beta);
        }
        return beta;
    }

    static long atLeast(String owner, String key, long v, long min) {
        if (v < min) {
            throw new IllegalArgumentException(owner + ": " + key + " must be >= " + min + ", got " + v);
        }
        return v;
    }

    static void step(String owner, long step) {
        if (step < 0) {
            throw new IllegalArgumentException(owner + ": step must be >= 0, got " + step);
        }
    }

    /** Locale-independent shortest round-trip text of a double (Double.toString never localises). */
    static String num(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    static void sameShape(String owner, String what, Tensor a, String other, Tensor b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException(owner + ": " + (a == null ? what : other) + " is null");
        }
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(owner + ": " + what + " shape " + Arrays.toString(a.shape())
                    + " differs from " + other + " shape " + Arrays.toString(b.shape()));
        }
    }

    /** The tensor of a single-tensor state record, which must not be null ({@code owner: tensor is null}). */
    static Tensor tensor(String owner, Tensor v) {
        if (v == null) {
            throw new IllegalArgumentException(owner + ": tensor is null");
        }
        return v;
    }

    /** The one tensor of a single-tensor state, checking that the export holds exactly that key and no scalar. */
    static Tensor single(String owner, Map<String, Tensor> tensors, Map<String, Double> scalars, String key) {
        if (tensors == null || tensors.size() != 1 || !tensors.containsKey(key) || tensors.get(key) == null) {
            throw new IllegalArgumentException(owner + ": restore expects exactly the tensor '" + key + "', got "
                    + (tensors == null ? "null" : new TreeSet<>(tensors.keySet())));
        }
        none(owner, scalars);
        return tensors.get(key);
    }

    static void none(String owner, Map<String, Double> scalars) {
        if (scalars != null && !scalars.isEmpty()) {
            throw new IllegalArgumentException(owner + ": restore expects no scalars, got "
                    + new TreeSet<>(scalars.keySet()));
        }
    }

    /** 2/eta-type thresholds: numerator/eta, +Infinity for eta = 0. */
    static double threshold(double numerator, double eta) {
        return eta == 0 ? Double.POSITIVE_INFINITY : numerator / eta;
    }
}
