package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor.Assembly}: products written into a region have the bits of {@link Tensor#matmul},
 * copied parts and zero gaps give the tensor built by hand, views never change, and every misuse
 * (overlap, writing after the end, traced operands) is refused.
 */
class AssemblyTest {

    private static final SplittableRandom RNG = new SplittableRandom(11);

    private static long[] bits(Tensor t) {
        return Arrays.stream(t.toArray()).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    /** An operand of the given shape, sometimes a view into a larger tensor (offset != 0). */
    private static Tensor operand(boolean view, int... shape) {
        if (!view) {
            return Tensor.randn(RNG, shape);
        }
        int[] big = shape.clone();
        big[0] += 600;
        return Tensor.randn(RNG, big).slice(0, 300, 300 + shape[0]);
    }

    @Test
    void productsInARegionHaveTheBitsOfMatmul() {
        // {m, n, k}: plain-Java sizes (m n k <= 4096) and BLAS sizes, thin and square
        int[][] sizes = {{3, 4, 5}, {10, 1, 256}, {2, 50, 10}, {256, 50, 10}, {64, 96, 33}, {128, 8, 128}};
        for (int[] s : sizes) {
            int m = s[0];
            int n = s[1];
            int k = s[2];
            for (int t = 0; t < 8; t++) {
                boolean ta = (t & 1) != 0;
                boolean tb = (t & 2) != 0;
                boolean view = (t & 4) != 0;
                Tensor a = ta ? operand(view, k, m) : operand(view, m, k);
                Tensor b = tb ? operand(view, n, k) : operand(view, k, n);
                Tensor want = a.matmul(b, ta, tb);
                Tensor.Assembly asm = new Tensor.Assembly(m * n + 17);
                Tensor got = asm.matmul(7, a, b, ta, tb);
                String what = m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " view=" + view;
                assertArrayEquals(want.shape(), got.shape(), what);
                assertArrayEquals(bits(want), bits(got), what);
                Tensor all = asm.finish(new int[0], new Tensor[0]);
                double[] v = all.toArray();
                for (int i = 0; i < v.length; i++) {
                    double expect = i < 7 || i >= 7 + m * n ? 0.0 : want.toArray()[i - 7];
                    assertTrue(Double.doubleToRawLongBits(expect) == Double.doubleToRawLongBits(v[i]), what + " at " + i);
                }
            }
        }
    }

    @Test
    void nestedPartsGiveTheTensorBuiltByHand() {
        // [30] = layer A [0, 14) = {weight 3x4 at 0 (a product), bias [2] at 12}, gap [14, 20), layer B [20, 30)
        Tensor x = Tensor.randn(RNG, 5, 3);
        Tensor g = Tensor.randn(RNG, 5, 4);
        Tensor bias = Tensor.randn(RNG, 2);
        Tensor layerB = Tensor.randn(RNG, 10);
        Tensor.Assembly asm = new Tensor.Assembly(30);
        Tensor w = asm.matmul(0, x, g, true, false);                     // [3, 5] @ [5, 4] -> [3, 4]
        Tensor layerA = asm.part(0, new int[] {14}, new int[] {0, 12}, new Tensor[] {w.reshape(12), bias});
        Tensor all = asm.finish(new int[] {0, 20}, new Tensor[] {layerA, layerB});

        double[] want = new double[30];
        System.arraycopy(x.matmul(g, true, false).toArray(), 0, want, 0, 12);
        System.arraycopy(bias.toArray(), 0, want, 12, 2);
        System.arraycopy(layerB.toArray(), 0, want, 20, 10);
        assertArrayEquals(new int[] {30}, all.shape());
        assertArrayEquals(want, all.toArray(), 0.0);
        double[] a = new double[14];
        System.arraycopy(want, 0, a, 0, 14);
        assertArrayEquals(a, layerA.toArray(), 0.0, "a part keeps its values");
        assertArrayEquals(x.matmul(g, true, false).toArray(), w.toArray(), 0.0, "a product keeps its values");
        assertArrayEquals(new int[] {14}, layerA.shape());
    }

    @Test
    void viewsHandedOutNeverChange() {
        Tensor a = Tensor.randn(RNG, 4, 6);
        Tensor b = Tensor.randn(RNG, 6, 5);
        Tensor.Assembly asm = new Tensor.Assembly(60);
        Tensor first = asm.matmul(20, a, b, false, false);
        double[] before = first.toArray();
        asm.matmul(0, a, b, false, false);
        asm.matmul(40, a, b, false, false);
        asm.finish(new int[0], new Tensor[0]);
        assertArrayEquals(before, first.toArray(), 0.0);
    }

    @Test
    void misuseIsRefusedWithTheRegions() {
        Tensor a = Tensor.randn(RNG, 2, 3);
        Tensor b = Tensor.randn(RNG, 3, 2);
        Tensor.Assembly asm = new Tensor.Assembly(10);
        asm.matmul(2, a, b, false, false);                                // [2, 6)
        IllegalStateException overlap = assertThrows(IllegalStateException.class, () -> asm.matmul(4, a, b, false, false));
        assertTrue(overlap.getMessage().contains("[4, 8) overlaps [2, 6)"), overlap.getMessage());
        IllegalStateException copy = assertThrows(IllegalStateException.class,
                () -> asm.part(0, new int[] {6}, new int[] {5}, new Tensor[] {Tensor.zeros(1)}));
        assertTrue(copy.getMessage().contains("overlaps"), copy.getMessage());
        IllegalStateException cut = assertThrows(IllegalStateException.class,
                () -> asm.part(3, new int[] {4}, new int[0], new Tensor[0]));
        assertTrue(cut.getMessage().contains("[3, 7) cuts across [2, 6)"), cut.getMessage());
        IndexOutOfBoundsException outside = assertThrows(IndexOutOfBoundsException.class,
                () -> asm.part(6, new int[] {2}, new int[] {8}, new Tensor[] {Tensor.zeros(1)}));
        assertTrue(outside.getMessage().contains("part 0 at [8, 9) is outside its region [6, 8)"), outside.getMessage());
        IndexOutOfBoundsException out = assertThrows(IndexOutOfBoundsException.class, () -> asm.matmul(7, a, b, false, false));
        assertTrue(out.getMessage().contains("[7, 11) is outside the 10 values"), out.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> asm.finish(new int[] {0}, new Tensor[0]));
        assertTrue(count.getMessage().contains("1 offsets for 0 parts"), count.getMessage());
        IllegalArgumentException inner = assertThrows(IllegalArgumentException.class,
                () -> asm.matmul(8, a, a, false, false));
        assertTrue(inner.getMessage().contains("inner dimensions differ"), inner.getMessage());

        asm.finish(new int[] {0}, new Tensor[] {Tensor.ones(2)});
        IllegalStateException done = assertThrows(IllegalStateException.class, () -> asm.matmul(8, b, a, true, true));
        assertTrue(done.getMessage().contains("already finished"), done.getMessage());

        Tensor.Assembly fresh = new Tensor.Assembly(10);
        Tensor traced = Tensor.variable(a);
        IllegalArgumentException tr = assertThrows(IllegalArgumentException.class,
                () -> fresh.matmul(0, traced, b, false, false));
        assertTrue(tr.getMessage().contains("untraced"), tr.getMessage());
    }
}
