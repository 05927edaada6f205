package org.sgdlab.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class RunReportTest {

    static final List<String> ALL = List.of("loss", "accuracy", "sharpness", "batch_sharpness", "ntk", "loss_split",
            "agop", "metrics_other", "diag_sharpness", "diag_symmetry");

    @Test
    void fullRunHasEveryFigureWithCaptionAndFiles(@TempDir Path dir) throws Exception {
        SyntheticRun.write(dir);
        Path out = RunReport.write(dir);
        String html = Files.readString(out);
        Document d = HtmlCheck.parse(html);
        assertEquals(ALL, HtmlCheck.attr(d, "figure", "id").stream().map(s -> s.substring(4)).toList());
        for (String f : ALL) {
            assertTrue(html.contains("<figure id=\"fig-" + f + "\">"), f);
            SvgTestUtil.parse(Files.readString(dir.resolve("plots/" + f + ".svg")));
            assertNotNull(ImageIO.read(dir.resolve("plots/" + f + ".png").toFile()), f);
        }
        assertEquals(ALL.size(), d.getElementsByTagName("figcaption").getLength());
        // captions state the numbers, computed here independently from the synthetic formulas:
        // sharpness(t) = min(10.4, 4 + 0.05 t) (+ wiggle after 130) reaches the threshold 2/0.2 = 10 first at t = 120
        assertTrue(html.contains("t_EoS (first measured step with sharpness \u2265 threshold, Q6.4) = 120"), html);
        assertTrue(html.contains("largest peak ratio 14.7 at step 130"));
        assertTrue(html.contains("1 measurement did not converge"));
        double finalLoss = SyntheticRun.trainLoss(SyntheticRun.STEPS - 1);
        assertTrue(html.contains("Final training loss " + Fmt.num(finalLoss)), Fmt.num(finalLoss));
        // batch sharpness: bs(t) = min(10.2, 6 + 0.04 t) at t = 0, 50, ..., 350; last quarter = t in {300, 350}
        // -> mean bs * eta / 2 = 10.2 * 0.1 = 1.02
        assertTrue(html.contains("mean batch sharpness \u00b7 \u03b7/2 = 1.02"), "BS ratio");
        // verdicts, problems with file:line, spec verbatim and escaped
        assertTrue(html.contains("<strong>FAIL</strong>: 1 of 2 gates did not pass: A2"));
        assertTrue(html.contains("metrics.jsonl:52: malformed JSON"));
        assertTrue(html.contains("metrics.jsonl:402: incomplete last line"));
        assertFalse(html.toLowerCase(Locale.ROOT).contains("<script"));
        assertTrue(html.contains("note: &quot;&lt;script&gt;alert(1)&lt;/script&gt; &amp; more&quot;"));
        assertTrue(html.contains("<tr><th scope=\"row\">final.test_acc</th><td>0.94</td></tr>"));
        // events table
        assertTrue(html.contains("<td>spike</td><td>120</td><td>130</td><td>140</td><td>14.7</td><td>pre = 0.22</td>"));
    }

    @Test
    void sharpnessFigureShowsThresholdSpikeAndNonConvergence(@TempDir Path dir) throws Exception {
        SyntheticRun.write(dir);
        String html = Files.readString(RunReport.write(dir));
        Document svg = SvgTestUtil.parse(Files.readString(dir.resolve("plots/sharpness.svg")));
        List<String> texts = SvgTestUtil.texts(svg);
        assertTrue(texts.contains("threshold = 10"), "constant threshold as a labelled reference line: " + texts);
        assertTrue(texts.contains("edge of stability (ratio 1)"));
        assertNotNull(SvgTestUtil.series(svg, "sharpness"));
        assertNotNull(SvgTestUtil.series(svg, "\u03bb_2"));
        assertEquals(1, SvgTestUtil.seriesElements(svg, "not converged", "circle").size());
        assertTrue(texts.contains("spike (onset\u2013end)") && texts.contains("spike peak"));
        assertEquals(2, SvgTestUtil.frames(svg).size(), "sharpness and stability-ratio panels");
        // the stability ratio panel plots sharpness/threshold: 20 points
        double[] pts = SvgTestUtil.points(SvgTestUtil.seriesElements(svg, "sharpness / threshold", "polyline").get(0));
        assertEquals(40, pts.length);
        // batch sharpness: error bars and 2/eta
        Document bs = SvgTestUtil.parse(Files.readString(dir.resolve("plots/batch_sharpness.svg")));
        assertTrue(SvgTestUtil.texts(bs).contains("2/\u03b7 = 10"));
        assertEquals(8 * 3, SvgTestUtil.seriesElements(bs, "batch sharpness \u00b1 SE", "line").size(),
                "bar + 2 caps for each of 8 measurements");
        assertNotNull(SvgTestUtil.series(bs, "\u03bb_max"));
        Document ntk = SvgTestUtil.parse(Files.readString(dir.resolve("plots/ntk.svg")));
        for (int i = 1; i <= 3; i++) {
            assertNotNull(SvgTestUtil.series(ntk, "\u03bb_" + i + "(K\u0304)"));
        }
        Document split = SvgTestUtil.parse(Files.readString(dir.resolve("plots/loss_split.svg")));
        assertNotNull(SvgTestUtil.series(split, "loss_top_s"));
        assertNotNull(SvgTestUtil.series(split, "loss_rest_s"));
        // generic small multiples: leftovers only (sharpness.jsonl: hvps, seconds, hess_residual); the fields
        // that never change (hvps = 42, seconds = 0.3) are named in the caption instead of drawn
        Document gs = SvgTestUtil.parse(Files.readString(dir.resolve("plots/diag_sharpness.svg")));
        List<String> titles = SvgTestUtil.texts(gs);
        assertTrue(titles.contains("hess_residual"), titles.toString());
        assertFalse(titles.contains("sharpness") || titles.contains("threshold") || titles.contains("hvps")
                || titles.contains("seconds"), titles.toString());
        assertTrue(html.contains("The same at every measurement: hvps = 42, seconds = 0.3."), "caption of the constants");
    }

    @Test
    void stepVaryingThresholdIsDrawnAsAStaircase(@TempDir Path dir) throws Exception {
        StringBuilder m = new StringBuilder();
        StringBuilder s = new StringBuilder();
        for (int t = 0; t < 100; t++) {
            double lr = t < 50 ? 0.1 : 0.05;
            m.append(String.format(Locale.ROOT, "{\"step\":%d,\"lr\":%s,\"threshold\":%s,\"train_loss\":%s}%n", t, lr,
                    2 / lr, 1.0 / (t + 1)));
            if (t % 10 == 0) {
                s.append(String.format(Locale.ROOT, "{\"step\":%d,\"sharpness\":%s}%n", t, 15 + t * 0.1));
            }
        }
        Files.writeString(dir.resolve("metrics.jsonl"), m);
        Files.createDirectories(dir.resolve("diagnostics"));
        Files.writeString(dir.resolve("diagnostics/sharpness.jsonl"), s);
        RunReport.write(dir);
        Document svg = SvgTestUtil.parse(Files.readString(dir.resolve("plots/sharpness.svg")));
        assertNotNull(SvgTestUtil.series(svg, "threshold(t)"), "varying threshold as a series");
        String html = Files.readString(dir.resolve("report.html"));
        // ratio = sharpness / threshold = (15 + 0.1 t)/20 for t < 50 (largest at t = 40: 19/20) and
        // (15 + 0.1 t)/40 < 1 afterwards: never at the edge
        assertTrue(html.contains("The sharpness stayed below the threshold (largest ratio " + Fmt.num((15 + 4.0) / 20)
                + ")"), html);
        assertFalse(html.contains("fig-batch_sharpness"), "no figure without data");
        assertFalse(html.contains("fig-ntk"));
    }

    @Test
    void emptyOrRunningRunStillGetsAReport(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("summary.json"), "{\"status\":\"running\"}");
        String html = Files.readString(RunReport.write(dir));
        HtmlCheck.parse(html);
        assertTrue(html.contains("No metrics or diagnostics recorded yet."));
        // recorded as running, but no process holds the directory: its writer was killed
        assertTrue(html.contains("<td>interrupted</td>"), html);
        assertTrue(html.contains("status: interrupted (continue it with: sgdlab resume " + dir + ")"), html);
        assertFalse(html.contains("<figure"));
        assertFalse(Files.exists(dir.resolve("plots")) && Files.list(dir.resolve("plots")).findAny().isPresent());
        // a process (here this one) that holds the lock is running it
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir.resolve(".lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock l = ch.lock()) {
            String live = Files.readString(RunReport.write(dir));
            assertTrue(live.contains("<td>running</td>"), live);
            assertFalse(live.contains("sgdlab resume"));
        }
    }

    @Test
    void divergedRunWithNonFiniteLossDoesNotCrash(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("metrics.jsonl"), "{\"step\":0,\"train_loss\":1.0}\n{\"step\":1,\"train_loss\":"
                + "50.0}\n{\"step\":2,\"train_loss\":1e200}\n{\"step\":3,\"train_loss\":Infinity}\n{\"step\":4,"
                + "\"train_loss\":NaN}\n");
        Files.writeString(dir.resolve("summary.json"), "{\"status\":\"diverged\",\"steps\":4}");
        Files.writeString(dir.resolve("events.jsonl"), "{\"type\":\"spike\",\"start\":1,\"peak\":2,\"end\":null,"
                + "\"peak_ratio\":1e200}\n");
        String html = Files.readString(RunReport.write(dir));
        HtmlCheck.parse(html);
        assertTrue(html.contains("Run status: diverged."));
        assertTrue(html.contains("(1 never returned)"));
        Document svg = SvgTestUtil.parse(Files.readString(dir.resolve("plots/loss.svg")));
        assertTrue(SvgTestUtil.texts(svg).contains("2 non-finite values (NaN/inf) not drawn: gaps in the lines"));
    }

    /** A field of a list of records (per-layer results) is one panel with a line per element. */
    @Test
    void perLayerFieldsArePanelsWithALinePerLayer(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("diagnostics"));
        StringBuilder rows = new StringBuilder();
        for (int s = 0; s <= 20; s += 10) {
            rows.append(String.format(Locale.ROOT, "{\"step\":%d,\"threshold\":0.99,\"layers\":[{\"layer\":1,"
                    + "\"neurons\":32,\"density\":%s},{\"layer\":3,\"neurons\":16,\"density\":%s}],"
                    + "\"blocks\":[{\"w\":%d}]}%n", s, 0.5 - 0.01 * s, 0.25 + 0.01 * s, s));
        }
        Files.writeString(dir.resolve("diagnostics/fs.jsonl"), rows.toString());
        String html = Files.readString(RunReport.write(dir));
        HtmlCheck.parse(html);
        assertTrue(html.contains("Diagnostic fs (diagnostics/fs.jsonl): layers[i].density, blocks[i].w, against the "
                + "step."), html);
        assertTrue(html.contains("The same at every measurement: threshold = 0.99, layers[i].layer = 1, 3, "
                + "layers[i].neurons = 32, 16."), html);
        Document svg = SvgTestUtil.parse(Files.readString(dir.resolve("plots/diag_fs.svg")));
        assertEquals(2, SvgTestUtil.frames(svg).size(), "one panel per field, not per element and field");
        List<String> texts = SvgTestUtil.texts(svg);
        assertTrue(texts.contains("layers[i].density") && texts.contains("blocks[i].w"), texts.toString());
        assertTrue(texts.contains("layer 1") && texts.contains("layer 3"), "lines named by the layer field: " + texts);
        assertFalse(texts.contains("blocks[0]"), "a single line needs no legend");
        for (String layer : List.of("layer 1", "layer 3")) {
            List<org.w3c.dom.Element> lines = SvgTestUtil.seriesElements(svg, layer, "polyline");
            assertEquals(1, lines.size(), layer);
            assertEquals(3 * 2, SvgTestUtil.points(lines.get(0)).length, layer + ": steps 0, 10, 20");
        }
        assertNotNull(SvgTestUtil.series(svg, "blocks[0]"), "an element without an identifying field: LIST[I]");
    }

    @Test
    void reportIsDeterministic(@TempDir Path dir) throws Exception {
        SyntheticRun.write(dir);
        String a = Files.readString(RunReport.write(dir));
        byte[] pa = Files.readAllBytes(dir.resolve("plots/sharpness.png"));
        String b = Files.readString(RunReport.write(dir));
        assertEquals(a, b);
        assertArrayEquals(pa, Files.readAllBytes(dir.resolve("plots/sharpness.png")));
    }
}
