package org.sgdlab.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sgdlab.bench.EngineReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sgdlab bench ...}: performance benchmarks (never part of the unit tests). */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Run performance benchmarks.",
        subcommands = {BenchCommand.Engine.class, BenchCommand.LanczosCmd.class})
final class BenchCommand implements Callable<Integer> {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(System.out);
        return 0;
    }

    @Command(name = "engine", mixinStandardHelpOptions = true,
            description = {"Time the engine on four float64 workloads and measure the peak heap of two of them.",
                "A warm-up round, then 7 timed rounds; medians. The workloads:",
                "  mlp_fwd_bwd     tanh MLP 784-512-512-10, MSE, batch 1000: loss + gradient",
                "  mlp_hvp         one exact Hessian-vector product of that loss",
                "  matmul_1024     1024 x 1024 matrix product (the BLAS roofline)",
                "  sgd_step_small  one SGD step of a tanh MLP 50-256-1 on a batch of 10",
                "The peak heap is that of the first two (the smallest -Xmx that runs them)."})
    static final class Engine implements Callable<Integer> {
        @Option(names = "--json", description = "Print JSON instead of a table.")
        boolean json;

        @Option(names = "--quick", description = "3 shorter rounds and a coarser memory search (about a minute).")
        boolean quick;

        @Option(names = "--no-memory", description = "Skip the peak-heap measurement.")
        boolean noMemory;

        @Option(names = "--compare-torch", description = "Time each workload against bench/torch_reference.py (PyTorch, "
                + "CPU, float64, 2 threads) in alternating rounds and print the median sgdlab / PyTorch time ratio.")
        boolean compareTorch;

        @Option(names = "--torch-script", description = "Path of the PyTorch reference (default: bench/torch_reference.py "
                + "in the sgdlab directory).")
        Path torchScript;

        @Override
        public Integer call() throws Exception {
            Path script = torchScript != null ? torchScript
                    : Path.of(System.getProperty("sgdlab.home", "."), "bench", "torch_reference.py");
            Map<String, Object> r = EngineReport.run(new EngineReport.Options(quick, !noMemory, compareTorch, script),
                    json ? System.err : System.out);
            if (json) {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
            } else {
                EngineReport.print(r, System.out);
            }
            return 0;
        }
    }

    @Command(name = "lanczos", mixinStandardHelpOptions = true,
            description = {"Compare warm-started and cold-started Lanczos across a training run.",
                "GD on the eos network (digits, tanh MLP 64-128-128-10, eta = 0.2), sharpness every 20 steps measured",
                "both ways; prints HVPs per sharpness measurement for each."})
    static final class LanczosCmd implements Callable<Integer> {
        @Option(names = "--quick", description = "300 steps instead of 1500.")
        boolean quick;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        public Integer call() {
            Map<String, Object> r = org.sgdlab.bench.LanczosBench.run(quick);
            if (json) {
                System.out.println(org.sgdlab.experiment.Json.pretty(r));
            } else {
                r.forEach((k, v) -> System.out.println(k + ": " + (v instanceof Number || v instanceof String
                        || v instanceof Boolean ? v : org.sgdlab.experiment.Json.line(v))));
            }
            return 0;
        }
    }
}
