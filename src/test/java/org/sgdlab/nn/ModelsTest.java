package org.sgdlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Tensor;

class ModelsTest {

    private static Tensor init(Model m, long seed) {
        return m.init(new SplittableRandom(seed));
    }

    // ------------------------------------------------------------------ mlp

    @Test
    void mlpParameterCounts() {
        // sum_l out_l (in_l + 1), computed by hand
        assertEquals(64 * 128 + 128 + 128 * 128 + 128 + 128 * 10 + 10, 26_122);
        assertEquals(26_122, Mlp.of(Activation.TANH, 64, 128, 128, 10).numParams());
        assertEquals(43_018, Mlp.of(Activation.TANH, 196, 128, 128, 10).numParams());
        assertEquals(118_282, Mlp.of(Activation.TANH, 784, 128, 128, 10).numParams());
        assertEquals(4_929, Mlp.of(Activation.TANH, 10, 64, 64, 1).numParams());       // P2-A
        assertEquals(181, Mlp.of(Activation.RELU, 5, 10, 10, 1).numParams());          // SF5 student
        assertEquals(64 * 128 + 128 * 128 + 128 * 10, Mlp.of(Activation.TANH, 64, 128, 128, 10).withBias(false).numParams());
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"),
                Mlp.of(Activation.TANH, 64, 128, 128, 10).layout().names());
        assertTrue(Mlp.of(Activation.TANH, 64, 128, 128, 10).describe().contains("26,122 parameters"));
    }

    @Test
    void mlpMatchesNaiveForwardPass() {
        SplittableRandom rng = new SplittableRandom(1);
        Tensor x = Tensor.randn(rng, 4, 3);
        for (Parametrization p : Parametrization.values()) {
            Mlp m = Mlp.of(Activation.TANH, 3, 5, 4, 2).withParametrization(p).withInit(Init.normal(1), Init.normal(1));
            Tensor theta = init(m, 2);
            Layout l = m.layout();
            Tensor h = x;
            int[] w = m.widths();
            for (int layer = 0; layer < 3; layer++) {
                double s = p == Parametrization.NTK ? 1 / Math.sqrt(w[layer]) : 1;
                Tensor z = Naive.matrix(Naive.dense(h, l.view(theta, m.weightName(layer)),
                        l.view(theta, (2 * layer) + ".bias"), s));
                h = layer < 2 ? Naive.map(z, Math::tanh) : z;
            }
            NnTesting.assertAllClose(h.toArray(), m.apply(theta, x), 1e-13, "mlp " + p);
        }
    }

    @Test
    void mlpDerivatives() {
        SplittableRandom rng = new SplittableRandom(3);
        Tensor x = Tensor.randn(rng, 4, 3);
        for (Activation a : List.of(Activation.TANH, Activation.GELU, Activation.SOFTPLUS, Activation.ELU)) {
            Mlp m = Mlp.of(a, 3, 5, 4, 2);
            Tensor theta = init(m, 4);
            NnTesting.checkGrads("mlp " + a.id(), m, theta, x, 5);
            NnTesting.checkHvp("mlp " + a.id(), m, theta, x, 6);
        }
        // relu: piecewise smooth, so small-step differences (see NnTesting.checkGradsKinked)
        Mlp relu = Mlp.of(Activation.RELU, 3, 5, 4, 2);
        NnTesting.checkGradsKinked("mlp relu", relu, init(relu, 4), x, 5);
        NnTesting.checkHvpKinked("mlp relu", relu, init(relu, 4), x, 6);
    }

    // ------------------------------------------------------------------ cohen cnn

    @Test
    void cohenCnnLayoutMatchesTheAuthorsSequential() {
        CohenCnn cifar = CohenCnn.of(3, 32, 32, 10);
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias"), cifar.layout().names());
        assertArrayEquals(new int[] {32, 3, 3, 3}, cifar.layout().block("0.weight").shape());
        assertArrayEquals(new int[] {32, 32, 3, 3}, cifar.layout().block("3.weight").shape());
        assertArrayEquals(new int[] {10, 32 * 8 * 8}, cifar.layout().block("7.weight").shape());
        // (32*27 + 32) + (32*288 + 32) + (10*2048 + 10)
        assertEquals(896 + 9_248 + 20_490, cifar.numParams());
        // odd sizes floor at each pooling: 7 -> 3 -> 1
        assertArrayEquals(new int[] {2, 5}, CohenCnn.of(1, 7, 7, 2).withWidths(4, 5).layout().block("7.weight").shape());
    }

    @Test
    void cohenCnnMatchesNaiveComposition() {
        SplittableRandom rng = new SplittableRandom(7);
        Tensor x = Tensor.randn(rng, 2, 2, 6, 6);
        for (String pool : List.of("max", "average")) {
            CohenCnn m = CohenCnn.of(2, 6, 6, 4).withWidths(3, 2).withActivation(Activation.TANH).withPooling(pool);
            Tensor theta = init(m, 8);
            Layout l = m.layout();
            boolean max = pool.equals("max");
            Tensor h = Naive.conv(x, l.view(theta, "0.weight"), l.view(theta, "0.bias"), 1, 1, 1);
            h = Naive.pool(Naive.map(h, Math::tanh), max, 2, 2, 0);                  // [2, 3, 3, 3]
            h = Naive.conv(h, l.view(theta, "3.weight"), l.view(theta, "3.bias"), 1, 1, 1);
            h = Naive.pool(Naive.map(h, Math::tanh), max, 2, 2, 0);                  // [2, 2, 1, 1]
            Tensor flat = Tensor.of(h.toArray(), 2, 2);
            double[][] ref = Naive.dense(flat, l.view(theta, "7.weight"), l.view(theta, "7.bias"), 1);
            Tensor y = m.apply(theta, x);
            assertArrayEquals(new int[] {2, 4}, y.shape());
            NnTesting.assertAllClose(Naive.matrix(ref).toArray(), y, 1e-13, "cohen-cnn " + pool);
        }
    }

    @Test
    void cohenCnnDerivatives() {
        SplittableRandom rng = new SplittableRandom(9);
        Tensor x = Tensor.randn(rng, 2, 1, 4, 4);
        CohenCnn smooth = CohenCnn.of(1, 4, 4, 3).withWidths(2, 2).withActivation(Activation.TANH).withPooling("avg");
        Tensor theta = init(smooth, 10);
        NnTesting.checkGrads("cohen-cnn tanh avg", smooth, theta, x, 11);
        NnTesting.checkHvp("cohen-cnn tanh avg", smooth, theta, x, 12);
        CohenCnn relu = CohenCnn.of(1, 4, 4, 3).withWidths(2, 2);
        NnTesting.checkGradsKinked("cohen-cnn relu max", relu, init(relu, 10), x, 13);
        NnTesting.checkHvpKinked("cohen-cnn relu max", relu, init(relu, 10), x, 13);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> relu.apply(init(relu, 1), Tensor.zeros(2, 1, 5, 4)));
        assertTrue(e.getMessage().contains("[N, 1, 4, 4]"), e.getMessage());
    }

    // ------------------------------------------------------------------ resnet

    @Test
    void resNetMatchesNaiveComposition() {
        SplittableRandom rng = new SplittableRandom(14);
        Tensor x = Tensor.randn(rng, 2, 2, 4, 3);
        ResNetNoBn m = ResNetNoBn.of(2, 3).withWidth(3).withBlocks(1).withActivation(Activation.TANH);
        assertEquals(List.of("0.weight", "0.bias", "2.0.weight", "2.0.bias", "2.2.weight", "2.2.bias", "5.weight",
                "5.bias"), m.layout().names());
        Tensor theta = init(m, 15);
        Layout l = m.layout();
        Tensor h = Naive.map(Naive.conv(x, l.view(theta, "0.weight"), l.view(theta, "0.bias"), 1, 1, 1), Math::tanh);
        Tensor f = Naive.map(Naive.conv(h, l.view(theta, "2.0.weight"), l.view(theta, "2.0.bias"), 1, 1, 1), Math::tanh);
        f = Naive.conv(f, l.view(theta, "2.2.weight"), l.view(theta, "2.2.bias"), 1, 1, 1);
        double[] hv = h.toArray();
        double[] fv = f.toArray();
        for (int i = 0; i < hv.length; i++) {
            hv[i] = Math.tanh(hv[i] + fv[i]);
        }
        double[][] pooled = new double[2][3];
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int s = 0; s < 12; s++) {
                    pooled[n][c] += hv[(n * 3 + c) * 12 + s] / 12;
                }
            }
        }
        double[][] ref = Naive.dense(Naive.matrix(pooled), l.view(theta, "5.weight"), l.view(theta, "5.bias"), 1);
        NnTesting.assertAllClose(Naive.matrix(ref).toArray(), m.apply(theta, x), 1e-13, "resnet");
    }

    @Test
    void resNetDerivatives() {
        SplittableRandom rng = new SplittableRandom(16);
        Tensor x = Tensor.randn(rng, 2, 2, 3, 3);
        ResNetNoBn m = ResNetNoBn.of(2, 2).withWidth(2).withBlocks(2).withActivation(Activation.SOFTPLUS);
        Tensor theta = init(m, 17);
        NnTesting.checkGrads("resnet softplus", m, theta, x, 18);
        NnTesting.checkHvp("resnet softplus", m, theta, x, 19);
        ResNetNoBn relu = ResNetNoBn.of(2, 2).withWidth(2).withBlocks(1);
        NnTesting.checkGradsKinked("resnet relu", relu, init(relu, 17), x, 20);
        NnTesting.checkHvpKinked("resnet relu", relu, init(relu, 17), x, 20);
    }

    // ------------------------------------------------------------------ two-layer ntk

    @Test
    void twoLayerNtkMatchesTheFormula() {
        int d = 3;
        int m = 5;
        SplittableRandom rng = new SplittableRandom(21);
        Tensor x = Tensor.randn(rng, 4, d);
        TwoLayerNtk net = TwoLayerNtk.of(d, m);
        assertEquals(m * (d + 1), net.numParams());
        assertEquals(11_264, TwoLayerNtk.of(10, 1024).numParams());       // P1-A
        assertEquals(13_056, TwoLayerNtk.of(50, 256).numParams());        // P1-B
        Tensor theta = init(net, 22);
        Tensor w = net.layout().view(theta, "0.weight");                   // [m, d], rows u_i
        Tensor a = net.layout().view(theta, "2.weight");                   // [1, m]
        Tensor y = net.apply(theta, x);
        for (int n = 0; n < 4; n++) {
            double f = 0;
            for (int i = 0; i < m; i++) {
                double pre = 0;
                for (int j = 0; j < d; j++) {
                    pre += w.get(i, j) * x.get(n, j);
                }
                f += a.get(0, i) * Math.max(0, pre / Math.sqrt(d));
            }
            NnTesting.assertClose(f / Math.sqrt(m), y.get(n, 0), 1e-14, "ntk f(x_" + n + ")");
        }
        // with bias: f = a^T act(Wx/sqrt(d) + b)/sqrt(m)
        TwoLayerNtk nb = TwoLayerNtk.of(d, m).withBias(true).withBiasInit(Init.normal(1)).withActivation(Activation.TANH);
        Tensor tb = init(nb, 23);
        Tensor wb = nb.layout().view(tb, "0.weight");
        Tensor bb = nb.layout().view(tb, "0.bias");
        Tensor ab = nb.layout().view(tb, "2.weight");
        double f = 0;
        for (int i = 0; i < m; i++) {
            double pre = 0;
            for (int j = 0; j < d; j++) {
                pre += wb.get(i, j) * x.get(2, j);
            }
            f += ab.get(0, i) * Math.tanh(pre / Math.sqrt(d) + bb.get(i));
        }
        NnTesting.assertClose(f / Math.sqrt(m), nb.apply(tb, x).get(2, 0), 1e-14, "ntk with bias");
    }

    @Test
    void twoLayerNtkDerivatives() {
        SplittableRandom rng = new SplittableRandom(24);
        Tensor x = Tensor.randn(rng, 3, 4);
        TwoLayerNtk relu = TwoLayerNtk.of(4, 6);
        Tensor theta = init(relu, 25);
        // relu: piecewise smooth, so small-step differences; the output is bilinear in (W, a) on each
        // linear piece, so the Hessian is non-zero
        NnTesting.checkGradsKinked("ntk relu", relu, theta, x, 26);
        NnTesting.checkHvpKinked("ntk relu", relu, theta, x, 27);
        TwoLayerNtk smooth = TwoLayerNtk.of(4, 6).withActivation(Activation.GELU).withBias(true).withOutputs(2);
        Tensor ts = init(smooth, 28);
        NnTesting.checkGrads("ntk gelu", smooth, ts, x, 29);
        NnTesting.checkHvp("ntk gelu", smooth, ts, x, 30);
    }

    // ------------------------------------------------------------------ diagonal linear network

    @Test
    void diagonalLinearNetClosedForms() {
        SplittableRandom rng = new SplittableRandom(31);
        int d = 6;
        Tensor x = Tensor.randn(rng, 5, d);
        for (DiagonalLinearNet.Variant v : DiagonalLinearNet.Variant.values()) {
            DiagonalLinearNet net = DiagonalLinearNet.of(v, d).withGaussianInit(0.7);
            Tensor theta = init(net, 32);
            double[] u = net.layout().view(theta, "u").toArray();
            double[] vv = net.layout().view(theta, "v").toArray();
            Tensor y = net.apply(theta, x);
            assertArrayEquals(new int[] {5, 1}, y.shape());
            for (int n = 0; n < 5; n++) {
                double f = 0;
                for (int j = 0; j < d; j++) {
                    double beta = v == DiagonalLinearNet.Variant.PRODUCT ? u[j] * vv[j] : u[j] * u[j] - vv[j] * vv[j];
                    f += beta * x.get(n, j);
                }
                NnTesting.assertClose(f, y.get(n, 0), 1e-14, "dln " + v);
            }
            NnTesting.checkGrads("dln " + v, net, theta, x, 33);
            NnTesting.checkHvp("dln " + v, net, theta, x, 34);
        }
    }

    @Test
    void diagonalLinearNetInits() {
        // zero-predictor defaults (STUDIES.md §5.2, §7): beta_0 = 0
        Tensor p = init(DiagonalLinearNet.product(4), 1);
        assertArrayEquals(new double[] {0.1, 0.1, 0.1, 0.1, 0, 0, 0, 0}, p.toArray());
        Tensor s = init(DiagonalLinearNet.squares(3), 1);
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, s.toArray());
        assertArrayEquals(new double[] {0.3, 0.3, 0.3, 0.3, 0.3, 0.3},
                init(DiagonalLinearNet.squares(3).withAlpha(0.3), 1).toArray());
        assertArrayEquals(new double[] {2, 2, 0, 0}, init(DiagonalLinearNet.product(2).withAlpha(2), 1).toArray());
        assertArrayEquals(new double[] {0.5, 0.5, -1, -1},
                init(DiagonalLinearNet.product(2).withConstantInit(0.5, -1), 1).toArray());
        DiagonalLinearNet given = DiagonalLinearNet.product(2).withInit(Tensor.vector(1, 2), Tensor.vector(3, 4));
        assertArrayEquals(new double[] {1, 2, 3, 4}, init(given, 1).toArray());
        assertArrayEquals(new double[] {3, 8}, given.beta(init(given, 1)).toArray());
        // gaussian: u then v, each s N(0, 1), from the generator in order
        SplittableRandom r = new SplittableRandom(5);
        double[] expect = new double[4];
        for (int i = 0; i < 4; i++) {
            expect[i] = 0.3 * r.nextGaussian();
        }
        assertArrayEquals(expect, init(DiagonalLinearNet.product(2).withGaussianInit(0.3), 5).toArray());
        assertThrows(IllegalArgumentException.class,
                () -> DiagonalLinearNet.product(2).withInit(Tensor.vector(1, 2, 3), Tensor.vector(1, 2)));
        assertTrue(DiagonalLinearNet.squares(3).describe().contains("u*u-v*v"));
    }

    // ------------------------------------------------------------------ two-layer linear

    @Test
    void twoLayerLinearIsUWx() {
        SplittableRandom rng = new SplittableRandom(35);
        Tensor x = Tensor.randn(rng, 4, 3);
        TwoLayerLinear net = TwoLayerLinear.of(3, 5, 2).withInit(Init.normal(0.5));
        assertEquals(List.of("W", "U"), net.layout().names());
        assertEquals(5 * 3 + 2 * 5, net.numParams());
        Tensor theta = init(net, 36);
        Tensor w = net.layout().view(theta, "W");
        Tensor u = net.layout().view(theta, "U");
        for (int n = 0; n < 4; n++) {
            for (int o = 0; o < 2; o++) {
                double f = 0;
                for (int a = 0; a < 5; a++) {
                    double wx = 0;
                    for (int j = 0; j < 3; j++) {
                        wx += w.get(a, j) * x.get(n, j);
                    }
                    f += u.get(o, a) * wx;
                }
                NnTesting.assertClose(f, net.apply(theta, x).get(n, o), 1e-14, "UWx");
            }
        }
        NnTesting.checkGrads("two-layer-linear", net, theta, x, 37);
        NnTesting.checkHvp("two-layer-linear", net, theta, x, 38);
    }

    // ------------------------------------------------------------------ scale-invariant net

    @Test
    void scaleInvariantNetIgnoresTheScaleOfW() {
        SplittableRandom rng = new SplittableRandom(39);
        Tensor x = Tensor.randn(rng, 6, 4);
        ScaleInvariantNet net = ScaleInvariantNet.of(4, 5, 2);
        Tensor theta = init(net, 40);
        Layout l = net.layout();
        assertEquals("0.weight", net.scaleInvariantBlock());
        Tensor base = net.apply(theta, x);
        for (double c : new double[] {1e-3, 0.37, 5.0, 1e3}) {
            Tensor scaled = scaleBlock(l, theta, net.scaleInvariantBlock(), c);
            NnTesting.assertAllClose(base.toArray(), net.apply(scaled, x), 1e-13, "f(cW) = f(W), c = " + c);
        }
        // the output block is not scale-invariant: f is linear in a
        NnTesting.assertAllClose(base.mul(2).toArray(), net.apply(scaleBlock(l, theta, "3.weight", 2), x), 1e-14,
                "f(2a) = 2 f(a)");
        // S2 formula: f(x) = a^T relu(sqrt(h) W x / ||W x||)
        Tensor w = l.view(theta, "0.weight");
        Tensor a = l.view(theta, "3.weight");
        for (int n = 0; n < 6; n++) {
            double[] wx = new double[5];
            double norm = 0;
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 4; j++) {
                    wx[i] += w.get(i, j) * x.get(n, j);
                }
                norm += wx[i] * wx[i];
            }
            norm = Math.sqrt(norm);
            for (int o = 0; o < 2; o++) {
                double f = 0;
                for (int i = 0; i < 5; i++) {
                    f += a.get(o, i) * Math.max(0, Math.sqrt(5) * wx[i] / norm);
                }
                NnTesting.assertClose(f, base.get(n, o), 1e-13, "scale-invariant formula");
            }
        }
    }

    @Test
    void scaleInvariantGradientIsOrthogonalToTheBlock() {
        // d/dc L(cW) = 0 at c = 1  =>  <grad_W L, W> = 0 (Q15.2, A = I on the block)
        SplittableRandom rng = new SplittableRandom(41);
        Tensor x = Tensor.randn(rng, 8, 4);
        Tensor y = Tensor.randn(rng, 8, 2);
        ScaleInvariantNet net = ScaleInvariantNet.of(4, 5, 2).withActivation(Activation.SOFTPLUS);
        Tensor theta = init(net, 42);
        Tensor g = Autodiff.grad(Losses.squared(MseConvention.HALF).objective(net, x, y), theta);
        Layout l = net.layout();
        double inner = l.view(g, "0.weight").dotValue(l.view(theta, "0.weight"));
        double scale = l.view(g, "0.weight").norm() * l.view(theta, "0.weight").norm();
        assertTrue(Math.abs(inner) <= 1e-13 * scale, "<grad_W, W> = " + inner + " (scale " + scale + ")");
        NnTesting.checkGrads("scale-invariant", net, theta, x, 43);
        NnTesting.checkHvp("scale-invariant", net, theta, x, 44);
    }

    private static Tensor scaleBlock(Layout l, Tensor theta, String name, double c) {
        Map<String, Tensor> parts = l.unflatten(theta);
        parts.put(name, parts.get(name).mul(c));
        return l.flatten(parts);
    }

    // ------------------------------------------------------------------ init scale, registry

    @Test
    void initScaleMultipliesEveryParameter() {
        Mlp m = Mlp.of(Activation.TANH, 3, 4, 2);
        Model scaled = m.withInitScale(0.2);
        Tensor t0 = init(m, 50);
        Tensor t1 = init(scaled, 50);
        double[] expect = t0.toArray();
        for (int i = 0; i < expect.length; i++) {
            expect[i] *= 0.2;
        }
        assertArrayEquals(expect, t1.toArray());
        assertEquals(m.layout(), scaled.layout());
        Tensor x = Tensor.randn(new SplittableRandom(51), 2, 3);
        assertArrayEquals(m.apply(t1, x).toArray(), scaled.apply(t1, x).toArray());
        assertTrue(scaled.describe().endsWith("init scale 0.2"), scaled.describe());
    }

    @Test
    void registryBuildsModelsByName() {
        Model mlp = Models.create("mlp", Map.of("widths", List.of(64, 128, 128, 10), "activation", "tanh"));
        assertEquals(26_122, mlp.numParams());
        assertTrue(mlp.describe().startsWith("mlp 64-128-128-10 tanh"), mlp.describe());
        assertEquals(30_634, Models.create("cohen-cnn", Map.of("channels", 3, "height", 32, "width", 32,
                "classes", 10)).numParams());
        assertEquals(11_264, Models.create("two-layer-ntk", Map.of("d", 10, "m", 1024)).numParams());
        assertEquals(200, Models.create("diagonal-linear", Map.of("d", 100, "variant", "squares")).numParams());
        assertEquals(32, Models.create("two-layer-linear", Map.of("d", 4, "h", 4, "k", 4, "init_std", 0.5)).numParams());
        assertEquals(20 * 10 + 20, Models.create("scale-invariant", Map.of("d", 10, "h", 20, "k", 1)).numParams());
        Model res = Models.create("resnet-no-bn", Map.of("channels", 1, "classes", 10, "width", 4, "blocks", 1));
        assertEquals((4 * 9 + 4) + 2 * (4 * 36 + 4) + (10 * 4 + 10), res.numParams());
        Model scaled = Models.create("mlp", Map.of("widths", List.of(2, 3), "init_scale", 0.5));
        Model plain = Models.create("mlp", Map.of("widths", List.of(2, 3)));
        assertArrayEquals(init(plain, 1).mul(0.5).toArray(), init(scaled, 1).toArray());
    }

    @Test
    void descriptionsNameTheModelAndItsSize() {
        Model[] models = {Mlp.of(Activation.TANH, 64, 128, 128, 10), CohenCnn.of(3, 32, 32, 10), ResNetNoBn.of(3, 10),
            TwoLayerNtk.of(10, 1024), DiagonalLinearNet.squares(100), TwoLayerLinear.of(4, 4, 4),
            ScaleInvariantNet.of(10, 20, 1)};
        String[] starts = {"mlp 64-128-128-10 tanh", "cohen-cnn 3x32x32 -> 10", "resnet-no-bn", "two-layer-ntk",
            "diagonal-linear f(x) = <u*u-v*v, x>", "two-layer-linear", "scale-invariant"};
        for (int i = 0; i < models.length; i++) {
            String s = models[i].describe();
            assertTrue(s.startsWith(starts[i]), s);
            assertTrue(s.contains("(" + String.format(java.util.Locale.ROOT, "%,d", models[i].numParams())
                    + " parameters)"), s);
        }
        assertTrue(DiagonalLinearNet.squares(100).describe().contains("u_j = 1, v_j = 1 for all j"));
        assertTrue(ScaleInvariantNet.of(10, 20, 1).describe().contains("scale-invariant block 0.weight"));
    }

    /**
     * The data sources give flat rows: the image models read [N, C*H*W] as [N, C, H, W] (channel-major), so
     * their outputs and parameter gradients equal those on the image-shaped input bit for bit.
     */
    @Test
    void imageModelsReadFlatRowsAsImages() {
        SplittableRandom rng = new SplittableRandom(31);
        Model cnn = Models.create("cohen-cnn", Map.of("channels", 2, "height", 4, "width", 4, "classes", 3,
                "widths", List.of(2, 2), "activation", "tanh"));
        Model res = Models.create("resnet-no-bn", Map.of("channels", 2, "classes", 3, "width", 2, "blocks", 1));
        for (Model m : List.of(cnn, res)) {
            Tensor img = Tensor.randn(rng, 5, 2, 4, 4);
            Tensor flat = img.reshape(5, 32);
            Tensor theta = init(m, 7);
            assertArrayEquals(m.apply(theta, img).toArray(), m.apply(theta, flat).toArray(), m.describe());
            Tensor gi = Autodiff.grad(th -> m.apply(th, img).square().sum(), theta);
            Tensor gf = Autodiff.grad(th -> m.apply(th, flat).square().sum(), theta);
            assertArrayEquals(gi.toArray(), gf.toArray(), m.describe());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cnn.apply(init(cnn, 7), Tensor.zeros(5, 31)));
        assertTrue(e.getMessage().contains("expected [N, 2, 4, 4] or flat [N, 32]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> res.apply(init(res, 7), Tensor.zeros(5, 36)));
        assertTrue(e.getMessage().contains("flat rows of 36 values are not 2 channel(s) of a square image"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.create("cohen-cnn", Map.of("channels", 1)));
        assertTrue(e.getMessage().contains("needs parameter 'height'; cohen-cnn takes channels, height, width, classes"),
                e.getMessage());
        for (String name : Models.NAMES) {
            assertTrue(Models.USAGE.containsKey(name), name + " has no usage line");
        }
    }

    @Test
    void registryFailsLoudly() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Models.create("transformer", Map.of()));
        assertTrue(e.getMessage().contains("unknown model 'transformer'") && e.getMessage().contains("mlp, cohen-cnn"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Models.create("mlp", Map.of("widths", List.of(2, 3), "widht", 4)));
        assertTrue(e.getMessage().contains("unknown parameter widht") && e.getMessage().contains("known:")
                && e.getMessage().contains("widths"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.create("mlp", Map.of()));
        assertTrue(e.getMessage().contains("needs parameter 'widths'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Models.create("two-layer-ntk", Map.of("d", 2.5, "m", 3)));
        assertTrue(e.getMessage().contains("'d' = 2.5") && e.getMessage().contains("integer"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Models.create("mlp", Map.of("widths", List.of(2, 3), "activation", "rleu")));
        assertTrue(e.getMessage().contains("unknown activation 'rleu'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Models.create("mlp", Map.of("widths", List.of(2, 3), "parametrization", "mup")));
        assertTrue(e.getMessage().contains("known: standard, ntk"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Models.create("diagonal-linear", Map.of("d", 3, "variant", "sum")));
    }
}
