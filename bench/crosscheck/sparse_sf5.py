#!/usr/bin/env python3
"""Independent NumPy oracle for sparse-features SF5 (STUDIES.md §7.5), written from the spec text.

Three-layer teacher-student: d = 5, n = 50 training and 1000 test inputs, x ~ N(0, I_5) normalised to the unit
sphere; teacher ReLU 5 -> 2 -> 2 -> 1 with biases, weights N(0, 1), biases U(-1/sqrt(fan_in), +1/sqrt(fan_in));
student ReLU 5 -> 10 -> 10 -> 1 with biases, weights 0.8 N(0, 1), biases U(-1/sqrt(fan_in), ...). Loss
mean((f - y)^2) (c = 1). SGD, batch 1 (independent-without-replacement = one uniform index per step), N = 10001
iterations. Runs: constant 0.011; toy-warmup-decay (Q3.5) gamma = 0.04, F = 6, e = 0.5 with
(f, D) in {(0.1, 3.5), (0.3, 2.5), (0.5, 5.0)}. Divergence: non-finite loss or max |theta| > 1e6 (sgdlab's rule).
Measured at N: layer-2 activation density on the training inputs (mean 1[h2 > 0]), layer-1 density, test MSE.

All runs of a seed share data, init and the batch sequence. Every seed and configuration is simulated at once
(vectorised over networks). NumPy streams differ from sgdlab's: this reproduces the DISTRIBUTION over seeds, which
is what the seed-robustness question needs.

Usage: python3 sparse_sf5.py [--seeds 60] [--first 0]
       python3 sparse_sf5.py --compare DIR   (DIR written by, from the repository root,
         mvn -q -o test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
         java -cp target/test-classes:target/classes:$(cat target/cp.txt) org.sgdlab.studies.SparseFeaturesSf5Export 0 DIR)
Prints per seed: layer-2 densities, test MSEs, the ratio test(f=0.5)/test(small), whether layer 2 died entirely
in any large run; then the 6-seed block medians (the gate SF5c: median over 6 seeds <= 0.7) and the pass rate
of SF5b/SF5c/SF5d over consecutive 6-seed blocks.
"""
import argparse
import numpy as np

N = 10001
CONFIGS = [("small", None), ("f0.1", (0.1, 3.5)), ("f0.3", (0.3, 2.5)), ("f0.5", (0.5, 5.0))]


def lr_schedule(cfg):
    """eta_i for i in [0, N): Q3.5 toy-warmup-decay, or constant 0.011."""
    i = np.arange(N, dtype=np.float64)
    if cfg is None:
        return np.full(N, 0.011)
    f, dd = cfg
    g, F, e = 0.04, 6.0, 0.5
    t = int(np.floor(f * N))
    warm = g + (F - 1) * g * (i / N) ** e
    out = warm.copy()
    out[t:] = (g + (F - 1) * g * (t / N) ** e) / dd
    return out


def sphere(rng, m, d):
    z = rng.standard_normal((m, d))
    return z / np.linalg.norm(z, axis=1, keepdims=True)


def relu_net(params, x):
    """params = [(W [out, in], b [out]), ...]; ReLU on hidden layers."""
    h = x
    for k, (w, b) in enumerate(params):
        h = h @ w.T + b
        if k < len(params) - 1:
            h = np.maximum(h, 0)
    return h


def make_seed(seed):
    rng = np.random.default_rng(seed)
    widths = [5, 2, 2, 1]
    teacher = []
    for l in range(1, 4):
        fan = widths[l - 1]
        w = rng.standard_normal((widths[l], fan))
        b = rng.uniform(-1 / np.sqrt(fan), 1 / np.sqrt(fan), widths[l])
        teacher.append((w, b))
    x = sphere(rng, 50, 5)
    xt = sphere(rng, 1000, 5)
    y = relu_net(teacher, x)[:, 0]
    yt = relu_net(teacher, xt)[:, 0]
    sw = [5, 10, 10, 1]
    student = []
    for l in range(1, 4):
        fan = sw[l - 1]
        w = 0.8 * rng.standard_normal((sw[l], fan))
        b = rng.uniform(-1 / np.sqrt(fan), 1 / np.sqrt(fan), sw[l])
        student.append((w, b))
    batches = rng.integers(0, 50, size=N)
    return x, y, xt, yt, student, batches


