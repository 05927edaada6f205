package org.sgdlab.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.experiment.Sweep;

/** The commands end to end on tiny specs, including a real SIGKILL and resume. */
class CliTest {

    @TempDir
    Path tmp;

    static final String SPEC = """
            name: tiny
            steps: 60
            data: {name: digits, train_size: 120, test_size: 30}
            model: {name: mlp, widths: [64, 8, 10]}
            optimizer: {name: heavy-ball, lr: {name: linear-warmup, eta: 0.2, warmup_steps: 10}, beta: 0.5}
            sampler: {name: epoch-shuffle, batch_size: 12}
            train: {label_noise_std: 0.01}
            diagnostics: {noise: {every: 20}}
            outputs: {checkpoint_every: 20}
            """;

    record Out(int code, String out, String err) {
    }

    static synchronized Out cli(String... args) {
        PrintStream o = System.out;
        PrintStream e = System.err;
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        ByteArrayOutputStream be = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(bo, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(be, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Out(code, bo.toString(StandardCharsets.UTF_8), be.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
    }

    private Path write(String name, String text) throws Exception {
        Path p = tmp.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    /** Every command's help renders cleanly: picocli warns on stderr about a description it cannot format. */
    @Test
    void everyHelpPageRendersWithoutWarnings() {
        List<List<String>> paths = new ArrayList<>();
        collectCommands(new picocli.CommandLine(new Main()), new ArrayList<>(), paths);
        assertTrue(paths.size() >= 12, "commands found: " + paths);
        for (List<String> path : paths) {
            List<String> args = new ArrayList<>(path);
            args.add("--help");
            Out r = cli(args.toArray(new String[0]));
            assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: sgdlab"), String.join(" ", args) + ": " + r.out());
            assertEquals("", r.err(), String.join(" ", args) + " wrote to stderr");
        }
    }

    /** The first line of a command's description is its summary in its parent's command list: a whole sentence. */
    @Test
    void everyCommandSummaryIsAWholeSentence() {
        List<picocli.CommandLine> all = new ArrayList<>();
        collect(new picocli.CommandLine(new Main()), all);
        for (picocli.CommandLine c : all) {
            String[] d = c.getCommandSpec().usageMessage().description();
            assertTrue(d.length > 0, c.getCommandName() + " has no description");
            assertTrue(d[0].endsWith("."), c.getCommandSpec().qualifiedName() + ": summary '" + d[0] + "'");
        }
        // diagnose prints one line per diagnostic (its record as JSON), as its --json help says
        String json = new picocli.CommandLine(new Main()).getSubcommands().get("diagnose").getCommandSpec()
                .findOption("--json").description()[0];
        assertTrue(json.contains("one line per diagnostic,") && !json.contains("diagnostic field"), json);
    }

    private static void collect(picocli.CommandLine cl, List<picocli.CommandLine> out) {
        out.add(cl);
        cl.getSubcommands().values().forEach(c -> collect(c, out));
    }

    private static void collectCommands(picocli.CommandLine cl, List<String> path, List<List<String>> out) {
        out.add(path);
        for (var e : cl.getSubcommands().entrySet()) {
            List<String> sub = new ArrayList<>(path);
            sub.add(e.getKey());
            collectCommands(e.getValue(), sub, out);
        }
    }

    @Test
    void runWritesTheRunDirectoryAndReport() throws Exception {
        Path spec = write("tiny.yaml", SPEC);
        Path dir = tmp.resolve("run");
        Out r = cli("run", spec.toString(), "--out", dir.toString(), "--quiet");
        assertEquals(0, r.code(), r.err());
        // --quiet: no header and no progress, only the final lines
        assertEquals("", r.err());
        List<String> outLines = r.out().lines().toList();
        assertEquals(2, outLines.size(), r.out());
        assertTrue(outLines.get(0).startsWith(dir + ": completed at step 60 (max_steps); final train loss "), r.out());
        assertTrue(outLines.get(1).startsWith("report: ") && outLines.get(1).endsWith("report.html"), r.out());
        for (String f : new String[] {"spec.yaml", "metrics.jsonl", "metrics.csv", "summary.json", "events.jsonl",
            "report.html", "params.npz", "diagnostics/noise.jsonl", "timing.jsonl"}) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f + " missing");
        }
        JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
        assertEquals("completed", summary.path("status").asText());
        assertEquals(61, Files.readAllLines(dir.resolve("metrics.jsonl")).size());
        assertEquals(62, Files.readAllLines(dir.resolve("metrics.csv")).size());
        assertEquals(4, Files.readAllLines(dir.resolve("diagnostics/noise.jsonl")).size());   // 0, 20, 40, 60
        String specYaml = Files.readString(dir.resolve("spec.yaml"));
        assertTrue(specYaml.contains("blas:") && specYaml.contains("git:") && specYaml.contains("java:"), specYaml);
        assertTrue(Files.readString(dir.resolve("metrics.jsonl")).indexOf("seconds") < 0, "no wall clock in metrics");
        // the report command rebuilds it
        Out rep = cli("report", dir.toString());
        assertEquals(0, rep.code(), rep.err());
    }

    @Test
    void badSpecsExitWithCodeTwoAndListEveryProblem() throws Exception {
        Path spec = write("bad.yaml", SPEC.replace("heavy-ball", "adamw").replace("batch_size: 12", "batch_size: 0"));
        Out r = cli("run", spec.toString(), "--out", tmp.resolve("x").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("optimizer.name: 'adamw' is not one of"), r.err());
        assertTrue(r.err().contains("sampler.batch_size"), r.err());
        assertEquals(2, cli("run", tmp.resolve("nope.yaml").toString()).code());
        assertEquals(2, cli("run").code());
        Out d = cli("run", tmp.toString());
        assertEquals(2, d.code(), d.err());
        assertEquals("sgdlab: spec file " + tmp + " is a directory; expected a spec file (YAML or JSON, see 'sgdlab spec"
                + " --example'; to continue a run directory use 'sgdlab resume')", d.err().strip());
        // the name cannot lead the run directory out of runs/
        Out esc = cli("run", write("ok.yaml", SPEC).toString(), "--set", "name=../../escape");
        assertEquals(2, esc.code(), esc.err());
        assertTrue(esc.err().contains("name: '../../escape' contains '/'; the run name becomes the run directory's"
                + " name under runs/"), esc.err());
    }

    @Test
    void studyListNamesEveryStudyWithItsRuntimesAndBadArgumentsExitTwo() {
        Out list = cli("study", "--list");
        assertEquals(0, list.code(), list.err());
        for (String name : List.of("eos", "eoss", "catapult-gd", "catapult-sgd", "momentum-catapult", "symmetry",
                "sparse-features")) {
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(name + " ") && l.contains(" s ")),
                    "no line with a runtime for " + name + ":\n" + list.out());
        }
        Out unknown = cli("study", "no-such-study", "--quick");
        assertEquals(2, unknown.code(), unknown.out() + unknown.err());
        assertTrue(unknown.err().contains("no-such-study") && unknown.err().contains("sparse-features"), unknown.err());
        Out badData = cli("study", "eos", "--quick", "--data", "cifar");
        assertEquals(2, badData.code(), badData.out() + badData.err());
        assertTrue(badData.err().contains("--data 'cifar'"), badData.err());
        // --data on a study that does not use it is refused (it used to be ignored, and recorded in summary.json)
        Path ignored = tmp.resolve("catapult");
        Out unused = cli("study", "catapult-sgd", "--quick", "--data", "fashion-mnist", "--out", ignored.toString());
        assertEquals(2, unused.code(), unused.out() + unused.err());
        assertEquals("sgdlab: --data fashion-mnist: study 'catapult-sgd' does not take --data (its data are fixed by its"
                + " paper); the studies that take it: eos, eoss", unused.err().strip());
        assertFalse(Files.exists(ignored), "nothing runs");
        // --seeds counts seeds: 0 is not "the default" (leaving the option out is)
        for (String n : List.of("0", "-2")) {
            Out zero = cli("study", "catapult-sgd", "--quick", "--seeds", n, "--out", ignored.toString());
            assertEquals(2, zero.code(), zero.out() + zero.err());
            assertEquals("sgdlab: --seeds must be >= 1, got " + n + " (leave it out for the study's own count)",
                    zero.err().strip());
        }
        assertFalse(Files.exists(ignored), "nothing runs");
    }

