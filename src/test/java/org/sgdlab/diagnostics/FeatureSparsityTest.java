package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.Serial;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The deduplicated feature-sparsity coefficient (QUANTITIES.md Q16.1, Q16.2) on hand-computed matrices.
 * Every expected number is derived in the comments: row norms, column means, centred columns, covariances,
 * the greedy pass, the count of non-zeros and the all-neuron denominator.
 */
class FeatureSparsityTest {

    static Tensor m(double[][] rows) {
        return Tensor.matrix(rows);
    }

    /**
     * Columns (dead, a, a', b, z) on 5 rows, the last row all zeros:
     * <pre>
     *   r1 = (0, 2, 2, 1, 0)   ||r1|| = sqrt(4 + 4 + 1) = 3
     *   r2 = (0, 0, 0, 0, 3)   ||r2|| = 3
     *   r3 = (0, 2, 2, 0, 1)   ||r3|| = 3
     *   r4 = (0, 0, 0, 3, 0)   ||r4|| = 3
     *   r5 = (0, 0, 0, 0, 0)   stays 0
     * </pre>
     * Row normalisation divides rows 1-4 by 3 and leaves row 5: correlations are unchanged (one common scale
     * and a zero row), so we compute them on the integer columns.
     * Step 2: column 0 is dead, K = (1, 2, 3, 4).
     * Step 3 (n = 5): a = (2,0,2,0,0), mean 0.8, centred (1.2,-0.8,1.2,-0.8,-0.8), sum of squares 4.8;
     *   b = (1,0,0,3,0), mean 0.8, centred (0.2,-0.8,-0.8,2.2,-0.8), 6.8;
     *   z = (0,3,1,0,0), mean 0.8, centred (-0.8,2.2,0.2,-0.8,-0.8), 6.8;
     *   cov(a,b) = 0.24 + 0.64 - 0.96 - 1.76 + 0.64 = -1.2, corr = -1.2/sqrt(4.8*6.8) = -0.210;
     *   cov(a,z) = -0.96 - 1.76 + 0.24 + 0.64 + 0.64 = -1.2, corr = -0.210;
     *   cov(b,z) = -0.16 - 1.76 - 0.16 - 1.76 + 0.64 = -3.2, corr = -3.2/6.8 = -0.471;
     *   corr(a, a') = 1 (identical columns).
     * Step 4 (thr 0.99): i = 0 (a): |C(a, a')| = 1 > 0.99, remove a; i = 0 is now a': its partners b, z are
     *   below, keep; b keep; z keep. idx = (2, 3, 4): the LATER duplicate is kept.
     * Step 5: non-zeros of columns 2, 3, 4 = 2 + 2 + 2 = 6; denominator n m = 5 * 5 = 25 (the dead and the
     *   removed column count): 6/25 = 0.24.
     */
    @Test
    void deadColumnDuplicatesAndZeroRow() {
        Tensor phi = m(new double[][] {
            {0, 2, 2, 1, 0},
            {0, 0, 0, 0, 3},
            {0, 2, 2, 0, 1},
            {0, 0, 0, 3, 0},
            {0, 0, 0, 0, 0}});
        double cab = -1.2 / Math.sqrt(4.8 * 6.8);
        double caz = -1.2 / Math.sqrt(4.8 * 6.8);
        double cbz = -3.2 / 6.8;
        assertTrue(Math.abs(cab) < 0.99 && Math.abs(caz) < 0.99 && Math.abs(cbz) < 0.99);
        FeatureSparsity.Dedup d = FeatureSparsity.toy(phi, 0.99);
        assertEquals(6.0 / 25.0, d.featureSparsity(), 1e-15);
        assertEquals(1, d.nHighlyCorr());
        assertEquals(4, d.nAlive());
        assertArrayEquals(new int[] {2, 3, 4}, d.kept());
        // the authors' n_highly_corr = m - |idx| = 5 - 3 = 2 = ours (1) + dead (m - nAlive = 1)
        assertEquals(5 - d.kept().length, d.nHighlyCorr() + (5 - d.nAlive()));
        // without row normalisation the decisions are the same here (equal row norms)
        FeatureSparsity.Dedup raw = FeatureSparsity.dedup(phi, 0.99, false, null);
        assertArrayEquals(new int[] {2, 3, 4}, raw.kept());
        assertEquals(0.24, raw.featureSparsity(), 1e-15);
    }

