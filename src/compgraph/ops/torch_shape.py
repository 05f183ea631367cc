"""PyTorch's indexing and shape functions that NumPy lacks, as composites.

``narrow movedim repeat_interleave take_along_dim tensor_split scatter scatter_add
scatter_reduce index_add index_copy index_fill index_put masked_scatter masked_select
block_diag cartesian_prod``: each is written with the public functions (indexing,
``where``, ``concatenate``, reductions and the ``scatter_add`` op that is indexing's
gradient), so gradients reach every differentiable input from those ops' rules.  The
index arguments are data (NumPy arrays or Tensors of integers) read when the function
runs; a wrong shape or dtype raises ValueError/TypeError naming the function, an index
out of range IndexError, as PyTorch (whose shape errors are RuntimeErrors).

Where PyTorch leaves the result undefined (``scatter``/``index_copy``/``index_put``
writing twice to one place), the last write wins, and only that element receives the
gradient.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .args import is_symbolic, ndim_of, one_axis, plain
from .manip import known_shape
from .namespace import cg
from .registry import OPS, defpublic
from .spec import no

__all__ = [
    "narrow",
    "movedim",
    "repeat_interleave",
    "take_along_dim",
    "tensor_split",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "masked_scatter",
    "masked_select",
    "block_diag",
    "cartesian_prod",
    "index_reduce",
    "select",
    "select_scatter",
    "slice_scatter",
    "diagonal_scatter",
    "narrow_copy",
    "argwhere",
    "tril_indices",
    "triu_indices",
]

_CLI = no("takes dims and indices; the command line calls one-argument functions of numbers")
_NP = no("NumPy has no function of this name and meaning (PyTorch's)")


def _t(x: Any) -> Any:
    """``x`` as a Tensor (or the static-graph value it is)."""
    return x if is_symbolic(x) or hasattr(x, "requires_grad") else cg.asarray(x)


def _shape(x: Any, where: str) -> tuple:
    return tuple(known_shape(x, where))


def _dim(dim: Any, nd: int, where: str, shape: tuple) -> int:
    """PyTorch's dim, non-negative (a 0-d tensor takes dim 0 or -1, as PyTorch)."""
    return one_axis(dim, max(nd, 1), where, shape)


def _ints(index: Any, where: str, name: str = "index") -> np.ndarray:
    """An integer index array (PyTorch's int64 index tensors; any integer dtype here)."""
    idx = np.asarray(plain(index))
    if idx.dtype.kind not in "iu" and not (idx.size == 0 and idx.dtype.kind in "fb"):
        raise TypeError(f"{where}: {name} must hold integers (int64), got dtype {idx.dtype}")
    return idx.astype(np.int64, copy=False)


def _in_range(idx: np.ndarray, n: int, dim: int, where: str) -> None:
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"{where}: index {bad} is out of bounds for dimension {dim} with size {n}")


def _scatter_add_op(x: Any, shape: tuple, index: tuple) -> Any:
    """zeros(shape) with ``x`` added at ``index`` (repeats accumulate): the op that is
    indexing's gradient, so its own gradient is indexing again."""
    front = OPS["scatter_add"].front
    fn = front.function if front is not None else None
    assert fn is not None  # (built by the functions layer when ops are published)
    return fn(x, shape=shape, index=index)


# ------------------------------------------------------------------ shape
@defpublic(method="narrow", numpy=_NP, cli=_CLI)
def narrow(input: Any, dim: int, start: Any, length: int) -> Any:
    """The slice ``start:start + length`` of ``input`` along ``dim`` (PyTorch's
    ``torch.narrow``; a negative ``start`` counts from the end)."""
    shape = _shape(input, "narrow")
    d = _dim(dim, len(shape), "narrow", shape)
    if not shape:
        raise ValueError("narrow: cannot be applied to a 0-dim tensor")
    n, s, length = shape[d], int(plain(start)), int(length)
    if not -n <= s <= n:
        raise IndexError(f"narrow: start out of range (expected to be in range of [{-n}, {n}], "
                         f"but got {s})")  # fmt: skip
    s = s % n if s < 0 else s
    if length < 0 or s + length > n:
        raise ValueError(
            f"narrow: start ({s}) + length ({length}) exceeds dimension size ({n}) "
            f"of shape {shape} (or length < 0)"
        )
    return _t(input)[(slice(None),) * d + (slice(s, s + length),)]


@defpublic(method=("movedim", "moveaxis"), numpy=_NP, cli=_CLI)
def movedim(input: Any, source: Any, destination: Any) -> Any:
    """Move the dims ``source`` to the positions ``destination`` (ints or sequences of
    equal length), the others keeping their order (PyTorch's ``torch.movedim``)."""
    src = (source,) if np.ndim(source) == 0 else tuple(source)
    dst = (destination,) if np.ndim(destination) == 0 else tuple(destination)
    if len(src) != len(dst):
        raise ValueError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    x = _t(input)
    if ndim_of(x) == 0:  # a 0-d tensor: dims 0 / -1 only, and nothing moves
        for d in src + dst:
            _dim(d, 0, "movedim", ())
        return x
    return cg.moveaxis(x, src, dst)


