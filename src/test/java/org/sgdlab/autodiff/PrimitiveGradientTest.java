package org.sgdlab.autodiff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.sgdlab.tensor.Primitive;
import org.sgdlab.tensor.Tensor;
import org.sgdlab.testing.Checks;

/** Every primitive against finite differences (first and second order) and the adjoint identities. */
class PrimitiveGradientTest {

    static List<PrimitiveCases.Case> cases() {
        return PrimitiveCases.all();
    }

    /** A scalar with nonzero Hessian through f: s = <w, f> + 1/4 ||f||^2. */
    static Function<Tensor, Tensor> scalarize(PrimitiveCases.Case c) {
        Tensor y0 = c.f().apply(c.x0());
        Tensor w = Tensor.randn(new SplittableRandom(c.name().hashCode()), y0.shape());
        return x -> {
            Tensor y = c.f().apply(x);
            return y.mul(w).sum().add(y.square().sum().mul(0.25));
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(PrimitiveCases.Case c) {
        Checks.checkGrad(c.name(), scalarize(c), c.x0(), 1, 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hvpMatchesFiniteDifferencesOfGradient(PrimitiveCases.Case c) {
        Checks.checkHvp(c.name(), scalarize(c), c.x0(), 2, 1e-5);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void jvpAndVjpAreAdjointAndMatchFiniteDifferences(PrimitiveCases.Case c) {
        Checks.checkJvpVjp(c.name(), c.f(), c.x0(), 3, 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void hessianIsSymmetric(PrimitiveCases.Case c) {
        Checks.checkHessianSymmetry(c.name(), scalarize(c), c.x0(), 4);
    }

    @Test
    void everyPrimitiveHasAGradientRule() {
        Set<Primitive> missing = EnumSet.allOf(Primitive.class);
        missing.removeAll(Rules.covered());
        assertTrue(missing.isEmpty(), "primitives without a gradient rule: " + missing);
    }

    @Test
    void everyPrimitiveIsExercisedByAGradientCheck() {
        Set<Primitive> seen = EnumSet.noneOf(Primitive.class);
        for (PrimitiveCases.Case c : cases()) {
            seen.addAll(primitivesIn(c.f().apply(Tensor.variable(c.x0()))));
        }
        Set<Primitive> missing = EnumSet.allOf(Primitive.class);
        missing.removeAll(seen);
        assertTrue(missing.isEmpty(), "primitives no gradient check passes through: " + missing);
    }

    @Test
    void casesRecordTheirGraphOnlyUnderATransform() {
        for (PrimitiveCases.Case c : cases()) {
            assertTrue(!c.f().apply(c.x0()).isTraced(), c.name() + ": plain evaluation must not record a graph");
        }
    }

    static Set<Primitive> primitivesIn(Tensor y) {
        Set<Primitive> out = EnumSet.noneOf(Primitive.class);
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        Deque<Tensor> stack = new ArrayDeque<>();
        stack.push(y);
        while (!stack.isEmpty()) {
            Tensor t = stack.pop();
            if (!t.isTraced() || seen.put(t, true) != null) {
                continue;
            }
            out.add(t.primitive());
            for (int i = 0; i < t.arity(); i++) {
                stack.push(t.input(i));
            }
        }
        return out;
    }

    @Test
    void gradOfNonScalarFunctionSaysSoAndShowsTheShape() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Autodiff.grad(x -> x.reshape(2, 3).square(), Tensor.zeros(6)));
        assertTrue(e.getMessage().contains("scalar") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }

    @Test
    void nestedGradientsDoNotConfusePerturbations() {
        // d/dx [ x * d/dy (x * y) ] = d/dx [x * x] = 2x  (Siskind and Pearlmutter's example)
        Tensor x0 = Tensor.vector(1.7);
        Tensor g = Autodiff.grad(x -> x.mul(Autodiff.grad(y -> x.mul(y).sum(), Tensor.vector(0.3))).sum(), x0);
        assertEquals(3.4, g.item(), 1e-15);
        assertTrue(!g.isTraced(), "outermost result must be detached");
    }
}
