package org.sgdlab.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sgdlab.tensor.Tensor;

/**
 * The CIFAR-10 binary format ({@code cifar-10-batches-bin}): each file is a sequence of 3073-byte
 * records, one label byte (0..9) followed by 3072 pixel bytes, the 1024 red, then green, then blue
 * values of a 32x32 image in row-major order. Files may be gzip-compressed (detected by magic).
 */
public final class Cifar10 {

    public static final int CLASSES = 10;
    static final int PIXELS = 3 * 32 * 32;
    static final int RECORD = 1 + PIXELS;

    /** File names of the binary distribution. */
    public static final List<String> TRAIN_FILES = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin");
    public static final List<String> TEST_FILES = List.of("test_batch.bin");

    private Cifar10() {
    }

    /**
     * The first {@code limit} records (all when {@code limit < 0}) of the given files, in order:
     * x = [m, 3, 32, 32] raw pixel values 0..255, labels 0..9, one-hot y.
     */
    public static Dataset load(String name, List<Path> files, int limit) {
        List<byte[]> parts = new ArrayList<>();
        long total = 0;
        for (Path f : files) {
            byte[] b = DataFiles.readAll(f, "cifar10", "expected a CIFAR-10 binary batch (cifar-10-batches-bin)");
            if (b.length % RECORD != 0) {
                throw new IllegalArgumentException("cifar10: " + f + ": " + b.length + " bytes is not a multiple of the "
                        + RECORD + "-byte record (1 label + 3072 pixels); truncated or not a CIFAR-10 binary batch");
            }
            parts.add(b);
            total += b.length / RECORD;
            if (limit >= 0 && total >= limit) {
                break;
            }
        }
        if (limit > total) {
            throw new IllegalArgumentException("cifar10: limit " + limit + " exceeds the " + total + " records of "
                    + files);
        }
        int m = (int) (limit < 0 ? total : limit);
        double[] x = new double[m * PIXELS];
        int[] labels = new int[m];
        int i = 0;
        for (int p = 0; p < parts.size() && i < m; p++) {
            byte[] b = parts.get(p);
            for (int r = 0; r < b.length / RECORD && i < m; r++, i++) {
                int off = r * RECORD;
                labels[i] = b[off] & 0xff;
                if (labels[i] >= CLASSES) {
                    throw new IllegalArgumentException("cifar10: " + files.get(p) + ": record " + r + " has label "
                            + labels[i] + ", outside [0, 10); corrupt or not a CIFAR-10 batch");
                }
                for (int k = 0; k < PIXELS; k++) {
                    x[i * PIXELS + k] = b[off + 1 + k] & 0xff;
                }
            }
        }
        return Dataset.classification(name, Tensor.of(x, m, 3, 32, 32), labels, CLASSES);
    }

    /** The training ({@code data_batch_1..5.bin}) or test ({@code test_batch.bin}) records of a directory. */
    public static Dataset loadDir(Path dir, boolean train, int limit) {
        List<Path> files = new ArrayList<>();
        for (String f : train ? TRAIN_FILES : TEST_FILES) {
            files.add(dir.resolve(f));
        }
        return load(train ? "cifar10-train" : "cifar10-test", files, limit);
    }
}
