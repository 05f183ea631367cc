"""Transform benchmarks: compgraph's tape and function transforms side by side with
PyTorch (``.backward()``, ``torch.autograd``, ``torch.func``) and, where installed, JAX
(un-jitted and ``jax.jit``) and TensorFlow (eager and ``tf.function``).

Three workloads, all float64:

1. **seed gradient** -- ``y = (3*x+2)**4`` at ``x = 3``, microseconds per full call
   (build + gradient + ``float``): compgraph through ``GradientTape.gradient`` and
   through ``y.backward()``; torch through ``.backward()``, ``torch.autograd.grad`` and
   ``torch.func.grad``; JAX through ``jax.grad(f)`` and ``jax.jit(jax.grad(f))``;
   TensorFlow through ``tf.GradientTape`` (eager) and the same under ``tf.function``.
2. **hessian** -- of ``f(x) = sum(tanh(A @ x))``, ``x`` of size 100, ``A`` a fixed
   100x100 standard-normal matrix / 10: ``cg.hessian(f)`` vs
   ``torch.autograd.functional.hessian`` vs ``torch.func.hessian`` vs ``jax.hessian``
   (un-jitted and jitted) vs nested ``tf.GradientTape``s with ``tape.jacobian`` (eager
   and under ``tf.function``), milliseconds per call, checked against the closed form
   ``A.T @ diag(-2 tanh(z) (1 - tanh(z)**2)) @ A``, ``z = A @ x``.
3. **vmap** -- of an elementwise function ``tanh(x) * 2 + x * x`` and of a matmul
   function ``tanh(x @ W)`` (``W`` 256x256) over a batch of 1000 vectors of 256:
   ``cg.vmap`` vs the same computation batched by hand in NumPy (the target: within
   1.5x) vs ``torch.vmap`` vs ``jax.vmap`` (un-jitted and jitted), milliseconds per call,
   checked against the NumPy result.
4. **jvp** -- of a 1000-op chain, 500 steps of ``x -> sin(x) * 1.0001`` on a vector of
   16: ``cg.jvp`` vs ``torch.func.jvp`` vs ``torch.autograd.functional.jvp`` vs
   ``jax.jvp`` (un-jitted and jitted) vs ``tf.autodiff.ForwardAccumulator`` (eager and
   under ``tf.function``), milliseconds per call, checked against the same recurrence
   written out in NumPy.

Every (implementation, workload) measurement runs in a fresh subprocess
(``run_transforms.py --worker IMPL WORKLOAD``) that imports only its own library:
a first call (timed: it includes tracing, ``tf.function``'s graph building and, for
``jax.jit``, compilation), a warm-up, then the best per-call time of ``--repeats``
loops, each loop long enough to last ``--min-loop`` seconds.  ``--rounds`` worker
processes per cell are run interleaved across implementations and the best is kept,
so a burst of load on a shared machine hits every implementation alike.  The parent
process imports only the standard library.  Usage (from the repository root)::

    .venv/bin/python benchmarks/run_transforms.py              # 3 rounds (a few minutes)
    .venv/bin/python benchmarks/run_transforms.py --quick      # 1 round, short loops
    .venv/bin/python benchmarks/run_transforms.py --json results.json
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))  # harness.py, beside this script
from harness import (available, best_run, emit_result, git_commit as _git_commit,  # noqa: E402
                     load_compgraph as _load_compgraph, progress, ratio as _ratio,
                     run_meta, sig as _sig, spawn_worker, time_calls, verdict as _verdict,
                     version as _version, write_json)

TORCH_THREADS = 2  # torch's threads; TensorFlow gets as many intra- and inter-op threads
SEED_X = 3.0
SEED_GRAD = 4 * (3 * SEED_X + 2) ** 3 * 3  # 15972.0
HESS_N = 100
JVP_STEPS = 500  # 2 recorded ops per step: 1000 ops
JVP_SIZE = 16
TOL = {"seed": 1e-12, "hessian": 1e-12, "jvp": 1e-12, "vmap-elem": 1e-12, "vmap-matmul": 1e-10}  # rel / abs error allowed
TARGETS = {"seed_tape_over_backward": 1.2, "hessian_over_torch_functional": 1.0,
           "vmap_over_numpy": 1.5}
VMAP_BATCH, VMAP_N = 1000, 256

# (column key, library, table header)
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("compgraph", "compgraph", "compgraph"),
    ("compgraph-backward", "compgraph", "compgraph .backward()"),
    ("numpy", "numpy", "NumPy by hand"),
    ("torch-backward", "torch", "torch .backward()"),
    ("torch-autograd", "torch", "torch.autograd"),
    ("torch-func", "torch", "torch.func"),
    ("jax", "jax", "jax"),
    ("jax-jit", "jax", "jax.jit"),
    ("tf-tape", "tensorflow", "tf GradientTape"),
    ("tf-forward", "tensorflow", "tf ForwardAccumulator"),
    ("tf-function", "tensorflow", "tf.function"),
)
LIBS: tuple[str, ...] = ("compgraph", "numpy", "torch", "jax", "tensorflow")
OPTIONAL = frozenset({"jax", "tensorflow"})
# What to pip-install for an optional library (TensorFlow's CPU-only wheel is enough here).
PIP_NAMES = {"jax": "jax jaxlib", "tensorflow": "tensorflow-cpu"}
WORKLOADS: dict[str, tuple[str, ...]] = {
    "seed": ("compgraph", "compgraph-backward", "torch-backward", "torch-autograd",
             "torch-func", "jax", "jax-jit", "tf-tape", "tf-function"),
    "hessian": ("compgraph", "torch-autograd", "torch-func", "jax", "jax-jit", "tf-tape",
                "tf-function"),
    "jvp": ("compgraph", "torch-autograd", "torch-func", "jax", "jax-jit", "tf-forward",
            "tf-function"),
    "vmap-elem": ("compgraph", "numpy", "torch-func", "jax", "jax-jit"),
    "vmap-matmul": ("compgraph", "numpy", "torch-func", "jax", "jax-jit"),
}
_VMAP_WHAT = {"compgraph": "cg.vmap(f)", "numpy": "the batched expression in NumPy",
              "torch-func": "torch.vmap(f)", "jax": "jax.vmap(f)", "jax-jit": "jax.jit(jax.vmap(f))"}
# What each cell calls, for the table's legend.
WHAT: dict[str, dict[str, str]] = {
    "seed": {"compgraph": "GradientTape.gradient", "compgraph-backward": "y.backward()",
             "torch-backward": "y.backward()", "torch-autograd": "torch.autograd.grad",
             "torch-func": "torch.func.grad(f)", "jax": "jax.grad(f)",
             "jax-jit": "jax.jit(jax.grad(f))", "tf-tape": "tf.GradientTape.gradient",
             "tf-function": "tf.function over a GradientTape, tf.constant input"},
    "hessian": {"compgraph": "cg.hessian(f)", "torch-autograd":
                "torch.autograd.functional.hessian", "torch-func": "torch.func.hessian(f)",
                "jax": "jax.hessian(f)", "jax-jit": "jax.jit(jax.hessian(f))",
                "tf-tape": "nested tf.GradientTape, outer tape.jacobian",
                "tf-function": "tf.function of the nested tapes"},
    "jvp": {"compgraph": "cg.jvp", "torch-autograd": "torch.autograd.functional.jvp",
            "torch-func": "torch.func.jvp", "jax": "jax.jvp", "jax-jit": "jax.jit(jax.jvp)",
            "tf-forward": "tf.autodiff.ForwardAccumulator",
            "tf-function": "tf.function of the ForwardAccumulator"},
    "vmap-elem": _VMAP_WHAT,
    "vmap-matmul": _VMAP_WHAT,
}
UNIT = {"seed": ("µs", 1e6), "hessian": ("ms", 1e3), "jvp": ("ms", 1e3),
        "vmap-elem": ("ms", 1e3), "vmap-matmul": ("ms", 1e3)}

Call = Callable[[], Any]


# --------------------------------------------------------------------------- workloads
def _hessian_data() -> tuple[Any, Any, Any]:
    """``A``, ``x`` and the closed-form Hessian of ``sum(tanh(A @ x))`` (NumPy)."""
    import numpy as np

    a = np.random.default_rng(0).standard_normal((HESS_N, HESS_N)) / 10
    x = np.random.default_rng(1).standard_normal(HESS_N)
    t = np.tanh(a @ x)
    exact = a.T @ ((-2 * t * (1 - t * t))[:, None] * a)
    return a, x, exact


def _jvp_data() -> tuple[Any, Any, Any, Any]:
    """``x``, ``v`` and the chain's output and tangent, by the recurrence in NumPy."""
    import numpy as np

    x = np.linspace(0.5, 1.5, JVP_SIZE)
    v = np.ones(JVP_SIZE)
    y, t = x.copy(), v.copy()
    for _ in range(JVP_STEPS):
        y, t = np.sin(y) * 1.0001, np.cos(y) * t * 1.0001
    return x, v, y, t


