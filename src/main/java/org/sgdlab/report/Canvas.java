package org.sgdlab.report;

/**
 * The drawing primitives both back ends implement, so SVG and PNG come from one layout ({@link Renderer}).
 * Coordinates are pixels, y downward. Colours are "#rrggbb".
 */
interface Canvas {

    /** Line style: colour, width, dash pattern (null = solid) and opacity. */
    record Pen(String color, double width, double[] dash, double opacity) {
        static Pen solid(String color, double width) {
            return new Pen(color, width, null, 1);
        }

        static Pen dashed(String color, double width) {
            return new Pen(color, width, new double[] {6, 4}, 1);
        }
    }

    /** Text anchor. */
    enum Anchor { START, MIDDLE, END }

    /** Text style; {@code vertical} rotates by -90 degrees around (x, y). */
    record Font(double size, Anchor anchor, boolean bold, boolean italic, String color, boolean vertical) {
        static Font of(double size, Anchor a) {
            return new Font(size, a, false, false, "#222222", false);
        }

        Font asBold() {
            return new Font(size, anchor, true, italic, color, vertical);
        }

        Font asItalic() {
            return new Font(size, anchor, bold, true, color, vertical);
        }

        Font inColor(String c) {
            return new Font(size, anchor, bold, italic, c, vertical);
        }

        Font rotated() {
            return new Font(size, anchor, bold, italic, color, true);
        }
    }

    void begin(int width, int height, String title);

    void rect(double x, double y, double w, double h, String fill, double fillOpacity, Pen stroke);

    void line(double x1, double y1, double x2, double y2, Pen pen);

    void polyline(double[] xs, double[] ys, int n, Pen pen);

    void circle(double cx, double cy, double r, String fill, Pen stroke);

    void polygon(double[] xs, double[] ys, String fill, Pen stroke);

    /** Text with its baseline at y. */
    void text(double x, double y, String s, Font f);

    /** Restricts drawing to a rectangle until {@link #unclip()}. */
    void clip(double x, double y, double w, double h);

    void unclip();

    /** Opens a logical group (SVG: {@code <g class=.. data-label=..>}; PNG: nothing). */
    void group(String cls, String label);

    void endGroup();

    /**
     * Approximate text width in pixels, identical for both back ends so the layout is the same: per-character
     * advance widths close to DejaVu Sans / Helvetica.
     */
    static double textWidth(String s, double size) {
        double w = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            double a;
            if ("il.,:;|!'1".indexOf(c) >= 0) {
                a = 0.32;
            } else if ("fjtrI() []-".indexOf(c) >= 0) {
                a = 0.40;
            } else if ("mwMW%@".indexOf(c) >= 0) {
                a = 0.88;
            } else if (Character.isUpperCase(c)) {
                a = 0.70;
            } else if (Character.isDigit(c)) {
                a = 0.64;
            } else {
                a = 0.58;
            }
            w += a;
        }
        return w * size;
    }
}
