package org.sgdlab.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * An in-memory data set {(x_i, y_i)}, i = 1..n (QUANTITIES.md Q1): inputs {@code x} of shape
 * [n, ...], targets {@code y} of shape [n, k] (one-hot rows for classification under the squared
 * loss, real values for regression), and for classification the integer {@code labels} (length n,
 * each in [0, classes)) and the number of {@code classes}. A regression set has {@code labels ==
 * null} and {@code classes == 0}.
 *
 * <p>Immutable: every operation returns a new data set; the label array is copied in and out.
 * Random operations take the generator to draw from (the {@code data} stream of a run, Q0) and
 * state their draw order, so a data set is a function of its seed.
 */
public record Dataset(String name, Tensor x, Tensor y, int[] labels, int classes) {

    public Dataset {
        Objects.requireNonNull(name, "Dataset: name");
        Objects.requireNonNull(x, "Dataset: x");
        Objects.requireNonNull(y, "Dataset: y");
        if (x.rank() < 1) {
            throw new IllegalArgumentException("Dataset '" + name + "': x must have shape [n, ...], got a scalar");
        }
        if (y.rank() != 2) {
            throw new IllegalArgumentException("Dataset '" + name + "': y must have shape [n, k], got "
                    + Arrays.toString(y.shape()));
        }
        int n = x.dim(0);
        if (y.dim(0) != n) {
            throw new IllegalArgumentException("Dataset '" + name + "': x has " + n + " rows but y has " + y.dim(0)
                    + " (x " + Arrays.toString(x.shape()) + ", y " + Arrays.toString(y.shape()) + ")");
        }
        if (labels == null) {
            if (classes != 0) {
                throw new IllegalArgumentException("Dataset '" + name + "': classes = " + classes
                        + " without labels; a regression set has classes = 0");
            }
        } else {
            if (classes < 1) {
                throw new IllegalArgumentException("Dataset '" + name + "': classes must be >= 1 with labels, got "
                        + classes);
            }
            if (labels.length != n) {
                throw new IllegalArgumentException("Dataset '" + name + "': " + labels.length + " labels for " + n
                        + " rows");
            }
            labels = labels.clone();
            for (int i = 0; i < n; i++) {
                if (labels[i] < 0 || labels[i] >= classes) {
                    throw new IllegalArgumentException("Dataset '" + name + "': label " + labels[i] + " of row " + i
                            + " is outside [0, " + classes + ")");
                }
            }
        }
    }

    /** A classification set with one-hot targets y = e_{label} (0 elsewhere). */
    public static Dataset classification(String name, Tensor x, int[] labels, int classes) {
        return new Dataset(name, x, Tensor.oneHot(labels, classes), labels, classes);
    }

    /** A regression set; targets of shape [n] become [n, 1]. */
    public static Dataset regression(String name, Tensor x, Tensor y) {
        Tensor yy = y.rank() == 1 ? y.reshape(y.dim(0), 1) : y;
        return new Dataset(name, x, yy, null, 0);
    }

    /** A copy of the labels, or {@code null} for a regression set. */
    @Override
    public int[] labels() {
        return labels == null ? null : labels.clone();
    }

    /** The label of row {@code i} (classification sets only). */
    public int label(int i) {
        requireLabels("label");
        return labels[i];
    }

    public boolean hasLabels() {
        return labels != null;
    }

    /** n, the number of rows. */
    public int size() {
        return x.dim(0);
    }

    /** d, the number of input features per row (product of x's dimensions after the first). */
    public int inputDim() {
        int d = 1;
        for (int i = 1; i < x.rank(); i++) {
            d *= x.dim(i);
        }
        return d;
    }

    /** k, the number of target columns. */
    public int outputDim() {
        return y.dim(1);
    }

    public Dataset withName(String newName) {
        return new Dataset(newName, x, y, labels, classes);
    }

    /** The same targets with new inputs (same number of rows). */
    public Dataset withX(Tensor newX) {
        return new Dataset(name, newX, y, labels, classes);
    }

    /** Inputs reshaped to [n, d] (e.g. images [n, C, H, W] for an MLP). */
    public Dataset flattenX() {
        return x.rank() == 2 ? this : withX(x.reshape(size(), inputDim()));
    }

    /** The rows {@code index[0], index[1], ...} in that order (a mini-batch, or any selection). */
    public Dataset batch(int[] index) {
        int n = size();
        int[] lab = null;
        if (labels != null) {
            lab = new int[index.length];
        }
        for (int j = 0; j < index.length; j++) {
            if (index[j] < 0 || index[j] >= n) {
                throw new IllegalArgumentException("Dataset.batch: index " + index[j] + " at position " + j
                        + " is outside [0, " + n + ")");
            }
            if (lab != null) {
                lab[j] = labels[index[j]];
            }
        }
        return new Dataset(name, x.indexSelect(0, index), y.indexSelect(0, index), lab, classes);
    }

