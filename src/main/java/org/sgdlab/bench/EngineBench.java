package org.sgdlab.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.tensor.Tensor;

/**
 * The engine benchmark: four fixed float64 workloads, each timed as the median of repeats.
 * <ol>
 *   <li>{@code mlp_fwd_bwd}: loss and gradient of a tanh MLP 784-512-512-10, squared loss
 *       (1/n) sum 1/2 ||f - y||^2, batch 1000;</li>
 *   <li>{@code mlp_hvp}: one exact Hessian-vector product of the same loss;</li>
 *   <li>{@code matmul_1024}: a 1024 x 1024 matrix product (the BLAS roofline of this machine);</li>
 *   <li>{@code sgd_step_small}: one SGD step (loss, gradient, update) of a tanh MLP 50-256-1 on a batch of 10.</li>
 * </ol>
 * The same workloads in PyTorch are in {@code bench/torch_reference.py}.
 */
public final class EngineBench {

    /** A timed workload: its id, what it does, its model FLOP count, and a runnable. */
    public record Workload(String id, String what, double flops, Runnable body) {
    }

    /** The median time of a workload and its derived rate. */
    public record Result(String id, String what, double medianMs, double minMs, int repeats, double gflops) {
    }

    private EngineBench() {
    }

    /** A tanh MLP on a flat parameter vector, weights [out, in] as in PyTorch. */
    static final class Mlp {
        final int[] widths;
        final int[] wOff;
        final int[] bOff;
        final int size;

        Mlp(int... widths) {
            this.widths = widths.clone();
            int l = widths.length - 1;
            wOff = new int[l];
            bOff = new int[l];
            int off = 0;
            for (int i = 0; i < l; i++) {
                wOff[i] = off;
                off += widths[i] * widths[i + 1];
                bOff[i] = off;
                off += widths[i + 1];
            }
            size = off;
        }

        Tensor init(SplittableRandom rng) {
            double[] t = new double[size];
            for (int i = 0; i < widths.length - 1; i++) {
                double bound = 1.0 / Math.sqrt(widths[i]);
                for (int j = wOff[i]; j < bOff[i] + widths[i + 1]; j++) {
                    t[j] = bound * (2 * rng.nextDouble() - 1);
                }
            }
            return Tensor.of(t, size);
        }

        Tensor apply(Tensor theta, Tensor x) {
            Tensor h = x;
            int l = widths.length - 1;
            for (int i = 0; i < l; i++) {
                Tensor w = theta.slice(0, wOff[i], bOff[i]).reshape(widths[i + 1], widths[i]);
                Tensor b = theta.slice(0, bOff[i], bOff[i] + widths[i + 1]);
                h = h.matmul(w, false, true).add(b);            // [B, in] @ [out, in]^T -> [B, out]
                if (i < l - 1) {
                    h = h.tanh();
                }
            }
            return h;
        }

        Function<Tensor, Tensor> loss(Tensor x, Tensor y) {
            double scale = 0.5 / x.dim(0);
            return theta -> apply(theta, x).sub(y).square().sum().mul(scale);
        }

        /** Matrix-product FLOPs of one forward pass. */
        double forwardFlops(int batch) {
            double f = 0;
            for (int i = 0; i < widths.length - 1; i++) {
                f += 2.0 * batch * widths[i] * widths[i + 1];
            }
            return f;
        }

        /** Forward + backward: weight gradients of every layer, input gradients of all but the first. */
        double gradFlops(int batch) {
            double f = 2 * forwardFlops(batch);
            for (int i = 1; i < widths.length - 1; i++) {
                f += 2.0 * batch * widths[i] * widths[i + 1];
            }
            return f;
        }
    }

