package org.sgdlab.tensor;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * NumPy's {@code .npy} and {@code .npz} files (the NPY format, NEP 1; numpy {@code lib/format.py}).
 *
 * <p>An {@code .npy} file is the magic {@code \x93NUMPY}, a version byte pair (1.0: the header length
 * is a little-endian uint16; 2.0 and 3.0: uint32; 3.0 encodes the header as UTF-8, older versions as
 * Latin-1), a Python dict literal {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}
 * padded with spaces and a newline, then the raw values in C (row-major) order. An {@code .npz} file
 * is a zip archive (stored or deflated) of {@code .npy} files; the key of an entry is its name
 * without {@code .npy}.
 *
 * <p>Reading accepts the dtypes {@code f8 f4 i8 i4 i2 i1 u4 u2 u1 b1} in either byte order and
 * converts every value to double (integers beyond 2^53 lose precision in {@link NdArray#values()};
 * {@link NdArray#longs()} keeps them exact). Writing produces float64 {@code '<f8'} and int64
 * {@code '<i8'} with the same header bytes as {@code numpy.save} (keys sorted, the 21-digit growth
 * padding of numpy >= 1.23, 64-byte alignment, version 1.0 unless the header needs 2.0).
 *
 * <p>Every write is crash-safe: the bytes go to a temporary file in the target directory, are
 * forced to disk, and the file is atomically renamed over the target, so a reader sees either the
 * old file or the complete new one. A truncated or corrupt file (bad magic, unparsable header,
 * unsupported dtype, Fortran order, data shorter or longer than the shape needs, broken zip) is an
 * {@link IllegalArgumentException} naming the file and the defect; I/O failures are
 * {@link UncheckedIOException}s naming the file.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy's {@code GROWTH_AXIS_MAX_DIGITS}: spare header space for growing axis 0 in place. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    private static final int ARRAY_ALIGN = 64;
    private static final int MAX_HEADER = 1 << 20;
    private static final String SUPPORTED = "<f8, >f8, <f4, >f4, <i8, <i4, <i2, |i1, <u4, <u2, |u1, |b1 "
            + "(any byte order)";

    private Npy() {
    }

    /**
     * An array read from or written to an npy file: the dtype descriptor as in the header
     * ({@code '<f8'}, {@code '|u1'}, ...), the shape, every value as a double (row-major), and for
     * integer and boolean dtypes the exact values as longs ({@code null} for float dtypes).
     * The arrays are shared, not copied: do not modify them.
     */
    public record NdArray(String dtype, int[] shape, double[] values, long[] longs) {

        public NdArray {
            int n = Shapes.checkedSize("NdArray", shape);
            if (values.length != n) {
                throw new IllegalArgumentException("NdArray: " + values.length + " values do not fill shape "
                        + Shapes.str(shape));
            }
            if (longs != null && longs.length != n) {
                throw new IllegalArgumentException("NdArray: " + longs.length + " integer values do not fill shape "
                        + Shapes.str(shape));
            }
        }

        /** A float64 array of the tensor's values (written as {@code '<f8'}). */
        public static NdArray of(Tensor t) {
            return new NdArray("<f8", t.shape(), t.toArray(), null);
        }

        /** An int64 array (written as {@code '<i8'}). */
        public static NdArray ofLongs(long[] values, int... shape) {
            double[] d = new double[values.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = values[i];
            }
            return new NdArray("<i8", shape.clone(), d, values.clone());
        }

        /** A 1-D int64 array, e.g. class labels (written as {@code '<i8'}). */
        public static NdArray ofInts(int[] values) {
            long[] l = new long[values.length];
            for (int i = 0; i < l.length; i++) {
                l[i] = values[i];
            }
            return ofLongs(l, values.length);
        }

        public int size() {
            return values.length;
        }

        /** True for integer and boolean dtypes (then {@link #longs()} holds the exact values). */
        public boolean isInteger() {
            return longs != null;
        }

        /** The values as a tensor of this shape (a copy). */
        public Tensor toTensor() {
            return Tensor.of(values, shape);
        }

        /** The exact integer values as ints; fails for float dtypes and values outside the int range. */
        public int[] toInts() {
            if (longs == null) {
                throw new IllegalArgumentException("NdArray.toInts: dtype '" + dtype
                        + "' is not an integer dtype; integer dtypes are i1..i8, u1..u4, b1");
            }
            int[] out = new int[longs.length];
            for (int i = 0; i < out.length; i++) {
                long v = longs[i];
                if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("NdArray.toInts: value " + v + " at flat index " + i
                            + " does not fit in an int");
                }
                out[i] = (int) v;
            }
            return out;
        }

        @Override
        public String toString() {
            return "NdArray[dtype=" + dtype + ", shape=" + Shapes.str(shape) + "]";
        }
    }

    // ================================================================== reading

    /** The array of an {@code .npy} file as a float64 tensor. */
    public static Tensor read(Path file) {
        NdArray a = readArray(file);
        return Tensor.wrap(a.values(), a.shape());
    }

    /** The array of an {@code .npy} file with its dtype and, for integer dtypes, exact values. */
    public static NdArray readArray(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return readArray(in, Files.size(file), file.toString());
        } catch (NoSuchFileException e) {
            throw new UncheckedIOException("npy: file not found: " + file, e);
        } catch (IOException e) {
            throw new UncheckedIOException("npy: cannot read " + file + ": " + e, e);
        }
    }

    /** The arrays of an {@code .npz} archive, keyed by entry name without {@code .npy}, in archive order. */
    public static LinkedHashMap<String, Tensor> readNpz(Path file) {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        readNpzArrays(file).forEach((k, a) -> out.put(k, Tensor.wrap(a.values(), a.shape())));
        return out;
    }

    /** The arrays of an {@code .npz} archive with their dtypes, keyed as in {@link #readNpz}. */
    public static LinkedHashMap<String, NdArray> readNpzArrays(Path file) {
        if (!Files.exists(file)) {
            throw new UncheckedIOException("npz: file not found: " + file, new NoSuchFileException(file.toString()));
        }
        LinkedHashMap<String, NdArray> out = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                if (e.isDirectory()) {
                    continue;
                }
                String name = e.getName();
                if (!name.endsWith(".npy")) {
                    throw new IllegalArgumentException("npz: " + file + ": entry '" + name
                            + "' is not an .npy file; an npz archive holds only <key>.npy entries");
                }
                String key = name.substring(0, name.length() - 4);
                String source = file + "[" + name + "]";
                try (InputStream in = new BufferedInputStream(zip.getInputStream(e), 1 << 16)) {
                    if (out.put(key, readArray(in, e.getSize(), source)) != null) {
                        throw new IllegalArgumentException("npz: " + file + ": duplicate key '" + key + "'");
                    }
                } catch (ZipException ze) {
                    throw new IllegalArgumentException("npz: " + source + ": corrupt zip entry: " + ze.getMessage(), ze);
                }
            }
        } catch (ZipException e) {
            throw new IllegalArgumentException("npz: " + file + ": not a valid zip (npz) archive, truncated or "
                    + "corrupt: " + e.getMessage(), e);
        } catch (EOFException e) {
            throw new IllegalArgumentException("npz: " + file + ": truncated zip archive: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("npz: cannot read " + file + ": " + e, e);
        }
        return out;
    }

    /**
     * Reads one npy stream to its end; {@code length} is its total byte count if known (else -1),
     * checked before the value arrays are allocated; {@code source} names it in error messages.
     */
    static NdArray readArray(InputStream in, long length, String source) throws IOException {
        byte[] pre = new byte[8];
        int got = readFully(in, pre, 0, 8);
        if (got < 8) {
            throw corrupt(source, "too short for an npy file (" + got + " bytes; the magic and version need 8)");
        }
        if (!Arrays.equals(Arrays.copyOf(pre, 6), MAGIC)) {
            throw corrupt(source, "bad magic " + hex(pre, 6) + ", expected 93 4E 55 4D 50 59 (\\x93NUMPY); "
                    + "not an npy file");
        }
        int major = pre[6] & 0xff;
        int minor = pre[7] & 0xff;
        if (!(major >= 1 && major <= 3 && minor == 0)) {
            throw corrupt(source, "unsupported npy format version " + major + "." + minor + "; known: 1.0, 2.0, 3.0");
        }
        int lenBytes = major == 1 ? 2 : 4;
        byte[] lb = new byte[lenBytes];
        if (readFully(in, lb, 0, lenBytes) < lenBytes) {
            throw corrupt(source, "truncated in the header length field");
        }
        long hlen = lenBytes == 2 ? (lb[0] & 0xff) | (lb[1] & 0xff) << 8
                : ByteBuffer.wrap(lb).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
        if (hlen > MAX_HEADER) {
            throw corrupt(source, "header length " + hlen + " bytes is implausible (more than " + MAX_HEADER + ")");
        }
        byte[] hb = new byte[(int) hlen];
        int hgot = readFully(in, hb, 0, hb.length);
        if (hgot < hb.length) {
            throw corrupt(source, "truncated header: " + hlen + " bytes announced, " + hgot + " present");
        }
        String header = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Header h = Header.parse(header, source);
        Dtype dt = Dtype.parse(h.descr, source);
        if (h.fortranOrder) {
            throw corrupt(source, "fortran_order is True; only C-order arrays are supported "
                    + "(re-save with numpy.ascontiguousarray)");
        }
        long size = Arrays.stream(h.shape).anyMatch(d -> d == 0) ? 0 : 1;
        for (int d : h.shape) {
            size *= d;
            if (size > Integer.MAX_VALUE - 8) {
                throw corrupt(source, "shape " + Shapes.str(h.shape) + " has more elements than a Java array holds "
                        + "(2^31 - 9)");
            }
        }
        int n = (int) size;
        long nbytes = size * dt.size;
        long dataOffset = 8 + lenBytes + hlen;
        if (length >= 0 && length - dataOffset < nbytes) {
            throw truncated(source, h, nbytes, Math.max(0, length - dataOffset));
        }
        double[] values = new double[n];
        long[] longs = dt.kind == 'f' ? null : new long[n];
        byte[] chunk = new byte[Math.max(dt.size, (1 << 16) / dt.size * dt.size)];
        ByteBuffer bb = ByteBuffer.wrap(chunk).order(dt.order);
        long done = 0;
        int idx = 0;
        while (done < nbytes) {
            int want = (int) Math.min(chunk.length, nbytes - done);
            int r = readFully(in, chunk, 0, want);
            if (r < want) {
                throw truncated(source, h, nbytes, done + r);
            }
            for (int off = 0; off < want; off += dt.size) {
                dt.decode(bb, off, values, longs, idx++);
            }
            done += want;
        }
        long extra = 0;
        while (in.read() >= 0) {
            extra++;
        }
        if (extra > 0) {
            throw corrupt(source, extra + " unexpected bytes after the data of shape " + Shapes.str(h.shape)
                    + " of dtype '" + h.descr + "' (" + nbytes + " bytes); the file is corrupt or the header wrong");
        }
        return new NdArray(h.descr, h.shape, values, longs);
    }

    // ================================================================== writing

    /** Writes the tensor as float64 ({@code '<f8'}), crash-safe (temporary file + atomic rename). */
    public static void write(Path file, Tensor t) {
        write(file, NdArray.of(t));
    }

    /** Writes an array as float64 ({@code '<f8'}) or, when it has integer values, int64 ({@code '<i8'}). */
    public static void write(Path file, NdArray a) {
        atomicWrite(file, out -> writeArray(out, a));
    }

    /** Writes float64 arrays into an uncompressed (stored) {@code .npz}, like {@code numpy.savez}. */
    public static void writeNpz(Path file, Map<String, Tensor> arrays) {
        LinkedHashMap<String, NdArray> m = new LinkedHashMap<>();
        arrays.forEach((k, t) -> m.put(k, NdArray.of(t)));
        writeNpzArrays(file, m, false);
    }

    /**
     * Writes arrays (float64 or int64, e.g. labels via {@link NdArray#ofInts}) into an {@code .npz};
     * {@code compressed} deflates the entries like {@code numpy.savez_compressed}, otherwise they are
     * stored like {@code numpy.savez}. Entries are named {@code <key>.npy} in map order.
     */
    public static void writeNpzArrays(Path file, Map<String, NdArray> arrays, boolean compressed) {
        for (String k : arrays.keySet()) {
            if (k == null || k.isEmpty() || k.contains("/") || k.contains("\\")) {
                throw new IllegalArgumentException("writeNpz: key '" + k + "' must be non-empty and contain no "
                        + "'/' or '\\'");
            }
        }
        atomicWrite(file, raw -> {
            ZipOutputStream zip = new ZipOutputStream(new FilterOutputStream(raw) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush(); // atomicWrite closes the file after forcing it to disk
                }
            });
            zip.setMethod(compressed ? ZipOutputStream.DEFLATED : ZipOutputStream.STORED);
            for (Map.Entry<String, NdArray> e : arrays.entrySet()) {
                byte[] bytes = toBytes(e.getValue());
                ZipEntry ze = new ZipEntry(e.getKey() + ".npy");
                ze.setTime(315532800000L + 12L * 3600 * 1000); // fixed timestamp: reproducible archives
                if (!compressed) {
                    CRC32 crc = new CRC32();
                    crc.update(bytes);
                    ze.setSize(bytes.length);
                    ze.setCompressedSize(bytes.length);
                    ze.setCrc(crc.getValue());
                }
                zip.putNextEntry(ze);
                zip.write(bytes);
                zip.closeEntry();
            }
            zip.close();
        });
    }

    /** The complete npy bytes of an array (header + data). */
    static byte[] toBytes(NdArray a) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        writeArray(bo, a);
        return bo.toByteArray();
    }

    /** The npy header block ({@code numpy.lib.format._write_array_header}) for a C-order array. */
    static byte[] header(String descr, int[] shape) {
        StringBuilder sb = new StringBuilder("{'descr': '").append(descr).append("', 'fortran_order': False, 'shape': (");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i > 0 ? ", " : "").append(shape[i]);
        }
        sb.append(shape.length == 1 ? ",), }" : "), }");
        if (shape.length > 0) {
            sb.append(" ".repeat(GROWTH_AXIS_MAX_DIGITS - Integer.toString(shape[0]).length()));
        }
        byte[] body = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        int hlen = body.length + 1;
        int lenBytes = 2;
        int padlen = ARRAY_ALIGN - ((8 + lenBytes + hlen) % ARRAY_ALIGN);
        if (hlen + padlen > 0xffff) {
            lenBytes = 4;
            padlen = ARRAY_ALIGN - ((8 + lenBytes + hlen) % ARRAY_ALIGN);
        }
        int total = hlen + padlen;
        ByteBuffer bb = ByteBuffer.allocate(8 + lenBytes + total).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) (lenBytes == 2 ? 1 : 2)).put((byte) 0);
        if (lenBytes == 2) {
            bb.putShort((short) total);
        } else {
            bb.putInt(total);
        }
        bb.put(body);
        for (int i = 0; i < padlen; i++) {
            bb.put((byte) ' ');
        }
        bb.put((byte) '\n');
        return bb.array();
    }

    private static void writeArray(OutputStream out, NdArray a) throws IOException {
        boolean ints = a.isInteger();
        out.write(header(ints ? "<i8" : "<f8", a.shape()));
        byte[] buf = new byte[1 << 16];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int n = a.size();
        for (int i = 0; i < n; ) {
            bb.clear();
            while (i < n && bb.remaining() >= 8) {
                if (ints) {
                    bb.putLong(a.longs()[i]);
                } else {
                    bb.putDouble(a.values()[i]);
                }
                i++;
            }
            out.write(buf, 0, bb.position());
        }
    }

    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /** Writes to a temporary sibling, forces it to disk and renames it atomically over {@code file}. */
    static void atomicWrite(Path file, Writer w) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
                    OutputStream os = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16)) {
                w.write(os);
                os.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("npy: cannot write " + file + ": " + e, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the temporary file is left behind; the target is untouched
                }
            }
        }
    }

    // ================================================================== machinery

    private static IllegalArgumentException corrupt(String source, String what) {
        return new IllegalArgumentException("npy: " + source + ": " + what);
    }

    private static IllegalArgumentException truncated(String source, Header h, long nbytes, long present) {
        return corrupt(source, "data truncated: shape " + Shapes.str(h.shape) + " of dtype '" + h.descr + "' needs "
                + nbytes + " bytes after the header, only " + present + " present");
    }

    private static String hex(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? " " : "").append(String.format(Locale.ROOT, "%02X", b[i] & 0xff));
        }
        return sb.toString();
    }

    /** Reads up to {@code len} bytes, stopping only at end of stream; returns the count read. */
    static int readFully(InputStream in, byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int r = in.read(b, off + total, len - total);
            if (r < 0) {
                break;
            }
            total += r;
        }
        return total;
    }

    /** A supported dtype: byte order, kind (f, i, u, b) and item size. */
    private record Dtype(ByteOrder order, char kind, int size) {

        static Dtype parse(String descr, String source) {
            if (descr.length() >= 3) {
                char o = descr.charAt(0);
                char k = descr.charAt(1);
                String sz = descr.substring(2);
                ByteOrder order = switch (o) {
                    case '<' -> ByteOrder.LITTLE_ENDIAN;
                    case '>' -> ByteOrder.BIG_ENDIAN;
                    case '=' -> ByteOrder.nativeOrder();
                    case '|' -> sz.equals("1") ? ByteOrder.LITTLE_ENDIAN : null;
                    default -> null;
                };
                boolean ok = switch (k) {
                    case 'f' -> sz.equals("4") || sz.equals("8");
                    case 'i' -> sz.equals("1") || sz.equals("2") || sz.equals("4") || sz.equals("8");
                    case 'u' -> sz.equals("1") || sz.equals("2") || sz.equals("4");
                    case 'b' -> sz.equals("1");
                    default -> false;
                };
                if (order != null && ok) {
                    return new Dtype(order, k, Integer.parseInt(sz));
                }
            }
            throw corrupt(source, "unsupported dtype '" + descr + "'; supported: " + SUPPORTED);
        }

        void decode(ByteBuffer bb, int off, double[] values, long[] longs, int i) {
            if (kind == 'f') {
                values[i] = size == 8 ? bb.getDouble(off) : bb.getFloat(off);
                return;
            }
            long v = switch (size) {
                case 1 -> kind == 'i' ? bb.get(off) : kind == 'b' ? (bb.get(off) != 0 ? 1 : 0) : bb.get(off) & 0xffL;
                case 2 -> kind == 'i' ? bb.getShort(off) : bb.getShort(off) & 0xffffL;
                case 4 -> kind == 'i' ? bb.getInt(off) : bb.getInt(off) & 0xffffffffL;
                default -> bb.getLong(off);
            };
            longs[i] = v;
            values[i] = v;
        }
    }

    /** The parsed header dict: exactly the keys descr, fortran_order and shape. */
    private record Header(String descr, boolean fortranOrder, int[] shape) {

        static Header parse(String text, String source) {
            HeaderParser p = new HeaderParser(text, source);
            Map<String, Object> d = p.dict();
            if (!d.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
                throw p.fail("header keys are " + new TreeSet<>(d.keySet())
                        + ", expected exactly [descr, fortran_order, shape]");
            }
            Object descr = d.get("descr");
            if (!(descr instanceof String s)) {
                throw p.fail("descr is " + show(descr) + ", expected a dtype string such as '<f8'");
            }
            if (!(d.get("fortran_order") instanceof Boolean fo)) {
                throw p.fail("fortran_order is " + show(d.get("fortran_order")) + ", expected True or False");
            }
            if (!(d.get("shape") instanceof long[] sh)) {
                throw p.fail("shape is " + show(d.get("shape")) + ", expected a tuple of integers");
            }
            int[] shape = new int[sh.length];
            for (int i = 0; i < sh.length; i++) {
                if (sh[i] < 0 || sh[i] > Integer.MAX_VALUE) {
                    throw p.fail("shape " + Arrays.toString(sh) + " has a dimension outside [0, 2^31)");
                }
                shape[i] = (int) sh[i];
            }
            return new Header(s, fo, shape);
        }
    }

    private static String show(Object v) {
        return v instanceof long[] l ? Arrays.toString(l).replace('[', '(').replace(']', ')') : String.valueOf(v);
    }

    /** A recursive-descent parser of the Python literal subset npy headers use. */
    private static final class HeaderParser {
        private final String s;
        private final String source;
        private int i;

        HeaderParser(String s, String source) {
            this.s = s;
            this.source = source;
        }

        IllegalArgumentException fail(String what) {
            String shown = s.strip();
            if (shown.length() > 200) {
                shown = shown.substring(0, 200) + "...";
            }
            return corrupt(source, "bad header dict: " + what + " (header: " + shown + ")");
        }

        private void ws() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private boolean eat(char c) {
            ws();
            if (i < s.length() && s.charAt(i) == c) {
                i++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!eat(c)) {
                throw fail("expected '" + c + "' at offset " + i);
            }
        }

        Map<String, Object> dict() {
            expect('{');
            Map<String, Object> d = new LinkedHashMap<>();
            while (!eat('}')) {
                ws();
                Object k = value();
                if (!(k instanceof String key)) {
                    throw fail("dict key at offset " + i + " is not a string");
                }
                expect(':');
                if (d.put(key, value()) != null) {
                    throw fail("duplicate key '" + key + "'");
                }
                if (!eat(',')) {
                    expect('}');
                    break;
                }
            }
            ws();
            if (i != s.length()) {
                throw fail("unexpected text after the dict at offset " + i);
            }
            return d;
        }

        Object value() {
            ws();
            if (i >= s.length()) {
                throw fail("unexpected end of header");
            }
            char c = s.charAt(i);
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, i + 1);
                if (end < 0) {
                    throw fail("unterminated string at offset " + i);
                }
                String v = s.substring(i + 1, end);
                i = end + 1;
                return v;
            }
            if (s.startsWith("True", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            if (c == '(') {
                i++;
                List<Long> dims = new ArrayList<>();
                while (!eat(')')) {
                    dims.add(integer());
                    if (!eat(',')) {
                        expect(')');
                        break;
                    }
                }
                return dims.stream().mapToLong(Long::longValue).toArray();
            }
            if (c == '[') { // structured dtype descr: report, do not interpret
                int depth = 0;
                int start = i;
                for (; i < s.length(); i++) {
                    depth += s.charAt(i) == '[' ? 1 : s.charAt(i) == ']' ? -1 : 0;
                    if (depth == 0) {
                        i++;
                        return s.substring(start, i);
                    }
                }
                throw fail("unterminated list");
            }
            if (c == '-' || Character.isDigit(c)) {
                return integer();
            }
            throw fail("unexpected character '" + c + "' at offset " + i);
        }

        long integer() {
            ws();
            int start = i;
            if (i < s.length() && s.charAt(i) == '-') {
                i++;
            }
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (start == i || (s.charAt(start) == '-' && i == start + 1)) {
                throw fail("expected an integer at offset " + start);
            }
            String digits = s.substring(start, i);
            if (i < s.length() && s.charAt(i) == 'L') { // Python 2 long suffix
                i++;
            }
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw fail("integer " + digits + " out of range");
            }
        }
    }
}
