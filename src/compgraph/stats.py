"""``cg.stats``: SciPy's distributions, written with cg functions, so differentiable in x
and in their continuous parameters (and on static graphs).

``cg.stats.norm.logpdf(x, loc=0, scale=1)`` or frozen, ``cg.stats.norm(0, 2).cdf(x)``:
SciPy's names, arguments, broadcasting and values (NaN for invalid parameters, the
limits outside the support).  Results keep the inputs' precision (SciPy computes in
float64).  Distribution functions (cdf, sf) are not differentiable in the shape
parameters that enter an incomplete gamma or beta function (t's df, gamma's a, beta's
a and b, chi2's df), as in PyTorch and JAX: asking raises.  What needs SciPy's special
functions (all but norm's pdf and logpdf) needs the optional extra ``scipy``.

>>> import compgraph as cg
>>> round(float(cg.stats.norm.logpdf(1.0, loc=1.0, scale=1.0)), 6)
-0.918939
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import functions as F
from . import linalg as _linalg
from . import special as _special
from .ops.args import is_symbolic, shape_of
from .ops.namespace import fill, lookup

L: Any = _linalg
S: Any = _special
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)
_NEEDED = object()  # a parameter without a default


def _gt(v: Any, bound: float, strict: bool = True) -> Any:
    """``v > bound`` (``>=`` when not strict): a Python bool for numbers, else a tensor."""
    if isinstance(v, (int, float)):
        return v > bound if strict else v >= bound
    return F.greater(v, bound) if strict else F.greater_equal(v, bound)


def _valid(r: Any, conds: list) -> Any:
    """``r`` where every condition holds, NaN elsewhere (SciPy's value for bad parameters)."""
    ok: Any = True
    for c in conds:
        if c is not True:
            ok = c if ok is True else F.where(ok, c, False)
    return r if ok is True else F.where(ok, r, np.nan)


def _quiet(method: Callable) -> Callable:
    """Run without NumPy's warnings for log(0) and invalid parameters (SciPy's results
    say so: -inf, NaN)."""

    @functools.wraps(method)
    def run(*args: Any, **kwds: Any) -> Any:
        with np.errstate(divide="ignore", invalid="ignore"):
            return method(*args, **kwds)

    return run


def _shape(v: Any) -> tuple:
    """The shape of v, which must be known."""
    shape = shape_of(v)
    if shape is None:
        raise ValueError("cg.stats: the multivariate distributions need inputs of known shape")
    return shape


def _squeeze(r: Any) -> Any:
    """SciPy's multivariate results drop every axis of length 1."""
    shape = _shape(r)
    return r if 1 not in shape else F.reshape(r, [d for d in shape if d != 1])


class _Frozen:
    """A distribution with its parameters fixed: ``cg.stats.norm(0, 2).logpdf(x)``."""

    def __init__(self, dist: _Distribution, args: tuple, kwds: dict):
        dist._parse(args, kwds)  # wrong arguments fail here, as in SciPy
        self.dist, self.args, self.kwds = dist, args, kwds

    def __getattr__(self, name: str) -> Callable:
        method = getattr(self.dist, name)
        if name == "entropy":
            return lambda: method(*self.args, **self.kwds)
        return lambda x: method(x, *self.args, **self.kwds)

    def __repr__(self) -> str:
        return f"<frozen cg.stats.{self.dist.name}>"


class _Distribution:
    def __init__(self, name: str, params: dict):
        self.name, self.params = name, params

    def __call__(self, *args: Any, **kwds: Any) -> _Frozen:
        """The distribution with these parameters fixed (SciPy's frozen distribution)."""
        return _Frozen(self, args, kwds)

    def _parse(self, args: tuple, kwds: dict) -> list:
        names = list(self.params)
        if len(args) > len(names):
            raise TypeError(f"{self.name}: takes the parameters {names}, got {len(args)} values")
        got = dict(zip(names, args))
        for k, v in kwds.items():
            if k not in self.params or k in got:
                why = "unknown" if k not in self.params else "repeated"
                raise TypeError(f"{self.name}: {why} parameter {k!r} (parameters: {names})")
            got[k] = v
        out = [got.get(n, d) for n, d in self.params.items()]
        missing = [n for n, v in zip(names, out) if v is _NEEDED]
        if missing:
            raise TypeError(f"{self.name}: missing parameter(s) {missing}")
        return out

    def __repr__(self) -> str:
        return f"<cg.stats.{self.name}>"


# value below and above the support, for each function
_BELOW = {"logpdf": -np.inf, "cdf": 0.0, "logcdf": -np.inf, "sf": 1.0, "logsf": 0.0}
_ABOVE = {"logpdf": -np.inf, "cdf": 1.0, "logcdf": 0.0, "sf": 0.0, "logsf": -np.inf}


class _Continuous(_Distribution):
    """A continuous distribution of ``(x - loc) / scale``, from the standard one's
    ``logpdf``, ``cdf`` and ``sf`` (functions of z and the shape parameters)."""

    def __init__(self, name: str, shapes: str, support: tuple | None, **fns: Callable):
        params = dict.fromkeys(shapes.split(), _NEEDED)
        super().__init__(name, {**params, "loc": 0.0, "scale": 1.0})
        self.support, self.fns = support, fns  # support: (low, high, a point inside) or None

    def _log(self, kind: str, *args: Any) -> Any:
        """log(cdf) below the median, log1p(-sf) above, as SciPy (log(sf) likewise)."""
        p = self.fns[kind](*args)
        q = self.fns["sf" if kind == "cdf" else "cdf"](*args)
        low = F.less(p, 0.5)
        return F.where(low, F.log(F.where(low, p, 1.0)), S.xlog1py(1, -F.where(low, 0.0, q)))

    @_quiet
    def _eval(self, kind: str, x: Any, args: tuple, kwds: dict) -> Any:
        *shapes, loc, scale = self._parse(args, kwds)
        z = F.divide(F.subtract(x, loc), scale)
        fn = self.fns.get(kind) or functools.partial(self._log, kind[3:])
        if self.support is None:
            r = fn(z, *shapes)
        else:
            lo, hi, mid = self.support
            density = kind == "logpdf"
            below = F.less(z, lo) if density else F.less_equal(z, lo)
            above = (
                None if hi == np.inf else F.greater(z, hi) if density else F.greater_equal(z, hi)
            )
            inside = F.where(below, mid, z if above is None else F.where(above, mid, z))
            r = F.where(below, _BELOW[kind], fn(inside, *shapes))
            if above is not None:
                r = F.where(above, _ABOVE[kind], r)
        if kind == "logpdf":
            r = F.subtract(r, F.log(scale))
        return _valid(r, [_gt(scale, 0), *(_gt(s, 0) for s in shapes)])

    def pdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """Probability density at x."""
        return F.exp(self._eval("logpdf", x, args, kwds))

    def logpdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """Log of the probability density at x."""
        return self._eval("logpdf", x, args, kwds)

    def cdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """Cumulative distribution function at x."""
        return self._eval("cdf", x, args, kwds)

    def logcdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """Log of the cumulative distribution function at x."""
        return self._eval("logcdf", x, args, kwds)

    def sf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """Survival function ``1 - cdf`` at x."""
        return self._eval("sf", x, args, kwds)

    def logsf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """Log of the survival function at x."""
        return self._eval("logsf", x, args, kwds)


def _t(kind: str) -> Callable:
    """Student's t, with SciPy's normal limit where df is infinite."""

    def fn(z, df):
        infinite = F.equal(df, np.inf)
        d = F.where(infinite, 1.0, df)
        if kind == "logpdf":
            c = F.log(S.poch(d / 2, 0.5)) - (F.log(d) + math.log(math.pi)) / 2
            r, limit = c - S.xlog1py((d + 1) / 2, z * z / d), -z * z / 2 - _LOG_SQRT_2PI
        else:
            sign = 1 if kind == "cdf" else -1
            r, limit = S.stdtr(d, z * sign), S.ndtr(z * sign)
        return F.where(infinite, limit, r)

    return fn


def _chi2_logpdf(z, df):
    return S.xlogy(df / 2 - 1, z) - z / 2 - S.gammaln(df / 2) - math.log(2) * df / 2


norm = _Continuous(
    "norm",
    "",
    None,
    logpdf=lambda z: -z * z / 2 - _LOG_SQRT_2PI,
    cdf=S.ndtr,
    logcdf=S.log_ndtr,
    sf=lambda z: S.ndtr(-z),
    logsf=lambda z: S.log_ndtr(-z),
)
t = _Continuous("t", "df", None, logpdf=_t("logpdf"), cdf=_t("cdf"), sf=_t("sf"))
gamma = _Continuous(
    "gamma",
    "a",
    (0.0, np.inf, 1.0),
    logpdf=lambda z, a: S.xlogy(a - 1, z) - z - S.gammaln(a),
    cdf=lambda z, a: S.gammainc(a, z),
    sf=lambda z, a: S.gammaincc(a, z),
)
beta = _Continuous(
    "beta",
    "a b",
    (0.0, 1.0, 0.5),
    logpdf=lambda z, a, b: S.xlog1py(b - 1, -z) + S.xlogy(a - 1, z) - S.betaln(a, b),
    cdf=lambda z, a, b: S.betainc(a, b, z),
    sf=lambda z, a, b: S.betaincc(a, b, z),
)
chi2 = _Continuous(
    "chi2",
    "df",
    (0.0, np.inf, 1.0),
    logpdf=_chi2_logpdf,
    cdf=lambda z, df: S.gammainc(df / 2, z / 2),
    sf=lambda z, df: S.gammaincc(df / 2, z / 2),
)


class _Poisson(_Distribution):
    """The Poisson distribution of ``k - loc`` (SciPy's ``poisson``)."""

    def __init__(self) -> None:
        super().__init__("poisson", {"mu": _NEEDED, "loc": 0})

    def _valid(self, r: Any, k: Any, mu: Any) -> Any:
        return _valid(r, [_gt(mu, 0, strict=False), F.equal(k, k)])

    @_quiet
    def logpmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """Log of the probability mass at k (-inf off the non-negative integers)."""
        mu, loc = self._parse(args, kwds)
        k = F.subtract(k, loc)
        on = F.where(F.greater_equal(k, 0), F.equal(F.floor(k), k), False)
        ks = F.where(on, k, 0.0)
        r = S.xlogy(ks, mu) - S.gammaln(ks + 1) - mu
        return self._valid(F.where(on, r, -np.inf), k, mu)

    def pmf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """Probability mass at k."""
        return F.exp(self.logpmf(k, *args, **kwds))

    @_quiet
    def _dist(self, upper: bool, k: Any, args: tuple, kwds: dict, log: bool = False) -> Any:
        mu, loc = self._parse(args, kwds)
        k = F.stop_gradient(F.floor(F.subtract(k, loc)))
        on = F.greater_equal(k, 0)
        ks = F.where(on, k, 0.0) + 1
        r = S.gammainc(ks, mu) if upper else S.gammaincc(ks, mu)
        r = self._valid(F.where(on, r, 1.0 if upper else 0.0), k, mu)
        return F.log(r) if log else r

    def cdf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """Cumulative distribution function at k."""
        return self._dist(False, k, args, kwds)

    def logcdf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """Log of the cumulative distribution function at k."""
        return self._dist(False, k, args, kwds, log=True)

    def sf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """Survival function ``1 - cdf`` at k."""
        return self._dist(True, k, args, kwds)

    def logsf(self, k: Any, *args: Any, **kwds: Any) -> Any:
        """Log of the survival function at k."""
        return self._dist(True, k, args, kwds, log=True)


poisson = _Poisson()


def _values(v: Any) -> np.ndarray | None:
    """The values of a number, array or tensor, to check; None for a static-graph value."""
    return None if is_symbolic(v) else np.asarray(v)


class _Dirichlet(_Distribution):
    """The Dirichlet distribution; as SciPy's, the components of x lie along its first axis
    (x may leave out the last one), and alpha is one vector."""

    def __init__(self) -> None:
        super().__init__("dirichlet", {"alpha": _NEEDED})

    def _check(self, x: Any, alpha: Any) -> Any:
        a, k = _values(alpha), (_shape(alpha) or (0,))[0]
        if a is not None and (a.ndim != 1 or np.min(a) <= 0):
            raise ValueError(f"dirichlet: alpha must be one vector of positive values, got {a}")
        if x is None:
            return None
        n = (_shape(x) or (None,))[0]
        if n not in (k, k - 1):
            raise ValueError(
                f"dirichlet: x must have {k} or {k - 1} entries along its first axis (alpha has "
                f"{k}), got shape {_shape(x)}"
            )
        if n == k - 1:
            x = F.concatenate([x, 1 - F.sum(x, 0, keepdims=True)], axis=0)
        v = _values(x)
        if v is not None:
            small = False if a is None else a.reshape((k,) + (1,) * (v.ndim - 1)) < 1
            if np.min(v) < 0 or np.max(v) > 1 or np.any((v == 0) & small):
                raise ValueError(
                    "dirichlet: each entry of x must lie in [0, 1] (in (0, 1] where alpha < 1)"
                )
            if np.any(np.abs(np.sum(v, 0) - 1) > 1e-9):
                raise ValueError(f"dirichlet: x must lie on the simplex; its sums: {v.sum(0)}")
        return x

    def _lnb(self, alpha: Any) -> Any:
        return F.sum(S.gammaln(alpha)) - S.gammaln(F.sum(alpha))

    @_quiet
    def logpdf(self, x: Any, alpha: Any) -> Any:
        """Log of the density at x."""
        x = self._check(x, alpha)
        a = F.reshape(alpha, (-1,) + (1,) * (len(_shape(x)) - 1))
        return _squeeze(F.sum(S.xlogy(a - 1, x), 0) - self._lnb(alpha))

    def pdf(self, x: Any, alpha: Any) -> Any:
        """Density at x."""
        return F.exp(self.logpdf(x, alpha))

    def entropy(self, alpha: Any) -> Any:
        """Differential entropy."""
        self._check(None, alpha)
        a0, k = F.sum(alpha), _shape(alpha)[0]
        psi = S.digamma
        return self._lnb(alpha) + (a0 - k) * psi(a0) - F.sum((alpha - 1) * psi(alpha))


dirichlet = _Dirichlet()


class _MultivariateNormal(_Distribution):
    """The multivariate normal distribution (SciPy's ``multivariate_normal``): x's last
    axis holds the components; mean a vector, cov a matrix, a vector (its diagonal) or a
    number (times the identity); needs ``cg.linalg``'s cholesky and solve."""

    def __init__(self) -> None:
        super().__init__("multivariate_normal", {"mean": None, "cov": 1.0, "allow_singular": False})

    def _params(self, mean: Any, cov: Any, singular: bool) -> tuple:
        if singular:
            raise NotImplementedError("multivariate_normal: singular covariances are not supported")
        cs = _shape(cov)
        dim = (1 if len(cs) < 2 else cs[0]) if mean is None else math.prod(_shape(mean))
        mean = np.zeros(dim) if mean is None else mean
        if dim == 1:
            mean, cov = F.reshape(mean, (1,)), F.reshape(cov, (1, 1))
        if _shape(mean) != (dim,):
            raise ValueError(f"multivariate_normal: mean must be a vector of length {dim}")
        nd = len(_shape(cov))
        if nd < 2:
            cov = F.multiply(F.reshape(cov, (-1, 1)), np.eye(dim))
        elif _shape(cov) != (dim, dim):
            raise ValueError(
                f"multivariate_normal: cov of shape {_shape(cov)} for a mean of length {dim}"
            )
        chol = L.cholesky(cov)
        logdet = 2 * F.sum(F.log(F.sum(chol * np.eye(dim), 1)))
        return dim, mean, chol, logdet

    def logpdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """Log of the density at x."""
        dim, mean, chol, logdet = self._params(*self._parse(args, kwds))
        shape = _shape(x)
        if len(shape) < 2:
            x = F.reshape(x, (-1, 1) if dim == 1 else (1, dim))
        dev = F.reshape(F.subtract(x, mean), (-1, dim))
        white = L.solve(chol, F.transpose(dev))
        maha = F.reshape(F.sum(white * white, 0), _shape(x)[:-1])
        return _squeeze(-(dim * 2 * _LOG_SQRT_2PI + logdet + maha) / 2)

    def pdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """Density at x."""
        return F.exp(self.logpdf(x, *args, **kwds))

    def entropy(self, *args: Any, **kwds: Any) -> Any:
        """Differential entropy."""
        dim, _, _, logdet = self._params(*self._parse(args, kwds))
        return (dim * (2 * _LOG_SQRT_2PI + 1) + logdet) / 2


multivariate_normal = _MultivariateNormal()

__all__ = [
    "norm",
    "t",
    "gamma",
    "beta",
    "chi2",
    "poisson",
    "dirichlet",
    "multivariate_normal",
    *fill("stats", globals()),
]


def __getattr__(name: str) -> Callable[..., Any]:
    return lookup("stats", name)
