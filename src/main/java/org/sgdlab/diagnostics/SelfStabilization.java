package org.sgdlab.diagnostics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.linalg.Lanczos;
import org.sgdlab.linalg.LinearOperator;
import org.sgdlab.tensor.Tensor;

/**
 * Self-stabilisation quantities (QUANTITIES.md Q14; Damian, Nichani, Lee, "Self-Stabilization: The Implicit Bias
 * of Gradient Descent at the Edge of Stability", ICLR 2023, arXiv 2209.15594; definitions after the authors'
 * code adamian98/EOS). With {@code S(theta) = lambda_1(H(theta))} and unit top eigenvector u:
 *
 * <pre>  grad S        = grad_theta [u^T H(theta) u] with u held fixed = grad^3 L[u, u]   (exact third-order product)
 *  grad S_perp   = grad S - u (u^T grad S)
 *  alpha         = -grad L^T grad S_perp,   beta_ss = ||grad S_perp||^2,   delta = sqrt(2 alpha / beta_ss)
 *  gamma         = alpha / (||grad L|| ||grad S_perp||),   Newton offset = u^T grad L / S
 *  proxy x_t     = u^T (theta_t - theta_{t-1}) / 2</pre>
 *
 * grad S is {@code Autodiff.grad} of {@code theta -> <u, Autodiff.hvp(L, theta, u)>} (chunked like Q5.1), possible
 * because every gradient rule is differentiable. delta is NaN when {@code alpha <= 0}.
 *
 * <p>u: the diagnostic reads the top eigenvector the sharpness diagnostic publishes under
 * {@code "hessian_eigenvectors"} in {@link Probe#shared()} (a Tensor, a list of Tensors or a Tensor array; the
 * first is used) and accepts it when its explicit residual {@code ||H u - (u^T H u) u||} is at most
 * {@code sharedResidualTol * |u^T H u|}; otherwise (or when absent) it runs Lanczos (Q5.2, dense for p &lt;= 300),
 * warm-started from that vector or from its own previous u. The sign of u is fixed to agree with the previous
 * measurement's u (else its largest-magnitude entry is positive), so x_t is comparable across steps.
 *
 * <p>The proxy needs theta_{t-1}, which {@link Probe} does not expose: the diagnostic remembers the theta of its
 * previous measurement and reports x_t when that was step t - 1 (schedule it every step in the window, and use
 * {@code grad_s_every} to thin the third-order products), NaN otherwise. The constrained trajectory theta-dagger
 * (and so y) is not tracked.
 */
public final class SelfStabilization implements Diagnostic<SelfStabilization.Result> {

    /** Registry name. */
    public static final String NAME = "self_stabilization";

    /** The shared-artifact key of the sharpness diagnostic's eigenvectors. */
    public static final String SHARED_EIGENVECTORS = "hessian_eigenvectors";

    private static final List<String> KEYS = List.of("subset", "subset_size", "grad_s_every", "tol", "max_dim",
            "shared_residual_tol", "use_shared");

    /**
     * Evaluation {@code subset} ({@code all} by default; use the sharpness diagnostic's subset so both see the same
     * L), {@code gradSEvery}: compute grad S only at steps divisible by it (default 1; other fields are measured
     * every call); Lanczos {@code tol} (1e-6) and {@code maxDim} (50); {@code sharedResidualTol} (1e-4) to accept a
     * published eigenvector; {@code useShared} (true).
     */
    public record Config(String subset, int subsetSize, int gradSEvery, double tol, int maxDim,
                         double sharedResidualTol, boolean useShared) {
        public Config {
            Subset.checkNamed(NAME, subset, subsetSize);
            if (gradSEvery < 1) {
                throw new IllegalArgumentException("diagnostics.self_stabilization.grad_s_every must be >= 1, got "
                        + gradSEvery);
            }
            if (!(tol >= 0) || Double.isInfinite(tol)) {
                throw new IllegalArgumentException("diagnostics.self_stabilization.tol must be finite and >= 0, got "
                        + tol);
            }
            if (maxDim < 1) {
                throw new IllegalArgumentException("diagnostics.self_stabilization.max_dim must be >= 1, got " + maxDim);
            }
            if (!(sharedResidualTol >= 0) || Double.isInfinite(sharedResidualTol)) {
                throw new IllegalArgumentException("diagnostics.self_stabilization.shared_residual_tol must be finite "
                        + "and >= 0, got " + sharedResidualTol);
            }
        }

        public static Config defaults() {
            return new Config("all", 0, 1, 1e-6, 50, 1e-4, true);
        }

        public Config withSubset(String s, int size) {
            return new Config(s, size, gradSEvery, tol, maxDim, sharedResidualTol, useShared);
        }

        public Config withGradSEvery(int every) {
            return new Config(subset, subsetSize, every, tol, maxDim, sharedResidualTol, useShared);
        }

        public Config withUseShared(boolean use) {
            return new Config(subset, subsetSize, gradSEvery, tol, maxDim, sharedResidualTol, use);
        }
    }

