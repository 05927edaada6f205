package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.report.Verdict;

/** The quick variant of {@code eoss} (STUDIES.md §2.3) through the study runner: every gate passes. */
class EossStudyTest {

    @Test
    void quickVariantPassesEveryGate(@TempDir Path dir) throws Exception {
        StudyContext ctx = new StudyContext(true, 0, 0, dir, "digits", 2, false, null);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StudyRunner.Outcome out = StudyRunner.run(Studies.byName("eoss"), ctx,
                new PrintStream(buf, true, StandardCharsets.UTF_8));
        String table = buf.toString(StandardCharsets.UTF_8);
        StudyResult r = out.result();

        List<String> expected = EossStudy.QUICK_LONG ? List.of("B1", "B2", "B3", "B4", "B5", "B7")
                : List.of("B1", "B2", "B3", "B4", "B5");
        for (String id : expected) {
            Verdict v = r.verdict(id);
            assertNotNull(v, id + " missing\n" + table);
            assertEquals(Verdict.Kind.GATE, v.kind(), id + "\n" + table);
            assertEquals(Verdict.Outcome.PASS, v.outcome(), id + " failed\n" + table);
        }
        assertEquals(Verdict.Kind.REPORT, r.verdict("B1r").kind());
        assertTrue(out.passed(), table);
        for (String dropped : List.of("B6", "B8", "B9", "B10", "B11", "B12", "B13", "B14")) {
            assertEquals(null, r.verdict(dropped), dropped + " belongs to the full variant");
        }

        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals("eoss", s.get("study").asText());
        assertEquals("quick", s.get("variant").asText());
        assertTrue(s.get("verdicts").isArray() && s.get("verdicts").size() >= expected.size() + 1);
        Set<String> ids = new HashSet<>();
        for (JsonNode v : s.get("verdicts")) {
            for (String k : List.of("id", "claim", "gate", "pass", "measured", "criterion")) {
                assertTrue(v.has(k), "verdict lacks '" + k + "': " + v);
            }
            assertTrue(v.get("id").asText().startsWith("eoss."), v.toString());
            ids.add(v.get("id").asText());
        }
        assertTrue(ids.contains("eoss.B1") && ids.contains("eoss.B5"), ids.toString());
        JsonNode runs = s.get("runs");
        assertTrue(runs.isArray());
        assertTrue(runs.size() >= (EossStudy.QUICK_LONG ? 5 : 4), runs.toString());
        for (JsonNode run : runs) {
            assertTrue(run.has("id") && run.has("status") && run.has("steps") && run.has("final_loss"), run.toString());
            assertFalse(run.get("status").asText().equals("diverged"), run.toString());
        }
        assertTrue(Files.isRegularFile(dir.resolve("report.html")));
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("eoss_bs_lmax_runs") && html.contains("eoss_lmax_vs_b"), "figures in the report");
        assertFalse(Files.exists(dir.resolve("runs")), "saveRuns = false writes no run directories");
    }
}