@defpublic(method="repeat_interleave", numpy=_NP, cli=_CLI)
def repeat_interleave(
    input: Any, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
) -> Any:
    """Each element repeated ``repeats`` times (an int, or one count per element along
    ``dim``) along ``dim`` (of the flattened input when None); PyTorch's
    ``torch.repeat_interleave``.  Given only a 1-D tensor of counts, the indices
    ``0..n-1`` each repeated that many times."""
    if repeats is None:  # torch.repeat_interleave(repeats)
        counts = _ints(input, "repeat_interleave", "repeats")
        if counts.ndim != 1 or (counts < 0).any():
            raise ValueError("repeat_interleave: repeats must be a 1-D tensor of counts >= 0")
        return cg.asarray(np.repeat(np.arange(counts.size), counts))
    x = _t(input)
    if dim is None:
        x, d = cg.reshape(x, (-1,)), 0
    else:
        shape = _shape(x, "repeat_interleave")
        d = _dim(dim, len(shape), "repeat_interleave", shape)
        if not shape:
            x = cg.reshape(x, (1,))
    n = _shape(x, "repeat_interleave")[d]
    r = _ints(repeats, "repeat_interleave", "repeats")
    if r.ndim > 1 or (r.ndim == 1 and r.size not in (1, n)):
        raise ValueError(
            f"repeat_interleave: repeats must have the same size as input along dim ({n}), "
            f"got shape {r.shape}"
        )
    if (r < 0).any():
        raise ValueError("repeat_interleave: repeats can not be negative")
    r = r.reshape(-1)[0] if r.ndim == 1 and r.size == 1 else r
    if output_size is not None and int(np.sum(np.broadcast_to(r, (n,)))) != output_size:
        raise ValueError(
            f"repeat_interleave: output_size {output_size} differs from the total of repeats"
        )
    return cg.repeat(x, r, axis=d)


def _broadcast_except(shape: tuple, other: tuple, d: int) -> tuple:
    """``shape`` broadcast with ``other`` in every dim but ``d`` (which keeps its size)."""
    a = shape[:d] + (1,) + shape[d + 1 :]
    b = other[:d] + (1,) + other[d + 1 :]
    s = np.broadcast_shapes(a, b)
    return s[:d] + (shape[d],) + s[d + 1 :]


@defpublic(method="take_along_dim", numpy=_NP, cli=_CLI)
def take_along_dim(input: Any, indices: Any, dim: int | None = None) -> Any:
    """Values of ``input`` at ``indices`` along ``dim``, input and indices broadcast in
    the other dims (of the flattened input and indices when ``dim`` is None); PyTorch's
    ``torch.take_along_dim``, ``np.take_along_axis`` with broadcasting."""
    x, idx = _t(input), _ints(indices, "take_along_dim", "indices")
    if dim is not None and ndim_of(x) == 0:
        raise IndexError(
            f"take_along_dim: Dimension specified as {dim} but tensor has no dimensions"
        )
    if dim is None:
        x, idx, d = cg.reshape(x, (-1,)), idx.reshape(-1), 0
    else:
        shape = _shape(x, "take_along_dim")
        if idx.ndim != len(shape):
            raise ValueError(
                f"take_along_dim: input and indices should have the same number of "
                f"dimensions, but got {len(shape)} dimensions for input (shape {shape}), "
                f"and {idx.ndim} dimensions for indices (shape {idx.shape})"
            )
        d = _dim(dim, len(shape), "take_along_dim", shape)
        full = _broadcast_except(shape, idx.shape, d)
        if full != shape:
            x = cg.broadcast_to(x, full)
        idx = np.broadcast_to(idx, _broadcast_except(idx.shape, shape, d))
    n = _shape(x, "take_along_dim")[d]
    _in_range(idx, n, d, "take_along_dim")
    return cg.take_along_axis(x, idx, axis=d)


@defpublic(method="tensor_split", numpy=_NP, cli=_CLI)
def tensor_split(input: Any, indices_or_sections: Any, dim: int = 0) -> tuple:
    """``input`` split along ``dim`` into ``n`` nearly equal parts (the first
    ``size % n`` one longer) or before each index of a sequence; a tuple of views
    (PyTorch's ``torch.tensor_split``; ``np.array_split``)."""
    x = _t(input)
    shape = _shape(x, "tensor_split")
    if not shape:
        raise ValueError("tensor_split: expected at least a 1-dimensional tensor, got a 0-d one")
    d = _dim(dim, len(shape), "tensor_split", shape)
    ios = plain(indices_or_sections)
    arr = np.asarray(ios)
    if arr.dtype.kind not in "iu" and not (arr.size == 0 and arr.ndim == 1):
        raise TypeError(f"tensor_split: indices_or_sections must be integers, got {ios!r}")
    if arr.ndim == 0:
        if int(arr) <= 0:
            raise ValueError(f"tensor_split: number of sections must be larger than 0, got {arr}")
        return tuple(cg.array_split(x, int(arr), axis=d))
    if arr.ndim != 1:
        raise ValueError(
            f"tensor_split: indices_or_sections must be a 0-d or 1-d tensor, got shape {arr.shape}"
        )
    return tuple(cg.array_split(x, [int(i) for i in arr], axis=d))


