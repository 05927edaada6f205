package org.sgdlab.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties over random shapes (rank 0-4, dimensions 0-4) and values: broadcasting against the
 * naive loop, round trips of reshape and permute, reductions, associativity of matmul, and
 * concat/slice inverses. Sizes stay small so each property runs in well under a second.
 */
class TensorProperties {

    /** A broadcast-compatible pair of operand shapes. */
    record Pair(int[] a, int[] b) {
        @Override
        public String toString() {
            return Arrays.toString(a) + " , " + Arrays.toString(b);
        }
    }

    @Provide
    Arbitrary<int[]> shapes() {
        Arbitrary<Integer> dim = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just(0)),
                net.jqwik.api.Tuple.of(10, Arbitraries.integers().between(1, 4)));
        return dim.array(int[].class).ofMinSize(0).ofMaxSize(4);
    }

    /** From an output shape: each operand drops some leading axes and turns some axes into 1. */
    @Provide
    Arbitrary<Pair> broadcastPairs() {
        Arbitrary<Integer> drop = Arbitraries.integers().between(0, 4);
        Arbitrary<Integer> mask = Arbitraries.integers().between(0, 15);
        return Combinators.combine(shapes(), drop, drop, mask, mask)
                .as((out, da, db, ma, mb) -> new Pair(derive(out, da, ma), derive(out, db, mb)));
    }

    static int[] derive(int[] out, int drop, int mask) {
        int[] s = Arrays.copyOfRange(out, Math.min(drop, out.length), out.length);
        for (int d = 0; d < s.length; d++) {
            if ((mask & (1 << d)) != 0) {
                s[d] = 1;
            }
        }
        return s;
    }

    @Property(tries = 300)
    boolean broadcastingAddAndMulCommuteAndMatchTheNaiveLoop(@ForAll("broadcastPairs") Pair p, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor a = Ref.randn(rng, p.a());
        Tensor b = Ref.randn(rng, p.b());
        int[] os = Ref.broadcastShape(p.a(), p.b());
        double[] sum = Ref.binary(Double::sum, a.toArray(), p.a(), b.toArray(), p.b(), os);
        double[] prod = Ref.binary((x, y) -> x * y, a.toArray(), p.a(), b.toArray(), p.b(), os);
        Ref.assertExact("a + b " + p, os, sum, a.add(b));
        Ref.assertExact("b + a " + p, os, sum, b.add(a));
        Ref.assertExact("a * b " + p, os, prod, a.mul(b));
        Ref.assertExact("b * a " + p, os, prod, b.mul(a));
        return true;
    }

    @Property(tries = 300)
    boolean reshapeRoundTrips(@ForAll("shapes") int[] shape, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Ref.randn(rng, shape);
        double[] v = x.toArray();
        Ref.assertExact("flatten then back", shape, v, x.reshape(-1).reshape(shape));
        int[] rev = shape.clone();
        for (int i = 0; i < rev.length / 2; i++) {
            int t = rev[i];
            rev[i] = rev[rev.length - 1 - i];
            rev[rev.length - 1 - i] = t;
        }
        Ref.assertExact("reversed shape then back", shape, v, x.reshape(rev).reshape(shape));
        if (shape.length > 0 && x.size() > 0) {
            int[] withInfer = shape.clone();
            withInfer[rng.nextInt(shape.length)] = -1;
            Ref.assertExact("reshape with -1 " + Arrays.toString(withInfer), shape, v, x.reshape(withInfer));
        }
        return true;
    }

    static int[] permutation(SplittableRandom rng, int r) {
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = i;
        }
        for (int i = r - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Property(tries = 300)
    boolean permuteMatchesNaiveAndItsInverseRestores(@ForAll("shapes") int[] shape, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Ref.randn(rng, shape);
        int r = shape.length;
        int[] p = permutation(rng, r);
        int[] inv = new int[r];
        int[] os = new int[r];
        for (int d = 0; d < r; d++) {
            inv[p[d]] = d;
            os[d] = shape[p[d]];
        }
        Tensor y = x.permute(p);
        Ref.assertExact("permute " + Arrays.toString(p), os, Ref.permute(x.toArray(), shape, p, os), y);
        Ref.assertExact("inverse permute", shape, x.toArray(), y.permute(inv));
        return true;
    }

    @Property(tries = 300)
    boolean sumOverAxesEqualsTheNaiveReduction(@ForAll("shapes") int[] shape, @ForAll @IntRange(min = 0, max = 15) int mask,
                                               @ForAll boolean keepdims, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor x = Ref.randn(rng, shape);
        int r = shape.length;
        int m = mask & ((1 << r) - 1);
        int[] axes = new int[Integer.bitCount(m)];
        boolean[] red = new boolean[r];
        for (int d = 0, j = 0; d < r; d++) {
            red[d] = m == 0 || (m & (1 << d)) != 0;
            if ((m & (1 << d)) != 0) {
                axes[j++] = d;
            }
        }
        Ref.Reduced want = Ref.reduce(x.toArray(), shape, red, keepdims, false);
        Ref.assertClose("sum " + Arrays.toString(shape) + " axes " + Arrays.toString(axes) + " keepdims=" + keepdims,
                want.shape(), want.values(), want.absSum(), 1e-13, x.sum(axes, keepdims));
        return true;
    }

    @Property(tries = 100)
    boolean matmulIsAssociativeWithinRounding(@ForAll @IntRange(min = 1, max = 40) int m,
                                              @ForAll @IntRange(min = 1, max = 40) int k,
                                              @ForAll @IntRange(min = 1, max = 40) int l,
                                              @ForAll @IntRange(min = 1, max = 40) int n, @ForAll long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Tensor a = Ref.randn(rng, m, k);
        Tensor b = Ref.randn(rng, k, l);
        Tensor c = Ref.randn(rng, l, n);
        double[] left = a.matmul(b).matmul(c).toArray();
        // error scale (|A| |B| |C|)_ij: both groupings are within (k + l) eps of it
        Tensor abs = a.abs().matmul(b.abs()).matmul(c.abs());
        Ref.assertClose("(AB)C vs A(BC) for m,k,l,n = " + m + "," + k + "," + l + "," + n, new int[] {m, n}, left,
                abs.toArray(), 1e-13, a.matmul(b.matmul(c)));
        return true;
    }

    @Property(tries = 300)
    boolean concatThenSlicesRecoverTheParts(@ForAll("shapes") int[] base, @ForAll @IntRange(min = 0, max = 3) int axisPick,
                                            @ForAll @IntRange(min = 1, max = 4) int parts, @ForAll long seed) {
        if (base.length == 0) {
            base = new int[] {2};
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int axis = axisPick % base.length;
        Tensor[] ts = new Tensor[parts];
        int[] starts = new int[parts + 1];
        for (int i = 0; i < parts; i++) {
            int[] s = base.clone();
            s[axis] = rng.nextInt(4);
            ts[i] = Ref.randn(rng, s);
            starts[i + 1] = starts[i] + s[axis];
        }
        Tensor joined = Tensor.concat(axis, ts);
        int[] js = base.clone();
        js[axis] = starts[parts];
        Ref.assertShape("concat", js, joined);
        for (int i = 0; i < parts; i++) {
            Ref.assertExact("slice " + i + " of concat along " + axis, ts[i].shape(), ts[i].toArray(),
                    joined.slice(axis, starts[i], starts[i + 1]));
        }
        return true;
    }

    @Property(tries = 200)
    boolean expandAndSumToAreAdjoint(@ForAll("broadcastPairs") Pair p, @ForAll long seed) {
        // <expand(x), y> = <x, sumTo(y)> for x of shape a, y of the broadcast shape
        SplittableRandom rng = new SplittableRandom(seed);
        int[] os = Ref.broadcastShape(p.a(), p.b());
        Tensor x = Ref.randn(rng, p.a());
        Tensor y = Ref.randn(rng, os);
        double lhs = x.expand(os).dotValue(y);
        double rhs = x.dotValue(y.sumTo(p.a()));
        double scale = x.abs().expand(os).dotValue(y.abs());
        return Math.abs(lhs - rhs) <= 1e-13 * scale + 1e-300;
    }
}
