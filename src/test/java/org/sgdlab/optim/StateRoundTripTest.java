package org.sgdlab.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.sgdlab.tensor.Tensor;

/**
 * Checkpoint round trip: export the state's tensors and scalars at step 30, copy them through plain
 * double arrays (as a file would), rebuild optimizer (from the registry) and state, continue to step
 * 60: the iterates equal the uninterrupted run bit for bit.
 */
class StateRoundTripTest {

    static final int P = OptimizerTest.P;

    static Map<String, ?> spec(String name) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lr", Map.of("name", "linear-warmup", "eta", 0.05, "warmup_steps", 20));
        if (!name.equals("gd") && !name.equals("sgd")) {
            m.put("beta", 0.9);
        }
        m.put("weight_decay", 1e-3);
        return m;
    }

    @Test
    void exportImportContinuesBitForBit() {
        UnaryOperator<Tensor> grad = OptimizerTest.randomQuadratic(31);
        Tensor theta0 = Tensor.randn(new SplittableRandom(32), P);
        for (String name : Optimizers.NAMES) {
            double[] straight = runStraight(Optimizers.create(name, spec(name)), grad, theta0);
            double[] resumed = runResumed(Optimizers.create(name, spec(name)), name, grad, theta0);
            for (int i = 0; i < P; i++) {
                assertEquals(Double.doubleToRawLongBits(straight[i]), Double.doubleToRawLongBits(resumed[i]),
                        name + ": element " + i + " " + straight[i] + " vs " + resumed[i]);
            }
        }
    }

    static <S extends OptimizerState> double[] runStraight(Optimizer<S> opt, UnaryOperator<Tensor> grad, Tensor th) {
        S s = opt.init(th);
        for (int t = 0; t < 60; t++) {
            Update<S> u = opt.update(grad.apply(th), s, th, t);
            th = u.newTheta();
            s = u.newState();
        }
        return th.toArray();
    }

    static <S extends OptimizerState> double[] runResumed(Optimizer<S> opt, String name, UnaryOperator<Tensor> grad,
            Tensor th) {
        S s = opt.init(th);
        for (int t = 0; t < 30; t++) {
            Update<S> u = opt.update(grad.apply(th), s, th, t);
            th = u.newTheta();
            s = u.newState();
        }
        // "write" the checkpoint: plain arrays and shapes
        Map<String, double[]> arrays = new LinkedHashMap<>();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : s.tensors().entrySet()) {
            arrays.put(e.getKey(), e.getValue().toArray());
            shapes.put(e.getKey(), e.getValue().shape());
        }
        Map<String, Double> scalars = new LinkedHashMap<>(s.scalars());
        double[] thetaSaved = th.toArray();
        // "read" it into a fresh optimizer
        return continueFrom(Optimizers.create(name, spec(name)), grad, arrays, shapes, scalars, thetaSaved);
    }

    static <S extends OptimizerState> double[] continueFrom(Optimizer<S> opt, UnaryOperator<Tensor> grad,
            Map<String, double[]> arrays, Map<String, int[]> shapes, Map<String, Double> scalars, double[] theta) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        arrays.forEach((k, v) -> tensors.put(k, Tensor.of(v, shapes.get(k))));
        S s = opt.restore(tensors, scalars);
        Tensor th = Tensor.of(theta, P);
        for (int t = 30; t < 60; t++) {
            Update<S> u = opt.update(grad.apply(th), s, th, t);
            th = u.newTheta();
            s = u.newState();
        }
        return th.toArray();
    }

    @Test
    void restoreRejectsForeignStates() {
        Optimizer<OptimizerState.Displacement> polyak = Optimizers.polyak(Schedules.constant(0.1), 0.9);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> polyak.restore(Map.of("momentum_buffer", Tensor.zeros(3)), Map.of()));
        assertEquals("polyak: restore expects exactly the tensor 'displacement', got [momentum_buffer]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.gd(Schedules.constant(0.1))
                .restore(Map.of("displacement", Tensor.zeros(3)), Map.of()));
        assertTrue(e.getMessage().contains("restore expects no tensors"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Optimizers.nesterov(Schedules.constant(0.1), 0.5)
                .restore(Map.of("momentum_buffer", Tensor.zeros(3)), Map.of("step", 3.0)));
        assertTrue(e.getMessage().contains("restore expects no scalars, got [step]"), e.getMessage());
    }
}
