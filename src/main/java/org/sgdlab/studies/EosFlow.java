package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.sgdlab.tensor.Tensor;

/**
 * Gradient flow {@code d theta / d tau = -grad L(theta)} integrated by the classical fourth-order
 * Runge-Kutta method, as in Cohen et al.'s {@code src/flow.py} (QUANTITIES.md Q6.4):
 *
 * <pre>
 *   k1 = -g(theta),  k2 = -g(theta + h/2 k1),  k3 = -g(theta + h/2 k2),  k4 = -g(theta + h k3)
 *   theta <- theta + h/6 (k1 + 2 k2 + 2 k3 + k4)
 * </pre>
 *
 * with the step {@code h <= min(alpha / lambda_cached, h_max)} (alpha = 1, h_max = 1), where
 * lambda_cached is the sharpness measured at the start of each output interval. Output times are the
 * grid {@code tau_k = k * interval}, k = 0..K; each interval is covered by
 * {@code n = ceil(interval / min(1/lambda, 1))} equal RK4 steps (so the step never exceeds the bound
 * and the grid is hit exactly). At tau_k the flow records theta, the loss and the sharpness.
 */
final class EosFlow {

    private EosFlow() {
    }

    /** What the flow needs: the gradient and the loss of theta, and the sharpness at grid point k. */
    interface Field {
        /** grad L(theta). */
        Tensor grad(Tensor theta);

        /** L(theta). */
        double loss(Tensor theta);

        /** lambda_max(H(theta)) at grid point k (a warm-started solver may keep state between calls). */
        double sharpness(long k, Tensor theta);
    }

    /**
     * The trajectory: grid times {@code tau}, parameters {@code theta} at each, losses, the sharpness
     * measured at each grid point, the RK4 step used from each grid point to the next and the total
     * number of RK4 steps.
     */
    record Trajectory(double[] tau, List<Tensor> theta, double[] loss, double[] sharpness, double[] step,
                      long rkSteps, boolean finite) {
    }

    /** One RK4 step of size h for {@code theta' = -grad(theta)}. */
    static Tensor rk4Step(UnaryOperator<Tensor> grad, Tensor theta, double h) {
        Tensor k1 = grad.apply(theta).neg();
        Tensor k2 = grad.apply(theta.addScaled(k1, h / 2)).neg();
        Tensor k3 = grad.apply(theta.addScaled(k2, h / 2)).neg();
        Tensor k4 = grad.apply(theta.addScaled(k3, h)).neg();
        Tensor sum = k1.add(k2.mul(2)).add(k3.mul(2)).add(k4);
        return theta.addScaled(sum, h / 6);
    }

    /** The RK4 step bound {@code min(1 / lambda, maxStep)}; maxStep when lambda is not positive or finite. */
    static double stepBound(double lambda, double maxStep) {
        return lambda > 0 && Double.isFinite(lambda) ? Math.min(1.0 / lambda, maxStep) : maxStep;
    }

    /**
     * Integrates from {@code theta0} over {@code intervals} output intervals of length {@code interval};
     * stops early (finite = false) if theta or the loss becomes non-finite.
     */
    static Trajectory integrate(Field f, Tensor theta0, double interval, int intervals, double maxStep) {
        if (!(interval > 0) || intervals < 0 || !(maxStep > 0)) {
            throw new IllegalArgumentException("flow: need interval > 0, intervals >= 0 and max step > 0, got "
                    + interval + ", " + intervals + ", " + maxStep);
        }
        UnaryOperator<Tensor> grad = f::grad;
        List<Tensor> thetas = new ArrayList<>();
        List<Double> taus = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        List<Double> sharp = new ArrayList<>();
        List<Double> steps = new ArrayList<>();
        Tensor theta = theta0.detach();
        long rk = 0;
        boolean finite = true;
        for (int k = 0; k <= intervals; k++) {
            double loss = f.loss(theta);
            double lambda = f.sharpness(k, theta);
            double bound = stepBound(lambda, maxStep);
            taus.add(k * interval);
            thetas.add(theta);
            losses.add(loss);
            sharp.add(lambda);
            steps.add(Double.NaN);
            if (!Double.isFinite(loss) || !Double.isFinite(theta.norm())) {
                finite = false;
                break;
            }
            if (k == intervals) {
                break;
            }
            int n = (int) Math.ceil(interval / bound - 1e-12);
            double h = interval / n;
            steps.set(steps.size() - 1, h);
            for (int i = 0; i < n; i++) {
                theta = rk4Step(grad, theta, h);
            }
            rk += n;
        }
        return new Trajectory(taus.stream().mapToDouble(Double::doubleValue).toArray(), List.copyOf(thetas),
                losses.stream().mapToDouble(Double::doubleValue).toArray(),
                sharp.stream().mapToDouble(Double::doubleValue).toArray(),
                steps.stream().mapToDouble(Double::doubleValue).toArray(), rk, finite);
    }
}
