package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Synthetic;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.experiment.Status;
import org.sgdlab.linalg.Lanczos;
import org.sgdlab.linalg.LinearOperator;
import org.sgdlab.nn.Layout;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.report.Verdict;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * momentum-catapult (STUDIES.md §5): the quick variant end to end, and the study-local computations against exact
 * answers (the toy's recurrence in closed form and by finite differences, the polyak threshold on the toy, the
 * first-cycle rule and the P2-D count on hand-made sequences, S_0 of the diagonal network from an independently
 * assembled Hessian).
 */
class MomentumCatapultStudyTest {

    /**
     * Gates that fail at base seed 0 on sgdlab's draws, kept failing as calibration questions of STUDIES.md (FIX.md
     * point 3; evidence in the report's section "Cross-check" and in bench/crosscheck/momentum_p2{a,b}.py):
     * <ul>
     *   <li>MA1: A8 (GD, eta 0.5, T_w 200) diverges at step 146 (max|theta| &gt; 1e6; without that bound the loss is
     *       non-finite at step 317): the sharpness rises to 18.2 at step 125 against 2/eta_t = 6.35 before the
     *       catapult starts. The independent NumPy oracle, on the same exported data and weights, follows the same
     *       trajectory (relative 6e-16 on steps 0-100) and diverges at the same step; on the reference run's own NumPy
     *       draw it reproduces the reference (S_final/theta 1.01); over 12 NumPy draws A8 diverges in 1.</li>
     *   <li>MB1: polyak ends at S_final/theta 0.737, 0.732, 0.748 &gt; 0.6 at nu = 1.1, 1.7, 1.8 of the fine grid (the
     *       reference run only had nu = 1.2, 2.0). The oracle gives 0.7365, 0.7317, 0.7477 and the same S_0 =
     *       43.8409 and divergence pattern; on the reference's own draw it reproduces 0.381 (nu 1.2) and 0.385 (nu
     *       2.0), and MB1 holds on the fine grid for that draw only (1 of 6 NumPy draws).</li>
     * </ul>
     * {@link #quickVariantAllGatesPass} is the strict version.
     */
    private static final Set<String> KNOWN_FAILING_AT_SEED_0 = Set.of("momentum-catapult.MA1", "momentum-catapult.MB1");

    private static StudyRunner.Outcome runQuick(Path dir) throws Exception {
        StudyContext ctx = new StudyContext(true, 0, 0, dir, "digits", 2, true, s -> { });
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        return StudyRunner.run(new MomentumCatapultStudy(), ctx, new PrintStream(buf, true, StandardCharsets.UTF_8));
    }

    private static String table(StudyResult r) {
        StringBuilder sb = new StringBuilder("\n");
        for (Verdict v : r.verdicts()) {
            sb.append(String.format(Locale.ROOT, "  %-5s %-12s %-28s %s%n", v.outcome(), v.kind().label(), v.id(),
                    v.measured()));
        }
        return sb.toString();
    }

