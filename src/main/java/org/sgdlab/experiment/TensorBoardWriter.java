package org.sgdlab.experiment;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.Flushable;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Writes scalar summaries as a TensorBoard event file, {@code events.out.tfevents.<unix-seconds>.<hostname>},
 * readable by {@code tensorboard --logdir}.
 *
 * <p>Format. The file is a sequence of TFRecords: {@code uint64 length (little-endian), uint32
 * masked_crc32c(length bytes), payload, uint32 masked_crc32c(payload)}, with
 * {@code masked(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8} (mod 2^32) and CRC32C the Castagnoli CRC
 * ({@link CRC32C}). Each payload is a serialized {@code tensorflow.Event} protobuf, encoded by hand:
 * {@code Event{wall_time = 1 (double), step = 2 (int64), file_version = 3 (string), summary = 5 (Summary)}},
 * {@code Summary{value = 1 (repeated Value)}}, {@code Value{tag = 1 (string), simple_value = 2 (float)}}. The
 * first record carries {@code file_version = "brain.Event:2"}.
 *
 * <p>Crash safety: records are only appended, and TensorBoard ignores a truncated last record, so a crash
 * loses at most the unflushed records. {@link #scalars} flushes after each step group; {@link #scalar} leaves
 * flushing to the caller. Values are stored as float32 (TensorBoard's simple_value).
 */
public final class TensorBoardWriter implements Closeable, Flushable {

    /** The version string of the first record. */
    public static final String FILE_VERSION = "brain.Event:2";

    private static final int MASK_DELTA = 0xa282ead8;

    private final Path file;
    private final OutputStream out;
    private boolean closed;

    private TensorBoardWriter(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /** Creates {@code dir} if needed and a new event file in it, stamped with the current time. */
    public static TensorBoardWriter open(Path dir) throws IOException {
        return open(dir, System.currentTimeMillis() / 1000.0, hostname());
    }

    /**
     * Creates a new event file {@code events.out.tfevents.<floor(wallTime)>.<host>} (with a ".1", ".2", ...
     * suffix if that name exists) and writes the file-version record.
     */
    static TensorBoardWriter open(Path dir, double wallTime, String host) throws IOException {
        if (!Double.isFinite(wallTime) || wallTime < 0) {
            throw new IllegalArgumentException("tensorboard: wall time must be finite and >= 0 seconds, got "
                    + wallTime);
        }
        Files.createDirectories(dir);
        String base = "events.out.tfevents." + (long) Math.floor(wallTime) + "." + sanitize(host);
        for (int i = 0; ; i++) {
            Path f = dir.resolve(i == 0 ? base : base + "." + i);
            try {
                OutputStream os = new BufferedOutputStream(Files.newOutputStream(f, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE), 1 << 16);
                TensorBoardWriter w = new TensorBoardWriter(f, os);
                w.writeRecord(fileVersionEvent(wallTime));
                w.flush();
                return w;
            } catch (FileAlreadyExistsException e) {
                if (i >= 1000) {
                    throw e;
                }
            }
        }
    }

    /** The event file being written. */
    public Path file() {
        return file;
    }

    /** One scalar at one step (not flushed; see {@link #flush}). */
    public synchronized void scalar(String tag, long step, double value, double wallTime) throws IOException {
        checkOpen();
        writeRecord(scalarEvent(wallTime, step, Map.of(checkTag(tag), value)));
    }

    /**
     * All values of one step as one event (tags in the map's iteration order; null values are skipped), then
     * flushed, so that the step is on disk once this returns.
     */
    public synchronized void scalars(long step, Map<String, ? extends Number> values, double wallTime)
            throws IOException {
        checkOpen();
        Map<String, Double> vals = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, ? extends Number> e : values.entrySet()) {
            if (e.getValue() != null) {
                vals.put(checkTag(e.getKey()), e.getValue().doubleValue());
            }
        }
        if (!vals.isEmpty()) {
            writeRecord(scalarEvent(wallTime, step, vals));
        }
        out.flush();
    }

    @Override
    public synchronized void flush() throws IOException {
        if (!closed) {
            out.flush();
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (!closed) {
            closed = true;
            out.close();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("tensorboard: writer for " + file + " is closed");
        }
    }

    private static String checkTag(String tag) {
        if (tag == null || tag.isEmpty()) {
            throw new IllegalArgumentException("tensorboard: tag must be a non-empty string, got '" + tag + "'");
        }
        return tag;
    }

    private void writeRecord(byte[] payload) throws IOException {
        out.write(record(payload));
    }

    // ------------------------------------------------------------------------------------- encoding

    /** TFRecord framing of one payload. */
    static byte[] record(byte[] payload) {
        byte[] r = new byte[8 + 4 + payload.length + 4];
        long len = payload.length;
        for (int i = 0; i < 8; i++) {
            r[i] = (byte) (len >>> (8 * i));
        }
        putInt(r, 8, maskedCrc32c(r, 0, 8));
        System.arraycopy(payload, 0, r, 12, payload.length);
        putInt(r, 12 + payload.length, maskedCrc32c(payload, 0, payload.length));
        return r;
    }

    /** masked(crc32c(b[off, off + len))) as TFRecord defines it. */
    static int maskedCrc32c(byte[] b, int off, int len) {
        CRC32C c = new CRC32C();
        c.update(b, off, len);
        return mask((int) c.getValue());
    }

    static int mask(int crc) {
        return ((crc >>> 15) | (crc << 17)) + MASK_DELTA;
    }

    private static void putInt(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }

    /** Event{wall_time, file_version = "brain.Event:2"}. */
    static byte[] fileVersionEvent(double wallTime) {
        Proto p = new Proto();
        p.fixed64(1, Double.doubleToRawLongBits(wallTime));
        p.bytes(3, FILE_VERSION.getBytes(StandardCharsets.UTF_8));
        return p.toByteArray();
    }

    /** Event{wall_time, step, summary = Summary{value = [Value{tag, simple_value}...]}}. */
    static byte[] scalarEvent(double wallTime, long step, Map<String, Double> values) {
        Proto summary = new Proto();
        for (Map.Entry<String, Double> e : values.entrySet()) {
            Proto v = new Proto();
            v.bytes(1, e.getKey().getBytes(StandardCharsets.UTF_8));
            v.fixed32(2, Float.floatToRawIntBits((float) (double) e.getValue()));
            summary.bytes(1, v.toByteArray());
        }
        Proto ev = new Proto();
        ev.fixed64(1, Double.doubleToRawLongBits(wallTime));
        ev.varintField(2, step);
        ev.bytes(5, summary.toByteArray());
        return ev.toByteArray();
    }

    /** Minimal protobuf wire-format writer: varint, fixed64, fixed32 and length-delimited fields. */
    static final class Proto {
        private final ByteArrayOutputStream b = new ByteArrayOutputStream();

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                b.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            b.write((int) v);
        }

        private void key(int field, int wireType) {
            varint(((long) field << 3) | wireType);
        }

        void varintField(int field, long v) {
            key(field, 0);
            varint(v);
        }

        void fixed64(int field, long v) {
            key(field, 1);
            for (int i = 0; i < 8; i++) {
                b.write((int) (v >>> (8 * i)) & 0xff);
            }
        }

        void fixed32(int field, int v) {
            key(field, 5);
            for (int i = 0; i < 4; i++) {
                b.write((v >>> (8 * i)) & 0xff);
            }
        }

        void bytes(int field, byte[] data) {
            key(field, 2);
            varint(data.length);
            b.write(data, 0, data.length);
        }

        byte[] toByteArray() {
            return b.toByteArray();
        }
    }

    // ------------------------------------------------------------------------------------- helpers

    static String hostname() {
        String h = System.getenv("HOSTNAME");
        if (h == null || h.isBlank()) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException | SecurityException e) {
                h = "localhost";
            }
        }
        return h;
    }

    static String sanitize(String host) {
        String s = host == null ? "" : host.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() ? "localhost" : s;
    }
}
