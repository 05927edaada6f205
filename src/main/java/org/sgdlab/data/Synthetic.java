package org.sgdlab.data;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import org.sgdlab.tensor.Tensor;

/**
 * The synthetic data of the built-in studies. Every generator draws from the generator it is given
 * (the {@code data} stream of the study's data seed, STUDIES.md §0.2) in the order its Javadoc
 * states; "N(0, 1) draws, row-major" means {@link Tensor#randn} of that shape. The general rule:
 * the parameters of the target (teacher weights, θ*) first, then the training inputs, then the
 * test inputs, so the training set does not depend on the test size. Streams differ from NumPy's:
 * sgdlab reproduces the distributions, not the authors' numbers (§0.2).
 */
public final class Synthetic {

    private Synthetic() {
    }

    /**
     * A generated problem: training and test sets and the ground truth behind them (teacher
     * weights, θ*, class means ...), keyed as each generator documents.
     */
    public record Task(Dataset train, Dataset test, Map<String, Tensor> truth) {

        public Task {
            truth = Collections.unmodifiableMap(new LinkedHashMap<>(truth));
        }

        /** The ground-truth tensor {@code key}; fails listing the keys present. */
        public Tensor truth(String key) {
            Tensor t = truth.get(key);
            if (t == null) {
                throw new IllegalArgumentException("Task: no ground truth '" + key + "'; known: " + truth.keySet());
            }
            return t;
        }
    }

    // ================================================================== Gaussian inputs, closed-form targets

    /** Scalar targets of Gaussian inputs (catapult studies §3.1, momentum-catapult P2-A §5.1). */
    public enum Target {
        /** f*(x) = x_1 x_2 (rank 2; STUDIES.md §3.1). */
        X1X2("x1x2", 2),
        /** f*(x) = x_1 x_2 x_3 (the rank-3 variant of §3.1). */
        X1X2X3("x1x2x3", 3),
        /** f*(x) = sin(x_1) + x_2 x_3 (P2-A, §5.1). */
        SIN_X1_PLUS_X2X3("sin-x1-plus-x2x3", 3);

        private final String key;
        private final int minDim;

        Target(String key, int minDim) {
            this.key = key;
            this.minDim = minDim;
        }

        public String key() {
            return key;
        }

        /** The target by name: x1x2, x1x2x3, sin-x1-plus-x2x3. */
        public static Target byName(String name) {
            for (Target t : values()) {
                if (t.key.equals(name)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown target '" + name + "'; known: "
                    + Arrays.stream(values()).map(Target::key).toList());
        }

        double at(double[] x, int off) {
            return switch (this) {
                case X1X2 -> x[off] * x[off + 1];
                case X1X2X3 -> x[off] * x[off + 1] * x[off + 2];
                case SIN_X1_PLUS_X2X3 -> Math.sin(x[off]) + x[off + 1] * x[off + 2];
            };
        }
    }

    /**
     * x ~ N(0, I_d), y = f*(x) with no noise ([n, 1]); STUDIES.md §3.1 (x_1x_2, x_1x_2x_3) and §5.1
     * (sin(x_1) + x_2x_3). Draws: n·d N(0, 1), row-major. For a test set call again with the same
     * generator (P1-B: training set first, then test set).
     */
    public static Dataset gaussianTarget(int n, int d, Target target, RandomGenerator rng) {
        positive("gaussianTarget", "n", n, 0);
        if (d < target.minDim) {
            throw new IllegalArgumentException("gaussianTarget: target " + target.key + " needs d >= " + target.minDim
                    + ", got d = " + d);
        }
        Tensor x = Tensor.randn(rng, n, d);
        double[] xv = x.toArray();
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = target.at(xv, i * d);
        }
        return Dataset.regression(target.key, x, Tensor.of(y, n, 1));
    }

    // ================================================================== sparse linear regression (DLN)

    /**
     * The diagonal-linear-network regression of the sparse-features study (STUDIES.md §7, common
     * DLN setup; SF1: n = 20, d = 30, r = 3; SF2: n = 80, d = 200, r = 20; test 1000): θ*_j =
     * |N(0, 1)| for j < r and 0 elsewhere, normalised to ‖θ*‖ = 1; X ~ N(0, I_d); y = X θ*, no noise.
     * Draws: r N(0, 1) for θ*, then X (n·d, row-major), then X_test (nTest·d). Truth: {@code
     * theta_star} [d].
     */
    public static Task sparseRegression(int n, int nTest, int d, int r, RandomGenerator rng) {
        sizes("sparseRegression", n, nTest, d);
        if (r < 1 || r > d) {
            throw new IllegalArgumentException("sparseRegression: sparsity r = " + r + " must be in [1, d = " + d + "]");
        }
        double[] theta = new double[d];
        double norm2 = 0;
        for (int j = 0; j < r; j++) {
            theta[j] = Math.abs(rng.nextGaussian());
            norm2 += theta[j] * theta[j];
        }
        double norm = Math.sqrt(norm2);
        for (int j = 0; j < r; j++) {
            theta[j] /= norm;
        }
        return linearTask("sparse-regression", Tensor.of(theta, d), n, nTest, rng);
    }

