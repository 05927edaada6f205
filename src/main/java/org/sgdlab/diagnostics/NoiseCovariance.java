package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.linalg.Lanczos;
import org.sgdlab.linalg.LinearOperator;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.tensor.Tensor;

/**
 * Gradient-noise covariance (QUANTITIES.md Q9; Ziyin et al., arXiv 2402.07193):
 *
 * <pre>  Sigma(theta) = (1/n) sum_i grad l_i grad l_i^T - grad L grad L^T      (centred, 1/n, exact over the set)
 *  noise_trace = Tr Sigma = (1/n) sum_i ||grad l_i - grad L||^2 = (1/n) sum_i ||grad l_i||^2 - ||grad L||^2</pre>
 *
 * Applied matrix-free from the per-sample gradient matrix G {@code [n, p]} ({@link #operator(Tensor)}:
 * {@code Sigma v = (1/n) G^T (G v) - grad L (grad L^T v)}), formed densely when p is small ({@link #dense}),
 * or, when G would not fit, applied without G by one JVP and one VJP of the per-example loss vector per chunk
 * ({@link #operator(Problem, Tensor, Dataset)}).
 *
 * <p>The diagnostic {@value #NAME} reports {@code noise_trace} (computed from centred rows, so it never
 * suffers the cancellation of the uncentred formula) and, with {@code top_k > 0}, the top eigenvalues of
 * Sigma (dense for p &lt;= 300 when G is held, else Lanczos, Q5.2, warm-started from its previous vectors).
 */
public final class NoiseCovariance implements Diagnostic<NoiseCovariance.Result> {

    /** Registry name. */
    public static final String NAME = "noise";

    private static final List<String> KEYS = List.of("subset", "subset_size", "top_k", "tol", "max_dim", "chunk",
            "max_stored_entries");

    /**
     * Configuration. {@code subset} {@code all} (default; Q9 is exact over the training set), {@code first_n}
     * or {@code random_n} with {@code subsetSize} examples; {@code topK} eigenvalues of Sigma (default 0 =
     * none); Lanczos {@code tol} (1e-6) and {@code maxDim} (50) of Q5.2; per-sample gradient {@code chunk}
     * (16); G is held in memory when {@code n p <= maxStoredEntries} (default 2e7 doubles, 160 MB), otherwise
     * streamed and the eigen-solver runs on the JVP/VJP operator.
     */
    public record Config(String subset, int subsetSize, int topK, double tol, int maxDim, int chunk,
                         long maxStoredEntries) {
        public Config {
            Subset.checkNamed(NAME, subset, subsetSize);
            if (topK < 0) {
                throw new IllegalArgumentException("diagnostics.noise.top_k must be >= 0, got " + topK);
            }
            if (!(tol >= 0) || Double.isInfinite(tol)) {
                throw new IllegalArgumentException("diagnostics.noise.tol must be finite and >= 0, got " + tol);
            }
            if (maxDim < Math.max(1, topK)) {
                throw new IllegalArgumentException("diagnostics.noise.max_dim must be >= max(1, top_k) = "
                        + Math.max(1, topK) + ", got " + maxDim);
            }
            if (chunk < 1) {
                throw new IllegalArgumentException("diagnostics.noise.chunk must be >= 1, got " + chunk);
            }
            if (maxStoredEntries < 0) {
                throw new IllegalArgumentException("diagnostics.noise.max_stored_entries must be >= 0, got "
                        + maxStoredEntries);
            }
        }

        /** All training data, no eigenvalues, tol 1e-6, max_dim 50, chunk 16, 2e7 stored entries. */
        public static Config defaults() {
            return new Config("all", 0, 0, 1e-6, 50, PerSampleGradients.DEFAULT_CHUNK, 20_000_000L);
        }

        public Config withTopK(int k) {
            return new Config(subset, subsetSize, k, tol, Math.max(maxDim, k), chunk, maxStoredEntries);
        }

        public Config withSubset(String s, int size) {
            return new Config(s, size, topK, tol, maxDim, chunk, maxStoredEntries);
        }

        public Config withMaxStoredEntries(long m) {
            return new Config(subset, subsetSize, topK, tol, maxDim, chunk, m);
        }
    }

