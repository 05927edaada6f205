package org.sgdlab.experiment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.diagnostics.CriticalLearningRate;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.NtkOperator;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.SpikeDetector;
import org.sgdlab.optim.MilestoneAdaptive;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Update;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The training loop. For t = 0, 1, ..., T:
 * <ol>
 *   <li>at evaluation steps, the full training (and test) loss and accuracy at theta_t;</li>
 *   <li>divergence (non-finite loss or parameters, or above the configured bounds) ends the run
 *       with status {@code diverged} at step t: data, never an exception;</li>
 *   <li>the spike detector (Q12) sees L(theta_t); spikes trigger the diagnostics configured for
 *       events at theta_{t-1} (onset, local peaks) and theta_t (end);</li>
 *   <li>scheduled diagnostics measure at theta_t, before update t (Q1, Q4);</li>
 *   <li>the batch B_t of the sampler, the batch loss and gradient, and update t.</li>
 * </ol>
 * Deterministic: the same config and seed give identical metrics; diagnostics draw only from
 * their own streams, so adding one never changes the trajectory.
 */
public final class Trainer {

    private Trainer() {
    }

    /** Metric columns in the order of every row (constant for a config). */
    public static List<String> columns(TrainConfig c) {
        List<String> cols = new ArrayList<>(List.of("step", "epoch", "lr", "threshold", "train_loss"));
        if (c.problem().classification()) {
            cols.add("train_acc");
        }
        if (c.testEvery() > 0 && c.problem().test() != null) {
            cols.add("test_loss");
            if (c.problem().test().hasLabels()) {
                cols.add("test_acc");
            }
        }
        if (c.fullGradNorm()) {
            cols.add("grad_norm");
        }
        cols.addAll(List.of("batch_loss", "batch_grad_norm", "param_norm", "dist_from_init"));
        return List.copyOf(cols);
    }

    /** Runs from theta_0. */
    public static RunResult run(TrainConfig config, RunListener listener) {
        return new Loop<>(config, config.optimizer(), listener).run(null);
    }

    /** Continues from a checkpoint; the rows from {@code checkpoint.step()} on are produced again. */
    public static RunResult resume(TrainConfig config, Checkpoint checkpoint, RunListener listener) {
        return new Loop<>(config, config.optimizer(), listener).run(checkpoint);
    }

    /** theta_0 of a config: the given one, else the model's init from the {@code init} stream. */
    public static Tensor initialTheta(TrainConfig c) {
        return c.theta0() != null ? c.theta0().detach() : c.problem().model().init(Rng.stream(c.seed(), Rng.INIT));
    }

    private static final class Loop<S extends OptimizerState> {
        private final TrainConfig c;
        private Optimizer<S> opt;
        private final RunListener out;
        private final Problem problem;
        private final List<String> columns;
        private final SpikeDetector detector;
        private final Map<String, Object> shared = new HashMap<>();

        private Tensor theta;
        private Tensor theta0;
        private S state;
        // one step back, for spike-triggered measurements
        private Tensor prevTheta;
        private S prevState;
        private long prevStep = -1;
        private double prevLoss = Double.NaN;
        private boolean prevWasRisingPeak;

        @SuppressWarnings("unchecked")
        Loop(TrainConfig c, Optimizer<? extends OptimizerState> opt, RunListener out) {
            this.c = c;
            this.opt = (Optimizer<S>) opt;
            this.out = out;
            this.problem = c.problem();
            this.columns = columns(c);
            this.detector = c.spikeKappa() > 0 ? new SpikeDetector(c.spikeKappa()) : null;
            for (Scheduled s : c.diagnostics()) {
                if (s.onEvents() && (detector == null || c.evalEvery() != 1)) {
                    throw new IllegalArgumentException("diagnostics." + s.diagnostic().name()
                            + ".on_events needs the spike detector (spike_kappa > 0) and eval_every = 1");
                }
            }
        }

