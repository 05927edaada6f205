package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.Svd;
import org.sgdlab.nn.Model;
import org.sgdlab.tensor.Tensor;

/**
 * Spectral summaries of a hidden layer's features (QUANTITIES.md Q16.3; authors' code
 * tml-epfl/sgd-sparse-features, notebooks and {@code utils.py}). With {@code Phi [n, m]} the post-activation
 * features of the layer on the configured inputs, {@code Phi^} its row-normalised version
 * ({@code Phi^_i = Phi_i / ||Phi_i||}, zero rows stay zero), sigma(A) the singular values of A and
 * {@code a_j} column j of the next dense layer's weight {@code [k, m]}:
 *
 * <ul>
 *   <li>{@code nuclear_norm} = {@code sum_i sigma_i(Phi diag(||a_j||))}: the nuclear norm of the scaled
 *       features {@code ReLU(X W^T + b) ⊙ a} of the one-dimensional task (k = 1: scaling column j by a_j or
 *       by |a_j| gives the same singular values); NaN when no dense layer follows;</li>
 *   <li>{@code lp_norms_features_sing} = {@code sum_i sigma_i(Phi^)^p}, p = 0.1;</li>
 *   <li>{@code l0_norms_features_sing} = {@code #{i : sigma_i(Phi^) > 0.1}};</li>
 *   <li>{@code effective_rank} = {@code -sum_i q_i ln q_i}, {@code q = sigma(Phi^) / sum sigma(Phi^)} over
 *       the non-zero singular values: the entropy, <b>not</b> exp(entropy) (0 for a zero matrix).</li>
 * </ul>
 *
 * In the three-layer teacher-student task (STUDIES.md §7.5) the effective rank is taken on the first p test
 * inputs (p = the number of parameters): {@code inputs: test, count: num_params}. Layers are addressed as in
 * {@link ActivationDensity}.
 *
 * <p>Paper: Andriushchenko et al., ICML 2023, arXiv 2210.05337.
 */
public final class FeatureRanks implements Diagnostic<FeatureRanks.Result> {

    public static final String NAME = "feature_ranks";

