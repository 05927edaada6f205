package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.LinearOperator;
import org.sgdlab.nn.Accuracy;
import org.sgdlab.nn.Loss;
import org.sgdlab.nn.Model;
import org.sgdlab.tensor.Tensor;

/**
 * A training problem: model, loss, training set, optional test set, and the physical chunk size
 * that bounds the memory of full-batch passes.
 *
 * <p>Full-batch quantities over a data set D of N examples are computed in chunks c of at most
 * {@code physicalBatch} examples with {@code L_c = (1/N) sum_{i in c} l_i} (N, not the chunk size,
 * in the denominator), so that {@code L = sum_c L_c}, {@code grad L = sum_c grad L_c} and
 * {@code H v = sum_c grad[(grad L_c)^T v]} exactly for any chunking (QUANTITIES.md Q5.1).
 */
public record Problem(Model model, Loss loss, Dataset train, Dataset test, int physicalBatch) {

    /** Default chunk size (Q5.1). */
    public static final int DEFAULT_PHYSICAL_BATCH = 1000;

    public Problem {
        if (model == null || loss == null || train == null) {
            throw new IllegalArgumentException("Problem: model, loss and training set are required");
        }
        if (physicalBatch < 1) {
            throw new IllegalArgumentException("Problem: physical_batch_size must be >= 1, got " + physicalBatch);
        }
        if (train.size() == 0) {
            throw new IllegalArgumentException("Problem: the training set is empty");
        }
    }

    public Problem(Model model, Loss loss, Dataset train, Dataset test) {
        this(model, loss, train, test, DEFAULT_PHYSICAL_BATCH);
    }

    /** Whether accuracy is meaningful (the training set has class labels). */
    public boolean classification() {
        return train.hasLabels();
    }

    /** Loss and accuracy of one evaluation (accuracy NaN without labels). */
    public record Eval(double loss, double accuracy) {
    }

    /** The chunks of {@code d}: consecutive index ranges of at most {@code physicalBatch}. */
    public List<Dataset> chunks(Dataset d) {
        int n = d.size();
        if (n <= physicalBatch) {
            return List.of(d);
        }
        List<Dataset> out = new ArrayList<>();
        for (int lo = 0; lo < n; lo += physicalBatch) {
            int hi = Math.min(n, lo + physicalBatch);
            int[] idx = new int[hi - lo];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = lo + i;
            }
            out.add(d.batch(idx));
        }
        return out;
    }

    /**
     * The objective {@code theta -> (1/total) sum_{i in d} l_i(theta)}: the mean loss of d when
     * {@code total = d.size()}, or one chunk's share of a larger set's mean.
     */
    public Function<Tensor, Tensor> objective(Dataset d, int total) {
        Tensor x = d.x();
        Tensor y = d.y();
        double inv = 1.0 / total;
        return theta -> loss.perExample(model.apply(theta, x), y).sum().mul(inv);
    }

    /** The mean-loss objective of all of {@code d} (one chunk; for batches). */
    public Function<Tensor, Tensor> objective(Dataset d) {
        return objective(d, d.size());
    }

    /** Mean loss and accuracy of {@code theta} on {@code d}, forward passes only, chunked. */
    public Eval evaluate(Tensor theta, Dataset d) {
        Tensor th = theta.detach();
        double lossSum = 0;
        double correct = 0;
        boolean acc = d.hasLabels();
        for (Dataset c : chunks(d)) {
            Tensor out = model.apply(th, c.x());
            lossSum += loss.perExample(out, c.y()).sum().item();
            if (acc) {
                correct += Accuracy.of(out, c.y()) * c.size();
            }
        }
        return new Eval(lossSum / d.size(), acc ? correct / d.size() : Double.NaN);
    }

    /** {@link #evaluate} and {@link #valueAndGrad} of one data set. */
    public record EvalAndGrad(Eval eval, Autodiff.ValueAndGrad valueAndGrad) {
    }

    /**
     * {@link #evaluate} and {@link #valueAndGrad} of a data set that is one chunk, from one forward pass: the
     * loss, accuracy and gradient have the bits of the two separate calls (the same operations on the same
     * values; the loss is the sum divided by N here and multiplied by 1/N in the objective, as there).
     */
    public EvalAndGrad evaluateAndGrad(Tensor theta, Dataset d) {
        if (d.size() > physicalBatch) {
            throw new IllegalArgumentException("evaluateAndGrad: " + d.size() + " examples are more than one chunk of "
                    + physicalBatch + "; use evaluate and valueAndGrad");
        }
        boolean acc = d.hasLabels();
        double[] sums = new double[2];
        double inv = 1.0 / d.size();
        Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(th -> {
            Tensor out = model.apply(th, d.x());
            Tensor lossSum = loss.perExample(out, d.y()).sum();
            sums[0] = 0.0 + lossSum.item();                                 // evaluate's running sums, from 0
            sums[1] = acc ? 0.0 + Accuracy.of(out.detach(), d.y()) * d.size() : 0.0;
            return lossSum.mul(inv);
        }, theta);
        return new EvalAndGrad(new Eval(sums[0] / d.size(), acc ? sums[1] / d.size() : Double.NaN), vg);
    }

    /** Mean loss of {@code theta} on {@code d}. */
    public double loss(Tensor theta, Dataset d) {
        return evaluate(theta, d).loss();
    }

    /** Exact full-batch loss and gradient on {@code d}, chunked. */
    public Autodiff.ValueAndGrad valueAndGrad(Tensor theta, Dataset d) {
        Tensor value = null;
        Tensor grad = null;
        for (Dataset c : chunks(d)) {
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(objective(c, d.size()), theta);
            value = value == null ? vg.value() : value.add(vg.value());
            grad = grad == null ? vg.grad() : grad.add(vg.grad());
        }
        return new Autodiff.ValueAndGrad(value, grad);
    }

    /** Exact Hessian-vector product of the mean loss on {@code d}, chunked (Q5.1). */
    public Tensor hvp(Tensor theta, Dataset d, Tensor v) {
        Tensor out = null;
        for (Dataset c : chunks(d)) {
            Tensor h = Autodiff.hvp(objective(c, d.size()), theta, v);
            out = out == null ? h : out.add(h);
        }
        return out;
    }

    /**
     * The Hessian of the mean loss on {@code d} at {@code theta} as an operator: each chunk's
     * forward and gradient graph is recorded once ({@link Autodiff#hessianAt}) and every
     * application runs one backward pass per chunk. The graphs live as long as the operator.
     */
    public LinearOperator hessian(Tensor theta, Dataset d) {
        Tensor th = theta.detach();
        List<java.util.function.UnaryOperator<Tensor>> parts = new ArrayList<>();
        for (Dataset c : chunks(d)) {
            parts.add(Autodiff.hessianAt(objective(c, d.size()), th));
        }
        return LinearOperator.of(th.size(), v -> {
            Tensor out = null;
            for (java.util.function.UnaryOperator<Tensor> h : parts) {
                Tensor hv = h.apply(v);
                out = out == null ? hv : out.add(hv);
            }
            return out;
        });
    }
}