def train_all(data, lrs, horizons=()):
    """data: list of per-seed tuples; every seed runs every config. Returns final params and diverged flags
    (and, with horizons, {K: (params after K updates, diverged)})."""
    S, C = len(data), len(lrs)
    M = S * C
    X = np.stack([d[0] for d in data])  # [S, 50, 5]
    Y = np.stack([d[1] for d in data])  # [S, 50]
    def rep(a):
        return np.repeat(a[:, None], C, axis=1).reshape((M,) + a.shape[1:]).copy()
    W1 = rep(np.stack([d[4][0][0] for d in data]))
    b1 = rep(np.stack([d[4][0][1] for d in data]))
    W2 = rep(np.stack([d[4][1][0] for d in data]))
    b2 = rep(np.stack([d[4][1][1] for d in data]))
    W3 = rep(np.stack([d[4][2][0] for d in data]))
    b3 = rep(np.stack([d[4][2][1] for d in data]))
    B = np.stack([d[5] for d in data])  # [S, N]
    LR = np.array(lrs)  # [C, N]
    sidx = np.repeat(np.arange(S), C)
    cidx = np.tile(np.arange(C), S)
    dead = np.zeros(M, dtype=bool)
    snaps = {}
    for t in range(N):
        i = B[sidx, t]
        x = X[sidx, i]  # [M, 5]
        y = Y[sidx, i]  # [M]
        z1 = np.einsum("mij,mj->mi", W1, x) + b1
        h1 = np.maximum(z1, 0)
        z2 = np.einsum("mij,mj->mi", W2, h1) + b2
        h2 = np.maximum(z2, 0)
        f = np.einsum("mij,mj->mi", W3, h2)[:, 0] + b3[:, 0]
        d = 2 * (f - y)  # dL/df, L = (f - y)^2
        eta = LR[cidx, t]
        gW3 = d[:, None, None] * h2[:, None, :]
        gb3 = d[:, None]
        dz2 = d[:, None] * W3[:, 0, :] * (z2 > 0)
        gW2 = dz2[:, :, None] * h1[:, None, :]
        gb2 = dz2
        dz1 = np.einsum("mji,mj->mi", W2, dz2) * (z1 > 0)
        gW1 = dz1[:, :, None] * x[:, None, :]
        gb1 = dz1
        e = eta * ~dead
        W1 -= e[:, None, None] * gW1
        b1 -= e[:, None] * gb1
        W2 -= e[:, None, None] * gW2
        b2 -= e[:, None] * gb2
        W3 -= e[:, None, None] * gW3
        b3 -= e[:, None] * gb3
        if t % 50 == 0 or t == N - 1:
            mx = np.maximum.reduce([np.abs(a).reshape(M, -1).max(1) for a in (W1, b1, W2, b2, W3, b3)])
            dead |= ~np.isfinite(mx) | (mx > 1e6)
        if t + 1 in horizons:
            snaps[t + 1] = (tuple(a.copy() for a in (W1, b1, W2, b2, W3, b3)), dead.copy())
    if horizons:
        return (W1, b1, W2, b2, W3, b3), dead, snaps
    return (W1, b1, W2, b2, W3, b3), dead


def unpack_theta(theta):
    """sgdlab's flat theta of Serial(Dense(5,10), ReLU, Dense(10,10), ReLU, Dense(10,1)): per layer weight [out, in]
    row-major, then bias [out]."""
    out, o = [], 0
    for fan, width in ((5, 10), (10, 10), (10, 1)):
        w = theta[o:o + fan * width].reshape(width, fan)
        o += fan * width
        b = theta[o:o + width]
        o += width
        out.append((w.copy(), b.copy()))
    assert o == theta.size == 181
    return out


