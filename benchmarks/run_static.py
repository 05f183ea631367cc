"""Static-graph benchmarks: compgraph's compiled graphs (``g.compile``, ``cg.function``)
side by side with its dynamic engine, hand-written NumPy / plain Python, PyTorch eager
and, where installed, ``jax.jit`` and ``tf.function``.

Three workloads:

1. **seed gradients**, microseconds per call:
   (A) ``y = (a-b)*(a+b)`` with ``dy/da``, ``dy/db`` at ``(3, 1)``: the API's static-graph
   example, ``fn = g.compile([y, *g.gradients(y, [a, b])]); fn(3.0, 1.0)`` (and
   ``fn(a=3.0, b=1.0)``); (B) ``dy/dx`` of ``y = (3*x+2)**4`` at ``x = 3``:
   ``cg.function(cg.grad(f))(3.0)`` against ``jax.jit(jax.grad(f))(3.0)`` and the rest,
   once returning each library's own result and once converted to a Python float.
2. **tanh RNN**, float32: input 16, hidden 64, batch 8, 100 steps unrolled,
   ``h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b)`` from ``h_{-1} = 0``, loss
   ``mean_t sum(h_t**2)``; loss and gradients w.r.t. ``Wx``, ``Wh``, ``b`` in one call,
   milliseconds per call, every result checked against the hand-written NumPy
   forward+backward run in float64.
3. **trace + optimise + compile** time of a chain ``x -> sin(x)*1.0001 + 0.1`` with
   ``N/5`` steps (a traced graph of ``N`` nodes: 3 ops and 2 constants per step),
   ``N = 1e3, 1e4, 1e5``: seconds and microseconds per node.

Every (implementation, workload) measurement runs in a fresh subprocess
(``run_static.py --worker IMPL WORKLOAD``) that imports only its own library: a first
call (timed: tracing and compilation included), a warm-up, then the best per-call time
of ``--repeats`` loops of at least ``--min-loop`` seconds.  ``--rounds`` worker
processes per cell run interleaved across implementations and the best is kept.  The
parent process imports only the standard library.  Usage (from the repository root)::

    .venv/bin/python benchmarks/run_static.py              # 3 rounds, N up to 1e5
    .venv/bin/python benchmarks/run_static.py --quick      # 1 round, short loops, N <= 1e4
    .venv/bin/python benchmarks/run_static.py --json results.json
    .venv/bin/python benchmarks/run_static.py --profile cg-function rnn   # cProfile, in-process
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
                     parse_count as _parse_count, progress, ratio as _ratio, run_meta,
                     sig as _sig, spawn_worker, time_calls as _time_call,
                     verdict as _verdict, version as _version, write_json)

TORCH_THREADS = 2
SEED_X = 3.0
SEED_GRAD = 4 * (3 * SEED_X + 2) ** 3 * 3  # 15972.0
SEED2_AB = (3.0, 1.0)
SEED2_REF = (8.0, 6.0, -2.0)  # y, dy/da = 2a, dy/db = -2b
RNN_T, RNN_B, RNN_I, RNN_H = 100, 8, 16, 64
RNN_TOL = 1e-4  # float32 results against the float64 reference, relative to max |ref|
SEED_TOL = 1e-12
CHAIN_X0 = 0.5
NODES_PER_STEP = 5  # sin, mul, add and the constants 1.0001, 0.1
DEFAULT_SIZES: tuple[int, ...] = (10**3, 10**4, 10**5)
QUICK_SIZES: tuple[int, ...] = (10**3, 10**4)
TARGETS = {"seed_compile_us": 2.0, "seed_function_over_jax_jit": 0.5,
           "rnn_over_numpy": 1.2, "rnn_over_torch": 0.5}

# (column key, library, table header)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("cg-compile", "compgraph", "cg g.compile"),
    ("cg-function", "compgraph", "cg.function"),
    ("cg-dynamic", "compgraph", "cg dynamic"),
    ("numpy", "numpy", "NumPy/Python by hand"),
    ("torch", "torch", "torch eager"),
    ("jax-jit", "jax", "jax.jit"),
    ("tf-function", "tensorflow", "tf.function"),
)
LIBS: tuple[str, ...] = ("compgraph", "numpy", "torch", "jax", "tensorflow")
OPTIONAL = frozenset({"jax", "tensorflow"})
ALL_IMPLS = tuple(key for key, _, _ in COLUMNS)
WORKLOADS: dict[str, tuple[str, ...]] = {
    "seed2": ALL_IMPLS,
    "seed2-kw": ("cg-compile", "cg-function"),
    "seed": ALL_IMPLS,
    "seed-float": ALL_IMPLS,
    "rnn": ALL_IMPLS,
    "compile": ("cg-compile", "cg-function", "jax-jit", "tf-function"),
}
# What each cell calls, for the table's legend.
WHAT: dict[str, dict[str, str]] = {
    "seed2": {
        "cg-compile": "g.compile([y, *g.gradients(y, [a, b])]) called fn(3.0, 1.0)",
        "cg-function": "cg.function(cg.value_and_grad(f, argnums=(0, 1)))(3.0, 1.0)",
        "cg-dynamic": "cg.tensor(.., requires_grad=True) x2, y.backward(), (y, a.grad, b.grad)",
        "numpy": "y, 2*a, -2*b in plain Python",
        "torch": "torch.tensor(.., requires_grad=True) x2, y.backward(), (y, a.grad, b.grad)",
        "jax-jit": "jax.jit(jax.value_and_grad(f, argnums=(0, 1)))(3.0, 1.0), blocked",
        "tf-function": "tf.function over a GradientTape, tf.constant inputs"},
    "seed-float": {
        "cg-compile": "float(fn(3.0))", "cg-function": "float(cg.function(cg.grad(f))(3.0))",
        "cg-dynamic": "float(x.grad)", "numpy": "the formula (already a float)",
        "torch": "x.grad.item()", "jax-jit": "float(jax.jit(jax.grad(f))(3.0))",
        "tf-function": "float(g(tf.constant(3.0)).numpy())"},
    "seed2-kw": {"cg-compile": "fn(a=3.0, b=1.0)",
                 "cg-function": "cg.function(...)(a=3.0, b=1.0)"},
    "seed": {
        "cg-compile": "g.compile(g.gradients(y, x)) called fn(3.0)",
        "cg-function": "cg.function(cg.grad(f))(3.0)",
        "cg-dynamic": "cg.tensor(3.0, requires_grad=True), y.backward(), x.grad",
        "numpy": "4*(3*x+2)**3*3 in plain Python",
        "torch": "torch.tensor(3.0, requires_grad=True), y.backward(), x.grad",
        "jax-jit": "jax.jit(jax.grad(f))(3.0), blocked",
        "tf-function": "tf.function over a GradientTape, tf.constant input"},
    "rnn": {
        "cg-compile": "Graph with shaped float32 inputs, g.gradients, g.compile",
        "cg-function": "cg.function(cg.value_and_grad(loss, argnums=(0, 1, 2)))",
        "cg-dynamic": "cg.tensor(.., requires_grad=True), loss.backward()",
        "numpy": "hand-written forward+backward, same per-step ops",
        "torch": "torch.autograd.grad(loss, [Wx, Wh, b])",
        "jax-jit": "jax.jit(jax.value_and_grad(loss, argnums=(0, 1, 2))), blocked",
        "tf-function": "tf.function over a GradientTape"},
    "compile": {
        "cg-compile": "Graph() + chain + g.optimize + compile (+ 1 run)",
        "cg-function": "first call of cg.function(chain)(0.5)",
        "jax-jit": "first call of jax.jit(chain)(0.5), blocked",
        "tf-function": "first call of tf.function(chain)"},
}

Call = Callable[[], Any]


# --------------------------------------------------------------------------- workloads
def _lib(impl: str) -> str:
    return next(lib for key, lib, _ in COLUMNS if key == impl)


def _rnn_data() -> tuple[Any, Any, Any, Any]:
    """``Wx`` (16x64), ``Wh`` (64x64), ``b`` (64), ``xs`` (100x8x16), float32, fixed seeds."""
    import numpy as np

    rng = np.random.default_rng(0)
    f32 = np.float32
    wx = (rng.standard_normal((RNN_I, RNN_H)) / math.sqrt(RNN_I)).astype(f32)
    wh = (rng.standard_normal((RNN_H, RNN_H)) * 0.9 / math.sqrt(RNN_H)).astype(f32)
    b = (rng.standard_normal(RNN_H) * 0.1).astype(f32)
    xs = rng.standard_normal((RNN_T, RNN_B, RNN_I)).astype(f32)
    return wx, wh, b, xs


def numpy_rnn(wx: Any, wh: Any, b: Any, xs: Any) -> tuple[Any, Any, Any, Any]:
    """Loss ``mean_t sum(h_t**2)`` and its gradients w.r.t. ``wx``, ``wh``, ``b``, by hand.

    The same per-step ops as the other implementations (no hoisted ``xs @ wx``), with
    the intermediates updated in place where nothing else needs them.  Works in the
    inputs' dtype (float32 for the benchmark, float64 for the reference).
    """
    import numpy as np

    steps = len(xs)
    hs = []
    pre = xs[0] @ wx
    pre += b
    h = np.tanh(pre, out=pre)
    hs.append(h)
    loss = np.vdot(h, h)
    for t in range(1, steps):
        pre = xs[t] @ wx
        pre += h @ wh
        pre += b
        h = np.tanh(pre, out=pre)
        hs.append(h)
        loss += np.vdot(h, h)
    loss = loss / steps
    scale = 2.0 / steps  # d loss / d h_t = scale * h_t (plus what flows back from t+1)
    whT = wh.T
    dwx = np.zeros_like(wx)
    dwh = np.zeros_like(wh)
    db = np.zeros_like(b)
    dh = hs[-1] * scale
    for t in range(steps - 1, -1, -1):
        h = hs[t]
        dpre = h * h
        np.subtract(1, dpre, out=dpre)
        dpre *= dh                      # d loss / d pre_t = dh_t * (1 - h_t**2)
        dwx += xs[t].T @ dpre
        db += dpre.sum(axis=0)
        if t:
            hp = hs[t - 1]
            dwh += hp.T @ dpre
            dh = dpre @ whT
            dh += hp * scale
    return loss, dwx, dwh, db


def _rnn_reference() -> tuple[Any, ...]:
    import numpy as np

    return numpy_rnn(*(a.astype(np.float64) for a in _rnn_data()))


def _chain_steps(n_nodes: int) -> int:
    return max(1, n_nodes // NODES_PER_STEP)


def _checker(workload: str) -> Callable[[Any], dict[str, float]]:
    """A function from an implementation's result (as Python floats / ndarrays) to errors."""
    import numpy as np

    if workload in ("seed", "seed-float"):
        def check(g: Any) -> dict[str, float]:
            err = abs(float(g) - SEED_GRAD)
            return {"value": float(g), "max_abs_err": err, "max_rel_err": err / SEED_GRAD}
        return check
    if workload in ("seed2", "seed2-kw"):
        def check(out: Any) -> dict[str, float]:
            vals = [float(v) for v in out]
            err = max(abs(v - r) for v, r in zip(vals, SEED2_REF))
            return {"value": vals, "max_abs_err": err, "max_rel_err": err / 8.0}
        return check
    if workload == "rnn":
        ref = _rnn_reference()

        def check(out: Any) -> dict[str, float]:
            dtype = str(np.asarray(out[1]).dtype)
            out = [np.asarray(o, dtype=np.float64) for o in out]
            rel = []
            for o, r in zip(out, ref):
                if np.shape(o) != np.shape(r):
                    raise ValueError(f"result of shape {np.shape(o)}, expected {np.shape(r)}")
                rel.append(float(np.abs(o - r).max() / np.abs(r).max()))
            return {"max_rel_err": max(rel), "max_abs_err": max(
                float(np.abs(o - r).max()) for o, r in zip(out, ref)),
                "loss": float(out[0]), "dtype": dtype}
        return check
    raise ValueError(f"unknown workload {workload!r}")


