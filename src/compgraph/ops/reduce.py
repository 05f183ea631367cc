"""Reductions and their inverses: sum, max, min, sum_to and broadcast_to.

``axis`` attributes arrive normalised by the public functions: ``None`` or a
sorted tuple of non-negative ints.
"""
from __future__ import annotations

import numpy as np

from .meta import floating, reduced, same_dtype, same_shape, shape_attr
from .registry import defop


_add_reduce = np.add.reduce
_max_reduce = np.maximum.reduce
_min_reduce = np.minimum.reduce


def _keepdims_shape(shape, axis):
    if axis is None:
        return (1,) * len(shape)
    return tuple(1 if i in axis else d for i, d in enumerate(shape))


def _unreduce(ns, g, x, axis, keepdims):
    """Bring a reduced gradient back to x's shape (a broadcast view)."""
    shape = x.shape
    if shape is None or None in shape:
        # Static graphs of unknown shape: the same, with shapes taken at run time.
        if not keepdims and axis is not None:
            g = ns.expand_dims(g, axis=axis)
        return ns.broadcast_like(g, x)
    if not keepdims:
        g = ns.reshape(g, shape=_keepdims_shape(shape, axis))
    return ns.broadcast_to(g, shape=shape)


def _sum_dtype(metas, **attrs):
    d = same_dtype(metas)
    return None if d is None else np.sum(np.zeros(1, d)).dtype  # bools and small ints widen


SUM = defop(
    # The ufunc reductions are what np.sum / np.max call, without their Python wrappers.
    "sum", lambda x, axis=None, keepdims=False: _add_reduce(x, axis=axis, keepdims=keepdims),
    shape=reduced, dtype=_sum_dtype,
    vjp=(lambda ns, g, out, x, axis=None, keepdims=False: _unreduce(ns, g, x, axis, keepdims),),
    linear=True, saves=((),), meta=True, deriv=("1",), doc="sum over axes")


def _extreme_rule(ns, g, out, x, axis=None, keepdims=False):
    # Ties share the gradient evenly (PyTorch's amax/amin convention).
    if not keepdims:
        shape = _keepdims_shape(x.shape, axis)
        g = ns.reshape(g, shape=shape)
        out = ns.reshape(out, shape=shape)
    mask = x == out
    count = ns.astype(ns.sum(mask, axis=axis, keepdims=True), dtype=g.dtype)
    return ns.masked(g / count, mask)


def _extreme_jvp(ns, t, out, x, axis=None, keepdims=False):
    if not keepdims:
        out = ns.reshape(out, shape=_keepdims_shape(x.shape, axis))
    mask = x == out
    count = ns.astype(ns.sum(mask, axis=axis, keepdims=True), dtype=t.dtype)
    return ns.sum(ns.where(mask, t, 0) / count, axis=axis, keepdims=keepdims)


MAX = defop(
    "max", lambda x, axis=None, keepdims=False: _max_reduce(x, axis=axis, keepdims=keepdims),
    shape=reduced, dtype=same_dtype,
    vjp=(_extreme_rule,), jvp=(_extreme_jvp,),
    saves=((0,),), save_out=True, deriv=("1 where x is the maximum else 0",),
    doc="maximum over axes")

MIN = defop(
    "min", lambda x, axis=None, keepdims=False: _min_reduce(x, axis=axis, keepdims=keepdims),
    shape=reduced, dtype=same_dtype,
    vjp=MAX.vjp, jvp=MAX.jvp, saves=((0,),), save_out=True,
    deriv=("1 where x is the minimum else 0",), doc="minimum over axes")


def sum_to_shape(x, shape):
    """Sum ``x`` down to ``shape`` (the inverse of broadcasting); ValueError if impossible."""
    shape = tuple(shape)
    xs = np.shape(x)
    if xs == shape:
        return x
    lead = len(xs) - len(shape)
    if shape and lead > 0 and xs[lead:] == shape:  # only leading axes were broadcast
        return _add_reduce(x, axis=tuple(range(lead)))
    if lead < 0 or any(d != 1 and d != xs[i + lead] for i, d in enumerate(shape)):
        raise ValueError(f"cannot sum an array of shape {xs} down to shape {shape}")
    axes = tuple(range(lead)) + tuple(i + lead for i, d in enumerate(shape)
                                      if d == 1 and xs[i + lead] != 1)
    r = _add_reduce(x, axis=axes, keepdims=True) if axes else x
    return np.reshape(r, shape)


SUM_TO = defop(
    "sum_to", sum_to_shape, linear=True, shape=shape_attr, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, shape: ns.broadcast_to(g, shape=x.shape),),
    saves=((),), meta=True, deriv=("1",), doc="sum a broadcast array back to a shape")

BROADCAST_TO = defop(
    "broadcast_to", lambda x, shape: np.broadcast_to(x, shape), linear=True,
    shape=shape_attr, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, shape: ns.sum_to(g, shape=x.shape),),
    saves=((),), meta=True, deriv=("1",), doc="broadcast to a shape (a read-only view)")


