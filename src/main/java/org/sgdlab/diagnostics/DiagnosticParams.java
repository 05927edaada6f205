package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.DoublePredicate;
import java.util.function.IntPredicate;
import java.util.function.LongPredicate;
import java.util.stream.DoubleStream;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * The parameters of one diagnostic as a run spec gives them ({@code diagnostics: {sharpness: {k: 2}}}, the
 * schedule keys taken out): snake_case keys whose values are numbers (Integer, Long, Double, or strings such as
 * {@code "1e-3"}), booleans (or the strings {@code "true"}, {@code "false"}), strings, and lists (or Java
 * arrays). Each typed getter returns its default when the key is absent or null and fails loudly otherwise:
 * every message names {@code diagnostics.<name>.<key>}, the value and what is allowed, e.g.
 * {@code diagnostics.sharpness.k must be an integer >= 1, got 0}. {@link #requireKnown} rejects keys the
 * diagnostic does not read, listing those it does.
 *
 * <p>Conventions common to all getters:
 * <ul>
 *   <li>an integer may be written as an integral double ({@code 2.0}, not {@code 2.5}) or a numeric string;</li>
 *   <li>ranges are closed, {@code [min, max]}; a number read with a range or a predicate must be finite
 *       ({@link #number(String, double)} without one takes any double, NaN included, for sentinels);</li>
 *   <li>a choice matches case-insensitively after trimming and returns the spelling of the allowed list;</li>
 *   <li>a single value where a list of integers, numbers or strings is expected is a one-element list.</li>
 * </ul>
 *
 * <p>Readers of domain-specific values live with their diagnostics: {@link Subset#read} (subset policy),
 * {@link ActivationDensity.Layers#read} (hidden layers), {@link FeatureRanks#readCount} (point counts),
 * {@link LinearNetSymmetry} ({@code m_entries} pairs).
 */
final class DiagnosticParams {

    private final String diagnostic;
    private final Map<String, ?> params;

    private DiagnosticParams(String diagnostic, Map<String, ?> params) {
        this.diagnostic = diagnostic;
        this.params = params == null ? Map.of() : params;
    }

    /** {@code config}, which must not be null: {@code diagnostics.<diagnostic>: config is null}. */
    static <C> C requireConfig(String diagnostic, C config) {
        if (config == null) {
            throw new IllegalArgumentException("diagnostics." + diagnostic + ": config is null");
        }
        return config;
    }

    /** The parameters {@code params} (null = none) of the diagnostic registered as {@code diagnostic}. */
    static DiagnosticParams of(String diagnostic, Map<String, ?> params) {
        return new DiagnosticParams(diagnostic, params);
    }

    /**
     * Fails when a key is not in {@code known}, naming the unknown keys (sorted) and the known ones (in the
     * given order): {@code diagnostics.noise: unknown parameter 'topk'; known: subset, subset_size, top_k}.
     */
    DiagnosticParams requireKnown(Collection<String> known) {
        TreeSet<String> unknown = new TreeSet<>();
        for (String k : params.keySet()) {
            if (!known.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            List<String> quoted = unknown.stream().map(k -> "'" + k + "'").toList();
            throw new IllegalArgumentException("diagnostics." + diagnostic + ": unknown parameter"
                    + (unknown.size() > 1 ? "s " : " ") + String.join(", ", quoted) + "; known: "
                    + (known.isEmpty() ? "none" : String.join(", ", known)));
        }
        return this;
    }

    /** {@link #requireKnown(Collection)} with the keys listed. */
    DiagnosticParams requireKnown(String... known) {
        return requireKnown(List.of(known));
    }

    /** {@code diagnostics.<name>.<key>}. */
    String field(String key) {
        return "diagnostics." + diagnostic + "." + key;
    }

    /** Whether {@code key} is given (a null value counts as absent). */
    boolean has(String key) {
        return params.get(key) != null;
    }

    /** The raw value of {@code key} (null when absent), for the readers of domain-specific values. */
    Object get(String key) {
        return params.get(key);
    }

    /** {@code <field of key> must be <allowed>, got <value of key>}. */
    IllegalArgumentException invalid(String key, String allowed) {
        return invalid(field(key), get(key), allowed);
    }

    /** {@code <field> must be <allowed>, got <value>} (strings quoted, arrays spelled out). */
    static IllegalArgumentException invalid(String field, Object value, String allowed) {
        return new IllegalArgumentException(field + " must be " + allowed + ", got " + show(value));
    }

    // ------------------------------------------------------------------ numbers

    /** Any int. */
    int integer(String key, int def) {
        return integer(key, def, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** An int in {@code [min, max]}. */
    int integer(String key, int def, int min, int max) {
        return (int) readInteger(key, def, v -> v >= min && v <= max,
                bounds(min, max, Integer.MIN_VALUE, Integer.MAX_VALUE), Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** An int accepted by {@code ok}, described by {@code allowed} (e.g. {@code ">= 0 (0 = all)"}). */
    int integer(String key, int def, IntPredicate ok, String allowed) {
        return (int) readInteger(key, def, v -> ok.test((int) v), allowed, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A long in {@code [min, max]}. */
    long longInteger(String key, long def, long min, long max) {
        return readInteger(key, def, v -> v >= min && v <= max, bounds(min, max, Long.MIN_VALUE, Long.MAX_VALUE),
                Long.MIN_VALUE, Long.MAX_VALUE);
    }

    private long readInteger(String key, long def, LongPredicate ok, String allowed, long typeMin, long typeMax) {
        if (!has(key)) {
            return def;
        }
        Long v = asInteger(get(key));
        if (v == null || v < typeMin || v > typeMax || !ok.test(v)) {
            String range = !allowed.isEmpty() ? allowed : v == null ? "" : "in [" + typeMin + ", " + typeMax + "]";
            throw invalid(key, "an integer" + (range.isEmpty() ? "" : " " + range));
        }
        return v;
    }

    /** Any double (NaN and infinities included: for settings whose default is a sentinel). */
    double number(String key, double def) {
        if (!has(key)) {
            return def;
        }
        Double v = asNumber(get(key));
        if (v == null) {
            throw invalid(key, "a number");
        }
        return v;
    }

    /** A finite double in {@code [min, max]} ({@code max = Double.MAX_VALUE}: no upper bound). */
    double number(String key, double def, double min, double max) {
        return number(key, def, x -> x >= min && x <= max, bounds(min, max));
    }

    /** A finite double accepted by {@code ok}, described by {@code allowed} (e.g. {@code "> 0"}). */
    double number(String key, double def, DoublePredicate ok, String allowed) {
        if (!has(key)) {
            return def;
        }
        Double v = asNumber(get(key));
        if (v == null || !Double.isFinite(v) || !ok.test(v)) {
            throw invalid(key, "a finite number" + (allowed.isEmpty() ? "" : " " + allowed));
        }
        return v;
    }

    // ------------------------------------------------------------------ booleans and strings

    /** {@code true} or {@code false} (also as strings, any case). */
    boolean bool(String key, boolean def) {
        if (!has(key)) {
            return def;
        }
        Object v = get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s.trim());
        }
        throw invalid(key, "true or false");
    }

    /** One of {@code allowed} (any case, trimmed), returned as spelled in {@code allowed}; {@code def} may be null. */
    String choice(String key, String def, List<String> allowed) {
        if (!has(key)) {
            return def;
        }
        Object v = get(key);
        if (v instanceof String || v instanceof Number || v instanceof Boolean) {
            String s = String.valueOf(v).trim();
            for (String a : allowed) {
                if (a.equalsIgnoreCase(s)) {
                    return a;
                }
            }
        }
        throw invalid(key, "one of " + String.join(", ", allowed));
    }

    /** A non-blank string. */
    String string(String key, String def) {
        if (!has(key)) {
            return def;
        }
        if (get(key) instanceof String s && !s.isBlank()) {
            return s;
        }
        throw invalid(key, "a non-empty string");
    }

    // ------------------------------------------------------------------ lists

    /** A list of ints in {@code [min, max]} (possibly empty). */
    int[] integers(String key, int[] def, int min, int max) {
        if (!has(key)) {
            return def;
        }
        List<?> l = asList(get(key), true);
        String range = bounds(min, max, Integer.MIN_VALUE, Integer.MAX_VALUE);
        String allowed = "a list of integers" + (range.isEmpty() ? "" : " " + range);
        if (l == null) {
            throw invalid(key, allowed);
        }
        int[] out = new int[l.size()];
        for (int i = 0; i < out.length; i++) {
            Long v = asInteger(l.get(i));
            if (v == null || v < min || v > max) {
                throw invalid(key, allowed);
            }
            out[i] = v.intValue();
        }
        return out;
    }

    /** A non-empty list of finite numbers. */
    double[] vector(String key, double[] def) {
        if (!has(key)) {
            return def;
        }
        double[] v = finiteRow(asList(get(key), true));
        if (v == null) {
            throw invalid(key, "a non-empty list of finite numbers");
        }
        return v;
    }

    /** A non-empty list of equally long, non-empty rows of finite numbers. */
    double[][] matrix(String key, double[][] def) {
        if (!has(key)) {
            return def;
        }
        String allowed = "a non-empty list of equally long, non-empty rows of finite numbers";
        List<?> rows = asList(get(key), false);
        if (rows == null || rows.isEmpty()) {
            throw invalid(key, allowed);
        }
        double[][] m = new double[rows.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = finiteRow(asList(rows.get(i), false));
            if (m[i] == null || m[i].length != m[0].length) {
                throw invalid(key, allowed);
            }
        }
        return m;
    }

    /** A list of non-empty strings (possibly empty). */
    List<String> strings(String key, List<String> def) {
        if (!has(key)) {
            return def;
        }
        List<?> l = asList(get(key), true);
        if (l == null) {
            throw invalid(key, "a list of non-empty strings");
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s) || s.isBlank()) {
                throw invalid(key, "a list of non-empty strings");
            }
            out.add(s);
        }
        return List.copyOf(out);
    }

    // ------------------------------------------------------------------ conversions

    /**
     * The integral value of {@code v}, or null: a Byte, Short, Integer or Long; another Number that is an
     * integer of magnitude at most 2^53 (exactly representable); or a string of either.
     */
    static Long asInteger(Object v) {
        if (v instanceof Byte || v instanceof Short || v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof String s) {
            try {
                return Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                // an integral double, perhaps, such as "1e3"
            }
        }
        Double d = asNumber(v);
        if (d != null && d == Math.rint(d) && Math.abs(d) <= 0x1p53) {
            return (long) (double) d;
        }
        return null;
    }

    /** The value of a Number or a numeric string, or null. */
    static Double asNumber(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s && !s.isBlank()) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    /** A List or Java array as a list; a scalar as a one-element list when {@code scalar}; else null. */
    private static List<?> asList(Object v, boolean scalar) {
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof int[] a) {
            return IntStream.of(a).boxed().toList();
        }
        if (v instanceof long[] a) {
            return LongStream.of(a).boxed().toList();
        }
        if (v instanceof double[] a) {
            return DoubleStream.of(a).boxed().toList();
        }
        if (v instanceof Object[] a) {
            return Arrays.asList(a);
        }
        return scalar && (v instanceof Number || v instanceof String) ? List.of(v) : null;
    }

    /** The finite numbers of a non-empty list, or null. */
    private static double[] finiteRow(List<?> l) {
        if (l == null || l.isEmpty()) {
            return null;
        }
        double[] out = new double[l.size()];
        for (int i = 0; i < out.length; i++) {
            Double d = asNumber(l.get(i));
            if (d == null || !Double.isFinite(d)) {
                return null;
            }
            out[i] = d;
        }
        return out;
    }

    /** {@code ">= min"}, {@code "<= max"}, {@code "in [min, max]"}, or empty when both bounds are the type's. */
    private static String bounds(double min, double max, double typeMin, double typeMax) {
        if (min <= typeMin && max >= typeMax) {
            return "";
        }
        if (max >= typeMax) {
            return ">= " + fmt(min);
        }
        return min <= typeMin ? "<= " + fmt(max) : "in [" + fmt(min) + ", " + fmt(max) + "]";
    }

    private static String bounds(double min, double max) {
        return bounds(min, max, -Double.MAX_VALUE, Double.MAX_VALUE);
    }

    private static String fmt(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e18 ? Long.toString((long) x) : String.format(Locale.ROOT, "%s", x);
    }

    private static String show(Object v) {
        if (v instanceof String s) {
            return "'" + s + "'";
        }
        if (v instanceof int[] a) {
            return Arrays.toString(a);
        }
        if (v instanceof long[] a) {
            return Arrays.toString(a);
        }
        if (v instanceof double[] a) {
            return Arrays.toString(a);
        }
        if (v instanceof Object[] a) {
            return Arrays.deepToString(a);
        }
        return String.valueOf(v);
    }
}
