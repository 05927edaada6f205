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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.report.Verdict;

/**
 * The quick variant of {@code eos} (STUDIES.md §1.3) end to end: every gate passes on the calibrated digits
 * configuration, summary.json has the study command's format and report.html is written.
 */
class EosStudyTest {

    static final List<String> QUICK_IDS = List.of("eos.A1", "eos.A2", "eos.A3", "eos.A4'", "eos.A6", "eos.A7", "eos.A8",
            "eos.M1");

    @Test
    void quickVariantPassesEveryGate(@TempDir Path dir) throws Exception {
        StudyContext ctx = new StudyContext(true, 0, 0, dir, "digits", 2, true, line -> { });
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StudyRunner.Outcome o;
        try (PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            o = StudyRunner.run(new EosStudy(), ctx, out);
        }
        // the edge-test forks start from E-0.2's theta snapshot (Stateful), which a replay restores
        StudyReplay.assertReplaysTheSameRecord(new EosStudy(), dir);
        String table = buf.toString(StandardCharsets.UTF_8);
        StudyResult r = o.result();

        // the quick variant's criteria, each a gate on digits
        Set<String> ids = new TreeSet<>();
        for (Verdict v : r.verdicts()) {
            ids.add(v.id());
            assertEquals(Verdict.Kind.GATE, v.kind(), v.id() + "\n" + table);
            assertEquals(Verdict.Outcome.PASS, v.outcome(), v.id() + " failed\n" + table);
        }
        assertEquals(new TreeSet<>(QUICK_IDS), ids, table);
        assertTrue(o.passed(), table);

        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals("eos", s.get("study").asText());
        assertEquals("quick", s.get("variant").asText());
        assertTrue(s.get("passed").asBoolean());
        JsonNode vs = s.get("verdicts");
        assertEquals(QUICK_IDS.size(), vs.size());
        for (JsonNode v : vs) {
            for (String f : List.of("id", "claim", "gate", "pass", "measured", "criterion")) {
                assertTrue(v.has(f), "verdict " + v.get("id") + " lacks '" + f + "'");
            }
            assertTrue(v.get("gate").asBoolean(), v.get("id").asText());
            assertTrue(v.get("pass").asBoolean(), v.get("id").asText());
            assertFalse(v.get("measured").isEmpty(), v.get("id").asText());
        }
        JsonNode runs = s.get("runs");
        assertEquals(3, runs.size()); // E-0.2, fork-control, fork-perturbed
        assertEquals("E-0.2", runs.get(0).get("id").asText());
        assertEquals(1500, runs.get(0).get("steps").asInt());
        for (JsonNode run : runs) {
            assertEquals("completed", run.get("status").asText(), run.toString());
        }
        Path html = dir.resolve("report.html");
        assertTrue(Files.size(html) > 0);
        String text = Files.readString(html);
        assertTrue(text.contains("eos-e02") && text.contains("eos-forks"), "figures missing from report.html");
        assertNotNull(r.verdict("A4'"));
    }
}
