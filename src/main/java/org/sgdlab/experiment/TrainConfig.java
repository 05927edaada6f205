package org.sgdlab.experiment;

import java.util.ArrayList;
import java.util.List;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.tensor.Tensor;

/**
 * Everything the training loop needs, validated. Build with {@link #builder(Problem, Optimizer, BatchSampler)}.
 *
 * <ul>
 *   <li>{@code steps}: number of updates T; metrics are logged for steps 0..T (theta_T included).</li>
 *   <li>{@code evalEvery}: full training loss/accuracy every k steps (and at T); {@code testEvery}
 *       likewise for the test set (0 = never).</li>
 *   <li>stop rules: {@code lossGoal} (train loss at or below), {@code accuracyGoal}, divergence
 *       (non-finite loss or parameters always; also train loss above {@code divergenceLoss} or
 *       max |theta_j| above {@code divergenceParam}).</li>
 *   <li>{@code labelNoiseStd}: label-noise SGD, targets of each batch perturbed by N(0, std^2)
 *       drawn from the {@code batches} stream of that step.</li>
 *   <li>{@code spikeKappa}: the spike detector's kappa (Q12; 0 disables).</li>
 *   <li>{@code logEvery}: a metrics row every k steps (and at the last step).</li>
 * </ul>
 */
