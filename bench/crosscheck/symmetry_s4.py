#!/usr/bin/env python3
"""Independent NumPy oracle for symmetry S4 (STUDIES.md §6.4): noise equilibrium of a two-layer linear network.

Written from the spec text (QUANTITIES.md Q15.5, Q15.6), not from the Java code:
  n = 400, d = h = o = 4, f(x) = U W x, loss c = 1: L = (1/n) sum_i ||U W x_i - y_i||^2;
  phase 1: GD eta = 0.01, 3e4 steps from init 0.01 N(0, 1); phase 2 from its end: SGD (batch 1, here the Java
  run's iid-with-replacement indices) and GD continued, eta = 0.005; metrics every 100 steps; the "SGD"/"GD"
  values are the means over the last 20 % of phase 2.
  Per-sample gradients (r = U W x - y): g_W = 2 U^T r x^T, g_U = 2 r x^T W^T;
  Sigma_W^(h) = (1/n) sum_i g_W,i g_W,i^T - gbar_W gbar_W^T,  Sigma_U^(h) = (1/n) sum_i g_U,i^T g_U,i - gbar_U^T gbar_U;
  rho = ||Sigma_W - Sigma_U||_F / (||Sigma_W||_F + ||Sigma_U||_F);
  Tr H = 2c (Tr Sigma_x ||U||_F^2 + o Tr(W Sigma_x W^T)), Sigma_x = X^T X / n;
  Tr Sigma = (1/n) sum_i ||g_i||^2 - ||gbar||^2 (both blocks).
Gate SY8: rho_SGD <= 0.3 rho_GD for every configuration with rho_GD > 0.1.

usage: symmetry_s4.py same EXPORT_DIR RUNS_DIR [config ...]
       symmetry_s4.py long EXPORT_DIR RUNS_DIR config STEPS      (what-if: longer phase 2 with NumPy batches)
       symmetry_s4.py floor EXPORT_DIR RUNS_DIR config STEPS     (what-if: SGD started AT the noise equilibrium of the
                                                                  GD point's orbit; the fluctuation floor of rho)
       symmetry_s4.py average EXPORT_DIR RUNS_DIR config STEPS   (what-if: mean instantaneous rho vs rho of the blocks
                                                                  averaged over the last 80 % of a long SGD run,
                                                                  centred and uncentred; E[Delta M] = 0 at stationarity
                                                                  balances the time-averaged uncentred blocks)
"""
import json
import os
import sys

import numpy as np

N = 400
ETA1 = 0.01
ETA2 = 0.005
PHASE1 = 30000
CONFIGS = ["iso_phi0_25", "iso_phi1", "aniso_phi1"]


def split(theta):
    return theta[:16].reshape(4, 4).copy(), theta[16:].reshape(4, 4).copy()


def full_grad(W, U, X, Y):
    n = X.shape[0]
    Z = X @ W.T                       # [n, h]
    R = Z @ U.T - Y                   # [n, o]
    gU = 2.0 / n * R.T @ Z            # [o, h]
    gW = 2.0 / n * U.T @ R.T @ X      # [h, d]
    return gW, gU


def loss(W, U, X, Y):
    R = X @ W.T @ U.T - Y
    return float(np.sum(R ** 2) / X.shape[0])


def stats(W, U, X, Y):
    """rho, Tr H (closed form), Tr Sigma from explicit per-sample gradients."""
    n = X.shape[0]
    Z = X @ W.T                                    # [n, h]
    R = Z @ U.T - Y                                # [n, o]
    gW = 2 * np.einsum("ha,na,nd->nhd", U.T, R, X)  # g_W,i = 2 U^T r_i x_i^T   [n, h, d]
    gU = 2 * np.einsum("no,nh->noh", R, Z)          # g_U,i = 2 r_i (W x_i)^T   [n, o, h]
    mW = gW.mean(0)
    mU = gU.mean(0)
    SW = np.einsum("nhd,nkd->hk", gW, gW) / n - mW @ mW.T
    SU = np.einsum("noh,nok->hk", gU, gU) / n - mU.T @ mU
    rho = np.linalg.norm(SW - SU) / (np.linalg.norm(SW) + np.linalg.norm(SU))
    Sx = X.T @ X / n
    trh = 2 * (np.trace(Sx) * np.sum(U ** 2) + U.shape[0] * np.trace(W @ Sx @ W.T))
    trs = (np.sum(gW ** 2) + np.sum(gU ** 2)) / n - np.sum(mW ** 2) - np.sum(mU ** 2)
    return float(rho), float(trh), float(trs)


def dense_trace_h(W, U, X, Y):
    """Tr H by central finite differences of the exact gradient (check of the closed form)."""
    th = np.concatenate([W.ravel(), U.ravel()])
    tr = 0.0
    eps = 1e-5
    for k in range(32):
        e = np.zeros(32)
        e[k] = eps
        gp = np.concatenate([g.ravel() for g in full_grad(*split(th + e), X, Y)])
        gm = np.concatenate([g.ravel() for g in full_grad(*split(th - e), X, Y)])
        tr += (gp[k] - gm[k]) / (2 * eps)
    return tr


