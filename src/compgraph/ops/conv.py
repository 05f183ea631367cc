"""Patches for convolution and pooling: ``im2col`` and its adjoint ``col2im``.

``im2col`` turns an (N, C, H, W) array into rows of kernel-sized patches, so a
convolution is one matrix product and a pooling is one reduction.  Both ops are
linear and each is the other's VJP, so first and higher derivatives come from
these two declarations alone.

Convolutions themselves are ``convolution2d`` (with its bias), ``convolution2d_input``
and ``convolution2d_weight`` (its two gradients, the first also the transposed
convolution): bilinear ops whose VJPs are each other, computed a chunk of images at a
time in cache-sized work buffers instead of through the whole batch's patch matrix.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .meta import Meta, promote, same_dtype
from .registry import defop
from .spec import Codegen, no

__all__ = [
    "IM2COL",
    "COL2IM",
    "CONV2D",
    "CONV2D_INPUT",
    "CONV2D_WEIGHT",
    "WINDOW_MAX",
    "WINDOW_MAX_MASK",
    "WINDOW_SPREAD",
    "out_size",
    "pair",
]


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


# --------------------------------------------------------------------------- convolution
# ``convolution2d`` (with its bias), its input gradient ``convolution2d_input`` (the transposed
# convolution) and its weight gradient ``convolution2d_weight``: three bilinear ops, each one's
# VJPs written with the other two, so derivatives of any order stay within them.
#
# Each works through the batch in chunks of images whose patches fit in a cache-sized
# buffer, instead of building every patch of the batch (im2col) at once: a convolution
# of a 28x28 batch of 64 would otherwise write and read a 3.7 MB patch matrix, fresh
# pages from the kernel each time.  Inside a chunk the images are the innermost axis,
# (C, H, W, images), so every patch copy and every sum back into place moves runs of
# ``ow * images`` contiguous numbers (NCHW rows of 8 or 24 are too short for NumPy's
# strided loops); the kernel offsets come first, so the weight is (O, kh*kw*C).
_CHUNK = 1 << 18  # numbers of patches per chunk


_SCRATCH_MAX = 1 << 23  # bytes: larger work buffers are not kept between calls
_scratch_local = threading.local()


def _scratch(key: str, size: int, dtype: Any, zero: bool = False) -> np.ndarray:
    """A flat work buffer of ``size`` numbers, this thread's own, kept between calls: a
    fresh buffer of a megabyte is fresh pages from the kernel, which cost as much as the
    work done in them.  Never returned to callers (results are new arrays)."""
    dtype = np.dtype(dtype)
    nbytes = size * dtype.itemsize
    if nbytes > _SCRATCH_MAX or dtype.hasobject:
        return np.zeros(size, dtype) if zero else np.empty(size, dtype)
    bufs = getattr(_scratch_local, "bufs", None)
    if bufs is None:
        bufs = _scratch_local.bufs = {}
    raw = bufs.get(key)
    if raw is None or raw.nbytes < nbytes:
        raw = bufs[key] = np.empty(max(nbytes, 1 << 12), np.uint8)
    out = raw[:nbytes].view(dtype)
    if zero:
        out.fill(0)
    return out


def _chunks(n: int, per_image: int):
    """(start, count) of equal chunks of ``n`` images, each at most ``_CHUNK`` numbers
    of patches (one image at least)."""
    m = max(1, min(n, _CHUNK // max(per_image, 1)))
    k = -(-n // m)
    m = -(-n // k)
    for n0 in range(0, n, m):
        yield n0, min(m, n - n0)


def _conv_geometry(where, xshape, kh, kw, stride, pad, dilation):
    """Checked ((sh, sw), (ph, pw), (dh, dw), oh, ow) of a convolution of ``xshape``."""
    if len(xshape) != 4:
        raise ValueError(f"{where}: expected an (N, C, H, W) input, got shape {tuple(xshape)}")
    (sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(pad), pair(dilation)
    if min(sh, sw, dh, dw, kh, kw) < 1 or min(ph, pw) < 0:
        raise ValueError(
            f"{where}: stride {stride}, dilation {dilation} and kernel {(kh, kw)} must be "
            f">= 1 and padding {pad} >= 0"
        )
    oh = out_size(xshape[2], kh, sh, ph, dh)
    ow = out_size(xshape[3], kw, sw, pw, dw)
    if oh < 1 or ow < 1:
        raise ValueError(
            f"{where}: kernel {(kh, kw)} (dilation {(dh, dw)}) does not fit input "
            f"{tuple(xshape)} with padding {(ph, pw)}"
        )
    return (sh, sw), (ph, pw), (dh, dw), oh, ow


class _Patches:
    """The chunked patch machinery of one convolution geometry."""

    def __init__(self, xshape, kh, kw, stride, pad, dilation, dtype, where):
        n, c, h, w = xshape
        (self.sh, self.sw), (self.ph, self.pw), (self.dh, self.dw), oh, ow = _conv_geometry(
            where, xshape, kh, kw, stride, pad, dilation
        )
        self.n, self.c, self.h, self.w, self.kh, self.kw, self.oh, self.ow = (
            n, c, h, w, kh, kw, oh, ow
        )  # fmt: skip
        self.k = kh * kw * c
        self.dtype = dtype
        self.hp, self.wp = h + 2 * self.ph, w + 2 * self.pw
        self.per_image = self.k * oh * ow
        m = next(_chunks(n, self.per_image))[1] if n else 1
        self._img = _scratch("images", c * self.hp * self.wp * m, dtype, zero=True)
        self._cols = _scratch("patches", self.per_image * m, dtype)

    def chunks(self):
        return _chunks(self.n, self.per_image)

    def _offsets(self):
        for i in range(self.kh):
            for j in range(self.kw):
                r, q = i * self.dh, j * self.dw
                yield (
                    i,
                    j,
                    slice(r, r + self.sh * (self.oh - 1) + 1, self.sh),
                    slice(q, q + self.sw * (self.ow - 1) + 1, self.sw),
                )

    def images(self, m: int) -> np.ndarray:
        return self._img[: self.c * self.hp * self.wp * m].reshape(self.c, self.hp, self.wp, m)

    def cols(self, m: int) -> np.ndarray:
        """The patch buffer of m images, (kh, kw, C, oh, ow, m)."""
        return self._cols[: self.per_image * m].reshape(
            self.kh, self.kw, self.c, self.oh, self.ow, m
        )

    def patches(self, x: np.ndarray, n0: int, m: int) -> np.ndarray:
        """The patches of images n0 .. n0+m of x as a (kh*kw*C, oh*ow*m) matrix."""
        img = self.images(m)
        img[:, self.ph : self.ph + self.h, self.pw : self.pw + self.w] = x[n0 : n0 + m].transpose(
            1, 2, 3, 0
        )
        cols = self.cols(m)
        for i, j, rs, qs in self._offsets():
            cols[i, j] = img[:, rs, qs]
        return cols.reshape(self.k, -1)

    def add_back(self, cols: np.ndarray, out: np.ndarray, n0: int, m: int) -> None:
        """Sum a (kh*kw*C, oh*ow*m) patch matrix into images n0 .. n0+m of ``out``."""
        img = self.images(m)
        img.fill(0)
        cols = cols.reshape(self.kh, self.kw, self.c, self.oh, self.ow, m)
        for i, j, rs, qs in self._offsets():
            img[:, rs, qs] += cols[i, j]
        out[n0 : n0 + m] = img[:, self.ph : self.ph + self.h, self.pw : self.pw + self.w].transpose(
            3, 0, 1, 2
        )


def _rows(g: np.ndarray, n0: int, m: int, buf: np.ndarray) -> np.ndarray:
    """Images n0 .. n0+m of an (N, O, oh, ow) array as an (O, oh*ow*m) matrix."""
    n, o, oh, ow = g.shape
    r = buf[: o * oh * ow * m].reshape(o, oh, ow, m)
    r[...] = g[n0 : n0 + m].transpose(1, 2, 3, 0)
    return r.reshape(o, -1)


def _flat_weight(w: np.ndarray) -> np.ndarray:
    """(O, C, kh, kw) as (O, kh*kw*C), the patch buffer's order."""
    return np.ascontiguousarray(w.transpose(0, 2, 3, 1)).reshape(w.shape[0], -1)


