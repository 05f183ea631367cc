"""``cg.nn.functional`` side by side with ``torch.nn.functional`` on the CPU.

Two workloads, forward + backward, float32, the best of ``--repeats`` timed calls
after a warm-up, compgraph's and torch's calls alternating so that both see the same
load (both libraries with their default thread counts):

1. **LeNet**: ``conv2d -> relu -> max_pool2d`` twice, three ``linear`` layers and
   ``cross_entropy`` on a batch of 64 1x28x28 images; gradients of every weight.
2. **attention**: one ``scaled_dot_product_attention`` of batch 32, 8 heads, 128
   tokens, 64 dimensions per head; gradients of query, key and value.

Usage (from the repository root)::

    .venv/bin/python benchmarks/run_functional.py [--repeats 20] [--causal] [--cpu]

``--cpu`` runs both libraries on one thread and times the thread's CPU time: on a
shared machine whose other work comes and goes, the wall-clock ratio can swing by 2x
between runs, this one by a few percent.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
import torch.nn.functional as TF

import compgraph as cg
import compgraph.nn.functional as F

CLOCK = time.perf_counter  # --cpu: time.thread_time


def paired(fa, fb, repeats: int) -> tuple[float, float]:
    """The best time of each of two functions, called alternately so that both see the
    same load (on a shared machine a burst of load then slows both, not one)."""
    for f in (fa, fb, fa, fb):  # warm-up
        f()
    ta, tb = [], []
    for _ in range(repeats):
        for f, ts in ((fa, ta), (fb, tb)):
            t0 = CLOCK()
            f()
            ts.append(CLOCK() - t0)
    return min(ta), min(tb)


def lenet(lib, x, y, p):
    h = lib.max_pool2d(lib.relu(lib.conv2d(x, p[0], p[1])), 2)
    h = lib.max_pool2d(lib.relu(lib.conv2d(h, p[2], p[3])), 2)
    h = h.reshape(h.shape[0], -1)
    h = lib.relu(lib.linear(h, p[4], p[5]))
    h = lib.relu(lib.linear(h, p[6], p[7]))
    return lib.cross_entropy(lib.linear(h, p[8], p[9]), y)


def bench_lenet(repeats: int) -> tuple[float, float]:
    rng = np.random.default_rng(0)
    shapes = [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 256), (120,), (84, 120), (84,),
              (10, 84), (10,)]
    ws = [(rng.normal(size=s) * 0.1).astype(np.float32) for s in shapes]
    x = rng.normal(size=(64, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, 64)
    cp = [cg.tensor(w, requires_grad=True) for w in ws]
    tp = [torch.tensor(w, requires_grad=True) for w in ws]
    cx, tx, ty = cg.tensor(x), torch.tensor(x), torch.tensor(y)

    def run_cg():
        for w in cp:
            w.grad = None
        lenet(F, cx, y, cp).backward()

    def run_torch():
        for w in tp:
            w.grad = None
        lenet(TF, tx, ty, tp).backward()

    run_cg()
    run_torch()
    for a, b in zip(cp, tp):  # same gradients
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=2e-3, atol=1e-5)
    return paired(run_cg, run_torch, repeats)


def bench_sdpa(repeats: int, causal: bool) -> tuple[float, float]:
    rng = np.random.default_rng(1)
    q, k, v = (rng.normal(size=(32, 8, 128, 64)).astype(np.float32) for _ in range(3))
    g = rng.normal(size=(32, 8, 128, 64)).astype(np.float32)
    cq, ck, cv = (cg.tensor(a, requires_grad=True) for a in (q, k, v))
    tq, tk, tv = (torch.tensor(a, requires_grad=True) for a in (q, k, v))
    tg = torch.tensor(g)

    def run_cg():
        for t in (cq, ck, cv):
            t.grad = None
        out = F.scaled_dot_product_attention(cq, ck, cv, is_causal=causal)
        out.backward(g)

    def run_torch():
        for t in (tq, tk, tv):
            t.grad = None
        out = TF.scaled_dot_product_attention(tq, tk, tv, is_causal=causal)
        out.backward(tg)

    run_cg()
    run_torch()
    for a, b in ((cq, tq), (ck, tk), (cv, tv)):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=2e-3, atol=2e-4)
    return paired(run_cg, run_torch, repeats)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--causal", action="store_true", help="is_causal=True attention")
    ap.add_argument(
        "--cpu",
        action="store_true",
        help="one thread each (torch and NumPy's BLAS) and the thread's CPU time, not wall "
        "time: comparable on a machine loaded by others",
    )
    args = ap.parse_args()
    if args.cpu:
        global CLOCK
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
        torch.set_num_threads(1)
        CLOCK = time.thread_time
    print(f"torch {torch.__version__} ({torch.get_num_threads()} threads), numpy {np.__version__}")
    print(f"{'workload':<44}{'compgraph ms':>14}{'torch ms':>10}{'ratio':>8}")
    for name, (a, b) in (
        ("LeNet fwd+bwd, batch 64, 1x28x28, float32", bench_lenet(args.repeats)),
        (
            f"SDPA fwd+bwd, 32x8x128x64{' causal' if args.causal else ''}, float32",
            bench_sdpa(args.repeats, args.causal),
        ),
    ):
        print(f"{name:<44}{a * 1e3:>14.2f}{b * 1e3:>10.2f}{a / b:>8.2f}")


if __name__ == "__main__":
    main()
