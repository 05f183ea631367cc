"""NumPy's functions, differentiated: compgraph beside hand-written NumPy and PyTorch CPU.

Four workloads (float64), each a forward pass to a scalar loss ``sum(f(x) * w)`` (a
fixed random weight ``w``, so the cotangent is not all ones) and its gradient:

1. **einsum** ``bij,bjk->bik`` on (32, 64, 64) x (32, 64, 64), gradients of both inputs;
2. **cumsum** along the last axis of a (1000, 1000) array;
3. **linalg.solve** of a 256x256 system with 8 right-hand sides, gradients of A and b;
4. **fft** of 2**16 real points (``sum(real(fft(x)) * w)``).

For each: the forward alone (NumPy's call, compgraph without recording) and forward +
backward (the hand-written NumPy gradient, compgraph's ``backward``, torch's
``backward``), best of ``--repeats`` loops of at least ``--min-loop`` seconds, all in
one process. Gradients of the three are checked equal first.  Usage::

    .venv/bin/python benchmarks/run_numpy.py [--repeats 5] [--min-loop 0.2] [--threads N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
ap.add_argument("--repeats", type=int, default=5)
ap.add_argument("--min-loop", type=float, default=0.2)
ap.add_argument("--threads", type=int, default=None, help="BLAS and torch threads")
args = ap.parse_args()
if args.threads:  # before NumPy and torch load their thread pools
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
import compgraph as cg  # noqa: E402

try:
    import torch
except ImportError:  # the NumPy and compgraph columns still run
    torch = None
if torch is not None and args.threads:
    torch.set_num_threads(args.threads)


def best(call: Callable[[], Any]) -> float:
    """Best seconds per call over ``--repeats`` loops of at least ``--min-loop`` s."""
    call()
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < args.min_loop / 4 or n < 3:  # warm-up and calibration
        call()
        n += 1
    per = (time.perf_counter() - t0) / n
    calls = max(1, int(args.min_loop / per))
    out = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        for _ in range(calls):
            call()
        out.append((time.perf_counter() - t) / calls)
    return min(out)


rng = np.random.default_rng(0)


# Each workload: inputs, weight, NumPy forward, hand-written NumPy gradients, the same
# loss for compgraph (cg namespace) and torch.
def einsum_case():
    a, b = rng.standard_normal((2, 32, 64, 64))
    w = rng.standard_normal((32, 64, 64))

    def np_fwd(a, b):
        return np.einsum("bij,bjk->bik", a, b)

    def np_grad(a, b):
        np.sum(np_fwd(a, b) * w)
        return np.einsum("bik,bjk->bij", w, b), np.einsum("bij,bik->bjk", a, w)

    def loss(m, a, b, w):
        return m.sum(m.einsum("bij,bjk->bik", a, b) * w)

    return "einsum bij,bjk->bik (32,64,64)", (a, b), w, np_fwd, np_grad, loss


def cumsum_case():
    x = rng.standard_normal((1000, 1000))
    w = rng.standard_normal((1000, 1000))

    def np_fwd(x):
        return np.cumsum(x, axis=-1)

    def np_grad(x):
        np.sum(np_fwd(x) * w)
        return (np.cumsum(w[:, ::-1], axis=-1)[:, ::-1],)

    def loss(m, x, w):
        return m.sum(m.cumsum(x, -1) * w)

    return "cumsum axis=-1 (1000,1000)", (x,), w, np_fwd, np_grad, loss


def solve_case():
    a = rng.standard_normal((256, 256)) + 16 * np.eye(256)
    b = rng.standard_normal((256, 8))
    w = rng.standard_normal((256, 8))

    def np_fwd(a, b):
        return np.linalg.solve(a, b)

    def np_grad(a, b):
        x = np_fwd(a, b)
        np.sum(x * w)
        gb = np.linalg.solve(a.T, w)
        return -gb @ x.T, gb

    def loss(m, a, b, w):
        return m.sum(m.linalg.solve(a, b) * w)

    return "linalg.solve 256x256, 8 rhs", (a, b), w, np_fwd, np_grad, loss


def fft_case():
    x = rng.standard_normal(2**16)
    w = rng.standard_normal(2**16)

    def np_fwd(x):
        return np.fft.fft(x)

    def np_grad(x):
        np.sum(np_fwd(x).real * w)
        return (np.fft.fft(w).real,)  # d/dx_n sum_k w_k cos(2 pi k n / N)

    def loss(m, x, w):
        return m.sum(m.real(m.fft.fft(x)) * w)

    return "fft 2**16 real points", (x,), w, np_fwd, np_grad, loss


def cg_grad(loss, xs, w):
    ts = [cg.tensor(x, requires_grad=True) for x in xs]
    loss(cg, *ts, w).backward()
    return tuple(t.grad.numpy() for t in ts)


def torch_grad(loss, xs, w):
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    loss(torch, *ts, torch.from_numpy(w)).backward()
    return tuple(t.grad.numpy() for t in ts)


def main() -> None:
    print(
        f"numpy {np.__version__}, torch {getattr(torch, '__version__', '-')}, "
        f"{os.cpu_count()} CPUs, threads: {args.threads or 'default'}"
    )
    head = ("workload", "fwd np", "fwd cg", "f+b np", "f+b cg", "f+b torch", "cg/np", "cg/torch")
    print("{:<30} {:>8} {:>8} {:>8} {:>8} {:>9} {:>6} {:>8}".format(*head))
    for case in (einsum_case, cumsum_case, solve_case, fft_case):
        name, xs, w, np_fwd, np_grad, loss = case()
        want = np_grad(*xs)
        for got in (cg_grad(loss, xs, w),) + ((torch_grad(loss, xs, w),) if torch else ()):
            for g, r in zip(got, want):
                np.testing.assert_allclose(g, r, rtol=1e-7, atol=1e-8, err_msg=name)
        tensors = [cg.tensor(x) for x in xs]
        with cg.no_grad():
            fwd_cg = best(lambda: loss(cg, *tensors, w))
        fwd_np = best(lambda: np.sum(np_fwd(*xs) * w))
        fb_np = best(lambda: np_grad(*xs))
        fb_cg = best(lambda: cg_grad(loss, xs, w))
        fb_t = best(lambda: torch_grad(loss, xs, w)) if torch else float("nan")
        ms = [1e3 * t for t in (fwd_np, fwd_cg, fb_np, fb_cg, fb_t)]
        print(
            f"{name:<30} "
            + " ".join(f"{v:8.3f}" for v in ms[:4])
            + f" {ms[4]:9.3f} {fb_cg / fb_np:6.2f} {fb_cg / fb_t:8.2f}"
        )
    print("times in ms per call (best of loops); f+b = forward + backward")


if __name__ == "__main__":
    main()