def _vmap_call(impl: str, workload: str) -> tuple[Call, Callable[[Any], dict[str, float]]]:
    """The vmap workloads: ``f`` per example, vectorised by each library (NumPy: by hand)."""
    import numpy as np

    rng = np.random.default_rng(0)
    xs = rng.standard_normal((VMAP_BATCH, VMAP_N))
    w = rng.standard_normal((VMAP_N, VMAP_N)) / np.sqrt(VMAP_N)
    elem = workload == "vmap-elem"
    ref = np.tanh(xs) * 2.0 + xs * xs if elem else np.tanh(xs @ w)

    def check(out: Any) -> dict[str, float]:
        out = np.asarray(out, dtype=np.float64)
        if out.shape != ref.shape:
            raise ValueError(f"vmap result has shape {out.shape}, expected {ref.shape}")
        err = float(np.abs(out - ref).max())
        return {"max_abs_err": err, "max_rel_err": err / float(np.abs(ref).max())}

    if impl == "numpy":
        if elem:
            return (lambda: np.tanh(xs) * 2.0 + xs * xs), check
        return (lambda: np.tanh(xs @ w)), check
    if impl == "compgraph":
        cg = _load_compgraph()
        f = cg.vmap((lambda x: cg.tanh(x) * 2.0 + x * x) if elem else (lambda x: cg.tanh(x @ w)))
        return (lambda: f(xs).numpy()), check
    if impl == "torch-func":
        import torch

        torch.set_num_threads(TORCH_THREADS)
        xt, wt = torch.tensor(xs), torch.tensor(w)
        tf_ = torch.vmap((lambda x: torch.tanh(x) * 2.0 + x * x) if elem
                         else (lambda x: torch.tanh(x @ wt)))
        return (lambda: tf_(xt).numpy()), check
    if impl in ("jax", "jax-jit"):
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        xj, wj = jnp.asarray(xs), jnp.asarray(w)
        jf = jax.vmap((lambda x: jnp.tanh(x) * 2.0 + x * x) if elem
                      else (lambda x: jnp.tanh(x @ wj)))
        if impl == "jax-jit":
            jf = jax.jit(jf)
        return (lambda: np.asarray(jf(xj).block_until_ready())), check
    raise ValueError(f"{impl} does not run {workload}")


