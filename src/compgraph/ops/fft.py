"""``cg.fft``: NumPy's ``numpy.fft`` (with ``n``/``s``, ``axis``/``axes`` and ``norm``).

Four linear primitives do the work: the complex transform over some axes (``fft_c2c``),
the real one (``fft_r2c``, the half spectrum), its inverse (``fft_c2r``) and the zero-pad
or crop that ``n``/``s`` ask for (``fft_resize``).  Their VJPs are the transposes, in
JAX's convention (ops/complex.py): the DFT matrix is symmetric, so the transpose of a
transform is the same transform (PyTorch's gradient is the conjugate, the adjoint).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .decomp import dims, run
from .elementwise import real_dtype
from .meta import Meta, floating, same_dtype
from .registry import PUBLIC, defop, defpublic
from .spec import no

__all__ = [
    "fft",
    "ifft",
    "rfft",
    "irfft",
    "hfft",
    "ihfft",
    "fftn",
    "ifftn",
    "rfftn",
    "irfftn",
    "fft2",
    "ifft2",
    "rfft2",
    "irfft2",
    "fftfreq",
    "rfftfreq",
    "fftshift",
    "ifftshift",
]

_SWAP = {"backward": "forward", "ortho": "ortho", "forward": "backward"}
_NOT: dict[str, Any] = dict(
    method=no("NumPy arrays have no fft methods"),
    cli=no("the command line computes with real scalars"),
)
_PRIM: dict[str, Any] = dict(
    names=no("internal: the cg.fft functions call it"),
    numpy=no("the numpy.fft functions reach the cg.fft composites"),
    onnx=no("ONNX's DFT is not exported"),
    linear=True,
    **_NOT,
)


def _shifted(op, prims, tins, out, attrs, k):
    """Batched forward mode: the (linear) op on the tangents, axes moved past the batch."""
    return op.forward(tins[0], **{**attrs, "axes": tuple(a + 1 for a in attrs["axes"])})


def _complex_dtype(metas, **attrs):
    d = floating(metas)
    return None if d is None else np.result_type(d, np.complex64)


def _with(shape, axes, lengths):
    s = list(shape)
    for a, n in zip(axes, lengths):
        s[a] = n
    return tuple(s)


def _shape(f):
    def rule(metas, **attrs):
        s = metas[0].shape if isinstance(metas[0], Meta) else ()
        return None if s is None else f(tuple(s), **attrs)

    return rule


# ---------------------------------------------------------------- primitives
def _resize(x, axes, lengths):
    shape = _with(x.shape, axes, lengths)
    r = np.zeros(shape, x.dtype)
    keep = tuple(slice(0, min(a, b)) for a, b in zip(x.shape, shape))
    r[keep] = x[keep]
    return r


RESIZE = defop(
    "fft_resize",
    _resize,
    shape=_shape(lambda s, axes, lengths: _with(s, axes, lengths)),
    dtype=same_dtype,
    vjp=(
        lambda ns, g, out, x, axes, lengths: ns.fft_resize(
            g, axes=axes, lengths=[x.shape[a] for a in axes]
        ),
    ),
    saves=((),),
    meta=True,
    deriv=("crop or zero-pad back",),
    doc="zero-pad or crop along axes (the n and s of the fft functions)",
    batch=_shifted,
    **_PRIM,
)


def _c2c(x, axes, norm="backward", inverse=False):
    if len(axes) == 1:  # (fftn's Python wrapper costs more than a small transform)
        return (np.fft.ifft if inverse else np.fft.fft)(x, axis=axes[0], norm=norm)
    return (np.fft.ifftn if inverse else np.fft.fftn)(x, axes=axes, norm=norm)


C2C = defop(
    "fft_c2c",
    _c2c,
    shape=_shape(lambda s, **a: s),
    dtype=_complex_dtype,
    vjp=(
        lambda ns, g, out, x, axes, norm="backward", inverse=False: ns.fft_c2c(
            g, axes=axes, norm=norm, inverse=inverse
        ),
    ),
    saves=((),),
    deriv=("the same transform (the DFT matrix is symmetric)",),
    doc="the discrete Fourier transform (or its inverse) over axes",
    batch=_shifted,
    **_PRIM,
)


def _r2c(x, axes, norm="backward"):
    if len(axes) == 1:
        return np.fft.rfft(x, axis=axes[0], norm=norm)
    return np.fft.rfftn(x, axes=axes, norm=norm)


def _r2c_vjp(ns, g, out, x, axes, norm="backward"):
    # rfft is the full transform's first half: the transpose pads g back to x's length
    last = axes[-1]
    extra = x.shape[last] - g.shape[last]
    if extra:
        pad = ns.zeros_like(g[(slice(None),) * last + (slice(0, extra),)])
        g = ns.concatenate(g, pad, axis=last)
    return ns.real(ns.fft_c2c(g, axes=axes, norm=norm))


R2C = defop(
    "fft_r2c",
    _r2c,
    shape=_shape(lambda s, axes, **a: _with(s, axes[-1:], [s[axes[-1]] // 2 + 1])),
    dtype=_complex_dtype,
    vjp=(_r2c_vjp,),
    saves=((),),
    meta=True,
    deriv=("real(fft(g zero-padded))",),
    doc="the transform of real values over axes (the last one's half spectrum)",
    batch=_shifted,
    **_PRIM,
)


def _c2r(x, axes, n, norm="backward"):
    if len(axes) == 1:
        return np.fft.irfft(x, n, axes[0], norm)
    s = [x.shape[a] for a in axes[:-1]] + [n]
    return np.fft.irfftn(x, s=s, axes=axes, norm=norm)


def _c2r_vjp(ns, g, out, x, axes, n, norm="backward"):
    # JAX's transpose of irfft: the half spectrum of g, its inner bins counted twice
    r = ns.fft_r2c(g, axes=axes, norm=_SWAP[norm])
    last, m = axes[-1], x.shape[axes[-1]]
    w = np.full(m, 2.0)
    w[0] = 1
    if n % 2 == 0:
        w[-1] = 1
    return ns.conj(r * w.reshape((m,) + (1,) * (len(x.shape) - 1 - last)))


C2R = defop(
    "fft_c2r",
    _c2r,
    shape=_shape(lambda s, axes, n, **a: _with(s, axes[-1:], [n])),
    dtype=lambda m, **a: real_dtype([_complex_dtype(m)]),
    vjp=(_c2r_vjp,),
    saves=((),),
    meta=True,
    deriv=("conj(rfft(g)) with inner bins doubled",),
    doc="the inverse of the real transform (a Hermitian half spectrum in, n real values out)",
    batch=_shifted,
    **_PRIM,
)


# ---------------------------------------------------------------- arguments
def _norm(norm):
    if norm is None:
        return "backward"
    if norm not in _SWAP:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".')
    return norm


def _axes(x, axes, where):
    nd = len(dims(x, where))
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or not -nd <= a < nd:
            raise ValueError(f"{where}: axis {a} is out of range for {nd} dimensions")
        out.append(int(a) % nd)
    return out


def _lengths(n):
    if n is not None and n < 1:
        raise ValueError(f"Invalid number of FFT data points ({n}) specified.")
    return n


def _apply(x, axes, lengths, op, **attrs):
    """Resize x along axes to lengths (where given), then run op over the axes (one call,
    or one per axis when an axis repeats, as NumPy)."""
    shape = dims(x, "fft")
    want = [shape[a] if n is None else n for a, n in zip(axes, lengths)]
    if len(set(axes)) < len(axes):
        for a, n in zip(axes, lengths):
            x = _apply(x, [a], [n], op, **attrs)
        return x
    if want != [shape[a] for a in axes]:
        x = run(RESIZE, x, axes=tuple(axes), lengths=tuple(want))
    return run(op, x, axes=tuple(axes), **attrs)


def _nd(x, s, axes, where):
    """NumPy's ``_cook_nd_args``: the lengths and (non-negative) axes."""
    shape = dims(x, where)
    if axes is None:
        axes = list(range(-len(s), 0)) if s is not None else list(range(len(shape)))
    axes = _axes(x, list(axes), where)
    if s is None:
        s = [shape[a] for a in axes]
    elif len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    s = [shape[a] if v == -1 else _lengths(v) for v, a in zip(s, axes)]
    return s, axes


