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
        return "~6 s";
    }

    @Override
    public String fullRuntime() {
        return "~24 s";
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
        crossChecks(r);
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

    /**
     * The independent NumPy oracles of the failing gates (bench/crosscheck/symmetry_s{3,4,5}.py, fed with the data,
     * initial weights and batch indices exported by bench/crosscheck/symmetry_export.java), as measured once at base
     * seed 0: static text, not recomputed by this run.
     */
    static void crossChecks(StudyResult r) {
        r.section("Independent cross-checks (NumPy oracles, base seed 0)");
        r.text("Each experiment with a failing gate was reimplemented in NumPy from the spec text (not from the Java "
                + "code) and run on the same data, initial weights and batch indices (exported by "
                + "bench/crosscheck/symmetry_export.java). These figures were measured once at base seed 0 and are not "
                + "recomputed by this run. Agreement to rounding on the same trajectories rules out an implementation "
                + "error; the gates that still fail are calibration questions of the spec and are listed as known "
                + "failures in SymmetryStudyTest.");
        r.table(List.of("experiment (gates)", "oracle", "same trajectory", "sgdlab", "oracle", "what-ifs (oracle)"), List.of(
                List.of("S3 (SY6, SY7)", "bench/crosscheck/symmetry_s3.py",
                        "η_crit identical in 6 of 8 seeds (SF1 seeds 1, 2: 0.4455 vs 0.4483 and 0.46322 vs 0.46305, one probe "
                                + "next to the threshold flips); balancedness and train loss to 1e-13",
                        "median final balancedness SGD 0.04751, GD 0.3254",
                        "SGD 0.04751, GD 0.3254",
                        "ν = 0.95 instead of 0.8: median 0.0174 with 3 of 8 runs diverged; η_crit on 24 NumPy draws "
                                + "0.33–0.86 (median 0.47; reference 0.43–0.61)"),
                List.of("S4 (SY8–SY13)", "bench/crosscheck/symmetry_s4.py",
                        "phase-1 end to 2e-15; ρ, Tr H, Tr Σ every 100 phase-2 steps to 4e-13, all three "
                                + "configurations (Tr H also by finite differences)",
                        "anisotropic φ = 1: ρ_SGD 0.2468, ρ_GD 0.5548 (ratio 0.445)",
                        "0.2468, 0.5548",
                        "1e6 SGD steps: mean ρ 0.24–0.26 in every 1e5 window; SGD started at the orbit minimum of Tr Σ "
                                + "(ρ = 0.02): back to 0.23–0.26; ρ of the blocks averaged over 4.8e5 steps 0.019 "
                                + "(isotropic φ = 0.25: mean ρ 0.033, averaged blocks 0.006)"),
                List.of("S5 (SY14–SY19)", "bench/crosscheck/symmetry_s5.py",
                        "SGD + warmup: ‖θ_t‖ at every step and the loss every 200 steps to 1.6e-15 over 4e4 steps; final "
                                + "parameters to 4e-15; GD + warmup to 1e-16 up to step 1e4, then ~3 % apart at the edge of "
                                + "stability (chaotic; sgdlab's GD trains on the exact moment reduction)",
                        "end loss 1.549× the minimum 0.2462, λ_max 7.478 (Lanczos)",
                        "1.549×, λ_max 7.4781 (dense Hessian)",
                        "same data and init, 12 NumPy batch sequences: SY15 in 7, SY18 in 11; 20 independent NumPy "
                                + "draws: SY15 in 17, SY18 in 18 (1 diverged), median end ratio 1.15, median λ_max 5.76")));
    }
}
