package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.linalg.LinearOperator;
import org.sgdlab.nn.CrossEntropyLoss;
import org.sgdlab.nn.Loss;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.SquaredLoss;
import org.sgdlab.tensor.Tensor;

/**
 * The curvature operators of QUANTITIES.md Q5.1 at theta, each a {@link CountingOperator} (it counts
 * its applications and the seconds spent in them):
 *
 * <ul>
 *   <li>{@link #hessian}: {@code v -> H v}, H the Hessian of the mean loss {@code L_D = (1/N) sum_{i in D} l_i}
 *       of a data set or subset D of N examples; exact, chunked ({@link Problem#hessian}).</li>
 *   <li>{@link #batchHessian}: the same for a mini-batch B of the training set, {@code H_B}.</li>
 *   <li>{@link #gaussNewton}: {@code v -> G v}, the Gauss-Newton matrix
 *       {@code G = (1/N) sum_i J_i^T Lambda_i J_i}, {@code J_i = d f(x_i)/d theta} and
 *       {@code Lambda_i = d^2 l_i / d f^2} the Hessian of the per-example loss in the outputs: for the
 *       squared loss {@code l = c ||f - y||^2}, {@code G v = (2c/N) J^T (J v)}; for softmax cross-entropy
 *       {@code Lambda_i = s_i (diag(p_i) - p_i p_i^T)}, {@code p_i = softmax(f(x_i))}, {@code s_i} the
 *       target mass of row i (1 for labels and one-hot targets); for any other loss {@code Lambda_i} is
 *       applied by an exact Hessian-vector product of the loss in the outputs. One JVP ({@code J v})
 *       and one VJP ({@code J^T u}) of theta -> outputs per chunk and application; G is symmetric
 *       positive semi-definite whenever every {@code Lambda_i} is (squared loss, cross-entropy).</li>
 * </ul>
 *
 * <p>Chunks of at most {@code physicalBatch} examples, each scaled by 1/N (not by its own size), so the
 * chunked operator equals the unchunked one for any chunking (Q5.1).
 */
public final class CurvatureOperators {

    private CurvatureOperators() {
    }

    /** {@code v -> H_D v} for the mean loss of {@code d} (a subset of the training set, say) at theta. */
    public static CountingOperator hessian(Problem problem, Tensor theta, Dataset d) {
        require(problem, theta, d, "hessian");
        return problem.hessian(theta, d).counting();
    }

    /** {@code v -> H_B v} for the mini-batch {@code batch} (indices into the training set) at theta. */
    public static CountingOperator batchHessian(Problem problem, Tensor theta, int[] batch) {
        if (batch == null || batch.length == 0) {
            throw new IllegalArgumentException("CurvatureOperators.batchHessian: the batch is empty");
        }
        return hessian(problem, theta, problem.train().batch(batch));
    }

    /** {@code v -> G_D v}, the Gauss-Newton matrix of the mean loss of {@code d} at theta (Q5.1). */
    public static CountingOperator gaussNewton(Problem problem, Tensor theta, Dataset d) {
        require(problem, theta, d, "gaussNewton");
        Tensor th = theta.detach();
        int total = d.size();
        Model model = problem.model();
        Loss loss = problem.loss();
        List<UnaryOperator<Tensor>> parts = new ArrayList<>();
        for (Dataset c : problem.chunks(d)) {
            Tensor x = c.x();
            Function<Tensor, Tensor> net = t -> model.apply(t, x);
            UnaryOperator<Tensor> lambda = outputHessian(loss, model.apply(th, x), c.y(), total);
            parts.add(v -> {
                Tensor u = Autodiff.jvp(net, th, v);            // J v: [m, k]
                return Autodiff.vjp(net, th, lambda.apply(u)); // J^T (Lambda J v): [p]
            });
        }
        return LinearOperator.of(th.size(), v -> {
            Tensor out = null;
            for (UnaryOperator<Tensor> part : parts) {
                Tensor gv = part.apply(v);
                out = out == null ? gv : out.add(gv);
            }
            return out;
        }).counting();
    }

    /**
     * {@code u -> (1/total) Lambda u}, the Hessian of {@code (1/total) sum_i l(f_i, y_i)} in the outputs f
     * applied to u (same shape as f), at the outputs {@code f} of one chunk.
     */
    static UnaryOperator<Tensor> outputHessian(Loss loss, Tensor f, Tensor y, int total) {
        double inv = 1.0 / total;
        if (loss instanceof SquaredLoss sq) {
            double s = 2.0 * sq.convention().factor() * inv;
            return u -> u.mul(s);
        }
        if (loss instanceof CrossEntropyLoss && f.rank() == 2 && y.rank() == 2
                && java.util.Arrays.equals(f.shape(), y.shape())) {
            Tensor p = f.sub(f.logSumExp(1, true)).exp();          // [m, k] softmax
            Tensor mass = y.sum(new int[] {1}, true).mul(inv);     // [m, 1] s_i / total
            return u -> {
                Tensor pu = p.mul(u);                               // [m, k]
                Tensor lu = pu.sub(p.mul(pu.sum(new int[] {1}, true))); // (diag(p) - p p^T) u, row-wise
                return lu.mul(mass);
            };
        }
        Tensor yy = y;
        return u -> Autodiff.hvp(o -> loss.perExample(o, yy).sum().mul(inv), f, u);
    }

    private static void require(Problem problem, Tensor theta, Dataset d, String op) {
        if (problem == null || theta == null || d == null) {
            throw new IllegalArgumentException("CurvatureOperators." + op + ": problem, theta and data must be non-null");
        }
        int p = problem.model().numParams();
        if (theta.rank() != 1 || theta.size() != p) {
            throw new IllegalArgumentException("CurvatureOperators." + op + ": theta has shape "
                    + java.util.Arrays.toString(theta.shape()) + ", expected [" + p + "] (the model's parameter count)");
        }
        if (d.size() == 0) {
            throw new IllegalArgumentException("CurvatureOperators." + op + ": the data set is empty");
        }
    }
}
