package org.sgdlab.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.sgdlab.report.RunReport;
import org.sgdlab.report.SweepReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code sgdlab report DIR}: (re)build report.html and plots/ of a run or a sweep. */
@Command(name = "report", mixinStandardHelpOptions = true, description = "(Re)build the HTML report of a run or sweep directory.")
final class ReportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_OR_SWEEP_DIR")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + " is not a directory");
        }
        JsonNode summary = org.sgdlab.experiment.RunDirectory.readJson(dir.resolve("summary.json"));
        if (summary != null && summary.hasNonNull("study")) {
            throw new IllegalArgumentException(dir + " is the directory of study '" + summary.get("study").asText()
                    + "'; its report.html comes from the study's analysis, which 'report' cannot redo. Run the same 'sgdlab"
                    + " study' command again: it replays the runs that finished and rewrites the report");
        }
        Path html;
        if (Files.isRegularFile(dir.resolve("sweep.json")) || (Files.isDirectory(dir.resolve("runs"))
                && !Files.isRegularFile(dir.resolve("spec.yaml")))) {
            html = SweepReport.write(dir);
        } else if (Files.isRegularFile(dir.resolve("metrics.jsonl")) || Files.isRegularFile(dir.resolve("spec.yaml"))) {
            html = RunReport.write(dir);
        } else {
            throw new IllegalArgumentException(dir + " is neither a run directory (spec.yaml, metrics.jsonl) nor a sweep "
                    + "directory (sweep.json)");
        }
        System.out.println("report: " + html);
        return 0;
    }
}
