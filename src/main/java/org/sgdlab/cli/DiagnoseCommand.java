package org.sgdlab.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.NpyData;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.StaticProbe;
import org.sgdlab.experiment.Json;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.Spec;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.nn.ParamsIO;
import org.sgdlab.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sgdlab diagnose}: measure a spec's diagnostics once at given weights (and optionally other
 * data), e.g. to cross-check another tool or to analyse weights trained elsewhere.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = "Measure the diagnostics of a spec once at the given parameters and print them.")
final class DiagnoseCommand implements Callable<Integer> {

    @Option(names = "--spec", required = true, paramLabel = "SPEC", description = "Spec giving model, loss, data, "
            + "optimizer (for the threshold) and the diagnostics to measure.")
    Path spec;

    @Option(names = "--params", required = true, paramLabel = "P.npz", description = "Parameters, one array per layer "
            + "name (as saved in a run's params.npz or from PyTorch's state_dict).")
    Path params;

    @Option(names = "--data", paramLabel = "D.npz", description = "Training data instead of the spec's: arrays x and y.")
    Path data;

    @Option(names = "--classes", defaultValue = "0", description = "With --data: number of classes when y holds labels.")
    int classes;

    @Option(names = "--step", defaultValue = "0", description = "The step to report (selects the learning rate and the "
            + "random streams, as in the run).")
    long step;

    @Option(names = "--set", paramLabel = "PATH=VALUE", description = "Override a spec field.")
    List<String> sets = new java.util.ArrayList<>();

    @Option(names = "--json", description = "Print JSON (default: one line per diagnostic field).")
    boolean json;

    @Override
    public Integer call() {
        requireFile("--params", params);
        if (data != null) {
            requireFile("--data", data);
        }
        Spec s = Spec.load(spec, sets);
        TrainConfig c = s.built().config();
        Problem p = c.problem();
        if (data != null) {
            Dataset d = NpyData.loadNpz("diagnose-data", data, "x", "y", classes);
            p = new Problem(p.model(), p.loss(), d, null, p.physicalBatch());
        }
        Tensor theta = ParamsIO.load(params, p.model().layout());
        StaticProbe probe = StaticProbe.of(p, theta).withSeed(c.seed()).withStep(step)
                .withOptimizer(c.optimizer().name(), c.optimizer().lr(step), c.optimizer().threshold(step),
                        c.optimizer().beta(), null);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("step", step);
        out.put("train_loss", p.loss(theta, p.train()));
        for (Scheduled sd : c.diagnostics()) {
            Diagnostic<?> d = sd.diagnostic();
            Record r = d.measure(probe);
            out.put(d.name(), r);
        }
        if (json) {
            System.out.println(Json.pretty(out));
        } else {
            out.forEach((k, v) -> System.out.println(k + ": " + (v instanceof Record ? Json.line(v) : v)));
        }
        return 0;
    }

    private static void requireFile(String option, Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + ": " + (java.nio.file.Files.exists(file)
                    ? "not a file" : "file not found") + " (an .npz archive)");
        }
    }
}
