package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.Serial;
import org.sgdlab.nn.TwoLayerNtk;
import org.sgdlab.tensor.Tensor;

/**
 * Hidden-layer activations and their density statistics (QUANTITIES.md Q16.3; Andriushchenko,
 * Varre, Pillaud-Vivien, Flammarion, "SGD with Large Step Sizes Learns Sparse Features", ICML 2023).
 * For the post-activation features {@code Phi [n, m]} of one hidden layer on n inputs:
 *
 * <ul>
 *   <li>activation density = {@code (1/(n m)) sum_{i,j} 1[Phi_ij > 0]} (also Q16.2's raw {@code sparsity});</li>
 *   <li>{@code n_active_relus} = {@code #{j : Phi_ij > 0 for some i}};</li>
 *   <li>dead-neuron fraction = {@code 1 - n_active_relus / m};</li>
 *   <li>{@code activation_frac_nonzeros} = {@code 100 (1/(n m)) sum_{i,j} 1[Phi_ij a_j != 0]} with a_j the
 *       column j of the next dense layer's weight {@code [k, m]} ("a_j != 0": some entry non-zero; for the
 *       two-layer nets of the paper k = 1 and this is 1[ReLU(Wx + b)_j a_j != 0]).</li>
 * </ul>
 *
 * <p><b>How a hidden layer is addressed.</b> The model must be a {@link Serial}, an {@link Mlp} or a
 * {@link TwoLayerNtk} (the last two are serials inside). Hidden layer l (counted from 1) is the output of
 * the l-th {@link Activation} layer of that serial, flattened to {@code [n, m]}; its pre-activation is the
 * output of the layer just before it. In an {@code Mlp} with widths {@code d-h1-h2-k}, layer 1 is
 * {@code act(x W_0^T + b_0)} and layer 2 is {@code act(h_1 W_2^T + b_2)}; the two-layer toy net
 * {@code f(x) = sum_j a_j ReLU(w_j x + b_j)} (bias in the first layer only) is
 * {@code Serial.of(Dense.of(1, m), Activation.RELU, Dense.of(m, 1).withoutBias())} and has one hidden layer.
 * Nested serials are not searched (only the top-level layers count).
 */
public final class ActivationDensity {

    private ActivationDensity() {
    }

    /**
     * A selection of hidden layers: {@code LAST} (the last hidden layer), {@code ALL}, or the given
     * indices counted from 1 (in the given order).
     *
     * @param mode {@code "last"}, {@code "all"} or {@code "list"}
     * @param indices the indices for {@code "list"} (empty otherwise)
     */
    public record Layers(String mode, List<Integer> indices) {

        public static final Layers LAST = new Layers("last", List.of());
        public static final Layers ALL = new Layers("all", List.of());

        public Layers {
            if (!List.of("last", "all", "list").contains(mode)) {
                throw new IllegalArgumentException("layers: mode must be last, all or list, got '" + mode + "'");
            }
            indices = List.copyOf(indices);
            if (mode.equals("list") && indices.isEmpty()) {
                throw new IllegalArgumentException("layers: an explicit list needs at least one hidden-layer index");
            }
            for (int i : indices) {
                if (i < 1) {
                    throw new IllegalArgumentException("layers: hidden layers are counted from 1, got " + i);
                }
            }
        }

        /** The hidden layers {@code idx} (counted from 1). */
        public static Layers of(int... idx) {
            List<Integer> l = new ArrayList<>();
            for (int i : idx) {
                l.add(i);
            }
            return new Layers("list", l);
        }

        /**
         * The run-spec value of {@code key}: {@code "last"}, {@code "all"} (any case), one hidden-layer index
         * >= 1 or a list of them; {@code def} when absent.
         */
        static Layers read(DiagnosticParams p, String key, Layers def) {
            if (!p.has(key)) {
                return def;
            }
            Object v = p.get(key);
            if (v instanceof String s && (s.trim().equalsIgnoreCase("last") || s.trim().equalsIgnoreCase("all"))) {
                return s.trim().equalsIgnoreCase("last") ? LAST : ALL;
            }
            String allowed = "\"last\", \"all\", a hidden-layer index >= 1 or a list of them";
            List<?> items = v instanceof List<?> l ? l : List.of(v);
            if (items.isEmpty()) {
                throw p.invalid(key, allowed);
            }
            int[] idx = new int[items.size()];
            for (int i = 0; i < idx.length; i++) {
                Long x = DiagnosticParams.asInteger(items.get(i));
                if (x == null || x < 1 || x > Integer.MAX_VALUE) {
                    throw p.invalid(key, allowed);
                }
                idx[i] = x.intValue();
            }
            return of(idx);
        }

