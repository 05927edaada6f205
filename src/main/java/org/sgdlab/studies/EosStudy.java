package org.sgdlab.studies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.diagnostics.StaticProbe;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.studies.EosStats.Trace;
import org.sgdlab.tensor.Tensor;

/**
 * {@code eos}: full-batch gradient descent at the edge of stability (STUDIES.md §1, §8). Under GD with
 * step eta the sharpness {@code S(theta_t) = lambda_1(grad^2 L(theta_t))} (QUANTITIES.md Q6.1) rises
 * (progressive sharpening) until the stability ratio {@code S eta / 2} (Q6.3) reaches 1 at t_EoS (Q6.4),
 * then hovers at or just above 1 while the loss {@code L = (1/n) sum_i 1/2 ||f(x_i) - y_i||^2} (Q2, c = 1/2)
 * decreases non-monotonically over short time scales and consistently over long ones; with momentum the
 * threshold is the optimizer's (Q3.4): {@code (2 + 2 beta)/eta} for heavy ball,
 * {@code (2 + 2 beta)/((1 + 2 beta) eta)} for Nesterov. Paper: Cohen, Kaur, Li, Kolter, Talwalkar,
 * "Gradient descent on neural networks typically occurs at the edge of stability", ICLR 2021
 * (arXiv 2103.00065).
 *
 * <p>Experiments (§1.1): E-0.2 (GD, eta = 0.2), E-0.1, the edge-test forks from theta of E-0.2 at step
 * 1500 (fork-control at eta, fork-perturbed at 1.25 eta), M-hb and M-nes (thresholds 10), the gradient
 * flow by RK4 with step min(1/lambda_cached, 1) compared with E-0.2 at equal time tau = eta t, and E-0.2
 * with cross-entropy. Criteria A1-A8, M1, M2, F1, C1 (§1.2); the quick variant of §1.3 runs E-0.2 for
 * 1500 steps, the forks and M1. Data (§8): digits (calibrated), fashion-mnist (eta_F = 0.68 /
 * lambda_max(theta_0), provisional gates), synthetic (reports only).
 */
public final class EosStudy implements Study {

    public static final String NAME = "eos";
    /** Q6.4: criteria on the hovering level exclude [t_EoS, t_EoS + 300). */
    static final long SETTLE = 300;
    /** fork-perturbed: eta 0.25 = 1.25 x 0.2 (2/eta = 8). */
    static final double PERTURB = 1.25;
    /** M-hb: heavy ball, beta 0.9, eta 0.38 ((2 + 2 beta)/eta = 10); M-nes: Nesterov, eta 0.1357. */
    static final double BETA = 0.9;
    static final double HB_ETA = 0.38;
    static final double NES_ETA = 0.1357;

    /**
     * The lengths and cadences of one variant (§1.1 table, §1.3): E-0.2 steps and sharpness cadence; the
     * forks' start step (1500), length (1000) and cadence; E-0.1, M-hb/M-nes, flow and ce (full only).
     */
    record Plan(boolean quick, long e02Steps, int e02Every, long forkAt, long forkLength, int forkEvery, long e01Steps,
                int e01Every, long momentumSteps, int momentumEvery, int flowEvery, long ceSteps, int ceEvery) {
        static final Plan FULL = new Plan(false, 4000, 20, 1500, 1000, 25, 3000, 50, 4000, 20, 20, 4000, 20);
        static final Plan QUICK = new Plan(true, 1500, 50, 1500, 1000, 50, 0, 0, 0, 0, 0, 0, 0);

        Plan {
            if (forkAt > e02Steps || forkLength < 2 || e02Every < 1 || forkEvery < 1) {
                throw new IllegalArgumentException("eos plan: need fork step <= E-0.2 steps, fork length >= 2 and "
                        + "cadences >= 1, got fork at " + forkAt + " of " + e02Steps + ", length " + forkLength);
            }
        }

        /** The steps of A6's spike window end: 50 steps after the fork. */
        long spikeEnd() {
            return forkAt + 50;
        }

        /** A7's window [fork + length/2, fork + length] ([2000, 2500] in both variants). */
        long a7From() {
            return forkAt + forkLength / 2;
        }

        long forkEnd() {
            return forkAt + forkLength;
        }
    }

    private final Plan full;
    private final Plan quick;

    public EosStudy() {
        this(Plan.FULL, Plan.QUICK);
    }

