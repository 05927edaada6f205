package org.sgdlab.report;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import javax.imageio.ImageIO;

/**
 * A named figure: one or more {@link Plot} panels in a grid (optionally sharing the x axis), a title and a
 * caption, rendered from the same model to SVG ({@link #toSvg()}) or PNG ({@link #toPng(double)}). Output is
 * deterministic: the same figure gives the same bytes.
 */
public final class Figure {

    private final String name;
    private final String title;
    private final String caption;
    private final List<Plot> panels;
    private final int columns;
    private final int cellWidth;
    private final int plotHeight;
    private final boolean sharedX;

    private Figure(String name, String title, String caption, List<Plot> panels, int columns, int cellWidth,
            int plotHeight, boolean sharedX) {
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")) {
            throw new IllegalArgumentException("figure name must match [A-Za-z0-9][A-Za-z0-9_.-]* (a file stem), got '"
                    + name + "'");
        }
        if (panels == null || panels.isEmpty()) {
            throw new IllegalArgumentException("figure '" + name + "': needs at least one panel");
        }
        if (columns < 1 || columns > 12) {
            throw new IllegalArgumentException("figure '" + name + "': columns must be in [1, 12], got " + columns);
        }
        if (cellWidth < 120 || cellWidth > 4000 || plotHeight < 40 || plotHeight > 4000) {
            throw new IllegalArgumentException("figure '" + name + "': cell width must be in [120, 4000] and plot "
                    + "height in [40, 4000], got " + cellWidth + " x " + plotHeight);
        }
        this.name = name;
        this.title = title;
        this.caption = caption;
        this.panels = List.copyOf(panels);
        this.columns = Math.min(columns, panels.size());
        this.cellWidth = cellWidth;
        this.plotHeight = plotHeight;
        this.sharedX = sharedX;
    }

    /** A single-panel figure (720 px wide). */
    public static Figure of(String name, Plot plot) {
        return new Figure(name, null, null, List.of(Objects.requireNonNull(plot, "plot")), 1, 720, 300, false);
    }

    /** Panels stacked in one column sharing the x axis (tick labels only under the bottom panel). */
    public static Figure stacked(String name, List<Plot> panels) {
        return new Figure(name, null, null, panels, 1, 720, 200, true);
    }

    /** Small multiples: a grid with {@code columns} columns; panels share the x range. */
    public static Figure grid(String name, List<Plot> panels, int columns) {
        return new Figure(name, null, null, panels, columns, 300, 140, true);
    }

    public Figure withTitle(String t) {
        return new Figure(name, t, caption, panels, columns, cellWidth, plotHeight, sharedX);
    }

    /** The paragraph under the figure: what it shows and the verdict. */
    public Figure withCaption(String c) {
        return new Figure(name, title, c, panels, columns, cellWidth, plotHeight, sharedX);
    }

    /** Width of one grid cell and height of one plot area, in pixels. */
    public Figure withSize(int cellWidthPx, int plotHeightPx) {
        return new Figure(name, title, caption, panels, columns, cellWidthPx, plotHeightPx, sharedX);
    }

    public Figure withSharedX(boolean shared) {
        return new Figure(name, title, caption, panels, columns, cellWidth, plotHeight, shared);
    }

    public String name() {
        return name;
    }

    public String title() {
        return title;
    }

    public String caption() {
        return caption;
    }

    public List<Plot> panels() {
        return panels;
    }

    public int columns() {
        return columns;
    }

    int cellWidth() {
        return cellWidth;
    }

    int plotHeight() {
        return plotHeight;
    }

    public boolean sharedX() {
        return sharedX;
    }

    /** The figure as a standalone SVG document, caption included. */
    public String toSvg() {
        return toSvg(true);
    }

    /** The figure as SVG; without the caption when the page around it shows the caption itself. */
    public String toSvg(boolean withCaption) {
        SvgCanvas c = new SvgCanvas(name);
        Renderer.render(this, c, withCaption);
        return c.finish();
    }

    /** The figure as an RGB image; {@code scale} multiplies the pixel size (2 for sharp prints). */
    public BufferedImage toImage(double scale) {
        PngCanvas c = new PngCanvas(scale);
        Renderer.render(this, c, true);
        return c.finish();
    }

    /** The figure as PNG bytes. */
    public byte[] toPng(double scale) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(toImage(scale), "png", out)) {
                throw new IllegalStateException("no PNG writer available in this JDK");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Pixel size {width, height} at scale 1 (the SVG's size). */
    public int[] size(boolean withCaption) {
        return Renderer.size(this, withCaption);
    }

    /**
     * Writes {@code <dir>/<name>.svg} and {@code <dir>/<name>.png} (PNG at scale 2), each by temp file + atomic
     * rename; creates {@code dir}. Returns the SVG path.
     */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path svg = dir.resolve(name + ".svg");
        AtomicFiles.write(svg, toSvg(true).getBytes(StandardCharsets.UTF_8));
        AtomicFiles.write(dir.resolve(name + ".png"), toPng(2));
        return svg;
    }

    @Override
    public String toString() {
        return "Figure[" + name + ", " + panels.size() + " panel(s)]";
    }
}
