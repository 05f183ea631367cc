"""MLP training-step benchmark: compgraph (dynamic and compiled) side by side with a
hand-written NumPy step, PyTorch eager, ``jax.jit``, TensorFlow (eager and
``tf.function``) and the matrix-product floor.

One workload: an MLP 784-512-512-10 (ReLU), batch 256, float32, softmax cross entropy
(mean over the batch), and a plain SGD update (lr 0.01, no momentum) of every weight
and bias.  One *step* = forward + backward + update, in ms.  Implementations:

- ``cg-dynamic``:  ``cg.nn.Sequential`` of ``Linear``/``ReLU``, ``nn.cross_entropy``,
  ``opt.zero_grad(); loss.backward(); opt.step()`` with ``cg.optim.SGD``.
- ``cg-compiled``: ``cg.function(cg.value_and_grad(loss_fn, argnums=0))`` traced once
  over ``[W1, b1, W2, b2, W3, b3]`` (NumPy arrays), the batch and a one-hot label
  matrix; then the SGD update in NumPy, in place (``g *= lr; p -= g``).
- ``numpy``:       a hand-written forward + backward + in-place update (``numpy_step``).
- ``torch``:       PyTorch eager (``torch.set_num_threads(2)``): ``nn.Sequential``,
  ``F.cross_entropy``, ``loss.backward()``, ``torch.optim.SGD.step()``.
- ``jax``:         ``jax.jit`` of the whole step (params -> loss, new params), if
  importable.
- ``tf-eager``:    TensorFlow eager (2 intra-op and 2 inter-op threads), if importable:
  ``tf.Variable`` parameters, ``tf.nn.sparse_softmax_cross_entropy_with_logits``,
  ``tf.GradientTape`` and ``var.assign_sub(lr * g)`` (what ``torch.optim.SGD.step()``
  does without momentum: an in-place ``p -= lr * g``, without the Keras optimizer's
  bookkeeping).
- ``tf-function``: the same step under ``@tf.function`` (traced on the first call).
- ``floor``:       only the step's 8 matrix products in NumPy (3 forward, 5 backward:
  no gradient with respect to the input), into preallocated ``out=`` buffers.

Every (implementation, round) cell runs in a fresh subprocess
(``run_nn.py --worker IMPL``) that imports only its own library.  The worker first runs
one step from the shared initial weights (NumPy ``default_rng(0)``, PyTorch-style
uniform init) and saves the updated weights; a ``--worker check`` process compares
them across implementations.  It then warms up, sizes its loops to at least
``--min-loop`` seconds, and keeps the best per-step time of ``--repeats`` loops; the
best over ``--rounds`` workers, run interleaved across implementations, is reported.

``--paired`` adds a paired in-process measurement (``run_nn.py --worker paired``): the
NumPy-based implementations (``PAIRED_IMPLS``) are built in one worker, warmed up, and
timed one call each per round (each right after an untimed call of the same step),
back to back, in an order that rotates every round; the median (and quartiles) over
rounds of each per-round ratio is reported.  Drift between processes cancels out of
those ratios, so they are much steadier than ratios of best-of times taken in
different processes.

    .venv/bin/python benchmarks/run_nn.py               # 3 rounds (about 2 minutes)
    .venv/bin/python benchmarks/run_nn.py --quick       # 1 round, short loops
    .venv/bin/python benchmarks/run_nn.py --paired      # the above + paired ratios
    .venv/bin/python benchmarks/run_nn.py --impls cg-dynamic numpy --json out.json
    .venv/bin/python benchmarks/run_nn.py --profile cg-dynamic   # cProfile one cell

The parent process imports only the standard library.
"""
from __future__ import annotations

import argparse
import functools
import importlib.metadata
import json
import math
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py, beside this script
from harness import (available, best_run, emit_result, git_commit as _git_commit,  # noqa: E402
                     load_compgraph as _load_compgraph, spawn_worker,
                     time_calls as _time_step)

