#!/usr/bin/env python3
"""Independent NumPy oracle for the `eos` study (STUDIES.md §1.1), written from the spec text.

Data: scikit-learn digits, the first 1000 rows, each feature standardised with the population mean and standard
deviation of those rows (zero std -> 1), one-hot targets. Model: tanh MLP 64 -> 128 -> 128 -> 10 with biases,
PyTorch-default init W, b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Loss c = 1/2: L = (1/n) sum_i 1/2 ||f(x_i) - y_i||^2.
Full-batch GD. Sharpness: largest algebraic Hessian eigenvalue on all 1000 examples, by SciPy eigsh (Lanczos) with
finite-difference HVPs (central, eps = 1e-5), as the reference prototype of §0.3.

Modes
  --compare RUNDIR --theta0 NPZ [--data-from-npz]
                                  replay sgdlab's run (E-0.1 or E-0.2 of `sgdlab study eos --out ...`) from the same
                                  theta_0 (written by the EosExport tool, see its Javadoc) and compare the loss at
                                  every step and the sharpness at sgdlab's measurement steps (up to --steps);
                                  --data-from-npz trains on the export's x, y (e.g. fashion-mnist) instead of digits.
  --sweep K                       K fresh NumPy initialisations (seeds --first..): lambda_max(0), A1's dip statistic
                                  for E-0.2 at the full (20) and quick (50) cadences, t_EoS of E-0.2, and t_EoS of
                                  E-0.1 (eta = 0.1) within --e01-steps steps (sharpness every 50 steps, as §1.1).
"""
import argparse
import csv
import gzip
import json
import os
import sys

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

HERE = os.path.dirname(os.path.abspath(__file__))
DIGITS = [os.path.join(HERE, "../../src/main/resources/org/sgdlab/data/digits.csv.gz"),
          "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"]
SIZES = [(64, 128), (128, 128), (128, 10)]


def load_digits():
    for p in DIGITS:
        if os.path.exists(p):
            with gzip.open(p, "rt") as f:
                rows = [list(map(float, line.split(","))) for line in f if line.strip()]
            a = np.array(rows[:1000])
            x, lab = a[:, :64], a[:, 64].astype(int)
            mu = x.mean(0)
            sd = x.std(0)  # population
            sd[sd == 0] = 1.0
            x = (x - mu) / sd
            y = np.zeros((1000, 10))
            y[np.arange(1000), lab] = 1.0
            return x, y
    sys.exit("digits.csv.gz not found in " + str(DIGITS))


def unpack(theta):
    """sgdlab's flat layout: per layer weight [out, in] row-major, then bias [out]."""
    ps, o = [], 0
    for fi, fo in SIZES:
        w = theta[o:o + fi * fo].reshape(fo, fi)
        o += fi * fo
        b = theta[o:o + fo]
        o += fo
        ps.append((w, b))
    assert o == theta.size
    return ps


def pack(ps):
    return np.concatenate([np.concatenate([w.ravel(), b]) for w, b in ps])


def init_torch_default(rng):
    ps = []
    for fi, fo in SIZES:
        bd = 1 / np.sqrt(fi)
        ps.append((rng.uniform(-bd, bd, (fo, fi)), rng.uniform(-bd, bd, fo)))
    return pack(ps)


def loss_grad(theta, x, y):
    (w1, b1), (w2, b2), (w3, b3) = unpack(theta)
    n = x.shape[0]
    a1 = np.tanh(x @ w1.T + b1)
    a2 = np.tanh(a1 @ w2.T + b2)
    f = a2 @ w3.T + b3
    r = f - y
    loss = 0.5 * np.sum(r * r) / n
    df = r / n
    gw3, gb3 = df.T @ a2, df.sum(0)
    dz2 = (df @ w3) * (1 - a2 * a2)
    gw2, gb2 = dz2.T @ a1, dz2.sum(0)
    dz1 = (dz2 @ w2) * (1 - a1 * a1)
    gw1, gb1 = dz1.T @ x, dz1.sum(0)
    return loss, pack([(gw1, gb1), (gw2, gb2), (gw3, gb3)])


def sharpness(theta, x, y, v0=None, eps=1e-5):
    p = theta.size

    def hvp(v):
        v = np.asarray(v).ravel()
        return (loss_grad(theta + eps * v, x, y)[1] - loss_grad(theta - eps * v, x, y)[1]) / (2 * eps)

    op = LinearOperator((p, p), matvec=hvp, dtype=np.float64)
    vals, vecs = eigsh(op, k=1, which="LA", v0=v0, tol=1e-7, ncv=20)
    return float(vals[0]), vecs[:, 0]


