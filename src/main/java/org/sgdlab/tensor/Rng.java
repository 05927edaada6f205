package org.sgdlab.tensor;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Named random streams derived from one run seed.
 *
 * <p>{@code stream(seed, "init")}, {@code stream(seed, "batches")}, {@code stream(seed, "probes",
 * "batch_sharpness", 1200)} ... each give an independent, reproducible generator: the stream's seed
 * is a hash of the run seed and the path components. Adding a consumer of one stream therefore
 * never changes the numbers another stream produces (a new diagnostic cannot change the training
 * trajectory). The generator is {@link SplittableRandom} (SplitMix64), whose output for a given
 * seed is fixed across JDK releases.
 */
public final class Rng {

    /** Stream names used by sgdlab (QUANTITIES.md Q0): init, data, batches, lanczos, probes, bisection. */
    public static final String INIT = "init";
    public static final String DATA = "data";
    public static final String BATCHES = "batches";
    public static final String LANCZOS = "lanczos";
    public static final String PROBES = "probes";
    public static final String BISECTION = "bisection";

    private Rng() {
    }

    /** The generator of stream {@code path} under {@code seed}. */
    public static SplittableRandom stream(long seed, Object... path) {
        return new SplittableRandom(streamSeed(seed, path));
    }

    /** The 64-bit seed of a stream: SplitMix64 finaliser over the seed and FNV-1a of each component. */
    public static long streamSeed(long seed, Object... path) {
        long h = mix(seed ^ 0x6A09E667F3BCC909L);
        for (Object p : path) {
            long f = 0xcbf29ce484222325L;
            for (byte b : String.valueOf(p).getBytes(StandardCharsets.UTF_8)) {
                f ^= (b & 0xff);
                f *= 0x100000001b3L;
            }
            h = mix(h ^ f);
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
