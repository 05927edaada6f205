package org.sgdlab.studies;

import static org.sgdlab.studies.SymmetryData.fmt;
import static org.sgdlab.studies.SymmetryData.map;
import static org.sgdlab.studies.SymmetryData.sig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Samplers;
import org.sgdlab.data.Synthetic;
import org.sgdlab.diagnostics.NoetherCharge;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Symmetry;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.nn.DiagonalLinearNet;
import org.sgdlab.nn.Init;
import org.sgdlab.nn.Layout;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.nn.ScaleInvariantNet;
import org.sgdlab.nn.TwoLayerLinear;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.optim.WeightDecay;
import org.sgdlab.report.Figure;
import org.sgdlab.report.Plot;
import org.sgdlab.report.Series;
import org.sgdlab.studies.SymmetryData.Timed;
import org.sgdlab.studies.SymmetryData.Track;
import org.sgdlab.studies.SymmetryIdentityCheck.Kind;
import org.sgdlab.studies.SymmetryIdentityCheck.Step;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * S1 (exact Noether identities) and S2 (scale invariance makes the norm grow) of the {@code symmetry} study,
 * STUDIES.md §6.1-6.2 (QUANTITIES.md Q15.2, Q15.4, Q15.5).
 */
final class SymmetryNoether {

    /** S1 tolerances: SY1 relative, SY2 absolute. */
    static final double SY1_TOL = 1e-10;
    static final double SY2_TOL = 1e-13;
    /** S2: SY3 monotonicity (relative, one step) and cumulative identity (relative) tolerances. */
    static final double SY3_MONO_TOL = 1e-12;
    static final double SY3_SUM_TOL = 1e-9;

    private SymmetryNoether() {
    }

    // ================================================================== S1

    /** One S1 model: its problem builder per loss convention, initial theta, identity kind and blocks. */
    private record S1Model(String key, String label, Model model, Dataset data, Tensor theta0, Kind kind, String a,
                           String b) {
    }

    private record S1Run(S1Model model, int batch, double eta, double c, Timed run, int checks, double scalarRel,
                         double matrixRel, double coordAbs, int finiteChecks) {
    }

