package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NPY/NPZ: hand-built byte fixtures from the format specification, corrupt files, and real NumPy. */
class NpyTest {

    @TempDir
    Path dir;

    // ------------------------------------------------------------------ hand-built fixtures

    /** An npy file built byte by byte: magic, version, little-endian header length, dict, data. */
    static byte[] npy(int major, String dict, byte[] data) {
        int lenBytes = major == 1 ? 2 : 4;
        byte[] d = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        ByteBuffer bb = ByteBuffer.allocate(8 + lenBytes + d.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
        if (lenBytes == 2) {
            bb.putShort((short) d.length);
        } else {
            bb.putInt(d.length);
        }
        bb.put(d).put(data);
        return bb.array();
    }

    static String dict(String descr, boolean fortran, String shape) {
        return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': " + shape
                + ", }\n";
    }

    static byte[] doubles(ByteOrder order, double... v) {
        ByteBuffer bb = ByteBuffer.allocate(8 * v.length).order(order);
        for (double x : v) {
            bb.putDouble(x);
        }
        return bb.array();
    }

    Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    @Test
    void writesExactlyTheBytesOfNumpySaveForAKnownHeader() throws IOException {
        // np.save of np.arange(3.0): version 1.0, header length 118 (0x76) so that 10 + 118 = 128 is a
        // multiple of 64; dict with sorted keys, then 21 - len("3") = 20 growth spaces, then alignment
        // spaces and '\n' (format.py _write_array_header / _wrap_header).
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
        String header = dict + " ".repeat(117 - dict.length()) + "\n";
        assertEquals(118, header.length());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0x76, 0});
        expected.write(header.getBytes(StandardCharsets.US_ASCII));
        expected.write(doubles(ByteOrder.LITTLE_ENDIAN, 0.0, 1.0, 2.0));

