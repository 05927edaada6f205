package org.sgdlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.reflect.Array;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.tensor.Tensor;

/**
 * The journal: every value comes back bit for bit (the run files' JSON cannot do that: it writes non-finite numbers
 * as null and drops wall-clock fields), a replay makes exactly the recorded calls, and a journal is replayed only
 * whole and under its own key.
 */
public class JournalTest {

    private record Inner(String name, double value) {
    }

    private record All(double d, double nanPayload, double negZero, double inf, double[] ds, double[][] dss, int i,
                       int[] is, long l, long[] ls, boolean b, boolean[] bs, String s, Long none, List<Object> list,
                       Map<String, Object> map, Tensor t, Status e, Inner inner, List<Inner> inners) {
    }

    private record Opaque(Object o) {
    }

    /** A canonical text of a value that tells doubles apart by their raw bits and keeps the boxed types. */
    public static String bits(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Double d) {
            return "D" + Long.toHexString(Double.doubleToRawLongBits(d));
        }
        if (v instanceof Number || v instanceof Boolean || v instanceof String || v instanceof Enum<?>) {
            return v.getClass().getSimpleName() + ":" + v;
        }
        if (v instanceof Tensor t) {
            return "T" + Arrays.toString(t.shape()) + bits(t.toArray());
        }
        if (v.getClass().isArray()) {
            StringBuilder sb = new StringBuilder(v.getClass().getComponentType().getName() + "[");
            for (int i = 0; i < Array.getLength(v); i++) {
                sb.append(bits(Array.get(v, i))).append(',');
            }
            return sb.append(']').toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("L[");
            l.forEach(x -> sb.append(bits(x)).append(','));
            return sb.append(']').toString();
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("M{");
            m.forEach((k, x) -> sb.append(bits(k)).append('=').append(bits(x)).append(','));
            return sb.append('}').toString();
        }
        if (v instanceof Record r) {
            StringBuilder sb = new StringBuilder(r.getClass().getName() + "(");
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                try {
                    c.getAccessor().setAccessible(true);
                    sb.append(c.getName()).append('=').append(bits(c.getAccessor().invoke(r))).append(',');
                } catch (ReflectiveOperationException e) {
                    throw new AssertionError(e);
                }
            }
            return sb.append(')').toString();
        }
        throw new AssertionError("no canonical text for " + v.getClass());
    }

    /** Every call a listener receives, as canonical text. */
    static final class Recorder implements RunListener {
        final List<String> calls = new ArrayList<>();
        final MetricsLog log = new MetricsLog();

        @Override
        public void started(TrainConfig config, long fromStep) {
            calls.add("started " + fromStep);
            log.started(config, fromStep);
        }

        @Override
        public void metrics(Map<String, Object> row) {
            calls.add("metrics " + bits(row));
            log.metrics(row);
        }

        @Override
        public void diagnostic(String name, long step, Record result, String trigger) {
            calls.add("diagnostic " + name + " " + step + " " + trigger + " " + bits(result));
            log.diagnostic(name, step, result, trigger);
        }

        @Override
        public void event(Map<String, Object> event) {
            calls.add("event " + bits(event));
            log.event(event);
        }

        @Override
        public void checkpoint(Checkpoint c) {
            calls.add("checkpoint " + bits(c));
        }

        @Override
        public void finished(RunResult r) {
            calls.add("finished " + bits(r));
            log.finished(r);
        }
    }

    static All sample() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("z", 1L);
        map.put("a", Double.NaN);
        map.put("n", null);
        map.put("i", 7);
        List<Object> list = new ArrayList<>(List.of(1, 2L, "x", Double.NEGATIVE_INFINITY));
        list.add(null);
        return new All(0.1 + 0.2, Double.longBitsToDouble(0x7ff8000000000123L), -0.0, Double.POSITIVE_INFINITY,
                new double[] {Double.MIN_VALUE, -Double.MAX_VALUE, Double.NaN}, new double[][] {{1, 2}, {}, {Math.PI}},
                -3, new int[] {Integer.MIN_VALUE, 0}, Long.MAX_VALUE, new long[] {-1L}, true, new boolean[] {false, true},
                "ünïcode ∑", null, list, map, Tensor.of(new double[] {1, -0.0, Double.NaN, 4, 5, 6}, 2, 3),
                Status.DIVERGED, new Inner("x", 1e-300), List.of(new Inner("a", 1), new Inner("b", Double.NaN)));
    }

    @Test
    void everyValueComesBackBitForBit() throws Exception {
        All a = sample();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Journal.write(new DataOutputStream(buf), a);
        Object back = Journal.read(new DataInputStream(new ByteArrayInputStream(buf.toByteArray())));
        assertEquals(All.class, back.getClass());
        assertEquals(bits(a), bits(back));
        // the oracle tells apart what JSON would merge
        assertNotEquals(bits(Double.NaN), bits(Double.longBitsToDouble(0x7ff8000000000123L)));
        assertNotEquals(bits(0.0), bits(-0.0));
        assertNotEquals(bits(1), bits(1L));
    }

    @Test
    void aValueOfAnotherTypeIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Journal.write(new DataOutputStream(new ByteArrayOutputStream()), new Opaque(new StringBuilder("x"))));
        assertTrue(e.getMessage().contains("java.lang.StringBuilder"), e.getMessage());
    }

    static Problem problem() {
        return TrainerTest.digits(120);
    }

    /** SGD that diverges: rows with non-finite losses, a noisy diagnostic, checkpoints, a final result. */
    static TrainConfig diverging(Problem p, long seed) {
        return TrainConfig.builder(p, Optimizers.sgd(Schedules.constant(1e8)),
                Samplers.create(Samplers.EPOCH_SHUFFLE, p.train().size(), 16, 7)).seed(seed).steps(40)
                .checkpointEvery(3).diagnostic(Scheduled.every(new TrainerTest.NoisyDiagnostic(), 2)).build();
    }

    @Test
    void aReplayMakesTheRecordedCallsAgainBitForBit(@TempDir Path dir) {
        Problem p = problem();
        TrainConfig c = diverging(p, 3);
        String key = Journal.key("test", "r", c);
        Recorder live = new Recorder();
        try (Journal.Writer w = new Journal.Writer(dir, key)) {
            Trainer.run(c, RunListener.all(live, w));
            // an event and a record holding everything the codec knows, as a spike and a diagnostic would send them
            w.event(Map.of("onset", 3L, "end", "open"));
            w.diagnostic("all", 40, sample(), "final");
            live.event(Map.of("onset", 3L, "end", "open"));
            live.diagnostic("all", 40, sample(), "final");
            assertNull(w.broken());
            w.commit(12.5, 7.25, List.of(new Inner("state", -1.0), sample()));
        }
        assertEquals(Status.DIVERGED, live.log.result().status(), "the oracle run must diverge");
        assertTrue(live.calls.stream().anyMatch(s -> s.startsWith("checkpoint ")), "no checkpoint recorded");
        assertTrue(live.log.rows().stream().anyMatch(r -> r.values().stream()
                        .anyMatch(v -> v instanceof Double d && !Double.isFinite(d))),
                "the run must log a non-finite value (JSON would write null)");
        assertEquals(key, Journal.key(dir));
        assertFalse(Files.exists(dir.resolve("." + Journal.FILE + ".tmp")));

        Recorder replayed = new Recorder();
        Journal.Replayed back = Journal.replay(dir, key, c, replayed);
        assertNotNull(back);
        assertEquals(12.5, back.wallSeconds());
        assertEquals(7.25, back.cpuSeconds());
        assertEquals(bits(List.of(new Inner("state", -1.0), sample())), bits(back.states()));
        assertEquals(live.calls, replayed.calls);
        assertEquals(live.log.rows(), replayed.log.rows());
        assertEquals(bits(live.log.result()), bits(replayed.log.result()));
        assertEquals(live.log.measurements("noisy").size(), replayed.log.measurements("noisy").size());
    }

    @Test
    void aJournalIsReplayedOnlyWholeAndUnderItsKey(@TempDir Path dir) throws Exception {
        Problem p = problem();
        TrainConfig c = diverging(p, 3);
        String key = Journal.key("test", "r", c);
        try (Journal.Writer w = new Journal.Writer(dir, key)) {
            Trainer.run(c, w);
            w.commit(1, 1, List.of());
        }
        Recorder r = new Recorder();
        assertNull(Journal.replay(dir, key + "x", c, r));
        assertNull(Journal.replay(dir.resolve("nowhere"), key, c, r));
        assertEquals(List.of(), r.calls);

        byte[] whole = Files.readAllBytes(dir.resolve(Journal.FILE));
        for (int cut : new int[] {whole.length / 2, whole.length - 9}) {
            Files.write(dir.resolve(Journal.FILE), Arrays.copyOf(whole, cut));
            assertNull(Journal.replay(dir, key, c, r), "a journal cut at " + cut + " of " + whole.length);
            assertEquals(List.of(), r.calls, "a damaged journal must call nothing");
        }
        Files.writeString(dir.resolve(Journal.FILE), "not a journal");
        assertNull(Journal.key(dir));
        assertNull(Journal.replay(dir, key, c, r));
        assertEquals(List.of(), r.calls);
    }

    @Test
    void aValueItCannotRecordEndsTheJournalNotTheRun(@TempDir Path dir) {
        Problem p = problem();
        TrainConfig c = diverging(p, 3);
        MetricsLog log = new MetricsLog();
        try (Journal.Writer w = new Journal.Writer(dir, "k")) {
            RunListener l = RunListener.all(log, w);
            l.started(c, 0);
            l.diagnostic("opaque", 0, new Opaque(new StringBuilder()), "schedule");
            l.metrics(Map.of("step", 0L));
            assertNotNull(w.broken());
            assertTrue(w.broken().contains("StringBuilder"), w.broken());
            w.commit(1, 1, List.of());
        }
        assertEquals(1, log.rows().size(), "the run's other listeners still receive everything");
        assertFalse(Files.exists(dir.resolve(Journal.FILE)));
        assertFalse(Files.exists(dir.resolve("." + Journal.FILE + ".tmp")));
    }

    @Test
    void aJournalWithoutCommitLeavesNoFile(@TempDir Path dir) throws Exception {
        try (Journal.Writer w = new Journal.Writer(dir, "k")) {
            w.metrics(Map.of("step", 0L));
        }
        try (var s = Files.list(dir)) {
            assertEquals(List.of(), s.toList());
        }
    }

    @Test
    void theKeyNamesTheBuildTheContextTheRunAndEveryPartOfTheConfiguration() {
        Problem p = problem();
        String k = Journal.key("ctx", "r", diverging(p, 3));
        assertEquals(k, Journal.key("ctx", "r", diverging(problem(), 3)), "equal configurations built twice");
        assertTrue(k.startsWith("build " + Journal.build() + "\nctx\nrun r\nconfig "), k);
        assertNotEquals(k, Journal.key("ctx2", "r", diverging(p, 3)));
        assertNotEquals(k, Journal.key("ctx", "r2", diverging(p, 3)));
        assertNotEquals(k, Journal.key("ctx", "r", diverging(p, 4)), "seed");
        TrainConfig c = diverging(p, 3);
        Tensor theta0 = p.model().init(new java.util.SplittableRandom(1));
        assertNotEquals(k, Journal.key("ctx", "r", TrainConfig.builder(p, c.optimizer(), c.sampler()).seed(3).steps(40)
                .checkpointEvery(3).diagnostic(c.diagnostics().get(0)).theta0(theta0).build()), "theta0");
        assertNotEquals(k, Journal.key("ctx", "r", TrainConfig.builder(p, c.optimizer(), c.sampler()).seed(3).steps(40)
                .checkpointEvery(3).build()), "diagnostics");
        assertNotEquals(k, Journal.key("ctx", "r", diverging(TrainerTest.digits(121), 3)), "data");
    }
}
