"""More of NumPy's functions, continued from :mod:`.numpy_math`: NaN-aware scans and
percentiles, histograms, bits, ``matvec``/``vecmat``, sets, polynomials and windows.

Composites of the registered ops, so gradients come from their rules; results that are
indices, counts, bits or edges are NumPy's values (not differentiable, as NumPy's).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .args import is_symbolic
from .manip import known_shape
from .namespace import cg, lookup
from .registry import defpublic
from .spec import no

__all__ = [
    "nanargmax",
    "nanargmin",
    "nancumsum",
    "nancumprod",
    "nanpercentile",
    "histogram2d",
    "histogram_bin_edges",
    "bitwise_count",
    "packbits",
    "unpackbits",
    "matvec",
    "vecmat",
    "intersect1d",
    "union1d",
    "setdiff1d",
    "setxor1d",
    "poly",
    "polyadd",
    "polysub",
    "polymul",
    "polydiv",
    "polyder",
    "polyint",
    "polyval",
    "polyfit",
    "roots",
    "bartlett",
    "blackman",
    "hamming",
    "hanning",
    "kaiser",
]

_CLI = no("takes several arguments or arrays; the command line calls one-argument functions")
_INT = no("an integer result, not differentiable, as NumPy's")
_NEW = no("creates a new array")


def _t(x: Any) -> Any:
    return x if is_symbolic(x) or hasattr(x, "requires_grad") else cg.asarray(x)


def _values(x: Any, where: str) -> np.ndarray:
    if is_symbolic(x):
        raise TypeError(
            f"{where}: computed from the input's values, which a static graph does not "
            f"have yet; call it outside cg.function"
        )
    if hasattr(x, "requires_grad"):
        return np.asarray(cg.stop_gradient(x))
    return np.asarray(x)


def _dtype(x: Any) -> np.dtype:
    return np.dtype(x.dtype)


def _as(x: Any, dtype: Any) -> Any:
    return x if _dtype(x) == np.dtype(dtype) else cg.astype(x, dtype)


# ------------------------------------------------------------------ NaN-aware
@defpublic(method=no("NumPy has no ndarray.nanargmax"), numpy=np.nanargmax, cli=_INT)
def nanargmax(a: Any, axis: int | None = None, out: Any = None, *, keepdims: bool = False) -> Any:
    """The index of the largest element ignoring NaNs; an all-NaN slice raises
    (NumPy's ``np.nanargmax``)."""
    return cg.asarray(np.nanargmax(_values(a, "nanargmax"), axis=axis, keepdims=keepdims))


@defpublic(method=no("NumPy has no ndarray.nanargmin"), numpy=np.nanargmin, cli=_INT)
def nanargmin(a: Any, axis: int | None = None, out: Any = None, *, keepdims: bool = False) -> Any:
    """The index of the smallest element ignoring NaNs; an all-NaN slice raises
    (NumPy's ``np.nanargmin``)."""
    return cg.asarray(np.nanargmin(_values(a, "nanargmin"), axis=axis, keepdims=keepdims))


def _nan_filled(a: Any, fill: float) -> Any:
    t = _t(a)
    if _dtype(t).kind not in "fc":
        return t
    return cg.where(np.isnan(_values(t, "nan scan")), fill, t)


@defpublic(method=no("NumPy has no ndarray.nancumsum"), numpy=np.nancumsum, cli=_CLI)
def nancumsum(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """The running sum with NaNs counted as 0 (NumPy's ``np.nancumsum``; no gradient
    reaches the NaNs)."""
    if out is not None:
        raise TypeError("nancumsum: out= is not supported (compgraph values are immutable)")
    return cg.cumsum(_nan_filled(a, 0.0), axis=axis, dtype=dtype)


@defpublic(method=no("NumPy has no ndarray.nancumprod"), numpy=np.nancumprod, cli=_CLI)
def nancumprod(a: Any, axis: int | None = None, dtype: Any = None, out: Any = None) -> Any:
    """The running product with NaNs counted as 1 (NumPy's ``np.nancumprod``; no
    gradient reaches the NaNs)."""
    if out is not None:
        raise TypeError("nancumprod: out= is not supported (compgraph values are immutable)")
    return cg.cumprod(_nan_filled(a, 1.0), axis=axis, dtype=dtype)


@defpublic(method=no("NumPy has no ndarray.nanpercentile"), numpy=np.nanpercentile, cli=_CLI)
def nanpercentile(a: Any, q: Any, axis: Any = None, out: Any = None,
                  overwrite_input: bool = False, method: str = "linear",
                  keepdims: bool = False, *, weights: Any = None,
                  interpolation: Any = None) -> Any:  # fmt: skip
    """The ``q``-th percentiles of the values that are not NaN (NaN for an all-NaN
    slice), over ``axis`` (NumPy's ``np.nanpercentile``; differentiable through
    ``cg.percentile`` of each slice's kept values)."""
    if out is not None or weights is not None:
        raise TypeError("nanpercentile: out= and weights= are not supported")
    if interpolation is not None:
        method = interpolation
    t = _t(a)
    v = _values(t, "nanpercentile")
    qv = np.asarray(_values(q, "nanpercentile"))
    if np.any((qv < 0) | (qv > 100)):
        raise ValueError("nanpercentile: Percentiles must be in the range [0, 100]")
    nd = v.ndim
    axes = tuple(range(nd)) if axis is None else tuple(
        ax % nd for ax in np.atleast_1d(axis).tolist())  # fmt: skip
    rest = tuple(ax for ax in range(nd) if ax not in axes)
    moved = cg.transpose(t, rest + axes) if nd else t
    vm = np.transpose(v, rest + axes) if nd else v
    outer = tuple(v.shape[ax] for ax in rest)
    flat = cg.reshape(moved, outer + (-1,))
    vflat = vm.reshape(outer + (-1,))
    dt = np.result_type(v.dtype, np.float64) if v.dtype.kind in "iub" else v.dtype
    pieces = []
    for ind in np.ndindex(*outer):
        keep = np.flatnonzero(~np.isnan(vflat[ind])) if v.dtype.kind in "fc" else np.arange(
            vflat.shape[-1])  # fmt: skip
        if keep.size == 0:
            pieces.append(cg.asarray(np.full(qv.shape, np.nan, dt)))
        else:
            pieces.append(_as(_t(cg.percentile(cg.take(flat[ind], keep), q, method=method)), dt))
    res = cg.stack(pieces, axis=-1) if pieces else cg.zeros(qv.shape + (0,), dt)
    res = cg.reshape(res, qv.shape + outer)
    if keepdims:
        full = list(qv.shape) + [1 if ax in axes else v.shape[ax] for ax in range(nd)]
        res = cg.reshape(res, tuple(full))
    return res


# ------------------------------------------------------------------ histograms and bits
@defpublic(method=no("a function of two arrays"), numpy=np.histogram2d, cli=_INT)
def histogram2d(x: Any, y: Any, bins: Any = 10, range: Any = None, density: Any = None,
                weights: Any = None) -> tuple:  # fmt: skip
    """``(H, xedges, yedges)``: the 2-D histogram of the points ``(x, y)`` (NumPy's
    ``np.histogram2d``; not differentiable)."""
    w = None if weights is None else _values(weights, "histogram2d")
    b = [_values(e, "histogram2d") for e in bins] if isinstance(bins, (list, tuple)) else bins
    h, xe, ye = np.histogram2d(_values(x, "histogram2d"), _values(y, "histogram2d"), b, range,
                               density, w)  # fmt: skip
    return cg.asarray(h), cg.asarray(xe), cg.asarray(ye)


@defpublic(method=no("NumPy has no ndarray.histogram_bin_edges"), numpy=np.histogram_bin_edges,
           cli=_INT)  # fmt: skip
def histogram_bin_edges(a: Any, bins: Any = 10, range: Any = None, weights: Any = None) -> Any:
    """The bin edges ``np.histogram`` would use (NumPy's ``np.histogram_bin_edges``)."""
    b = bins if isinstance(bins, (int, str)) else _values(bins, "histogram_bin_edges")
    w = None if weights is None else _values(weights, "histogram_bin_edges")
    return cg.asarray(np.histogram_bin_edges(_values(a, "histogram_bin_edges"), b, range, w))


@defpublic(method=no("NumPy has no ndarray.bitwise_count"), numpy=np.bitwise_count, cli=_INT)
def bitwise_count(x: Any, /) -> Any:
    """The number of 1 bits in each integer's absolute value, uint8 (NumPy's
    ``np.bitwise_count``)."""
    return cg.asarray(np.bitwise_count(_values(x, "bitwise_count")))


@defpublic(method=no("NumPy has no ndarray.packbits"), numpy=np.packbits, cli=_INT)
def packbits(a: Any, /, axis: Any = None, bitorder: Any = "big") -> Any:
    """Booleans or integers (nonzero is 1) packed 8 to a uint8 along ``axis`` (NumPy's
    ``np.packbits``)."""
    return cg.asarray(np.packbits(_values(a, "packbits"), axis=axis, bitorder=bitorder))


@defpublic(method=no("NumPy has no ndarray.unpackbits"), numpy=np.unpackbits, cli=_INT)
def unpackbits(a: Any, /, axis: Any = None, count: Any = None, bitorder: Any = "big") -> Any:
    """The bits of uint8 ``a`` as a uint8 array of 0s and 1s (NumPy's
    ``np.unpackbits``)."""
    return cg.asarray(np.unpackbits(_values(a, "unpackbits"), axis=axis, count=count,
                                    bitorder=bitorder))  # fmt: skip


@defpublic(method=no("NumPy has no ndarray.matvec"), numpy=np.matvec, cli=_CLI)
def matvec(x1: Any, x2: Any, /) -> Any:
    """The matrix-vector products of stacks ``x1 (..., m, n)`` and ``x2 (..., n)``
    (NumPy's ``np.matvec``)."""
    a, b = _t(x1), _t(x2)
    sa, sb = known_shape(a, "matvec"), known_shape(b, "matvec")
    if len(sa) < 2 or len(sb) < 1 or sa[-1] != sb[-1]:
        raise ValueError(f"matvec: expected x1 (..., m, n) and x2 (..., n), got {sa} and {sb}")
    return cg.matmul(a, cg.expand_dims(b, -1))[..., 0]


@defpublic(method=no("NumPy has no ndarray.vecmat"), numpy=np.vecmat, cli=_CLI)
def vecmat(x1: Any, x2: Any, /) -> Any:
    """The vector-matrix products of stacks ``conj(x1) (..., n)`` and ``x2 (..., n, m)``
    (NumPy's ``np.vecmat``)."""
    a, b = _t(x1), _t(x2)
    sa, sb = known_shape(a, "vecmat"), known_shape(b, "vecmat")
    if len(sa) < 1 or len(sb) < 2 or sa[-1] != sb[-2]:
        raise ValueError(f"vecmat: expected x1 (..., n) and x2 (..., n, m), got {sa} and {sb}")
    if _dtype(a).kind == "c":
        a = cg.conj(a)
    return cg.matmul(cg.expand_dims(a, -2), b)[..., 0, :]


# ------------------------------------------------------------------ sets
def _picked(src: Any, idx: np.ndarray, expected: np.ndarray) -> Any:
    """``src.ravel()[idx]`` (differentiable) when it equals NumPy's ``expected``;
    ``expected`` itself otherwise (a case the gather does not reproduce)."""
    got = cg.take(cg.ravel(src), idx.astype(np.int64))
    gv = _values(got, "set")
    if gv.dtype == expected.dtype and np.array_equal(gv, expected, equal_nan=gv.dtype.kind in "fc"):
        return got
    return cg.asarray(expected)


def _joined(ar1: Any, ar2: Any) -> Any:
    a, b = cg.ravel(_t(ar1)), cg.ravel(_t(ar2))
    dt = np.result_type(_dtype(a), _dtype(b))
    return cg.concatenate([_as(a, dt), _as(b, dt)])


@defpublic(method=no("a function of two arrays"), numpy=np.intersect1d, cli=_CLI)
def intersect1d(ar1: Any, ar2: Any, assume_unique: bool = False,
                return_indices: bool = False) -> Any:  # fmt: skip
    """The sorted unique values in both arrays, with ``return_indices`` their first
    indices in each (NumPy's ``np.intersect1d``; the values are ``ar1``'s, so the
    gradient reaches ``ar1``)."""
    v1, v2 = _values(ar1, "intersect1d"), _values(ar2, "intersect1d")
    res, i1, i2 = np.intersect1d(v1, v2, assume_unique, return_indices=True)
    vals = _picked(_as(_t(ar1), res.dtype), i1, res)
    if return_indices:
        return vals, cg.asarray(i1), cg.asarray(i2)
    return vals


@defpublic(method=no("a function of two arrays"), numpy=np.union1d, cli=_CLI)
def union1d(ar1: Any, ar2: Any) -> Any:
    """The sorted unique values in either array (NumPy's ``np.union1d``; each value
    taken from its first occurrence, ``ar1`` before ``ar2``)."""
    j = _joined(ar1, ar2)
    res, first = np.unique(_values(j, "union1d"), return_index=True)
    return _picked(j, first, res)


@defpublic(method=no("a function of two arrays"), numpy=np.setdiff1d, cli=_CLI)
def setdiff1d(ar1: Any, ar2: Any, assume_unique: bool = False) -> Any:
    """The unique values of ``ar1`` not in ``ar2`` (sorted unless ``assume_unique``;
    NumPy's ``np.setdiff1d``)."""
    t = _t(ar1)
    v1, v2 = _values(t, "setdiff1d").ravel(), _values(ar2, "setdiff1d")
    res = np.setdiff1d(v1, v2, assume_unique)
    if assume_unique:
        idx = np.flatnonzero(~np.isin(v1, v2))
    else:
        u, first = np.unique(v1, return_index=True)
        idx = first[~np.isin(u, v2)]
    return _picked(_as(t, res.dtype), idx, res)


@defpublic(method=no("a function of two arrays"), numpy=np.setxor1d, cli=_CLI)
def setxor1d(ar1: Any, ar2: Any, assume_unique: bool = False) -> Any:
    """The sorted unique values in exactly one of the arrays (NumPy's
    ``np.setxor1d``)."""
    j = _joined(ar1, ar2)
    res = np.setxor1d(_values(ar1, "setxor1d"), _values(ar2, "setxor1d"), assume_unique)
    u, first = np.unique(_values(j, "setxor1d"), return_index=True)
    return _picked(_as(j, res.dtype), first[np.isin(u, res)], res)


# ------------------------------------------------------------------ polynomials
def _convolve(a: Any, b: Any) -> Any:
    return cg.convolve(a, b)


def _coeffs(p: Any, where: str) -> Any:
    t = _t(p)
    if hasattr(t, "coeffs") and not hasattr(t, "requires_grad"):
        t = _t(t.coeffs)
    t = cg.atleast_1d(t)
    if len(known_shape(t, where)) != 1:
        raise ValueError(
            f"{where}: expected a 1-D array of coefficients, got {known_shape(t, where)}"
        )
    return t


def _with_gradient_of(value: np.ndarray, rule: Any) -> Any:
    """NumPy's ``value`` exactly, carrying the gradient of ``rule`` (a function equal to
    it to rounding): ``value + (rule - stop_gradient(rule))``."""
    return cg.add(cg.asarray(value), cg.subtract(rule, cg.stop_gradient(rule)))


def _charpoly(a: Any, n: int, dt: np.dtype) -> Any:
    """The characteristic polynomial's coefficients by Faddeev-LeVerrier (matrix
    products only, so differentiable where ``eigvals`` is not)."""
    eye = np.eye(n, dtype=dt)
    coeffs = [cg.ones((), dt)]
    m = cg.zeros((n, n), dt)
    for k in range(1, n + 1):
        m = cg.add(cg.matmul(a, m), cg.multiply(eye, coeffs[-1]))
        coeffs.append(cg.divide(cg.trace(cg.matmul(a, m)), -float(k)))
    return cg.stack(coeffs)


@defpublic(method=no("builds coefficients"), numpy=np.poly, cli=_CLI)
def poly(seq_of_zeros: Any) -> Any:
    """The coefficients (highest power first) of the monic polynomial with the given
    roots, or of a square matrix's characteristic polynomial (NumPy's ``np.poly``, its
    values; real when the roots come in conjugate pairs; a matrix's gradient is that of
    the Faddeev-LeVerrier recursion)."""
    t = _t(seq_of_zeros)
    shape = known_shape(t, "poly")
    want = np.poly(_values(t, "poly"))
    if len(shape) == 2 and shape[0] == shape[1] and shape[0] != 0:
        dt = np.result_type(_dtype(t), np.float64)
        rule = _charpoly(_as(t, dt), shape[0], dt)
        if want.dtype.kind != "c" and dt.kind == "c":
            rule = cg.real(rule)
        return _with_gradient_of(want, _as(rule, want.dtype))
    if len(shape) != 1:
        return cg.asarray(want)
    n = shape[0]
    dt = np.result_type(_dtype(t), np.float64)
    t = _as(t, dt)
    a = cg.ones((1,), dt)
    for k in range(n):
        a = _convolve(a, cg.stack([cg.ones((), dt), cg.negative(t[k])]))
    if want.dtype.kind != "c" and dt.kind == "c":
        a = cg.real(a)
    return _with_gradient_of(want, _as(a, want.dtype))


def _padded(a: Any, n: int) -> Any:
    m = known_shape(a, "polynomial")[0]
    if m == n:
        return a
    return cg.concatenate([cg.zeros((n - m,), _dtype(a)), a])


@defpublic(method=no("a function of two polynomials"), numpy=np.polyadd, cli=_CLI)
def polyadd(a1: Any, a2: Any) -> Any:
    """The sum of two polynomials' coefficients (highest power first; NumPy's
    ``np.polyadd``)."""
    a, b = _coeffs(a1, "polyadd"), _coeffs(a2, "polyadd")
    n = max(known_shape(a, "polyadd")[0], known_shape(b, "polyadd")[0])
    return cg.add(_padded(a, n), _padded(b, n))


@defpublic(method=no("a function of two polynomials"), numpy=np.polysub, cli=_CLI)
def polysub(a1: Any, a2: Any) -> Any:
    """The difference of two polynomials' coefficients (NumPy's ``np.polysub``)."""
    a, b = _coeffs(a1, "polysub"), _coeffs(a2, "polysub")
    n = max(known_shape(a, "polysub")[0], known_shape(b, "polysub")[0])
    return cg.subtract(_padded(a, n), _padded(b, n))


@defpublic(method=no("a function of two polynomials"), numpy=np.polymul, cli=_CLI)
def polymul(a1: Any, a2: Any) -> Any:
    """The product of two polynomials' coefficients (NumPy's ``np.polymul``)."""
    return _convolve(_coeffs(a1, "polymul"), _coeffs(a2, "polymul"))


@defpublic(method=no("a function of two polynomials"), numpy=np.polydiv, cli=_CLI)
def polydiv(u: Any, v: Any) -> tuple:
    """``(quotient, remainder)`` of polynomial long division, the remainder's leading
    near-zeros dropped (NumPy's ``np.polydiv``)."""
    ut, vt = _coeffs(u, "polydiv"), _coeffs(v, "polydiv")
    dt = np.result_type(_dtype(ut), _dtype(vt), np.float64)
    ut, vt = _as(ut, dt), _as(vt, dt)
    m, n = known_shape(ut, "polydiv")[0] - 1, known_shape(vt, "polydiv")[0] - 1
    scale = cg.divide(1.0, vt[0])
    r = [ut[i] for i in range(m + 1)]
    q = [cg.zeros((), dt) for _ in range(max(m - n + 1, 1))]
    for k in range(m - n + 1):
        d = cg.multiply(scale, r[k])
        q[k] = d
        for i in range(n + 1):
            r[k + i] = cg.subtract(r[k + i], cg.multiply(d, vt[i]))
    while len(r) > 1 and np.allclose(_values(r[0], "polydiv"), 0, rtol=1e-14):
        r = r[1:]
    return cg.stack(q), cg.stack(r)


@defpublic(method=no("a function of coefficients"), numpy=np.polyder, cli=_CLI)
def polyder(p: Any, m: int = 1) -> Any:
    """The coefficients of the ``m``-th derivative (NumPy's ``np.polyder``)."""
    if int(m) != m or m < 0:
        raise ValueError(f"polyder: Order of derivative must be positive (see polyint), got {m}")
    t = _coeffs(p, "polyder")
    for _ in range(int(m)):
        n = known_shape(t, "polyder")[0] - 1
        t = cg.multiply(t[:-1], np.arange(n, 0, -1))
    return t


@defpublic(method=no("a function of coefficients"), numpy=np.polyint, cli=_CLI)
def polyint(p: Any, m: int = 1, k: Any = None) -> Any:
    """The coefficients of the ``m``-th antiderivative, with integration constants
    ``k`` (0 by default; NumPy's ``np.polyint``)."""
    if int(m) != m or m < 0:
        raise ValueError(f"polyint: Order of integral must be positive (see polyder), got {m}")
    m = int(m)
    kk = _t(np.zeros(m) if k is None else k)
    kk = cg.atleast_1d(kk)
    if known_shape(kk, "polyint")[0] == 1 and m > 1:
        kk = cg.broadcast_to(kk, (m,))
    if known_shape(kk, "polyint")[0] < m:
        raise ValueError("polyint: k must be a scalar or a rank-1 array of length 1 or >m.")
    t = _coeffs(p, "polyint")
    for i in range(m):
        n = known_shape(t, "polyint")[0]
        body = cg.divide(t, np.arange(n, 0, -1).astype(np.float64))
        dt = np.result_type(_dtype(body), _dtype(kk))
        t = cg.concatenate([_as(body, dt), _as(kk[i : i + 1], dt)])
    return t


@defpublic(method=no("a function of coefficients"), numpy=np.polyval, cli=_CLI)
def polyval(p: Any, x: Any) -> Any:
    """The polynomial with coefficients ``p`` (highest power first) at ``x``, by
    Horner's rule (NumPy's ``np.polyval``)."""
    c = _coeffs(p, "polyval")
    xt = _t(x)
    y = cg.zeros_like(cg.stop_gradient(xt))
    for i in range(known_shape(c, "polyval")[0]):
        y = cg.add(cg.multiply(y, xt), c[i])
    return y


@defpublic(method=no("a fit of two arrays"), numpy=np.polyfit, cli=_CLI)
def polyfit(x: Any, y: Any, deg: int, rcond: Any = None, full: bool = False, w: Any = None,
            cov: Any = False) -> Any:  # fmt: skip
    """The least-squares polynomial of degree ``deg`` through ``(x, y)`` (columns of a
    2-D ``y`` fitted each), weighted by ``w``; with ``full`` also residuals, rank,
    singular values and rcond; with ``cov`` the coefficients' covariance (NumPy's
    ``np.polyfit``, through ``cg.linalg.lstsq``: differentiable in ``y`` and ``w``)."""
    order = int(deg) + 1
    xt, yt = _as(_t(x), np.float64) if _dtype(_t(x)).kind != "f" else _t(x), _t(y)
    sx, sy = known_shape(xt, "polyfit"), known_shape(yt, "polyfit")
    if deg < 0:
        raise ValueError("polyfit: expected deg >= 0")
    if len(sx) != 1:
        raise TypeError("polyfit: expected 1D vector for x")
    if sx[0] == 0:
        raise TypeError("polyfit: expected non-empty vector for x")
    if len(sy) < 1 or len(sy) > 2:
        raise TypeError("polyfit: expected 1D or 2D array for y")
    if sx[0] != sy[0]:
        raise TypeError("polyfit: expected x and y to have same length")
    dt = np.result_type(_dtype(xt), _dtype(yt), np.float64)
    xt, yt = _as(xt, dt), _as(yt, dt)
    if rcond is None:
        rcond = sx[0] * np.finfo(np.result_type(_dtype(xt), np.float64)).eps
    lhs = cg.vander(xt, order)
    rhs = yt
    if w is not None:
        wt = _as(_t(w), dt)
        if len(known_shape(wt, "polyfit")) != 1:
            raise TypeError("polyfit: expected a 1-d array for weights")
        if known_shape(wt, "polyfit")[0] != sy[0]:
            raise TypeError("polyfit: expected w and y to have the same length")
        lhs = cg.multiply(lhs, cg.expand_dims(wt, -1))
        rhs = cg.multiply(rhs, wt if len(sy) == 1 else cg.expand_dims(wt, -1))
    # The columns scaled to unit norm, as NumPy, to keep lstsq well conditioned.
    scale = np.sqrt((np.abs(_values(lhs, "polyfit")) ** 2).sum(axis=0))
    lhs = cg.divide(lhs, scale)
    c, resids, rank, s = lookup("linalg", "lstsq")(lhs, rhs, rcond)
    c = cg.divide(c, scale if len(sy) == 1 else scale[:, None])
    if full:
        return c, resids, rank, s, rcond
    if cov:
        lv = _values(lhs, "polyfit")
        vbase = np.linalg.inv(lv.T @ lv) / np.outer(scale, scale)
        if cov == "unscaled":
            fac: Any = 1.0
        else:
            if sx[0] <= order:
                raise ValueError("polyfit: the number of data points must exceed order to "
                                 "scale the covariance matrix")  # fmt: skip
            fac = cg.divide(resids, float(sx[0] - order))
        if len(sy) == 1:
            return c, cg.multiply(vbase, fac)
        return c, cg.multiply(vbase[:, :, None], fac)
    return c


@defpublic(method=no("a function of coefficients"), numpy=np.roots, cli=_CLI)
def roots(p: Any) -> Any:
    """The roots of the polynomial with coefficients ``p`` (highest power first), the
    eigenvalues of its companion matrix; real when all are (NumPy's ``np.roots``, its
    values; the gradient of each simple root ``r`` is ``-r**(n-k) / p'(r)``, by the
    implicit function theorem)."""
    t = _coeffs(p, "roots")
    want = np.roots(_values(t, "roots"))
    if want.size == 0:
        return cg.asarray(want)
    dt = np.result_type(_dtype(t), want.dtype)
    r0 = cg.asarray(want.astype(dt))
    pt = _as(t, dt)
    # One Newton step from the exact roots: its value is 0, its gradient the roots'.
    slope = np.polyval(np.polyder(_values(pt, "roots")), want.astype(dt))
    flat = slope == 0  # a multiple root: no derivative, none passed
    step = cg.divide(cg.multiply(polyval(pt, r0), ~flat), np.where(flat, 1, slope))
    return _with_gradient_of(want, _as(cg.negative(step), want.dtype))


# ------------------------------------------------------------------ windows
def _window(where: str, M: Any) -> int:
    m = int(_values(M, where)) if hasattr(M, "requires_grad") else int(M)
    return m


@defpublic(method=_NEW, numpy=no("takes a number"), cli=_NEW)
def bartlett(M: int) -> Any:
    """The ``M``-point Bartlett (triangular) window (NumPy's ``np.bartlett``)."""
    return cg.asarray(np.bartlett(_window("bartlett", M)))


@defpublic(method=_NEW, numpy=no("takes a number"), cli=_NEW)
def blackman(M: int) -> Any:
    """The ``M``-point Blackman window (NumPy's ``np.blackman``)."""
    return cg.asarray(np.blackman(_window("blackman", M)))


@defpublic(method=_NEW, numpy=no("takes a number"), cli=_NEW)
def hamming(M: int) -> Any:
    """The ``M``-point Hamming window (NumPy's ``np.hamming``)."""
    return cg.asarray(np.hamming(_window("hamming", M)))


@defpublic(method=_NEW, numpy=no("takes a number"), cli=_NEW)
def hanning(M: int) -> Any:
    """The ``M``-point Hann window (NumPy's ``np.hanning``)."""
    return cg.asarray(np.hanning(_window("hanning", M)))


@defpublic(method=_NEW, numpy=no("takes numbers"), cli=_NEW)
def kaiser(M: int, beta: Any) -> Any:
    """The ``M``-point Kaiser window of shape ``beta`` (NumPy's ``np.kaiser``;
    differentiable in ``beta``)."""
    m = _window("kaiser", M)
    if m == 1:
        return cg.ones((1,), np.float64)
    b = _as(_t(beta), np.result_type(_dtype(_t(beta)), np.float64))
    n = np.arange(0, m)
    alpha = (m - 1) / 2.0
    arg = np.sqrt(np.maximum(1 - ((n - alpha) / alpha) ** 2, 0.0)) if m > 1 else np.zeros(0)
    i0 = lookup("special", "i0")
    return cg.divide(i0(cg.multiply(b, arg)), i0(b))


for _f in (
    nanargmax, nanargmin, nancumsum, nancumprod, nanpercentile, histogram2d,
    histogram_bin_edges, bitwise_count, packbits, unpackbits, matvec, vecmat, intersect1d,
    union1d, setdiff1d, setxor1d, poly, polyadd, polysub, polymul, polydiv, polyder, polyint,
    polyval, polyfit, roots, bartlett, blackman, hamming, hanning, kaiser,
):  # fmt: skip
    _f.__module__ = "compgraph"
del _f
