"""``jax.lax``'s ``gather`` and ``scatter`` family with XLA's dimension numbers
(``GatherDimensionNumbers``, ``ScatterDimensionNumbers``, batching dimensions included)
and out-of-bounds modes: 'clip' (and lax's default for ``gather``, 'promise_in_bounds',
which XLA clamps), 'fill' for ``gather`` (``fill_value`` where the slice does not fit) and
'drop' (lax's default for scatters: a window that does not fit is skipped).

The indices must be concrete (not values traced by ``cg.function``): each index
vector becomes one slice (gather) or one window update (scatter) of differentiable cg
ops, applied in order, so repeated indices accumulate for ``scatter_add`` ... and the
last one wins for ``scatter`` (XLA leaves that order unspecified).  Costs grow with the
number of index vectors: this is for the moderate sizes of hand-written lax code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from ..functions import cg
from ..ops.args import is_symbolic
from .elementwise import GatherScatterMode
from .shapes import _arr, _shape, dynamic_update_slice

__all__ = [
    "GatherDimensionNumbers", "ScatterDimensionNumbers", "gather", "scatter", "scatter_add",
    "scatter_sub", "scatter_mul", "scatter_min", "scatter_max", "scatter_apply",
]  # fmt: skip


class GatherDimensionNumbers(NamedTuple):
    """XLA's gather dimension numbers (the index vector is the last axis of the indices)."""

    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class ScatterDimensionNumbers(NamedTuple):
    """XLA's scatter dimension numbers (the index vector is the last axis of the indices)."""

    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


def _mode(f: str, mode: Any) -> GatherScatterMode:
    if isinstance(mode, GatherScatterMode):
        return mode
    if mode is None:  # lax's defaults: gathers promise in-bounds (XLA clamps), scatters drop
        return (
            GatherScatterMode.PROMISE_IN_BOUNDS if f == "gather" else GatherScatterMode.FILL_OR_DROP
        )
    table = {"fill": GatherScatterMode.FILL_OR_DROP,
             "drop": GatherScatterMode.FILL_OR_DROP, "clip": GatherScatterMode.CLIP,
             "promise_in_bounds": GatherScatterMode.PROMISE_IN_BOUNDS}  # fmt: skip
    if mode not in table:
        raise ValueError(
            f"{f}: unknown mode {mode!r}; expected 'clip', 'fill', 'drop' or 'promise_in_bounds'"
        )
    return table[mode]


def _indices(f: str, indices: Any) -> np.ndarray:
    if is_symbolic(indices):
        raise TypeError(f"{f}: needs concrete indices, not values traced by cg.function")
    idx = np.asarray(indices)
    if idx.dtype.kind not in "iu" or idx.ndim < 1:
        raise TypeError(f"{f}: indices must be an integer array with the index vector last, "
                        f"got {idx.dtype} of shape {idx.shape}")  # fmt: skip
    return idx


def _start(
    vec: np.ndarray, b: tuple, index_map: Sequence[int], batching: Sequence[int],
    idx_batching: Sequence[int], nd: int,
) -> list:  # fmt: skip
    start = [0] * nd
    for k, d in enumerate(index_map):
        start[d] = int(vec[k])
    for d, i in zip(batching, idx_batching, strict=True):
        start[d] = b[i]
    return start


def _fits(start: list, shape: tuple, sizes: Sequence[int], dims: Sequence[int]) -> bool:
    return all(0 <= start[d] <= shape[d] - sizes[d] for d in dims)


def _clamped(start: list, shape: tuple, sizes: Sequence[int]) -> list:
    return [min(max(s, 0), n - k) for s, n, k in zip(start, shape, sizes, strict=True)]


def _fill(dtype: np.dtype) -> Any:
    if dtype.kind in "fc":
        return np.nan
    if dtype.kind == "i":
        return np.iinfo(dtype).min
    if dtype.kind == "u":
        return np.iinfo(dtype).max
    return True


