"""More of ``tf.math`` with TensorFlow's semantics: ``xlogy``/``xlog1py`` (0 where x is 0,
whatever y), ``multiply_no_nan``, ``truediv`` (TensorFlow's integer-to-float table),
``realdiv``, ``truncatediv``, ``truncatemod``, ``scalar_mul``, ``accumulate_n``,
``in_top_k``, ``zero_fraction``, ``is_non_decreasing``, ``is_strictly_increasing``,
``invert_permutation``, ``confusion_matrix``, ``cumulative_logsumexp``, ``lbeta`` and
the special functions under TensorFlow's names (``bessel_i0``, ``igamma`` ...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import special
from ..functions import cg
from ..ops.args import is_symbolic
from ._args import _int, _ints, _known, _shape, _tensor
from .segment import unsorted_segment_sum

__all__ = [  # TensorFlow's functions defined here, not compgraph ops
    "xlogy",
    "xlog1py",
    "multiply_no_nan",
    "truediv",
    "realdiv",
    "truncatediv",
    "truncatemod",
    "scalar_mul",
    "accumulate_n",
    "in_top_k",
    "zero_fraction",
    "is_non_decreasing",
    "is_strictly_increasing",
    "invert_permutation",
    "confusion_matrix",
    "cumulative_logsumexp",
    "lbeta",
    "bessel_i0",
    "bessel_i0e",
    "bessel_i1",
    "bessel_i1e",
    "erfinv",
    "erfcinv",
    "ndtri",
    "polygamma",
    "zeta",
    "betainc",
    "igamma",
    "igammac",
    "count_nonzero",
]

_special: Any = special  # (its functions come from a module __getattr__)


def _pair(f: str, x: Any, y: Any) -> tuple:
    """``x`` and ``y`` as tensors of one dtype, as TensorFlow's binary ops want them: a
    Python number takes the other's dtype; two tensors must agree."""
    xt, yt = hasattr(x, "dtype"), hasattr(y, "dtype")
    if xt and not yt:
        x = _tensor(x)
        return x, cg.asarray(y, dtype=x.dtype)
    if yt and not xt:
        y = _tensor(y)
        return cg.asarray(x, dtype=y.dtype), y
    x, y = _tensor(x), _tensor(y)
    if np.dtype(x.dtype) != np.dtype(y.dtype):
        raise TypeError(f"{f}: x and y must have the same dtype, got {x.dtype} and {y.dtype}")
    return x, y


def xlogy(x: Any, y: Any, name: Any = None) -> Any:
    """TensorFlow's ``xlogy``: ``x * log(y)``, and 0 where ``x == 0`` (even where ``y``
    is 0 or NaN); its gradient in ``x`` is 0 there too."""
    x, y = _pair("xlogy", x, y)
    zero = x == 0
    return cg.where(zero, 0, x * cg.log(cg.where(zero, 1, y)))


def xlog1py(x: Any, y: Any, name: Any = None) -> Any:
    """TensorFlow's ``xlog1py``: ``x * log1p(y)``, and 0 where ``x == 0`` (even where
    ``y`` is -1 or NaN); its gradient in ``x`` is 0 there too."""
    x, y = _pair("xlog1py", x, y)
    zero = x == 0
    return cg.where(zero, 0, x * cg.log1p(cg.where(zero, 0, y)))


def multiply_no_nan(x: Any, y: Any, name: Any = None) -> Any:
    """TensorFlow's ``multiply_no_nan``: ``x * y``, and 0 where ``y == 0`` even if ``x``
    is infinite or NaN.  Gradients as TensorFlow's for finite ``x``: ``g * y`` for ``x``
    and ``g * x`` for ``y`` (also where ``y == 0``)."""
    x, y = _pair("multiply_no_nan", x, y)
    bad = cg.logical_and(y == 0, cg.logical_not(cg.isfinite(x)))
    return cg.where(bad, 0, x) * y + 0  # (+0: -0.0 becomes 0, as TensorFlow's select)


_TO_FLOAT = {1: np.float32, 2: np.float32, 4: np.float64, 8: np.float64}


