package org.sgdlab.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Spec validation: every problem at once, each with path, value and what is allowed. */
class SpecTest {

    static final String GOOD = """
            name: t
            steps: 10
            data: {name: digits, train_size: 50, test_size: 10}
            model: {name: mlp, widths: [64, 8, 10]}
            optimizer: {name: sgd, lr: 0.1}
            sampler: {name: epoch-shuffle, batch_size: 10}
            """;

    @Test
    void aValidSpecResolvesDefaults() {
        Spec s = Spec.parse(GOOD, "x", List.of());
        assertEquals("t", s.built().name());
        assertEquals(10, s.built().config().steps());
        assertEquals("half", s.resolved().path("loss").path("mse_convention").asText());
        assertEquals(1, s.resolved().path("train").path("eval_every").asInt());
        assertTrue(s.resolved().path("meta").path("loss").asText().contains("1/2"), "the convention is in the header");
        assertTrue(s.yaml().contains("mse_convention: half"));
        // the resolved spec validates again and builds the same thing
        Spec again = Spec.parse(s.yaml(), "y", List.of());
        assertEquals(s.resolved().toString(), again.resolved().toString());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        String bad = """
                steps: -3
                data: {name: digits, train_size: 50}
                model: {name: mlp, widths: [64, 8, 10]}
                optimizer: {name: adamw, lr: 0.1}
                loss: {name: mse, mse_convention: quarter}
                sampler: {name: epoch-shuffle}
                colour: blue
                """;
        SpecException e = assertThrows(SpecException.class, () -> Spec.parse(bad, "x", List.of()));
        List<String> p = e.problems();
        assertTrue(has(p, "steps: -3 must be >= 0"), p.toString());
        assertTrue(has(p, "optimizer.name: 'adamw' is not one of [gd, sgd, heavy-ball, polyak, nesterov]"), p.toString());
        assertTrue(has(p, "loss.mse_convention: 'quarter' is not one of [half, plain]"), p.toString());
        assertTrue(has(p, "sampler.batch_size: missing"), p.toString());
        assertTrue(has(p, "colour: unknown field"), p.toString());
        assertTrue(p.size() >= 5);
    }

    @Test
    void aBatchSizeBelowOneIsReportedWithItsValueNotAsMissing() {
        for (String sampler : List.of("epoch-shuffle", "full-batch")) {
            for (String size : List.of("0", "-1")) {
                SpecException e = assertThrows(SpecException.class, () -> Spec.parse(GOOD, "x",
                        List.of("sampler.name=" + sampler, "sampler.batch_size=" + size)));
                assertEquals(List.of("sampler.batch_size: " + size + " must be >= 1"), e.problems(), sampler);
            }
        }
    }

    @Test
    void gdWithMiniBatchesIsRefusedNotMislabelled() {
        SpecException e = assertThrows(SpecException.class, () -> Spec.parse(GOOD, "x", List.of("optimizer.name=gd")));
        assertEquals(List.of("optimizer.name: gd is full-batch gradient descent, but sampler 'epoch-shuffle' draws"
                + " batches of 10 < n = 50; use sgd (the same update on mini-batches) or the full-batch sampler"),
                e.problems());
        e = assertThrows(SpecException.class, () -> Spec.parse(GOOD, "x", List.of("optimizer.name=gd",
                "sampler.name=iid-with-replacement", "sampler.batch_size=50")));
        assertEquals(List.of("optimizer.name: gd is full-batch gradient descent, but sampler 'iid-with-replacement'"
                + " draws its 50 examples with replacement; use sgd (the same update on mini-batches) or the full-batch"
                + " sampler"), e.problems());
        // batches of n without replacement are full batches, in any order
        Spec s = Spec.parse(GOOD, "x", List.of("optimizer.name=gd", "sampler.batch_size=50"));
        assertEquals("gd", s.built().config().optimizer().name());
        assertEquals("sgd", Spec.parse(GOOD, "x", List.of()).built().config().optimizer().name());
    }

