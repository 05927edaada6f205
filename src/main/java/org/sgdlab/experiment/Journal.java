package org.sgdlab.experiment;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.sgdlab.tensor.Tensor;

/**
 * An exact recording of what a run told its listeners, so a study re-run after a kill can reuse the
 * runs that had finished ({@code runs/<id>/journal.bin}).
 *
 * <p>The run directory's JSON files are for people and pandas: they flatten maps, drop wall-clock
 * fields and write non-finite numbers as {@code null}, so the typed records a study analyses cannot
 * be read back from them. The journal keeps every listener call but {@link RunListener#timing} in
 * order, with each value bit for bit (doubles by their raw bits, records by their components, tensors
 * by shape and data), and {@link #replay} makes the same calls again. A study that analyses a replayed
 * run therefore computes the same bytes as one that trained it.
 *
 * <p>The file is gzip of: the magic line, a key (what the run was: build, study context,
 * configuration; a different key means the file is not reused), then one tagged entry per call and an
 * end mark. It is written to a temporary name while the run trains and renamed only after the run
 * directory is complete, so a journal exists only for a finished run.
 *
 * <p>{@link #store} and {@link #load} keep one computed value the same way (a memo: magic, key, the value,
 * end mark), for a study's computations that are not runs.
 */
public final class Journal {

    /** The file name inside a run directory. */
    public static final String FILE = "journal.bin";
    private static final String MAGIC = "sgdlab-journal 1";

    private static final byte STARTED = 'S';
    private static final byte METRICS = 'M';
    private static final byte DIAGNOSTIC = 'D';
    private static final byte EVENT = 'E';
    private static final byte CHECKPOINT = 'C';
    private static final byte FINISHED = 'F';
    private static final byte AFTER = 'W';
    private static final byte END = 'Z';
    private static final byte VALUE = 'V';
    private static final String MEMO_MAGIC = "sgdlab-memo 1";

    private Journal() {
    }

    /**
     * A listener that records into {@code dir/journal.bin} while a run trains. The file is opened at
     * {@link #started} (after the run directory has been prepared) and appears under its final name
     * only on {@link #commit}; {@link #close} without a commit deletes it.
     */
    public static final class Writer implements RunListener, AutoCloseable {
        private final Path file;
        private final Path tmp;
        private final String key;
        private DataOutputStream out;
        private boolean committed;
        /** Why the journal was abandoned; null while it records. */
        private String broken;

        public Writer(Path dir, String key) {
            this.file = dir.resolve(FILE);
            this.tmp = dir.resolve("." + FILE + ".tmp");
            this.key = Objects.requireNonNull(key);
        }

        private DataOutputStream out() throws IOException {
            if (out == null) {
                Files.createDirectories(file.getParent());
                out = new DataOutputStream(new BufferedOutputStream(new GZIPOutputStream(Files.newOutputStream(tmp), 1 << 16)));
                writeString(out, MAGIC);
                writeString(out, key);
            }
            return out;
        }

        /** Records one call; a value it cannot record or a full disk ends the journal, never the run. */
        private void entry(byte tag, Object... values) {
            if (broken != null) {
                return;
            }
            try {
                DataOutputStream o = out();
                o.writeByte(tag);
                for (Object v : values) {
                    write(o, v);
                }
            } catch (IOException | IllegalArgumentException e) {
                broken = e.getMessage() != null ? e.getMessage() : e.toString();
            }
        }

        /** Why the journal was abandoned, or null while it records. */
        public String broken() {
            return broken;
        }

        @Override
        public void started(TrainConfig config, long fromStep) {
            entry(STARTED, fromStep);
        }

        @Override
        public void metrics(Map<String, Object> row) {
            entry(METRICS, row);
        }

        @Override
        public void diagnostic(String name, long step, Record result, String trigger) {
            entry(DIAGNOSTIC, name, step, result, trigger);
        }

        @Override
        public void event(Map<String, Object> event) {
            entry(EVENT, event);
        }

        @Override
        public void checkpoint(Checkpoint checkpoint) {
            entry(CHECKPOINT, checkpoint);
        }

        @Override
        public void finished(RunResult result) {
            entry(FINISHED, result);
        }

