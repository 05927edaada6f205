package org.sgdlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.report.RunReport;

/** The files of a run directory: TensorBoard scalars, report figures, the lock. */
class RunDirectoryTest {

    @TempDir
    Path tmp;

    static final String SPEC = """
            steps: 40
            data: {name: digits, train_size: 100, test_size: 20}
            model: {name: mlp, widths: [64, 8, 10]}
            optimizer: {name: gd, lr: 0.5}
            diagnostics: {sharpness: {every: 10}}
            outputs: {checkpoint_every: 10}
            """;

    /** A new run refuses a used directory and says what to do about the run in it. */
    @Test
    void aUsedDirectoryIsRefusedWithWhatToDo() throws Exception {
        Spec spec = Spec.parse(SPEC.replace("steps: 40", "steps: 2"), "used", List.of());
        Path dir = tmp.resolve("used");
        RunDirectory.run(spec, dir, new RunDirectory.Provenance(java.util.Map.of()), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunDirectory.run(spec, dir, new RunDirectory.Provenance(java.util.Map.of()), null));
        assertTrue(e.getMessage().endsWith("it holds a run that has ended (status completed); choose another --out"),
                e.getMessage());
        Files.writeString(dir.resolve("summary.json"), "{\"status\": \"running\"}");
        e = assertThrows(IllegalArgumentException.class,
                () -> RunDirectory.run(spec, dir, new RunDirectory.Provenance(java.util.Map.of()), null));
        assertTrue(e.getMessage().endsWith("use 'sgdlab resume " + dir + "' to continue it or choose another --out"),
                e.getMessage());
        Path other = Files.createDirectories(tmp.resolve("other"));
        Files.writeString(other.resolve("notes.txt"), "mine");
        e = assertThrows(IllegalArgumentException.class,
                () -> RunDirectory.run(spec, other, new RunDirectory.Provenance(java.util.Map.of()), null));
        assertTrue(e.getMessage().endsWith("it is not a run directory; choose another --out"), e.getMessage());
        assertEquals("mine", Files.readString(other.resolve("notes.txt")));
    }

    /** spike_count counts the detector's spikes; a run without the detector has none to count: null, not 0. */
    @Test
    void spikeCountIsNullWhenSpikesAreNotDetected() throws Exception {
        String spec = SPEC.replace("steps: 40", "steps: 3").replace("diagnostics: {sharpness: {every: 10}}\n", "");
        for (String kappa : List.of("2", "0")) {
            Path dir = tmp.resolve("kappa-" + kappa);
            RunDirectory.run(Spec.parse(spec + "events: {spike_kappa: " + kappa + "}\n", "k", List.of()), dir,
                    new RunDirectory.Provenance(java.util.Map.of()), null);
            JsonNode count = Json.MAPPER.readTree(dir.resolve("summary.json").toFile()).get("spike_count");
            assertTrue(kappa.equals("2") ? count.isInt() && count.asInt() == 0 : count.isNull(), kappa + ": " + count);
        }
    }

    /** The image models train from a spec on the built-in (flat) data, sharpness included. */
    @Test
    void imageModelsRunFromASpecOnBuiltInData() throws Exception {
        for (String model : List.of("{name: cohen-cnn, channels: 1, height: 8, width: 8, classes: 10, widths: [3, 3]}",
                "{name: resnet-no-bn, channels: 1, classes: 10, width: 3, blocks: 1}")) {
            String spec = """
                    steps: 4
                    data: {name: digits, train_size: 40, test_size: 10}
                    optimizer: {name: gd, lr: 0.05}
                    diagnostics: {sharpness: {every: 2}}
                    model: """ + " " + model + "\n";
            Path dir = tmp.resolve("img-" + model.substring(7, 12));
            RunDirectory.run(Spec.parse(spec, "img", List.of()), dir, new RunDirectory.Provenance(java.util.Map.of()),
                    null);
            JsonNode summary = Json.MAPPER.readTree(dir.resolve("summary.json").toFile());
            assertEquals("completed", summary.path("status").asText(), model);
            List<String> sharp = Files.readAllLines(dir.resolve("diagnostics/sharpness.jsonl"));
            assertEquals(3, sharp.size(), model);
            for (String line : sharp) {
                double s = Json.MAPPER.readTree(line).path("sharpness").asDouble(Double.NaN);
                assertTrue(Double.isFinite(s) && s > 0, model + ": " + line);
            }
        }
    }

    @Test
    void tensorboardHoldsEveryLoggedScalarWithValidFraming() throws Exception {
        Path dir = tmp.resolve("run");
        RunDirectory.run(Spec.parse(SPEC, "tb", List.of()), dir, new RunDirectory.Provenance(java.util.Map.of()), null);
        Path tbDir = dir.resolve("tensorboard");
        Path file;
        try (var s = Files.list(tbDir)) {
            file = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst().orElseThrow();
        }
        boolean[] trunc = {false};
        List<TensorBoardWriterTest.Event> events = TensorBoardWriterTest.read(Files.readAllBytes(file), trunc);
        assertTrue(!trunc[0]);
        List<String> rows = Files.readAllLines(dir.resolve("metrics.jsonl"));
        int found = 0;
        for (String line : rows) {
            JsonNode row = Json.MAPPER.readTree(line);
            long step = row.path("step").asLong();
            double loss = row.path("train_loss").asDouble();
            for (TensorBoardWriterTest.Event e : events) {
                int i = e.tags().indexOf("train_loss");
                if (e.step() == step && i >= 0) {
                    assertEquals((float) loss, e.values().get(i), 0.0f);
                    found++;
                }
            }
        }
        assertEquals(rows.size(), found, "every metrics row has its train_loss scalar");
        assertTrue(events.stream().anyMatch(e -> e.tags().contains("sharpness/sharpness")), "diagnostic scalars too");
    }

    @Test
    void theReportOfARunWithSharpnessHasItsFigures() throws Exception {
        Path dir = tmp.resolve("rep");
        RunDirectory.run(Spec.parse(SPEC, "rep", List.of()), dir, new RunDirectory.Provenance(java.util.Map.of()), null);
        Path html = RunReport.write(dir);
        String page = Files.readString(html);
        for (String fig : new String[] {"loss", "sharpness"}) {
            assertTrue(Files.isRegularFile(dir.resolve("plots").resolve(fig + ".svg")), fig + ".svg missing");
            assertTrue(Files.isRegularFile(dir.resolve("plots").resolve(fig + ".png")), fig + ".png missing");
        }
        assertTrue(page.contains("<svg"), "figures are inline");
    }

    @Test
    void aSecondWriterIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
        Path dir = tmp.resolve("locked");
        Files.createDirectories(dir);
        try (var ch = java.nio.channels.FileChannel.open(dir.resolve(".lock"), java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE); var lock = ch.lock()) {
            // the lock belongs to this JVM: tryLock in the same JVM throws OverlappingFileLockException, which the
            // directory reports as "in use" just like a lock held by another process
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RunDirectory.run(Spec.parse(SPEC, "x", List.of()), dir, new RunDirectory.Provenance(java.util.Map.of()),
                            null));
            assertTrue(e.getMessage().contains("in use"), e.getMessage());
        }
    }
}