def _make_call(impl: str, workload: str) -> tuple[Call, Callable[[Any], dict[str, float]]]:
    """A no-argument call running ``workload`` with ``impl``, and a check of its result.

    The check returns the errors against the reference (``max_abs_err`` and, where it
    means something, ``max_rel_err``) for the record.
    """
    import numpy as np

    if workload.startswith("vmap"):
        return _vmap_call(impl, workload)

    lib = next(lib for key, lib, _ in COLUMNS if key == impl)
    if workload == "seed":
        def check(g: Any) -> dict[str, float]:
            return {"value": float(g), "max_abs_err": abs(float(g) - SEED_GRAD),
                    "max_rel_err": abs(float(g) - SEED_GRAD) / SEED_GRAD}
    elif workload == "hessian":
        a, x0, exact = _hessian_data()

        def check(h: Any) -> dict[str, float]:
            h = np.asarray(h, dtype=np.float64)
            if h.shape != exact.shape:
                raise ValueError(f"hessian has shape {h.shape}, expected {exact.shape}")
            return {"max_abs_err": float(np.abs(h - exact).max()),
                    "max_abs_value": float(np.abs(exact).max())}
    elif workload == "jvp":
        x0, v0, y_ref, t_ref = _jvp_data()

        def check(out: Any) -> dict[str, float]:
            y, t = (np.asarray(o, dtype=np.float64) for o in out)
            err_y = float(np.abs(y - y_ref).max())
            err_t = float(np.abs(t - t_ref).max())
            return {"max_abs_err": max(err_y, err_t),
                    "max_rel_err": max(err_y / float(np.abs(y_ref).max()),
                                       err_t / float(np.abs(t_ref).max())),
                    "tangent_0": float(t.ravel()[0])}
    else:
        raise ValueError(f"unknown workload {workload!r}")

    if lib == "compgraph":
        cg = _load_compgraph()
        if workload == "seed" and impl == "compgraph":
            def call() -> Any:
                x = cg.constant(SEED_X)
                with cg.GradientTape() as tape:
                    tape.watch(x)
                    y = (3 * x + 2) ** 4
                return float(tape.gradient(y, x))
        elif workload == "seed":
            def call() -> Any:
                x = cg.tensor(SEED_X, requires_grad=True)
                y = (3 * x + 2) ** 4
                y.backward()
                return float(x.grad)
        elif workload == "hessian":
            ac = cg.constant(a)
            hess = cg.hessian(lambda x: cg.sum(cg.tanh(ac @ x)))

            def call() -> Any:
                return hess(x0).numpy()
        else:
            def chain(x: Any) -> Any:
                for _ in range(JVP_STEPS):
                    x = cg.sin(x) * 1.0001
                return x

            def call() -> Any:
                y, t = cg.jvp(chain, (x0,), (v0,))
                return y.numpy(), t.numpy()
        return call, check

    if lib == "torch":
        import torch

        torch.set_num_threads(TORCH_THREADS)
        f64 = torch.float64
        if workload == "seed":
            def f(x: Any) -> Any:
                return (3 * x + 2) ** 4

            if impl == "torch-backward":
                def call() -> Any:
                    x = torch.tensor(SEED_X, dtype=f64, requires_grad=True)
                    y = f(x)
                    y.backward()
                    return x.grad.item()
            elif impl == "torch-autograd":
                def call() -> Any:
                    x = torch.tensor(SEED_X, dtype=f64, requires_grad=True)
                    (g,) = torch.autograd.grad(f(x), x)
                    return g.item()
            else:
                tgrad = torch.func.grad(f)

                def call() -> Any:
                    return tgrad(torch.tensor(SEED_X, dtype=f64)).item()
        elif workload == "hessian":
            at, xt = torch.tensor(a), torch.tensor(x0)

            def f(x: Any) -> Any:
                return torch.tanh(at @ x).sum()

            if impl == "torch-autograd":
                def call() -> Any:
                    return torch.autograd.functional.hessian(f, xt).numpy()
            elif impl == "torch-func":
                thess = torch.func.hessian(f)

                def call() -> Any:
                    return thess(xt).numpy()
            else:
                raise ValueError(f"{impl} does not run {workload}")
        else:
            xt, vt = torch.tensor(x0), torch.tensor(v0)

            def chain(x: Any) -> Any:
                for _ in range(JVP_STEPS):
                    x = torch.sin(x) * 1.0001
                return x

            if impl == "torch-autograd":
                def call() -> Any:
                    y, t = torch.autograd.functional.jvp(chain, xt, vt)
                    return y.numpy(), t.numpy()
            elif impl == "torch-func":
                def call() -> Any:
                    y, t = torch.func.jvp(chain, (xt,), (vt,))
                    return y.numpy(), t.numpy()
            else:
                raise ValueError(f"{impl} does not run {workload}")
        return call, check

    if lib == "jax":
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        import jax
        import jax.numpy as jnp

        jax.config.update("jax_enable_x64", True)
        jit = impl == "jax-jit"
        if workload == "seed":
            jgrad = jax.grad(lambda x: (3 * x + 2) ** 4)
            if jit:
                jgrad = jax.jit(jgrad)

            def call() -> Any:
                return float(jgrad(SEED_X))
        elif workload == "hessian":
            aj, xj = jnp.asarray(a), jnp.asarray(x0)
            jhess = jax.hessian(lambda x: jnp.sum(jnp.tanh(aj @ x)))
            if jit:
                jhess = jax.jit(jhess)

            def call() -> Any:
                return np.asarray(jhess(xj).block_until_ready())
        else:
            xj, vj = jnp.asarray(x0), jnp.asarray(v0)

            def chain(x: Any) -> Any:
                for _ in range(JVP_STEPS):
                    x = jnp.sin(x) * 1.0001
                return x

            def jjvp(x: Any, v: Any) -> Any:
                return jax.jvp(chain, (x,), (v,))

            if jit:
                jjvp = jax.jit(jjvp)

            def call() -> Any:
                y, t = jjvp(xj, vj)
                return np.asarray(y.block_until_ready()), np.asarray(t.block_until_ready())
        return call, check

    if lib == "tensorflow":
        if impl not in WORKLOADS[workload]:  # tf-tape has no jvp, tf-forward only the jvp
            raise ValueError(f"{impl} does not run {workload}")
        import tensorflow as tf

        # As many threads as torch gets; must be set before TensorFlow runs its first op.
        tf.config.threading.set_intra_op_parallelism_threads(TORCH_THREADS)
        tf.config.threading.set_inter_op_parallelism_threads(TORCH_THREADS)
        f64 = tf.float64
        compiled = impl == "tf-function"
        if workload == "seed" and not compiled:
            def call() -> Any:  # the TensorFlow snippet, as the compgraph tape's above
                x = tf.constant(SEED_X, f64)
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    y = (3 * x + 2) ** 4
                return float(tape.gradient(y, x))
        elif workload == "seed":
            @tf.function
            def tgrad(x: Any) -> Any:
                with tf.GradientTape() as tape:
                    tape.watch(x)
                    y = (3 * x + 2) ** 4
                return tape.gradient(y, x)

            def call() -> Any:  # tf.constant: a Python float would be a trace-time constant
                return float(tgrad(tf.constant(SEED_X, f64)))
        elif workload == "hessian":
            at, xt = tf.constant(a), tf.constant(x0)

            def thess(x: Any) -> Any:
                with tf.GradientTape() as outer:
                    outer.watch(x)
                    with tf.GradientTape() as inner:
                        inner.watch(x)
                        # matvec: TensorFlow's `@` wants matrices, x is a vector
                        y = tf.reduce_sum(tf.tanh(tf.linalg.matvec(at, x)))
                    g = inner.gradient(y, x)
                # Eagerly, jacobian's pfor traces a fresh tf.function on every call (that
                # is TensorFlow's eager path, so it stays in the timed call).
                return outer.jacobian(g, x)

            if compiled:
                thess = tf.function(thess)

            def call() -> Any:
                return thess(xt).numpy()
        else:
            xt, vt = tf.constant(x0), tf.constant(v0)

            def chain(x: Any) -> Any:
                for _ in range(JVP_STEPS):
                    x = tf.sin(x) * 1.0001
                return x

            def tjvp(x: Any, v: Any) -> tuple[Any, Any]:
                with tf.autodiff.ForwardAccumulator(x, v) as acc:
                    y = chain(x)
                return y, acc.jvp(y)

            if compiled:
                tjvp = tf.function(tjvp)

            def call() -> Any:
                y, t = tjvp(xt, vt)
                return y.numpy(), t.numpy()
        return call, check

    raise ValueError(f"unknown implementation {impl!r}")