IMPLS: tuple[str, ...] = ("cg-dynamic", "cg-compiled", "numpy", "torch", "jax", "tf-eager",
                          "tf-function", "floor")
TORCH_THREADS = 2
TF_THREADS = 2  # intra-op and inter-op pool sizes: the same 2 threads as torch and BLAS
SIZES = (784, 512, 512, 10)
BATCH = 256
LR = 0.01
SEED = 0
# max |W_a - W_ref| / max |W_ref - W0| over all parameters (the update is ~1e-4 of
# the weights, so this is far stricter than comparing the weights themselves)
CHECK_TOL = 1e-3
TARGETS = {"dynamic/numpy": 1.15, "compiled/torch": 1.0, "compiled/floor": 1.2}
# Implementations that --paired may put in one process: NumPy-based only, since torch's,
# jax's and TensorFlow's own thread pools contend with OpenBLAS's threads when they
# share a process.
PAIRED_IMPLS: tuple[str, ...] = ("cg-dynamic", "cg-compiled", "numpy", "floor")
# ratio name -> (numerator, denominator) of the paired measurement
PAIRS: dict[str, tuple[str, str]] = {"dynamic/numpy": ("cg-dynamic", "numpy"),
                                     "compiled/numpy": ("cg-compiled", "numpy"),
                                     "compiled/floor": ("cg-compiled", "floor"),
                                     "numpy/floor": ("numpy", "floor")}
LEGEND = {
    "cg-dynamic": "compgraph dynamic: nn.Sequential(Linear, ReLU, ...), nn.cross_entropy, "
                  "loss.backward(), optim.SGD.step()",
    "cg-compiled": "compgraph cg.function of the whole step (value_and_grad of the loss "
                   "and the SGD update p - lr*g), traced once, parameters donated "
                   "(donate_argnums=0: updated in place)",
    "numpy": "hand-written NumPy forward + backward + in-place SGD",
    "torch": f"PyTorch eager (set_num_threads({TORCH_THREADS})): nn.Sequential, "
             "F.cross_entropy, backward(), optim.SGD.step()",
    "jax": "jax.jit of the whole step (loss and updated params), block_until_ready",
    "tf-eager": f"TensorFlow eager ({TF_THREADS} intra-/inter-op threads): tf.Variable, "
                "sparse_softmax_cross_entropy_with_logits, GradientTape, "
                "var.assign_sub(lr * g) (no Keras optimizer)",
    "tf-function": "the tf-eager step under @tf.function (traced once, on the first step)",
    "floor": "the 8 matrix products of the step alone in NumPy (3 fwd + 5 bwd, out= buffers)",
}
Step = Callable[[], Any]


# --------------------------------------------------------------------------- workloads
def make_problem() -> tuple[list, Any, Any]:
    """Initial [W1, b1, W2, b2, W3, b3] (W of shape (out, in)), batch x and labels y."""
    import numpy as np
    rng = np.random.default_rng(SEED)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1.0 / math.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, fan_out).astype(np.float32))
    x = rng.standard_normal((BATCH, SIZES[0])).astype(np.float32)
    y = rng.integers(0, SIZES[-1], BATCH).astype(np.int64)
    return params, x, y


