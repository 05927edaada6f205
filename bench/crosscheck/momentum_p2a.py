#!/usr/bin/env python3
"""Independent NumPy oracle for momentum-catapult P2-A (STUDIES.md 5.1), written from the spec text.

Spec: n = 200, d = 10, x ~ N(0, I), y = sin(x_1) + x_2 x_3; MLP 10 -> 64 -> 64 -> 1 tanh, standard parametrisation,
W ~ N(0, 1/fan_in), biases 0; loss L = (1/2n) sum_i (f(x_i) - y_i)^2 (c = 1/2); optimizer polyak (Q3.3)
theta_{t+1} = theta_t - eta_t grad L(theta_t) + beta (theta_t - theta_{t-1}), theta_{-1} = theta_0, GD = beta 0;
linear warmup eta_t = eta min(1, (t + 1)/T_w) (Q3.5); divergence (Q4): a non-finite loss or parameter, or
max_j |theta_j| > 1e6; sharpness S = lambda_1(Hessian) every 25 steps and at the end (Q6) by SciPy eigsh on
central finite-difference HVPs (eps 1e-5, as the reference run).

Usage:
  momentum_p2a.py --data p2a_seed0.npz [--runs A8] [--java-runs DIR]    data/init exported from sgdlab
  momentum_p2a.py --numpy-draws 10 [--first-draw 0] [--runs A8]         fresh NumPy draws of the same distributions
(draw k: data default_rng(2k), weights default_rng(2k + 1); draw 0 reproduces the reference run's S_0 = 4.91)
With --java-runs (a study --out DIR/runs), each run's loss L(theta_t) is compared step by step with sgdlab's
metrics.csv (batch_loss column = L(theta_t) of the full-batch update, train_loss at the last row).
"""
import argparse
import csv
import math
import os
import sys

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

RUNS = {  # id: (optimizer, eta, beta, T_w, steps); A1, A2, A9, A10 are full-variant only
    "A1": ("polyak", 0.2, 0.9, 1, 1000),
    "A2": ("polyak", 0.2, 0.9, 100, 1000),
    "A3": ("polyak", 0.2, 0.9, 400, 1000),
    "A4": ("gd", 0.2 / 1.9, 0.0, 100, 1000),
    "A5": ("gd", 0.2 / 1.9, 0.0, 400, 1000),
    "A6": ("polyak", 0.25, 0.9, 200, 1000),
    "A7": ("gd", 0.25 / 1.9, 0.0, 200, 1000),
    "A8": ("gd", 0.5, 0.0, 200, 1500),
    "A9": ("polyak", 0.5, 0.9, 200, 1000),
    "A10": ("polyak", 0.1, 0.9, 200, 1000),
}


class Mlp:
    """f(x) = W2 tanh(W1 tanh(W0 x + b0) + b1) + b2; theta is a flat vector (W0, b0, W1, b1, W2, b2)."""

    def __init__(self, X, y, shapes):
        self.X, self.y, self.n = X, y.reshape(-1), X.shape[0]
        self.shapes = shapes
        self.sizes = [int(np.prod(s)) for s in shapes]
        self.offsets = np.cumsum([0] + self.sizes)

    def unpack(self, th):
        return [th[self.offsets[i]:self.offsets[i + 1]].reshape(s) for i, s in enumerate(self.shapes)]

    def loss_grad(self, th):
        W0, b0, W1, b1, W2, b2 = self.unpack(th)
        h1 = np.tanh(self.X @ W0.T + b0)          # [n, 64]
        h2 = np.tanh(h1 @ W1.T + b1)              # [n, 64]
        f = (h2 @ W2.T).reshape(-1) + b2[0]       # [n]
        r = f - self.y
        loss = 0.5 * np.dot(r, r) / self.n
        df = r / self.n                           # dL/df
        gW2 = df[None, :] @ h2                    # [1, 64]
        gb2 = np.array([df.sum()])
        dz2 = np.outer(df, W2[0]) * (1 - h2 * h2)  # [n, 64]
        gW1 = dz2.T @ h1
        gb1 = dz2.sum(0)
        dz1 = (dz2 @ W1) * (1 - h1 * h1)
        gW0 = dz1.T @ self.X
        gb0 = dz1.sum(0)
        g = np.concatenate([a.reshape(-1) for a in (gW0, gb0, gW1, gb1, gW2, gb2)])
        return loss, g

    def loss(self, th):
        return self.loss_grad(th)[0]

    def sharpness(self, th, eps=1e-5):
        p = th.size

        def hvp(v):
            v = np.asarray(v).reshape(-1)
            nv = np.linalg.norm(v)
            if nv == 0:
                return np.zeros(p)
            u = v / nv
            return nv * (self.loss_grad(th + eps * u)[1] - self.loss_grad(th - eps * u)[1]) / (2 * eps)

        op = LinearOperator((p, p), matvec=hvp, dtype=np.float64)
        v0 = np.random.default_rng(0).standard_normal(p)
        return float(eigsh(op, k=1, which="LA", tol=1e-9, v0=v0, ncv=30)[0][0])