def gd(W, U, X, Y, eta, steps, every=0, rec=None):
    for t in range(steps):
        if rec is not None and every and t % every == 0:
            rec(t, W, U)
        gW, gU = full_grad(W, U, X, Y)
        W, U = W - eta * gW, U - eta * gU
    if rec is not None:
        rec(steps, W, U)
    return W, U


def sgd(W, U, X, Y, eta, batches, every=100, rec=None):
    T = len(batches)
    for t in range(T):
        if rec is not None and t % every == 0:
            rec(t, W, U)
        i = batches[t]
        x = X[i]
        z = W @ x
        r = U @ z - Y[i]
        gU = 2 * np.outer(r, z)
        gW = 2 * np.outer(U.T @ r, x)
        W, U = W - eta * gW, U - eta * gU
    if rec is not None:
        rec(T, W, U)
    return W, U


def late_mean(track, total, frac=0.2):
    v = [x for t, x in track.items() if t >= (1 - frac) * total]
    return float(np.mean(v))


def java_sym(runs, rid):
    out = {}
    with open(os.path.join(runs, rid, "diagnostics", "symmetry.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            out.setdefault(r["step"], r)
    return out


def load(exp, key):
    z = np.load(exp + "/s4.npz")
    return z["theta0"], z[key + "_X"], z[key + "_Y"], z["batches"].astype(int).reshape(-1)


def mode_same(exp, runs, keys):
    for key in keys:
        th0, X, Y, bt = load(exp, key)
        W0, U0 = split(th0)
        W1, U1 = gd(W0, U0, X, Y, ETA1, PHASE1)
        pj = np.load(os.path.join(runs, f"S4-{key}-phase1-gd", "params.npz"))
        print(f"[{key}] phase 1 (GD on all 400 samples here; Java on its 8-row moment reduction): "
              f"max |W - W_java| {np.max(np.abs(W1 - pj['W'])):.2e}, max |U - U_java| {np.max(np.abs(U1 - pj['U'])):.2e}, "
              f"loss {loss(W1, U1, X, Y):.6f}")
        rho0, trh0, trs0 = stats(W1, U1, X, Y)
        print(f"[{key}] phase-1 end: rho {rho0:.6f} Tr H {trh0:.6f} (finite differences {dense_trace_h(W1, U1, X, Y):.6f}) "
              f"Tr Sigma {trs0:.6f}")
        T = len(bt)
        tr_s = {}
        tr_g = {}

        def rs(t, W, U):
            tr_s[t] = stats(W, U, X, Y)

        def rg(t, W, U):
            tr_g[t] = stats(W, U, X, Y)

        # start phase 2 from Java's phase-1 end point so that the phase-2 comparison is step for step
        Ws, Us = split(np.concatenate([pj["W"].ravel(), pj["U"].ravel()]))
        sgd(Ws, Us, X, Y, ETA2, bt, rec=rs)
        gd(Ws, Us, X, Y, ETA2, T, every=100, rec=rg)
        js = java_sym(runs, f"S4-{key}-phase2-sgd")
        jg = java_sym(runs, f"S4-{key}-phase2-gd")
        for lab, mine, jav in (("SGD", tr_s, js), ("GD ", tr_g, jg)):
            d_early = max(abs(mine[t][0] - jav[t]["noise_imbalance"]) / jav[t]["noise_imbalance"] for t in mine
                          if t <= 10000 and t in jav)
            d_all = max(abs(mine[t][0] - jav[t]["noise_imbalance"]) / jav[t]["noise_imbalance"] for t in mine if t in jav)
            h_all = max(abs(mine[t][1] - jav[t]["trace_h"]) / jav[t]["trace_h"] for t in mine if t in jav)
            s_all = max(abs(mine[t][2] - jav[t]["noise_trace"]) / jav[t]["noise_trace"] for t in mine if t in jav)
            print(f"[{key}] {lab} rho vs Java: max rel diff {d_early:.1e} (steps <= 1e4), {d_all:.1e} (all); Tr H "
                  f"{h_all:.1e}; Tr Sigma {s_all:.1e}")
        rs_ = late_mean({t: v[0] for t, v in tr_s.items()}, T)
        rg_ = late_mean({t: v[0] for t, v in tr_g.items()}, T)
        jrs = late_mean({t: v["noise_imbalance"] for t, v in js.items()}, T)
        jrg = late_mean({t: v["noise_imbalance"] for t, v in jg.items()}, T)
        hs = late_mean({t: v[1] for t, v in tr_s.items()}, T)
        hg = late_mean({t: v[1] for t, v in tr_g.items()}, T)
        print(f"[{key}] late 20 %: rho_SGD {rs_:.4f} (Java {jrs:.4f}), rho_GD {rg_:.4f} (Java {jrg:.4f}), ratio "
              f"{rs_ / rg_:.3f}; SY8 applies: {rg_ > 0.1}, passes: {rs_ <= 0.3 * rg_}; Tr H SGD {hs:.3f} GD {hg:.3f}")


def orbit_equilibrium(W, U, X, Y, iters=4000, lr=0.02):
    """Minimise Tr Sigma(e^B W, U e^-B) over symmetric B (Q15.3/Q15.6) by gradient descent with numerical gradients."""
    def f(Bv):
        B = np.zeros((4, 4))
        B[np.triu_indices(4)] = Bv
        B = B + B.T - np.diag(np.diag(B))
        w, V = np.linalg.eigh(B)
        E = V @ np.diag(np.exp(w)) @ V.T
        Ei = V @ np.diag(np.exp(-w)) @ V.T
        return stats(E @ W, U @ Ei, X, Y)[2], E @ W, U @ Ei

    b = np.zeros(10)
    for it in range(iters):
        g = np.zeros(10)
        for k in range(10):
            e = np.zeros(10)
            e[k] = 1e-6
            g[k] = (f(b + e)[0] - f(b - e)[0]) / 2e-6
        b -= lr * g / max(1.0, np.linalg.norm(g))
        if np.linalg.norm(g) < 1e-8:
            break
    v, We, Ue = f(b)
    return We, Ue, v


def mode_long(exp, runs, key, steps, floor):
    th0, X, Y, _ = load(exp, key)
    pj = np.load(os.path.join(runs, f"S4-{key}-phase1-gd", "params.npz"))
    W1, U1 = pj["W"].copy(), pj["U"].copy()
    rho_gd = stats(W1, U1, X, Y)[0]
    if floor:
        W1, U1, v = orbit_equilibrium(W1, U1, X, Y)
        print(f"[{key}] orbit minimum of Tr Sigma through the GD point: Tr Sigma {v:.4f}, rho there "
              f"{stats(W1, U1, X, Y)[0]:.5f} (GD point rho {rho_gd:.4f}), Tr H {stats(W1, U1, X, Y)[1]:.3f}")
    rng = np.random.default_rng(11)
    bt = rng.integers(0, N, steps)
    tr = {}
    sgd(W1, U1, X, Y, ETA2, bt, every=500, rec=lambda t, W, U: tr.__setitem__(t, stats(W, U, X, Y)))
    for a in range(0, 10):
        lo, hi = a * steps // 10, (a + 1) * steps // 10
        seg = [v for t, v in tr.items() if lo <= t < hi]
        print(f"[{key}] steps [{lo:7d}, {hi:7d}): mean rho {np.mean([s[0] for s in seg]):.4f}, mean Tr H "
              f"{np.mean([s[1] for s in seg]):.3f}, mean Tr Sigma {np.mean([s[2] for s in seg]):.3f}")
    print(f"[{key}] rho_GD (phase-1 end) {rho_gd:.4f}; 0.3 rho_GD = {0.3 * rho_gd:.4f}")


def mode_average(exp, runs, key, steps):
    _, X, Y, bt = load(exp, key)
    pj = np.load(os.path.join(runs, f"S4-{key}-phase1-gd", "params.npz"))
    W, U = pj["W"].copy(), pj["U"].copy()
    n = X.shape[0]

    def blocks(W, U):
        Z = X @ W.T
        R = Z @ U.T - Y
        gW = 2 * np.einsum("ha,na,nd->nhd", U.T, R, X)
        gU = 2 * np.einsum("no,nh->noh", R, Z)
        mW = gW.mean(0)
        mU = gU.mean(0)
        SWu = np.einsum("nhd,nkd->hk", gW, gW) / n
        SUu = np.einsum("noh,nok->hk", gU, gU) / n
        return SWu - mW @ mW.T, SUu - mU.T @ mU, SWu, SUu

    def rho(a, b):
        return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))

    b = np.concatenate([bt, np.random.default_rng(5).integers(0, n, max(0, steps - len(bt)))])
    acc = []
    for t in range(steps + 1):
        if t % 100 == 0 and t >= 0.2 * steps:
            acc.append(blocks(W, U))
        if t == steps:
            break
        x = X[b[t]]
        z = W @ x
        r = U @ z - Y[b[t]]
        W, U = W - ETA2 * 2 * np.outer(U.T @ r, x), U - ETA2 * 2 * np.outer(r, z)
    A = [np.mean([a[k] for a in acc], 0) for k in range(4)]
    print(f"[{key}] window: the last 80 % of {steps} SGD steps (the first {len(bt)} on the Java batch indices)")
    print(f"  mean instantaneous rho (centred, the spec's estimator): {np.mean([rho(a[0], a[1]) for a in acc]):.4f}")
    print(f"  mean instantaneous rho (uncentred): {np.mean([rho(a[2], a[3]) for a in acc]):.4f}")
    print(f"  rho of the time-averaged centred blocks: {rho(A[0], A[1]):.4f}")
    print(f"  rho of the time-averaged uncentred blocks: {rho(A[2], A[3]):.4f}")


if __name__ == "__main__":
    if sys.argv[1] == "average":
        mode_average(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif sys.argv[1] == "same":
        mode_same(sys.argv[2], sys.argv[3], sys.argv[4:] or CONFIGS)
    else:
        mode_long(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[1] == "floor")
