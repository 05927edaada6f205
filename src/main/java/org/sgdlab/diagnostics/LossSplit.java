package org.sgdlab.diagnostics;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sgdlab.tensor.Tensor;

/**
 * The squared loss split onto the top-s eigenspace of the normalised tangent kernel (QUANTITIES.md
 * Q10.2): with unit eigenvectors p_1, p_2, ... of K-bar(theta_t) (descending eigenvalues) and the
 * stacked residual r = f - y in R^{nk} (sample-major),
 *
 * <pre>
 *   L       = (c/n) ||r||^2
 *   L_top,s = (c/n) ||P_s r||^2 = (c/n) sum_{i &lt;= s} &lt;p_i, r&gt;^2
 *   L_rest,s = (c/n) ||(I - P_s) r||^2 = L - L_top,s
 * </pre>
 *
 * (Zhu, Liu, Radhakrishnan, Belkin, ICML 2024, arXiv 2306.04815; the precursor's Pi_i L =
 * 1/2 &lt;g - y, p_i&gt;^2 generalised to n examples). L_rest is computed from the projected residual
 * (I - P_s) r, not by subtraction, so L_top + L_rest = L holds to rounding and tests the
 * orthonormality of the vectors. If s exceeds the number of vectors given, all of them are used.
 */
public final class LossSplit {

    private LossSplit() {
    }

    /** One split: L_top,s, L_rest,s and L. */
    public record Split(int s, double top, double rest, double loss) {
    }

    /**
     * The split of {@code r} ({@code [nk]} or {@code [n, k]}, sample-major) onto the first {@code s} of
     * {@code vectors} (unit, orthogonal, each of {@code r.size()} entries), with factor {@code c/n}
     * given as {@code cOverN}.
     */
    public static Split of(Tensor r, List<Tensor> vectors, int s, double cOverN) {
        double[] rv = r.toArray();
        check(rv.length, vectors, s);
        int m = Math.min(s, vectors.size());
        double[] rest = rv.clone();
        double top = 0;
        for (int i = 0; i < m; i++) {
            double[] u = vectors.get(i).toArray();
            double c = dot(u, rv);
            top += c * c;
            for (int j = 0; j < rest.length; j++) {
                rest[j] -= c * u[j];
            }
        }
        return new Split(s, cOverN * top, cOverN * dot(rest, rest), cOverN * dot(rv, rv));
    }

    /**
     * The splits for every s in {@code dims}, as the map {@code loss_top_<s> -> L_top,s, loss_rest_<s> ->
     * L_rest,s} in the order of {@code dims} (the keys of QUANTITIES.md Q10.2), unmodifiable.
     */
    public static Map<String, Double> keyed(Tensor r, List<Tensor> vectors, int[] dims, double cOverN) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (int s : dims) {
            Split sp = of(r, vectors, s, cOverN);
            out.put(topKey(s), sp.top());
            out.put(restKey(s), sp.rest());
        }
        return Collections.unmodifiableMap(out);
    }

    /** {@code loss_top_<s>}. */
    public static String topKey(int s) {
        return "loss_top_" + s;
    }

    /** {@code loss_rest_<s>}. */
    public static String restKey(int s) {
        return "loss_rest_" + s;
    }

    /**
     * The number of unstable kernel directions at learning rate eta (Q10.2):
     * {@code s* = max(1, #{i : eta lambda_i > 2})} for the eigenvalues of K-bar at spike onset
     * (derived: under r_{t+1} = (I - eta K-bar) r_t exactly these directions grow).
     */
    public static int unstableDims(double eta, double[] eigenvalues) {
        int count = 0;
        for (double l : eigenvalues) {
            if (eta * l > 2) {
                count++;
            }
        }
        return Math.max(1, count);
    }

    private static void check(int dim, List<Tensor> vectors, int s) {
        if (s < 1) {
            throw new IllegalArgumentException("LossSplit: s must be >= 1, got " + s);
        }
        if (vectors == null || vectors.isEmpty()) {
            throw new IllegalArgumentException("LossSplit: no eigenvectors given");
        }
        for (int i = 0; i < Math.min(s, vectors.size()); i++) {
            if (vectors.get(i).size() != dim) {
                throw new IllegalArgumentException("LossSplit: eigenvector " + i + " has shape "
                        + Arrays.toString(vectors.get(i).shape()) + " but the residual has " + dim + " entries");
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
