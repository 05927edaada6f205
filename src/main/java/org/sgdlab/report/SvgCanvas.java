package org.sgdlab.report;

/** Builds a self-contained SVG document (no external fonts, scripts or images). */
final class SvgCanvas implements Canvas {

    private final StringBuilder sb = new StringBuilder(1 << 14);
    private final String idPrefix;
    private int clips;
    private int depth;
    private boolean clipped;

    /** {@code idPrefix} keeps clip-path ids unique when several SVGs are inlined in one HTML page. */
    SvgCanvas(String idPrefix) {
        this.idPrefix = idPrefix.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    @Override
    public void begin(int width, int height, String title) {
        sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ')
                .append(height).append("\" font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n");
        if (title != null && !title.isEmpty()) {
            sb.append("<title>").append(esc(title)).append("</title>\n");
        }
        sb.append("<rect x=\"0\" y=\"0\" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" fill=\"#ffffff\"/>\n");
    }

    String finish() {
        while (depth > 0) {
            endGroup();
        }
        if (clipped) {
            unclip();
        }
        sb.append("</svg>\n");
        return sb.toString();
    }

    @Override
    public void rect(double x, double y, double w, double h, String fill, double fillOpacity, Pen stroke) {
        sb.append("<rect x=\"").append(Fmt.px(x)).append("\" y=\"").append(Fmt.px(y)).append("\" width=\"")
                .append(Fmt.px(Math.max(0, w))).append("\" height=\"").append(Fmt.px(Math.max(0, h)))
                .append("\" fill=\"").append(fill == null ? "none" : fill).append('"');
        if (fill != null && fillOpacity < 1) {
            sb.append(" fill-opacity=\"").append(Fmt.px(fillOpacity)).append('"');
        }
        pen(stroke);
        sb.append("/>\n");
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, Pen pen) {
        sb.append("<line x1=\"").append(Fmt.px(x1)).append("\" y1=\"").append(Fmt.px(y1)).append("\" x2=\"")
                .append(Fmt.px(x2)).append("\" y2=\"").append(Fmt.px(y2)).append('"');
        pen(pen);
        sb.append("/>\n");
    }

    @Override
    public void polyline(double[] xs, double[] ys, int n, Pen pen) {
        if (n < 2) {
            return;
        }
        sb.append("<polyline fill=\"none\" stroke-linejoin=\"round\" points=\"");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(Fmt.px(xs[i])).append(',').append(Fmt.px(ys[i]));
        }
        sb.append('"');
        pen(pen);
        sb.append("/>\n");
    }

    @Override
    public void circle(double cx, double cy, double r, String fill, Pen stroke) {
        sb.append("<circle cx=\"").append(Fmt.px(cx)).append("\" cy=\"").append(Fmt.px(cy)).append("\" r=\"")
                .append(Fmt.px(r)).append("\" fill=\"").append(fill == null ? "none" : fill).append('"');
        pen(stroke);
        sb.append("/>\n");
    }

    @Override
    public void polygon(double[] xs, double[] ys, String fill, Pen stroke) {
        sb.append("<polygon points=\"");
        for (int i = 0; i < xs.length; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(Fmt.px(xs[i])).append(',').append(Fmt.px(ys[i]));
        }
        sb.append("\" fill=\"").append(fill == null ? "none" : fill).append('"');
        pen(stroke);
        sb.append("/>\n");
    }

    @Override
    public void text(double x, double y, String s, Font f) {
        if (s == null || s.isEmpty()) {
            return;
        }
        sb.append("<text x=\"").append(Fmt.px(x)).append("\" y=\"").append(Fmt.px(y)).append("\" font-size=\"")
                .append(Fmt.px(f.size())).append('"');
        if (f.anchor() != Anchor.START) {
            sb.append(" text-anchor=\"").append(f.anchor() == Anchor.MIDDLE ? "middle" : "end").append('"');
        }
        if (f.bold()) {
            sb.append(" font-weight=\"bold\"");
        }
        if (f.italic()) {
            sb.append(" font-style=\"italic\"");
        }
        sb.append(" fill=\"").append(f.color()).append('"');
        if (f.vertical()) {
            sb.append(" transform=\"rotate(-90 ").append(Fmt.px(x)).append(' ').append(Fmt.px(y)).append(")\"");
        }
        sb.append('>').append(esc(s)).append("</text>\n");
    }

    @Override
    public void clip(double x, double y, double w, double h) {
        if (clipped) {
            unclip();
        }
        String id = idPrefix + "-clip" + (clips++);
        sb.append("<clipPath id=\"").append(id).append("\"><rect x=\"").append(Fmt.px(x)).append("\" y=\"")
                .append(Fmt.px(y)).append("\" width=\"").append(Fmt.px(w)).append("\" height=\"").append(Fmt.px(h))
                .append("\"/></clipPath>\n<g clip-path=\"url(#").append(id).append(")\">\n");
        clipped = true;
    }

    @Override
    public void unclip() {
        if (clipped) {
            sb.append("</g>\n");
            clipped = false;
        }
    }

    @Override
    public void group(String cls, String label) {
        sb.append("<g class=\"").append(esc(cls)).append('"');
        if (label != null) {
            sb.append(" data-label=\"").append(esc(label)).append('"');
        }
        sb.append(">\n");
        depth++;
    }

    @Override
    public void endGroup() {
        if (depth > 0) {
            sb.append("</g>\n");
            depth--;
        }
    }

    private void pen(Pen p) {
        if (p == null) {
            return;
        }
        sb.append(" stroke=\"").append(p.color()).append("\" stroke-width=\"").append(Fmt.px(p.width())).append('"');
        if (p.dash() != null) {
            sb.append(" stroke-dasharray=\"");
            for (int i = 0; i < p.dash().length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(Fmt.px(p.dash()[i]));
            }
            sb.append('"');
        }
        if (p.opacity() < 1) {
            sb.append(" stroke-opacity=\"").append(Fmt.px(p.opacity())).append('"');
        }
    }

    /** XML text/attribute escaping; drops characters XML 1.0 forbids. */
    static String esc(String s) {
        StringBuilder o = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> o.append("&amp;");
                case '<' -> o.append("&lt;");
                case '>' -> o.append("&gt;");
                case '"' -> o.append("&quot;");
                case '\'' -> o.append("&#39;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        if (c != 0xFFFE && c != 0xFFFF) {
                            o.append(c);
                        }
                    }
                }
            }
        }
        return o.toString();
    }
}
