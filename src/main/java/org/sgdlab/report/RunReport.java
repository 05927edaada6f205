package org.sgdlab.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sgdlab.experiment.RunDirectory;

/**
 * The standard report of one run directory: {@code report.html} and {@code plots/} with the training and test
 * loss (log scale, spike events marked), sharpness against the stability threshold, batch sharpness and MiniBS
 * against 2/eta and lambda_max, tangent-kernel eigenvalues, the loss split L_top / L_rest, AGOP alignment,
 * every other numeric field as small multiples (a field of a list of per-layer records as one panel with a line
 * per layer), the summary and verdicts from summary.json, the events, any
 * unreadable lines, and the spec verbatim. A figure appears only when its data exists; the report of a run
 * that is still going (or crashed) shows what is there.
 */
public final class RunReport {

    /** Generic small multiples per figure at most. */
    static final int MAX_PANELS = 30;
    /** NTK eigenvalues drawn at most. */
    static final int MAX_EIGS = 6;

    private static final Pattern LOSS_SPLIT = Pattern.compile("loss_(top|rest)(_.+)?");

    private RunReport() {
    }

    /** Reads {@code runDir} and writes {@code runDir/report.html} and {@code runDir/plots/}; returns the report. */
    public static Path write(Path runDir) throws IOException {
        return build(RunData.read(runDir)).write(runDir);
    }

    /** The report of a run without writing it. */
    public static HtmlReport build(RunData d) {
        return new Builder(d).build();
    }

    /** Assembles one report; remembers which columns the specific figures used. */
    private static final class Builder {
        final RunData d;
        final Table m;
        final List<RunData.Event> spikes;
        final long lastStep;
        final Map<String, Set<String>> used = new LinkedHashMap<>();
        final NavigableMap<Long, Double> thresholdAt;
        final NavigableMap<Long, Double> lrAt;
        final HtmlReport.Builder r;

        Builder(RunData d) {
            this.d = d;
            this.m = d.metrics();
            this.spikes = d.events("spike");
            this.lastStep = d.lastStep();
            this.thresholdAt = Stats.stepMap(m.series("threshold"));
            this.lrAt = Stats.stepMap(m.series("lr"));
            String name = d.dir().toAbsolutePath().normalize().getFileName() == null ? d.dir().toString()
                    : d.dir().toAbsolutePath().normalize().getFileName().toString();
            this.r = HtmlReport.builder("Run " + name);
        }

        void use(Table t, String... cols) {
            Set<String> s = used.computeIfAbsent(t.source(), k -> new HashSet<>());
            for (String c : cols) {
                s.add(c);
            }
        }

        boolean isUsed(Table t, String col) {
            return used.getOrDefault(t.source(), Set.of()).contains(col);
        }

        HtmlReport build() {
            r.subtitle(d.dir().toString() + " \u2014 status: " + d.status()
                    + (d.status().equals(RunDirectory.INTERRUPTED) ? " (continue it with: sgdlab resume " + d.dir() + ")" : ""));
            summary();
            if (!d.verdicts().isEmpty()) {
                r.section("Verdicts").verdicts(d.verdicts());
            }
            if (!d.problems().isEmpty()) {
                r.section("Data problems")
                        .text(d.problems().size() + " line" + (d.problems().size() == 1 ? "" : "s")
                                + " of the run directory could not be used; the figures leave them out.");
                List<String> items = new ArrayList<>();
                for (RunData.Problem p : d.problems().subList(0, Math.min(200, d.problems().size()))) {
                    items.add(p.toString());
                }
                if (d.problems().size() > 200) {
                    items.add("\u2026 and " + (d.problems().size() - 200) + " more");
                }
                r.bullets(items);
            }
            List<Figure> training = new ArrayList<>();
            add(training, lossFigure());
            add(training, accuracyFigure());
            if (!training.isEmpty()) {
                r.section("Training");
                training.forEach(r::figure);
            }
            List<Figure> curvature = new ArrayList<>();
            add(curvature, sharpnessFigure());
            add(curvature, batchSharpnessFigure());
            if (!curvature.isEmpty()) {
                r.section("Curvature");
                curvature.forEach(r::figure);
            }
            List<Figure> kernel = new ArrayList<>();
            add(kernel, ntkFigure());
            add(kernel, lossSplitFigure());
            if (!kernel.isEmpty()) {
                r.section("Tangent kernel");
                kernel.forEach(r::figure);
            }
            List<Figure> features = new ArrayList<>();
            add(features, agopFigure());
            if (!features.isEmpty()) {
                r.section("Features");
                features.forEach(r::figure);
            }
            List<Figure> other = new ArrayList<>();
            add(other, generic(m, "metrics_other", "Other logged metrics"));
            for (Map.Entry<String, Table> e : d.diagnostics().entrySet()) {
                add(other, generic(e.getValue(), "diag_" + HtmlReport.slug(e.getKey()).replace('-', '_'),
                        "Diagnostic " + e.getKey()));
            }
            if (!other.isEmpty()) {
                r.section("Other measurements").text("Every numeric field not shown above, one panel per field "
                        + "(x = step).");
                other.forEach(r::figure);
            }
            if (training.size() + curvature.size() + kernel.size() + features.size() + other.size() == 0) {
                r.section("Figures").text("No metrics or diagnostics recorded yet.");
            }
            events();
            if (d.spec().isPresent()) {
                r.section("Spec").text(d.specFile().orElse("spec") + ", verbatim:").pre(d.spec().get());
            }
            return r.build();
        }

