"""PyTorch's ``dim=``/``keepdim=``: on every method of a declared function that takes
``axis`` (installed as functions are declared), on the top-level functions
(``cg.sum(x, dim=1)``), and the methods whose meaning changes with ``dim=``: ``max min
sort median topk`` give ``(values, indices)``, ``std var`` PyTorch's unbiased
estimate."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops.namespace import cg
from ..ops.registry import PUBLIC, Front
from ..tensor import Tensor
from .base import _METHODS, ValuesIndices, _method, _torch_axes

__all__: list[str] = []


# ------------------------------------------------------------------ dim= for every axis method
def _with_dim(front: Front, name: str) -> Callable:
    def method(self, *args, **kw):
        fn = front.function
        assert fn is not None
        return fn(self, *args, **_torch_axes(kw)) if kw else fn(self, *args)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``{name}`` as a method (also PyTorch's ``dim=``/``keepdim=``)."
    return method


def _install_dims(front: Front, removed: bool) -> None:
    fn = front.function
    if fn is None:
        return
    try:
        takes_axis = "axis" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return
    for m in front.methods:
        if m.prop or m.adapt is not None or m.name in _METHODS or not takes_axis:
            continue
        if removed:
            if m.name in Tensor.__dict__:
                delattr(Tensor, m.name)
        else:
            setattr(Tensor, m.name, _with_dim(front, m.name))


# ------------------------------------------------------------------ (values, indices)
def _extreme(pick: Callable, arg: Callable, each: Callable, name: str) -> Callable:
    def method(self, *args: Any, **kw: Any) -> Any:
        if "dim" not in kw:
            if args and isinstance(args[0], Tensor):  # t.max(other): elementwise
                return each(self, args[0])
            return pick(self, *args, **_torch_axes(kw))
        dim, keep = kw.pop("dim"), kw.pop("keepdim", False)
        if args or kw:
            raise TypeError(f"{name}: with dim= takes only keepdim=, got {args} {kw}")
        values = pick(self, axis=dim, keepdims=keep)
        return ValuesIndices(values, arg(self, axis=dim, keepdims=keep))

    method.__doc__ = f"NumPy's ``{name}``; with ``dim=``, PyTorch's ``(values, indices)`` along it."
    return _method(name)(method)


_extreme(cg.max, cg.argmax, cg.maximum, "max")
_extreme(cg.min, cg.argmin, cg.minimum, "min")


@_method("sort")
def _sort(self, *args: Any, **kw: Any) -> Any:
    """NumPy's ``sort``; with ``dim=`` PyTorch's ``(values, indices)``."""
    if "dim" not in kw:
        return cg.sort(self, *args, **kw)
    dim, desc = kw.pop("dim"), kw.pop("descending", False)
    idx = cg.argsort(self, axis=dim, descending=desc, stable=kw.pop("stable", None) or False)
    return ValuesIndices(cg.take_along_axis(self, idx, axis=dim), idx)


@_method("median")
def _median(self, *args: Any, **kw: Any) -> Any:
    """NumPy's ``median``; with ``dim=`` PyTorch's ``(values, indices)``: the lower of
    the two middle values for an even count (PyTorch's, not NumPy's mean of the two)."""
    if "dim" not in kw:
        return cg.median(self, *args, **_torch_axes(kw))
    dim, keep = kw.pop("dim"), kw.pop("keepdim", False)
    if args or kw:
        raise TypeError(f"median: with dim= takes only keepdim=, got {args} {kw}")
    idx = cg.argsort(self, axis=dim, stable=True)
    k = (self.shape[dim] - 1) // 2
    idx = cg.take(idx, np.array([k]), axis=dim)
    values = cg.take_along_axis(self, idx, axis=dim)
    if not keep:
        values, idx = cg.squeeze(values, axis=dim), cg.squeeze(idx, axis=dim)
    return ValuesIndices(values, idx)


@_method("topk")
def _topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    idx = cg.argsort(self, axis=dim, descending=largest, stable=True)
    idx = cg.take(idx, np.arange(k), axis=dim)
    return ValuesIndices(cg.take_along_axis(self, idx, axis=dim), idx)


def _moments(pick: Callable, name: str) -> Callable:
    def method(self, *args: Any, **kw: Any) -> Any:
        torch_style = {"dim", "unbiased", "correction", "keepdim"} & set(kw)
        if not torch_style:
            return pick(self, *args, **kw)
        unbiased = kw.pop("unbiased", True)
        corr = kw.pop("correction", 1 if unbiased else 0)
        return pick(self, *args, correction=corr, **_torch_axes(kw))

    method.__doc__ = f"NumPy's ``{name}``; with PyTorch's keywords, its unbiased estimate."
    return _method(name)(method)


_moments(cg.std, "std")
_moments(cg.var, "var")


def _with_torch_dims(name: str, fn: Callable) -> Callable:
    """``cg.<name>`` also taking PyTorch's ``dim=``/``keepdim=`` (``cg.sum(x, dim=1)``).

    With ``dim=``, a function whose Tensor method here has PyTorch's meaning runs that
    method (``cg.max(x, dim=1)`` gives ``(values, indices)``, ``cg.std(x, dim=0)`` the
    unbiased estimate, as PyTorch); without it, the NumPy function itself runs."""
    special = _METHODS.get(name)

    def f(*args: Any, **kw: Any) -> Any:
        if kw and ("dim" in kw or "keepdim" in kw):
            if special is not None and args:
                x = args[0]
                x = x if isinstance(x, Tensor) else cg.asarray(x)
                return special(x, *args[1:], **kw)
            return fn(*args, **_torch_axes(kw))
        return fn(*args, **kw)

    f.__name__ = f.__qualname__ = name
    f.__module__ = "compgraph"
    f.__doc__ = fn.__doc__
    f.__wrapped__ = fn  # type: ignore[attr-defined]
    return f


def _axis_functions() -> dict[str, Callable]:
    out = {}
    for name, front in PUBLIC.items():
        fn = front.function
        if "." in name or fn is None:
            continue
        try:
            takes_axis = "axis" in inspect.signature(fn).parameters
        except (TypeError, ValueError):
            continue
        if takes_axis:
            out[name] = _with_torch_dims(name, fn)
    return out
