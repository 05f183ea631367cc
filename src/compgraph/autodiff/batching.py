"""Many tangents at once: an op's JVP rule applied to a batch of tangent directions.

``linearize`` pushes tangents through the recorded equations with each op's own
JVP rule.  ``jacfwd`` and ``hessian`` need one direction per input element; a
batch of them, stacked on a new leading axis, goes through most rules in one call,
as the op's declaration says:

* ``elementwise`` ops: the primal operands broadcast against the batched tangent
  once the tangent has the output's rank (singleton axes inserted after the batch
  axis);
* ops with a ``batch`` rule (sum, reshape, transpose, matmul ...): that rule, which
  moves the op's axis and shape attributes one axis to the right;
* any other op (``batch=no(reason)``), or a case its rule declines: the JVP rule once
  per direction.

The JVP rules are never rewritten here: only the tangents' layout is adapted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..ops.batch import aligned
from ..ops.registry import NUMPY, Op
from .recording import rule_sum

__all__ = ["batched_rule"]


def batched_rule(
    op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Any, attrs: dict, batch: int
) -> Any:
    """The output tangents ``(batch, *out.shape)`` of ``op`` for batched input tangents
    (each ``(batch, *input.shape)`` or None), or None when all are zero."""
    if op.vjp is None:
        return None
    total: Any = None
    if op.elementwise:
        r = np.ndim(out)
        total = rule_sum(
            NUMPY, op, prims, [None if t is None else aligned(t, r) for t in tins], out, attrs
        )
    elif callable(op.batch):
        total = op.batch(op, prims, tins, out, attrs, batch)
        if total is None:
            total = _loop(op, prims, tins, out, attrs, batch)
    else:
        total = _loop(op, prims, tins, out, attrs, batch)
    if total is None:
        return None
    shape = (batch,) + np.shape(out)
    if np.shape(total) != shape:
        total = np.broadcast_to(total, shape)
    return total


def _loop(
    op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Any, attrs: dict, batch: int
) -> Any:
    """The rule once per direction, stacked: for ops without a batched form."""
    cols = []
    for k in range(batch):
        c = rule_sum(NUMPY, op, prims, [None if t is None else t[k] for t in tins], out, attrs)
        if c is None:
            return None
        cols.append(np.broadcast_to(c, np.shape(out)))
    return np.stack(cols)
