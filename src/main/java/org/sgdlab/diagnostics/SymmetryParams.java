package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.sgdlab.data.Dataset;
import org.sgdlab.tensor.Tensor;

/**
 * Package-private machinery shared by the symmetry and noise diagnostics: run-spec parameter parsing
 * (snake_case keys, unknown keys rejected naming {@code diagnostics.<name>.<field>}) and the
 * evaluation subset of Q4/Q6.1 ({@code all}, {@code first_n}, {@code random_n}).
 */
final class SymmetryParams {

    /** Subset kinds of Q4. */
    static final List<String> SUBSETS = List.of("all", "first_n", "random_n");

    private final String diagnostic;
    private final Map<String, Object> params;

    private SymmetryParams(String diagnostic, Map<String, Object> params, List<String> known) {
        this.diagnostic = diagnostic;
        this.params = params == null ? Map.of() : params;
        for (String k : this.params.keySet()) {
            if (!known.contains(k)) {
                throw new IllegalArgumentException("diagnostics." + diagnostic + ": unknown parameter '" + k
                        + "'; known: " + String.join(", ", new TreeSet<>(known)));
            }
        }
    }

    /** Checks that every key of {@code params} is in {@code known}. */
    static SymmetryParams of(String diagnostic, Map<String, Object> params, List<String> known) {
        return new SymmetryParams(diagnostic, params, known);
    }

    private String field(String key) {
        return "diagnostics." + diagnostic + "." + key;
    }

    boolean has(String key) {
        return params.containsKey(key) && params.get(key) != null;
    }