def train(model, th0, opt, eta, beta, tw, steps, s_every=25):
    """Returns (status, last step, losses[t] = L(theta_t), {step: S})."""
    th_prev = th0.copy()
    th = th0.copy()
    losses, sharp = [], {}
    for t in range(steps + 1):
        loss, g = model.loss_grad(th)
        if not (np.all(np.isfinite(th)) and math.isfinite(loss)):
            losses.append(loss)
            return "diverged (non-finite)", t, losses, sharp
        if np.max(np.abs(th)) > 1e6:
            losses.append(loss)
            return "diverged (max|theta| > 1e6)", t, losses, sharp
        losses.append(loss)
        if t % s_every == 0 or t == steps:
            sharp[t] = model.sharpness(th)
        if t == steps:
            break
        eta_t = eta * min(1.0, (t + 1) / tw)
        th_next = th - eta_t * g + beta * (th - th_prev)
        th_prev, th = th, th_next
    return "completed", steps, losses, sharp


def max_spike_ratio(losses):
    """Q12: max_t L_t / max(min_{s<t} L_s, 1e-8 L_0) over the finite losses."""
    floor = 1e-8 * losses[0]
    lo, best = losses[0], float("nan")
    for l in losses[1:]:
        if not math.isfinite(l):
            continue
        r = l / max(lo, floor)
        best = r if not (best >= r) else best
        lo = min(lo, l)
    return best


def java_losses(run_dir):
    with open(os.path.join(run_dir, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    out = {}
    for r in rows:
        v = r["batch_loss"] or r["train_loss"]
        out[int(r["step"])] = float(v) if v else float("nan")
    return out


def report(rid, model, th0, java_dir=None):
    """Trains run rid and prints status, S_0, S_max, S_final, S_final/theta, max_spike_ratio (Q12, floored)."""
    opt, eta, beta, tw, steps = RUNS[rid]
    status, last, losses, sharp = train(model, th0, opt, eta, beta, tw, steps)
    theta = 2 * (1 + beta) / eta
    s_vals = [v for v in sharp.values() if math.isfinite(v)]
    s_max = max(s_vals) if s_vals else float("nan")
    s_fin = sharp.get(steps, float("nan")) if status == "completed" else float("nan")
    print(f"{rid}: {opt} eta={eta:.4f} beta={beta} T_w={tw}: {status} at {last}; S_0={sharp.get(0, float('nan')):.4f} "
          f"S_max={s_max:.3f} S_final={s_fin:.3f} S_final/theta={s_fin / theta:.4f} "
          f"max_spike_ratio={max_spike_ratio(losses):.3g} min loss={np.nanmin(losses):.3e}")
    if java_dir:
        jl = java_losses(os.path.join(java_dir, rid))
        first_dev = None
        worst_early = 0.0
        for t, l in enumerate(losses):
            if t not in jl or not (math.isfinite(l) and math.isfinite(jl[t])):
                continue
            rel = abs(l - jl[t]) / max(abs(jl[t]), 1e-300)
            if t <= 100:
                worst_early = max(worst_early, rel)
            if first_dev is None and rel > 1e-8:
                first_dev = (t, l, jl[t])
        print(f"    vs sgdlab: max rel diff of L(theta_t) on steps 0..100 = {worst_early:.2e}; first step with rel diff "
              f"> 1e-8: {first_dev}; sgdlab last logged step {max(jl)}")
    return status, last, losses, sharp


def numpy_draw(k):
    """Draw k: data from default_rng(2k), weights [out, in] from default_rng(2k + 1). Draw 0 (data seed 0, init seed 1)
    has S_0 = 4.9093, the reference run's S_0 = 4.91: most likely the reference run's own draw."""
    rd, ri = np.random.default_rng(2 * k), np.random.default_rng(2 * k + 1)
    X = rd.standard_normal((200, 10))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    W0 = ri.standard_normal((64, 10)) / math.sqrt(10)
    W1 = ri.standard_normal((64, 64)) / math.sqrt(64)
    W2 = ri.standard_normal((1, 64)) / math.sqrt(64)
    th0 = np.concatenate([W0.ravel(), np.zeros(64), W1.ravel(), np.zeros(64), W2.ravel(), np.zeros(1)])
    return X, y, th0


SHAPES = [(64, 10), (64,), (64, 64), (64,), (1, 64), (1,)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data")
    ap.add_argument("--runs", default="A8")
    ap.add_argument("--java-runs")
    ap.add_argument("--numpy-draws", type=int, default=0)
    ap.add_argument("--first-draw", type=int, default=0)
    a = ap.parse_args()
    ids = a.runs.split(",")
    if a.data:
        z = np.load(a.data)
        model = Mlp(z["X"], z["y"], SHAPES)
        th0 = np.concatenate([z[k].reshape(-1) for k in ("W0", "b0", "W1", "b1", "W2", "b2")])
        print(f"{a.data}: {th0.size} parameters, L_0 = {model.loss(th0):.10f}")
        for rid in ids:
            report(rid, model, th0, a.java_runs)
    for s in range(a.first_draw, a.first_draw + a.numpy_draws):
        X, y, th0 = numpy_draw(s)
        model = Mlp(X, y, SHAPES)
        print(f"numpy draw {s}:")
        for rid in ids:
            report(rid, model, th0)
        sys.stdout.flush()


if __name__ == "__main__":
    main()
