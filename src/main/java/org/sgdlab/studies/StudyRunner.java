package org.sgdlab.studies;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.experiment.Json;
import org.sgdlab.report.Figure;
import org.sgdlab.report.HtmlReport;
import org.sgdlab.report.Verdict;

/**
 * Runs a study and writes its record: {@code summary.json} ({@code {"study", "variant", "verdicts":
 * [{"id", "claim", "gate", "pass", "measured", "criterion"}], "runs": [...]}}) and {@code report.html}
 * with {@code plots/}; prints the verdict table.
 */
public final class StudyRunner {

    private StudyRunner() {
    }

    /** The outcome of one study run. */
    public record Outcome(Study study, StudyResult result, double seconds, Path report) {
        public boolean passed() {
            return result.passed();
        }
    }

    public static Outcome run(Study study, StudyContext ctx, PrintStream out) throws IOException {
        ctx.ensureOut();
        ctx.log("study " + study.name() + " (" + (ctx.quick() ? "quick" : "full") + ", seed " + ctx.seed() + ") -> "
                + ctx.out());
        long t0 = System.nanoTime();
        StudyResult r = study.run(ctx);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> summary = summary(study, ctx, r, seconds);
        Json.writeAtomically(ctx.out().resolve("summary.json"), Json.pretty(summary));
        Path html = report(study, ctx, r, seconds).write(ctx.out());
        printTable(study, r, seconds, out);
        out.println("report: " + html);
        return new Outcome(study, r, seconds, html);
    }

    static Map<String, Object> summary(Study study, StudyContext ctx, StudyResult r, double seconds) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("study", study.name());
        s.put("variant", ctx.quick() ? "quick" : "full");
        s.put("paper", study.paper());
        s.put("claim", study.claim());
        s.put("seed", ctx.seed());
        if (study.usesData()) {
            s.put("data", ctx.data());
        }
        s.put("passed", r.passed());
        s.put("wall_seconds", Math.round(seconds * 10) / 10.0);
        List<Map<String, Object>> vs = new ArrayList<>();
        for (Verdict v : r.verdicts()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", v.id());
            m.put("claim", v.claim());
            m.put("gate", v.kind().isGate());
            if (v.kind() == Verdict.Kind.PROVISIONAL) {
                m.put("provisional", true);
            }
            m.put("pass", v.outcome() == Verdict.Outcome.NOT_EVALUATED ? null : v.outcome() == Verdict.Outcome.PASS);
            m.put("measured", v.measured());
            m.put("criterion", v.criterion());
            vs.add(m);
        }
        s.put("verdicts", vs);
        s.put("runs", r.runs());
        if (!r.extra().isEmpty()) {
            s.put("extra", r.extra());
        }
        return s;
    }

    static HtmlReport report(Study study, StudyContext ctx, StudyResult r, double seconds) {
        long gates = r.verdicts().stream().filter(v -> v.kind().isGate()).count();
        long passed = r.verdicts().stream().filter(v -> v.kind().isGate() && v.outcome() == Verdict.Outcome.PASS).count();
        HtmlReport.Builder b = HtmlReport.builder("sgdlab study: " + study.name())
                .subtitle(study.paper())
                .summary("claim", study.claim())
                .summary("variant", ctx.quick() ? "quick" : "full")
                .summary("base seed", ctx.seed())
                .summary("verdict", (r.passed() ? "PASS" : "FAIL") + " (" + passed + " of " + gates + " gates)")
                .summary("wall time", String.format(Locale.ROOT, "%.1f s", seconds));
        b.section("Verdicts").verdicts(r.verdicts());
        for (StudyResult.Section sec : r.sections()) {
            b.section(sec.heading());
            for (Object item : sec.items()) {
                if (item instanceof String t) {
                    b.text(t);
                } else if (item instanceof Figure f) {
                    b.figure(f);
                } else if (item instanceof StudyResult.Table t) {
                    b.table(t.header(), t.rows());
                }
            }
        }
        if (!r.runs().isEmpty()) {
            List<String> header = new ArrayList<>(r.runs().get(0).keySet());
            List<List<Object>> rows = new ArrayList<>();
            for (Map<String, Object> run : r.runs()) {
                List<Object> row = new ArrayList<>();
                for (String h : header) {
                    row.add(run.get(h));
                }
                rows.add(row);
            }
            b.section("Runs").table(header, rows);
        }
        return b.build();
    }

    static void printTable(Study study, StudyResult r, double seconds, PrintStream out) {
        out.printf(Locale.ROOT, "%n%s: %s (%.1f s)%n", study.name(), r.passed() ? "PASS" : "FAIL", seconds);
        boolean cut = false;
        for (Verdict v : r.verdicts()) {
            String kind = v.kind() == Verdict.Kind.GATE ? "gate" : v.kind() == Verdict.Kind.PROVISIONAL ? "provisional"
                    : "report";
            String outcome = v.outcome() == Verdict.Outcome.PASS ? "PASS" : v.outcome() == Verdict.Outcome.FAIL ? "FAIL" : "  - ";
            String m = measured(v);
            cut |= m.length() > MEASURED_WIDTH;
            out.printf(Locale.ROOT, "  %-4s %-11s %-24s %s%n", outcome, kind, v.id(), shorten(m, MEASURED_WIDTH));
        }
        if (cut) {
            out.println("  (measured values cut at " + MEASURED_WIDTH + " characters end in ...; summary.json and the report"
                    + " have them all)");
        }
    }

    private static final int MEASURED_WIDTH = 90;

    private static String measured(Verdict v) {
        StringBuilder sb = new StringBuilder();
        v.measured().forEach((k, val) -> {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(k).append('=').append(value(val));
        });
        return sb.toString();
    }

    /** A measured value for the console: doubles to 4 significant digits, also inside lists and maps. */
    static String value(Object val) {
        if (val instanceof Double d) {
            return String.format(Locale.ROOT, "%.4g", d);
        }
        if (val instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            m.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(value(v)));
            return sb.append('}').toString();
        }
        if (val instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object v : l) {
                sb.append(sb.length() > 1 ? ", " : "").append(value(v));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(val);
    }

    private static String shorten(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }
}
