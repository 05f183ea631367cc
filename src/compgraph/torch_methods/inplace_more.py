"""More of PyTorch's in-place Tensor methods (``t.exp_()``, ``t.tril_()``, ``t.eq_(y)``
...) with the rules of :mod:`.inplace`, and the top-level in-place functions
(``INPLACE_FUNCTIONS``: ``torch.exp_(t)`` ..., published by :mod:`.install`)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["INPLACE_FUNCTIONS"]

#: PyTorch's top-level in-place functions written here, by name.
INPLACE_FUNCTIONS: dict[str, Callable] = {}
