package org.sgdlab.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The report of a sweep directory: each run's own report (rebuilt when older than its data), final metrics
 * plotted against every swept parameter, and a table linking every run report.
 *
 * <p>Layout: {@code <sweep>/sweep.json} and {@code <sweep>/runs/<id>/} (ordinary run directories). The index:
 * <pre>
 * {
 *   "name": "eos-lr",                                    (optional)
 *   "grid": {"optimizer.lr": [0.05, 0.1, 0.2], "seed": [0, 1]},
 *   "runs": [{"id": "r000", "params": {"optimizer.lr": 0.05, "seed": 0}, "dir": "runs/r000"}, ...],
 *   "metrics": ["train_loss", "test_acc"]                (optional: final metrics to plot)
 * }
 * </pre>
 * "dir" defaults to runs/&lt;id&gt;; "grid" defaults to the distinct values found in the runs' params. A grid key
 * named "seed" (or ending in ".seed") marks replicates: points are means over them with standard-error bars.
 * Without sweep.json the runs are discovered from runs/ and listed without parameters.
 *
 * <p>A run's final metrics are summary.json "final" values, else the last logged value of each metrics.jsonl
 * column (NaN or infinite when it diverged), plus the last sharpness, batch sharpness and AGOP alignment and
 * the number of spike events.
 */
public final class SweepReport {

    /** Final metrics plotted by default, in this order, when present. */
    static final List<String> PREFERRED = List.of("train_loss", "test_loss", "train_acc", "test_acc", "test_mse",
            "sharpness", "batch_sharpness", "agop_alignment", "spike_count");
    static final Set<String> NOT_METRICS = Set.of("step", "epoch", "lr", "threshold", "wall_seconds");
    static final int MAX_METRICS = 9;
    static final int MAX_GROUPS = 6;

    /** One run of the index. */
    public record RunEntry(String id, Map<String, Object> params, Path dir) {
    }

    private SweepReport() {
    }

    /** Writes every run's report, then {@code sweepDir/report.html} and {@code sweepDir/plots/}. */
    public static Path write(Path sweepDir) throws IOException {
        return report(sweepDir).write(sweepDir);
    }

    /** Writes every run's report and returns the sweep report (not yet written). */
    static HtmlReport report(Path sweepDir) throws IOException {
        if (!Files.isDirectory(sweepDir)) {
            throw new IllegalArgumentException("sweep directory does not exist or is not a directory: " + sweepDir);
        }
        List<RunData.Problem> problems = new ArrayList<>();
        Index idx = readIndex(sweepDir, problems);
        List<Row> rows = new ArrayList<>();
        for (RunEntry e : idx.runs) {
            rows.add(readRun(sweepDir, e, problems));
        }
        return build(sweepDir, idx, rows, problems);
    }

    // ------------------------------------------------------------------------------------------- index

    static final class Index {
        String name;
        final Map<String, List<Object>> grid = new LinkedHashMap<>();
        final List<RunEntry> runs = new ArrayList<>();
        final List<String> metrics = new ArrayList<>();
    }