public record TrainConfig(Problem problem, Optimizer<? extends OptimizerState> optimizer, BatchSampler sampler,
                          long steps, long seed, Tensor theta0, int evalEvery, int testEvery, double lossGoal,
                          double accuracyGoal, double divergenceLoss, double divergenceParam, double labelNoiseStd,
                          double spikeKappa, long checkpointEvery, boolean fullGradNorm,
                          List<Scheduled> diagnostics, Controller controller, int logEvery) {

    public TrainConfig {
        if (problem == null || optimizer == null || sampler == null) {
            throw new IllegalArgumentException("train config: problem, optimizer and sampler are required");
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps: must be >= 0, got " + steps);
        }
        if (evalEvery < 1) {
            throw new IllegalArgumentException("eval_every: must be >= 1, got " + evalEvery);
        }
        if (logEvery < 1) {
            throw new IllegalArgumentException("log_every: must be >= 1, got " + logEvery);
        }
        if (testEvery < 0) {
            throw new IllegalArgumentException("test_every: must be >= 0 (0 = never), got " + testEvery);
        }
        if (sampler.size() != problem.train().size()) {
            throw new IllegalArgumentException("sampler: samples from " + sampler.size() + " examples but the training set has "
                    + problem.train().size());
        }
        if (labelNoiseStd < 0 || !Double.isFinite(labelNoiseStd)) {
            throw new IllegalArgumentException("label_noise_std: must be finite and >= 0, got " + labelNoiseStd);
        }
        if (spikeKappa != 0 && !(spikeKappa > 1)) {
            throw new IllegalArgumentException("spike_kappa: must be > 1 (or 0 to disable), got " + spikeKappa);
        }
        if (theta0 != null && theta0.size() != problem.model().numParams()) {
            throw new IllegalArgumentException("theta0: has " + theta0.size() + " values, the model has "
                    + problem.model().numParams() + " parameters");
        }
        diagnostics = List.copyOf(diagnostics);
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Scheduled s : diagnostics) {
            if (!names.add(s.diagnostic().name())) {
                throw new IllegalArgumentException("diagnostics: '" + s.diagnostic().name() + "' is configured twice");
            }
        }
    }

    public static Builder builder(Problem problem, Optimizer<? extends OptimizerState> optimizer, BatchSampler sampler) {
        return new Builder(problem, optimizer, sampler);
    }

    /** A copy with a different optimizer (e.g. a forked run with another learning rate). */
    public TrainConfig withOptimizer(Optimizer<? extends OptimizerState> o) {
        return new TrainConfig(problem, o, sampler, steps, seed, theta0, evalEvery, testEvery, lossGoal, accuracyGoal,
                divergenceLoss, divergenceParam, labelNoiseStd, spikeKappa, checkpointEvery, fullGradNorm, diagnostics,
                controller, logEvery);
    }

    /** A copy with other diagnostics. */
    public TrainConfig withDiagnostics(List<Scheduled> d) {
        return new TrainConfig(problem, optimizer, sampler, steps, seed, theta0, evalEvery, testEvery, lossGoal, accuracyGoal,
                divergenceLoss, divergenceParam, labelNoiseStd, spikeKappa, checkpointEvery, fullGradNorm, d, controller, logEvery);
    }

    /** A copy with a controller that may change the optimizer during the run (see {@link Controller}). */
    public TrainConfig withController(Controller c) {
        return new TrainConfig(problem, optimizer, sampler, steps, seed, theta0, evalEvery, testEvery, lossGoal, accuracyGoal,
                divergenceLoss, divergenceParam, labelNoiseStd, spikeKappa, checkpointEvery, fullGradNorm, diagnostics, c, logEvery);
    }

    /** A copy with another step count. */
    public TrainConfig withSteps(long s) {
        return new TrainConfig(problem, optimizer, sampler, s, seed, theta0, evalEvery, testEvery, lossGoal, accuracyGoal,
                divergenceLoss, divergenceParam, labelNoiseStd, spikeKappa, checkpointEvery, fullGradNorm, diagnostics,
                controller, logEvery);
    }

    /** A copy starting from other parameters. */
    public TrainConfig withTheta0(Tensor t) {
        return new TrainConfig(problem, optimizer, sampler, steps, seed, t, evalEvery, testEvery, lossGoal, accuracyGoal,
                divergenceLoss, divergenceParam, labelNoiseStd, spikeKappa, checkpointEvery, fullGradNorm, diagnostics,
                controller, logEvery);
    }

    /** Fluent construction with documented defaults. */
    public static final class Builder {
        private final Problem problem;
        private final Optimizer<? extends OptimizerState> optimizer;
        private final BatchSampler sampler;
        private long steps = 1000;
        private long seed;
        private Tensor theta0;
        private int evalEvery = 1;
        private int testEvery = -1;
        private double lossGoal = Double.NaN;
        private double accuracyGoal = Double.NaN;
        private double divergenceLoss = Double.POSITIVE_INFINITY;
        private double divergenceParam = Double.POSITIVE_INFINITY;
        private double labelNoiseStd;
        private double spikeKappa = 2.0;
        private long checkpointEvery;
        private boolean fullGradNorm;
        private final List<Scheduled> diagnostics = new ArrayList<>();
        private Controller controller;
        private int logEvery = 1;

        private Builder(Problem problem, Optimizer<? extends OptimizerState> optimizer, BatchSampler sampler) {
            this.problem = problem;
            this.optimizer = optimizer;
            this.sampler = sampler;
        }

        /** Number of updates (default 1000). */
        public Builder steps(long s) {
            steps = s;
            return this;
        }

        /** The run seed (default 0). */
        public Builder seed(long s) {
            seed = s;
            return this;
        }

        /** Initial parameters (default: model.init(Rng.stream(seed, "init"))). */
        public Builder theta0(Tensor t) {
            theta0 = t;
            return this;
        }

        /** Train-set evaluation cadence (default 1). */
        public Builder evalEvery(int k) {
            evalEvery = k;
            return this;
        }

        /** Test-set evaluation cadence (default: evalEvery when a test set exists; 0 = never). */
        public Builder testEvery(int k) {
            testEvery = k;
            return this;
        }

        public Builder lossGoal(double g) {
            lossGoal = g;
            return this;
        }

        public Builder accuracyGoal(double g) {
            accuracyGoal = g;
            return this;
        }

        /** Train loss above this ends the run as diverged (default +inf: only non-finite). */
        public Builder divergenceLoss(double b) {
            divergenceLoss = b;
            return this;
        }

        /** max |theta_j| above this ends the run as diverged (default +inf). */
        public Builder divergenceParam(double b) {
            divergenceParam = b;
            return this;
        }

        public Builder labelNoiseStd(double s) {
            labelNoiseStd = s;
            return this;
        }

        /** Spike detector kappa (default 2; 0 disables). */
        public Builder spikeKappa(double k) {
            spikeKappa = k;
            return this;
        }

        /** Checkpoint cadence in steps (default 0 = only when the listener asks at the end). */
        public Builder checkpointEvery(long k) {
            checkpointEvery = k;
            return this;
        }

        /** Also log the full-batch gradient norm at evaluation steps (costs one full gradient). */
        public Builder fullGradNorm(boolean b) {
            fullGradNorm = b;
            return this;
        }

        /**
         * Metric rows every k steps (default 1), plus the last step and the step a run stops at; the
         * loop still evaluates at its cadence (the spike detector sees every evaluation).
         */
        public Builder logEvery(int k) {
            logEvery = k;
            return this;
        }

        /** Changes the optimizer during the run (e.g. milestone-adaptive learning rates). */
        public Builder controller(Controller c) {
            controller = c;
            return this;
        }

        public Builder diagnostic(Scheduled s) {
            diagnostics.add(s);
            return this;
        }

        public TrainConfig build() {
            int te = testEvery >= 0 ? testEvery : (problem.test() != null ? evalEvery : 0);
            return new TrainConfig(problem, optimizer, sampler, steps, seed, theta0, evalEvery, te, lossGoal, accuracyGoal,
                    divergenceLoss, divergenceParam, labelNoiseStd, spikeKappa, checkpointEvery, fullGradNorm, diagnostics,
                controller, logEvery);
        }
    }
}