def truediv(x: Any, y: Any, name: Any = None) -> Any:
    """TensorFlow's ``truediv``: ``x / y``; integers are first converted to floats as
    TensorFlow does (8- and 16-bit to float32, 32- and 64-bit to float64); ``x`` and
    ``y`` must have the same dtype (a Python number takes the other's)."""
    x, y = _pair("truediv", x, y)
    dt = np.dtype(x.dtype)
    if dt.kind in "iu":
        to = _TO_FLOAT[dt.itemsize]
        x, y = cg.astype(x, to), cg.astype(y, to)
    elif dt.kind == "b":
        raise TypeError(f"truediv: dtype {dt} is not supported")
    return cg.divide(x, y)


def realdiv(x: Any, y: Any, name: Any = None) -> Any:
    """TensorFlow's ``realdiv``: ``x / y`` of real (floating-point) tensors."""
    x, y = _pair("realdiv", x, y)
    if np.dtype(x.dtype).kind not in "fc":
        raise TypeError(f"realdiv: x and y must be floating-point tensors, got {x.dtype}")
    return cg.divide(x, y)


def truncatediv(x: Any, y: Any, name: Any = None) -> Any:
    """TensorFlow's ``truncatediv``: ``x / y`` rounded toward zero (C's integer
    division; integers only, dividing by 0 is an error)."""
    x, y = _pair("truncatediv", x, y)
    if np.dtype(x.dtype).kind not in "iu":
        raise TypeError(f"truncatediv: x and y must be integer tensors, got {x.dtype}")
    if not is_symbolic(y) and np.any(np.asarray(getattr(y, "_data", y)) == 0):
        raise ValueError("truncatediv: integer division by zero")
    q = cg.floor_divide(cg.abs(x), cg.abs(y))
    return cg.where((x < 0) != (y < 0), -q, q)


def truncatemod(x: Any, y: Any, name: Any = None) -> Any:
    """TensorFlow's ``truncatemod``: the remainder of :func:`truncatediv` (the sign of
    ``x``, C's ``%`` and ``fmod``)."""
    x, y = _pair("truncatemod", x, y)
    return cg.fmod(x, y)


def scalar_mul(scalar: Any, x: Any, name: Any = None) -> Any:
    """TensorFlow's ``scalar_mul``: ``scalar * x`` for a 0-d ``scalar``."""
    s = _tensor(scalar)
    if _shape(s, "scalar_mul") != ():
        raise ValueError(f"scalar_mul: scalar must be 0-d, got shape {_shape(s, 'scalar_mul')}")
    return s * x


def accumulate_n(
    inputs: Sequence[Any], shape: Any = None, tensor_dtype: Any = None, name: Any = None
) -> Any:
    """TensorFlow's ``accumulate_n``: the sum of a list of tensors of one shape and dtype
    (``shape`` and ``tensor_dtype``, when given, must be theirs)."""
    f = "accumulate_n"
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError(f"{f}: inputs must be a non-empty list of tensors")
    ts = [_tensor(t) for t in inputs]
    shapes = {tuple(t.shape) for t in ts}
    dtypes = {np.dtype(t.dtype) for t in ts}
    if len(shapes) != 1 or len(dtypes) != 1:
        raise ValueError(
            f"{f}: inputs must all have the same shape and dtype, got shapes "
            f"{sorted(shapes)} and dtypes {sorted(map(str, dtypes))}"
        )
    if shape is not None and tuple(int(d) for d in np.atleast_1d(shape)) != shapes.pop():
        raise ValueError(f"{f}: shape {shape} differs from the inputs' {tuple(ts[0].shape)}")
    if tensor_dtype is not None and np.dtype(tensor_dtype) != dtypes.pop():
        raise TypeError(f"{f}: tensor_dtype {tensor_dtype} differs from the inputs' {ts[0].dtype}")
    total = ts[0]
    for t in ts[1:]:
        total = total + t
    return total