    /** With other plans (tests run the full code path on a shortened plan). */
    EosStudy(Plan full, Plan quick) {
        this.full = full;
        this.quick = quick;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean usesData() {
        return true;
    }

    @Override
    public String paper() {
        return "Cohen, Kaur, Li, Kolter, Talwalkar, ICLR 2021, arXiv 2103.00065";
    }

    @Override
    public String claim() {
        return "under full-batch GD the sharpness rises until it reaches 2/eta and then hovers at or just above it, while "
                + "the loss keeps decreasing non-monotonically; with momentum the threshold is the optimizer's";
    }

    @Override
    public String quickRuntime() {
        return "~31 s";
    }

    /**
     * Measured (base seed 0, digits, jobs = 2) on the quiet 2-core machine on 2026-11-22: 464 s of study wall time,
     * 868 s CPU. The critical path is the RK4 gradient flow (13,925 steps to tau = 800, four gradients each; 385 s),
     * which runs beside E-0.2, M-hb, M-nes, ce and E-0.1. Under a load of 2-8 the same variant took 1179 s.
     */
    @Override
    public String fullRuntime() {
        return "~5.5 min";
    }

    @Override
    public StudyResult run(StudyContext ctx) {
        EosSetup s = EosSetup.create(ctx);
        Plan plan = ctx.quick() ? quick : full;
        ctx.log(String.format(Locale.ROOT, "eos: %s; eta = %s%s", s.describe(), num(s.eta()),
                s.fashion() ? " (eta_F = 0.68 / lambda_max(theta_0) = 0.68 / " + num(s.lambda0()) + ", two digits)" : ""));
        StudyResult r = new StudyResult(NAME);
        double eta = s.eta();

        // phase 1: E-0.2 (and, in the full variant, every run that does not need theta at the fork), with M1
        EosSnapshot snap = new EosSnapshot();
        List<Callable<Object>> phase1 = new ArrayList<>();
        phase1.add(() -> train(ctx, s, "E-0.2", s.mse(), gd(eta), plan.e02Steps(), plan.e02Every(), s.theta0(), 0, snap,
                plan.quick() ? 0 : plan.flowEvery(), plan.forkAt()));
        phase1.add(() -> EosThresholds.check(new double[] {0, 0.5, 0.9}, 1.0, 10_000));
        if (!plan.quick()) {
            phase1.add(() -> flow(ctx, s, plan.e02Steps(), plan.flowEvery()));
            phase1.add(() -> train(ctx, s, "M-hb", s.mse(), momentum("heavy-ball", s.scaled(HB_ETA)), plan.momentumSteps(),
                    plan.momentumEvery(), s.theta0(), 0, null, 0));
            phase1.add(() -> train(ctx, s, "M-nes", s.mse(), momentum("nesterov", s.scaled(NES_ETA)), plan.momentumSteps(),
                    plan.momentumEvery(), s.theta0(), 0, null, 0));
            phase1.add(() -> train(ctx, s, "ce", s.ce(), gd(eta), plan.ceSteps(), plan.ceEvery(), s.theta0(), 0, null, 0));
            phase1.add(() -> train(ctx, s, "E-0.1", s.mse(), gd(s.scaled(0.1)), plan.e01Steps(), plan.e01Every(),
                    s.theta0(), 0, null, 0));
        }
        List<Object> out1 = ctx.parallel(phase1);
        Run e02 = (Run) out1.get(0);
        @SuppressWarnings("unchecked")
        List<EosThresholds.Case> m1 = (List<EosThresholds.Case>) out1.get(1);
        FlowRun flow = plan.quick() ? null : (FlowRun) out1.get(2);
        Run hb = plan.quick() ? null : (Run) out1.get(3);
        Run nes = plan.quick() ? null : (Run) out1.get(4);
        Run ce = plan.quick() ? null : (Run) out1.get(5);
        Run e01 = plan.quick() ? null : (Run) out1.get(6);

        // phase 2: the edge-test forks from theta_1500 of E-0.2, in parallel
        Run control = null;
        Run perturbed = null;
        Tensor thetaFork = e02.steps() >= plan.forkAt() ? snap.get(plan.forkAt()) : null;
        if (thetaFork != null) {
            List<Callable<Object>> phase2 = List.of(
                    () -> train(ctx, s, "fork-control", s.mse(), gd(eta), plan.forkLength(), plan.forkEvery(), thetaFork,
                            plan.forkAt(), null, 0),
                    () -> train(ctx, s, "fork-perturbed", s.mse(), gd(PERTURB * eta), plan.forkLength(),
                            plan.forkEvery(), thetaFork, plan.forkAt(), null, 0));
            List<Object> out2 = ctx.parallel(phase2);
            control = (Run) out2.get(0);
            perturbed = (Run) out2.get(1);
        } else {
            ctx.log("eos: E-0.2 ended before step " + plan.forkAt() + "; the forks are not run");
        }

        EosReport rep = new EosReport(s, plan, r);
        rep.intro();
        rep.e02(e02);
        rep.forks(e02, control, perturbed);
        if (!plan.quick()) {
            rep.e01(e02, e01);
        }
        rep.m1(m1);
        if (!plan.quick()) {
            rep.momentum(hb, nes);
            rep.flow(e02, snap, flow);
            rep.ce(ce);
        }
        rep.references(e02, e01, control, perturbed);
        List<Run> runs = new ArrayList<>(List.of(e02));
        for (Run x : new Run[] {control, perturbed, e01, hb, nes, ce}) {
            if (x != null) {
                runs.add(x);
            }
        }
        rep.runs(runs, flow);
        rep.decisions();
        if (flow != null && ctx.saveRuns() && ctx.out() != null) {
            writeFlow(ctx.out().resolve("runs").resolve("flow"), flow, e02, snap);
        }
        return r;
    }

    static Optimizer<? extends OptimizerState> gd(double eta) {
        return Optimizers.gd(Schedules.constant(eta));
    }

    static Optimizer<? extends OptimizerState> momentum(String name, double eta) {
        return Optimizers.create(name, Schedules.constant(eta), Map.of("beta", BETA));
    }

    /**
     * One run of the study: the metric log, the per-step loss L(theta_t) and accuracy (index = local step),
     * the sharpness and stability-ratio traces on the global step axis ({@code offset} = the step the
     * run starts from), the optimizer and its threshold.
     */
    record Run(String id, String optimizer, double eta, double beta, double threshold, long planned, int every,
               long offset, MetricsLog log, double[] loss, double[] acc, Trace sharpness, Trace ratio, int unconverged,
               double seconds) {

        long steps() {
            return log.result().steps();
        }

        String status() {
            return log.result().status().id();
        }

        /** L(theta_t) at a global step t (NaN outside the run). */
        double lossAt(long globalStep) {
            long i = globalStep - offset;
            return i >= 0 && i < loss.length ? loss[(int) i] : Double.NaN;
        }

        long lastStep() {
            return offset + loss.length - 1;
        }

        double finalLoss() {
            return loss[loss.length - 1];
        }

        double finalAcc() {
            return acc[acc.length - 1];
        }

        double finalSharpness() {
            return sharpness.size() == 0 ? Double.NaN : sharpness.values()[sharpness.size() - 1];
        }

        /** t_EoS on the global axis, or -1. */
        long tEos() {
            return EosStats.tEos(ratio);
        }

        /** Global steps of the loss array. */
        double[] stepAxis() {
            double[] x = new double[loss.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = offset + i;
            }
            return x;
        }
    }

    /** The gradient-flow run: the trajectory on the grid tau_k = eta * every * k and its wall time. */
    record FlowRun(EosFlow.Trajectory trajectory, double eta, int every, double seconds) {
        /** The GD step t = tau / eta of grid point k. */
        long gdStep(int k) {
            return (long) k * every;
        }
    }

    /**
     * Trains one run with full-batch GD (or momentum) from {@code theta0}: loss and accuracy every step,
     * the sharpness diagnostic (Q6, subset all, Lanczos, warm start) every {@code every} steps and at the
     * end, and optionally snapshots of theta every {@code snapEvery} steps and at the steps {@code snapAt}.
     */
    static Run train(StudyContext ctx, EosSetup s, String id, Problem problem, Optimizer<? extends OptimizerState> opt,
                     long steps, int every, Tensor theta0, long offset, EosSnapshot snap, int snapEvery, long... snapAt) {
        int n = problem.train().size();
        TrainConfig.Builder b = TrainConfig.builder(problem, opt, Samplers.create(Samplers.FULL_BATCH, n, n, s.netSeed()))
                .steps(steps).seed(s.netSeed()).theta0(theta0).evalEvery(1).testEvery((int) steps).spikeKappa(0)
                .diagnostic(Scheduled.every(new Sharpness(EosSetup.sharpnessConfig()), every));
        if (snap != null) {
            b.diagnostic(new Scheduled(snap, snapEvery, 0, snapAt, false, false));
        }
        MetricsLog log = ctx.train(id, b.build());
        double[] loss = log.column("train_loss");
        double[] acc = log.column("train_acc");
        List<MetricsLog.Measurement> ms = log.measurements(Sharpness.NAME);
        long[] st = new long[ms.size()];
        double[] sh = new double[ms.size()];
        double[] ra = new double[ms.size()];
        int unconverged = 0;
        for (int i = 0; i < ms.size(); i++) {
            Sharpness.Result res = (Sharpness.Result) ms.get(i).result();
            st[i] = ms.get(i).step() + offset;
            sh[i] = res.sharpness();
            ra[i] = res.stabilityRatio();
            unconverged += res.converged() ? 0 : 1;
        }
        return new Run(id, opt.name(), opt.lr(0), opt.beta(), opt.threshold(0), steps, every, offset, log, loss, acc,
                new Trace(st, sh), new Trace(st, ra), unconverged, log.wallSeconds());
    }

    /**
     * Gradient flow from theta_0 to tau = eta * gdSteps by RK4 with step min(1 / lambda_cached, 1), the
     * sharpness re-measured (warm-started Lanczos) at every grid point tau_k = eta * every * k (Q6.4).
     */
    static FlowRun flow(StudyContext ctx, EosSetup s, long gdSteps, int every) {
        Problem p = s.mse();
        String description = String.format(Locale.ROOT, "gradient flow: %s | %s | %s, eta %s, every %d, GD steps %d,"
                + " net seed %d, max step 1, %s", p.model().describe(), p.loss().describe(), p.train().name(),
                Double.toHexString(s.eta()), every, gdSteps, s.netSeed(), EosSetup.sharpnessConfig());
        FlowRun run = ctx.memo("flow", description, List.of(s.theta0(), p.train().x(), p.train().y()), FlowRun.class,
                () -> integrate(p, s, gdSteps, every));
        EosFlow.Trajectory tr = run.trajectory();
        ctx.log(String.format(Locale.ROOT, "  run flow: %d RK4 steps to tau = %s (%.1f s)", tr.rkSteps(),
                num(tr.tau()[tr.tau().length - 1]), run.seconds()));
        return run;
    }

    private static FlowRun integrate(Problem p, EosSetup s, long gdSteps, int every) {
        long t0 = System.nanoTime();
        Sharpness sh = new Sharpness(EosSetup.sharpnessConfig());
        EosFlow.Field f = new EosFlow.Field() {
            @Override
            public Tensor grad(Tensor theta) {
                return p.valueAndGrad(theta, p.train()).grad();
            }

            @Override
            public double loss(Tensor theta) {
                return p.loss(theta, p.train());
            }

            @Override
            public double sharpness(long k, Tensor theta) {
                return sh.measure(StaticProbe.of(p, theta).withStep(k * every).withSeed(s.netSeed()).withLr(s.eta()))
                        .sharpness();
            }
        };
        EosFlow.Trajectory tr = EosFlow.integrate(f, s.theta0(), s.eta() * every, (int) (gdSteps / every), 1.0);
        return new FlowRun(tr, s.eta(), every, (System.nanoTime() - t0) / 1e9);
    }

    /** flow.csv: tau, GD step, loss and sharpness of the flow, and the distance to GD at equal time. */
    static void writeFlow(Path dir, FlowRun flow, Run gd, EosSnapshot snap) {
        StringBuilder sb = new StringBuilder("tau,gd_step,flow_loss,flow_sharpness,rk4_step,gd_loss,distance\n");
        EosFlow.Trajectory tr = flow.trajectory();
        for (int k = 0; k < tr.tau().length; k++) {
            long t = flow.gdStep(k);
            Tensor g = snap.get(t);
            double d = g == null ? Double.NaN : g.sub(tr.theta().get(k)).norm();
            sb.append(String.format(Locale.ROOT, "%s,%d,%s,%s,%s,%s,%s%n", tr.tau()[k], t, tr.loss()[k], tr.sharpness()[k],
                    tr.step()[k], gd.lossAt(t), d));
        }
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("flow.csv"), sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("eos: cannot write " + dir.resolve("flow.csv"), e);
        }
    }

    /** Four significant digits without trailing zeros (0.2, 10, 8.035, 1.2e-05). */
    static String num(double x) {
        if (!Double.isFinite(x)) {
            return String.valueOf(x);
        }
        String t = String.format(Locale.ROOT, "%.4g", x);
        int e = t.indexOf('e');
        String mant = e >= 0 ? t.substring(0, e) : t;
        String exp = e >= 0 ? t.substring(e) : "";
        if (mant.contains(".")) {
            mant = mant.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return mant + exp;
    }
}