def compare(rundir, theta0_npz, steps, data_from_npz=False):
    z = np.load(theta0_npz)
    if data_from_npz:
        # other data (fashion-mnist): sgdlab's exported inputs and targets; the network's widths follow them
        x, y = z["x"], z["y"]
        SIZES[0] = (x.shape[1], SIZES[0][1])
        SIZES[-1] = (SIZES[-1][0], y.shape[1])
        print("data: sgdlab's export, %d x %d inputs, %d outputs" % (x.shape[0], x.shape[1], y.shape[1]))
    else:
        x, y = load_digits()
        print("data: max |x_numpy - x_sgdlab| = %.2e, max |y - y_sgdlab| = %.2e" % (np.abs(x - z["x"]).max(),
                                                                                  np.abs(y - z["y"]).max()))
    rows = list(csv.DictReader(open(os.path.join(rundir, "metrics.csv"))))
    lr = float(rows[0]["lr"])
    sg_loss = {int(r["step"]): float(r["train_loss"]) for r in rows if r["train_loss"]}
    sg_sharp = {}
    for line in open(os.path.join(rundir, "diagnostics", "sharpness.jsonl")):
        d = json.loads(line)
        sg_sharp[int(d["step"])] = d["sharpness"]
    theta = z["theta0"].copy()
    worst = 0.0
    v = None
    print("eta = %r; step: loss sgdlab / numpy (rel. diff); sharpness sgdlab / numpy" % lr)
    for t in range(steps + 1):
        loss, g = loss_grad(theta, x, y)
        rel = abs(loss - sg_loss[t]) / sg_loss[t]
        worst = max(worst, rel)
        if t in sg_sharp:
            s, v = sharpness(theta, x, y, v0=v)
            print("step %5d  loss %.15g / %.15g (%.1e)  sharpness %.6f / %.6f" % (t, sg_loss[t], loss, rel,
                                                                                  sg_sharp[t], s))
        theta = theta - lr * g
    print("worst relative loss difference over steps 0..%d: %.2e" % (steps, worst))


def run_gd(theta, x, y, eta, steps, every, stop_at_cross=True):
    """GD for `steps` steps, sharpness every `every` steps; returns [(t, lambda)], t_EoS (-1 if none)."""
    out, v, teos = [], None, -1
    for t in range(steps + 1):
        if t % every == 0:
            s, v = sharpness(theta, x, y, v0=v)
            out.append((t, s))
            if teos < 0 and s >= 2 / eta:
                teos = t
                if stop_at_cross:
                    return out, teos
        if t == steps:
            break
        theta = theta - eta * loss_grad(theta, x, y)[1]
    return out, teos


def dip(meas, teos):
    """A1: min over measurements before t_EoS of lambda / running max."""
    rm, worst = -np.inf, 1.0
    for t, s in meas:
        if teos >= 0 and t >= teos:
            break
        rm = max(rm, s)
        worst = min(worst, s / rm)
    return worst


def sweep(k, first, e01_steps):
    x, y = load_digits()
    print("seed  lambda0  A1-dip(20)  A1-dip(50)  tEoS(E-0.2)  tEoS(E-0.1)  lambda(E-0.1) at end/crossing")
    for s in range(first, first + k):
        th0 = init_torch_default(np.random.default_rng(s))
        m02, t02 = run_gd(th0, x, y, 0.2, 1000, 20)
        q = [(t, l) for t, l in m02 if t % 50 == 0]
        m01, t01 = run_gd(th0, x, y, 0.1, e01_steps, 50)
        print("%4d  %7.3f  %10.4f  %10.4f  %11d  %11d  %.3f at %d" % (s, m02[0][1], dip(m02, t02), dip(q, t02), t02,
                                                                    t01, m01[-1][1], m01[-1][0]), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--compare", metavar="RUNDIR")
    ap.add_argument("--theta0", metavar="NPZ")
    ap.add_argument("--data-from-npz", action="store_true",
                    help="with --compare: train on the x, y of the export (e.g. --data fashion-mnist) instead of digits")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--sweep", type=int, default=0)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--e01-steps", type=int, default=3000)
    a = ap.parse_args()
    if a.compare:
        compare(a.compare, a.theta0, a.steps, a.data_from_npz)
    if a.sweep:
        sweep(a.sweep, a.first, a.e01_steps)


if __name__ == "__main__":
    main()