def _conv_dtype(*arrays) -> np.dtype:
    return np.result_type(*arrays)


def _conv2d(x, w, b, stride=1, pad=0, dilation=1):
    x, w = np.asarray(x), np.asarray(w)
    dt = _conv_dtype(x, w) if np.ndim(b) == 0 else _conv_dtype(x, w, b)
    x, w = x.astype(dt, copy=False), w.astype(dt, copy=False)
    if w.ndim != 4 or x.ndim != 4 or w.shape[1] != x.shape[1]:
        raise ValueError(
            f"convolution2d: expected input (N, C, H, W) and weight (O, C, kh, kw), got shapes "
            f"{x.shape} and {w.shape}"
        )
    o, _, kh, kw = w.shape
    p = _Patches(x.shape, kh, kw, stride, pad, dilation, dt, "convolution2d")
    bias = None
    if np.ndim(b) != 0:
        if np.ndim(b) > 1 or np.size(b) not in (1, o):
            raise ValueError(
                f"convolution2d: bias of shape {np.shape(b)} does not match weight {w.shape}"
            )
        bias = np.asarray(b, dt).reshape(-1, 1)
    elif b != 0:
        bias = np.asarray(b, dt)
    wf = _flat_weight(w)
    y = np.empty((p.n, o, p.oh, p.ow), dt)
    prod = _scratch("rows", o * p.oh * p.ow * next(p.chunks(), (0, 1))[1], dt)
    for n0, m in p.chunks():
        t = prod[: o * p.oh * p.ow * m].reshape(o, -1)
        np.matmul(wf, p.patches(x, n0, m), out=t)
        if bias is not None:
            t += bias
        y[n0 : n0 + m] = t.reshape(o, p.oh, p.ow, m).transpose(3, 0, 1, 2)
    return y


