package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.linalg.Lanczos;
import org.sgdlab.linalg.PowerIteration;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Sharpness {@code S(theta) = lambda_1(H)}, the largest eigenvalue of the training-loss Hessian, with the
 * top-k eigenvalues {@code lambda_1 >= ... >= lambda_k} on request, and the stability ratio
 * {@code S / threshold} (QUANTITIES.md Q6.1, Q6.3; Cohen, Kaur, Li, Kolter &amp; Talwalkar, "Gradient descent
 * on neural networks typically occurs at the edge of stability", ICLR 2021).
 *
 * <p>Estimator (Q6.1): exact chunked Hessian-vector products (Q5.1) of the mean loss on the subset chosen by
 * the subset policy ({@link Subset}: {@code all}, {@code first_n}, {@code random_n}; the random subset is
 * drawn from this diagnostic's {@code probes} stream), and the largest-algebraic Lanczos of Q5.2 (solver
 * {@code auto}: the dense path for p &lt;= 300, else Lanczos with tol 1e-6, Krylov dimension 50, 3 restarts),
 * warm-started from this diagnostic's previous eigenvectors (default on; the random part of the start comes
 * from the {@code lanczos} stream). Solver {@code power} is power iteration (k = 1, largest magnitude; a
 * negative result is reported with {@code converged = false}).
 *
 * <p>After each measurement the top eigenvectors are published under {@link #SHARED_EIGENVECTORS} (a
 * {@code List<Tensor>}), the eigenvalues under {@link #SHARED_EIGENVALUES} ({@code double[]}) and the step under
 * {@link #SHARED_STEP} ({@code Long}), so other diagnostics of the same step can use them (e.g. the gaps of
 * Q7.5). The warm-start vectors are the diagnostic's state ({@link #exportState()}: {@code eigenvectors},
 * a {@code [k, p]} tensor), so a resumed run continues with identical numbers.
 */
public final class Sharpness implements Diagnostic<Sharpness.Result> {

    /** The registry name. */
    public static final String NAME = "sharpness";
    /** Shared-artifact key of the top Hessian eigenvectors ({@code List<Tensor>}, each [p]). */
    public static final String SHARED_EIGENVECTORS = "hessian_eigenvectors";
    /** Shared-artifact key of the top Hessian eigenvalues ({@code double[]}, descending). */
    public static final String SHARED_EIGENVALUES = "hessian_eigenvalues";
    /** Shared-artifact key of the step of the published eigenpairs ({@code Long}). */
    public static final String SHARED_STEP = "hessian_step";
    /** The eigensolvers. */
    public static final List<String> SOLVERS = List.of("auto", "lanczos", "dense", "power");

