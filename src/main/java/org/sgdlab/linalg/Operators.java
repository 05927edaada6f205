package org.sgdlab.linalg;

import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.sgdlab.tensor.Tensor;

/** Implementations behind the {@link LinearOperator} factories, and shared argument checks. */
final class Operators {

    /** Relative asymmetry a "symmetric" dense matrix may have (rounding of an assembled Hessian is ~1e-15). */
    static final double SYMMETRY_TOL = 1e-10;

    private Operators() {
    }

    /** An operator from a function, checking the shape of every input and output. */
    record Checked(String name, int dim, UnaryOperator<Tensor> f) implements LinearOperator {
        @Override
        public Tensor apply(Tensor v) {
            requireVector("LinearOperator(" + name + ").apply", "vector", v, dim);
            Tensor out = f.apply(v);
            if (out == null || out.rank() != 1 || out.dim(0) != dim) {
                throw new IllegalArgumentException("LinearOperator(" + name + ").apply: the operator returned shape "
                        + (out == null ? "null" : Arrays.toString(out.shape())) + ", expected [" + dim + "]");
            }
            return out;
        }
    }

    static void requireVector(String op, String what, Tensor v, int dim) {
        if (v == null) {
            throw new IllegalArgumentException(op + ": " + what + " is null, expected shape [" + dim + "]");
        }
        if (v.rank() != 1 || v.dim(0) != dim) {
            throw new IllegalArgumentException(op + ": " + what + " has shape " + Arrays.toString(v.shape())
                    + ", expected [" + dim + "]");
        }
    }

    static void requireSquare(String op, Tensor a) {
        if (a == null) {
            throw new IllegalArgumentException(op + ": matrix is null");
        }
        if (a.rank() != 2 || a.dim(0) != a.dim(1) || a.dim(0) < 1) {
            throw new IllegalArgumentException(op + ": expected a non-empty square matrix [n, n], got shape "
                    + Arrays.toString(a.shape()));
        }
    }

    /** Square, and {@code max |A_ij - A_ji| <= SYMMETRY_TOL * max |A_ij|} (non-finite entries pass: data). */
    static void requireSymmetric(String op, Tensor a) {
        requireSquare(op, a);
        int n = a.dim(0);
        double scale = 0;
        double worst = 0;
        int wi = 0;
        int wj = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double x = a.flat(i * n + j);
                if (Double.isFinite(x)) {
                    scale = Math.max(scale, Math.abs(x));
                }
                if (j > i) {
                    double d = Math.abs(x - a.flat(j * n + i));
                    if (d > worst) {
                        worst = d;
                        wi = i;
                        wj = j;
                    }
                }
            }
        }
        if (worst > SYMMETRY_TOL * scale) {
            throw new IllegalArgumentException(op + ": matrix is not symmetric: |A[" + wi + "," + wj + "] - A[" + wj
                    + "," + wi + "]| = " + worst + " exceeds " + SYMMETRY_TOL + " * max |A_ij| = "
                    + SYMMETRY_TOL * scale + "; symmetrise it first ((A + A^T)/2)");
        }
    }
}
