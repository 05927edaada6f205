package org.sgdlab.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * The convnet of Cohen et al. (ICLR 2021; authors' code locuslab/edge-of-stability
 * {@code src/archs.py}, {@code convnet}): for each width w_l (default [32, 32]) a 3x3 convolution with
 * padding 1 and bias, the activation and a 2x2 pooling (max or average, stride 2), halving the
 * image (floor); then flatten and a dense layer (with bias) to the classes.
 * Input {@code [N, C, H, W]}, output {@code [N, classes]}.
 *
 * <p>Blocks as the authors' {@code nn.Sequential}: {@code 0.weight, 0.bias} (conv 1), {@code 3.weight,
 * 3.bias} (conv 2), ..., then the dense layer at index 3L + 1. Init: PyTorch's default
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for every weight and bias (conv fan_in = C 3 3).
 */
public final class CohenCnn implements Model {

    private final int channels;
    private final int height;
    private final int width;
    private final int classes;
    private final int[] widths;
    private final Activation act;
    private final Pool2d.Kind pooling;
    private final Serial net;

    private CohenCnn(int channels, int height, int width, int classes, int[] widths, Activation act, Pool2d.Kind pooling) {
        if (channels < 1 || height < 1 || width < 1 || classes < 1 || widths.length == 0) {
            throw new IllegalArgumentException("cohen-cnn: channels " + channels + ", image " + height + "x" + width
                    + ", classes " + classes + ", widths " + Arrays.toString(widths)
                    + ": all must be >= 1 and widths non-empty");
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.classes = classes;
        this.widths = widths.clone();
        this.act = act;
        this.pooling = pooling;
        List<Model> layers = new ArrayList<>();
        int c = channels;
        int h = height;
        int w = width;
        for (int wl : widths) {
            if (wl < 1) {
                throw new IllegalArgumentException("cohen-cnn: widths must be >= 1, got " + Arrays.toString(widths));
            }
            if (h < 2 || w < 2) {
                throw new IllegalArgumentException("cohen-cnn: image " + height + "x" + width + " is too small for "
                        + widths.length + " conv-pool stages (each halves it)");
            }
            layers.add(Conv2d.of(c, wl, 3).withPadding(1));
            layers.add(act);
            layers.add(new Pool2d(pooling, 2, 2, 0));
            c = wl;
            h /= 2;
            w /= 2;
        }
        layers.add(Flatten.INSTANCE);
        layers.add(Dense.of(c * h * w, classes));
        this.net = Serial.of(layers);
    }

    /**
     * Widths [32, 32], relu, max pooling (the authors' {@code cnn-relu}) for {@code [N, C, H, W]} inputs, or
     * flat {@code [N, C*H*W]} rows (channel-major, as a flattened image), which are read as such images.
     */
    public static CohenCnn of(int channels, int height, int width, int classes) {
        return new CohenCnn(channels, height, width, classes, new int[] {32, 32}, Activation.RELU, Pool2d.Kind.MAX);
    }

    public CohenCnn withWidths(int... w) {
        return new CohenCnn(channels, height, width, classes, w, act, pooling);
    }

    public CohenCnn withActivation(Activation a) {
        return new CohenCnn(channels, height, width, classes, widths, a, pooling);
    }

    /** {@code max} or {@code avg} (alias {@code average}, the authors' name). */
    public CohenCnn withPooling(String kind) {
        return new CohenCnn(channels, height, width, classes, widths, act, Pool2d.Kind.of(kind));
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
        if (x.rank() == 2 && x.dim(1) == channels * height * width) {
            x = x.reshape(x.dim(0), channels, height, width);       // flat rows, as the data sources give them
        }
        if (x.rank() != 4 || x.dim(1) != channels || x.dim(2) != height || x.dim(3) != width) {
            throw new IllegalArgumentException("cohen-cnn: input has shape " + Arrays.toString(x.shape())
                    + "; expected [N, " + channels + ", " + height + ", " + width + "] or flat [N, "
                    + channels * height * width + "] (channels x height x width)");
        }
        return net.apply(theta, x);
    }

    @Override
    public String describe() {
        return "cohen-cnn " + channels + "x" + height + "x" + width + " -> " + classes + ", widths "
                + Arrays.toString(widths) + ", " + act.id() + ", " + pooling.id + "-pool, init "
                + "U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (" + Numerics.count(numParams()) + " parameters)";
    }
}
