package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sgdlab.diagnostics.BatchSharpness;
import org.sgdlab.diagnostics.Gni;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.experiment.Checkpoint;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.tensor.Tensor;

/**
 * What the {@code eoss} study keeps of one training run (the in-memory log is dropped): the full-loss series,
 * lambda_max, batch sharpness (with MiniBS where measured), the adaptive cross-check, GNI, the one-step loss
 * change, the catapult look-ahead and the momentum quotient, each as (step, value) arrays, and the outcome.
 */
final class EossRun {

    /** One batch-sharpness measurement (Q7.2) with MiniBS on its first 16 batches where measured (Q7.3). */
    record Bs(long step, double bs, double se, int draws, double ratioOfMeans, double ratioOfMeansSe, double miniBs,
              double miniBsSe, double sameBatches, int miniDraws, double lambdaMax) {
        boolean hasMini() {
            return miniDraws > 0;
        }
    }

    /** One GNI measurement (Q7.4). */
    record GniPoint(long step, double gni, double se, int draws) {
    }

    final EossSetup.RunSpec spec;
    final double eta;
    final double threshold;
    final long seed;
    final String status;
    final String reason;
    final long stepsDone;
    final double seconds;
    final long[] lossSteps;
    final double[] loss;
    final long[] lmaxSteps;
    final double[] lmax;
    final int lmaxUnconverged;
    final List<Bs> bs = new ArrayList<>();
    final List<Bs> adaptive = new ArrayList<>();
    final List<GniPoint> gni = new ArrayList<>();
    final List<Map.Entry<Long, EossDiagnostics.OneStep.Result>> oneStep = new ArrayList<>();
    final List<Map.Entry<Long, EossDiagnostics.CapLookahead.Result>> lookahead = new ArrayList<>();
    final List<Map.Entry<Long, EossDiagnostics.MomentumQuotient.Result>> momentum = new ArrayList<>();
    final Tensor finalTheta;
    /** The checkpoint captured for forks (B10), or null. */
    Checkpoint fork;

    EossRun(EossSetup.RunSpec spec, double eta, double threshold, long seed, MetricsLog log, double seconds) {
        this.spec = spec;
        this.eta = eta;
        this.threshold = threshold;
        this.seed = seed;
        RunResult r = log.result();
        this.status = r == null ? "unknown" : r.status().id();
        this.reason = r == null ? "" : r.reason();
        this.stepsDone = r == null ? 0 : r.steps();
        this.finalTheta = r == null ? null : r.theta();
        this.seconds = seconds;
        List<long[]> ls = new ArrayList<>();
        List<Double> lv = new ArrayList<>();
        for (Map<String, Object> row : log.rows()) {
            if (row.get("train_loss") instanceof Number n) {
                ls.add(new long[] {((Number) row.get("step")).longValue()});
                lv.add(n.doubleValue());
            }
        }
        lossSteps = new long[ls.size()];
        loss = new double[ls.size()];
        for (int i = 0; i < loss.length; i++) {
            lossSteps[i] = ls.get(i)[0];
            loss[i] = lv.get(i);
        }
        List<MetricsLog.Measurement> sh = log.measurements(Sharpness.NAME);
        lmaxSteps = new long[sh.size()];
        lmax = new double[sh.size()];
        int unc = 0;
        for (int i = 0; i < sh.size(); i++) {
            Sharpness.Result s = (Sharpness.Result) sh.get(i).result();
            lmaxSteps[i] = sh.get(i).step();
            lmax[i] = s.sharpness();
            if (!s.converged()) {
                unc++;
            }
        }
        lmaxUnconverged = unc;
        for (MetricsLog.Measurement m : log.measurements(BatchSharpness.NAME)) {
            bs.add(bs(m.step(), (BatchSharpness.Result) m.result()));
        }
        for (MetricsLog.Measurement m : log.measurements(EossStudy.ADAPTIVE)) {
            adaptive.add(bs(m.step(), (BatchSharpness.Result) m.result()));
        }
        for (MetricsLog.Measurement m : log.measurements(Gni.NAME)) {
            Gni.Result g = (Gni.Result) m.result();
            gni.add(new GniPoint(m.step(), g.gni(), g.gniSe(), g.draws()));
        }
        for (MetricsLog.Measurement m : log.measurements(EossDiagnostics.OneStep.NAME)) {
            oneStep.add(Map.entry(m.step(), (EossDiagnostics.OneStep.Result) m.result()));
        }
        for (MetricsLog.Measurement m : log.measurements(EossDiagnostics.CapLookahead.NAME)) {
            lookahead.add(Map.entry(m.step(), (EossDiagnostics.CapLookahead.Result) m.result()));
        }
        for (MetricsLog.Measurement m : log.measurements(EossDiagnostics.MomentumQuotient.NAME)) {
            momentum.add(Map.entry(m.step(), (EossDiagnostics.MomentumQuotient.Result) m.result()));
        }
    }

    private static Bs bs(long step, BatchSharpness.Result r) {
        return new Bs(step, r.batchSharpness(), r.batchSharpnessSe(), r.draws(), r.ratioOfMeans(), r.ratioOfMeansSe(),
                r.miniBs(), r.miniBsSe(), r.batchSharpnessSameBatches(), r.miniBsDraws(), r.lambdaMax());
    }

    String id() {
        return spec.id();
    }

    boolean diverged() {
        return status.equals("diverged");
    }

    /** The full loss logged at step t, or NaN. */
    double lossAt(long t) {
        int i = java.util.Arrays.binarySearch(lossSteps, t);
        return i >= 0 ? loss[i] : Double.NaN;
    }

    /** The last logged full loss. */
    double finalLoss() {
        return loss.length == 0 ? Double.NaN : loss[loss.length - 1];
    }

    /** lambda_max at step t, or NaN. */
    double lmaxAt(long t) {
        int i = java.util.Arrays.binarySearch(lmaxSteps, t);
        return i >= 0 ? lmax[i] : Double.NaN;
    }

    long[] bsSteps() {
        return bs.stream().mapToLong(Bs::step).toArray();
    }

    double[] bsValues() {
        return bs.stream().mapToDouble(Bs::bs).toArray();
    }

    /** The last BS measurement, or null. */
    Bs lastBs() {
        return bs.isEmpty() ? null : bs.get(bs.size() - 1);
    }

    /** The BS measurements with MiniBS. */
    List<Bs> miniCheckpoints() {
        return bs.stream().filter(Bs::hasMini).toList();
    }
}
