package org.sgdlab.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sgdlab.report.Canvas.Anchor;
import org.sgdlab.report.Canvas.Font;
import org.sgdlab.report.Canvas.Pen;
import org.sgdlab.report.Plot.Scale;
import org.sgdlab.report.Plot.XMark;
import org.sgdlab.report.Ticks.TickSet;

/** Lays out a {@link Figure} and draws it on a {@link Canvas}; one layout for both SVG and PNG. */
final class Renderer {

    static final double TITLE = 14;
    static final double PANEL_TITLE = 12;
    static final double LABEL = 12;
    static final double TICK = 11;
    static final double LEGEND = 11;
    static final double NOTE = 10;
    static final double CAPTION = 12;
    static final double LEGEND_MAX = 190;
    static final double PIXEL_LIMIT = 1e5;
    static final String GRID = "#e6e6e6";
    static final String FRAME = "#8c8c8c";
    static final String TEXT = "#222222";
    static final String MUTED = "#555555";

    private Renderer() {
    }

    enum EntryKind { SERIES, SPAN, VLINE }

    record Entry(EntryKind kind, String label, String color, boolean dashed, Series.Style style, Series.Shape shape,
            boolean hollow) {
    }

    /** A panel with its axes resolved. */
    static final class Panel {
        Plot plot;
        TickSet xt;
        TickSet yt;
        List<String> notes = new ArrayList<>();
        List<Entry> legend = new ArrayList<>();
        double legendW;
        double yTickW;
        boolean showXTicks = true;
        boolean showXLabel = true;
        // placement
        double left;
        double top;
        double plotW;
        double plotH;
    }

    static final class Layout {
        Panel[] panels;
        int width;
        int height;
        double titleH;
        List<String> caption = List.of();
        double captionTop;
    }

    static int[] size(Figure f, boolean withCaption) {
        Layout l = layout(f, withCaption);
        return new int[] {l.width, l.height};
    }

    static void render(Figure f, Canvas c, boolean withCaption) {
        Layout l = layout(f, withCaption);
        String docTitle = f.title() != null ? f.title() : f.name();
        c.begin(l.width, l.height, docTitle);
        if (f.title() != null && !f.title().isEmpty()) {
            c.text(l.width / 2.0, 19, fit(f.title(), TITLE, l.width - 20), Font.of(TITLE, Anchor.MIDDLE).asBold());
        }
        for (int i = 0; i < l.panels.length; i++) {
            c.group("panel", l.panels[i].plot.title());
            drawPanel(f.name(), i, l.panels[i], c);
            c.endGroup();
        }
        if (!l.caption.isEmpty()) {
            c.group("caption", null);
            double y = l.captionTop;
            for (String line : l.caption) {
                y += CAPTION * 1.35;
                c.text(10, y, line, Font.of(CAPTION, Anchor.START).inColor(TEXT));
            }
            c.endGroup();
        }
    }

    // ------------------------------------------------------------------------------------------- layout