def numpy_step(params: list, x: Any, y: Any, lr: float = LR) -> float:
    """One hand-written SGD step on ``params`` (updated in place); returns the loss.

    loss = mean_i(logsumexp(z3_i) - z3_i[y_i]); d loss/d z3 = (softmax(z3) - onehot)/N.
    Each W has shape (out, in) and the layer is ``h @ W.T + b``, so dW = dz.T @ h_in,
    db = dz.sum(0), dh_in = dz @ W; ReLU passes the gradient where its output is > 0.
    """
    import numpy as np
    w1, b1, w2, b2, w3, b3 = params
    n = x.shape[0]
    h1 = x @ w1.T
    h1 += b1
    np.maximum(h1, 0, out=h1)
    h2 = h1 @ w2.T
    h2 += b2
    np.maximum(h2, 0, out=h2)
    z3 = h2 @ w3.T
    z3 += b3
    z3 -= z3.max(axis=1, keepdims=True)
    e = np.exp(z3)
    s = e.sum(axis=1, keepdims=True)
    rows = np.arange(n)
    loss = float(np.mean(np.log(s[:, 0]) - z3[rows, y]))
    e /= s                      # softmax
    e[rows, y] -= 1.0
    e *= 1.0 / n                # dz3
    gw3 = e.T @ h2
    gb3 = e.sum(axis=0)
    dz2 = e @ w3
    dz2 *= h2 > 0
    gw2 = dz2.T @ h1
    gb2 = dz2.sum(axis=0)
    dz1 = dz2 @ w2
    dz1 *= h1 > 0
    gw1 = dz1.T @ x
    gb1 = dz1.sum(axis=0)
    for p, g in zip(params, (gw1, gb1, gw2, gb2, gw3, gb3)):
        g *= lr
        p -= g
    return loss


