package org.sgdlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** collect's cells of a diagnostic record (RecordFields, the rule TensorBoard and the report share): numbers and booleans, also in nested records and short arrays. */
class SweepCellsTest {

    @Test
    void nestedRecordsAndShortArraysBecomeCellsLongArraysAndTextDoNot() throws Exception {
        StringBuilder long17 = new StringBuilder("[");
        for (int i = 0; i < 17; i++) {
            long17.append(i == 0 ? "" : ",").append(i);
        }
        String rec = "{\"step\":200,\"trigger\":\"final\",\"converged\":true,\"sharpness\":4.25,\"hess_eig\":[4.25,3.5],"
                + "\"residual\":null,\"spectrum\":" + long17 + "],\"layers\":[{\"layer\":1,\"density\":0.5,\"name\":\"a\"},"
                + "{\"layer\":2,\"density\":0.25,\"sub\":{\"x\":-0.0}}]}";
        Map<String, Object> row = new LinkedHashMap<>();
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        RecordFields.flatten("d", Json.MAPPER.readTree(rec), row);
        keys.addAll(row.keySet());
        assertEquals(List.of("d.step", "d.converged", "d.sharpness", "d.hess_eig.0", "d.hess_eig.1", "d.layers.0.layer",
                "d.layers.0.density", "d.layers.1.layer", "d.layers.1.density", "d.layers.1.sub.x"), List.copyOf(keys));
        assertEquals(List.copyOf(keys), List.copyOf(row.keySet()));
        assertEquals(200, ((Number) row.get("d.step")).intValue());
        assertEquals(true, row.get("d.converged"));
        assertEquals(3.5, ((Number) row.get("d.hess_eig.1")).doubleValue(), 0);
        assertEquals(0.25, ((Number) row.get("d.layers.1.density")).doubleValue(), 0);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(((Number) row.get("d.layers.1.sub.x"))
                .doubleValue()));
        Map<String, Object> sixteen = new LinkedHashMap<>();
        RecordFields.flatten("e", Json.MAPPER.readTree(long17.substring(0, long17.lastIndexOf(",")) + "]"), sixteen);
        assertEquals(RecordFields.MAX_ARRAY, sixteen.size(), "an array of 16 elements is spread, one of 17 is not");
    }
}
