package org.sgdlab.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Tensor;

/**
 * Data sets stored as NumPy arrays ({@link Npy}): an {@code .npz} archive with an input key and a
 * target key, or a pair of {@code .npy} files.
 *
 * <p>Targets with an integer (or boolean) dtype and shape [n] are class labels: a classification
 * set with one-hot y ({@code classes = 0} infers max(label) + 1). Float targets are regression
 * targets: [n] becomes [n, 1], [n, k] is kept.
 */
public final class NpyData {

    private NpyData() {
    }

    /** The arrays {@code xKey} and {@code yKey} of an {@code .npz} archive (e.g. "X" and "y"). */
    public static Dataset loadNpz(String name, Path npz, String xKey, String yKey, int classes) {
        Map<String, Npy.NdArray> m = Npy.readNpzArrays(npz);
        return build(name, get(m, xKey, npz), get(m, yKey, npz), classes, npz.toString());
    }

    /** Inputs from one {@code .npy} file, targets from another. */
    public static Dataset loadNpy(String name, Path xFile, Path yFile, int classes) {
        return build(name, Npy.readArray(xFile), Npy.readArray(yFile), classes, xFile + ", " + yFile);
    }

    private static Npy.NdArray get(Map<String, Npy.NdArray> m, String key, Path file) {
        Npy.NdArray a = m.get(key);
        if (a == null) {
            throw new IllegalArgumentException("npz: " + file + " has no array '" + key + "'; keys: " + m.keySet());
        }
        return a;
    }

    private static Dataset build(String name, Npy.NdArray x, Npy.NdArray y, int classes, String source) {
        if (x.shape().length < 1 || y.shape().length < 1 || x.shape()[0] != y.shape()[0]) {
            throw new IllegalArgumentException(name + ": " + source + ": inputs " + Arrays.toString(x.shape())
                    + " and targets " + Arrays.toString(y.shape()) + " must have the same first dimension n");
        }
        Tensor xt = x.toTensor();
        if (y.isInteger() && y.shape().length == 1) {
            int[] labels = y.toInts();
            int max = Arrays.stream(labels).max().orElse(-1);
            int k = classes > 0 ? classes : max + 1;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] < 0 || labels[i] >= k) {
                    throw new IllegalArgumentException(name + ": " + source + ": label " + labels[i] + " of row " + i
                            + " is outside [0, " + k + ")");
                }
            }
            return Dataset.classification(name, xt, labels, k);
        }
        if (y.shape().length > 2) {
            throw new IllegalArgumentException(name + ": " + source + ": targets must be [n] or [n, k], got "
                    + Arrays.toString(y.shape()));
        }
        return Dataset.regression(name, xt, y.toTensor());
    }
}