        /** The indices for a model with {@code hidden} hidden layers; {@code field} names the config key. */
        int[] resolve(int hidden, String field, Model model) {
            if (hidden == 0) {
                throw new IllegalArgumentException(field + ": the model has no hidden (activation) layer: "
                        + model.describe());
            }
            switch (mode) {
                case "last":
                    return new int[] {hidden};
                case "all": {
                    int[] all = new int[hidden];
                    for (int i = 0; i < hidden; i++) {
                        all[i] = i + 1;
                    }
                    return all;
                }
                default: {
                    int[] out = new int[indices.size()];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = indices.get(i);
                        if (out[i] > hidden) {
                            throw new IllegalArgumentException(field + ": hidden layer " + out[i] + " does not exist; "
                                    + "the model has " + hidden + " hidden layer" + (hidden == 1 ? "" : "s")
                                    + " (counted from 1): " + model.describe());
                        }
                    }
                    return out;
                }
            }
        }

        @Override
        public String toString() {
            return mode.equals("list") ? indices.toString() : mode;
        }
    }

    // ------------------------------------------------------------------ statistics of Phi [n, m]

    /** Activation density {@code mean_{i,j} 1[Phi_ij > 0]} of {@code phi [n, m]} (NaN when empty). */
    public static double density(Tensor phi) {
        requireMatrix("ActivationDensity.density", phi);
        int size = phi.size();
        if (size == 0) {
            return Double.NaN;
        }
        long c = 0;
        for (int i = 0; i < size; i++) {
            if (phi.flat(i) > 0) {
                c++;
            }
        }
        return (double) c / size;
    }

    /** {@code n_active_relus}: the number of columns of {@code phi [n, m]} with a positive entry. */
    public static int activeCount(Tensor phi) {
        requireMatrix("ActivationDensity.activeCount", phi);
        return alive(phi).length;
    }

    /** Dead-neuron fraction {@code 1 - n_active_relus / m}. */
    public static double deadFraction(Tensor phi) {
        requireMatrix("ActivationDensity.deadFraction", phi);
        int m = phi.dim(1);
        return m == 0 ? Double.NaN : 1.0 - (double) activeCount(phi) / m;
    }

    /**
     * {@code activation_frac_nonzeros = 100 mean_{i,j} 1[Phi_ij a_j != 0]}, with {@code a_j} the column j
     * of {@code outWeight [k, m]} (non-zero when any entry is).
     */
    public static double fracNonzeros(Tensor phi, Tensor outWeight) {
        requireMatrix("ActivationDensity.fracNonzeros", phi);
        int n = phi.dim(0);
        int m = phi.dim(1);
        if (outWeight.rank() != 2 || outWeight.dim(1) != m) {
            throw new IllegalArgumentException("ActivationDensity.fracNonzeros: output weight has shape "
                    + Arrays.toString(outWeight.shape()) + "; expected [k, " + m + "]");
        }
        if (n * m == 0) {
            return Double.NaN;
        }
        int k = outWeight.dim(0);
        boolean[] used = new boolean[m];
        for (int a = 0; a < k; a++) {
            for (int j = 0; j < m; j++) {
                used[j] |= outWeight.flat(a * m + j) != 0;
            }
        }
        long c = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (used[j] && phi.flat(i * m + j) != 0) {
                    c++;
                }
            }
        }
        return 100.0 * c / ((double) n * m);
    }

    /** Indices of the columns of {@code phi [n, m]} with at least one positive entry, ascending. */
    static int[] alive(Tensor phi) {
        int n = phi.dim(0);
        int m = phi.dim(1);
        boolean[] on = new boolean[m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                if (phi.flat(i * m + j) > 0) {
                    on[j] = true;
                }
            }
        }
        int c = 0;
        for (boolean b : on) {
            c += b ? 1 : 0;
        }
        int[] out = new int[c];
        c = 0;
        for (int j = 0; j < m; j++) {
            if (on[j]) {
                out[c++] = j;
            }
        }
        return out;
    }

    static void requireMatrix(String op, Tensor phi) {
        if (phi == null || phi.rank() != 2) {
            throw new IllegalArgumentException(op + ": expected a feature matrix [n, m], got shape "
                    + (phi == null ? "null" : Arrays.toString(phi.shape())));
        }
    }

    // ------------------------------------------------------------------ hidden layers of a model

    /** The serial network of {@code model} (Serial, Mlp, TwoLayerNtk); {@code field} names the config key. */
    static Serial serial(Model model, String field) {
        if (model instanceof Serial s) {
            return s;
        }
        if (model instanceof Mlp m) {
            return m.net();
        }
        if (model instanceof TwoLayerNtk t) {
            return t.net();
        }
        throw new IllegalArgumentException(field + ": the model exposes no hidden-layer outputs (" + model.describe()
                + "); supported models: serial, mlp, two-layer-ntk (a model wrapped by withInitScale is not; "
                + "scale its init instead)");
    }

    /** Positions of the activation layers in the serial, in order (hidden layer l is at position [l - 1]). */
    static int[] activationPositions(Serial s) {
        List<Model> layers = s.layers();
        int c = 0;
        for (Model m : layers) {
            c += m instanceof Activation ? 1 : 0;
        }
        int[] pos = new int[c];
        c = 0;
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof Activation) {
                pos[c++] = i;
            }
        }
        return pos;
    }

    /** Number of hidden (activation) layers of {@code model}. */
    public static int hiddenCount(Model model) {
        return hiddenCount(model, "hidden layers");
    }

    static int hiddenCount(Model model, String field) {
        return activationPositions(serial(model, field)).length;
    }

    /**
     * The post-activation output of hidden layer {@code l} (from 1) on {@code x}, flattened to
     * {@code [n, m]}.
     */
    public static Tensor hidden(Model model, Tensor theta, Tensor x, int l) {
        return features(model, theta, x, new int[] {l}, false, Integer.MAX_VALUE, "hidden layer").get(0).post();
    }

    /** Post- and (optionally) pre-activation features of one hidden layer, each {@code [n, m]}. */
    record Features(int layer, Tensor post, Tensor pre) {
    }

    /**
     * The features of the hidden layers {@code ls} (from 1) on the rows of {@code x}, computed in
     * chunks of at most {@code chunk} rows, one forward pass (up to the deepest requested layer) per chunk.
     */
    static List<Features> features(Model model, Tensor theta, Tensor x, int[] ls, boolean withPre, int chunk,
                                   String field) {
        Serial s = serial(model, field);
        int[] pos = activationPositions(s);
        int deepest = -1;
        for (int l : ls) {
            if (l < 1 || l > pos.length) {
                throw new IllegalArgumentException(field + ": hidden layer " + l + " does not exist; the model has "
                        + pos.length + " hidden layers (counted from 1): " + model.describe());
            }
            deepest = Math.max(deepest, pos[l - 1]);
        }
        Tensor th = theta.detach();
        int n = x.dim(0);
        List<List<Tensor>> post = new ArrayList<>();
        List<List<Tensor>> pre = new ArrayList<>();
        for (int k = 0; k < ls.length; k++) {
            post.add(new ArrayList<>());
            pre.add(new ArrayList<>());
        }
        List<Model> layers = s.layers();
        for (int lo = 0; lo == 0 || lo < n; lo += chunk) {
            Tensor in = n <= chunk ? x : x.slice(0, lo, (int) Math.min(n, (long) lo + chunk));
            Tensor h = in;
            Tensor[] outs = new Tensor[deepest + 1];
            for (int i = 0; i <= deepest; i++) {
                h = layers.get(i).apply(s.layerParams(th, i), h);
                outs[i] = h;
            }
            for (int k = 0; k < ls.length; k++) {
                int p = pos[ls[k] - 1];
                post.get(k).add(flat(outs[p]));
                if (withPre) {
                    pre.get(k).add(flat(p == 0 ? in : outs[p - 1]));
                }
            }
            if (n <= chunk) {
                break;
            }
        }
        List<Features> out = new ArrayList<>();
        for (int k = 0; k < ls.length; k++) {
            out.add(new Features(ls[k], join(post.get(k)), withPre ? join(pre.get(k)) : null));
        }
        return out;
    }

    /**
     * The weight {@code [k, m]} of the dense layer right after hidden layer {@code l}'s activation (the
     * output weights a of the paper's two-layer nets), or null when the next layer is not dense.
     */
    static Tensor outputWeight(Model model, Tensor theta, int l) {
        Serial s = serial(model, "output weight");
        int[] pos = activationPositions(s);
        int next = pos[l - 1] + 1;
        if (next >= s.layers().size() || !(s.layers().get(next) instanceof Dense d)) {
            return null;
        }
        return d.layout().view(s.layerParams(theta.detach(), next), "weight");
    }

    private static Tensor flat(Tensor t) {
        return t.rank() == 2 ? t : t.reshape(t.dim(0), -1);
    }

    private static Tensor join(List<Tensor> parts) {
        return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
    }
}
