package org.sgdlab.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class HtmlReportTest {

    private static Figure fig(String name) {
        Plot p = Plot.builder().add(Series.line("s", new double[] {0, 1}, new double[] {1, 2})).build();
        return Figure.of(name, p).withCaption("Caption of " + name + " <b>bold?</b>");
    }

    private static HtmlReport sample() {
        Map<String, Object> measured = new LinkedHashMap<>();
        measured.put("median_ratio", 1.0123456);
        measured.put("per_seed", List.of(1.0, 2.5));
        return HtmlReport.builder("Report <script>alert(1)</script>")
                .subtitle("sub & title")
                .summary("status", "completed").summary("steps", 400).summary("loss", 0.012345678)
                .section("Results").text("Some <script>alert('x')</script> text\nnext line")
                .figure(fig("first")).figure(fig("second"))
                .table(List.of("run", "value"), List.of(List.of(new HtmlReport.Link("r1", "runs/r1/report.html"), 1.5),
                        java.util.Arrays.asList("r2", null)))
                .section("Results") // same heading again: a distinct anchor
                .verdicts(List.of(
                        new Verdict("A1", "claim one", Verdict.Kind.GATE, Verdict.Outcome.PASS, measured, "x <= 1"),
                        new Verdict("A2", "claim two", Verdict.Kind.PROVISIONAL, Verdict.Outcome.FAIL, Map.of("x", 2),
                                "x <= 1"),
                        new Verdict("R1", "report only", Verdict.Kind.REPORT, Verdict.Outcome.FAIL, null, null),
                        new Verdict("R1", "same id again", Verdict.Kind.REPORT, Verdict.Outcome.PASS, null, null)))
                .link("paper", "https://arxiv.org/abs/2103.00065")
                .pre("name: x\nnote: \"</pre><script>\"")
                .build();
    }

    @Test
    void htmlIsWellFormedAndEscapesText() throws Exception {
        String html = sample().html();
        Document d = HtmlCheck.parse(html);
        assertFalse(html.toLowerCase(java.util.Locale.ROOT).contains("<script"), "no script element can appear");
        assertTrue(html.contains("Some &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; text<br>\nnext line"));
        assertTrue(html.contains("&lt;/pre&gt;&lt;script&gt;"));
        assertEquals("Report <script>alert(1)</script>", d.getElementsByTagName("title").item(0).getTextContent());
        // two figures inline as SVG, with anchors and file links
        assertEquals(2, d.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength());
        assertTrue(HtmlCheck.attr(d, "figure", "id").containsAll(List.of("fig-first", "fig-second")));
        assertTrue(html.contains("href=\"plots/first.svg\"") && html.contains("href=\"plots/first.png\""));
        assertTrue(html.contains("Caption of first &lt;b&gt;bold?&lt;/b&gt;"));
        // sections with distinct anchors, summary table, links, null cell
        assertTrue(HtmlCheck.attr(d, "section", "id").containsAll(List.of("summary", "sec-results", "sec-results-2")));
        assertTrue(html.contains("<a href=\"runs/r1/report.html\">r1</a>"));
        assertTrue(html.contains("<td>0.01235</td>") || html.contains("<td>0.01235</td>"), "4 significant digits");
        assertTrue(html.contains("<td>\u2014</td>"), "null cell");
    }

    @Test
    void verdictTableShowsOutcomesAndTheStudyResult() throws Exception {
        String html = sample().html();
        assertTrue(html.contains("<p class=\"verdict-summary fail\"><strong>FAIL</strong>: 1 of 2 gates did not pass: A2"));
        assertTrue(html.contains("<tr class=\"pass\" id=\"verdict-a1\">"));
        assertTrue(html.contains("<tr class=\"fail\" id=\"verdict-a2\">"));
        assertTrue(html.contains("<tr class=\"fail-report\" id=\"verdict-r1\">"), "a failed report-only claim is not a gate");
        assertTrue(html.contains("median_ratio = 1.012<br>per_seed = [1, 2.5]"));
        assertTrue(html.contains("<td>provisional gate</td>"));
        assertTrue(Verdict.studyPasses(List.of(
                new Verdict("a", null, Verdict.Kind.GATE, Verdict.Outcome.PASS, null, null),
                new Verdict("b", null, Verdict.Kind.REPORT, Verdict.Outcome.FAIL, null, null))));
        assertFalse(Verdict.studyPasses(List.of(
                new Verdict("a", null, Verdict.Kind.PROVISIONAL, Verdict.Outcome.NOT_EVALUATED, null, null))));
        assertEquals(Verdict.Kind.PROVISIONAL, Verdict.Kind.parse("provisional_gate"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Verdict.Kind.parse("maybe"));
        assertTrue(e.getMessage().contains("known: gate, provisional, report"), e.getMessage());
    }

    @Test
    void unsafeLinksAndDuplicateFiguresAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HtmlReport.builder("t").link("x", "javascript:alert(1)"));
        assertTrue(e.getMessage().contains("scheme 'javascript' not allowed"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new HtmlReport.Link("x", " JavaScript:alert(1)"));
        new HtmlReport.Link("ok", "runs/a:b/report.html"); // a colon after a slash is a path, not a scheme
        e = assertThrows(IllegalArgumentException.class, () -> HtmlReport.builder("t").figure(fig("a")).figure(fig("a")));
        assertTrue(e.getMessage().contains("duplicate figure name 'a'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> HtmlReport.builder("t")
                .table(List.of("a", "b"), List.of(List.of("only one"))));
        assertTrue(e.getMessage().contains("row has 1 cells but the header has 2"), e.getMessage());
    }

    @Test
    void writeProducesReportAndPlotFiles(@TempDir Path dir) throws Exception {
        HtmlReport r = sample();
        Path out = r.write(dir);
        assertEquals(dir.resolve("report.html"), out);
        assertEquals(r.html(), Files.readString(out));
        for (String n : new String[] {"first", "second"}) {
            SvgTestUtil.parse(Files.readString(dir.resolve("plots/" + n + ".svg")));
            assertTrue(ImageIO.read(dir.resolve("plots/" + n + ".png").toFile()).getWidth() > 0);
        }
        try (Stream<Path> s = Files.walk(dir)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temp files left");
        }
        // rewriting replaces the files in place
        r.write(dir);
        assertEquals(r.html(), Files.readString(out));
    }

    @Test
    void deterministicHtml() {
        assertEquals(sample().html(), sample().html());
    }

    @Test
    void nestedMeasuredMapsAreFormattedLikeTopLevelNumbers() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("threshold", 2.0);
        inner.put("w_t_below", 1.822875151717452e-88);
        inner.put("rho", 0.9486832980505138);
        inner.put("tag", "a<b");
        assertEquals("{threshold=2, w_t_below=1.823e-88, rho=0.9487, tag=a&lt;b}", HtmlReport.cell(inner));
        assertEquals("{x={y=[1, 0.3333]}}",
                HtmlReport.cell(Map.of("x", Map.of("y", List.of(1, 1.0 / 3)))));
    }
}