        private static void add(List<Figure> l, Figure f) {
            if (f != null) {
                l.add(f);
            }
        }

        // --------------------------------------------------------------------------------- summary

        void summary() {
            JsonNode s = d.summary();
            r.summary("status", d.status());
            if (s.has("steps")) {
                r.summary("steps", RunData.plain(s.get("steps")));
            }
            if (s.has("wall_seconds")) {
                Object w = RunData.plain(s.get("wall_seconds"));
                r.summary("wall time", w instanceof Number n ? Fmt.num(n.doubleValue()) + " s ("
                        + Fmt.duration(n.doubleValue()) + ")" : w);
            }
            Iterator<Map.Entry<String, JsonNode>> it = s.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                String k = e.getKey();
                if (k.equals("status") || k.equals("steps") || k.equals("wall_seconds") || k.equals("verdicts")) {
                    continue;
                }
                if (e.getValue().isObject()) {
                    Iterator<Map.Entry<String, JsonNode>> jt = e.getValue().fields();
                    while (jt.hasNext()) {
                        Map.Entry<String, JsonNode> f = jt.next();
                        if (!f.getValue().isContainerNode() || f.getValue().isArray()) {
                            r.summary(k + "." + f.getKey(), RunData.plain(f.getValue()));
                        }
                    }
                } else {
                    r.summary(k, RunData.plain(e.getValue()));
                }
            }
            r.summary("last logged step", lastStep < 0 ? null : lastStep);
            r.summary("spike events", spikes.size());
            if (!d.problems().isEmpty()) {
                r.summary("unreadable lines", d.problems().size());
            }
        }

        void events() {
            if (d.events().isEmpty()) {
                return;
            }
            List<List<Object>> rows = new ArrayList<>();
            for (RunData.Event e : d.events()) {
                List<Object> row = new ArrayList<>();
                row.add(e.type());
                row.add(e.start());
                row.add(e.peak());
                row.add(e.end() == null ? "open" : e.end());
                row.add(Double.isNaN(e.peakRatio()) ? null : e.peakRatio());
                StringBuilder other = new StringBuilder();
                for (Map.Entry<String, Double> v : e.values().entrySet()) {
                    if (!Set.of("start", "onset", "peak", "end", "peak_ratio", "magnitude").contains(v.getKey())) {
                        other.append(other.length() > 0 ? ", " : "").append(v.getKey()).append(" = ")
                                .append(Fmt.num(v.getValue()));
                    }
                }
                row.add(other.toString());
                rows.add(row);
            }
            r.section("Events").text("Events recorded by the run (loss spikes: QUANTITIES.md Q12).")
                    .table(List.of("type", "start", "peak", "end", "peak ratio", "other"), rows);
        }

        // --------------------------------------------------------------------------------- helpers

        void markSpikes(Plot.Builder b) {
            int n = 0;
            for (RunData.Event e : spikes) {
                long end = e.end() != null ? e.end() : Math.max(lastStep, e.start());
                if (end > e.start()) {
                    b.span(e.start(), end, "spike (onset\u2013end)");
                } else {
                    b.vline(e.start(), "spike onset", Palette.VERMILLION);
                }
                if (e.peak() != null && n < 50) {
                    b.vline(e.peak(), "spike peak", Palette.VERMILLION);
                }
                n++;
            }
        }

