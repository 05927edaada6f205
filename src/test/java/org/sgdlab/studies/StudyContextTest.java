package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.data.Presets;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.experiment.Checkpoint;
import org.sgdlab.experiment.Journal;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.experiment.RunListener;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.Stateful;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.tensor.Tensor;

/** A study's runs: a finished run is replayed from its journal on a re-run, anything else is trained again. */
class StudyContextTest {

    /** A diagnostic whose owner reads its state after the run: the steps it measured at. */
    static final class Steps implements Diagnostic<Steps.Result>, Stateful {
        record Result(long step) {
        }

        record State(List<Long> steps) {
        }

        final List<Long> seen = new ArrayList<>();

        @Override
        public String name() {
            return "steps";
        }

        @Override
        public Result measure(Probe p) {
            seen.add(p.step());
            return new Result(p.step());
        }

        @Override
        public Record state() {
            return new State(List.copyOf(seen));
        }

        @Override
        public void restore(Record state) {
            seen.clear();
            seen.addAll(((State) state).steps());
        }
    }

    static TrainConfig config(long seed) {
        return config(seed, new Steps());
    }

    static TrainConfig config(long seed, Steps steps) {
        Presets.Prepared d = Presets.digits(Presets.Options.defaults().withTrainSize(150).withTestSize(50));
        Problem p = new Problem(Mlp.of(Activation.of("tanh"), 64, 12, 10), Losses.of("mse", MseConvention.HALF), d.train(),
                d.test(), 64);
        return TrainConfig.builder(p, Optimizers.sgd(Schedules.constant(0.3)),
                        Samplers.create(Samplers.EPOCH_SHUFFLE, 150, 10, seed)).seed(seed).steps(30).checkpointEvery(10)
                .diagnostic(Scheduled.every(new Sharpness(Sharpness.Config.DEFAULT), 10)).diagnostic(Scheduled.every(steps, 7))
                .build();
    }

    /** Trains (or replays) run "r" and returns the log lines, the log, and the checkpoints an extra listener saw. */
    record Attempt(List<String> lines, MetricsLog log, List<Checkpoint> checkpoints, List<Long> stateful) {
        boolean replayed() {
            return lines.stream().anyMatch(l -> l.contains("replayed from its journal"));
        }
    }

    static Attempt attempt(Path out, long baseSeed, boolean reuse, long runSeed) {
        List<String> lines = new ArrayList<>();
        StudyContext ctx = new StudyContext(true, baseSeed, 0, out, "digits", 1, true, lines::add, reuse);
        List<Checkpoint> cks = new ArrayList<>();
        Steps steps = new Steps();
        MetricsLog log = ctx.train("r", config(runSeed, steps), new RunListener() {
            @Override
            public void checkpoint(Checkpoint c) {
                cks.add(c);
            }
        });
        return new Attempt(lines, log, cks, steps.seen);
    }

    /**
     * The same rows, measurements, result and checkpoints, bit for bit; a run trained again differs only in the
     * wall-clock {@code seconds} of its measurements, which a replay keeps.
     */
    static void assertSame(Attempt a, Attempt b, boolean replay) {
        assertEquals(a.log().rows(), b.log().rows());
        assertEquals(a.log().measurements().size(), b.log().measurements().size());
        for (int i = 0; i < a.log().measurements().size(); i++) {
            String x = org.sgdlab.experiment.JournalTest.bits(a.log().measurements().get(i));
            String y = org.sgdlab.experiment.JournalTest.bits(b.log().measurements().get(i));
            if (!replay) {
                x = x.replaceAll("seconds=D[0-9a-f]+,", "");
                y = y.replaceAll("seconds=D[0-9a-f]+,", "");
            }
            assertEquals(x, y);
        }
        assertEquals(org.sgdlab.experiment.JournalTest.bits(a.log().result()),
                org.sgdlab.experiment.JournalTest.bits(b.log().result()));
        assertEquals(org.sgdlab.experiment.JournalTest.bits(a.checkpoints()),
                org.sgdlab.experiment.JournalTest.bits(b.checkpoints()));
    }

