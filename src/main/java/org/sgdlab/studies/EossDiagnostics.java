package org.sgdlab.studies;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Dataset;
import org.sgdlab.diagnostics.BatchSharpness;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Update;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Study-local diagnostics of {@code eoss} (STUDIES.md §2): the batch-sharpness schedule of §2.1 (M = 64, MiniBS
 * on the same batches at MiniBS checkpoints, M = 128 at the end of long runs), a renamed copy of a diagnostic
 * on its own random streams (the adaptive cross-check), the catapult look-ahead of B4 for runs that do not log
 * the loss after every step, the Monte-Carlo one-step loss change of B11 (Q7.6) and the momentum-aware quotient
 * of B13 (Q3.4).
 */
final class EossDiagnostics {

    private EossDiagnostics() {
    }

    /**
     * Batch sharpness (Q7.2, {@link BatchSharpness}) in fixed-M mode whose configuration depends on the step:
     * M = {@code m} with MiniBS (Q7.3, M = 16, on the first 16 batches of the same measurement) at the steps of
     * {@code miniSteps}, and M = {@code mEnd} (with MiniBS when {@code miniAtEnd}) at step {@code end}; plain M =
     * {@code m} otherwise. Every configuration draws its batches from the {@code batch_sharpness} probes
     * stream of the step, so the first M batches are the same whichever is used. Keeps the latest result for
     * {@link CapLookahead}.
     */
    static final class Bs implements Diagnostic<BatchSharpness.Result> {
        private final BatchSharpness plain;
        private final BatchSharpness withMini;
        private final BatchSharpness atEnd;
        private final long[] miniSteps;
        private final long end;
        private volatile BatchSharpness.Result last;
        private volatile long lastStep = -1;

        Bs(int m, long[] miniSteps, long end, int mEnd, boolean miniAtEnd) {
            BatchSharpness.Config c = BatchSharpness.Config.DEFAULT.withDraws(m);
            this.plain = new BatchSharpness(c);
            this.withMini = new BatchSharpness(c.withMiniBs(org.sgdlab.diagnostics.MiniBatchSharpness.Config.SIMULTANEOUS));
            BatchSharpness.Config e = BatchSharpness.Config.DEFAULT.withDraws(mEnd);
            this.atEnd = new BatchSharpness(miniAtEnd
                    ? e.withMiniBs(org.sgdlab.diagnostics.MiniBatchSharpness.Config.SIMULTANEOUS) : e);
            this.miniSteps = miniSteps.clone();
            Arrays.sort(this.miniSteps);
            this.end = end;
        }

        @Override
        public String name() {
            return BatchSharpness.NAME;
        }

        @Override
        public BatchSharpness.Result measure(Probe probe) {
            long t = probe.step();
            BatchSharpness d = t == end ? atEnd : Arrays.binarySearch(miniSteps, t) >= 0 ? withMini : plain;
            BatchSharpness.Result r = d.measure(probe);
            last = r;
            lastStep = t;
            return r;
        }

        /** The result measured at step t, or null. */
        BatchSharpness.Result at(long t) {
            return lastStep == t ? last : null;
        }
    }

    /**
     * A diagnostic under another name whose probe streams are those of the new name, so it measures on
     * batches independent of the original's (e.g. the adaptive batch-sharpness cross-check of §2.1).
     */
    static final class Renamed<R extends Record> implements Diagnostic<R> {
        private final String name;
        private final Diagnostic<R> inner;

        Renamed(String name, Diagnostic<R> inner) {
            this.name = name;
            this.inner = inner;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public R measure(Probe probe) {
            return inner.measure(new Forwarding(probe, name));
        }
    }

    /** A probe that forwards everything but draws its random streams under another diagnostic name. */
    private record Forwarding(Probe p, String as) implements Probe {
        @Override
        public long step() {
            return p.step();
        }

        @Override
        public Tensor theta() {
            return p.theta();
        }

        @Override
        public Tensor previousTheta() {
            return p.previousTheta();
        }

        @Override
        public Tensor theta0() {
            return p.theta0();
        }

        @Override
        public Problem problem() {
            return p.problem();
        }

        @Override
        public int[] batch() {
            return p.batch();
        }

        @Override
        public int batchSize() {
            return p.batchSize();
        }

        @Override
        public double lr() {
            return p.lr();
        }

        @Override
        public double threshold() {
            return p.threshold();
        }

        @Override
        public double beta() {
            return p.beta();
        }

        @Override
        public String optimizer() {
            return p.optimizer();
        }

