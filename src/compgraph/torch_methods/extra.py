"""More of PyTorch's Tensor methods (``t.amax``, ``t.diff``, ``t.quantile``, ``t.unfold``
...), registered with the method table of :mod:`.base`, and the top-level functions
they give (``EXTRA_FUNCTIONS``, published by :mod:`.install`).  The properties and
introspection methods (``t.is_cuda``, ``t.stride()`` ...) and the random ones are in
:mod:`.extra_props`.

Where compgraph's top-level function of the same name is NumPy's (``cg.equal`` is
elementwise, ``cg.rot90`` takes ``axes``, ``cg.quantile`` takes ``axis``), the method is
PyTorch's: ``t.equal(u)`` is one bool, ``t.rot90(k, dims)``, ``t.quantile(q, dim)``.
PyTorch's shape and dtype errors are raised as ValueError/TypeError (PyTorch raises
RuntimeError), naming the method.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..ops.defaults import get_default_dtype
from ..ops.namespace import cg
from ..tensor import Tensor
from . import extra_props  # noqa: F401  (registers the properties and random methods)
from .base import _METHODS, _dims, _method

__all__ = ["EXTRA_FUNCTIONS", "nanquantile"]


def _axes(dim: Any) -> Any:
    """PyTorch's ``dim`` (an int, a sequence or None/``()`` for all) as NumPy's ``axis``."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    return tuple(int(d) for d in dim) if isinstance(dim, (tuple, list)) else int(dim)


def _norm_dim(dim: int, ndim: int, where: str) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"{where}: dimension out of range (expected to be in range of [{-n}, {n - 1}], "
            f"but got {dim})"
        )
    return dim % n


def _as_tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(np.asarray(x))


# ------------------------------------------------------------------ reductions
@_method("amax")
def _amax(self, dim: Any = (), keepdim: bool = False) -> Any:
    """The maximum over ``dim`` (all dimensions by default); ties share the gradient."""
    return cg.amax(self, axis=_axes(dim), keepdims=keepdim)


@_method("amin")
def _amin(self, dim: Any = (), keepdim: bool = False) -> Any:
    """The minimum over ``dim`` (all dimensions by default); ties share the gradient."""
    return cg.amin(self, axis=_axes(dim), keepdims=keepdim)


@_method("count_nonzero")
def _count_nonzero(self, dim: Any = None) -> Any:
    """How many elements are not zero over ``dim`` (all by default), int64."""
    return cg.count_nonzero(self, axis=_axes(dim))


def _needs_float(self: Tensor, where: str) -> None:
    if self.dtype.kind not in "fc":
        raise TypeError(
            f"{where}(): expected input to have floating point or complex dtype but got "
            f"{self.dtype}"
        )