    /** The first {@code m} rows (Cohen-style "take first", STUDIES.md §1.1). */
    public Dataset first(int m) {
        if (m < 0 || m > size()) {
            throw new IllegalArgumentException("Dataset.first: m = " + m + " must be in [0, " + size() + "] for '"
                    + name + "'");
        }
        int[] idx = new int[m];
        Arrays.setAll(idx, i -> i);
        return m == size() ? this : batch(idx);
    }

    /**
     * A uniformly random subset of {@code m} distinct rows, kept in their original order. Draws:
     * {@code m} calls {@code rng.nextInt(n - i)}, i = 0..m-1 (partial Fisher-Yates).
     */
    public Dataset randomSubset(int m, RandomGenerator rng) {
        if (m < 0 || m > size()) {
            throw new IllegalArgumentException("Dataset.randomSubset: m = " + m + " must be in [0, " + size()
                    + "] for '" + name + "'");
        }
        int[] idx = Draws.sample(size(), m, rng);
        Arrays.sort(idx);
        return batch(idx);
    }

    /** A train/test split. */
    public record Split(Dataset train, Dataset test) {
    }

    /**
     * A uniformly random split into {@code trainSize} training rows and the remaining test rows,
     * each kept in the original order. Draws: one uniform permutation, {@code n} calls
     * {@code rng.nextInt(n - i)} (Fisher-Yates); the first {@code trainSize} entries form the
     * training set.
     */
    public Split split(int trainSize, RandomGenerator rng) {
        int n = size();
        if (trainSize < 0 || trainSize > n) {
            throw new IllegalArgumentException("Dataset.split: trainSize = " + trainSize + " must be in [0, " + n
                    + "] for '" + name + "'");
        }
        int[] perm = Draws.sample(n, n, rng);
        int[] tr = Arrays.copyOfRange(perm, 0, trainSize);
        int[] te = Arrays.copyOfRange(perm, trainSize, n);
        Arrays.sort(tr);
        Arrays.sort(te);
        return new Split(batch(tr).withName(name + "-train"), batch(te).withName(name + "-test"));
    }

    /** The split into the first {@code trainSize} rows and the rest (no randomness). */
    public Split splitFirst(int trainSize) {
        int n = size();
        if (trainSize < 0 || trainSize > n) {
            throw new IllegalArgumentException("Dataset.splitFirst: trainSize = " + trainSize + " must be in [0, " + n
                    + "] for '" + name + "'");
        }
        int[] te = new int[n - trainSize];
        Arrays.setAll(te, i -> trainSize + i);
        return new Split(first(trainSize).withName(name + "-train"), batch(te).withName(name + "-test"));
    }

    /**
     * The result of {@link #withLabelNoise}: the noisy data set, the sorted indices of the
     * {@code round(q n)} rows whose label was replaced, and how many of those replacements actually
     * changed the label (a replacement draws from all classes, so it keeps the old class with
     * probability 1/classes).
     */
    public record LabelNoise(Dataset data, int[] replaced, int changed) {
    }

    /**
     * Label noise of STUDIES.md §2.1: a fraction {@code q} of the labels is replaced by a class
     * drawn uniformly from all {@code classes} classes. Exactly m = round(q n) rows (half rounded up)
     * are replaced; since the new class is drawn from all classes (including the old one), the
     * expected number of labels that actually change is m (1 - 1/classes). The targets become the
     * one-hot encoding of the new labels.
     *
     * <p>Draws: the m replaced rows by partial Fisher-Yates ({@code rng.nextInt(n - i)}, i = 0..m-1),
     * then, for the replaced rows in increasing row order, one {@code rng.nextInt(classes)} each.
     */
    public LabelNoise withLabelNoise(double q, RandomGenerator rng) {
        requireLabels("withLabelNoise");
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("withLabelNoise: fraction q = " + q + " must be in [0, 1]");
        }
        int n = size();
        int m = (int) Math.round(q * n);
        int[] rows = Draws.sample(n, m, rng);
        Arrays.sort(rows);
        int[] lab = labels.clone();
        int changed = 0;
        for (int r : rows) {
            int c = rng.nextInt(classes);
            if (c != lab[r]) {
                changed++;
            }
            lab[r] = c;
        }
        Dataset noisy = new Dataset(name + "-noise" + q, x, Tensor.oneHot(lab, classes), lab, classes);
        return new LabelNoise(noisy, rows, changed);
    }

    /** Number of rows of each class (classification sets only). */
    public int[] classCounts() {
        requireLabels("classCounts");
        int[] c = new int[classes];
        for (int l : labels) {
            c[l]++;
        }
        return c;
    }

    private void requireLabels(String op) {
        if (labels == null) {
            throw new IllegalArgumentException(op + ": data set '" + name + "' has no class labels (regression)");
        }
    }

    @Override
    public String toString() {
        return "Dataset[" + name + ", x " + Arrays.toString(x.shape()) + ", y " + Arrays.toString(y.shape())
                + (labels != null ? ", " + classes + " classes" : ", regression") + "]";
    }
}
