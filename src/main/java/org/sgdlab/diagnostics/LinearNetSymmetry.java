package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sgdlab.data.Dataset;
import org.sgdlab.linalg.Svd;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.nn.Layout;
import org.sgdlab.nn.SquaredLoss;
import org.sgdlab.tensor.Tensor;

/**
 * Symmetry diagnostics of a two-layer network with first layer W {@code [h, d]} and second layer U
 * {@code [o, h]} (QUANTITIES.md Q15.5-Q15.7; Ziyin, Wang, Li, Wu, arXiv 2402.07193):
 *
 * <ul>
 *   <li>{@code M = W W^T - U^T U} (h x h), {@code m_frob = ||M||_F} and fixed entries {@code M_ij}; exact
 *       discrete identity {@code M_{t+1} - M_t = eta^2 (g_W g_W^T - g_U^T g_U)} ({@link #mIdentity});</li>
 *   <li>noise blocks (centred, 1/n) {@code Sigma_W^(h) = (1/n) sum_i g_{W,i} g_{W,i}^T - gbar_W gbar_W^T},
 *       {@code Sigma_U^(h) = (1/n) sum_i g_{U,i}^T g_{U,i} - gbar_U^T gbar_U}, and the relative imbalance
 *       {@code rho = ||Sigma_W - Sigma_U||_F / (||Sigma_W||_F + ||Sigma_U||_F)}; for f = U W x under
 *       {@code l = c ||U W x - y||^2} the per-sample gradients are {@code g_W = 2c U^T r x^T},
 *       {@code g_U = 2c r x^T W^T} ({@link #noiseBlocks(Tensor, Tensor, Tensor, Tensor, double)});</li>
 *   <li>{@code Tr H = 2c (Tr Sigma_x ||U||_F^2 + o Tr(W Sigma_x W^T))} (Q15.6, {@link #traceH}) and its orbit
 *       minimum {@code Tr H_pred = 4c Tr[(C^{1/2} A C^{1/2})^{1/2}]}, {@code A = Tr Sigma_x U^T U},
 *       {@code C = o W Sigma_x W^T}, attained at {@code P* = C^{-1/2}(C^{1/2} A C^{1/2})^{1/2} C^{-1/2}}
 *       ({@link #orbitMinimum});</li>
 *   <li>Q15.7: layer norms, stable rank {@code ||W||_F^2 / ||W||_2^2}, {@code |cos(u, s_1)|} (o = 1),
 *       representation similarities {@code rho(W Sigma_x W^T, U^T Sigma_r U)} and {@code rho(W Sigma_x W^T, U^T U)}
 *       (Frobenius cosine of Q13).</li>
 * </ul>
 *
 * <p>The diagnostic {@value #NAME} uses the closed forms when the loss is squared and the model's output equals
 * {@code x W^T U^T} on the data (checked at every measurement); otherwise (e.g. the tanh network of S6) the
 * noise blocks come from autodiff per-sample gradients and the Hessian-trace fields are NaN.
 */
public final class LinearNetSymmetry implements Diagnostic<LinearNetSymmetry.Result> {

    /** Registry name. */
    public static final String NAME = "symmetry";

    private static final List<String> KEYS = List.of("w_block", "u_block", "m_entries", "closed_form", "subset",
            "subset_size", "chunk");

