package org.sgdlab.studies;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Samplers;
import org.sgdlab.data.Synthetic;
import org.sgdlab.nn.Model;
import org.sgdlab.optim.Schedule;
import org.sgdlab.optim.Schedules;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Export for the independent NumPy oracle {@code bench/crosscheck/sparse_sf5.py --compare DIR} (a tool in the
 * test tree for package access, not a test; arguments BASE_SEED OUT_DIR [SEED_INDICES, default 0,1,2,3,4,5],
 * run as {@link EosExport} is). For each SF5 seed index it writes, with exactly the study's code path ({@link SparseFeaturesRelu#seed}, {@code sf5Model},
 * {@link SparseFeaturesRelu#train}): the data, theta_0, the batch index of every step, and sgdlab's test MSE and
 * layer-1/2 densities after K = 1, 10, 100, 1000, 10001 steps of each of the four SF5 schedules.
 */
final class SparseFeaturesSf5Export {

    private static final long[] HORIZONS = {1, 10, 100, 1000, SparseFeaturesRelu.SF5_N};

    private SparseFeaturesSf5Export() {
    }

    public static void main(String[] args) throws Exception {
        long base = Long.parseLong(args[0]);
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        String idx = args.length > 2 ? args[2] : "0,1,2,3,4,5";
        StudyContext ctx = new StudyContext(true, base, 0, null, null, 1, false, null);
        StringBuilder csv = new StringBuilder("seed_index,config,steps,test,density_l1,density_l2,diverged\n");
        for (String si : idx.split(",")) {
            int i = Integer.parseInt(si.trim());
            long dataSeed = ctx.pick(i, "SF5", "seed");
            Synthetic.Task t = Synthetic.sf5(50, 1000, Rng.stream(dataSeed, Rng.DATA));
            Model model = SparseFeaturesRelu.sf5Model();
            SparseFeaturesRelu.Seed s = SparseFeaturesRelu.seed(ctx, "SF5", i, model, t.train(), t.test());
            BatchSampler bs = Samplers.create(Samplers.INDEPENDENT_WITHOUT_REPLACEMENT, 50, 1, s.seed());
            double[] b = new double[(int) SparseFeaturesRelu.SF5_N];
            for (int k = 0; k < b.length; k++) {
                b[k] = bs.batch(k)[0];
            }
            Map<String, Tensor> arr = new LinkedHashMap<>();
            arr.put("x", t.train().x());
            arr.put("y", t.train().y());
            arr.put("xt", t.test().x());
            arr.put("yt", t.test().y());
            arr.put("theta0", s.theta0());
            arr.put("batches", Tensor.of(b, b.length));
            Npy.writeNpz(dir.resolve("sf5_seed" + i + ".npz"), arr);
            List<Object[]> cfgs = new ArrayList<>();
            cfgs.add(new Object[] {"small", Schedules.constant(0.011)});
            for (double[] fd : SparseFeaturesRelu.SF5_LARGE) {
                cfgs.add(new Object[] {"f" + fd[0],
                        Schedules.toyWarmupDecay(0.04, 6, 0.5, fd[0], fd[1], SparseFeaturesRelu.SF5_N)});
            }
            for (Object[] c : cfgs) {
                for (long k : HORIZONS) {
                    SparseFeaturesRun r = SparseFeaturesRelu.train(ctx, "SF5x", s, c[0] + "-K" + k, (Schedule) c[1],
                            Double.NaN, Double.NaN, 1, k, new SparseFeaturesRelu.Measure(
                                    new org.sgdlab.diagnostics.FeatureSparsity(org.sgdlab.diagnostics.FeatureSparsity
                                            .Config.defaults().withLayers(
                                                    org.sgdlab.diagnostics.ActivationDensity.Layers.ALL)),
                                    null, null, null), "density_l2");
                    csv.append(String.format(Locale.ROOT, "%d,%s,%d,%.17g,%.17g,%.17g,%b%n", i, c[0], k, r.test(),
                            r.fin("density_l1", Double.NaN), r.fin("density_l2", Double.NaN), r.diverged()));
                }
            }
        }
        Files.writeString(dir.resolve("sf5_sgdlab.csv"), csv);
        System.out.println("wrote " + dir.resolve("sf5_sgdlab.csv"));
    }
}
