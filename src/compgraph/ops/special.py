"""SciPy's special functions, differentiable (``cg.special``).

Forwards are SciPy's own (the optional extra ``scipy``, imported on first use, so that
importing compgraph never needs it); each derivative is written once, as the text the
explainer shows, and that text, over the array namespace, is the rule: it runs on
ndarrays, on Tensors (so every order works) and on static graphs.  A derivative given
as None is not implemented (orders of Bessel functions, the shape parameters of the
incomplete gamma and beta functions, as in JAX and PyTorch): asking for it raises.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from .args import ndim_of, normalize_axis, shape_of
from .meta import Meta, broadcast
from .registry import PUBLIC, defop, defpublic
from .spec import no

__all__ = ["scipy_special", "MULTIGAMMALN"]

_SCIPY: list = []


def scipy_special() -> Any:
    """``scipy.special``, imported on first use; an ImportError naming the extra without it."""
    if not _SCIPY:
        try:
            _SCIPY.append(importlib.import_module("scipy.special"))
        except ImportError as err:
            raise ImportError(
                "cg.special and cg.stats need SciPy: pip install 'compgraph[scipy]'"
            ) from err
    return _SCIPY[0]


def _forward(name: str, n: int) -> Callable:
    def f1(x):
        return getattr(scipy_special(), name)(x)

    def f2(x, y):
        return getattr(scipy_special(), name)(x, y)

    def f3(x, y, z):
        return getattr(scipy_special(), name)(x, y, z)

    return (f1, f2, f3)[n - 1]


def _dtype(forward: Callable) -> Callable:
    """SciPy's result dtype, found by running the forward on one element of each dtype."""

    def rule(metas, **attrs):
        if any(isinstance(m, Meta) and m.dtype is None for m in metas):
            return None
        args = [np.ones((), m.dtype) * 3 if isinstance(m, Meta) else m for m in metas]
        with np.errstate(all="ignore"):
            return np.result_type(forward(*args, **attrs))

    return rule


_CALL = re.compile(r"(?<![\w.])([a-z_]\w*)\(")


def _rule(name: str, args: tuple, i: int, text: str | None) -> Callable:
    """The VJP (and JVP) rule ``g * text`` for input ``i``, the text's calls made ``ns.``'s."""
    if text is None:

        def undefined(ns, g, out, *xs, **attrs):
            raise NotImplementedError(
                f"special.{name}: no derivative with respect to {args[i]} (as in JAX and "
                f"PyTorch); differentiate in {args[-1]}, or pass {args[i]} as a constant"
            )

        return undefined
    body = "ns.zeros_like(g)" if text == "0" else "g * (" + _CALL.sub(r"ns.\1(", text) + ")"
    rule = eval(f"lambda ns, g, out, {', '.join(args)}: {body}", {"pi": math.pi})
    rule.__name__ = f"{name}_d{args[i]}"
    return rule


_FRONTS: dict[str, Any] = dict(
    method=no("SciPy's special functions are not array methods"),
    numpy=no("SciPy's function, not NumPy's"),
    cli=no("the command line calls cg's own functions, not the SciPy extra's"),
    onnx=no("ONNX has no such special function"),
)


def _special(name: str, args: str, derivs: tuple, doc: str, *names: str) -> Any:
    arg = tuple(args.split())
    fwd = _forward(name, len(arg))
    return defop(
        name,
        fwd,
        elementwise=True,
        shape=broadcast,
        dtype=_dtype(fwd),
        vjp=tuple(_rule(name, arg, i, d) for i, d in enumerate(derivs)),
        save_out=any(d is not None and "out" in d for d in derivs),
        deriv=tuple(d or "" for d in derivs),
        args=arg,
        doc=doc,
        names=tuple(f"special.{n}" for n in (name, *names)),
        **_FRONTS,
    )


_GAMMAINC = "exp(xlogy(a - 1, x) - x - gammaln(a))"
_BETAINC = "exp(xlogy(a - 1, x) + xlog1py(b - 1, -x) - betaln(a, b))"
_ORDER = "; differentiable in x (not in the order)"

