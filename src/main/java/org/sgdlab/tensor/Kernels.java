package org.sgdlab.tensor;

import java.util.Arrays;

/**
 * The numeric loops behind {@link Tensor}'s primitives. Every loop writes each output element
 * from one thread in a fixed order, so results never depend on the thread count.
 */
final class Kernels {

    /**
     * Memory-bound elementwise work (adds, copies) above this many elements is split over the
     * cores; below it the fork-join hand-off costs more than it saves (measured on 2 cores).
     */
    static final int PAR = 1 << 20;
    /** Compute-bound elementwise work (exp, log, tanh, ...) is split above this many elements (measured). */
    static final int PAR_TRANSCENDENTAL = 1 << 18;

    private static final Simd SIMD = Simd.INSTANCE;

    enum Bin { ADD, SUB, MUL, DIV, POW, MAX, MIN, GT, GE, LT, LE, EQ, NE, MUL_1MSQ, SHARE_GT, SHARE_LT }

    enum Un { NEG, EXP, LOG, TANH, SIGMOID, SQRT, ABS, SIGN, ERF }

    private Kernels() {
    }

    // ------------------------------------------------------------------ binary with broadcasting

    static double[] binary(Bin op, double[] a, int[] as, double[] b, int[] bs, int[] os) {
        int n = Shapes.checkedSize(op.name().toLowerCase(java.util.Locale.ROOT), os);
        double[] o = new double[n];
        if (n == 0) {
            return o;
        }
        if (a.length == n && b.length == n) {
            Parallel.forRange(n, PAR, (lo, hi) -> run(op, a, lo, 1, b, lo, 1, o, lo, hi - lo));
            return o;
        }
        if (a.length == 1 && b.length == n) {
            Parallel.forRange(n, PAR, (lo, hi) -> run(op, a, 0, 0, b, lo, 1, o, lo, hi - lo));
            return o;
        }
        if (b.length == 1 && a.length == n) {
            Parallel.forRange(n, PAR, (lo, hi) -> run(op, a, lo, 1, b, 0, 0, o, lo, hi - lo));
            return o;
        }
        // general broadcasting: coalesce dimensions, then an odometer over all but the last
        int[] sa = broadcastStrides(as, os);
        int[] sb = broadcastStrides(bs, os);
        int[][] c = coalesce(os, new int[][] {sa, sb});
        int[] dims = c[0];
        int[] ca = c[1];
        int[] cb = c[2];
        int k = dims.length;
        int inner = dims[k - 1];
        int rows = n / inner;
        int ia = ca[k - 1];
        int ib = cb[k - 1];
        int grain = Math.max(1, PAR / Math.max(1, inner));
        Parallel.forRange(rows, grain, (lo, hi) -> {
            int[] idx = new int[k];
            // position the odometer at row lo
            int rem = lo;
            for (int d = k - 2; d >= 0; d--) {
                idx[d] = rem % dims[d];
                rem /= dims[d];
            }
            int offA = 0;
            int offB = 0;
            for (int d = 0; d < k - 1; d++) {
                offA += idx[d] * ca[d];
                offB += idx[d] * cb[d];
            }
            for (int row = lo; row < hi; row++) {
                run(op, a, offA, ia, b, offB, ib, o, row * inner, inner);
                for (int d = k - 2; d >= 0; d--) {
                    if (++idx[d] < dims[d]) {
                        offA += ca[d];
                        offB += cb[d];
                        break;
                    }
                    idx[d] = 0;
                    offA -= ca[d] * (dims[d] - 1);
                    offB -= cb[d] * (dims[d] - 1);
                }
            }
        });
        return o;
    }

    /** Strides of {@code in} seen in the index space of the broadcast shape {@code out} (0 where broadcast). */
    static int[] broadcastStrides(int[] in, int[] out) {
        int r = out.length;
        int[] s = new int[r];
        int[] cs = Shapes.strides(in);
        for (int i = 0; i < r; i++) {
            int j = i - (r - in.length);
            s[i] = (j < 0 || in[j] == 1) ? 0 : cs[j];
        }
        return s;
    }

