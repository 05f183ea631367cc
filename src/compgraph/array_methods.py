"""Operators and methods shared by every array-like value of compgraph.

Tensors (dynamic graphs) and Symbols (static graphs) both inherit from
:class:`ArrayMethods`.  Its methods are not written here: each op (or composite)
declares its Tensor methods and Python operator in the registry, and this module
installs, for every declared function, methods that call its public function with
the value first, which dispatches on the operand types, so they work for both.
NumPy's ufuncs and functions applied to these values dispatch the same way, through
the NumPy functions each declaration names.  Tensor overrides the arithmetic
operators with faster direct calls (see :mod:`compgraph.tensor`).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .array_api import CPU, Device, check_device
from .grad_mode import is_grad_enabled
from .ops.args import is_symbolic
from .ops.registry import Front, front_for_numpy, subscribe
from .ops.spec import Method

__all__ = ["ArrayMethods", "install"]


class ArrayMethods:
    """Mixin: NumPy-style operators and methods in terms of the declared functions."""

    __slots__ = ()

    if TYPE_CHECKING:  # the declared methods are installed at import: any name may be one

        def __getattr__(self, name: str) -> Any: ...

        # So are the Python operators (each symbol's dunders: registry._DUNDERS).
        def __add__(self, other: Any) -> Any: ...
        def __radd__(self, other: Any) -> Any: ...
        def __sub__(self, other: Any) -> Any: ...
        def __rsub__(self, other: Any) -> Any: ...
        def __mul__(self, other: Any) -> Any: ...
        def __rmul__(self, other: Any) -> Any: ...
        def __truediv__(self, other: Any) -> Any: ...
        def __rtruediv__(self, other: Any) -> Any: ...
        def __pow__(self, other: Any) -> Any: ...
        def __rpow__(self, other: Any) -> Any: ...
        def __matmul__(self, other: Any) -> Any: ...
        def __rmatmul__(self, other: Any) -> Any: ...
        def __lt__(self, other: Any) -> Any: ...
        def __le__(self, other: Any) -> Any: ...
        def __gt__(self, other: Any) -> Any: ...
        def __ge__(self, other: Any) -> Any: ...
        def __eq__(self, other: Any) -> Any: ...
        def __ne__(self, other: Any) -> Any: ...
        def __neg__(self) -> Any: ...

    def __pos__(self):
        return self

    # The array API standard's array object (the operators come from the declarations).
    def __array_namespace__(self, /, *, api_version: str | None = None) -> Any:
        """The ``compgraph`` module: the array API namespace of these values."""
        if api_version not in (None, "2021.12", "2022.12", "2023.12", "2024.12", "2025.12"):
            raise ValueError(f"__array_namespace__: unsupported api_version {api_version!r}")
        return sys.modules[__name__.partition(".")[0]]

    @property
    def device(self) -> Device:
        """The device holding the values: always ``cg.device("cpu")`` (== ``"cpu"``)."""
        return CPU

    def to_device(self, device: Any, /, *, stream: Any = None) -> Any:
        """The value itself, on the one device there is (``"cpu"``)."""
        check_device(device, "to_device")
        return self

    def __complex__(self) -> complex:
        arr = np.asarray(self)
        if arr.size != 1:
            raise TypeError(f"complex(): only one-element arrays convert, got shape {arr.shape}")
        return complex(arr.item())

    def __dlpack__(
        self,
        /,
        *,
        stream: Any = None,
        max_version: Any = None,
        dl_device: Any = None,
        copy: Any = None,
    ) -> Any:
        """DLPack export of the values (through NumPy; no graph travels)."""
        return np.asarray(self).__dlpack__(
            stream=stream, max_version=max_version, dl_device=dl_device, copy=copy
        )

    def __dlpack_device__(self) -> tuple:
        """DLPack's (device type, id): the CPU."""
        return (1, 0)

    __hash__ = object.__hash__

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        if method == "__call__" and "out" in kwargs:
            return _into_arrays(ufunc, inputs, kwargs)
        front = front_for_numpy(ufunc)
        if front is None or method != "__call__":
            return NotImplemented
        if not kwargs:
            return _function(front)(*inputs)
        return _ufunc_with_keywords(front, ufunc, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        front = front_for_numpy(func)
        if front is not None:
            return _function(front)(*args, **kwargs)
        # A NumPy function compgraph does not declare: it sees plain arrays (a result
        # computed that way carries no graph).  Static-graph values have no arrays.
        if any(is_symbolic(a) for a in _leaves((args, kwargs))):
            raise TypeError(
                f"numpy.{getattr(func, '__name__', func)} has no compgraph "
                f"version for static-graph values; use the cg.* functions"
            )
        return func(*_arrays(args), **_arrays(kwargs))


def _ufunc_with_keywords(front: Front, ufunc: Any, inputs: tuple, kwargs: dict) -> Any:
    """A ufunc call with keywords: those the public function takes are passed on
    (``np.vecdot(a, b, axis=0)``); ``dtype=`` casts the inputs first, as NumPy computes in
    that dtype; any other keyword (``where=``, ``casting=`` ...) is NumPy's own and
    compgraph does not answer (NumPy then raises its TypeError)."""
    fn = _function(front)
    kwargs = dict(kwargs)
    dtype = kwargs.pop("dtype", None)
    if dtype is not None:
        inputs = tuple(
            v.astype(dtype) if isinstance(v, ArrayMethods) else np.asarray(v, dtype=dtype)
            for v in inputs
        )
    if not kwargs:
        return fn(*inputs)
    try:
        inspect.signature(fn).bind(*inputs, **kwargs)
    except (TypeError, ValueError):
        return NotImplemented
    return fn(*inputs, **kwargs)


def _into_arrays(ufunc: Any, inputs: tuple, kwargs: dict) -> Any:
    """``ndarray += tensor`` (a ufunc writing into plain arrays): computed on the arrays,
    unless a gradient would silently stop there."""
    outs = kwargs["out"] if isinstance(kwargs["out"], tuple) else (kwargs["out"],)
    if any(isinstance(o, ArrayMethods) for o in outs):
        return NotImplemented  # writing into a Tensor: use the in-place operators
    for v in inputs:
        if is_symbolic(v):
            raise TypeError(
                f"numpy.{ufunc.__name__}: a static-graph value cannot be written into an ndarray"
            )
        if getattr(v, "_rg", False) and is_grad_enabled():
            raise TypeError(
                f"numpy.{ufunc.__name__} into an ndarray (e.g. ndarray += tensor): the tensor "
                f"requires grad, and an ndarray cannot carry it, so the gradient would stop "
                f"here silently; compute a Tensor instead (t = arr + t), or use .detach()"
            )
    return ufunc(*_arrays(inputs), **_arrays(kwargs))


def _leaves(v: Any) -> list:
    if isinstance(v, (list, tuple)):
        return [x for item in v for x in _leaves(item)]
    if isinstance(v, dict):
        return [x for item in v.values() for x in _leaves(item)]
    return [v]


def _arrays(v: Any) -> Any:
    """``v`` with every compgraph value (inside lists, tuples and dicts too) as an array."""
    if isinstance(v, ArrayMethods):
        return np.asarray(v)
    if isinstance(v, (list, tuple)):
        return type(v)(_arrays(x) for x in v)
    if isinstance(v, dict):
        return {k: _arrays(x) for k, x in v.items()}
    return v


def _function(front: Front) -> Callable:
    """The front's public function, looked up when called (a primitive's is built after
    its methods are installed)."""
    fn = front.function
    assert fn is not None  # every published front has its function by the time it is called
    return fn


def _method(front: Front, m: Method) -> Callable | property:
    adapt = m.adapt
    if adapt is None:

        def method(self, *args, **kwargs):
            fn = front.function  # (looked up when called: see _function)
            return fn(self, *args, **kwargs)  # type: ignore[misc]
    else:

        def method(self, *args, **kwargs):
            a, k = adapt(self, *args, **kwargs)
            return _function(front)(*a, **k)

    method.__name__ = method.__qualname__ = m.name
    method.__doc__ = (
        f"``{front.names[0] if front.names else front.name}`` as a method."
        if not front.doc
        else front.doc.splitlines()[0]
    )
    return property(method, doc=method.__doc__) if m.prop else method


def _operator(front: Front, dunder: str, reflected: bool) -> Callable:
    if front.op is not None and front.op.nargs == 1:

        def unary(self):
            return _function(front)(self)

        fn: Callable = unary
    elif reflected:

        def rbinary(self, other):
            return _function(front)(other, self)

        fn = rbinary
    else:

        def binary(self, other):
            return _function(front)(self, other)

        fn = binary
    fn.__name__ = fn.__qualname__ = dunder
    return fn


def install(cls: type, front: Front, removed: bool = False) -> None:
    """Give ``cls`` the methods and operators ``front`` declares (or take them away)."""
    dunders = front.operators
    for k, dunder in enumerate(dunders):
        if removed:
            if cls.__dict__.get(dunder) is not None:
                delattr(cls, dunder)
        else:
            setattr(cls, dunder, _operator(front, dunder, reflected=k == 1))
    for m in front.methods:
        if removed:
            if m.name in cls.__dict__:
                delattr(cls, m.name)
        else:
            setattr(cls, m.name, _method(front, m))


subscribe(lambda front, removed: install(ArrayMethods, front, removed))
