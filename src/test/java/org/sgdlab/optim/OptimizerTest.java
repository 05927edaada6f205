package org.sgdlab.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** Momentum optimizers against GD (bitwise), against their equivalent forms of Q3.3, thresholds and the registry. */
class OptimizerTest {

    static final int P = 20;

    /** A random SPD quadratic f = theta' A theta / 2 - b' theta; returns its gradient A theta - b. */
    static UnaryOperator<Tensor> randomQuadratic(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor m = Tensor.randn(rng, P, P);
        Tensor a = m.transpose().matmul(m).div(P).add(Tensor.eye(P).mul(0.1)); // [P, P]
        Tensor b = Tensor.randn(rng, P);
        return th -> a.matmul(th).sub(b); // [P, P] @ [P] -> [P]
    }

    /** theta_T after {@code steps} updates, recording every iterate. */
    static <S extends OptimizerState> Tensor[] run(Optimizer<S> opt, UnaryOperator<Tensor> grad, Tensor theta0,
            int steps) {
        Tensor[] out = new Tensor[steps + 1];
        out[0] = theta0;
        S s = opt.init(theta0);
        Tensor th = theta0;
        for (int t = 0; t < steps; t++) {
            Update<S> u = opt.update(grad.apply(th), s, th, t);
            th = u.newTheta();
            s = u.newState();
            out[t + 1] = th;
        }
        return out;
    }

    static void assertBitwise(Tensor[] a, Tensor[] b, String what) {
        assertEquals(a.length, b.length);
        for (int t = 0; t < a.length; t++) {
            double[] x = a[t].toArray();
            double[] y = b[t].toArray();
            for (int i = 0; i < x.length; i++) {
                if (Double.doubleToRawLongBits(x[i]) != Double.doubleToRawLongBits(y[i])) {
                    throw new AssertionError(what + ": step " + t + " element " + i + ": " + x[i] + " vs " + y[i]);
                }
            }
        }
    }

    static List<Schedule> schedules() {
        return List.of(Schedules.constant(0.3), Schedules.linearWarmup(0.3, 40),
                Schedules.toyWarmupDecay(0.05, 6, 0.5, 0.5, 5, 100));
    }

    @Test
    void momentumWithBetaZeroIsGdBitForBit() {
        UnaryOperator<Tensor> g = randomQuadratic(1);
        Tensor theta0 = Tensor.randn(new SplittableRandom(2), P);
        for (Schedule s : schedules()) {
            Tensor[] gd = run(Optimizers.gd(s), g, theta0, 100);
            assertTrue(gd[100].sub(gd[0]).norm() > 1e-3, "the run moves");
            assertBitwise(run(Optimizers.heavyBall(s, 0.0), g, theta0, 100), gd, "heavy-ball beta=0 vs gd, " + s.name());
            assertBitwise(run(Optimizers.polyak(s, 0.0), g, theta0, 100), gd, "polyak beta=0 vs gd, " + s.name());
            assertBitwise(run(Optimizers.nesterov(s, 0.0), g, theta0, 100), gd, "nesterov beta=0 vs gd, " + s.name());
            assertBitwise(run(Optimizers.sgd(s), g, theta0, 100), gd, "sgd vs gd, " + s.name());
        }
    }

    @Test
    void gdMatchesNaiveLoop() {
        UnaryOperator<Tensor> g = randomQuadratic(3);
        Tensor theta0 = Tensor.randn(new SplittableRandom(4), P);
        Schedule s = Schedules.linearWarmup(0.3, 10);
        Tensor[] gd = run(Optimizers.gd(s), g, theta0, 30);
        double[] th = theta0.toArray();
        for (int t = 0; t < 30; t++) {
            double[] gr = g.apply(Tensor.of(th, P)).toArray();
            double eta = 0.3 * Math.min(1.0, (t + 1) / 10.0);
            for (int i = 0; i < P; i++) {
                th[i] = th[i] - eta * gr[i];
            }
            assertTrue(Checks.relErr(Tensor.of(th, P), gd[t + 1]) < 1e-13, "step " + t);
        }
    }

    /**
     * heavy-ball and polyak coincide for constant eta up to rounding: relative difference of the
     * iterates &lt;= 1e-12 over 100 steps with beta = 0.9 (they differ only in where eta multiplies).
     */
    @Test
    void heavyBallAndPolyakCoincideForConstantEta() {
        UnaryOperator<Tensor> g = randomQuadratic(5);
        Tensor theta0 = Tensor.randn(new SplittableRandom(6), P);
        Schedule s = Schedules.constant(0.05);
        Tensor[] hb = run(Optimizers.heavyBall(s, 0.9), g, theta0, 100);
        Tensor[] pk = run(Optimizers.polyak(s, 0.9), g, theta0, 100);
        for (int t = 0; t <= 100; t++) {
            double e = Checks.relErr(hb[t], pk[t]);
            assertTrue(e <= 1e-12, "step " + t + ": rel diff " + e);
        }
    }