    /**
     * Merges adjacent dimensions that every operand traverses uniformly (stride[d] ==
     * stride[d+1] * dim[d+1]); drops dimensions of length 1. Returns {dims, strides...}.
     */
    static int[][] coalesce(int[] dims, int[][] strides) {
        int m = strides.length;
        int[] nd = new int[Math.max(1, dims.length)];
        int[][] ns = new int[m][Math.max(1, dims.length)];
        int k = 0;
        for (int d = 0; d < dims.length; d++) {
            if (dims[d] == 1) {
                continue;
            }
            if (k > 0) {
                boolean merge = true;
                for (int j = 0; j < m; j++) {
                    if (ns[j][k - 1] != strides[j][d] * dims[d]) {
                        merge = false;
                        break;
                    }
                }
                if (merge) {
                    nd[k - 1] *= dims[d];
                    for (int j = 0; j < m; j++) {
                        ns[j][k - 1] = strides[j][d];
                    }
                    continue;
                }
            }
            nd[k] = dims[d];
            for (int j = 0; j < m; j++) {
                ns[j][k] = strides[j][d];
            }
            k++;
        }
        if (k == 0) {
            nd[0] = 1;
            k = 1;
            for (int j = 0; j < m; j++) {
                ns[j][0] = 0;
            }
        }
        int[][] out = new int[m + 1][];
        out[0] = Arrays.copyOf(nd, k);
        for (int j = 0; j < m; j++) {
            out[j + 1] = Arrays.copyOf(ns[j], k);
        }
        return out;
    }

    static double apply(Bin op, double x, double y) {
        switch (op) {
            case ADD: return x + y;
            case SUB: return x - y;
            case MUL: return x * y;
            case DIV: return x / y;
            case POW: return pow(x, y);
            case MAX: return Math.max(x, y);
            case MIN: return Math.min(x, y);
            case GT: return x > y ? 1 : 0;
            case GE: return x >= y ? 1 : 0;
            case LT: return x < y ? 1 : 0;
            case LE: return x <= y ? 1 : 0;
            case EQ: return x == y ? 1 : 0;
            case NE: return x != y ? 1 : 0;
            case MUL_1MSQ: return x * (1.0 - y * y);
            case SHARE_GT: return x > y ? 1 : x == y ? 0.5 : 0;
            case SHARE_LT: return x < y ? 1 : x == y ? 0.5 : 0;
            default: throw new AssertionError(op);
        }
    }

    static double pow(double x, double y) {
        return y == 2.0 ? x * x : y == 1.0 ? x : Math.pow(x, y);
    }

