"""PyTorch's fake quantization (``torch.fake_quantize_per_tensor_affine`` /
``..._per_channel_affine``: float in, float out, as in quantization-aware training, with
the straight-through gradient) ``torch.segment_reduce`` and ``torch.hash_tensor``."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as cg
from ..tensor import Tensor
from .fn_args import as_tensor as _t

__all__ = [
    "fake_quantize_per_tensor_affine",
    "fake_quantize_per_channel_affine",
    "segment_reduce",
    "hash_tensor",
]


def _fake_quant(x: Any, scale: Any, zero_point: Any, qmin: int, qmax: int) -> Any:
    # torch rounds x * (1/scale) half to even in float32, then adds the zero point
    inv = (1.0 / np.asarray(scale, np.float32)).astype(np.float32)
    q = np.rint(x.detach().numpy() * inv) + zero_point
    inside = (q >= qmin) & (q <= qmax)
    value = (np.clip(q, qmin, qmax) - zero_point) * np.asarray(scale, np.float32)
    # straight-through: the gradient passes where the value was not clamped
    return cg.as_tensor(value.astype(x.dtype)) + (x - x.detach()) * cg.as_tensor(
        inside.astype(x.dtype)
    )


def _check_range(where: str, qmin: int, qmax: int) -> None:
    if qmin > qmax:
        raise ValueError(f"{where}: quant_min {qmin} must not exceed quant_max {qmax}")


def fake_quantize_per_tensor_affine(
    input: Any,  # noqa: A002 (PyTorch's name)
    scale: Any,
    zero_point: Any,
    quant_min: int,
    quant_max: int,
) -> Tensor:
    """``torch.fake_quantize_per_tensor_affine``: ``(clamp(round(x/scale) + zp, qmin,
    qmax) - zp) * scale``; gradient 1 inside the range, 0 where clamped."""
    x = _t(input)
    if x.dtype.kind != "f":
        raise TypeError(
            f"fake_quantize_per_tensor_affine: expected a floating input, got {x.dtype}"
        )
    _check_range("fake_quantize_per_tensor_affine", quant_min, quant_max)
    s = float(_t(scale).item()) if not isinstance(scale, (int, float)) else float(scale)
    z = int(_t(zero_point).item()) if not isinstance(zero_point, int) else zero_point
    if s <= 0:
        raise ValueError(f"fake_quantize_per_tensor_affine: scale must be positive, got {s}")
    return _fake_quant(x, s, z, quant_min, quant_max)


def fake_quantize_per_channel_affine(
    input: Any,  # noqa: A002 (PyTorch's name)
    scale: Any,
    zero_point: Any,
    axis: int,
    quant_min: int,
    quant_max: int,
) -> Tensor:
    """``torch.fake_quantize_per_channel_affine``: the per-tensor form with one scale
    and zero point per index of ``axis``."""
    x = _t(input)
    if x.dtype.kind != "f":
        raise TypeError(
            f"fake_quantize_per_channel_affine: expected a floating input, got {x.dtype}"
        )
    _check_range("fake_quantize_per_channel_affine", quant_min, quant_max)
    ax = axis % x.ndim
    s = np.asarray(_t(scale).detach().numpy(), np.float64).reshape(-1)
    z = np.asarray(_t(zero_point).detach().numpy()).reshape(-1)
    if s.shape[0] != x.shape[ax] or z.shape[0] != x.shape[ax]:
        raise ValueError(
            f"fake_quantize_per_channel_affine: expected {x.shape[ax]} scales and zero "
            f"points along axis {axis}, got {s.shape[0]} and {z.shape[0]}"
        )
    if (s <= 0).any():
        raise ValueError("fake_quantize_per_channel_affine: scales must be positive")
    view = [1] * x.ndim
    view[ax] = -1
    return _fake_quant(x, s.reshape(view), z.reshape(view), quant_min, quant_max)


_EMPTY = {  # segment_reduce's reduce= values (torch's words), not compgraph ops
    "sum": 0.0,
    "mean": np.nan,
    "max": -np.inf,
    "min": np.inf,
    "prod": 1.0,
}


def _reduce(seg: Any, reduce: str, axis: int, initial: Any) -> Any:
    n = seg.shape[axis]
    if n == 0:
        fill = _EMPTY[reduce] if initial is None else float(initial)
        shape = list(seg.shape)
        shape[axis] = 1
        return cg.as_tensor(np.full(shape, fill, seg.dtype)).squeeze(axis)
    if reduce == "sum":
        out = seg.sum(axis)
        return out if initial is None else out + initial
    if reduce == "mean":
        out = seg.sum(axis)
        return (out if initial is None else out + initial) / n
    if reduce == "prod":
        out = seg.prod(axis)
        return out if initial is None else out * initial
    out = seg.max(axis) if reduce == "max" else seg.min(axis)
    if initial is None:
        return out
    init = cg.as_tensor(np.full(tuple(out.shape), float(initial), seg.dtype))
    return cg.maximum(out, init) if reduce == "max" else cg.minimum(out, init)


def segment_reduce(
    data: Any,
    reduce: str,
    *,
    lengths: Any = None,
    indices: Any = None,
    offsets: Any = None,
    axis: int = 0,
    unsafe: bool = False,
    initial: Any = None,
) -> Tensor:
    """``torch.segment_reduce``: reduce (sum, mean, max, min, prod) consecutive segments
    of ``data`` along ``axis``, given by 1-D ``lengths`` or ``offsets``; empty segments
    give ``initial`` or the reduction's identity (NaN for mean); differentiable."""
    x = _t(data)
    if reduce not in _EMPTY:
        raise ValueError(f"segment_reduce: reduce must be one of {sorted(_EMPTY)}, got {reduce!r}")
    if indices is not None:
        raise NotImplementedError("segment_reduce: indices= is not supported (nor by torch)")
    if (lengths is None) == (offsets is None):
        raise ValueError("segment_reduce: give exactly one of lengths and offsets")
    ax = axis % x.ndim
    if lengths is not None:
        lens = np.asarray(_t(lengths).numpy()).astype(np.int64)
        if lens.ndim != 1:
            raise NotImplementedError("segment_reduce: only 1-D lengths are supported")
        bounds = np.concatenate([[0], np.cumsum(lens)])
    else:
        bounds = np.asarray(_t(offsets).numpy()).astype(np.int64)
        if bounds.ndim != 1:
            raise NotImplementedError("segment_reduce: only 1-D offsets are supported")
    if ax != 0:
        # torch: the axis is the segments' last (with 1-D lengths, the first) dim
        raise ValueError(f"segment_reduce: with 1-D lengths/offsets axis must be 0, got {axis}")
    if (np.diff(bounds) < 0).any() or bounds[0] < 0 or bounds[-1] > x.shape[ax]:
        raise ValueError(
            f"segment_reduce: segments must be non-negative and cover at most the "
            f"{x.shape[ax]} entries along axis {axis}"
        )
    parts = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        sl = [slice(None)] * x.ndim
        sl[ax] = slice(int(a), int(b))
        parts.append(_reduce(x[tuple(sl)], reduce, ax, initial))
    return cg.stack(parts, ax)


def hash_tensor(
    input: Any,  # noqa: A002 (PyTorch's name)
    dim: Any = None,
    *,
    keepdim: bool = False,
    mode: int = 0,
) -> Tensor:
    """``torch.hash_tensor``: the xor of the elements' 64-bit patterns (floats as
    float64, integers and bools as int64), over ``dim`` (all by default); uint64."""
    x = _t(input)
    if mode != 0:
        raise ValueError(f"hash_tensor: only mode=0 (xor reduction) exists, got {mode!r}")
    arr = x.detach().numpy()
    if arr.dtype.kind == "f":
        bits = arr.astype(np.float64).view(np.uint64)
    elif arr.dtype.kind in "biu":
        bits = arr.astype(np.int64).view(np.uint64)
    else:
        raise TypeError(f"hash_tensor: expected a real or integer tensor, got {arr.dtype}")
    axes: Any = None if dim is None else (dim if isinstance(dim, int) else tuple(dim))
    xor: Any = np.bitwise_xor
    return cg.as_tensor(xor.reduce(bits, axis=axes, keepdims=bool(keepdim)))
