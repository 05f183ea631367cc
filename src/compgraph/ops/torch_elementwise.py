"""PyTorch's elementwise functions that NumPy lacks or spells differently.

``logit sgn isposinf isneginf fmax fmin ldexp gcd lcm``: composites of the public
functions (gradients from their rules, as PyTorch's), or (``gcd``/``lcm``, on integers)
NumPy's results, not differentiable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .args import is_symbolic, plain
from .namespace import cg, lookup
from .registry import defpublic
from .spec import no

__all__ = ["logit", "sgn", "isposinf", "isneginf", "fmax", "fmin", "ldexp", "gcd", "lcm"]

_CLI = no("takes several arguments; the command line calls one-argument functions of numbers")
_NP = no("NumPy has no function of this name and meaning (PyTorch's)")


def _t(x: Any) -> Any:
    return x if is_symbolic(x) or hasattr(x, "requires_grad") else cg.asarray(x)


@defpublic(method="logit", numpy=no("scipy.special.logit is cg.special.logit"), cli=_CLI)
def logit(input: Any, eps: float | None = None) -> Any:
    """``log(p / (1 - p))``, ``p`` clamped to ``[eps, 1 - eps]`` first when ``eps`` is
    given (PyTorch's ``torch.logit``; gradient 0 where clamped)."""
    p = _t(input)
    if eps is not None:
        p = cg.clip(p, eps, 1 - eps)
    return lookup("special", "logit")(p)


@defpublic(method="sgn", numpy=_NP, cli=True)
def sgn(input: Any) -> Any:
    """The sign of real numbers (``sign``) and ``z / |z|`` (0 at 0) of complex ones
    (PyTorch's ``torch.sgn``)."""
    x = _t(input)
    if np.dtype(x.dtype).kind != "c":
        return cg.sign(x)
    a = cg.abs(x)
    nz = cg.not_equal(cg.stop_gradient(a), 0)
    return cg.where(nz, cg.divide(x, cg.where(nz, a, 1.0)), np.zeros((), x.dtype))


@defpublic(method="isposinf", numpy=np.isposinf, cli=True)
def isposinf(input: Any) -> Any:
    """Where ``input`` is +inf (a bool tensor; PyTorch's ``torch.isposinf``)."""
    x = cg.stop_gradient(_t(input))
    if np.dtype(x.dtype).kind not in "fc":
        return cg.zeros_like(x, dtype=bool)
    return cg.equal(x, np.inf)


@defpublic(method="isneginf", numpy=np.isneginf, cli=True)
def isneginf(input: Any) -> Any:
    """Where ``input`` is -inf (a bool tensor; PyTorch's ``torch.isneginf``)."""
    x = cg.stop_gradient(_t(input))
    if np.dtype(x.dtype).kind not in "fc":
        return cg.zeros_like(x, dtype=bool)
    return cg.equal(x, -np.inf)


def _nan_ignoring(input: Any, other: Any, larger: bool) -> Any:
    a, b = _t(input), _t(other)
    da, db = cg.stop_gradient(a), cg.stop_gradient(b)
    first = cg.greater_equal(da, db) if larger else cg.less_equal(da, db)
    take_a = cg.logical_or(first, cg.isnan(db))  # (the gradient goes where the value came from)
    return cg.where(take_a, a, b)


@defpublic(method="fmax", numpy=np.fmax, cli=_CLI)
def fmax(input: Any, other: Any) -> Any:
    """The elementwise maximum, a NaN giving way to the other value (NaN only where both
    are; PyTorch's ``torch.fmax``)."""
    return _nan_ignoring(input, other, True)


@defpublic(method="fmin", numpy=np.fmin, cli=_CLI)
def fmin(input: Any, other: Any) -> Any:
    """The elementwise minimum, a NaN giving way to the other value (PyTorch's
    ``torch.fmin``)."""
    return _nan_ignoring(input, other, False)


@defpublic(method="ldexp", numpy=no("np.ldexp takes integer exponents only"), cli=_CLI)
def ldexp(input: Any, other: Any) -> Any:
    """``input * 2 ** other`` (PyTorch's ``torch.ldexp``)."""
    x = _t(input)
    e = _t(other)
    dt = np.result_type(np.dtype(x.dtype), np.dtype(e.dtype), np.float32)
    two = np.asarray(2.0, dt if np.dtype(dt).kind == "f" else np.float64)
    return cg.multiply(x, cg.power(two, e))


def _int_pair(where: str, input: Any, other: Any) -> tuple:
    a, b = np.asarray(plain(input)), np.asarray(plain(other))
    if a.dtype.kind not in "iub" or b.dtype.kind not in "iub":
        raise TypeError(f"{where}: expects integer tensors, got {a.dtype} and {b.dtype}")
    return a, b


@defpublic(method="gcd", numpy=np.gcd, cli=no("integers only; not differentiable"))
def gcd(input: Any, other: Any) -> Any:
    """The greatest common divisor of integer tensors, elementwise (PyTorch's
    ``torch.gcd``)."""
    return cg.asarray(np.gcd(*_int_pair("gcd", input, other)))


@defpublic(method="lcm", numpy=np.lcm, cli=no("integers only; not differentiable"))
def lcm(input: Any, other: Any) -> Any:
    """The least common multiple of integer tensors, elementwise (PyTorch's
    ``torch.lcm``)."""
    return cg.asarray(np.lcm(*_int_pair("lcm", input, other)))


for _f in (logit, sgn, isposinf, isneginf, fmax, fmin, ldexp, gcd, lcm):
    _f.__module__ = "compgraph"
del _f
