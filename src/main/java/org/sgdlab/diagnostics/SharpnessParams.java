package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads the {@code params} map of a curvature diagnostic (snake_case keys from a run spec): every
 * unknown key is rejected listing the valid ones, every value is checked against its allowed range,
 * and every message names {@code diagnostics.<name>.<key>}.
 */
final class SharpnessParams {

    private final String diagnostic;
    private final Map<String, Object> params;

    SharpnessParams(String diagnostic, Map<String, Object> params, List<String> known) {
        this.diagnostic = diagnostic;
        this.params = params == null ? Map.of() : params;
        List<String> unknown = new ArrayList<>();
        for (String k : this.params.keySet()) {
            if (!known.contains(k)) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("diagnostics." + diagnostic + ": unknown parameter"
                    + (unknown.size() > 1 ? "s " : " ") + unknown + "; known: " + String.join(", ", new TreeSet<>(known)));
        }
    }

    String key(String k) {
        return "diagnostics." + diagnostic + "." + k;
    }

    boolean has(String k) {
        return params.get(k) != null;
    }

    /** An integer in [min, max]; a double with an integral value is accepted. */
    int integer(String k, int def, int min, int max) {
        Object v = params.get(k);
        if (v == null) {
            return def;
        }
        long x;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            x = ((Number) v).longValue();
        } else if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                && Math.abs(n.doubleValue()) < 1e15) {
            x = (long) n.doubleValue();
        } else if (v instanceof String s && s.trim().matches("[+-]?\\d+")) {
            x = Long.parseLong(s.trim());
        } else {
            throw new IllegalArgumentException(key(k) + " must be an integer in [" + min + ", " + max + "], got '" + v + "'");
        }
        if (x < min || x > max) {
            throw new IllegalArgumentException(key(k) + " must be an integer in [" + min + ", " + max + "], got " + x);
        }
        return (int) x;
    }

    /** A finite number in [lo, hi] ({@code lo} excluded when {@code openLo}). */
    double real(String k, double def, double lo, boolean openLo, double hi) {
        Object v = params.get(k);
        if (v == null) {
            return def;
        }
        double x;
        if (v instanceof Number n) {
            x = n.doubleValue();
        } else if (v instanceof String s) {
            try {
                x = Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key(k) + " must be a number, got '" + v + "'");
            }
        } else {
            throw new IllegalArgumentException(key(k) + " must be a number, got '" + v + "'");
        }
        boolean ok = Double.isFinite(x) && (openLo ? x > lo : x >= lo) && x <= hi;
        if (!ok) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be a finite number %s %s%s, got %s",
                    key(k), openLo ? ">" : ">=", fmt(lo), hi >= Double.MAX_VALUE ? "" : " and <= " + fmt(hi), v));
        }
        return x;
    }

    boolean bool(String k, boolean def) {
        Object v = params.get(k);
        if (v == null) {
            return def;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException(key(k) + " must be true or false, got '" + v + "'");
    }

    /** One of {@code allowed} (case-insensitive; returned in the spelling of {@code allowed}). */
    String choice(String k, String def, List<String> allowed) {
        Object v = params.get(k);
        if (v == null) {
            return def;
        }
        String s = String.valueOf(v).trim();
        for (String a : allowed) {
            if (a.equalsIgnoreCase(s)) {
                return a;
            }
        }
        throw new IllegalArgumentException(key(k) + ": unknown value '" + v + "'; known: " + String.join(", ", allowed));
    }

    /** The subset policy keys {@code subset} and {@code subset_size} (Q6.1). */
    Subset subset() {
        String p = choice("subset", "auto", Subset.Policy.names());
        Subset.Policy policy = Subset.Policy.of(p);
        int def = policy == Subset.Policy.RANDOM_N ? Subset.RANDOM_N_DEFAULT : Subset.FIRST_N_DEFAULT;
        if (has("subset_size") && (policy == Subset.Policy.ALL || policy == Subset.Policy.AUTO)) {
            throw new IllegalArgumentException(key("subset_size") + " is only used with subset first_n or random_n, not '"
                    + policy.id() + "'");
        }
        int size = integer("subset_size", def, 1, Integer.MAX_VALUE);
        return new Subset(policy, size);
    }

    static final List<String> SUBSET_KEYS = List.of("subset", "subset_size");

    static List<String> keys(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    private static String fmt(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }
}