    static Layout layout(Figure f, boolean withCaption) {
        List<Plot> plots = f.panels();
        int n = plots.size();
        int cols = f.columns();
        int rows = (n + cols - 1) / cols;
        Panel[] ps = new Panel[n];
        double[] sharedX = null;
        if (f.sharedX()) {
            sharedX = new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
            for (Plot p : plots) {
                double[] e = xExtent(p);
                if (e[0] <= e[1]) {
                    sharedX[0] = Math.min(sharedX[0], e[0]);
                    sharedX[1] = Math.max(sharedX[1], e[1]);
                }
            }
        }
        int xTarget = (int) Math.max(3, Math.min(8, f.cellWidth() / 110.0));
        int yTarget = (int) Math.max(2, Math.min(7, f.plotHeight() / 45.0));
        for (int i = 0; i < n; i++) {
            ps[i] = prepare(plots.get(i), sharedX, xTarget, yTarget);
        }
        for (int i = 0; i < n; i++) {
            boolean below = i + cols < n;
            ps[i].showXLabel = !below || !f.sharedX();
            ps[i].showXTicks = !(below && f.sharedX() && cols == 1);
        }
        double[] left = new double[cols];
        double[] right = new double[cols];
        double[] top = new double[rows];
        double[] bottom = new double[rows];
        for (int i = 0; i < n; i++) {
            Panel p = ps[i];
            int r = i / cols;
            int c = i % cols;
            double l = 10 + (p.plot.yLabel() != null ? LABEL + 6 : 0) + p.yTickW + 8;
            double rt = 16 + (p.legend.isEmpty() ? 0 : p.legendW + 12);
            double t = 10 + (p.plot.title() != null ? PANEL_TITLE + 8 : 0);
            double b = 8 + (p.showXTicks ? TICK + 6 : 0) + (p.showXLabel && p.plot.xLabel() != null ? LABEL + 8 : 0)
                    + p.notes.size() * (NOTE + 3) + (p.notes.isEmpty() ? 0 : 4);
            left[c] = Math.max(left[c], l);
            right[c] = Math.max(right[c], rt);
            top[r] = Math.max(top[r], t);
            bottom[r] = Math.max(bottom[r], b);
        }
        double[] cellW = new double[cols];
        double width = 0;
        for (int c = 0; c < cols; c++) {
            // in grids a legend widens its column instead of narrowing its plots
            double extra = cols > 1 ? right[c] - 16 : 0;
            cellW[c] = Math.max(f.cellWidth() + extra, left[c] + right[c] + 80);
            width += cellW[c];
        }
        Layout lay = new Layout();
        lay.titleH = f.title() != null && !f.title().isEmpty() ? 28 : 0;
        double y = lay.titleH;
        double[] rowTop = new double[rows];
        for (int r = 0; r < rows; r++) {
            rowTop[r] = y;
            y += top[r] + f.plotHeight() + bottom[r];
        }
        for (int i = 0; i < n; i++) {
            int r = i / cols;
            int c = i % cols;
            double x0 = 0;
            for (int k = 0; k < c; k++) {
                x0 += cellW[k];
            }
            ps[i].left = x0 + left[c];
            ps[i].top = rowTop[r] + top[r];
            ps[i].plotW = cellW[c] - left[c] - right[c];
            ps[i].plotH = f.plotHeight();
        }
        lay.captionTop = y;
        if (withCaption && f.caption() != null && !f.caption().isBlank()) {
            lay.caption = wrap(f.caption(), CAPTION * 1.04, width - 24); // a little slack for real font metrics
            y += lay.caption.size() * CAPTION * 1.35 + 10;
        }
        lay.panels = ps;
        lay.width = (int) Math.ceil(width);
        lay.height = (int) Math.ceil(y + 4);
        return lay;
    }

    /** [min, max] of the drawable x values of a plot (points and x markers); min > max when there are none. */
    static double[] xExtent(Plot p) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        boolean xLog = p.xScale() == Scale.LOG;
        boolean yLog = p.yScale() == Scale.LOG;
        for (Series s : p.series()) {
            for (int i = 0; i < s.size(); i++) {
                double x = s.xAt(i);
                double y = s.yAt(i);
                if (drawable(x, xLog) && drawable(y, yLog)) {
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
            }
        }
        for (XMark m : p.marks()) {
            if (drawable(m.from(), xLog)) {
                lo = Math.min(lo, m.from());
            }
            if (drawable(m.to(), xLog)) {
                hi = Math.max(hi, m.to());
            }
        }
        return new double[] {lo, hi};
    }

