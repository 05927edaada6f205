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

    @Test
    void theConsoleTableSpellsOutKindsAndSaysWhenValuesAreCut() {
        Study study = Studies.byName("symmetry");
        StudyResult r = new StudyResult("symmetry")
                .gate("G1", "a gate", true, Map.of("x", 1.5), "x > 1")
                .provisional("P1", "a provisional gate", false, Map.of("y", 2.0), "y < 1")
                .report("R1", "a report", null, Map.of("z", 3), "none");
        java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream();
        StudyRunner.printTable(study, r, 1.25, new java.io.PrintStream(bo, true, java.nio.charset.StandardCharsets.UTF_8));
        List<String> lines = bo.toString(java.nio.charset.StandardCharsets.UTF_8).lines().toList();
        assertEquals(List.of("", "symmetry: FAIL (1.3 s)",
                "  PASS gate        symmetry.G1              x=1.500",
                "  FAIL provisional symmetry.P1              y=2.000",
                "    -  report      symmetry.R1              z=3"), lines);

        StudyResult longer = new StudyResult("symmetry").gate("G2", "long", true, Map.of("w", "v".repeat(100)), "-");
        bo.reset();
        StudyRunner.printTable(study, longer, 1, new java.io.PrintStream(bo, true, java.nio.charset.StandardCharsets.UTF_8));
        String out = bo.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(true, out.contains("w=" + "v".repeat(85) + "..."), out);
        assertEquals(true, out.contains("(measured values cut at 90 characters end in ...; summary.json and the report have them all)"),
                out);
    }

    /** summary.json records --data only for the studies that train on it. */
    @Test
    void theSummaryRecordsTheDataOnlyForStudiesThatUseIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        for (Study s : Studies.all()) {
            StudyContext ctx = new StudyContext(true, 0, 0, tmp, "fashion-mnist", 1, false, m -> { });
            Map<String, Object> sum = StudyRunner.summary(s, ctx, new StudyResult(s.name()), 1.0);
            boolean eos = s.name().equals("eos") || s.name().equals("eoss");
            assertEquals(eos, s.usesData(), s.name());
            assertEquals(eos, sum.containsKey("data"), s.name() + ": " + sum.keySet());
            if (eos) {
                assertEquals("fashion-mnist", sum.get("data"));
            }
        }
    }
}
