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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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

    /**
     * Every run of a full plan, shrunk to 100-200 steps measured at the start and the end, on 128 digits with
     * hidden width 16: exercises every full-variant path (forks, retries, B6-B14, figures) in seconds.
     */
    private static EossStudy.Plan tinyFullPlan() {
        List<EossSetup.RunSpec> shorts = new ArrayList<>();
        for (EossSetup.RunSpec s : EossSetup.shortRuns()) {
            shorts.add(resize(s, 100, 100, 1));
        }
        List<EossSetup.RunSpec> longs = new ArrayList<>();
        for (EossSetup.RunSpec s : EossSetup.longRuns()) {
            longs.add(resize(s, 200, 100, 100));
        }
        List<EossSetup.RunSpec> moms = new ArrayList<>();
        for (EossSetup.RunSpec s : EossSetup.momentumRuns()) {
            moms.add(resize(s, 100, 50, 10));
        }
        return new EossStudy.Plan(false, shorts, longs, moms, 50, 20, 50);
    }

    private static EossSetup.RunSpec resize(EossSetup.RunSpec s, long steps, int every, int eval) {
        return new EossSetup.RunSpec(s.id(), s.eta(), s.b(), s.noise(), s.initScale(), steps, every, 0, eval, s.gated(),
                s.role(), s.kind(), s.beta());
    }

    @Test
    void fullPlanRunsEndToEndOnTinyRuns(@TempDir Path dir) throws Exception {
        StudyContext ctx = new StudyContext(false, 0, 0, dir, "digits", 2, false, null);
        EossSetup full = EossSetup.create(ctx, 0);
        EossSetup setup = EossSetup.of("digits", full.clean.first(128), full.noiseSeed, 16);
        EossStudy study = new EossStudy();
        StudyResult r = study.run(ctx, setup, tinyFullPlan());
        for (String id : List.of("B1", "B1r", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11", "B12", "B13",
                "B14")) {
            assertNotNull(r.verdict(id), id + " missing");
        }
        assertEquals(Verdict.Kind.PROVISIONAL, r.verdict("B6").kind());
        assertEquals(Verdict.Kind.REPORT, r.verdict("B10").kind());
        // 12 short, 5 long, 2 momentum runs, 3 forks, and a seed-1 retry for each failing headline criterion
        long retries = r.runs().stream().filter(m -> String.valueOf(m.get("id")).endsWith("-seed1")).count();
        assertEquals(22 + retries, r.runs().size());
        for (String id : List.of("B7", "B8", "B9")) {
            Map<String, Object> m = r.verdict(id).measured();
            if (m.get("default_seed.pass").equals(false)) {
                // the retry rule: the seed-1 repetition is run and recorded next to the default seed
                assertTrue(m.containsKey("retry_seed_1.pass"), id + ": " + m);
            }
        }
        // the fork with the same (eta, b) replays the source run exactly
        assertEquals(0.0, ((Number) r.verdict("B10").measured().get("F-same_vs_source_max_abs_loss_diff")).doubleValue(),
                0.0);
        Path html = StudyRunner.report(study, ctx, r, 1.0).write(dir);
        String page = Files.readString(html);
        for (String fig : List.of("eoss_bs_lmax_runs", "eoss_lmax_vs_b", "eoss_long_runs", "eoss_edge_test",
                "eoss_momentum", "eoss_minibs_gap", "eoss_gni_check")) {
            assertTrue(page.contains(fig), fig + " missing from the report");
        }
    }
}
