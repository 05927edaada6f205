package org.sgdlab.studies;

import java.util.List;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.diagnostics.SpikeDetector;
import org.sgdlab.diagnostics.SpikeShares;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.Status;

/**
 * One training run of {@code momentum-catapult} reduced to what its criteria, tables and figures use
 * (STUDIES.md §5.1, §5.2): the full-loss series, the sharpness measurements against the optimizer's threshold,
 * and the derived numbers.
 *
 * <p>Loss series: the runs are full-batch, so the batch loss of update t is the training loss L(theta_t) on
 * all n examples; {@code loss[t]} is that value for t &lt; T and the evaluated training loss at the last row
 * (the final step, or the step where the run diverged: NaN when it was not evaluated).
 *
 * <p>Derived quantities: S_max = max of the measured sharpness; S_final = the sharpness measured at the final
 * step T (NaN for a diverged run); theta = 2(1 + beta)/eta at the final eta (Q3.4); the first crossing = the
 * first measured step with S_t &gt;= threshold(t) (Q6.4, threshold(t) = 2(1 + beta)/eta_t, Q3.6);
 * max_spike_ratio = max_t L_t / max(min_{s&lt;t} L_s, 1e-8 L_0) (Q12, {@link SpikeShares#maxSpikeRatio}).
 * {@code reason} is the trainer's stop reason ({@code max_steps}, {@code non_finite}, {@code param_bound}, ...).
 */
