package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.sgdlab.experiment.Json;
import org.sgdlab.report.Verdict;

/** Runs a catapult study's quick variant through StudyRunner and checks its record (shared by the two study tests). */
final class CatapultStudyChecks {

    private CatapultStudyChecks() {
    }

    /** The outcome and the printed verdict table. */
    record Run(StudyRunner.Outcome outcome, String table, JsonNode summary) {
    }

    static Run quick(Study study, Path dir, long seed) throws Exception {
        return quick(study, dir, seed, false, null);
    }

    /** As {@link #quick(Study, Path, long)}, writing run directories when {@code saveRuns}, progress lines to {@code log}. */
    static Run quick(Study study, Path dir, long seed, boolean saveRuns, java.util.function.Consumer<String> log)
            throws Exception {
        StudyContext ctx = new StudyContext(true, seed, 0, dir, "digits", 2, saveRuns, log);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StudyRunner.Outcome o;
        try (PrintStream ps = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            o = StudyRunner.run(study, ctx, ps);
        }
        String table = buf.toString(StandardCharsets.UTF_8);
        assertTrue(Files.isRegularFile(dir.resolve("report.html")), "report.html was not written");
        assertTrue(Files.size(dir.resolve("report.html")) > 1000, "report.html is nearly empty");
        JsonNode s = Json.MAPPER.readTree(dir.resolve("summary.json").toFile());
        return new Run(o, table, s);
    }

    /** summary.json has the format of the study command, and every expected verdict id is present. */
    static void checkSummary(Run r, String study, List<String> ids) {
        JsonNode s = r.summary();
        assertEquals(study, s.get("study").asText(), r.table());
        assertEquals("quick", s.get("variant").asText(), r.table());
        JsonNode vs = s.get("verdicts");
        assertTrue(vs.isArray() && vs.size() == ids.size(), "verdicts: expected " + ids + "\n" + r.table());
        for (int i = 0; i < ids.size(); i++) {
            JsonNode v = vs.get(i);
            assertEquals(study + "." + ids.get(i), v.get("id").asText(), r.table());
            for (String key : List.of("id", "claim", "gate", "pass", "measured", "criterion")) {
                assertTrue(v.has(key), "verdict " + v.get("id") + " lacks '" + key + "'");
            }
            assertTrue(v.get("gate").isBoolean(), r.table());
            assertTrue(v.get("measured").isObject() && v.get("measured").size() > 0, "empty measured in " + v.get("id"));
            assertFalse(v.get("criterion").asText().isBlank(), r.table());
        }
        JsonNode runs = s.get("runs");
        assertTrue(runs.isArray() && runs.size() > 0, "no runs listed\n" + r.table());
        for (JsonNode run : runs) {
            for (String key : List.of("id", "experiment", "settings", "status", "steps", "train_loss", "spikes", "finals")) {
                assertTrue(run.has(key), "run " + run.get("id") + " lacks '" + key + "'");
            }
        }
    }

    /** Every gate and provisional gate passed; the message is the verdict table. */
    static void assertGatesPass(Run r) {
        assertGatesPassExcept(r, Map.of());
    }

    /**
     * Every gate and provisional gate not in {@code known} passed (the pattern of SymmetryStudyTest: gates that stay
     * failing after debugging, with the reason as the map's value, do not hide regressions of the others). Each known
     * failure must still be a gate of the study with measured numbers.
     */
    static void assertGatesPassExcept(Run r, Map<String, String> known) {
        List<Verdict> vs = r.outcome().result().verdicts();
        for (String id : known.keySet()) {
            Verdict v = vs.stream().filter(x -> x.id().equals(id)).findFirst().orElse(null);
            assertTrue(v != null && v.kind().isGate() && !v.measured().isEmpty(), "known failing " + id
                    + " is not a measured gate of the study:\n" + r.table());
        }
        List<String> failed = Verdict.failedGates(vs).stream().filter(id -> !known.containsKey(id)).toList();
        assertTrue(failed.isEmpty(), "failed gates " + failed + " (known failing, not asserted: " + known.keySet()
                + "):\n" + r.table());
    }
}
