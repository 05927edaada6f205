package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.nn.Model;
import org.sgdlab.tensor.Tensor;

/**
 * The average gradient outer product and the alignment of two matrices (QUANTITIES.md Q13):
 *
 * <pre>
 *   G(f)    = (1/N) sum_j D_j D_j^T in R^{d x d},   D_j = (df(x_j)/dx)^T in R^{d x k}   (uncentred)
 *   rho(A, B) = &lt;A, B&gt;_F / (||A||_F ||B||_F)                                     (0, flagged, if a norm is 0)
 * </pre>
 *
 * Papers: Radhakrishnan, Beaglehole, Pandit, Belkin, arXiv 2212.13881; Mallinar et al., ICML 2025,
 * arXiv 2407.20199 (Def. 2.1, and the cosine alignment of §3); Zhu et al., ICML 2024 (P1 Def. 2:
 * alignment with the AGOP of the true model).
 *
 * <p>Input gradients: for a predictor without interaction between the samples of a batch (every
 * sgdlab model), {@code grad_x sum_j f_a(x_j)} holds all per-sample gradients of output a, so one
 * VJP per output and chunk gives them all: {@code G = (1/N) sum_a V_a^T V_a} with V_a the
 * {@code [N, d]} gradients of output a. Inputs {@code [N, ...]} are flattened to d = prod of the
 * trailing dimensions.
 */
public final class Agop {

    /** Default chunk size for the input-gradient passes. */
    public static final int DEFAULT_CHUNK = 1000;

    private Agop() {
    }

    /** rho(A, B) and whether a norm was 0 (then the value is 0). */
    public record Alignment(double value, boolean zeroNorm) {
    }

    /**
     * The per-sample input Jacobians {@code [N, k, d]} of {@code f} (a map {@code [m, ...] -> [m, k]} or
     * {@code [m]}, without cross-sample interaction) on the rows of {@code x}, in chunks.
     */
    public static Tensor inputJacobians(Function<Tensor, Tensor> f, Tensor x, int chunk) {
        int n = checkInputs("Agop.inputJacobians", x, chunk);
        List<Tensor> parts = new ArrayList<>();
        for (int lo = 0; lo < n; lo += chunk) {
            int hi = Math.min(n, lo + chunk);
            List<Tensor> g = chunkGradients(f, x.slice(0, lo, hi));
            parts.add(Tensor.stack(1, g.toArray(new Tensor[0])));                       // k x [m, d] -> [m, k, d]
        }
        return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
    }

    /** The input Jacobians {@code [N, k, d]} of {@code x -> model.apply(theta, x)}. */
    public static Tensor inputJacobians(Model model, Tensor theta, Tensor x, int chunk) {
        Tensor th = theta.detach();
        return inputJacobians(xx -> model.apply(th, xx), x, chunk);
    }

    /** G(f) {@code [d, d]} of {@code f} on the rows of {@code x}, accumulated over chunks (D is never stored whole). */
    public static Tensor of(Function<Tensor, Tensor> f, Tensor x, int chunk) {
        int n = checkInputs("Agop.of", x, chunk);
        Tensor g = null;
        for (int lo = 0; lo < n; lo += chunk) {
            int hi = Math.min(n, lo + chunk);
            for (Tensor v : chunkGradients(f, x.slice(0, lo, hi))) {
                Tensor outer = v.matmul(v, true, false);                                    // [d, m] @ [m, d] -> [d, d]
                g = g == null ? outer : g.add(outer);
            }
        }
        return symmetric(g.mul(1.0 / n));
    }

    /** G of {@code x -> model.apply(theta, x)} on the rows of {@code x}. */
    public static Tensor of(Model model, Tensor theta, Tensor x, int chunk) {
        Tensor th = theta.detach();
        return of(xx -> model.apply(th, xx), x, chunk);
    }

