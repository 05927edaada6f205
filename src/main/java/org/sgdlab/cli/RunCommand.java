package org.sgdlab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sgdlab.experiment.RunDirectory;
import org.sgdlab.experiment.Spec;
import org.sgdlab.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sgdlab run SPEC}: validate a spec, train, write the run directory and its report. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a spec (YAML or JSON) into a run directory.")
final class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SPEC", description = "The run spec (see 'sgdlab spec --example').")
    Path spec;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a spec field, e.g. optimizer.lr=0.1 "
            + "(repeatable; values are YAML).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<name>, numbered if taken).")
    Path out;

    @Option(names = "--quiet", description = "Print only errors and the final lines (the run's outcome and report): no "
            + "header, no progress.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (Files.isDirectory(spec)) {
            throw new IllegalArgumentException("spec file " + spec + " is a directory; expected a spec file (YAML or JSON, "
                    + "see 'sgdlab spec --example'; to continue a run directory use 'sgdlab resume')");
        }
        if (!Files.isRegularFile(spec)) {
            throw new IllegalArgumentException("spec file " + spec + " not found");
        }
        Spec s = Spec.load(spec, sets);
        Path dir = out != null ? out : freshDir(Path.of("runs"), s.built().name());
        RunDirectory.requireFresh(dir);                       // refused before the header, not after it
        if (!quiet) {
            System.err.println("sgdlab run " + s.built().name() + " -> " + dir);
            System.err.println("  " + s.resolved().path("meta").path("model").asText());
            System.err.println("  " + s.resolved().path("meta").path("loss").asText());
            System.err.println("  " + s.resolved().path("meta").path("optimizer").asText());
        }
        Progress p = quiet ? null : Progress.forStderr(s.built().outputs().progressSeconds(), s.built().name());
        RunDirectory.Outcome o = RunDirectory.run(s, dir, new RunDirectory.Provenance(Version.facts()), p);
        return finish(o, s.built().outputs().report());
    }

    static int finish(RunDirectory.Outcome o, boolean report) throws Exception {
        var r = o.result();
        System.out.printf(Locale.ROOT, "%s: %s at step %d (%s); final train loss %s%n", o.dir(), r.status().id(), r.steps(),
                r.reason(), fmt(r.lastValue("train_loss")));
        if (report) {
            Path html = RunReport.write(o.dir());
            System.out.println("report: " + html);
        }
        return 0;
    }

    static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : String.valueOf(v);
    }

    /** {@code base/name}, or {@code base/name-2}, {@code -3}, ... if taken. */
    static Path freshDir(Path base, String name) {
        Path p = base.resolve(name);
        for (int i = 2; Files.exists(p); i++) {
            p = base.resolve(name + "-" + i);
        }
        return p;
    }
}
