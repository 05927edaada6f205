package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.diagnostics.StaticProbe;
import org.sgdlab.experiment.RunListener;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.Status;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * eta_crit by bisection (QUANTITIES.md Q17): the smallest constant learning rate at which (S)GD diverges within
 * K steps, for one model, data set, initialisation and batch sampler.
 *
 * <ol>
 *   <li>Divergence test of a probe at constant eta for K steps: the batch loss or a parameter non-finite, or
 *       max_j |theta_j| &gt; 1e6, or the full training loss (evaluated every 50 steps and at step K) &gt; 10.</li>
 *   <li>Every probe of one bisection starts from the same theta_0 and draws its batches from the
 *       {@code bisection} stream of the same seed (common random numbers), apart from the study's training
 *       runs ({@code batches} stream).</li>
 *   <li>Bracket: eta_0 = 2/lambda_max(H(theta_0)) (Q6) or a given start; if eta_0 diverges halve until a probe
 *       converges, else double until a probe diverges: eta_lo (converges) &lt; eta_hi (diverges).</li>
 *   <li>12 bisection steps: eta_mid = (eta_lo + eta_hi)/2; diverges: eta_hi = eta_mid, else eta_lo = eta_mid.</li>
 *   <li>eta_crit = eta_hi, returned with eta_lo and every probe outcome.</li>
 * </ol>
 *
 * The bracket and the bisection keep every converged probe below every diverged one by construction, so a
 * non-monotone history can only show up in the optional check probes at multiples of eta_crit (a study probes
 * the largest multiple it gates on, e.g. 0.8 eta_crit): a diverging check below eta_lo marks the history
 * non-monotone ({@link Outcome#monotone()} false); it is recorded, never hidden (Q17, step 5).
 *
 * <p>Paper context: Andriushchenko, Varre, Pillaud-Vivien, Flammarion, ICML 2023 (arXiv 2210.05337) run at
 * hand-picked step sizes on the edge of divergence; STUDIES.md §7 Rule 1 replaces them by nu eta_crit.
 */
final class SparseFeaturesBisection {

    /** Bisection steps (Q17, step 4). */
    static final int STEPS = 12;
    /** Full training loss above this is divergence (Q17, step 1). */
    static final double LOSS_BOUND = 10;
    /** max |theta_j| above this is divergence (Q17, step 1). */
    static final double PARAM_BOUND = 1e6;
    /** Cadence of the full training loss in a probe (Q17, step 1). */
    static final int EVAL_EVERY = 50;
    /** Halvings or doublings allowed while bracketing before the bisection gives up. */
    static final int MAX_BRACKET = 60;

    private SparseFeaturesBisection() {
    }

    /** The bisection of every seed, {@code bisect(seed)}, run by {@link StudyContext#parallel}; in seed order. */
    static <S> List<Outcome> perSeed(StudyContext ctx, List<S> seeds, Function<S, Outcome> bisect) {
        List<Callable<Outcome>> jobs = new ArrayList<>();
        for (S s : seeds) {
            jobs.add(() -> bisect.apply(s));
        }
        return ctx.parallel(jobs);
    }

    /** The outcome of one probe run at constant eta. */
    record Trial(boolean diverged, long step, String reason) {
    }

    /** A probe at constant eta; {@code phase} is start, halve, double, bisect or check. */
    record ProbeOutcome(double eta, String phase, boolean diverged, long step, String reason) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eta", eta);
            m.put("phase", phase);
            m.put("diverged", diverged);
            m.put("step", step);
            m.put("reason", reason);
            return m;
        }
    }

    /**
     * The result: eta_crit = eta_hi (the smallest diverging probe of the bracket), eta_lo (the largest
     * converging one), the start eta_0, every probe in order, and whether all converged probes lie below all
     * diverged ones.
     */
    record Outcome(double etaCrit, double etaLo, double eta0, List<ProbeOutcome> probes, boolean monotone) {

        Outcome {
            probes = List.copyOf(probes);
        }

        double etaHi() {
            return etaCrit;
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("eta_crit", etaCrit);
            m.put("eta_lo", etaLo);
            m.put("eta_0", eta0);
            m.put("monotone", monotone);
            m.put("probes", probes.stream().map(ProbeOutcome::toMap).toList());
            return m;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "eta_crit=%.6g (eta_lo=%.6g, eta_0=%.6g, %d probes%s)", etaCrit, etaLo, eta0,
                    probes.size(), monotone ? "" : ", NON-MONOTONE");
        }
    }

    /** A probe run: diverges or not at constant eta. */
    @FunctionalInterface
    interface Prober {
        Trial run(double eta);
    }

    /**
     * Q17 steps 3-5 on a prober: bracket from {@code eta0}, {@code steps} bisection steps, then one check probe
     * at {@code c * eta_hi} for every c in {@code checks} (may be empty).
     */
    static Outcome bisect(double eta0, Prober prober, int steps, double... checks) {
        if (!(eta0 > 0) || !Double.isFinite(eta0)) {
            throw new IllegalArgumentException("bisection: start eta_0 must be finite and > 0, got " + eta0);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("bisection: steps must be >= 0, got " + steps);
        }
        List<ProbeOutcome> probes = new ArrayList<>();
        double lo;
        double hi;
        if (probe(prober, eta0, "start", probes)) {
            hi = eta0;
            lo = eta0 / 2;
            int k = 0;
            while (probe(prober, lo, "halve", probes)) {
                if (++k >= MAX_BRACKET) {
                    throw new IllegalStateException("bisection: every probe diverged down to eta = " + lo
                            + " (started at " + eta0 + ")");
                }
                hi = lo;
                lo = lo / 2;
            }
        } else {
            lo = eta0;
            hi = eta0 * 2;
            int k = 0;
            while (!probe(prober, hi, "double", probes)) {
                if (++k >= MAX_BRACKET) {
                    throw new IllegalStateException("bisection: no probe diverged up to eta = " + hi
                            + " (started at " + eta0 + ")");
                }
                lo = hi;
                hi = hi * 2;
            }
        }
        for (int i = 0; i < steps; i++) {
            double mid = (lo + hi) / 2;
            if (probe(prober, mid, "bisect", probes)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        for (double c : checks) {
            probe(prober, c * hi, "check", probes);
        }
        return new Outcome(hi, lo, eta0, probes, monotone(probes));
    }

    private static boolean probe(Prober prober, double eta, String phase, List<ProbeOutcome> probes) {
        Trial t = prober.run(eta);
        probes.add(new ProbeOutcome(eta, phase, t.diverged(), t.step(), t.reason()));
        return t.diverged();
    }

    /** True when the largest converging eta is below the smallest diverging eta (vacuous with one kind). */
    static boolean monotone(List<ProbeOutcome> probes) {
        double maxConverged = Double.NEGATIVE_INFINITY;
        double minDiverged = Double.POSITIVE_INFINITY;
        for (ProbeOutcome p : probes) {
            if (p.diverged()) {
                minDiverged = Math.min(minDiverged, p.eta());
            } else {
                maxConverged = Math.max(maxConverged, p.eta());
            }
        }
        return maxConverged < minDiverged;
    }

    // ------------------------------------------------------------------ probes as training runs

    /**
     * What the probes of one bisection share: the problem, the optimizer ({@code sgd} or {@code gd}), the
     * sampler name and batch size, the seed whose {@code bisection} stream draws the batches, theta_0 and K.
     */
    record Setup(Problem problem, String optimizer, String sampler, int batchSize, long seed, Tensor theta0, long steps) {

        Setup {
            if (!optimizer.equals("sgd") && !optimizer.equals("gd")) {
                throw new IllegalArgumentException("bisection: optimizer must be sgd or gd, got '" + optimizer + "'");
            }
            if (!Samplers.NAMES.contains(sampler)) {
                throw new IllegalArgumentException("bisection: unknown sampler '" + sampler + "'; known: "
                        + String.join(", ", Samplers.NAMES));
            }
            if (steps < 1) {
                throw new IllegalArgumentException("bisection: probe steps K must be >= 1, got " + steps);
            }
            if (theta0 == null || theta0.size() != problem.model().numParams()) {
                throw new IllegalArgumentException("bisection: theta_0 must have " + problem.model().numParams()
                        + " entries");
            }
            theta0 = theta0.detach();
        }

        /** The probes' sampler: the {@code bisection} stream of the seed, the same for every probe. */
        BatchSampler batches() {
            return Samplers.create(sampler, problem.train().size(), batchSize, true, seed, Rng.BISECTION);
        }

        /** The probe run at constant eta (Q17 step 1 bounds, no diagnostics, no spike detector). */
        TrainConfig config(double eta) {
            return TrainConfig.builder(problem,
                            optimizer.equals("gd") ? Optimizers.gd(Schedules.constant(eta))
                                    : Optimizers.sgd(Schedules.constant(eta)), batches())
                    .steps(steps).seed(seed).theta0(theta0).evalEvery(EVAL_EVERY).testEvery(0)
                    .divergenceLoss(LOSS_BOUND).divergenceParam(PARAM_BOUND).spikeKappa(0).build();
        }

        /** Runs the probe at eta through the library's training loop. */
        Trial run(double eta) {
            RunResult r = Trainer.run(config(eta), new RunListener() {
            });
            return new Trial(r.status() == Status.DIVERGED, r.steps(), r.reason());
        }

        /** 2/lambda_max(H(theta_0)) of the full training loss (Q6, dense or Lanczos as the size asks). */
        double defaultStart() {
            Sharpness.Result s = new Sharpness(Sharpness.Config.DEFAULT).measure(
                    StaticProbe.of(problem, theta0).withSeed(seed));
            if (!(s.sharpness() > 0) || !Double.isFinite(s.sharpness())) {
                throw new IllegalStateException("bisection: lambda_max(H(theta_0)) = " + s.sharpness()
                        + " gives no start 2/lambda_max; give the study's start instead");
            }
            return 2.0 / s.sharpness();
        }
    }

    /** Q17 with the default start 2/lambda_max(H(theta_0)) and the given check multiples. */
    static Outcome run(Setup setup, double... checks) {
        return bisect(setup.defaultStart(), setup::run, STEPS, checks);
    }
}
