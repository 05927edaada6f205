package org.sgdlab.diagnostics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Diagnostics by name, so run specs can say {@code diagnostics: {sharpness: {every: 20, k: 1}}}.
 * The schedule keys (every, start, at, at_end, on_events) are taken out by the spec reader; the
 * rest goes to the diagnostic's {@code fromParams}. Unknown names fail listing the known ones.
 */
public final class Diagnostics {

    private static final Map<String, Function<Map<String, Object>, Diagnostic<?>>> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put(Sharpness.NAME, Sharpness::fromParams);
        REGISTRY.put(BatchSharpness.NAME, BatchSharpness::fromParams);
        REGISTRY.put(MiniBatchSharpness.NAME, MiniBatchSharpness::fromParams);
        REGISTRY.put(StepSharpness.NAME, StepSharpness::fromParams);
        REGISTRY.put(Gni.NAME, Gni::fromParams);
        REGISTRY.put(HessianTrace.NAME, HessianTrace::fromParams);
        REGISTRY.put(SpectralDensity.NAME, SpectralDensity::fromParams);
        REGISTRY.put(NoiseCovariance.NAME, NoiseCovariance::fromParams);
        REGISTRY.put(NoetherCharge.NAME, NoetherCharge::fromParams);
        REGISTRY.put(LinearNetSymmetry.NAME, LinearNetSymmetry::fromParams);
        REGISTRY.put(DlnSymmetry.NAME, DlnSymmetry::fromParams);
        REGISTRY.put(SelfStabilization.NAME, SelfStabilization::fromParams);
        REGISTRY.put(Ntk.NAME, Ntk::fromParams);
        REGISTRY.put(BatchKernel.NAME, BatchKernel::fromParams);
        REGISTRY.put(AgopAlignment.NAME, AgopAlignment::fromParams);
        REGISTRY.put(FeatureSparsity.NAME, FeatureSparsity::fromParams);
        REGISTRY.put(FeatureRanks.NAME, FeatureRanks::fromParams);
        REGISTRY.put(JacobianRank.NAME, JacobianRank::fromParams);
        REGISTRY.put(ReluPatterns.NAME, ReluPatterns::fromParams);
        REGISTRY.put(Norms.NAME, Norms::fromParams);
        REGISTRY.put(UpdateEigCos.NAME, UpdateEigCos::fromParams);
    }

    /**
     * For {@link Diagnostic#check}: every {@code {field, block}} pair names a block of {@code layout}, else an
     * error naming {@code diagnostics.<owner>.<field>}, the model's blocks and {@code what} the diagnostic measures.
     */
    static void requireBlocks(org.sgdlab.nn.Layout layout, String owner, String what, String[]... fieldAndBlock) {
        for (String[] f : fieldAndBlock) {
            if (!layout.contains(f[1])) {
                throw new IllegalArgumentException("diagnostics." + owner + "." + f[0] + ": the model has no block '"
                        + f[1] + "' (its blocks: " + String.join(", ", layout.names()) + "); " + owner + " measures "
                        + what);
            }
        }
    }

    private Diagnostics() {
    }

    /** Names accepted by {@link #create}. */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /** The diagnostic {@code name} configured by {@code params} (snake_case keys). */
    public static Diagnostic<?> create(String name, Map<String, Object> params) {
        Function<Map<String, Object>, Diagnostic<?>> f = REGISTRY.get(name);
        if (f == null) {
            throw new IllegalArgumentException("unknown diagnostic '" + name + "'; known: " + String.join(", ", names()));
        }
        return f.apply(params == null ? Map.of() : params);
    }
}
