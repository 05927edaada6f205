package org.sgdlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

class DatasetTest {

    /** n rows, x_ij = 100 i + j (so a row identifies its index), label i mod k. */
    static Dataset indexed(int n, int d, int k) {
        double[] x = new double[n * d];
        int[] lab = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i * d + j] = 100 * i + j;
            }
            lab[i] = i % k;
        }
        return Dataset.classification("idx", Tensor.of(x, n, d), lab, k);
    }

    static int rowIndex(Dataset d, int r) {
        return (int) (d.x().get(r, 0) / 100);
    }

    @Test
    void classificationHasOneHotTargetsAndValidatesLabels() {
        Dataset d = Dataset.classification("t", Tensor.zeros(3, 2), new int[] {2, 0, 1}, 3);
        assertArrayEquals(new double[] {0, 0, 1, 1, 0, 0, 0, 1, 0}, d.y().toArray(), 0.0);
        assertEquals(3, d.size());
        assertEquals(2, d.inputDim());
        assertEquals(3, d.outputDim());
        assertArrayEquals(new int[] {1, 1, 1}, d.classCounts());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset("t", Tensor.zeros(2, 2), Tensor.zeros(2, 3), new int[] {0, 3}, 3));
        assertTrue(e.getMessage().contains("label 3") && e.getMessage().contains("[0, 3)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset("t", Tensor.zeros(2, 2), Tensor.zeros(3, 1), null, 0));
        assertTrue(e.getMessage().contains("x has 2 rows but y has 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dataset("t", Tensor.zeros(2), Tensor.zeros(2), null, 0));
        Dataset r = Dataset.regression("r", Tensor.zeros(4, 1), Tensor.vector(1, 2, 3, 4));
        assertArrayEquals(new int[] {4, 1}, r.y().shape());
        assertNull(r.labels());
        assertThrows(IllegalArgumentException.class, r::classCounts);
    }

    @Test
    void labelsAreCopiedInAndOut() {
        int[] lab = {0, 1};
        Dataset d = Dataset.classification("t", Tensor.zeros(2, 1), lab, 2);
        lab[0] = 1;
        assertEquals(0, d.label(0));
        d.labels()[0] = 1;
        assertEquals(0, d.label(0));
    }

    @Test
    void batchSelectsRowsOfXYAndLabelsInOrder() {
        Dataset d = indexed(10, 3, 4);
        int[] idx = {7, 2, 2, 9};
        Dataset b = d.batch(idx);
        assertEquals(4, b.size());
        for (int r = 0; r < idx.length; r++) {
            assertEquals(idx[r], rowIndex(b, r));
            assertEquals(idx[r] % 4, b.label(r));
            for (int c = 0; c < 4; c++) {
                assertEquals(c == idx[r] % 4 ? 1.0 : 0.0, b.y().get(r, c));
            }
            assertEquals(100.0 * idx[r] + 2, b.x().get(r, 2));
        }
        assertThrows(IllegalArgumentException.class, () -> d.batch(new int[] {10}));
        Dataset f = d.first(3);
        assertEquals(3, f.size());
        assertEquals(2, rowIndex(f, 2));
        assertThrows(IllegalArgumentException.class, () -> d.first(11));
    }

    @Test
    void randomSubsetIsDistinctSortedReproducibleAndUniform() {
        Dataset d = indexed(20, 1, 2);
        Dataset s = d.randomSubset(5, new SplittableRandom(1));
        int[] rows = new int[5];
        for (int r = 0; r < 5; r++) {
            rows[r] = rowIndex(s, r);
        }
        int[] sorted = rows.clone();
        Arrays.sort(sorted);
        assertArrayEquals(sorted, rows);
        assertEquals(5, Arrays.stream(rows).distinct().count());
        Dataset again = d.randomSubset(5, new SplittableRandom(1));
        assertArrayEquals(s.x().toArray(), again.x().toArray(), 0.0);
        // inclusion frequency of every row is m/n = 1/4; 8000 draws: expected 2000, sd ~ 39
        int[] count = new int[20];
        SplittableRandom rng = new SplittableRandom(2);
        for (int t = 0; t < 8000; t++) {
            Dataset sub = d.randomSubset(5, rng);
            for (int r = 0; r < 5; r++) {
                count[rowIndex(sub, r)]++;
            }
        }
        for (int c : count) {
            assertTrue(Math.abs(c - 2000) < 250, Arrays.toString(count));
        }
    }

    @Test
    void splitPartitionsTheRows() {
        Dataset d = indexed(30, 2, 3);
        Dataset.Split s = d.split(21, new SplittableRandom(5));
        assertEquals(21, s.train().size());
        assertEquals(9, s.test().size());
        Set<Integer> seen = new HashSet<>();
        for (Dataset part : new Dataset[] {s.train(), s.test()}) {
            for (int r = 0; r < part.size(); r++) {
                assertTrue(seen.add(rowIndex(part, r)));
                assertEquals(rowIndex(part, r) % 3, part.label(r));
            }
        }
        assertEquals(30, seen.size());
        Dataset.Split f = d.splitFirst(10);
        assertEquals(9, rowIndex(f.train(), 9));
        assertEquals(10, rowIndex(f.test(), 0));
        assertEquals(20, f.test().size());
    }

    @Test
    void labelNoiseReplacesExactlyRoundQnLabelsByUniformClasses() {
        int n = 1000;
        int k = 10;
        Dataset d = indexed(n, 1, k);
        for (double q : new double[] {0.0, 0.2, 0.5, 0.0005, 1.0}) {
            Dataset.LabelNoise ln = d.withLabelNoise(q, new SplittableRandom(7));
            int m = (int) Math.round(q * n);
            assertEquals(m, ln.replaced().length, "q = " + q);
            assertEquals(m, Arrays.stream(ln.replaced()).distinct().count());
            Set<Integer> rep = new HashSet<>();
            Arrays.stream(ln.replaced()).forEach(rep::add);
            int changed = 0;
            for (int i = 0; i < n; i++) {
                int now = ln.data().label(i);
                if (now != d.label(i)) {
                    changed++;
                    assertTrue(rep.contains(i), "row " + i + " changed but was not replaced");
                }
                assertEquals(1.0, ln.data().y().get(i, now)); // targets are one-hot of the new labels
                assertEquals(1.0, Arrays.stream(ln.data().y().slice(0, i, i + 1).toArray()).sum());
            }
            assertEquals(changed, ln.changed());
            assertArrayEquals(d.x().toArray(), ln.data().x().toArray(), 0.0);
        }
        // a replacement keeps the old class with probability 1/k: over many seeds the changed
        // fraction of the replaced labels is 1 - 1/k = 0.9 (200 seeds x 200 replacements: sd 0.0015)
        // and the new classes are uniform over all k classes
        long changed = 0;
        long replaced = 0;
        long[] newClass = new long[k];
        for (int seed = 0; seed < 200; seed++) {
            Dataset.LabelNoise ln = d.withLabelNoise(0.2, new SplittableRandom(seed));
            changed += ln.changed();
            replaced += ln.replaced().length;
            for (int r : ln.replaced()) {
                newClass[ln.data().label(r)]++;
            }
        }
        assertEquals(0.9, (double) changed / replaced, 0.01);
        for (long c : newClass) { // expected 4000 each, sd ~ 60
            assertTrue(Math.abs(c - 4000) < 400, Arrays.toString(newClass));
        }
        assertThrows(IllegalArgumentException.class, () -> d.withLabelNoise(1.5, new SplittableRandom(0)));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression("r", Tensor.zeros(2, 1), Tensor.zeros(2)).withLabelNoise(0.1,
                        new SplittableRandom(0)));
    }

    @Test
    void labelNoiseIsReproducibleFromTheSeedAndDiffersAcrossSeeds() {
        Dataset d = indexed(100, 1, 10);
        assertArrayEquals(d.withLabelNoise(0.5, new SplittableRandom(3)).data().labels(),
                d.withLabelNoise(0.5, new SplittableRandom(3)).data().labels());
        assertNotEquals(Arrays.toString(d.withLabelNoise(0.5, new SplittableRandom(3)).data().labels()),
                Arrays.toString(d.withLabelNoise(0.5, new SplittableRandom(4)).data().labels()));
    }

    @Test
    void standardizationGivesMeanZeroStdOneOnFittingRowsAndMapsConstantsToZero() {
        SplittableRandom rng = new SplittableRandom(9);
        int n = 50;
        int d = 4;
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++) {
            x[i * d] = 3 + 2 * rng.nextGaussian();
            x[i * d + 1] = 0.1; // constant column, not exactly representable mean sum
            x[i * d + 2] = rng.nextDouble() * 1e6;
            x[i * d + 3] = i % 2 == 0 ? -1 : 5;
        }
        Tensor xt = Tensor.of(x, n, d);
        Standardization s = Standardization.fit(xt);
        double[] z = s.apply(xt).toArray();
        for (int j = 0; j < d; j++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += z[i * d + j];
            }
            mean /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                var += (z[i * d + j] - mean) * (z[i * d + j] - mean);
            }
            double std = Math.sqrt(var / n);
            if (j == 1) {
                for (int i = 0; i < n; i++) {
                    assertEquals(0.0, z[i * d + j], 0.0);
                }
                assertEquals(1.0, s.std().flat(1), 0.0);
            } else {
                assertEquals(0.0, mean, 1e-12, "column " + j);
                assertEquals(1.0, std, 1e-12, "column " + j);
            }
        }
        // column 3 is +-3 around 2: population std exactly 3
        assertEquals(2.0, s.mean().flat(3), 1e-15);
        assertEquals(3.0, s.std().flat(3), 1e-15);
        // a test set is transformed with the training statistics, not its own
        Tensor test = Tensor.of(new double[] {3, 0.1, 0, 2}, 1, 4);
        double[] zt = s.apply(test).toArray();
        assertEquals((3 - s.mean().flat(0)) / s.std().flat(0), zt[0], 1e-15);
        assertEquals(0.0, zt[3], 0.0);
        assertThrows(IllegalArgumentException.class, () -> s.apply(Tensor.zeros(2, 3)));
    }

    @Test
    void standardizationWorksOnImageShapedInputs() {
        Tensor x = Tensor.randn(new SplittableRandom(1), 6, 1, 2, 2);
        Standardization s = Standardization.fit(x);
        assertArrayEquals(new int[] {1, 2, 2}, s.mean().shape());
        Tensor z = s.apply(x);
        double[] m = z.mean(0).toArray();
        for (double v : m) {
            assertEquals(0.0, v, 1e-14);
        }
    }
}
