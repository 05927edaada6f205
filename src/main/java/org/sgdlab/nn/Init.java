package org.sgdlab.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * How one parameter block is drawn at initialisation: a pure function of a random generator, the
 * block's shape and the fans of the layer it belongs to. Every sampler draws its entries in
 * row-major order, one generator call per entry (uniform: {@code nextDouble}, normal:
 * {@code nextGaussian}), so the same generator state gives the same block.
 *
 * <p>Fans follow PyTorch: a dense weight {@code [out, in]} has fan_in = in, fan_out = out; a conv
 * weight {@code [O, C, kh, kw]} has fan_in = C kh kw, fan_out = O kh kw. A bias block is drawn with
 * the fans of its layer's weight (PyTorch's default bias bound is 1/sqrt(fan_in of the weight)).
 */
public interface Init {

    /** Fan-in and fan-out of the layer a block belongs to. */
    record Fans(int fanIn, int fanOut) {
        public Fans {
            if (fanIn < 1 || fanOut < 1) {
                throw new IllegalArgumentException("init: fans must be >= 1, got fan_in " + fanIn + ", fan_out " + fanOut);
            }
        }
    }

    /** Draws a block of the given shape. */
    Tensor sample(RandomGenerator rng, int[] shape, Fans fans);

    /** The distribution in words, e.g. {@code U(-1/sqrt(fan_in), 1/sqrt(fan_in))}. */
    String describe();

    /** This distribution multiplied by {@code s} (drawn with the same generator calls). */
    default Init scaled(double s) {
        Init self = this;
        return custom(Numerics.fmt(s) + " * " + describe(), (rng, shape, fans) -> self.sample(rng, shape, fans).mul(s));
    }

    /** The sampling function of a custom init. */
    @FunctionalInterface
    interface Sampler {
        Tensor sample(RandomGenerator rng, int[] shape, Fans fans);
    }

    /** A named custom distribution (the sampler must return a tensor of the requested shape). */
    static Init custom(String description, Sampler sampler) {
        return new Named(description, sampler);
    }

    // ------------------------------------------------------------------ the standard ones

    /**
     * PyTorch's default for {@code nn.Linear} and {@code nn.Conv2d}, weights and biases alike:
     * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in of the layer's weight.
     */
    static Init pytorchDefault() {
        return new Named("U(-1/sqrt(fan_in), 1/sqrt(fan_in))", (rng, shape, fans) -> {
            double b = 1.0 / Math.sqrt(fans.fanIn());
            return Tensor.uniform(rng, -b, b, shape);
        });
    }

    /** Kaiming/He normal for ReLU: N(0, 2/fan_in). */
    static Init kaimingNormal() {
        return kaimingNormal(Math.sqrt(2.0));
    }

    /**
     * Kaiming normal with gain g: N(0, g^2/fan_in) (g = sqrt(2) for ReLU; g = 1 is LeCun normal,
     * the standard parametrisation's N(0, 1/fan_in)).
     */
    static Init kaimingNormal(double gain) {
        requireFinite("kaiming-normal gain", gain);
        return new Named("N(0, " + gainSq(gain) + "/fan_in)", (rng, shape, fans) ->
                Tensor.randn(rng, shape).mul(gain / Math.sqrt(fans.fanIn())));
    }

    /** Xavier/Glorot normal with gain g: N(0, g^2 * 2/(fan_in + fan_out)). */
    static Init xavierNormal(double gain) {
        requireFinite("xavier-normal gain", gain);
        return new Named("N(0, " + gainSq(gain) + " * 2/(fan_in + fan_out))", (rng, shape, fans) ->
                Tensor.randn(rng, shape).mul(gain * Math.sqrt(2.0 / (fans.fanIn() + fans.fanOut()))));
    }

    /** N(0, std^2), independent of the fans. */
    static Init normal(double std) {
        requireFinite("normal std", std);
        return new Named(std == 1 ? "N(0, 1)" : "N(0, " + Numerics.fmt(std) + "^2)", (rng, shape, fans) ->
                Tensor.randn(rng, shape).mul(std));
    }