def make_step(impl: str) -> tuple[Step, Callable[[], list], str]:
    """(step, read the current params as NumPy arrays, version) for ``impl``."""
    params, x, y = make_problem()
    if impl in ("numpy", "floor"):
        import numpy as np
        version = np.__version__
        if impl == "numpy":
            return (lambda: numpy_step(params, x, y)), (lambda: params), version
        w1, _, w2, _, w3, _ = params
        n, (d0, d1, d2, d3) = x.shape[0], SIZES
        f32 = np.float32
        h1, h2, z3 = np.empty((n, d1), f32), np.empty((n, d2), f32), np.empty((n, d3), f32)
        dz2, dz1 = np.empty((n, d2), f32), np.empty((n, d1), f32)
        gw1, gw2, gw3 = np.empty_like(w1), np.empty_like(w2), np.empty_like(w3)
        mm = np.matmul
        w1t, w2t, w3t = w1.T, w2.T, w3.T

        def floor() -> None:
            mm(x, w1t, out=h1)
            mm(h1, w2t, out=h2)
            mm(h2, w3t, out=z3)
            mm(z3.T, h2, out=gw3)
            mm(z3, w3, out=dz2)
            mm(dz2.T, h1, out=gw2)
            mm(dz2, w2, out=dz1)
            mm(dz1.T, x, out=gw1)

        return floor, (lambda: params), version

    if impl == "cg-dynamic":
        cg = _load_compgraph()
        from compgraph import nn
        model = nn.Sequential(nn.Linear(784, 512, dtype="float32"), nn.ReLU(),
                              nn.Linear(512, 512, dtype="float32"), nn.ReLU(),
                              nn.Linear(512, 10, dtype="float32"))
        ps = model.parameters()
        for p, v in zip(ps, params):
            p.data[...] = v
        opt = cg.optim.SGD(ps, lr=LR)
        xt = cg.tensor(x)

        def dynamic() -> float:
            loss = nn.cross_entropy(model(xt), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return dynamic, (lambda: [p.data for p in ps]), importlib.metadata.version("compgraph")

    if impl == "cg-compiled":
        import numpy as np
        cg = _load_compgraph()

        def loss_fn(ps: list, xb: Any, onehot: Any) -> Any:
            w1, b1, w2, b2, w3, b3 = ps
            h = cg.relu(xb @ w1.T + b1)
            h = cg.relu(h @ w2.T + b2)
            logits = h @ w3.T + b3
            return -cg.sum(cg.log_softmax(logits) * onehot) / xb.shape[0]

        @functools.partial(cg.function, donate_argnums=0)
        def train_step(ps: list, xb: Any, onehot: Any) -> Any:
            # The whole step traced once, JAX style: loss, gradients and the SGD update.
            # The parameters are donated: each update is a subtraction written into
            # the parameter's own buffer.
            loss, grads = cg.value_and_grad(loss_fn, argnums=0)(ps, xb, onehot)
            return loss, [p - LR * g for p, g in zip(ps, grads)]

        onehot = np.eye(SIZES[-1], dtype=np.float32)[y]
        state = {"params": params}

        def compiled() -> Any:
            loss, new = train_step(state["params"], x, onehot)
            state["params"] = [t.data for t in new]
            return loss

        return compiled, (lambda: state["params"]), importlib.metadata.version("compgraph")

    if impl == "torch":
        import torch
        import torch.nn.functional as F
        torch.set_num_threads(TORCH_THREADS)
        model = torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(),
                                    torch.nn.Linear(512, 512), torch.nn.ReLU(),
                                    torch.nn.Linear(512, 10))
        tps = list(model.parameters())
        with torch.no_grad():
            for p, v in zip(tps, params):
                p.copy_(torch.from_numpy(v))
        opt = torch.optim.SGD(tps, lr=LR)
        xt, yt = torch.from_numpy(x), torch.from_numpy(y)

        def eager() -> Any:
            loss = F.cross_entropy(model(xt), yt)
            opt.zero_grad()
            loss.backward()
            opt.step()
            return loss

        return eager, (lambda: [p.detach().numpy().copy() for p in tps]), torch.__version__

    if impl == "jax":
        import jax
        import jax.numpy as jnp
        import numpy as np

        def loss_fn(ps: list, xb: Any, onehot: Any) -> Any:
            w1, b1, w2, b2, w3, b3 = ps
            h = jax.nn.relu(xb @ w1.T + b1)
            h = jax.nn.relu(h @ w2.T + b2)
            logits = h @ w3.T + b3
            return -jnp.sum(jax.nn.log_softmax(logits) * onehot) / xb.shape[0]

        @jax.jit
        def jstep(ps: list, xb: Any, onehot: Any) -> Any:
            loss, grads = jax.value_and_grad(loss_fn)(ps, xb, onehot)
            return loss, [p - LR * g for p, g in zip(ps, grads)]

        state = {"ps": [jnp.asarray(p) for p in params]}
        xj = jnp.asarray(x)
        oj = jnp.asarray(np.eye(SIZES[-1], dtype=np.float32)[y])

        def jitted() -> Any:
            loss, state["ps"] = jstep(state["ps"], xj, oj)
            jax.block_until_ready(state["ps"])
            return loss

        return jitted, (lambda: [np.asarray(p) for p in state["ps"]]), jax.__version__

    if impl in ("tf-eager", "tf-function"):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep C++ info logs off stderr
        import tensorflow as tf
        # Must run before the first op creates TF's thread pools.
        tf.config.threading.set_intra_op_parallelism_threads(TF_THREADS)
        tf.config.threading.set_inter_op_parallelism_threads(TF_THREADS)
        tvars = [tf.Variable(v) for v in params]  # W stays (out, in): x @ W^T below
        xt, yt = tf.constant(x), tf.constant(y)

        def tf_step() -> Any:
            w1, b1, w2, b2, w3, b3 = tvars
            with tf.GradientTape() as tape:
                h = tf.nn.relu(tf.matmul(xt, w1, transpose_b=True) + b1)
                h = tf.nn.relu(tf.matmul(h, w2, transpose_b=True) + b2)
                logits = tf.matmul(h, w3, transpose_b=True) + b3
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=yt, logits=logits))
            grads = tape.gradient(loss, tvars)
            # In-place p -= lr * g, as torch.optim.SGD.step() does without momentum;
            # tf.keras.optimizers.SGD would add its iteration counter and Python layers.
            for v, g in zip(tvars, grads):
                v.assign_sub(LR * g)
            return loss

        # No arguments (everything is captured), so tf.function traces exactly once.
        # On CPU both run synchronously: the step has finished when the call returns.
        step = tf.function(tf_step) if impl == "tf-function" else tf_step
        return step, (lambda: [v.numpy() for v in tvars]), tf.__version__

    raise ValueError(f"unknown implementation {impl!r}; choose from {', '.join(IMPLS)}")