def compare(directory):
    """Runs the oracle on sgdlab's exported data, theta_0 and batch sequence (SparseFeaturesSf5Export) and
    prints its test MSE and densities after K updates next to sgdlab's."""
    import csv
    import glob
    import os
    rows = list(csv.DictReader(open(os.path.join(directory, "sf5_sgdlab.csv"))))
    horizons = sorted({int(r["steps"]) for r in rows})
    files = sorted(glob.glob(os.path.join(directory, "sf5_seed*.npz")))
    idx = [int(os.path.basename(f)[8:-4]) for f in files]
    data = []
    for f in files:
        z = np.load(f)
        data.append((z["x"], z["y"][:, 0], z["xt"], z["yt"][:, 0], unpack_theta(z["theta0"]),
                     z["batches"].astype(np.int64)))
    lrs = [lr_schedule(c) for _, c in CONFIGS]
    _, _, snaps = train_all(data, lrs, horizons=set(horizons))
    C = len(CONFIGS)
    worst = {}
    print("%-4s %-6s %6s %14s %14s %9s %7s %7s %7s %7s" % ("seed", "config", "K", "test sgdlab", "test numpy",
                                                        "rel.diff", "d1 sg", "d1 np", "d2 sg", "d2 np"))
    for r in rows:
        si = idx.index(int(r["seed_index"]))
        ci = [n for n, _ in CONFIGS].index(r["config"])
        k = int(r["steps"])
        (W1, b1, W2, b2, W3, b3), dv = snaps[k]
        m = si * C + ci
        p = [(W1[m], b1[m]), (W2[m], b2[m]), (W3[m], b3[m])]
        x, y, xt, yt = data[si][:4]
        with np.errstate(all="ignore"):
            h1 = np.maximum(x @ p[0][0].T + p[0][1], 0)
            h2 = np.maximum(h1 @ p[1][0].T + p[1][1], 0)
            test = float(np.mean((relu_net(p, xt)[:, 0] - yt) ** 2))
        ts = float(r["test"])
        rel = abs(ts - test) / max(abs(test), 1e-300)
        worst[k] = max(worst.get(k, 0.0), rel)
        print("%-4s %-6s %6d %14.8g %14.8g %9.2e %7.3f %7.3f %7.3f %7.3f%s" % (
            r["seed_index"], r["config"], k, ts, test, rel, float(r["density_l1"]), (h1 > 0).mean(),
            float(r["density_l2"]), (h2 > 0).mean(), "  (diverged: sgdlab %s numpy %s)" % (r["diverged"], dv[m])
            if r["diverged"] == "true" or dv[m] else ""))
    print("worst relative test-MSE difference by K: " + ", ".join("K=%d %.2e" % (k, worst[k]) for k in horizons))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=60)
    ap.add_argument("--first", type=int, default=0)
    ap.add_argument("--compare", metavar="DIR", help="compare with sgdlab's export (SparseFeaturesSf5Export)")
    a = ap.parse_args()
    if a.compare:
        compare(a.compare)
        return
    seeds = list(range(a.first, a.first + a.seeds))
    data = [make_seed(s) for s in seeds]
    lrs = [lr_schedule(c) for _, c in CONFIGS]
    (W1, b1, W2, b2, W3, b3), div = train_all(data, lrs)
    C = len(CONFIGS)
    rows = []
    for si, s in enumerate(seeds):
        x, y, xt, yt = data[si][:4]
        r = {}
        for ci, (name, _) in enumerate(CONFIGS):
            m = si * C + ci
            p = [(W1[m], b1[m]), (W2[m], b2[m]), (W3[m], b3[m])]
            with np.errstate(all="ignore"):
                h1 = np.maximum(x @ p[0][0].T + p[0][1], 0)
                h2 = np.maximum(h1 @ p[1][0].T + p[1][1], 0)
                test = float(np.mean((relu_net(p, xt)[:, 0] - yt) ** 2))
            r[name] = dict(d1=float((h1 > 0).mean()), d2=float((h2 > 0).mean()), test=test, div=bool(div[m]),
                           alive2=int((h2 > 0).any(0).sum()))
        ratio = np.inf if r["small"]["div"] or r["f0.5"]["div"] else r["f0.5"]["test"] / r["small"]["test"]
        large = [r[k] for k in ("f0.1", "f0.3", "f0.5")]
        mn = min([q["d2"] for q in large if not q["div"]], default=np.inf)
        rows.append(dict(seed=s, r=r, ratio=ratio, lower2=(not r["small"]["div"]) and mn < r["small"]["d2"],
                         lower1=(not r["small"]["div"]) and (not r["f0.5"]["div"]) and r["f0.5"]["d1"] < r["small"]["d1"],
                         collapsed=sum(q["alive2"] == 0 for q in large), collapsed05=r["f0.5"]["alive2"] == 0,
                         div=[r[k]["div"] for k, _ in CONFIGS]))
        print("seed %3d  d2 small %.3f  large %s  test small %.4f f0.5 %.4f  ratio %.3f  collapsed(large) %d%s" % (
            s, r["small"]["d2"], " ".join("%.3f" % q["d2"] for q in large), r["small"]["test"], r["f0.5"]["test"],
            ratio, rows[-1]["collapsed"], "  DIVERGED " + str(rows[-1]["div"]) if any(rows[-1]["div"]) else ""))
    ratios = np.array([q["ratio"] for q in rows])
    print("\nall %d seeds: median ratio %.3f; ratio > 0.7 in %d; f0.5 layer 2 dead in %d; any large run dead in %d; "
          "any divergence in %d" % (len(rows), np.median(ratios), int((ratios > 0.7).sum()),
                                    sum(q["collapsed05"] for q in rows), sum(q["collapsed"] > 0 for q in rows),
                                    sum(any(q["div"]) for q in rows)))
    nb = len(rows) // 6
    passes = dict(b=0, c=0, d=0)
    for k in range(nb):
        blk = rows[6 * k: 6 * k + 6]
        med = float(np.median([q["ratio"] for q in blk]))
        b = sum(q["lower2"] for q in blk) >= 5
        c = med <= 0.7
        d = sum(q["lower1"] for q in blk) >= 4
        passes["b"] += b
        passes["c"] += c
        passes["d"] += d
        print("block seeds %d-%d: SF5b %s  SF5c median %.3f %s  SF5d %s" % (
            blk[0]["seed"], blk[-1]["seed"], b, med, c, d))
    print("6-seed blocks passing: SF5b %d/%d, SF5c %d/%d, SF5d %d/%d" % (
        passes["b"], nb, passes["c"], nb, passes["d"], nb))


if __name__ == "__main__":
    main()
