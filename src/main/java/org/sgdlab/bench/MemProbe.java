package org.sgdlab.bench;

/**
 * Child-process entry of the memory measurement: builds the benchmark inputs and runs one
 * workload twice. The parent finds the smallest {@code -Xmx} under which this exits normally,
 * which is the workload's peak live heap plus the (equal) baseline of workload "none".
 */
public final class MemProbe {

    private MemProbe() {
    }

    public static void main(String[] args) {
        try {
            EngineBench.runOnce(args[0], 2);
        } catch (OutOfMemoryError e) {
            System.exit(3);
        }
        System.exit(0);
    }
}
