package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Results on inputs large enough for the parallel paths (> 2^16 elements) are bitwise identical
 * when repeated, also on fresh copies of the inputs (different arrays, possibly different
 * alignment), so runs are reproducible.
 */
class DeterminismTest {

    static final int REPEATS = 3;

    static String bits(double[] v) {
        long h = 1;
        for (double d : v) {
            h = 31 * h + Double.doubleToRawLongBits(d);
        }
        return Long.toHexString(h) + "/" + v.length;
    }

    /** Evaluates {@code f} on {@code REPEATS} fresh copies of {@code x}; all results must be bitwise equal. */
    static void repeatable(String what, Tensor x, Function<Tensor, Tensor> f) {
        double[] first = f.apply(x).toArray();
        for (int r = 0; r < REPEATS; r++) {
            Tensor copy = Tensor.of(x.toArray(), x.shape());
            double[] again = f.apply(copy).toArray();
            assertEquals(first.length, again.length, what);
            for (int i = 0; i < first.length; i++) {
                if (Double.doubleToRawLongBits(first[i]) != Double.doubleToRawLongBits(again[i])) {
                    throw new AssertionError(what + ": repeat " + r + " differs at " + i + ": " + first[i] + " vs "
                            + again[i]);
                }
            }
        }
    }

    static void repeatableScalar(String what, Supplier<Double> f) {
        double first = f.get();
        for (int r = 0; r < REPEATS; r++) {
            assertEquals(Double.doubleToRawLongBits(first), Double.doubleToRawLongBits(f.get()), what);
        }
    }

    @Test
    void reductionsAreBitwiseRepeatable() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor v = Ref.randn(rng, 300_007);
        repeatable("sum() of 300007", v, Tensor::sum);
        repeatable("mean() of 300007", v, Tensor::mean);
        repeatable("max() of 300007", v, Tensor::max);
        Tensor m = Ref.randn(rng, 700, 500);
        for (int[] axes : List.of(new int[] {0}, new int[] {1}, new int[] {0, 1}, new int[0])) {
            repeatable("sum " + Ref.str(axes) + " of [700, 500]", m, t -> t.sum(axes, false));
            repeatable("max " + Ref.str(axes) + " of [700, 500]", m, t -> t.max(axes, true));
        }
        Tensor t3 = Ref.randn(rng, 3, 300, 250);
        for (int[] axes : List.of(new int[] {0}, new int[] {1}, new int[] {2}, new int[] {0, 2})) {
            repeatable("sum " + Ref.str(axes) + " of [3, 300, 250]", t3, t -> t.sum(axes, false));
        }
        repeatable("logSumExp of [700, 500]", m, t -> t.logSumExp(1, false));
        Tensor w = Ref.randn(rng, 300_007);
        repeatableScalar("dotValue", () -> Tensor.of(v.toArray(), 300_007).dotValue(Tensor.of(w.toArray(), 300_007)));
        repeatableScalar("norm", () -> Tensor.of(v.toArray(), 300_007).norm());
        repeatable("dot", v, t -> t.dot(w));
        // the same sum through an axes form and the all-axes form agree bitwise
        assertEquals(Double.doubleToRawLongBits(v.sum().item()),
                Double.doubleToRawLongBits(v.sum(new int[] {0}, false).item()), "sum() vs sum(0)");
    }

    @Test
    void productsAreBitwiseRepeatable() {
        SplittableRandom rng = new SplittableRandom(2);
        Tensor a = Ref.randn(rng, 300, 280);
        Tensor b = Ref.randn(rng, 280, 260);
        repeatable("matmul [300, 280] @ [280, 260]", a, t -> t.matmul(b));
        repeatable("matmul^T", a, t -> t.matmul(a, true, false));
        Tensor batched = Ref.randn(rng, 6, 120, 100);
        Tensor rhs = Ref.randn(rng, 6, 100, 90);
        repeatable("batched matmul", batched, t -> t.matmul(rhs));
        repeatable("batched @ 2-D", batched, t -> t.matmul(b.slice(0, 0, 100)));
        double[] c1 = new double[300 * 260];
        double[] c2 = new double[300 * 260];
        JavaBlas jb = new JavaBlas();
        jb.dgemm(false, false, 300, 260, 280, 1.0, a.toArray(), 0, 280, b.toArray(), 0, 260, 0.0, c1, 0, 260);
        jb.dgemm(false, false, 300, 260, 280, 1.0, a.toArray(), 0, 280, b.toArray(), 0, 260, 0.0, c2, 0, 260);
        assertEquals(bits(c1), bits(c2), "JavaBlas dgemm");
    }

    @Test
    void elementwiseAndWindowsAreBitwiseRepeatable() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor x = Ref.randn(rng, 400, 300);
        Tensor row = Ref.randn(rng, 300);
        repeatable("broadcast add", x, t -> t.add(row));
        repeatable("tanh", x, Tensor::tanh);
        repeatable("erf", x, Tensor::erf);
        repeatable("permute", x, t -> t.transpose());
        Tensor img = Ref.randn(rng, 8, 4, 24, 24);
        Tensor w = Ref.randn(rng, 8, 4, 3, 3);
        repeatable("conv2d", img, t -> t.conv2d(w, 1, 1));
        repeatable("unfold", img, t -> t.unfold(3, 3, 1, 1, 1, 1));
        repeatable("maxPool2d", img, t -> t.maxPool2d(2, 2));
        repeatable("avgPool2d", img, t -> t.avgPool2d(3, 1, 1));
    }
}
