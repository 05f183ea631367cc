"""TensorFlow's ``tf.signal`` on compgraph values: ``cg.signal.stft``, ``frame``,
``overlap_and_add``, ``dct``, ``rfft``, ``linear_to_mel_weight_matrix`` ...

As TensorFlow's, the transforms work over the innermost dims (leading dims are batch
dims) and are differentiable: they are built from ``cg.fft``'s ops, gathers, index-adds
and matrix products.  Windows and mel matrices are constants.

>>> import compgraph as cg
>>> cg.signal.frame(cg.arange(6.0), 3, 2).tolist()
[[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import fft as _fft
from .ops.namespace import cg

__all__ = [
    "fft",
    "ifft",
    "fft2d",
    "ifft2d",
    "fft3d",
    "ifft3d",
    "rfft",
    "irfft",
    "rfft2d",
    "irfft2d",
    "rfft3d",
    "irfft3d",
    "fftnd",
    "ifftnd",
    "rfftnd",
    "irfftnd",
    "fftshift",
    "ifftshift",
    "frame",
    "overlap_and_add",
    "stft",
    "inverse_stft",
    "inverse_stft_window_fn",
    "hann_window",
    "hamming_window",
    "vorbis_window",
    "kaiser_window",
    "kaiser_bessel_derived_window",
    "dct",
    "idct",
    "mdct",
    "inverse_mdct",
    "linear_to_mel_weight_matrix",
    "mfccs_from_log_mel_spectrograms",
]


def _t(x: Any) -> Any:
    return (
        x
        if hasattr(x, "shape") and hasattr(x, "ndim") and not isinstance(x, np.ndarray)
        else cg.asarray(x)
    )


def _lengths(fft_length: Any, rank: int, where: str) -> list | None:
    if fft_length is None:
        return None
    n = [
        int(v)
        for v in np.ravel(
            np.asarray(fft_length.numpy() if hasattr(fft_length, "numpy") else fft_length)
        )
    ]
    if len(n) != rank:
        raise ValueError(f"signal.{where}: fft_length must have {rank} entries, got {n}")
    return n


def _need_rank(x: Any, rank: int, where: str) -> None:
    if x.ndim < rank:
        raise ValueError(
            f"signal.{where}: expected a tensor of rank >= {rank}, got shape {x.shape}"
        )


def _complex(x: Any, where: str) -> Any:
    if np.dtype(x.dtype).kind != "c":
        raise TypeError(f"signal.{where}: expected a complex tensor, got {x.dtype}")
    return x


def fft(input: Any, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.fft``: the DFT over the innermost dim (complex input)."""
    return _fft.fft(_complex(_t(input), "fft"), axis=-1)


