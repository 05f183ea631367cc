"""Loss functions, written with cg functions (gradients from the ops' rules)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as F
from ..tensor import Tensor
from .module import Module

__all__ = [
    "cross_entropy",
    "nll_loss",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "binary_cross_entropy_with_logits",
    "CrossEntropyLoss",
    "NLLLoss",
    "MSELoss",
    "L1Loss",
    "SmoothL1Loss",
    "HuberLoss",
    "BCEWithLogitsLoss",
]


def _reduce(loss: Any, reduction: str, where: str) -> Any:
    if reduction == "mean":
        return F.mean(loss)
    if reduction == "sum":
        return F.sum(loss)
    if reduction == "none":
        return loss
    raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def cross_entropy(
    logits: Any,
    labels: Any,
    reduction: str = "mean",
    *,
    weight: Any = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross entropy of (N, C) logits against integer labels of shape (N,), with
    PyTorch's ``weight`` (per class), ``ignore_index`` and ``label_smoothing``.

    Uses a numerically stable log-softmax; the picked entries come from a one-hot
    mask, which is faster than scattering into the gradient.  With weights the mean
    divides by the summed weights of the counted examples, as torch does.
    """
    return _nll(
        logits,
        labels,
        reduction,
        weight,
        ignore_index,
        label_smoothing,
        "cross_entropy",
        from_logits=True,
    )


def nll_loss(
    log_probs: Any,
    labels: Any,
    reduction: str = "mean",
    *,
    weight: Any = None,
    ignore_index: int = -100,
) -> Tensor:
    """Negative log likelihood of (N, C) log-probabilities (a ``log_softmax`` output)
    against integer labels, with PyTorch's ``weight`` and ``ignore_index``."""
    return _nll(
        log_probs, labels, reduction, weight, ignore_index, 0.0, "nll_loss", from_logits=False
    )


def _nll(
    x: Any,
    labels: Any,
    reduction: str,
    weight: Any,
    ignore_index: int,
    label_smoothing: float,
    where: str,
    from_logits: bool,
) -> Tensor:
    labels = np.asarray(labels._data if isinstance(labels, Tensor) else labels)
    shape = x.shape
    if len(shape) != 2:
        raise ValueError(f"{where}: input must have shape (N, C), got {shape}")
    n, c = shape
    if labels.shape != (n,) or labels.dtype.kind not in "iu":
        raise ValueError(
            f"{where}: labels must be integers of shape ({n},), got "
            f"shape {labels.shape} dtype {labels.dtype}"
        )
    keep = labels != ignore_index
    kept = labels[keep]
    if kept.size and (kept.min() < 0 or kept.max() >= c):
        raise ValueError(
            f"{where}: labels must lie in [0, {c}) (or equal ignore_index="
            f"{ignore_index}), got [{kept.min()}, {kept.max()}]"
        )
    if reduction not in ("mean", "sum", "none"):
        _reduce(None, reduction, where)  # raises, naming the choices
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{where}: label_smoothing must be in [0, 1], got {label_smoothing}")
    w = None
    if weight is not None:
        w = np.asarray(weight._data if isinstance(weight, Tensor) else weight, dtype=x.dtype)
        if w.shape != (c,):
            raise ValueError(f"{where}: weight must have shape ({c},), got {w.shape}")
    rows = np.arange(n)[keep]
    onehot = np.zeros(shape, dtype=x.dtype)
    onehot[rows, kept] = 1 if w is None else w[kept]
    logp = F.log_softmax(x, axis=-1) if from_logits else x
    simple = w is None and keep.all() and not label_smoothing
    if simple and reduction != "none" and n:
        # One sum and one scale instead of a per-example sum, a negation and a mean.
        return F.sum(logp * onehot) * (-1.0 / n if reduction == "mean" else -1.0)
    # denominator of the mean: examples counted, each by its class weight
    denom = float(kept.size if w is None else w[kept].sum())
    nll = -F.sum(logp * onehot, axis=1)
    if label_smoothing:
        cls = np.broadcast_to(keep[:, None], shape).astype(x.dtype)
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


