package org.sgdlab.autodiff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.sgdlab.tensor.Attr;
import org.sgdlab.tensor.Primitive;
import org.sgdlab.tensor.Tensor;

/**
 * Reverse accumulation over the recorded graph of one output.
 *
 * <p>Only nodes that depend on a target are visited; targets are sinks (the backward pass does
 * not continue into what they were made from). With {@code createGraph} the cotangent
 * computations are recorded like any other (for higher derivatives); without it the rules see
 * detached tensors, so nothing is recorded and each cotangent is freed once consumed.
 */
final class Backprop {

    private Backprop() {
    }

    static Tensor[] backward(Tensor y, Tensor seed, Tensor[] targets, boolean createGraph) {
        Map<Tensor, Integer> targetIndex = new IdentityHashMap<>();
        for (int i = 0; i < targets.length; i++) {
            targetIndex.put(targets[i], i);
        }
        Tensor[] result = new Tensor[targets.length];
        if (y.isTraced()) {
            List<Tensor> order = new ArrayList<>();
            Map<Tensor, Boolean> relevant = new IdentityHashMap<>();
            topo(y, targetIndex, order, relevant);
            Map<Tensor, Acc> cot = new IdentityHashMap<>();
            cot.computeIfAbsent(y, k -> new Acc()).add(seed);
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Acc acc = cot.remove(t);
                if (acc == null) {
                    continue;
                }
                Tensor g = acc.total(t);
                Integer ti = targetIndex.get(t);
                if (ti != null) {
                    result[ti] = g;
                    continue;
                }
                int n = t.arity();
                boolean[] need = new boolean[n];
                boolean any = false;
                Tensor[] in = new Tensor[n];
                for (int j = 0; j < n; j++) {
                    Tensor x = t.input(j);
                    need[j] = Boolean.TRUE.equals(relevant.get(x));
                    any |= need[j];
                    in[j] = createGraph ? x : x.detach();
                }
                if (!any) {
                    continue;
                }
                if (t.primitive() == Primitive.SLICE) {
                    // defer: slices of one input are assembled once, by concatenation (see Acc)
                    cot.computeIfAbsent(t.input(0), k -> new Acc()).addSlice((Attr.Slice) t.attr(), g);
                    continue;
                }
                Tensor out = createGraph ? t : t.detach();
                Tensor[] gin = Rules.of(t.primitive()).vjp(g, out, in, t.attr(), need);
                for (int j = 0; j < n; j++) {
                    if (need[j] && gin[j] != null) {
                        cot.computeIfAbsent(t.input(j), k -> new Acc()).add(gin[j]);
                    }
                }
            }
        }
        for (int i = 0; i < targets.length; i++) {
            if (result[i] == null) {
                result[i] = Tensor.zeros(targets[i].shape());
            }
        }
        return result;
    }

    /**
     * The cotangent of one node while it accumulates. Cotangents arriving through slices of the
     * node (a flat parameter vector cut into layer weights, say) are kept as pieces and joined
     * by one concatenation with zero gaps, instead of each being padded to the full size and
     * summed: same values, O(size) instead of O(size x pieces). Overlapping or mixed-axis slices
     * fall back to the padding rule.
     */
    private static final class Acc {
        private Tensor sum;
        private List<Attr.Slice> slices;
        private List<Tensor> pieces;

        void add(Tensor g) {
            sum = sum == null ? g : sum.add(g);
        }

        void addSlice(Attr.Slice s, Tensor g) {
            if (slices == null) {
                slices = new ArrayList<>();
                pieces = new ArrayList<>();
            }
            slices.add(s);
            pieces.add(g);
        }

        Tensor total(Tensor node) {
            if (slices == null) {
                return sum;
            }
            int axis = slices.get(0).axis();
            boolean sameAxis = true;
            for (Attr.Slice s : slices) {
                sameAxis &= s.axis() == axis;
            }
            Integer[] idx = new Integer[slices.size()];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, (a, b) -> Integer.compare(slices.get(a).start(), slices.get(b).start()));
            boolean disjoint = sameAxis;
            for (int i = 1; i < idx.length && disjoint; i++) {
                disjoint = slices.get(idx[i]).start() >= slices.get(idx[i - 1]).stop();
            }
            Tensor joined;
            if (disjoint) {
                int len = node.dim(axis);
                List<Tensor> parts = new ArrayList<>();
                int at = 0;
                for (Integer i : idx) {
                    Attr.Slice s = slices.get(i);
                    if (s.start() > at) {
                        parts.add(zeros(node, axis, s.start() - at));
                    }
                    parts.add(pieces.get(i));
                    at = s.stop();
                }
                if (at < len) {
                    parts.add(zeros(node, axis, len - at));
                }
                joined = Tensor.concat(axis, parts.toArray(new Tensor[0]));
            } else {
                joined = null;
                for (int i = 0; i < slices.size(); i++) {
                    Attr.Slice s = slices.get(i);
                    Tensor p = Rules.of(Primitive.SLICE).vjp(pieces.get(i), null, new Tensor[] {node}, s,
                            new boolean[] {true})[0];
                    joined = joined == null ? p : joined.add(p);
                }
            }
            return sum == null ? joined : sum.add(joined);
        }

        private static Tensor zeros(Tensor like, int axis, int len) {
            int[] s = like.shape();
            s[axis] = len;
            return Tensor.zeros(s);
        }
    }

    /**
     * Post-order of the traced nodes reachable from {@code y} (not entering targets), and for each
     * whether it depends on a target. Iterative: graphs can be deep.
     */
    private static void topo(Tensor y, Map<Tensor, Integer> targets, List<Tensor> order, Map<Tensor, Boolean> relevant) {
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        Tensor[] stack = new Tensor[64];
        int[] next = new int[64];
        int sp = 0;
        stack[sp] = y;
        next[sp] = 0;
        sp++;
        seen.put(y, Boolean.TRUE);
        while (sp > 0) {
            Tensor t = stack[sp - 1];
            boolean isTarget = targets.containsKey(t);
            int arity = isTarget ? 0 : t.arity();
            if (next[sp - 1] < arity) {
                Tensor x = t.input(next[sp - 1]++);
                if (x.isTraced() && !seen.containsKey(x)) {
                    seen.put(x, Boolean.TRUE);
                    if (sp == stack.length) {
                        stack = Arrays.copyOf(stack, sp * 2);
                        next = Arrays.copyOf(next, sp * 2);
                    }
                    stack[sp] = x;
                    next[sp] = 0;
                    sp++;
                }
                continue;
            }
            sp--;
            stack[sp] = null;
            boolean rel = isTarget;
            for (int j = 0; j < arity && !rel; j++) {
                rel = Boolean.TRUE.equals(relevant.get(t.input(j)));
            }
            relevant.put(t, rel);
            order.add(t);
        }
    }
}
