"""``jax.scipy.stats``: each distribution a namespace of functions with SciPy's
arguments (``norm.logpdf(x, loc=0, scale=1)``).  ``cg.stats``'s distributions are reused
(``t gamma beta chi2 poisson dirichlet multivariate_normal`` are the same objects;
``norm`` is ``cg.stats.norm`` with ``ppf`` and ``isf`` added); ``cauchy logistic laplace
expon uniform bernoulli`` are written here with compgraph's differentiable functions.
Outside the support the log densities are ``-inf``, the distribution functions 0 or 1."""

from __future__ import annotations

import math
from typing import Any

from .. import functions as F
from .. import special as _special
from .. import stats as _stats

__all__ = [
    "norm",
    "t",
    "gamma",
    "beta",
    "chi2",
    "poisson",
    "dirichlet",
    "multivariate_normal",
    "cauchy",
    "logistic",
    "laplace",
    "expon",
    "uniform",
    "bernoulli",
]

S: Any = _special
t = _stats.t
gamma = _stats.gamma
beta = _stats.beta
chi2 = _stats.chi2
poisson = _stats.poisson
dirichlet = _stats.dirichlet
multivariate_normal = _stats.multivariate_normal


def _z(x: Any, loc: Any, scale: Any) -> Any:
    return F.divide(F.subtract(F.asarray(x), loc), scale)


