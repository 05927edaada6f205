package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Model;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The deduplicated feature-sparsity coefficient (QUANTITIES.md Q16.1, Q16.2) and the activation
 * statistics of Q16.3, per hidden layer, on the training inputs. For the post-activation features
 * {@code Phi [n, m]} of a hidden layer and a threshold thr:
 *
 * <pre>
 *   1. Phi^_i = Phi_i / ||Phi_i|| for every row i (rows of norm 0 stay 0)       [toy variant only]
 *   2. K = (j_1 &lt; j_2 &lt; ...) = the columns with Phi^_ij &gt; 0 for some i          (alive neurons)
 *   3. C = corr(Phi^[:, K]) - I, Pearson correlation of the columns; NaN where a column is constant
 *   4. idx = K, i = 0; while i &lt; |idx|: if |C[i, j]| &gt; thr for some j (NaN compares false), remove row
 *      and column i of C and element i of idx (i is not advanced); else i = i + 1
 *   5. feature_sparsity = #{(s, j) : j in idx, Phi_sj != 0} / (n m)
 * </pre>
 *
 * The pass removes the <b>earlier</b> member of each highly correlated pair; the denominator counts all m
 * neurons (dead and removed ones too); {@code n_highly_corr} = the number removed in step 4. Despite its
 * name the coefficient is an activation density: lower is sparser. (The authors' {@code n_highly_corr} is
 * {@code m - |idx|}, i.e. ours plus the dead neurons {@code m - n_alive}.)
 *
 * <p>Variants: {@code toy} (Q16.1, authors' code {@code fc_nets.py} {@code feature_sparsity}; row
 * normalisation, thr 0.99 by default, 0.999 for the one-dimensional task of STUDIES.md §7.4) and
 * {@code deep} (Q16.2, authors' code {@code deep_nets/utils_eval.py} {@code compute_feature_sparsity}; no row
 * normalisation, thr 0.95, and when m &gt; {@code max_neurons} = 1000 a random subset of 1000 neurons drawn
 * without replacement from the {@code probes} stream, kept in draw order as the authors' code does, so the
 * greedy pass runs in that order; denominator n times the number of sampled columns).
 *
 * <p>A column is constant ("zero variance") when all its n entries are equal; its correlations are NaN and
 * it is never removed. The correlation matrix needs {@code |K|^2} doubles.
 *
 * <p>Per layer the result also holds the activation density {@code mean 1[Phi > 0]} (Q16.3; Q16.2's raw
 * {@code sparsity}), {@code n_active_relus}, the dead-neuron fraction and {@code activation_frac_nonzeros}
 * (see {@link ActivationDensity}). Layers are addressed as in {@link ActivationDensity} (hidden layers
 * counted from 1).
 *
 * <p>Paper: Andriushchenko, Varre, Pillaud-Vivien, Flammarion, "SGD with Large Step Sizes Learns Sparse
 * Features", ICML 2023, arXiv 2210.05337.
 */
public final class FeatureSparsity implements Diagnostic<FeatureSparsity.Result> {

    public static final String NAME = "feature_sparsity";

    /** Default correlation threshold of the toy variant (Q16.1). */
    public static final double TOY_THRESHOLD = 0.99;
    /** Default correlation threshold of the deep variant (Q16.2). */
    public static final double DEEP_THRESHOLD = 0.95;
    /** Default number of neurons subsampled by the deep variant (Q16.2). */
    public static final int DEEP_MAX_NEURONS = 1000;

