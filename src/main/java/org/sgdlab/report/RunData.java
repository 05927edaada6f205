package org.sgdlab.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.sgdlab.experiment.RecordFields;
import org.sgdlab.experiment.RunDirectory;

/**
 * Everything a run directory holds, read leniently: {@code metrics.jsonl}, {@code diagnostics/<name>.jsonl},
 * {@code events.jsonl}, {@code summary.json} and {@code spec.yaml}. Missing files give empty data; malformed
 * lines are skipped and reported as {@link Problem}s with file:line, never as exceptions. Reading a run that
 * is still being written is safe (an incomplete last line is reported, not fatal).
 */
public final class RunData {

    /** Something in the run directory that could not be read, located as file:line. */
    public record Problem(String file, int line, String message) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + message;
        }
    }

    /**
     * One record of events.jsonl, e.g. a loss spike (QUANTITIES.md Q12). Accepts the keys start|onset,
     * peak, end (null while open), peak_ratio|magnitude.
     *
     * @param type event type, e.g. "spike"
     * @param start first step of the event (onset)
     * @param peak step of the peak, or null
     * @param end step at which the event ended, or null when it never ended ("open")
     * @param peakRatio L_peak / max(pre, floor), NaN if absent
     * @param values every numeric field of the record
     */
    public record Event(String type, long start, Long peak, Long end, double peakRatio, Map<String, Double> values) {
        public Event {
            values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        }

        public boolean isOpen() {
            return end == null;
        }
    }

    static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Path dir;
    private final Table metrics;
    private final Map<String, Table> diagnostics;
    private final List<Event> events;
    private final JsonNode summary;
    private final List<Verdict> verdicts;
    private final String spec;
    private final String specFile;
    private final List<Problem> problems;

    private RunData(Path dir, Table metrics, Map<String, Table> diagnostics, List<Event> events, JsonNode summary,
            List<Verdict> verdicts, String spec, String specFile, List<Problem> problems) {
        this.dir = dir;
        this.metrics = metrics;
        this.diagnostics = diagnostics;
        this.events = events;
        this.summary = summary;
        this.verdicts = verdicts;
        this.spec = spec;
        this.specFile = specFile;
        this.problems = problems;
    }

    /**
     * Reads a run directory.
     *
     * @throws IllegalArgumentException if {@code dir} is not a directory
     * @throws IOException if a file exists but cannot be read at all
     */
    public static RunData read(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("run directory does not exist or is not a directory: " + dir);
        }
        List<Problem> problems = new ArrayList<>();
        Table metrics = readTable(dir, "metrics.jsonl", problems);
        Map<String, Table> diags = new TreeMap<>();
        Path dd = dir.resolve("diagnostics");
        if (Files.isDirectory(dd)) {
            List<Path> files;
            try (Stream<Path> s = Files.list(dd)) {
                files = s.filter(p -> p.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(p)).sorted()
                        .toList();
            }
            for (Path f : files) {
                String name = f.getFileName().toString();
                name = name.substring(0, name.length() - ".jsonl".length());
                diags.put(name, readTable(dir, "diagnostics/" + f.getFileName(), problems));
            }
        }
        List<Event> events = readEvents(dir, problems);
        JsonNode summary = JSON.createObjectNode();
        Path sf = dir.resolve("summary.json");
        if (Files.isRegularFile(sf)) {
            try {
                JsonNode n = JSON.readTree(Files.readString(sf, StandardCharsets.UTF_8));
                if (n != null && n.isObject()) {
                    summary = n;
                } else {
                    problems.add(new Problem("summary.json", 1, "expected a JSON object"));
                }
            } catch (JsonProcessingException e) {
                int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
                problems.add(new Problem("summary.json", line, "malformed JSON: " + e.getOriginalMessage()));
            } catch (java.nio.charset.MalformedInputException e) {
                problems.add(new Problem("summary.json", 1, "not UTF-8"));
            }
        }
        List<Verdict> verdicts = readVerdicts(summary.path("verdicts"), problems);
        String spec = null;
        String specFile = null;
        for (String name : new String[] {"spec.yaml", "spec.yml", "spec.json"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                spec = new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
                specFile = name;
                break;
            }
        }
        return new RunData(dir, metrics, Collections.unmodifiableMap(diags), List.copyOf(events), summary,
                List.copyOf(verdicts), spec, specFile, List.copyOf(problems));
    }

    public Path dir() {
        return dir;
    }

    /** metrics.jsonl (empty when absent). */
    public Table metrics() {
        return metrics;
    }

    /** diagnostics/&lt;name&gt;.jsonl by name, sorted. */
    public Map<String, Table> diagnostics() {
        return diagnostics;
    }

    public Optional<Table> diagnostic(String name) {
        return Optional.ofNullable(diagnostics.get(name));
    }

    public List<Event> events() {
        return events;
    }

    /** Events of one type, e.g. "spike". */
    public List<Event> events(String type) {
        return events.stream().filter(e -> type.equals(e.type())).toList();
    }

    /** summary.json (an empty object when absent or malformed). */
    public JsonNode summary() {
        return summary;
    }

    /**
     * summary.json "status", or "unknown"; "interrupted" for a run recorded as running that no process holds
     * ({@link RunDirectory#shownStatus}).
     */
    public String status() {
        JsonNode s = summary.get("status");
        return s != null && s.isTextual() ? RunDirectory.shownStatus(dir, s.asText()) : "unknown";
    }

    /**
     * summary.json "verdicts"; malformed entries are problems. Each entry: {@code {"id": "A2", "claim": "...",
     * "kind": "gate" | "provisional" | "report", "pass": true | false | null, "measured": {"median_ratio": 1.01},
     * "criterion": "..."}}; STUDIES.md's {@code "gate": true, "provisional": true} is accepted in place of "kind".
     */
    public List<Verdict> verdicts() {
        return verdicts;
    }

    /** spec.yaml verbatim (or spec.yml / spec.json), if present. */
    public Optional<String> spec() {
        return Optional.ofNullable(spec);
    }

    public Optional<String> specFile() {
        return Optional.ofNullable(specFile);
    }

    /** Everything that could not be read, as file:line: message. */
    public List<Problem> problems() {
        return problems;
    }

    /** The last step seen in metrics or any diagnostic (or -1). */
    public long lastStep() {
        long m = -1;
        for (long s : metrics.steps()) {
            m = Math.max(m, s);
        }
        for (Table t : diagnostics.values()) {
            for (long s : t.steps()) {
                m = Math.max(m, s);
            }
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------- parsing

    /** Calls {@code sink} for every non-blank line that parses as a JSON object; reports the rest. */
    private static void forEachObject(Path dir, String rel, List<Problem> problems, ObjectSink sink)
            throws IOException {
        Path f = dir.resolve(rel);
        if (!Files.isRegularFile(f)) {
            return;
        }
        boolean endsWithNewline = endsWithNewline(f);
        List<String> lines = new ArrayList<>();
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Files.newInputStream(f), decoder))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int no = i + 1;
            if (line.isEmpty()) {
                continue;
            }
            boolean lastIncomplete = i == lines.size() - 1 && !endsWithNewline;
            JsonNode n;
            try {
                n = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                problems.add(new Problem(rel, no, (lastIncomplete ? "incomplete last line (run still writing or "
                        + "interrupted): " : "malformed JSON: ") + shorten(e.getOriginalMessage())));
                continue;
            }
            if (n == null || !n.isObject()) {
                problems.add(new Problem(rel, no, "expected a JSON object, got " + (n == null ? "nothing"
                        : n.getNodeType().toString().toLowerCase(Locale.ROOT))));
                continue;
            }
            String err = sink.accept((ObjectNode) n, no);
            if (err != null) {
                problems.add(new Problem(rel, no, err));
            }
        }
    }

    private interface ObjectSink {
        /** Returns an error message, or null when the object was used. */
        String accept(ObjectNode o, int line);
    }

    private static boolean endsWithNewline(Path f) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
            long len = raf.length();
            if (len == 0) {
                return true;
            }
            raf.seek(len - 1);
            return raf.read() == '\n';
        }
    }

    static Table readTable(Path dir, String rel, List<Problem> problems) throws IOException {
        Table.Builder b = new Table.Builder(rel);
        long[] prev = {Long.MIN_VALUE};
        boolean[] warnedOrder = {false};
        List<String> conflicts = new ArrayList<>();
        forEachObject(dir, rel, problems, (o, line) -> {
            JsonNode s = o.get("step");
            Double sv = s == null ? null : number(s);
            if (sv == null || !Double.isFinite(sv) || sv != Math.rint(sv)) {
                return s == null || s.isNull() ? "no \"step\" field" : "\"step\" must be an integer, got " + s;
            }
            long step = (long) (double) sv;
            if (step < prev[0] && !warnedOrder[0]) {
                warnedOrder[0] = true;
                problems.add(new Problem(rel, line, "step " + step + " after step " + prev[0]
                        + " (steps not increasing; resumed run?); rows kept in file order"));
            }
            prev[0] = step;
            int row = b.row(step);
            flatten("", o, row, b, rel, line, conflicts, problems, 0);
            return null;
        });
        return b.build();
    }

    private static void flatten(String prefix, ObjectNode o, int row, Table.Builder b, String rel, int line,
            List<String> conflicts, List<Problem> problems, int depth) {
        Iterator<Map.Entry<String, JsonNode>> it = o.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode v = e.getValue();
            if (key.equals("step") || v == null || v.isNull()) {
                continue;
            }
            if (v.isObject()) {
                if (depth < 4) {
                    flatten(key + ".", (ObjectNode) v, row, b, rel, line, conflicts, problems, depth + 1);
                }
                continue;
            }
            if (v.isArray()) {
                double[] a = new double[v.size()];
                boolean numeric = true;
                for (int i = 0; i < a.length; i++) {
                    JsonNode el = v.get(i);
                    Double d = el.isNull() ? Double.valueOf(Double.NaN) : number(el);
                    if (d == null) {
                        numeric = false;
                        break;
                    }
                    a[i] = d;
                }
                if (!numeric) {
                    // e.g. a list of per-layer records: scalar columns layers.0.FIELD, ... (RecordFields)
                    Map<String, Object> cells = new LinkedHashMap<>();
                    RecordFields.flatten(key, v, cells);
                    cells.forEach((k, c) -> put(k, c instanceof Boolean f ? (f ? 1 : 0) : ((Number) c).doubleValue(),
                            c instanceof Boolean, row, b, rel, line, conflicts, problems));
                    continue;
                }
                if (b.isScalar(key)) {
                    conflict(key, rel, line, conflicts, problems);
                    continue;
                }
                b.putArray(row, key, a);
                continue;
            }
            boolean flag = v.isBoolean();
            Double d = flag ? Double.valueOf(v.asBoolean() ? 1 : 0) : number(v);
            if (d == null) {
                continue; // text fields are not plotted
            }
            put(key, d, flag, row, b, rel, line, conflicts, problems);
        }
    }

    private static void put(String key, double d, boolean flag, int row, Table.Builder b, String rel, int line,
            List<String> conflicts, List<Problem> problems) {
        if (b.isArray(key)) {
            conflict(key, rel, line, conflicts, problems);
        } else {
            b.put(row, key, d, flag);
        }
    }

    private static void conflict(String key, String rel, int line, List<String> conflicts, List<Problem> problems) {
        if (!conflicts.contains(key)) {
            conflicts.add(key);
            problems.add(new Problem(rel, line, "field \"" + key + "\" is a number in some rows and an array in "
                    + "others; the later kind is ignored"));
        }
    }

    /** A JSON number, or a string spelling a non-finite number ({@link RecordFields#number}); else null. */
    static Double number(JsonNode n) {
        return RecordFields.number(n);
    }

    private static List<Event> readEvents(Path dir, List<Problem> problems) throws IOException {
        List<Event> out = new ArrayList<>();
        forEachObject(dir, "events.jsonl", problems, (o, line) -> {
            String type = o.path("type").isTextual() ? o.get("type").asText() : "event";
            Long start = integer(o, "start", "onset", "step");
            if (start == null) {
                return "event without an integer \"start\" (or \"onset\")";
            }
            Long peak = integer(o, "peak");
            Long end = integer(o, "end");
            Double ratio = null;
            for (String k : new String[] {"peak_ratio", "magnitude"}) {
                JsonNode r = o.get(k);
                if (r != null && number(r) != null) {
                    ratio = number(r);
                    break;
                }
            }
            Map<String, Double> values = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = o.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                Double d = number(e.getValue());
                if (d != null) {
                    values.put(e.getKey(), d);
                }
            }
            out.add(new Event(type, start, peak, end, ratio == null ? Double.NaN : ratio, values));
            return null;
        });
        return out;
    }

    private static Long integer(JsonNode o, String... keys) {
        for (String k : keys) {
            JsonNode v = o.get(k);
            if (v != null && v.isNumber() && v.asDouble() == Math.rint(v.asDouble())) {
                return v.asLong();
            }
        }
        return null;
    }

    private static List<Verdict> readVerdicts(JsonNode arr, List<Problem> problems) {
        List<Verdict> out = new ArrayList<>();
        if (arr == null || arr.isMissingNode() || arr.isNull()) {
            return out;
        }
        if (!arr.isArray()) {
            problems.add(new Problem("summary.json", 1, "\"verdicts\" must be an array"));
            return out;
        }
        for (int i = 0; i < arr.size(); i++) {
            JsonNode v = arr.get(i);
            try {
                out.add(verdict(v));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem("summary.json", 1, "verdicts[" + i + "]: " + e.getMessage()));
            }
        }
        return out;
    }

    /**
     * A verdict from JSON: {"id", "claim", "kind": "gate"|"provisional"|"report" (or "gate": bool with
     * "provisional": bool, as in STUDIES.md 0.1), "pass": bool|null, "measured": {...}, "criterion"}.
     */
    static Verdict verdict(JsonNode v) {
        if (v == null || !v.isObject()) {
            throw new IllegalArgumentException("expected an object, got " + v);
        }
        String id = v.path("id").asText(null);
        Verdict.Kind kind;
        if (v.path("kind").isTextual()) {
            kind = Verdict.Kind.parse(v.get("kind").asText());
        } else if (v.has("gate")) {
            kind = !v.get("gate").asBoolean() ? Verdict.Kind.REPORT
                    : v.path("provisional").asBoolean(false) ? Verdict.Kind.PROVISIONAL : Verdict.Kind.GATE;
        } else {
            kind = Verdict.Kind.REPORT;
        }
        JsonNode p = v.has("pass") ? v.get("pass") : v.get("passed");
        Verdict.Outcome outcome;
        if (p == null || p.isNull()) {
            String o = v.path("outcome").asText("").toUpperCase(Locale.ROOT);
            outcome = o.equals("PASS") ? Verdict.Outcome.PASS : o.equals("FAIL") ? Verdict.Outcome.FAIL
                    : Verdict.Outcome.NOT_EVALUATED;
        } else {
            outcome = p.asBoolean() ? Verdict.Outcome.PASS : Verdict.Outcome.FAIL;
        }
        Map<String, Object> measured = new LinkedHashMap<>();
        JsonNode m = v.get("measured");
        if (m != null && m.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = m.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                measured.put(e.getKey(), plain(e.getValue()));
            }
        } else if (m != null && !m.isNull()) {
            measured.put("value", plain(m));
        }
        return new Verdict(id, v.path("claim").asText(null), kind, outcome, measured, v.path("criterion").asText(null));
    }

    /** JSON to plain Java values for display: numbers as Double/Long, arrays as lists. */
    static Object plain(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        Double d = number(n);
        if (d != null) {
            return d;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonNode e : n) {
                l.add(plain(e));
            }
            return l;
        }
        if (n.isTextual() || n.isBoolean()) {
            return n.asText();
        }
        return n.toString();
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String t = s.replaceAll("\\s+", " ").replaceAll(" ?\\(start marker at .*$", "")
                .replaceAll(" ?at \\[Source: .*$", "").replaceAll("\\[Source: [^\\]]*\\]", "");
        return t.length() > 160 ? t.substring(0, 160) + "\u2026" : t;
    }
}