    /**
     * The DLN data of momentum-catapult P2-B (STUDIES.md §5.2: n = 50, d = 100, r = 5): w* = 1 on the
     * first r coordinates, 0 elsewhere; X ~ N(0, I_d); y = X w*, no noise. Draws: X (n·d,
     * row-major), then X_test. Truth: {@code theta_star} [d].
     */
    public static Task sparseOnes(int n, int nTest, int d, int r, RandomGenerator rng) {
        sizes("sparseOnes", n, nTest, d);
        if (r < 0 || r > d) {
            throw new IllegalArgumentException("sparseOnes: support size r = " + r + " must be in [0, d = " + d + "]");
        }
        double[] w = new double[d];
        Arrays.fill(w, 0, r, 1.0);
        return linearTask("sparse-ones", Tensor.of(w, d), n, nTest, rng);
    }

    private static Task linearTask(String name, Tensor theta, int n, int nTest, RandomGenerator rng) {
        int d = theta.dim(0);
        Tensor x = Tensor.randn(rng, n, d);
        Tensor xt = Tensor.randn(rng, nTest, d);
        Tensor w = theta.reshape(d, 1);
        return new Task(Dataset.regression(name, x, x.matmul(w)), // [n, d] @ [d, 1] -> [n, 1]
                Dataset.regression(name + "-test", xt, xt.matmul(w)), Map.of("theta_star", theta));
    }

    // ================================================================== linear teacher with label noise

    /**
     * A linear teacher with Gaussian label noise (symmetry S4, S5; STUDIES.md §6.4, §6.5):
     * x ~ N(0, diag(inputVariance)), y = T x + ε with T_ij ~ N(0, 1/d) (T of shape [outputs, d]) and
     * ε_a ~ N(0, noiseStd_a²) independently ({@code noiseStd} has one entry per output, or one entry
     * for isotropic noise). S4: d = o = 4, variances (φ, φ, 1, 1), noise 0.5 or (2, 0.1, 0.1, 0.1);
     * S5: d = 20, one output, variances 1, noise 0.5 (y = βᵀx + 0.5ε with β ~ N(0, I/d)).
     * Draws: T (o·d, row-major), X (n·d standard normals, row-major, scaled by √variance_j), ε
     * (n·o standard normals, row-major, scaled), then X_test and ε_test likewise. Truth: {@code T}.
     */
    public static Task linearTeacher(int n, int nTest, double[] inputVariance, int outputs, double[] noiseStd,
            RandomGenerator rng) {
        int d = inputVariance.length;
        sizes("linearTeacher", n, nTest, d);
        positive("linearTeacher", "outputs", outputs, 1);
        if (noiseStd.length != 1 && noiseStd.length != outputs) {
            throw new IllegalArgumentException("linearTeacher: noiseStd has " + noiseStd.length
                    + " entries; give 1 (isotropic) or one per output (" + outputs + ")");
        }
        for (double v : inputVariance) {
            if (!(v >= 0) || !Double.isFinite(v)) {
                throw new IllegalArgumentException("linearTeacher: input variances must be finite and >= 0, got "
                        + Arrays.toString(inputVariance));
            }
        }
        Tensor t = Tensor.randn(rng, outputs, d).mul(1.0 / Math.sqrt(d));
        Tensor sdX = Tensor.vector(Arrays.stream(inputVariance).map(Math::sqrt).toArray());
        double[] sdE = new double[outputs];
        for (int a = 0; a < outputs; a++) {
            sdE[a] = noiseStd[noiseStd.length == 1 ? 0 : a];
        }
        Tensor sdEps = Tensor.vector(sdE);
        Dataset[] sets = new Dataset[2];
        int[] sizes = {n, nTest};
        for (int s = 0; s < 2; s++) {
            Tensor x = Tensor.randn(rng, sizes[s], d).mul(sdX); // [m, d] * [d]
            Tensor eps = Tensor.randn(rng, sizes[s], outputs).mul(sdEps);
            Tensor y = x.matmul(t, false, true).add(eps); // [m, d] @ [d, o] -> [m, o]
            sets[s] = Dataset.regression(s == 0 ? "linear-teacher" : "linear-teacher-test", x, y);
        }
        return new Task(sets[0], sets[1], Map.of("T", t));
    }

