"""Core benchmarks: compgraph side by side with PyTorch eager, plain Python and,
where installed, HIPS ``autograd`` and ``micrograd``.

Two workloads, both on float64 scalars:

1. **seed gradient** -- ``x = tensor(3.0, requires_grad=True); y = (3*x+2)**4;
   y.backward(); float(x.grad)``: microseconds per full call (build + backward +
   read), the best of ``--seed-repeats`` loops of ``--seed-calls`` calls, best again
   over ``--seed-rounds`` worker processes run interleaved across libraries.  The
   plain Python baseline evaluates the hand-derived formula ``4*(3*x+2)**3*3``.
2. **chain** -- ``N`` steps of ``x -> sin(x)*1.0001 + 0.1`` (3 recorded ops per step)
   from ``x0 = 0.5``, then backward: forward+backward seconds and peak memory.  The
   plain Python baseline records ``cos(x)`` on a list going forward and multiplies
   the list out going backward (a hand-written tape).

Every (library, workload) measurement runs in a fresh subprocess
(``run_core.py --worker LIB seed|N``) so that peak memory is honest for NumPy- and
torch-based code alike: the worker imports its library, warms up, records
``ru_maxrss`` (a high-water mark, KiB on Linux) as the baseline, runs once, and
reports the increase of the high-water mark.  Small chains are then re-run (up to
``--max-repeats`` times) and the best time is kept.  Final values and gradients of
every library are checked against the plain-Python tape.

The parent process imports only the standard library, so it does not inflate the
workers' baselines.  Usage (from the repository root)::

    .venv/bin/python benchmarks/run_core.py                 # N = 1e3 1e4 1e5 1e6
    .venv/bin/python benchmarks/run_core.py --quick         # N = 1e3 1e4
    .venv/bin/python benchmarks/run_core.py --sizes 1e3 1e5 --json results.json
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py, beside this script
from harness import (available, best_run, emit_result, fmt_count,  # noqa: E402
                     git_commit as _git_commit, load_compgraph as _load_compgraph,
                     maxrss_kib as _maxrss_kib, parse_count, progress, ratio as _ratio,
                     run_meta, sig as _sig, spawn_worker, verdict as _verdict, version,
                     write_json)

LIBS: tuple[str, ...] = ("compgraph", "torch", "python", "autograd", "micrograd")
OPTIONAL: frozenset[str] = frozenset({"autograd", "micrograd"})
DEFAULT_SIZES: tuple[int, ...] = (10**3, 10**4, 10**5, 10**6)
QUICK_SIZES: tuple[int, ...] = (10**3, 10**4)
TORCH_THREADS = 2
SEED_X = 3.0
SEED_GRAD = 4 * (3 * SEED_X + 2) ** 3 * 3  # 15972.0
CHAIN_X0 = 0.5
WARMUP_STEPS = 100
REL_TOL = 1e-9
ABS_TOL = 1e-300  # gradients underflow to (sub)normal zero for long chains
TARGETS = {"seed": 0.25, "chain": 0.5, "memory": 1.0}
MEMORY_TARGET_N = 10**5

SeedFn = Callable[[float], float]
ChainFn = Callable[[int, float], "tuple[float, float, Any]"]


# --------------------------------------------------------------------------- workloads
def _make_workloads(lib: str) -> tuple[SeedFn, ChainFn]:
    """The seed-gradient call and the chain (returning value, grad, graph) for ``lib``."""
    if lib == "compgraph":
        cg = _load_compgraph()

        def seed(x0: float) -> float:
            x = cg.tensor(x0, requires_grad=True)
            y = (3 * x + 2) ** 4
            y.backward()
            return float(x.grad)

        def chain(n: int, x0: float) -> tuple[float, float, Any]:
            x = cg.tensor(x0, requires_grad=True)
            h = x
            for _ in range(n):
                h = cg.sin(h) * 1.0001 + 0.1
            h.backward()
            return float(h), float(x.grad), h

        return seed, chain

    if lib == "torch":
        import torch

        torch.set_num_threads(TORCH_THREADS)
        f64 = torch.float64

        def seed(x0: float) -> float:
            x = torch.tensor(x0, dtype=f64, requires_grad=True)
            y = (3 * x + 2) ** 4
            y.backward()
            return x.grad.item()

        def chain(n: int, x0: float) -> tuple[float, float, Any]:
            x = torch.tensor(x0, dtype=f64, requires_grad=True)
            h = x
            for _ in range(n):
                h = torch.sin(h) * 1.0001 + 0.1
            h.backward()
            return h.item(), x.grad.item(), h

        return seed, chain

    if lib == "python":
        sin, cos = math.sin, math.cos

        def seed(x0: float) -> float:
            return 4 * (3 * x0 + 2) ** 3 * 3

        def chain(n: int, x0: float) -> tuple[float, float, Any]:
            tape = []
            x = x0
            for _ in range(n):
                tape.append(cos(x))
                x = sin(x) * 1.0001 + 0.1
            g = 1.0
            for c in reversed(tape):
                g = g * 1.0001 * c
            return x, g, tape

        return seed, chain

    if lib == "autograd":
        import autograd.numpy as anp
        from autograd import grad, value_and_grad

        seed_grad = grad(lambda x: (3 * x + 2) ** 4)

        def seed(x0: float) -> float:
            return float(seed_grad(x0))

        def chain(n: int, x0: float) -> tuple[float, float, Any]:
            def f(x: Any) -> Any:
                for _ in range(n):
                    x = anp.sin(x) * 1.0001 + 0.1
                return x

            v, g = value_and_grad(f)(x0)
            return float(v), float(g), None

        return seed, chain

    if lib == "micrograd":
        from micrograd.engine import Value

        def mg_sin(v: Any) -> Any:
            # micrograd has no sin; this follows the pattern of its own unary ops.
            out = Value(math.sin(v.data), (v,), "sin")

            def _backward() -> None:
                v.grad += math.cos(v.data) * out.grad

            out._backward = _backward
            return out

        def seed(x0: float) -> float:
            x = Value(x0)
            y = (3 * x + 2) ** 4
            y.backward()
            return float(x.grad)

        def chain(n: int, x0: float) -> tuple[float, float, Any]:
            x = Value(x0)
            h = x
            for _ in range(n):
                h = mg_sin(h) * 1.0001 + 0.1
            h.backward()
            return h.data, float(x.grad), h

        return seed, chain

    raise ValueError(f"unknown library {lib!r}; choose from {', '.join(LIBS)}")


# --------------------------------------------------------------------------- worker side
def _time_seed(fn: SeedFn, repeats: int, calls: int) -> dict[str, Any]:
    grad = fn(SEED_X)
    for _ in range(min(calls, 200)):  # warm-up
        fn(SEED_X)
    best = math.inf
    perf = time.perf_counter
    for _ in range(repeats):
        t0 = perf()
        for _ in range(calls):
            fn(SEED_X)
        best = min(best, (perf() - t0) / calls)
    return {"us_per_call": best * 1e6, "grad": grad, "repeats": repeats, "calls": calls}


def _time_chain(fn: ChainFn, n: int, max_repeats: int, budget_s: float) -> dict[str, Any]:
    fn(WARMUP_STEPS, CHAIN_X0)
    gc.collect()
    base = _maxrss_kib()
    perf = time.perf_counter
    t0 = perf()
    value, grad, graph = fn(n, CHAIN_X0)
    first = perf() - t0
    peak = _maxrss_kib()
    t1 = perf()
    del graph
    gc.collect()
    teardown = perf() - t1
    times = [first]
    while len(times) < max_repeats and sum(times) < budget_s:
        t0 = perf()
        _, _, graph = fn(n, CHAIN_X0)
        times.append(perf() - t0)
        del graph
        gc.collect()
    return {"seconds": min(times), "first_seconds": first, "repeats": len(times),
            "peak_mib": (peak - base) / 1024, "baseline_mib": base / 1024,
            "teardown_seconds": teardown, "value": value, "grad": grad}


def run_worker(lib: str, what: str, args: argparse.Namespace) -> dict[str, Any]:
    """Measure one (library, workload) pair in this process and return the record."""
    seed, chain = _make_workloads(lib)
    try:
        if what == "seed":
            return _time_seed(seed, args.seed_repeats, args.seed_calls)
        return _time_chain(chain, parse_count(what), args.max_repeats, args.repeat_budget)
    except RecursionError:
        return {"error": "RecursionError"}


# --------------------------------------------------------------------------- parent side


def _spawn(lib: str, what: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = ["--worker", lib, what,
            "--seed-repeats", str(args.seed_repeats), "--seed-calls", str(args.seed_calls),
            "--max-repeats", str(args.max_repeats), "--repeat-budget", str(args.repeat_budget)]
    return spawn_worker(__file__, argv, args.timeout, describe=_describe_exit)


def _describe_exit(returncode: int, tail: str) -> str:
    if returncode < 0:
        return f"killed ({tail})"
    return "MemoryError" if "MemoryError" in tail else tail


def _best(runs: list[dict[str, Any]], key: str, worst_of: str | None = None) -> dict[str, Any]:
    """The run with the smallest ``key`` (with the largest ``worst_of`` over all runs)."""
    best = best_run(runs, key)
    if worst_of is not None and "rounds" in best:  # worst_of is already a key: order kept
        best[worst_of] = max(r[worst_of] for r in runs if key in r)
    return best


def _available(lib: str) -> str | None:
    """None when ``lib`` can be benchmarked, else the reason it is skipped."""
    if lib == "python":
        return None
    hint = " (optional; `pip install " + lib + "` to include it)" if lib in OPTIONAL else ""
    return available(lib, hint)


def _version(lib: str) -> str:
    return platform.python_version() if lib == "python" else version(lib)


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=ABS_TOL)


def _check_chain(row: dict[str, dict[str, Any]]) -> str:
    ref = row.get("python", {})
    if "value" not in ref:
        return "no reference"
    bad = [lib for lib, r in row.items() if "value" in r and not
           (_close(r["value"], ref["value"]) and _close(r["grad"], ref["grad"]))]
    head = f"x={ref['value']:.6f}, dx/dx0={ref['grad']:.3g}"
    return f"ok ({head})" if not bad else f"MISMATCH: {', '.join(bad)} ({head})"


def _check_seed(row: dict[str, dict[str, Any]]) -> str:
    bad = [lib for lib, r in row.items() if "grad" in r and not _close(r["grad"], SEED_GRAD)]
    return f"ok (dy/dx={SEED_GRAD:g})" if not bad else f"MISMATCH: {', '.join(bad)}"


def _cell(rec: dict[str, Any] | None, key: str, fmt: Callable[[float], str]) -> str:
    if rec is None:
        return "-"
    if "error" in rec:
        return rec["error"]
    return fmt(rec[key])


def build_report(libs: list[str], sizes: list[int], seed: dict[str, Any],
                 chain: dict[int, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """The markdown table plus the ratios line, and the ratios as a dict."""
    header = ["benchmark", *libs, "check"]
    rows = [["seed grad (µs/call)",
             *(_cell(seed.get(lib), "us_per_call", lambda v: f"{v:.2f}") for lib in libs),
             _check_seed(seed)]]
    for n in sizes:
        row = chain[n]
        rows.append([f"chain {fmt_count(n)}: fwd+bwd (s)",
                     *(_cell(row.get(lib), "seconds", _sig) for lib in libs), _check_chain(row)])
        rows.append([f"chain {fmt_count(n)}: peak (MiB)",
                     *(_cell(row.get(lib), "peak_mib", lambda v: f"{v:.1f}") for lib in libs), ""])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    table = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    table += [line(r) for r in rows]

    seed_r = _ratio(seed.get("compgraph"), seed.get("torch"), "us_per_call")
    chain_r = {fmt_count(n): _ratio(chain[n].get("compgraph"), chain[n].get("torch"), "seconds")
               for n in sizes}
    mem = chain.get(MEMORY_TARGET_N, {})
    mem_r = _ratio(mem.get("compgraph"), mem.get("torch"), "peak_mib")
    chain_txt = ", ".join(f"{k} {_verdict(v, TARGETS['chain'])}" for k, v in chain_r.items())
    ratio_line = (f"ratios compgraph/torch: seed time {_verdict(seed_r, TARGETS['seed'])} "
                  f"[target <= {TARGETS['seed']}]; chain time {chain_txt} "
                  f"[target <= {TARGETS['chain']}]; peak memory at "
                  f"{fmt_count(MEMORY_TARGET_N)} {_verdict(mem_r, TARGETS['memory'])} "
                  f"[target <= {TARGETS['memory']}]")
    ratios = {"seed_time": seed_r, "chain_time": chain_r,
              f"peak_memory_{fmt_count(MEMORY_TARGET_N)}": mem_r, "targets": TARGETS}
    return "\n".join(table) + "\n\n" + ratio_line, ratios


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """Spawn every worker, print the table, and return everything as a JSON-able dict."""
    wanted = args.libs or list(LIBS)
    skipped = {lib: why for lib in wanted if (why := _available(lib))}
    libs = [lib for lib in wanted if lib not in skipped]
    sizes = list(dict.fromkeys(args.sizes))

    seed_runs: dict[str, list[dict[str, Any]]] = {lib: [] for lib in libs}
    for r in range(args.seed_rounds):  # rounds interleave libraries: fairer on a busy machine
        for lib in libs:
            progress(f"[seed, round {r + 1}/{args.seed_rounds}] {lib} ...")
            seed_runs[lib].append(_spawn(lib, "seed", args))
    seed = {lib: _best(runs, "us_per_call") for lib, runs in seed_runs.items()}
    chain: dict[int, dict[str, Any]] = {}
    too_deep: dict[str, str] = {}  # library -> smallest N that raised RecursionError
    for n in sizes:
        runs: dict[str, list[dict[str, Any]]] = {lib: [] for lib in libs}
        for r in range(args.chain_rounds):
            for lib in libs:
                if runs[lib] and "error" in runs[lib][-1]:
                    continue  # an error (RecursionError, timeout) will not go away
                if lib in too_deep:  # a deeper chain recurses deeper: do not spend minutes
                    runs[lib].append({"error": "RecursionError", "inferred_from": too_deep[lib]})
                    continue
                progress(f"[chain {fmt_count(n)}, round {r + 1}/{args.chain_rounds}] {lib} ...")
                t0 = time.perf_counter()
                runs[lib].append(_spawn(lib, str(n), args))
                progress(f"    {time.perf_counter() - t0:.1f} s wall")
        chain[n] = {lib: _best(rs, "seconds", worst_of="peak_mib") for lib, rs in runs.items()}
        for lib, rec in chain[n].items():
            if rec.get("error") == "RecursionError" and lib not in too_deep:
                too_deep[lib] = fmt_count(n)

    report, ratios = build_report(libs, sizes, seed, chain)
    versions = {lib: _version(lib) for lib in libs}
    commit = _git_commit()
    print(f"compgraph core benchmarks -- commit {commit}, {platform.platform()}, "
          f"{os.cpu_count()} CPUs, torch threads = {TORCH_THREADS}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print("chain: x -> sin(x)*1.0001 + 0.1 (3 ops/step), float64; seed: y = (3x+2)**4 at x=3; "
          "each cell a fresh process; peak = rise of ru_maxrss over post-warm-up baseline\n")
    print(report)
    for lib, why in skipped.items():
        print(f"note: {lib} skipped: {why}")
    for lib, n in too_deep.items():
        if any(m > parse_count(n) for m in sizes):
            print(f"note: {lib} raised RecursionError at N={n}; longer chains were not run")
    if "micrograd" in libs:
        print("note: micrograd has no sin; the chain adds one in micrograd's own style. Its "
              "recursive topological sort hits Python's recursion limit on long chains.")
    return {"meta": run_meta(commit, TORCH_THREADS, versions, argv=sys.argv[1:]),
            "seed": seed, "chain": {fmt_count(n): chain[n] for n in sizes},
            "ratios": ratios, "skipped": skipped}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", nargs="+", type=parse_count, default=list(DEFAULT_SIZES),
                   metavar="N", help="chain lengths (default: 1e3 1e4 1e5 1e6)")
    p.add_argument("--quick", action="store_true", help="chain lengths 1e3 1e4 only")
    p.add_argument("--libs", nargs="+", choices=LIBS, help="libraries to run (default: all)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    p.add_argument("--seed-repeats", type=int, default=5, help="seed timing loops (default 5)")
    p.add_argument("--seed-calls", type=int, default=2000, help="calls per loop (default 2000)")
    p.add_argument("--seed-rounds", type=int, default=3,
                   help="fresh worker processes per library for the seed, best kept (default 3)")
    p.add_argument("--chain-rounds", type=int, default=1,
                   help="fresh worker processes per library and N: best time, largest "
                        "peak kept (default 1)")
    p.add_argument("--max-repeats", type=int, default=10,
                   help="runs of a chain for its best time (default 10)")
    p.add_argument("--repeat-budget", type=float, default=2.0,
                   help="stop re-running a chain once its runs took this many s (default 2)")
    p.add_argument("--timeout", type=float, default=900.0,
                   help="seconds allowed per worker process (default 900)")
    p.add_argument("--worker", nargs=2, metavar=("LIB", "seed|N"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        lib, what = args.worker
        emit_result(run_worker(lib, what, args))
        return 0
    if args.quick:
        args.sizes = list(QUICK_SIZES)
    results = run_all(args)
    if args.json:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