    /**
     * {@code sharpness} S = u^T H u, {@code sharpnessResidual} ||H u - S u||, {@code eigSource} ({@code shared},
     * {@code lanczos} or {@code dense}), {@code converged}; {@code gradNorm} ||grad L||, {@code gradSNorm},
     * {@code gradSPerpNorm}; {@code ssAlpha}, {@code ssBeta}, {@code ssDelta}, {@code ssGamma} (NaN at steps
     * without grad S); {@code ssNewton} = u^T grad L / S; {@code ssX} the proxy (NaN without theta_{t-1});
     * {@code hvps} Hessian applications, {@code thirdOrder} third-order passes (one per chunk), {@code seconds}.
     */
    public record Result(double sharpness, double sharpnessResidual, String eigSource, boolean converged,
                         double gradNorm, double gradSNorm, double gradSPerpNorm, double ssAlpha, double ssBeta,
                         double ssDelta, double ssGamma, double ssNewton, double ssX, long hvps, long thirdOrder,
                         double seconds) {
    }

    /** The Q14 scalars from grad L, grad S, u and S. */
    public record Quantities(Tensor gradSPerp, double alpha, double beta, double delta, double gamma,
                             double newton) {
    }

    private final Config config;
    private Tensor prevU;
    private Tensor prevTheta;
    private long prevStep = Long.MIN_VALUE;

    public SelfStabilization(Config config) {
        this.config = config;
    }

    /** Snake_case parameters: {@code subset}, {@code subset_size}, {@code grad_s_every}, {@code tol}, ... */
    public static SelfStabilization fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        Config d = Config.defaults();
        return new SelfStabilization(new Config(p.choice("subset", d.subset(), Subset.NAMED),
                p.integer("subset_size", 0, 0, Integer.MAX_VALUE),
                p.integer("grad_s_every", d.gradSEvery(), 1, Integer.MAX_VALUE), p.number("tol", d.tol(), 0, 1),
                p.integer("max_dim", d.maxDim(), 1, Integer.MAX_VALUE),
                p.number("shared_residual_tol", d.sharedResidualTol(), 0, 1), p.bool("use_shared", d.useShared())));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    // ------------------------------------------------------------------ static formulas

    /**
     * {@code grad S = grad_theta <u, H(theta) u>} with u fixed, for the mean loss of {@code d} (chunked: the sum over
     * chunks c of the gradient of {@code <u, H_c u>}, H_c the Hessian of chunk c's share {@code L_c}).
     */
    public static Tensor gradS(Problem problem, Tensor theta, Dataset d, Tensor u) {
        Tensor th = theta.detach();
        Tensor uu = u.detach();
        Tensor acc = null;
        for (Dataset c : problem.chunks(d)) {
            Function<Tensor, Tensor> f = problem.objective(c, d.size());
            Tensor gs = Autodiff.grad(t -> Autodiff.hvp(f, t, uu).dot(uu), th);
            acc = acc == null ? gs : acc.add(gs);
        }
        return acc;
    }

    /**
     * alpha, beta_ss, delta, gamma and the Newton offset of Q14 from the full gradient g, grad S, the unit
     * eigenvector u and S.
     */
    public static Quantities quantities(Tensor g, Tensor gradS, Tensor u, double s) {
        Tensor perp = gradS.addScaled(u, -u.dotValue(gradS));
        double alpha = -g.dotValue(perp);
        double beta = perp.dotValue(perp);
        double delta = alpha > 0 && beta > 0 ? Math.sqrt(2 * alpha / beta) : Double.NaN;
        double den = g.norm() * Math.sqrt(beta);
        double gamma = den > 0 ? alpha / den : Double.NaN;
        return new Quantities(perp, alpha, beta, delta, gamma, u.dotValue(g) / s);
    }

    /** The proxy {@code x_t = u^T (theta_t - theta_{t-1}) / 2}. */
    public static double proxyX(Tensor u, Tensor theta, Tensor previous) {
        return 0.5 * u.dotValue(theta.sub(previous));
    }

    // ------------------------------------------------------------------ diagnostic

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        Tensor theta = probe.theta();
        int p = theta.size();
        Dataset d = Subset.selectNamed(probe, NAME, config.subset(), config.subsetSize());
        CountingOperator h = problem.hessian(theta, d).counting();

