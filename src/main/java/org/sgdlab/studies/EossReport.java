package org.sgdlab.studies;

import static org.sgdlab.studies.EossStudy.f;
import static org.sgdlab.studies.EossStudy.r4;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.report.Figure;
import org.sgdlab.report.Plot;
import org.sgdlab.report.Series;
import org.sgdlab.report.Verdict;

/**
 * The report of {@code eoss}: the paper's claims next to the measurements, the figures (BS with error bars and
 * lambda_max against 2/eta per run; lambda_max vs b; the long runs' BS settling at 2/eta; the B10-B13 extras),
 * the reference tables of STUDIES.md §2.4 next to ours, and the run list.
 */
final class EossReport {

    /** A row of the short-run reference table (§2.4, reference run, float64 NumPy prototype). */
    record Ref(String id, double lmax, double bs, double bsMin, double bsMax, double bsOverLmax, double loss) {
    }

    /** A row of the long-run reference table (§2.4). */
    record LongRef(String id, double lmax, double bs, double bsMin, double bsMax, double endLmax, double endBs,
                   double endMini, double loss1e5, double lossEnd) {
    }

    static final List<Ref> SHORT_REFS = List.of(
            new Ref("R-0.2-128", 0.998, 0.885, 0.80, 0.96, 0.89, 0.0059),
            new Ref("R-0.2-64s", 0.915, 0.795, 0.68, 0.92, 0.87, 0.020),
            new Ref("R-0.2-16", 0.713, 0.615, 0.52, 0.72, 0.86, 0.0073),
            new Ref("R-0.2-8s", 0.258, 0.329, 0.29, 0.37, 1.28, 0.107),
            new Ref("R-0.4-64n", 0.938, 0.863, 0.69, 1.01, 0.92, 0.0138),
            new Ref("R-0.4-32", 0.902, 0.802, 0.70, 1.07, 0.89, 0.0037),
            new Ref("R-0.4-8", 0.496, 0.683, 0.63, 0.94, 1.38, 0.0039),
            new Ref("R-0.4-8n", 0.265, 0.337, 0.29, 0.39, 1.27, 0.285),
            new Ref("R-0.05-64", 0.654, 0.304, 0.26, 0.40, 0.46, 0.0025),
            new Ref("R-0.05-8", 0.415, 0.385, 0.33, 0.42, 0.93, 0.0038),
            new Ref("R-0.1-8n2", 0.261, 0.356, 0.28, 0.43, 1.36, 0.052),
            new Ref("R-0.1-8n5", 0.213, 0.311, 0.25, 0.37, 1.46, 0.078));

    static final List<LongRef> LONG_REFS = List.of(
            new LongRef("L-0.1-8", 0.49, 0.78, 0.73, 0.89, 0.50, 0.78, 1.44, 6e-4, 3e-5),
            new LongRef("L-0.15-8", 0.48, 0.72, 0.66, 0.80, 0.50, 0.69, 1.47, 5e-4, 6e-5),
            new LongRef("L-0.2-8", 0.46, 0.91, 0.85, 1.00, 0.47, 0.93, 1.63, 1.1e-3, 2e-4),
            new LongRef("L-0.3-8", 0.43, 0.95, 0.82, 1.08, 0.43, 1.06, 1.64, 3.7e-3, 1.1e-3),
            new LongRef("L-0.2-32", 0.945, 1.06, 0.92, 1.18, 0.94, 0.95, 1.62, 0, 0));

    private EossReport() {
    }