        /**
         * Ends the file with what a replay hands back ({@link Replayed}: the run's wall and CPU seconds and the
         * states of its {@link Stateful} objects) and gives it its final name, the run it records being complete
         * on disk; see {@link #broken}.
         */
        public void commit(double wallSeconds, double cpuSeconds, List<Record> states) {
            entry(AFTER, wallSeconds, cpuSeconds, states);
            if (broken != null) {
                return;
            }
            try {
                out().writeByte(END);
                out.close();
                out = null;
                Json.replace(tmp, file);
                committed = true;
            } catch (IOException e) {
                broken = "cannot write " + file + ": " + e.getMessage();
            }
        }

        @Override
        public void close() {
            try {
                if (out != null) {
                    out.close();
                }
                if (!committed) {
                    Files.deleteIfExists(tmp);
                }
            } catch (IOException ignored) {
                // a leftover temporary file is never read
            }
        }
    }

    /**
     * The key of a run: the code that runs it ({@link #build}), the caller's context (e.g. a study's
     * name, variant, base seed and data), the run's id and a SHA-256 digest of its configuration
     * (model, loss, optimizer, sampler and diagnostics by their descriptions, every scalar setting, the
     * initial parameters and the data, bit for bit).
     */
    public static String key(String context, String id, TrainConfig c) {
        MessageDigest md = sha256();
        StringBuilder sb = new StringBuilder();
        sb.append(c.problem().model().describe()).append('\n').append(c.problem().loss().describe()).append('\n')
                .append(c.optimizer().describe()).append('\n').append(c.sampler().name()).append(' ')
                .append(c.sampler().batchSize()).append(' ').append(c.sampler().size()).append('\n')
                .append(c.problem().physicalBatch()).append(' ').append(c.steps()).append(' ').append(c.seed()).append(' ')
                .append(c.evalEvery()).append(' ').append(c.testEvery()).append(' ').append(c.lossGoal()).append(' ')
                .append(c.accuracyGoal()).append(' ').append(c.divergenceLoss()).append(' ').append(c.divergenceParam())
                .append(' ').append(c.labelNoiseStd()).append(' ').append(c.spikeKappa()).append(' ')
                .append(c.checkpointEvery()).append(' ').append(c.fullGradNorm()).append(' ').append(c.logEvery())
                .append(' ').append(c.controller() == null ? "-" : c.controller().getClass().getName()).append('\n');
        for (Scheduled d : c.diagnostics()) {
            sb.append(d.diagnostic().getClass().getName()).append(' ').append(d.diagnostic().name()).append(' ')
                    .append(d.every()).append(' ').append(d.start()).append(' ').append(java.util.Arrays.toString(d.at()))
                    .append(' ').append(d.atEnd()).append(' ').append(d.onEvents()).append('\n');
        }
        md.update(sb.toString().getBytes(StandardCharsets.UTF_8));
        digest(md, c.theta0());
        for (org.sgdlab.data.Dataset d : new org.sgdlab.data.Dataset[] {c.problem().train(), c.problem().test()}) {
            if (d != null) {
                md.update((d.name() + " " + d.classes()).getBytes(StandardCharsets.UTF_8));
                digest(md, d.x());
                digest(md, d.y());
            }
        }
        return "build " + build() + "\n" + context + "\nrun " + id + "\nconfig " + HexFormat.of().formatHex(md.digest());
    }

    /**
     * The key of a computation that is not a run (e.g. a study's gradient flow): the build, the caller's
     * context, an id, a description of every setting it depends on and a SHA-256 digest of its input
     * tensors, bit for bit.
     */
    public static String key(String context, String id, String description, Tensor... inputs) {
        MessageDigest md = sha256();
        md.update(description.getBytes(StandardCharsets.UTF_8));
        for (Tensor t : inputs) {
            digest(md, t);
        }
        return "build " + build() + "\n" + context + "\nmemo " + id + "\ninputs " + HexFormat.of().formatHex(md.digest());
    }

