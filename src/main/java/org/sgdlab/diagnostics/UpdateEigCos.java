package org.sgdlab.diagnostics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sgdlab.linalg.Lanczos;
import org.sgdlab.tensor.Tensor;

/**
 * Alignment of the update with the top Hessian eigenvector (QUANTITIES.md Q18):
 *
 * <pre>  update_eig_cos = |cos(theta_{t+1} - theta_t, u_1(theta_t))| = |&lt;d, u_1&gt;| / (||d|| ||u_1||)</pre>
 *
 * with u_1 the top Hessian eigenvector of the latest sharpness measurement. The static {@link #of} computes
 * exactly that from two iterates and a vector.
 *
 * <p><b>What the diagnostic measures.</b> A diagnostic sees only theta_t, so it keeps the parameters and the
 * top eigenvector of its previous measurement. At a measurement at step t, with s &lt; t the step of the
 * previous measurement, it reports
 *
 * <pre>  update_eig_cos = |cos(theta_t - theta_s, u_1)|,   u_1 = the eigenvector published when it measured at s</pre>
 *
 * ({@code from_step} = s, {@code steps} = t - s, {@code update_norm} = ||theta_t - theta_s||). The eigenvector
 * is read from {@link Probe#shared()} under {@code "hessian_eigenvectors"} (published by the sharpness
 * diagnostic: a list of tensors with u_1 first, a {@link Lanczos.Result}, or a tensor [p]); when the
 * sharpness diagnostic also publishes {@code "hessian_eigenvectors_step"} (a number) that step is reported
 * as {@code eig_step}, else -1. Hence:
 * <ul>
 *   <li>measured every step (and listed after {@code sharpness} in the run spec, so that the vector read at s
 *       is u_1(theta_s) when sharpness measured at s), the value at t is Q18's quantity for the update
 *       s = t - 1 -&gt; t, with u_1 from the latest sharpness measurement at or before s;</li>
 *   <li>with a coarser cadence it is the cosine of the accumulated change over the t - s steps;</li>
 *   <li>the first measurement, and one with no eigenvector published at s, give NaN ({@code available =
 *       false}); a second measurement at the same step gives NaN and only refreshes the stored eigenvector;
 *       a measurement at an earlier step than the stored one (a spike-triggered look-back) gives NaN and
 *       leaves the state unchanged.</li>
 * </ul>
 * The stored theta_s, u_1 and steps are exported for resume ({@link #exportState()}).
 */
public final class UpdateEigCos implements Diagnostic<UpdateEigCos.Result> {

    public static final String NAME = "update_eig_cos";
    /** The shared key of the sharpness diagnostic's eigenvectors. */
    public static final String SHARED_KEY = "hessian_eigenvectors";
    /** Optional shared key: the step of those eigenvectors. */
    public static final String SHARED_STEP_KEY = "hessian_eigenvectors_step";

    /**
     * Configuration.
     *
     * @param sharedKey the {@link Probe#shared()} key to read u_1 from (default {@code hessian_eigenvectors})
     */
    public record Config(String sharedKey) {

        public Config {
            if (sharedKey == null || sharedKey.isBlank()) {
                throw DiagnosticParams.invalid("diagnostics." + NAME + ".shared_key", sharedKey, "a non-empty key");
            }
        }

        public static Config defaults() {
            return new Config(SHARED_KEY);
        }
    }

    /** The measurement ({@code from_step} and {@code eig_step} are -1 when unknown). */
    public record Result(double updateEigCos, long fromStep, long steps, long eigStep, double updateNorm,
                         boolean available, double seconds) {
    }

    private final Config config;
    private Tensor prevTheta;
    private Tensor prevU;
    private long prevStep = -1;
    private long prevEigStep = -1;

    public UpdateEigCos(Config config) {
        this.config = config;
    }

    public UpdateEigCos() {
        this(Config.defaults());
    }

    /** From run-spec parameters: {@code shared_key} (default hessian_eigenvectors). */
    public static UpdateEigCos fromParams(Map<String, Object> params) {
        DiagnosticParams p = DiagnosticParams.of(NAME, params).requireKnown("shared_key");
        return new UpdateEigCos(new Config(p.string("shared_key", SHARED_KEY)));
    }

    public Config config() {
        return config;
    }

    @Override
    public String name() {
        return NAME;
    }

    /** {@code |cos(thetaNext - theta, u1)|}. */
    public static double of(Tensor thetaNext, Tensor theta, Tensor u1) {
        return cosine(thetaNext.sub(theta), u1);
    }

