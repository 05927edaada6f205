#!/usr/bin/env python3
"""Independent NumPy oracle for symmetry S5 (STUDIES.md §6.5): warmup through the noise equilibrium.

Written from the spec text, not from the Java code:
  f(x) = u^T W x, d = h = 20, n = 400, x ~ N(0, I), y = beta^T x + 0.5 eps, beta ~ N(0, I/d), eps ~ N(0, 1);
  loss c = 1: L = (1/n) sum_i (f(x_i) - y_i)^2 (batch loss: the same mean over the batch);
  Kaiming init W ~ N(0, 2/d), u ~ N(0, 2/h); batch S = 32 independent-without-replacement; 4e4 steps;
  linear-ramp eta_t = 0.002 + (eta_big - 0.002) min(1, t/3e4), eta_big = 0.3 (quick variant);
  "minimum loss" = min_w (1/n) ||X w - y||^2; lambda_max = top eigenvalue of the exact (dense) Hessian of L.
Gates checked: SY15 final loss <= 1.3 x minimum; SY18 lambda_max(end) < 2/eta_big.

Modes
  same   : the data, theta_0 and batch indices exported from Java (symmetry_export.java), compared step by step with
           the Java run directory's metrics.csv (param_norm every step, train_loss every 200 steps) and its final
           parameters and sharpness.
  seeds  : K independent NumPy draws (data, init, batches) of the same configuration: how often do the end-point
           gates hold? (calibration evidence; NumPy streams, not Java's)
  batches: the Java data and theta_0 with K independent NumPy batch sequences.

usage: symmetry_s5.py same EXPORT_DIR RUN_DIR | seeds K | batches EXPORT_DIR K
"""
import json
import sys

import numpy as np

D = H = 20
N = 400
STEPS = 40000
RAMP = 30000
ETA0 = 0.002
ETA_BIG = 0.3
B = 32


def lr(t, eta_big=ETA_BIG):
    return ETA0 + (eta_big - ETA0) * min(1.0, t / RAMP)


def loss(W, u, X, y):
    r = X @ W.T @ u - y
    return float(np.mean(r ** 2))


def hessian(W, u, X, y):
    """Dense Hessian of L = (1/n) sum_i (u^T W x_i - y_i)^2 in the order (vec W row-major, u)."""
    n = X.shape[0]
    r = X @ W.T @ u - y                         # [n]
    JW = u[None, :, None] * X[:, None, :]       # d r_i / d W_ab = u_a x_ib  -> [n, h, d]
    Ju = X @ W.T                                # d r_i / d u_a = (W x_i)_a   -> [n, h]
    J = np.concatenate([JW.reshape(n, -1), Ju], axis=1)
    Hm = 2.0 / n * J.T @ J
    # residual term: d^2 r_i / dW_ab du_c = delta_ac x_ib
    G = 2.0 / n * (r @ X)                       # sum_i r_i x_ib * 2/n  -> [d]
    p = H * D
    for a in range(H):
        Hm[a * D:(a + 1) * D, p + a] += G
        Hm[p + a, a * D:(a + 1) * D] += G
    return Hm


def lam_max(W, u, X, y):
    return float(np.linalg.eigvalsh(hessian(W, u, X, y))[-1])


def min_loss(X, y):
    w, *_ = np.linalg.lstsq(X, y, rcond=None)
    return float(np.mean((X @ w - y) ** 2))


def sgd(W, u, X, y, batches, eta_big=ETA_BIG, record=None):
    """SGD with the ramp; batches[t] = indices of step t. record(t, W, u) is called before update t and at the end."""
    W = W.copy()
    u = u.copy()
    T = batches.shape[0]
    for t in range(T):
        if record is not None:
            record(t, W, u)
        idx = batches[t]
        Xb = X[idx]
        yb = y[idx]
        z = Xb @ W.T                             # [B, h]
        r = z @ u - yb                           # [B]
        g_u = 2.0 / len(idx) * (z.T @ r)         # [h]
        g_W = 2.0 / len(idx) * np.outer(u, Xb.T @ r)   # [h, d]
        e = lr(t, eta_big)
        W, u = W - e * g_W, u - e * g_u
        if not np.all(np.isfinite(W)):
            return W, u, t
    if record is not None:
        record(T, W, u)
    return W, u, T


