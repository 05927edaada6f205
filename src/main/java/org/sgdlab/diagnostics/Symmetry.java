package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.sgdlab.linalg.LinearOperator;
import org.sgdlab.nn.Layout;
import org.sgdlab.tensor.Tensor;

/**
 * The generator A (symmetric, p x p) of an exponential symmetry {@code l(e^{lambda A} theta, x) = l(theta, x)}
 * and its Noether charge {@code C_A(theta) = theta^T A theta} (QUANTITIES.md Q15.2; Ziyin, Wang, Li, Wu,
 * "Parameter Symmetry and Noise Equilibrium of Stochastic Gradient Descent", NeurIPS 2024, arXiv 2402.07193).
 *
 * <p>Forms (Q15.4):
 * <ul>
 *   <li>{@link #dense}: any symmetric matrix, for tiny p;</li>
 *   <li>{@link #blocks}: a diagonal mask {@code A = diag(c_b I_b)} over named layout blocks (0 elsewhere), e.g.
 *       {@link #rescaling} {@code diag(I_up, -I_down)} (C = ||up||^2 - ||down||^2) and {@link #scaleInvariant}
 *       {@code A = I} on a block (C = ||W||^2);</li>
 *   <li>{@link #diagonal}: any diagonal;</li>
 *   <li>{@link #twoLayer}: the block form of the two-layer symmetry {@code W -> e^{lambda B} W},
 *       {@code U -> U e^{-lambda B}} (B symmetric h x h): {@code A theta = (B W, -U B)} on the blocks (W, U), so
 *       {@code C_A = Tr[B (W W^T - U^T U)] = Tr[B M]} (Q15.5).</li>
 * </ul>
 *
 * <p>The exact discrete identity of Q15.2(5): for {@code theta' = theta - eta g} with {@code g^T A theta = 0},
 * {@code C(theta') - C(theta) = eta^2 g^T A g}. {@link #increment} evaluates the left side as
 * {@code (theta' - theta)^T A (theta' + theta)}, an exact rewriting that avoids subtracting two large charges.
 */
public final class Symmetry {

    private final String description;
    private final int dim;
    private final UnaryOperator<Tensor> op;

    private Symmetry(String description, int dim, UnaryOperator<Tensor> op) {
        this.description = description;
        this.dim = dim;
        this.op = op;
    }

    /** A dense symmetric {@code A [p, p]} (asymmetry above 1e-12 max|A_ij| is rejected). */
    public static Symmetry dense(Tensor a) {
        if (a == null || a.rank() != 2 || a.dim(0) != a.dim(1) || a.dim(0) < 1) {
            throw new IllegalArgumentException("symmetry.dense: A must be a square matrix [p, p], got "
                    + (a == null ? "null" : Arrays.toString(a.shape())));
        }
        Tensor m = a.detach();
        double scale = m.abs().max().item();
        double asym = m.sub(m.transpose()).abs().max().item();
        if (!(asym <= 1e-12 * scale) && scale > 0) {
            throw new IllegalArgumentException("symmetry.dense: A must be symmetric; max |A_ij - A_ji| = "
                    + fmt(asym) + " vs max |A_ij| = " + fmt(scale));
        }
        return new Symmetry("dense A [" + m.dim(0) + ", " + m.dim(0) + "]", m.dim(0),
                v -> m.matmul(v));                                      // [p, p] @ [p] -> [p]
    }

    /** {@code A = diag(d)}. */
    public static Symmetry diagonal(Tensor d) {
        if (d == null || d.rank() != 1 || d.size() < 1) {
            throw new IllegalArgumentException("symmetry.diagonal: the diagonal must be a vector [p], got "
                    + (d == null ? "null" : Arrays.toString(d.shape())));
        }
        Tensor dd = d.detach();
        return new Symmetry("diagonal A [" + dd.size() + "]", dd.size(), v -> v.mul(dd));
    }

    /**
     * {@code A = diag(c_b I_b)}: coefficient {@code c_b} on every entry of named block b, 0 on blocks not
     * named. Unknown block names fail listing the layout's names.
     */
    public static Symmetry blocks(Layout layout, Map<String, Double> coefficients) {
        if (layout == null || coefficients == null || coefficients.isEmpty()) {
            throw new IllegalArgumentException("symmetry.blocks: a layout and at least one block coefficient are needed");
        }
        double[] d = new double[layout.size()];
        StringBuilder sb = new StringBuilder("diag(");
        for (Map.Entry<String, Double> e : coefficients.entrySet()) {
            Layout.Block b = layout.block(e.getKey());
            double c = e.getValue();
            if (!Double.isFinite(c)) {
                throw new IllegalArgumentException("symmetry.blocks: coefficient of block '" + e.getKey()
                        + "' must be finite, got " + c);
            }
            Arrays.fill(d, b.offset(), b.end(), c);
            if (sb.length() > 5) {
                sb.append(", ");
            }
            sb.append(fmt(c)).append(" I_").append(e.getKey());
        }
        Tensor dd = Tensor.vector(d);
        return new Symmetry(sb.append(')').toString(), d.length, v -> v.mul(dd));
    }