    int integer(String key, int def, int min) {
        if (!has(key)) {
            return def;
        }
        Object o = params.get(key);
        if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new IllegalArgumentException(field(key) + " must be an integer >= " + min + ", got " + o);
        }
        long v = n.longValue();
        if (v < min || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(field(key) + " must be an integer >= " + min + ", got " + o);
        }
        return (int) v;
    }

    double real(String key, double def, double min, double max) {
        if (!has(key)) {
            return def;
        }
        Object o = params.get(key);
        if (!(o instanceof Number n) || !(n.doubleValue() >= min && n.doubleValue() <= max)) {
            throw new IllegalArgumentException(field(key) + " must be a number in [" + min + ", " + max + "], got " + o);
        }
        return n.doubleValue();
    }

    boolean bool(String key, boolean def) {
        if (!has(key)) {
            return def;
        }
        Object o = params.get(key);
        if (!(o instanceof Boolean b)) {
            throw new IllegalArgumentException(field(key) + " must be true or false, got " + o);
        }
        return b;
    }

    String string(String key, String def) {
        if (!has(key)) {
            return def;
        }
        Object o = params.get(key);
        if (!(o instanceof String s) || s.isEmpty()) {
            throw new IllegalArgumentException(field(key) + " must be a non-empty string, got " + o);
        }
        return s;
    }

    String choice(String key, String def, List<String> allowed) {
        String s = string(key, def);
        if (s != null && !allowed.contains(s)) {
            throw new IllegalArgumentException(field(key) + ": unknown value '" + s + "'; known: "
                    + String.join(", ", allowed));
        }
        return s;
    }

    List<String> strings(String key, List<String> def) {
        if (!has(key)) {
            return def;
        }
        Object o = params.get(key);
        List<String> out = new ArrayList<>();
        if (o instanceof String s) {
            out.add(s);
        } else if (o instanceof List<?> l) {
            for (Object e : l) {
                if (!(e instanceof String s) || s.isEmpty()) {
                    throw new IllegalArgumentException(field(key) + " must be a list of block names, got " + o);
                }
                out.add(s);
            }
        } else {
            throw new IllegalArgumentException(field(key) + " must be a list of block names, got " + o);
        }
        return List.copyOf(out);
    }

    double[] vector(String key) {
        if (!has(key)) {
            return null;
        }
        Object o = params.get(key);
        if (!(o instanceof List<?> l) || l.isEmpty()) {
            throw new IllegalArgumentException(field(key) + " must be a non-empty list of numbers, got " + o);
        }
        double[] v = new double[l.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(l.get(i) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException(field(key) + " must be a list of finite numbers, got " + o);
            }
            v[i] = n.doubleValue();
        }
        return v;
    }

    /** A matrix given as a list of equally long rows of numbers. */
    double[][] matrix(String key) {
        if (!has(key)) {
            return null;
        }
        Object o = params.get(key);
        if (!(o instanceof List<?> rows) || rows.isEmpty()) {
            throw new IllegalArgumentException(field(key) + " must be a non-empty list of rows, got " + o);
        }
        double[][] m = new double[rows.size()][];
        for (int i = 0; i < m.length; i++) {
            if (!(rows.get(i) instanceof List<?> row) || row.isEmpty()
                    || (i > 0 && row.size() != m[0].length)) {
                throw new IllegalArgumentException(field(key) + " must be a list of equally long rows of numbers, got "
                        + o);
            }
            m[i] = new double[row.size()];
            for (int j = 0; j < m[i].length; j++) {
                if (!(row.get(j) instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                    throw new IllegalArgumentException(field(key) + " must hold finite numbers, got " + o);
                }
                m[i][j] = n.doubleValue();
            }
        }
        return m;
    }

    /** Pairs (i, j) given as a list of two-element lists. */
    int[][] pairs(String key, int[][] def) {
        if (!has(key)) {
            return def;
        }
        Object o = params.get(key);
        if (!(o instanceof List<?> l)) {
            throw new IllegalArgumentException(field(key) + " must be a list of [i, j] pairs, got " + o);
        }
        int[][] out = new int[l.size()][];
        for (int k = 0; k < out.length; k++) {
            if (!(l.get(k) instanceof List<?> p) || p.size() != 2 || !(p.get(0) instanceof Number a)
                    || !(p.get(1) instanceof Number b) || a.intValue() < 0 || b.intValue() < 0
                    || a.doubleValue() != a.intValue() || b.doubleValue() != b.intValue()) {
                throw new IllegalArgumentException(field(key) + " must be a list of [i, j] pairs of indices >= 0, got "
                        + o);
            }
            out[k] = new int[] {a.intValue(), b.intValue()};
        }
        return out;
    }

    // ------------------------------------------------------------------ subsets

    /** Checks a subset kind and size (size >= 1 unless the kind is {@code all}). */
    static void checkSubset(String diagnostic, String subset, int size) {
        if (!SUBSETS.contains(subset)) {
            throw new IllegalArgumentException("diagnostics." + diagnostic + ".subset: unknown value '" + subset
                    + "'; known: " + String.join(", ", SUBSETS));
        }
        if (!subset.equals("all") && size < 1) {
            throw new IllegalArgumentException("diagnostics." + diagnostic + ".subset_size must be >= 1 for subset "
                    + subset + ", got " + size);
        }
    }

    /**
     * The evaluation set: all training data, its first n rows, or n random rows drawn from the
     * {@code probes} stream of the diagnostic (Q4); n is capped at the training-set size.
     */
    static Dataset subset(Probe probe, String diagnostic, String subset, int size) {
        Dataset train = probe.problem().train();
        int n = Math.min(size, train.size());
        switch (subset) {
            case "all":
                return train;
            case "first_n":
                return train.first(n);
            case "random_n":
                return train.randomSubset(n, probe.rng("probes", diagnostic));
            default:
                throw new IllegalArgumentException("diagnostics." + diagnostic + ".subset: unknown value '" + subset
                        + "'; known: " + String.join(", ", SUBSETS));
        }
    }

    /** Inputs of {@code d} as a matrix {@code [n, d]}. */
    static Tensor inputs(Dataset d) {
        return d.flattenX().x();
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
