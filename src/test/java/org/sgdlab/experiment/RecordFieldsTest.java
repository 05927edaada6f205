package org.sgdlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The scalars of a diagnostic record: nested records, lists of records, short arrays, non-finite values. */
class RecordFieldsTest {

    static Map<String, Object> flatten(String prefix, String json) throws Exception {
        Map<String, Object> out = new LinkedHashMap<>();
        RecordFields.flatten(prefix, Json.MAPPER.readTree(json), out);
        return out;
    }

    @Test
    void nestedListsAndShortArraysBecomeDottedKeysInDocumentOrder() throws Exception {
        String rec = "{\"step\":40,\"trigger\":\"schedule\",\"converged\":true,\"threshold\":0.99,"
                + "\"hess_eig\":[4.5,-0.0],\"split\":{\"loss_top_1\":0.25,\"inner\":{\"x\":3}},"
                + "\"layers\":[{\"layer\":1,\"density\":0.5,\"name\":\"fc1\",\"sv\":[2,1]},"
                + "{\"layer\":2,\"density\":0.125,\"dead\":false}]}";
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("d.step", 40L);
        expected.put("d.converged", true);
        expected.put("d.threshold", 0.99);
        expected.put("d.hess_eig.0", 4.5);
        expected.put("d.hess_eig.1", -0.0);
        expected.put("d.split.loss_top_1", 0.25);
        expected.put("d.split.inner.x", 3L);
        expected.put("d.layers.0.layer", 1L);
        expected.put("d.layers.0.density", 0.5);
        expected.put("d.layers.0.sv.0", 2L);
        expected.put("d.layers.0.sv.1", 1L);
        expected.put("d.layers.1.layer", 2L);
        expected.put("d.layers.1.density", 0.125);
        expected.put("d.layers.1.dead", false);
        Map<String, Object> got = flatten("d", rec);
        assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(got.keySet()), "keys in document order");
        assertEquals(expected, got);
        // Double.equals compares bits: -0.0 stays -0.0
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) got.get("d.hess_eig.1")));
        // without a prefix the keys are the paths themselves (what the report and TensorBoard use)
        Map<String, Object> bare = flatten("", rec);
        assertEquals(expected.size(), bare.size());
        assertEquals(0.125, bare.get("layers.1.density"));
        assertEquals(7L, flatten("x", "7").get("x"), "a number at the root is the prefix itself");
    }

    @Test
    void nullIsAbsentAndNonFiniteSpellingsAreNumbers() throws Exception {
        // run files write NaN and infinities as null (Json); hand-written files may spell them
        Map<String, Object> got = flatten("", "{\"a\":null,\"b\":\"NaN\",\"c\":\"-inf\",\"d\":\"+Infinity\","
                + "\"e\":\"fc1\",\"eig\":[1.5,null,\"nan\"],\"layers\":[{\"density\":null},{\"density\":\"inf\"}]}");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("b", Double.NaN);
        expected.put("c", Double.NEGATIVE_INFINITY);
        expected.put("d", Double.POSITIVE_INFINITY);
        expected.put("eig.0", 1.5);
        expected.put("eig.2", Double.NaN);
        expected.put("layers.1.density", Double.POSITIVE_INFINITY);
        assertEquals(expected, got, "null (and text) gives no key; an array keeps its indices");
        // the same values as Java numbers that Jackson holds as NaN
        Map<String, Object> nan = new LinkedHashMap<>();
        RecordFields.flatten("n", Json.MAPPER.getNodeFactory().numberNode(Double.NaN), nan);
        assertTrue(Double.isNaN((Double) nan.get("n")));
        assertEquals(Map.of(), flatten("p", "null"));
    }

    @Test
    void arraysUpToMaxAreSpreadLongerOnesAreNot() throws Exception {
        assertEquals(16, RecordFields.MAX_ARRAY);
        for (int n : new int[] {0, 1, 16, 17, 100}) {
            StringBuilder a = new StringBuilder("{\"spectrum\":[");
            StringBuilder l = new StringBuilder("],\"layers\":[");
            for (int i = 0; i < n; i++) {
                a.append(i == 0 ? "" : ",").append(i * 0.5);
                l.append(i == 0 ? "" : ",").append("{\"k\":").append(i).append('}');
            }
            Map<String, Object> got = flatten("s", a.append(l).append("]}").toString());
            List<String> keys = new ArrayList<>();
            if (n <= 16) {
                for (int i = 0; i < n; i++) {
                    keys.add("s.spectrum." + i);
                }
                for (int i = 0; i < n; i++) {
                    keys.add("s.layers." + i + ".k");
                }
            }
            assertEquals(keys, new ArrayList<>(got.keySet()), "length " + n);
            if (n > 0 && n <= 16) {
                assertEquals((n - 1) * 0.5, got.get("s.spectrum." + (n - 1)));
                assertEquals((long) (n - 1), got.get("s.layers." + (n - 1) + ".k"));
            }
        }
    }
}
