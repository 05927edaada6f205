package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.sgdlab.experiment.Json;

/** A study run again on the run directories of a first attempt: every run replayed, the same record. */
final class StudyReplay {

    private StudyReplay() {
    }

    /**
     * Runs {@code study}'s quick variant again into {@code dir}, where an attempt with run directories (saveRuns)
     * has written its {@code summary.json}, and checks that every run was replayed and the summary is the same but
     * for the study's own wall time.
     */
    static void assertReplaysTheSameRecord(Study study, Path dir) throws Exception {
        assertReplaysTheSameRecord(study, dir, true);
    }

    /**
     * As {@link #assertReplaysTheSameRecord(Study, Path)} for the given variant; a logged run that is not a
     * training run (e.g. eos's gradient flow, "  run flow: ...") must have been taken from its memo instead.
     */
    static void assertReplaysTheSameRecord(Study study, Path dir, boolean quick) throws Exception {
        JsonNode before = Json.MAPPER.readTree(dir.resolve("summary.json").toFile());
        List<String> lines = new CopyOnWriteArrayList<>();
        StudyContext ctx = new StudyContext(quick, 0, 0, dir, "digits", 2, true, lines::add);
        StudyRunner.run(study, ctx, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        List<String> runs = lines.stream().filter(l -> l.startsWith("  run ")).toList();
        assertFalse(runs.isEmpty(), "no runs logged: " + lines);
        for (String l : runs) {
            String id = l.substring("  run ".length(), l.indexOf(':'));
            assertTrue(l.contains("replayed from its journal")
                    || lines.contains("  " + id + ": reused from runs/" + id + "/" + StudyContext.MEMO_FILE),
                    "trained or computed again: " + l + " in " + lines);
        }
        JsonNode after = Json.MAPPER.readTree(dir.resolve("summary.json").toFile());
        assertEquals(withoutWallTime(before), withoutWallTime(after));
    }

    static JsonNode withoutWallTime(JsonNode summary) {
        ObjectNode s = summary.deepCopy();
        s.remove("wall_seconds");
        return s;
    }
}
