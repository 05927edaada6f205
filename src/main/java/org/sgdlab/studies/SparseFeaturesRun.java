package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.Status;

/**
 * One training run of the sparse-features study, reduced to what its criteria, figures and run list need: the
 * configuration (experiment, seed index and run seed, label, peak eta and eta/eta_crit), the outcome (status, last
 * step, final train and test loss at step N), the final diagnostics by key, and optionally the logged train-loss
 * curve (SF3).
 *
 * @param sparsityKey the key of {@code finals} shown as the run's sparsity in the run list
 */
record SparseFeaturesRun(String id, String experiment, int seedIndex, long seed, String config, double eta,
                         double etaOverCrit, Status status, long steps, double trainLoss, double testLoss,
                         Map<String, Double> finals, String sparsityKey, long[] curveSteps, double[] curveTrain) {

    SparseFeaturesRun {
        finals = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(finals));
    }

    /** Builds the record from a run's in-memory log; {@code keepCurve} keeps the logged train losses. */
    static SparseFeaturesRun of(String id, String experiment, int seedIndex, long seed, String config, double eta,
            double etaOverCrit, MetricsLog log, Map<String, Double> finals, String sparsityKey, boolean keepCurve) {
        RunResult r = log.result();
        long[] cs = null;
        double[] cl = null;
        if (keepCurve) {
            long[] st = log.steps();
            double[] tl = log.column("train_loss");
            List<Integer> keep = new ArrayList<>();
            for (int i = 0; i < st.length; i++) {
                if (!Double.isNaN(tl[i])) {
                    keep.add(i);
                }
            }
            cs = new long[keep.size()];
            cl = new double[keep.size()];
            for (int k = 0; k < cs.length; k++) {
                cs[k] = st[keep.get(k)];
                cl[k] = tl[keep.get(k)];
            }
        }
        return new SparseFeaturesRun(id, experiment, seedIndex, seed, config, eta, etaOverCrit, r.status(), r.steps(),
                r.lastValue("train_loss"), r.lastValue("test_loss"), finals, sparsityKey, cs, cl);
    }

    /** The same run with another final test loss (SF4: the test set is the training set). */
    SparseFeaturesRun withTestLoss(double t) {
        return new SparseFeaturesRun(id, experiment, seedIndex, seed, config, eta, etaOverCrit, status, steps, trainLoss, t,
                finals, sparsityKey, curveSteps, curveTrain);
    }

    boolean diverged() {
        return status == Status.DIVERGED;
    }

    /** Final train loss; +infinity for a diverged run (it counts against every claim). */
    double train() {
        return diverged() ? Double.POSITIVE_INFINITY : trainLoss;
    }

    /** Final test loss; +infinity for a diverged run. */
    double test() {
        return diverged() ? Double.POSITIVE_INFINITY : testLoss;
    }

    /** A final diagnostic; {@code ifDiverged} for a diverged run, NaN when absent. */
    double fin(String key, double ifDiverged) {
        if (diverged()) {
            return ifDiverged;
        }
        Double v = finals.get(key);
        return v == null ? Double.NaN : v;
    }

    /** The entry of the study's run list (the same keys for every run). */
    Map<String, Object> toRunMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("experiment", experiment);
        m.put("seed", seed);
        m.put("config", config);
        m.put("eta", eta);
        m.put("eta_over_crit", Double.isNaN(etaOverCrit) ? null : etaOverCrit);
        m.put("status", status.id());
        m.put("steps", steps);
        m.put("train_loss", trainLoss);
        m.put("test_loss", testLoss);
        m.put("sparsity_metric", sparsityKey);
        m.put("sparsity", sparsityKey == null || diverged() ? null : finals.get(sparsityKey));
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Double> e : finals.entrySet()) {
            if (e.getKey().equals(sparsityKey)) {
                continue;
            }
            sb.append(sb.length() == 0 ? "" : "; ").append(e.getKey()).append('=')
                    .append(String.format(Locale.ROOT, "%.4g", e.getValue()));
        }
        m.put("finals", sb.toString());
        return m;
    }
}
