package org.sgdlab.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One claim of a study and its outcome (STUDIES.md section 0.1): id, the claim in words, its kind (gate,
 * provisional gate, report), PASS/FAIL, the numbers behind it and the criterion applied.
 *
 * <p>A study passes when every gate and provisional gate passes; report-only claims never fail it.
 *
 * @param id short identifier, e.g. "A2"
 * @param claim what the paper claims, in words
 * @param kind gate, provisional gate or report
 * @param outcome PASS, FAIL or NOT_EVALUATED
 * @param measured the numbers behind the outcome, in display order (values: numbers, strings, lists)
 * @param criterion the rule applied, e.g. "median ratio in [0.97, 1.06]"
 */
public record Verdict(String id, String claim, Kind kind, Outcome outcome, Map<String, Object> measured,
        String criterion) {

    /** The three verdict kinds of STUDIES.md 0.1. */
    public enum Kind {
        GATE("gate"), PROVISIONAL("provisional gate"), REPORT("report");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** Parses "gate", "provisional" / "provisional gate" / "provisional_gate", "report". */
        public static Kind parse(String s) {
            String k = s == null ? "" : s.trim().toLowerCase(Locale.ROOT).replace('_', ' ').replace('-', ' ');
            switch (k) {
                case "gate":
                    return GATE;
                case "provisional":
                case "provisional gate":
                    return PROVISIONAL;
                case "report":
                    return REPORT;
                default:
                    throw new IllegalArgumentException("unknown verdict kind '" + s
                            + "'; known: gate, provisional, report");
            }
        }

        /** True for kinds that decide whether the study passes. */
        public boolean isGate() {
            return this != REPORT;
        }
    }

    /** Result of checking a claim. */
    public enum Outcome { PASS, FAIL, NOT_EVALUATED }

    public Verdict {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("verdict: id must be non-empty, got '" + id + "'");
        }
        Objects.requireNonNull(kind, "verdict kind");
        Objects.requireNonNull(outcome, "verdict outcome");
        measured = measured == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(measured));
    }

    /** A verdict from a boolean outcome. */
    public static Verdict of(String id, String claim, Kind kind, boolean pass, Map<String, Object> measured,
            String criterion) {
        return new Verdict(id, claim, kind, pass ? Outcome.PASS : Outcome.FAIL, measured, criterion);
    }

    /** True when every gate and provisional gate passed (report-only verdicts are ignored). */
    public static boolean studyPasses(List<Verdict> verdicts) {
        for (Verdict v : verdicts) {
            if (v.kind().isGate() && v.outcome() != Outcome.PASS) {
                return false;
            }
        }
        return true;
    }

    /** Ids of the gates (and provisional gates) that did not pass. */
    public static List<String> failedGates(List<Verdict> verdicts) {
        List<String> out = new ArrayList<>();
        for (Verdict v : verdicts) {
            if (v.kind().isGate() && v.outcome() != Outcome.PASS) {
                out.add(v.id());
            }
        }
        return out;
    }
}
