"""TensorFlow's top-level array functions that NumPy spells differently or lacks:
``unique_with_counts``, ``dynamic_partition``, ``dynamic_stitch``, ``reverse_sequence``,
``tensor_scatter_nd_max``/``min``, ``saturate_cast``, ``slice``, ``unravel_index``,
``ensure_shape``, ``identity_n``, ``shape_n``, ``parallel_stack``, ``vectorized_map``,
``get_static_value``, ``broadcast_static_shape``, ``broadcast_dynamic_shape``, ``no_op``,
``group``.  Index-like arguments must be known when a graph is traced; the values are
differentiable wherever TensorFlow's are (gathers and scatters of the data)."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..functions import cg
from ..ops.args import is_symbolic
from ._args import _ints, _known, _shape, _tensor
from .control import map_fn
from .indexing import _nd_index
from .segment import unsorted_segment_max, unsorted_segment_min

__all__ = [  # TensorFlow's functions defined here, not compgraph ops
    "UniqueWithCounts",
    "unique_with_counts",
    "dynamic_partition",
    "dynamic_stitch",
    "reverse_sequence",
    "tensor_scatter_nd_max",
    "tensor_scatter_nd_min",
    "saturate_cast",
    "slice",
    "strided_slice",
    "unravel_index",
    "ensure_shape",
    "identity_n",
    "shape_n",
    "parallel_stack",
    "vectorized_map",
    "get_static_value",
    "broadcast_static_shape",
    "broadcast_dynamic_shape",
    "no_op",
    "group",
]


class UniqueWithCounts(NamedTuple):
    """``unique_with_counts``' result: ``y``, ``idx`` and ``count``."""

    y: Any
    idx: Any
    count: Any


def unique_with_counts(x: Any, out_idx: Any = np.int32, name: Any = None) -> UniqueWithCounts:
    """TensorFlow's ``unique_with_counts`` of a 1-D ``x``: the distinct values in order of
    first appearance (not sorted, unlike NumPy's ``unique``), for each entry of ``x``
    the index of its value in ``y``, and how often each value occurs."""
    f = "unique_with_counts"
    t = _tensor(x)
    a = _known(t, f, "x")
    if a.ndim != 1:
        raise ValueError(f"{f}: x must be 1-D, got shape {a.shape}")
    _, first, inverse, counts = np.unique(
        a, return_index=True, return_inverse=True, return_counts=True
    )
    order = np.argsort(first, kind="stable")  # sorted-unique position -> appearance order
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    y = t[first[order]]
    return UniqueWithCounts(
        y,
        cg.asarray(rank[inverse.ravel()].astype(out_idx)),
        cg.asarray(counts[order].astype(out_idx)),
    )


def dynamic_partition(data: Any, partitions: Any, num_partitions: int, name: Any = None) -> list:
    """TensorFlow's ``dynamic_partition``: ``out[i] = data[partitions == i]`` for each
    ``i < num_partitions`` (``partitions``' shape a prefix of ``data``'s), in order."""
    f = "dynamic_partition"
    x = _tensor(data)
    shape = _shape(x, f)
    p = _ints(partitions, f, "partitions")
    n = int(num_partitions)
    if shape[: p.ndim] != p.shape:
        raise ValueError(
            f"{f}: partitions' shape {p.shape} must be a prefix of data's shape {shape}"
        )
    if p.size and (p.min() < 0 or p.max() >= n):
        raise ValueError(
            f"{f}: partitions must be in [0, {n}), got values in [{p.min()}, {p.max()}]"
        )
    flat = cg.reshape(x, (p.size, *shape[p.ndim :]))
    ids = p.ravel()
    return [flat[np.flatnonzero(ids == i)] for i in builtins.range(n)]