record MomentumCatapultTrace(String id, String experiment, String optimizer, double eta, double beta, long warmup,
                             double alpha, long plannedSteps, Status status, String reason, long steps, double[] loss,
                             long[] sStep,
                             double[] s, double[] sThreshold, boolean sConverged, double wallSeconds,
                             double cpuSeconds) {

    /** Reads the run's log: loss series and the measurements of the diagnostic {@code sharpnessName}. */
    static MomentumCatapultTrace of(String id, String experiment, String optimizer, double eta, double beta, long warmup,
                                    double alpha, long plannedSteps, MetricsLog log, String sharpnessName,
                                    double wallSeconds, double cpuSeconds) {
        RunResult r = log.result();
        List<MetricsLog.Measurement> ms = log.measurements(sharpnessName);
        long[] st = new long[ms.size()];
        double[] s = new double[ms.size()];
        double[] thr = new double[ms.size()];
        boolean conv = true;
        for (int i = 0; i < ms.size(); i++) {
            Sharpness.Result sr = (Sharpness.Result) ms.get(i).result();
            st[i] = ms.get(i).step();
            s[i] = sr.sharpness();
            thr[i] = sr.threshold();
            conv &= sr.converged();
        }
        return new MomentumCatapultTrace(id, experiment, optimizer, eta, beta, warmup, alpha, plannedSteps, r.status(),
                r.reason(), r.steps(), lossSeries(log), st, s, thr, conv, wallSeconds, cpuSeconds);
    }

    /** L(theta_t) per logged row: the batch loss (full batch) where present, else the evaluated training loss. */
    static double[] lossSeries(MetricsLog log) {
        double[] batch = log.column("batch_loss");
        double[] train = log.column("train_loss");
        double[] out = new double[batch.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = !Double.isNaN(batch[i]) ? batch[i] : train[i];
        }
        return out;
    }

    boolean diverged() {
        return status == Status.DIVERGED;
    }

    /** "completed" or "diverged at step N (reason)": how the run ended. */
    String ending() {
        return diverged() ? "diverged at step " + steps + " (" + reason + ")" : status.id();
    }

    /** The index of the last sharpness measurement, or -1 without measurements. */
    int lastMeasurement() {
        return s.length - 1;
    }

    /** theta = 2(1 + beta)/eta at the final learning rate (Q3.4). */
    double threshold() {
        return 2 * (1 + beta) / eta;
    }

    /** The threshold of the schedule at step t: 2(1 + beta)/eta_t with eta_t = eta min(1, (t + 1)/T_w). */
    double threshold(long t) {
        return 2 * (1 + beta) / (eta * Math.min(1.0, (double) (t + 1) / warmup));
    }

    double sharpness0() {
        return s.length > 0 && sStep[0] == 0 ? s[0] : Double.NaN;
    }

    /** The largest measured sharpness (NaN without measurements). */
    double sMax() {
        double m = Double.NaN;
        for (double v : s) {
            if (Double.isFinite(v) && !(v <= m)) {
                m = v;
            }
        }
        return m;
    }

    /** The sharpness measured at the final step T of a completed run, else NaN. */
    double sFinal() {
        if (diverged() || s.length == 0 || sStep[s.length - 1] != steps) {
            return Double.NaN;
        }
        return s[s.length - 1];
    }

    double ratio() {
        return sFinal() / threshold();
    }

    /** The first measured step with S_t &gt;= threshold(t), or -1. */
    long firstCrossing() {
        for (int i = 0; i < s.length; i++) {
            if (s[i] >= sThreshold[i]) {
                return sStep[i];
            }
        }
        return -1;
    }

    double maxSpikeRatio() {
        return SpikeShares.maxSpikeRatio(loss);
    }

    /** The step of the largest ratio L_t / max(min_{s&lt;t} L_s, floor) (Q12), or -1. */
    long maxSpikeStep() {
        double floor = Double.NaN;
        double min = Double.POSITIVE_INFINITY;
        double best = Double.NEGATIVE_INFINITY;
        long at = -1;
        for (int t = 0; t < loss.length; t++) {
            double l = loss[t];
            if (!Double.isFinite(l)) {
                continue;
            }
            if (Double.isNaN(floor)) {
                floor = 1e-8 * l;
                min = l;
                continue;
            }
            double r = l / Math.max(min, floor);
            if (r > best) {
                best = r;
                at = t;
            }
            min = Math.min(min, l);
        }
        return at;
    }

    /** Spikes of the Q12 detector (kappa 2) on the loss series, run offline. */
    List<SpikeDetector.Spike> spikes() {
        SpikeDetector d = new SpikeDetector(2.0);
        for (int t = 0; t < loss.length; t++) {
            d.observe(t, loss[t]);
        }
        return d.all();
    }

    double finalLoss() {
        return loss.length == 0 ? Double.NaN : loss[loss.length - 1];
    }

    /** The smallest finite loss of the run. */
    double minLoss() {
        double m = Double.NaN;
        for (double l : loss) {
            if (Double.isFinite(l) && !(l >= m)) {
                m = l;
            }
        }
        return m;
    }

    /** Steps of the loss series (0..len-1) as doubles, for plots. */
    double[] lossSteps() {
        double[] x = new double[loss.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = i;
        }
        return x;
    }

    double[] sSteps() {
        double[] x = new double[sStep.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = sStep[i];
        }
        return x;
    }

    /** Counts of the P2-D bookkeeping (§5.4) on one window. */
    record Excursion(int above, int withDelta, int withoutDelta, long lastAbove) {
    }

    /**
     * The number of steps t &gt;= {@code from} with |x_t| &gt; delta_t (§5.4): {@code x[i]} is the proxy at
     * {@code steps[i]} (NaN where undefined, those steps are skipped), {@code delta[i]} the delta measured at that
     * step (NaN at steps without grad S, and when alpha &lt;= 0); delta_t is the one of the latest grad-S step at or
     * before t (carried forward, NaN included). Steps whose carried delta is NaN (or that precede the first grad-S
     * step) count as {@code withoutDelta}.
     */
    static Excursion stepsAboveDelta(long[] steps, double[] x, double[] delta, boolean[] gradSStep, long from) {
        if (steps.length != x.length || steps.length != delta.length || steps.length != gradSStep.length) {
            throw new IllegalArgumentException("stepsAboveDelta: lengths differ: steps " + steps.length + ", x " + x.length
                    + ", delta " + delta.length + ", grad_s flags " + gradSStep.length);
        }
        double carried = Double.NaN;
        int above = 0;
        int with = 0;
        int without = 0;
        long last = -1;
        for (int i = 0; i < steps.length; i++) {
            if (gradSStep[i]) {
                carried = delta[i];
            }
            if (steps[i] < from || !Double.isFinite(x[i])) {
                continue;
            }
            if (Double.isFinite(carried)) {
                with++;
                if (Math.abs(x[i]) > carried) {
                    above++;
                    last = steps[i];
                }
            } else {
                without++;
            }
        }
        return new Excursion(above, with, without, last);
    }
}