    /**
     * Configuration (Q5.2, Q6.1 defaults): {@code k} eigenpairs (1), relative tolerance {@code tol} (1e-6),
     * Krylov dimension {@code maxDim} (50), {@code maxRestarts} (3), {@code solver} ({@code auto}: dense for
     * p &lt;= 300, else Lanczos), {@code warmStart} (true), {@code subset} ({@code auto}: all when n &lt;= 5000).
     */
    public record Config(int k, double tol, int maxDim, int maxRestarts, String solver, boolean warmStart,
                         Subset subset) {
        public static final Config DEFAULT = new Config(1, 1e-6, 50, 3, "auto", true, Subset.auto());

        public Config {
            if (k < 1) {
                throw new IllegalArgumentException("diagnostics.sharpness.k must be >= 1, got " + k);
            }
            if (!(tol >= 0) || Double.isInfinite(tol)) {
                throw new IllegalArgumentException("diagnostics.sharpness.tol must be finite and >= 0, got " + tol);
            }
            if (maxDim < k) {
                throw new IllegalArgumentException("diagnostics.sharpness.max_dim must be >= k = " + k + ", got " + maxDim);
            }
            if (maxRestarts < 0) {
                throw new IllegalArgumentException("diagnostics.sharpness.max_restarts must be >= 0, got " + maxRestarts);
            }
            if (!SOLVERS.contains(solver)) {
                throw new IllegalArgumentException("diagnostics.sharpness.solver: unknown solver '" + solver + "'; known: "
                        + String.join(", ", SOLVERS));
            }
            if ("power".equals(solver) && k != 1) {
                throw new IllegalArgumentException("diagnostics.sharpness.solver 'power' finds one eigenpair; k must be 1,"
                        + " got " + k);
            }
            if (subset == null) {
                throw new IllegalArgumentException("diagnostics.sharpness.subset is null");
            }
        }

        public Config withK(int v) {
            return new Config(v, tol, Math.max(maxDim, v), maxRestarts, solver, warmStart, subset);
        }

        public Config withTol(double v) {
            return new Config(k, v, maxDim, maxRestarts, solver, warmStart, subset);
        }

        public Config withSolver(String v) {
            return new Config(k, tol, maxDim, maxRestarts, v, warmStart, subset);
        }

        public Config withWarmStart(boolean v) {
            return new Config(k, tol, maxDim, maxRestarts, solver, v, subset);
        }

        public Config withSubset(Subset v) {
            return new Config(k, tol, maxDim, maxRestarts, solver, warmStart, v);
        }

        public Config withMaxDim(int v) {
            return new Config(k, tol, v, maxRestarts, solver, warmStart, subset);
        }

        Lanczos.Config lanczos() {
            return new Lanczos.Config(k, tol, maxDim, maxRestarts);
        }
    }

