package org.sgdlab.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sgdlab.studies.Studies;
import org.sgdlab.studies.Study;
import org.sgdlab.studies.StudyContext;
import org.sgdlab.studies.StudyRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code sgdlab study NAME}: run a built-in paper reproduction and print its verdicts. */
@Command(name = "study", mixinStandardHelpOptions = true,
        description = {"Run a built-in study (a paper's phenomenon, measured the paper's way) and print a verdict per claim.",
            "Exit code 0 when every gate passes, 1 otherwise. 'sgdlab study --list' shows the studies."})
final class StudyCommand implements Callable<Integer> {

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = "--list", description = "List the studies with their papers, claims and runtimes.")
    boolean list;

    @Option(names = "--quick", description = "The quick variant (minutes; the one the test suite runs).")
    boolean quick;

    @Option(names = "--seed", defaultValue = "0", description = "Base seed from which every run's seeds derive (default 0: "
            + "the calibrated reference seeds).")
    long seed;

    @Option(names = "--seeds", paramLabel = "N", description = "Number of seeds (>= 1) where a study uses several "
            + "(default: the study's own count).")
    Integer seeds;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default: studies/<name>[-quick]).")
    Path out;

    @Option(names = "--data", description = "Only for the studies that take it (eos, eoss): digits (calibrated, the "
            + "default), fashion-mnist, or synthetic.")
    String data;

    @Option(names = "--jobs", defaultValue = "2", description = "Independent runs executed at once (default 2).")
    int jobs;

    @Option(names = "--no-save-runs", description = "Do not write a run directory per training run.")
    boolean noSaveRuns;

    @Option(names = "--fresh", description = "Train every run again. By default a run that an earlier attempt in the same"
            + " --out finished with the same build and options is replayed from its runs/<id>/journal.bin, bit for bit, so"
            + " a killed study continues where it stopped.")
    boolean fresh;

    /** The values of --data; the first is the default. */
    static final java.util.List<String> DATA = java.util.List.of("digits", "fashion-mnist", "synthetic");

    /** The names of the studies that take --data. */
    static java.util.List<String> dataStudies() {
        return Studies.all().stream().filter(Study::usesData).map(Study::name).toList();
    }

    @Override
    public Integer call() throws Exception {
        if (list || name == null) {
            System.out.printf(Locale.ROOT, "%-18s %-10s %-10s %s%n", "study", "quick", "full", "paper: claim");
            for (Study s : Studies.all()) {
                System.out.printf(Locale.ROOT, "%-18s %-10s %-10s %s: %s%n", s.name(), s.quickRuntime(), s.fullRuntime(),
                        s.paper(), s.claim());
            }
            System.out.println("quick: measured wall time within one `sgdlab demo` on the 2-core reference machine (a run on its"
                    + " own adds JVM start-up and JIT warm-up, ~5-10 s); full: measured wall time, with the machine's load");
            return 0;
        }
        Study s = Studies.byName(name);
        if (data != null && !s.usesData()) {
            throw new IllegalArgumentException("--data " + data + ": study '" + s.name() + "' does not take --data (its "
                    + "data are fixed by its paper); the studies that take it: " + String.join(", ", dataStudies()));
        }
        if (data != null && !DATA.contains(data)) {
            throw new IllegalArgumentException("--data '" + data + "' is not one of " + DATA);
        }
        if (seeds != null && seeds < 1) {
            throw new IllegalArgumentException("--seeds must be >= 1, got " + seeds + " (leave it out for the study's own "
                    + "count)");
        }
        Path dir = out != null ? out : Path.of("studies", s.name() + (quick ? "-quick" : ""));
        StudyContext ctx = new StudyContext(quick, seed, seeds == null ? 0 : seeds, dir, data == null ? DATA.get(0) : data,
                jobs, !noSaveRuns, System.err::println, !fresh);
        return StudyRunner.run(s, ctx, System.out).passed() ? 0 : 1;
    }
}