@_method("nanmean")
def _nanmean(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """The mean of the elements that are not NaN over ``dim`` (NaN for an all-NaN slice)."""
    _needs_float(self, "nanmean")
    return cg.nanmean(self, axis=_axes(dim), dtype=dtype, keepdims=keepdim)


@_method("nansum")
def _nansum(self, dim: Any = None, keepdim: bool = False, *, dtype: Any = None) -> Any:
    """The sum over ``dim`` with NaN counted as 0 (integers and bools sum as int64)."""
    if dtype is None and self.dtype.kind in "biu":
        dtype = np.int64
    return cg.nansum(self, axis=_axes(dim), dtype=dtype, keepdims=keepdim)


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(
    self: Tensor, q: Any, dim: Any, keepdim: bool, interpolation: str, skip_nan: bool
) -> Any:
    where = "nanquantile" if skip_nan else "quantile"
    if self.dtype not in (np.float32, np.float64):
        raise TypeError(
            f"{where}() input tensor must be either float or double dtype, got {self.dtype}"
        )
    if isinstance(q, Tensor) and q.dtype != self.dtype:
        raise TypeError(
            f"{where}() q tensor must be same dtype as the input tensor ({self.dtype}), "
            f"got {q.dtype}"
        )
    qs = np.asarray(q, dtype=np.float64)
    if qs.ndim > 1:
        raise ValueError(f"{where}() q must be a scalar or 1D tensor, got shape {qs.shape}")
    if ((qs < 0) | (qs > 1)).any():
        raise ValueError(f"{where}() q values must be in the range [0, 1], got {qs.tolist()}")
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"{where}() interpolation must be one of {', '.join(_INTERPOLATIONS)}. "
            f"Got {interpolation!r}"
        )
    if self.size == 0:
        raise ValueError(f"{where}() input tensor must be non-empty")
    shape = self.shape
    if dim is None:
        x, d = self.reshape(-1), 0
        kept = (1,) * len(shape)
    else:
        d = _norm_dim(int(dim), len(shape), where)
        x = self.reshape(1) if not shape else self
        kept = tuple(1 if i == d else s for i, s in enumerate(shape))
    x = cg.moveaxis(x, d, -1)
    arr = np.asarray(x)
    n = arr.shape[-1]
    # The ranks come from the data (no gradient); the values are gathered from ``x``.
    order = np.argsort(arr, axis=-1, kind="stable")  # (NaN last)
    srt = cg.take_along_axis(x, order, -1)
    nan = np.isnan(arr)
    count = (n - nan.sum(-1)) if skip_nan else np.full(arr.shape[:-1], n)
    bad = count == 0 if skip_nan else nan.any(-1)
    ranks = qs.reshape(-1) * (count[..., None] - 1.0)
    ranks = np.where(bad[..., None], n - 1.0, ranks)  # (a NaN there: the result is NaN)
    below = np.floor(ranks)
    above = np.ceil(ranks)
    if interpolation == "lower":
        above = below
    elif interpolation == "higher":
        below = above
    elif interpolation == "nearest":
        below = above = np.round(ranks)  # (half to even, as torch.round)
    weight = np.full(ranks.shape, 0.5) if interpolation == "midpoint" else ranks - below
    lo = cg.take_along_axis(srt, below.astype(np.int64), -1)
    if interpolation in ("lower", "higher", "nearest"):
        res = lo
    else:
        hi = cg.take_along_axis(srt, above.astype(np.int64), -1)
        res = lo + (hi - lo) * weight.astype(self.dtype)
    if keepdim:
        res = res.reshape(kept + (res.shape[-1],))
    res = cg.moveaxis(res, -1, 0)
    return res.reshape(res.shape[1:]) if qs.ndim == 0 else res


