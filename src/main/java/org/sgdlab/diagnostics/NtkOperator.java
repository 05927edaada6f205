package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.CountingOperator;
import org.sgdlab.linalg.Lanczos;
import org.sgdlab.linalg.LinearOperator;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.nn.Loss;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.SquaredLoss;
import org.sgdlab.nn.TwoLayerNtk;
import org.sgdlab.tensor.Tensor;

/**
 * The (scaled) tangent kernel of a model on inputs x_1..x_n (QUANTITIES.md Q10.1):
 *
 * <pre>
 *   K = J J^T in R^{nk x nk},   K_{(i,a),(j,b)} = &lt;grad_theta f_a(x_i), grad_theta f_b(x_j)&gt;,
 *   K-bar = scale K,            scale = 2c/n (full kernel), 2c/b (batch kernel K-bar_B),
 * </pre>
 *
 * sample-major: row (i, a) of J is {@code i k + a}, the same order as the stacked residual
 * r = (r_1, ..., r_n) of Q1. K-bar's nonzero eigenvalues are those of the Gauss-Newton matrix
 * (2c/n) J^T J (Q10.1, Q5.1). Paper: Zhu, Liu, Radhakrishnan, Belkin, ICML 2024 (arXiv 2306.04815)
 * and its precursor arXiv 2205.11787 (Def. 1).
 *
 * <p>Two ways to use it:
 * <ul>
 *   <li>{@link #matrix()}: for the two-layer NTK network ({@link TwoLayerNtk}) a closed form (Q10.1: "a closed
 *       form is cheap"); otherwise the explicit Jacobian J {@code [nk, p]} built in blocks of
 *       {@link #JACOBIAN_BLOCK} samples (one forward pass and {@code block * k} VJPs per block, so
 *       the autodiff graph stays small), then K-bar = scale J J^T by one matrix product. Needs
 *       {@code nk p} doubles (Q10.1: keep it below about 2e7).</li>
 *   <li>{@link #operator()}: the matrix-free {@code K-bar v = scale J (J^T v)}, one VJP and one JVP per
 *       chunk of {@code chunk} samples; memory O(p + nk).</li>
 * </ul>
 *
 * <p>Block assembly assumes that the output of one sample does not depend on the other samples of the
 * batch (true of every sgdlab model: there is no batch norm); the matrix-free product makes no such
 * assumption.
 */
public final class NtkOperator {

    /** Samples per block of the explicit Jacobian (one per block is the cheapest: no cross-sample work). */
    static final int JACOBIAN_BLOCK = 1;

    private final Model model;
    private final Tensor theta;
    private final Tensor x;
    private final int n;
    private final int k;
    private final int p;
    private final double scale;
    private final int chunk;
    private final Tensor output;
    private long vjps;
    private long jvps;

    private NtkOperator(Model model, Tensor theta, Tensor x, double scale, int chunk) {
        this.model = model;
        this.theta = theta.detach();
        this.x = x.detach();
        this.n = x.dim(0);
        this.p = theta.size();
        this.scale = scale;
        this.chunk = chunk;
        List<Tensor> parts = new ArrayList<>();
        for (int lo = 0; lo < n; lo += chunk) {
            parts.add(model.apply(this.theta, this.x.slice(0, lo, Math.min(n, lo + chunk))));
        }
        Tensor f = parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
        if (f.rank() < 1 || f.dim(0) != n || f.size() % n != 0) {
            throw new IllegalArgumentException("NtkOperator: model output " + Arrays.toString(f.shape())
                    + " is not [n, k] for n = " + n + " inputs");
        }
        this.k = f.size() / n;
        this.output = f.reshape(n, k);
    }

