"""More of NumPy's functions, continued from :mod:`.numpy_math`: NaN-aware scans and
percentiles, sets and polynomials (with ``poly1d``).

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
    "poly1d",
]

_CLI = no("takes several arguments or arrays; the command line calls one-argument functions")
_INT = no("an integer result, not differentiable, as NumPy's")


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
    if out is not None:
        raise TypeError("nanargmax: out= is not supported (compgraph values are immutable)")
    return cg.asarray(np.nanargmax(_values(a, "nanargmax"), axis=axis, keepdims=keepdims))


@defpublic(method=no("NumPy has no ndarray.nanargmin"), numpy=np.nanargmin, cli=_INT)
def nanargmin(a: Any, axis: int | None = None, out: Any = None, *, keepdims: bool = False) -> Any:
    """The index of the smallest element ignoring NaNs; an all-NaN slice raises
    (NumPy's ``np.nanargmin``)."""
    if out is not None:
        raise TypeError("nanargmin: out= is not supported (compgraph values are immutable)")
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
    taken from its first occurrence, ``ar1`` before ``ar2``).

    >>> import compgraph as cg
    >>> cg.union1d([3.0, 1.0], [2.0, 1.0])
    Tensor([1., 2., 3.])
    """
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
    t = _t(p.coeffs if isinstance(p, poly1d) else p)
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


def _keep_poly1d(c: Any, *args: Any) -> Any:
    return poly1d(c) if any(isinstance(a, poly1d) for a in args) else c


class poly1d:
    """NumPy's ``np.poly1d`` on Tensors: a polynomial from its coefficients (highest
    power first, leading zeros dropped) or, with ``r``, its roots; callable (Horner's
    rule), with ``+ - * / **``, ``deriv``, ``integ`` and ``roots``.  The coefficients
    are a Tensor, so values computed from them carry gradients."""

    __hash__ = None  # type: ignore[assignment]  # (mutable-looking, compared by value)
    _coeffs: Any
    _variable: str

    def __init__(self, c_or_r: Any, r: bool = False, variable: str | None = None):
        if isinstance(c_or_r, poly1d):
            self._coeffs = c_or_r._coeffs
            self._variable = c_or_r._variable if variable is None else variable
            return
        c = poly(c_or_r) if r else _t(c_or_r)
        shape = known_shape(c, "poly1d")
        if len(shape) > 1:
            raise ValueError(f"poly1d: Polynomial must be 1d only, got shape {shape}")
        c = cg.atleast_1d(c)
        nz = np.flatnonzero(_values(c, "poly1d"))
        c = c[int(nz[0]) :] if nz.size else cg.zeros((1,), _dtype(c))
        self._coeffs = c
        self._variable = "x" if variable is None else variable

    @property
    def coeffs(self) -> Any:
        """The coefficients, highest power first."""
        return self._coeffs

    c = coef = coefficients = coeffs

    @property
    def variable(self) -> str:
        """The name of the variable in the printed form."""
        return self._variable

    @property
    def order(self) -> int:
        """The degree."""
        return known_shape(self._coeffs, "poly1d")[0] - 1

    o = order

    @property
    def roots(self) -> Any:
        """The roots."""
        return roots(self._coeffs)

    r = roots

    def __call__(self, val: Any) -> Any:
        """The polynomial at ``val`` (another poly1d: the composition)."""
        if isinstance(val, poly1d):
            out = poly1d(0.0)
            for i in range(self.order + 1):
                out = out * val + self._coeffs[i]
            return out
        return polyval(self._coeffs, val)

    def __len__(self) -> int:
        return self.order

    def __repr__(self) -> str:
        vals = repr(_values(self._coeffs, "poly1d"))[6:-1]
        return f"poly1d({vals})"

    def __neg__(self) -> poly1d:
        return poly1d(cg.negative(self._coeffs))

    def __pos__(self) -> poly1d:
        return self

    def __add__(self, other: Any) -> poly1d:
        return poly1d(polyadd(self._coeffs, _coeffs(other, "poly1d")))

    __radd__ = __add__

    def __sub__(self, other: Any) -> poly1d:
        return poly1d(polysub(self._coeffs, _coeffs(other, "poly1d")))

    def __rsub__(self, other: Any) -> poly1d:
        return poly1d(polysub(_coeffs(other, "poly1d"), self._coeffs))

    def __mul__(self, other: Any) -> poly1d:
        if isinstance(other, poly1d):
            return poly1d(polymul(self._coeffs, other._coeffs))
        return poly1d(cg.multiply(self._coeffs, other))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> Any:
        if isinstance(other, poly1d):
            return polydiv(self, other)
        return poly1d(cg.divide(self._coeffs, other))

    def __pow__(self, val: int) -> poly1d:
        if not isinstance(val, (int, np.integer)) or val < 0:
            raise ValueError("poly1d: Power to non-negative integers only.")
        out = poly1d(cg.ones((1,), _dtype(self._coeffs)))
        for _ in range(int(val)):
            out = out * self
        return out

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, poly1d):
            return NotImplemented
        a, b = _values(self._coeffs, "poly1d"), _values(other._coeffs, "poly1d")
        return a.shape == b.shape and bool((a == b).all())

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __getitem__(self, val: int) -> Any:
        """The coefficient of ``x**val`` (0 beyond the degree)."""
        ind = self.order - val
        if val > self.order or val < 0:
            return cg.zeros((), _dtype(self._coeffs))
        return self._coeffs[ind]

    def deriv(self, m: int = 1) -> poly1d:
        """The ``m``-th derivative."""
        return poly1d(polyder(self._coeffs, m))

    def integ(self, m: int = 1, k: Any = 0) -> poly1d:
        """The ``m``-th antiderivative, integration constants ``k``."""
        return poly1d(polyint(self._coeffs, m, k))


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
    return _keep_poly1d(cg.add(_padded(a, n), _padded(b, n)), a1, a2)


@defpublic(method=no("a function of two polynomials"), numpy=np.polysub, cli=_CLI)
def polysub(a1: Any, a2: Any) -> Any:
    """The difference of two polynomials' coefficients (NumPy's ``np.polysub``)."""
    a, b = _coeffs(a1, "polysub"), _coeffs(a2, "polysub")
    n = max(known_shape(a, "polysub")[0], known_shape(b, "polysub")[0])
    return _keep_poly1d(cg.subtract(_padded(a, n), _padded(b, n)), a1, a2)


@defpublic(method=no("a function of two polynomials"), numpy=np.polymul, cli=_CLI)
def polymul(a1: Any, a2: Any) -> Any:
    """The product of two polynomials' coefficients (NumPy's ``np.polymul``)."""
    return _keep_poly1d(_convolve(_coeffs(a1, "polymul"), _coeffs(a2, "polymul")), a1, a2)


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
    if isinstance(u, poly1d) or isinstance(v, poly1d):
        return poly1d(cg.stack(q)), poly1d(cg.stack(r))
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
    return _keep_poly1d(t, p)


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
    return _keep_poly1d(t, p)


@defpublic(method=no("a function of coefficients"), numpy=np.polyval, cli=_CLI)
def polyval(p: Any, x: Any) -> Any:
    """The polynomial with coefficients ``p`` (highest power first) at ``x``, by
    Horner's rule (NumPy's ``np.polyval``).

    >>> import compgraph as cg
    >>> cg.polyval([1.0, 0.0, -1.0], cg.asarray([2.0, 3.0]))
    Tensor([3., 8.])
    """
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
    implicit function theorem).

    >>> import compgraph as cg
    >>> cg.roots([1.0, -3.0, 2.0])
    Tensor([2., 1.])
    """
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


defpublic(poly1d, method=no("a class"), numpy=no("np.poly1d is a class, not dispatched"),
          cli=_CLI)  # fmt: skip

for _f in (
    poly1d, nanargmax, nanargmin, nancumsum, nancumprod, nanpercentile, intersect1d, union1d,
    setdiff1d, setxor1d, poly, polyadd, polysub, polymul, polydiv, polyder, polyint, polyval,
    polyfit, roots,
):  # fmt: skip
    _f.__module__ = "compgraph"
del _f
