package org.sgdlab.data;

import java.nio.file.Path;
import java.util.List;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The data recipes of the {@code eos} and {@code eoss} studies (STUDIES.md §1.1, §8), by the
 * names of {@code --data}: {@code digits}, {@code fashion-mnist}, {@code synthetic}.
 */
public final class Presets {

    public static final String DIGITS = "digits";
    public static final String FASHION_MNIST = "fashion-mnist";
    public static final String SYNTHETIC = "synthetic";
    /** Every preset name. */
    public static final List<String> NAMES = List.of(DIGITS, FASHION_MNIST, SYNTHETIC);

    /** Fashion-MNIST's global pixel mean and standard deviation after /255 (EoSS code; §8.2). */
    public static final double FASHION_MEAN = 0.2860;
    public static final double FASHION_STD = 0.3530;

    private Presets() {
    }

    /**
     * A prepared training set, its test set (possibly empty) and the normalisation fitted on the
     * training inputs and applied to both ({@code null} when none was applied).
     */
    public record Prepared(Dataset train, Dataset test, Standardization normalization) {
    }

    /**
     * Options of the presets; {@link #defaults()} is the calibrated configuration.
     *
     * @param trainSize     training rows (the first ones; 1000)
     * @param testSize      test rows (Fashion-MNIST: the first of the test split; synthetic: drawn; 1000);
     *                      for digits the test set is the rows after the training rows, at most this many
     * @param path          digits: a CSV file instead of the bundled copy; Fashion-MNIST: the directory of
     *                      the IDX files instead of {@link FashionMnist#DEFAULT_DIR}; {@code null} = default
     * @param resolution    Fashion-MNIST: 14 (2x2 average pooling, default) or 28
     * @param globalNormalization Fashion-MNIST: (x/255 − 0.2860)/0.3530 instead of per-feature standardisation
     * @param dataSeed      synthetic: the seed of the {@code data} stream
     */
    public record Options(int trainSize, int testSize, Path path, int resolution, boolean globalNormalization,
            long dataSeed) {

        public Options {
            if (trainSize < 1) {
                throw new IllegalArgumentException("presets: train_size = " + trainSize + " must be >= 1");
            }
            if (testSize < 0) {
                throw new IllegalArgumentException("presets: test_size = " + testSize + " must be >= 0");
            }
            if (resolution != 14 && resolution != 28) {
                throw new IllegalArgumentException("Presets.Options: Fashion-MNIST resolution " + resolution
                        + " is not supported; use 14 (2x2 average pooling) or 28");
            }
        }

        public static Options defaults() {
            return new Options(1000, 1000, null, 14, false, 0);
        }

        public Options withTrainSize(int n) {
            return new Options(n, testSize, path, resolution, globalNormalization, dataSeed);
        }

        public Options withTestSize(int n) {
            return new Options(trainSize, n, path, resolution, globalNormalization, dataSeed);
        }

        public Options withPath(Path p) {
            return new Options(trainSize, testSize, p, resolution, globalNormalization, dataSeed);
        }

        public Options withResolution(int r) {
            return new Options(trainSize, testSize, path, r, globalNormalization, dataSeed);
        }

        public Options withGlobalNormalization(boolean g) {
            return new Options(trainSize, testSize, path, resolution, g, dataSeed);
        }

        public Options withDataSeed(long s) {
            return new Options(trainSize, testSize, path, resolution, globalNormalization, s);
        }
    }

    /** The preset {@code name} ({@code digits}, {@code fashion-mnist}, {@code synthetic}). */
    public static Prepared load(String name, Options opt) {
        return switch (String.valueOf(name)) {
            case DIGITS -> digits(opt);
            case FASHION_MNIST -> fashionMnist(opt);
            case SYNTHETIC -> synthetic(opt);
            default -> throw new IllegalArgumentException("unknown data preset '" + name + "'; known: "
                    + String.join(", ", NAMES));
        };
    }

    /**
     * digits-1000 (STUDIES.md §1.1, §8.1): the first {@code trainSize} = 1000 rows of the 1797, each
     * of the 64 features standardised with the mean and population standard deviation of those rows
     * (zero std → 1), one-hot targets, k = 10. Test set (sgdlab choice, used by no criterion): the
     * following rows (797 at most), standardised with the training statistics.
     */
    public static Prepared digits(Options opt) {
        Dataset all = opt.path() == null ? Digits.load() : Digits.load(opt.path());
        if (opt.trainSize() > all.size()) {
            throw new IllegalArgumentException("digits: train_size " + opt.trainSize() + " exceeds the " + all.size()
                    + " rows of the data set (allowed: 1 to " + all.size() + "; the test rows are those after them)");
        }
        Dataset.Split s = all.splitFirst(opt.trainSize());
        Dataset test = s.test().first(Math.min(opt.testSize(), s.test().size()));
        return standardise(s.train().withName("digits-" + opt.trainSize()), test.withName("digits-test"));
    }

    /**
     * fashion-mnist-1000 (STUDIES.md §8.2): the first {@code trainSize} = 1000 training images and the
     * first {@code testSize} = 1000 test images; pixels / 255; 2x2 average pooling to 14x14 = 196
     * inputs unless resolution 28 (784 inputs); flattened; each feature standardised over the
     * training images (zero std → 1), the test images with the training statistics; or, with
     * {@code globalNormalization}, (x/255 − 0.2860)/0.3530 for every pixel; one-hot targets.
     */
    public static Prepared fashionMnist(Options opt) {
        Path dir = opt.path() == null ? FashionMnist.DEFAULT_DIR : opt.path();
        Dataset train = fashionInputs(FashionMnist.load(dir, true, opt.trainSize()), opt.resolution());
        Dataset test = opt.testSize() == 0 ? train.first(0)
                : fashionInputs(FashionMnist.load(dir, false, opt.testSize()), opt.resolution());
        String name = "fashion-mnist-" + opt.trainSize() + (opt.resolution() == 28 ? "-28" : "");
        train = train.withName(name);
        test = test.withName("fashion-mnist-test");
        if (opt.globalNormalization()) {
            Standardization g = Standardization.global(FASHION_MEAN, FASHION_STD, train.inputDim());
            return new Prepared(g.apply(train), g.apply(test), g);
        }
        return standardise(train, test);
    }

    /** x / 255, pooled 2x2 to 14x14 unless resolution 28, flattened: [m, 1, 28, 28] -> [m, 196 | 784]. */
    static Dataset fashionInputs(Dataset d, int resolution) {
        Tensor x = d.x().div(255.0);
        if (resolution == 14) {
            x = x.avgPool2d(2, 2, 0); // [m, 1, 28, 28] -> [m, 1, 14, 14]
        }
        return d.withX(x.reshape(d.size(), -1));
    }

    /**
     * The synthetic stand-in (STUDIES.md §8.3): {@link Synthetic#syntheticDigits} with n =
     * {@code trainSize} and {@code testSize} test points, drawn from {@code Rng.stream(dataSeed,
     * "data")}; no standardisation (the inputs are already N(0, I)).
     */
    public static Prepared synthetic(Options opt) {
        Synthetic.Task t = Synthetic.syntheticDigits(opt.trainSize(), opt.testSize(),
                Rng.stream(opt.dataSeed(), Rng.DATA));
        return new Prepared(t.train(), t.test(), null);
    }

    private static Prepared standardise(Dataset train, Dataset test) {
        Standardization s = Standardization.fit(train);
        return new Prepared(s.apply(train), s.apply(test), s);
    }
}
