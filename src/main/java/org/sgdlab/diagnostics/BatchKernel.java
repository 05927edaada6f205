package org.sgdlab.diagnostics;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.sgdlab.data.Dataset;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The batch kernel and the batch-critical ratio (QUANTITIES.md Q10.1, Q11):
 *
 * <pre>
 *   K-bar_B = (2c/b) J_B J_B^T   on the batch B_t of step t, at theta_t,
 *   c_t     = eta_t lambda_1(K-bar_B) / 2                      (c_t &gt; 1: the step exceeds the batch's
 *                                                               critical learning rate 2/lambda_1(K-bar_B))
 *   L_B,top = (c/b) sum_{i &lt;= k} &lt;p_i(K-bar_B), r_B&gt;^2     (the batch loss in the top-k batch eigenspace)
 * </pre>
 *
 * Paper: Zhu, Liu, Radhakrishnan, Belkin, ICML 2024, arXiv 2306.04815, Claim 2 (a spike happens when
 * eta exceeds the critical learning rate of the batch; the projection uses the b x b batch kernel, as
 * the reviewers read P1 Eq. (6); the operationalisation is unverified). sgdlab recomputes it at every
 * measurement, on the probe's batch. The batch loss uses the clean targets (training label noise, if
 * any, is not seen by a probe).
 *
 * <p>Record: {@code batchKernelEig} (top k of K-bar_B, default k = 1), {@code batchCritRatio} c_t,
 * {@code lr} eta_t, {@code batchSize} b, {@code batchLoss} L_B, {@code batchLossTop} L_B,top (top-k
 * eigenspace), the eigensolver {@code method}, how the {@code kernel} was formed (closed-form, jacobian,
 * matrix-free), convergence, JVPs/VJPs and seconds.
 */
public final class BatchKernel implements Diagnostic<BatchKernel.Result> {

    /** The diagnostic's name. */
    public static final String NAME = "batch_kernel";

    /**
     * Configuration.
     *
     * @param k      eigenvalues of K-bar_B reported (default 1)
     * @param solver eigensolver settings ({@link NtkOperator.Solver#defaults()}: dense for bk &lt;= 1000)
     */
    public record Config(int k, NtkOperator.Solver solver) {
        public Config {
            if (k < 1) {
                throw new IllegalArgumentException("diagnostics.batch_kernel.k must be >= 1, got " + k);
            }
            if (solver == null) {
                throw new IllegalArgumentException("diagnostics.batch_kernel.solver is null");
            }
            solver.validate(NAME);
        }

        /** k = 1, {@link NtkOperator.Solver#defaults()}. */
        public static Config defaults() {
            return new Config(1, NtkOperator.Solver.defaults());
        }
    }

    /** One measurement (see the class comment). */
    public record Result(double[] batchKernelEig, double batchCritRatio, double lr, int batchSize, double batchLoss,
                         double batchLossTop, String method, String kernel, boolean converged, long jvps, long vjps,
                         double seconds) {
    }

    private final Config config;

    public BatchKernel(Config config) {
        this.config = DiagnosticParams.requireConfig("batch_kernel", config);
    }

    /** With {@link Config#defaults()}. */
    public BatchKernel() {
        this(Config.defaults());
    }

    /**
     * From run-spec parameters: {@code k}, {@code eigensolver} (auto, dense, lanczos), {@code dense_max},
     * {@code max_jacobian_entries}, {@code tol}, {@code max_dim}.
     */
    public static BatchKernel fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown(NtkOperator.Solver.withKeys("k"));
        return new BatchKernel(new Config(p.integer("k", 1, 1, Integer.MAX_VALUE), NtkOperator.Solver.read(p)));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void check(Problem problem) {
        NtkOperator.squaredLossFactor(problem.loss(), "diagnostics." + NAME);
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        Problem problem = probe.problem();
        double c = NtkOperator.squaredLossFactor(problem.loss(), "diagnostics." + NAME);
        Dataset batch = problem.train().batch(probe.batch());
        int b = batch.size();
        NtkOperator op = NtkOperator.of(problem.model(), probe.theta(), batch.x(), 2.0 * c / b, problem.physicalBatch());
        Tensor f = op.output();
        if (!Arrays.equals(f.shape(), batch.y().shape())) {
            throw new IllegalArgumentException("diagnostics.batch_kernel: model output " + Arrays.toString(f.shape())
                    + " and targets " + Arrays.toString(batch.y().shape()) + " differ");
        }
        Tensor r = f.sub(batch.y()).reshape(op.dim());
        double batchLoss = c / b * r.dotValue(r);
        double[] eig = new double[Math.min(config.k(), op.dim())];
        NtkOperator.Spectrum sp = Ntk.finite(f) && Ntk.finite(probe.theta())
                ? op.spectrum(config.k(), config.solver(), probe.rng(Rng.LANCZOS, NAME), List.of())
                : null;
        if (sp == null || !Ntk.finite(sp.values())) {
            Arrays.fill(eig, Double.NaN);
            return new Result(eig, Double.NaN, probe.lr(), b, batchLoss, Double.NaN, sp == null ? "none" : sp.method(),
                    sp == null ? "none" : sp.assembly(), false, op.jvps(), op.vjps(), (System.nanoTime() - t0) * 1e-9);
        }
        System.arraycopy(sp.values(), 0, eig, 0, eig.length);
        double top = LossSplit.of(r, sp.vectors(), config.k(), c / b).top();
        return new Result(eig, CriticalLearningRate.batchCriticalRatio(probe.lr(), eig[0]), probe.lr(), b, batchLoss,
                top, sp.method(), sp.assembly(), sp.converged(), op.jvps(), op.vjps(), (System.nanoTime() - t0) * 1e-9);
    }
}