    @Test
    void quickVariantWritesItsRecordAndItsGatesHold(@TempDir Path dir) throws Exception {
        StudyRunner.Outcome o = runQuick(dir);
        // its per-step times (wall and CPU of each run) come back with the replayed runs
        StudyReplay.assertReplaysTheSameRecord(new MomentumCatapultStudy(), dir);
        StudyResult r = o.result();
        String table = table(r);
        List<String> ids = r.verdicts().stream().map(Verdict::id).toList();
        assertEquals(List.of("momentum-catapult.MA1", "momentum-catapult.MA2", "momentum-catapult.MA3",
                "momentum-catapult.MB1", "momentum-catapult.MB2", "momentum-catapult.MC1"), ids, table);
        for (Verdict v : r.verdicts()) {
            assertTrue(v.kind().isGate(), "quick verdicts are gates: " + v.id() + table);
            assertFalse(v.measured().isEmpty(), "measured numbers of " + v.id() + table);
            if (!KNOWN_FAILING_AT_SEED_0.contains(v.id())) {
                assertEquals(Verdict.Outcome.PASS, v.outcome(), v.id() + table);
            }
        }
        assertEquals(Verdict.Kind.PROVISIONAL, r.verdict("MB2").kind(), table);

        JsonNode s = new ObjectMapper().readTree(Files.readString(dir.resolve("summary.json")));
        assertEquals("momentum-catapult", s.get("study").asText());
        assertEquals("quick", s.get("variant").asText());
        JsonNode vs = s.get("verdicts");
        assertEquals(6, vs.size());
        for (JsonNode v : vs) {
            for (String k : List.of("id", "claim", "gate", "pass", "measured", "criterion")) {
                assertTrue(v.has(k), "verdict field " + k + " in " + v);
            }
        }
        assertTrue(vs.get(4).get("provisional").asBoolean(), "MB2 is provisional");
        JsonNode runs = s.get("runs");
        // A3-A8, 15 x 2 P2-B runs, 6 toy runs
        assertEquals(6 + 30 + 6, runs.size());
        for (JsonNode run : runs) {
            for (String k : List.of("id", "experiment", "optimizer", "eta", "beta", "warmup", "status", "steps")) {
                assertTrue(run.has(k), "run field " + k + " in " + run);
            }
        }
        assertTrue(Files.size(dir.resolve("report.html")) > 10_000);
        String html = Files.readString(dir.resolve("report.html"));
        for (String fig : List.of("p2a-A3-A5", "p2a-A6-A7", "p2a-gd-edge", "p2b-nu", "p2c-toy")) {
            assertTrue(html.contains(fig), "figure " + fig);
        }
    }

    @Test
    @Disabled("MA1 and MB1 fail at base seed 0 on sgdlab's draws (A8 diverges; some converged polyak runs of the fine "
            + "nu grid end above 0.6 S_final/theta); an independent NumPy oracle agrees with sgdlab on the same data and "
            + "reproduces the reference values on the reference's own draw: calibration, kept failing (see the report)")
    void quickVariantAllGatesPass(@TempDir Path dir) throws Exception {
        StudyRunner.Outcome o = runQuick(dir);
        assertTrue(o.passed(), table(o.result()));
    }

    // ------------------------------------------------------------------ P2-C toy

    /** With x_0 = 0, x stays 0 and y follows y_t = y_0 + eta alpha/(1 - beta) [t - beta (1 - beta^t)/(1 - beta)]. */
    @Test
    void toyWithoutOscillationFollowsTheClosedForm() {
        for (double beta : new double[] {0, 0.5, 0.9}) {
            double alpha = 0.01;
            double eta = 0.1;
            double y0 = 1.3;
            MomentumCatapultToy.Trajectory t = MomentumCatapultToy.run(alpha, beta, eta, 300, 0.0, y0);
            assertFalse(t.diverged());
            for (int k = 0; k <= 300; k++) {
                assertEquals(0.0, t.x()[k], 0.0);
                double want = y0 + eta * alpha / (1 - beta) * (k - beta * (1 - Math.pow(beta, k)) / (1 - beta));
                assertEquals(want, t.y()[k], 1e-12 * Math.max(1, Math.abs(want)), "beta " + beta + " step " + k);
            }
        }
    }

    /** Two polyak steps against an independent update with central-difference gradients of L. */
    @Test
    void toyStepsMatchPolyakWithFiniteDifferenceGradients() {
        double alpha = 0.05;
        double beta = 0.5;
        double eta = 0.1;
        double x0 = 0.3;
        double y0 = 2.0;
        MomentumCatapultToy.Trajectory t = MomentumCatapultToy.run(alpha, beta, eta, 2, x0, y0);
        double[] p0 = {x0, y0};
        double[] g0 = fdGrad(alpha, p0);
        double[] p1 = {x0 - eta * g0[0], y0 - eta * g0[1]};              // theta_{-1} = theta_0: no momentum yet
        double[] g1 = fdGrad(alpha, p1);
        double[] p2 = {p1[0] - eta * g1[0] + beta * (p1[0] - x0), p1[1] - eta * g1[1] + beta * (p1[1] - y0)};
        assertEquals(p1[0], t.x()[1], 1e-9);
        assertEquals(p1[1], t.y()[1], 1e-9);
        assertEquals(p2[0], t.x()[2], 1e-9);
        assertEquals(p2[1], t.y()[2], 1e-9);
        assertEquals(0.5 * Math.exp(y0) * x0 * x0 - alpha * y0, t.loss(0), 1e-15);
    }

