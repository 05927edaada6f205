package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.DiagonalLinearNet;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.Serial;
import org.sgdlab.tensor.Tensor;

/** Jacobian rank (Q16.3) on models with known rank-deficient Jacobians, and the DLN formula. */
class JacobianRankTest {

    static Problem problem(org.sgdlab.nn.Model m, Tensor xTrain, Tensor xTest, int k) {
        Dataset train = Dataset.regression("train", xTrain, Tensor.zeros(xTrain.dim(0), k));
        Dataset test = xTest == null ? null : Dataset.regression("test", xTest, Tensor.zeros(xTest.dim(0), k));
        return new Problem(m, Losses.of("mse", MseConvention.PLAIN), train, test);
    }

    /**
     * f(x) = w.x + b on R^5 (p = 6): the Jacobian rows are (x_i, 1), exactly. With test points
     * x_i = alpha_i s_1 + beta_i s_2 in a 2-dimensional subspace, J = [X, 1] has rank 3 (generic alpha, beta).
     */
    @Test
    void linearModelOnASubspace() {
        SplittableRandom r = new SplittableRandom(5);
        Tensor s = Tensor.randn(r, 2, 5);
        Tensor coef = Tensor.randn(r, 8, 2);
        Tensor xTest = coef.matmul(s);                                   // [8, 2] @ [2, 5]
        Dense lin = Dense.of(5, 1);
        Tensor theta = lin.init(r);
        Problem p = problem(lin, Tensor.randn(r, 4, 5), xTest, 1);
        JacobianRank.Result res = JacobianRank.fromParams(Map.of()).measure(StaticProbe.of(p, theta));
        assertEquals(6, res.numPoints());                                // X_test[:p]
        assertEquals(6, res.numParams());
        assertEquals(6, res.rows());
        assertEquals(6, res.vjps());
        assertEquals(1e-4, res.threshold(), 0.0);
        assertEquals(3, res.rank());
        assertTrue(res.sigmaNext() / res.sigmaMax() < 1e-12, "the zero singular values are rounding: " + res);
        assertTrue(res.sigmaRank() / res.sigmaMax() > 1e-4);
        assertTrue(res.converged());
        Tensor j = JacobianRank.jacobian(lin, theta, xTest.slice(0, 0, 6));
        Tensor want = Tensor.concat(1, xTest.slice(0, 0, 6), Tensor.ones(6, 1));
        assertEquals(0.0, j.sub(want).abs().max().item(), 1e-15);
        // all 8 test points ("count: 0"): still rank 3
        assertEquals(3, JacobianRank.fromParams(Map.of("count", 0)).measure(StaticProbe.of(p, theta)).rank());
    }

    /**
     * 1-D linear model f(x) = w x + b on a grid of 5 points over [min x, max x] = [-1, 3]: points -1, 0, 1, 2, 3,
     * J = [x 1], J^T J = [[15, 5], [5, 5]], eigenvalues 10 +- sqrt(50), singular values their square roots.
     */
    @Test
    void gridPointsOneDimensional() {
        Dense lin = Dense.of(1, 1);
        Tensor theta = Tensor.vector(0.7, -0.2);
        Problem p = problem(lin, Tensor.matrix(new double[][] {{0}, {3}, {-1}, {2}}), null, 1);
        JacobianRank jr = JacobianRank.fromParams(Map.of("points", "grid", "count", 5));
        assertEquals(0.0, jr.points(StaticProbe.of(p, theta)).sub(Tensor.matrix(
                new double[][] {{-1}, {0}, {1}, {2}, {3}})).abs().max().item(), 1e-15);
        JacobianRank.Result res = jr.measure(StaticProbe.of(p, theta));
        assertEquals(2, res.rank());
        assertEquals(5, res.numPoints());
        assertEquals(Math.sqrt(10 + Math.sqrt(50)), res.sigmaMax(), 1e-13);
        assertEquals(Math.sqrt(10 - Math.sqrt(50)), res.sigmaMin(), 1e-13);
        assertTrue(Double.isNaN(res.sigmaNext()));
        // uniform points: inside [-1, 3], reproducible from the probes stream, fresh at another step
        JacobianRank u = JacobianRank.fromParams(Map.of("points", "uniform", "count", 7));
        Tensor pts = u.points(StaticProbe.of(p, theta).withStep(3));
        assertEquals(7, pts.dim(0));
        assertTrue(-pts.neg().max().item() >= -1 && pts.max().item() <= 3);
        assertEquals(0.0, pts.sub(u.points(StaticProbe.of(p, theta).withStep(3))).abs().max().item(), 0.0);
        assertTrue(pts.sub(u.points(StaticProbe.of(p, theta).withStep(4))).abs().max().item() > 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JacobianRank.fromParams(Map.of("points", "grid", "count", 3))
                        .measure(StaticProbe.of(problem(Dense.of(2, 1), Tensor.ones(3, 2), null, 1), Tensor.zeros(3))));
        assertTrue(e.getMessage().contains("diagnostics.jacobian_rank.points"), e.getMessage());
    }

