package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.report.Verdict;

/**
 * The full variant's code path (every experiment and criterion of STUDIES.md §1.2) on a shortened plan, so it
 * runs in seconds: the verdict ids and kinds per data set (§1.2, §8.2, §8.3), the runs, the figures, the flow
 * file, and Fashion-MNIST's learning-rate rescaling eta_F = 0.68 / lambda_max(theta_0) (§8.2). The verdicts'
 * outcomes are not asserted here: the plan is far too short for the phenomena.
 */
class EosFullPathTest {

    /** 40 E-0.2 steps, forks from step 20 for 20 steps, every other run 20 steps. */
    static final EosStudy.Plan TINY = new EosStudy.Plan(false, 40, 20, 20, 20, 10, 20, 10, 20, 10, 20, 20, 10);

    static final List<String> FULL_IDS = List.of("A1", "A2", "A3", "A4", "A6", "A7", "A8", "A5", "M1", "M2", "F1", "C1");

    static StudyRunner.Outcome run(Path dir, String data, boolean save) throws Exception {
        StudyContext ctx = new StudyContext(false, 0, 0, dir, data, 2, save, line -> { });
        EosStudy study = new EosStudy(TINY, EosStudy.Plan.QUICK);
        try (PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            return StudyRunner.run(study, ctx, out);
        }
    }

    static Map<String, Verdict.Kind> kinds(StudyResult r) {
        Map<String, Verdict.Kind> m = new LinkedHashMap<>();
        for (Verdict v : r.verdicts()) {
            m.put(v.id().substring("eos.".length()), v.kind());
        }
        return m;
    }

    @Test
    void digitsRunsEveryExperimentAndCriterion(@TempDir Path dir) throws Exception {
        StudyRunner.Outcome o = run(dir, "digits", true);
        Map<String, Verdict.Kind> k = kinds(o.result());
        assertEquals(new java.util.TreeSet<>(FULL_IDS), new java.util.TreeSet<>(k.keySet()));
        for (String id : FULL_IDS) {
            Verdict.Kind want = List.of("M2", "F1", "C1").contains(id) ? Verdict.Kind.REPORT : Verdict.Kind.GATE;
            assertEquals(want, k.get(id), id);
        }
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals("full", s.get("variant").asText());
        List<String> runs = new ArrayList<>();
        for (JsonNode r : s.get("runs")) {
            runs.add(r.get("id").asText());
            assertEquals("completed", r.get("status").asText(), r.toString());
        }
        assertEquals(List.of("E-0.2", "fork-control", "fork-perturbed", "E-0.1", "M-hb", "M-nes", "ce", "flow"), runs);
        JsonNode first = s.get("runs").get(0);
        assertEquals(40, first.get("steps").asInt());
        // the learning rates of §1.1
        Map<String, Double> lr = new LinkedHashMap<>();
        for (JsonNode r : s.get("runs")) {
            lr.put(r.get("id").asText(), r.get("lr").isNull() ? Double.NaN : r.get("lr").asDouble());
        }
        assertEquals(0.2, lr.get("E-0.2"), 1e-15);
        assertEquals(0.25, lr.get("fork-perturbed"), 1e-15);
        assertEquals(0.1, lr.get("E-0.1"), 1e-15);
        assertEquals(0.38, lr.get("M-hb"), 1e-15);
        assertEquals(0.1357, lr.get("M-nes"), 1e-15);
        for (String f : List.of("eos-e02", "eos-forks", "eos-e01", "eos-momentum", "eos-flow", "eos-ce")) {
            assertTrue(Files.exists(dir.resolve("plots").resolve(f + ".svg")), f);
        }
        // the run directories and the flow table: 3 grid points (tau = 0, 4, 8), header + 3 lines
        assertTrue(Files.exists(dir.resolve("runs").resolve("E-0.2").resolve("metrics.csv")));
        List<String> flow = Files.readAllLines(dir.resolve("runs").resolve("flow").resolve("flow.csv"));
        assertEquals(4, flow.size());
        assertTrue(flow.get(0).startsWith("tau,gd_step,"));
        String[] last = flow.get(3).split(",");
        assertEquals(8.0, Double.parseDouble(last[0]), 1e-12);
        assertEquals("40", last[1]);
        // GD and flow start from the same theta_0: distance 0 at tau = 0
        assertEquals(0.0, Double.parseDouble(flow.get(1).split(",")[6]), 0);
        assertTrue(Files.isRegularFile(dir.resolve("runs").resolve("flow").resolve(StudyContext.MEMO_FILE)));

        // run again on the same directory: every run replayed and the flow reused, the same record
        StudyReplay.assertReplaysTheSameRecord(new EosStudy(TINY, EosStudy.Plan.QUICK), dir, false);
        assertEquals(flow, Files.readAllLines(dir.resolve("runs").resolve("flow").resolve("flow.csv")));
    }