class _Dist:
    """A distribution as a namespace of functions; ``pdf``/``cdf``/``sf`` come from the
    log versions where a class writes only those."""

    name = ""

    def pdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The density."""
        return F.exp(self.logpdf(x, *args, **kwds))

    def logpdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The log density."""
        raise NotImplementedError(f"compgraph.scipy.stats.{self.name}: logpdf")

    def logcdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The log of the distribution function."""
        return F.log(self.cdf(x, *args, **kwds))

    def cdf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The distribution function."""
        raise NotImplementedError(f"compgraph.scipy.stats.{self.name}: cdf")

    def sf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The survival function ``1 - cdf``."""
        return F.subtract(1.0, self.cdf(x, *args, **kwds))

    def logsf(self, x: Any, *args: Any, **kwds: Any) -> Any:
        """The log of the survival function."""
        return F.log(self.sf(x, *args, **kwds))

    def isf(self, q: Any, *args: Any, **kwds: Any) -> Any:
        """The inverse survival function."""
        return self.ppf(F.subtract(1.0, F.asarray(q)), *args, **kwds)

    def ppf(self, q: Any, *args: Any, **kwds: Any) -> Any:
        """The quantile function (inverse of ``cdf``)."""
        raise NotImplementedError(f"compgraph.scipy.stats.{self.name}: ppf")

    def __repr__(self) -> str:
        return f"<compgraph.scipy.stats.{self.name}>"


class _Norm(_Dist):
    """``cg.stats.norm``'s functions, with ``ppf`` and ``isf``."""

    name = "norm"

    def __getattr__(self, attr: str) -> Any:
        return getattr(_stats.norm, attr)

    def logpdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The log density."""
        return _stats.norm.logpdf(x, loc, scale)

    def pdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The density."""
        return _stats.norm.pdf(x, loc, scale)

    def cdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The distribution function."""
        return _stats.norm.cdf(x, loc, scale)

    def logcdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The log of the distribution function."""
        return _stats.norm.logcdf(x, loc, scale)

    def sf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The survival function."""
        return _stats.norm.sf(x, loc, scale)

    def logsf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The log of the survival function."""
        return _stats.norm.logsf(x, loc, scale)

    def ppf(self, q: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The quantile function: ``loc + scale * ndtri(q)``."""
        return F.add(loc, F.multiply(scale, S.ndtri(F.asarray(q))))


class _Cauchy(_Dist):
    name = "cauchy"

    def logpdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The log density."""
        z = _z(x, loc, scale)
        return F.negative(
            F.add(math.log(math.pi), F.add(F.log(F.asarray(scale)), F.log1p(F.square(z))))
        )

    def cdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The distribution function."""
        return F.add(0.5, F.divide(F.arctan(_z(x, loc, scale)), math.pi))

    def sf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The survival function."""
        return F.subtract(0.5, F.divide(F.arctan(_z(x, loc, scale)), math.pi))

    def ppf(self, q: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The quantile function."""
        return F.add(
            loc, F.multiply(scale, F.tan(F.multiply(math.pi, F.subtract(F.asarray(q), 0.5))))
        )


class _Logistic(_Dist):
    name = "logistic"

    def logpdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The log density."""
        z = _z(x, loc, scale)
        a = F.negative(
            F.abs(z)
        )  # logpdf is symmetric in z: written for exp(-|z|), which cannot overflow
        return F.subtract(
            F.subtract(a, F.multiply(2.0, F.log1p(F.exp(a)))), F.log(F.asarray(scale))
        )

    def cdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The distribution function."""
        return S.expit(_z(x, loc, scale))

    def sf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The survival function."""
        return S.expit(F.negative(_z(x, loc, scale)))

    def ppf(self, q: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The quantile function."""
        return F.add(loc, F.multiply(scale, S.logit(F.asarray(q))))


class _Laplace(_Dist):
    name = "laplace"

    def logpdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The log density."""
        z = _z(x, loc, scale)
        return F.negative(F.add(math.log(2.0), F.add(F.log(F.asarray(scale)), F.abs(z))))

    def cdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The distribution function."""
        z = _z(x, loc, scale)
        half = F.multiply(0.5, F.exp(F.negative(F.abs(z))))
        return F.where(F.less(z, 0), half, F.subtract(1.0, half))

    def ppf(self, q: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The quantile function."""
        d = F.subtract(F.asarray(q), 0.5)
        return F.subtract(
            loc, F.multiply(F.multiply(scale, F.sign(d)), F.log1p(F.multiply(-2.0, F.abs(d))))
        )


class _Expon(_Dist):
    name = "expon"

    def logpdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The log density (``-inf`` below ``loc``)."""
        z = _z(x, loc, scale)
        r = F.subtract(F.negative(z), F.log(F.asarray(scale)))
        return F.where(F.less(z, 0), -math.inf, r)

    def cdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The distribution function."""
        z = _z(x, loc, scale)
        return F.where(F.less(z, 0), 0.0, F.negative(F.expm1(F.negative(F.maximum(z, 0.0)))))

    def sf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The survival function."""
        z = _z(x, loc, scale)
        return F.exp(F.negative(F.maximum(z, 0.0)))

    def logsf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The log of the survival function."""
        return F.negative(F.maximum(_z(x, loc, scale), 0.0))

    def ppf(self, q: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The quantile function."""
        return F.add(loc, F.multiply(scale, F.negative(F.log1p(F.negative(F.asarray(q))))))


class _Uniform(_Dist):
    name = "uniform"

    def logpdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The log density: ``-log(scale)`` on ``[loc, loc + scale]``, ``-inf`` outside."""
        z = _z(x, loc, scale)
        inside = F.logical_and(F.greater_equal(z, 0), F.less_equal(z, 1))
        return F.where(inside, F.negative(F.log(F.multiply(F.ones_like(z), scale))), -math.inf)

    def cdf(self, x: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The distribution function."""
        return F.clip(_z(x, loc, scale), 0.0, 1.0)

    def ppf(self, q: Any, loc: Any = 0, scale: Any = 1) -> Any:
        """The quantile function (NaN outside [0, 1])."""
        q = F.asarray(q)
        r = F.add(loc, F.multiply(scale, q))
        return F.where(F.logical_and(F.greater_equal(q, 0), F.less_equal(q, 1)), r, math.nan)


class _Bernoulli(_Dist):
    name = "bernoulli"

    def logpmf(self, k: Any, p: Any, loc: Any = 0) -> Any:
        """The log probability of ``k``: ``log p`` at 1, ``log(1 - p)`` at 0, ``-inf``
        elsewhere."""
        k = F.subtract(F.asarray(k), loc)
        r = F.add(S.xlogy(k, p), S.xlog1py(F.subtract(1.0, k), F.negative(F.asarray(p))))
        return F.where(F.logical_or(F.equal(k, 0), F.equal(k, 1)), r, -math.inf)

    def pmf(self, k: Any, p: Any, loc: Any = 0) -> Any:
        """The probability of ``k``."""
        return F.exp(self.logpmf(k, p, loc))

    def cdf(self, k: Any, p: Any, loc: Any = 0) -> Any:
        """The distribution function."""
        k = F.subtract(F.asarray(k), loc)
        return F.where(F.less(k, 0), 0.0, F.where(F.less(k, 1), F.subtract(1.0, p), 1.0))

    def ppf(self, q: Any, p: Any) -> Any:
        """The quantile function."""
        q = F.asarray(q)
        return F.where(F.less_equal(q, F.subtract(1.0, p)), 0.0, 1.0)


norm: Any = _Norm()
cauchy = _Cauchy()
logistic = _Logistic()
laplace = _Laplace()
expon = _Expon()
uniform = _Uniform()
bernoulli = _Bernoulli()
