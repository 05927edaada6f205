package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The parameter reader of the diagnostics: every getter's accepted spellings, defaults, ranges and the exact
 * messages (field path, value, what is allowed); unknown keys; and the domain readers built on it.
 */
class DiagnosticParamsTest {

    /** The reader of diagnostic {@code d} over alternating keys and values. */
    private static DiagnosticParams p(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return DiagnosticParams.of("d", m);
    }

    private static void fails(String message, Executable read) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, read);
        assertEquals(message, e.getMessage());
    }

    @Test
    void unknownKeysAreRejectedListingTheKnownOnesInTheirOrder() {
        p("k", 1, "tol", 0.1).requireKnown("tol", "k");
        p().requireKnown();
        DiagnosticParams.of("d", null).requireKnown("k");
        fails("diagnostics.d: unknown parameter 'kk'; known: k, tol", () -> p("kk", 1).requireKnown("k", "tol"));
        fails("diagnostics.d: unknown parameters 'a', 'b'; known: k", () -> p("b", 1, "a", 2, "k", 3).requireKnown("k"));
        fails("diagnostics.d: unknown parameter 'every'; known: none", () -> p("every", 3).requireKnown());
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("x", null);
        fails("diagnostics.d: unknown parameter 'x'; known: k",
                () -> DiagnosticParams.of("d", withNull).requireKnown(List.of("k")));
    }

    @Test
    void fieldHasAndGet() {
        Map<String, Object> m = new HashMap<>();
        m.put("a", null);
        m.put("b", 2);
        DiagnosticParams q = DiagnosticParams.of("sharpness", m);
        assertEquals("diagnostics.sharpness.max_dim", q.field("max_dim"));
        assertFalse(q.has("a"), "a null value counts as absent");
        assertFalse(q.has("c"));
        assertTrue(q.has("b"));
        assertEquals(2, q.get("b"));
        assertEquals(7, q.integer("a", 7), "absent or null: the default");
        assertEquals("diagnostics.sharpness.b must be odd, got 2", q.invalid("b", "odd").getMessage());
        assertEquals("x.y must be a key, got 'z'", DiagnosticParams.invalid("x.y", "z", "a key").getMessage());
        assertEquals("x.y must be a row, got [1.0, 2.0]",
                DiagnosticParams.invalid("x.y", new double[] {1, 2}, "a row").getMessage());
        assertEquals("x.y must be set, got null", DiagnosticParams.invalid("x.y", null, "set").getMessage());
    }

    @Test
    void integersAcceptIntegralSpellingsOnly() {
        assertEquals(3, p("k", 3).integer("k", 0));
        assertEquals(3, p("k", 3L).integer("k", 0));
        assertEquals(3, p("k", 3.0).integer("k", 0));
        assertEquals(-4, p("k", " -4 ").integer("k", 0));
        assertEquals(1000, p("k", "1e3").integer("k", 0));
        assertEquals(5, p().integer("k", 5));
        fails("diagnostics.d.k must be an integer, got 2.5", () -> p("k", 2.5).integer("k", 0));
        fails("diagnostics.d.k must be an integer, got 'two'", () -> p("k", "two").integer("k", 0));
        fails("diagnostics.d.k must be an integer, got true", () -> p("k", true).integer("k", 0));
        fails("diagnostics.d.k must be an integer, got NaN", () -> p("k", Double.NaN).integer("k", 0));
        fails("diagnostics.d.k must be an integer, got [1]", () -> p("k", List.of(1)).integer("k", 0));
        fails("diagnostics.d.k must be an integer in [-2147483648, 2147483647], got 3000000000",
                () -> p("k", 3_000_000_000L).integer("k", 0));
        // integral doubles beyond 2^53 are not exact integers
        fails("diagnostics.d.k must be an integer >= 0, got 1.0E300",
                () -> p("k", 1e300).longInteger("k", 0, 0, Long.MAX_VALUE));
    }

    @Test
    void integerRangesAndPredicates() {
        assertEquals(1, p("k", 1).integer("k", 9, 1, Integer.MAX_VALUE));
        assertEquals(10, p("k", 10).integer("k", 9, 2, 10));
        fails("diagnostics.d.k must be an integer >= 1, got 0", () -> p("k", 0).integer("k", 9, 1, Integer.MAX_VALUE));
        fails("diagnostics.d.k must be an integer <= 5, got 6", () -> p("k", 6).integer("k", 0, Integer.MIN_VALUE, 5));
        fails("diagnostics.d.k must be an integer in [2, 10], got 11", () -> p("k", 11).integer("k", 2, 2, 10));
        fails("diagnostics.d.k must be an integer in [2, 10], got 'x'", () -> p("k", "x").integer("k", 2, 2, 10));
        assertEquals(9, p().integer("k", 9, 1, 5), "the default is not range-checked (the config checks it)");
        assertEquals(-1, p("k", -1).integer("k", 0, v -> v >= -1, ">= -1 (-1 = auto)"));
        fails("diagnostics.d.k must be an integer >= -1 (-1 = auto), got -2",
                () -> p("k", -2).integer("k", 0, v -> v >= -1, ">= -1 (-1 = auto)"));
        assertEquals(3_000_000_000L, p("n", 3e9).longInteger("n", 0, 0, Long.MAX_VALUE));
        assertEquals(9_007_199_254_740_993L, p("n", "9007199254740993").longInteger("n", 0, 0, Long.MAX_VALUE),
                "long strings are read exactly");
        fails("diagnostics.d.n must be an integer >= 0, got -1", () -> p("n", -1).longInteger("n", 0, 0, Long.MAX_VALUE));
    }

    @Test
    void numbers() {
        assertEquals(0.001, p("x", "1e-3").number("x", 0), 0.0);
        assertEquals(2.0, p("x", 2).number("x", 0), 0.0);
        assertTrue(Double.isNaN(p().number("x", Double.NaN)));
        assertTrue(Double.isNaN(p("x", Double.NaN).number("x", 0)), "without a range any double is taken");
        assertEquals(Double.POSITIVE_INFINITY, p("x", "Infinity").number("x", 0), 0.0);
        fails("diagnostics.d.x must be a number, got 'tight'", () -> p("x", "tight").number("x", 0));
        fails("diagnostics.d.x must be a number, got ''", () -> p("x", "").number("x", 0));
        fails("diagnostics.d.x must be a number, got false", () -> p("x", false).number("x", 0));

        assertEquals(1.0, p("x", 1).number("x", 0, 0, 1), 0.0);
        assertEquals(0.0, p("x", 0).number("x", 5, 0, Double.MAX_VALUE), 0.0);
        fails("diagnostics.d.x must be a finite number in [0, 1], got 1.5", () -> p("x", 1.5).number("x", 0, 0, 1));
        fails("diagnostics.d.x must be a finite number in [0, 0.5], got 0.75", () -> p("x", 0.75).number("x", 0, 0, 0.5));
        fails("diagnostics.d.x must be a finite number >= 0, got -1", () -> p("x", -1).number("x", 0, 0, Double.MAX_VALUE));
        fails("diagnostics.d.x must be a finite number <= 2, got 3", () -> p("x", 3).number("x", 0, -Double.MAX_VALUE, 2));
        fails("diagnostics.d.x must be a finite number >= 0, got Infinity",
                () -> p("x", Double.POSITIVE_INFINITY).number("x", 0, 0, Double.MAX_VALUE));
        fails("diagnostics.d.x must be a finite number, got NaN",
                () -> p("x", Double.NaN).number("x", 0, -Double.MAX_VALUE, Double.MAX_VALUE));
        assertEquals(0.5, p("x", 0.5).number("x", 1, v -> v > 0, "> 0"), 0.0);
        fails("diagnostics.d.x must be a finite number > 0, got 0", () -> p("x", 0).number("x", 1, v -> v > 0, "> 0"));
        fails("diagnostics.d.x must be a finite number > 0, got 'NaN'",
                () -> p("x", "NaN").number("x", 1, v -> v > 0, "> 0"));
    }

    @Test
    void booleans() {
        assertTrue(p("b", true).bool("b", false));
        assertFalse(p("b", " FALSE ").bool("b", true));
        assertTrue(p("b", "True").bool("b", false));
        assertTrue(p().bool("b", true));
        fails("diagnostics.d.b must be true or false, got 'yes'", () -> p("b", "yes").bool("b", false));
        fails("diagnostics.d.b must be true or false, got 1", () -> p("b", 1).bool("b", false));
    }

    @Test
    void choicesMatchAnyCaseAndReturnTheAllowedSpelling() {
        List<String> allowed = List.of("auto", "first_n", "1");
        assertEquals("first_n", p("s", " First_N ").choice("s", "auto", allowed));
        assertEquals("1", p("s", 1).choice("s", "auto", allowed));
        assertEquals("auto", p().choice("s", "auto", allowed));
        assertNull(p().choice("s", null, allowed));
        fails("diagnostics.d.s must be one of auto, first_n, 1, got 'half'", () -> p("s", "half").choice("s", "auto",
                allowed));
        fails("diagnostics.d.s must be one of auto, first_n, 1, got [auto]",
                () -> p("s", List.of("auto")).choice("s", "auto", allowed));
    }

    @Test
    void strings() {
        assertEquals("W", p("w", "W").string("w", "U"));
        assertEquals("U", p().string("w", "U"));
        fails("diagnostics.d.w must be a non-empty string, got ''", () -> p("w", "").string("w", "U"));
        fails("diagnostics.d.w must be a non-empty string, got ' '", () -> p("w", " ").string("w", "U"));
        fails("diagnostics.d.w must be a non-empty string, got 3", () -> p("w", 3).string("w", "U"));

        assertEquals(List.of("U", "W"), p("b", List.of("U", "W")).strings("b", List.of()));
        assertEquals(List.of("W"), p("b", "W").strings("b", List.of()), "one string is a one-element list");
        assertEquals(List.of(), p("b", List.of()).strings("b", List.of("x")));
        assertEquals(List.of("A"), p("b", new String[] {"A"}).strings("b", List.of()));
        List<String> def = List.of("d");
        assertSame(def, p().strings("b", def));
        fails("diagnostics.d.b must be a list of non-empty strings, got [W, 1]",
                () -> p("b", List.of("W", 1)).strings("b", List.of()));
        fails("diagnostics.d.b must be a list of non-empty strings, got [W, ]",
                () -> p("b", new String[] {"W", ""}).strings("b", List.of()));
        fails("diagnostics.d.b must be a list of non-empty strings, got true", () -> p("b", true).strings("b", List.of()));
    }

    @Test
    void integerLists() {
        assertArrayEquals(new int[] {1, 3, 5}, p("s", List.of(1, 3L, 5.0)).integers("s", null, 1, 100));
        assertArrayEquals(new int[] {2, 4}, p("s", new int[] {2, 4}).integers("s", null, 1, 100));
        assertArrayEquals(new int[] {7}, p("s", 7).integers("s", null, 1, 100), "one integer is a one-element list");
        assertArrayEquals(new int[] {7}, p("s", List.of("7")).integers("s", null, 1, 100));
        assertArrayEquals(new int[0], p("s", List.of()).integers("s", null, 1, 100));
        int[] def = {1};
        assertSame(def, p().integers("s", def, 1, 100));
        fails("diagnostics.d.s must be a list of integers >= 1, got [1, 0]",
                () -> p("s", List.of(1, 0)).integers("s", null, 1, Integer.MAX_VALUE));
        fails("diagnostics.d.s must be a list of integers in [1, 3], got [1, 2.5]",
                () -> p("s", List.of(1, 2.5)).integers("s", null, 1, 3));
        fails("diagnostics.d.s must be a list of integers, got 'x'",
                () -> p("s", "x").integers("s", null, Integer.MIN_VALUE, Integer.MAX_VALUE));
        fails("diagnostics.d.s must be a list of integers, got true",
                () -> p("s", true).integers("s", null, Integer.MIN_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void vectorsAndMatrices() {
        assertArrayEquals(new double[] {1, -2.5, 0.001}, p("v", List.of(1, -2.5, "1e-3")).vector("v", null));
        assertArrayEquals(new double[] {4}, p("v", 4).vector("v", null));
        assertArrayEquals(new double[] {1, 2}, p("v", new double[] {1, 2}).vector("v", null));
        assertNull(p().vector("v", null));
        String v = "diagnostics.d.v must be a non-empty list of finite numbers, got ";
        fails(v + "[]", () -> p("v", List.of()).vector("v", null));
        fails(v + "[1.0, NaN]", () -> p("v", List.of(1.0, Double.NaN)).vector("v", null));
        fails(v + "[a]", () -> p("v", List.of("a")).vector("v", null));
        fails(v + "true", () -> p("v", true).vector("v", null));

        double[][] m = p("m", List.of(List.of(1, 2), List.of(3.5, "4"))).matrix("m", null);
        assertArrayEquals(new double[] {1, 2}, m[0]);
        assertArrayEquals(new double[] {3.5, 4}, m[1]);
        assertArrayEquals(new double[] {5, 6}, p("m", new double[][] {{5, 6}}).matrix("m", null)[0]);
        assertNull(p().matrix("m", null));
        String mm = "diagnostics.d.m must be a non-empty list of equally long, non-empty rows of finite numbers, got ";
        fails(mm + "[[1, 2], [3]]", () -> p("m", List.of(List.of(1, 2), List.of(3))).matrix("m", null));
        fails(mm + "[]", () -> p("m", List.of()).matrix("m", null));
        fails(mm + "[[]]", () -> p("m", List.of(List.of())).matrix("m", null));
        fails(mm + "[1, 2]", () -> p("m", List.of(1, 2)).matrix("m", null));
        fails(mm + "[[1.0, Infinity]]", () -> p("m", List.of(List.of(1.0, Double.POSITIVE_INFINITY))).matrix("m", null));
    }

    @Test
    void conversions() {
        assertEquals(5L, DiagnosticParams.asInteger(5));
        assertEquals(5L, DiagnosticParams.asInteger((short) 5));
        assertEquals(5L, DiagnosticParams.asInteger(5.0f));
        assertEquals(1L << 53, DiagnosticParams.asInteger(0x1p53));
        assertNull(DiagnosticParams.asInteger(0x1p53 + 2), "beyond 2^53 a double is not taken as an exact integer");
        assertEquals(1L << 60, DiagnosticParams.asInteger(1L << 60));
        assertNull(DiagnosticParams.asInteger(Double.POSITIVE_INFINITY));
        assertNull(DiagnosticParams.asInteger("0.5"));
        assertNull(DiagnosticParams.asInteger(null));
        assertEquals(-0.25, DiagnosticParams.asNumber(" -0.25 "));
        assertNull(DiagnosticParams.asNumber("1,5"));
        assertNull(DiagnosticParams.asNumber(List.of(1)));
    }

    // ------------------------------------------------------------------ the domain readers built on it

    @Test
    void subsetPolicies() {
        assertEquals(Subset.auto(), Subset.read(p()));
        assertEquals(Subset.firstN(Subset.FIRST_N_DEFAULT), Subset.read(p("subset", "first_n")));
        assertEquals(Subset.randomN(Subset.RANDOM_N_DEFAULT), Subset.read(p("subset", "RANDOM_N")));
        assertEquals(Subset.randomN(7), Subset.read(p("subset", "random_n", "subset_size", 7)));
        fails("diagnostics.d.subset_size is only used with subset first_n or random_n, not 'all'",
                () -> Subset.read(p("subset", "all", "subset_size", 3)));
        fails("diagnostics.d.subset_size must be an integer >= 1, got 0",
                () -> Subset.read(p("subset", "first_n", "subset_size", 0)));
        assertEquals(List.of("k", "subset", "subset_size"), Subset.withKeys("k"));
        Subset.checkNamed("d", "all", 0);
        fails("diagnostics.d.subset must be one of all, first_n, random_n, got 'auto'",
                () -> Subset.checkNamed("d", "auto", 5));
        fails("diagnostics.d.subset_size must be >= 1 for subset first_n, got 0",
                () -> Subset.checkNamed("d", "first_n", 0));
    }

    @Test
    void layersCountsAndEntries() {
        ActivationDensity.Layers last = ActivationDensity.Layers.LAST;
        assertSame(last, ActivationDensity.Layers.read(p(), "layers", last));
        assertSame(ActivationDensity.Layers.ALL, ActivationDensity.Layers.read(p("layers", " All "), "layers", last));
        assertSame(last, ActivationDensity.Layers.read(p("layers", "last"), "layers", ActivationDensity.Layers.ALL));
        assertEquals(ActivationDensity.Layers.of(2), ActivationDensity.Layers.read(p("layers", "2"), "layers", last));
        assertEquals(ActivationDensity.Layers.of(3, 1),
                ActivationDensity.Layers.read(p("layers", List.of(3, 1.0)), "layers", last));
        String layers = "diagnostics.d.layers must be \"last\", \"all\", a hidden-layer index >= 1 or a list of them, got ";
        fails(layers + "0", () -> ActivationDensity.Layers.read(p("layers", 0), "layers", last));
        fails(layers + "[]", () -> ActivationDensity.Layers.read(p("layers", List.of()), "layers", last));
        fails(layers + "'first'", () -> ActivationDensity.Layers.read(p("layers", "first"), "layers", last));

        assertEquals(FeatureRanks.NUM_PARAMS, FeatureRanks.readCount(p("c", "num_params"), "c", 0));
        assertEquals(0, FeatureRanks.readCount(p("c", 0), "c", 5));
        assertEquals(5, FeatureRanks.readCount(p(), "c", 5));
        fails("diagnostics.d.c must be an integer >= 0 (0 = all) or \"num_params\", got 'all'",
                () -> FeatureRanks.readCount(p("c", "all"), "c", 0));
        fails("diagnostics.d.c must be an integer >= 0 (0 = all) or \"num_params\", got -1",
                () -> FeatureRanks.readCount(p("c", -1), "c", 0));

        int[][] e = LinearNetSymmetry.readEntries(p("m", List.of(List.of(0, 1), List.of(2.0, "3"))), "m");
        assertArrayEquals(new int[] {0, 1}, e[0]);
        assertArrayEquals(new int[] {2, 3}, e[1]);
        assertNull(LinearNetSymmetry.readEntries(p(), "m"));
        String pairs = "diagnostics.d.m must be a list of [i, j] pairs of indices >= 0, got ";
        fails(pairs + "[[0, -1]]", () -> LinearNetSymmetry.readEntries(p("m", List.of(List.of(0, -1))), "m"));
        fails(pairs + "[[0, 1, 2]]", () -> LinearNetSymmetry.readEntries(p("m", List.of(List.of(0, 1, 2))), "m"));
        fails(pairs + "[0, 1]", () -> LinearNetSymmetry.readEntries(p("m", List.of(0, 1)), "m"));
        fails(pairs + "'0,1'", () -> LinearNetSymmetry.readEntries(p("m", "0,1"), "m"));
    }
}
