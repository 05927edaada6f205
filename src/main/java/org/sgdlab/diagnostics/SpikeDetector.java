package org.sgdlab.diagnostics;

import java.util.ArrayList;
import java.util.List;

/**
 * The online loss-spike (catapult) detector of QUANTITIES.md Q12 on the full training loss
 * sequence L_0, L_1, ...:
 *
 * <pre>
 *   count = 0; base = L_0; in_spike = false; floor = 1e-8 L_0
 *   for t = 1, 2, ...:
 *     if not in_spike:
 *       if L_t > kappa max(base, floor): count++; in_spike = true; pre = base; onset = t; peak = t
 *       else:                            base = min(base, L_t)
 *     else:
 *       if L_t > L_peak: peak = t
 *       if L_t <= sqrt(kappa) max(pre, floor): in_spike = false; end = t; base = L_t; emit
 *   at the end an unfinished spike is emitted with end = null ("open")
 * </pre>
 *
 * Steps need not be consecutive (a loss logged every k steps works the same way). The state is a
 * few numbers ({@link #state()} / {@link #restore}) so a resumed run detects the same events.
 */
public final class SpikeDetector {

    /** One spike: onset, peak, end (null while open), pre-spike level, peak loss, magnitude. */
    public record Spike(long onset, long peak, Long end, double pre, double lossPeak, double magnitude,
                        boolean returned) {
    }

    /** What one observation changed: a spike started, a new running peak, or a spike ended. */
    public enum Change { NONE, ONSET, NEW_PEAK, END }

    private final double kappa;
    private boolean started;
    private double floor;
    private double base;
    private boolean inSpike;
    private double pre;
    private long onset;
    private long peak;
    private double lossPeak;
    private int count;
    private final List<Spike> finished = new ArrayList<>();

    public SpikeDetector(double kappa) {
        if (!(kappa > 1.0) || !Double.isFinite(kappa)) {
            throw new IllegalArgumentException("spike detector: kappa must be > 1, got " + kappa);
        }
        this.kappa = kappa;
    }

    public double kappa() {
        return kappa;
    }

    /** Feeds L_t (non-finite values are ignored: divergence is handled elsewhere). */
    public Change observe(long t, double loss) {
        if (!Double.isFinite(loss)) {
            return Change.NONE;
        }
        if (!started) {
            started = true;
            base = loss;
            floor = 1e-8 * loss;
            return Change.NONE;
        }
        if (!inSpike) {
            if (loss > kappa * Math.max(base, floor)) {
                count++;
                inSpike = true;
                pre = base;
                onset = t;
                peak = t;
                lossPeak = loss;
                return Change.ONSET;
            }
            base = Math.min(base, loss);
            return Change.NONE;
        }
        Change c = Change.NONE;
        if (loss > lossPeak) {
            peak = t;
            lossPeak = loss;
            c = Change.NEW_PEAK;
        }
        if (loss <= Math.sqrt(kappa) * Math.max(pre, floor)) {
            inSpike = false;
            finished.add(new Spike(onset, peak, t, pre, lossPeak, lossPeak / Math.max(pre, floor), true));
            base = loss;
            return Change.END;
        }
        return c;
    }

    /** Spikes that ended, in order. */
    public List<Spike> finished() {
        return List.copyOf(finished);
    }

    /** The spike in progress, if any (end null). */
    public Spike open() {
        return inSpike ? new Spike(onset, peak, null, pre, lossPeak, lossPeak / Math.max(pre, floor), false) : null;
    }

    /** All spikes: finished ones and the open one (as at the end of a run). */
    public List<Spike> all() {
        List<Spike> out = new ArrayList<>(finished);
        if (inSpike) {
            out.add(open());
        }
        return out;
    }

    /** Number of spikes started so far. */
    public int count() {
        return count;
    }

    public boolean inSpike() {
        return inSpike;
    }

    /** The detector's state as numbers (for checkpoints); finished spikes are not included. */
    public double[] state() {
        return new double[] {started ? 1 : 0, floor, base, inSpike ? 1 : 0, pre, onset, peak, lossPeak, count};
    }

    /** Restores {@link #state()}. */
    public void restore(double[] s) {
        if (s.length != 9) {
            throw new IllegalArgumentException("spike detector state must have 9 numbers, got " + s.length);
        }
        started = s[0] != 0;
        floor = s[1];
        base = s[2];
        inSpike = s[3] != 0;
        pre = s[4];
        onset = (long) s[5];
        peak = (long) s[6];
        lossPeak = s[7];
        count = (int) s[8];
        finished.clear();
    }
}