    /**
     * Rows (1,1), (2,2), (4,4): row normalisation maps every row to (1/sqrt 2, 1/sqrt 2) exactly (the norms
     * sqrt 2, 2 sqrt 2, 4 sqrt 2 differ by powers of two), so both columns are constant, their correlations
     * NaN, nothing is removed: 6 non-zeros / (3 * 2) = 1. Without normalisation the columns are duplicates:
     * the first is removed, 3 / 6 = 0.5.
     */
    @Test
    void rowNormalisationMakesConstantColumnsWhichAreKept() {
        Tensor phi = m(new double[][] {{1, 1}, {2, 2}, {4, 4}});
        FeatureSparsity.Dedup toy = FeatureSparsity.toy(phi, 0.99);
        assertEquals(1.0, toy.featureSparsity(), 0.0);
        assertEquals(0, toy.nHighlyCorr());
        assertEquals(2, toy.nAlive());
        assertArrayEquals(new int[] {0, 1}, toy.kept());
        FeatureSparsity.Dedup raw = FeatureSparsity.dedup(phi, 0.99, false, null);
        assertEquals(0.5, raw.featureSparsity(), 0.0);
        assertEquals(1, raw.nHighlyCorr());
        assertArrayEquals(new int[] {1}, raw.kept());
    }

    /**
     * Columns (k, a, a') with k = 5 constant and a = a' = (1, 2, 3), no row normalisation: k's correlations
     * are NaN (compare false), so k is kept and never causes a removal; a is removed because of a'.
     * Kept (0, 2): non-zeros 3 + 3 = 6 of 3 * 3 = 9.
     */
    @Test
    void constantAliveColumnIsKept() {
        Tensor phi = m(new double[][] {{5, 1, 1}, {5, 2, 2}, {5, 3, 3}});
        FeatureSparsity.Dedup d = FeatureSparsity.dedup(phi, 0.95, false, null);
        assertArrayEquals(new int[] {0, 2}, d.kept());
        assertEquals(1, d.nHighlyCorr());
        assertEquals(6.0 / 9.0, d.featureSparsity(), 1e-15);
    }

    /**
     * With u = (1,-1,0,0), v = (0,0,1,-1) (centred, orthogonal, ||u|| = ||v||): a = 2 + u = (3,1,2,2) and
     * y = 2 + u + beta v = (3, 1, 2 + beta, 2 - beta). corr(a, y) = <u, u + beta v> / (||u|| ||u + beta v||)
     * = 1/sqrt(1 + beta^2). thr 0.99: beta 0.1 gives 0.99504 (a removed, 4 non-zeros of 8 = 0.5), beta 0.2
     * gives 0.98058 (both kept, 8/8 = 1). thr 0.999 (one-dimensional task): beta 0.04 gives 0.99920 (removed),
     * beta 0.05 gives 0.99875 (kept). No row normalisation (Q16.2 path; steps 2-5 are shared).
     */
    @Test
    void nearDuplicatesAboveAndBelowThreshold() {
        double[][] cases = {{0.1, 0.99, 1}, {0.2, 0.99, 0}, {0.04, 0.999, 1}, {0.05, 0.999, 0}};
        for (double[] c : cases) {
            double beta = c[0];
            double thr = c[1];
            boolean removed = c[2] == 1;
            double corr = 1 / Math.sqrt(1 + beta * beta);
            assertEquals(removed, corr > thr, "hand value " + corr);
            Tensor phi = m(new double[][] {{3, 3}, {1, 1}, {2, 2 + beta}, {2, 2 - beta}});
            FeatureSparsity.Dedup d = FeatureSparsity.dedup(phi, thr, false, null);
            assertEquals(removed ? 1 : 0, d.nHighlyCorr(), "beta " + beta + " thr " + thr);
            assertEquals(removed ? 0.5 : 1.0, d.featureSparsity(), 0.0);
            assertArrayEquals(removed ? new int[] {1} : new int[] {0, 1}, d.kept());
        }
    }

