package org.sgdlab.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every schedule at hand-computed steps (Q3.5), composition, the registry and its errors. */
class SchedulesTest {

    static final double TOL = 1e-15;

    static void near(double expected, double actual, String what) {
        assertEquals(expected, actual, TOL * Math.max(1, Math.abs(expected)), what);
    }

    static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void constant() {
        Schedule s = Schedules.constant(0.1);
        assertEquals(0.1, s.lr(0));
        assertEquals(0.1, s.lr(1_000_000));
    }

    @Test
    void linearWarmup() {
        Schedule s = Schedules.linearWarmup(0.2, 4);
        near(0.05, s.lr(0), "t=0");
        near(0.1, s.lr(1), "t=1");
        near(0.15, s.lr(2), "t=2");
        near(0.2, s.lr(3), "t=3");
        near(0.2, s.lr(100), "t=100");
        assertEquals(0.2, Schedules.linearWarmup(0.2, 1).lr(0), "T_w = 1 is no warmup");
    }

    @Test
    void linearRamp() {
        Schedule s = Schedules.linearRamp(0.002, 0.2, 30_000);
        near(0.002, s.lr(0), "t=0");
        near(0.101, s.lr(15_000), "t=15000");
        near(0.2, s.lr(30_000), "t=30000");
        near(0.2, s.lr(40_000), "t=40000");
    }

    @Test
    void powerWarmup() {
        Schedule s = Schedules.powerWarmup(1.0, 4, 2);
        near(0.0625, s.lr(0), "t=0");
        near(0.25, s.lr(1), "t=1");
        near(0.5625, s.lr(2), "t=2");
        near(1.0, s.lr(3), "t=3");
        Schedule lin = Schedules.linearWarmup(0.3, 7);
        Schedule p1 = Schedules.powerWarmup(0.3, 7, 1);
        for (int t = 0; t < 20; t++) {
            assertEquals(Double.doubleToRawLongBits(lin.lr(t)), Double.doubleToRawLongBits(p1.lr(t)),
                    "p = 1 is linear-warmup bit for bit at t=" + t);
        }
    }

    @Test
    void exponentialWarmup() {
        Schedule s = Schedules.exponentialWarmup(0.01, 1.0, 4);
        near(0.01, s.lr(0), "t=0");
        near(0.0316227766016838, s.lr(1), "t=1 (0.01 * 100^(1/4))");
        near(0.1, s.lr(2), "t=2");
        assertEquals(1.0, s.lr(4));
        assertEquals(1.0, s.lr(50));
    }

    @Test
    void stepDecayAfter() {
        Schedule s = Schedules.stepDecayAfter(0.6, 5000, 3);
        assertEquals(0.6, s.lr(0));
        assertEquals(0.6, s.lr(5000), "the update of iteration t_d still uses eta");
        near(0.2, s.lr(5001), "after t_d");
        near(0.2, s.lr(10_000), "t=10000");
        Schedule f = Schedules.stepDecayAtFraction(0.6, 0.5, 10_001, 3); // floor(5000.5) = 5000
        assertEquals(0.6, f.lr(5000));
        near(0.2, f.lr(5001), "fraction form");
    }

    @Test
    void piecewise() {
        Schedule s = Schedules.piecewise(new long[] {10, 20}, new double[] {1, 0.1, 0.01});
        assertEquals(1, s.lr(0));
        assertEquals(1, s.lr(9));
        assertEquals(0.1, s.lr(10));
        assertEquals(0.1, s.lr(19));
        assertEquals(0.01, s.lr(20));
        assertEquals(0.01, s.lr(1000));
    }

    @Test
    void cosine() {
        Schedule s = Schedules.cosine(1.0, 100, 0.0);
        near(1.0, s.lr(0), "t=0");
        near(0.8535533905932737, s.lr(25), "t=25: (1 + cos(pi/4))/2");
        near(0.5, s.lr(50), "t=50");
        near(0.0, s.lr(100), "t=100");
        near(0.0, s.lr(200), "t=200");
        Schedule f = Schedules.cosine(1.0, 100, 0.1);
        near(0.55, f.lr(50), "with eta_final");
        near(0.1, f.lr(150), "after T");
    }