        RunResult run(Checkpoint ck) {
            long start;
            if (ck == null) {
                theta0 = initialTheta(c);
                theta = theta0;
                state = opt.init(theta);
                start = 0;
            } else {
                start = ck.step();
                theta = ck.theta().detach();
                theta0 = ck.theta0().detach();
                state = opt.restore(ck.optimizerTensors(), ck.optimizerScalars());
                if (ck.previousTheta() != null) {
                    prevTheta = ck.previousTheta().detach();
                    prevStep = start - 1;
                }
                if (detector != null && ck.detectorState() != null) {
                    detector.restore(ck.detectorState());
                }
                restoreMilestones(ck.diagnosticStates().get(MILESTONES));
                for (Scheduled s : c.diagnostics()) {
                    Map<String, Tensor> st = ck.diagnosticStates().get(s.diagnostic().name());
                    if (st != null) {
                        s.diagnostic().importState(st);
                    }
                }
            }
            out.started(c, start);
            Status status = Status.COMPLETED;
            String reason = "max_steps";
            Map<String, Object> row = null;
            long t = start;
            for (;; t++) {
                long t0 = System.nanoTime();
                if (c.checkpointEvery() > 0 && t > start && t % c.checkpointEvery() == 0) {
                    out.checkpoint(checkpoint(t));
                }
                boolean last = t == c.steps();
                row = new LinkedHashMap<>();
                for (String col : columns) {
                    row.put(col, null);
                }
                milestone(t);
                row.put("step", t);
                row.put("epoch", t / Math.max(1, c.sampler().stepsPerEpoch()));
                row.put("lr", opt.lr(t));
                row.put("threshold", opt.threshold(t));
                double trainLoss = Double.NaN;
                boolean eval = last || t % c.evalEvery() == 0;
                int[] batch = c.sampler().batch(t);
                boolean whole = wholeInOrder(batch, problem.train().size());
                // a full-batch step evaluated at this theta: one forward pass gives the training loss and
                // accuracy and the step's gradient, with the bits of the two separate computations
                Autodiff.ValueAndGrad stepGrad = null;
                if (eval) {
                    Problem.Eval e;
                    if (!last && whole && c.labelNoiseStd() == 0 && problem.train().size() <= problem.physicalBatch()) {
                        Problem.EvalAndGrad eg = problem.evaluateAndGrad(theta, problem.train());
                        e = eg.eval();
                        stepGrad = eg.valueAndGrad();
                    } else {
                        e = problem.evaluate(theta, problem.train());
                    }
                    trainLoss = e.loss();
                    row.put("train_loss", trainLoss);
                    if (row.containsKey("train_acc")) {
                        row.put("train_acc", e.accuracy());
                    }
                    if (c.fullGradNorm()) {
                        row.put("grad_norm", (stepGrad != null ? stepGrad : problem.valueAndGrad(theta, problem.train()))
                                .grad().norm());
                    }
                }
                if (row.containsKey("test_loss") && (last || t % c.testEvery() == 0)) {
                    Problem.Eval e = problem.evaluate(theta, problem.test());
                    row.put("test_loss", e.loss());
                    if (row.containsKey("test_acc")) {
                        row.put("test_acc", e.accuracy());
                    }
                }
                Tensor.Norms norms = theta.norms(theta0);
                double pnorm = norms.norm();
                row.put("param_norm", pnorm);
                row.put("dist_from_init", norms.distance());
                double maxAbs = norms.maxAbs();
                if (!Double.isFinite(pnorm) || (eval && !Double.isFinite(trainLoss))) {
                    status = Status.DIVERGED;
                    reason = "non_finite";
                    out.metrics(row);
                    break;
                }
                if (maxAbs > c.divergenceParam()) {
                    status = Status.DIVERGED;
                    reason = "param_bound";
                    out.metrics(row);
                    break;
                }
                if (eval && trainLoss > c.divergenceLoss()) {
                    status = Status.DIVERGED;
                    reason = "loss_bound";
                    out.metrics(row);
                    break;
                }
                if (c.controller() != null) {
                    adjust(t, batch, trainLoss, row);
                }
                if (eval && detector != null) {
                    spikes(t, trainLoss, batch);
                }
                for (Scheduled s : c.diagnostics()) {
                    if (s.due(t, last)) {
                        measure(s.diagnostic(), probe(t, theta, state, batch, trainLoss), last ? "final" : "schedule");
                    }
                }
                boolean goal = eval && (trainLoss <= c.lossGoal()
                        || (row.get("train_acc") instanceof Double a && a >= c.accuracyGoal()));
                if (last || goal) {
                    if (goal) {
                        reason = trainLoss <= c.lossGoal() ? "loss_goal" : "accuracy_goal";
                        if (!last) {
                            // the goal step gets its final-time measurements too
                            for (Scheduled s : c.diagnostics()) {
                                if (s.atEnd() && !s.due(t, false)) {
                                    measure(s.diagnostic(), probe(t, theta, state, batch, trainLoss), "final");
                                }
                            }
                        }
                    }
                    out.metrics(row);
                    timing(t, t0);
                    break;
                }
                // the update of step t
                Autodiff.ValueAndGrad vg = stepGrad;
                if (vg == null) {
                    Dataset b = whole ? problem.train() : problem.train().batch(batch);     // the same values
                    if (c.labelNoiseStd() > 0) {
                        SplittableRandom nr = Rng.stream(c.seed(), Rng.BATCHES, "label-noise", t);
                        b = Dataset.regression(b.name(), b.x(), b.y().add(Tensor.randn(nr, b.y().shape()).mul(c.labelNoiseStd())));
                    }
                    vg = Autodiff.valueAndGrad(problem.objective(b), theta);
                }
                double batchLoss = vg.loss();
                double gnorm = vg.grad().norm();
                row.put("batch_loss", batchLoss);
                row.put("batch_grad_norm", gnorm);
                boolean finite = Double.isFinite(batchLoss) && Double.isFinite(gnorm);
                if (!finite || t % c.logEvery() == 0) {
                    out.metrics(row);
                }
                if (!finite) {
                    status = Status.DIVERGED;
                    reason = "non_finite";
                    break;
                }
                Update<S> u = opt.update(vg.grad(), state, theta, t);
                prevTheta = theta;
                prevState = state;
                prevStep = t;
                theta = u.newTheta();
                state = u.newState();
                timing(t, t0);
            }
            if (detector != null) {
                SpikeDetector.Spike open = detector.open();
                if (open != null) {
                    out.event(event(open));
                }
            }
            RunResult r = new RunResult(status, t, reason, theta, row,
                    detector == null ? List.of() : detector.all());
            out.finished(r);
            return r;
        }

