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
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunDirectory;
import org.sgdlab.experiment.RunListener;
import org.sgdlab.experiment.RunResult;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.tensor.Rng;

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
 */
public record StudyContext(boolean quick, long seed, int seeds, Path out, String data, int jobs, boolean saveRuns,
                           Consumer<String> log) {

    public StudyContext {
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs must be >= 1, got " + jobs);
        }
        if (seeds < 0) {
            throw new IllegalArgumentException("--seeds must be >= 1, got " + seeds);
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

    /** Trains one run, writing {@code out/runs/<id>} when saveRuns; returns the in-memory log. */
    public MetricsLog train(String id, TrainConfig config) {
        return train(id, config, null);
    }

    /** As {@link #train(String, TrainConfig)} with an extra listener. */
    public MetricsLog train(String id, TrainConfig config, RunListener extra) {
        MetricsLog log = new MetricsLog();
        long t0 = System.nanoTime();
        RunListener l = extra == null ? log : RunListener.all(log, extra);
        RunResult r;
        if (saveRuns && out != null) {
            r = RunDirectory.record(out.resolve("runs").resolve(id), id, config, l).result();
        } else {
            r = Trainer.run(config, l);
        }
        log(String.format(java.util.Locale.ROOT, "  run %s: %s at step %d (%.1f s)", id, r.status().id(), r.steps(),
                (System.nanoTime() - t0) / 1e9));
        return log;
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