    /**
     * {@code scale * J J^T} of {@code model} at {@code theta} on the rows of {@code x} ({@code [n, ...]}),
     * forward passes in chunks of at most {@code chunk} samples.
     */
    public static NtkOperator of(Model model, Tensor theta, Tensor x, double scale, int chunk) {
        if (model == null || theta == null || x == null) {
            throw new IllegalArgumentException("NtkOperator: model, theta and inputs are required");
        }
        if (x.rank() < 1 || x.dim(0) < 1) {
            throw new IllegalArgumentException("NtkOperator: inputs must be [n, ...] with n >= 1, got "
                    + Arrays.toString(x.shape()));
        }
        if (theta.rank() != 1 || theta.size() != model.numParams()) {
            throw new IllegalArgumentException("NtkOperator: theta must be a vector of " + model.numParams()
                    + " parameters, got " + Arrays.toString(theta.shape()));
        }
        if (!Double.isFinite(scale)) {
            throw new IllegalArgumentException("NtkOperator: scale must be finite, got " + scale);
        }
        if (chunk < 1) {
            throw new IllegalArgumentException("NtkOperator: chunk must be >= 1, got " + chunk);
        }
        return new NtkOperator(model, theta, x, scale, chunk);
    }

    /**
     * The normalised kernel K-bar = (2c/m) J J^T of the problem's squared loss on the m rows of {@code d}
     * (c from the loss's {@code mse_convention}); chunks of the problem's physical batch size.
     */
    public static NtkOperator normalised(Problem problem, Tensor theta, Dataset d) {
        double c = squaredLossFactor(problem.loss(), "NtkOperator");
        return of(problem.model(), theta, d.x(), 2.0 * c / d.size(), problem.physicalBatch());
    }

    /** The factor c of a squared loss (Q2.1); any other loss is rejected, naming {@code owner}. */
    static double squaredLossFactor(Loss loss, String owner) {
        if (loss instanceof SquaredLoss sq) {
            return sq.convention().factor();
        }
        throw new IllegalArgumentException(owner + ": the normalised tangent kernel (2c/n) J J^T and the loss split"
                + " need the squared loss 'mse', got '" + (loss == null ? "null" : loss.name()) + "'");
    }

    /** n, the number of inputs. */
    public int samples() {
        return n;
    }

    /** k, the number of outputs per input. */
    public int outputs() {
        return k;
    }

    /** nk, the dimension of the kernel. */
    public int dim() {
        return n * k;
    }

    /** p, the number of parameters. */
    public int params() {
        return p;
    }

    /** The factor in front of J J^T. */
    public double scale() {
        return scale;
    }

    /** The outputs f(x_i; theta), {@code [n, k]}. */
    public Tensor output() {
        return output;
    }

    /** VJPs computed so far (one per backward pass of the explicit Jacobian or per chunk of a product). */
    public long vjps() {
        return vjps;
    }

    /** JVPs computed so far (one per chunk of a matrix-free product). */
    public long jvps() {
        return jvps;
    }

    /**
     * The Jacobian J {@code [nk, p]}, row {@code i k + a} = grad_theta f_a(x_i), assembled from blocks of
     * {@link #JACOBIAN_BLOCK} samples ({@code Autodiff.jacobian} on each block).
     */
    public Tensor jacobian() {
        long entries = (long) n * k * p;
        if (entries > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("NtkOperator.jacobian: J would have " + entries
                    + " entries (nk = " + n * k + ", p = " + p + "); use the matrix-free operator()");
        }
        double[] j = new double[(int) entries];
        for (int lo = 0; lo < n; lo += JACOBIAN_BLOCK) {
            int hi = Math.min(n, lo + JACOBIAN_BLOCK);
            Tensor xb = x.slice(0, lo, hi);
            Tensor jb = Autodiff.jacobian(th -> model.apply(th, xb), theta);      // [(hi - lo) k, p]
            if (jb.dim(0) != (hi - lo) * k) {
                throw new IllegalArgumentException("NtkOperator.jacobian: the model gives " + jb.dim(0)
                        + " outputs for " + (hi - lo) + " inputs, expected " + (hi - lo) * k);
            }
            jb.copyTo(j, lo * k * p);
            vjps += (long) (hi - lo) * k;
        }
        return Tensor.of(j, n * k, p);
    }

