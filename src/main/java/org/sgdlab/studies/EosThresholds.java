package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.sgdlab.optim.Optimizer;
import org.sgdlab.optim.OptimizerState;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.optim.Update;
import org.sgdlab.tensor.Tensor;

/**
 * Criterion M1 of the {@code eos} study (STUDIES.md §1.2; QUANTITIES.md Q3.4): on the quadratic
 * {@code f(w) = a w^2 / 2} (gradient {@code a w}) with constant eta, each momentum optimizer of sgdlab
 * converges below its threshold and blows up above it:
 *
 * <pre>
 *   gd:                 a* = 2 / eta
 *   heavy-ball, polyak: a* = (2 + 2 beta) / eta
 *   nesterov:           a* = (2 + 2 beta) / ((1 + 2 beta) eta)
 * </pre>
 *
 * Each case runs the library's optimizer for T steps from w_0 = 1 (state from {@code init}) at
 * a = 0.99 a* and a = 1.01 a*, and computes the spectral radius of the 2x2 iteration matrix on
 * (w, s), s the method's stored state, derived by hand from the update formulas of Q3.3:
 *
 * <pre>
 *   heavy-ball: v' = beta v + a w,      w' = w - eta v'              = (1 - eta a) w - eta beta v
 *   polyak:     d' = beta d + eta a w,  w' = w - d'                  = (1 - eta a) w - beta d
 *   nesterov:   v' = beta v + a w,      w' = w - eta (a w + beta v') = (1 - eta a (1 + beta)) w - eta beta^2 v
 *   gd:         w' = (1 - eta a) w      (1x1)
 * </pre>
 *
 * Their characteristic polynomials are those of the Q3.4 table (heavy-ball and polyak
 * {@code z^2 - (1 + beta - eta a) z + beta}; nesterov {@code z^2 - (1 + beta)(1 - eta a) z + beta (1 - eta a)}),
 * whose root z = -1 sits exactly at a = a*.
 */
final class EosThresholds {

    /** The methods checked by M1, and gd for beta = 0. */
    static final List<String> METHODS = List.of("heavy-ball", "polyak", "nesterov");

    private EosThresholds() {
    }

    /** The Q3.4 threshold of {@code method} with momentum beta and step eta. */
    static double threshold(String method, double beta, double eta) {
        return switch (method) {
            case "gd" -> 2 / eta;
            case "heavy-ball", "polyak" -> (2 + 2 * beta) / eta;
            case "nesterov" -> (2 + 2 * beta) / ((1 + 2 * beta) * eta);
            default -> throw new IllegalArgumentException("M1: unknown method '" + method
                    + "'; known: gd, heavy-ball, polyak, nesterov");
        };
    }

    /** The iteration matrix on (w, state) of {@code method} at curvature a (gd: 1x1). */
    static double[][] iterationMatrix(String method, double beta, double eta, double a) {
        return switch (method) {
            case "gd" -> new double[][] {{1 - eta * a}};
            case "heavy-ball" -> new double[][] {{1 - eta * a, -eta * beta}, {a, beta}};
            case "polyak" -> new double[][] {{1 - eta * a, -beta}, {eta * a, beta}};
            case "nesterov" -> new double[][] {{1 - eta * a * (1 + beta), -eta * beta * beta}, {a, beta}};
            default -> throw new IllegalArgumentException("M1: unknown method '" + method
                    + "'; known: gd, heavy-ball, polyak, nesterov");
        };
    }

    /**
     * The spectral radius of a real 1x1 or 2x2 matrix: from trace tr and determinant det, the roots
     * {@code (tr +- sqrt(tr^2 - 4 det)) / 2}; a complex pair has modulus {@code sqrt(det)}.
     */
    static double spectralRadius(double[][] m) {
        if (m.length == 1) {
            return Math.abs(m[0][0]);
        }
        double tr = m[0][0] + m[1][1];
        double det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
        double disc = tr * tr - 4 * det;
        if (disc >= 0) {
            double s = Math.sqrt(disc);
            return Math.max(Math.abs(tr + s), Math.abs(tr - s)) / 2;
        }
        return Math.sqrt(det);
    }

    /** The library optimizer {@code method} with constant eta (beta ignored for gd). */
    static Optimizer<? extends OptimizerState> optimizer(String method, double beta, double eta) {
        return method.equals("gd") ? Optimizers.gd(Schedules.constant(eta))
                : Optimizers.create(method, Schedules.constant(eta), Map.of("beta", beta));
    }

    /** w_T after {@code steps} updates on a w^2/2 from w_0 = 1 (stops early once w is non-finite). */
    static double finalW(Optimizer<? extends OptimizerState> opt, double a, int steps) {
        return run(opt, a, steps);
    }

    private static <S extends OptimizerState> double run(Optimizer<S> opt, double a, int steps) {
        Tensor w = Tensor.vector(1.0);
        S s = opt.init(w);
        for (int t = 0; t < steps; t++) {
            Update<S> u = opt.update(w.mul(a), s, w, t);
            w = u.newTheta();
            s = u.newState();
            if (!Double.isFinite(w.item())) {
                break;
            }
        }
        return w.item();
    }

    /**
     * One M1 case: the threshold used (the optimizer's own {@code threshold(0)}) and the Q3.4 formula;
     * |w_T| and the spectral radius at 0.99 and 1.01 times the threshold; and whether the case passes.
     */
    record Case(String method, double beta, double threshold, double formula, double wBelow, double wAbove,
                double rhoBelow, double rhoAbove) {

        /** |w_T| < 1e-6 below, |w_T| > 1e3 or non-finite above, rho < 1 below and > 1 above, thresholds agree. */
        boolean pass() {
            boolean converges = Math.abs(wBelow) < 1e-6;
            boolean diverges = !Double.isFinite(wAbove) || Math.abs(wAbove) > 1e3;
            boolean agree = Math.abs(threshold - formula) <= 1e-12 * formula;
            return converges && diverges && rhoBelow < 1 && rhoAbove > 1 && agree;
        }
    }

    /** Runs every case: beta in {@code betas} x the three methods, plus gd when beta = 0. */
    static List<Case> check(double[] betas, double eta, int steps) {
        List<Case> out = new ArrayList<>();
        for (double beta : betas) {
            List<String> methods = new ArrayList<>();
            if (beta == 0) {
                methods.add("gd");
            }
            methods.addAll(METHODS);
            for (String m : methods) {
                Optimizer<? extends OptimizerState> opt = optimizer(m, beta, eta);
                double thr = opt.threshold(0);
                double lo = 0.99 * thr;
                double hi = 1.01 * thr;
                out.add(new Case(m, beta, thr, threshold(m, beta, eta), finalW(opt, lo, steps), finalW(opt, hi, steps),
                        spectralRadius(iterationMatrix(m, beta, eta, lo)), spectralRadius(iterationMatrix(m, beta, eta, hi))));
            }
        }
        return out;
    }
}
