"""``jax.lax``'s control flow on compgraph values: ``fori_loop``, ``while_loop``,
``cond``, ``switch``, ``scan``, ``map``, ``associative_scan``, ``select_n``.

They run eagerly in Python (the recorded ops are what gets differentiated, to any
order), and are written on compgraph's own ``cg.while_loop``, ``cg.cond`` and
``cg.switch_case`` (TensorFlow's signatures), so inside ``cg.function`` they behave as
those do: ``cond``/``switch`` with a traced predicate run every branch and select with
``cg.where``; ``while_loop`` with a traced condition needs concrete bounds (JAX's
``fori_loop`` with concrete bounds always unrolls here).  JAX's names take JAX's
signatures, which differ from TensorFlow's (``lax.scan(f, init, xs)`` returns
``(carry, ys)``; ``tf.scan(fn, elems)`` the stacked accumulators), so ``cg.lax.scan``
is not ``cg.scan``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import tfmath
from ..autodiff.tree import flatten, tree_map, unflatten
from ..functions import cg
from ..ops.args import is_symbolic

__all__ = [
    "fori_loop", "while_loop", "cond", "switch", "scan", "map", "associative_scan",
    "select", "select_n", "stop_gradient", "optimization_barrier", "custom_linear_solve",
    "custom_root",
]  # fmt: skip


def _concrete(x: Any) -> bool:
    return not is_symbolic(x)


def _as_int(x: Any, f: str, what: str) -> int:
    a = np.asarray(x)
    if a.shape != () or a.dtype.kind not in "iub":
        raise TypeError(f"{f}: {what} must be an integer scalar, got {a.dtype} of shape {a.shape}")
    return int(a)


def while_loop(cond_fun: Callable, body_fun: Callable, init_val: Any) -> Any:
    """JAX's ``while_loop``: ``val = init_val; while cond_fun(val): val = body_fun(val)``
    (``val`` any structure of arrays), on ``cg.while_loop``.  Unlike JAX's, the loop is
    differentiable in reverse mode (it runs eagerly and records its ops)."""
    if not callable(cond_fun) or not callable(body_fun):
        raise TypeError("while_loop: cond_fun and body_fun must be callable")
    out = tfmath.while_loop(lambda v: cond_fun(v), lambda v: [body_fun(v)], [init_val])
    return out[0]


def fori_loop(
    lower: Any, upper: Any, body_fun: Callable, init_val: Any, *, unroll: Any = None
) -> Any:
    """JAX's ``fori_loop``: ``for i in range(lower, upper): val = body_fun(i, val)``.
    Concrete bounds run a Python loop (``i`` an integer tensor, differentiable in
    ``val``, as JAX's scan-based loop); other bounds go through ``while_loop``
    (inside ``cg.function`` traced bounds raise ``TypeError``: a static graph holds no
    loop of unknown length)."""
    if not callable(body_fun):
        raise TypeError("fori_loop: body_fun must be callable")
    if _concrete(lower) and _concrete(upper):
        lo = _as_int(lower, "fori_loop", "lower")
        hi = _as_int(upper, "fori_loop", "upper")
        dt = np.result_type(np.asarray(lower).dtype, np.asarray(upper).dtype)
        val = init_val
        for i in range(lo, hi):
            val = body_fun(cg.asarray(np.asarray(i, dtype=dt)), val)
        return val
    i0 = cg.asarray(lower)

    def body(state: Any) -> Any:
        i, v = state
        return (i + 1, body_fun(i, v))

    return while_loop(lambda s: s[0] < upper, body, (i0, init_val))[1]


def cond(pred: Any, true_fun: Callable, false_fun: Callable, *operands: Any) -> Any:
    """JAX's ``cond``: ``true_fun(*operands)`` if ``pred`` (a scalar) else
    ``false_fun(*operands)``, on ``cg.cond`` (a traced ``pred`` runs both branches and
    selects their results with ``cg.where``)."""
    if not callable(true_fun) or not callable(false_fun):
        raise TypeError("cond: true_fun and false_fun must be callable")
    shape = tuple(pred.shape) if hasattr(pred, "shape") else np.shape(pred)
    if shape != ():
        raise TypeError(f"cond: pred must be a scalar, got shape {shape}")
    return tfmath.cond(pred, lambda: true_fun(*operands), lambda: false_fun(*operands))


def switch(index: Any, branches: Sequence[Callable], *operands: Any) -> Any:
    """JAX's ``switch``: ``branches[index](*operands)``, the index clamped into range
    (JAX's rule), on ``cg.switch_case``."""
    branches = list(branches)
    if not branches or not all(callable(b) for b in branches):
        raise ValueError("switch: branches must be a non-empty sequence of callables")
    n = len(branches)
    if _concrete(index):
        k = min(max(_as_int(index, "switch", "index"), 0), n - 1)
        return branches[k](*operands)
    clamped = cg.clip(index, 0, n - 1)
    fns = [lambda b=b: b(*operands) for b in branches]
    return tfmath.switch_case(clamped, fns)


def _shape(x: Any) -> tuple:
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def _leading(f: str, leaves: list, length: Any) -> int:
    sizes = {int(_shape(x)[0]) if _shape(x) else -1 for x in leaves if x is not None}
    if -1 in sizes:
        raise ValueError(f"{f}: every leaf of xs needs a leading axis to scan over")
    if length is not None:
        sizes.add(int(length))
    if len(sizes) > 1:
        raise ValueError(f"{f}: xs leading axes and length disagree: sizes {sorted(sizes)}")
    if not sizes:
        raise ValueError(f"{f}: with no xs, length must be given")
    return sizes.pop()


def scan(
    f: Callable,
    init: Any,
    xs: Any = None,
    length: Any = None,
    reverse: bool = False,
    unroll: Any = 1,
    _split_transpose: bool = False,
) -> tuple:
    """JAX's ``scan``: ``carry, y = f(carry, x)`` over the leading axis of ``xs`` (any
    structure, or None with ``length``), from the end with ``reverse``; returns
    ``(carry, ys)`` with the ``y`` stacked in ``xs``' order.  A Python loop: its ops are
    differentiated (``unroll`` is accepted and ignored)."""
    if not callable(f):
        raise TypeError("scan: f must be callable")
    leaves, spec = flatten(xs)
    n = _leading("scan", leaves, length)
    order = range(n - 1, -1, -1) if reverse else range(n)
    carry = init
    ys: list = [None] * n
    for i in order:
        x = unflatten(spec, [None if v is None else v[i] for v in leaves])
        carry, ys[i] = f(carry, x)
    if n == 0:  # the shapes of y: one call on zeros, as JAX's tracing would give
        x0 = unflatten(spec, [None if v is None else cg.zeros_like(v[:1])[0] for v in leaves])
        _, y0 = f(carry, x0)
        ly, sy = flatten(y0)
        empty = [None if y is None else cg.zeros((0, *_shape(y)), dtype=y.dtype) for y in ly]
        return carry, unflatten(sy, empty)
    flat = [flatten(y) for y in ys]
    sy = flat[0][1]
    for _, s in flat:
        if s != sy:
            raise ValueError("scan: f must return y of the same structure at every step")
    cols = list(zip(*[lv for lv, _ in flat], strict=True)) if flat[0][0] else []
    stacked = [None if c[0] is None else cg.stack([cg.asarray(v) for v in c]) for c in cols]
    return carry, unflatten(sy, stacked)


def map(f: Callable, xs: Any, *, batch_size: Any = None) -> Any:  # noqa: A001
    """JAX's ``map``: ``f`` over the leading axis of ``xs`` (any structure), the results
    stacked; ``batch_size`` is accepted (the result is the same)."""
    return scan(lambda c, x: (c, f(x)), None, xs)[1]


def associative_scan(fn: Callable, elems: Any, reverse: bool = False, axis: int = 0) -> Any:
    """JAX's ``associative_scan``: the inclusive prefix of ``fn`` (associative, applied
    elementwise) along ``axis`` of every leaf of ``elems``.  Computed sequentially,
    ``out[i] = fn(out[i-1], elems[i])`` (with ``reverse``, ``fn(out[i+1], elems[i])``,
    JAX's order): for an associative ``fn`` the same result as
    JAX's parallel tree (up to rounding)."""
    leaves, spec = flatten(elems)
    if not leaves:
        return elems
    nd = len(_shape(leaves[0]))
    ax = axis + nd if axis < 0 else axis
    if not 0 <= ax < nd:
        raise ValueError(f"associative_scan: axis {axis} out of range for {nd} dimensions")
    n = int(_shape(leaves[0])[ax])
    if any(int(_shape(v)[ax]) != n for v in leaves):
        raise ValueError("associative_scan: every leaf needs the same size along axis")
    moved = [cg.moveaxis(cg.asarray(v), ax, 0) for v in leaves]
    order = list(range(n - 1, -1, -1)) if reverse else list(range(n))
    outs: list = [None] * n
    acc = None
    for i in order:
        cur = unflatten(spec, [v[i] for v in moved])
        acc = cur if acc is None else fn(acc, cur)
        outs[i] = flatten(acc)[0]
    if n == 0:
        return elems
    cols = list(zip(*outs, strict=True))
    return unflatten(spec, [cg.moveaxis(cg.stack(list(c)), 0, ax) for c in cols])


def select(pred: Any, on_true: Any, on_false: Any) -> Any:
    """JAX's ``select``: ``on_true`` where ``pred`` else ``on_false`` (``cg.where``)."""
    return cg.where(pred, on_true, on_false)


def select_n(which: Any, *cases: Any) -> Any:
    """JAX's ``select_n``: ``cases[which]`` elementwise (``which`` boolean with two
    cases, or an integer array)."""
    if not cases:
        raise ValueError("select_n: needs at least one case")
    if len(cases) == 1:
        return cases[0]
    w = cg.asarray(which)
    if w.dtype == np.bool_:
        if len(cases) != 2:
            raise ValueError(f"select_n: a boolean which selects from 2 cases, got {len(cases)}")
        return cg.where(w, cases[1], cases[0])
    out = cases[0]
    for k in range(1, len(cases)):
        out = cg.where(w == k, cases[k], out)
    return out


def stop_gradient(x: Any) -> Any:
    """JAX's ``stop_gradient``: every leaf of ``x`` as a constant (``cg.stop_gradient``)."""
    return tree_map(cg.stop_gradient, x)


def optimization_barrier(operand: Any) -> Any:
    """JAX's ``optimization_barrier``: the identity here (compgraph does not reorder)."""
    return operand


def custom_linear_solve(
    matvec: Callable,
    b: Any,
    solve: Callable,
    transpose_solve: Any = None,
    symmetric: bool = False,
    has_aux: bool = False,
) -> Any:
    """JAX's ``custom_linear_solve``: ``solve(matvec, b)``.  The gradient is that of
    ``solve``'s own ops (JAX's implicit rule gives the same for an exact solver)."""
    out = solve(matvec, b)
    return out


def custom_root(
    f: Callable, initial_guess: Any, solve: Callable, tangent_solve: Callable, has_aux: bool = False
) -> Any:
    """JAX's ``custom_root``: ``solve(f, initial_guess)``; the gradient is that of
    ``solve``'s own ops, not JAX's implicit-function rule (differs for iterative
    solvers that stop early)."""
    return solve(f, initial_guess)
