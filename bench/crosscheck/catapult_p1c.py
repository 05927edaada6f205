"""Cross-check of catapult-sgd P1-C (STUDIES.md §4.1) and catapult-gd P1-B k = 0 (§3.3): x1*x2, n = 500,
2000 test points, d = 50, m = 256; eta = nu * 2/lambda_1(K-bar(theta_0)); SGD with epoch-shuffle batches
(drop_last; b = n is GD), stop when the full training loss < 1e-3 at an epoch end or at max_steps; full loss
after every update, kappa = 2 spikes (Q12); at the stop: rho(G, G*) on the training inputs (Q13), test MSE
(no 1/2), steps.

usage: python3 catapult_p1c.py data=java:DATA.npz|numpy:SEED init=java:INIT.npz|numpy:SEED nu=0.7 b=500
                                [batches=java:BATCHES.npy|numpy:SEED] [steps=8000] [goal=1|0] [log=K]
goal=0 runs exactly `steps` steps (P1-B k = 0: nu=0.5 b=500 steps=2400 goal=0).

Findings (fix-catapult, base seed 0 data = sgdlab data seed 5, net seed 0, batch seed 100):
  sgdlab data/init/batches, b = 500: 529 steps, test 1.0695, rho 0.4487 (= sgdlab); b = 5: 1800 steps, 94 spikes,
  test 0.5637, rho 0.8631 (= sgdlab).
  NumPy draws data=numpy:5 init=numpy:0 batches=numpy:100 reproduce the reference seed 0: b = 5 129 spikes, b = 10 33
  spikes (as quoted in STUDIES.md §4.1); b = 5 test 0.287 rho 0.946; b = 500 422 steps, test 0.883, rho 0.700.
  test(5)/test(500) over NumPy draws (data s, init 10+s, batches 100+s; s = 0..3): 0.543, 0.415, 0.390, 0.385.
  GD at eta_crit (b = 500, stop at 1e-3) over 8 independent draws: sgdlab's (data s, init s) test 0.893 +- 0.096,
  rho 0.643 +- 0.099; NumPy's (data s, init 10+s) test 0.872 +- 0.058, rho 0.647 +- 0.084 (same distribution).
  P1-B k = 0 (nu=0.5 b=500 steps=2400 goal=0): sgdlab data/init: test 1.0615, rho 0.4642 (= sgdlab); NumPy draws
  data=numpy:5 init=numpy:0 / numpy:1: test 0.8756 / 0.8393 (mean 0.857, reference 0.858), rho 0.7083 / 0.7326
  (mean 0.720, reference 0.720).
"""
import sys
import numpy as np
from catapult_common import load_params, loss_grad, kernel_bar, detect, alignment, test_mse, forward


def run(X, y, Xt, yt, U, v, nu, b, batches, max_steps=8000, goal=True, log=None):
    n = X.shape[0]
    lam0 = np.linalg.eigvalsh(kernel_bar(U, v, X))[-1]
    eta = nu * 2 / lam0
    per_epoch = n // b
    loss = [loss_grad(U, v, X, y)[0]]
    steps = 0
    for t in range(max_steps):
        idx = np.arange(n) if b == n else batches(t)
        _, _, dU, dv = loss_grad(U, v, X[idx], y[idx])
        U = U - eta * dU
        v = v - eta * dv
        steps = t + 1
        L = loss_grad(U, v, X, y)[0]
        loss.append(L)
        if log is not None and t < log:
            print("  step %d: L(theta_%d) = %.15g" % (t, t + 1, L))
        if not np.isfinite(L):
            break
        if goal and steps % per_epoch == 0 and L < 1e-3:
            break
    loss = np.array(loss)
    return dict(lam0=lam0, eta=eta, steps=steps, train=loss[-1], spikes=len(detect(loss, 2.0)),
                spikes15=len(detect(loss, 1.5)), rho=alignment(U, v, X), rho_test=alignment(U, v, Xt),
                test=test_mse(U, v, Xt, yt), test_init=None), (U, v)


def load_data(spec):
    """java:DATA.npz (exported from sgdlab) or numpy:SEED (default_rng(SEED): 500 x 50 train, then 2000 x 50 test)."""
    kind, arg = spec.split(":", 1)
    if kind == "java":
        z = np.load(arg)
        return z["x"], z["y"].reshape(-1), z["x_test"], z["y_test"].reshape(-1)
    rng = np.random.default_rng(int(arg))
    X = rng.standard_normal((500, 50))
    Xt = rng.standard_normal((2000, 50))
    return X, X[:, 0] * X[:, 1], Xt, Xt[:, 0] * Xt[:, 1]


def load_init(spec):
    """java:INIT.npz or numpy:SEED (default_rng(SEED): U [256, 50], then v [256])."""
    kind, arg = spec.split(":", 1)
    if kind == "java":
        return load_params(arg)
    rng = np.random.default_rng(int(arg))
    U = rng.standard_normal((256, 50))
    return U, rng.standard_normal(256)


def load_batches(spec, n, b):
    """java:BATCHES.npy ([steps, b] indices exported from sgdlab) or numpy:SEED (a fresh permutation per epoch)."""
    kind, arg = spec.split(":", 1)
    if kind == "java":
        B = np.load(arg).astype(int)
        return lambda t: B[t]
    brng = np.random.default_rng(int(arg))
    cache = {}

    def batches(t):
        e, k = divmod(t, n // b)
        if e not in cache:
            cache.clear()
            cache[e] = brng.permutation(n)
        return cache[e][k * b:(k + 1) * b]
    return batches


def main():
    opts = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
    X, y, Xt, yt = load_data(opts["data"])
    U, v = load_init(opts["init"])
    nu, b = float(opts.get("nu", 0.7)), int(opts.get("b", 500))
    batches = load_batches(opts.get("batches", "numpy:100"), X.shape[0], b)
    max_steps = int(opts.get("steps", 8000))
    goal = opts.get("goal", "1") == "1"
    f0, _, _ = forward(U, v, Xt)
    o, _ = run(X, y, Xt, yt, U, v, nu, b, batches, max_steps, goal, log=int(opts.get("log", 0)) or None)
    o["test_init"] = float(np.mean((f0 - yt) ** 2))
    print(" ".join(sys.argv[1:]), {k: (round(float(x), 4) if isinstance(x, (float, np.floating)) else x)
                                   for k, x in o.items()}, flush=True)


if __name__ == "__main__":
    main()
