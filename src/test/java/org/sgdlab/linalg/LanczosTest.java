package org.sgdlab.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/** Lanczos top-k against dense eigendecompositions and known spectra (QUANTITIES.md Q5.2). */
class LanczosTest {

    /**
     * The top-k values agree with {@code want} to {@code relTol} relative, each reported residual matches
     * the explicit {@code ||A u - lambda u||} to {@code 1e-10 ||A||}, vectors are orthonormal.
     */
    private static void checkAgainst(Tensor a, double[] want, Lanczos.Result r, double relTol) {
        int k = r.eigenvalues().length;
        double norm = Math.max(Math.abs(want[0]), Math.abs(want[want.length - 1]));
        for (int i = 0; i < k; i++) {
            assertEquals(want[i], r.eigenvalues()[i], relTol * Math.abs(want[i]), "eigenvalue " + i + " of " + r);
            double[] u = r.eigenvectors().get(i).toArray();
            double explicit = Known.residual(a, u, r.eigenvalues()[i]);
            assertEquals(explicit, r.residuals()[i], 1e-10 * norm, "Lanczos-relation residual vs explicit, pair " + i);
            for (int j = 0; j <= i; j++) {
                assertEquals(i == j ? 1 : 0, Known.dot(u, r.eigenvectors().get(j).toArray()), 1e-10, "u_" + i + ".u_" + j);
            }
        }
    }

    @Test
    void topKOfRandomSymmetricMatricesWithAGap() {
        SplittableRandom rng = new SplittableRandom(31);
        for (int p : new int[] {60, 300}) {
            double[] lambda = Known.spectrum(rng, new double[] {12, 9, 7.5}, p - 3, -4, 5);
            Tensor a = Known.withSpectrum(rng, lambda);
            Lanczos.Result r = Lanczos.topK(LinearOperator.symmetric(a), 3, Rng.stream(1, Rng.LANCZOS));
            assertTrue(r.converged(), r.toString());
            for (boolean c : r.pairConverged()) {
                assertTrue(c);
            }
            double[] dense = SymmetricEigen.eigenvalues(a);
            checkAgainst(a, dense, r, 1e-8);
            checkAgainst(a, Known.descending(lambda), r, 1e-8);
            for (int i = 0; i < 3; i++) {
                assertTrue(r.residuals()[i] <= 1e-6 * Math.abs(r.eigenvalues()[i]), "Q5.2 convergence rule");
            }
            assertEquals(r.iterations(), r.applications(), "one application per Lanczos step");
        }
    }

    @Test
    void largestAlgebraicWinsOverLargerNegativeEigenvalues() {
        SplittableRandom rng = new SplittableRandom(32);
        double[] lambda = Known.spectrum(rng, new double[] {-50, -40, 10, 9, 8}, 195, -5, 5);
        Tensor a = Known.withSpectrum(rng, lambda);
        Lanczos.Result r = Lanczos.topK(LinearOperator.symmetric(a), 2, Rng.stream(2, Rng.LANCZOS));
        assertTrue(r.converged(), r.toString());
        checkAgainst(a, SymmetricEigen.eigenvalues(a), r, 1e-8);
        assertEquals(10, r.top(), 1e-8 * 10);
    }

    @Test
    void clusteredTopOfSpectrum() {
        SplittableRandom rng = new SplittableRandom(33);
        double[] lambda = Known.spectrum(rng, new double[] {10, 9.999, 9.998, 9.997, 9.996}, 195, -5, 5);
        Tensor a = Known.withSpectrum(rng, lambda);
        Lanczos.Config cfg = Lanczos.Config.defaults(3).withTol(1e-9);
        Lanczos.Result r = Lanczos.topK(LinearOperator.symmetric(a), cfg, Rng.stream(3, Rng.LANCZOS));
        assertTrue(r.converged(), r.toString());
        checkAgainst(a, SymmetricEigen.eigenvalues(a), r, 1e-8);
    }

    @Test
    void hessianOfTinyTanhMlpMatchesDenseEigenvaluesOfExplicitHessian() {
        SplittableRandom rng = new SplittableRandom(34);
        int n = 8;
        int in = 4;
        int hid = 12;
        int out = 3;
        int p = hid * in + hid + out * hid + out;                       // 99 parameters
        Tensor x = Tensor.randn(rng, n, in);
        Tensor y = Tensor.randn(rng, n, out);
        Function<Tensor, Tensor> loss = th -> {
            Tensor w1 = th.slice(0, 0, hid * in).reshape(hid, in);
            Tensor b1 = th.slice(0, hid * in, hid * in + hid);
            int o = hid * in + hid;
            Tensor w2 = th.slice(0, o, o + out * hid).reshape(out, hid);
            Tensor b2 = th.slice(0, o + out * hid, p);
            Tensor f = x.matmul(w1, false, true).add(b1).tanh()        // [n, in] @ [in, hid] -> [n, hid]
                    .matmul(w2, false, true).add(b2);                  // [n, hid] @ [hid, out] -> [n, out]
            return f.sub(y).square().sum().mul(0.5 / n);
        };
        Tensor theta = Tensor.randn(rng, p).mul(0.8);
        Tensor h = Autodiff.hessian(loss, theta);
        Tensor hs = h.add(h.transpose()).mul(0.5);
        double[] dense = SymmetricEigen.eigenvalues(hs);
        assertTrue(dense[p - 1] < 0, "the test wants an indefinite Hessian; lambda_min = " + dense[p - 1]);

        LinearOperator hvp = LinearOperator.of(p, v -> Autodiff.hvp(loss, theta, v));
        Lanczos.Result r = Lanczos.topK(hvp, 3, Rng.stream(7, Rng.LANCZOS, "sharpness"));
        assertTrue(r.converged(), r.toString());
        assertTrue(r.applications() < p, "a Krylov space smaller than p: " + r.applications());
        checkAgainst(hs, dense, r, 1e-8);
    }

