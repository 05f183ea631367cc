"""Gradient clipping by total norm (``torch.nn.utils.clip_grad_norm_``)."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..tensor import Tensor

__all__ = ["clip_grad_norm_"]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> float:
    """Scale gradients in place so their total ``norm_type`` norm is at most ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: parameters without a gradient are skipped, the
    total norm is the norm of the per-gradient norms (``inf``: the largest magnitude),
    and every gradient array is multiplied by ``min(max_norm / (total + 1e-6), 1)``; a
    nan/inf total makes that factor non-finite too, unless ``error_if_nonfinite`` raises
    RuntimeError first.  Returns the total norm before clipping as a Python float
    (torch returns a 0-d tensor), computed in float64.

    >>> import compgraph as cg
    >>> p = cg.nn.Parameter([0.0, 0.0])
    >>> p.grad = cg.tensor([3.0, 4.0])
    >>> cg.optim.clip_grad_norm_(p, 1.0)
    5.0
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in params if p.grad is not None]
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not grads:
        return 0.0
    # Empty arrays add nothing to any p-norm (and np.linalg.norm rejects them for inf).
    flat = [g.data.reshape(-1).astype(np.float64, copy=False) for g in grads]
    norms = [np.linalg.norm(a, norm_type) for a in flat if a.size]
    total = float(np.linalg.norm(np.array(norms), norm_type)) if norms else 0.0
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {norm_type} of the "
            f"gradients is non-finite ({total}), so it cannot be clipped; pass "
            f"error_if_nonfinite=False to scale them by it anyway"
        )
    coef = max_norm / (total + 1e-6)
    if coef > 1.0:  # written this way so a nan coefficient is kept, as torch.clamp does
        coef = 1.0
    if coef == 1.0:
        return total  # x * 1.0 == x exactly: skip the passes
    with np.errstate(invalid="ignore"):  # inf * 0 -> nan is what torch gives too
        for g in grads:
            arr = g.data
            if arr.flags.writeable:
                arr *= coef  # in place, the same array objects (torch's mul_)
            else:
                g.data = arr * coef
    return total
