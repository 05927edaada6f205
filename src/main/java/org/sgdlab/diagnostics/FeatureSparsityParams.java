package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reading the {@code params} map of a run spec for the feature, Jacobian and norm diagnostics
 * ({@link FeatureSparsity}, {@link FeatureRanks}, {@link JacobianRank}, {@link ReluPatterns},
 * {@link Norms}, {@link UpdateEigCos}). Keys are snake_case; every unknown key is rejected with the
 * list of valid ones, and every bad value fails with {@code diagnostics.<name>.<key>}, the value and
 * what is allowed.
 */
final class FeatureSparsityParams {

    private final String diagnostic;
    private final Map<String, Object> params;

    private FeatureSparsityParams(String diagnostic, Map<String, Object> params, List<String> valid) {
        this.diagnostic = diagnostic;
        this.params = params == null ? Map.of() : params;
        List<String> unknown = new ArrayList<>();
        for (String k : this.params.keySet()) {
            if (!valid.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("diagnostics." + diagnostic + ": unknown key" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", new TreeSet<>(unknown)) + "; valid: " + String.join(", ", valid));
        }
    }

    /** Checks the keys of {@code params} against {@code valid}. */
    static FeatureSparsityParams of(String diagnostic, Map<String, Object> params, String... valid) {
        return new FeatureSparsityParams(diagnostic, params, List.of(valid));
    }

    String field(String key) {
        return "diagnostics." + diagnostic + "." + key;
    }

    boolean has(String key) {
        return params.containsKey(key) && params.get(key) != null;
    }

    /** A real number (NaN allowed only as the default). */
    double number(String key, double def) {
        if (!has(key)) {
            return def;
        }
        Object v = params.get(key);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException(field(key) + " must be a number, got '" + v + "'");
    }

    /** An integer. */
    int integer(String key, int def) {
        if (!has(key)) {
            return def;
        }
        Object v = params.get(key);
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long l = ((Number) v).longValue();
            if (l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) {
                return (int) l;
            }
        }
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 2e9) {
            return (int) n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                // fall through
            }
        }
        throw new IllegalArgumentException(field(key) + " must be an integer, got '" + v + "'");
    }

    boolean bool(String key, boolean def) {
        if (!has(key)) {
            return def;
        }
        Object v = params.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException(field(key) + " must be true or false, got '" + v + "'");
    }

    /** One of {@code allowed} (case-sensitive). */
    String choice(String key, String def, List<String> allowed) {
        if (!has(key)) {
            return def;
        }
        String s = String.valueOf(params.get(key));
        if (!allowed.contains(s)) {
            throw new IllegalArgumentException(field(key) + ": unknown value '" + s + "'; allowed: "
                    + String.join(", ", allowed));
        }
        return s;
    }

    /**
     * A hidden-layer selection: {@code "last"}, {@code "all"}, one index or a list of indices
     * (hidden layers counted from 1).
     */
    ActivationDensity.Layers layers(String key, ActivationDensity.Layers def) {
        if (!has(key)) {
            return def;
        }
        Object v = params.get(key);
        String bad = field(key) + " must be \"last\", \"all\", a hidden-layer index >= 1 or a list of them, got '" + v + "'";
        if (v instanceof String s) {
            switch (s.trim().toLowerCase(Locale.ROOT)) {
                case "last":
                    return ActivationDensity.Layers.LAST;
                case "all":
                    return ActivationDensity.Layers.ALL;
                default:
                    try {
                        return ActivationDensity.Layers.of(Integer.parseInt(s.trim()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(bad);
                    }
            }
        }
        List<?> items = v instanceof List<?> l ? l : List.of(v);
        if (items.isEmpty()) {
            throw new IllegalArgumentException(bad);
        }
        int[] idx = new int[items.size()];
        for (int i = 0; i < idx.length; i++) {
            Object o = items.get(i);
            if (!(o instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 1
                    || n.doubleValue() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(bad);
            }
            idx[i] = n.intValue();
        }
        return ActivationDensity.Layers.of(idx);
    }

    /**
     * A number of evaluation points: an integer >= 0 (0 = all) or {@code "num_params"} (the number of
     * parameters p, returned as {@link #NUM_PARAMS}).
     */
    int count(String key, int def) {
        if (!has(key)) {
            return def;
        }
        Object v = params.get(key);
        if (v instanceof String s && s.trim().equals("num_params")) {
            return NUM_PARAMS;
        }
        String bad = field(key) + " must be an integer >= 0 (0 = all) or \"num_params\", got '" + v + "'";
        int c;
        try {
            c = integer(key, def);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(bad);
        }
        if (c < 0) {
            throw new IllegalArgumentException(bad);
        }
        return c;
    }

    /** The {@link #count} meaning "as many points as the model has parameters". */
    static final int NUM_PARAMS = -1;

    static IllegalArgumentException bad(String field, Object value, String allowed) {
        return new IllegalArgumentException(field + " must be " + allowed + ", got " + value);
    }
}