        String spikeSentence() {
            if (spikes.isEmpty()) {
                return d.events().isEmpty() ? "" : "No loss spikes were recorded. ";
            }
            int k = -1;
            for (int i = 0; i < spikes.size(); i++) {
                double pr = spikes.get(i).peakRatio();
                if (Double.isFinite(pr) && (k < 0 || pr > spikes.get(k).peakRatio())) {
                    k = i;
                }
            }
            long open = spikes.stream().filter(RunData.Event::isOpen).count();
            StringBuilder s = new StringBuilder();
            s.append(spikes.size()).append(" loss spike").append(spikes.size() == 1 ? "" : "s")
                    .append(" (Q12) shaded from onset to end");
            if (open > 0) {
                s.append(" (").append(open).append(" never returned)");
            }
            if (k >= 0) {
                RunData.Event e = spikes.get(k);
                s.append("; largest peak ratio ").append(Fmt.num(e.peakRatio())).append(" at step ")
                        .append(e.peak() != null ? e.peak() : e.start());
            }
            return s.append(". ").toString();
        }

        /**
         * A threshold to compare with: the per-step "threshold" column of metrics.jsonl (Q3.6), else the
         * diagnostic's own "threshold" field. Constant thresholds become a labelled reference line, varying ones
         * a dashed staircase.
         */
        void addThreshold(Plot.Builder b, Table fallback, String label) {
            Table.XY th = m.series("threshold");
            Table src = m;
            if (Stats.finite(th.y()).length == 0 && fallback != null) {
                th = fallback.series("threshold");
                src = fallback;
            }
            if (Stats.finite(th.y()).length == 0) {
                return;
            }
            use(src, "threshold");
            if (Stats.constant(th.y())) {
                double v = Stats.finite(th.y())[0];
                b.refLine(v, label + " = " + Fmt.num(v));
            } else {
                b.add(Series.threshold(label + "(t)", th.x(), th.y()).stairs());
            }
        }

        /** 2/eta_t from the "lr" column: a reference line when constant, a dashed staircase otherwise. */
        boolean addTwoOverEta(Plot.Builder b) {
            Table.XY lr = m.series("lr");
            double[] f = Stats.finite(lr.y());
            if (f.length == 0) {
                return false;
            }
            use(m, "lr");
            if (Stats.constant(lr.y()) && f[0] > 0) {
                b.refLine(2 / f[0], "2/\u03b7 = " + Fmt.num(2 / f[0]));
            } else {
                double[] y = new double[lr.size()];
                for (int i = 0; i < y.length; i++) {
                    y[i] = lr.y()[i] > 0 ? 2 / lr.y()[i] : Double.NaN;
                }
                b.add(Series.threshold("2/\u03b7_t", lr.x(), y).stairs());
            }
            return true;
        }

        double thresholdAt(Table diag, int row, double step) {
            double t = diag.value("threshold", row);
            return Double.isFinite(t) ? t : Stats.at(thresholdAt, step);
        }

        // --------------------------------------------------------------------------------- figures

        Figure lossFigure() {
            List<String> cols = new ArrayList<>();
            for (String c : new String[] {"batch_loss", "train_loss", "test_loss"}) {
                if (m.has(c)) {
                    cols.add(c);
                }
            }
            if (cols.isEmpty()) {
                return null;
            }
            Plot.Builder b = Plot.builder().xLabel("step").yLabel("loss").yLog();
            for (String c : cols) {
                Table.XY s = m.series(c);
                Series line = Series.line(c, s.x(), s.y());
                if (c.equals("batch_loss")) {
                    line = line.withColor(Palette.SKY).withWidth(1);
                } else if (c.equals("train_loss")) {
                    line = line.withColor(Palette.BLUE);
                } else {
                    line = line.withColor(Palette.ORANGE);
                }
                b.add(line);
                use(m, c);
            }
            markSpikes(b);
            StringBuilder cap = new StringBuilder();
            cap.append(cols.contains("train_loss") ? "Full training loss L(\u03b8_t)" : "Loss")
                    .append(cols.contains("test_loss") ? ", test loss" : "")
                    .append(cols.contains("batch_loss") ? ", mini-batch loss (light)" : "")
                    .append(" against the step, log scale (Q18). ");
            cap.append(spikeSentence());
            if (m.has("train_loss")) {
                Table.XY tl = m.series("train_loss");
                int k = Stats.argmin(tl.y());
                cap.append("Final training loss ").append(Fmt.num(m.last("train_loss").getAsDouble()));
                if (k >= 0) {
                    cap.append(" (minimum ").append(Fmt.num(tl.y()[k])).append(" at step ").append((long) tl.x()[k])
                            .append(")");
                }
                cap.append(". ");
            }
            cap.append("Run status: ").append(d.status()).append('.');
            return Figure.of("loss", b.build()).withTitle("Loss").withCaption(cap.toString());
        }

