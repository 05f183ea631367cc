"""Primitives behind ``cg.nn.functional`` where a composite is measurably slower.

* ``softmax_fused``: softmax along axes as one op.  The composite (max, subtract,
  exp, sum, divide) records five nodes and its backward makes about ten passes over the
  array; this rule, ``out * (g - sum(g * out))``, makes three.  Softmax's Jacobian
  ``diag(s) - s s^T`` is symmetric, so the JVP is the same formula.
* ``max_first``: a maximum along one axis whose gradient goes to the first maximal
  entry (max pooling, as torch), computed as a plain max going forward.
* ``batched_matmul``: the product of two stacks of matrices (B, n, k) @ (B, k, m).
  ``np.matmul`` on stacks does not reach BLAS's speed; a loop of 2-D products, each one
  BLAS call written into its slice of the result, is several times faster for the
  (batch x heads) stacks of attention.  Its rules are itself on transposed views.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .args import empty_axis, ndim_of, normalize_axis, shape_of
from .meta import Meta, floating, promote, same_shape
from .registry import defop
from .spec import Codegen, no

__all__ = [
    "SOFTMAX_FUSED",
    "BATCHED_MATMUL",
    "MAX_FIRST",
    "MAX_FIRST_MASK",
    "batched_matmul_forward",
]

_INTERNAL: dict[str, Any] = dict(
    method=no("internal: reached through cg.nn.functional"),
    numpy=no("NumPy has no such function"),
    cli=no("internal: reached through cg.nn.functional"),
)


# --------------------------------------------------------------------------- softmax
def _softmax(x, axis):
    x = np.asarray(x)
    if x.dtype.kind not in "fc":
        x = x.astype(np.float64)
    e = x - np.max(x, axis=axis, keepdims=True)  # a fresh buffer: the rest runs in place
    np.exp(e, out=e)
    e /= np.sum(e, axis=axis, keepdims=True)
    return e


def _softmax_prepare(x: Any, axis: Any = -1) -> tuple:
    """``exp(x) / sum(exp(x))`` along ``axis`` as one op (a slice whose maximum is not
    finite gives NaN, as torch.softmax)."""
    axes = normalize_axis(axis, ndim_of(x), "softmax", shape_of(x))
    if empty_axis(x, axes):
        raise ValueError(f"softmax: cannot normalise over an empty axis of shape {shape_of(x)}")
    return (x,), {"axis": axes}


def _softmax_rule(ns, g, out, x, axis):
    return out * (g - ns.sum(g * out, axis=axis, keepdims=True))


SOFTMAX_FUSED = defop(
    "softmax_fused",
    _softmax,
    shape=same_shape,
    dtype=floating,
    vjp=(_softmax_rule,),
    jvp=(_softmax_rule,),  # the Jacobian is symmetric
    saves=((),),
    save_out=True,
    deriv=("softmax(x) (1 - softmax(x)) (diagonal), -softmax_i softmax_j (off it)",),
    doc=_softmax_prepare.__doc__,
    prepare=_softmax_prepare,
    names=no("internal: F.softmax; cg.softmax is the composite"),
    codegen=Codegen(fresh=True),
    onnx=no("exported through cg.softmax's composite graph"),
    batch=no("normalises along axes of the primal: the rule runs once per direction"),
    **_INTERNAL,
)


# --------------------------------------------------------------------------- matmul
def batched_matmul_forward(a: Any, b: Any) -> np.ndarray:
    """(B, n, k) @ (B, k, m) as B BLAS products written into one result."""
    a, b = np.asarray(a), np.asarray(b)
    dtype = np.result_type(a, b)
    if a.ndim != 3 or b.ndim != 3 or a.shape[0] < 4 or dtype.kind not in "fc":
        return np.matmul(a, b)
    out = np.empty((a.shape[0], a.shape[1], b.shape[2]), dtype)
    a, b = a.astype(dtype, copy=False), b.astype(dtype, copy=False)
    for i in range(a.shape[0]):
        np.matmul(a[i], b[i], out=out[i])
    return out


def _bmm_shape(metas, **attrs):
    a, b = (m.shape if isinstance(m, Meta) else None for m in metas)
    if a is None or b is None:
        return None
    if len(a) != 3 or len(b) != 3 or a[2] != b[1] or a[0] != b[0]:
        raise ValueError(f"batched_matmul: expected (B, n, k) and (B, k, m), got {a} and {b}")
    return (a[0], a[1], b[2])


BATCHED_MATMUL = defop(
    "batched_matmul",
    batched_matmul_forward,
    shape=_bmm_shape,
    dtype=promote,
    vjp=(
        lambda ns, g, out, a, b: ns.batched_matmul(g, ns.swapaxes(b, axis1=-1, axis2=-2)),
        lambda ns, g, out, a, b: ns.batched_matmul(ns.swapaxes(a, axis1=-1, axis2=-2), g),
    ),
    multilinear=True,
    saves=((1,), (0,)),
    deriv=("g @ y^T", "x^T @ g"),
    args=("x", "y"),
    doc="the product of two stacks of matrices, (B, n, k) @ (B, k, m)",
    names=no("internal: F.scaled_dot_product_attention's products; cg.matmul is public"),
    codegen=Codegen(fresh=True),
    onnx=no("exported as its MatMul through cg.matmul"),
    batch=no("the rule runs once per direction"),
    **_INTERNAL,
)


# --------------------------------------------------------------------------- max pooling
# Pooling windows are short axes (4, 9 entries); NumPy reduces along a short axis slowly,
# so both ops walk the window's entries, one long vector operation each.
def _max_first(x, axis=-1):
    x = np.asarray(x)
    n = x.shape[axis]
    if not 1 < n <= 64:
        return np.max(x, axis=axis)
    xs = np.moveaxis(x, axis, 0)
    out = xs[0].copy()
    for i in range(1, n):
        np.maximum(out, xs[i], out=out)  # (NaN propagates, as torch's pooling)
    return out


def _max_first_mask(x, axis=-1):
    x = np.asarray(x)
    xs = np.moveaxis(x, axis, 0)
    top = _max_first(x, axis)
    mask = np.empty(xs.shape, bool)
    seen = np.zeros(top.shape, bool)
    for i in range(xs.shape[0]):
        hit = xs[i] == top
        if x.dtype.kind in "fc":
            hit |= xs[i] != xs[i]  # a NaN is the maximum (the first one takes the gradient)
        np.logical_and(hit, ~seen, out=mask[i])
        seen |= hit
    return np.moveaxis(mask, 0, axis)


def _max_first_vjp(ns, g, out, x, axis):
    return ns.where(ns.max_first_mask(x, axis=axis), ns.expand_dims(g, axis=axis), 0)


def _max_first_jvp(ns, t, out, x, axis):
    return ns.sum(ns.where(ns.max_first_mask(x, axis=axis), t, 0), axis=(axis,))


def _max_first_shape(metas, axis):
    s = metas[0].shape if isinstance(metas[0], Meta) else None
    if s is None:
        return None
    return s[: axis % len(s)] + s[axis % len(s) + 1 :]


_POOL: dict[str, Any] = dict(
    codegen=Codegen(fresh=True),
    onnx=no("exported through MaxPool by frameworks; here a window reduction"),
    batch=no("the rule runs once per direction"),
    **_INTERNAL,
)

MAX_FIRST = defop(
    "max_first",
    _max_first,
    shape=_max_first_shape,
    dtype=lambda m, **a: m[0].dtype if isinstance(m[0], Meta) else None,
    vjp=(_max_first_vjp,),
    jvp=(_max_first_jvp,),
    saves=((0,),),
    deriv=("1 at the first maximum along axis, 0 elsewhere",),
    doc="the maximum along one axis, its gradient going to the first maximal entry "
    "(max pooling's rule, as torch; a plain max splits it among ties)",
    names=no("internal: F.max_pool*'s window maximum"),
    **_POOL,
)

MAX_FIRST_MASK = defop(
    "max_first_mask",
    _max_first_mask,
    shape=same_shape,
    dtype=lambda m, **a: np.dtype(bool),
    doc="True at the first maximum along one axis (max_first's gradient mask)",
    names=no("internal: the mask of max_first's rules"),
    **_POOL,
)