    /** Under warmup they differ; at step 1 by exactly -beta (eta_1 - eta_0) g_0 (Q3.3 equivalent forms). */
    @Test
    void heavyBallAndPolyakDifferUnderWarmup() {
        UnaryOperator<Tensor> g = randomQuadratic(7);
        Tensor theta0 = Tensor.randn(new SplittableRandom(8), P);
        double beta = 0.9;
        Schedule s = Schedules.linearWarmup(0.05, 20);
        Tensor[] hb = run(Optimizers.heavyBall(s, beta), g, theta0, 40);
        Tensor[] pk = run(Optimizers.polyak(s, beta), g, theta0, 40);
        assertTrue(Checks.relErr(hb[1], pk[1]) < 1e-15, "identical after the first update");
        // theta_2^hb - theta_2^polyak = -eta_1 beta g_0 + eta_0 beta g_0 = -beta (eta_1 - eta_0) g_0
        Tensor expected = g.apply(theta0).mul(-beta * (0.05 * 2 / 20 - 0.05 * 1 / 20));
        Tensor diff = hb[2].sub(pk[2]);
        assertTrue(Checks.relErr(diff, expected) < 1e-6, "step-2 difference " + diff + " vs " + expected);
        double rel = Checks.relErr(hb[40], pk[40]);
        assertTrue(rel > 1e-3, "heavy-ball and polyak should differ under warmup, rel diff " + rel);
    }

    /** heavy-ball = theta_{t+1} = theta_t - eta_t g_t + beta (eta_t/eta_{t-1})(theta_t - theta_{t-1}) (Q3.3). */
    @Test
    void heavyBallMatchesItsEquivalentFormUnderWarmup() {
        UnaryOperator<Tensor> g = randomQuadratic(9);
        Tensor theta0 = Tensor.randn(new SplittableRandom(10), P);
        double beta = 0.8;
        Schedule s = Schedules.linearWarmup(0.05, 25);
        Tensor[] hb = run(Optimizers.heavyBall(s, beta), g, theta0, 60);
        double[] prev = theta0.toArray();
        double[] cur = theta0.toArray();
        double etaPrev = 1; // unused at t = 0 (theta_{-1} = theta_0)
        for (int t = 0; t < 60; t++) {
            double eta = 0.05 * Math.min(1.0, (t + 1) / 25.0);
            double[] gr = g.apply(Tensor.of(cur, P)).toArray();
            double[] next = new double[P];
            for (int i = 0; i < P; i++) {
                next[i] = cur[i] - eta * gr[i] + beta * (eta / etaPrev) * (cur[i] - prev[i]);
            }
            prev = cur;
            cur = next;
            etaPrev = eta;
            assertTrue(Checks.relErr(Tensor.of(cur, P), hb[t + 1]) < 1e-11, "step " + t);
        }
    }

    /** polyak = theta_{t+1} = theta_t - eta_t g_t + beta (theta_t - theta_{t-1}), theta_{-1} = theta_0 (P2 Eq. (1)). */
    @Test
    void polyakMatchesDifferenceFormUnderWarmup() {
        UnaryOperator<Tensor> g = randomQuadratic(11);
        Tensor theta0 = Tensor.randn(new SplittableRandom(12), P);
        double beta = 0.9;
        Schedule s = Schedules.linearWarmup(0.05, 25);
        Tensor[] pk = run(Optimizers.polyak(s, beta), g, theta0, 60);
        double[] prev = theta0.toArray();
        double[] cur = theta0.toArray();
        for (int t = 0; t < 60; t++) {
            double eta = 0.05 * Math.min(1.0, (t + 1) / 25.0);
            double[] gr = g.apply(Tensor.of(cur, P)).toArray();
            double[] next = new double[P];
            for (int i = 0; i < P; i++) {
                next[i] = cur[i] - eta * gr[i] + beta * (cur[i] - prev[i]);
            }
            prev = cur;
            cur = next;
            assertTrue(Checks.relErr(Tensor.of(cur, P), pk[t + 1]) < 1e-11, "step " + t);
        }
    }

