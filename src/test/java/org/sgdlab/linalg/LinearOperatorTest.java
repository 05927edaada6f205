package org.sgdlab.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

/** Operator factories and combinators against naive dense products. */
class LinearOperatorTest {

    @Test
    void symmetricSumScaleShiftAndDiagonalMatchDenseProducts() {
        SplittableRandom rng = new SplittableRandom(71);
        int p = 9;
        Tensor a = Known.randomSymmetric(rng, p);
        Tensor b = Known.randomSymmetric(rng, p);
        double[] d = Tensor.randn(rng, p).toArray();
        double[] v = Tensor.randn(rng, p).toArray();
        LinearOperator opA = LinearOperator.symmetric(a);
        LinearOperator opB = LinearOperator.symmetric(b);
        double[] av = Known.mul(a, v);
        double[] bv = Known.mul(b, v);
        double[] want = new double[p];
        for (int i = 0; i < p; i++) {
            want[i] = 2.5 * (av[i] + bv[i]) - 0.75 * v[i] + d[i] * v[i];
        }
        LinearOperator combo = opA.plus(opB).scaled(2.5).shifted(-0.75).plus(LinearOperator.diagonal(d));
        assertEquals(p, combo.dim());
        assertArrayEquals(want, combo.apply(Tensor.vector(v)).toArray(), 1e-12);
    }

    @Test
    void toMatrixAssemblesColumnsFromApplications() {
        SplittableRandom rng = new SplittableRandom(72);
        Tensor a = Known.randomSymmetric(rng, 6);
        CountingOperator c = LinearOperator.symmetric(a).counting();
        assertArrayEquals(a.toArray(), c.toMatrix().toArray(), 1e-15);
        assertEquals(6, c.applications());
    }

    @Test
    void countingWrapperCountsApplications() {
        CountingOperator c = LinearOperator.diagonal(1, 2, 3).counting();
        assertEquals(0, c.applications());
        for (int i = 0; i < 4; i++) {
            c.apply(Tensor.vector(1, 1, 1));
        }
        assertEquals(4, c.applications());
        assertTrue(c.seconds() >= 0);
        assertArrayEquals(new double[] {1, 2, 3}, c.apply(Tensor.vector(1, 1, 1)).toArray(), 0.0);
        assertEquals(5, c.applications());
    }

    @Test
    void shapesAreCheckedWithMessagesThatNameTheProblem() {
        LinearOperator op = LinearOperator.diagonal(1, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> op.apply(Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("[4]") && e.getMessage().contains("expected [3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> op.apply(Tensor.zeros(3, 1)));
        assertTrue(e.getMessage().contains("[3, 1]"), e.getMessage());
        LinearOperator wrong = LinearOperator.of(3, v -> v.reshape(3, 1));
        e = assertThrows(IllegalArgumentException.class, () -> wrong.apply(Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("returned shape [3, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> op.plus(LinearOperator.diagonal(1, 2)));
        assertTrue(e.getMessage().contains("3 + 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> LinearOperator.symmetric(Tensor.matrix(new double[][] {{1, 2}, {3, 4}})));
        assertTrue(e.getMessage().contains("not symmetric") && e.getMessage().contains("(A + A^T)/2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinearOperator.symmetric(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinearOperator.of(0, v -> v));
        assertTrue(e.getMessage().contains("dim must be >= 1"), e.getMessage());
    }
}
