package org.sgdlab.nn;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Tensor;

/**
 * Parameters as NumPy {@code .npz} (block name -> array of the block's shape), so weights
 * round-trip with NumPy and PyTorch ({@code np.savez(f, **{k: v.numpy() for k, v in
 * model.state_dict().items()})}; sgdlab's layer names follow nn.Sequential's, weights [out, in]).
 */
public final class ParamsIO {

    private ParamsIO() {
    }

    /** Writes theta as one array per layout block (crash-safe: temporary file, then rename). */
    public static void save(Path file, Layout layout, Tensor theta) {
        layout.check("ParamsIO.save", theta);
        Npy.writeNpz(file, layout.unflatten(theta.detach()));
    }

    /**
     * Reads a parameter file into a flat theta for {@code layout}: every block must be present with
     * its shape (the error lists missing, extra and mis-shaped names).
     */
    public static Tensor load(Path file, Layout layout) {
        Map<String, Tensor> arrays = new LinkedHashMap<>(Npy.readNpz(file));
        StringBuilder problems = new StringBuilder();
        Map<String, Tensor> parts = new LinkedHashMap<>();
        for (Layout.Block b : layout.blocks()) {
            Tensor t = arrays.remove(b.name());
            if (t == null) {
                problems.append("\n  missing '").append(b.name()).append("' ").append(java.util.Arrays.toString(b.shape()));
            } else if (t.size() != b.size()) {
                problems.append("\n  '").append(b.name()).append("' has shape ").append(java.util.Arrays.toString(t.shape()))
                        .append(", the model needs ").append(java.util.Arrays.toString(b.shape()));
            } else {
                parts.put(b.name(), t.reshape(b.shape()));
            }
        }
        for (String extra : arrays.keySet()) {
            problems.append("\n  unexpected '").append(extra).append("' (the model has ").append(layout.names()).append(")");
        }
        if (problems.length() > 0) {
            throw new IllegalArgumentException("parameters " + file + " do not fit the model:" + problems);
        }
        return layout.flatten(parts);
    }
}