    static void write(StudyResult res, EossSetup setup, Map<String, EossRun> runs, Map<String, EossRun> retries,
                      List<EossRun> forks, EossStudy.Plan plan, EossVerdicts v) {
        boolean quick = plan.quick();
        res.section("Setup");
        res.text("Data: " + setup.describe() + ". Loss (1/n) sum 1/2 ||f - y||^2 (c = 1/2, Q2.2); SGD with epoch-shuffle "
                + "batches (drop-last), constant eta; every run starts from the init of the run seed (base seed "
                + "0 = the calibrated seed 0; the retry rule uses seed 1). Measurements at theta_t before the update: "
                + "lambda_max by Lanczos on all n examples (Q6), batch sharpness (Q7.2) with M = 64 fresh batches of the "
                + "training size (SE = sd/sqrt(M)), MiniBS (Q7.3, M = 16) on the first 16 batches of the same BS "
                + "measurement.");
        if (quick) {
            res.text("Quick variant (§2.3): R-0.4-8, R-0.4-32, R-0.2-16, R-0.2-128 for 6000 steps with lambda_max and BS "
                    + "every 300 steps from step 600 (19 measurements) and the full loss every 100 steps (B4's 200 steps "
                    + "after a BS exceedance are replayed exactly from theta_t instead); MiniBS once, at the end of "
                    + "R-0.4-8; the b = n identities of B5 on the first 100 examples; "
                    + (EossStudy.QUICK_LONG ? "L-0.3-8 (2e5 steps, b = 8, 20 % label noise) with lambda_max and BS every "
                    + "8000 steps (M = 128 and MiniBS at the end) and the full loss every 1000 steps. Decision (§2.3): "
                    + "L-0.3-8 stays in the quick variant (measured: about 200 us of CPU per SGD step of b = 8 including "
                    + "the trainer's bookkeeping on a loaded machine, so about 30-45 s of CPU for the run, on one core "
                    + "while the four short runs share the other); in this study it took " + seconds(runs.get("L-0.3-8"))
                    + " s of wall time."
                    : "L-0.3-8 and B7 moved to the full variant (§2.3) because the quick budget was exceeded."));
        }
        claims(res, runs, retries);
        figures(res, setup, runs, retries, forks, plan, v);
        tables(res, runs, retries, quick);
        for (EossRun r : runs.values()) {
            res.run(row(r));
        }
        for (EossRun r : retries.values()) {
            res.run(row(r));
        }
        for (EossRun r : forks) {
            res.run(row(r));
        }
        res.extra("data", setup.data);
        res.extra("eta_scale", setup.etaScale);
        if (Double.isFinite(setup.lambda0)) {
            res.extra("lambda_max_theta0", setup.lambda0);
        }
    }

    private static String seconds(EossRun r) {
        return r == null ? "-" : String.format(Locale.ROOT, "%.0f", r.seconds);
    }

    private static Map<String, Object> row(EossRun r) {
        EossVerdicts.Stats s = EossVerdicts.stats(r);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("eta", r4(r.eta));
        m.put("b", r.spec.b());
        m.put("label_noise", r.spec.noise());
        m.put("init_scale", r.spec.initScale());
        m.put("optimizer", r.spec.kind() == EossSetup.Kind.MOMENTUM ? "heavy-ball beta=" + r.spec.beta() : "sgd");
        m.put("seed", r.seed);
        m.put("role", r.spec.role());
        m.put("status", r.status);
        m.put("steps", r.stepsDone);
        m.put("final_loss", r4(r.finalLoss()));
        m.put("lmax_ratio_2nd_half", r4(s.lmax2()));
        m.put("bs_ratio_2nd_half", r4(s.bs2()));
        m.put("lmax_measurements", r.lmax.length);
        m.put("lmax_unconverged", r.lmaxUnconverged);
        m.put("wall_s", Math.round(r.seconds * 10) / 10.0);
        return m;
    }

