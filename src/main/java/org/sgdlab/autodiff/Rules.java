package org.sgdlab.autodiff;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.sgdlab.tensor.Attr;
import org.sgdlab.tensor.Primitive;
import org.sgdlab.tensor.Tensor;

/**
 * The gradient table: for each {@link Primitive}, its vector-Jacobian product written in tensor
 * operations, so that a gradient is itself a differentiable computation (this is what makes
 * {@link Autodiff#hvp} exact). Cotangents of inputs that do not need one are left null.
 */
final class Rules {

    /** {@code g} is the output cotangent, {@code y} the output, {@code x} the inputs. */
    @FunctionalInterface
    interface Rule {
        Tensor[] vjp(Tensor g, Tensor y, Tensor[] x, Object attr, boolean[] need);
    }

    private static final Map<Primitive, Rule> TABLE = new EnumMap<>(Primitive.class);

    private Rules() {
    }

    static Rule of(Primitive p) {
        Rule r = TABLE.get(p);
        if (r == null) {
            throw new IllegalStateException("no gradient rule for primitive " + p + "; every primitive needs one");
        }
        return r;
    }

    /** The primitives that have a rule (the completeness test compares this with all of them). */
    static Set<Primitive> covered() {
        return Collections.unmodifiableSet(TABLE.keySet());
    }

    private static Tensor[] one(Tensor t) {
        return new Tensor[] {t};
    }

    private static Tensor[] two(boolean[] need, java.util.function.Supplier<Tensor> a,
                                java.util.function.Supplier<Tensor> b) {
        return new Tensor[] {need[0] ? a.get() : null, need[1] ? b.get() : null};
    }

    private static final double TWO_OVER_SQRT_PI = 2.0 / Math.sqrt(Math.PI);

    static {
        TABLE.put(Primitive.VAR, (g, y, x, a, need) -> one(g));

        TABLE.put(Primitive.ADD, (g, y, x, a, need) -> two(need,
                () -> g.sumTo(x[0].shape()), () -> g.sumTo(x[1].shape())));
        TABLE.put(Primitive.SUB, (g, y, x, a, need) -> two(need,
                () -> g.sumTo(x[0].shape()), () -> g.neg().sumTo(x[1].shape())));
        TABLE.put(Primitive.MUL, (g, y, x, a, need) -> two(need,
                () -> g.mul(x[1]).sumTo(x[0].shape()), () -> g.mul(x[0]).sumTo(x[1].shape())));
        // z = a (1 - b^2): da = g (1 - b^2), db = -2 g a b
        TABLE.put(Primitive.MUL_ONE_MINUS_SQUARE, (g, y, x, a, need) -> two(need,
                () -> g.mulOneMinusSquare(x[1]).sumTo(x[0].shape()),
                () -> g.mul(x[0]).mul(x[1]).mul(-2.0).sumTo(x[1].shape())));
        // d(a/b) = da/b - a db/b^2 = da/b - y db/b
        TABLE.put(Primitive.DIV, (g, y, x, a, need) -> two(need,
                () -> g.div(x[1]).sumTo(x[0].shape()), () -> g.mul(y).div(x[1]).neg().sumTo(x[1].shape())));
        // d(a^b) = b a^(b-1) da + a^b log(a) db
        TABLE.put(Primitive.POW, (g, y, x, a, need) -> two(need,
                () -> g.mul(x[1]).mul(x[0].pow(x[1].sub(1.0))).sumTo(x[0].shape()),
                () -> g.mul(y).mul(x[0].log()).sumTo(x[1].shape())));
        TABLE.put(Primitive.MAXIMUM, (g, y, x, a, need) -> minMax(g, x, need, true));
        TABLE.put(Primitive.MINIMUM, (g, y, x, a, need) -> minMax(g, x, need, false));

        TABLE.put(Primitive.NEG, (g, y, x, a, need) -> one(g.neg()));
        TABLE.put(Primitive.EXP, (g, y, x, a, need) -> one(g.mul(y)));
        TABLE.put(Primitive.LOG, (g, y, x, a, need) -> one(g.div(x[0])));
        TABLE.put(Primitive.TANH, (g, y, x, a, need) -> one(g.mulOneMinusSquare(y)));
        TABLE.put(Primitive.SIGMOID, (g, y, x, a, need) -> one(g.mul(y.mul(Tensor.scalar(1.0).sub(y)))));
        TABLE.put(Primitive.SQRT, (g, y, x, a, need) -> one(g.div(y.mul(2.0))));
        TABLE.put(Primitive.ABS, (g, y, x, a, need) -> one(g.mul(x[0].detach().sign())));
        TABLE.put(Primitive.SIGN, (g, y, x, a, need) -> new Tensor[] {null});
        TABLE.put(Primitive.ERF, (g, y, x, a, need) ->
                one(g.mul(x[0].square().neg().exp().mul(TWO_OVER_SQRT_PI))));

        TABLE.put(Primitive.WHERE, (g, y, x, a, need) -> {
            Tensor c = x[0].detach();
            Tensor zero = Tensor.scalar(0.0);
            return new Tensor[] {null,
                need[1] ? Tensor.where(c, g, zero).sumTo(x[1].shape()) : null,
                need[2] ? Tensor.where(c, zero, g).sumTo(x[2].shape()) : null};
        });
        TABLE.put(Primitive.COMPARE, (g, y, x, a, need) -> new Tensor[] {null, null});

        TABLE.put(Primitive.SUM, (g, y, x, a, need) -> {
            Attr.Axes ax = (Attr.Axes) a;
            return one(keep(g, x[0], ax).expand(x[0].shape()));
        });
        // gradient split equally among the maximisers of each reduced group
        TABLE.put(Primitive.MAX, (g, y, x, a, need) -> {
            Attr.Axes ax = (Attr.Axes) a;
            Tensor in = x[0].detach();
            Tensor mask = in.eq(keep(y.detach(), in, ax));
            Tensor share = mask.div(mask.sum(ax.axes(), true));
            return one(keep(g, x[0], ax).mul(share));
        });

        TABLE.put(Primitive.RESHAPE, (g, y, x, a, need) -> one(g.reshape(x[0].shape())));
        TABLE.put(Primitive.PERMUTE, (g, y, x, a, need) -> {
            int[] p = (int[]) a;
            int[] inv = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                inv[p[i]] = i;
            }
            return one(g.permute(inv));
        });
        TABLE.put(Primitive.EXPAND, (g, y, x, a, need) -> one(g.sumTo(x[0].shape())));
        TABLE.put(Primitive.SLICE, (g, y, x, a, need) -> {
            Attr.Slice s = (Attr.Slice) a;
            return one(g.pad(s.axis(), s.start(), x[0].dim(s.axis()) - s.stop()));
        });
        TABLE.put(Primitive.PAD, (g, y, x, a, need) -> {
            Attr.Pad p = (Attr.Pad) a;
            Tensor r = g;
            for (int d = 0; d < p.lo().length; d++) {
                r = r.slice(d, p.lo()[d], p.lo()[d] + x[0].dim(d));
            }
            return one(r);
        });
        TABLE.put(Primitive.CONCAT, (g, y, x, a, need) -> {
            int axis = (Integer) a;
            Tensor[] out = new Tensor[x.length];
            int off = 0;
            for (int i = 0; i < x.length; i++) {
                int len = x[i].dim(axis);
                if (need[i]) {
                    out[i] = g.slice(axis, off, off + len);
                }
                off += len;
            }
            return out;
        });
        TABLE.put(Primitive.INDEX_SELECT, (g, y, x, a, need) -> {
            Attr.Index ix = (Attr.Index) a;
            return one(g.indexAdd(ix.axis(), ix.index(), ix.size()));
        });
        TABLE.put(Primitive.INDEX_ADD, (g, y, x, a, need) -> {
            Attr.Index ix = (Attr.Index) a;
            return one(g.indexSelect(ix.axis(), ix.index()));
        });

