#!/usr/bin/env python3
"""PyTorch reference for `sgdlab bench engine --compare-torch`.

The same four float64 workloads as org.sgdlab.bench.EngineBench, on the CPU with 2 threads:
  mlp_fwd_bwd     tanh MLP 784-512-512-10, loss (1/n) sum 1/2 ||f - y||^2, batch 1000: loss + gradient
  mlp_hvp         one exact Hessian-vector product of that loss (double backward)
  matmul_1024     1024 x 1024 matrix product
  sgd_step_small  one SGD step (loss, gradient, update) of a tanh MLP 50-256-1 on a batch of 10
Needs Debian's python3-torch with libopenblas0-pthread. Prints a table, or JSON with --json.

--serve: builds the workloads, prints one JSON line {"torch", "threads", "ready"}, then answers each
stdin line "time ID BUDGET_S MIN_REPEATS WARMUP" with one JSON line {"id", "median_ms", "min_ms", "repeats"}
until "quit". sgdlab uses it to time both sides in alternating rounds, so that both see the same machine.
"""
import argparse
import json
import statistics
import sys
import time

import torch


def mlp(widths):
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]).double())
        if i < len(widths) - 2:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def timed(fn, min_repeats, budget, warmup):
    for _ in range(warmup):
        fn()
    t0 = time.perf_counter()
    fn()
    once = time.perf_counter() - t0
    group = 1 if once >= 1e-3 else int(min(1000, max(1, 2e-3 / max(once, 1e-6))))
    samples = []
    start = time.perf_counter()
    while len(samples) < min_repeats or time.perf_counter() - start < budget:
        s = time.perf_counter()
        for _ in range(group):
            fn()
        samples.append((time.perf_counter() - s) * 1e3 / group)
        if len(samples) >= 10 * min_repeats and time.perf_counter() - start >= budget:
            break
    return statistics.median(samples), min(samples), len(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--serve", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(20261121)
    min_rep, budget, warm = (3, 1.0, 2) if args.quick else (10, 3.0, 5)

    net = mlp([784, 512, 512, 10])
    params = list(net.parameters())
    x = torch.randn(1000, 784, dtype=torch.float64)
    y = torch.nn.functional.one_hot(torch.randint(0, 10, (1000,)), 10).double()
    v = [torch.randn_like(p) for p in params]

    def loss_fn():
        return 0.5 * ((net(x) - y) ** 2).sum() / x.shape[0]

    def fwd_bwd():
        loss = loss_fn()
        return torch.autograd.grad(loss, params)

    def hvp():
        loss = loss_fn()
        g = torch.autograd.grad(loss, params, create_graph=True)
        gv = sum((gi * vi).sum() for gi, vi in zip(g, v))
        return torch.autograd.grad(gv, params)

    a = torch.randn(1024, 1024, dtype=torch.float64)
    b = torch.randn(1024, 1024, dtype=torch.float64)

    small = mlp([50, 256, 1])
    sp = list(small.parameters())
    xs = torch.randn(10, 50, dtype=torch.float64)
    ys = torch.randn(10, 1, dtype=torch.float64)

    def sgd_step():
        loss = 0.5 * ((small(xs) - ys) ** 2).sum() / xs.shape[0]
        g = torch.autograd.grad(loss, sp)
        with torch.no_grad():
            for p, gi in zip(sp, g):
                p.add_(gi, alpha=-0.01)

    workloads = [("mlp_fwd_bwd", fwd_bwd), ("mlp_hvp", hvp), ("matmul_1024", lambda: a @ b),
                 ("sgd_step_small", sgd_step)]
    if args.serve:
        serve(dict(workloads))
        return
    rows = []
    for wid, fn in workloads:
        med, mn, n = timed(fn, min_rep, budget, warm)
        rows.append({"id": wid, "median_ms": med, "min_ms": mn, "repeats": n})
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "workloads": rows}
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        print()
    else:
        print(f"PyTorch {out['torch']} ({out['threads']} threads, float64)")
        for r in rows:
            print(f"{r['id']:<16} {r['median_ms']:10.3f} ms")


def serve(workloads):
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "ready": True}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        if parts[0] != "time" or len(parts) != 5 or parts[1] not in workloads:
            print(json.dumps({"error": "expected 'time ID BUDGET_S MIN_REPEATS WARMUP' with ID in "
                              + ", ".join(workloads) + ", got " + line.strip()}), flush=True)
            continue
        med, mn, n = timed(workloads[parts[1]], int(parts[3]), float(parts[2]), int(parts[4]))
        print(json.dumps({"id": parts[1], "median_ms": med, "min_ms": mn, "repeats": n}), flush=True)


if __name__ == "__main__":
    main()