    private static void claims(StudyResult res, Map<String, EossRun> runs, Map<String, EossRun> retries) {
        res.section("The paper's claims next to our measurements");
        EossRun r8 = runs.get("R-0.4-8");
        EossRun r128 = runs.get("R-0.2-128");
        StringBuilder sb = new StringBuilder();
        sb.append("Paper (v3-v5): batch sharpness stabilises at 2/eta while lambda_max, generally smaller than batch "
                + "sharpness, is suppressed; smaller batches and larger steps give flatter lambda_max. ");
        if (r8 != null && r128 != null) {
            EossVerdicts.Stats a = EossVerdicts.stats(r8);
            EossVerdicts.Stats b = EossVerdicts.stats(r128);
            sb.append(String.format(Locale.ROOT, "Here (2nd-half means, ratios to 2/eta): R-0.4-8 lambda_max %s, BS %s "
                            + "(BS/lambda_max %s; reference 0.496, 0.683, 1.38); R-0.2-128 lambda_max %s, BS %s (%s; reference "
                            + "0.998, 0.885, 0.89). ", f(a.lmax2()), f(a.bs2()), f(a.bsOverLmax()), f(b.lmax2()), f(b.bs2()),
                    f(b.bsOverLmax())));
        }
        EossRun l3 = runs.get("L-0.3-8");
        if (l3 != null) {
            EossCriteria.Window w = EossVerdicts.lastQuarter(l3);
            sb.append(String.format(Locale.ROOT, "Long run L-0.3-8 (last 25 %%): BS %s of 2/eta (max %s), lambda_max %s, "
                            + "BS/lambda_max %s; reference 2nd half: BS 0.95, lambda_max 0.43. ", f(w.meanBs()), f(w.maxBs()),
                    f(w.meanLmax()), f(w.meanBsOverLmax())));
            EossRun.Bs end = l3.lastBs();
            if (end != null && end.hasMini()) {
                double mr = end.miniBs() / l3.threshold;
                sb.append(String.format(Locale.ROOT, "At its end MiniBS = %s of 2/eta (reference 1.64); v1 claims MiniBS "
                        + "hovers at 2/eta: %s. ", f(mr), mr > 1.2 ? "here it sits well above 2/eta, as in the reference run"
                        : mr < 0.8 ? "here it sits well below 2/eta" : "here it is near 2/eta"));
            }
        }
        if (!retries.isEmpty()) {
            sb.append("Retries with seed 1 were run for: ").append(String.join(", ", retries.keySet())).append(". ");
        }
        res.text(sb.toString());
    }

    /** A number rounded to 4 significant digits in its shortest plain form (0.3, not 0.2999... or 0.3000). */
    static String g(double x) {
        if (!Double.isFinite(x)) {
            return String.valueOf(x);
        }
        return java.math.BigDecimal.valueOf(r4(x)).stripTrailingZeros().toPlainString();
    }

    private static Plot.Builder base(String title, String y) {
        return Plot.builder().title(title).xLabel("step").yLabel(y);
    }

    private static String outcome(StudyResult res, String id) {
        Verdict v = res.verdict(id);
        if (v == null) {
            return id + " not evaluated";
        }
        String o = v.outcome() == Verdict.Outcome.PASS ? "PASS" : v.outcome() == Verdict.Outcome.FAIL ? "FAIL" : "-";
        return id + " " + o + " (" + v.kind().label() + ")";
    }

    /** BS (with SE error bars), lambda_max and MiniBS of one run against its 2/eta. */
    static Plot runPanel(EossRun r) {
        Plot.Builder p = base(String.format(Locale.ROOT, "%s (eta %s, b %d)", r.id(), g(r.eta), r.spec.b()), "curvature");
        double[] bsx = r.bs.stream().mapToDouble(EossRun.Bs::step).toArray();
        double[] bsy = r.bs.stream().mapToDouble(EossRun.Bs::bs).toArray();
        double[] bse = r.bs.stream().mapToDouble(EossRun.Bs::se).toArray();
        p.add(Series.markers("BS +- SE", bsx, bsy).withErrors(bse).withShape(Series.Shape.CIRCLE));
        double[] lx = new double[r.lmaxSteps.length];
        for (int i = 0; i < lx.length; i++) {
            lx[i] = r.lmaxSteps[i];
        }
        p.add(Series.lineMarkers("lambda_max", lx, r.lmax).withShape(Series.Shape.SQUARE));
        List<EossRun.Bs> mini = r.miniCheckpoints();
        if (!mini.isEmpty()) {
            p.add(Series.markers("MiniBS", mini.stream().mapToDouble(EossRun.Bs::step).toArray(),
                    mini.stream().mapToDouble(EossRun.Bs::miniBs).toArray())
                    .withErrors(mini.stream().mapToDouble(EossRun.Bs::miniBsSe).toArray()).withShape(Series.Shape.DIAMOND));
        }
        p.refLine(r.threshold, "2/eta");
        double top = r.threshold;
        for (EossRun.Bs b : r.bs) {
            top = Math.max(top, Double.isFinite(b.bs()) ? b.bs() + b.se() : top);
            top = Math.max(top, Double.isFinite(b.miniBs()) ? b.miniBs() + b.miniBsSe() : top);
        }
        for (double l : r.lmax) {
            top = Math.max(top, Double.isFinite(l) ? l : top);
        }
        p.yRange(0, Math.min(1.1 * top, 4 * r.threshold));
        return p.build();
    }

