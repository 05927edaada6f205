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
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * A grid sweep over spec fields: the cartesian product of {@code --grid path=v1,v2,...} values (in
 * the order given; the last grid varies fastest), each point a run in {@code SWEEP/runs/<id>}, the
 * grid and the runs listed in {@code SWEEP/sweep.json}. Points are split over shards by index
 * ({@code point % count == shard}), so a Slurm job array or a Kubernetes indexed Job covers every
 * point exactly once. Running a sweep again skips completed runs and resumes interrupted ones.
 */
public final class Sweep {

    /** One grid axis: a spec path and its values (YAML scalars as text). */
    public record Axis(String path, List<String> values) {
    }

    /** One point of the grid: its id, index and overrides. */
    public record Point(int index, String id, Map<String, String> params) {
        public List<String> overrides() {
            List<String> out = new ArrayList<>();
            params.forEach((k, v) -> out.add(k + "=" + v));
            return out;
        }
    }

    private Sweep() {
    }

    /** Parses {@code path=v1,v2,...} (values may be YAML flow lists in brackets: {@code widths=[8,4],[16,4]}). */
    public static Axis axis(String grid) {
        int eq = grid.indexOf('=');
        if (eq <= 0 || eq == grid.length() - 1) {
            throw new IllegalArgumentException("--grid " + grid + ": expected path=v1,v2,... e.g. optimizer.lr=0.1,0.2");
        }
        String path = grid.substring(0, eq).trim();
        List<String> values = new ArrayList<>();
        String rest = grid.substring(eq + 1);
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : rest.toCharArray()) {
            if (c == '[' || c == '{') {
                depth++;
            } else if (c == ']' || c == '}') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                values.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        values.add(cur.toString().trim());
        if (values.stream().anyMatch(String::isEmpty)) {
            throw new IllegalArgumentException("--grid " + grid + ": empty value in the list");
        }
        return new Axis(path, values);
    }

    /** All points of the grid, in order. */
    public static List<Point> points(List<Axis> axes) {
        List<Point> out = new ArrayList<>();
        int total = 1;
        for (Axis a : axes) {
            total = Math.multiplyExact(total, a.values().size());
        }
        for (int i = 0; i < total; i++) {
            Map<String, String> params = new LinkedHashMap<>();
            int rem = i;
            int[] idx = new int[axes.size()];
            for (int k = axes.size() - 1; k >= 0; k--) {
                int m = axes.get(k).values().size();
                idx[k] = rem % m;
                rem /= m;
            }
            for (int k = 0; k < axes.size(); k++) {
                params.put(axes.get(k).path(), axes.get(k).values().get(idx[k]));
            }
            out.add(new Point(i, String.format(java.util.Locale.ROOT, "p%04d", i), params));
        }
        return out;
    }

    /** The points of shard {@code shard} of {@code count}. */
    public static List<Point> shard(List<Point> all, int shard, int count) {
        if (count < 1 || shard < 0 || shard >= count) {
            throw new IllegalArgumentException("shard " + shard + "/" + count + ": need 0 <= shard < count and count >= 1");
        }
        return all.stream().filter(p -> p.index() % count == shard).toList();
    }

    /** Writes {@code sweep.json} (the grid and every run), the index the report and collect read. */
    public static void writeIndex(Path sweepDir, String specFile, List<Axis> axes, List<Point> points) {
        Map<String, Object> idx = new LinkedHashMap<>();
        idx.put("name", sweepDir.getFileName().toString());
        idx.put("spec", specFile);
        Map<String, Object> grid = new LinkedHashMap<>();
        for (Axis a : axes) {
            List<Object> vs = new ArrayList<>();
            for (String v : a.values()) {
                vs.add(scalar(v));
            }
            grid.put(a.path(), vs);
        }
        idx.put("grid", grid);
        List<Map<String, Object>> runs = new ArrayList<>();
        for (Point p : points) {
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("id", p.id());
            Map<String, Object> ps = new LinkedHashMap<>();
            p.params().forEach((k, v) -> ps.put(k, scalar(v)));
            r.put("params", ps);
            r.put("dir", "runs/" + p.id());
            runs.add(r);
        }
        idx.put("runs", runs);
        Json.writeAtomically(sweepDir.resolve("sweep.json"), Json.pretty(idx));
    }

    /** A YAML scalar's value (number, boolean, string, list). */
    static Object scalar(String v) {
        try {
            JsonNode n = Spec.YAML.readTree(v);
            return n == null ? v : Spec.plain(n);
        } catch (IOException e) {
            return v;
        }
    }

