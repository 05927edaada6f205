package org.sgdlab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sgdlab.experiment.Json;
import org.sgdlab.experiment.Sweep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sgdlab collect SWEEP_DIR}: one CSV row per run (parameters, status, final metrics). */
@Command(name = "collect", mixinStandardHelpOptions = true, description = "Merge the runs of a sweep into one CSV.")
final class CollectCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SWEEP_DIR")
    Path dir;

    @Option(names = "--out", paramLabel = "FILE", description = "CSV file (default: SWEEP_DIR/sweep.csv; '-' for stdout).")
    String out;

    @Override
    public Integer call() {
        String csv = Sweep.collect(dir);
        if ("-".equals(out)) {
            System.out.print(csv);
        } else {
            Path f = out == null ? dir.resolve("sweep.csv") : Path.of(out);
            Json.writeAtomically(f, csv);
            System.out.println("wrote " + f + " (" + (csv.split("\n").length - 1) + " runs)");
        }
        return 0;
    }
}
