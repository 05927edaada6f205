package org.sgdlab.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** Coupled weight decay (Q2.1): the wrapper's gradient is the gradient of loss + gamma ||theta_block||^2. */
class WeightDecayTest {

    static final int P = 12;

    /** A nonlinear loss of theta: mean over 5 rows of tanh(X theta)^2 plus a cubic term. */
    static Function<Tensor, Tensor> loss() {
        Tensor x = Tensor.randn(new SplittableRandom(21), 5, P);
        return th -> x.matmul(th).tanh().square().mean().add(th.mul(th).mul(th).sum().mul(0.01)); // [5, P] @ [P]
    }

    /** gamma * sum of theta_i^2 over the block, as a naive loop (independent of WeightDecay.penalty). */
    static double naivePenalty(double gamma, double[] theta, double[] mask) {
        double s = 0;
        for (int i = 0; i < theta.length; i++) {
            if (mask == null || mask[i] == 1) {
                s += theta[i] * theta[i];
            }
        }
        return gamma * s;
    }

    @Test
    void gradientMatchesFiniteDifferencesOfLossPlusPenalty() {
        Function<Tensor, Tensor> loss = loss();
        Tensor theta = Tensor.randn(new SplittableRandom(22), P);
        double gamma = 0.37;
        Optimizer<OptimizerState.Empty> gd = Optimizers.gd(Schedules.constant(0.1));
        Tensor mask = WeightDecay.blockMask(P, new int[] {2, 3}, new int[] {7, 2});
        assertEquals(5.0, mask.sum().item());
        for (WeightDecay<OptimizerState.Empty> wd : java.util.List.of(WeightDecay.of(gd, gamma),
                WeightDecay.masked(gd, gamma, mask))) {
            double[] m = wd.mask().map(Tensor::toArray).orElse(null);
            Function<Tensor, Tensor> total = th -> Tensor.scalar(loss.apply(th).item()
                    + naivePenalty(gamma, th.toArray(), m));
            Tensor g = wd.gradient(Autodiff.grad(loss, theta), theta);
            SplittableRandom rng = new SplittableRandom(23);
            for (int k = 0; k < 4; k++) {
                Tensor d = Tensor.randn(rng, P);
                double fd = Checks.directional(total, theta, d, 1e-3);
                double an = g.dotValue(d);
                assertTrue(Checks.relErr(an, fd) <= 1e-6, "direction " + k + ": " + an + " vs fd " + fd);
            }
            assertEquals(naivePenalty(gamma, theta.toArray(), m), wd.penalty(theta).item(), 1e-14);
            // the block mask changes the gradient only on the block
            if (m != null) {
                Tensor g0 = Autodiff.grad(loss, theta);
                for (int i = 0; i < P; i++) {
                    double expected = g0.flat(i) + (m[i] == 1 ? 2 * gamma * theta.flat(i) : 0);
                    assertEquals(expected, g.flat(i), 1e-15, "coordinate " + i);
                }
            }
        }
    }

    @Test
    void updateIsTheInnerUpdateOfTheDecayedGradient() {
        Tensor theta = Tensor.randn(new SplittableRandom(24), P);
        Tensor grad = Tensor.randn(new SplittableRandom(25), P);
        Optimizer<OptimizerState.Displacement> inner = Optimizers.polyak(Schedules.linearWarmup(0.1, 5), 0.9);
        WeightDecay<OptimizerState.Displacement> wd = WeightDecay.of(inner, 1e-2);
        OptimizerState.Displacement s = wd.init(theta);
        Update<OptimizerState.Displacement> a = wd.update(grad, s, theta, 3);
        Update<OptimizerState.Displacement> b = inner.update(grad.add(theta.mul(2e-2)), s, theta, 3);
        assertEquals(0, Checks.relErr(a.newTheta(), b.newTheta()));
        assertEquals(inner.threshold(3), wd.threshold(3));
        assertEquals("polyak", wd.name());
        assertTrue(wd.describe().contains("coupled weight decay"), wd.describe());
        assertEquals(0.9, wd.withSchedule(Schedules.constant(1)).beta());
    }

    @Test
    void badMasksAreErrors() {
        Optimizer<OptimizerState.Empty> gd = Optimizers.gd(Schedules.constant(0.1));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> WeightDecay.masked(gd, 0.1, Tensor.vector(1, 0.5))).getMessage()
                .contains("mask values must be 0 or 1, got 0.5 at flat index 1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WeightDecay.blockMask(4, new int[] {3, 2}))
                .getMessage().contains("block must be {offset, length} inside [0, 4), got [3, 2]"));
        WeightDecay<OptimizerState.Empty> wd = WeightDecay.masked(gd, 0.1, Tensor.vector(1, 0));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> wd.gradient(Tensor.zeros(3), Tensor.zeros(3))).getMessage()
                .contains("mask shape [2] differs from theta shape [3]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> WeightDecay.of(gd, -1)).getMessage()
                .contains("must be finite and >= 0, got -1.0"));
    }
}
