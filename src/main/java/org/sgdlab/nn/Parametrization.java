package org.sgdlab.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where the 1/sqrt(fan_in) of a dense or conv layer lives (QUANTITIES.md Q10.5).
 *
 * <ul>
 *   <li>{@link #STANDARD}: {@code y = W x + b}; the scale is in the init (default: PyTorch's
 *       U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights and biases).</li>
 *   <li>{@link #NTK}: {@code y = W x / sqrt(fan_in) + b} with W ~ N(0, 1) by default (Jacot et al.;
 *       the catapult papers' two-layer network). The bias is not scaled; its default init is zeros.</li>
 * </ul>
 */
public enum Parametrization {
    STANDARD("standard"),
    NTK("ntk");

    private final String id;

    Parametrization(String id) {
        this.id = id;
    }

    /** The registry name ({@code standard}, {@code ntk}). */
    public String id() {
        return id;
    }

    /** The factor multiplying {@code W x}: 1, or {@code 1/sqrt(fan_in)} under NTK. */
    public double forwardScale(int fanIn) {
        return this == NTK ? 1.0 / Math.sqrt(fanIn) : 1.0;
    }

    /** Default weight init: PyTorch's uniform (standard) or N(0, 1) (NTK). */
    public Init defaultWeightInit() {
        return this == NTK ? Init.normal(1.0) : Init.pytorchDefault();
    }

    /** Default bias init: PyTorch's uniform (standard) or zeros (NTK). */
    public Init defaultBiasInit() {
        return this == NTK ? Init.zeros() : Init.pytorchDefault();
    }

    /** {@code standard} or {@code ntk}; anything else fails and lists both. */
    public static Parametrization of(String name) {
        for (Parametrization p : values()) {
            if (p.id.equals(name == null ? null : name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown parametrization '" + name + "'; known: "
                + Arrays.stream(values()).map(Parametrization::id).collect(Collectors.joining(", ")));
    }
}