def _conv2d_input(g, w, shape, stride=1, pad=0, dilation=1):
    g, w = np.asarray(g), np.asarray(w)
    dt = _conv_dtype(g, w)
    g, w = g.astype(dt, copy=False), w.astype(dt, copy=False)
    shape = tuple(int(s) for s in shape)
    if w.ndim != 4 or len(shape) != 4 or shape[1] != w.shape[1]:
        raise ValueError(
            f"convolution2d_input: weight of shape {w.shape} does not convolve an input of shape "
            f"{shape}"
        )
    o, _, kh, kw = w.shape
    p = _Patches(shape, kh, kw, stride, pad, dilation, dt, "convolution2d_input")
    if g.shape != (p.n, o, p.oh, p.ow):
        raise ValueError(
            f"convolution2d_input: gradient of shape {g.shape} does not match output "
            f"{(p.n, o, p.oh, p.ow)} of input {shape} and weight {w.shape}"
        )
    wt = _flat_weight(w).T
    dx = np.empty(shape, dt)
    rows = _scratch("rows", o * p.oh * p.ow * next(p.chunks(), (0, 1))[1], dt)
    for n0, m in p.chunks():
        cols = p.cols(m).reshape(p.k, -1)
        np.matmul(wt, _rows(g, n0, m, rows), out=cols)
        p.add_back(cols, dx, n0, m)
    return dx


def _conv2d_weight(x, g, kh, kw, stride=1, pad=0, dilation=1):
    x, g = np.asarray(x), np.asarray(g)
    dt = _conv_dtype(x, g)
    x, g = x.astype(dt, copy=False), g.astype(dt, copy=False)
    p = _Patches(x.shape, int(kh), int(kw), stride, pad, dilation, dt, "convolution2d_weight")
    if g.ndim != 4 or g.shape[0] != p.n or g.shape[2:] != (p.oh, p.ow):
        raise ValueError(
            f"convolution2d_weight: gradient of shape {g.shape} does not match the output "
            f"(N, O, {p.oh}, {p.ow}) of input {x.shape} with kernel {(kh, kw)}"
        )
    o = g.shape[1]
    acc = np.zeros((o, p.k), dt)
    rows = _scratch("rows", o * p.oh * p.ow * next(p.chunks(), (0, 1))[1], dt)
    for n0, m in p.chunks():
        acc += _rows(g, n0, m, rows) @ p.patches(x, n0, m).T
    return np.ascontiguousarray(acc.reshape(o, p.kh, p.kw, p.c).transpose(0, 3, 1, 2))


def _conv_meta_shape(m):
    return m.shape if isinstance(m, Meta) else np.shape(m)