    /** Two-layer ReLU net 3 -> 4 -> 2 with biases in the first layer: neuron 1 duplicates neuron 0. */
    static Tensor dupTheta(Serial net, boolean duplicate, SplittableRandom r) {
        Map<String, Tensor> parts = new LinkedHashMap<>(net.layout().unflatten(net.init(r)));
        if (duplicate) {
            double[] w = parts.get("0.weight").toArray();           // [4, 3]
            double[] b = parts.get("0.bias").toArray();
            double[] a = parts.get("2.weight").toArray();           // [2, 4]
            System.arraycopy(w, 0, w, 3, 3);
            b[1] = b[0];
            a[1] = a[0];
            a[4 + 1] = a[4];
            parts.put("0.weight", Tensor.of(w, 4, 3));
            parts.put("0.bias", Tensor.vector(b));
            parts.put("2.weight", Tensor.of(a, 2, 4));
        }
        return net.layout().flatten(parts);
    }

    /**
     * The Jacobian rows are sample-major per-sample gradients (oracle: Autodiff.grad of each output
     * f_a(x_i), assembled in the test), and the rank equals the count of sqrt(eig(J J^T)) / sigma_1 > 1e-4
     * (an independent route). Duplicating neuron 0 into neuron 1 makes neuron 1's columns equal to neuron
     * 0's, so the rank equals that of the same net without neuron 1 (3 neurons, p = 3*3 + 3 + 2*3 = 18).
     */
    @Test
    void duplicatedNeuronsAndPerSampleGradients() {
        SplittableRandom r = new SplittableRandom(17);
        Serial net = Serial.of(Dense.of(3, 4), Activation.RELU, Dense.of(4, 2).withoutBias());
        Tensor theta = dupTheta(net, true, r);
        Tensor x = Tensor.randn(new SplittableRandom(3), 30, 3);            // 30 > CHUNK = 16: two chunks
        Tensor j = JacobianRank.jacobian(net, theta, x);
        assertEquals(60, j.dim(0));
        assertEquals(24, j.dim(1));                                        // 4*3 + 4 + 2*4
        for (int i = 0; i < 30; i++) {
            Tensor xi = x.slice(0, i, i + 1);
            for (int a = 0; a < 2; a++) {
                int col = a;
                Tensor g = Autodiff.grad(t -> net.apply(t, xi).reshape(-1).slice(0, col, col + 1).sum(), theta);
                assertEquals(0.0, j.slice(0, 2 * i + a, 2 * i + a + 1).reshape(-1).sub(g).abs().max().item(), 1e-14);
            }
        }
        double[] lam = SymmetricEigen.eigenvalues(j.matmul(j, false, true));    // [60, 26] @ [26, 60]
        int want = 0;
        for (double l : lam) {
            if (Math.sqrt(Math.max(l, 0)) / Math.sqrt(lam[0]) > 1e-4) {
                want++;
            }
        }
        Problem p = problem(net, x, x, 2);
        JacobianRank.Result res = JacobianRank.fromParams(Map.of("points", "train", "count", 0))
                .measure(StaticProbe.of(p, theta));
        assertEquals(want, res.rank());
        assertEquals(60, res.vjps());
        // the reduced net (neuron 1 removed) has the same rank
        Serial small = Serial.of(Dense.of(3, 3), Activation.RELU, Dense.of(3, 2).withoutBias());
        Map<String, Tensor> big = net.layout().unflatten(theta);
        int[] keep = {0, 2, 3};
        Tensor th3 = small.layout().flatten(Map.of(
                "0.weight", big.get("0.weight").indexSelect(0, keep),
                "0.bias", big.get("0.bias").indexSelect(0, keep),
                "2.weight", big.get("2.weight").indexSelect(1, keep)));
        int rank3 = JacobianRank.fromParams(Map.of("points", "train", "count", 0))
                .measure(StaticProbe.of(problem(small, x, x, 2), th3)).rank();
        assertEquals(rank3, res.rank());
        assertTrue(res.rank() <= 18 && res.rank() < 24);
        // without the duplicate the 4-neuron net has more rank
        int full = JacobianRank.fromParams(Map.of("points", "train", "count", 0))
                .measure(StaticProbe.of(p, dupTheta(net, false, new SplittableRandom(17)))).rank();
        assertTrue(full > res.rank(), full + " vs " + res.rank());
    }

