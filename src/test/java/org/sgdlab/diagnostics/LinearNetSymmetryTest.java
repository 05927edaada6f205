package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Synthetic;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.Init;
import org.sgdlab.nn.Layout;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.Serial;
import org.sgdlab.nn.TwoLayerLinear;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** Q15.5-Q15.7 for the two-layer linear network f = U W x against autodiff, dense Hessians and brute force. */
class LinearNetSymmetryTest {

    private static final int D = 4;
    private static final int H = 3;
    private static final int O = 3;     // o >= h, so U^T U (and A of Q15.6) is nonsingular

    private static Dataset data(int n, long seed) {
        // anisotropic inputs (phi = 0.25) so that the orbit is not trivial
        return Synthetic.linearTeacher(n, 1, new double[] {0.25, 0.25, 1, 1}, O, new double[] {0.5},
                new SplittableRandom(seed)).train();
    }

    private static Problem problem(MseConvention c, int n) {
        TwoLayerLinear m = TwoLayerLinear.of(D, H, O).withInit(Init.normal(0.5));
        return new Problem(m, Losses.squared(c), data(n, 3), null);
    }

    private static Tensor w(Problem pr, Tensor theta) {
        return pr.model().layout().view(theta, "W");
    }

    private static Tensor u(Problem pr, Tensor theta) {
        return pr.model().layout().view(theta, "U");
    }

    @Test
    void closedFormPerSampleGradientsEqualAutodiff() {
        for (MseConvention c : MseConvention.values()) {
            Problem pr = problem(c, 15);
            Tensor theta = pr.model().init(new SplittableRandom(1));
            Tensor g = PerSampleGradients.matrix(pr, theta, pr.train());
            LinearNetSymmetry.PerSample ad = LinearNetSymmetry.split(pr.model().layout(), "W", "U", g);
            LinearNetSymmetry.PerSample cf = LinearNetSymmetry.perSampleGradients(w(pr, theta), u(pr, theta),
                    pr.train().x(), pr.train().y(), c.factor());
            assertArrayEquals(new int[] {15, H, D}, cf.gW().shape());
            assertArrayEquals(new int[] {15, O, H}, cf.gU().shape());
            assertTrue(Checks.relErr(cf.gW(), ad.gW()) < 1e-13, "g_W: " + Checks.relErr(cf.gW(), ad.gW()));
            assertTrue(Checks.relErr(cf.gU(), ad.gU()) < 1e-13, "g_U: " + Checks.relErr(cf.gU(), ad.gU()));
        }
    }

