"""Pooling functions of torch.nn.functional written on cg functions (F.adaptive_avg_pool3d, F.max_pool2d_with_indices ...).

Max pooling here finds each window's pick in NumPy, the way PyTorch's loops do (the
first maximum in row-major order; a NaN wins, the last one seen; a window of -inf picks
its first entry inside the input), then gathers the values with ``cg.take_along_axis``:
the gradient goes to the picked entry only and adds up where windows overlap, as
torch's.  Average pooling is a sum of strided slices or, adaptive, a product with a
matrix of window weights per axis.  This file may not import ``.functional`` (which
imports it), so it holds its own small argument helpers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import functions as cg
from ..random import default_generator
from ..tensor import Tensor
from .fn_args import as_tensor as _tensor
from .fn_args import int_tuple as _ints
from .fn_args import pool_geometry

__all__ = [
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "adaptive_max_pool3d",
    "adaptive_avg_pool3d",
    "lp_pool3d",
    "fractional_max_pool2d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d",
    "fractional_max_pool3d_with_indices",
]


# ------------------------------------------------------------------ arguments
def _batched(where: str, x: Any, nd: int) -> tuple[Tensor, bool]:
    """(N, C, *spatial) of an input with or without its batch axis, and whether it had none."""
    x = _tensor(x)
    shape = tuple(x.shape)
    if len(shape) not in (nd + 1, nd + 2):
        raise ValueError(
            f"{where}: expected a {nd + 1}-D (unbatched) or {nd + 2}-D (batched) input, "
            f"got shape {shape}"
        )
    if 0 in shape[-nd:]:
        raise ValueError(f"{where}: expected non-empty spatial dimensions, got shape {shape}")
    if len(shape) == nd + 1:
        return cg.expand_dims(x, 0), True
    return x, False


def _unbatch(y: Any, unbatched: bool) -> Any:
    if not unbatched:
        return y
    if isinstance(y, tuple):
        return tuple(cg.squeeze(v, 0) for v in y)
    return cg.squeeze(y, 0)


def _out_len(where: str, size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    return pool_geometry(where, size, k, s, p, d, ceil_mode)[0]


# ------------------------------------------------------------------ the window core
def _combine(axes: list[tuple[np.ndarray, np.ndarray]], sizes: tuple) -> tuple:
    """Flat positions and validity of every window entry from per-axis ones.

    ``axes[i]`` is (positions, valid), each ``lead + (o_i, k_i)``; the result is
    ``lead + (o_0, ..., o_last, k_0 * ... * k_last)``, the window's entries in
    row-major order (the order torch's loops visit them)."""
    nd = len(axes)
    lead = axes[0][0].shape[:-2]
    outs = tuple(a[0].shape[-2] for a in axes)
    ks = tuple(a[0].shape[-1] for a in axes)
    flat: Any = 0
    valid: Any = True
    for i, (pos, ok) in enumerate(axes):
        shape = [1] * (2 * nd)
        shape[i], shape[nd + i] = outs[i], ks[i]
        stride = math.prod(sizes[i + 1 :])
        flat = flat + pos.reshape(lead + tuple(shape)) * stride
        valid = valid & ok.reshape(lead + tuple(shape))
    full = lead + outs + ks
    flat = np.broadcast_to(flat, full).reshape(lead + outs + (-1,))
    valid = np.broadcast_to(valid, full).reshape(lead + outs + (-1,))
    return flat, valid


def _pick(vals: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The window entry (along axis -2 of ``vals`` (..., K, M)) that torch's max pooling
    loops keep: they start at -inf on the first valid entry and take
    ``v > best or isnan(v)``, so the first maximum, or the last NaN, or the first valid
    entry when all are -inf.  The loop walks the K entries, each step one vector
    operation over all windows (NumPy reduces along a short axis slowly)."""
    floating = vals.dtype.kind in "fc"
    best = np.full(
        vals.shape[:-2] + vals.shape[-1:],
        -np.inf if floating else np.iinfo(vals.dtype).min,
        vals.dtype,
    )
    pick = np.broadcast_to(np.argmax(valid, axis=-2), best.shape).copy()
    for j in range(vals.shape[-2]):
        v = vals[..., j, :]
        take = v > best
        if floating:
            take |= np.isnan(v)
        take &= valid[..., j, :]
        np.copyto(best, v, where=take)
        np.copyto(pick, j, where=take)
    return pick


def _window_max(x: Tensor, flat: np.ndarray, valid: np.ndarray) -> tuple[Tensor, Tensor]:
    """Max pooling of (N, C, *spatial) over windows given by flat spatial positions
    ``flat`` and ``valid`` (``(..., *outs, K)``, the same for every plane or one set per
    (N, C) plane): the values (differentiable, gathered) and the flat spatial index of
    each pick (int64)."""
    n, c = x.shape[:2]
    nd = len(x.shape) - 2
    outs, k = flat.shape[-nd - 1 : -1], flat.shape[-1]
    lead = flat.shape[: -nd - 1]
    # entries first, windows last: each step of _pick reads contiguous rows
    pos = np.where(valid, flat, 0).reshape(lead + (-1, k)).swapaxes(-1, -2)
    ok = valid.reshape(lead + (-1, k)).swapaxes(-1, -2)
    data = np.asarray(x.data).reshape(n, c, -1)
    m = math.prod(outs)
    if not lead:  # the same windows in every plane: one plain index
        vals = data[:, :, pos.reshape(-1)].reshape(n, c, k, m)
    else:
        vals = np.take_along_axis(data, pos.reshape(n, c, -1), axis=-1).reshape(n, c, k, m)
    a = _pick(vals, ok)
    idx = np.take_along_axis(np.broadcast_to(pos, (n, c, k, m)), a[..., None, :], axis=-2)
    idx = idx.reshape((n, c) + outs).astype(np.int64)
    y = cg.take_along_axis(cg.reshape(x, (n, c, -1)), idx.reshape(n, c, -1), axis=-1)
    return cg.reshape(y, (n, c) + outs), cg.asarray(idx)


# ------------------------------------------------------------------ max pooling
def _max_pool(
    where: str,
    nd: int,
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any,
    padding: Any,
    dilation: Any,
    ceil_mode: bool,
) -> tuple[Tensor, Tensor]:
    x, unb = _batched(where, input, nd)
    k = _ints(kernel_size, nd, f"{where} kernel_size", 1)
    none = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    s = k if none else _ints(stride, nd, f"{where} stride", 1)
    p = _ints(padding, nd, f"{where} padding")
    d = _ints(dilation, nd, f"{where} dilation", 1)
    sizes = tuple(x.shape[2:])
    axes = []
    for i in range(nd):
        out = _out_len(where, sizes[i], k[i], s[i], p[i], d[i], bool(ceil_mode))
        pos = np.arange(out)[:, None] * s[i] - p[i] + np.arange(k[i])[None, :] * d[i]
        axes.append((pos, (pos >= 0) & (pos < sizes[i])))
    return _unbatch(_window_max(x, *_combine(axes, sizes)), unb)


def max_pool1d_with_indices(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """``F.max_pool1d_with_indices``: max over windows of (N, C, L) or (C, L) and the
    index of each window's maximum (always the pair, whatever ``return_indices``)."""
    return _max_pool(
        "max_pool1d_with_indices", 1, input, kernel_size, stride, padding, dilation, ceil_mode
    )


def max_pool2d_with_indices(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """``F.max_pool2d_with_indices``: max over windows of (N, C, H, W) or (C, H, W) and
    the flat H*W index of each window's maximum (``padding`` is -inf, at most half the
    window; ``ceil_mode`` windows may overhang the end)."""
    return _max_pool(
        "max_pool2d_with_indices", 2, input, kernel_size, stride, padding, dilation, ceil_mode
    )


def max_pool3d_with_indices(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """``F.max_pool3d_with_indices``: max over windows of (N, C, D, H, W) or
    (C, D, H, W) and the flat D*H*W index of each window's maximum."""
    return _max_pool(
        "max_pool3d_with_indices", 3, input, kernel_size, stride, padding, dilation, ceil_mode
    )


# ------------------------------------------------------------------ adaptive pooling
def _adaptive_sizes(where: str, sizes: tuple, output_size: Any, nd: int) -> tuple[int, ...]:
    """The output cells per axis (``None`` keeps that axis's size)."""
    given = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * nd
    if len(given) == 1:
        given = given * nd
    if len(given) != nd or not all(
        o is None or (isinstance(o, (int, np.integer)) and not isinstance(o, bool)) for o in given
    ):
        raise TypeError(
            f"{where}: output_size must be an int or {nd} ints (or None), got {output_size!r}"
        )
    outs = tuple(size if o is None else int(o) for o, size in zip(given, sizes))
    if min(outs) < 1:
        raise ValueError(f"{where}: output_size must be positive, got {output_size!r}")
    return outs


def _adaptive_axis(size: int, out: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions and validity (out, longest window) of torch's adaptive windows: cell i
    spans ``floor(i*size/out)`` to ``ceil((i+1)*size/out)``."""
    i = np.arange(out)
    start, end = (i * size) // out, -((-(i + 1) * size) // out)
    pos = start[:, None] + np.arange(int((end - start).max()))[None, :]
    return pos, pos < end[:, None]


def _adaptive_max(where: str, nd: int, input: Any, output_size: Any) -> tuple[Tensor, Tensor]:  # noqa: A002
    x, unb = _batched(where, input, nd)
    sizes = tuple(x.shape[2:])
    outs = _adaptive_sizes(where, sizes, output_size, nd)
    axes = [_adaptive_axis(size, o) for size, o in zip(sizes, outs)]
    return _unbatch(_window_max(x, *_combine(axes, sizes)), unb)


def adaptive_max_pool1d_with_indices(
    input: Any,  # noqa: A002 (PyTorch's name)
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """``F.adaptive_max_pool1d_with_indices``: max over the windows cutting (N, C, L) or
    (C, L) into ``output_size`` cells, and the index of each maximum."""
    return _adaptive_max("adaptive_max_pool1d_with_indices", 1, input, output_size)


def adaptive_max_pool2d_with_indices(
    input: Any,  # noqa: A002 (PyTorch's name)
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """``F.adaptive_max_pool2d_with_indices``: max over the windows cutting (N, C, H, W)
    or (C, H, W) into ``output_size`` cells (``None`` keeps a size), and the flat H*W
    index of each maximum."""
    return _adaptive_max("adaptive_max_pool2d_with_indices", 2, input, output_size)


def adaptive_max_pool3d_with_indices(
    input: Any,  # noqa: A002 (PyTorch's name)
    output_size: Any,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """``F.adaptive_max_pool3d_with_indices``: max over the windows cutting
    (N, C, D, H, W) or (C, D, H, W) into ``output_size`` cells, and the flat D*H*W index
    of each maximum."""
    return _adaptive_max("adaptive_max_pool3d_with_indices", 3, input, output_size)


def adaptive_max_pool3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    output_size: Any,
    return_indices: bool = False,
) -> Any:
    """``F.adaptive_max_pool3d``: max over the windows cutting (N, C, D, H, W) or
    (C, D, H, W) into ``output_size`` cells (the gradient to each window's maximum);
    with ``return_indices`` also the flat D*H*W index of each maximum."""
    y, idx = _adaptive_max("adaptive_max_pool3d", 3, input, output_size)
    return (y, idx) if return_indices else y


def adaptive_avg_pool3d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """``F.adaptive_avg_pool3d``: mean over the windows cutting (N, C, D, H, W) or
    (C, D, H, W) into ``output_size`` cells (``None`` keeps a size).  A box's mean is the
    mean along each axis in turn, so each axis is one product with a (size, out) matrix
    of window weights."""
    where = "adaptive_avg_pool3d"
    x, unb = _batched(where, input, 3)
    sizes = tuple(x.shape[2:])
    outs = _adaptive_sizes(where, sizes, output_size, 3)
    dtype = x.dtype if np.dtype(x.dtype).kind in "fc" else np.float64
    y = x
    for axis, (size, out) in enumerate(zip(sizes, outs), start=2):
        if size == out:
            continue
        pos, ok = _adaptive_axis(size, out)
        weights = np.zeros((size, out), dtype)
        cols = np.broadcast_to(np.arange(out)[:, None], pos.shape)
        weights[pos[ok], cols[ok]] = (1.0 / ok.sum(axis=1))[cols[ok]]
        y = cg.swapaxes(cg.matmul(cg.swapaxes(y, axis, -1), weights), axis, -1)
    return _unbatch(y, unb)


# ------------------------------------------------------------------ power-average pooling
def _window_sums(x: Any, k: tuple, s: tuple, outs: tuple) -> Any:
    """Sums over windows of the last len(k) axes (no padding; zeros past the end for the
    ceil_mode overhang), one axis at a time: each a sum of k strided slices."""
    lead = len(x.shape) - len(k)
    extra = [
        max(0, (o - 1) * ss + kk - size) for o, ss, kk, size in zip(outs, s, k, x.shape[lead:])
    ]
    if any(extra):
        x = cg.pad(x, ((0, 0),) * lead + tuple((0, e) for e in extra))
    for i, (kk, ss, oo) in enumerate(zip(k, s, outs)):
        total: Any = None
        for a in range(kk):
            idx = (slice(None),) * (lead + i) + (slice(a, a + ss * (oo - 1) + 1, ss),)
            total = x[idx] if total is None else cg.add(total, x[idx])
        x = total
    return x


def lp_pool3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    norm_type: float,
    kernel_size: Any,
    stride: Any = None,
    ceil_mode: bool = False,
) -> Tensor:
    """``F.lp_pool3d``: ``(sum over the window of x^p)^(1/p)`` over (N, C, D, H, W) or
    (C, D, H, W), computed as torch does (``avg_pool3d(x^p) * kernel volume``, so a
    ``ceil_mode`` window overhanging the end is scaled up to a whole window's sum);
    ``p = inf`` is the maximum of ``|x|``, ``-inf`` the minimum.  ``norm_type=0`` is a
    ValueError (torch returns inf or NaN)."""
    where = "lp_pool3d"
    if norm_type == math.inf:
        return max_pool3d_with_indices(
            cg.abs(_tensor(input)), kernel_size, stride, 0, 1, ceil_mode
        )[0]
    if norm_type == -math.inf:
        y = max_pool3d_with_indices(
            cg.negative(cg.abs(_tensor(input))), kernel_size, stride, 0, 1, ceil_mode
        )[0]
        return cg.negative(y)
    if norm_type == 0:
        raise ValueError(f"{where}: norm_type must be non-zero")
    x, unb = _batched(where, input, 3)
    k = _ints(kernel_size, 3, f"{where} kernel_size", 1)
    none = stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0)
    s = k if none else _ints(stride, 3, f"{where} stride", 1)
    sizes = tuple(x.shape[2:])
    outs = tuple(_out_len(where, *a, 0, 1, bool(ceil_mode)) for a in zip(sizes, k, s))
    total = _window_sums(cg.power(x, norm_type), k, s, outs)
    # avg_pool3d's divisor: the part of each window inside the input
    counts = np.ones((), total.dtype)
    for size, kk, ss, o in zip(sizes, k, s, outs):
        start = np.arange(o) * ss
        counts = np.multiply.outer(counts, np.minimum(start + kk, size) - start)
    avg = cg.divide(total, counts.astype(total.dtype))
    out = cg.multiply(cg.multiply(cg.sign(avg), cg.relu(cg.abs(avg))), float(math.prod(k)))
    return _unbatch(cg.power(out, 1.0 / norm_type), unb)


# ------------------------------------------------------------------ fractional max pooling
def _intervals(sample: np.ndarray, size: int, out: int, k: int) -> np.ndarray:
    """Window starts (..., out) from one uniform sample per plane, as torch's
    ``generate_intervals`` (computed in the input's floating type, truncated to int)."""
    dt = sample.dtype.type
    seq = np.empty(sample.shape + (out,), np.int64)
    if out > 1:
        alpha = dt(size - k) / dt(out - 1)
        i = np.arange(out - 1).astype(sample.dtype)
        seq[..., :-1] = ((i + sample[..., None]) * alpha).astype(np.int64) - (
            sample[..., None] * alpha
        ).astype(np.int64)
    seq[..., -1] = size - k
    return seq


def _fractional(
    where: str,
    nd: int,
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    output_size: Any,
    output_ratio: Any,
    random_samples: Any,
) -> tuple[Tensor, Tensor]:
    x, unb = _batched(where, input, nd)
    n, c = x.shape[:2]
    sizes = tuple(x.shape[2:])
    k = _ints(kernel_size, nd, f"{where} kernel_size", 1)
    if output_size is None and output_ratio is None:
        raise ValueError(f"{where} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,)
        if len(ratio) == 1:
            ratio = ratio * nd
        if len(ratio) != nd:
            raise ValueError(
                f"{where}: output_ratio must be a number or {nd} numbers, got {output_ratio!r}"
            )
        output_size = [int(size * r) for size, r in zip(sizes, ratio)]
    outs = _ints(output_size, nd, f"{where} output_size", 1)
    if any(o + kk - 1 > size for o, kk, size in zip(outs, k, sizes)):
        raise ValueError(
            f"{where}: output_size {outs} + kernel_size {k} - 1 must be at most the input "
            f"size {sizes}"
        )
    dtype = np.dtype(x.dtype) if np.dtype(x.dtype).kind == "f" else np.dtype(np.float64)
    if random_samples is None:
        samples = default_generator.rng.random((n, c, nd)).astype(dtype)
    else:
        samples = np.asarray(getattr(random_samples, "data", random_samples), dtype)
        if samples.shape != (n, c, nd):
            raise ValueError(
                f"{where}: _random_samples must have shape {(n, c, nd)} for an input of "
                f"shape {tuple(_tensor(input).shape)}, got {samples.shape}"
            )
    # torch's sample order: (W, H) for 2-D planes, (T, H, W) for 3-D volumes
    which = (1, 0) if nd == 2 else (0, 1, 2)
    axes = []
    for i in range(nd):
        seq = _intervals(samples[..., which[i]], sizes[i], outs[i], k[i])
        pos = seq[..., None] + np.arange(k[i])
        axes.append((pos, np.ones(pos.shape, bool)))
    return _unbatch(_window_max(x, *_combine(axes, sizes)), unb)


def fractional_max_pool2d_with_indices(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> tuple[Tensor, Tensor]:
    """``F.fractional_max_pool2d_with_indices``: max over kH x kW windows of (N, C, H, W)
    or (C, H, W) at pseudo-random steps reaching ``output_size`` (or ``output_ratio`` of
    the input), and the flat H*W index of each maximum.  ``_random_samples`` (N, C, 2) in
    [0, 1) gives the same windows as torch; without it the samples come from compgraph's
    generator (torch's random sequence cannot be reproduced)."""
    return _fractional(
        "fractional_max_pool2d",
        2,
        input,
        kernel_size,
        output_size,
        output_ratio,
        _random_samples,
    )


def fractional_max_pool2d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> Any:
    """``F.fractional_max_pool2d``: :func:`fractional_max_pool2d_with_indices`'s values,
    or the pair with ``return_indices``."""
    y, idx = fractional_max_pool2d_with_indices(
        input, kernel_size, output_size, output_ratio, True, _random_samples
    )
    return (y, idx) if return_indices else y


def fractional_max_pool3d_with_indices(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> tuple[Tensor, Tensor]:
    """``F.fractional_max_pool3d_with_indices``: as the 2-D one over (N, C, T, H, W) or
    (C, T, H, W), ``_random_samples`` (N, C, 3); the flat T*H*W index of each maximum."""
    return _fractional(
        "fractional_max_pool3d",
        3,
        input,
        kernel_size,
        output_size,
        output_ratio,
        _random_samples,
    )


def fractional_max_pool3d(
    input: Any,  # noqa: A002 (PyTorch's name)
    kernel_size: Any,
    output_size: Any = None,
    output_ratio: Any = None,
    return_indices: bool = False,
    _random_samples: Any = None,
) -> Any:
    """``F.fractional_max_pool3d``: :func:`fractional_max_pool3d_with_indices`'s values,
    or the pair with ``return_indices``."""
    y, idx = fractional_max_pool3d_with_indices(
        input, kernel_size, output_size, output_ratio, True, _random_samples
    )
    return (y, idx) if return_indices else y