def _make_call(impl: str, workload: str) -> tuple[Call, Callable[[Any], Any]]:
    """A no-argument call running ``workload`` with ``impl``, and a converter of its result
    to plain floats / ndarrays (for the check only; not timed, except where the workload
    is ``seed-float``, whose call itself returns a Python float)."""
    import numpy as np

    lib = _lib(impl)
    seed_like = workload in ("seed", "seed-float")
    to_float = workload == "seed-float"
    if workload not in WORKLOADS or impl not in WORKLOADS[workload] or workload == "compile":
        raise ValueError(f"{impl} does not run {workload}")

    def seed_f(x: Any) -> Any:
        return (3 * x + 2) ** 4

    def seed2_f(a: Any, b: Any) -> Any:
        return (a - b) * (a + b)

    if lib == "compgraph":
        cg = _load_compgraph()

        def rnn_loss(wx: Any, wh: Any, b: Any, xs: Any) -> Any:
            h = cg.tanh(xs[0] @ wx + b)
            loss = cg.sum(h * h)
            for t in range(1, RNN_T):
                h = cg.tanh(xs[t] @ wx + h @ wh + b)
                loss = loss + cg.sum(h * h)
            return loss / RNN_T

        def arrays(out: Any) -> Any:
            return [o.numpy() if isinstance(o, cg.Tensor) else o for o in out]

        if impl == "cg-compile":
            g = cg.Graph()
            if workload in ("seed2", "seed2-kw"):
                a, b = g.input("a"), g.input("b")
                y = seed2_f(a, b)
                fn = g.compile([y, *g.gradients(y, [a, b])])
                av, bv = SEED2_AB
                if workload == "seed2":
                    return (lambda: fn(av, bv)), list
                return (lambda: fn(a=av, b=bv)), list
            if seed_like:
                x = g.input("x")
                fn = g.compile(g.gradients(seed_f(x), x))
                if to_float:
                    return (lambda: float(fn(SEED_X))), float
                return (lambda: fn(SEED_X)), float
            wx, wh, bb, xs = _rnn_data()
            ins = [g.input(name, shape=v.shape, dtype=v.dtype)
                   for name, v in zip(("Wx", "Wh", "b", "xs"), (wx, wh, bb, xs))]
            loss = rnn_loss(*ins)
            fn = g.compile([loss, *g.gradients(loss, ins[:3])])
            return (lambda: fn(wx, wh, bb, xs)), list

        if impl == "cg-function":
            if workload in ("seed2", "seed2-kw"):
                cf = cg.function(lambda a, b: cg.value_and_grad(seed2_f, argnums=(0, 1))(a, b))
                av, bv = SEED2_AB

                def flat(out: Any) -> Any:
                    y, (da, db) = out
                    return [float(y), float(da), float(db)]
                if workload == "seed2":
                    return (lambda: cf(av, bv)), flat
                return (lambda: cf(a=av, b=bv)), flat
            if seed_like:
                cf = cg.function(cg.grad(seed_f))
                if to_float:
                    return (lambda: float(cf(SEED_X))), float
                return (lambda: cf(SEED_X)), float
            wx, wh, bb, xs = _rnn_data()
            cf = cg.function(lambda wx, wh, b, xs: cg.value_and_grad(
                rnn_loss, argnums=(0, 1, 2))(wx, wh, b, xs))

            def flat_rnn(out: Any) -> Any:
                loss, grads = out
                return arrays([loss, *grads])
            return (lambda: cf(wx, wh, bb, xs)), flat_rnn

        # cg-dynamic
        tensor = cg.tensor
        if workload == "seed2":
            av, bv = SEED2_AB

            def call() -> Any:
                a = tensor(av, requires_grad=True)
                b = tensor(bv, requires_grad=True)
                y = seed2_f(a, b)
                y.backward()
                return y, a.grad, b.grad
            return call, lambda out: [float(o) for o in out]
        if seed_like:
            def call() -> Any:
                x = tensor(SEED_X, requires_grad=True)
                y = seed_f(x)
                y.backward()
                return float(x.grad) if to_float else x.grad
            return call, float
        wx, wh, bb, xs = _rnn_data()
        xs_t = cg.constant(xs)

        def call() -> Any:
            ps = [tensor(v, requires_grad=True) for v in (wx, wh, bb)]
            loss = rnn_loss(*ps, xs_t)
            loss.backward()
            return loss, ps[0].grad, ps[1].grad, ps[2].grad
        return call, arrays

    if lib == "numpy":
        if workload == "seed2":
            av, bv = SEED2_AB

            def call() -> Any:
                a, b = av, bv
                return (a - b) * (a + b), 2 * a, -2 * b
            return call, list
        if seed_like:
            def call() -> Any:
                x = SEED_X
                return 4 * (3 * x + 2) ** 3 * 3  # already a Python float
            return call, float
        data = _rnn_data()
        return (lambda: numpy_rnn(*data)), list

    if lib == "torch":
        import torch

        torch.set_num_threads(TORCH_THREADS)
        f64 = torch.float64
        if workload == "seed2":
            av, bv = SEED2_AB

            def call() -> Any:
                a = torch.tensor(av, dtype=f64, requires_grad=True)
                b = torch.tensor(bv, dtype=f64, requires_grad=True)
                y = seed2_f(a, b)
                y.backward()
                return y.detach(), a.grad, b.grad
            return call, lambda out: [o.item() for o in out]
        if seed_like:
            def call() -> Any:
                x = torch.tensor(SEED_X, dtype=f64, requires_grad=True)
                y = seed_f(x)
                y.backward()
                return x.grad.item() if to_float else x.grad
            return call, float
        wx, wh, bb, xs = (torch.from_numpy(v) for v in _rnn_data())
        xs_list = list(xs)

        def call() -> Any:
            ps = [v.detach().requires_grad_() for v in (wx, wh, bb)]
            w_x, w_h, b = ps
            h = torch.tanh(xs_list[0] @ w_x + b)
            loss = (h * h).sum()
            for t in range(1, RNN_T):
                h = torch.tanh(xs_list[t] @ w_x + h @ w_h + b)
                loss = loss + (h * h).sum()
            loss = loss / RNN_T
            grads = torch.autograd.grad(loss, ps)
            return (loss.detach(), *grads)
        return call, lambda out: [o.numpy() for o in out]

    if lib == "jax":
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)  # seeds in float64; the RNN stays float32
        block = jax.block_until_ready
        if workload == "seed2":
            jf = jax.jit(jax.value_and_grad(seed2_f, argnums=(0, 1)))
            av, bv = SEED2_AB

            def flat(out: Any) -> Any:
                y, (da, db) = out
                return [float(y), float(da), float(db)]
            return (lambda: block(jf(av, bv))), flat
        if seed_like:
            jg = jax.jit(jax.grad(seed_f))
            if to_float:
                return (lambda: float(jg(SEED_X))), float
            return (lambda: jg(SEED_X).block_until_ready()), float

        def loss_j(wx: Any, wh: Any, b: Any, xs: Any) -> Any:
            h = jnp.tanh(xs[0] @ wx + b)
            loss = jnp.sum(h * h)
            for t in range(1, RNN_T):
                h = jnp.tanh(xs[t] @ wx + h @ wh + b)
                loss = loss + jnp.sum(h * h)
            return loss / RNN_T

        jvg = jax.jit(jax.value_and_grad(loss_j, argnums=(0, 1, 2)))
        data = [jnp.asarray(v) for v in _rnn_data()]

        def flat_rnn(out: Any) -> Any:
            loss, grads = out
            return [np.asarray(loss), *(np.asarray(g) for g in grads)]
        return (lambda: block(jvg(*data))), flat_rnn

    if lib == "tensorflow":
        import tensorflow as tf

        tf.config.threading.set_intra_op_parallelism_threads(TORCH_THREADS)
        if workload == "seed2":
            @tf.function
            def tseed2(a: Any, b: Any) -> Any:
                with tf.GradientTape() as tape:
                    tape.watch([a, b])
                    y = seed2_f(a, b)
                da, db = tape.gradient(y, [a, b])
                return y, da, db
            av, bv = SEED2_AB

            def call() -> Any:
                return tseed2(tf.constant(av, tf.float64), tf.constant(bv, tf.float64))
            return call, lambda out: [float(o.numpy()) for o in out]
        if seed_like:
            @tf.function
            def tseed(x: Any) -> Any:
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    y = seed_f(x)
                return tape.gradient(y, x)

            def call() -> Any:
                g = tseed(tf.constant(SEED_X, tf.float64))
                return float(g.numpy()) if to_float else g
            return call, lambda g: float(np.asarray(g))

        @tf.function
        def trnn(wx: Any, wh: Any, b: Any, xs: Any) -> Any:
            with tf.GradientTape() as tape:
                tape.watch([wx, wh, b])
                h = tf.tanh(xs[0] @ wx + b)
                loss = tf.reduce_sum(h * h)
                for t in range(1, RNN_T):
                    h = tf.tanh(xs[t] @ wx + h @ wh + b)
                    loss = loss + tf.reduce_sum(h * h)
                loss = loss / RNN_T
            return (loss, *tape.gradient(loss, [wx, wh, b]))
        data = [tf.constant(v) for v in _rnn_data()]
        return (lambda: trnn(*data)), lambda out: [o.numpy() for o in out]

    raise ValueError(f"unknown implementation {impl!r}")