    /**
     * Configuration. {@code wBlock} (default {@code W}) and {@code uBlock} ({@code U}) name the layout blocks;
     * {@code mEntries} the reported entries {@code (i, j)} of M (null: the first 10 of the upper triangle in
     * row-major order); {@code closedForm} {@code auto} (default: closed forms when the model is verified to be
     * {@code U W x} under the squared loss) or {@code never}; evaluation {@code subset}/{@code subsetSize}
     * ({@code all} by default) and per-sample gradient {@code chunk} for the autodiff path.
     */
    public record Config(String wBlock, String uBlock, int[][] mEntries, String closedForm, String subset,
                         int subsetSize, int chunk) {
        public Config {
            if (wBlock == null || wBlock.isEmpty() || uBlock == null || uBlock.isEmpty() || wBlock.equals(uBlock)) {
                throw new IllegalArgumentException("diagnostics.symmetry.w_block/u_block must be two distinct block "
                        + "names, got '" + wBlock + "' and '" + uBlock + "'");
            }
            if (!List.of("auto", "never").contains(closedForm)) {
                throw new IllegalArgumentException("diagnostics.symmetry.closed_form: unknown value '" + closedForm
                        + "'; known: auto, never");
            }
            Subset.checkNamed(NAME, subset, subsetSize);
            if (chunk < 1) {
                throw new IllegalArgumentException("diagnostics.symmetry.chunk must be >= 1, got " + chunk);
            }
            if (mEntries != null) {
                int[][] c = new int[mEntries.length][];
                for (int i = 0; i < c.length; i++) {
                    if (mEntries[i] == null || mEntries[i].length != 2 || mEntries[i][0] < 0 || mEntries[i][1] < 0) {
                        throw new IllegalArgumentException("diagnostics.symmetry.m_entries must be [i, j] pairs of "
                                + "indices >= 0, got " + Arrays.deepToString(mEntries));
                    }
                    c[i] = mEntries[i].clone();
                }
                mEntries = c;
            }
        }

        /** Blocks W and U, default entries, closed forms when valid, all data. */
        public static Config defaults() {
            return new Config("W", "U", null, "auto", "all", 0, PerSampleGradients.DEFAULT_CHUNK);
        }

        public Config withBlocks(String w, String u) {
            return new Config(w, u, mEntries, closedForm, subset, subsetSize, chunk);
        }

        public Config withClosedForm(String mode) {
            return new Config(wBlock, uBlock, mEntries, mode, subset, subsetSize, chunk);
        }

        public Config withMEntries(int[][] entries) {
            return new Config(wBlock, uBlock, entries, closedForm, subset, subsetSize, chunk);
        }
    }

    /**
     * One measurement: {@code mFrob} = ||M||_F, {@code mEntries} (in config order), noise blocks' traces
     * {@code noiseTraceW} = Tr Sigma_W^(h), {@code noiseTraceU} = Tr Sigma_U^(h) (the traces of the W and U blocks of
     * Sigma), {@code noiseTrace} their sum (Tr Sigma restricted to W and U), {@code noiseImbalance} rho;
     * {@code traceH}, {@code traceHPredicted} (orbit minimum; NaN on the autodiff path), {@code orbitAttained}
     * (A and C nonsingular, so the minimum is attained); {@code normW2} = ||W||_F^2, {@code normU2} = ||U||_F^2,
     * {@code stableRankW}, {@code cosUS1} (NaN unless o = 1), {@code repSimilarity} = rho(W Sigma_x W^T,
     * U^T Sigma_r U), {@code repSimilarityUu} = rho(W Sigma_x W^T, U^T U); {@code closedForm} whether the
     * closed forms were used; {@code samples} n; {@code vjps} backward passes; {@code seconds}.
     */
    public record Result(double mFrob, double[] mEntries, double noiseTraceW, double noiseTraceU, double noiseTrace,
                         double noiseImbalance, double traceH, double traceHPredicted, boolean orbitAttained,
                         double normW2, double normU2, double stableRankW, double cosUS1, double repSimilarity,
                         double repSimilarityUu, boolean closedForm, int samples, long vjps, double seconds) {
    }

    private final Config config;

    public LinearNetSymmetry(Config config) {
        this.config = config;
    }