def in_top_k(targets: Any, predictions: Any, k: Any, name: Any = None) -> Any:
    """TensorFlow's ``in_top_k(targets, predictions, k)``: for each row of the
    ``(batch, classes)`` ``predictions``, whether the prediction of class ``targets[i]``
    is among the ``k`` largest (fewer than ``k`` others are strictly larger, so ties at
    the boundary count as in).  False for a target out of range or a row holding a
    non-finite prediction."""
    f = "in_top_k"
    t = _ints(targets, f, "targets")
    p = _tensor(predictions)
    shape = _shape(p, f)
    k = _int(k, f, "k")
    if len(shape) != 2 or t.shape != shape[:1]:
        raise ValueError(
            f"{f}: predictions must be (batch, classes) and targets (batch,), got "
            f"{shape} and {t.shape}"
        )
    valid = (t >= 0) & (t < shape[1])
    picked = cg.take_along_axis(p, np.where(valid, t, 0)[:, None], axis=-1)
    above = cg.sum(cg.astype(p > picked, np.int64), axis=-1)
    finite = cg.all(cg.isfinite(p), axis=-1)
    return cg.logical_and(cg.logical_and(above < k, finite), valid)


def zero_fraction(value: Any, name: Any = None) -> Any:
    """TensorFlow's ``zero_fraction``: the fraction of entries equal to 0 (float32)."""
    v = _tensor(value)
    return cg.mean(cg.astype(v == 0, np.float32))


def _monotone(f: str, x: Any, strict: bool) -> Any:
    v = _tensor(x)
    if np.dtype(v.dtype).kind not in "fiu":
        raise TypeError(f"{f}: x must be a real tensor, got {v.dtype}")
    flat = cg.reshape(v, (-1,))
    if _shape(flat, f)[0] < 2:
        return cg.asarray(True)
    return cg.all(flat[1:] > flat[:-1] if strict else flat[1:] >= flat[:-1])


def is_non_decreasing(x: Any, name: Any = None) -> Any:
    """TensorFlow's ``is_non_decreasing``: whether ``x`` (flattened) never decreases."""
    return _monotone("is_non_decreasing", x, False)


def is_strictly_increasing(x: Any, name: Any = None) -> Any:
    """TensorFlow's ``is_strictly_increasing``: whether ``x`` (flattened) always grows."""
    return _monotone("is_strictly_increasing", x, True)


def invert_permutation(x: Any, name: Any = None) -> Any:
    """TensorFlow's ``invert_permutation``: ``y`` with ``y[x[i]] = i`` (``x`` a
    permutation of ``0 .. n-1``), in ``x``'s dtype."""
    f = "invert_permutation"
    raw = _known(x, f, "x")
    p = _ints(x, f, "x")
    if p.ndim != 1 or not np.array_equal(np.sort(p), np.arange(p.size)):
        raise ValueError(f"{f}: x must be a permutation of 0 .. n-1, got {p.tolist()}")
    out = np.empty_like(p)
    out[p] = np.arange(p.size)
    return cg.asarray(out.astype(raw.dtype))


def confusion_matrix(
    labels: Any,
    predictions: Any,
    num_classes: Any = None,
    weights: Any = None,
    dtype: Any = np.int32,
    name: Any = None,
) -> Any:
    """TensorFlow's ``confusion_matrix``: ``out[label, prediction]`` counts (or sums
    ``weights``), ``num_classes`` by default ``max(labels, predictions) + 1``."""
    f = "confusion_matrix"
    lab = _ints(labels, f, "labels").ravel()
    pred = _ints(predictions, f, "predictions").ravel()
    if lab.shape != pred.shape:
        raise ValueError(f"{f}: labels and predictions differ in size: {lab.size} vs {pred.size}")
    if (lab.size and lab.min() < 0) or (pred.size and pred.min() < 0):
        raise ValueError(f"{f}: labels and predictions must be non-negative")
    top = int(max(lab.max(initial=-1), pred.max(initial=-1))) + 1
    n = top if num_classes is None else _int(num_classes, f, "num_classes")
    if top > n:
        raise ValueError(f"{f}: labels and predictions must be below num_classes={n}")
    cells = lab * n + pred
    if weights is None:
        return cg.asarray(np.bincount(cells, minlength=n * n).reshape(n, n).astype(dtype))
    w = cg.astype(cg.reshape(_tensor(weights), (-1,)), dtype)
    return cg.reshape(unsorted_segment_sum(w, cells, n * n), (n, n))


