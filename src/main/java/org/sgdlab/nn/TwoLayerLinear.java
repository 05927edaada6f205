package org.sgdlab.nn;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Two-layer linear network (matrix factorisation) {@code f(x) = U W x}, W {@code [h, d]}, U
 * {@code [k, h]}; for a batch {@code f = x W^T U^T}, {@code [N, d] -> [N, k]}. Its rescaling symmetry
 * (W, U) -> (B W, U B^-1) has the conserved-up-to-noise charge M = W W^T - U^T U (Q15).
 *
 * <p>Blocks {@code W} then {@code U} (named as in the formula). Init: both blocks from one
 * {@link Init} (default N(0, 1/fan_in) = {@code Init.kaimingNormal(1)}; the symmetry study uses
 * {@code Init.normal(0.5)} or {@code Init.normal(0.01)}), W drawn first, with fans (d, h) and (h, k).
 */
public final class TwoLayerLinear implements Model {

    private final int d;
    private final int h;
    private final int k;
    private final Init init;
    private final Layout layout;

    private TwoLayerLinear(int d, int h, int k, Init init) {
        if (d < 1 || h < 1 || k < 1) {
            throw new IllegalArgumentException("two-layer-linear: d " + d + ", h " + h + ", k " + k + " must all be >= 1");
        }
        this.d = d;
        this.h = h;
        this.k = k;
        this.init = init;
        this.layout = Layout.builder().add("W", h, d).add("U", k, h).build();
    }

    /** {@code d -> h -> k}, init N(0, 1/fan_in). */
    public static TwoLayerLinear of(int d, int h, int k) {
        return new TwoLayerLinear(d, h, k, Init.kaimingNormal(1.0));
    }

    public TwoLayerLinear withInit(Init i) {
        return new TwoLayerLinear(d, h, k, i);
    }

    @Override
    public Layout layout() {
        return layout;
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        Tensor w = init.sample(rng, new int[] {h, d}, new Init.Fans(d, h)).flatten();
        Tensor u = init.sample(rng, new int[] {k, h}, new Init.Fans(h, k)).flatten();
        return Tensor.concat(0, w, u);
    }

    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        layout.check("two-layer-linear", theta);
        if (x.rank() != 2 || x.dim(1) != d) {
            throw new IllegalArgumentException("two-layer-linear: input has shape " + Arrays.toString(x.shape())
                    + "; expected [N, " + d + "]");
        }
        Tensor w = layout.view(theta, "W");
        Tensor u = layout.view(theta, "U");
        return x.matmul(w, false, true)                 // [N, d] @ [h, d]^T -> [N, h]
                .matmul(u, false, true);                // [N, h] @ [k, h]^T -> [N, k]
    }

    @Override
    public String describe() {
        return "two-layer-linear f(x) = U W x, d " + d + ", h " + h + ", k " + k + ", init " + init.describe()
                + " (" + Numerics.count(numParams()) + " parameters)";
    }
}
