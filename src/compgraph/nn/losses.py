"""Loss functions and modules: :mod:`compgraph.nn.functional`'s losses, as PyTorch's."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
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
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    return loss


# compgraph's own order (reduction third) for these names; cg.nn.functional has torch's.
def cross_entropy(
    logits: Any,
    labels: Any,
    reduction: str = "mean",
    *,
    weight: Any = None,
    ignore_index: int = -100,
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross entropy of (N, C, ...) logits against class indices (or class
    probabilities), with PyTorch's ``weight``, ``ignore_index`` and ``label_smoothing``
    (:func:`functional.cross_entropy`)."""
    return F.cross_entropy(
        logits,
        labels,
        weight,
        ignore_index=ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )


def nll_loss(
    log_probs: Any,
    labels: Any,
    reduction: str = "mean",
    *,
    weight: Any = None,
    ignore_index: int = -100,
) -> Tensor:
    """Negative log likelihood of (N, C, ...) log-probabilities (a ``log_softmax``
    output) against class indices, with PyTorch's ``weight`` and ``ignore_index``."""
    return F.nll_loss(log_probs, labels, weight, ignore_index=ignore_index, reduction=reduction)


def mse_loss(pred: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean squared error."""
    return F.mse_loss(pred, target, reduction=reduction)


def l1_loss(pred: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Mean absolute error (gradient 0 where pred equals target, as torch)."""
    return F.l1_loss(pred, target, reduction=reduction)


def smooth_l1_loss(pred: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """``0.5 d**2 / beta`` where ``|d| < beta``, else ``|d| - 0.5 beta`` (torch's)."""
    return F.smooth_l1_loss(pred, target, reduction=reduction, beta=beta)


def huber_loss(pred: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """``0.5 d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 delta)`` (torch's)."""
    return F.huber_loss(pred, target, reduction=reduction, delta=delta)


def binary_cross_entropy_with_logits(
    logits: Any,
    targets: Any,
    reduction: str = "mean",
    *,
    weight: Any = None,
    pos_weight: Any = None,
) -> Tensor:
    """Sigmoid + binary cross entropy in one stable formula
    (:func:`functional.binary_cross_entropy_with_logits`)."""
    return F.binary_cross_entropy_with_logits(
        logits, targets, weight, reduction=reduction, pos_weight=pos_weight
    )


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
        return ""  # (torch's losses show no options: ``CrossEntropyLoss()``)


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