    /**
     * {@code noiseTrace} = Tr Sigma; {@code meanSqGradNorm} = (1/n) sum ||grad l_i||^2; {@code gradNormSq} =
     * ||grad L||^2; {@code noiseEig} top-k eigenvalues (descending) with {@code noiseResidual}s and
     * {@code converged} (true when none were asked); {@code samples} n; {@code vjps} backward passes for the
     * gradients; {@code applications} of Sigma by the eigen-solver; {@code seconds}.
     */
    public record Result(double noiseTrace, double meanSqGradNorm, double gradNormSq, double[] noiseEig,
                         double[] noiseResidual, boolean converged, int samples, long vjps, long applications,
                         double seconds) {
    }

    private final Config config;
    private List<Tensor> warm = List.of();

    public NoiseCovariance(Config config) {
        this.config = config;
    }

    /** Snake_case run-spec parameters: the {@link Config} fields ({@code subset}, {@code subset_size}, ...). */
    public static NoiseCovariance fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        Config d = Config.defaults();
        String subset = p.choice("subset", d.subset(), Subset.NAMED);
        int subsetSize = p.integer("subset_size", d.subsetSize(), 0, Integer.MAX_VALUE);
        int topK = p.integer("top_k", d.topK(), 0, Integer.MAX_VALUE);
        return new NoiseCovariance(new Config(subset, subsetSize, topK, p.number("tol", d.tol(), 0, 1),
                p.integer("max_dim", Math.max(d.maxDim(), topK), 1, Integer.MAX_VALUE),
                p.integer("chunk", d.chunk(), 1, Integer.MAX_VALUE),
                p.longInteger("max_stored_entries", d.maxStoredEntries(), 0, Long.MAX_VALUE)));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    // ------------------------------------------------------------------ static formulas

    /** {@code Sigma = (1/n) G_c^T G_c} {@code [p, p]} with centred rows {@code G_c = G - 1 gbar^T}. */
    public static Tensor dense(Tensor g) {
        requireG("dense", g);
        Tensor gc = centred(g);
        return gc.matmul(gc, true, false).div(g.dim(0));            // [p, n] @ [n, p] -> [p, p]
    }

    /** {@code v -> (1/n) G^T (G v) - gbar (gbar^T v)}, gbar = (1/n) G^T 1 (Q9), without forming Sigma. */
    public static LinearOperator operator(Tensor g) {
        requireG("operator", g);
        Tensor gg = g.detach();
        int n = gg.dim(0);
        Tensor gbar = gg.mean(0);                                    // [p]
        return LinearOperator.of(gg.dim(1), v -> {
            Tensor gv = gg.matmul(v);                                // [n, p] @ [p] -> [n]
            return gv.matmul(gg).div(n).addScaled(gbar, -gbar.dotValue(v));   // [n] @ [n, p] -> [p]
        });
    }

    /**
     * Sigma of the data set {@code d} at theta without G: {@code Sigma v = (1/n) sum_c J_c^T (J_c v) - g g^T v}
     * with {@code J_c} the Jacobian of chunk c's per-example losses (one JVP and one VJP per chunk of
     * {@code problem.physicalBatch()} examples) and g the full gradient on d.
     */
    public static LinearOperator operator(Problem problem, Tensor theta, Dataset d) {
        Tensor th = theta.detach();
        Tensor g = problem.valueAndGrad(th, d).grad();
        List<Dataset> chunks = problem.chunks(d);
        int n = d.size();
        return LinearOperator.of(th.size(), v -> {
            Tensor acc = null;
            for (Dataset c : chunks) {
                var f = PerSampleGradients.losses(problem, c);
                Tensor gv = Autodiff.jvp(f, th, v);                   // [m]
                Tensor t = Autodiff.vjp(f, th, gv);                   // [p]
                acc = acc == null ? t : acc.add(t);
            }
            return acc.div(n).addScaled(g, -g.dotValue(v));
        });
    }

    /** {@code Tr Sigma = (1/n) ||G_c||_F^2} (centred rows). */
    public static double trace(Tensor g) {
        requireG("trace", g);
        return centred(g).square().sum().item() / g.dim(0);
    }

