package org.sgdlab.tensor;

/**
 * Elementwise inner loops, vectorised when the JDK's Vector API is available ({@code VectorSimd},
 * JDK >= 22 with {@code --add-modules jdk.incubator.vector}), plain Java otherwise
 * ({@link Scalar}). {@code -Dsgdlab.simd=false} forces the plain loops.
 */
interface Simd {

    String describe();

    /**
     * {@code o[oo+i] = a[ao+i*sa] op b[bo+i*sb]} for strides 0 or 1 (not both 0); false when the
     * operation is not handled here (the caller falls back to scalar code).
     */
    boolean binary(Kernels.Bin op, double[] a, int ao, int sa, double[] b, int bo, int sb, double[] o, int oo, int n);

    /** {@code o[i] = op(a[i])} for lo <= i < hi; false when not handled here. */
    boolean unary(Kernels.Un op, double[] a, double[] o, int lo, int hi);

    /** {@code o[i] = a[i] + alpha * b[i]} (multiply, then add: no fused multiply-add). */
    void addScaled(double[] a, double[] b, double alpha, double[] o, int lo, int hi);

    /** {@code o[oo+i] += x[xo+i]} (sum) or {@code o = max(o, x)} with NaN propagating (max). */
    void accumulate(boolean max, double[] x, int xo, double[] o, int oo, int n);

    /** {@code o[i] = c[i] != 0 ? a[i] : b[i]}. */
    void where(double[] c, double[] a, double[] b, double[] o, int lo, int hi);

    /** {@link Kernels#sumRange}: the same bits as {@link Kernels#sumRangeScalar}. */
    double sum4(double[] x, int lo, int hi);

    /** {@link Kernels#dotRange}: the same bits as {@link Kernels#dotRangeScalar}. */
    double dot4(double[] x, double[] y, int lo, int hi);

    /** One block of {@link Kernels#normStats}: the same bits as {@link Kernels#normBlockScalar}. */
    void normBlock(double[] x, int xo, double[] r, int ro, int n, double[] sq, double[] dsq, double[] mx, int k);

    /** The loops of this process. */
    Simd INSTANCE = Loader.load();

    /** Chooses the implementation once. */
    final class Loader {
        private Loader() {
        }

        static Simd load() {
            if (!"false".equals(System.getProperty("sgdlab.simd")) && Runtime.version().feature() >= 22
                    && ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
                try {
                    Simd v = (Simd) Class.forName("org.sgdlab.tensor.VectorSimd").getDeclaredConstructor().newInstance();
                    double[] a = {1, -2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
                    double[] o = new double[a.length];
                    if (v.binary(Kernels.Bin.ADD, a, 0, 1, a, 0, 1, o, 0, a.length) && o[16] == 34 && o[1] == -4) {
                        return v;
                    }
                } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                    // fall through to the scalar loops
                }
            }
            return new Scalar();
        }
    }

    /** Plain Java loops (what C2 makes of them). */
    final class Scalar implements Simd {
        @Override
        public String describe() {
            return "scalar Java loops";
        }

        @Override
        public boolean binary(Kernels.Bin op, double[] a, int ao, int sa, double[] b, int bo, int sb, double[] o, int oo,
                              int n) {
            return false;
        }

        @Override
        public boolean unary(Kernels.Un op, double[] a, double[] o, int lo, int hi) {
            return false;
        }

        @Override
        public void addScaled(double[] a, double[] b, double alpha, double[] o, int lo, int hi) {
            for (int i = lo; i < hi; i++) {
                o[i] = a[i] + alpha * b[i];
            }
        }

        @Override
        public void accumulate(boolean max, double[] x, int xo, double[] o, int oo, int n) {
            if (max) {
                for (int i = 0; i < n; i++) {
                    double v = x[xo + i];
                    double s = o[oo + i];
                    o[oo + i] = (v > s || Double.isNaN(v)) ? v : s;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    o[oo + i] += x[xo + i];
                }
            }
        }

        @Override
        public double sum4(double[] x, int lo, int hi) {
            return Kernels.sumRangeScalar(x, lo, hi);
        }

        @Override
        public double dot4(double[] x, double[] y, int lo, int hi) {
            return Kernels.dotRangeScalar(x, y, lo, hi);
        }

        @Override
        public void normBlock(double[] x, int xo, double[] r, int ro, int n, double[] sq, double[] dsq, double[] mx,
                              int k) {
            Kernels.normBlockScalar(x, xo, r, ro, n, sq, dsq, mx, k);
        }

        @Override
        public void where(double[] c, double[] a, double[] b, double[] o, int lo, int hi) {
            for (int i = lo; i < hi; i++) {
                o[i] = c[i] != 0.0 ? a[i] : b[i];
            }
        }
    }
}