def _conv2d_shape(metas, stride=1, pad=0, dilation=1):
    x, w, b = (_conv_meta_shape(m) for m in metas)
    if x is None or w is None or b is None or None in x or None in w:
        return None
    if len(x) != 4 or len(w) != 4 or x[1] != w[1]:
        raise ValueError(
            f"convolution2d: expected input (N, C, H, W) and weight (O, C, kh, kw), got shapes "
            f"{tuple(x)} and {tuple(w)}"
        )
    if len(b) > 1 or (b and b[0] not in (1, w[0])):
        raise ValueError(
            f"convolution2d: bias of shape {tuple(b)} does not match weight {tuple(w)}"
        )
    *_, oh, ow = _conv_geometry("convolution2d", x, w[2], w[3], stride, pad, dilation)
    return (x[0], w[0], oh, ow)


def _conv2d_input_shape(metas, shape, stride=1, pad=0, dilation=1):
    g, w = (_conv_meta_shape(m) for m in metas)
    shape = tuple(shape)
    if w is not None and None not in w:
        if len(w) != 4 or len(shape) != 4 or shape[1] != w[1]:
            raise ValueError(
                f"convolution2d_input: weight of shape {tuple(w)} does not convolve an input of "
                f"shape {shape}"
            )
        _conv_geometry("convolution2d_input", shape, w[2], w[3], stride, pad, dilation)
    return shape


def _conv2d_weight_shape(metas, kh, kw, stride=1, pad=0, dilation=1):
    x, g = (_conv_meta_shape(m) for m in metas)
    if x is None or g is None or None in x or None in g:
        return None
    _conv_geometry("convolution2d_weight", x, kh, kw, stride, pad, dilation)
    if len(g) != 4:
        raise ValueError(
            f"convolution2d_weight: expected an (N, O, oh, ow) gradient, got {tuple(g)}"
        )
    return (g[1], x[1], kh, kw)


def _conv2d_dtype(metas, **attrs):
    b = metas[2]
    return promote(metas[:2]) if not _conv_meta_shape(b) else promote(metas)


def _geo(attrs):
    return {k: attrs[k] for k in ("stride", "pad", "dilation")}


def _conv2d_dx(ns, g, out, x, w, b, **a):
    return ns.convolution2d_input(g, w, shape=tuple(x.shape), **a)


def _conv2d_dw(ns, g, out, x, w, b, **a):
    return ns.convolution2d_weight(x, g, kh=w.shape[2], kw=w.shape[3], **a)


def _conv2d_db(ns, g, out, x, w, b, **a):
    return ns.sum(g, axis=(0, 2, 3), keepdims=False)


def _conv2d_tb(ns, t, out, x, w, b, **a):
    t = ns.reshape(t, shape=(-1, 1, 1)) if t.ndim == 1 else t
    return ns.broadcast_to(t, shape=tuple(out.shape))


_CONV: dict[str, Any] = dict(
    method=no("a function of images"),
    numpy=no("NumPy has no convolution of images"),
    cli=no("a function of images"),
    batch=no("the rule runs once per direction"),
    codegen=Codegen(fresh=True),
)

CONV2D = defop(
    "convolution2d",
    _conv2d,
    shape=_conv2d_shape,
    dtype=_conv2d_dtype,
    vjp=(_conv2d_dx, _conv2d_dw, _conv2d_db),
    jvp=(
        lambda ns, t, out, x, w, b, **a: ns.convolution2d(t, w, 0.0, **a),
        lambda ns, t, out, x, w, b, **a: ns.convolution2d(x, t, 0.0, **a),
        _conv2d_tb,
    ),
    saves=((1,), (0,), ()),
    meta=True,
    deriv=("convolution2d_input(g, w)", "convolution2d_weight(x, g)", "sum of g over N, H, W"),
    args=("x", "w", "b"),
    doc="2-D cross-correlation of (N, C, H, W) by (O, C, kh, kw) plus a bias (O,) or "
    "scalar, with stride, symmetric padding and dilation ints or (h, w) pairs "
    "(PyTorch's conv2d with groups=1)",
    names=no("internal: F.conv2d and cg.nn.Conv2d call it"),
    onnx=no("exported as ONNX Conv by frameworks; this op's static graphs are NumPy's"),
    **_CONV,
)

