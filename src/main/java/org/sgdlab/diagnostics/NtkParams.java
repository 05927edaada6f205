package org.sgdlab.diagnostics;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Typed, loud access to a diagnostic's parameter map as it comes from a parsed run spec (numbers as
 * Integer, Long, Double or strings such as "1e-3"; lists as {@code List}). Every error names
 * {@code diagnostics.<name>.<key>}, the value and what is allowed. Shared by the kernel and AGOP
 * diagnostics ({@link Ntk}, {@link BatchKernel}, {@link AgopAlignment}).
 */
final class NtkParams {

    private final String owner;
    private final Map<String, ?> map;

    NtkParams(String diagnostic, Map<String, ?> map, String... known) {
        this.owner = "diagnostics." + diagnostic;
        this.map = map == null ? Map.of() : map;
        TreeSet<String> allowed = new TreeSet<>(List.of(known));
        for (String key : this.map.keySet()) {
            if (!allowed.contains(key)) {
                throw new IllegalArgumentException(owner + ": unknown parameter '" + key + "'; known: "
                        + String.join(", ", allowed));
            }
        }
    }

    String field(String key) {
        return owner + "." + key;
    }

    boolean has(String key) {
        return map.get(key) != null;
    }

    double number(String key, double dflt, String allowed) {
        return has(key) ? toDouble(key, map.get(key), allowed) : dflt;
    }

    int integer(String key, int dflt, String allowed) {
        if (!has(key)) {
            return dflt;
        }
        return toInt(key, map.get(key), allowed);
    }

    long longInteger(String key, long dflt, String allowed) {
        if (!has(key)) {
            return dflt;
        }
        double v = toDouble(key, map.get(key), allowed);
        if (v != Math.rint(v) || Math.abs(v) > 9e15) {
            throw new IllegalArgumentException(field(key) + " must be an integer (" + allowed + "), got " + map.get(key));
        }
        return (long) v;
    }

    boolean bool(String key, boolean dflt) {
        if (!has(key)) {
            return dflt;
        }
        Object v = map.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException(field(key) + " must be true or false, got " + v);
    }

    String string(String key, String dflt, String allowed) {
        if (!has(key)) {
            return dflt;
        }
        Object v = map.get(key);
        if (v instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(field(key) + " must be a string (" + allowed + "), got " + v);
    }

    int[] integers(String key, int[] dflt, String allowed) {
        if (!has(key)) {
            return dflt.clone();
        }
        Object v = map.get(key);
        if (v instanceof int[] a) {
            return a.clone();
        }
        if (v instanceof Number) {
            return new int[] {toInt(key, v, allowed)};
        }
        if (v instanceof List<?> l) {
            int[] out = new int[l.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = toInt(key + "[" + i + "]", l.get(i), allowed);
            }
            return out;
        }
        throw new IllegalArgumentException(field(key) + " must be a list of integers (" + allowed + "), got " + v);
    }

    private int toInt(String key, Object v, String allowed) {
        double d = toDouble(key, v, allowed);
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(field(key) + " must be an integer (" + allowed + "), got " + v);
        }
        return (int) d;
    }

    private double toDouble(String key, Object v, String allowed) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        throw new IllegalArgumentException(field(key) + " must be a number (" + allowed + "), got "
                + (v instanceof String ? "'" + v + "'" : String.valueOf(v)));
    }
}