    /**
     * Stores a computed value (anything the codec records, see {@link #write}) under {@code key} in
     * {@code file}: written to a temporary name, then renamed, so the file is either complete or absent.
     *
     * @return null when stored, else why not (the caller computes again next time)
     */
    public static String store(Path file, String key, Object value) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(
                    new GZIPOutputStream(Files.newOutputStream(tmp), 1 << 16)))) {
                writeString(o, MEMO_MAGIC);
                writeString(o, key);
                o.writeByte(VALUE);
                write(o, value);
                o.writeByte(END);
            }
            Json.replace(tmp, file);
            return null;
        } catch (IOException | IllegalArgumentException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temporary file is never read
            }
            return e.getMessage() != null ? e.getMessage() : e.toString();
        }
    }

    /** The value {@link #store} left in {@code file} under {@code key}; null when absent, damaged or of another key. */
    public static Object load(Path file, String key) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try (DataInputStream in = open(file)) {
            if (!readString(in).equals(MEMO_MAGIC) || !readString(in).equals(key) || in.readByte() != VALUE) {
                return null;
            }
            Object v = read(in);
            if (in.readByte() != END || in.read() != -1) {      // reading on checks gzip's CRC and length
                return null;
            }
            return v;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void digest(MessageDigest md, Tensor t) {
        if (t == null) {
            md.update((byte) 0);
            return;
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16);
        b.putLong(t.shape().length);
        for (int s : t.shape()) {
            b.putLong(s);
        }
        for (double x : t.toArray()) {
            if (b.remaining() < 8) {
                md.update(b.array(), 0, b.position());
                b.clear();
            }
            b.putLong(Double.doubleToRawLongBits(x));
        }
        md.update(b.array(), 0, b.position());
    }

    private static String build;

    /**
     * The code this process runs, as the SHA-256 of its jar (or of the class files of its classes
     * directory, sorted by path), so a journal of another build is never reused.
     */
    public static synchronized String build() {
        if (build == null) {
            MessageDigest md = sha256();
            try {
                Path p = Path.of(Journal.class.getProtectionDomain().getCodeSource().getLocation().toURI());
                if (Files.isRegularFile(p)) {
                    md.update(Files.readAllBytes(p));
                } else {
                    try (java.util.stream.Stream<Path> s = Files.walk(p)) {
                        for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                            md.update(p.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
                            md.update(Files.readAllBytes(f));
                        }
                    }
                }
            } catch (IOException | java.net.URISyntaxException | RuntimeException e) {
                // no code location: a key no other process can have, so nothing is reused
                md.update(Long.toString(System.nanoTime()).getBytes(StandardCharsets.UTF_8));
                md.update(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8));
            }
            build = HexFormat.of().formatHex(md.digest()).substring(0, 16);
        }
        return build;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The key stored in {@code dir/journal.bin}, or null when there is no readable journal. */
    public static String key(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try (DataInputStream in = open(f)) {
            return readString(in).equals(MAGIC) ? readString(in) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Makes the recorded calls again on {@code listener} when {@code dir} holds a complete journal
     * stored under {@code key}; {@code config} is passed to {@link RunListener#started}. The file is
     * read in full before the first call, so a damaged journal calls nothing.
     *
     * @return what the run's closing entry holds, or null when nothing was replayed
     */
    public static Replayed replay(Path dir, String key, TrainConfig config, RunListener listener) {
        if (!Files.isRegularFile(dir.resolve(FILE))) {
            return null;
        }
        List<Object[]> entries = new ArrayList<>();
        Object[] after = null;
        try (DataInputStream in = open(dir.resolve(FILE))) {
            if (!readString(in).equals(MAGIC) || !readString(in).equals(key)) {
                return null;                         // not a journal, or of another build, context or configuration
            }
            while (true) {
                byte tag = in.readByte();
                if (tag == END) {
                    if (in.read() != -1) {                 // reading on checks gzip's CRC and length
                        throw new IOException("data after the end mark");
                    }
                    break;
                }
                int n = switch (tag) {
                    case STARTED, METRICS, EVENT, CHECKPOINT, FINISHED -> 1;
                    case DIAGNOSTIC -> 4;
                    case AFTER -> 3;
                    default -> throw new IOException("unknown entry " + tag);
                };
                Object[] e = new Object[n + 1];
                e[0] = tag;
                for (int i = 1; i <= n; i++) {
                    e[i] = read(in);
                }
                if (tag == AFTER) {
                    after = e;
                } else {
                    entries.add(e);
                }
            }
            if (after == null) {
                throw new IOException("no closing entry");
            }
        } catch (IOException | RuntimeException e) {
            return null;                             // torn or from another build: train again
        }
        for (Object[] e : entries) {
            switch ((byte) e[0]) {
                case STARTED -> listener.started(config, (Long) e[1]);
                case METRICS -> listener.metrics(cast(e[1]));
                case DIAGNOSTIC -> listener.diagnostic((String) e[1], (Long) e[2], (Record) e[3], (String) e[4]);
                case EVENT -> listener.event(cast(e[1]));
                case CHECKPOINT -> listener.checkpoint((Checkpoint) e[1]);
                case FINISHED -> listener.finished((RunResult) e[1]);
                default -> throw new IllegalStateException();
            }
        }
        @SuppressWarnings("unchecked")
        List<Record> states = (List<Record>) after[3];
        return new Replayed((Double) after[1], (Double) after[2], states);
    }

    /**
     * What a replay hands back besides the listener calls: the wall and CPU seconds the run took when it
     * was trained and the states of its {@link Stateful} objects, in the order they were given to
     * {@link Writer#commit}.
     */
    public record Replayed(double wallSeconds, double cpuSeconds, List<Record> states) {
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }

    private static DataInputStream open(Path f) throws IOException {
        InputStream raw = Files.newInputStream(f);
        try {
            return new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16)));
        } catch (IOException e) {
            raw.close();
            throw e;
        }
    }

    // ============================================================ values

    private static final byte NULL = 0;
    private static final byte BOOLEAN = 1;
    private static final byte INT = 2;
    private static final byte LONG = 3;
    private static final byte DOUBLE = 4;
    private static final byte STRING = 5;
    private static final byte DOUBLES = 6;
    private static final byte INTS = 7;
    private static final byte LONGS = 8;
    private static final byte BOOLEANS = 9;
    private static final byte ARRAY = 10;
    private static final byte LIST = 11;
    private static final byte MAP = 12;
    private static final byte RECORD = 13;
    private static final byte ENUM = 14;
    private static final byte TENSOR = 15;

    /**
     * Writes one value: null, a boxed boolean, int, long or double, a string, an array (of those or
     * of objects), a list, a map (in its iteration order), a record, an enum constant or a tensor.
     *
     * @throws IllegalArgumentException for any other type, naming it
     */
    static void write(DataOutputStream o, Object v) throws IOException {
        if (v == null) {
            o.writeByte(NULL);
        } else if (v instanceof Boolean b) {
            o.writeByte(BOOLEAN);
            o.writeBoolean(b);
        } else if (v instanceof Integer i) {
            o.writeByte(INT);
            o.writeInt(i);
        } else if (v instanceof Long l) {
            o.writeByte(LONG);
            o.writeLong(l);
        } else if (v instanceof Double d) {
            o.writeByte(DOUBLE);
            o.writeLong(Double.doubleToRawLongBits(d));
        } else if (v instanceof String s) {
            o.writeByte(STRING);
            writeString(o, s);
        } else if (v instanceof double[] a) {
            o.writeByte(DOUBLES);
            writeDoubles(o, a);
        } else if (v instanceof int[] a) {
            o.writeByte(INTS);
            o.writeInt(a.length);
            for (int x : a) {
                o.writeInt(x);
            }
        } else if (v instanceof long[] a) {
            o.writeByte(LONGS);
            o.writeInt(a.length);
            for (long x : a) {
                o.writeLong(x);
            }
        } else if (v instanceof boolean[] a) {
            o.writeByte(BOOLEANS);
            o.writeInt(a.length);
            for (boolean x : a) {
                o.writeBoolean(x);
            }
        } else if (v instanceof Object[] a) {
            o.writeByte(ARRAY);
            writeString(o, a.getClass().getComponentType().getName());
            o.writeInt(a.length);
            for (Object x : a) {
                write(o, x);
            }
        } else if (v instanceof List<?> l) {
            o.writeByte(LIST);
            o.writeInt(l.size());
            for (Object x : l) {
                write(o, x);
            }
        } else if (v instanceof Map<?, ?> m) {
            o.writeByte(MAP);
            o.writeInt(m.size());
            for (Map.Entry<?, ?> e : m.entrySet()) {
                write(o, e.getKey());
                write(o, e.getValue());
            }
        } else if (v instanceof Record r) {
            o.writeByte(RECORD);
            writeString(o, r.getClass().getName());
            RecordComponent[] cs = r.getClass().getRecordComponents();
            for (RecordComponent c : cs) {
                try {
                    var acc = c.getAccessor();
                    acc.setAccessible(true);
                    write(o, acc.invoke(r));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalArgumentException("journal: cannot read " + r.getClass().getName() + "." + c.getName(), e);
                }
            }
        } else if (v instanceof Enum<?> e) {
            o.writeByte(ENUM);
            writeString(o, e.getDeclaringClass().getName());
            writeString(o, e.name());
        } else if (v instanceof Tensor t) {
            o.writeByte(TENSOR);
            int[] shape = t.shape();
            o.writeInt(shape.length);
            for (int s : shape) {
                o.writeInt(s);
            }
            writeDoubles(o, t.toArray());
        } else {
            throw new IllegalArgumentException("journal: a value of type " + v.getClass().getName()
                    + " cannot be recorded (allowed: null, boolean, int, long, double, String, arrays, lists, maps,"
                    + " records, enums, tensors)");
        }
    }

    /** Reads one value written by {@link #write}; lists and maps come back as ArrayList and LinkedHashMap. */
    static Object read(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case BOOLEAN:
                return in.readBoolean();
            case INT:
                return in.readInt();
            case LONG:
                return in.readLong();
            case DOUBLE:
                return Double.longBitsToDouble(in.readLong());
            case STRING:
                return readString(in);
            case DOUBLES:
                return readDoubles(in);
            case INTS: {
                int[] a = new int[length(in)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = in.readInt();
                }
                return a;
            }
            case LONGS: {
                long[] a = new long[length(in)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = in.readLong();
                }
                return a;
            }
            case BOOLEANS: {
                boolean[] a = new boolean[length(in)];
                for (int i = 0; i < a.length; i++) {
                    a[i] = in.readBoolean();
                }
                return a;
            }
            case ARRAY: {
                Class<?> component = type(readString(in));
                int n = length(in);
                Object a = Array.newInstance(component, n);
                for (int i = 0; i < n; i++) {
                    Array.set(a, i, read(in));
                }
                return a;
            }
            case LIST: {
                int n = length(in);
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(read(in));
                }
                return l;
            }
            case MAP: {
                int n = length(in);
                Map<Object, Object> m = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    Object k = read(in);
                    m.put(k, read(in));
                }
                return m;
            }
            case RECORD: {
                Class<?> c = type(readString(in));
                if (!c.isRecord()) {
                    throw new IOException(c.getName() + " is not a record");
                }
                RecordComponent[] cs = c.getRecordComponents();
                Class<?>[] types = new Class<?>[cs.length];
                Object[] args = new Object[cs.length];
                for (int i = 0; i < cs.length; i++) {
                    types[i] = cs[i].getType();
                    args[i] = read(in);
                }
                try {
                    Constructor<?> k = c.getDeclaredConstructor(types);
                    k.setAccessible(true);
                    return k.newInstance(args);
                } catch (ReflectiveOperationException | IllegalArgumentException e) {
                    throw new IOException("cannot rebuild " + c.getName(), e);
                }
            }
            case ENUM: {
                Class<?> c = type(readString(in));
                String name = readString(in);
                for (Object k : c.getEnumConstants()) {
                    if (((Enum<?>) k).name().equals(name)) {
                        return k;
                    }
                }
                throw new IOException(c.getName() + " has no constant " + name);
            }
            case TENSOR: {
                int[] shape = new int[length(in)];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = in.readInt();
                }
                return Tensor.of(readDoubles(in), shape);
            }
            default:
                throw new IOException("unknown value tag " + tag);
        }
    }

    private static Class<?> type(String name) throws IOException {
        try {
            return switch (name) {
                case "double" -> double.class;
                case "int" -> int.class;
                case "long" -> long.class;
                case "boolean" -> boolean.class;
                default -> Class.forName(name, false, Journal.class.getClassLoader());
            };
        } catch (ClassNotFoundException e) {
            throw new IOException("unknown class " + name, e);
        }
    }

    private static int length(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            throw new IOException("negative length " + n);
        }
        return n;
    }

    private static void writeDoubles(DataOutputStream o, double[] a) throws IOException {
        o.writeInt(a.length);
        for (double x : a) {
            o.writeLong(Double.doubleToRawLongBits(x));
        }
    }

    private static double[] readDoubles(DataInputStream in) throws IOException {
        double[] a = new double[length(in)];
        for (int i = 0; i < a.length; i++) {
            a[i] = Double.longBitsToDouble(in.readLong());
        }
        return a;
    }

    private static void writeString(DataOutputStream o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeInt(b.length);
        o.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = length(in);
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new EOFException("a string of " + n + " bytes ends after " + b.length);
        }
        return new String(b, StandardCharsets.UTF_8);
    }
}
