package org.sgdlab.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.sgdlab.tensor.Blas;

/** Runs the engine benchmark, optionally PyTorch's reference beside it, and formats the result. */
public final class EngineReport {

    private EngineReport() {
    }

    /** Options of one benchmark run. */
    public record Options(boolean quick, boolean memory, boolean compareTorch, Path torchScript) {
    }

    /** Runs everything and returns the JSON-ready result. */
    public static Map<String, Object> run(Options o, PrintStream progress) throws IOException, InterruptedException {
        List<EngineBench.Workload> ws = EngineBench.workloads();
        // The workloads are timed in rounds, each round timing every workload once (and PyTorch's
        // version right after it), so that the ratios to matmul_1024 and to PyTorch are taken between
        // timings seconds apart: a shared 2-core VM drifts by tens of percent within a minute. Round 0
        // warms everything up (JIT, caches, allocator) and is not counted; every figure is a median over
        // the counted rounds. The warm-up round runs each workload for seconds: with shorter warm-ups the
        // JIT was still recompiling (a forward+backward took 200-300 ms instead of 45 in the next rounds).
        int rounds = o.quick() ? 3 : 7;
        double warmupBudget = o.quick() ? 1.5 : 3.0;
        double budget = o.quick() ? 0.4 : 0.8;
        int minRepeats = o.quick() ? 2 : 4;
        int warmup = o.quick() ? 2 : 5;
        Map<String, List<EngineBench.Result>> mine = new LinkedHashMap<>();
        Map<String, List<Double>> theirs = new LinkedHashMap<>();
        String torchVersion = null;
        TorchServer ts = null;
        try {
            if (o.compareTorch()) {
                progress.println("starting the PyTorch reference (" + o.torchScript() + ") ...");
                ts = TorchServer.start(o.torchScript());
                torchVersion = ts.version;
            }
            for (int k = 0; k <= rounds; k++) {
                progress.printf(Locale.ROOT, k == 0 ? "warm-up round ...%n" : "round %d of %d ...%n", k, rounds);
                for (EngineBench.Workload w : ws) {
                    double b = k == 0 ? warmupBudget : budget;
                    EngineBench.Result m = EngineBench.time(w, minRepeats, b, k == 0 ? warmup : 1);
                    Double t = ts == null ? null : ts.time(w.id(), b, minRepeats, k == 0 ? warmup : 1);
                    if (k > 0) {
                        mine.computeIfAbsent(w.id(), x -> new ArrayList<>()).add(m);
                        if (t != null) {
                            theirs.computeIfAbsent(w.id(), x -> new ArrayList<>()).add(t);
                        }
                    }
                }
            }
        } finally {
            if (ts != null) {
                ts.close();
            }
        }
        Map<String, EngineBench.Result> res = new LinkedHashMap<>();
        Map<String, Double> fraction = new LinkedHashMap<>();
        Map<String, Double> torch = new LinkedHashMap<>();
        Map<String, Double> ratio = new LinkedHashMap<>();
        Map<String, List<Double>> ratioRounds = new LinkedHashMap<>();
        List<EngineBench.Result> mm = mine.get("matmul_1024");
        for (EngineBench.Workload w : ws) {
            List<EngineBench.Result> m = mine.get(w.id());
            res.put(w.id(), EngineBench.merge(w, m));
            List<Double> f = new ArrayList<>();
            for (int k = 0; k < rounds; k++) {
                f.add(m.get(k).gflops() / mm.get(k).gflops());
            }
            fraction.put(w.id(), median(f));
            if (theirs.containsKey(w.id())) {
                List<Double> t = theirs.get(w.id());
                List<Double> r = new ArrayList<>();
                for (int k = 0; k < rounds; k++) {
                    r.add(round(m.get(k).medianMs() / t.get(k)));
                }
                torch.put(w.id(), median(t));
                ratio.put(w.id(), median(r));
                ratioRounds.put(w.id(), r);
            }
        }
        Map<String, Double> heap = new LinkedHashMap<>();
        if (o.memory()) {
            double precision = o.quick() ? 0.10 : 0.03;
            progress.println("measuring peak heap (smallest -Xmx that runs the workload, in child JVMs) ...");
            double base = MemoryMeter.minHeapMb("none", precision, 4096);
            for (String id : new String[] {"mlp_fwd_bwd", "mlp_hvp"}) {
                double mb = MemoryMeter.minHeapMb(id, precision, 8192);
                heap.put(id, mb < 0 ? Double.NaN : Math.max(0, mb - base));
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        for (EngineBench.Result r : res.values()) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", r.id());
            row.put("what", r.what());
            row.put("median_ms", round(r.medianMs()));
            row.put("min_ms", round(r.minMs()));
            row.put("repeats", r.repeats());
            row.put("gflops", round(r.gflops()));
            row.put("fraction_of_matmul", round(fraction.get(r.id())));
            if (heap.containsKey(r.id())) {
                row.put("peak_heap_mb", round(heap.get(r.id())));
            }
            if (torch.containsKey(r.id())) {
                row.put("torch_ms", round(torch.get(r.id())));
                row.put("ratio_vs_torch", round(ratio.get(r.id())));
                row.put("ratio_rounds", ratioRounds.get(r.id()));
            }
            rows.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("blas", Blas.get().name());
        out.put("blas_detail", Blas.get().detail());
        out.put("java", System.getProperty("java.version"));
        out.put("variant", o.quick() ? "quick" : "full");
        if (torchVersion != null) {
            out.put("torch", torchVersion);
        }
        out.put("workloads", rows);
        out.put("rounds", rounds);
        out.put("targets", targets(res, fraction, heap, ratio));
        return out;
    }

    private static List<Map<String, Object>> targets(Map<String, EngineBench.Result> r, Map<String, Double> fraction,
                                                     Map<String, Double> heap, Map<String, Double> ratio) {
        List<Map<String, Object>> t = new ArrayList<>();
        target(t, "mlp_fwd_bwd reaches >= 60% of matmul GFLOP/s", fraction.get("mlp_fwd_bwd"), ">=", 0.6);
        target(t, "mlp_hvp reaches >= 60% of matmul GFLOP/s", fraction.get("mlp_hvp"), ">=", 0.6);
        target(t, "mlp_hvp time <= 3x mlp_fwd_bwd", r.get("mlp_hvp").medianMs() / r.get("mlp_fwd_bwd").medianMs(), "<=", 3.0);
        if (heap.size() == 2) {
            target(t, "mlp_hvp peak heap <= 3x mlp_fwd_bwd", heap.get("mlp_hvp") / heap.get("mlp_fwd_bwd"), "<=", 3.0);
        }
        if (!ratio.isEmpty()) {
            target(t, "mlp_fwd_bwd time / torch <= 0.8", ratio.get("mlp_fwd_bwd"), "<=", 0.8);
            target(t, "mlp_hvp time / torch <= 0.8", ratio.get("mlp_hvp"), "<=", 0.8);
            target(t, "sgd_step_small time / torch <= 0.3", ratio.get("sgd_step_small"), "<=", 0.3);
        }
        return t;
    }

    private static void target(List<Map<String, Object>> t, String what, double value, String op, double bound) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("target", what);
        m.put("measured", round(value));
        m.put("met", op.equals(">=") ? value >= bound : value <= bound);
        t.add(m);
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }

    private static double median(List<Double> xs) {
        return EngineBench.median(xs.stream().mapToDouble(Double::doubleValue).sorted().toArray());
    }

    /**
     * {@code bench/torch_reference.py --serve} as a child process: one JSON line per timing request,
     * so that sgdlab and PyTorch can be timed in alternating rounds.
     */
    static final class TorchServer implements AutoCloseable {
        private static final String INSTALL = "it needs Debian's python3-torch with libopenblas0-pthread: "
                + "sudo apt-get install python3-torch libopenblas0-pthread";
        private final Process process;
        private final BufferedReader from;
        private final Writer to;
        final String version;

        private TorchServer(Process process, BufferedReader from, Writer to, String version) {
            this.process = process;
            this.from = from;
            this.to = to;
            this.version = version;
        }

        static TorchServer start(Path script) throws IOException {
            if (!Files.isRegularFile(script)) {
                throw new IllegalArgumentException("PyTorch reference script not found at " + script);
            }
            String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
            Process p = new ProcessBuilder(python, script.toString(), "--serve")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader from = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Writer to = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            JsonNode hello = readJson(from);
            if (hello == null || !hello.path("ready").asBoolean()) {
                p.destroyForcibly();
                throw new IllegalArgumentException("the PyTorch reference did not start (" + script + "); " + INSTALL);
            }
            return new TorchServer(p, from, to, hello.path("torch").asText());
        }

        /** PyTorch's median time of workload {@code id} in ms. */
        double time(String id, double budgetSeconds, int minRepeats, int warmup) throws IOException {
            to.write(String.format(Locale.ROOT, "time %s %s %d %d%n", id, budgetSeconds, minRepeats, warmup));
            to.flush();
            JsonNode r = readJson(from);
            if (r == null || !r.has("median_ms")) {
                throw new IllegalStateException("the PyTorch reference failed on " + id + ": "
                        + (r == null ? "it exited (exit " + exitCode() + ")" : r.path("error").asText()));
            }
            return r.path("median_ms").asDouble();
        }

        private String exitCode() {
            try {
                return process.waitFor(5, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "none yet";
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "unknown";
            }
        }

        private static JsonNode readJson(BufferedReader r) throws IOException {
            String line = r.readLine();
            return line == null ? null : new ObjectMapper().readTree(line);
        }

        @Override
        public void close() {
            try {
                to.write("quit\n");
                to.flush();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (IOException e) {
                process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A plain-text table of the result. */
    @SuppressWarnings("unchecked")
    public static void print(Map<String, Object> r, PrintStream out) {
        out.printf(Locale.ROOT, "sgdlab engine benchmark (%s; float64; BLAS %s; Java %s)%n", r.get("variant"), r.get("blas_detail"),
                r.get("java"));
        out.printf(Locale.ROOT, "medians over %s rounds after a warm-up round; \"of matmul\" and \"vs torch\" are medians of "
                + "per-round ratios%n", r.get("rounds"));
        if (r.containsKey("torch")) {
            out.println("PyTorch reference: torch " + r.get("torch") + " (CPU, float64, 2 threads), timed right after sgdlab in each round");
        }
        out.printf(Locale.ROOT, "%-16s %10s %9s %10s %12s %10s %10s%n", "workload", "median ms", "GFLOP/s", "of matmul",
                "peak heap MB", "torch ms", "vs torch");
        for (Map<String, Object> w : (List<Map<String, Object>>) r.get("workloads")) {
            out.printf(Locale.ROOT, "%-16s %10.3f %9.1f %9.0f%% %12s %10s %10s%n", w.get("id"), (Double) w.get("median_ms"),
                    (Double) w.get("gflops"), 100 * (Double) w.get("fraction_of_matmul"),
                    w.containsKey("peak_heap_mb") ? String.format(Locale.ROOT, "%.0f", (Double) w.get("peak_heap_mb")) : "-",
                    w.containsKey("torch_ms") ? String.format(Locale.ROOT, "%.3f", (Double) w.get("torch_ms")) : "-",
                    w.containsKey("ratio_vs_torch") ? String.format(Locale.ROOT, "%.2fx", (Double) w.get("ratio_vs_torch")) : "-");
        }
        out.println();
        for (Map<String, Object> t : (List<Map<String, Object>>) r.get("targets")) {
            out.printf(Locale.ROOT, "  %-4s %-45s measured %.3f%n", Boolean.TRUE.equals(t.get("met")) ? "met" : "MISS",
                    t.get("target"), (Double) t.get("measured"));
        }
    }
}