def dynamic_stitch(indices: Sequence[Any], data: Sequence[Any], name: Any = None) -> Any:
    """TensorFlow's ``dynamic_stitch``: ``merged[indices[m][i...]] = data[m][i...]``, of
    ``max(indices) + 1`` rows; where an index repeats, the last one wins; rows no index
    names are zeros.  The gradient reaches the entries that win."""
    f = "dynamic_stitch"
    if len(indices) != len(data) or not indices:
        raise ValueError(f"{f}: indices and data must be non-empty lists of one length")
    idx = [_ints(i, f, "indices") for i in indices]
    xs = [_tensor(d) for d in data]
    rest = None
    rows = []
    for i, x in zip(idx, xs, strict=True):
        s = _shape(x, f)
        if s[: i.ndim] != i.shape:
            raise ValueError(f"{f}: data's shape {s} must start with its indices' shape {i.shape}")
        if rest is None:
            rest = s[i.ndim :]
        elif s[i.ndim :] != rest:
            raise ValueError(
                f"{f}: the data differ in their trailing shape: {rest} and {s[i.ndim :]}"
            )
        rows.append(cg.reshape(x, (i.size, *s[i.ndim :])))
    assert rest is not None
    flat_idx = np.concatenate([i.ravel() for i in idx])
    if flat_idx.size and flat_idx.min() < 0:
        raise ValueError(f"{f}: indices must be non-negative")
    n = int(flat_idx.max()) + 1 if flat_idx.size else 0
    source = np.full(n, flat_idx.size, dtype=np.int64)  # the zero row unless named
    source[flat_idx] = np.arange(flat_idx.size)  # (NumPy: the last assignment wins)
    dtype = np.result_type(*[np.dtype(x.dtype) for x in xs])
    pool = cg.concatenate(
        [*[cg.astype(r, dtype) for r in rows], cg.zeros((1, *rest), dtype=dtype)], axis=0
    )
    return pool[source]


def reverse_sequence(
    input: Any, seq_lengths: Any, seq_axis: Any = None, batch_axis: Any = None, name: Any = None
) -> Any:
    """TensorFlow's ``reverse_sequence``: for each ``b`` along ``batch_axis`` (0 by
    default), the first ``seq_lengths[b]`` entries along ``seq_axis`` reversed, the rest
    as they are."""
    f = "reverse_sequence"
    x = _tensor(input)
    shape = _shape(x, f)
    nd = len(shape)
    if seq_axis is None:
        raise ValueError(f"{f}: seq_axis must be given")
    sa, ba = int(seq_axis) % max(nd, 1), (0 if batch_axis is None else int(batch_axis)) % max(nd, 1)
    if sa == ba:
        raise ValueError(f"{f}: seq_axis and batch_axis must differ, both are {sa}")
    lens = _ints(seq_lengths, f, "seq_lengths")
    if lens.shape != (shape[ba],):
        raise ValueError(
            f"{f}: seq_lengths must have shape ({shape[ba]},) (the batch axis), got {lens.shape}"
        )
    if lens.size and (lens.min() < 0 or lens.max() > shape[sa]):
        raise ValueError(f"{f}: seq_lengths must be in [0, {shape[sa]}], got {lens.tolist()}")
    t = np.arange(shape[sa])
    perm = np.where(t < lens[:, None], lens[:, None] - 1 - t, t)  # (batch, seq)
    moved = cg.moveaxis(x, (ba, sa), (0, 1))
    out = moved[np.arange(shape[ba])[:, None], perm]
    return cg.moveaxis(out, (0, 1), (ba, sa))


def _scatter_extreme(f: str, tensor: Any, indices: Any, updates: Any, is_max: bool) -> Any:
    t, u = _tensor(tensor), _tensor(updates)
    if np.dtype(t.dtype) != np.dtype(u.dtype):
        raise TypeError(
            f"{f}: tensor and updates must have the same dtype, got {t.dtype} and {u.dtype}"
        )
    shape = _shape(t, f)
    idx = _ints(indices, f, "indices")
    index = _nd_index(f, idx, shape)
    m = idx.shape[-1]
    want = idx.shape[:-1] + shape[m:]
    if _shape(u, f) != want:
        raise ValueError(f"{f}: updates must have shape {want}, got {_shape(u, f)}")
    cells = int(np.prod(shape[:m], dtype=np.int64))
    rest = shape[m:]
    n_upd = int(np.prod(idx.shape[:-1], dtype=np.int64))
    target = np.ravel_multi_index(index, shape[:m]).ravel() if m else np.zeros(n_upd, np.int64)
    data = cg.concatenate(
        [cg.reshape(t, (cells, *rest)), cg.reshape(u, (target.size, *rest))], axis=0
    )
    ids = np.concatenate([np.arange(cells), target])
    out = (unsorted_segment_max if is_max else unsorted_segment_min)(data, ids, cells)
    return cg.reshape(out, shape)


def tensor_scatter_nd_max(tensor: Any, indices: Any, updates: Any, name: Any = None) -> Any:
    """TensorFlow's ``tensor_scatter_nd_max``: ``tensor`` with each entry at ``indices``
    the maximum of itself and its updates; the gradient is divided among the tied
    maxima, as TensorFlow's."""
    return _scatter_extreme("tensor_scatter_nd_max", tensor, indices, updates, True)


def tensor_scatter_nd_min(tensor: Any, indices: Any, updates: Any, name: Any = None) -> Any:
    """TensorFlow's ``tensor_scatter_nd_min`` (see :func:`tensor_scatter_nd_max`)."""
    return _scatter_extreme("tensor_scatter_nd_min", tensor, indices, updates, False)


