package org.sgdlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Tensor;

class LayoutTest {

    private static final Layout L = Layout.builder().add("w", 2, 3).add("b", 2).add("c", 1, 2, 2).build();

    @Test
    void offsetsAndSizesTileTheVector() {
        assertEquals(12, L.size());
        assertEquals(List.of("w", "b", "c"), L.names());
        assertEquals(0, L.block("w").offset());
        assertEquals(6, L.block("w").size());
        assertEquals(6, L.block("b").offset());
        assertEquals(8, L.block("c").offset());
        assertEquals(12, L.block("c").end());
        assertArrayEquals(new int[] {1, 2, 2}, L.block("c").shape());
        assertTrue(L.contains("b"));
        assertFalse(L.contains("x"));
        assertEquals(0, Layout.empty().size());
    }

    @Test
    void viewIsTheSliceReshaped() {
        Tensor theta = Tensor.arange(12);
        Tensor w = L.view(theta, "w");
        assertArrayEquals(new int[] {2, 3}, w.shape());
        assertEquals(4.0, w.get(1, 1));               // offset 0 + 1*3 + 1
        Tensor c = L.view(theta, "c");
        assertEquals(11.0, c.get(0, 1, 1));           // offset 8 + 3
        assertArrayEquals(new double[] {6, 7}, L.view(theta, "b").toArray());
    }

    @Test
    void flattenInvertsUnflatten() {
        Tensor theta = Tensor.randn(new SplittableRandom(1), 12);
        LinkedHashMap<String, Tensor> parts = L.unflatten(theta);
        assertEquals(List.of("w", "b", "c"), List.copyOf(parts.keySet()));
        assertArrayEquals(theta.toArray(), L.flatten(parts).toArray());
        // the map's order does not matter
        Map<String, Tensor> shuffled = new LinkedHashMap<>();
        shuffled.put("c", parts.get("c"));
        shuffled.put("w", parts.get("w"));
        shuffled.put("b", parts.get("b"));
        assertArrayEquals(theta.toArray(), L.flatten(shuffled).toArray());
    }

    @Test
    void gradientFlowsThroughViews() {
        // f(theta) = sum(w^2) + 3 sum(c): grad = 2 theta on w, 0 on b, 3 on c
        Tensor theta = Tensor.randn(new SplittableRandom(2), 12);
        Tensor g = Autodiff.grad(t -> L.view(t, "w").square().sum().add(L.view(t, "c").sum().mul(3.0)), theta);
        double[] expect = new double[12];
        for (int i = 0; i < 6; i++) {
            expect[i] = 2 * theta.flat(i);
        }
        for (int i = 8; i < 12; i++) {
            expect[i] = 3;
        }
        assertArrayEquals(expect, g.toArray(), 1e-15);
    }

    @Test
    void unknownNamesListTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> L.block("weight"));
        assertTrue(e.getMessage().contains("unknown block 'weight'"), e.getMessage());
        assertTrue(e.getMessage().contains("known: w, b, c"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> L.view(Tensor.zeros(12), "bias"));
    }

    @Test
    void sizeMismatchesAreReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> L.view(Tensor.zeros(11), "w"));
        assertTrue(e.getMessage().contains("[11]") && e.getMessage().contains("[12]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> L.unflatten(Tensor.zeros(3, 4)));
    }

    @Test
    void flattenChecksNamesAndShapes() {
        Map<String, Tensor> parts = new LinkedHashMap<>(L.unflatten(Tensor.zeros(12)));
        parts.remove("b");
        parts.put("bias", Tensor.zeros(2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> L.flatten(parts));
        assertTrue(e.getMessage().contains("missing: b") && e.getMessage().contains("unknown: bias"), e.getMessage());
        Map<String, Tensor> wrong = new LinkedHashMap<>(L.unflatten(Tensor.zeros(12)));
        wrong.put("w", Tensor.zeros(3, 2));
        e = assertThrows(IllegalArgumentException.class, () -> L.flatten(wrong));
        assertTrue(e.getMessage().contains("'w' has shape [3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void badBlocksAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Layout.builder().add("a", 2).add("a", 3));
        assertThrows(IllegalArgumentException.class, () -> Layout.builder().add("", 2));
        assertThrows(IllegalArgumentException.class, () -> Layout.builder().add("a", 0));
        assertThrows(IllegalArgumentException.class, () -> Layout.concat(Layout.of("a", 2), Layout.of("a", 1)));
    }

    @Test
    void concatShiftsOffsetsAndPrefixesName() {
        Layout a = Layout.builder().add("weight", 3, 2).add("bias", 3).build();
        Layout b = Layout.of("weight", 1, 3);
        Layout c = Layout.concat(a.prefixed("0"), b.prefixed("2"));
        assertEquals(List.of("0.weight", "0.bias", "2.weight"), c.names());
        assertEquals(9, c.block("2.weight").offset());
        assertEquals(12, c.size());
        assertEquals(c, Layout.builder().add("0.weight", 3, 2).add("0.bias", 3).add("2.weight", 1, 3).build());
        assertNotEquals(c, a);
    }

    @Test
    void serialNamesFollowSequentialIndices() {
        Serial s = Serial.of(Dense.of(4, 3), Activation.TANH, Dense.of(3, 2).withoutBias(),
                Serial.of(Dense.of(2, 2), Activation.RELU));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "3.0.weight", "3.0.bias"), s.layout().names());
        assertEquals(4 * 3 + 3 + 3 * 2 + 2 * 2 + 2, s.numParams());
    }
}