def gd(W, u, X, y, steps=STEPS, eta_big=ETA_BIG):
    W = W.copy()
    u = u.copy()
    n = X.shape[0]
    for t in range(steps):
        z = X @ W.T
        r = z @ u - y
        g_u = 2.0 / n * (z.T @ r)
        g_W = 2.0 / n * np.outer(u, X.T @ r)
        e = lr(t, eta_big)
        W, u = W - e * g_W, u - e * g_u
    return W, u


def stable_rank(W):
    s = np.linalg.svd(W, compute_uv=False)
    return float(np.sum(s ** 2) / s[0] ** 2)


def finals(W, u, X, y, m):
    return dict(loss=loss(W, u, X, y), ratio=loss(W, u, X, y) / m, normW=float(np.linalg.norm(W)),
                srank=stable_rank(W), lam=lam_max(W, u, X, y))


def mode_same(exp, rundir):
    z = np.load(exp + "/s5.npz")
    X, y, th0, bt = z["X"], z["y"].reshape(-1), z["theta0"], z["batches"].astype(int)
    W0 = th0[:H * D].reshape(H, D)
    u0 = th0[H * D:]
    m = min_loss(X, y)
    print(f"data: n={X.shape[0]} d={X.shape[1]}; mean x {X.mean():.3f} var x {X.var():.3f}; least-squares minimum {m:.6f} "
          f"(expected ~0.25(1-d/n) = {0.25 * (1 - D / N):.4f})")
    print(f"init: ||W||_F {np.linalg.norm(W0):.4f} (expected ~{np.sqrt(H * D * 2 / D):.2f}), ||u|| {np.linalg.norm(u0):.4f}, "
          f"srank {stable_rank(W0):.3f}, lambda_max {lam_max(W0, u0, X, y):.6f}")
    # Java metrics
    jn = {}
    jl = {}
    with open(rundir + "/metrics.csv") as f:
        head = f.readline().strip().split(",")
        ci = {k: i for i, k in enumerate(head)}
        for line in f:
            c = line.strip().split(",")
            t = int(c[ci["step"]])
            if c[ci["param_norm"]]:
                jn[t] = float(c[ci["param_norm"]])
            if c[ci["train_loss"]]:
                jl[t] = float(c[ci["train_loss"]])
    my_n = {}
    my_l = {}

    def rec(t, W, u):
        my_n[t] = float(np.sqrt(np.sum(W ** 2) + np.sum(u ** 2)))
        if t % 200 == 0 or t == STEPS:
            my_l[t] = loss(W, u, X, y)

    W, u, T = sgd(W0, u0, X, y, bt, record=rec)
    print("step      |theta| java            numpy              rel.diff    loss java          numpy              rel.diff")
    for t in [1, 10, 100, 200, 1000, 2000, 5000, 10000, 20000, 30000, 31000, 35000, 39000, 40000]:
        ln = abs(jn[t] - my_n[t]) / jn[t]
        s = f"{t:6d}  {jn[t]:.15f}  {my_n[t]:.15f}  {ln:.1e}"
        if t in jl and t in my_l:
            s += f"  {jl[t]:.15f}  {my_l[t]:.15f}  {abs(jl[t] - my_l[t]) / jl[t]:.1e}"
        print(s)
    worst = max(abs(jn[t] - my_n[t]) / jn[t] for t in range(0, 1001))
    print(f"max rel. diff of |theta_t| over steps 0..1000: {worst:.2e}; over all steps: "
          f"{max(abs(jn[t] - my_n[t]) / jn[t] for t in jn if t in my_n):.2e}")
    pj = np.load(rundir + "/params.npz")
    Wj, uj = pj["W"], pj["U"].reshape(-1)
    print(f"final params: max |W_java - W_numpy| {np.max(np.abs(Wj - W)):.2e}, max |u_java - u_numpy| "
          f"{np.max(np.abs(uj - u)):.2e}")
    f = finals(W, u, X, y, m)
    print("numpy end point: loss {loss:.6f} ratio {ratio:.4f} (SY15 <= 1.3) ||W|| {normW:.4f} srank {srank:.4f} "
          "lambda_max {lam:.4f} (SY18 < {thr:.4f})".format(thr=2 / ETA_BIG, **f))
    fj = finals(Wj, uj, X, y, m)
    print("java end point (dense numpy Hessian at Java's final params): loss {loss:.6f} ratio {ratio:.4f} "
          "lambda_max {lam:.6f}".format(**fj))
    with open(rundir + "/diagnostics/sharpness.jsonl") as fh:
        for line in fh:
            r = json.loads(line)
            if r["step"] == STEPS:
                print(f"java Lanczos sharpness at the end: {r['sharpness']:.6f}")
    # late-window statistics of the NumPy trajectory (same as the Java report's evidence)
    late = [my_l[t] / m for t in my_l if t >= 0.8 * STEPS]
    print(f"late 20 % (every 200 steps): mean loss ratio {np.mean(late):.4f}, fraction within 1.3x "
          f"{np.mean(np.array(late) <= 1.3):.3f}")
    W_gd, u_gd = gd(W0, u0, X, y)
    g = finals(W_gd, u_gd, X, y, m)
    print("GD + warmup: loss {loss:.6f} ||W|| {normW:.4f} srank {srank:.4f} lambda_max {lam:.4f}".format(**g))


