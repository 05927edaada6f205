package org.sgdlab.studies;

import static org.sgdlab.studies.CatapultSetup.f;
import static org.sgdlab.studies.CatapultSetup.r4;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.AgopAlignment;
import org.sgdlab.diagnostics.Ntk;
import org.sgdlab.diagnostics.NtkOperator;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.SpikeDetector;
import org.sgdlab.diagnostics.SpikeShares;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.optim.MilestoneAdaptive;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedule;
import org.sgdlab.optim.Schedules;
import org.sgdlab.report.Figure;
import org.sgdlab.report.Palette;
import org.sgdlab.report.Plot;
import org.sgdlab.report.Series;
import org.sgdlab.tensor.Tensor;

/**
 * {@code catapult-gd} (STUDIES.md §3): catapults of full-batch GD live in the top eigenspace of the tangent
 * kernel, and learning-rate increases that cause catapults lower the test error and raise the alignment
 * with the AGOP of the true predictor.
 *
 * <ul>
 *   <li>P1-A (§3.2, Claim 1): eta = nu eta_crit(0), eta_crit(0) = 2/lambda_1(K-bar(theta_0)); at every step
 *       the dense eigendecomposition of K-bar (128 x 128), L_top,s and L_rest,s for s in {1, 3, 5}
 *       (Q10.2); per spike (Q12, kappa = 2) phi_s and chi_s (Q10.3). Gates CA1 (nu = 0.8: no spike, kernel
 *       still), CA2 (nu in {1.2, 1.5}: one catapult confined to the top-5 space); reports CA3, CA4.</li>
 *   <li>P1-B (§3.3): eta_0 = eta_crit(0)/2, then at milestones 200, ..., 200k eta &lt;- 1.4 * 2/lambda_1(K-bar)
 *       (Q3.5 milestone-adaptive); at T = 2400 test MSE, AGOP alignment rho(G, G*) (Q13), training loss and
 *       spike count against k. Gates CB1-CB4 on the means over the net seeds; report CB5.</li>
 * </ul>
 *
 * Paper: L. Zhu, C. Liu, A. Radhakrishnan, M. Belkin, "Catapults in SGD: spikes in the training loss and
 * their impact on generalization through feature learning", ICML 2024, arXiv 2306.04815 (QUANTITIES.md
 * Q10-Q13).
 */
public final class CatapultGdStudy implements Study {

    static final double[] NUS = {0.8, 1.2, 1.5, 1.8, 2.0};
    static final double[] NUS_QUICK = {0.8, 1.5};
    static final int[] SPLIT = {1, 3, 5};
    static final int[] KS = {0, 1, 2, 3};
    static final int[] KS_QUICK = {0, 2};
    static final long STAGE = 200;
    static final double C_M = 1.4;
    static final long T_A = 200;
    static final long T_B = 2400;

    /**
     * The evidence behind CA2's chi_5 (fix-catapult cross-check, bench/crosscheck/catapult_p1a.py): on sgdlab's own
     * data and theta_0 the NumPy oracle reproduces sgdlab's trajectory to ~1e-13 (nu = 1.5: L_peak 62.271022492316,
     * chi_5 = 4.539); on NumPy's draws default_rng(1) (data) and default_rng(0) (net), which reproduce the reference
     * spectrum 0.1923, 0.0764, 0.0738, 0.0626, peak/L_0 = 96.8, L_T = 3.0e-3, lambda_1 -> 0.052 and phi_5 = 0.990, Q10.3's
     * chi_5 is 2.70 (nu = 1.5) and 0.888 (nu = 1.2), chi_1 = 5.55, chi_3 = 2.92; the quoted reference values
     * chi_5 = 1.00 (both nu), chi_1 = 1.97, chi_3 = 1.04 are exactly max_{t &lt;= t_end} L_rest,s(t) / L_rest,s(0)
     * (chi_s_from_theta0). The criterion chi_5 &lt;= 1.1 is therefore not met by the reference configuration under
     * Q10.3's definition: a calibration question of the spec, left failing.
     */
    static final String CHI_NOTE = "chi5 follows Q10.3 (max over [t_on, t_end] of L_rest,5 / L_rest,5(t_on - 1)); a NumPy"
            + " oracle reproduces sgdlab exactly on the same data, and on the reference run's own draw (NumPy default_rng(1)"
            + " data, default_rng(0) net: spectrum 0.1923, 0.0764, ...; peak/L_0 96.8) it gives chi5 = 2.70 at nu = 1.5,"
            + " not the quoted 1.00. The quoted chi values (1.00, 1.97, 1.04) equal chi_s_from_theta0 = max over"
            + " [0, t_end] of L_rest,s / L_rest,s(0): spec calibration question, see bench/crosscheck/catapult_p1a.py";

    @Override
    public String name() {
        return "catapult-gd";
    }

    @Override
    public String paper() {
        return "Zhu, Liu, Radhakrishnan, Belkin, ICML 2024, arXiv 2306.04815";
    }

    @Override
    public String claim() {
        return "GD loss spikes are catapults confined to the top NTK eigenspace; learning-rate increases that cause"
                + " catapults lower test error and raise AGOP alignment";
    }

    @Override
    public String quickRuntime() {
        return "~7 s";
    }

    @Override
    public String fullRuntime() {
        return "~22 s";
    }

    @Override
    public StudyResult run(StudyContext ctx) {
        StudyResult res = new StudyResult(name());
        PartA a = PartA.prepare(ctx);
        PartB b = PartB.prepare(ctx);
        List<Callable<MetricsLog>> tasks = new ArrayList<>(b.tasks(ctx));
        tasks.addAll(a.tasks(ctx));
        // the longer P1-B runs first, so that the two workers finish together
        List<MetricsLog> logs = ctx.parallel(tasks);
        int nb = b.runs.size();
        a.analyse(logs.subList(nb, logs.size()), res);
        b.analyse(logs.subList(0, nb), res);
        return res;
    }