    @Test
    void restartsFromTheRitzVectorsReachConvergenceWithASmallKrylovSpace() {
        SplittableRandom rng = new SplittableRandom(39);
        double[] lambda = Known.spectrum(rng, new double[] {10, 8}, 148, -4, 4);
        Tensor a = Known.withSpectrum(rng, lambda);
        Lanczos.Config cfg = new Lanczos.Config(2, 1e-6, 8, 20);
        Lanczos.Result r = Lanczos.topK(LinearOperator.symmetric(a), cfg, Rng.stream(6, Rng.LANCZOS));
        assertTrue(r.converged(), r.toString());
        assertTrue(r.restarts() > 0, "8 steps are not enough without restarts: " + r);
        assertEquals(r.applications(), r.iterations());
        checkAgainst(a, Known.descending(lambda), r, 1e-8);
    }

    @Test
    void warmStartSavesApplicationsOverASlowlyChangingSequence() {
        SplittableRandom rng = new SplittableRandom(35);
        int p = 200;
        double[] lambda = Known.spectrum(rng, new double[] {10, 8, 6.5}, p - 3, -4, 4);
        Tensor a = Known.withSpectrum(rng, lambda);
        Tensor e = Known.randomSymmetric(rng, p).div(Math.sqrt(p));        // ||E|| ~ 2
        Lanczos.Config cfg = Lanczos.Config.defaults(3);
        long cold = 0;
        long warm = 0;
        List<Tensor> previous = List.of();
        for (int t = 0; t < 10; t++) {
            Tensor at = a.add(e.mul(0.01 * t));
            LinearOperator op = LinearOperator.symmetric(at);
            double[] dense = SymmetricEigen.eigenvalues(at);
            Lanczos.Result c = Lanczos.topK(op, cfg, Rng.stream(5, Rng.LANCZOS, "cold", t));
            Lanczos.Result w = Lanczos.topK(op, cfg, Rng.stream(5, Rng.LANCZOS, "warm", t), previous);
            assertTrue(c.converged() && w.converged(), c + "\n" + w);
            checkAgainst(at, dense, c, 1e-8);
            checkAgainst(at, dense, w, 1e-8);
            cold += c.applications();
            warm += w.applications();
            previous = w.eigenvectors();
        }
        assertTrue(warm < cold, "warm-started total " + warm + " should be below cold total " + cold);
    }

    @Test
    void breakdownOnAnInvariantSubspaceRestartsWithARandomVector() {
        // 3 distinct eigenvalues: the Krylov space of any start is invariant after 3 steps, so the top 4
        // (9, 5, 5, 5) need breakdown restarts to expose the second copy of 5 and beyond.
        int p = 30;
        double[] d = new double[p];
        for (int i = 0; i < p; i++) {
            d[i] = i == 0 ? 9 : i < 10 ? 5 : -1;
        }
        LinearOperator op = LinearOperator.diagonal(d);
        Lanczos.Result r = Lanczos.topK(op, Lanczos.Config.defaults(4), Rng.stream(8, Rng.LANCZOS));
        assertTrue(r.converged(), r.toString());
        assertArrayEquals(new double[] {9, 5, 5, 5}, r.eigenvalues(), 1e-12);
        Tensor dense = diag(d);
        checkAgainst(dense, Known.descending(d), r, 1e-12);
    }

    @Test
    void wholeSpaceSmallOperator() {
        SplittableRandom rng = new SplittableRandom(36);
        double[] lambda = {3, -1, 2, 0.5};
        Tensor a = Known.withSpectrum(rng, lambda);
        Lanczos.Result r = Lanczos.topK(LinearOperator.symmetric(a), 4, Rng.stream(9, Rng.LANCZOS));
        assertTrue(r.converged(), r.toString());
        assertArrayEquals(Known.descending(lambda), r.eigenvalues(), 1e-12);
        assertTrue(r.applications() <= 4);
    }

