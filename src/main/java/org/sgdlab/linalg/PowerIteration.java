package org.sgdlab.linalg;

import java.util.Locale;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Power iteration for the <b>largest-magnitude</b> eigenpair of a symmetric operator (QUANTITIES.md Q5.2,
 * option k = 1): {@code w = A v}, {@code lambda = v^T w}, stop when {@code ||w - lambda v|| <= tol |lambda|},
 * else {@code v <- w / ||w||}; at most {@code maxIterations} applications.
 *
 * <p>It converges to the eigenvalue of largest {@code |lambda|}, which may be negative: then
 * {@code negative = true} flags that the result is not {@code lambda_max}. This is why {@link Lanczos}
 * (largest algebraic) is the default sharpness solver and power iteration serves for cross-checks. With
 * {@code lambda} and {@code -lambda} both extreme it does not converge ({@code converged = false}).
 * The residual is explicit (computed from the same application). Convergence is linear with rate
 * {@code |lambda_2 / lambda_1|}.
 */
public final class PowerIteration {

    private PowerIteration() {
    }

    /** Relative tolerance {@code tol >= 0} (default 1e-6) and {@code maxIterations >= 1} (default 1000). */
    public record Config(double tol, int maxIterations) {
        public static final Config DEFAULT = new Config(1e-6, 1000);

        public Config {
            if (!(tol >= 0) || Double.isInfinite(tol)) {
                throw new IllegalArgumentException("PowerIteration: tol must be finite and >= 0, got " + tol);
            }
            if (maxIterations < 1) {
                throw new IllegalArgumentException("PowerIteration: maxIterations must be >= 1, got " + maxIterations);
            }
        }
    }

    /**
     * The eigenpair: {@code eigenvalue = v^T A v}, unit {@code eigenvector} v, explicit {@code residual}
     * {@code ||A v - lambda v||}, {@code converged}, {@code negative} ({@code lambda < 0}: the largest
     * magnitude is a negative eigenvalue), {@code iterations} (= {@code applications}), {@code seconds}.
     */
    public record Result(double eigenvalue, Tensor eigenvector, double residual, boolean converged, boolean negative,
                         int iterations, long applications, double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "PowerIteration.Result[eigenvalue=%s, residual=%s, converged=%s, "
                    + "negative=%s, iterations=%d]", eigenvalue, residual, converged, negative, iterations);
        }
    }

    /** Power iteration from a random unit start (drawn from {@code rng}), default config. */
    public static Result run(LinearOperator a, RandomGenerator rng) {
        return run(a, Config.DEFAULT, rng, null);
    }

    /**
     * Power iteration from {@code start} (shape [p], e.g. the gradient) or, when it is null, zero or
     * non-finite, from a random unit vector drawn from {@code rng}.
     */
    public static Result run(LinearOperator a, Config config, RandomGenerator rng, Tensor start) {
        if (a == null || config == null || rng == null) {
            throw new IllegalArgumentException("PowerIteration.run: operator, config and rng must be non-null");
        }
        int p = a.dim();
        if (start != null) {
            Operators.requireVector("PowerIteration.run", "start", start, p);
        }
        long t0 = System.nanoTime();
        CountingOperator op = a.counting();
        double[] v = start == null ? null : start.toArray();
        double n0 = v == null ? 0 : Vec.norm(v);
        if (v == null || !(n0 > 0) || !Double.isFinite(n0)) {
            v = Vec.randomUnit(rng, p);
        } else {
            Vec.scale(v, 1.0 / n0);
        }
        double lambda = Double.NaN;
        double residual = Double.NaN;
        boolean converged = false;
        int it = 0;
        while (it < config.maxIterations()) {
            double[] w = op.apply(Tensor.vector(v)).toArray();
            it++;
            if (!Vec.finite(w)) {
                lambda = Double.NaN;
                residual = Double.NaN;
                break;
            }
            lambda = Vec.dot(v, w);
            double nw = Vec.norm(w);
            double[] r = w.clone();
            Vec.axpy(-lambda, v, r);
            residual = Vec.norm(r);
            if (residual <= config.tol() * Math.abs(lambda) || nw == 0) {
                converged = true;                       // nw == 0: v is in the null space, lambda = 0 exactly
                break;
            }
            if (it == config.maxIterations()) {
                break;                                  // keep the v that lambda and residual belong to
            }
            Vec.scale(w, 1.0 / nw);
            v = w;
        }
        return new Result(lambda, Tensor.vector(v), residual, converged, lambda < 0, it, op.applications(),
                (System.nanoTime() - t0) * 1e-9);
    }
}
