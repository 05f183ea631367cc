"""TensorFlow's segment reductions (``tf.math.segment_*``, ``tf.math.unsorted_segment_*``)
and ``tf.math.bincount``.

The segment ids are index arrays known when the graph is built (NumPy arrays, lists or
Tensors; inside ``cg.function`` not a traced argument).  Sums are the internal
``scatter_add`` op (linear, its gradient is indexing), so they differentiate to any
order and trace into static graphs.  ``max``/``min`` send the gradient of each segment
to its maxima (minima), divided equally among ties, as TensorFlow's registered gradient
(``_SegmentMinOrMaxGrad``/``_UnsortedSegmentMinOrMaxGrad``) does.  ``prod`` gathers
each segment into a row padded with ones and takes ``cg.prod`` of it, whose gradient is
exact where entries are zero (TensorFlow's three cases) and to higher orders; the
padded array holds ``num_segments * (largest segment)`` entries.

Values TensorFlow documents for empty segments: ``segment_*`` give 0 (``segment_prod``
1); ``unsorted_segment_max`` gives the dtype's lowest value, ``unsorted_segment_min``
its highest, ``unsorted_segment_prod`` 1 and the sums, means and ``sqrt_n`` 0.
Negative ids of the unsorted versions drop their rows, as in TensorFlow.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import cg, dispatch
from ..ops.args import is_symbolic
from ..ops.registry import get_op
from ._args import _int, _ints, _shape, _tensor

__all__ = [  # TensorFlow's functions defined here, not compgraph ops
    "segment_sum",
    "segment_mean",
    "segment_max",
    "segment_min",
    "segment_prod",
    "unsorted_segment_sum",
    "unsorted_segment_mean",
    "unsorted_segment_max",
    "unsorted_segment_min",
    "unsorted_segment_prod",
    "unsorted_segment_sqrt_n",
    "bincount",
]

_SCATTER_ADD = get_op("scatter_add")


def _scatter_rows(x: Any, ids: np.ndarray, num_segments: int, rest: tuple) -> Any:
    """The rows of ``x`` (shape ``(len(ids),) + rest``) summed into ``num_segments`` rows
    by ``ids``; rows with a negative id are dropped.  Linear and differentiable."""
    if ids.size and ids.min() < 0:
        ids = np.where(ids < 0, num_segments, ids)  # an extra row, cut off below
        out = dispatch(_SCATTER_ADD, [x], {"shape": (num_segments + 1, *rest), "index": (ids,)})
        return out[:num_segments]
    return dispatch(_SCATTER_ADD, [x], {"shape": (num_segments, *rest), "index": (ids,)})


def _check_dtype(fname: str, x: Any, kinds: str) -> np.dtype:
    dt = np.dtype(x.dtype)
    if dt.kind not in kinds:
        raise TypeError(f"{fname}: data of dtype {dt} is not supported")
    return dt


def _unsorted_args(fname: str, data: Any, segment_ids: Any, num_segments: Any) -> tuple:
    """``(x with one leading axis of segment rows, flat ids, num_segments, row shape)``."""
    x = _tensor(data)
    shape = _shape(x, fname)
    ids = _ints(segment_ids, fname, "segment_ids")
    n_seg = _int(num_segments, fname, "num_segments")
    if n_seg < 0:
        raise ValueError(f"{fname}: num_segments must be non-negative, got {n_seg}")
    if shape[: ids.ndim] != ids.shape:
        raise ValueError(
            f"{fname}: segment_ids' shape {ids.shape} must be a prefix of data's shape {shape}"
        )
    if ids.size and ids.max() >= n_seg:
        raise ValueError(
            f"{fname}: segment id {int(ids.max())} is out of range [0, {n_seg}) "
            f"(num_segments={n_seg})"
        )
    rest = shape[ids.ndim :]
    if ids.ndim != 1:
        x = cg.reshape(x, (ids.size, *rest))
    return x, ids.ravel(), n_seg, rest


def _sorted_args(fname: str, data: Any, segment_ids: Any) -> tuple:
    """As :func:`_unsorted_args` for the sorted versions: ids a sorted, non-negative
    vector as long as data's first axis; ``num_segments`` is ``ids[-1] + 1``."""
    x = _tensor(data)
    shape = _shape(x, fname)
    ids = _ints(segment_ids, fname, "segment_ids")
    if ids.ndim != 1 or not shape or ids.shape[0] != shape[0]:
        raise ValueError(
            f"{fname}: segment_ids must be a vector as long as data's first axis; "
            f"got segment_ids of shape {ids.shape} for data of shape {shape}"
        )
    if ids.size and ids.min() < 0:
        raise ValueError(f"{fname}: segment ids must be non-negative, got {int(ids.min())}")
    if np.any(np.diff(ids) < 0):
        raise ValueError(f"{fname}: segment ids are not increasing: {ids.tolist()}")
    n_seg = int(ids[-1]) + 1 if ids.size else 0
    return x, ids, n_seg, shape[1:]


