package org.sgdlab.diagnostics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.sgdlab.data.Dataset;
import org.sgdlab.nn.DiagonalLinearNet;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.tensor.Tensor;

/** Q15.4 DLN quantities against hand-computed values (the per-coordinate identity is in NoetherChargeTest). */
class DlnSymmetryTest {

    @Test
    void helpersMatchHandValues() {
        Tensor u = Tensor.vector(1, -2, 0.01, 0);
        Tensor v = Tensor.vector(3, 2, 0.05, 1);
        // | |u| - |v| | = (2, 0, 0.04, 1)
        assertEquals(Math.sqrt(4 + 0.0016 + 1), DlnSymmetry.balancedness(u, v), 1e-15);
        // u v = (3, -4, 5e-4, 0): two entries above 1e-3
        assertEquals(2, DlnSymmetry.nnz(u, v, 1e-3));
        assertEquals(3, DlnSymmetry.nnz(u, v, 1e-4));
        Tensor c = DlnSymmetry.charges(u, v);
        assertEquals(1 - 9, c.get(0), 0);
        assertEquals(0, c.get(1), 0);
        assertEquals(-1, c.get(3), 0);
        Tensor g = Tensor.vector(1, 2, 3, 4);
        Tensor pred = DlnSymmetry.predictedCharges(c, g, 0.1);
        assertEquals(-8 * (1 - 0.01), pred.get(0), 1e-15);
        assertEquals(-1 * (1 - 0.16), pred.get(3), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> DlnSymmetry.charges(u, Tensor.zeros(3)));
    }

    @Test
    void betaGradientIsTheGradientOfTheLinearPredictorLoss() {
        SplittableRandom r = new SplittableRandom(1);
        Tensor x = Tensor.randn(r, 6, 3);
        Tensor y = Tensor.randn(r, 6, 1);
        Tensor beta = Tensor.vector(0.3, -1, 2);
        // L = (1/2n) ||X beta - y||^2 -> grad = X^T (X beta - y) / n
        Tensor want = x.transpose().matmul(x.matmul(beta.reshape(3, 1)).sub(y)).reshape(3).div(6);
        Tensor got = DlnSymmetry.betaGradient(Losses.squared(MseConvention.HALF), Dataset.regression("d", x, y), beta);
        assertTrue(want.sub(got).norm() <= 1e-14 * want.norm());
    }

    @Test
    void diagnosticReportsTheSummaries() {
        DiagonalLinearNet m = DiagonalLinearNet.product(3).withInit(Tensor.vector(1, -0.5, 0.001),
                Tensor.vector(2, 0.5, 0.2));
        SplittableRandom r = new SplittableRandom(2);
        Dataset d = Dataset.regression("d", Tensor.randn(r, 4, 3), Tensor.randn(r, 4, 1));
        Problem pr = new Problem(m, Losses.squared(MseConvention.HALF), d, null);
        Tensor theta = m.init(r);
        DlnSymmetry.Result res = DlnSymmetry.fromParams(Map.of()).measure(StaticProbe.of(pr, theta));
        // charges u^2 - v^2 = (-3, 0, 1e-6 - 0.04)
        assertEquals(-3 + 0 + 1e-6 - 0.04, res.chargeSum(), 1e-15);
        assertEquals(-3, res.chargeMin(), 0);
        assertEquals(0, res.chargeMax(), 0);
        assertEquals(3, res.chargeAbsMax(), 0);
        // beta = (2, -0.25, 2e-4)
        assertEquals(2 + 0.25 + 2e-4, res.l1(), 1e-15);
        assertEquals(Math.sqrt(4 + 0.0625 + 4e-8), res.l2(), 1e-15);
        assertEquals(2, res.nnz());
        assertEquals(Math.sqrt(1 + 0 + 0.199 * 0.199), res.balancedness(), 1e-15);

        // SQUARES variant: beta = u^2 - v^2 in l1, l2
        DiagonalLinearNet sq = DiagonalLinearNet.squares(2).withInit(Tensor.vector(1, 2), Tensor.vector(0.5, 0));
        Problem ps = new Problem(sq, Losses.squared(MseConvention.HALF),
                Dataset.regression("s", Tensor.randn(r, 3, 2), Tensor.randn(r, 3, 1)), null);
        DlnSymmetry.Result rs = new DlnSymmetry(DlnSymmetry.Config.defaults()).measure(StaticProbe.of(ps, sq.init(r)));
        assertEquals(0.75 + 4, rs.l1(), 1e-15);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DlnSymmetry.fromParams(Map.of("tau", -1.0)));
        assertTrue(e.getMessage().contains("diagnostics.dln.tau"), e.getMessage());
    }
}