        Figure accuracyFigure() {
            List<String> cols = new ArrayList<>();
            for (String c : new String[] {"train_acc", "test_acc"}) {
                if (m.has(c)) {
                    cols.add(c);
                }
            }
            if (cols.isEmpty()) {
                return null;
            }
            Plot.Builder b = Plot.builder().xLabel("step").yLabel("accuracy");
            boolean unit = true;
            StringBuilder fin = new StringBuilder();
            for (String c : cols) {
                Table.XY s = m.series(c);
                b.add(Series.line(c, s.x(), s.y()));
                use(m, c);
                for (double v : Stats.finite(s.y())) {
                    unit &= v >= 0 && v <= 1;
                }
                m.last(c).ifPresent(v -> fin.append(fin.length() > 0 ? ", " : "").append(c).append(' ')
                        .append(Fmt.num(v)));
            }
            if (unit) {
                b.yRange(0, 1);
            }
            markSpikes(b);
            return Figure.of("accuracy", b.build()).withTitle("Accuracy")
                    .withCaption("Classification accuracy (Q18). Final: " + fin + ".");
        }

        Figure sharpnessFigure() {
            Table t = d.diagnostics().get("sharpness");
            if (t == null || !t.has("sharpness")) {
                return null;
            }
            use(t, "sharpness", "hess_eig", "stability_ratio", "converged", "threshold");
            Table.XY s = t.series("sharpness");
            Plot.Builder top = Plot.builder().title("sharpness \u03bb_max(H) and threshold").yLabel("\u03bb")
                    .xLabel("step");
            int k = t.arrayLength("hess_eig");
            for (int i = 1; i < Math.min(k, MAX_EIGS); i++) {
                Table.XY e = t.arrayComponent("hess_eig", i);
                top.add(Series.line("\u03bb_" + (i + 1), e.x(), e.y()).withColor(i == 1 ? Palette.SKY : Palette.PURPLE)
                        .withWidth(1));
            }
            top.add(Series.lineMarkers("sharpness", s.x(), s.y()).withColor(Palette.BLUE));
            // measurements flagged converged=false, drawn hollow on top
            int bad = 0;
            if (t.flagColumns().contains("converged")) {
                List<Double> bx = new ArrayList<>();
                List<Double> by = new ArrayList<>();
                long[] steps = t.steps();
                for (int i = 0; i < t.size(); i++) {
                    if (t.measured("converged", i) && t.value("converged", i) == 0 && t.measured("sharpness", i)) {
                        bx.add((double) steps[i]);
                        by.add(t.value("sharpness", i));
                    }
                }
                bad = bx.size();
                if (bad > 0) {
                    top.add(Series.markers("not converged", toArray(bx), toArray(by)).withColor(Palette.VERMILLION)
                            .hollow().withShape(Series.Shape.CIRCLE));
                }
            }
            addThreshold(top, t, "threshold");
            markSpikes(top);
            // stability ratio: measured, or sharpness / threshold at the same step
            long[] steps = t.steps();
            double[] rx = new double[t.size()];
            double[] ry = new double[t.size()];
            int n = 0;
            for (int i = 0; i < t.size(); i++) {
                if (!t.measured("sharpness", i)) {
                    continue;
                }
                double ratio = t.value("stability_ratio", i);
                if (!t.measured("stability_ratio", i)) {
                    ratio = t.value("sharpness", i) / thresholdAt(t, i, steps[i]);
                }
                rx[n] = steps[i];
                ry[n] = ratio;
                n++;
            }
            rx = java.util.Arrays.copyOf(rx, n);
            ry = java.util.Arrays.copyOf(ry, n);
            StringBuilder cap = new StringBuilder("Sharpness \u03bb_max of the training-loss Hessian (Lanczos on exact "
                    + "Hessian-vector products, Q6.1) at ").append(s.size()).append(" measured step")
                    .append(s.size() == 1 ? "" : "s");
            if (k > 1) {
                int kk = Math.min(k, MAX_EIGS);
                cap.append(", with ").append(kk == 2 ? "\u03bb_2" : "\u03bb_2 \u2026 \u03bb_" + kk).append(" (thin)");
            }
            cap.append(", against the optimizer's stability threshold (Q3.6, dashed); lower panel: stability ratio "
                    + "sharpness/threshold (Q6.3). ");
            int am = Stats.argmax(s.y());
            if (am >= 0) {
                cap.append("Largest sharpness ").append(Fmt.num(s.y()[am])).append(" at step ").append((long) s.x()[am])
                        .append(". ");
            }
            if (Stats.finite(ry).length > 0) {
                int first = -1;
                for (int i = 0; i < n; i++) {
                    if (ry[i] >= 1) {
                        first = i;
                        break;
                    }
                }
                if (first >= 0) {
                    cap.append("t_EoS (first measured step with sharpness \u2265 threshold, Q6.4) = ")
                            .append((long) rx[first]).append("; ");
                } else {
                    cap.append("The sharpness stayed below the threshold (largest ratio ")
                            .append(Fmt.num(Stats.max(ry))).append("); ");
                }
                cap.append("median ratio over the last quarter of measurements ")
                        .append(Fmt.num(Stats.median(Stats.lastQuarter(ry)))).append(". ");
            } else {
                cap.append("No threshold was logged, so no stability ratio. ");
            }
            if (bad > 0) {
                cap.append(bad).append(" measurement").append(bad == 1 ? "" : "s")
                        .append(" did not converge (hollow markers). ");
            }
            cap.append(spikeSentence());
            Plot.Builder bottom = Plot.builder().title("stability ratio").xLabel("step").yLabel("ratio")
                    .add(Series.lineMarkers("sharpness / threshold", rx, ry).withColor(Palette.BLUE))
                    .refLine(1, "edge of stability (ratio 1)").legend(Plot.Legend.HIDE);
            markSpikes(bottom);
            List<Plot> panels = new ArrayList<>();
            panels.add(top.build());
            if (Stats.finite(ry).length > 0) {
                panels.add(bottom.build());
            }
            Figure f = panels.size() == 1 ? Figure.of("sharpness", panels.get(0))
                    : Figure.stacked("sharpness", panels).withSize(720, 230);
            return f.withTitle("Sharpness and the stability threshold").withCaption(cap.toString().trim());
        }

