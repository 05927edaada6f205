package org.sgdlab.studies;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.sgdlab.data.Dataset;
import org.sgdlab.data.Presets;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Sharpness;
import org.sgdlab.diagnostics.StaticProbe;
import org.sgdlab.nn.Activation;
import org.sgdlab.nn.Losses;
import org.sgdlab.nn.Mlp;
import org.sgdlab.nn.Model;
import org.sgdlab.nn.MseConvention;
import org.sgdlab.report.Verdict;
import org.sgdlab.tensor.Rng;

/**
 * The configuration of the {@code eoss} study (STUDIES.md §2.1, §8): the data of {@code --data}, the
 * model and loss of {@code eos} §1.1, the run table, the learning-rate scale of Fashion-MNIST (§8.2) and the
 * verdict kind of every criterion per data set.
 */
final class EossSetup {

    /** Hidden widths of the tanh MLP (§1.1). */
    static final int HIDDEN = 128;
    /** Classes (one-hot targets). */
    static final int CLASSES = 10;
    /** The digits ratio lambda_max(0) eta / 2 = 0.34 that sets eta_F on Fashion-MNIST (§8.2). */
    static final double FASHION_RATIO = 0.68;
    /** Label-noise seed of the reference runs (§2.1). */
    static final long NOISE_SEED = 7;

    /** What a run is for. */
    enum Kind { SHORT, LONG, MOMENTUM, FORK }

    /**
     * One run of §2.1 in digits units: {@code eta} is scaled by {@link #etaScale} on Fashion-MNIST.
     *
     * @param id        run id (e.g. {@code R-0.4-8})
     * @param eta       learning rate (digits units)
     * @param b         batch size
     * @param noise     label-noise fraction q
     * @param initScale init-scale modifier s
     * @param steps     updates T
     * @param every     cadence of lambda_max and BS
     * @param start     first measurement step
     * @param evalEvery full-loss cadence
     * @param gated     whether a gate depends on the run (the table's role)
     * @param role      the role in words
     * @param kind      short, long, momentum or fork
     * @param beta      heavy-ball beta (momentum runs; 0 otherwise)
     */
    record RunSpec(String id, double eta, int b, double noise, double initScale, long steps, int every, long start,
                   int evalEvery, boolean gated, String role, Kind kind, double beta) {

        RunSpec withCadence(int newEvery, long newStart, int newEval) {
            return new RunSpec(id, eta, b, noise, initScale, steps, newEvery, newStart, newEval, gated, role, kind, beta);
        }

        RunSpec withId(String newId) {
            return new RunSpec(newId, eta, b, noise, initScale, steps, every, start, evalEvery, gated, role, kind, beta);
        }
    }

    /** Short runs of §2.1 (full variant cadences; the full loss after every step, B4). */
    static List<RunSpec> shortRuns() {
        List<RunSpec> r = new ArrayList<>();
        r.add(shortRun("R-0.4-8", 0.4, 8, 0, 1, 6000, 100, true, "gated"));
        r.add(shortRun("R-0.4-32", 0.4, 32, 0, 1, 6000, 100, true, "gated"));
        r.add(shortRun("R-0.2-16", 0.2, 16, 0, 1, 6000, 100, true, "gated"));
        r.add(shortRun("R-0.2-128", 0.2, 128, 0, 1, 6000, 100, true, "gated"));
        r.add(shortRun("R-0.05-8", 0.05, 8, 0, 1, 30000, 500, true, "gated (LR dependence)"));
        r.add(shortRun("R-0.2-64s", 0.2, 64, 0, 0.2, 8000, 100, false, "report"));
        r.add(shortRun("R-0.2-8s", 0.2, 8, 0, 0.2, 8000, 100, false, "report"));
        r.add(shortRun("R-0.4-64n", 0.4, 64, 0.5, 1, 8000, 100, false, "report (edge-test source)"));
        r.add(shortRun("R-0.4-8n", 0.4, 8, 0.5, 1, 8000, 100, false, "report"));
        r.add(shortRun("R-0.05-64", 0.05, 64, 0, 1, 30000, 500, false, "report"));
        r.add(shortRun("R-0.1-8n2", 0.1, 8, 0.2, 1, 20000, 500, false, "report; MiniBS at the end"));
        r.add(shortRun("R-0.1-8n5", 0.1, 8, 0.5, 1, 20000, 500, false, "report; MiniBS at the end"));
        return r;
    }