    /**
     * Why point {@code p}'s run directory under {@code sweepDir} cannot be this point's run: it holds a run
     * of another resolved spec (a sweep re-run with another grid, {@code --set} or spec file into the same
     * directory would otherwise skip it and label it with the new values). Null when the directory is absent,
     * not yet a run, or holds a run of the same spec ({@code meta} aside), which a re-run skips or resumes.
     */
    public static String clash(Path sweepDir, Point p, Spec spec) {
        Path file = sweepDir.resolve("runs").resolve(p.id()).resolve("spec.yaml");
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Map<String, Object> here = new LinkedHashMap<>();
        Map<String, Object> there = new LinkedHashMap<>();
        flatten("", spec.resolved(), here);
        try {
            flatten("", Spec.load(file, List.of()).resolved(), there);
        } catch (SpecException e) {
            return "runs/" + p.id() + ": its spec.yaml no longer validates (" + e.getMessage().lines().findFirst().orElse("")
                    + ")";
        }
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>(there.keySet());
        keys.addAll(here.keySet());
        List<String> diffs = new ArrayList<>();
        for (String k : keys) {
            if (!java.util.Objects.equals(here.get(k), there.get(k))) {
                if (!k.equals("name")) {                // a label: it changes no number
                    diffs.add(k + " is " + there.get(k) + " there, " + here.get(k) + " here");
                }
            }
        }
        if (diffs.isEmpty()) {
            return null;
        }
        return "runs/" + p.id() + " " + p.params() + ": " + String.join("; ", diffs.subList(0, Math.min(3, diffs.size())))
                + (diffs.size() > 3 ? " (and " + (diffs.size() - 3) + " more)" : "");
    }

    /** What happened to one point. */
    public record PointResult(Point point, String status, String message) {
    }

    /**
     * Runs (or resumes, or skips) the given points, {@code jobs} at a time. Spec errors of a point are
     * reported for that point; the others still run.
     */
    public static List<PointResult> run(Path specFile, List<String> baseOverrides, Path sweepDir, List<Point> points,
                                        int jobs, RunDirectory.Provenance prov, Consumer<String> log) {
        List<PointResult> results = new ArrayList<>();
        ExecutorService ex = Executors.newFixedThreadPool(Math.max(1, jobs));
        try {
            List<Future<PointResult>> fs = new ArrayList<>();
            for (Point p : points) {
                fs.add(ex.submit(() -> runPoint(specFile, baseOverrides, sweepDir, p, prov, log)));
            }
            for (Future<PointResult> f : fs) {
                try {
                    results.add(f.get());
                } catch (Exception e) {
                    throw new IllegalStateException("sweep point failed: " + e, e);
                }
            }
        } finally {
            ex.shutdown();
        }
        return results;
    }

    private static PointResult runPoint(Path specFile, List<String> baseOverrides, Path sweepDir, Point p,
                                        RunDirectory.Provenance prov, Consumer<String> log) {
        Path dir = sweepDir.resolve("runs").resolve(p.id());
        JsonNode summary = RunDirectory.readJson(dir.resolve("summary.json"));
        String status = summary == null ? null : summary.path("status").asText(null);
        try {
            if (status != null && !status.equals("running")) {
                log.accept(p.id() + " " + p.params() + ": already " + status + ", skipped");
                return new PointResult(p, status, "skipped");
            }
            RunDirectory.Outcome o;
            if (status != null) {
                log.accept(p.id() + " " + p.params() + ": resuming");
                o = RunDirectory.resume(dir, null);
            } else {
                List<String> ov = new ArrayList<>(baseOverrides);
                ov.addAll(p.overrides());
                Spec spec = Spec.load(specFile, ov);
                log.accept(p.id() + " " + p.params() + ": running");
                o = RunDirectory.run(spec, dir, prov, null);
            }
            String st = o.result().status().id();
            log.accept(p.id() + ": " + st + " at step " + o.result().steps());
            return new PointResult(p, st, o.result().reason());
        } catch (SpecException e) {
            log.accept(p.id() + " " + p.params() + ": invalid spec\n" + e.getMessage());
            return new PointResult(p, "invalid", e.getMessage());
        } catch (RuntimeException e) {
            log.accept(p.id() + " " + p.params() + ": failed: " + e);
            return new PointResult(p, "failed", e.toString());
        }
    }

