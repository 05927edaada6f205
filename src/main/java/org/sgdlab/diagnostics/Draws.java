package org.sgdlab.diagnostics;

/** Checks of the adaptive-draw settings shared by the batch estimators (Q7.2-Q7.4). */
final class Draws {

    private Draws() {
    }

    /**
     * {@code batch_size >= 0} (0 = the training batch size), {@code draws >= 0} (0 = adaptive),
     * {@code 2 <= min_draws <= max_draws}, {@code rel_tol} finite and {@code >= 0}; {@code k} is the
     * field prefix of the messages, e.g. {@code "diagnostics.gni."}.
     */
    static void check(String k, int batchSize, int draws, int minDraws, int maxDraws, double relTol) {
        if (batchSize < 0) {
            throw new IllegalArgumentException(k + "batch_size must be >= 0 (0 = the training batch size), got "
                    + batchSize);
        }
        if (draws < 0) {
            throw new IllegalArgumentException(k + "draws must be >= 0 (0 = adaptive), got " + draws);
        }
        if (minDraws < 2) {
            throw new IllegalArgumentException(k + "min_draws must be >= 2 (a standard error needs two), got "
                    + minDraws);
        }
        if (maxDraws < minDraws) {
            throw new IllegalArgumentException(k + "max_draws must be >= min_draws = " + minDraws + ", got " + maxDraws);
        }
        if (!(relTol >= 0) || Double.isInfinite(relTol)) {
            throw new IllegalArgumentException(k + "rel_tol must be finite and >= 0, got " + relTol);
        }
    }
}
