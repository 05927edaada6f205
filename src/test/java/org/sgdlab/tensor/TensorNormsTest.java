package org.sgdlab.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Tensor#norms}: one pass, the bits of norm() and sub(ref).norm(), and max |x| checked by a plain loop. */
class TensorNormsTest {

    private static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }

    @Test
    void matchesTheSeparateComputationsBitForBit() {
        SplittableRandom rng = new SplittableRandom(11);
        // sizes around the 4096-value blocks and the 4-way partial sums, one large enough to run in parallel
        for (int n : new int[] {0, 1, 3, 4, 5, 4095, 4096, 4097, 13_313, 300_001, 1 << 20 | 7}) {
            Tensor x = Tensor.randn(rng, n).mul(3.0);
            Tensor r = Tensor.randn(rng, n);
            Tensor.Norms got = x.norms(r);
            assertEquals(Double.doubleToLongBits(x.norm()), Double.doubleToLongBits(got.norm()), "norm, n = " + n);
            assertEquals(Double.doubleToLongBits(x.sub(r).norm()), Double.doubleToLongBits(got.distance()),
                    "distance, n = " + n);
            assertEquals(maxAbs(x.toArray()), got.maxAbs(), 0.0, "max |x|, n = " + n);
        }
    }

    @Test
    void viewsAreReadInPlaceAndNanPropagates() {
        SplittableRandom rng = new SplittableRandom(12);
        Tensor theta = Tensor.randn(rng, 10_000);
        Tensor w = theta.slice(0, 1000, 9000);
        Tensor ref = Tensor.randn(rng, 8000);
        Tensor copy = Tensor.of(w.toArray(), 8000);
        assertEquals(copy.norms(ref), w.norms(ref));
        assertTrue(w.isView(), "norms does not copy a view");
        double[] v = copy.toArray();
        v[4321] = Double.NaN;
        Tensor.Norms nan = Tensor.of(v, v.length).norms(ref);
        assertTrue(Double.isNaN(nan.norm()) && Double.isNaN(nan.distance()) && Double.isNaN(nan.maxAbs()), nan.toString());
        assertThrows(IllegalArgumentException.class, () -> w.norms(Tensor.zeros(7)));
    }
}
