package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Model;
import org.sgdlab.tensor.Tensor;

/**
 * AGOP alignment with the true predictor (QUANTITIES.md Q13):
 *
 * <pre>
 *   agop_alignment      = rho(G(f_theta), G*) on the training inputs
 *   agop_alignment_test = rho(G(f_theta), G*) on the test inputs (NaN without a test set)
 *   G(f) = (1/N) sum_j D_j D_j^T,  rho(A, B) = &lt;A, B&gt;_F / (||A||_F ||B||_F)
 * </pre>
 *
 * with G and G* always on the same inputs. G* comes from the analytic gradient of a synthetic
 * target ({@link TrueAgop}), from a function, or from a reference model. Papers: Zhu, Liu,
 * Radhakrishnan, Belkin, ICML 2024 (P1 Def. 2; catapults raise AGOP alignment); Radhakrishnan et
 * al., arXiv 2212.13881; Mallinar et al., arXiv 2407.20199.
 *
 * <p>Record: {@code agopAlignment}, {@code agopAlignmentTest}, {@code zeroNorm} / {@code zeroNormTest}
 * (a norm was 0, the alignment is reported as 0), {@code n}, {@code nTest}, {@code agopEig} (top
 * eigenvalues of G on the training inputs, if configured), {@code vjps}, {@code seconds}. G* on a
 * given input tensor is computed once and cached (the inputs do not change during a run).
 */
public final class AgopAlignment implements Diagnostic<AgopAlignment.Result> {

    /** The diagnostic's name. */
    public static final String NAME = "agop";

    /** {@link Config#target()} value that takes the target from the training set's name. */
    public static final String AUTO = "auto";

    /**
     * Configuration.
     *
     * @param target      a synthetic target key of {@link TrueAgop#targets()}, or {@code auto} (default: the
     *                    training set's name, which {@code Synthetic.gaussianTarget} sets to the target key);
     *                    ignored when a reference function or model is given
     * @param test        also measure on the test inputs when the problem has a test set (default true)
     * @param eigenvalues top eigenvalues of G reported (default 0 = none)
     */
    public record Config(String target, boolean test, int eigenvalues) {
        public Config {
            if (target == null || !(target.equals(AUTO) || TrueAgop.known(target))) {
                throw new IllegalArgumentException("unknown diagnostics.agop.target '" + target + "'; known: " + AUTO
                        + ", " + String.join(", ", TrueAgop.targets()));
            }
            if (eigenvalues < 0) {
                throw new IllegalArgumentException("diagnostics.agop.eigenvalues must be >= 0, got " + eigenvalues);
            }
        }

        /** auto target, test on, no eigenvalues. */
        public static Config defaults() {
            return new Config(AUTO, true, 0);
        }
    }

    /** One measurement (see the class comment). */
    public record Result(double agopAlignment, double agopAlignmentTest, boolean zeroNorm, boolean zeroNormTest, int n,
                         int nTest, double[] agopEig, long vjps, double seconds) {
    }

    private final Config config;
    private final Function<Tensor, Tensor> reference;          // inputs -> G*, or null for the analytic target
    private Tensor cachedInputs;
    private Tensor cachedTrue;
    private Tensor cachedInputsTest;
    private Tensor cachedTrueTest;

    private AgopAlignment(Config config, Function<Tensor, Tensor> reference) {
        this.config = DiagnosticParams.requireConfig("agop", config);
        this.reference = reference;
    }

    /** G* from the analytic gradient of {@code config.target()}. */
    public AgopAlignment(Config config) {
        this(config, null);
    }

    /** Defaults: the target named by the training set, test inputs too. */
    public AgopAlignment() {
        this(Config.defaults());
    }

    /** G* = G(f*) of a true predictor {@code f*: [m, d] -> [m, k]} (input gradients by autodiff). */
    public static AgopAlignment withTarget(Function<Tensor, Tensor> truePredictor, boolean test, int eigenvalues) {
        if (truePredictor == null) {
            throw new IllegalArgumentException("diagnostics.agop: the true predictor is null");
        }
        return new AgopAlignment(new Config(AUTO, test, eigenvalues), x -> TrueAgop.of(truePredictor, x));
    }

