#!/usr/bin/env python3
"""Independent NumPy oracle for symmetry S3 (STUDIES.md §6.3 on the SF1 runs of §7.1): law of balance in a DLN.

Written from the spec text, not from the Java code:
  n = 20, d = 30, r = 3, X ~ N(0, I), theta* = |N(0,1)| on r coordinates normalised to 1, y = X theta*;
  beta = u * v, loss c = 1/2: L = ||X beta - y||^2 / (2n); init u_0 = 0.1 * 1, v_0 = 0;
  SGD: batch 1 iid-with-replacement, err = x_i^T (u*v) - y_i, u <- u - eta err x*v, v <- v - eta err x*u (simultaneous);
  eta = 0.8 eta_crit, divided by 3 after the update at floor(N/2), N = 1e4 + 1 updates;
  eta_crit (Q17): smallest constant eta at which SGD diverges within K = 2000 steps (non-finite, max|theta| > 1e6, or the
  full training loss > 10 at steps divisible by 50 and at K); bracket from 2/lambda_max(H(theta_0)) by halving/doubling,
  then 12 bisection steps, eta_crit = eta_hi; every probe uses the same batches (bisection stream) and theta_0;
  GD ("GF"): eta = 0.03, N updates; balancedness = || |u| - |v| ||_2 (Q15.4); charges C_i = u_i^2 - v_i^2 obey
  C_i(t+1) = (1 - eta^2 g_i^2) C_i(t), g_i = d l_batch / d beta_i.
Gates: SY6 median final balancedness of SGD <= 1e-6 (diverged = +inf); SY7 median final balancedness of GD >= 0.5 x 0.1 sqrt(30).

usage: symmetry_s3.py EXPORT_DIR [RUNS_DIR]   (RUNS_DIR = the Java study's runs/ directory, for the comparison)
       symmetry_s3.py EXPORT_DIR RUNS_DIR nu N   (what-if: the same runs at another nu / length; not a spec setting)
       symmetry_s3.py authors K                  (what-if: the authors' diag_nets.ipynb setting n = 80, d = 200, r = 20,
                                                  N = 1e5 + 1, SGD batch 1 at constant 0.25 and at 0.282 / 4.8 after 10 %,
                                                  on K NumPy data draws; their notebook printed 1.6e-4 and 8.9e-24)
       symmetry_s3.py etacrit K                  (the distribution of eta_crit over K NumPy data draws of the SF1 setup)
"""
import json
import os
import re
import sys

import numpy as np

N_STEPS = 10001
K = 2000


def full_loss(u, v, X, y):
    r = X @ (u * v) - y
    return float(r @ r / (2 * len(y)))


def hess0(u, v, X, y):
    """Dense Hessian of L = ||X(u*v) - y||^2/(2n) in (u, v)."""
    n, d = X.shape
    G = X.T @ X / n
    e = X.T @ (X @ (u * v) - y) / n
    Huu = np.outer(v, v) * G
    Hvv = np.outer(u, u) * G
    Huv = np.outer(v, u) * G + np.diag(e)
    return np.block([[Huu, Huv], [Huv.T, Hvv]])


def sgd(u, v, X, y, batches, eta_of_t, steps, eval_every, loss_bound=10.0, param_bound=1e6, record=None):
    """Returns (u, v, status, t_end, sum_t eta^2 g_t^2 per coordinate)."""
    u = u.copy()
    v = v.copy()
    acc = np.zeros_like(u)
    for t in range(steps + 1):
        if record is not None:
            record(t, u, v)
        if not (np.all(np.isfinite(u)) and np.all(np.isfinite(v))):
            return u, v, "diverged", t, acc
        if max(np.max(np.abs(u)), np.max(np.abs(v))) > param_bound:
            return u, v, "diverged", t, acc
        if t % eval_every == 0 or t == steps:
            L = full_loss(u, v, X, y)
            if not np.isfinite(L) or L > loss_bound:
                return u, v, "diverged", t, acc
        if t == steps:
            break
        i = batches[t]
        x = X[i]
        err = x @ (u * v) - y[i]
        if not np.isfinite(err):
            return u, v, "diverged", t, acc
        eta = eta_of_t(t)
        g = err * x
        acc += eta * eta * g * g
        u, v = u - eta * g * v, v - eta * g * u
    return u, v, "completed", steps, acc


