package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoublePredicate;
import org.sgdlab.data.BatchSampler;
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
import org.sgdlab.tensor.Tensor;

/**
 * eta_crit by bisection (QUANTITIES.md Q17), study-local to the {@code symmetry} study (S3 uses the SF1 runs of
 * STUDIES.md §7.1): eta_crit = the smallest constant learning rate at which SGD diverges within K steps.
 *
 * <ol>
 *   <li>Probe: constant eta for K steps; diverged if the batch loss or a parameter is non-finite, max_j |theta_j|
 *       &gt; 1e6, or the full training loss (every 50 steps and at K) exceeds 10.</li>
 *   <li>Every probe of one bisection uses the same theta_0 and batch sequence (the caller's sampler, on the
 *       {@code bisection} stream).</li>
 *   <li>Bracket from eta_0 = 2/lambda_max(H(theta_0)): halve while the probe diverges, else double until it
 *       diverges, giving eta_lo (converges) &lt; eta_hi (diverges).</li>
 *   <li>12 bisection steps on the midpoint; eta_crit = eta_hi, with eta_lo and every probe outcome.</li>
 * </ol>
 * Divergence need not be monotone in eta; every probe outcome is kept in {@link Result#trials()} (each probe
 * lies inside the current bracket, so the history itself is always consistent with a single threshold: a
 * non-monotone divergence region shows only through eta_crit landing at an island, which the probes record).
 */
final class SymmetryBisection {

    /** Bisection steps (Q17). */
    static final int STEPS = 12;
    /** Bracketing halvings/doublings before giving up. */
    static final int MAX_BRACKET = 60;

    private SymmetryBisection() {
    }

    /** One probe run. */
    record Trial(double eta, boolean diverged) {
    }

    /** eta_crit = {@code etaHi}, the bracket, the start and every probe in order (NaN when no bracket was found). */
    record Result(double etaCrit, double etaLo, double eta0, List<Trial> trials) {
    }

    /** The protocol of Q17 on a divergence predicate, from {@code eta0}. */
    static Result bisect(double eta0, DoublePredicate diverges) {
        if (!(eta0 > 0) || !Double.isFinite(eta0)) {
            throw new IllegalArgumentException("bisection: start eta_0 must be finite and > 0, got " + eta0);
        }
        List<Trial> trials = new ArrayList<>();
        double lo;
        double hi;
        boolean d0 = probe(eta0, diverges, trials);
        if (d0) {
            hi = eta0;
            lo = Double.NaN;
            double eta = eta0;
            for (int i = 0; i < MAX_BRACKET && Double.isNaN(lo); i++) {
                eta /= 2;
                if (probe(eta, diverges, trials)) {
                    hi = eta;
                } else {
                    lo = eta;
                }
            }
        } else {
            lo = eta0;
            hi = Double.NaN;
            double eta = eta0;
            for (int i = 0; i < MAX_BRACKET && Double.isNaN(hi); i++) {
                eta *= 2;
                if (probe(eta, diverges, trials)) {
                    hi = eta;
                } else {
                    lo = eta;
                }
            }
        }
        if (Double.isNaN(lo) || Double.isNaN(hi)) {
            return new Result(Double.NaN, lo, eta0, trials);
        }
        for (int i = 0; i < STEPS; i++) {
            double mid = 0.5 * (lo + hi);
            if (probe(mid, diverges, trials)) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return new Result(hi, lo, eta0, trials);
    }

    private static boolean probe(double eta, DoublePredicate diverges, List<Trial> trials) {
        boolean d = diverges.test(eta);
        trials.add(new Trial(eta, d));
        return d;
    }

    /**
     * The Q17 probe: SGD at constant eta for {@code k} steps from {@code theta0} with {@code sampler}; true when the
     * run ends {@code diverged} (non-finite, max |theta_j| &gt; 1e6, or training loss &gt; 10 at a step divisible by
     * 50 or at k).
     */
    static boolean diverges(Problem problem, Tensor theta0, BatchSampler sampler, long seed, int k, double eta) {
        TrainConfig c = TrainConfig.builder(problem, Optimizers.sgd(Schedules.constant(eta)), sampler)
                .steps(k).seed(seed).theta0(theta0).evalEvery(50).logEvery(50).testEvery(0).spikeKappa(0)
                .divergenceLoss(10).divergenceParam(1e6).build();
        RunResult r = Trainer.run(c, new RunListener() {
        });
        return r.status() == Status.DIVERGED;
    }

    /** 2/lambda_max(H(theta0)) of the training loss (Q6 estimator, exact HVPs). */
    static double startEta(Problem problem, Tensor theta0) {
        Sharpness.Result s = new Sharpness(Sharpness.Config.DEFAULT).measure(StaticProbe.of(problem, theta0));
        return 2.0 / s.sharpness();
    }

    /** Q17 for SGD on {@code problem} from {@code theta0} with {@code sampler} (on the bisection stream). */
    static Result etaCrit(Problem problem, Tensor theta0, BatchSampler sampler, long seed, int k) {
        return bisect(startEta(problem, theta0), eta -> diverges(problem, theta0, sampler, seed, k, eta));
    }
}