    static Index readIndex(Path sweepDir, List<RunData.Problem> problems) throws IOException {
        Index idx = new Index();
        Path f = sweepDir.resolve("sweep.json");
        JsonNode root = null;
        if (Files.isRegularFile(f)) {
            try {
                root = RunData.JSON.readTree(new String(Files.readAllBytes(f), StandardCharsets.UTF_8));
                if (root == null || !root.isObject()) {
                    problems.add(new RunData.Problem("sweep.json", 1, "expected a JSON object"));
                    root = null;
                }
            } catch (JsonProcessingException e) {
                int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
                problems.add(new RunData.Problem("sweep.json", line, "malformed JSON: " + e.getOriginalMessage()));
            }
        }
        if (root == null) {
            if (!Files.isRegularFile(f)) {
                problems.add(new RunData.Problem("sweep.json", 0, "missing; runs discovered from runs/ without "
                        + "parameters"));
            }
            Path runs = sweepDir.resolve("runs");
            if (Files.isDirectory(runs)) {
                try (Stream<Path> s = Files.list(runs)) {
                    for (Path p : s.filter(Files::isDirectory).sorted().toList()) {
                        idx.runs.add(new RunEntry(p.getFileName().toString(), Map.of(), p));
                    }
                }
            }
            return idx;
        }
        idx.name = root.path("name").isTextual() ? root.get("name").asText() : null;
        JsonNode grid = root.path("grid");
        if (grid.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = grid.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                List<Object> vals = new ArrayList<>();
                if (e.getValue().isArray()) {
                    for (JsonNode v : e.getValue()) {
                        vals.add(RunData.plain(v));
                    }
                } else {
                    vals.add(RunData.plain(e.getValue()));
                }
                idx.grid.put(e.getKey(), vals);
            }
        } else if (!grid.isMissingNode()) {
            problems.add(new RunData.Problem("sweep.json", 1, "\"grid\" must be an object of parameter -> values"));
        }
        JsonNode runs = root.path("runs");
        if (!runs.isArray()) {
            problems.add(new RunData.Problem("sweep.json", 1, "\"runs\" must be an array"));
        } else {
            Set<String> ids = new LinkedHashSet<>();
            for (int i = 0; i < runs.size(); i++) {
                JsonNode r = runs.get(i);
                String id = r.path("id").isValueNode() ? r.get("id").asText() : null;
                if (id == null || id.isBlank()) {
                    problems.add(new RunData.Problem("sweep.json", 1, "runs[" + i + "] has no \"id\""));
                    continue;
                }
                if (!ids.add(id)) {
                    problems.add(new RunData.Problem("sweep.json", 1, "runs[" + i + "]: duplicate id '" + id + "'"));
                    continue;
                }
                Map<String, Object> params = new LinkedHashMap<>();
                Iterator<Map.Entry<String, JsonNode>> it = r.path("params").fields();
                while (it.hasNext()) {
                    Map.Entry<String, JsonNode> e = it.next();
                    params.put(e.getKey(), RunData.plain(e.getValue()));
                }
                String dir = r.path("dir").isTextual() ? r.get("dir").asText() : "runs/" + id;
                idx.runs.add(new RunEntry(id, params, sweepDir.resolve(dir).normalize()));
            }
        }
        for (JsonNode mm : root.path("metrics")) {
            if (mm.isTextual()) {
                idx.metrics.add(mm.asText());
            }
        }
        // grid keys found only in params, with their values in order of appearance
        for (RunEntry e : idx.runs) {
            for (Map.Entry<String, Object> p : e.params().entrySet()) {
                List<Object> vals = idx.grid.computeIfAbsent(p.getKey(), k -> new ArrayList<>());
                if (vals.stream().noneMatch(v -> key(v).equals(key(p.getValue())))) {
                    vals.add(p.getValue());
                }
            }
        }
        return idx;
    }

    /** Canonical text of a parameter value: 1 and 1.0 are the same value. */
    static String key(Object v) {
        if (v instanceof Number n) {
            return Double.toString(n.doubleValue());
        }
        return String.valueOf(v);
    }

    static String show(Object v) {
        if (v instanceof Double || v instanceof Float) {
            return Fmt.num(((Number) v).doubleValue(), 6);
        }
        return String.valueOf(v);
    }

    static boolean isReplicate(String param) {
        return param.equals("seed") || param.endsWith(".seed");
    }

    // ------------------------------------------------------------------------------------------- runs

    /** One run's outcome: status, steps and final metrics. */
    record Row(RunEntry entry, String status, Object steps, Map<String, Double> finals, int problems,
            boolean reported) {
    }

    static Row readRun(Path sweepDir, RunEntry e, List<RunData.Problem> problems) {
        if (!Files.isDirectory(e.dir())) {
            problems.add(new RunData.Problem(rel(sweepDir, e.dir()), 0, "run directory missing"));
            return new Row(e, "missing", null, Map.of(), 0, false);
        }
        try {
            RunData d = RunData.read(e.dir());
            boolean reported = true;
            try {
                if (!upToDate(e.dir())) {
                    RunReport.build(d).write(e.dir());
                }
            } catch (IOException | RuntimeException ex) {
                reported = false;
                problems.add(new RunData.Problem(rel(sweepDir, e.dir()), 0, "run report failed: " + ex));
            }
            Object steps = d.summary().has("steps") ? RunData.plain(d.summary().get("steps")) : null;
            return new Row(e, d.status(), steps, finals(d), d.problems().size(), reported);
        } catch (IOException ex) {
            problems.add(new RunData.Problem(rel(sweepDir, e.dir()), 0, "unreadable: " + ex.getMessage()));
            return new Row(e, "unreadable", null, Map.of(), 0, false);
        }
    }

    /**
     * True when the run's report.html is newer than every file it is made from (a finished run's report is
     * not rebuilt each time the sweep report is).
     */
    static boolean upToDate(Path runDir) throws IOException {
        Path report = runDir.resolve("report.html");
        if (!Files.isRegularFile(report)) {
            return false;
        }
        long made = Files.getLastModifiedTime(report).toMillis();
        List<Path> inputs = new ArrayList<>();
        for (String f : new String[] {"metrics.jsonl", "events.jsonl", "summary.json", "spec.yaml", "spec.yml",
            "spec.json"}) {
            inputs.add(runDir.resolve(f));
        }
        Path diag = runDir.resolve("diagnostics");
        if (Files.isDirectory(diag)) {
            try (Stream<Path> s = Files.list(diag)) {
                s.forEach(inputs::add);
            }
        }
        for (Path p : inputs) {
            if (Files.exists(p) && Files.getLastModifiedTime(p).toMillis() >= made) {
                return false;
            }
        }
        return true;
    }

    /** Final metrics of one run (see the class comment). */
    static Map<String, Double> finals(RunData d) {
        Map<String, Double> f = new LinkedHashMap<>();
        JsonNode fin = d.summary().path("final");
        Iterator<Map.Entry<String, JsonNode>> it = fin.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            Double v = RunData.number(e.getValue());
            if (v != null) {
                f.put(e.getKey(), v);
            }
        }
        Table m = d.metrics();
        for (String c : m.columns()) {
            if (!f.containsKey(c)) {
                m.last(c).ifPresent(v -> f.put(c, v));
            }
        }
        String[][] diag = {{"sharpness", "sharpness"}, {"batch_sharpness", "batch_sharpness"},
            {"agop", "agop_alignment"}};
        for (String[] dc : diag) {
            Table t = d.diagnostics().get(dc[0]);
            if (t != null && !f.containsKey(dc[1])) {
                t.last(dc[1]).ifPresent(v -> f.put(dc[1], v));
            }
        }
        boolean notDetected = d.summary().path("spike_count").isNull();            // null: the run did not look
        if (!f.containsKey("spike_count") && !notDetected && (!d.events().isEmpty() || Files.isRegularFile(d.dir().resolve(
                "events.jsonl")))) {
            f.put("spike_count", (double) d.events("spike").size());
        }
        return f;
    }

    private static String rel(Path base, Path p) {
        try {
            return base.toAbsolutePath().normalize().relativize(p.toAbsolutePath().normalize()).toString()
                    .replace('\\', '/');
        } catch (IllegalArgumentException e) {
            return p.toString();
        }
    }

    // ------------------------------------------------------------------------------------------- report

    static HtmlReport build(Path sweepDir, Index idx, List<Row> rows, List<RunData.Problem> problems) {
        String name = idx.name != null ? idx.name : String.valueOf(sweepDir.toAbsolutePath().normalize().getFileName());
        HtmlReport.Builder r = HtmlReport.builder("Sweep " + name).subtitle(sweepDir.toString());
        r.summary("runs", rows.size());
        Map<String, Integer> statuses = new TreeMap<>();
        for (Row row : rows) {
            statuses.merge(row.status(), 1, Integer::sum);
        }
        for (Map.Entry<String, Integer> e : statuses.entrySet()) {
            r.summary("status " + e.getKey(), e.getValue());
        }
        for (Map.Entry<String, List<Object>> g : idx.grid.entrySet()) {
            List<String> vs = g.getValue().stream().map(SweepReport::show).toList();
            r.summary("grid " + g.getKey(), String.join(", ", vs) + (isReplicate(g.getKey()) ? " (replicates)" : ""));
        }
        List<String> metrics = chooseMetrics(idx, rows);
        List<String> swept = new ArrayList<>();
        for (Map.Entry<String, List<Object>> g : idx.grid.entrySet()) {
            if (g.getValue().size() >= 2 && !isReplicate(g.getKey())) {
                swept.add(g.getKey());
            }
        }
        if (!problems.isEmpty()) {
            List<String> items = new ArrayList<>();
            for (RunData.Problem p : problems) {
                items.add(p.line() > 0 ? p.toString() : p.file() + ": " + p.message());
            }
            r.section("Problems").bullets(items);
        }
        if (!swept.isEmpty() && !metrics.isEmpty()) {
            r.section("Final metrics against the swept parameters");
            Set<String> names = new LinkedHashSet<>();
            for (String p : swept) {
                Figure f = paramFigure(idx, rows, p, swept, metrics);
                String n = f.name();
                for (int i = 2; !names.add(n); i++) {
                    n = f.name() + "_" + i;
                }
                r.figure(n.equals(f.name()) ? f : rename(f, n));
            }
        } else if (metrics.isEmpty()) {
            r.section("Final metrics against the swept parameters").text("No final metrics found in any run.");
        } else {
            r.section("Final metrics against the swept parameters").text("No parameter takes two or more values.");
        }
        // table of runs
        List<String> header = new ArrayList<>();
        header.add("run");
        header.addAll(idx.grid.keySet());
        header.add("status");
        header.add("steps");
        header.addAll(metrics);
        header.add("unreadable lines");
        List<List<Object>> table = new ArrayList<>();
        for (Row row : rows) {
            List<Object> cells = new ArrayList<>();
            String href = rel(sweepDir, row.entry().dir()) + "/report.html";
            cells.add(row.reported() ? new HtmlReport.Link(row.entry().id(), href) : row.entry().id());
            for (String k : idx.grid.keySet()) {
                Object v = row.entry().params().get(k);
                cells.add(v == null ? null : show(v));
            }
            cells.add(row.status());
            cells.add(row.steps());
            for (String mName : metrics) {
                cells.add(row.finals().get(mName));
            }
            cells.add(row.problems());
            table.add(cells);
        }
        r.section("Runs").text("Each run links to its own report.").table(header, table);
        return r.build();
    }

    private static Figure rename(Figure f, String name) {
        Figure g = Figure.grid(name, f.panels(), f.columns()).withSize(f.cellWidth(), f.plotHeight())
                .withSharedX(f.sharedX());
        return g.withTitle(f.title()).withCaption(f.caption());
    }

    static List<String> chooseMetrics(Index idx, List<Row> rows) {
        if (!idx.metrics.isEmpty()) {
            return List.copyOf(idx.metrics);
        }
        Map<String, Integer> count = new LinkedHashMap<>();
        for (Row row : rows) {
            for (String k : row.finals().keySet()) {
                count.merge(k, 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>();
        for (String p : PREFERRED) {
            if (count.containsKey(p)) {
                out.add(p);
            }
        }
        for (Map.Entry<String, Integer> e : count.entrySet()) {
            if (out.size() >= MAX_METRICS) {
                break;
            }
            if (!out.contains(e.getKey()) && !NOT_METRICS.contains(e.getKey()) && 2 * e.getValue() >= rows.size()) {
                out.add(e.getKey());
            }
        }
        return out.size() > MAX_METRICS ? out.subList(0, MAX_METRICS) : out;
    }

    /** Small multiples: each metric against parameter p, one line per combination of the other swept parameters. */
    static Figure paramFigure(Index idx, List<Row> rows, String p, List<String> swept, List<String> metrics) {
        List<Object> values = idx.grid.get(p);
        boolean numeric = values.stream().allMatch(v -> v instanceof Number);
        boolean logX = false;
        if (numeric) {
            double lo = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).min().orElse(0);
            double hi = values.stream().mapToDouble(v -> ((Number) v).doubleValue()).max().orElse(0);
            logX = lo > 0 && hi / lo >= 10;
        }
        List<String> cats = values.stream().map(SweepReport::show).toList();
        List<String> others = swept.stream().filter(s -> !s.equals(p)).toList();
        // group label per run
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row row : rows) {
            StringBuilder g = new StringBuilder();
            for (String o : others) {
                g.append(g.length() > 0 ? ", " : "").append(o).append('=').append(show(row.entry().params().get(o)));
            }
            groups.computeIfAbsent(g.toString(), k -> new ArrayList<>()).add(row);
        }
        boolean pooled = groups.size() > MAX_GROUPS;
        if (pooled) {
            groups = Map.of("all runs", rows);
        }
        int maxReplicates = 1;
        Set<String> diverged = new LinkedHashSet<>();
        List<Plot> panels = new ArrayList<>();
        for (String metric : metrics) {
            // the groups are the same in every panel: one legend, on the first panel
            Plot.Builder b = Plot.builder().title(metric).xLabel(p)
                    .legend(panels.isEmpty() ? Plot.Legend.AUTO : Plot.Legend.HIDE);
            if (logX) {
                b.xLog();
            }
            if (!numeric) {
                b.xCategories(cats);
            }
            boolean allPositive = true;
            int nonFinite = 0;
            for (Map.Entry<String, List<Row>> g : groups.entrySet()) {
                List<Double> xs = new ArrayList<>();
                List<Double> ys = new ArrayList<>();
                List<Double> es = new ArrayList<>();
                boolean anyErr = false;
                for (int vi = 0; vi < values.size(); vi++) {
                    String vk = key(values.get(vi));
                    List<Double> ms = new ArrayList<>();
                    for (Row row : g.getValue()) {
                        Object pv = row.entry().params().get(p);
                        if (pv == null || !key(pv).equals(vk)) {
                            continue;
                        }
                        Double v = row.finals().get(metric);
                        if (v == null) {
                            continue;
                        }
                        if (!Double.isFinite(v)) {
                            nonFinite++;
                            diverged.add(row.entry().id());
                            continue;
                        }
                        ms.add(v);
                    }
                    if (ms.isEmpty()) {
                        continue;
                    }
                    double[] a = RunReport.toArray(ms);
                    maxReplicates = Math.max(maxReplicates, a.length);
                    xs.add(numeric ? ((Number) values.get(vi)).doubleValue() : vi);
                    ys.add(Stats.mean(a));
                    double se = Stats.se(a);
                    es.add(se);
                    anyErr |= Double.isFinite(se);
                    allPositive &= Stats.mean(a) > 0;
                }
                if (xs.isEmpty()) {
                    continue;
                }
                String label = pooled || g.getKey().isEmpty() ? null : g.getKey();
                Series s = (pooled ? Series.markers(label, RunReport.toArray(xs), RunReport.toArray(ys))
                        : Series.lineMarkers(label, RunReport.toArray(xs), RunReport.toArray(ys)));
                if (anyErr) {
                    s = s.withErrors(RunReport.toArray(es));
                }
                b.add(s);
            }
            if (allPositive && (metric.contains("loss") || metric.contains("mse"))) {
                b.yLog();
            }
            if (nonFinite > 0) {
                b.note(nonFinite + " non-finite (diverged) value" + (nonFinite == 1 ? "" : "s") + " not shown");
            }
            panels.add(b.build());
        }
        StringBuilder cap = new StringBuilder("Final value of each metric against ").append(p);
        if (!others.isEmpty()) {
            cap.append(pooled ? "; all runs pooled (" + rows.size() + " runs, too many combinations of "
                    + String.join(", ", others) + " to draw one line each)"
                    : "; one line per combination of " + String.join(", ", others));
        }
        cap.append(". ");
        if (maxReplicates > 1) {
            cap.append("Points are means over up to ").append(maxReplicates)
                    .append(" replicates (seeds) with standard-error bars. ");
        }
        if (!diverged.isEmpty()) {
            cap.append(diverged.size()).append(" run").append(diverged.size() == 1 ? "" : "s")
                    .append(" with a non-finite final value (diverged) left out: ")
                    .append(String.join(", ", diverged.stream().limit(12).toList()))
                    .append(diverged.size() > 12 ? ", \u2026" : "").append('.');
        }
        String fname = "sweep_" + HtmlReport.slug(p).replace('-', '_');
        boolean hasLegend = !pooled && !others.isEmpty();
        Figure f = Figure.grid(fname, panels, Math.min(3, panels.size())).withTitle("Final metrics vs " + p)
                .withCaption(cap.toString().trim());
        return hasLegend ? f.withSize(340, 160) : f;
    }
}
