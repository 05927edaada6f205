package org.sgdlab.diagnostics;

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
import org.sgdlab.nn.Dense;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.TwoLayerNtk;
import org.sgdlab.tensor.Tensor;

/** Batch kernel, batch-critical ratio and critical learning rate (Q10.1, Q11) against dense answers. */
class BatchKernelTest {

    /** c_t = eta lambda_1((2c/b) J_B J_B^T) / 2 with J_B from Autodiff.jacobian of the batch. */
    @Test
    void batchCriticalRatioEqualsDenseAnswer() {
        SplittableRandom r = new SplittableRandom(1);
        int n = 20;
        int k = 2;
        Mlp mlp = Mlp.of(Activation.of("tanh"), 3, 6, k);
        Tensor theta = mlp.init(r);
        Dataset data = Dataset.regression("t", Tensor.randn(r, n, 3), Tensor.randn(r, n, k));
        int[] batch = {17, 3, 8, 8, 11};                                                  // any rows, repeats allowed
        for (MseConvention conv : MseConvention.values()) {
            double c = conv.factor();
            Problem problem = new Problem(mlp, Losses.of("mse", conv), data, null, 2);
            double eta = 0.3;
            StaticProbe probe = StaticProbe.of(problem, theta).withBatch(batch).withLr(eta);
            Dataset b = data.batch(batch);
            Tensor jb = Autodiff.jacobian(th -> mlp.apply(th, b.x()), theta);          // [b k, p]
            Tensor kb = NtkTest.symm(jb.matmul(jb, false, true).mul(2 * c / batch.length));
            SymmetricEigen.Result e = SymmetricEigen.decompose(kb);
            double lambda = e.values()[0];

            BatchKernel.Result res = new BatchKernel().measure(probe);
            assertEquals(lambda, res.batchKernelEig()[0], 1e-12 * lambda);
            assertEquals(eta * lambda / 2, res.batchCritRatio(), 1e-12 * eta * lambda);
            assertEquals(eta, res.lr());
            assertEquals(batch.length, res.batchSize());
            assertEquals("dense", res.method());
            assertTrue(res.converged());
            // batch loss and its top-1 part, from the independent eigenvector
            Tensor rb = mlp.apply(theta, b.x()).sub(b.y()).reshape(batch.length * k);
            assertEquals(c / batch.length * rb.dotValue(rb), res.batchLoss(), 1e-14);
            double proj = e.vector(0).dotValue(rb);
            assertEquals(c / batch.length * proj * proj, res.batchLossTop(), 1e-12 * res.batchLoss());

            // matrix-free Lanczos gives the same lambda_1 (chunks of 2 of a batch of 5)
            BatchKernel lz = BatchKernel.fromParams(Map.of("eigensolver", "lanczos", "max_jacobian_entries", 0,
                    "tol", 1e-10));
            BatchKernel.Result rl = lz.measure(probe);
            assertEquals("lanczos", rl.method());
            assertEquals(lambda, rl.batchKernelEig()[0], 1e-9 * lambda);
            assertTrue(rl.jvps() > 0 && rl.vjps() == rl.jvps());
        }
    }

    /** With k = b k eigenpairs the top eigenspace is everything: L_B,top = L_B. */
    @Test
    void fullEigenspaceHoldsTheWholeBatchLoss() {
        SplittableRandom r = new SplittableRandom(2);
        TwoLayerNtk net = TwoLayerNtk.of(3, 10);
        Dataset data = Dataset.regression("t", Tensor.randn(r, 8, 3), Tensor.randn(r, 8, 1));
        Problem problem = new Problem(net, Losses.of("mse", MseConvention.HALF), data, null);
        BatchKernel bk = new BatchKernel(new BatchKernel.Config(4, NtkOperator.Solver.defaults()));
        BatchKernel.Result res = bk.measure(StaticProbe.of(problem, net.init(r)).withBatch(new int[] {0, 2, 4, 6}));
        assertEquals(res.batchLoss(), res.batchLossTop(), 1e-13 * res.batchLoss());
        assertEquals(4, res.batchKernelEig().length);
        assertEquals("batch_kernel", bk.name());
    }

    /** eta_crit = 2 / lambda_1(K-bar(theta_0)); for a linear model K-bar = (2c/n) X X^T. */
    @Test
    void criticalLearningRateOfLinearModel() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 15;
        Tensor x = Tensor.randn(r, n, 4);
        Model lin = Dense.of(4, 1).withoutBias();
        Problem problem = new Problem(lin, Losses.of("mse", MseConvention.PLAIN),
                Dataset.regression("t", x, Tensor.randn(r, n, 1)), null);
        double lambda = SymmetricEigen.eigenvalues(NtkTest.symm(x.matmul(x, false, true).mul(2.0 / n)))[0];
        Tensor theta = Tensor.randn(r, 4);
        assertEquals(lambda, CriticalLearningRate.kernelTop(problem, theta, new SplittableRandom(0)), 1e-13 * lambda);
        assertEquals(2 / lambda, CriticalLearningRate.atInit(problem, theta, new SplittableRandom(0)), 1e-12 / lambda);
        // and it is the stability threshold of GD on this quadratic loss: lambda_max(H) = lambda_1(K-bar)
        double hmax = SymmetricEigen.eigenvalues(NtkTest.symm(Autodiff.hessian(
                t -> problem.objective(problem.train()).apply(t), theta)))[0];
        assertEquals(hmax, lambda, 1e-12 * lambda);

        assertEquals(Double.POSITIVE_INFINITY, CriticalLearningRate.etaCrit(0));
        assertTrue(Double.isNaN(CriticalLearningRate.etaCrit(Double.NaN)));
        assertEquals(1.5, CriticalLearningRate.batchCriticalRatio(0.5, 6), 0);
        assertEquals(CriticalLearningRate.Regime.LAZY, CriticalLearningRate.regime(1.5, 1, 4));
        assertEquals(CriticalLearningRate.Regime.LAZY, CriticalLearningRate.regime(2, 1, 4));
        assertEquals(CriticalLearningRate.Regime.CATAPULT, CriticalLearningRate.regime(3, 1, 4));
        assertEquals(CriticalLearningRate.Regime.DIVERGENT, CriticalLearningRate.regime(4.5, 1, 4));
        assertThrows(IllegalArgumentException.class, () -> CriticalLearningRate.regime(1, 0, 4));
    }

    @Test
    void badConfiguration() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BatchKernel.fromParams(Map.of("k", 0)));
        assertTrue(e.getMessage().contains("diagnostics.batch_kernel.k"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BatchKernel.fromParams(Map.of("split", 1)));
        assertTrue(e.getMessage().contains("'split'") && e.getMessage().contains("eigensolver"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BatchKernel.fromParams(Map.of("dense_max", "many")));
        assertTrue(e.getMessage().contains("diagnostics.batch_kernel.dense_max"), e.getMessage());
    }
}
