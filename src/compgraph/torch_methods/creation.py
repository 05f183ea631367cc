"""PyTorch's creation methods (``new_zeros new_ones new_empty new_full new_tensor``)
and top-level functions (``from_numpy numel is_tensor cat``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops.namespace import cg
from ..tensor import Tensor, check_device
from .base import _dims, _method
from .inplace import _copy_

__all__ = ["from_numpy", "numel", "is_tensor", "cat"]


def _new_leaf(data: Any, requires_grad: bool, device: Any, where: str) -> Tensor:
    """A new leaf from ``data`` on the CPU (``device`` checked)."""
    check_device(device, where)
    return Tensor(data, requires_grad=requires_grad)


# ------------------------------------------------------------------ new_* creation
def _new_like(name: str, fill: Callable) -> None:
    def method(self, *size: Any, dtype: Any = None, device: Any = None,
               requires_grad: bool = False) -> Tensor:  # fmt: skip
        shape = _dims(size)
        arr = fill(shape, self.dtype if dtype is None else dtype)
        return _new_leaf(arr, requires_grad, device, name)

    method.__doc__ = f"PyTorch's ``t.{name}(*size)``: this tensor's dtype unless given."
    _method(name)(method)


_new_like("new_zeros", np.zeros)
_new_like("new_ones", np.ones)
_new_like("new_empty", np.zeros)


@_method("new_full")
def _new_full(self, size: Any, fill_value: Any, *, dtype: Any = None, device: Any = None,
              requires_grad: bool = False) -> Tensor:  # fmt: skip
    """A tensor of ``size`` filled with ``fill_value`` (this tensor's dtype unless given)."""
    arr = np.full(_dims((size,)), fill_value, self.dtype if dtype is None else dtype)
    return _new_leaf(arr, requires_grad, device, "new_full")


@_method("new_tensor")
def _new_tensor(self, data: Any, *, dtype: Any = None, device: Any = None,
                requires_grad: bool = False) -> Tensor:  # fmt: skip
    """A new leaf from ``data`` (this tensor's dtype unless given)."""
    arr = np.array(data, self.dtype if dtype is None else dtype)
    return _new_leaf(arr, requires_grad, device, "new_tensor")


# ------------------------------------------------------------------ functions
def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A Tensor sharing ``ndarray``'s memory (PyTorch's ``torch.from_numpy``)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(ndarray).__name__}")
    return cg.asarray(ndarray)


def numel(input: Any) -> int:
    """The number of elements (PyTorch's ``torch.numel``)."""
    return int(np.size(input._data if isinstance(input, Tensor) else input))


def is_tensor(obj: Any) -> bool:
    """Whether ``obj`` is a compgraph Tensor (PyTorch's ``torch.is_tensor``)."""
    return isinstance(obj, Tensor)


def cat(tensors: Any, dim: int = 0, *, axis: int | None = None, out: Any = None) -> Any:
    """PyTorch's ``torch.cat``: ``concatenate`` along ``dim``."""
    r = cg.concatenate(tuple(tensors), axis=dim if axis is None else axis)
    if out is not None:
        return _copy_(out, r)
    return r