def _like_shape(metas, **attrs):
    ref = metas[1]
    return getattr(ref, "shape", ())


SUM_TO_LIKE = defop(
    "sum_to_like", lambda x, ref: sum_to_shape(x, np.shape(ref)), linear=True,
    shape=_like_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, ref: ns.broadcast_like(g, x), None), saves=((0,), ()),
    jvp=(lambda ns, t, out, x, ref: ns.sum_to_like(t, ref), None),
    deriv=("1", ""), doc="sum x down to ref's shape (static graphs whose shapes are unknown)")

BROADCAST_LIKE = defop(
    "broadcast_like", lambda x, ref: np.broadcast_to(x, np.shape(ref)), linear=True,
    shape=_like_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x, ref: ns.sum_to_like(g, x), None), saves=((0,), ()),
    jvp=(lambda ns, t, out, x, ref: ns.broadcast_like(t, ref), None),
    deriv=("1", ""), doc="broadcast x to ref's shape (static graphs whose shapes are unknown)")

ZEROS_LIKE = defop("zeros_like", lambda x: np.zeros_like(x), shape=lambda m, **a: getattr(m[0], "shape", ()),
                   dtype=same_dtype, doc="zeros of x's shape and dtype (no gradient)")
ONES_LIKE = defop("ones_like", lambda x: np.ones_like(x), shape=lambda m, **a: getattr(m[0], "shape", ()),
                  dtype=same_dtype, doc="ones of x's shape and dtype (no gradient)")


def _count(x, axis=None):
    shape = np.shape(x)
    n = int(np.prod([shape[a] for a in (axis if axis is not None else range(len(shape)))]))
    return np.asarray(n, dtype=np.result_type(x, 1.0)).astype(np.result_type(x, 1.0))[()]


COUNT = defop("reduced_count", _count, shape=lambda m, **a: (),
              dtype=lambda m, **a: None if getattr(m[0], "dtype", None) is None
              else np.result_type(m[0].dtype, 1.0),
              doc="number of elements a reduction over axis combines (no gradient); "
                  "lets mean work on static-graph values of unknown shape")


# --------------------------------------------------------------------------- log_softmax
# One primitive instead of seven (max, subtract, exp, sum, log, add, subtract): the
# classifier losses run it every step, and its rules are short and exact.
def _log_softmax(x, axis):
    x = np.asarray(x)
    if x.dtype.kind not in "fc":
        x = x.astype(np.float64)
    if x.ndim == 2 and axis in ((1,), (-1,), 1, -1) and 1 < x.shape[1] <= 64 \
            and x.shape[0] >= 4 * x.shape[1]:
        # Classifier logits (batch, few classes): reductions along a short contiguous
        # axis are slow in NumPy; on the transposed copy they are long vector ops.
        xt = x.T.copy()
        m = np.maximum.reduce(xt, axis=0)
        if np.isfinite(m).all():
            xt -= m
            xt -= np.log(np.add.reduce(np.exp(xt), axis=0))
            return np.ascontiguousarray(xt.T)
    m = _max_reduce(x, axis=axis, keepdims=True)
    if np.isfinite(m).all():
        s = x - m
        # The largest entry adds exp(0) = 1, so the sum is >= 1: no log(0) here.
        s -= np.log(_add_reduce(np.exp(s), axis=axis, keepdims=True))
        return s
    m = np.where(np.isfinite(m), m, 0)  # rows of -inf (or inf) must not give inf - inf
    s = x - m
    with np.errstate(divide="ignore", invalid="ignore"):  # all -inf rows give nan, as torch
        s -= np.log(_add_reduce(np.exp(s), axis=axis, keepdims=True))
    return s


LOG_SOFTMAX = defop(
    "log_softmax", _log_softmax, shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x, axis: g - ns.exp(out) * ns.sum(g, axis=axis, keepdims=True),),
    jvp=(lambda ns, t, out, x, axis: t - ns.sum(ns.exp(out) * t, axis=axis, keepdims=True),),
    saves=((),), save_out=True, deriv=("1 - softmax(x) (diagonal), -softmax(x) (off it)",),
    doc="x - logsumexp(x) along an axis, computed stably")


# --------------------------------------------------------------------------- argmax
def _argmax(x, axis=None, keepdims=False):
    # NaN counts as the largest value (the first one wins), as in NumPy and torch.
    r = np.argmax(x, axis=None if axis is None else axis[0], keepdims=keepdims)
    return r if isinstance(r, np.ndarray) else np.int64(r)


def _argmax_shape(metas, axis=None, keepdims=False):
    if axis is not None and len(axis) != 1:
        raise ValueError(f"argmax: takes one axis or None, got {axis}")
    return reduced(metas, axis=axis, keepdims=keepdims)


ARGMAX = defop(
    "argmax", _argmax, shape=_argmax_shape, dtype=lambda m, **a: np.dtype(np.int64),
    doc="index of the (first) largest value along an axis, or of the flattened array")