# name, inputs, derivative of each (None: not implemented), doc, other public names
# fmt: off
_TABLE: list[tuple[Any, ...]] = [
    ("gamma", "x", ("out*digamma(x)",), "Gamma function."),
    ("gammaln", "x", ("digamma(x)",), "Logarithm of the absolute value of the gamma function."),
    ("gammasgn", "x", ("0",), "Sign of the gamma function (zero gradient)."),
    ("rgamma", "x", ("-out*digamma(x)",), "Reciprocal of the gamma function."),
    ("digamma", "x", ("polygamma(1, x)",), "Digamma function.", "psi"),
    ("polygamma", "n x", (None, "polygamma(n + 1, x)"), "Polygamma function" + _ORDER),
    ("beta", "a b", ("out*(digamma(a) - digamma(a + b))", "out*(digamma(b) - digamma(a + b))"),
     "Beta function."),
    ("betaln", "a b", ("digamma(a) - digamma(a + b)", "digamma(b) - digamma(a + b)"),
     "Logarithm of the absolute value of the beta function."),
    ("poch", "z m", ("out*(digamma(z + m) - digamma(z))", "out*digamma(z + m)"),
     "Pochhammer symbol gamma(z + m) / gamma(z)."),
    ("betainc", "a b x", (None, None, _BETAINC),
     "Regularized incomplete beta function; differentiable in x (in a, b not, as JAX)."),
    ("betaincc", "a b x", (None, None, "-" + _BETAINC),
     "Complement of the regularized incomplete beta function; differentiable in x."),
    ("gammainc", "a x", (None, _GAMMAINC),
     "Regularized lower incomplete gamma function; differentiable in x (in a not, as torch)."),
    ("gammaincc", "a x", (None, "-" + _GAMMAINC),
     "Regularized upper incomplete gamma function; differentiable in x (in a not, as torch)."),
    ("stdtr", "df t", (None, "exp(-xlog1py((df + 1)/2, t*t/df))/(df**0.5*beta(df/2, 0.5))"),
     "Student t distribution function; differentiable in t (not in df)."),
    ("erfc", "x", ("-2/pi**0.5*exp(-x*x)",), "Complementary error function."),
    ("erfinv", "x", ("pi**0.5/2*exp(out*out)",), "Inverse of the error function."),
    ("erfcinv", "x", ("-(pi**0.5)/2*exp(out*out)",), "Inverse of erfc."),
    ("logit", "x", ("1/(x*(1 - x))",), "Logit ``log(x / (1 - x))``, the inverse of expit."),
    ("zeta", "x q", (None, "-x*zeta(x + 1, q)"),
     "Hurwitz zeta function ``sum((k + q)**-x for k >= 0)``; differentiable in q (in x not, "
     "as torch.special.zeta and jax.scipy.special.zeta)."),
    ("xlogy", "x y", ("log(y)", "x/y"), "``x * log(y)``, 0 where x == 0 (gradients as JAX)."),
    ("xlog1py", "x y", ("xlog1py(1, y)", "x/(1 + y)"), "``x * log1p(y)``, 0 where x == 0."),
    ("entr", "x", ("-(log(x) + 1)",), "Elementwise entropy ``-x log(x)``."),
    ("ndtr", "x", ("exp(-x*x/2)/(2*pi)**0.5",), "Standard normal distribution function."),
    ("log_ndtr", "x", ("exp(-x*x/2 - out)/(2*pi)**0.5",), "Logarithm of ndtr, accurate far out."),
    ("ndtri", "x", ("(2*pi)**0.5*exp(out*out/2)",), "Inverse of ndtr."),
    ("i0", "x", ("i1(x)",), "Modified Bessel function of the first kind, order 0."),
    ("i1", "x", ("(i0(x) + iv(2, x))/2",), "Modified Bessel function of the first kind, order 1."),
    ("i0e", "x", ("i1e(x) - sign(x)*out",), "Exponentially scaled i0."),
    ("i1e", "x", ("(i0e(x) + ive(2, x))/2 - sign(x)*out",), "Exponentially scaled i1."),
    ("iv", "v x", (None, "(iv(v - 1, x) + iv(v + 1, x))/2"),
     "Modified Bessel function of the first kind" + _ORDER),
    ("ive", "v x", (None, "(ive(v - 1, x) + ive(v + 1, x))/2 - sign(x)*out"),
     "Exponentially scaled iv" + _ORDER),
    ("j0", "x", ("-j1(x)",), "Bessel function of the first kind, order 0."),
    ("j1", "x", ("(j0(x) - jv(2, x))/2",), "Bessel function of the first kind, order 1."),
    ("jv", "v x", (None, "(jv(v - 1, x) - jv(v + 1, x))/2"),
     "Bessel function of the first kind" + _ORDER, "jn"),
    ("y0", "x", ("-y1(x)",), "Bessel function of the second kind, order 0."),
    ("y1", "x", ("(y0(x) - yn(2, x))/2",), "Bessel function of the second kind, order 1."),
    ("yn", "n x", (None, "(yn(n - 1, x) - yn(n + 1, x))/2"),
     "Bessel function of the second kind, integer order" + _ORDER),
    ("yv", "v x", (None, "(yv(v - 1, x) - yv(v + 1, x))/2"),
     "Bessel function of the second kind" + _ORDER),
    ("k0", "x", ("-k1(x)",), "Modified Bessel function of the second kind, order 0."),
    ("k1", "x", ("-(k0(x) + kv(2, x))/2",), "Modified Bessel function of the second kind, order 1."),
    ("k0e", "x", ("out - k1e(x)",), "Exponentially scaled k0."),
    ("k1e", "x", ("out - (k0e(x) + kve(2, x))/2",), "Exponentially scaled k1."),
    ("kv", "v x", (None, "-(kv(v - 1, x) + kv(v + 1, x))/2"),
     "Modified Bessel function of the second kind" + _ORDER),
    ("kve", "v x", (None, "out - (kve(v - 1, x) + kve(v + 1, x))/2"),
     "Exponentially scaled kv" + _ORDER),
]
# fmt: on
for _entry in _TABLE:
    _special(*_entry)