    // =========================================================================================== P1-A

    /** P1-A (§3.2): n = 128, d = 10, m = 1024, data seed 1, net seed 0, T = 200, eta = nu eta_crit(0). */
    static final class PartA {
        final boolean quick;
        final long dataSeed;
        final long netSeed;
        final Problem problem;
        final double[] spectrum0;
        final double etaCrit;
        final double[] nus;

        private PartA(boolean quick, long dataSeed, long netSeed, Problem problem, double[] spectrum0) {
            this.quick = quick;
            this.dataSeed = dataSeed;
            this.netSeed = netSeed;
            this.problem = problem;
            this.spectrum0 = spectrum0;
            this.etaCrit = 2.0 / spectrum0[0];
            this.nus = quick ? NUS_QUICK : NUS;
        }

        static PartA prepare(StudyContext ctx) {
            long data = ctx.pick(1, "P1-A", "data");
            long net = ctx.pick(0, "P1-A", "net");
            Problem p = CatapultSetup.problem(128, 0, 10, 1024, data);
            Tensor th0 = CatapultSetup.init(p, net);
            SymmetricEigen.Result e = SymmetricEigen.decompose(NtkOperator.normalised(p, th0, p.train()).matrix());
            return new PartA(ctx.quick(), data, net, p, java.util.Arrays.copyOf(e.values(), 5));
        }

        static String id(double nu) {
            return String.format(Locale.ROOT, "P1-A_nu%.1f", nu);
        }

        List<Callable<MetricsLog>> tasks(StudyContext ctx) {
            List<Callable<MetricsLog>> out = new ArrayList<>();
            for (double nu : nus) {
                TrainConfig c = TrainConfig.builder(problem, Optimizers.gd(Schedules.constant(nu * etaCrit)),
                                Samplers.create(Samplers.FULL_BATCH, 128, 128, netSeed))
                        .steps(T_A).seed(netSeed).evalEvery(1).testEvery(0).spikeKappa(2)
                        .diagnostic(Scheduled.every(new Ntk(new Ntk.Config(10, SPLIT, 0, CatapultSetup.DENSE)), 1))
                        .build();
                out.add(() -> ctx.train(id(nu), c));
            }
            return out;
        }

        /** What one nu produced. */
        record Outcome(double nu, double eta, RunResult result, double[] loss, CatapultSetup.NtkSeries ntk,
                       List<SpikeDetector.Spike> spikes, List<Map<Integer, SpikeShares.Shares>> shares,
                       double[] lambdaOnset, double[] lambdaEnd, boolean[] catapult) {

            double loss0() {
                return loss[0];
            }

            double lossT() {
                return loss[loss.length - 1];
            }

            double maxLoss() {
                double m = Double.NEGATIVE_INFINITY;
                for (double l : loss) {
                    m = Math.max(m, Double.isNaN(l) ? Double.POSITIVE_INFINITY : l);
                }
                return m;
            }

            double lambda0() {
                return ntk.lambda1()[0];
            }

            double lambdaT() {
                return ntk.lambda1()[ntk.lambda1().length - 1];
            }

            boolean diverged() {
                return result.status().id().equals("diverged");
            }

            /**
             * max_{t &lt;= t_end} L_rest,s(t) / L_rest,s(0) for the first spike ({@link CatapultStats#chiFromStart}):
             * not Q10.3's chi_s, but the reading that reproduces the reference chi values of §3.2 (evidence only).
             */
            double chiFromStart(int s) {
                return spikes.isEmpty() ? Double.NaN : CatapultStats.chiFromStart(ntk.points(s), spikes.get(0).end());
            }
        }

        Outcome outcome(double nu, MetricsLog log) {
            double eta = nu * etaCrit;
            CatapultSetup.NtkSeries ns = CatapultSetup.NtkSeries.of(log, SPLIT);
            List<SpikeDetector.Spike> sp = CatapultSetup.spikes(log);
            List<Map<Integer, SpikeShares.Shares>> shares = new ArrayList<>();
            double[] lo = new double[sp.size()];
            double[] le = new double[sp.size()];
            boolean[] cat = new boolean[sp.size()];
            for (int i = 0; i < sp.size(); i++) {
                SpikeDetector.Spike s = sp.get(i);
                Map<Integer, SpikeShares.Shares> m = new LinkedHashMap<>();
                for (int si : SPLIT) {
                    m.put(si, SpikeShares.of(ns.points(si), s));
                }
                shares.add(m);
                lo[i] = ns.lambdaAt(s.onset());
                le[i] = s.end() == null ? Double.NaN : ns.lambdaAt(s.end());
                cat[i] = SpikeShares.catapult(s, lo[i], le[i], eta);
            }
            return new Outcome(nu, eta, log.result(), log.column("train_loss"), ns, sp, shares, lo, le, cat);
        }

        void analyse(List<MetricsLog> logs, StudyResult res) {
            List<Outcome> os = new ArrayList<>();
            for (int i = 0; i < nus.length; i++) {
                os.add(outcome(nus[i], logs.get(i)));
            }
            res.extra("P1-A_lambda1_0", r4(spectrum0[0]));
            res.extra("P1-A_eta_crit", r4(etaCrit));
            ca1(find(os, 0.8), res);
            List<Outcome> ca2 = new ArrayList<>();
            for (Outcome o : os) {
                if (o.nu == 1.2 || o.nu == 1.5) {
                    ca2.add(o);
                }
            }
            ca2(ca2, res);
            ca3(find(os, 1.5), res);
            if (!quick) {
                ca4(os, res);
            }
            report(os, res);
            for (Outcome o : os) {
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("id", id(o.nu));
                run.put("experiment", "P1-A");
                run.put("settings", String.format(Locale.ROOT, "GD, nu = %.1f, eta = %s, n = 128, d = 10, m = 1024, data seed"
                        + " %d, net seed %d", o.nu, f(o.eta), dataSeed, netSeed));
                run.put("status", o.result.status().id());
                run.put("steps", o.result.steps());
                run.put("train_loss", r4(o.lossT()));
                run.put("spikes", o.spikes.size());
                run.put("finals", "lambda_1 " + f(o.lambda0()) + " -> " + f(o.lambdaT()) + ", eta lambda_1(T) = "
                        + f(o.eta * o.lambdaT()));
                res.run(run);
            }
        }