# --------------------------------------------------------------------------- worker side
def run_worker(impl: str, workload: str, args: argparse.Namespace) -> dict[str, Any]:
    """Time one (implementation, workload) pair in this process and return the record."""
    perf = time.perf_counter
    t0 = perf()
    call, check = _make_call(impl, workload)
    setup = perf() - t0
    t0 = perf()
    result = call()
    first = perf() - t0
    rec: dict[str, Any] = {"setup_seconds": setup, "first_call_seconds": first}
    rec.update(check(result))
    best, calls = time_calls(call, args.repeats, args.min_loop)
    rec.update({"seconds_per_call": best, "calls": calls, "repeats": args.repeats})
    return rec


# --------------------------------------------------------------------------- parent side
def _spawn(impl: str, workload: str, args: argparse.Namespace) -> dict[str, Any]:
    argv = ["--worker", impl, workload, "--repeats", str(args.repeats),
            "--min-loop", str(args.min_loop)]
    # JAX on the CPU; TensorFlow's C++ start-up log lines silenced (worker stderr is only
    # read for an error's last line)
    env = dict(os.environ, JAX_PLATFORMS=os.environ.get("JAX_PLATFORMS", "cpu"),
               TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "2"))
    return spawn_worker(__file__, argv, args.timeout, env=env)