def saturate_cast(value: Any, dtype: Any, name: Any = None) -> Any:
    """TensorFlow's ``saturate_cast``: ``value`` clipped to the range of ``dtype``, then
    cast (complex to real keeps the real part)."""
    x = _tensor(value)
    to = np.dtype(dtype)
    if np.dtype(x.dtype).kind == "c" and to.kind != "c":
        x = cg.real(x)
    src = np.dtype(x.dtype)
    if to.kind in "iuf" and src.kind in "iuf":
        lo_t, hi_t = (
            (np.finfo(to).min, np.finfo(to).max)
            if to.kind == "f"
            else (np.iinfo(to).min, np.iinfo(to).max)
        )
        lo_s, hi_s = (
            (np.finfo(src).min, np.finfo(src).max)
            if src.kind == "f"
            else (np.iinfo(src).min, np.iinfo(src).max)
        )
        lo, hi = (lo_t if lo_t > lo_s else None), (hi_t if hi_t < hi_s else None)
        if src.kind == "f" and to.kind in "iu":
            # the bounds as floats of the source type, not past the target's range
            if lo is not None:
                lo = (
                    np.nextafter(src.type(lo), src.type(0))
                    if int(src.type(lo)) < lo
                    else src.type(lo)
                )
            if hi is not None:
                hi = (
                    np.nextafter(src.type(hi), src.type(0))
                    if int(src.type(hi)) > hi
                    else src.type(hi)
                )
        if lo is not None or hi is not None:
            x = cg.clip(x, lo, hi)
    return cg.astype(x, to)


