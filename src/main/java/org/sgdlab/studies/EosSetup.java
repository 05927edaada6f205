package org.sgdlab.studies;

import java.util.Set;
import org.sgdlab.data.Presets;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.diagnostics.StaticProbe;
import org.sgdlab.diagnostics.Subset;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.report.Verdict;
import org.sgdlab.tensor.Rng;
import org.sgdlab.tensor.Tensor;

/**
 * The configuration of one {@code eos} study run (STUDIES.md §1.1 and §8): the data preset, the
 * tanh MLP {@code d -> 128 -> 128 -> 10} with PyTorch-default init, the squared-loss problem (c = 1/2)
 * and its cross-entropy twin, the net seed, theta_0, the base learning rate and the verdict kind of
 * every criterion for this data set.
 *
 * <p>Learning rates: digits and synthetic use eta = 0.2 (§1.1, §8.3). Fashion-MNIST uses
 * {@code eta_F = 0.68 / lambda_max(theta_0)} rounded to two significant digits (§8.2: the digits ratio
 * lambda_max(0) eta / 2 = 0.34), and every other step size of §1 is multiplied by {@code eta_F / 0.2}.
 */
record EosSetup(String data, Presets.Prepared prepared, Problem mse, Problem ce, long netSeed, long dataSeed,
                Tensor theta0, double lambda0, double eta) {

    /** The digits learning rate every other step size of §1 is expressed in. */
    static final double DIGITS_ETA = 0.2;
    /** §8.2: eta_F = 0.68 / lambda_max(theta_0) (twice the digits ratio lambda_max(0) eta / 2 = 0.34). */
    static final double FASHION_TARGET = 0.68;
    static final int HIDDEN = 128;

    private static final Set<String> GATED = Set.of("A1", "A2", "A3", "A4", "A4'", "A5", "A6", "A7", "A8", "M1");
    private static final Set<String> FASHION_PROVISIONAL = Set.of("A1", "A2", "A3", "A4", "A4'", "A6", "A7", "A8");

    /** The sharpness diagnostic of the study: Q6 with subset all, Lanczos k = 1, warm start. */
    static Sharpness.Config sharpnessConfig() {
        return Sharpness.Config.DEFAULT.withSubset(Subset.all()).withSolver("lanczos").withWarmStart(true);
    }

    /** Builds the setup for {@code ctx.data()} (null means digits). */
    static EosSetup create(StudyContext ctx) {
        String data = ctx.data() == null ? Presets.DIGITS : ctx.data();
        long dataSeed = ctx.pick(0, "eos", "data");
        Presets.Prepared prep = Presets.load(data, Presets.Options.defaults().withDataSeed(dataSeed));
        int in = prep.train().inputDim();
        int k = prep.train().outputDim();
        Mlp model = Mlp.of(Activation.TANH, in, HIDDEN, HIDDEN, k);
        Problem mse = new Problem(model, Losses.squared(MseConvention.HALF), prep.train(), prep.test());
        Problem ce = new Problem(model, Losses.crossEntropy(), prep.train(), prep.test());
        long netSeed = ctx.pick(0, "eos", "net");
        Tensor theta0 = model.init(Rng.stream(netSeed, Rng.INIT));
        double lambda0 = Double.NaN;
        double eta = DIGITS_ETA;
        if (data.equals(Presets.FASHION_MNIST)) {
            Sharpness s = new Sharpness(sharpnessConfig());
            lambda0 = s.measure(StaticProbe.of(mse, theta0).withSeed(netSeed).withLr(DIGITS_ETA)).sharpness();
            eta = EosStats.twoSignificant(FASHION_TARGET / lambda0);
        }
        return new EosSetup(data, prep, mse, ce, netSeed, dataSeed, theta0, lambda0, eta);
    }

    /** A step size of §1 written for digits (e.g. 0.38 for M-hb), scaled by eta / 0.2 (§8.2). */
    double scaled(double digitsEta) {
        return digitsEta * eta / DIGITS_ETA;
    }

    boolean digits() {
        return data.equals(Presets.DIGITS);
    }

    boolean fashion() {
        return data.equals(Presets.FASHION_MNIST);
    }

    boolean synthetic() {
        return data.equals(Presets.SYNTHETIC);
    }

    /**
     * The kind of criterion {@code id} on this data (STUDIES.md §1.2, §8.2, §8.3): digits as §1.2; on
     * Fashion-MNIST the carried-over criteria (A1-A4, A6-A8) are provisional gates, the others reports,
     * and M1 (an exact, data-free identity) stays a gate; on synthetic data every criterion is a report.
     */
    Verdict.Kind kind(String id) {
        if (synthetic()) {
            return Verdict.Kind.REPORT;
        }
        if (fashion()) {
            if (id.equals("M1")) {
                return Verdict.Kind.GATE;
            }
            return FASHION_PROVISIONAL.contains(id) ? Verdict.Kind.PROVISIONAL : Verdict.Kind.REPORT;
        }
        return GATED.contains(id) ? Verdict.Kind.GATE : Verdict.Kind.REPORT;
    }

    String describe() {
        return prepared.train().name() + " (n = " + mse.train().size() + ", " + mse.train().inputDim() + " inputs), "
                + mse.model().describe() + ", net seed " + netSeed;
    }
}