def _counts(ids: np.ndarray, n_seg: int, rest: tuple) -> np.ndarray:
    """Rows per segment, shaped to broadcast against a ``(n_seg,) + rest`` result."""
    c = np.bincount(ids[ids >= 0], minlength=n_seg)[:n_seg]
    return c.reshape((n_seg,) + (1,) * len(rest))


def _padded(x: Any, ids: np.ndarray, n_seg: int, rest: tuple, fill: Any) -> Any:
    """Segment ``i``'s rows as row ``i`` of a ``(n_seg, longest) + rest`` array, padded
    with ``fill`` (rows with negative ids left out)."""
    keep = ids >= 0
    order = np.argsort(np.where(keep, ids, n_seg), kind="stable")
    order = order[keep[order]]
    counts = np.bincount(ids[keep], minlength=n_seg)[:n_seg]
    longest = int(counts.max()) if counts.size else 0
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    seg = ids[order]
    index = np.full((n_seg, longest), ids.size, dtype=np.int64)  # the padding row
    index[seg, np.arange(order.size) - starts[seg]] = order
    pad = cg.full((1, *rest), fill, dtype=np.dtype(x.dtype))
    return cg.concatenate([x, pad], axis=0)[index], longest


def _extreme(
    fname: str, x: Any, ids: np.ndarray, n_seg: int, rest: tuple, is_max: bool, empty: Any
) -> Any:
    """Segment max (min); ``empty`` is the value of empty segments (None: the dtype's
    lowest (highest) value).  Gradient: to the maxima, divided equally among ties."""
    dt = _check_dtype(fname, x, "fiub")
    lim = np.finfo(dt) if dt.kind == "f" else np.iinfo(dt) if dt.kind in "iu" else None
    fill = (lim.min if is_max else lim.max) if lim is not None else (not is_max)
    if empty is not None and dt.kind == "f":  # the sorted kernels reduce from -inf (inf)
        fill = -np.inf if is_max else np.inf
    keep = ids >= 0
    if is_symbolic(x):
        g, longest = _padded(cg.stop_gradient(x), ids, n_seg, rest, fill)
        if longest == 0:
            v = cg.full((n_seg, *rest), fill, dtype=dt)
        else:
            v = (cg.max if is_max else cg.min)(g, axis=1)
    else:
        out = np.full((n_seg, *rest), fill, dtype=dt)
        (np.maximum if is_max else np.minimum).at(out, ids[keep], np.asarray(x._data)[keep])
        v = cg.asarray(out)
    if empty is not None:
        v = cg.where(_counts(ids, n_seg, rest) == 0, np.asarray(empty, dtype=dt), v)
    if dt.kind != "f":
        return v
    # TensorFlow's gradient: each segment's to its selected entries, divided equally.
    # Written as v + (a sum that is exactly 0) so that the value stays v.
    safe = np.where(keep, ids, 0)
    keep_b = keep.reshape((-1,) + (1,) * len(rest))
    m = v[safe]
    sel = cg.logical_and(x == m, keep_b)
    k = _scatter_rows(cg.astype(sel, dt), ids, n_seg, rest)
    w = cg.where(sel, 1 / cg.maximum(k[safe], 1), 0)
    mf = cg.where(cg.isfinite(m), m, 0)
    return v + _scatter_rows(w * (cg.where(sel, x, mf) - mf), ids, n_seg, rest)


