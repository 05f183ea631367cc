"""PyTorch's methods named for what they compute: ``add sub div`` (``alpha=``,
``rounding_mode=``), NumPy's functions under PyTorch's names (``mul pow eq lt mm
rsqrt ...``), ``clamp clamp_min clamp_max masked_fill where gather index_select chunk
split unbind norm lerp``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops.namespace import cg, lookup
from .base import _METHODS, _method

__all__: list[str] = []


# ------------------------------------------------------------------ arithmetic by name
@_method("add")
def _add(self, other: Any, *, alpha: Any = 1) -> Any:
    """``self + alpha * other`` (PyTorch's ``add``)."""
    return cg.add(self, other if alpha == 1 else cg.multiply(other, alpha))


@_method("sub")
def _sub(self, other: Any, *, alpha: Any = 1) -> Any:
    """``self - alpha * other`` (PyTorch's ``sub``)."""
    return cg.subtract(self, other if alpha == 1 else cg.multiply(other, alpha))


_METHODS["subtract"] = _sub


@_method("div")
def _div(self, other: Any, *, rounding_mode: str | None = None) -> Any:
    """``self / other``; ``rounding_mode="trunc"`` or ``"floor"`` rounds the quotient."""
    q = cg.divide(self, other)
    if rounding_mode is None:
        return q
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(
            f"div: rounding_mode must be None, 'trunc' or 'floor', got {rounding_mode!r}"
        )
    q = cg.trunc(q) if rounding_mode == "trunc" else cg.floor(q)
    return (
        q
        if self.dtype.kind == "f"
        else cg.astype(q, np.result_type(self.dtype, np.asarray(other).dtype))
    )


_METHODS["divide"] = _div


def _alias(name: str, fn: Callable, doc: str) -> None:
    def method(self, *args: Any, **kw: Any) -> Any:
        return fn(self, *args, **kw)

    method.__doc__ = doc
    _method(name)(method)


for _name, _fn in dict(
    mul=cg.multiply, multiply=cg.multiply, true_divide=cg.divide, pow=cg.power,
    neg=cg.negative, negative=cg.negative, eq=cg.equal, ne=cg.not_equal, lt=cg.less,
    le=cg.less_equal, gt=cg.greater, ge=cg.greater_equal, rsqrt=lambda x: 1 / cg.sqrt(x),
    mm=cg.matmul, bmm=cg.matmul, mv=cg.matmul, fmod=cg.fmod, remainder=cg.remainder,
    logical_not=cg.logical_not, logical_and=cg.logical_and, logical_or=cg.logical_or,
    maximum=cg.maximum, minimum=cg.minimum, atan2=cg.arctan2, arctan2=cg.arctan2,
    erf=cg.erf, exp2=cg.exp2, expm1=cg.expm1, log1p=cg.log1p, log2=cg.log2,
    log10=cg.log10, sinh=cg.sinh, cosh=cg.cosh, asin=cg.arcsin, acos=cg.arccos,
    atan=cg.arctan, isnan=cg.isnan, isinf=cg.isinf,
    isfinite=cg.isfinite, outer=cg.outer, inner=cg.inner, kron=cg.kron, flip=cg.flip,
    roll=cg.roll, tril=cg.tril, triu=cg.triu, square=cg.square,
).items():  # fmt: skip
    _alias(_name, _fn, f"PyTorch's ``t.{_name}(...)``.")


@_method("clamp")
def _clamp(self, min: Any = None, max: Any = None) -> Any:
    """Limit to ``[min, max]`` (either may be None)."""
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    return cg.clip(self, min=min, max=max)


@_method("clamp_min")
def _clamp_min(self, min: Any) -> Any:
    """``clamp(min=min)``."""
    return cg.clip(self, min=min)


@_method("clamp_max")
def _clamp_max(self, max: Any) -> Any:
    """``clamp(max=max)``."""
    return cg.clip(self, max=max)


@_method("masked_fill")
def _masked_fill(self, mask: Any, value: Any) -> Any:
    """``value`` where ``mask`` is true, else ``self``."""
    return cg.where(mask, cg.astype(cg.asarray(value), self.dtype), self)


@_method("where")
def _where(self, condition: Any, other: Any) -> Any:
    """``self`` where ``condition``, else ``other`` (PyTorch's ``t.where(cond, y)``)."""
    return cg.where(condition, self, other)


@_method("gather")
def _gather(self, dim: int, index: Any) -> Any:
    """Values along ``dim`` at ``index`` (``take_along_axis``; as PyTorch, ``index`` may be
    shorter than the tensor in the other dimensions)."""
    ishape, nd = np.shape(index), self.ndim
    d = dim % nd
    if len(ishape) == nd and any(ishape[i] < self.shape[i] for i in range(nd) if i != d):
        self = self[tuple(slice(None) if i == d else slice(ishape[i]) for i in range(nd))]
    return cg.take_along_axis(self, index, axis=d)


@_method("index_select")
def _index_select(self, dim: int, index: Any) -> Any:
    """The slices at ``index`` along ``dim``."""
    return cg.take(self, index, axis=dim)


@_method("chunk")
def _chunk(self, chunks: int, dim: int = 0) -> tuple:
    """Up to ``chunks`` pieces along ``dim``, each ``ceil(n / chunks)`` long (PyTorch)."""
    n = self.shape[dim]
    step = -(-n // chunks) if n else 1
    return _split(self, step, dim)


@_method("split")
def _split(self, split_size_or_sections: Any, dim: int = 0) -> tuple:
    """Pieces of ``split_size`` along ``dim`` (the last may be shorter), or of the
    listed sizes."""
    n = self.shape[dim]
    if isinstance(split_size_or_sections, (int, np.integer)):
        cuts = list(range(int(split_size_or_sections), n, int(split_size_or_sections)))
    else:
        sizes = list(split_size_or_sections)
        if sum(sizes) != n:
            raise ValueError(f"split: sizes {sizes} do not add up to {n} along dim {dim}")
        cuts = list(np.cumsum(sizes)[:-1])
    return tuple(cg.split(self, cuts, axis=dim))


@_method("unbind")
def _unbind(self, dim: int = 0) -> tuple:
    """The slices along ``dim``, that dimension removed."""
    return tuple(cg.take(self, i, axis=dim) for i in range(self.shape[dim]))


@_method("norm")
def _norm(self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Any:
    """PyTorch's ``norm``: the 2-norm (``"fro"``) or ``p``-norm over ``dim`` (all)."""
    x = self if dtype is None else cg.astype(self, dtype)
    ord_ = 2 if p in ("fro", None) else p
    if p == "nuc":
        return lookup("linalg", "matrix_norm")(x, ord="nuc", axis=dim or (-2, -1), keepdims=keepdim)
    axis = tuple(dim) if isinstance(dim, list) else dim
    return lookup("linalg", "vector_norm")(x, ord=ord_, axis=axis, keepdims=keepdim)


@_method("lerp")
def _lerp(self, end: Any, weight: Any) -> Any:
    """``self + weight * (end - self)``."""
    return cg.add(self, cg.multiply(weight, cg.subtract(end, self)))
