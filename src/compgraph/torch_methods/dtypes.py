"""PyTorch's dtype and device methods (``to type_as double float half long int ... cpu
cuda numpy element_size is_floating_point is_complex``) and the functions
``cg.is_floating_point``/``cg.is_complex``."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.namespace import cg
from ..tensor import Tensor, check_device
from .base import _method

__all__ = ["is_floating_point", "is_complex"]


# ------------------------------------------------------------------ dtype and device
@_method("to")
def _to(self, *args: Any, **kw: Any) -> Any:
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)`` or the keywords
    ``dtype=``/``device=``/``copy=``: the tensor itself when nothing changes."""
    dtype, device = kw.pop("dtype", None), kw.pop("device", None)
    copy = kw.pop("copy", False)
    kw.pop("non_blocking", None)
    if kw:
        raise TypeError(f"to() got unexpected keyword arguments {sorted(kw)}")
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, str) and a.partition(":")[0] in ("cpu", "cuda", "mps", "meta"):
            device = a
        elif getattr(a, "type", None) is not None and not isinstance(a, (type, np.dtype)):
            device = a
        else:
            dtype = a
    check_device(device, "to")
    if dtype is None or np.dtype(dtype) == self.dtype:
        return cg.array(self, copy=True) if copy else self
    return cg.astype(self, dtype)


@_method("type_as")
def _type_as(self, other: Any) -> Any:
    """Converted to ``other``'s dtype."""
    return _to(self, np.dtype(other.dtype))


def _caster(name: str, dtype: str) -> None:
    def cast(self, memory_format: Any = None) -> Any:
        return self if self.dtype == dtype else cg.astype(self, dtype)

    cast.__doc__ = f"Converted to {dtype} (PyTorch's ``t.{name}()``)."
    _method(name)(cast)


# PyTorch's conversion methods and the dtype each gives (float is float32, as PyTorch)
for _name, _dt in dict(
    double="float64", float="float32", half="float16", long="int64", int="int32",
    short="int16", char="int8", byte="uint8", bool="bool", cfloat="complex64",
    cdouble="complex128",
).items():  # fmt: skip
    _caster(_name, _dt)


@_method("cpu")
def _cpu(self, memory_format: Any = None) -> Any:
    """The tensor itself (compgraph computes on the CPU)."""
    return self


@_method("cuda")
def _cuda(self, *args: Any, **kw: Any) -> Any:
    """Refused: compgraph computes on the CPU."""
    check_device("cuda", "cuda")


@_method("numpy")
def _numpy(self, force: bool = False) -> np.ndarray:
    """The underlying ndarray (not a copy)."""
    return self.data


@_method("element_size")
def _element_size(self) -> int:
    """Bytes per element."""
    return int(np.dtype(self.dtype).itemsize)


# ------------------------------------------------------------------ dtypes
@_method("is_floating_point")
def _is_floating_point(self) -> bool:
    """Whether the dtype is a floating one (PyTorch's ``t.is_floating_point()``)."""
    return np.dtype(self.dtype).kind == "f"


@_method("is_complex")
def _is_complex(self) -> bool:
    """Whether the dtype is a complex one (PyTorch's ``t.is_complex()``)."""
    return np.dtype(self.dtype).kind == "c"


def is_floating_point(input: Any) -> bool:
    """Whether ``input``'s dtype is a floating one (PyTorch's ``torch.is_floating_point``)."""
    return np.dtype(input.dtype).kind == "f"


def is_complex(input: Any) -> bool:
    """Whether ``input``'s dtype is a complex one (PyTorch's ``torch.is_complex``)."""
    return np.dtype(input.dtype).kind == "c"