        private static Outcome find(List<Outcome> os, double nu) {
            return os.stream().filter(o -> o.nu == nu).findFirst().orElseThrow();
        }

        private static void ca1(Outcome o, StudyResult res) {
            double ratio = o.lambdaT() / o.lambda0();
            boolean pass = !o.diverged() && o.maxLoss() <= o.loss0() && Math.abs(ratio - 1) < 0.05;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nu", 0.8);
            m.put("L_0", r4(o.loss0()));
            m.put("max_t_L_t", r4(o.maxLoss()));
            m.put("spikes_kappa2", o.spikes.size());
            m.put("lambda1_0", r4(o.lambda0()));
            m.put("lambda1_T", r4(o.lambdaT()));
            m.put("lambda1_T_over_lambda1_0", r4(ratio));
            m.put("L_T", r4(o.lossT()));
            res.gate("CA1", "below the critical learning rate GD shows no spike and the kernel barely moves (lazy regime)",
                    pass, m, "nu = 0.8: max_t L_t <= L_0 and |lambda_1(T)/lambda_1(0) - 1| < 0.05");
        }

        private static void ca2(List<Outcome> os, StudyResult res) {
            boolean pass = !os.isEmpty();
            Map<String, Object> m = new LinkedHashMap<>();
            for (Outcome o : os) {
                String k = String.format(Locale.ROOT, "nu%.1f_", o.nu);
                boolean one = o.spikes.size() == 1;
                SpikeDetector.Spike s = one ? o.spikes.get(0) : null;
                double peakRatio = one ? s.lossPeak() / o.loss0() : Double.NaN;
                double phi5 = one ? o.shares.get(0).get(5).phi() : Double.NaN;
                double chi5 = one ? o.shares.get(0).get(5).chi() : Double.NaN;
                double lamOn = one ? o.lambdaOnset[0] : Double.NaN;
                double lamEnd = one ? o.lambdaEnd[0] : Double.NaN;
                double etaLamT = o.eta * o.lambdaT();
                boolean ok = one && !o.diverged() && peakRatio >= 10 && o.lossT() <= 1e-2 && lamEnd < lamOn
                        && o.catapult[0] && etaLamT < 2 && phi5 >= 0.95 && chi5 <= 1.1;
                pass &= ok;
                m.put(k + "spikes", o.spikes.size());
                m.put(k + "peak_over_L0", r4(peakRatio));
                m.put(k + "L_T", r4(o.lossT()));
                m.put(k + "lambda1_0", r4(o.lambda0()));
                m.put(k + "lambda1_onset", r4(lamOn));
                m.put(k + "lambda1_end", r4(lamEnd));
                m.put(k + "lambda1_T", r4(o.lambdaT()));
                m.put(k + "eta_lambda1_T", r4(etaLamT));
                m.put(k + "phi5_peak", r4(phi5));
                m.put(k + "chi5", r4(chi5));
                m.put(k + "catapult_rule", one && o.catapult[0]);
                m.put(k + "pass", ok);
                m.put(k + "chi5_from_theta0", one ? r4(o.chiFromStart(5)) : Double.NaN);
            }
            m.put("note", CHI_NOTE);
            res.gate("CA2", "above eta_crit GD makes exactly one catapult: a large spike carried by the top-5 kernel"
                    + " eigenspace while the rest does not grow, after which lambda_1 has dropped below 2/eta", pass, m,
                    "nu in {1.2, 1.5}: exactly one spike (kappa = 2); L_peak/L_0 >= 10; L_T <= 1e-2; lambda_1(end) <"
                            + " lambda_1(onset) (a returned catapult, Q12) and eta lambda_1(K-bar(theta_T)) < 2; phi_5 >= 0.95"
                            + " at the peak; chi_5 <= 1.1");
        }

        private static void ca3(Outcome o, StudyResult res) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("nu", 1.5);
            for (int s : SPLIT) {
                m.put("chi" + s, o.spikes.isEmpty() ? Double.NaN : r4(o.shares.get(0).get(s).chi()));
            }
            for (int s : SPLIT) {
                m.put("phi" + s, o.spikes.isEmpty() ? Double.NaN : r4(o.shares.get(0).get(s).phi()));
            }
            for (int s : SPLIT) {
                m.put("chi" + s + "_from_theta0", r4(o.chiFromStart(s)));
            }
            res.report("CA3", "with nu = 1.5 the complement of the top-1 space grows during the catapult, so s >= 3 is"
                    + " needed to confine it", null, m, "report chi_1 vs chi_3 (reference: chi_1 = 1.97, chi_3 = 1.04; these"
                    + " reference values match chi_s_from_theta0, not Q10.3's chi_s, see CA2's note)");
        }