    static void s1(StudyContext ctx, StudyResult out) {
        int steps = ctx.quick() ? 200 : 1000;
        List<S1Model> models = new ArrayList<>();
        // (a) DLN beta = u ⊙ v, SF1 data (n = 20, d = 30, r = 3), init u, v ~ 0.3 N(0, 1)
        Dataset dlnData = Synthetic.sparseRegression(20, 1, 30, 3,
                Rng.stream(ctx.pick(0, "S1", "dln", "data"), Rng.DATA)).train();
        DiagonalLinearNet dln = DiagonalLinearNet.product(30).withGaussianInit(0.3);
        models.add(new S1Model("dln", "DLN u⊙v (d 30, n 20)", dln, dlnData,
                dln.init(Rng.stream(ctx.pick(0, "S1", "dln", "init"), Rng.INIT)), Kind.DLN, "u", "v"));
        // (b) two-layer linear net, d = h = o = 4, S4 data with phi = 1, init 0.5 N(0, 1)
        Dataset linData = Synthetic.linearTeacher(400, 1, new double[] {1, 1, 1, 1}, 4, new double[] {0.5},
                Rng.stream(ctx.pick(0, "S1", "linear", "data"), Rng.DATA)).train();
        TwoLayerLinear lin = TwoLayerLinear.of(4, 4, 4).withInit(Init.normal(0.5));
        models.add(new S1Model("linear", "two-layer linear UWx (4-4-4)", lin, linData,
                lin.init(Rng.stream(ctx.pick(0, "S1", "linear", "init"), Rng.INIT)), Kind.TWO_LAYER, "W", "U"));
        // (c) the scale-invariant network of S2
        Dataset siData = Synthetic.scaleInvariantTeacher(200, 1, 10, 20,
                Rng.stream(ctx.pick(0, "S1", "scale", "data"), Rng.DATA)).train();
        ScaleInvariantNet si = ScaleInvariantNet.of(10, 20, 1);
        models.add(new S1Model("scale", "scale-invariant a^T ReLU(√h Wx/‖Wx‖) (10-20-1)", si, siData,
                si.init(Rng.stream(ctx.pick(0, "S1", "scale", "init"), Rng.INIT)), Kind.SCALE, si.scaleInvariantBlock(),
                null));

        List<Callable<S1Run>> tasks = new ArrayList<>();
        for (S1Model m : models) {
            for (int b : new int[] {1, 4}) {
                for (double eta : new double[] {0.01, 0.05}) {
                    for (double c : new double[] {0.5, 1.0}) {
                        tasks.add(() -> s1Run(ctx, m, b, eta, c, steps));
                    }
                }
            }
        }
        List<S1Run> runs = ctx.parallel(tasks);

        Map<String, Object> m1 = new LinkedHashMap<>();
        Map<String, Object> m2 = new LinkedHashMap<>();
        boolean pass1 = true;
        boolean pass2 = true;
        int checks = 0;
        double worst1 = 0;
        double worst2 = 0;
        List<List<Object>> rows = new ArrayList<>();
        for (S1Model m : models) {
            double worst = 0;
            int mChecks = 0;
            int diverged = 0;
            for (S1Run r : runs) {
                if (r.model() != m) {
                    continue;
                }
                mChecks += r.checks();
                boolean ok = r.finiteChecks() == r.checks() && r.checks() > 0;
                double err = m.kind() == Kind.TWO_LAYER ? r.matrixRel() : r.scalarRel();
                ok &= err <= SY1_TOL;
                pass1 &= ok;
                worst = Math.max(worst, err);
                if (r.run().result().status() != org.sgdlab.experiment.Status.COMPLETED) {
                    diverged++;
                }
                if (m.kind() == Kind.DLN) {
                    boolean ok2 = r.finiteChecks() == r.checks() && r.coordAbs() <= SY2_TOL;
                    pass2 &= ok2;
                    worst2 = Math.max(worst2, r.coordAbs());
                }
                rows.add(List.of(m.key(), r.batch(), r.eta(), r.c(), r.run().result().status().id(), r.checks(),
                        sig(r.scalarRel()), m.kind() == Kind.TWO_LAYER ? sig(r.matrixRel()) : "—",
                        m.kind() == Kind.DLN ? sig(r.coordAbs()) : "—"));
            }
            checks += mChecks;
            worst1 = Math.max(worst1, worst);
            m1.put(m.key() + (m.kind() == Kind.TWO_LAYER ? "_matrix_max_rel_err" : "_scalar_max_rel_err"), sig(worst));
            m1.put(m.key() + "_checks", mChecks);
            if (diverged > 0) {
                m1.put(m.key() + "_runs_not_completed", diverged);
            }
        }
        m1.put("max_rel_err", sig(worst1));
        m1.put("checks", checks);
        m1.put("steps_per_run", steps);
        m2.put("dln_max_abs_err", sig(worst2));
        m2.put("checks", runs.stream().filter(r -> r.model().kind() == Kind.DLN).mapToInt(S1Run::checks).sum());
        out.gate("SY1", "the discrete Noether identity ΔC = η² ĝᵀAĝ (scalar charges) and M_{t+1} − M_t = "
                        + "η²(ĝ_Wĝ_Wᵀ − ĝ_Uᵀĝ_U) (two-layer net) hold at every SGD step", pass1, m1,
                "every step of every run (3 models × b ∈ {1, 4} × η ∈ {0.01, 0.05} × c ∈ {½, 1}): |ΔC − η²ĝᵀAĝ| ≤ 1e-10 · "
                        + "max(1, |η²ĝᵀAĝ|), resp. ‖ΔM − η²(ĝ_Wĝ_Wᵀ − ĝ_Uᵀĝ_U)‖_F ≤ 1e-10 · max(1, ‖η²(…)‖_F)");
        out.gate("SY2", "DLN per-coordinate charges obey C_i(t+1) = (1 − η² g_i²) C_i(t) exactly", pass2, m2,
                "|C_i(t+1) − (1 − η² g_{i,t}²) C_i(t)| ≤ 1e-13 for every coordinate and step");

        out.section("S1 — exact Noether identities (SY1, SY2)");
        out.text("Paper/derivation (Q15.2(5), Q15.4, Q15.5): for any batch, an SGD step changes the Noether charge "
                + "C = θᵀAθ by exactly η²ĝᵀAĝ; the two-layer charge matrix M = WWᵀ − UᵀU by η²(ĝ_Wĝ_Wᵀ − ĝ_Uᵀĝ_U); "
                + "each DLN coordinate charge is multiplied by (1 − η²g_i²). Measured inside each run by a diagnostic "
                + "scheduled every step (one extra batch gradient per step, the same bits as the trainer's), "
                + steps + " steps per configuration, iid-with-replacement batches. Scalar charges: DLN total rescaling "
                + "‖u‖² − ‖v‖²; scale-invariant block ‖W‖²; two-layer net Tr M (B = I) besides the matrix identity.");
        out.table(List.of("quantity", "reference (NumPy prototype)", "sgdlab"), List.of(
                List.of("matrix identity, max relative error", "7e-13", sig(maxOf(runs, Kind.TWO_LAYER, true))),
                List.of("DLN coordinate identity, max absolute error", "9e-16", sig(worst2)),
                List.of("scalar identities, max relative error", "—", sig(maxScalar(runs)))));
        out.table(List.of("model", "b", "η", "c", "status", "checks", "scalar rel err", "matrix rel err",
                "coord abs err"), rows);
        for (S1Run r : runs) {
            out.run(SymmetryData.runRow(r.run(), "S1", String.format(Locale.ROOT, "%s, b=%d, eta=%s, c=%s, sgd iid",
                    r.model().key(), r.batch(), fmt(r.eta()), fmt(r.c())), String.format(Locale.ROOT,
                    "checks %d, max scalar rel err %s", r.checks(), fmt(r.scalarRel()))));
        }
    }

