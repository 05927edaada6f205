package org.sgdlab.report;

/**
 * The Okabe-Ito colour-blind-safe palette (Okabe and Ito, "Color Universal Design", 2008), ordered so the
 * first colours differ most; series cycle through it together with marker shapes.
 */
public final class Palette {

    public static final String BLUE = "#0072b2";
    public static final String VERMILLION = "#d55e00";
    public static final String GREEN = "#009e73";
    public static final String ORANGE = "#e69f00";
    public static final String PURPLE = "#cc79a7";
    public static final String SKY = "#56b4e9";
    public static final String YELLOW = "#f0e442";
    public static final String BLACK = "#000000";

    /** Dark grey used for reference lines and thresholds. */
    public static final String REFERENCE = "#333333";

    /** Fill of shaded event spans (drawn with low opacity). */
    public static final String SPAN = VERMILLION;

    private static final String[] CYCLE = {BLUE, VERMILLION, GREEN, ORANGE, PURPLE, SKY, BLACK, YELLOW};

    private Palette() {
    }

    /** The i-th series colour (cycling). */
    public static String color(int i) {
        return CYCLE[Math.floorMod(i, CYCLE.length)];
    }

    /** Number of distinct series colours. */
    public static int size() {
        return CYCLE.length;
    }
}
