package org.sgdlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

class LossTest {

    private static final Tensor F = Tensor.matrix(new double[][] {{1, 2}, {3, 4}});
    private static final Tensor Y = Tensor.matrix(new double[][] {{0, 2}, {1, 1}});

    // ------------------------------------------------------------------ squared

    @Test
    void squaredLossHandExample() {
        // residuals (1, 0) and (2, 3): ||r_1||^2 = 1, ||r_2||^2 = 13
        Loss plain = Losses.squared(MseConvention.PLAIN);
        Loss half = Losses.squared(MseConvention.HALF);
        assertArrayEquals(new double[] {1, 13}, plain.perExample(F, Y).toArray());
        assertArrayEquals(new double[] {0.5, 6.5}, half.perExample(F, Y).toArray());
        assertEquals(7.0, plain.mean(F, Y).item());
        assertEquals(3.5, half.mean(F, Y).item());
        // scalar outputs with a [n] target
        Tensor f = Tensor.matrix(new double[][] {{1}, {-2}, {0.5}});
        assertArrayEquals(new double[] {0.5, 2, 0.125}, half.perExample(f, Tensor.vector(0, 0, 0)).toArray());
        assertArrayEquals(new double[] {0.5, 2, 0.125}, half.perExample(Tensor.vector(1, -2, 0.5), Tensor.zeros(3))
                .toArray());
    }

