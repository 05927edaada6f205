package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.DiagonalLinearNet;
import org.sgdlab.nn.Layout;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.TwoLayerNtk;
import org.sgdlab.tensor.Tensor;

/** Activation density, active ReLUs, dead fraction, activation_frac_nonzeros (Q16.3) against explicit loops. */
class ActivationDensityTest {

    /** relu(x W^T + b) by loops; W [m, d] row-major, x [n, d]. */
    static double[][] layer(double[][] x, Tensor w, Tensor b, boolean relu) {
        int n = x.length;
        int m = w.dim(0);
        int d = w.dim(1);
        double[][] out = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = b == null ? 0 : b.flat(j);
                for (int c = 0; c < d; c++) {
                    s += x[i][c] * w.flat(j * d + c);
                }
                out[i][j] = relu ? Math.max(s, 0) : s;
            }
        }
        return out;
    }

    static double[][] rows(Tensor t) {
        double[][] r = new double[t.dim(0)][t.dim(1)];
        for (int i = 0; i < r.length; i++) {
            for (int j = 0; j < r[0].length; j++) {
                r[i][j] = t.flat(i * r[0].length + j);
            }
        }
        return r;
    }

    /** An Mlp 3-6-5-2 with dead neurons (bias -50) and zero output-weight columns. */
    static Mlp mlp() {
        return Mlp.of(Activation.RELU, 3, 6, 5, 2);
    }

    static Tensor theta(Mlp net) {
        Layout lay = net.layout();
        Map<String, Tensor> parts = new LinkedHashMap<>(lay.unflatten(net.init(new SplittableRandom(4))));
        double[] b0 = parts.get("0.bias").toArray();
        b0[1] = -50;
        b0[4] = -50;
        parts.put("0.bias", Tensor.vector(b0));
        double[] b2 = parts.get("2.bias").toArray();
        b2[0] = -50;
        parts.put("2.bias", Tensor.vector(b2));
        double[] w2 = parts.get("2.weight").toArray();          // [5, 6]: column 2 zero
        for (int k = 0; k < 5; k++) {
            w2[k * 6 + 2] = 0;
        }
        parts.put("2.weight", Tensor.of(w2, 5, 6));
        double[] w4 = parts.get("4.weight").toArray();          // [2, 5]: column 3 zero
        w4[3] = 0;
        w4[5 + 3] = 0;
        parts.put("4.weight", Tensor.of(w4, 2, 5));
        return lay.flatten(parts);
    }

    record Stats(double density, int active, double dead, double frac) {
    }

    static Stats loops(double[][] h, Tensor next) {
        int n = h.length;
        int m = h[0].length;
        int k = next.dim(0);
        long pos = 0;
        long nz = 0;
        int active = 0;
        for (int j = 0; j < m; j++) {
            boolean used = false;
            for (int a = 0; a < k; a++) {
                used |= next.flat(a * m + j) != 0;
            }
            boolean on = false;
            for (int i = 0; i < n; i++) {
                if (h[i][j] > 0) {
                    pos++;
                    on = true;
                }
                if (h[i][j] != 0 && used) {
                    nz++;
                }
            }
            active += on ? 1 : 0;
        }
        return new Stats((double) pos / (n * m), active, 1 - (double) active / m, 100.0 * nz / (n * m));
    }

    @Test
    void perLayerStatisticsMatchLoops() {
        Mlp net = mlp();
        Tensor th = theta(net);
        Layout lay = net.layout();
        Tensor x = Tensor.randn(new SplittableRandom(9), 10, 3);
        double[][] h1 = layer(rows(x), lay.view(th, "0.weight"), lay.view(th, "0.bias"), true);
        double[][] h2 = layer(h1, lay.view(th, "2.weight"), lay.view(th, "2.bias"), true);
        Stats s1 = loops(h1, lay.view(th, "2.weight"));
        Stats s2 = loops(h2, lay.view(th, "4.weight"));
        assertTrue(s1.active() <= 4 && s2.active() <= 4, "the biased neurons are dead");
        // physical batch 4: the features are assembled from 3 chunks
        Problem p = new Problem(net, Losses.of("mse", MseConvention.PLAIN),
                Dataset.regression("t", x, Tensor.zeros(10, 2)), null, 4);
        FeatureSparsity.Result r = FeatureSparsity.fromParams(Map.of("layers", "all")).measure(StaticProbe.of(p, th));
        assertEquals(2, r.layers().size());
        Stats[] want = {s1, s2};
        double[][][] hs = {h1, h2};
        for (int l = 0; l < 2; l++) {
            FeatureSparsity.Layer got = r.layers().get(l);
            assertEquals(l + 1, got.layer());
            assertEquals(10, got.examples());
            assertEquals(want[l].density(), got.activationDensity(), 1e-15);
            assertEquals(want[l].active(), got.nActiveRelus());
            assertEquals(want[l].dead(), got.deadFraction(), 1e-15);
            assertEquals(want[l].frac(), got.activationFracNonzeros(), 1e-12);
            // the coefficient is the Q16.1 algorithm applied to these features
            FeatureSparsity.Dedup d = FeatureSparsity.toy(Tensor.matrix(hs[l]), 0.99);
            assertEquals(d.featureSparsity(), got.featureSparsity(), 1e-15);
            assertEquals(d.nHighlyCorr(), got.nHighlyCorr());
        }
        // the static helpers on the same matrices
        Tensor phi2 = Tensor.matrix(h2);
        assertEquals(s2.density(), ActivationDensity.density(phi2), 1e-15);
        assertEquals(s2.active(), ActivationDensity.activeCount(phi2));
        assertEquals(s2.dead(), ActivationDensity.deadFraction(phi2), 1e-15);
        assertEquals(s2.frac(), ActivationDensity.fracNonzeros(phi2, lay.view(th, "4.weight")), 1e-12);
        Tensor hid = ActivationDensity.hidden(net, th, x, 2);
        assertTrue(hid.sub(phi2).abs().max().item() < 1e-12);
        assertEquals(2, ActivationDensity.hiddenCount(net));
    }

    /** A two-layer NTK net: hidden = relu(x W^T / sqrt(d)), its next dense weight is a. */
    @Test
    void twoLayerNtkIsSupported() {
        TwoLayerNtk net = TwoLayerNtk.of(3, 7);
        Tensor th = net.init(new SplittableRandom(3));
        Tensor x = Tensor.randn(new SplittableRandom(8), 6, 3);
        Layout lay = net.layout();
        double[][] h = layer(rows(x.mul(1 / Math.sqrt(3))), lay.view(th, "0.weight"), null, true);
        assertTrue(ActivationDensity.hidden(net, th, x, 1).sub(Tensor.matrix(h)).abs().max().item() < 1e-12);
        assertEquals(0.0, lay.view(th, "2.weight").sub(ActivationDensity.outputWeight(net, th, 1)).abs().max().item());
    }

    @Test
    void unsupportedModelsFailWithTheFieldName() {
        DiagonalLinearNet dln = DiagonalLinearNet.product(3);
        Problem p = new Problem(dln, Losses.of("mse", MseConvention.HALF),
                Dataset.regression("t", Tensor.ones(2, 3), Tensor.zeros(2, 1)), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureSparsity.fromParams(Map.of()).measure(StaticProbe.of(p, dln.init(new SplittableRandom(1)))));
        assertTrue(e.getMessage().contains("diagnostics.feature_sparsity.layers") && e.getMessage().contains("mlp"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ActivationDensity.density(Tensor.zeros(3)));
        assertThrows(IllegalArgumentException.class,
                () -> ActivationDensity.fracNonzeros(Tensor.zeros(3, 2), Tensor.zeros(1, 3)));
        assertEquals(List.of(2, 1), ActivationDensity.Layers.of(2, 1).indices());
    }

    /**
     * The one-dimensional task of STUDIES.md §7.4: f(x) = sum_j a_j ReLU(w_j x + b_j), 100 neurons, bias in the
     * first layer only, w_j = 2.5 (+-1), b_j ~ 2.5 N(0, 1), a_j ~ 4 N(0, 1); 12 points x_k = (k - 5.5)/4 + 0.07.
     * With every a_j != 0 and ReLU features, activation_frac_nonzeros / 100 = activation density exactly; the
     * Jacobian on 300 grid points is 300 x 300 and its rank at most 300.
     */
    @Test
    void oneDimensionalTwoLayerNet() {
        org.sgdlab.nn.Serial net = org.sgdlab.nn.Serial.of(
                org.sgdlab.nn.Dense.of(1, 100).withInit(org.sgdlab.nn.Init.rademacher(2.5), org.sgdlab.nn.Init.normal(2.5)),
                Activation.RELU,
                org.sgdlab.nn.Dense.of(100, 1).withoutBias().withWeightInit(org.sgdlab.nn.Init.normal(4)));
        double[] xs = new double[12];
        double[] ys = {-2, 1.5, 0, 0, 2, 1, 0, -1, 0, 1, 2, -1};
        for (int k = 0; k < 12; k++) {
            xs[k] = (k - 5.5) / 4 + 0.07;
            ys[k] += 0.345;
        }
        Dataset d = Dataset.regression("1d", Tensor.of(xs, 12, 1), Tensor.vector(ys));
        Problem p = new Problem(net, Losses.of("mse", MseConvention.PLAIN), d, d);
        Tensor th = net.init(new SplittableRandom(3));
        StaticProbe probe = StaticProbe.of(p, th);
        FeatureSparsity.Layer l = FeatureSparsity.fromParams(Map.of("threshold", 0.999)).measure(probe).layers().get(0);
        assertEquals(l.activationDensity(), l.activationFracNonzeros() / 100, 1e-15);
        assertTrue(l.featureSparsity() <= l.activationDensity() + 1e-15);
        JacobianRank.Result jr = JacobianRank.fromParams(Map.of("points", "grid")).measure(probe);
        assertEquals(300, jr.numPoints());
        assertEquals(300, jr.rows());
        assertTrue(jr.rank() >= 1 && jr.rank() <= 300 && jr.converged(), jr.toString());
        FeatureRanks.Layer fr = FeatureRanks.fromParams(Map.of()).measure(probe).layers().get(0);
        assertTrue(fr.nuclearNorm() > 0 && fr.effectiveRank() >= 0 && fr.effectiveRank() <= Math.log(12));
    }
}
