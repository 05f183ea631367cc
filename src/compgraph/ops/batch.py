"""Helpers for batched forward-mode rules (``batch=`` in an op's declaration).

``jacfwd`` and ``hessian`` push many tangent directions at once, stacked on a new
leading axis of length ``k``.  An op's ``batch`` rule receives the primal operands,
the batched tangents (``(k, *input.shape)`` or None) and the attributes, and returns
the batched output tangent; elementwise ops need no rule (their JVP rules broadcast).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["shift_axes", "aligned", "shifted"]


def shift_axes(axis: Any, ndim: int) -> Any:
    """``axis`` of an op on the primal, for the same op on the batched tangent."""
    if axis is None:
        return tuple(range(1, ndim + 1))
    if isinstance(axis, (tuple, list)):
        return tuple(a + 1 if a >= 0 else a for a in axis)
    return axis + 1 if axis >= 0 else axis


def aligned(t: Any, rank: int) -> Any:
    """A batched tangent (k, *s) as (k, 1, ..., 1, *s) of rank ``rank + 1``."""
    missing = rank - (np.ndim(t) - 1)
    return t.reshape(t.shape[:1] + (1,) * missing + t.shape[1:]) if missing > 0 else t


def shifted(op: Any, t: Any, attrs: dict, **changes: Any) -> Any:
    """The op's forward on a batched tangent with some attributes changed (a linear op)."""
    return op.forward(t, **{**attrs, **changes})
