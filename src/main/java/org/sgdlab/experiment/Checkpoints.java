package org.sgdlab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Tensor;

/**
 * Checkpoints in a run directory: {@code checkpoints/step-<t>.npz} (theta, theta_0, theta_{t-1},
 * optimizer tensors under {@code opt.} and scalars under {@code opt_scalar.}, diagnostic states under
 * {@code diag.<name>.}, the spike detector's state) and
 * {@code checkpoints/step-<t>.json} (step and the list of arrays). The JSON is
 * written last, so a checkpoint exists only when both files are complete; a crash in between
 * leaves an orphan .npz that is ignored and later removed.
 */
public final class Checkpoints {

    private Checkpoints() {
    }

    static Path dir(Path run) {
        return run.resolve("checkpoints");
    }

    /** Writes one checkpoint and keeps only the newest {@code keep}. */
    public static void write(Path run, Checkpoint c, int keep) {
        Path d = dir(run);
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put("theta", c.theta());
        arrays.put("theta0", c.theta0());
        if (c.previousTheta() != null) {
            arrays.put("prev_theta", c.previousTheta());
        }
        c.optimizerTensors().forEach((k, v) -> arrays.put("opt." + k, v));
        c.diagnosticStates().forEach((name, st) -> st.forEach((k, v) -> arrays.put("diag." + name + "." + k, v)));
        // scalars travel in the npz too: binary, exact, NaN-safe
        c.optimizerScalars().forEach((k, v) -> arrays.put("opt_scalar." + k, Tensor.scalar(v)));
        if (c.detectorState() != null) {
            arrays.put("detector_state", Tensor.vector(c.detectorState()));
        }
        String stem = "step-" + c.step();
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Npy.writeNpz(d.resolve(stem + ".npz"), arrays);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("step", c.step());
        meta.put("arrays", List.copyOf(arrays.keySet()));
        Json.writeAtomically(d.resolve(stem + ".json"), Json.pretty(meta));
        List<Long> steps = steps(run);
        for (int i = 0; i < steps.size() - keep; i++) {
            delete(d, steps.get(i));
        }
    }

    private static void delete(Path d, long step) {
        try {
            Files.deleteIfExists(d.resolve("step-" + step + ".json"));
            Files.deleteIfExists(d.resolve("step-" + step + ".npz"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Steps of the complete checkpoints, ascending. */
    public static List<Long> steps(Path run) {
        Path d = dir(run);
        List<Long> out = new ArrayList<>();
        if (!Files.isDirectory(d)) {
            return out;
        }
        try (Stream<Path> s = Files.list(d)) {
            s.map(p -> p.getFileName().toString()).filter(f -> f.matches("step-\\d+\\.json")).forEach(f -> {
                long step = Long.parseLong(f.substring(5, f.length() - 5));
                if (Files.isRegularFile(d.resolve("step-" + step + ".npz"))) {
                    out.add(step);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Long::compare);
        return out;
    }

    /** Reads the checkpoint of {@code step}. */
    public static Checkpoint read(Path run, long step) {
        Path d = dir(run);
        JsonNode meta;
        try {
            meta = Json.MAPPER.readTree(d.resolve("step-" + step + ".json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read checkpoint " + step + " of " + run, e);
        }
        Map<String, Tensor> arrays = Npy.readNpz(d.resolve("step-" + step + ".npz"));
        Map<String, Tensor> opt = new LinkedHashMap<>();
        Map<String, Double> scalars = new LinkedHashMap<>();
        Map<String, Map<String, Tensor>> diag = new LinkedHashMap<>();
        arrays.forEach((k, v) -> {
            if (k.startsWith("opt_scalar.")) {
                scalars.put(k.substring(11), v.item());
            } else if (k.startsWith("opt.")) {
                opt.put(k.substring(4), v);
            } else if (k.startsWith("diag.")) {
                String rest = k.substring(5);
                int slash = rest.indexOf('.');
                diag.computeIfAbsent(rest.substring(0, slash), x -> new LinkedHashMap<>()).put(rest.substring(slash + 1), v);
            }
        });
        double[] det = arrays.containsKey("detector_state") ? arrays.get("detector_state").toArray() : null;
        long s = meta.path("step").asLong();
        if (s != step) {
            throw new IllegalStateException("checkpoint file step-" + step + ".json says step " + s);
        }
        return new Checkpoint(s, arrays.get("theta"), arrays.get("theta0"), arrays.get("prev_theta"), opt, scalars, diag, det);
    }
}