    /** SF5 parameters (STUDIES.md §7.5): gamma = 0.04, F = 6, e = 0.5, f = 0.5, D = 5, N = 10001. */
    @Test
    void toyWarmupDecaySf5() {
        Schedule s = Schedules.toyWarmupDecay(0.04, 6, 0.5, 0.5, 5.0, 10_001);
        assertEquals(0.04, s.lr(0), "i = 0: gamma");
        near(0.1399950003749687527, s.lr(2500), "i=2500: gamma + 5 gamma sqrt(2500/10001)");
        near(0.1814001435640714122, s.lr(4999), "i=4999 (last undivided)");
        // K = floor(0.5 * 10001) = 5000: warmup value divided by D before that update
        near(0.0362828571399567070, s.lr(5000), "i=K: (gamma + 5 gamma sqrt(5000/10001))/5");
        near(0.0362828571399567070, s.lr(5001), "constant after K");
        near(0.0362828571399567070, s.lr(10_000), "constant to the end");
        double max = 0;
        for (int t = 0; t < 10_001; t++) {
            max = Math.max(max, s.lr(t));
        }
        double peak = 0.1814213562373095; // gamma (1 + (F - 1) f^e) = 0.04 (1 + 5/sqrt 2), "peak ~ 0.181"
        assertEquals(peak, max, 3e-5, "peak");
        assertTrue(max < peak, "the peak is approached from below");
        // the other SF5 configurations: peaks ~ 0.103 and 0.150
        assertEquals(0.103, maxLr(Schedules.toyWarmupDecay(0.04, 6, 0.5, 0.1, 3.5, 10_001), 10_001), 5e-4);
        assertEquals(0.150, maxLr(Schedules.toyWarmupDecay(0.04, 6, 0.5, 0.3, 2.5, 10_001), 10_001), 5e-4);
        // N = 10000 gives round numbers: i = 2500 -> 0.04 + 0.2 * 0.5
        Schedule r = Schedules.toyWarmupDecay(0.04, 6, 0.5, 0.5, 5.0, 10_000);
        near(0.14, r.lr(2500), "N=10000, i=2500");
        near(0.0362842712474619010, r.lr(5000), "N=10000, i=K");
    }

    /** SF4 parameters (STUDIES.md §7.4): gamma = 2e-4, e = 1, F = 400 f, f = 0.02, D = 2.5, N = 31623. */
    @Test
    void toyWarmupDecaySf4() {
        Schedule s = Schedules.toyWarmupDecay(2e-4, 8, 1, 0.02, 2.5, 31_623); // K = floor(632.46) = 632
        assertEquals(2e-4, s.lr(0));
        near(2.279353635012490909e-4, s.lr(631), "i=631");
        near(9.119185403029440597e-5, s.lr(632), "i=K=632, divided by 2.5");
        near(9.119185403029440597e-5, s.lr(31_622), "constant after");
        assertEquals(2.28e-4, maxLr(s, 31_623), 1e-7, "peak 2.28e-4");
        assertEquals(2.01e-2, maxLr(Schedules.toyWarmupDecay(2e-4, 200, 1, 0.5, 3.0, 31_623), 31_623), 1e-5,
                "peak 2.01e-2 for f = 0.5, F = 200");
    }

    @Test
    void toyWarmupDecayWithoutWarmupIsConstantGamma() {
        Schedule f0 = Schedules.toyWarmupDecay(0.011, 6, 0.5, 0.0, 5.0, 10_001);
        Schedule k0 = Schedules.toyWarmupDecay(0.011, 6, 0.5, 0.00005, 5.0, 10_000); // floor(0.5) = 0
        for (long t : new long[] {0, 1, 5000, 10_000}) {
            assertEquals(0.011, f0.lr(t), "f = 0");
            assertEquals(0.011, k0.lr(t), "floor(fN) = 0");
        }
    }

    static double maxLr(Schedule s, int n) {
        double m = 0;
        for (int t = 0; t < n; t++) {
            m = Math.max(m, s.lr(t));
        }
        return m;
    }

