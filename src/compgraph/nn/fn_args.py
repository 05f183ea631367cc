"""The argument helpers the functions of :mod:`compgraph.nn` share: shapes, dtypes and
values of Tensors, arrays and numbers, and PyTorch's int-or-tuple arguments.  (Lower than
:mod:`.functional`, so the modules it imports can use them too.)"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor

__all__ = ["shape_of", "dtype_of", "value_of", "as_tensor", "int_tuple", "pool_geometry"]


def shape_of(x: Any) -> tuple:
    """The shape of a Tensor, an array, a number or a nested list."""
    return tuple(x.shape) if hasattr(x, "shape") else np.shape(x)


def dtype_of(x: Any) -> np.dtype:
    """The dtype of a Tensor or array; of a number, NumPy's with float64 (a float)."""
    d = getattr(x, "dtype", None)
    return np.dtype(d) if d is not None else np.result_type(x, np.float64)


def value_of(x: Any) -> np.ndarray:
    """The NumPy value of a Tensor, array, number or list (not recorded)."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def as_tensor(x: Any) -> Any:  # Any: Tensor's indexing and methods are added at run time
    """``x`` itself if it is a Tensor, else ``cg.as_tensor(x)``."""
    return x if isinstance(x, Tensor) else cg.as_tensor(x)


def int_tuple(v: Any, n: int, what: str, low: int = 0) -> tuple[int, ...]:
    """An int or a sequence of 1 or ``n`` ints >= ``low`` as an n-tuple (PyTorch's
    ``_ntuple``): TypeError for non-ints, ValueError below ``low``, naming ``what``."""
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v,) * n
    if len(vals) == 1:
        vals = vals * n
    if len(vals) != n or not all(
        isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in vals
    ):
        raise TypeError(f"{what}: expected an int or {n} ints, got {v!r}")
    if min(vals) < low:
        raise ValueError(f"{what}: must be >= {low}, got {v!r}")
    return tuple(int(a) for a in vals)


def pool_geometry(
    where: str, size: int, k: int, s: int, p: int, d: int, ceil_mode: bool
) -> tuple[int, int]:
    """(output length, extra padding after the end) of one pooled axis, PyTorch's rule:
    with ``ceil_mode`` the last window may overhang the end but must start inside the
    input or the left padding."""
    if p > k // 2:
        raise ValueError(f"{where}: padding {p} must be at most half the kernel size {k}")
    span = size + 2 * p - d * (k - 1) - 1
    out = (-(-span // s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    if out < 1:
        raise ValueError(
            f"{where}: output size is too small for input size {size}, kernel {k}, "
            f"stride {s}, padding {p}, dilation {d}"
        )
    return out, max(0, (out - 1) * s + d * (k - 1) + 1 - (size + 2 * p))