    /** (1/n) sum_i A_i A_i^T - Abar Abar^T (transposeFirst: A_i^T A_i - Abar^T Abar), by loops. */
    private static double[][] naiveBlock(Tensor gs, boolean transposeFirst) {
        int n = gs.dim(0);
        int r = gs.dim(1);
        int s = gs.dim(2);
        int h = transposeFirst ? s : r;
        double[][] mean = new double[r][s];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < r; a++) {
                for (int b = 0; b < s; b++) {
                    mean[a][b] += gs.get(i, a, b) / n;
                }
            }
        }
        double[][] out = new double[h][h];
        for (int a = 0; a < h; a++) {
            for (int b = 0; b < h; b++) {
                double acc = 0;
                double mm = 0;
                int inner = transposeFirst ? r : s;
                for (int k = 0; k < inner; k++) {
                    for (int i = 0; i < n; i++) {
                        acc += transposeFirst ? gs.get(i, k, a) * gs.get(i, k, b) : gs.get(i, a, k) * gs.get(i, b, k);
                    }
                    mm += transposeFirst ? mean[k][a] * mean[k][b] : mean[a][k] * mean[b][k];
                }
                out[a][b] = acc / n - mm;
            }
        }
        return out;
    }

    @Test
    void closedFormNoiseBlocksEqualAutodiffBlocks() {
        for (MseConvention c : MseConvention.values()) {
            Problem pr = problem(c, 20);
            Tensor theta = pr.model().init(new SplittableRandom(2));
            LinearNetSymmetry.NoiseBlocks cf = LinearNetSymmetry.noiseBlocks(w(pr, theta), u(pr, theta), pr.train().x(),
                    pr.train().y(), c.factor());
            LinearNetSymmetry.PerSample ad = LinearNetSymmetry.split(pr.model().layout(), "W", "U",
                    PerSampleGradients.matrix(pr, theta, pr.train()));
            Tensor sw = Tensor.matrix(naiveBlock(ad.gW(), false));
            Tensor su = Tensor.matrix(naiveBlock(ad.gU(), true));
            assertTrue(Checks.relErr(cf.sigmaW(), sw) < 1e-12, "Sigma_W: " + Checks.relErr(cf.sigmaW(), sw));
            assertTrue(Checks.relErr(cf.sigmaU(), su) < 1e-12, "Sigma_U: " + Checks.relErr(cf.sigmaU(), su));
            LinearNetSymmetry.NoiseBlocks fromG = LinearNetSymmetry.noiseBlocks(ad.gW(), ad.gU());
            assertTrue(Checks.relErr(fromG.sigmaW(), sw) < 1e-12);
            assertTrue(Checks.relErr(fromG.sigmaU(), su) < 1e-12);
            double rho = sw.sub(su).norm() / (sw.norm() + su.norm());
            assertEquals(rho, cf.imbalance(), 1e-12);
            // the traces of the blocks are the traces of the W and U blocks of the full Sigma (Q9)
            Tensor sigma = NoiseCovariance.dense(PerSampleGradients.matrix(pr, theta, pr.train()));
            double trW = 0;
            double trU = 0;
            for (int i = 0; i < sigma.dim(0); i++) {
                if (i < H * D) {
                    trW += sigma.get(i, i);
                } else {
                    trU += sigma.get(i, i);
                }
            }
            assertEquals(trW, LinearNetSymmetry.trace(cf.sigmaW()), 1e-12 * trW);
            assertEquals(trU, LinearNetSymmetry.trace(cf.sigmaU()), 1e-12 * trU);
        }
    }

    private static double denseTraceH(Problem pr, Tensor theta) {
        Tensor hess = Autodiff.hessian(pr.objective(pr.train()), theta);
        double tr = 0;
        for (int i = 0; i < hess.dim(0); i++) {
            tr += hess.get(i, i);
        }
        return tr;
    }

    @Test
    void traceHClosedFormEqualsTheDenseHessianTrace() {
        for (MseConvention c : MseConvention.values()) {
            Problem pr = problem(c, 25);
            Tensor theta = pr.model().init(new SplittableRandom(4));
            double exact = denseTraceH(pr, theta);
            double cf = LinearNetSymmetry.traceH(w(pr, theta), u(pr, theta), pr.train().x(), c.factor());
            assertEquals(exact, cf, 1e-11 * exact);
        }
    }

    /** e^{s B} for symmetric B, by its eigen-decomposition. */
    private static Tensor expm(Tensor b, double s) {
        SymmetricEigen.Result e = SymmetricEigen.decompose(b.add(b.transpose()).mul(0.5));
        double[] lam = e.values();
        double[][] m = new double[lam.length][lam.length];
        for (int i = 0; i < lam.length; i++) {
            for (int j = 0; j < lam.length; j++) {
                double acc = 0;
                for (int k = 0; k < lam.length; k++) {
                    acc += e.vectors().get(i, k) * Math.exp(s * lam[k]) * e.vectors().get(j, k);
                }
                m[i][j] = acc;
            }
        }
        return Tensor.matrix(m);
    }

    /** log of an SPD matrix. */
    private static Tensor logm(Tensor p) {
        SymmetricEigen.Result e = SymmetricEigen.decompose(p.add(p.transpose()).mul(0.5));
        double[] lam = e.values();
        double[][] m = new double[lam.length][lam.length];
        for (int i = 0; i < lam.length; i++) {
            for (int j = 0; j < lam.length; j++) {
                double acc = 0;
                for (int k = 0; k < lam.length; k++) {
                    acc += e.vectors().get(i, k) * Math.log(lam[k]) * e.vectors().get(j, k);
                }
                m[i][j] = acc;
            }
        }
        return Tensor.matrix(m);
    }

    private static Tensor randomSymmetric(SplittableRandom r, double scale) {
        Tensor a = Tensor.randn(r, H, H);
        return a.add(a.transpose()).mul(0.5 * scale);
    }

    @Test
    void orbitMinimumIsBelowEveryOrbitPointAndAttainedAtPStar() {
        double c = 1.0;
        Problem pr = problem(MseConvention.PLAIN, 40);
        Tensor theta = pr.model().init(new SplittableRandom(5));
        Tensor w = w(pr, theta);
        Tensor u = u(pr, theta);
        Tensor x = pr.train().x();
        LinearNetSymmetry.OrbitMinimum om = LinearNetSymmetry.orbitMinimum(w, u, x, c);
        assertTrue(om.attained());
        double pred = om.traceH();
        double here = LinearNetSymmetry.traceH(w, u, x, c);
        assertTrue(pred <= here, pred + " > " + here);
        // attained at P* = e^{2 B*}: evaluate Tr H there with the dense Hessian
        Tensor bStar = logm(om.pStar()).mul(0.5);
        Tensor wStar = expm(bStar, 1).matmul(w);
        Tensor uStar = u.matmul(expm(bStar, -1));
        Tensor thetaStar = Tensor.concat(0, wStar.flatten(), uStar.flatten());
        assertEquals(pred, denseTraceH(pr, thetaStar), 1e-10 * pred);
        // the orbit point has the same product U W (same function) and the same prediction
        assertTrue(Checks.relErr(uStar.matmul(wStar), u.matmul(w)) < 1e-12);
        assertEquals(pred, LinearNetSymmetry.orbitMinimum(wStar, uStar, x, c).traceH(), 1e-10 * pred);
        // random orbit points never go below it
        SplittableRandom r = new SplittableRandom(6);
        for (double scale : new double[] {0.01, 0.1, 0.5, 1.0, 2.0}) {
            for (int k = 0; k < 200; k++) {
                Tensor b = randomSymmetric(r, scale);
                double v = LinearNetSymmetry.traceH(expm(b, 1).matmul(w), u.matmul(expm(b, -1)), x, c);
                assertTrue(v >= pred * (1 - 1e-12), "orbit point below the minimum: " + v + " < " + pred);
                Tensor bp = bStar.add(randomSymmetric(r, scale * 1e-2));
                double vp = LinearNetSymmetry.traceH(expm(bp, 1).matmul(w), u.matmul(expm(bp, -1)), x, c);
                assertTrue(vp >= pred * (1 - 1e-12), "perturbed optimum below the minimum: " + vp + " < " + pred);
            }
        }
        // brute-force minimisation over symmetric B ((1+1) evolution strategy from B = 0) approaches it from above
        Tensor best = Tensor.zeros(H, H);
        double bestV = here;
        double sigma = 0.3;
        for (int it = 0; it < 4000; it++) {
            Tensor cand = best.add(randomSymmetric(r, sigma));
            double v = LinearNetSymmetry.traceH(expm(cand, 1).matmul(w), u.matmul(expm(cand, -1)), x, c);
            if (v < bestV) {
                best = cand;
                bestV = v;
                sigma *= 1.5;
            } else {
                sigma *= 0.93;
            }
            sigma = Math.max(sigma, 1e-7);
        }
        assertTrue(bestV >= pred * (1 - 1e-12));
        assertTrue(bestV <= pred * (1 + 1e-6), "search found " + bestV + ", prediction " + pred);
    }

    @Test
    void singularOrbitGivesTheInfimumWithoutAMinimiser() {
        // rank-deficient U (a zero hidden unit in U): A is singular, the infimum is not attained
        Tensor w = Tensor.matrix(new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}});
        Tensor u = Tensor.matrix(new double[][] {{1, 0, 0}, {0, 1, 0}});
        Tensor x = Tensor.eye(4).mul(2);                                   // Sigma_x = I
        LinearNetSymmetry.OrbitMinimum om = LinearNetSymmetry.orbitMinimum(w, u, x, 1.0);
        assertFalse(om.attained());
        // A = 4 diag(1, 1, 0), C = 2 diag(1, 1, 1): inf = 4 (sqrt(8) + sqrt(8) + 0)
        assertEquals(8 * Math.sqrt(8), om.traceH(), 1e-12);
        // it is approached along B = diag(b, b, -s), e^{2b} = sqrt(4/2) (the optimum of 4/p + 2p), s -> inf:
        // Tr H = 2 (2 (4/sqrt 2 + 2 sqrt 2) + 2 e^{-2s})
        double b = 0.25 * Math.log(2);
        Tensor bt = Tensor.matrix(new double[][] {{b, 0, 0}, {0, b, 0}, {0, 0, -20}});
        double tail = LinearNetSymmetry.traceH(expm(bt, 1).matmul(w), u.matmul(expm(bt, -1)), x, 1.0);
        assertEquals(om.traceH(), tail, 1e-12 * tail + 1e-10);
    }

    @Test
    void stableRankCosineAndFrobeniusCosineHelpers() {
        assertEquals(10.0 / 9.0, LinearNetSymmetry.stableRank(Tensor.matrix(new double[][] {{3, 0, 0}, {0, 1, 0}})),
                1e-14);
        Tensor a = Tensor.vector(1, 2, 2);
        Tensor b = Tensor.vector(3, 0, 4, 1);
        Tensor rank1 = a.reshape(3, 1).matmul(b.reshape(1, 4));
        assertEquals(1.0, LinearNetSymmetry.stableRank(rank1), 1e-13);
        assertEquals(0.0, LinearNetSymmetry.stableRank(Tensor.zeros(2, 2)), 0);
        // W = diag(2, 1): s_1 = e_1; u = (1, 1) -> 1/sqrt(2); u = (0, 3) -> 0
        Tensor wd = Tensor.matrix(new double[][] {{2, 0}, {0, 1}});
        assertEquals(1 / Math.sqrt(2), LinearNetSymmetry.cosTopLeftSingular(Tensor.vector(1, 1), wd), 1e-14);
        assertEquals(0.0, LinearNetSymmetry.cosTopLeftSingular(Tensor.vector(0, 3), wd), 1e-14);
        // W = a b^T: s_1 = a/|a|, so cos(a, s_1) = 1 and cos((2, -1, 0), s_1) = 0
        assertEquals(1.0, LinearNetSymmetry.cosTopLeftSingular(a.mul(-5), rank1), 1e-14);
        assertEquals(0.0, LinearNetSymmetry.cosTopLeftSingular(Tensor.vector(2, -1, 0), rank1), 1e-14);
        // Frobenius cosine: <A, B> = 1*0 + 2*1 + 3*1 + 4*0 = 5, |A| = sqrt(30), |B| = sqrt(2)
        Tensor ma = Tensor.matrix(new double[][] {{1, 2}, {3, 4}});
        Tensor mb = Tensor.matrix(new double[][] {{0, 1}, {1, 0}});
        assertEquals(5 / Math.sqrt(60), LinearNetSymmetry.frobeniusCosine(ma, mb), 1e-15);
        assertEquals(0.0, LinearNetSymmetry.frobeniusCosine(ma, Tensor.zeros(2, 2)), 0);
        assertThrows(IllegalArgumentException.class, () -> LinearNetSymmetry.frobeniusCosine(ma, Tensor.zeros(3)));
        // M = W W^T - U^T U by hand
        Tensor w = Tensor.matrix(new double[][] {{1, 2}, {0, 1}});
        Tensor u = Tensor.matrix(new double[][] {{1, 1}});
        Tensor m = LinearNetSymmetry.m(w, u);
        assertEquals(5 - 1, m.get(0, 0), 0);
        assertEquals(2 - 1, m.get(0, 1), 0);
        assertEquals(1 - 1, m.get(1, 1), 0);
    }

    @Test
    void diagnosticAgreesWithTheStaticFormulasAndTheAutodiffPath() {
        Problem pr = problem(MseConvention.PLAIN, 30);
        Tensor theta = pr.model().init(new SplittableRandom(8));
        Tensor w = w(pr, theta);
        Tensor u = u(pr, theta);
        Tensor x = pr.train().x();
        Tensor y = pr.train().y();
        StaticProbe probe = StaticProbe.of(pr, theta);
        LinearNetSymmetry.Result r = LinearNetSymmetry.fromParams(Map.of()).measure(probe);
        assertTrue(r.closedForm());
        Tensor m = LinearNetSymmetry.m(w, u);
        assertEquals(m.norm(), r.mFrob(), 1e-14 * m.norm());
        assertEquals(6, r.mEntries().length);                             // h = 3: the 6 upper-triangle entries
        assertEquals(m.get(0, 0), r.mEntries()[0], 0);
        assertEquals(m.get(0, 2), r.mEntries()[2], 0);
        assertEquals(m.get(1, 1), r.mEntries()[3], 0);
        LinearNetSymmetry.NoiseBlocks nb = LinearNetSymmetry.noiseBlocks(w, u, x, y, 1.0);
        assertEquals(nb.imbalance(), r.noiseImbalance(), 1e-14);
        assertEquals(denseTraceH(pr, theta), r.traceH(), 1e-11 * r.traceH());
        assertEquals(LinearNetSymmetry.orbitMinimum(w, u, x, 1.0).traceH(), r.traceHPredicted(), 1e-14 * r.traceH());
        double trSigma = NoiseCovariance.trace(PerSampleGradients.matrix(pr, theta, pr.train()));
        assertEquals(trSigma, r.noiseTrace(), 1e-12 * trSigma);       // W and U are all the parameters
        assertEquals(w.square().sum().item(), r.normW2(), 1e-14);
        assertTrue(Double.isNaN(r.cosUS1()));                          // o = 3
        // representation similarity by loops: Sigma_x, Sigma_r
        int n = 30;
        double[][] sx = new double[D][D];
        double[][] sr = new double[O][O];
        Tensor res = x.matmul(w, false, true).matmul(u, false, true).sub(y);
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < D; a++) {
                for (int b = 0; b < D; b++) {
                    sx[a][b] += x.get(i, a) * x.get(i, b) / n;
                }
            }
            for (int a = 0; a < O; a++) {
                for (int b = 0; b < O; b++) {
                    sr[a][b] += res.get(i, a) * res.get(i, b) / n;
                }
            }
        }
        Tensor rep = w.matmul(Tensor.matrix(sx)).matmul(w.transpose());
        Tensor repU = u.transpose().matmul(Tensor.matrix(sr)).matmul(u);
        assertEquals(rep.dotValue(repU) / (rep.norm() * repU.norm()), r.repSimilarity(), 1e-13);
        Tensor utu = u.transpose().matmul(u);
        assertEquals(rep.dotValue(utu) / (rep.norm() * utu.norm()), r.repSimilarityUu(), 1e-13);

        // the autodiff path gives the same noise quantities and no closed-form trace
        LinearNetSymmetry.Result ad = new LinearNetSymmetry(LinearNetSymmetry.Config.defaults().withClosedForm("never"))
                .measure(probe);
        assertFalse(ad.closedForm());
        assertEquals(r.noiseImbalance(), ad.noiseImbalance(), 1e-12);
        assertEquals(r.noiseTrace(), ad.noiseTrace(), 1e-12 * r.noiseTrace());
        assertTrue(Double.isNaN(ad.traceH()));
        assertEquals(30, ad.vjps());
    }

    @Test
    void scalarOutputReportsTheAlignmentAndNonlinearNetsUseAutodiff() {
        TwoLayerLinear m1 = TwoLayerLinear.of(D, H, 1).withInit(Init.normal(0.5));
        Dataset d1 = Synthetic.linearTeacher(12, 1, new double[] {1, 1, 1, 1}, 1, new double[] {0.5},
                new SplittableRandom(2)).train();
        Problem p1 = new Problem(m1, Losses.squared(MseConvention.PLAIN), d1, null);
        Tensor th1 = m1.init(new SplittableRandom(3));
        LinearNetSymmetry.Result r1 = LinearNetSymmetry.fromParams(Map.of("m_entries", List.of(List.of(2, 1),
                List.of(0, 7)))).measure(StaticProbe.of(p1, th1));
        Tensor w = m1.layout().view(th1, "W");
        Tensor u = m1.layout().view(th1, "U").reshape(H);
        assertEquals(LinearNetSymmetry.cosTopLeftSingular(u, w), r1.cosUS1(), 1e-14);
        assertEquals(LinearNetSymmetry.stableRank(w), r1.stableRankW(), 1e-14);
        assertEquals(LinearNetSymmetry.m(w, u.reshape(1, H)).get(2, 1), r1.mEntries()[0], 0);
        assertTrue(Double.isNaN(r1.mEntries()[1]));                     // outside h x h

        // S6-style tanh network f = U tanh(W x): blocks 0.weight and 2.weight
        Serial tanhNet = Serial.of(Dense.of(D, H).withoutBias(), Activation.TANH, Dense.of(H, O).withoutBias());
        Problem p2 = new Problem(tanhNet, Losses.squared(MseConvention.PLAIN), data(10, 4), null);
        Tensor th2 = tanhNet.init(new SplittableRandom(4));
        LinearNetSymmetry.Result r2 = LinearNetSymmetry.fromParams(Map.of("w_block", "0.weight",
                "u_block", "2.weight")).measure(StaticProbe.of(p2, th2));
        assertFalse(r2.closedForm());
        assertTrue(Double.isNaN(r2.traceH()) && Double.isNaN(r2.traceHPredicted()));
        Layout l2 = tanhNet.layout();
        LinearNetSymmetry.PerSample ps = LinearNetSymmetry.split(l2, "0.weight", "2.weight",
                PerSampleGradients.matrix(p2, th2, p2.train()));
        Tensor sw = Tensor.matrix(naiveBlock(ps.gW(), false));
        Tensor su = Tensor.matrix(naiveBlock(ps.gU(), true));
        assertEquals(sw.sub(su).norm() / (sw.norm() + su.norm()), r2.noiseImbalance(), 1e-12);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LinearNetSymmetry.fromParams(Map.of("closed_form", "always")));
        assertTrue(e.getMessage().contains("diagnostics.symmetry.closed_form"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinearNetSymmetry.fromParams(Map.of("wblock", "W")));
        assertTrue(e.getMessage().contains("w_block"), e.getMessage());
    }
}
