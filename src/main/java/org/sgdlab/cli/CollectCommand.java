package org.sgdlab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sgdlab.experiment.Json;
import org.sgdlab.experiment.Sweep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sgdlab collect DIR}: one CSV row per run (parameters, status, final metrics, diagnostics' last values). */
@Command(name = "collect", mixinStandardHelpOptions = true, description = "Merge the runs of a sweep, or every run"
        + " directory under DIR (with the spec fields that differ between them), into one CSV.")
final class CollectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR", description = "A sweep directory, or a directory of run directories.")
    Path dir;

    @Option(names = "--out", paramLabel = "FILE", description = "CSV file (default: DIR/sweep.csv for a sweep, "
            + "DIR/runs.csv for a directory of runs; '-' for stdout).")
    String out;

    @Override
    public Integer call() {
        String csv = Sweep.collect(dir);
        if ("-".equals(out)) {
            System.out.print(csv);
        } else {
            Path f = out != null ? Path.of(out)
                    : dir.resolve(java.nio.file.Files.isRegularFile(dir.resolve("sweep.json")) ? "sweep.csv" : "runs.csv");
            Json.writeAtomically(f, csv);
            System.out.println("wrote " + f + " (" + (csv.split("\n").length - 1) + " runs)");
        }
        return 0;
    }
}