    /** The four gated 6000-step short runs of the quick variant (§2.3): lambda_max and BS every 300 steps from 600. */
    static List<RunSpec> quickShortRuns() {
        List<RunSpec> r = new ArrayList<>();
        for (RunSpec s : shortRuns().subList(0, 4)) {
            r.add(s.withCadence(300, 600, 100));
        }
        return r;
    }

    /** Long runs (20 % label noise, 2e5 steps, lambda_max and BS every 4000 steps, full loss every 100). */
    static List<RunSpec> longRuns() {
        List<RunSpec> r = new ArrayList<>();
        r.add(longRun("L-0.3-8", 0.3, 8, true, "gated (B7)"));
        r.add(longRun("L-0.2-8", 0.2, 8, true, "gated (B8, B9)"));
        r.add(longRun("L-0.2-32", 0.2, 32, true, "gated (B9)"));
        r.add(longRun("L-0.15-8", 0.15, 8, false, "report"));
        r.add(longRun("L-0.1-8", 0.1, 8, false, "report"));
        return r;
    }

    /** Quick L-0.3-8 (§2.3): lambda_max and BS every 8000 steps, the full loss every 1000. */
    static RunSpec quickLongRun() {
        return longRuns().get(0).withCadence(8000, 8000, 1000);
    }

    /** B13: heavy ball beta = 0.9, eta = 0.2, b in {8, 128}, 6000 steps (sgdlab's choice). */
    static List<RunSpec> momentumRuns() {
        return List.of(
                new RunSpec("M-hb-8", 0.2, 8, 0, 1, 6000, 100, 0, 10, false, "report (B13)", Kind.MOMENTUM, 0.9),
                new RunSpec("M-hb-128", 0.2, 128, 0, 1, 6000, 100, 0, 10, false, "report (B13)", Kind.MOMENTUM, 0.9));
    }

    private static RunSpec shortRun(String id, double eta, int b, double noise, double scale, long steps, int every,
                                    boolean gated, String role) {
        return new RunSpec(id, eta, b, noise, scale, steps, every, 0, 1, gated, role, Kind.SHORT, 0);
    }

    private static RunSpec longRun(String id, double eta, int b, boolean gated, String role) {
        return new RunSpec(id, eta, b, 0.2, 1, 200_000, 4000, 0, 100, gated, role, Kind.LONG, 0);
    }

    final String data;
    final Dataset clean;
    final double etaScale;
    final double lambda0;
    final long noiseSeed;
    /** Hidden width of the MLP: 128 (§1.1); smaller only in plumbing tests. */
    final int hidden;
    private final Map<Double, Dataset> noisy = new ConcurrentHashMap<>();

    private EossSetup(String data, Dataset clean, double etaScale, double lambda0, long noiseSeed) {
        this(data, clean, etaScale, lambda0, noiseSeed, HIDDEN);
    }

    private EossSetup(String data, Dataset clean, double etaScale, double lambda0, long noiseSeed, int hidden) {
        this.hidden = hidden;
        this.data = data;
        this.clean = clean;
        this.etaScale = etaScale;
        this.lambda0 = lambda0;
        this.noiseSeed = noiseSeed;
    }

    /**
     * The data of {@code --data} (§8): digits (the first 1000 rows, standardised), Fashion-MNIST (first 1000
     * training images pooled to 14x14, standardised; eta_F = 0.68/lambda_max(theta_0) rounded to two significant
     * digits and every step size scaled by eta_F/0.2) or the synthetic stand-in (data seed from the base seed).
     * The learning-rate probe of Fashion-MNIST uses the init of {@code initSeed}.
     */
    static EossSetup create(StudyContext ctx, long initSeed) {
        String data = ctx.data() == null ? Presets.DIGITS : ctx.data();
        long noiseSeed = ctx.pick(NOISE_SEED, "eoss", "label-noise");
        Presets.Options opt = Presets.Options.defaults().withTestSize(0);
        return switch (data) {
            case Presets.DIGITS -> new EossSetup(data, Presets.digits(opt).train(), 1.0, Double.NaN, noiseSeed);
            case Presets.SYNTHETIC -> new EossSetup(data,
                    Presets.synthetic(opt.withDataSeed(ctx.pick(0, "eoss", "synthetic-data"))).train(), 1.0, Double.NaN,
                    noiseSeed);
            case Presets.FASHION_MNIST -> {
                Dataset train = Presets.fashionMnist(opt).train();
                Model m = model(train.inputDim(), 1.0);
                Problem p = problem(m, train);
                double lam = new Sharpness(Sharpness.Config.DEFAULT)
                        .measure(StaticProbe.of(p, m.init(Rng.stream(initSeed, Rng.INIT)))).sharpness();
                double etaF = round2(FASHION_RATIO / lam);
                yield new EossSetup(data, train, etaF / 0.2, lam, noiseSeed);
            }
            default -> throw new IllegalArgumentException("eoss: --data '" + data + "' is not one of "
                    + Presets.NAMES);
        };
    }

