package org.sgdlab.linalg;

import java.util.function.UnaryOperator;
import org.sgdlab.tensor.Tensor;

/**
 * A linear map {@code v -> A v} on rank-1 tensors of length {@link #dim()}; the eigensolvers and trace
 * estimators of this package assume A symmetric (QUANTITIES.md Q5: the Hessian, Gauss-Newton matrix,
 * normalised NTK and gradient-noise covariance are all such operators, so one Lanczos serves them all).
 *
 * <p>Typical use: {@code LinearOperator.of(p, v -> Autodiff.hvp(loss, theta, v))}.
 */
public interface LinearOperator {

    /** The dimension p: {@link #apply} maps {@code [p]} to {@code [p]}. */
    int dim();

    /** {@code A v} for a rank-1 {@code v} of shape {@code [dim()]}; the result has shape {@code [dim()]}. */
    Tensor apply(Tensor v);

    /**
     * The operator {@code v -> f(v)} of dimension {@code dim}; input and output shapes are checked on
     * every application ({@code [dim]}).
     */
    static LinearOperator of(int dim, UnaryOperator<Tensor> f) {
        if (dim < 1) {
            throw new IllegalArgumentException("LinearOperator.of: dim must be >= 1, got " + dim);
        }
        if (f == null) {
            throw new IllegalArgumentException("LinearOperator.of: the function is null");
        }
        return new Operators.Checked("function", dim, f);
    }

    /**
     * The operator {@code v -> A v} of a dense symmetric matrix {@code A [p, p]} (matrix product through
     * BLAS). Rejects a non-square matrix, and one whose asymmetry {@code max |A_ij - A_ji|} exceeds
     * {@code 1e-10 * max |A_ij|} (symmetrise it first: {@code (A + A^T)/2}).
     */
    static LinearOperator symmetric(Tensor a) {
        Operators.requireSymmetric("LinearOperator.symmetric", a);
        Tensor m = a.detach();
        return new Operators.Checked("symmetric", a.dim(0), v -> m.matmul(v));   // [p, p] @ [p] -> [p]
    }

    /** The diagonal operator {@code v -> d * v} (elementwise). */
    static LinearOperator diagonal(double... d) {
        if (d.length < 1) {
            throw new IllegalArgumentException("LinearOperator.diagonal: needs at least one entry");
        }
        Tensor dt = Tensor.vector(d);
        return new Operators.Checked("diagonal", d.length, v -> v.mul(dt));
    }

    /** {@code A + B}; dimensions must agree. */
    default LinearOperator plus(LinearOperator b) {
        if (b.dim() != dim()) {
            throw new IllegalArgumentException("LinearOperator.plus: dimensions differ: " + dim() + " + " + b.dim());
        }
        LinearOperator a = this;
        return new Operators.Checked("sum", dim(), v -> a.apply(v).add(b.apply(v)));
    }

    /** {@code c A}. */
    default LinearOperator scaled(double c) {
        if (!Double.isFinite(c)) {
            throw new IllegalArgumentException("LinearOperator.scaled: factor must be finite, got " + c);
        }
        LinearOperator a = this;
        return new Operators.Checked("scaled", dim(), v -> a.apply(v).mul(c));
    }

    /** {@code A + sigma I}. */
    default LinearOperator shifted(double sigma) {
        if (!Double.isFinite(sigma)) {
            throw new IllegalArgumentException("LinearOperator.shifted: shift must be finite, got " + sigma);
        }
        LinearOperator a = this;
        return new Operators.Checked("shifted", dim(), v -> a.apply(v).addScaled(v, sigma));
    }

    /**
     * The dense matrix {@code [p, p]} whose column j is {@code A e_j}, from p applications (not
     * symmetrised: an operator that is symmetric only up to rounding gives a matrix that is too).
     */
    default Tensor toMatrix() {
        int p = dim();
        double[] m = new double[p * p];
        for (int j = 0; j < p; j++) {
            double[] e = new double[p];
            e[j] = 1;
            Tensor col = apply(Tensor.vector(e));
            for (int i = 0; i < p; i++) {
                m[i * p + j] = col.flat(i);
            }
        }
        return Tensor.of(m, p, p);
    }

    /** A wrapper that counts the applications of this operator and the seconds spent in them. */
    default CountingOperator counting() {
        return new CountingOperator(this);
    }
}
