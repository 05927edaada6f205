package org.sgdlab.studies;

import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.experiment.Stateful;
import org.sgdlab.tensor.Tensor;

/**
 * Keeps theta_t in memory at its scheduled steps, for the {@code eos} study's edge-test forks (theta of
 * E-0.2 at step 1500) and the gradient-flow comparison (theta_GD(tau / eta), Q6.4). The logged record
 * is only ||theta_t||, so the run directory stays small. One instance per run.
 */
final class EosSnapshot implements Diagnostic<EosSnapshot.Result>, Stateful {

    static final String NAME = "theta_snapshot";

    /** {@code paramNorm} = ||theta_t||. */
    record Result(double paramNorm) {
    }

    private final Map<Long, Tensor> thetas = new ConcurrentSkipListMap<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Result measure(Probe probe) {
        Tensor th = probe.theta().detach();
        thetas.put(probe.step(), th);
        return new Result(th.norm());
    }

    /** theta at {@code step}; fails naming the captured steps when it was not captured. */
    Tensor at(long step) {
        Tensor t = thetas.get(step);
        if (t == null) {
            throw new IllegalStateException("theta_snapshot: step " + step + " was not captured (captured "
                    + thetas.size() + " steps)");
        }
        return t;
    }

    /** The captured thetas, by step. */
    record Captured(long[] steps, Tensor[] thetas) {
    }

    @Override
    public Record state() {
        long[] steps = thetas.keySet().stream().mapToLong(Long::longValue).toArray();
        Tensor[] ts = new Tensor[steps.length];
        for (int i = 0; i < steps.length; i++) {
            ts[i] = thetas.get(steps[i]);
        }
        return new Captured(steps, ts);
    }

    @Override
    public void restore(Record state) {
        Captured c = (Captured) state;
        thetas.clear();
        for (int i = 0; i < c.steps().length; i++) {
            thetas.put(c.steps()[i], c.thetas()[i]);
        }
    }

    /** theta at {@code step}, or null. */
    Tensor get(long step) {
        return thetas.get(step);
    }
}
