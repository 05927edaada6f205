package org.sgdlab.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A run directory: the record of one run, crash-consistent and resumable.
 *
 * <pre>
 *   spec.yaml          the resolved spec (defaults filled in) with version, git, Java and BLAS
 *   metrics.jsonl/.csv one row per logged step (no wall-clock fields)
 *   diagnostics/*.jsonl, events.jsonl, timing.jsonl, tensorboard/, checkpoints/
 *   summary.json       status (running | completed | diverged | failed), steps, wall time, final metrics
 *   .lock              held (an OS file lock) while a process writes the directory
 * </pre>
 *
 * Two processes never write the same directory: the lock is an OS-level file lock, released by the
 * kernel when its process dies, so a stale lock from a killed process is detected as free. A run
 * killed at any moment resumes from its last complete checkpoint; the streams are cut back to the
 * rows before that step and the run continues, producing the same bytes as an uninterrupted run.
 */
public final class RunDirectory implements AutoCloseable {

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private RunDirectory(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            lockChannel = FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            FileLock l;
            try {
                l = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                l = null;
            }
            if (l == null) {
                String holder = new String(Files.readAllBytes(dir.resolve(".lock")), StandardCharsets.UTF_8).trim();
                lockChannel.close();
                throw new IllegalArgumentException("run directory " + dir + " is in use by another process ("
                        + (holder.isEmpty() ? "unknown" : holder) + "); wait for it or choose another --out");
            }
            lock = l;
            lockChannel.truncate(0);
            lockChannel.write(java.nio.ByteBuffer.wrap((ManagementFactory.getRuntimeMXBean().getName() + " since "
                    + Instant.now() + "\n").getBytes(StandardCharsets.UTF_8)));
            lockChannel.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + dir, e);
        }
    }

    public Path path() {
        return dir;
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the kernel releases it with the process anyway
        }
    }

    /** Facts recorded with every run (version, git, Java, BLAS); supplied by the CLI. */
    public record Provenance(Map<String, Object> facts) {
    }

    /** A finished (or interrupted) run as the CLI reports it. */
    public record Outcome(Path dir, RunResult result) {
    }

    /**
     * Refuses a directory a new run cannot use: one that exists and holds anything but a lock, with what to do
     * about what is there (resume an interrupted run; another --out otherwise).
     */
    public static void requireFresh(Path dir) {
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                if (s.anyMatch(p -> !p.getFileName().toString().equals(".lock"))) {
                    JsonNode summary = readJson(dir.resolve("summary.json"));
                    String status = summary == null ? "" : summary.path("status").asText("");
                    throw new IllegalArgumentException("run directory " + dir + " already exists and is not empty; "
                            + (!Files.isRegularFile(dir.resolve("spec.yaml"))
                                    ? "it is not a run directory; choose another --out"
                                    : status.isEmpty() || status.equals("running")
                                    ? "use 'sgdlab resume " + dir + "' to continue it or choose another --out"
                                    : "it holds a run that has ended (status " + status + "); choose another --out"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * The status to show for the run in {@code dir} whose {@code summary.json} says {@code recorded}: the same,
     * except that a run still recorded as "running" that no process holds (its writer was killed) is
     * {@value #INTERRUPTED}, which {@code sgdlab resume} continues.
     */
    public static String shownStatus(Path dir, String recorded) {
        return "running".equals(recorded) && !held(dir) ? INTERRUPTED : recorded;
    }

    /** The status {@link #shownStatus} gives a run whose process died. */
    public static final String INTERRUPTED = "interrupted";

    /** Whether a process (this one included) holds the lock of {@code dir}. */
    static boolean held(Path dir) {
        Path f = dir.resolve(".lock");
        if (!Files.isRegularFile(f)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Runs a new spec into {@code dir} (created; must be empty or absent). Writes the resolved spec
     * first, then trains with checkpoints, then the summary.
     */
    public static Outcome run(Spec spec, Path dir, Provenance prov, RunListener extra) {
        requireFresh(dir);
        try (RunDirectory rd = new RunDirectory(dir)) {
            ObjectNode tree = spec.resolved();
            ObjectNode meta = (ObjectNode) tree.get("meta");
            prov.facts().forEach((k, v) -> meta.putPOJO(k, v));
            Json.writeAtomically(dir.resolve("spec.yaml"), Spec.toYaml(tree));
            return rd.train(spec, null, extra, 0.0);
        }
    }

    /**
     * Records a run built in code (a study's run) into {@code dir}: the same files as a spec run
     * except that {@code spec.yaml} describes the run (model, loss, optimizer, data, seed) instead of
     * being a re-runnable spec; no checkpoints or TensorBoard files.
     */
    public static Outcome record(Path dir, String name, TrainConfig config, RunListener extra) {
        try (RunDirectory rd = new RunDirectory(dir)) {
            rd.clear();                      // a study re-run replaces its runs
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", name);
            d.put("programmatic", "built by a study in code; this file describes it and cannot be re-run with 'sgdlab run'");
            d.put("seed", config.seed());
            d.put("steps", config.steps());
            d.put("model", config.problem().model().describe());
            d.put("loss", config.problem().loss().describe());
            d.put("optimizer", config.optimizer().describe());
            d.put("sampler", config.sampler().name() + ", batch size " + config.sampler().batchSize());
            d.put("train_data", config.problem().train().name() + " (" + config.problem().train().size() + " examples)");
            List<String> diags = new ArrayList<>();
            config.diagnostics().forEach(x -> diags.add(x.diagnostic().name() + " every " + x.every()));
            d.put("diagnostics", diags);
            Json.writeAtomically(dir.resolve("spec.yaml"), Spec.toYaml(Json.MAPPER.valueToTree(d)));
            Spec.Outputs o = new Spec.Outputs(0, 1, false, false, 10.0);
            Map<String, Object> base = new LinkedHashMap<>();
            base.put("name", name);
            RunWriter w = new RunWriter(dir, o, Trainer.columns(config), base, 0.0);
            RunResult r;
            try {
                r = Trainer.run(config, extra == null ? w : RunListener.all(w, extra));
            } catch (RuntimeException | Error e) {
                w.flush(true);
                w.writeSummary(Status.FAILED, -1, e.toString(), null);
                w.close();
                throw e;
            }
            w.close();
            if (r.theta() != null) {
                org.sgdlab.nn.ParamsIO.save(dir.resolve("params.npz"), config.problem().model().layout(), r.theta());
            }
            return new Outcome(dir, r);
        }
    }

    /** Continues the run in {@code dir} from its last checkpoint (or from the start if it has none). */
    public static Outcome resume(Path dir, RunListener extra) {
        if (!Files.isRegularFile(dir.resolve("spec.yaml"))) {
            throw new IllegalArgumentException(dir + " is not a run directory (no spec.yaml)");
        }
        try (RunDirectory rd = new RunDirectory(dir)) {
            JsonNode summary = readJson(dir.resolve("summary.json"));
            String status = summary == null ? "running" : summary.path("status").asText("running");
            if (!status.equals("running")) {
                throw new IllegalArgumentException("run " + dir + " has already ended (status " + status
                        + "); nothing to resume");
            }
            Spec spec;
            try {
                spec = Spec.load(dir.resolve("spec.yaml"), List.of());
            } catch (SpecException e) {
                throw new IllegalArgumentException("the spec.yaml of " + dir + " no longer validates:\n" + e.getMessage());
            }
            List<Long> steps = Checkpoints.steps(dir);
            Checkpoint ck = steps.isEmpty() ? null : Checkpoints.read(dir, steps.get(steps.size() - 1));
            long from = ck == null ? 0 : ck.step();
            rd.truncateStreams(from);
            double wallBefore = summary == null ? 0.0 : summary.path("wall_seconds").asDouble(0.0);
            return rd.train(spec, ck, extra, wallBefore);
        }
    }

    private Outcome train(Spec spec, Checkpoint ck, RunListener extra, double wallBefore) {
        Spec.Built b = spec.built();
        TrainConfig cfg = b.config();
        Map<String, Object> base = new LinkedHashMap<>();
        base.put("name", b.name());
        RunWriter w = new RunWriter(dir, b.outputs(), Trainer.columns(cfg), base, wallBefore);
        if (ck != null && b.outputs().tensorboard()) {
            replayTensorboard(w);
        }
        RunResult r;
        try {
            RunListener l = extra == null ? w : RunListener.all(w, extra);
            r = ck == null ? Trainer.run(cfg, l) : Trainer.resume(cfg, ck, l);
        } catch (RuntimeException | Error e) {
            w.flush(true);
            w.writeSummary(Status.FAILED, -1, e.toString(), null);
            w.close();
            throw e;
        }
        w.close();
        if (r.theta() != null && r.status() != Status.FAILED) {
            org.sgdlab.nn.ParamsIO.save(dir.resolve("params.npz"), cfg.problem().model().layout(), r.theta());
        }
        return new Outcome(dir, r);
    }

    /** Deletes everything in the directory but the lock. */
    private void clear() {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.sorted(java.util.Comparator.reverseOrder()).toList();
            for (Path p : all) {
                if (!p.equals(dir) && !p.getFileName().toString().equals(".lock")) {
                    Files.delete(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }

    /** Drops every streamed line whose step is at or after {@code step} (files rewritten atomically). */
    void truncateStreams(long step) {
        List<Path> files = new ArrayList<>();
        for (String f : new String[] {"metrics.jsonl", "events.jsonl", "timing.jsonl"}) {
            files.add(dir.resolve(f));
        }
        Path diag = dir.resolve("diagnostics");
        if (Files.isDirectory(diag)) {
            try (Stream<Path> s = Files.list(diag)) {
                s.filter(p -> p.toString().endsWith(".jsonl")).forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            boolean events = f.getFileName().toString().equals("events.jsonl");
            StringBuilder keep = new StringBuilder();
            for (String line : lines(f)) {
                JsonNode n = parse(line);
                if (n == null) {
                    continue;                      // a torn last line from a kill
                }
                // an event belongs to the step that completed it (its end; open events are re-emitted)
                long s = events ? (n.path("end").isNull() || n.path("end").isMissingNode() ? Long.MAX_VALUE
                        : n.path("end").asLong()) : n.path("step").asLong(Long.MAX_VALUE);
                // onset/peak measurements are taken at theta_{t-1} during iteration t
                String trig = n.path("trigger").asText("");
                if (trig.equals("onset") || trig.equals("peak")) {
                    s += 1;
                }
                if (s < step) {
                    keep.append(line).append('\n');
                }
            }
            Json.writeAtomically(f, keep.toString());
        }
        // the CSV mirrors metrics.jsonl row by row
        Path csv = dir.resolve("metrics.csv");
        if (Files.isRegularFile(csv)) {
            List<String> rows = lines(csv);
            StringBuilder keep = new StringBuilder();
            if (!rows.isEmpty()) {
                keep.append(rows.get(0)).append('\n');
                for (int i = 1; i < rows.size(); i++) {
                    String r = rows.get(i);
                    int comma = r.indexOf(',');
                    String first = comma < 0 ? r : r.substring(0, comma);
                    try {
                        if (Long.parseLong(first) < step) {
                            keep.append(r).append('\n');
                        }
                    } catch (NumberFormatException e) {
                        // torn line
                    }
                }
            }
            Json.writeAtomically(csv, keep.toString());
        }
        try {
            Path tb = dir.resolve("tensorboard");
            if (Files.isDirectory(tb)) {
                try (Stream<Path> s = Files.list(tb)) {
                    for (Path p : s.toList()) {
                        Files.delete(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Rewrites TensorBoard scalars from the kept metric and diagnostic lines (after a resume). */
    private void replayTensorboard(RunWriter w) {
        for (String line : lines(dir.resolve("metrics.jsonl"))) {
            JsonNode n = parse(line);
            if (n != null) {
                Map<String, Object> row = new LinkedHashMap<>();
                n.fields().forEachRemaining(e -> row.put(e.getKey(), e.getValue().isNumber() ? e.getValue().numberValue() : null));
                w.tensorboardOnly(row);
            }
        }
    }

    private static List<String> lines(Path f) {
        if (!Files.isRegularFile(f)) {
            return List.of();
        }
        try {
            return Files.readAllLines(f, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    /** One JSON line, or null when it is blank or torn (a writer killed mid-line). */
    static JsonNode parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            return null;
        }
    }

    /** The JSON in {@code f}, or null when it is absent or not valid JSON. */
    public static JsonNode readJson(Path f) {
        if (!Files.isRegularFile(f)) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(f.toFile());
        } catch (IOException e) {
            return null;
        }
    }
}
