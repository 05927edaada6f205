package org.sgdlab.experiment;

import java.util.Map;

/**
 * Receives what a run produces, in order. The run directory writes it to files; studies and tests
 * may keep it in memory ({@link MetricsLog}).
 */
public interface RunListener {

    /** Before the first step (or the first step after a resume). */
    default void started(TrainConfig config, long fromStep) {
    }

    /** One row of metrics for step t (keys in a fixed order; see {@link Trainer#columns}). */
    default void metrics(Map<String, Object> row) {
    }

    /** One diagnostic measurement; {@code trigger} is "schedule", "onset", "peak", "end" or "final". */
    default void diagnostic(String name, long step, Record result, String trigger) {
    }

    /** A loss-spike event (QUANTITIES.md Q12). */
    default void event(Map<String, Object> event) {
    }

    /** A checkpoint of the state before update {@code checkpoint.step()}. */
    default void checkpoint(Checkpoint checkpoint) {
    }

    /** Wall-clock figures (kept apart from metrics so identical runs give identical metric bytes). */
    default void timing(long step, Map<String, Object> timing) {
    }

    /** After the last step. */
    default void finished(RunResult result) {
    }

    /** Calls each listener in turn. */
    static RunListener all(RunListener... ls) {
        return new RunListener() {
            @Override
            public void started(TrainConfig c, long from) {
                for (RunListener l : ls) {
                    l.started(c, from);
                }
            }

            @Override
            public void metrics(Map<String, Object> row) {
                for (RunListener l : ls) {
                    l.metrics(row);
                }
            }

            @Override
            public void diagnostic(String name, long step, Record result, String trigger) {
                for (RunListener l : ls) {
                    l.diagnostic(name, step, result, trigger);
                }
            }

            @Override
            public void event(Map<String, Object> event) {
                for (RunListener l : ls) {
                    l.event(event);
                }
            }

            @Override
            public void checkpoint(Checkpoint c) {
                for (RunListener l : ls) {
                    l.checkpoint(c);
                }
            }

            @Override
            public void timing(long step, Map<String, Object> t) {
                for (RunListener l : ls) {
                    l.timing(step, t);
                }
            }

            @Override
            public void finished(RunResult r) {
                for (RunListener l : ls) {
                    l.finished(r);
                }
            }
        };
    }
}