    /** What a diagnostic cannot measure on the spec's model, loss or data is refused before any run starts. */
    @Test
    void diagnosticsThatCannotMeasureTheProblemAreSpecProblems() {
        String dln = "data={name: sparse-regression, n: 20, d: 30, r: 3}";
        List<String[]> cases = List.of(
                new String[] {"model={name: diagonal-linear, d: 30}", dln, "diagnostics={feature_sparsity: {every: 2}}",
                    "diagnostics.feature_sparsity.layers: the model exposes no hidden-layer outputs"},
                new String[] {"model.widths=[64, 8, 10]", "data.name=digits", "diagnostics={relu_patterns: {layers: [3]}}",
                    "diagnostics.relu_patterns.layers: "},
                new String[] {"loss.name=cross-entropy", "data.name=digits", "diagnostics={ntk: {every: 2}}",
                    "diagnostics.ntk: the normalised tangent kernel (2c/n) J J^T and the loss split need the squared"
                            + " loss 'mse', got 'cross-entropy'"},
                new String[] {"loss.name=cross-entropy", "data.name=digits", "diagnostics={batch_kernel: {every: 2}}",
                    "diagnostics.batch_kernel: the normalised tangent kernel"},
                new String[] {"model.widths=[64, 8, 10]", "data.name=digits", "diagnostics={agop: {every: 2}}",
                    "diagnostics.agop.target: 'auto' takes the target from the training set's name, but 'digits-50'"},
                new String[] {"model.widths=[64, 8, 10]", "data.name=digits", "diagnostics={dln: {every: 2}}",
                    "diagnostics.dln.u_block: the model has no block 'u' (its blocks: 0.weight, 0.bias, 2.weight,"
                            + " 2.bias)"},
                new String[] {"model.widths=[64, 8, 10]", "data.name=digits", "diagnostics={symmetry: {every: 2}}",
                    "diagnostics.symmetry.w_block: the model has no block 'W'"},
                new String[] {"model.widths=[64, 8, 10]", "data.name=digits",
                    "diagnostics={dln: {u_block: 0.weight, v_block: 2.weight}}",
                    "diagnostics.dln: u and v must be vectors of equal length, got [512] and [80]"});
        for (String[] c : cases) {
            SpecException e = assertThrows(SpecException.class,
                    () -> Spec.parse(GOOD, "x", List.of(c[0], c[1], c[2])), c[2]);
            assertEquals(1, e.problems().size(), e.problems().toString());
            assertTrue(e.problems().get(0).startsWith(c[3]), e.problems().get(0));
        }
        // the same diagnostics where they apply
        Spec.parse(GOOD, "x", List.of("diagnostics={feature_sparsity: {every: 2}, relu_patterns: {layers: [1]}, "
                + "ntk: {every: 2}, batch_kernel: {every: 2}}"));
        Spec.parse(GOOD, "x", List.of("data={name: gaussian-target, target: x1x2, n: 40, d: 5}",
                "model.widths=[5, 8, 1]", "diagnostics={agop: {every: 2}}"));
        Spec.parse(GOOD, "x", List.of("data={name: sparse-regression, n: 20, d: 30, r: 3}",
                "model={name: diagonal-linear, d: 30}", "diagnostics={dln: {every: 2}}"));
        Spec.parse(GOOD, "x", List.of("data={name: gaussian-mixture, n: 20, d: 5, classes: 3}",
                "model={name: two-layer-linear, d: 5, h: 4, k: 3}", "diagnostics={symmetry: {every: 2}}"));
    }

    @Test
    void overridesApplyBeforeValidation() {
        Spec s = Spec.parse(GOOD, "x", List.of("optimizer.lr=0.3", "model.widths=[64, 4, 10]", "train.eval_every=2"));
        assertEquals(0.3, s.built().config().optimizer().lr(0), 0);
        assertEquals(2, s.built().config().evalEvery());
        assertEquals(64 * 4 + 4 + 4 * 10 + 10, s.built().config().problem().model().numParams());
        SpecException e = assertThrows(SpecException.class, () -> Spec.parse(GOOD, "x", List.of("optimizer.name=adamw")));
        assertTrue(e.getMessage().contains("optimizer.name: 'adamw'"), e.getMessage());
        assertThrows(SpecException.class, () -> Spec.parse(GOOD, "x", List.of("nonsense")));
    }

    @Test
    void aModelThatDoesNotFitTheDataIsAnError() {
        SpecException e = assertThrows(SpecException.class, () -> Spec.parse(GOOD, "x", List.of("model.widths=[10, 8, 10]")));
        assertTrue(e.getMessage().contains("model: does not fit the data"), e.getMessage());
    }

    @Test
    void unknownDiagnosticListsTheKnownOnes() {
        SpecException e = assertThrows(SpecException.class,
                () -> Spec.parse(GOOD + "diagnostics: {curvature_magic: {every: 5}}\n", "x", List.of()));
        assertTrue(e.getMessage().contains("diagnostics.curvature_magic: unknown diagnostic 'curvature_magic'; known: ["),
                e.getMessage());
    }

