package org.sgdlab.experiment;

import java.util.List;
import java.util.Map;
import org.sgdlab.diagnostics.SpikeDetector;
import org.sgdlab.tensor.Tensor;

/**
 * The outcome of a run: status, the last step reached (the final theta is theta_{steps}), why it
 * stopped, the final parameters, the last metrics row and the loss spikes.
 */
public record RunResult(Status status, long steps, String reason, Tensor theta, Map<String, Object> last,
                        List<SpikeDetector.Spike> spikes) {

    /** A metric of the last row as a double (NaN when absent). */
    public double lastValue(String key) {
        Object v = last.get(key);
        return v instanceof Number n ? n.doubleValue() : Double.NaN;
    }
}
