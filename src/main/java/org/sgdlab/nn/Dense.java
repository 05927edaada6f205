package org.sgdlab.nn;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Fully connected layer {@code y = s x W^T + b} with weight {@code [out, in]} (PyTorch's layout),
 * optional bias {@code [out]}, and s = 1 (standard) or 1/sqrt(in) (NTK, {@link Parametrization}).
 * Input {@code [..., in]} (usually {@code [N, in]}), output {@code [..., out]}.
 *
 * <p>Blocks: {@code weight}, then {@code bias}; init draws the weight (row-major) and then the bias,
 * with fans (in, out).
 */
public final class Dense implements Model {

    private final int in;
    private final int out;
    private final boolean bias;
    private final Parametrization param;
    private final Init weightInit;
    private final Init biasInit;
    private final Layout layout;

    private Dense(int in, int out, boolean bias, Parametrization param, Init weightInit, Init biasInit) {
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("dense: in and out must be >= 1, got in " + in + ", out " + out);
        }
        this.in = in;
        this.out = out;
        this.bias = bias;
        this.param = param;
        this.weightInit = weightInit;
        this.biasInit = biasInit;
        Layout.Builder b = Layout.builder().add("weight", out, in);
        if (bias) {
            b.add("bias", out);
        }
        this.layout = b.build();
    }

    /** {@code in -> out} with bias, standard parametrisation, PyTorch default init. */
    public static Dense of(int in, int out) {
        return new Dense(in, out, true, Parametrization.STANDARD, null, null);
    }

    public Dense withBias(boolean withBias) {
        return new Dense(in, out, withBias, param, weightInit, biasInit);
    }

    public Dense withoutBias() {
        return withBias(false);
    }

    /** Changes the parametrisation; inits not set explicitly follow its defaults. */
    public Dense withParametrization(Parametrization p) {
        return new Dense(in, out, bias, p, weightInit, biasInit);
    }

    public Dense withWeightInit(Init w) {
        return new Dense(in, out, bias, param, w, biasInit);
    }

    public Dense withBiasInit(Init b) {
        return new Dense(in, out, bias, param, weightInit, b);
    }

    public Dense withInit(Init w, Init b) {
        return new Dense(in, out, bias, param, w, b);
    }

    public int in() {
        return in;
    }

    public int out() {
        return out;
    }

    public boolean hasBias() {
        return bias;
    }

    public Parametrization parametrization() {
        return param;
    }

    public Init weightInit() {
        return weightInit != null ? weightInit : param.defaultWeightInit();
    }

    public Init biasInit() {
        return biasInit != null ? biasInit : param.defaultBiasInit();
    }

    @Override
    public Layout layout() {
        return layout;
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        Init.Fans fans = new Init.Fans(in, out);
        Tensor w = weightInit().sample(rng, new int[] {out, in}, fans).reshape(out * in);
        if (!bias) {
            return w;
        }
        Tensor b = biasInit().sample(rng, new int[] {out}, fans);
        return Tensor.concat(0, w, b);
    }

    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        layout.check("dense", theta);
        if (x.rank() < 2 || x.dim(-1) != in) {
            throw new IllegalArgumentException("dense " + in + "->" + out + ": input has shape "
                    + Arrays.toString(x.shape()) + "; expected [N, " + in + "] (last axis = in features)");
        }
        Tensor w = layout.view(theta, "weight");
        Tensor y = x.matmul(w, false, true);             // [N, in] @ [out, in]^T -> [N, out]
        double s = param.forwardScale(in);
        if (s != 1.0) {
            y = y.mul(s);
        }
        if (bias) {
            y = y.add(layout.view(theta, "bias"));       // [N, out] + [out]
        }
        return y;
    }

    @Override
    public String describe() {
        return "dense " + in + "->" + out + (bias ? "" : " no-bias")
                + (param == Parametrization.NTK ? " ntk" : "");
    }

    /** The init description used by model headers: {@code weight ..., bias ...}. */
    String describeInit() {
        return "weight " + weightInit().describe() + (bias ? ", bias " + biasInit().describe() : "");
    }
}