        Figure batchSharpnessFigure() {
            Table t = d.diagnostics().get("batch_sharpness");
            if (t == null || !(t.has("batch_sharpness") || t.has("mini_bs"))) {
                return null;
            }
            use(t, "batch_sharpness", "batch_sharpness_se", "mini_bs", "mini_bs_se", "threshold");
            Plot.Builder b = Plot.builder().xLabel("step").yLabel("curvature");
            Table.XY bs = t.series("batch_sharpness");
            Table.XY mb = t.series("mini_bs");
            if (bs.size() > 0) {
                b.add(withSe(Series.lineMarkers("batch sharpness \u00b1 SE", bs.x(), bs.y()), t, "batch_sharpness",
                        "batch_sharpness_se").withColor(Palette.BLUE).withShape(Series.Shape.CIRCLE));
            }
            if (mb.size() > 0) {
                b.add(withSe(Series.lineMarkers("MiniBS \u00b1 SE", mb.x(), mb.y()), t, "mini_bs", "mini_bs_se")
                        .withColor(Palette.GREEN).withShape(Series.Shape.SQUARE));
            }
            Table sh = d.diagnostics().get("sharpness");
            if (sh != null && sh.has("sharpness")) {
                Table.XY l = sh.series("sharpness");
                b.add(Series.line("\u03bb_max", l.x(), l.y()).withColor(Palette.VERMILLION));
            }
            boolean eta = addTwoOverEta(b);
            if (!eta) {
                addThreshold(b, t, "threshold");
            }
            markSpikes(b);
            StringBuilder cap = new StringBuilder("Batch sharpness (Q7.2: mean over fresh batches of "
                    + "g_B\u1d40H_B g_B/\u2016g_B\u2016\u00b2, \u00b1 standard error)");
            if (mb.size() > 0) {
                cap.append(" and MiniBS (Q7.3: mean \u03bb_max(H_B) \u00b1 SE)");
            }
            cap.append(" against ").append(eta ? "2/\u03b7 (dashed)" : "the logged threshold (dashed)");
            if (sh != null && sh.has("sharpness")) {
                cap.append(" and the full-batch \u03bb_max (Q6)");
            }
            cap.append(". ");
            // ratios to 2/eta over the last quarter of the batch-sharpness measurements
            if (bs.size() > 0 && eta) {
                double[] q = new double[bs.size()];
                for (int i = 0; i < q.length; i++) {
                    q[i] = bs.y()[i] * Stats.at(lrAt, bs.x()[i]) / 2;
                }
                cap.append("Over the last quarter of its measurements, mean batch sharpness \u00b7 \u03b7/2 = ")
                        .append(Fmt.num(Stats.mean(Stats.lastQuarter(q))));
                if (sh != null && sh.has("sharpness")) {
                    Table.XY l = sh.series("sharpness");
                    double[] lq = new double[l.size()];
                    for (int i = 0; i < lq.length; i++) {
                        lq[i] = l.y()[i] * Stats.at(lrAt, l.x()[i]) / 2;
                    }
                    cap.append(", mean \u03bb_max \u00b7 \u03b7/2 = ").append(Fmt.num(Stats.mean(Stats.lastQuarter(lq))));
                }
                cap.append(" (1 = at the edge). ");
            }
            cap.append(spikeSentence());
            return Figure.of("batch_sharpness", b.build()).withTitle("Batch sharpness and MiniBS")
                    .withCaption(cap.toString().trim());
        }

