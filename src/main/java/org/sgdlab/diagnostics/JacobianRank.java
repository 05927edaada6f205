package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.linalg.Svd;
import org.sgdlab.nn.DiagonalLinearNet;
import org.sgdlab.nn.Model;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Numerical rank of the Jacobian of the network outputs on evaluation points (QUANTITIES.md Q16.3;
 * authors' code {@code fc_nets.py} {@code compute_grad_matrix_ranks}):
 *
 * <pre>  J = [grad_theta f_a(x_i; theta)]_{(i, a)}  [n_eval k, p],   rank = #{i : sigma_i(J) / sigma_1(J) &gt; tol}</pre>
 *
 * with tol = 1e-4 by default. Rows are sample-major (Q1). Evaluation points ({@code points}):
 * <ul>
 *   <li>{@code test} (default): X_test[:count], count = p by default (the square p x p matrix of the
 *       teacher-student tasks, STUDIES.md §7.5: X_test[:181]);</li>
 *   <li>{@code train}: X_train[:count];</li>
 *   <li>{@code grid}: count evenly spaced points {@code min X + (max X - min X) i/(count - 1)} of the
 *       training inputs (one-dimensional inputs only; the 1-D task of §7.4: 300 points);</li>
 *   <li>{@code uniform}: count points with each coordinate i.i.d. uniform in [min, max] of that training
 *       input coordinate, drawn from the {@code probes} stream (fresh points at every measurement).</li>
 * </ul>
 * The Jacobian is assembled from one VJP per row (chunks of {@value #CHUNK} points), counted in {@code vjps}.
 *
 * <p><b>Diagonal linear networks</b> ({@link DiagonalLinearNet}, beta = u ⊙ v): the matrix is the closed form
 * {@code [X_e diag(u), X_e diag(v)]} (Q16.3; a column permutation of the autodiff Jacobian
 * {@code [X_e diag(v), X_e diag(u)]}, same singular values), X_e = X_test[:2d] by default, tolerance 1e-15
 * (the toolkit reading of the authors' threshold). The two columns of coordinate j are collinear, so the
 * rank is about {@code #{j : (u_j, v_j) not negligible}}. For every DLN the result also holds
 * {@code beta_l0} = {@code ||beta||_0 = #{j : |beta_j| > tau}} (tau = 1e-3 in the sparse-features study; the
 * authors' notebooks use 1e-50); NaN for other models.
 *
 * <p>Summary of the spectrum: sigma_max = sigma_1, {@code sigma_rank} = sigma_r (the smallest one counted),
 * {@code sigma_next} = sigma_{r+1} (the largest one not counted; NaN if none), sigma_min = the smallest.
 * A non-finite Jacobian gives rank -1 and {@code converged = false}.
 *
 * <p>Paper: Andriushchenko et al., "SGD with Large Step Sizes Learns Sparse Features", ICML 2023.
 */
public final class JacobianRank implements Diagnostic<JacobianRank.Result> {

    public static final String NAME = "jacobian_rank";

    /** Default relative tolerance sigma_i / sigma_1 (Q16.3). */
    public static final double DEFAULT_TOL = 1e-4;
    /** Default relative tolerance for diagonal linear networks (Q16.3). */
    public static final double DLN_TOL = 1e-15;
    /** Default tau of {@code ||u ⊙ v||_0} (STUDIES.md §7). */
    public static final double DEFAULT_TAU = 1e-3;

    static final int CHUNK = 16;

    private static final List<String> POINTS = List.of("test", "train", "grid", "uniform");

    /**
     * Configuration.
     *
     * @param points {@code test} (default), {@code train}, {@code grid} or {@code uniform}
     * @param count number of points: -1 (default; run-spec {@code "num_params"}) = p, 0 = the whole set
     *        (test/train only)
     * @param threshold relative tolerance; NaN (default) = 1e-15 for a diagonal linear network, else 1e-4
     * @param tau threshold of {@code beta_l0} (default 1e-3)
     */
    public record Config(String points, int count, double threshold, double tau) {

        public Config {
            if (!POINTS.contains(points)) {
                throw new IllegalArgumentException("diagnostics." + NAME + ".points: unknown value '" + points
                        + "'; allowed: " + String.join(", ", POINTS));
            }
            if (count < -1 || (count == 0 && (points.equals("grid") || points.equals("uniform")))) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".count", count,
                        points.equals("grid") || points.equals("uniform") ? ">= 1 or num_params for points " + points
                                : ">= 0 (0 = all) or num_params");
            }
            if (!Double.isNaN(threshold) && !(threshold >= 0 && threshold < 1)) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".threshold", threshold, "in [0, 1)");
            }
            if (!(tau >= 0) || !Double.isFinite(tau)) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".tau", tau, "finite and >= 0");
            }
        }

        /** X_test[:p], tolerance 1e-4 (1e-15 for a DLN), tau 1e-3. */
        public static Config defaults() {
            return new Config("test", FeatureRanks.NUM_PARAMS, Double.NaN, DEFAULT_TAU);
        }

        public Config withPoints(String pts, int c) {
            return new Config(pts, c, threshold, tau);
        }

        public Config withThreshold(double t) {
            return new Config(points, count, t, tau);
        }

        public Config withTau(double t) {
            return new Config(points, count, threshold, t);
        }
    }

    /** The measurement. */
    public record Result(String points, int numPoints, int numParams, int rows, double threshold, int rank,
                         double sigmaMax, double sigmaRank, double sigmaNext, double sigmaMin, double betaL0,
                         boolean converged, long vjps, double seconds) {
    }

    /** The rank and the spectrum summary of one matrix. */
    public record Rank(int rank, double sigmaMax, double sigmaRank, double sigmaNext, double sigmaMin,
                       boolean finite) {
    }

    private final Config config;

    public JacobianRank(Config config) {
        this.config = config;
    }

    /**
     * From run-spec parameters: {@code points} (test | train | grid | uniform), {@code count} (integer or
     * "num_params"), {@code threshold}, {@code tau}.
     */
    public static JacobianRank fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown("points", "count", "threshold", "tau");
        return new JacobianRank(new Config(p.choice("points", "test", POINTS),
                FeatureRanks.readCount(p, "count", FeatureRanks.NUM_PARAMS), p.number("threshold", Double.NaN),
                p.number("tau", DEFAULT_TAU, 0, Double.MAX_VALUE)));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        Model model = problem.model();
        Tensor theta = probe.theta().detach();
        Tensor xe = points(probe);
        boolean dln = model instanceof DiagonalLinearNet;
        double tol = Double.isNaN(config.threshold()) ? (dln ? DLN_TOL : DEFAULT_TOL) : config.threshold();
        Tensor j;
        long vjps = 0;
        if (dln && ((DiagonalLinearNet) model).variant() == DiagonalLinearNet.Variant.PRODUCT) {
            j = dlnMatrix(xe, model.layout().view(theta, "u"), model.layout().view(theta, "v"));
        } else {
            j = jacobian(model, theta, xe);
            vjps = j.dim(0);
        }
        Rank r = rank(Svd.singularValues(j), tol);
        double betaL0 = Double.NaN;
        if (dln) {
            betaL0 = l0(((DiagonalLinearNet) model).beta(theta), config.tau());
        }
        return new Result(config.points(), xe.dim(0), theta.size(), j.dim(0), tol, r.rank(), r.sigmaMax(),
                r.sigmaRank(), r.sigmaNext(), r.sigmaMin(), betaL0, r.finite(), vjps, (System.nanoTime() - t0) / 1e9);
    }

    /** The evaluation points of the configuration at this probe. */
    Tensor points(Probe probe) {
        Problem problem = probe.problem();
        int p = problem.model().numParams();
        switch (config.points()) {
            case "test":
            case "train":
                return FeatureRanks.inputs(problem, config.points(), config.count(), NAME).x();
            default: {
                Tensor x = problem.train().x();
                if (x.rank() != 2) {
                    throw new IllegalArgumentException("diagnostics." + NAME + ".points: " + config.points()
                            + " needs inputs [n, d], got " + Arrays.toString(x.shape()));
                }
                int c = config.count() == FeatureRanks.NUM_PARAMS ? p : config.count();
                if (config.points().equals("grid")) {
                    if (x.dim(1) != 1) {
                        throw new IllegalArgumentException("diagnostics." + NAME + ".points: grid needs one-dimensional "
                                + "inputs [n, 1], got " + Arrays.toString(x.shape()) + "; use uniform");
                    }
                    return grid(x, c);
                }
                return uniform(x, c, probe.rng(Rng.PROBES, NAME));
            }
        }
    }

    // ------------------------------------------------------------------ formulas

    /**
     * The Jacobian {@code [n k, p]} of {@code theta -> model.apply(theta, x)} (rows sample-major), one VJP
     * per row, in chunks of {@value #CHUNK} points.
     */
    public static Tensor jacobian(Model model, Tensor theta, Tensor x) {
        int n = x.dim(0);
        Tensor th = theta.detach();
        List<Tensor> parts = new ArrayList<>();
        for (int lo = 0; lo < n; lo += CHUNK) {
            Tensor xc = x.slice(0, lo, Math.min(n, lo + CHUNK));
            parts.add(Autodiff.jacobian(t -> model.apply(t, xc).reshape(-1), th));     // [c k, p]
        }
        if (parts.isEmpty()) {
            return Tensor.zeros(0, th.size());
        }
        return parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
    }

    /** The DLN matrix {@code [X_e diag(u), X_e diag(v)]}, {@code [n, 2d]}. */
    public static Tensor dlnMatrix(Tensor xe, Tensor u, Tensor v) {
        if (xe.rank() != 2 || u.rank() != 1 || v.rank() != 1 || u.size() != xe.dim(1) || v.size() != xe.dim(1)) {
            throw new IllegalArgumentException("JacobianRank.dlnMatrix: shapes X " + Arrays.toString(xe.shape()) + ", u "
                    + Arrays.toString(u.shape()) + ", v " + Arrays.toString(v.shape()) + "; expected [n, d], [d], [d]");
        }
        return Tensor.concat(1, xe.mul(u), xe.mul(v));          // [n, d] * [d] twice -> [n, 2d]
    }

    /** {@code #{j : |beta_j| > tau}}. */
    public static int l0(Tensor beta, double tau) {
        int c = 0;
        for (int i = 0; i < beta.size(); i++) {
            if (Math.abs(beta.flat(i)) > tau) {
                c++;
            }
        }
        return c;
    }

    /** {@code ||u ⊙ v||_0 = #{j : |u_j v_j| > tau}}. */
    public static int l0(Tensor u, Tensor v, double tau) {
        return l0(u.mul(v), tau);
    }

    /** The numerical rank {@code #{i : sigma_i / sigma_1 > tol}} of descending singular values and a summary. */
    public static Rank rank(double[] sigma, double tol) {
        int n = sigma.length;
        boolean finite = true;
        for (double s : sigma) {
            finite &= Double.isFinite(s);
        }
        if (!finite) {
            return new Rank(-1, Double.NaN, Double.NaN, Double.NaN, Double.NaN, false);
        }
        if (n == 0) {
            return new Rank(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, true);
        }
        int r = 0;
        if (sigma[0] > 0) {
            for (double s : sigma) {
                if (s / sigma[0] > tol) {
                    r++;
                }
            }
        }
        return new Rank(r, sigma[0], r > 0 ? sigma[r - 1] : Double.NaN, r < n ? sigma[r] : Double.NaN, sigma[n - 1],
                true);
    }

    /** {@code count} evenly spaced points from min to max of the one-column {@code x [n, 1]}, {@code [count, 1]}. */
    static Tensor grid(Tensor x, int count) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < x.size(); i++) {
            lo = Math.min(lo, x.flat(i));
            hi = Math.max(hi, x.flat(i));
        }
        double[] g = new double[count];
        for (int i = 0; i < count; i++) {
            g[i] = count == 1 ? lo : (i == count - 1 ? hi : lo + (hi - lo) * i / (count - 1));
        }
        return Tensor.of(g, count, 1);
    }

    /** {@code count} points, coordinate c i.i.d. U[min x_c, max x_c], drawn row by row. */
    static Tensor uniform(Tensor x, int count, RandomGenerator rng) {
        int n = x.dim(0);
        int d = x.dim(1);
        double[] lo = new double[d];
        double[] hi = new double[d];
        Arrays.fill(lo, Double.POSITIVE_INFINITY);
        Arrays.fill(hi, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < d; c++) {
                double v = x.flat(i * d + c);
                lo[c] = Math.min(lo[c], v);
                hi[c] = Math.max(hi[c], v);
            }
        }
        double[] out = new double[count * d];
        for (int i = 0; i < count; i++) {
            for (int c = 0; c < d; c++) {
                out[i * d + c] = lo[c] + (hi[c] - lo[c]) * rng.nextDouble();
            }
        }
        return Tensor.of(out, count, d);
    }
}
