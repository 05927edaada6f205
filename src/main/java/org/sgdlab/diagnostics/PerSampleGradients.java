package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.tensor.Tensor;

/**
 * The per-sample gradient matrix {@code G [n, p]}, row i = {@code grad_theta l_i(theta)} (the gradient of
 * example i's own loss, not divided by n), so that {@code grad L = (1/n) G^T 1} (QUANTITIES.md Q1, Q9).
 *
 * <p>Computed exactly by reverse mode: the data are cut into chunks of at most {@code chunk} examples and,
 * per chunk, the Jacobian of {@code theta -> (l_i(theta))_{i in chunk}} is formed from one forward pass and
 * one backward pass per example ({@link Autodiff#jacobian}). Each backward pass traverses the whole chunk's
 * graph, so the work grows like {@code n * chunk}; the default chunk of 16 keeps that overhead small while
 * amortising the per-call cost.
 */
public final class PerSampleGradients {

    /** Default chunk size for per-sample gradients. */
    public static final int DEFAULT_CHUNK = 16;

    private PerSampleGradients() {
    }

    /** A consumer of one chunk of rows: {@code g [m, p]} are rows {@code offset .. offset + m - 1} of G. */
    @FunctionalInterface
    interface ChunkConsumer {
        void accept(int offset, Tensor g);
    }

    /** G {@code [n, p]} on the examples of {@code d} at {@code theta}, default chunk. */
    public static Tensor matrix(Problem problem, Tensor theta, Dataset d) {
        return matrix(problem, theta, d, DEFAULT_CHUNK);
    }

    /** G {@code [n, p]} on the examples of {@code d} at {@code theta}, chunks of at most {@code chunk}. */
    public static Tensor matrix(Problem problem, Tensor theta, Dataset d, int chunk) {
        List<Tensor> parts = new ArrayList<>();
        forEachChunk(problem, theta, d, chunk, (off, g) -> parts.add(g));
        return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
    }

    /** Visits G chunk by chunk (rows in data order), never holding more than one chunk. */
    static void forEachChunk(Problem problem, Tensor theta, Dataset d, int chunk, ChunkConsumer consumer) {
        if (chunk < 1) {
            throw new IllegalArgumentException("per-sample gradients: chunk must be >= 1, got " + chunk);
        }
        problem.model().layout().check("per-sample gradients", theta);
        Tensor th = theta.detach();
        int n = d.size();
        for (int lo = 0; lo < n; lo += chunk) {
            int hi = Math.min(n, lo + chunk);
            Dataset c = slice(d, lo, hi);
            consumer.accept(lo, Autodiff.jacobian(losses(problem, c), th));   // [m, p]
        }
    }

    /** {@code theta -> (l_i(theta))_{i in d}}, a vector {@code [m]} of per-example losses. */
    static Function<Tensor, Tensor> losses(Problem problem, Dataset d) {
        Tensor x = d.x();
        Tensor y = d.y();
        return theta -> problem.loss().perExample(problem.model().apply(theta, x), y);
    }

    /** Rows {@code lo .. hi - 1} of {@code d}. */
    static Dataset slice(Dataset d, int lo, int hi) {
        if (lo == 0 && hi == d.size()) {
            return d;
        }
        int[] idx = new int[hi - lo];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = lo + i;
        }
        return d.batch(idx);
    }
}