    /** G of {@code x -> model.apply(theta, x)} in chunks of {@link #DEFAULT_CHUNK}. */
    public static Tensor of(Model model, Tensor theta, Tensor x) {
        return of(model, theta, x, DEFAULT_CHUNK);
    }

    /**
     * G from given per-sample gradients: {@code [N, d]} (scalar output, D_j = row j) or {@code [N, k, d]}
     * (row j's k x d block is D_j^T): {@code G = (1/N) sum_j D_j D_j^T}.
     */
    public static Tensor fromGradients(Tensor grads) {
        if (grads.rank() != 2 && grads.rank() != 3) {
            throw new IllegalArgumentException("Agop.fromGradients: gradients must be [N, d] or [N, k, d], got "
                    + Arrays.toString(grads.shape()));
        }
        int n = grads.dim(0);
        int d = grads.dim(grads.rank() - 1);
        if (n < 1) {
            throw new IllegalArgumentException("Agop.fromGradients: no samples");
        }
        Tensor m = grads.reshape(-1, d);                                                     // [N k, d]
        return symmetric(m.matmul(m, true, false).mul(1.0 / n));                              // [d, Nk] @ [Nk, d]
    }

    /**
     * rho(A, B) = &lt;A, B&gt;_F / (||A||_F ||B||_F) for matrices of equal shape; 0 with {@code zeroNorm}
     * when either norm is 0 (Q13; no epsilon in the denominator). NaN for non-finite input.
     */
    public static Alignment alignment(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("Agop.alignment: shapes differ: " + Arrays.toString(a.shape()) + " vs "
                    + Arrays.toString(b.shape()));
        }
        double na = a.norm();
        double nb = b.norm();
        if (na == 0 || nb == 0) {
            return new Alignment(0.0, true);
        }
        return new Alignment(a.dotValue(b) / na / nb, false);
    }

    /** The top {@code k} eigenvalues of the symmetric {@code g} (descending; all if k exceeds d). */
    public static double[] topEigenvalues(Tensor g, int k) {
        if (k <= 0) {
            return new double[0];
        }
        double[] all = SymmetricEigen.eigenvalues(g);
        return Arrays.copyOf(all, Math.min(k, all.length));
    }

    // ------------------------------------------------------------------ machinery

    /** The k gradient matrices {@code [m, d]}, one per output, from one VJP each on the chunk. */
    static List<Tensor> chunkGradients(Function<Tensor, Tensor> f, Tensor xc) {
        int m = xc.dim(0);
        int d = xc.size() / m;
        Tensor y = f.apply(xc.detach());
        if (y.rank() < 1 || y.rank() > 2 || y.dim(0) != m) {
            throw new IllegalArgumentException("Agop: the predictor must map [m, ...] to [m, k] or [m], got "
                    + Arrays.toString(y.shape()) + " for inputs " + Arrays.toString(xc.shape()));
        }
        int k = y.rank() == 1 ? 1 : y.dim(1);
        List<Tensor> us = new ArrayList<>(k);
        for (int a = 0; a < k; a++) {
            double[] u = new double[m * k];
            for (int j = 0; j < m; j++) {
                u[j * k + a] = 1.0;
            }
            us.add(Tensor.of(u, y.shape()));
        }
        List<Tensor> out = new ArrayList<>(k);
        for (Tensor g : Autodiff.vjps(f, xc, us)) {
            out.add(g.reshape(m, d));
        }
        return out;
    }

    private static int checkInputs(String op, Tensor x, int chunk) {
        if (x == null || x.rank() < 1 || x.dim(0) < 1) {
            throw new IllegalArgumentException(op + ": inputs must be [N, ...] with N >= 1, got "
                    + (x == null ? "null" : Arrays.toString(x.shape())));
        }
        if (chunk < 1) {
            throw new IllegalArgumentException(op + ": chunk must be >= 1, got " + chunk);
        }
        return x.dim(0);
    }

    private static Tensor symmetric(Tensor g) {
        return g.add(g.transpose()).mul(0.5);
    }
}
