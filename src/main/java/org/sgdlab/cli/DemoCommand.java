package org.sgdlab.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.sgdlab.report.HtmlReport;
import org.sgdlab.studies.Studies;
import org.sgdlab.studies.Study;
import org.sgdlab.studies.StudyContext;
import org.sgdlab.studies.StudyRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code sgdlab demo}: the quick variant of every study, with an index page linking the reports. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the quick variant of every study on built-in data, print the verdicts and an index page.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo", description = "Output directory (default: demo).")
    Path out;

    @Option(names = "--seed", defaultValue = "0", description = "Base seed (default 0).")
    long seed;

    @Option(names = "--jobs", defaultValue = "2", description = "Independent runs executed at once (default 2).")
    int jobs;

    @Option(names = "--fresh", description = "Train every run again (by default runs an earlier demo in the same --out"
            + " finished are replayed from their journals, bit for bit).")
    boolean fresh;

    /** What a FAIL means and where its evidence is. */
    static final String FAILED_HINT = "A study FAILs when one of its gates misses the criterion of STUDIES.md; its report "
            + "shows the measured numbers next to the criterion, and docs/decisions.md lists the failures that "
            + "independent NumPy re-implementations (bench/crosscheck/) reproduce, i.e. calibration questions of the spec.";

    @Override
    public Integer call() throws Exception {
        List<StudyRunner.Outcome> outcomes = new ArrayList<>();
        long t0 = System.nanoTime();
        for (Study s : Studies.all()) {
            StudyContext ctx = new StudyContext(true, seed, 0, out.resolve(s.name()), "digits", jobs, true,
                    System.err::println, !fresh);
            outcomes.add(StudyRunner.run(s, ctx, System.out));
        }
        double total = (System.nanoTime() - t0) / 1e9;
        HtmlReport.Builder b = HtmlReport.builder("sgdlab demo: the quick variant of every study")
                .summary("studies", outcomes.size())
                .summary("passed", outcomes.stream().filter(StudyRunner.Outcome::passed).count())
                .summary("wall time", String.format(Locale.ROOT, "%.0f s", total));
        List<List<Object>> rows = new ArrayList<>();
        for (StudyRunner.Outcome o : outcomes) {
            rows.add(List.of(new HtmlReport.Link(o.study().name(), o.study().name() + "/report.html"), o.study().paper(),
                    o.study().claim(), o.passed() ? "PASS" : "FAIL", String.format(Locale.ROOT, "%.0f s", o.seconds())));
        }
        b.section("Studies").table(List.of("study", "paper", "claim", "verdict", "time"), rows);
        boolean anyFailed = !outcomes.stream().allMatch(StudyRunner.Outcome::passed);
        if (anyFailed) {
            b.text(FAILED_HINT);
        }
        Path index = b.build().write(out);
        System.out.printf(Locale.ROOT, "%ndemo: %d of %d studies pass (%.0f s); index: %s%n",
                outcomes.stream().filter(StudyRunner.Outcome::passed).count(), outcomes.size(), total, index);
        if (anyFailed) {
            System.out.println(FAILED_HINT);
        }
        return anyFailed ? 1 : 0;
    }
}
