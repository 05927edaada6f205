package org.sgdlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Tensor;

/** Loaders on files the tests write byte by byte, corrupt variants, the bundled digits and Fashion-MNIST. */
class LoadersTest {

    @TempDir
    Path dir;

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write(b);
        }
        return bo.toByteArray();
    }

    Path write(String name, byte[] b) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, b);
        return p;
    }

    static void assertFails(Class<? extends Throwable> type, Executable e, String... fragments) {
        Throwable t = assertThrows(type, e);
        for (String f : fragments) {
            assertTrue(t.getMessage().contains(f), "'" + f + "' in: " + t.getMessage());
        }
    }

    // ------------------------------------------------------------------ IDX

    /** An IDX file: 00 00 08 rank, big-endian counts, then the bytes. */
    static byte[] idx(int[] dims, byte[] data) {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        bo.write(0);
        bo.write(0);
        bo.write(8);
        bo.write(dims.length);
        for (int d : dims) {
            bo.write(d >>> 24);
            bo.write(d >>> 16 & 0xff);
            bo.write(d >>> 8 & 0xff);
            bo.write(d & 0xff);
        }
        bo.writeBytes(data);
        return bo.toByteArray();
    }

    /** Three 2x3 images with pixel (i, r, c) = 10 i + 3 r + c + 200 i (mod 256) and labels 2, 0, 9. */
    static byte[] pixels() {
        byte[] px = new byte[18];
        for (int i = 0; i < 3; i++) {
            for (int k = 0; k < 6; k++) {
                px[i * 6 + k] = (byte) (10 * i + k + 200 * i);
            }
        }
        return px;
    }

    @Test
    void idxRoundTripsRawAndGzipped() throws IOException {
        byte[] im = idx(new int[] {3, 2, 3}, pixels());
        byte[] lb = idx(new int[] {3}, new byte[] {2, 0, 9});
        for (boolean gz : new boolean[] {false, true}) {
            Path ip = write("im" + gz, gz ? gzip(im) : im);
            Path lp = write("lb" + gz, gz ? gzip(lb) : lb);
            Dataset d = Idx.load("t", ip, lp, -1, 10);
            assertArrayEquals(new int[] {3, 1, 2, 3}, d.x().shape());
            assertArrayEquals(new int[] {2, 0, 9}, d.labels());
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 6; k++) {
                    assertEquals((10 * i + k + 200 * i) % 256, d.x().get(i, 0, k / 3, k % 3), 0.0);
                }
            }
            assertEquals(1.0, d.y().get(2, 9));
            Dataset two = Idx.load("t", ip, lp, 2, 10);
            assertEquals(2, two.size());
            Idx.Array a = Idx.read(lp);
            assertArrayEquals(new int[] {3}, a.dims());
            assertEquals(9, a.get(2));
        }
    }

    @Test
    void corruptOrTruncatedIdxFailsClearly() throws IOException {
        byte[] im = idx(new int[] {3, 2, 3}, pixels());
        byte[] lb = idx(new int[] {3}, new byte[] {2, 0, 9});
        Path lp = write("lb", lb);
        Path trunc = write("trunc", Arrays.copyOf(im, im.length - 1));
        assertFails(IllegalArgumentException.class, () -> Idx.load("t", trunc, lp, -1, 10), "trunc",
                "truncated: dimensions [3, 2, 3] need 18 bytes of data, found 17");
        Path longer = write("longer", Arrays.copyOf(im, im.length + 2));
        assertFails(IllegalArgumentException.class, () -> Idx.read(longer), "corrupt", "found 20");
        byte[] badMagic = im.clone();
        badMagic[0] = 1;
        Path bm = write("bm", badMagic);
        assertFails(IllegalArgumentException.class, () -> Idx.read(bm), "bad magic 0x01000803");
        byte[] floats = im.clone();
        floats[2] = 0x0D;
        Path fl = write("fl", floats);
        assertFails(IllegalArgumentException.class, () -> Idx.read(fl), "unsupported element type 0x0D");
        Path hdr = write("hdr", Arrays.copyOf(im, 9));
        assertFails(IllegalArgumentException.class, () -> Idx.read(hdr), "truncated header");
        byte[] gz = gzip(im);
        Path tgz = write("tgz", Arrays.copyOf(gz, gz.length / 2));
        assertFails(IllegalArgumentException.class, () -> Idx.read(tgz), "tgz", "truncated or corrupt gzip");
        Path ip = write("im", im);
        assertFails(IllegalArgumentException.class, () -> Idx.load("t", lp, ip, -1, 10), "magic 0x00000801",
                "expected 0x00000803");
        Path lb2 = write("lb2", idx(new int[] {2}, new byte[] {1, 1}));
        assertFails(IllegalArgumentException.class, () -> Idx.load("t", ip, lb2, -1, 10), "3 images", "2 labels");
        Path lb11 = write("lb11", idx(new int[] {3}, new byte[] {1, 11, 1}));
        assertFails(IllegalArgumentException.class, () -> Idx.load("t", ip, lb11, -1, 10), "label 11");
        assertFails(IllegalArgumentException.class, () -> Idx.load("t", ip, lp, 4, 10), "limit 4");
        assertFails(UncheckedIOException.class, () -> Idx.read(dir.resolve("none")), "file not found", "none");
    }

    // ------------------------------------------------------------------ CIFAR-10

    @Test
    void cifarRecordsRoundTripAndBadLengthsFail() throws IOException {
        byte[] rec = new byte[2 * Cifar10.RECORD];
        for (int r = 0; r < 2; r++) {
            rec[r * Cifar10.RECORD] = (byte) (r == 0 ? 6 : 3);
            for (int k = 0; k < Cifar10.PIXELS; k++) {
                rec[r * Cifar10.RECORD + 1 + k] = (byte) (k * 7 + r);
            }
        }
        Path a = write("a.bin", rec);
        Path b = write("b.bin.gz", gzip(Arrays.copyOf(rec, Cifar10.RECORD)));
        Dataset d = Cifar10.load("c", List.of(a, b), -1);
        assertArrayEquals(new int[] {3, 3, 32, 32}, d.x().shape());
        assertArrayEquals(new int[] {6, 3, 6}, d.labels());
        // channel c, row y, column x of record r is byte 1 + 1024 c + 32 y + x
        for (int[] p : new int[][] {{0, 0, 0, 0}, {1, 2, 31, 31}, {0, 1, 5, 17}, {2, 0, 3, 4}}) {
            int r = p[0] % 2;
            int k = 1024 * p[1] + 32 * p[2] + p[3];
            assertEquals((k * 7 + r) & 0xff, d.x().get(p[0], p[1], p[2], p[3]), 0.0);
        }
        assertEquals(2, Cifar10.load("c", List.of(a, b), 2).size());
        Path cut = write("cut.bin", Arrays.copyOf(rec, rec.length - 5));
        assertFails(IllegalArgumentException.class, () -> Cifar10.load("c", List.of(cut), -1), "cut.bin",
                "not a multiple of the 3073-byte record");
        byte[] bad = rec.clone();
        bad[Cifar10.RECORD] = 10;
        Path bl = write("bl.bin", bad);
        assertFails(IllegalArgumentException.class, () -> Cifar10.load("c", List.of(bl), -1), "record 1", "label 10");
        assertFails(UncheckedIOException.class, () -> Cifar10.loadDir(dir, true, 5), "data_batch_1.bin");
    }

    // ------------------------------------------------------------------ CSV

    @Test
    void csvWithAndWithoutHeaderPlainAndGzipped() throws IOException {
        String body = "1,2.5,0\n-3,4e-1,2\n\n5,6,1\n";
        Path plain = write("a.csv", body.getBytes(StandardCharsets.US_ASCII));
        Dataset d = Csv.load("c", plain, Csv.Options.defaults());
        assertArrayEquals(new int[] {3, 2}, d.x().shape());
        assertArrayEquals(new double[] {1, 2.5, -3, 0.4, 5, 6}, d.x().toArray(), 0.0);
        assertArrayEquals(new int[] {0, 2, 1}, d.labels());
        assertEquals(3, d.classes());
        Path headed = write("h.csv.gz", gzip(("a,b,label\r\n" + body.replace("\n", "\r\n"))
                .getBytes(StandardCharsets.US_ASCII)));
        Dataset h = Csv.load("c", headed, Csv.Options.defaults().withHeader(true).withClasses(5));
        assertArrayEquals(d.x().toArray(), h.x().toArray(), 0.0);
        assertEquals(5, h.classes());
        // label in the first column, semicolons
        Path first = write("f.csv", "1;7;8\n0;9;10\n".getBytes(StandardCharsets.US_ASCII));
        Dataset f = Csv.load("c", first, Csv.Options.defaults().withLabelColumn(0).withDelimiter(';'));
        assertArrayEquals(new double[] {7, 8, 9, 10}, f.x().toArray(), 0.0);
        assertArrayEquals(new int[] {1, 0}, f.labels());
        Tensor m = Csv.readMatrix(plain, false, ',');
        assertArrayEquals(new int[] {3, 3}, m.shape());
    }

    @Test
    void csvErrorsNameFileLineAndValue() throws IOException {
        Path header = write("header.csv", "x,y,label\n1,2,0\n".getBytes(StandardCharsets.US_ASCII));
        assertFails(IllegalArgumentException.class, () -> Csv.load("c", header, Csv.Options.defaults()),
                "header.csv", "line 1", "'x' is not a finite number", "header = true");
        Path ragged = write("ragged.csv", "1,2,0\n3,4\n".getBytes(StandardCharsets.US_ASCII));
        assertFails(IllegalArgumentException.class, () -> Csv.load("c", ragged, Csv.Options.defaults()),
                "line 2 has 2 fields, earlier rows have 3");
        Path nan = write("nan.csv", "1,NaN,0\n".getBytes(StandardCharsets.US_ASCII));
        assertFails(IllegalArgumentException.class, () -> Csv.load("c", nan, Csv.Options.defaults()), "'NaN'");
        Path frac = write("frac.csv", "1,2,0.5\n".getBytes(StandardCharsets.US_ASCII));
        assertFails(IllegalArgumentException.class, () -> Csv.load("c", frac, Csv.Options.defaults()),
                "not a non-negative integer class label");
        Path big = write("big.csv", "1,2,7\n".getBytes(StandardCharsets.US_ASCII));
        assertFails(IllegalArgumentException.class,
                () -> Csv.load("c", big, Csv.Options.defaults().withClasses(3)), "label 7");
        Path empty = write("empty.csv", "\n\n".getBytes(StandardCharsets.US_ASCII));
        assertFails(IllegalArgumentException.class, () -> Csv.load("c", empty, Csv.Options.defaults()), "no data rows");
        assertFails(IllegalArgumentException.class,
                () -> Csv.load("c", header, Csv.Options.defaults().withHeader(true).withLabelColumn(5)),
                "label column 5 does not exist");
    }

    // ------------------------------------------------------------------ NPY / NPZ

    @Test
    void npzAndNpyPairsLoadAsClassificationOrRegression() throws IOException {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        LinkedHashMap<String, Npy.NdArray> m = new LinkedHashMap<>();
        m.put("X", Npy.NdArray.of(x));
        m.put("y", Npy.NdArray.ofInts(new int[] {1, 0, 3}));
        m.put("t", Npy.NdArray.of(Tensor.vector(0.5, -1, 2)));
        Path npz = dir.resolve("d.npz");
        Npy.writeNpzArrays(npz, m, true);
        Dataset c = NpyData.loadNpz("n", npz, "X", "y", 0);
        assertArrayEquals(new int[] {1, 0, 3}, c.labels());
        assertEquals(4, c.classes());
        assertArrayEquals(x.toArray(), c.x().toArray(), 0.0);
        Dataset r = NpyData.loadNpz("n", npz, "X", "t", 0);
        assertNull(r.labels());
        assertArrayEquals(new int[] {3, 1}, r.y().shape());
        assertArrayEquals(new double[] {0.5, -1, 2}, r.y().toArray(), 0.0);
        assertFails(IllegalArgumentException.class, () -> NpyData.loadNpz("n", npz, "X", "labels", 0),
                "no array 'labels'", "[X, y, t]");
        assertFails(IllegalArgumentException.class, () -> NpyData.loadNpz("n", npz, "X", "y", 3), "label 3");
        Npy.write(dir.resolve("x.npy"), x);
        Npy.write(dir.resolve("y.npy"), Npy.NdArray.ofInts(new int[] {2, 2, 0}));
        Dataset p = NpyData.loadNpy("p", dir.resolve("x.npy"), dir.resolve("y.npy"), 10);
        assertEquals(10, p.classes());
        assertArrayEquals(new int[] {2, 2, 0}, p.labels());
        Npy.write(dir.resolve("y4.npy"), Npy.NdArray.ofInts(new int[] {2, 2, 0, 1}));
        assertFails(IllegalArgumentException.class,
                () -> NpyData.loadNpy("p", dir.resolve("x.npy"), dir.resolve("y4.npy"), 10), "same first dimension");
    }

    // ------------------------------------------------------------------ digits

    @Test
    void bundledDigitsHasThePublishedSha256ShapeAndLabels() throws Exception {
        byte[] raw;
        try (InputStream in = Digits.class.getResourceAsStream(Digits.RESOURCE)) {
            raw = in.readAllBytes();
        }
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw));
        // value published in shared/data/README.md
        assertEquals("46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a", sha);
        assertTrue(Digits.class.getResource("/org/sgdlab/data/digits-ATTRIBUTION.txt") != null);

        Dataset d = Digits.load();
        assertArrayEquals(new int[] {1797, 64}, d.x().shape());
        assertEquals(10, d.classes());
        // class counts of the file (counted with zcat | awk over column 65)
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, d.classCounts());
        for (double v : d.x().toArray()) {
            assertTrue(v >= 0 && v <= 16 && v == Math.rint(v), "pixel " + v);
        }
        // first line of the file: 0,0,5,13,9,1,0,0,0,0,13,15,10,15,5,0,... label 0
        assertArrayEquals(new double[] {0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0},
                Arrays.copyOf(d.x().toArray(), 16), 0.0);
        assertEquals(0, d.label(0));
        assertEquals(1, d.label(1));

        Path copy = write("digits.csv.gz", raw);
        Dataset f = Digits.load(copy);
        assertArrayEquals(d.x().toArray(), f.x().toArray(), 0.0);
        assertFails(UncheckedIOException.class, () -> Digits.load(dir.resolve("missing.csv.gz")),
                "missing.csv.gz", "sudo apt-get install python3-sklearn");
    }

    // ------------------------------------------------------------------ Fashion-MNIST

    @Test
    void missingFashionMnistNamesThePackageAndPath() {
        Path nowhere = dir.resolve("no-fashion");
        assertFails(UncheckedIOException.class, () -> FashionMnist.load(nowhere, true, 10),
                "sudo apt-get install dataset-fashion-mnist", nowhere.resolve("train-images-idx3-ubyte.gz").toString());
    }

    static boolean fashionPresent() {
        for (String f : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            if (!Files.isRegularFile(FashionMnist.DEFAULT_DIR.resolve(f))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void debianFashionMnistHas60000And10000BalancedItems() {
        Assumptions.assumeTrue(fashionPresent(), "dataset-fashion-mnist is not installed");
        Path dir = FashionMnist.DEFAULT_DIR;
        for (boolean train : new boolean[] {true, false}) {
            String p = train ? "train" : "t10k";
            int n = train ? 60_000 : 10_000;
            Idx.Array im = Idx.read(dir.resolve(p + "-images-idx3-ubyte.gz"));
            Idx.Array lb = Idx.read(dir.resolve(p + "-labels-idx1-ubyte.gz"));
            assertArrayEquals(new int[] {n, 28, 28}, im.dims());
            assertArrayEquals(new int[] {n}, lb.dims());
            int[] counts = new int[10];
            for (int i = 0; i < n; i++) {
                counts[lb.get(i)]++; // throws if a label is outside 0..9
            }
            int[] expected = new int[10];
            Arrays.fill(expected, n / 10); // Fashion-MNIST is balanced: 6000 / 1000 per class
            assertArrayEquals(expected, counts);
            int min = 255;
            int max = 0;
            for (int i = 0; i < im.data().length; i++) {
                min = Math.min(min, im.get(i));
                max = Math.max(max, im.get(i));
            }
            assertEquals(0, min);
            assertEquals(255, max);
        }
        Dataset d = FashionMnist.load(true, 1000);
        assertArrayEquals(new int[] {1000, 1, 28, 28}, d.x().shape());
        assertEquals(10, d.classes());
    }

    @Test
    void fashionMnistLoaderAgreesWithAnIndependentPythonParse() throws Exception {
        Assumptions.assumeTrue(fashionPresent(), "dataset-fashion-mnist is not installed");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/python3")), "no /usr/bin/python3");
        String script = String.join("\n",
                "import gzip, struct",
                "d = '" + FashionMnist.DEFAULT_DIR + "/'",
                "im = gzip.open(d + 't10k-images-idx3-ubyte.gz').read()",
                "lb = gzip.open(d + 't10k-labels-idx1-ubyte.gz').read()",
                "m, n, r, c = struct.unpack('>IIII', im[:16])",
                "px = im[16:16 + 300 * r * c]",
                "print(sum(px), sum(i * v for i, v in enumerate(px)) % 1000003, ' '.join(str(v) for v in lb[8:28]))");
        Process pr = new ProcessBuilder("/usr/bin/python3", "-c", script).redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(pr.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, pr.exitValue(), out);
        String[] parts = out.split(" ", 3);
        Dataset d = FashionMnist.load(false, 300);
        double[] x = d.x().toArray();
        long sum = 0;
        long weighted = 0;
        for (int i = 0; i < x.length; i++) {
            sum += (long) x[i];
            weighted = (weighted + i * (long) x[i]) % 1000003;
        }
        assertEquals(Long.parseLong(parts[0]), sum);
        assertEquals(Long.parseLong(parts[1]), weighted);
        int[] first20 = Arrays.copyOf(d.labels(), 20);
        assertEquals(parts[2], String.join(" ", Arrays.stream(first20).mapToObj(String::valueOf).toList()));
    }
}
