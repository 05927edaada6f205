package org.sgdlab.studies;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.sgdlab.data.Dataset;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.StaticProbe;
import org.sgdlab.experiment.MetricsLog;
import org.sgdlab.linalg.SymmetricEigen;
import org.sgdlab.tensor.Tensor;

/**
 * Study-local helpers of the {@code symmetry} study (STUDIES.md §6): exact data reductions for full-batch
 * runs of linear networks, the least-squares minimum, statistics over seeds and over the end of a run.
 */
final class SymmetryData {

    private SymmetryData() {
    }

    /**
     * A data set of {@code m = d + o} rows with the same second moments as {@code data}:
     *
     * <pre>  S = (1/n) [X Y]^T [X Y] = V diag(lambda) V^T,   row j = sqrt(m lambda_j) v_j^T,   so (1/m) Z^T Z = S.</pre>
     *
     * For any model whose output is linear in x (f = U W x, f = u^T W x) the squared loss
     * {@code (c/n) sum_i ||P x_i - y_i||^2 = c [Tr(P S_xx P^T) - 2 Tr(P S_xy) + Tr S_yy]} (P = U W) depends on the
     * data only through S, so the loss, its gradient and its Hessian on the reduced set equal those on
     * {@code data} at every theta (up to rounding, ~1e-16 relative): full-batch GD on the reduced set is the same
     * GD, at a cost of m instead of n rows per step. Per-sample quantities (gradient noise) are not preserved:
     * measure them on the real data ({@link #onProblem}). Eigenvalues below 0 (rounding) are clamped to 0.
     */
    static Dataset moments(Dataset data) {
        Tensor x = data.x();
        Tensor y = data.y().rank() == 1 ? data.y().reshape(-1, 1) : data.y();
        if (x.rank() != 2 || y.rank() != 2 || y.dim(0) != x.dim(0)) {
            throw new IllegalArgumentException("moments: need inputs [n, d] and targets [n, o], got "
                    + Arrays.toString(x.shape()) + " and " + Arrays.toString(data.y().shape()));
        }
        int n = x.dim(0);
        int dx = x.dim(1);
        int m = dx + y.dim(1);
        Tensor z = Tensor.concat(1, x, y);                               // [n, d + o]
        Tensor s = z.matmul(z, true, false).div(n);                      // [m, n] @ [n, m] -> [m, m]
        s = s.add(s.transpose()).mul(0.5);
        SymmetricEigen.Result e = SymmetricEigen.decompose(s);
        double[] lam = e.values();
        double[] rows = new double[m * m];
        for (int j = 0; j < m; j++) {
            double scale = Math.sqrt(m * Math.max(0.0, lam[j]));
            double[] v = e.vector(j).toArray();
            for (int k = 0; k < m; k++) {
                rows[j * m + k] = scale * v[k];
            }
        }
        Tensor zz = Tensor.of(rows, m, m);
        return Dataset.regression(data.name() + "-moments", zz.slice(1, 0, dx), zz.slice(1, dx, m));
    }

    /**
     * {@code min_w (1/n) ||X w - y||^2} for scalar targets (the "minimum loss" of S5, STUDIES.md §6.5), from the
     * normal equations {@code X^T X w = X^T y} solved in the eigenbasis of {@code X^T X} (eigenvalues below
     * 1e-12 of the largest are dropped).
     */
    static double leastSquaresMinimum(Dataset data) {
        Tensor x = data.x();
        Tensor y = data.y().reshape(-1, 1);
        int d = x.dim(1);
        Tensor g = x.matmul(x, true, false);                             // [d, n] @ [n, d] -> [d, d]
        Tensor b = x.matmul(y, true, false).reshape(d);                  // [d, n] @ [n, 1] -> [d]
        SymmetricEigen.Result e = SymmetricEigen.decompose(g.add(g.transpose()).mul(0.5));
        double[] lam = e.values();
        double top = Arrays.stream(lam).max().orElse(0);
        Tensor w = Tensor.zeros(d);
        for (int j = 0; j < d; j++) {
            if (lam[j] > 1e-12 * top) {
                Tensor v = e.vector(j);
                w = w.add(v.mul(v.dotValue(b) / lam[j]));
            }
        }
        Tensor r = x.matmul(w.reshape(d, 1)).sub(y);                     // [n, d] @ [d, 1] -> [n, 1]
        return r.square().sum().item() / x.dim(0);
    }

    /**
     * The diagnostic {@code inner} measured at the run's theta_t on {@code real} (full batch, the run's step and
     * learning rate): for runs trained on a {@link #moments} reduction whose per-sample quantities must come from
     * the real data.
     */
    static <R extends Record> Diagnostic<R> onProblem(Diagnostic<R> inner, Problem real) {
        return new Diagnostic<>() {
            @Override
            public String name() {
                return inner.name();
            }

            @Override
            public R measure(Probe probe) {
                return inner.measure(StaticProbe.of(real, probe.theta()).withStep(probe.step()).withLr(probe.lr())
                        .withTheta0(probe.theta0()));
            }
        };
    }