    static boolean drawable(double v, boolean log) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    static Panel prepare(Plot p, double[] sharedX, int xTarget, int yTarget) {
        Panel out = new Panel();
        out.plot = p;
        boolean xLog = p.xScale() == Scale.LOG;
        boolean yLog = p.yScale() == Scale.LOG;
        // x axis
        if (p.xTickValues() != null) {
            out.xt = new TickSet(p.xMin(), p.xMax(), p.xTickValues().clone(), p.xTickLabels().clone());
        } else {
            double[] e = sharedX != null && sharedX[0] <= sharedX[1] ? sharedX : xExtent(p);
            out.xt = axis(e[0], e[1], p.xMin(), p.xMax(), xLog, xTarget);
        }
        // y extent over points inside the x range
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        int nonFinite = 0;
        int nonPosY = 0;
        int nonPosX = 0;
        double xa = Math.min(out.xt.lo(), out.xt.hi());
        double xb = Math.max(out.xt.lo(), out.xt.hi());
        for (Series s : p.series()) {
            for (int i = 0; i < s.size(); i++) {
                double x = s.xAt(i);
                double y = s.yAt(i);
                if (!Double.isFinite(x) || !Double.isFinite(y)) {
                    nonFinite++;
                    continue;
                }
                if (xLog && x <= 0) {
                    nonPosX++;
                    continue;
                }
                if (yLog && y <= 0) {
                    nonPosY++;
                    continue;
                }
                if (x < xa || x > xb) {
                    continue;
                }
                lo = Math.min(lo, y);
                hi = Math.max(hi, y);
                double e = s.errAt(i);
                if (Double.isFinite(e) && e > 0) {
                    if (Double.isFinite(y + e)) {
                        hi = Math.max(hi, y + e);
                    }
                    if (Double.isFinite(y - e) && (!yLog || y - e > 0)) {
                        lo = Math.min(lo, y - e);
                    }
                }
            }
        }
        int refSkipped = 0;
        for (Plot.RefLine r : p.refLines()) {
            if (yLog && r.y() <= 0) {
                refSkipped++;
                continue;
            }
            lo = Math.min(lo, r.y());
            hi = Math.max(hi, r.y());
        }
        out.yt = axis(lo, hi, p.yMin(), p.yMax(), yLog, yTarget);
        double w = 0;
        for (String l : out.yt.labels()) {
            w = Math.max(w, Canvas.textWidth(l, TICK));
        }
        out.yTickW = w;
        if (p.isEmpty()) {
            out.notes.add("no finite data to show");
        }
        if (nonFinite > 0 && !p.isEmpty()) {
            out.notes.add(nonFinite + " non-finite value" + (nonFinite == 1 ? "" : "s") + " (NaN/inf) not drawn: "
                    + "gaps in the lines");
        }
        if (nonPosY > 0) {
            out.notes.add("log y axis: " + nonPosY + " non-positive value" + (nonPosY == 1 ? "" : "s")
                    + " not shown");
        }
        if (nonPosX > 0) {
            out.notes.add("log x axis: " + nonPosX + " non-positive value" + (nonPosX == 1 ? "" : "s")
                    + " not shown");
        }
        if (refSkipped > 0) {
            out.notes.add("log y axis: " + refSkipped + " non-positive reference line" + (refSkipped == 1 ? "" : "s")
                    + " not shown");
        }
        out.notes.addAll(p.notes());
        // legend
        if (p.legend() != Plot.Legend.HIDE) {
            int auto = 0;
            for (Series s : p.series()) {
                String col = s.color() != null ? s.color() : Palette.color(auto);
                Series.Shape sh = s.shape() != null ? s.shape() : Series.Shape.values()[auto % 4];
                if (s.color() == null) {
                    auto++;
                }
                if (s.label() != null && !s.label().isEmpty()) {
                    out.legend.add(new Entry(EntryKind.SERIES, s.label(), col, s.isDashed(), s.style(), sh,
                            s.isHollow()));
                }
            }
            Map<String, Entry> marks = new LinkedHashMap<>();
            for (XMark m : p.marks()) {
                if (m.label() != null && !m.label().isEmpty()) {
                    marks.putIfAbsent((m.isSpan() ? "s:" : "v:") + m.label(), new Entry(m.isSpan() ? EntryKind.SPAN
                            : EntryKind.VLINE, m.label(), m.color(), true, null, null, false));
                }
            }
            out.legend.addAll(marks.values());
            if (p.legend() == Plot.Legend.AUTO && out.legend.isEmpty()) {
                out.legend.clear();
            }
            double lw = 0;
            for (Entry e : out.legend) {
                lw = Math.max(lw, Canvas.textWidth(e.label(), LEGEND));
            }
            out.legendW = Math.min(LEGEND_MAX, 30 + lw);
        }
        return out;
    }

