package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Synthetic;
import org.sgdlab.experiment.Json;
import org.sgdlab.nn.DiagonalLinearNet;
import org.sgdlab.nn.Model;
import org.sgdlab.optim.Schedule;
import org.sgdlab.optim.Schedules;
import org.sgdlab.report.Verdict;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** The sparse-features study (STUDIES.md §7): its quick variant end to end, and its models against §7. */
class SparseFeaturesStudyTest {

    private static final List<String> GATES = List.of("SF1a", "SF1b", "SF1c", "SF1d", "SF2a", "SF2b", "SF3a", "SF4a",
            "SF4b", "SF4c", "SF4d", "SF5a", "SF5b", "SF5c", "SF5d");
    private static final List<String> REPORTS = List.of("SF1e", "SF2c", "SF3b", "SF4e", "SF5e");

    @Test
    void quickVariantPassesEveryGateAndWritesItsRecord(@TempDir Path dir) throws Exception {
        StudyContext ctx = new StudyContext(true, 0, 0, dir, null, 2, false, null);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        StudyRunner.Outcome o = StudyRunner.run(new SparseFeaturesStudy(), ctx, new PrintStream(buf, true,
                StandardCharsets.UTF_8));
        String table = buf.toString(StandardCharsets.UTF_8);
        StudyResult r = o.result();
        for (String id : GATES) {
            Verdict v = r.verdict(id);
            assertNotNull(v, id + " missing\n" + table);
            assertEquals(Verdict.Kind.GATE, v.kind(), id);
            assertEquals(Verdict.Outcome.PASS, v.outcome(), id + " failed\n" + table);
        }
        for (String id : REPORTS) {
            assertEquals(Verdict.Kind.REPORT, r.verdict(id).kind(), id);
        }
        assertEquals(GATES.size() + REPORTS.size(), r.verdicts().size(), table);
        // dropped in the quick variant (§7.9)
        assertEquals(null, r.verdict("SF6"));
        assertEquals(null, r.verdict("SF7a"));
        assertEquals(null, r.verdict("SF8"));
        assertTrue(o.passed(), table);

        JsonNode s = Json.MAPPER.readTree(dir.resolve("summary.json").toFile());
        assertEquals("sparse-features", s.get("study").asText());
        assertEquals("quick", s.get("variant").asText());
        assertTrue(s.get("verdicts").isArray());
        List<String> ids = new ArrayList<>();
        for (JsonNode v : s.get("verdicts")) {
            for (String key : List.of("id", "claim", "gate", "pass", "measured", "criterion")) {
                assertTrue(v.has(key), "verdict without '" + key + "': " + v);
            }
            ids.add(v.get("id").asText());
        }
        assertEquals("sparse-features.SF1a", ids.get(0));
        assertTrue(ids.contains("sparse-features.SF5e"), ids.toString());
        JsonNode runs = s.get("runs");
        // SF1 8 x 5, SF2 2 x (1 + 2 + 2), SF4 5 x 2, SF5 6 x 4
        assertEquals(40 + 10 + 10 + 24, runs.size());
        for (JsonNode run : runs) {
            for (String key : List.of("id", "experiment", "seed", "config", "eta", "status", "steps", "train_loss")) {
                assertTrue(run.has(key), "run without '" + key + "': " + run);
            }
        }
        JsonNode bis = s.get("extra").get("eta_crit_bisections");
        assertEquals(8, bis.get("SF1").size());
        JsonNode b0 = bis.get("SF1").get("seed0");
        assertTrue(b0.get("eta_lo").asDouble() < b0.get("eta_crit").asDouble());
        assertTrue(b0.get("probes").size() >= 1 + SparseFeaturesBisection.STEPS);
        assertTrue(Files.size(dir.resolve("report.html")) > 1000);
        assertFalse(Files.exists(dir.resolve("runs")), "saveRuns = false writes no run directories");
    }

    // ------------------------------------------------------------------ building blocks against §7

