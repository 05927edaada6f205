package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import org.sgdlab.data.Dataset;

/**
 * The subset of the training set on which full-batch curvature is measured (QUANTITIES.md Q6.1, Q4):
 *
 * <table>
 * <caption>subset policies</caption>
 * <tr><th>policy</th><th>examples</th><th>origin</th></tr>
 * <tr><td>{@code all}</td><td>the whole training set</td><td>—</td></tr>
 * <tr><td>{@code first_n}</td><td>the first N (default 5000)</td><td>Cohen et al.'s {@code take_first}</td></tr>
 * <tr><td>{@code random_n}</td><td>a fresh uniform subset of N distinct examples (default 4096) at every
 * measurement, from the diagnostic's {@code probes} stream</td><td>EoSS {@code lmax_max_size}</td></tr>
 * <tr><td>{@code auto} (default)</td><td>{@code all} when n &lt;= 5000, else {@code first_n} with N = 5000
 * (Q6.1: {@code ALL} is the default when n &lt;= 5000; the rule above it is a toolkit choice)</td><td>toolkit</td></tr>
 * </table>
 *
 * <p>An N at least n means all examples. Random draw order: m calls {@code rng.nextInt(n - i)},
 * i = 0..m-1 (partial Fisher-Yates of the identity), then the indices are sorted ascending so the
 * subset keeps the data order. Reports label a subset of {@code random_n} as such: it is the
 * sharpness of a random part of the data, a different quantity from the full sharpness.
 *
 * @param policy the policy
 * @param size   N for {@code first_n} and {@code random_n} (ignored otherwise), at least 1
 */
public record Subset(Policy policy, int size) {

    /** Default N of {@code first_n} (Cohen's {@code abridged_size}). */
    public static final int FIRST_N_DEFAULT = 5000;
    /** Default N of {@code random_n} (EoSS {@code lmax_max_size}). */
    public static final int RANDOM_N_DEFAULT = 4096;
    /** {@code auto} uses all examples up to this n. */
    public static final int AUTO_ALL_MAX = 5000;

    /** The subset policies of Q6.1 and {@code auto}. */
    public enum Policy {
        AUTO("auto"), ALL("all"), FIRST_N("first_n"), RANDOM_N("random_n");

        private final String id;

        Policy(String id) {
            this.id = id;
        }

        /** The spec spelling ({@code all}, {@code first_n}, {@code random_n}, {@code auto}). */
        public String id() {
            return id;
        }

        static List<String> names() {
            return Arrays.stream(values()).map(Policy::id).toList();
        }

        /** The policy spelled {@code name} (case-insensitive); unknown names fail listing the valid ones. */
        public static Policy of(String name) {
            for (Policy p : values()) {
                if (p.id.equalsIgnoreCase(String.valueOf(name).trim())) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown subset policy '" + name + "'; known: " + String.join(", ", names()));
        }
    }

    public Subset {
        if (policy == null) {
            throw new IllegalArgumentException("subset: policy is null; known: " + String.join(", ", Policy.names()));
        }
        if (size < 1) {
            throw new IllegalArgumentException("subset: subset_size must be >= 1, got " + size);
        }
    }

    /** All examples. */
    public static Subset all() {
        return new Subset(Policy.ALL, FIRST_N_DEFAULT);
    }

    /** The first N examples. */
    public static Subset firstN(int n) {
        return new Subset(Policy.FIRST_N, n);
    }

    /** A fresh random N at every measurement. */
    public static Subset randomN(int n) {
        return new Subset(Policy.RANDOM_N, n);
    }

    /** All when n &lt;= 5000, else the first 5000 (the default). */
    public static Subset auto() {
        return new Subset(Policy.AUTO, FIRST_N_DEFAULT);
    }

    /**
     * The examples one measurement uses: the data, the policy that was applied ({@code all},
     * {@code first_n} or {@code random_n}), and the indices into the training set (ascending).
     */
    public record Selection(Dataset data, String policy, int[] indices) {
        /** The number of examples N. */
        public int n() {
            return data.size();
        }

        @Override
        public int[] indices() {
            return indices.clone();
        }
    }

