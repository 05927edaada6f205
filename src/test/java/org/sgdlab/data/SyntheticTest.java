package org.sgdlab.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

/** Each generator against its formula recomputed with plain loops from the returned ground truth. */
class SyntheticTest {

    static double[][] rows(Tensor t) {
        int n = t.dim(0);
        int d = t.size() / Math.max(1, n);
        double[] v = t.toArray();
        double[][] r = new double[n][d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(v, i * d, r[i], 0, d);
        }
        return r;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static double relu(double v) {
        return v > 0 ? v : 0;
    }

    @Test
    void gaussianTargetsFollowTheirFormulas() {
        for (Synthetic.Target t : Synthetic.Target.values()) {
            Dataset d = Synthetic.gaussianTarget(50, 4, t, new SplittableRandom(1));
            double[][] x = rows(d.x());
            double[] y = d.y().toArray();
            for (int i = 0; i < 50; i++) {
                double expected = switch (t.key()) {
                    case "x1x2" -> x[i][0] * x[i][1];
                    case "x1x2x3" -> x[i][0] * x[i][1] * x[i][2];
                    default -> Math.sin(x[i][0]) + x[i][1] * x[i][2];
                };
                assertEquals(expected, y[i], 1e-15);
            }
            // draws: n·d standard normals, row-major
            assertArrayEquals(Tensor.randn(new SplittableRandom(1), 50, 4).toArray(), d.x().toArray(), 0.0);
        }
        assertEquals(Synthetic.Target.X1X2X3, Synthetic.Target.byName("x1x2x3"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Synthetic.Target.byName("x1"));
        assertTrue(e.getMessage().contains("x1x2, x1x2x3, sin-x1-plus-x2x3"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Synthetic.gaussianTarget(5, 2, Synthetic.Target.X1X2X3, new SplittableRandom(0)));
    }

    @Test
    void sparseRegressionTeacherIsUnitNormNonNegativeAndSparse() {
        int d = 30;
        int r = 3;
        Synthetic.Task t = Synthetic.sparseRegression(20, 100, d, r, new SplittableRandom(4));
        double[] theta = t.truth("theta_star").toArray();
        double norm2 = 0;
        for (int j = 0; j < d; j++) {
            if (j < r) {
                assertTrue(theta[j] >= 0);
            } else {
                assertEquals(0.0, theta[j]);
            }
            norm2 += theta[j] * theta[j];
        }
        assertEquals(1.0, norm2, 1e-14);
        for (Dataset ds : new Dataset[] {t.train(), t.test()}) {
            double[][] x = rows(ds.x());
            double[] y = ds.y().toArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(dot(x[i], theta), y[i], 1e-13);
            }
        }
        assertEquals(20, t.train().size());
        assertEquals(100, t.test().size());
        // the training set and θ* do not depend on the test size (θ*, X, X_test order)
        Synthetic.Task small = Synthetic.sparseRegression(20, 0, d, r, new SplittableRandom(4));
        assertArrayEquals(t.train().x().toArray(), small.train().x().toArray(), 0.0);
        assertArrayEquals(theta, small.truth("theta_star").toArray(), 0.0);
        assertEquals(0, small.test().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.truth("w"));
        assertTrue(e.getMessage().contains("theta_star"));
    }

    @Test
    void sparseOnesSumsTheFirstRCoordinates() {
        Synthetic.Task t = Synthetic.sparseOnes(50, 10, 100, 5, new SplittableRandom(0));
        double[][] x = rows(t.train().x());
        double[] y = t.train().y().toArray();
        for (int i = 0; i < 50; i++) {
            assertEquals(x[i][0] + x[i][1] + x[i][2] + x[i][3] + x[i][4], y[i], 1e-13);
        }
    }

    @Test
    void linearTeacherHasTheStatedInputAndNoiseLaws() {
        double[] var = {0.25, 0.25, 1, 1};
        double[] noise = {2, 0.1, 0.1, 0.1};
        int n = 20000;
        Synthetic.Task t = Synthetic.linearTeacher(n, 5, var, 4, noise, new SplittableRandom(8));
        double[][] tm = rows(t.truth("T"));
        double[][] x = rows(t.train().x());
        double[][] y = rows(t.train().y());
        double[] sx = new double[4];
        double[] se = new double[4];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                sx[j] += x[i][j] * x[i][j];
            }
            for (int a = 0; a < 4; a++) {
                double e = y[i][a] - dot(tm[a], x[i]);
                se[a] += e * e;
            }
        }
        for (int j = 0; j < 4; j++) { // relative sd of a variance estimate: sqrt(2/n) = 1 %
            assertEquals(var[j], sx[j] / n, 0.05 * var[j], "input variance " + j);
            assertEquals(noise[j] * noise[j], se[j] / n, 0.05 * noise[j] * noise[j], "noise variance " + j);
        }
        // T_ij ~ N(0, 1/d): with d = 50 and 40 outputs, 2000 entries, variance 0.02 within 10 %
        Synthetic.Task big = Synthetic.linearTeacher(1, 0, new double[50], 40, new double[] {0.5},
                new SplittableRandom(9));
        double s = 0;
        for (double v : big.truth("T").toArray()) {
            s += v * v;
        }
        assertEquals(1.0 / 50, s / 2000, 0.002);
        assertThrows(IllegalArgumentException.class,
                () -> Synthetic.linearTeacher(10, 0, var, 4, new double[] {1, 2}, new SplittableRandom(0)));
    }