    @Test
    void dlnStartsAtTheAuthorsConstInitAndTheDataFollowTheCommonSetup() {
        Tensor t0 = DiagonalLinearNet.product(30).init(Rng.stream(0, Rng.INIT));
        for (int j = 0; j < 30; j++) {
            assertEquals(0.1, t0.flat(j));
            assertEquals(0.0, t0.flat(30 + j));
        }
        StudyContext ctx = new StudyContext(true, 0, 0, null, null, 1, false, null);
        SparseFeaturesDln.Seed s = SparseFeaturesDln.seed(ctx, "SF1", 3, 20, 30, 3);
        Tensor theta = s.task().truth("theta_star");
        assertEquals(1.0, theta.norm(), 1e-12);
        for (int j = 0; j < 30; j++) {
            assertTrue(j < 3 ? theta.flat(j) > 0 : theta.flat(j) == 0, "theta*_" + j);
        }
        assertEquals(20, s.problem().train().size());
        assertEquals(1000, s.problem().test().size());
        // y = X theta*, checked with a loop
        for (int i = 0; i < 20; i++) {
            double y = 0;
            for (int j = 0; j < 30; j++) {
                y += s.problem().train().x().get(i, j) * theta.flat(j);
            }
            assertEquals(y, s.problem().train().y().get(i, 0), 1e-12);
        }
        // the loss is ||X(u*v) - y||^2 / (2n): at beta = 0 it is ||y||^2 / (2n)
        double yy = s.problem().train().y().square().sum().item();
        assertEquals(yy / 40, s.problem().loss(s.theta0(), s.problem().train()), 1e-12);
    }

    @Test
    void sf4NetworkHasTheAuthorsInitAndBiasInTheFirstLayerOnly() {
        Model m = SparseFeaturesRelu.sf4Model();
        assertEquals(100 + 100 + 100, m.numParams());
        Tensor t = m.init(Rng.stream(5, Rng.INIT));
        int plus = 0;
        for (int j = 0; j < 100; j++) {
            assertEquals(2.5, Math.abs(t.flat(j)), "w_" + j);
            plus += t.flat(j) > 0 ? 1 : 0;
        }
        assertTrue(plus > 25 && plus < 75, "fair signs: " + plus);
        assertEquals(2.5, sd(t, 100, 200), 0.5);
        assertEquals(4.0, sd(t, 200, 300), 0.8);
        // f(x) = sum_j a_j ReLU(w_j x + b_j), checked with a loop at x = 0.3
        double f = 0;
        for (int j = 0; j < 100; j++) {
            f += t.flat(200 + j) * Math.max(0, t.flat(j) * 0.3 + t.flat(100 + j));
        }
        assertEquals(f, m.apply(t, Tensor.of(new double[] {0.3}, 1, 1)).item(), 1e-9);
        Dataset pts = Synthetic.sf4Points();
        assertEquals(12, pts.size());
        assertEquals((0 - 5.5) / 4 + 0.07, pts.x().flat(0), 1e-15);
        assertEquals(0.345 - 2, pts.y().flat(0), 1e-15);
    }

    @Test
    void sf5StudentHasScaledGaussianWeightsAndFanInUniformBiases() {
        Model m = SparseFeaturesRelu.sf5Model();
        assertEquals(181, m.numParams());
        Tensor t = m.init(Rng.stream(1, Rng.INIT));
        // layout: 0.weight [10, 5], 0.bias [10], 2.weight [10, 10], 2.bias [10], 4.weight [1, 10], 4.bias [1]
        int[][] blocks = {{0, 50, 5}, {60, 160, 10}, {170, 180, 10}};
        int[][] biases = {{50, 60, 5}, {160, 170, 10}, {180, 181, 10}};
        double ss = 0;
        int cnt = 0;
        for (int[] b : blocks) {
            for (int i = b[0]; i < b[1]; i++) {
                ss += t.flat(i) * t.flat(i);
                cnt++;
            }
        }
        assertEquals(0.8, Math.sqrt(ss / cnt), 0.12);
        for (int[] b : biases) {
            for (int i = b[0]; i < b[1]; i++) {
                assertTrue(Math.abs(t.flat(i)) <= 1 / Math.sqrt(b[2]), "bias " + i + " = " + t.flat(i));
            }
        }
    }

    @Test
    void sf6And7StudentsFollowTheirInits() {
        Model m6 = SparseFeaturesRelu.sf6Model();
        assertEquals(40 + 20, m6.numParams());
        Tensor t6 = m6.init(Rng.stream(2, Rng.INIT));
        for (int i = 40; i < 60; i++) {
            assertEquals(0.0, t6.flat(i), "second layer starts at 0");
        }
        assertEquals(0.5, sd(t6, 0, 40), 0.15);
        Model m7 = SparseFeaturesRelu.sf7Model();
        assertEquals(20 * 100 + 100 + 100 * 100 + 100 + 100 + 1, m7.numParams());
        Tensor t7 = m7.init(Rng.stream(2, Rng.INIT));
        assertEquals(Math.sqrt(2.0 / 100), sd(t7, 2100, 12100), 0.01);
        assertEquals(0.0, t7.flat(2000));
    }