def gather(
    operand: Any,
    start_indices: Any,
    dimension_numbers: GatherDimensionNumbers,
    slice_sizes: Sequence[int],
    *,
    unique_indices: bool = False,
    indices_are_sorted: bool = False,
    mode: Any = None,
    fill_value: Any = None,
) -> Any:
    """XLA's gather: for each index vector (the last axis of ``start_indices``) the slice
    of ``slice_sizes`` starting there (``start_index_map`` says which operand axes the
    vector indexes), ``collapsed_slice_dims`` dropped, the slice's axes at
    ``offset_dims`` of the output and the index batch axes elsewhere.  Starts are
    clamped so the slice fits (``mode`` None or 'clip'), or with ``mode='fill'`` such
    slices are ``fill_value`` (NaN for floats, as lax)."""
    f = "gather"
    x = _arr(operand)
    s, nd = _shape(x), len(_shape(x))
    idx = _indices(f, start_indices)
    dn = dimension_numbers
    sizes = [int(k) for k in slice_sizes]
    md = _mode(f, mode)
    if len(sizes) != nd or any(not 0 <= k <= n for k, n in zip(sizes, s, strict=True)):
        raise TypeError(f"{f}: slice_sizes {tuple(sizes)} must fit the operand shape {s}")
    if idx.shape[-1] != len(dn.start_index_map):
        raise TypeError(
            f"{f}: index vectors of length {idx.shape[-1]} for start_index_map {dn.start_index_map}"
        )
    dropped = set(dn.collapsed_slice_dims) | set(dn.operand_batching_dims)
    if any(sizes[d] != 1 for d in dropped):
        raise TypeError(
            f"{f}: collapsed and batching dimensions must have slice size 1, got {tuple(sizes)}"
        )
    offset_shape = tuple(sizes[d] for d in range(nd) if d not in dropped)
    if len(offset_shape) != len(dn.offset_dims):
        raise TypeError(
            f"{f}: offset_dims {dn.offset_dims} must name the {len(offset_shape)} kept slice axes"
        )
    bshape = idx.shape[:-1]
    fill = _fill(np.dtype(x.dtype)) if fill_value is None else fill_value
    pieces = []
    for b in np.ndindex(*bshape):
        st = _start(
            idx[b],
            b,
            dn.start_index_map,
            dn.operand_batching_dims,
            dn.start_indices_batching_dims,
            nd,
        )
        if md is GatherScatterMode.FILL_OR_DROP and not _fits(st, s, sizes, dn.start_index_map):
            pieces.append(cg.full(offset_shape, fill, dtype=x.dtype))
            continue
        st = _clamped(st, s, sizes)
        piece = x[tuple(np.s_[a : a + k] for a, k in zip(st, sizes, strict=True))]
        pieces.append(cg.reshape(piece, offset_shape))
    out = cg.stack(pieces) if pieces else cg.zeros((0, *offset_shape), dtype=x.dtype)
    out = cg.reshape(out, (*bshape, *offset_shape))
    nout = len(bshape) + len(offset_shape)
    batch_pos = [p for p in range(nout) if p not in dn.offset_dims]
    perm = [0] * nout
    for i, p in enumerate(batch_pos):
        perm[p] = i
    for j, p in enumerate(dn.offset_dims):
        perm[p] = len(bshape) + j
    return cg.transpose(out, tuple(perm))