# --------------------------------------------------------------------------- compile scaling
def _make_build(impl: str) -> Callable[[int], dict[str, Any]]:
    """A function ``build(steps)``: trace, optimise and compile the chain once, from scratch,
    run it once, and return the seconds it took (with phases where they can be told apart)."""
    perf = time.perf_counter
    lib = _lib(impl)
    if impl not in WORKLOADS["compile"]:
        raise ValueError(f"{impl} does not run compile")
    if lib == "compgraph":
        cg = _load_compgraph()
        import numpy as np

        def chain(x: Any, steps: int) -> Any:
            for _ in range(steps):
                x = cg.sin(x) * 1.0001 + 0.1
            return x

        if impl == "cg-function":
            def build(steps: int) -> dict[str, Any]:
                t0 = perf()
                f = cg.function(lambda x: chain(x, steps))
                value = float(f(CHAIN_X0))
                total = perf() - t0
                return {"seconds": total, "value": value,
                        "nodes": len(f.get_graph(CHAIN_X0))}
            return build

        def build(steps: int) -> dict[str, Any]:
            # What g.compile(y) does, phase by phase: optimise (keep=[y]), then generate
            # the code of the optimised graph.  The input is declared with its shape and
            # dtype (as cg.function does), so no per-signature specialisation follows.
            t0 = perf()
            g = cg.Graph()
            y = chain(g.input("x", shape=(), dtype=np.float64), steps)
            t1 = perf()
            opt = g.optimize(keep=[y])
            t2 = perf()
            fn = opt.compile(opt[y.name], optimize=False)
            t3 = perf()
            value = float(fn(CHAIN_X0))
            t4 = perf()
            return {"seconds": t4 - t0, "trace_seconds": t1 - t0, "optimize_seconds": t2 - t1,
                    "codegen_seconds": t3 - t2, "run_seconds": t4 - t3, "value": value,
                    "nodes": len(g), "optimized_nodes": len(opt)}
        return build

    if lib == "jax":
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)

        def build(steps: int) -> dict[str, Any]:
            jax.clear_caches()

            def chain(x: Any) -> Any:
                for _ in range(steps):
                    x = jnp.sin(x) * 1.0001 + 0.1
                return x
            t0 = perf()
            value = float(jax.jit(chain)(CHAIN_X0).block_until_ready())
            return {"seconds": perf() - t0, "value": value}
        return build

    if lib == "tensorflow":
        import tensorflow as tf

        def build(steps: int) -> dict[str, Any]:
            def chain(x: Any) -> Any:
                for _ in range(steps):
                    x = tf.sin(x) * 1.0001 + 0.1
                return x
            t0 = perf()
            value = float(tf.function(chain)(tf.constant(CHAIN_X0, tf.float64)).numpy())
            return {"seconds": perf() - t0, "value": value}
        return build

    raise ValueError(f"{impl} does not run compile")


