package org.sgdlab.autodiff;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.sgdlab.tensor.Tensor;

/**
 * One or more small functions per primitive, each a map from a flat parameter vector to a tensor
 * that passes through the primitive with traced operands. Inputs are chosen away from kinks
 * (distinct values for max/min/abs, positive bases for log/sqrt/pow).
 */
final class PrimitiveCases {

    record Case(String name, Function<Tensor, Tensor> f, Tensor x0) {
        @Override
        public String toString() {
            return name;
        }
    }

    private PrimitiveCases() {
    }

    /** n distinct values spread over [lo, hi] in a seeded random order (gaps >= (hi-lo)/(n-1)). */
    static Tensor spread(int n, double lo, double hi, long seed) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = n == 1 ? lo : lo + (hi - lo) * i / (n - 1);
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return Tensor.vector(v);
    }

    static Tensor randn(int n, long seed) {
        return Tensor.randn(new SplittableRandom(seed), n);
    }

    static List<Case> all() {
        List<Case> c = new ArrayList<>();
        // binary with broadcasting: x = [a (2x3) | b (3)]
        Function<Tensor, Tensor> a23 = x -> x.slice(0, 0, 6).reshape(2, 3);
        Function<Tensor, Tensor> b3 = x -> x.slice(0, 6, 9);
        c.add(new Case("add broadcast", x -> a23.apply(x).add(b3.apply(x)), randn(9, 1)));
        c.add(new Case("sub broadcast", x -> b3.apply(x).reshape(3, 1).sub(x.slice(0, 0, 6).reshape(1, 6)), randn(9, 2)));
        c.add(new Case("mul broadcast", x -> a23.apply(x).mul(b3.apply(x)), randn(9, 3)));
        c.add(new Case("mul same", x -> x.mul(x.add(1.0)), randn(5, 4)));
        c.add(new Case("mulOneMinusSquare broadcast", x -> a23.apply(x).mulOneMinusSquare(b3.apply(x)), randn(9, 30)));
        c.add(new Case("mulOneMinusSquare same", x -> x.mulOneMinusSquare(x.tanh()), randn(5, 31)));
        c.add(new Case("div", x -> a23.apply(x).div(b3.apply(x)), spread(9, 0.5, 2.5, 5)));
        c.add(new Case("div by const", x -> x.div(Tensor.vector(1.5, -2, 3)), randn(3, 6)));
        c.add(new Case("pow traced base and exponent", x -> a23.apply(x).pow(b3.apply(x)), spread(9, 0.5, 1.7, 7)));
        c.add(new Case("pow const exponent", x -> x.pow(3.0), randn(4, 8)));
        c.add(new Case("maximum", x -> a23.apply(x).maximum(b3.apply(x)), spread(9, -2, 2, 9)));
        c.add(new Case("minimum", x -> a23.apply(x).minimum(b3.apply(x)), spread(9, -2, 2, 10)));
        c.add(new Case("relu", x -> x.relu().mul(x), spread(7, -1.45, 1.55, 11)));
        // unary
        c.add(new Case("neg", x -> x.neg().mul(x.exp()), randn(4, 12)));
        c.add(new Case("exp", Tensor::exp, randn(4, 13)));
        c.add(new Case("log", Tensor::log, spread(5, 0.3, 3, 14)));
        c.add(new Case("tanh", Tensor::tanh, randn(6, 15).mul(1.5)));
        c.add(new Case("tanh near 0", Tensor::tanh, spread(5, -0.6, 0.6, 16)));
        c.add(new Case("sigmoid", Tensor::sigmoid, randn(6, 17).mul(3)));
        c.add(new Case("sqrt", Tensor::sqrt, spread(5, 0.2, 4, 18)));
        c.add(new Case("abs", x -> x.abs().mul(x.add(2.0)), spread(6, -2, 2.1, 19)));
        c.add(new Case("sign", x -> x.sign().mul(x.square()), spread(6, -2, 2.1, 20)));
        c.add(new Case("erf", Tensor::erf, randn(6, 21).mul(1.5)));
        // selection and comparison
        Tensor cond = Tensor.vector(1, 0, 1, 1, 0, 0);
        c.add(new Case("where", x -> Tensor.where(cond, x.square(), x.slice(0, 0, 1).exp()), randn(6, 22)));
        c.add(new Case("compare gates", x -> x.mul(x.gt(0.1)).add(x.square().mul(x.le(0.1))), spread(6, -1, 1.1, 23)));
        c.add(new Case("compare all kinds", x -> x.mul(x.ge(0.0).add(x.lt(0.5)).add(x.eq(x)).add(x.ne(0.3))),
                spread(5, -1, 1.1, 24)));
        // reductions
        Function<Tensor, Tensor> t234 = x -> x.reshape(2, 3, 4);
        c.add(new Case("sum all", x -> x.square().sum(), randn(5, 25)));
        c.add(new Case("sum axes 0,2 keepdims", x -> t234.apply(x).sum(new int[] {0, 2}, true).square(), randn(24, 26)));
        c.add(new Case("sum axis 1", x -> t234.apply(x).tanh().sum(1), randn(24, 27)));
        c.add(new Case("max axis 1", x -> t234.apply(x).max(1).mul(x.slice(0, 0, 8).reshape(2, 4)), spread(24, -3, 3, 28)));
        c.add(new Case("max axes 0,2 keepdims", x -> t234.apply(x).square().max(new int[] {0, 2}, true), spread(24, 0.1, 3, 29)));
        c.add(new Case("mean", x -> t234.apply(x).square().mean(new int[] {2}, false), randn(24, 30)));
        c.add(new Case("logsumexp", x -> x.reshape(3, 4).logSumExp(1, false), randn(12, 31)));
        // shape
        c.add(new Case("reshape", x -> x.reshape(2, 3).tanh().reshape(3, 2).mul(Tensor.arange(2)), randn(6, 32)));
        c.add(new Case("permute", x -> t234.apply(x).permute(2, 0, 1).mul(Tensor.arange(3)), randn(24, 33)));
        c.add(new Case("transpose", x -> x.reshape(2, 3).transpose().square(), randn(6, 34)));
        c.add(new Case("expand", x -> x.reshape(3, 1).expand(2, 3, 4).mul(Tensor.arange(4)), randn(3, 35)));
        c.add(new Case("slice", x -> t234.apply(x).slice(1, 1, 3).square(), randn(24, 36)));
        c.add(new Case("slices joined with gaps", x -> x.slice(0, 1, 3).square().sum().add(x.slice(0, 5, 9).exp().sum())
                .mul(x.slice(0, 3, 4).sum()), randn(11, 56)));
        c.add(new Case("overlapping slices", x -> x.slice(0, 0, 4).square().add(x.slice(0, 2, 6).tanh()), randn(7, 57)));
        c.add(new Case("slices on two axes", x -> x.reshape(3, 4).slice(0, 1, 3).tanh().sum().mul(x.reshape(3, 4).slice(1, 0, 2).sum()),
                randn(12, 58)));
        c.add(new Case("pad value", x -> x.reshape(2, 3).pad(new int[] {1, 0}, new int[] {0, 2}, 0.7).square(), randn(6, 37)));
        c.add(new Case("concat", x -> Tensor.concat(1, x.reshape(2, 3), x.reshape(2, 3).square(), x.slice(0, 0, 2).reshape(2, 1)),
                randn(6, 38)));
        c.add(new Case("stack", x -> Tensor.stack(0, x.exp(), x.square()), randn(4, 39)));
        c.add(new Case("index select repeated", x -> x.reshape(3, 2).indexSelect(0, new int[] {2, 0, 2, 1}).square(), randn(6, 40)));
        c.add(new Case("index add repeated", x -> x.reshape(4, 2).indexAdd(0, new int[] {1, 0, 1, 2}, 3).square(), randn(8, 41)));
        // products
        Function<Tensor, Tensor> m23 = x -> x.slice(0, 0, 6).reshape(2, 3);
        Function<Tensor, Tensor> m34 = x -> x.slice(0, 6, 18).reshape(3, 4);
        c.add(new Case("matmul", x -> m23.apply(x).matmul(m34.apply(x)), randn(18, 42)));
        c.add(new Case("matmul A^T B", x -> x.slice(0, 0, 6).reshape(3, 2).matmul(m34.apply(x), true, false), randn(18, 43)));
        c.add(new Case("matmul A B^T", x -> m23.apply(x).matmul(x.slice(0, 6, 18).reshape(4, 3), false, true), randn(18, 44)));
        c.add(new Case("matmul A^T B^T", x -> x.slice(0, 0, 6).reshape(3, 2).matmul(x.slice(0, 6, 18).reshape(4, 3), true, true),
                randn(18, 45)));
        c.add(new Case("matmul vector", x -> m34.apply(x).matmul(x.slice(0, 0, 4)).tanh(), randn(18, 46)));
        c.add(new Case("matmul batched", x -> x.slice(0, 0, 12).reshape(2, 2, 3).matmul(x.slice(0, 12, 36).reshape(2, 3, 4)),
                randn(36, 47)));
        c.add(new Case("matmul batched x 2-D", x -> x.slice(0, 0, 12).reshape(2, 2, 3).matmul(m34.apply(x.slice(0, 6, 24).pad(0, 6, 0))),
                randn(24, 48)));
        c.add(new Case("matmul batched^T x 2-D^T broadcast", x -> x.slice(0, 0, 12).reshape(2, 3, 2)
                .matmul(x.slice(0, 12, 24).reshape(4, 3), true, true), randn(24, 49)));
        c.add(new Case("matmul 2-D x batched", x -> m23.apply(x).matmul(x.slice(0, 6, 30).reshape(2, 3, 4)), randn(30, 50)));
        // windows
        c.add(new Case("unfold stride 2 pad 1", x -> x.reshape(1, 2, 4, 3).unfold(3, 2, 2, 1, 1, 1).square(), randn(24, 51)));
        Function<Tensor, Tensor> foldF = x -> x.reshape(1, 4, 2 * 2 * 2)
                .fold(new org.sgdlab.tensor.Attr.Window(new int[] {1, 2, 3, 3}, 2, 2, 1, 1, 0, 0)).square();
        c.add(new Case("fold", foldF, randn(32, 52)));
        c.add(new Case("conv2d", x -> x.slice(0, 0, 50).reshape(2, 1, 5, 5).conv2d(x.slice(0, 50, 68).reshape(2, 1, 3, 3), 2, 1).tanh(),
                randn(68, 53)));
        c.add(new Case("max pool", x -> x.reshape(1, 2, 4, 4).maxPool2d(2, 2).square(), spread(32, -2, 2, 54)));
        c.add(new Case("avg pool pad", x -> x.reshape(1, 1, 5, 5).avgPool2d(3, 2, 1).square(), randn(25, 55)));
        return c;
    }
}