    static TickSet axis(double dataLo, double dataHi, double fixLo, double fixHi, boolean log, int target) {
        double lo = Double.isNaN(fixLo) ? dataLo : fixLo;
        double hi = Double.isNaN(fixHi) ? dataHi : fixHi;
        if (!(lo <= hi)) { // no data
            if (Double.isNaN(fixLo) && Double.isNaN(fixHi)) {
                lo = log ? 1 : 0;
                hi = log ? 10 : 1;
            } else if (Double.isNaN(fixLo)) {
                lo = log ? hi / 10 : hi - 1;
            } else {
                hi = log ? lo * 10 : lo + 1;
            }
        }
        TickSet t = log ? Ticks.log(lo, hi) : Ticks.linear(lo, hi, target);
        if (Double.isNaN(fixLo) && Double.isNaN(fixHi)) {
            return t;
        }
        double a = Double.isNaN(fixLo) ? t.lo() : fixLo;
        double b = Double.isNaN(fixHi) ? t.hi() : fixHi;
        List<Double> v = new ArrayList<>();
        List<String> l = new ArrayList<>();
        double eps = (b - a) * 1e-9;
        for (int i = 0; i < t.values().length; i++) {
            if (t.values()[i] >= a - eps && t.values()[i] <= b + eps) {
                v.add(t.values()[i]);
                l.add(t.labels()[i]);
            }
        }
        return new TickSet(a, b, v.stream().mapToDouble(Double::doubleValue).toArray(), l.toArray(new String[0]));
    }

    // ------------------------------------------------------------------------------------------- drawing

    private static void drawPanel(String figName, int index, Panel p, Canvas c) {
        Plot plot = p.plot;
        double x0 = p.left;
        double y0 = p.top;
        double w = p.plotW;
        double h = p.plotH;
        Mapping map = new Mapping(p);
        // shaded spans under everything
        c.clip(x0, y0, w, h);
        for (XMark m : plot.marks()) {
            if (m.isSpan()) {
                double a = map.x(Math.max(m.from(), plot.xScale() == Scale.LOG ? Double.MIN_VALUE : m.from()));
                double b = map.x(m.to());
                if (Double.isFinite(a) && Double.isFinite(b)) {
                    c.rect(Math.min(a, b), y0, Math.max(1, Math.abs(b - a)), h, m.color(), 0.16, null);
                }
            }
        }
        c.unclip();
        // grid
        Pen grid = Pen.solid(GRID, 1);
        for (double v : p.yt.values()) {
            double py = map.y(v);
            c.line(x0, py, x0 + w, py, grid);
        }
        for (double v : p.xt.values()) {
            double px = map.x(v);
            c.line(px, y0, px, y0 + h, grid);
        }
        // data
        c.clip(x0, y0, w, h);
        int auto = 0;
        for (Series s : plot.series()) {
            String col = s.color() != null ? s.color() : Palette.color(auto);
            Series.Shape sh = s.shape() != null ? s.shape() : Series.Shape.values()[auto % 4];
            if (s.color() == null) {
                auto++;
            }
            c.group("series", s.label());
            drawLines(s, col, map, w, c);
            c.endGroup();
        }
        for (Plot.RefLine r : plot.refLines()) {
            if (plot.yScale() == Scale.LOG && r.y() <= 0) {
                continue;
            }
            double py = map.y(r.y());
            c.group("refline", r.label());
            c.line(x0, py, x0 + w, py, Pen.dashed(r.color(), 1.3));
            c.endGroup();
        }
        for (XMark m : plot.marks()) {
            if (!m.isSpan() && drawable(m.from(), plot.xScale() == Scale.LOG)) {
                double px = map.x(m.from());
                c.line(px, y0, px, y0 + h, new Pen(m.color(), 1, new double[] {3, 3}, 0.8));
            }
        }
        c.unclip();
        // error bars and markers unclipped, so points on the frame are whole (points outside are skipped)
        auto = 0;
        for (Series s : plot.series()) {
            String col = s.color() != null ? s.color() : Palette.color(auto);
            Series.Shape sh = s.shape() != null ? s.shape() : Series.Shape.values()[auto % 4];
            if (s.color() == null) {
                auto++;
            }
            if (s.hasErrors() || s.style() != Series.Style.LINE) {
                c.group("series-points", s.label());
                drawPoints(s, col, sh, map, c);
                c.endGroup();
            }
        }
        // reference line labels (inside, right-aligned above the line)
        for (Plot.RefLine r : plot.refLines()) {
            if (r.label() == null || r.label().isEmpty() || (plot.yScale() == Scale.LOG && r.y() <= 0)) {
                continue;
            }
            double py = map.y(r.y());
            double ty = py - 4 < y0 + 10 ? py + 12 : py - 4;
            String label = fit(r.label(), 10, w * 0.6);
            double tw = Canvas.textWidth(label, 10);
            c.rect(x0 + w - 6 - tw, ty - 9.5, tw + 4, 12, "#ffffff", 0.75, null);
            c.text(x0 + w - 4, ty, label, Font.of(10, Anchor.END).inColor(r.color()));
        }
        // frame, ticks, labels
        c.rect(x0, y0, w, h, null, 1, Pen.solid(FRAME, 1));
        Pen tick = Pen.solid(FRAME, 1);
        int yStride = stride(p.yt.values().length, h, TICK + 3);
        for (int i = 0; i < p.yt.values().length; i++) {
            double py = map.y(p.yt.values()[i]);
            c.line(x0 - 4, py, x0, py, tick);
            if (i % yStride == 0) {
                c.text(x0 - 7, py + TICK * 0.35, p.yt.labels()[i], Font.of(TICK, Anchor.END).inColor(TEXT));
            }
        }
        double maxXLabel = 0;
        for (String l : p.xt.labels()) {
            maxXLabel = Math.max(maxXLabel, Canvas.textWidth(l, TICK));
        }
        int xStride = stride(p.xt.values().length, w, maxXLabel + 8);
        for (int i = 0; i < p.xt.values().length; i++) {
            double px = map.x(p.xt.values()[i]);
            c.line(px, y0 + h, px, y0 + h + 4, tick);
            if (p.showXTicks && i % xStride == 0) {
                c.text(px, y0 + h + 4 + TICK, p.xt.labels()[i], Font.of(TICK, Anchor.MIDDLE).inColor(TEXT));
            }
        }
        double yb = y0 + h + 4 + (p.showXTicks ? TICK + 2 : 0);
        if (p.showXLabel && plot.xLabel() != null) {
            yb += LABEL + 4;
            c.text(x0 + w / 2, yb, fit(plot.xLabel(), LABEL, w), Font.of(LABEL, Anchor.MIDDLE).inColor(TEXT));
        }
        if (plot.yLabel() != null) {
            double lx = x0 - p.yTickW - 14;
            c.text(lx, y0 + h / 2, fit(plot.yLabel(), LABEL, h), Font.of(LABEL, Anchor.MIDDLE).inColor(TEXT).rotated());
        }
        if (plot.title() != null) {
            c.text(x0 + w / 2, y0 - 8, fit(plot.title(), PANEL_TITLE, w + 40),
                    Font.of(PANEL_TITLE, Anchor.MIDDLE).asBold());
        }
        yb += 4;
        for (String note : p.notes) {
            yb += NOTE + 3;
            c.text(x0, yb, fit(note, NOTE, w), Font.of(NOTE, Anchor.START).asItalic().inColor(MUTED));
        }
        if (!p.legend.isEmpty()) {
            drawLegend(p, c);
        }
    }

