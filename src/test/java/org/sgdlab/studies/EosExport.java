package org.sgdlab.studies;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Tensor;

/**
 * Export for the independent NumPy oracle {@code bench/crosscheck/eos_gd.py} (a tool in the test tree for
 * package access, not a test): the study's own setup ({@link EosSetup#create}, digits) written as
 * {@code eos_seed<S>.npz} with the training inputs and targets sgdlab uses and theta_0 (flat, sgdlab's layout).
 * DATA is the study's {@code --data} (default digits; {@code fashion-mnist}).
 *
 * <pre>
 * mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.sgdlab.studies.EosExport BASE_SEED OUT_DIR [DATA]
 * </pre>
 */
final class EosExport {

    private EosExport() {
    }

    public static void main(String[] args) throws Exception {
        long base = Long.parseLong(args[0]);
        Path dir = Path.of(args[1]);
        Files.createDirectories(dir);
        String data = args.length > 2 ? args[2] : null;   // null: digits; or fashion-mnist
        EosSetup s = EosSetup.create(new StudyContext(true, base, 0, null, data, 1, false, null));
        Map<String, Tensor> a = new LinkedHashMap<>();
        a.put("x", s.mse().train().x());
        a.put("y", s.mse().train().y());
        a.put("theta0", s.theta0());
        Path f = dir.resolve("eos_seed" + base + ".npz");
        Npy.writeNpz(f, a);
        System.out.println("wrote " + f);
    }
}
