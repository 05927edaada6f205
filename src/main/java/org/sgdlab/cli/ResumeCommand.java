package org.sgdlab.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sgdlab.experiment.RunDirectory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sgdlab resume RUN_DIR}: continue a killed or interrupted run from its last checkpoint. */
@Command(name = "resume", mixinStandardHelpOptions = true,
        description = "Continue a run from its last checkpoint; the metrics equal an uninterrupted run's byte for byte.")
final class ResumeCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_DIR")
    Path dir;

    @Option(names = "--quiet", description = "Print only errors and the final lines (the run's outcome and report): no "
            + "progress.")
    boolean quiet;

    @Option(names = "--no-report", description = "Do not rebuild report.html at the end.")
    boolean noReport;

    @Override
    public Integer call() throws Exception {
        Progress p = quiet ? null : Progress.forStderr(10, dir.getFileName().toString());
        RunDirectory.Outcome o = RunDirectory.resume(dir, p);
        return RunCommand.finish(o, !noReport);
    }
}