    /** G* = the AGOP of a reference model at fixed parameters (a proxy for f* on real data). */
    public static AgopAlignment withReference(Model model, Tensor theta, boolean test, int eigenvalues) {
        if (model == null || theta == null) {
            throw new IllegalArgumentException("diagnostics.agop: the reference model and its parameters are required");
        }
        Tensor th = theta.detach();
        return new AgopAlignment(new Config(AUTO, test, eigenvalues), x -> TrueAgop.of(model, th, x));
    }

    /** From run-spec parameters: {@code target} (a synthetic target key or auto), {@code test}, {@code eigenvalues}. */
    public static AgopAlignment fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown("target", "test", "eigenvalues");
        Config d = Config.defaults();
        List<String> targets = new ArrayList<>(List.of(AUTO));
        targets.addAll(TrueAgop.targets());
        return new AgopAlignment(new Config(p.choice("target", d.target(), targets), p.bool("test", d.test()),
                p.integer("eigenvalues", d.eigenvalues(), 0, Integer.MAX_VALUE)));
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
        if (reference == null) {
            resolveTarget(problem.train());
        }
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        Model model = problem.model();
        Tensor theta = probe.theta();
        int chunk = problem.physicalBatch();
        Dataset train = problem.train();
        Dataset test = config.test() ? problem.test() : null;
        String target = reference != null ? null : resolveTarget(train);

        Tensor x = train.x();
        Tensor g = Agop.of(model, theta, x, chunk);
        long vjps = passes(train.size(), chunk, outputs(model, theta, x));
        if (cachedInputs != x) {
            cachedTrue = trueAgop(target, x);
            cachedInputs = x;
        }
        Agop.Alignment a = align(g, cachedTrue);
        double[] eig = Ntk.finite(g) ? Agop.topEigenvalues(g, config.eigenvalues()) : nan(config.eigenvalues());

        double aTest = Double.NaN;
        boolean zTest = false;
        int nTest = 0;
        if (test != null) {
            Tensor xt = test.x();
            Tensor gt = Agop.of(model, theta, xt, chunk);
            vjps += passes(test.size(), chunk, outputs(model, theta, xt));
            if (cachedInputsTest != xt) {
                cachedTrueTest = trueAgop(target, xt);
                cachedInputsTest = xt;
            }
            Agop.Alignment at = align(gt, cachedTrueTest);
            aTest = at.value();
            zTest = at.zeroNorm();
            nTest = test.size();
        }
        return new Result(a.value(), aTest, a.zeroNorm(), zTest, train.size(), nTest, eig, vjps,
                (System.nanoTime() - t0) * 1e-9);
    }

    private String resolveTarget(Dataset train) {
        String t = config.target().equals(AUTO) ? train.name() : config.target();
        if (!TrueAgop.known(t)) {
            throw new IllegalArgumentException("diagnostics.agop.target: 'auto' takes the target from the training set's"
                    + " name, but '" + t + "' is not a known target (" + String.join(", ", TrueAgop.targets())
                    + "); set target, or give a true predictor or a reference model");
        }
        return t;
    }

    private Tensor trueAgop(String target, Tensor x) {
        return reference != null ? reference.apply(x) : TrueAgop.of(target, x);
    }

    private static Agop.Alignment align(Tensor g, Tensor gStar) {
        if (!Ntk.finite(g) || !Ntk.finite(gStar)) {
            return new Agop.Alignment(Double.NaN, false);
        }
        return Agop.alignment(g, gStar);
    }

    private static int outputs(Model model, Tensor theta, Tensor x) {
        Tensor y = model.apply(theta, x.slice(0, 0, 1));
        return y.size();
    }

    private static long passes(int n, int chunk, int k) {
        return (long) k * ((n + chunk - 1) / chunk);
    }

    private static double[] nan(int k) {
        double[] v = new double[k];
        Arrays.fill(v, Double.NaN);
        return v;
    }
}