def _conj(x):
    return PUBLIC["conj"].function(x)


# ---------------------------------------------------------------- the public functions
def _public(name: str) -> dict[str, Any]:
    return dict(names=(f"fft.{name}",), numpy=getattr(np.fft, name), **_NOT)


@defpublic(**_public("fft"))
def fft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The 1-D discrete Fourier transform along ``axis`` (``n``: crop or zero-pad first)."""
    return _apply(a, _axes(a, [axis], "fft"), [_lengths(n)], C2C, norm=_norm(norm))


@defpublic(**_public("ifft"))
def ifft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The 1-D inverse discrete Fourier transform along ``axis``."""
    return _apply(a, _axes(a, [axis], "ifft"), [_lengths(n)], C2C, norm=_norm(norm), inverse=True)


@defpublic(**_public("rfft"))
def rfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The transform of real input: the ``n // 2 + 1`` non-negative frequencies."""
    return _apply(a, _axes(a, [axis], "rfft"), [_lengths(n)], R2C, norm=_norm(norm))


def _irfft(a, s, axes, norm, where):
    """irfftn with s and axes cooked: crop/pad the half spectrum, then transform."""
    shape = dims(a, where)
    half = [shape[ax] if v is None else v for v, ax in zip(s[:-1], axes[:-1])]
    n = s[-1] if s[-1] is not None else 2 * (shape[axes[-1]] - 1)
    _lengths(n)
    return _apply(a, axes, half + [n // 2 + 1], C2R, n=int(n), norm=_norm(norm))


@defpublic(**_public("irfft"))
def irfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The inverse of ``rfft``: ``n`` (default ``2 * (m - 1)``) real values along ``axis``."""
    return _irfft(a, [n], _axes(a, [axis], "irfft"), norm, "irfft")


@defpublic(**_public("hfft"))
def hfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The transform of a Hermitian-symmetric signal given by its first half (a real result)."""
    return _irfft(_conj(a), [n], _axes(a, [axis], "hfft"), _SWAP[_norm(norm)], "hfft")


@defpublic(**_public("ihfft"))
def ihfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The inverse of ``hfft``: the half spectrum of real input."""
    r = _apply(a, _axes(a, [axis], "ihfft"), [_lengths(n)], R2C, norm=_SWAP[_norm(norm)])
    return _conj(r)


@defpublic(**_public("fftn"))
def fftn(a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """The N-D discrete Fourier transform over ``axes`` (default: the last ``len(s)``, or all)."""
    s, axes = _nd(a, s, axes, "fftn")
    return _apply(a, axes, s, C2C, norm=_norm(norm))


@defpublic(**_public("ifftn"))
def ifftn(a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """The N-D inverse discrete Fourier transform."""
    s, axes = _nd(a, s, axes, "ifftn")
    return _apply(a, axes, s, C2C, norm=_norm(norm), inverse=True)


@defpublic(**_public("rfftn"))
def rfftn(a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """The N-D transform of real input (the last axis' half spectrum)."""
    s, axes = _nd(a, s, axes, "rfftn")
    return _apply(a, axes, s, R2C, norm=_norm(norm))


@defpublic(**_public("irfftn"))
def irfftn(a: Any, s: Any = None, axes: Any = None, norm: str | None = None) -> Any:
    """The inverse of ``rfftn`` (``s[-1]`` default: ``2 * (m - 1)``)."""
    lengths, axes = _nd(a, s, axes, "irfftn")
    if s is None:
        lengths[-1] = None  # 2 * (m - 1)
    return _irfft(a, lengths, axes, norm, "irfftn")


@defpublic(**_public("fft2"))
def fft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: str | None = None) -> Any:
    """The 2-D discrete Fourier transform (``fftn`` over the last two axes)."""
    return fftn(a, s, axes, norm)


@defpublic(**_public("ifft2"))
def ifft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: str | None = None) -> Any:
    """The 2-D inverse discrete Fourier transform."""
    return ifftn(a, s, axes, norm)


@defpublic(**_public("rfft2"))
def rfft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: str | None = None) -> Any:
    """The 2-D transform of real input."""
    return rfftn(a, s, axes, norm)


