package org.sgdlab.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The data registry: the sizes asked for, and errors that say what a source takes. */
class DataSourcesTest {

    @Test
    void syntheticSourcesHaveTheSizesAskedFor() {
        Map<String, Map<String, Object>> cases = Map.of(
                "gaussian-target", Map.of("target", "x1x2", "n", 12, "d", 5, "n_test", 7),
                "sparse-regression", Map.of("n", 12, "d", 30, "r", 3, "n_test", 7),
                "sparse-ones", Map.of("n", 12, "d", 30, "r", 3, "n_test", 7),
                "scale-invariant-teacher", Map.of("n", 12, "d", 5, "h", 4, "n_test", 7),
                "gaussian-mixture", Map.of("n", 12, "d", 5, "classes", 3, "n_test", 7),
                "sf5", Map.of("n", 12, "n_test", 7));
        for (var c : cases.entrySet()) {
            DataSources.Source s = DataSources.create(c.getKey(), c.getValue(), 3);
            assertEquals(12, s.train().size(), c.getKey());
            assertEquals(7, s.test().size(), c.getKey());
            assertEquals(s.train().inputDim(), s.test().inputDim(), c.getKey());
        }
    }

    @Test
    void aMissingParameterListsWhatTheSourceTakes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataSources.create("sparse-regression", Map.of(), 0));
        assertEquals("data 'sparse-regression' needs parameter 'n'; sparse-regression takes n, d, r, n_test [0],"
                + " label_noise [0]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DataSources.create("linear-teacher", Map.of("n", 5, "input_variance", List.of(1.0)), 0));
        assertTrue(e.getMessage().startsWith("data 'linear-teacher' needs parameter 'outputs'; linear-teacher takes n,"),
                e.getMessage());
        for (String name : DataSources.NAMES) {
            assertTrue(DataSources.USAGE.containsKey(name), name + " has no usage line");
        }
    }

    /** Size, resolution and label-noise problems speak the parameter names a spec uses, with the value. */
    @Test
    void badValuesNameTheParameterAndTheRule() {
        String[][] cases = {
            {"digits", "train_size", "0", "data 'digits': train_size = 0 must be >= 1"},
            {"digits", "test_size", "-3", "data 'digits': test_size = -3 must be >= 0"},
            {"fashion-mnist", "resolution", "7", "data 'fashion-mnist': resolution = 7 must be 14 (2x2 average pooling)"
                    + " or 28"},
            {"synthetic-digits", "test_size", "-1", "data 'synthetic-digits': test_size = -1 must be >= 0"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataSources.create(c[0], Map.of(c[1], Integer.parseInt(c[2])), 0));
            assertEquals(c[3], e.getMessage());
        }
        for (double q : new double[] {2.0, -0.5, Double.NaN}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataSources.create("digits", Map.of("train_size", 20, "label_noise", q), 0));
            assertEquals("data 'digits': label_noise = " + q + " must be in [0, 1] (the fraction of training labels"
                    + " replaced by a uniformly drawn class)", e.getMessage());
        }
    }
}