    @Test
    void densePathAndTheAutomaticChoice() {
        SplittableRandom rng = new SplittableRandom(40);
        double[] lambda = Known.spectrum(rng, new double[] {6, -9}, 58, -2, 2);
        Tensor a = Known.withSpectrum(rng, lambda);
        Lanczos.Result d = Lanczos.dense(LinearOperator.symmetric(a), 3);
        assertTrue(d.converged());
        assertEquals(60, d.applications(), "one application per column");
        double[] want = Known.descending(lambda);
        assertArrayEquals(java.util.Arrays.copyOf(want, 3), d.eigenvalues(), 1e-12 * 9);
        for (int i = 0; i < 3; i++) {
            assertEquals(Known.residual(a, d.eigenvectors().get(i).toArray(), d.eigenvalues()[i]), d.residuals()[i], 1e-13);
        }
        Lanczos.Result small = Lanczos.auto(LinearOperator.symmetric(a), Lanczos.Config.defaults(3),
                Rng.stream(1, Rng.LANCZOS), List.of());
        assertEquals(60, small.applications(), "p = 60 <= 300: dense");
        assertEquals(0, small.iterations());
        double[] big = Known.spectrum(rng, new double[] {6, 5}, 398, -2, 2);
        Tensor b = Known.withSpectrum(rng, big);
        Lanczos.Result large = Lanczos.auto(LinearOperator.symmetric(b), Lanczos.Config.defaults(2),
                Rng.stream(1, Rng.LANCZOS), List.of());
        assertTrue(large.iterations() > 0 && large.applications() < 400, "p = 400 > 300: Lanczos " + large);
        checkAgainst(b, Known.descending(big), large, 1e-8);
    }

    @Test
    void deterministicGivenTheRandomStream() {
        SplittableRandom rng = new SplittableRandom(37);
        Tensor a = Known.withSpectrum(rng, Known.spectrum(rng, new double[] {5, 4}, 48, -3, 3));
        LinearOperator op = LinearOperator.symmetric(a);
        Lanczos.Result r1 = Lanczos.topK(op, 2, Rng.stream(3, Rng.LANCZOS));
        Lanczos.Result r2 = Lanczos.topK(op, 2, Rng.stream(3, Rng.LANCZOS));
        assertArrayEquals(r1.eigenvalues(), r2.eigenvalues(), 0.0);
        assertArrayEquals(r1.eigenvectors().get(1).toArray(), r2.eigenvectors().get(1).toArray(), 0.0);
        assertEquals(r1.applications(), r2.applications());
    }

    @Test
    void unreachedToleranceIsReportedNotThrown() {
        SplittableRandom rng = new SplittableRandom(38);
        double[] lambda = Known.spectrum(rng, new double[] {5, 4.9999}, 298, -5, 4.99);
        Tensor a = Known.withSpectrum(rng, lambda);
        Lanczos.Config cfg = new Lanczos.Config(2, 1e-14, 10, 2);
        Lanczos.Result r = Lanczos.topK(LinearOperator.symmetric(a), cfg, Rng.stream(4, Rng.LANCZOS));
        assertFalse(r.converged(), r.toString());
        assertEquals(30, r.applications(), "3 cycles of 10 steps");
        assertEquals(2, r.restarts());
        for (int i = 0; i < 2; i++) {                                 // the reported residuals are still honest
            double explicit = Known.residual(a, r.eigenvectors().get(i).toArray(), r.eigenvalues()[i]);
            assertEquals(explicit, r.residuals()[i], 1e-10 * 5);
            assertEquals(r.residuals()[i] <= 1e-14 * Math.abs(r.eigenvalues()[i]), r.pairConverged()[i]);
        }
    }

    @Test
    void nonFiniteOperatorOutputIsData() {
        LinearOperator bad = LinearOperator.of(5, v -> v.mul(Double.NaN));
        Lanczos.Result r = Lanczos.topK(bad, 2, Rng.stream(1, Rng.LANCZOS));
        assertFalse(r.converged());
        assertTrue(Double.isNaN(r.top()));
        assertEquals(1, r.applications());
    }

    @Test
    void badArguments() {
        LinearOperator op = LinearOperator.diagonal(1, 2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Lanczos.topK(op, 4, Rng.stream(1, Rng.LANCZOS)));
        assertTrue(e.getMessage().contains("k = 4") && e.getMessage().contains("3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Lanczos.Config(3, 1e-6, 2, 3));
        assertTrue(e.getMessage().contains("maxDim"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Lanczos.Config(0, 1e-6, 50, 3));
        assertTrue(e.getMessage().contains("k must be"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Lanczos.topK(op, Lanczos.Config.defaults(1),
                Rng.stream(1, Rng.LANCZOS), List.of(Tensor.zeros(4))));
        assertTrue(e.getMessage().contains("warmStart[0]") && e.getMessage().contains("[4]"), e.getMessage());
    }

    static Tensor diag(double[] d) {
        int n = d.length;
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + i] = d[i];
        }
        return Tensor.of(a, n, n);
    }

}