        Path p = dir.resolve("arange3.npy");
        Npy.write(p, Tensor.vector(0, 1, 2));
        assertArrayEquals(expected.toByteArray(), Files.readAllBytes(p));
        assertArrayEquals(new double[] {0, 1, 2}, Npy.read(p).toArray());
    }

    @Test
    void headerIsAlignedTo64AndEndsInNewlineForManyShapes() {
        int[][] shapes = {{}, {0}, {7}, {12345678}, {2, 3}, {1, 2, 3, 4, 5, 6, 7, 8}};
        for (int[] s : shapes) {
            byte[] h = Npy.header("<f8", s);
            assertEquals(0, h.length % 64, Arrays.toString(s));
            assertEquals('\n', h[h.length - 1]);
            int hlen = (h[8] & 0xff) | (h[9] & 0xff) << 8;
            assertEquals(h.length - 10, hlen);
        }
    }

    @Test
    void roundTripsFloat64BitExactlyIncludingSpecialValues() {
        SplittableRandom rng = new SplittableRandom(3);
        int[][] shapes = {{}, {0}, {5}, {2, 3}, {2, 3, 4}, {0, 3}};
        for (int[] s : shapes) {
            Tensor t = Tensor.randn(rng, s);
            Path p = dir.resolve("t" + Arrays.toString(s).replaceAll("\\W", "_") + ".npy");
            Npy.write(p, t);
            Tensor r = Npy.read(p);
            assertArrayEquals(s, r.shape());
            assertArrayEquals(t.toArray(), r.toArray(), 0.0);
        }
        double[] special = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE,
            Double.MAX_VALUE, 1e-310};
        Path p = dir.resolve("special.npy");
        Npy.write(p, Tensor.vector(special));
        double[] back = Npy.read(p).toArray();
        for (int i = 0; i < special.length; i++) {
            assertEquals(Double.doubleToRawLongBits(special[i]), Double.doubleToRawLongBits(back[i]), "index " + i);
        }
    }

    @Test
    void roundTripsInt64ExactlyBeyondDoublePrecision() {
        long[] v = {Long.MIN_VALUE, -1, 0, 1, (1L << 53) + 1, Long.MAX_VALUE};
        Path p = dir.resolve("longs.npy");
        Npy.write(p, Npy.NdArray.ofLongs(v, 2, 3));
        Npy.NdArray a = Npy.readArray(p);
        assertEquals("<i8", a.dtype());
        assertArrayEquals(new int[] {2, 3}, a.shape());
        assertArrayEquals(v, a.longs());
        assertTrue(a.isInteger());
        Path q = dir.resolve("labels.npy");
        Npy.write(q, Npy.NdArray.ofInts(new int[] {3, 1, 4, 1, 5}));
        assertArrayEquals(new int[] {3, 1, 4, 1, 5}, Npy.readArray(q).toInts());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, a::toInts);
        assertTrue(e.getMessage().contains("does not fit in an int"), e.getMessage());
    }

    @Test
    void readsEveryDtypeBuiltByHand() throws IOException {
        // >f8 (big-endian)
        Npy.NdArray a = Npy.readArray(file("be.npy", npy(1, dict(">f8", false, "(2, 2)"),
                doubles(ByteOrder.BIG_ENDIAN, 1.5, -2.25, 3e100, -0.0))));
        assertArrayEquals(new double[] {1.5, -2.25, 3e100, -0.0}, a.values(), 0.0);
        assertArrayEquals(new int[] {2, 2}, a.shape());
        assertNull(a.longs());
        // <f4
        ByteBuffer f4 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(0.1f).putFloat(-7f)
                .putFloat(Float.MAX_VALUE);
        a = Npy.readArray(file("f4.npy", npy(1, dict("<f4", false, "(3,)"), f4.array())));
        assertArrayEquals(new double[] {(double) 0.1f, -7.0, (double) Float.MAX_VALUE}, a.values(), 0.0);
        // <i8, <i4, <i2, >i4
        ByteBuffer i8 = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).putLong(1L << 40);
        a = Npy.readArray(file("i8.npy", npy(1, dict("<i8", false, "(2,)"), i8.array())));
        assertArrayEquals(new long[] {-5, 1L << 40}, a.longs());
        assertArrayEquals(new double[] {-5, 0x1p40}, a.values(), 0.0);
        ByteBuffer i4 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-2147483648).putInt(7);
        assertArrayEquals(new long[] {Integer.MIN_VALUE, 7},
                Npy.readArray(file("i4.npy", npy(1, dict("<i4", false, "(2,)"), i4.array()))).longs());
        ByteBuffer bi4 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putInt(-3).putInt(65536);
        assertArrayEquals(new long[] {-3, 65536},
                Npy.readArray(file("bi4.npy", npy(1, dict(">i4", false, "(2,)"), bi4.array()))).longs());
        ByteBuffer i2 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putShort((short) -32768)
                .putShort((short) 300);
        assertArrayEquals(new long[] {-32768, 300},
                Npy.readArray(file("i2.npy", npy(1, dict("<i2", false, "(2,)"), i2.array()))).longs());
        // |u1 (0..255), |i1 (-128..127), |b1
        byte[] bytes = {0, 1, (byte) 127, (byte) 128, (byte) 255};
        assertArrayEquals(new long[] {0, 1, 127, 128, 255},
                Npy.readArray(file("u1.npy", npy(1, dict("|u1", false, "(5,)"), bytes))).longs());
        assertArrayEquals(new long[] {0, 1, 127, -128, -1},
                Npy.readArray(file("i1.npy", npy(1, dict("|i1", false, "(5,)"), bytes))).longs());
        Npy.NdArray b = Npy.readArray(file("b1.npy", npy(1, dict("|b1", false, "(3,)"), new byte[] {1, 0, 1})));
        assertArrayEquals(new double[] {1, 0, 1}, b.values(), 0.0);
        assertEquals("|b1", b.dtype());
    }

    @Test
    void readsVersion2And3HeadersScalarsAndPython2Literals() throws IOException {
        Tensor t = Npy.read(file("v2.npy", npy(2, dict("<f8", false, "(1, 2)"),
                doubles(ByteOrder.LITTLE_ENDIAN, 4, 5))));
        assertArrayEquals(new int[] {1, 2}, t.shape());
        assertArrayEquals(new double[] {4, 5}, t.toArray(), 0.0);
        t = Npy.read(file("v3.npy", npy(3, dict("<f8", false, "()"), doubles(ByteOrder.LITTLE_ENDIAN, 2.5))));
        assertEquals(0, t.rank());
        assertEquals(2.5, t.item(), 0.0);
        // double quotes, no trailing comma, keys in another order, Python 2 long suffix, extra whitespace
        String d = "{ \"shape\": (2L,3L) , \"descr\":\"<f8\",\"fortran_order\":False }\n";
        t = Npy.read(file("py2.npy", npy(1, d, doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6))));
        assertArrayEquals(new int[] {2, 3}, t.shape());
    }

    // ------------------------------------------------------------------ corrupt files

    void assertCorrupt(Path p, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains(p.toString()), "names the file: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void corruptOrTruncatedFilesFailWithMessagesNamingFileAndDefect() throws IOException {
        byte[] good = npy(1, dict("<f8", false, "(2, 3)"), doubles(ByteOrder.LITTLE_ENDIAN, 1, 2, 3, 4, 5, 6));
        assertCorrupt(file("empty.npy", new byte[0]), "too short");
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        assertCorrupt(file("magic.npy", badMagic), "bad magic");
        assertCorrupt(file("hdr.npy", Arrays.copyOf(good, 30)), "truncated header");
        assertCorrupt(file("data.npy", Arrays.copyOf(good, good.length - 1)), "data truncated", "needs 48 bytes",
                "47 present");
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        assertCorrupt(file("trailing.npy", longer), "3 unexpected bytes");
        byte[] v9 = good.clone();
        v9[6] = 9;
        assertCorrupt(file("version.npy", v9), "unsupported npy format version 9.0");
        assertCorrupt(file("c16.npy", npy(1, dict("<c16", false, "(1,)"), new byte[16])), "unsupported dtype '<c16'",
                "supported:");
        assertCorrupt(file("u8.npy", npy(1, dict("<u8", false, "(1,)"), new byte[8])), "unsupported dtype '<u8'");
        assertCorrupt(file("fortran.npy", npy(1, dict("<f8", true, "(2, 3)"), new byte[48])), "fortran_order",
                "C-order");
        assertCorrupt(file("keys.npy", npy(1, "{'descr': '<f8', 'shape': (1,), }\n", new byte[8])), "bad header dict",
                "expected exactly");
        assertCorrupt(file("syntax.npy", npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,\n",
                new byte[8])), "bad header dict");
        assertCorrupt(file("struct.npy", npy(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }",
                new byte[8])), "unsupported dtype");
        // a header announcing 8 GB over a few bytes fails before allocating anything
        assertCorrupt(file("huge.npy", npy(1, dict("<f8", false, "(1000000000,)"), new byte[16])), "data truncated",
                "needs 8000000000 bytes", "only 16 present");
        assertCorrupt(file("toolarge.npy", npy(1, dict("<f8", false, "(100000, 100000)"), new byte[16])),
                "more elements than a Java array holds");
        assertCorrupt(file("neg.npy", npy(1, dict("<f8", false, "(-1,)"), new byte[0])), "bad header dict");
        assertCorrupt(file("shape.npy", npy(1, dict("<f8", false, "'x'"), new byte[0])), "shape is x");
        UncheckedIOException missing = assertThrows(UncheckedIOException.class,
                () -> Npy.read(dir.resolve("nope.npy")));
        assertTrue(missing.getMessage().contains("not found") && missing.getMessage().contains("nope.npy"));
    }

    // ------------------------------------------------------------------ npz

    @Test
    void npzRoundTripsStoredAndDeflatedKeepingKeyOrderAndDtypes() {
        SplittableRandom rng = new SplittableRandom(11);
        Tensor x = Tensor.randn(rng, 4, 3);
        Tensor w = Tensor.randn(rng, 2);
        for (boolean compressed : new boolean[] {false, true}) {
            LinkedHashMap<String, Npy.NdArray> m = new LinkedHashMap<>();
            m.put("X", Npy.NdArray.of(x));
            m.put("y", Npy.NdArray.ofInts(new int[] {0, 2, 1, 2}));
            m.put("w", Npy.NdArray.of(w));
            Path p = dir.resolve("d" + compressed + ".npz");
            Npy.writeNpzArrays(p, m, compressed);
            LinkedHashMap<String, Npy.NdArray> back = Npy.readNpzArrays(p);
            assertEquals(List.of("X", "y", "w"), List.copyOf(back.keySet()));
            assertArrayEquals(x.toArray(), back.get("X").values(), 0.0);
            assertArrayEquals(new int[] {4, 3}, back.get("X").shape());
            assertEquals("<i8", back.get("y").dtype());
            assertArrayEquals(new int[] {0, 2, 1, 2}, back.get("y").toInts());
            assertArrayEquals(w.toArray(), Npy.readNpz(p).get("w").toArray(), 0.0);
        }
        Path p = dir.resolve("plain.npz");
        Npy.writeNpz(p, Map.of("a", x));
        assertArrayEquals(x.toArray(), Npy.readNpz(p).get("a").toArray(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> Npy.writeNpz(dir.resolve("k.npz"), Map.of("", x)));
    }

    @Test
    void corruptNpzFailsNamingArchiveAndEntry() throws IOException {
        Path good = dir.resolve("good.npz");
        Npy.writeNpz(good, Map.of("a", Tensor.vector(1, 2, 3)));
        byte[] bytes = Files.readAllBytes(good);
        Path trunc = file("trunc.npz", Arrays.copyOf(bytes, bytes.length - 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.readNpz(trunc));
        assertTrue(e.getMessage().contains("trunc.npz") && e.getMessage().contains("zip"), e.getMessage());

        Path notZip = file("notzip.npz", "hello".getBytes(StandardCharsets.US_ASCII));
        assertThrows(IllegalArgumentException.class, () -> Npy.readNpz(notZip));

        // a zip whose entry is a truncated npy
        byte[] entry = npy(1, dict("<f8", false, "(3,)"), doubles(ByteOrder.LITTLE_ENDIAN, 1, 2));
        Path bad = dir.resolve("badentry.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(bad))) {
            z.putNextEntry(new ZipEntry("x.npy"));
            z.write(entry);
            z.closeEntry();
        }
        e = assertThrows(IllegalArgumentException.class, () -> Npy.readNpz(bad));
        assertTrue(e.getMessage().contains("badentry.npz[x.npy]") && e.getMessage().contains("data truncated"),
                e.getMessage());

        Path other = dir.resolve("other.npz");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(other))) {
            z.putNextEntry(new ZipEntry("readme.txt"));
            z.write(1);
            z.closeEntry();
        }
        e = assertThrows(IllegalArgumentException.class, () -> Npy.readNpz(other));
        assertTrue(e.getMessage().contains("readme.txt"), e.getMessage());
    }

    // ------------------------------------------------------------------ crash safety

    @Test
    void atomicWriteReplacesWholeFileAndLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("a.npy");
        Npy.write(p, Tensor.vector(1, 2, 3));
        Npy.write(p, Tensor.vector(4, 5));
        assertArrayEquals(new double[] {4, 5}, Npy.read(p).toArray(), 0.0);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(p), s.toList());
        }
    }

    @Test
    void failedWriteLeavesTheOldFileIntactAndNoTemporaryFile() throws IOException {
        Path p = dir.resolve("keep.npy");
        Npy.write(p, Tensor.vector(7, 8));
        assertThrows(IllegalStateException.class, () -> Npy.atomicWrite(p, out -> {
            out.write(new byte[1000]);
            throw new IllegalStateException("simulated crash in the middle of a write");
        }));
        assertArrayEquals(new double[] {7, 8}, Npy.read(p).toArray(), 0.0);
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(p), s.toList());
        }
    }

    // ------------------------------------------------------------------ real NumPy

    static boolean numpyAvailable() {
        try {
            Process pr = new ProcessBuilder("/usr/bin/python3", "-c", "import numpy").redirectErrorStream(true).start();
            return pr.waitFor(60, TimeUnit.SECONDS) && pr.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static String python(Path cwd, String script) throws IOException, InterruptedException {
        Process pr = new ProcessBuilder("/usr/bin/python3", "-c", script).directory(cwd.toFile())
                .redirectErrorStream(true).start();
        String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(pr.waitFor(120, TimeUnit.SECONDS), "python timed out");
        assertEquals(0, pr.exitValue(), "python failed:\n" + out);
        return out;
    }

    /** The values the Python side writes: a(i) = (i - 7) * 0.75 for the flat index i, in several dtypes. */
    static double formula(int i) {
        return (i - 7) * 0.75;
    }

    @Test
    void numpyWritesJavaReads() throws Exception {
        Assumptions.assumeTrue(numpyAvailable(), "/usr/bin/python3 with numpy not available");
        python(dir, String.join("\n",
                "import numpy as np",
                "a = (np.arange(24) - 7) * 0.75",
                "np.save('f8.npy', a.reshape(2, 3, 4))",
                "np.save('f4.npy', a.astype(np.float32).reshape(4, 6))",
                "np.save('bf8.npy', a.astype('>f8'))",
                "np.save('i8.npy', np.arange(-5, 5, dtype=np.int64))",
                "np.save('i4.npy', np.arange(-5, 5, dtype=np.int32))",
                "np.save('i2.npy', np.arange(-5, 5, dtype=np.int16))",
                "np.save('i1.npy', np.arange(-5, 5, dtype=np.int8))",
                "np.save('u1.npy', np.arange(250, 256, dtype=np.uint8).reshape(2, 3))",
                "np.save('b1.npy', np.array([True, False, True]))",
                "np.save('scalar.npy', np.float64(3.25))",
                "np.save('fortran.npy', np.asfortranarray(a.reshape(4, 6)))",
                "np.savez('s.npz', X=a.reshape(6, 4), y=np.arange(6) % 3)",
                "np.savez_compressed('c.npz', X=a.reshape(6, 4), y=np.arange(6) % 3)"));
        double[] a = new double[24];
        for (int i = 0; i < 24; i++) {
            a[i] = formula(i);
        }
        Tensor f8 = Npy.read(dir.resolve("f8.npy"));
        assertArrayEquals(new int[] {2, 3, 4}, f8.shape());
        assertArrayEquals(a, f8.toArray(), 0.0);
        assertArrayEquals(a, Npy.read(dir.resolve("f4.npy")).toArray(), 0.0); // quarter multiples are exact in f32
        assertEquals(">f8", Npy.readArray(dir.resolve("bf8.npy")).dtype());
        assertArrayEquals(a, Npy.read(dir.resolve("bf8.npy")).toArray(), 0.0);
        long[] range = {-5, -4, -3, -2, -1, 0, 1, 2, 3, 4};
        for (String f : new String[] {"i8", "i4", "i2", "i1"}) {
            assertArrayEquals(range, Npy.readArray(dir.resolve(f + ".npy")).longs(), f);
        }
        Npy.NdArray u1 = Npy.readArray(dir.resolve("u1.npy"));
        assertEquals("|u1", u1.dtype());
        assertArrayEquals(new long[] {250, 251, 252, 253, 254, 255}, u1.longs());
        assertArrayEquals(new double[] {1, 0, 1}, Npy.read(dir.resolve("b1.npy")).toArray(), 0.0);
        assertEquals(3.25, Npy.read(dir.resolve("scalar.npy")).item(), 0.0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.read(dir.resolve("fortran.npy")));
        assertTrue(e.getMessage().contains("fortran_order"));
        for (String z : new String[] {"s.npz", "c.npz"}) {
            LinkedHashMap<String, Npy.NdArray> m = Npy.readNpzArrays(dir.resolve(z));
            assertEquals(List.of("X", "y"), List.copyOf(m.keySet()), z);
            assertArrayEquals(a, m.get("X").values(), 0.0);
            assertArrayEquals(new int[] {0, 1, 2, 0, 1, 2}, m.get("y").toInts());
        }
    }

    @Test
    void javaWritesNumpyReadsAndBytesEqualNumpySave() throws Exception {
        Assumptions.assumeTrue(numpyAvailable(), "/usr/bin/python3 with numpy not available");
        double[] a = new double[24];
        for (int i = 0; i < 24; i++) {
            a[i] = formula(i);
        }
        Npy.write(dir.resolve("j3.npy"), Tensor.of(a, 2, 3, 4));
        Npy.write(dir.resolve("j0.npy"), Tensor.scalar(-1.5));
        Npy.write(dir.resolve("jempty.npy"), Tensor.zeros(0, 5));
        Npy.write(dir.resolve("jl.npy"), Npy.NdArray.ofLongs(new long[] {-5, 0, 1L << 60}, 3));
        LinkedHashMap<String, Npy.NdArray> m = new LinkedHashMap<>();
        m.put("X", Npy.NdArray.of(Tensor.of(a, 6, 4)));
        m.put("y", Npy.NdArray.ofInts(new int[] {0, 1, 2, 0, 1, 2}));
        for (int k = 0; k <= 14; k++) { // ranks whose headers cross a 64-byte boundary with or without growth space
            int[] shape = new int[k];
            Arrays.fill(shape, 1);
            if (k > 0) {
                shape[0] = 2;
            }
            Npy.write(dir.resolve("r" + k + ".npy"), Tensor.ones(shape));
        }
        Npy.writeNpzArrays(dir.resolve("js.npz"), m, false);
        Npy.writeNpzArrays(dir.resolve("jc.npz"), m, true);
        String out = python(dir, String.join("\n",
                "import io, numpy as np",
                "a = (np.arange(24) - 7) * 0.75",
                "def same_bytes(path, arr):",
                "    b = io.BytesIO(); np.save(b, arr)",
                "    assert open(path, 'rb').read() == b.getvalue(), path",
                "x = np.load('j3.npy'); assert x.dtype == np.float64 and x.shape == (2, 3, 4)",
                "assert np.array_equal(x, a.reshape(2, 3, 4))",
                "same_bytes('j3.npy', a.reshape(2, 3, 4))",
                "same_bytes('j0.npy', np.float64(-1.5))",
                "same_bytes('jempty.npy', np.zeros((0, 5)))",
                "l = np.load('jl.npy'); assert l.dtype == np.int64 and list(l) == [-5, 0, 2**60]",
                "same_bytes('jl.npy', np.array([-5, 0, 2**60], dtype=np.int64))",
                "for k in range(15):",
                "    same_bytes('r%d.npy' % k, np.ones((2,) + (1,) * (k - 1) if k else ()))",
                "for f in ('js.npz', 'jc.npz'):",
                "    z = np.load(f)",
                "    assert list(z.keys()) == ['X', 'y'], z.keys()",
                "    assert np.array_equal(z['X'], a.reshape(6, 4))",
                "    assert z['y'].dtype == np.int64 and list(z['y']) == [0, 1, 2, 0, 1, 2]",
                "print('ok')"));
        assertTrue(out.contains("ok"), out);
        assertFalse(out.contains("Error"), out);
    }
}
