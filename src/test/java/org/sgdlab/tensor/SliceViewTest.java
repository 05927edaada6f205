package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Contiguous slices that hold a large part of their tensor are views (no copy): the oracle for
 * every value is the same slice taken from a copy of the parent, which is always copied.
 */
class SliceViewTest {

    private static final SplittableRandom RNG = new SplittableRandom(7);

    /** A copy of {@code x[start:stop]} along axis 0 built by hand, never a view. */
    private static double[] expected(Tensor x, int start, int stop) {
        int inner = x.size() / x.dim(0);
        double[] all = x.toArray();
        double[] out = new double[(stop - start) * inner];
        System.arraycopy(all, start * inner, out, 0, out.length);
        return out;
    }

    private static void same(String what, Tensor want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape(), what + ": shape");
        assertArrayEquals(want.toArray(), got.toArray(), what + ": values (bit for bit)");
    }

    @Test
    void largeContiguousSlicesAreViewsWithTheRightValues() {
        Tensor theta = Ref.randn(RNG, 1000);
        Tensor w = theta.slice(0, 100, 900);
        assertTrue(w.isView());
        assertArrayEquals(expected(theta, 100, 900), w.toArray());
        assertEquals(theta.flat(100), w.flat(0));
        assertEquals(theta.flat(899), w.flat(799));
        Tensor m = w.reshape(40, 20);
        assertTrue(m.isView());
        assertEquals(theta.flat(100 + 3 * 20 + 7), m.get(3, 7));
        // a view of a view points into the first array
        Tensor inner = m.slice(0, 10, 30);
        assertTrue(inner.isView());
        assertArrayEquals(expected(theta, 100 + 200, 100 + 600), inner.toArray());
        assertEquals(theta.flat(100 + 200), inner.slice(0, 0, 1).slice(1, 0, 1).item());
    }

    @Test
    void smallOrStridedSlicesAreCopies() {
        Tensor theta = Ref.randn(RNG, 1000);
        assertFalse(theta.slice(0, 0, 100).isView(), "1/10 of the values: a copy, so it keeps no large array alive");
        assertTrue(theta.slice(0, 0, 125).isView());
        Tensor m = Ref.randn(RNG, 30, 40);
        Tensor cols = m.slice(1, 5, 35);
        assertFalse(cols.isView(), "a slice of columns is not contiguous");
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 30; j++) {
                assertEquals(m.get(i, 5 + j), cols.get(i, j));
            }
        }
        Tensor rows = Ref.randn(RNG, 2, 30, 4).slice(1, 3, 28);
        assertFalse(rows.isView(), "axis 1 with a leading axis of 2 is not contiguous");
    }

    @Test
    void smallSlicesAndConcatenationsOfAViewReadItsArrayWithoutCopyingTheWholeView() {
        Tensor theta = Ref.randn(RNG, 1000);
        Tensor layer = theta.slice(0, 200, 700);                // a view, like one layer's parameters
        Tensor bias = layer.slice(0, 480, 500);                 // 20 values: a copy
        assertFalse(bias.isView());
        assertArrayEquals(expected(theta, 680, 700), bias.toArray());
        Tensor m = layer.reshape(25, 20);
        Tensor cols = m.slice(1, 5, 15);                        // strided: 25 blocks of 10
        for (int i = 0; i < 25; i++) {
            for (int j = 0; j < 10; j++) {
                assertEquals(theta.flat(200 + i * 20 + 5 + j), cols.get(i, j));
            }
        }
        Tensor other = theta.slice(0, 0, 300);
        Tensor joined = Tensor.concat(0, other, layer);
        double[] want = new double[800];
        System.arraycopy(theta.toArray(), 0, want, 0, 300);
        System.arraycopy(theta.toArray(), 200, want, 300, 500);
        assertArrayEquals(want, joined.toArray());
        assertTrue(layer.isView() && m.isView() && other.isView(), "slicing or joining did not copy the whole view");
    }

    @Test
    void everyOperationOnAViewMatchesTheSameOperationOnACopy() {
        Tensor theta = Ref.randn(RNG, 3 * 64 + 64 + 17);
        Tensor w = theta.slice(0, 17, 17 + 3 * 64).reshape(3, 64);
        Tensor c = Tensor.of(w.toArray(), 3, 64);
        assertTrue(w.isView());
        Tensor b = Ref.randn(RNG, 64);
        same("add", c.add(b), w.add(b));
        same("tanh", c.tanh(), w.tanh());
        same("sum axis 1", c.sum(new int[] {1}, false), w.sum(new int[] {1}, false));
        same("permute", c.transpose(), w.transpose());
        same("addScaled", c.addScaled(c, -0.5), w.addScaled(w, -0.5));
        assertEquals(c.dot(c).item(), w.dot(w).item());
        assertArrayEquals(c.argmaxRows(), w.argmaxRows());
        assertEquals(c.toString(), w.toString());
    }

    @Test
    void matrixProductsReadViewsInPlaceAndGiveTheBitsOfCopies() {
        Tensor theta = Ref.randn(RNG, 11 + 48 * 40 + 40 * 30);
        Tensor a = theta.slice(0, 11, 11 + 48 * 40).reshape(48, 40);
        Tensor b = theta.slice(0, 11 + 48 * 40, theta.size()).reshape(40, 30);
        Tensor ac = Tensor.of(a.toArray(), 48, 40);
        Tensor bc = Tensor.of(b.toArray(), 40, 30);
        Tensor x = Ref.randn(RNG, 48, 30);
        Tensor small = Ref.randn(RNG, 5, 40);
        assertTrue(a.isView() && b.isView());
        same("a @ b", ac.matmul(bc), a.matmul(b));
        same("a^T @ x", ac.matmul(x, true, false), a.matmul(x, true, false));
        same("x @ b^T", x.matmul(bc, false, true), x.matmul(b, false, true));
        same("small @ a^T (plain-Java product)", small.matmul(ac, false, true),
                small.matmul(a, false, true));
        Tensor batched = theta.slice(0, 11, 11 + 48 * 40).reshape(2, 24, 40);
        same("batched @ b", Tensor.of(batched.toArray(), 2, 24, 40).matmul(bc), batched.matmul(b));
        assertTrue(a.isView() && b.isView(), "matrix products do not copy their operands");
    }

    @Test
    void boundsAreCheckedOnTheViewNotTheArrayBehindIt() {
        Tensor w = Ref.randn(RNG, 100).slice(0, 10, 90);
        assertThrows(IndexOutOfBoundsException.class, () -> w.flat(80));
        assertThrows(IndexOutOfBoundsException.class, () -> w.flat(-1));
        assertThrows(IllegalArgumentException.class, () -> w.reshape(81));
    }

    @Test
    void concurrentFirstUseOfAViewGivesEqualValues() throws Exception {
        Tensor theta = Ref.randn(RNG, 100_000);
        double[] want = expected(theta, 1000, 99_000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 20; round++) {
                Tensor w = theta.slice(0, 1000, 99_000);
                List<Future<double[]>> got = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    got.add(pool.submit(() -> w.exp().log().toArray()));
                }
                double[] first = w.exp().log().toArray();
                for (Future<double[]> f : got) {
                    assertArrayEquals(first, f.get());
                }
                assertArrayEquals(want, w.toArray());
            }
        } finally {
            pool.shutdown();
        }
    }
}
