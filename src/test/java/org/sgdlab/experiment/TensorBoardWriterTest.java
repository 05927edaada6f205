package org.sgdlab.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorBoardWriterTest {

    // ---------------------------------------------------------------- independent reference implementation

    /** Bitwise CRC32C (Castagnoli, reflected polynomial 0x82F63B78), written from the definition. */
    static long crc32c(byte[] b, int off, int len) {
        long crc = 0xFFFFFFFFL;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78L : crc >>> 1;
            }
        }
        return crc ^ 0xFFFFFFFFL;
    }

    /** masked = ((crc >>> 15) | (crc << 17)) + 0xa282ead8 mod 2^32, in 64-bit arithmetic. */
    static long masked(long crc) {
        long rot = ((crc >>> 15) | (crc << 17)) & 0xFFFFFFFFL;
        return (rot + 0xa282ead8L) & 0xFFFFFFFFL;
    }

    static long u32(byte[] b, int off) {
        long v = 0;
        for (int i = 3; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }

    /** One decoded Event. */
    record Event(double wallTime, long step, String fileVersion, List<String> tags, List<Float> values) {
    }

    /**
     * Reads a TFRecord file: checks both CRCs of every record and decodes each Event protobuf generically
     * (unknown fields skipped by wire type). A truncated final record stops reading, as TensorBoard does.
     */
    static List<Event> read(byte[] f, boolean[] truncatedTail) {
        List<Event> out = new ArrayList<>();
        int p = 0;
        while (p < f.length) {
            if (p + 12 > f.length) {
                truncatedTail[0] = true;
                break;
            }
            long len = 0;
            for (int i = 7; i >= 0; i--) {
                len = (len << 8) | (f[p + i] & 0xFF);
            }
            assertEquals(masked(crc32c(f, p, 8)), u32(f, p + 8), "length CRC at offset " + p);
            if (p + 12 + len + 4 > f.length) {
                truncatedTail[0] = true;
                break;
            }
            int start = p + 12;
            assertEquals(masked(crc32c(f, start, (int) len)), u32(f, start + (int) len), "payload CRC at " + p);
            out.add(decodeEvent(f, start, start + (int) len));
            p = start + (int) len + 4;
        }
        return out;
    }

    static final class Cursor {
        final byte[] b;
        int p;
        final int end;

        Cursor(byte[] b, int p, int end) {
            this.b = b;
            this.p = p;
            this.end = end;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int x = b[p++] & 0xFF;
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
        }

        long fixed(int n) {
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = (v << 8) | (b[p + i] & 0xFF);
            }
            p += n;
            return v;
        }
    }

    static Event decodeEvent(byte[] b, int from, int to) {
        Cursor c = new Cursor(b, from, to);
        double wall = Double.NaN;
        long step = 0;
        String version = null;
        List<String> tags = new ArrayList<>();
        List<Float> values = new ArrayList<>();
        while (c.p < to) {
            long key = c.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == 1 && wire == 1) {
                wall = Double.longBitsToDouble(c.fixed(8));
            } else if (field == 2 && wire == 0) {
                step = c.varint();
            } else if (field == 3 && wire == 2) {
                int n = (int) c.varint();
                version = new String(b, c.p, n, StandardCharsets.UTF_8);
                c.p += n;
            } else if (field == 5 && wire == 2) {
                int n = (int) c.varint();
                decodeSummary(b, c.p, c.p + n, tags, values);
                c.p += n;
            } else {
                skip(c, wire);
            }
        }
        assertEquals(to, c.p, "event ends exactly at the record end");
        return new Event(wall, step, version, tags, values);
    }

    static void decodeSummary(byte[] b, int from, int to, List<String> tags, List<Float> values) {
        Cursor c = new Cursor(b, from, to);
        while (c.p < to) {
            long key = c.varint();
            if (key == ((1 << 3) | 2)) {
                int n = (int) c.varint();
                int vEnd = c.p + n;
                Cursor v = new Cursor(b, c.p, vEnd);
                String tag = null;
                Float val = null;
                while (v.p < vEnd) {
                    long k = v.varint();
                    if (k == ((1 << 3) | 2)) {
                        int m = (int) v.varint();
                        tag = new String(b, v.p, m, StandardCharsets.UTF_8);
                        v.p += m;
                    } else if (k == ((2 << 3) | 5)) {
                        val = Float.intBitsToFloat((int) v.fixed(4));
                    } else {
                        skip(v, (int) (k & 7));
                    }
                }
                tags.add(tag);
                values.add(val);
                c.p = vEnd;
            } else {
                skip(c, (int) (key & 7));
            }
        }
    }

    static void skip(Cursor c, int wire) {
        switch (wire) {
            case 0 -> c.varint();
            case 1 -> c.p += 8;
            case 2 -> c.p += (int) c.varint();
            case 5 -> c.p += 4;
            default -> throw new AssertionError("bad wire type " + wire);
        }
    }

    // ---------------------------------------------------------------- tests

    @Test
    void crc32cKnownAnswerAndMasking() {
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xE3069283L, crc32c(check, 0, 9), "the reference implementation matches the CRC32C check value");
        java.util.zip.CRC32C jdk = new java.util.zip.CRC32C();
        jdk.update(check);
        assertEquals(0xE3069283L, jdk.getValue());
        // masked(0xE3069283): rotate right by 15 then add 0xa282ead8 (computed by hand):
        // 0xE3069283 >>> 15 = 0x0001C60D, 0xE3069283 << 17 (mod 2^32) = 0x25060000 -> 0x2507C60D
        // 0x2507C60D + 0xA282EAD8 = 0xC78AB0E5
        assertEquals(0xC78AB0E5L, masked(0xE3069283L));
        assertEquals(0xC78AB0E5L, TensorBoardWriter.maskedCrc32c(check, 0, 9) & 0xFFFFFFFFL);
        SplittableRandom r = new SplittableRandom(3);
        for (int t = 0; t < 200; t++) {
            byte[] b = new byte[r.nextInt(0, 300)];
            r.nextBytes(b);
            assertEquals(masked(crc32c(b, 0, b.length)), TensorBoardWriter.maskedCrc32c(b, 0, b.length) & 0xFFFFFFFFL);
        }
    }

    @Test
    void handAssembledRecord() {
        // Event{wall_time = 1.5, step = 7, summary = Summary{value = [Value{tag = "a", simple_value = 2.0}]}}
        byte[] payload = {
            0x09, 0, 0, 0, 0, 0, 0, (byte) 0xF8, 0x3F,       // field 1, fixed64: 1.5 = 0x3FF8000000000000
            0x10, 0x07,                                     // field 2, varint: 7
            0x2A, 0x0A,                                     // field 5, 10 bytes: Summary
            0x0A, 0x08,                                     //   field 1, 8 bytes: Value
            0x0A, 0x01, 'a',                                //     field 1, "a"
            0x15, 0, 0, 0, 0x40};                           //     field 2, fixed32: 2.0f = 0x40000000
        assertArrayEquals(payload, TensorBoardWriter.scalarEvent(1.5, 7, Map.of("a", 2.0)));
        ByteArrayOutputStream rec = new ByteArrayOutputStream();
        byte[] len = {23, 0, 0, 0, 0, 0, 0, 0};
        rec.writeBytes(len);
        writeU32(rec, masked(crc32c(len, 0, 8)));
        rec.writeBytes(payload);
        writeU32(rec, masked(crc32c(payload, 0, payload.length)));
        assertArrayEquals(rec.toByteArray(), TensorBoardWriter.record(payload));
        // the first record: Event{wall_time, file_version = "brain.Event:2"}
        byte[] v = TensorBoardWriter.fileVersionEvent(0.0);
        assertEquals(9 + 2 + 13, v.length);
        assertEquals(0x1A, v[9]);
        assertEquals(13, v[10]);
        assertEquals("brain.Event:2", new String(v, 11, 13, StandardCharsets.US_ASCII));
        // varints beyond one byte and negative int64 (ten bytes, two's complement)
        TensorBoardWriter.Proto p = new TensorBoardWriter.Proto();
        p.varint(300);
        assertArrayEquals(new byte[] {(byte) 0xAC, 0x02}, p.toByteArray());
        p = new TensorBoardWriter.Proto();
        p.varint(-1);
        assertEquals(10, p.toByteArray().length);
    }

    private static void writeU32(ByteArrayOutputStream o, long v) {
        for (int i = 0; i < 4; i++) {
            o.write((int) (v >>> (8 * i)) & 0xFF);
        }
    }

    @Test
    void roundTripRecoversTagsStepsAndFloatValues(@TempDir Path dir) throws IOException {
        Map<Long, Map<String, Double>> written = new LinkedHashMap<>();
        SplittableRandom r = new SplittableRandom(11);
        Path file;
        try (TensorBoardWriter w = TensorBoardWriter.open(dir.resolve("tb"), 1_700_000_000.25, "my host")) {
            file = w.file();
            for (long step = 0; step < 300; step += 3) {
                Map<String, Double> vals = new LinkedHashMap<>();
                vals.put("train_loss", Math.exp(-step / 50.0) * (1 + r.nextDouble()));
                vals.put("sharpness/\u03bb_max", 10 * r.nextGaussian());
                if (step % 30 == 0) {
                    vals.put("test_acc", r.nextDouble());
                }
                if (step == 150) {
                    vals.put("train_loss", Double.NaN);
                    vals.put("big", 1e300); // beyond float: +inf after float32 rounding
                }
                w.scalars(step, vals, 1_700_000_000.25 + step);
                written.put(step, vals);
            }
            w.scalar("lr", 1L << 40, 0.1, 1_700_000_999.0);
        }
        assertEquals("events.out.tfevents.1700000000.my_host", file.getFileName().toString());
        boolean[] trunc = {false};
        List<Event> events = read(Files.readAllBytes(file), trunc);
        assertTrue(!trunc[0]);
        assertEquals(written.size() + 2, events.size());
        assertEquals("brain.Event:2", events.get(0).fileVersion());
        assertEquals(1_700_000_000.25, events.get(0).wallTime(), 0);
        int i = 1;
        for (Map.Entry<Long, Map<String, Double>> e : written.entrySet()) {
            Event ev = events.get(i++);
            assertEquals(e.getKey(), ev.step());
            assertEquals(1_700_000_000.25 + e.getKey(), ev.wallTime(), 0);
            assertEquals(new ArrayList<>(e.getValue().keySet()), ev.tags());
            int k = 0;
            for (double v : e.getValue().values()) {
                assertEquals(Float.floatToIntBits((float) v), Float.floatToIntBits(ev.values().get(k++)),
                        "float32 of " + v);
            }
        }
        Event last = events.get(events.size() - 1);
        assertEquals(1L << 40, last.step());
        assertEquals(List.of("lr"), last.tags());
        assertEquals(0.1f, last.values().get(0), 0f);
    }

    @Test
    void eachStepGroupIsOnDiskBeforeClose(@TempDir Path dir) throws IOException {
        TensorBoardWriter w = TensorBoardWriter.open(dir, 100, "h");
        w.scalars(1, Map.of("x", 1.0), 101);
        boolean[] trunc = {false};
        List<Event> events = read(Files.readAllBytes(w.file()), trunc);
        assertEquals(2, events.size(), "file version + step 1, flushed without close");
        // a crash mid-record leaves a truncated tail that readers skip; earlier records stay valid
        byte[] partial = TensorBoardWriter.record(TensorBoardWriter.scalarEvent(102, 2, Map.of("x", 2.0)));
        Files.write(w.file(), java.util.Arrays.copyOf(partial, partial.length - 5), java.nio.file.StandardOpenOption.APPEND);
        events = read(Files.readAllBytes(w.file()), trunc);
        assertTrue(trunc[0]);
        assertEquals(2, events.size());
        w.close();
        w.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.scalar("x", 1, 1, 1));
        assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        // a second writer in the same second gets its own file
        try (TensorBoardWriter w2 = TensorBoardWriter.open(dir, 100, "h")) {
            assertEquals("events.out.tfevents.100.h.1", w2.file().getFileName().toString());
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> TensorBoardWriter.open(dir, 1, "h").scalar("", 0, 1, 1));
        assertTrue(bad.getMessage().contains("tag must be a non-empty string"), bad.getMessage());
    }

    /**
     * Cross-read with TensorBoard's own loader when a Python with the tensorboard package is available
     * (python3, or the interpreter named by SGDLAB_PYTHON).
     */
    @Test
    void tensorboardReadsTheFile(@TempDir Path dir) throws Exception {
        String py = System.getenv().getOrDefault("SGDLAB_PYTHON", "python3");
        Assumptions.assumeTrue(run(List.of(py, "-c", "import tensorboard"), 60) != null,
                "python with tensorboard not available");
        Path file;
        try (TensorBoardWriter w = TensorBoardWriter.open(dir, 1_700_000_000, "host")) {
            file = w.file();
            for (int s = 0; s < 5; s++) {
                Map<String, Double> v = new LinkedHashMap<>();
                v.put("loss", 1.0 / (s + 1));
                v.put("sharpness", 2.5 * s);
                w.scalars(s, v, 1_700_000_000 + s);
            }
        }
        String script = String.join("\n",
                "import sys",
                "from tensorboard.backend.event_processing.event_file_loader import EventFileLoader",
                "for e in EventFileLoader(sys.argv[1]).Load():",
                "    if e.HasField('file_version'):",
                "        print('version', e.file_version)",
                "    for v in e.summary.value:",
                "        val = v.simple_value if v.HasField('simple_value') else v.tensor.float_val[0]",
                "        print(e.step, v.tag, repr(float(val)))");
        String out = run(List.of(py, "-c", script, file.toString()), 120);
        assertTrue(out != null, "tensorboard's loader failed on " + file);
        List<String> lines = out.lines().filter(l -> !l.isBlank()).toList();
        assertEquals("version brain.Event:2", lines.get(0));
        List<String> expected = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            expected.add(s + " loss " + (double) (float) (1.0 / (s + 1)));
            expected.add(s + " sharpness " + (double) (float) (2.5 * s));
        }
        assertEquals(expected, lines.subList(1, lines.size()));
    }

    private static String run(List<String> cmd, int seconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(out, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
