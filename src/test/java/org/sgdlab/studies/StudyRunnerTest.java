package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StudyRunnerTest {

    @Test
    void consoleValuesRoundDoublesAlsoInsideMapsAndLists() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("threshold", 2.0);
        inner.put("w_t_below", 1.822875151717452e-88);
        inner.put("pass", true);
        assertEquals("{threshold=2.000, w_t_below=1.823e-88, pass=true}", StudyRunner.value(inner));
        assertEquals("[0.3333, null, 7, x]", StudyRunner.value(Arrays.asList(1.0 / 3, null, 7, "x")));
        assertEquals("{a=[1.500]}", StudyRunner.value(Map.of("a", List.of(1.5))));
        assertEquals("0.1000", StudyRunner.value(0.1));
    }
}