    /** {@code o[oo+i] = a[ao+i*sa] op b[bo+i*sb]} for i < n; strides are 0 or 1. */
    static void run(Bin op, double[] a, int ao, int sa, double[] b, int bo, int sb, double[] o, int oo, int n) {
        if ((sa | sb) != 0 && SIMD.binary(op, a, ao, sa, b, bo, sb, o, oo, n)) {
            return;
        }
        if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) { o[oo + i] = a[ao + i] + b[bo + i]; } return;
                case SUB: for (int i = 0; i < n; i++) { o[oo + i] = a[ao + i] - b[bo + i]; } return;
                case MUL: for (int i = 0; i < n; i++) { o[oo + i] = a[ao + i] * b[bo + i]; } return;
                case DIV: for (int i = 0; i < n; i++) { o[oo + i] = a[ao + i] / b[bo + i]; } return;
                case MAX: for (int i = 0; i < n; i++) { o[oo + i] = Math.max(a[ao + i], b[bo + i]); } return;
                case MIN: for (int i = 0; i < n; i++) { o[oo + i] = Math.min(a[ao + i], b[bo + i]); } return;
                case MUL_1MSQ:
                    for (int i = 0; i < n; i++) {
                        double y = b[bo + i];
                        o[oo + i] = a[ao + i] * (1.0 - y * y);
                    }
                    return;
                default: for (int i = 0; i < n; i++) { o[oo + i] = apply(op, a[ao + i], b[bo + i]); } return;
            }
        } else if (sa == 1) {
            double y = b[bo];
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) { o[oo + i] = a[ao + i] + y; } return;
                case SUB: for (int i = 0; i < n; i++) { o[oo + i] = a[ao + i] - y; } return;
                case MUL: for (int i = 0; i < n; i++) { o[oo + i] = a[ao + i] * y; } return;
                case DIV: for (int i = 0; i < n; i++) { o[oo + i] = a[ao + i] / y; } return;
                case MAX: for (int i = 0; i < n; i++) { o[oo + i] = Math.max(a[ao + i], y); } return;
                case MIN: for (int i = 0; i < n; i++) { o[oo + i] = Math.min(a[ao + i], y); } return;
                case POW:
                    if (y == 2.0) {
                        for (int i = 0; i < n; i++) { o[oo + i] = a[ao + i] * a[ao + i]; }
                        return;
                    }
                    for (int i = 0; i < n; i++) { o[oo + i] = pow(a[ao + i], y); }
                    return;
                default: for (int i = 0; i < n; i++) { o[oo + i] = apply(op, a[ao + i], y); } return;
            }
        } else if (sb == 1) {
            double x = a[ao];
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) { o[oo + i] = x + b[bo + i]; } return;
                case SUB: for (int i = 0; i < n; i++) { o[oo + i] = x - b[bo + i]; } return;
                case MUL: for (int i = 0; i < n; i++) { o[oo + i] = x * b[bo + i]; } return;
                case DIV: for (int i = 0; i < n; i++) { o[oo + i] = x / b[bo + i]; } return;
                default: for (int i = 0; i < n; i++) { o[oo + i] = apply(op, x, b[bo + i]); } return;
            }
        } else {
            Arrays.fill(o, oo, oo + n, apply(op, a[ao], b[bo]));
        }
    }

    // ------------------------------------------------------------------ unary

    static double[] unary(Un op, double[] a) {
        int n = a.length;
        double[] o = new double[n];
        boolean heavy = op == Un.EXP || op == Un.LOG || op == Un.TANH || op == Un.SIGMOID || op == Un.ERF;
        Parallel.forRange(n, heavy ? PAR_TRANSCENDENTAL : PAR, (lo, hi) -> {
            if (SIMD.unary(op, a, o, lo, hi)) {
                return;
            }
            switch (op) {
                case NEG: for (int i = lo; i < hi; i++) { o[i] = -a[i]; } return;
                case EXP: for (int i = lo; i < hi; i++) { o[i] = exp(a[i]); } return;
                case LOG: for (int i = lo; i < hi; i++) { o[i] = Math.log(a[i]); } return;
                case TANH: for (int i = lo; i < hi; i++) { o[i] = tanh(a[i]); } return;
                case SIGMOID: for (int i = lo; i < hi; i++) { o[i] = sigmoid(a[i]); } return;
                case SQRT: for (int i = lo; i < hi; i++) { o[i] = Math.sqrt(a[i]); } return;
                case ABS: for (int i = lo; i < hi; i++) { o[i] = Math.abs(a[i]); } return;
                case SIGN: for (int i = lo; i < hi; i++) { o[i] = Math.signum(a[i]); } return;
                case ERF: for (int i = lo; i < hi; i++) { o[i] = erf(a[i]); } return;
                default: throw new AssertionError(op);
            }
        });
        return o;
    }

    // ------------------------------------------------------------------ exp, tanh, sigmoid
    //
    // One algorithm, written twice with the same IEEE operations in the same order: here (scalar,
    // also the tails of vector loops) and in VectorSimd (lanes). No fused multiply-add and no
    // library calls, so every lane, tail, JIT tier and machine gives the same bits. (The Vector
    // API's own EXP/TANH differ in the last bit between interpreted and compiled code, which would
    // break same-seed-same-bytes runs.)

    static final double LOG2E = 1.4426950408889634;
    /** ln 2 split (fdlibm's constants): ln2_hi has 32 significant bits, so k * ln2_hi is exact. */
    static final double LN2_HI = 6.93147180369123816490e-01;
    static final double LN2_LO = 1.90821492927058770002e-10;
    /** 1.5 * 2^52: adding it rounds to an integer kept in the low mantissa bits. */
    static final double MAGIC = 6755399441055744.0;
    static final long MAGIC_BITS = Double.doubleToRawLongBits(MAGIC);
    /** 1/k!, k = 13..0: Taylor polynomial of e^r on |r| <= ln2/2 (truncation below 1e-17). */
    static final double[] EXP_C = {1.6059043836821613e-10, 2.08767569878681e-09, 2.505210838544172e-08, 2.755731922398589e-07, 2.7557319223985893e-06, 2.48015873015873e-05, 0.0001984126984126984, 0.001388888888888889, 0.008333333333333333, 0.041666666666666664, 0.16666666666666666, 0.5, 1.0, 1.0};
    /**
     * tanh x = x + x z R(z)/Q(z), z = x^2, below {@link #TANH_SPLIT}: the 8th convergent of Lambert's
     * continued fraction tanh x = x/(1 + z/(3 + z/(5 + ...))), a Pade approximant with
     * P(z) = 1 + 2z/15 + 2z^2/585 + 4z^3/225225, Q(z) = 1 + 7z/15 + z^2/39 + 2z^3/6435 + z^4/2027025 and
     * R = (P - Q)/z = -(1/3 + z/45 + 2z^2/6825 + z^3/2027025). Its truncation error is below 4e-17 relative
     * for |x| <= 0.7; evaluated in double it is within 0.77 ulp of tanh on [0, 0.55) (checked against
     * 60000 points at 40 digits). Coefficients highest power first.
     */
    static final double[] TANH_R = {-1.0 / 2027025, -2.0 / 6825, -1.0 / 45, -1.0 / 3};
    static final double[] TANH_Q = {1.0 / 2027025, 2.0 / 6435, 1.0 / 39, 7.0 / 15, 1.0};
    /** Below this |x|, tanh uses the Pade approximant (no cancellation); above, 1 - 2/(e^{2|x|} + 1). */
    static final double TANH_SPLIT = 0.55;

    /**
     * e^x within 2 ulps: x = k ln2 + r (Cody-Waite), e^r by its Taylor polynomial (degree 13,
     * Horner), times 2^k applied in two halves (so subnormal results and overflow come out right).
     */
    static double exp(double x) {
        double xc = Math.min(Math.max(x, -746.0), 710.0);
        double t = xc * LOG2E + MAGIC;
        double k = t - MAGIC;
        long kl = Double.doubleToRawLongBits(t) - MAGIC_BITS;
        double r = (xc - k * LN2_HI) - k * LN2_LO;
        double p = EXP_C[0];
        for (int i = 1; i < EXP_C.length; i++) {
            p = p * r + EXP_C[i];
        }
        long k1 = kl >> 1;
        long k2 = kl - k1;
        return p * Double.longBitsToDouble((k1 + 1023) << 52) * Double.longBitsToDouble((k2 + 1023) << 52);
    }

    /** tanh: x + x z R(z)/Q(z) below 0.55, 1 - 2/(e^{2|x|} + 1) above; odd (sign copied from x). */
    static double tanh(double x) {
        double ax = Math.abs(x);
        double v;
        if (ax < TANH_SPLIT) {
            double z = ax * ax;
            double r = TANH_R[0];
            for (int i = 1; i < TANH_R.length; i++) {
                r = r * z + TANH_R[i];
            }
            double q = TANH_Q[0];
            for (int i = 1; i < TANH_Q.length; i++) {
                q = q * z + TANH_Q[i];
            }
            v = ax + ax * z * r / q;
        } else {
            v = 1.0 - 2.0 / (exp(ax + ax) + 1.0);
        }
        return Math.copySign(v, x);
    }

    /** The logistic sigmoid: with e = e^{-|x|}, 1/(1 + e) for x >= 0 and e/(1 + e) below (accurate for both signs). */
    static double sigmoid(double x) {
        double e = exp(-Math.abs(x));
        return (x >= 0 ? 1.0 : e) / (1.0 + e);
    }

    /**
     * The error function to ~1e-15 relative. |x| < 3: the everywhere-positive series
     * erf x = (2x/sqrt(pi)) e^{-x^2} sum_n (2x^2)^n / (1*3*...*(2n+1)) (Abramowitz and Stegun 7.1.6);
     * |x| >= 3: 1 - erfc(x) with erfc from its continued fraction (A&amp;S 7.1.14) by Lentz's method.
     */
    static double erf(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        double ax = Math.abs(x);
        if (ax < 3.0) {
            double x2 = ax * ax;
            double term = 1.0;
            double sum = 1.0;
            for (int n = 1; n < 200; n++) {
                term *= 2.0 * x2 / (2 * n + 1);
                sum += term;
                if (term < 1e-17 * sum) {
                    break;
                }
            }
            return Math.copySign(2.0 / Math.sqrt(Math.PI) * ax * exp(-x2) * sum, x);
        }
        if (ax > 6.5) {
            return Math.copySign(1.0, x);
        }
        return Math.copySign(1.0 - erfcLarge(ax), x);
    }

    /** erfc(x) for x >= 3: e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))). */
    private static double erfcLarge(double x) {
        double tiny = 1e-300;
        double f = x;
        double c = x;
        double d = 0.0;
        for (int k = 1; k < 500; k++) {
            double ak = k / 2.0;
            d = x + ak * d;
            d = 1.0 / (Math.abs(d) < tiny ? tiny : d);
            c = x + ak / c;
            if (Math.abs(c) < tiny) {
                c = tiny;
            }
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1.0) < 1e-16) {
                break;
            }
        }
        return exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    // ------------------------------------------------------------------ where

    static double[] where(double[] c, int[] cs, double[] a, int[] as, double[] b, int[] bs, int[] os) {
        double[] cc = broadcastTo(c, cs, os);
        double[] aa = broadcastTo(a, as, os);
        double[] bb = broadcastTo(b, bs, os);
        double[] o = new double[cc.length];
        Parallel.forRange(o.length, PAR, (lo, hi) -> SIMD.where(cc, aa, bb, o, lo, hi));
        return o;
    }

    // ------------------------------------------------------------------ reductions

    /**
     * Sum over all elements: fixed blocks of 4096 summed left to right, each block by
     * {@link #sumRange} (deterministic: the same bits for any thread count or vector width).
     */
    static double sumAll(double[] x) {
        int n = x.length;
        final int block = 4096;
        int nb = (n + block - 1) / block;
        if (nb <= 1) {
            return sumRange(x, 0, n);
        }
        double[] part = new double[nb];
        Parallel.forRange(nb, PAR / block, (lo, hi) -> {
            for (int bI = lo; bI < hi; bI++) {
                part[bI] = sumRange(x, bI * block, Math.min(n, (bI + 1) * block));
            }
        });
        return sumRange(part, 0, nb);
    }

    /**
     * {@code sum x[lo..hi)} with four interleaved partial sums, combined as (s0 + s1) + (s2 + s3): s_j adds
     * x[lo + 4k + j] in order of k, the last (hi - lo) mod 4 values go to s0. On the Vector API's
     * four-lane species when it is available, with the same bits ({@link #sumRangeScalar}).
     */
    static double sumRange(double[] x, int lo, int hi) {
        return SIMD.sum4(x, lo, hi);
    }

    /** {@link #sumRange} in plain Java: the order that defines its bits. */
    static double sumRangeScalar(double[] x, int lo, int hi) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = lo;
        for (; i + 3 < hi; i += 4) {
            s0 += x[i];
            s1 += x[i + 1];
            s2 += x[i + 2];
            s3 += x[i + 3];
        }
        for (; i < hi; i++) {
            s0 += x[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /**
     * {@code sum x[i] y[i]} over [lo, hi) with four interleaved partial sums, in {@link #sumRange}'s order
     * (each product rounded, then added: no fused multiply-add). On the Vector API's four-lane species when
     * it is available, with the same bits ({@link #dotRangeScalar}).
     */
    static double dotRange(double[] x, double[] y, int lo, int hi) {
        return SIMD.dot4(x, y, lo, hi);
    }

    /** {@link #dotRange} in plain Java: the order that defines its bits. */
    static double dotRangeScalar(double[] x, double[] y, int lo, int hi) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = lo;
        for (; i + 3 < hi; i += 4) {
            s0 += x[i] * y[i];
            s1 += x[i + 1] * y[i + 1];
            s2 += x[i + 2] * y[i + 2];
            s3 += x[i + 3] * y[i + 3];
        }
        for (; i < hi; i++) {
            s0 += x[i] * y[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Deterministic dot product: blocks of 4096 (parallel), block sums added left to right. */
    static double dot(double[] x, double[] y) {
        int n = x.length;
        final int block = 4096;
        int nb = (n + block - 1) / block;
        if (nb <= 1) {
            return dotRange(x, y, 0, n);
        }
        double[] part = new double[nb];
        Parallel.forRange(nb, PAR / block, (lo, hi) -> {
            for (int bI = lo; bI < hi; bI++) {
                part[bI] = dotRange(x, y, bI * block, Math.min(n, (bI + 1) * block));
            }
        });
        return sumRange(part, 0, nb);
    }

    /**
     * One pass over {@code x[xo..xo+n)} and {@code r[ro..ro+n)}: {sum x^2, sum (x - r)^2, max |x|}. The sums
     * run in {@link #dot}'s order (blocks of 4096, four partial sums), so they equal {@code dot(x, x)} and
     * {@code dot(x - r, x - r)} bit for bit; the maximum is NaN when any x is.
     */
    static double[] normStats(double[] x, int xo, double[] r, int ro, int n) {
        final int block = 4096;
        int nb = Math.max(1, (n + block - 1) / block);
        double[] sq = new double[nb];
        double[] dsq = new double[nb];
        double[] mx = new double[nb];
        Parallel.forRange(nb, PAR / block, (lo, hi) -> {
            for (int bI = lo; bI < hi; bI++) {
                int from = bI * block;
                int to = Math.min(n, from + block);
                SIMD.normBlock(x, xo + from, r, ro + from, to - from, sq, dsq, mx, bI);
            }
        });
        double m = 0;
        for (double v : mx) {
            m = Math.max(m, v);
        }
        return nb == 1 ? new double[] {sq[0], dsq[0], m} : new double[] {sumRange(sq, 0, nb), sumRange(dsq, 0, nb), m};
    }

    /**
     * One block of {@link #normStats} in plain Java, the order that defines its bits: {@code sq[k]} and
     * {@code dsq[k]} get sum x^2 and sum (x - r)^2 over {@code x[xo..xo+n)}, {@code r[ro..ro+n)} in
     * {@link #sumRange}'s order, {@code mx[k]} gets max |x| (0 for n = 0, NaN when any x is).
     */
    static void normBlockScalar(double[] x, int xo, double[] r, int ro, int n, double[] sq, double[] dsq, double[] mx,
                                int k) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double d0 = 0;
        double d1 = 0;
        double d2 = 0;
        double d3 = 0;
        double m = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            double x0 = x[xo + i];
            double x1 = x[xo + i + 1];
            double x2 = x[xo + i + 2];
            double x3 = x[xo + i + 3];
            double e0 = x0 - r[ro + i];
            double e1 = x1 - r[ro + i + 1];
            double e2 = x2 - r[ro + i + 2];
            double e3 = x3 - r[ro + i + 3];
            s0 += x0 * x0;
            s1 += x1 * x1;
            s2 += x2 * x2;
            s3 += x3 * x3;
            d0 += e0 * e0;
            d1 += e1 * e1;
            d2 += e2 * e2;
            d3 += e3 * e3;
            m = Math.max(m, Math.max(Math.max(Math.abs(x0), Math.abs(x1)), Math.max(Math.abs(x2), Math.abs(x3))));
        }
        for (; i < n; i++) {
            double xi = x[xo + i];
            double ei = xi - r[ro + i];
            s0 += xi * xi;
            d0 += ei * ei;
            m = Math.max(m, Math.abs(xi));
        }
        sq[k] = (s0 + s1) + (s2 + s3);
        dsq[k] = (d0 + d1) + (d2 + d3);
        mx[k] = m;
    }

    /** {@code a + alpha * b}, elementwise. */
    static double[] addScaled(double[] a, double[] b, double alpha) {
        double[] o = new double[a.length];
        Parallel.forRange(o.length, PAR, (lo, hi) -> SIMD.addScaled(a, b, alpha, o, lo, hi));
        return o;
    }

    /** Reduces axes one at a time (from the last), each as [outer, red, inner]. */
    static double[] reduce(boolean max, double[] x, int[] shape, int[] axes) {
        if (axes.length == shape.length && !max) {
            return new double[] {sumAll(x)};
        }
        double[] cur = x;
        int[] cs = shape.clone();
        for (int i = axes.length - 1; i >= 0; i--) {
            int ax = axes[i];
            int outer = 1;
            int inner = 1;
            for (int d = 0; d < ax; d++) {
                outer *= cs[d];
            }
            for (int d = ax + 1; d < cs.length; d++) {
                inner *= cs[d];
            }
            cur = reduceAxis(max, cur, outer, cs[ax], inner);
            cs[ax] = 1;
        }
        return cur;
    }

    static double[] reduceAxis(boolean max, double[] x, int outer, int red, int inner) {
        double[] o = new double[outer * inner];
        if (red == 0) {
            if (max) {
                Arrays.fill(o, Double.NEGATIVE_INFINITY);
            }
            return o;
        }
        if (inner == 1) {
            Parallel.forRange(outer, Math.max(1, PAR / Math.max(1, red)), (lo, hi) -> {
                for (int p = lo; p < hi; p++) {
                    int base = p * red;
                    if (max) {
                        double s = x[base];
                        for (int r = 1; r < red; r++) {
                            double v = x[base + r];
                            s = (v > s || Double.isNaN(v)) ? v : s;
                        }
                        o[p] = s;
                    } else {
                        o[p] = sumRange(x, base, base + red);
                    }
                }
            });
            return o;
        }
        // inner > 1: accumulate rows; parallel over outer if possible, otherwise over inner columns
        if (outer >= Parallel.threads()) {
            Parallel.forRange(outer, Math.max(1, PAR / Math.max(1, red * inner)), (lo, hi) -> {
                for (int p = lo; p < hi; p++) {
                    reduceBlock(max, x, p, red, inner, o, 0, inner);
                }
            });
        } else {
            for (int p = 0; p < outer; p++) {
                final int pp = p;
                Parallel.forRange(inner, Math.max(64, PAR / Math.max(1, red)), (lo, hi) ->
                        reduceBlock(max, x, pp, red, inner, o, lo, hi));
            }
        }
        return o;
    }

    private static void reduceBlock(boolean max, double[] x, int p, int red, int inner, double[] o, int lo, int hi) {
        int ob = p * inner;
        int xb = p * red * inner;
        System.arraycopy(x, xb + lo, o, ob + lo, hi - lo);
        for (int r = 1; r < red; r++) {
            SIMD.accumulate(max, x, xb + r * inner + lo, o, ob + lo, hi - lo);
        }
    }

    // ------------------------------------------------------------------ data movement

    /** Materialises {@code x} (shape {@code xs}) broadcast to {@code os}. */
    static double[] broadcastTo(double[] x, int[] xs, int[] os) {
        int n = Shapes.checkedSize("expand", os);
        if (x.length == n) {
            return x;
        }
        if (x.length == 1) {
            double[] o = new double[n];
            Arrays.fill(o, x[0]);
            return o;
        }
        return gather(x, os, broadcastStrides(xs, os));
    }

    static double[] permute(double[] x, int[] shape, int[] perm) {
        int r = shape.length;
        int[] os = new int[r];
        int[] xs = Shapes.strides(shape);
        int[] st = new int[r];
        for (int i = 0; i < r; i++) {
            os[i] = shape[perm[i]];
            st[i] = xs[perm[i]];
        }
        return gather(x, os, st);
    }

    /** {@code out[idx] = x[sum_d idx[d] * st[d]]} over the row-major index space {@code os}. */
    static double[] gather(double[] x, int[] os, int[] st) {
        int n = Shapes.checkedSize("gather", os);
        double[] o = new double[n];
        if (n == 0) {
            return o;
        }
        int[][] c = coalesce(os, new int[][] {st});
        int[] dims = c[0];
        int[] cst = c[1];
        int k = dims.length;
        int inner = dims[k - 1];
        int is = cst[k - 1];
        int rows = n / inner;
        Parallel.forRange(rows, Math.max(1, PAR / Math.max(1, inner)), (lo, hi) -> {
            int[] idx = new int[k];
            int rem = lo;
            for (int d = k - 2; d >= 0; d--) {
                idx[d] = rem % dims[d];
                rem /= dims[d];
            }
            int off = 0;
            for (int d = 0; d < k - 1; d++) {
                off += idx[d] * cst[d];
            }
            for (int row = lo; row < hi; row++) {
                int ob = row * inner;
                if (is == 1) {
                    System.arraycopy(x, off, o, ob, inner);
                } else if (is == 0) {
                    Arrays.fill(o, ob, ob + inner, x[off]);
                } else {
                    for (int i = 0, xi = off; i < inner; i++, xi += is) {
                        o[ob + i] = x[xi];
                    }
                }
                for (int d = k - 2; d >= 0; d--) {
                    if (++idx[d] < dims[d]) {
                        off += cst[d];
                        break;
                    }
                    idx[d] = 0;
                    off -= cst[d] * (dims[d] - 1);
                }
            }
        });
        return o;
    }

    /**
     * Copies {@code [outer, len, inner]} blocks, {@code out[o, dst + j, i] = in[base + (o, src + j, i)]}: {@code in}'s
     * values start at {@code base} (a view's offset into its array).
     */
    static void copyBlocks(double[] in, int base, int inDim, int src, double[] out, int outDim, int dst,
                           int len, int outer, int inner) {
        int chunk = len * inner;
        for (int o = 0; o < outer; o++) {
            System.arraycopy(in, base + (o * inDim + src) * inner, out, (o * outDim + dst) * inner, chunk);
        }
    }

    static double[] pad(double[] x, int[] shape, int[] lo, int[] hi, double value, int[] os) {
        int n = Shapes.checkedSize("pad", os);
        double[] o = new double[n];
        if (value != 0.0) {
            Arrays.fill(o, value);
        }
        if (x.length == 0) {
            return o;
        }
        int r = shape.length;
        int[] ostr = Shapes.strides(os);
        int inner = shape[r - 1];
        int rows = x.length / inner;
        int[] idx = new int[r];
        for (int row = 0; row < rows; row++) {
            int off = lo[r - 1];
            for (int d = 0; d < r - 1; d++) {
                off += (idx[d] + lo[d]) * ostr[d];
            }
            System.arraycopy(x, row * inner, o, off, inner);
            for (int d = r - 2; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        return o;
    }

    static double[] indexSelect(double[] x, int outer, int size, int inner, int[] index) {
        int m = index.length;
        double[] o = new double[outer * m * inner];
        for (int p = 0; p < outer; p++) {
            for (int j = 0; j < m; j++) {
                System.arraycopy(x, (p * size + index[j]) * inner, o, (p * m + j) * inner, inner);
            }
        }
        return o;
    }

    static double[] indexAdd(double[] src, int outer, int size, int inner, int[] index) {
        int m = index.length;
        double[] o = new double[outer * size * inner];
        for (int p = 0; p < outer; p++) {
            for (int j = 0; j < m; j++) {
                int ob = (p * size + index[j]) * inner;
                int sb = (p * m + j) * inner;
                for (int i = 0; i < inner; i++) {
                    o[ob + i] += src[sb + i];
                }
            }
        }
        return o;
    }

    // ------------------------------------------------------------------ sliding windows

    /** {@code [N, C, H, W] -> [N, Ho*Wo, C*kh*kw]}, zero outside the image. */
    static double[] unfold(double[] x, Attr.Window w) {
        int nImg = w.image()[0];
        int ch = w.image()[1];
        int h = w.image()[2];
        int wd = w.image()[3];
        int ho = w.outH();
        int wo = w.outW();
        int ck = ch * w.kh() * w.kw();
        int l = ho * wo;
        double[] o = new double[Shapes.checkedSize("unfold", new int[] {nImg, l, ck})];
        Parallel.forRange(nImg * ho, Math.max(1, PAR / Math.max(1, wo * ck)), (lo, hi) -> {
            for (int nh = lo; nh < hi; nh++) {
                int n = nh / ho;
                int oh = nh % ho;
                for (int ow = 0; ow < wo; ow++) {
                    int row = ((n * ho + oh) * wo + ow) * ck;
                    int col = 0;
                    for (int c = 0; c < ch; c++) {
                        int img = (n * ch + c) * h;
                        for (int i = 0; i < w.kh(); i++) {
                            int hh = oh * w.sh() - w.ph() + i;
                            boolean inH = hh >= 0 && hh < h;
                            for (int j = 0; j < w.kw(); j++, col++) {
                                int ww = ow * w.sw() - w.pw() + j;
                                o[row + col] = (inH && ww >= 0 && ww < wd) ? x[(img + hh) * wd + ww] : 0.0;
                            }
                        }
                    }
                }
            }
        });
        return o;
    }

    /** Adjoint of {@link #unfold}: sums window entries back into {@code [N, C, H, W]}. */
    static double[] fold(double[] cols, Attr.Window w) {
        int nImg = w.image()[0];
        int ch = w.image()[1];
        int h = w.image()[2];
        int wd = w.image()[3];
        int ho = w.outH();
        int wo = w.outW();
        int ck = ch * w.kh() * w.kw();
        double[] o = new double[nImg * ch * h * wd];
        Parallel.forRange(nImg, Math.max(1, PAR / Math.max(1, ho * wo * ck)), (lo, hi) -> {
            for (int n = lo; n < hi; n++) {
                for (int oh = 0; oh < ho; oh++) {
                    for (int ow = 0; ow < wo; ow++) {
                        int row = ((n * ho + oh) * wo + ow) * ck;
                        int col = 0;
                        for (int c = 0; c < ch; c++) {
                            int img = (n * ch + c) * h;
                            for (int i = 0; i < w.kh(); i++) {
                                int hh = oh * w.sh() - w.ph() + i;
                                boolean inH = hh >= 0 && hh < h;
                                for (int j = 0; j < w.kw(); j++, col++) {
                                    int ww = ow * w.sw() - w.pw() + j;
                                    if (inH && ww >= 0 && ww < wd) {
                                        o[(img + hh) * wd + ww] += cols[row + col];
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        return o;
    }
}