    /**
     * Configuration.
     *
     * @param layers hidden layers (from 1); default {@code last}
     * @param inputs {@code train} (default) or {@code test}
     * @param count use the first this many inputs: 0 (default) = all, {@code -1} = the number of parameters
     *        (run-spec value {@code "num_params"})
     * @param lpExponent p of {@code lp_norms_features_sing} (default 0.1)
     * @param l0Threshold the singular-value threshold of {@code l0_norms_features_sing} (default 0.1)
     */
    public record Config(ActivationDensity.Layers layers, String inputs, int count, double lpExponent,
                         double l0Threshold) {

        public Config {
            if (layers == null) {
                throw new IllegalArgumentException("diagnostics." + NAME + ".layers must be given");
            }
            checkInputs(NAME, inputs, List.of("train", "test"));
            if (count < -1) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".count", count,
                        ">= 0 (0 = all) or num_params");
            }
            if (!(lpExponent > 0) || !Double.isFinite(lpExponent)) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".lp_exponent", lpExponent, "finite and > 0");
            }
            if (!(l0Threshold >= 0) || !Double.isFinite(l0Threshold)) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".l0_threshold", l0Threshold, "finite and >= 0");
            }
        }

        /** Last hidden layer, all training inputs, p = 0.1, threshold 0.1. */
        public static Config defaults() {
            return new Config(ActivationDensity.Layers.LAST, "train", 0, 0.1, 0.1);
        }

        public Config withLayers(ActivationDensity.Layers l) {
            return new Config(l, inputs, count, lpExponent, l0Threshold);
        }

        /** The first {@code c} inputs of {@code set} (train | test); c = 0 all, -1 the number of parameters. */
        public Config withInputs(String set, int c) {
            return new Config(layers, set, c, lpExponent, l0Threshold);
        }
    }

    /** One hidden layer's numbers ({@code converged} = every singular value is finite). */
    public record Layer(int layer, int neurons, double nuclearNorm, double lpNormsFeaturesSing,
                        int l0NormsFeaturesSing, double effectiveRank, boolean converged) {
    }

    /** The measurement. */
    public record Result(String inputs, int examples, List<Layer> layers, double seconds) {
    }

    private final Config config;

    public FeatureRanks(Config config) {
        this.config = config;
    }

    /**
     * From run-spec parameters: {@code layers}, {@code inputs} (train | test), {@code count} (integer or
     * "num_params"), {@code lp_exponent}, {@code l0_threshold}.
     */
    public static FeatureRanks fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown("layers", "inputs", "count", "lp_exponent",
                "l0_threshold");
        return new FeatureRanks(new Config(ActivationDensity.Layers.read(p, "layers", ActivationDensity.Layers.LAST),
                p.choice("inputs", "train", List.of("train", "test")), readCount(p, "count", 0),
                p.number("lp_exponent", 0.1, x -> x > 0, "> 0"), p.number("l0_threshold", 0.1, 0, Double.MAX_VALUE)));
    }

    /** The {@link Config#count()} meaning "as many inputs as the model has parameters" (run spec: "num_params"). */
    static final int NUM_PARAMS = -1;

    /**
     * A number of inputs or points: an integer >= 0 (0 = all) or {@code "num_params"} (the number of parameters
     * p, returned as {@link #NUM_PARAMS}).
     */
    static int readCount(DiagnosticParams p, String key, int def) {
        if (p.get(key) instanceof String s && s.trim().equalsIgnoreCase("num_params")) {
            return NUM_PARAMS;
        }
        return p.integer(key, def, c -> c >= 0, ">= 0 (0 = all) or \"num_params\"");
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
        Model model = problem.model();
        inputs(problem, config.inputs(), config.count(), NAME);
        config.layers().resolve(ActivationDensity.hiddenCount(model, "diagnostics." + NAME + ".layers"),
                "diagnostics." + NAME + ".layers", model);
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        Model model = problem.model();
        Dataset d = inputs(problem, config.inputs(), config.count(), NAME);
        int[] ls = config.layers().resolve(ActivationDensity.hiddenCount(model, "diagnostics." + NAME + ".layers"),
                "diagnostics." + NAME + ".layers", model);
        List<ActivationDensity.Features> fs = ActivationDensity.features(model, probe.theta(), d.x(), ls, false,
                problem.physicalBatch(), "diagnostics." + NAME + ".layers");
        List<Layer> out = new ArrayList<>();
        for (ActivationDensity.Features f : fs) {
            Tensor phi = f.post();
            double nuclear = Double.NaN;
            boolean ok = true;
            Tensor a = ActivationDensity.outputWeight(model, probe.theta(), f.layer());
            if (a != null) {
                double[] s = Svd.singularValues(scaled(phi, a));
                ok = finite(s);
                nuclear = nuclearNorm(s);
            }
            double[] sv = Svd.singularValues(rowNormalise(phi));
            out.add(new Layer(f.layer(), phi.dim(1), nuclear, lpSum(sv, config.lpExponent()),
                    l0Count(sv, config.l0Threshold()), effectiveRank(sv), ok && finite(sv)));
        }
        return new Result(config.inputs(), d.size(), out, (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------ formulas

    /** {@code sum_i sigma_i}. */
    public static double nuclearNorm(double[] sigma) {
        double s = 0;
        for (double x : sigma) {
            s += x;
        }
        return s;
    }

    /** {@code sum_i sigma_i^p}. */
    public static double lpSum(double[] sigma, double p) {
        double s = 0;
        for (double x : sigma) {
            s += Math.pow(x, p);
        }
        return s;
    }

    /** {@code #{i : sigma_i > threshold}}. */
    public static int l0Count(double[] sigma, double threshold) {
        int c = 0;
        for (double x : sigma) {
            if (x > threshold) {
                c++;
            }
        }
        return c;
    }

    /**
     * Entropy {@code -sum_i q_i ln q_i} of {@code q = sigma / sum sigma} over the non-zero sigma_i (not
     * exp of it); 0 when every sigma_i is 0, NaN when one is not finite.
     */
    public static double effectiveRank(double[] sigma) {
        double total = 0;
        for (double x : sigma) {
            if (!Double.isFinite(x)) {
                return Double.NaN;
            }
            total += x;
        }
        double h = 0;
        for (double x : sigma) {
            if (x != 0) {
                double q = x / total;
                h -= q * Math.log(q);
            }
        }
        return h;
    }

    /** {@code Phi_i / ||Phi_i||} per row; rows of norm 0 stay 0. */
    public static Tensor rowNormalise(Tensor phi) {
        ActivationDensity.requireMatrix("FeatureRanks.rowNormalise", phi);
        int n = phi.dim(0);
        int m = phi.dim(1);
        double[] a = phi.toArray();
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < m; j++) {
                s += a[i * m + j] * a[i * m + j];
            }
            double nrm = Math.sqrt(s);
            for (int j = 0; j < m; j++) {
                a[i * m + j] = nrm == 0 ? 0.0 : a[i * m + j] / nrm;
            }
        }
        return Tensor.of(a, n, m);
    }

    /** {@code Phi diag(||a_j||)}: column j of {@code phi [n, m]} times the norm of column j of {@code a [k, m]}. */
    public static Tensor scaled(Tensor phi, Tensor a) {
        ActivationDensity.requireMatrix("FeatureRanks.scaled", phi);
        int m = phi.dim(1);
        if (a.rank() != 2 || a.dim(1) != m) {
            throw new IllegalArgumentException("FeatureRanks.scaled: output weight has shape "
                    + java.util.Arrays.toString(a.shape()) + "; expected [k, " + m + "]");
        }
        return phi.mul(a.square().sum(0).sqrt());                 // [n, m] * [m]
    }

    /** The singular values of {@code phi}, descending. */
    public static double[] singularValues(Tensor phi) {
        return Svd.singularValues(phi);
    }

    // ------------------------------------------------------------------ shared with JacobianRank

    static void checkInputs(String name, String inputs, List<String> allowed) {
        if (!allowed.contains(inputs)) {
            throw new IllegalArgumentException("diagnostics." + name + ".inputs: unknown value '" + inputs
                    + "'; allowed: " + String.join(", ", allowed));
        }
    }

    /** The first {@code count} rows of the train or test set (0 = all, -1 = number of parameters). */
    static Dataset inputs(Problem problem, String set, int count, String name) {
        Dataset d = set.equals("test") ? problem.test() : problem.train();
        if (d == null) {
            throw new IllegalArgumentException("diagnostics." + name + ".inputs: '" + set
                    + "' needs a test set, and the problem has none; use inputs: train");
        }
        int c = count == NUM_PARAMS ? problem.model().numParams() : count;
        return c > 0 && c < d.size() ? d.first(c) : d;
    }

    private static boolean finite(double[] s) {
        for (double x : s) {
            if (!Double.isFinite(x)) {
                return false;
            }
        }
        return true;
    }
}
