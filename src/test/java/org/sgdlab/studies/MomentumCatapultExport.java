package org.sgdlab.studies;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Synthetic;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * Exports the inputs of the momentum-catapult experiments P2-A and P2-B (data and initial weights, exactly as the
 * study draws them for a base seed) as NumPy {@code .npz} files, for the independent NumPy oracles
 * {@code bench/crosscheck/momentum_p2a.py} and {@code bench/crosscheck/momentum_p2b.py}.
 *
 * <pre>
 * java -cp target/test-classes:target/classes:$(deps) org.sgdlab.studies.MomentumCatapultExport BASE_SEED OUT_DIR
 * </pre>
 *
 * Writes {@code p2a_seed<B>.npz} (X [200, 10], y [200, 1], W0 [64, 10], b0 [64], W1 [64, 64], b1 [64], W2 [1, 64],
 * b2 [1]; weights [out, in]) and {@code p2b_seed<B>.npz} (X [50, 100], y [50, 1], s0 [1]: sgdlab's S_0).
 */
final class MomentumCatapultExport {

    private MomentumCatapultExport() {
    }

    public static void main(String[] args) throws Exception {
        long base = Long.parseLong(args[0]);
        Path out = Path.of(args[1]);
        Files.createDirectories(out);
        StudyContext ctx = new StudyContext(true, base, 0, out, "digits", 1, false, s -> { });
        // P2-A: the same calls as MomentumCatapultStudy.run
        long aData = ctx.pick(0, "P2-A", "data");
        long aNet = ctx.pick(1, "P2-A", "net");
        Problem a = MomentumCatapultStudy.aProblem(aData);
        Tensor theta0 = a.model().init(Rng.stream(aNet, Rng.INIT)); // = Trainer.initialTheta with seed aNet
        Map<String, Tensor> blocks = a.model().layout().unflatten(theta0);
        Map<String, Tensor> pa = new LinkedHashMap<>();
        pa.put("X", a.train().x());
        pa.put("y", a.train().y());
        String[] names = {"W0", "b0", "W1", "b1", "W2", "b2"};
        String[] keys = {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"};
        for (int i = 0; i < names.length; i++) {
            pa.put(names[i], blocks.get(keys[i]));
        }
        Npy.writeNpz(out.resolve("p2a_seed" + base + ".npz"), pa);
        // P2-B
        long bData = ctx.pick(0, "P2-B", "data");
        Synthetic.Task task = Synthetic.sparseOnes(MomentumCatapultStudy.B_N, 0, MomentumCatapultStudy.B_D,
                MomentumCatapultStudy.B_SUPPORT, Rng.stream(bData, Rng.DATA));
        Dataset tb = task.train();
        MomentumCatapultStudy.S0 s0 = MomentumCatapultStudy.initialSharpness(MomentumCatapultStudy.bProblem(task, 1.0));
        Map<String, Tensor> pb = new LinkedHashMap<>();
        pb.put("X", tb.x());
        pb.put("y", tb.y());
        pb.put("s0", Tensor.vector(s0.value()));
        Npy.writeNpz(out.resolve("p2b_seed" + base + ".npz"), pb);
        System.out.printf(java.util.Locale.ROOT, "base %d: P2-A data %d net %d; P2-B data %d, S_0 %.10f%n", base, aData,
                aNet, bData, s0.value());
    }
}