def strided_slice(
    input_: Any,
    begin: Any,
    end: Any,
    strides: Any = None,
    begin_mask: int = 0,
    end_mask: int = 0,
    ellipsis_mask: int = 0,
    new_axis_mask: int = 0,
    shrink_axis_mask: int = 0,
    var: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``strided_slice``: ``input_[begin[0]:end[0]:strides[0], ...]``.

    Bit ``i`` of a mask changes entry ``i``: ``begin_mask``/``end_mask`` leave that
    bound out (the whole axis), ``ellipsis_mask`` makes it ``...`` (one at most),
    ``new_axis_mask`` a new axis of length 1, ``shrink_axis_mask`` the single index
    ``begin[i]`` (the axis goes).  Differentiable (it is indexing).

    >>> import compgraph as cg
    >>> t = cg.asarray([[[1, 1, 1], [2, 2, 2]], [[3, 3, 3], [4, 4, 4]]])
    >>> cg.strided_slice(t, [1, -1, 0], [2, -3, 3], [1, -1, 1]).numpy().tolist()
    [[[4, 4, 4], [3, 3, 3]]]
    """
    f = "strided_slice"
    x = _tensor(input_)
    b = [int(v) for v in _ints(begin, f, "begin").ravel()]
    e = [int(v) for v in _ints(end, f, "end").ravel()]
    st = [1] * len(b) if strides is None else [int(v) for v in _ints(strides, f, "strides").ravel()]
    if not len(b) == len(e) == len(st):
        raise ValueError(
            f"{f}: begin, end and strides must have one length, got {len(b)}, {len(e)} "
            f"and {len(st)}"
        )
    if ellipsis_mask & (ellipsis_mask - 1):
        raise ValueError(f"{f}: ellipsis_mask {ellipsis_mask} sets more than one bit")
    items: list = []
    for i, (bi, ei, si) in enumerate(zip(b, e, st)):
        bit = 1 << i
        if ellipsis_mask & bit:
            items.append(Ellipsis)
        elif new_axis_mask & bit:
            items.append(None)
        elif shrink_axis_mask & bit:
            items.append(bi)
        else:
            if si == 0:
                raise ValueError(f"{f}: strides must be non-zero, got {st}")
            items.append(
                builtins.slice(None if begin_mask & bit else bi, None if end_mask & bit else ei, si)
            )
    return x[tuple(items)]


def slice(input_: Any, begin: Any, size: Any, name: Any = None) -> Any:  # noqa: A001
    """TensorFlow's ``slice``: ``input_[begin[i] : begin[i] + size[i]]`` on each axis
    (a size of -1: to the end)."""
    f = "slice"
    x = _tensor(input_)
    shape = _shape(x, f)
    b = [int(v) for v in _ints(begin, f, "begin").ravel()]
    s = [int(v) for v in _ints(size, f, "size").ravel()]
    if len(b) != len(shape) or len(s) != len(shape):
        raise ValueError(
            f"{f}: begin and size must have one entry per axis of {shape}, got {b} and {s}"
        )
    items = []
    for ax, (bi, si, d) in enumerate(zip(b, s, shape, strict=True)):
        end = d if si == -1 else bi + si
        if bi < 0 or si < -1 or end > d:
            raise ValueError(f"{f}: begin {bi} and size {si} exceed axis {ax} of length {d}")
        items.append(builtins.slice(bi, end))
    return x[tuple(items)]


def unravel_index(indices: Any, dims: Any, name: Any = None) -> Any:
    """TensorFlow's ``unravel_index``: the coordinates of flat ``indices`` in an array of
    shape ``dims``, stacked on a first axis of length ``len(dims)``."""
    f = "unravel_index"
    i = _ints(indices, f, "indices")
    d = tuple(int(v) for v in _ints(dims, f, "dims").ravel())
    size = int(np.prod(d, dtype=np.int64))
    if i.size and (i.min() < 0 or i.max() >= size):
        raise ValueError(f"{f}: indices must be in [0, {size}) for dims {d}")
    dt = np.asarray(getattr(indices, "_data", indices)).dtype
    return cg.asarray(np.stack(np.unravel_index(i, d)).astype(dt if dt.kind in "iu" else np.int64))


def ensure_shape(x: Any, shape: Any, name: Any = None) -> Any:
    """TensorFlow's ``ensure_shape``: ``x`` itself, after checking that its shape
    matches ``shape`` (None entries match any length)."""
    t = _tensor(x)
    want = None if shape is None else tuple(shape)
    have = tuple(t.shape) if t.shape is not None else None
    if want is not None and have is not None:
        ok = len(want) == len(have) and all(
            w is None or h is None or int(w) == h for w, h in zip(want, have, strict=True)
        )
        if not ok:
            raise ValueError(
                f"ensure_shape: shape of tensor {have} is not compatible with expected shape {want}"
            )
    return t


def identity_n(input: Sequence[Any], name: Any = None) -> list:
    """TensorFlow's ``identity_n``: the same values, as a list."""
    return [_tensor(v) for v in input]


def shape_n(input: Sequence[Any], out_type: Any = np.int32, name: Any = None) -> list:
    """TensorFlow's ``shape_n``: the shape of each tensor, as ``out_type`` tensors."""
    return [cg.asarray(np.asarray(_shape(_tensor(v), "shape_n"), dtype=out_type)) for v in input]


def parallel_stack(values: Sequence[Any], name: Any = None) -> Any:
    """TensorFlow's ``parallel_stack``: ``stack(values)`` along a new first axis."""
    return cg.stack(list(values), axis=0)


def vectorized_map(fn: Callable, elems: Any, fallback_to_while_loop: bool = True, warn=True) -> Any:
    """TensorFlow's ``vectorized_map``: what ``map_fn(fn, elems)`` gives (computed one
    element at a time)."""
    return map_fn(fn, elems)


def get_static_value(tensor: Any, partial: bool = False) -> Any:
    """TensorFlow's ``get_static_value``: the NumPy value when it is known (Tensors,
    arrays, numbers), None for a value being traced by ``cg.function``."""
    if is_symbolic(tensor):
        return None
    return np.asarray(getattr(tensor, "_data", tensor))


def broadcast_static_shape(shape_x: Any, shape_y: Any) -> tuple:
    """TensorFlow's ``broadcast_static_shape``: the broadcast of two shapes, a tuple."""
    try:
        return tuple(np.broadcast_shapes(tuple(shape_x), tuple(shape_y)))
    except ValueError:
        raise ValueError(
            f"broadcast_static_shape: incompatible shapes for broadcasting: {tuple(shape_x)} and {tuple(shape_y)}"
        ) from None


def broadcast_dynamic_shape(shape_x: Any, shape_y: Any) -> Any:
    """TensorFlow's ``broadcast_dynamic_shape``: the broadcast shape as an int tensor."""
    sx = _ints(shape_x, "broadcast_dynamic_shape", "shape_x")
    sy = _ints(shape_y, "broadcast_dynamic_shape", "shape_y")
    out = broadcast_static_shape(tuple(sx.tolist()), tuple(sy.tolist()))
    return cg.asarray(np.asarray(out, dtype=np.asarray(getattr(shape_x, "_data", shape_x)).dtype))


def no_op(name: Any = None) -> None:
    """TensorFlow's ``no_op``: nothing (eager code needs no control dependencies)."""
    return None


def group(*inputs: Any, name: Any = None) -> None:
    """TensorFlow's ``group``: nothing (the inputs have been computed already)."""
    return None