def _scatter(
    f: str, operand: Any, scatter_indices: Any, updates: Any, dn: ScatterDimensionNumbers,
    combine: Callable | None, mode: Any,
) -> Any:  # fmt: skip
    x = _arr(operand)
    s, nd = _shape(x), len(_shape(x))
    idx = _indices(f, scatter_indices)
    u = cg.astype(_arr(updates), x.dtype)
    us = _shape(u)
    md = _mode(f, mode)
    if idx.shape[-1] != len(dn.scatter_dims_to_operand_dims):
        raise TypeError(f"{f}: index vectors of length {idx.shape[-1]} for scatter_dims_to_operand_dims "
                        f"{dn.scatter_dims_to_operand_dims}")  # fmt: skip
    scatter_dims = [d for d in range(len(us)) if d not in dn.update_window_dims]
    bshape = idx.shape[:-1]
    if tuple(us[d] for d in scatter_dims) != bshape:
        raise TypeError(f"{f}: updates {us} (window dims {dn.update_window_dims}) do not match the "
                        f"index batch shape {bshape}")  # fmt: skip
    win_dims = [
        d
        for d in range(nd)
        if d not in dn.inserted_window_dims and d not in dn.operand_batching_dims
    ]
    if len(win_dims) != len(dn.update_window_dims):
        raise TypeError(
            f"{f}: update_window_dims {dn.update_window_dims} must name the {len(win_dims)} window axes"
        )
    window = [1] * nd
    for d, w in zip(win_dims, dn.update_window_dims, strict=True):
        window[d] = us[w]
    n = int(np.prod(bshape))
    u = cg.reshape(cg.transpose(u, (*scatter_dims, *dn.update_window_dims)), (n, *window))
    for j, b in enumerate(np.ndindex(*bshape)):
        st = _start(idx[b], b, dn.scatter_dims_to_operand_dims, dn.operand_batching_dims,
                    dn.scatter_indices_batching_dims, nd)  # fmt: skip
        if md is not GatherScatterMode.CLIP and not _fits(st, s, window, range(nd)):
            continue  # XLA skips a window that does not fit
        st = _clamped(st, s, window)
        new = u[j]
        if combine is not None:
            cur = x[tuple(np.s_[a : a + k] for a, k in zip(st, window, strict=True))]
            new = combine(cur, new)
        x = dynamic_update_slice(x, new, st)
    return x


def _scatter_fn(name: str, combine: Callable | None, what: str) -> Callable:
    def fn(
        operand: Any,
        scatter_indices: Any,
        updates: Any,
        dimension_numbers: ScatterDimensionNumbers,
        *,
        indices_are_sorted: bool = False,
        unique_indices: bool = False,
        mode: Any = None,
    ) -> Any:
        return _scatter(name, operand, scatter_indices, updates, dimension_numbers, combine, mode)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"XLA's scatter that {what}: each index vector (the last axis of "
        "``scatter_indices``) places a window of ``updates`` (its ``update_window_dims``) "
        "at that start of ``operand`` (axes ``scatter_dims_to_operand_dims``; "
        "``inserted_window_dims`` of size 1).  Windows that do not fit are dropped "
        "(the default) or clamped (``mode='clip'``).  Differentiable in both arrays."
    )
    return fn


scatter = _scatter_fn("scatter", None, "replaces the operand's values (the last update wins)")
scatter_add = _scatter_fn("scatter_add", lambda a, b: a + b, "adds the updates")
scatter_sub = _scatter_fn("scatter_sub", lambda a, b: a - b, "subtracts the updates")
scatter_mul = _scatter_fn("scatter_mul", lambda a, b: a * b, "multiplies by the updates")
scatter_min = _scatter_fn("scatter_min", cg.minimum, "keeps the smaller value")
scatter_max = _scatter_fn("scatter_max", cg.maximum, "keeps the larger value")


def scatter_apply(
    operand: Any,
    scatter_indices: Any,
    func: Callable,
    dimension_numbers: ScatterDimensionNumbers,
    *,
    update_shape: Sequence[int] = (),
    indices_are_sorted: bool = False,
    unique_indices: bool = False,
    mode: Any = None,
) -> Any:
    """``func`` applied to the windows of ``operand`` that ``scatter_indices`` select
    (``update_shape`` is the shape the updates would have), once per index vector."""
    idx = _indices("scatter_apply", scatter_indices)
    x = _arr(operand)
    dummy = cg.zeros(tuple(int(k) for k in update_shape), dtype=x.dtype)
    return _scatter("scatter_apply", x, idx, dummy, dimension_numbers, lambda a, _: func(a), mode)
