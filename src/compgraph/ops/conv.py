"""Patches for convolution and pooling: ``im2col`` and its adjoint ``col2im``.

``im2col`` turns an (N, C, H, W) array into rows of kernel-sized patches, so a
convolution is one matrix product and a pooling is one reduction.  Both ops are
linear and each is the other's VJP, so first and higher derivatives come from
these two declarations alone.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .meta import Meta, same_dtype
from .registry import defop
from .spec import no

__all__ = ["IM2COL", "COL2IM", "out_size", "pair"]


def out_size(size: int, k: int, stride: int, pad: int, dilation: int = 1) -> int:
    """Output length of a window of ``k`` taps ``dilation`` apart sliding with ``stride``
    over ``size`` padded by ``pad`` on each side (PyTorch's formula)."""
    return (size + 2 * pad - dilation * (k - 1) - 1) // stride + 1


def pair(v) -> tuple:
    """An int or an (h, w) pair as an (h, w) pair."""
    return (v, v) if isinstance(v, (int, np.integer)) else tuple(v)


def _geometry(h, w, kh, kw, stride, pad, dilation):
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(pad), pair(dilation)
    return (sh, sw), (ph, pw), (dh, dw), out_size(h, kh, sh, ph, dh), out_size(w, kw, sw, pw, dw)


def _im2col(x, kh, kw, stride, pad, dilation=1):
    n, c, h, w = x.shape
    (sh, sw), (ph, pw), (dh, dw), oh, ow = _geometry(h, w, kh, kw, stride, pad, dilation)
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    # Filled patch-major, (C, kh, kw) x (N, oh, ow): each kernel offset copies whole
    # image rows (long contiguous runs), where the row-per-patch order would copy runs
    # of kw.  The result is this buffer's transpose: (N*oh*ow, C*kh*kw), F-ordered,
    # which BLAS multiplies as fast.
    buf = np.empty((c, kh, kw, n, oh, ow), x.dtype)
    planes = x.transpose(1, 0, 2, 3)
    for i in range(kh):
        for j in range(kw):
            r, q = i * dh, j * dw
            buf[:, i, j] = planes[:, :, r : r + sh * oh : sh, q : q + sw * ow : sw]
    return buf.reshape(c * kh * kw, n * oh * ow).T


def _col2im(cols, shape, kh, kw, stride, pad, dilation=1):
    n, c, h, w = shape
    (sh, sw), (ph, pw), (dh, dw), oh, ow = _geometry(h, w, kh, kw, stride, pad, dilation)
    cols = np.reshape(cols, (n, oh, ow, c, kh, kw))
    # Summed channels-last, the layout of the patches (each add then walks both arrays
    # in the same order); one transposed copy at the end.
    acc = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=cols.dtype)
    for i in range(kh):  # kernel offsets: few, and each a strided block add
        for j in range(kw):
            r, q = i * dh, j * dw
            acc[:, r : r + sh * oh : sh, q : q + sw * ow : sw] += cols[:, :, :, :, i, j]
    out = acc[:, ph : ph + h, pw : pw + w] if ph or pw else acc
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2))


def _im2col_shape(metas, kh, kw, stride, pad, dilation=1):
    s = metas[0].shape if isinstance(metas[0], Meta) else None
    if s is None or None in s:
        return None
    n, c, h, w = s
    *_, oh, ow = _geometry(h, w, kh, kw, stride, pad, dilation)
    return (n * oh * ow, c * kh * kw)


def _im2col_prepare(
    x: Any, kh: int, kw: int, stride: Any = 1, pad: Any = 0, dilation: Any = 1
) -> tuple:
    """Rows of ``(C*kh*kw)`` patches of an ``(N, C, H, W)`` array (PyTorch's ``unfold``,
    transposed): a convolution is then one matrix product.  ``stride``, ``pad`` and
    ``dilation`` are ints or ``(h, w)`` pairs."""
    return (x,), {"kh": int(kh), "kw": int(kw), "stride": stride, "pad": pad, "dilation": dilation}


_PATCHES: dict[str, Any] = dict(
    method=no("a function of images"),
    numpy=no("NumPy has no im2col"),
    cli=no("a function of images"),
    onnx=no(
        "ONNX has no patch extraction op; export Conv layers' graphs from a framework with Conv"
    ),
    batch=no("the rule runs once per direction"),
)

IM2COL = defop(
    "im2col",
    _im2col,
    linear=True,
    shape=_im2col_shape,
    dtype=same_dtype,
    vjp=(
        lambda ns, g, out, x, kh, kw, stride, pad, dilation=1: ns.col2im(
            g, shape=tuple(x.shape), kh=kh, kw=kw, stride=stride, pad=pad, dilation=dilation
        ),
    ),
    saves=((),),
    meta=True,
    deriv=("1 at each patch position",),
    doc=_im2col_prepare.__doc__,
    prepare=_im2col_prepare,
    **_PATCHES,
)

COL2IM = defop(
    "col2im",
    _col2im,
    linear=True,
    shape=lambda m, shape, **a: tuple(shape),
    dtype=same_dtype,
    vjp=(
        lambda ns, g, out, cols, shape, kh, kw, stride, pad, dilation=1: ns.im2col(
            g, kh=kh, kw=kw, stride=stride, pad=pad, dilation=dilation
        ),
    ),
    saves=((),),
    deriv=("1",),
    doc="sum patches back into an (N, C, H, W) array",
    names=no("internal: the gradient of im2col"),
    **_PATCHES,
)
