package org.sgdlab.nn;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * 2-D convolution (cross-correlation, as PyTorch's {@code nn.Conv2d}):
 * {@code y[n, o, i, j] = s sum_{c, p, q} W[o, c, p, q] xpad[n, c, i*stride + p, j*stride + q] + b[o]}
 * with zero padding, weight {@code [O, C, k, k]}, optional bias {@code [O]}, and s = 1 (standard) or
 * 1/sqrt(C k k) (NTK). Input {@code [N, C, H, W]}, output {@code [N, O, Ho, Wo]} with
 * {@code Ho = (H + 2 padding - k)/stride + 1} (floor).
 *
 * <p>Blocks: {@code weight}, then {@code bias}; fans (C k k, O k k).
 */
public final class Conv2d implements Model {

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean bias;
    private final Parametrization param;
    private final Init weightInit;
    private final Init biasInit;
    private final Layout layout;

    private Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias,
                   Parametrization param, Init weightInit, Init biasInit) {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("conv2d: channels " + inChannels + "->" + outChannels + ", kernel "
                    + kernel + ", stride " + stride + ", padding " + padding
                    + ": channels, kernel and stride must be >= 1, padding >= 0");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.bias = bias;
        this.param = param;
        this.weightInit = weightInit;
        this.biasInit = biasInit;
        Layout.Builder b = Layout.builder().add("weight", outChannels, inChannels, kernel, kernel);
        if (bias) {
            b.add("bias", outChannels);
        }
        this.layout = b.build();
    }

    /** {@code C -> O} channels, k x k kernel, stride 1, no padding, with bias, PyTorch default init. */
    public static Conv2d of(int inChannels, int outChannels, int kernel) {
        return new Conv2d(inChannels, outChannels, kernel, 1, 0, true, Parametrization.STANDARD, null, null);
    }

    public Conv2d withStride(int s) {
        return new Conv2d(inChannels, outChannels, kernel, s, padding, bias, param, weightInit, biasInit);
    }

    public Conv2d withPadding(int p) {
        return new Conv2d(inChannels, outChannels, kernel, stride, p, bias, param, weightInit, biasInit);
    }

    public Conv2d withBias(boolean withBias) {
        return new Conv2d(inChannels, outChannels, kernel, stride, padding, withBias, param, weightInit, biasInit);
    }

    public Conv2d withParametrization(Parametrization p) {
        return new Conv2d(inChannels, outChannels, kernel, stride, padding, bias, p, weightInit, biasInit);
    }

    public Conv2d withInit(Init w, Init b) {
        return new Conv2d(inChannels, outChannels, kernel, stride, padding, bias, param, w, b);
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    public Init weightInit() {
        return weightInit != null ? weightInit : param.defaultWeightInit();
    }

    public Init biasInit() {
        return biasInit != null ? biasInit : param.defaultBiasInit();
    }

    /** Output spatial size for input size {@code h}: {@code (h + 2 padding - k)/stride + 1}. */
    public int outSize(int h) {
        return (h + 2 * padding - kernel) / stride + 1;
    }

    @Override
    public Layout layout() {
        return layout;
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        int k2 = kernel * kernel;
        Init.Fans fans = new Init.Fans(inChannels * k2, outChannels * k2);
        Tensor w = weightInit().sample(rng, new int[] {outChannels, inChannels, kernel, kernel}, fans).flatten();
        if (!bias) {
            return w;
        }
        return Tensor.concat(0, w, biasInit().sample(rng, new int[] {outChannels}, fans));
    }

    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        layout.check("conv2d", theta);
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException("conv2d " + inChannels + "->" + outChannels + ": input has shape "
                    + Arrays.toString(x.shape()) + "; expected [N, " + inChannels + ", H, W]");
        }
        if (x.dim(2) + 2 * padding < kernel || x.dim(3) + 2 * padding < kernel) {
            throw new IllegalArgumentException("conv2d: kernel " + kernel + "x" + kernel + " is larger than the padded input "
                    + (x.dim(2) + 2 * padding) + "x" + (x.dim(3) + 2 * padding) + " (input " + Arrays.toString(x.shape())
                    + ", padding " + padding + ")");
        }
        Tensor w = layout.view(theta, "weight");
        Tensor y = x.conv2d(w, stride, padding);                     // [N, O, Ho, Wo]
        double s = param.forwardScale(inChannels * kernel * kernel);
        if (s != 1.0) {
            y = y.mul(s);
        }
        if (bias) {
            y = y.add(layout.view(theta, "bias").reshape(1, outChannels, 1, 1));
        }
        return y;
    }

    @Override
    public String describe() {
        return "conv2d " + inChannels + "->" + outChannels + " " + kernel + "x" + kernel
                + (stride != 1 ? " stride " + stride : "") + (padding != 0 ? " pad " + padding : "")
                + (bias ? "" : " no-bias") + (param == Parametrization.NTK ? " ntk" : "");
    }
}