def ifft(input: Any, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.ifft``: the inverse DFT over the innermost dim."""
    return _fft.ifft(_complex(_t(input), "ifft"), axis=-1)


def _nd(kind: Callable[..., Any], x: Any, rank: int, where: str, lengths: Any = None) -> Any:
    _need_rank(x, rank, where)
    return kind(x, s=lengths, axes=tuple(range(-rank, 0)))


def fft2d(input: Any, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.fft2d``: the DFT over the 2 innermost dims."""
    return _nd(_fft.fftn, _complex(_t(input), "fft2d"), 2, "fft2d")


def ifft2d(input: Any, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.ifft2d``: the inverse DFT over the 2 innermost dims."""
    return _nd(_fft.ifftn, _complex(_t(input), "ifft2d"), 2, "ifft2d")


def fft3d(input: Any, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.fft3d``: the DFT over the 3 innermost dims."""
    return _nd(_fft.fftn, _complex(_t(input), "fft3d"), 3, "fft3d")


def ifft3d(input: Any, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.ifft3d``: the inverse DFT over the 3 innermost dims."""
    return _nd(_fft.ifftn, _complex(_t(input), "ifft3d"), 3, "ifft3d")


def _real(x: Any, where: str) -> Any:
    if np.dtype(x.dtype).kind not in "f":
        raise TypeError(f"signal.{where}: expected a real floating tensor, got {x.dtype}")
    return x


def rfft(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.rfft``: the real DFT over the innermost dim
    (``fft_length`` crops or zero-pads it)."""
    x = _real(_t(input_tensor), "rfft")
    n = _lengths(fft_length, 1, "rfft")
    return _fft.rfft(x, n=None if n is None else n[0], axis=-1)


def irfft(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.irfft``: the inverse of :func:`rfft` (``fft_length``
    defaults to ``2 * (n - 1)``)."""
    x = _complex(_t(input_tensor), "irfft")
    n = _lengths(fft_length, 1, "irfft")
    return _fft.irfft(x, n=None if n is None else n[0], axis=-1)


def rfft2d(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.rfft2d``: the real DFT over the 2 innermost dims."""
    x = _real(_t(input_tensor), "rfft2d")
    return _nd(_fft.rfftn, x, 2, "rfft2d", _lengths(fft_length, 2, "rfft2d"))


def irfft2d(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.irfft2d``: the inverse of :func:`rfft2d`."""
    x = _complex(_t(input_tensor), "irfft2d")
    return _nd(_fft.irfftn, x, 2, "irfft2d", _lengths(fft_length, 2, "irfft2d"))


def rfft3d(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.rfft3d``: the real DFT over the 3 innermost dims."""
    x = _real(_t(input_tensor), "rfft3d")
    return _nd(_fft.rfftn, x, 3, "rfft3d", _lengths(fft_length, 3, "rfft3d"))


def irfft3d(input_tensor: Any, fft_length: Any = None, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.irfft3d``: the inverse of :func:`rfft3d`."""
    x = _complex(_t(input_tensor), "irfft3d")
    return _nd(_fft.irfftn, x, 3, "irfft3d", _lengths(fft_length, 3, "irfft3d"))


def _nd_general(
    kind: Callable[..., Any], x: Any, fft_length: Any, axes: Any, norm: Any, where: str
) -> Any:
    if axes is None:
        ax = None if fft_length is None else tuple(range(-len(np.ravel(fft_length)), 0))
    else:
        ax = tuple(int(a) for a in np.ravel(axes))
    n = None if fft_length is None else [int(v) for v in np.ravel(fft_length)]
    return kind(x, s=n, axes=ax, norm=norm)


def fftnd(
    input_tensor: Any,
    fft_length: Any = None,
    axes: Any = None,
    norm: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.fftnd``: the DFT over ``axes`` (all by default)."""
    x = _complex(_t(input_tensor), "fftnd")
    return _nd_general(_fft.fftn, x, fft_length, axes, norm, "fftnd")


def ifftnd(
    input_tensor: Any,
    fft_length: Any = None,
    axes: Any = None,
    norm: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.ifftnd``: the inverse DFT over ``axes``."""
    x = _complex(_t(input_tensor), "ifftnd")
    return _nd_general(_fft.ifftn, x, fft_length, axes, norm, "ifftnd")


def rfftnd(
    input_tensor: Any,
    fft_length: Any = None,
    axes: Any = None,
    norm: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.rfftnd``: the real DFT over ``axes``."""
    x = _real(_t(input_tensor), "rfftnd")
    return _nd_general(_fft.rfftn, x, fft_length, axes, norm, "rfftnd")


def irfftnd(
    input_tensor: Any,
    fft_length: Any = None,
    axes: Any = None,
    norm: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.irfftnd``: the inverse of :func:`rfftnd`."""
    x = _complex(_t(input_tensor), "irfftnd")
    return _nd_general(_fft.irfftn, x, fft_length, axes, norm, "irfftnd")


def fftshift(x: Any, axes: Any = None, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.fftshift``: the zero frequency moved to the centre."""
    return _fft.fftshift(_t(x), axes=axes)


def ifftshift(x: Any, axes: Any = None, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.ifftshift``: the inverse of :func:`fftshift`."""
    return _fft.ifftshift(_t(x), axes=axes)


# ------------------------------------------------------------------ framing
def frame(
    signal: Any,
    frame_length: int,
    frame_step: int,
    pad_end: bool = False,
    pad_value: Any = 0,
    axis: int = -1,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.frame``: overlapping windows of ``frame_length`` every
    ``frame_step`` along ``axis``, which becomes two dims (frames, frame_length)."""
    x = _t(signal)
    length, step = int(frame_length), int(frame_step)
    if length <= 0 or step <= 0:
        raise ValueError(
            f"signal.frame: frame_length and frame_step must be positive, got {length} and {step}"
        )
    if x.ndim < 1:
        raise ValueError(f"signal.frame: expected a tensor of rank >= 1, got shape {x.shape}")
    ax = int(axis) % x.ndim
    x = cg.moveaxis(x, ax, -1)
    n = x.shape[-1]
    if pad_end:
        frames = -(-n // step)
        extra = max((frames - 1) * step + length - n, 0)
        if extra:
            pads = [(0, 0)] * (x.ndim - 1) + [(0, extra)]
            x = cg.pad(x, pads, constant_values=pad_value)
    else:
        frames = max(1 + (n - length) // step, 0) if n >= length else 0
    idx = step * np.arange(frames)[:, None] + np.arange(length)[None, :]
    out = cg.take(x, cg.asarray(idx.astype(np.int64)), axis=-1)
    if ax == x.ndim - 1:
        return out
    return cg.moveaxis(cg.moveaxis(out, -2, ax), -1, ax + 1)


def overlap_and_add(signal: Any, frame_step: int, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.overlap_and_add``: ``[..., frames, frame_length]`` ->
    ``[..., (frames - 1) * frame_step + frame_length]``, overlapping frames summed."""
    x = _t(signal)
    if x.ndim < 2:
        raise ValueError(
            f"signal.overlap_and_add: expected a tensor of rank >= 2, got shape {x.shape}"
        )
    step = int(frame_step)
    if step <= 0:
        raise ValueError(f"signal.overlap_and_add: frame_step must be positive, got {step}")
    frames, length = x.shape[-2], x.shape[-1]
    total = max((frames - 1) * step + length, 0) if frames else 0
    idx = (step * np.arange(frames)[:, None] + np.arange(length)[None, :]).reshape(-1)
    flat = cg.reshape(x, (*x.shape[:-2], frames * length))
    out = cg.zeros((*x.shape[:-2], total), dtype=x.dtype)
    return cg.index_add(out, -1, cg.asarray(idx.astype(np.int64)), flat)


# ------------------------------------------------------------------ windows
def _window(values: np.ndarray, dtype: Any) -> Any:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"signal: window dtype must be floating, got {dt}")
    return cg.asarray(values.astype(dt))


def _raised_cosine(window_length: int, periodic: bool, dtype: Any, a: float, b: float) -> Any:
    n = int(window_length)
    if n == 1:
        return _window(np.ones(1), dtype)
    # TF's quirk: ``periodic`` only changes even lengths
    denom = n if periodic and n % 2 == 0 else n - 1
    return _window(a - b * np.cos(2 * np.pi * np.arange(n) / denom), dtype)


def hann_window(
    window_length: int, periodic: bool = True, dtype: Any = "float32", name: str | None = None
) -> Any:
    """TensorFlow's ``tf.signal.hann_window`` (periodic by default; as TF's, odd lengths
    are always symmetric)."""
    return _raised_cosine(window_length, periodic, dtype, 0.5, 0.5)


def hamming_window(
    window_length: int, periodic: bool = True, dtype: Any = "float32", name: str | None = None
) -> Any:
    """TensorFlow's ``tf.signal.hamming_window`` (periodic by default)."""
    return _raised_cosine(window_length, periodic, dtype, 0.54, 0.46)


def vorbis_window(window_length: int, dtype: Any = "float32", name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.vorbis_window``: ``sin(pi/2 sin^2(pi (n + 1/2) / N))``."""
    n = int(window_length)
    return _window(np.sin(np.pi / 2 * np.sin(np.pi * (np.arange(n) + 0.5) / n) ** 2), dtype)


def _kaiser(n: int, beta: float) -> np.ndarray:
    if n == 1:
        return np.ones(1)
    r = 2 * np.arange(n) / (n - 1) - 1
    return np.i0(beta * np.sqrt(np.clip(1 - r * r, 0, None))) / np.i0(beta)


def kaiser_window(
    window_length: int, beta: float = 12.0, dtype: Any = "float32", name: str | None = None
) -> Any:
    """TensorFlow's ``tf.signal.kaiser_window`` (symmetric)."""
    return _window(_kaiser(int(window_length), float(beta)), dtype)


def kaiser_bessel_derived_window(
    window_length: int, beta: float = 12.0, dtype: Any = "float32", name: str | None = None
) -> Any:
    """TensorFlow's ``tf.signal.kaiser_bessel_derived_window``."""
    half = int(window_length) // 2
    cs = np.cumsum(_kaiser(half + 1, float(beta)))
    sq = np.sqrt(cs[:-1] / cs[-1])
    return _window(np.concatenate([sq, sq[::-1]]), dtype)


def inverse_stft_window_fn(
    frame_step: int, forward_window_fn: Callable[..., Any] = hann_window, name: str | None = None
) -> Callable[..., Any]:
    """TensorFlow's ``tf.signal.inverse_stft_window_fn``: the window function that makes
    :func:`inverse_stft` invert :func:`stft` made with ``forward_window_fn``."""
    step = int(frame_step)

    def window_fn(frame_length: int, dtype: Any = "float32") -> Any:
        fw = np.asarray(forward_window_fn(frame_length, dtype=dtype).numpy(), dtype=np.float64)
        overlaps = -(-int(frame_length) // step)
        denom = np.pad(fw * fw, (0, overlaps * step - int(frame_length))).reshape(overlaps, step)
        tiled = np.tile(denom.sum(0, keepdims=True), (overlaps, 1)).reshape(-1)
        return _window(fw / tiled[: int(frame_length)], dtype)

    return window_fn


# ------------------------------------------------------------------ spectrograms
def _default_fft_length(frame_length: int) -> int:
    return 1 << max(int(frame_length) - 1, 0).bit_length()


def stft(
    signals: Any,
    frame_length: int,
    frame_step: int,
    fft_length: int | None = None,
    window_fn: Callable[..., Any] | None = hann_window,
    pad_end: bool = False,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.stft``: ``[..., samples]`` -> ``[..., frames,
    fft_length // 2 + 1]`` (``fft_length`` defaults to the next power of 2)."""
    x = _real(_t(signals), "stft")
    n_fft = _default_fft_length(frame_length) if fft_length is None else int(fft_length)
    framed = frame(x, frame_length, frame_step, pad_end=pad_end)
    if window_fn is not None:
        framed = framed * window_fn(int(frame_length), dtype=x.dtype)
    return _fft.rfft(framed, n=n_fft, axis=-1)


def inverse_stft(
    stfts: Any,
    frame_length: int,
    frame_step: int,
    fft_length: int | None = None,
    window_fn: Callable[..., Any] | None = hann_window,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.inverse_stft``: overlap-add of the windowed inverse real
    DFTs (pass ``window_fn=inverse_stft_window_fn(frame_step)`` for a perfect inverse)."""
    s = _complex(_t(stfts), "inverse_stft")
    length = int(frame_length)
    n_fft = _default_fft_length(length) if fft_length is None else int(fft_length)
    frames = _fft.irfft(s, n=n_fft, axis=-1)[..., :length]
    if n_fft < length:
        frames = cg.pad(frames, [(0, 0)] * (frames.ndim - 1) + [(0, length - n_fft)])
    if window_fn is not None:
        frames = frames * window_fn(length, dtype=frames.dtype)
    return overlap_and_add(frames, frame_step)


# ------------------------------------------------------------------ DCT / MDCT
def _dct_matrix(kind: int, n: int, norm: Any) -> np.ndarray:
    """``M`` with ``dct(x) = x @ M.T`` (TensorFlow's, i.e. scipy's, unnormalised
    definitions, or the orthonormal ones)."""
    k = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    if kind == 1:
        m = 2 * np.cos(np.pi * k * j / max(n - 1, 1))
        m[:, 0] = 1
        m[:, -1] = (-1.0) ** np.arange(n)
    elif kind == 2:
        m = 2 * np.cos(np.pi * k * (2 * j + 1) / (2 * n))
        if norm == "ortho":
            m[0] *= np.sqrt(1 / (4 * n))
            m[1:] *= np.sqrt(1 / (2 * n))
    elif kind == 3:
        m = 2 * np.cos(np.pi * j * (2 * k + 1) / (2 * n))
        if norm == "ortho":
            m = _dct_matrix(2, n, "ortho").T.copy()
        else:
            m[:, 0] = 1
    else:
        m = 2 * np.cos(np.pi * (2 * j + 1) * (2 * k + 1) / (4 * n))
        if norm == "ortho":
            m *= np.sqrt(1 / (2 * n))
    return m


def dct(
    input: Any,
    type: int = 2,
    n: int | None = None,
    axis: int = -1,
    norm: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.dct`` (types 1-4, ``norm`` None or 'ortho', over the
    innermost dim; ``n`` crops or zero-pads it), as a product with the DCT matrix."""
    x = _real(_t(input), "dct")
    if type not in (1, 2, 3, 4):
        raise ValueError(f"signal.dct: type must be 1, 2, 3 or 4, got {type}")
    if norm not in (None, "ortho"):
        raise ValueError(f"signal.dct: norm must be None or 'ortho', got {norm!r}")
    if axis not in (-1, x.ndim - 1):
        raise NotImplementedError(
            f"signal.dct: only axis=-1 is supported (as TensorFlow), got {axis}"
        )
    if type == 1 and norm == "ortho":
        raise ValueError("signal.dct: norm='ortho' is not supported for type 1 (as TensorFlow)")
    if n is not None:
        if int(n) < 1:
            raise ValueError(f"signal.dct: n must be positive, got {n}")
        size = x.shape[-1]
        if int(n) < size:
            x = x[..., : int(n)]
        elif int(n) > size:
            x = cg.pad(x, [(0, 0)] * (x.ndim - 1) + [(0, int(n) - size)])
    size = x.shape[-1]
    if type == 1 and size < 2:
        raise ValueError(f"signal.dct: type 1 needs at least 2 points, got {size}")
    m = _dct_matrix(int(type), size, norm).T.astype(x.dtype)
    return cg.matmul(x, cg.asarray(m))


def idct(
    input: Any,
    type: int = 2,
    n: int | None = None,
    axis: int = -1,
    norm: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.idct``: the DCT of the inverse type (1->1, 2->3, 3->2,
    4->4); without ``norm='ortho'`` it inverts only up to a factor ``2 N`` (as TF)."""
    if type not in (1, 2, 3, 4):
        raise ValueError(f"signal.idct: type must be 1, 2, 3 or 4, got {type}")
    return dct(input, type={1: 1, 2: 3, 3: 2, 4: 4}[int(type)], n=n, axis=axis, norm=norm)


def mdct(
    signals: Any,
    frame_length: int,
    window_fn: Callable[..., Any] | None = vorbis_window,
    pad_end: bool = False,
    norm: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.mdct``: ``[..., samples]`` -> ``[..., frames,
    frame_length // 2]`` (frames overlap by half; ``frame_length`` a multiple of 4)."""
    x = _real(_t(signals), "mdct")
    length = int(frame_length)
    if length % 4:
        raise ValueError(f"signal.mdct: frame_length must be a multiple of 4, got {length}")
    framed = frame(x, length, length // 2, pad_end=pad_end)
    if window_fn is not None:
        framed = framed * window_fn(length, dtype=x.dtype)
    else:
        framed = framed * (1 / np.sqrt(2))
    q = length // 4
    s0, s1, s2, s3 = (framed[..., i * q : (i + 1) * q] for i in range(4))
    first = -cg.flip(s2, -1) - s3
    second = s0 - cg.flip(s1, -1)
    return dct(cg.concatenate([first, second], -1), type=4, norm=norm)


def inverse_mdct(
    mdcts: Any,
    window_fn: Callable[..., Any] | None = vorbis_window,
    norm: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.inverse_mdct``: overlap-add of the inverse type-4 DCTs."""
    s = _real(_t(mdcts), "inverse_mdct")
    half = s.shape[-1]
    if norm is None:
        r = dct(s, type=4) * (0.5 / half)
    elif norm == "ortho":
        r = dct(s, type=4, norm="ortho")
    else:
        raise ValueError(f"signal.inverse_mdct: norm must be None or 'ortho', got {norm!r}")
    h = half // 2
    r0, r1 = r[..., :h], r[..., h:]
    frames = cg.concatenate([r1, -cg.flip(r1, -1), -cg.flip(r0, -1), -r0], -1)
    if window_fn is not None:
        frames = frames * window_fn(2 * half, dtype=s.dtype)
    else:
        frames = frames * (1 / np.sqrt(2))
    return overlap_and_add(frames, half)


# ------------------------------------------------------------------ mel
def _hz_to_mel(f: Any) -> Any:
    return 1127.0 * np.log1p(np.asarray(f, np.float64) / 700.0)


def linear_to_mel_weight_matrix(
    num_mel_bins: int = 20,
    num_spectrogram_bins: int = 129,
    sample_rate: float = 8000,
    lower_edge_hertz: float = 125.0,
    upper_edge_hertz: float = 3800.0,
    dtype: Any = "float32",
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.signal.linear_to_mel_weight_matrix``: ``[num_spectrogram_bins,
    num_mel_bins]`` triangular filters on the HTK mel scale (computed in float64)."""
    if num_mel_bins <= 0 or num_spectrogram_bins <= 0:
        raise ValueError(
            "signal.linear_to_mel_weight_matrix: num_mel_bins and num_spectrogram_bins must be positive"
        )
    if not 0 <= lower_edge_hertz < upper_edge_hertz <= sample_rate / 2:
        raise ValueError(
            "signal.linear_to_mel_weight_matrix: need 0 <= lower_edge_hertz < upper_edge_hertz "
            f"<= sample_rate / 2, got {lower_edge_hertz}, {upper_edge_hertz}, {sample_rate}"
        )
    freqs = np.linspace(0.0, sample_rate / 2, int(num_spectrogram_bins))[1:]
    mel = _hz_to_mel(freqs)[:, None]
    edges = np.linspace(
        _hz_to_mel(lower_edge_hertz), _hz_to_mel(upper_edge_hertz), int(num_mel_bins) + 2
    )
    lo, centre, hi = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    w = np.maximum(0.0, np.minimum((mel - lo) / (centre - lo), (hi - mel) / (hi - centre)))
    return _window(np.pad(w, ((1, 0), (0, 0))), dtype)


def mfccs_from_log_mel_spectrograms(log_mel_spectrograms: Any, name: str | None = None) -> Any:
    """TensorFlow's ``tf.signal.mfccs_from_log_mel_spectrograms``: the orthonormal-scaled
    type-2 DCT over the mel bins."""
    x = _real(_t(log_mel_spectrograms), "mfccs_from_log_mel_spectrograms")
    bins = x.shape[-1]
    if bins < 1:
        raise ValueError("signal.mfccs_from_log_mel_spectrograms: no mel bins")
    return dct(x, type=2) * float(1 / np.sqrt(2.0 * bins))
