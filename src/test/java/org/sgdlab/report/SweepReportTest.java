package org.sgdlab.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class SweepReportTest {

    static final double[] LRS = {0.05, 0.1, 0.2, 0.5};
    static final int[] BATCHES = {8, 32};

    /** The synthetic final loss of a run; lr = 0.5 with b = 8 diverges. */
    static double finalLoss(double lr, int b, int seed) {
        if (lr == 0.5 && b == 8) {
            return Double.POSITIVE_INFINITY;
        }
        return 0.01 / lr * (1 + 8.0 / b) * (1 + 0.1 * seed);
    }

    static String id(int i) {
        return String.format(Locale.ROOT, "r%03d", i);
    }

    static Path writeSweep(Path dir, boolean skipLast) throws Exception {
        StringBuilder runs = new StringBuilder();
        int i = 0;
        for (double lr : LRS) {
            for (int b : BATCHES) {
                for (int seed = 0; seed < 2; seed++) {
                    String id = id(i);
                    Path rd = dir.resolve("runs").resolve(id);
                    double fl = finalLoss(lr, b, seed);
                    if (!(skipLast && i == 15)) {
                        Files.createDirectories(rd);
                        String fls = Double.isFinite(fl) ? Double.toString(fl) : "\"Infinity\"";
                        Files.writeString(rd.resolve("metrics.jsonl"), "{\"step\":0,\"train_loss\":1.0,\"test_acc\":0.1}\n"
                                + "{\"step\":9,\"train_loss\":" + fls + ",\"test_acc\":" + (0.5 + lr) + "}\n");
                        Files.writeString(rd.resolve("summary.json"), "{\"status\":\"" + (Double.isFinite(fl)
                                ? "completed" : "diverged") + "\",\"steps\":10}");
                    }
                    runs.append(i == 0 ? "" : ",\n").append(String.format(Locale.ROOT,
                            "{\"id\":\"%s\",\"params\":{\"optimizer.lr\":%s,\"batch_size\":%d,\"seed\":%d},"
                            + "\"dir\":\"runs/%s\"}", id, lr, b, seed, id));
                    i++;
                }
            }
        }
        Files.writeString(dir.resolve("sweep.json"), "{\"name\":\"lr-by-batch\",\"grid\":{\"optimizer.lr\":[0.05,0.1,"
                + "0.2,0.5],\"batch_size\":[8,32],\"seed\":[0,1]},\"runs\":[\n" + runs + "]}\n");
        return dir;
    }

    @Test
    void plotsFinalMetricsAgainstEachParameterWithSeedMeansAndLinksEveryRun(@TempDir Path dir) throws Exception {
        writeSweep(dir, false);
        HtmlReport r = SweepReport.report(dir);
        assertEquals(List.of("sweep_optimizer_lr", "sweep_batch_size"), r.figures().stream().map(Figure::name).toList());
        Figure lr = r.figures().get(0);
        Plot loss = lr.panels().get(0);
        assertEquals("train_loss", loss.title());
        assertEquals(Plot.Scale.LOG, loss.xScale(), "lr spans a decade: log x");
        assertEquals(Plot.Scale.LOG, loss.yScale());
        assertEquals(2, loss.series().size(), "one line per batch size");
        for (Series s : loss.series()) {
            int b = s.label().equals("batch_size=8") ? 8 : 32;
            assertEquals("batch_size=" + b, s.label());
            int n = b == 8 ? 3 : 4; // lr = 0.5, b = 8 diverged in both seeds
            assertArrayEquals(java.util.Arrays.copyOf(LRS, n), s.x(), 0);
            for (int k = 0; k < n; k++) {
                double v0 = finalLoss(LRS[k], b, 0);
                double v1 = finalLoss(LRS[k], b, 1);
                assertEquals((v0 + v1) / 2, s.y()[k], 1e-15, "mean over the two seeds");
                assertEquals(Math.abs(v0 - v1) / 2, s.errors()[k], 1e-15, "SE of two values = |v0 - v1| / 2");
            }
        }
        assertTrue(loss.notes().contains("2 non-finite (diverged) values not shown"), loss.notes().toString());
        assertTrue(lr.caption().contains("2 runs with a non-finite final value (diverged) left out: r012, r013"),
                lr.caption());
        assertTrue(lr.caption().contains("means over up to 2 replicates"));

        Path out = SweepReport.write(dir);
        String html = Files.readString(out);
        Document d = HtmlCheck.parse(html);
        for (int i = 0; i < 16; i++) {
            assertTrue(html.contains("<a href=\"runs/" + id(i) + "/report.html\">" + id(i) + "</a>"), id(i));
            assertTrue(Files.isRegularFile(dir.resolve("runs/" + id(i) + "/report.html")), "run report " + id(i));
        }
        assertTrue(html.contains("<td>" + Fmt.num(finalLoss(0.05, 8, 1)) + "</td>"));
        assertTrue(html.contains("<tr><th scope=\"row\">status diverged</th><td>2</td></tr>"));
        assertTrue(html.contains("0.05, 0.1, 0.2, 0.5"));
        assertTrue(html.contains("0, 1 (replicates)"));
        assertEquals(2, HtmlCheck.attr(d, "figure", "id").size());
        SvgTestUtil.parse(Files.readString(dir.resolve("plots/sweep_optimizer_lr.svg")));
        assertTrue(Files.isRegularFile(dir.resolve("plots/sweep_batch_size.png")));

        // run reports are rebuilt only when their data is newer
        Path r0 = dir.resolve("runs/r000");
        Path rep = r0.resolve("report.html");
        Files.setLastModifiedTime(rep, FileTime.fromMillis(System.currentTimeMillis() + 60_000));
        assertTrue(SweepReport.upToDate(r0));
        Files.setLastModifiedTime(rep, FileTime.fromMillis(1000));
        assertFalse(SweepReport.upToDate(r0), "metrics.jsonl is newer than the report");
        SweepReport.write(dir);
        assertTrue(Files.getLastModifiedTime(rep).toMillis() > 1000, "stale report rebuilt");
    }

    @Test
    void missingRunsAndMissingIndexAreReported(@TempDir Path dir) throws Exception {
        writeSweep(dir, true);
        String html = Files.readString(SweepReport.write(dir));
        assertTrue(html.contains("runs/r015: run directory missing"), html);
        assertTrue(html.contains("<td>r015</td>"), "no link to a report that does not exist");
        assertTrue(html.contains("<td>missing</td>"));

        Files.delete(dir.resolve("sweep.json"));
        String html2 = Files.readString(SweepReport.write(dir));
        HtmlCheck.parse(html2);
        assertTrue(html2.contains("sweep.json: missing; runs discovered from runs/ without parameters"));
        assertTrue(html2.contains("<a href=\"runs/r000/report.html\">r000</a>"));
        assertTrue(html2.contains("No parameter takes two or more values."));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SweepReport.write(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("sweep directory does not exist"));
    }

    @Test
    void categoricalParametersAndPooling(@TempDir Path dir) throws Exception {
        List<String> opts = List.of("gd", "heavy-ball", "nesterov");
        StringBuilder runs = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            Path rd = dir.resolve("runs/o" + i);
            Files.createDirectories(rd);
            Files.writeString(rd.resolve("summary.json"), "{\"status\":\"completed\",\"final\":{\"train_loss\":"
                    + (i + 1) + "}}");
            runs.append(i == 0 ? "" : ",").append("{\"id\":\"o").append(i).append("\",\"params\":{\"optimizer.name\":\"")
                    .append(opts.get(i)).append("\"}}");
        }
        Files.writeString(dir.resolve("sweep.json"), "{\"runs\":[" + runs + "]}"); // grid inferred from params
        HtmlReport r = SweepReport.report(dir);
        Figure f = r.figures().get(0);
        assertEquals("sweep_optimizer_name", f.name());
        Series s = f.panels().get(0).series().get(0);
        assertArrayEquals(new double[] {0, 1, 2}, s.x(), 0, "categories at 0, 1, 2");
        assertArrayEquals(new double[] {1, 2, 3}, s.y(), 0);
        assertNull(s.errors(), "single runs: no error bars");
        List<String> texts = SvgTestUtil.texts(SvgTestUtil.parse(f.toSvg()));
        assertTrue(texts.containsAll(opts), texts.toString());
    }

    @Test
    void finalsComeFromSummaryThenLastLoggedValues(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":0,\"train_loss\":2,\"grad_norm\":5}\n"
                + "{\"step\":1,\"train_loss\":1,\"grad_norm\":NaN}\n");
        Files.writeString(dir.resolve("summary.json"), "{\"final\":{\"train_loss\":0.5}}");
        Files.createDirectories(dir.resolve("diagnostics"));
        Files.writeString(dir.resolve("diagnostics/sharpness.jsonl"), "{\"step\":0,\"sharpness\":3}\n"
                + "{\"step\":1,\"sharpness\":4}\n");
        Files.writeString(dir.resolve("events.jsonl"), "{\"type\":\"spike\",\"start\":0}\n");
        var f = SweepReport.finals(RunData.read(dir));
        assertEquals(0.5, f.get("train_loss"), 0, "summary.json final wins");
        assertTrue(Double.isNaN(f.get("grad_norm")), "the last logged value, even NaN (diverged)");
        assertEquals(4, f.get("sharpness"), 0);
        assertEquals(1, f.get("spike_count"), 0);
        List<String> keys = new ArrayList<>(f.keySet());
        assertFalse(keys.contains("step"));
        assertNotNull(f.get("train_loss"));
    }
}
