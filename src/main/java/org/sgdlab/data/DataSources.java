package org.sgdlab.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Data sets by name, so run specs can say {@code data: {name: gaussian-target, target: x1x2, n: 128,
 * d: 10}}. Every source returns a training set, an optional test set and, for synthetic tasks, the
 * ground truth (teacher parameters, target name). Synthetic draws come from the {@code data} stream
 * of {@code seed} (STUDIES.md 0.2: the data seed of an experiment).
 *
 * <p>The parameters of each (defaults in brackets) are listed in {@link #USAGE}, which errors quote.
 * Every source also takes {@code label_noise} [0]: a fraction of training labels replaced by a
 * uniformly drawn class (STUDIES.md 2.1; classification only), drawn from the data stream.
 */
public final class DataSources {

    /** Names accepted by {@link #create}. */
    public static final List<String> NAMES = List.of("digits", "fashion-mnist", "synthetic-digits", "gaussian-target",
            "sparse-regression", "sparse-ones", "linear-teacher", "scale-invariant-teacher", "sf4", "sf5", "sf6", "sf7",
            "gaussian-mixture", "npz", "csv");

    /** What each source takes (the table above), appended to a missing-parameter error. */
    static final Map<String, String> USAGE = Map.ofEntries(
            Map.entry("digits", "train_size [1000], test_size [797], path"),
            Map.entry("fashion-mnist", "train_size [1000], test_size [1000], path, resolution [14 | 28], "
                    + "global_normalization [false]"),
            Map.entry("synthetic-digits", "train_size [1000], test_size [1000]"),
            Map.entry("gaussian-target", "target (x1x2 | x1x2x3 | sin-x1-plus-x2x3), n, d, n_test [0]"),
            Map.entry("sparse-regression", "n, d, r, n_test [0]"),
            Map.entry("sparse-ones", "n, d, r, n_test [0]"),
            Map.entry("linear-teacher", "n, input_variance (list), outputs, noise_std (list), n_test [0]"),
            Map.entry("scale-invariant-teacher", "n, d, h, n_test [0]"),
            Map.entry("sf4", "no parameters (the sparse-features task)"),
            Map.entry("sf5", "n [50], n_test [1000]"),
            Map.entry("sf6", "n [15], n_test [1000]"),
            Map.entry("sf7", "n [500], n_test [1000]"),
            Map.entry("gaussian-mixture", "n, d, classes, separation [3], noise [1], n_test [0]"),
            Map.entry("npz", "path, x_key [x], y_key [y], classes [0 = regression], test_path"),
            Map.entry("csv", "path, header [false], label_column [-1 = last], classes [0 = infer], test_path"));

    private DataSources() {
    }

    /** A loaded source: training set, test set (may be null), ground truth and the synthetic target's name. */
    public record Source(Dataset train, Dataset test, Map<String, Tensor> truth, String target) {
    }

    /** The source {@code name} built from {@code params} with data seed {@code seed}. */
    public static Source create(String name, Map<String, ?> params, long seed) {
        P p = new P(name, params);
        double labelNoise = p.dbl("label_noise", 0.0);
        if (!(labelNoise >= 0 && labelNoise <= 1)) {
            throw new IllegalArgumentException(p.owner + ": label_noise = " + labelNoise + " must be in [0, 1] (the "
                    + "fraction of training labels replaced by a uniformly drawn class)");
        }
        Source s;
        switch (name == null ? "" : name) {
            case "digits": {
                Presets.Options o = Presets.Options.defaults().withTrainSize(p.integer("train_size", 1000, 1))
                        .withTestSize(p.integer("test_size", 797, 0));
                String path = p.string("path", null);
                if (path != null) {
                    o = o.withPath(Path.of(path));
                }
                Presets.Prepared pr = Presets.digits(o);
                s = new Source(pr.train(), pr.test(), Map.of(), null);
                break;
            }
            case "fashion-mnist": {
                int resolution = p.integer("resolution", 14);
                if (resolution != 14 && resolution != 28) {
                    throw new IllegalArgumentException(p.owner + ": resolution = " + resolution + " must be 14 (2x2 "
                            + "average pooling) or 28");
                }
                Presets.Options o = Presets.Options.defaults().withTrainSize(p.integer("train_size", 1000, 1))
                        .withTestSize(p.integer("test_size", 1000, 0)).withResolution(resolution)
                        .withGlobalNormalization(p.bool("global_normalization", false));
                String path = p.string("path", null);
                if (path != null) {
                    o = o.withPath(Path.of(path));
                }
                Presets.Prepared pr = Presets.fashionMnist(o);
                s = new Source(pr.train(), pr.test(), Map.of(), null);
                break;
            }
            case "synthetic-digits": {
                Synthetic.Task t = Synthetic.syntheticDigits(p.integer("train_size", 1000, 1), p.integer("test_size", 1000, 0),
                        Rng.stream(seed, Rng.DATA));
                s = new Source(t.train(), t.test(), t.truth(), null);
                break;
            }
            case "gaussian-target": {
                Synthetic.Target target = Synthetic.Target.byName(p.string("target", null, true));
                int n = p.integer("n");
                int d = p.integer("d");
                int nTest = p.integer("n_test", 0);
                var rng = Rng.stream(seed, Rng.DATA);
                Dataset train = Synthetic.gaussianTarget(n, d, target, rng);
                Dataset test = nTest > 0 ? Synthetic.gaussianTarget(nTest, d, target, rng).withName(target.key() + "-test")
                        : null;
                s = new Source(train, test, Map.of(), target.key());
                break;
            }
            case "sparse-regression":
                s = task(Synthetic.sparseRegression(p.integer("n"), p.integer("n_test", 0), p.integer("d"), p.integer("r"),
                        Rng.stream(seed, Rng.DATA)));
                break;
            case "sparse-ones":
                s = task(Synthetic.sparseOnes(p.integer("n"), p.integer("n_test", 0), p.integer("d"), p.integer("r"),
                        Rng.stream(seed, Rng.DATA)));
                break;
            case "linear-teacher":
                s = task(Synthetic.linearTeacher(p.integer("n"), p.integer("n_test", 0), p.doubles("input_variance"),
                        p.integer("outputs"), p.doubles("noise_std"), Rng.stream(seed, Rng.DATA)));
                break;
            case "scale-invariant-teacher":
                s = task(Synthetic.scaleInvariantTeacher(p.integer("n"), p.integer("n_test", 0), p.integer("d"),
                        p.integer("h"), Rng.stream(seed, Rng.DATA)));
                break;
            case "sf4":
                s = new Source(Synthetic.sf4Points(), Synthetic.sf4Points(), Map.of(), null);
                break;
            case "sf5":
                s = task(Synthetic.sf5(p.integer("n", 50), p.integer("n_test", 1000), Rng.stream(seed, Rng.DATA)));
                break;
            case "sf6":
                s = task(Synthetic.sf6(p.integer("n", 15), p.integer("n_test", 1000), Rng.stream(seed, Rng.DATA)));
                break;
            case "sf7":
                s = task(Synthetic.sf7(p.integer("n", 500), p.integer("n_test", 1000), Rng.stream(seed, Rng.DATA)));
                break;
            case "gaussian-mixture":
                s = task(Synthetic.gaussianMixture(p.integer("n"), p.integer("n_test", 0), p.integer("d"),
                        p.integer("classes"), p.dbl("separation", 3.0), p.dbl("noise", 1.0), Rng.stream(seed, Rng.DATA)));
                break;
            case "npz": {
                String xk = p.string("x_key", "x");
                String yk = p.string("y_key", "y");
                int classes = p.integer("classes", 0);
                Dataset train = NpyData.loadNpz("npz", Path.of(p.string("path", null, true)), xk, yk, classes);
                String tp = p.string("test_path", null);
                Dataset test = tp == null ? null : NpyData.loadNpz("npz-test", Path.of(tp), xk, yk, classes);
                s = new Source(train, test, Map.of(), null);
                break;
            }
            case "csv": {
                Csv.Options o = Csv.Options.defaults().withHeader(p.bool("header", false))
                        .withLabelColumn(p.integer("label_column", -1));
                int classes = p.integer("classes", 0);
                if (classes > 0) {
                    o = new Csv.Options(o.header(), o.labelColumn(), classes, o.delimiter());
                }
                Dataset train = Csv.load("csv", Path.of(p.string("path", null, true)), o);
                String tp = p.string("test_path", null);
                Dataset test = tp == null ? null : Csv.load("csv-test", Path.of(tp), o);
                s = new Source(train, test, Map.of(), null);
                break;
            }
            default:
                throw new IllegalArgumentException("unknown data source '" + name + "'; known: " + String.join(", ", NAMES));
        }
        p.requireAllUsed();
        if (labelNoise > 0) {
            if (!s.train().hasLabels()) {
                throw new IllegalArgumentException("data '" + name + "': label_noise needs a classification data set");
            }
            Dataset noisy = s.train().withLabelNoise(labelNoise, Rng.stream(seed, Rng.DATA, "label-noise")).data();
            s = new Source(noisy, s.test(), s.truth(), s.target());
        }
        return s;
    }

    private static Source task(Synthetic.Task t) {
        Dataset test = t.test() != null && t.test().size() > 0 ? t.test() : null;
        return new Source(t.train(), test, t.truth(), null);
    }

    /** Typed reads of a parameter map that remember what was read, so leftovers are reported. */
    private static final class P {
        private final String owner;
        private final Map<String, ?> map;
        private final Set<String> known = new TreeSet<>();

        private final String name;

        P(String name, Map<String, ?> map) {
            this.name = name;
            this.owner = "data '" + name + "'";
            this.map = map == null ? Map.of() : new LinkedHashMap<>(map);
            known.add("label_noise");
        }

        private Object get(String key, boolean required) {
            known.add(key);
            Object v = map.get(key);
            if (v == null && required) {
                throw new IllegalArgumentException(owner + " needs parameter '" + key + "'; " + name + " takes "
                        + USAGE.get(name) + ", label_noise [0]");
            }
            return v;
        }

        int integer(String key) {
            return toInt(key, get(key, true));
        }

        int integer(String key, int dflt) {
            Object v = get(key, false);
            return v == null ? dflt : toInt(key, v);
        }

        /** An integer parameter that must be {@code >= min}. */
        int integer(String key, int dflt, int min) {
            int v = integer(key, dflt);
            if (v < min) {
                throw new IllegalArgumentException(owner + ": " + key + " = " + v + " must be >= " + min);
            }
            return v;
        }

        private int toInt(String key, Object v) {
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())
                    && Math.abs(n.doubleValue()) <= Integer.MAX_VALUE) {
                return n.intValue();
            }
            throw new IllegalArgumentException(owner + ": parameter '" + key + "' = " + v + " must be an integer");
        }

        double dbl(String key, double dflt) {
            Object v = get(key, false);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Number n) {
                return n.doubleValue();
            }
            throw new IllegalArgumentException(owner + ": parameter '" + key + "' = " + v + " must be a number");
        }

        boolean bool(String key, boolean dflt) {
            Object v = get(key, false);
            if (v == null) {
                return dflt;
            }
            if (v instanceof Boolean b) {
                return b;
            }
            throw new IllegalArgumentException(owner + ": parameter '" + key + "' = " + v + " must be true or false");
        }

        String string(String key, String dflt) {
            return string(key, dflt, false);
        }

        String string(String key, String dflt, boolean required) {
            Object v = get(key, required);
            if (v == null) {
                return dflt;
            }
            if (v instanceof String s) {
                return s;
            }
            throw new IllegalArgumentException(owner + ": parameter '" + key + "' = " + v + " must be a string");
        }

        double[] doubles(String key) {
            Object v = get(key, true);
            if (v instanceof List<?> l) {
                double[] out = new double[l.size()];
                for (int i = 0; i < out.length; i++) {
                    if (!(l.get(i) instanceof Number n)) {
                        throw new IllegalArgumentException(owner + ": parameter '" + key + "' must be a list of numbers, got " + v);
                    }
                    out[i] = n.doubleValue();
                }
                return out;
            }
            throw new IllegalArgumentException(owner + ": parameter '" + key + "' = " + v + " must be a list of numbers");
        }

        void requireAllUsed() {
            List<String> extra = new ArrayList<>();
            for (String k : map.keySet()) {
                if (!known.contains(k)) {
                    extra.add(k);
                }
            }
            if (!extra.isEmpty()) {
                throw new IllegalArgumentException(owner + ": unknown parameter" + (extra.size() > 1 ? "s " : " ") + extra
                        + "; known: " + known);
            }
        }
    }
}
