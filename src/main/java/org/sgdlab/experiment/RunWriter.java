package org.sgdlab.experiment;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes what a run produces into its directory: {@code metrics.jsonl} and {@code metrics.csv}
 * (one row per logged step, no wall-clock fields), {@code diagnostics/<name>.jsonl},
 * {@code events.jsonl}, {@code timing.jsonl}, TensorBoard scalars under {@code tensorboard/} (a diagnostic's
 * numbers as {@code NAME/FIELD}, nested ones as {@code NAME/FIELD/I/SUB}, see {@link RecordFields}),
 * checkpoints and {@code summary.json}. Streams are appended and flushed to disk before every
 * checkpoint, so every row before a checkpoint's step is on disk when the checkpoint exists.
 */
final class RunWriter implements RunListener {

    private final Path dir;
    private final Spec.Outputs outputs;
    private final List<String> columns;
    private final Map<String, BufferedWriter> streams = new TreeMap<>();
    private final TensorBoardWriter tb;
    private final Map<String, Object> summaryBase;
    private final long wallStart = System.nanoTime();
    private final double wallBefore;
    private long lastStep = -1;
    /** Whether the run detects loss spikes (spike_kappa > 0); without, summary.json's spike_count is null. */
    private boolean detectsSpikes = true;

    RunWriter(Path dir, Spec.Outputs outputs, List<String> columns, Map<String, Object> summaryBase, double wallBefore) {
        this.dir = dir;
        this.outputs = outputs;
        this.columns = columns;
        this.summaryBase = summaryBase;
        this.wallBefore = wallBefore;
        try {
            Files.createDirectories(dir.resolve("diagnostics"));
            if (!Files.exists(dir.resolve("metrics.csv"))) {
                Files.writeString(dir.resolve("metrics.csv"), String.join(",", columns) + "\n");
            }
            if (!Files.exists(dir.resolve("events.jsonl"))) {
                Files.createFile(dir.resolve("events.jsonl"));      // present when empty: a run without spikes
            }
            tb = outputs.tensorboard() ? TensorBoardWriter.open(dir.resolve("tensorboard")) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    private BufferedWriter stream(String rel) {
        return streams.computeIfAbsent(rel, r -> {
            try {
                Path p = dir.resolve(r);
                Files.createDirectories(p.getParent());
                return Files.newBufferedWriter(p, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open " + r + " in " + dir, e);
            }
        });
    }

    private void append(String rel, String line) {
        try {
            BufferedWriter w = stream(rel);
            w.write(line);
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + rel + " in " + dir, e);
        }
    }

    @Override
    public void started(TrainConfig config, long fromStep) {
        detectsSpikes = config.spikeKappa() > 0;
        writeSummary(Status.RUNNING, fromStep, null, null);
    }

    @Override
    public void metrics(Map<String, Object> row) {
        append("metrics.jsonl", Json.line(row));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(csv(row.get(columns.get(i))));
        }
        append("metrics.csv", sb.toString());
        long step = ((Number) row.get("step")).longValue();
        lastStep = step;
        if (tb != null) {
            Map<String, Double> scalars = new LinkedHashMap<>();
            row.forEach((k, v) -> {
                if (!k.equals("step") && v instanceof Number n && Double.isFinite(n.doubleValue())) {
                    scalars.put(k, n.doubleValue());
                }
            });
            tbWrite(step, scalars);
        }
    }

    /** TensorBoard scalars of a row without touching the streams (replay after a resume). */
    void tensorboardOnly(Map<String, Object> row) {
        if (tb == null) {
            return;
        }
        Map<String, Double> scalars = new LinkedHashMap<>();
        row.forEach((k, v) -> {
            if (!k.equals("step") && v instanceof Number n && Double.isFinite(n.doubleValue())) {
                scalars.put(k, n.doubleValue());
            }
        });
        tbWrite(((Number) row.get("step")).longValue(), scalars);
    }

    static String csv(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "inf" : "-inf";
            }
            return Double.toString(d);
        }
        return String.valueOf(v);
    }

    @Override
    public void diagnostic(String name, long step, Record result, String trigger) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.put("trigger", trigger);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = Json.MAPPER.convertValue(result, LinkedHashMap.class);
        // wall-clock time goes to timing.jsonl (the trainer records it there), so identical runs give
        // identical diagnostics files
        fields.remove("seconds");
        // a map of numbers (e.g. the NTK loss split) is flattened to top-level keys (loss_top_1, ...)
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (e.getValue() instanceof Map<?, ?> m && !m.isEmpty()
                    && m.values().stream().allMatch(v -> v == null || v instanceof Number)) {
                m.forEach((k, v) -> line.put(String.valueOf(k), v));
            } else {
                line.put(e.getKey(), e.getValue());
            }
        }
        append("diagnostics/" + name + ".jsonl", Json.line(line));
        if (tb != null && trigger.equals("schedule")) {
            // the numbers of the line as written, also nested ones (RecordFields): NAME/FIELD, NAME/hess_eig/0,
            // NAME/layers/0/FIELD; booleans, text and non-finite values (null in the line) are not scalars
            Map<String, Object> cells = new LinkedHashMap<>();
            RecordFields.flatten("", Json.MAPPER.valueToTree(line), cells);
            Map<String, Double> scalars = new LinkedHashMap<>();
            cells.forEach((k, v) -> {
                if (!k.equals("step") && v instanceof Number n && Double.isFinite(n.doubleValue())) {
                    scalars.put(name + "/" + k.replace('.', '/'), n.doubleValue());
                }
            });
            tbWrite(step, scalars);
        }
    }

    private void tbWrite(long step, Map<String, Double> scalars) {
        if (scalars.isEmpty()) {
            return;
        }
        try {
            tb.scalars(step, scalars, System.currentTimeMillis() / 1000.0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write TensorBoard events in " + dir, e);
        }
    }

    @Override
    public void event(Map<String, Object> event) {
        append("events.jsonl", Json.line(event));
    }

    @Override
    public void timing(long step, Map<String, Object> timing) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.putAll(timing);
        append("timing.jsonl", Json.line(line));
    }

    @Override
    public void checkpoint(Checkpoint c) {
        flush(true);
        Checkpoints.write(dir, c, outputs.keepCheckpoints());
        writeSummary(Status.RUNNING, c.step(), null, null);
    }

    @Override
    public void finished(RunResult r) {
        flush(true);
        writeSummary(r.status(), r.steps(), r.reason(), r);
    }

    /** Flushes the streams (and forces them to disk). */
    void flush(boolean force) {
        for (Map.Entry<String, BufferedWriter> e : streams.entrySet()) {
            try {
                e.getValue().flush();
                if (force) {
                    try (FileChannel ch = FileChannel.open(dir.resolve(e.getKey()), StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot flush " + e.getKey(), ex);
            }
        }
        if (tb != null) {
            try {
                tb.flush();
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
    }

    /** Closes the streams. */
    void close() {
        flush(false);
        for (BufferedWriter w : streams.values()) {
            try {
                w.close();
            } catch (IOException ignored) {
                // already flushed
            }
        }
        streams.clear();
        if (tb != null) {
            try {
                tb.close();
            } catch (IOException ignored) {
                // already flushed
            }
        }
    }

    /** summary.json: status, steps, wall time, final metrics, spikes (null when the run does not detect them). */
    void writeSummary(Status status, long steps, String reason, RunResult r) {
        Map<String, Object> s = new LinkedHashMap<>(summaryBase);
        s.put("status", status.id());
        s.put("steps", steps);
        if (reason != null) {
            s.put("reason", reason);
        }
        s.put("wall_seconds", Math.round((wallBefore + (System.nanoTime() - wallStart) / 1e9) * 1000) / 1000.0);
        if (r != null) {
            s.put("final", r.last());
            s.put("spike_count", detectsSpikes ? r.spikes().size() : null);    // null: not looked for
        } else if (lastStep >= 0) {
            s.put("last_logged_step", lastStep);
        }
        Json.writeAtomically(dir.resolve("summary.json"), Json.pretty(s));
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6g", v);
    }
}
