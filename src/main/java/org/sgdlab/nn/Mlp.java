package org.sgdlab.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Fully connected network {@code widths[0] -> widths[1] -> ... -> widths[L]}:
 * {@code h_0 = x, h_{l+1} = act(s_l h_l W_l^T + b_l)} for hidden layers and no activation after the
 * last, with s_l = 1 (standard) or 1/sqrt(widths[l]) (NTK). Input {@code [N, widths[0]]}, output
 * {@code [N, widths[L]]}.
 *
 * <p>Blocks as in {@code nn.Sequential(Linear, act, Linear, act, ..., Linear)}: {@code 0.weight},
 * {@code 0.bias}, {@code 2.weight}, ..., {@code 2(L-1).weight}. Parameter count
 * {@code sum_l widths[l+1] (widths[l] + bias)}: 64-128-128-10 with biases has 26,122.
 * (Cohen et al.'s {@code fully_connected_net} starts with {@code nn.Flatten()}, so its
 * state_dict indices are shifted by one.)
 *
 * <p>Default init: the parametrisation's (PyTorch's U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weights
 * and biases under the standard one, the init of Cohen et al. and of STUDIES.md §1.1); the same init
 * for every layer, drawn layer by layer, weight before bias. For per-layer inits compose
 * {@link Dense} layers with {@link Serial#of}.
 */
public final class Mlp implements Model {

    private final int[] widths;
    private final Activation act;
    private final boolean bias;
    private final Parametrization param;
    private final Init weightInit;
    private final Init biasInit;
    private final Serial net;

    private Mlp(int[] widths, Activation act, boolean bias, Parametrization param, Init weightInit, Init biasInit) {
        if (widths.length < 2) {
            throw new IllegalArgumentException("mlp: needs at least 2 widths (input and output), got "
                    + Arrays.toString(widths));
        }
        for (int w : widths) {
            if (w < 1) {
                throw new IllegalArgumentException("mlp: widths must be >= 1, got " + Arrays.toString(widths));
            }
        }
        this.widths = widths.clone();
        this.act = act;
        this.bias = bias;
        this.param = param;
        this.weightInit = weightInit;
        this.biasInit = biasInit;
        List<Model> layers = new ArrayList<>();
        for (int l = 0; l + 1 < widths.length; l++) {
            Dense d = Dense.of(widths[l], widths[l + 1]).withBias(bias).withParametrization(param);
            if (weightInit != null) {
                d = d.withWeightInit(weightInit);
            }
            if (biasInit != null) {
                d = d.withBiasInit(biasInit);
            }
            layers.add(d);
            if (l + 2 < widths.length) {
                layers.add(act);
            }
        }
        this.net = Serial.of(layers);
    }

    /** {@code widths[0] -> ... -> widths[L]} with activation {@code act} between layers, biases, standard. */
    public static Mlp of(Activation act, int... widths) {
        return new Mlp(widths, act, true, Parametrization.STANDARD, null, null);
    }

    public Mlp withBias(boolean withBias) {
        return new Mlp(widths, act, withBias, param, weightInit, biasInit);
    }

    public Mlp withParametrization(Parametrization p) {
        return new Mlp(widths, act, bias, p, weightInit, biasInit);
    }

    /** The same weight init and bias init for every layer. */
    public Mlp withInit(Init weight, Init bias) {
        return new Mlp(widths, act, this.bias, param, weight, bias);
    }

    public int[] widths() {
        return widths.clone();
    }

    public Activation activation() {
        return act;
    }

    /** The underlying serial network (for {@link Serial#intermediates}). */
    public Serial net() {
        return net;
    }

    /** Name of the weight block of dense layer l (0-based): {@code (2l).weight}. */
    public String weightName(int l) {
        return (2 * l) + ".weight";
    }

    @Override
    public Layout layout() {
        return net.layout();
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        return net.init(rng);
    }

    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        return net.apply(theta, x);
    }

    @Override
    public String describe() {
        Dense first = (Dense) net.layers().get(0);
        return "mlp " + Numerics.dims(widths) + " " + act.id() + (bias ? ", bias" : ", no bias") + ", "
                + param.id() + " parametrisation, init " + first.describeInit() + " ("
                + Numerics.count(numParams()) + " parameters)";
    }
}
