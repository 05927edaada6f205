package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Layout;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.tensor.Tensor;

/** relu_distances (Q16.3): activation patterns changed since theta_0, against explicit loops. */
class ReluPatternsTest {

    /** Pre-activations z = x W^T + b by loops. */
    static double[][] pre(double[][] x, Tensor w, Tensor b) {
        return ActivationDensityTest.layer(x, w, b, false);
    }

    static double[][] relu(double[][] z) {
        double[][] h = new double[z.length][z[0].length];
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z[0].length; j++) {
                h[i][j] = Math.max(0, z[i][j]);
            }
        }
        return h;
    }

    static long flips(double[][] z0, double[][] z) {
        long c = 0;
        for (int i = 0; i < z.length; i++) {
            for (int j = 0; j < z[0].length; j++) {
                c += Math.abs((z0[i][j] > 0 ? 1 : 0) - (z[i][j] > 0 ? 1 : 0));
            }
        }
        return c;
    }

    @Test
    void matchesLoopsPerLayerAndOverall() {
        Mlp net = Mlp.of(Activation.RELU, 2, 5, 4, 1);
        Layout lay = net.layout();
        Tensor th0 = net.init(new SplittableRandom(1));
        Tensor th = th0.add(Tensor.randn(new SplittableRandom(2), th0.size()).mul(0.4));
        int n = 12;
        Tensor x = Tensor.randn(new SplittableRandom(3), n, 2);
        double[][] xr = ActivationDensityTest.rows(x);
        double[][] z01 = pre(xr, lay.view(th0, "0.weight"), lay.view(th0, "0.bias"));
        double[][] z02 = pre(relu(z01), lay.view(th0, "2.weight"), lay.view(th0, "2.bias"));
        double[][] z1 = pre(xr, lay.view(th, "0.weight"), lay.view(th, "0.bias"));
        double[][] z2 = pre(relu(z1), lay.view(th, "2.weight"), lay.view(th, "2.bias"));
        long f1 = flips(z01, z1);
        long f2 = flips(z02, z2);
        assertTrue(f1 > 0 && f2 > 0, "the perturbation flips some patterns");
        Problem p = new Problem(net, Losses.of("mse", MseConvention.PLAIN),
                Dataset.regression("t", x, Tensor.zeros(n, 1)), null, 5);
        StaticProbe probe = StaticProbe.of(p, th).withTheta0(th0);
        ReluPatterns.Result r = ReluPatterns.fromParams(Map.of()).measure(probe);
        assertEquals(2, r.layers().size());
        assertEquals((double) f1 / (n * 5), r.layers().get(0).reluDistance(), 1e-15);
        assertEquals((double) f2 / (n * 4), r.layers().get(1).reluDistance(), 1e-15);
        assertEquals((double) (f1 + f2) / (n * 5 + n * 4), r.reluDistances(), 1e-15);
        assertEquals(n, r.examples());
        // one layer only, and the first 6 inputs
        ReluPatterns.Result one = ReluPatterns.fromParams(Map.of("layers", 1, "examples", 6)).measure(probe);
        double[][] x6 = java.util.Arrays.copyOf(xr, 6);
        long f6 = flips(pre(x6, lay.view(th0, "0.weight"), lay.view(th0, "0.bias")),
                pre(x6, lay.view(th, "0.weight"), lay.view(th, "0.bias")));
        assertEquals((double) f6 / (6 * 5), one.reluDistances(), 1e-15);
        // at theta_0 nothing changed
        assertEquals(0.0, ReluPatterns.fromParams(Map.of()).measure(StaticProbe.of(p, th0)).reluDistances(), 0.0);
        assertEquals(0.5, ReluPatterns.distance(Tensor.vector(1, -1), Tensor.vector(1, 1)), 0.0);
        assertThrows(IllegalArgumentException.class, () -> ReluPatterns.distance(Tensor.zeros(2), Tensor.zeros(3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReluPatterns.fromParams(Map.of("examples", -1)));
        assertTrue(e.getMessage().contains("diagnostics.relu_patterns.examples"), e.getMessage());
    }
}