# ------------------------------------------------------------------ scatter and gather
def _along_grid(idx: np.ndarray, d: int) -> tuple:
    """The NumPy index that puts element ``i`` of ``idx`` at ``idx[i]`` along ``d`` and at
    ``i``'s own position in the other dims (PyTorch's scatter/gather addressing)."""
    nd = idx.ndim
    grid: list = [
        np.arange(n).reshape((1,) * k + (-1,) + (1,) * (nd - k - 1))
        for k, n in enumerate(idx.shape)
    ]
    grid[d] = idx
    return tuple(np.broadcast_arrays(*grid))


def _scatter_args(input: Any, dim: int, index: Any, src: Any, where: str) -> tuple:
    """Checked (x, d, idx, src_part or None, grid) for PyTorch's scatter family."""
    x = _t(input)
    shape = _shape(x, where)
    nd = len(shape)
    d = _dim(dim, nd, where, shape)
    idx = _ints(index, where)
    if nd == 0:  # a 0-d tensor takes a 0-d (or one-element) index, as a 1-d one
        x = cg.reshape(x, (1,))
        idx = idx.reshape(-1)
        shape, nd = (1,), 1
        if src is not None and ndim_of(src) == 0:
            src = cg.reshape(_t(src), (1,))
    if idx.ndim != nd and idx.size:
        raise ValueError(
            f"{where}: Index tensor must have the same number of dimensions as self tensor "
            f"(index shape {idx.shape}, self shape {shape})"
        )
    if idx.size == 0:
        return x, d, idx, None, None
    for k in range(nd):
        if k != d and idx.shape[k] > shape[k]:
            raise ValueError(
                f"{where}: Expected index {idx.shape} to be smaller than self {shape} "
                f"apart from dimension {d}"
            )
    part = None
    if src is not None:
        src = _t(src)
        sshape = _shape(src, where)
        if len(sshape) != nd or any(i > s for i, s in zip(idx.shape, sshape, strict=True)):
            raise ValueError(
                f"{where}: Expected index {idx.shape} to be smaller than src {sshape} "
                f"in every dimension (same number of dimensions)"
            )
        if src.dtype is not None and x.dtype is not None and src.dtype != x.dtype:
            raise TypeError(
                f"{where}: Expected self.dtype to be equal to src.dtype, got {x.dtype} and "
                f"{src.dtype}"
            )
        part = src if sshape == idx.shape else src[tuple(slice(0, n) for n in idx.shape)]
    _in_range(idx, shape[d], d, where)
    return x, d, idx, part, _along_grid(idx, d)


def _scalar_back(r: Any, input: Any) -> Any:
    return cg.reshape(r, ()) if ndim_of(input) == 0 else r


@defpublic(method="scatter_add", numpy=_NP, cli=_CLI)
def scatter_add(input: Any, dim: int, index: Any, src: Any) -> Any:
    """``input`` with ``src[i][j][k]`` added at ``[index[i][j][k]][j][k]`` (``dim`` 0;
    likewise for other dims), repeats accumulating (PyTorch's ``torch.scatter_add``)."""
    x, _, idx, part, grid = _scatter_args(input, dim, index, src, "scatter_add")
    if grid is None:
        return _scalar_back(cg.array(x, copy=True), input)
    return _scalar_back(cg.add(x, _scatter_add_op(part, _shape(x, "scatter_add"), grid)), input)


def _written(shape: tuple, grid: tuple) -> tuple[np.ndarray, np.ndarray]:
    """(where something is written, which element of the index writes it: the last)."""
    writer = np.full(shape, -1, np.int64)
    writer[grid] = np.arange(grid[0].size).reshape(grid[0].shape)
    return writer >= 0, np.maximum(writer, 0)


