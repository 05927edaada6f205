package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.sgdlab.diagnostics.CriticalLearningRate;
import org.sgdlab.diagnostics.NtkOperator;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.experiment.Controller;
import org.sgdlab.experiment.Stateful;
import org.sgdlab.optim.MilestoneAdaptive;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Schedule;
import org.sgdlab.tensor.Rng;

/**
 * The {@code milestone-adaptive} schedule of P1-B (QUANTITIES.md Q3.5, STUDIES.md §3.3) as a
 * {@link MilestoneAdaptive} driven by a {@link Controller}:
 *
 * <pre>
 *   eta_t = eta_0 for t &lt; t_1;   at t_j (before update t_j): eta &lt;- c_m * 2 / lambda_1(K-bar(theta_{t_j}))
 * </pre>
 *
 * The wrapper exists because the Trainer asks the optimizer for eta_t (for the metrics row and the probe)
 * before it calls the controller at step t; {@link MilestoneAdaptive} rightly refuses an unset milestone, so
 * at a milestone step whose value the controller has not set yet this schedule answers NaN ("pending"), and
 * the controller replaces it before the update. An unset milestone at any later step still throws.
 */
final class CatapultMilestones implements Schedule {

    private final MilestoneAdaptive inner;

    CatapultMilestones(MilestoneAdaptive inner) {
        if (inner == null) {
            throw new IllegalArgumentException("CatapultMilestones: the milestone-adaptive schedule is null");
        }
        this.inner = inner;
    }

    /** Milestones 200, 400, ..., 200k for k increases (§3.3); k &gt;= 1. */
    static long[] milestones(int k, long every) {
        if (k < 1 || every < 1) {
            throw new IllegalArgumentException("CatapultMilestones: need k >= 1 increases every >= 1 steps, got k = " + k
                    + ", every = " + every);
        }
        long[] m = new long[k];
        for (int j = 0; j < k; j++) {
            m[j] = every * (j + 1);
        }
        return m;
    }

    MilestoneAdaptive inner() {
        return inner;
    }

    CatapultMilestones withCurvature(long step, double lambda1) {
        return new CatapultMilestones(inner.withCurvature(step, lambda1));
    }

    /** Whether step t is a milestone whose value is not yet set. */
    boolean pending(long step) {
        return inner.isMilestone(step) && !inner.setValues().containsKey(step);
    }

    @Override
    public double lr(long step) {
        return pending(step) ? Double.NaN : inner.lr(step);
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public String describe() {
        return inner.describe() + " (set by the run's controller from lambda_1 of the kernel at each milestone)";
    }

    /** One increase: the milestone, lambda_1(K-bar(theta_t)) measured there and the new eta. */
    record Change(long step, double lambda1, double eta) {
    }

    /**
     * The controller of one run: at a pending milestone it measures lambda_1(K-bar(theta_t)) on the training set
     * (the probe's lanczos stream) and sets eta = c_m * 2 / lambda_1. Keeps the changes for the report.
     */
    static final class Control implements Controller, Stateful {

        private final NtkOperator.Solver solver;
        private final List<Change> changes = Collections.synchronizedList(new ArrayList<>());

        Control(NtkOperator.Solver solver) {
            this.solver = solver;
        }

        @Override
        public Optimizer<? extends OptimizerState> adjust(Probe probe, Optimizer<? extends OptimizerState> current) {
            if (!(current.schedule() instanceof CatapultMilestones s) || !s.pending(probe.step())) {
                return current;
            }
            long t = probe.step();
            double lam = CriticalLearningRate.kernelTop(probe.problem(), probe.theta(), probe.problem().train(), solver,
                    probe.rng(Rng.LANCZOS, "milestone_adaptive"));
            if (!(lam > 0) || Double.isInfinite(lam)) {
                throw new IllegalStateException("milestone-adaptive: lambda_1(K-bar) at milestone " + t + " is " + lam
                        + "; cannot set eta = c_m 2/lambda_1 (milestones " + Arrays.toString(s.inner().milestones()) + ")");
            }
            CatapultMilestones next = s.withCurvature(t, lam);
            changes.add(new Change(t, lam, next.lr(t)));
            return current.withSchedule(next);
        }

        List<Change> changes() {
            return List.copyOf(changes);
        }

        /** The learning-rate changes made. */
        record Changes(List<Change> changes) {
        }

        @Override
        public Record state() {
            return new Changes(changes());
        }

        @Override
        public void restore(Record state) {
            changes.clear();
            changes.addAll(((Changes) state).changes());
        }
    }
}
