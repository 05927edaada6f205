package org.sgdlab.diagnostics;

import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.sgdlab.data.Synthetic;
import org.sgdlab.nn.Model;
import org.sgdlab.tensor.Tensor;

/**
 * The true AGOP G* = G(f*) = (1/N) sum_j grad f*(x_j) grad f*(x_j)^T of the target, on the <b>same
 * inputs</b> as the model's G (QUANTITIES.md Q13; P1 Def. 2: alignment with the AGOP of the true
 * model). Three sources of f*:
 *
 * <ul>
 *   <li>the synthetic targets of {@link Synthetic.Target}, by their keys, with analytic gradients:
 *       <pre>
 *   x1x2              f* = x_1 x_2            grad = (x_2, x_1, 0, ...)
 *   x1x2x3            f* = x_1 x_2 x_3        grad = (x_2 x_3, x_1 x_3, x_1 x_2, 0, ...)
 *   sin-x1-plus-x2x3  f* = sin x_1 + x_2 x_3  grad = (cos x_1, x_3, x_2, 0, ...)
 *       </pre>
 *       For x ~ N(0, I) the population G* is diag(1, 1, 0, ...), diag(1, 1, 1, 0, ...) and
 *       diag(E cos^2 x_1, 1, 1, 0, ...) = diag((1 + e^{-2})/2, 1, 1, 0, ...);</li>
 *   <li>any function {@code [N, d] -> [N, k]} (input gradients by autodiff);</li>
 *   <li>a reference model at fixed parameters (a well-trained network as the proxy for real data).</li>
 * </ul>
 */
public final class TrueAgop {

    private TrueAgop() {
    }

    /** The keys of the targets with analytic gradients (those of {@link Synthetic.Target}). */
    public static List<String> targets() {
        return Arrays.stream(Synthetic.Target.values()).map(Synthetic.Target::key).toList();
    }

    /** Whether {@code name} is one of {@link #targets()}. */
    public static boolean known(String name) {
        return targets().contains(name);
    }

    /** The analytic gradients {@code [N, d]} of the target {@code name} at the rows of {@code x [N, d]}. */
    public static Tensor gradients(String name, Tensor x) {
        Synthetic.Target t = Synthetic.Target.byName(name);
        int minDim = t == Synthetic.Target.X1X2 ? 2 : 3;
        if (x.rank() != 2 || x.dim(1) < minDim) {
            throw new IllegalArgumentException("TrueAgop: target " + name + " needs inputs [N, d] with d >= " + minDim
                    + ", got " + Arrays.toString(x.shape()));
        }
        int n = x.dim(0);
        int d = x.dim(1);
        double[] xv = x.toArray();
        double[] g = new double[n * d];
        for (int j = 0; j < n; j++) {
            int o = j * d;
            double x1 = xv[o];
            double x2 = xv[o + 1];
            switch (t) {
                case X1X2 -> {
                    g[o] = x2;
                    g[o + 1] = x1;
                }
                case X1X2X3 -> {
                    double x3 = xv[o + 2];
                    g[o] = x2 * x3;
                    g[o + 1] = x1 * x3;
                    g[o + 2] = x1 * x2;
                }
                case SIN_X1_PLUS_X2X3 -> {
                    double x3 = xv[o + 2];
                    g[o] = Math.cos(x1);
                    g[o + 1] = x3;
                    g[o + 2] = x2;
                }
                default -> throw new IllegalStateException("no gradient for target " + t.key());
            }
        }
        return Tensor.of(g, n, d);
    }

    /** G* of the synthetic target {@code name} on the rows of {@code x}. */
    public static Tensor of(String name, Tensor x) {
        return Agop.fromGradients(gradients(name, x));
    }

    /** G* of a function {@code [m, ...] -> [m, k]} (or {@code [m]}) without cross-sample interaction, by autodiff. */
    public static Tensor of(Function<Tensor, Tensor> target, Tensor x) {
        return Agop.of(target, x, Agop.DEFAULT_CHUNK);
    }

    /** G* = G of a reference model at fixed parameters {@code theta}. */
    public static Tensor of(Model reference, Tensor theta, Tensor x) {
        return Agop.of(reference, theta, x);
    }
}