    @Test
    void milestoneAdaptiveIsSetFromOutside() {
        MilestoneAdaptive s = MilestoneAdaptive.of(0.5, new long[] {200, 400}, 1.4);
        assertEquals(0.5, s.lr(0));
        assertEquals(0.5, s.lr(199));
        assertTrue(s.isMilestone(200) && !s.isMilestone(201));
        IllegalStateException unset = assertThrows(IllegalStateException.class, () -> s.lr(200));
        assertTrue(unset.getMessage().contains("milestone 200 was not set"), unset.getMessage());
        MilestoneAdaptive s1 = s.withCurvature(200, 7.0); // 1.4 * 2/7 = 0.4
        near(0.4, s1.lr(200), "after the first milestone");
        near(0.4, s1.lr(399), "held until the next");
        assertThrows(IllegalStateException.class, () -> s1.lr(400));
        assertThrows(IllegalStateException.class, () -> s.lr(300), "the original is unchanged");
        MilestoneAdaptive s2 = s1.withCurvature(400, 2.0);
        near(1.4, s2.lr(10_000), "1.4 * 2/2");
        // export/import of the set values
        MilestoneAdaptive back = MilestoneAdaptive.of(0.5, new long[] {200, 400}, 1.4);
        for (Map.Entry<Long, Double> e : s2.setValues().entrySet()) {
            back = back.withValue(e.getKey(), e.getValue());
        }
        assertEquals(s2, back);
        assertTrue(error(() -> s.withCurvature(300, 1.0)).contains("step 300 is not a milestone"));
        assertTrue(error(() -> s.withCurvature(200, -1.0)).contains("lambda_1 at milestone 200 must be finite and > 0"));
        // with an optimizer: the loop swaps the schedule at the milestone
        Optimizer<OptimizerState.Empty> gd = Optimizers.gd(s);
        near(5.0, gd.withSchedule(s1).threshold(250), "2/0.4");
    }

    @Test
    void productAndJoinCompose() {
        // warmup over 4 steps, then /10 after the update of step 10, built two ways
        Schedule prod = Schedules.product(Schedules.linearWarmup(1, 4), Schedules.stepDecayAfter(0.2, 10, 10));
        Schedule join = Schedules.join(new long[] {4}, Schedules.linearWarmup(0.2, 4),
                Schedules.stepDecayAfter(0.2, 6, 10));
        near(0.05, prod.lr(0), "product t=0");
        near(0.2, prod.lr(3), "product t=3");
        near(0.2, prod.lr(10), "product t=10");
        near(0.02, prod.lr(11), "product t=11");
        near(0.05, join.lr(0), "join t=0");
        near(0.2, join.lr(4), "join t=4 (part 1 at its step 0)");
        near(0.2, join.lr(10), "join t=10 (part 1 at its step 6)");
        near(0.02, join.lr(11), "join t=11");
        for (int t = 0; t < 30; t++) {
            near(prod.lr(t), join.lr(t), "t=" + t);
        }
        assertTrue(prod.describe().contains("linear-warmup") && prod.describe().contains("step-decay-after"));
    }

    @Test
    void registryBuildsFromSpecs() {
        Schedule s = Schedules.fromSpec(Map.of("name", "toy-warmup-decay", "gamma", 0.04, "peak_factor", 6,
                "exponent", 0.5, "fraction", 0.5, "decay_factor", 5, "total_steps", 10_001));
        near(0.0362828571399567070, s.lr(6000), "toy from spec");
        Schedule d = Schedules.create("step-decay-after", Map.of("eta", "0.6", "decay_factor", 3, "fraction", 0.5,
                "total_steps", 10_001));
        near(0.2, d.lr(5001), "string numbers and fraction form");
        Schedule j = Schedules.fromSpec(Map.of("name", "join", "boundaries", List.of(4), "parts",
                List.of(Map.of("name", "linear-warmup", "eta", 0.2, "warmup_steps", 4),
                        Map.of("name", "constant", "eta", 0.2))));
        near(0.1, j.lr(1), "nested join");
        near(0.2, j.lr(100), "nested join, part 2");
        Schedule p = Schedules.create("piecewise", Map.of("boundaries", List.of(10, 20.0), "values",
                new double[] {1, 0.1, 0.01}));
        assertEquals(0.01, p.lr(25));
        Schedule m = Schedules.create("milestone-adaptive", Map.of("eta", 0.5, "milestones", List.of(200, 400),
                "factor", 1.4));
        assertTrue(m instanceof MilestoneAdaptive);
        Map<String, Map<String, ?>> minimal = new java.util.LinkedHashMap<>();
        minimal.put("constant", Map.of("eta", 0.1));
        minimal.put("linear-warmup", Map.of("eta", 0.1, "warmup_steps", 5));
        minimal.put("linear-ramp", Map.of("eta_start", 0, "eta_end", 0.1, "ramp_steps", 5));
        minimal.put("power-warmup", Map.of("eta", 0.1, "warmup_steps", 5, "power", 2));
        minimal.put("exponential-warmup", Map.of("eta_start", 0.01, "eta", 0.1, "warmup_steps", 5));
        minimal.put("step-decay-after", Map.of("eta", 0.1, "after_step", 5, "decay_factor", 2));
        minimal.put("piecewise", Map.of("boundaries", List.of(5), "values", List.of(0.1, 0.05)));
        minimal.put("cosine", Map.of("eta", 0.1, "total_steps", 5));
        minimal.put("toy-warmup-decay", Map.of("gamma", 0.1, "peak_factor", 2, "exponent", 1, "fraction", 0.5,
                "decay_factor", 2, "total_steps", 10));
        minimal.put("milestone-adaptive", Map.of("eta", 0.1, "milestones", List.of(5), "factor", 1));
        minimal.put("join", Map.of("boundaries", List.of(5), "parts", List.of(Map.of("name", "constant", "eta", 0.1),
                Map.of("name", "constant", "eta", 0.05))));
        minimal.put("product", Map.of("parts", List.of(Map.of("name", "constant", "eta", 0.1))));
        assertEquals(Schedules.NAMES, List.copyOf(minimal.keySet()), "every registry name is covered");
        for (Map.Entry<String, Map<String, ?>> e : minimal.entrySet()) {
            Schedule built = Schedules.create(e.getKey(), e.getValue());
            assertEquals(e.getKey(), built.name());
            assertTrue(built.describe().startsWith(e.getKey() + ":"), built.describe());
            assertTrue(built.lr(4) > 0, e.getKey());
        }
    }

