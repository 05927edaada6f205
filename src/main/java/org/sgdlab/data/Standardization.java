package org.sgdlab.data;

import java.util.Arrays;
import org.sgdlab.tensor.Tensor;

/**
 * Per-feature affine normalisation x' = (x - mean) / std, with {@code mean} and {@code std} of the
 * feature shape (x's shape without its first axis).
 *
 * <p>{@link #fit} uses the rows it is given (STUDIES.md §1.1): mean_j = (1/n) Σ_i x_ij and the
 * population standard deviation std_j = sqrt((1/n) Σ_i (x_ij - mean_j)²); a feature whose values
 * are all equal (standard deviation exactly zero) gets std_j = 1 and mean_j = its value, so it
 * maps to exactly 0. Apply the fitted statistics of the training rows to a test set with
 * {@link #apply(Dataset)}.
 */
public record Standardization(Tensor mean, Tensor std) {

    public Standardization {
        if (!Arrays.equals(mean.shape(), std.shape())) {
            throw new IllegalArgumentException("Standardization: mean " + Arrays.toString(mean.shape())
                    + " and std " + Arrays.toString(std.shape()) + " must have the same shape");
        }
        for (double s : std.toArray()) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("Standardization: every std must be positive and finite, got " + s);
            }
        }
    }

    /** Fits the per-feature mean and population standard deviation over all rows of {@code x} [n, ...]. */
    public static Standardization fit(Tensor x) {
        if (x.rank() < 1 || x.dim(0) == 0) {
            throw new IllegalArgumentException("Standardization.fit: needs at least one row, got shape "
                    + Arrays.toString(x.shape()));
        }
        int n = x.dim(0);
        int d = x.size() / n;
        double[] v = x.toArray();
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            double s = 0;
            boolean constant = true;
            double first = v[j];
            for (int i = 0; i < n; i++) {
                double e = v[i * d + j];
                s += e;
                constant &= e == first;
            }
            if (constant) {
                mean[j] = first;
                std[j] = 1.0;
                continue;
            }
            double m = s / n;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double e = v[i * d + j] - m;
                ss += e * e;
            }
            mean[j] = m;
            std[j] = Math.sqrt(ss / n);
            if (std[j] == 0) { // distinct values whose deviations underflow: treat as constant
                std[j] = 1.0;
            }
        }
        int[] fs = Arrays.copyOfRange(x.shape(), 1, x.rank());
        return new Standardization(Tensor.of(mean, fs), Tensor.of(std, fs));
    }

    /** Fits on the inputs of a data set. */
    public static Standardization fit(Dataset data) {
        return fit(data.x());
    }

    /** The same (mean, std) for every feature, e.g. Fashion-MNIST's global (0.2860, 0.3530) (STUDIES.md §8.2). */
    public static Standardization global(double mean, double std, int... featureShape) {
        return new Standardization(Tensor.full(mean, featureShape), Tensor.full(std, featureShape));
    }

    /** (x - mean) / std, broadcast over the rows of x [n, ...feature shape]. */
    public Tensor apply(Tensor x) {
        int[] fs = Arrays.copyOfRange(x.shape(), 1, Math.max(1, x.rank()));
        if (!Arrays.equals(fs, mean.shape())) {
            throw new IllegalArgumentException("Standardization.apply: rows of x " + Arrays.toString(x.shape())
                    + " have feature shape " + Arrays.toString(fs) + ", fitted on " + Arrays.toString(mean.shape()));
        }
        return x.sub(mean).div(std);
    }

    /** The data set with standardised inputs (targets unchanged). */
    public Dataset apply(Dataset data) {
        return data.withX(apply(data.x()));
    }
}