        TABLE.put(Primitive.MATMUL, Rules::matmul);

        TABLE.put(Primitive.UNFOLD, (g, y, x, a, need) -> one(g.fold((Attr.Window) a)));
        TABLE.put(Primitive.FOLD, (g, y, x, a, need) -> {
            Attr.Window w = (Attr.Window) a;
            return one(g.unfold(w.kh(), w.kw(), w.sh(), w.sw(), w.ph(), w.pw()));
        });
    }

    /** Reinserts reduced axes of length 1 so {@code t} broadcasts against {@code in}. */
    private static Tensor keep(Tensor t, Tensor in, Attr.Axes ax) {
        if (ax.keepdims()) {
            return t;
        }
        int[] s = in.shape();
        for (int d : ax.axes()) {
            s[d] = 1;
        }
        return t.reshape(s);
    }

    private static Tensor[] minMax(Tensor g, Tensor[] x, boolean[] need, boolean max) {
        Tensor a = x[0].detach();
        Tensor b = x[1].detach();
        Tensor share = a.winShare(b, max);                  // 1, 1/2 at ties, 0
        return two(need, () -> g.mul(share).sumTo(x[0].shape()),
                () -> g.mul(Tensor.scalar(1.0).sub(share)).sumTo(x[1].shape()));
    }

    /**
     * C = op(A) op(B). dA = g op(B)^T (transposed back when A was transposed), dB = op(A)^T g
     * (likewise); broadcast batch axes are summed back. A 2-D B under a batched A is reduced in
     * one product over the folded batch.
     */
    private static Tensor[] matmul(Tensor g, Tensor y, Tensor[] x, Object attr, boolean[] need) {
        return matmul(g, x, (Attr.Matmul) attr, need, -1, null, 0);
    }

    /**
     * The product rule, with the cotangent of input {@code into} (when it is 0 or 1, for rank-2
     * operands) computed straight into {@code asm} from {@code offset} on: the same products, so
     * the same bits as the rule's own.
     */
    static Tensor[] matmul(Tensor g, Tensor[] x, Attr.Matmul m, boolean[] need, int into, Tensor.Assembly asm,
                           int offset) {
        boolean ta = m.transA();
        boolean tb = m.transB();
        Tensor a = x[0];
        Tensor b = x[1];
        Tensor ga = null;
        Tensor gb = null;
        if (need[0]) {
            boolean here = into == 0;
            ga = ta ? product(b, g, tb, true, here, asm, offset) : product(g, b, false, !tb, here, asm, offset);
            ga = ga.sumTo(a.shape());
        }
        if (need[1]) {
            if (b.rank() == 2 && a.rank() > 2 && !ta) {
                Tensor a2 = a.reshape(-1, a.dim(-1));                    // [B*m, k]
                Tensor g2 = g.reshape(-1, g.dim(-1));                    // [B*m, n]
                gb = tb ? g2.matmul(a2, true, false) : a2.matmul(g2, true, false);
            } else {
                boolean here = into == 1;
                gb = tb ? product(g, a, true, ta, here, asm, offset) : product(a, g, !ta, false, here, asm, offset);
                gb = gb.sumTo(b.shape());
            }
        }
        return new Tensor[] {ga, gb};
    }

    private static Tensor product(Tensor p, Tensor q, boolean tp, boolean tq, boolean assemble, Tensor.Assembly asm,
                                  int offset) {
        return assemble ? asm.matmul(offset, p, q, tp, tq) : p.matmul(q, tp, tq);
    }
}