@_method("quantile")
def _quantile_method(
    self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Any:
    """PyTorch's quantiles ``q`` (a float or a 1-D tensor; its values lead the result's
    shape) over ``dim`` (the flattened tensor by default); a slice holding NaN gives NaN.
    Differentiable in the tensor (the values interpolated between get the gradient)."""
    return _quantile(self, q, dim, keepdim, interpolation, skip_nan=False)


@_method("nanquantile")
def _nanquantile_method(
    self, q: Any, dim: Any = None, keepdim: bool = False, *, interpolation: str = "linear"
) -> Any:
    """``quantile`` of the values that are not NaN (NaN for an all-NaN slice)."""
    return _quantile(self, q, dim, keepdim, interpolation, skip_nan=True)


def nanquantile(
    input: Any,
    q: Any,
    dim: Any = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
    out: Any = None,
) -> Any:
    """PyTorch's ``torch.nanquantile(input, q, dim=None, keepdim=False, *,
    interpolation='linear')``: quantiles ignoring NaN (``out=`` is not supported)."""
    if out is not None:
        raise TypeError("nanquantile: out= is not supported (compgraph returns new tensors)")
    return _quantile(_as_tensor(input), q, dim, keepdim, interpolation, skip_nan=True)


# ------------------------------------------------------------------ elementwise
for _name, _fn in dict(
    absolute=cg.absolute,
    greater=cg.greater,
    greater_equal=cg.greater_equal,
    less=cg.less,
    less_equal=cg.less_equal,
    not_equal=cg.not_equal,
    isreal=cg.isreal,
).items():

    def _bind(fn: Callable) -> Callable:
        def method(self, *args: Any) -> Any:
            return fn(self, *args)

        return method

    _m = _bind(_fn)
    _m.__doc__ = f"PyTorch's ``t.{_name}(...)``."
    _method(_name)(_m)


@_method("angle")
def _angle(self) -> Any:
    """The argument (0 or pi for real numbers), in radians; integers give the default
    float dtype (``cg.get_default_dtype()``: float64 unless set, where PyTorch's is
    float32, as compgraph's other functions of integers)."""
    x = self if self.dtype.kind in "fc" else cg.astype(self, get_default_dtype())
    return cg.angle(x)


@_method("equal")
def _equal(self, other: Any) -> bool:
    """True when ``other`` has the same shape and the same values (one bool, PyTorch's
    ``torch.equal``; NaN is never equal)."""
    a, b = np.asarray(self), np.asarray(other)
    return a.shape == b.shape and bool(np.array_equal(a, b))


# ------------------------------------------------------------------ shape
@_method("broadcast_to")
def _broadcast_to(self, size: Any) -> Any:
    """The tensor broadcast to ``size`` (-1 keeps a dimension); gradients are summed back."""
    size = tuple(int(s) for s in size)
    lead = len(size) - self.ndim
    if lead < 0:
        raise ValueError(
            f"broadcast_to: the shape {size} has fewer dimensions than the tensor's {self.shape}"
        )
    if -1 in size[:lead]:
        raise ValueError(
            f"broadcast_to: the expanded size -1 isn't allowed in a leading, non-existing "
            f"dimension (size {size}, tensor shape {self.shape})"
        )
    size = tuple(self.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(size))
    return cg.broadcast_to(self, size)


@_method("cross")
def _cross(self, other: Any, dim: int | None = None) -> Any:
    """The cross product of 3-vectors along ``dim`` (None: the first dimension of size 3
    of the broadcast shape, as PyTorch's ``Tensor.cross``)."""
    other = _as_tensor(other)
    shape = np.broadcast_shapes(self.shape, other.shape)
    if self.ndim != other.ndim:
        raise ValueError(
            f"cross: inputs must have the same number of dimensions, got {self.shape} "
            f"and {other.shape}"
        )
    if dim is None:
        found = [i for i, s in enumerate(shape) if s == 3]
        if not found:
            raise ValueError(f"cross: no dimension of size 3 in input, shapes {shape}")
        dim = found[0]
    d = _norm_dim(int(dim), len(shape), "cross")
    if self.shape[d] != 3 or other.shape[d] != 3:
        raise ValueError(
            f"cross: inputs dimension {dim} must have length 3. Got {self.shape[d]} "
            f"and {other.shape[d]}"
        )
    return cg.cross(self, other, axis=d)


@_method("diag")
def _diag(self, diagonal: int = 0) -> Any:
    """A 1-D tensor as a matrix with it on diagonal ``diagonal``, or a matrix's diagonal."""
    if self.ndim not in (1, 2):
        raise ValueError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")
    return cg.diag(self, diagonal)


@_method("diag_embed")
def _diag_embed(self, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Any:
    """The last dimension on the diagonals ``offset`` of the planes ``(dim1, dim2)``."""
    return cg.diag_embed(self, offset, dim1, dim2)


@_method("diagflat")
def _diagflat(self, offset: int = 0) -> Any:
    """A matrix with the flattened tensor on diagonal ``offset``."""
    return cg.diagflat(self, offset)


@_method("diff")
def _diff(self, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Any:
    """The ``n``-th forward difference along ``dim`` (``prepend``/``append`` joined
    first)."""
    if self.ndim == 0:
        raise ValueError("diff: expects input to be at least one-dimensional")
    return cg.diff(self, n, axis=dim, prepend=prepend, append=append)


@_method("fliplr")
def _fliplr(self) -> Any:
    """The columns (dimension 1) reversed; at least 2-D."""
    if self.ndim < 2:
        raise ValueError(f"fliplr: Input must be >= 2-d, got shape {self.shape}")
    return cg.flip(self, 1)


@_method("flipud")
def _flipud(self) -> Any:
    """The rows (dimension 0) reversed; at least 1-D."""
    if self.ndim < 1:
        raise ValueError("flipud: Input must be >= 1-d, got a 0-d tensor")
    return cg.flip(self, 0)


@_method("rot90")
def _rot90(self, k: int = 1, dims: Any = (0, 1)) -> Any:
    """Rotated by 90 degrees ``k`` times, from the first of ``dims`` to the second."""
    dims = tuple(int(d) for d in dims)
    if len(dims) != 2:
        raise ValueError(f"rot90: expected total rotation dims == 2, but got dims = {len(dims)}")
    if self.ndim < 2:
        raise ValueError(f"rot90: expected total dims >= 2, but got total dims = {self.ndim}")
    if dims[0] % self.ndim == dims[1] % self.ndim:
        raise ValueError(
            f"rot90: expected rotation dims to be different, but got dim0 = {dims[0]} "
            f"and dim1 = {dims[1]}"
        )
    return cg.rot90(self, k, axes=dims)


@_method("tile")
def _tile(self, *dims: Any) -> Any:
    """The tensor repeated ``dims`` times along each dimension (``t.tile(2, 3)`` or
    ``t.tile((2, 3))``; missing leading counts are 1)."""
    return cg.tile(self, _dims(dims))


@_method("unfold")
def _unfold(self, dimension: int, size: int, step: int) -> Any:
    """PyTorch's sliding windows: the slices of length ``size`` every ``step`` along
    ``dimension``, which becomes the window count, with a new last dimension ``size``
    (a copy here, a view in PyTorch); differentiable."""
    if step <= 0:
        raise ValueError(f"unfold: step is {step} but must be > 0")
    x = self.reshape(1) if self.ndim == 0 else self
    d = _norm_dim(int(dimension), x.ndim, "unfold")
    length = x.shape[d]
    if not 0 <= size <= length:
        raise ValueError(
            f"unfold: maximum size for tensor at dimension {d} is {length} but size is {size}"
        )
    count = (length - size) // step + 1
    idx = np.arange(count)[:, None] * step + np.arange(size)[None, :]
    res = cg.moveaxis(cg.take(x, idx, axis=d), d + 1, -1)
    return res.reshape(size) if self.ndim == 0 else res


@_method("sum_to_size")
def _sum_to_size(self, *size: Any) -> Any:
    """Summed down to ``size`` (a shape the tensor broadcasts from), as gradients of
    a broadcast are."""
    size = _dims(size)
    shape = self.shape
    lead = len(shape) - len(size)
    if lead < 0 or any(s not in (1, shape[lead + i]) for i, s in enumerate(size)):
        raise ValueError(f"sum_to_size: size {list(size)} is not expandable to size {list(shape)}")
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1
    )
    if not axes:
        return self
    return cg.sum(self, axis=axes, keepdims=True).reshape(size)


@_method("split_with_sizes")
def _split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple:
    """Pieces of the listed sizes along ``dim`` (they must add up to its length)."""
    return self.split(list(split_sizes), dim)


@_method("unsafe_split_with_sizes")
def _unsafe_split_with_sizes(self, split_sizes: Any, dim: int = 0) -> tuple:
    """``split_with_sizes`` (compgraph's pieces are always safe to change)."""
    return self.split(list(split_sizes), dim)


@_method("unsafe_split")
def _unsafe_split(self, split_size: Any, dim: int = 0) -> tuple:
    """``split`` (compgraph's pieces are always safe to change)."""
    return self.split(split_size, dim)


@_method("unsafe_chunk")
def _unsafe_chunk(self, chunks: int, dim: int = 0) -> tuple:
    """``chunk`` (compgraph's pieces are always safe to change)."""
    return self.chunk(chunks, dim)


def _split_at(self: Tensor, sections: Any, dim: int, least: int, where: str) -> tuple:
    if self.ndim < least:
        raise ValueError(
            f"torch.{where} requires a tensor with at least {least} dimension"
            f"{'s' if least > 1 else ''}, but got a tensor with {self.ndim} dimensions!"
        )
    if isinstance(sections, (int, np.integer)):
        n = self.shape[dim]
        if sections <= 0 or n % sections:
            raise ValueError(
                f"torch.{where} attempted to split along dimension {dim}, but the size of "
                f"the dimension {n} is not divisible by the split_size {sections}!"
            )
        return self.split(n // int(sections), dim) if n else (self,) * int(sections)
    return tuple(cg.array_split(self, [int(i) for i in sections], axis=dim))


@_method("hsplit")
def _hsplit(self, indices_or_sections: Any) -> tuple:
    """Split along dimension 1 (0 for a 1-D tensor) into equal sections or at indices."""
    return _split_at(self, indices_or_sections, 1 if self.ndim > 1 else 0, 1, "hsplit")


@_method("vsplit")
def _vsplit(self, indices_or_sections: Any) -> tuple:
    """Split along dimension 0 (at least 2-D) into equal sections or at indices."""
    return _split_at(self, indices_or_sections, 0, 2, "vsplit")


@_method("dsplit")
def _dsplit(self, indices_or_sections: Any) -> tuple:
    """Split along dimension 2 (at least 3-D) into equal sections or at indices."""
    return _split_at(self, indices_or_sections, 2, 3, "dsplit")


def _conj(x: Any) -> Any:
    return cg.conj(x) if x.dtype.kind == "c" else x


def _H(self: Tensor) -> Any:
    """The conjugate transpose of a matrix (a 0-d tensor is itself)."""
    if self.ndim == 0:
        return self
    if self.ndim != 2:
        raise ValueError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor."
        )
    return cg.swapaxes(_conj(self), 0, 1)


def _mH(self: Tensor) -> Any:
    """The conjugate transpose of the last two dimensions (a batch of matrices)."""
    if self.ndim < 2:
        raise ValueError(
            f"tensor.mH is only supported on matrices or batches of matrices. Got "
            f"{self.ndim}-D tensor."
        )
    return cg.swapaxes(_conj(self), -2, -1)


_METHODS["H"] = property(_H)  # type: ignore[assignment]
_METHODS["mH"] = property(_mH)  # type: ignore[assignment]


# ------------------------------------------------------------------ products, indices
@_method("addmm")
def _addmm(self, mat1: Any, mat2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * self + alpha * (mat1 @ mat2)`` (``beta=0`` ignores ``self``, NaN too)."""
    for m, nm in ((mat1, "mat1"), (mat2, "mat2")):
        if np.ndim(m) != 2:
            raise ValueError(f"addmm: {nm} must be a matrix, got {np.ndim(m)}-D")
    if beta == 0:
        prod = cg.matmul(mat1, mat2)
        return cg.broadcast_to(
            prod * alpha if alpha != 1 else prod, np.broadcast_shapes(np.shape(prod), self.shape)
        )
    return cg.addmm(self, mat1, mat2, beta=beta, alpha=alpha)


@_method("vdot")
def _vdot(self, other: Any) -> Any:
    """The dot product of two 1-D tensors of one dtype, the first conjugated."""
    other = _as_tensor(other)
    if self.ndim != 1 or other.ndim != 1:
        raise ValueError(
            f"vdot: 1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors"
        )
    if self.dtype != other.dtype:
        raise TypeError(
            f"vdot: expected both vectors to have same dtype, but found {self.dtype} "
            f"and {other.dtype}"
        )
    if self.shape != other.shape:
        raise ValueError(
            f"vdot: inconsistent tensor size, expected tensor [{self.shape[0]}] and src "
            f"[{other.shape[0]}] to have the same number of elements"
        )
    return cg.vdot(self, other)


@_method("nonzero")
def _nonzero(self, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero elements: an (N, ndim) int64 tensor, or with
    ``as_tuple`` one 1-D tensor per dimension (a 0-d tensor counts as 1-D there)."""
    arr = np.asarray(self)
    if as_tuple:
        return tuple(Tensor(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(arr)))
    return Tensor(np.argwhere(arr).astype(np.int64))


@_method("put")
def _put(self, index: Any, source: Any, accumulate: bool = False) -> Any:
    """A copy with ``source`` written (or with ``accumulate`` added) at the flat
    positions ``index`` (negative ones count from the end); differentiable in both."""
    idx = np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"put: index must be an integer tensor, got {idx.dtype}")
    src = _as_tensor(source)
    if idx.size != src.size:
        raise ValueError(
            f"put: Expected source and index to have the same number of elements, but got "
            f"source.numel() = {src.size}, index.numel() = {idx.size}"
        )
    n = self.size
    flat_idx = idx.reshape(-1).astype(np.int64)
    if flat_idx.size and (flat_idx.min() < -n or flat_idx.max() >= n):
        raise IndexError(f"put: index out of range for a tensor of {n} elements")
    flat_idx = flat_idx % max(n, 1)
    flat, vals = self.reshape(-1), src.reshape(-1)
    if vals.dtype != self.dtype:
        vals = cg.astype(vals, self.dtype)
    out = (cg.index_add if accumulate else cg.index_copy)(flat, 0, Tensor(flat_idx), vals)
    return out.reshape(self.shape)


def _function_of(name: str) -> Callable:
    method = _METHODS[name]

    def fn(input: Any, *args: Any, **kw: Any) -> Any:
        return method(_as_tensor(input), *args, **kw)

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = "compgraph"
    fn.__doc__ = f"PyTorch's ``torch.{name}(input, ...)``: ``input.{name}(...)``."
    return fn


#: PyTorch's top-level functions written here, by name (published as ``cg.<name>``;
#: every name was free: compgraph's NumPy functions of the other names stay).
EXTRA_FUNCTIONS: dict[str, Any] = {
    "nanquantile": nanquantile,
    **extra_props.PUBLISHED,
    **{
        n: _function_of(n)
        for n in (
            "split_with_sizes unsafe_split unsafe_chunk unsafe_split_with_sizes put "
            "is_same_size is_nonzero is_signed"
        ).split()
    },
}
