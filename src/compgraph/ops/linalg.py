"""Matrix product for 1-D, 2-D and batched operands (NumPy ``matmul`` semantics).

Batch broadcasting needs no special care here: the engine sums each cotangent
back to its operand's shape.
"""
from __future__ import annotations

import operator

from .registry import defop


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
    "matmul", operator.matmul, np_name="matmul",
    vjp=(_matmul_da, _matmul_db),
    jvp=(lambda ns, t, out, a, b: ns.matmul(t, b), lambda ns, t, out, a, b: ns.matmul(a, t)),
    saves=((0, 1), (0, 1)), deriv=("g @ y.T", "x.T @ g"),
    doc="matrix product")