CONV2D_INPUT = defop(
    "convolution2d_input",
    _conv2d_input,
    shape=_conv2d_input_shape,
    dtype=promote,
    vjp=(
        lambda ns, h, out, g, w, shape, **a: ns.convolution2d(h, w, 0.0, **a),
        lambda ns, h, out, g, w, shape, **a: ns.convolution2d_weight(
            h, g, kh=w.shape[2], kw=w.shape[3], **a
        ),
    ),
    multilinear=True,
    saves=((1,), (0,)),
    meta=True,
    deriv=("convolution2d(h, w)", "convolution2d_weight(h, g)"),
    args=("g", "w"),
    doc="the gradient of convolution2d with respect to its input, an array of ``shape``: "
    "the transposed convolution of g (N, O, oh, ow) by w (O, C, kh, kw)",
    names=no("internal: the gradient of conv2d; F.conv_transpose2d calls it"),
    onnx=no("exported as ONNX ConvTranspose by frameworks; here NumPy's"),
    **_CONV,
)

CONV2D_WEIGHT = defop(
    "convolution2d_weight",
    _conv2d_weight,
    shape=_conv2d_weight_shape,
    dtype=promote,
    vjp=(
        lambda ns, h, out, x, g, kh, kw, **a: ns.convolution2d_input(
            g, h, shape=tuple(x.shape), **a
        ),
        lambda ns, h, out, x, g, kh, kw, **a: ns.convolution2d(x, h, 0.0, **a),
    ),
    multilinear=True,
    saves=((1,), (0,)),
    meta=True,
    deriv=("convolution2d_input(g, h)", "convolution2d(x, h)"),
    args=("x", "g"),
    doc="the gradient of convolution2d with respect to its (O, C, kh, kw) weight: the "
    "correlation of x (N, C, H, W) with g (N, O, oh, ow)",
    names=no("internal: the gradient of conv2d's weight"),
    onnx=no("a gradient: ONNX graphs hold forward models"),
    **_CONV,
)