def _prod(fname: str, x: Any, ids: np.ndarray, n_seg: int, rest: tuple) -> Any:
    _check_dtype(fname, x, "fciub")
    g, longest = _padded(x, ids, n_seg, rest, 1)
    return cg.prod(g, axis=1)


def _mean(fname: str, x: Any, ids: np.ndarray, n_seg: int, rest: tuple, integer_div: bool) -> Any:
    dt = _check_dtype(fname, x, "fciu")
    total = _scatter_rows(x, ids, n_seg, rest)
    n = np.maximum(_counts(ids, n_seg, rest), 1)
    if dt.kind in "iu":
        if integer_div:  # TensorFlow's kernel divides in the integer type (toward zero)
            s = np.asarray(getattr(total, "_data", total))
            return cg.asarray((np.sign(s) * (np.abs(s) // n)).astype(dt))
        return _truediv_ints(total, n)
    return total / n.astype(dt)


def _truediv_ints(x: Any, n: np.ndarray) -> Any:
    """TensorFlow's ``/`` of integer tensors: float32 for 8/16-bit, float64 otherwise."""
    dt = np.dtype(x.dtype)
    to = np.float32 if dt.itemsize <= 2 else np.float64
    return cg.astype(x, to) / n.astype(to)


# --------------------------------------------------------------------------- sorted
def segment_sum(data: Any, segment_ids: Any, name: Any = None) -> Any:
    """TensorFlow's ``segment_sum``: ``out[i] = sum(data[j] for ids[j] == i)``, ``ids`` a
    sorted vector along data's first axis; ``ids[-1] + 1`` rows."""
    x, ids, n, rest = _sorted_args("segment_sum", data, segment_ids)
    return _scatter_rows(x, ids, n, rest)


def segment_mean(data: Any, segment_ids: Any, name: Any = None) -> Any:
    """TensorFlow's ``segment_mean`` (empty segments 0)."""
    x, ids, n, rest = _sorted_args("segment_mean", data, segment_ids)
    return _mean("segment_mean", x, ids, n, rest, True)


def segment_max(data: Any, segment_ids: Any, name: Any = None) -> Any:
    """TensorFlow's ``segment_max`` (empty segments 0; gradient split among ties)."""
    x, ids, n, rest = _sorted_args("segment_max", data, segment_ids)
    return _extreme("segment_max", x, ids, n, rest, True, 0)


def segment_min(data: Any, segment_ids: Any, name: Any = None) -> Any:
    """TensorFlow's ``segment_min`` (empty segments 0; gradient split among ties)."""
    x, ids, n, rest = _sorted_args("segment_min", data, segment_ids)
    return _extreme("segment_min", x, ids, n, rest, False, 0)


def segment_prod(data: Any, segment_ids: Any, name: Any = None) -> Any:
    """TensorFlow's ``segment_prod`` (empty segments 1)."""
    x, ids, n, rest = _sorted_args("segment_prod", data, segment_ids)
    return _prod("segment_prod", x, ids, n, rest)


# --------------------------------------------------------------------------- unsorted
def unsorted_segment_sum(data: Any, segment_ids: Any, num_segments: Any, name=None) -> Any:
    """TensorFlow's ``unsorted_segment_sum``: ``segment_ids``' shape is a prefix of
    data's, the result has ``num_segments`` rows; negative ids are dropped."""
    x, ids, n, rest = _unsorted_args("unsorted_segment_sum", data, segment_ids, num_segments)
    return _scatter_rows(x, ids, n, rest)


def unsorted_segment_mean(data: Any, segment_ids: Any, num_segments: Any, name=None) -> Any:
    """TensorFlow's ``unsorted_segment_mean``: the sum over ``max(count, 1)``."""
    f = "unsorted_segment_mean"
    x, ids, n, rest = _unsorted_args(f, data, segment_ids, num_segments)
    return _mean(f, x, ids, n, rest, False)


def unsorted_segment_sqrt_n(data: Any, segment_ids: Any, num_segments: Any, name=None) -> Any:
    """TensorFlow's ``unsorted_segment_sqrt_n``: the sum over ``sqrt(max(count, 1))``."""
    f = "unsorted_segment_sqrt_n"
    x, ids, n, rest = _unsorted_args(f, data, segment_ids, num_segments)
    dt = _check_dtype(f, x, "fc")
    count = np.maximum(_counts(ids, n, rest), 1)
    return _scatter_rows(x, ids, n, rest) / np.sqrt(count).astype(dt)


def unsorted_segment_max(data: Any, segment_ids: Any, num_segments: Any, name=None) -> Any:
    """TensorFlow's ``unsorted_segment_max`` (empty segments: the dtype's lowest value)."""
    f = "unsorted_segment_max"
    x, ids, n, rest = _unsorted_args(f, data, segment_ids, num_segments)
    return _extreme(f, x, ids, n, rest, True, None)


def unsorted_segment_min(data: Any, segment_ids: Any, num_segments: Any, name=None) -> Any:
    """TensorFlow's ``unsorted_segment_min`` (empty segments: the dtype's highest value)."""
    f = "unsorted_segment_min"
    x, ids, n, rest = _unsorted_args(f, data, segment_ids, num_segments)
    return _extreme(f, x, ids, n, rest, False, None)


def unsorted_segment_prod(data: Any, segment_ids: Any, num_segments: Any, name=None) -> Any:
    """TensorFlow's ``unsorted_segment_prod`` (empty segments 1)."""
    f = "unsorted_segment_prod"
    x, ids, n, rest = _unsorted_args(f, data, segment_ids, num_segments)
    return _prod(f, x, ids, n, rest)


# --------------------------------------------------------------------------- bincount
def bincount(
    arr: Any,
    weights: Any = None,
    minlength: Any = None,
    maxlength: Any = None,
    dtype: Any = np.int32,
    name: Any = None,
    axis: Any = None,
    binary_output: bool = False,
) -> Any:
    """TensorFlow's ``bincount``: how often each value ``0 .. max(arr)`` occurs
    (``max(arr) + 1`` bins, at least ``minlength``, at most ``maxlength``: larger values
    are not counted), or the sum of their ``weights`` (the weights' dtype, and
    differentiable in them).  ``axis=None`` or 0 counts all entries; ``axis=-1`` counts
    each row of a 2-D ``arr``.  ``binary_output``: 1 where a value occurs."""
    f = "bincount"
    a = _ints(arr, f, "arr")
    if weights is not None and binary_output:
        raise ValueError(f"{f}: binary_output and weights are mutually exclusive")
    if a.size and a.min() < 0:
        raise ValueError(f"{f}: arr must be non-negative, got {int(a.min())}")
    size = int(a.max()) + 1 if a.size else 0
    if minlength is not None:
        size = max(size, _int(minlength, f, "minlength"))
    if maxlength is not None:
        size = min(size, _int(maxlength, f, "maxlength"))
    lead: tuple[int, ...] = ()
    if axis in (None, 0):
        flat = a.ravel()
    elif axis == -1:
        if a.ndim != 2:
            raise ValueError(f"{f}: axis=-1 needs a 2-D arr, got shape {a.shape}")
        flat, lead = (np.arange(a.shape[0])[:, None] * size + a).ravel(), (a.shape[0],)
    else:
        raise ValueError(f"{f}: axis must be None, 0 or -1, got {axis!r}")
    flat = np.where(a.ravel() < size, flat, -1)  # values past maxlength are not counted
    n_bins = size * (lead[0] if lead else 1)
    if weights is None:
        counts: np.ndarray = np.bincount(flat[flat >= 0], minlength=n_bins)[:n_bins]
        if binary_output:
            counts = counts > 0
        return cg.asarray(counts.reshape(*lead, size).astype(dtype))
    w = _tensor(weights)
    if _shape(w, f) != a.shape:
        raise ValueError(f"{f}: weights' shape {_shape(w, f)} must equal arr's {a.shape}")
    summed = _scatter_rows(cg.reshape(w, (-1,)), flat, n_bins, ())
    return cg.reshape(summed, (*lead, size))
