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


def cross_entropy(logits: Any, labels: Any, reduction: str = "mean") -> Tensor:
    """Softmax cross entropy of (N, C) logits against integer labels of shape (N,).

    Uses a numerically stable log-softmax; the picked entries come from a one-hot
    mask, which is faster than scattering into the gradient.
    """
    labels = np.asarray(labels._data if isinstance(labels, Tensor) else labels)
    shape = logits.shape
    if len(shape) != 2:
        raise ValueError(f"cross_entropy: logits must have shape (N, C), got {shape}")
    if labels.shape != (shape[0],) or labels.dtype.kind not in "iu":
        raise ValueError(f"cross_entropy: labels must be integers of shape ({shape[0]},), got "
                         f"shape {labels.shape} dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= shape[1]):
        raise ValueError(f"cross_entropy: labels must lie in [0, {shape[1]}), got "
                         f"[{labels.min()}, {labels.max()}]")
    if reduction not in ("mean", "sum", "none"):
        _reduce(None, reduction, "cross_entropy")  # raises, naming the choices
    onehot = np.zeros(shape, dtype=logits.dtype)
    onehot[np.arange(shape[0]), labels] = 1
    picked = F.log_softmax(logits, axis=-1) * onehot
    if reduction == "none" or not shape[0]:  # (the mean of no examples is nan, as in torch)
        return _reduce(-F.sum(picked, axis=1), reduction, "cross_entropy")
    # One sum and one scale instead of a per-example sum, a negation and a mean.
    return F.sum(picked) * (-1.0 / shape[0] if reduction == "mean" else -1.0)


def mse_loss(pred: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error."""
    d = F.subtract(pred, target)
    return _reduce(d * d, reduction, "mse_loss")


def binary_cross_entropy_with_logits(logits: Any, targets: Any, reduction: str = "mean"
                                     ) -> Tensor:
    """Sigmoid + binary cross entropy in one stable formula:
    ``max(x, 0) - x * t + log(1 + exp(-|x|))``."""
    x = logits
    loss = F.relu(x) - x * targets + F.log(1 + F.exp(-F.abs(x)))
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")