    @Test
    void badParametersGiveClearErrors() {
        assertEquals("unknown schedule 'warmup'; known: constant, linear-warmup, linear-ramp, power-warmup, "
                + "exponential-warmup, step-decay-after, piecewise, cosine, toy-warmup-decay, milestone-adaptive, "
                + "join, product", error(() -> Schedules.create("warmup", Map.of())));
        assertEquals("schedule 'linear-warmup': warmup_steps must be >= 1, got 0",
                error(() -> Schedules.linearWarmup(0.1, 0)));
        assertTrue(error(() -> Schedules.create("linear-warmup", Map.of("eta", 0.1, "warmup_steps", 2.5)))
                .contains("'warmup_steps' must be an integer"));
        assertTrue(error(() -> Schedules.create("constant", Map.of())).contains("missing parameter 'eta'"));
        assertTrue(error(() -> Schedules.create("constant", Map.of("eta", 0.1, "lr", 0.2)))
                .contains("unknown parameter 'lr'; known: eta"));
        assertEquals("schedule 'constant': eta must be finite and > 0, got -0.1",
                error(() -> Schedules.constant(-0.1)));
        assertEquals("schedule 'constant': eta must be finite and > 0, got NaN",
                error(() -> Schedules.constant(Double.NaN)));
        assertTrue(error(() -> Schedules.piecewise(new long[] {10, 10}, new double[] {1, 2, 3}))
                .contains("boundaries must be strictly increasing and >= 1, got [10, 10]"));
        assertTrue(error(() -> Schedules.piecewise(new long[] {10}, new double[] {1}))
                .contains("needs boundaries.length + 1 = 2 values, got 1"));
        assertEquals("schedule 'toy-warmup-decay': fraction must be in [0, 1], got 1.5",
                error(() -> Schedules.toyWarmupDecay(0.04, 6, 0.5, 1.5, 5, 10_001)));
        assertTrue(error(() -> Schedules.create("deep-piecewise", Map.of())).contains("documentation only"));
        assertTrue(error(() -> Schedules.create("step-decay-after", Map.of("eta", 1, "decay_factor", 2,
                "after_step", 5, "fraction", 0.5))).contains("either after_step or (fraction, total_steps)"));
        assertEquals("schedule 'cosine': step must be >= 0, got -1",
                error(() -> Schedules.cosine(1, 10, 0).lr(-1)));
        assertTrue(error(() -> Schedules.fromSpec(Map.of("eta", 1))).contains("schedule spec needs a 'name'"));
        assertTrue(error(() -> Schedules.create("product", Map.of("parts", List.of(3))))
                .contains("'parts[0]' must be a map"));
    }
}