    /**
     * The dense K-bar = scale J J^T {@code [nk, nk]}, symmetrised: by the closed form of {@link #closedForm}
     * for the two-layer NTK network, else from {@link #jacobian()} and one matrix product.
     */
    public Tensor matrix() {
        if (model instanceof TwoLayerNtk net) {
            return closedForm(net);
        }
        Tensor j = jacobian();
        Tensor kk = j.matmul(j, false, true);                                      // [nk, p] @ [p, nk] -> [nk, nk]
        return kk.add(kk.transpose()).mul(0.5 * scale);
    }

    /** How {@link #matrix()} assembles the kernel: {@code closed-form} or {@code jacobian}. */
    public String assembly() {
        return model instanceof TwoLayerNtk ? "closed-form" : "jacobian";
    }

    /**
     * The kernel of the two-layer network f_a(x) = sum_i A_ai s(z_i) / sqrt(m), z = W x / sqrt(d) [+ b]
     * (Q10.5) in closed form (derived from the gradients A_ai: s(z_i)/sqrt(m); W_i: A_ai s'(z_i) x /
     * sqrt(md); b_i: A_ai s'(z_i)/sqrt(m)):
     *
     * <pre>
     *   K_{(x,a),(x',b)} = delta_ab (1/m) sum_i s(z_i) s(z'_i)
     *                    + (1/m) sum_i A_ai A_bi s'(z_i) s'(z'_i) (x.x'/d [+ 1 with a bias])
     * </pre>
     *
     * O(n^2 m k^2) instead of O(n^2 m d k^2); s' by autodiff of the activation (ReLU: 1/2 at 0, as in
     * the network's own gradients).
     */
    private Tensor closedForm(TwoLayerNtk net) {
        int d = net.inputDim();
        int m = net.width();
        Tensor xf = x.reshape(n, d);
        Tensor w = net.layout().view(theta, "0.weight");                           // [m, d]
        Tensor a = net.layout().view(theta, "2.weight");                           // [k, m]
        boolean bias = net.layout().contains("0.bias");
        Tensor z = xf.matmul(w, false, true).mul(1 / Math.sqrt(d));                // [n, d] @ [d, m] -> [n, m]
        if (bias) {
            z = z.add(net.layout().view(theta, "0.bias"));
        }
        var act = net.activation();
        Tensor s = act.apply(z);                                                   // [n, m]
        Tensor ds = Autodiff.grad(zz -> act.apply(zz).sum(), z);                   // s'(z) [n, m]
        Tensor gram = s.matmul(s, false, true).mul(1.0 / m);                       // [n, m] @ [m, n] -> [n, n]
        Tensor xx = xf.matmul(xf, false, true).mul(1.0 / d);                       // [n, n]
        if (bias) {
            xx = xx.add(1.0);
        }
        int nk = n * k;
        double[] out = new double[nk * nk];
        Tensor[] da = new Tensor[k];
        for (int o = 0; o < k; o++) {
            da[o] = ds.mul(a.slice(0, o, o + 1));                                   // [n, m] * [1, m]
        }
        for (int o1 = 0; o1 < k; o1++) {
            for (int o2 = 0; o2 < k; o2++) {
                Tensor h = da[o1].matmul(da[o2], false, true).mul(1.0 / m).mul(xx);  // [n, m] @ [m, n] -> [n, n]
                if (o1 == o2) {
                    h = h.add(gram);
                }
                double[] hv = h.toArray();
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        out[(i * k + o1) * nk + j * k + o2] = hv[i * n + j];
                    }
                }
            }
        }
        Tensor kk = Tensor.of(out, nk, nk);
        return kk.add(kk.transpose()).mul(0.5 * scale);
    }

    /**
     * The matrix-free K-bar as an operator on {@code [nk]}: {@code v -> scale J (J^T v)} with
     * {@code J^T v = sum_chunks VJP} and {@code J w} one JVP per chunk.
     */
    public LinearOperator operator() {
        return LinearOperator.of(n * k, this::applyKernel);
    }

    private Tensor applyKernel(Tensor v) {
        Tensor u = v.reshape(n, k);
        Tensor g = null;
        for (int lo = 0; lo < n; lo += chunk) {
            int hi = Math.min(n, lo + chunk);
            Function<Tensor, Tensor> f = chunkOutput(lo, hi);
            Tensor gc = Autodiff.vjp(f, theta, u.slice(0, lo, hi));                 // [hi - lo, k] -> [p]
            vjps++;
            g = g == null ? gc : g.add(gc);
        }
        List<Tensor> parts = new ArrayList<>();
        for (int lo = 0; lo < n; lo += chunk) {
            int hi = Math.min(n, lo + chunk);
            parts.add(Autodiff.jvp(chunkOutput(lo, hi), theta, g));                  // [p] -> [hi - lo, k]
            jvps++;
        }
        Tensor jg = parts.size() == 1 ? parts.get(0) : Tensor.concat(0, parts.toArray(new Tensor[0]));
        return jg.reshape(n * k).mul(scale);
    }

    private Function<Tensor, Tensor> chunkOutput(int lo, int hi) {
        Tensor xc = x.slice(0, lo, hi);
        int m = hi - lo;
        return th -> model.apply(th, xc).reshape(m, k);
    }

    // ================================================================== eigensolver settings and the spectrum

    /**
     * How the spectrum of a kernel is computed (Q10.1, Q5.2).
     *
     * @param eigensolver {@code auto} (dense when nk &lt;= denseMax, else Lanczos), {@code dense} or
     *                    {@code lanczos}
     * @param denseMax    largest nk for the dense symmetric eigensolver under {@code auto} (default 1000)
     * @param maxJacobianEntries largest nk p for an explicit Jacobian (nk^2 for the closed form of the two-layer
     *                    network; default 2e7); above it the kernel is matrix-free (the dense path then
     *                    assembles K-bar from nk products); 0 = always matrix-free
     * @param tol         Lanczos relative tolerance (default 1e-6)
     * @param maxDim      Lanczos Krylov dimension per cycle (default 50)
     */
    public record Solver(String eigensolver, int denseMax, long maxJacobianEntries, double tol, int maxDim) {

        /** The eigensolver names. */
        public static final List<String> EIGENSOLVERS = List.of("auto", "dense", "lanczos");

        /** Q10.1 defaults: auto, 1000, 2e7, 1e-6, 50. */
        public static Solver defaults() {
            return new Solver("auto", 1000, 20_000_000L, 1e-6, 50);
        }

        /** Checks the fields, naming {@code diagnostics.<name>.<field>} in errors. */
        void validate(String name) {
            String o = "diagnostics." + name + ".";
            if (eigensolver == null || !EIGENSOLVERS.contains(eigensolver)) {
                throw new IllegalArgumentException("unknown " + o + "eigensolver '" + eigensolver + "'; known: "
                        + String.join(", ", EIGENSOLVERS));
            }
            if (denseMax < 1) {
                throw new IllegalArgumentException(o + "dense_max must be >= 1, got " + denseMax);
            }
            if (maxJacobianEntries < 0) {
                throw new IllegalArgumentException(o + "max_jacobian_entries must be >= 0 (0 = always matrix-free), got "
                        + maxJacobianEntries);
            }
            if (!(tol >= 0) || Double.isInfinite(tol)) {
                throw new IllegalArgumentException(o + "tol must be finite and >= 0, got " + tol);
            }
            if (maxDim < 1) {
                throw new IllegalArgumentException(o + "max_dim must be >= 1, got " + maxDim);
            }
        }

        /**
         * From the run-spec keys {@code eigensolver}, {@code dense_max}, {@code max_jacobian_entries}, {@code tol}
         * and {@code max_dim} (defaults of {@link #defaults()}).
         */
        static Solver read(DiagnosticParams p) {
            Solver d = defaults();
            return new Solver(p.choice("eigensolver", d.eigensolver, EIGENSOLVERS),
                    p.integer("dense_max", d.denseMax, 1, Integer.MAX_VALUE),
                    p.longInteger("max_jacobian_entries", d.maxJacobianEntries, 0, Long.MAX_VALUE),
                    p.number("tol", d.tol, 0, Double.MAX_VALUE),
                    p.integer("max_dim", d.maxDim, 1, Integer.MAX_VALUE));
        }

        /** {@code own} followed by the keys {@link #read} takes. */
        static List<String> withKeys(String... own) {
            List<String> keys = new ArrayList<>(List.of(own));
            keys.addAll(List.of("eigensolver", "dense_max", "max_jacobian_entries", "tol", "max_dim"));
            return keys;
        }
    }

    /**
     * The top {@code values.length} eigenpairs of a kernel, descending: unit {@code vectors} ([nk] each),
     * {@code residuals} ||K-bar u - lambda u|| (explicit on the dense path, Lanczos estimates otherwise),
     * {@code method} ({@code dense} or {@code lanczos}), {@code assembly} ({@code closed-form}, {@code jacobian}
     * or {@code matrix-free}), operator
     * {@code applications}.
     */
    record Spectrum(double[] values, List<Tensor> vectors, double[] residuals, boolean converged, String method,
                    String assembly, long applications) {
    }

    /** The top {@code count} eigenpairs of this kernel under {@code solver}. */
    Spectrum spectrum(int count, Solver solver, RandomGenerator rng, List<Tensor> warm) {
        int dim = dim();
        int kk = Math.max(1, Math.min(count, dim));
        boolean dense = solver.eigensolver().equals("dense")
                || (solver.eigensolver().equals("auto") && dim <= solver.denseMax());
        // memory of the assembled route: J (nk p doubles), or only K-bar (nk^2) for the closed form
        boolean explicit = (long) dim * (model instanceof TwoLayerNtk ? dim : p) <= solver.maxJacobianEntries();
        if (explicit) {
            Tensor kbar = matrix();
            if (!Ntk.finite(kbar)) {
                double[] nan = new double[kk];
                Arrays.fill(nan, Double.NaN);
                return new Spectrum(nan, List.of(), nan.clone(), false, dense ? "dense" : "lanczos", assembly(), 0);
            }
            if (dense) {
                SymmetricEigen.Result e = SymmetricEigen.decompose(kbar);
                double[] vals = Arrays.copyOf(e.values(), kk);
                double[] res = new double[kk];
                List<Tensor> vs = new ArrayList<>();
                for (int i = 0; i < kk; i++) {
                    Tensor u = e.vector(i);
                    vs.add(u);
                    res[i] = kbar.matmul(u).addScaled(u, -vals[i]).norm();          // [nk, nk] @ [nk] -> [nk]
                }
                return new Spectrum(vals, List.copyOf(vs), res, e.converged(), "dense", assembly(), 0);
            }
            Lanczos.Result r = Lanczos.topK(LinearOperator.symmetric(kbar), lanczosConfig(kk, solver), rng,
                    usable(warm, dim));
            return new Spectrum(r.eigenvalues(), r.eigenvectors(), r.residuals(), r.converged(), "lanczos", assembly(),
                    r.applications());
        }
        CountingOperator op = operator().counting();
        Lanczos.Result r = dense ? Lanczos.dense(op, kk)
                : Lanczos.topK(op, lanczosConfig(kk, solver), rng, usable(warm, dim));
        return new Spectrum(r.eigenvalues(), r.eigenvectors(), r.residuals(), r.converged(), dense ? "dense" : "lanczos",
                "matrix-free", op.applications());
    }

    private static Lanczos.Config lanczosConfig(int kk, Solver s) {
        return new Lanczos.Config(kk, s.tol(), Math.max(kk, s.maxDim()), 3);
    }

    /** Warm-start vectors of the right dimension and finite, else none. */
    private static List<Tensor> usable(List<Tensor> warm, int dim) {
        if (warm == null) {
            return List.of();
        }
        for (Tensor u : warm) {
            if (u.rank() != 1 || u.size() != dim) {
                return List.of();
            }
        }
        return warm;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "NtkOperator[n=%d, k=%d, p=%d, scale=%.6g]", n, k, p, scale);
    }
}