    /**
     * Chain with beta = 0.1 on the construction above: a = 2 + u, b = 2 + u + beta v, c = 2 + u + 2 beta v.
     * corr(a,b) = 1/sqrt(1.01) = 0.99504, corr(b,c) = (1 + 2 beta^2)/(sqrt(1 + beta^2) sqrt(1 + 4 beta^2))
     * = 1.02/sqrt(1.01 * 1.04) = 0.99523, corr(a,c) = 1/sqrt(1.04) = 0.98058. thr 0.99.
     * Order (a, b, c): a removed (partner b), then b removed (partner c), c kept: 1 column, 4/12.
     * Order (b, a, c): b removed (partner a), a kept (c is below), c kept: 2 columns, 8/12.
     * Order (a, c, b): a removed (b), c removed (b), b kept.
     */
    @Test
    void chainShowsTheGreedyOrder() {
        double beta = 0.1;
        double ab = 1 / Math.sqrt(1 + beta * beta);
        double bc = (1 + 2 * beta * beta) / (Math.sqrt(1 + beta * beta) * Math.sqrt(1 + 4 * beta * beta));
        double ac = 1 / Math.sqrt(1 + 4 * beta * beta);
        assertTrue(ab > 0.99 && bc > 0.99 && ac < 0.99);
        double[] a = {3, 1, 2, 2};
        double[] b = {3, 1, 2 + beta, 2 - beta};
        double[] c = {3, 1, 2 + 2 * beta, 2 - 2 * beta};
        FeatureSparsity.Dedup abc = FeatureSparsity.dedup(cols(a, b, c), 0.99, false, null);
        assertArrayEquals(new int[] {2}, abc.kept());
        assertEquals(2, abc.nHighlyCorr());
        assertEquals(4.0 / 12.0, abc.featureSparsity(), 1e-15);
        FeatureSparsity.Dedup bac = FeatureSparsity.dedup(cols(b, a, c), 0.99, false, null);
        assertArrayEquals(new int[] {1, 2}, bac.kept());
        assertEquals(1, bac.nHighlyCorr());
        assertEquals(8.0 / 12.0, bac.featureSparsity(), 1e-15);
        FeatureSparsity.Dedup acb = FeatureSparsity.dedup(cols(a, c, b), 0.99, false, null);
        assertArrayEquals(new int[] {2}, acb.kept());
        assertEquals(2, acb.nHighlyCorr());
        // the same pass on an explicit column order: (c, b, a) through the cols argument keeps a
        FeatureSparsity.Dedup order = FeatureSparsity.dedup(cols(a, b, c), 0.99, false, new int[] {2, 1, 0});
        assertArrayEquals(new int[] {0}, order.kept());
        assertArrayEquals(new int[] {2, 1, 0}, order.columns());
    }

    /** Negative correlation counts (|C| > thr): a column and its mirror 10 - a. */
    @Test
    void anticorrelatedColumnsAreDuplicates() {
        Tensor phi = m(new double[][] {{1, 9}, {2, 8}, {4, 6}});
        FeatureSparsity.Dedup d = FeatureSparsity.dedup(phi, 0.99, false, null);
        assertArrayEquals(new int[] {1}, d.kept());
        assertEquals(0.5, d.featureSparsity(), 0.0);
    }

    @Test
    void emptyAndAllDeadMatrices() {
        FeatureSparsity.Dedup dead = FeatureSparsity.toy(Tensor.zeros(3, 4), 0.99);
        assertEquals(0.0, dead.featureSparsity(), 0.0);
        assertEquals(0, dead.nAlive());
        assertEquals(0, dead.kept().length);
        assertTrue(Double.isNaN(FeatureSparsity.toy(Tensor.zeros(0, 4), 0.99).featureSparsity()));
        assertThrows(IllegalArgumentException.class, () -> FeatureSparsity.toy(Tensor.zeros(3), 0.99));
        assertThrows(IllegalArgumentException.class, () -> FeatureSparsity.toy(Tensor.zeros(3, 3), 1.0));
    }

