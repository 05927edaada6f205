package org.sgdlab.nn;

/**
 * Factories for the building blocks; compose them with {@link #serial}. Layers with parameters
 * ({@link Dense}, {@link Conv2d}) return their own types so options can be chained
 * ({@code Layers.dense(64, 128).withoutBias().withInit(Init.kaimingNormal(), Init.zeros())}).
 */
public final class Layers {

    private Layers() {
    }

    /** {@code nn.Sequential}: names {@code "i." + block} by layer index. */
    public static Serial serial(Model... layers) {
        return Serial.of(layers);
    }

    /** Dense {@code in -> out} with bias, standard parametrisation, PyTorch default init. */
    public static Dense dense(int in, int out) {
        return Dense.of(in, out);
    }

    /** Conv {@code C -> O}, k x k kernel, stride 1, no padding, with bias. */
    public static Conv2d conv2d(int inChannels, int outChannels, int kernel) {
        return Conv2d.of(inChannels, outChannels, kernel);
    }

    /** Max pooling over k x k windows, stride k. */
    public static Model maxPool(int k) {
        return new Pool2d(Pool2d.Kind.MAX, k, k, 0);
    }

    /** Max pooling over k x k windows with the given stride. */
    public static Model maxPool(int k, int stride) {
        return new Pool2d(Pool2d.Kind.MAX, k, stride, 0);
    }

    /** Average pooling over k x k windows, stride k. */
    public static Model avgPool(int k) {
        return new Pool2d(Pool2d.Kind.AVG, k, k, 0);
    }

    /** Average pooling with stride and zero padding (padding zeros count in the mean). */
    public static Model avgPool(int k, int stride, int padding) {
        return new Pool2d(Pool2d.Kind.AVG, k, stride, padding);
    }

    /** {@code max} or {@code avg} (alias {@code average}) pooling over k x k windows, stride k. */
    public static Model pool(String kind, int k) {
        return new Pool2d(Pool2d.Kind.of(kind), k, k, 0);
    }

    /** Mean over the spatial axes: {@code [N, C, H, W] -> [N, C]}. */
    public static Model globalAvgPool() {
        return GlobalAvgPool.INSTANCE;
    }

    /** {@code [N, ...] -> [N, -1]}. */
    public static Model flatten() {
        return Flatten.INSTANCE;
    }

    /** {@code y = x + F(x)} with F = serial(body...) (or the single layer given). */
    public static Model residual(Model... body) {
        return new Residual(body.length == 1 ? body[0] : Serial.of(body));
    }

    /** {@code h / sqrt(mean(h^2 over features) + eps)}, no gain (scale-invariant for eps = 0). */
    public static Model rmsNorm(double eps) {
        return new RmsNorm(eps, 0);
    }

    /** RMS normalisation with a learnable gain of length {@code features} on axis 1 (block {@code gain}). */
    public static Model rmsNorm(double eps, int features) {
        if (features < 1) {
            throw new IllegalArgumentException("rms-norm: gain features must be >= 1, got " + features);
        }
        return new RmsNorm(eps, features);
    }

    /** The activation called {@code name} (see {@link Activation#of}). */
    public static Activation activation(String name) {
        return Activation.of(name);
    }
}
