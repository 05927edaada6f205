package org.sgdlab.tensor;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise kernels on the JDK's Vector API (jdk.incubator.vector, JDK >= 22, needs
 * {@code --add-modules jdk.incubator.vector}; the launcher and the tests pass it). Loaded
 * reflectively by {@link Simd}; without the module the scalar loops of {@link Kernels} run.
 *
 * <p>Every output element is computed independently of the others by the same IEEE operations as
 * the scalar loops of {@link Kernels} (no fused multiply-add; exp, tanh and sigmoid are sgdlab's own
 * polynomials, log is left to the scalar loop), so results do not depend on the vector width.
 *
 * <p>Generated code: one loop per operation and stride pattern, so every lanewise operator is a
 * compile-time constant (what the Vector API needs to be intrinsified).
 */
final class VectorSimd implements Simd {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    @Override
    public String describe() {
        return "jdk.incubator.vector " + S.vectorBitSize() + "-bit (" + L + " doubles)";
    }

    @Override
    public boolean binary(Kernels.Bin op, double[] a, int ao, int sa, double[] b, int bo, int sb, double[] o, int oo, int n) {
        if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD: addVV(a, ao, b, bo, o, oo, n); return true;
                case SUB: subVV(a, ao, b, bo, o, oo, n); return true;
                case MUL: mulVV(a, ao, b, bo, o, oo, n); return true;
                case DIV: divVV(a, ao, b, bo, o, oo, n); return true;
                case MAX: maxVV(a, ao, b, bo, o, oo, n); return true;
                case MIN: minVV(a, ao, b, bo, o, oo, n); return true;
                case GT: gtVV(a, ao, b, bo, o, oo, n); return true;
                case SHARE_GT: shareGtVV(a, ao, b, bo, o, oo, n); return true;
                case SHARE_LT: shareLtVV(a, ao, b, bo, o, oo, n); return true;
                case GE: geVV(a, ao, b, bo, o, oo, n); return true;
                case LT: ltVV(a, ao, b, bo, o, oo, n); return true;
                case LE: leVV(a, ao, b, bo, o, oo, n); return true;
                case EQ: eqVV(a, ao, b, bo, o, oo, n); return true;
                case NE: neVV(a, ao, b, bo, o, oo, n); return true;
                case MUL_1MSQ: mulOneMinusSquareVV(a, ao, b, bo, o, oo, n); return true;
                default: return false;
            }
        }
        if (sa == 1 && sb == 0) {
            switch (op) {
                case ADD: addVS(a, ao, b[bo], o, oo, n); return true;
                case SUB: subVS(a, ao, b[bo], o, oo, n); return true;
                case MUL: mulVS(a, ao, b[bo], o, oo, n); return true;
                case DIV: divVS(a, ao, b[bo], o, oo, n); return true;
                case MAX: maxVS(a, ao, b[bo], o, oo, n); return true;
                case MIN: minVS(a, ao, b[bo], o, oo, n); return true;
                case GT: gtVS(a, ao, b[bo], o, oo, n); return true;
                case SHARE_GT: shareGtVS(a, ao, b[bo], o, oo, n); return true;
                case SHARE_LT: shareLtVS(a, ao, b[bo], o, oo, n); return true;
                case GE: geVS(a, ao, b[bo], o, oo, n); return true;
                case LT: ltVS(a, ao, b[bo], o, oo, n); return true;
                case LE: leVS(a, ao, b[bo], o, oo, n); return true;
                case EQ: eqVS(a, ao, b[bo], o, oo, n); return true;
                case NE: neVS(a, ao, b[bo], o, oo, n); return true;
                default: return false;
            }
        }
        if (sa == 0 && sb == 1) {
            switch (op) {
                case ADD: addSV(a[ao], b, bo, o, oo, n); return true;
                case SUB: subSV(a[ao], b, bo, o, oo, n); return true;
                case MUL: mulSV(a[ao], b, bo, o, oo, n); return true;
                case DIV: divSV(a[ao], b, bo, o, oo, n); return true;
                case MAX: maxSV(a[ao], b, bo, o, oo, n); return true;
                case MIN: minSV(a[ao], b, bo, o, oo, n); return true;
                case GT: gtSV(a[ao], b, bo, o, oo, n); return true;
                case GE: geSV(a[ao], b, bo, o, oo, n); return true;
                case LT: ltSV(a[ao], b, bo, o, oo, n); return true;
                case LE: leSV(a[ao], b, bo, o, oo, n); return true;
                case EQ: eqSV(a[ao], b, bo, o, oo, n); return true;
                case NE: neSV(a[ao], b, bo, o, oo, n); return true;
                default: return false;
            }
        }
        return false;
    }

    private static final DoubleVector ZERO = DoubleVector.zero(S);
    private static final DoubleVector ONE = DoubleVector.broadcast(S, 1.0);

    private static void addVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.add(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] + b[bo + i];
        }
    }

    /** {@code a (1 - b^2)}: tanh's derivative times the cotangent, rounded as Kernels' scalar loop. */
    private static void mulOneMinusSquareVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.mul(ONE.sub(y.mul(y))).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            double y = b[bo + i];
            o[oo + i] = a[ao + i] * (1.0 - y * y);
        }
    }

    private static void addVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            x.add(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] + c;
        }
    }

    private static void addSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.add(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c + b[bo + i];
        }
    }

    private static void subVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.sub(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] - b[bo + i];
        }
    }

    private static void subVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            x.sub(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] - c;
        }
    }

    private static void subSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.sub(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c - b[bo + i];
        }
    }

    private static void mulVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.mul(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] * b[bo + i];
        }
    }

    private static void mulVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            x.mul(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] * c;
        }
    }

    private static void mulSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.mul(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c * b[bo + i];
        }
    }

    private static void divVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.div(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] / b[bo + i];
        }
    }

    private static void divVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            x.div(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] / c;
        }
    }

    private static void divSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.div(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c / b[bo + i];
        }
    }

    private static void maxVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.max(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Math.max(a[ao + i], b[bo + i]);
        }
    }

    private static void maxVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            x.max(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Math.max(a[ao + i], c);
        }
    }

    private static void maxSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.max(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Math.max(c, b[bo + i]);
        }
    }

    private static void minVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.min(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Math.min(a[ao + i], b[bo + i]);
        }
    }

    private static void minVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            x.min(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Math.min(a[ao + i], c);
        }
    }

    private static void minSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            x.min(y).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Math.min(c, b[bo + i]);
        }
    }

    private static final DoubleVector HALF = DoubleVector.broadcast(S, 0.5);

    /** Kernels' SHARE_GT / SHARE_LT: 1 where a > b (a < b), 1/2 where equal, else 0. */
    private static void shareGtVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(HALF, x.compare(VectorOperators.EQ, y)).blend(ONE, x.compare(VectorOperators.GT, y))
                    .intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Kernels.apply(Kernels.Bin.SHARE_GT, a[ao + i], b[bo + i]);
        }
    }

    private static void shareGtVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            ZERO.blend(HALF, x.compare(VectorOperators.EQ, y)).blend(ONE, x.compare(VectorOperators.GT, y))
                    .intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Kernels.apply(Kernels.Bin.SHARE_GT, a[ao + i], c);
        }
    }

    private static void shareLtVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(HALF, x.compare(VectorOperators.EQ, y)).blend(ONE, x.compare(VectorOperators.LT, y))
                    .intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Kernels.apply(Kernels.Bin.SHARE_LT, a[ao + i], b[bo + i]);
        }
    }

    private static void shareLtVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            ZERO.blend(HALF, x.compare(VectorOperators.EQ, y)).blend(ONE, x.compare(VectorOperators.LT, y))
                    .intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = Kernels.apply(Kernels.Bin.SHARE_LT, a[ao + i], c);
        }
    }

    private static void gtVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.GT, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] > b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void gtVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            ZERO.blend(ONE, x.compare(VectorOperators.GT, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] > c ? 1.0 : 0.0;
        }
    }

    private static void gtSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.GT, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c > b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void geVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.GE, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] >= b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void geVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            ZERO.blend(ONE, x.compare(VectorOperators.GE, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] >= c ? 1.0 : 0.0;
        }
    }

    private static void geSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.GE, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c >= b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void ltVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.LT, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] < b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void ltVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            ZERO.blend(ONE, x.compare(VectorOperators.LT, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] < c ? 1.0 : 0.0;
        }
    }

    private static void ltSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.LT, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c < b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void leVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.LE, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] <= b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void leVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            ZERO.blend(ONE, x.compare(VectorOperators.LE, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] <= c ? 1.0 : 0.0;
        }
    }

    private static void leSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.LE, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c <= b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void eqVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.EQ, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] == b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void eqVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            ZERO.blend(ONE, x.compare(VectorOperators.EQ, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] == c ? 1.0 : 0.0;
        }
    }

    private static void eqSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.EQ, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c == b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void neVV(double[] a, int ao, double[] b, int bo, double[] o, int oo, int n) {
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.NE, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] != b[bo + i] ? 1.0 : 0.0;
        }
    }

    private static void neVS(double[] a, int ao, double c, double[] o, int oo, int n) {
        DoubleVector y = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, ao + i);
            ZERO.blend(ONE, x.compare(VectorOperators.NE, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = a[ao + i] != c ? 1.0 : 0.0;
        }
    }

    private static void neSV(double c, double[] b, int bo, double[] o, int oo, int n) {
        DoubleVector x = DoubleVector.broadcast(S, c);
        int i = 0;
        for (int up = S.loopBound(n); i < up; i += L) {
            DoubleVector y = DoubleVector.fromArray(S, b, bo + i);
            ZERO.blend(ONE, x.compare(VectorOperators.NE, y)).intoArray(o, oo + i);
        }
        for (; i < n; i++) {
            o[oo + i] = c != b[bo + i] ? 1.0 : 0.0;
        }
    }

    @Override
    public boolean unary(Kernels.Un op, double[] a, double[] o, int lo, int hi) {
        switch (op) {
            case NEG: negU(a, o, lo, hi); return true;
            case EXP: expU(a, o, lo, hi); return true;
            case TANH: tanhU(a, o, lo, hi); return true;
            case SIGMOID: sigmoidU(a, o, lo, hi); return true;
            case SQRT: sqrtU(a, o, lo, hi); return true;
            case ABS: absU(a, o, lo, hi); return true;
            case SIGN: signU(a, o, lo, hi); return true;
            default: return false;
        }
    }

    private static void negU(double[] a, double[] o, int lo, int hi) {
        int i = lo;
        for (int up = lo + S.loopBound(hi - lo); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            x.neg().intoArray(o, i);
        }
        for (; i < hi; i++) {
            o[i] = -a[i];
        }
    }

    private static void expU(double[] a, double[] o, int lo, int hi) {
        int i = lo;
        for (int up = lo + S.loopBound(hi - lo); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            DoubleVector xc_ = x.max(-746.0).min(710.0);
            DoubleVector t_ = xc_.mul(Kernels.LOG2E).add(Kernels.MAGIC);
            DoubleVector k_ = t_.sub(Kernels.MAGIC);
            LongVector kl_ = ((LongVector) t_.viewAsIntegralLanes()).sub(Kernels.MAGIC_BITS);
            DoubleVector r_ = xc_.sub(k_.mul(Kernels.LN2_HI)).sub(k_.mul(Kernels.LN2_LO));
            DoubleVector p_ = DoubleVector.broadcast(S, Kernels.EXP_C[0]);
            for (int c = 1; c < Kernels.EXP_C.length; c++) {
                p_ = p_.mul(r_).add(Kernels.EXP_C[c]);
            }
            LongVector k1_ = kl_.lanewise(VectorOperators.ASHR, 1);
            LongVector k2_ = kl_.sub(k1_);
            DoubleVector s1_ = (DoubleVector) k1_.add(1023L).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            DoubleVector s2_ = (DoubleVector) k2_.add(1023L).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            DoubleVector e_ = p_.mul(s1_).mul(s2_);
            e_.intoArray(o, i);
        }
        for (; i < hi; i++) {
            o[i] = Kernels.exp(a[i]);
        }
    }


    private static void tanhU(double[] a, double[] o, int lo, int hi) {
        int i = lo;
        for (int up = lo + S.loopBound(hi - lo); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            DoubleVector ax = x.abs();
            // below the split: |x| + |x| z R(z)/Q(z)
            DoubleVector z = ax.mul(ax);
            DoubleVector r = DoubleVector.broadcast(S, Kernels.TANH_R[0]);
            for (int c = 1; c < Kernels.TANH_R.length; c++) {
                r = r.mul(z).add(Kernels.TANH_R[c]);
            }
            DoubleVector q = DoubleVector.broadcast(S, Kernels.TANH_Q[0]);
            for (int c = 1; c < Kernels.TANH_Q.length; c++) {
                q = q.mul(z).add(Kernels.TANH_Q[c]);
            }
            DoubleVector small = ax.add(ax.mul(z).mul(r).div(q));
            // above: 1 - 2/(e^{2|x|} + 1)
            DoubleVector y = ax.add(ax);
            DoubleVector xc_ = y.max(-746.0).min(710.0);
            DoubleVector t_ = xc_.mul(Kernels.LOG2E).add(Kernels.MAGIC);
            DoubleVector k_ = t_.sub(Kernels.MAGIC);
            LongVector kl_ = ((LongVector) t_.viewAsIntegralLanes()).sub(Kernels.MAGIC_BITS);
            DoubleVector r_ = xc_.sub(k_.mul(Kernels.LN2_HI)).sub(k_.mul(Kernels.LN2_LO));
            DoubleVector p_ = DoubleVector.broadcast(S, Kernels.EXP_C[0]);
            for (int c = 1; c < Kernels.EXP_C.length; c++) {
                p_ = p_.mul(r_).add(Kernels.EXP_C[c]);
            }
            LongVector k1_ = kl_.lanewise(VectorOperators.ASHR, 1);
            LongVector k2_ = kl_.sub(k1_);
            DoubleVector s1_ = (DoubleVector) k1_.add(1023L).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            DoubleVector s2_ = (DoubleVector) k2_.add(1023L).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            DoubleVector e_ = p_.mul(s1_).mul(s2_);
            DoubleVector big = ONE.sub(DoubleVector.broadcast(S, 2.0).div(e_.add(1.0)));
            DoubleVector v = big.blend(small, ax.compare(VectorOperators.LT, Kernels.TANH_SPLIT));
            // copySign(v, x) by bits, as Math.copySign does
            ((LongVector) v.viewAsIntegralLanes()).or(((LongVector) x.viewAsIntegralLanes()).and(Long.MIN_VALUE))
                    .viewAsFloatingLanes().intoArray(o, i);
        }
        for (; i < hi; i++) {
            o[i] = Kernels.tanh(a[i]);
        }
    }

    private static void sigmoidU(double[] a, double[] o, int lo, int hi) {
        int i = lo;
        for (int up = lo + S.loopBound(hi - lo); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            DoubleVector xc_ = x.abs().neg().max(-746.0).min(710.0);
            DoubleVector t_ = xc_.mul(Kernels.LOG2E).add(Kernels.MAGIC);
            DoubleVector k_ = t_.sub(Kernels.MAGIC);
            LongVector kl_ = ((LongVector) t_.viewAsIntegralLanes()).sub(Kernels.MAGIC_BITS);
            DoubleVector r_ = xc_.sub(k_.mul(Kernels.LN2_HI)).sub(k_.mul(Kernels.LN2_LO));
            DoubleVector p_ = DoubleVector.broadcast(S, Kernels.EXP_C[0]);
            for (int c = 1; c < Kernels.EXP_C.length; c++) {
                p_ = p_.mul(r_).add(Kernels.EXP_C[c]);
            }
            LongVector k1_ = kl_.lanewise(VectorOperators.ASHR, 1);
            LongVector k2_ = kl_.sub(k1_);
            DoubleVector s1_ = (DoubleVector) k1_.add(1023L).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            DoubleVector s2_ = (DoubleVector) k2_.add(1023L).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            DoubleVector e_ = p_.mul(s1_).mul(s2_);
            ONE.blend(e_, x.compare(VectorOperators.LT, 0.0)).div(ONE.add(e_)).intoArray(o, i);
        }
        for (; i < hi; i++) {
            o[i] = Kernels.sigmoid(a[i]);
        }
    }

    private static void sqrtU(double[] a, double[] o, int lo, int hi) {
        int i = lo;
        for (int up = lo + S.loopBound(hi - lo); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            x.sqrt().intoArray(o, i);
        }
        for (; i < hi; i++) {
            o[i] = Math.sqrt(a[i]);
        }
    }

    private static void absU(double[] a, double[] o, int lo, int hi) {
        int i = lo;
        for (int up = lo + S.loopBound(hi - lo); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            x.abs().intoArray(o, i);
        }
        for (; i < hi; i++) {
            o[i] = Math.abs(a[i]);
        }
    }

    private static void signU(double[] a, double[] o, int lo, int hi) {
        int i = lo;
        for (int up = lo + S.loopBound(hi - lo); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            x.blend(ONE, x.compare(VectorOperators.GT, 0.0)).blend(ONE.neg(), x.compare(VectorOperators.LT, 0.0)).intoArray(o, i);
        }
        for (; i < hi; i++) {
            o[i] = Math.signum(a[i]);
        }
    }

    @Override
    public void addScaled(double[] a, double[] b, double alpha, double[] o, int lo, int hi) {
        DoubleVector al = DoubleVector.broadcast(S, alpha);
        int i = lo;
        for (int up = lo + S.loopBound(hi - lo); i < up; i += L) {
            DoubleVector x = DoubleVector.fromArray(S, a, i);
            DoubleVector y = DoubleVector.fromArray(S, b, i);
            x.add(y.mul(al)).intoArray(o, i);
        }
        for (; i < hi; i++) {
            o[i] = a[i] + alpha * b[i];
        }
    }

    @Override
    public void accumulate(boolean max, double[] x, int xo, double[] o, int oo, int n) {
        int i = 0;
        if (max) {
            for (int up = S.loopBound(n); i < up; i += L) {
                DoubleVector v = DoubleVector.fromArray(S, x, xo + i);
                DoubleVector s = DoubleVector.fromArray(S, o, oo + i);
                // v > s or v is NaN -> v  (NaN propagates, ties keep the earlier value)
                VectorMask<Double> take = v.compare(VectorOperators.GT, s).or(v.test(VectorOperators.IS_NAN));
                s.blend(v, take).intoArray(o, oo + i);
            }
            for (; i < n; i++) {
                double v = x[xo + i];
                double s = o[oo + i];
                o[oo + i] = (v > s || Double.isNaN(v)) ? v : s;
            }
        } else {
            for (int up = S.loopBound(n); i < up; i += L) {
                DoubleVector.fromArray(S, o, oo + i).add(DoubleVector.fromArray(S, x, xo + i)).intoArray(o, oo + i);
            }
            for (; i < n; i++) {
                o[oo + i] += x[xo + i];
            }
        }
    }

    @Override
    public void where(double[] c, double[] a, double[] b, double[] o, int lo, int hi) {
        int i = lo;
        for (int up = lo + S.loopBound(hi - lo); i < up; i += L) {
            VectorMask<Double> m = DoubleVector.fromArray(S, c, i).compare(VectorOperators.NE, 0.0);
            DoubleVector.fromArray(S, b, i).blend(DoubleVector.fromArray(S, a, i), m).intoArray(o, i);
        }
        for (; i < hi; i++) {
            o[i] = c[i] != 0.0 ? a[i] : b[i];
        }
    }

    /*
     * Reductions. Kernels' scalar sums keep four partial sums s_0..s_3, s_j over the elements 4k + j; a vector
     * of four lanes is exactly those sums (lane j is s_j, each product rounded before it is added), so these
     * run on the 256-bit species whatever the preferred width, and only where that species is native.
     * Shorter ranges stay scalar: extracting the lanes costs more than it saves.
     */
    private static final VectorSpecies<Double> S4 = DoubleVector.SPECIES_256;
    private static final boolean REDUCE4 = S.vectorBitSize() >= 256;
    private static final int REDUCE_MIN = 64;

    @Override
    public double sum4(double[] x, int lo, int hi) {
        if (!REDUCE4 || hi - lo < REDUCE_MIN) {
            return Kernels.sumRangeScalar(x, lo, hi);
        }
        DoubleVector acc = DoubleVector.zero(S4);
        int i = lo;
        for (; i + 3 < hi; i += 4) {
            acc = acc.add(DoubleVector.fromArray(S4, x, i));
        }
        double s0 = acc.lane(0);
        for (; i < hi; i++) {
            s0 += x[i];
        }
        return (s0 + acc.lane(1)) + (acc.lane(2) + acc.lane(3));
    }

    @Override
    public double dot4(double[] x, double[] y, int lo, int hi) {
        if (!REDUCE4 || hi - lo < REDUCE_MIN) {
            return Kernels.dotRangeScalar(x, y, lo, hi);
        }
        DoubleVector acc = DoubleVector.zero(S4);
        int i = lo;
        for (; i + 3 < hi; i += 4) {
            acc = acc.add(DoubleVector.fromArray(S4, x, i).mul(DoubleVector.fromArray(S4, y, i)));
        }
        double s0 = acc.lane(0);
        for (; i < hi; i++) {
            s0 += x[i] * y[i];
        }
        return (s0 + acc.lane(1)) + (acc.lane(2) + acc.lane(3));
    }

    @Override
    public void normBlock(double[] x, int xo, double[] r, int ro, int n, double[] sq, double[] dsq, double[] mx, int k) {
        if (!REDUCE4 || n < REDUCE_MIN) {
            Kernels.normBlockScalar(x, xo, r, ro, n, sq, dsq, mx, k);
            return;
        }
        DoubleVector s = DoubleVector.zero(S4);
        DoubleVector d = DoubleVector.zero(S4);
        // max is exact, so any grouping gives the same value: two running maxima halve that chain
        DoubleVector m = DoubleVector.zero(S4);
        DoubleVector m2 = DoubleVector.zero(S4);
        int i = 0;
        for (; i + 7 < n; i += 8) {
            DoubleVector v = DoubleVector.fromArray(S4, x, xo + i);
            DoubleVector w = DoubleVector.fromArray(S4, x, xo + i + 4);
            DoubleVector e = v.sub(DoubleVector.fromArray(S4, r, ro + i));
            DoubleVector f = w.sub(DoubleVector.fromArray(S4, r, ro + i + 4));
            s = s.add(v.mul(v)).add(w.mul(w));
            d = d.add(e.mul(e)).add(f.mul(f));
            m = m.max(v.abs());     // lanewise Math.max: NaN wins
            m2 = m2.max(w.abs());
        }
        for (; i + 3 < n; i += 4) {
            DoubleVector v = DoubleVector.fromArray(S4, x, xo + i);
            DoubleVector e = v.sub(DoubleVector.fromArray(S4, r, ro + i));
            s = s.add(v.mul(v));
            d = d.add(e.mul(e));
            m = m.max(v.abs());
        }
        m = m.max(m2);
        double s0 = s.lane(0);
        double d0 = d.lane(0);
        double mm = Math.max(Math.max(m.lane(0), m.lane(1)), Math.max(m.lane(2), m.lane(3)));
        for (; i < n; i++) {
            double xi = x[xo + i];
            double ei = xi - r[ro + i];
            s0 += xi * xi;
            d0 += ei * ei;
            mm = Math.max(mm, Math.abs(xi));
        }
        sq[k] = (s0 + s.lane(1)) + (s.lane(2) + s.lane(3));
        dsq[k] = (d0 + d.lane(1)) + (d.lane(2) + d.lane(3));
        mx[k] = mm;
    }
}