# --------------------------------------------------------------------------- max pooling
# Max pooling whose windows tile the input (stride = kernel, no padding: LeNet's 2x2):
# ``window_max`` walks the kh*kw entries of the windows, one strided maximum over the
# whole batch each, and its gradient goes to each window's first maximum in row-major
# order (PyTorch's rule; a NaN counts as the maximum), through ``window_max_mask``.
# One op for both axes: two one-axis maxima would make two masks and two scatters.
def _windows(x, kh, kw):
    n, c, h, w = x.shape
    if h % kh or w % kw:
        raise ValueError(
            f"window_max: windows {(kh, kw)} do not tile an input of shape {tuple(x.shape)}"
        )
    return x.reshape(n, c, h // kh, kh, w // kw, kw)


def _window_max(x, kh, kw):
    v = _windows(np.asarray(x), kh, kw)
    out = v[:, :, :, 0, :, 0].copy()
    for i in range(kh):
        for j in range(kw):
            if i or j:
                np.maximum(out, v[:, :, :, i, :, j], out=out)  # NaN propagates
    return out


def _first_hits(v, top, kh, kw):
    """(i, j, mask) for each window entry: True where it is its window's first maximum
    in row-major order (a NaN counts as the maximum).  The mask is reused."""
    seen = np.zeros(top.shape, bool)
    hit = np.empty(top.shape, bool)
    # a NaN in a window makes its maximum NaN: without one in top, none anywhere
    nan = v.dtype.kind in "fc" and bool(np.isnan(top).any())
    last = (kh - 1, kw - 1)
    for i in range(kh):
        for j in range(kw):
            e = v[:, :, :, i, :, j]
            np.equal(e, top, out=hit)
            if nan:
                hit |= np.isnan(e)
            np.greater(hit, seen, out=hit)  # a maximum not seen before in its window
            if (i, j) != last:
                seen |= hit
            yield i, j, hit


def _window_max_mask(x, kh, kw):
    x = np.asarray(x)
    v = _windows(x, kh, kw)
    mask = np.empty(v.shape, bool)
    for i, j, hit in _first_hits(v, _window_max(x, kh, kw), kh, kw):
        mask[:, :, :, i, :, j] = hit
    return mask.reshape(x.shape)


def _window_spread(g, x, top, kh, kw):
    x, g = np.asarray(x), np.asarray(g)
    v = _windows(x, kh, kw)
    top = np.asarray(top)
    if g.shape != top.shape or top.shape != v.shape[:3] + v.shape[4:5]:
        raise ValueError(
            f"window_spread: gradient {g.shape} and maxima {top.shape} do not match the "
            f"windows {(kh, kw)} of an input of shape {x.shape}"
        )
    out = np.empty(v.shape, g.dtype)
    finite = g.dtype.kind not in "fc" or bool(np.isfinite(g).all())
    part = np.empty(g.shape, g.dtype)
    for i, j, hit in _first_hits(v, top, kh, kw):
        if finite:  # a product into a contiguous buffer, then one strided copy: fastest
            np.multiply(g, hit, out=part)
        else:  # (0 * inf would be NaN where the gradient must be exactly 0)
            part.fill(0)
            np.copyto(part, g, where=hit)
        out[:, :, :, i, :, j] = part
    return out.reshape(x.shape)


def _window_shape(metas, kh, kw):
    s = metas[0].shape if isinstance(metas[0], Meta) else np.shape(metas[0])
    if s is None or None in s:
        return None
    if len(s) != 4 or min(kh, kw) < 1 or s[2] % kh or s[3] % kw:
        raise ValueError(f"window_max: windows {(kh, kw)} do not tile an input of shape {s}")
    return (s[0], s[1], s[2] // kh, s[3] // kw)


def _meta_shape(m):
    return m.shape if isinstance(m, Meta) else np.shape(m)


def _window_gather(ns, t, x, kh, kw):
    """The entries of t (shaped as x) at each window's first maximum of x."""
    n, c, h, w = x.shape
    six = (n, c, h // kh, kh, w // kw, kw)
    mask = ns.reshape(ns.window_max_mask(x, kh=kh, kw=kw), shape=six)
    return ns.sum(ns.masked(ns.reshape(t, shape=six), mask), axis=(3, 5), keepdims=False)


_WINDOWS: dict[str, Any] = dict(
    method=no("a function of images"),
    numpy=no("NumPy has no pooling"),
    cli=no("a function of images"),
    codegen=Codegen(fresh=True),
    onnx=no("exported as ONNX MaxPool by frameworks; here a window reduction"),
    batch=no("the rule runs once per direction"),
)

WINDOW_MAX = defop(
    "window_max",
    _window_max,
    shape=_window_shape,
    dtype=same_dtype,
    # (x and the maxima enter the spread as constants: its derivative in them is 0)
    vjp=(
        lambda ns, g, out, x, kh, kw: ns.window_spread(
            g, ns.stop_gradient(x), ns.stop_gradient(out), kh=kh, kw=kw
        ),
    ),
    jvp=(lambda ns, t, out, x, kh, kw: _window_gather(ns, t, x, kh, kw),),
    saves=((0,),),
    save_out=True,
    deriv=("1 at each window's first maximum, 0 elsewhere",),
    doc="the maximum of each kh x kw window of an (N, C, H, W) array that the windows "
    "tile, its gradient going to the window's first maximum (PyTorch's max pooling)",
    names=no("internal: F.max_pool2d's windows when they tile the input"),
    **_WINDOWS,
)

WINDOW_MAX_MASK = defop(
    "window_max_mask",
    _window_max_mask,
    shape=lambda m, kh, kw: m[0].shape if isinstance(m[0], Meta) else np.shape(m[0]),
    dtype=lambda m, **a: np.dtype(bool),
    doc="True at each tiling window's first maximum (window_max's gradient mask)",
    names=no("internal: the mask of window_max's rules"),
    **_WINDOWS,
)

WINDOW_SPREAD = defop(
    "window_spread",
    _window_spread,
    shape=lambda m, kh, kw: _meta_shape(m[1]),
    dtype=same_dtype,
    vjp=(lambda ns, h, out, g, x, top, kh, kw: _window_gather(ns, h, x, kh, kw), None, None),
    jvp=(
        lambda ns, t, out, g, x, top, kh, kw: ns.window_spread(
            t, ns.stop_gradient(x), ns.stop_gradient(top), kh=kh, kw=kw
        ),
        None,
        None,
    ),
    saves=((1,), (), ()),
    deriv=("1 at each window's first maximum of x, 0 elsewhere", "", ""),
    args=("g", "x", "top"),
    doc="g (N, C, oh, ow) placed at each tiling window's first maximum of x (whose "
    "window maxima are top), zeros elsewhere: window_max's gradient",
    names=no("internal: the gradient of window_max"),
    **_WINDOWS,
)
