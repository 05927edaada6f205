package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Loss;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.tensor.Tensor;

/** Tiny problems and independent reference computations for the curvature diagnostics' tests. */
final class SharpnessFixtures {

    private SharpnessFixtures() {
    }

    static final Loss HALF = Losses.of("mse", MseConvention.HALF);

    /** n examples, d inputs ~ N(0, 1), labels in 0..k-1 (one-hot targets). */
    static Dataset data(int n, int d, int k, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Tensor x = Tensor.randn(r, n, d);
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = r.nextInt(k);
        }
        return Dataset.classification("tiny", x, labels, k);
    }

    /** A tanh MLP on {@link #data}, squared loss c = 1/2 (widths d-h-...-k). */
    static Problem tanhProblem(Dataset d, Loss loss, int physical, int... widths) {
        return new Problem(Mlp.of(Activation.TANH, widths), loss, d, null, physical);
    }

    /** 3-4-3 tanh net (31 parameters) on n examples. */
    static Problem tiny(int n, long seed) {
        return tanhProblem(data(n, 3, 3, seed), HALF, 1000, 3, 4, 3);
    }

    /** theta of the model's init, scaled by {@code scale} (larger weights: more curvature structure). */
    static Tensor theta(Problem p, long seed, double scale) {
        return p.model().init(new SplittableRandom(seed)).mul(scale);
    }

    /** The dense Hessian of the mean loss of {@code d}, from Autodiff.hessian (no chunking, no operator). */
    static Tensor hessian(Problem p, Tensor theta, Dataset d) {
        return Autodiff.hessian(t -> p.loss().mean(p.model().apply(t, d.x()), d.y()), theta);
    }

    /** Gradient of the mean loss of {@code d} (direct autodiff). */
    static Tensor grad(Problem p, Tensor theta, Dataset d) {
        return Autodiff.grad(t -> p.loss().mean(p.model().apply(t, d.x()), d.y()), theta);
    }

    /** Eigenvalues (descending) of the symmetrised matrix. */
    static double[] eig(Tensor h) {
        return SymmetricEigen.eigenvalues(h.add(h.transpose()).mul(0.5));
    }

    /** u^T A v. */
    static double quad(Tensor u, Tensor a, Tensor v) {
        return u.dotValue(a.matmul(v));
    }

    static double trace(Tensor a) {
        double s = 0;
        for (int i = 0; i < a.dim(0); i++) {
            s += a.get(i, i);
        }
        return s;
    }

    /** Every b-subset of {0..n-1} in lexicographic order. */
    static List<int[]> allBatches(int n, int b) {
        List<int[]> out = new ArrayList<>();
        combos(n, b, 0, new int[b], 0, out);
        return out;
    }

    private static void combos(int n, int b, int start, int[] cur, int depth, List<int[]> out) {
        if (depth == b) {
            out.add(cur.clone());
            return;
        }
        for (int i = start; i < n; i++) {
            cur[depth] = i;
            combos(n, b, i + 1, cur, depth + 1, out);
        }
    }

    /**
     * The documented draw of a fresh batch, written independently of the implementation: b distinct indices
     * of [0, n) by partial Fisher-Yates, j = i + rng.nextInt(n - i), swap, in draw order.
     */
    static int[] drawBatch(SplittableRandom rng, int n, int b) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        int[] out = new int[b];
        for (int i = 0; i < b; i++) {
            int j = i + rng.nextInt(n - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
            out[i] = a[i];
        }
        return out;
    }

    /** Two-pass sample mean. */
    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Two-pass sample covariance with N - 1. */
    static double cov(double[] a, double[] b) {
        double ma = mean(a);
        double mb = mean(b);
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - ma) * (b[i] - mb);
        }
        return s / (a.length - 1);
    }

    static double[] prefix(double[] v, int n) {
        return java.util.Arrays.copyOf(v, n);
    }
}