# --------------------------------------------------------------------------- worker side
def _blas_info() -> list[dict[str, Any]] | str:
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "threadpoolctl not installed"
    return [{k: d.get(k) for k in ("user_api", "internal_api", "num_threads", "version",
                                   "threading_layer", "architecture")}
            for d in threadpool_info()]


def run_worker(impl: str, args: argparse.Namespace) -> dict[str, Any]:
    step, read, version = make_step(impl)
    t0 = time.perf_counter()
    step()
    first = time.perf_counter() - t0
    if args.save and impl != "floor":
        import numpy as np
        np.savez(args.save, *[np.asarray(p) for p in read()])
    best, calls = _time_step(step, args.repeats, args.min_loop)
    rec = {"ms": best * 1e3, "first_ms": first * 1e3, "calls": calls, "version": version}
    if impl in ("numpy", "floor", "cg-dynamic", "cg-compiled"):
        rec["blas"] = _blas_info()
    if impl == "torch":
        import torch
        rec["torch_threads"] = torch.get_num_threads()
    if impl.startswith("tf-"):
        import tensorflow as tf
        rec["tf_threads"] = {"intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
                             "inter_op": tf.config.threading.get_inter_op_parallelism_threads()}
    return rec


def _round_orders(n: int) -> list[list[int]]:
    """Every rotation of ``range(n)``, forwards then backwards.

    Cycling through them puts each implementation in each position of a round equally
    often, so drift within a round and what is left of order effects (a BLAS pool just
    woken, the cache) cancel out of the medians instead of biasing one side.
    """
    fwd = list(range(n))
    rotations = [fwd[k:] + fwd[:k] for k in range(n)]
    return rotations + [r[::-1] for r in rotations]


def run_paired(impls: list[str], rounds: int, warmup: float) -> dict[str, Any]:
    """Time ``impls`` in this one process, one call of each per round, back to back.

    Each timed call comes right after an untimed call of the same step: the steps share
    one malloc heap, and after another step's frees have trimmed it a step pays for
    faulting its buffers back in (measured: ~1700 minor faults, +40% for cg-dynamic after
    ``numpy``), a cost that a step in a process of its own does not have.
    Returns the min and median ms/step of each implementation and, for every pair of
    ``PAIRS`` present, the median and quartiles over rounds of the per-round ratio.
    """
    import statistics
    if len(impls) < 2:
        return {"error": f"needs 2 or more of {', '.join(PAIRED_IMPLS)}"}
    steps: dict[str, Step] = {}
    versions: dict[str, str] = {}
    for impl in impls:
        steps[impl], _, versions[impl] = make_step(impl)
    # Warm each alone first (tracing, BLAS buffers, allocator), then one untimed cycle of
    # rounds, so the timed rounds start from the mixed state they run in.
    for step in steps.values():
        _time_step(step, 1, warmup)
    orders = _round_orders(len(impls))
    perf = time.perf_counter
    times: dict[str, list[float]] = {impl: [] for impl in impls}
    for rnd in range(-len(orders), rounds):
        for i in orders[rnd % len(orders)]:
            step = steps[impls[i]]
            step()  # untimed: back to this step's own steady state (see the docstring)
            t0 = perf()
            step()
            dt = perf() - t0
            if rnd >= 0:
                times[impls[i]].append(dt)

    def summary(xs: list[float]) -> dict[str, float]:
        q25, med, q75 = statistics.quantiles(xs, n=4, method="inclusive")
        return {"median": med, "q25": q25, "q75": q75}

    ratios = {name: summary([ta / tb for ta, tb in zip(times[a], times[b])])
              for name, (a, b) in PAIRS.items() if a in times and b in times}
    return {"impls": impls, "rounds": rounds, "rewarm_calls": 1, "ratios": ratios,
            "min_ms": {i: min(t) * 1e3 for i, t in times.items()},
            "median_ms": {i: statistics.median(t) * 1e3 for i, t in times.items()},
            "versions": versions, "blas": _blas_info()}


