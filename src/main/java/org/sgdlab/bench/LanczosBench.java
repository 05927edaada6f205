package org.sgdlab.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sgdlab.data.Presets;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;

/**
 * The Lanczos warm-start benchmark ({@code sgdlab bench lanczos}): the {@code eos} network of STUDIES.md §1.1
 * (digits, first 1000 rows; tanh MLP 64-128-128-10, PyTorch-default init, run seed 0; squared loss c = 1/2;
 * GD with eta = 0.2) trained for 300 (quick) or 1500 steps, with the sharpness (Q6, subset all, k = 1,
 * Lanczos tol 1e-6, Krylov dimension 50) measured every 20 steps twice at the same theta_t: once
 * warm-started from the previous measurement's eigenvector ({@code sharpness_warm}) and once from a random
 * vector ({@code sharpness_cold}). Reports HVPs per measurement (mean, median, max) and in total for each,
 * the sharpness values of both and their largest relative difference (both meet a relative residual of
 * 1e-6, so they must agree to about 2e-6), and the seconds spent.
 */
public final class LanczosBench {

    private LanczosBench() {
    }

    /** Runs the benchmark (quick: 300 steps, else 1500) and returns its numbers; prints nothing. */
    public static Map<String, Object> run(boolean quick) {
        long t0 = System.nanoTime();
        int steps = quick ? 300 : 1500;
        int every = 20;
        double eta = 0.2;
        Presets.Prepared data = Presets.digits(Presets.Options.defaults());
        Problem problem = new Problem(Mlp.of(Activation.TANH, 64, 128, 128, 10), Losses.of("mse", MseConvention.HALF),
                data.train(), null);
        Sharpness.Config cfg = Sharpness.Config.DEFAULT.withSolver("lanczos");
        Sharpness warm = new Sharpness("sharpness_warm", cfg.withWarmStart(true));
        Sharpness cold = new Sharpness("sharpness_cold", cfg.withWarmStart(false));
        int n = problem.train().size();
        TrainConfig config = TrainConfig.builder(problem, Optimizers.gd(Schedules.constant(eta)),
                        Samplers.create(Samplers.FULL_BATCH, n, n, 0))
                .steps(steps).seed(0).evalEvery(every).spikeKappa(0)
                .diagnostic(Scheduled.every(warm, every))
                .diagnostic(Scheduled.every(cold, every))
                .build();
        MetricsLog log = new MetricsLog();
        RunResult result = Trainer.run(config, log);

        List<Sharpness.Result> w = results(log, warm.name());
        List<Sharpness.Result> c = results(log, cold.name());
        long[] at = log.measurements(warm.name()).stream().mapToLong(MetricsLog.Measurement::step).toArray();
        double maxRel = 0;
        boolean allConverged = true;
        for (int i = 0; i < Math.min(w.size(), c.size()); i++) {
            double a = w.get(i).sharpness();
            double b = c.get(i).sharpness();
            maxRel = Math.max(maxRel, Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b)));
            allConverged &= w.get(i).converged() && c.get(i).converged();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("bench", "lanczos");
        out.put("quick", quick);
        out.put("network", problem.model().describe());
        out.put("steps", steps);
        out.put("eta", eta);
        out.put("measure_every", every);
        out.put("status", result.status().id());
        out.put("final_train_loss", problem.loss(result.theta(), problem.train()));
        out.put("measurements", w.size());
        out.put("measured_steps", at);
        out.put("tol", cfg.tol());
        out.put("warm", summary(w));
        out.put("cold", summary(c));
        long tw = w.stream().mapToLong(Sharpness.Result::hvps).sum();
        long tc = c.stream().mapToLong(Sharpness.Result::hvps).sum();
        out.put("hvp_ratio_warm_over_cold", tc == 0 ? Double.NaN : (double) tw / tc);
        out.put("max_rel_diff", maxRel);
        out.put("agree", maxRel <= 2 * cfg.tol() && allConverged);
        out.put("all_converged", allConverged);
        out.put("seconds", (System.nanoTime() - t0) * 1e-9);
        return out;
    }

    private static List<Sharpness.Result> results(MetricsLog log, String name) {
        List<Sharpness.Result> out = new ArrayList<>();
        for (MetricsLog.Measurement m : log.measurements(name)) {
            out.add((Sharpness.Result) m.result());
        }
        return out;
    }

    private static Map<String, Object> summary(List<Sharpness.Result> rs) {
        long[] h = rs.stream().mapToLong(Sharpness.Result::hvps).toArray();
        long[] sorted = h.clone();
        Arrays.sort(sorted);
        int m = sorted.length;
        double median = m == 0 ? Double.NaN : m % 2 == 1 ? sorted[m / 2] : 0.5 * (sorted[m / 2 - 1] + sorted[m / 2]);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("hvps_mean", m == 0 ? Double.NaN : Arrays.stream(h).average().orElse(Double.NaN));
        s.put("hvps_median", median);
        s.put("hvps_max", m == 0 ? 0 : sorted[m - 1]);
        s.put("hvps_total", Arrays.stream(h).sum());
        s.put("hvps", h);
        s.put("sharpness", rs.stream().mapToDouble(Sharpness.Result::sharpness).toArray());
        s.put("converged", rs.stream().allMatch(Sharpness.Result::converged));
        s.put("seconds", rs.stream().mapToDouble(Sharpness.Result::seconds).sum());
        return s;
    }
}
