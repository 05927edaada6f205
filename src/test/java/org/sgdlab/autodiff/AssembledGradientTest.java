package org.sgdlab.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

/**
 * A detached backward pass assembles the gradient of a sliced parameter vector in one array, with
 * products written straight into their slices' regions. The oracle: the same pass recording its
 * graph, which joins the slices' cotangents by concatenation (or the padding rule); the two must
 * agree bit for bit, on the planned pattern and on every shape that falls back.
 */
class AssembledGradientTest {

    private static final SplittableRandom RNG = new SplittableRandom(21);

    private static long[] bits(Tensor t) {
        return Arrays.stream(t.toArray()).mapToLong(Double::doubleToRawLongBits).toArray();
    }

    /** Gradient of {@code f} at {@code theta}: detached (assembled) against recorded (concatenated). */
    private static void sameBits(String what, Function<Tensor, Tensor> f, Tensor theta) {
        Tensor v = Tensor.variable(theta);
        Tensor y = f.apply(v);
        Tensor detached = Backprop.backward(y, Tensor.ones(y.shape()), new Tensor[] {v}, false)[0];
        Tensor recorded = Backprop.backward(y, Tensor.ones(y.shape()), new Tensor[] {v}, true)[0];
        assertArrayEquals(theta.shape(), detached.shape(), what);
        assertArrayEquals(bits(recorded), bits(detached), what);
        assertTrue(detached.norm() > 0, what + ": gradient is zero, the case tests nothing");
        // the public transform takes the detached path
        assertArrayEquals(bits(recorded), bits(Autodiff.grad(f, theta)), what + " (Autodiff.grad)");
    }

    /** Layer {@code [offset, offset + out*in + out)} of theta as Serial and Dense cut it: a slice, then weight and bias. */
    private static Tensor dense(Tensor theta, int offset, int in, int out, Tensor h) {
        Tensor layer = theta.slice(0, offset, offset + out * in + out);
        Tensor w = layer.slice(0, 0, out * in).reshape(out, in);
        Tensor b = layer.slice(0, out * in, out * in + out);
        return h.matmul(w, false, true).add(b);                      // [N, in] @ [out, in]^T + [out]
    }

    @Test
    void nestedSlicesOfAnMlpWithAnUnreadGap() {
        // 12 -> 40 -> 3, batch 9, then 5 parameters nothing reads (their gradient is zero)
        int n1 = 40 * 12 + 40;
        int n2 = 3 * 40 + 3;
        Tensor x = Tensor.randn(RNG, 9, 12);
        Tensor t = Tensor.randn(RNG, 9, 3);
        Function<Tensor, Tensor> f = th -> dense(th, n1, 40, 3, dense(th, 0, 12, 40, x).tanh()).sub(t).square().sum();
        sameBits("mlp", f, Tensor.randn(RNG, n1 + n2 + 5).mul(0.3));
        // large enough for the native BLAS (products above 4096 multiply-adds)
        Tensor xb = Tensor.randn(RNG, 32, 50);
        Tensor tb = Tensor.randn(RNG, 32, 1);
        int m1 = 256 * 50 + 256;
        Function<Tensor, Tensor> g = th -> dense(th, m1, 256, 1, dense(th, 0, 50, 256, xb).tanh()).sub(tb).square().sum();
        sameBits("mlp 50-256-1", g, Tensor.randn(RNG, m1 + 257).mul(0.1));
    }

    @Test
    void fallbacksGiveTheSameBits() {
        Tensor x = Tensor.randn(RNG, 7, 6);
        int nw = 5 * 6;
        // theta also read whole (weight decay): no assembly
        sameBits("decay", th -> x.matmul(th.slice(0, 0, nw).reshape(5, 6), false, true).tanh().sum()
                .add(th.square().sum().mul(0.01)), Tensor.randn(RNG, nw + 4));
        // one weight read by two products: its region is copied, not written by either product
        sameBits("tied", th -> {
            Tensor w = th.slice(0, 0, 36).reshape(6, 6);
            return x.matmul(w).tanh().matmul(w, false, true).sum();
        }, Tensor.randn(RNG, 40));
        // overlapping slices: the padding rule
        sameBits("overlap", th -> th.slice(0, 0, 10).square().sum().add(th.slice(0, 5, 15).tanh().sum()),
                Tensor.randn(RNG, 15));
        // slices along axis 1 of a matrix parameter
        sameBits("axis 1", th -> x.matmul(th.slice(1, 0, 2)).tanh().sum().add(th.slice(1, 2, 4).square().sum()),
                Tensor.randn(RNG, 6, 4));
        // a batched product (rank-3 input): the rule's own product, then copied
        Tensor xs = Tensor.randn(RNG, 2, 7, 6);
        sameBits("batched", th -> xs.matmul(th.slice(0, 0, nw).reshape(5, 6), false, true).tanh().sum()
                .add(th.slice(0, nw, nw + 5).square().sum()), Tensor.randn(RNG, nw + 5));
    }

    @Test
    void productsOnEitherSideAndTransposedAndWithoutReshape() {
        Tensor x = Tensor.randn(RNG, 8, 6);
        int nw = 4 * 8;
        // the weight as the left operand: W [4, 8] @ x [8, 6]
        sameBits("left", th -> th.slice(0, 0, nw).reshape(4, 8).matmul(x).tanh().sum()
                .add(th.slice(0, nw, nw + 3).square().sum()), Tensor.randn(RNG, nw + 3));
        // transposed on both sides: W^T [8, 4]^T ... x^T
        sameBits("transposed", th -> th.slice(0, 0, nw).reshape(8, 4).matmul(x, true, false).tanh().sum()
                .add(th.slice(0, nw, nw + 2).sum()), Tensor.randn(RNG, nw + 2));
        // a matrix parameter cut into row blocks that are read directly
        sameBits("row blocks", th -> x.matmul(th.slice(0, 0, 6)).tanh().matmul(th.slice(0, 6, 11)).square().sum(),
                Tensor.randn(RNG, 11, 5));
    }
}
