"""Loss functions, written with cg functions (gradients from the ops' rules)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as F
from ..tensor import Tensor

__all__ = ["cross_entropy", "mse_loss", "binary_cross_entropy_with_logits"]


def _reduce(loss: Any, reduction: str, where: str) -> Any:
    if reduction == "mean":
        return F.mean(loss)
    if reduction == "sum":
        return F.sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def cross_entropy(logits: Any, labels: Any, reduction: str = "mean", *, weight: Any = None,
                  ignore_index: int = -100, label_smoothing: float = 0.0) -> Tensor:
    """Softmax cross entropy of (N, C) logits against integer labels of shape (N,), with
    PyTorch's ``weight`` (per class), ``ignore_index`` and ``label_smoothing``.

    Uses a numerically stable log-softmax; the picked entries come from a one-hot
    mask, which is faster than scattering into the gradient.  With weights the mean
    divides by the summed weights of the counted examples, as torch does.
    """
    labels = np.asarray(labels._data if isinstance(labels, Tensor) else labels)
    shape = logits.shape
    if len(shape) != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {shape}")
    n, c = shape
    if labels.shape != (n,) or labels.dtype.kind not in "iu":
        raise ValueError(f"cross_entropy: labels must be integers of shape ({n},), got "
                         f"shape {labels.shape} dtype {labels.dtype}")
    keep = labels != ignore_index
    kept = labels[keep]
    if kept.size and (kept.min() < 0 or kept.max() >= c):
        raise ValueError(f"cross_entropy: labels must lie in [0, {c}) (or equal ignore_index="
                         f"{ignore_index}), got [{kept.min()}, {kept.max()}]")
    if reduction not in ("mean", "sum", "none"):
        _reduce(None, reduction, "cross_entropy")  # raises, naming the choices
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    w = None
    if weight is not None:
        w = np.asarray(weight._data if isinstance(weight, Tensor) else weight, dtype=logits.dtype)
        if w.shape != (c,):
            raise ValueError(f"cross_entropy: weight must have shape ({c},), got {w.shape}")
    rows = np.arange(n)[keep]
    onehot = np.zeros(shape, dtype=logits.dtype)
    onehot[rows, kept] = 1 if w is None else w[kept]
    logp = F.log_softmax(logits, axis=-1)
    simple = w is None and keep.all() and not label_smoothing
    if simple and reduction != "none" and n:
        # One sum and one scale instead of a per-example sum, a negation and a mean.
        return F.sum(logp * onehot) * (-1.0 / n if reduction == "mean" else -1.0)
    # denominator of the mean: examples counted, each by its class weight
    denom = float(kept.size if w is None else w[kept].sum())
    nll = -F.sum(logp * onehot, axis=1)
    if label_smoothing:
        cls = np.broadcast_to(keep[:, None], shape).astype(logits.dtype)
        if w is not None:
            cls = cls * w
        smooth = -F.sum(logp * cls, axis=1)
        nll = nll * (1.0 - label_smoothing) + smooth * (label_smoothing / c)
    if reduction == "none":
        return nll
    total = F.sum(nll)
    return total if reduction == "sum" else total / denom  # (0/0 = nan, as torch)


def mse_loss(pred: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error."""
    d = F.subtract(pred, target)
    return _reduce(d * d, reduction, "mse_loss")


def binary_cross_entropy_with_logits(logits: Any, targets: Any, reduction: str = "mean", *,
                                     weight: Any = None, pos_weight: Any = None) -> Tensor:
    """Sigmoid + binary cross entropy in one stable formula, PyTorch's
    ``(1 - t) * x + (1 + (pos_weight - 1) * t) * softplus(-x)``, times ``weight``.

    ``softplus`` is one primitive whose derivative is ``sigmoid``, so the gradient is
    ``sigmoid(x) - t`` everywhere, at ``x = 0`` too (a form built from relu and abs
    would take their one-sided derivatives there).
    """
    x, t = logits, targets
    if pos_weight is None:
        loss = F.softplus(x) - x * t
    else:
        loss = (1 - t) * x + (1 + (pos_weight - 1) * t) * F.softplus(-x)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")
