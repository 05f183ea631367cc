"""More of PyTorch's Tensor methods and properties (``t.amax``, ``t.diff``, ``t.is_cuda``
...), registered with the method table of :mod:`.base`, and the top-level functions
they give (``EXTRA_FUNCTIONS``, published by :mod:`.install`)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["EXTRA_FUNCTIONS"]

#: PyTorch's top-level functions written here, by name (published as ``cg.<name>``).
EXTRA_FUNCTIONS: dict[str, Callable] = {}