        Series withSe(Series s, Table t, String col, String seCol) {
            if (!t.has(seCol)) {
                return s;
            }
            double[] se = new double[s.size()];
            int k = 0;
            for (int i = 0; i < t.size(); i++) {
                if (t.measured(col, i)) {
                    se[k++] = t.value(seCol, i);
                }
            }
            return s.withErrors(se);
        }

        Figure ntkFigure() {
            Table t = d.diagnostics().get("ntk");
            if (t == null || t.arrayLength("ntk_eig") == 0) {
                return null;
            }
            use(t, "ntk_eig");
            int k = Math.min(MAX_EIGS, t.arrayLength("ntk_eig"));
            Plot.Builder b = Plot.builder().xLabel("step").yLabel("eigenvalue").yLog();
            for (int i = 0; i < k; i++) {
                Table.XY e = t.arrayComponent("ntk_eig", i);
                b.add(Series.lineMarkers("\u03bb_" + (i + 1) + "(K\u0304)", e.x(), e.y()));
            }
            boolean eta = addTwoOverEta(b);
            markSpikes(b);
            Table.XY l1 = t.arrayComponent("ntk_eig", 0);
            StringBuilder cap = new StringBuilder("Top ").append(k).append(" eigenvalue").append(k == 1 ? "" : "s")
                    .append(" of the tangent kernel K\u0304 = (2c/n) J J\u1d40 (Q10.1), log scale");
            if (eta) {
                cap.append("; 2/\u03b7 dashed (directions with \u03b7\u03bb_i > 2 grow under the linearised "
                        + "dynamics, Q10.2)");
            }
            cap.append(". ");
            double[] f = Stats.finite(l1.y());
            if (f.length > 0) {
                cap.append("\u03bb_1 went from ").append(Fmt.num(f[0])).append(" to ").append(Fmt.num(f[f.length - 1]))
                        .append(" (largest ").append(Fmt.num(Stats.max(l1.y()))).append("). ");
            }
            cap.append(spikeSentence());
            return Figure.of("ntk", b.build()).withTitle("Tangent-kernel eigenvalues").withCaption(cap.toString().trim());
        }

        Figure lossSplitFigure() {
            Plot.Builder b = Plot.builder().xLabel("step").yLabel("loss").yLog();
            int count = 0;
            List<String> names = new ArrayList<>();
            for (Table t : d.diagnostics().values()) {
                for (String c : t.columns()) {
                    if (LOSS_SPLIT.matcher(c).matches()) {
                        Table.XY s = t.series(c);
                        Series line = Series.lineMarkers(c, s.x(), s.y());
                        if (c.startsWith("loss_rest")) {
                            line = line.dashed();
                        }
                        b.add(line);
                        use(t, c);
                        names.add(c);
                        count++;
                    }
                }
            }
            if (count == 0) {
                return null;
            }
            if (m.has("train_loss")) {
                Table.XY s = m.series("train_loss");
                b.add(Series.line("train_loss L", s.x(), s.y()).withColor(Palette.REFERENCE).withWidth(1));
            }
            markSpikes(b);
            String cap = "Training loss split onto the top-s eigenspace of the tangent kernel (Q10.2): L_top,s = "
                    + "(c/n)\u2016P_s r\u2016\u00b2 (solid) and L_rest,s = L \u2212 L_top,s (dashed); series "
                    + String.join(", ", names) + ". During a catapult the spike is expected in L_top for small s while "
                    + "L_rest keeps decreasing (Q10.4). " + spikeSentence();
            return Figure.of("loss_split", b.build()).withTitle("Loss in the top kernel eigenspace")
                    .withCaption(cap.trim());
        }

