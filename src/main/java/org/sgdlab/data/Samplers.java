package org.sgdlab.data;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.sgdlab.tensor.Rng;

/**
 * The batch samplers of QUANTITIES.md Q3.2, by name.
 *
 * <table>
 * <caption>samplers</caption>
 * <tr><th>name</th><th>batch of step t</th><th>random stream</th></tr>
 * <tr><td>{@code epoch-shuffle} (default)</td><td>epoch e = ⌊t/s⌋ (s = steps per epoch) draws a uniform
 * permutation of {0..n-1}; step t takes its slice [(t mod s)·b, (t mod s)·b + b); drop-last (default
 * true) gives s = ⌊n/b⌋, otherwise s = ⌈n/b⌉ and the last slice is shorter</td>
 * <td>{@code Rng.stream(seed, path..., "epoch", e)}</td></tr>
 * <tr><td>{@code iid-with-replacement}</td><td>b indices i.i.d. uniform on {0..n-1}
 * ({@code nextInt(n)} each)</td><td>{@code Rng.stream(seed, path..., "step", t)}</td></tr>
 * <tr><td>{@code independent-without-replacement}</td><td>b distinct indices, uniform, independent of
 * other steps (partial Fisher-Yates, {@code nextInt(n - i)} for i = 0..b-1)</td>
 * <td>{@code Rng.stream(seed, path..., "step", t)}</td></tr>
 * <tr><td>{@code full-batch}</td><td>0..n-1 (GD)</td><td>none</td></tr>
 * </table>
 *
 * <p>Every batch is a pure function of (seed, stream path, step): the generator of an epoch or a
 * step is derived by hashing, not advanced from the previous one, so a run resumed at step t sees
 * the same batches as an uninterrupted one and no sampler state goes into a checkpoint. The stream
 * path defaults to {@code "batches"} (Q3.2: batches come from the batches stream only); η_crit
 * probes use {@code "bisection"} (Q17).
 */
public final class Samplers {

    public static final String EPOCH_SHUFFLE = "epoch-shuffle";
    public static final String IID_WITH_REPLACEMENT = "iid-with-replacement";
    public static final String INDEPENDENT_WITHOUT_REPLACEMENT = "independent-without-replacement";
    public static final String FULL_BATCH = "full-batch";

    /** Every sampler name, in the order of Q3.2. */
    public static final List<String> NAMES = List.of(EPOCH_SHUFFLE, IID_WITH_REPLACEMENT,
            INDEPENDENT_WITHOUT_REPLACEMENT, FULL_BATCH);

    private Samplers() {
    }

    /** The sampler {@code name} on the {@code batches} stream of {@code seed}, with drop-last. */
    public static BatchSampler create(String name, int n, int batchSize, long seed) {
        return create(name, n, batchSize, true, seed, Rng.BATCHES);
    }

    /**
     * The sampler {@code name} over n examples with batch size b, drawing from
     * {@code Rng.stream(seed, streamPath..., ...)}; {@code dropLast} matters for epoch-shuffle only.
     * For {@code full-batch} the batch size must be n.
     */
    public static BatchSampler create(String name, int n, int batchSize, boolean dropLast, long seed,
            Object... streamPath) {
        if (n < 1) {
            throw new IllegalArgumentException("sampler '" + name + "': n = " + n + " must be >= 1");
        }
        if (batchSize < 1 || batchSize > n) {
            throw new IllegalArgumentException("sampler '" + name + "': batch size " + batchSize + " must be in [1, n = "
                    + n + "]");
        }
        Object[] path = streamPath.length == 0 ? new Object[] {Rng.BATCHES} : streamPath.clone();
        return switch (String.valueOf(name)) {
            case EPOCH_SHUFFLE -> new EpochShuffle(n, batchSize, dropLast, seed, path);
            case IID_WITH_REPLACEMENT -> new PerStep(IID_WITH_REPLACEMENT, n, batchSize, seed, path);
            case INDEPENDENT_WITHOUT_REPLACEMENT -> new PerStep(INDEPENDENT_WITHOUT_REPLACEMENT, n, batchSize, seed,
                    path);
            case FULL_BATCH -> {
                if (batchSize != n) {
                    throw new IllegalArgumentException("sampler 'full-batch': batch size " + batchSize
                            + " must equal n = " + n);
                }
                yield new FullBatch(n);
            }
            default -> throw new IllegalArgumentException("unknown sampler '" + name + "'; known: "
                    + String.join(", ", NAMES));
        };
    }

    private static void checkStep(long step) {
        if (step < 0) {
            throw new IllegalArgumentException("sampler: step must be >= 0, got " + step);
        }
    }

    private static Object[] append(Object[] path, Object a, Object b) {
        Object[] p = Arrays.copyOf(path, path.length + 2);
        p[path.length] = a;
        p[path.length + 1] = b;
        return p;
    }

    /** epoch-shuffle; caches the permutation of the latest epoch (a pure function of the epoch). */
    private static final class EpochShuffle implements BatchSampler {
        private final int n;
        private final int b;
        private final boolean dropLast;
        private final long seed;
        private final Object[] path;
        private final long steps;
        private volatile Perm cached;

        private record Perm(long epoch, int[] perm) {
        }

        EpochShuffle(int n, int b, boolean dropLast, long seed, Object[] path) {
            this.n = n;
            this.b = b;
            this.dropLast = dropLast;
            this.seed = seed;
            this.path = path;
            this.steps = dropLast ? n / b : (n + b - 1) / b;
        }

        @Override
        public String name() {
            return EPOCH_SHUFFLE;
        }

        @Override
        public int size() {
            return n;
        }

        @Override
        public int batchSize() {
            return b;
        }

        @Override
        public long stepsPerEpoch() {
            return steps;
        }

        @Override
        public int[] batch(long step) {
            checkStep(step);
            long epoch = step / steps;
            Perm p = cached;
            if (p == null || p.epoch != epoch) {
                p = new Perm(epoch, Draws.sample(n, n, Rng.stream(seed, append(path, "epoch", epoch))));
                cached = p;
            }
            int start = (int) (step % steps) * b;
            return Arrays.copyOfRange(p.perm, start, Math.min(start + b, n));
        }

        @Override
        public String toString() {
            return EPOCH_SHUFFLE + "(n=" + n + ", b=" + b + ", drop_last=" + dropLast + ")";
        }
    }

    /** The two samplers that draw each step independently. */
    private record PerStep(String name, int size, int batchSize, long seed, Object[] path) implements BatchSampler {

        @Override
        public long stepsPerEpoch() {
            return (size + batchSize - 1) / batchSize;
        }

        @Override
        public int[] batch(long step) {
            checkStep(step);
            SplittableRandom rng = Rng.stream(seed, append(path, "step", step));
            if (name.equals(IID_WITH_REPLACEMENT)) {
                int[] out = new int[batchSize];
                for (int i = 0; i < batchSize; i++) {
                    out[i] = rng.nextInt(size);
                }
                return out;
            }
            return Draws.sample(size, batchSize, rng);
        }

        @Override
        public String toString() {
            return name + "(n=" + size + ", b=" + batchSize + ")";
        }
    }

    private record FullBatch(int size) implements BatchSampler {

        @Override
        public String name() {
            return FULL_BATCH;
        }

        @Override
        public int batchSize() {
            return size;
        }

        @Override
        public long stepsPerEpoch() {
            return 1;
        }

        @Override
        public int[] batch(long step) {
            checkStep(step);
            int[] out = new int[size];
            Arrays.setAll(out, i -> i);
            return out;
        }
    }
}