    private static void figures(StudyResult res, EossSetup setup, Map<String, EossRun> runs,
                                Map<String, EossRun> retries, List<EossRun> forks, EossStudy.Plan plan, EossVerdicts v) {
        boolean quick = plan.quick();
        res.section("Figures");
        List<Plot> panels = new ArrayList<>();
        for (EossRun r : runs.values()) {
            if (r.spec.kind() == EossSetup.Kind.SHORT) {
                panels.add(runPanel(r));
            }
        }
        if (!panels.isEmpty()) {
            res.figure(Figure.grid("eoss_bs_lmax_runs", panels, 2).withSize(420, 200)
                    .withTitle("Batch sharpness and lambda_max against 2/eta, short runs")
                    .withCaption("Each panel is one short run: batch sharpness (circles, error bars = SE over M = 64 "
                            + "batches), lambda_max (squares, Lanczos on all n) and MiniBS (diamonds, where measured), "
                            + "against the dashed 2/eta. Small batches keep lambda_max well below 2/eta with BS above it; "
                            + "large batches are GD-like (BS <= lambda_max near 2/eta). Verdicts: " + outcome(res, "B1")
                            + ", " + outcome(res, "B2") + ", " + outcome(res, "B3") + ", " + outcome(res, "B4") + "."));
        }
        lmaxVsB(res, runs);
        longRuns(res, runs, retries);
        if (!quick) {
            forksFigure(res, forks, plan);
            momentumFigure(res, runs);
            gapFigure(res, v);
            gniFigure(res, runs);
        }
    }

    private static void lmaxVsB(StudyResult res, Map<String, EossRun> runs) {
        Plot.Builder p = Plot.builder().title("lambda_max vs batch size (2nd-half mean)").xLabel("batch size b").xLog()
                .yLabel("lambda_max eta/2");
        String[][] groups = {{"0.4", "R-0.4-8", "R-0.4-32"}, {"0.2", "R-0.2-16", "R-0.2-128"},
            {"0.05", "R-0.05-8", "R-0.05-64"}, {"0.2 long (end)", "L-0.2-8", "L-0.2-32"}};
        String[] colours = {"#0072b2", "#d55e00", "#009e73", "#cc79a7"};
        boolean any = false;
        for (int gi = 0; gi < groups.length; gi++) {
            String[] g = groups[gi];
            List<double[]> ours = new ArrayList<>();
            List<double[]> ref = new ArrayList<>();
            for (int i = 1; i < g.length; i++) {
                EossRun r = runs.get(g[i]);
                if (r == null) {
                    continue;
                }
                boolean lng = r.spec.kind() == EossSetup.Kind.LONG;
                double y = lng ? (r.lmax.length == 0 ? Double.NaN : r.lmax[r.lmax.length - 1] / r.threshold)
                        : EossVerdicts.stats(r).lmax2();
                ours.add(new double[] {r.spec.b(), y});
                for (Ref x : SHORT_REFS) {
                    if (x.id().equals(g[i])) {
                        ref.add(new double[] {r.spec.b(), x.lmax()});
                    }
                }
                for (LongRef x : LONG_REFS) {
                    if (x.id().equals(g[i])) {
                        ref.add(new double[] {r.spec.b(), x.endLmax()});
                    }
                }
            }
            if (ours.isEmpty()) {
                continue;
            }
            any = true;
            p.add(Series.lineMarkers("eta " + g[0], ours.stream().mapToDouble(x -> x[0]).toArray(),
                    ours.stream().mapToDouble(x -> x[1]).toArray()).withColor(colours[gi]).withShape(Series.Shape.CIRCLE));
            if (!ref.isEmpty()) {
                p.add(Series.markers("reference eta " + g[0], ref.stream().mapToDouble(x -> x[0]).toArray(),
                        ref.stream().mapToDouble(x -> x[1]).toArray()).withColor(colours[gi])
                        .withShape(Series.Shape.SQUARE).hollow());
            }
        }
        if (!any) {
            return;
        }
        p.refLine(1.0, "2/eta").xRange(4, 256).yRange(0, 1.1);
        res.figure(Figure.of("eoss_lmax_vs_b", p.build()).withTitle("lambda_max suppression by small batches")
                .withCaption("2nd-half mean of lambda_max eta/2 against b at fixed eta (filled circles, ours; hollow squares, "
                        + "the reference run of §2.4, same colour per eta); for the long runs the end value. "
                        + "The plateau rises with b toward the GD value 2/eta. "
                        + "Verdicts: " + outcome(res, "B1") + ", " + outcome(res, "B1r")
                        + (res.verdict("B9") != null ? ", " + outcome(res, "B9") : "") + "."));
    }

