"""More of NumPy's functions (``np.append``, ``np.interp``, ``np.convolve`` ...), each
declared once as a composite with :func:`~compgraph.ops.registry.defpublic` (so
``cg.<name>``, NumPy dispatch on Tensors and the other front ends reach it), written with
the registered ops so gradients come from their rules.

This module holds array building and editing; conversions and queries are in
:mod:`.numpy_types`, the math and windows in :mod:`.numpy_math`, NaN-aware scans, sets
and polynomials in :mod:`.numpy_poly` (imported at the end, so importing this module
declares them all).

Functions that rearrange elements (``insert delete append block resize choose compress
extract``) run NumPy's own function on an array of element *codes* and gather the
input's elements by them: NumPy's rules decide the layout, the gather carries the
gradient.  Results that are indices, counts or flags are NumPy's values (not
differentiable, as NumPy's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .args import is_symbolic
from .manip import known_shape
from .namespace import cg
from .registry import defpublic
from .spec import no

__all__ = [
    "append",
    "insert",
    "delete",
    "block",
    "copy",
    "resize",
    "rollaxis",
    "tri",
    "indices",
    "ix_",
    "diag_indices",
    "diag_indices_from",
    "tril_indices_from",
    "triu_indices_from",
    "mask_indices",
    "fill_diagonal",
    "place",
    "putmask",
    "choose",
    "compress",
    "extract",
    "trim_zeros",
    "flatnonzero",
    "argpartition",
    "partition",
    "lexsort",
    "sort_complex",
    "geomspace",
    "fromfunction",
    "fromiter",
]

_CLI = no("takes several arguments or arrays; the command line calls one-argument functions")
_NODISPATCH = no("NumPy's function of this name does not dispatch on other array types")
_INDEX = no("an integer (index) result, not differentiable, as NumPy's")


def _t(x: Any) -> Any:
    return x if is_symbolic(x) or hasattr(x, "requires_grad") else cg.asarray(x)


def _values(x: Any, where: str) -> np.ndarray:
    """The values of ``x`` (a Tensor's data, never a graph)."""
    if is_symbolic(x):
        raise TypeError(
            f"{where}: computed from the input's values, which a static graph does not "
            f"have yet; call it outside cg.function"
        )
    if hasattr(x, "requires_grad"):
        return np.asarray(cg.stop_gradient(x))
    return np.asarray(x)


def _dtype(x: Any) -> np.dtype:
    return np.dtype(x.dtype)


def _codes(shape: tuple, offset: int = 0) -> np.ndarray:
    return np.arange(offset, offset + int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(
        shape
    )


def _gather(sources: Sequence[Any], codes: np.ndarray, dtype: Any = None) -> Any:
    """The elements of the flattened, joined ``sources`` at ``codes`` (shape kept)."""
    if dtype is None:
        dtype = np.result_type(*[_dtype(s) for s in sources])
    flat = [cg.ravel(s if _dtype(s) == dtype else cg.astype(s, dtype)) for s in sources]
    joined = flat[0] if len(flat) == 1 else cg.concatenate(flat)
    return cg.reshape(cg.take(joined, codes.reshape(-1).astype(np.int64)), codes.shape)


def _public(*fns: Callable) -> None:
    for f in fns:
        f.__module__ = "compgraph"


# ------------------------------------------------------------------ rearranging
@defpublic(method=no("NumPy has no ndarray.append"), numpy=np.append, cli=_CLI)
def append(arr: Any, values: Any, axis: int | None = None) -> Any:
    """``values`` appended to ``arr`` (both flattened when ``axis`` is None; NumPy's
    ``np.append``)."""
    a, v = _t(arr), _t(values)
    if axis is None:
        return cg.concatenate([cg.ravel(a), cg.ravel(v)])
    return cg.concatenate([a, v], axis=axis)


@defpublic(method=no("NumPy has no ndarray.insert"), numpy=np.insert, cli=_CLI)
def insert(arr: Any, obj: Any, values: Any, axis: int | None = None) -> Any:
    """``values`` inserted before the index or indices ``obj`` along ``axis`` (of the
    flattened ``arr`` when None), cast to ``arr``'s dtype (NumPy's ``np.insert``).

    >>> import compgraph as cg
    >>> cg.insert(cg.asarray([1.0, 2.0, 3.0]), 1, 9.0)
    Tensor([1., 9., 2., 3.])
    """
    a, v = _t(arr), _t(values)
    sa, sv = known_shape(a, "insert"), known_shape(v, "insert")
    codes = np.insert(_codes(sa), _index_arg(obj), -1 - _codes(sv), axis=axis)
    mine = codes >= 0
    # Non-negative codes are arr's elements, negative ones values' (cast to arr's dtype).
    joined = np.where(mine, codes, int(np.prod(sa, dtype=np.int64)) - 1 - codes)
    return _gather([a, v], joined, _dtype(a))


def _index_arg(obj: Any) -> Any:
    if isinstance(obj, slice):
        return obj
    return obj if np.ndim(obj) == 0 and not hasattr(obj, "shape") else _values(obj, "index")


@defpublic(method=no("NumPy has no ndarray.delete"), numpy=np.delete, cli=_CLI)
def delete(arr: Any, obj: Any, axis: int | None = None) -> Any:
    """``arr`` without the sub-arrays at ``obj`` along ``axis`` (of the flattened ``arr``
    when None; NumPy's ``np.delete``)."""
    a = _t(arr)
    return _gather([a], np.delete(_codes(known_shape(a, "delete")), _index_arg(obj), axis=axis))


@defpublic(method=no("NumPy has no ndarray.block"), numpy=np.block, cli=_CLI)
def block(arrays: Any) -> Any:
    """An array assembled from nested lists of blocks, the innermost lists joined along
    the last axis (NumPy's ``np.block``)."""
    sources: list = []

    def coded(x: Any) -> Any:
        if isinstance(x, list):
            return [coded(e) for e in x]
        if isinstance(x, tuple):
            raise TypeError("block: arrays is a tuple; only lists can be used to arrange blocks")
        t = _t(x)
        offset = sum(int(np.prod(known_shape(s, "block"), dtype=np.int64)) for s in sources)
        sources.append(t)
        return _codes(known_shape(t, "block"), offset)

    codes = np.block(coded(arrays))
    return _gather(sources, codes)


@defpublic(method=no("ndarray.copy is a method of every array already"), numpy=np.copy,
           cli=no("the identity on numbers"))  # fmt: skip
def copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    """A new array with ``a``'s values (differentiable, as a copy; NumPy's ``np.copy``;
    ``order`` is accepted: a Tensor has no memory layout)."""
    return cg.array(_t(a), copy=True)


@defpublic(method=no("ndarray.resize resizes in place; this is np.resize"), numpy=np.resize,
           cli=_CLI)  # fmt: skip
def resize(a: Any, new_shape: Any) -> Any:
    """An array of ``new_shape`` filled with ``a``'s elements repeated in order (NumPy's
    ``np.resize``)."""
    t = _t(a)
    return _gather([t], np.resize(_codes(known_shape(t, "resize")), new_shape))


@defpublic(method=no("NumPy has no ndarray.rollaxis"), numpy=np.rollaxis, cli=_CLI)
def rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    """``a`` with ``axis`` moved to before position ``start`` (NumPy's ``np.rollaxis``;
    a copy here, NumPy's is a view)."""
    t = _t(a)
    n = len(known_shape(t, "rollaxis"))
    if not -n <= axis < n:
        raise np.exceptions.AxisError(axis, n)
    axis %= n
    if start < 0:
        start += n
    if not 0 <= start < n + 1:
        raise np.exceptions.AxisError(
            f"rollaxis: 'start' arg requires {-n} <= start < {n + 1}, but {start} was passed in"
        )
    if axis < start:
        start -= 1
    if axis == start:
        return t
    axes = list(range(n))
    axes.remove(axis)
    axes.insert(start, axis)
    return cg.transpose(t, axes)


@defpublic(method=no("NumPy has no ndarray.choose of this form"), numpy=np.choose, cli=_CLI)
def choose(a: Any, choices: Any, out: Any = None, mode: Any = "raise") -> Any:
    """The elements of ``choices[a]`` broadcast together, ``a`` out of range raising,
    wrapping or clipped per ``mode`` (NumPy's ``np.choose``; differentiable in the
    choices)."""
    if out is not None:
        raise TypeError("choose: out= is not supported (compgraph values are immutable)")
    idx = _values(a, "choose")
    ts = [_t(c) for c in choices]
    offsets = np.cumsum([0] + [int(np.prod(known_shape(c, "choose"))) for c in ts])
    coded = [_codes(known_shape(c, "choose"), int(o)) for c, o in zip(ts, offsets)]
    return _gather(ts, np.choose(idx, coded, mode=mode))


@defpublic(method=no("NumPy's ndarray.compress takes the condition first; call cg.compress"),
           numpy=np.compress, cli=_CLI)  # fmt: skip
def compress(condition: Any, a: Any, axis: int | None = None, out: Any = None) -> Any:
    """The slices of ``a`` along ``axis`` (of the flattened ``a`` when None) where
    ``condition`` is true (NumPy's ``np.compress``)."""
    if out is not None:
        raise TypeError("compress: out= is not supported (compgraph values are immutable)")
    t = _t(a)
    cond = _values(condition, "compress")
    return _gather([t], np.compress(cond, _codes(known_shape(t, "compress")), axis=axis))


@defpublic(method=no("NumPy has no ndarray.extract"), numpy=np.extract, cli=_CLI)
def extract(condition: Any, arr: Any) -> Any:
    """The elements of ``arr`` where ``condition`` (flattened) is nonzero (NumPy's
    ``np.extract``)."""
    t = _t(arr)
    cond = _values(condition, "extract")
    return _gather([t], np.extract(cond, _codes(known_shape(t, "extract"))))


@defpublic(method=no("NumPy has no ndarray.trim_zeros"), numpy=np.trim_zeros, cli=_CLI)
def trim_zeros(filt: Any, trim: str = "fb", axis: Any = None) -> Any:
    """``filt`` without its leading (``'f'``) and/or trailing (``'b'``) zeros, along
    every axis or those given (NumPy's ``np.trim_zeros``)."""
    t = _t(filt)
    v = _values(t, "trim_zeros")
    if not isinstance(trim, str) or not set(trim.lower()) <= {"f", "b"}:
        raise ValueError(f"trim_zeros: unexpected character(s) in `trim`: {trim!r}")
    axes = range(v.ndim) if axis is None else [a % v.ndim for a in np.atleast_1d(axis)]
    nz = np.argwhere(v)
    index = [slice(None)] * v.ndim
    for ax in axes:
        if nz.size == 0:
            index[ax] = slice(0, 0)
            continue
        lo = int(nz[:, ax].min()) if "f" in trim.lower() else 0
        hi = int(nz[:, ax].max()) + 1 if "b" in trim.lower() else v.shape[ax]
        index[ax] = slice(lo, hi)
    return t[tuple(index)]


# ------------------------------------------------------------------ building
@defpublic(method=no("creates a new array"), numpy=_NODISPATCH, cli=no("creates a new array"))
def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = float, *, like: Any = None) -> Any:
    """An ``N`` by ``M`` array with ones at and below the ``k``-th diagonal (NumPy's
    ``np.tri``)."""
    return cg.asarray(np.tri(N, M, k, dtype=dtype))


@defpublic(method=no("creates a new array"), numpy=_NODISPATCH, cli=no("creates a new array"))
def indices(dimensions: Sequence[int], dtype: Any = int, sparse: Any = False) -> Any:
    """The grid of indices of an array of shape ``dimensions``: one array, or with
    ``sparse`` a tuple of broadcastable ones (NumPy's ``np.indices``)."""
    res = np.indices(tuple(dimensions), dtype=dtype, sparse=sparse)
    return tuple(cg.asarray(r) for r in res) if sparse else cg.asarray(res)


@defpublic(method=no("a function of several arrays"), numpy=np.ix_, cli=_CLI)
def ix_(*args: Any) -> tuple:
    """Open-mesh index arrays from 1-D sequences (booleans become their true indices;
    NumPy's ``np.ix_``)."""
    return tuple(cg.asarray(r) for r in np.ix_(*[_values(a, "ix_") for a in args]))


@defpublic(method=no("creates index arrays"), numpy=_NODISPATCH, cli=_CLI)
def diag_indices(n: int, ndim: int = 2) -> tuple:
    """The indices of the main diagonal of an ``ndim``-dimensional array of side ``n``
    (NumPy's ``np.diag_indices``)."""
    return tuple(cg.asarray(r) for r in np.diag_indices(n, ndim))


@defpublic(method=no("creates index arrays"), numpy=np.diag_indices_from, cli=_CLI)
def diag_indices_from(arr: Any) -> tuple:
    """The indices of the main diagonal of ``arr`` (all sides equal; NumPy's
    ``np.diag_indices_from``)."""
    shape = known_shape(_t(arr), "diag_indices_from")
    return tuple(cg.asarray(r) for r in np.diag_indices_from(np.empty(shape, np.int8)))


@defpublic(method=no("creates index arrays"), numpy=np.tril_indices_from, cli=_CLI)
def tril_indices_from(arr: Any, k: int = 0) -> tuple:
    """The indices of the lower triangle of the 2-D ``arr`` (NumPy's
    ``np.tril_indices_from``)."""
    shape = known_shape(_t(arr), "tril_indices_from")
    return tuple(cg.asarray(r) for r in np.tril_indices_from(np.empty(shape, np.int8), k))


@defpublic(method=no("creates index arrays"), numpy=np.triu_indices_from, cli=_CLI)
def triu_indices_from(arr: Any, k: int = 0) -> tuple:
    """The indices of the upper triangle of the 2-D ``arr`` (NumPy's
    ``np.triu_indices_from``)."""
    shape = known_shape(_t(arr), "triu_indices_from")
    return tuple(cg.asarray(r) for r in np.triu_indices_from(np.empty(shape, np.int8), k))


@defpublic(method=no("creates index arrays"), numpy=_NODISPATCH, cli=_CLI)
def mask_indices(n: int, mask_func: Callable, k: int = 0) -> tuple:
    """The indices of the nonzero entries of ``mask_func(ones((n, n)), k)`` (NumPy's
    ``np.mask_indices``; ``mask_func`` may return a Tensor)."""
    m = _values(mask_func(np.ones((n, n), int), k), "mask_indices")
    return tuple(cg.asarray(r) for r in np.nonzero(m != 0))


def _flat_set(where: str, a: Any, positions: np.ndarray, values: Any) -> None:
    """``a.flat[positions] = values`` in place: NumPy's for an ndarray, the Tensor's own
    in-place item assignment (torch's rules: leaves that require grad refuse) else."""
    if isinstance(a, np.ndarray):
        a.flat[positions] = _values(values, where)
        return
    if is_symbolic(a) or not hasattr(a, "requires_grad"):
        raise TypeError(f"{where}: expected an ndarray or a Tensor to change, got {type(a)}")
    if positions.size == 0:
        return
    shape = known_shape(a, where)
    a[np.unravel_index(positions, shape)] = values


def _cycled(values: Any, n: int, dtype: np.dtype, where: str) -> Any:
    """The first ``n`` of the flattened ``values`` repeated cyclically, cast to ``dtype``."""
    v = cg.ravel(_t(values))
    size = known_shape(v, where)[0]
    if size == 0:
        raise ValueError(f"{where}: Cannot insert from an empty array!")
    v = v if _dtype(v) == dtype else cg.astype(v, dtype)
    return cg.take(v, np.arange(n) % size)


@defpublic(method=no("Tensor.fill_diagonal_ is PyTorch's (in place, returns the tensor)"),
           numpy=np.fill_diagonal, cli=no("changes its argument in place"))  # fmt: skip
def fill_diagonal(a: Any, val: Any, wrap: bool = False) -> None:
    """Write ``val`` (repeated cyclically) on the main diagonal of ``a``, in place;
    returns None (NumPy's ``np.fill_diagonal``).  A Tensor changes as by item
    assignment: torch's in-place rules (the graph records it; a leaf that requires grad
    refuses).

    >>> import compgraph as cg
    >>> t = cg.zeros((2, 2), "float64")
    >>> cg.fill_diagonal(t, 7.0)
    >>> t
    Tensor([[7., 0.],
            [0., 7.]])
    """
    shape = known_shape(_t(a) if not isinstance(a, np.ndarray) else a, "fill_diagonal")
    if len(shape) < 2:
        raise ValueError(f"fill_diagonal: array must be at least 2-d, got shape {shape}")
    size = int(np.prod(shape))
    end = None
    if len(shape) == 2:
        step = shape[1] + 1
        if not wrap:
            end = shape[1] * shape[1]
    else:
        if len(set(shape)) != 1:
            raise ValueError(
                f"fill_diagonal: All dimensions of input must be of equal length, got {shape}"
            )
        step = 1 + int(np.cumprod(shape[:-1]).sum())
    pos = np.arange(size)[:end:step]
    if isinstance(a, np.ndarray):
        np.fill_diagonal(a, _values(val, "fill_diagonal"), wrap)
        return None
    _flat_set("fill_diagonal", a, pos, _cycled(val, len(pos), _dtype(a), "fill_diagonal"))
    return None


@defpublic(method=no("NumPy has no ndarray.place"), numpy=np.place,
           cli=no("changes its argument in place"))  # fmt: skip
def place(arr: Any, mask: Any, vals: Any) -> None:
    """Write the first of ``vals`` (repeated cyclically) where ``mask`` is true, in
    place; returns None (NumPy's ``np.place``; a Tensor changes under torch's in-place
    rules, see :func:`fill_diagonal`)."""
    m = _values(mask, "place").astype(bool)
    shape = known_shape(arr if isinstance(arr, np.ndarray) else _t(arr), "place")
    if m.size != int(np.prod(shape)):
        raise ValueError(f"place: mask and data must be the same size, got {m.shape} and {shape}")
    pos = np.flatnonzero(m)
    if isinstance(arr, np.ndarray):
        np.place(arr, m, _values(vals, "place"))
        return None
    if pos.size:
        _flat_set("place", arr, pos, _cycled(vals, len(pos), _dtype(arr), "place"))
    return None


@defpublic(method=no("NumPy has no ndarray.putmask"), numpy=np.putmask,
           cli=no("changes its argument in place"))  # fmt: skip
def putmask(a: Any, mask: Any, values: Any) -> None:
    """``a.flat[n] = values.flat[n % values.size]`` wherever ``mask.flat[n]``, in place;
    returns None (NumPy's ``np.putmask``; a Tensor changes under torch's in-place
    rules, see :func:`fill_diagonal`)."""
    m = _values(mask, "putmask").astype(bool)
    shape = known_shape(a if isinstance(a, np.ndarray) else _t(a), "putmask")
    if m.shape != tuple(shape):
        m = np.broadcast_to(m, shape) if m.size != int(np.prod(shape)) else m.reshape(shape)
    if isinstance(a, np.ndarray):
        np.putmask(a, m, _values(values, "putmask"))
        return None
    pos = np.flatnonzero(m)
    if pos.size:
        v = _cycled(values, int(np.prod(shape)), _dtype(a), "putmask")
        _flat_set("putmask", a, pos, cg.take(v, pos))
    return None


# ------------------------------------------------------------------ sorting and searching
@defpublic(
    method=no("a Tensor method of this name is not NumPy's"), numpy=np.flatnonzero, cli=_INDEX
)
def flatnonzero(a: Any) -> Any:
    """The indices of the nonzero elements of the flattened ``a`` (NumPy's
    ``np.flatnonzero``)."""
    return cg.asarray(np.flatnonzero(_values(a, "flatnonzero")))


@defpublic(
    method=no("a Tensor method of this name is not NumPy's"), numpy=np.argpartition, cli=_INDEX
)
def argpartition(a: Any, kth: Any, axis: int | None = -1, kind: Any = "introselect",
                 order: Any = None) -> Any:  # fmt: skip
    """The indices that partition ``a`` around its ``kth`` element(s) (NumPy's
    ``np.argpartition``)."""
    if order is not None:
        raise ValueError("argpartition: order= needs a structured array, which compgraph has not")
    return cg.asarray(np.argpartition(_values(a, "argpartition"), kth, axis=axis, kind=kind))


@defpublic(method=no("ndarray.partition sorts in place"), numpy=np.partition, cli=_CLI)
def partition(a: Any, kth: Any, axis: int | None = -1, kind: Any = "introselect",
              order: Any = None) -> Any:  # fmt: skip
    """``a`` rearranged so the ``kth`` element(s) sit where sorting would put them, the
    smaller before and the larger after (NumPy's ``np.partition``, differentiable: the
    elements are gathered by ``argpartition``)."""
    if order is not None:
        raise ValueError("partition: order= needs a structured array, which compgraph has not")
    t = _t(a)
    if axis is None:
        t, axis = cg.ravel(t), -1
    idx = np.argpartition(_values(t, "partition"), kth, axis=axis, kind=kind)
    return cg.take_along_axis(t, idx, axis=axis)


@defpublic(method=no("a function of several keys"), numpy=np.lexsort, cli=_INDEX)
def lexsort(keys: Any, axis: int = -1) -> Any:
    """The indices that sort by the last key, then the one before ... (NumPy's
    ``np.lexsort``)."""
    if isinstance(keys, (list, tuple)):
        k: Any = tuple(_values(x, "lexsort") for x in keys)
    else:
        k = _values(keys, "lexsort")
    return cg.asarray(np.lexsort(k, axis=axis))


@defpublic(method=no("NumPy has no ndarray.sort_complex"), numpy=np.sort_complex, cli=_CLI)
def sort_complex(a: Any) -> Any:
    """``a`` sorted along its last axis by real part, then imaginary part, as complex
    (NumPy's ``np.sort_complex``)."""
    t = _t(a)
    v = _values(t, "sort_complex")
    target = np.sort_complex(np.zeros(1, v.dtype)).dtype
    idx = np.lexsort((v.imag, v.real), axis=-1) if v.ndim else np.zeros((), np.int64)
    out = cg.take_along_axis(t, idx, axis=-1) if v.ndim else t
    return out if _dtype(out) == target else cg.astype(out, target)


# ------------------------------------------------------------------ creation
@defpublic(method=no("creates a new array"), numpy=np.geomspace, cli=_CLI)
def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
              axis: int = 0) -> Any:  # fmt: skip
    """``num`` numbers spaced evenly on a log scale from ``start`` to ``stop`` (NumPy's
    ``np.geomspace``; differentiable in real ``start``/``stop`` of one sign; complex
    ones give NumPy's values without a gradient)."""
    s, e = _t(start), _t(stop)
    vs, ve = _values(s, "geomspace"), _values(e, "geomspace")
    if vs.dtype.kind == "c" or ve.dtype.kind == "c":
        return cg.asarray(np.geomspace(vs, ve, num, endpoint, dtype, axis))
    if np.any(vs == 0) or np.any(ve == 0):
        raise ValueError("geomspace: Geometric sequence cannot include zero")
    if num < 0:
        raise ValueError(f"geomspace: Number of samples, {num}, must be non-negative.")
    rt = np.result_type(vs, ve, float(num), np.zeros((), dtype))
    s, e = cg.astype(s, rt), cg.astype(e, rt)
    sign = np.sign(vs) if np.all(np.sign(vs) == np.sign(ve)) else None
    if sign is None:
        return cg.asarray(np.geomspace(vs, ve, num, endpoint, dtype, axis))
    frac = np.linspace(0.0, 1.0, num, endpoint=endpoint).astype(rt)
    bshape = np.broadcast_shapes(vs.shape, ve.shape)
    frac = frac.reshape((num,) + (1,) * len(bshape))
    ls, le = cg.log(cg.abs(s)), cg.log(cg.abs(e))
    out = cg.multiply(cg.exp(cg.add(ls, cg.multiply(frac, cg.subtract(le, ls)))), sign)
    if num > 0:
        pieces = [cg.expand_dims(cg.broadcast_to(s, bshape), 0)]
        inner = out[1 : num - 1] if endpoint else out[1:]
        if num > 1:
            pieces.append(inner)
            if endpoint:
                pieces.append(cg.expand_dims(cg.broadcast_to(e, bshape), 0))
        out = cg.concatenate(pieces, axis=0)
    if axis != 0:
        out = cg.moveaxis(out, 0, axis)
    if dtype is not None and np.dtype(dtype) != rt:
        out = cg.astype(out, dtype)
    return out