    // ================================================================== teacher networks

    /**
     * Sparse-features SF5 (STUDIES.md §7.5; n = 50, test 1000): x ~ N(0, I_5) normalised to the unit
     * sphere; teacher ReLU network 5 → 2 → 2 → 1 with biases, weights 1.0·N(0, 1) (no fan-in
     * scaling), biases U(−1/√fan_in, 1/√fan_in); y = teacher(x), no noise. Draws: per layer W_l
     * ([out, in], row-major N(0, 1)) then b_l (out uniforms {@code nextDouble}); then X (n·5 N(0, 1),
     * row-major, each row divided by its norm); then X_test. Truth: {@code w1 b1 w2 b2 w3 b3}.
     */
    public static Task sf5(int n, int nTest, RandomGenerator rng) {
        sizes("sf5", n, nTest, 5);
        int[] widths = {5, 2, 2, 1};
        Map<String, Tensor> p = new LinkedHashMap<>();
        for (int l = 1; l < widths.length; l++) {
            int in = widths[l - 1];
            double bound = 1 / Math.sqrt(in);
            p.put("w" + l, Tensor.randn(rng, widths[l], in));
            p.put("b" + l, Tensor.uniform(rng, -bound, bound, widths[l]));
        }
        return teacherTask("sf5", p, 3, Activation.RELU, sphere(rng, n, 5), sphere(rng, nTest, 5), false);
    }

    /**
     * Sparse-features SF6 (STUDIES.md §7.6; d = 2, n = 15, test 1000): inputs on the unit circle
     * (Gaussian, then normalised); teacher f*(x) = Σ_{j=1..3} a_j ReLU(w_jᵀx) without biases, rows w_j
     * ~ N(0, I_2) normalised to unit norm, a_j = sign(N(0, 1)) (+1 for an exact 0). Draws: W (3·2
     * N(0, 1), row-major), a (3 N(0, 1)), X (n·2), X_test. Truth: {@code w1} [3, 2], {@code w2} [1, 3].
     */
    public static Task sf6(int n, int nTest, RandomGenerator rng) {
        sizes("sf6", n, nTest, 2);
        Tensor w = normaliseRows(Tensor.randn(rng, 3, 2));
        double[] a = new double[3];
        for (int j = 0; j < 3; j++) {
            a[j] = rng.nextGaussian() < 0 ? -1.0 : 1.0;
        }
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("w1", w);
        p.put("w2", Tensor.of(a, 1, 3));
        return teacherTask("sf6", p, 2, Activation.RELU, sphere(rng, n, 2), sphere(rng, nTest, 2), false);
    }

    /**
     * Sparse-features SF7 (STUDIES.md §7.7; n = 500, test 1000; the weight law and test size are
     * marked "choice" there): x ~ N(0, I/d) with d = 20; teacher ReLU 20 → 5 → 1, weights N(0,
     * 1/fan_in), no biases; y standardised to zero mean and unit (population) variance over the
     * training set, the test targets with the training mean and standard deviation. Draws: W_1 (5·20),
     * W_2 (1·5), X (n·20 N(0, 1), row-major, times 1/√20), X_test. Truth: {@code w1 w2}, {@code
     * y_mean}, {@code y_std} (scalars).
     */
    public static Task sf7(int n, int nTest, RandomGenerator rng) {
        sizes("sf7", n, nTest, 20);
        positive("sf7", "n", n, 2);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("w1", Tensor.randn(rng, 5, 20).mul(1 / Math.sqrt(20)));
        p.put("w2", Tensor.randn(rng, 1, 5).mul(1 / Math.sqrt(5)));
        Tensor x = Tensor.randn(rng, n, 20).mul(1 / Math.sqrt(20));
        Tensor xt = Tensor.randn(rng, nTest, 20).mul(1 / Math.sqrt(20));
        return teacherTask("sf7", p, 2, Activation.RELU, x, xt, true);
    }