def run_many(X, y, W0, u0, rng, K):
    """K SGD + warmup runs with independent NumPy batch sequences; returns the finals and late-window stats."""
    out = []
    m = min_loss(X, y)
    for k in range(K):
        bt = np.stack([rng.choice(N, B, replace=False) for _ in range(STEPS)])
        late = []

        def rec(t, W, u):
            if t >= 0.8 * STEPS and t % 200 == 0:
                late.append(loss(W, u, X, y) / m)

        W, u, T = sgd(W0, u0, X, y, bt, record=rec)
        if T < STEPS:
            out.append(None)
            continue
        f = finals(W, u, X, y, m)
        f["late_mean"] = float(np.mean(late))
        f["late_frac"] = float(np.mean(np.array(late) <= 1.3))
        out.append(f)
    return out


def summarise(rows):
    ok = [r for r in rows if r is not None]
    print(" k   end ratio  late mean  late frac<=1.3   lambda_max  ||W||   srank   SY15  SY18")
    for i, r in enumerate(rows):
        if r is None:
            print(f"{i:2d}  diverged")
            continue
        print(f"{i:2d}   {r['ratio']:.4f}     {r['late_mean']:.4f}      {r['late_frac']:.3f}          {r['lam']:.4f}    "
              f"{r['normW']:.3f}   {r['srank']:.3f}   {'PASS' if r['ratio'] <= 1.3 else 'FAIL'}  "
              f"{'PASS' if r['lam'] < 2 / ETA_BIG else 'FAIL'}")
    print(f"SY15 passes in {sum(r['ratio'] <= 1.3 for r in ok)} of {len(rows)}; SY18 in "
          f"{sum(r['lam'] < 2 / ETA_BIG for r in ok)} of {len(rows)}; both in "
          f"{sum(r['ratio'] <= 1.3 and r['lam'] < 2 / ETA_BIG for r in ok)}; median end ratio "
          f"{np.median([r['ratio'] for r in ok]):.4f}, median late mean {np.median([r['late_mean'] for r in ok]):.4f}, "
          f"median lambda_max {np.median([r['lam'] for r in ok]):.4f}")


def mode_seeds(K):
    rows = []
    for k in range(K):
        rng = np.random.default_rng(1000 + k)
        beta = rng.normal(0, 1 / np.sqrt(D), D)
        X = rng.normal(size=(N, D))
        y = X @ beta + 0.5 * rng.normal(size=N)
        W0 = rng.normal(0, np.sqrt(2 / D), (H, D))
        u0 = rng.normal(0, np.sqrt(2 / H), H)
        rows += run_many(X, y, W0, u0, rng, 1)
    summarise(rows)


def mode_batches(exp, K):
    z = np.load(exp + "/s5.npz")
    X, y, th0 = z["X"], z["y"].reshape(-1), z["theta0"]
    summarise(run_many(X, y, th0[:H * D].reshape(H, D), th0[H * D:], np.random.default_rng(7), K))


if __name__ == "__main__":
    if sys.argv[1] == "same":
        mode_same(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "seeds":
        mode_seeds(int(sys.argv[2]))
    else:
        mode_batches(sys.argv[2], int(sys.argv[3]))
