package org.sgdlab.diagnostics;

import java.util.List;
import java.util.random.RandomGenerator;
import org.sgdlab.data.Dataset;
import org.sgdlab.tensor.Tensor;

/**
 * The critical learning rate and the batch-critical ratio (QUANTITIES.md Q11):
 *
 * <pre>
 *   eta_crit     = 2 / lambda_1(K-bar(theta_0))        (at initialisation; precursor Def. 2)
 *   eta_crit(t)  = 2 / lambda_1(K-bar(theta_t))        (time-local; the milestone-adaptive schedule)
 *   c_t          = eta_t lambda_1(K-bar_B(theta_t)) / 2 (batch B_t of step t; c_t &gt; 1: super-critical)
 * </pre>
 *
 * with K-bar = (2c/n) J J^T (Q10.1) and K-bar_B = (2c/b) J_B J_B^T. Regimes of the two-layer
 * quadratic model (precursor arXiv 2205.11787 §3.1; Lewkowycz et al., arXiv 2003.02218): lazy for
 * eta &lt; 2/lambda_0, catapult for 2/lambda_0 &lt; eta &lt; 4/lambda_0, divergent above. Papers: Lewkowycz,
 * Bahri, Dyer, Sohl-Dickstein, Gur-Ari 2020; Zhu, Liu, Radhakrishnan, Belkin, ICML 2024 (Claim 2).
 */
public final class CriticalLearningRate {

    private CriticalLearningRate() {
    }

    /** The learning-rate regimes of Q11's table. */
    public enum Regime {
        /** eta &lt;= 2/lambda_0: monotone convergence, kernel about constant. */
        LAZY,
        /** 2/lambda_0 &lt; eta &lt; eta_max: the loss grows, then falls while lambda_1 decreases. */
        CATAPULT,
        /** eta &gt;= eta_max. */
        DIVERGENT
    }

    /** {@code 2 / lambda1}; +infinity for lambda1 = 0 (a zero kernel has no critical rate), NaN if not finite or negative. */
    public static double etaCrit(double lambda1) {
        if (!(lambda1 >= 0) || Double.isInfinite(lambda1)) {
            return Double.NaN;
        }
        return 2.0 / lambda1;
    }

    /** {@code c_t = eta lambda1(K-bar_B) / 2}. */
    public static double batchCriticalRatio(double eta, double batchLambda1) {
        return eta * batchLambda1 / 2.0;
    }

    /**
     * The regime of learning rate eta for initial top eigenvalue lambda0, with eta_max = {@code etaMaxFactor}
     * / lambda0 (4 for the quadratic model of the precursor; Lewkowycz et al. report about 12 for ReLU
     * networks, unverified).
     */
    public static Regime regime(double eta, double lambda0, double etaMaxFactor) {
        if (!(eta > 0) || !(lambda0 > 0) || !(etaMaxFactor > 2) || Double.isInfinite(etaMaxFactor)) {
            throw new IllegalArgumentException("CriticalLearningRate.regime: need eta > 0, lambda0 > 0 and a finite"
                    + " eta_max factor > 2, got eta = " + eta + ", lambda0 = " + lambda0 + ", factor = " + etaMaxFactor);
        }
        double x = eta * lambda0;
        if (x <= 2) {
            return Regime.LAZY;
        }
        return x < etaMaxFactor ? Regime.CATAPULT : Regime.DIVERGENT;
    }

    /**
     * lambda_1(K-bar(theta)) on the problem's training set with the default solver settings of Q10.1
     * (dense for n k &lt;= 1000, else Lanczos drawing from {@code rng}). NaN when the computation fails.
     */
    public static double kernelTop(Problem problem, Tensor theta, RandomGenerator rng) {
        return kernelTop(problem, theta, problem.train(), NtkOperator.Solver.defaults(), rng);
    }

    /** lambda_1((2c/m) J J^T) on the m rows of {@code d} under {@code solver}. */
    public static double kernelTop(Problem problem, Tensor theta, Dataset d, NtkOperator.Solver solver,
            RandomGenerator rng) {
        solver.validate("critical_learning_rate");
        NtkOperator op = NtkOperator.normalised(problem, theta, d);
        if (!Ntk.finite(op.output())) {
            return Double.NaN;
        }
        return op.spectrum(1, solver, rng, List.of()).values()[0];
    }

    /** eta_crit = 2 / lambda_1(K-bar(theta_0)) on the training set (Q11). */
    public static double atInit(Problem problem, Tensor theta0, RandomGenerator rng) {
        return etaCrit(kernelTop(problem, theta0, rng));
    }
}