        private static void ca4(List<Outcome> os, StudyResult res) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Outcome o : os) {
                if (o.nu < 1.8) {
                    continue;
                }
                String k = String.format(Locale.ROOT, "nu%.1f_", o.nu);
                m.put(k + "status", o.result.status().id());
                m.put(k + "steps", o.result.steps());
                m.put(k + "spikes", o.spikes.size());
                m.put(k + "max_loss", r4(o.maxLoss()));
                m.put(k + "phi5_peak", o.spikes.isEmpty() ? Double.NaN : r4(o.shares.get(0).get(5).phi()));
                m.put(k + "chi5", o.spikes.isEmpty() ? Double.NaN : r4(o.shares.get(0).get(5).chi()));
            }
            res.report("CA4", "near 2 eta_crit confinement weakens and GD diverges", null, m,
                    "nu in {1.8, 2.0}: confinement (phi_5, chi_5) and divergence reported, not required (reference: nu = 1.8"
                            + " phi_5 = 0.83, chi_5 = 36; nu = 2.0 diverged)");
        }

        private void report(List<Outcome> os, StudyResult res) {
            res.section("P1-A: a single catapult, confined to the top eigenspace (Claim 1)");
            res.text(String.format(Locale.ROOT, "Paper's claim: catapults occur in the low-dimensional subspace spanned by"
                    + " the top eigenvectors of the tangent kernel, and lambda_1(K-bar) decreases across a catapult."
                    + " Setup (§3.2): n = 128, d = 10, m = 1024 (11,264 parameters), target x1*x2, data seed %d, net seed %d,"
                    + " full-batch GD for %d steps at eta = nu * eta_crit(0); lambda_1(K-bar(theta_0)) = %s, spectrum %s, %s,"
                    + " %s, %s; eta_crit(0) = %s. At every step the dense eigendecomposition of K-bar and the loss split"
                    + " L_top,s / L_rest,s for s in {1, 3, 5}; spikes by the kappa = 2 detector (Q12) on the full loss.%s",
                    dataSeed, netSeed, T_A, f(spectrum0[0]), f(spectrum0[0]), f(spectrum0[1]), f(spectrum0[2]),
                    f(spectrum0[3]), f(etaCrit), quick ? " Quick variant: nu in {0.8, 1.5} (CA1, CA2; CA3 from nu = 1.5)."
                            : ""));
            List<List<Object>> rows = new ArrayList<>();
            Map<Double, String[]> ref = new LinkedHashMap<>();
            ref.put(0.8, new String[] {"none", "2.3e-3", "0.192 -> 0.198", "-", "-"});
            ref.put(1.2, new String[] {"23", "1.5e-3", "0.192 -> 0.127", "0.992", "1.00"});
            ref.put(1.5, new String[] {"97", "3e-3", "0.192 -> 0.052", "0.990", "1.00"});
            ref.put(1.8, new String[] {"-", "-", "-", "0.83", "36"});
            ref.put(2.0, new String[] {"diverged", "-", "-", "-", "-"});
            for (Outcome o : os) {
                boolean any = !o.spikes.isEmpty();
                String[] r = ref.get(o.nu);
                rows.add(List.of(String.format(Locale.ROOT, "%.1f", o.nu), f(o.eta), o.result.status().id(),
                        o.spikes.size(), any ? f(o.spikes.get(0).lossPeak() / o.loss0()) : "none", r[0],
                        f(o.lossT()), r[1], f(o.lambda0()) + " -> " + f(o.lambdaT()), r[2], f(2 / o.eta),
                        any ? f(o.shares.get(0).get(5).phi()) : "-", r[3], any ? f(o.shares.get(0).get(5).chi()) : "-",
                        r[4]));
            }
            res.text("Reference values (reference run, float64 NumPy prototype, STUDIES.md §3.2) next to ours; sgdlab"
                    + " reproduces distributions, not NumPy's streams (0.2). Reference lambda_1(K-bar(theta_0)) = 0.192,"
                    + " spectrum 0.192, 0.076, 0.074, 0.063.");
            res.table(List.of("nu", "eta", "status", "spikes", "L_peak/L_0", "ref", "L_T", "ref", "lambda_1: 0 -> T", "ref",
                    "2/eta", "phi_5 (peak)", "ref", "chi_5", "ref"), rows);
            StringBuilder c0 = new StringBuilder();
            for (Outcome o : os) {
                if (!o.spikes.isEmpty() && !o.diverged()) {
                    c0.append(String.format(Locale.ROOT, "%s nu = %.1f: chi_5 = %s (Q10.3), chi_5 from theta_0 = %s",
                            c0.length() == 0 ? "" : ";", o.nu, f(o.shares.get(0).get(5).chi()), f(o.chiFromStart(5))));
                }
            }
            res.text("On chi_5 (CA2): " + CHI_NOTE + ". This run: " + (c0.length() == 0 ? "no spike" : c0.toString().trim())
                    + ". The rest L_rest,5 grows at the peak of the catapult, when lambda_1 falls fastest and the eigenbasis of"
                    + " K-bar(theta_t) rotates, while phi_5 at the peak stays >= 0.99 on both draws.");
            res.figure(lossFigure(os));
            res.figure(lambdaFigure(os));
        }

        private Figure lossFigure(List<Outcome> os) {
            List<Plot> panels = new ArrayList<>();
            for (Outcome o : os) {
                double[] x = o.ntk.stepsAsDouble();
                Plot.Builder b = Plot.builder().title(String.format(Locale.ROOT, "nu = %.1f", o.nu)).xLabel("step")
                        .yLabel("loss").yLog()
                        .add(Series.line("L", x, o.ntk.loss()).withColor(Palette.BLACK))
                        .add(Series.line("L_top,5", x, o.ntk.top().get(5)).withColor(Palette.VERMILLION))
                        .add(Series.line("L_rest,5", x, o.ntk.rest().get(5)).withColor(Palette.BLUE))
                        .add(Series.line("L_rest,1", x, o.ntk.rest().get(1)).withColor(Palette.SKY).dashed());
                spans(b, o.spikes, x.length == 0 ? 0 : x[x.length - 1]);
                if (o.diverged()) {
                    b.note("diverged at step " + o.result.steps());
                }
                panels.add(b.build());
            }
            return Figure.grid("p1a_loss_split", panels, Math.min(3, panels.size())).withSize(360, 200)
                    .withTitle("P1-A: training loss and its split onto the top-s kernel eigenspace")
                    .withCaption(caption(os, true));
        }

        private Figure lambdaFigure(List<Outcome> os) {
            List<Plot> panels = new ArrayList<>();
            for (Outcome o : os) {
                double[] x = o.ntk.stepsAsDouble();
                Plot.Builder b = Plot.builder().title(String.format(Locale.ROOT, "nu = %.1f", o.nu)).xLabel("step")
                        .yLabel("lambda_1(K-bar)").add(Series.line("lambda_1", x, o.ntk.lambda1()));
                b.refLine(2 / o.eta, "2/eta");
                spans(b, o.spikes, x.length == 0 ? 0 : x[x.length - 1]);
                panels.add(b.build());
            }
            return Figure.grid("p1a_lambda1", panels, Math.min(3, panels.size())).withSize(360, 200)
                    .withTitle("P1-A: lambda_1(K-bar) across the catapult")
                    .withCaption(caption(os, false));
        }

        private static void spans(Plot.Builder b, List<SpikeDetector.Spike> spikes, double last) {
            for (SpikeDetector.Spike s : spikes) {
                b.span(s.onset(), s.end() == null ? Math.max(s.onset(), last) : s.end(), "spike (kappa = 2)");
            }
        }

        private static String caption(List<Outcome> os, boolean loss) {
            StringBuilder sb = new StringBuilder();
            if (loss) {
                sb.append("Full training loss L (black, log scale), its part in the top-5 kernel eigenspace L_top,5"
                        + " (vermillion) and the rest L_rest,5 (blue; dashed sky: L_rest,1), one panel per nu; shaded: spikes"
                        + " of the kappa = 2 detector from onset to end. CA2 asks that the spike be carried by L_top,5"
                        + " (phi_5 >= 0.95 at the peak) while L_rest,5 does not grow (chi_5 <= 1.1). ");
            } else {
                sb.append("lambda_1(K-bar(theta_t)) (top eigenvalue of the normalised tangent kernel) with the GD threshold"
                        + " 2/eta (dashed), one panel per nu; shaded: spikes. In a catapult lambda_1 falls during the"
                        + " spike until eta lambda_1 < 2. ");
            }
            for (Outcome o : os) {
                sb.append(String.format(Locale.ROOT, "nu = %.1f: %d spike(s), lambda_1 %s -> %s (2/eta = %s)%s. ", o.nu,
                        o.spikes.size(), f(o.lambda0()), f(o.lambdaT()), f(2 / o.eta),
                        o.spikes.isEmpty() ? "" : ", phi_5 = " + f(o.shares.get(0).get(5).phi()) + ", chi_5 = "
                                + f(o.shares.get(0).get(5).chi())));
            }
            return sb.toString().trim();
        }
    }

    // =========================================================================================== P1-B

    /**
     * P1-B (§3.3): n = 500 training and 2000 test points, d = 50, m = 256, data seed 5, net seeds {0, 1};
     * eta_0 = eta_crit(0)/2, milestones 200, ..., 200k with c_m = 1.4, T = 2400.
     */
    static final class PartB {
        final boolean quick;
        final long dataSeed;
        final Problem problem;
        final int[] ks;
        final long[] netSeeds;
        final double[] lambda0;
        final List<Run> runs = new ArrayList<>();

        /** One (seed, k) run with its controller. */
        record Run(int seedIndex, long netSeed, int k, double eta0, CatapultMilestones.Control control, String id) {
        }

        private PartB(boolean quick, long dataSeed, Problem problem, int[] ks, long[] netSeeds, double[] lambda0) {
            this.quick = quick;
            this.dataSeed = dataSeed;
            this.problem = problem;
            this.ks = ks;
            this.netSeeds = netSeeds;
            this.lambda0 = lambda0;
        }

        static PartB prepare(StudyContext ctx) {
            long data = ctx.pick(5, "x1x2-n500-d50", "data");
            Problem p = CatapultSetup.problem(500, 2000, 50, 256, data);
            int count = ctx.seedCount(ctx.quick() ? 1 : 2);
            long[] nets = new long[count];
            double[] lam = new double[count];
            for (int i = 0; i < count; i++) {
                nets[i] = ctx.pick(i, "P1-B", "net");
                lam[i] = CatapultSetup.lambda1(p, CatapultSetup.init(p, nets[i]), CatapultSetup.LANCZOS, nets[i]);
            }
            PartB b = new PartB(ctx.quick(), data, p, ctx.quick() ? KS_QUICK : KS, nets, lam);
            for (int i = 0; i < count; i++) {
                for (int k : b.ks) {
                    b.runs.add(new Run(i, nets[i], k, 0.5 * 2 / lam[i], new CatapultMilestones.Control(CatapultSetup.LANCZOS),
                            String.format(Locale.ROOT, "P1-B_k%d_seed%d", k, i)));
                }
            }
            return b;
        }

        List<Callable<MetricsLog>> tasks(StudyContext ctx) {
            List<Callable<MetricsLog>> out = new ArrayList<>();
            for (Run r : runs) {
                Schedule s = r.k == 0 ? Schedules.constant(r.eta0)
                        : new CatapultMilestones(MilestoneAdaptive.of(r.eta0, CatapultMilestones.milestones(r.k, STAGE), C_M));
                TrainConfig.Builder b = TrainConfig.builder(problem, Optimizers.gd(s),
                                Samplers.create(Samplers.FULL_BATCH, 500, 500, r.netSeed))
                        .steps(T_B).seed(r.netSeed).evalEvery(1).testEvery(0).spikeKappa(2)
                        .diagnostic(Scheduled.every(new Ntk(new Ntk.Config(1, new int[] {1}, 0, CatapultSetup.LANCZOS)), 50))
                        .diagnostic(new Scheduled(new AgopAlignment(), 0, 0, null, true, false));
                if (r.k > 0) {
                    b.controller(r.control);
                }
                TrainConfig c = b.build();
                out.add(() -> ctx.train(r.id, c));
            }
            return out;
        }

        /** The numbers of one run at T. */
        record Outcome(Run run, RunResult result, double trainLoss, double testMse, double rho, double rhoTest, int spikes,
                       CatapultSetup.NtkSeries ntk, List<CatapultMilestones.Change> changes, double[] afterMilestone,
                       double[] endOfStage) {
        }

        Outcome outcome(Run r, MetricsLog log) {
            RunResult rr = log.result();
            List<MetricsLog.Measurement> ag = log.measurements(AgopAlignment.NAME);
            AgopAlignment.Result a = ag.isEmpty() ? null : (AgopAlignment.Result) ag.get(ag.size() - 1).result();
            CatapultSetup.NtkSeries ns = CatapultSetup.NtkSeries.of(log, 1);
            List<CatapultMilestones.Change> ch = r.control.changes();
            double[] after = new double[ch.size()];
            double[] end = new double[ch.size() + 1];
            double eta = r.eta0;
            for (int j = 0; j < ch.size(); j++) {
                after[j] = ch.get(j).eta() * ch.get(j).lambda1() / 2;
                end[j] = eta * ch.get(j).lambda1() / 2;
                eta = ch.get(j).eta();
            }
            end[ch.size()] = eta * ns.lambda1()[ns.lambda1().length - 1] / 2;
            return new Outcome(r, rr, rr.lastValue("train_loss"), CatapultSetup.testMse(problem, rr.theta()),
                    a == null ? Double.NaN : a.agopAlignment(), a == null ? Double.NaN : a.agopAlignmentTest(),
                    CatapultSetup.spikes(log).size(), ns, ch, after, end);
        }

        void analyse(List<MetricsLog> logs, StudyResult res) {
            List<Outcome> os = new ArrayList<>();
            for (int i = 0; i < runs.size(); i++) {
                os.add(outcome(runs.get(i), logs.get(i)));
            }
            int nk = ks.length;
            double[] test = new double[nk];
            double[] rho = new double[nk];
            double[] rhoTest = new double[nk];
            double[] spikes = new double[nk];
            double[] train = new double[nk];
            for (int j = 0; j < nk; j++) {
                test[j] = mean(os, ks[j], Outcome::testMse);
                rho[j] = mean(os, ks[j], Outcome::rho);
                rhoTest[j] = mean(os, ks[j], Outcome::rhoTest);
                spikes[j] = mean(os, ks[j], o -> o.spikes);
                train[j] = mean(os, ks[j], Outcome::trainLoss);
            }
            verdicts(os, test, rho, spikes, train, res);
            report(os, test, rho, rhoTest, spikes, train, res);
            for (Outcome o : os) {
                Map<String, Object> run = new LinkedHashMap<>();
                run.put("id", o.run.id);
                run.put("experiment", "P1-B");
                run.put("settings", String.format(Locale.ROOT, "GD, k = %d increases (c_m = 1.4 every 200 steps), eta_0 = %s"
                        + " = eta_crit/2, n = 500, d = 50, m = 256, data seed %d, net seed %d", o.run.k, f(o.run.eta0),
                        dataSeed, o.run.netSeed));
                run.put("status", o.result.status().id());
                run.put("steps", o.result.steps());
                run.put("train_loss", r4(o.trainLoss));
                run.put("spikes", o.spikes);
                run.put("finals", "test MSE " + f(o.testMse) + ", rho " + f(o.rho) + " (test inputs " + f(o.rhoTest)
                        + "), etas " + etas(o));
                res.run(run);
            }
        }

        private static String etas(Outcome o) {
            StringBuilder sb = new StringBuilder(f(o.run.eta0));
            for (CatapultMilestones.Change c : o.changes) {
                sb.append(" -> ").append(f(c.eta()));
            }
            return sb.toString();
        }

        private double mean(List<Outcome> os, int k, java.util.function.ToDoubleFunction<Outcome> fn) {
            return CatapultStats.mean(os.stream().filter(o -> o.run.k == k).mapToDouble(fn).toArray());
        }

        private int idx(int k) {
            for (int j = 0; j < ks.length; j++) {
                if (ks[j] == k) {
                    return j;
                }
            }
            return -1;
        }

        private List<Double> perSeed(List<Outcome> os, int k, java.util.function.ToDoubleFunction<Outcome> fn) {
            return os.stream().filter(o -> o.run.k == k).map(o -> r4(fn.applyAsDouble(o))).toList();
        }

        private void verdicts(List<Outcome> os, double[] test, double[] rho, double[] spikes, double[] train,
                StudyResult res) {
            int i0 = idx(0);
            int i1 = idx(1);
            int i2 = idx(2);
            // CB1
            Map<String, Object> m1 = new LinkedHashMap<>();
            boolean p1 = true;
            for (int k : ks) {
                if (k > 2) {
                    continue;
                }
                p1 &= spikes[idx(k)] >= k;
                m1.put("k" + k + "_mean_spikes", r4(spikes[idx(k)]));
                m1.put("k" + k + "_per_seed", perSeed(os, k, o -> o.spikes));
            }
            res.gate("CB1", "each super-critical learning-rate increase produces a catapult (a detected spike)", p1, m1,
                    quick ? "quick: mean spike count (kappa = 2) >= k for k in {0, 2}"
                            : "mean spike count (kappa = 2) >= k for k in {0, 1, 2}");
            // CB2
            Map<String, Object> m2 = new LinkedHashMap<>();
            boolean p2;
            if (quick) {
                p2 = test[i2] <= 0.6 * test[i0];
                m2.put("test_mse_k0", r4(test[i0]));
                m2.put("test_mse_k2", r4(test[i2]));
                m2.put("ratio_k2_k0", r4(test[i2] / test[i0]));
            } else {
                p2 = CatapultStats.decreasing(new double[] {test[i0], test[i1], test[i2]}) && test[i2] <= 0.6 * test[i0];
                m2.put("test_mse_k0", r4(test[i0]));
                m2.put("test_mse_k1", r4(test[i1]));
                m2.put("test_mse_k2", r4(test[i2]));
                m2.put("ratio_k2_k0", r4(test[i2] / test[i0]));
            }
            for (int k : ks) {
                m2.put("k" + k + "_per_seed", perSeed(os, k, Outcome::testMse));
            }
            res.gate("CB2", "more catapults give a lower test error", p2, m2, quick
                    ? "CB2' (quick, one seed): test MSE(k = 2) <= 0.6 * test MSE(k = 0)"
                    : "mean test MSE strictly decreasing from k = 0 to 1 to 2, and test(k = 2) <= 0.6 * test(k = 0)");
            // CB3
            Map<String, Object> m3 = new LinkedHashMap<>();
            boolean p3;
            if (quick) {
                p3 = rho[i2] - rho[i0] >= 0.1;
                m3.put("rho_k0", r4(rho[i0]));
                m3.put("rho_k2", r4(rho[i2]));
            } else {
                p3 = CatapultStats.increasing(new double[] {rho[i0], rho[i1], rho[i2]}) && rho[i2] - rho[i0] >= 0.1;
                m3.put("rho_k0", r4(rho[i0]));
                m3.put("rho_k1", r4(rho[i1]));
                m3.put("rho_k2", r4(rho[i2]));
            }
            m3.put("rho_k2_minus_k0", r4(rho[i2] - rho[i0]));
            for (int k : ks) {
                m3.put("k" + k + "_per_seed", perSeed(os, k, Outcome::rho));
            }
            res.gate("CB3", "more catapults give a higher AGOP alignment with the true predictor (training inputs)", p3, m3,
                    quick ? "CB3' (quick, one seed): rho(k = 2) - rho(k = 0) >= 0.1"
                            : "mean rho(G, G*) strictly increasing from k = 0 to 1 to 2, and rho(2) - rho(0) >= 0.1");
            // CB4
            Map<String, Object> m4 = new LinkedHashMap<>();
            boolean p4 = true;
            for (int k : ks) {
                if (k > 2) {
                    continue;
                }
                p4 &= train[idx(k)] <= 1e-3;
                m4.put("k" + k + "_mean_train_loss", r4(train[idx(k)]));
                m4.put("k" + k + "_per_seed", perSeed(os, k, Outcome::trainLoss));
            }
            res.gate("CB4", "the runs compared have converged (equal footing)", p4, m4,
                    "mean training loss at T = 2400 <= 1e-3 for every k <= 2 run");
            if (!quick) {
                int i3 = idx(3);
                Map<String, Object> m5 = new LinkedHashMap<>();
                m5.put("k3_test_mse", r4(test[i3]));
                m5.put("k3_rho", r4(rho[i3]));
                m5.put("k3_spikes", r4(spikes[i3]));
                m5.put("k3_train_loss", r4(train[i3]));
                for (int k : ks) {
                    m5.put("k" + k + "_test_per_seed", perSeed(os, k, Outcome::testMse));
                    m5.put("k" + k + "_rho_per_seed", perSeed(os, k, Outcome::rho));
                    m5.put("k" + k + "_spikes_per_seed", perSeed(os, k, o -> o.spikes));
                }
                res.report("CB5", "a third increase continues the trend (per-seed values)", null, m5,
                        "report k = 3 and the per-seed values (reference k = 3: test 0.323, rho 0.935, 4 spikes)");
            }
        }

        private void report(List<Outcome> os, double[] test, double[] rho, double[] rhoTest, double[] spikes,
                double[] train, StudyResult res) {
            res.section("P1-B: multiple catapults via learning-rate increases (Sec. 4, GD)");
            StringBuilder lam = new StringBuilder();
            for (int i = 0; i < netSeeds.length; i++) {
                lam.append(String.format(Locale.ROOT, "%snet seed %d: lambda_1(K-bar(theta_0)) = %s, eta_0 = %s",
                        i == 0 ? "" : "; ", netSeeds[i], f(lambda0[i]), f(1 / lambda0[i])));
            }
            res.text("Paper's claim: multiple catapults can be induced in GD by increasing the learning rate above the"
                    + " critical one, and each catapult lowers the test error and raises the alignment of the network's AGOP"
                    + " with that of the true predictor. Setup (§3.3): n = 500 training and 2000 test points, d = 50,"
                    + " m = 256, data seed " + dataSeed + ", full-batch GD for 2400 steps; eta_0 = eta_crit(0)/2, then at"
                    + " t = 200, ..., 200k eta <- 1.4 * 2/lambda_1(K-bar(theta_t)) (milestone-adaptive, Q3.5). " + lam
                    + ". At T: test MSE (no 1/2), rho(G, G*) on the training inputs (test inputs as a report), training"
                    + " loss and kappa = 2 spike count." + (quick ? " Quick variant: net seed 0 only, k in {0, 2}." : ""));
            String[][] ref = {{"0.858", "0.720", "0"}, {"0.508", "0.885", "1"}, {"0.357", "0.925", "2"},
                {"0.323", "0.935", "4"}};
            List<List<Object>> rows = new ArrayList<>();
            for (int j = 0; j < ks.length; j++) {
                int k = ks[j];
                rows.add(List.of(k, f(test[j]), ref[k][0], f(rho[j]), ref[k][1], f(rhoTest[j]), f(spikes[j]), ref[k][2],
                        CatapultSetup.fmt(train[j], 2)));
            }
            res.text("Means over " + netSeeds.length + " net seed(s) next to the reference values (reference run, float64"
                    + " NumPy prototype, means over 2 seeds, STUDIES.md §3.3).");
            res.table(List.of("k", "test MSE", "ref", "rho(G, G*) train", "ref", "rho test inputs", "spikes", "ref",
                    "train loss at T"), rows);
            StringBuilder st = new StringBuilder("eta lambda_1(K-bar)/2 just after each milestone (1.40 by construction)"
                    + " and at the end of each stage (reference 0.50-1.06): ");
            for (Outcome o : os) {
                if (o.run.k == 0) {
                    continue;
                }
                st.append(o.run.id).append(": after ").append(fmtList(o.afterMilestone)).append(", end ")
                        .append(fmtList(o.endOfStage)).append("; ");
            }
            res.text(st.toString().trim());
            res.figure(vsK(os, test, rho, rhoTest, spikes));
            res.figure(ratioFigure(os));
        }

        private static String fmtList(double[] v) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < v.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(CatapultSetup.fmt(v[i], 3));
            }
            return sb.append(']').toString();
        }

        private Figure vsK(List<Outcome> os, double[] test, double[] rho, double[] rhoTest, double[] spikes) {
            double[] x = new double[ks.length];
            for (int j = 0; j < ks.length; j++) {
                x[j] = ks[j];
            }
            Plot.Builder pt = Plot.builder().title("test MSE").xLabel("learning-rate increases k").yLabel("test MSE")
                    .add(Series.lineMarkers("mean", x, test));
            Plot.Builder pr = Plot.builder().title("AGOP alignment").xLabel("learning-rate increases k")
                    .yLabel("rho(G, G*)").add(Series.lineMarkers("training inputs (mean)", x, rho))
                    .add(Series.lineMarkers("test inputs (mean)", x, rhoTest).dashed());
            Plot.Builder ps = Plot.builder().title("spike count (kappa = 2)").xLabel("learning-rate increases k")
                    .yLabel("spikes").add(Series.lineMarkers("mean", x, spikes));
            for (int i = 0; i < netSeeds.length; i++) {
                final int si = i;
                double[] te = os.stream().filter(o -> o.run.seedIndex == si).mapToDouble(Outcome::testMse).toArray();
                double[] rh = os.stream().filter(o -> o.run.seedIndex == si).mapToDouble(Outcome::rho).toArray();
                double[] sp = os.stream().filter(o -> o.run.seedIndex == si).mapToDouble(o -> o.spikes).toArray();
                String l = "seed #" + i;
                pt.add(Series.markers(l, x, te).hollow());
                pr.add(Series.markers(l, x, rh).hollow());
                ps.add(Series.markers(l, x, sp).hollow());
            }
            pt.xRange(-0.3, ks[ks.length - 1] + 0.3);
            pr.xRange(-0.3, ks[ks.length - 1] + 0.3);
            ps.xRange(-0.3, ks[ks.length - 1] + 0.3);
            int i0 = idx(0);
            int i2 = idx(2);
            return Figure.grid("p1b_vs_k", List.of(pt.build(), pr.build(), ps.build()), 3).withSize(320, 200)
                    .withTitle("P1-B: test MSE, AGOP alignment and spike count against the number of increases k")
                    .withCaption(String.format(Locale.ROOT, "Means over %d net seed(s) (lines) and per-seed values (hollow"
                            + " markers) at T = 2400. k = 0 -> 2: test MSE %s -> %s (CB2 needs <= 0.6x: ratio %s), rho %s -> %s"
                            + " (CB3 needs +0.1: %+.3f), spikes %s -> %s (CB1 needs >= k).", netSeeds.length, f(test[i0]),
                            f(test[i2]), f(test[i2] / test[i0]), f(rho[i0]), f(rho[i2]), rho[i2] - rho[i0], f(spikes[i0]),
                            f(spikes[i2])));
        }

        private Figure ratioFigure(List<Outcome> os) {
            Plot.Builder b = Plot.builder().xLabel("step").yLabel("eta_t lambda_1(K-bar)/2");
            for (Outcome o : os) {
                if (o.run.seedIndex != 0) {
                    continue;
                }
                long[] st = o.ntk.steps();
                double[] x = o.ntk.stepsAsDouble();
                double[] y = new double[st.length];
                for (int i = 0; i < st.length; i++) {
                    y[i] = etaAt(o, st[i]) * o.ntk.lambda1()[i] / 2;
                }
                b.add(Series.lineMarkers("k = " + o.run.k, x, y));
            }
            b.refLine(1, "GD threshold");
            for (long t = STAGE; t <= STAGE * ks[ks.length - 1]; t += STAGE) {
                b.vline(t, null);
            }
            return Figure.of("p1b_eta_lambda", b.build()).withTitle("P1-B: eta lambda_1(K-bar)/2 over training (first net seed)").withCaption("eta_t lambda_1(K-bar(theta_t))/2 every 50 steps for each k (first net"
                            + " seed); dotted verticals: milestones. At a milestone eta is set so that the ratio is 1.4 (above"
                            + " the GD threshold 1, dashed); the catapult that follows lowers lambda_1 until the ratio is"
                            + " below 1 again.");
        }

        private static double etaAt(Outcome o, long step) {
            double eta = o.run.eta0;
            for (CatapultMilestones.Change c : o.changes) {
                if (c.step() <= step) {
                    eta = c.eta();
                }
            }
            return eta;
        }
    }
}