@defpublic(method="scatter", numpy=_NP, cli=_CLI)
def scatter(
    input: Any,
    dim: int,
    index: Any,
    src: Any = None,
    *,
    value: Any = None,
    reduce: str | None = None,
) -> Any:
    """``input`` with ``src[i][j][k]`` written at ``[index[i][j][k]][j][k]`` (``dim`` 0;
    likewise for other dims), or the number ``value`` (also given in ``src``'s place);
    ``reduce="add"``/``"multiply"`` combines instead of writing (PyTorch's
    ``torch.scatter``)."""
    if src is not None and value is not None:
        raise TypeError("scatter: give src or value, not both")
    if src is None and value is None:
        raise TypeError("scatter: missing src (a tensor) or value (a number)")
    if isinstance(src, (int, float, complex, np.generic)):
        src, value = None, src  # scatter(input, dim, index, 1.5): PyTorch's value form
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise ValueError(
                f"scatter: reduce argument must be either add or multiply, got {reduce!r}"
            )
        if value is not None:
            x = _t(input)
            src = cg.full(_ints(index, "scatter").shape, value, x.dtype)
        return scatter_reduce(input, dim, index, src, "sum" if reduce == "add" else "prod")
    x, _, idx, part, grid = _scatter_args(input, dim, index, src, "scatter")
    if grid is None:
        return _scalar_back(cg.array(x, copy=True), input)
    shape = _shape(x, "scatter")
    mask, writer = _written(shape, grid)
    if part is None:
        v = value if is_symbolic(value) or hasattr(value, "requires_grad") else np.asarray(value)
        return _scalar_back(cg.where(mask, cg.astype(v, x.dtype), x), input)
    picked = cg.reshape(part, (-1,))[writer]
    return _scalar_back(cg.where(mask, picked, x), input)


_REDUCE = ("sum", "prod", "mean", "amax", "amin")