    @Test
    void aFinishedRunIsReplayedBitForBitAndAnythingElseIsTrainedAgain(@TempDir Path out) throws Exception {
        Path dir = out.resolve("runs").resolve("r");
        Attempt first = attempt(out, 0, true, 5);
        assertFalse(first.replayed(), first.lines().toString());
        assertTrue(Files.isRegularFile(dir.resolve(Journal.FILE)));
        assertEquals(3, first.checkpoints().size(), "checkpoints at steps 10, 20, 30");
        byte[] metrics = Files.readAllBytes(dir.resolve("metrics.jsonl"));

        Attempt again = attempt(out, 0, true, 5);
        assertTrue(again.replayed(), again.lines().toString());
        assertSame(first, again, true);
        assertEquals(3, again.checkpoints().size(), "the extra listener gets the checkpoints again");
        assertEquals(List.of(0L, 7L, 14L, 21L, 28L, 30L), first.stateful());
        assertEquals(first.stateful(), again.stateful(), "a Stateful diagnostic ends in the state training left it in");
        assertEquals(first.log().wallSeconds(), again.log().wallSeconds(), "the wall time of the attempt that trained it");
        assertEquals(first.log().cpuSeconds(), again.log().cpuSeconds());
        assertTrue(first.log().wallSeconds() > 0, "wall time " + first.log().wallSeconds());
        assertTrue(java.util.Arrays.equals(metrics, Files.readAllBytes(dir.resolve("metrics.jsonl"))),
                "a replay leaves the run directory as it was");

        Attempt fresh = attempt(out, 0, false, 5);
        assertFalse(fresh.replayed(), "reuse = false (--fresh) trains again");
        assertSame(first, fresh, false);

        Attempt otherContext = attempt(out, 1, true, 5);
        assertFalse(otherContext.replayed(), "another base seed is another study context");

        attempt(out, 0, true, 5);                                   // the journal is now the base seed 0 one again
        Attempt otherConfig = attempt(out, 0, true, 6);
        assertFalse(otherConfig.replayed(), "another configuration under the same id");

        attempt(out, 0, true, 5);
        Files.delete(dir.resolve(Journal.FILE));                    // killed before the journal was committed
        Attempt killed = attempt(out, 0, true, 5);
        assertFalse(killed.replayed());
        assertSame(first, killed, false);
    }

    /** What a memo stores: values the codec must give back bit for bit. */
    record Value(double[] xs, List<Tensor> ts, long n) {
    }

    static Value memo(Path out, long baseSeed, boolean reuse, boolean save, String description, Tensor input,
                      int[] calls, List<String> lines) {
        StudyContext ctx = new StudyContext(true, baseSeed, 0, out, "digits", 1, save, lines::add, reuse);
        return ctx.memo("m", description, List.of(input), Value.class, () -> {
            calls[0]++;
            return new Value(new double[] {Double.longBitsToDouble(0x7ff8000000000123L), -0.0, 1 / 3.0},
                    List.of(input.mul(2), Tensor.vector(Double.NEGATIVE_INFINITY, Double.MIN_VALUE)), calls[0]);
        });
    }

    @Test
    void aMemoIsComputedOnceAndReusedOnlyUnderTheSameKey(@TempDir Path out) throws Exception {
        Path file = out.resolve("runs").resolve("m").resolve(StudyContext.MEMO_FILE);
        Tensor in = Tensor.vector(0.0, 1.5, -2.25);
        int[] calls = {0};
        List<String> lines = new ArrayList<>();
        Value first = memo(out, 0, true, true, "d", in, calls, lines);
        assertEquals(1, calls[0]);
        assertTrue(Files.isRegularFile(file));
        Value again = memo(out, 0, true, true, "d", in, calls, lines);
        assertEquals(1, calls[0], "the same key reuses the stored value");
        assertEquals(org.sgdlab.experiment.JournalTest.bits(first), org.sgdlab.experiment.JournalTest.bits(again));
        assertEquals(1L, again.n());
        assertTrue(lines.stream().anyMatch(l -> l.contains("m: reused from runs/m/memo.bin")), lines.toString());

        memo(out, 0, true, true, "e", in, calls, lines);
        assertEquals(2, calls[0], "another description");
        memo(out, 0, true, true, "e", Tensor.vector(-0.0, 1.5, -2.25), calls, lines);
        assertEquals(3, calls[0], "an input that differs in one bit (-0.0)");
        memo(out, 1, true, true, "e", Tensor.vector(-0.0, 1.5, -2.25), calls, lines);
        assertEquals(4, calls[0], "another base seed");
        memo(out, 0, true, true, "d", in, calls, lines);
        assertEquals(5, calls[0]);
        memo(out, 0, false, true, "d", in, calls, lines);
        assertEquals(6, calls[0], "reuse = false (--fresh) computes again");
        assertEquals(6L, memo(out, 0, true, true, "d", in, calls, lines).n(), "and stores what it computed");
        assertEquals(6, calls[0]);

        byte[] whole = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 9));     // torn: gzip's trailer is missing
        assertEquals(7L, memo(out, 0, true, true, "d", in, calls, lines).n(), "a torn file is computed again");
        assertEquals(7L, memo(out, 0, true, true, "d", in, calls, lines).n());

        Path none = out.resolve("none");
        memo(none, 0, true, false, "d", in, calls, lines);
        memo(none, 0, true, false, "d", in, calls, lines);
        assertEquals(9, calls[0], "without saveRuns nothing is stored");
        assertFalse(Files.exists(none));
    }

    @Test
    void aValueTheCodecCannotRecordIsReturnedAndNotStored(@TempDir Path out) throws Exception {
        List<String> lines = new ArrayList<>();
        StudyContext ctx = new StudyContext(true, 0, 0, out, "digits", 1, true, lines::add, true);
        Object value = new Object();
        assertTrue(value == ctx.memo("x", "d", List.of(), Object.class, () -> value));
        assertTrue(lines.stream().anyMatch(l -> l.contains("x: not stored (a re-run computes it again)")), lines.toString());
        try (var files = Files.list(out.resolve("runs").resolve("x"))) {
            assertEquals(List.of(), files.toList(), "neither the file nor its temporary is left");
        }
    }
}
