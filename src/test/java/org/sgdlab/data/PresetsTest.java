package org.sgdlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Rng;

class PresetsTest {

    /** Per-column mean and population std of a row-major [n, d] array, with plain loops. */
    static double[][] columnStats(double[] v, int n, int d) {
        double[] mean = new double[d];
        double[] std = new double[d];
        for (int j = 0; j < d; j++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += v[i * d + j];
            }
            mean[j] = s / n;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                ss += (v[i * d + j] - mean[j]) * (v[i * d + j] - mean[j]);
            }
            std[j] = Math.sqrt(ss / n);
        }
        return new double[][] {mean, std};
    }

    static void assertStandardised(double[] v, int n, int d) {
        double[][] st = columnStats(v, n, d);
        for (int j = 0; j < d; j++) {
            assertEquals(0.0, st[0][j], 1e-12, "mean of feature " + j);
            if (st[1][j] != 0) {
                assertEquals(1.0, st[1][j], 1e-12, "std of feature " + j);
            }
        }
    }

    @Test
    void digits1000IsTheStandardisedFirstThousandRowsWithOneHotTargets() {
        Presets.Prepared p = Presets.load("digits", Presets.Options.defaults());
        Dataset raw = Digits.load();
        Dataset tr = p.train();
        assertArrayEquals(new int[] {1000, 64}, tr.x().shape());
        assertArrayEquals(new int[] {1000, 10}, tr.y().shape());
        assertArrayEquals(Arrays.copyOf(raw.labels(), 1000), tr.labels());
        double[] z = tr.x().toArray();
        assertStandardised(z, 1000, 64);
        // oracle: the population statistics of the first 1000 raw rows, zero std -> feature maps to 0
        double[] rx = raw.x().toArray();
        double[][] st = columnStats(rx, 1000, 64);
        int constant = 0;
        for (int j = 0; j < 64; j++) {
            double sd = st[1][j] == 0 ? 1 : st[1][j];
            constant += st[1][j] == 0 ? 1 : 0;
            for (int i : new int[] {0, 1, 517, 999}) {
                assertEquals((rx[i * 64 + j] - st[0][j]) / sd, z[i * 64 + j], 1e-12);
            }
            // test rows (1000..1796) use the training statistics
            for (int i : new int[] {0, 796}) {
                assertEquals((rx[(1000 + i) * 64 + j] - st[0][j]) / sd, p.test().x().get(i, j), 1e-12);
            }
        }
        assertTrue(constant > 0, "digits has all-zero pixel columns in the first 1000 rows");
        assertEquals(797, p.test().size());
        for (int i = 0; i < 1000; i++) {
            double rowSum = 0;
            for (int c = 0; c < 10; c++) {
                rowSum += tr.y().get(i, c);
            }
            assertEquals(1.0, rowSum);
            assertEquals(1.0, tr.y().get(i, tr.label(i)));
        }
    }

    @Test
    void syntheticPresetIsTheSection83StandInFromTheDataStream() {
        Presets.Prepared p = Presets.load("synthetic", Presets.Options.defaults().withDataSeed(3));
        Synthetic.Task t = Synthetic.syntheticDigits(1000, 1000, Rng.stream(3, Rng.DATA));
        assertArrayEquals(t.train().x().toArray(), p.train().x().toArray(), 0.0);
        assertArrayEquals(t.test().labels(), p.test().labels());
        assertArrayEquals(new int[] {1000, 64}, p.train().x().shape());
        assertEquals(10, p.train().classes());
        assertNull(p.normalization());
    }

    @Test
    void registryAndOptionsFailLoudly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Presets.load("mnist", Presets.Options.defaults()));
        assertTrue(e.getMessage().contains("unknown data preset 'mnist'; known: digits, fashion-mnist, synthetic"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Presets.Options.defaults().withResolution(7));
        assertTrue(e.getMessage().contains("resolution 7"));
        e = assertThrows(IllegalArgumentException.class,
                () -> Presets.digits(Presets.Options.defaults().withTrainSize(2000)));
        assertTrue(e.getMessage().contains("digits: train_size 2000 exceeds the 1797 rows of the data set (allowed: 1 to"
                + " 1797"), e.getMessage());
    }

    @Test
    void fashionMnist1000PoolsScalesAndStandardises() {
        Assumptions.assumeTrue(LoadersTest.fashionPresent(), "dataset-fashion-mnist is not installed");
        Presets.Prepared p = Presets.load("fashion-mnist", Presets.Options.defaults().withTestSize(200));
        assertArrayEquals(new int[] {1000, 196}, p.train().x().shape());
        assertArrayEquals(new int[] {200, 196}, p.test().x().shape());
        assertArrayEquals(new int[] {1000, 10}, p.train().y().shape());
        assertStandardised(p.train().x().toArray(), 1000, 196);
        // oracle: raw pixels -> /255 -> mean of each 2x2 block -> per-feature population statistics
        double[] raw = FashionMnist.load(true, 1000).x().toArray();
        double[] pooled = pool(raw, 1000);
        double[][] st = columnStats(pooled, 1000, 196);
        double[] z = p.train().x().toArray();
        for (int j = 0; j < 196; j++) {
            double sd = st[1][j] == 0 ? 1 : st[1][j];
            for (int i : new int[] {0, 123, 999}) {
                assertEquals((pooled[i * 196 + j] - st[0][j]) / sd, z[i * 196 + j], 1e-12);
            }
        }
        double[] rawTest = pool(FashionMnist.load(false, 200).x().toArray(), 200);
        for (int j = 0; j < 196; j++) {
            double sd = st[1][j] == 0 ? 1 : st[1][j];
            assertEquals((rawTest[5 * 196 + j] - st[0][j]) / sd, p.test().x().get(5, j), 1e-12);
        }
        assertArrayEquals(Arrays.copyOf(FashionMnist.load(false, 200).labels(), 200), p.test().labels());

        // global normalisation (x/255 - 0.2860)/0.3530, after pooling (pooling is linear)
        Presets.Prepared g = Presets.fashionMnist(Presets.Options.defaults().withGlobalNormalization(true)
                .withTestSize(0));
        for (int k : new int[] {0, 100, 195, 196 * 999 + 77}) {
            assertEquals((pooled[k] - 0.2860) / 0.3530, g.train().x().flat(k), 1e-12);
        }
        assertEquals(0, g.test().size());

        Presets.Prepared full = Presets.fashionMnist(Presets.Options.defaults().withResolution(28).withTrainSize(100)
                .withTestSize(10));
        assertArrayEquals(new int[] {100, 784}, full.train().x().shape());
        assertStandardised(full.train().x().toArray(), 100, 784);
    }

    /** [m, 28, 28] raw bytes as doubles -> [m, 196] 2x2 block means of x/255. */
    static double[] pool(double[] raw, int m) {
        double[] out = new double[m * 196];
        for (int i = 0; i < m; i++) {
            for (int r = 0; r < 14; r++) {
                for (int c = 0; c < 14; c++) {
                    double s = 0;
                    for (int dr = 0; dr < 2; dr++) {
                        for (int dc = 0; dc < 2; dc++) {
                            s += raw[i * 784 + (2 * r + dr) * 28 + 2 * c + dc] / 255.0;
                        }
                    }
                    out[i * 196 + r * 14 + c] = s / 4;
                }
            }
        }
        return out;
    }

    @Test
    void missingFashionDirectoryNamesThePackage() {
        Throwable t = assertThrows(java.io.UncheckedIOException.class, () -> Presets.fashionMnist(
                Presets.Options.defaults().withPath(java.nio.file.Path.of("/nonexistent/fashion"))));
        assertTrue(t.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), t.getMessage());
        assertTrue(t.getMessage().contains("/nonexistent/fashion/train-images-idx3-ubyte.gz"), t.getMessage());
    }
}
