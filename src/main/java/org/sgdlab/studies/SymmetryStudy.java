package org.sgdlab.studies;

import java.util.List;

/**
 * The {@code symmetry} study (STUDIES.md §6): parameter symmetry, Noether flow and noise equilibrium of SGD
 * (Ziyin, Wang, Li, Wu, "Parameter Symmetry and Noise Equilibrium of Stochastic Gradient Descent", NeurIPS 2024,
 * arXiv 2402.07193; quantities QUANTITIES.md Q15).
 *
 * <ul>
 *   <li>S1 (SY1, SY2): the exact discrete Noether identities C(theta_{t+1}) - C(theta_t) = eta^2 ghat^T A ghat,
 *       M_{t+1} - M_t = eta^2 (ghat_W ghat_W^T - ghat_U^T ghat_U) and C_i(t+1) = (1 - eta^2 g_i^2) C_i(t), checked at
 *       every step inside the runs ({@link SymmetryIdentityCheck});</li>
 *   <li>S2 (SY3-SY5): scale invariance (A = I) makes ||W||^2 grow under SGD, not under GD; weight decay bounds it;</li>
 *   <li>S3 (SY6, SY7): the law of balance of a diagonal network on the SF1 runs (bisected eta_crit);</li>
 *   <li>S4 (SY8-SY13): noise equilibrium, flattening and sharpening of a two-layer linear network;</li>
 *   <li>S5 (SY14-SY19): warmup through the noise equilibrium;</li>
 *   <li>S6 (report, full variant): representation similarity of a two-layer tanh network.</li>
 * </ul>
 * Quick variant (§6.7): S1 with 200 steps per configuration; S2 with 2000 steps (SY5 dropped); S3 from the SF1
 * runs; S4 with isotropic phi in {0.25, 1} and anisotropic phi = 1, phase 2 of 1.2e5 steps; S5 with eta_big = 0.3;
 * S6 dropped.
 */
public final class SymmetryStudy implements Study {

    @Override
    public String name() {
        return "symmetry";
    }

    @Override
    public String paper() {
        return "Ziyin, Wang, Li, Wu, NeurIPS 2024, arXiv 2402.07193";
    }

    @Override
    public String claim() {
        return "under exponential symmetries SGD moves along the degenerate direction (Noether flow) to a unique, "
                + "initialisation-independent noise equilibrium where gradient noise is balanced and aligned; under "
                + "scale invariance the norm grows";
    }

    @Override
    public String quickRuntime() {
        return "~15 s (24-29 s CPU; 45-98 s wall measured with the 2 cores shared, load 9-21)";
    }

    @Override
    public String fullRuntime() {
        return "~30 s (48-50 s CPU; 133-289 s wall measured with the 2 cores shared, load ~17)";
    }

    @Override
    public StudyResult run(StudyContext ctx) {
        StudyResult r = new StudyResult(name());
        SymmetryNoether.s1(ctx, r);
        SymmetryNoether.s2(ctx, r);
        SymmetryBalance.s3(ctx, r);
        SymmetryEquilibrium.s4(ctx, r);
        SymmetryWarmup.s5(ctx, r);
        SymmetryEquilibrium.s6(ctx, r);
        r.section("Caveats and choices");
        r.text("No public code of the paper exists: every configuration is sgdlab's own analogue (STUDIES.md §6). The "
                + "paper's φ_x, architectures, learning rates, batch sizes, steps and warmup schedule are unverified "
                + "(Q19); the identification 2σ² = η/S is standard but unverified as the paper's constant; that the "
                + "equilibrium is the minimiser of Tr Σ along the orbit is derived (Q15.3), not quoted. The SGD iterate "
                + "fluctuates, so S4 and S6 use means over the last 20 % of phase 2, not end points.");
        r.table(List.of("choice", "value"), List.of(
                List.of("batch sampler, S2 and S4 (batch 1)", "iid-with-replacement (the sampler of Q15.2(5)'s "
                        + "expectation; for S = 1 identical in law to independent-without-replacement)"),
                List.of("seeds", "one data/init/batch seed per experiment (ctx.pick(0, ...)); S3: the 8 SF1 seeds"),
                List.of("full-batch GD of linear nets (S4 phase 1 and GD continued, S5 GD + warmup)",
                        "trained on the exact second-moment reduction of the training set (d + o rows with the same "
                                + "(1/n)[X Y]ᵀ[X Y]): the same loss, gradient and Hessian at every θ up to rounding; "
                                + "diagnostics measured on the real samples"),
                List.of("S1 data and init", "(a) SF1 data, u, v ~ 0.3 N(0, 1); (b) S4 data at φ = 1, entries 0.5 N(0, 1); "
                        + "(c) S2's teacher data and init"),
                List.of("S3 divergence bound of the main runs", "as the Q17 probes: non-finite, max |θ_j| > 1e6 or "
                        + "training loss > 10 (every 100 steps)"),
                List.of("SY8 with no configuration above ρ_GD = 0.1", "fails (the claim would be untested)")));
        return r;
    }
}
