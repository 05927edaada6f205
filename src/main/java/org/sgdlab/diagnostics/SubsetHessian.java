package org.sgdlab.diagnostics;

import java.util.SplittableRandom;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.tensor.Rng;

/**
 * The Hessian {@code v -> H_S v} of the mean loss on a diagnostic's subset S of the training set at the probe's
 * theta (QUANTITIES.md Q5.1), with the diagnostic's {@code probes} stream: the subset policy draws from the
 * stream first ({@code random_n}), and the diagnostic's own probe vectors then continue the same stream.
 * Shared by {@link Sharpness}, {@link HessianTrace} and {@link SpectralDensity}.
 *
 * @param rng the diagnostic's {@code probes} stream, after the subset draw
 * @param selection the applied subset
 * @param h the counting Hessian operator on the subset
 */
record SubsetHessian(SplittableRandom rng, Subset.Selection selection, CountingOperator h) {

    /** Draws the subset of {@code subset}'s policy from {@code probe.rng(probes, diagnostic)}, then builds H on it. */
    static SubsetHessian of(Probe probe, String diagnostic, Subset subset) {
        Problem problem = probe.problem();
        SplittableRandom rng = probe.rng(Rng.PROBES, diagnostic);
        Subset.Selection sel = subset.select(problem.train(), rng);
        return new SubsetHessian(rng, sel, CurvatureOperators.hessian(problem, probe.theta(), sel.data()));
    }
}