    @Test
    void teacherStudentTasksFollowSections75To77() {
        // SF5: x on the unit sphere of R^5; teacher 5 -> 2 -> 2 -> 1 with biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))
        Synthetic.Task t5 = Synthetic.sf5(50, 1000, Rng.stream(4, Rng.DATA));
        assertEquals(50, t5.train().size());
        assertEquals(1000, t5.test().size());
        int[][] shapes = {{2, 5}, {2, 2}, {1, 2}};
        for (int l = 1; l <= 3; l++) {
            assertArrayEquals(shapes[l - 1], t5.truth("w" + l).shape());
            Tensor b = t5.truth("b" + l);
            for (int i = 0; i < b.size(); i++) {
                assertTrue(Math.abs(b.flat(i)) <= 1 / Math.sqrt(shapes[l - 1][1]), "b" + l);
            }
        }
        for (int i = 0; i < 50; i++) {
            double nrm = 0;
            for (int j = 0; j < 5; j++) {
                nrm += Math.pow(t5.train().x().get(i, j), 2);
            }
            assertEquals(1.0, nrm, 1e-12);
            assertEquals(teacher(t5, t5.train().x(), i, 3, 5), t5.train().y().get(i, 0), 1e-12);
        }
        // SF6: inputs on the unit circle, teacher rows of unit norm, output weights +-1, no biases
        Synthetic.Task t6 = Synthetic.sf6(15, 1000, Rng.stream(4, Rng.DATA));
        Tensor w = t6.truth("w1");
        for (int j = 0; j < 3; j++) {
            assertEquals(1.0, Math.hypot(w.get(j, 0), w.get(j, 1)), 1e-12);
            assertEquals(1.0, Math.abs(t6.truth("w2").get(0, j)));
        }
        for (int i = 0; i < 15; i++) {
            assertEquals(1.0, Math.hypot(t6.train().x().get(i, 0), t6.train().x().get(i, 1)), 1e-12);
            assertEquals(teacher(t6, t6.train().x(), i, 2, 2), t6.train().y().get(i, 0), 1e-12);
        }
        // SF7: x ~ N(0, I/20), y standardised over the training set
        Synthetic.Task t7 = Synthetic.sf7(500, 1000, Rng.stream(4, Rng.DATA));
        assertEquals(1.0 / 20, t7.train().x().square().mean().item(), 0.005);
        assertEquals(0.0, t7.train().y().mean().item(), 1e-12);
        assertEquals(1.0, t7.train().y().square().mean().item(), 1e-12);
    }

    /** The ReLU teacher of a task at row i, by loops: hidden layers ReLU(W h + b), last layer linear. */
    private static double teacher(Synthetic.Task t, Tensor x, int i, int layers, int d) {
        double[] h = new double[d];
        for (int j = 0; j < d; j++) {
            h[j] = x.get(i, j);
        }
        for (int l = 1; l <= layers; l++) {
            Tensor w = t.truth("w" + l);
            Tensor b = t.truth().get("b" + l);
            double[] z = new double[w.dim(0)];
            for (int o = 0; o < z.length; o++) {
                z[o] = b == null ? 0 : b.flat(o);
                for (int j = 0; j < h.length; j++) {
                    z[o] += w.get(o, j) * h[j];
                }
                if (l < layers) {
                    z[o] = Math.max(0, z[o]);
                }
            }
            h = z;
        }
        return h[0];
    }

    @Test
    void toyScheduleReachesTheStatedPeaks() {
        // SF4: peak gamma (1 + (F - 1) f^e): 2.28e-4 and 2.01e-2; SF5 (F = 6, e = 0.5): 0.103, 0.150, 0.181
        double[][] cases = {{2e-4, 8, 1, 0.02, 2.5, 31_623, 2.28e-4}, {2e-4, 200, 1, 0.5, 3.0, 31_623, 2.01e-2},
                {0.04, 6, 0.5, 0.1, 3.5, 10_001, 0.103}, {0.04, 6, 0.5, 0.3, 2.5, 10_001, 0.150},
                {0.04, 6, 0.5, 0.5, 5.0, 10_001, 0.181}};
        for (double[] c : cases) {
            Schedule s = Schedules.toyWarmupDecay(c[0], c[1], c[2], c[3], c[4], (long) c[5]);
            long k = (long) Math.floor(c[3] * c[5]);
            double peak = s.lr(k - 1);
            assertEquals(c[6], peak, 0.006 * c[6], java.util.Arrays.toString(c));
            assertEquals(s.lr(k - 1) / c[4], s.lr(k + 5), 0.01 * peak);
        }
    }

    private static double sd(Tensor t, int lo, int hi) {
        double ss = 0;
        for (int i = lo; i < hi; i++) {
            ss += t.flat(i) * t.flat(i);
        }
        return Math.sqrt(ss / (hi - lo));
    }
}
