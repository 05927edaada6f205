package org.sgdlab.diagnostics;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * A {@link Probe} built by hand: parameters and problem given directly, outside a training loop
 * (for {@code sgdlab diagnose}, tests and analyses of saved weights). Defaults: step 0, theta_0 =
 * theta, full-batch batch, lr 0 (threshold +inf), beta 0, optimizer "none", train loss NaN.
 */
public record StaticProbe(long step, Tensor theta, Tensor theta0, Problem problem, int[] batchIdx, int batchSize,
                          double lr, double threshold, double beta, String optimizer, OptimizerState optimizerState,
                          double trainLoss, long seed, Map<String, Object> sharedMap) implements Probe {

    /** theta on the problem, full batch, seed 0. */
    public static StaticProbe of(Problem problem, Tensor theta) {
        int n = problem.train().size();
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return new StaticProbe(0, theta.detach(), theta.detach(), problem, all, n, 0.0, Double.POSITIVE_INFINITY, 0.0,
                "none", OptimizerState.Empty.INSTANCE, Double.NaN, 0, new HashMap<>());
    }

    public StaticProbe withStep(long s) {
        return new StaticProbe(s, theta, theta0, problem, batchIdx, batchSize, lr, threshold, beta, optimizer,
                optimizerState, trainLoss, seed, sharedMap);
    }

    public StaticProbe withSeed(long s) {
        return new StaticProbe(step, theta, theta0, problem, batchIdx, batchSize, lr, threshold, beta, optimizer,
                optimizerState, trainLoss, s, sharedMap);
    }

    /** The learning rate and the threshold of plain GD/SGD at it (2/lr). */
    public StaticProbe withLr(double eta) {
        return new StaticProbe(step, theta, theta0, problem, batchIdx, batchSize, eta, 2.0 / eta, beta, optimizer,
                optimizerState, trainLoss, seed, sharedMap);
    }

    /** The training batch (indices) and batch size. */
    public StaticProbe withBatch(int[] idx) {
        return new StaticProbe(step, theta, theta0, problem, idx.clone(), idx.length, lr, threshold, beta, optimizer,
                optimizerState, trainLoss, seed, sharedMap);
    }

    /** Only the batch size (for estimators that draw fresh batches of size b). */
    public StaticProbe withBatchSize(int b) {
        return new StaticProbe(step, theta, theta0, problem, batchIdx, b, lr, threshold, beta, optimizer,
                optimizerState, trainLoss, seed, sharedMap);
    }

    public StaticProbe withTheta0(Tensor t0) {
        return new StaticProbe(step, theta, t0.detach(), problem, batchIdx, batchSize, lr, threshold, beta, optimizer,
                optimizerState, trainLoss, seed, sharedMap);
    }

    public StaticProbe withOptimizer(String name, double eta, double thr, double b, OptimizerState st) {
        return new StaticProbe(step, theta, theta0, problem, batchIdx, batchSize, eta, thr, b, name, st, trainLoss,
                seed, sharedMap);
    }

    @Override
    public int[] batch() {
        return batchIdx.clone();
    }

    @Override
    public SplittableRandom rng(String stream, String diagnostic) {
        return Rng.stream(seed, stream, diagnostic, step);
    }

    @Override
    public Map<String, Object> shared() {
        return sharedMap;
    }
}
