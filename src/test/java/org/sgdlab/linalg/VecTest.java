package org.sgdlab.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The blocked Gram-Schmidt kernels give the bits of the one-vector-at-a-time loops they replace (so
 * Lanczos, and every sharpness figure built on it, is unchanged), and they orthogonalise.
 */
class VecTest {

    /** The unblocked classical Gram-Schmidt, twice: one dot per basis vector, then one axpy per basis vector. */
    private static double reference(double[] w, List<double[]> basis, int track) {
        double tracked = 0;
        double[] c = new double[basis.size()];
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < c.length; i++) {
                c[i] = Vec.dot(basis.get(i), w);
            }
            for (int i = 0; i < c.length; i++) {
                Vec.axpy(-c[i], basis.get(i), w);
            }
            if (track >= 0) {
                tracked += c[track];
            }
        }
        return tracked;
    }

    private static double[] gaussian(SplittableRandom r, int n) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = r.nextGaussian();
        }
        return x;
    }

    @Test
    void blockedOrthogonalisationHasTheBitsOfTheUnblockedLoops() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {1, 7, 257}) {
            for (int j = 0; j <= Math.min(n - 1, 11); j++) {          // every remainder of the blocks of four
                List<double[]> basis = new ArrayList<>();
                for (int i = 0; i < j; i++) {
                    double[] q = gaussian(r, n);
                    reference(q, basis, -1);
                    Vec.scale(q, 1.0 / Vec.norm(q));
                    basis.add(q);
                }
                double[] w = gaussian(r, n);
                double[] wRef = w.clone();
                int track = j == 0 ? -1 : j - 1;
                double got = Vec.orthogonalize(w, basis, track);
                double want = reference(wRef, basis, track);
                assertEquals(Double.doubleToLongBits(want), Double.doubleToLongBits(got), "tracked, n=" + n + " j=" + j);
                assertArrayEquals(wRef, w, 0.0, "w, n=" + n + " j=" + j);
                for (double[] q : basis) {
                    assertTrue(Math.abs(Vec.dot(q, w)) <= 1e-12 * Math.max(1, Vec.norm(wRef)), "not orthogonal, n=" + n);
                }
            }
        }
    }

    @Test
    void squares4AndRotateDotHaveTheBitsOfTheSeparateLoops() {
        SplittableRandom r = new SplittableRandom(13);
        for (int n : new int[] {0, 1, 3, 1001}) {
            double[][] q = {gaussian(r, n), gaussian(r, n), gaussian(r, n), gaussian(r, n)};
            double[] c = new double[5];
            Vec.squares4(q[0], q[1], q[2], q[3], c, 1);
            for (int i = 0; i < 4; i++) {
                assertEquals(Double.doubleToLongBits(Vec.dot(q[i], q[i])), Double.doubleToLongBits(c[1 + i]),
                        "square " + i + ", n=" + n);
            }
            double cs = 0.8;
            double sn = -0.6000000000000001;
            double[] x = q[0].clone();
            double[] y = q[1].clone();
            double got = Vec.rotateDot(x, y, cs, sn, q[2]);
            double[] xr = new double[n];
            double[] yr = new double[n];
            for (int k = 0; k < n; k++) {
                xr[k] = cs * q[0][k] - sn * q[1][k];
                yr[k] = sn * q[0][k] + cs * q[1][k];
            }
            assertArrayEquals(xr, x, 0.0, "rotated x, n=" + n);
            assertArrayEquals(yr, y, 0.0, "rotated y, n=" + n);
            assertEquals(Double.doubleToLongBits(Vec.dot(xr, q[2])), Double.doubleToLongBits(got), "dot, n=" + n);
        }
    }

    @Test
    void dot4IsFourDots() {
        SplittableRandom r = new SplittableRandom(12);
        double[][] q = {gaussian(r, 1001), gaussian(r, 1001), gaussian(r, 1001), gaussian(r, 1001)};
        double[] w = gaussian(r, 1001);
        double[] c = new double[6];
        Vec.dot4(q[0], q[1], q[2], q[3], w, c, 2);
        for (int i = 0; i < 4; i++) {
            assertEquals(Double.doubleToLongBits(Vec.dot(q[i], w)), Double.doubleToLongBits(c[2 + i]), "dot " + i);
        }
        assertEquals(0.0, c[0]);
        assertEquals(0.0, c[1]);
    }
}
