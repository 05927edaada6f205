package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.data.DataSources;
import org.sgdlab.data.Dataset;
import org.sgdlab.diagnostics.CriticalLearningRate;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Ntk;
import org.sgdlab.diagnostics.NtkOperator;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.SpikeDetector;
import org.sgdlab.diagnostics.SpikeShares;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.TwoLayerNtk;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The common setup of the catapult studies (STUDIES.md §3.1, §4.1) and the readers of their run logs:
 *
 * <pre>
 *   data   x ~ N(0, I_d), y = f*(x) = x_1 x_2 (training set first, then the test set, one data stream)
 *   model  f(x) = (1/sqrt(m)) sum_i v_i ReLU(u_i^T x / sqrt(d)),  u_i ~ N(0, I_d), v_i ~ N(0, 1)  (Q10.5)
 *   loss   L = (1/2n) sum_i r_i^2  (c = 1/2, Q2.2);   test MSE = (1/n_test) sum (f(x) - f*(x))^2  (no 1/2)
 *   eta_crit(0) = 2 / lambda_1(K-bar(theta_0)),  K-bar = K/n  (Q10.1, Q11)
 * </pre>
 *
 * Paper: Zhu, Liu, Radhakrishnan, Belkin, "Catapults in SGD", ICML 2024, arXiv 2306.04815.
 */
final class CatapultSetup {

    /** The synthetic target (§3.1). */
    static final String TARGET = "x1x2";

    /**
     * The eigensolver for the 500-point kernels (P1-B, P1-C, P1-D): the closed-form K-bar of the two-layer
     * network, then Lanczos for the top eigenpairs (a dense 500 x 500 decomposition per step is the slow part
     * otherwise; §4.2 allows "full eigendecomposition or Lanczos top-10").
     */
    static final NtkOperator.Solver LANCZOS = new NtkOperator.Solver("lanczos", 1000, 20_000_000L, 1e-8, 60);

    /** The dense solver (P1-A: the full eigendecomposition of the 128 x 128 K-bar at every step). */
    static final NtkOperator.Solver DENSE = new NtkOperator.Solver("dense", 1000, 20_000_000L, 1e-6, 50);

    private CatapultSetup() {
    }

