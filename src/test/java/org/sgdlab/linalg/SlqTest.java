package org.sgdlab.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** Stochastic Lanczos quadrature (QUANTITIES.md Q8.2). */
class SlqTest {

    /** {@code v^T A^j v / v^T v} by repeated naive products. */
    private static double moment(Tensor a, double[] v, int j) {
        double[] x = v.clone();
        for (int i = 0; i < j; i++) {
            x = Known.mul(a, x);
        }
        return Known.dot(v, x) / Known.dot(v, v);
    }

    @Test
    void gaussQuadratureIsExactForPolynomialsOfDegreeBelowTwoM() {
        SplittableRandom rng = new SplittableRandom(61);
        int p = 60;
        double[] lambda = Known.spectrum(rng, new double[0], p, -2, 3);
        Tensor a = Known.withSpectrum(rng, lambda);
        double norm = Known.maxAbs(lambda);
        int m = 8;
        for (int trial = 0; trial < 3; trial++) {
            double[] v = Tensor.randn(rng, p).toArray();
            Slq.Quadrature q = Slq.quadrature(LinearOperator.symmetric(a), Tensor.vector(v), m);
            assertTrue(q.converged());
            assertEquals(m, q.nodes().length);
            double wsum = 0;
            for (int k = 0; k < m; k++) {
                wsum += q.weights()[k];
                assertTrue(q.weights()[k] > 0);
                assertTrue(q.nodes()[k] <= 3 && q.nodes()[k] >= -2, "nodes lie inside the spectrum");
            }
            assertEquals(1.0, wsum, 1e-13);
            for (int j = 0; j < 2 * m; j++) {
                final int jj = j;
                double exact = moment(a, v, j);
                double gauss = q.integrate(x -> Math.pow(x, jj));
                assertEquals(exact, gauss, 1e-11 * Math.pow(norm, j), "degree " + j);
            }
            // degree 2m is not integrated exactly: the check above can fail
            double exact = moment(a, v, 2 * m);
            double gauss = q.integrate(x -> Math.pow(x, 2 * m));
            assertTrue(Math.abs(exact - gauss) > 1e-6 * Math.pow(norm, 2 * m),
                    "degree 2m error " + Math.abs(exact - gauss));
        }
    }

    @Test
    void diagonalOperatorGivesUniformWeightsOnItsEntriesAndTheExactDensity() {
        // For D diagonal and Rademacher z, the spectral measure of z/||z|| is (1/p) sum_i delta(d_i):
        // with m >= number of distinct entries the quadrature reproduces it exactly.
        double[] d = {-1, -1, -1, 3, 3, 3, 3, -1};                    // p = 8, half at -1, half at 3
        Slq.Result r = Slq.density(LinearOperator.diagonal(d), Slq.Config.DEFAULT, Rng.stream(1, Rng.PROBES));
        assertTrue(r.converged());
        assertEquals(10, r.quadratures().size());
        for (Slq.Quadrature q : r.quadratures()) {
            assertArrayEquals(new double[] {3, -1}, q.nodes(), 1e-12, "the Krylov space is invariant after 2 steps");
            assertArrayEquals(new double[] {0.5, 0.5}, q.weights(), 1e-12);
        }
        assertEquals(2 * 10, r.applications(), "2 steps per probe, then the quadrature is exact");
        double sigma = 0.01 * 4;
        assertEquals(sigma, r.sigma(), 1e-14);
        assertEquals(1000, r.grid().length);
        assertEquals(-1 - 5 * sigma, r.grid()[0], 1e-12);
        assertEquals(3 + 5 * sigma, r.grid()[999], 1e-12);
        for (int i = 0; i < r.grid().length; i += 37) {
            double t = r.grid()[i];
            double want = 0.5 * gauss(t + 1, sigma) + 0.5 * gauss(t - 3, sigma);
            assertEquals(want, r.density()[i], 1e-12 * Math.max(1, want));
        }
        assertEquals(8.0, r.traceEstimate(), 1e-12, "tr D = 4*(-1) + 4*3");
        assertEquals(0.0, r.traceStandardError(), 1e-12);
    }

    private static double gauss(double x, double s) {
        return Math.exp(-x * x / (2 * s * s)) / (s * Math.sqrt(2 * Math.PI));
    }

    @Test
    void densityIntegratesToOne() {
        SplittableRandom rng = new SplittableRandom(62);
        int p = 120;
        Tensor a = Known.withSpectrum(rng, Known.spectrum(rng, new double[] {20, -8}, p - 2, -1, 2));
        Slq.Result r = Slq.density(LinearOperator.symmetric(a), new Slq.Config(4, 30, 0.01, 1000),
                Rng.stream(2, Rng.PROBES));
        assertTrue(r.converged());
        double integral = 0;
        double[] g = r.grid();
        for (int i = 1; i < g.length; i++) {
            integral += 0.5 * (r.density()[i] + r.density()[i - 1]) * (g[i] - g[i - 1]);
        }
        // Gaussian tails beyond 5 sigma hold 5.7e-7 of the mass; the trapezoid rule on 0.1 sigma is exact to more
        assertEquals(1.0, integral, 2e-6);
        assertEquals(4 * 30, r.applications());
    }

    @Test
    void traceSamplesAreTheHutchinsonSamplesOfTheSameProbes() {
        // for Rademacher z, p * v^T A v = z^T A z with v = z/||z||: SLQ's trace is Hutchinson's on the same draws
        SplittableRandom rng = new SplittableRandom(63);
        int p = 50;
        Tensor a = Known.randomSymmetric(rng, p).add(Tensor.eye(p));
        LinearOperator op = LinearOperator.symmetric(a);
        Slq.Result s = Slq.density(op, new Slq.Config(6, 10, 0.01, 100), Rng.stream(4, Rng.PROBES));
        Hutchinson.Result h = Hutchinson.estimate(op, 6, Rng.stream(4, Rng.PROBES));
        assertEquals(h.estimate(), s.traceEstimate(), 1e-10 * Math.abs(h.estimate()));
        assertEquals(h.standardError(), s.traceStandardError(), 1e-10 * h.standardError());
        double tr = 0;
        for (int i = 0; i < p; i++) {
            tr += a.get(i, i);
        }
        double combined = Math.sqrt(2) * s.traceStandardError();
        assertTrue(Math.abs(s.traceEstimate() - tr) <= 4 * combined, s + " vs trace " + tr);
    }

    @Test
    void stepsAreCappedAtTheDimension() {
        double[] d = {1, 2, 3, 4, 5};
        Slq.Quadrature q = Slq.quadrature(LinearOperator.diagonal(d), Tensor.vector(1, 1, 1, 1, 1), 80);
        assertArrayEquals(new double[] {5, 4, 3, 2, 1}, q.nodes(), 1e-12);
        assertArrayEquals(new double[] {0.2, 0.2, 0.2, 0.2, 0.2}, q.weights(), 1e-12);
    }

    @Test
    void nonFiniteAndBadArguments() {
        Slq.Result r = Slq.density(LinearOperator.of(4, v -> v.mul(Double.POSITIVE_INFINITY)), Rng.stream(1, Rng.PROBES));
        assertFalse(r.converged());
        assertTrue(Double.isNaN(r.traceEstimate()));
        assertEquals(0, r.density().length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Slq.quadrature(LinearOperator.diagonal(1, 2), Tensor.zeros(2), 3));
        assertTrue(e.getMessage().contains("non-zero"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Slq.Config(10, 80, 0.0, 1000));
        assertTrue(e.getMessage().contains("sigmaFraction"), e.getMessage());
    }
}
