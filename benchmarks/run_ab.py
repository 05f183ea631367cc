"""Two versions of compgraph side by side in one process (an A/B of a hot-path change).

The machine's speed drifts, so separate runs of the two versions compare badly.  Every
import inside ``src/compgraph`` is relative, so an older tree copied under another name
loads beside the current one; this script does that and alternates the two on the same
workloads, reporting each side's best time and the median of the per-round ratios
(a version against itself gives 1.00-1.02x here)::

    .venv/bin/python benchmarks/run_ab.py --old 0594a50               # a git revision
    .venv/bin/python benchmarks/run_ab.py --old /path/to/src/compgraph seed chain rnn

Workloads: ``seed`` (``loss.backward()`` of ``(3x+2)**4``), ``grad`` (``cg.grad`` of it),
``compiled`` (``cg.function(cg.grad(f))(3.0)``), ``chain`` (1000 steps of
``sin(h)*1.0001 + 0.1``, forward and backward), ``rnn`` (the 100-step RNN of
``run_static.py``, dynamic).
"""

from __future__ import annotations

import argparse
import importlib
import io
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "src"))

WORKLOADS = ("seed", "grad", "compiled", "chain", "rnn")


def load_old(spec: str, into: Path) -> Any:
    """The older compgraph as the package ``cgold``: from a folder, or a git revision."""
    dest = into / "cgold"
    if Path(spec).is_dir():
        shutil.copytree(spec, dest)
    else:
        data = subprocess.run(["git", "-C", str(ROOT), "archive", spec, "src/compgraph"],
                              check=True, capture_output=True).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(into, filter="data")
        (into / "src" / "compgraph").rename(dest)
    sys.path.insert(0, str(into))
    return importlib.import_module("cgold")


def make(cg: Any, which: str) -> tuple[Callable[[], Any], int]:
    """(one call of the workload on this version, calls per timed round)."""
    if which == "seed":
        def seed() -> Any:
            x = cg.tensor(3.0, requires_grad=True)
            ((3 * x + 2) ** 4).backward()
            return x.grad
        return seed, 2000
    if which == "grad":
        g = cg.grad(lambda x: (3 * x + 2) ** 4)
        return (lambda: g(3.0)), 2000
    if which == "compiled":
        c = cg.function(cg.grad(lambda x: (3 * x + 2) ** 4))
        c(3.0)
        return (lambda: c(3.0)), 20000
    if which == "chain":
        def chain() -> None:
            x = cg.tensor(0.5, requires_grad=True)
            h = x
            for _ in range(1000):
                h = cg.sin(h) * 1.0001 + 0.1
            h.backward()
        return chain, 3
    if which == "rnn":
        import run_static as rs
        wx, wh, bb, xs = rs._rnn_data()
        xs_t = cg.constant(xs)

        def rnn() -> None:
            ps = [cg.tensor(v, requires_grad=True) for v in (wx, wh, bb)]
            w_x, w_h, b = ps
            h = cg.tanh(xs_t[0] @ w_x + b)
            loss = cg.sum(h * h)
            for t in range(1, rs.RNN_T):
                h = cg.tanh(xs_t[t] @ w_x + h @ w_h + b)
                loss = loss + cg.sum(h * h)
            (loss / rs.RNN_T).backward()
        return rnn, 5
    raise ValueError(f"unknown workload {which!r}; known: {', '.join(WORKLOADS)}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--old", required=True, help="a git revision or a compgraph package folder")
    p.add_argument("--rounds", type=int, default=21)
    p.add_argument("workloads", nargs="*", default=list(WORKLOADS))
    args = p.parse_args()
    import compgraph as new

    with tempfile.TemporaryDirectory() as tmp:
        old = load_old(args.old, Path(tmp))
        print(f"old: {args.old} ({old.__file__})\nnew: {new.__file__}\n")
        print("| workload | old (best) | new (best) | new / old (median of rounds) |")
        print("|---|---|---|---|")
        for which in args.workloads:
            fa, n = make(old, which)
            fb, _ = make(new, which)
            for _ in range(3):
                fa()
                fb()
            ta, tb, ratios = [], [], []
            for r in range(args.rounds):
                res = {}
                for k, f in (("a", fa), ("b", fb)) if r % 2 else (("b", fb), ("a", fa)):
                    t = time.perf_counter()
                    for _ in range(n):
                        f()
                    res[k] = (time.perf_counter() - t) / n
                ta.append(res["a"])
                tb.append(res["b"])
                ratios.append(res["b"] / res["a"])
            print(f"| {which} | {min(ta) * 1e6:.2f} us | {min(tb) * 1e6:.2f} us | "
                  f"{statistics.median(ratios):.3f}x |")


if __name__ == "__main__":
    main()
