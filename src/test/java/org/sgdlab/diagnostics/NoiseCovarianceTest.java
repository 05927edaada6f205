package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** Per-sample gradients and the gradient-noise covariance of Q9 against one-sample-at-a-time autodiff. */
class NoiseCovarianceTest {

    private static Problem tanhProblem(int n, int physicalBatch, boolean classification) {
        SplittableRandom r = new SplittableRandom(11);
        Tensor x = Tensor.randn(r, n, 3);
        Mlp m = Mlp.of(Activation.TANH, 3, 5, 2);
        Dataset d = classification ? Dataset.classification("c", x, r.ints(n, 0, 2).toArray(), 2)
                : Dataset.regression("r", x, Tensor.randn(r, n, 2));
        return new Problem(m, classification ? Losses.crossEntropy() : Losses.squared(MseConvention.HALF), d, null,
                physicalBatch);
    }

    /** Row i of G, computed alone: the gradient of example i's loss on a one-example batch. */
    private static Tensor oneAtATime(Problem pr, Tensor theta, int i) {
        Dataset one = pr.train().batch(new int[] {i});
        return Autodiff.grad(t -> pr.loss().perExample(pr.model().apply(t, one.x()), one.y()).sum(), theta);
    }

    /** (1/n) sum_i g_i g_i^T - gbar gbar^T by explicit loops. */
    private static double[][] naiveSigma(Tensor g) {
        int n = g.dim(0);
        int p = g.dim(1);
        double[] mean = new double[p];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < p; a++) {
                mean[a] += g.get(i, a) / n;
            }
        }
        double[][] s = new double[p][p];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                double acc = 0;
                for (int i = 0; i < n; i++) {
                    acc += g.get(i, a) * g.get(i, b);
                }
                s[a][b] = acc / n - mean[a] * mean[b];
            }
        }
        return s;
    }

    @Test
    void perSampleGradientsEqualOneAtATimeGradients() {
        for (boolean cls : new boolean[] {false, true}) {
            Problem pr = tanhProblem(7, 1000, cls);
            Tensor th = pr.model().init(new SplittableRandom(3));
            for (int chunk : new int[] {1, 3, 16}) {
                Tensor g = PerSampleGradients.matrix(pr, th, pr.train(), chunk);
                assertArrayEquals(new int[] {7, th.size()}, g.shape());
                for (int i = 0; i < 7; i++) {
                    Tensor row = g.slice(0, i, i + 1).reshape(th.size());
                    double err = Checks.relErr(row, oneAtATime(pr, th, i));
                    assertTrue(err < 1e-13, "row " + i + " chunk " + chunk + " differs: " + err);
                }
                // and their mean is the full gradient
                Tensor full = pr.valueAndGrad(th, pr.train()).grad();
                assertTrue(Checks.relErr(g.mean(0), full) < 1e-13);
            }
        }
    }

    @Test
    void sigmaOperatorsDenseAndTraceAgreeWithTheDefinition() {
        Problem pr = tanhProblem(9, 4, false);                    // chunks of 4 for the JVP/VJP operator
        Tensor th = pr.model().init(new SplittableRandom(5));
        Tensor g = PerSampleGradients.matrix(pr, th, pr.train());
        int p = th.size();
        Tensor naive = Tensor.matrix(naiveSigma(g));
        Tensor dense = NoiseCovariance.dense(g);
        assertTrue(Checks.relErr(dense, naive) < 1e-12, "dense Sigma: " + Checks.relErr(dense, naive));
        SplittableRandom r = new SplittableRandom(8);
        for (int k = 0; k < 3; k++) {
            Tensor v = Tensor.randn(r, p);
            Tensor want = naive.matmul(v);
            Tensor fromG = NoiseCovariance.operator(g).apply(v);
            Tensor free = NoiseCovariance.operator(pr, th, pr.train()).apply(v);
            assertTrue(Checks.relErr(fromG, want) < 1e-12, "G operator: " + Checks.relErr(fromG, want));
            assertTrue(Checks.relErr(free, want) < 1e-11, "JVP/VJP operator: " + Checks.relErr(free, want));
        }
        double tr = 0;
        for (int a = 0; a < p; a++) {
            tr += naive.get(a, a);
        }
        assertEquals(tr, NoiseCovariance.trace(g), 1e-12 * tr);
        // Sigma is PSD and annihilates nothing in particular, but its trace is (1/n) sum ||g_i||^2 - ||g||^2
        double mean2 = g.square().sum().item() / g.dim(0);
        double gbar2 = g.mean(0).square().sum().item();
        assertEquals(mean2 - gbar2, tr, 1e-10 * tr);
    }

    @Test
    void diagnosticReportsTraceAndTopEigenvaluesOnBothPaths() {
        Problem pr = tanhProblem(12, 5, false);
        Tensor th = pr.model().init(new SplittableRandom(6));
        Tensor g = PerSampleGradients.matrix(pr, th, pr.train());
        Tensor naive = Tensor.matrix(naiveSigma(g));
        double[] eig = SymmetricEigen.eigenvalues(naive.add(naive.transpose()).mul(0.5));
        double tr = NoiseCovariance.trace(g);
        StaticProbe probe = StaticProbe.of(pr, th);

        NoiseCovariance stored = new NoiseCovariance(NoiseCovariance.Config.defaults().withTopK(3));
        NoiseCovariance.Result a = stored.measure(probe);
        assertEquals(tr, a.noiseTrace(), 1e-12 * tr);
        assertEquals(12, a.samples());
        assertTrue(a.converged());
        for (int i = 0; i < 3; i++) {
            assertEquals(eig[i], a.noiseEig()[i], 1e-10 * eig[0], "eigenvalue " + i);
        }
        assertEquals(g.mean(0).square().sum().item(), a.gradNormSq(), 1e-12 * a.gradNormSq());
        assertEquals(a.noiseTrace(), a.meanSqGradNorm() - a.gradNormSq(), 1e-10 * a.noiseTrace());

        // streamed G, Lanczos on the JVP/VJP operator
        NoiseCovariance streamed = new NoiseCovariance(NoiseCovariance.Config.defaults().withTopK(2)
                .withMaxStoredEntries(0));
        NoiseCovariance.Result b = streamed.measure(probe);
        assertEquals(tr, b.noiseTrace(), 1e-12 * tr);
        assertTrue(b.converged(), "Lanczos did not converge: " + b);
        assertTrue(b.applications() > 0);
        for (int i = 0; i < 2; i++) {
            assertEquals(eig[i], b.noiseEig()[i], 1e-6 * eig[0], "Lanczos eigenvalue " + i);
        }
        // warm start survives export/import
        NoiseCovariance resumed = new NoiseCovariance(streamed.config());
        resumed.importState(streamed.exportState());
        assertEquals(streamed.exportState().get("eigenvectors").size(), resumed.exportState().get("eigenvectors").size());
    }

    @Test
    void subsetFirstNUsesTheFirstRows() {
        Problem pr = tanhProblem(10, 1000, false);
        Tensor th = pr.model().init(new SplittableRandom(2));
        Tensor g = PerSampleGradients.matrix(pr, th, pr.train().first(4));
        NoiseCovariance nc = NoiseCovariance.fromParams(Map.of("subset", "first_n", "subset_size", 4));
        NoiseCovariance.Result r = nc.measure(StaticProbe.of(pr, th));
        assertEquals(4, r.samples());
        assertEquals(NoiseCovariance.trace(g), r.noiseTrace(), 1e-12 * r.noiseTrace());
    }

    @Test
    void badParametersNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NoiseCovariance.fromParams(Map.of("topk", 3)));
        assertTrue(e.getMessage().contains("diagnostics.noise") && e.getMessage().contains("top_k"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NoiseCovariance.fromParams(Map.of("subset", "some")));
        assertTrue(e.getMessage().contains("diagnostics.noise.subset") && e.getMessage().contains("first_n"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NoiseCovariance.fromParams(Map.of("top_k", -1)));
        assertTrue(e.getMessage().contains("diagnostics.noise.top_k"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> NoiseCovariance.dense(Tensor.zeros(3)));
    }
}