    /**
     * Configuration.
     *
     * @param layers hidden layers (from 1); default {@code last} (Q16.1)
     * @param variant {@code toy} (default, Q16.1) or {@code deep} (Q16.2)
     * @param threshold correlation threshold; NaN (default) = 0.99 (toy) or 0.95 (deep)
     * @param maxNeurons subsample this many neurons when m is larger; -1 (default) = no subsampling (toy)
     *        or 1000 (deep); 0 = never subsample
     * @param examples use the first this many training inputs; 0 (default) = all
     */
    public record Config(ActivationDensity.Layers layers, String variant, double threshold, int maxNeurons,
                         int examples) {

        public Config {
            if (layers == null) {
                throw new IllegalArgumentException("diagnostics." + NAME + ".layers must be given");
            }
            if (!"toy".equals(variant) && !"deep".equals(variant)) {
                throw new IllegalArgumentException("diagnostics." + NAME + ".variant: unknown value '" + variant
                        + "'; allowed: toy, deep");
            }
            if (!Double.isNaN(threshold) && !(threshold >= 0 && threshold < 1)) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".threshold", threshold, "in [0, 1)");
            }
            if (maxNeurons < -1) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".max_neurons", maxNeurons,
                        ">= 1, 0 (never subsample) or -1 (variant default)");
            }
            if (examples < 0) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".examples", examples, ">= 0 (0 = all)");
            }
        }

        /** The toy variant on the last hidden layer, thr 0.99, all training inputs. */
        public static Config defaults() {
            return new Config(ActivationDensity.Layers.LAST, "toy", Double.NaN, -1, 0);
        }

        /** The deep variant (Q16.2) on the last hidden layer. */
        public static Config deep() {
            return new Config(ActivationDensity.Layers.LAST, "deep", Double.NaN, -1, 0);
        }

        public Config withLayers(ActivationDensity.Layers l) {
            return new Config(l, variant, threshold, maxNeurons, examples);
        }

        public Config withThreshold(double t) {
            return new Config(layers, variant, t, maxNeurons, examples);
        }

        public Config withMaxNeurons(int mx) {
            return new Config(layers, variant, threshold, mx, examples);
        }

        public Config withExamples(int e) {
            return new Config(layers, variant, threshold, maxNeurons, e);
        }

        /** The threshold in effect. */
        public double effectiveThreshold() {
            return Double.isNaN(threshold) ? (variant.equals("toy") ? TOY_THRESHOLD : DEEP_THRESHOLD) : threshold;
        }

        /** The subsample size in effect (0 = none). */
        public int effectiveMaxNeurons() {
            return maxNeurons == -1 ? (variant.equals("toy") ? 0 : DEEP_MAX_NEURONS) : maxNeurons;
        }

        boolean rowNormalise() {
            return variant.equals("toy");
        }
    }

    /**
     * The result of the deduplication of one feature matrix.
     *
     * @param featureSparsity the coefficient of step 5 (NaN for an empty matrix)
     * @param nHighlyCorr neurons removed in step 4
     * @param nAlive |K|, the alive neurons among the columns considered
     * @param columns the columns considered, in the order of the pass (all m, or the subsample)
     * @param kept the columns kept (idx after step 4), in pass order
     */
    public record Dedup(double featureSparsity, int nHighlyCorr, int nAlive, int[] columns, int[] kept) {

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Dedup[featureSparsity=%s, nHighlyCorr=%d, nAlive=%d, kept=%s]",
                    featureSparsity, nHighlyCorr, nAlive, Arrays.toString(kept));
        }
    }

    /** One hidden layer's numbers. */
    public record Layer(int layer, int neurons, int examples, double featureSparsity, int nHighlyCorr, int nAlive,
                        int sampledNeurons, double activationDensity, int nActiveRelus, double deadFraction,
                        double activationFracNonzeros) {
    }

    /** The measurement: variant, threshold in effect and one entry per configured layer. */
    public record Result(String variant, double threshold, List<Layer> layers, double seconds) {
    }

    private final Config config;

    public FeatureSparsity(Config config) {
        this.config = config;
    }

    /**
     * From run-spec parameters: {@code layers} ("last", "all", an index or a list; default last),
     * {@code variant} (toy | deep; default toy), {@code threshold}, {@code max_neurons}, {@code examples}.
     */
    public static FeatureSparsity fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown("layers", "variant", "threshold",
                "max_neurons", "examples");
        return new FeatureSparsity(new Config(ActivationDensity.Layers.read(p, "layers", ActivationDensity.Layers.LAST),
                p.choice("variant", "toy", List.of("toy", "deep")), p.number("threshold", Double.NaN),
                p.integer("max_neurons", -1, m -> m >= -1, ">= 1, 0 (never subsample) or -1 (variant default)"),
                p.integer("examples", 0, e -> e >= 0, ">= 0 (0 = all)")));
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
        config.layers().resolve(ActivationDensity.hiddenCount(model, "diagnostics." + NAME + ".layers"),
                "diagnostics." + NAME + ".layers", model);
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        Model model = problem.model();
        Dataset train = problem.train();
        if (config.examples() > 0 && config.examples() < train.size()) {
            train = train.first(config.examples());
        }
        int[] ls = config.layers().resolve(ActivationDensity.hiddenCount(model, "diagnostics." + NAME + ".layers"),
                "diagnostics." + NAME + ".layers", model);
        List<ActivationDensity.Features> fs = ActivationDensity.features(model, probe.theta(), train.x(), ls, false,
                problem.physicalBatch(), "diagnostics." + NAME + ".layers");
        double thr = config.effectiveThreshold();
        int maxNeurons = config.effectiveMaxNeurons();
        RandomGenerator rng = null;
        List<Layer> out = new ArrayList<>();
        for (ActivationDensity.Features f : fs) {
            Tensor phi = f.post();
            int m = phi.dim(1);
            int[] cols = null;
            if (maxNeurons > 0 && m > maxNeurons) {
                if (rng == null) {
                    rng = probe.rng(Rng.PROBES, NAME);
                }
                cols = sample(m, maxNeurons, rng);
            }
            Dedup d = dedup(phi, thr, config.rowNormalise(), cols);
            Tensor a = ActivationDensity.outputWeight(model, probe.theta(), f.layer());
            int active = ActivationDensity.activeCount(phi);
            out.add(new Layer(f.layer(), m, phi.dim(0), d.featureSparsity(), d.nHighlyCorr(), d.nAlive(),
                    d.columns().length, ActivationDensity.density(phi), active,
                    m == 0 ? Double.NaN : 1.0 - (double) active / m,
                    a == null ? Double.NaN : ActivationDensity.fracNonzeros(phi, a)));
        }
        return new Result(config.variant(), thr, out, (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------ the algorithm

    /** Q16.1 on {@code phi [n, m]}: row normalisation, all columns, threshold {@code thr}. */
    public static Dedup toy(Tensor phi, double thr) {
        return dedup(phi, thr, true, null);
    }

    /**
     * Q16.2 on {@code phi [n, m]}: no row normalisation; when {@code m > maxNeurons > 0} the pass runs on
     * {@code maxNeurons} columns drawn without replacement from {@code rng} (in draw order) and the
     * denominator is n times that number.
     */
    public static Dedup deep(Tensor phi, double thr, int maxNeurons, RandomGenerator rng) {
        ActivationDensity.requireMatrix("FeatureSparsity.deep", phi);
        int m = phi.dim(1);
        return dedup(phi, thr, false, maxNeurons > 0 && m > maxNeurons ? sample(m, maxNeurons, rng) : null);
    }

    /**
     * The algorithm of Q16.1 on the columns {@code cols} of {@code phi [n, m]} (all columns in order when
     * null), with or without row normalisation (over all m columns of a row); the denominator is
     * {@code n * cols.length}.
     */
    public static Dedup dedup(Tensor phi, double thr, boolean rowNormalise, int[] cols) {
        ActivationDensity.requireMatrix("FeatureSparsity.dedup", phi);
        if (!(thr >= 0 && thr < 1)) {
            throw new IllegalArgumentException("FeatureSparsity.dedup: threshold must be in [0, 1), got " + thr);
        }
        int n = phi.dim(0);
        int m = phi.dim(1);
        if (cols == null) {
            cols = new int[m];
            for (int j = 0; j < m; j++) {
                cols[j] = j;
            }
        }
        for (int c : cols) {
            if (c < 0 || c >= m) {
                throw new IllegalArgumentException("FeatureSparsity.dedup: column " + c + " outside [0, " + m + ")");
            }
        }
        double[] raw = phi.toArray();
        double[] a = rowNormalise ? raw.clone() : raw;
        if (rowNormalise) {
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
        }
        int w = cols.length;
        // step 2: alive columns, in pass order
        int[] alive = new int[w];
        int k = 0;
        for (int c : cols) {
            for (int i = 0; i < n; i++) {
                if (a[i * m + c] > 0) {
                    alive[k++] = c;
                    break;
                }
            }
        }
        alive = Arrays.copyOf(alive, k);
        // step 3: standardised columns z_j = (x_j - mean) / ||x_j - mean||, C = Z^T Z
        double[] z = new double[n * k];
        boolean[] constant = new boolean[k];
        for (int q = 0; q < k; q++) {
            int c = alive[q];
            double first = a[c];
            boolean same = true;
            double mean = 0;
            for (int i = 0; i < n; i++) {
                double v = a[i * m + c];
                same &= v == first;
                mean += v;
            }
            constant[q] = same;
            if (same) {
                continue;
            }
            mean /= n;
            double ss = 0;
            for (int i = 0; i < n; i++) {
                double v = a[i * m + c] - mean;
                z[i * k + q] = v;
                ss += v * v;
            }
            double sd = Math.sqrt(ss);
            for (int i = 0; i < n; i++) {
                z[i * k + q] /= sd;
            }
        }
        double[] corr = k == 0 ? new double[0]
                : Tensor.of(z, n, k).matmul(Tensor.of(z, n, k), true, false).toArray();   // [k, n] @ [n, k] -> [k, k]
        // step 4: greedy pass; processing positions in order with removal flags is the loop that does not
        // advance i after a removal (the next element slides into position i)
        boolean[] removed = new boolean[k];
        int nRemoved = 0;
        for (int p = 0; p < k; p++) {
            if (constant[p]) {
                continue;                                   // a NaN row: every comparison is false
            }
            for (int q = 0; q < k; q++) {
                if (q != p && !removed[q] && !constant[q] && Math.abs(corr[p * k + q]) > thr) {
                    removed[p] = true;
                    nRemoved++;
                    break;
                }
            }
        }
        int[] kept = new int[k - nRemoved];
        int r = 0;
        long nonzero = 0;
        for (int p = 0; p < k; p++) {
            if (!removed[p]) {
                int c = alive[p];
                kept[r++] = c;
                for (int i = 0; i < n; i++) {
                    if (raw[i * m + c] != 0) {                 // Phi, not Phi^ (step 5)
                        nonzero++;
                    }
                }
            }
        }
        double denom = (double) n * w;
        return new Dedup(denom == 0 ? Double.NaN : nonzero / denom, nRemoved, k, cols.clone(), kept);
    }

    /** {@code count} distinct indices of [0, m) drawn uniformly without replacement, in draw order. */
    static int[] sample(int m, int count, RandomGenerator rng) {
        int[] perm = new int[m];
        for (int i = 0; i < m; i++) {
            perm[i] = i;
        }
        for (int i = 0; i < count; i++) {
            int j = i + rng.nextInt(m - i);
            int tmp = perm[i];
            perm[i] = perm[j];
            perm[j] = tmp;
        }
        return Arrays.copyOf(perm, count);
    }
}
