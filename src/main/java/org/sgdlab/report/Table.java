package org.sgdlab.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Columns read from one JSONL file of a run directory (metrics.jsonl or diagnostics/&lt;name&gt;.jsonl): one
 * row per JSON object, keyed by its "step". A value that is missing or null in a row is "not measured at that
 * step" and is left out of {@link #series}; NaN or infinite values are kept (a plot shows them as gaps).
 * Nested objects are flattened with dots ({@code {"a":{"b":1}}} gives column "a.b"); an array of numbers is an
 * array column, any other array of at most 16 elements gives scalar columns by index as
 * {@link org.sgdlab.experiment.RecordFields} spreads it ({@code {"layers":[{"d":1}]}} gives column
 * "layers.0.d").
 */
public final class Table {

    /** Steps and values of one column, only where the column was measured. */
    public record XY(double[] x, double[] y) {
        public int size() {
            return x.length;
        }
    }

    private final String source;
    private final long[] steps;
    private final Map<String, double[]> numeric;
    private final Map<String, BitSet> present;
    private final List<String> flags;
    private final Map<String, double[][]> arrays;

    private Table(String source, long[] steps, Map<String, double[]> numeric, Map<String, BitSet> present,
            List<String> flags, Map<String, double[][]> arrays) {
        this.source = source;
        this.steps = steps;
        this.numeric = numeric;
        this.present = present;
        this.flags = flags;
        this.arrays = arrays;
    }

    /** An empty table (the file was absent). */
    static Table empty(String source) {
        return new Table(source, new long[0], new LinkedHashMap<>(), new LinkedHashMap<>(), List.of(),
                new LinkedHashMap<>());
    }

    /** The file this table came from, relative to the run directory. */
    public String source() {
        return source;
    }

    public int size() {
        return steps.length;
    }

    public boolean isEmpty() {
        return steps.length == 0;
    }

    public long[] steps() {
        return steps.clone();
    }

