import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sgdlab.data.BatchSampler;
import org.sgdlab.data.Samplers;
import org.sgdlab.data.Synthetic;
import org.sgdlab.nn.Init;
import org.sgdlab.nn.TwoLayerLinear;
import org.sgdlab.studies.StudyContext;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Exports the data, initial weights and batch-index sequences of the symmetry study's S3, S4 and S5 runs (quick
 * variant) exactly as SymmetryBalance / SymmetryEquilibrium / SymmetryWarmup draw them, so that the independent
 * NumPy oracles (symmetry_s3.py, symmetry_s4.py, symmetry_s5.py) can run the same trajectories. Only public API and
 * the seed paths of the study are used (ctx.pick(literal, experiment, stream)).
 *
 * <pre>  java -cp target/sgdlab.jar bench/crosscheck/symmetry_export.java OUT_DIR BASE_SEED</pre>
 *
 * Workflow (base seed 0; run directories are written by the study command):
 * <pre>
 *   ./sgdlab study symmetry --quick --out /tmp/sym --seed 0
 *   java -cp target/sgdlab.jar bench/crosscheck/symmetry_export.java /tmp/symx 0
 *   python3 bench/crosscheck/symmetry_s3.py /tmp/symx /tmp/sym/runs
 *   python3 bench/crosscheck/symmetry_s4.py same /tmp/symx /tmp/sym/runs
 *   python3 bench/crosscheck/symmetry_s5.py same /tmp/symx /tmp/sym/runs/S5-eta0.3-sgd-warmup
 * </pre>
 * Each Python script's docstring lists its what-if modes.
 */
public class SymmetryExport {

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        long base = Long.parseLong(args[1]);
        Files.createDirectories(out);
        StudyContext ctx = new StudyContext(true, base, 0, out, "digits", 1, false, s -> { });

        // S3: SF1 DLN setup, n = 20, d = 30, r = 3, test 1000, 8 seeds
        int n3 = 20;
        int steps3 = 10001;
        int k3 = 2000;
        for (int s = 0; s < 8; s++) {
            long seed = ctx.pick(s, "S3", "seed");
            Synthetic.Task task = Synthetic.sparseRegression(n3, 1000, 30, 3, Rng.stream(seed, Rng.DATA));
            Map<String, Tensor> m = new LinkedHashMap<>();
            m.put("X", task.train().x());
            m.put("y", task.train().y());
            m.put("Xt", task.test().x());
            m.put("yt", task.test().y());
            m.put("batches", indices(Samplers.create(Samplers.IID_WITH_REPLACEMENT, n3, 1, seed), steps3));
            m.put("probe_batches", indices(Samplers.create(Samplers.IID_WITH_REPLACEMENT, n3, 1, true, seed, Rng.BISECTION), k3));
            Npy.writeNpz(out.resolve("s3_seed" + s + ".npz"), m);
        }

        // S4: two-layer linear 4-4-4, n = 400
        long dataSeed = ctx.pick(0, "S4", "data");
        long initSeed = ctx.pick(0, "S4", "init");
        long batchSeed = ctx.pick(0, "S4", "batches");
        Map<String, Tensor> m4 = new LinkedHashMap<>();
        m4.put("theta0", TwoLayerLinear.of(4, 4, 4).withInit(Init.normal(0.01)).init(Rng.stream(initSeed, Rng.INIT)));
        String[] keys = {"iso_phi0_25", "iso_phi1", "aniso_phi1"};
        double[] phis = {0.25, 1, 1};
        double[][] noise = {{0.5}, {0.5}, {2, 0.1, 0.1, 0.1}};
        for (int c = 0; c < 3; c++) {
            Synthetic.Task task = Synthetic.linearTeacher(400, 1, new double[] {phis[c], phis[c], 1, 1}, 4, noise[c],
                    Rng.stream(dataSeed, Rng.DATA));
            m4.put(keys[c] + "_X", task.train().x());
            m4.put(keys[c] + "_Y", task.train().y());
        }
        m4.put("batches", indices(Samplers.create(Samplers.IID_WITH_REPLACEMENT, 400, 1, batchSeed), 120000));
        Npy.writeNpz(out.resolve("s4.npz"), m4);

        // S5: f = u^T W x, d = h = 20, n = 400, batch 32 independent-without-replacement, 4e4 steps
        long d5 = ctx.pick(0, "S5", "data");
        long i5 = ctx.pick(0, "S5", "init");
        long b5 = ctx.pick(0, "S5", "batches");
        double[] ones = new double[20];
        java.util.Arrays.fill(ones, 1.0);
        Synthetic.Task t5 = Synthetic.linearTeacher(400, 1, ones, 1, new double[] {0.5}, Rng.stream(d5, Rng.DATA));
        Map<String, Tensor> m5 = new LinkedHashMap<>();
        m5.put("X", t5.train().x());
        m5.put("y", t5.train().y());
        m5.put("theta0", TwoLayerLinear.of(20, 20, 1).withInit(Init.kaimingNormal()).init(Rng.stream(i5, Rng.INIT)));
        m5.put("batches", indices(Samplers.create(Samplers.INDEPENDENT_WITHOUT_REPLACEMENT, 400, 32, b5), 40000));
        Npy.writeNpz(out.resolve("s5.npz"), m5);
        System.out.println("exported to " + out);
    }

    static Tensor indices(BatchSampler s, int steps) {
        int b = s.batchSize();
        double[] v = new double[steps * b];
        for (int t = 0; t < steps; t++) {
            int[] idx = s.batch(t);
            for (int j = 0; j < b; j++) {
                v[t * b + j] = idx[j];
            }
        }
        return Tensor.of(v, steps, b);
    }
}
