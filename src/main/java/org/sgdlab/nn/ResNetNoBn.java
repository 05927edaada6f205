package org.sgdlab.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * A small residual network without batch normalisation (so the loss is a plain function of theta
 * and the per-example losses are independent, as curvature diagnostics need):
 *
 * <pre>
 *   h = act(conv_stem(x))                                  3x3, padding 1, C -> width
 *   repeat blocks times:  h = act(h + conv_b2(act(conv_b1(h))))   3x3, padding 1, width -> width
 *   f = dense(global_avg_pool(h))                          width -> classes
 * </pre>
 *
 * Input {@code [N, C, H, W]} (any H, W >= 1), output {@code [N, classes]}. Blocks: {@code 0.*} (stem),
 * residual block b at index 2 + 2b with {@code (2+2b).0.*} and {@code (2+2b).2.*}, dense at
 * {@code (3 + 2 blocks).*}. Init: PyTorch's default for all weights and biases unless changed.
 */
public final class ResNetNoBn implements Model {

    private final int channels;
    private final int classes;
    private final int width;
    private final int blocks;
    private final Activation act;
    private final Init weightInit;
    private final Init biasInit;
    private final Serial net;

    private ResNetNoBn(int channels, int classes, int width, int blocks, Activation act, Init weightInit, Init biasInit) {
        if (channels < 1 || classes < 1 || width < 1 || blocks < 0) {
            throw new IllegalArgumentException("resnet-no-bn: channels " + channels + ", classes " + classes + ", width "
                    + width + ", blocks " + blocks + ": channels, classes, width must be >= 1, blocks >= 0");
        }
        this.channels = channels;
        this.classes = classes;
        this.width = width;
        this.blocks = blocks;
        this.act = act;
        this.weightInit = weightInit;
        this.biasInit = biasInit;
        List<Model> layers = new ArrayList<>();
        layers.add(conv(channels, width));
        layers.add(act);
        for (int b = 0; b < blocks; b++) {
            layers.add(new Residual(Serial.of(conv(width, width), act, conv(width, width))));
            layers.add(act);
        }
        layers.add(GlobalAvgPool.INSTANCE);
        Dense d = Dense.of(width, classes);
        if (weightInit != null) {
            d = d.withInit(weightInit, biasInit != null ? biasInit : d.biasInit());
        } else if (biasInit != null) {
            d = d.withBiasInit(biasInit);
        }
        layers.add(d);
        this.net = Serial.of(layers);
    }

    private Conv2d conv(int in, int out) {
        Conv2d c = Conv2d.of(in, out, 3).withPadding(1);
        return c.withInit(weightInit != null ? weightInit : c.weightInit(), biasInit != null ? biasInit : c.biasInit());
    }

    /** Width 16, 2 residual blocks, relu. */
    public static ResNetNoBn of(int channels, int classes) {
        return new ResNetNoBn(channels, classes, 16, 2, Activation.RELU, null, null);
    }

    public ResNetNoBn withWidth(int w) {
        return new ResNetNoBn(channels, classes, w, blocks, act, weightInit, biasInit);
    }

    public ResNetNoBn withBlocks(int b) {
        return new ResNetNoBn(channels, classes, width, b, act, weightInit, biasInit);
    }

    public ResNetNoBn withActivation(Activation a) {
        return new ResNetNoBn(channels, classes, width, blocks, a, weightInit, biasInit);
    }

    /** The same weight and bias init for every conv and the dense layer. */
    public ResNetNoBn withInit(Init weight, Init bias) {
        return new ResNetNoBn(channels, classes, width, blocks, act, weight, bias);
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
        if (x.rank() == 2) {
            int s = side(x.dim(1));
            x = x.reshape(x.dim(0), channels, s, s);                             // flat rows of square images
        }
        if (x.rank() != 4 || x.dim(1) != channels) {
            throw new IllegalArgumentException("resnet-no-bn: input has shape " + Arrays.toString(x.shape())
                    + "; expected [N, " + channels + ", H, W] or flat rows of square images [N, " + channels + " * s * s]");
        }
        return net.apply(theta, x);
    }

    /** The side s of the square images whose flat rows have {@code d = channels * s * s} values. */
    private int side(int d) {
        int s = (int) Math.round(Math.sqrt((double) d / channels));
        if (d % channels != 0 || s * s * channels != d) {
            throw new IllegalArgumentException("resnet-no-bn: flat rows of " + d + " values are not " + channels
                    + " channel(s) of a square image (" + channels + " * s * s); give inputs as [N, " + channels
                    + ", H, W]");
        }
        return s;
    }

    @Override
    public String describe() {
        Dense d = (Dense) net.layers().get(net.layers().size() - 1);
        return "resnet-no-bn " + channels + " channels -> " + classes + ", width " + width + ", " + blocks
                + " blocks, " + act.id() + ", init " + d.describeInit() + " (" + Numerics.count(numParams())
                + " parameters)";
    }
}
