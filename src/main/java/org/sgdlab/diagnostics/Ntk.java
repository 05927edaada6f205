package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sgdlab.data.Dataset;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The normalised tangent kernel spectrum and the loss split (QUANTITIES.md Q10.1, Q10.2, Q11):
 *
 * <pre>
 *   K-bar(theta_t) = (2c/n) J J^T = sum_i lambda_i p_i p_i^T,   lambda_1 &gt;= lambda_2 &gt;= ...
 *   L_top,s = (c/n) sum_{i &lt;= s} &lt;p_i, r&gt;^2,   L_rest,s = L - L_top,s,   eta_crit(t) = 2 / lambda_1
 * </pre>
 *
 * on the training set (or its first {@code subset} rows), squared loss with factor c, r = f - y
 * sample-major. Eigenvectors are recomputed at every measurement: densely (symmetric eigensolver)
 * for nk &lt;= 1000, otherwise by Lanczos on K-bar, warm-started from the previous measurement's
 * vectors (Q5.2). Paper: Zhu, Liu, Radhakrishnan, Belkin, "Catapults in SGD", ICML 2024, arXiv
 * 2306.04815 (Claim 1: catapults live in the top eigenspace of the tangent kernel).
 *
 * <p>Record: {@code ntkEig} (top k of K-bar), {@code ntkResidual}, {@code lossSplit} — a map
 * {@code loss_top_<s>, loss_rest_<s>} for each configured s (written as a nested object), also
 * readable with {@link Result#lossTop(int)} — the loss L, {@code etaCrit} = 2/lambda_1, the number
 * of samples n and kernel dimension nk, the eigensolver {@code method} (dense, lanczos), how the
 * {@code kernel} was formed (closed-form, jacobian, matrix-free), convergence, VJPs/JVPs and seconds. The top
 * {@code max(k, max s)} eigenvectors ([nk] each) are published under {@value #EIGENVECTORS}.
 */
public final class Ntk implements Diagnostic<Ntk.Result> {

    /** The diagnostic's name. */
    public static final String NAME = "ntk";

    /** Key of the published eigenvectors of K-bar ({@code List<Tensor>}, descending eigenvalues). */
    public static final String EIGENVECTORS = "ntk_eigenvectors";

    /**
     * Configuration.
     *
     * @param k      number of eigenvalues reported (default 10)
     * @param split  the s of the loss split (default {1, 3, 5}; each &gt;= 1, distinct)
     * @param subset 0 (default) for all training rows, else the first {@code subset} rows
     * @param solver eigensolver settings ({@link NtkOperator.Solver#defaults()})
     */
    public record Config(int k, int[] split, int subset, NtkOperator.Solver solver) {
        public Config {
            if (k < 1) {
                throw new IllegalArgumentException("diagnostics.ntk.k must be >= 1, got " + k);
            }
            if (split == null) {
                throw new IllegalArgumentException("diagnostics.ntk.split must be a list of s >= 1 (e.g. [1, 3, 5])");
            }
            split = split.clone();
            for (int i = 0; i < split.length; i++) {
                if (split[i] < 1) {
                    throw new IllegalArgumentException("diagnostics.ntk.split must hold s >= 1, got "
                            + Arrays.toString(split));
                }
                for (int j = 0; j < i; j++) {
                    if (split[j] == split[i]) {
                        throw new IllegalArgumentException("diagnostics.ntk.split has s = " + split[i] + " twice: "
                                + Arrays.toString(split));
                    }
                }
            }
            if (subset < 0) {
                throw new IllegalArgumentException("diagnostics.ntk.subset must be >= 0 (0 = all), got " + subset);
            }
            if (solver == null) {
                throw new IllegalArgumentException("diagnostics.ntk.solver is null");
            }
            solver.validate(NAME);
        }

        /** Q10 defaults: k = 10, s in {1, 3, 5}, all rows, {@link NtkOperator.Solver#defaults()}. */
        public static Config defaults() {
            return new Config(10, new int[] {1, 3, 5}, 0, NtkOperator.Solver.defaults());
        }

        @Override
        public int[] split() {
            return split.clone();
        }

        /** Eigenpairs needed: max(k, max s). */
        int pairs() {
            int m = k;
            for (int s : split) {
                m = Math.max(m, s);
            }
            return m;
        }
    }

    /**
     * One measurement (see the class comment). {@code lossSplit} is in the order of the configured s:
     * {@code loss_top_1, loss_rest_1, loss_top_3, ...}.
     */
    public record Result(double[] ntkEig, double[] ntkResidual, Map<String, Double> lossSplit, double loss,
                         double etaCrit, int n, int dim, String method, String kernel, boolean converged, long jvps,
                         long vjps, double seconds) {

        /** L_top,s (NaN if s was not configured). */
        public double lossTop(int s) {
            return lossSplit.getOrDefault(LossSplit.topKey(s), Double.NaN);
        }

        /** L_rest,s (NaN if s was not configured). */
        public double lossRest(int s) {
            return lossSplit.getOrDefault(LossSplit.restKey(s), Double.NaN);
        }

        /** lambda_1(K-bar). */
        public double top() {
            return ntkEig[0];
        }
    }

    private final Config config;
    private List<Tensor> warm = List.of();
    private List<Tensor> published = List.of();

    public Ntk(Config config) {
        this.config = DiagnosticParams.requireConfig("ntk", config);
    }

    /** With the defaults of {@link Config#defaults()}. */
    public Ntk() {
        this(Config.defaults());
    }

    /**
     * From run-spec parameters: {@code k}, {@code split} (list of s), {@code subset}, {@code eigensolver}
     * (auto, dense, lanczos), {@code dense_max}, {@code max_jacobian_entries}, {@code tol}, {@code max_dim}.
     */
    public static Ntk fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params)
                .requireKnown(NtkOperator.Solver.withKeys("k", "split", "subset"));
        Config d = Config.defaults();
        return new Ntk(new Config(p.integer("k", d.k(), 1, Integer.MAX_VALUE),
                p.integers("split", d.split(), 1, Integer.MAX_VALUE),
                p.integer("subset", d.subset(), m -> m >= 0, ">= 0 (0 = all rows, else the first m)"),
                NtkOperator.Solver.read(p)));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(Problem problem) {
        NtkOperator.squaredLossFactor(problem.loss(), "diagnostics." + NAME);
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        double c = NtkOperator.squaredLossFactor(problem.loss(), "diagnostics." + NAME);
        Dataset data = data(problem.train(), config.subset());
        int n = data.size();
        NtkOperator op = NtkOperator.of(problem.model(), probe.theta(), data.x(), 2.0 * c / n, problem.physicalBatch());
        Tensor y = data.y();
        Tensor f = op.output();
        if (!Arrays.equals(f.shape(), y.shape())) {
            throw new IllegalArgumentException("diagnostics.ntk: model output " + Arrays.toString(f.shape())
                    + " and targets " + Arrays.toString(y.shape()) + " differ");
        }
        int nk = op.dim();
        double[] kEig = new double[Math.min(config.k(), nk)];
        double[] kRes = new double[kEig.length];
        Tensor r = f.sub(y).reshape(nk);
        double cOverN = c / n;
        double loss = cOverN * r.dotValue(r);
        NtkOperator.Spectrum sp = finite(f) && finite(probe.theta())
                ? op.spectrum(config.pairs(), config.solver(), probe.rng(Rng.LANCZOS, NAME), warm)
                : null;
        Map<String, Double> split = new LinkedHashMap<>();
        if (sp == null || !finite(sp.values())) {
            Arrays.fill(kEig, Double.NaN);
            Arrays.fill(kRes, Double.NaN);
            for (int s : config.split()) {
                split.put(LossSplit.topKey(s), Double.NaN);
                split.put(LossSplit.restKey(s), Double.NaN);
            }
            published = List.of();
            return new Result(kEig, kRes, Collections.unmodifiableMap(split), loss, Double.NaN, n, nk,
                    sp == null ? "none" : sp.method(), sp == null ? "none" : sp.assembly(), false, op.jvps(), op.vjps(),
                    (System.nanoTime() - t0) * 1e-9);
        }
        System.arraycopy(sp.values(), 0, kEig, 0, kEig.length);
        System.arraycopy(sp.residuals(), 0, kRes, 0, kRes.length);
        split = LossSplit.keyed(r, sp.vectors(), config.split(), cOverN);
        published = sp.vectors();
        if (sp.method().equals("lanczos")) {
            warm = sp.vectors();
        }
        return new Result(kEig, kRes, split, loss, CriticalLearningRate.etaCrit(kEig[0]), n, nk, sp.method(),
                sp.assembly(), sp.converged(), op.jvps(), op.vjps(), (System.nanoTime() - t0) * 1e-9);
    }

    @Override
    public Map<String, Object> publish() {
        return published.isEmpty() ? Map.of() : Map.of(EIGENVECTORS, published);
    }

    @Override
    public Map<String, Tensor> exportState() {
        return warm.isEmpty() ? Map.of() : Map.of("warm_start", Tensor.stack(0, warm.toArray(new Tensor[0])));
    }

    @Override
    public void importState(Map<String, Tensor> state) {
        Tensor w = state.get("warm_start");
        if (w == null) {
            warm = List.of();
            return;
        }
        if (w.rank() != 2) {
            throw new IllegalArgumentException("diagnostics.ntk: warm_start state must be [m, nk], got "
                    + Arrays.toString(w.shape()));
        }
        List<Tensor> vs = new ArrayList<>();
        for (int i = 0; i < w.dim(0); i++) {
            vs.add(w.slice(0, i, i + 1).reshape(w.dim(1)));
        }
        warm = List.copyOf(vs);
    }

    static Dataset data(Dataset train, int subset) {
        if (subset == 0 || subset >= train.size()) {
            return train;
        }
        return train.first(subset);
    }

    static boolean finite(Tensor t) {
        for (int i = 0; i < t.size(); i++) {
            if (!Double.isFinite(t.flat(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean finite(double[] v) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }
}
