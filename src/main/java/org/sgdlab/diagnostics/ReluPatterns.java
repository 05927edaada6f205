package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Model;
import org.sgdlab.tensor.Tensor;

/**
 * Activation patterns changed since initialisation (QUANTITIES.md Q16.3, {@code relu_distances}):
 *
 * <pre>  relu_distance_l = (1/(n m)) sum_{i, j} | 1[z_l(x_i; theta_0)_j &gt; 0] - 1[z_l(x_i; theta_t)_j &gt; 0] |</pre>
 *
 * with {@code z_l} the pre-activation of hidden layer l ({@code W x + b} for the first layer) on the n
 * training inputs, theta_0 = {@link Probe#theta0()}. {@code relu_distances} is the same mean taken over the
 * (neuron, sample) pairs of all configured layers together (for a one-hidden-layer net, the layer's value).
 * Layers are addressed as in {@link ActivationDensity} (default: all hidden layers).
 *
 * <p>Paper: Andriushchenko et al., "SGD with Large Step Sizes Learns Sparse Features", ICML 2023 (authors'
 * notebooks: 0.04 vs 0.25 for the two schedules of the one-dimensional task).
 */
public final class ReluPatterns implements Diagnostic<ReluPatterns.Result> {

    public static final String NAME = "relu_patterns";

    /**
     * Configuration.
     *
     * @param layers hidden layers (from 1); default {@code all}
     * @param examples the first this many training inputs; 0 (default) = all
     */
    public record Config(ActivationDensity.Layers layers, int examples) {

        public Config {
            if (layers == null) {
                throw new IllegalArgumentException("diagnostics." + NAME + ".layers must be given");
            }
            if (examples < 0) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".examples", examples, ">= 0 (0 = all)");
            }
        }

        public static Config defaults() {
            return new Config(ActivationDensity.Layers.ALL, 0);
        }
    }

    /** One hidden layer. */
    public record Layer(int layer, int neurons, double reluDistance) {
    }

    /** The measurement. */
    public record Result(double reluDistances, int examples, List<Layer> layers, double seconds) {
    }

    private final Config config;

    public ReluPatterns(Config config) {
        this.config = config;
    }

    /** From run-spec parameters: {@code layers} (default all), {@code examples} (default 0 = all). */
    public static ReluPatterns fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown("layers", "examples");
        return new ReluPatterns(new Config(ActivationDensity.Layers.read(p, "layers", ActivationDensity.Layers.ALL),
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
        String field = "diagnostics." + NAME + ".layers";
        config.layers().resolve(ActivationDensity.hiddenCount(problem.model(), field), field, problem.model());
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
        String field = "diagnostics." + NAME + ".layers";
        int[] ls = config.layers().resolve(ActivationDensity.hiddenCount(model, field), field, model);
        List<ActivationDensity.Features> now = ActivationDensity.features(model, probe.theta(), train.x(), ls, true,
                problem.physicalBatch(), field);
        List<ActivationDensity.Features> init = ActivationDensity.features(model, probe.theta0(), train.x(), ls, true,
                problem.physicalBatch(), field);
        List<Layer> out = new ArrayList<>();
        long changed = 0;
        long total = 0;
        for (int k = 0; k < ls.length; k++) {
            Tensor z0 = init.get(k).pre();
            Tensor z = now.get(k).pre();
            long c = changes(z0, z);
            changed += c;
            total += z.size();
            out.add(new Layer(ls[k], z.dim(1), z.size() == 0 ? Double.NaN : (double) c / z.size()));
        }
        return new Result(total == 0 ? Double.NaN : (double) changed / total, train.size(), out,
                (System.nanoTime() - t0) / 1e9);
    }

    /** {@code mean_{i,j} |1[z0_ij > 0] - 1[z_ij > 0]|} of two pre-activation matrices of the same shape. */
    public static double distance(Tensor z0, Tensor z) {
        return z.size() == 0 ? Double.NaN : (double) changes(z0, z) / z.size();
    }

    private static long changes(Tensor z0, Tensor z) {
        if (!Arrays.equals(z0.shape(), z.shape())) {
            throw new IllegalArgumentException("ReluPatterns.distance: shapes differ: " + Arrays.toString(z0.shape())
                    + " vs " + Arrays.toString(z.shape()));
        }
        long c = 0;
        for (int i = 0; i < z.size(); i++) {
            if ((z0.flat(i) > 0) != (z.flat(i) > 0)) {
                c++;
            }
        }
        return c;
    }
}
