package org.sgdlab.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Diagonal linear network, a linear predictor {@code f(x) = <beta, x>} with a factorised weight:
 *
 * <ul>
 *   <li>{@link Variant#PRODUCT}: {@code beta = u ⊙ v} (Pesme et al.; the sparse-features DLN,
 *       STUDIES.md §7, authors' code {@code diag_nets.py}, prediction X(u ⊙ v));</li>
 *   <li>{@link Variant#SQUARES}: {@code beta = u ⊙ u - v ⊙ v} (Woodworth et al.; the momentum-catapult
 *       P2-B network, STUDIES.md §5.2).</li>
 * </ul>
 *
 * Input {@code [N, d]}, output {@code [N, 1]}. Blocks {@code u} then {@code v}, each {@code [d]}.
 *
 * <p>Init (pure, documented; the default is {@code withAlpha(alpha)}, the "zero predictor" init
 * beta_0 = 0 used by both studies):
 * <ul>
 *   <li>{@code withAlpha(a)}: PRODUCT u = a 1, v = 0 (the authors' "const" init, u_0 = 0.1 1, v_0 = 0);
 *       SQUARES u = v = a 1 (P2-B, a = 1). Defaults: a = 0.1 (PRODUCT), a = 1 (SQUARES). Draws nothing.</li>
 *   <li>{@code withConstantInit(cu, cv)}: u = cu 1, v = cv 1 (any constants). Draws nothing.</li>
 *   <li>{@code withGaussianInit(s)}: u, v ~ s N(0, I), u drawn first (symmetry study S1: s = 0.3).</li>
 *   <li>{@code withInit(u0, v0)}: the given vectors (copied). Draws nothing.</li>
 * </ul>
 */
public final class DiagonalLinearNet implements Model {

    /** How beta is formed from (u, v). */
    public enum Variant {
        /** beta = u ⊙ v. */
        PRODUCT("u*v"),
        /** beta = u ⊙ u - v ⊙ v. */
        SQUARES("u*u-v*v");

        private final String formula;

        Variant(String formula) {
            this.formula = formula;
        }

        public String formula() {
            return formula;
        }
    }

    private enum Kind { CONSTANT, GAUSSIAN, GIVEN }

    private final int d;
    private final Variant variant;
    private final Kind kind;
    private final double a;
    private final double b;
    private final double[] u0;
    private final double[] v0;
    private final Layout layout;

    private DiagonalLinearNet(int d, Variant variant, Kind kind, double a, double b, double[] u0, double[] v0) {
        if (d < 1) {
            throw new IllegalArgumentException("diagonal-linear: dimension d must be >= 1, got " + d);
        }
        if (!Double.isFinite(a) || !Double.isFinite(b)) {
            throw new IllegalArgumentException("diagonal-linear: init constants must be finite, got " + a + ", " + b);
        }
        this.d = d;
        this.variant = variant;
        this.kind = kind;
        this.a = a;
        this.b = b;
        this.u0 = u0;
        this.v0 = v0;
        this.layout = Layout.builder().add("u", d).add("v", d).build();
    }

    /** beta = u ⊙ v in dimension d, init u = 0.1 1, v = 0. */
    public static DiagonalLinearNet product(int d) {
        return new DiagonalLinearNet(d, Variant.PRODUCT, Kind.CONSTANT, 0.1, 0.0, null, null);
    }

    /** beta = u ⊙ u - v ⊙ v in dimension d, init u = v = 1. */
    public static DiagonalLinearNet squares(int d) {
        return new DiagonalLinearNet(d, Variant.SQUARES, Kind.CONSTANT, 1.0, 1.0, null, null);
    }

    public static DiagonalLinearNet of(Variant variant, int d) {
        return variant == Variant.PRODUCT ? product(d) : squares(d);
    }

    /** Zero-predictor init at scale alpha: PRODUCT (alpha 1, 0), SQUARES (alpha 1, alpha 1). */
    public DiagonalLinearNet withAlpha(double alpha) {
        return new DiagonalLinearNet(d, variant, Kind.CONSTANT, alpha, variant == Variant.PRODUCT ? 0.0 : alpha,
                null, null);
    }

    /** u = cu 1, v = cv 1. */
    public DiagonalLinearNet withConstantInit(double cu, double cv) {
        return new DiagonalLinearNet(d, variant, Kind.CONSTANT, cu, cv, null, null);
    }

    /** u, v ~ s N(0, I_d), u drawn first. */
    public DiagonalLinearNet withGaussianInit(double s) {
        return new DiagonalLinearNet(d, variant, Kind.GAUSSIAN, s, 0.0, null, null);
    }

    /** The given initial vectors, each {@code [d]}. */
    public DiagonalLinearNet withInit(Tensor u, Tensor v) {
        if (u.rank() != 1 || u.size() != d || v.rank() != 1 || v.size() != d) {
            throw new IllegalArgumentException("diagonal-linear: init vectors have shapes " + Arrays.toString(u.shape())
                    + " and " + Arrays.toString(v.shape()) + "; both must be [" + d + "]");
        }
        return new DiagonalLinearNet(d, variant, Kind.GIVEN, 0, 0, u.toArray(), v.toArray());
    }

    public Variant variant() {
        return variant;
    }

    public int dim() {
        return d;
    }

    /** The effective linear predictor beta(theta) {@code [d]} (traced if theta is). */
    public Tensor beta(Tensor theta) {
        layout.check("diagonal-linear", theta);
        Tensor u = layout.view(theta, "u");
        Tensor v = layout.view(theta, "v");
        return variant == Variant.PRODUCT ? u.mul(v) : u.square().sub(v.square());
    }

    @Override
    public Layout layout() {
        return layout;
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        switch (kind) {
            case CONSTANT:
                return Tensor.concat(0, Tensor.full(a, d), Tensor.full(b, d));
            case GAUSSIAN:
                Tensor u = Tensor.randn(rng, d).mul(a);
                Tensor v = Tensor.randn(rng, d).mul(a);
                return Tensor.concat(0, u, v);
            default:
                return Tensor.concat(0, Tensor.vector(u0), Tensor.vector(v0));
        }
    }

    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        if (x.rank() != 2 || x.dim(1) != d) {
            throw new IllegalArgumentException("diagonal-linear: input has shape " + Arrays.toString(x.shape())
                    + "; expected [N, " + d + "]");
        }
        return x.matmul(beta(theta).reshape(d, 1));          // [N, d] @ [d, 1] -> [N, 1]
    }

    @Override
    public String describe() {
        String init;
        switch (kind) {
            case CONSTANT:
                init = "u_j = " + Numerics.fmt(a) + ", v_j = " + Numerics.fmt(b) + " for all j";
                break;
            case GAUSSIAN:
                init = String.format(Locale.ROOT, "u, v ~ %s N(0, I)", Numerics.fmt(a));
                break;
            default:
                init = "u, v given";
        }
        return "diagonal-linear f(x) = <" + variant.formula + ", x>, d " + d + ", init " + init + " ("
                + Numerics.count(numParams()) + " parameters)";
    }
}
