package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.tensor.Tensor;

/** grad_norm, batch_grad_norm, per-layer norms, param_norm and dist_from_init (Q18). */
class NormsTest {

    @Test
    void normsMatchTheirDefinitions() {
        SplittableRandom r = new SplittableRandom(7);
        Mlp net = Mlp.of(Activation.TANH, 3, 6, 2);
        int n = 11;
        Tensor x = Tensor.randn(r, n, 3);
        Tensor y = Tensor.randn(r, n, 2);
        Dataset d = Dataset.regression("t", x, y);
        Problem p = new Problem(net, Losses.of("mse", MseConvention.HALF), d, null, 4);     // 3 chunks
        Tensor th0 = net.init(r);
        Tensor th = th0.add(Tensor.randn(r, th0.size()).mul(0.1));
        int[] batch = {2, 5, 9};
        StaticProbe probe = StaticProbe.of(p, th).withTheta0(th0).withBatch(batch);
        Norms.Result res = Norms.fromParams(Map.of()).measure(probe);
        // grad_norm = ||grad L||: Problem.valueAndGrad, and the unchunked mean loss as an independent route
        assertEquals(p.valueAndGrad(th, d).grad().norm(), res.gradNorm(), 1e-15 * res.gradNorm());
        Tensor g = Autodiff.grad(t -> Losses.of("mse", MseConvention.HALF).mean(net.apply(t, x), y), th);
        assertEquals(g.norm(), res.gradNorm(), 1e-12 * g.norm());
        Dataset b = d.batch(batch);
        Tensor gb = Autodiff.grad(t -> Losses.of("mse", MseConvention.HALF).mean(net.apply(t, b.x()), b.y()), th);
        assertEquals(gb.norm(), res.batchGradNorm(), 1e-12 * gb.norm());
        assertEquals(3 + 1, res.grads());
        // per-layer norms: one per layout block, squares summing to param_norm^2
        assertEquals(net.layout().names().size(), res.layerNorms().size());
        double sq = 0;
        for (int i = 0; i < res.layerNorms().size(); i++) {
            Norms.BlockNorm bn = res.layerNorms().get(i);
            assertEquals(net.layout().names().get(i), bn.name());
            assertEquals(net.layout().view(th, bn.name()).square().sum().item(), bn.norm() * bn.norm(), 1e-12);
            sq += bn.norm() * bn.norm();
        }
        assertEquals(res.paramNorm() * res.paramNorm(), sq, 1e-12 * sq);
        assertEquals(Math.sqrt(th.square().sum().item()), res.paramNorm(), 1e-12);
        assertEquals(th.sub(th0).norm(), res.distFromInit(), 0.0);
        Norms.Result off = Norms.fromParams(Map.of("grad", false, "batch_grad", false)).measure(probe);
        assertTrue(Double.isNaN(off.gradNorm()) && Double.isNaN(off.batchGradNorm()));
        assertEquals(0, off.grads());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Norms.fromParams(Map.of("grad", "yes")));
        assertTrue(e.getMessage().contains("diagnostics.norms.grad"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Norms.fromParams(Map.of("weights", true)));
        assertTrue(e.getMessage().contains("grad, batch_grad"), e.getMessage());
    }
}