    /** {@code G - 1 gbar^T}. */
    static Tensor centred(Tensor g) {
        return g.sub(g.mean(0));                                     // [n, p] - [p]
    }

    private static void requireG(String what, Tensor g) {
        if (g == null || g.rank() != 2 || g.dim(0) < 1 || g.dim(1) < 1) {
            throw new IllegalArgumentException("noise." + what + ": G must be a per-sample gradient matrix [n, p], got "
                    + (g == null ? "null" : Arrays.toString(g.shape())));
        }
    }

    // ------------------------------------------------------------------ diagnostic

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        Tensor theta = probe.theta();
        Dataset d = Subset.selectNamed(probe, NAME, config.subset(), config.subsetSize());
        int n = d.size();
        int p = theta.size();
        boolean store = (long) n * p <= config.maxStoredEntries();
        long vjps = n;
        double trace;
        double meanSq;
        double gradSq;
        Tensor gFull = null;
        if (store) {
            gFull = PerSampleGradients.matrix(problem, theta, d, config.chunk());
            Tensor gbar = gFull.mean(0);
            trace = trace(gFull);
            meanSq = gFull.square().sum().item() / n;
            gradSq = gbar.dotValue(gbar);
        } else {
            Tensor gbar = problem.valueAndGrad(theta, d).grad();
            vjps += problem.chunks(d).size();
            double[] acc = new double[2];
            PerSampleGradients.forEachChunk(problem, theta, d, config.chunk(), (off, g) -> {
                acc[0] += g.sub(gbar).square().sum().item();
                acc[1] += g.square().sum().item();
            });
            trace = acc[0] / n;
            meanSq = acc[1] / n;
            gradSq = gbar.dotValue(gbar);
        }
        int k = Math.min(config.topK(), p);
        double[] eig = new double[0];
        double[] res = new double[0];
        boolean converged = true;
        long applications = 0;
        if (k > 0) {
            if (store && p <= Lanczos.DENSE_MAX_DIM) {
                Tensor sigma = dense(gFull);
                SymmetricEigen.Result e = SymmetricEigen.decompose(sigma.add(sigma.transpose()).mul(0.5));
                eig = Arrays.copyOf(e.values(), k);
                res = new double[k];
                List<Tensor> vs = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    Tensor u = e.vector(i);
                    vs.add(u);
                    res[i] = sigma.matmul(u).addScaled(u, -eig[i]).norm();   // [p, p] @ [p] -> [p]
                }
                converged = e.converged();
                warm = List.copyOf(vs);
            } else {
                LinearOperator op = store ? operator(gFull) : operator(problem, theta, d);
                CountingOperator counted = op.counting();
                Lanczos.Config lc = new Lanczos.Config(k, config.tol(), Math.max(k, config.maxDim()), 3);
                List<Tensor> start = warm.size() == k && warm.get(0).size() == p ? warm : List.of();
                Lanczos.Result r = Lanczos.topK(counted, lc, probe.rng("lanczos", NAME), start);
                eig = r.eigenvalues();
                res = r.residuals();
                converged = r.converged();
                applications = counted.applications();
                if (r.converged()) {
                    warm = r.eigenvectors();
                }
                if (!store) {
                    vjps += problem.chunks(d).size();                // the operator's own full gradient
                }
            }
        }
        return new Result(trace, meanSq, gradSq, eig, res, converged, n, vjps, applications,
                (System.nanoTime() - t0) * 1e-9);
    }

    @Override
    public Map<String, Tensor> exportState() {
        return warm.isEmpty() ? Map.of() : Map.of("eigenvectors", Tensor.stack(0, warm.toArray(new Tensor[0])));
    }

    @Override
    public void importState(Map<String, Tensor> state) {
        Tensor v = state.get("eigenvectors");
        if (v == null) {
            warm = List.of();
            return;
        }
        List<Tensor> out = new ArrayList<>();
        for (int i = 0; i < v.dim(0); i++) {
            out.add(v.slice(0, i, i + 1).reshape(v.dim(1)));
        }
        warm = List.copyOf(out);
    }
}
