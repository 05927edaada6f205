package org.sgdlab.data;

import java.util.random.RandomGenerator;

/** Uniform sampling of indices; every draw order is fixed and documented here. */
public final class Draws {

    private Draws() {
    }

    /**
     * {@code m} distinct indices of [0, n), uniformly (every ordered m-tuple equally likely), by a
     * partial Fisher-Yates shuffle of the identity: for i = 0..m-1, j = i + rng.nextInt(n - i),
     * swap(i, j); the result is the first m entries in draw order. With m = n it is a uniform
     * permutation.
     */
    public static int[] sample(int n, int m, RandomGenerator rng) {
        if (m < 0 || m > n) {
            throw new IllegalArgumentException("sample: m = " + m + " distinct indices cannot be drawn from [0, "
                    + n + ")");
        }
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = 0; i < m; i++) {
            int j = i + rng.nextInt(n - i);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        if (m == n) {
            return a;
        }
        int[] out = new int[m];
        System.arraycopy(a, 0, out, 0, m);
        return out;
    }
}