        @Override
        public OptimizerState optimizerState() {
            return p.optimizerState();
        }

        @Override
        public double trainLoss() {
            return p.trainLoss();
        }

        @Override
        public SplittableRandom rng(String stream, String diagnostic) {
            return p.rng(stream, as);
        }

        @Override
        public Map<String, Object> shared() {
            return p.shared();
        }
    }

    /**
     * The catapult test of B4 (STUDIES.md §2.2) where the run does not log the full loss after every step: when
     * the batch sharpness measured at step t (by {@link Bs}, same step) exceeds {@code cap} times the threshold
     * and t is past the warm-up, the next {@code horizon} updates are replayed from theta_t with the run's own
     * optimizer, batches and arithmetic (the trainer's update, bit for bit) and the full loss is evaluated after
     * each; {@code maxLossRatio = max_{t < s <= t + horizon} L(theta_s) / L(theta_t)}. Not armed: NaN, 0 steps.
     * The training run itself is untouched (the replay works on copies).
     */
    static final class CapLookahead implements Diagnostic<CapLookahead.Result> {
        static final String NAME = "bs_cap_lookahead";

        /**
         * @param bsRatio      BS / threshold at this step
         * @param armed        whether the cap was exceeded past the warm-up (a replay was made)
         * @param loss         L(theta_t) (NaN when not armed)
         * @param maxLossRatio max over the replayed steps of L(theta_s)/L(theta_t) (NaN when not armed)
         * @param steps        replayed updates
         */
        record Result(double bsRatio, boolean armed, double loss, double maxLossRatio, int steps) {
        }

        private final Bs bs;
        private final Optimizer<? extends OptimizerState> optimizer;
        private final BatchSampler sampler;
        private final long total;
        private final long warm;
        private final double cap;
        private final int horizon;

        CapLookahead(Bs bs, Optimizer<? extends OptimizerState> optimizer, BatchSampler sampler, long total, long warm,
                     double cap, int horizon) {
            this.bs = bs;
            this.optimizer = optimizer;
            this.sampler = sampler;
            this.total = total;
            this.warm = warm;
            this.cap = cap;
            this.horizon = horizon;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Result measure(Probe probe) {
            BatchSharpness.Result r = bs.at(probe.step());
            double ratio = r == null ? Double.NaN : r.batchSharpnessRatio();
            if (r == null || probe.step() < warm || !(ratio > cap)) {
                return new Result(ratio, false, Double.NaN, Double.NaN, 0);
            }
            double[] losses = replay(probe.problem(), optimizer, probe.optimizerState(), sampler, probe.theta(),
                    probe.step(), (int) Math.min(horizon, total - probe.step()));
            double l0 = Double.isNaN(probe.trainLoss()) ? probe.problem().loss(probe.theta(), probe.problem().train())
                    : probe.trainLoss();
            double max = Double.NEGATIVE_INFINITY;
            for (double l : losses) {
                max = Math.max(max, Double.isFinite(l) ? l : Double.POSITIVE_INFINITY);
            }
            return new Result(ratio, true, l0, losses.length == 0 ? Double.NaN : max / l0, losses.length);
        }
    }

    /**
     * The full training losses L(theta_{t+1}), ..., L(theta_{t+k}) of k updates replayed from theta_t with
     * state {@code state}: batches {@code sampler.batch(s)}, the trainer's batch objective, gradient and
     * update (so the iterates equal the training run's bit for bit when no label-noise SGD is used).
     */
    static double[] replay(Problem problem, Optimizer<? extends OptimizerState> optimizer, OptimizerState state,
                           BatchSampler sampler, Tensor theta, long t, int k) {
        return replayTyped(problem, optimizer, state, sampler, theta, t, k);
    }

    @SuppressWarnings("unchecked")
    private static <S extends OptimizerState> double[] replayTyped(Problem problem, Optimizer<S> opt,
                                                                   OptimizerState state, BatchSampler sampler,
                                                                   Tensor theta, long t, int k) {
        double[] out = new double[Math.max(0, k)];
        Tensor th = theta.detach();
        S st = (S) state;
        for (int i = 0; i < out.length; i++) {
            long s = t + i;
            Dataset b = problem.train().batch(sampler.batch(s));
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(problem.objective(b), th);
            Update<S> u = opt.update(vg.grad(), st, th, s);
            th = u.newTheta();
            st = u.newState();
            out[i] = problem.loss(th, problem.train());
            if (!Double.isFinite(out[i])) {
                Arrays.fill(out, i, out.length, Double.POSITIVE_INFINITY);
                break;
            }
        }
        return out;
    }