    /** Snake_case parameters: {@code w_block}, {@code u_block}, {@code m_entries}, {@code closed_form}, ... */
    public static LinearNetSymmetry fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(KEYS);
        Config d = Config.defaults();
        return new LinearNetSymmetry(new Config(p.string("w_block", d.wBlock()), p.string("u_block", d.uBlock()),
                readEntries(p, "m_entries"), p.choice("closed_form", d.closedForm(), List.of("auto", "never")),
                p.choice("subset", d.subset(), Subset.NAMED), p.integer("subset_size", 0, 0, Integer.MAX_VALUE),
                p.integer("chunk", d.chunk(), 1, Integer.MAX_VALUE)));
    }

    /** Entries (i, j) of M given as a list of {@code [i, j]} index pairs (null when absent). */
    static int[][] readEntries(DiagnosticParams p, String key) {
        if (!p.has(key)) {
            return null;
        }
        String allowed = "a list of [i, j] pairs of indices >= 0";
        if (!(p.get(key) instanceof List<?> l)) {
            throw p.invalid(key, allowed);
        }
        int[][] out = new int[l.size()][2];
        for (int k = 0; k < out.length; k++) {
            if (!(l.get(k) instanceof List<?> pair) || pair.size() != 2) {
                throw p.invalid(key, allowed);
            }
            for (int c = 0; c < 2; c++) {
                Long x = DiagnosticParams.asInteger(pair.get(c));
                if (x == null || x < 0 || x > Integer.MAX_VALUE) {
                    throw p.invalid(key, allowed);
                }
                out[k][c] = x.intValue();
            }
        }
        return out;
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    // ------------------------------------------------------------------ M and its identity

    /** {@code M = W W^T - U^T U} {@code [h, h]} for W {@code [h, d]}, U {@code [o, h]}. */
    public static Tensor m(Tensor w, Tensor u) {
        requirePair("m", w, u);
        return w.matmul(w, false, true).sub(u.matmul(u, true, false));   // [h, d] @ [d, h] - [h, o] @ [o, h]
    }

    /** M of the named blocks of theta. */
    public static Tensor m(Layout layout, String w, String u, Tensor theta) {
        return m(layout.view(theta, w), layout.view(theta, u));
    }

    /**
     * The two sides of {@code M_{t+1} - M_t = eta^2 (g_W g_W^T - g_U^T g_U)}: {@code measured} from the iterates,
     * {@code predicted} from the batch gradient g (the gradient of the update, whose W and U blocks are g_W, g_U).
     */
    public record MatrixIdentity(Tensor measured, Tensor predicted) {
        /** {@code ||measured - predicted||_F}. */
        public double error() {
            return measured.sub(predicted).norm();
        }

        /** {@code error / max(1, ||predicted||_F)} (the SY1 criterion of STUDIES.md §6.1). */
        public double relativeError() {
            return error() / Math.max(1.0, predicted.norm());
        }
    }

    /** The identity of Q15.5 for the SGD step {@code next = theta - eta g}. */
    public static MatrixIdentity mIdentity(Layout layout, String w, String u, Tensor theta, Tensor next, double eta,
                                           Tensor g) {
        Tensor measured = m(layout, w, u, next).sub(m(layout, w, u, theta));
        return new MatrixIdentity(measured, mIncrement(layout.view(g, w), layout.view(g, u), eta));
    }

    /** {@code eta^2 (g_W g_W^T - g_U^T g_U)}. */
    public static Tensor mIncrement(Tensor gW, Tensor gU, double eta) {
        return m(gW, gU).mul(eta * eta);
    }

    // ------------------------------------------------------------------ noise blocks

    /** Per-sample gradients {@code gW [n, h, d]}, {@code gU [n, o, h]} of the two blocks. */
    public record PerSample(Tensor gW, Tensor gU) {
    }

    /** The h x h noise blocks and the imbalance. */
    public record NoiseBlocks(Tensor sigmaW, Tensor sigmaU) {
        /** {@code rho = ||Sigma_W - Sigma_U||_F / (||Sigma_W||_F + ||Sigma_U||_F)}, 0 when both vanish. */
        public double imbalance() {
            double den = sigmaW.norm() + sigmaU.norm();
            return den > 0 ? sigmaW.sub(sigmaU).norm() / den : 0.0;
        }
    }

    /**
     * Closed-form per-sample gradients of {@code l_i = c ||U W x_i - y_i||^2}: {@code g_{W,i} = 2c U^T r_i x_i^T},
     * {@code g_{U,i} = 2c r_i x_i^T W^T}, {@code r_i = U W x_i - y_i}.
     */
    public static PerSample perSampleGradients(Tensor w, Tensor u, Tensor x, Tensor y, double c) {
        requirePair("perSampleGradients", w, u);
        Tensor r = residual(w, u, x, y);                                 // [n, o]
        Tensor a = r.matmul(u);                                          // [n, o] @ [o, h] -> [n, h] (a_i = U^T r_i)
        Tensor b = x.matmul(w, false, true);                             // [n, d] @ [d, h] -> [n, h] (b_i = W x_i)
        Tensor gW = a.unsqueeze(2).mul(x.unsqueeze(1)).mul(2 * c);       // [n, h, 1] * [n, 1, d] -> [n, h, d]
        Tensor gU = r.unsqueeze(2).mul(b.unsqueeze(1)).mul(2 * c);       // [n, o, 1] * [n, 1, h] -> [n, o, h]
        return new PerSample(gW, gU);
    }

    /**
     * Closed-form noise blocks of {@code f = U W x} under {@code l = c ||f - y||^2}:
     * {@code Sigma_W = (4c^2/n) sum_i ||x_i||^2 a_i a_i^T - gbar_W gbar_W^T}, {@code a_i = U^T r_i},
     * {@code Sigma_U = (4c^2/n) sum_i ||r_i||^2 b_i b_i^T - gbar_U^T gbar_U}, {@code b_i = W x_i}.
     */
    public static NoiseBlocks noiseBlocks(Tensor w, Tensor u, Tensor x, Tensor y, double c) {
        requirePair("noiseBlocks", w, u);
        int n = x.dim(0);
        Tensor r = residual(w, u, x, y);                                 // [n, o]
        Tensor a = r.matmul(u);                                          // [n, h]
        Tensor b = x.matmul(w, false, true);                             // [n, h]
        Tensor sx = x.square().sum(1).reshape(n, 1);                     // [n, 1]
        Tensor sr = r.square().sum(1).reshape(n, 1);                     // [n, 1]
        Tensor gW = a.matmul(x, true, false).mul(2 * c / n);             // [h, n] @ [n, d] -> [h, d]
        Tensor gU = r.matmul(b, true, false).mul(2 * c / n);             // [o, n] @ [n, h] -> [o, h]
        Tensor sw = a.mul(sx).matmul(a, true, false).mul(4 * c * c / n)  // [h, n] @ [n, h] -> [h, h]
                .sub(gW.matmul(gW, false, true));
        Tensor su = b.mul(sr).matmul(b, true, false).mul(4 * c * c / n)
                .sub(gU.matmul(gU, true, false));
        return new NoiseBlocks(symmetrise(sw), symmetrise(su));
    }

    /** Noise blocks from any per-sample gradients {@code gW [n, h, d]}, {@code gU [n, o, h]} (centred, 1/n). */
    public static NoiseBlocks noiseBlocks(Tensor gW, Tensor gU) {
        if (gW.rank() != 3 || gU.rank() != 3 || gW.dim(0) != gU.dim(0) || gU.dim(2) != gW.dim(1)) {
            throw new IllegalArgumentException("noiseBlocks: per-sample gradients must be [n, h, d] and [n, o, h], got "
                    + Arrays.toString(gW.shape()) + " and " + Arrays.toString(gU.shape()));
        }
        int n = gW.dim(0);
        int h = gW.dim(1);
        Tensor cw = gW.sub(gW.mean(0));                                   // centred [n, h, d]
        Tensor cu = gU.sub(gU.mean(0));                                   // centred [n, o, h]
        Tensor fw = cw.transpose(0, 1).reshape(h, -1);                    // [h, n d]
        Tensor fu = cu.reshape(-1, h);                                    // [n o, h]
        Tensor sw = fw.matmul(fw, false, true).div(n);                   // [h, n d] @ [n d, h] -> [h, h]
        Tensor su = fu.matmul(fu, true, false).div(n);                   // [h, n o] @ [n o, h] -> [h, h]
        return new NoiseBlocks(symmetrise(sw), symmetrise(su));
    }

    /** The W and U blocks of a per-sample gradient matrix G {@code [n, p]}. */
    public static PerSample split(Layout layout, String w, String u, Tensor g) {
        Layout.Block bw = layout.block(w);
        Layout.Block bu = layout.block(u);
        int n = g.dim(0);
        int[] sw = bw.shape();
        int[] su = bu.shape();
        return new PerSample(g.slice(1, bw.offset(), bw.end()).reshape(n, sw[0], sw[1]),
                g.slice(1, bu.offset(), bu.end()).reshape(n, su[0], su[1]));
    }

    // ------------------------------------------------------------------ Hessian trace and orbit minimum

    /** {@code Sigma_x = X^T X / n} (uncentred) {@code [d, d]}. */
    public static Tensor inputCovariance(Tensor x) {
        return x.matmul(x, true, false).div(x.dim(0));                   // [d, n] @ [n, d] -> [d, d]
    }

    /** {@code Tr H = 2c (Tr Sigma_x ||U||_F^2 + o Tr(W Sigma_x W^T))} for {@code L = (c/n) sum ||U W x_i - y_i||^2}. */
    public static double traceH(Tensor w, Tensor u, Tensor x, double c) {
        requirePair("traceH", w, u);
        int o = u.dim(0);
        Tensor sx = inputCovariance(x);
        double trSx = trace(sx);
        double trWSW = trace(w.matmul(sx).matmul(w, false, true));      // [h, d] @ [d, d] @ [d, h]
        return 2 * c * (trSx * u.square().sum().item() + o * trWSW);
    }

    /**
     * The minimum of Tr H over the orbit {@code (e^B W, U e^{-B})}, B symmetric: {@code traceH} =
     * {@code 4c Tr[(C^{1/2} A C^{1/2})^{1/2}]}; {@code pStar} = {@code e^{2B*}} (null unless {@code attained},
     * i.e. A and C nonsingular; otherwise {@code traceH} is the infimum, approached but not attained).
     */
    public record OrbitMinimum(double traceH, Tensor pStar, boolean attained) {
    }

    /** Q15.6 orbit minimum through (W, U) on inputs x. */
    public static OrbitMinimum orbitMinimum(Tensor w, Tensor u, Tensor x, double c) {
        requirePair("orbitMinimum", w, u);
        int o = u.dim(0);
        Tensor sx = inputCovariance(x);
        Tensor aa = u.matmul(u, true, false).mul(trace(sx));             // [h, h]
        Tensor cc = w.matmul(sx).matmul(w, false, true).mul(o);          // [h, h]
        return orbitMinimum(aa, cc, c);
    }

    /** {@code inf_P 2c (Tr(A P^{-1}) + Tr(C P))} over SPD P, for PSD A, C. */
    static OrbitMinimum orbitMinimum(Tensor aa, Tensor cc, double c) {
        SymmetricEigen.Result ec = SymmetricEigen.decompose(symmetrise(cc));
        Tensor cHalf = fn(ec, v -> Math.sqrt(Math.max(v, 0)));
        Tensor s = symmetrise(cHalf.matmul(aa).matmul(cHalf));           // C^{1/2} A C^{1/2}
        SymmetricEigen.Result es = SymmetricEigen.decompose(s);
        double sum = 0;
        for (double v : es.values()) {
            sum += Math.sqrt(Math.max(v, 0));
        }
        double pred = 4 * c * sum;
        double[] ca = SymmetricEigen.eigenvalues(symmetrise(aa));
        double[] cv = ec.values();
        boolean attained = ec.converged() && es.converged() && cv[cv.length - 1] > 1e-12 * Math.max(cv[0], 0)
                && ca[ca.length - 1] > 1e-12 * Math.max(ca[0], 0) && cv[0] > 0 && ca[0] > 0;
        Tensor pStar = null;
        if (attained) {
            Tensor cInvHalf = fn(ec, v -> 1.0 / Math.sqrt(v));
            Tensor sHalf = fn(es, v -> Math.sqrt(Math.max(v, 0)));
            pStar = symmetrise(cInvHalf.matmul(sHalf).matmul(cInvHalf));
        }
        return new OrbitMinimum(pred, pStar, attained);
    }

    /** {@code V diag(f(lambda)) V^T}. */
    static Tensor fn(SymmetricEigen.Result e, java.util.function.DoubleUnaryOperator f) {
        double[] lam = e.values();
        double[] fl = new double[lam.length];
        for (int i = 0; i < lam.length; i++) {
            fl[i] = f.applyAsDouble(lam[i]);
        }
        Tensor v = e.vectors();
        return v.mul(Tensor.vector(fl)).matmul(v, false, true);          // [h, h] * [h] @ [h, h]^T
    }

    // ------------------------------------------------------------------ Q15.7 helpers

    /** Stable rank {@code ||W||_F^2 / ||W||_2^2} (0 for the zero matrix). */
    public static double stableRank(Tensor w) {
        return Svd.stableRank(w);
    }

    /** {@code |cos(u, s_1)|} between a vector u {@code [h]} and the top left singular vector s_1 of W {@code [h, d]}. */
    public static double cosTopLeftSingular(Tensor u, Tensor w) {
        if (u.rank() != 1 || w.rank() != 2 || u.size() != w.dim(0)) {
            throw new IllegalArgumentException("cosTopLeftSingular: need u [h] and W [h, d], got "
                    + Arrays.toString(u.shape()) + " and " + Arrays.toString(w.shape()));
        }
        Svd.Result s = Svd.decompose(w);
        double un = u.norm();
        if (!(un > 0) || !(s.singularValues()[0] > 0)) {
            return Double.NaN;
        }
        Tensor s1 = s.u().slice(1, 0, 1).reshape(w.dim(0));
        return Math.abs(u.dotValue(s1)) / (un * s1.norm());
    }

    /** Frobenius cosine {@code <A, B>_F / (||A||_F ||B||_F)} (Q13); 0 when either norm is 0. */
    public static double frobeniusCosine(Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException("frobeniusCosine: shapes differ: " + Arrays.toString(a.shape()) + " and "
                    + Arrays.toString(b.shape()));
        }
        double na = a.norm();
        double nb = b.norm();
        return na > 0 && nb > 0 ? a.dotValue(b) / (na * nb) : 0.0;
    }

    // ------------------------------------------------------------------ diagnostic

    @Override
    public void check(Problem problem) {
        Layout layout = problem.model().layout();
        Diagnostics.requireBlocks(layout, NAME, "W W^T - U^T U of a two-layer linear network f = U W x (model"
                + " two-layer-linear), or of the two matrices named by w_block and u_block",
                new String[] {"w_block", config.wBlock()}, new String[] {"u_block", config.uBlock()});
        Tensor theta = Tensor.zeros(layout.size());
        requirePair("diagnostics." + NAME, layout.view(theta, config.wBlock()), layout.view(theta, config.uBlock()));
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        Layout layout = problem.model().layout();
        Tensor theta = probe.theta();
        Tensor w = layout.view(theta, config.wBlock());
        Tensor u = layout.view(theta, config.uBlock());
        requirePair("diagnostics.symmetry", w, u);
        Dataset d = Subset.selectNamed(probe, NAME, config.subset(), config.subsetSize());
        Tensor x = d.flattenX().x();                                   // [n, d]
        Tensor out = problem.model().apply(theta, d.x());
        Tensor r = out.reshape(d.size(), -1).sub(d.y());                 // [n, o]
        int h = w.dim(0);
        int o = u.dim(0);

        Tensor mm = m(w, u);
        int[][] entries = config.mEntries() != null ? config.mEntries() : defaultEntries(h);
        double[] mEntries = new double[entries.length];
        for (int i = 0; i < entries.length; i++) {
            int a = entries[i][0];
            int b = entries[i][1];
            mEntries[i] = a < h && b < h ? mm.get(a, b) : Double.NaN;
        }

        boolean closed = config.closedForm().equals("auto") && problem.loss() instanceof SquaredLoss
                && x.dim(1) == w.dim(1) && isLinear(out, x, w, u);
        double c = closed ? ((SquaredLoss) problem.loss()).convention().factor() : Double.NaN;
        NoiseBlocks nb;
        long vjps = 0;
        if (closed) {
            nb = noiseBlocks(w, u, x, d.y(), c);
        } else {
            Tensor g = PerSampleGradients.matrix(problem, theta, d, config.chunk());
            vjps = d.size();
            PerSample ps = split(layout, config.wBlock(), config.uBlock(), g);
            nb = noiseBlocks(ps.gW(), ps.gU());
        }
        double trH = Double.NaN;
        double trPred = Double.NaN;
        boolean attained = false;
        if (closed) {
            trH = traceH(w, u, x, c);
            OrbitMinimum om = orbitMinimum(w, u, x, c);
            trPred = om.traceH();
            attained = om.attained();
        }
        Tensor sx = x.dim(1) == w.dim(1) ? inputCovariance(x) : null;
        Tensor rep = sx == null ? null : w.matmul(sx).matmul(w, false, true);   // W Sigma_x W^T [h, h]
        double repSim = Double.NaN;
        double repSimUu = Double.NaN;
        if (rep != null && r.dim(1) == o) {
            Tensor sr = r.matmul(r, true, false).div(d.size());          // Sigma_r [o, o]
            repSim = frobeniusCosine(rep, u.matmul(sr, true, false).matmul(u));  // [h, o] @ [o, o] @ [o, h]
            repSimUu = frobeniusCosine(rep, u.matmul(u, true, false));
        }
        double cos = o == 1 ? cosTopLeftSingular(u.reshape(h), w) : Double.NaN;
        double trW = trace(nb.sigmaW());
        double trU = trace(nb.sigmaU());
        return new Result(mm.norm(), mEntries, trW, trU, trW + trU, nb.imbalance(), trH, trPred, attained,
                w.square().sum().item(), u.square().sum().item(), stableRank(w), cos, repSim, repSimUu, closed,
                d.size(), vjps, (System.nanoTime() - t0) * 1e-9);
    }

    /** The first min(10, h(h+1)/2) entries (i <= j) of the upper triangle in row-major order. */
    static int[][] defaultEntries(int h) {
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < h && out.size() < 10; i++) {
            for (int j = i; j < h && out.size() < 10; j++) {
                out.add(new int[] {i, j});
            }
        }
        return out.toArray(new int[0][]);
    }

    /** Whether {@code out} equals {@code x W^T U^T} to 1e-10 relative (the model is the linear net). */
    static boolean isLinear(Tensor out, Tensor x, Tensor w, Tensor u) {
        Tensor f = x.matmul(w, false, true).matmul(u, false, true);      // [n, d] @ [d, h] @ [h, o] -> [n, o]
        if (f.size() != out.size()) {
            return false;
        }
        double diff = out.reshape(f.shape()).sub(f).norm();
        return diff <= 1e-10 * Math.max(1e-300, Math.max(f.norm(), out.norm())) || (diff == 0);
    }

    static Tensor residual(Tensor w, Tensor u, Tensor x, Tensor y) {
        return x.matmul(w, false, true).matmul(u, false, true).sub(y);  // [n, o]
    }

    static double trace(Tensor a) {
        double s = 0;
        for (int i = 0; i < a.dim(0); i++) {
            s += a.get(i, i);
        }
        return s;
    }

    static Tensor symmetrise(Tensor a) {
        return a.add(a.transpose()).mul(0.5);
    }

    private static void requirePair(String what, Tensor w, Tensor u) {
        if (w.rank() != 2 || u.rank() != 2 || u.dim(1) != w.dim(0)) {
            throw new IllegalArgumentException(what + ": W and U must be [h, d] and [o, h], got "
                    + Arrays.toString(w.shape()) + " and " + Arrays.toString(u.shape()));
        }
    }
}
