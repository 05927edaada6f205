package org.sgdlab.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.sgdlab.experiment.Json;
import org.sgdlab.experiment.RunDirectory;
import org.sgdlab.experiment.Spec;
import org.sgdlab.experiment.Sweep;
import org.sgdlab.report.SweepReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code sgdlab sweep SPEC --grid path=v1,v2 ...}: a grid of runs, optionally one shard of it (for
 * Slurm job arrays and Kubernetes indexed Jobs), several at a time.
 */
@Command(name = "sweep", mixinStandardHelpOptions = true,
        description = {"Run a grid of specs: the cartesian product of the --grid values.",
            "Shards: --shard I/N, or SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT, or JOB_COMPLETION_INDEX with --shard-count N.",
            "Running the same sweep again skips finished runs and resumes interrupted ones."})
final class SweepCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "SPEC")
    Path spec;

    @Option(names = "--grid", paramLabel = "PATH=V1,V2,...", required = true,
            description = "A swept field and its values (repeatable; YAML values; lists in brackets).")
    List<String> grids = new ArrayList<>();

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "A fixed override for every run.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR", description = "Sweep directory (default: sweeps/<spec name>).")
    Path out;

    @Option(names = "--shard", paramLabel = "I/N", description = "Run only the points with index %% N == I (0 <= I < N).")
    String shard;

    @Option(names = "--shard-count", paramLabel = "N", description = "Number of shards when the index comes from "
            + "JOB_COMPLETION_INDEX (a Kubernetes indexed Job).")
    Integer shardCount;

    @Option(names = "--jobs", paramLabel = "K", defaultValue = "1", description = "Runs at a time in this process (default 1).")
    int jobs;

    @Option(names = "--emit-slurm", paramLabel = "FILE", description = "Write a Slurm job-array script for this sweep "
            + "instead of running it (one array task per shard; --shard-count sets the number of tasks, default: points).")
    Path emitSlurm;

    @Option(names = "--report", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Build the sweep report at the end (default: on).")
    boolean report;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(spec)) {
            throw new IllegalArgumentException("spec file " + spec + " not found");
        }
        if (jobs < 1) {
            throw new IllegalArgumentException("--jobs must be >= 1, got " + jobs);
        }
        List<Sweep.Axis> axes = new ArrayList<>();
        for (String g : grids) {
            axes.add(Sweep.axis(g));
        }
        List<Sweep.Point> all = Sweep.points(axes);
        String stem = spec.getFileName().toString().replaceFirst("\\.(ya?ml|json)$", "");
        Path dir = out != null ? out : Path.of("sweeps", stem);
        // validate every point before running anything: a typo fails fast with exit code 2, and so does a
        // directory that holds runs of another grid, --set or spec (a re-run of the same sweep skips or resumes)
        List<String> clashes = new ArrayList<>();
        for (Sweep.Point p : all) {
            List<String> ov = new ArrayList<>(sets);
            ov.addAll(p.overrides());
            String clash = Sweep.clash(dir, p, Spec.load(spec, ov));
            if (clash != null) {
                clashes.add("  " + clash);
            }
        }
        if (!clashes.isEmpty()) {
            throw new IllegalArgumentException("sweep directory " + dir + " holds runs of another sweep (another grid,"
                    + " --set or spec):\n" + String.join("\n", clashes.subList(0, Math.min(5, clashes.size())))
                    + (clashes.size() > 5 ? "\n  ... and " + (clashes.size() - 5) + " more" : "")
                    + "\nchoose another --out, or delete those run directories to run them again");
        }
        Files.createDirectories(dir);
        Sweep.writeIndex(dir, spec.toString(), axes, all);
        if (emitSlurm != null) {
            int tasks = shardCount != null ? shardCount : all.size();
            Path launcher = Path.of(System.getProperty("sgdlab.home", ".")).resolve("sgdlab").toAbsolutePath();
            Json.writeAtomically(emitSlurm, Sweep.slurmScript(launcher, spec.toAbsolutePath(), grids, sets,
                    dir.toAbsolutePath(), all.size(), tasks));
            System.out.println("wrote " + emitSlurm + " (" + count(all.size(), "point") + ", " + count(tasks, "array task")
                    + "): sbatch " + emitSlurm);
            return 0;
        }
        int[] sh = shard();
        List<Sweep.Point> mine = Sweep.shard(all, sh[0], sh[1]);
        System.err.println("sweep " + dir + ": " + count(all.size(), "point") + "; shard " + sh[0] + "/" + sh[1] + " runs "
                + mine.size() + (jobs > 1 ? ", " + jobs + " at a time" : ""));
        List<Sweep.PointResult> rs = Sweep.run(spec, sets, dir, mine, jobs,
                new RunDirectory.Provenance(Version.facts()), System.err::println);
        System.out.println("sweep " + dir + ": " + Sweep.tally(rs));
        if (report && sh[1] == 1) {
            System.out.println("report: " + SweepReport.write(dir));
        }
        return rs.stream().anyMatch(r -> r.status().equals("failed") || r.status().equals("invalid")) ? 1 : 0;
    }

    /** "1 point", "2 points". */
    static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    /** {shard, count} from --shard, Slurm or Kubernetes variables; {0, 1} by default. */
    int[] shard() {
        if (shard != null) {
            String[] p = shard.split("/");
            try {
                return new int[] {Integer.parseInt(p[0].trim()), Integer.parseInt(p[1].trim())};
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--shard " + shard + ": expected I/N, e.g. 0/4");
            }
        }
        String sid = System.getenv("SLURM_ARRAY_TASK_ID");
        String scount = System.getenv("SLURM_ARRAY_TASK_COUNT");
        if (sid != null && scount != null) {
            return new int[] {Integer.parseInt(sid.trim()), Integer.parseInt(scount.trim())};
        }
        String kid = System.getenv("JOB_COMPLETION_INDEX");
        if (kid != null) {
            if (shardCount == null) {
                throw new IllegalArgumentException("JOB_COMPLETION_INDEX is set: give the number of completions with --shard-count");
            }
            return new int[] {Integer.parseInt(kid.trim()), shardCount};
        }
        return new int[] {0, 1};
    }
}