    private static void longRuns(StudyResult res, Map<String, EossRun> runs, Map<String, EossRun> retries) {
        List<EossRun> longs = new ArrayList<>();
        for (EossRun r : runs.values()) {
            if (r.spec.kind() == EossSetup.Kind.LONG) {
                longs.add(r);
            }
        }
        longs.addAll(retries.values());
        if (longs.isEmpty()) {
            return;
        }
        List<Plot> panels = new ArrayList<>();
        Plot.Builder lossPlot = base("full training loss, long runs", "loss").yLog();
        for (EossRun r : longs) {
            Plot.Builder p = base(String.format(Locale.ROOT, "%s (eta %s, b %d, seed %d)", r.id(), g(r.eta), r.spec.b(),
                    r.seed), "ratio to 2/eta");
            double[] bsx = r.bs.stream().mapToDouble(EossRun.Bs::step).toArray();
            double[] bsy = r.bs.stream().mapToDouble(b -> b.bs() / r.threshold).toArray();
            double[] bse = r.bs.stream().mapToDouble(b -> b.se() / r.threshold).toArray();
            p.add(Series.lineMarkers("BS eta/2 +- SE", bsx, bsy).withErrors(bse).withShape(Series.Shape.CIRCLE));
            double[] lx = new double[r.lmaxSteps.length];
            for (int i = 0; i < lx.length; i++) {
                lx[i] = r.lmaxSteps[i];
            }
            p.add(Series.lineMarkers("lambda_max eta/2", lx, EossStudy.ratios(r.lmax, r.threshold))
                    .withShape(Series.Shape.SQUARE));
            List<EossRun.Bs> mini = r.miniCheckpoints();
            if (!mini.isEmpty()) {
                p.add(Series.markers("MiniBS eta/2 (end)", mini.stream().mapToDouble(EossRun.Bs::step).toArray(),
                        mini.stream().mapToDouble(b -> b.miniBs() / r.threshold).toArray()).withShape(Series.Shape.DIAMOND));
            }
            p.refLine(1.0, "2/eta");
            p.span(EossCriteria.lastQuarter(r.spec.steps()), r.spec.steps(), "last 25 %");
            panels.add(p.build());
            double[] ls = new double[r.lossSteps.length];
            for (int i = 0; i < ls.length; i++) {
                ls[i] = r.lossSteps[i];
            }
            lossPlot.add(Series.line(r.id() + " seed " + r.seed, ls, r.loss));
        }
        panels.add(lossPlot.build());
        StringBuilder verdicts = new StringBuilder(outcome(res, "B7"));
        for (String id : List.of("B8", "B9")) {
            if (res.verdict(id) != null) {
                verdicts.append(", ").append(outcome(res, id));
            }
        }
        res.figure(Figure.stacked("eoss_long_runs", panels).withSize(720, 180)
                .withTitle("Long runs: batch sharpness settling at 2/eta")
                .withCaption("Ratios to 2/eta of batch sharpness (circles, SE bars; M = 128 at the end), lambda_max "
                        + "(squares) and MiniBS at the end (diamond), 20 % label noise, b = 8 unless stated; the shaded "
                        + "span is the last 25 % of the run used by B7/B8; bottom: the full loss (log scale). BS rises to "
                        + "about 2/eta and hovers there while lambda_max stays near half of it. Verdicts: " + verdicts + "."));
    }

