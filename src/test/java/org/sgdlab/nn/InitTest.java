package org.sgdlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Sample statistics of each init against its distribution. Tolerances are 5 standard errors of the
 * statistic: SE(mean) = sigma/sqrt(n); SE(sample variance) = sqrt((mu4 - sigma^4)/n) with
 * mu4 = 3 sigma^4 (normal) or b^4/5 (uniform on [-b, b], sigma^2 = b^2/3).
 */
class InitTest {

    private static final int[] SHAPE = {300, 200};
    private static final int N = 60_000;

    private static double mean(Tensor t) {
        double s = 0;
        for (int i = 0; i < t.size(); i++) {
            s += t.flat(i);
        }
        return s / t.size();
    }

    private static double variance(Tensor t) {
        double m = mean(t);
        double s = 0;
        for (int i = 0; i < t.size(); i++) {
            s += (t.flat(i) - m) * (t.flat(i) - m);
        }
        return s / t.size();
    }

    private static void assertNormal(Tensor t, double sigma, String what) {
        double var = sigma * sigma;
        double seMean = sigma / Math.sqrt(t.size());
        double seVar = Math.sqrt(2 * var * var / t.size());
        assertTrue(Math.abs(mean(t)) <= 5 * seMean, what + ": mean " + mean(t) + " (5 SE = " + 5 * seMean + ")");
        assertTrue(Math.abs(variance(t) - var) <= 5 * seVar,
                what + ": variance " + variance(t) + " vs " + var + " (5 SE = " + 5 * seVar + ")");
    }

    private static void assertUniform(Tensor t, double b, String what) {
        double var = b * b / 3;
        double seMean = Math.sqrt(var / t.size());
        double seVar = Math.sqrt((Math.pow(b, 4) / 5 - var * var) / t.size());
        double max = 0;
        for (int i = 0; i < t.size(); i++) {
            max = Math.max(max, Math.abs(t.flat(i)));
        }
        assertTrue(max <= b, what + ": |x| = " + max + " exceeds the bound " + b);
        // the bound is reached: P(max |x| < 0.99 b) = 0.99^n, negligible for n >= 3000
        assertTrue(t.size() < 3000 || max > 0.99 * b, what + ": max |x| = " + max + " far below the bound " + b);
        assertTrue(Math.abs(mean(t)) <= 5 * seMean, what + ": mean " + mean(t));
        assertTrue(Math.abs(variance(t) - var) <= 5 * seVar, what + ": variance " + variance(t) + " vs " + var);
    }

    private static Tensor draw(Init init, int fanIn, int fanOut) {
        return init.sample(new SplittableRandom(123), SHAPE, new Init.Fans(fanIn, fanOut));
    }

    @Test
    void pytorchDefaultIsUniformWithFanInBound() {
        assertUniform(draw(Init.pytorchDefault(), 250, 40), 1 / Math.sqrt(250), "pytorch-default fan_in 250");
        assertUniform(draw(Init.pytorchDefault(), 9, 40), 1 / 3.0, "pytorch-default fan_in 9");
    }

    @Test
    void normalFamilies() {
        assertNormal(draw(Init.kaimingNormal(), 50, 7), Math.sqrt(2.0 / 50), "kaiming-normal");
        assertNormal(draw(Init.kaimingNormal(1.0), 50, 7), Math.sqrt(1.0 / 50), "kaiming-normal gain 1");
        assertNormal(draw(Init.xavierNormal(1.0), 30, 70), Math.sqrt(2.0 / 100), "xavier-normal");
        assertNormal(draw(Init.xavierNormal(5.0 / 3), 30, 70), 5.0 / 3 * Math.sqrt(2.0 / 100), "xavier-normal tanh gain");
        assertNormal(draw(Init.normal(0.8), 1, 1), 0.8, "normal 0.8");
        assertNormal(draw(Init.of("standard-normal"), 1, 1), 1, "standard-normal");
        assertNormal(draw(Init.of("lecun-normal"), 16, 1), 0.25, "lecun-normal");
        assertNormal(draw(Init.normal(1).scaled(0.3), 1, 1), 0.3, "0.3 * N(0, 1)");
    }