def l1_loss(pred: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error (gradient 0 where pred equals target, as torch)."""
    return _reduce(F.abs(F.subtract(pred, target)), reduction, "l1_loss")


def smooth_l1_loss(pred: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (torch's)."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    d = F.subtract(pred, target)
    if beta == 0:
        return _reduce(F.abs(d), reduction, "smooth_l1_loss")
    ad = F.abs(d)
    loss = F.where(F.less(ad, beta), d * d * (0.5 / beta), ad - 0.5 * beta)
    return _reduce(loss, reduction, "smooth_l1_loss")


def huber_loss(pred: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 delta)`` (torch's)."""
    if delta <= 0:
        raise ValueError(f"huber_loss: delta must be > 0, got {delta}")
    d = F.subtract(pred, target)
    ad = F.abs(d)
    loss = F.where(F.less(ad, delta), d * d * 0.5, (ad - 0.5 * delta) * delta)
    return _reduce(loss, reduction, "huber_loss")


def binary_cross_entropy_with_logits(
    logits: Any,
    targets: Any,
    reduction: str = "mean",
    *,
    weight: Any = None,
    pos_weight: Any = None,
) -> Tensor:
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


# ------------------------------------------------------------------ loss modules
class _Loss(Module):
    """A loss as a module (PyTorch's ``nn.*Loss``): options fixed at construction."""

    fn: Any = None

    def __init__(self, reduction: str = "mean", **options: Any):
        super().__init__()
        if reduction not in ("mean", "sum", "none"):
            _reduce(None, reduction, type(self).__name__)
        self.reduction = reduction
        self._options = options

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002 (torch's name)
        return type(self).fn(input, target, self.reduction, **self._options)

    def extra_repr(self) -> str:
        opts = "".join(
            f", {k}={v!r}"
            for k, v in self._options.items()
            if v is not None and not isinstance(v, np.ndarray)
        )
        return f"reduction={self.reduction!r}{opts}"


class CrossEntropyLoss(_Loss):
    """:func:`cross_entropy` as a module: ``CrossEntropyLoss()(logits, labels)``."""

    fn = staticmethod(cross_entropy)

    def __init__(
        self,
        weight: Any = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ):
        super().__init__(
            reduction, weight=weight, ignore_index=ignore_index, label_smoothing=label_smoothing
        )


class NLLLoss(_Loss):
    """:func:`nll_loss` as a module."""

    fn = staticmethod(nll_loss)

    def __init__(self, weight: Any = None, ignore_index: int = -100, reduction: str = "mean"):
        super().__init__(reduction, weight=weight, ignore_index=ignore_index)


class MSELoss(_Loss):
    """:func:`mse_loss` as a module."""

    fn = staticmethod(mse_loss)

    def __init__(self, reduction: str = "mean"):
        super().__init__(reduction)


class L1Loss(_Loss):
    """:func:`l1_loss` as a module."""

    fn = staticmethod(l1_loss)

    def __init__(self, reduction: str = "mean"):
        super().__init__(reduction)


class SmoothL1Loss(_Loss):
    """:func:`smooth_l1_loss` as a module."""

    fn = staticmethod(smooth_l1_loss)

    def __init__(self, reduction: str = "mean", beta: float = 1.0):
        super().__init__(reduction, beta=beta)


class HuberLoss(_Loss):
    """:func:`huber_loss` as a module."""

    fn = staticmethod(huber_loss)

    def __init__(self, reduction: str = "mean", delta: float = 1.0):
        super().__init__(reduction, delta=delta)


class BCEWithLogitsLoss(_Loss):
    """:func:`binary_cross_entropy_with_logits` as a module."""

    fn = staticmethod(binary_cross_entropy_with_logits)

    def __init__(self, weight: Any = None, reduction: str = "mean", pos_weight: Any = None):
        super().__init__(reduction, weight=weight, pos_weight=pos_weight)