def _grouped(
    x: Any, part: Any, tgt: np.ndarray, reduce: str, include_self: bool, where: str
) -> Any:
    """Reduce, for each element of ``x`` (flat position ``p``), the elements of ``part``
    with target ``p`` (and ``x`` itself with ``include_self``); elements with none keep
    their value.  Written as one gather into a padded (positions, most contributors)
    table and one reduction over it, so each reduction's own gradient rule applies
    (``amax``/``amin``: shared evenly among ties, as PyTorch)."""
    shape = _shape(x, where)
    n = math.prod(shape)
    counts = np.bincount(tgt, minlength=n)
    width = int(counts.max()) if counts.size else 0
    order = np.argsort(tgt, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(tgt.size) - starts[tgt[order]]
    dt = np.dtype(x.dtype)
    pad: Any
    if reduce in ("sum", "mean"):
        pad = 0
    elif reduce == "prod":
        pad = 1
    elif dt.kind == "f":
        pad = -np.inf if reduce == "amax" else np.inf
    else:
        info = np.iinfo(dt) if dt.kind in "iu" else None
        pad = (info.min if reduce == "amax" else info.max) if info else 0
    flat = cg.reshape(part, (-1,))
    vals = cg.concatenate([flat, np.full((1,), pad, dt)])
    table = np.full((n, width), tgt.size, np.int64)
    table[tgt[order], rank] = order
    g = vals[table]
    if include_self:
        g = cg.concatenate([cg.reshape(x, (n, 1)), g], axis=1)
    if reduce == "sum":
        r = cg.sum(g, axis=1)
    elif reduce == "prod":
        r = cg.prod(g, axis=1)
    elif reduce == "amax":
        r = cg.max(g, axis=1)
    elif reduce == "amin":
        r = cg.min(g, axis=1)
    else:
        cnt = counts + (1 if include_self else 0)
        r = cg.divide(
            cg.sum(g, axis=1), np.maximum(cnt, 1).astype(dt if dt.kind in "fc" else np.float64)
        )
        if dt.kind not in "fc":
            r = cg.astype(cg.floor(r), dt)  # PyTorch's integer mean rounds down
    return cg.where(np.reshape(counts > 0, shape), cg.reshape(r, shape), x)


@defpublic(method="scatter_reduce", numpy=_NP, cli=_CLI)
def scatter_reduce(
    input: Any, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True
) -> Any:
    """``input`` with the elements of ``src`` reduced into the places ``index`` sends
    them along ``dim`` (as ``scatter_add``), ``reduce`` one of ``"sum" "prod" "mean"
    "amax" "amin"``, ``input``'s own value taking part when ``include_self`` (PyTorch's
    ``torch.scatter_reduce``)."""
    if reduce not in _REDUCE:
        raise ValueError(
            f"scatter_reduce: reduce argument must be one of {_REDUCE}, got {reduce!r}"
        )
    x, _, idx, part, grid = _scatter_args(input, dim, index, src, "scatter_reduce")
    if grid is None:
        return _scalar_back(cg.array(x, copy=True), input)
    if reduce == "sum" and include_self:
        return _scalar_back(
            cg.add(x, _scatter_add_op(part, _shape(x, "scatter_reduce"), grid)), input
        )
    tgt = np.ravel_multi_index(grid, _shape(x, "scatter_reduce")).reshape(-1)
    return _scalar_back(_grouped(x, part, tgt, reduce, include_self, "scatter_reduce"), input)


def _index_args(input: Any, dim: int, index: Any, where: str, negative: bool = False) -> tuple:
    x = _t(input)
    shape = _shape(x, where)
    d = _dim(dim, len(shape), where, shape)
    if not shape:
        x, shape = cg.reshape(x, (1,)), (1,)
    idx = _ints(index, where)
    if idx.ndim > 1:
        raise ValueError(f"{where}: Index is supposed to be a vector, got shape {idx.shape}")
    idx = idx.reshape(-1)
    low = -shape[d] if negative else 0  # (only index_fill counts from the end, as torch)
    if idx.size and (idx.min() < low or idx.max() >= shape[d]):
        bad = idx.min() if idx.min() < low else idx.max()
        raise IndexError(
            f"{where}: index {bad} is out of bounds for dimension {d} with size {shape[d]}"
        )
    return x, shape, d, idx % max(shape[d], 1)


def _source(source: Any, shape: tuple, d: int, idx: np.ndarray, where: str, x: Any) -> Any:
    s = _t(source)
    sshape = _shape(s, where)
    want = shape[:d] + (idx.size,) + shape[d + 1 :]
    if sshape != want and not (sshape == () and want == (1,)):
        raise ValueError(
            f"{where}: source of shape {sshape} does not fit: expected {want} (self {shape} "
            f"with dim {d} of the index's length {idx.size})"
        )
    if s.dtype is not None and x.dtype is not None and s.dtype != x.dtype:
        raise TypeError(
            f"{where}: self ({x.dtype}) and source ({s.dtype}) must have the same dtype"
        )
    return cg.reshape(s, want) if sshape != want else s


@defpublic(method="index_add", numpy=_NP, cli=_CLI)
def index_add(input: Any, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Any:
    """``input`` with ``alpha * source`` added at the positions ``index`` along ``dim``
    (the slice ``i`` of ``source`` to the slice ``index[i]``; repeats accumulate);
    PyTorch's ``torch.index_add``."""
    x, shape, d, idx = _index_args(input, dim, index, "index_add")
    s = _source(source, shape, d, idx, "index_add", x)
    if alpha != 1:
        s = cg.multiply(s, alpha)
    if idx.size == 0:
        return _scalar_back(cg.array(x, copy=True), input)
    return _scalar_back(cg.add(x, _scatter_add_op(s, shape, (slice(None),) * d + (idx,))), input)


def _slices_mask(shape: tuple, d: int, idx: np.ndarray) -> np.ndarray:
    hit = np.zeros(shape[d], bool)
    hit[idx] = True
    return hit.reshape((-1,) + (1,) * (len(shape) - d - 1))


@defpublic(method="index_copy", numpy=_NP, cli=_CLI)
def index_copy(input: Any, dim: int, index: Any, source: Any) -> Any:
    """``input`` with the slices ``index`` along ``dim`` replaced by ``source``'s
    (PyTorch's ``torch.index_copy``)."""
    x, shape, d, idx = _index_args(input, dim, index, "index_copy")
    s = _source(source, shape, d, idx, "index_copy", x)
    if idx.size == 0:
        return _scalar_back(cg.array(x, copy=True), input)
    writer = np.zeros(shape[d], np.int64)
    writer[idx] = np.arange(idx.size)
    picked = s[(slice(None),) * d + (writer,)]
    return _scalar_back(cg.where(_slices_mask(shape, d, idx), picked, x), input)


@defpublic(method="index_fill", numpy=_NP, cli=_CLI)
def index_fill(input: Any, dim: int, index: Any, value: Any) -> Any:
    """``input`` with the slices ``index`` along ``dim`` set to ``value`` (a number or a
    0-d tensor, which then receives their gradient); PyTorch's ``torch.index_fill``."""
    x, shape, d, idx = _index_args(input, dim, index, "index_fill", negative=True)
    if ndim_of(value) not in (0, None) and np.ndim(value) != 0:
        raise ValueError(
            f"index_fill: only supports a 0-dimensional value tensor, got shape {np.shape(value)}"
        )
    v = value if is_symbolic(value) or hasattr(value, "requires_grad") else np.asarray(value)
    r = cg.where(_slices_mask(shape, d, idx), cg.astype(v, x.dtype), x)
    return _scalar_back(r, input)


@defpublic(method="index_put", numpy=_NP, cli=_CLI)
def index_put(input: Any, indices: Any, values: Any, accumulate: bool = False) -> Any:
    """``input`` with ``values`` written at ``input[indices]`` (a tuple of index tensors,
    integer or boolean), or added there (repeats accumulating) with ``accumulate``;
    PyTorch's ``torch.index_put``."""
    if not isinstance(indices, (tuple, list)):
        raise TypeError(
            f"index_put: indices must be a tuple of tensors, got {type(indices).__name__}"
        )
    x = _t(input)
    shape = _shape(x, "index_put")
    index = tuple(np.asarray(plain(i)) for i in indices)
    for i in index:
        if i.dtype.kind not in "iub":
            raise TypeError(f"index_put: indices must be integer or bool tensors, got {i.dtype}")
    pos = np.arange(math.prod(shape)).reshape(shape)[index]  # (IndexError as NumPy's)
    v = _t(values)
    if v.dtype is not None and x.dtype is not None and v.dtype != x.dtype:
        raise TypeError(f"index_put: values ({v.dtype}) must have input's dtype ({x.dtype})")
    try:
        np.broadcast_shapes(_shape(v, "index_put"), pos.shape)
    except ValueError:
        raise ValueError(
            f"index_put: shape mismatch: value tensor of shape {_shape(v, 'index_put')} cannot "
            f"be broadcast to indexing result of shape {pos.shape}"
        ) from None
    v = cg.broadcast_to(v, pos.shape)
    if pos.size == 0:
        return cg.array(x, copy=True)
    flat = pos.reshape(-1)
    if accumulate:
        return cg.add(
            x, _scatter_add_op(cg.reshape(v, (-1,)), shape, np.unravel_index(flat, shape))
        )
    mask, writer = _written((math.prod(shape),), (flat,))
    picked = cg.reshape(v, (-1,))[writer]
    return cg.where(mask.reshape(shape), cg.reshape(picked, shape), x)


@defpublic(method="masked_scatter", numpy=_NP, cli=_CLI)
def masked_scatter(input: Any, mask: Any, source: Any) -> Any:
    """``input`` with its elements where ``mask`` (broadcast) is True replaced, in order,
    by the first elements of ``source`` (PyTorch's ``torch.masked_scatter``)."""
    x = _t(input)
    shape = _shape(x, "masked_scatter")
    m = np.asarray(plain(mask))
    if m.dtype != bool:
        raise TypeError(f"masked_scatter: mask must be a bool tensor, got dtype {m.dtype}")
    try:
        full = np.broadcast_shapes(shape, m.shape)
    except ValueError:
        raise ValueError(
            f"masked_scatter: mask of shape {m.shape} does not broadcast with input {shape}"
        ) from None
    if full != shape:
        x = cg.broadcast_to(x, full)
    m = np.broadcast_to(m, full)
    s = _t(source)
    if s.dtype is not None and x.dtype is not None and s.dtype != x.dtype:
        raise TypeError(f"masked_scatter: source ({s.dtype}) must have input's dtype ({x.dtype})")
    k = int(m.sum())
    ssize = math.prod(_shape(s, "masked_scatter"))
    if ssize < k:
        raise ValueError(
            f"masked_scatter: Number of elements of source ({ssize}) < number of ones in mask ({k})"
        )
    pick = np.maximum(np.cumsum(m.reshape(-1)) - 1, 0).reshape(full)
    return cg.where(m, cg.reshape(s, (-1,))[pick], x)


@defpublic(method="masked_select", numpy=_NP, cli=_CLI)
def masked_select(input: Any, mask: Any) -> Any:
    """The elements of ``input`` where ``mask`` is True (both broadcast), as a 1-D tensor
    (PyTorch's ``torch.masked_select``)."""
    x = _t(input)
    shape = _shape(x, "masked_select")
    m = np.asarray(plain(mask))
    if m.dtype != bool:
        raise TypeError(f"masked_select: mask must be a bool tensor, got dtype {m.dtype}")
    full = np.broadcast_shapes(shape, m.shape)
    if full != shape:
        x = cg.broadcast_to(x, full)
    return x[np.broadcast_to(m, full)]


@defpublic(method="index_reduce", numpy=_NP, cli=_CLI)
def index_reduce(
    input: Any, dim: int, index: Any, source: Any, reduce: str, *, include_self: bool = True
) -> Any:
    """``input`` with the slices of ``source`` reduced into the slices ``index`` along
    ``dim`` (``reduce`` one of ``"prod" "mean" "amax" "amin"``; ``input``'s own values
    take part when ``include_self``); PyTorch's ``torch.index_reduce``."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise ValueError(
            f"index_reduce: reduce argument must be one of prod, mean, amax, amin, got {reduce!r}"
        )
    x, shape, d, idx = _index_args(input, dim, index, "index_reduce")
    s = _source(source, shape, d, idx, "index_reduce", x)
    if idx.size == 0:
        return _scalar_back(cg.array(x, copy=True), input)
    sshape = _shape(s, "index_reduce")
    grid = list(np.indices(sshape, sparse=True))
    grid[d] = idx.reshape((-1,) + (1,) * (len(sshape) - d - 1))
    tgt = np.ravel_multi_index(tuple(np.broadcast_arrays(*grid)), shape).reshape(-1)
    return _scalar_back(_grouped(x, s, tgt, reduce, include_self, "index_reduce"), input)


@defpublic(method="select", numpy=_NP, cli=_CLI)
def select(input: Any, dim: int, index: int) -> Any:
    """The slice ``index`` along ``dim``, that dim removed (``input[:, index]`` for dim
    1; PyTorch's ``torch.select``; a negative index counts from the end)."""
    x = _t(input)
    shape = _shape(x, "select")
    if not shape:
        raise IndexError("select: select() cannot be applied to a 0-dim tensor.")
    d = _dim(dim, len(shape), "select", shape)
    i = int(plain(index))
    if not -shape[d] <= i < shape[d]:
        raise IndexError(
            f"select: index {i} out of range for tensor of size {shape} at dimension {d}"
        )
    return x[(slice(None),) * d + (i,)]


def _embed(where: str, input: Any, src: Any, index: tuple) -> Any:
    """``input`` with ``input[index]`` replaced by ``src`` (of exactly that shape)."""
    x, v = _t(input), _t(src)
    shape = _shape(x, where)
    want = np.empty(shape, bool)[index].shape
    if _shape(v, where) != want:
        raise ValueError(
            f"{where}: expected src to have a size equal to the slice of self, src size = "
            f"{_shape(v, where)}, slice size = {want}"
        )
    if v.dtype is not None and x.dtype is not None and v.dtype != x.dtype:
        raise TypeError(f"{where}: src ({v.dtype}) must have input's dtype ({x.dtype})")
    mask = np.zeros(shape, bool)
    mask[index] = True
    return cg.where(mask, _scatter_add_op(v, shape, index), x)


@defpublic(method="select_scatter", numpy=_NP, cli=_CLI)
def select_scatter(input: Any, src: Any, dim: int, index: int) -> Any:
    """``input`` with the slice ``select(input, dim, index)`` replaced by ``src``
    (PyTorch's ``torch.select_scatter``)."""
    shape = _shape(_t(input), "select_scatter")
    if not shape:
        raise IndexError("select_scatter: cannot be applied to a 0-dim tensor")
    d = _dim(dim, len(shape), "select_scatter", shape)
    i = int(plain(index))
    if not -shape[d] <= i < shape[d]:
        raise IndexError(f"select_scatter: index {i} out of range for dimension {d} of {shape}")
    return _embed("select_scatter", input, src, (slice(None),) * d + (i % shape[d],))


@defpublic(method="slice_scatter", numpy=_NP, cli=_CLI)
def slice_scatter(
    input: Any, src: Any, dim: int = 0, start: int | None = None, end: int | None = None,
    step: int = 1,
) -> Any:  # fmt: skip
    """``input`` with the slice ``start:end:step`` along ``dim`` replaced by ``src``
    (PyTorch's ``torch.slice_scatter``)."""
    shape = _shape(_t(input), "slice_scatter")
    d = _dim(dim, len(shape), "slice_scatter", shape)
    if step <= 0:
        raise ValueError(f"slice_scatter: slice step must be positive, got {step}")
    return _embed("slice_scatter", input, src, (slice(None),) * d + (slice(start, end, step),))


@defpublic(method="diagonal_scatter", numpy=_NP, cli=_CLI)
def diagonal_scatter(input: Any, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Any:
    """``input`` with its diagonal ``offset`` in the plane (``dim1``, ``dim2``) replaced by
    ``src`` (shaped as ``torch.diagonal`` gives it: the other dims, then the diagonal);
    PyTorch's ``torch.diagonal_scatter``."""
    shape = _shape(_t(input), "diagonal_scatter")
    nd = len(shape)
    d1, d2 = _dim(dim1, nd, "diagonal_scatter", shape), _dim(dim2, nd, "diagonal_scatter", shape)
    if d1 == d2:
        raise ValueError(
            f"diagonal_scatter: diagonal dimensions cannot be identical {dim1}, {dim2}"
        )
    n1, n2 = shape[d1], shape[d2]
    k = max(0, min(n1 + min(offset, 0), n2 - max(offset, 0)))
    i = np.arange(k) - min(offset, 0)
    j = np.arange(k) + max(offset, 0)
    others = [a for a in range(nd) if a not in (d1, d2)]
    index: list = [None] * nd
    for p, a in enumerate(others):
        index[a] = np.arange(shape[a]).reshape((1,) * p + (-1,) + (1,) * (len(others) - p))
    tail = (1,) * len(others) + (-1,)
    index[d1], index[d2] = i.reshape(tail), j.reshape(tail)
    return _embed("diagonal_scatter", input, src, tuple(np.broadcast_arrays(*index)))


@defpublic(method="narrow_copy", numpy=_NP, cli=_CLI)
def narrow_copy(input: Any, dim: int, start: Any, length: int) -> Any:
    """``narrow``, as a new tensor (PyTorch's ``torch.narrow_copy``)."""
    return cg.array(narrow(input, dim, start, length), copy=True)


@defpublic(method="argwhere", numpy=no("np.argwhere(t) keeps giving NumPy's ndarray"),
           cli=no("an integer result, not differentiable"))  # fmt: skip
def argwhere(input: Any) -> Any:
    """The indices of the non-zero elements, one row each (N, input.ndim), int64
    (PyTorch's ``torch.argwhere``)."""
    v = np.asarray(plain(cg.stop_gradient(_t(input))))
    return cg.asarray(np.argwhere(v).astype(np.int64))


def _tri_indices(where: str, row: int, col: int, offset: int, lower: bool, device: Any) -> Any:
    if device is not None and str(getattr(device, "type", device)).split(":")[0] != "cpu":
        raise ValueError(f"{where}: device {device!r} is not available; compgraph uses the CPU")
    if row < 0 or col < 0:
        raise ValueError(f"{where}: row and col must be non-negative, got {row} and {col}")
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return cg.asarray(np.stack([r, c]).astype(np.int64).reshape(2, -1))


@defpublic(method=no("creates a new tensor"), numpy=no("np.tril_indices returns a tuple"),
           cli=no("creates a new tensor"))  # fmt: skip
def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None
) -> Any:
    """The (2, N) row and column indices of the lower triangle (diagonal ``offset``) of
    a row x col matrix, int64 (PyTorch's ``torch.tril_indices``)."""
    r = _tri_indices("tril_indices", row, col, offset, True, device)
    return r if dtype is None else cg.astype(r, dtype)


@defpublic(method=no("creates a new tensor"), numpy=no("np.triu_indices returns a tuple"),
           cli=no("creates a new tensor"))  # fmt: skip
def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = None, device: Any = None
) -> Any:
    """The (2, N) row and column indices of the upper triangle (diagonal ``offset``) of
    a row x col matrix, int64 (PyTorch's ``torch.triu_indices``)."""
    r = _tri_indices("triu_indices", row, col, offset, False, device)
    return r if dtype is None else cg.astype(r, dtype)


# ------------------------------------------------------------------ building
@defpublic(method=no("a function of several tensors"), numpy=_NP, cli=_CLI)
def block_diag(*tensors: Any) -> Any:
    """The tensors (0-d, 1-d as one row, or 2-d) on the diagonal of a block matrix,
    zeros elsewhere (PyTorch's ``torch.block_diag``)."""
    ts = []
    for t in tensors:
        t = _t(t)
        nd = ndim_of(t)
        if nd is None or nd > 2:
            raise ValueError(f"block_diag: Input tensors must have 2 or fewer dimensions, got {nd}")
        ts.append(cg.reshape(t, (1, -1) if nd == 1 else (1, 1)) if nd < 2 else t)
    if not ts:
        return cg.asarray(np.zeros((1, 0)))
    dt = np.result_type(*(np.dtype(t.dtype) for t in ts))
    widths = [_shape(t, "block_diag")[1] for t in ts]
    total, left, rows = sum(widths), 0, []
    for t, w in zip(ts, widths, strict=True):
        r = _shape(t, "block_diag")[0]
        t = t if np.dtype(t.dtype) == dt else cg.astype(t, dt)
        parts = [np.zeros((r, left), dt), t, np.zeros((r, total - left - w), dt)]
        rows.append(cg.concatenate(parts, axis=1))
        left += w
    return cg.concatenate(rows, axis=0)


@defpublic(method=no("a function of several tensors"), numpy=_NP, cli=_CLI)
def cartesian_prod(*tensors: Any) -> Any:
    """Every combination of one element from each 1-D tensor, as the rows of a
    (count, len(tensors)) tensor (the tensor itself for one); PyTorch's
    ``torch.cartesian_prod``."""
    ts = [_t(t) for t in tensors]
    if not ts:
        raise TypeError("cartesian_prod: expects at least one tensor")
    for t in ts:
        if ndim_of(t) != 1:
            raise ValueError(f"cartesian_prod: Expect a 1D vector, got shape {t.shape}")
    if len(ts) == 1:
        return ts[0]
    dt = np.result_type(*(np.dtype(t.dtype) for t in ts))
    grids = np.meshgrid(*(np.arange(_shape(t, "cartesian_prod")[0]) for t in ts), indexing="ij")
    cols = [cg.astype(t[g.reshape(-1)], dt, copy=False) for t, g in zip(ts, grids, strict=True)]
    return cg.stack(cols, axis=1)


for _f in (
    narrow, movedim, repeat_interleave, take_along_dim, tensor_split, scatter, scatter_add,
    scatter_reduce, index_add, index_copy, index_fill, index_put, masked_scatter,
    masked_select, block_diag, cartesian_prod, index_reduce, select, select_scatter,
    slice_scatter, diagonal_scatter, narrow_copy, argwhere, tril_indices, triu_indices,
):  # fmt: skip
    _f.__module__ = "compgraph"
del _f