    /**
     * One measurement: {@code sharpness} = {@code hessEig[0]}; the top-k eigenvalues {@code hessEig} (descending)
     * and their residuals {@code hessResidual}; {@code converged}; the optimizer's {@code threshold} (Q3.6) and
     * {@code stabilityRatio} = sharpness / threshold (Q6.3); the applied {@code subset} policy and its size
     * {@code n}; Hessian-vector products {@code hvps}; {@code seconds}; whether a warm start was used.
     */
    public record Result(double sharpness, double[] hessEig, double[] hessResidual, boolean converged, double threshold,
                         double stabilityRatio, String subset, int n, long hvps, double seconds, boolean warmStart) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Sharpness.Result[sharpness=%s, hessEig=%s, converged=%s, ratio=%s, "
                            + "subset=%s, n=%d, hvps=%d, warmStart=%s]", sharpness, Arrays.toString(hessEig), converged,
                    stabilityRatio, subset, n, hvps, warmStart);
        }
    }

    private static final List<String> KEYS = Subset.withKeys("k", "tol", "max_dim", "max_restarts", "solver",
            "warm_start");

    private final String name;
    private final Config config;
    private List<Tensor> previous = List.of();
    private Map<String, Object> published = Map.of();

    public Sharpness(Config config) {
        this(NAME, config);
    }

    /** A sharpness diagnostic under another name (e.g. two in one run with different settings). */
    public Sharpness(String name, Config config) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("diagnostics.sharpness: name must be non-blank");
        }
        this.name = name;
        this.config = DiagnosticParams.requireConfig(name, config);
    }

    /**
     * From a run spec's params: {@code k}, {@code tol}, {@code max_dim}, {@code max_restarts}, {@code solver}
     * (auto, lanczos, dense, power), {@code warm_start}, {@code subset} (auto, all, first_n, random_n),
     * {@code subset_size}.
     */
    public static Sharpness fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        Config d = Config.DEFAULT;
        int k = p.integer("k", d.k(), 1, Integer.MAX_VALUE);
        return new Sharpness(new Config(k, p.number("tol", d.tol(), 0, Double.MAX_VALUE),
                p.integer("max_dim", Math.max(d.maxDim(), k), k, Integer.MAX_VALUE),
                p.integer("max_restarts", d.maxRestarts(), 0, Integer.MAX_VALUE),
                p.choice("solver", d.solver(), SOLVERS), p.bool("warm_start", d.warmStart()), Subset.read(p)));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        SubsetHessian sh = SubsetHessian.of(probe, name, config.subset());
        Subset.Selection sel = sh.selection();
        CountingOperator h = sh.h();
        int p = h.dim();
        if (config.k() > p) {
            throw new IllegalArgumentException("diagnostics." + name + ".k = " + config.k()
                    + " exceeds the number of parameters " + p);
        }
        String solver = config.solver();
        if (solver.equals("auto")) {
            solver = p <= Lanczos.DENSE_MAX_DIM ? "dense" : "lanczos";
        }
        List<Tensor> warm = config.warmStart() && previous.size() > 0 && previous.get(0).size() == p ? previous : List.of();
        boolean usedWarm = false;
        double[] values;
        double[] residuals;
        boolean converged;
        List<Tensor> vectors;
        switch (solver) {
            case "dense" -> {
                Lanczos.Result r = Lanczos.dense(h, config.k());
                values = r.eigenvalues();
                residuals = r.residuals();
                converged = r.converged();
                vectors = r.eigenvectors();
            }
            case "power" -> {
                Tensor start = warm.isEmpty() ? null : warm.get(0);
                usedWarm = start != null;
                PowerIteration.Result r = PowerIteration.run(h,
                        new PowerIteration.Config(config.tol(), 1000), probe.rng(Rng.LANCZOS, name), start);
                values = new double[] {r.eigenvalue()};
                residuals = new double[] {r.residual()};
                converged = r.converged() && !r.negative();
                vectors = List.of(r.eigenvector());
            }
            default -> {
                usedWarm = !warm.isEmpty();
                Lanczos.Result r = Lanczos.topK(h, config.lanczos(), probe.rng(Rng.LANCZOS, name), warm);
                values = r.eigenvalues();
                residuals = r.residuals();
                converged = r.converged();
                vectors = r.eigenvectors();
            }
        }
        values = values.clone();
        residuals = residuals.clone();
        boolean finite = true;
        for (Tensor v : vectors) {
            finite &= allFinite(v);
        }
        for (double v : values) {
            finite &= Double.isFinite(v);
        }
        if (finite) {
            previous = List.copyOf(vectors);
            Map<String, Object> pub = new LinkedHashMap<>();
            pub.put(SHARED_EIGENVECTORS, List.copyOf(vectors));
            pub.put(SHARED_EIGENVALUES, values.clone());
            pub.put(SHARED_STEP, probe.step());
            published = pub;
        } else {
            converged = false;
            published = Map.of();
        }
        double s = values[0];
        double thr = probe.threshold();
        return new Result(s, values, residuals, converged, thr, s / thr, sel.policy(), sel.n(), h.applications(),
                (System.nanoTime() - t0) * 1e-9, usedWarm);
    }

    @Override
    public Map<String, Object> publish() {
        return published;
    }

    /** {@code eigenvectors}: the warm-start vectors as a {@code [k, p]} tensor (nothing before the first measurement). */
    @Override
    public Map<String, Tensor> exportState() {
        if (previous.isEmpty()) {
            return Map.of();
        }
        return Map.of("eigenvectors", Tensor.stack(0, previous.toArray(new Tensor[0])));
    }

    @Override
    public void importState(Map<String, Tensor> state) {
        Tensor v = state == null ? null : state.get("eigenvectors");
        if (v == null) {
            previous = List.of();
            return;
        }
        if (v.rank() != 2) {
            throw new IllegalArgumentException("diagnostics." + name + ": state 'eigenvectors' must be [k, p], got "
                    + Arrays.toString(v.shape()));
        }
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < v.dim(0); i++) {
            out.add(v.slice(0, i, i + 1).reshape(v.dim(1)).detach());
        }
        previous = List.copyOf(out);
    }

    static boolean allFinite(Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            if (!Double.isFinite(t.flat(i))) {
                return false;
            }
        }
        return true;
    }
}
