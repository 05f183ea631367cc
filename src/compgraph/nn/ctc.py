"""Connectionist temporal classification: PyTorch's ``F.ctc_loss`` and ``nn.CTCLoss``.

The loss of each sequence is the negative log-likelihood of its target summed over
every alignment (the ``ctc_nll`` primitive, :mod:`compgraph.ops.ctc`); the reductions
are PyTorch's ('mean' divides each loss by its target length, at least 1, then takes
the batch mean).  Gradients with respect to anything computed before ``log_softmax``
equal PyTorch's; the gradient with respect to ``log_probs`` itself is the exact one
(PyTorch's adds ``exp(log_probs)``, which ``log_softmax``'s backward removes), so
gradcheck holds.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as cg
from ..functions import dispatch
from ..ops.args import SYMBOLIC_TYPES
from ..ops.registry import get_op
from ..tensor import Tensor
from .module import Module

__all__ = ["ctc_loss", "CTCLoss"]

_REDUCTIONS = ("mean", "sum", "none")


def _ints(v: Any, what: str) -> np.ndarray:
    arr = np.asarray(v.data if isinstance(v, Tensor) else v)
    if arr.dtype.kind not in "iu" and not (arr.dtype.kind == "b" and arr.size == 0):
        if arr.size == 0:
            arr = arr.astype(np.int64)
        else:
            raise TypeError(f"ctc_loss: {what} must be integers, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _padded(targets: np.ndarray, tl: np.ndarray, n: int) -> np.ndarray:
    """Targets as (N, S): padded as given, or cut from the 1-D concatenation."""
    if targets.ndim == 2:
        if targets.shape[0] != n:
            raise ValueError(
                f"ctc_loss: padded targets of shape {targets.shape} for a batch of {n}"
            )
        if tl.size and tl.max() > targets.shape[1]:
            raise ValueError(
                f"ctc_loss: a target length {tl.max()} exceeds the padded targets' "
                f"length {targets.shape[1]}"
            )
        return targets
    if targets.ndim != 1:
        raise ValueError(
            f"ctc_loss: targets must be (N, S) padded or 1-D concatenated, got shape "
            f"{targets.shape}"
        )
    if int(tl.sum()) != targets.size:
        raise ValueError(
            f"ctc_loss: 1-D targets hold {targets.size} labels but the target lengths "
            f"add up to {int(tl.sum())}"
        )
    out = np.zeros((n, int(tl.max()) if tl.size else 0), np.int64)
    starts = np.concatenate([[0], np.cumsum(tl)[:-1]]) if n else np.zeros(0, np.int64)
    for i in range(n):
        out[i, : tl[i]] = targets[starts[i] : starts[i] + tl[i]]
    return out


def ctc_loss(
    log_probs: Any,
    targets: Any,
    input_lengths: Any,
    target_lengths: Any,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """``F.ctc_loss``: log-probabilities (T, N, C) (or (T, C) unbatched) against targets
    padded to (N, S) or concatenated in 1-D, with each sequence's input and target
    length.  An impossible alignment gives an infinite loss (NaN gradients) unless
    ``zero_infinity``, which zeroes both, as PyTorch.

    >>> import compgraph as cg
    >>> lp = cg.log_softmax(cg.zeros((3, 1, 2)), -1)     # 3 frames, classes {blank, a}
    >>> float(cg.nn.functional.ctc_loss(lp, [[1]], [3], [1], reduction="sum"))  # -log(6/8)
    0.2876820724517809
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"ctc_loss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if not isinstance(log_probs, Tensor) and type(log_probs) not in SYMBOLIC_TYPES:
        log_probs = cg.asarray(log_probs)
    shape = tuple(log_probs.shape)
    unbatched = len(shape) == 2
    if len(shape) not in (2, 3):
        raise ValueError(
            f"ctc_loss: log_probs must be (T, N, C) or (T, C) unbatched, got shape {shape}"
        )
    if np.dtype(log_probs.dtype).kind != "f":
        raise TypeError(f"ctc_loss: log_probs must be floating point, got {log_probs.dtype}")
    if unbatched:
        log_probs = cg.expand_dims(log_probs, 1)
    t_max, n, c = tuple(log_probs.shape)
    if not 0 <= blank < c:
        raise ValueError(f"ctc_loss: blank {blank} is not one of the {c} classes")
    if any(type(v) in SYMBOLIC_TYPES for v in (targets, input_lengths, target_lengths)):
        raise TypeError(
            "ctc_loss: targets and lengths must be concrete arrays (pass them as static "
            "arguments or close over them under cg.function)"
        )
    tg = _ints(targets, "targets")
    il = _ints(input_lengths, "input_lengths").reshape(-1)
    tl = _ints(target_lengths, "target_lengths").reshape(-1)
    if unbatched:
        tg = tg.reshape(1, -1)
    if il.shape != (n,) or tl.shape != (n,):
        raise ValueError(
            f"ctc_loss: input_lengths {il.shape} and target_lengths {tl.shape} must have "
            f"one entry per sequence ({n})"
        )
    if il.size and (il.min() < 0 or il.max() > t_max):
        raise ValueError(f"ctc_loss: input lengths {il.tolist()} must lie in [0, {t_max}]")
    if tl.size and tl.min() < 0:
        raise ValueError(f"ctc_loss: target lengths {tl.tolist()} must be >= 0")
    padded = _padded(tg, tl, n)
    used = padded[np.arange(padded.shape[1])[None, :] < tl[:, None]]
    if used.size and (used.min() < 0 or used.max() >= c):
        raise ValueError(
            f"ctc_loss: target labels must lie in [0, {c}), got {used.min()}..{used.max()}"
        )
    loss = dispatch(
        get_op("ctc_nll"),
        (log_probs, padded, il, tl),
        {"blank": int(blank), "zero_infinity": bool(zero_infinity)},
    )
    if reduction == "none":
        return cg.squeeze(loss, 0) if unbatched else loss
    if reduction == "sum":
        return cg.sum(loss)
    return cg.mean(loss / np.maximum(tl, 1).astype(loss.dtype))


class CTCLoss(Module):
    """``nn.CTCLoss``: :func:`ctc_loss` as a module, called as
    ``loss(log_probs, targets, input_lengths, target_lengths)``."""

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"CTCLoss: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
            )
        self.blank = blank
        self.reduction = reduction
        self.zero_infinity = zero_infinity

    def forward(
        self, log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any
    ) -> Tensor:
        return ctc_loss(
            log_probs,
            targets,
            input_lengths,
            target_lengths,
            self.blank,
            self.reduction,
            self.zero_infinity,
        )

    def extra_repr(self) -> str:
        return ""
