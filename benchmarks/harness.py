"""Harness code shared by the benchmark scripts (run_core, run_transforms, run_static, run_nn).

Every script measures each cell in a fresh worker process (the script itself, run with
``--worker ...``); the worker prints one ``RESULT {json}`` line that the parent reads back.
This module holds the pieces that were the same in all of them: locating and importing the
checkout's ``compgraph``, the best-of-N timing loop, spawning a worker and reading its
record, keeping the best of several rounds, and the small formatting and metadata helpers.
The scripts import it by path (``benchmarks/`` is ``sys.path[0]`` when one is run as
``python benchmarks/run_X.py``), so nothing here may import a script.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
"""The repository root (the checkout the benchmarks live in)."""
SRC = ROOT / "src"
RESULT_TAG = "RESULT "
"""Prefix of the one line of stdout that carries a worker's JSON record."""

Record = dict[str, Any]


# --------------------------------------------------------------------------- worker side
def load_compgraph() -> Any:
    """Import ``compgraph``; when it is not installed, from the checkout's ``src/``."""
    try:
        import compgraph
    except ImportError:  # not installed: use the checkout this script lives in
        sys.path.insert(0, str(SRC))
        import compgraph
    return compgraph


def emit_result(record: Record) -> None:
    """Print a worker's record as the ``RESULT`` line its parent looks for."""
    print(RESULT_TAG + json.dumps(record), flush=True)


def time_calls(call: Callable[[], Any], repeats: int, min_loop: float) -> tuple[float, int]:
    """Best seconds per call over ``repeats`` loops of at least ``min_loop`` s each.

    Warm-up: at least 3 calls and a quarter of a loop's time; it also calibrates how many
    calls a loop makes. Returns (best seconds per call, calls per loop).
    """
    perf = time.perf_counter
    n, t0 = 0, perf()
    while n < 3 or perf() - t0 < min_loop / 4:
        call()
        n += 1
    per_call = (perf() - t0) / n
    calls = max(1, math.ceil(min_loop / max(per_call, 1e-9)))
    best = math.inf
    for _ in range(repeats):
        t0 = perf()
        for _ in range(calls):
            call()
        best = min(best, (perf() - t0) / calls)
    return best, calls


def maxrss_kib() -> int:
    """High-water resident set size of this process (KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss // 1024 if sys.platform == "darwin" else rss


# --------------------------------------------------------------------------- parent side
def progress(msg: str) -> None:
    """A progress line on stderr (stdout holds only the report)."""
    print(msg, file=sys.stderr, flush=True)


def killed_tail(returncode: int, tail: str) -> str:
    """Default error text for a worker that printed no record: its last stderr line."""
    return f"killed ({tail})" if returncode < 0 else tail


def spawn_worker(script: str | Path, argv: list[str], timeout: float,
                 env: dict[str, str] | None = None,
                 describe: Callable[[int, str], str] = killed_tail) -> Record:
    """Run ``python script *argv`` and return the record from its ``RESULT`` line.

    Without one the record is ``{"error": ...}``: a timeout, or ``describe(returncode,
    last stderr line)`` cut to 80 characters.
    """
    cmd = [sys.executable, str(Path(script).resolve()), *argv]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"error": f"timeout > {timeout:g} s"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_TAG):
            return json.loads(line[len(RESULT_TAG):])
    tail = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
    return {"error": describe(proc.returncode, tail)[:80]}


def best_run(runs: list[Record], key: str, rounds_key: str = "rounds") -> Record:
    """A copy of the run with the smallest ``key``, with every round's ``key`` under
    ``rounds_key``; the last run (an error) when none has ``key``."""
    ok = [r for r in runs if key in r]
    if not ok:
        return runs[-1]
    best = dict(min(ok, key=lambda r: r[key]))
    best[rounds_key] = [r[key] for r in ok]
    return best


def available(module: str, hint: str = "") -> str | None:
    """None when ``module`` can be imported (compgraph: or its checkout exists), else why
    not; ``hint`` is appended to "not installed"."""
    if module == "compgraph":
        src = SRC / "compgraph"
        return None if importlib.util.find_spec(module) or src.is_dir() else "not importable"
    if importlib.util.find_spec(module) is None:
        return "not installed" + hint
    return None


def version(dist: str) -> str:
    """The installed version of distribution ``dist``, or '?'."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def git_commit() -> str:
    """The checkout's commit (with '+dirty' when src/ has local changes), or '?'."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=ROOT,
                               text=True, capture_output=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "?"
    return (head or "?") + ("+dirty" if dirty else "")


def run_meta(commit: str, torch_threads: int, versions: dict[str, str],
             **extra: Any) -> dict[str, Any]:
    """The ``meta`` block of a results JSON: commit, machine, versions, then ``extra``."""
    return {"commit": commit, "platform": platform.platform(), "cpus": os.cpu_count(),
            "python": platform.python_version(), "torch_threads": torch_threads,
            "versions": versions, **extra}


def write_json(path: str, results: dict[str, Any]) -> None:
    """Write ``results`` to ``path`` as indented JSON and say so."""
    Path(path).write_text(json.dumps(results, indent=2) + "\n")
    print(f"results written to {path}")


# --------------------------------------------------------------------------- formatting
def parse_count(text: str, minimum: int = 1) -> int:
    """``"1e5"``, ``"100000"`` or ``"100_000"`` -> 100000 (a whole number >= minimum)."""
    value = float(text.replace("_", ""))
    if value < minimum or value != int(value):
        what = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}")
    return int(value)


def fmt_count(n: int) -> str:
    """1000 -> '1e3'; other numbers as they are."""
    exp = round(math.log10(n)) if n > 0 else 0
    return f"1e{exp}" if 10**exp == n else str(n)


def sig(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits; large numbers in full."""
    return f"{x:.{digits}g}" if abs(x) < 10 ** digits else f"{x:.0f}"


def ratio(num: Record | None, den: Record | None,
          key: str = "seconds_per_call") -> float | None:
    """``num[key] / den[key]``, or None when either is missing (or den's is not > 0)."""
    if not num or not den or key not in num or key not in den or den[key] <= 0:
        return None
    return num[key] / den[key]


def verdict(r: float | None, target: float | None = None, unit: str = "") -> str:
    """A ratio for the report: 'n/a', '1.23' or, against a target, '1.23 (ok|MISS)'."""
    if r is None:
        return "n/a"
    if target is None:
        return f"{r:.3g}{unit}"
    return f"{r:.3g}{unit} ({'ok' if r <= target else 'MISS'})"
