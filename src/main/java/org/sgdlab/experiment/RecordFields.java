package org.sgdlab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Locale;
import java.util.Map;

/**
 * The one rule that turns a diagnostic record (a line of {@code diagnostics/NAME.jsonl}) into named scalars,
 * shared by the TensorBoard writer, the report and the sweep table. Keys are dot-separated paths:
 *
 * <pre>
 *   number or boolean            -&gt; prefix                     (sharpness)
 *   object {k: v, ...}           -&gt; prefix.k for each field    (loss_split.loss_top_1)
 *   array of at most 16 values   -&gt; prefix.i for each element  (hess_eig.0, layers.0.activation_density)
 * </pre>
 *
 * applied recursively, so a list of per-layer records gives one scalar per element and numeric field
 * ({@code layers.1.feature_sparsity}). Arrays longer than {@link #MAX_ARRAY} (spectra, histograms), text and
 * {@code null} give nothing; they stay in the jsonl file. Run files write non-finite numbers as {@code null}
 * ({@link Json}), so a NaN measurement is absent here, as it is from TensorBoard; the spellings {@code "NaN"},
 * {@code "inf"}, {@code "-Infinity"}, ... of hand-written files are read as those numbers ({@link #number}).
 */
public final class RecordFields {

    /** Longest array spread over one key per element ({@code hess_eig.0} ... {@code hess_eig.15}). */
    public static final int MAX_ARRAY = 16;

    private RecordFields() {
    }

    /**
     * Puts the scalars of {@code node} into {@code out} in document order, keyed {@code prefix.PATH} (just
     * {@code PATH} when {@code prefix} is empty, just {@code prefix} for a number or boolean at the root).
     * Values are {@link Long} for integral numbers, {@link Double} for other numbers and {@link Boolean}.
     *
     * @param prefix the key of {@code node} itself, e.g. a diagnostic's name, or "" for none
     * @param node a record, or any part of one; {@code null} gives nothing
     * @param out receives the scalars; a key already present is overwritten in place
     */
    public static void flatten(String prefix, JsonNode node, Map<String, Object> out) {
        if (node == null) {
            return;
        }
        if (node.isBoolean()) {
            out.put(prefix, node.booleanValue());
        } else if (node.isIntegralNumber()) {
            out.put(prefix, node.longValue());
        } else if (node.isNumber() || node.isTextual()) {
            Double d = number(node);
            if (d != null) {
                out.put(prefix, d);
            }
        } else if (node.isObject()) {
            node.fields().forEachRemaining(e -> flatten(join(prefix, e.getKey()), e.getValue(), out));
        } else if (node.isArray() && node.size() <= MAX_ARRAY) {
            for (int i = 0; i < node.size(); i++) {
                flatten(join(prefix, Integer.toString(i)), node.get(i), out);
            }
        }
    }

    /**
     * A JSON number as a double, or a string spelling a non-finite number ({@code "NaN"}, {@code "inf"},
     * {@code "+Infinity"}, {@code "-inf"}, ... in any case); null for anything else.
     */
    public static Double number(JsonNode n) {
        if (n.isNumber()) {
            return n.doubleValue();
        }
        if (n.isTextual()) {
            switch (n.asText().trim().toLowerCase(Locale.ROOT)) {
                case "nan":
                    return Double.NaN;
                case "inf":
                case "+inf":
                case "infinity":
                case "+infinity":
                    return Double.POSITIVE_INFINITY;
                case "-inf":
                case "-infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    return null;
            }
        }
        return null;
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }
}
