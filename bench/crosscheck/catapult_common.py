"""Shared NumPy pieces of the catapult cross-checks, written from the spec text (STUDIES.md §3.1, §4.1;
QUANTITIES.md Q10, Q12, Q13), not from sgdlab's Java code.

  model  f(x) = (1/sqrt(m)) sum_i v_i relu(u_i^T x / sqrt(d))          (Q10.5, no biases)
  loss   L = (1/2n) sum_i r_i^2, r = f - y                             (c = 1/2, Q2.2)
  kernel K-bar = K/n, K_ij = <grad_theta f(x_i), grad_theta f(x_j)>     (Q10.1)
  split  L_top,s = (1/2n) sum_{i<=s} <p_i, r>^2, L_rest,s = L - L_top,s (Q10.2, eigvecs of K-bar(theta_t))
  spikes the online detector of Q12 (kappa, floor 1e-8 L_0)
  AGOP   G(f) = (1/N) sum_j grad_x f(x_j) grad_x f(x_j)^T, rho = <A,B>_F/(|A|_F |B|_F) (Q13)
"""
import numpy as np


def load_params(path):
    z = np.load(path)
    return z["0.weight"].copy(), z["2.weight"].reshape(-1).copy()   # U [m, d], v [m]


def forward(U, v, X):
    m, d = U.shape
    Z = X @ U.T / np.sqrt(d)                      # [n, d] @ [d, m] -> [n, m]
    A = np.maximum(Z, 0.0)
    return A @ v / np.sqrt(m), Z, A


def loss_grad(U, v, X, y):
    """L = (1/2n) |f - y|^2 and its gradient (dU, dv)."""
    m, d = U.shape
    n = X.shape[0]
    f, Z, A = forward(U, v, X)
    r = f - y
    L = 0.5 * r @ r / n
    dv = A.T @ r / (n * np.sqrt(m))                                   # [m]
    S = (Z > 0) * (r[:, None] * v[None, :]) / (n * np.sqrt(m * d))   # [n, m]
    dU = S.T @ X                                                      # [m, d]
    return L, r, dU, dv


def kernel_bar(U, v, X):
    """K-bar = K/n with K = J J^T in closed form."""
    m, d = U.shape
    n = X.shape[0]
    _, Z, A = forward(U, v, X)
    D = (Z > 0).astype(float)
    K = (A @ A.T) / m + ((D * v[None, :] ** 2) @ D.T) * (X @ X.T) / (m * d)
    return K / n


def split(Kbar, r, s_list):
    """(eigvals descending, {s: (top, rest)}) with the c = 1/2 normalisation."""
    n = r.shape[0]
    w, P = np.linalg.eigh(Kbar)
    w = w[::-1]
    P = P[:, ::-1]
    proj = P.T @ r
    L = 0.5 * r @ r / n
    out = {}
    for s in s_list:
        top = 0.5 * np.sum(proj[:s] ** 2) / n
        out[s] = (top, L - top)
    return w, out, P


def detect(loss, kappa=2.0):
    """Q12 online detector. Returns a list of (onset, peak, end or None, pre, L_peak)."""
    floor = 1e-8 * loss[0]
    base = loss[0]
    in_spike = False
    ev = []
    pre = onset = peak = None
    for t in range(1, len(loss)):
        L = loss[t]
        if not in_spike:
            if L > kappa * max(base, floor):
                in_spike, pre, onset, peak = True, base, t, t
            else:
                base = min(base, L)
        else:
            if L > loss[peak]:
                peak = t
            if L <= np.sqrt(kappa) * max(pre, floor):
                in_spike = False
                ev.append((onset, peak, t, pre, loss[peak]))
                base = L
    if in_spike:
        ev.append((onset, peak, None, pre, loss[peak]))
    return ev


def input_grads(U, v, X):
    m, d = U.shape
    _, Z, _ = forward(U, v, X)
    return ((Z > 0) * v[None, :]) @ U / np.sqrt(m * d)     # [n, m] @ [m, d] -> [n, d]


def agop(G):
    return G.T @ G / G.shape[0]


def true_grads(X):
    g = np.zeros_like(X)
    g[:, 0] = X[:, 1]
    g[:, 1] = X[:, 0]
    return g


def rho(A, B):
    return float(np.sum(A * B) / (np.linalg.norm(A) * np.linalg.norm(B)))


def alignment(U, v, X):
    return rho(agop(input_grads(U, v, X)), agop(true_grads(X)))


def test_mse(U, v, X, y):
    f, _, _ = forward(U, v, X)
    return float(np.mean((f - y) ** 2))
