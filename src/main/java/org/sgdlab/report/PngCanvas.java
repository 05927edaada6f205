package org.sgdlab.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.Map;

/**
 * Java2D back end: draws into an RGB {@link BufferedImage}. Runs headless ({@code java.awt.headless=true} is
 * set when nothing else was configured). If the platform has no usable fonts, text is left out rather than
 * failing the whole figure.
 */
final class PngCanvas implements Canvas {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final double scale;
    private BufferedImage image;
    private Graphics2D g;
    private Shape savedClip;
    private final Map<String, java.awt.Font> fonts = new HashMap<>();
    private boolean textFailed;

    PngCanvas(double scale) {
        if (!(scale > 0) || scale > 8) {
            throw new IllegalArgumentException("png scale must be in (0, 8], got " + scale);
        }
        this.scale = scale;
    }

    @Override
    public void begin(int width, int height, String title) {
        int w = Math.max(1, (int) Math.round(width * scale));
        int h = Math.max(1, (int) Math.round(height * scale));
        image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.scale(scale, scale);
        g.setColor(Color.WHITE);
        g.fill(new Rectangle2D.Double(0, 0, width, height));
    }

    BufferedImage finish() {
        g.dispose();
        return image;
    }

    /** True when a text call failed (no fonts); the image then has no text. */
    boolean textFailed() {
        return textFailed;
    }

    @Override
    public void rect(double x, double y, double w, double h, String fill, double fillOpacity, Pen stroke) {
        Rectangle2D r = new Rectangle2D.Double(x, y, Math.max(0, w), Math.max(0, h));
        if (fill != null) {
            g.setColor(color(fill, fillOpacity));
            g.fill(r);
        }
        if (stroke != null) {
            apply(stroke);
            g.draw(r);
        }
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, Pen pen) {
        apply(pen);
        g.draw(new Line2D.Double(x1, y1, x2, y2));
    }

    @Override
    public void polyline(double[] xs, double[] ys, int n, Pen pen) {
        if (n < 2) {
            return;
        }
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xs[0], ys[0]);
        for (int i = 1; i < n; i++) {
            p.lineTo(xs[i], ys[i]);
        }
        apply(pen);
        g.draw(p);
    }

    @Override
    public void circle(double cx, double cy, double r, String fill, Pen stroke) {
        Ellipse2D e = new Ellipse2D.Double(cx - r, cy - r, 2 * r, 2 * r);
        if (fill != null) {
            g.setColor(color(fill, 1));
            g.fill(e);
        }
        if (stroke != null) {
            apply(stroke);
            g.draw(e);
        }
    }

    @Override
    public void polygon(double[] xs, double[] ys, String fill, Pen stroke) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xs[0], ys[0]);
        for (int i = 1; i < xs.length; i++) {
            p.lineTo(xs[i], ys[i]);
        }
        p.closePath();
        if (fill != null) {
            g.setColor(color(fill, 1));
            g.fill(p);
        }
        if (stroke != null) {
            apply(stroke);
            g.draw(p);
        }
    }

    @Override
    public void text(double x, double y, String s, Font f) {
        if (s == null || s.isEmpty() || textFailed) {
            return;
        }
        try {
            java.awt.Font font = font(f);
            g.setFont(font);
            g.setColor(color(f.color(), 1));
            double w = g.getFontMetrics().getStringBounds(s, g).getWidth();
            double dx = switch (f.anchor()) {
                case START -> 0;
                case MIDDLE -> -w / 2;
                case END -> -w;
            };
            if (f.vertical()) {
                AffineTransform saved = g.getTransform();
                g.translate(x, y);
                g.rotate(-Math.PI / 2);
                g.drawString(s, (float) dx, 0f);
                g.setTransform(saved);
            } else {
                g.drawString(s, (float) (x + dx), (float) y);
            }
        } catch (RuntimeException | InternalError e) {
            // headless machine without fonts: keep the graphics, drop the text
            textFailed = true;
        }
    }

    @Override
    public void clip(double x, double y, double w, double h) {
        savedClip = g.getClip();
        g.clip(new Rectangle2D.Double(x, y, w, h));
    }

    @Override
    public void unclip() {
        g.setClip(savedClip);
        savedClip = null;
    }

    @Override
    public void group(String cls, String label) {
    }

    @Override
    public void endGroup() {
    }

    private java.awt.Font font(Font f) {
        String key = f.size() + "/" + f.bold() + "/" + f.italic();
        return fonts.computeIfAbsent(key, k -> {
            int style = (f.bold() ? java.awt.Font.BOLD : 0) | (f.italic() ? java.awt.Font.ITALIC : 0);
            return new java.awt.Font(java.awt.Font.SANS_SERIF, style, 1).deriveFont((float) f.size());
        });
    }

    private void apply(Pen p) {
        float[] dash = null;
        if (p.dash() != null) {
            dash = new float[p.dash().length];
            for (int i = 0; i < dash.length; i++) {
                dash[i] = (float) p.dash()[i];
            }
        }
        g.setStroke(new BasicStroke((float) p.width(), BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, dash, 0f));
        g.setColor(color(p.color(), p.opacity()));
    }

    private static Color color(String hex, double opacity) {
        int rgb = Integer.parseInt(hex.substring(1), 16);
        int a = (int) Math.round(Math.max(0, Math.min(1, opacity)) * 255);
        return new Color((rgb >> 16) & 0xff, (rgb >> 8) & 0xff, rgb & 0xff, a);
    }
}
