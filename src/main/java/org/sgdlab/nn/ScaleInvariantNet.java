package org.sgdlab.nn;

import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * A network whose output is invariant to rescaling its first weight block (the symmetry study S2,
 * STUDIES.md §6.2; Q15.2 class A = I on the block):
 *
 * <pre>  f(x) = a^T act( sqrt(h) W x / ||W x|| ),   i.e.  serial(dense d->h no bias, rms-norm eps 0, act, dense h->k no bias)</pre>
 *
 * Because the RMS normalisation (eps = 0) divides each sample's pre-activations by their RMS,
 * {@code f(x; cW, a) = f(x; W, a)} for every c > 0: <b>block {@code 0.weight} (W, {@code [h, d]}) is
 * the scale-invariant block</b> ({@link #scaleInvariantBlock()}); {@code 3.weight} (a, {@code [k, h]}) is not.
 * Consequently the gradient is orthogonal to W ({@code <grad_W, W> = 0}), so under SGD
 * {@code ||W||^2} can only grow (Q15.2).
 *
 * <p>Init: W ~ N(0, 1/d), a ~ N(0, 1/h) (N(0, 1/fan_in) for both), W drawn first. Activation relu.
 * Input {@code [N, d]}, output {@code [N, k]}. Undefined for inputs with W x = 0.
 */
public final class ScaleInvariantNet implements Model {

    /** The name of the scale-invariant block. */
    public static final String SCALE_INVARIANT_BLOCK = "0.weight";

    private final int d;
    private final int h;
    private final int k;
    private final Activation act;
    private final Serial net;

    private ScaleInvariantNet(int d, int h, int k, Activation act) {
        if (d < 1 || h < 1 || k < 1) {
            throw new IllegalArgumentException("scale-invariant: d " + d + ", h " + h + ", k " + k + " must all be >= 1");
        }
        this.d = d;
        this.h = h;
        this.k = k;
        this.act = act;
        Init lecun = Init.kaimingNormal(1.0);
        this.net = Serial.of(
                Dense.of(d, h).withoutBias().withWeightInit(lecun),
                new RmsNorm(0.0, 0),
                act,
                Dense.of(h, k).withoutBias().withWeightInit(lecun));
    }

    /** {@code d -> h -> k}, relu. */
    public static ScaleInvariantNet of(int d, int h, int k) {
        return new ScaleInvariantNet(d, h, k, Activation.RELU);
    }

    public ScaleInvariantNet withActivation(Activation a) {
        return new ScaleInvariantNet(d, h, k, a);
    }

    /** {@code 0.weight}: f is invariant to multiplying this block by any c > 0. */
    public String scaleInvariantBlock() {
        return SCALE_INVARIANT_BLOCK;
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
        return "scale-invariant f(x) = a^T " + act.id() + "(sqrt(h) W x/||W x||), d " + d + ", h " + h + ", k " + k
                + ", scale-invariant block " + SCALE_INVARIANT_BLOCK + ", init W ~ N(0, 1/d), a ~ N(0, 1/h) ("
                + Numerics.count(numParams()) + " parameters)";
    }
}
