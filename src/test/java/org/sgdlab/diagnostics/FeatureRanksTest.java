package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.Serial;
import org.sgdlab.tensor.Tensor;

/** Nuclear norm, lp/l0 singular-value norms and effective rank (Q16.3) against closed forms. */
class FeatureRanksTest {

    /**
     * A = H[:, :3] diag(3, 2, 1) R^T with H = I - (1/2) 11^T (a 4 x 4 orthogonal reflection) and R a
     * rotation: the singular values are exactly 3, 2, 1, so q = (1/2, 1/3, 1/6) and the effective rank is
     * the entropy (1/2) ln 2 + (1/3) ln 3 + (1/6) ln 6 = 1.0114 (not its exponential 2.749).
     */
    @Test
    void effectiveRankOfKnownSingularValues() {
        double[][] h = new double[4][4];
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                h[i][j] = (i == j ? 1 : 0) - 0.5;
            }
        }
        double c = Math.cos(0.7);
        double s = Math.sin(0.7);
        Tensor r = Tensor.matrix(new double[][] {{c, -s, 0}, {s, c, 0}, {0, 0, 1}});
        Tensor u = Tensor.matrix(h).slice(1, 0, 3);
        Tensor a = u.matmul(Tensor.matrix(new double[][] {{3, 0, 0}, {0, 2, 0}, {0, 0, 1}})).matmul(r, false, true);
        double[] sv = FeatureRanks.singularValues(a);
        assertEquals(3, sv[0], 1e-13);
        assertEquals(2, sv[1], 1e-13);
        assertEquals(1, sv[2], 1e-13);
        double want = 0.5 * Math.log(2) + Math.log(3) / 3 + Math.log(6) / 6;
        assertEquals(want, FeatureRanks.effectiveRank(sv), 1e-13);
        assertEquals(want, FeatureRanks.effectiveRank(new double[] {3, 2, 1, 0}), 1e-15);
        assertEquals(Math.log(3), FeatureRanks.effectiveRank(new double[] {1, 1, 1}), 1e-15);
        assertEquals(0.0, FeatureRanks.effectiveRank(new double[] {0, 0}), 0.0);
        assertTrue(Double.isNaN(FeatureRanks.effectiveRank(new double[] {1, Double.NaN})));
        assertEquals(6.0, FeatureRanks.nuclearNorm(sv), 1e-13);
        assertEquals(Math.pow(3, 0.1) + Math.pow(2, 0.1) + 1, FeatureRanks.lpSum(sv, 0.1), 1e-13);
        assertEquals(2, FeatureRanks.l0Count(sv, 1.5));
    }

    /**
     * For M [n, 2] with G = M^T M: (sigma_1 + sigma_2)^2 = tr G + 2 sqrt(det G), and the sigma_i^2 are the
     * eigenvalues (tr G +- sqrt(tr G^2 - 4 det G))/2.
     */
    static double[] twoColumnSigmas(double[][] m) {
        double g11 = 0;
        double g12 = 0;
        double g22 = 0;
        for (double[] row : m) {
            g11 += row[0] * row[0];
            g12 += row[0] * row[1];
            g22 += row[1] * row[1];
        }
        double tr = g11 + g22;
        double det = g11 * g22 - g12 * g12;
        double disc = Math.sqrt(Math.max(0, tr * tr - 4 * det));
        return new double[] {Math.sqrt((tr + disc) / 2), Math.sqrt(Math.max(0, (tr - disc) / 2)),
            Math.sqrt(tr + 2 * Math.sqrt(Math.max(0, det)))};
    }

    /**
     * The two-neuron net f(x) = a_1 relu(w_1.x + b_1) + a_2 relu(w_2.x + b_2) with hand weights, on the first 3
     * test inputs. Features by loops; nuclear norm of h diag(|a|) from the 2 x 2 Gram closed form; lp, l0 and
     * the entropy from the Gram eigenvalues of the row-normalised features.
     */
    @Test
    void diagnosticOnATwoNeuronNet() {
        double[][] w = {{1, 0.5}, {-0.5, 1}};
        double[] b = {0.1, -0.2};
        double[] a = {2, -3};
        Serial net = Serial.of(Dense.of(2, 2), Activation.RELU, Dense.of(2, 1).withoutBias());
        Tensor theta = net.layout().flatten(Map.of("0.weight", Tensor.matrix(w), "0.bias", Tensor.vector(b),
                "2.weight", Tensor.matrix(new double[][] {a})));
        double[][] xt = {{1, 0}, {0, 1}, {1, 1}, {-1, 0.5}, {0.3, -1}};
        Dataset train = Dataset.regression("train", Tensor.matrix(new double[][] {{5, 5}}), Tensor.zeros(1, 1));
        Dataset test = Dataset.regression("test", Tensor.matrix(xt), Tensor.zeros(5, 1));
        Problem p = new Problem(net, Losses.of("mse", MseConvention.PLAIN), train, test);
        FeatureRanks fr = FeatureRanks.fromParams(Map.of("inputs", "test", "count", 3));
        FeatureRanks.Result r = fr.measure(StaticProbe.of(p, theta));
        assertEquals(3, r.examples());
        assertEquals("test", r.inputs());
        double[][] h = new double[3][2];
        double[][] scaled = new double[3][2];
        double[][] hn = new double[3][2];
        for (int i = 0; i < 3; i++) {
            double nrm = 0;
            for (int j = 0; j < 2; j++) {
                h[i][j] = Math.max(0, w[j][0] * xt[i][0] + w[j][1] * xt[i][1] + b[j]);
                scaled[i][j] = h[i][j] * Math.abs(a[j]);
                nrm += h[i][j] * h[i][j];
            }
            for (int j = 0; j < 2; j++) {
                hn[i][j] = nrm == 0 ? 0 : h[i][j] / Math.sqrt(nrm);
            }
        }
        // x = (1,0): (1.1, 0) ; (0,1): (0.6, 0.8) ; (1,1): (1.6, 0.3): every row non-zero, rank 2
        double[] sc = twoColumnSigmas(scaled);
        double[] sn = twoColumnSigmas(hn);
        FeatureRanks.Layer l = r.layers().get(0);
        assertEquals(1, l.layer());
        assertEquals(2, l.neurons());
        assertEquals(sc[2], l.nuclearNorm(), 1e-12);
        assertEquals(Math.pow(sn[0], 0.1) + Math.pow(sn[1], 0.1), l.lpNormsFeaturesSing(), 1e-12);
        assertEquals((sn[0] > 0.1 ? 1 : 0) + (sn[1] > 0.1 ? 1 : 0), l.l0NormsFeaturesSing());
        double q1 = sn[0] / (sn[0] + sn[1]);
        double q2 = sn[1] / (sn[0] + sn[1]);
        assertEquals(-(q1 * Math.log(q1) + q2 * Math.log(q2)), l.effectiveRank(), 1e-12);
        assertTrue(l.converged());
        // "num_params" = 8 > 5 test inputs: all of them
        FeatureRanks all = FeatureRanks.fromParams(Map.of("inputs", "test", "count", "num_params"));
        assertEquals(5, all.measure(StaticProbe.of(p, theta)).examples());
    }

    @Test
    void rowNormalisationAndScaling() {
        Tensor phi = Tensor.matrix(new double[][] {{3, 4}, {0, 0}, {0, 2}});
        Tensor n = FeatureRanks.rowNormalise(phi);
        assertEquals(0.0, n.sub(Tensor.matrix(new double[][] {{0.6, 0.8}, {0, 0}, {0, 1}})).abs().max().item(), 1e-16);
        Tensor s = FeatureRanks.scaled(phi, Tensor.matrix(new double[][] {{-2, 1}, {0, 0}}));
        assertEquals(0.0, s.sub(Tensor.matrix(new double[][] {{6, 4}, {0, 0}, {0, 2}})).abs().max().item(), 0.0);
    }

    @Test
    void configurationErrors() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureRanks.fromParams(Map.of("inputs", "validation")));
        assertTrue(e.getMessage().contains("diagnostics.feature_ranks.inputs") && e.getMessage().contains("train, test"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureRanks.fromParams(Map.of("count", "all")));
        assertTrue(e.getMessage().contains("diagnostics.feature_ranks.count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureRanks.fromParams(Map.of("lp_exponent", 0)));
        assertTrue(e.getMessage().contains("diagnostics.feature_ranks.lp_exponent"), e.getMessage());
        Serial net = Serial.of(Dense.of(2, 2), Activation.RELU, Dense.of(2, 1));
        Problem p = new Problem(net, Losses.of("mse", MseConvention.PLAIN),
                Dataset.regression("t", Tensor.ones(3, 2), Tensor.zeros(3, 1)), null);
        e = assertThrows(IllegalArgumentException.class, () -> FeatureRanks.fromParams(Map.of("inputs", "test"))
                .measure(StaticProbe.of(p, net.layout().zeros())));
        assertTrue(e.getMessage().contains("test set"), e.getMessage());
    }
}