    /** Rescaling {@code A = diag(I_up, -I_down)}: {@code C = ||theta_up||^2 - ||theta_down||^2}. */
    public static Symmetry rescaling(Layout layout, List<String> up, List<String> down) {
        Map<String, Double> c = new LinkedHashMap<>();
        for (String s : up) {
            c.put(s, 1.0);
        }
        for (String s : down) {
            if (c.containsKey(s)) {
                throw new IllegalArgumentException("symmetry.rescaling: block '" + s + "' is both up and down");
            }
            c.put(s, -1.0);
        }
        return blocks(layout, c);
    }

    /** Scale invariance, {@code A = I} on the named blocks: {@code C = ||theta_blocks||^2}. */
    public static Symmetry scaleInvariant(Layout layout, String... blocks) {
        Map<String, Double> c = new LinkedHashMap<>();
        for (String s : blocks) {
            c.put(s, 1.0);
        }
        return blocks(layout, c);
    }

    /**
     * The two-layer symmetry of {@code f = U W x} (or any net whose loss depends on (W, U) only through
     * {@code U W}): blocks {@code w [h, d]} and {@code u [o, h]}, B symmetric {@code [h, h]};
     * {@code A theta = (B W, -U B)}, {@code C_A = Tr[B (W W^T - U^T U)]}.
     */
    public static Symmetry twoLayer(Layout layout, String w, String u, Tensor b) {
        Layout.Block bw = layout.block(w);
        Layout.Block bu = layout.block(u);
        int[] sw = bw.shape();
        int[] su = bu.shape();
        if (sw.length != 2 || su.length != 2 || su[1] != sw[0]) {
            throw new IllegalArgumentException("symmetry.two_layer: blocks '" + w + "' " + Arrays.toString(sw) + " and '"
                    + u + "' " + Arrays.toString(su) + " must be matrices [h, d] and [o, h]");
        }
        int h = sw[0];
        if (b == null || b.rank() != 2 || b.dim(0) != h || b.dim(1) != h) {
            throw new IllegalArgumentException("symmetry.two_layer: B must be [" + h + ", " + h + "], got "
                    + (b == null ? "null" : Arrays.toString(b.shape())));
        }
        Tensor bb = b.detach();
        double scale = bb.abs().max().item();
        if (bb.sub(bb.transpose()).abs().max().item() > 1e-12 * scale) {
            throw new IllegalArgumentException("symmetry.two_layer: B must be symmetric");
        }
        List<Layout.Block> blocks = layout.blocks();
        return new Symmetry("two-layer B [" + h + ", " + h + "] on (" + w + ", " + u + ")", layout.size(), v -> {
            List<Tensor> parts = new ArrayList<>(blocks.size());
            for (Layout.Block blk : blocks) {
                Tensor piece = v.slice(0, blk.offset(), blk.end());
                if (blk.name().equals(w)) {
                    parts.add(bb.matmul(piece.reshape(sw)).reshape(blk.size()));        // [h, h] @ [h, d] -> [h, d]
                } else if (blk.name().equals(u)) {
                    parts.add(piece.reshape(su).matmul(bb).neg().reshape(blk.size())); // [o, h] @ [h, h] -> [o, h]
                } else {
                    parts.add(Tensor.zeros(blk.size()));
                }
            }
            return Tensor.concat(0, parts.toArray(new Tensor[0]));
        });
    }

    /** p, the length of theta. */
    public int dim() {
        return dim;
    }

    /** {@code A v}. */
    public Tensor apply(Tensor v) {
        check("apply", v);
        return op.apply(v);
    }

    /** {@code C_A(theta) = theta^T A theta}. */
    public double charge(Tensor theta) {
        check("charge", theta);
        return theta.dotValue(op.apply(theta));
    }

    /** {@code a^T A b}. */
    public double bilinear(Tensor a, Tensor b) {
        check("bilinear", a);
        check("bilinear", b);
        return a.dotValue(op.apply(b));
    }

