package org.sgdlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Tensor;

class LayersTest {

    private static Tensor init(Model m, long seed) {
        return m.init(new SplittableRandom(seed));
    }

    // ------------------------------------------------------------------ dense

    @Test
    void denseMatchesExplicitSums() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor x = Tensor.randn(rng, 5, 4);
        for (boolean bias : new boolean[] {true, false}) {
            for (Parametrization p : Parametrization.values()) {
                Dense d = Dense.of(4, 3).withBias(bias).withParametrization(p);
                Tensor theta = init(d, 2);
                Tensor w = d.layout().view(theta, "weight");
                Tensor b = bias ? d.layout().view(theta, "bias") : null;
                double s = p == Parametrization.NTK ? 1 / Math.sqrt(4) : 1;
                double[][] ref = Naive.dense(x, w, b, s);
                Tensor y = d.apply(theta, x);
                assertArrayEquals(new int[] {5, 3}, y.shape());
                for (int i = 0; i < 5; i++) {
                    for (int o = 0; o < 3; o++) {
                        NnTesting.assertClose(ref[i][o], y.get(i, o), 1e-14, "dense " + bias + " " + p);
                    }
                }
            }
        }
    }

    @Test
    void denseLayoutIsPytorchLike() {
        Dense d = Dense.of(7, 5);
        assertEquals(List.of("weight", "bias"), d.layout().names());
        assertArrayEquals(new int[] {5, 7}, d.layout().block("weight").shape());
        assertEquals(40, d.numParams());
        assertEquals(35, d.withoutBias().numParams());
    }

    @Test
    void denseDerivatives() {
        SplittableRandom rng = new SplittableRandom(4);
        Tensor x = Tensor.randn(rng, 3, 4);
        for (Parametrization p : Parametrization.values()) {
            Dense d = Dense.of(4, 2).withParametrization(p).withBiasInit(Init.normal(1));
            Tensor theta = init(d, 5);
            NnTesting.checkGrads("dense " + p, d, theta, x, 6);
            NnTesting.checkHvp("dense " + p, d, theta, x, 7);
        }
    }

    @Test
    void denseRejectsWrongInputs() {
        Dense d = Dense.of(4, 2);
        Tensor theta = init(d, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> d.apply(theta, Tensor.zeros(3, 5)));
        assertTrue(e.getMessage().contains("dense 4->2") && e.getMessage().contains("[3, 5]")
                && e.getMessage().contains("[N, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> d.apply(Tensor.zeros(9), Tensor.zeros(3, 4)));
        assertTrue(e.getMessage().contains("[9]") && e.getMessage().contains("[10]"), e.getMessage());
    }

    // ------------------------------------------------------------------ conv

    @Test
    void convMatchesDirectConvolution() {
        SplittableRandom rng = new SplittableRandom(8);
        Tensor x = Tensor.randn(rng, 2, 3, 7, 6);
        int[][] configs = {{1, 0}, {1, 1}, {2, 1}, {2, 0}, {3, 2}};
        for (int[] cfg : configs) {
            for (Parametrization p : Parametrization.values()) {
                Conv2d c = Conv2d.of(3, 4, 3).withStride(cfg[0]).withPadding(cfg[1]).withParametrization(p)
                        .withInit(Init.normal(1), Init.normal(1));
                Tensor theta = init(c, 9);
                double s = p == Parametrization.NTK ? 1 / Math.sqrt(27) : 1;
                Tensor ref = Naive.conv(x, c.layout().view(theta, "weight"), c.layout().view(theta, "bias"),
                        cfg[0], cfg[1], s);
                Tensor y = c.apply(theta, x);
                assertArrayEquals(ref.shape(), y.shape());
                assertEquals(c.outSize(7), y.dim(2));
                NnTesting.assertAllClose(ref.toArray(), y, 1e-13, "conv stride " + cfg[0] + " pad " + cfg[1] + " " + p);
            }
        }
        Conv2d nb = Conv2d.of(3, 2, 2).withBias(false);
        Tensor theta = init(nb, 3);
        Tensor ref = Naive.conv(x, nb.layout().view(theta, "weight"), null, 1, 0, 1);
        NnTesting.assertAllClose(ref.toArray(), nb.apply(theta, x), 1e-13, "conv without bias");
    }

    @Test
    void convDerivatives() {
        SplittableRandom rng = new SplittableRandom(10);
        Tensor x = Tensor.randn(rng, 2, 2, 5, 4);
        Conv2d c = Conv2d.of(2, 3, 3).withStride(2).withPadding(1);
        Tensor theta = init(c, 11);
        NnTesting.checkGrads("conv", c, theta, x, 12);
        NnTesting.checkHvp("conv", c, theta, x, 13);
    }

    @Test
    void convRejectsWrongInputs() {
        Conv2d c = Conv2d.of(3, 4, 3);
        Tensor theta = init(c, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.apply(theta, Tensor.zeros(2, 2, 5, 5)));
        assertTrue(e.getMessage().contains("[2, 2, 5, 5]") && e.getMessage().contains("[N, 3, H, W]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> c.apply(theta, Tensor.zeros(2, 3, 2, 5)));
        assertTrue(e.getMessage().contains("larger than the padded input"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Conv2d.of(3, 4, 3).withStride(0));
    }

    // ------------------------------------------------------------------ pooling, flatten

    @Test
    void poolingMatchesLoops() {
        SplittableRandom rng = new SplittableRandom(14);
        Tensor x = Tensor.randn(rng, 2, 3, 7, 6);
        NnTesting.assertAllClose(Naive.pool(x, true, 2, 2, 0).toArray(), Layers.maxPool(2).apply(Tensor.zeros(0), x),
                0, "max-pool 2");
        NnTesting.assertAllClose(Naive.pool(x, true, 3, 1, 0).toArray(),
                Layers.maxPool(3, 1).apply(Tensor.zeros(0), x), 0, "max-pool 3 stride 1");
        NnTesting.assertAllClose(Naive.pool(x, false, 2, 2, 0).toArray(), Layers.avgPool(2).apply(Tensor.zeros(0), x),
                1e-15, "avg-pool 2");
        NnTesting.assertAllClose(Naive.pool(x, false, 3, 2, 1).toArray(),
                Layers.avgPool(3, 2, 1).apply(Tensor.zeros(0), x), 1e-15, "avg-pool 3 stride 2 pad 1");
        assertArrayEquals(new int[] {2, 3, 3, 3}, Layers.pool("average", 2).apply(Tensor.zeros(0), x).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Layers.pool("mean", 2));
        assertTrue(e.getMessage().contains("known: max, avg"), e.getMessage());
    }

    @Test
    void poolingDerivatives() {
        SplittableRandom rng = new SplittableRandom(15);
        // distinct values far apart: max pooling's argmax does not change under the finite-difference steps
        double[] v = new double[2 * 2 * 4 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.37 % 5.3 + (rng.nextDouble() - 0.5) * 0.01;
        }
        Tensor x = Tensor.of(v, 2, 2, 4, 4);
        NnTesting.checkGrads("max-pool", Layers.maxPool(2), Tensor.zeros(0), x, 16);
        NnTesting.checkGrads("avg-pool", Layers.avgPool(3, 1, 1), Tensor.zeros(0), x, 17);
        NnTesting.checkGrads("global-avg-pool", Layers.globalAvgPool(), Tensor.zeros(0), x, 18);
        NnTesting.checkGrads("flatten", Layers.flatten(), Tensor.zeros(0), x, 19);
    }

    @Test
    void flattenAndGlobalPoolShapes() {
        Tensor x = Tensor.randn(new SplittableRandom(20), 2, 3, 4, 5);
        Tensor f = Layers.flatten().apply(Tensor.zeros(0), x);
        assertArrayEquals(new int[] {2, 60}, f.shape());
        assertEquals(x.get(1, 2, 3, 4), f.get(1, 59));
        assertEquals(x.get(1, 1, 0, 2), f.get(1, 22));
        Tensor g = Layers.globalAvgPool().apply(Tensor.zeros(0), x);
        assertArrayEquals(new int[] {2, 3}, g.shape());
        double s = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 5; j++) {
                s += x.get(1, 2, i, j);
            }
        }
        NnTesting.assertClose(s / 20, g.get(1, 2), 1e-15, "global average");
        assertSame(Layers.flatten(), Layers.flatten());
    }

    // ------------------------------------------------------------------ residual

    @Test
    void residualAddsTheInput() {
        SplittableRandom rng = new SplittableRandom(21);
        Tensor x = Tensor.randn(rng, 3, 4);
        Model body = Layers.serial(Dense.of(4, 5), Activation.TANH, Dense.of(5, 4));
        Model r = Layers.residual(Dense.of(4, 5), Activation.TANH, Dense.of(5, 4));
        assertEquals(body.layout(), r.layout());
        Tensor theta = init(r, 22);
        // naive: x + W2 tanh(W1 x + b1) + b2
        Layout l = r.layout();
        double[][] h = Naive.dense(x, l.view(theta, "0.weight"), l.view(theta, "0.bias"), 1);
        Tensor th = Naive.map(Naive.matrix(h), Math::tanh);
        double[][] f = Naive.dense(th, l.view(theta, "2.weight"), l.view(theta, "2.bias"), 1);
        Tensor y = r.apply(theta, x);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                NnTesting.assertClose(x.get(i, j) + f[i][j], y.get(i, j), 1e-14, "residual");
            }
        }
        NnTesting.checkGrads("residual", r, theta, x, 23);
        NnTesting.checkHvp("residual", r, theta, x, 24);
        Model bad = Layers.residual(Dense.of(4, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> bad.apply(init(bad, 1), x));
        assertTrue(e.getMessage().contains("[3, 4] to [3, 3]"), e.getMessage());
    }

    // ------------------------------------------------------------------ rms norm

    @Test
    void rmsNormMatchesFormulaAndIsScaleInvariant() {
        SplittableRandom rng = new SplittableRandom(25);
        Tensor h = Tensor.randn(rng, 3, 5);
        for (double eps : new double[] {0.0, 1e-3}) {
            Tensor y = Layers.rmsNorm(eps).apply(Tensor.zeros(0), h);
            for (int i = 0; i < 3; i++) {
                double ms = 0;
                for (int j = 0; j < 5; j++) {
                    ms += h.get(i, j) * h.get(i, j);
                }
                ms /= 5;
                for (int j = 0; j < 5; j++) {
                    NnTesting.assertClose(h.get(i, j) / Math.sqrt(ms + eps), y.get(i, j), 1e-14, "rms-norm eps " + eps);
                }
            }
        }
        Model norm = Layers.rmsNorm(0);
        Tensor base = norm.apply(Tensor.zeros(0), h);
        for (double c : new double[] {1e-3, 0.5, 7.0, 1e4}) {
            NnTesting.assertAllClose(base.toArray(), norm.apply(Tensor.zeros(0), h.mul(c)), 1e-14, "scale " + c);
        }
        // conv-shaped input: normalised over C, H, W of each sample
        Tensor hc = Tensor.randn(rng, 2, 3, 2, 2);
        Tensor yc = norm.apply(Tensor.zeros(0), hc);
        double ms = 0;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    ms += hc.get(1, c, i, j) * hc.get(1, c, i, j);
                }
            }
        }
        NnTesting.assertClose(hc.get(1, 2, 1, 0) / Math.sqrt(ms / 12), yc.get(1, 2, 1, 0), 1e-14, "rms-norm 4d");
    }

    @Test
    void rmsNormGain() {
        SplittableRandom rng = new SplittableRandom(26);
        Model norm = Layers.rmsNorm(1e-2, 4);
        assertEquals(List.of("gain"), norm.layout().names());
        assertArrayEquals(new double[] {1, 1, 1, 1}, init(norm, 1).toArray());
        Tensor gain = Tensor.vector(0.5, 2, -1, 3);
        Tensor h = Tensor.randn(rng, 2, 4);
        Tensor plain = Layers.rmsNorm(1e-2).apply(Tensor.zeros(0), h);
        Tensor y = norm.apply(gain, h);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 4; j++) {
                NnTesting.assertClose(plain.get(i, j) * gain.flat(j), y.get(i, j), 1e-15, "gain");
            }
        }
        NnTesting.checkGrads("rms-norm gain", norm, gain, h, 27);
        NnTesting.checkHvp("rms-norm gain", norm, gain, h, 28);
        NnTesting.checkGrads("rms-norm", Layers.rmsNorm(0), Tensor.zeros(0), h, 29);
        assertThrows(IllegalArgumentException.class, () -> Layers.rmsNorm(-1));
        assertThrows(IllegalArgumentException.class, () -> norm.apply(gain, Tensor.zeros(2, 5)));
    }

    @Test
    void serialIntermediatesEndWithTheOutput() {
        Serial s = Layers.serial(Dense.of(3, 4), Activation.TANH, Dense.of(4, 2));
        Tensor theta = init(s, 30);
        Tensor x = Tensor.randn(new SplittableRandom(31), 5, 3);
        List<Tensor> hs = s.intermediates(theta, x);
        assertEquals(3, hs.size());
        assertArrayEquals(s.apply(theta, x).toArray(), hs.get(2).toArray());
        assertArrayEquals(Naive.map(hs.get(0), Math::tanh).toArray(), hs.get(1).toArray(), 1e-15);
        // the hidden layer's activations are differentiable too
        Tensor g = Autodiff.grad(t -> s.intermediates(t, x).get(1).sum(), theta);
        assertEquals(theta.size(), g.size());
    }
}