    /**
     * The stand-in for digits (STUDIES.md §8.3; n = 1000): x ~ N(0, I_64), labels = argmax of a random
     * tanh teacher 64 → 32 → 10 without biases, weights N(0, 1/fan_in), one-hot targets. Draws: W_1
     * (32·64, row-major N(0, 1) times 1/8), W_2 (10·32, times 1/√32), X (n·64), X_test. Truth:
     * {@code w1 w2}.
     */
    public static Task syntheticDigits(int n, int nTest, RandomGenerator rng) {
        sizes("syntheticDigits", n, nTest, 64);
        Map<String, Tensor> p = new LinkedHashMap<>();
        p.put("w1", Tensor.randn(rng, 32, 64).mul(1 / Math.sqrt(64)));
        p.put("w2", Tensor.randn(rng, 10, 32).mul(1 / Math.sqrt(32)));
        Dataset[] sets = new Dataset[2];
        int[] sizes = {n, nTest};
        for (int s = 0; s < 2; s++) {
            Tensor x = Tensor.randn(rng, sizes[s], 64);
            int[] labels = mlp(p, 2, Activation.TANH, x).argmaxRows();
            sets[s] = Dataset.classification(s == 0 ? "synthetic-digits" : "synthetic-digits-test", x, labels, 10);
        }
        return new Task(sets[0], sets[1], p);
    }

    /**
     * The scale-invariant teacher of symmetry S2 (STUDIES.md §6.2; d = 10, h = 20, n = 200):
     * f*(x) = aᵀ ReLU(√h · W x / ‖W x‖) with W [h, d] entries N(0, 1) and a [h] entries N(0, 1/h);
     * x ~ N(0, I_d). Draws: W (h·d, row-major), a (h N(0, 1) times 1/√h), X (n·d), X_test. Truth:
     * {@code w} [h, d], {@code a} [h].
     */
    public static Task scaleInvariantTeacher(int n, int nTest, int d, int h, RandomGenerator rng) {
        sizes("scaleInvariantTeacher", n, nTest, d);
        positive("scaleInvariantTeacher", "h", h, 1);
        Tensor w = Tensor.randn(rng, h, d);
        Tensor a = Tensor.randn(rng, h).mul(1 / Math.sqrt(h));
        Dataset[] sets = new Dataset[2];
        int[] sizes = {n, nTest};
        for (int s = 0; s < 2; s++) {
            Tensor x = Tensor.randn(rng, sizes[s], d);
            Tensor z = x.matmul(w, false, true); // [m, d] @ [d, h] -> [m, h]
            Tensor norms = z.square().sum(new int[] {1}, true).sqrt(); // [m, 1]
            Tensor y = z.div(norms).mul(Math.sqrt(h)).relu().matmul(a.reshape(h, 1)); // [m, h] @ [h, 1]
            sets[s] = Dataset.regression(s == 0 ? "scale-invariant-teacher" : "scale-invariant-teacher-test", x, y);
        }
        Map<String, Tensor> truth = new LinkedHashMap<>();
        truth.put("w", w);
        truth.put("a", a);
        return new Task(sets[0], sets[1], truth);
    }

    enum Activation {
        RELU, TANH
    }

    /** Hidden layers {@code act(h W_lᵀ + b_l)}, last layer linear; biases optional ("b" + l). */
    static Tensor mlp(Map<String, Tensor> p, int layers, Activation act, Tensor x) {
        Tensor h = x;
        for (int l = 1; l <= layers; l++) {
            h = h.matmul(p.get("w" + l), false, true); // [m, in] @ [in, out] -> [m, out]
            Tensor b = p.get("b" + l);
            if (b != null) {
                h = h.add(b);
            }
            if (l < layers) {
                h = act == Activation.RELU ? h.relu() : h.tanh();
            }
        }
        return h;
    }

    private static Task teacherTask(String name, Map<String, Tensor> p, int layers, Activation act, Tensor x,
            Tensor xt, boolean standardiseY) {
        Tensor y = mlp(p, layers, act, x);
        Tensor yt = mlp(p, layers, act, xt);
        Map<String, Tensor> truth = new LinkedHashMap<>(p);
        if (standardiseY) {
            Standardization s = Standardization.fit(y);
            y = s.apply(y);
            yt = s.apply(yt);
            truth.put("y_mean", s.mean().reshape());
            truth.put("y_std", s.std().reshape());
        }
        return new Task(Dataset.regression(name, x, y), Dataset.regression(name + "-test", xt, yt), truth);
    }

    /** m points uniform on the unit sphere of R^d: N(0, I_d) rows divided by their norms. */
    private static Tensor sphere(RandomGenerator rng, int m, int d) {
        return normaliseRows(Tensor.randn(rng, m, d));
    }

    private static Tensor normaliseRows(Tensor z) {
        return z.div(z.square().sum(new int[] {1}, true).sqrt());
    }

    // ================================================================== SF4 points, mixtures, Chebyshev

    /** The twelve SF4 targets minus 0.345 (STUDIES.md §7.4). */
    private static final double[] SF4_Y = {-2, 1.5, 0, 0, 2, 1, 0, -1, 0, 1, 2, -1};

