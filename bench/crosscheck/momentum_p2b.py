#!/usr/bin/env python3
"""Independent NumPy oracle for momentum-catapult P2-B (STUDIES.md 5.2), written from the spec text.

Spec: f(x) = <u*u - v*v, x>; n = 50, d = 100, x ~ N(0, I), w* = 1 on the first 5 coordinates, y = X w*; init
u = v = alpha 1 (alpha = 1); loss L = (1/2n) ||X (u*u - v*v) - y||^2 (c = 1/2); exact dense 200 x 200 Hessian;
S_0 = lambda_1(H(theta_0)); eta = nu 2(1 + beta)/S_0; polyak (Q3.3) theta_{t+1} = theta_t - eta_t grad L(theta_t)
+ beta (theta_t - theta_{t-1}), theta_{-1} = theta_0 (GD: beta = 0) with linear warmup eta_t = eta min(1, (t + 1)/T_w),
T_w = 500, T = 20,000; divergence (Q4): non-finite, or max|theta| > 1e6. S_final = lambda_1(H(theta_T)) (dense,
numpy eigvalsh); theta = 2(1 + beta)/eta = S_0/nu. "Converged" as in the study: not diverged and L(theta_T) <= 1e-6 L_0.

Hessian (derived by hand): with r = X w - y, A = X^T X/n, g = X^T r/n,
  H_uu = 4 diag(u) A diag(u) + 2 diag(g),  H_vv = 4 diag(v) A diag(v) - 2 diag(g),  H_uv = -4 diag(u) A diag(v).

Usage:
  momentum_p2b.py --data p2b_seed0.npz [--nu 1.1,1.7,1.8] [--java-runs DIR]   data exported from sgdlab
  momentum_p2b.py --numpy-draw 3 [--nu ...]                                 a fresh NumPy draw (default_rng(3))
With --java-runs (a study --out DIR/runs), the loss L(theta_t) of each run is compared step by step with sgdlab's
metrics.csv (batch_loss column; train_loss at the last row).
"""
import argparse
import csv
import math
import os

import numpy as np


class Dln:
    def __init__(self, X, y):
        self.X, self.y = X, y.reshape(-1)
        self.n, self.d = X.shape
        self.A = X.T @ X / self.n

    def loss_grad(self, th):
        u, v = th[:self.d], th[self.d:]
        r = self.X @ (u * u - v * v) - self.y
        g = self.X.T @ r / self.n
        return 0.5 * np.dot(r, r) / self.n, np.concatenate([2 * u * g, -2 * v * g])

    def hessian(self, th):
        u, v = th[:self.d], th[self.d:]
        r = self.X @ (u * u - v * v) - self.y
        g = self.X.T @ r / self.n
        H = np.empty((2 * self.d, 2 * self.d))
        H[:self.d, :self.d] = 4 * u[:, None] * self.A * u[None, :] + np.diag(2 * g)
        H[self.d:, self.d:] = 4 * v[:, None] * self.A * v[None, :] - np.diag(2 * g)
        H[:self.d, self.d:] = -4 * u[:, None] * self.A * v[None, :]
        H[self.d:, :self.d] = H[:self.d, self.d:].T
        return H

    def sharpness(self, th):
        return float(np.linalg.eigvalsh(self.hessian(th))[-1])


def train(model, th0, eta, beta, tw, steps):
    th_prev, th = th0.copy(), th0.copy()
    losses = []
    for t in range(steps + 1):
        loss, g = model.loss_grad(th)
        losses.append(loss)
        if not (math.isfinite(loss) and np.all(np.isfinite(th))):
            return "diverged", t, losses, th
        if np.max(np.abs(th)) > 1e6:
            return "diverged", t, losses, th
        if t == steps:
            break
        eta_t = eta * min(1.0, (t + 1) / tw)
        th_prev, th = th, th - eta_t * g + beta * (th - th_prev)
    return "completed", steps, losses, th


def java_losses(run_dir):
    if not os.path.isdir(run_dir):
        return None
    with open(os.path.join(run_dir, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    out = {}
    for r in rows:
        v = r["batch_loss"] or r["train_loss"]
        out[int(r["step"])] = float(v) if v else float("nan")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    ap.add_argument("--numpy-draw", type=int)
    ap.add_argument("--nu", default=",".join(f"{k / 10:.1f}" for k in range(11, 26)))
    ap.add_argument("--steps", type=int, default=20000)
    ap.add_argument("--warmup", type=int, default=500)
    ap.add_argument("--java-runs")
    a = ap.parse_args()
    if a.data:
        z = np.load(a.data)
        X, y, src, s0j = z["X"], z["y"], a.data, f"{float(z['s0'][0]):.10f}"
    else:
        X = np.random.default_rng(a.numpy_draw).standard_normal((50, 100))
        w = np.zeros(100)
        w[:5] = 1
        y, src, s0j = X @ w, f"numpy draw {a.numpy_draw}", "-"
    model = Dln(X, y)
    th0 = np.ones(2 * model.d)
    s0 = model.sharpness(th0)
    l0 = model.loss_grad(th0)[0]
    print(f"{src}: S_0 = {s0:.10f} (sgdlab {s0j}; reference run 43.49), L_0 = {l0:.6f}")
    print("nu   group   eta       status           final loss  S_final   S_final/theta  conv  | vs sgdlab")
    for nu_s in a.nu.split(","):
        nu = float(nu_s)
        for group, beta in (("gd", 0.0), ("polyak", 0.9)):
            eta = nu * 2 * (1 + beta) / s0
            status, last, losses, th = train(model, th0, eta, beta, a.warmup, a.steps)
            theta = 2 * (1 + beta) / eta
            sf = model.sharpness(th) if status == "completed" else float("nan")
            conv = status == "completed" and losses[-1] <= 1e-6 * l0
            cmp = ""
            if a.java_runs:
                jl = java_losses(os.path.join(a.java_runs, f"B-{group}-nu{nu:.1f}"))
                if jl is not None:
                    first, worst = None, 0.0
                    for t, l in enumerate(losses):
                        if t in jl and math.isfinite(l) and math.isfinite(jl[t]) and jl[t] != 0:
                            rel = abs(l - jl[t]) / abs(jl[t])
                            if t <= 200:
                                worst = max(worst, rel)
                            if first is None and rel > 1e-8:
                                first = t
                    cmp = f"| max rel diff steps 0..200 {worst:.1e}, first > 1e-8 at {first}, sgdlab last {max(jl)}"
            print(f"{nu:.1f}  {group:7s} {eta:.6f}  {status + ' at ' + str(last):16s} {losses[-1]:.3e}  {sf:8.4f}  "
                  f"{sf / theta:8.4f}       {'yes' if conv else 'no ':3s} {cmp}", flush=True)


if __name__ == "__main__":
    main()