        Tensor shared = config.useShared() ? sharedVector(probe.shared(), p) : null;
        Tensor u = null;
        double s = Double.NaN;
        double residual = Double.NaN;
        String source;
        boolean converged;
        if (shared != null && shared.norm() > 0 && Double.isFinite(shared.norm())) {
            Tensor cand = shared.div(shared.norm());
            Tensor hu = h.apply(cand);
            double sc = cand.dotValue(hu);
            double rc = hu.addScaled(cand, -sc).norm();
            if (rc <= config.sharedResidualTol() * Math.abs(sc)) {
                u = cand;
                s = sc;
                residual = rc;
            }
        }
        if (u != null) {
            source = "shared";
            converged = true;
        } else {
            List<Tensor> warm = shared != null && shared.norm() > 0 && Double.isFinite(shared.norm()) ? List.of(shared)
                    : prevU != null && prevU.size() == p ? List.of(prevU) : List.of();
            Lanczos.Config lc = new Lanczos.Config(1, config.tol(), Math.max(1, config.maxDim()), 3);
            Lanczos.Result r = Lanczos.auto(h, lc, probe.rng("lanczos", NAME), warm);
            source = p <= Lanczos.DENSE_MAX_DIM ? "dense" : "lanczos";
            converged = r.converged();
            u = r.eigenvectors().get(0);
            s = r.top();
            residual = r.residuals()[0];
        }
        u = orient(u);

        Tensor g = problem.valueAndGrad(theta, d).grad();
        double ssAlpha = Double.NaN;
        double ssBeta = Double.NaN;
        double ssDelta = Double.NaN;
        double ssGamma = Double.NaN;
        double gradSNorm = Double.NaN;
        double perpNorm = Double.NaN;
        long third = 0;
        boolean finite = Double.isFinite(s) && Double.isFinite(u.norm());
        if (finite && Math.floorMod(probe.step(), (long) config.gradSEvery()) == 0) {
            Tensor gs = gradS(problem, theta, d, u);
            third = problem.chunks(d).size();
            Quantities q = quantities(g, gs, u, s);
            ssAlpha = q.alpha();
            ssBeta = q.beta();
            ssDelta = q.delta();
            ssGamma = q.gamma();
            gradSNorm = gs.norm();
            perpNorm = Math.sqrt(q.beta());
        }
        double newton = finite ? u.dotValue(g) / s : Double.NaN;
        double x = finite && prevTheta != null && prevStep == probe.step() - 1 && prevTheta.size() == p
                ? proxyX(u, theta, prevTheta) : Double.NaN;
        if (finite) {
            prevU = u;
        }
        prevTheta = theta.detach();
        prevStep = probe.step();
        return new Result(s, residual, source, converged, g.norm(), gradSNorm, perpNorm, ssAlpha, ssBeta, ssDelta,
                ssGamma, newton, x, h.applications(), third, (System.nanoTime() - t0) * 1e-9);
    }

    /** Flips u to agree with the previous u, or to make its largest-magnitude entry positive. */
    private Tensor orient(Tensor u) {
        if (prevU != null && prevU.size() == u.size()) {
            return u.dotValue(prevU) < 0 ? u.neg() : u;
        }
        double[] a = u.toArray();
        int best = 0;
        for (int i = 1; i < a.length; i++) {
            if (Math.abs(a[i]) > Math.abs(a[best])) {
                best = i;
            }
        }
        return a.length > 0 && a[best] < 0 ? u.neg() : u;
    }

    /** The first vector of length p published under {@value #SHARED_EIGENVECTORS}, or null. */
    static Tensor sharedVector(Map<String, Object> shared, int p) {
        Object o = shared == null ? null : shared.get(SHARED_EIGENVECTORS);
        Tensor t = null;
        if (o instanceof Tensor x) {
            t = x.rank() == 2 ? x.slice(0, 0, 1).reshape(x.dim(1)) : x;
        } else if (o instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Tensor x) {
            t = x;
        } else if (o instanceof Tensor[] arr && arr.length > 0) {
            t = arr[0];
        }
        return t != null && t.rank() == 1 && t.size() == p ? t.detach() : null;
    }

    @Override
    public Map<String, Tensor> exportState() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        if (prevU != null) {
            m.put("u", prevU);
        }
        if (prevTheta != null) {
            m.put("prev_theta", prevTheta);
            m.put("prev_step", Tensor.scalar(prevStep));
        }
        return m;
    }

    @Override
    public void importState(Map<String, Tensor> state) {
        prevU = state.get("u");
        prevTheta = state.get("prev_theta");
        Tensor st = state.get("prev_step");
        prevStep = st == null ? Long.MIN_VALUE : (long) st.item();
    }
}
