package org.sgdlab.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;
import org.sgdlab.tensor.Tensor;

/**
 * Composition {@code f = f_{L-1} o ... o f_1 o f_0}, like PyTorch's {@code nn.Sequential}: layer i's
 * blocks are named {@code "i." + name} ({@code 0.weight}, {@code 0.bias}, {@code 2.weight}, ... with
 * activations counting as layers), laid out in layer order; init draws the layers in order.
 */
public final class Serial implements Model {

    private static final Tensor NO_PARAMS = Tensor.zeros(0);

    private final List<Model> layers;
    private final Layout layout;
    private final int[] offsets;

    private Serial(List<Model> layers) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("serial: needs at least one layer");
        }
        this.layers = List.copyOf(layers);
        Layout[] parts = new Layout[layers.size()];
        offsets = new int[layers.size() + 1];
        for (int i = 0; i < parts.length; i++) {
            Layout l = layers.get(i).layout();
            parts[i] = l.size() == 0 ? Layout.empty() : l.prefixed(Integer.toString(i));
            offsets[i + 1] = offsets[i] + l.size();
        }
        this.layout = Layout.concat(parts);
    }

    /** The layers in order (any {@link Model}s, including other serials). */
    public static Serial of(Model... layers) {
        return new Serial(List.of(layers));
    }

    public static Serial of(List<? extends Model> layers) {
        return new Serial(new ArrayList<>(layers));
    }

    public List<Model> layers() {
        return layers;
    }

    /** Layer i's slice of theta: {@code theta[offset_i : offset_i + n_i]}. */
    public Tensor layerParams(Tensor theta, int i) {
        int lo = offsets[i];
        int hi = offsets[i + 1];
        return lo == hi ? NO_PARAMS : theta.slice(0, lo, hi);
    }

    @Override
    public Layout layout() {
        return layout;
    }

    @Override
    public Tensor init(RandomGenerator rng) {
        List<Tensor> parts = new ArrayList<>();
        for (Model m : layers) {
            if (m.layout().size() > 0) {
                parts.add(m.init(rng));
            }
        }
        return parts.isEmpty() ? Tensor.zeros(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
    }

    @Override
    public Tensor apply(Tensor theta, Tensor x) {
        layout.check("serial", theta);
        Tensor h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).apply(layerParams(theta, i), h);
        }
        return h;
    }

    /**
     * The output of every layer, {@code [f_0(x), f_1(f_0(x)), ..., f(x)]} (for activation statistics
     * and feature diagnostics, Q16); the last element equals {@link #apply}.
     */
    public List<Tensor> intermediates(Tensor theta, Tensor x) {
        layout.check("serial", theta);
        List<Tensor> out = new ArrayList<>(layers.size());
        Tensor h = x;
        for (int i = 0; i < layers.size(); i++) {
            h = layers.get(i).apply(layerParams(theta, i), h);
            out.add(h);
        }
        return out;
    }

    @Override
    public String describe() {
        return "serial(" + layers.stream().map(Model::describe).collect(Collectors.joining(", ")) + ")";
    }
}
