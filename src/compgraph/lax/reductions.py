"""``jax.lax``'s scans, reductions and windows: ``cumsum`` ... ``cumlogsumexp``
(``axis``, ``reverse``), ``reduce`` (any computation), ``reduce_sum`` ...,
``reduce_window`` (padding, base and window dilation)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..autodiff.tree import flatten, unflatten
from ..functions import cg
from . import elementwise as ew
from .shapes import _arr, _axis, _shape, pad

__all__ = [
    "cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp", "reduce", "reduce_sum",
    "reduce_prod", "reduce_max", "reduce_min", "reduce_and", "reduce_or", "reduce_xor",
    "reduce_window", "reduce_window_shape_tuple", "padtype_to_pads",
]  # fmt: skip


def _cum(f: str, fn: Callable, operand: Any, axis: int, reverse: bool) -> Any:
    x = _arr(operand)
    ax = _axis(f, int(axis), len(_shape(x)))
    if reverse:
        return cg.flip(fn(cg.flip(x, axis=ax), ax), axis=ax)
    return fn(x, ax)


def _own(x: Any) -> Any:
    """lax keeps the operand's dtype where NumPy widens small integers."""
    return x.dtype if np.dtype(x.dtype).kind in "iufc" else None


def cumsum(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """Running sum along ``axis`` (from the end with ``reverse``), in the operand's dtype."""
    return _cum("cumsum", lambda x, a: cg.cumsum(x, axis=a, dtype=_own(x)), operand, axis, reverse)


def cumprod(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """Running product along ``axis``, in the operand's dtype."""
    return _cum(
        "cumprod", lambda x, a: cg.cumprod(x, axis=a, dtype=_own(x)), operand, axis, reverse
    )


def cummax(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """Running maximum along ``axis``."""
    return _cum("cummax", lambda x, a: cg.cummax(x, a)[0], operand, axis, reverse)


def cummin(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """Running minimum along ``axis``."""
    return _cum("cummin", lambda x, a: cg.cummin(x, a)[0], operand, axis, reverse)


def cumlogsumexp(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """Running ``log(sum(exp))`` along ``axis``."""
    return _cum("cumlogsumexp", lambda x, a: cg.logcumsumexp(x, a), operand, axis, reverse)


def _axes(f: str, x: Any, axes: Sequence[int]) -> tuple:
    nd = len(_shape(x))
    out = tuple(_axis(f, int(a), nd) for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(f"{f}: repeated axes {tuple(axes)}")
    return out


def reduce_sum(operand: Any, axes: Sequence[int]) -> Any:
    """Sum over ``axes``, in the operand's dtype."""
    x = _arr(operand)
    return cg.sum(x, axis=_axes("reduce_sum", x, axes), dtype=_own(x))


def reduce_prod(operand: Any, axes: Sequence[int]) -> Any:
    """Product over ``axes``, in the operand's dtype."""
    x = _arr(operand)
    return cg.prod(x, axis=_axes("reduce_prod", x, axes), dtype=_own(x))


def reduce_max(operand: Any, axes: Sequence[int]) -> Any:
    """Maximum over ``axes``."""
    x = _arr(operand)
    ax = _axes("reduce_max", x, axes)
    return cg.max(x, axis=ax) if ax else x


def reduce_min(operand: Any, axes: Sequence[int]) -> Any:
    """Minimum over ``axes``."""
    x = _arr(operand)
    ax = _axes("reduce_min", x, axes)
    return cg.min(x, axis=ax) if ax else x


def reduce_and(operand: Any, axes: Sequence[int]) -> Any:
    """Logical (boolean) or bitwise (integer) and over ``axes``."""
    return _bit_reduce("reduce_and", np.bitwise_and, operand, axes)


def reduce_or(operand: Any, axes: Sequence[int]) -> Any:
    """Logical or bitwise or over ``axes``."""
    return _bit_reduce("reduce_or", np.bitwise_or, operand, axes)


def reduce_xor(operand: Any, axes: Sequence[int]) -> Any:
    """Logical or bitwise xor over ``axes``."""
    return _bit_reduce("reduce_xor", np.bitwise_xor, operand, axes)


def _bit_reduce(f: str, ufunc: Any, operand: Any, axes: Sequence[int]) -> Any:
    x = _arr(operand)
    ax = _axes(f, x, axes)
    if np.dtype(x.dtype).kind not in "biu":
        raise TypeError(f"{f}: expects a boolean or integer array, got {x.dtype}")
    return ew._values(f, lambda a: ufunc.reduce(a, axis=ax), x)


_MONOIDS: dict = {}


def _monoid(computation: Any) -> Any:
    """The whole-axis reduction for lax's own binary functions (or cg's), else None."""
    if not _MONOIDS:
        _MONOIDS.update({
            id(ew.add): reduce_sum, id(cg.add): reduce_sum,
            id(ew.mul): reduce_prod, id(cg.multiply): reduce_prod,
            id(ew.max): lambda x, ax: cg.max(x, axis=ax), id(ew.min): lambda x, ax: cg.min(x, axis=ax),
        })  # fmt: skip
    return _MONOIDS.get(id(computation))


def reduce(
    operands: Any, init_values: Any, computation: Callable, dimensions: Sequence[int]
) -> Any:
    """lax's ``reduce``: ``computation`` folded over ``dimensions`` from ``init_values``
    (structures matching ``operands``).  ``lax.add``/``mul``/``max``/``min`` on one
    operand use cg's reductions; any other ``computation`` runs as a Python loop over
    the reduced elements (one call per element, every element of the kept axes at
    once), so it must be elementwise as in JAX."""
    leaves, spec = flatten(operands)
    inits, ispec = flatten(init_values)
    if len(leaves) != len(inits):
        raise ValueError(f"reduce: {len(leaves)} operands but {len(inits)} init values")
    xs = [_arr(v) for v in leaves]
    s = _shape(xs[0])
    if any(_shape(x) != s for x in xs):
        raise ValueError("reduce: operands must share one shape")
    dims = _axes("reduce", xs[0], dimensions)
    whole = _monoid(computation)
    if whole is not None and len(xs) == 1:
        out = whole(xs[0], dims) if dims else xs[0]
        return unflatten(spec, [computation(cg.astype(cg.asarray(inits[0]), xs[0].dtype), out)])
    keep = [d for d in range(len(s)) if d not in dims]
    kept = tuple(s[d] for d in keep)
    n = math.prod(s[d] for d in dims)
    flat = [cg.reshape(cg.transpose(x, (*dims, *keep)), (n, *kept)) for x in xs]
    acc = [
        cg.broadcast_to(cg.astype(cg.asarray(i), x.dtype), kept)
        for i, x in zip(inits, xs, strict=True)
    ]
    for j in range(n):
        res = computation(unflatten(ispec, acc), unflatten(ispec, [f[j] for f in flat]))
        acc = flatten(res)[0]
    return unflatten(spec, acc)


def padtype_to_pads(
    in_shape: Sequence[int],
    window_shape: Sequence[int],
    window_strides: Sequence[int],
    padding: Any,
) -> list:
    """Explicit ``(low, high)`` pads for ``'SAME'``, ``'SAME_LOWER'`` or ``'VALID'``."""
    if not isinstance(padding, str):
        return [tuple(int(v) for v in p) for p in padding]
    mode = padding.upper()
    if mode == "VALID":
        return [(0, 0)] * len(in_shape)
    if mode not in ("SAME", "SAME_LOWER"):
        raise ValueError(
            f"padtype_to_pads: unknown padding {padding!r}; expected 'SAME', 'SAME_LOWER' or 'VALID'"
        )
    pads = []
    for n, w, s in zip(in_shape, window_shape, window_strides, strict=True):
        out = -(-int(n) // int(s))
        total = max((out - 1) * int(s) + int(w) - int(n), 0)
        lo = total // 2 if mode == "SAME" else -(-total // 2)
        pads.append((lo, total - lo))
    return pads


def _dilate(n: int, d: int) -> int:
    return 0 if n == 0 else 1 + d * (n - 1)


def reduce_window_shape_tuple(
    operand_shape: Sequence[int],
    window_dimensions: Sequence[int],
    window_strides: Sequence[int],
    padding: Sequence[Sequence[int]],
    base_dilation: Any = None,
    window_dilation: Any = None,
) -> tuple:
    """The output shape of ``reduce_window`` (explicit ``padding`` pairs)."""
    nd = len(operand_shape)
    bd = base_dilation or (1,) * nd
    wd = window_dilation or (1,) * nd
    out = []
    for n, w, s, (lo, hi), b, d in zip(
        operand_shape, window_dimensions, window_strides, padding, bd, wd, strict=True
    ):
        size = _dilate(int(n), int(b)) + int(lo) + int(hi) - _dilate(int(w), int(d))
        out.append(0 if size < 0 else size // int(s) + 1)
    return tuple(out)


def reduce_window(
    operand: Any,
    init_value: Any,
    computation: Callable,
    window_dimensions: Sequence[int],
    window_strides: Sequence[int],
    padding: Any,
    base_dilation: Any = None,
    window_dilation: Any = None,
) -> Any:
    """lax's ``reduce_window``: ``computation`` folded from ``init_value`` over each
    window (``padding`` 'SAME'/'VALID' or ``(low, high)`` pairs filled with
    ``init_value``; ``base_dilation`` spreads the operand, ``window_dilation`` the
    window).  Differentiable: one strided slice per window position, combined with
    ``computation`` (so ties of ``max`` share the gradient, where JAX picks one)."""
    x = _arr(operand)
    s = _shape(x)
    nd = len(s)
    wdims = [int(w) for w in window_dimensions]
    strides = [int(v) for v in window_strides]
    bd = [int(v) for v in (base_dilation or (1,) * nd)]
    wd = [int(v) for v in (window_dilation or (1,) * nd)]
    if not len(wdims) == len(strides) == len(bd) == len(wd) == nd:
        raise ValueError(f"reduce_window: window_dimensions, window_strides and dilations "
                         f"need one entry per axis of {s}")  # fmt: skip
    if isinstance(padding, str):
        dil_shape = [_dilate(n, b) for n, b in zip(s, bd, strict=True)]
        eff = [_dilate(w, d) for w, d in zip(wdims, wd, strict=True)]
        pads = padtype_to_pads(dil_shape, eff, strides, padding)
    else:
        pads = [tuple(int(v) for v in p) for p in padding]
    out_shape = reduce_window_shape_tuple(s, wdims, strides, pads, bd, wd)
    init = cg.astype(cg.asarray(init_value), x.dtype)
    xp = pad(x, init, [(lo, hi, b - 1) for (lo, hi), b in zip(pads, bd, strict=True)])
    acc = cg.broadcast_to(init, out_shape)
    if any(o == 0 for o in out_shape):
        return acc
    for offs in np.ndindex(*wdims):
        index = tuple(
            np.s_[o * d : o * d + (m - 1) * st + 1 : st]
            for o, d, m, st in zip(offs, wd, out_shape, strides, strict=True)
        )
        acc = computation(acc, xp[index])
    return acc
