"""Cross-check of catapult-gd P1-A (STUDIES.md §3.2): GD at eta = nu * 2/lambda_1(K-bar(theta_0)) on
x1*x2, n = 128, d = 10, m = 1024; per step L, lambda_1 and the loss split for s in {1, 3, 5}; per spike
phi_s = L_top,s(t_pk)/L(t_pk), chi_s = max_{t in [t_on, t_end]} L_rest,s(t) / L_rest,s(t_on - 1) (Q10.3), and
chi_s_from_theta0 = max_{t <= t_end} L_rest,s(t) / L_rest,s(0) (not Q10.3; it reproduces the quoted reference chi).

Findings (fix-catapult): on sgdlab's data and theta_0 (nu = 1.5) this script reproduces sgdlab's run to ~1e-13
(L_peak = 62.271022492316, chi_5 = 4.539). `--numpy 1 0` reproduces the reference draw (spectrum 0.1923, 0.0764,
0.0738, 0.0626): nu = 1.2 peak/L_0 22.7, L_T 1.5e-3, lambda_1 -> 0.127, phi_5 0.992, chi_5 0.888 (from theta_0: 1.000);
nu = 1.5 peak/L_0 96.8, L_T 3.0e-3, lambda_1 -> 0.052, phi_5 0.990, chi_1/3/5 = 5.55/2.92/2.70 (from theta_0:
1.970/1.038/1.000; the reference quotes 1.97/1.04/1.00).

usage: python3 catapult_p1a.py DATA.npz INIT.npz [nu ...]        (data/init exported from sgdlab)
       python3 catapult_p1a.py --numpy DATA_SEED NET_SEED [nu ...]  (NumPy's own draws)
"""
import sys
import numpy as np
from catapult_common import load_params, loss_grad, kernel_bar, split, detect

S = (1, 3, 5)


def run(X, y, U, v, nu, T=200, verbose=False):
    Kb = kernel_bar(U, v, X)
    lam0 = np.linalg.eigvalsh(Kb)[-1]
    eta = nu * 2 / lam0
    rec = []
    for t in range(T + 1):
        L, r, dU, dv = loss_grad(U, v, X, y)
        w, sp, _ = split(kernel_bar(U, v, X), r, S)
        rec.append((L, w[0], sp))
        if verbose and t <= 20:
            print("  t=%3d L=%.12g lam1=%.12g top5=%.6g rest5=%.6g" % (t, L, w[0], sp[5][0], sp[5][1]))
        if not np.isfinite(L) or L > 1e12:
            break
        U = U - eta * dU
        v = v - eta * dv
    loss = np.array([q[0] for q in rec])
    lam = np.array([q[1] for q in rec])
    ev = detect(loss, 2.0)
    out = dict(nu=nu, eta=eta, lam0=lam0, lamT=lam[-1], L0=loss[0], LT=loss[-1], spikes=len(ev), events=ev)
    if ev:
        on, pk, end, pre, Lpk = ev[0]
        last = len(loss) - 1 if end is None else end
        out["peak_over_L0"] = Lpk / loss[0]
        out["lam_onset"], out["lam_end"] = lam[on], lam[last]
        for s in S:
            out["phi%d" % s] = rec[pk][2][s][0] / loss[pk]
            rest = np.array([q[2][s][1] for q in rec])
            out["chi%d" % s] = rest[on:last + 1].max() / rest[on - 1]
            # not Q10.3: the rest relative to t = 0 (reproduces the chi values quoted in STUDIES.md §3.2)
            out["chi%d_from_theta0" % s] = rest[:last + 1].max() / rest[0]
            out["argmax_rest%d" % s] = on + int(np.argmax(rest[on:last + 1]))
    return out, rec


def main():
    a = sys.argv[1:]
    if a[0] == "--numpy":
        ds, ns = int(a[1]), int(a[2])
        rng = np.random.default_rng(ds)
        X = rng.standard_normal((128, 10))
        y = X[:, 0] * X[:, 1]
        rng = np.random.default_rng(ns)
        U = rng.standard_normal((1024, 10))
        v = rng.standard_normal(1024)
        nus = [float(x) for x in a[3:]] or [0.8, 1.2, 1.5]
    else:
        z = np.load(a[0])
        X, y = z["x"], z["y"].reshape(-1)
        U, v = load_params(a[1])
        nus = [float(x) for x in a[2:]] or [0.8, 1.2, 1.5]
    spec = np.linalg.eigvalsh(kernel_bar(U, v, X))[::-1][:5]
    print("lambda(K-bar(theta_0)) top 5:", np.round(spec, 4))
    for nu in nus:
        o, _ = run(X, y, U, v, nu, verbose=("-v" in a))
        print({k: (round(float(x), 4) if isinstance(x, (float, np.floating)) else x) for k, x in o.items()})


if __name__ == "__main__":
    main()
