package org.sgdlab.data;

import java.nio.file.Path;

/**
 * Fashion-MNIST (Xiao, Rasul, Vollgraf 2017) from Debian's {@code dataset-fashion-mnist} package
 * (STUDIES.md §8.2): four gzip-compressed IDX files in {@value #DEFAULT_DIR_NAME}, 60,000 training
 * and 10,000 test images of 28x28 unsigned bytes, labels 0..9.
 */
public final class FashionMnist {

    static final String DEFAULT_DIR_NAME = "/usr/share/datasets/fashion-mnist";
    /** Where Debian's package installs the files. */
    public static final Path DEFAULT_DIR = Path.of(DEFAULT_DIR_NAME);
    public static final String PACKAGE = "dataset-fashion-mnist";
    public static final int CLASSES = 10;
    public static final int TRAIN_SIZE = 60_000;
    public static final int TEST_SIZE = 10_000;

    static final String HINT = "install it with: sudo apt-get install " + PACKAGE
            + " (or pass the directory that holds the four IDX files)";

    private FashionMnist() {
    }

    /**
     * The first {@code limit} images (all when {@code limit < 0}) of the training
     * ({@code train-*-idx*-ubyte.gz}) or test ({@code t10k-*}) split: x = [m, 1, 28, 28] raw pixel
     * values 0..255, labels 0..9, one-hot y.
     */
    public static Dataset load(Path dir, boolean train, int limit) {
        String p = train ? "train" : "t10k";
        return Idx.load(train ? "fashion-mnist-train" : "fashion-mnist-test",
                dir.resolve(p + "-images-idx3-ubyte.gz"), dir.resolve(p + "-labels-idx1-ubyte.gz"), limit, CLASSES,
                HINT);
    }

    /** As {@link #load(Path, boolean, int)} from {@link #DEFAULT_DIR}. */
    public static Dataset load(boolean train, int limit) {
        return load(DEFAULT_DIR, train, limit);
    }
}
