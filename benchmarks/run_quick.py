"""Quick performance guard (under a minute): every hot-path workload in one process,
each timed *paired* with its baseline (NumPy or plain Python) so that machine noise
cancels out of the ratios.  Run it before and after any change to a hot path
(``autodiff/recording.py``, ``autodiff/engine.py``, ``tensor.py``, codegen):

    .venv/bin/python benchmarks/run_quick.py            # about 40 s
    .venv/bin/python benchmarks/run_quick.py --json out.json
    .venv/bin/python benchmarks/run_quick.py --full     # adds the 1e6-op chain

Rows (issue "Dynamic graphs as fast as the fastest pure-Python engine"):

- ``seed backward``: ``x = cg.tensor(3.0, requires_grad=True); ((3x+2)**4).backward()``
  against micrograd's ``Value`` doing the same (when micrograd is installed), and
  against the formula in plain Python;
- ``seed cg.grad``: ``cg.grad(f)(3.0)`` against ``seed backward`` (target 1.3x);
- ``seed compiled``: ``cg.function(cg.grad(f))(3.0)``, median us (target < 1 us) and
  against the formula;
- ``chain n``: ``x -> sin(x)*1.0001 + 0.1`` n times and backward, us per recorded op
  (target <= 3 us and 1e3 -> 1e5/1e6 within 1.2x: each size's ratio is to 1e3 chains
  timed right before and right after it), and bytes per recorded op;
- ``rnn``: the 100-step tanh RNN of ``run_static.py`` (dynamic and ``cg.function``)
  against the hand-written NumPy forward+backward (targets 1.3x and 1.2x);
- ``mlp``: the 784-512-512-10 training step of ``run_nn.py`` (dynamic and compiled)
  against the hand-written NumPy step (target 1.1x for dynamic).

Each paired row alternates the two calls, ``--pairs`` times, after a warm-up, and
reports the median of the per-pair ratios (and each side's median time).
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

import numpy as np  # noqa: E402
import run_nn  # noqa: E402
import run_static  # noqa: E402

import compgraph as cg  # noqa: E402

Call = Callable[[], Any]


def _per_call(fn: Call, number: int) -> float:
    t = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t) / number


def paired(a: Call, b: Call, pairs: int, number: int) -> dict[str, float]:
    """Median over ``pairs`` of time(a)/time(b), each timed over ``number`` calls."""
    for _ in range(max(3, number // 10)):
        a(), b()
    ra, rb, ratios = [], [], []
    for i in range(pairs):
        if i % 2:
            tb, ta = _per_call(b, number), _per_call(a, number)
        else:
            ta, tb = _per_call(a, number), _per_call(b, number)
        ra.append(ta)
        rb.append(tb)
        ratios.append(ta / tb)
    return {"a_us": statistics.median(ra) * 1e6, "b_us": statistics.median(rb) * 1e6,
            "ratio": statistics.median(ratios)}


def seed_rows(pairs: int) -> list[tuple[str, dict[str, float], str, float | None]]:
    def f(x: Any) -> Any:
        return (3 * x + 2) ** 4

    def backward() -> Any:
        x = cg.tensor(3.0, requires_grad=True)
        f(x).backward()
        return x.grad

    def formula() -> float:
        x = 3.0
        return 4 * (3 * x + 2) ** 3 * 3

    g = cg.grad(f)
    cf = cg.function(cg.grad(f))
    rows = []
    try:
        from micrograd.engine import Value

        def micro() -> Any:
            x = Value(3.0)
            f(x).backward()
            return x.grad

        rows.append(("seed backward / micrograd", paired(backward, micro, pairs, 500),
                     "micrograd", 1.0))
    except ImportError:
        pass
    rows.append(("seed backward / formula", paired(backward, formula, pairs, 500), "formula", None))
    rows.append(("seed cg.grad / backward", paired(lambda: g(3.0), backward, pairs, 500),
                 "backward", 1.3))
    rows.append(("seed compiled / formula", paired(lambda: cf(3.0), formula, pairs, 2000),
                 "formula", None))
    return rows


def chain_call(n: int) -> Call:
    def run() -> Any:
        x = cg.tensor(0.5, requires_grad=True)
        h = x
        for _ in range(n):
            h = cg.sin(h) * 1.0001 + 0.1
        h.backward()
        return x.grad

    return run


def chain_rows(sizes: list[int]) -> list[dict[str, float]]:
    """us per op of each chain, and its ratio to the first size measured right before
    and right after it (the machine's speed drifts within a run; bracketing the large
    size with small ones keeps the growth ratio a paired one)."""
    out = []
    small = chain_call(sizes[0])
    small()

    def small_us() -> float:
        reps = max(1, 30_000 // sizes[0])
        return min(_per_call(small, reps) for _ in range(3)) / (3 * sizes[0]) * 1e6

    for n in sizes:
        run = chain_call(n)
        run()
        reps = max(1, 30_000 // n)
        before = small_us()
        best = min(_per_call(run, reps) for _ in range(3 if n <= 100_000 else 1))
        after = small_us()
        us = best / (3 * n) * 1e6
        out.append({"n": n, "us_per_op": us, "vs_small": us / ((before + after) / 2)})
    # Memory of the recorded graph per op, on a 1e4-step chain kept alive.
    gc.collect()
    tracemalloc.start()
    x = cg.tensor(0.5, requires_grad=True)
    h = x
    base = tracemalloc.get_traced_memory()[0]
    for _ in range(10_000):
        h = cg.sin(h) * 1.0001 + 0.1
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    out.append({"bytes_per_op": used / 30_000})
    return out


def static_pair(workload: str, impl: str, base: str, pairs: int, number: int) -> dict:
    a, _ = run_static._make_call(impl, workload)
    b, _ = run_static._make_call(base, workload)
    return paired(a, b, pairs, number)


def mlp_pair(impl: str, pairs: int) -> dict[str, float]:
    a, _, _ = run_nn.make_step(impl)
    b, _, _ = run_nn.make_step("numpy")
    return paired(a, b, pairs, 3)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pairs", type=int, default=15, help="paired rounds per row")
    p.add_argument("--full", action="store_true", help="add the 1e6-op chain")
    p.add_argument("--json", metavar="PATH")
    args = p.parse_args()
    t0 = time.perf_counter()
    results: dict[str, Any] = {}
    lines = ["| row | compgraph | baseline | ratio (median of pairs) | target |", "|---|---|---|---|---|"]
    for name, r, _, target in seed_rows(args.pairs):
        results[name] = r
        lines.append(f"| {name} | {r['a_us']:.2f} us | {r['b_us']:.2f} us | {r['ratio']:.2f}x | "
                     f"{'' if target is None else f'<= {target}x'} |")
    cf = cg.function(cg.grad(lambda x: (3 * x + 2) ** 4))
    cf(3.0)
    times = []
    for _ in range(2000):
        t = time.perf_counter()
        cf(3.0)
        times.append(time.perf_counter() - t)
    med = statistics.median(times) * 1e6
    results["seed compiled median us"] = med
    lines.append(f"| seed compiled, one call median | {med:.2f} us | | | < 1 us |")
    for name, impl, base, workload, target, number in (
        ("rnn dynamic / numpy", "cg-dynamic", "numpy", "rnn", 1.3, 5),
        ("rnn cg.function / numpy", "cg-function", "numpy", "rnn", 1.2, 5),
    ):
        r = static_pair(workload, impl, base, args.pairs, number)
        results[name] = r
        lines.append(f"| {name} | {r['a_us'] / 1e3:.2f} ms | {r['b_us'] / 1e3:.2f} ms | "
                     f"{r['ratio']:.2f}x | <= {target}x |")
    for name, impl, target in (("mlp dynamic / numpy", "cg-dynamic", 1.1),
                               ("mlp compiled / numpy", "cg-compiled", None)):
        r = mlp_pair(impl, args.pairs)
        results[name] = r
        lines.append(f"| {name} | {r['a_us'] / 1e3:.2f} ms | {r['b_us'] / 1e3:.2f} ms | "
                     f"{r['ratio']:.2f}x | {'' if target is None else f'<= {target}x'} |")
    sizes = [10**3, 10**4, 10**5] + ([10**6] if args.full else [])
    chain = chain_rows(sizes)
    results["chain"] = chain
    for row in chain[:-1]:
        lines.append(f"| chain {row['n']:.0e}, per op | {row['us_per_op']:.2f} us | | "
                     f"{row['vs_small']:.2f}x of 1e3 (paired) | <= 3 us, <= 1.2x |")
    lines.append(f"| recorded graph, bytes per op | {chain[-1]['bytes_per_op']:.0f} B | | | |")
    print("\n".join(lines))
    print(f"\n(total {time.perf_counter() - t0:.0f} s; numpy {np.__version__}, "
          f"python {sys.version.split()[0]})")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
