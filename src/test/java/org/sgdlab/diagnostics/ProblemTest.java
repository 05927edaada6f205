package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** Chunked full-batch loss, gradient and HVP equal the unchunked ones (Q5.1). */
class ProblemTest {

    @Test
    void chunkingIsExact() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 23;
        Tensor x = Tensor.randn(r, n, 5);
        int[] labels = r.ints(n, 0, 3).toArray();
        Dataset d = Dataset.classification("t", x, labels, 3);
        Mlp m = Mlp.of(Activation.of("tanh"), 5, 7, 3);
        Problem whole = new Problem(m, Losses.of("mse", MseConvention.HALF), d, null, 1000);
        Problem chunked = new Problem(m, Losses.of("mse", MseConvention.HALF), d, null, 4);
        assertEquals(6, chunked.chunks(d).size());
        Tensor th = m.init(r);
        Tensor v = Tensor.randn(r, th.size());
        assertEquals(whole.loss(th, d), chunked.loss(th, d), 1e-15 * whole.loss(th, d));
        Tensor g1 = whole.valueAndGrad(th, d).grad();
        Tensor g2 = chunked.valueAndGrad(th, d).grad();
        assertTrue(Checks.relErr(g1, g2) < 1e-12, "chunked gradient differs: " + Checks.relErr(g1, g2));
        Tensor h1 = whole.hvp(th, d, v);
        Tensor h2 = chunked.hvp(th, d, v);
        assertTrue(Checks.relErr(h1, h2) < 1e-12, "chunked HVP differs: " + Checks.relErr(h1, h2));
        // and the unchunked objective is the loss whose HVP autodiff computes directly
        Tensor h0 = Autodiff.hvp(t -> Losses.of("mse", MseConvention.HALF).mean(m.apply(t, x), d.y()), th, v);
        assertTrue(Checks.relErr(h0, h2) < 1e-12);
        assertTrue(Checks.relErr(whole.hessian(th, d).apply(v), h1) == 0.0);
    }

    @Test
    void accuracyIsComputedForLabelledData() {
        SplittableRandom r = new SplittableRandom(2);
        Tensor x = Tensor.randn(r, 10, 4);
        Dataset d = Dataset.classification("t", x, r.ints(10, 0, 2).toArray(), 2);
        Mlp m = Mlp.of(Activation.of("tanh"), 4, 2);
        Problem p = new Problem(m, Losses.of("cross-entropy"), d, null, 3);
        Tensor th = m.init(r);
        int[] pred = m.apply(th, x).argmaxRows();
        int right = 0;
        for (int i = 0; i < 10; i++) {
            right += pred[i] == d.label(i) ? 1 : 0;
        }
        assertEquals(right / 10.0, p.evaluate(th, d).accuracy(), 1e-15);
    }

    /** One forward pass for evaluate + valueAndGrad gives the bits of the two calls (full-batch GD uses it). */
    @Test
    void evaluateAndGradHasTheBitsOfTheSeparateCalls() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 37;
        Tensor x = Tensor.randn(r, n, 6);
        Dataset cls = Dataset.classification("c", x, r.ints(n, 0, 4).toArray(), 4);
        Dataset reg = Dataset.regression("r", x, Tensor.randn(r, n, 1));
        for (Dataset d : new Dataset[] {cls, reg}) {
            for (String lossName : d == cls ? new String[] {"mse", "cross-entropy"} : new String[] {"mse"}) {
                Mlp m = Mlp.of(Activation.of("tanh"), 6, 9, d.y().dim(1));
                Problem p = new Problem(m, lossName.equals("mse") ? Losses.of("mse", MseConvention.HALF)
                        : Losses.of(lossName), d, null, 1000);
                Tensor th = m.init(r);
                for (int k = 0; k < 5; k++) {
                    Problem.EvalAndGrad eg = p.evaluateAndGrad(th, d);
                    Problem.Eval e = p.evaluate(th, d);
                    Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(p.objective(d.batch(java.util.stream.IntStream.range(0, n).toArray())), th);
                    String what = d.name() + " " + lossName + " step " + k;
                    assertEquals(Double.doubleToLongBits(e.loss()), Double.doubleToLongBits(eg.eval().loss()), what);
                    assertEquals(Double.doubleToLongBits(e.accuracy()), Double.doubleToLongBits(eg.eval().accuracy()), what);
                    assertEquals(Double.doubleToLongBits(vg.loss()), Double.doubleToLongBits(eg.valueAndGrad().loss()), what);
                    assertArrayEquals(vg.grad().toArray(), eg.valueAndGrad().grad().toArray(), 0.0, what);
                    th = th.addScaled(vg.grad(), -0.5);
                }
            }
        }
        Problem small = new Problem(Mlp.of(Activation.of("tanh"), 6, 2), Losses.of("cross-entropy"), cls, null, 10);
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> small.evaluateAndGrad(Tensor.zeros(26), cls));
        assertTrue(ex.getMessage().contains("more than one chunk"), ex.getMessage());
    }
}
