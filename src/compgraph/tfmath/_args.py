"""Argument handling shared by TensorFlow's functions: tensors (or static-graph values)
in, index arrays that must be known (NumPy) when the graph is built."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import cg
from ..ops.args import is_symbolic

__all__: list[str] = []


def _tensor(x: Any) -> Any:
    """``x`` as a Tensor (a static-graph value stays as it is)."""
    return x if is_symbolic(x) else cg.asarray(x)


def _known(x: Any, fname: str, what: str) -> np.ndarray:
    """The value of an argument that must be known when the graph is built (indices,
    segment ids, lengths): a NumPy array, a list or a Tensor, not a traced value."""
    if is_symbolic(x):
        raise TypeError(
            f"{fname}: {what} must be known when the function is traced (a NumPy array, "
            f"list or Tensor created inside the function), not the traced value {x!r}"
        )
    return np.asarray(getattr(x, "_data", x))


def _ints(x: Any, fname: str, what: str) -> np.ndarray:
    """A known integer array (TensorFlow takes int32 or int64 here)."""
    a = _known(x, fname, what)
    if a.dtype.kind not in "iu":
        if a.size == 0 and a.dtype.kind == "f":  # an empty list
            return a.astype(np.int64)
        raise TypeError(f"{fname}: {what} must be an integer tensor, got dtype {a.dtype}")
    return a.astype(np.int64)


def _int(x: Any, fname: str, what: str) -> int:
    """A known integer scalar (a Python int, NumPy integer or 0-d integer tensor)."""
    a = _ints(x, fname, what)
    if a.ndim != 0:
        raise ValueError(f"{fname}: {what} must be a scalar, got shape {a.shape}")
    return int(a)


def _shape(x: Any, fname: str) -> tuple:
    """The (fully known) shape of a tensor or static-graph value."""
    s = getattr(x, "shape", None)
    if s is None or None in tuple(s):
        raise ValueError(f"{fname}: the input's shape must be known, got {s}")
    return tuple(int(d) for d in s)
