package org.sgdlab.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.NpyData;
import org.sgdlab.data.Samplers;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.StaticProbe;
import org.sgdlab.experiment.Json;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.Spec;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.nn.ParamsIO;
import org.sgdlab.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sgdlab diagnose}: measure a spec's diagnostics once at given weights (and optionally other
 * data), e.g. to cross-check another tool or to analyse weights trained elsewhere.
 */
@Command(name = "diagnose", mixinStandardHelpOptions = true,
        description = {"Measure the diagnostics of a spec once at the given parameters and print them.",
            "They see what the run sees at --step: the sampler's batch and batch size, the learning rate and threshold, "
                + "the random streams, theta_0 of the spec's initialisation, and what earlier diagnostics of the step "
                + "publish (sharpness's lambda_max for batch_sharpness)."})
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

    @Option(names = "--json", description = "Print one JSON document (default: one line per diagnostic, its name and "
            + "its record as one line of JSON).")
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
        // the probe the run hands its diagnostics at this step: the sampler's batch B_t and batch size, eta_t and
        // the threshold, theta_0 of the spec's initialisation, the run's seed (so the random streams are the run's)
        StaticProbe probe = StaticProbe.of(p, theta).withSeed(c.seed()).withStep(step)
                .withTheta0(Trainer.initialTheta(c));
        int[] batch = batch(c.sampler(), p.train().size(), c.seed(), step);
        if (batch != null) {
            probe = probe.withBatch(batch);
        }
        probe = probe.withOptimizer(c.optimizer().name(), c.optimizer().lr(step), c.optimizer().threshold(step),
                c.optimizer().beta(), null);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("step", step);
        out.put("train_loss", p.loss(theta, p.train()));
        for (Scheduled sd : c.diagnostics()) {
            Diagnostic<?> d = sd.diagnostic();
            Record r = d.measure(probe);
            probe.shared().putAll(d.publish());      // as in a run: e.g. sharpness's lambda_max for batch_sharpness
            out.put(d.name(), r);
        }
        if (json) {
            System.out.println(Json.pretty(out));
        } else {
            out.forEach((k, v) -> System.out.println(k + ": " + (v instanceof Record ? Json.line(v) : v)));
        }
        return 0;
    }

    /**
     * The batch B_t of the spec's sampler, or null for the whole training set: the sampler's own batch when the
     * data has its n examples; on other data (--data) a full-batch sampler stays full-batch and a mini-batch one
     * draws batches of its size b from the same kind of sampler over the new n.
     */
    static int[] batch(BatchSampler sampler, int n, long seed, long step) {
        if (n == sampler.size()) {
            return sampler.batch(step);
        }
        if (sampler.batchSize() == sampler.size()) {
            return null;
        }
        if (sampler.batchSize() > n) {
            throw new IllegalArgumentException("--data: " + n + " examples, fewer than the spec's sampler.batch_size = "
                    + sampler.batchSize() + "; lower it with --set sampler.batch_size=B (1 <= B <= " + n + ")");
        }
        return Samplers.create(sampler.name(), n, sampler.batchSize(), seed).batch(step);
    }

    private static void requireFile(String option, Path file) {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new IllegalArgumentException(option + " " + file + ": " + (java.nio.file.Files.exists(file)
                    ? "not a file" : "file not found") + " (an .npz archive)");
        }
    }
}