    /** The four workloads with their inputs drawn from a fixed seed. */
    public static List<Workload> workloads() {
        List<Workload> out = new ArrayList<>();
        SplittableRandom rng = new SplittableRandom(20261121L);

        Mlp big = new Mlp(784, 512, 512, 10);
        int batch = 1000;
        Tensor x = Tensor.randn(rng, batch, 784);
        Tensor y = Tensor.oneHot(rng.ints(batch, 0, 10).toArray(), 10);
        Tensor theta = big.init(rng);
        Tensor v = Tensor.randn(rng, big.size);
        Function<Tensor, Tensor> loss = big.loss(x, y);
        double gradFlops = big.gradFlops(batch);
        out.add(new Workload("mlp_fwd_bwd", "tanh MLP 784-512-512-10, MSE, batch 1000: loss + gradient", gradFlops,
                () -> Autodiff.valueAndGrad(loss, theta)));
        out.add(new Workload("mlp_hvp", "same loss: one exact Hessian-vector product", 2 * gradFlops,
                () -> Autodiff.hvp(loss, theta, v)));

        Tensor a = Tensor.randn(rng, 1024, 1024);
        Tensor b = Tensor.randn(rng, 1024, 1024);
        out.add(new Workload("matmul_1024", "1024 x 1024 matrix product", 2.0 * 1024 * 1024 * 1024,
                () -> a.matmul(b)));

        Mlp small = new Mlp(50, 256, 1);
        Tensor xs = Tensor.randn(rng, 10, 50);
        Tensor ys = Tensor.randn(rng, 10, 1);
        Tensor[] th = {small.init(rng)};
        Function<Tensor, Tensor> smallLoss = small.loss(xs, ys);
        out.add(new Workload("sgd_step_small", "tanh MLP 50-256-1, batch 10: one SGD step (loss, gradient, update)",
                small.gradFlops(10), () -> {
                    Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(smallLoss, th[0]);
                    th[0] = th[0].addScaled(vg.grad(), -0.01);
                }));
        return out;
    }

    /** Times one workload: warm-up, then repeats until both the count and the time budget are met. */
    public static Result time(Workload w, int minRepeats, double budgetSeconds, int warmup) {
        for (int i = 0; i < warmup; i++) {
            w.body().run();
        }
        List<Double> ms = new ArrayList<>();
        long start = System.nanoTime();
        // overhead-bound workloads are timed in groups so the clock resolution does not matter
        int group = 1;
        long t0 = System.nanoTime();
        w.body().run();
        double once = (System.nanoTime() - t0) / 1e6;
        if (once < 1.0) {
            group = (int) Math.min(1000, Math.max(1, Math.ceil(2.0 / Math.max(once, 1e-3))));
        }
        while (ms.size() < minRepeats || (System.nanoTime() - start) / 1e9 < budgetSeconds) {
            long s = System.nanoTime();
            for (int g = 0; g < group; g++) {
                w.body().run();
            }
            ms.add((System.nanoTime() - s) / 1e6 / group);
            if (ms.size() >= 10 * minRepeats && (System.nanoTime() - start) / 1e9 >= budgetSeconds) {
                break;
            }
        }
        double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = median(sorted);
        return new Result(w.id(), w.what(), median, sorted[0], sorted.length, w.flops() / (median * 1e6));
    }

    /** One result from the timings of several rounds: the median of their medians, the least minimum. */
    public static Result merge(Workload w, List<Result> rounds) {
        double median = median(rounds.stream().mapToDouble(Result::medianMs).sorted().toArray());
        double min = rounds.stream().mapToDouble(Result::minMs).min().orElse(Double.NaN);
        int repeats = rounds.stream().mapToInt(Result::repeats).sum();
        return new Result(w.id(), w.what(), median, min, repeats, w.flops() / (median * 1e6));
    }

    /** The median of ascending values. */
    static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    /** Runs one workload by id (used by the child JVM of the memory measurement). */
    public static void runOnce(String id, int times) {
        for (Workload w : workloads()) {
            if (w.id().equals(id)) {
                for (int i = 0; i < times; i++) {
                    w.body().run();
                }
                return;
            }
        }
        if (!id.equals("none")) {
            throw new IllegalArgumentException("unknown workload '" + id + "'; known: "
                    + Arrays.toString(workloads().stream().map(Workload::id).toArray()) + " or none");
        }
    }

    /** Ids of the workloads. */
    public static Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Workload w : workloads()) {
            m.put(w.id(), w.what());
        }
        return m;
    }
}