    private static void forksFigure(StudyResult res, List<EossRun> forks, EossStudy.Plan plan) {
        if (forks.isEmpty()) {
            return;
        }
        Plot.Builder loss = Plot.builder().title("loss after the fork")
                .xLabel("steps after the fork (source step " + plan.forkStep() + ")")
                .yLabel("L / L(fork)").yLog();
        Plot.Builder bs = Plot.builder().title("batch sharpness after the fork").xLabel("steps after the fork")
                .yLabel("BS eta/2");
        for (EossRun f : forks) {
            int n = (int) Math.min(200, f.lossSteps.length);
            double[] x = new double[n];
            double[] y = new double[n];
            double l0 = f.lossAt(0);
            for (int i = 0; i < n; i++) {
                x[i] = f.lossSteps[i];
                y[i] = f.loss[i] / l0;
            }
            loss.add(Series.line(f.id(), x, y));
            bs.add(Series.lineMarkers(f.id(), f.bs.stream().mapToDouble(EossRun.Bs::step).toArray(),
                    f.bs.stream().mapToDouble(b -> b.bs() / f.threshold).toArray())
                    .withErrors(f.bs.stream().mapToDouble(b -> b.se() / f.threshold).toArray()));
        }
        loss.refLine(2.0, "doubling");
        bs.refLine(1.0, "2/eta");
        res.figure(Figure.stacked("eoss_edge_test", List.of(loss.build(), bs.build())).withSize(720, 180)
                .withTitle("B10: SGD edge test forks from R-0.4-64n at step " + plan.forkStep())
                .withCaption("Forks of " + plan.forkSteps() + " steps from theta_" + plan.forkStep() + " of R-0.4-64n: the "
                        + "same (eta, b), b = 16, and 1.25 eta. "
                        + "Top: loss relative to the fork point over the first 200 steps; bottom: batch sharpness at the "
                        + "fork's own b and eta (ratio to its 2/eta). Verdict: " + outcome(res, "B10") + "."));
    }

    private static void momentumFigure(StudyResult res, Map<String, EossRun> runs) {
        List<Plot> panels = new ArrayList<>();
        for (EossRun r : runs.values()) {
            if (r.spec.kind() != EossSetup.Kind.MOMENTUM) {
                continue;
            }
            EossSetup.RunSpec s = r.spec;
            Plot.Builder p = base(String.format(Locale.ROOT, "%s (heavy ball beta %s, eta %s, b %d)", r.id(), g(s.beta()),
                    g(r.eta), s.b()), "curvature");
            p.add(Series.markers("BS +- SE", r.bs.stream().mapToDouble(EossRun.Bs::step).toArray(),
                    r.bsValues()).withErrors(r.bs.stream().mapToDouble(EossRun.Bs::se).toArray()));
            double[] lx = new double[r.lmaxSteps.length];
            for (int i = 0; i < lx.length; i++) {
                lx[i] = r.lmaxSteps[i];
            }
            p.add(Series.line("lambda_max", lx, r.lmax));
            p.add(Series.markers("momentum quotient", r.momentum.stream().mapToDouble(Map.Entry::getKey).toArray(),
                    r.momentum.stream().mapToDouble(e -> e.getValue().quotient()).toArray()).withShape(Series.Shape.TRIANGLE));
            p.refLine(2 * (1 - s.beta()) / r.eta, "2(1-beta)/eta");
            p.refLine(2 * (1 + s.beta()) / r.eta, "2(1+beta)/eta");
            panels.add(p.build());
        }
        if (panels.isEmpty()) {
            return;
        }
        res.figure(Figure.stacked("eoss_momentum", panels).withSize(720, 180)
                .withTitle("B13: momentum SGD (heavy ball)")
                .withCaption("Batch sharpness, lambda_max and the momentum-aware quotient E_B[s^T H_B s / s^T g_B] "
                        + "(s = beta v + g_B) against 2(1 - beta)/eta and 2(1 + beta)/eta. Verdict: " + outcome(res, "B13")
                        + "."));
    }

