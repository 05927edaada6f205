package org.sgdlab.tensor;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Splits index ranges over the cores for large elementwise and row-wise work.
 *
 * <p>Only work whose result does not depend on the split is parallelised (every output element is
 * written by exactly one task, in a fixed order), so results are identical for any thread count.
 * The number of threads is {@code -Dsgdlab.threads=N} (default: available processors).
 */
public final class Parallel {

    /** A body over the half-open index range {@code [lo, hi)}. */
    @FunctionalInterface
    public interface Range {
        void run(int lo, int hi);
    }

    private static final int THREADS = Math.max(1, Integer.getInteger("sgdlab.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

    private Parallel() {
    }

    /** Threads used for parallel work. */
    public static int threads() {
        return THREADS;
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@code threads()} chunks of at least
     * {@code grain} indices; serial when {@code n <= grain}, when single-threaded, or when already
     * inside a parallel section.
     */
    public static void forRange(int n, int grain, Range body) {
        if (n <= 0) {
            return;
        }
        int chunks = (int) Math.min(THREADS, (n + (long) Math.max(1, grain) - 1) / Math.max(1, grain));
        if (chunks <= 1 || POOL == null || ForkJoinTask.inForkJoinPool()) {
            body.run(0, n);
            return;
        }
        POOL.invoke(new Split(body, 0, n, chunks));
    }

    private static final class Split extends RecursiveAction {
        private final Range body;
        private final int lo;
        private final int hi;
        private final int chunks;

        Split(Range body, int lo, int hi, int chunks) {
            this.body = body;
            this.lo = lo;
            this.hi = hi;
            this.chunks = chunks;
        }

        @Override
        protected void compute() {
            if (chunks <= 1) {
                body.run(lo, hi);
                return;
            }
            int leftChunks = chunks / 2;
            int mid = lo + (int) ((long) (hi - lo) * leftChunks / chunks);
            Split left = new Split(body, lo, mid, leftChunks);
            Split right = new Split(body, mid, hi, chunks - leftChunks);
            left.fork();
            right.compute();
            left.join();
        }
    }
}
