package org.sgdlab.experiment;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An in-memory {@link RunListener}: metric rows, diagnostic results and events, in order. */
public final class MetricsLog implements RunListener {

    /** A diagnostic result with its step and trigger. */
    public record Measurement(String name, long step, Record result, String trigger) {
    }

    private final List<Map<String, Object>> rows = new ArrayList<>();
    private final List<Measurement> measurements = new ArrayList<>();
    private final List<Map<String, Object>> events = new ArrayList<>();
    private RunResult result;

    @Override
    public void metrics(Map<String, Object> row) {
        rows.add(Collections.unmodifiableMap(new LinkedHashMap<>(row)));
    }

    @Override
    public void diagnostic(String name, long step, Record r, String trigger) {
        measurements.add(new Measurement(name, step, r, trigger));
    }

    @Override
    public void event(Map<String, Object> e) {
        events.add(Collections.unmodifiableMap(new LinkedHashMap<>(e)));
    }

    @Override
    public void finished(RunResult r) {
        result = r;
    }

    public List<Map<String, Object>> rows() {
        return Collections.unmodifiableList(rows);
    }

    public List<Measurement> measurements() {
        return Collections.unmodifiableList(measurements);
    }

    /** The measurements of one diagnostic, in order. */
    public List<Measurement> measurements(String name) {
        return measurements.stream().filter(m -> m.name().equals(name)).toList();
    }

    public List<Map<String, Object>> events() {
        return Collections.unmodifiableList(events);
    }

    public RunResult result() {
        return result;
    }

    /** The values of one metric column (NaN where absent), aligned with {@link #steps()}. */
    public double[] column(String key) {
        double[] out = new double[rows.size()];
        for (int i = 0; i < out.length; i++) {
            Object v = rows.get(i).get(key);
            out[i] = v instanceof Number n ? n.doubleValue() : Double.NaN;
        }
        return out;
    }

    public long[] steps() {
        long[] out = new long[rows.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) rows.get(i).get("step")).longValue();
        }
        return out;
    }
}