    private static double maxOf(List<S1Run> runs, Kind kind, boolean matrix) {
        double m = 0;
        for (S1Run r : runs) {
            if (r.model().kind() == kind) {
                m = Math.max(m, matrix ? r.matrixRel() : r.scalarRel());
            }
        }
        return m;
    }

    private static double maxScalar(List<S1Run> runs) {
        double m = 0;
        for (S1Run r : runs) {
            m = Math.max(m, r.scalarRel());
        }
        return m;
    }

    private static S1Run s1Run(StudyContext ctx, S1Model m, int b, double eta, double c, int steps) {
        Problem p = new Problem(m.model(), Losses.squared(c == 0.5 ? MseConvention.HALF : MseConvention.PLAIN),
                m.data(), null);
        long seed = ctx.pick(b, "S1", m.key(), "batches");
        TrainConfig cfg = TrainConfig.builder(p, Optimizers.sgd(Schedules.constant(eta)),
                        Samplers.create(Samplers.IID_WITH_REPLACEMENT, m.data().size(), b, seed))
                .seed(seed).theta0(m.theta0()).steps(steps).evalEvery(50).spikeKappa(0)
                .diagnostic(Scheduled.every(new SymmetryIdentityCheck(m.kind(), m.a(), m.b(), true), 1)).build();
        String id = String.format(Locale.ROOT, "S1-%s-b%d-eta%s-c%s", m.key(), b, fmt(eta), fmt(c));
        Timed t = SymmetryData.train(ctx, id, cfg);
        Track<Step> tr = SymmetryData.track(t.log(), SymmetryIdentityCheck.NAME, Step.class);
        int checks = 0;
        int finite = 0;
        double sr = 0;
        double mr = 0;
        double ce = 0;
        for (int i = 1; i < tr.size(); i++) {
            Step s = tr.values().get(i);
            checks++;
            boolean ok = Double.isFinite(s.scalarRelError());
            if (m.kind() == Kind.TWO_LAYER) {
                ok &= Double.isFinite(s.matrixRelError());
                mr = Math.max(mr, s.matrixRelError());
            }
            if (m.kind() == Kind.DLN) {
                ok &= Double.isFinite(s.coordError());
                ce = Math.max(ce, s.coordError());
            }
            sr = Math.max(sr, s.scalarRelError());
            if (ok) {
                finite++;
            }
        }
        return new S1Run(m, b, eta, c, t, checks, sr, mr, ce, finite);
    }

    // ================================================================== S2

