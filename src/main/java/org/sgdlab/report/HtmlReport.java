package org.sgdlab.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A self-contained HTML5 report: title, summary table, sections of text, figures (inline SVG with captions
 * and anchors, so the file opens offline), tables, verdict tables and links. All text is escaped. Build with
 * {@link #builder(String)}; {@link #write(Path)} writes {@code report.html} and every figure as
 * {@code plots/<name>.svg} and {@code plots/<name>.png}, each by temp file + atomic rename.
 */
public final class HtmlReport {

    /** A hyperlink cell or block; {@code href} is relative, http(s) or mailto. */
    public record Link(String text, String href) {
        public Link {
            Objects.requireNonNull(text, "link text");
            checkHref(href);
        }
    }

    private sealed interface Block permits Para, Fig, Tab, Verdicts, Pre, Links, Bullets {
    }

    private record Para(String text) implements Block {
    }

    private record Fig(Figure figure, int number) implements Block {
    }

    private record Tab(List<String> header, List<List<Object>> rows, String cls) implements Block {
    }

    private record Verdicts(List<Verdict> verdicts) implements Block {
    }

    private record Pre(String text) implements Block {
    }

    private record Links(List<Link> links) implements Block {
    }

    private record Bullets(List<String> items) implements Block {
    }

    private record Section(String heading, String anchor, List<Block> blocks) {
    }

    private final String title;
    private final String subtitle;
    private final Map<String, Object> summary;
    private final List<Section> sections;
    private final List<Figure> figures;

    private HtmlReport(Builder b) {
        this.title = b.title;
        this.subtitle = b.subtitle;
        this.summary = new LinkedHashMap<>(b.summary);
        List<Section> ss = new ArrayList<>();
        for (Section s : b.sections) {
            ss.add(new Section(s.heading(), s.anchor(), List.copyOf(s.blocks())));
        }
        this.sections = List.copyOf(ss);
        this.figures = List.copyOf(b.figures);
    }

    public static Builder builder(String title) {
        return new Builder(title);
    }

    public String title() {
        return title;
    }

    /** The figures in order of appearance. */
    public List<Figure> figures() {
        return figures;
    }

    /** Section headings in order. */
    public List<String> sectionHeadings() {
        List<String> out = new ArrayList<>();
        for (Section s : sections) {
            out.add(s.heading());
        }
        return out;
    }

    /**
     * Writes {@code dir/report.html} and {@code dir/plots/<figure>.svg|png}; returns the report path. Figures
     * are written first, so a complete report.html never points at missing plot files.
     */
    public Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path plots = dir.resolve("plots");
        for (Figure f : figures) {
            f.write(plots);
        }
        Path out = dir.resolve("report.html");
        AtomicFiles.write(out, html());
        return out;
    }

    /** The complete HTML document. */
    public String html() {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<meta name=\"generator\" content=\"sgdlab\">\n<title>").append(esc(title))
                .append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n<header>\n<h1>")
                .append(esc(title)).append("</h1>\n");
        if (subtitle != null) {
            h.append("<p class=\"subtitle\">").append(escLines(subtitle)).append("</p>\n");
        }
        h.append("</header>\n");
        if (sections.size() > 1 || (!summary.isEmpty() && !sections.isEmpty())) {
            h.append("<nav>\n<ul>\n");
            if (!summary.isEmpty()) {
                h.append("<li><a href=\"#summary\">Summary</a></li>\n");
            }
            for (Section s : sections) {
                h.append("<li><a href=\"#").append(s.anchor()).append("\">").append(esc(s.heading()))
                        .append("</a></li>\n");
            }
            h.append("</ul>\n</nav>\n");
        }
        h.append("<main>\n");
        if (!summary.isEmpty()) {
            h.append("<section id=\"summary\">\n<h2>Summary</h2>\n<table class=\"kv\">\n<tbody>\n");
            for (Map.Entry<String, Object> e : summary.entrySet()) {
                h.append("<tr><th scope=\"row\">").append(esc(e.getKey())).append("</th><td>").append(cell(e.getValue()))
                        .append("</td></tr>\n");
            }
            h.append("</tbody>\n</table>\n</section>\n");
        }
        for (Section s : sections) {
            h.append("<section id=\"").append(s.anchor()).append("\">\n");
            if (s.heading() != null) {
                h.append("<h2>").append(esc(s.heading())).append("</h2>\n");
            }
            for (Block b : s.blocks()) {
                block(h, b);
            }
            h.append("</section>\n");
        }
        boolean figures = sections.stream().anyMatch(s -> s.blocks().stream().anyMatch(b -> b instanceof Fig));
        h.append("</main>\n<footer>Generated by sgdlab.").append(figures ? " Figures are inline SVG; the same figures"
                + " are in plots/ as SVG and PNG." : "").append("</footer>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void block(StringBuilder h, Block b) {
        if (b instanceof Para p) {
            h.append("<p>").append(escLines(p.text())).append("</p>\n");
        } else if (b instanceof Fig f) {
            Figure fig = f.figure();
            String id = "fig-" + fig.name();
            h.append("<figure id=\"").append(id).append("\">\n").append(fig.toSvg(false)).append("<figcaption><a href=\"#")
                    .append(id).append("\" class=\"figno\">Figure ").append(f.number()).append("</a>");
            if (fig.title() != null) {
                h.append(" <strong>").append(esc(fig.title())).append("</strong>");
            }
            if (fig.caption() != null) {
                h.append(' ').append(escLines(fig.caption()));
            }
            h.append(" <span class=\"files\">(<a href=\"plots/").append(fig.name()).append(".svg\">svg</a>, <a href=\"plots/")
                    .append(fig.name()).append(".png\">png</a>)</span></figcaption>\n</figure>\n");
        } else if (b instanceof Tab t) {
            h.append("<div class=\"scroll\"><table");
            if (t.cls() != null) {
                h.append(" class=\"").append(t.cls()).append('"');
            }
            h.append(">\n");
            if (t.header() != null && !t.header().isEmpty()) {
                h.append("<thead><tr>");
                for (String c : t.header()) {
                    h.append("<th scope=\"col\">").append(esc(c)).append("</th>");
                }
                h.append("</tr></thead>\n");
            }
            h.append("<tbody>\n");
            for (List<Object> row : t.rows()) {
                h.append("<tr>");
                for (Object c : row) {
                    h.append("<td>").append(cell(c)).append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</tbody>\n</table></div>\n");
        } else if (b instanceof Verdicts v) {
            verdicts(h, v.verdicts());
        } else if (b instanceof Pre p) {
            h.append("<pre>").append(esc(p.text())).append("</pre>\n");
        } else if (b instanceof Links l) {
            h.append("<ul class=\"links\">\n");
            for (Link k : l.links()) {
                h.append("<li>").append(cell(k)).append("</li>\n");
            }
            h.append("</ul>\n");
        } else if (b instanceof Bullets l) {
            h.append("<ul>\n");
            for (String s : l.items()) {
                h.append("<li>").append(escLines(s)).append("</li>\n");
            }
            h.append("</ul>\n");
        } else {
            throw new IllegalStateException("unknown block " + b);
        }
    }

    private static void verdicts(StringBuilder h, List<Verdict> vs) {
        boolean pass = Verdict.studyPasses(vs);
        long gates = vs.stream().filter(v -> v.kind().isGate()).count();
        List<String> failed = Verdict.failedGates(vs);
        h.append("<p class=\"verdict-summary ").append(pass ? "pass" : "fail").append("\"><strong>")
                .append(pass ? "PASS" : "FAIL").append("</strong>: ");
        if (gates == 0) {
            h.append("no gates; ").append(vs.size()).append(" report-only claim").append(vs.size() == 1 ? "" : "s");
        } else if (pass) {
            h.append("all ").append(gates).append(" gate").append(gates == 1 ? "" : "s").append(" pass");
        } else {
            h.append(failed.size()).append(" of ").append(gates).append(" gate").append(gates == 1 ? "" : "s")
                    .append(" did not pass: ").append(esc(String.join(", ", failed)));
        }
        h.append("</p>\n<div class=\"scroll\"><table class=\"verdicts\">\n<thead><tr><th scope=\"col\">id</th>"
                + "<th scope=\"col\">claim</th><th scope=\"col\">kind</th><th scope=\"col\">result</th>"
                + "<th scope=\"col\">measured</th><th scope=\"col\">criterion</th></tr></thead>\n<tbody>\n");
        Set<String> rowIds = new HashSet<>();
        for (Verdict v : vs) {
            String rowId = "verdict-" + slug(v.id());
            for (int i = 2; !rowIds.add(rowId); i++) {
                rowId = "verdict-" + slug(v.id()) + "-" + i;
            }
            String cls = switch (v.outcome()) {
                case PASS -> "pass";
                case FAIL -> v.kind().isGate() ? "fail" : "fail-report";
                case NOT_EVALUATED -> "na";
            };
            String result = switch (v.outcome()) {
                case PASS -> "PASS";
                case FAIL -> "FAIL";
                case NOT_EVALUATED -> "not evaluated";
            };
            h.append("<tr class=\"").append(cls).append("\" id=\"").append(rowId).append("\"><td>")
                    .append(esc(v.id())).append("</td><td>").append(escLines(nz(v.claim()))).append("</td><td>")
                    .append(esc(v.kind().label())).append("</td><td class=\"result\">").append(result).append("</td><td>");
            boolean first = true;
            for (Map.Entry<String, Object> e : v.measured().entrySet()) {
                if (!first) {
                    h.append("<br>");
                }
                first = false;
                h.append(esc(e.getKey())).append(" = ").append(cell(e.getValue()));
            }
            h.append("</td><td>").append(escLines(nz(v.criterion()))).append("</td></tr>\n");
        }
        h.append("</tbody>\n</table></div>\n");
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** One table cell: numbers with limited precision, links as anchors, lists and (nested) maps element by element. */
    static String cell(Object o) {
        if (o == null) {
            return "\u2014";
        }
        if (o instanceof Link l) {
            return "<a href=\"" + esc(l.href()) + "\">" + esc(l.text()) + "</a>";
        }
        if (o instanceof Double || o instanceof Float) {
            return esc(Fmt.num(((Number) o).doubleValue()));
        }
        if (o instanceof Number n) {
            return esc(n.toString());
        }
        if (o instanceof double[] a) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < a.length; i++) {
                sb.append(i > 0 ? ", " : "").append(Fmt.num(a[i]));
            }
            return esc(sb.append(']').toString());
        }
        if (o instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(cell(l.get(i)));
            }
            return sb.append(']').toString();
        }
        if (o instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "" : ", ").append(esc(String.valueOf(e.getKey()))).append('=').append(cell(e.getValue()));
                first = false;
            }
            return sb.append('}').toString();
        }
        return escLines(o.toString());
    }

    /** HTML text escaping (also safe inside double- or single-quoted attributes). */
    static String esc(String s) {
        return SvgCanvas.esc(s == null ? "" : s);
    }

    private static String escLines(String s) {
        return esc(s).replace("\n", "<br>\n");
    }

    static String slug(String s) {
        String t = s == null ? "" : s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        return t.isEmpty() ? "x" : t;
    }

    static void checkHref(String href) {
        if (href == null || href.isBlank()) {
            throw new IllegalArgumentException("link: href must be non-empty, got '" + href + "'");
        }
        String h = href.trim();
        int colon = h.indexOf(':');
        int cut = h.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = h.indexOf(c);
            if (i >= 0) {
                cut = Math.min(cut, i);
            }
        }
        if (colon >= 0 && colon < cut) {
            String scheme = h.substring(0, colon).toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("mailto")) {
                throw new IllegalArgumentException("link: scheme '" + scheme + "' not allowed in '" + href
                        + "'; allowed: relative paths, http, https, mailto");
            }
        }
    }

    /** Fluent builder; blocks go into the current section (the first {@link #section} call opens one). */
    public static final class Builder {
        private final String title;
        private String subtitle;
        private final Map<String, Object> summary = new LinkedHashMap<>();
        private final List<Section> sections = new ArrayList<>();
        private final List<Figure> figures = new ArrayList<>();
        private final Set<String> anchors = new HashSet<>(Set.of("summary"));
        private final Set<String> figureNames = new HashSet<>();

        private Builder(String title) {
            if (title == null || title.isBlank()) {
                throw new IllegalArgumentException("report title must be non-empty, got '" + title + "'");
            }
            this.title = title;
        }

        /** A line under the title (e.g. the run directory and status). */
        public Builder subtitle(String s) {
            this.subtitle = s;
            return this;
        }

        /** A row of the summary table at the top. */
        public Builder summary(String key, Object value) {
            summary.put(Objects.requireNonNull(key, "summary key"), value);
            return this;
        }

        public Builder summary(Map<String, ?> rows) {
            summary.putAll(rows);
            return this;
        }

        /** Starts a new section with an anchor derived from the heading. */
        public Builder section(String heading) {
            String base = "sec-" + slug(heading);
            String a = base;
            for (int i = 2; anchors.contains(a); i++) {
                a = base + "-" + i;
            }
            anchors.add(a);
            sections.add(new Section(heading, a, new ArrayList<>()));
            return this;
        }

        private List<Block> current() {
            if (sections.isEmpty()) {
                String a = "sec-main";
                anchors.add(a);
                sections.add(new Section(null, a, new ArrayList<>()));
            }
            return sections.get(sections.size() - 1).blocks();
        }

        /** A paragraph (newlines become line breaks). */
        public Builder text(String paragraph) {
            if (paragraph != null && !paragraph.isBlank()) {
                current().add(new Para(paragraph));
            }
            return this;
        }

        /** A figure, inline as SVG with its caption; names must be unique within the report. */
        public Builder figure(Figure f) {
            Objects.requireNonNull(f, "figure");
            if (!figureNames.add(f.name())) {
                throw new IllegalArgumentException("report: duplicate figure name '" + f.name() + "'");
            }
            figures.add(f);
            current().add(new Fig(f, figures.size()));
            return this;
        }

        /** A table; cells may be strings, numbers, {@link Link}s, lists or null. */
        public Builder table(List<String> header, List<? extends List<?>> rows) {
            List<List<Object>> rs = new ArrayList<>();
            for (List<?> r : rows) {
                if (header != null && !header.isEmpty() && r.size() != header.size()) {
                    throw new IllegalArgumentException("table: row has " + r.size() + " cells but the header has "
                            + header.size() + ": " + r);
                }
                rs.add(new ArrayList<>(r));
            }
            current().add(new Tab(header == null ? List.of() : List.copyOf(header), rs, null));
            return this;
        }

        /** A two-column key/value table. */
        public Builder keyValues(Map<String, ?> kv) {
            List<List<Object>> rs = new ArrayList<>();
            for (Map.Entry<String, ?> e : kv.entrySet()) {
                List<Object> r = new ArrayList<>();
                r.add(e.getKey());
                r.add(e.getValue());
                rs.add(r);
            }
            current().add(new Tab(List.of(), rs, "kv"));
            return this;
        }

        /** A verdict table with PASS/FAIL colours and the overall study result above it. */
        public Builder verdicts(List<Verdict> vs) {
            current().add(new Verdicts(List.copyOf(vs)));
            return this;
        }

        public Builder link(String text, String href) {
            current().add(new Links(List.of(new Link(text, href))));
            return this;
        }

        public Builder links(List<Link> ls) {
            current().add(new Links(List.copyOf(ls)));
            return this;
        }

        public Builder bullets(List<String> items) {
            current().add(new Bullets(List.copyOf(items)));
            return this;
        }

        /** Preformatted text shown verbatim (e.g. spec.yaml). */
        public Builder pre(String text) {
            current().add(new Pre(text == null ? "" : text));
            return this;
        }

        public HtmlReport build() {
            return new HtmlReport(this);
        }
    }

    private static final String CSS = String.join("\n",
            ":root { color-scheme: light; }",
            "body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1100px;"
                    + " padding: 0 1.2em 2em; color: #222; line-height: 1.45; }",
            "header h1 { margin: 0.8em 0 0.1em; font-size: 1.6em; }",
            ".subtitle { color: #555; margin-top: 0; }",
            "nav ul { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3em 1.2em;"
                    + " border-bottom: 1px solid #ddd; padding-bottom: 0.5em; }",
            "h2 { border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }",
            "figure { margin: 1em 0; }",
            "figure svg { max-width: 100%; height: auto; display: block; }",
            "figcaption { font-size: 0.95em; color: #333; max-width: 60em; }",
            "figcaption .figno { font-weight: bold; color: #222; text-decoration: none; }",
            "figcaption .files { color: #777; font-size: 0.9em; }",
            ".scroll { overflow-x: auto; }",
            "table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }",
            "th, td { border: 1px solid #ccc; padding: 0.25em 0.55em; text-align: left; vertical-align: top; }",
            "thead th { background: #f0f0f0; }",
            "table.kv th { background: #f7f7f7; font-weight: normal; color: #444; }",
            "tr.pass td.result { background: #c8ecdf; font-weight: bold; }",
            "tr.fail td.result { background: #f8cdb6; font-weight: bold; }",
            "tr.fail-report td.result { background: #fbe8c8; }",
            "tr.na td.result { background: #eeeeee; }",
            ".verdict-summary { padding: 0.4em 0.7em; display: inline-block; border-radius: 3px; }",
            ".verdict-summary.pass { background: #c8ecdf; }",
            ".verdict-summary.fail { background: #f8cdb6; }",
            "pre { background: #f6f6f6; border: 1px solid #ddd; padding: 0.7em; overflow-x: auto; font-size: 0.88em; }",
            "footer { margin-top: 2em; color: #777; font-size: 0.85em; border-top: 1px solid #ddd; padding-top: 0.5em; }",
            "@media print { nav { display: none; } figure { break-inside: avoid; } }",
            "");
}
