package org.sgdlab.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.sgdlab.tensor.Tensor;

/**
 * The IDX format of MNIST and Fashion-MNIST (raw or gzip-compressed, detected by the gzip magic).
 *
 * <p>Layout (big-endian): the magic {@code 00 00 08 r} (unsigned-byte elements, r dimensions), r
 * 32-bit counts, then the product of the counts in unsigned bytes, row-major. Image files have
 * magic 0x00000803 ([N, rows, cols]), label files 0x00000801 ([N]) (STUDIES.md §8.2). A file whose
 * byte count differs from what its counts announce, or with another magic, is an
 * {@link IllegalArgumentException} naming the file.
 */
public final class Idx {

    /** Magic of an image file: unsigned bytes, 3 dimensions. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic of a label file: unsigned bytes, 1 dimension. */
    public static final int LABELS_MAGIC = 0x00000801;

    private Idx() {
    }

    /** The contents of an IDX file: its dimensions and the unsigned-byte values (row-major). */
    public record Array(int[] dims, byte[] data) {

        /** The unsigned value at flat index {@code i}. */
        public int get(int i) {
            return data[i] & 0xff;
        }

        @Override
        public String toString() {
            return "Idx.Array" + Arrays.toString(dims);
        }
    }

    /** Reads an unsigned-byte IDX file of any rank. */
    public static Array read(Path file) {
        return read(file, "idx", null);
    }

    static Array read(Path file, String what, String hint) {
        byte[] b = DataFiles.readAll(file, what, hint);
        if (b.length < 4) {
            throw corrupt(what, file, "too short for an IDX header (" + b.length + " bytes)");
        }
        int magic = u32(b, 0);
        int type = b[2] & 0xff;
        int rank = b[3] & 0xff;
        if (b[0] != 0 || b[1] != 0) {
            throw corrupt(what, file, String.format(Locale.ROOT, "bad magic 0x%08X; an IDX file starts with 00 00",
                    magic));
        }
        if (type != 0x08) {
            throw corrupt(what, file, String.format(Locale.ROOT,
                    "unsupported element type 0x%02X (magic 0x%08X); only unsigned bytes (0x08) are supported", type,
                    magic));
        }
        if (rank < 1) {
            throw corrupt(what, file, "rank 0 in the magic; an IDX file has at least one dimension");
        }
        int headerBytes = 4 + 4 * rank;
        if (b.length < headerBytes) {
            throw corrupt(what, file, "truncated header: " + rank + " dimensions need " + headerBytes + " bytes, file has "
                    + b.length);
        }
        int[] dims = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++) {
            dims[i] = u32(b, 4 + 4 * i);
            if (dims[i] < 0) {
                throw corrupt(what, file, "dimension " + i + " is negative (" + dims[i] + ")");
            }
            count *= dims[i];
            if (count > Integer.MAX_VALUE) {
                throw corrupt(what, file, "dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1))
                        + "... describe more than 2^31 bytes; corrupt header?");
            }
        }
        long present = b.length - headerBytes;
        if (present != count) {
            String dimsStr = Arrays.toString(dims);
            throw corrupt(what, file, (present < count ? "truncated: " : "corrupt: ") + "dimensions " + dimsStr
                    + " need " + count + " bytes of data, found " + present);
        }
        return new Array(dims, Arrays.copyOfRange(b, headerBytes, b.length));
    }

    /**
     * An image/label pair as a classification data set: x = the first {@code limit} images as
     * [m, 1, rows, cols] with raw pixel values 0..255 (no scaling), labels in [0, classes), one-hot
     * y. {@code limit < 0} means all images.
     */
    public static Dataset load(String name, Path images, Path labels, int limit, int classes) {
        return load(name, images, labels, limit, classes, null);
    }

    static Dataset load(String name, Path images, Path labels, int limit, int classes, String hint) {
        Array im = readExpecting(images, IMAGES_MAGIC, name, hint);
        Array lb = readExpecting(labels, LABELS_MAGIC, name, hint);
        int n = im.dims()[0];
        if (lb.dims()[0] != n) {
            throw new IllegalArgumentException(name + ": " + images + " holds " + n + " images but " + labels
                    + " holds " + lb.dims()[0] + " labels");
        }
        int m = limit < 0 ? n : limit;
        if (m > n) {
            throw new IllegalArgumentException(name + ": limit " + limit + " exceeds the " + n + " images of " + images);
        }
        int rows = im.dims()[1];
        int cols = im.dims()[2];
        int pix = rows * cols;
        double[] x = new double[m * pix];
        for (int i = 0; i < x.length; i++) {
            x[i] = im.get(i);
        }
        int[] lab = new int[m];
        for (int i = 0; i < m; i++) {
            lab[i] = lb.get(i);
            if (lab[i] >= classes) {
                throw new IllegalArgumentException(name + ": " + labels + ": label " + lab[i] + " of item " + i
                        + " is outside [0, " + classes + "); corrupt label file?");
            }
        }
        return Dataset.classification(name, Tensor.of(x, m, 1, rows, cols), lab, classes);
    }

    private static Array readExpecting(Path file, int magic, String what, String hint) {
        Array a = read(file, what, hint);
        int got = 0x0800 | a.dims().length;
        if (got != magic) {
            throw corrupt(what, file, String.format(Locale.ROOT, "magic 0x%08X, expected 0x%08X (%s file)", got, magic,
                    magic == IMAGES_MAGIC ? "an image" : "a label"));
        }
        return a;
    }

    private static int u32(byte[] b, int off) {
        return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
    }

    private static IllegalArgumentException corrupt(String what, Path file, String msg) {
        return new IllegalArgumentException(what + ": " + file + ": " + msg);
    }
}