        /**
         * The {@code milestone-adaptive} schedule (Q3.5): at a milestone t whose value is not set yet, before
         * anything reads eta_t, sets eta &lt;- c_m * 2 / lambda_1(K-bar(theta_t)) with lambda_1 of the normalised
         * tangent kernel on the training set (Q10.1 default solver, 'lanczos' stream). A controller that manages
         * the schedule itself (by wrapping it) is left alone.
         */
        @SuppressWarnings("unchecked")
        private void milestone(long t) {
            if (!(opt.schedule() instanceof MilestoneAdaptive ma) || !ma.isMilestone(t) || ma.setValues().containsKey(t)) {
                return;
            }
            double lam = CriticalLearningRate.kernelTop(problem, theta, problem.train(), NtkOperator.Solver.defaults(),
                    Rng.stream(c.seed(), Rng.LANCZOS, "milestone_adaptive", t));
            if (!(lam > 0) || Double.isInfinite(lam)) {
                throw new IllegalStateException("schedule 'milestone-adaptive': lambda_1(K-bar(theta_" + t + ")) = " + lam
                        + " at milestone " + t + "; cannot set eta = c_m * 2 / lambda_1");
            }
            opt = (Optimizer<S>) opt.withSchedule(ma.withCurvature(t, lam));
        }

        @SuppressWarnings("unchecked")
        private void restoreMilestones(Map<String, Tensor> saved) {
            if (saved == null || !(opt.schedule() instanceof MilestoneAdaptive ma)) {
                return;
            }
            double[] steps = saved.get("steps").toArray();
            double[] etas = saved.get("eta").toArray();
            for (int i = 0; i < steps.length; i++) {
                ma = ma.withValue((long) steps[i], etas[i]);
            }
            opt = (Optimizer<S>) opt.withSchedule(ma);
        }

        @SuppressWarnings("unchecked")
        private void adjust(long t, int[] batch, double trainLoss, Map<String, Object> row) {
            Optimizer<? extends OptimizerState> next = c.controller().adjust(probe(t, theta, state, batch, trainLoss), opt);
            if (next != opt) {
                if (!next.name().equals(opt.name())) {
                    throw new IllegalStateException("controller: may change the schedule, not the optimizer ("
                            + opt.name() + " -> " + next.name() + ")");
                }
                opt = (Optimizer<S>) next;
                row.put("lr", opt.lr(t));
                row.put("threshold", opt.threshold(t));
            }
        }

        /** Whether the step's batch is the whole training set in order (full-batch GD). */
        private static boolean wholeInOrder(int[] batch, int n) {
            if (batch.length != n) {
                return false;
            }
            for (int i = 0; i < n; i++) {
                if (batch[i] != i) {
                    return false;
                }
            }
            return true;
        }

        private void timing(long t, long t0) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step_seconds", (System.nanoTime() - t0) / 1e9);
            out.timing(t, m);
        }