    /** A setup on a given (clean) training set, eta scale 1 and hidden width {@code hidden}, for plumbing tests. */
    static EossSetup of(String data, Dataset clean, long noiseSeed, int hidden) {
        return new EossSetup(data, clean, 1.0, Double.NaN, noiseSeed, hidden);
    }

    /** x rounded to two significant digits (half-up). */
    static double round2(double x) {
        if (!(x > 0) || Double.isInfinite(x)) {
            throw new IllegalArgumentException("round2: need a finite positive number, got " + x);
        }
        return new BigDecimal(x).round(new MathContext(2)).doubleValue();
    }

    /** The tanh MLP d -> 128 -> 128 -> 10 with biases, PyTorch-default init times {@code initScale}. */
    static Model model(int inputDim, double initScale) {
        return model(inputDim, HIDDEN, initScale);
    }

    static Model model(int inputDim, int hidden, double initScale) {
        Model m = Mlp.of(Activation.TANH, inputDim, hidden, hidden, CLASSES);
        return initScale == 1.0 ? m : m.withInitScale(initScale);
    }

    /** This setup's model with init scale s. */
    Model model(double initScale) {
        return model(clean.inputDim(), hidden, initScale);
    }

    /** Squared loss with c = 1/2 (Q2.2), no test set. */
    static Problem problem(Model m, Dataset train) {
        return new Problem(m, Losses.squared(MseConvention.HALF), train, null);
    }

    /** The training set with label noise q (§2.1: a fraction q of the labels replaced, from the data stream). */
    Dataset train(double q) {
        if (q == 0) {
            return clean;
        }
        return noisy.computeIfAbsent(q,
                k -> clean.withLabelNoise(k, Rng.stream(noiseSeed, Rng.DATA, "label-noise")).data());
    }

    /** The problem of a run: model with its init scale, training set with its label noise. */
    Problem problem(RunSpec s) {
        return problem(model(s.initScale()), train(s.noise()));
    }

    /** The actual learning rate of a run (digits units times the data set's scale). */
    double eta(RunSpec s) {
        return s.eta() * etaScale;
    }

    boolean calibrated() {
        return data.equals(Presets.DIGITS);
    }

    /** The criteria §8.2 carries over to Fashion-MNIST as provisional gates. */
    private static final List<String> FASHION_CARRIED = List.of("B1", "B2", "B3", "B4", "B5", "B7", "B8", "B9");

    /**
     * The verdict kind of a criterion on this data set: digits as §2.2; Fashion-MNIST: the carried-over
     * criteria provisional, every other (B1r, B6, reference comparisons) report; synthetic: report.
     */
    Verdict.Kind kind(String id) {
        return switch (data) {
            case Presets.DIGITS -> switch (id) {
                case "B1", "B2", "B3", "B4", "B5", "B7", "B8", "B9" -> Verdict.Kind.GATE;
                case "B6" -> Verdict.Kind.PROVISIONAL;
                default -> Verdict.Kind.REPORT;
            };
            case Presets.FASHION_MNIST -> FASHION_CARRIED.contains(id) ? Verdict.Kind.PROVISIONAL : Verdict.Kind.REPORT;
            default -> Verdict.Kind.REPORT;
        };
    }

    /** A one-line description for the report. */
    String describe() {
        String base = switch (data) {
            case Presets.DIGITS -> "digits: the first 1000 rows of scikit-learn digits, standardised per feature, "
                    + "one-hot targets (calibrated, §8.1)";
            case Presets.FASHION_MNIST -> String.format(java.util.Locale.ROOT, "Fashion-MNIST: the first 1000 training "
                    + "images, 2x2-pooled to 14x14 = 196 inputs, standardised per feature (§8.2); lambda_max(theta_0) = "
                    + "%.4g, eta_F = 0.68/lambda_max rounded to %.2g, every step size scaled by eta_F/0.2 = %.4g; "
                    + "criteria provisional or report (no reference run)", lambda0, 0.2 * etaScale, etaScale);
            default -> "synthetic stand-in (§8.3): x ~ N(0, I_64), labels of a random tanh teacher; not calibrated, "
                    + "every criterion is report and not comparable with the reference values";
        };
        return base + String.format(java.util.Locale.ROOT, "; model %s; label-noise seed %d", model(1.0)
                .describe(), noiseSeed);
    }
}