    /** {@code |<a, b>| / (||a|| ||b||)}; NaN when either is zero. */
    public static double cosine(Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("update_eig_cos: vectors have " + a.size() + " and " + b.size()
                    + " entries");
        }
        double na = a.norm();
        double nb = b.norm();
        if (na == 0 || nb == 0) {
            return Double.NaN;
        }
        return Math.min(1.0, Math.abs(a.reshape(-1).dotValue(b.reshape(-1))) / (na * nb));
    }

    @Override
    public Result measure(Probe probe) {
        long t0 = System.nanoTime();
        long t = probe.step();
        Tensor theta = probe.theta().detach();
        Tensor u = topEigenvector(probe.shared(), theta.size());
        long eigStep = eigStep(probe.shared());
        double cos = Double.NaN;
        double norm = Double.NaN;
        long from = -1;
        long steps = 0;
        long usedEig = -1;
        if (prevTheta != null && t > prevStep) {
            Tensor d = theta.sub(prevTheta);
            norm = d.norm();
            from = prevStep;
            steps = t - prevStep;
            usedEig = prevEigStep;
            if (prevU != null) {
                cos = cosine(d, prevU);
            }
        }
        if (prevTheta == null || t > prevStep) {
            prevTheta = theta;
            prevStep = t;
            prevU = u;
            prevEigStep = u == null ? -1 : eigStep;
        } else if (t == prevStep && u != null) {
            prevU = u;
            prevEigStep = eigStep;
        }
        return new Result(cos, from, steps, usedEig, norm, !Double.isNaN(cos), (System.nanoTime() - t0) / 1e9);
    }

    /** u_1 from the shared artifacts, or null when none was published. */
    Tensor topEigenvector(Map<String, Object> shared, int p) {
        Object o = shared == null ? null : shared.get(config.sharedKey());
        if (o == null) {
            return null;
        }
        Tensor u;
        if (o instanceof Tensor t) {
            u = t;
        } else if (o instanceof List<?> l) {
            if (l.isEmpty()) {
                return null;
            }
            if (!(l.get(0) instanceof Tensor t)) {
                throw wrongType(l.get(0));
            }
            u = t;
        } else if (o instanceof Tensor[] arr) {
            if (arr.length == 0) {
                return null;
            }
            u = arr[0];
        } else if (o instanceof Lanczos.Result r) {
            if (r.eigenvectors() == null || r.eigenvectors().isEmpty()) {
                return null;
            }
            u = r.eigenvectors().get(0);
        } else {
            throw wrongType(o);
        }
        if (u.size() != p || (u.rank() != 1 && !(u.rank() == 2 && (u.dim(0) == 1 || u.dim(1) == 1)))) {
            throw new IllegalArgumentException("diagnostics." + NAME + ": shared '" + config.sharedKey()
                    + "' holds a vector of shape " + Arrays.toString(u.shape()) + "; the parameters have " + p
                    + " entries");
        }
        return u.reshape(p).detach();
    }

    private long eigStep(Map<String, Object> shared) {
        Object o = shared == null ? null : shared.get(SHARED_STEP_KEY);
        return o instanceof Number n ? n.longValue() : -1;
    }

    private IllegalArgumentException wrongType(Object o) {
        return new IllegalArgumentException("diagnostics." + NAME + ": shared '" + config.sharedKey() + "' has type "
                + o.getClass().getName() + "; expected a list of tensors (u_1 first), a Lanczos.Result or a tensor [p]");
    }

    @Override
    public Map<String, Tensor> exportState() {
        if (prevTheta == null) {
            return Map.of();
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("prev_theta", prevTheta);
        m.put("prev_step", Tensor.scalar(prevStep));
        m.put("prev_eig_step", Tensor.scalar(prevEigStep));
        if (prevU != null) {
            m.put("prev_u1", prevU);
        }
        return m;
    }

    @Override
    public void importState(Map<String, Tensor> state) {
        if (state == null || !state.containsKey("prev_theta")) {
            prevTheta = null;
            prevU = null;
            prevStep = -1;
            prevEigStep = -1;
            return;
        }
        prevTheta = state.get("prev_theta").detach();
        prevStep = (long) state.get("prev_step").item();
        prevEigStep = state.containsKey("prev_eig_step") ? (long) state.get("prev_eig_step").item() : -1;
        prevU = state.containsKey("prev_u1") ? state.get("prev_u1").detach() : null;
    }
}
