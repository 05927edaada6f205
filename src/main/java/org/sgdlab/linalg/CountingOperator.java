package org.sgdlab.linalg;

import org.sgdlab.tensor.Tensor;

/**
 * A {@link LinearOperator} that forwards to another and records how many times it was applied and the
 * wall-clock seconds spent inside those applications. Not thread-safe (one solver applies it at a time).
 */
public final class CountingOperator implements LinearOperator {

    private final LinearOperator inner;
    private long applications;
    private long nanos;

    CountingOperator(LinearOperator inner) {
        if (inner == null) {
            throw new IllegalArgumentException("CountingOperator: the operator is null");
        }
        this.inner = inner;
    }

    @Override
    public int dim() {
        return inner.dim();
    }

    @Override
    public Tensor apply(Tensor v) {
        long t0 = System.nanoTime();
        try {
            return inner.apply(v);
        } finally {
            nanos += System.nanoTime() - t0;
            applications++;
        }
    }

    /** Number of calls to {@link #apply} so far. */
    public long applications() {
        return applications;
    }

    /** Wall-clock seconds spent in {@link #apply} so far. */
    public double seconds() {
        return nanos * 1e-9;
    }
}