def cumulative_logsumexp(
    x: Any, axis: int = 0, exclusive: bool = False, reverse: bool = False, name: Any = None
) -> Any:
    """TensorFlow's ``cumulative_logsumexp``: ``log(cumsum(exp(x)))`` along ``axis``,
    computed stably; ``exclusive`` starts from ``-inf``, ``reverse`` from the end."""
    v = _tensor(x)
    nd = len(_shape(v, "cumulative_logsumexp"))
    ax = int(axis) % max(nd, 1)
    if reverse:
        v = cg.flip(v, axis=ax)
    m = cg.stop_gradient(cg.max(v, axis=ax, keepdims=True))
    m = cg.where(cg.isfinite(m), m, 0)
    out = cg.log(cg.cumsum(cg.exp(v - m), axis=ax)) + m
    if exclusive:
        idx = [slice(None)] * nd
        idx[ax] = slice(0, -1)
        pad = [(0, 0)] * nd
        pad[ax] = (1, 0)
        out = cg.pad(out[tuple(idx)], pad, constant_values=-np.inf)
    return cg.flip(out, axis=ax) if reverse else out


def lbeta(x: Any, name: Any = None) -> Any:
    """TensorFlow's ``lbeta``: ``log|B(x)|`` over the last axis, ``sum(lgamma(x)) -
    lgamma(sum(x))``."""
    v = _tensor(x)
    return cg.sum(_special.gammaln(v), axis=-1) - _special.gammaln(cg.sum(v, axis=-1))


def bessel_i0(x: Any, name: Any = None) -> Any:
    """The modified Bessel function of order 0 (``tf.math.bessel_i0``)."""
    return _special.i0(x)


def bessel_i0e(x: Any, name: Any = None) -> Any:
    """``exp(-|x|) * I0(x)`` (``tf.math.bessel_i0e``)."""
    return _special.i0e(x)


def bessel_i1(x: Any, name: Any = None) -> Any:
    """The modified Bessel function of order 1 (``tf.math.bessel_i1``)."""
    return _special.i1(x)


def bessel_i1e(x: Any, name: Any = None) -> Any:
    """``exp(-|x|) * I1(x)`` (``tf.math.bessel_i1e``)."""
    return _special.i1e(x)


def erfinv(x: Any, name: Any = None) -> Any:
    """The inverse error function (``tf.math.erfinv``)."""
    return _special.erfinv(x)


def erfcinv(x: Any, name: Any = None) -> Any:
    """The inverse complementary error function (``tf.math.erfcinv``)."""
    return _special.erfcinv(x)


def ndtri(x: Any, name: Any = None) -> Any:
    """The inverse of the standard normal CDF (``tf.math.ndtri``)."""
    return _special.ndtri(x)


def polygamma(a: Any, x: Any, name: Any = None) -> Any:
    """The ``a``-th derivative of digamma at ``x`` (``tf.math.polygamma``)."""
    return _special.polygamma(a, x)


def zeta(x: Any, q: Any, name: Any = None) -> Any:
    """The Hurwitz zeta function ``sum((k + q)**-x for k >= 0)`` (``tf.math.zeta``);
    differentiable in ``q``."""
    return _special.zeta(x, q)


def betainc(a: Any, b: Any, x: Any, name: Any = None) -> Any:
    """The regularized incomplete beta function ``I_x(a, b)`` (``tf.math.betainc``)."""
    return _special.betainc(a, b, x)


def igamma(a: Any, x: Any, name: Any = None) -> Any:
    """The regularized lower incomplete gamma function ``P(a, x)`` (``tf.math.igamma``)."""
    return _special.gammainc(a, x)


def igammac(a: Any, x: Any, name: Any = None) -> Any:
    """The regularized upper incomplete gamma function ``Q(a, x)`` (``tf.math.igammac``)."""
    return _special.gammaincc(a, x)


def count_nonzero(
    input: Any, axis: Any = None, keepdims: Any = None, dtype: Any = np.int64, name: Any = None
) -> Any:
    """TensorFlow's ``count_nonzero``: the number of nonzero entries over ``axis`` (all by
    default), as ``dtype`` (int64 by default)."""
    v = _tensor(input)
    ax = None if axis is None else tuple(int(a) for a in np.atleast_1d(np.asarray(axis)))
    nz = cg.astype(v != 0, np.int64)
    return cg.astype(cg.sum(nz, axis=ax, keepdims=bool(keepdims)), dtype)