        Figure agopFigure() {
            Plot.Builder b = Plot.builder().xLabel("step").yLabel("alignment \u03c1");
            StringBuilder fin = new StringBuilder();
            boolean unit = true;
            int count = 0;
            for (Table t : d.diagnostics().values()) {
                for (String c : t.columns()) {
                    if (c.startsWith("agop_alignment")) {
                        Table.XY s = t.series(c);
                        b.add(Series.lineMarkers(c, s.x(), s.y()));
                        use(t, c);
                        count++;
                        for (double v : Stats.finite(s.y())) {
                            unit &= v >= 0 && v <= 1;
                        }
                        t.last(c).ifPresent(v -> fin.append(fin.length() > 0 ? ", " : "").append(c).append(" = ")
                                .append(Fmt.num(v)));
                    }
                }
            }
            if (count == 0) {
                return null;
            }
            if (unit) {
                b.yRange(0, 1);
            }
            markSpikes(b);
            return Figure.of("agop", b.build()).withTitle("AGOP alignment")
                    .withCaption(("Alignment \u03c1(G(f), G*) = \u27e8G, G*\u27e9_F/(\u2016G\u2016_F\u2016G*\u2016_F) of "
                            + "the network's average gradient outer product with the target's (Q13). Final: " + fin
                            + ". " + spikeSentence()).trim());
        }

        /**
         * Small multiples of every numeric column (and array column) of a table not used by a figure above; a
         * column that keeps one value at every measurement (a sample size, a constant threshold) is named in the
         * caption with its value instead of drawn. The columns {@code LIST.I.FIELD} of a list of records (e.g.
         * per-layer results) share one panel {@code LIST[i].FIELD} with a line per element.
         */
        Figure generic(Table t, String name, String title) {
            List<Plot> panels = new ArrayList<>();
            List<String> fields = new ArrayList<>();
            List<String> constant = new ArrayList<>();
            int omitted = 0;
            Map<String, List<String>> lists = elementColumns(t);
            for (String c : t.columns()) {
                if (isUsed(t, c) || (t == m && c.equals("epoch"))) {
                    continue;
                }
                Matcher e = ELEMENT.matcher(c);
                if (e.matches()) {
                    String field = e.group(1) + "[i]." + e.group(3);
                    List<String> members = lists.remove(field);
                    if (members == null) {
                        continue;                       // shown with the first element's column
                    }
                    String only = constantValues(t, members);
                    if (only != null) {
                        constant.add(field + " = " + only);
                    } else if (panels.size() >= MAX_PANELS) {
                        omitted++;
                    } else {
                        panels.add(elementPanel(t, field, e.group(1), members));
                        fields.add(field);
                    }
                    continue;
                }
                Table.XY s = t.series(c);
                Double only = constantValue(s.y());
                if (only != null) {
                    constant.add(c + " = " + Fmt.num(only));
                    continue;
                }
                if (panels.size() >= MAX_PANELS) {
                    omitted++;
                    continue;
                }
                Plot.Builder b = Plot.builder().title(c).legend(Plot.Legend.HIDE)
                        .add(Series.lineMarkers(null, s.x(), s.y()).withWidth(1.2));
                if (wantsLog(s.y())) {
                    b.yLog();
                }
                panels.add(b.build());
                fields.add(c);
            }
            for (String c : t.arrayColumns()) {
                if (isUsed(t, c)) {
                    continue;
                }
                if (panels.size() >= MAX_PANELS) {
                    omitted++;
                    continue;
                }
                int k = Math.min(MAX_EIGS, t.arrayLength(c));
                Plot.Builder b = Plot.builder().title(c + (t.arrayLength(c) > k ? " [first " + k + "]" : ""))
                        .legend(Plot.Legend.HIDE);
                List<Double> all = new ArrayList<>();
                for (int i = 0; i < k; i++) {
                    Table.XY s = t.arrayComponent(c, i);
                    b.add(Series.line(c + "[" + i + "]", s.x(), s.y()).withWidth(1.2));
                    for (double v : s.y()) {
                        all.add(v);
                    }
                }
                if (wantsLog(toArray(all))) {
                    b.yLog();
                }
                panels.add(b.build());
                fields.add(c);
            }
            if (panels.isEmpty()) {
                return null;
            }
            String cap = title + " (" + t.source() + "): " + String.join(", ", fields) + ", against the step"
                    + (omitted > 0 ? "; " + omitted + " more field" + (omitted == 1 ? "" : "s") + " not shown" : "")
                    + ". Panels with positive values spanning more than three decades use a log scale."
                    + (constant.isEmpty() ? "" : " The same at every measurement: " + String.join(", ", constant) + ".");
            return Figure.grid(name, panels, Math.min(3, panels.size())).withTitle(title).withCaption(cap);
        }