def bisect(u0, v0, X, y, probe_batches):
    eta0 = 2.0 / np.linalg.eigvalsh(hess0(u0, v0, X, y))[-1]
    trials = []

    def div(eta):
        s = sgd(u0, v0, X, y, probe_batches, lambda t: eta, K, 50)[2] == "diverged"
        trials.append((eta, s))
        return s

    if div(eta0):
        hi, lo, eta = eta0, None, eta0
        while lo is None:
            eta /= 2
            if div(eta):
                hi = eta
            else:
                lo = eta
    else:
        lo, hi, eta = eta0, None, eta0
        while hi is None:
            eta *= 2
            if div(eta):
                hi = eta
            else:
                lo = eta
    for _ in range(12):
        mid = 0.5 * (lo + hi)
        if div(mid):
            hi = mid
        else:
            lo = mid
    return hi, lo, eta0, trials


def balancedness(u, v):
    return float(np.linalg.norm(np.abs(u) - np.abs(v)))


def java_eta(runs, s):
    with open(os.path.join(runs, f"S3-seed{s}-sgd", "spec.yaml")) as f:
        txt = f.read().replace("\\\n", "").replace("\n  ", " ")
    return float(re.search(r"eta=([0-9.eE+-]+)", txt).group(1))


def java_track(runs, rid):
    out = {}
    with open(os.path.join(runs, rid, "diagnostics", "dln.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            out[r["step"]] = r["balancedness"]
    losses = {}
    with open(os.path.join(runs, rid, "metrics.csv")) as f:
        head = f.readline().strip().split(",")
        ci = {k: i for i, k in enumerate(head)}
        for line in f:
            c = line.strip().split(",")
            if c[ci["train_loss"]]:
                losses[int(c[ci["step"]])] = float(c[ci["train_loss"]])
    return out, losses


def main():
    exp = sys.argv[1]
    runs = sys.argv[2] if len(sys.argv) > 2 else None
    nu = float(sys.argv[3]) if len(sys.argv) > 3 else 0.8
    n_steps = int(sys.argv[4]) if len(sys.argv) > 4 else N_STEPS
    half = n_steps // 2
    init_bal = 0.1 * np.sqrt(30)
    rows = []
    for s in range(8):
        z = np.load(f"{exp}/s3_seed{s}.npz")
        X, y = z["X"], z["y"].reshape(-1)
        Xt, yt = z["Xt"], z["yt"].reshape(-1)
        bt = z["batches"].astype(int).reshape(-1)
        if n_steps > len(bt):
            bt = np.concatenate([bt, np.random.default_rng(s).integers(0, 20, n_steps - len(bt))])
        pb = z["probe_batches"].astype(int).reshape(-1)
        u0 = np.full(30, 0.1)
        v0 = np.zeros(30)
        ec, elo, e0, trials = bisect(u0, v0, X, y, pb)
        eta = nu * ec
        bal = {}
        loss = {}

        def rec(t, u, v):
            if t % 100 == 0 or t == n_steps:
                bal[t] = balancedness(u, v)
                loss[t] = full_loss(u, v, X, y)

        u, v, st, tend, acc = sgd(u0, v0, X, y, bt, lambda t: eta if t <= half else eta / 3, n_steps, 100, record=rec)
        ug, vg = gd(u0, v0, X, y, n_steps)
        r = dict(seed=s, eta_crit=ec, eta0=e0, probes=len(trials), status=st,
                 bal=balancedness(u, v) if st == "completed" else np.inf,
                 bal_half=bal.get(half - half % 100, np.nan), loss=full_loss(u, v, X, y) if st == "completed" else np.inf,
                 test=float(np.mean((Xt @ (u * v) - yt) ** 2) / 2), gd_bal=balancedness(ug, vg),
                 loss100=loss.get(100, np.nan), acc_med=float(np.median(acc)), acc_min=float(np.min(acc)))
        if runs is not None:
            je = java_eta(runs, s)
            r["java_eta_crit"] = je / 0.8
            if abs(je / 0.8 - ec) / ec < 1e-12 and nu == 0.8:
                jb, jl = java_track(runs, f"S3-seed{s}-sgd")
                common = [t for t in jb if t in bal]
                r["max_rel_bal_diff"] = max(abs(jb[t] - bal[t]) / max(bal[t], 1e-300) for t in common) if common else np.nan
                r["max_rel_bal_diff_first_1000"] = max(abs(jb[t] - bal[t]) / max(bal[t], 1e-300)
                                                       for t in common if t <= 1000) if common else np.nan
                jlc = [t for t in jl if t in loss]
                r["max_rel_loss_diff_first_1000"] = max(abs(jl[t] - loss[t]) / max(loss[t], 1e-300)
                                                        for t in jlc if t <= 1000) if jlc else np.nan
                jgb, _ = java_track(runs, f"S3-seed{s}-gd")
                r["java_gd_bal"] = jgb[max(jgb)]
        rows.append(r)
        print(json.dumps(r), flush=True)
    bals = np.array([r["bal"] for r in rows])
    print(f"nu = {nu}, N = {n_steps}: eta_crit {[round(r['eta_crit'], 4) for r in rows]}")
    print(f"SY6: median final SGD balancedness {np.median(bals):.4g} (<= 1e-6: {np.median(bals) <= 1e-6}); per seed "
          f"{[float('%.4g' % b) for b in bals]}; diverged {sum(r['status'] != 'completed' for r in rows)}")
    print(f"     median balancedness at N/2 {np.nanmedian([r['bal_half'] for r in rows]):.4g}; median final train loss "
          f"{np.median([r['loss'] for r in rows]):.3g}; median over seeds of median_i sum_t eta^2 g_i^2 "
          f"{np.median([r['acc_med'] for r in rows]):.3g} (ln(C_i(0)/C_i(N)) ~ this for small steps)")
    gb = np.array([r["gd_bal"] for r in rows])
    print(f"SY7: median final GD balancedness {np.median(gb):.4g} (>= {0.5 * init_bal:.4g}: {np.median(gb) >= 0.5 * init_bal})")


def gd(u, v, X, y, steps, eta=0.03):
    u = u.copy()
    v = v.copy()
    n = len(y)
    for _ in range(steps):
        e = X.T @ (X @ (u * v) - y) / n
        u, v = u - eta * e * v, v - eta * e * u
    return u, v


def authors(K):
    n, d, r, steps = 80, 200, 20, 100001
    for k in range(K):
        rng = np.random.default_rng(100 + k)
        th = np.zeros(d)
        th[:r] = np.abs(rng.normal(size=r))
        th /= np.linalg.norm(th)
        X = rng.normal(size=(n, d))
        y = X @ th
        bt = rng.integers(0, n, steps)
        out = []
        for lab, sched in (("constant 0.25", lambda t: 0.25), ("0.282, /4.8 after 10 %", lambda t: 0.282 if t <= steps // 10
                                                                 else 0.282 / 4.8)):
            u, v, st, _, _ = sgd(np.full(d, 0.1), np.zeros(d), X, y, bt, sched, steps, 1000)
            out.append(f"{lab}: {st} balancedness {balancedness(u, v) if st == 'completed' else float('inf'):.3g} "
                       f"train {full_loss(u, v, X, y) if st == 'completed' else float('inf'):.3g}")
        print(f"draw {k}: " + "; ".join(out), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "authors":
        authors(int(sys.argv[2]))
    elif sys.argv[1] == "etacrit":
        ecs = []
        for k in range(int(sys.argv[2])):
            rng = np.random.default_rng(500 + k)
            th = np.zeros(30)
            th[:3] = np.abs(rng.normal(size=3))
            th /= np.linalg.norm(th)
            X = rng.normal(size=(20, 30))
            ecs.append(bisect(np.full(30, 0.1), np.zeros(30), X, X @ th, rng.integers(0, 20, K))[0])
        print("eta_crit over NumPy draws: " + ", ".join(f"{e:.3f}" for e in sorted(ecs)))
        print(f"median {np.median(ecs):.3f}; quartiles {np.percentile(ecs, 25):.3f}-{np.percentile(ecs, 75):.3f}")
    else:
        main()