    @Test
    void otherDistributions() {
        Tensor r = draw(Init.rademacher(2.5), 1, 1);
        for (int i = 0; i < r.size(); i++) {
            assertEquals(2.5, Math.abs(r.flat(i)));
        }
        assertTrue(Math.abs(mean(r)) <= 5 * 2.5 / Math.sqrt(N), "rademacher mean " + mean(r));
        Tensor u = draw(Init.uniform(1, 3), 1, 1);
        assertUniform(u.sub(2.0), 1.0, "uniform(1, 3) - 2");
        assertTrue(Arrays.stream(draw(Init.constant(0.7), 5, 5).toArray()).allMatch(v -> v == 0.7));
        assertTrue(Arrays.stream(draw(Init.zeros(), 5, 5).toArray()).allMatch(v -> v == 0));
        assertThrows(IllegalArgumentException.class, () -> Init.uniform(1, 1));
        assertThrows(IllegalArgumentException.class, () -> Init.normal(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new Init.Fans(0, 3));
    }

    @Test
    void layersUseTheirFans() {
        // dense [out, in]: fan_in = in for the weight AND the bias (PyTorch), not out
        Dense d = Dense.of(250, 400);
        Tensor theta = d.init(new SplittableRandom(7));
        double b = 1 / Math.sqrt(250);
        assertUniform(d.layout().view(theta, "weight"), b, "dense weight");
        Tensor bias = d.layout().view(theta, "bias");
        assertUniform(bias, b, "dense bias");
        // a fan_out bound 1/sqrt(400) = 0.05 would keep every |b| below 0.05; with the fan_in bound
        // P(all 400 below 0.05) = (0.05/0.0632)^400 ~ 1e-41
        assertTrue(Arrays.stream(bias.toArray()).map(Math::abs).max().orElse(0) > 0.05, "bias uses fan_in");
        // conv [O, C, k, k]: fan_in = C k k
        Conv2d c = Conv2d.of(16, 64, 3);
        Tensor tc = c.init(new SplittableRandom(8));
        assertUniform(c.layout().view(tc, "weight"), 1 / Math.sqrt(144), "conv weight");
        assertUniform(c.layout().view(tc, "bias"), 1 / Math.sqrt(144), "conv bias");
        Conv2d ck = Conv2d.of(16, 64, 3).withInit(Init.kaimingNormal(), Init.zeros());
        Tensor tk = ck.init(new SplittableRandom(9));
        assertNormal(ck.layout().view(tk, "weight"), Math.sqrt(2.0 / 144), "conv kaiming");
        // xavier for conv: fan_out = O k k
        Conv2d cx = Conv2d.of(16, 64, 3).withInit(Init.xavierNormal(1), Init.zeros());
        assertNormal(cx.layout().view(cx.init(new SplittableRandom(10)), "weight"), Math.sqrt(2.0 / (144 + 576)),
                "conv xavier");
        // mlp: every layer with its own fan_in
        Mlp m = Mlp.of(Activation.TANH, 64, 128, 128, 10);
        Tensor tm = m.init(new SplittableRandom(11));
        assertUniform(m.layout().view(tm, "0.weight"), 1 / 8.0, "mlp layer 0");
        assertUniform(m.layout().view(tm, "2.weight"), 1 / Math.sqrt(128), "mlp layer 1");
        assertUniform(m.layout().view(tm, "4.weight"), 1 / Math.sqrt(128), "mlp layer 2");
        // NTK defaults: N(0, 1) weights, zero biases
        Dense ntk = Dense.of(100, 300).withParametrization(Parametrization.NTK);
        Tensor tn = ntk.init(new SplittableRandom(12));
        assertNormal(ntk.layout().view(tn, "weight"), 1.0, "ntk weight");
        assertTrue(Arrays.stream(ntk.layout().view(tn, "bias").toArray()).allMatch(v -> v == 0));
    }

    @Test
    void sameSeedSameTheta() {
        Model[] models = {Mlp.of(Activation.TANH, 64, 128, 128, 10), CohenCnn.of(3, 8, 8, 10),
            TwoLayerNtk.of(10, 64), DiagonalLinearNet.product(10).withGaussianInit(0.3), ResNetNoBn.of(3, 10),
            TwoLayerLinear.of(4, 4, 4), ScaleInvariantNet.of(10, 20, 1)};
        for (Model m : models) {
            Tensor a = m.init(Rng.stream(0, Rng.INIT));
            Tensor b = m.init(Rng.stream(0, Rng.INIT));
            Tensor c = m.init(Rng.stream(1, Rng.INIT));
            assertEquals(m.numParams(), a.size(), m.describe());
            assertArrayEquals(bits(a), bits(b), m.describe());
            assertFalse(Arrays.equals(bits(a), bits(c)), m.describe());
        }
    }

    @Test
    void drawOrderIsLayoutOrderRowMajor() {
        // documented order: layer by layer, weight (row-major) then bias, from one generator
        Mlp m = Mlp.of(Activation.TANH, 3, 4, 2).withInit(Init.normal(1), Init.normal(0.5));
        SplittableRandom r = new SplittableRandom(99);
        double[] expect = new double[m.numParams()];
        for (int i = 0; i < expect.length; i++) {
            double g = r.nextGaussian();
            boolean isBias = (i >= 12 && i < 16) || i >= 24;
            expect[i] = isBias ? 0.5 * g : g;
        }
        assertArrayEquals(expect, m.init(new SplittableRandom(99)).toArray());
    }

    @Test
    void registryFailsLoudly() {
        assertEquals("N(0, 2/fan_in)", Init.of("kaiming-normal").describe());
        assertEquals("U(-1/sqrt(fan_in), 1/sqrt(fan_in))", Init.of("pytorch-default").describe());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Init.of("he"));
        assertTrue(e.getMessage().contains("unknown init 'he'") && e.getMessage().contains("kaiming-normal"),
                e.getMessage());
        Init bad = Init.custom("bad", (rng, shape, fans) -> Tensor.zeros(3));
        e = assertThrows(IllegalArgumentException.class, () -> bad.sample(new SplittableRandom(1), new int[] {2, 2},
                new Init.Fans(1, 1)));
        assertTrue(e.getMessage().contains("returned shape [3]"), e.getMessage());
    }

    private static long[] bits(Tensor t) {
        return Arrays.stream(t.toArray()).mapToLong(Double::doubleToRawLongBits).toArray();
    }
}