    static Tensor cols(double[]... columns) {
        int n = columns[0].length;
        double[][] rows = new double[n][columns.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < columns.length; j++) {
                rows[i][j] = columns[j][i];
            }
        }
        return Tensor.matrix(rows);
    }

    // ------------------------------------------------------------------ Q16.2

    /** Column j of the 4 x 1200 matrix by j mod 4: dead, A = (1,0,2,0), B = (0,3,1,1), C = 2A = (2,0,4,0). */
    static double[] pattern(int j) {
        switch (j % 4) {
            case 1:
                return new double[] {1, 0, 2, 0};
            case 2:
                return new double[] {0, 3, 1, 1};
            case 3:
                return new double[] {2, 0, 4, 0};
            default:
                return new double[] {0, 0, 0, 0};
        }
    }

    static Tensor bigPhi() {
        double[][] rows = new double[4][1200];
        for (int j = 0; j < 1200; j++) {
            double[] p = pattern(j);
            for (int i = 0; i < 4; i++) {
                rows[i][j] = p[i];
            }
        }
        return Tensor.matrix(rows);
    }

    /**
     * The expected Q16.2 numbers for a given sample of 1000 columns (in draw order). corr(A, C) = 1;
     * corr(A, B): A centred (0.25,-0.75,1.25,-0.75) (sum of squares 2.75), B centred (-1.25,1.75,-0.25,-0.25)
     * (4.75), covariance -0.3125 - 1.3125 - 0.3125 + 0.1875 = -1.75, corr = -1.75/sqrt(2.75*4.75) = -0.484,
     * below 0.95. So the alive sampled columns form two classes {A, C} and {B}; in each class every member but
     * the last sampled one has a later partner and is removed; the last has none left and is kept. Kept: the
     * last sampled A-or-C column (2 non-zeros) and the last sampled B column (3 non-zeros):
     * sparsity_rmdup = 5 / (4 * 1000); n_highly_corr = alive sampled - 2.
     */
    static void checkBig(FeatureSparsity.Dedup d) {
        double cab = -1.75 / Math.sqrt(2.75 * 4.75);
        assertTrue(Math.abs(cab) < 0.95);
        int[] cols = d.columns();
        assertEquals(1000, cols.length);
        Set<Integer> distinct = new HashSet<>();
        int lastAc = -1;
        int lastB = -1;
        int dead = 0;
        for (int c : cols) {
            assertTrue(c >= 0 && c < 1200);
            distinct.add(c);
            switch (c % 4) {
                case 0:
                    dead++;
                    break;
                case 2:
                    lastB = c;
                    break;
                default:
                    lastAc = c;
            }
        }
        assertEquals(1000, distinct.size());
        assertEquals(5.0 / 4000.0, d.featureSparsity(), 1e-18);
        assertEquals(1000 - dead, d.nAlive());
        assertEquals(1000 - dead - 2, d.nHighlyCorr());
        Set<Integer> kept = new HashSet<>();
        for (int k : d.kept()) {
            kept.add(k);
        }
        assertEquals(Set.of(lastAc, lastB), kept);
    }

    @Test
    void deepVariantSubsamplesFromTheProbesStream() {
        Tensor phi = bigPhi();
        FeatureSparsity.Dedup d1 = FeatureSparsity.deep(phi, 0.95, 1000, Rng.stream(11, Rng.PROBES, "x", 3));
        checkBig(d1);
        FeatureSparsity.Dedup d2 = FeatureSparsity.deep(phi, 0.95, 1000, Rng.stream(11, Rng.PROBES, "x", 3));
        assertArrayEquals(d1.columns(), d2.columns());
        assertArrayEquals(d1.kept(), d2.kept());
        FeatureSparsity.Dedup d3 = FeatureSparsity.deep(phi, 0.95, 1000, Rng.stream(11, Rng.PROBES, "x", 4));
        checkBig(d3);
        assertFalse(java.util.Arrays.equals(d1.columns(), d3.columns()));
        // m <= max_neurons: no subsampling, all columns in order; kept = last A/C (1199) and last B (1198)
        FeatureSparsity.Dedup all = FeatureSparsity.deep(phi, 0.95, 2000, null);
        assertEquals(1200, all.columns().length);
        assertArrayEquals(new int[] {1198, 1199}, all.kept());
        assertEquals(5.0 / 4800.0, all.featureSparsity(), 1e-18);
        assertEquals(900 - 2, all.nHighlyCorr());
    }

    /**
     * The diagnostic, deep variant, on a net whose hidden features are exactly bigPhi: x = I_4 (4 inputs),
     * hidden layer relu(x W^T) with W [1200, 4], W[j] = pattern(j), so Phi[i, j] = W[j, i].
     * Raw density: per 4 columns 0 + 2 + 3 + 2 = 7 positives of 16 entries: 7/16.
     */
    @Test
    void deepVariantThroughTheDiagnostic() {
        double[] w = new double[1200 * 4];
        for (int j = 0; j < 1200; j++) {
            System.arraycopy(pattern(j), 0, w, j * 4, 4);
        }
        Serial net = Serial.of(Dense.of(4, 1200).withoutBias(), Activation.RELU, Dense.of(1200, 1).withoutBias());
        Tensor a = Tensor.ones(1, 1200);
        Tensor theta = net.layout().flatten(Map.of("0.weight", Tensor.of(w, 1200, 4), "2.weight", a));
        Dataset train = Dataset.regression("eye", Tensor.eye(4), Tensor.zeros(4, 1));
        Problem p = new Problem(net, Losses.of("mse", MseConvention.PLAIN), train, null);
        StaticProbe probe = StaticProbe.of(p, theta).withSeed(5).withStep(7);
        FeatureSparsity diag = FeatureSparsity.fromParams(Map.of("variant", "deep"));
        FeatureSparsity.Result r = diag.measure(probe);
        assertEquals("deep", r.variant());
        assertEquals(0.95, r.threshold(), 0.0);
        FeatureSparsity.Layer l = r.layers().get(0);
        assertEquals(1, l.layer());
        assertEquals(1200, l.neurons());
        assertEquals(1000, l.sampledNeurons());
        assertEquals(7.0 / 16.0, l.activationDensity(), 1e-15);
        assertEquals(5.0 / 4000.0, l.featureSparsity(), 1e-18);
        assertEquals(900, l.nActiveRelus());
        assertEquals(0.25, l.deadFraction(), 1e-15);
        // the subsample is the one the probes stream of this diagnostic and step gives
        FeatureSparsity.Dedup same = FeatureSparsity.deep(bigPhi(), 0.95, 1000, probe.rng(Rng.PROBES, FeatureSparsity.NAME));
        assertEquals(same.nHighlyCorr(), l.nHighlyCorr());
        checkBig(same);
        // reproducible: the same probe gives the same numbers
        assertEquals(r.layers(), diag.measure(probe).layers());
    }

    @Test
    void fromParamsValidates() {
        FeatureSparsity d = FeatureSparsity.fromParams(Map.of());
        assertEquals(FeatureSparsity.Config.defaults(), d.config());
        assertEquals(0.99, d.config().effectiveThreshold(), 0.0);
        assertEquals(0, d.config().effectiveMaxNeurons());
        assertEquals(1000, FeatureSparsity.Config.deep().effectiveMaxNeurons());
        FeatureSparsity t = FeatureSparsity.fromParams(Map.of("threshold", 0.999, "layers", List.of(1, 2)));
        assertEquals(0.999, t.config().effectiveThreshold(), 0.0);
        assertEquals(ActivationDensity.Layers.of(1, 2), t.config().layers());
        assertEquals(ActivationDensity.Layers.ALL, FeatureSparsity.fromParams(Map.of("layers", "all")).config().layers());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureSparsity.fromParams(Map.of("thr", 0.9)));
        assertTrue(e.getMessage().contains("diagnostics.feature_sparsity") && e.getMessage().contains("thr")
                && e.getMessage().contains("threshold"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureSparsity.fromParams(Map.of("variant", "resnet")));
        assertTrue(e.getMessage().contains("diagnostics.feature_sparsity.variant") && e.getMessage().contains("toy, deep"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureSparsity.fromParams(Map.of("threshold", 1.5)));
        assertTrue(e.getMessage().contains("diagnostics.feature_sparsity.threshold"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FeatureSparsity.fromParams(Map.of("layers", 0)));
        assertTrue(e.getMessage().contains("diagnostics.feature_sparsity.layers"), e.getMessage());
    }

    @Test
    void missingLayerIsAConfigurationError() {
        Serial net = Serial.of(Dense.of(2, 3), Activation.RELU, Dense.of(3, 1));
        Dataset train = Dataset.regression("t", Tensor.randn(new SplittableRandom(1), 5, 2), Tensor.zeros(5, 1));
        Problem p = new Problem(net, Losses.of("mse", MseConvention.PLAIN), train, null);
        StaticProbe probe = StaticProbe.of(p, net.init(new SplittableRandom(2)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FeatureSparsity.fromParams(Map.of("layers", 2)).measure(probe));
        assertTrue(e.getMessage().contains("diagnostics.feature_sparsity.layers") && e.getMessage().contains("1 hidden layer"),
                e.getMessage());
    }
}
