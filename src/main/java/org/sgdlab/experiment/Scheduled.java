package org.sgdlab.experiment;

import java.util.Arrays;
import org.sgdlab.diagnostics.Diagnostic;

/**
 * When a diagnostic is measured: every {@code every} steps starting at {@code start} (0 = never on
 * a cadence), at the listed steps, at the final step, and around loss spikes (onset - 1, each new
 * local peak, end) when {@code onEvents}.
 */
public record Scheduled(Diagnostic<?> diagnostic, long every, long start, long[] at, boolean atEnd, boolean onEvents) {

    public Scheduled {
        if (diagnostic == null) {
            throw new IllegalArgumentException("schedule: diagnostic is null");
        }
        if (every < 0 || start < 0) {
            throw new IllegalArgumentException("diagnostics." + diagnostic.name() + ".every must be >= 0, got " + every);
        }
        at = at == null ? new long[0] : at.clone();
        Arrays.sort(at);
    }

    /** Every {@code every} steps from 0, and at the end. */
    public static Scheduled every(Diagnostic<?> d, long every) {
        return new Scheduled(d, every, 0, new long[0], true, false);
    }

    public Scheduled withEvents(boolean on) {
        return new Scheduled(diagnostic, every, start, at, atEnd, on);
    }

    public Scheduled withAt(long... steps) {
        return new Scheduled(diagnostic, every, start, steps, atEnd, onEvents);
    }

    public Scheduled withStart(long s) {
        return new Scheduled(diagnostic, every, s, at, atEnd, onEvents);
    }

    public Scheduled withAtEnd(boolean e) {
        return new Scheduled(diagnostic, every, start, at, e, onEvents);
    }

    /** Whether the cadence or the list asks for a measurement at step t. */
    public boolean due(long t, boolean last) {
        if (last && atEnd) {
            return true;
        }
        if (every > 0 && t >= start && (t - start) % every == 0) {
            return true;
        }
        return Arrays.binarySearch(at, t) >= 0;
    }
}