    @Test
    void fashionMnistRescalesTheLearningRatesAndUsesProvisionalGates(@TempDir Path dir) throws Exception {
        StudyRunner.Outcome o = run(dir, "fashion-mnist", false);
        Map<String, Verdict.Kind> k = kinds(o.result());
        for (String id : FULL_IDS) {
            Verdict.Kind want = id.equals("M1") ? Verdict.Kind.GATE
                    : List.of("A1", "A2", "A3", "A4", "A6", "A7", "A8").contains(id) ? Verdict.Kind.PROVISIONAL
                    : Verdict.Kind.REPORT;
            assertEquals(want, k.get(id), id);
        }
        JsonNode s = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        Map<String, Double> lr = new LinkedHashMap<>();
        for (JsonNode r : s.get("runs")) {
            lr.put(r.get("id").asText(), r.get("lr").isNull() ? Double.NaN : r.get("lr").asDouble());
        }
        // eta_F = 0.68 / lambda_max(theta_0), two significant digits; lambda_max(theta_0) is E-0.2's step-0 measurement
        Verdict a1 = o.result().verdict("A1");
        double lambda0 = ((Number) a1.measured().get("lambda_max_0")).doubleValue();
        double etaF = lr.get("E-0.2");
        double twoDigits = new java.math.BigDecimal(0.68 / lambda0).round(new java.math.MathContext(2)).doubleValue();
        assertEquals(twoDigits, etaF, 0);
        assertEquals(1.25 * etaF, lr.get("fork-perturbed"), 1e-15);
        assertEquals(0.5 * etaF, lr.get("E-0.1"), 1e-15);
        assertEquals(0.38 / 0.2 * etaF, lr.get("M-hb"), 1e-15);
        assertEquals(0.1357 / 0.2 * etaF, lr.get("M-nes"), 1e-15);
        assertEquals("fashion-mnist", s.get("data").asText());
    }

    @Test
    void verdictKindsPerDataSet() {
        EosSetup synth = new EosSetup("synthetic", null, null, null, 0, 0, null, Double.NaN, 0.2);
        EosSetup digits = new EosSetup("digits", null, null, null, 0, 0, null, Double.NaN, 0.2);
        EosSetup fashion = new EosSetup("fashion-mnist", null, null, null, 0, 0, null, 3.4, 0.2);
        for (String id : List.of("A1", "A2", "A3", "A4", "A4'", "A5", "A6", "A7", "A8", "M1", "M2", "F1", "C1")) {
            assertEquals(Verdict.Kind.REPORT, synth.kind(id), id);
        }
        assertEquals(Verdict.Kind.GATE, digits.kind("A4'"));
        assertEquals(Verdict.Kind.GATE, digits.kind("A5"));
        assertEquals(Verdict.Kind.REPORT, digits.kind("F1"));
        assertEquals(Verdict.Kind.PROVISIONAL, fashion.kind("A4'"));
        assertEquals(Verdict.Kind.REPORT, fashion.kind("A5"));
        assertEquals(Verdict.Kind.GATE, fashion.kind("M1"));
        assertEquals(0.25, fashion.scaled(0.25), 1e-15);
        EosSetup fast = new EosSetup("fashion-mnist", null, null, null, 0, 0, null, 1.7, 0.4);
        assertEquals(0.76, fast.scaled(0.38), 1e-15);
    }
}
