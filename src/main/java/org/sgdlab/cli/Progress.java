package org.sgdlab.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.experiment.RunListener;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.TrainConfig;

/**
 * Progress of a run on stderr: a bar with ETA redrawn in place on a terminal, plain periodic lines
 * otherwise (logs, CI, Slurm).
 */
final class Progress implements RunListener {

    private final PrintStream out;
    private final boolean terminal;
    private final double intervalSeconds;
    private final String label;
    private long total;
    private long from;
    private long startNanos;
    private long lastPrint;
    private Object lastLoss;

    Progress(PrintStream out, boolean terminal, double intervalSeconds, String label) {
        this.out = out;
        this.terminal = terminal;
        this.intervalSeconds = intervalSeconds;
        this.label = label;
    }

    static Progress forStderr(double intervalSeconds, String label) {
        return new Progress(System.err, System.console() != null, intervalSeconds, label);
    }

    @Override
    public void started(TrainConfig config, long fromStep) {
        total = config.steps();
        from = fromStep;
        startNanos = System.nanoTime();
        lastPrint = startNanos;
        if (!terminal) {
            out.printf(Locale.ROOT, "%s: steps %d..%d%n", label, fromStep, total);
        }
    }

    @Override
    public void metrics(Map<String, Object> row) {
        long step = ((Number) row.get("step")).longValue();
        if (row.get("train_loss") != null) {
            lastLoss = row.get("train_loss");
        }
        long now = System.nanoTime();
        double since = (now - lastPrint) / 1e9;
        if (terminal ? since < 0.2 && step < total : since < intervalSeconds && step < total) {
            return;
        }
        lastPrint = now;
        double frac = total == 0 ? 1 : (double) step / total;
        double elapsed = (now - startNanos) / 1e9;
        double rate = (step - from) / Math.max(elapsed, 1e-9);
        double eta = rate > 0 ? (total - step) / rate : Double.NaN;
        String loss = lastLoss instanceof Number n ? String.format(Locale.ROOT, "%.4g", n.doubleValue()) : "-";
        if (terminal) {
            int width = 30;
            int filled = (int) Math.round(frac * width);
            out.printf(Locale.ROOT, "\r%s [%s%s] %5.1f%% step %d/%d loss %s ETA %s   ", label, "#".repeat(filled),
                    ".".repeat(width - filled), 100 * frac, step, total, loss, time(eta));
        } else {
            out.printf(Locale.ROOT, "%s: step %d/%d (%.0f%%) loss %s, %.1f steps/s, ETA %s%n", label, step, total, 100 * frac,
                    loss, rate, time(eta));
        }
    }

    @Override
    public void finished(RunResult r) {
        if (terminal) {
            out.println();
        }
    }

    static String time(double s) {
        if (!Double.isFinite(s)) {
            return "?";
        }
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", t / 3600, (t % 3600) / 60)
                : t >= 60 ? String.format(Locale.ROOT, "%dm%02ds", t / 60, t % 60) : t + "s";
    }
}
