"""PyTorch's Tensor methods whose functions live in this layer or the ones below it
(``t.prelu(w)``, ``t.hardshrink()`` ...): put on Tensor here, where nn.functional,
linalg and fft are in reach (the Tensor method table of ``torch_methods`` sits below
them)."""

from __future__ import annotations

from typing import Any

from ..tensor import Tensor
from . import functional as F
from .torch_top_signal import istft, stft

__all__: list[str] = []


def _prelu(self: Tensor, weight: Any) -> Any:
    """PyTorch's ``t.prelu(weight)``: ``max(0, x) + weight * min(0, x)``, one weight or
    one per channel (dimension 1)."""
    return F.prelu(self, weight)


def _hardshrink(self: Tensor, lambd: float = 0.5) -> Any:
    """PyTorch's ``t.hardshrink(lambd=0.5)``: ``x`` where ``|x| > lambd``, else 0."""
    return F.hardshrink(self, lambd)


def _stft(self: Tensor, *args: Any, **kwargs: Any) -> Any:
    """PyTorch's ``t.stft(n_fft, ...)``: :func:`compgraph.stft` of this tensor."""
    return stft(self, *args, **kwargs)


def _istft(self: Tensor, *args: Any, **kwargs: Any) -> Any:
    """PyTorch's ``t.istft(n_fft, ...)``: :func:`compgraph.istft` of this tensor."""
    return istft(self, *args, **kwargs)


for _name, _fn in (
    ("prelu", _prelu),
    ("hardshrink", _hardshrink),
    ("stft", _stft),
    ("istft", _istft),
):
    if not hasattr(Tensor, _name):
        _fn.__name__ = _fn.__qualname__ = _name
        setattr(Tensor, _name, _fn)
