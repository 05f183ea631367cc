"""The default floating dtype of the creation functions (PyTorch's
``torch.set_default_dtype`` / ``torch.get_default_dtype``).

compgraph's own defaults are NumPy's where NumPy has the function (``cg.zeros``,
``cg.ones``, ``cg.full`` of a float, ``cg.arange`` of floats, ``cg.eye``,
``cg.linspace``: float64) and PyTorch's float32 for its random functions
(``cg.randn``, ``cg.rand``, ``cg.normal``).  ``set_default_dtype(d)`` makes all of
them create ``d`` (float16, float32 or float64), as PyTorch code expects after
``torch.set_default_dtype``; ``set_default_dtype(None)`` goes back to compgraph's own
defaults.  ``get_default_dtype()`` gives the dtype set, or float64 (the dtype
compgraph's creation from Python floats gives) while none is.  The setting is
global, as PyTorch's.  ``cg.tensor([1.0])`` and ``cg.constant(1.0)`` (Python floats)
follow it too; ndarrays, NumPy scalars and Tensors keep their own dtype.

>>> import compgraph as cg
>>> cg.set_default_dtype(cg.float32)
>>> cg.ones(2).dtype, cg.randn(2).dtype, cg.get_default_dtype()
(dtype('float32'), dtype('float32'), dtype('float32'))
>>> cg.set_default_dtype(None)
>>> cg.ones(2).dtype, cg.randn(2).dtype
(dtype('float64'), dtype('float32'))
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["get_default_dtype", "set_default_dtype", "default_float"]

_FLOATS = (np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64))


class _Default:
    dtype: np.dtype | None = None  # None: compgraph's own defaults


_STATE = _Default()


def get_default_dtype() -> np.dtype:
    """The floating dtype creation functions use: the one set with
    :func:`set_default_dtype`, or float64 while none is (PyTorch's
    ``torch.get_default_dtype``)."""
    return _STATE.dtype if _STATE.dtype is not None else np.dtype(np.float64)


def set_default_dtype(d: Any) -> None:
    """Make ``d`` (float16, float32 or float64) the dtype every creation function gives
    floats (``cg.zeros ones full arange eye linspace randn rand normal`` ...), as
    PyTorch's ``torch.set_default_dtype``; ``None`` restores compgraph's own defaults
    (float64, and float32 for the random functions).  Other dtypes raise TypeError."""
    if d is None:
        _STATE.dtype = None
        return
    try:
        dt = np.dtype(d)
    except TypeError:
        raise TypeError(
            f"set_default_dtype: only floating-point types are supported as the default "
            f"type, got {d!r}"
        ) from None
    if dt not in _FLOATS:
        raise TypeError(
            f"set_default_dtype: only floating-point types are supported as the default "
            f"type (float16, float32, float64), got {dt}"
        )
    _STATE.dtype = dt


_F64 = np.dtype(np.float64)


def default_float(own: Any) -> np.dtype:
    """The floating dtype a creation function gives: the one set, else its own ``own``."""
    if _STATE.dtype is not None:
        return _STATE.dtype
    return _F64 if own is np.float64 else np.dtype(own)