def _multigammaln_prepare(a: Any, d: Any) -> tuple:
    """Logarithm of the multivariate gamma function of dimension ``d``."""
    if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1:
        raise ValueError(f"multigammaln: d must be a positive integer, got {d!r}")
    return (a,), {"d": int(d)}


def _multigammaln_rule(ns, g, out, a, d):
    terms = [ns.digamma(a - j / 2) for j in range(d)]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return g * total


MULTIGAMMALN = defop(
    "multigammaln",
    lambda a, d: scipy_special().multigammaln(a, d),
    elementwise=True,
    shape=broadcast,
    dtype=lambda m, **a: np.dtype(np.float64),
    vjp=(_multigammaln_rule,),
    deriv=("sum(digamma(a - j/2) for j < d)",),
    args=("a",),
    doc=_multigammaln_prepare.__doc__,
    names=("special.multigammaln",),
    prepare=_multigammaln_prepare,
    **_FRONTS,
)


# ------------------------------------------------------------------ composites
def _cg(name: str) -> Callable:
    """The public function ``cg.<name>`` (composites are written with them)."""
    fn = PUBLIC[name].function
    assert fn is not None  # every published front has its function
    return fn


_COMPOSITE: dict[str, Any] = {k: _FRONTS[k] for k in ("method", "numpy", "cli")}


@defpublic(name="special.erf", **_COMPOSITE)
def erf(x: Any) -> Any:
    """Error function (``cg.erf``)."""
    return _cg("erf")(x)


@defpublic(name="special.expit", **_COMPOSITE)
def expit(x: Any) -> Any:
    """Logistic function ``1 / (1 + exp(-x))`` (``cg.sigmoid``)."""
    return _cg("sigmoid")(x)


@defpublic(name="special.softmax", **_COMPOSITE)
def softmax(x: Any, axis: Any = None) -> Any:
    """``exp(x) / sum(exp(x))`` over ``axis`` (None: all of x), as SciPy's."""
    return _cg("softmax")(x, axis=axis)


@defpublic(name="special.log_softmax", **_COMPOSITE)
def log_softmax(x: Any, axis: Any = None) -> Any:
    """``x - logsumexp(x)`` over ``axis`` (None: all of x), as SciPy's."""
    return _cg("log_softmax")(x, axis=axis)


@defpublic(name="special.logsumexp", **_COMPOSITE)
def logsumexp(
    a: Any, axis: Any = None, b: Any = None, keepdims: bool = False, return_sign: bool = False
) -> Any:
    """``log(abs(sum(b * exp(a))))`` over ``axis``, computed without overflow, as SciPy's:
    with ``return_sign`` also the sign of the sum, else NaN where the sum is negative."""
    cg = _cg
    if b is None and not return_sign:
        return cg("logsumexp")(a, axis, keepdims)
    if b is not None:
        a = cg("where")(cg("not_equal")(b, 0), a, -np.inf)  # terms with b == 0 drop out
    shape = shape_of(a)
    axes = normalize_axis(axis, ndim_of(a), "logsumexp", shape)
    m = cg("stop_gradient")(cg("max")(a, axes, keepdims=True))
    m = cg("where")(cg("less")(cg("abs")(m), np.inf), m, 0.0)
    e = cg("exp")(a - m)
    s = cg("sum")(e if b is None else e * b, axes, keepdims=keepdims)
    if not keepdims:
        m = cg("reshape")(m, ()) if axes is None else cg("squeeze")(m, axes)
    r = cg("log")(cg("abs")(s)) + m
    if return_sign:
        return r, cg("sign")(s)
    return cg("where")(cg("less")(s, 0), np.nan, r)


for _f in (erf, expit, softmax, log_softmax, logsumexp):
    _f.__module__ = "compgraph.special"
del _f