    private static void gapFigure(StudyResult res, EossVerdicts v) {
        List<double[]> g = v.gaps();
        if (g.isEmpty()) {
            return;
        }
        double[] b = g.stream().mapToDouble(x -> x[0]).toArray();
        double[] gap = g.stream().mapToDouble(x -> x[1]).toArray();
        double[] fit = EossCriteria.powerLaw(b, gap);
        Plot.Builder p = Plot.builder().title("MiniBS - lambda_max at the end of the short runs").xLabel("b").xLog()
                .yLabel("MiniBS - lambda_max").yLog();
        p.add(Series.markers("short runs", b, gap));
        if (Double.isFinite(fit[1])) {
            double[] xs = {4, 256};
            double[] ys = {fit[0] * Math.pow(4, -fit[1]), fit[0] * Math.pow(256, -fit[1])};
            p.add(Series.line(String.format(Locale.ROOT, "fit a b^-alpha, alpha = %s", f(fit[1])), xs, ys).dashed());
        }
        res.figure(Figure.of("eoss_minibs_gap", p.build()).withTitle("B12: MiniBS gap vs batch size")
                .withCaption("End-of-run MiniBS - lambda_max against b (log-log) with the least-squares power law. "
                        + "Verdict: " + outcome(res, "B12") + "."));
    }

    private static void gniFigure(StudyResult res, Map<String, EossRun> runs) {
        List<double[]> pts = new ArrayList<>();
        for (EossRun r : runs.values()) {
            if (r.spec.kind() != EossSetup.Kind.SHORT) {
                continue;
            }
            Map<Long, EossRun.GniPoint> gni = new LinkedHashMap<>();
            r.gni.forEach(x -> gni.put(x.step(), x));
            for (Map.Entry<Long, EossDiagnostics.OneStep.Result> e : r.oneStep) {
                EossRun.GniPoint x = gni.get(e.getKey());
                double lam = r.lmaxAt(e.getKey());
                if (x == null) {
                    continue;
                }
                EossDiagnostics.OneStep.Result o = e.getValue();
                double norm = o.eta() * o.gradNormSq();
                pts.add(new double[] {EossCriteria.gniPrediction(o.eta(), o.gradNormSq(), x.gni()) / norm,
                    o.change() / norm, o.eta() * lam});
            }
        }
        if (pts.isEmpty()) {
            return;
        }
        Plot.Builder p = Plot.builder().title("one-step loss change / (eta ||g||^2)").xLabel("GNI model -(1 - eta GNI/2)")
                .yLabel("Monte-Carlo E_B[dL] / (eta ||g||^2)");
        double[][] a = split(pts, true);
        double[][] b = split(pts, false);
        p.add(Series.markers("eta lambda_max <= 1", a[0], a[1]));
        p.add(Series.markers("eta lambda_max > 1", b[0], b[1]).hollow());
        double lo = pts.stream().mapToDouble(x -> Math.min(x[0], x[1])).min().orElse(-1);
        double hi = pts.stream().mapToDouble(x -> Math.max(x[0], x[1])).max().orElse(1);
        p.add(Series.line("y = x", new double[] {lo, hi}, new double[] {lo, hi}).dashed());
        res.figure(Figure.of("eoss_gni_check", p.build()).withTitle("B11: GNI second-order model vs Monte Carlo")
                .withCaption("Each point is a GNI checkpoint of a short run (every 500 steps): the predicted change "
                        + "-eta||g||^2(1 - eta GNI/2) against the Monte-Carlo mean over 64 batches, both divided by "
                        + "eta||g||^2. Verdict: " + outcome(res, "B11") + "."));
    }

    private static double[][] split(List<double[]> pts, boolean stable) {
        List<double[]> s = pts.stream().filter(x -> (x[2] <= 1) == stable).toList();
        return new double[][] {s.stream().mapToDouble(x -> x[0]).toArray(), s.stream().mapToDouble(x -> x[1]).toArray()};
    }