    static void s2(StudyContext ctx, StudyResult out) {
        int steps = ctx.quick() ? 2000 : 10000;
        double eta = 0.05;
        double gamma = 1e-3;
        Dataset data = Synthetic.scaleInvariantTeacher(200, 1, 10, 20,
                Rng.stream(ctx.pick(0, "S2", "data"), Rng.DATA)).train();
        ScaleInvariantNet net = ScaleInvariantNet.of(10, 20, 1);
        String wBlock = net.scaleInvariantBlock();
        Tensor theta0 = net.init(Rng.stream(ctx.pick(0, "S2", "init"), Rng.INIT));
        Problem p = new Problem(net, Losses.squared(MseConvention.HALF), data, null);
        long seed = ctx.pick(0, "S2", "batches");
        int stride = Math.max(1, steps / 1000);

        List<Callable<Timed>> tasks = new ArrayList<>();
        tasks.add(() -> SymmetryData.train(ctx, "S2-sgd", TrainConfig.builder(p,
                        Optimizers.sgd(Schedules.constant(eta)),
                        Samplers.create(Samplers.IID_WITH_REPLACEMENT, data.size(), 1, seed))
                .seed(seed).theta0(theta0).steps(steps).evalEvery(100).spikeKappa(0)
                .diagnostic(Scheduled.every(new SymmetryIdentityCheck(Kind.SCALE, wBlock, null, true), 1)).build()));
        tasks.add(() -> SymmetryData.train(ctx, "S2-gd", TrainConfig.builder(p, Optimizers.gd(Schedules.constant(eta)),
                        Samplers.create(Samplers.FULL_BATCH, data.size(), data.size(), seed))
                .seed(seed).theta0(theta0).steps(steps).evalEvery(100).spikeKappa(0)
                .diagnostic(Scheduled.every(new SymmetryIdentityCheck(Kind.SCALE, wBlock, null, false), stride))
                .build()));
        if (!ctx.quick()) {
            Layout.Block wb = net.layout().block(wBlock);
            Tensor mask = WeightDecay.blockMask(net.numParams(), new int[] {wb.offset(), wb.size()});
            NoetherCharge rate = new NoetherCharge(NoetherCharge.Config.of(Symmetry.Spec.scale(wBlock)).withRate(true));
            long every = steps / 50;
            tasks.add(() -> SymmetryData.train(ctx, "S2-sgd-wd", TrainConfig.builder(p,
                            WeightDecay.masked(Optimizers.sgd(Schedules.constant(eta)), gamma, mask),
                            Samplers.create(Samplers.IID_WITH_REPLACEMENT, data.size(), 1, seed))
                    .seed(seed).theta0(theta0).steps(steps).evalEvery(100).spikeKappa(0)
                    .diagnostic(Scheduled.every(new SymmetryIdentityCheck(Kind.SCALE, wBlock, null, false), stride))
                    .diagnostic(new Scheduled(rate, every, steps - steps / 5, new long[0], true, false)).build()));
        }
        List<Timed> runs = ctx.parallel(tasks);
        Timed sgd = runs.get(0);
        Timed gd = runs.get(1);
        Track<Step> ts = SymmetryData.track(sgd.log(), SymmetryIdentityCheck.NAME, Step.class);
        Track<Step> tg = SymmetryData.track(gd.log(), SymmetryIdentityCheck.NAME, Step.class);

        // SY3: monotone at every step and equal to the accumulated increments
        double[] c = ts.y(Step::charge);
        double[] inc = ts.y(Step::increment);
        double worstDrop = 0;
        double worstSum = 0;
        double sum = c[0];
        double comp = 0;
        boolean monotone = true;
        boolean cumulative = true;
        for (int i = 1; i < c.length; i++) {
            double drop = (c[i - 1] - c[i]) / c[i - 1];
            worstDrop = Math.max(worstDrop, drop);
            monotone &= c[i] - c[i - 1] >= -SY3_MONO_TOL * c[i - 1];
            // Kahan sum of ||W_0||^2 + eta^2 sum_s ||g_W,s||^2
            double yv = inc[i - 1] - comp;
            double tv = sum + yv;
            comp = (tv - sum) - yv;
            sum = tv;
            double rel = Math.abs(c[i] - sum) / c[i];
            worstSum = Math.max(worstSum, rel);
            cumulative &= rel <= SY3_SUM_TOL;
        }
        boolean complete = sgd.result().status() == org.sgdlab.experiment.Status.COMPLETED && c.length == steps + 1;
        double sgdIncrease = c[c.length - 1] - c[0];
        double[] cg = tg.y(Step::charge);
        double gdIncrease = cg[cg.length - 1] - cg[0];
        out.gate("SY3", "under SGD the scale-invariant block's ‖W‖² never decreases and grows by exactly η²‖ĝ_W‖² per step",
                complete && monotone && cumulative,
                map("steps", steps, "w2_initial", c[0], "w2_final", c[c.length - 1], "max_relative_drop", sig(worstDrop),
                        "max_relative_err_cumulative", sig(worstSum), "run_status", sgd.result().status().id()),
                "every step: ‖W_{t+1}‖² − ‖W_t‖² ≥ −1e-12 ‖W_t‖², and |‖W_t‖² − (‖W_0‖² + η² Σ_{s<t} ‖ĝ_{W,s}‖²)| ≤ 1e-9 ‖W_t‖²");
        boolean pass4 = sgdIncrease >= 10 * gdIncrease && sgdIncrease > 0;
        out.provisional("SY4", "SGD's Noether flow grows ‖W‖² much faster than GD's discrete drift", pass4,
                map("sgd_increase", sgdIncrease, "gd_increase", gdIncrease, "ratio", sgdIncrease / gdIncrease,
                        "steps", steps),
                "(‖W_T‖² − ‖W_0‖²)_SGD ≥ 10 × (‖W_T‖² − ‖W_0‖²)_GD over the " + steps + "-step runs"
                        + (ctx.quick() ? " (quick: the shorter run)" : ""));

        List<Series> series = new ArrayList<>();
        int[] ix = SymmetryData.thin(ts.size(), 1000);
        series.add(Series.line("SGD (S = 1)", SymmetryData.pick(ts.x(), ix), SymmetryData.pick(c, ix)));
        series.add(Series.line("GD", tg.x(), cg));
        String wdText = "";
        if (!ctx.quick()) {
            Timed wd = runs.get(2);
            Track<Step> tw = SymmetryData.track(wd.log(), SymmetryIdentityCheck.NAME, Step.class);
            Track<NoetherCharge.Result> tr = SymmetryData.track(wd.log(), NoetherCharge.NAME, NoetherCharge.Result.class);
            double[] cw = tw.y(Step::charge);
            series.add(Series.line("SGD + weight decay γ = 1e-3", tw.x(), cw));
            double late = tw.lateMean(Step::charge, steps, 0.2);
            double earlier = meanBetween(tw, 0.6 * steps, 0.8 * steps);
            double sigma2 = eta / 2.0;                          // sigma^2 = eta/(2S), S = 1
            double trSigmaW = tr.lateMean(NoetherCharge.Result::noetherRate, steps, 0.2);
            double pred = sigma2 * trSigmaW / (2 * gamma);
            // scale invariance: the gradient w.r.t. W scales as 1/||W||, so K = Tr Sigma_W ||W||^2 is invariant and the
            // self-consistent equilibrium of 4 gamma x = 2 sigma^2 K / x is x* = sqrt(sigma^2 K / (2 gamma))
            double kInv = tr.lateMean(r -> r.noetherRate() * r.cA(), steps, 0.2);
            double selfConsistent = Math.sqrt(sigma2 * kInv / (2 * gamma));
            double maxW2 = SymmetryData.max(cw);
            out.report("SY5", "with weight decay ‖W‖² stays bounded and stabilises near σ² Tr Σ_W/(2γ)", null,
                    map("late_mean_w2", late, "mean_w2_60_80pct", earlier, "relative_drift", (late - earlier) / earlier,
                            "max_w2", maxW2, "w2_initial", cw[0], "trace_sigma_w_late", trSigmaW,
                            "predicted_w2", pred, "late_over_predicted", late / pred,
                            "self_consistent_equilibrium_w2", selfConsistent, "relaxation_steps_1_over_4_eta_gamma",
                            1 / (4 * eta * gamma), "run_status", wd.result().status().id()),
                    "report: the late mean (last 20 %) of ‖W‖² against σ² Tr Σ_W/(2γ), σ² = η/(2S), Tr Σ_W at the current "
                            + "point (Q15.3), averaged over the same window");
            wdText = String.format(Locale.ROOT, " With weight decay γ = 1e-3 the late mean of ‖W‖² is %s (%s over the "
                    + "preceding 20 %%) against σ² Tr Σ_W/(2γ) = %s at the current point (ratio %s); since Tr Σ_W ∝ 1/‖W‖² "
                    + "under scale invariance, the self-consistent equilibrium is ‖W‖² = %s, approached with relaxation "
                    + "time 1/(4ηγ) = %s steps, so a %d-step run is still relaxing towards it.", fmt(late), fmt(earlier),
                    fmt(pred), fmt(late / pred), fmt(selfConsistent), fmt(1 / (4 * eta * gamma)), steps);
            out.run(SymmetryData.runRow(wd, "S2", "sgd b=1 iid, eta=0.05, weight decay 1e-3 on W, c=1/2",
                    "||W||^2 " + fmt(cw[0]) + " -> " + fmt(cw[cw.length - 1])));
        } else {
            out.report("SY5", "with weight decay ‖W‖² stays bounded and stabilises near σ² Tr Σ_W/(2γ)", null,
                    map("status", "dropped in the quick variant (STUDIES.md 6.7)"),
                    "report: the late mean of ‖W‖² against σ² Tr Σ_W/(2γ) (full variant only)");
        }
        out.section("S2 — scale invariance makes the norm grow (SY3–SY5)");
        out.text("Paper (Fig. 1 caption, Q15.3): for scale invariance (A = I on W, A ⪰ 0) the Noether flow "
                + "2σ² Tr Σ_W ≥ 0 has no finite fixed point, so SGD's ‖W‖² only grows, while GD's grows only by its "
                + "discrete drift η²‖∇_W L‖². Model f(x) = aᵀ ReLU(√h Wx/‖Wx‖) (ScaleInvariantNet: dense, RMS "
                + "normalisation with ε = 0, ReLU, dense; W ~ N(0, 1/d), a ~ N(0, 1/h)), d = 10, h = 20, teacher of the "
                + "same form, n = 200, c = ½, η = 0.05, " + steps + " steps. Measured: ‖W‖² grew by "
                + fmt(sgdIncrease) + " under SGD (S = 1) and by " + fmt(gdIncrease) + " under GD (ratio "
                + fmt(sgdIncrease / gdIncrease) + "); the largest relative one-step drop was " + fmt(worstDrop)
                + " and the largest relative deviation from ‖W_0‖² + η²Σ‖ĝ_W‖² was " + fmt(worstSum) + "." + wdText);
        Plot plot = Plot.builder().title("‖W‖² of the scale-invariant block").xLabel("step").yLabel("‖W‖²")
                .addAll(series).build();
        out.figure(Figure.of("s2_norm_growth", plot).withCaption(String.format(Locale.ROOT,
                "S2: ‖W_t‖² under SGD (batch 1) and GD at η = 0.05 (c = ½)%s. SGD's charge grows monotonically "
                        + "(SY3 %s: never decreases, equals ‖W_0‖² + η²Σ‖ĝ_W‖² to %s relative) and its increase is %s× "
                        + "GD's (SY4 %s, needs ≥ 10×).", ctx.quick() ? "" : " and SGD with weight decay",
                pass(complete && monotone && cumulative), fmt(worstSum), fmt(sgdIncrease / gdIncrease), pass(pass4))));
        out.run(SymmetryData.runRow(sgd, "S2", "sgd b=1 iid, eta=0.05, c=1/2",
                "||W||^2 " + fmt(c[0]) + " -> " + fmt(c[c.length - 1])));
        out.run(SymmetryData.runRow(gd, "S2", "gd, eta=0.05, c=1/2",
                "||W||^2 " + fmt(cg[0]) + " -> " + fmt(cg[cg.length - 1])));
    }

    private static double meanBetween(Track<Step> t, double from, double to) {
        double s = 0;
        int k = 0;
        for (int i = 0; i < t.size(); i++) {
            if (t.steps()[i] >= from && t.steps()[i] < to) {
                s += t.values().get(i).charge();
                k++;
            }
        }
        return k == 0 ? Double.NaN : s / k;
    }

    static String pass(boolean b) {
        return b ? "PASS" : "FAIL";
    }
}
