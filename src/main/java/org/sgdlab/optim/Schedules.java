package org.sgdlab.optim;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Learning-rate schedules of QUANTITIES.md Q3.5, as pure functions of the step, their combinators,
 * and a registry by name.
 *
 * <table>
 *   <caption>Schedules (t = update index, from 0)</caption>
 *   <tr><th>name</th><th>eta_t</th><th>parameters</th></tr>
 *   <tr><td>constant</td><td>eta</td><td>eta</td></tr>
 *   <tr><td>linear-warmup</td><td>eta * min(1, (t+1)/T_w)</td><td>eta, warmup_steps</td></tr>
 *   <tr><td>linear-ramp</td><td>eta_a + (eta_b - eta_a) * min(1, t/T_w)</td><td>eta_start, eta_end, ramp_steps</td></tr>
 *   <tr><td>power-warmup</td><td>eta * min(1, (t+1)/T_w)^p</td><td>eta, warmup_steps, power</td></tr>
 *   <tr><td>exponential-warmup</td><td>eta_0 * (eta/eta_0)^(t/T_w) for t &lt; T_w, then eta</td><td>eta_start, eta, warmup_steps</td></tr>
 *   <tr><td>step-decay-after</td><td>eta for t &lt;= t_d, eta/D for t &gt; t_d</td><td>eta, decay_factor, after_step or (fraction, total_steps)</td></tr>
 *   <tr><td>piecewise</td><td>values[#{j : boundaries[j] &lt;= t}]</td><td>boundaries, values</td></tr>
 *   <tr><td>cosine</td><td>eta_f + (eta - eta_f)(1 + cos(pi min(t, T)/T))/2</td><td>eta, total_steps, eta_final (0)</td></tr>
 *   <tr><td>toy-warmup-decay</td><td>see {@link #toyWarmupDecay}</td><td>gamma, peak_factor, exponent, fraction, decay_factor, total_steps</td></tr>
 *   <tr><td>milestone-adaptive</td><td>set from outside at milestones, see {@link MilestoneAdaptive}</td><td>eta, milestones, factor</td></tr>
 *   <tr><td>join</td><td>part j at t - boundaries[j-1]</td><td>boundaries, parts (schedule specs)</td></tr>
 *   <tr><td>product</td><td>part_0(t) * part_1(t) * ...</td><td>parts (schedule specs)</td></tr>
 * </table>
 *
 * <p>Composition, e.g. "linear warmup over 100 steps, then divide by 10 after step 5000":
 * {@code product(linearWarmup(1, 100), stepDecayAfter(0.2, 5000, 10))} (absolute steps), or
 * {@code join(new long[] {100}, linearWarmup(0.2, 100), stepDecayAfter(0.2, 4900, 10))} (the second
 * part counts from its own start). The authors' deep-network schedules (Q16.4, `deep-piecewise`)
 * are documentation only and not built.
 */
public final class Schedules {

    /** Registry names, in the order they are listed in errors. */
    public static final List<String> NAMES = List.of("constant", "linear-warmup", "linear-ramp", "power-warmup",
            "exponential-warmup", "step-decay-after", "piecewise", "cosine", "toy-warmup-decay",
            "milestone-adaptive", "join", "product");

    private Schedules() {
    }

    // ================================================================== factories

    /** eta_t = eta. */
    public static Schedule constant(double eta) {
        return new Constant(Require.positive("schedule 'constant'", "eta", eta));
    }

    /**
     * eta_t = eta * min(1, (t + 1)/T_w), evaluated as {@code eta * min(1.0, (double) (t + 1) / T_w)};
     * T_w = 1 is constant eta. The momentum-catapult warmup (Q3.5; P2's exact form is unverified).
     */
    public static Schedule linearWarmup(double eta, long warmupSteps) {
        String o = "schedule 'linear-warmup'";
        return new LinearWarmup(Require.positive(o, "eta", eta), Require.atLeast(o, "warmup_steps", warmupSteps, 1));
    }

    /**
     * eta_t = eta_a + (eta_b - eta_a) * min(1, t/T_w), evaluated in that order; eta_0 = eta_a and
     * eta_t = eta_a + (eta_b - eta_a) for t &gt;= T_w (symmetry study S5, Q3.5).
     */
    public static Schedule linearRamp(double etaStart, double etaEnd, long rampSteps) {
        String o = "schedule 'linear-ramp'";
        return new LinearRamp(Require.nonNegative(o, "eta_start", etaStart), Require.nonNegative(o, "eta_end", etaEnd),
                Require.atLeast(o, "ramp_steps", rampSteps, 1));
    }

    /**
     * eta_t = eta * min(1, (t + 1)/T_w)^p with {@code StrictMath.pow}; p = 1 is exactly
     * {@link #linearWarmup} (pow(x, 1) = x).
     */
    public static Schedule powerWarmup(double eta, long warmupSteps, double power) {
        String o = "schedule 'power-warmup'";
        return new PowerWarmup(Require.positive(o, "eta", eta), Require.atLeast(o, "warmup_steps", warmupSteps, 1),
                Require.positive(o, "power", power));
    }

    /**
     * Geometric warmup: eta_t = eta_0 * (eta/eta_0)^(t/T_w) for t &lt; T_w (so eta_0 at t = 0), and
     * exactly eta for t &gt;= T_w; evaluated as {@code eta0 * StrictMath.pow(eta / eta0, (double) t / T_w)}.
     * (The authors' deep-net "exponential warmup" lr * w^(100 t/T), Q16.4, is this form with
     * eta_0 = lr.)
     */
    public static Schedule exponentialWarmup(double etaStart, double eta, long warmupSteps) {
        String o = "schedule 'exponential-warmup'";
        return new ExponentialWarmup(Require.positive(o, "eta_start", etaStart), Require.positive(o, "eta", eta),
                Require.atLeast(o, "warmup_steps", warmupSteps, 1));
    }

    /**
     * eta_t = eta for t &lt;= t_d and eta/D for t &gt; t_d: "after the update of iteration t_d set
     * eta &lt;- eta/D" (the DLN authors' code, Q3.5; STUDIES.md SF1 uses t_d = floor(N/2), D = 3).
     */
    public static Schedule stepDecayAfter(double eta, long afterStep, double decayFactor) {
        String o = "schedule 'step-decay-after'";
        return new StepDecayAfter(Require.positive(o, "eta", eta), Require.atLeast(o, "after_step", afterStep, 0),
                Require.positive(o, "decay_factor", decayFactor));
    }

    /**
     * {@link #stepDecayAfter} at a fraction of training: t_d = floor(f * N), the floor of the double
     * product f * N (as Python's {@code int(f * n_iter)}).
     */
    public static Schedule stepDecayAtFraction(double eta, double fraction, long totalSteps, double decayFactor) {
        String o = "schedule 'step-decay-after'";
        Require.unitInterval(o, "fraction", fraction);
        Require.atLeast(o, "total_steps", totalSteps, 1);
        return stepDecayAfter(eta, (long) Math.floor(fraction * totalSteps), decayFactor);
    }

    /**
     * eta_t = values[j] where j = #{i : boundaries[i] &lt;= t}: values[0] before boundaries[0],
     * values[k] from boundaries[k-1] on. Boundaries strictly increasing and &gt;= 1;
     * values.length = boundaries.length + 1; values finite and &gt;= 0.
     */
    public static Schedule piecewise(long[] boundaries, double[] values) {
        String o = "schedule 'piecewise'";
        checkBoundaries(o, boundaries);
        if (values.length != boundaries.length + 1) {
            throw new IllegalArgumentException(o + ": needs boundaries.length + 1 = " + (boundaries.length + 1)
                    + " values, got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            Require.nonNegative(o, "values[" + i + "]", values[i]);
        }
        return new Piecewise(boundaries.clone(), values.clone());
    }

    /**
     * Cosine decay: eta_t = eta_f + (eta - eta_f) * (1 + cos(pi * min(t, T)/T))/2, evaluated as
     * {@code etaF + (eta - etaF) * ((1 + StrictMath.cos(Math.PI * ((double) min(t, T) / T))) / 2)};
     * eta_T = eta_f and constant afterwards.
     */
    public static Schedule cosine(double eta, long totalSteps, double etaFinal) {
        String o = "schedule 'cosine'";
        return new Cosine(Require.positive(o, "eta", eta), Require.atLeast(o, "total_steps", totalSteps, 1),
                Require.nonNegative(o, "eta_final", etaFinal));
    }

    /**
     * The ReLU toy-net schedule of the sparse-features authors (Q3.5, exactly). With N the total
     * number of iterations (not a warmup length) and K = floor(f * N) (floor of the double product):
     * <ul>
     *   <li>if K = 0 (e.g. f = 0): eta_i = gamma for every i (D is not used);</li>
     *   <li>i &lt; K: eta_i = gamma + (F - 1) * gamma * (i/N)^e, evaluated left to right as
     *       {@code gamma + (F - 1) * gamma * StrictMath.pow((double) i / N, e)};</li>
     *   <li>i = K: the same warmup value divided by D <em>before</em> that iteration's update;</li>
     *   <li>i &gt; K: constant at eta_K.</li>
     * </ul>
     * The peak is about gamma (1 + (F - 1) f^e), reached just before K. STUDIES.md SF4 (gamma = 2e-4,
     * e = 1, F = 400 f) and SF5 (gamma = 0.04, F = 6, e = 0.5, f = 0.5, D = 5, N = 10001: peak 0.181).
     */
    public static Schedule toyWarmupDecay(double gamma, double peakFactor, double exponent, double fraction,
            double decayFactor, long totalSteps) {
        String o = "schedule 'toy-warmup-decay'";
        Require.positive(o, "gamma", gamma);
        Require.positive(o, "peak_factor", peakFactor);
        Require.positive(o, "exponent", exponent);
        Require.unitInterval(o, "fraction", fraction);
        Require.positive(o, "decay_factor", decayFactor);
        Require.atLeast(o, "total_steps", totalSteps, 1);
        return new ToyWarmupDecay(gamma, peakFactor, exponent, fraction, decayFactor, totalSteps,
                (long) Math.floor(fraction * totalSteps));
    }

    /**
     * Part j of {@code parts} from boundaries[j-1] (0 for j = 0) up to boundaries[j], evaluated at
     * its own step count t - boundaries[j-1] (as optax's join_schedules). Boundaries strictly
     * increasing and &gt;= 1; parts.length = boundaries.length + 1.
     */
    public static Schedule join(long[] boundaries, Schedule... parts) {
        String o = "schedule 'join'";
        checkBoundaries(o, boundaries);
        if (parts.length != boundaries.length + 1) {
            throw new IllegalArgumentException(o + ": needs boundaries.length + 1 = " + (boundaries.length + 1)
                    + " parts, got " + parts.length);
        }
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                throw new IllegalArgumentException(o + ": parts[" + i + "] is null");
            }
        }
        return new Join(boundaries.clone(), List.of(parts));
    }

    /**
     * The pointwise product eta_t = part_0(t) * part_1(t) * ... (left to right), all at the same
     * absolute step: e.g. a warmup factor (eta = 1) times a decay schedule.
     */
    public static Schedule product(Schedule... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("schedule 'product': needs at least one part");
        }
        for (int i = 0; i < parts.length; i++) {
            if (parts[i] == null) {
                throw new IllegalArgumentException("schedule 'product': parts[" + i + "] is null");
            }
        }
        return new Product(List.of(parts));
    }

    // ================================================================== registry

    /**
     * A schedule from a spec map: {@code {name: linear-warmup, eta: 0.2, warmup_steps: 100}}; for
     * {@code join} and {@code product} the key {@code parts} holds a list of such maps.
     */
    public static Schedule fromSpec(Map<String, ?> spec) {
        if (spec == null || !(spec.get("name") instanceof String name)) {
            throw new IllegalArgumentException("schedule spec needs a 'name' (one of " + String.join(", ", NAMES)
                    + "), got " + spec);
        }
        Map<String, Object> params = new java.util.LinkedHashMap<>(spec);
        params.remove("name");
        return create(name, params);
    }

    /**
     * A schedule by name with its parameters (see the class table for the keys). Unknown names,
     * unknown or missing keys and bad values are IllegalArgumentExceptions naming the schedule,
     * the key, the value and what is allowed.
     */
    public static Schedule create(String name, Map<String, ?> params) {
        if (name == null) {
            throw new IllegalArgumentException("schedule name is missing; known: " + String.join(", ", NAMES));
        }
        Params p = new Params("schedule '" + name + "'", params);
        switch (name) {
            case "constant":
                p.onlyKnown("eta");
                return constant(p.number("eta", "learning rate > 0"));
            case "linear-warmup":
                p.onlyKnown("eta", "warmup_steps");
                return linearWarmup(p.number("eta", "peak learning rate > 0"),
                        p.integer("warmup_steps", "T_w >= 1; 1 = no warmup"));
            case "linear-ramp":
                p.onlyKnown("eta_start", "eta_end", "ramp_steps");
                return linearRamp(p.number("eta_start", "learning rate at t = 0, >= 0"),
                        p.number("eta_end", "learning rate from t = ramp_steps on, >= 0"),
                        p.integer("ramp_steps", "T_w >= 1"));
            case "power-warmup":
                p.onlyKnown("eta", "warmup_steps", "power");
                return powerWarmup(p.number("eta", "peak learning rate > 0"), p.integer("warmup_steps", "T_w >= 1"),
                        p.number("power", "exponent p > 0"));
            case "exponential-warmup":
                p.onlyKnown("eta_start", "eta", "warmup_steps");
                return exponentialWarmup(p.number("eta_start", "learning rate at t = 0, > 0"),
                        p.number("eta", "learning rate from t = warmup_steps on, > 0"),
                        p.integer("warmup_steps", "T_w >= 1"));
            case "step-decay-after": {
                p.onlyKnown("eta", "decay_factor", "after_step", "fraction", "total_steps");
                double eta = p.number("eta", "learning rate before the decay, > 0");
                double d = p.number("decay_factor", "D > 0; eta becomes eta/D");
                if (p.has("after_step")) {
                    if (p.has("fraction") || p.has("total_steps")) {
                        throw new IllegalArgumentException(p.owner()
                                + ": give either after_step or (fraction, total_steps), not both");
                    }
                    return stepDecayAfter(eta, p.integer("after_step", "t_d >= 0"), d);
                }
                if (!p.has("fraction")) {
                    throw new IllegalArgumentException(p.owner()
                            + ": missing parameter 'after_step' (t_d >= 0) or 'fraction' with 'total_steps'");
                }
                return stepDecayAtFraction(eta, p.number("fraction", "f in [0, 1]; t_d = floor(f N)"),
                        p.integer("total_steps", "N >= 1"), d);
            }
            case "piecewise":
                p.onlyKnown("boundaries", "values");
                return piecewise(p.integers("boundaries", "increasing steps >= 1"),
                        p.numbers("values", "learning rates >= 0, one more than boundaries"));
            case "cosine":
                p.onlyKnown("eta", "total_steps", "eta_final");
                return cosine(p.number("eta", "initial learning rate > 0"), p.integer("total_steps", "T >= 1"),
                        p.number("eta_final", 0.0, "final learning rate >= 0"));
            case "toy-warmup-decay":
                p.onlyKnown("gamma", "peak_factor", "exponent", "fraction", "decay_factor", "total_steps");
                return toyWarmupDecay(p.number("gamma", "base learning rate > 0"),
                        p.number("peak_factor", "F > 0"), p.number("exponent", "e > 0"),
                        p.number("fraction", "f in [0, 1]"), p.number("decay_factor", "D > 0"),
                        p.integer("total_steps", "N = total iterations >= 1"));
            case "milestone-adaptive":
                p.onlyKnown("eta", "milestones", "factor");
                return MilestoneAdaptive.of(p.number("eta", "learning rate before the first milestone, > 0"),
                        p.integers("milestones", "increasing steps >= 1"),
                        p.number("factor", "c_m > 0; eta <- c_m * 2/lambda_1 at each milestone"));
            case "join": {
                p.onlyKnown("boundaries", "parts");
                long[] b = p.integers("boundaries", "increasing steps >= 1");
                return join(b, parts(p).toArray(new Schedule[0]));
            }
            case "product":
                p.onlyKnown("parts");
                return product(parts(p).toArray(new Schedule[0]));
            case "deep-piecewise":
                throw new IllegalArgumentException("schedule 'deep-piecewise' is documentation only "
                        + "(QUANTITIES.md Q16.4); build it from piecewise, exponential-warmup and product");
            default:
                throw new IllegalArgumentException("unknown schedule '" + name + "'; known: "
                        + String.join(", ", NAMES));
        }
    }

    private static List<Schedule> parts(Params p) {
        List<?> raw = p.list("parts", "a list of schedule specs, each a map with a 'name'");
        List<Schedule> out = new ArrayList<>();
        for (int i = 0; i < raw.size(); i++) {
            Object r = raw.get(i);
            out.add(r instanceof Schedule s ? s : fromSpec(Params.asMap(p.owner(), "parts[" + i + "]", r)));
        }
        return out;
    }

    static void checkBoundaries(String owner, long[] boundaries) {
        for (int i = 0; i < boundaries.length; i++) {
            long lo = i == 0 ? 1 : boundaries[i - 1] + 1;
            if (boundaries[i] < lo) {
                throw new IllegalArgumentException(owner + ": boundaries must be strictly increasing and >= 1, got "
                        + Arrays.toString(boundaries));
            }
        }
    }

    /** #{j : boundaries[j] &lt;= t}. */
    static int segment(long[] boundaries, long t) {
        int j = 0;
        while (j < boundaries.length && boundaries[j] <= t) {
            j++;
        }
        return j;
    }

    static String joinDescribe(List<Schedule> parts, Function<Schedule, String> f, String sep) {
        List<String> s = new ArrayList<>();
        for (Schedule p : parts) {
            s.add(f.apply(p));
        }
        return String.join(sep, s);
    }

    // ================================================================== implementations

    record Constant(double eta) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'constant'", step);
            return eta;
        }

        @Override
        public String name() {
            return "constant";
        }

        @Override
        public String describe() {
            return "constant: eta_t = eta, eta=" + Require.num(eta);
        }
    }

    record LinearWarmup(double eta, long warmupSteps) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'linear-warmup'", step);
            return eta * Math.min(1.0, (double) (step + 1) / warmupSteps);
        }

        @Override
        public String name() {
            return "linear-warmup";
        }

        @Override
        public String describe() {
            return "linear-warmup: eta_t = eta*min(1, (t+1)/T_w), eta=" + Require.num(eta) + ", T_w=" + warmupSteps;
        }
    }

    record LinearRamp(double etaStart, double etaEnd, long rampSteps) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'linear-ramp'", step);
            return etaStart + (etaEnd - etaStart) * Math.min(1.0, (double) step / rampSteps);
        }

        @Override
        public String name() {
            return "linear-ramp";
        }

        @Override
        public String describe() {
            return "linear-ramp: eta_t = eta_a + (eta_b - eta_a)*min(1, t/T_w), eta_a=" + Require.num(etaStart)
                    + ", eta_b=" + Require.num(etaEnd) + ", T_w=" + rampSteps;
        }
    }

    record PowerWarmup(double eta, long warmupSteps, double power) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'power-warmup'", step);
            return eta * StrictMath.pow(Math.min(1.0, (double) (step + 1) / warmupSteps), power);
        }

        @Override
        public String name() {
            return "power-warmup";
        }

        @Override
        public String describe() {
            return "power-warmup: eta_t = eta*min(1, (t+1)/T_w)^p, eta=" + Require.num(eta) + ", T_w=" + warmupSteps
                    + ", p=" + Require.num(power);
        }
    }

    record ExponentialWarmup(double etaStart, double eta, long warmupSteps) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'exponential-warmup'", step);
            if (step >= warmupSteps) {
                return eta;
            }
            return etaStart * StrictMath.pow(eta / etaStart, (double) step / warmupSteps);
        }

        @Override
        public String name() {
            return "exponential-warmup";
        }

        @Override
        public String describe() {
            return "exponential-warmup: eta_t = eta_0*(eta/eta_0)^(t/T_w) for t < T_w, then eta; eta_0="
                    + Require.num(etaStart) + ", eta=" + Require.num(eta) + ", T_w=" + warmupSteps;
        }
    }

    record StepDecayAfter(double eta, long afterStep, double decayFactor) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'step-decay-after'", step);
            return step <= afterStep ? eta : eta / decayFactor;
        }

        @Override
        public String name() {
            return "step-decay-after";
        }

        @Override
        public String describe() {
            return "step-decay-after: eta_t = eta for t <= t_d, eta/D after; eta=" + Require.num(eta) + ", t_d="
                    + afterStep + ", D=" + Require.num(decayFactor);
        }
    }

    record Piecewise(long[] boundaries, double[] values) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'piecewise'", step);
            return values[segment(boundaries, step)];
        }

        @Override
        public String name() {
            return "piecewise";
        }

        @Override
        public String describe() {
            StringBuilder sb = new StringBuilder("piecewise: eta_t = ").append(Require.num(values[0]));
            for (int i = 0; i < boundaries.length; i++) {
                sb.append(", from t=").append(boundaries[i]).append(' ').append(Require.num(values[i + 1]));
            }
            return sb.toString();
        }
    }

    record Cosine(double eta, long totalSteps, double etaFinal) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'cosine'", step);
            double x = (double) Math.min(step, totalSteps) / totalSteps;
            return etaFinal + (eta - etaFinal) * ((1 + StrictMath.cos(Math.PI * x)) / 2);
        }

        @Override
        public String name() {
            return "cosine";
        }

        @Override
        public String describe() {
            return "cosine: eta_t = eta_f + (eta - eta_f)*(1 + cos(pi*min(t,T)/T))/2, eta=" + Require.num(eta)
                    + ", T=" + totalSteps + ", eta_f=" + Require.num(etaFinal);
        }
    }

    record ToyWarmupDecay(double gamma, double peakFactor, double exponent, double fraction, double decayFactor,
            long totalSteps, long decayStep) implements Schedule {

        private double warm(long i) {
            return gamma + (peakFactor - 1) * gamma * StrictMath.pow((double) i / totalSteps, exponent);
        }

        @Override
        public double lr(long step) {
            Require.step("schedule 'toy-warmup-decay'", step);
            if (decayStep == 0) {
                return gamma;
            }
            if (step < decayStep) {
                return warm(step);
            }
            return warm(decayStep) / decayFactor;
        }

        @Override
        public String name() {
            return "toy-warmup-decay";
        }

        @Override
        public String describe() {
            double peak = gamma * (1 + (peakFactor - 1) * StrictMath.pow(fraction, exponent));
            return "toy-warmup-decay: eta_i = gamma + (F-1)*gamma*(i/N)^e for i < K = floor(f*N), eta_K = that/D, "
                    + "constant after (constant gamma if K = 0); gamma=" + Require.num(gamma) + ", F="
                    + Require.num(peakFactor) + ", e=" + Require.num(exponent) + ", f=" + Require.num(fraction)
                    + ", D=" + Require.num(decayFactor) + ", N=" + totalSteps + ", K=" + decayStep + ", peak~"
                    + Require.num(peak);
        }
    }

    record Join(long[] boundaries, List<Schedule> parts) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'join'", step);
            int j = segment(boundaries, step);
            long start = j == 0 ? 0 : boundaries[j - 1];
            return parts.get(j).lr(step - start);
        }

        @Override
        public String name() {
            return "join";
        }

        @Override
        public String describe() {
            StringBuilder sb = new StringBuilder("join: [").append(parts.get(0).describe()).append(']');
            for (int i = 0; i < boundaries.length; i++) {
                sb.append(" then from t=").append(boundaries[i]).append(" (counting from 0) [")
                        .append(parts.get(i + 1).describe()).append(']');
            }
            return sb.toString();
        }
    }

    record Product(List<Schedule> parts) implements Schedule {
        @Override
        public double lr(long step) {
            Require.step("schedule 'product'", step);
            double v = parts.get(0).lr(step);
            for (int i = 1; i < parts.size(); i++) {
                v = v * parts.get(i).lr(step);
            }
            return v;
        }

        @Override
        public String name() {
            return "product";
        }

        @Override
        public String describe() {
            return "product: " + joinDescribe(parts, s -> "[" + s.describe() + "]", " * ");
        }
    }
}