    /**
     * DLN beta = u ⊙ v, d = 4, on X_e = X_test[:2d]: u = (1, 0, 0.5, 1e-20), v = (0, 0, 2, 0). The columns of
     * coordinate j are u_j x_j and v_j x_j; non-negligible (u_j, v_j) only for j = 0 and 2, so the rank
     * (tolerance 1e-15) is 2. ||u ⊙ v||_0 with tau = 1e-3: u ⊙ v = (0, 0, 1, 0), one coordinate.
     */
    @Test
    void diagonalLinearNetwork() {
        DiagonalLinearNet dln = DiagonalLinearNet.product(4);
        Tensor u = Tensor.vector(1, 0, 0.5, 1e-20);
        Tensor v = Tensor.vector(0, 0, 2, 0);
        Tensor theta = Tensor.concat(0, u, v);
        SplittableRandom r = new SplittableRandom(2);
        Tensor xTest = Tensor.randn(r, 20, 4);
        Problem p = problem(dln, Tensor.randn(r, 5, 4), xTest, 1);
        JacobianRank.Result res = JacobianRank.fromParams(Map.of()).measure(StaticProbe.of(p, theta));
        assertEquals(8, res.numPoints());
        assertEquals(1e-15, res.threshold(), 0.0);
        assertEquals(2, res.rank());
        assertEquals(1.0, res.betaL0(), 0.0);
        assertEquals(0, res.vjps());
        assertEquals(1, JacobianRank.l0(u, v, 1e-3));
        assertEquals(1, JacobianRank.l0(u, v, 0.0));                     // u_3 v_3 = 1e-20 * 0 = 0
        // the closed form has the singular values of the autodiff Jacobian [X diag(v), X diag(u)]
        Tensor xe = xTest.slice(0, 0, 8);
        double[] closed = FeatureRanks.singularValues(JacobianRank.dlnMatrix(xe, u, v));
        double[] auto = FeatureRanks.singularValues(JacobianRank.jacobian(dln, theta, xe));
        for (int i = 0; i < closed.length; i++) {
            assertEquals(closed[i], auto[i], 1e-13 * closed[0]);
        }
        // every coordinate alive: rank d = 4 (X_e has full column rank)
        Tensor theta2 = Tensor.concat(0, Tensor.vector(1, 2, 0.5, 1e-3), Tensor.vector(0, 1, 2, 0));
        assertEquals(4, JacobianRank.fromParams(Map.of()).measure(StaticProbe.of(p, theta2)).rank());
    }

    @Test
    void rankSummaryAndFailures() {
        JacobianRank.Rank r = JacobianRank.rank(new double[] {10, 1, 1e-2, 5e-4, 1e-6}, 1e-4);
        assertEquals(3, r.rank());                                       // 5e-4 / 10 = 5e-5 < 1e-4
        assertEquals(1e-2, r.sigmaRank(), 0.0);
        assertEquals(5e-4, r.sigmaNext(), 0.0);
        assertEquals(1e-6, r.sigmaMin(), 0.0);
        assertEquals(0, JacobianRank.rank(new double[] {0, 0}, 1e-4).rank());
        JacobianRank.Rank bad = JacobianRank.rank(new double[] {Double.NaN, 1}, 1e-4);
        assertEquals(-1, bad.rank());
        assertFalse(bad.finite());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JacobianRank.fromParams(Map.of("points", "random")));
        assertTrue(e.getMessage().contains("diagnostics.jacobian_rank.points")
                && e.getMessage().contains("test, train, grid, uniform"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> JacobianRank.fromParams(Map.of("points", "grid", "count", 0)));
        assertTrue(e.getMessage().contains("diagnostics.jacobian_rank.count"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> JacobianRank.fromParams(Map.of("tol", 1e-3)));
        assertTrue(e.getMessage().contains("threshold"), e.getMessage());
        assertEquals("[3, 2]", Arrays.toString(JacobianRank.dlnMatrix(Tensor.ones(3, 1), Tensor.vector(1), Tensor.vector(2))
                .shape()));
    }
}