    /** The ordinary median (mean of the two middle values for an even count); NaN sorts last. */
    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        int k = s.length / 2;
        return s.length % 2 == 1 ? s[k] : 0.5 * (s[k - 1] + s[k]);
    }

    static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        return m;
    }

    static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) {
            m = Math.min(m, x);
        }
        return m;
    }

    /** The measurements of diagnostic {@code name} as (steps, records), scheduled or final, in step order without repeats. */
    static <R extends Record> Track<R> track(MetricsLog log, String name, Class<R> type) {
        List<Long> steps = new ArrayList<>();
        List<R> values = new ArrayList<>();
        for (MetricsLog.Measurement m : log.measurements(name)) {
            if (!steps.isEmpty() && steps.get(steps.size() - 1) == m.step()) {
                continue;
            }
            steps.add(m.step());
            values.add(type.cast(m.result()));
        }
        return new Track<>(steps.stream().mapToLong(Long::longValue).toArray(), values);
    }

    /** Measurements of one diagnostic along a run. */
    record Track<R>(long[] steps, List<R> values) {

        int size() {
            return steps.length;
        }

        double[] x() {
            return Arrays.stream(steps).asDoubleStream().toArray();
        }

        double[] y(java.util.function.ToDoubleFunction<R> f) {
            return values.stream().mapToDouble(f).toArray();
        }

        /** The mean of f over the measurements at steps {@code >= (1 - fraction) * total}. */
        double lateMean(java.util.function.ToDoubleFunction<R> f, long total, double fraction) {
            double from = (1 - fraction) * total;
            double s = 0;
            int k = 0;
            for (int i = 0; i < steps.length; i++) {
                if (steps[i] >= from) {
                    s += f.applyAsDouble(values.get(i));
                    k++;
                }
            }
            return k == 0 ? Double.NaN : s / k;
        }

        R last() {
            return values.get(values.size() - 1);
        }
    }

    /** Values rounded to 4 significant digits for tables and measured maps (NaN and infinities as is). */
    static Object sig(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return v;
        }
        return Double.parseDouble(String.format(Locale.ROOT, "%.4g", v));
    }

    /** A list of rounded values. */
    static List<Object> sig(double[] v) {
        List<Object> out = new ArrayList<>();
        for (double x : v) {
            out.add(sig(x));
        }
        return out;
    }

    /** An insertion-ordered map from alternating keys and values. */
    static Map<String, Object> map(Object... kv) {
        if (kv.length % 2 != 0) {
            throw new IllegalArgumentException("map: keys and values must alternate, got " + kv.length + " items");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1] instanceof Double d ? sig(d) : kv[i + 1]);
        }
        return m;
    }

    /** A finished run with its wall time. */
    record Timed(String id, MetricsLog log, double seconds) {

        org.sgdlab.experiment.RunResult result() {
            return log.result();
        }

        /** Wall microseconds per step of the run. */
        double microsPerStep() {
            return seconds * 1e6 / Math.max(1, log.result().steps());
        }
    }

    /** {@code ctx.train} with the run's wall time (that of the attempt that trained it, for a replay). */
    static Timed train(StudyContext ctx, String id, org.sgdlab.experiment.TrainConfig config) {
        MetricsLog log = ctx.train(id, config);
        return new Timed(id, log, log.wallSeconds());
    }

    /** The row of one run for {@code summary.json} and the report's run table (the same keys for every run). */
    static Map<String, Object> runRow(Timed t, String experiment, String settings, String finals) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("experiment", experiment);
        m.put("settings", settings);
        m.put("status", t.result().status().id());
        m.put("steps", t.result().steps());
        m.put("seconds", Math.round(t.seconds() * 100) / 100.0);
        m.put("finals", finals);
        return m;
    }

    /** At most {@code max} evenly spaced indices of {@code n} points, always including the last. */
    static int[] thin(int n, int max) {
        if (n <= max) {
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            return all;
        }
        int stride = (n + max - 1) / max;
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < n; i += stride) {
            idx.add(i);
        }
        if (idx.get(idx.size() - 1) != n - 1) {
            idx.add(n - 1);
        }
        return idx.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code v} at the indices. */
    static double[] pick(double[] v, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = v[idx[i]];
        }
        return out;
    }

    /** 4 significant digits without trailing zeros ({@code 0.3}, {@code 1.5e-06}, {@code 42.79}). */
    static String fmt(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        String s = String.format(Locale.ROOT, "%.4g", v);
        int e = s.indexOf('e');
        String mant = e < 0 ? s : s.substring(0, e);
        String exp = e < 0 ? "" : s.substring(e);
        if (mant.contains(".")) {
            mant = mant.replaceAll("0+$", "");
            if (mant.endsWith(".")) {
                mant = mant.substring(0, mant.length() - 1);
            }
        }
        return mant + exp;
    }
}
