package org.sgdlab.nn;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The factor c of the squared loss {@code l_i = c ||f(x_i) - y_i||^2} (QUANTITIES.md Q2.1).
 * Curvature scales linearly with c: under PLAIN the Hessian is exactly twice HALF's.
 */
public enum MseConvention {
    /** c = 1/2: Cohen et al.'s convention (default). */
    HALF("half", 0.5),
    /** c = 1: the EoSS authors' convention (and the toy feature-sparsity networks'). */
    PLAIN("plain", 1.0);

    private final String id;
    private final double c;

    MseConvention(String id, double c) {
        this.id = id;
        this.c = c;
    }

    /** {@code half} or {@code plain} (the {@code mse_convention} value of a spec). */
    public String id() {
        return id;
    }

    /** The factor c. */
    public double factor() {
        return c;
    }

    public static MseConvention of(String name) {
        for (MseConvention m : values()) {
            if (m.id.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mse_convention '" + name + "'; known: "
                + Arrays.stream(values()).map(MseConvention::id).collect(Collectors.joining(", "))
                + " (half: c = 1/2, Cohen et al.; plain: c = 1, EoSS)");
    }
}