@defpublic(method=no("creates a new array"), numpy=_NODISPATCH,
           cli=_CLI)  # fmt: skip
def fromfunction(function: Callable, shape: Sequence[int], *, dtype: Any = float,
                 like: Any = None, **kwargs: Any) -> Any:  # fmt: skip
    """``function(*indices(shape, dtype), **kwargs)``: ``function`` called once with one
    index Tensor per axis (NumPy's ``np.fromfunction``)."""
    grid = np.indices(tuple(shape), dtype=dtype)
    return function(*[cg.asarray(g) for g in grid], **kwargs)


@defpublic(method=no("creates a new array"), numpy=_NODISPATCH,
           cli=_CLI)  # fmt: skip
def fromiter(iter: Any, dtype: Any, count: int = -1, *, like: Any = None) -> Any:
    """A 1-D array of the values ``iter`` yields (NumPy's ``np.fromiter``; values only:
    Tensors among them are read as numbers, without their graph)."""
    vals = (_values(x, "fromiter") if hasattr(x, "requires_grad") else x for x in iter)
    return cg.asarray(np.fromiter(vals, dtype, count))


_public(
    append, insert, delete, block, copy, resize, rollaxis, choose, compress, extract, trim_zeros,
    tri, indices, ix_, diag_indices, diag_indices_from, tril_indices_from, triu_indices_from,
    mask_indices, fill_diagonal, place, putmask, flatnonzero, argpartition, partition, lexsort,
    sort_complex, geomspace, fromfunction, fromiter, )  # fmt: skip

# (registration side effects: conversions and queries; math, sets, polynomials, windows)
from . import numpy_math, numpy_types  # noqa: E402, F401
