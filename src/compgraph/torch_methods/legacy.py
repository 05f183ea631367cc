"""PyTorch's legacy tensor types (``torch.FloatTensor`` ...) and ``Tensor.type``.

``cg.FloatTensor([1, 2])`` makes a float32 tensor, ``cg.FloatTensor(2, 3)`` one of
shape (2, 3) (zeros: PyTorch leaves it uninitialised), ``isinstance(x, cg.FloatTensor)``
asks for a float32 Tensor; ``x.type()`` names the type (``"compgraph.FloatTensor"``;
PyTorch's string says ``torch.``) and ``x.type(cg.DoubleTensor)`` (or a dtype, or the
type's name) casts, differentiably.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from .base import _method

__all__ = ["LEGACY_TYPES", "type_"]

_DTYPES = {
    "FloatTensor": np.float32,
    "DoubleTensor": np.float64,
    "HalfTensor": np.float16,
    "LongTensor": np.int64,
    "IntTensor": np.int32,
    "ShortTensor": np.int16,
    "CharTensor": np.int8,
    "ByteTensor": np.uint8,
    "BoolTensor": np.bool_,
}


class _LegacyType(type):
    """The metaclass: calling a legacy type makes a Tensor of its dtype."""

    dtype: np.dtype

    def __call__(cls, *args: Any) -> Any:
        if not args:
            return cg.zeros((0,), dtype=cls.dtype)
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return cg.zeros(tuple(int(a) for a in args), dtype=cls.dtype)
        if len(args) == 1 and isinstance(args[0], Tensor):
            return cg.astype(args[0], cls.dtype)
        if len(args) == 1:
            return cg.asarray(np.asarray(args[0], dtype=cls.dtype))
        raise TypeError(f"{cls.__name__}: expected sizes or one sequence of data, got {args!r}")

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj.dtype == cls.dtype

    def __repr__(cls) -> str:
        return f"<class 'compgraph.{cls.__name__}'>"


#: ``cg.FloatTensor`` ... by name.
LEGACY_TYPES: dict[str, Any] = {
    name: _LegacyType(name, (), {"dtype": np.dtype(dt), "__module__": "compgraph"})
    for name, dt in _DTYPES.items()
}
_BY_DTYPE = {np.dtype(dt): name for name, dt in _DTYPES.items()}


@_method("type")
def type_(self: Any, dtype: Any = None, non_blocking: bool = False, **kwargs: Any) -> Any:
    """``x.type()``: the legacy type's name (``"compgraph.FloatTensor"``); ``x.type(t)``:
    ``x`` cast to ``t`` (a legacy type, its name, or a dtype), as PyTorch's."""
    if dtype is None:
        name = _BY_DTYPE.get(np.dtype(self.dtype))
        return f"compgraph.{name}" if name else f"compgraph.{np.dtype(self.dtype).name}"
    if isinstance(dtype, _LegacyType):
        target = dtype.dtype
    elif isinstance(dtype, str) and dtype.rsplit(".", 1)[-1] in _DTYPES:
        target = np.dtype(_DTYPES[dtype.rsplit(".", 1)[-1]])
    else:
        target = np.dtype(dtype)
    return self if np.dtype(self.dtype) == target else cg.astype(self, target)