    /**
     * Merges the finished runs of a sweep into one CSV: id, the swept parameters, status, steps done, the
     * final metrics of each run, then the last record of each diagnostic as {@code NAME.FIELD} columns
     * (its numbers and booleans, {@code NAME.step} the step it was measured at; nested records and short arrays as
     * {@code NAME.FIELD.I...}, see {@link RecordFields}; longer arrays are left to the run's
     * {@code diagnostics/NAME.jsonl}). Columns are the union over runs, in first-seen order.
     * A directory without {@code sweep.json} whose subdirectories are runs is collected by {@link #collectRuns}.
     */
    public static String collect(Path sweepDir) {
        JsonNode idx = RunDirectory.readJson(sweepDir.resolve("sweep.json"));
        if (idx == null) {
            if (Files.isDirectory(sweepDir) && !runDirs(sweepDir).isEmpty()) {
                return collectRuns(sweepDir);
            }
            throw new IllegalArgumentException(sweepDir + " is neither a sweep directory (no readable sweep.json) nor a"
                    + " directory of runs (no subdirectory with a spec.yaml)");
        }
        List<String> paramKeys = new ArrayList<>();
        idx.path("grid").fieldNames().forEachRemaining(paramKeys::add);
        List<Map<String, Object>> rows = new ArrayList<>();
        Columns cols = new Columns();
        for (JsonNode r : idx.path("runs")) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", r.path("id").asText());
            for (String k : paramKeys) {
                row.put(k, Spec.plain(r.path("params").path(k)));
            }
            results(sweepDir.resolve(r.path("dir").asText()), row, cols);
            rows.add(row);
        }
        return csv(cols.all(List.of("id"), paramKeys), rows);
    }

    /**
     * One CSV row per run directory under {@code parent} (its subdirectories with a {@code spec.yaml}, sorted
     * by name): {@code dir}, then every spec field that differs between the runs (dotted paths of the resolved
     * specs, {@code meta} left out; lists as JSON), then the columns {@link #collect} gives a sweep.
     */
    public static String collectRuns(Path parent) {
        List<Path> dirs = runDirs(parent);
        List<Map<String, Object>> specs = new ArrayList<>();
        for (Path d : dirs) {
            Map<String, Object> flat = new LinkedHashMap<>();
            try {
                flatten("", Spec.YAML.readTree(d.resolve("spec.yaml").toFile()), flat);
            } catch (IOException e) {
                throw new UncheckedIOException("collect: cannot read " + d.resolve("spec.yaml"), e);
            }
            specs.add(flat);
        }
        java.util.LinkedHashSet<String> keys = new java.util.LinkedHashSet<>();
        specs.forEach(f -> keys.addAll(f.keySet()));
        List<String> varying = new ArrayList<>();
        for (String k : keys) {
            Object first = specs.get(0).get(k);
            if (specs.stream().anyMatch(f -> !java.util.Objects.equals(f.get(k), first))) {
                varying.add(k);
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        Columns cols = new Columns();
        for (int i = 0; i < dirs.size(); i++) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("dir", parent.relativize(dirs.get(i)).toString());
            for (String k : varying) {
                row.put(k, specs.get(i).get(k));
            }
            results(dirs.get(i), row, cols);
            rows.add(row);
        }
        return csv(cols.all(List.of("dir"), varying), rows);
    }

    /** The subdirectories of {@code parent} that hold a run (a {@code spec.yaml}), sorted by name. */
    private static List<Path> runDirs(Path parent) {
        try (java.util.stream.Stream<Path> list = Files.list(parent)) {
            return list.filter(d -> Files.isRegularFile(d.resolve("spec.yaml"))).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("collect: cannot list " + parent, e);
        }
    }

    /** Leaves of a spec tree as dotted paths (lists and empty mappings as their JSON text), without {@code meta}. */
    private static void flatten(String prefix, JsonNode node, Map<String, Object> out) {
        if (node.isObject() && node.size() > 0) {
            node.fields().forEachRemaining(e -> {
                if (!(prefix.isEmpty() && e.getKey().equals("meta"))) {
                    flatten(prefix + e.getKey() + ".", e.getValue(), out);
                }
            });
        } else {
            String key = prefix.substring(0, prefix.length() - 1);
            out.put(key, node.isContainerNode() ? node.toString() : Spec.plain(node));
        }
    }

    /** The result columns of a sweep's table, in first-seen order. */
    private static final class Columns {
        final java.util.LinkedHashSet<String> metrics = new java.util.LinkedHashSet<>();
        final java.util.LinkedHashSet<String> diagnostics = new java.util.LinkedHashSet<>();

        List<String> all(List<String> id, List<String> params) {
            List<String> cols = new ArrayList<>(id);
            cols.addAll(params);
            cols.addAll(List.of("status", "steps_done", "spike_count"));
            for (String m : metrics) {
                cols.add("final_" + m);
            }
            cols.addAll(diagnostics);
            return cols;
        }
    }

    /**
     * Status, steps done ({@code steps_done}, apart from the spec's {@code steps}), final metrics, spike count and
     * the diagnostics' last records of the run in {@code dir}.
     */
    private static void results(Path dir, Map<String, Object> row, Columns cols) {
        JsonNode s = RunDirectory.readJson(dir.resolve("summary.json"));
        row.put("status", s == null ? "missing" : RunDirectory.shownStatus(dir, s.path("status").asText()));
        row.put("steps_done", s == null ? null : Spec.plain(s.path("steps")));
        if (s != null) {
            s.path("final").fields().forEachRemaining(e -> {
                if (!e.getKey().equals("step")) {
                    cols.metrics.add(e.getKey());
                    row.put("final_" + e.getKey(), Spec.plain(e.getValue()));
                }
            });
            row.put("spike_count", Spec.plain(s.path("spike_count")));
        }
        lastDiagnostics(dir.resolve("diagnostics"), row, cols.diagnostics);
    }

    private static String csv(List<String> cols, List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder(String.join(",", cols)).append('\n');
        for (Map<String, Object> row : rows) {
            List<String> cells = new ArrayList<>();
            for (String c : cols) {
                Object v = row.get(c);
                String cell = RunWriter.csv(v);
                if (cell.contains(",") || cell.contains("\"")) {
                    cell = "\"" + cell.replace("\"", "\"\"") + "\"";
                }
                cells.add(cell);
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        return sb.toString();
    }

    /** The last complete record of each {@code dir/NAME.jsonl} as {@code NAME.FIELD} cells ({@link RecordFields}). */
    private static void lastDiagnostics(Path dir, Map<String, Object> row, java.util.Set<String> keys) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        List<Path> files;
        try (java.util.stream.Stream<Path> list = Files.list(dir)) {
            files = list.filter(f -> f.getFileName().toString().endsWith(".jsonl")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("collect: cannot list " + dir, e);
        }
        for (Path f : files) {
            JsonNode rec = lastRecord(f);
            if (rec == null) {
                continue;
            }
            String file = f.getFileName().toString();
            String prefix = file.substring(0, file.length() - ".jsonl".length());
            Map<String, Object> cells = new LinkedHashMap<>();
            RecordFields.flatten(prefix, rec, cells);
            keys.addAll(cells.keySet());
            row.putAll(cells);
        }
    }

    /** The last line of a JSON-lines file that parses as an object (a killed writer may leave a torn line); reads at most the last MiB. */
    public static JsonNode lastRecord(Path f) {
        String tail;
        try (java.io.RandomAccessFile in = new java.io.RandomAccessFile(f.toFile(), "r")) {
            long len = in.length();
            int n = (int) Math.min(len, 1 << 20);
            byte[] b = new byte[n];
            in.seek(len - n);
            in.readFully(b);
            tail = new String(b, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("collect: cannot read " + f, e);
        }
        String[] lines = tail.split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            JsonNode node = RunDirectory.parse(lines[i]);            // null for a torn line: try the one before
            if (node != null && node.isObject()) {
                return node;
            }
        }
        return null;
    }

    /** A Slurm job-array script running one shard per array task. */
    public static String slurmScript(Path sgdlab, Path specFile, List<String> grids, List<String> sets, Path out,
                                     int points, int tasks) {
        StringBuilder cmd = new StringBuilder(sgdlab.toString()).append(" sweep ").append(quote(specFile.toString()));
        for (String g : grids) {
            cmd.append(" --grid ").append(quote(g));
        }
        for (String s : sets) {
            cmd.append(" --set ").append(quote(s));
        }
        cmd.append(" --out ").append(quote(out.toString()));
        return "#!/bin/bash\n"
                + "#SBATCH --job-name=sgdlab-sweep\n"
                + "#SBATCH --array=0-" + (tasks - 1) + "\n"
                + "#SBATCH --cpus-per-task=2\n"
                + "#SBATCH --output=" + out + "/slurm-%A_%a.out\n"
                + "# " + points + " grid points over " + tasks + " array tasks; each task runs the points with\n"
                + "# index % SLURM_ARRAY_TASK_COUNT == SLURM_ARRAY_TASK_ID (sgdlab reads both variables).\n"
                + "set -euo pipefail\n"
                + cmd + "\n";
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Distinct statuses of results, for a one-line summary. */
    public static String tally(List<PointResult> rs) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (String s : new TreeSet<>(rs.stream().map(PointResult::status).toList())) {
            m.put(s, (int) rs.stream().filter(r -> r.status().equals(s)).count());
        }
        return m.toString();
    }

    static void ensureDir(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