    private static double[] fdGrad(double alpha, double[] p) {
        double h = 1e-5;
        double[] g = new double[2];
        for (int i = 0; i < 2; i++) {
            double[] a = p.clone();
            double[] b = p.clone();
            a[i] += h;
            b[i] -= h;
            g[i] = (toyLoss(alpha, a) - toyLoss(alpha, b)) / (2 * h);
        }
        return g;
    }

    private static double toyLoss(double alpha, double[] p) {
        return 0.5 * Math.exp(p[1]) * p[0] * p[0] - alpha * p[1];
    }

    /**
     * Q3.4: at a frozen curvature S along x (alpha = 0, |x| tiny so y does not move), polyak's x grows iff S &gt;
     * 2(1 + beta)/eta: at 1.02 theta |x| grows, at 0.98 theta it decays (spectral radius 1.04/0.96 for GD, 1.109/0.856
     * for beta 0.5, 1.264/0.949 for beta 0.9).
     */
    @Test
    void toyInstabilityStartsAtThePolyakThreshold() {
        double eta = 0.1;
        for (double beta : new double[] {0, 0.5, 0.9}) {
            double theta = 2 * (1 + beta) / eta;
            MomentumCatapultToy.Trajectory up = MomentumCatapultToy.run(0, beta, eta, 60, 1e-12, Math.log(1.02 * theta));
            MomentumCatapultToy.Trajectory down = MomentumCatapultToy.run(0, beta, eta, 60, 1e-12, Math.log(0.98 * theta));
            assertTrue(Math.abs(up.x()[60]) > 5e-12, "beta " + beta + ": |x_60| = " + Math.abs(up.x()[60]));
            assertTrue(Math.abs(down.x()[60]) < 1e-12, "beta " + beta + ": |x_60| = " + Math.abs(down.x()[60]));
            assertEquals(theta, up.threshold(), 1e-12 * theta);
        }
    }

    @Test
    void toyGuardEndsTheRunAsDiverged() {
        // S = 1e13 = 5e11 theta (GD, eta 0.1): x_1 = -100, x_2 ~ 1e14 > 1e8 while y has barely moved
        MomentumCatapultToy.Trajectory t = MomentumCatapultToy.run(0, 0, 0.1, 1000, 1e-10, Math.log(1e13));
        assertTrue(t.diverged());
        assertEquals(2, t.divergedAt());
        assertEquals(3, t.x().length);
        assertTrue(Math.abs(t.x()[2]) > MomentumCatapultToy.GUARD);
        assertTrue(Math.abs(t.x()[1]) <= MomentumCatapultToy.GUARD);
        assertThrows(IllegalArgumentException.class, () -> MomentumCatapultToy.run(0.01, 1.0, 0.1, 10));
    }

    /** The first-cycle rule of §5.3 on hand-made sequences. */
    @Test
    void firstCycleRule() {
        double[] s = {0.9, 1.05, 1.2, 0.995, 0.98, 0.7, 0.8, 1.01, 0.5};
        MomentumCatapultToy.Cycle c = MomentumCatapultToy.firstCycle(s, 1.0);
        assertEquals(1, c.start());
        assertEquals(4, c.below());        // 0.995 is not below 0.99 theta
        assertEquals(7, c.end());
        assertEquals(0.7, c.minRatio(), 0.0); // 0.5 at step 8 lies after the cycle
        // never crosses
        assertTrue(Double.isNaN(MomentumCatapultToy.firstCycle(new double[] {0.5, 0.9, 1.0}, 1.0).minRatio()));
        // crosses and never comes back below 0.99 theta: min over [t_a, end]
        MomentumCatapultToy.Cycle open = MomentumCatapultToy.firstCycle(new double[] {0.8, 1.1, 0.995, 1.3}, 1.0);
        assertEquals(-1, open.below());
        assertEquals(3, open.end());
        assertEquals(0.995, open.minRatio(), 0.0);
        // comes back below but never re-crosses: through the last step
        MomentumCatapultToy.Cycle tail = MomentumCatapultToy.firstCycle(new double[] {1.2, 0.9, 0.6, 0.4}, 1.0);
        assertEquals(3, tail.end());
        assertEquals(0.4, tail.minRatio(), 0.0);
        assertThrows(IllegalArgumentException.class, () -> MomentumCatapultToy.firstCycle(s, 0));
    }

