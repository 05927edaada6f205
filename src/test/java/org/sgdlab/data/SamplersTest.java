package org.sgdlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Rng;

class SamplersTest {

    /** Pearson's statistic Σ (O − E)² / E for equal expectations. */
    static double chiSquare(long[] counts) {
        double total = Arrays.stream(counts).sum();
        double e = total / counts.length;
        double s = 0;
        for (long c : counts) {
            s += (c - e) * (c - e) / e;
        }
        return s;
    }

    /**
     * A loose but meaningful bound for a chi-square with k dof: k + 6 sqrt(2k) (about 6 standard
     * deviations; a biased sampler with these counts exceeds it by orders of magnitude).
     */
    static double bound(int dof) {
        return dof + 6 * Math.sqrt(2.0 * dof);
    }

    @Test
    void epochShuffleVisitsEveryIndexExactlyOncePerEpoch() {
        int n = 100;
        int b = 10;
        BatchSampler s = Samplers.create(Samplers.EPOCH_SHUFFLE, n, b, 42);
        assertEquals(10, s.stepsPerEpoch());
        for (int epoch = 0; epoch < 5; epoch++) {
            int[] seen = new int[n];
            for (int k = 0; k < 10; k++) {
                int[] batch = s.batch(epoch * 10L + k);
                assertEquals(b, batch.length);
                for (int i : batch) {
                    seen[i]++;
                }
            }
            for (int c : seen) {
                assertEquals(1, c);
            }
        }
        // different epochs use different permutations
        assertFalse(Arrays.equals(s.batch(0), s.batch(10)));
    }

    @Test
    void epochShuffleDropLastGivesFloorStepsAndOtherwiseAShortLastBatch() {
        BatchSampler drop = Samplers.create(Samplers.EPOCH_SHUFFLE, 1000, 32, 0);
        assertEquals(31, drop.stepsPerEpoch()); // floor(1000 / 32), STUDIES.md §2.1
        int[] seen = new int[1000];
        for (int k = 0; k < 31; k++) {
            for (int i : drop.batch(k)) {
                seen[i]++;
            }
        }
        assertEquals(992, Arrays.stream(seen).filter(c -> c == 1).count());
        assertEquals(8, Arrays.stream(seen).filter(c -> c == 0).count());
        BatchSampler keep = Samplers.create(Samplers.EPOCH_SHUFFLE, 1000, 32, false, 0, Rng.BATCHES);
        assertEquals(32, keep.stepsPerEpoch());
        assertEquals(8, keep.batch(31).length);
        assertEquals(32, keep.batch(32).length);
        int[] all = new int[1000];
        for (int k = 0; k < 32; k++) {
            for (int i : keep.batch(k)) {
                all[i]++;
            }
        }
        assertTrue(Arrays.stream(all).allMatch(c -> c == 1));
    }

    @Test
    void epochShuffleIsUniformOverBatchSlotsAndPairs() {
        // n = 10, b = 2: 5 slots per epoch. Over 20000 epochs index 3's slot is uniform on 5 slots,
        // and two given indices share a batch with probability (b - 1)/(n - 1) = 1/9.
        BatchSampler s = Samplers.create(Samplers.EPOCH_SHUFFLE, 10, 2, 7);
        long[] slot = new long[5];
        long together = 0;
        int epochs = 20000;
        for (int e = 0; e < epochs; e++) {
            for (int k = 0; k < 5; k++) {
                int[] batch = s.batch(e * 5L + k);
                boolean has3 = batch[0] == 3 || batch[1] == 3;
                boolean has8 = batch[0] == 8 || batch[1] == 8;
                if (has3) {
                    slot[k]++;
                }
                if (has3 && has8) {
                    together++;
                }
            }
        }
        assertTrue(chiSquare(slot) < bound(4), Arrays.toString(slot));
        double p = together / (double) epochs; // sd = sqrt(p(1-p)/20000) ~ 0.0022
        assertEquals(1.0 / 9, p, 0.012);
    }

    @Test
    void iidWithReplacementIsUniformAndRepeatsIndices() {
        int n = 20;
        BatchSampler s = Samplers.create(Samplers.IID_WITH_REPLACEMENT, n, 5, 3);
        long[] counts = new long[n];
        long repeats = 0;
        int steps = 20000;
        for (int t = 0; t < steps; t++) {
            int[] batch = s.batch(t);
            assertEquals(5, batch.length);
            for (int i : batch) {
                counts[i]++;
            }
            if (Arrays.stream(batch).distinct().count() < 5) {
                repeats++;
            }
        }
        assertTrue(chiSquare(counts) < bound(n - 1), Arrays.toString(counts));
        // P(some repeat in 5 draws from 20) = 1 - (20·19·18·17·16)/20^5 = 0.4186
        assertEquals(0.4186, repeats / (double) steps, 0.02);
    }

