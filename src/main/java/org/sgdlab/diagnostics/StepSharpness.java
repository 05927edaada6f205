package org.sgdlab.diagnostics;

import java.util.Map;
import org.sgdlab.data.Dataset;
import org.sgdlab.tensor.Tensor;

/**
 * Step sharpness {@code g_{B_t}^T H_{B_t} g_{B_t} / ||g_{B_t}||^2} on the batch B_t that update t actually
 * uses (QUANTITIES.md Q7.1; Andreyev &amp; Beneventano, "Edge of Stochastic Stability", arXiv 2412.20553; the
 * authors' {@code compute_grad_H_grad}, flag {@code --step-sharpness}): the Rayleigh quotient of the current
 * batch's Hessian along the current batch's gradient; batch sharpness (Q7.2) is its expectation over batches.
 * One gradient and one exact HVP. A zero gradient gives NaN with {@code skipped = true}.
 */
public final class StepSharpness implements Diagnostic<StepSharpness.Result> {

    /** The registry name. */
    public static final String NAME = "step_sharpness";

    /**
     * {@code stepSharpness}; {@code gradNormSq} = {@code ||g_{B_t}||^2}; {@code skipped} (zero gradient);
     * {@code batchSize} = |B_t|; {@code threshold} (Q3.6) and {@code stepSharpnessRatio} = stepSharpness /
     * threshold; {@code hvps}; {@code seconds}.
     */
    public record Result(double stepSharpness, double gradNormSq, boolean skipped, int batchSize, double threshold,
                         double stepSharpnessRatio, long hvps, double seconds) {
    }

    public StepSharpness() {
    }

    /** From a run spec's params: none are accepted. */
    public static StepSharpness fromParams(Map<String, Object> params) {
        DiagnosticParams.of(NAME, params).requireKnown();
        return new StepSharpness();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        int[] idx = probe.batch();
        if (idx.length == 0) {
            throw new IllegalArgumentException("diagnostics." + NAME + ": the probe's training batch is empty");
        }
        Dataset batch = problem.train().batch(idx);
        Tensor theta = probe.theta();
        Tensor g = problem.valueAndGrad(theta, batch).grad();
        double y = g.dotValue(g);
        double s = Double.NaN;
        long hvps = 0;
        if (y != 0.0) {
            s = g.dotValue(problem.hvp(theta, batch, g)) / y;
            hvps = 1;
        }
        double thr = probe.threshold();
        return new Result(s, y, y == 0.0, idx.length, thr, s / thr, hvps, (System.nanoTime() - t0) * 1e-9);
    }
}