    /** Data (seed {@code dataSeed}) and the NTK two-layer network of §3.1 under the squared loss with c = 1/2. */
    static Problem problem(int n, int nTest, int d, int m, long dataSeed) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("target", TARGET);
        p.put("n", n);
        p.put("d", d);
        p.put("n_test", nTest);
        DataSources.Source s = DataSources.create("gaussian-target", p, dataSeed);
        return new Problem(TwoLayerNtk.of(d, m), Losses.squared(MseConvention.HALF), s.train(), s.test());
    }

    /** theta_0 of a run with seed {@code netSeed}: the model's init from the {@code init} stream (as the Trainer). */
    static Tensor init(Problem p, long netSeed) {
        return p.model().init(Rng.stream(netSeed, Rng.INIT));
    }

    /** lambda_1(K-bar(theta)) on the training set with {@code solver}; the Lanczos start from the run's lanczos stream. */
    static double lambda1(Problem p, Tensor theta, NtkOperator.Solver solver, long netSeed) {
        return CriticalLearningRate.kernelTop(p, theta, p.train(), solver, Rng.stream(netSeed, Rng.LANCZOS, "eta_crit"));
    }

    /** Test MSE = (1/n_test) sum_j (f(x_j) - f*(x_j))^2, without the 1/2 of the training loss (§3.1). */
    static double testMse(Problem p, Tensor theta) {
        Dataset test = p.test();
        Tensor f = p.model().apply(theta.detach(), test.x());                     // [n_test, 1]
        Tensor r = f.sub(test.y());
        return r.dotValue(r) / test.size();
    }

    /** The spikes a run emitted ({@code events()} of type spike), in order, as detector records. */
    static List<SpikeDetector.Spike> spikes(MetricsLog log) {
        List<SpikeDetector.Spike> out = new ArrayList<>();
        for (Map<String, Object> e : log.events()) {
            if (!"spike".equals(e.get("type"))) {
                continue;
            }
            Object end = e.get("end");
            out.add(new SpikeDetector.Spike(((Number) e.get("onset")).longValue(), ((Number) e.get("peak")).longValue(),
                    end == null ? null : ((Number) end).longValue(), ((Number) e.get("pre")).doubleValue(),
                    ((Number) e.get("loss_peak")).doubleValue(), ((Number) e.get("magnitude")).doubleValue(),
                    Boolean.TRUE.equals(e.get("returned"))));
        }
        return out;
    }

    /** The Q12 detector with {@code kappa} run over a loss series L_0, L_1, ... (one value per step). */
    static SpikeDetector detect(double[] loss, double kappa) {
        SpikeDetector det = new SpikeDetector(kappa);
        for (int t = 0; t < loss.length; t++) {
            det.observe(t, loss[t]);
        }
        return det;
    }

    /**
     * The per-step NTK measurements of a run (the {@code ntk} diagnostic at every logged step): steps, L,
     * lambda_1(K-bar) and the loss split for each configured s.
     */
    record NtkSeries(long[] steps, double[] loss, double[] lambda1, Map<Integer, double[]> top,
                     Map<Integer, double[]> rest) {

        static NtkSeries of(MetricsLog log, int... s) {
            List<MetricsLog.Measurement> ms = log.measurements(Ntk.NAME);
            int n = ms.size();
            long[] steps = new long[n];
            double[] loss = new double[n];
            double[] lam = new double[n];
            Map<Integer, double[]> top = new LinkedHashMap<>();
            Map<Integer, double[]> rest = new LinkedHashMap<>();
            for (int si : s) {
                top.put(si, new double[n]);
                rest.put(si, new double[n]);
            }
            for (int i = 0; i < n; i++) {
                Ntk.Result r = (Ntk.Result) ms.get(i).result();
                steps[i] = ms.get(i).step();
                loss[i] = r.loss();
                lam[i] = r.top();
                for (int si : s) {
                    top.get(si)[i] = r.lossTop(si);
                    rest.get(si)[i] = r.lossRest(si);
                }
            }
            return new NtkSeries(steps, loss, lam, top, rest);
        }

        /** The series of {@link SpikeShares.Point} for one s. */
        List<SpikeShares.Point> points(int s) {
            List<SpikeShares.Point> out = new ArrayList<>();
            double[] tp = top.get(s);
            double[] rs = rest.get(s);
            for (int i = 0; i < steps.length; i++) {
                out.add(new SpikeShares.Point(steps[i], loss[i], tp[i], rs[i]));
            }
            return out;
        }

        /** lambda_1 at {@code step}, NaN when not measured there. */
        double lambdaAt(long step) {
            for (int i = 0; i < steps.length; i++) {
                if (steps[i] == step) {
                    return lambda1[i];
                }
            }
            return Double.NaN;
        }

        double[] stepsAsDouble() {
            double[] x = new double[steps.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = steps[i];
            }
            return x;
        }
    }

    /**
     * The full training loss L(theta_t) at every step it is scheduled, as a diagnostic: the value the Trainer
     * evaluated when it did ({@link Probe#trainLoss()}), else one forward pass over the training set. P1-C
     * evaluates the Trainer's loss only at epoch ends (so that its loss goal is checked there, §4.1) and reads
     * the per-step series that the spike detector of Q12 needs from here.
     */
    static final class FullLoss implements Diagnostic<FullLoss.Result> {

        static final String NAME = "full_loss";

        /** L(theta_t). */
        record Result(double trainLoss) {
        }

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public Result measure(Probe probe) {
            double l = probe.trainLoss();
            if (Double.isNaN(l)) {
                l = probe.problem().loss(probe.theta(), probe.problem().train());
            }
            return new Result(l);
        }

        /** The logged series L_0, L_1, ..., L_T of a run (steps must be consecutive from 0). */
        static double[] series(MetricsLog log) {
            List<MetricsLog.Measurement> ms = log.measurements(NAME);
            double[] out = new double[ms.size()];
            for (int i = 0; i < out.length; i++) {
                if (ms.get(i).step() != i) {
                    throw new IllegalStateException("full_loss: expected step " + i + ", got " + ms.get(i).step());
                }
                out[i] = ((Result) ms.get(i).result()).trainLoss();
            }
            return out;
        }
    }

    // ------------------------------------------------------------------------------------- formatting

    static String f(double v) {
        return fmt(v, 3);
    }

    /** A number with {@code digits} significant digits (Locale.ROOT), "NaN" for NaN. */
    static String fmt(double v, int digits) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        double a = Math.abs(v);
        if (a != 0 && (a < 1e-3 || a >= 1e5)) {
            return String.format(Locale.ROOT, "%." + (digits - 1) + "e", v);
        }
        return String.format(Locale.ROOT, "%." + digits + "g", v).replaceAll("(\\.\\d*?)0+$", "$1").replaceAll("\\.$", "");
    }

    /** A value rounded to 4 significant digits for the measured maps of verdicts (NaN kept). */
    static double r4(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return v;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
    }

    /** An array rounded by {@link #r4}, as a list (for JSON). */
    static List<Double> r4(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double x : v) {
            out.add(r4(x));
        }
        return out;
    }
}
