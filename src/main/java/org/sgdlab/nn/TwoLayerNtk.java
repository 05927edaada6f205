package org.sgdlab.nn;

import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Two-layer network in the NTK parametrisation (QUANTITIES.md Q10.5; the catapult studies):
 *
 * <pre>  f(x) = (1/sqrt(m)) sum_{i=1..m} a_i act(w_i^T x / sqrt(d) [+ b_i]),   w_i ~ N(0, I_d), a_i ~ N(0, 1)</pre>
 *
 * i.e. {@code f(x) = act(x W^T / sqrt(d) + b) a / sqrt(m)} with W {@code [m, d]} (rows w_i) and
 * a {@code [k, m]} (k = 1 by default). Input {@code [N, d]}, output {@code [N, k]}.
 *
 * <p>Blocks: {@code 0.weight} = W, {@code 0.bias} = b (only with a bias; default init zeros),
 * {@code 2.weight} = a. Without bias p = m (d + k). Init order: W, b, a. The precursor paper draws
 * a_i ~ Unif{+-1}: {@code withOutputInit(Init.rademacher(1))}.
 */
public final class TwoLayerNtk implements Model {

    private final int d;
    private final int m;
    private final int k;
    private final Activation act;
    private final boolean bias;
    private final Init hiddenInit;
    private final Init biasInit;
    private final Init outputInit;
    private final Serial net;

    private TwoLayerNtk(int d, int m, int k, Activation act, boolean bias, Init hiddenInit, Init biasInit, Init outputInit) {
        if (d < 1 || m < 1 || k < 1) {
            throw new IllegalArgumentException("two-layer-ntk: d " + d + ", m " + m + ", outputs " + k + " must all be >= 1");
        }
        this.d = d;
        this.m = m;
        this.k = k;
        this.act = act;
        this.bias = bias;
        this.hiddenInit = hiddenInit;
        this.biasInit = biasInit;
        this.outputInit = outputInit;
        Dense hidden = Dense.of(d, m).withBias(bias).withParametrization(Parametrization.NTK)
                .withInit(hiddenInit, biasInit);
        Dense out = Dense.of(m, k).withoutBias().withParametrization(Parametrization.NTK).withWeightInit(outputInit);
        this.net = Serial.of(hidden, act, out);
    }

    /** Input dimension d, width m, one output, relu, no bias, W and a ~ N(0, 1). */
    public static TwoLayerNtk of(int d, int m) {
        return new TwoLayerNtk(d, m, 1, Activation.RELU, false, Init.normal(1), Init.zeros(), Init.normal(1));
    }

    public TwoLayerNtk withOutputs(int outputs) {
        return new TwoLayerNtk(d, m, outputs, act, bias, hiddenInit, biasInit, outputInit);
    }

    public TwoLayerNtk withActivation(Activation a) {
        return new TwoLayerNtk(d, m, k, a, bias, hiddenInit, biasInit, outputInit);
    }

    public TwoLayerNtk withBias(boolean withBias) {
        return new TwoLayerNtk(d, m, k, act, withBias, hiddenInit, biasInit, outputInit);
    }

    public TwoLayerNtk withBiasInit(Init b) {
        return new TwoLayerNtk(d, m, k, act, bias, hiddenInit, b, outputInit);
    }

    public TwoLayerNtk withHiddenInit(Init w) {
        return new TwoLayerNtk(d, m, k, act, bias, w, biasInit, outputInit);
    }

    public TwoLayerNtk withOutputInit(Init a) {
        return new TwoLayerNtk(d, m, k, act, bias, hiddenInit, biasInit, a);
    }

    public int inputDim() {
        return d;
    }

    public int width() {
        return m;
    }

    public Activation activation() {
        return act;
    }

    public Serial net() {
        return net;
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
        return "two-layer-ntk f(x) = a^T " + act.id() + "(W x/sqrt(d)" + (bias ? " + b" : "") + ")/sqrt(m), d " + d
                + ", m " + m + (k != 1 ? ", outputs " + k : "") + ", W ~ " + hiddenInit.describe()
                + (bias ? ", b ~ " + biasInit.describe() : "") + ", a ~ " + outputInit.describe() + " ("
                + Numerics.count(numParams()) + " parameters)";
    }
}