        /**
         * The unused columns {@code LIST.I.FIELD} of a table (one per element of a list of records, see
         * {@link org.sgdlab.experiment.RecordFields}) grouped as {@code LIST[i].FIELD}, elements in column order.
         */
        Map<String, List<String>> elementColumns(Table t) {
            Map<String, List<String>> out = new LinkedHashMap<>();
            for (String c : t.columns()) {
                Matcher e = ELEMENT.matcher(c);
                if (e.matches() && !isUsed(t, c)) {
                    out.computeIfAbsent(e.group(1) + "[i]." + e.group(3), k -> new ArrayList<>()).add(c);
                }
            }
            return out;
        }

        /**
         * One panel for a field of a list of records, one line per element, named by the elements' identifying
         * field when each has one value there and the values differ ("layer 1" for {@code layers.0.layer = 1}),
         * else {@code LIST[I]}.
         */
        Plot elementPanel(Table t, String field, String list, List<String> members) {
            Plot.Builder b = Plot.builder().title(field).legend(members.size() > 1 ? Plot.Legend.AUTO
                    : Plot.Legend.HIDE);
            String id = list.endsWith("s") ? list.substring(0, list.length() - 1) : list;
            List<String> indices = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (String c : members) {
                Matcher e = ELEMENT.matcher(c);
                if (!e.matches()) {
                    throw new IllegalStateException("not an element column: " + c);
                }
                indices.add(e.group(2));
                double[] y = Stats.finite(t.series(list + "." + e.group(2) + "." + id).y());
                double first = y.length > 0 ? y[0] : Double.NaN;
                if (y.length > 0 && Arrays.stream(y).allMatch(v -> v == first)) {
                    names.add(id + " " + Fmt.num(first));
                }
            }
            boolean named = names.size() == members.size() && names.stream().distinct().count() == names.size();
            List<Double> all = new ArrayList<>();
            for (int k = 0; k < members.size(); k++) {
                Table.XY s = t.series(members.get(k));
                String label = named ? names.get(k) : list + "[" + indices.get(k) + "]";
                b.add(Series.lineMarkers(label, s.x(), s.y()).withWidth(1.2));
                for (double v : s.y()) {
                    all.add(v);
                }
            }
            if (wantsLog(toArray(all))) {
                b.yLog();
            }
            return b.build();
        }
    }

    /** A column {@code LIST.I.FIELD} of element I of a list of records. */
    private static final Pattern ELEMENT = Pattern.compile("(.+?)\\.(\\d+)\\.(.+)");

    /**
     * The values of columns that each keep one value at every measurement ({@link #constantValue}), as "v" when
     * they agree and "v0, v1, ..." in column order when they do not; null when some column varies.
     */
    static String constantValues(Table t, List<String> cols) {
        List<String> vals = new ArrayList<>();
        for (String c : cols) {
            Double v = constantValue(t.series(c).y());
            if (v == null) {
                return null;
            }
            vals.add(Fmt.num(v));
        }
        return vals.stream().distinct().count() == 1 ? vals.get(0) : String.join(", ", vals);
    }

    /** The one value of a series measured at least twice that never changed (NaN counts as a value), else null. */
    static Double constantValue(double[] y) {
        if (y.length < 2) {
            return null;
        }
        for (double v : y) {
            if (Double.doubleToLongBits(v) != Double.doubleToLongBits(y[0])) {
                return null;
            }
        }
        return y[0];
    }

    static boolean wantsLog(double[] y) {
        double[] f = Stats.finite(y);
        if (f.length < 2) {
            return false;
        }
        double lo = Stats.min(f);
        double hi = Stats.max(f);
        return lo > 0 && hi / lo > 1e3;
    }

    static double[] toArray(List<Double> l) {
        double[] a = new double[l.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = l.get(i);
        }
        return a;
    }
}
