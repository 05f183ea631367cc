"""PyTorch's signal functions: the windows (``torch.hann_window`` ...), ``torch.stft`` /
``torch.istft`` (differentiable, through compgraph's FFTs) and ``torch.gradient``
(differentiable in the input)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import fft
from .. import functions as cg
from ..ops.defaults import default_float
from ..tensor import Tensor
from . import functional as F
from .fn_args import as_tensor as _as_tensor

__all__ = [
    "hann_window",
    "hamming_window",
    "blackman_window",
    "bartlett_window",
    "kaiser_window",
    "stft",
    "istft",
    "gradient",
]


def _window(where: str, n: int, periodic: bool, dtype: Any, requires_grad: bool, fn: Any) -> Tensor:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"{where}: window_length must be a non-negative int, got {n!r}")
    dt = default_float(np.float32) if dtype is None else np.dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"{where}: expected a floating point dtype, got {dt}")
    if n <= 1:
        arr = np.ones(n, dt)
    else:
        # a periodic window is the symmetric one of length n + 1 without its last point
        m = n + 1 if periodic else n
        arr = fn(np.arange(n, dtype=np.float64), m - 1).astype(dt)
    return cg.as_tensor(arr, requires_grad=requires_grad)


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool | None = False,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.hann_window``: ``0.5 - 0.5 cos(2 pi n / N)`` (``N`` = length, or length
    - 1 when not periodic); float32 unless ``dtype``."""
    return _window(
        "hann_window",
        window_length,
        periodic,
        dtype,
        requires_grad,
        lambda k, m: 0.5 - 0.5 * np.cos(2 * np.pi * k / m),
    )


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool | None = False,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.hamming_window``: ``alpha - beta cos(2 pi n / N)``."""
    return _window(
        "hamming_window",
        window_length,
        periodic,
        dtype,
        requires_grad,
        lambda k, m: alpha - beta * np.cos(2 * np.pi * k / m),
    )


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool | None = False,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.blackman_window``: ``0.42 - 0.5 cos(2 pi n/N) + 0.08 cos(4 pi n/N)``."""
    return _window(
        "blackman_window",
        window_length,
        periodic,
        dtype,
        requires_grad,
        lambda k, m: 0.42 - 0.5 * np.cos(2 * np.pi * k / m) + 0.08 * np.cos(4 * np.pi * k / m),
    )


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool | None = False,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.bartlett_window``: the triangle ``1 - |2n/N - 1|``."""
    return _window(
        "bartlett_window",
        window_length,
        periodic,
        dtype,
        requires_grad,
        lambda k, m: 1.0 - np.abs(2.0 * k / m - 1.0),
    )


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool | None = False,
    requires_grad: bool = False,
) -> Tensor:
    """``torch.kaiser_window``: ``I0(beta sqrt(1 - (2n/N - 1)^2)) / I0(beta)``."""
    return _window(
        "kaiser_window",
        window_length,
        periodic,
        dtype,
        requires_grad,
        lambda k, m: (
            np.i0(beta * np.sqrt(np.clip(1.0 - (2.0 * k / m - 1.0) ** 2, 0, None))) / np.i0(beta)
        ),
    )


def _fft_window(where: str, window: Any, win_length: int, n_fft: int, dtype: Any) -> Tensor:
    if window is None:
        w = cg.as_tensor(np.ones(win_length, dtype=dtype))
    else:
        w = _as_tensor(window)
        if w.ndim != 1 or w.shape[0] != win_length:
            raise ValueError(
                f"{where}: expected a 1-D window of size win_length={win_length}, "
                f"got shape {tuple(w.shape)}"
            )
    if win_length < n_fft:
        # centred in n_fft, zeros either side (torch's padding)
        left = (n_fft - win_length) // 2
        w = F.pad(w, [left, n_fft - win_length - left])
    return w


def _lengths(where: str, n_fft: int, hop_length: Any, win_length: Any) -> tuple:
    hop = n_fft // 4 if hop_length is None else int(hop_length)
    win = n_fft if win_length is None else int(win_length)
    if n_fft <= 0 or hop <= 0 or not 0 < win <= n_fft:
        raise ValueError(
            f"{where}: expected 0 < n_fft, 0 < hop_length and 0 < win_length <= n_fft, "
            f"got n_fft={n_fft}, hop_length={hop}, win_length={win}"
        )
    return hop, win


def stft(
    input: Any,  # noqa: A002 (PyTorch's name)
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Any = None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool | None = None,
    return_complex: bool | None = None,
) -> Tensor:
    """``torch.stft``: the short-time Fourier transform of a 1-D ``(L,)`` or batched
    ``(B, L)`` signal, ``(B?, n_fft//2 + 1 or n_fft, n_frames)`` complex (or ``(..., 2)``
    real with ``return_complex=False``); differentiable in the input and window."""
    x = _as_tensor(input)
    if return_complex is None and not x.is_complex():
        raise ValueError(
            "stft: the return_complex parameter must be given for real inputs "
            "(return_complex=True is recommended, as in torch)"
        )
    if x.ndim not in (1, 2):
        raise ValueError(f"stft: expected a 1-D or 2-D input, got shape {tuple(x.shape)}")
    hop, win = _lengths("stft", n_fft, hop_length, win_length)
    batched = x.ndim == 2
    if not batched:
        x = x.reshape(1, -1)
    if center:
        if pad_mode not in ("reflect", "constant", "replicate", "circular"):
            raise ValueError(f"stft: unknown pad_mode {pad_mode!r}")
        x = F.pad(x.reshape(x.shape[0], 1, x.shape[1]), [n_fft // 2, n_fft // 2], pad_mode)
        x = x.reshape(x.shape[0], x.shape[2])
    length = x.shape[1]
    if n_fft > length:
        raise ValueError(f"stft: n_fft={n_fft} is longer than the (padded) signal {length}")
    n_frames = 1 + (length - n_fft) // hop
    idx = np.arange(n_frames)[:, None] * hop + np.arange(n_fft)[None, :]
    frames = x[:, idx]  # (B, n_frames, n_fft)
    real_dtype = np.real(np.zeros(0, x.dtype)).dtype
    frames = frames * _fft_window("stft", window, win, n_fft, real_dtype)
    one = (not x.is_complex()) if onesided is None else bool(onesided)
    if one and x.is_complex():
        raise ValueError("stft: onesided=True cannot be used with a complex input")
    spec = fft.rfft(frames, axis=-1) if one else fft.fft(frames, axis=-1)
    if normalized:
        spec = spec * (1.0 / math.sqrt(n_fft))
    spec = spec.transpose(1, 2)
    if not batched:
        spec = spec.reshape(spec.shape[1], spec.shape[2])
    return spec if return_complex or return_complex is None else cg.view_as_real(spec)


def istft(
    input: Any,  # noqa: A002 (PyTorch's name)
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Any = None,
    center: bool = True,
    normalized: bool = False,
    onesided: bool | None = None,
    length: int | None = None,
    return_complex: bool = False,
) -> Tensor:
    """``torch.istft``: the inverse of :func:`stft` by windowed overlap-add, divided by
    the summed squared window (which must not vanish: NOLA, else ValueError)."""
    spec = _as_tensor(input)
    if not spec.is_complex():
        raise TypeError(f"istft: expected a complex input, got {spec.dtype}")
    if spec.ndim not in (2, 3):
        raise ValueError(f"istft: expected a 2-D or 3-D input, got shape {tuple(spec.shape)}")
    hop, win = _lengths("istft", n_fft, hop_length, win_length)
    batched = spec.ndim == 3
    if not batched:
        spec = spec.reshape(1, *spec.shape)
    n_freq, n_frames = spec.shape[1], spec.shape[2]
    one = (n_freq != n_fft) if onesided is None else bool(onesided)
    if one and n_freq != n_fft // 2 + 1:
        raise ValueError(
            f"istft: a onesided input needs n_fft//2 + 1 = {n_fft // 2 + 1} rows, got {n_freq}"
        )
    if not one and n_freq != n_fft:
        raise ValueError(f"istft: a twosided input needs n_fft = {n_fft} rows, got {n_freq}")
    if one and return_complex:
        raise ValueError("istft: return_complex=True needs a twosided input (onesided=False)")
    spec = spec.transpose(1, 2)  # (B, n_frames, n_freq)
    if normalized:
        spec = spec * math.sqrt(n_fft)
    if one:
        frames = fft.irfft(spec, n=n_fft, axis=-1)
    else:
        frames = fft.ifft(spec, axis=-1)
        if not return_complex:
            frames = cg.real(frames)
    real_dtype = np.real(np.zeros(0, spec.dtype)).dtype
    w = _fft_window("istft", window, win, n_fft, real_dtype)
    frames = frames * w
    total = n_fft + hop * (n_frames - 1)
    # overlap-add: every frame sample's place in the output signal
    pos = (np.arange(n_frames)[:, None] * hop + np.arange(n_fft)[None, :]).reshape(-1)
    batch = frames.shape[0]
    y = cg.zeros((total, batch), dtype=frames.dtype)
    y = cg.index_add(y, 0, cg.as_tensor(pos), frames.reshape(batch, -1).transpose(0, 1))
    y = y.transpose(0, 1)
    env = cg.index_add(
        cg.zeros(total, dtype=w.dtype),
        0,
        cg.as_tensor(pos),
        (w * w).reshape(1, -1).expand(n_frames, n_fft).reshape(-1),
    )
    start = n_fft // 2 if center else 0
    end = total - (n_fft // 2 if center else 0)
    if length is not None:
        end = start + int(length)
    end_in = min(end, total)
    env = env[start:end_in]
    if bool((env.detach().abs() < 1e-11).any()):
        raise ValueError(
            "istft: window overlap-add has zeros (the NOLA condition fails); choose a "
            "window and hop_length whose squared windows overlap everywhere"
        )
    y = y[:, start:end_in] / env
    if end > total:
        y = F.pad(y, [0, end - total])
    return y if batched else y.reshape(y.shape[1])


def _coords(where: str, spacing: Any, dims: list, x: Tensor) -> list:
    """Per dimension: a float spacing or a 1-D NumPy array of coordinates."""
    if spacing is None:
        return [1.0] * len(dims)
    if isinstance(spacing, (int, float, np.number)) and not isinstance(spacing, bool):
        return [float(spacing)] * len(dims)
    if isinstance(spacing, Tensor) and spacing.ndim == 0:
        return [float(spacing.item())] * len(dims)
    items = list(spacing)
    if len(items) != len(dims):
        raise ValueError(
            f"{where}: expected spacing to be unspecified, a scalar or a list of length "
            f"{len(dims)} (one per dim), got {len(items)}"
        )
    out: list = []
    for d, s in zip(dims, items):
        if isinstance(s, Tensor) and s.ndim == 1 or isinstance(s, (list, np.ndarray)):
            c = np.asarray(s.detach().numpy() if isinstance(s, Tensor) else s, np.float64)
            if c.ndim != 1 or c.shape[0] != x.shape[d]:
                raise ValueError(
                    f"{where}: coordinates for dim {d} must be 1-D of size {x.shape[d]}, "
                    f"got shape {c.shape}"
                )
            out.append(c)
        else:
            out.append(float(s.item() if isinstance(s, Tensor) else s))
    return out


def _take(x: Any, dim: int, start: int, stop: int | None) -> Any:
    sl = [slice(None)] * x.ndim
    sl[dim] = slice(start, stop)
    return x[tuple(sl)]


def _along(c: np.ndarray, dim: int, ndim: int, dtype: Any) -> Tensor:
    shape = [1] * ndim
    shape[dim] = c.shape[0]
    return cg.as_tensor(c.reshape(shape).astype(dtype))


def _grad1(x: Tensor, dim: int, h: Any, edge_order: int) -> Tensor:
    n = x.shape[dim]
    if n < edge_order + 1:
        raise ValueError(
            f"gradient: each differentiated dim needs at least edge_order + 1 = "
            f"{edge_order + 1} points, dim {dim} has {n}"
        )
    dt = x.dtype
    coords = np.arange(n, dtype=np.float64) * h if np.isscalar(h) else h
    dx = np.diff(coords)
    hd, hs = dx[:-1], dx[1:]
    # numpy's (and torch's) second-order interior stencil on unequal steps
    a = -hs / (hd * (hd + hs))
    b = (hs - hd) / (hd * hs)
    c = hd / (hs * (hd + hs))
    nd = x.ndim
    inner = (
        _take(x, dim, 0, n - 2) * _along(a, dim, nd, dt)
        + _take(x, dim, 1, n - 1) * _along(b, dim, nd, dt)
        + _take(x, dim, 2, None) * _along(c, dim, nd, dt)
    )
    if edge_order == 1:
        first = (_take(x, dim, 1, 2) - _take(x, dim, 0, 1)) / float(dx[0])
        last = (_take(x, dim, n - 1, n) - _take(x, dim, n - 2, n - 1)) / float(dx[-1])
    else:
        d1, d2 = float(dx[0]), float(dx[1])
        first = (
            _take(x, dim, 0, 1) * (-(2.0 * d1 + d2) / (d1 * (d1 + d2)))
            + _take(x, dim, 1, 2) * ((d1 + d2) / (d1 * d2))
            + _take(x, dim, 2, 3) * (-d1 / (d2 * (d1 + d2)))
        )
        d1, d2 = float(dx[-2]), float(dx[-1])
        last = (
            _take(x, dim, n - 3, n - 2) * (d2 / (d1 * (d1 + d2)))
            + _take(x, dim, n - 2, n - 1) * (-(d2 + d1) / (d1 * d2))
            + _take(x, dim, n - 1, n) * ((2.0 * d2 + d1) / (d2 * (d1 + d2)))
        )
    return cg.concatenate([first, inner, last], axis=dim)


def gradient(
    input: Any,  # noqa: A002 (PyTorch's name)
    *varargs: Any,
    spacing: Any = 1,
    dim: Any = None,
    edge_order: int = 1,
    axis: Any = None,
) -> Any:
    """``torch.gradient``: central differences in the interior and one-sided ones (first
    or second order, ``edge_order``) at the edges, per dim; ``spacing`` a scalar, one
    scalar per dim or one coordinate tensor per dim.  A tuple of tensors, one per dim;
    differentiable in the input.

    NumPy's form, ``np.gradient(f, *varargs, axis=None, edge_order=1)`` (spacings given
    positionally, or ``axis=``), gives NumPy's result: one Tensor for one axis, else a
    list.  (Called with the input alone it is torch's: a tuple, even for 1-D input.)"""
    if varargs or axis is not None:
        if dim is not None:
            raise TypeError("gradient: give dim= (torch's) or axis= (NumPy's), not both")
        if varargs:
            one_scalar = len(varargs) == 1 and np.ndim(varargs[0]) == 0
            spacing = varargs[0] if one_scalar else list(varargs)  # (arrays: one per axis)
        out = gradient(input, spacing=spacing, dim=axis, edge_order=edge_order)
        return out[0] if len(out) == 1 else list(out)
    x = _as_tensor(input)
    if edge_order not in (1, 2):
        raise ValueError(f"gradient: edge_order must be 1 or 2, got {edge_order!r}")
    if x.dtype.kind in "biu":
        x = x.astype(default_float(np.float32))
    if dim is None:
        dims = list(range(x.ndim))
    elif isinstance(dim, (int, np.integer)):
        dims = [int(dim)]
    else:
        dims = [int(d) for d in dim]
    dims = [d % x.ndim if -x.ndim <= d < x.ndim else d for d in dims]
    if any(not 0 <= d < x.ndim for d in dims) or len(set(dims)) != len(dims):
        raise ValueError(f"gradient: dim {dim!r} is out of range or repeated for {x.ndim}-D input")
    hs = _coords("gradient", spacing, dims, x)
    return tuple(_grad1(x, d, h, edge_order) for d, h in zip(dims, hs))
