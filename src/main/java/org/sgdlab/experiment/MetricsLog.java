package org.sgdlab.experiment;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * An in-memory {@link RunListener}: metric rows, diagnostic results and events, in order.
 *
 * <p>Rows are stored by column: a {@code double} or {@code long} per row for columns holding
 * {@link Double}s or {@link Long}s (a run's metrics), objects otherwise, plus each row's list of keys.
 * {@link #rows()} gives them back as maps equal to the ones received (same keys in the same order,
 * same values of the same types, nulls included). A number costs 8 bytes (and the slack of arrays
 * that grow by doubling) instead of a map entry and a box, about 60 bytes: a run of 200,000 steps
 * logged every step keeps its rows in a few tens of MB, not hundreds.
 */
public final class MetricsLog implements RunListener {

    /** A diagnostic result with its step and trigger. */
    public record Measurement(String name, long step, Record result, String trigger) {
    }

    private final Map<String, Column> columns = new HashMap<>();
    /** The distinct key lists of the rows, and for each row the index of its own. */
    private final List<String[]> schemas = new ArrayList<>();
    private int[] schemaOf = new int[64];
    private int count;
    private final List<Measurement> measurements = new ArrayList<>();
    private final List<Map<String, Object>> events = new ArrayList<>();
    private RunResult result;
    private double wallSeconds = Double.NaN;
    private double cpuSeconds = Double.NaN;

    /** Records how long the run took (wall clock, and CPU of the thread that trained it); NaN when not set. */
    public void timed(double wall, double cpu) {
        wallSeconds = wall;
        cpuSeconds = cpu;
    }

    /** The wall-clock seconds of the run ({@link #timed}); for a replayed run those of the run that was trained. */
    public double wallSeconds() {
        return wallSeconds;
    }

    /** The CPU seconds of the thread that trained the run ({@link #timed}); NaN when not measured. */
    public double cpuSeconds() {
        return cpuSeconds;
    }

    @Override
    public void metrics(Map<String, Object> row) {
        String[] keys = row.keySet().toArray(new String[0]);
        int s = count > 0 ? schemaOf[count - 1] : -1;          // usually the previous row's keys
        if (s < 0 || !Arrays.equals(schemas.get(s), keys)) {
            s = -1;
            for (int i = 0; i < schemas.size() && s < 0; i++) {
                if (Arrays.equals(schemas.get(i), keys)) {
                    s = i;
                }
            }
            if (s < 0) {
                schemas.add(keys);
                s = schemas.size() - 1;
            }
        }
        if (count == schemaOf.length) {
            schemaOf = Arrays.copyOf(schemaOf, 2 * count);
        }
        schemaOf[count] = s;
        for (String k : keys) {
            columns.computeIfAbsent(k, x -> new Column()).set(count, row.get(k));
        }
        count++;
    }

    @Override
    public void diagnostic(String name, long step, Record r, String trigger) {
        measurements.add(new Measurement(name, step, r, trigger));
    }

    @Override
    public void event(Map<String, Object> e) {
        events.add(Collections.unmodifiableMap(new LinkedHashMap<>(e)));
    }

    @Override
    public void finished(RunResult r) {
        result = r;
    }

    /** The rows, as unmodifiable maps equal to those received. */
    public List<Map<String, Object>> rows() {
        int n = count;
        return new AbstractList<>() {
            @Override
            public Map<String, Object> get(int i) {
                if (i < 0 || i >= n) {
                    throw new IndexOutOfBoundsException("row " + i + " of " + n);
                }
                return new Row(i);
            }

            @Override
            public int size() {
                return n;
            }
        };
    }

    public List<Measurement> measurements() {
        return Collections.unmodifiableList(measurements);
    }

    /** The measurements of one diagnostic, in order. */
    public List<Measurement> measurements(String name) {
        return measurements.stream().filter(m -> m.name().equals(name)).toList();
    }

    public List<Map<String, Object>> events() {
        return Collections.unmodifiableList(events);
    }

    public RunResult result() {
        return result;
    }

    /** The values of one metric column (NaN where absent or not a number), aligned with {@link #steps()}. */
    public double[] column(String key) {
        double[] out = new double[count];
        Column c = columns.get(key);
        for (int i = 0; i < out.length; i++) {
            Object v = c != null && has(i, key) ? c.get(i) : null;
            out[i] = v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        return out;
    }

    public long[] steps() {
        long[] out = new long[count];
        Column c = columns.get("step");
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) c.get(i)).longValue();
        }
        return out;
    }

    private boolean has(int row, String key) {
        for (String k : schemas.get(schemaOf[row])) {
            if (k.equals(key)) {
                return true;
            }
        }
        return false;
    }

    /** Row {@code i} as an unmodifiable map (its keys in their order, values from the columns). */
    private final class Row extends AbstractMap<String, Object> {
        private final int i;
        private final String[] keys;

        Row(int i) {
            this.i = i;
            this.keys = schemas.get(schemaOf[i]);
        }

        @Override
        public Object get(Object key) {
            for (String k : keys) {
                if (k.equals(key)) {
                    return columns.get(k).get(i);
                }
            }
            return null;
        }

        @Override
        public boolean containsKey(Object key) {
            return Arrays.asList(keys).contains(key);
        }

        @Override
        public Set<Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, Object>> iterator() {
                    return new Iterator<>() {
                        private int k;

                        @Override
                        public boolean hasNext() {
                            return k < keys.length;
                        }

                        @Override
                        public Entry<String, Object> next() {
                            if (k >= keys.length) {
                                throw new NoSuchElementException();
                            }
                            String key = keys[k++];
                            return new SimpleImmutableEntry<>(key, columns.get(key).get(i));
                        }
                    };
                }

                @Override
                public int size() {
                    return keys.length;
                }
            };
        }
    }

    /**
     * One column's values by row: doubles while every value is a {@link Double}, longs while every
     * value is a {@link Long}, objects once another type (or a mix) arrives; nulls in a bit set.
     * Rows that do not have the key leave their slot unused.
     */
    private static final class Column {
        private double[] doubles;
        private long[] longs;
        private Object[] objects;
        private final BitSet nulls = new BitSet();

        void set(int row, Object v) {
            if (v == null) {
                nulls.set(row);
                return;
            }
            if (objects == null && longs == null && v instanceof Double d) {
                doubles = grow(doubles, row);
                doubles[row] = d;
            } else if (objects == null && doubles == null && v instanceof Long l) {
                longs = grow(longs, row);
                longs[row] = l;
            } else {
                if (objects == null) {
                    toObjects(row);
                }
                if (row >= objects.length) {
                    objects = Arrays.copyOf(objects, Math.max(2 * objects.length, row + 1));
                }
                objects[row] = v;
            }
        }

        Object get(int row) {
            if (nulls.get(row)) {
                return null;
            }
            if (doubles != null) {
                return doubles[row];
            }
            if (longs != null) {
                return longs[row];
            }
            return objects[row];
        }

        /** Boxes the values so far (each as the type it arrived as). */
        private void toObjects(int rows) {
            objects = new Object[Math.max(16, rows + 1)];
            int n = doubles != null ? Math.min(rows, doubles.length) : longs != null ? Math.min(rows, longs.length) : 0;
            for (int r = 0; r < n; r++) {
                objects[r] = doubles != null ? (Object) doubles[r] : (Object) longs[r];
            }
            doubles = null;
            longs = null;
        }

        private static double[] grow(double[] a, int row) {
            if (a == null) {
                return new double[Math.max(64, row + 1)];
            }
            return row < a.length ? a : Arrays.copyOf(a, Math.max(2 * a.length, row + 1));
        }

        private static long[] grow(long[] a, int row) {
            if (a == null) {
                return new long[Math.max(64, row + 1)];
            }
            return row < a.length ? a : Arrays.copyOf(a, Math.max(2 * a.length, row + 1));
        }
    }
}
