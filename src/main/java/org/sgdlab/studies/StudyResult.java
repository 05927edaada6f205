package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.sgdlab.report.Figure;
import org.sgdlab.report.Verdict;

/**
 * What a study produced: verdicts (in STUDIES.md order, ids like {@code eos.A2}), figures with
 * captions, a summary of every run, and free text (notes, reference values, decisions).
 */
public final class StudyResult {

    /** A section of the report: heading, paragraphs, figures and tables, in order. */
    public record Section(String heading, List<Object> items) {
    }

    /** A table for the report: header and rows. */
    public record Table(List<String> header, List<List<Object>> rows) {
    }

    private final String study;
    private final List<Verdict> verdicts = new ArrayList<>();
    private final List<Map<String, Object>> runs = new ArrayList<>();
    private final List<Section> sections = new ArrayList<>();
    private final Map<String, Object> extra = new LinkedHashMap<>();

    public StudyResult(String study) {
        this.study = study;
    }

    public String study() {
        return study;
    }

    /** Adds a verdict; its id is prefixed with the study name when it has no dot. */
    public StudyResult verdict(Verdict v) {
        String id = v.id().contains(".") ? v.id() : study + "." + v.id();
        verdicts.add(new Verdict(id, v.claim(), v.kind(), v.outcome(), v.measured(), v.criterion()));
        return this;
    }

    /** A gate: a failure is a bug to find. */
    public StudyResult gate(String id, String claim, boolean pass, Map<String, Object> measured, String criterion) {
        return verdict(Verdict.of(id, claim, Verdict.Kind.GATE, pass, measured, criterion));
    }

    /** A provisional gate: counts as a gate; STUDIES.md 0.1. */
    public StudyResult provisional(String id, String claim, boolean pass, Map<String, Object> measured, String criterion) {
        return verdict(Verdict.of(id, claim, Verdict.Kind.PROVISIONAL, pass, measured, criterion));
    }

    /** A report-only claim: shown, never fails the study. {@code pass} may be null (not judged). */
    public StudyResult report(String id, String claim, Boolean pass, Map<String, Object> measured, String criterion) {
        Verdict.Outcome o = pass == null ? Verdict.Outcome.NOT_EVALUATED : pass ? Verdict.Outcome.PASS : Verdict.Outcome.FAIL;
        return verdict(new Verdict(id, claim, Verdict.Kind.REPORT, o, measured, criterion));
    }

    /** Records a run (id, configuration summary, outcome) for summary.json. */
    public StudyResult run(Map<String, Object> run) {
        runs.add(new LinkedHashMap<>(run));
        return this;
    }

    /** Starts a report section. */
    public StudyResult section(String heading) {
        sections.add(new Section(heading, new ArrayList<>()));
        return this;
    }

    private List<Object> current() {
        if (sections.isEmpty()) {
            section("Results");
        }
        return sections.get(sections.size() - 1).items();
    }

    public StudyResult text(String paragraph) {
        current().add(paragraph);
        return this;
    }

    public StudyResult figure(Figure f) {
        current().add(f);
        return this;
    }

    public StudyResult table(List<String> header, List<List<Object>> rows) {
        current().add(new Table(List.copyOf(header), rows));
        return this;
    }

    /** Extra numbers for summary.json (e.g. eta_crit per seed). */
    public StudyResult extra(String key, Object value) {
        extra.put(key, value);
        return this;
    }

    public List<Verdict> verdicts() {
        return Collections.unmodifiableList(verdicts);
    }

    public List<Map<String, Object>> runs() {
        return Collections.unmodifiableList(runs);
    }

    public List<Section> sections() {
        return Collections.unmodifiableList(sections);
    }

    public Map<String, Object> extra() {
        return Collections.unmodifiableMap(extra);
    }

    /** True when every gate and provisional gate passed. */
    public boolean passed() {
        return verdicts.stream().filter(v -> v.kind().isGate()).allMatch(v -> v.outcome() == Verdict.Outcome.PASS);
    }

    /** The verdict with this id (with or without the study prefix), or null. */
    public Verdict verdict(String id) {
        String full = id.contains(".") ? id : study + "." + id;
        return verdicts.stream().filter(v -> v.id().equals(full)).findFirst().orElse(null);
    }
}
