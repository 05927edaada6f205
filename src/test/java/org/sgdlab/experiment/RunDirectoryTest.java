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

    /** Reads the one TensorBoard event file of a run directory. */
    static List<TensorBoardWriterTest.Event> tensorboardEvents(Path dir) throws Exception {
        Path file;
        try (var s = Files.list(dir.resolve("tensorboard"))) {
            file = s.filter(p -> p.getFileName().toString().startsWith("events.out.tfevents.")).findFirst()
                    .orElseThrow();
        }
        boolean[] trunc = {false};
        List<TensorBoardWriterTest.Event> events = TensorBoardWriterTest.read(Files.readAllBytes(file), trunc);
        assertTrue(!trunc[0]);
        return events;
    }

    /** The float32 TensorBoard value of {@code tag} at {@code step}, or null when there is none. */
    static Float tensorboardValue(List<TensorBoardWriterTest.Event> events, long step, String tag) {
        Float found = null;
        for (TensorBoardWriterTest.Event e : events) {
            int i = e.tags().indexOf(tag);
            if (e.step() == step && i >= 0) {
                assertEquals(null, found, tag + " written twice at step " + step);
                found = e.values().get(i);
            }
        }
        return found;
    }

    /**
     * Per-layer values (a list of records), the NTK loss split (a map of numbers) and eigenvalue lists reach
     * TensorBoard as NAME/layers/I/FIELD, NAME/loss_top_S, NAME/ntk_eig/I with the values of the jsonl lines, and
     * the report draws the per-layer fields with a line per layer.
     */
    @Test
    void nestedDiagnosticValuesReachTensorBoardAndTheReport() throws Exception {
        String spec = """
                steps: 10
                data: {name: digits, train_size: 60, test_size: 20}
                model: {name: mlp, widths: [64, 12, 8, 10], activation: relu}
                optimizer: {name: sgd, lr: 0.2}
                sampler: {name: epoch-shuffle, batch_size: 20}
                diagnostics:
                  feature_sparsity: {every: 5, layers: all}
                  ntk: {every: 5}
                outputs: {checkpoint_every: 0}
                """;
        Path dir = tmp.resolve("nested");
        RunDirectory.run(Spec.parse(spec, "nested", List.of()), dir, new RunDirectory.Provenance(java.util.Map.of()),
                null);
        List<TensorBoardWriterTest.Event> events = tensorboardEvents(dir);
        int checked = 0;
        for (String line : Files.readAllLines(dir.resolve("diagnostics/feature_sparsity.jsonl"))) {
            JsonNode rec = Json.MAPPER.readTree(line);
            long step = rec.path("step").asLong();
            if (!rec.path("trigger").asText().equals("schedule")) {
                continue;                               // TensorBoard holds the scheduled measurements
            }
            assertEquals(2, rec.path("layers").size(), line);
            for (int i = 0; i < 2; i++) {
                JsonNode layer = rec.path("layers").get(i);
                assertEquals(i + 1, layer.path("layer").asInt());
                for (String f : List.of("activation_density", "feature_sparsity", "n_alive", "neurons")) {
                    String tag = "feature_sparsity/layers/" + i + "/" + f;
                    assertEquals((float) layer.path(f).asDouble(), tensorboardValue(events, step, tag),
                            tag + " at " + step);
                    checked++;
                }
            }
            assertEquals((float) rec.path("threshold").asDouble(),
                    tensorboardValue(events, step, "feature_sparsity/threshold"), "the flat tag is unchanged");
        }
        assertEquals(2 * 2 * 4, checked, "steps 0 and 5 (step 10 is the final measurement) x 2 layers x 4 fields");
        for (String line : Files.readAllLines(dir.resolve("diagnostics/ntk.jsonl"))) {
            JsonNode rec = Json.MAPPER.readTree(line);
            long step = rec.path("step").asLong();
            if (!rec.path("trigger").asText().equals("schedule")) {
                continue;
            }
            for (String f : List.of("loss_top_1", "loss_rest_1", "loss_top_5", "loss_rest_5", "loss", "eta_crit")) {
                assertTrue(rec.path(f).isNumber(), f + " in " + line);
                assertEquals((float) rec.path(f).asDouble(), tensorboardValue(events, step, "ntk/" + f),
                        f + " at " + step);
            }
            assertEquals(10, rec.path("ntk_eig").size());
            for (int i = 0; i < 10; i++) {
                assertEquals((float) rec.path("ntk_eig").get(i).asDouble(),
                        tensorboardValue(events, step, "ntk/ntk_eig/" + i), "ntk_eig " + i + " at " + step);
            }
        }
        for (TensorBoardWriterTest.Event e : events) {
            for (String tag : e.tags()) {
                assertTrue(!tag.endsWith("/step") && !tag.endsWith("/converged") && !tag.contains("."), tag);
            }
        }
        String page = Files.readString(RunReport.write(dir));
        assertTrue(Files.isRegularFile(dir.resolve("plots/diag_feature_sparsity.svg")), "per-layer figure");
        assertTrue(page.contains("layers[i].activation_density"), "a panel per field");
        assertTrue(page.contains("layers[i].neurons = 12, 8"), "constant per-layer fields named with their values");
        String svg = Files.readString(dir.resolve("plots/diag_feature_sparsity.svg"));
        assertTrue(svg.contains("\">layer 1</text>") && svg.contains("\">layer 2</text>"),
                "one line per layer, named by its layer");
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
