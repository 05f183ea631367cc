"""Operators and methods shared by every array-like value of compgraph.

Tensors (dynamic graphs) and Symbols (static graphs) both inherit from
:class:`ArrayMethods`: each method calls the public ``cg.*`` function, which
dispatches on the operand types, so a method written here works for both.
Tensor overrides the arithmetic operators with faster direct calls.
"""
from __future__ import annotations

from typing import Any

__all__ = ["ArrayMethods"]


def _f():
    from . import functions
    return functions


class ArrayMethods:
    """Mixin: NumPy-style operators and methods in terms of the ``cg.*`` functions."""

    __slots__ = ()

    def __add__(self, other): return _f().add(self, other)
    def __radd__(self, other): return _f().add(other, self)
    def __sub__(self, other): return _f().subtract(self, other)
    def __rsub__(self, other): return _f().subtract(other, self)
    def __mul__(self, other): return _f().multiply(self, other)
    def __rmul__(self, other): return _f().multiply(other, self)
    def __truediv__(self, other): return _f().divide(self, other)
    def __rtruediv__(self, other): return _f().divide(other, self)
    def __pow__(self, other): return _f().power(self, other)
    def __rpow__(self, other): return _f().power(other, self)
    def __matmul__(self, other): return _f().matmul(self, other)
    def __rmatmul__(self, other): return _f().matmul(other, self)
    def __lt__(self, other): return _f().less(self, other)
    def __le__(self, other): return _f().less_equal(self, other)
    def __gt__(self, other): return _f().greater(self, other)
    def __ge__(self, other): return _f().greater_equal(self, other)
    def __eq__(self, other): return _f().equal(self, other)  # type: ignore[override]
    def __ne__(self, other): return _f().not_equal(self, other)  # type: ignore[override]
    def __neg__(self): return _f().negative(self)
    def __pos__(self): return self
    def __abs__(self): return _f().abs(self)
    __hash__ = object.__hash__

    def __getitem__(self, index: Any):
        F = _f()
        return F._call(F.OPS["getitem"], (self,), {"index": F.normalize_index(index)})

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        fn = _f().UFUNCS.get(ufunc.__name__)
        if fn is None or method != "__call__" or kwargs:
            return NotImplemented
        return fn(*inputs)

    @property
    def T(self):
        """The value with its axes reversed."""
        return _f().transpose(self)

    def sum(self, axis=None, keepdims=False):
        """Sum over ``axis`` (see ``cg.sum``)."""
        return _f().sum(self, axis, keepdims)

    def mean(self, axis=None, keepdims=False):
        """Mean over ``axis`` (see ``cg.mean``)."""
        return _f().mean(self, axis, keepdims)

    def max(self, axis=None, keepdims=False):
        """Maximum over ``axis`` (see ``cg.max``)."""
        return _f().max(self, axis, keepdims)

    def min(self, axis=None, keepdims=False):
        """Minimum over ``axis`` (see ``cg.min``)."""
        return _f().min(self, axis, keepdims)

    def reshape(self, *shape):
        """Same values in a new shape: ``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
        return _f().reshape(self, shape[0] if len(shape) == 1 else shape)

    def transpose(self, *axes):
        """Permute axes: ``t.transpose(1, 0)``; no arguments reverses them."""
        return _f().transpose(self, (axes[0] if len(axes) == 1 else axes) or None)

    def flatten(self):
        """A 1-D view of the values."""
        return _f().reshape(self, (-1,))

    def squeeze(self, axis=None):
        """Remove length-1 axes."""
        return _f().squeeze(self, axis)

    def expand_dims(self, axis):
        """Insert length-1 axes."""
        return _f().expand_dims(self, axis)

    def astype(self, dtype):
        """Convert to ``dtype``."""
        return _f().astype(self, dtype)

    def exp(self): return _f().exp(self)
    def log(self): return _f().log(self)
    def sqrt(self): return _f().sqrt(self)
    def sin(self): return _f().sin(self)
    def cos(self): return _f().cos(self)
    def tan(self): return _f().tan(self)
    def tanh(self): return _f().tanh(self)
    def relu(self): return _f().relu(self)
    def sigmoid(self): return _f().sigmoid(self)
    def abs(self): return _f().abs(self)

    def clip(self, a_min=None, a_max=None):
        """Limit values to ``[a_min, a_max]``."""
        return _f().clip(self, a_min, a_max)

    def matmul(self, other): return _f().matmul(self, other)
    def dot(self, other): return _f().dot(self, other)

    def softmax(self, axis=-1):
        """Softmax along ``axis``."""
        return _f().softmax(self, axis)

    def log_softmax(self, axis=-1):
        """Log-softmax along ``axis``."""
        return _f().log_softmax(self, axis)

    def logsumexp(self, axis=None, keepdims=False):
        """Log-sum-exp over ``axis``."""
        return _f().logsumexp(self, axis, keepdims)