    @Test
    void theAnnotatedExampleValidatesAndDocumentsEveryResolvedField() throws Exception {
        String text;
        try (var in = Spec.class.getResourceAsStream("/org/sgdlab/experiment/example-spec.yaml")) {
            text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        Spec s = Spec.parse(text, "example", List.of());
        assertEquals(1500, s.built().config().steps());
        assertEquals(1000, s.built().config().sampler().batchSize(), "full-batch: all 1000 training examples");
        // the example stays valid when the data grows or the sampler becomes a mini-batch one
        assertEquals(1500, Spec.parse(text, "example", List.of("data.train_size=1500")).built().config().sampler()
                .batchSize());
        assertEquals(50, Spec.parse(text, "example", List.of("optimizer.name=sgd", "sampler.name=epoch-shuffle",
                "sampler.batch_size=50")).built().config().sampler().batchSize());
        // every field the resolver fills in (outside the free-form registries and meta) appears in the example
        var tree = s.resolved();
        for (String section : List.of("train", "stop", "events", "outputs", "loss", "sampler")) {
            tree.path(section).fieldNames().forEachRemaining(k ->
                    assertTrue(text.contains(k + ":"), "example-spec.yaml does not document " + section + "." + k));
        }
        for (String top : List.of("name", "seed", "steps")) {
            assertTrue(text.contains(top + ":"), top);
        }
    }

    /** The name is the run directory's name under runs/: one path segment, so a run cannot write elsewhere. */
    @Test
    void theNameIsOnePathSegmentInsideTheRunsDirectory() {
        String rule = "; the run name becomes the run directory's name under runs/, so it must be one non-blank path"
                + " segment without '/', '\\', control characters or a leading '.'";
        String[][] bad = {
            {"../../escape", "name: '../../escape' contains '/'"},
            {"a/b", "name: 'a/b' contains '/'"},
            {"a\\b", "name: 'a\\b' contains '\\'"},
            {".hidden", "name: '.hidden' starts with '.'"},
            {"..", "name: '..' starts with '.'"},
            {"''", "name: '' is blank"},
            {"'  '", "name: '  ' is blank"},
            {"\"tab\\there\"", "name: 'tab\\u0009here' contains the control character U+0009"},
        };
        for (String[] c : bad) {
            SpecException e = assertThrows(SpecException.class, () -> Spec.parse(GOOD, "x", List.of("name=" + c[0])),
                    c[0]);
            assertEquals(List.of(c[1] + rule), e.problems(), c[0]);
        }
        for (String ok : List.of("run-1", "lr=0.1 seed 3", "a.b", "ünïcode")) {
            assertEquals(ok, Spec.parse(GOOD, "x", List.of("name=" + ok)).built().name());
        }
        // a default from the spec file's name is checked too, and the message says where it came from
        SpecException e = assertThrows(SpecException.class, () -> Spec.parse(GOOD.replace("name: t\n", ""), ".hidden",
                List.of()));
        assertEquals(List.of("name: '.hidden' starts with '.'" + rule + " (this default comes from the spec file's name;"
                + " set name: in the spec or --set name=NAME)"), e.problems());
    }

    /** Messages speak the spec's field names and values, not the Java names behind them, and say each prefix once. */
    @Test
    void messagesNameTheSpecFields() {
        String[][] cases = {
            {"diagnostics.sharpness.kk=3", "diagnostics.sharpness: unknown parameter 'kk'; known: k, tol,"},
            {"data.test_size=-3", "data: data 'digits': test_size = -3 must be >= 0"},
            {"data.train_size=0", "data: data 'digits': train_size = 0 must be >= 1"},
            {"data.label_noise=2.0", "data: data 'digits': label_noise = 2.0 must be in [0, 1] (the fraction of training"
                    + " labels replaced by a uniformly drawn class)"},
            {"data.label_noise=-0.5", "data: data 'digits': label_noise = -0.5 must be in [0, 1]"},
            {"optimizer.lr=-0.1", "optimizer.lr: -0.1 must be a learning rate > 0 (a number, or a schedule spec such as"
                    + " {name: linear-warmup, eta: 0.2, warmup_steps: 100})"},
            {"optimizer.lr=0", "optimizer.lr: 0 must be a learning rate > 0"},
            {"optimizer.lr={name: linear-warmup, eta: -1, warmup_steps: 3}",
                "optimizer.lr: schedule 'linear-warmup': eta must be finite and > 0, got -1.0"},
        };
        for (String[] c : cases) {
            SpecException e = assertThrows(SpecException.class, () -> Spec.parse(GOOD, "x", List.of(c[0])), c[0]);
            assertEquals(1, e.problems().size(), e.problems().toString());
            assertTrue(e.problems().get(0).startsWith(c[1]), c[0] + " -> " + e.problems().get(0));
        }
        // a bad learning rate does not hide the optimizer's other problems
        SpecException e = assertThrows(SpecException.class, () -> Spec.parse(GOOD, "x", List.of("optimizer.lr=-1",
                "optimizer.beta=0.5")));
        assertEquals(2, e.problems().size(), e.problems().toString());
        assertTrue(e.problems().get(1).startsWith("optimizer: optimizer 'sgd': unknown parameter"), e.problems().get(1));
    }

    private static boolean has(List<String> problems, String prefix) {
        return problems.stream().anyMatch(s -> s.startsWith(prefix));
    }
}
