package org.sgdlab.optim;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The diagonal-linear-network identity (exact): for beta = u * v and any loss of beta, one GD/SGD
 * step u' = u - eta g v, v' = v - eta g u (g = dL/dbeta) gives
 *
 * <pre>  C_i(t+1) = (1 - eta^2 g_i^2) C_i(t),   C_i = u_i^2 - v_i^2. </pre>
 *
 * 200 SGD steps of a tiny DLN (prediction X(u * v), squared loss c = 1/2 on random minibatches,
 * gradient by autodiff, step by {@link Optimizers#sgd}); g is computed independently in closed
 * form, g = X_B^T (X_B beta - y_B)/b. The identity is asserted at every step and coordinate to
 * 1e-13 relative to u_i^2 + v_i^2 + u_i'^2 + v_i'^2 (the size of the terms whose difference is C,
 * i.e. the scale of its rounding).
 */
class DiagonalLinearNetworkTest {

    @Test
    void sgdStepScalesTheBalanceByOneMinusEtaSquaredGSquared() {
        int n = 16;
        int d = 8;
        int b = 4;
        double eta = 0.1;
        SplittableRandom data = Rng.stream(3, Rng.DATA);
        double[][] x = new double[n][d];
        double[] y = new double[n];
        double[] star = {1.0, -0.5, 0, 0, 0.7, 0, 0, 0};
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = data.nextGaussian();
                y[i] += x[i][j] * star[j];
            }
        }
        SplittableRandom init = Rng.stream(3, Rng.INIT);
        double[] th0 = new double[2 * d];
        for (int j = 0; j < d; j++) {
            th0[j] = 0.5 + 0.2 * init.nextGaussian();
            th0[d + j] = 0.3 * init.nextGaussian();
        }
        Optimizer<OptimizerState.Empty> sgd = Optimizers.sgd(Schedules.constant(eta));
        OptimizerState.Empty state = sgd.init(Tensor.of(th0, 2 * d));
        Tensor theta = Tensor.of(th0, 2 * d);
        SplittableRandom batches = Rng.stream(3, Rng.BATCHES);
        double maxErr = 0;
        double c0 = 0;
        double cEnd = 0;
        for (int t = 0; t < 200; t++) {
            int[] idx = new int[b];
            double[][] xb = new double[b][];
            double[] yb = new double[b];
            for (int k = 0; k < b; k++) {
                idx[k] = batches.nextInt(n); // iid with replacement
                xb[k] = x[idx[k]];
                yb[k] = y[idx[k]];
            }
            Tensor xB = Tensor.matrix(xb);
            Tensor yB = Tensor.of(yb, b);
            Function<Tensor, Tensor> loss = th -> {
                Tensor u = th.slice(0, 0, d);
                Tensor v = th.slice(0, d, 2 * d);
                Tensor r = xB.matmul(u.mul(v)).sub(yB); // [b, d] @ [d] -> [b]
                return r.square().sum().div(2.0 * b);
            };
            Tensor grad = Autodiff.grad(loss, theta);
            double[] th = theta.toArray();
            // g = X_B^T (X_B (u*v) - y_B) / b, naive loops
            double[] g = new double[d];
            for (int k = 0; k < b; k++) {
                double r = -yb[k];
                for (int j = 0; j < d; j++) {
                    r += xb[k][j] * th[j] * th[d + j];
                }
                for (int j = 0; j < d; j++) {
                    g[j] += xb[k][j] * r / b;
                }
            }
            Update<OptimizerState.Empty> up = sgd.update(grad, state, theta, t);
            double[] nx = up.newTheta().toArray();
            for (int j = 0; j < d; j++) {
                double u = th[j];
                double v = th[d + j];
                double un = nx[j];
                double vn = nx[d + j];
                double c = u * u - v * v;
                double cn = un * un - vn * vn;
                double predicted = (1 - eta * eta * g[j] * g[j]) * c;
                double scale = u * u + v * v + un * un + vn * vn;
                double err = Math.abs(cn - predicted) / scale;
                maxErr = Math.max(maxErr, err);
                assertTrue(err <= 1e-13, "step " + t + " coordinate " + j + ": C' = " + cn + ", (1 - eta^2 g^2) C = "
                        + predicted + " (rel " + err + ")");
                if (t == 0) {
                    c0 += Math.abs(c);
                }
                if (t == 199) {
                    cEnd += Math.abs(cn);
                }
            }
            theta = up.newTheta();
            state = up.newState();
        }
        assertTrue(Double.isFinite(theta.norm()), "the run stays finite");
        // not vacuous: the balance really moved (sum_i |C_i| changed by more than 1 %)
        assertTrue(Math.abs(cEnd - c0) > 0.01 * c0, "sum |C| " + c0 + " -> " + cEnd);
    }
}