def _chain_reference(steps: int) -> float:
    x = CHAIN_X0
    for _ in range(steps):
        x = math.sin(x) * 1.0001 + 0.1
    return x


# --------------------------------------------------------------------------- worker side
def run_worker(impl: str, workload: str, args: argparse.Namespace) -> dict[str, Any]:
    """Time one (implementation, workload) pair in this process and return the record."""
    rec = _run_worker(impl, workload, args)
    if "compgraph" in sys.modules:  # which checkout was measured (see the table's header)
        rec["compgraph_file"] = sys.modules["compgraph"].__file__
    return rec


def _run_worker(impl: str, workload: str, args: argparse.Namespace) -> dict[str, Any]:
    perf = time.perf_counter
    if workload.startswith("compile-"):
        n = int(float(workload.split("-", 1)[1]))
        steps = _chain_steps(n)
        build = _make_build(impl)
        build(100)  # warm-up: imports, first-use caches
        gc.collect()
        runs = [build(steps)]
        while len(runs) < args.compile_repeats and \
                sum(r["seconds"] for r in runs) < args.compile_budget:
            gc.collect()
            runs.append(build(steps))
        best = dict(min(runs, key=lambda r: r["seconds"]))
        ref = _chain_reference(steps)
        err = abs(best["value"] - ref) / abs(ref)
        best.update({"steps": steps, "repeats": len(runs), "max_rel_err": err,
                     "max_abs_err": abs(best["value"] - ref),
                     "all_seconds": [r["seconds"] for r in runs]})
        return best
    t0 = perf()
    call, convert = _make_call(impl, workload)
    check = _checker(workload)
    setup = perf() - t0
    t0 = perf()
    result = call()
    first = perf() - t0
    rec: dict[str, Any] = {"setup_seconds": setup, "first_call_seconds": first}
    rec.update(check(convert(result)))
    best, calls = _time_call(call, args.repeats, args.min_loop)
    rec.update({"seconds_per_call": best, "calls": calls, "repeats": args.repeats})
    return rec