    @Test
    void halfIsExactlyHalfOfPlain() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor f = Tensor.randn(rng, 17, 5);
        Tensor y = Tensor.randn(rng, 17, 5);
        double plain = Losses.squared(MseConvention.PLAIN).mean(f, y).item();
        double half = Losses.squared(MseConvention.HALF).mean(f, y).item();
        assertEquals(plain / 2, half);            // scaling by 1/2 is exact in binary floating point
        assertEquals(0.5, MseConvention.HALF.factor());
        assertEquals(1.0, MseConvention.PLAIN.factor());
    }

    @Test
    void leastSquaresHessianIsTwoCOverNXtX() {
        // linear model f(x) = W x (k outputs, no bias): H = (2c/n) I_k (x) X^T X, theta index o*d + j
        SplittableRandom rng = new SplittableRandom(2);
        int n = 7;
        int d = 3;
        int k = 2;
        Tensor x = Tensor.randn(rng, n, d);
        Tensor y = Tensor.randn(rng, n, k);
        Dense lin = Dense.of(d, k).withoutBias();
        Tensor theta = lin.init(rng);
        for (MseConvention c : MseConvention.values()) {
            Tensor h = Autodiff.hessian(Losses.squared(c).objective(lin, x, y), theta);
            for (int a = 0; a < k * d; a++) {
                for (int b = 0; b < k * d; b++) {
                    double expect = 0;
                    if (a / d == b / d) {
                        for (int i = 0; i < n; i++) {
                            expect += x.get(i, a % d) * x.get(i, b % d);
                        }
                        expect *= 2 * c.factor() / n;
                    }
                    NnTesting.assertClose(expect, h.get(a, b), 1e-13, "H[" + a + "," + b + "] " + c.id());
                }
            }
        }
    }

    @Test
    void squaredLossGradientIsTwoCOverNResidual() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor f = Tensor.randn(rng, 4, 3);
        Tensor y = Tensor.randn(rng, 4, 3);
        for (MseConvention c : MseConvention.values()) {
            Tensor g = Autodiff.grad(z -> Losses.squared(c).mean(z, y), f);
            NnTesting.assertAllClose(f.sub(y).mul(2 * c.factor() / 4).toArray(), g, 1e-15, "dL/df " + c.id());
        }
    }

    // ------------------------------------------------------------------ cross-entropy

    @Test
    void crossEntropyHandExample() {
        // softmax(0, ln 3) = (1/4, 3/4)
        Tensor z = Tensor.matrix(new double[][] {{0, Math.log(3)}, {0, Math.log(3)}});
        Loss ce = Losses.crossEntropy();
        Tensor per = ce.perExample(z, Tensor.vector(1, 0));
        NnTesting.assertClose(Math.log(4.0 / 3), per.flat(0), 1e-15, "-log(3/4)");
        NnTesting.assertClose(Math.log(4.0), per.flat(1), 1e-15, "-log(1/4)");
        NnTesting.assertClose((Math.log(4.0 / 3) + Math.log(4)) / 2, ce.mean(z, Tensor.vector(1, 0)).item(), 1e-15,
                "mean");
        // one-hot targets give the same values as labels
        assertArrayEquals(per.toArray(), ce.perExample(z, Tensor.oneHot(new int[] {1, 0}, 2)).toArray(), 1e-15);
        // soft targets: -sum t log p
        Tensor soft = Tensor.matrix(new double[][] {{0.5, 0.5}, {0.2, 0.8}});
        NnTesting.assertClose(0.5 * Math.log(4) + 0.5 * Math.log(4.0 / 3), ce.perExample(z, soft).flat(0), 1e-15, "soft");
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        Tensor z = Tensor.matrix(new double[][] {{1000, -1000, 0}, {-1000, 1000, 999}});
        Loss ce = Losses.crossEntropy();
        Tensor per = ce.perExample(z, Tensor.vector(1, 2));
        assertEquals(2000.0, per.flat(0));
        // -log softmax = 1000 - 999 + log(1 + e^-1 + ...) = 1 + log1p(e^-1)
        NnTesting.assertClose(1 + Math.log1p(Math.exp(-1)), per.flat(1), 1e-12, "row 2");
        NnTesting.assertClose(0.0, ce.perExample(z, Tensor.vector(0, 1)).flat(0), 0, "confident and right");
        Tensor g = Autodiff.grad(t -> ce.mean(t, Tensor.vector(1, 2)), z);
        for (double v : g.toArray()) {
            assertTrue(Double.isFinite(v));
        }
        // gradient = (softmax - onehot)/n
        NnTesting.assertClose((1 - 0) / 2.0, g.get(0, 0), 1e-15, "dL/dz[0,0]");
        NnTesting.assertClose(-0.5, g.get(0, 1), 1e-15, "dL/dz[0,1]");
    }

    @Test
    void crossEntropyGradientIsSoftmaxMinusOneHot() {
        SplittableRandom rng = new SplittableRandom(4);
        Tensor z = Tensor.randn(rng, 5, 4);
        Tensor labels = Tensor.vector(0, 3, 1, 1, 2);
        Tensor g = Autodiff.grad(t -> Losses.crossEntropy().mean(t, labels), z);
        for (int i = 0; i < 5; i++) {
            double norm = 0;
            for (int c = 0; c < 4; c++) {
                norm += Math.exp(z.get(i, c));
            }
            for (int c = 0; c < 4; c++) {
                double expect = (Math.exp(z.get(i, c)) / norm - (c == (int) labels.flat(i) ? 1 : 0)) / 5;
                NnTesting.assertClose(expect, g.get(i, c), 1e-15, "softmax - onehot");
            }
        }
    }

    // ------------------------------------------------------------------ logistic

    @Test
    void logisticHandExamplesAndStability() {
        Loss lg = Losses.logistic();
        Tensor f = Tensor.vector(0, 2, 800, -800, 40, -3);
        Tensor y = Tensor.vector(1, -1, 1, 1, 1, -1);
        Tensor per = lg.perExample(f, y);
        NnTesting.assertClose(Math.log(2), per.flat(0), 1e-15, "f = 0");
        NnTesting.assertClose(Math.log1p(Math.exp(2)), per.flat(1), 1e-15, "y f = -2");
        assertEquals(0.0, per.flat(2));
        assertEquals(800.0, per.flat(3));
        NnTesting.assertClose(1.0, per.flat(4) / Math.log1p(Math.exp(-40)), 1e-15, "tiny loss, full relative precision");
        NnTesting.assertClose(Math.log1p(Math.exp(-3)), per.flat(5), 1e-15, "y f = 3");
        // [n, 1] outputs and labels give the same
        assertArrayEquals(per.toArray(), lg.perExample(f.reshape(6, 1), y.reshape(6, 1)).toArray());
        // dl/df = -y sigmoid(-y f)
        Tensor g = Autodiff.grad(t -> lg.perExample(t, y).sum(), f);
        for (int i = 0; i < 6; i++) {
            double m = y.flat(i) * f.flat(i);
            NnTesting.assertClose(-y.flat(i) / (1 + Math.exp(m)), g.flat(i), 1e-14, "dl/df " + i);
        }
    }

    // ------------------------------------------------------------------ derivatives of every loss

    @Test
    void lossDerivativesAgreeWithFiniteDifferences() {
        SplittableRandom rng = new SplittableRandom(5);
        Tensor f = Tensor.randn(rng, 6, 3);
        Tensor yReg = Tensor.randn(rng, 6, 3);
        Tensor labels = Tensor.vector(0, 2, 1, 1, 0, 2);
        Tensor f1 = Tensor.randn(rng, 6, 1);
        Tensor pm = Tensor.vector(1, -1, -1, 1, 1, -1);
        List<Object[]> cases = List.of(
                new Object[] {Losses.squared(MseConvention.HALF), f, yReg},
                new Object[] {Losses.squared(MseConvention.PLAIN), f, yReg},
                new Object[] {Losses.crossEntropy(), f, labels},
                new Object[] {Losses.crossEntropy(), f, Tensor.oneHot(new int[] {1, 1, 0, 2, 2, 0}, 3)},
                new Object[] {Losses.logistic(), f1, pm});
        for (Object[] c : cases) {
            Loss loss = (Loss) c[0];
            Tensor out = (Tensor) c[1];
            Tensor target = (Tensor) c[2];
            Function<Tensor, Tensor> fn = t -> loss.mean(t, target);
            Checks.checkGrad(loss.name() + " d/df", fn, out, 6, NnTesting.GRAD_TOL);
            Checks.checkHvp(loss.name() + " d2/df2", fn, out, 7, NnTesting.HVP_TOL);
            // the per-example vector averages to the mean loss
            NnTesting.assertClose(loss.perExample(out, target).mean().item(), fn.apply(out).item(), 1e-15, loss.name());
            assertArrayEquals(new int[] {6}, loss.perExample(out, target).shape());
        }
    }

    @Test
    void lossThroughAModelHasCorrectThetaDerivatives() {
        SplittableRandom rng = new SplittableRandom(8);
        Tensor x = Tensor.randn(rng, 5, 3);
        Mlp m = Mlp.of(Activation.TANH, 3, 4, 3);
        Tensor theta = m.init(rng);
        Tensor y = Tensor.oneHot(new int[] {0, 1, 2, 1, 0}, 3);
        for (Loss loss : List.of(Losses.of("mse"), Losses.of("mse", MseConvention.PLAIN), Losses.of("cross-entropy"))) {
            Function<Tensor, Tensor> obj = loss.objective(m, x, y);
            Checks.checkGrad(loss.describe(), obj, theta, 9, NnTesting.GRAD_TOL);
            Checks.checkHvp(loss.describe(), obj, theta, 10, NnTesting.HVP_TOL);
        }
    }

    // ------------------------------------------------------------------ descriptions, registry, errors

    @Test
    void descriptionsStateTheConvention() {
        assertEquals("squared loss, mse_convention=half: L = (1/n) sum_i 1/2 ||f(x_i) - y_i||^2 "
                + "(mean over samples, sum over outputs)", Losses.of("mse").describe());
        assertTrue(Losses.of("mse", MseConvention.PLAIN).describe()
                .startsWith("squared loss, mse_convention=plain: L = (1/n) sum_i ||f(x_i) - y_i||^2"));
        assertTrue(Losses.of("cross-entropy").describe().contains("-log softmax(f(x_i))_{y_i}"));
        assertTrue(Losses.of("logistic").describe().contains("log(1 + exp(-y_i f(x_i)))"));
        assertEquals(MseConvention.PLAIN, MseConvention.of("plain"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MseConvention.of("mean"));
        assertTrue(e.getMessage().contains("known: half, plain"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.of("hinge"));
        assertTrue(e.getMessage().contains("unknown loss 'hinge'; known: mse, cross-entropy, logistic"), e.getMessage());
    }

    @Test
    void badShapesAndLabelsAreReported() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Losses.of("mse").mean(F, Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy().mean(F, Tensor.vector(0, 2)));
        assertTrue(e.getMessage().contains("label 2.0 at index 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy().mean(F, Tensor.vector(0, 0.5)));
        assertTrue(e.getMessage().contains("not an integer class"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.crossEntropy().mean(F, Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("expected labels [2] or targets [2, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.logistic().mean(Tensor.vector(1, 2),
                Tensor.vector(1, 0)));
        assertTrue(e.getMessage().contains("label 0.0 at index 1 is not -1 or +1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Losses.logistic().mean(F, Tensor.vector(1, 1)));
        assertTrue(e.getMessage().contains("[n, 1] or [n]"), e.getMessage());
    }

    // ------------------------------------------------------------------ accuracy

    @Test
    void accuracy() {
        Tensor out = Tensor.matrix(new double[][] {{0.1, 0.9, 0}, {2, 1, 0}, {0, 0, 5}, {1, 1, 0}});
        // argmax rows: 1, 0, 2, 0 (first maximiser at the tie)
        assertEquals(0.75, Accuracy.of(out, Tensor.vector(1, 0, 1, 0)));
        assertEquals(1.0, Accuracy.of(out, Tensor.vector(1, 0, 2, 0)));
        assertEquals(0.5, Accuracy.of(out, Tensor.oneHot(new int[] {1, 1, 2, 2}, 3)));
        Tensor s = Tensor.vector(0.3, -2, 0, 4);
        assertEquals(0.25, Accuracy.of(s, Tensor.vector(1, 1, 1, -1)));     // 0.3 right, -2 wrong, 0 wrong, 4 wrong
        assertEquals(0.75, Accuracy.sign(s.reshape(4, 1), Tensor.vector(1, -1, -1, 1)));
        assertThrows(IllegalArgumentException.class, () -> Accuracy.of(s, Tensor.vector(1, 0, 1, 1)));
        assertThrows(IllegalArgumentException.class, () -> Accuracy.of(out, Tensor.vector(1, 0, 3, 0)));
    }
}