    /**
     * The subset of {@code train} for one measurement; {@code rng} (the diagnostic's {@code probes}
     * stream) is drawn from only by {@code random_n} with N &lt; n.
     */
    public Selection select(Dataset train, RandomGenerator rng) {
        int n = train.size();
        Policy p = policy;
        int m = size;
        if (p == Policy.AUTO) {
            p = n <= AUTO_ALL_MAX ? Policy.ALL : Policy.FIRST_N;
            m = AUTO_ALL_MAX;
        }
        if (p == Policy.ALL || m >= n) {
            return new Selection(train, p.id(), range(n));
        }
        if (p == Policy.FIRST_N) {
            return new Selection(train.first(m), p.id(), range(m));
        }
        int[] idx = distinct(n, m, rng);
        Arrays.sort(idx);
        return new Selection(train.batch(idx), p.id(), idx);
    }

    /** The label of this configuration, e.g. {@code all}, {@code first_n(5000)}, {@code auto}. */
    public String describe() {
        return policy == Policy.ALL || policy == Policy.AUTO ? policy.id() : policy.id() + "(" + size + ")";
    }

    // ------------------------------------------------------------------ run-spec keys

    /** {@code own} followed by the keys {@link #read} takes, {@code subset} and {@code subset_size}. */
    static List<String> withKeys(String... own) {
        List<String> keys = new ArrayList<>(List.of(own));
        keys.addAll(List.of("subset", "subset_size"));
        return List.copyOf(keys);
    }

    /**
     * The policy of the keys {@code subset} (default {@code auto}) and {@code subset_size} (N >= 1; default
     * 5000 for {@code first_n}, 4096 for {@code random_n}; an error with {@code all} or {@code auto}).
     */
    static Subset read(DiagnosticParams p) {
        Policy policy = Policy.of(p.choice("subset", Policy.AUTO.id(), Policy.names()));
        if (p.has("subset_size") && (policy == Policy.ALL || policy == Policy.AUTO)) {
            throw new IllegalArgumentException(p.field("subset_size") + " is only used with subset first_n or random_n,"
                    + " not '" + policy.id() + "'");
        }
        int def = policy == Policy.RANDOM_N ? RANDOM_N_DEFAULT : FIRST_N_DEFAULT;
        return new Subset(policy, p.integer("subset_size", def, 1, Integer.MAX_VALUE));
    }

    // ------------------------------------------------------------------ named subsets (symmetry and noise)

    /**
     * The subset kinds of the symmetry and noise diagnostics (Q4), which keep the kind and its size as two
     * config fields: {@code all}, {@code first_n}, {@code random_n} (no {@code auto}; the random rows come from
     * {@link Dataset#randomSubset}, not from {@link #select}).
     */
    static final List<String> NAMED = List.of("all", "first_n", "random_n");

    /** Checks a named subset kind and its size (size >= 1 unless the kind is {@code all}). */
    static void checkNamed(String diagnostic, String kind, int size) {
        if (!NAMED.contains(kind)) {
            throw DiagnosticParams.invalid("diagnostics." + diagnostic + ".subset", kind, "one of "
                    + String.join(", ", NAMED));
        }
        if (!kind.equals("all") && size < 1) {
            throw new IllegalArgumentException("diagnostics." + diagnostic + ".subset_size must be >= 1 for subset "
                    + kind + ", got " + size);
        }
    }

    /**
     * The evaluation set of a named subset: all training data, its first n rows, or n random rows drawn from
     * the {@code probes} stream of the diagnostic (Q4); n is capped at the training-set size.
     */
    static Dataset selectNamed(Probe probe, String diagnostic, String kind, int size) {
        checkNamed(diagnostic, kind, size);
        Dataset train = probe.problem().train();
        int n = Math.min(size, train.size());
        switch (kind) {
            case "all":
                return train;
            case "first_n":
                return train.first(n);
            default:
                return train.randomSubset(n, probe.rng("probes", diagnostic));
        }
    }

    static int[] range(int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    /**
     * m distinct indices of [0, n), uniformly, in draw order: partial Fisher-Yates of the identity,
     * {@code j = i + rng.nextInt(n - i)}, swap(i, j), for i = 0..m-1. The fresh batches of Q7 are drawn
     * this way (b distinct indices inside a batch, independent across draws).
     */
    static int[] distinct(int n, int m, RandomGenerator rng) {
        // fully qualified: this package has a Draws of its own
        return org.sgdlab.data.Draws.sample(n, m, rng);     // the draw order of data's samplers, shared
    }
}
