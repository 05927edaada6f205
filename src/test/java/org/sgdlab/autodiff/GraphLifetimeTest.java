package org.sgdlab.autodiff;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import java.lang.ref.WeakReference;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

/** Nothing of a graph outlives the transform call that built it. */
class GraphLifetimeTest {

    private static Function<Tensor, Tensor> mlpLoss(Tensor x, Tensor y, int in, int hid) {
        int w1 = hid * in;
        return th -> {
            Tensor h = x.matmul(th.slice(0, 0, w1).reshape(hid, in), false, true).add(th.slice(0, w1, w1 + hid)).tanh();
            Tensor f = h.matmul(th.slice(0, w1 + hid, w1 + 2 * hid).reshape(1, hid), false, true);
            return f.sub(y).square().mean();
        };
    }

    @Test
    void intermediatesAreCollectableAfterTheCall() throws InterruptedException {
        @SuppressWarnings("unchecked")
        WeakReference<Tensor>[] ref = new WeakReference[1];
        Tensor x0 = Tensor.randn(new SplittableRandom(1), 50);
        Tensor hv = Autodiff.hvp(x -> {
            Tensor mid = x.tanh();
            ref[0] = new WeakReference<>(mid);
            return mid.square().sum();
        }, x0, Tensor.ones(50));
        assertFalse(hv.isTraced(), "the result of the outermost transform must carry no graph");
        for (int i = 0; i < 20 && ref[0].get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertNull(ref[0].get(), "an intermediate of the HVP's graph is still reachable after the call");
    }

    @Test
    void heapDoesNotGrowOver2000HvpsAnd2000TrainingSteps() {
        SplittableRandom rng = new SplittableRandom(2);
        int in = 20;
        int hid = 64;
        Tensor x = Tensor.randn(rng, 32, in);
        Tensor y = Tensor.randn(rng, 32, 1);
        Function<Tensor, Tensor> loss = mlpLoss(x, y, in, hid);
        Tensor theta = Tensor.randn(rng, hid * in + 2 * hid).mul(0.1);
        Tensor v = Tensor.randn(rng, theta.size());
        Tensor[] keep = new Tensor[1];
        // warm up (JIT, class loading, pools), then measure the retained heap at two points
        for (int i = 0; i < 200; i++) {
            keep[0] = Autodiff.hvp(loss, theta, v);
        }
        long before = usedAfterGc();
        for (int i = 0; i < 2000; i++) {
            keep[0] = Autodiff.hvp(loss, theta, v);         // the caller holds the result, like a Lanczos basis
            assertFalse(keep[0].isTraced());
        }
        long afterHvp = usedAfterGc();
        Tensor th = theta;
        for (int i = 0; i < 2000; i++) {
            Autodiff.ValueAndGrad vg = Autodiff.valueAndGrad(loss, th);
            keep[0] = vg.grad();                             // a stored gradient (optimizer state) keeps no graph
            th = th.addScaled(vg.grad(), -0.01);
        }
        long afterTrain = usedAfterGc();
        long tensors = liveInstances("org.sgdlab.tensor.Tensor");
        assertTrue(afterHvp - before < 500_000,
                "heap grew by " + (afterHvp - before) + " bytes over 2000 HVPs");
        assertTrue(afterTrain - before < 500_000,
                "heap grew by " + (afterTrain - before) + " bytes over 2000 training steps");
        assertTrue(Double.isFinite(th.norm()));
        assertTrue(tensors < 50, tensors + " Tensor objects are alive after the loops; a graph survived");
    }

    /**
     * Live heap bytes from a class histogram (the GC.class_histogram diagnostic command, which
     * runs a full collection first): exact, unlike the collector-dependent "used" figures.
     */
    private static long usedAfterGc() {
        String h = histogram();
        for (String line : h.split("\n")) {
            String t = line.trim();
            if (t.startsWith("Total")) {
                String[] f = t.split("\\s+");
                return Long.parseLong(f[2]);
            }
        }
        throw new IllegalStateException("no Total line in the class histogram:\n" + h);
    }

    /** Live instances of a class, from the same histogram. */
    private static long liveInstances(String className) {
        for (String line : histogram().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 4 && f[3].equals(className)) {
                return Long.parseLong(f[1]);
            }
        }
        return 0;
    }

    private static String histogram() {
        try {
            return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                    new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the class histogram", e);
        }
    }

    @Test
    void nestedTransformsKeepTheGraphOnlyWhileTheOuterRuns() {
        Tensor x0 = Tensor.vector(0.3, -0.2);
        Tensor[] inner = new Tensor[1];
        Tensor g = Autodiff.grad(x -> {
            inner[0] = Autodiff.grad(z -> z.tanh().sum().mul(x.sum()), x);
            assertTrue(inner[0].isTraced(), "inside an outer transform an inner gradient stays differentiable");
            return inner[0].sum();
        }, x0);
        assertFalse(g.isTraced());
    }
}