    @Test
    void thresholdsAtHandComputedValues() {
        Schedule s = Schedules.constant(0.1);
        assertEquals(20.0, Optimizers.gd(s).threshold(0), 1e-12);
        assertEquals(20.0, Optimizers.sgd(s).threshold(7), 1e-12);
        assertEquals(38.0, Optimizers.heavyBall(s, 0.9).threshold(0), 1e-12);
        assertEquals(38.0, Optimizers.polyak(s, 0.9).threshold(0), 1e-12);
        assertEquals(3.8 / 0.28, Optimizers.nesterov(s, 0.9).threshold(0), 1e-12); // 13.571428...
        assertEquals(30.0, Optimizers.heavyBall(s, 0.5).threshold(0), 1e-12);
        assertEquals(15.0, Optimizers.nesterov(s, 0.5).threshold(0), 1e-12);
        // evaluated with eta_t: linear warmup eta = 0.2, T_w = 4 -> eta_0 = 0.05, eta_3 = 0.2
        Optimizer<?> hb = Optimizers.heavyBall(Schedules.linearWarmup(0.2, 4), 0.9);
        assertEquals(76.0, hb.threshold(0), 1e-12);
        assertEquals(19.0, hb.threshold(3), 1e-12);
        assertEquals(Double.POSITIVE_INFINITY, Optimizers.gd(Schedules.linearRamp(0, 1, 10)).threshold(0));
    }

    @Test
    void registryBuildsEveryOptimizerAndFailsLoudly() {
        Schedule s = Schedules.constant(0.1);
        for (String name : Optimizers.NAMES) {
            Map<String, ?> params = name.endsWith("gd") ? Map.of() : Map.of("beta", 0.5);
            Optimizer<?> opt = Optimizers.create(name, s, params);
            assertEquals(name, opt.name());
            assertTrue(opt.describe().startsWith(name), opt.describe());
            assertTrue(opt.describe().contains("eta_t"), opt.describe());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("adamw", s, Map.of()));
        assertEquals("unknown optimizer 'adamw'; known: gd, sgd, heavy-ball, polyak, nesterov", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("heavy-ball", s, Map.of()));
        assertTrue(e.getMessage().contains("missing parameter 'beta'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("gd", s, Map.of("beta", 0.9)));
        assertTrue(e.getMessage().contains("unknown parameter 'beta'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("polyak", s, Map.of("beta", 1.0)));
        assertTrue(e.getMessage().contains("beta (momentum coefficient) must be in [0, 1), got 1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("nesterov", s, Map.of("beta", "lots")));
        assertTrue(e.getMessage().contains("'beta' must be a number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("sgd", s, Map.of("weight_decay", -1)));
        assertTrue(e.getMessage().contains("weight_decay must be finite and >= 0, got -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Optimizers.create("gd", Map.of("lr", 0.1, "beta", 0.0)));
        assertEquals("optimizer 'gd': unknown parameter 'beta'; known: lr, weight_decay", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.create("gd", Map.of()));
        assertTrue(e.getMessage().contains("missing parameter 'lr'"), e.getMessage());
    }

    @Test
    void registryReadsLearningRateSpecsAndWeightDecay() {
        Optimizer<?> a = Optimizers.create("polyak", Map.of("beta", 0.9,
                "lr", Map.of("name", "linear-warmup", "eta", 0.2, "warmup_steps", 100), "weight_decay", 1e-3));
        assertEquals("polyak", a.name());
        assertEquals(0.9, a.beta());
        assertEquals(0.2 * 50 / 100.0, a.lr(49), 1e-15);
        assertInstanceOf(WeightDecay.class, a);
        assertEquals(1e-3, ((WeightDecay<?>) a).gamma());
        Optimizer<?> b = Optimizers.create("gd", Map.of("lr", "1e-2"));
        assertEquals(0.01, b.lr(1000));
        assertEquals(200.0, b.threshold(0), 1e-12);
    }

    @Test
    void shapeMismatchIsAnError() {
        Optimizer<OptimizerState.MomentumBuffer> hb = Optimizers.heavyBall(Schedules.constant(0.1), 0.5);
        OptimizerState.MomentumBuffer s = hb.init(Tensor.zeros(3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hb.update(Tensor.zeros(4), s, Tensor.zeros(3), 0));
        assertEquals("heavy-ball.update: grad shape [4] differs from theta shape [3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> hb.update(Tensor.zeros(4), s, Tensor.zeros(4), 0));
        assertTrue(e.getMessage().contains("momentum buffer shape [3] differs from theta shape [4]"), e.getMessage());
    }

    @Test
    void withScheduleKeepsTheRule() {
        Optimizer<OptimizerState.Displacement> p = Optimizers.polyak(Schedules.constant(0.1), 0.7);
        Optimizer<OptimizerState.Displacement> q = p.withSchedule(Schedules.constant(0.2));
        assertEquals(0.7, q.beta());
        assertEquals(0.2, q.lr(5));
        assertEquals(0.1, p.lr(5));
    }
}
