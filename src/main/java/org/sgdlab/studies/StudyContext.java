package org.sgdlab.studies;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.sgdlab.experiment.Journal;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunDirectory;
import org.sgdlab.experiment.RunListener;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.Stateful;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * What a study runs with: the variant, the base seed (every run's seeds derive from it), the number
 * of seeds where a study uses several, the output directory, the data set for real-data studies,
 * the number of runs to execute at once, and a log.
 *
 * @param quick   the quick variant (STUDIES.md 0.4)
 * @param seed    the base seed ({@code --seed}); 0 reproduces the calibrated defaults
 * @param seeds   {@code --seeds}: number of seeds, or 0 for the study's default count
 * @param out     the study directory; runs go to {@code out/runs/<id>}
 * @param data    {@code --data} for eos/eoss: digits (default), fashion-mnist or synthetic
 * @param jobs    runs executed concurrently by {@link #parallel}
 * @param saveRuns write a run directory per training run (metrics, diagnostics, events, summary)
 * @param log     progress lines
 * @param reuse   replay a run whose directory holds a journal of the same run ({@link Journal}) instead of
 *                training it again: a study re-run after a kill continues where it stopped
 */
public record StudyContext(boolean quick, long seed, int seeds, Path out, String data, int jobs, boolean saveRuns,
                           Consumer<String> log, boolean reuse) {

    /** A context that reuses finished runs. */
    public StudyContext(boolean quick, long seed, int seeds, Path out, String data, int jobs, boolean saveRuns,
                        Consumer<String> log) {
        this(quick, seed, seeds, out, data, jobs, saveRuns, log, true);
    }

    public StudyContext {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs must be >= 1, got " + jobs);
        }
        if (seeds < 0) {
            throw new IllegalArgumentException("seeds must be >= 1, or 0 for the study's own count; got " + seeds);
        }
    }

    /** The number of seeds to use: {@code --seeds} when given, else the study's default. */
    public int seedCount(int studyDefault) {
        return seeds > 0 ? seeds : studyDefault;
    }

    /**
     * A seed derived from the base seed and a path (e.g. {@code derive("P1-B", "net", 1)}); with base
     * seed 0 studies use their calibrated literal seeds instead, see {@link #pick}.
     */
    public long derive(Object... path) {
        return Rng.streamSeed(seed, path) & Long.MAX_VALUE;
    }

    /**
     * The seed of a run: the calibrated literal when the base seed is 0 (the reference runs of
     * STUDIES.md), else one derived from the base seed and the literal, so {@code --seed} moves every
     * run to fresh random streams.
     */
    public long pick(long calibrated, Object... path) {
        if (seed == 0) {
            return calibrated;
        }
        Object[] p = new Object[path.length + 1];
        System.arraycopy(path, 0, p, 0, path.length);
        p[path.length] = calibrated;
        return derive(p);
    }

    /**
     * Trains one run, writing {@code out/runs/<id>} and its {@link Journal} when saveRuns; returns the
     * in-memory log. With {@code reuse}, a run directory whose journal was written by the same build for
     * the same study context and configuration is replayed instead (the same calls on the listeners,
     * bit for bit), so a study killed part-way redoes only the runs that had not finished.
     */
    public MetricsLog train(String id, TrainConfig config) {
        return train(id, config, null);
    }

    /**
     * As {@link #train(String, TrainConfig)} with an extra listener, which a replay calls as training would. The
     * log's {@link MetricsLog#wallSeconds()} and {@link MetricsLog#cpuSeconds()} are those of the training (for
     * a replay, of the attempt that trained it), and the config's {@link Stateful} controller and diagnostics end
     * in the state training left them in.
     */
    public MetricsLog train(String id, TrainConfig config, RunListener extra) {
        MetricsLog log = new MetricsLog();
        long t0 = System.nanoTime();
        long c0 = cpuNanos();
        RunListener l = extra == null ? log : RunListener.all(log, extra);
        List<Stateful> stateful = stateful(config);
        RunResult r;
        String how = "";
        if (saveRuns && out != null) {
            Path dir = out.resolve("runs").resolve(id);
            String key = Journal.key(context(), id, config);
            Journal.Replayed replayed = reuse ? Journal.replay(dir, key, config, l) : null;
            if (replayed != null && replayed.states().size() != stateful.size()) {
                throw new IllegalStateException("the journal of run " + id + " holds " + replayed.states().size()
                        + " states, its configuration has " + stateful.size() + " stateful objects");
            }
            if (replayed != null) {
                for (int i = 0; i < stateful.size(); i++) {
                    stateful.get(i).restore(replayed.states().get(i));
                }
                log.timed(replayed.wallSeconds(), replayed.cpuSeconds());
                r = log.result();
                how = ", replayed from its journal";
            } else {
                try (Journal.Writer journal = new Journal.Writer(dir, key)) {
                    r = RunDirectory.record(dir, id, config, RunListener.all(l, journal)).result();
                    log.timed((System.nanoTime() - t0) / 1e9, cpuSeconds(c0));
                    journal.commit(log.wallSeconds(), log.cpuSeconds(), stateful.stream().map(Stateful::state).toList());
                    if (journal.broken() != null) {
                        log("  run " + id + ": no journal (a re-run trains it again): " + journal.broken());
                    }
                }
            }
        } else {
            r = Trainer.run(config, l);
            log.timed((System.nanoTime() - t0) / 1e9, cpuSeconds(c0));
        }
        log(String.format(java.util.Locale.ROOT, "  run %s: %s at step %d (%.1f s%s)", id, r.status().id(), r.steps(),
                (System.nanoTime() - t0) / 1e9, how));
        return log;
    }

    /** The file in a run-like directory that holds a {@link #memo}'s value. */
    public static final String MEMO_FILE = "memo.bin";

    /**
     * A computation that is not a training run (e.g. a gradient flow) but costs as much as one: with
     * saveRuns, its value is stored in {@code out/runs/<id>/memo.bin}, and with {@code reuse} a re-run of the
     * study takes it from there instead of computing it again, when the build, the study context,
     * {@code description} (every setting the value depends on) and the {@code inputs} (bit for bit) are the
     * same. The value must be of a type {@link Journal} records exactly (records, arrays, lists, tensors, ...).
     */
    public <T> T memo(String id, String description, List<Tensor> inputs, Class<T> type, Supplier<T> compute) {
        if (!saveRuns || out == null) {
            return compute.get();
        }
        Path file = out.resolve("runs").resolve(id).resolve(MEMO_FILE);
        String key = Journal.key(context(), id, description, inputs.toArray(Tensor[]::new));
        Object stored = reuse ? Journal.load(file, key) : null;
        if (type.isInstance(stored)) {
            log("  " + id + ": reused from " + out.relativize(file));
            return type.cast(stored);
        }
        T value = compute.get();
        String why = Journal.store(file, key, value);
        if (why != null) {
            log("  " + id + ": not stored (a re-run computes it again): " + why);
        }
        return value;
    }

    /** What every key of this study's runs and memos shares. */
    private String context() {
        return "study context: quick " + quick + ", seed " + seed + ", seeds " + seeds + ", data " + data;
    }

    /** The config's controller and diagnostics that keep state, in a fixed order. */
    private static List<Stateful> stateful(TrainConfig config) {
        List<Stateful> out = new ArrayList<>();
        if (config.controller() instanceof Stateful s) {
            out.add(s);
        }
        for (var d : config.diagnostics()) {
            if (d.diagnostic() instanceof Stateful s) {
                out.add(s);
            }
        }
        return out;
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long cpuNanos() {
        return THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : -1;
    }

    private static double cpuSeconds(long c0) {
        long now = cpuNanos();
        return now < 0 || c0 < 0 ? Double.NaN : (now - c0) / 1e9;
    }

    /** Runs independent tasks, {@code jobs} at a time, and returns their results in order. */
    public <T> List<T> parallel(List<Callable<T>> tasks) {
        if (jobs == 1 || tasks.size() <= 1) {
            List<T> out = new ArrayList<>();
            for (Callable<T> t : tasks) {
                try {
                    out.add(t.call());
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
            return out;
        }
        ExecutorService ex = Executors.newFixedThreadPool(Math.min(jobs, tasks.size()));
        // side-by-side runs each get one BLAS thread (a multi-threaded BLAS under concurrent callers spins)
        org.sgdlab.tensor.Blas blas = org.sgdlab.tensor.Blas.get();
        int blasThreads = blas.threads();
        blas.setThreads(1);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (Callable<T> t : tasks) {
                fs.add(ex.submit(t));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    if (c instanceof Error er) {
                        throw er;
                    }
                    throw new IllegalStateException(c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return out;
        } finally {
            ex.shutdownNow();
            blas.setThreads(blasThreads);
        }
    }

    public void log(String line) {
        if (log != null) {
            log.accept(line);
        }
    }

    /** Creates {@code out} if needed. */
    public void ensureOut() {
        if (out != null) {
            try {
                Files.createDirectories(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
