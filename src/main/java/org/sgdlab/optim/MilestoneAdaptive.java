package org.sgdlab.optim;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code milestone-adaptive} schedule (QUANTITIES.md Q3.5; STUDIES.md §3.3, catapult-gd P1-B):
 * eta_t = eta_0 before the first milestone; at milestone t_j the value is set from outside to
 * eta_j = c_m * 2/lambda_1(K(theta_{t_j})) and held until the next milestone.
 *
 * <p>This class is only the hook: it computes no curvature. It is immutable; the training loop,
 * at step t_j and before update t_j, measures lambda_1 and replaces its schedule (and optimizer,
 * via {@link Optimizer#withSchedule}) by {@link #withCurvature withCurvature(t_j, lambda_1)}.
 * Asking for eta_t at or after a milestone whose value was not set is an IllegalStateException,
 * so a loop that forgets the hook fails loudly instead of silently keeping eta_0.
 *
 * <p>The value is evaluated as {@code factor * 2.0 / lambda1}, i.e. (c_m * 2)/lambda_1 with one
 * rounding. {@link #setValues()} and {@link #withValue} export and re-import the set values for
 * checkpoints.
 */
public final class MilestoneAdaptive implements Schedule {

    private static final String OWNER = "schedule 'milestone-adaptive'";

    private final double eta0;
    private final long[] milestones;
    private final double factor;
    private final double[] values; // NaN = not yet set

    private MilestoneAdaptive(double eta0, long[] milestones, double factor, double[] values) {
        this.eta0 = eta0;
        this.milestones = milestones;
        this.factor = factor;
        this.values = values;
    }

    /** eta_0 before the first milestone, milestones strictly increasing and &gt;= 1, c_m &gt; 0. */
    public static MilestoneAdaptive of(double eta0, long[] milestones, double factor) {
        Require.positive(OWNER, "eta", eta0);
        Require.positive(OWNER, "factor", factor);
        Schedules.checkBoundaries(OWNER, milestones);
        double[] v = new double[milestones.length];
        Arrays.fill(v, Double.NaN);
        return new MilestoneAdaptive(eta0, milestones.clone(), factor, v);
    }

    /** A copy whose value from milestone {@code step} on is c_m * 2/lambda1 (lambda1 finite and &gt; 0). */
    public MilestoneAdaptive withCurvature(long step, double lambda1) {
        Require.positive(OWNER, "lambda_1 at milestone " + step, lambda1);
        return withValue(step, factor * 2.0 / lambda1);
    }

    /** A copy whose value from milestone {@code step} on is {@code eta} (for checkpoint import). */
    public MilestoneAdaptive withValue(long step, double eta) {
        int j = Arrays.binarySearch(milestones, step);
        if (j < 0) {
            throw new IllegalArgumentException(OWNER + ": step " + step + " is not a milestone; milestones: "
                    + Arrays.toString(milestones));
        }
        Require.positive(OWNER, "eta at milestone " + step, eta);
        double[] v = values.clone();
        v[j] = eta;
        return new MilestoneAdaptive(eta0, milestones, factor, v);
    }

    /** Whether the loop must set a value at this step (before its update). */
    public boolean isMilestone(long step) {
        return Arrays.binarySearch(milestones, step) >= 0;
    }

    public long[] milestones() {
        return milestones.clone();
    }

    public double factor() {
        return factor;
    }

    public double initialEta() {
        return eta0;
    }

    /** The values set so far, milestone -&gt; eta, in milestone order. */
    public Map<Long, Double> setValues() {
        Map<Long, Double> out = new LinkedHashMap<>();
        for (int j = 0; j < milestones.length; j++) {
            if (!Double.isNaN(values[j])) {
                out.put(milestones[j], values[j]);
            }
        }
        return out;
    }

    @Override
    public double lr(long step) {
        Require.step(OWNER, step);
        int j = Schedules.segment(milestones, step);
        if (j == 0) {
            return eta0;
        }
        double v = values[j - 1];
        if (Double.isNaN(v)) {
            throw new IllegalStateException(OWNER + ": the value at milestone " + milestones[j - 1]
                    + " was not set (needed for step " + step + "); call withCurvature(" + milestones[j - 1]
                    + ", lambda_1) at that step");
        }
        return v;
    }

    @Override
    public String name() {
        return "milestone-adaptive";
    }

    @Override
    public String describe() {
        return "milestone-adaptive: eta_t = eta_0 before the first milestone, eta <- c_m*2/lambda_1 at milestones "
                + Arrays.toString(milestones) + ", eta_0=" + Require.num(eta0) + ", c_m=" + Require.num(factor);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MilestoneAdaptive m && Double.compare(eta0, m.eta0) == 0 && Double.compare(factor,
                m.factor) == 0 && Arrays.equals(milestones, m.milestones) && Arrays.equals(values, m.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(milestones) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return describe() + ", set " + setValues();
    }
}
