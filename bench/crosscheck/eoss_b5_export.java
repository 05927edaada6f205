import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Draws;
import org.sgdlab.data.Presets;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.experiment.Scheduled;
import org.sgdlab.experiment.TrainConfig;
import org.sgdlab.experiment.Trainer;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.optim.Optimizers;
import org.sgdlab.optim.Schedules;
import org.sgdlab.data.Samplers;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Exports what the NumPy oracle bench/crosscheck/eoss_b5.py needs to replay the first steps of the eoss run
 * R-0.2-8s (STUDIES.md §2.1: eta 0.2, b 8, init scale 0.2, epoch-shuffle SGD, run seed 0) and to recompute its
 * batch-sharpness measurements (M = 64, Q7.2) on the same batches. Only public API is used; the run is built as
 * EossStudy.train builds it (digits, tanh MLP 64-128-128-10, squared loss c = 1/2, Trainer with seed 0), with
 * one extra diagnostic that records, at every 100th step, theta_t and the 64 fresh batches the study's
 * batch_sharpness diagnostic draws there (stream Rng.stream(seed, "probes", "batch_sharpness", t), b distinct
 * indices by a partial Fisher-Yates shuffle, as diagnostics.Subset.distinct) with sgdlab's per-batch
 * x_i = g_i^T H_i g_i and y_i = ||g_i||^2.
 *
 * <pre>  java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp "target/sgdlab.jar:target/lib/*" \
 *       bench/crosscheck/eoss_b5_export.java OUT.npz [STEPS=1000] [SEED=0]</pre>
 *
 * Keys: x, y (data), theta0_unscaled (PyTorch-default init of seed SEED), theta0 (the run's scaled theta_0),
 * batches [STEPS, 8] (training batch order), steps [K], theta [K, P], probe_batches [K, 64, 8], probe_x [K, 64],
 * probe_y [K, 64].
 */
public class EossB5Export {

    static final int M = 64;
    static final int EVERY = 100;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 0;
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Dataset train = Presets.digits(Presets.Options.defaults().withTestSize(0)).train();
        Model base = Mlp.of(Activation.TANH, train.inputDim(), 128, 128, 10);
        Model model = base.withInitScale(0.2);
        Problem p = new Problem(model, Losses.squared(MseConvention.HALF), train, null);
        int n = train.size();
        int b = 8;
        BatchSampler sampler = Samplers.create(Samplers.EPOCH_SHUFFLE, n, b, seed);

        List<Long> at = new ArrayList<>();
        List<Tensor> thetas = new ArrayList<>();
        List<double[]> idx = new ArrayList<>();
        List<double[]> xs = new ArrayList<>();
        List<double[]> ys = new ArrayList<>();
        Diagnostic<Rec> capture = new Diagnostic<>() {
            @Override
            public String name() {
                return "batch_sharpness";   // the same probe stream as the study's diagnostic
            }

            @Override
            public Rec measure(Probe probe) {
                SplittableRandom rng = probe.rng(Rng.PROBES, "batch_sharpness");
                double[] ix = new double[M * b];
                double[] x = new double[M];
                double[] y = new double[M];
                for (int i = 0; i < M; i++) {
                    int[] bi = Draws.sample(n, b, rng);   // the draw order of BatchSharpness (Subset.distinct)
                    for (int j = 0; j < b; j++) {
                        ix[i * b + j] = bi[j];
                    }
                    Dataset d = probe.problem().train().batch(bi);
                    Tensor g = probe.problem().valueAndGrad(probe.theta(), d).grad();
                    y[i] = g.dotValue(g);
                    x[i] = g.dotValue(probe.problem().hvp(probe.theta(), d, g));
                }
                at.add(probe.step());
                thetas.add(probe.theta().detach());
                idx.add(ix);
                xs.add(x);
                ys.add(y);
                return new Rec(probe.step());
            }
        };
        TrainConfig cfg = TrainConfig.builder(p, Optimizers.sgd(Schedules.constant(0.2)), sampler).steps(steps)
                .seed(seed).evalEvery(steps).testEvery(0).spikeKappa(0).divergenceLoss(1e3)
                .diagnostic(new Scheduled(capture, EVERY, 0, null, true, false)).build();
        Trainer.run(cfg, new org.sgdlab.experiment.MetricsLog());

        int k = at.size();
        int pn = thetas.get(0).size();
        double[] th = new double[k * pn];
        double[] ixa = new double[k * M * b];
        double[] xa = new double[k * M];
        double[] ya = new double[k * M];
        double[] st = new double[k];
        for (int i = 0; i < k; i++) {
            st[i] = at.get(i);
            thetas.get(i).copyTo(th, i * pn);
            System.arraycopy(idx.get(i), 0, ixa, i * M * b, M * b);
            System.arraycopy(xs.get(i), 0, xa, i * M, M);
            System.arraycopy(ys.get(i), 0, ya, i * M, M);
        }
        double[] bt = new double[steps * b];
        for (int t = 0; t < steps; t++) {
            int[] bb = sampler.batch(t);
            for (int j = 0; j < b; j++) {
                bt[t * b + j] = bb[j];
            }
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", train.x());
        m.put("y", train.y());
        m.put("theta0_unscaled", base.init(Rng.stream(seed, Rng.INIT)));
        m.put("theta0", Trainer.initialTheta(cfg));
        m.put("batches", Tensor.of(bt, steps, b));
        m.put("steps", Tensor.of(st, k));
        m.put("theta", Tensor.of(th, k, pn));
        m.put("probe_batches", Tensor.of(ixa, k, M, b));
        m.put("probe_x", Tensor.of(xa, k, M));
        m.put("probe_y", Tensor.of(ya, k, M));
        Npy.writeNpz(out, m);
        System.out.println("wrote " + out + ": " + k + " measurement steps, " + steps + " training steps");
    }

    record Rec(long step) {
    }
}