@defpublic(**_public("irfft2"))
def irfft2(a: Any, s: Any = None, axes: Any = (-2, -1), norm: str | None = None) -> Any:
    """The inverse of ``rfft2``."""
    return irfftn(a, s, axes, norm)


_CREATE: dict[str, Any] = dict(
    numpy=no("NumPy's fftfreq takes no array to dispatch on"),
    method=no("creates a new tensor"),
    cli=no("creates a new tensor"),
)


@defpublic(names=("fft.fftfreq",), **_CREATE)
def fftfreq(n: int, d: float = 1.0, *, device: Any = None, dtype: Any = None) -> Any:
    """The sample frequencies of ``fft`` (a constant tensor)."""
    return _const(np.fft.fftfreq(n, d), dtype)


@defpublic(names=("fft.rfftfreq",), **_CREATE)
def rfftfreq(n: int, d: float = 1.0, *, device: Any = None, dtype: Any = None) -> Any:
    """The sample frequencies of ``rfft`` (a constant tensor)."""
    return _const(np.fft.rfftfreq(n, d), dtype)


def _const(v, dtype):
    v = v if dtype is None else v.astype(dtype)
    return PUBLIC["zeros"].function(v.shape, v.dtype) + v


def _shift(x, axes, sign, where):
    shape = dims(x, where)
    axes = (
        list(range(len(shape)))
        if axes is None
        else _axes(x, [axes] if isinstance(axes, (int, np.integer)) else list(axes), where)
    )
    return PUBLIC["roll"].function(x, tuple(sign * (shape[a] // 2) for a in axes), tuple(axes))


@defpublic(names=("fft.fftshift",), numpy=np.fft.fftshift, **_NOT)
def fftshift(x: Any, axes: Any = None) -> Any:
    """The zero frequency moved to the middle (a roll by half of each axis)."""
    return _shift(x, axes, 1, "fftshift")


@defpublic(names=("fft.ifftshift",), numpy=np.fft.ifftshift, **_NOT)
def ifftshift(x: Any, axes: Any = None) -> Any:
    """The inverse of ``fftshift``."""
    return _shift(x, axes, -1, "ifftshift")