def _best(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the smallest time per call, with every round's time and first call."""
    best = best_run(runs, "seconds_per_call")
    if "rounds" not in best:
        return best
    ok = [r for r in runs if "seconds_per_call" in r]
    best["first_call_seconds"] = min(r["first_call_seconds"] for r in ok)
    best["max_abs_err"] = max(r["max_abs_err"] for r in ok)
    if "max_rel_err" in best:
        best["max_rel_err"] = max(r["max_rel_err"] for r in ok)
    return best


def _available(lib: str) -> str | None:
    """None when ``lib`` can be benchmarked, else the reason it is skipped."""
    hint = (f" (optional, not a project dependency; `.venv/bin/pip install "
            f"{PIP_NAMES[lib]}` to include it)") if lib in OPTIONAL else ""
    return available(lib, hint)


def _check(workload: str, row: dict[str, dict[str, Any]]) -> str:
    """Agreement of every implementation's result with the reference, in words."""
    done = {k: r for k, r in row.items() if "max_abs_err" in r}
    if not done:
        return "nothing ran"
    if workload == "hessian":
        err = max(r["max_abs_err"] for r in done.values())
        bad = [k for k, r in done.items() if r["max_abs_err"] > TOL[workload]]
        text = f"max abs diff vs closed form {err:.1e}"
    else:
        err = max(r["max_rel_err"] for r in done.values())
        bad = [k for k, r in done.items() if r["max_rel_err"] > TOL[workload]]
        ref = (f"dy/dx={SEED_GRAD:g}" if workload == "seed"
               else "vs the NumPy expression" if workload.startswith("vmap")
               else "output and tangent vs NumPy recurrence")
        text = f"{ref}, max rel diff {err:.1e}"
    return f"ok ({text})" if not bad else f"MISMATCH: {', '.join(bad)} ({text})"


def build_report(columns: list[str], results: dict[str, dict[str, dict[str, Any]]]
                 ) -> tuple[str, dict[str, Any]]:
    """The markdown table plus the ratios line, and the ratios as a dict."""
    heads = {key: head for key, _, head in COLUMNS}
    header = ["benchmark", *(heads[c] for c in columns), "check"]
    rows: list[list[str]] = []
    labels = {"seed": "seed grad (µs/call)",
              "hessian": f"hessian, n={HESS_N} (ms/call)",
              "jvp": f"jvp, {2 * JVP_STEPS}-op chain (ms/call)",
              "vmap-elem": f"vmap elementwise, {VMAP_BATCH}x{VMAP_N} (ms/call)",
              "vmap-matmul": f"vmap matmul, {VMAP_BATCH}x{VMAP_N} @ {VMAP_N}x{VMAP_N} (ms/call)"}
    for workload, row in results.items():
        unit, scale = UNIT[workload]

        def cell(c: str, key: str, fmt: Callable[[float], str]) -> str:
            if c not in WORKLOADS[workload] or c not in row:
                return "-"
            rec = row[c]
            return rec["error"] if "error" in rec else fmt(rec[key])

        rows.append([labels[workload],
                     *(cell(c, "seconds_per_call", lambda s: _sig(s * scale)) for c in columns),
                     _check(workload, row)])
        if workload in ("hessian", "jvp"):
            rows.append([f"{workload}: first call (ms)",
                         *(cell(c, "first_call_seconds", lambda s: _sig(s * 1e3))
                           for c in columns), "tracing / jit compile included"])
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    table = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    table += [line(r) for r in rows]

    seed = results.get("seed", {})
    hess = results.get("hessian", {})
    jvp = results.get("jvp", {})
    ratios = {
        "seed_tape_over_backward": _ratio(seed.get("compgraph"), seed.get("compgraph-backward")),
        "seed_tape_over_torch_backward": _ratio(seed.get("compgraph"), seed.get("torch-backward")),
        "seed_tape_over_tf_tape": _ratio(seed.get("compgraph"), seed.get("tf-tape")),
        "hessian_over_torch_functional": _ratio(hess.get("compgraph"), hess.get("torch-autograd")),
        "hessian_over_torch_func": _ratio(hess.get("compgraph"), hess.get("torch-func")),
        "hessian_over_jax_jit": _ratio(hess.get("compgraph"), hess.get("jax-jit")),
        "jvp_over_torch_func": _ratio(jvp.get("compgraph"), jvp.get("torch-func")),
        "jvp_over_torch_functional": _ratio(jvp.get("compgraph"), jvp.get("torch-autograd")),
        "jvp_over_jax": _ratio(jvp.get("compgraph"), jvp.get("jax")),
        **{f"{w.replace('-', '_')}_over_numpy": _ratio(results.get(w, {}).get("compgraph"),
                                                        results.get(w, {}).get("numpy"))
           for w in ("vmap-elem", "vmap-matmul")},
    }
    ratio_line = (
        f"target ratios: seed tape/backward (compgraph) "
        f"{_verdict(ratios['seed_tape_over_backward'], TARGETS['seed_tape_over_backward'])} "
        f"[target <= {TARGETS['seed_tape_over_backward']}]; hessian "
        f"compgraph/torch.autograd.functional "
        f"{_verdict(ratios['hessian_over_torch_functional'], TARGETS['hessian_over_torch_functional'])}"
        f" [target <= {TARGETS['hessian_over_torch_functional']}]\n"
        f"other ratios (no target): seed tape/torch .backward() "
        f"{_verdict(ratios['seed_tape_over_torch_backward'])}, compgraph/tf GradientTape "
        f"{_verdict(ratios['seed_tape_over_tf_tape'])}; hessian compgraph/torch.func "
        f"{_verdict(ratios['hessian_over_torch_func'])}, compgraph/jax.jit "
        f"{_verdict(ratios['hessian_over_jax_jit'])}; jvp compgraph/torch.func "
        f"{_verdict(ratios['jvp_over_torch_func'])}, compgraph/torch.autograd.functional "
        f"{_verdict(ratios['jvp_over_torch_functional'])}, compgraph/jax (un-jitted) "
        f"{_verdict(ratios['jvp_over_jax'])}\n"
        f"vmap compgraph/NumPy by hand: elementwise "
        f"{_verdict(ratios['vmap_elem_over_numpy'], TARGETS['vmap_over_numpy'])}, matmul "
        f"{_verdict(ratios['vmap_matmul_over_numpy'], TARGETS['vmap_over_numpy'])} "
        f"[target <= {TARGETS['vmap_over_numpy']}]")
    ratios["targets"] = TARGETS
    return "\n".join(table) + "\n\n" + ratio_line, ratios


def run_all(args: argparse.Namespace) -> dict[str, Any]:
    """Spawn every worker, print the table, and return everything as a JSON-able dict."""
    wanted = args.libs or list(LIBS)
    skipped = {lib: why for lib in wanted if (why := _available(lib))}
    libs = [lib for lib in wanted if lib not in skipped]
    columns = [key for key, lib, _ in COLUMNS if lib in libs]
    workloads = args.workloads or list(WORKLOADS)
    commit_at_start = _git_commit()

    runs: dict[str, dict[str, list[dict[str, Any]]]] = {
        w: {c: [] for c in columns if c in WORKLOADS[w]} for w in workloads}
    for r in range(args.rounds):  # rounds interleave implementations: fairer on a busy machine
        for w in workloads:
            for c in runs[w]:
                if runs[w][c] and "error" in runs[w][c][-1]:
                    continue  # an error (exception, timeout) will not go away
                t0 = time.perf_counter()
                runs[w][c].append(_spawn(c, w, args))
                progress(f"[{w}, round {r + 1}/{args.rounds}] {c}: "
                         f"{time.perf_counter() - t0:.1f} s wall")
    results = {w: {c: _best(rs) for c, rs in row.items()} for w, row in runs.items()}

    report, ratios = build_report(columns, results)
    versions = {lib: _version(lib) for lib in ["numpy", *libs]}
    if "jax" in libs:
        versions["jaxlib"] = _version("jaxlib")
    if "tensorflow" in libs and versions["tensorflow"] == "?":  # the CPU-only wheel's name
        versions["tensorflow"] = _version("tensorflow-cpu")
    commit = _git_commit()
    if commit != commit_at_start:  # src/ changed under the run: cells may mix versions
        commit = f"{commit_at_start} -> {commit} (CHANGED DURING THE RUN)"
    print(f"compgraph transform benchmarks -- commit {commit}, {platform.platform()}, "
          f"{os.cpu_count()} CPUs, torch (and tf) threads = {TORCH_THREADS}, python "
          f"{platform.python_version()}")
    print("versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"float64 throughout; each cell the best per-call time of {args.repeats} loops of "
          f">= {args.min_loop:g} s, best again over {args.rounds} fresh process(es); "
          f"'-' = not applicable\n")
    print(report)
    print()
    for w in workloads:
        print(f"{w}: " + "; ".join(f"{dict((k, h) for k, _, h in COLUMNS)[c]} = {WHAT[w][c]}"
                                   for c in runs[w]))
    for lib, why in skipped.items():
        print(f"note: {lib} skipped: {why}")
    return {"meta": run_meta(commit, TORCH_THREADS, versions, argv=sys.argv[1:],
                             repeats=args.repeats, min_loop_seconds=args.min_loop,
                             rounds=args.rounds),
            "results": results, "ratios": ratios, "skipped": skipped, "calls": WHAT}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true",
                   help="1 round, 3 repeats, loops of >= 0.05 s (about a minute)")
    p.add_argument("--libs", nargs="+", choices=LIBS, help="libraries to run (default: all)")
    p.add_argument("--workloads", nargs="+", choices=list(WORKLOADS),
                   help="workloads to run (default: all)")
    p.add_argument("--json", metavar="PATH", help="also write the results as JSON to PATH")
    p.add_argument("--rounds", type=int, default=3,
                   help="fresh worker processes per cell, best kept (default 3)")
    p.add_argument("--repeats", type=int, default=5, help="timing loops per worker (default 5)")
    p.add_argument("--min-loop", type=float, default=0.2,
                   help="seconds each timing loop lasts at least (default 0.2)")
    p.add_argument("--timeout", type=float, default=600.0,
                   help="seconds allowed per worker process (default 600)")
    p.add_argument("--worker", nargs=2, metavar=("IMPL", "WORKLOAD"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)

    if args.worker:
        impl, workload = args.worker
        emit_result(run_worker(impl, workload, args))
        return 0
    if args.quick:
        args.rounds, args.repeats, args.min_loop = 1, 3, 0.05
    results = run_all(args)
    if args.json:
        write_json(args.json, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
