package org.sgdlab.diagnostics;

import java.util.Map;
import java.util.SplittableRandom;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.tensor.Tensor;

/**
 * A read-only view of the training state at step t, given to every {@link Diagnostic}: theta_t
 * before update t (QUANTITIES.md Q1, Q4), the problem, the batch B_t the update will use, the
 * optimizer's learning rate and threshold, and named random streams that never touch the training
 * trajectory.
 */
public interface Probe {

    /** The step t: theta() is theta_t, the iterate after t updates. */
    long step();

    /** theta_t (untraced). */
    Tensor theta();

    /** theta_{t-1}, the iterate before the previous update, or null when it is not known (t = 0, or a measurement one step back). */
    default Tensor previousTheta() {
        return null;
    }

    /** theta_0, the initial parameters. */
    Tensor theta0();

    /** The model, loss and data. */
    Problem problem();

    /** Indices of the training batch B_t of update t (all of them for full-batch GD). */
    int[] batch();

    /** b, the training batch size. */
    int batchSize();

    /** eta_t. */
    double lr();

    /** The optimizer's stability threshold at step t (Q3.6). */
    double threshold();

    /** beta of the optimizer (0 without momentum). */
    double beta();

    /** The optimizer's registry name. */
    String optimizer();

    /** The optimizer state before update t. */
    OptimizerState optimizerState();

    /** The full training loss L(theta_t) when it was evaluated at this step, else NaN. */
    double trainLoss();

    /**
     * An independent random stream for {@code diagnostic} at this step:
     * {@code Rng.stream(seed, stream, diagnostic, step)} with stream {@code "probes"} or
     * {@code "lanczos"} (Q0: diagnostics draw only from these).
     */
    SplittableRandom rng(String stream, String diagnostic);

    /**
     * The latest artifacts other diagnostics of this run published (e.g. the sharpness diagnostic
     * publishes its top Hessian eigenvectors under {@code "hessian_eigenvectors"}). Read-only.
     */
    Map<String, Object> shared();
}
