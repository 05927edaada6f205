package org.sgdlab.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sgdlab.tensor.Npy;
import org.sgdlab.tensor.Tensor;

/** Parameters round-trip through .npz with PyTorch-style names and shapes. */
class ParamsIOTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripKeepsEveryBitAndTheLayerNames() {
        Mlp m = Mlp.of(Activation.of("tanh"), 5, 4, 3);
        Tensor th = m.init(new SplittableRandom(1));
        Path f = tmp.resolve("p.npz");
        ParamsIO.save(f, m.layout(), th);
        Map<String, Tensor> raw = Npy.readNpz(f);
        assertTrue(raw.keySet().containsAll(java.util.List.of("0.weight", "0.bias", "2.weight", "2.bias")), raw.keySet().toString());
        assertArrayEquals(new int[] {4, 5}, raw.get("0.weight").shape());          // [out, in] as in PyTorch
        assertArrayEquals(th.toArray(), ParamsIO.load(f, m.layout()).toArray(), 0.0);
    }

    @Test
    void weightsWrittenElsewhereLoadByName() {
        Mlp m = Mlp.of(Activation.of("tanh"), 2, 2, 1);
        Map<String, Tensor> arrays = new LinkedHashMap<>();           // any order, as a state_dict export might be
        arrays.put("2.bias", Tensor.vector(0.5));
        arrays.put("0.weight", Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
        arrays.put("2.weight", Tensor.of(new double[] {-1, 1}, 1, 2));
        arrays.put("0.bias", Tensor.vector(0.1, 0.2));
        Path f = tmp.resolve("q.npz");
        Npy.writeNpz(f, arrays);
        Tensor th = ParamsIO.load(f, m.layout());
        assertArrayEquals(m.layout().view(th, "0.weight").toArray(), new double[] {1, 2, 3, 4}, 0.0);
        assertArrayEquals(m.layout().view(th, "2.bias").toArray(), new double[] {0.5}, 0.0);
    }

    @Test
    void mismatchesAreListed() {
        Mlp m = Mlp.of(Activation.of("tanh"), 2, 2, 1);
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put("0.weight", Tensor.zeros(3, 2));
        arrays.put("extra", Tensor.zeros(1));
        Path f = tmp.resolve("bad.npz");
        Npy.writeNpz(f, arrays);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ParamsIO.load(f, m.layout()));
        assertTrue(e.getMessage().contains("'0.weight' has shape [3, 2], the model needs [2, 2]")
                && e.getMessage().contains("missing '0.bias'") && e.getMessage().contains("unexpected 'extra'"), e.getMessage());
    }
}
