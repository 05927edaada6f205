package org.sgdlab.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One panel: axes, data series, horizontal reference lines (e.g. the stability threshold 2/eta), vertical
 * markers and shaded x-spans (e.g. loss spikes), a legend and notes. Immutable; build with
 * {@link #builder()}. A {@link Figure} lays out one or more panels and renders them to SVG or PNG.
 */
public final class Plot {

    /** Axis scale. */
    public enum Scale { LINEAR, LOG }

    /** Whether the legend is drawn: AUTO draws it when at least one entry has a label. */
    public enum Legend { AUTO, SHOW, HIDE }

    /** A horizontal line at {@code y} across the panel, labelled at its right end (dashed). */
    public record RefLine(double y, String label, String color) {
        public RefLine {
            if (!Double.isFinite(y)) {
                throw new IllegalArgumentException("reference line '" + label + "': y must be finite, got " + y);
            }
            if (color == null || !color.matches("#[0-9a-fA-F]{6}")) {
                throw new IllegalArgumentException("reference line '" + label + "': colour must be #rrggbb, got "
                        + color);
            }
        }
    }

    /**
     * A vertical marker at x = {@code from} (when {@code from == to}) or a shaded span [from, to]. Spans with
     * the same label share one legend entry.
     */
    public record XMark(double from, double to, String label, String color) {
        public XMark {
            if (!Double.isFinite(from) || !Double.isFinite(to) || to < from) {
                throw new IllegalArgumentException("x marker '" + label + "': need finite from <= to, got [" + from
                        + ", " + to + "]");
            }
            if (color == null || !color.matches("#[0-9a-fA-F]{6}")) {
                throw new IllegalArgumentException("x marker '" + label + "': colour must be #rrggbb, got " + color);
            }
        }

        public boolean isSpan() {
            return to > from;
        }
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Scale xScale;
    private final Scale yScale;
    private final double xMin;
    private final double xMax;
    private final double yMin;
    private final double yMax;
    private final double[] xTickValues;
    private final String[] xTickLabels;
    private final List<Series> series;
    private final List<RefLine> refLines;
    private final List<XMark> marks;
    private final List<String> notes;
    private final Legend legend;

    private Plot(Builder b) {
        this.title = b.title;
        this.xLabel = b.xLabel;
        this.yLabel = b.yLabel;
        this.xScale = b.xScale;
        this.yScale = b.yScale;
        this.xMin = b.xMin;
        this.xMax = b.xMax;
        this.yMin = b.yMin;
        this.yMax = b.yMax;
        this.xTickValues = b.xTickValues;
        this.xTickLabels = b.xTickLabels;
        this.series = List.copyOf(b.series);
        this.refLines = List.copyOf(b.refLines);
        this.marks = List.copyOf(b.marks);
        this.notes = List.copyOf(b.notes);
        this.legend = b.legend;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder initialised with this plot's content. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.title = title;
        b.xLabel = xLabel;
        b.yLabel = yLabel;
        b.xScale = xScale;
        b.yScale = yScale;
        b.xMin = xMin;
        b.xMax = xMax;
        b.yMin = yMin;
        b.yMax = yMax;
        b.xTickValues = xTickValues;
        b.xTickLabels = xTickLabels;
        b.series.addAll(series);
        b.refLines.addAll(refLines);
        b.marks.addAll(marks);
        b.notes.addAll(notes);
        b.legend = legend;
        return b;
    }

    public String title() {
        return title;
    }

    public String xLabel() {
        return xLabel;
    }

    public String yLabel() {
        return yLabel;
    }

    public Scale xScale() {
        return xScale;
    }

    public Scale yScale() {
        return yScale;
    }

    /** Fixed lower x limit, or NaN (from the data). */
    public double xMin() {
        return xMin;
    }

    public double xMax() {
        return xMax;
    }

    public double yMin() {
        return yMin;
    }

    public double yMax() {
        return yMax;
    }

    public List<Series> series() {
        return series;
    }

    public List<RefLine> refLines() {
        return refLines;
    }

    public List<XMark> marks() {
        return marks;
    }

    public List<String> notes() {
        return notes;
    }

    public Legend legend() {
        return legend;
    }

    /** Explicit x tick positions (categorical axes), or null. */
    double[] xTickValues() {
        return xTickValues;
    }

    String[] xTickLabels() {
        return xTickLabels;
    }

    /** True when no series has a single drawable point. */
    public boolean isEmpty() {
        for (Series s : series) {
            for (int i = 0; i < s.size(); i++) {
                if (Double.isFinite(s.xAt(i)) && Double.isFinite(s.yAt(i))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Fluent builder of a {@link Plot}. */
    public static final class Builder {
        private String title;
        private String xLabel;
        private String yLabel;
        private Scale xScale = Scale.LINEAR;
        private Scale yScale = Scale.LINEAR;
        private double xMin = Double.NaN;
        private double xMax = Double.NaN;
        private double yMin = Double.NaN;
        private double yMax = Double.NaN;
        private double[] xTickValues;
        private String[] xTickLabels;
        private final List<Series> series = new ArrayList<>();
        private final List<RefLine> refLines = new ArrayList<>();
        private final List<XMark> marks = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();
        private Legend legend = Legend.AUTO;

        private Builder() {
        }

        public Builder title(String t) {
            this.title = t;
            return this;
        }

        public Builder xLabel(String l) {
            this.xLabel = l;
            return this;
        }

        public Builder yLabel(String l) {
            this.yLabel = l;
            return this;
        }

        /** Log10 x axis (non-positive x values are skipped and counted in a note). */
        public Builder xLog() {
            this.xScale = Scale.LOG;
            return this;
        }

        /** Log10 y axis (non-positive y values are skipped and counted in a note). */
        public Builder yLog() {
            this.yScale = Scale.LOG;
            return this;
        }

        public Builder xScale(Scale s) {
            this.xScale = Objects.requireNonNull(s, "xScale");
            return this;
        }

        public Builder yScale(Scale s) {
            this.yScale = Objects.requireNonNull(s, "yScale");
            return this;
        }

        /** Fixed x range; NaN for either end keeps that end automatic. */
        public Builder xRange(double lo, double hi) {
            checkRange("x", lo, hi);
            this.xMin = lo;
            this.xMax = hi;
            return this;
        }

        /** Fixed y range; NaN for either end keeps that end automatic. */
        public Builder yRange(double lo, double hi) {
            checkRange("y", lo, hi);
            this.yMin = lo;
            this.yMax = hi;
            return this;
        }

        /**
         * A categorical x axis: category i sits at x = i and is labelled {@code categories.get(i)}; the x range
         * becomes [-0.5, k - 0.5].
         */
        public Builder xCategories(List<String> categories) {
            if (categories == null || categories.isEmpty()) {
                throw new IllegalArgumentException("xCategories: need at least one category, got " + categories);
            }
            int k = categories.size();
            xTickValues = new double[k];
            xTickLabels = new String[k];
            for (int i = 0; i < k; i++) {
                xTickValues[i] = i;
                xTickLabels[i] = String.valueOf(categories.get(i));
            }
            xScale = Scale.LINEAR;
            xMin = -0.5;
            xMax = k - 0.5;
            return this;
        }

        public Builder add(Series s) {
            series.add(Objects.requireNonNull(s, "series"));
            return this;
        }

        public Builder addAll(List<Series> ss) {
            for (Series s : ss) {
                add(s);
            }
            return this;
        }

        /** A dashed horizontal reference line, e.g. {@code refLine(2 / eta, "2/\u03b7")}. */
        public Builder refLine(double y, String label) {
            refLines.add(new RefLine(y, label, Palette.REFERENCE));
            return this;
        }

        public Builder refLine(double y, String label, String color) {
            refLines.add(new RefLine(y, label, color));
            return this;
        }

        /** A dashed vertical marker at x. */
        public Builder vline(double x, String label) {
            marks.add(new XMark(x, x, label, Palette.REFERENCE));
            return this;
        }

        public Builder vline(double x, String label, String color) {
            marks.add(new XMark(x, x, label, color));
            return this;
        }

        /** A shaded span [from, to] (e.g. a loss spike from onset to end). */
        public Builder span(double from, double to, String label) {
            marks.add(new XMark(from, to, label, Palette.SPAN));
            return this;
        }

        public Builder span(double from, double to, String label, String color) {
            marks.add(new XMark(from, to, label, color));
            return this;
        }

        /** A line of small text under the panel (e.g. what was left out). */
        public Builder note(String n) {
            if (n != null && !n.isBlank()) {
                notes.add(n);
            }
            return this;
        }

        public Builder legend(Legend l) {
            this.legend = Objects.requireNonNull(l, "legend");
            return this;
        }

        public Plot build() {
            if (xScale == Scale.LOG && xTickValues != null) {
                throw new IllegalArgumentException("plot '" + title + "': a categorical x axis cannot be log");
            }
            if (xScale == Scale.LOG && ((xMin <= 0) || (xMax <= 0))) {
                throw new IllegalArgumentException("plot '" + title + "': log x range must be positive, got ["
                        + xMin + ", " + xMax + "]");
            }
            if (yScale == Scale.LOG && ((yMin <= 0) || (yMax <= 0))) {
                throw new IllegalArgumentException("plot '" + title + "': log y range must be positive, got ["
                        + yMin + ", " + yMax + "]");
            }
            return new Plot(this);
        }

        private static void checkRange(String axis, double lo, double hi) {
            if (Double.isInfinite(lo) || Double.isInfinite(hi) || (!Double.isNaN(lo) && !Double.isNaN(hi) && !(lo < hi))) {
                throw new IllegalArgumentException(axis + "Range: need finite lo < hi (NaN = automatic), got [" + lo
                        + ", " + hi + "]");
            }
        }
    }
}
