package org.sgdlab.nn;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.sgdlab.tensor.Tensor;

/**
 * Elementwise activations, as parameter-free layers. Formulas (x elementwise):
 *
 * <ul>
 *   <li>{@code identity}: x</li>
 *   <li>{@code relu}: max(x, 0) (derivative 1/2 at 0 by the engine's tie rule)</li>
 *   <li>{@code tanh}: tanh x</li>
 *   <li>{@code elu}: x for x > 0, e^x - 1 otherwise (alpha = 1, PyTorch's default)</li>
 *   <li>{@code gelu}: x Phi(x) = x (1 + erf(x/sqrt 2))/2, the exact erf form</li>
 *   <li>{@code softplus}: log(1 + e^x) (beta = 1), computed as max(x, 0) + log1p(e^-|x|)
 *       (no overflow; full relative precision for very negative x). PyTorch switches to x above
 *       x = 20; this form is exact everywhere.</li>
 *   <li>{@code sigmoid}: 1/(1 + e^-x)</li>
 *   <li>{@code swish}: x sigmoid(x) (SiLU; Damian et al.'s networks)</li>
 * </ul>
 *
 * <p>Smooth activations (all but relu; elu has a continuous first and a jump in the second
 * derivative at 0) are the ones to use where exact second-order diagnostics matter.
 */
public enum Activation implements Model {
    IDENTITY("identity"),
    RELU("relu"),
    TANH("tanh"),
    ELU("elu"),
    GELU("gelu"),
    SOFTPLUS("softplus"),
    SIGMOID("sigmoid"),
    SWISH("swish");

    private static final double INV_SQRT2 = 1.0 / Math.sqrt(2.0);

    private final String id;

    Activation(String id) {
        this.id = id;
    }

    /** The registry name. */
    public String id() {
        return id;
    }

    /** The activation called {@code name}; unknown names fail and list the valid ones. */
    public static Activation of(String name) {
        for (Activation a : values()) {
            if (a.id.equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + name + "'; known: "
                + Arrays.stream(values()).map(Activation::id).collect(Collectors.joining(", ")));
    }

    /** The activation applied elementwise. */
    public Tensor apply(Tensor x) {
        switch (this) {
            case IDENTITY:
                return x;
            case RELU:
                return x.relu();
            case TANH:
                return x.tanh();
            case ELU:
                // exp of min(x, 0): the unused branch cannot overflow
                return Tensor.where(x.gt(0.0), x, x.minimum(0.0).exp().sub(1.0));
            case GELU:
                return x.mul(x.mul(INV_SQRT2).erf().add(1.0)).mul(0.5);
            case SOFTPLUS:
                return Numerics.softplus(x);
            case SIGMOID:
                return x.sigmoid();
            case SWISH:
                return x.mul(x.sigmoid());
            default:
                throw new IllegalStateException("activation " + id + " has no formula");
        }
    }

    @Override
    public Layout layout() {
        return Layout.empty();
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        return Tensor.zeros(0);
    }

    /** {@code apply(x)}; theta must be empty. */
    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        Layout.empty().check(id, theta);
        return apply(x);
    }

    @Override
    public String describe() {
        return id;
    }
}
