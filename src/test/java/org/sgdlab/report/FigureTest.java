package org.sgdlab.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class FigureTest {

    private static double[] range(int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
        }
        return x;
    }

    private static Figure lossFigure() {
        double[] x = range(50);
        double[] train = new double[50];
        double[] test = new double[50];
        for (int i = 0; i < 50; i++) {
            train[i] = Math.exp(-i / 10.0);
            test[i] = 1.2 * Math.exp(-i / 12.0);
        }
        Plot p = Plot.builder().title("Loss").xLabel("step").yLabel("loss").yLog()
                .add(Series.line("train_loss", x, train))
                .add(Series.lineMarkers("test_loss", x, test))
                .refLine(0.05, "target").span(20, 25, "spike").vline(22, "peak").build();
        return Figure.of("loss", p).withTitle("Loss curves").withCaption("Loss falls; verdict: PASS.");
    }

    @Test
    void svgIsWellFormedXmlWithSeriesLabelsAndCaption() throws Exception {
        String svg = lossFigure().toSvg();
        Document d = SvgTestUtil.parse(svg);
        assertEquals("svg", d.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", d.getDocumentElement().getNamespaceURI());
        assertNotNull(SvgTestUtil.series(d, "train_loss"));
        assertNotNull(SvgTestUtil.series(d, "test_loss"));
        List<String> texts = SvgTestUtil.texts(d);
        for (String expected : new String[] {"Loss curves", "Loss", "step", "loss", "train_loss", "test_loss", "target",
            "spike", "peak", "Loss falls; verdict: PASS."}) {
            assertTrue(texts.contains(expected), () -> "missing text '" + expected + "' in " + texts);
        }
        // log axis: decade ticks (data 1.2 .. 0.0074 and the 0.05 line -> 0.001 .. 10)
        assertTrue(texts.containsAll(List.of("0.001", "0.01", "0.1", "1", "10")), texts.toString());
        assertFalse(svg.contains("<script"), "no scripts");
        assertFalse(svg.contains("href"), "no external references");
        // without caption for inline use
        assertFalse(SvgTestUtil.texts(SvgTestUtil.parse(lossFigure().toSvg(false))).contains("Loss falls; verdict: PASS."));
    }

    @Test
    void pointsLandWhereTheAxesSay() throws Exception {
        // y = x on [0, 10]: nice ticks give exactly [0, 10] on both axes, so the line runs corner to corner
        double[] x = range(11);
        Plot p = Plot.builder().add(Series.line("id", x, x)).build();
        Document d = SvgTestUtil.parse(Figure.of("diag", p).toSvg());
        double[] frame = SvgTestUtil.frames(d).get(0);
        Element poly = SvgTestUtil.seriesElements(d, "id", "polyline").get(0);
        double[] pts = SvgTestUtil.points(poly);
        assertEquals(22, pts.length);
        assertEquals(frame[0], pts[0], 0.01);                 // (0, 0) at bottom-left
        assertEquals(frame[1] + frame[3], pts[1], 0.01);
        assertEquals(frame[0] + frame[2], pts[20], 0.01);     // (10, 10) at top-right
        assertEquals(frame[1], pts[21], 0.01);
        for (int i = 1; i < 11; i++) {                        // evenly spaced, within rounding of 0.01 px
            assertEquals(frame[0] + frame[2] * i / 10.0, pts[2 * i], 0.011);
            assertEquals(frame[1] + frame[3] * (1 - i / 10.0), pts[2 * i + 1], 0.011);
        }
    }

    @Test
    void logAxisPlacesDecadesEvenlyAndSkipsNonPositiveValues() throws Exception {
        double[] x = {0, 1, 2, 3, 4};
        double[] y = {1, 10, -5, 100, 0};
        Plot p = Plot.builder().yLog().add(Series.markers("m", x, y)).build();
        Document d = SvgTestUtil.parse(Figure.of("log", p).toSvg());
        double[] frame = SvgTestUtil.frames(d).get(0);
        List<Element> circles = SvgTestUtil.seriesElements(d, "m", "circle");
        assertEquals(3, circles.size(), "the values -5 and 0 are not drawn");
        // y axis [1, 100]: 1 at the bottom, 10 in the middle, 100 at the top
        assertEquals(frame[1] + frame[3], Double.parseDouble(circles.get(0).getAttribute("cy")), 0.01);
        assertEquals(frame[1] + frame[3] / 2, Double.parseDouble(circles.get(1).getAttribute("cy")), 0.01);
        assertEquals(frame[1], Double.parseDouble(circles.get(2).getAttribute("cy")), 0.01);
        assertTrue(SvgTestUtil.texts(d).contains("log y axis: 2 non-positive values not shown"),
                SvgTestUtil.texts(d).toString());
    }

    @Test
    void nanAndInfinityBreakTheLineAndNeverCrash() throws Exception {
        double[] x = range(10);
        double[] y = {1, 2, 3, Double.NaN, 5, 6, Double.POSITIVE_INFINITY, 8, 9, 10};
        Plot p = Plot.builder().add(Series.line("gappy", x, y)).build();
        Document d = SvgTestUtil.parse(Figure.of("gaps", p).toSvg());
        List<Element> polys = SvgTestUtil.seriesElements(d, "gappy", "polyline");
        assertEquals(3, polys.size(), "three pieces: 0-2, 4-5, 7-9");
        assertEquals(6, SvgTestUtil.points(polys.get(0)).length);
        assertEquals(4, SvgTestUtil.points(polys.get(1)).length);
        assertEquals(6, SvgTestUtil.points(polys.get(2)).length);
        assertTrue(SvgTestUtil.texts(d).stream().anyMatch(t -> t.startsWith("2 non-finite values")));

        // all-NaN, empty, NaN x, NaN error bars, NaN everything on log axes
        double[] nan = {Double.NaN, Double.NaN};
        Plot empty = Plot.builder().xLog().yLog().add(Series.line("nan", nan, nan))
                .add(Series.markers("none", new double[0], new double[0]))
                .add(Series.markers("e", new double[] {1, 2}, new double[] {1, 2}).withErrors(nan)).build();
        String svg = Figure.of("empty", empty).toSvg();
        SvgTestUtil.parse(svg);
        assertFalse(java.util.regex.Pattern.compile("=\"[^\"]*(NaN|Infinity)").matcher(svg).find(),
                "no non-numbers in attributes");
        BufferedImage im = Figure.of("empty", empty).toImage(1);
        assertTrue(im.getWidth() > 100);
        Plot allNan = Plot.builder().add(Series.line("nan", nan, nan)).build();
        assertTrue(SvgTestUtil.texts(SvgTestUtil.parse(Figure.of("n", allNan).toSvg())).contains("no finite data to show"));
    }

    @Test
    void randomPathologicalDataNeverCrashesAndAlwaysGivesValidSvg() throws Exception {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        double[] specials = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, -0.0, -1, 1e-300,
            1e300, -1e300, Double.MIN_VALUE, Double.MAX_VALUE, 1, 1 + 1e-15};
        for (int trial = 0; trial < 150; trial++) {
            Plot.Builder b = Plot.builder().title("t" + trial);
            if (r.nextBoolean()) {
                b.yLog();
            }
            if (r.nextInt(4) == 0) {
                b.xLog();
            }
            int ns = r.nextInt(0, 4);
            for (int k = 0; k < ns; k++) {
                int n = r.nextInt(0, 30);
                double[] x = new double[n];
                double[] y = new double[n];
                double[] e = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = r.nextInt(5) == 0 ? specials[r.nextInt(specials.length)] : i;
                    y[i] = r.nextInt(3) == 0 ? specials[r.nextInt(specials.length)] : r.nextGaussian();
                    e[i] = r.nextInt(3) == 0 ? specials[r.nextInt(specials.length)] : r.nextDouble();
                }
                Series s = switch (r.nextInt(3)) {
                    case 0 -> Series.line("s" + k, x, y);
                    case 1 -> Series.markers("s" + k, x, y).withErrors(e);
                    default -> Series.lineMarkers("s" + k, x, y).stairs();
                };
                b.add(s);
            }
            if (r.nextBoolean()) {
                b.refLine(r.nextGaussian(), "ref");
            }
            if (r.nextBoolean()) {
                double a = r.nextGaussian() * 10;
                b.span(a, a + r.nextDouble() * 5, "span").vline(a, "v");
            }
            Figure f = Figure.of("fuzz" + trial, b.build());
            String svg = f.toSvg();
            SvgTestUtil.parse(svg);
            assertFalse(java.util.regex.Pattern.compile("=\"[^\"]*(NaN|Infinity)").matcher(svg).find(), svg);
            if (trial % 10 == 0) {
                assertTrue(f.toImage(1).getWidth() > 0);
            }
        }
    }

    @Test
    void hugeValuesAreClampedNotPropagated() throws Exception {
        Plot p = Plot.builder().yRange(0, 1).add(Series.line("big", new double[] {0, 1, 2}, new double[] {0, 1e300, 0}))
                .build();
        String svg = Figure.of("big", p).toSvg();
        for (double v : SvgTestUtil.points(SvgTestUtil.elements(SvgTestUtil.series(SvgTestUtil.parse(svg), "big"),
                "polyline").get(0))) {
            assertTrue(Math.abs(v) <= Renderer.PIXEL_LIMIT, "coordinate " + v);
        }
    }

    @Test
    void errorBarsSpanMeanPlusMinusError() throws Exception {
        // y in [0, 10] exactly (ticks 0..10): point 5 +- 2 -> bar from 3 to 7
        Plot p = Plot.builder().yRange(0, 10).xRange(0, 2)
                .add(Series.markers("bs", new double[] {1}, new double[] {5}).withErrors(new double[] {2})).build();
        Document d = SvgTestUtil.parse(Figure.of("eb", p).toSvg());
        double[] f = SvgTestUtil.frames(d).get(0);
        List<Element> lines = SvgTestUtil.seriesElements(d, "bs", "line");
        assertEquals(3, lines.size(), "bar and two caps");
        Element bar = lines.get(0);
        assertEquals(f[1] + f[3] * 0.3, Double.parseDouble(bar.getAttribute("y1")), 0.01); // y = 7
        assertEquals(f[1] + f[3] * 0.7, Double.parseDouble(bar.getAttribute("y2")), 0.01); // y = 3
        assertEquals(f[0] + f[2] / 2, Double.parseDouble(bar.getAttribute("x1")), 0.01);
    }

    @Test
    void markersOnTheFrameAreWholeAndOutsideTheRangeAreSkipped() throws Exception {
        Plot p = Plot.builder().yRange(0, 10).xRange(0, 2)
                .add(Series.markers("m", new double[] {0, 1, 2}, new double[] {0, 20, 10})).build();
        Document d = SvgTestUtil.parse(Figure.of("edge", p).toSvg());
        double[] f = SvgTestUtil.frames(d).get(0);
        List<Element> circles = SvgTestUtil.seriesElements(d, "m", "circle");
        assertEquals(2, circles.size(), "y = 20 lies outside the fixed range [0, 10]");
        assertEquals(f[0], Double.parseDouble(circles.get(0).getAttribute("cx")), 0.01);
        assertEquals(f[1] + f[3], Double.parseDouble(circles.get(0).getAttribute("cy")), 0.01);
        // markers are drawn outside the clip group, so the part beyond the frame is visible
        Element parent = (Element) circles.get(0).getParentNode();
        assertEquals("series-points", parent.getAttribute("class"));
        assertFalse(((Element) parent.getParentNode()).hasAttribute("clip-path"));
    }

    @Test
    void longLinesAreDecimatedButKeepTheirSpike() throws Exception {
        int n = 100_000;
        double[] x = range(n);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = 1 + 0.5 * Math.sin(i * 0.01);
        }
        y[77_777] = 100; // the axis becomes [0, 100]: the spike reaches the top of the frame
        Plot p = Plot.builder().add(Series.line("long", x, y)).build();
        Document d = SvgTestUtil.parse(Figure.of("long", p).toSvg());
        double[] f = SvgTestUtil.frames(d).get(0);
        double[] pts = SvgTestUtil.points(SvgTestUtil.seriesElements(d, "long", "polyline").get(0));
        assertTrue(pts.length / 2 <= 4 * (f[2] + 2), "at most 4 points per pixel column: " + pts.length / 2);
        double minY = Double.POSITIVE_INFINITY;
        for (int i = 1; i < pts.length; i += 2) {
            minY = Math.min(minY, pts[i]);
        }
        assertEquals(f[1], minY, 0.01, "the spike survives decimation");
        assertEquals(f[0], pts[0], 0.01, "first point kept");
        assertEquals(f[0] + f[2] * (n - 1) / 100_000.0, pts[pts.length - 2], 0.02, "last point kept");
    }

    @Test
    void pngDecodesWithTheRightSizeAndIsNotBlank() throws Exception {
        Figure f = lossFigure();
        int[] size = f.size(true);
        byte[] png = f.toPng(2);
        BufferedImage im = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(im, "ImageIO decodes the PNG");
        assertEquals(2 * size[0], im.getWidth());
        assertEquals(2 * size[1], im.getHeight());
        int blue = 0;
        int nonWhite = 0;
        for (int yy = 0; yy < im.getHeight(); yy++) {
            for (int xx = 0; xx < im.getWidth(); xx++) {
                int rgb = im.getRGB(xx, yy) & 0xffffff;
                if (rgb != 0xffffff) {
                    nonWhite++;
                }
                if (rgb == 0x0072b2) { // Okabe-Ito blue of the first series, fully covered pixels
                    blue++;
                }
            }
        }
        assertTrue(blue > 200, "series pixels drawn: " + blue);
        assertTrue(nonWhite > im.getWidth() * im.getHeight() / 100, "not blank: " + nonWhite);
    }

    @Test
    void outputIsDeterministic() {
        assertEquals(lossFigure().toSvg(), lossFigure().toSvg());
        assertArrayEquals(lossFigure().toPng(1), lossFigure().toPng(1));
    }

    @Test
    void stackedPanelsShareTheXAxis() throws Exception {
        Plot a = Plot.builder().title("a").xLabel("step").add(Series.line("a", new double[] {0, 50}, new double[] {1, 2}))
                .build();
        Plot b = Plot.builder().title("b").xLabel("step").add(Series.line("b", new double[] {0, 100}, new double[] {1, 2}))
                .build();
        Document d = SvgTestUtil.parse(Figure.stacked("st", List.of(a, b)).toSvg());
        List<double[]> frames = SvgTestUtil.frames(d);
        assertEquals(2, frames.size());
        assertEquals(frames.get(0)[0], frames.get(1)[0], 1e-9, "aligned left edges");
        assertEquals(frames.get(0)[2], frames.get(1)[2], 1e-9, "same width");
        // panel a ends at x = 50, half-way along the shared [0, 100] axis
        double[] pa = SvgTestUtil.points(SvgTestUtil.seriesElements(d, "a", "polyline").get(0));
        assertEquals(frames.get(0)[0] + frames.get(0)[2] / 2, pa[2], 0.01);
        // the x label is drawn once, under the bottom panel
        assertEquals(1, SvgTestUtil.texts(d).stream().filter("step"::equals).count());
    }

    @Test
    void categoricalAxisAndStairs() throws Exception {
        Plot p = Plot.builder().xCategories(List.of("gd", "heavy-ball", "nesterov"))
                .add(Series.markers("final", new double[] {0, 1, 2}, new double[] {3, 1, 2})).build();
        List<String> texts = SvgTestUtil.texts(SvgTestUtil.parse(Figure.of("cat", p).toSvg()));
        assertTrue(texts.containsAll(List.of("gd", "heavy-ball", "nesterov")), texts.toString());

        Plot s = Plot.builder().xRange(0, 2).yRange(0, 2)
                .add(Series.threshold("thr", new double[] {0, 1, 2}, new double[] {1, 2, 2}).stairs()).build();
        Document d = SvgTestUtil.parse(Figure.of("stairs", s).toSvg());
        double[] pts = SvgTestUtil.points(SvgTestUtil.seriesElements(d, "thr", "polyline").get(0));
        assertEquals(10, pts.length, "(0,1) (1,1) (1,2) (2,2) (2,2)");
        assertEquals(pts[1], pts[3], 1e-9, "value held until the next x");
        assertEquals(pts[2], pts[4], 1e-9, "then a vertical step");
        assertTrue(SvgTestUtil.series(d, "thr").getElementsByTagNameNS("*", "polyline").item(0).getAttributes()
                .getNamedItem("stroke-dasharray") != null, "thresholds are dashed");
    }

    @Test
    void textIsEscaped() throws Exception {
        Plot p = Plot.builder().title("<script>alert('x')</script> & \"q\"")
                .add(Series.line("a<b>", new double[] {0, 1}, new double[] {0, 1})).build();
        String svg = Figure.of("esc", p).toSvg();
        assertFalse(svg.contains("<script>"));
        Document d = SvgTestUtil.parse(svg);
        assertTrue(SvgTestUtil.texts(d).contains("<script>alert('x')</script> & \"q\""));
        assertNotNull(SvgTestUtil.series(d, "a<b>"));
    }

    @Test
    void writesSvgAndPngFiles(@TempDir Path dir) throws Exception {
        lossFigure().write(dir.resolve("plots"));
        assertTrue(Files.size(dir.resolve("plots/loss.svg")) > 1000);
        assertNotNull(ImageIO.read(dir.resolve("plots/loss.png").toFile()));
        try (var s = Files.list(dir.resolve("plots"))) {
            assertEquals(2, s.count(), "no temporary files left behind");
        }
    }

    @Test
    void badInputIsRejectedWithAClearMessage() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Series.line("s", new double[2], new double[3]));
        assertTrue(e.getMessage().contains("x and y lengths differ: 2 vs 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Series.line("s", new double[1], new double[1])
                .withColor("red"));
        assertTrue(e.getMessage().contains("#rrggbb"), e.getMessage());
        Plot p = Plot.builder().build();
        e = assertThrows(IllegalArgumentException.class, () -> Figure.of("../etc/passwd", p));
        assertTrue(e.getMessage().contains("figure name"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plot.builder().yLog().yRange(-1, 1).build());
        assertTrue(e.getMessage().contains("log y range must be positive"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Plot.builder().refLine(Double.NaN, "x"));
        assertTrue(e.getMessage().contains("must be finite"), e.getMessage());
    }
}
