package org.sgdlab.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

/** Dense symmetric eigensolver against matrices of known spectrum (Q diag(lambda) Q^T) and closed forms. */
class SymmetricEigenTest {

    /**
     * Checks values against the known spectrum to {@code 1e-12 ||A||} (backward stability bounds the error
     * by a small multiple of eps ||A||), residuals {@code ||A v_i - lambda_i v_i|| <= 1e-12 ||A||} and
     * {@code V^T V = I} to 1e-12.
     */
    private static SymmetricEigen.Result check(Tensor a, double[] spectrum) {
        SymmetricEigen.Result r = SymmetricEigen.decompose(a);
        assertTrue(r.converged());
        double[] want = Known.descending(spectrum);
        double norm = Math.max(Known.maxAbs(spectrum), 1e-300);
        int n = want.length;
        for (int i = 0; i < n; i++) {
            assertEquals(want[i], r.values()[i], 1e-12 * norm, "eigenvalue " + i);
        }
        for (int i = 0; i < n; i++) {
            double[] v = Known.column(r.vectors(), i);
            assertTrue(Known.residual(a, v, r.values()[i]) <= 1e-12 * norm,
                    "residual of pair " + i + ": " + Known.residual(a, v, r.values()[i]));
            assertArrayEquals(v, r.vector(i).toArray(), 0.0);
            for (int j = 0; j <= i; j++) {
                double d = Known.dot(v, Known.column(r.vectors(), j));
                assertEquals(i == j ? 1.0 : 0.0, d, 1e-12, "v_" + i + " . v_" + j);
            }
        }
        assertArrayEquals(r.values(), SymmetricEigen.eigenvalues(a), 0.0, "values-only path gives the same values");
        return r;
    }

