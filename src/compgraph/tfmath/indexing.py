"""TensorFlow's N-d gathers and scatters (``gather_nd``, ``scatter_nd``,
``tensor_scatter_nd_update/add/sub``), ``sequence_mask`` and ``reverse``.

Indices are index arrays known when the graph is built; an index past the end (or
negative) raises ``ValueError``, as TensorFlow's CPU kernels raise.  Gathering is
NumPy's advanced indexing (its gradient adds back into place), scattering the internal
``scatter_add`` op (duplicate indices add up; its gradient is the gather), updating the
``index_update`` op: all differentiable, in tensors and updates, and traced by
``cg.function``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..functions import cg, dispatch
from ..ops.registry import get_op
from ._args import _int, _ints, _known, _shape, _tensor

__all__ = [  # TensorFlow's functions defined here, not compgraph ops
    "gather_nd",
    "scatter_nd",
    "tensor_scatter_nd_update",
    "tensor_scatter_nd_add",
    "tensor_scatter_nd_sub",
    "sequence_mask",
    "reverse",
]

_SCATTER_ADD = get_op("scatter_add")
_INDEX_UPDATE = get_op("index_update")


def _nd_index(fname: str, idx: np.ndarray, shape: tuple, batch: int = 0) -> tuple:
    """The NumPy index of TensorFlow's ``indices[..., :M]`` into ``shape`` (after ``batch``
    leading batch axes), every array broadcast to ``indices.shape[:-1]``."""
    if idx.ndim < 1:
        raise ValueError(f"{fname}: indices must have at least one axis, got a scalar")
    m = idx.shape[-1]
    if m > len(shape) - batch:
        raise ValueError(
            f"{fname}: indices' last axis ({m}) is longer than the rank of the indexed "
            f"shape {shape[batch:]} (shape {shape}, batch_dims={batch})"
        )
    lead = idx.shape[:-1]
    items = []
    for j in range(batch):
        a = np.arange(shape[j]).reshape((-1,) + (1,) * (len(lead) - j - 1))
        items.append(np.broadcast_to(a, lead))
    for i in range(m):
        col = idx[..., i]
        dim = shape[batch + i]
        if col.size and (col.min() < 0 or col.max() >= dim):
            bad = col[(col < 0) | (col >= dim)][0]
            raise ValueError(
                f"{fname}: index {int(bad)} along axis {batch + i} is out of range [0, {dim}) "
                f"for shape {shape}"
            )
        items.append(col)
    return tuple(items)


def gather_nd(params: Any, indices: Any, batch_dims: int = 0, name: Any = None) -> Any:
    """TensorFlow's ``gather_nd``: ``out[i...] = params[indices[i...]]`` where each
    ``indices[i...]`` (its last axis, length M) indexes the first M axes of ``params``
    (after ``batch_dims`` batch axes, which ``params`` and ``indices`` share).  The result
    has shape ``indices.shape[:-1] + params.shape[batch_dims + M:]``."""
    f = "gather_nd"
    x = _tensor(params)
    shape = _shape(x, f)
    idx = _ints(indices, f, "indices")
    b = _int(batch_dims, f, "batch_dims")
    if b < 0 or b >= max(idx.ndim, 1) or b > len(shape):
        raise ValueError(
            f"{f}: batch_dims={b} must be in [0, rank(indices) - 1] = [0, {idx.ndim - 1}] "
            f"and at most rank(params) = {len(shape)}"
        )
    if idx.shape[:b] != shape[:b]:
        raise ValueError(
            f"{f}: the batch axes of params {shape[:b]} and indices {idx.shape[:b]} differ"
        )
    index = _nd_index(f, idx, shape, b)
    if not index:  # nothing indexed: one copy of params per index
        return cg.broadcast_to(x, idx.shape[:-1] + shape)
    return x[index]


def scatter_nd(indices: Any, updates: Any, shape: Any, name: Any = None) -> Any:
    """TensorFlow's ``scatter_nd``: zeros of ``shape`` with ``updates`` added at
    ``indices`` (repeated indices add up); ``updates`` has shape
    ``indices.shape[:-1] + shape[M:]``."""
    f = "scatter_nd"
    out_shape = tuple(int(d) for d in _ints(shape, f, "shape").ravel())
    if any(d < 0 for d in out_shape):
        raise ValueError(f"{f}: shape must be non-negative, got {out_shape}")
    u = _tensor(updates)
    idx = _ints(indices, f, "indices")
    return _scatter(f, idx, u, out_shape)


def _scatter(f: str, idx: np.ndarray, u: Any, shape: tuple) -> Any:
    index = _nd_index(f, idx, shape)
    want = idx.shape[:-1] + shape[idx.shape[-1] :]
    if _shape(u, f) != want:
        raise ValueError(
            f"{f}: updates must have shape indices.shape[:-1] + shape[M:] = {want}, "
            f"got {_shape(u, f)} (indices {idx.shape}, shape {shape})"
        )
    if not index:  # M = 0: every update adds to the whole tensor
        return cg.sum(u, axis=tuple(range(idx.ndim - 1))) if idx.ndim > 1 else u
    return dispatch(_SCATTER_ADD, [u], {"shape": shape, "index": index})


def _tensor_scatter_args(f: str, tensor: Any, indices: Any, updates: Any) -> tuple:
    t = _tensor(tensor)
    u = _tensor(updates)
    if np.dtype(t.dtype) != np.dtype(u.dtype):
        raise TypeError(
            f"{f}: tensor and updates must have the same dtype, got {t.dtype} and {u.dtype}"
        )
    return t, _ints(indices, f, "indices"), u


def tensor_scatter_nd_add(tensor: Any, indices: Any, updates: Any, name: Any = None) -> Any:
    """TensorFlow's ``tensor_scatter_nd_add``: ``tensor`` with ``updates`` added at
    ``indices`` (repeated indices add up)."""
    f = "tensor_scatter_nd_add"
    t, idx, u = _tensor_scatter_args(f, tensor, indices, updates)
    return t + _scatter(f, idx, u, _shape(t, f))


def tensor_scatter_nd_sub(tensor: Any, indices: Any, updates: Any, name: Any = None) -> Any:
    """TensorFlow's ``tensor_scatter_nd_sub``: ``tensor`` with ``updates`` subtracted at
    ``indices`` (repeated indices add up)."""
    f = "tensor_scatter_nd_sub"
    t, idx, u = _tensor_scatter_args(f, tensor, indices, updates)
    return t - _scatter(f, idx, u, _shape(t, f))


def tensor_scatter_nd_update(tensor: Any, indices: Any, updates: Any, name: Any = None) -> Any:
    """TensorFlow's ``tensor_scatter_nd_update``: ``tensor`` with the entries (slices) at
    ``indices`` replaced by ``updates``.  With repeated indices one of the updates wins
    (TensorFlow leaves which unspecified; here the last)."""
    f = "tensor_scatter_nd_update"
    t, idx, u = _tensor_scatter_args(f, tensor, indices, updates)
    shape = _shape(t, f)
    index = _nd_index(f, idx, shape)
    want = idx.shape[:-1] + shape[idx.shape[-1] :]
    if _shape(u, f) != want:
        raise ValueError(
            f"{f}: updates must have shape indices.shape[:-1] + tensor.shape[M:] = {want}, "
            f"got {_shape(u, f)} (indices {idx.shape}, tensor {shape})"
        )
    if not index:  # M = 0: the whole tensor replaced (the last update)
        return cg.reshape(u, (-1, *shape))[-1] if idx.ndim > 1 else u
    return dispatch(_INDEX_UPDATE, [t, u], {"index": index})


def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = np.bool_, name=None) -> Any:
    """TensorFlow's ``sequence_mask``: ``mask[..., j] = j < lengths[...]``, of shape
    ``lengths.shape + (maxlen,)`` (``maxlen`` defaults to ``max(lengths)``)."""
    f = "sequence_mask"
    if maxlen is None:
        n = _known(lengths, f, "lengths (without maxlen)")
        m = int(n.max()) if n.size else 0
    else:
        m = _int(maxlen, f, "maxlen")
        if m < 0:
            raise ValueError(f"{f}: maxlen must be non-negative, got {m}")
    lens = _tensor(lengths)
    mask = cg.less(cg.arange(m), cg.expand_dims(lens, -1))
    return mask if np.dtype(dtype) == np.bool_ else cg.astype(mask, dtype)


def reverse(tensor: Any, axis: Any, name: Any = None) -> Any:
    """TensorFlow's ``reverse``: ``tensor`` reversed along each axis in ``axis`` (a list;
    negative axes count from the end; each at most once)."""
    f = "reverse"
    x = _tensor(tensor)
    nd = len(_shape(x, f))
    axes = [int(a) for a in _ints(axis, f, "axis").ravel()]
    for a in axes:
        if not -nd <= a < nd:
            raise ValueError(f"{f}: axis {a} is out of range for a tensor of rank {nd}")
    norm = [a % nd for a in axes]
    if len(set(norm)) != len(norm):
        raise ValueError(f"{f}: an axis is given more than once in {axes}")
    return cg.flip(x, axis=tuple(norm))
