package org.sgdlab.autodiff;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.sgdlab.tensor.Tensor;

/**
 * Function transforms: {@code grad}, {@code valueAndGrad}, {@code vjp}, {@code jvp}, {@code hvp}
 * and dense {@code jacobian}, on functions of one tensor (typically the flat parameter vector;
 * data enters by closure: {@code theta -> loss(model.apply(theta, x), y)}).
 *
 * <ul>
 *   <li>{@code hvp(f, x, v) = grad(z -> <grad f(z), v>)(x)}: reverse over reverse, exact.</li>
 *   <li>{@code jvp(f, x, v) = J v} by transposing the (linear) VJP: {@code J v = d/du <J^T u, v>}.</li>
 * </ul>
 *
 * <p>Transforms nest ({@code grad} of a function that calls {@code grad}); the derivatives of a
 * nested call stay traced for the enclosing transform. When the outermost transform returns, its
 * results are detached: nothing of a graph outlives the call that made it.
 */
public final class Autodiff {

    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    private Autodiff() {
    }

    /** The value of {@code f} (a scalar) and its gradient. */
    public record ValueAndGrad(Tensor value, Tensor grad) {
        /** The value as a double. */
        public double loss() {
            return value.item();
        }
    }

    /** Gradient of a scalar function. */
    public static Tensor grad(Function<Tensor, Tensor> f, Tensor x) {
        return valueAndGrad(f, x).grad();
    }