        private void spikes(long t, double loss, int[] batch) {
            SpikeDetector.Change ch = detector.observe(t, loss);
            boolean rising = ch == SpikeDetector.Change.ONSET || ch == SpikeDetector.Change.NEW_PEAK;
            if (ch == SpikeDetector.Change.ONSET && prevTheta != null && prevStep == t - 1) {
                triggered(prevStep, prevTheta, prevState, prevLoss, "onset");
            }
            if (prevWasRisingPeak && !rising && prevTheta != null && prevStep == t - 1) {
                triggered(prevStep, prevTheta, prevState, prevLoss, "peak");
            }
            if (ch == SpikeDetector.Change.END) {
                triggered(t, theta, state, loss, "end");
                List<SpikeDetector.Spike> fin = detector.finished();
                out.event(event(fin.get(fin.size() - 1)));
            }
            prevWasRisingPeak = rising && detector.inSpike();
            prevLoss = loss;
        }

        private void triggered(long step, Tensor th, S st, double loss, String trigger) {
            for (Scheduled s : c.diagnostics()) {
                if (s.onEvents()) {
                    measure(s.diagnostic(), probe(step, th, st, c.sampler().batch(step), loss), trigger);
                }
            }
        }

        private Map<String, Object> event(SpikeDetector.Spike s) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("type", "spike");
            e.put("onset", s.onset());
            e.put("peak", s.peak());
            e.put("end", s.end());
            e.put("pre", s.pre());
            e.put("loss_peak", s.lossPeak());
            e.put("magnitude", s.magnitude());
            e.put("returned", s.returned());
            e.put("kappa", detector.kappa());
            return e;
        }

        private <R extends Record> void measure(Diagnostic<R> d, Probe p, String trigger) {
            long t0 = System.nanoTime();
            R r = d.measure(p);
            shared.putAll(d.publish());
            out.diagnostic(d.name(), p.step(), r, trigger);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("diagnostic", d.name());
            m.put("measured_step", p.step());
            m.put("seconds", (System.nanoTime() - t0) / 1e9);
            // timing lines carry the loop step (a spike onset is measured one step back)
            out.timing(trigger.equals("onset") || trigger.equals("peak") ? p.step() + 1 : p.step(), m);
        }

        private Probe probe(long t, Tensor th, S st, int[] batch, double trainLoss) {
            Tensor prev = th == theta && prevStep == t - 1 ? prevTheta : null;
            return new ProbeImpl(t, th, theta0, prev, problem, batch, c.sampler().batchSize(), opt.lr(t), opt.threshold(t),
                    opt.beta(), opt.name(), st, trainLoss, c.seed(), shared);
        }

        private Checkpoint checkpoint(long t) {
            Map<String, Map<String, Tensor>> ds = new LinkedHashMap<>();
            for (Scheduled s : c.diagnostics()) {
                Map<String, Tensor> st = s.diagnostic().exportState();
                if (!st.isEmpty()) {
                    ds.put(s.diagnostic().name(), st);
                }
            }
            if (opt.schedule() instanceof MilestoneAdaptive ma && !ma.setValues().isEmpty()) {
                Map<Long, Double> set = ma.setValues();
                double[] steps = new double[set.size()];
                double[] etas = new double[set.size()];
                int i = 0;
                for (Map.Entry<Long, Double> e : set.entrySet()) {
                    steps[i] = e.getKey();
                    etas[i++] = e.getValue();
                }
                ds.put(MILESTONES, Map.of("steps", Tensor.of(steps, steps.length), "eta", Tensor.of(etas, etas.length)));
            }
            return new Checkpoint(t, theta, theta0, prevStep == t - 1 ? prevTheta : null, state.tensors(), state.scalars(),
                    ds, detector == null ? null : detector.state());
        }
    }

    /** The checkpoint entry holding the values a milestone-adaptive schedule set so far. */
    static final String MILESTONES = "_milestone_adaptive";

    private record ProbeImpl(long step, Tensor theta, Tensor theta0, Tensor previousTheta, Problem problem, int[] batchIdx,
                             int batchSize,
                             double lr, double threshold, double beta, String optimizer, OptimizerState optimizerState,
                             double trainLoss, long seed, Map<String, Object> sharedMap) implements Probe {
        @Override
        public int[] batch() {
            return batchIdx.clone();
        }

        @Override
        public SplittableRandom rng(String stream, String diagnostic) {
            if (!stream.equals(Rng.PROBES) && !stream.equals(Rng.LANCZOS)) {
                throw new IllegalArgumentException("diagnostics draw only from the 'probes' or 'lanczos' streams, not '"
                        + stream + "'");
            }
            return Rng.stream(seed, stream, diagnostic, step);
        }

        @Override
        public Map<String, Object> shared() {
            return java.util.Collections.unmodifiableMap(sharedMap);
        }
    }
}
