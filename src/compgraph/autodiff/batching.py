"""Many tangents at once: an op's JVP rule applied to a batch of tangent directions.

``linearize`` pushes tangents through the recorded equations with each op's own
JVP rule.  ``jacfwd`` and ``hessian`` need one direction per input element; a
batch of them, stacked on a new leading axis, goes through most rules in one call:

* elementwise ops: the primal operands broadcast against the batched tangent once
  the tangent has the output's rank (singleton axes inserted after the batch axis);
* ops whose attributes name axes or shapes (sum, reshape, transpose, ...): the same
  rule with the attributes moved one axis to the right;
* matmul: a batched vector operand gets a trailing unit axis so it stays a vector.

Every other op (or an unusual case of these) runs its rule once per direction.
The rules are never rewritten here: only the tangents' layout is adapted.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..ops.registry import NUMPY, Op
from .forward import _rule_sum as _rules_in

__all__ = ["batched_rule"]

# Ops whose JVP (or, for linear ops, the op itself) acts elementwise on the tangents.
_ELEMENTWISE = frozenset({
    "add", "subtract", "multiply", "divide", "power", "negative", "exp", "log", "sqrt",
    "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "masked", "maximum", "minimum",
    "where", "clip", "astype", "identity"})


def _rule_sum(op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Any, attrs: dict) -> Any:
    return _rules_in(NUMPY, op, prims, tins, out, attrs)


def _shift_axes(axis: Any, ndim: int) -> Any:
    """``axis`` of an op on the primal, for the same op on the batched tangent."""
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, (tuple, list)):
        return tuple(a + 1 if a >= 0 else a for a in axis)
    return axis + 1 if axis >= 0 else axis


def _shifted_attrs(op: Op, prim: Any, attrs: dict, batch: int) -> dict | None:
    """Attributes for running a linear shape op on a batched tangent; None: not handled."""
    nd = np.ndim(prim)
    name = op.name
    if name == "sum":
        return {**attrs, "axis": _shift_axes(attrs.get("axis"), nd)}
    if name in ("reshape", "broadcast_to"):
        return {**attrs, "shape": (batch,) + tuple(attrs["shape"])}
    if name == "transpose":
        axes = attrs.get("axes")
        perm = tuple(range(nd))[::-1] if axes is None else tuple(a % nd for a in axes)
        return {**attrs, "axes": (0,) + tuple(a + 1 for a in perm)}
    if name == "swapaxes":
        return {**attrs, "axis1": _shift_axes(attrs["axis1"], nd),
                "axis2": _shift_axes(attrs["axis2"], nd)}
    if name in ("expand_dims", "squeeze"):
        # expand_dims counts axes of the result, squeeze those of the input; negative
        # axes count from the end and stay as they are.
        return {**attrs, "axis": _shift_axes(attrs["axis"], nd)}
    return None


def _aligned(t: Any, rank: int) -> Any:
    """A batched tangent (B, *s) as (B, 1, ..., 1, *s) of rank ``rank + 1``."""
    missing = rank - (t.ndim - 1)
    return t.reshape(t.shape[:1] + (1,) * missing + t.shape[1:]) if missing > 0 else t


def _matmul(op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Any) -> Any:
    a, b = prims
    ta, tb = tins
    if a.ndim > 2 or b.ndim > 2:
        return None  # batch axes of the operands would meet the tangents' batch axis
    total = None
    if ta is not None:  # (B, k) or (B, m, k) @ b: already the batched product
        total = op.jvp[0](NUMPY, ta, out, a, b)
    if tb is not None:
        if b.ndim == 1:  # a @ (B, k, 1) -> (B, ..., 1): keep the vector a vector
            c = op.jvp[1](NUMPY, tb[..., None], out, a, b)[..., 0]
        else:
            c = op.jvp[1](NUMPY, tb, out, a, b)
        total = c if total is None else total + c
    return total


def batched_rule(op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Any,
                 attrs: dict, batch: int) -> Any:
    """The output tangents ``(batch, *out.shape)`` of ``op`` for batched input tangents
    (each ``(batch, *input.shape)`` or None), or None when all are zero."""
    if op.vjp is None:
        return None
    name = op.name
    r = np.ndim(out)
    total: Any = None
    if name in _ELEMENTWISE:
        total = _rule_sum(op, prims, [None if t is None else _aligned(t, r) for t in tins],
                          out, attrs)
    elif name == "matmul":
        total = _matmul(op, prims, tins, out)
        if total is None:
            total = _loop(op, prims, tins, out, attrs, batch)
    elif op.linear and op.jvp is None and len(prims) == 1 and \
            (shifted := _shifted_attrs(op, prims[0], attrs, batch)) is not None:
        t = tins[0]
        if name == "broadcast_to":
            t = _aligned(t, len(attrs["shape"]))
        total = getattr(NUMPY, name)(t, **shifted)
    else:
        total = _loop(op, prims, tins, out, attrs, batch)
    if total is None:
        return None
    shape = (batch,) + np.shape(out)
    if np.shape(total) != shape:
        total = np.broadcast_to(total, shape)
    return total


def _loop(op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Any, attrs: dict,
          batch: int) -> Any:
    """The rule once per direction, stacked: for ops without a batched form."""
    cols = []
    for k in range(batch):
        c = _rule_sum(op, prims, [None if t is None else t[k] for t in tins], out, attrs)
        if c is None:
            return None
        cols.append(np.broadcast_to(c, np.shape(out)))
    return np.stack(cols)
