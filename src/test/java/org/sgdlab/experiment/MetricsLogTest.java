package org.sgdlab.experiment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The column store of {@link MetricsLog}: the oracle is the list of the maps it received, copied.
 * Rows come back equal (keys in order, values of the same type and bits, nulls), whatever mix of
 * key sets and value types arrives.
 */
class MetricsLogTest {

    /** A value of a random kind: doubles (with -0, NaN, infinities), longs, integers, strings, booleans, null. */
    private static Object value(SplittableRandom r, int kind) {
        return switch (kind) {
            case 0 -> new double[] {r.nextGaussian(), -0.0, Double.NaN, Double.POSITIVE_INFINITY, 1e-310}[r.nextInt(5)];
            case 1 -> r.nextLong();
            case 2 -> r.nextInt(100);
            case 3 -> "s" + r.nextInt(10);
            case 4 -> r.nextBoolean();
            default -> null;
        };
    }

    @Test
    void rowsComeBackEqualToTheMapsReceived() {
        SplittableRandom r = new SplittableRandom(3);
        for (int trial = 0; trial < 50; trial++) {
            MetricsLog log = new MetricsLog();
            List<Map<String, Object>> want = new ArrayList<>();
            String[] keys = {"step", "lr", "train_loss", "acc", "note", "extra"};
            // per column a usual kind, sometimes broken by another kind or a null
            int[] kind = new int[keys.length];
            for (int k = 0; k < keys.length; k++) {
                kind[k] = r.nextInt(6);
            }
            int rows = 1 + r.nextInt(300);
            for (int i = 0; i < rows; i++) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("step", (long) i);
                for (int k = 1; k < keys.length; k++) {
                    if (r.nextInt(10) == 0) {
                        continue;                                        // this row lacks the key
                    }
                    row.put(keys[k], value(r, r.nextInt(40) == 0 ? r.nextInt(6) : kind[k]));
                }
                if (r.nextInt(20) == 0) {
                    row.remove("lr");
                    row.put("lr", 0.5);                                  // same keys, another order
                }
                log.metrics(row);
                row.put("step", -1L);                                    // the log keeps what it was given
                row.put("step", (long) i);
                want.add(new LinkedHashMap<>(row));
            }
            List<Map<String, Object>> got = log.rows();
            assertEquals(want.size(), got.size());
            for (int i = 0; i < rows; i++) {
                Map<String, Object> w = want.get(i);
                Map<String, Object> g = got.get(i);
                assertEquals(List.copyOf(w.keySet()), List.copyOf(g.keySet()), "keys of row " + i);
                for (String k : w.keySet()) {
                    Object a = w.get(k);
                    Object b = g.get(k);
                    assertEquals(a == null ? null : a.getClass(), b == null ? null : b.getClass(), k + " in row " + i);
                    if (a instanceof Double d) {
                        assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits((Double) b), k + " bits");
                    } else {
                        assertEquals(a, b, k + " in row " + i);
                    }
                    assertTrue(g.containsKey(k));
                }
                assertEquals(w, g);
                assertEquals(g, w);
                assertEquals(w.hashCode(), g.hashCode());
                assertNull(g.get("absent"));
            }
            assertEquals(want, got);
            // columns: numbers as doubles, NaN where absent or not a number
            for (String k : keys) {
                double[] col = log.column(k);
                for (int i = 0; i < rows; i++) {
                    Object v = want.get(i).get(k);
                    double e = v instanceof Number n ? n.doubleValue() : Double.NaN;
                    assertEquals(Double.doubleToRawLongBits(e), Double.doubleToRawLongBits(col[i]), k + " at " + i);
                }
            }
            long[] steps = new long[rows];
            for (int i = 0; i < rows; i++) {
                steps[i] = i;
            }
            assertArrayEquals(steps, log.steps());
        }
    }

    @Test
    void rowsAreReadOnly() {
        MetricsLog log = new MetricsLog();
        log.metrics(new LinkedHashMap<>(Map.of("step", 0L)));
        Map<String, Object> row = log.rows().get(0);
        assertThrows(UnsupportedOperationException.class, () -> row.put("step", 1L));
        assertThrows(UnsupportedOperationException.class, () -> log.rows().add(row));
        assertThrows(IndexOutOfBoundsException.class, () -> log.rows().get(1));
    }
}