    @Test
    void specExampleAndCheck() throws Exception {
        Out ex = cli("spec", "--example");
        assertEquals(0, ex.code());
        assertTrue(ex.out().contains("mse_convention"));
        Path spec = write("tiny.yaml", SPEC);
        Out chk = cli("spec", "--check", spec.toString(), "--set", "steps=5");
        assertEquals(0, chk.code(), chk.err());
        assertTrue(chk.out().contains("steps: 5") && chk.out().contains("eval_every: 1"), chk.out());
    }

    @Test
    void resumeAfterSigkillGivesIdenticalMetrics() throws Exception {
        String spec = SPEC.replace("steps: 60", "steps: 30000").replace("checkpoint_every: 20", "checkpoint_every: 200")
                .replace("diagnostics: {noise: {every: 20}}", "diagnostics: {noise: {every: 500}}");
        Path specFile = write("long.yaml", spec);
        Path full = tmp.resolve("full");
        Path killed = tmp.resolve("killed");
        assertEquals(0, cli("run", specFile.toString(), "--out", full.toString(), "--quiet").code());
        // a real process, killed with SIGKILL once it has written a checkpoint or two
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", specFile.toString(),
                "--out", killed.toString(), "--quiet"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && p.isAlive() && countCheckpoints(killed) < 2) {
            Thread.sleep(20);
        }
        Thread.sleep(150);
        assertTrue(p.isAlive(), "the run ended before it could be killed; make it longer");
        Out busy = cli("resume", killed.toString(), "--quiet");
        assertEquals(2, busy.code(), "a live run's directory must be refused: " + busy.err());
        assertTrue(busy.err().contains("in use by another process"), busy.err());
        assertEquals("running", org.sgdlab.experiment.RunDirectory.shownStatus(killed, "running"), "a live run is running");
        p.destroyForcibly();                                  // SIGKILL on Linux
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertTrue(Files.readString(killed.resolve("summary.json")).contains("\"running\""));
        // nothing runs it any more: report and collect call it interrupted and say how to continue it
        assertEquals("interrupted", org.sgdlab.experiment.RunDirectory.shownStatus(killed, "running"));
        assertEquals(0, cli("report", killed.toString()).code());
        assertTrue(Files.readString(killed.resolve("report.html")).contains("status: interrupted (continue it with: sgdlab resume "
                + killed + ")"));
        Out col = cli("collect", tmp.toString(), "--out", "-");
        assertTrue(col.out().lines().anyMatch(l -> l.startsWith("killed,") && l.contains(",interrupted,")), col.out());
        long before = Files.readAllLines(killed.resolve("metrics.jsonl")).size();
        assertTrue(before < 30001, "killed mid-run: " + before + " rows");
        // the lock of the killed process is stale: resume takes it
        Out r = cli("resume", killed.toString(), "--quiet", "--no-report");
        assertEquals(0, r.code(), r.err());
        assertEquals(-1, Files.mismatch(full.resolve("metrics.jsonl"), killed.resolve("metrics.jsonl")),
                "metrics.jsonl differs from the uninterrupted run");
        assertEquals(-1, Files.mismatch(full.resolve("metrics.csv"), killed.resolve("metrics.csv")),
                () -> "metrics.csv differs:\n" + head(full.resolve("metrics.csv")) + "\n---\n" + head(killed.resolve("metrics.csv")));
        assertEquals(-1, Files.mismatch(full.resolve("diagnostics/noise.jsonl"), killed.resolve("diagnostics/noise.jsonl")));
        assertEquals(2, cli("resume", killed.toString()).code(), "a finished run has nothing to resume");
    }

    private static String head(Path f) {
        try {
            return String.join("\n", Files.readAllLines(f).subList(0, 3));
        } catch (Exception e) {
            return e.toString();
        }
    }

    private static long countCheckpoints(Path run) throws Exception {
        Path d = run.resolve("checkpoints");
        if (!Files.isDirectory(d)) {
            return 0;
        }
        try (var s = Files.list(d)) {
            return s.filter(f -> f.toString().endsWith(".json")).count();
        }
    }

    @Test
    void sweepShardsCoverEveryPointOnceAndCollectMergesThem() throws Exception {
        Path spec = write("s.yaml", SPEC.replace("steps: 60", "steps: 6").replace("checkpoint_every: 20", "checkpoint_every: 3"));
        Path dir = tmp.resolve("sweep");
        List<String> grid = List.of("optimizer.beta=0.0,0.5", "seed=1,2,3");
        Set<String> seen = new HashSet<>();
        for (int shard = 0; shard < 4; shard++) {
            List<String> args = new ArrayList<>(List.of("sweep", spec.toString(), "--out", dir.toString(), "--shard",
                    shard + "/4", "--no-report"));
            for (String g : grid) {
                args.add("--grid");
                args.add(g);
            }
            Out o = cli(args.toArray(new String[0]));
            assertEquals(0, o.code(), o.err());
            for (String line : o.err().split("\n")) {
                if (line.matches("p\\d{4} .*: running")) {
                    assertTrue(seen.add(line.substring(0, 5)), "point run twice: " + line);
                }
            }
        }
        assertEquals(6, seen.size(), "every grid point exactly once: " + seen);
        List<Sweep.Point> pts = Sweep.points(List.of(Sweep.axis(grid.get(0)), Sweep.axis(grid.get(1))));
        int covered = 0;
        for (int s = 0; s < 4; s++) {
            covered += Sweep.shard(pts, s, 4).size();
        }
        assertEquals(6, covered);
        Out c = cli("collect", dir.toString(), "--out", "-");
        assertEquals(0, c.code(), c.err());
        String[] rows = c.out().split("\n");
        assertEquals(7, rows.length, c.out());
        assertTrue(rows[0].startsWith("id,optimizer.beta,seed,status,steps"), rows[0]);
        // the last record of each diagnostic: its numbers, read back from the run's own file
        List<String> header = List.of(rows[0].split(","));
        int trace = header.indexOf("noise.noise_trace");
        int at = header.indexOf("noise.step");
        assertTrue(trace > 0 && at > 0, rows[0]);
        for (int i = 1; i < rows.length; i++) {
            String[] cells = rows[i].split(",");
            List<String> noise = Files.readAllLines(dir.resolve("runs").resolve(cells[0]).resolve("diagnostics/noise.jsonl"));
            JsonNode last = new ObjectMapper().readTree(noise.get(noise.size() - 1));
            assertEquals(last.path("step").asLong(), Long.parseLong(cells[at]), rows[i]);
            assertEquals(last.path("noise_trace").asDouble(), Double.parseDouble(cells[trace]), 0.0, rows[i]);
        }
        // a torn last line (a writer killed mid-record) is skipped
        Path torn = tmp.resolve("torn.jsonl");
        Files.writeString(torn, "{\"step\":1,\"x\":2.5}\n{\"step\":2,\"x\":3.");
        assertEquals(2.5, Sweep.lastRecord(torn).path("x").asDouble());
        Files.writeString(torn, "");
        assertEquals(null, Sweep.lastRecord(torn));
        // running the sweep again skips the finished runs
        List<String> again = new ArrayList<>(List.of("sweep", spec.toString(), "--out", dir.toString(), "--no-report"));
        for (String g : grid) {
            again.add("--grid");
            again.add(g);
        }
        Out o = cli(again.toArray(new String[0]));
        assertEquals(0, o.code(), o.err());
        assertEquals(6, o.err().split("skipped", -1).length - 1, o.err());
        Out zero = cli("sweep", spec.toString(), "--out", dir.toString(), "--grid", grid.get(0), "--jobs", "0");
        assertEquals(2, zero.code(), zero.err());
        assertTrue(zero.err().contains("--jobs must be >= 1, got 0"), zero.err());
        Out slurm = cli("sweep", spec.toString(), "--out", dir.toString(), "--grid", grid.get(0), "--grid", grid.get(1),
                "--emit-slurm", tmp.resolve("job.sh").toString(), "--shard-count", "3");
        assertEquals(0, slurm.code(), slurm.err());
        assertTrue(Files.readString(tmp.resolve("job.sh")).contains("#SBATCH --array=0-2"));
    }

    /**
     * A sweep run again into its directory with another grid or --set is refused before anything runs (it used to
     * skip the old runs and label them with the new values); collect keeps a swept {@code steps} apart from the
     * steps a run did.
     */
    @Test
    void aSweepDirectoryOfAnotherSweepIsRefusedAndCollectKeepsStepsApart() throws Exception {
        Path spec = write("g.yaml", SPEC.replace("steps: 60", "steps: 4").replace("checkpoint_every: 20",
                "checkpoint_every: 2"));
        Path dir = tmp.resolve("g");
        assertEquals(0, cli("sweep", spec.toString(), "--out", dir.toString(), "--no-report", "--grid",
                "optimizer.lr.eta=0.1,0.2").code());
        byte[] index = Files.readAllBytes(dir.resolve("sweep.json"));
        Out same = cli("sweep", spec.toString(), "--out", dir.toString(), "--no-report", "--grid", "optimizer.lr.eta=0.1,0.2");
        assertEquals(0, same.code(), same.err());
        assertEquals(2, same.err().split("already completed, skipped", -1).length - 1, same.err());
        Out other = cli("sweep", spec.toString(), "--out", dir.toString(), "--no-report", "--grid", "optimizer.lr.eta=0.3,0.2");
        assertEquals(2, other.code(), other.err());
        assertTrue(other.err().contains("holds runs of another sweep"), other.err());
        assertTrue(other.err().contains("runs/p0000 {optimizer.lr.eta=0.3}: optimizer.lr.eta is 0.1 there, 0.3 here"),
                other.err());
        assertFalse(other.err().contains("runs/p0001"), "p0001 is the same run: " + other.err());
        Out set = cli("sweep", spec.toString(), "--out", dir.toString(), "--no-report", "--grid", "optimizer.lr.eta=0.1,0.2",
                "--set", "steps=5");
        assertEquals(2, set.code(), set.err());
        assertTrue(set.err().contains("steps is 4 there, 5 here"), set.err());
        assertArrayEquals(index, Files.readAllBytes(dir.resolve("sweep.json")), "a refused sweep leaves the index alone");

        Path steps = tmp.resolve("steps");
        assertEquals(0, cli("sweep", spec.toString(), "--out", steps.toString(), "--no-report", "--grid", "steps=2,3").code());
        String[] rows = cli("collect", steps.toString(), "--out", "-").out().split("\n");
        assertTrue(rows[0].startsWith("id,steps,status,steps_done,"), rows[0]);
        assertTrue(rows[1].startsWith("p0000,2,completed,2,"), rows[1]);
        assertTrue(rows[2].startsWith("p0001,3,completed,3,"), rows[2]);
        Out one = cli("sweep", spec.toString(), "--out", tmp.resolve("one").toString(), "--no-report", "--grid", "seed=1");
        assertTrue(one.err().contains(": 1 point; shard 0/1 runs 1"), one.err());
    }

    /** report on a study's directory would replace the study's own report (its analysis) with a sweep table. */
    @Test
    void reportRefusesAStudyDirectory() throws Exception {
        Path study = tmp.resolve("a-study");
        Files.createDirectories(study.resolve("runs").resolve("E-0.2"));
        Files.writeString(study.resolve("summary.json"), "{\"study\": \"eos\", \"variant\": \"quick\"}");
        Out o = cli("report", study.toString());
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains(study + " is the directory of study 'eos'"), o.err());
        assertTrue(o.err().contains("Run the same 'sgdlab study' command again"), o.err());
        assertFalse(Files.exists(study.resolve("report.html")));
    }

    @Test
    void diagnoseOnSavedWeightsEqualsTheLoggedValue() throws Exception {
        Path spec = write("d.yaml", SPEC.replace("diagnostics: {noise: {every: 20}}",
                "diagnostics: {noise: {every: 20, top_k: 2}}"));
        Path dir = tmp.resolve("drun");
        assertEquals(0, cli("run", spec.toString(), "--out", dir.toString(), "--quiet").code());
        List<String> lines = Files.readAllLines(dir.resolve("diagnostics/noise.jsonl"));
        JsonNode last = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertEquals(60, last.path("step").asLong());
        Out d = cli("diagnose", "--spec", spec.toString(), "--params", dir.resolve("params.npz").toString(), "--step", "60",
                "--json");
        assertEquals(0, d.code(), d.err());
        JsonNode got = new ObjectMapper().readTree(d.out());
        assertEquals(last.path("noise_trace").asDouble(), got.path("noise").path("noise_trace").asDouble(),
                1e-12 * Math.abs(last.path("noise_trace").asDouble()));
        assertEquals(last.path("noise_eig").get(0).asDouble(), got.path("noise").path("noise_eig").get(0).asDouble(),
                1e-6 * Math.abs(last.path("noise_eig").get(0).asDouble()));

        // a missing file is the user's to fix: exit 2, the option and the path named, no stack trace
        Path nope = tmp.resolve("nope.npz");
        Out np = cli("diagnose", "--spec", spec.toString(), "--params", nope.toString());
        assertEquals(2, np.code(), np.err());
        assertEquals("sgdlab: --params " + nope + ": file not found (an .npz archive)", np.err().strip());
        Out nd = cli("diagnose", "--spec", spec.toString(), "--params", dir.resolve("params.npz").toString(),
                "--data", dir.toString());
        assertEquals(2, nd.code(), nd.err());
        assertEquals("sgdlab: --data " + dir + ": not a file (an .npz archive)", nd.err().strip());
    }

    /**
     * diagnose hands its diagnostics the probe the run hands them at that step: batch_sharpness draws batches of the
     * sampler's size (not the whole training set), and sees sharpness's lambda_max of the same step.
     */
    @Test
    void diagnoseMeasuresBatchSharpnessAsTheRunDid() throws Exception {
        Path spec = write("bs.yaml", SPEC.replace("steps: 60", "steps: 20").replace("diagnostics: {noise: {every: 20}}",
                "diagnostics: {sharpness: {every: 20}, batch_sharpness: {every: 20, draws: 16}}"));
        Path dir = tmp.resolve("bsrun");
        assertEquals(0, cli("run", spec.toString(), "--out", dir.toString(), "--quiet", "--set", "outputs.report=false")
                .code());
        List<String> lines = Files.readAllLines(dir.resolve("diagnostics/batch_sharpness.jsonl"));
        JsonNode run = new ObjectMapper().readTree(lines.get(lines.size() - 1));
        assertEquals(20, run.path("step").asLong());
        assertEquals(12, run.path("batch_size").asInt(), run.toString());
        assertTrue(run.path("lambda_max").isNumber(), run.toString());
        Out d = cli("diagnose", "--spec", spec.toString(), "--params", dir.resolve("params.npz").toString(), "--step", "20",
                "--json");
        assertEquals(0, d.code(), d.err());
        JsonNode got = new ObjectMapper().readTree(d.out()).path("batch_sharpness");
        assertEquals(12, got.path("batch_size").asInt(), got.toString());
        assertEquals(run.path("threshold").asDouble(), got.path("threshold").asDouble(), 1e-12, "eta_t of the run");
        assertTrue(got.path("lambda_max").isNumber(), "sharpness's lambda_max reaches batch_sharpness: " + got);
        double lam = run.path("lambda_max").asDouble();
        assertEquals(lam, got.path("lambda_max").asDouble(), 1e-6 * Math.abs(lam));
        double bs = run.path("batch_sharpness").asDouble();
        assertEquals(bs, got.path("batch_sharpness").asDouble(), 1e-9 * Math.abs(bs), "the same batches, the same BS");
        assertEquals(run.path("batch_sharpness_se").asDouble(), got.path("batch_sharpness_se").asDouble(),
                1e-9 * Math.abs(bs));
    }

    /** collect on a plain directory of runs: one row per run, the spec fields that differ, the final values. */
    @Test
    void collectOfADirectoryOfRunsShowsTheFieldsThatDiffer() throws Exception {
        Path spec = write("tiny.yaml", SPEC.replace("steps: 60", "steps: 4"));
        Path parent = tmp.resolve("mine");
        assertEquals(0, cli("run", spec.toString(), "--out", parent.resolve("a").toString(), "--quiet").code());
        assertEquals(0, cli("run", spec.toString(), "--out", parent.resolve("b").toString(), "--quiet",
                "--set", "seed=3", "--set", "optimizer.lr.eta=0.1").code());
        Files.createDirectories(parent.resolve("notes"));
        Out c = cli("collect", parent.toString(), "--out", "-");
        assertEquals(0, c.code(), c.err());
        String[] rows = c.out().split("\n");
        assertEquals(3, rows.length, c.out());
        // the seed's derived streams (data.seed, sampler.seed) are resolved fields too, in the resolved spec's order
        assertTrue(rows[0].startsWith("dir,data.seed,optimizer.lr.eta,sampler.seed,seed,status,steps_done,spike_count,final_"),
                rows[0]);
        assertTrue(rows[1].startsWith("a,0,0.2,0,0,completed,4,"), rows[1]);
        assertTrue(rows[2].startsWith("b,3,0.1,3,3,completed,4,"), rows[2]);
        List<String> header = List.of(rows[0].split(","));
        for (int i = 1; i <= 2; i++) {
            String[] cells = rows[i].split(",");
            JsonNode summary = new ObjectMapper().readTree(parent.resolve(cells[0]).resolve("summary.json").toFile());
            assertEquals(summary.path("final").path("train_loss").asDouble(),
                    Double.parseDouble(cells[header.indexOf("final_train_loss")]), 0.0);
        }
        Out w = cli("collect", parent.toString());
        assertEquals(0, w.code(), w.err());
        assertEquals(c.out(), Files.readString(parent.resolve("runs.csv")));
        Out none = cli("collect", parent.resolve("notes").toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("is neither a sweep directory (no readable sweep.json) nor a directory of runs"),
                none.err());
    }

    @Test
    void aRunIntoAUsedDirectoryIsRefusedBeforeAnythingIsPrinted() throws Exception {
        Path spec = write("tiny.yaml", SPEC.replace("steps: 60", "steps: 2"));
        Path dir = tmp.resolve("used");
        assertEquals(0, cli("run", spec.toString(), "--out", dir.toString(), "--quiet").code());
        Out again = cli("run", spec.toString(), "--out", dir.toString(), "--quiet");
        assertEquals(2, again.code(), again.err());
        assertEquals("sgdlab: run directory " + dir + " already exists and is not empty; it holds a run that has ended"
                + " (status completed); choose another --out", again.err().strip());
    }

    @Test
    void aMissingFileDeepInACommandIsAUserError() {
        assertTrue(Main.isMissingFile(new java.io.UncheckedIOException("npz: file not found: x.npz",
                new java.nio.file.NoSuchFileException("x.npz"))));
        assertTrue(Main.isMissingFile(new RuntimeException(new java.io.FileNotFoundException("y"))));
        assertTrue(!Main.isMissingFile(new java.io.UncheckedIOException(new java.io.IOException("disk full"))));
        assertTrue(!Main.isMissingFile(new IllegalStateException("bug")));
        assertEquals("file not found: a/b.npz", Main.fileMessage(new java.nio.file.NoSuchFileException("a/b.npz")));
        assertEquals("permission denied: c", Main.fileMessage(new java.nio.file.AccessDeniedException("c")));
        assertEquals("npz: file not found: x.npz", Main.fileMessage(new java.io.UncheckedIOException(
                "npz: file not found: x.npz", new java.nio.file.NoSuchFileException("x.npz"))));
    }
}