    @Test
    void independentWithoutReplacementHasDistinctUniformIndicesIndependentAcrossSteps() {
        int n = 12;
        int b = 4;
        BatchSampler s = Samplers.create(Samplers.INDEPENDENT_WITHOUT_REPLACEMENT, n, b, 5);
        long[] counts = new long[n];
        long pair = 0;
        long overlapTotal = 0;
        int steps = 20000;
        int[] prev = null;
        for (int t = 0; t < steps; t++) {
            int[] batch = s.batch(t);
            assertEquals(b, Arrays.stream(batch).distinct().count());
            for (int i : batch) {
                counts[i]++;
            }
            List<Integer> l = new ArrayList<>();
            Arrays.stream(batch).forEach(l::add);
            if (l.contains(0) && l.contains(1)) {
                pair++;
            }
            if (prev != null) {
                for (int i : batch) {
                    for (int j : prev) {
                        overlapTotal += i == j ? 1 : 0;
                    }
                }
            }
            prev = batch;
        }
        assertTrue(chiSquare(counts) < bound(n - 1), Arrays.toString(counts));
        // P(0 and 1 both in a batch) = b(b-1)/(n(n-1)) = 12/132 = 1/11
        assertEquals(1.0 / 11, pair / (double) steps, 0.01);
        // consecutive batches are independent: E|B_t ∩ B_{t+1}| = b²/n = 4/3
        assertEquals(4.0 / 3, overlapTotal / (double) (steps - 1), 0.05);
    }

    @Test
    void fullBatchIsEveryIndex() {
        BatchSampler s = Samplers.create(Samplers.FULL_BATCH, 6, 6, 0);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, s.batch(123));
        assertEquals(1, s.stepsPerEpoch());
        assertThrows(IllegalArgumentException.class, () -> Samplers.create(Samplers.FULL_BATCH, 6, 3, 0));
    }

    @Test
    void everySamplerIsReproducibleFromItsSeedAndResumesExactly() {
        for (String name : List.of(Samplers.EPOCH_SHUFFLE, Samplers.IID_WITH_REPLACEMENT,
                Samplers.INDEPENDENT_WITHOUT_REPLACEMENT)) {
            BatchSampler a = Samplers.create(name, 50, 8, 11);
            List<int[]> uninterrupted = new ArrayList<>();
            for (int t = 0; t < 60; t++) {
                uninterrupted.add(a.batch(t));
            }
            // a "restart from a checkpoint at step 23": a fresh sampler built from the spec
            for (int t0 : new int[] {0, 5, 6, 23, 59}) {
                BatchSampler resumed = Samplers.create(name, 50, 8, 11);
                for (int t = t0; t < 60; t++) {
                    assertArrayEquals(uninterrupted.get(t), resumed.batch(t), name + " step " + t + " after resume at "
                            + t0);
                }
            }
            // random access in any order gives the same batches
            for (int t = 59; t >= 0; t -= 7) {
                assertArrayEquals(uninterrupted.get(t), a.batch(t));
            }
            // another seed or another stream gives other batches
            assertFalse(Arrays.equals(uninterrupted.get(0), Samplers.create(name, 50, 8, 12).batch(0)), name);
            assertFalse(Arrays.equals(uninterrupted.get(0),
                    Samplers.create(name, 50, 8, true, 11, Rng.BISECTION).batch(0)), name);
        }
    }

    @Test
    void registryFailsLoudlyWithValidNames() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Samplers.create("shuffle", 10, 2, 0));
        assertTrue(e.getMessage().contains("unknown sampler 'shuffle'"), e.getMessage());
        for (String n : Samplers.NAMES) {
            assertTrue(e.getMessage().contains(n));
        }
        assertThrows(IllegalArgumentException.class, () -> Samplers.create(Samplers.EPOCH_SHUFFLE, 10, 11, 0));
        assertThrows(IllegalArgumentException.class, () -> Samplers.create(Samplers.EPOCH_SHUFFLE, 10, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Samplers.create(Samplers.EPOCH_SHUFFLE, 10, 2, 0)
                .batch(-1));
    }
}