    /**
     * The 1-D regression points of sparse-features SF4 (STUDIES.md §7.4, authors' notebook
     * {@code fc_nets_1d_regression.ipynb}): x_k = (k − 5.5)/4 + 0.07 and y_k = 0.345 + (−2, 1.5, 0, 0,
     * 2, 1, 0, −1, 0, 1, 2, −1)_k for k = 0..11; the test set is the training set. No randomness.
     */
    public static Dataset sf4Points() {
        double[] x = new double[12];
        double[] y = new double[12];
        for (int k = 0; k < 12; k++) {
            x[k] = (k - 5.5) / 4 + 0.07;
            y[k] = 0.345 + SF4_Y[k];
        }
        return Dataset.regression("sf4-points", Tensor.of(x, 12, 1), Tensor.of(y, 12, 1));
    }

    /**
     * A Gaussian-mixture classification problem (sgdlab choice; no study fixes one): class means μ_c
     * with entries N(0, separation²/d) (so ‖μ_c‖ ≈ separation), labels uniform over the classes, x =
     * μ_label + noise · N(0, I_d), one-hot targets. Draws: the means (classes·d, row-major), then per
     * training row its label ({@code nextInt(classes)}) followed by its d normals, then the test rows
     * likewise. Truth: {@code means} [classes, d].
     */
    public static Task gaussianMixture(int n, int nTest, int d, int classes, double separation, double noise,
            RandomGenerator rng) {
        sizes("gaussianMixture", n, nTest, d);
        positive("gaussianMixture", "classes", classes, 2);
        if (!(separation >= 0) || !(noise >= 0) || !Double.isFinite(separation) || !Double.isFinite(noise)) {
            throw new IllegalArgumentException("gaussianMixture: separation = " + separation + " and noise = " + noise
                    + " must be finite and >= 0");
        }
        Tensor means = Tensor.randn(rng, classes, d).mul(separation / Math.sqrt(d));
        double[] mu = means.toArray();
        Dataset[] sets = new Dataset[2];
        int[] sizes = {n, nTest};
        for (int s = 0; s < 2; s++) {
            int m = sizes[s];
            double[] x = new double[m * d];
            int[] labels = new int[m];
            for (int i = 0; i < m; i++) {
                int c = rng.nextInt(classes);
                labels[i] = c;
                for (int j = 0; j < d; j++) {
                    x[i * d + j] = mu[c * d + j] + noise * rng.nextGaussian();
                }
            }
            sets[s] = Dataset.classification(s == 0 ? "gaussian-mixture" : "gaussian-mixture-test",
                    Tensor.of(x, m, d), labels, classes);
        }
        return new Task(sets[0], sets[1], Map.of("means", means));
    }

    /**
     * The n Chebyshev points of the first kind on [−1, 1], x_k = cos((2k + 1)π / (2n)), k = 0..n−1
     * (decreasing), as [n]. No randomness.
     */
    public static Tensor chebyshevPoints(int n) {
        positive("chebyshevPoints", "n", n, 1);
        double[] x = new double[n];
        for (int k = 0; k < n; k++) {
            x[k] = Math.cos((2 * k + 1) * Math.PI / (2.0 * n));
        }
        return Tensor.of(x, n);
    }

    /**
     * Regression of the Chebyshev polynomial T_degree on the n Chebyshev points: x = {@link
     * #chebyshevPoints}(n) as [n, 1], y = T_degree(x) = cos(degree · arccos x) as [n, 1] (a toy in the
     * spirit of Cohen et al.'s Chebyshev experiments, whose setup is unverified, QUANTITIES.md Q19).
     * No randomness.
     */
    public static Dataset chebyshevRegression(int n, int degree) {
        if (degree < 0) {
            throw new IllegalArgumentException("chebyshevRegression: degree must be >= 0, got " + degree);
        }
        double[] x = chebyshevPoints(n).toArray();
        double[] y = new double[n];
        for (int k = 0; k < n; k++) {
            y[k] = Math.cos(degree * Math.acos(x[k]));
        }
        return Dataset.regression(String.format(Locale.ROOT, "chebyshev-T%d", degree), Tensor.of(x, n, 1),
                Tensor.of(y, n, 1));
    }

    // ================================================================== checks

    private static void sizes(String op, int n, int nTest, int d) {
        positive(op, "n", n, 1);
        positive(op, "nTest", nTest, 0);
        positive(op, "d", d, 1);
    }

    private static void positive(String op, String what, int v, int min) {
        if (v < min) {
            throw new IllegalArgumentException(op + ": " + what + " = " + v + " must be >= " + min);
        }
    }
}
