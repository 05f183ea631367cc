"""Patches for convolution and pooling: ``im2col`` and its adjoint ``col2im``.

``im2col`` turns an (N, C, H, W) array into rows of kernel-sized patches, so a
convolution is one matrix product and a pooling is one reduction.  Both ops are
linear and each is the other's VJP, so first and higher derivatives come from
these two declarations alone.
"""
from __future__ import annotations

import numpy as np

from .meta import Meta, same_dtype
from .registry import defop


def out_size(size: int, k: int, stride: int, pad: int) -> int:
    """Output length of a window of ``k`` sliding with ``stride`` over padded ``size``."""
    return (size + 2 * pad - k) // stride + 1


def _im2col(x, kh, kw, stride, pad):
    n, c, h, w = x.shape
    oh, ow = out_size(h, kh, stride, pad), out_size(w, kw, stride, pad)
    if pad:
        x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    sn, sc, sh, sw = x.strides
    view = np.lib.stride_tricks.as_strided(
        x, (n, oh, ow, c, kh, kw), (sn, sh * stride, sw * stride, sc, sh, sw), writeable=False)
    return view.reshape(n * oh * ow, c * kh * kw)


def _col2im(cols, shape, kh, kw, stride, pad):
    n, c, h, w = shape
    oh, ow = out_size(h, kh, stride, pad), out_size(w, kw, stride, pad)
    cols = np.reshape(cols, (n, oh, ow, c, kh, kw))
    out = np.zeros((n, c, h + 2 * pad, w + 2 * pad), dtype=cols.dtype)
    for i in range(kh):  # kernel offsets: few, and each a strided block add
        for j in range(kw):
            out[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += \
                cols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return out[:, :, pad:pad + h, pad:pad + w] if pad else out


def _im2col_shape(metas, kh, kw, stride, pad):
    s = metas[0].shape if isinstance(metas[0], Meta) else None
    if s is None or None in s:
        return None
    n, c, h, w = s
    return (n * out_size(h, kh, stride, pad) * out_size(w, kw, stride, pad), c * kh * kw)


IM2COL = defop(
    "im2col", _im2col, linear=True, shape=_im2col_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, kh, kw, stride, pad:
         ns.col2im(g, shape=tuple(x.shape), kh=kh, kw=kw, stride=stride, pad=pad),),
    saves=((),), meta=True, deriv=("1 at each patch position",),
    doc="rows of (C*kh*kw) patches of an (N, C, H, W) array")

COL2IM = defop(
    "col2im", _col2im, linear=True,
    shape=lambda m, shape, **a: tuple(shape), dtype=same_dtype,
    vjp=(lambda ns, g, out, cols, shape, kh, kw, stride, pad:
         ns.im2col(g, kh=kh, kw=kw, stride=stride, pad=pad),),
    saves=((),), deriv=("1",), doc="sum patches back into an (N, C, H, W) array")
