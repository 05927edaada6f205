package org.sgdlab.tensor;

import java.util.Arrays;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * An immutable dense n-dimensional array of doubles (row-major, contiguous).
 *
 * <p>Every operation returns a new tensor. When an input is <em>traced</em> (it is a variable of
 * an autodiff transform or depends on one) the result records its {@link Primitive}, its inputs and
 * its {@link Attr attributes}; otherwise nothing is recorded, so plain evaluation carries no
 * graph. The gradient rules of {@code org.sgdlab.autodiff} are written in these same operations,
 * which makes gradients differentiable again (exact Hessian-vector products).
 *
 * <p>Not a record: tensors compare by identity ({@code double[]} fields would compare by
 * reference anyway); compare values with {@link #toArray()}.
 */
public final class Tensor {

    /**
     * The values in row-major order. Null for a view until a kernel needs its own array (see
     * {@link #data()}); volatile so that a copy made by one thread is seen whole by others.
     */
    private volatile double[] data;
    /** For a view: the array its values sit in, from {@link #viewOffset} on; null otherwise. */
    private final double[] viewBase;
    private final int viewOffset;
    private final int length;
    private final int[] shape;
    // graph node (all null/empty for an untraced tensor)
    private final Primitive op;
    private final Tensor[] inputs;
    private final Object attr;

    private static final Tensor[] NONE = new Tensor[0];

    private Tensor(double[] data, int[] shape, Primitive op, Tensor[] inputs, Object attr) {
        this.data = data;
        this.viewBase = null;
        this.viewOffset = 0;
        this.length = data.length;
        this.shape = shape;
        this.op = op;
        this.inputs = inputs;
        this.attr = attr;
    }

    /** Wraps without copying; callers hand over ownership of {@code data}. */
    static Tensor wrap(double[] data, int... shape) {
        return new Tensor(data, shape, null, NONE, null);
    }

    /** A view: {@code length} values of {@code base} from {@code offset}, not copied until needed. */
    private Tensor(double[] base, int offset, int length, int[] shape, Primitive op, Tensor[] inputs, Object attr) {
        this.data = null;
        this.viewBase = base;
        this.viewOffset = offset;
        this.length = length;
        this.shape = shape;
        this.op = op;
        this.inputs = inputs;
        this.attr = attr;
    }

    /** The values of {@code src} (sharing its array or its view) under a new shape and graph node. */
    private static Tensor same(Tensor src, int[] shape, Primitive op, Tensor[] inputs, Object attr) {
        double[] d = src.data;
        return d != null ? new Tensor(d, shape, op, inputs, attr)
                : new Tensor(src.viewBase, src.viewOffset, src.length, shape, op, inputs, attr);
    }

    private static boolean traced(Tensor... in) {
        for (Tensor t : in) {
            if (t.op != null) {
                return true;
            }
        }
        return false;
    }

    private static Tensor make(double[] data, int[] shape, Primitive op, Object attr, Tensor... in) {
        return traced(in) ? new Tensor(data, shape, op, in, attr) : new Tensor(data, shape, null, NONE, null);
    }

    // ================================================================== construction

    /** A tensor holding a copy of {@code data} with the given shape. */
    public static Tensor of(double[] data, int... shape) {
        int n = Shapes.checkedSize("Tensor.of", shape);
        if (data.length != n) {
            throw new IllegalArgumentException("Tensor.of: " + data.length + " values do not fill shape "
                    + Shapes.str(shape) + " (" + n + " elements)");
        }
        return wrap(data.clone(), shape.clone());
    }

    /** A rank-1 tensor of the given values. */
    public static Tensor vector(double... values) {
        return wrap(values.clone(), values.length);
    }

    /** A rank-2 tensor from rows of equal length. */
    public static Tensor matrix(double[][] rows) {
        int m = rows.length;
        int n = m == 0 ? 0 : rows[0].length;
        double[] d = new double[m * n];
        for (int i = 0; i < m; i++) {
            if (rows[i].length != n) {
                throw new IllegalArgumentException("Tensor.matrix: row " + i + " has " + rows[i].length
                        + " values, row 0 has " + n + "; rows must have equal length");
            }
            System.arraycopy(rows[i], 0, d, i * n, n);
        }
        return wrap(d, m, n);
    }

    /** A rank-0 tensor. */
    public static Tensor scalar(double v) {
        return wrap(new double[] {v});
    }

    public static Tensor zeros(int... shape) {
        return wrap(new double[Shapes.checkedSize("zeros", shape)], shape.clone());
    }

    public static Tensor ones(int... shape) {
        return full(1.0, shape);
    }

    public static Tensor full(double value, int... shape) {
        double[] d = new double[Shapes.checkedSize("full", shape)];
        Arrays.fill(d, value);
        return wrap(d, shape.clone());
    }

    /** {@code [0, 1, ..., n-1]}. */
    public static Tensor arange(int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = i;
        }
        return wrap(d, n);
    }

    /** The n x n identity. */
    public static Tensor eye(int n) {
        double[] d = new double[n * n];
        for (int i = 0; i < n; i++) {
            d[i * n + i] = 1;
        }
        return wrap(d, n, n);
    }

    /** Independent standard normal entries drawn in row-major order from {@code rng}. */
    public static Tensor randn(RandomGenerator rng, int... shape) {
        double[] d = new double[Shapes.checkedSize("randn", shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = rng.nextGaussian();
        }
        return wrap(d, shape.clone());
    }

    /** Independent uniform entries in {@code [lo, hi)} drawn in row-major order from {@code rng}. */
    public static Tensor uniform(RandomGenerator rng, double lo, double hi, int... shape) {
        double[] d = new double[Shapes.checkedSize("uniform", shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = lo + (hi - lo) * rng.nextDouble();
        }
        return wrap(d, shape.clone());
    }

    /** {@code [n, classes]} with a 1 at {@code (i, labels[i])}, 0 elsewhere. */
    public static Tensor oneHot(int[] labels, int classes) {
        if (classes <= 0) {
            throw new IllegalArgumentException("oneHot: classes must be positive, got " + classes);
        }
        double[] d = new double[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            int c = labels[i];
            if (c < 0 || c >= classes) {
                throw new IllegalArgumentException("oneHot: label " + c + " at index " + i
                        + " is outside [0, " + classes + "); check the number of classes");
            }
            d[i * classes + c] = 1.0;
        }
        return wrap(d, labels.length, classes);
    }

    // ================================================================== accessors

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Length of an axis (negative counts from the end). */
    public int dim(int axis) {
        return shape[Shapes.axis("dim", axis, shape.length)];
    }

    public int size() {
        return length;
    }

    /** A copy of the values in row-major order. */
    public double[] toArray() {
        double[] arr = array();
        int off = arrayOffset(arr);
        return Arrays.copyOfRange(arr, off, off + length);
    }

    /** Copies the values into {@code dst} at {@code offset}. */
    public void copyTo(double[] dst, int offset) {
        double[] arr = array();
        System.arraycopy(arr, arrayOffset(arr), dst, offset, length);
    }

    /** The only value of a one-element tensor. */
    public double item() {
        if (length != 1) {
            throw new IllegalStateException("item: tensor of shape " + Shapes.str(shape) + " has " + length
                    + " elements, item() needs exactly one; reduce it first (sum, mean)");
        }
        double[] arr = array();
        return arr[arrayOffset(arr)];
    }

    /** The value at a multi-index. */
    public double get(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("get: " + index.length + " indices for a tensor of rank " + shape.length);
        }
        int off = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("get: index " + index[d] + " out of range for axis " + d
                        + " of length " + shape[d]);
            }
            off = off * shape[d] + index[d];
        }
        double[] arr = array();
        return arr[arrayOffset(arr) + off];
    }

    /** Element i of the flat row-major view. */
    public double flat(int i) {
        if (i < 0 || i >= length) {
            throw new IndexOutOfBoundsException("flat: index " + i + " out of range for " + length + " values");
        }
        double[] arr = array();
        return arr[arrayOffset(arr) + i];
    }

    /**
     * Internal: the backing array (never mutate). A view copies its values into an array of its
     * own on first use (racing threads may each copy; the copies are equal).
     */
    double[] data() {
        double[] d = data;
        if (d == null) {
            d = Arrays.copyOfRange(viewBase, viewOffset, viewOffset + length);
            data = d;
        }
        return d;
    }

    /** The array holding this tensor's values and the index of its first value, without copying a view. */
    private double[] array() {
        double[] d = data;
        return d != null ? d : viewBase;
    }

    /** True when this tensor reads its values from another tensor's array, at {@link #arrayOffset(double[])}. */
    boolean isView() {
        return data == null;
    }

    private int arrayOffset(double[] array) {
        return array == viewBase ? viewOffset : 0;
    }

    // ------------------------------------------------------------------ graph view (for autodiff)

    /** True when this tensor is a transform variable or depends on one. */
    public boolean isTraced() {
        return op != null;
    }

    /** The primitive that produced this tensor, or null when untraced. */
    public Primitive primitive() {
        return op;
    }

    public int arity() {
        return inputs.length;
    }

    public Tensor input(int i) {
        return inputs[i];
    }

    public Object attr() {
        return attr;
    }

    /** The same values with no graph (a constant). */
    public Tensor detach() {
        return op == null ? this : same(this, shape, null, NONE, null);
    }

    /**
     * A new variable of an autodiff transform carrying {@code x}'s values. If {@code x} is traced
     * (by an enclosing transform) the variable is an identity of it, so outer derivatives flow
     * through; inner backward passes stop at the variable.
     */
    public static Tensor variable(Tensor x) {
        return same(x, x.shape, Primitive.VAR, x.op != null ? new Tensor[] {x} : NONE, null);
    }

    // ================================================================== elementwise

    private Tensor bin(Kernels.Bin k, Primitive p, Object at, Tensor b) {
        int[] os = Shapes.broadcast(k.name().toLowerCase(Locale.ROOT), shape, b.shape);
        return make(Kernels.binary(k, data(), shape, b.data(), b.shape, os), os, p, at, this, b);
    }

    public Tensor add(Tensor b) {
        return bin(Kernels.Bin.ADD, Primitive.ADD, null, b);
    }

    public Tensor add(double b) {
        return add(scalar(b));
    }

    public Tensor sub(Tensor b) {
        return bin(Kernels.Bin.SUB, Primitive.SUB, null, b);
    }

    public Tensor sub(double b) {
        return sub(scalar(b));
    }

    public Tensor mul(Tensor b) {
        return bin(Kernels.Bin.MUL, Primitive.MUL, null, b);
    }

    public Tensor mul(double b) {
        return mul(scalar(b));
    }

    public Tensor div(Tensor b) {
        return bin(Kernels.Bin.DIV, Primitive.DIV, null, b);
    }

    public Tensor div(double b) {
        return div(scalar(b));
    }

    /**
     * {@code this * (1 - y^2)} elementwise in one pass, with the rounding of the three separate operations
     * (tanh's derivative applied to a cotangent: {@code g.mulOneMinusSquare(tanh(x))}).
     */
    public Tensor mulOneMinusSquare(Tensor y) {
        return bin(Kernels.Bin.MUL_1MSQ, Primitive.MUL_ONE_MINUS_SQUARE, null, y);
    }

    /** {@code this ^ b} elementwise (real powers: negative bases need integer exponents). */
    public Tensor pow(Tensor b) {
        return bin(Kernels.Bin.POW, Primitive.POW, null, b);
    }

    public Tensor pow(double b) {
        return pow(scalar(b));
    }

    /** Elementwise maximum; at ties the gradient is split equally. */
    public Tensor maximum(Tensor b) {
        return bin(Kernels.Bin.MAX, Primitive.MAXIMUM, null, b);
    }

    public Tensor maximum(double b) {
        return maximum(scalar(b));
    }

    public Tensor minimum(Tensor b) {
        return bin(Kernels.Bin.MIN, Primitive.MINIMUM, null, b);
    }

    public Tensor minimum(double b) {
        return minimum(scalar(b));
    }

    private Tensor cmp(Kernels.Bin k, Attr.Cmp c, Tensor b) {
        return bin(k, Primitive.COMPARE, c, b);
    }

    /**
     * The share of a gradient of {@code maximum(this, b)} ({@code greater}) or {@code minimum(this, b)} that
     * goes to this operand: 1 where {@code this > b} (resp. {@code <}), 1/2 where equal, else 0 (also for NaN);
     * one pass, the values of {@code gt(b).add(eq(b).mul(0.5))} (zero gradient).
     */
    public Tensor winShare(Tensor b, boolean greater) {
        return greater ? cmp(Kernels.Bin.SHARE_GT, Attr.Cmp.SHARE_GT, b) : cmp(Kernels.Bin.SHARE_LT, Attr.Cmp.SHARE_LT, b);
    }

    /** 1 where {@code this > b}, else 0 (zero gradient). */
    public Tensor gt(Tensor b) {
        return cmp(Kernels.Bin.GT, Attr.Cmp.GT, b);
    }

    public Tensor gt(double b) {
        return gt(scalar(b));
    }

    public Tensor ge(Tensor b) {
        return cmp(Kernels.Bin.GE, Attr.Cmp.GE, b);
    }

    public Tensor ge(double b) {
        return ge(scalar(b));
    }

    public Tensor lt(Tensor b) {
        return cmp(Kernels.Bin.LT, Attr.Cmp.LT, b);
    }

    public Tensor lt(double b) {
        return lt(scalar(b));
    }

    public Tensor le(Tensor b) {
        return cmp(Kernels.Bin.LE, Attr.Cmp.LE, b);
    }

    public Tensor le(double b) {
        return le(scalar(b));
    }

    public Tensor eq(Tensor b) {
        return cmp(Kernels.Bin.EQ, Attr.Cmp.EQ, b);
    }

    public Tensor eq(double b) {
        return eq(scalar(b));
    }

    public Tensor ne(Tensor b) {
        return cmp(Kernels.Bin.NE, Attr.Cmp.NE, b);
    }

    public Tensor ne(double b) {
        return ne(scalar(b));
    }

    /** {@code cond != 0 ? a : b}, elementwise with broadcasting of all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] os = Shapes.broadcast("where", Shapes.broadcast("where", cond.shape, a.shape), b.shape);
        return make(Kernels.where(cond.data(), cond.shape, a.data(), a.shape, b.data(), b.shape, os), os,
                Primitive.WHERE, null, cond, a, b);
    }

    private Tensor un(Kernels.Un k, Primitive p) {
        return make(Kernels.unary(k, data()), shape, p, null, this);
    }

    public Tensor neg() {
        return un(Kernels.Un.NEG, Primitive.NEG);
    }

    public Tensor exp() {
        return un(Kernels.Un.EXP, Primitive.EXP);
    }

    public Tensor log() {
        return un(Kernels.Un.LOG, Primitive.LOG);
    }

    public Tensor tanh() {
        return un(Kernels.Un.TANH, Primitive.TANH);
    }

    public Tensor sigmoid() {
        return un(Kernels.Un.SIGMOID, Primitive.SIGMOID);
    }

    public Tensor sqrt() {
        return un(Kernels.Un.SQRT, Primitive.SQRT);
    }

    public Tensor abs() {
        return un(Kernels.Un.ABS, Primitive.ABS);
    }

    /** -1, 0 or 1 (zero gradient). */
    public Tensor sign() {
        return un(Kernels.Un.SIGN, Primitive.SIGN);
    }

    /** The error function. */
    public Tensor erf() {
        return un(Kernels.Un.ERF, Primitive.ERF);
    }

    /** {@code this * this}. */
    public Tensor square() {
        return mul(this);
    }

    /** {@code max(this, 0)}. */
    public Tensor relu() {
        return maximum(0.0);
    }

    /** {@code this + alpha * x}; one fused pass when neither is traced. */
    public Tensor addScaled(Tensor x, double alpha) {
        if (op == null && x.op == null && Arrays.equals(shape, x.shape)) {
            return wrap(Kernels.addScaled(data(), x.data(), alpha), shape);
        }
        return add(x.mul(alpha));
    }

    // ================================================================== reductions

    public Tensor sum() {
        return sum(new int[0], false);
    }

    public Tensor sum(int axis) {
        return sum(new int[] {axis}, false);
    }

    /** Sum over {@code axes} (all axes when empty). */
    public Tensor sum(int[] axes, boolean keepdims) {
        int[] ax = Shapes.axes("sum", axes, shape.length);
        int[] os = Shapes.reducedShape(shape, ax, keepdims);
        return make(Kernels.reduce(false, data(), shape, ax), os, Primitive.SUM, new Attr.Axes(ax, keepdims), this);
    }

    public Tensor mean() {
        return mean(new int[0], false);
    }

    public Tensor mean(int axis) {
        return mean(new int[] {axis}, false);
    }

    public Tensor mean(int[] axes, boolean keepdims) {
        int[] ax = Shapes.axes("mean", axes, shape.length);
        long n = 1;
        for (int a : ax) {
            n *= shape[a];
        }
        return sum(ax, keepdims).div((double) n);
    }

    public Tensor max() {
        return max(new int[0], false);
    }

    public Tensor max(int axis) {
        return max(new int[] {axis}, false);
    }

    /** Maximum over {@code axes}; at ties the gradient is split equally among the maximisers. */
    public Tensor max(int[] axes, boolean keepdims) {
        int[] ax = Shapes.axes("max", axes, shape.length);
        for (int a : ax) {
            if (shape[a] == 0) {
                throw new IllegalArgumentException("max: axis " + a + " of shape " + Shapes.str(shape) + " is empty");
            }
        }
        int[] os = Shapes.reducedShape(shape, ax, keepdims);
        return make(Kernels.reduce(true, data(), shape, ax), os, Primitive.MAX, new Attr.Axes(ax, keepdims), this);
    }

    public Tensor min(int[] axes, boolean keepdims) {
        return neg().max(axes, keepdims).neg();
    }

    /** {@code log sum exp} over one axis, stabilised by the (constant) maximum. */
    public Tensor logSumExp(int axis, boolean keepdims) {
        int a = Shapes.axis("logSumExp", axis, shape.length);
        double[] m = Kernels.reduce(true, data(), shape, new int[] {a});
        for (int i = 0; i < m.length; i++) {
            if (!Double.isFinite(m[i])) {
                m[i] = 0.0;
            }
        }
        Tensor shift = wrap(m, Shapes.reducedShape(shape, new int[] {a}, true));
        Tensor out = sub(shift).exp().sum(new int[] {a}, true).log().add(shift);
        return keepdims ? out : out.squeeze(a);
    }

    /** Index of the maximum along the last axis of a rank-2 tensor (first one at ties). */
    public int[] argmaxRows() {
        if (shape.length != 2) {
            throw new IllegalArgumentException("argmaxRows: needs a rank-2 tensor, got shape " + Shapes.str(shape));
        }
        int m = shape[0];
        int n = shape[1];
        int[] out = new int[m];
        double[] d = data();
        for (int i = 0; i < m; i++) {
            int best = 0;
            for (int j = 1; j < n; j++) {
                if (d[i * n + j] > d[i * n + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** Inner product of two tensors of the same shape (a scalar). */
    public Tensor dot(Tensor b) {
        if (!Arrays.equals(shape, b.shape)) {
            throw new IllegalArgumentException("dot: shapes differ: " + Shapes.str(shape) + " . " + Shapes.str(b.shape)
                    + "; both operands must have the same shape (reshape one of them)");
        }
        if (op == null && b.op == null) {
            return scalar(dotValue(b));
        }
        return mul(b).sum();
    }

    /** The value of {@link #dot} (fixed summation order, no graph). */
    public double dotValue(Tensor b) {
        if (length != b.length) {
            throw new IllegalArgumentException("dot: sizes differ: " + Shapes.str(shape) + " . " + Shapes.str(b.shape));
        }
        return Kernels.dot(data(), b.data());
    }

    /** Euclidean (Frobenius) norm as a double. */
    public double norm() {
        return Math.sqrt(dotValue(this));
    }

    /**
     * {@code ||this||}, {@code ||this - ref||} and {@code max |this_i|}, in one pass and without a temporary:
     * the norms equal {@link #norm()} and {@code sub(ref).norm()} bit for bit; the maximum is NaN when a value is.
     */
    public record Norms(double norm, double distance, double maxAbs) {
    }

    /** See {@link Norms}; {@code ref} must have as many values as this tensor. */
    public Norms norms(Tensor ref) {
        if (length != ref.length) {
            throw new IllegalArgumentException("norms: sizes differ: " + Shapes.str(shape) + " and " + Shapes.str(ref.shape)
                    + "; the reference needs as many values");
        }
        double[] x = array();
        double[] r = ref.array();
        double[] s = Kernels.normStats(x, arrayOffset(x), r, ref.arrayOffset(r), length);
        return new Norms(Math.sqrt(s[0]), Math.sqrt(s[1]), s[2]);
    }

    // ================================================================== shape

    /** Same values, new shape; one dimension may be -1 (inferred). */
    public Tensor reshape(int... newShape) {
        int[] ns = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < ns.length; i++) {
            if (ns[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: only one dimension may be -1, got " + Arrays.toString(newShape));
                }
                infer = i;
            } else if (ns[i] < 0) {
                throw new IllegalArgumentException("reshape: negative dimension in " + Arrays.toString(newShape));
            } else {
                known *= ns[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || length % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(newShape)
                        + " for " + length + " elements of shape " + Shapes.str(shape));
            }
            ns[infer] = (int) (length / known);
            known *= ns[infer];
        }
        if (known != length) {
            throw new IllegalArgumentException("reshape: shape " + Shapes.str(shape) + " (" + length
                    + " elements) cannot become " + Arrays.toString(newShape) + " (" + known + " elements)");
        }
        if (Arrays.equals(ns, shape)) {
            return this;
        }
        return traced(this) ? same(this, ns, Primitive.RESHAPE, new Tensor[] {this}, ns) : same(this, ns, null, NONE, null);
    }

    /** Rank-1 view of all values. */
    public Tensor flatten() {
        return reshape(length);
    }

    /** Inserts an axis of length 1. */
    public Tensor unsqueeze(int axis) {
        int a = Shapes.axis("unsqueeze", axis, shape.length + 1);
        int[] ns = new int[shape.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) {
            ns[i] = i == a ? 1 : shape[j++];
        }
        return reshape(ns);
    }

    /** Removes an axis of length 1. */
    public Tensor squeeze(int axis) {
        int a = Shapes.axis("squeeze", axis, shape.length);
        if (shape[a] != 1) {
            throw new IllegalArgumentException("squeeze: axis " + axis + " of shape " + Shapes.str(shape) + " has length "
                    + shape[a] + ", not 1");
        }
        int[] ns = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) {
            if (i != a) {
                ns[j++] = shape[i];
            }
        }
        return reshape(ns);
    }

    /** Reorders axes: output axis i is input axis {@code perm[i]}. */
    public Tensor permute(int... perm) {
        int r = shape.length;
        if (perm.length != r) {
            throw new IllegalArgumentException("permute: " + perm.length + " axes given for a tensor of rank " + r
                    + " (shape " + Shapes.str(shape) + "); give each axis exactly once");
        }
        int[] p = new int[r];
        boolean[] seen = new boolean[r];
        boolean identity = true;
        for (int i = 0; i < r; i++) {
            p[i] = Shapes.axis("permute", perm[i], r);
            if (seen[p[i]]) {
                throw new IllegalArgumentException("permute: axis " + p[i] + " given twice in " + Arrays.toString(perm)
                        + " for shape " + Shapes.str(shape) + "; give each axis exactly once");
            }
            seen[p[i]] = true;
            identity &= p[i] == i;
        }
        if (identity) {
            return this;
        }
        int[] os = new int[r];
        for (int i = 0; i < r; i++) {
            os[i] = shape[p[i]];
        }
        return make(Kernels.permute(data(), shape, p), os, Primitive.PERMUTE, p, this);
    }

    /** Swaps the last two axes (the matrix transpose for rank 2). */
    public Tensor transpose() {
        if (shape.length < 2) {
            throw new IllegalArgumentException("transpose: needs rank >= 2, got shape " + Shapes.str(shape));
        }
        return transpose(-2, -1);
    }

    public Tensor transpose(int a, int b) {
        int r = shape.length;
        int x = Shapes.axis("transpose", a, r);
        int y = Shapes.axis("transpose", b, r);
        int[] p = new int[r];
        for (int i = 0; i < r; i++) {
            p[i] = i;
        }
        p[x] = y;
        p[y] = x;
        return permute(p);
    }

    /** Broadcasts to {@code newShape} (numpy rules), materialising the values. */
    public Tensor expand(int... newShape) {
        int[] os = Shapes.broadcast("expand", shape, newShape);
        if (!Arrays.equals(os, newShape)) {
            throw new IllegalArgumentException("expand: shape " + Shapes.str(shape) + " cannot expand to "
                    + Arrays.toString(newShape) + " (it would broadcast to " + Shapes.str(os) + ")");
        }
        if (Arrays.equals(os, shape)) {
            return this;
        }
        return make(Kernels.broadcastTo(data(), shape, os), os.clone(), Primitive.EXPAND, os.clone(), this);
    }

    /** Sums broadcast axes away so the result has {@code target} shape (the adjoint of expand). */
    public Tensor sumTo(int... target) {
        if (Arrays.equals(shape, target)) {
            return this;
        }
        int lead = shape.length - target.length;
        if (lead < 0) {
            throw new IllegalArgumentException("sumTo: shape " + Shapes.str(shape) + " has lower rank than "
                    + Arrays.toString(target));
        }
        int[] axes = new int[shape.length];
        int n = 0;
        for (int d = 0; d < shape.length; d++) {
            if (d < lead) {
                axes[n++] = d;
            } else if (target[d - lead] == 1 && shape[d] != 1) {
                axes[n++] = d;
            } else if (target[d - lead] != shape[d]) {
                throw new IllegalArgumentException("sumTo: shape " + Shapes.str(shape) + " does not broadcast from "
                        + Arrays.toString(target));
            }
        }
        Tensor s = n == 0 ? this : sum(Arrays.copyOf(axes, n), true);
        return s.reshape(target);
    }

    /**
     * A contiguous slice holding at least 1/VIEW_FRACTION of its tensor's values is a view (no copy;
     * matrix products read it in place). Smaller slices are copied, so that a view never keeps much
     * more memory alive than it shows.
     */
    private static final int VIEW_FRACTION = 8;

    /** {@code this[..., start:stop, ...]} along {@code axis} (step 1); a view when contiguous and large. */
    public Tensor slice(int axis, int start, int stop) {
        int a = Shapes.axis("slice", axis, shape.length);
        if (start < 0 || stop > shape[a] || start > stop) {
            throw new IllegalArgumentException("slice: range [" + start + ", " + stop + ") is not inside axis " + a
                    + " of length " + shape[a] + " (shape " + Shapes.str(shape) + "); need 0 <= start <= stop <= length");
        }
        if (start == 0 && stop == shape[a]) {
            return this;
        }
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < a; d++) {
            outer *= shape[d];
        }
        for (int d = a + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int[] os = shape.clone();
        os[a] = stop - start;
        int size = Shapes.checkedSize("slice", os);
        double[] arr = array();                         // a view's base: neither branch copies the whole view
        int base = arrayOffset(arr);
        if (outer == 1 && (long) size * VIEW_FRACTION >= length) {
            int from = base + start * inner;
            return traced(this)
                    ? new Tensor(arr, from, size, os, Primitive.SLICE, new Tensor[] {this}, new Attr.Slice(a, start, stop))
                    : new Tensor(arr, from, size, os, null, NONE, null);
        }
        double[] o = new double[size];
        Kernels.copyBlocks(arr, base, shape[a], start, o, os[a], 0, stop - start, outer, inner);
        return make(o, os, Primitive.SLICE, new Attr.Slice(a, start, stop), this);
    }

    /** Pads with {@code value}: {@code lo[d]} entries before and {@code hi[d]} after each axis d. */
    public Tensor pad(int[] lo, int[] hi, double value) {
        int r = shape.length;
        if (lo.length != r || hi.length != r) {
            throw new IllegalArgumentException("pad: need " + r + " lo and hi widths for shape " + Shapes.str(shape)
                    + ", got " + lo.length + " and " + hi.length);
        }
        int[] os = new int[r];
        boolean none = true;
        for (int d = 0; d < r; d++) {
            if (lo[d] < 0 || hi[d] < 0) {
                throw new IllegalArgumentException("pad: widths must be >= 0, got lo " + Arrays.toString(lo)
                        + " hi " + Arrays.toString(hi) + " (use slice to crop)");
            }
            os[d] = shape[d] + lo[d] + hi[d];
            none &= lo[d] == 0 && hi[d] == 0;
        }
        if (none) {
            return this;
        }
        return make(Kernels.pad(data(), shape, lo, hi, value, os), os, Primitive.PAD,
                new Attr.Pad(lo.clone(), hi.clone(), value), this);
    }

    /** Zero padding along one axis. */
    public Tensor pad(int axis, int lo, int hi) {
        int a = Shapes.axis("pad", axis, shape.length);
        int[] l = new int[shape.length];
        int[] h = new int[shape.length];
        l[a] = lo;
        h[a] = hi;
        return pad(l, h, 0.0);
    }

    /** Joins tensors along an existing axis; all other axes must agree. */
    public static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: needs at least one tensor");
        }
        int r = parts[0].shape.length;
        int a = Shapes.axis("concat", axis, r);
        int total = 0;
        for (int i = 0; i < parts.length; i++) {
            Tensor t = parts[i];
            if (t.shape.length != r) {
                throw new IllegalArgumentException("concat: part " + i + " has rank " + t.shape.length + ", part 0 has rank " + r);
            }
            for (int d = 0; d < r; d++) {
                if (d != a && t.shape[d] != parts[0].shape[d]) {
                    throw new IllegalArgumentException("concat: shapes " + Shapes.str(parts[0].shape) + " and "
                            + Shapes.str(t.shape) + " differ on axis " + d + " (only axis " + a + " may differ)");
                }
            }
            total += t.shape[a];
        }
        if (parts.length == 1) {
            return parts[0];
        }
        int[] os = parts[0].shape.clone();
        os[a] = total;
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < a; d++) {
            outer *= os[d];
        }
        for (int d = a + 1; d < r; d++) {
            inner *= os[d];
        }
        double[] o = new double[Shapes.checkedSize("concat", os)];
        int off = 0;
        for (Tensor t : parts) {
            double[] arr = t.array();
            Kernels.copyBlocks(arr, t.arrayOffset(arr), t.shape[a], 0, o, total, off, t.shape[a], outer, inner);
            off += t.shape[a];
        }
        return make(o, os, Primitive.CONCAT, a, parts.clone());
    }

    /** Stacks equal-shaped tensors along a new axis. */
    public static Tensor stack(int axis, Tensor... parts) {
        Tensor[] u = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            u[i] = parts[i].unsqueeze(axis);
        }
        return concat(axis, u);
    }

    /** {@code out[..., j, ...] = this[..., index[j], ...]} along {@code axis}. */
    public Tensor indexSelect(int axis, int[] index) {
        int a = Shapes.axis("indexSelect", axis, shape.length);
        int size = shape[a];
        for (int j = 0; j < index.length; j++) {
            if (index[j] < 0 || index[j] >= size) {
                throw new IndexOutOfBoundsException("indexSelect: index " + index[j] + " at position " + j
                        + " is outside axis " + a + " of length " + size + " (shape " + Shapes.str(shape) + ")");
            }
        }
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < a; d++) {
            outer *= shape[d];
        }
        for (int d = a + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int[] os = shape.clone();
        os[a] = index.length;
        return make(Kernels.indexSelect(data(), outer, size, inner, index), os, Primitive.INDEX_SELECT,
                new Attr.Index(a, index.clone(), size), this);
    }

    /**
     * Scatter-add, the adjoint of {@link #indexSelect}: a tensor with axis {@code axis} of length
     * {@code size}, zero except {@code out[..., index[j], ...] += this[..., j, ...]}.
     */
    public Tensor indexAdd(int axis, int[] index, int size) {
        int a = Shapes.axis("indexAdd", axis, shape.length);
        if (index.length != shape[a]) {
            throw new IllegalArgumentException("indexAdd: " + index.length + " indices for axis " + a + " of length "
                    + shape[a] + " (shape " + Shapes.str(shape) + ")");
        }
        for (int j = 0; j < index.length; j++) {
            if (index[j] < 0 || index[j] >= size) {
                throw new IndexOutOfBoundsException("indexAdd: index " + index[j] + " at position " + j
                        + " is outside [0, " + size + ")");
            }
        }
        int outer = 1;
        int inner = 1;
        for (int d = 0; d < a; d++) {
            outer *= shape[d];
        }
        for (int d = a + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        int[] os = shape.clone();
        os[a] = size;
        return make(Kernels.indexAdd(data(), outer, size, inner, index), os, Primitive.INDEX_ADD,
                new Attr.Index(a, index.clone(), size), this);
    }

    // ================================================================== products

    /** Matrix product with numpy semantics (1-D operands are vectors; leading axes broadcast). */
    public Tensor matmul(Tensor b) {
        if (shape.length == 1 || b.shape.length == 1) {
            if (shape.length == 0 || b.shape.length == 0) {
                throw new IllegalArgumentException("matmul: scalar operand " + Shapes.str(shape) + " @ "
                        + Shapes.str(b.shape) + "; use mul for scalars");
            }
            Tensor a2 = shape.length == 1 ? reshape(1, shape[0]) : this;
            Tensor b2 = b.shape.length == 1 ? b.reshape(b.shape[0], 1) : b;
            Tensor c = a2.matmul(b2, false, false, shape, b.shape);
            int[] cs = c.shape;
            int keep = cs.length - (b.shape.length == 1 ? 1 : 0);          // drop the vector axes
            int[] rs = new int[keep - (shape.length == 1 ? 1 : 0)];
            for (int i = 0, j = 0; i < keep; i++) {
                if (shape.length == 1 && i == keep - (b.shape.length == 1 ? 1 : 2)) {
                    continue;
                }
                rs[j++] = cs[i];
            }
            return c.reshape(rs);
        }
        return matmul(b, false, false);
    }

    /** {@code op(this) @ op(b)}, where {@code op} transposes the last two axes when its flag is set. */
    public Tensor matmul(Tensor b, boolean transA, boolean transB) {
        return matmul(b, transA, transB, shape, b.shape);
    }

    private Tensor matmul(Tensor b, boolean ta, boolean tb, int[] shownA, int[] shownB) {
        return product(b, ta, tb, shownA, shownB, null, 0);
    }

    /**
     * {@code op(this) @ op(b)}, written into a new array, or, when {@code into} is given, into it from
     * {@code at} on (returned as an untraced view of that region; see {@link Assembly}).
     */
    private Tensor product(Tensor b, boolean ta, boolean tb, int[] shownA, int[] shownB, Assembly into, int at) {
        int ra = shape.length;
        int rb = b.shape.length;
        if (ra < 2 || rb < 2) {
            throw new IllegalArgumentException("matmul: operands need rank >= 2 here, got " + Shapes.str(shownA)
                    + " @ " + Shapes.str(shownB));
        }
        int m = ta ? shape[ra - 1] : shape[ra - 2];
        int k = ta ? shape[ra - 2] : shape[ra - 1];
        int k2 = tb ? b.shape[rb - 1] : b.shape[rb - 2];
        int n = tb ? b.shape[rb - 2] : b.shape[rb - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + Shapes.str(shownA)
                    + (ta ? "^T" : "") + " @ " + Shapes.str(shownB) + (tb ? "^T" : "") + " (" + k + " vs " + k2
                    + "); the last axis of the left operand must equal the second-to-last of the right");
        }
        int[] ba = Arrays.copyOf(shape, ra - 2);
        int[] bb = Arrays.copyOf(b.shape, rb - 2);
        int[] batch = Shapes.broadcast("matmul (batch axes)", ba, bb);
        int[] os = Shapes.concat(batch, new int[] {m, n});
        int size = Shapes.checkedSize("matmul", os);
        double[] c = into != null ? into.claim(at, size) : new double[size];
        int lda = shape[ra - 1];
        int ldb = b.shape[rb - 1];
        Blas blas = Blas.get();
        int nb = (int) Shapes.size(batch);
        double[] ad = array();
        int ao = arrayOffset(ad);
        double[] bd = b.array();
        int bo = b.arrayOffset(bd);
        if (ra == 2 && rb == 2) {
            gemm(blas, ta, tb, m, n, k, ad, ao, lda, bd, bo, ldb, c, at);
        } else if (rb == 2 && !ta) {
            // fold the batch of the left operand into its rows: one product
            gemm(blas, false, tb, nb * m, n, k, ad, ao, lda, bd, bo, ldb, c, at);
        } else {
            int[] sa = Kernels.broadcastStrides(ba, batch);
            int[] sb = Kernels.broadcastStrides(bb, batch);
            int[] idx = new int[batch.length];
            int matA = shape[ra - 2] * shape[ra - 1];
            int matB = b.shape[rb - 2] * b.shape[rb - 1];
            for (int i = 0; i < nb; i++) {
                int oa = 0;
                int ob = 0;
                for (int d = 0; d < batch.length; d++) {
                    oa += idx[d] * sa[d];
                    ob += idx[d] * sb[d];
                }
                gemm(blas, ta, tb, m, n, k, ad, ao + oa * matA, lda, bd, bo + ob * matB, ldb, c, at + i * m * n);
                for (int d = batch.length - 1; d >= 0; d--) {
                    if (++idx[d] < batch[d]) {
                        break;
                    }
                    idx[d] = 0;
                }
            }
        }
        if (into != null) {
            return new Tensor(c, at, size, os, null, NONE, null);
        }
        return make(c, os, Primitive.MATMUL, new Attr.Matmul(ta, tb), this, b);
    }

    /** Products this small run in plain Java: a native call costs more than the arithmetic. */
    private static final long SMALL_GEMM = 4096;

    private static void gemm(Blas blas, boolean ta, boolean tb, int m, int n, int k,
                             double[] a, int ao, int lda, double[] b, int bo, int ldb, double[] c, int co) {
        if ((long) m * n * k <= SMALL_GEMM) {
            smallGemm(ta, tb, m, n, k, a, ao, lda, b, bo, ldb, c, co);
        } else {
            blas.dgemm(ta, tb, m, n, k, 1.0, a, ao, lda, b, bo, ldb, 0.0, c, co, n);
        }
    }

    /**
     * Each output element is {@code sum_p A(i,p) B(p,j)} accumulated from 0 in increasing {@code p},
     * whatever the loop order. When rows of {@code B} are contiguous ({@code !tb}) and have at least 4
     * values, the loops run i, p, j (an axpy per (i, p) that the JIT vectorises); otherwise as dot
     * products over p, four rows of op(A) at a time.
     */
    private static void smallGemm(boolean ta, boolean tb, int m, int n, int k,
                                  double[] a, int ao, int lda, double[] b, int bo, int ldb, double[] c, int co) {
        int ai = ta ? 1 : lda;                          // op(A)(i, p) = a[ao + i * ai + p * ap]
        int ap = ta ? lda : 1;
        if (!tb && n >= 4) {
            for (int i = 0; i < m; i++) {
                int ci = co + i * n;
                for (int p = 0; p < k; p++) {
                    double x = a[ao + i * ai + p * ap];
                    int bp = bo + p * ldb;
                    for (int j = 0; j < n; j++) {
                        c[ci + j] += x * b[bp + j];
                    }
                }
            }
            return;
        }
        // dot products over p; four rows of op(A) at a time, so four independent sums are in flight
        // (each output is still its own sum from 0 in increasing p)
        int bjs = tb ? ldb : 1;
        int bps = tb ? 1 : ldb;
        for (int j = 0; j < n; j++) {
            int bj = bo + j * bjs;
            int i = 0;
            for (; i + 3 < m; i += 4) {
                int a0 = ao + i * ai;
                int a1 = a0 + ai;
                int a2 = a1 + ai;
                int a3 = a2 + ai;
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                for (int p = 0; p < k; p++) {
                    double y = b[bj + p * bps];
                    int q = p * ap;
                    s0 += a[a0 + q] * y;
                    s1 += a[a1 + q] * y;
                    s2 += a[a2 + q] * y;
                    s3 += a[a3 + q] * y;
                }
                c[co + i * n + j] = s0;
                c[co + (i + 1) * n + j] = s1;
                c[co + (i + 2) * n + j] = s2;
                c[co + (i + 3) * n + j] = s3;
            }
            for (; i < m; i++) {
                int a0 = ao + i * ai;
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[a0 + p * ap] * b[bj + p * bps];
                }
                c[co + i * n + j] = s;
            }
        }
    }

    // ================================================================== sliding windows

    /**
     * im2col: {@code [N, C, H, W] -> [N, Ho*Wo, C*kh*kw]}, one row per output position, columns
     * ordered (c, i, j) like a {@code [O, C, kh, kw]} weight; zero padding.
     */
    public Tensor unfold(int kh, int kw, int sh, int sw, int ph, int pw) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("unfold: input must be [N, C, H, W], got shape " + Shapes.str(shape));
        }
        if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || ph < 0 || pw < 0) {
            throw new IllegalArgumentException("unfold: kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw
                    + ", padding " + ph + "x" + pw + ": kernel and stride must be >= 1, padding >= 0");
        }
        Attr.Window w = new Attr.Window(shape.clone(), kh, kw, sh, sw, ph, pw);
        if (shape[2] + 2 * ph < kh || shape[3] + 2 * pw < kw) {
            throw new IllegalArgumentException("unfold: kernel " + kh + "x" + kw + " larger than the padded image "
                    + (shape[2] + 2 * ph) + "x" + (shape[3] + 2 * pw) + " (input " + Shapes.str(shape) + ")");
        }
        int[] os = {shape[0], w.outH() * w.outW(), shape[1] * kh * kw};
        return make(Kernels.unfold(data(), w), os, Primitive.UNFOLD, w, this);
    }

    /** col2im, the adjoint of {@link #unfold}: sums {@code [N, L, C*kh*kw]} windows into {@code image}. */
    public Tensor fold(Attr.Window w) {
        int[] want = {w.image()[0], w.outH() * w.outW(), w.image()[1] * w.kh() * w.kw()};
        if (!Arrays.equals(shape, want)) {
            throw new IllegalArgumentException("fold: expected columns of shape " + Shapes.str(want) + " for image "
                    + Shapes.str(w.image()) + ", got " + Shapes.str(shape));
        }
        return make(Kernels.fold(data(), w), w.image().clone(), Primitive.FOLD, w, this);
    }

    /**
     * 2-D cross-correlation (PyTorch's conv2d without bias): input {@code [N, C, H, W]}, weight
     * {@code [O, C, kh, kw]} -> {@code [N, O, Ho, Wo]}; im2col and one matrix product.
     */
    public Tensor conv2d(Tensor weight, int stride, int padding) {
        if (shape.length != 4 || weight.shape.length != 4) {
            throw new IllegalArgumentException("conv2d: input must be [N, C, H, W] and weight [O, C, kh, kw], got "
                    + Shapes.str(shape) + " and " + Shapes.str(weight.shape));
        }
        if (shape[1] != weight.shape[1]) {
            throw new IllegalArgumentException("conv2d: input has " + shape[1] + " channels but weight expects "
                    + weight.shape[1] + " (input " + Shapes.str(shape) + ", weight " + Shapes.str(weight.shape) + ")");
        }
        int o = weight.shape[0];
        int kh = weight.shape[2];
        int kw = weight.shape[3];
        Tensor cols = unfold(kh, kw, stride, stride, padding, padding);     // [N, L, CK]
        Attr.Window w = new Attr.Window(shape.clone(), kh, kw, stride, stride, padding, padding);
        int n = shape[0];
        int ho = w.outH();
        int wo = w.outW();
        int ck = shape[1] * kh * kw;                                        // explicit: -1 is ambiguous when N or O is 0
        Tensor y = cols.reshape(n * ho * wo, ck)                            // [N*L, CK]
                .matmul(weight.reshape(o, ck), false, true);                 // @ [O, CK]^T -> [N*L, O]
        return y.reshape(n, ho, wo, o).permute(0, 3, 1, 2);                  // -> [N, O, Ho, Wo]
    }

    /** Max pooling over {@code k x k} windows with the given stride (no padding). */
    public Tensor maxPool2d(int k, int stride) {
        return pool(true, k, stride, 0);
    }

    /** Average pooling over {@code k x k} windows; zero padding counts in the average (PyTorch default). */
    public Tensor avgPool2d(int k, int stride, int padding) {
        return pool(false, k, stride, padding);
    }

    private Tensor pool(boolean max, int k, int stride, int padding) {
        if (shape.length != 4) {
            throw new IllegalArgumentException((max ? "maxPool2d" : "avgPool2d") + ": input must be [N, C, H, W], got "
                    + Shapes.str(shape));
        }
        int n = shape[0];
        int c = shape[1];
        Tensor cols = reshape(n * c, 1, shape[2], shape[3]).unfold(k, k, stride, stride, padding, padding);
        int ho = (shape[2] + 2 * padding - k) / stride + 1;
        int wo = (shape[3] + 2 * padding - k) / stride + 1;
        Tensor r = max ? cols.max(new int[] {2}, false) : cols.mean(new int[] {2}, false);
        return r.reshape(n, c, ho, wo);
    }

    // ================================================================== misc

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor").append(Shapes.str(shape));
        if (op != null) {
            sb.append(" (").append(op.name().toLowerCase(Locale.ROOT)).append(")");
        }
        sb.append(' ');
        int show = Math.min(length, 8);
        sb.append('[');
        for (int i = 0; i < show; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(String.format(Locale.ROOT, "%.6g", flat(i)));
        }
        if (length > show) {
            sb.append(", ... (").append(length).append(" values)");
        }
        return sb.append(']').toString();
    }

    // ================================================================== assembly

    /**
     * A new tensor filled region by region: the gradient of a flat parameter vector assembled from
     * the cotangents of its slices (layers, and their weights and biases) without first computing
     * each slice's cotangent in an array of its own and then copying it. Products go straight into
     * their region ({@link #matmul}); {@link #part} and {@link #finish} copy other parts to their
     * regions and leave uncovered values zero.
     *
     * <p>Each value is written once: a region, once written or sealed by {@code part}, is never
     * written again, and nothing is written after {@code finish}. So the views handed out and the
     * finished tensor never change: every tensor seen from outside is immutable. For one thread;
     * untraced operands only.
     */
    public static final class Assembly {
        private final double[] array;
        private final int[] shape;
        /** The regions written or sealed so far, as [start, end) pairs; pairwise disjoint. */
        private int[] regions = new int[16];
        private int count;
        private boolean finished;

        public Assembly(int... shape) {
            this.shape = shape.clone();
            this.array = new double[Shapes.checkedSize("Assembly", this.shape)];
        }

        /**
         * {@code op(a) @ op(b)}, as {@link Tensor#matmul(Tensor, boolean, boolean)} computes it (the same
         * products, the same bits), written into this tensor's values from {@code offset} on; returns
         * that region as an untraced view with the product's shape.
         */
        public Tensor matmul(int offset, Tensor a, Tensor b, boolean ta, boolean tb) {
            if (a.op != null || b.op != null) {
                throw new IllegalArgumentException(
                        "Assembly.matmul: operands must be untraced (the result records no graph)");
            }
            return a.product(b, ta, tb, a.shape, b.shape, this, offset);
        }

        /**
         * The values {@code [offset, offset + size(shape))} as an untraced view of that shape, after
         * copying each of {@code parts} to its offset (nothing is copied for a part that already is
         * its region of this assembly: a view from {@link #matmul} or {@code part}); values no part
         * covers stay zero. The whole region is then sealed: nothing more is written into it.
         */
        public Tensor part(int offset, int[] shape, int[] offsets, Tensor[] parts) {
            int len = Shapes.checkedSize("Assembly.part", shape);
            place(offsets, parts, offset, offset + len);
            seal(offset, len);
            return new Tensor(array, offset, len, shape.clone(), null, NONE, null);
        }

        /** The assembled tensor, with {@code parts} placed as by {@link #part}. Ends the assembly. */
        public Tensor finish(int[] offsets, Tensor[] parts) {
            place(offsets, parts, 0, array.length);
            seal(0, array.length);
            finished = true;
            return wrap(array, shape);
        }

        /** Places the parts, which must lie within [lo, hi). */
        private void place(int[] offsets, Tensor[] parts, int lo, int hi) {
            if (offsets.length != parts.length) {
                throw new IllegalArgumentException(
                        "Assembly: " + offsets.length + " offsets for " + parts.length + " parts");
            }
            for (int i = 0; i < parts.length; i++) {
                Tensor p = parts[i];
                if (offsets[i] < lo || offsets[i] > hi - p.length) {
                    throw new IndexOutOfBoundsException("Assembly: part " + i + " at [" + offsets[i] + ", "
                            + ((long) offsets[i] + p.length) + ") is outside its region [" + lo + ", " + hi + ")");
                }
                double[] pa = p.array();
                int po = p.arrayOffset(pa);
                if (pa == array && po == offsets[i] && find(po, po + p.length) >= 0) {
                    continue;
                }
                System.arraycopy(pa, po, claim(offsets[i], p.length), offsets[i], p.length);
            }
        }

        /** The index of the region [start, end), or -1. */
        private int find(int start, int end) {
            for (int r = 0; r < count; r++) {
                if (regions[2 * r] == start && regions[2 * r + 1] == end) {
                    return r;
                }
            }
            return -1;
        }

        /** Marks [start, start + len) as written (it must be free) and returns the array to write it in. */
        double[] claim(int start, int len) {
            check(start, len);
            for (int r = 0; r < count; r++) {
                if (len > 0 && start < regions[2 * r + 1] && regions[2 * r] < start + len) {
                    throw new IllegalStateException("Assembly: region [" + start + ", " + (start + len) + ") overlaps ["
                            + regions[2 * r] + ", " + regions[2 * r + 1]
                            + "), written before; each value is written once");
                }
            }
            add(start, start + len);
            return array;
        }

        /** Marks [start, start + len) as final; regions written before must lie inside it or outside it. */
        private void seal(int start, int len) {
            check(start, len);
            int end = start + len;
            int kept = 0;
            for (int r = 0; r < count; r++) {
                int rs = regions[2 * r];
                int re = regions[2 * r + 1];
                boolean inside = start <= rs && re <= end;
                if (!inside && rs < end && start < re) {
                    throw new IllegalStateException("Assembly: region [" + start + ", " + end + ") cuts across ["
                            + rs + ", " + re + "), written before");
                }
                if (!inside) {
                    regions[2 * kept] = rs;
                    regions[2 * kept + 1] = re;
                    kept++;
                }
            }
            count = kept;
            add(start, end);
        }

        private void check(int start, int len) {
            if (finished) {
                throw new IllegalStateException("Assembly: already finished; its tensor must not change");
            }
            if (start < 0 || len < 0 || start > array.length - len) {
                throw new IndexOutOfBoundsException("Assembly: region [" + start + ", " + ((long) start + len)
                        + ") is outside the " + array.length + " values of shape " + Shapes.str(shape));
            }
        }

        private void add(int start, int end) {
            if (2 * count == regions.length) {
                regions = Arrays.copyOf(regions, 2 * regions.length);
            }
            regions[2 * count] = start;
            regions[2 * count + 1] = end;
            count++;
        }
    }
}
