package org.sgdlab.nn;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * RMS normalisation of each sample over all its features (every axis but the batch axis):
 *
 * <pre>  y = h / sqrt(mean(h^2) + eps)   [ * g ]</pre>
 *
 * <p>With eps = 0 the layer is exactly scale-invariant, {@code y(c h) = y(h)} for c > 0, so the weight
 * block feeding it is too (Q15.2: W -> e^lambda W is a symmetry with A = I on that block); with
 * eps > 0 the invariance holds only approximately (for mean(h^2) >> eps). For {@code [N, F]}
 * inputs {@code h / sqrt(mean h^2) = sqrt(F) h / ||h||}. An optional learnable gain g of length
 * {@code features} multiplies axis 1 (features of a dense layer, channels of a conv layer);
 * block {@code gain}, initialised to ones.
 */
final class RmsNorm implements Model {

    private final double eps;
    private final int gainFeatures;
    private final Layout layout;

    /** {@code gainFeatures = 0}: no gain. */
    RmsNorm(double eps, int gainFeatures) {
        if (!(eps >= 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("rms-norm: eps must be finite and >= 0, got " + eps);
        }
        if (gainFeatures < 0) {
            throw new IllegalArgumentException("rms-norm: gain features must be >= 0 (0 = no gain), got " + gainFeatures);
        }
        this.eps = eps;
        this.gainFeatures = gainFeatures;
        this.layout = gainFeatures == 0 ? Layout.empty() : Layout.of("gain", gainFeatures);
    }

    double eps() {
        return eps;
    }

    @Override
    public Layout layout() {
        return layout;
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        return gainFeatures == 0 ? Tensor.zeros(0) : Tensor.ones(gainFeatures);
    }

    @Override
    public Tensor apply(Tensor theta, Tensor h) {
        layout.check("rms-norm", theta);
        if (h.rank() < 2) {
            throw new IllegalArgumentException("rms-norm: input has shape " + Arrays.toString(h.shape())
                    + "; expected a batch [N, features...]");
        }
        if (gainFeatures != 0 && h.dim(1) != gainFeatures) {
            throw new IllegalArgumentException("rms-norm: gain has " + gainFeatures + " entries but input axis 1 has "
                    + h.dim(1) + " (input " + Arrays.toString(h.shape()) + ")");
        }
        int[] feat = new int[h.rank() - 1];
        for (int i = 0; i < feat.length; i++) {
            feat[i] = i + 1;
        }
        Tensor ms = h.square().mean(feat, true);                     // [N, 1, ...]
        if (eps != 0) {
            ms = ms.add(eps);
        }
        Tensor y = h.div(ms.sqrt());
        if (gainFeatures != 0) {
            int[] gs = new int[h.rank()];
            Arrays.fill(gs, 1);
            gs[1] = gainFeatures;
            y = y.mul(layout.view(theta, "gain").reshape(gs));      // [N, F, ...] * [1, F, 1, ...]
        }
        return y;
    }

    @Override
    public String describe() {
        return "rms-norm eps " + Numerics.fmt(eps) + (gainFeatures != 0 ? " gain" : "");
    }
}