    /** §5.3 reference run (float64 NumPy prototype, an independent implementation): the six first-cycle minima. */
    @Test
    void toyReproducesTheReferenceRun() {
        double[][] ref = {{0.864, 0.522, 0.125}, {0.807, 0.377, 0.001}};
        double[] alphas = {0.01, 0.05};
        double[] betas = {0, 0.5, 0.9};
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 3; j++) {
                MomentumCatapultToy.Trajectory t = MomentumCatapultToy.run(alphas[i], betas[j], 0.1, 6000);
                double m = MomentumCatapultToy.firstCycle(t.sharpness(), t.threshold()).minRatio();
                assertEquals(ref[i][j], m, 6e-4, "alpha " + alphas[i] + " beta " + betas[j]);
            }
        }
    }

    // ------------------------------------------------------------------ P2-D bookkeeping and run summaries

    @Test
    void stepsAboveDeltaCarriesTheLatestDelta() {
        long[] steps = {8, 9, 10, 11, 12, 13, 20, 21, 22};
        double[] x = {5, 5, 0.5, 2.0, -3.0, Double.NaN, 0.1, 0.3, -0.25};
        double[] delta = {Double.NaN, Double.NaN, 1.0, Double.NaN, Double.NaN, Double.NaN, 0.2, Double.NaN, Double.NaN};
        boolean[] g = {false, false, true, false, false, false, true, false, false};
        MomentumCatapultTrace.Excursion e = MomentumCatapultTrace.stepsAboveDelta(steps, x, delta, g, 9);
        // step 9: no delta yet; 10: 0.5 < 1; 11: 2 > 1; 12: 3 > 1; 13: x NaN skipped; 20: 0.1 < 0.2; 21: 0.3 > 0.2;
        // 22: 0.25 > 0.2
        assertEquals(4, e.above());
        assertEquals(6, e.withDelta());
        assertEquals(1, e.withoutDelta());
        assertEquals(22, e.lastAbove());
        // a NaN delta (alpha <= 0) at a grad-S step stops the count until the next grad-S step
        double[] d2 = delta.clone();
        d2[6] = Double.NaN;
        MomentumCatapultTrace.Excursion e2 = MomentumCatapultTrace.stepsAboveDelta(steps, x, d2, g, 9);
        assertEquals(2, e2.above());
        assertEquals(3, e2.withDelta());
        assertEquals(4, e2.withoutDelta());
        assertThrows(IllegalArgumentException.class,
                () -> MomentumCatapultTrace.stepsAboveDelta(steps, x, delta, new boolean[2], 0));
    }

    @Test
    void traceDerivedQuantities() {
        double[] loss = {1.0, 0.5, 0.1, 0.01, 5.0, 0.02, 0.001};
        long[] st = {0, 2, 4, 6};
        double[] s = {3.0, 9.0, 12.0, 5.0};
        // polyak eta 0.38, beta 0.9: theta = 10; T_w = 4 so threshold(t) = 10 * 4/(t+1) for t < 4
        MomentumCatapultTrace t = new MomentumCatapultTrace("X", "P2-A", "polyak", 0.38, 0.9, 4, Double.NaN, 6,
                Status.COMPLETED, "max_steps", 6, loss, st, s, new double[] {40, 40.0 / 3, 10, 10}, true, 0, 0);
        assertEquals(10.0, t.threshold(), 1e-12);
        assertEquals(40.0 / 3, t.threshold(2), 1e-12);
        assertEquals(10.0, t.threshold(100), 1e-12);
        assertEquals(12.0, t.sMax(), 0.0);
        assertEquals(5.0, t.sFinal(), 0.0);
        assertEquals(0.5, t.ratio(), 1e-12);
        assertEquals(4, t.firstCrossing());         // 9 < 40/3 at step 2; 12 >= 10 at step 4
        assertEquals(500.0, t.maxSpikeRatio(), 1e-9); // 5.0 / 0.01
        assertEquals(4, t.maxSpikeStep());
        assertEquals(0.001, t.minLoss(), 0.0);
        assertEquals(3.0, t.sharpness0(), 0.0);
        MomentumCatapultTrace div = new MomentumCatapultTrace("Y", "P2-A", "gd", 0.5, 0, 1, Double.NaN, 6,
                Status.DIVERGED, "param_bound", 3, new double[] {1, 2, Double.NaN}, new long[] {0}, new double[] {3},
                new double[] {4}, true, 0, 0);
        assertTrue(Double.isNaN(div.sFinal()));
        assertEquals("diverged at step 3 (param_bound)", div.ending());
        assertEquals("completed", t.ending());
        assertEquals(-1, div.firstCrossing());
    }

    // ------------------------------------------------------------------ configurations

    /** P2-A: 4,929 parameters, biases exactly 0, weights N(0, 1/fan_in) (sample variance within 5 standard errors). */
    @Test
    void p2aNetworkIsTheStandardParametrisation() {
        Problem p = MomentumCatapultStudy.aProblem(0);
        assertEquals(4929, p.model().numParams());
        assertEquals(200, p.train().size());
        Tensor theta = p.model().init(Rng.stream(1, Rng.INIT));
        Layout l = p.model().layout();
        int[] fanIn = {10, 64, 64};
        for (int k = 0; k < 3; k++) {
            Tensor b = l.view(theta, (2 * k) + ".bias");
            assertEquals(0.0, b.abs().sum().item(), 0.0);
            Tensor w = l.view(theta, (2 * k) + ".weight");
            double var = w.square().mean().item() * fanIn[k];
            double se = Math.sqrt(2.0 / w.size());
            assertEquals(1.0, var, 5 * se, "layer " + k);
        }
        // y = sin(x_1) + x_2 x_3
        Dataset d = p.train();
        for (int i = 0; i < 5; i++) {
            double want = Math.sin(d.x().get(i, 0)) + d.x().get(i, 1) * d.x().get(i, 2);
            assertEquals(want, d.y().get(i, 0), 1e-15);
        }
    }

    /** Polyak at eta and GD at eta/(1 + beta) with the same warmup share the threshold 2(1 + beta)/eta_t at every step. */
    @Test
    void pairsShareTheirThresholdAtEveryStep() {
        for (String[] pair : new String[][] {{"A3", "A5"}, {"A6", "A7"}}) {
            MomentumCatapultStudy.ASpec a = MomentumCatapultStudy.spec(pair[0]);
            MomentumCatapultStudy.ASpec b = MomentumCatapultStudy.spec(pair[1]);
            Optimizer<? extends OptimizerState> pa = MomentumCatapultStudy.optimizer(a.optimizer(), a.eta(), a.beta(),
                    a.warmup());
            Optimizer<? extends OptimizerState> gb = MomentumCatapultStudy.optimizer(b.optimizer(), b.eta(), b.beta(),
                    b.warmup());
            assertEquals("polyak", pa.name());
            assertEquals("gd", gb.name());
            for (long t : new long[] {0, 1, 50, a.warmup() - 1, a.warmup(), 999}) {
                assertEquals(pa.threshold(t), gb.threshold(t), 1e-12 * pa.threshold(t), pair[0] + " step " + t);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> MomentumCatapultStudy.spec("A11"));
    }

    /**
     * P2-B: S_0 of f(x) = &lt;u*u - v*v, x&gt; at u = v = 1 against the Hessian assembled in plain loops, H = (1/n) sum_i
     * [J_i^T J_i + r_i diag(2 x_i, -2 x_i)] with J_i = (2 u x_i, -2 v x_i) and r_i = -y_i, top eigenvalue by power
     * iteration (the residual part is small, so the top eigenvalue is also the largest in magnitude).
     */
    @Test
    void p2bInitialSharpnessMatchesTheAssembledHessian() {
        Synthetic.Task task = Synthetic.sparseOnes(50, 0, 100, 5, Rng.stream(0, Rng.DATA));
        Problem p = MomentumCatapultStudy.bProblem(task, 1.0);
        MomentumCatapultStudy.S0 s0 = MomentumCatapultStudy.initialSharpness(p);
        int n = 50;
        int d = 100;
        double[] x = task.train().x().toArray();
        double[] y = task.train().y().toArray();
        double[][] h = new double[2 * d][2 * d];
        for (int i = 0; i < n; i++) {
            double[] j = new double[2 * d];
            for (int k = 0; k < d; k++) {
                j[k] = 2 * x[i * d + k];
                j[d + k] = -2 * x[i * d + k];
            }
            for (int a = 0; a < 2 * d; a++) {
                for (int b = 0; b < 2 * d; b++) {
                    h[a][b] += j[a] * j[b] / n;
                }
            }
            for (int k = 0; k < d; k++) {
                h[k][k] += -y[i] * 2 * x[i * d + k] / n;
                h[d + k][d + k] += y[i] * 2 * x[i * d + k] / n;
            }
        }
        double[] v = new double[2 * d];
        SplittableRandom r = new SplittableRandom(3);
        for (int k = 0; k < v.length; k++) {
            v[k] = r.nextGaussian();
        }
        double lambda = 0;
        for (int it = 0; it < 3000; it++) {
            double[] w = new double[v.length];
            for (int a = 0; a < v.length; a++) {
                for (int b = 0; b < v.length; b++) {
                    w[a] += h[a][b] * v[b];
                }
            }
            double norm = 0;
            double rq = 0;
            for (int a = 0; a < v.length; a++) {
                norm += w[a] * w[a];
                rq += w[a] * v[a];
            }
            lambda = rq;
            norm = Math.sqrt(norm);
            for (int a = 0; a < v.length; a++) {
                v[a] = w[a] / norm;
            }
        }
        assertTrue(s0.denseConverged());
        assertEquals(lambda, s0.value(), 1e-8 * lambda);
        assertEquals(lambda, s0.lanczos(), 1e-6 * lambda);
        // each run's threshold is S_0/nu
        for (double nu : MomentumCatapultStudy.nuGrid()) {
            for (double beta : new double[] {0, 0.9}) {
                MomentumCatapultStudy.BSpec b = new MomentumCatapultStudy.BSpec("b", "x", nu, beta, 500, 1, s0.value());
                assertEquals(s0.value() / nu, 2 * (1 + beta) / b.eta(), 1e-12 * s0.value());
            }
        }
        double[] grid = MomentumCatapultStudy.nuGrid();
        assertEquals(15, grid.length);
        assertEquals(1.1, grid[0], 0.0);
        assertEquals(2.5, grid[14], 0.0);
    }

    /**
     * Regression test for an engine gap this study found (org.sgdlab.linalg, fixed on main by the SymmetricEigen
     * commit "judge negligible off-diagonals against the running matrix scale"): on the P2-B Hessian at interpolation
     * (GD at nu = 1.5 after 850 steps, loss ~1e-26, about 150 numerically zero eigenvalues) the dense path (Q5.2)
     * reported converged = false and a top eigenvalue of 20.89 while Lanczos and the Rayleigh quotient of its vector
     * give 28.13. The study now measures the P2-B sharpness by the dense path, as STUDIES.md 5.2 asks.
     */
    @Test
    void densePathMatchesLanczosAtInterpolation() {
        Synthetic.Task task = Synthetic.sparseOnes(50, 0, 100, 5, Rng.stream(0, Rng.DATA));
        Problem p = MomentumCatapultStudy.bProblem(task, 1.0);
        double s0 = MomentumCatapultStudy.initialSharpness(p).value();
        double eta = 1.5 * 2 / s0;
        Tensor theta = p.model().init(Rng.stream(0, Rng.INIT));
        for (int t = 0; t < 850; t++) {
            theta = theta.sub(p.valueAndGrad(theta, task.train()).grad().mul(eta * Math.min(1.0, (t + 1) / 500.0)));
        }
        LinearOperator h = p.hessian(theta, task.train());
        Lanczos.Result dense = Lanczos.dense(h, 1);
        Lanczos.Result lz = Lanczos.topK(h, Lanczos.Config.defaults(1), new SplittableRandom(5), List.of());
        Tensor u = lz.eigenvectors().get(0);
        double rayleigh = u.dotValue(h.apply(u)) / u.dotValue(u);
        List<String> problems = new ArrayList<>();
        if (!dense.converged()) {
            problems.add("dense not converged");
        }
        if (dense.top() < rayleigh - 1e-8 * rayleigh) {
            problems.add("dense top " + dense.top() + " < Rayleigh quotient " + rayleigh);
        }
        assertTrue(problems.isEmpty(), String.join("; ", problems));
        assertNotNull(u);
    }
}