    private static void tables(StudyResult res, Map<String, EossRun> runs, Map<String, EossRun> retries, boolean quick) {
        res.section("Reference values (§2.4, reference run, float64 NumPy prototype) next to ours");
        List<List<Object>> rows = new ArrayList<>();
        for (Ref ref : SHORT_REFS) {
            EossRun r = runs.get(ref.id());
            EossVerdicts.Stats s = r == null ? null : EossVerdicts.stats(r);
            rows.add(List.of(ref.id(), r == null ? "-" : f(r.eta), r == null ? "-" : r.spec.b(),
                    ref.lmax() + " | " + (s == null ? "not run" : f(s.lmax2())),
                    ref.bs() + " (" + ref.bsMin() + "-" + ref.bsMax() + ") | "
                            + (s == null ? "not run" : f(s.bs2()) + " (" + f(s.bsMin2()) + "-" + f(s.bsMax2()) + ")"),
                    ref.bsOverLmax() + " | " + (s == null ? "-" : f(s.bsOverLmax())),
                    ref.loss() + " | " + (s == null ? "-" : f(s.finalLoss()))));
        }
        res.text("Short runs: reference | ours. lambda_max/(2/eta) and BS/(2/eta) are 2nd-half means (min-max for BS), "
                + "BS/lambda_max the ratio of the two means." + (quick ? " Quick variant: measurements every 300 steps from "
                + "step 600 (the reference measured every 100)." : "") + " GD at eta = 0.2 (the eos study): lambda_max "
                + "ratio 1.02, final loss 0.0081.");
        res.table(List.of("run", "eta", "b", "lambda_max/(2/eta) ref | ours", "BS/(2/eta) ref | ours", "BS/lambda_max",
                "final loss"), rows);
        List<List<Object>> lrows = new ArrayList<>();
        List<EossRun> longs = new ArrayList<>();
        for (LongRef ref : LONG_REFS) {
            EossRun r = runs.get(ref.id());
            EossRun rr = retries.get(ref.id());
            lrows.add(longRow(ref, r));
            if (rr != null) {
                lrows.add(longRow(ref, rr));
            }
            if (r != null) {
                longs.add(r);
            }
        }
        res.text("Long runs (20 % label noise, 2e5 steps): reference | ours; 2nd half = steps 1e5-2e5; end values at "
                + "step 2e5 (BS with M = 128, MiniBS with M = 16).");
        res.table(List.of("run", "seed", "lambda_max/(2/eta) 2nd half", "BS/(2/eta) 2nd half (min-max)",
                "end: lambda_max, BS, MiniBS (/(2/eta))", "loss at 1e5 -> 2e5"), lrows);
        res.text("End-of-run MiniBS of the two eta = 0.1, b = 8 short runs (reference): MiniBS 15.2 vs BS 8.2 vs lambda_max "
                + "5.9 (noise 0.2) and 13.3 vs 7.3 vs 4.7 (noise 0.5)." + endMini(runs));
    }

    private static String endMini(Map<String, EossRun> runs) {
        StringBuilder sb = new StringBuilder();
        for (String id : List.of("R-0.1-8n2", "R-0.1-8n5")) {
            EossRun r = runs.get(id);
            if (r == null) {
                continue;
            }
            List<EossRun.Bs> mc = r.miniCheckpoints();
            if (mc.isEmpty()) {
                continue;
            }
            EossRun.Bs c = mc.get(mc.size() - 1);
            sb.append(String.format(Locale.ROOT, " Ours, %s: MiniBS %s vs BS %s vs lambda_max %s.", id, f(c.miniBs()),
                    f(c.bs()), f(r.lmaxAt(c.step()))));
        }
        return sb.toString();
    }

    private static List<Object> longRow(LongRef ref, EossRun r) {
        if (r == null) {
            return List.of(ref.id(), "-", ref.lmax() + " | not run", ref.bs() + " (" + ref.bsMin() + "-" + ref.bsMax()
                    + ") | not run", ref.endLmax() + ", " + ref.endBs() + ", " + ref.endMini() + " | not run",
                    ref.loss1e5() + " -> " + ref.lossEnd() + " | not run");
        }
        EossVerdicts.Stats s = EossVerdicts.stats(r);
        EossRun.Bs end = r.lastBs();
        double endL = r.lmax.length == 0 ? Double.NaN : r.lmax[r.lmax.length - 1] / r.threshold;
        String endOurs = end == null ? "-" : f(endL) + ", " + f(end.bs() / r.threshold) + ", "
                + (end.hasMini() ? f(end.miniBs() / r.threshold) : "-");
        return List.of(ref.id(), r.seed, ref.lmax() + " | " + f(s.lmax2()),
                ref.bs() + " (" + ref.bsMin() + "-" + ref.bsMax() + ") | " + f(s.bs2()) + " (" + f(s.bsMin2()) + "-"
                        + f(s.bsMax2()) + ")",
                ref.endLmax() + ", " + ref.endBs() + ", " + ref.endMini() + " | " + endOurs,
                ref.loss1e5() + " -> " + ref.lossEnd() + " | " + f(r.lossAt(r.spec.steps() / 2)) + " -> "
                        + f(r.finalLoss()));
    }
}
