package org.sgdlab.report;

import java.util.Arrays;
import java.util.Objects;

/**
 * One data series of a plot: points (x_i, y_i), optionally with symmetric error bars y_i +- e_i, drawn as a
 * line, as markers, or both. Immutable: the {@code with...} methods return modified copies and the arrays
 * are copied in and out.
 *
 * <p>Non-finite x or y (NaN, +-inf) break a line into separate pieces and are never drawn; on a log axis
 * the same holds for non-positive values (the plot states how many were skipped).
 */
public final class Series {

    /** How points are drawn. */
    public enum Style { LINE, MARKERS, LINE_MARKERS }

    /** Marker shapes (cycled with the colour so that series differ in more than colour). */
    public enum Shape { CIRCLE, SQUARE, TRIANGLE, DIAMOND }

    private final String label;
    private final double[] x;
    private final double[] y;
    private final double[] err;
    private final Style style;
    private final String color;
    private final Shape shape;
    private final boolean dashed;
    private final double width;
    private final boolean hollow;
    private final boolean stairs;

    private Series(String label, double[] x, double[] y, double[] err, Style style, String color, Shape shape,
            boolean dashed, double width, boolean hollow, boolean stairs) {
        this.label = label;
        this.x = x;
        this.y = y;
        this.err = err;
        this.style = style;
        this.color = color;
        this.shape = shape;
        this.dashed = dashed;
        this.width = width;
        this.hollow = hollow;
        this.stairs = stairs;
    }

    /** A line through the points; {@code label} may be null (no legend entry). */
    public static Series line(String label, double[] x, double[] y) {
        return create(label, x, y, Style.LINE);
    }

    /** Markers only (a scatter plot). */
    public static Series markers(String label, double[] x, double[] y) {
        return create(label, x, y, Style.MARKERS);
    }

    /** A line with a marker at each point. */
    public static Series lineMarkers(String label, double[] x, double[] y) {
        return create(label, x, y, Style.LINE_MARKERS);
    }

    /**
     * A step-varying threshold (e.g. 2/eta_t), drawn as a dashed dark line: the curve a measured quantity
     * is compared with.
     */
    public static Series threshold(String label, double[] x, double[] y) {
        return create(label, x, y, Style.LINE).withColor(Palette.REFERENCE).dashed();
    }

    private static Series create(String label, double[] x, double[] y, Style style) {
        Objects.requireNonNull(x, "series x");
        Objects.requireNonNull(y, "series y");
        if (x.length != y.length) {
            throw new IllegalArgumentException("series '" + label + "': x and y lengths differ: " + x.length
                    + " vs " + y.length);
        }
        return new Series(label, x.clone(), y.clone(), null, style, null, null, false, 1.5, false, false);
    }

    /** Symmetric error bars: y_i +- err_i (e.g. a standard error); NaN means no bar at that point. */
    public Series withErrors(double[] errors) {
        Objects.requireNonNull(errors, "errors");
        if (errors.length != y.length) {
            throw new IllegalArgumentException("series '" + label + "': errors length " + errors.length
                    + " differs from the number of points " + y.length);
        }
        return new Series(label, x, y, errors.clone(), style, color, shape, dashed, width, hollow, stairs);
    }

    /** A fixed colour, "#rrggbb"; otherwise the plot assigns the next palette colour. */
    public Series withColor(String hex) {
        if (hex == null || !hex.matches("#[0-9a-fA-F]{6}")) {
            throw new IllegalArgumentException("series '" + label + "': colour must be #rrggbb, got " + hex);
        }
        return new Series(label, x, y, err, style, hex.toLowerCase(java.util.Locale.ROOT), shape, dashed, width,
                hollow, stairs);
    }

    /** A fixed marker shape. */
    public Series withShape(Shape s) {
        return new Series(label, x, y, err, style, color, Objects.requireNonNull(s, "shape"), dashed, width,
                hollow, stairs);
    }

    /** Markers drawn as outlines (e.g. for measurements flagged as not converged). */
    public Series hollow() {
        return new Series(label, x, y, err, style, color, shape, dashed, width, true, stairs);
    }

    /** A dashed line. */
    public Series dashed() {
        return new Series(label, x, y, err, style, color, shape, true, width, hollow, stairs);
    }

    /**
     * Draws the line as a staircase: each value holds until the next point's x (for piecewise-constant
     * quantities such as a step-decay threshold logged sparsely).
     */
    public Series stairs() {
        return new Series(label, x, y, err, style, color, shape, dashed, width, hollow, true);
    }

    /** Line width in pixels (default 1.5). */
    public Series withWidth(double w) {
        if (!(w > 0) || w > 20) {
            throw new IllegalArgumentException("series '" + label + "': width must be in (0, 20], got " + w);
        }
        return new Series(label, x, y, err, style, color, shape, dashed, w, hollow, stairs);
    }

    public String label() {
        return label;
    }

    public double[] x() {
        return x.clone();
    }

    public double[] y() {
        return y.clone();
    }

    /** The error bars, or null. */
    public double[] errors() {
        return err == null ? null : err.clone();
    }

    public int size() {
        return x.length;
    }

    public Style style() {
        return style;
    }

    /** The fixed colour, or null when the plot assigns one. */
    public String color() {
        return color;
    }

    /** The fixed shape, or null when the plot assigns one. */
    public Shape shape() {
        return shape;
    }

    public boolean isDashed() {
        return dashed;
    }

    public boolean isHollow() {
        return hollow;
    }

    public boolean isStairs() {
        return stairs;
    }

    public double width() {
        return width;
    }

    // package-private unchecked access for the renderer (no copies)
    double xAt(int i) {
        return x[i];
    }

    double yAt(int i) {
        return y[i];
    }

    double errAt(int i) {
        return err == null ? Double.NaN : err[i];
    }

    boolean hasErrors() {
        return err != null;
    }

    @Override
    public String toString() {
        return "Series[" + label + ", " + style + ", n=" + x.length + (err != null ? ", errors" : "") + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Series s && Objects.equals(label, s.label) && Arrays.equals(x, s.x)
                && Arrays.equals(y, s.y) && Arrays.equals(err, s.err) && style == s.style
                && Objects.equals(color, s.color) && shape == s.shape && dashed == s.dashed && width == s.width
                && hollow == s.hollow && stairs == s.stairs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(label, Arrays.hashCode(x), Arrays.hashCode(y), style);
    }
}
