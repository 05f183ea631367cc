"""PyTorch's in-place methods (``zero_ fill_ copy_ masked_fill_ clamp_ add_ mul_
exp_ ... uniform_ normal_ bernoulli_ detach_ scatter_ index_add_ ...``) with PyTorch's
rules on leaves: refused on a leaf that requires grad while recording, done in place
under ``cg.no_grad()``, recorded (the tensor then stands for its new value) on other
tensors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..autodiff.recording import mark_mutated
from ..grad_mode import no_grad
from ..ops.namespace import cg
from ..random import default_generator
from ..tensor import Tensor, must_record, rebind
from .base import _METHODS, _method
from .named import _clamp, _masked_fill

__all__: list[str] = []


# ------------------------------------------------------------------ in place
class _Named:
    """What ``_rebind`` reports as the op (an in-place method's name)."""

    def __init__(self, name: str) -> None:
        self.name = name


def _update(t: Tensor, compute: Callable, name: str, other: Any = None) -> Tensor:
    """Replace ``t``'s value by ``compute(t)`` in place, with PyTorch's rules: refused on a
    leaf that requires grad while recording; recorded on other tensors that take part in
    gradients; otherwise written into the buffer (version counter bumped)."""
    if must_record(t, other):
        rebind(t, compute(t), _Named(name))  # type: ignore[arg-type]
        return t
    with no_grad():
        r = compute(t)
    d = t._data
    res = np.asarray(r._data if isinstance(r, Tensor) else r)
    if res.shape != np.shape(d):
        res = np.broadcast_to(res, np.shape(d))
    if type(d) is np.ndarray and d.flags.writeable:
        np.copyto(d, res, casting="unsafe" if res.dtype.kind == d.dtype.kind else "same_kind")
        mark_mutated(d)
    else:
        t._data = np.array(res, dtype=np.result_type(d))[()]
    return t


def _view_update(t: Tensor, compute: Callable) -> Tensor:
    """Make ``t`` the view ``compute(t)`` of its own data, whose shape may differ
    (``t_``, ``transpose_``, ``unsqueeze_``): recorded when it takes part in gradients
    (refused on a leaf that requires grad, as torch), else the same buffer seen anew."""
    if must_record(t, None):
        r = compute(t)
        t._data, t._node, t._rg, t._tan = r._data, r._node, r._rg, r._tan
        return t
    with no_grad():
        t._data = compute(t)._data
    return t


def _fill_with(t: Tensor, value: Any) -> Any:
    """``value`` broadcast to ``t``'s shape and dtype, in the graph (grad 0 to ``t``)."""
    v = value if isinstance(value, Tensor) else np.asarray(value, t.dtype)
    return cg.where(np.zeros(t.shape, bool), t, v)


@_method("zero_")
def _zero_(self) -> Tensor:
    """Fill with zeros in place."""
    return _update(self, lambda t: _fill_with(t, 0), "zero_")


@_method("fill_")
def _fill_(self, value: Any) -> Tensor:
    """Fill with ``value`` in place."""
    return _update(self, lambda t: _fill_with(t, value), "fill_", value)


@_method("copy_")
def _copy_(self, src: Any, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast, converted) into this tensor in place."""
    src = src if isinstance(src, Tensor) else np.asarray(src)
    if np.dtype(src.dtype) != self.dtype:
        src = cg.astype(src, self.dtype) if isinstance(src, Tensor) else src.astype(self.dtype)
    return _update(self, lambda t: _fill_with(t, src), "copy_", src)


@_method("masked_fill_")
def _masked_fill_(self, mask: Any, value: Any) -> Tensor:
    """``masked_fill`` in place."""
    return _update(self, lambda t: _masked_fill(t, mask, value), "masked_fill_", value)


@_method("clamp_")
def _clamp_(self, min: Any = None, max: Any = None) -> Tensor:
    """``clamp`` in place."""
    return _update(self, lambda t: _clamp(t, min, max), "clamp_")


_METHODS["clip_"] = _clamp_


def _binary_inplace(name: str, dunder: str) -> None:
    def method(self, other: Any, *, alpha: Any = 1) -> Tensor:
        if alpha != 1:
            other = cg.multiply(other, alpha)
        r = getattr(self, dunder)(other)
        if r is NotImplemented:
            raise TypeError(f"{name}: unsupported operand of type {type(other).__name__}")
        return r

    method.__doc__ = f"PyTorch's in-place ``t.{name}(other)``."
    _method(name)(method)


for _name, _dunder in dict(
    add_="__iadd__", sub_="__isub__", mul_="__imul__", div_="__itruediv__",
    pow_="__ipow__",
).items():  # fmt: skip
    _binary_inplace(_name, _dunder)


def _unary_inplace(name: str) -> None:
    def method(self, *args: Any, **kw: Any) -> Tensor:
        if name in _VIEWS:
            return _view_update(self, lambda t: getattr(t, name[:-1])(*args, **kw))
        return _update(self, lambda t: getattr(t, name[:-1])(*args, **kw), name)

    method.__doc__ = f"``t.{name[:-1]}()`` in place."
    _method(name)(method)


# (the in-place forms that change the tensor's shape: it becomes a view of its data)
_VIEWS = frozenset(("t_", "squeeze_", "unsqueeze_", "transpose_"))
# PyTorch's in-place forms of the methods above (each the method without its "_")
for _name in (
    "neg_ abs_ exp_ log_ sqrt_ rsqrt_ sin_ cos_ tan_ tanh_ sigmoid_ relu_ floor_ ceil_ "
    "round_ trunc_ sign_ square_ reciprocal_ log1p_ expm1_ t_ squeeze_ unsqueeze_ "
    "transpose_ fmod_ remainder_ clamp_min_ clamp_max_ lerp_"
).split():
    _unary_inplace(_name)


@_method("uniform_")
def _uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with uniform samples from [a, b) in place."""
    rng = (generator or default_generator).rng
    v = rng.uniform(a, b, self.shape).astype(self.dtype)
    return _update(self, lambda t: _fill_with(t, v), "uniform_")


@_method("normal_")
def _normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Fill with normal samples in place."""
    rng = (generator or default_generator).rng
    v = rng.normal(mean, std, self.shape).astype(self.dtype)
    return _update(self, lambda t: _fill_with(t, v), "normal_")


@_method("bernoulli_")
def _bernoulli_(self, p: float = 0.5, *, generator: Any = None) -> Tensor:
    """Fill with 0/1 samples (1 with probability ``p``) in place."""
    rng = (generator or default_generator).rng
    v = (rng.random(self.shape) < p).astype(self.dtype)
    return _update(self, lambda t: _fill_with(t, v), "bernoulli_")


@_method("detach_")
def _detach_(self) -> Tensor:
    """Cut this tensor from the graph in place (it becomes a leaf)."""
    self._node, self._rg, self._tan = None, False, None
    return self


# ------------------------------------------------------------------ more in-place forms
def _src_inplace(name: str, fn: Callable, src_arg: int | None) -> None:
    """PyTorch's in-place ``t.<name>(...)``: ``fn(t, ...)`` written into ``t`` with the
    rules of :func:`_update` (argument ``src_arg``, a tensor, takes part in gradients)."""

    def method(self, *args: Any, **kw: Any) -> Tensor:
        other = args[src_arg] if src_arg is not None and len(args) > src_arg else None
        return _update(self, lambda t: fn(t, *args, **kw), name, other)

    method.__doc__ = f"``{fn.__name__}`` in place (PyTorch's ``t.{name}(...)``)."
    _method(name)(method)


for _name, _fn, _src in (
    ("scatter_", cg.scatter, 2), ("scatter_add_", cg.scatter_add, 2),
    ("scatter_reduce_", cg.scatter_reduce, 2), ("index_add_", cg.index_add, 2),
    ("index_copy_", cg.index_copy, 2), ("index_fill_", cg.index_fill, 2),
    ("index_put_", cg.index_put, 1), ("masked_scatter_", cg.masked_scatter, 1),
    ("nan_to_num_", cg.nan_to_num, None), ("addcmul_", cg.addcmul, 0),
    ("addcdiv_", cg.addcdiv, 0), ("renorm_", cg.renorm, None), ("frac_", cg.frac, None),
):  # fmt: skip
    _src_inplace(_name, _fn, _src)