def run_check(directory: str) -> dict[str, Any]:
    """Compare the saved one-step weights of every implementation with ``numpy``'s."""
    import numpy as np
    init, _, _ = make_problem()
    saved = {}
    for f in sorted(Path(directory).glob("*.npz")):
        with np.load(f) as z:
            saved[f.stem] = [z[f"arr_{i}"] for i in range(len(z.files))]
    ref = saved.get("numpy") or saved.get("torch")
    if ref is None:
        return {"error": "no reference (numpy or torch) saved"}
    scale = max(float(np.abs(r.astype(np.float64) - w0).max()) for r, w0 in zip(ref, init))
    out = {"update_max": scale}
    for name, ps in saved.items():
        diff = max(float(np.abs(p.astype(np.float64) - r).max()) for p, r in zip(ps, ref))
        out[name] = diff / scale
    return out


# --------------------------------------------------------------------------- parent side
def _available(impl: str) -> str | None:
    mod = {"cg-dynamic": "compgraph", "cg-compiled": "compgraph", "numpy": "numpy",
           "floor": "numpy", "torch": "torch", "jax": "jax", "tf-eager": "tensorflow",
           "tf-function": "tensorflow"}[impl]
    hints = {"jax": " (optional: `pip install jax jaxlib`)",
             "tensorflow": " (optional: `pip install tensorflow-cpu`)"}
    return available(mod, hints.get(mod, ""))


def _spawn(argv: list[str], timeout: float) -> dict[str, Any]:
    return spawn_worker(__file__, argv, timeout)


def _ratio(res: dict[str, dict], a: str, b: str) -> float | None:
    ra, rb = res.get(a, {}), res.get(b, {})
    if "ms" not in ra or "ms" not in rb:
        return None
    return ra["ms"] / rb["ms"]


def _paired_median(paired: dict[str, Any] | None, name: str) -> float | None:
    """The paired median of ratio ``name``, or None without a paired result for it."""
    return ((paired or {}).get("ratios", {}).get(name) or {}).get("median")


