"""Loss functions of torch.nn.functional written on cg functions (F.multilabel_margin_loss ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import functions as cg
from .. import linalg
from ..tensor import Tensor
from .fn_args import shape_of as _shape
from .fn_args import value_of as _value

__all__ = ["multilabel_margin_loss", "triplet_margin_with_distance_loss"]

_REDUCTIONS = ("mean", "sum", "none")


def _legacy_reduction(size_average: Any, reduce: Any, reduction: str, where: str) -> str:
    """PyTorch's rule for the deprecated ``size_average``/``reduce`` flags: either one
    given overrides ``reduction`` (a missing one counts as True)."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        return "mean" if size_average and reduce else "sum" if reduce else "none"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return reduction


def _reduce(loss: Any, reduction: str) -> Any:
    if reduction == "mean":
        return cg.mean(loss)
    return cg.sum(loss) if reduction == "sum" else loss


def _clamp_min0(z: Any) -> Any:
    """``clamp_min(z, 0)`` with torch's gradient: 1 where ``z >= 0`` (at 0 too)."""
    return cg.where(_value(z) >= 0, z, 0.0)


def multilabel_margin_loss(
    input: Any,  # noqa: A002 (PyTorch's name)
    target: Any,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class multi-label hinge loss, as ``F.multilabel_margin_loss``.

    ``input`` is (N, C) scores, or (C,) / 0-D for one sample; ``target`` has the same
    shape and holds class indices, ended by the first -1 (what follows it is padding).
    Per sample: ``sum over targets j, non-targets i of max(0, 1 - (x[j] - x[i])) / C``
    (a class named twice counts twice, as torch). Every target entry must lie in
    [-1, C), as torch checks; any integer dtype is accepted (torch wants int64).
    """
    where = "multilabel_margin_loss"
    red = _legacy_reduction(size_average, reduce, reduction, where)
    shape = _shape(input)
    if len(shape) > 2 or (len(shape) == 1 and shape[0] == 0) or (len(shape) == 2 and not shape[1]):
        raise ValueError(
            f"{where}: expected a non-empty (C,) or (N, C) input (N may be 0), got shape {shape}"
        )
    t = _value(target)
    if t.shape != shape:
        raise ValueError(
            f"{where}: target must have the input's shape {shape}, got shape {t.shape}"
        )
    if t.dtype.kind not in "iu":
        raise TypeError(f"{where}: target must hold integer class indices, got dtype {t.dtype}")
    c = shape[-1] if shape else 1
    t = t.reshape(-1, c).astype(np.int64)
    if t.size and (t.min() < -1 or t.max() >= c):
        raise ValueError(
            f"{where}: target values must lie in [-1, {c}) for {c} classes, got "
            f"{t.min() if t.min() < -1 else t.max()}"
        )
    n = t.shape[0]
    # a target counts up to (not including) the first -1 of its row
    valid = np.cumprod(t >= 0, axis=1).astype(bool)
    k = int(valid.sum(axis=1).max()) if n else 0
    is_target = np.zeros((n, c), bool)
    rows = np.broadcast_to(np.arange(n)[:, None], t.shape)
    is_target[rows[valid], t[valid]] = True
    x = cg.reshape(input, (n, c))
    dtype = x.dtype
    if k == 0:
        loss = cg.multiply(cg.sum(x, axis=1), 0.0)
    else:
        # the first k columns hold every row's targets (padding index 0 is masked out)
        idx = np.where(valid[:, :k], t[:, :k], 0)
        picked = cg.take_along_axis(x, idx, axis=1)  # (n, k)
        z = cg.add(cg.subtract(cg.expand_dims(x, 1), cg.expand_dims(picked, 2)), 1.0)
        mask = (valid[:, :k, None] & ~is_target[:, None, :]).astype(dtype)
        loss = cg.divide(cg.sum(cg.multiply(cg.relu(z), mask), axis=(1, 2)), float(c))
    loss = cg.reshape(loss, shape[:-1] if len(shape) == 2 else ())
    return _reduce(loss, red)


def _pairwise_distance(x1: Any, x2: Any) -> Tensor:
    """``torch.pairwise_distance`` with its defaults: ``||x1 - x2 + 1e-6||_2`` along the
    last dimension."""
    return linalg.vector_norm(cg.add(cg.subtract(x1, x2), 1e-6), ord=2, axis=-1)


def triplet_margin_with_distance_loss(
    anchor: Any,
    positive: Any,
    negative: Any,
    *,
    distance_function: Callable[[Any, Any], Any] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """``max(d(a, p) - d(a, n) + margin, 0)`` for any distance function ``d`` (default
    ``pairwise_distance``), as ``F.triplet_margin_with_distance_loss``; ``swap`` uses
    the smaller of d(a, n) and d(p, n). The gradient at exactly 0 passes, as torch's
    ``clamp_min``."""
    where = "triplet_margin_with_distance_loss"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if margin <= 0:
        raise ValueError(f"{where}: margin must be greater than 0, got {margin}")
    dims = [len(_shape(v)) for v in (anchor, positive, negative)]
    if len(set(dims)) != 1:
        raise ValueError(
            f"{where}: the anchor, positive, and negative tensors are expected to have the "
            f"same number of dimensions, but got: anchor {dims[0]}D, positive {dims[1]}D, "
            f"and negative {dims[2]}D inputs"
        )
    dist = _pairwise_distance if distance_function is None else distance_function
    dist_pos = dist(anchor, positive)
    dist_neg = dist(anchor, negative)
    if swap:
        dist_neg = cg.minimum(dist_neg, dist(positive, negative))
    loss = _clamp_min0(cg.subtract(cg.add(dist_pos, margin), dist_neg))
    return _reduce(loss, reduction)
