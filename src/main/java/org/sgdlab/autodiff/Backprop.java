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
            Map<Tensor, Into> into = createGraph || seed.isTraced() ? Map.of()
                    : assemble(order, targetIndex, relevant, cot);
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
                Into dest = into.get(t);
                Tensor[] gin = dest != null
                        ? Rules.matmul(g, in, (Attr.Matmul) t.attr(), need, dest.input(), dest.assembly(),
                                dest.offset())
                        : Rules.of(t.primitive()).vjp(g, out, in, t.attr(), need);
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

    /** Where a product's cotangent for one of its inputs is written: a region of a target's gradient. */
    private record Into(int input, Tensor.Assembly assembly, int offset) {
    }

    /**
     * Plans a detached pass's gradients of targets that are only read through disjoint slices along
     * axis 0 (a flat parameter vector cut into layers, and layers into weights and biases, possibly
     * again and again): each such target's gradient becomes one {@link Tensor.Assembly}, the slices'
     * cotangents become regions of it, and a rank-2 product that reads a slice (directly or through
     * one reshape, and nothing else reads either) gets its cotangent for the slice computed straight
     * into the slice's region. The gradient then needs no copy of its largest parts. Returns the
     * products so planned; registers the accumulators of the targets and slices in {@code cot}.
     */
    private static Map<Tensor, Into> assemble(List<Tensor> order, Map<Tensor, Integer> targets,
                                              Map<Tensor, Boolean> relevant, Map<Tensor, Acc> cot) {
        boolean sliced = false;
        for (int i = 0; i < order.size() && !sliced; i++) {
            Tensor t = order.get(i);
            sliced = t.primitive() == Primitive.SLICE && !targets.containsKey(t) && targets.containsKey(t.input(0));
        }
        if (!sliced) {
            return Map.of();
        }
        // who reads each relevant node, per input slot (cotangents flow back along these)
        Map<Tensor, List<Tensor>> readers = new IdentityHashMap<>();
        for (Tensor t : order) {
            if (targets.containsKey(t)) {
                continue;
            }
            for (int j = 0; j < t.arity(); j++) {
                Tensor x = t.input(j);
                if (Boolean.TRUE.equals(relevant.get(x))) {
                    readers.computeIfAbsent(x, k -> new ArrayList<>(2)).add(t);
                }
            }
        }
        Map<Tensor, Into> into = new IdentityHashMap<>();
        for (Tensor target : targets.keySet()) {
            if (slicedAlongAxis0(readers.get(target))) {
                region(target, new Tensor.Assembly(target.shape()), 0, true, readers, cot, into);
            }
        }
        return into;
    }

    /** Node {@code t} is the region of {@code asm} from {@code offset} on, read only through disjoint axis-0 slices. */
    private static void region(Tensor t, Tensor.Assembly asm, int offset, boolean root,
                               Map<Tensor, List<Tensor>> readers, Map<Tensor, Acc> cot, Map<Tensor, Into> into) {
        int inner = t.dim(0) == 0 ? 0 : t.size() / t.dim(0);
        cot.put(t, new Acc(asm, offset, inner, root));
        for (Tensor s : readers.get(t)) {
            int at = offset + ((Attr.Slice) s.attr()).start() * inner;
            List<Tensor> next = readers.get(s);
            if (slicedAlongAxis0(next)) {
                region(s, asm, at, false, readers, cot, into);
                continue;
            }
            Tensor w = s;                                          // the slice, or its one reshape
            if (next != null && next.size() == 1 && next.get(0).primitive() == Primitive.RESHAPE) {
                w = next.get(0);
            }
            List<Tensor> r = readers.get(w);
            if (r == null || r.size() != 1) {
                continue;
            }
            Tensor p = r.get(0);
            if (p.primitive() == Primitive.MATMUL && !into.containsKey(p) && p.input(0).rank() == 2
                    && p.input(1).rank() == 2) {
                into.put(p, new Into(p.input(0) == w ? 0 : 1, asm, at));
            }
        }
    }

    /** True when there are readers and all are slices along axis 0, no two overlapping. */
    private static boolean slicedAlongAxis0(List<Tensor> readers) {
        if (readers == null || readers.isEmpty()) {
            return false;
        }
        List<Attr.Slice> slices = new ArrayList<>(readers.size());
        for (Tensor r : readers) {
            if (r.primitive() != Primitive.SLICE || ((Attr.Slice) r.attr()).axis() != 0) {
                return false;
            }
            slices.add((Attr.Slice) r.attr());
        }
        return disjoint(slices);
    }

    /** True when the slices share one axis and no two overlap. */
    private static boolean disjoint(List<Attr.Slice> slices) {
        int axis = slices.get(0).axis();
        List<Attr.Slice> sorted = new ArrayList<>(slices);
        sorted.sort((a, b) -> Integer.compare(a.start(), b.start()));
        for (int i = 0; i < sorted.size(); i++) {
            if (sorted.get(i).axis() != axis || i > 0 && sorted.get(i).start() < sorted.get(i - 1).stop()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The cotangent of one node while it accumulates. Cotangents arriving through slices of the
     * node (a flat parameter vector cut into layer weights, say) are kept as pieces and joined
     * by one concatenation with zero gaps, instead of each being padded to the full size and
     * summed: same values, O(size) instead of O(size x pieces). Overlapping or mixed-axis slices
     * fall back to the padding rule. In a detached pass, a node that {@link #assemble} planned
     * places its pieces in its region of the target's {@link Tensor.Assembly} instead (no copy of
     * a piece that a product wrote there).
     */
    private static final class Acc {
        /**
         * Set when {@link #assemble} planned this node's gradient: the region of {@code assembly} from
         * {@code offset} on, {@code inner} values per index of axis 0, the whole of it for a {@code root}.
         */
        private final Tensor.Assembly assembly;
        private final int offset;
        private final int inner;
        private final boolean root;
        private Tensor sum;
        private List<Attr.Slice> slices;
        private List<Tensor> pieces;

        Acc() {
            this(null, 0, 0, false);
        }

        Acc(Tensor.Assembly assembly, int offset, int inner, boolean root) {
            this.assembly = assembly;
            this.offset = offset;
            this.inner = inner;
            this.root = root;
        }

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
            Tensor joined;
            if (assembly != null) {
                int k = slices == null ? 0 : slices.size();
                int[] offsets = new int[k];
                for (int i = 0; i < k; i++) {
                    offsets[i] = offset + slices.get(i).start() * inner;
                }
                Tensor[] parts = k == 0 ? new Tensor[0] : pieces.toArray(new Tensor[0]);
                joined = root ? assembly.finish(offsets, parts) : assembly.part(offset, node.shape(), offsets, parts);
            } else if (slices == null) {
                return sum;
            } else if (disjoint(slices)) {
                Integer[] idx = new Integer[slices.size()];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = i;
                }
                Arrays.sort(idx, (a, b) -> Integer.compare(slices.get(a).start(), slices.get(b).start()));
                int axis = slices.get(0).axis();
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