    @Test
    void sf5TeacherStudentOnTheUnitSphere() {
        Synthetic.Task t = Synthetic.sf5(50, 1000, new SplittableRandom(5));
        double[][] w1 = rows(t.truth("w1"));
        double[] b1 = t.truth("b1").toArray();
        double[][] w2 = rows(t.truth("w2"));
        double[] b2 = t.truth("b2").toArray();
        double[][] w3 = rows(t.truth("w3"));
        double[] b3 = t.truth("b3").toArray();
        assertArrayEquals(new int[] {2, 5}, t.truth("w1").shape());
        assertArrayEquals(new int[] {2, 2}, t.truth("w2").shape());
        assertArrayEquals(new int[] {1, 2}, t.truth("w3").shape());
        for (double b : b1) {
            assertTrue(Math.abs(b) <= 1 / Math.sqrt(5));
        }
        for (double b : b2) {
            assertTrue(Math.abs(b) <= 1 / Math.sqrt(2));
        }
        for (Dataset ds : new Dataset[] {t.train(), t.test()}) {
            double[][] x = rows(ds.x());
            double[] y = ds.y().toArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(1.0, Math.sqrt(dot(x[i], x[i])), 1e-14);
                double[] h1 = {relu(dot(w1[0], x[i]) + b1[0]), relu(dot(w1[1], x[i]) + b1[1])};
                double[] h2 = {relu(dot(w2[0], h1) + b2[0]), relu(dot(w2[1], h1) + b2[1])};
                assertEquals(dot(w3[0], h2) + b3[0], y[i], 1e-13);
            }
        }
        // weights 1.0·N(0, 1) (no fan-in scaling): over many seeds the entries have variance 1
        double s = 0;
        int cnt = 0;
        for (int seed = 0; seed < 400; seed++) {
            for (double v : Synthetic.sf5(1, 0, new SplittableRandom(seed)).truth("w1").toArray()) {
                s += v * v;
                cnt++;
            }
        }
        assertEquals(1.0, s / cnt, 0.06);
    }

    @Test
    void sf6TeacherHasUnitRowsAndSignOutputs() {
        Synthetic.Task t = Synthetic.sf6(15, 200, new SplittableRandom(0));
        double[][] w = rows(t.truth("w1"));
        double[] a = t.truth("w2").toArray();
        for (int j = 0; j < 3; j++) {
            assertEquals(1.0, Math.sqrt(dot(w[j], w[j])), 1e-14);
            assertEquals(1.0, Math.abs(a[j]), 0.0);
        }
        double[][] x = rows(t.train().x());
        double[] y = t.train().y().toArray();
        for (int i = 0; i < 15; i++) {
            assertEquals(1.0, Math.hypot(x[i][0], x[i][1]), 1e-14);
            double f = 0;
            for (int j = 0; j < 3; j++) {
                f += a[j] * relu(dot(w[j], x[i]));
            }
            assertEquals(f, y[i], 1e-14);
        }
    }

    @Test
    void sf7TargetsAreStandardisedOnTheTrainingSet() {
        Synthetic.Task t = Synthetic.sf7(500, 1000, new SplittableRandom(2));
        double[] y = t.train().y().toArray();
        double mean = 0;
        for (double v : y) {
            mean += v;
        }
        mean /= y.length;
        double var = 0;
        for (double v : y) {
            var += (v - mean) * (v - mean);
        }
        assertEquals(0.0, mean, 1e-13);
        assertEquals(1.0, var / y.length, 1e-12);
        double[][] w1 = rows(t.truth("w1"));
        double[] w2 = t.truth("w2").toArray();
        double ym = t.truth("y_mean").item();
        double ys = t.truth("y_std").item();
        for (Dataset ds : new Dataset[] {t.train(), t.test()}) {
            double[][] x = rows(ds.x());
            double[] yy = ds.y().toArray();
            for (int i = 0; i < x.length; i++) {
                double f = 0;
                for (int k = 0; k < 5; k++) {
                    f += w2[k] * relu(dot(w1[k], x[i]));
                }
                assertEquals((f - ym) / ys, yy[i], 1e-12);
            }
        }
        // x ~ N(0, I/d): E‖x‖² = 1
        double s = 0;
        for (double v : t.test().x().toArray()) {
            s += v * v;
        }
        assertEquals(1.0, s / 1000, 0.05);
    }

    @Test
    void syntheticDigitsLabelsAreTheArgmaxOfTheTanhTeacher() {
        Synthetic.Task t = Synthetic.syntheticDigits(300, 50, new SplittableRandom(3));
        assertArrayEquals(new int[] {300, 64}, t.train().x().shape());
        assertArrayEquals(new int[] {300, 10}, t.train().y().shape());
        double[][] w1 = rows(t.truth("w1"));
        double[][] w2 = rows(t.truth("w2"));
        double[][] x = rows(t.train().x());
        int[] classesSeen = new int[10];
        for (int i = 0; i < 300; i++) {
            double[] h = new double[32];
            for (int k = 0; k < 32; k++) {
                h[k] = Math.tanh(dot(w1[k], x[i]));
            }
            int best = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < 10; c++) {
                double v = dot(w2[c], h);
                if (v > bestV) {
                    bestV = v;
                    best = c;
                }
            }
            assertEquals(best, t.train().label(i));
            assertEquals(1.0, t.train().y().get(i, best));
            classesSeen[best]++;
        }
        assertTrue(java.util.Arrays.stream(classesSeen).filter(c -> c > 0).count() >= 5);
    }

    @Test
    void scaleInvariantTeacherMatchesItsFormula() {
        int d = 10;
        int h = 20;
        Synthetic.Task t = Synthetic.scaleInvariantTeacher(40, 0, d, h, new SplittableRandom(6));
        double[][] w = rows(t.truth("w"));
        double[] a = t.truth("a").toArray();
        double[][] x = rows(t.train().x());
        double[] y = t.train().y().toArray();
        for (int i = 0; i < 40; i++) {
            double[] z = new double[h];
            double nz = 0;
            for (int k = 0; k < h; k++) {
                z[k] = dot(w[k], x[i]);
                nz += z[k] * z[k];
            }
            nz = Math.sqrt(nz);
            double f = 0;
            for (int k = 0; k < h; k++) {
                f += a[k] * relu(Math.sqrt(h) * z[k] / nz);
            }
            assertEquals(f, y[i], 1e-13);
        }
    }

    @Test
    void sf4PointsAreTheAuthorsTwelvePoints() {
        Dataset d = Synthetic.sf4Points();
        double[] x = d.x().toArray();
        double[] y = d.y().toArray();
        assertEquals(12, x.length);
        assertEquals(-1.305, x[0], 1e-15);
        assertEquals(1.445, x[11], 1e-15);
        assertEquals(0.25, x[1] - x[0], 1e-15);
        double[] offsets = {-2, 1.5, 0, 0, 2, 1, 0, -1, 0, 1, 2, -1};
        for (int k = 0; k < 12; k++) {
            assertEquals(0.345 + offsets[k], y[k], 1e-15);
        }
    }

    @Test
    void gaussianMixtureClustersAroundItsMeans() {
        int d = 8;
        Synthetic.Task t = Synthetic.gaussianMixture(4000, 10, d, 4, 5.0, 0.5, new SplittableRandom(1));
        double[][] mu = rows(t.truth("means"));
        double[][] x = rows(t.train().x());
        double ss = 0;
        for (int i = 0; i < x.length; i++) {
            double[] c = mu[t.train().label(i)];
            for (int j = 0; j < d; j++) {
                ss += (x[i][j] - c[j]) * (x[i][j] - c[j]);
            }
        }
        assertEquals(0.25, ss / (4000.0 * d), 0.01); // noise variance 0.5²
        for (int c : t.train().classCounts()) { // uniform labels: 1000 each, sd ~ 27
            assertEquals(1000, c, 150);
        }
    }

    @Test
    void chebyshevPointsAreTheRootsOfTn() {
        int n = 9;
        double[] x = Synthetic.chebyshevPoints(n).toArray();
        for (int k = 0; k < n; k++) {
            // T_n by the three-term recurrence T_{j+1} = 2x T_j - T_{j-1}
            double t0 = 1;
            double t1 = x[k];
            for (int j = 1; j < n; j++) {
                double t2 = 2 * x[k] * t1 - t0;
                t0 = t1;
                t1 = t2;
            }
            assertEquals(0.0, t1, 1e-13, "T_9 at node " + k);
            assertTrue(k == 0 || x[k] < x[k - 1]);
        }
        Dataset r = Synthetic.chebyshevRegression(7, 3);
        double[] xs = r.x().toArray();
        double[] ys = r.y().toArray();
        for (int k = 0; k < 7; k++) {
            assertEquals(4 * Math.pow(xs[k], 3) - 3 * xs[k], ys[k], 1e-14); // T_3(x) = 4x³ - 3x
        }
    }

    @Test
    void generatorsAreReproducibleFromTheSeed() {
        assertArrayEquals(Synthetic.sf5(10, 5, new SplittableRandom(77)).test().y().toArray(),
                Synthetic.sf5(10, 5, new SplittableRandom(77)).test().y().toArray(), 0.0);
        assertArrayEquals(Synthetic.gaussianMixture(10, 5, 3, 2, 1, 1, new SplittableRandom(1)).test().x().toArray(),
                Synthetic.gaussianMixture(10, 5, 3, 2, 1, 1, new SplittableRandom(1)).test().x().toArray(), 0.0);
    }
}