def build_report(impls: list[str], res: dict[str, dict], check: dict[str, Any],
                 skipped: dict[str, str],
                 paired: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    def cell(impl: str, key: str) -> str:
        r = res.get(impl, {})
        return r["error"] if "error" in r else f"{r[key]:.2f}"

    def chk(impl: str) -> str:
        if impl == "floor":
            return "(no update)"
        if "error" in check:
            return check["error"]
        v = check.get(impl)
        if v is None:
            return "-"
        return f"{v:.1e} {'ok' if v <= CHECK_TOL else 'MISMATCH'}"

    numpy_ms = res.get("numpy", {}).get("ms")
    header = ["implementation", "ms/step", "first step (ms)", "x numpy", "weights vs numpy"]
    rows = [[impl, cell(impl, "ms"), cell(impl, "first_ms"),
             f"{res[impl]['ms'] / numpy_ms:.2f}" if numpy_ms and "ms" in res.get(impl, {})
             else "-", chk(impl)] for impl in impls]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    ratios = {"dynamic/numpy": _ratio(res, "cg-dynamic", "numpy"),
              "compiled/torch": _ratio(res, "cg-compiled", "torch"),
              "compiled/floor": _ratio(res, "cg-compiled", "floor")}
    verdicts = []
    for k, v in ratios.items():
        t = TARGETS[k]
        pm = _paired_median(paired, k)  # the verdict stays on the cross-process ratio
        verdicts.append(f"{k} " + ("n/a" if v is None else f"{v:.3g} ({'ok' if v <= t else 'MISS'})")
                        + ("" if pm is None else f" [paired {pm:.3g}]") + f" [<= {t}]")
    out += ["", "targets: " + "; ".join(verdicts)]
    others = {"compiled/numpy": _ratio(res, "cg-compiled", "numpy"),
              "dynamic/torch": _ratio(res, "cg-dynamic", "torch"),
              "numpy/floor": _ratio(res, "numpy", "floor"),
              "torch/floor": _ratio(res, "torch", "floor"),
              "jax/floor": _ratio(res, "jax", "floor"),
              "compiled/tf-function": _ratio(res, "cg-compiled", "tf-function")}
    out.append("other ratios: " + ", ".join(f"{k} {v:.3g}" for k, v in others.items()
                                             if v is not None))
    if "update_max" in check:
        out.append(f"weights check: max |W - W_numpy| / max |W_numpy - W0| over all 6 "
                   f"parameters after one step from the same W0 (tol {CHECK_TOL:g}; "
                   f"largest update {check['update_max']:.2e})")
    out.append("")
    out += [f"- `{i}`: {LEGEND[i]}" for i in impls]
    out += [f"- `{i}` skipped: {why}" for i, why in skipped.items()]
    ratios.update(others)
    return "\n".join(out), ratios


def build_paired_report(paired: dict[str, Any], ratios: dict[str, Any]) -> str:
    """The markdown table of the paired in-process ratios, beside the cross-process ones."""
    title = "paired in-process ratios (median of per-round ratios, 25%-75%)"
    if "error" in paired:
        return f"{title}: {paired['error']}"
    header = ["pair", "median", "25%", "75%", "cross-process"]
    rows = []
    for name, q in paired["ratios"].items():
        cross = ratios.get(name)
        rows.append([name, f"{q['median']:.3f}", f"{q['q25']:.3f}", f"{q['q75']:.3f}",
                     "-" if cross is None else f"{cross:.3f}"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    out = [f"{title}, {paired['rounds']} rounds of one step of each of "
           f"{', '.join(paired['impls'])} in one worker (each right after an untimed one), order "
           "rotated every round:", "",
           line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    out += ["", "paired ms/step, min (median): " + ", ".join(
        f"{i} {paired['min_ms'][i]:.2f} ({paired['median_ms'][i]:.2f})" for i in paired["impls"])]
    # A busy second process makes 2-thread BLAS wait for a core in every step; the wait
    # then dominates every implementation alike and pulls all ratios towards 1.
    if any(paired["median_ms"][i] > 2 * paired["min_ms"][i] for i in paired["impls"]):
        out.append("WARNING: median step > 2x the min: the CPUs were busy, ratios are "
                   "diluted towards 1; rerun on an idle machine")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].replace("\n", " "))
    p.add_argument("--impls", nargs="+", default=list(IMPLS), choices=IMPLS)
    p.add_argument("--quick", action="store_true", help="1 round of 3 loops of 0.1 s")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--min-loop", type=float, default=0.3, help="seconds per timed loop")
    p.add_argument("--timeout", type=float, default=300.0)
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    p.add_argument("--profile", metavar="IMPL", choices=IMPLS,
                   help="cProfile IMPL's timed loop in this process and print the top functions")
    p.add_argument("--paired", action="store_true",
                   help="also time the NumPy-based impls among --impls "
                        f"({', '.join(PAIRED_IMPLS)}) in one worker, back to back, and "
                        "report the median of the per-round ratios")
    p.add_argument("--paired-rounds", type=int, default=200, metavar="N",
                   help="timed rounds of the --paired worker (default 200)")
    p.add_argument("--worker", metavar="IMPL", help=argparse.SUPPRESS)
    p.add_argument("--save", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.paired_rounds < 2:
        p.error("--paired-rounds must be at least 2 (quartiles need two rounds)")
    if args.quick:
        args.rounds, args.repeats, args.min_loop = 1, 3, 0.1

    if args.worker == "check":
        emit_result(run_check(args.save))
        return 0
    if args.worker == "paired":
        # warm-up reuses --min-loop: each step alone for about a loop's time
        emit_result(run_paired(args.impls, args.paired_rounds, args.min_loop))
        return 0
    if args.worker:
        emit_result(run_worker(args.worker, args))
        return 0
    if args.profile:
        import cProfile
        import pstats
        step, _, _ = make_step(args.profile)
        _time_step(step, 1, args.min_loop)
        prof = cProfile.Profile()
        n = max(10, int(2.0 / max(_time_step(step, 1, 0.2)[0], 1e-6)))
        prof.enable()
        for _ in range(n):
            step()
        prof.disable()
        print(f"{args.profile}: {n} steps under cProfile")
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return 0

    impls, skipped = [], {}
    for impl in args.impls:
        why = _available(impl)
        (skipped.__setitem__(impl, why) if why else impls.append(impl))
    runs: dict[str, list[dict]] = {i: [] for i in impls}
    tmp = tempfile.mkdtemp(prefix="run_nn-")
    try:
        common = ["--repeats", str(args.repeats), "--min-loop", str(args.min_loop)]
        for rnd in range(args.rounds):
            for impl in impls:
                extra = ["--save", str(Path(tmp) / f"{impl}.npz")] if rnd == 0 else []
                print(f"round {rnd + 1}/{args.rounds}: {impl} ...", file=sys.stderr, flush=True)
                runs[impl].append(_spawn(["--worker", impl, *common, *extra], args.timeout))
        check = _spawn(["--worker", "check", "--save", tmp], args.timeout)
        paired = None
        if args.paired:
            # skipped (unavailable) impls are left out here too
            pimpls = [i for i in PAIRED_IMPLS if i in impls]
            if len(pimpls) < 2:
                paired = {"error": f"needs 2 or more of {', '.join(PAIRED_IMPLS)} in --impls"}
            else:
                print(f"paired: {' '.join(pimpls)}, {args.paired_rounds} rounds ...",
                      file=sys.stderr, flush=True)
                paired = _spawn(["--worker", "paired", "--impls", *pimpls, "--paired-rounds",
                                 str(args.paired_rounds), "--min-loop", str(args.min_loop)],
                                args.timeout)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    res = {impl: best_run(rs, "ms", rounds_key="rounds_ms") for impl, rs in runs.items()}
    report, ratios = build_report(impls, res, check, skipped, paired)
    blas = next((r["blas"] for r in res.values() if "blas" in r), "?")
    env = {k: v for k, v in os.environ.items() if k.startswith(("OPENBLAS_", "OMP_", "MKL_"))}
    print(f"MLP {'-'.join(map(str, SIZES))}, batch {BATCH}, float32, SGD lr {LR}; "
          f"{platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, commit {_git_commit()}; best per-step time of "
          f"{args.repeats} loops of >= {args.min_loop:g} s, best again over {args.rounds} "
          f"fresh worker(s) per implementation")
    print(f"versions: " + ", ".join(f"{i} {res[i].get('version', '?')}" for i in impls))
    print(f"BLAS (threadpoolctl, in the NumPy workers): {blas}; thread env vars: {env or 'none set'}")
    print()
    print(report)
    if paired is not None:
        print()
        print(build_paired_report(paired, ratios))
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"results": res, "check": check, "ratios": ratios, "targets": TARGETS,
             "skipped": skipped, "blas": blas, "env": env, "commit": _git_commit(),
             "rounds": args.rounds, "repeats": args.repeats, "min_loop": args.min_loop,
             **({"paired": paired} if paired is not None else {})},
            indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
