package org.sgdlab.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunDataTest {

    @Test
    void readsEverythingAndReportsMalformedLinesWithFileAndLine(@TempDir Path dir) throws Exception {
        SyntheticRun.write(dir);
        RunData d = RunData.read(dir);
        List<String> problems = d.problems().stream().map(RunData.Problem::toString).toList();
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).startsWith("metrics.jsonl:52: malformed JSON"), problems.get(0));
        assertTrue(problems.get(1).startsWith("metrics.jsonl:402: incomplete last line"), problems.get(1));
        assertFalse(problems.get(1).contains("REDACTED"), "parser internals are trimmed: " + problems.get(1));
        assertTrue(problems.get(2).startsWith("events.jsonl:2: malformed JSON"), problems.get(2));

        Table m = d.metrics();
        assertEquals(SyntheticRun.STEPS, m.size(), "every good line is a row");
        assertTrue(m.columns().containsAll(List.of("epoch", "lr", "threshold", "train_loss", "batch_loss", "test_loss")));
        // missing = not measured: test_loss only every 20 steps
        Table.XY test = m.series("test_loss");
        assertEquals(SyntheticRun.STEPS / 20, test.size());
        assertEquals(40, test.x()[2], 0);
        assertEquals(1.1 * SyntheticRun.trainLoss(40) + 0.01, test.y()[2], 1e-15);
        assertEquals(SyntheticRun.trainLoss(399), m.lastFinite("train_loss").getAsDouble(), 1e-15);
        assertEquals(399, d.lastStep());

        Table s = d.diagnostic("sharpness").orElseThrow();
        assertEquals(List.of("converged"), s.flagColumns());
        assertEquals(List.of("hess_eig", "hess_residual"), s.arrayColumns());
        Table.XY l2 = s.arrayComponent("hess_eig", 1);
        for (int i = 0; i < l2.size(); i++) {
            assertEquals(0.7 * SyntheticRun.sharpness((int) l2.x()[i]), l2.y()[i], 1e-12);
        }
        int row200 = 10;
        assertEquals(200, s.steps()[row200]);
        assertEquals(0, s.value("converged", row200), 0);
        assertEquals(1, s.value("converged", 0), 0);

        assertEquals(List.of("agop", "batch_sharpness", "ntk", "sharpness", "symmetry"), List.copyOf(d.diagnostics().keySet()));
        Table.XY rank = d.diagnostic("symmetry").orElseThrow().series("stable_rank");
        assertTrue(Double.isNaN(rank.y()[4]), "NaN is kept as a measured NaN (a gap), not dropped");

        assertEquals(1, d.events().size());
        RunData.Event e = d.events("spike").get(0);
        assertEquals(120, e.start());
        assertEquals(130L, e.peak());
        assertEquals(140L, e.end());
        assertEquals(14.7, e.peakRatio(), 0);
        assertEquals(0.22, e.values().get("pre"), 0);

        assertEquals("completed", d.status());
        assertEquals(3, d.verdicts().size());
        assertEquals(Verdict.Kind.GATE, d.verdicts().get(0).kind());
        assertEquals(Verdict.Outcome.PASS, d.verdicts().get(0).outcome());
        assertEquals(130L, d.verdicts().get(0).measured().get("t_eos"));
        assertEquals(Verdict.Kind.PROVISIONAL, d.verdicts().get(1).kind());
        assertEquals(Verdict.Outcome.FAIL, d.verdicts().get(1).outcome());
        assertEquals(Verdict.Kind.REPORT, d.verdicts().get(2).kind());
        assertEquals(Verdict.Outcome.NOT_EVALUATED, d.verdicts().get(2).outcome());
        assertTrue(d.spec().orElseThrow().startsWith("name: synthetic\n"));
        assertEquals("spec.yaml", d.specFile().orElseThrow());
    }

    @Test
    void nonFiniteSpellingsNullsNestingAndBadSteps(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), String.join("\n",
                "{\"step\":0,\"train_loss\":NaN,\"a\":{\"b\":2,\"c\":{\"d\":3}},\"name\":\"warmup\"}",
                "{\"step\":1,\"train_loss\":\"Infinity\",\"a\":{\"b\":null}}",
                "{\"step\":2,\"train_loss\":-Infinity}",
                "{\"step\":3,\"train_loss\":\"-inf\"}",
                "{\"step\":4,\"train_loss\":null}",
                "{\"train_loss\":1}",
                "{\"step\":2.5,\"train_loss\":1}",
                "{\"step\":\"7\",\"train_loss\":1}",
                "[1,2,3]",
                "{\"step\":5,\"train_loss\":1} {\"step\":6}",
                "",
                "   ",
                "{\"step\":6,\"v\":[1,null,\"NaN\"]}",
                "{\"step\":7,\"v\":3}",
                "{\"step\":8,\"w\":[\"a\",\"b\"]}",
                "") );
        RunData d = RunData.read(dir);
        Table m = d.metrics();
        Table.XY tl = m.series("train_loss");
        assertArrayEquals(new double[] {0, 1, 2, 3}, tl.x(), 0, "null at step 4 = not measured");
        assertTrue(Double.isNaN(tl.y()[0]));
        assertEquals(Double.POSITIVE_INFINITY, tl.y()[1], 0);
        assertEquals(Double.NEGATIVE_INFINITY, tl.y()[2], 0);
        assertEquals(Double.NEGATIVE_INFINITY, tl.y()[3], 0);
        assertEquals(1, m.series("a.b").size(), "nested objects are flattened; null is absent");
        assertEquals(3, m.series("a.c.d").y()[0], 0);
        assertFalse(m.has("name"), "text fields are not columns");
        double[] v = m.arrays("v").get(m.size() - 3);
        assertEquals(1, v[0], 0);
        assertTrue(Double.isNaN(v[1]) && Double.isNaN(v[2]));
        assertFalse(m.has("w"), "arrays of text are ignored");
        List<String> p = d.problems().stream().map(RunData.Problem::toString).toList();
        assertTrue(p.contains("metrics.jsonl:6: no \"step\" field"), p.toString());
        assertTrue(p.contains("metrics.jsonl:7: \"step\" must be an integer, got 2.5"), p.toString());
        assertTrue(p.contains("metrics.jsonl:8: \"step\" must be an integer, got \"7\""), p.toString());
        assertTrue(p.contains("metrics.jsonl:9: expected a JSON object, got array"), p.toString());
        assertTrue(p.stream().anyMatch(s -> s.startsWith("metrics.jsonl:10: malformed JSON")), "two objects on one line: " + p);
        assertTrue(p.stream().anyMatch(s -> s.startsWith("metrics.jsonl:14: field \"v\" is a number in some rows")), p.toString());
        assertEquals(6, p.size(), p.toString());
    }

    /** A list of records (per-layer results) gives one scalar column per element and field, RecordFields' keys. */
    @Test
    void listsOfRecordsBecomeColumnsPerElement(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("diagnostics"));
        StringBuilder many = new StringBuilder("[");
        for (int i = 0; i < 17; i++) {
            many.append(i == 0 ? "" : ",").append("{\"x\":").append(i).append('}');
        }
        Files.writeString(dir.resolve("diagnostics/fs.jsonl"), String.join("\n",
                "{\"step\":0,\"threshold\":0.99,\"hess_eig\":[3,2],\"layers\":[{\"layer\":1,\"density\":0.5,"
                        + "\"ok\":true,\"name\":\"fc1\"},{\"layer\":2,\"density\":null}],\"many\":" + many + "]}",
                "{\"step\":10,\"layers\":[{\"layer\":1,\"density\":\"NaN\",\"ok\":false},{\"layer\":2,\"density\":0.25}]}",
                ""));
        RunData d = RunData.read(dir);
        assertEquals(List.of(), d.problems());
        Table t = d.diagnostic("fs").orElseThrow();
        assertEquals(List.of("threshold", "layers.0.layer", "layers.0.density", "layers.1.layer", "layers.1.density"),
                t.columns());
        assertEquals(List.of("layers.0.ok"), t.flagColumns());
        assertEquals(List.of("hess_eig"), t.arrayColumns(), "numeric arrays stay array columns");
        Table.XY d0 = t.series("layers.0.density");
        assertArrayEquals(new double[] {0, 10}, d0.x(), 0);
        assertEquals(0.5, d0.y()[0], 0);
        assertTrue(Double.isNaN(d0.y()[1]), "\"NaN\" is a NaN measurement");
        Table.XY d1 = t.series("layers.1.density");
        assertArrayEquals(new double[] {10}, d1.x(), 0, "null is not measured");
        assertArrayEquals(new double[] {0.25}, d1.y(), 0);
        assertArrayEquals(new double[] {1, 0}, t.series("layers.0.ok").y(), 0);
        assertFalse(t.has("many.0.x"), "a list of 17 records stays in the file");
    }

    @Test
    void emptyAndMissingAreFineButNoDirectoryIsAnError(@TempDir Path dir) throws Exception {
        RunData d = RunData.read(dir);
        assertTrue(d.metrics().isEmpty());
        assertTrue(d.diagnostics().isEmpty() && d.events().isEmpty() && d.problems().isEmpty());
        assertEquals("unknown", d.status());
        assertTrue(d.spec().isEmpty());
        assertEquals(-1, d.lastStep());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunData.read(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("run directory does not exist"), e.getMessage());
    }

    @Test
    void brokenSummaryAndBadBytesAreProblemsNotCrashes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("summary.json"), "{\n \"status\": \"running\",\n \"steps\": }\n");
        Files.write(dir.resolve("metrics.jsonl"), new byte[] {'{', '"', 's', 't', 'e', 'p', '"', ':', '1', ',', '"', 'x',
            (byte) 0xff, '"', ':', '2', '}', '\n'});
        Files.writeString(dir.resolve("events.jsonl"), "{\"type\":\"spike\",\"onset\":5,\"peak\":7,\"end\":null,"
                + "\"magnitude\":3.5}\n{\"type\":\"spike\",\"peak\":3}\n");
        RunData d = RunData.read(dir);
        List<String> p = d.problems().stream().map(RunData.Problem::toString).toList();
        assertTrue(p.stream().anyMatch(s -> s.startsWith("summary.json:3: malformed JSON")), p.toString());
        assertTrue(p.contains("events.jsonl:2: event without an integer \"start\" (or \"onset\")"), p.toString());
        assertEquals("unknown", d.status());
        assertEquals(1, d.metrics().size(), "a bad byte is replaced, the line still counts");
        RunData.Event e = d.events().get(0);
        assertEquals(5, e.start());
        assertNull(e.end());
        assertTrue(e.isOpen());
        assertEquals(3.5, e.peakRatio(), 0);
    }

    @Test
    void decreasingStepsAreKeptAndNoted(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":0,\"x\":1}\n{\"step\":10,\"x\":2}\n{\"step\":5,\"x\":3}\n");
        RunData d = RunData.read(dir);
        assertArrayEquals(new long[] {0, 10, 5}, d.metrics().steps());
        assertEquals("metrics.jsonl:3: step 5 after step 10 (steps not increasing; resumed run?); rows kept in file order",
                d.problems().get(0).toString());
    }
}