    /** Value and gradient of a scalar function in one forward and one backward pass. */
    public static ValueAndGrad valueAndGrad(Function<Tensor, Tensor> f, Tensor x) {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            boolean nested = depth[0] > 1;
            Tensor xv = Tensor.variable(x);
            Tensor y = f.apply(xv);
            requireScalar("grad", y);
            Tensor g = Backprop.backward(y, Tensor.ones(y.shape()), new Tensor[] {xv}, nested)[0];
            return new ValueAndGrad(out(y, nested), out(g, nested));
        } finally {
            depth[0]--;
        }
    }

    /** {@code J^T u}: the vector-Jacobian product of {@code f} at {@code x}. */
    public static Tensor vjp(Function<Tensor, Tensor> f, Tensor x, Tensor u) {
        return vjps(f, x, List.of(u)).get(0);
    }

    /** {@code J^T u} for several cotangents, sharing one forward pass. */
    public static List<Tensor> vjps(Function<Tensor, Tensor> f, Tensor x, List<Tensor> us) {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            boolean nested = depth[0] > 1;
            Tensor xv = Tensor.variable(x);
            Tensor y = f.apply(xv);
            List<Tensor> out = new ArrayList<>(us.size());
            for (Tensor u : us) {
                requireShape("vjp", "cotangent", u, y);
                out.add(out(Backprop.backward(y, u, new Tensor[] {xv}, nested)[0], nested));
            }
            return out;
        } finally {
            depth[0]--;
        }
    }

    /** {@code J v}: the Jacobian-vector product of {@code f} at {@code x}. */
    public static Tensor jvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        return jvps(f, x, List.of(v)).get(0);
    }

    /** {@code J v} for several tangents, sharing the forward pass and the linearised VJP. */
    public static List<Tensor> jvps(Function<Tensor, Tensor> f, Tensor x, List<Tensor> vs) {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            boolean nested = depth[0] > 1;
            Tensor xv = Tensor.variable(x);
            Tensor y = f.apply(xv);
            Tensor u = Tensor.variable(Tensor.zeros(y.shape()));
            Tensor jtu = Backprop.backward(y, u, new Tensor[] {xv}, true)[0];   // J^T u, linear in u
            List<Tensor> out = new ArrayList<>(vs.size());
            for (Tensor v : vs) {
                requireShape("jvp", "tangent", v, x);
                out.add(out(Backprop.backward(jtu, v, new Tensor[] {u}, nested)[0], nested));
            }
            return out;
        } finally {
            depth[0]--;
        }
    }

    /** {@code H v}, the exact Hessian-vector product of a scalar function. */
    public static Tensor hvp(Function<Tensor, Tensor> f, Tensor x, Tensor v) {
        return hvps(f, x, List.of(v)).get(0);
    }

    /** {@code H v} for several vectors, sharing the forward pass and the gradient graph. */
    public static List<Tensor> hvps(Function<Tensor, Tensor> f, Tensor x, List<Tensor> vs) {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            boolean nested = depth[0] > 1;
            Tensor xv = Tensor.variable(x);
            Tensor y = f.apply(xv);
            requireScalar("hvp", y);
            Tensor g = Backprop.backward(y, Tensor.ones(y.shape()), new Tensor[] {xv}, true)[0];
            List<Tensor> out = new ArrayList<>(vs.size());
            for (Tensor v : vs) {
                requireShape("hvp", "vector", v, x);
                out.add(out(Backprop.backward(g, v, new Tensor[] {xv}, nested)[0], nested));
            }
            return out;
        } finally {
            depth[0]--;
        }
    }

    /**
     * The Hessian of a scalar function at {@code x} as a reusable linear map. The forward pass and
     * the first backward pass are recorded once; each {@code apply(v)} costs one further backward
     * pass (about a third less than {@link #hvp}, and no forward pass). The graph lives as long as
     * the returned operator: drop it when done (e.g. after an eigensolver run).
     */
    public static UnaryOperator<Tensor> hessianAt(Function<Tensor, Tensor> f, Tensor x) {
        int[] depth = DEPTH.get();
        Tensor xv;
        Tensor g;
        depth[0]++;
        try {
            xv = Tensor.variable(x);
            Tensor y = f.apply(xv);
            requireScalar("hessianAt", y);
            g = Backprop.backward(y, Tensor.ones(y.shape()), new Tensor[] {xv}, true)[0];
        } finally {
            depth[0]--;
        }
        Tensor var = xv;
        Tensor grad = g;
        return v -> {
            requireShape("hessianAt", "vector", v, var);
            boolean nested = DEPTH.get()[0] > 0;
            return out(Backprop.backward(grad, v, new Tensor[] {var}, nested)[0], nested);
        };
    }

    /**
     * The dense Jacobian {@code [f(x).size, x.size]} (row i = gradient of output element i in
     * row-major order), from one forward pass and one VJP per output element.
     */
    public static Tensor jacobian(Function<Tensor, Tensor> f, Tensor x) {
        int[] depth = DEPTH.get();
        depth[0]++;
        try {
            boolean nested = depth[0] > 1;
            Tensor xv = Tensor.variable(x);
            Tensor y = f.apply(xv);
            int m = y.size();
            int n = x.size();
            Tensor[] rows = new Tensor[m];
            for (int i = 0; i < m; i++) {
                double[] e = new double[m];
                e[i] = 1.0;
                rows[i] = Backprop.backward(y, Tensor.of(e, y.shape()), new Tensor[] {xv}, nested)[0].reshape(1, n);
            }
            return out(m == 0 ? Tensor.zeros(0, n) : Tensor.concat(0, rows), nested);
        } finally {
            depth[0]--;
        }
    }

    /** The full Hessian of a scalar function, {@code [x.size, x.size]}, from one HVP per basis vector. */
    public static Tensor hessian(Function<Tensor, Tensor> f, Tensor x) {
        int n = x.size();
        List<Tensor> basis = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            double[] e = new double[n];
            e[i] = 1.0;
            basis.add(Tensor.of(e, x.shape()));
        }
        List<Tensor> cols = hvps(f, x, basis);
        Tensor[] rows = new Tensor[n];
        for (int i = 0; i < n; i++) {
            rows[i] = cols.get(i).reshape(1, n);
        }
        return n == 0 ? Tensor.zeros(0, 0) : Tensor.concat(0, rows);
    }

    private static Tensor out(Tensor t, boolean nested) {
        return nested ? t : t.detach();
    }

    private static void requireScalar(String op, Tensor y) {
        if (y.size() != 1) {
            throw new IllegalArgumentException(op + ": the function must return a scalar (one element), got shape "
                    + Arrays.toString(y.shape()) + "; reduce it (sum, mean) or use vjp/jacobian for vector outputs");
        }
    }

    private static void requireShape(String op, String what, Tensor v, Tensor like) {
        if (!Arrays.equals(v.shape(), like.shape())) {
            throw new IllegalArgumentException(op + ": " + what + " has shape " + Arrays.toString(v.shape())
                    + " but must match " + Arrays.toString(like.shape()));
        }
    }
}
