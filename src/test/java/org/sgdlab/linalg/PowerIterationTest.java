package org.sgdlab.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** Power iteration against known spectra (QUANTITIES.md Q5.2, option k = 1). */
class PowerIterationTest {

    @Test
    void findsTheKnownTopEigenvalue() {
        SplittableRandom rng = new SplittableRandom(41);
        double[] lambda = Known.spectrum(rng, new double[] {10}, 79, -5, 5);
        Tensor a = Known.withSpectrum(rng, lambda);
        PowerIteration.Result r = PowerIteration.run(LinearOperator.symmetric(a), Rng.stream(1, Rng.LANCZOS));
        assertTrue(r.converged(), r.toString());
        assertFalse(r.negative());
        // residual <= 1e-6 * 10 and a gap of 5 bound the eigenvalue error by residual^2 / gap = 2e-11
        assertEquals(10, r.eigenvalue(), 1e-9);
        double explicit = Known.residual(a, r.eigenvector().toArray(), r.eigenvalue());
        assertEquals(explicit, r.residual(), 1e-12);
        assertTrue(r.residual() <= 1e-6 * Math.abs(r.eigenvalue()));
        assertEquals(1.0, r.eigenvector().norm(), 1e-12);
        assertEquals(r.iterations(), r.applications());
    }

    @Test
    void largestMagnitudeCanBeNegativeWhereLanczosFindsTheTop() {
        SplittableRandom rng = new SplittableRandom(42);
        double[] lambda = Known.spectrum(rng, new double[] {-20, 10}, 58, -5, 5);
        Tensor a = Known.withSpectrum(rng, lambda);
        LinearOperator op = LinearOperator.symmetric(a);
        PowerIteration.Result r = PowerIteration.run(op, Rng.stream(2, Rng.LANCZOS));
        assertTrue(r.converged(), r.toString());
        assertTrue(r.negative(), "power iteration locks onto -20");
        assertEquals(-20, r.eigenvalue(), 1e-9);
        Lanczos.Result l = Lanczos.topK(op, 1, Rng.stream(2, Rng.LANCZOS));
        assertEquals(10, l.top(), 1e-8 * 10, "largest algebraic");
    }

    @Test
    void plusMinusPairDoesNotConvergeAndSaysSo() {
        double[] d = {10, -10, 1, 2, -3};
        PowerIteration.Result r = PowerIteration.run(LinearOperator.diagonal(d), new PowerIteration.Config(1e-6, 200),
                Rng.stream(3, Rng.LANCZOS), null);
        assertFalse(r.converged(), r.toString());
        assertEquals(200, r.iterations());
        double explicit = Known.residual(LanczosTest.diag(d), r.eigenvector().toArray(), r.eigenvalue());
        assertEquals(explicit, r.residual(), 1e-12, "the residual belongs to the returned vector");
    }

    @Test
    void startVectorIsUsed() {
        // starting exactly on an eigenvector converges after one application
        double[] d = {3, 7, -2};
        PowerIteration.Result r = PowerIteration.run(LinearOperator.diagonal(d), PowerIteration.Config.DEFAULT,
                Rng.stream(4, Rng.LANCZOS), Tensor.vector(0, 2, 0));
        assertTrue(r.converged());
        assertEquals(1, r.applications());
        assertEquals(7, r.eigenvalue(), 0.0);
    }

    @Test
    void nonFiniteIsDataAndBadArgumentsThrow() {
        PowerIteration.Result r = PowerIteration.run(LinearOperator.of(3, v -> v.div(0.0)), Rng.stream(5, Rng.LANCZOS));
        assertFalse(r.converged());
        assertTrue(Double.isNaN(r.eigenvalue()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PowerIteration.Config(1e-6, 0));
        assertTrue(e.getMessage().contains("maxIterations"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PowerIteration.run(LinearOperator.diagonal(1, 2),
                PowerIteration.Config.DEFAULT, Rng.stream(5, Rng.LANCZOS), Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("start") && e.getMessage().contains("[2]"), e.getMessage());
    }
}