    /** Numeric (non-boolean) scalar columns in order of first appearance, "step" excluded. */
    public List<String> columns() {
        List<String> out = new ArrayList<>();
        for (String c : numeric.keySet()) {
            if (!flags.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /** Boolean columns (stored as 1/0), e.g. "converged". */
    public List<String> flagColumns() {
        return List.copyOf(flags);
    }

    /** Numeric array columns, e.g. "hess_eig". */
    public List<String> arrayColumns() {
        return new ArrayList<>(arrays.keySet());
    }

    /** True when the scalar, flag or array column has a value in at least one row. */
    public boolean has(String col) {
        return numeric.containsKey(col) || arrays.containsKey(col);
    }

    /** The column's values where measured (x = step). Empty if the column does not exist. */
    public XY series(String col) {
        double[] v = numeric.get(col);
        if (v == null) {
            return new XY(new double[0], new double[0]);
        }
        BitSet p = present.get(col);
        int n = p.cardinality();
        double[] x = new double[n];
        double[] y = new double[n];
        int k = 0;
        for (int i = p.nextSetBit(0); i >= 0; i = p.nextSetBit(i + 1)) {
            x[k] = steps[i];
            y[k] = v[i];
            k++;
        }
        return new XY(x, y);
    }

    /** The value in row {@code row}, NaN when not measured there (see {@link #measured}). */
    public double value(String col, int row) {
        double[] v = numeric.get(col);
        return v == null || !present.get(col).get(row) ? Double.NaN : v[row];
    }

    /** True when the column has a value (possibly NaN) in row {@code row}. */
    public boolean measured(String col, int row) {
        BitSet p = present.get(col);
        return p != null && p.get(row);
    }

    /** The last finite value of the column. */
    public OptionalDouble lastFinite(String col) {
        XY s = series(col);
        for (int i = s.size() - 1; i >= 0; i--) {
            if (Double.isFinite(s.y()[i])) {
                return OptionalDouble.of(s.y()[i]);
            }
        }
        return OptionalDouble.empty();
    }

    /** The last measured value of the column, finite or not. */
    public OptionalDouble last(String col) {
        XY s = series(col);
        return s.size() == 0 ? OptionalDouble.empty() : OptionalDouble.of(s.y()[s.size() - 1]);
    }

    /** Array values per row (null where absent). */
    public List<double[]> arrays(String col) {
        double[][] a = arrays.get(col);
        List<double[]> out = new ArrayList<>();
        if (a != null) {
            for (double[] r : a) {
                out.add(r == null ? null : r.clone());
            }
        }
        return out;
    }

    /** The longest array in the column (0 if none). */
    public int arrayLength(String col) {
        int m = 0;
        double[][] a = arrays.get(col);
        if (a != null) {
            for (double[] r : a) {
                if (r != null) {
                    m = Math.max(m, r.length);
                }
            }
        }
        return m;
    }

    /** Component {@code k} of an array column over the rows whose array has it. */
    public XY arrayComponent(String col, int k) {
        double[][] a = arrays.get(col);
        if (a == null) {
            return new XY(new double[0], new double[0]);
        }
        double[] x = new double[a.length];
        double[] y = new double[a.length];
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != null && a[i].length > k) {
                x[n] = steps[i];
                y[n] = a[i][k];
                n++;
            }
        }
        return new XY(Arrays.copyOf(x, n), Arrays.copyOf(y, n));
    }

    @Override
    public String toString() {
        return "Table[" + source + ", " + steps.length + " rows, columns " + numeric.keySet() + ", arrays "
                + arrays.keySet() + "]";
    }

    /** Accumulates rows; package-private (filled by {@link RunData}). */
    static final class Builder {
        private final String source;
        private long[] steps = new long[64];
        private int n;
        private final Map<String, double[]> numeric = new LinkedHashMap<>();
        private final Map<String, BitSet> present = new LinkedHashMap<>();
        private final List<String> flags = new ArrayList<>();
        private final Map<String, double[][]> arrays = new LinkedHashMap<>();

        Builder(String source) {
            this.source = source;
        }

        /** Starts a row; returns its index. */
        int row(long step) {
            if (n == steps.length) {
                steps = Arrays.copyOf(steps, n * 2);
                for (Map.Entry<String, double[]> e : numeric.entrySet()) {
                    e.setValue(Arrays.copyOf(e.getValue(), n * 2));
                }
                for (Map.Entry<String, double[][]> e : arrays.entrySet()) {
                    e.setValue(Arrays.copyOf(e.getValue(), n * 2));
                }
            }
            steps[n] = step;
            return n++;
        }

        boolean isArray(String col) {
            return arrays.containsKey(col);
        }

        boolean isScalar(String col) {
            return numeric.containsKey(col);
        }

        void put(int row, String col, double v, boolean flag) {
            double[] a = numeric.get(col);
            if (a == null) {
                a = new double[steps.length];
                Arrays.fill(a, Double.NaN);
                numeric.put(col, a);
                present.put(col, new BitSet());
                if (flag) {
                    flags.add(col);
                }
            }
            a[row] = v;
            present.get(col).set(row);
        }

        void putArray(int row, String col, double[] v) {
            double[][] a = arrays.computeIfAbsent(col, k -> new double[steps.length][]);
            a[row] = v;
        }

        Table build() {
            Map<String, double[]> num = new LinkedHashMap<>();
            for (Map.Entry<String, double[]> e : numeric.entrySet()) {
                num.put(e.getKey(), Arrays.copyOf(e.getValue(), n));
            }
            Map<String, double[][]> arr = new LinkedHashMap<>();
            for (Map.Entry<String, double[][]> e : arrays.entrySet()) {
                arr.put(e.getKey(), Arrays.copyOf(e.getValue(), n));
            }
            return new Table(source, Arrays.copyOf(steps, n), num, new LinkedHashMap<>(present), List.copyOf(flags),
                    arr);
        }
    }
}