    /** U(lo, hi), independent of the fans. */
    static Init uniform(double lo, double hi) {
        requireFinite("uniform lo", lo);
        requireFinite("uniform hi", hi);
        if (!(lo < hi)) {
            throw new IllegalArgumentException("init uniform: need lo < hi, got [" + lo + ", " + hi + ")");
        }
        return new Named("U(" + Numerics.fmt(lo) + ", " + Numerics.fmt(hi) + ")", (rng, shape, fans) ->
                Tensor.uniform(rng, lo, hi, shape));
    }

    /** {@code +scale} or {@code -scale} with probability 1/2 each (one {@code nextBoolean} per entry). */
    static Init rademacher(double scale) {
        requireFinite("rademacher scale", scale);
        return new Named(Numerics.fmt(scale) + " * Unif{-1, +1}", (rng, shape, fans) -> {
            double[] d = new double[size(shape)];
            for (int i = 0; i < d.length; i++) {
                d[i] = rng.nextBoolean() ? scale : -scale;
            }
            return Tensor.of(d, shape);
        });
    }

    /** Every entry {@code value}; draws nothing. */
    static Init constant(double value) {
        requireFinite("constant value", value);
        return new Named("constant " + Numerics.fmt(value), (rng, shape, fans) -> Tensor.full(value, shape));
    }

    /** All zeros; draws nothing. */
    static Init zeros() {
        return new Named("zeros", (rng, shape, fans) -> Tensor.zeros(shape));
    }

    /** Names accepted by {@link #of(String)}. */
    List<String> NAMES = List.of("pytorch-default", "kaiming-normal", "lecun-normal", "xavier-normal",
            "xavier-normal-tanh", "standard-normal", "zeros");

    /**
     * The init called {@code name}: {@code pytorch-default}, {@code kaiming-normal} (N(0, 2/fan_in)),
     * {@code lecun-normal} (N(0, 1/fan_in)), {@code xavier-normal} (gain 1), {@code xavier-normal-tanh}
     * (gain 5/3, PyTorch's tanh gain), {@code standard-normal} (N(0, 1)), {@code zeros}.
     */
    static Init of(String name) {
        switch (name == null ? "" : name) {
            case "pytorch-default":
                return pytorchDefault();
            case "kaiming-normal":
                return kaimingNormal();
            case "lecun-normal":
                return kaimingNormal(1.0);
            case "xavier-normal":
                return xavierNormal(1.0);
            case "xavier-normal-tanh":
                return xavierNormal(5.0 / 3.0);
            case "standard-normal":
                return normal(1.0);
            case "zeros":
                return zeros();
            default:
                throw new IllegalArgumentException("unknown init '" + name + "'; known: " + String.join(", ", NAMES));
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String gainSq(double gain) {
        double g2 = gain * gain;
        if (Math.abs(g2 - Math.rint(g2)) < 1e-12) {
            return Numerics.fmt(Math.rint(g2));
        }
        return String.format(Locale.ROOT, "%.6g", g2);
    }

    private static void requireFinite(String what, double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("init: " + what + " must be finite, got " + v);
        }
    }

    private static int size(int[] shape) {
        int n = 1;
        for (int s : shape) {
            n = Math.multiplyExact(n, s);
        }
        return n;
    }

    /** A described sampler. */
    final class Named implements Init {
        private final String description;
        private final Sampler sampler;

        private Named(String description, Sampler sampler) {
            this.description = description;
            this.sampler = sampler;
        }

        @Override
        public Tensor sample(RandomGenerator rng, int[] shape, Fans fans) {
            Tensor t = sampler.sample(rng, shape.clone(), fans);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("init '" + description + "' returned shape "
                        + Arrays.toString(t.shape()) + " for a block of shape " + Arrays.toString(shape));
            }
            return t;
        }

        @Override
        public String describe() {
            return description;
        }

        @Override
        public String toString() {
            return description;
        }
    }
}