def run_profile(impl: str, workload: str, args: argparse.Namespace) -> None:
    """cProfile the timed loop of one cell in this process; print the top functions."""
    import cProfile
    import pstats

    call, _ = _make_call(impl, workload)
    call()
    best, calls = _time_call(call, 1, args.min_loop)
    print(f"{impl} {workload}: {best * 1e6:.2f} µs per call before profiling")
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        call()
    prof.disable()
    stats = pstats.Stats(prof)
    stats.sort_stats("tottime").print_stats(args.profile_top)


# --------------------------------------------------------------------------- parent side
def parse_count(text: str) -> int:
    """``"1e5"``, ``"100000"`` or ``"100_000"`` -> 100000."""
    return _parse_count(text, NODES_PER_STEP)


def _spawn(impl: str, workload: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = ["--worker", impl, workload, "--repeats", str(args.repeats),
            "--min-loop", str(args.min_loop), "--compile-repeats", str(args.compile_repeats),
            "--compile-budget", str(args.compile_budget)]
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"),
               TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"))
    return spawn_worker(__file__, argv, args.timeout, env=env, describe=_describe_exit)


def _describe_exit(returncode: int, tail: str) -> str:
    if returncode == -11:
        return "crashed (SIGSEGV)"
    if returncode < 0:
        return f"killed (signal {-returncode})"
    return tail


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the smallest time, with every round's time and the worst error."""
    key = "seconds_per_call" if any("seconds_per_call" in r for r in runs) else "seconds"
    best = best_run(runs, key)
    if "rounds" not in best:
        return best
    ok = [r for r in runs if key in r]
    if "first_call_seconds" in best:
        best["first_call_seconds"] = min(r["first_call_seconds"] for r in ok)
    best["max_abs_err"] = max(r["max_abs_err"] for r in ok)
    best["max_rel_err"] = max(r["max_rel_err"] for r in ok)
    return best


def _available(lib: str) -> str | None:
    """None when ``lib`` can be benchmarked, else the reason it is skipped."""
    hint = (f" (optional, not a project dependency; `.venv/bin/pip install {lib}` to "
            f"include it)") if lib in OPTIONAL else ""
    why = available(lib, hint)
    if why and lib == "tensorflow":
        return ("not importable (optional, not a project dependency; `.venv/bin/pip install "
                "tensorflow-cpu` to include the tf.function column)")
    return why


def _check(workload: str, row: dict[str, dict[str, Any]]) -> str:
    """Agreement of every implementation's result with the reference, in words."""
    done = {k: r for k, r in row.items() if "max_rel_err" in r}
    if not done:
        return "nothing ran"
    err = max(r["max_rel_err"] for r in done.values())
    if workload == "rnn":
        tol = RNN_TOL
        text = (f"loss {next(iter(done.values()))['loss']:.5f}; loss and grads vs float64 "
                f"NumPy, max diff / max |ref| {err:.1e}")
    elif workload.startswith("compile-"):
        tol = 1e-12
        cg = row.get("cg-compile", {})
        nodes = cg.get("nodes") or row.get("cg-function", {}).get("nodes")
        text = f"{nodes} nodes" if nodes else ""
        if "optimize_seconds" in cg:
            text += (f" -> {cg['optimized_nodes']} after optimize; g.compile: trace "
                     f"{_sig(cg['trace_seconds'])} + optimize {_sig(cg['optimize_seconds'])}"
                     f" + codegen {_sig(cg['codegen_seconds'])} s")
        text += f"; values vs Python, max rel diff {err:.0e}"
    else:
        tol = SEED_TOL
        ref = (f"dy/dx={SEED_GRAD:g}" if workload.startswith("seed-") or workload == "seed"
               else "(y, dy/da, dy/db)=(8, 6, -2)")
        text = f"{ref}, max rel diff {err:.0e}"
    bad = [k for k, r in done.items() if r["max_rel_err"] > tol]
    return f"ok ({text})" if not bad else f"MISMATCH: {', '.join(bad)} ({text})"


LABELS = {"seed2": "seed (a-b)*(a+b): y, dy/da, dy/db (µs/call)",
          "seed2-kw": "  same, inputs by keyword (µs/call)",
          "seed": "seed (3x+2)**4: dy/dx (µs/call)",
          "seed-float": "  same, result as Python float (µs/call)",
          "rnn": (f"tanh RNN {RNN_T} steps, fwd+bwd (ms/call)")}


def build_report(columns: list[str], results: dict[str, dict[str, dict[str, Any]]]
                 ) -> tuple[str, dict[str, Any]]:
    """The markdown table plus the ratio lines, and the ratios as a dict."""
    heads = {key: head for key, _, head in COLUMNS}
    header = ["benchmark", *(heads[c] for c in columns), "check"]
    rows: list[list[str]] = []

    def cell(row: dict[str, Any], c: str, key: str, fmt: Callable[[float], str]) -> str:
        if c not in row:
            return "-"
        rec = row[c]
        return rec["error"] if "error" in rec else fmt(rec[key])

    for workload, row in results.items():
        if workload.startswith("compile-"):
            n = int(workload.split("-", 1)[1])
            rows.append([f"trace+optimise+compile, N={fmt_count(n)} nodes (s)",
                         *(cell(row, c, "seconds", _sig) for c in columns),
                         _check(workload, row)])
            rows.append(["  same, per node (µs/node)",
                         *(cell(row, c, "seconds", lambda s, n=n: _sig(s / n * 1e6))
                           for c in columns), f"N = {n} (5 per chain step)"])
            continue
        scale = 1e3 if workload == "rnn" else 1e6
        digits = 3
        rows.append([LABELS[workload],
                     *(cell(row, c, "seconds_per_call", lambda s: _sig(s * scale, digits))
                       for c in columns), _check(workload, row)])
        if workload == "rnn":
            rows.append(["  same, first call (ms)",
                         *(cell(row, c, "first_call_seconds", lambda s: _sig(s * 1e3))
                           for c in columns), "tracing / compilation included"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    table = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    table += [line(r) for r in rows]

    def us(workload: str, impl: str) -> float | None:
        rec = results.get(workload, {}).get(impl, {})
        return rec["seconds_per_call"] * 1e6 if "seconds_per_call" in rec else None

    seed, rnn = results.get("seed", {}), results.get("rnn", {})
    seedf = results.get("seed-float", {})
    ratios: dict[str, Any] = {
        "seed_compile_us": us("seed2", "cg-compile"),
        "seed_compile_kw_us": us("seed2-kw", "cg-compile"),
        "seed_function_over_jax_jit": _ratio(seed.get("cg-function"), seed.get("jax-jit")),
        "seed_float_function_over_jax_jit": _ratio(seedf.get("cg-function"),
                                                   seedf.get("jax-jit")),
        "rnn_function_over_numpy": _ratio(rnn.get("cg-function"), rnn.get("numpy")),
        "rnn_compile_over_numpy": _ratio(rnn.get("cg-compile"), rnn.get("numpy")),
        "rnn_function_over_torch": _ratio(rnn.get("cg-function"), rnn.get("torch")),
        "rnn_compile_over_torch": _ratio(rnn.get("cg-compile"), rnn.get("torch")),
        "rnn_function_over_jax_jit": _ratio(rnn.get("cg-function"), rnn.get("jax-jit")),
        "rnn_dynamic_over_numpy": _ratio(rnn.get("cg-dynamic"), rnn.get("numpy")),
        "rnn_function_over_dynamic": _ratio(rnn.get("cg-function"), rnn.get("cg-dynamic")),
    }
    per_node = {}
    for workload, row in results.items():
        if workload.startswith("compile-"):
            n = int(workload.split("-", 1)[1])
            for c in ("cg-compile", "cg-function"):
                if "seconds" in row.get(c, {}):
                    per_node.setdefault(c, {})[fmt_count(n)] = row[c]["seconds"] / n * 1e6
    ratios["compile_us_per_node"] = per_node
    t = TARGETS
    lines = [
        f"targets: g.compile'd seed (a-b)*(a+b) "
        f"{_verdict(ratios['seed_compile_us'], t['seed_compile_us'], ' µs')} positional, "
        f"{_verdict(ratios['seed_compile_kw_us'], t['seed_compile_us'], ' µs')} by keyword "
        f"[target < {t['seed_compile_us']:g} µs]; "
        f"cg.function(cg.grad(f)) / jax.jit(jax.grad(f)) "
        f"{_verdict(ratios['seed_function_over_jax_jit'], t['seed_function_over_jax_jit'])} "
        f"[target <= {t['seed_function_over_jax_jit']}]",
        f"targets: RNN cg.function / NumPy by hand "
        f"{_verdict(ratios['rnn_function_over_numpy'], t['rnn_over_numpy'])}, g.compile / "
        f"NumPy {_verdict(ratios['rnn_compile_over_numpy'], t['rnn_over_numpy'])} "
        f"[target <= {t['rnn_over_numpy']}]; cg.function / torch eager "
        f"{_verdict(ratios['rnn_function_over_torch'], t['rnn_over_torch'])}, g.compile / "
        f"torch {_verdict(ratios['rnn_compile_over_torch'], t['rnn_over_torch'])} "
        f"[target <= {t['rnn_over_torch']}]",
        f"other ratios (no target): seed as Python float cg.function / jax.jit "
        f"{_verdict(ratios['seed_float_function_over_jax_jit'])}; RNN cg.function / jax.jit "
        f"{_verdict(ratios['rnn_function_over_jax_jit'])}, cg dynamic / NumPy "
        f"{_verdict(ratios['rnn_dynamic_over_numpy'])}, cg.function / cg dynamic "
        f"{_verdict(ratios['rnn_function_over_dynamic'])}",
    ]
    for c, by_n in per_node.items():
        vals = list(by_n.values())
        growth = max(vals) / min(vals) if len(vals) > 1 else None
        lines.append(f"compile scaling ({heads[c]}): µs/node "
                     + " -> ".join(f"{_sig(v)} at {k}" for k, v in by_n.items())
                     + (f" (max/min {growth:.2f}: linear would be 1)" if growth else ""))
    ratios["targets"] = TARGETS
    return "\n".join(table) + "\n\n" + "\n".join(lines), ratios


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """Spawn every worker, print the table, and return everything as a JSON-able dict."""
    wanted = args.libs or list(LIBS)
    skipped = {lib: why for lib in wanted if (why := _available(lib))}
    libs = [lib for lib in wanted if lib not in skipped]
    columns = [key for key, lib, _ in COLUMNS if lib in libs]
    workloads = [w for w in (args.workloads or list(WORKLOADS))]
    sizes = list(dict.fromkeys(args.sizes))
    commit_at_start = _git_commit()

    cells: list[str] = []  # table rows (workload names) in order
    for w in workloads:
        if w == "compile":
            cells += [f"compile-{n}" for n in sizes]
        else:
            cells.append(w)

    def impls(cell_name: str) -> list[str]:
        base = "compile" if cell_name.startswith("compile-") else cell_name
        return [c for c in columns if c in WORKLOADS[base]]

    runs: dict[str, dict[str, list[dict[str, Any]]]] = {w: {c: [] for c in impls(w)}
                                                         for w in cells}
    for r in range(args.rounds):  # rounds interleave implementations: fairer on a busy machine
        for w in cells:
            if w.startswith("compile-") and r >= args.compile_rounds:
                continue
            for c in runs[w]:
                if runs[w][c] and "error" in runs[w][c][-1]:
                    continue  # an error (exception, crash, timeout) will not go away
                t0 = time.perf_counter()
                runs[w][c].append(_spawn(c, w, args))
                progress(f"[{w}, round {r + 1}/{args.rounds}] {c}: "
                         f"{time.perf_counter() - t0:.1f} s wall"
                         + (f" ({runs[w][c][-1]['error']})" if "error" in runs[w][c][-1]
                            else ""))
    results = {w: {c: _best(rs) for c, rs in row.items()} for w, row in runs.items()}

    report, ratios = build_report(columns, results)
    versions = {lib: _version(lib) for lib in libs}
    if "jax" in libs:
        versions["jaxlib"] = _version("jaxlib")
    commit = _git_commit()
    if commit != commit_at_start:  # src/ changed under the run: cells may mix versions
        commit = f"{commit_at_start} -> {commit} (CHANGED DURING THE RUN)"
    print(f"compgraph static-graph benchmarks -- commit {commit}, {platform.platform()}, "
          f"{os.cpu_count()} CPUs, torch threads = {TORCH_THREADS}, python "
          f"{platform.python_version()}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    cg_files = sorted({r["compgraph_file"] for row in results.values() for r in row.values()
                       if "compgraph_file" in r})
    if cg_files:
        print("compgraph imported from: " + ", ".join(str(Path(f).parent) for f in cg_files))
    print(f"seeds float64, RNN float32 (input {RNN_I}, hidden {RNN_H}, batch {RNN_B}, "
          f"{RNN_T} steps unrolled); each cell the best per-call time of {args.repeats} "
          f"loops of >= {args.min_loop:g} s, best again over {args.rounds} fresh "
          f"process(es) ({args.compile_rounds} for compile rows: best of up to "
          f"{args.compile_repeats} builds within {args.compile_budget:g} s); "
          f"'-' = not applicable\n")
    print(report)
    print()
    for w in workloads:
        present = [c for c in columns if c in WORKLOADS[w]]
        heads = dict((k, h) for k, _, h in COLUMNS)
        print(f"{w}: " + "; ".join(f"{heads[c]} = {WHAT[w][c]}" for c in present))
    for lib, why in skipped.items():
        print(f"note: {lib} skipped: {why}")
    return {"meta": run_meta(commit, TORCH_THREADS, versions, compgraph_files=cg_files,
                             argv=sys.argv[1:], repeats=args.repeats,
                             min_loop_seconds=args.min_loop, rounds=args.rounds,
                             compile_rounds=args.compile_rounds, sizes=sizes),
            "results": results, "ratios": ratios, "skipped": skipped, "calls": WHAT}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="1 round, 3 repeats, loops of >= 0.05 s, N = 1e3 1e4")
    p.add_argument("--libs", nargs="+", choices=LIBS, help="libraries to run (default: all)")
    p.add_argument("--workloads", nargs="+", choices=list(WORKLOADS),
                   help="workloads to run (default: all)")
    p.add_argument("--sizes", nargs="+", type=parse_count, default=list(DEFAULT_SIZES),
                   metavar="N", help="graph sizes for the compile rows (default 1e3 1e4 1e5)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    p.add_argument("--rounds", type=int, default=3,
                   help="fresh worker processes per cell, best kept (default 3)")
    p.add_argument("--compile-rounds", type=int, default=1,
                   help="fresh worker processes per compile cell (default 1)")
    p.add_argument("--repeats", type=int, default=5, help="timing loops per worker (default 5)")
    p.add_argument("--min-loop", type=float, default=0.2,
                   help="seconds each timing loop lasts at least (default 0.2)")
    p.add_argument("--compile-repeats", type=int, default=5,
                   help="builds per compile worker, best kept (default 5)")
    p.add_argument("--compile-budget", type=float, default=3.0,
                   help="stop rebuilding once the builds took this many s (default 3)")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="seconds allowed per worker process (default 600)")
    p.add_argument("--profile", nargs=2, metavar=("IMPL", "WORKLOAD"),
                   help="cProfile one cell's timed loop in this process and print the top "
                        "functions (not the table)")
    p.add_argument("--profile-top", type=int, default=25,
                   help="functions --profile prints (default 25)")
    p.add_argument("--worker", nargs=2, metavar=("IMPL", "WORKLOAD"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        impl, workload = args.worker
        emit_result(run_worker(impl, workload, args))
        return 0
    if args.profile:
        run_profile(*args.profile, args)
        return 0
    if args.quick:
        args.rounds, args.repeats, args.min_loop = 1, 3, 0.05
        args.compile_repeats, args.compile_budget = 2, 1.0
        if args.sizes == list(DEFAULT_SIZES):
            args.sizes = list(QUICK_SIZES)
    results = run_all(args)
    if args.json:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
