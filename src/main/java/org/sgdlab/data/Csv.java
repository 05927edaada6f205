package org.sgdlab.data;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.sgdlab.tensor.Tensor;

/**
 * Numeric CSV files (raw or gzip-compressed, detected by magic): one row per line, finite numbers
 * separated by a delimiter, an optional header line, blank lines ignored.
 */
public final class Csv {

    private Csv() {
    }

    /**
     * Options of a labelled CSV file.
     *
     * @param header      the first line is a header (skipped)
     * @param labelColumn the column holding the integer class label; negative counts from the end (-1 = last)
     * @param classes     the number of classes, or 0 to use max(label) + 1
     * @param delimiter   the field separator
     */
    public record Options(boolean header, int labelColumn, int classes, char delimiter) {

        /** Comma-separated, no header, label in the last column, classes inferred. */
        public static Options defaults() {
            return new Options(false, -1, 0, ',');
        }

        public Options withHeader(boolean h) {
            return new Options(h, labelColumn, classes, delimiter);
        }

        public Options withLabelColumn(int c) {
            return new Options(header, c, classes, delimiter);
        }

        public Options withClasses(int k) {
            return new Options(header, labelColumn, k, delimiter);
        }

        public Options withDelimiter(char d) {
            return new Options(header, labelColumn, classes, d);
        }
    }

    /** All numbers of the file as a [rows, columns] tensor. */
    public static Tensor readMatrix(Path file, boolean header, char delimiter) {
        Table t = parse(DataFiles.readAll(file, "csv", null), file.toString(), header, delimiter);
        return Tensor.of(t.values, t.rows, t.cols);
    }

    /**
     * A classification data set: x = [n, columns - 1] (every column except the label, in order),
     * labels from {@code labelColumn} (integers, written as {@code 3} or {@code 3.0}), one-hot y.
     */
    public static Dataset load(String name, Path file, Options opt) {
        return load(name, DataFiles.readAll(file, "csv", null), file.toString(), opt);
    }

    /** As {@link #load(String, Path, Options)} for the (already gunzipped) bytes of a file named {@code file}. */
    static Dataset load(String name, byte[] content, String file, Options opt) {
        Table t = parse(content, file, opt.header(), opt.delimiter());
        int lc = opt.labelColumn() < 0 ? t.cols + opt.labelColumn() : opt.labelColumn();
        if (lc < 0 || lc >= t.cols) {
            throw new IllegalArgumentException("csv: " + file + ": label column " + opt.labelColumn()
                    + " does not exist; the file has " + t.cols + " columns");
        }
        if (t.cols < 2) {
            throw new IllegalArgumentException("csv: " + file + ": needs at least one feature column besides the label");
        }
        int d = t.cols - 1;
        double[] x = new double[t.rows * d];
        int[] labels = new int[t.rows];
        int max = -1;
        for (int i = 0; i < t.rows; i++) {
            double v = t.values[i * t.cols + lc];
            if (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("csv: " + file + ": line " + t.lines[i] + ", label column " + lc
                        + ": " + v + " is not a non-negative integer class label");
            }
            labels[i] = (int) v;
            max = Math.max(max, labels[i]);
            for (int j = 0, k = 0; j < t.cols; j++) {
                if (j != lc) {
                    x[i * d + k++] = t.values[i * t.cols + j];
                }
            }
        }
        int classes = opt.classes() > 0 ? opt.classes() : max + 1;
        if (max >= classes) {
            throw new IllegalArgumentException("csv: " + file + ": label " + max + " is outside [0, " + classes
                    + ") (classes = " + classes + ")");
        }
        return Dataset.classification(name, Tensor.of(x, t.rows, d), labels, classes);
    }

    private record Table(int rows, int cols, double[] values, int[] lines) {
    }

    private static Table parse(byte[] content, String file, boolean header, char delimiter) {
        String text = new String(content, StandardCharsets.UTF_8);
        String[] lines = text.split("\r?\n", -1);
        List<double[]> rows = new ArrayList<>();
        List<Integer> lineNos = new ArrayList<>();
        int cols = -1;
        boolean skippedHeader = !header;
        for (int ln = 0; ln < lines.length; ln++) {
            String line = lines[ln];
            if (line.isBlank()) {
                continue;
            }
            if (!skippedHeader) {
                skippedHeader = true;
                continue;
            }
            String[] f = split(line, delimiter);
            if (cols < 0) {
                cols = f.length;
            } else if (f.length != cols) {
                throw new IllegalArgumentException("csv: " + file + ": line " + (ln + 1) + " has " + f.length
                        + " fields, earlier rows have " + cols + "; truncated or corrupt file?");
            }
            double[] row = new double[cols];
            for (int j = 0; j < cols; j++) {
                row[j] = number(f[j].strip(), file, ln + 1, j, header);
            }
            rows.add(row);
            lineNos.add(ln + 1);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("csv: " + file + ": no data rows");
        }
        double[] values = new double[rows.size() * cols];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, values, i * cols, cols);
        }
        return new Table(rows.size(), cols, values, lineNos.stream().mapToInt(Integer::intValue).toArray());
    }

    private static String[] split(String line, char delimiter) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= line.length(); i++) {
            if (i == line.length() || line.charAt(i) == delimiter) {
                out.add(line.substring(start, i));
                start = i + 1;
            }
        }
        return out.toArray(new String[0]);
    }

    private static double number(String s, String file, int line, int col, boolean header) {
        // Java's parser also takes "1d", "0x1p3", "NaN"; a data file has plain decimal numbers
        boolean plain = !s.isEmpty();
        for (int i = 0; i < s.length() && plain; i++) {
            char c = s.charAt(i);
            plain = (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
        }
        double v = Double.NaN;
        if (plain) {
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                plain = false;
            }
        }
        if (!plain || !Double.isFinite(v)) {
            throw new IllegalArgumentException("csv: " + file + ": line " + line + ", column " + col + ": '" + s
                    + "' is not a finite number" + (header || line > 1 ? "" : " (does the file have a header line? "
                    + "set header = true)"));
        }
        return v;
    }
}
