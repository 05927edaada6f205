package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Data movement (reshape, permute, expand, sumTo, slice, pad, concat, stack, indexing) against naive loops. */
class ShapeOpsTest {

    static int[] randomPermutation(SplittableRandom rng, int r) {
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

    static int[] randomShape(SplittableRandom rng, int rank, int maxDim) {
        int[] s = new int[rank];
        for (int d = 0; d < rank; d++) {
            s[d] = 1 + rng.nextInt(maxDim);
        }
        return s;
    }

    @Test
    void reshapeKeepsRowMajorOrderAndInfersMinusOne() {
        Tensor x = Ref.randn(new SplittableRandom(1), 2, 3, 4);
        double[] v = x.toArray();
        int[][][] cases = {
            {{24}, {24}}, {{-1}, {24}}, {{4, -1}, {4, 6}}, {{-1, 2, 3}, {4, 2, 3}}, {{2, 3, 4}, {2, 3, 4}},
            {{1, 24, 1}, {1, 24, 1}}, {{2, -1, 1, 3}, {2, 4, 1, 3}}, {{6, 4}, {6, 4}},
        };
        for (int[][] c : cases) {
            Ref.assertExact("reshape " + Ref.str(c[0]), c[1], v, x.reshape(c[0]));
        }
        Ref.assertExact("flatten", new int[] {24}, v, x.flatten());
        Ref.assertExact("scalar -> [1, 1]", new int[] {1, 1}, new double[] {2.5}, Tensor.scalar(2.5).reshape(1, 1));
        Ref.assertExact("[1] -> []", new int[] {}, new double[] {2.5}, Tensor.vector(2.5).reshape());
        Ref.assertExact("[0, 3] -> [3, 0]", new int[] {3, 0}, new double[0], Tensor.zeros(0, 3).reshape(3, 0));
        Ref.assertExact("unsqueeze(1)", new int[] {2, 1, 3, 4}, v, x.unsqueeze(1));
        Ref.assertExact("unsqueeze(-1)", new int[] {2, 3, 4, 1}, v, x.unsqueeze(-1));
        Ref.assertExact("unsqueeze(0)", new int[] {1, 2, 3, 4}, v, x.unsqueeze(0));
        Ref.assertExact("squeeze(1)", new int[] {2, 3, 4}, v, x.unsqueeze(1).squeeze(1));
        Ref.assertExact("squeeze(-1)", new int[] {2, 3, 4}, v, x.unsqueeze(-1).squeeze(-1));
    }

    @Test
    void permuteMatchesNaiveGatherForRandomPermutationsUpToRankFive() {
        SplittableRandom rng = new SplittableRandom(2);
        for (int trial = 0; trial < 200; trial++) {
            int r = rng.nextInt(6);
            int[] shape = randomShape(rng, r, 5);
            if (trial % 17 == 0 && r > 0) {
                shape[rng.nextInt(r)] = 0;       // size-0 axis somewhere
            }
            int[] perm = randomPermutation(rng, r);
            Tensor x = Ref.randn(rng, shape);
            int[] os = new int[r];
            for (int d = 0; d < r; d++) {
                os[d] = shape[perm[d]];
            }
            double[] want = Ref.permute(x.toArray(), shape, perm, os);
            Ref.assertExact("permute " + Ref.str(shape) + " by " + Ref.str(perm), os, want, x.permute(perm));
            // negative axes name the same permutation
            int[] negPerm = new int[r];
            for (int d = 0; d < r; d++) {
                negPerm[d] = perm[d] - r;
            }
            Ref.assertExact("permute negative " + Ref.str(negPerm), os, want, x.permute(negPerm));
        }
    }

    @Test
    void permuteLargeTensorTakesParallelPath() {
        SplittableRandom rng = new SplittableRandom(3);
        int[] shape = {40, 30, 20, 6};
        Tensor x = Ref.randn(rng, shape);
        int[] perm = {2, 0, 3, 1};
        int[] os = {20, 40, 6, 30};
        Ref.assertExact("permute large", os, Ref.permute(x.toArray(), shape, perm, os), x.permute(perm));
    }

    @Test
    void transposeSwapsAxes() {
        SplittableRandom rng = new SplittableRandom(4);
        Tensor m = Ref.randn(rng, 3, 5);
        double[] want = new double[15];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                want[j * 3 + i] = m.get(i, j);
            }
        }
        Ref.assertExact("transpose()", new int[] {5, 3}, want, m.transpose());
        Tensor x = Ref.randn(rng, 2, 3, 4);
        Ref.assertExact("transpose() rank 3", new int[] {2, 4, 3},
                Ref.permute(x.toArray(), new int[] {2, 3, 4}, new int[] {0, 2, 1}, new int[] {2, 4, 3}), x.transpose());
        Ref.assertExact("transpose(0, 2)", new int[] {4, 3, 2},
                Ref.permute(x.toArray(), new int[] {2, 3, 4}, new int[] {2, 1, 0}, new int[] {4, 3, 2}),
                x.transpose(0, 2));
        Ref.assertExact("transpose(-3, 1)", new int[] {3, 2, 4},
                Ref.permute(x.toArray(), new int[] {2, 3, 4}, new int[] {1, 0, 2}, new int[] {3, 2, 4}),
                x.transpose(-3, 1));
        Ref.assertExact("transpose(1, 1)", new int[] {2, 3, 4}, x.toArray(), x.transpose(1, 1));
    }

    @Test
    void expandMatchesNaiveBroadcast() {
        SplittableRandom rng = new SplittableRandom(5);
        int[][][] cases = {
            {{}, {3, 2}}, {{1}, {4}}, {{3}, {2, 3}}, {{3, 1}, {3, 4}}, {{1, 4}, {2, 3, 4}}, {{2, 1, 3}, {5, 2, 4, 3}},
            {{1}, {0}}, {{3}, {0, 3}}, {{2, 3}, {2, 3}}, {{1, 1}, {1, 1}}, {{500, 1}, {500, 300}},
        };
        for (int[][] c : cases) {
            Tensor x = Ref.randn(rng, c[0]);
            Ref.assertExact("expand " + Ref.str(c[0]) + " -> " + Ref.str(c[1]), c[1],
                    Ref.broadcastTo(x.toArray(), c[0], c[1]), x.expand(c[1]));
        }
    }

    @Test
    void sumToSumsBroadcastAxesAndIsTheAdjointOfExpand() {
        SplittableRandom rng = new SplittableRandom(6);
        int[][][] cases = {
            {{2, 3, 4}, {3, 1}}, {{2, 3, 4}, {1, 4}}, {{2, 3, 4}, {}}, {{2, 3, 4}, {4}}, {{2, 3, 4}, {2, 1, 4}},
            {{5, 1}, {5, 1}}, {{5, 1}, {1}}, {{3, 4}, {1, 1}}, {{0, 3}, {3}}, {{2, 0}, {2, 1}}, {{400, 300}, {300}},
        };
        for (int[][] c : cases) {
            int[] from = c[0];
            int[] to = c[1];
            Tensor y = Ref.randn(rng, from);
            // naive: out[j] = sum over i that broadcast onto j
            double[] want = new double[Ref.size(to)];
            double[] abs = new double[want.length];
            for (int[] idx : Ref.indices(from)) {
                int of = Ref.offset(to, Ref.sourceIndex(to, idx));
                double v = y.flat(Ref.offset(from, idx));
                want[of] += v;
                abs[of] += Math.abs(v);
            }
            Tensor got = y.sumTo(to);
            Ref.assertClose("sumTo " + Ref.str(from) + " -> " + Ref.str(to), to, want, abs, 1e-13, got);
            // <expand(x), y> = <x, sumTo(y)>
            Tensor x = Ref.randn(rng, to);
            double lhs = x.expand(from).dotValue(y);
            double rhs = x.dotValue(got);
            assertEquals(lhs, rhs, 1e-12 * Math.max(1, Math.abs(lhs)), "expand/sumTo adjoint " + Ref.str(to));
        }
    }

    @Test
    void sliceCopiesTheRangeAlongEachAxis() {
        SplittableRandom rng = new SplittableRandom(7);
        int[] shape = {4, 5, 6};
        Tensor x = Ref.randn(rng, shape);
        for (int axis = 0; axis < 3; axis++) {
            int len = shape[axis];
            for (int start = 0; start <= len; start++) {
                for (int stop = start; stop <= len; stop++) {
                    int[] os = shape.clone();
                    os[axis] = stop - start;
                    double[] want = new double[Ref.size(os)];
                    for (int[] idx : Ref.indices(os)) {
                        int[] src = idx.clone();
                        src[axis] += start;
                        want[Ref.offset(os, idx)] = x.flat(Ref.offset(shape, src));
                    }
                    Ref.assertExact("slice axis " + axis + " [" + start + ", " + stop + ")", os, want,
                            x.slice(axis, start, stop));
                    if (start == 1 && stop == len) {
                        Ref.assertExact("slice negative axis", os, want, x.slice(axis - 3, start, stop));
                    }
                }
            }
        }
    }

    @Test
    void padFillsWithValueAroundACopy() {
        SplittableRandom rng = new SplittableRandom(8);
        int[][][] cases = {
            {{3}, {2}, {1}}, {{2, 3}, {1, 0}, {2, 3}}, {{2, 3, 4}, {0, 1, 2}, {1, 0, 2}}, {{2, 3}, {0, 0}, {0, 1}},
            {{0, 2}, {1, 1}, {0, 2}}, {{1, 1, 1, 1}, {1, 2, 0, 1}, {0, 1, 3, 1}}, {{2, 0}, {0, 1}, {0, 1}},
        };
        for (int[][] c : cases) {
            int[] shape = c[0];
            int[] lo = c[1];
            int[] hi = c[2];
            Tensor x = Ref.randn(rng, shape);
            int r = shape.length;
            int[] os = new int[r];
            for (int d = 0; d < r; d++) {
                os[d] = lo[d] + shape[d] + hi[d];
            }
            for (double value : new double[] {0.0, -2.5, Double.NEGATIVE_INFINITY}) {
                double[] want = new double[Ref.size(os)];
                for (int[] idx : Ref.indices(os)) {
                    int[] src = new int[r];
                    boolean inside = true;
                    for (int d = 0; d < r; d++) {
                        src[d] = idx[d] - lo[d];
                        inside &= src[d] >= 0 && src[d] < shape[d];
                    }
                    want[Ref.offset(os, idx)] = inside ? x.flat(Ref.offset(shape, src)) : value;
                }
                Ref.assertExact("pad " + Ref.str(shape) + " lo " + Ref.str(lo) + " hi " + Ref.str(hi) + " value "
                        + value, os, want, x.pad(lo, hi, value));
            }
        }
        // single-axis zero padding
        Tensor x = Ref.randn(rng, 2, 3);
        Tensor p = x.pad(-1, 1, 2);
        Ref.assertShape("pad(axis)", new int[] {2, 6}, p);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 6; j++) {
                double want = j >= 1 && j < 4 ? x.get(i, j - 1) : 0.0;
                assertEquals(want, p.get(i, j), 0.0, "pad(axis) at " + i + "," + j);
            }
        }
    }

    @Test
    void concatAndStackAlongEveryAxis() {
        SplittableRandom rng = new SplittableRandom(9);
        int[] base = {2, 3, 4};
        for (int axis = 0; axis < 3; axis++) {
            int[] lens = {2, 0, 3};
            Tensor[] parts = new Tensor[3];
            for (int i = 0; i < 3; i++) {
                int[] s = base.clone();
                s[axis] = lens[i];
                parts[i] = Ref.randn(rng, s);
            }
            int[] os = base.clone();
            os[axis] = 5;
            double[] want = new double[Ref.size(os)];
            for (int[] idx : Ref.indices(os)) {
                int k = idx[axis];
                int part = 0;
                while (k >= lens[part]) {
                    k -= lens[part];
                    part++;
                }
                int[] src = idx.clone();
                src[axis] = k;
                want[Ref.offset(os, idx)] = parts[part].flat(Ref.offset(parts[part].shape(), src));
            }
            Ref.assertExact("concat axis " + axis, os, want, Tensor.concat(axis, parts));
            Ref.assertExact("concat axis " + (axis - 3), os, want, Tensor.concat(axis - 3, parts));
        }
        Tensor one = Ref.randn(rng, 2, 2);
        Ref.assertExact("concat of one part", new int[] {2, 2}, one.toArray(), Tensor.concat(1, one));

        // stack: new axis of length 3
        Tensor[] parts = {Ref.randn(rng, base), Ref.randn(rng, base), Ref.randn(rng, base)};
        for (int axis = -4; axis <= 3; axis++) {
            int a = axis < 0 ? axis + 4 : axis;
            int[] os = new int[4];
            for (int d = 0, j = 0; d < 4; d++) {
                os[d] = d == a ? 3 : base[j++];
            }
            double[] want = new double[Ref.size(os)];
            for (int[] idx : Ref.indices(os)) {
                int[] src = new int[3];
                for (int d = 0, j = 0; d < 4; d++) {
                    if (d != a) {
                        src[j++] = idx[d];
                    }
                }
                want[Ref.offset(os, idx)] = parts[idx[a]].flat(Ref.offset(base, src));
            }
            Ref.assertExact("stack axis " + axis, os, want, Tensor.stack(axis, parts));
        }
        Ref.assertExact("stack scalars", new int[] {2}, new double[] {1.5, -2},
                Tensor.stack(0, Tensor.scalar(1.5), Tensor.scalar(-2)));
    }

    @Test
    void indexSelectAndIndexAddWithRepeatedIndices() {
        SplittableRandom rng = new SplittableRandom(10);
        int[] shape = {3, 4, 5};
        Tensor x = Ref.randn(rng, shape);
        int[][] indexSets = {{2, 0, 2, 2, 1}, {}, {0}, {3, 3}};
        for (int axis = 0; axis < 3; axis++) {
            for (int[] index0 : indexSets) {
                int size = shape[axis];
                int[] index = new int[index0.length];
                for (int j = 0; j < index.length; j++) {
                    index[j] = index0[j] % size;
                }
                int[] os = shape.clone();
                os[axis] = index.length;
                double[] want = new double[Ref.size(os)];
                for (int[] idx : Ref.indices(os)) {
                    int[] src = idx.clone();
                    src[axis] = index[idx[axis]];
                    want[Ref.offset(os, idx)] = x.flat(Ref.offset(shape, src));
                }
                Tensor sel = x.indexSelect(axis, index);
                Ref.assertExact("indexSelect axis " + axis + " " + Ref.str(index), os, want, sel);
                Ref.assertExact("indexSelect negative axis", os, want, x.indexSelect(axis - 3, index));

                // indexAdd: scatter-add y [.., m, ..] into zeros [.., size, ..]
                Tensor y = Ref.randn(rng, os);
                double[] add = new double[Ref.size(shape)];
                double[] abs = new double[add.length];
                for (int[] idx : Ref.indices(os)) {
                    int[] dst = idx.clone();
                    dst[axis] = index[idx[axis]];
                    double v = y.flat(Ref.offset(os, idx));
                    add[Ref.offset(shape, dst)] += v;
                    abs[Ref.offset(shape, dst)] += Math.abs(v);
                }
                Tensor added = y.indexAdd(axis, index, size);
                Ref.assertClose("indexAdd axis " + axis + " " + Ref.str(index), shape, add, abs, 1e-15, added);
                // adjoint identity <indexSelect(x), y> = <x, indexAdd(y)>
                double lhs = sel.dotValue(y);
                double rhs = x.dotValue(added);
                assertEquals(lhs, rhs, 1e-12 * Math.max(1, Math.abs(lhs)), "indexSelect/indexAdd adjoint");
            }
        }
    }

    @Test
    void oneHotAndFactories() {
        int[] labels = {2, 0, 4, 2};
        Tensor h = Tensor.oneHot(labels, 5);
        double[] want = new double[20];
        for (int i = 0; i < 4; i++) {
            for (int c = 0; c < 5; c++) {
                want[i * 5 + c] = c == labels[i] ? 1 : 0;
            }
        }
        Ref.assertExact("oneHot", new int[] {4, 5}, want, h);
        Ref.assertExact("oneHot empty", new int[] {0, 3}, new double[0], Tensor.oneHot(new int[0], 3));

        Ref.assertExact("eye", new int[] {3, 3}, new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3));
        Ref.assertExact("arange", new int[] {4}, new double[] {0, 1, 2, 3}, Tensor.arange(4));
        Ref.assertExact("full", new int[] {2, 1}, new double[] {-3, -3}, Tensor.full(-3, 2, 1));
        Ref.assertExact("ones", new int[] {2}, new double[] {1, 1}, Tensor.ones(2));
        Ref.assertExact("zeros", new int[] {0, 2}, new double[0], Tensor.zeros(0, 2));
        Ref.assertExact("scalar", new int[] {}, new double[] {7}, Tensor.scalar(7));
        Ref.assertExact("matrix", new int[] {2, 2}, new double[] {1, 2, 3, 4},
                Tensor.matrix(new double[][] {{1, 2}, {3, 4}}));
        double[] src = {1, 2, 3, 4, 5, 6};
        Tensor t = Tensor.of(src, 3, 2);
        src[0] = 99;
        assertEquals(1.0, t.get(0, 0), 0.0, "Tensor.of copies its input");
        assertEquals(6.0, t.get(2, 1), 0.0);
        assertEquals(2, t.dim(-1));
        assertEquals(3, t.dim(0));
        assertEquals(2, t.rank());
        assertEquals(6, t.size());
        double[] dst = new double[8];
        t.copyTo(dst, 1);
        assertEquals(1.0, dst[1], 0.0);
        assertEquals(6.0, dst[6], 0.0);
        assertEquals(0.0, dst[7], 0.0);
        assertEquals(2.5, Tensor.scalar(2.5).item(), 0.0);
        assertEquals(2.5, Tensor.full(2.5, 1, 1, 1).item(), 0.0);
    }

    @Test
    void randomFactoriesDrawInRowMajorOrderFromTheGenerator() {
        Tensor n = Tensor.randn(new SplittableRandom(42), 3, 4);
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 12; i++) {
            assertEquals(r.nextGaussian(), n.flat(i), 0.0, "randn " + i);
        }
        Tensor u = Tensor.uniform(new SplittableRandom(43), -2, 3, 5, 2);
        r = new SplittableRandom(43);
        for (int i = 0; i < 10; i++) {
            assertEquals(-2 + 5 * r.nextDouble(), u.flat(i), 0.0, "uniform " + i);
        }
    }
}