    private static int stride(int count, double length, double minSpacing) {
        if (count <= 1) {
            return 1;
        }
        double spacing = length / (count - 1);
        int s = 1;
        while (spacing * s < minSpacing && s < count) {
            s++;
        }
        return s;
    }

    private static void drawLines(Series s, String col, Mapping map, double plotW, Canvas c) {
        boolean xLog = map.xLog;
        boolean yLog = map.yLog;
        int n = s.size();
        double lw = s.width();
        if (s.style() != Series.Style.MARKERS) {
            Pen pen = s.isDashed() ? new Pen(col, lw, new double[] {6, 4}, 1) : Pen.solid(col, lw);
            double[] px = new double[n];
            double[] py = new double[n];
            int k = 0;
            for (int i = 0; i <= n; i++) {
                boolean ok = i < n && drawable(s.xAt(i), xLog) && drawable(s.yAt(i), yLog);
                if (ok) {
                    if (s.isStairs() && k > 0) {
                        // hold the previous value until this x: [x_{i-1}, y_{i-1}] -> [x_i, y_{i-1}] -> [x_i, y_i]
                        px = grow(px, k + 1);
                        py = grow(py, k + 1);
                        px[k] = map.x(s.xAt(i));
                        py[k] = py[k - 1];
                        k++;
                    }
                    px = grow(px, k);
                    py = grow(py, k);
                    px[k] = map.x(s.xAt(i));
                    py[k] = map.y(s.yAt(i));
                    k++;
                } else {
                    emitLine(px, py, k, plotW, pen, c);
                    k = 0;
                }
            }
        }
    }

