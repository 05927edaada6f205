package org.sgdlab.studies;

import java.util.List;
import org.sgdlab.autodiff.Autodiff;
import org.sgdlab.data.Dataset;
import org.sgdlab.diagnostics.Diagnostic;
import org.sgdlab.diagnostics.DlnSymmetry;
import org.sgdlab.diagnostics.LinearNetSymmetry;
import org.sgdlab.diagnostics.NoetherCharge;
import org.sgdlab.diagnostics.Probe;
import org.sgdlab.diagnostics.Problem;
import org.sgdlab.diagnostics.Symmetry;
import org.sgdlab.nn.Layout;
import org.sgdlab.tensor.Tensor;

/**
 * The exact Noether identities checked inside a plain-SGD run, one update at a time (STUDIES.md §6.1 SY1, SY2;
 * §6.2 SY3; QUANTITIES.md Q15.2(5), Q15.4, Q15.5):
 *
 * <pre>  scalar charge   C(theta_{t+1}) - C(theta_t) = eta_t^2 ghat_t^T A ghat_t
 *  two-layer net   M_{t+1} - M_t = eta_t^2 (ghat_W ghat_W^T - ghat_U^T ghat_U),   M = W W^T - U^T U
 *  diagonal net    C_i(t+1) = (1 - eta_t^2 g_i^2) C_i(t),   C_i = u_i^2 - v_i^2,   g = dL_B/d beta</pre>
 *
 * Scheduled every step: at step t it computes the batch gradient ghat_t of B_t at theta_t (the same objective
 * and batch as the trainer's update, hence the same bits), checks the identity of update t - 1 against the
 * stored (theta_{t-1}, ghat_{t-1}, eta_{t-1}) and keeps the current ones. The left sides use the library's
 * forms ({@link NoetherCharge#identity}, {@link LinearNetSymmetry#mIdentity}, {@link DlnSymmetry#charges}).
 * The cost is one batch gradient per step. With {@code identities = false} only the charge is recorded (for
 * sparse schedules, e.g. a GD comparison run). Not for runs whose update is not {@code theta - eta ghat}
 * (weight decay, momentum).
 */
final class SymmetryIdentityCheck implements Diagnostic<SymmetryIdentityCheck.Step> {

    static final String NAME = "noether_identity";

    /** Which identities apply. */
    enum Kind {
        /** Scale invariance, A = I on one block: C = ||W||^2. */
        SCALE,
        /** Diagonal linear network beta = u ⊙ v: total rescaling C = ||u||^2 - ||v||^2, and the per-coordinate charges. */
        DLN,
        /** Two-layer linear net f = U W x: the matrix charge M (and its trace as the scalar charge, B = I). */
        TWO_LAYER
    }

    /**
     * One step: {@code charge} = C_A(theta_t); {@code increment} = eta_t^2 ghat_t^T A ghat_t (the change update t
     * will make); errors of the identity of update t - 1 (NaN at the first measurement or when the previous
     * measurement was not at t - 1): {@code scalarError} = |dC - eta^2 g^T A g|, {@code scalarRelError} = that over
     * max(1, |eta^2 g^T A g|); {@code matrixError}, {@code matrixRelError} (two-layer; Frobenius, over
     * max(1, ||eta^2 (g_W g_W^T - g_U^T g_U)||_F)); {@code coordError} = max_i |C_i(t) - (1 - eta^2 g_i^2) C_i(t-1)|
     * (DLN); NaN where a kind does not define it.
     */
    record Step(double charge, double increment, double scalarError, double scalarRelError, double matrixError,
                double matrixRelError, double coordError) {
    }

    private final Kind kind;
    private final boolean identities;
    private final String blockA;
    private final String blockB;
    private Symmetry symmetry;
    private Layout resolvedFor;
    private long prevStep = -2;
    private Tensor prevTheta;
    private Tensor prevGrad;
    private Tensor prevBetaGrad;
    private double prevLr;

    /**
     * {@code blockA}, {@code blockB}: SCALE the scale-invariant block (B unused); DLN u, v; TWO_LAYER W, U.
     */
    SymmetryIdentityCheck(Kind kind, String blockA, String blockB, boolean identities) {
        this.kind = kind;
        this.blockA = blockA;
        this.blockB = blockB;
        this.identities = identities;
    }

    @Override
    public String name() {
        return NAME;
    }

    private Symmetry symmetry(Layout layout) {
        if (!layout.equals(resolvedFor)) {
            symmetry = switch (kind) {
                case SCALE -> Symmetry.scaleInvariant(layout, blockA);
                case DLN -> Symmetry.rescaling(layout, List.of(blockA), List.of(blockB));
                case TWO_LAYER -> Symmetry.twoLayer(layout, blockA, blockB, Tensor.eye(layout.block(blockA).shape()[0]));
            };
            resolvedFor = layout;
        }
        return symmetry;
    }

    @Override
    public Step measure(Probe probe) {
        Problem problem = probe.problem();
        Layout layout = problem.model().layout();
        Symmetry a = symmetry(layout);
        Tensor theta = probe.theta();
        double charge = a.charge(theta);
        if (!identities) {
            return new Step(charge, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
        }
        Dataset batch = problem.train().batch(probe.batch());
        Tensor g = Autodiff.grad(problem.objective(batch), theta);
        double eta = probe.lr();
        Tensor betaGrad = null;
        if (kind == Kind.DLN) {
            Tensor beta = layout.view(theta, blockA).mul(layout.view(theta, blockB));
            betaGrad = DlnSymmetry.betaGradient(problem.loss(), batch, beta);
        }
        double se = Double.NaN;
        double sr = Double.NaN;
        double me = Double.NaN;
        double mr = Double.NaN;
        double ce = Double.NaN;
        if (prevTheta != null && prevStep == probe.step() - 1) {
            NoetherCharge.Identity id = NoetherCharge.identity(a, prevTheta, theta, prevLr, prevGrad);
            se = id.error();
            sr = id.relativeError();
            if (kind == Kind.TWO_LAYER) {
                LinearNetSymmetry.MatrixIdentity mi =
                        LinearNetSymmetry.mIdentity(layout, blockA, blockB, prevTheta, theta, prevLr, prevGrad);
                me = mi.error();
                mr = mi.relativeError();
            }
            if (kind == Kind.DLN) {
                Tensor before = DlnSymmetry.charges(layout.view(prevTheta, blockA), layout.view(prevTheta, blockB));
                Tensor now = DlnSymmetry.charges(layout.view(theta, blockA), layout.view(theta, blockB));
                ce = now.sub(DlnSymmetry.predictedCharges(before, prevBetaGrad, prevLr)).abs().max().item();
            }
        }
        prevStep = probe.step();
        prevTheta = theta;
        prevGrad = g;
        prevBetaGrad = betaGrad;
        prevLr = eta;
        return new Step(charge, a.predictedIncrement(eta, g), se, sr, me, mr, ce);
    }
}
