package org.sgdlab.studies;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Tensor;

/**
 * Export for the independent NumPy oracle {@code bench/crosscheck/eos_gd.py} (not part of the suite: runs only
 * with {@code -Dsgdlab.crosscheck.out=DIR}, optional {@code -Dsgdlab.crosscheck.seed=S}, the base seed): the
 * study's own setup ({@link EosSetup#create}, digits) written as {@code eos_seed<S>.npz} with the training inputs
 * and targets sgdlab uses and theta_0 (flat, sgdlab's layout).
 */
class EosExportTest {

    @Test
    @EnabledIfSystemProperty(named = "sgdlab.crosscheck.out", matches = ".+")
    void exportSetup() throws Exception {
        Path dir = Path.of(System.getProperty("sgdlab.crosscheck.out"));
        Files.createDirectories(dir);
        long base = Long.parseLong(System.getProperty("sgdlab.crosscheck.seed", "0"));
        EosSetup s = EosSetup.create(new StudyContext(true, base, 0, null, null, 1, false, null));
        Map<String, Tensor> a = new LinkedHashMap<>();
        a.put("x", s.mse().train().x());
        a.put("y", s.mse().train().y());
        a.put("theta0", s.theta0());
        Path f = dir.resolve("eos_seed" + base + ".npz");
        Npy.writeNpz(f, a);
        assertTrue(Files.size(f) > 0);
    }
}