    @Test
    void randomOrthogonalConjugateOfKnownSpectrum() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int n : new int[] {1, 2, 3, 7, 40, 120}) {
            double[] lambda = Known.spectrum(rng, new double[0], n, -3, 5);
            Tensor a = Known.withSpectrum(rng, lambda);
            SymmetricEigen.Result r = check(a, lambda);
            // distinct eigenvalues: each eigenvector is +-(the column of Q): compare via |v_i . A v_i| = |lambda_i|
            for (int i = 0; i < n; i++) {
                double[] v = Known.column(r.vectors(), i);
                assertEquals(r.values()[i], Known.dot(v, Known.mul(a, v)), 1e-12 * 5);
            }
        }
    }

    @Test
    void diagonalMatrix() {
        double[] d = {3, -1, 0, 7.5, 2, -8, 1e-3};
        int n = d.length;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + i] = d[i];
        }
        SymmetricEigen.Result r = check(Tensor.of(a, n, n), d);
        for (int i = 0; i < n; i++) {           // eigenvectors are unit basis vectors
            double[] v = Known.column(r.vectors(), i);
            int arg = 0;
            for (int j = 0; j < n; j++) {
                if (Math.abs(v[j]) > Math.abs(v[arg])) {
                    arg = j;
                }
            }
            assertEquals(1.0, Math.abs(v[arg]), 1e-15);
            assertEquals(r.values()[i], d[arg], 0.0);
        }
    }

    @Test
    void repeatedAndNegativeEigenvalues() {
        SplittableRandom rng = new SplittableRandom(12);
        double[] lambda = {4, 4, 4, -9, -9, 0, 0, 0, 0, 1, -2.5, 4, 6};
        check(Known.withSpectrum(rng, lambda), lambda);
        double[] allEqual = {-2, -2, -2, -2, -2, -2};
        check(Known.withSpectrum(rng, allEqual), allEqual);
        double[] zeros = new double[5];
        check(Tensor.zeros(5, 5), zeros);
    }

    @Test
    void widelyScaledSpectrum() {
        SplittableRandom rng = new SplittableRandom(13);
        double[] lambda = {1e6, 3e3, 1, -1e-2, 1e-5, 42, -7e4, 0.5};
        check(Known.withSpectrum(rng, lambda), lambda);
    }

    @Test
    void tridiagonalToeplitzClosedForm() {
        // T = tridiag(b, a, b) of size n has eigenvalues a + 2 b cos(k pi / (n + 1)), k = 1..n
        int n = 30;
        double a = 1.5;
        double b = -0.7;
        double[] diag = new double[n];
        double[] off = new double[n - 1];
        java.util.Arrays.fill(diag, a);
        java.util.Arrays.fill(off, b);
        double[] want = new double[n];
        for (int k = 1; k <= n; k++) {
            want[k - 1] = a + 2 * b * Math.cos(k * Math.PI / (n + 1));
        }
        want = Known.descending(want);
        SymmetricEigen.Result r = SymmetricEigen.tridiagonal(diag, off);
        assertTrue(r.converged());
        assertArrayEquals(want, r.values(), 1e-13);
        double[] dense = new double[n * n];
        for (int i = 0; i < n; i++) {
            dense[i * n + i] = a;
            if (i + 1 < n) {
                dense[i * n + i + 1] = b;
                dense[(i + 1) * n + i] = b;
            }
        }
        check(Tensor.of(dense, n, n), want);
        // eigenvectors of T: sin(j k pi / (n + 1)) up to sign and normalisation; check residuals instead
        Tensor t = Tensor.of(dense, n, n);
        for (int i = 0; i < n; i++) {
            assertTrue(Known.residual(t, Known.column(r.vectors(), i), r.values()[i]) < 1e-13);
        }
    }

    @Test
    void twoByTwoClosedForm() {
        // [[a, b], [b, c]]: (a + c)/2 +- sqrt(((a - c)/2)^2 + b^2)
        double a = 2;
        double b = 3;
        double c = -1;
        double mid = (a + c) / 2;
        double rad = Math.sqrt((a - c) * (a - c) / 4 + b * b);
        SymmetricEigen.Result r = SymmetricEigen.decompose(Tensor.matrix(new double[][] {{a, b}, {b, c}}));
        assertEquals(mid + rad, r.values()[0], 1e-15);
        assertEquals(mid - rad, r.values()[1], 1e-15);
    }

    @Test
    void nonFiniteInputIsDataNotAnException() {
        Tensor a = Tensor.matrix(new double[][] {{1, Double.NaN}, {Double.NaN, 2}});
        SymmetricEigen.Result r = SymmetricEigen.decompose(a);
        assertFalse(r.converged());
        assertTrue(Double.isNaN(r.values()[0]));
        assertFalse(SymmetricEigen.tridiagonal(new double[] {1, Double.POSITIVE_INFINITY}, new double[] {0}).converged());
    }

    @Test
    void badInputNamesTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SymmetricEigen.decompose(Tensor.zeros(2, 3)));
        assertTrue(e.getMessage().contains("square") && e.getMessage().contains("[2, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SymmetricEigen.decompose(Tensor.matrix(new double[][] {{1, 2}, {2.1, 1}})));
        assertTrue(e.getMessage().contains("not symmetric"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> SymmetricEigen.tridiagonal(new double[] {1, 2}, new double[] {1, 2}));
        assertTrue(e.getMessage().contains("off-diagonal"), e.getMessage());
    }

    @Test
    void roundingLevelAsymmetryIsAcceptedAndSymmetrised() {
        SplittableRandom rng = new SplittableRandom(14);
        double[] lambda = {3, 1, -2, 0.5};
        Tensor a = Known.withSpectrum(rng, lambda);
        Tensor noisy = a.add(Tensor.randn(rng, 4, 4).mul(1e-14));       // not exactly symmetric
        double[] vals = SymmetricEigen.eigenvalues(noisy);
        assertArrayEquals(Known.descending(lambda), vals, 1e-12);
    }

    /**
     * A Hessian at interpolation: a few large eigenvalues and a large cluster of eigenvalues of order 1e-14
     * (the shape that made a purely local deflation test stall: momentum-catapult P2-B).
     */
    @Test
    void convergesWithALargeClusterOfNearZeroEigenvalues() {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(11);
        int n = 200;
        double[] spectrum = new double[n];
        spectrum[0] = 28.13;
        spectrum[1] = 11.5;
        spectrum[2] = 3.25;
        for (int i = 3; i < n; i++) {
            spectrum[i] = 1e-14 * (rng.nextDouble() - 0.5);
        }
        Tensor a = Known.withSpectrum(rng, spectrum);
        SymmetricEigen.Result r = SymmetricEigen.decompose(a);
        assertTrue(r.converged(), "did not converge");
        assertEquals(28.13, r.values()[0], 1e-12 * 28.13);
        assertEquals(11.5, r.values()[1], 1e-12 * 28.13);
        assertEquals(3.25, r.values()[2], 1e-12 * 28.13);
        for (int i = 0; i < 3; i++) {
            assertTrue(Known.residual(a, Known.column(r.vectors(), i), r.values()[i]) <= 1e-11 * 28.13);
        }
    }
}