    /** {@code eta^2 g^T A g}: the predicted charge increment of the step {@code theta - eta g} (Q15.2(5)). */
    public double predictedIncrement(double eta, Tensor g) {
        return eta * eta * bilinear(g, g);
    }

    /**
     * {@code C(next) - C(theta)}, evaluated exactly as {@code (next - theta)^T A (next + theta)} (A symmetric).
     */
    public double increment(Tensor theta, Tensor next) {
        check("increment", theta);
        check("increment", next);
        return next.sub(theta).dotValue(op.apply(next.add(theta)));
    }

    /** A as an operator (for eigen-analysis or traces). */
    public LinearOperator operator() {
        return LinearOperator.of(dim, this::apply);
    }

    /** One line, e.g. {@code diag(1 I_U, -1 I_W)}. */
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "Symmetry[" + description + "]";
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }

    private void check(String what, Tensor v) {
        if (v == null || v.rank() != 1 || v.size() != dim) {
            throw new IllegalArgumentException("symmetry." + what + ": vector has shape "
                    + (v == null ? "null" : Arrays.toString(v.shape())) + " but A is " + dim + " x " + dim);
        }
    }

    /**
     * A layout-free description of A, resolved against a model's layout at measurement time (for run specs).
     * Kinds: {@code rescaling} (blocks {@code up} with +1, {@code down} with -1), {@code scale} (A = I on
     * {@code up}), {@code two_layer} ({@code wBlock}, {@code uBlock}, B = {@code matrix}, identity when null),
     * {@code dense} ({@code matrix}), {@code diagonal} ({@code diagonal}).
     */
    public record Spec(String kind, List<String> up, List<String> down, String wBlock, String uBlock,
                       double[][] matrix, double[] diagonal) {

        /** The kinds a run spec may name. */
        public static final List<String> KINDS = List.of("rescaling", "scale", "two_layer", "dense", "diagonal");

        public Spec {
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException("symmetry kind '" + kind + "' is unknown; known: "
                        + String.join(", ", KINDS));
            }
            up = up == null ? List.of() : List.copyOf(up);
            down = down == null ? List.of() : List.copyOf(down);
            if ((kind.equals("rescaling") || kind.equals("scale")) && up.isEmpty() && down.isEmpty()) {
                throw new IllegalArgumentException("symmetry kind '" + kind + "' needs at least one block (up/down)");
            }
            if (kind.equals("dense") && matrix == null) {
                throw new IllegalArgumentException("symmetry kind 'dense' needs a matrix");
            }
            if (kind.equals("diagonal") && diagonal == null) {
                throw new IllegalArgumentException("symmetry kind 'diagonal' needs a diagonal");
            }
        }

        public static Spec rescaling(List<String> up, List<String> down) {
            return new Spec("rescaling", up, down, null, null, null, null);
        }

        public static Spec scale(String... blocks) {
            return new Spec("scale", List.of(blocks), List.of(), null, null, null, null);
        }

        /** Two-layer form; {@code b == null} means B = I (C = ||W||_F^2 - ||U||_F^2). */
        public static Spec twoLayer(String w, String u, double[][] b) {
            return new Spec("two_layer", List.of(), List.of(), w, u, b, null);
        }

        public static Spec dense(double[][] a) {
            return new Spec("dense", List.of(), List.of(), null, null, a, null);
        }

        public static Spec diagonal(double[] d) {
            return new Spec("diagonal", List.of(), List.of(), null, null, null, d);
        }

        /** The generator for {@code layout}. */
        public Symmetry resolve(Layout layout) {
            switch (kind) {
                case "rescaling":
                    return Symmetry.rescaling(layout, up, down);
                case "scale":
                    return scaleInvariant(layout, up.toArray(new String[0]));
                case "two_layer": {
                    int h = layout.block(wBlock).shape()[0];
                    Tensor b = matrix == null ? Tensor.eye(h) : Tensor.matrix(matrix);
                    return Symmetry.twoLayer(layout, wBlock, uBlock, b);
                }
                case "dense": {
                    Symmetry s = Symmetry.dense(Tensor.matrix(matrix));
                    requireDim(s, layout);
                    return s;
                }
                default: {
                    Symmetry s = Symmetry.diagonal(Tensor.vector(diagonal));
                    requireDim(s, layout);
                    return s;
                }
            }
        }

        private static void requireDim(Symmetry s, Layout layout) {
            if (s.dim() != layout.size()) {
                throw new IllegalArgumentException("symmetry: A is " + s.dim() + " x " + s.dim()
                        + " but the model has " + layout.size() + " parameters");
            }
        }
    }
}
