package org.sgdlab.linalg;

import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Hutchinson's trace estimator with Rademacher probes (QUANTITIES.md Q8.1):
 * {@code tr A ≈ (1/M) sum_j z_j^T A z_j}, {@code z_j} with independent entries {@code ±1} (probability
 * 1/2 each), standard error {@code SE = sd / sqrt(M)} with the sample standard deviation
 * {@code sd^2 = sum_j (s_j - mean)^2 / (M - 1)}. Unbiased: {@code E[z z^T] = I}. Its variance is
 * {@code 2 (||A||_F^2 - sum_i A_ii^2)}, so it is exact on diagonal operators.
 *
 * <p>Adaptive mode (Q8.1): add probes until {@code SE <= relTol |mean|} after at least {@code minProbes}
 * probes, at most {@code maxProbes} (defaults 20, 256, 0.01, as the EoSS code's {@code --hessian-trace}).
 * Reference: Hutchinson, "A stochastic estimator of the trace of the influence matrix for Laplacian
 * smoothing splines", Commun. Statist. Simul. Comput. 18(3), 1989. Probes come from {@code rng} (the
 * {@code probes} stream), one {@code nextBoolean()} per entry in index order ({@link #rademacher}).
 * {@link #exact} is the exact trace from p applications, which Q8.1 prescribes for {@code p <= 500}
 * ({@link #auto} chooses).
 */
public final class Hutchinson {

    private Hutchinson() {
    }

    /** Adaptive stopping rule: {@code 2 <= minProbes <= maxProbes}, {@code relTol >= 0}. */
    public record Config(int minProbes, int maxProbes, double relTol) {
        /** Q8.1: at least 20 probes, at most 256, stop at a 1 % relative standard error. */
        public static final Config DEFAULT = new Config(20, 256, 0.01);

        public Config {
            if (minProbes < 2) {
                throw new IllegalArgumentException("Hutchinson: minProbes must be >= 2 (a standard error needs two"
                        + " samples), got " + minProbes);
            }
            if (maxProbes < minProbes) {
                throw new IllegalArgumentException("Hutchinson: maxProbes must be >= minProbes = " + minProbes
                        + ", got " + maxProbes);
            }
            if (!(relTol >= 0) || Double.isInfinite(relTol)) {
                throw new IllegalArgumentException("Hutchinson: relTol must be finite and >= 0, got " + relTol);
            }
        }
    }

    /**
     * The estimate (sample mean), its {@code standardError}, the number of {@code probes} used, the
     * per-probe {@code samples} {@code z_j^T A z_j}, {@code converged} (adaptive: the relative-SE target was
     * met; fixed count: every sample was finite), operator {@code applications} (= probes), {@code seconds}.
     * A non-finite sample stops the estimator with NaN estimate and {@code converged = false}.
     */
    public record Result(double estimate, double standardError, int probes, double[] samples, boolean converged,
                         long applications, double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Hutchinson.Result[estimate=%s, standardError=%s, probes=%d, "
                    + "converged=%s]", estimate, standardError, probes, converged);
        }
    }

    /** A Rademacher vector {@code [p]}: entry i is {@code rng.nextBoolean() ? 1 : -1}, i = 0..p-1. */
    public static Tensor rademacher(RandomGenerator rng, int p) {
        return Tensor.vector(rademacherArray(rng, p));
    }

    static double[] rademacherArray(RandomGenerator rng, int p) {
        double[] z = new double[p];
        for (int i = 0; i < p; i++) {
            z[i] = rng.nextBoolean() ? 1.0 : -1.0;
        }
        return z;
    }

    /** Operator dimension up to which {@link #auto} computes the exact trace (Q8.1). */
    public static final int EXACT_MAX_DIM = 500;

    /**
     * Q8.1's automatic choice: {@link #exact} when {@code p <= 500}, else {@link #adaptive} with the
     * default rule.
     */
    public static Result auto(LinearOperator a, RandomGenerator rng) {
        if (a != null && a.dim() <= EXACT_MAX_DIM) {
            return exact(a);
        }
        return adaptive(a, rng);
    }

    /**
     * Exact trace {@code sum_i e_i^T A e_i} from p applications (Q8.1, p <= 500): {@code samples} are the
     * diagonal entries, {@code probes = p}, {@code standardError = 0}; {@code converged} unless an entry is
     * non-finite (then the estimate is NaN).
     */
    public static Result exact(LinearOperator a) {
        if (a == null) {
            throw new IllegalArgumentException("Hutchinson.exact: operator is null");
        }
        long t0 = System.nanoTime();
        CountingOperator op = a.counting();
        int p = a.dim();
        double[] diag = new double[p];
        double sum = 0;
        boolean ok = true;
        for (int i = 0; i < p && ok; i++) {
            double[] e = new double[p];
            e[i] = 1;
            diag[i] = op.apply(Tensor.vector(e)).flat(i);
            ok = Double.isFinite(diag[i]);
            sum += diag[i];
        }
        return new Result(ok ? sum : Double.NaN, ok ? 0.0 : Double.NaN, p, diag, ok, op.applications(),
                (System.nanoTime() - t0) * 1e-9);
    }

    /** Fixed number of probes ({@code >= 2}). */
    public static Result estimate(LinearOperator a, int probes, RandomGenerator rng) {
        if (probes < 2) {
            throw new IllegalArgumentException("Hutchinson.estimate: probes must be >= 2 (a standard error needs two"
                    + " samples), got " + probes);
        }
        return run(a, probes, probes, 0, false, rng);
    }

    /** Adaptive number of probes with the Q8.1 defaults. */
    public static Result adaptive(LinearOperator a, RandomGenerator rng) {
        return adaptive(a, Config.DEFAULT, rng);
    }

    /** Adaptive number of probes: stop when {@code SE <= relTol |mean|} after at least {@code minProbes}. */
    public static Result adaptive(LinearOperator a, Config config, RandomGenerator rng) {
        if (config == null) {
            throw new IllegalArgumentException("Hutchinson.adaptive: config is null");
        }
        return run(a, config.minProbes(), config.maxProbes(), config.relTol(), true, rng);
    }

    private static Result run(LinearOperator a, int minProbes, int maxProbes, double relTol, boolean adaptive,
                              RandomGenerator rng) {
        if (a == null || rng == null) {
            throw new IllegalArgumentException("Hutchinson: operator and rng must be non-null");
        }
        long t0 = System.nanoTime();
        CountingOperator op = a.counting();
        int p = a.dim();
        double[] samples = new double[maxProbes];
        double mean = 0;
        double m2 = 0;                                  // Welford: sum of squared deviations
        int m = 0;
        boolean ok = true;
        boolean reached = false;
        while (m < maxProbes) {
            double[] z = rademacherArray(rng, p);
            double s = Vec.dot(z, op.apply(Tensor.vector(z)).toArray());   // z^T A z
            if (!Double.isFinite(s)) {
                ok = false;
                samples[m++] = s;
                break;
            }
            samples[m++] = s;
            double d = s - mean;
            mean += d / m;
            m2 += d * (s - mean);
            if (adaptive && m >= minProbes && standardError(m2, m) <= relTol * Math.abs(mean)) {
                reached = true;
                break;
            }
        }
        double se = ok ? standardError(m2, m) : Double.NaN;
        return new Result(ok ? mean : Double.NaN, se, m, Arrays.copyOf(samples, m), ok && (!adaptive || reached),
                op.applications(), (System.nanoTime() - t0) * 1e-9);
    }

    private static double standardError(double m2, int m) {
        return m < 2 ? Double.NaN : Math.sqrt(m2 / (m - 1) / m);
    }
}
