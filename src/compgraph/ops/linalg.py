"""Matrix product for 1-D, 2-D and batched operands (NumPy ``matmul`` semantics).

Batch broadcasting needs no special care here: the engine sums each cotangent
back to its operand's shape.
"""
from __future__ import annotations

import operator

import numpy as np

from .meta import Meta, broadcast_partial, promote
from .registry import defop


def _matmul_shape(metas):
    a, b = (m.shape if isinstance(m, Meta) else () for m in metas)
    if a is None or b is None:
        return None
    if not a or not b:
        raise ValueError(f"matmul: operands must have at least one dimension, got shapes {a} and {b}")
    a2 = a if len(a) > 1 else (1,) + a
    b2 = b if len(b) > 1 else b + (1,)
    if a2[-1] != b2[-2] and a2[-1] is not None and b2[-2] is not None:
        raise ValueError(f"matmul: shapes {a} and {b} do not align ({a2[-1]} != {b2[-2]})")
    out = broadcast_partial(a2[:-2], b2[:-2]) + (a2[-2], b2[-1])
    if len(b) == 1:
        out = out[:-1]
    if len(a) == 1:
        out = out[:-2] + out[-1:] if len(b) > 1 else out[:-1]
    return out


def _matmul_da(ns, g, out, a, b):
    if b.ndim == 1:
        if a.ndim == 1:
            return g * b
        return ns.expand_dims(g, axis=-1) * b  # (..., n, 1) * (k,) -> (..., n, k)
    if a.ndim == 1:
        # out (..., m) = a (k,) @ b (..., k, m): da = sum over batch and m of b * g.
        return ns.squeeze(ns.matmul(b, ns.expand_dims(g, axis=-1)), axis=-1)
    return ns.matmul(g, ns.swapaxes(b, axis1=-1, axis2=-2))


def _matmul_db(ns, g, out, a, b):
    if a.ndim == 1:
        if b.ndim == 1:
            return g * a
        return ns.expand_dims(a, axis=-1) * ns.expand_dims(g, axis=-2)  # (k,1)*(...,1,m)
    if b.ndim == 1:
        return ns.squeeze(ns.matmul(ns.swapaxes(a, axis1=-1, axis2=-2),
                                    ns.expand_dims(g, axis=-1)), axis=-1)
    return ns.matmul(ns.swapaxes(a, axis1=-1, axis2=-2), g)


MATMUL = defop(
    "matmul", operator.matmul, shape=lambda m, **a: _matmul_shape(m), dtype=promote, np_name="matmul",
    vjp=(_matmul_da, _matmul_db),
    jvp=(lambda ns, t, out, a, b: ns.matmul(t, b), lambda ns, t, out, a, b: ns.matmul(a, t)),
    saves=((0, 1), (0, 1)), deriv=("g @ y.T", "x.T @ g"),
    doc="matrix product")
