package org.sgdlab.linalg;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * Spectral density of a symmetric operator by stochastic Lanczos quadrature (QUANTITIES.md Q8.2; Ubaru,
 * Chen &amp; Saad, "Fast estimation of tr(f(A)) via stochastic Lanczos quadrature", SIAM J. Matrix Anal.
 * Appl. 38(4), 2017; Ghorbani, Krishnan &amp; Xiao, "An investigation into neural net optimization via
 * Hessian eigenvalue density", ICML 2019).
 *
 * <ol>
 *   <li>For {@code l = 1..n_v} (default 10): a Rademacher vector normalised to {@code v_l}; m Lanczos steps
 *       (default 80) with full re-orthogonalisation from {@code v_l} give {@code T^(l)}.</li>
 *   <li>{@code T^(l) = Y Theta Y^T}: nodes {@code theta_k} (eigenvalues of T), weights
 *       {@code w_k = Y[0, k]^2} (they sum to 1). This is the m-point Gauss quadrature of the spectral
 *       measure {@code mu_v = sum_i (u_i^T v)^2 delta(lambda_i)}: {@code sum_k w_k f(theta_k) = v^T f(A) v}
 *       exactly for every polynomial f of degree {@code < 2m}.</li>
 *   <li>Density {@code phi(t) = (1/n_v) sum_l sum_k w_k^(l) g_sigma(t - theta_k^(l))}, {@code g_sigma} the
 *       unit-mass Gaussian of width {@code sigma = 0.01 (max node - min node)} (if all nodes coincide:
 *       {@code 0.01 max(1, |node|)}, a toolkit choice), on 1000 grid points over
 *       {@code [min node - 5 sigma, max node + 5 sigma]}; phi integrates to 1 (times p: eigenvalue count
 *       density).</li>
 *   <li>Trace estimate {@code p (1/n_v) sum_l sum_k w_k^(l) theta_k^(l)} with its standard error over the
 *       probes (for a Rademacher probe {@code p v^T A v = z^T A z}: the same samples as {@link Hutchinson}).</li>
 * </ol>
 *
 * <p>If a Krylov space becomes invariant before m steps ({@code beta_j <= 1e-12 max |alpha|}), the
 * quadrature stops there: it is then exact for every f (fewer nodes, not a random restart, which would
 * change the measure). m is capped at the dimension p.
 */
public final class Slq {

    private Slq() {
    }

    /**
     * Number of probes {@code n_v >= 1} (default 10), Lanczos steps {@code m >= 1} (default 80), Gaussian
     * width as a fraction of the node range {@code sigmaFraction > 0} (default 0.01), grid size
     * {@code gridPoints >= 2} (default 1000).
     */
    public record Config(int probes, int steps, double sigmaFraction, int gridPoints) {
        /** Q8.2 defaults. */
        public static final Config DEFAULT = new Config(10, 80, 0.01, 1000);

        public Config {
            if (probes < 1) {
                throw new IllegalArgumentException("Slq: probes must be >= 1, got " + probes);
            }
            if (steps < 1) {
                throw new IllegalArgumentException("Slq: steps must be >= 1, got " + steps);
            }
            if (!(sigmaFraction > 0) || Double.isInfinite(sigmaFraction)) {
                throw new IllegalArgumentException("Slq: sigmaFraction must be finite and > 0, got " + sigmaFraction);
            }
            if (gridPoints < 2) {
                throw new IllegalArgumentException("Slq: gridPoints must be >= 2, got " + gridPoints);
            }
        }
    }

    /**
     * Gauss quadrature of one probe: {@code nodes} (eigenvalues of T, descending) and {@code weights}
     * (squared first components, summing to 1); {@code converged = false} when the operator returned a
     * non-finite value or the tridiagonal solver failed (then nodes and weights are empty).
     */
    public record Quadrature(double[] nodes, double[] weights, boolean converged) {
        /** {@code sum_k w_k f(theta_k)}, which equals {@code v^T f(A) v / v^T v} for polynomials of degree {@code < 2m}. */
        public double integrate(java.util.function.DoubleUnaryOperator f) {
            double s = 0;
            for (int k = 0; k < nodes.length; k++) {
                s += weights[k] * f.applyAsDouble(nodes[k]);
            }
            return s;
        }

        @Override
        public String toString() {
            return "Slq.Quadrature[nodes=" + Arrays.toString(nodes) + ", weights=" + Arrays.toString(weights) + "]";
        }
    }

    /**
     * Per-probe {@code quadratures}, the Gaussian width {@code sigma}, the {@code grid} and {@code density}
     * phi on it, the SLQ {@code traceEstimate} and its {@code traceStandardError} (NaN with one probe),
     * {@code converged} (every probe finished), operator {@code applications}, {@code seconds}.
     */
    public record Result(List<Quadrature> quadratures, double sigma, double[] grid, double[] density,
                         double traceEstimate, double traceStandardError, boolean converged, long applications,
                         double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Slq.Result[probes=%d, sigma=%s, traceEstimate=%s, traceStandardError=%s,"
                            + " converged=%s, applications=%d]", quadratures.size(), sigma, traceEstimate,
                    traceStandardError, converged, applications);
        }
    }

    /** The spectral density with the Q8.2 defaults; probes from {@code rng} (the {@code probes} stream). */
    public static Result density(LinearOperator a, RandomGenerator rng) {
        return density(a, Config.DEFAULT, rng);
    }

    /** The spectral density; probes from {@code rng}, one {@link Hutchinson#rademacher} vector per probe. */
    public static Result density(LinearOperator a, Config config, RandomGenerator rng) {
        if (a == null || config == null || rng == null) {
            throw new IllegalArgumentException("Slq.density: operator, config and rng must be non-null");
        }
        long t0 = System.nanoTime();
        CountingOperator op = a.counting();
        int p = a.dim();
        List<Quadrature> quads = new ArrayList<>();
        boolean ok = true;
        for (int l = 0; l < config.probes(); l++) {
            double[] z = Hutchinson.rademacherArray(rng, p);
            Quadrature q = run(op, z, config.steps());
            if (!q.converged()) {
                ok = false;
                break;
            }
            quads.add(q);
        }
        // trace: mean and standard error over probes of p * sum_k w_k theta_k
        int nv = quads.size();
        double mean = 0;
        double m2 = 0;
        for (int l = 0; l < nv; l++) {
            double s = p * quads.get(l).integrate(x -> x);
            double d = s - mean;
            mean += d / (l + 1);
            m2 += d * (s - mean);
        }
        double trace = nv == 0 ? Double.NaN : mean;
        double se = nv < 2 ? Double.NaN : Math.sqrt(m2 / (nv - 1) / nv);

        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Quadrature q : quads) {
            for (double x : q.nodes()) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
        }
        double sigma = Double.NaN;
        double[] grid = new double[0];
        double[] dens = new double[0];
        if (nv > 0) {
            double range = hi - lo;
            sigma = range > 0 ? config.sigmaFraction() * range
                    : config.sigmaFraction() * Math.max(1.0, Math.max(Math.abs(lo), Math.abs(hi)));
            int g = config.gridPoints();
            grid = new double[g];
            dens = new double[g];
            double a0 = lo - 5 * sigma;
            double h = (hi + 5 * sigma - a0) / (g - 1);
            double norm = 1.0 / (nv * sigma * Math.sqrt(2 * Math.PI));
            for (int i = 0; i < g; i++) {
                double t = a0 + i * h;
                grid[i] = t;
                double s = 0;
                for (Quadrature q : quads) {
                    for (int k = 0; k < q.nodes().length; k++) {
                        double u = (t - q.nodes()[k]) / sigma;
                        s += q.weights()[k] * Math.exp(-0.5 * u * u);
                    }
                }
                dens[i] = s * norm;
            }
        }
        return new Result(List.copyOf(quads), sigma, grid, dens, trace, se, ok, op.applications(),
                (System.nanoTime() - t0) * 1e-9);
    }

    /**
     * The Gauss quadrature of the spectral measure of {@code v / ||v||} from {@code steps} Lanczos steps
     * (fewer if the Krylov space becomes invariant; at most the dimension). Costs one application per step.
     */
    public static Quadrature quadrature(LinearOperator a, Tensor v, int steps) {
        if (a == null) {
            throw new IllegalArgumentException("Slq.quadrature: operator is null");
        }
        Operators.requireVector("Slq.quadrature", "start vector", v, a.dim());
        if (steps < 1) {
            throw new IllegalArgumentException("Slq.quadrature: steps must be >= 1, got " + steps);
        }
        double[] x = v.toArray();
        double n = Vec.norm(x);
        if (!(n > 0) || !Double.isFinite(n)) {
            throw new IllegalArgumentException("Slq.quadrature: start vector must be non-zero and finite, norm = " + n);
        }
        return run(a, x, steps);
    }

    private static Quadrature run(LinearOperator a, double[] z, int steps) {
        double[] q1 = z.clone();
        Vec.scale(q1, 1.0 / Vec.norm(q1));
        Krylov kr = new Krylov(a, q1, Math.min(steps, a.dim()));
        while (true) {
            if (!kr.step()) {
                return new Quadrature(new double[0], new double[0], false);
            }
            if (kr.size() >= kr.capacity() || !kr.extend(null)) {
                break;
            }
        }
        SymmetricEigen.Result e = kr.eigenOfT();
        if (!e.converged()) {
            return new Quadrature(new double[0], new double[0], false);
        }
        int m = kr.size();
        double[] w = new double[m];
        for (int k = 0; k < m; k++) {
            double y0 = e.vectors().flat(k);            // Y[0, k]
            w[k] = y0 * y0;
        }
        return new Quadrature(e.values().clone(), w, true);
    }
}