    private static void drawPoints(Series s, String col, Series.Shape shape, Mapping map, Canvas c) {
        boolean xLog = map.xLog;
        boolean yLog = map.yLog;
        int n = s.size();
        if (s.hasErrors()) {
            Pen ep = Pen.solid(col, 1);
            for (int i = 0; i < n; i++) {
                double x = s.xAt(i);
                double y = s.yAt(i);
                double e = s.errAt(i);
                if (!drawable(x, xLog) || !drawable(y, yLog) || !(e > 0) || !Double.isFinite(e)) {
                    continue;
                }
                double px = map.x(x);
                double py = map.y(y);
                if (!map.inside(px, py)) {
                    continue;
                }
                double top = map.clampY(map.y(y + e));
                double bot = (yLog && y - e <= 0) ? map.bottom() : map.clampY(map.y(y - e));
                c.line(px, top, px, bot, ep);
                c.line(px - 3, top, px + 3, top, ep);
                c.line(px - 3, bot, px + 3, bot, ep);
            }
        }
        if (s.style() != Series.Style.LINE) {
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (drawable(s.xAt(i), xLog) && drawable(s.yAt(i), yLog)) {
                    count++;
                }
            }
            double r = count > 300 ? 2 : 3;
            for (int i = 0; i < n; i++) {
                if (drawable(s.xAt(i), xLog) && drawable(s.yAt(i), yLog)) {
                    double px = map.x(s.xAt(i));
                    double py = map.y(s.yAt(i));
                    if (map.inside(px, py)) {
                        marker(c, px, py, r, shape, col, s.isHollow());
                    }
                }
            }
        }
    }

    private static double[] grow(double[] a, int index) {
        return index < a.length ? a : java.util.Arrays.copyOf(a, Math.max(4, a.length * 2));
    }

    /**
     * Draws one unbroken piece of a line; long pieces are reduced to the first, lowest, highest and last point
     * of every pixel column, which leaves the drawing unchanged (spikes survive) and keeps the SVG small.
     */
    static void emitLine(double[] px, double[] py, int n, double plotW, Pen pen, Canvas c) {
        if (n < 2) {
            if (n == 1) {
                c.circle(px[0], py[0], Math.max(1, pen.width() * 0.8), pen.color(), null);
            }
            return;
        }
        if (n <= 4 * plotW) {
            c.polyline(px, py, n, pen);
            return;
        }
        double[] ox = new double[n];
        double[] oy = new double[n];
        int m = 0;
        int i = 0;
        while (i < n) {
            long col = (long) Math.floor(px[i]);
            int start = i;
            int lo = i;
            int hi = i;
            while (i < n && (long) Math.floor(px[i]) == col) {
                if (py[i] < py[lo]) {
                    lo = i;
                }
                if (py[i] > py[hi]) {
                    hi = i;
                }
                i++;
            }
            int end = i - 1;
            int[] keep = {start, Math.min(lo, hi), Math.max(lo, hi), end};
            int prev = -1;
            for (int idx : keep) {
                if (idx != prev) {
                    ox[m] = px[idx];
                    oy[m] = py[idx];
                    m++;
                    prev = idx;
                }
            }
        }
        c.polyline(ox, oy, m, pen);
    }

    static void marker(Canvas c, double x, double y, double r, Series.Shape shape, String col, boolean hollow) {
        String fill = hollow ? "#ffffff" : col;
        Pen stroke = hollow ? Pen.solid(col, 1.2) : null;
        switch (shape) {
            case CIRCLE -> c.circle(x, y, r, fill, stroke);
            case SQUARE -> c.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8, fill, 1, stroke);
            case TRIANGLE -> c.polygon(new double[] {x, x + r * 1.1, x - r * 1.1},
                    new double[] {y - r * 1.2, y + r * 0.8, y + r * 0.8}, fill, stroke);
            case DIAMOND -> c.polygon(new double[] {x, x + r * 1.2, x, x - r * 1.2},
                    new double[] {y - r * 1.2, y, y + r * 1.2, y}, fill, stroke);
            default -> throw new IllegalStateException("unknown marker shape " + shape);
        }
    }

    private static void drawLegend(Panel p, Canvas c) {
        double x = p.left + p.plotW + 12;
        double y = p.top + 2;
        double row = LEGEND + 5;
        int maxRows = (int) Math.max(1, Math.floor(p.plotH / row));
        c.group("legend", null);
        int shown = 0;
        for (int i = 0; i < p.legend.size(); i++) {
            if (shown == maxRows - 1 && p.legend.size() > maxRows) {
                c.text(x, y + row * 0.75, "+ " + (p.legend.size() - shown) + " more",
                        Font.of(LEGEND, Anchor.START).asItalic().inColor(MUTED));
                break;
            }
            Entry e = p.legend.get(i);
            double mid = y + row / 2;
            switch (e.kind()) {
                case SERIES -> {
                    if (e.style() != Series.Style.MARKERS) {
                        c.line(x, mid, x + 22, mid, e.dashed() ? new Pen(e.color(), 1.5, new double[] {5, 3}, 1)
                                : Pen.solid(e.color(), 2));
                    }
                    if (e.style() != Series.Style.LINE) {
                        marker(c, x + 11, mid, 3, e.shape(), e.color(), e.hollow());
                    }
                }
                case SPAN -> c.rect(x, mid - 5, 22, 10, e.color(), 0.25, null);
                case VLINE -> c.line(x + 11, mid - 6, x + 11, mid + 6, new Pen(e.color(), 1, new double[] {3, 3}, 1));
                default -> throw new IllegalStateException("unknown legend entry " + e.kind());
            }
            c.text(x + 28, mid + LEGEND * 0.35, fit(e.label(), LEGEND, LEGEND_MAX - 30),
                    Font.of(LEGEND, Anchor.START).inColor(TEXT));
            y += row;
            shown++;
        }
        c.endGroup();
    }

    /** Shortens {@code s} with an ellipsis to fit {@code width} pixels (approximate metrics). */
    static String fit(String s, double size, double width) {
        if (s == null) {
            return null;
        }
        if (Canvas.textWidth(s, size) <= width) {
            return s;
        }
        int n = s.length();
        while (n > 1 && Canvas.textWidth(s.substring(0, n) + "\u2026", size) > width) {
            n--;
        }
        return s.substring(0, n) + "\u2026";
    }

    /** Greedy word wrap to {@code width} pixels. */
    static List<String> wrap(String text, double size, double width) {
        List<String> lines = new ArrayList<>();
        for (String para : text.split("\n")) {
            StringBuilder line = new StringBuilder();
            for (String word : para.trim().split("\\s+")) {
                if (word.isEmpty()) {
                    continue;
                }
                String cand = line.length() == 0 ? word : line + " " + word;
                if (Canvas.textWidth(cand, size) <= width || line.length() == 0) {
                    line.setLength(0);
                    line.append(cand);
                } else {
                    lines.add(line.toString());
                    line.setLength(0);
                    line.append(word);
                }
            }
            if (line.length() > 0) {
                lines.add(fit(line.toString(), size, width));
            }
        }
        return lines;
    }

    /** Data-to-pixel mapping of one panel. */
    static final class Mapping {
        final boolean xLog;
        final boolean yLog;
        final double ax;
        final double bx;
        final double ay;
        final double by;
        final double left;
        final double top;
        final double w;
        final double h;

        Mapping(Panel p) {
            xLog = p.plot.xScale() == Scale.LOG;
            yLog = p.plot.yScale() == Scale.LOG;
            ax = t(p.xt.lo(), xLog);
            bx = t(p.xt.hi(), xLog);
            ay = t(p.yt.lo(), yLog);
            by = t(p.yt.hi(), yLog);
            left = p.left;
            top = p.top;
            w = p.plotW;
            h = p.plotH;
        }

        private static double t(double v, boolean log) {
            return log ? Math.log10(v) : v;
        }

        double x(double v) {
            double f = (t(v, xLog) - ax) / (bx - ax);
            return clamp(left + f * w);
        }

        double y(double v) {
            double f = (t(v, yLog) - ay) / (by - ay);
            return clamp(top + h - f * h);
        }

        double bottom() {
            return top + h;
        }

        /** True for a pixel inside the plot area (half a pixel of slack for rounding). */
        boolean inside(double px, double py) {
            return px >= left - 0.5 && px <= left + w + 0.5 && py >= top - 0.5 && py <= top + h + 0.5;
        }

        double clampY(double py) {
            return Math.max(top, Math.min(top + h, py));
        }

        private static double clamp(double v) {
            if (Double.isNaN(v)) {
                return 0;
            }
            return Math.max(-PIXEL_LIMIT, Math.min(PIXEL_LIMIT, v));
        }
    }
}