    /**
     * The Monte-Carlo expected one-step change of the full loss (Q7.6, B11):
     * {@code E_B[L(theta - eta g_B)] - L(theta)} over {@code draws} fresh batches of the training batch size
     * (distinct indices, from this diagnostic's probes stream), with its standard error, and what the second-order
     * GNI model needs: {@code L(theta)}, {@code ||g||^2} (full batch) and eta.
     */
    static final class OneStep implements Diagnostic<OneStep.Result> {
        static final String NAME = "one_step_loss_change";

        /**
         * @param change     mean over batches of L(theta - eta g_B) - L(theta)
         * @param changeSe   its standard error sd/sqrt(M)
         * @param draws      M
         * @param loss       L(theta)
         * @param gradNormSq ||g||^2 of the full gradient
         * @param eta        the learning rate
         * @param normalized change / (eta ||g||^2)
         */
        record Result(double change, double changeSe, int draws, double loss, double gradNormSq, double eta,
                      double normalized) {
        }

        private final int draws;

        OneStep(int draws) {
            if (draws < 2) {
                throw new IllegalArgumentException("one_step_loss_change: draws must be >= 2, got " + draws);
            }
            this.draws = draws;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Result measure(Probe probe) {
            Problem p = probe.problem();
            Dataset train = p.train();
            Tensor th = probe.theta().detach();
            Autodiff.ValueAndGrad full = p.valueAndGrad(th, train);
            double l0 = full.loss();
            double gg = full.grad().dotValue(full.grad());
            double eta = probe.lr();
            SplittableRandom rng = probe.rng(Rng.PROBES, NAME);
            double sum = 0;
            double sumSq = 0;
            for (int i = 0; i < draws; i++) {
                Dataset b = train.randomSubset(probe.batchSize(), rng);
                Tensor g = Autodiff.grad(p.objective(b), th);
                double d = p.loss(th.addScaled(g, -eta), train) - l0;
                sum += d;
                sumSq += d * d;
            }
            double mean = sum / draws;
            double var = Math.max(0, (sumSq - draws * mean * mean) / (draws - 1));
            return new Result(mean, Math.sqrt(var / draws), draws, l0, gg, eta, mean / (eta * gg));
        }
    }

    /**
     * The momentum-aware quotient of B13 (Q3.4, the momentum EoSS code):
     * {@code E_B[ s^T H_B s / s^T g_B ]} with {@code s = beta v + g_B}, v the heavy-ball buffer before the update,
     * over {@code draws} fresh batches of the training batch size (probes stream); also plain batch sharpness on
     * the same batches for comparison.
     */
    static final class MomentumQuotient implements Diagnostic<MomentumQuotient.Result> {
        static final String NAME = "momentum_quotient";

        /**
         * @param quotient mean of s^T H_B s / s^T g_B
         * @param se       its standard error
         * @param draws    batches used (a draw with s^T g_B = 0 is skipped)
         * @param beta     the optimizer's beta
         * @param bufferNorm ||v||
         */
        record Result(double quotient, double se, int draws, double beta, double bufferNorm) {
        }

        private final int draws;

        MomentumQuotient(int draws) {
            this.draws = draws;
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Result measure(Probe probe) {
            Problem p = probe.problem();
            Tensor th = probe.theta().detach();
            Tensor v = probe.optimizerState() instanceof OptimizerState.MomentumBuffer mb ? mb.v()
                    : Tensor.zeros(th.size());
            double beta = probe.beta();
            SplittableRandom rng = probe.rng(Rng.PROBES, NAME);
            double sum = 0;
            double sumSq = 0;
            int n = 0;
            for (int i = 0; i < draws; i++) {
                Dataset b = p.train().randomSubset(probe.batchSize(), rng);
                Tensor g = Autodiff.grad(p.objective(b), th);
                Tensor s = g.addScaled(v, beta);
                double den = s.dotValue(g);
                if (den == 0) {
                    continue;
                }
                double q = s.dotValue(p.hvp(th, b, s)) / den;
                sum += q;
                sumSq += q * q;
                n++;
            }
            double mean = n == 0 ? Double.NaN : sum / n;
            double var = n < 2 ? Double.NaN : Math.max(0, (sumSq - n * mean * mean) / (n - 1));
            return new Result(mean, Math.sqrt(var / n), n, beta, v.norm());
        }
    }
}
