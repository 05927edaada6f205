package org.sgdlab.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The handwritten-digits data set (E. Alpaydin, C. Kaynak, 1998; UCI Machine Learning Repository,
 * CC BY 4.0) in scikit-learn's form: 1797 rows of 64 pixel counts 0..16 (an 8x8 image, row-major)
 * and a label 0..9 (STUDIES.md §8.1). sgdlab bundles the file as the class-path resource
 * {@value #RESOURCE} (attribution: {@code digits-ATTRIBUTION.txt} next to it), so the calibrated
 * studies run on a fresh machine.
 */
public final class Digits {

    /** Class-path location of the bundled file. */
    public static final String RESOURCE = "/org/sgdlab/data/digits.csv.gz";
    /** sha256 of the bundled {@code digits.csv.gz} (as published in shared/data/README.md). */
    public static final String SHA256 = "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a";
    /** The same file as installed by Debian's {@code python3-sklearn}. */
    public static final Path SKLEARN_PATH = Path.of("/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz");

    public static final int ROWS = 1797;
    public static final int FEATURES = 64;
    public static final int CLASSES = 10;

    private static final Csv.Options FORMAT = Csv.Options.defaults().withClasses(CLASSES);

    private Digits() {
    }

    /** All 1797 rows from the bundled resource: x = [1797, 64] raw counts 0..16, labels 0..9, one-hot y. */
    public static Dataset load() {
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("digits: class-path resource " + RESOURCE + " is missing from this "
                        + "build of sgdlab; load a file with Digits.load(path) (e.g. " + SKLEARN_PATH
                        + " from: sudo apt-get install python3-sklearn)");
            }
            return check(Csv.load("digits", DataFiles.readAll(in, "resource " + RESOURCE, "digits"), RESOURCE, FORMAT));
        } catch (IOException e) {
            throw new UncheckedIOException("digits: cannot read resource " + RESOURCE + ": " + e, e);
        }
    }

    /** The data set from a file in the same format, e.g. {@link #SKLEARN_PATH}. */
    public static Dataset load(Path file) {
        byte[] b = DataFiles.readAll(file, "digits",
                "install it with: sudo apt-get install python3-sklearn (or use the bundled copy, Digits.load())");
        return check(Csv.load("digits", b, file.toString(), FORMAT));
    }

    private static Dataset check(Dataset d) {
        if (d.inputDim() != FEATURES) {
            throw new IllegalArgumentException("digits: expected " + FEATURES + " pixel columns and a label, got "
                    + d.inputDim() + " feature columns");
        }
        return d;
    }
}
