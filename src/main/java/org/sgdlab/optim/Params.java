package org.sgdlab.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, loud access to a parameter map as it comes from a parsed spec (YAML/JSON numbers arrive
 * as Integer, Long or Double, sometimes as strings such as "1e-3"; lists as {@code List}).
 * Every error names the owner ({@code optimizer 'polyak'}, {@code schedule 'cosine'}), the key,
 * the value and what is allowed.
 */
final class Params {

    private final String owner;
    private final Map<String, ?> map;

    Params(String owner, Map<String, ?> map) {
        this.owner = owner;
        this.map = map == null ? Map.of() : map;
    }

    String owner() {
        return owner;
    }

    boolean has(String key) {
        return map.containsKey(key) && map.get(key) != null;
    }

    Object raw(String key) {
        return map.get(key);
    }

    /** Fails if the map holds a key outside {@code known}. */
    void onlyKnown(String... known) {
        Set<String> allowed = Set.of(known);
        for (String k : map.keySet()) {
            if (!allowed.contains(k)) {
                throw new IllegalArgumentException(owner + ": unknown parameter '" + k + "'; known: "
                        + (known.length == 0 ? "(none)" : String.join(", ", new TreeSet<>(allowed))));
            }
        }
    }

    double number(String key, String allowed) {
        if (!has(key)) {
            throw new IllegalArgumentException(owner + ": missing parameter '" + key + "' (" + allowed + ")");
        }
        return toDouble(key, map.get(key), allowed);
    }

    double number(String key, double dflt, String allowed) {
        return has(key) ? toDouble(key, map.get(key), allowed) : dflt;
    }

    long integer(String key, String allowed) {
        double v = number(key, allowed);
        return toLong(key, v, allowed);
    }

    double[] numbers(String key, String allowed) {
        List<?> list = list(key, allowed);
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toDouble(key + "[" + i + "]", list.get(i), allowed);
        }
        return out;
    }

    long[] integers(String key, String allowed) {
        double[] d = numbers(key, allowed);
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = toLong(key + "[" + i + "]", d[i], allowed);
        }
        return out;
    }

    /** A list value (a {@code List}, or a primitive/boxed array). */
    List<?> list(String key, String allowed) {
        if (!has(key)) {
            throw new IllegalArgumentException(owner + ": missing parameter '" + key + "' (" + allowed + ")");
        }
        Object v = map.get(key);
        if (v instanceof List<?> l) {
            return l;
        }
        if (v instanceof double[] a) {
            List<Object> l = new ArrayList<>();
            for (double x : a) {
                l.add(x);
            }
            return l;
        }
        if (v instanceof long[] a) {
            List<Object> l = new ArrayList<>();
            for (long x : a) {
                l.add(x);
            }
            return l;
        }
        if (v instanceof int[] a) {
            List<Object> l = new ArrayList<>();
            for (int x : a) {
                l.add(x);
            }
            return l;
        }
        if (v instanceof Object[] a) {
            return List.of(a);
        }
        throw new IllegalArgumentException(owner + ": parameter '" + key + "' must be a list (" + allowed
                + "), got " + v);
    }

    /** A nested map (e.g. a schedule spec inside an optimizer spec). */
    @SuppressWarnings("unchecked")
    static Map<String, ?> asMap(String owner, String key, Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new IllegalArgumentException(owner + ": '" + key + "' has a non-string key " + e.getKey());
                }
                out.put((String) e.getKey(), e.getValue());
            }
            return Collections.unmodifiableMap(out);
        }
        throw new IllegalArgumentException(owner + ": '" + key + "' must be a map of parameters, got " + v);
    }

    private double toDouble(String key, Object v, String allowed) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(owner + ": parameter '" + key + "' must be a number (" + allowed
                + "), got " + (v instanceof String ? "'" + v + "'" : String.valueOf(v)));
    }

    private long toLong(String key, double v, String allowed) {
        if (!(v == Math.rint(v)) || Math.abs(v) > 9.007199254740992E15) {
            throw new IllegalArgumentException(owner + ": parameter '" + key + "' must be an integer (" + allowed
                    + "), got " + v);
        }
        return (long) v;
    }
}
