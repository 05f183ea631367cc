"""``jax.lax``'s shape and indexing functions: ``broadcast_in_dim``, ``reshape``
(``dimensions=``), ``pad`` (interior and negative padding), ``slice``,
``dynamic_slice`` / ``dynamic_update_slice`` (indices clamped into range, as lax),
``index_take``, ``collapse``, ``sort`` (several operands, ``num_keys``), ``top_k`` ...,
all written with differentiable cg ops."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..functions import cg
from ..ops.args import is_symbolic
from ..tensor import Tensor

__all__ = [  # jax.lax's names, not compgraph ops
    "broadcast", "broadcast_in_dim", "broadcast_to_rank", "iota", "broadcasted_iota",
    "reshape", "squeeze", "expand_dims", "transpose", "rev", "concatenate", "pad", "slice",
    "slice_in_dim", "index_in_dim", "dynamic_slice", "dynamic_slice_in_dim",
    "dynamic_index_in_dim", "dynamic_update_slice", "dynamic_update_slice_in_dim",
    "dynamic_update_index_in_dim", "index_take", "collapse", "split", "tile", "full",
    "full_like", "sort", "sort_key_val", "top_k", "approx_max_k", "approx_min_k", "argmax",
    "argmin", "broadcast_like", "broadcast_shapes", "stack", "unstack", "empty",
]  # fmt: skip


def _arr(x: Any) -> Any:
    return x if is_symbolic(x) or isinstance(x, Tensor) else cg.asarray(x)


def _shape(x: Any) -> tuple:
    return tuple(int(d) for d in np.shape(x)) if not hasattr(x, "shape") else tuple(x.shape)


def _axis(f: str, d: int, nd: int) -> int:
    if not -nd <= d < max(nd, 1):
        raise ValueError(f"{f}: dimension {d} out of range for {nd} dimensions")
    return d % nd if nd else 0


def broadcast(operand: Any, sizes: Sequence[int], out_sharding: Any = None) -> Any:
    """``operand`` broadcast to ``(*sizes, *operand.shape)`` (new leading axes)."""
    x = _arr(operand)
    return cg.broadcast_to(x, (*[int(s) for s in sizes], *_shape(x)))


def broadcast_in_dim(
    operand: Any,
    shape: Sequence[int],
    broadcast_dimensions: Sequence[int],
    out_sharding: Any = None,
) -> Any:
    """``operand`` broadcast to ``shape``, its axis ``i`` placed at output axis
    ``broadcast_dimensions[i]`` (each of size 1 or the output's)."""
    x = _arr(operand)
    shape = tuple(int(s) for s in shape)
    dims = tuple(int(d) for d in broadcast_dimensions)
    xs = _shape(x)
    if len(dims) != len(xs) or any(b <= a for a, b in zip(dims, dims[1:], strict=False)):
        raise ValueError(f"broadcast_in_dim: broadcast_dimensions {dims} must be increasing, "
                         f"one per axis of the operand of shape {xs}")  # fmt: skip
    mid = [1] * len(shape)
    for i, d in enumerate(dims):
        if not 0 <= d < len(shape) or xs[i] not in (1, shape[d]):
            raise ValueError(f"broadcast_in_dim: operand shape {xs} cannot be broadcast to "
                             f"{shape} with broadcast_dimensions {dims}")  # fmt: skip
        mid[d] = xs[i]
    return cg.broadcast_to(cg.reshape(x, tuple(mid)), shape)


def broadcast_to_rank(x: Any, rank: int) -> Any:
    """``x`` with leading axes of size 1 up to ``rank`` dimensions."""
    a = _arr(x)
    nd = len(_shape(a))
    return a if nd >= rank else cg.reshape(a, (1,) * (rank - nd) + _shape(a))


def iota(dtype: Any, size: int, dimension: int = 0, sharding: Any = None) -> Any:
    """``0 .. size-1`` in ``dtype``."""
    return cg.arange(int(size), dtype=np.dtype(dtype))


def broadcasted_iota(dtype: Any, shape: Sequence[int], dimension: int, sharding: Any = None) -> Any:
    """An array of ``shape`` counting along ``dimension``."""
    shape = tuple(int(s) for s in shape)
    d = _axis("broadcasted_iota", dimension, len(shape))
    return broadcast_in_dim(iota(dtype, shape[d]), shape, (d,))


def reshape(
    operand: Any, new_sizes: Sequence[int], dimensions: Any = None, out_sharding: Any = None
) -> Any:
    """``operand`` reshaped (row-major) to ``new_sizes``, after transposing it by
    ``dimensions`` when given."""
    x = _arr(operand)
    if dimensions is not None:
        x = cg.transpose(x, tuple(int(d) for d in dimensions))
    new = tuple(int(s) for s in new_sizes)
    if math.prod(new) != math.prod(_shape(x)):
        raise TypeError(f"reshape: cannot reshape {_shape(x)} to {new}")
    return cg.reshape(x, new)


def squeeze(array: Any, dimensions: Sequence[int]) -> Any:
    """``array`` without the axes ``dimensions`` (each of size 1)."""
    x = _arr(array)
    s = _shape(x)
    dims = tuple(_axis("squeeze", int(d), len(s)) for d in dimensions)
    if any(s[d] != 1 for d in dims):
        raise ValueError(f"squeeze: dimensions {tuple(dimensions)} of shape {s} must have size 1")
    return cg.reshape(x, tuple(n for i, n in enumerate(s) if i not in dims)) if dims else x


def expand_dims(array: Any, dimensions: Sequence[int]) -> Any:
    """``array`` with axes of size 1 inserted at output positions ``dimensions``."""
    x = _arr(array)
    s = list(_shape(x))
    nd = len(s) + len(dimensions)
    for d in sorted(_axis("expand_dims", int(d), nd) for d in dimensions):
        s.insert(d, 1)
    return cg.reshape(x, tuple(s))


def transpose(operand: Any, permutation: Sequence[int]) -> Any:
    """``operand``'s axes permuted: output axis ``i`` is input axis ``permutation[i]``."""
    x = _arr(operand)
    perm = tuple(int(p) for p in permutation)
    if sorted(perm) != list(range(len(_shape(x)))):
        raise ValueError(f"transpose: permutation {perm} is not one of {len(_shape(x))} axes")
    return cg.transpose(x, perm)


def rev(operand: Any, dimensions: Sequence[int]) -> Any:
    """``operand`` reversed along ``dimensions``."""
    x = _arr(operand)
    dims = tuple(int(d) for d in dimensions)
    return cg.flip(x, axis=dims) if dims else x


def concatenate(operands: Sequence[Any], dimension: int) -> Any:
    """The ``operands`` joined along ``dimension``."""
    if not len(operands):
        raise ValueError("concatenate: needs at least one operand")
    return cg.concatenate([_arr(o) for o in operands], axis=int(dimension))


def _interior(x: Any, axis: int, k: int) -> Any:
    """``k`` zeros between consecutive elements along ``axis``."""
    s = _shape(x)
    n = s[axis]
    if k == 0 or n <= 1:
        return x
    y = cg.expand_dims(x, axis + 1)
    width = [(0, 0)] * (len(s) + 1)
    width[axis + 1] = (0, k)
    y = cg.pad(y, width)
    y = cg.reshape(y, (*s[:axis], n * (k + 1), *s[axis + 1 :]))
    index: list = [np.s_[:]] * len(s)
    index[axis] = np.s_[: n * (k + 1) - k]
    return y[tuple(index)]


def _pad_zero(x: Any, config: list) -> Any:
    for d, (_, _, k) in enumerate(config):
        x = _interior(x, d, k)
    width = [(max(lo, 0), max(hi, 0)) for lo, hi, _ in config]
    if any(w != (0, 0) for w in width):
        x = cg.pad(x, width)
    index = tuple(
        np.s_[max(-lo, 0) : _shape(x)[d] - max(-hi, 0)] for d, (lo, hi, _) in enumerate(config)
    )
    return x[index]


def pad(operand: Any, padding_value: Any, padding_config: Sequence[Sequence[int]]) -> Any:
    """lax's ``pad``: per axis ``(low, high, interior)``, ``interior`` copies of
    ``padding_value`` between elements, negative ``low``/``high`` cropping.
    Differentiable in ``operand`` and in ``padding_value``."""
    x = _arr(operand)
    s = _shape(x)
    config = [tuple(int(c) for c in cfg) for cfg in padding_config]
    if len(config) != len(s) or any(len(c) != 3 for c in config):
        raise ValueError(f"pad: padding_config needs one (low, high, interior) per axis of "
                         f"{s}, got {padding_config}")  # fmt: skip
    if any(k < 0 for _, _, k in config):
        raise ValueError(f"pad: interior padding must be non-negative, got {padding_config}")
    for n, (lo, hi, k) in zip(s, config, strict=True):
        if lo + hi + n + max(n - 1, 0) * k < 0:
            raise ValueError(f"pad: padding_config {padding_config} leaves a negative size for {s}")
    body = _pad_zero(x, config)
    pv = padding_value
    if (
        not is_symbolic(pv)
        and not getattr(pv, "requires_grad", False)
        and np.all(np.asarray(pv) == 0)
    ):
        return body
    mask = _pad_zero(cg.zeros(s, dtype=np.bool_), config)
    ones = _pad_zero(cg.ones(s, dtype=np.bool_), config)
    return cg.where(ones | mask, body, cg.astype(cg.asarray(pv), x.dtype))


def slice(  # noqa: A001
    operand: Any, start_indices: Sequence[int], limit_indices: Sequence[int], strides: Any = None
) -> Any:
    """``operand[start:limit:stride]`` on every axis (indices within the shape)."""
    x = _arr(operand)
    s = _shape(x)
    st = [int(i) for i in start_indices]
    li = [int(i) for i in limit_indices]
    sd = [1] * len(s) if strides is None else [int(i) for i in strides]
    if not len(st) == len(li) == len(sd) == len(s):
        raise ValueError(f"slice: needs one start, limit and stride per axis of {s}")
    for a, b, n, k in zip(st, li, s, sd, strict=True):
        if not 0 <= a <= b <= n or k < 1:
            raise ValueError(f"slice: start {st}, limit {li}, strides {sd} out of range for {s}")
    return x[tuple(np.s_[a:b:k] for a, b, k in zip(st, li, sd, strict=True))]


def slice_in_dim(
    operand: Any, start_index: Any, limit_index: Any, stride: int = 1, axis: int = 0
) -> Any:
    """``slice`` along one axis (None: the start or the end; negative: from the end)."""
    x = _arr(operand)
    s = _shape(x)
    ax = _axis("slice_in_dim", axis, len(s))
    n = s[ax]
    a = 0 if start_index is None else int(start_index)
    b = n if limit_index is None else int(limit_index)
    a, b = a + n if a < 0 else a, b + n if b < 0 else b
    st, li, sd = [0] * len(s), list(s), [1] * len(s)
    st[ax], li[ax], sd[ax] = a, b, int(stride)
    return slice(x, st, li, sd)


def index_in_dim(operand: Any, index: int, axis: int = 0, keepdims: bool = True) -> Any:
    """The slice ``index`` of ``axis`` (kept as an axis of size 1 with ``keepdims``)."""
    x = _arr(operand)
    ax = _axis("index_in_dim", axis, len(_shape(x)))
    n = _shape(x)[ax]
    i = int(index)
    if not -n <= i < n:
        raise IndexError(f"index_in_dim: index {i} out of range for size {n}")
    i %= n
    out = slice_in_dim(x, i, i + 1, 1, ax)
    return out if keepdims else squeeze(out, (ax,))


def _starts(f: str, start_indices: Any, s: tuple, sizes: Sequence[int], wrap: bool) -> list:
    """Each start wrapped (negative: from the end) and clamped so the slice fits: a
    Python int when concrete, else a traced integer scalar."""
    if is_symbolic(start_indices) or (
        hasattr(start_indices, "shape") and not isinstance(start_indices, (list, tuple))
    ):
        starts = [start_indices[i] for i in range(len(s))]
    else:
        starts = list(start_indices)
    if len(starts) != len(s) or len(sizes) != len(s):
        raise ValueError(f"{f}: needs one start index and size per axis of {s}, got "
                         f"{len(starts)} and {len(sizes)}")  # fmt: skip
    out: list = []
    for st, n, k in zip(starts, s, sizes, strict=True):
        if not 0 <= k <= n:
            raise TypeError(f"{f}: slice size {k} does not fit in an axis of size {n}")
        if is_symbolic(st):
            v = cg.where(st < 0, st + n, st) if wrap else st
            out.append(cg.clip(v, 0, n - k))
        else:
            v = int(np.asarray(st))
            v = v + n if wrap and v < 0 else v
            out.append(min(max(v, 0), n - k))
    return out


def _gather_axis(x: Any, axis: int, idx: Any, n: int) -> Any:
    """``x`` at the traced positions ``idx`` (a vector, each in ``0 .. n-1`` or matching
    none: zeros there) of ``axis``: a masked sum, as cg.function cannot index by a traced
    value; ``where`` keeps infinities elsewhere from leaking in."""
    nd = len(_shape(x))
    m = _shape(idx)[0]
    mask = cg.reshape(idx, (m, 1)) == cg.reshape(cg.arange(n), (1, n))
    mask = cg.reshape(mask, tuple([1] * axis + [m, n] + [1] * (nd - axis - 1)))
    out = cg.sum(cg.where(mask, cg.expand_dims(x, axis), 0), axis=axis + 1)
    return cg.astype(out, x.dtype)


def _take_range(x: Any, axis: int, start: Any, size: int) -> Any:
    """``size`` elements of ``axis`` from ``start`` (traced or concrete)."""
    if isinstance(start, int):
        index: list = [np.s_[:]] * len(_shape(x))
        index[axis] = np.s_[start : start + size]
        return x[tuple(index)]
    return _gather_axis(x, axis, cg.arange(size) + start, _shape(x)[axis])


def dynamic_slice(
    operand: Any,
    start_indices: Any,
    slice_sizes: Sequence[int],
    *,
    allow_negative_indices: Any = True,
) -> Any:
    """lax's ``dynamic_slice``: ``slice_sizes`` elements from ``start_indices`` (negative
    starts count from the end; starts are clamped so the slice fits, as lax)."""
    x = _arr(operand)
    s = _shape(x)
    sizes = [int(k) for k in slice_sizes]
    for ax, st in enumerate(
        _starts("dynamic_slice", start_indices, s, sizes, bool(allow_negative_indices))
    ):
        x = _take_range(x, ax, st, sizes[ax])
    return x


def dynamic_slice_in_dim(operand: Any, start_index: Any, slice_size: int, axis: int = 0) -> Any:
    """``dynamic_slice`` along one axis."""
    x = _arr(operand)
    s = _shape(x)
    ax = _axis("dynamic_slice_in_dim", axis, len(s))
    starts: list = [0] * len(s)
    sizes = list(s)
    starts[ax], sizes[ax] = start_index, int(slice_size)
    return dynamic_slice(x, starts, sizes)


def dynamic_index_in_dim(operand: Any, index: Any, axis: int = 0, keepdims: bool = True) -> Any:
    """``dynamic_slice_in_dim`` of size 1 (the axis dropped unless ``keepdims``)."""
    x = _arr(operand)
    ax = _axis("dynamic_index_in_dim", axis, len(_shape(x)))
    out = dynamic_slice_in_dim(x, index, 1, ax)
    return out if keepdims else squeeze(out, (ax,))


def dynamic_update_slice(
    operand: Any, update: Any, start_indices: Any, *, allow_negative_indices: Any = True
) -> Any:
    """lax's ``dynamic_update_slice``: ``operand`` with ``update`` written from
    ``start_indices`` (clamped so it fits), differentiable in both."""
    x = _arr(operand)
    u = cg.astype(_arr(update), x.dtype)
    s, us = _shape(x), _shape(u)
    if len(us) != len(s):
        raise TypeError(f"dynamic_update_slice: update of shape {us} for an operand of shape {s}")
    starts = _starts("dynamic_update_slice", start_indices, s, us, bool(allow_negative_indices))
    if all(isinstance(v, int) for v in starts):
        width = [(a, n - a - k) for a, n, k in zip(starts, s, us, strict=True)]
        inside = cg.pad(cg.ones(us, dtype=np.bool_), width)
        return cg.where(inside, cg.pad(u, width), x)
    inside = None
    for ax, (st, n, k) in enumerate(zip(starts, s, us, strict=True)):
        pos = cg.arange(n) - st
        u = _gather_axis(u, ax, pos, k)
        m = cg.reshape((pos >= 0) & (pos < k), tuple(n if i == ax else 1 for i in range(len(s))))
        inside = m if inside is None else inside & m
    return x if inside is None else cg.where(inside, u, x)


def dynamic_update_slice_in_dim(operand: Any, update: Any, start_index: Any, axis: int) -> Any:
    """``dynamic_update_slice`` from ``start_index`` along one axis (0 on the others)."""
    x = _arr(operand)
    ax = _axis("dynamic_update_slice_in_dim", axis, len(_shape(x)))
    starts: list = [0] * len(_shape(x))
    starts[ax] = start_index
    return dynamic_update_slice(x, update, starts)


def dynamic_update_index_in_dim(operand: Any, update: Any, index: Any, axis: int) -> Any:
    """``dynamic_update_slice_in_dim`` of one index (``update`` may lack that axis)."""
    x = _arr(operand)
    u = _arr(update)
    ax = _axis("dynamic_update_index_in_dim", axis, len(_shape(x)))
    if len(_shape(u)) == len(_shape(x)) - 1:
        u = cg.expand_dims(u, ax)
    return dynamic_update_slice_in_dim(x, u, index, ax)


def index_take(src: Any, idxs: Sequence[Any], axes: Sequence[int]) -> Any:
    """``src`` indexed by the arrays ``idxs`` on ``axes`` (broadcast together): the index
    axes first, then ``src``'s other axes."""
    x = _arr(src)
    axes = [_axis("index_take", int(a), len(_shape(x))) for a in axes]
    if len(idxs) != len(axes):
        raise ValueError(f"index_take: {len(idxs)} index arrays for {len(axes)} axes")
    x = cg.moveaxis(x, axes, list(range(len(axes))))
    return x[tuple(cg.asarray(i) for i in idxs)]


def collapse(operand: Any, start_dimension: int, stop_dimension: Any = None) -> Any:
    """``operand`` with axes ``start_dimension .. stop_dimension-1`` merged into one."""
    x = _arr(operand)
    s = _shape(x)
    a = start_dimension % len(s) if s else 0
    b = (
        len(s)
        if stop_dimension is None
        else (stop_dimension + len(s) if stop_dimension < 0 else stop_dimension)
    )
    if not 0 <= a <= b <= len(s):
        raise ValueError(
            f"collapse: dimensions {start_dimension}..{stop_dimension} out of range for {s}"
        )
    return cg.reshape(x, (*s[:a], math.prod(s[a:b]), *s[b:]))


def split(operand: Any, sizes: Sequence[int], axis: int = 0) -> list:
    """``operand`` cut along ``axis`` into pieces of the given ``sizes`` (summing to it)."""
    x = _arr(operand)
    s = _shape(x)
    ax = _axis("split", axis, len(s))
    sizes = [int(k) for k in sizes]
    if sum(sizes) != s[ax] or any(k < 0 for k in sizes):
        raise ValueError(f"split: sizes {sizes} must sum to the axis size {s[ax]}")
    bounds = np.cumsum([0, *sizes])
    return [
        slice_in_dim(x, int(a), int(b), 1, ax) for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]


def tile(operand: Any, reps: Sequence[int]) -> Any:
    """``operand`` repeated ``reps[i]`` times along axis ``i``."""
    x = _arr(operand)
    reps = tuple(int(r) for r in reps)
    if len(reps) != len(_shape(x)):
        raise ValueError(f"tile: reps {reps} needs one entry per axis of {_shape(x)}")
    return cg.tile(x, reps)


def full(shape: Sequence[int], fill_value: Any, dtype: Any = None, *, sharding: Any = None) -> Any:
    """An array of ``shape`` filled with ``fill_value``."""
    return cg.full(tuple(int(s) for s in shape), fill_value, dtype=dtype)


def full_like(
    x: Any, fill_value: Any, dtype: Any = None, shape: Any = None, sharding: Any = None
) -> Any:
    """An array like ``x`` (or of ``shape``) filled with ``fill_value``."""
    a = _arr(x)
    dt = a.dtype if dtype is None else np.dtype(dtype)
    return cg.full(_shape(a) if shape is None else tuple(shape), fill_value, dtype=dt)


def sort(operand: Any, dimension: int = -1, is_stable: bool = True, num_keys: int = 1) -> Any:
    """lax's ``sort``: one array sorted along ``dimension``, or a sequence of arrays of one
    shape all permuted by the lexicographic (stable) order of the first ``num_keys``."""
    single = not isinstance(operand, (list, tuple))
    ops = [_arr(operand)] if single else [_arr(o) for o in operand]
    if not ops:
        raise ValueError("sort: needs at least one operand")
    s = _shape(ops[0])
    if any(_shape(o) != s for o in ops):
        raise ValueError(f"sort: operands must share one shape, got {[_shape(o) for o in ops]}")
    if not 1 <= num_keys <= len(ops):
        raise ValueError(f"sort: num_keys={num_keys} out of range for {len(ops)} operands")
    ax = _axis("sort", dimension, len(s))
    perm = None
    for key in reversed(ops[:num_keys]):
        k = key if perm is None else cg.take_along_axis(key, perm, axis=ax)
        p = cg.argsort(k, axis=ax, stable=True)
        perm = p if perm is None else cg.take_along_axis(perm, p, axis=ax)
    out = [cg.take_along_axis(o, perm, axis=ax) for o in ops]
    return out[0] if single else tuple(out)


def sort_key_val(keys: Any, values: Any, dimension: int = -1, is_stable: bool = True) -> tuple:
    """``keys`` sorted along ``dimension`` and ``values`` in the same order."""
    return sort((keys, values), dimension, is_stable, 1)


def top_k(operand: Any, k: int, *, axis: int = -1) -> tuple:
    """The ``k`` largest entries along ``axis`` (descending, ties by lower index) and their
    indices (int32, as lax)."""
    x = _arr(operand)
    s = _shape(x)
    ax = _axis("top_k", axis, len(s))
    if not 0 <= int(k) <= s[ax]:
        raise ValueError(f"top_k: k={k} out of range for an axis of size {s[ax]}")
    idx = _take_range(cg.argsort(x, axis=ax, descending=True, stable=True), ax, 0, int(k))
    return cg.take_along_axis(x, idx, axis=ax), cg.astype(idx, np.int32)


def approx_max_k(
    operand: Any,
    k: int,
    reduction_dimension: int = -1,
    recall_target: float = 0.95,
    reduction_input_size_override: int = -1,
    aggregate_to_topk: bool = True,
) -> tuple:
    """The ``k`` largest entries along ``reduction_dimension`` and their indices: exact
    here (``top_k``), as JAX's on CPU."""
    return top_k(operand, k, axis=reduction_dimension)


def approx_min_k(
    operand: Any,
    k: int,
    reduction_dimension: int = -1,
    recall_target: float = 0.95,
    reduction_input_size_override: int = -1,
    aggregate_to_topk: bool = True,
) -> tuple:
    """The ``k`` smallest entries along ``reduction_dimension`` (ascending) and their
    indices, exact."""
    x = _arr(operand)
    s = _shape(x)
    ax = _axis("approx_min_k", reduction_dimension, len(s))
    if not 0 <= int(k) <= s[ax]:
        raise ValueError(f"approx_min_k: k={k} out of range for an axis of size {s[ax]}")
    idx = _take_range(cg.argsort(x, axis=ax, stable=True), ax, 0, int(k))
    return cg.take_along_axis(x, idx, axis=ax), cg.astype(idx, np.int32)


def broadcast_like(arr: Any, like_arr: Any) -> Any:
    """``arr`` broadcast to the shape of ``like_arr``."""
    return cg.broadcast_to(_arr(arr), _shape(_arr(like_arr)))


def broadcast_shapes(*shapes: Sequence[int]) -> tuple:
    """The shape the given shapes broadcast to (NumPy's rule)."""
    return tuple(int(d) for d in np.broadcast_shapes(*[tuple(s) for s in shapes]))


def stack(operands: Sequence[Any], axis: int = 0) -> Any:
    """The ``operands`` (one shape) stacked along a new ``axis``."""
    return cg.stack([_arr(o) for o in operands], axis=axis)


def unstack(x: Any, axis: int = 0) -> tuple:
    """The slices of ``x`` along ``axis``, as a tuple."""
    a = _arr(x)
    ax = _axis("unstack", axis, len(_shape(a)))
    return tuple(index_in_dim(a, i, ax, keepdims=False) for i in range(_shape(a)[ax]))


def empty(shape: Sequence[int], dtype: Any, *, out_sharding: Any = None) -> Any:
    """An array of ``shape`` (zeros: compgraph has no uninitialised memory)."""
    return cg.zeros(tuple(int(s) for s in shape), dtype=np.dtype(dtype))


def argmax(operand: Any, axis: int, index_dtype: Any) -> Any:
    """The index of the largest entry along ``axis`` (the first, NaN counting as the
    largest), in ``index_dtype``."""
    return cg.astype(cg.argmax(_arr(operand), axis=int(axis)), np.dtype(index_dtype))


def argmin(operand: Any, axis: int, index_dtype: Any) -> Any:
    """The index of the smallest entry along ``axis``, in ``index_dtype``."""
    return cg.astype(cg.argmin(_arr(operand), axis=int(axis)), np.dtype(index_dtype))
