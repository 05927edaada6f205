// Exports sgdlab's catapult data, initial weights and batch indices for the NumPy cross-checks
// (bench/crosscheck/catapult_p1a.py, catapult_p1c.py). Run from the worktree after `mvn -q -o -DskipTests package`:
//   mkdir -p /tmp/cx && jshell --class-path target/sgdlab.jar -R--add-modules=jdk.incubator.vector \
//       bench/crosscheck/catapult_export.jsh
// Base seed 0: P1-A data seed 1, net seed 0; P1-B/P1-C data seed 5, net seeds 0, 1, 2, batch seed 100 + net seed.
import org.sgdlab.data.*;
import org.sgdlab.nn.*;
import org.sgdlab.tensor.*;
import java.nio.file.*;
import java.util.*;

void exportData(String file, int n, int nTest, int d, long seed) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("target", "x1x2"); p.put("n", n); p.put("d", d); p.put("n_test", nTest);
    DataSources.Source s = DataSources.create("gaussian-target", p, seed);
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("x", s.train().x()); m.put("y", s.train().y());
    if (s.test() != null) { m.put("x_test", s.test().x()); m.put("y_test", s.test().y()); }
    Npy.writeNpz(Path.of(file), m);
}
void exportInit(String file, int d, int m, long seed) {
    TwoLayerNtk model = TwoLayerNtk.of(d, m);
    ParamsIO.save(Path.of(file), model.layout(), model.init(Rng.stream(seed, Rng.INIT)));
}
void exportBatches(String file, int n, int b, long seed, int steps) {
    BatchSampler s = Samplers.create(Samplers.EPOCH_SHUFFLE, n, b, seed);
    double[] v = new double[steps * b];
    for (int t = 0; t < steps; t++) { int[] bb = s.batch(t); for (int j = 0; j < b; j++) v[t * b + j] = bb[j]; }
    Npy.write(Path.of(file), Tensor.of(v, steps, b));
}
exportData("/tmp/cx/dataA.npz", 128, 0, 10, 1);
exportInit("/tmp/cx/initA.npz", 10, 1024, 0);
exportData("/tmp/cx/dataB.npz", 500, 2000, 50, 5);
for (int i = 0; i < 8; i++) exportInit("/tmp/cx/initB" + i + ".npz", 50, 256, i);
for (int i = 0; i < 8; i++) exportData("/tmp/cx/dataB_seed" + i + ".npz", 500, 2000, 50, i);
exportBatches("/tmp/cx/batches_b5_s100.npy", 500, 5, 100, 8000);
exportBatches("/tmp/cx/batches_b10_s100.npy", 500, 10, 100, 8000);
/exit
