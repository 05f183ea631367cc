"""``jax.scipy.special`` / ``autograd.scipy.special``: every function ``cg.special`` has
(the same objects, looked up when asked, so later additions appear here too), and
SciPy's ``factorial``, ``rel_entr`` and ``kl_div`` written with them."""

from __future__ import annotations

from typing import Any

from .. import functions as F
from .. import special as _special

__all__ = ["factorial", "rel_entr", "kl_div"]


def factorial(n: Any, exact: bool = False) -> Any:
    """SciPy's ``factorial``: ``gamma(n + 1)``, 0 for negative ``n``; ``exact`` (Python
    integers) is not supported, as in JAX."""
    if exact:
        raise NotImplementedError(
            "compgraph.scipy.special.factorial: exact=True is not supported (as in JAX)"
        )
    n = F.asarray(n)
    return F.where(F.less(n, 0), 0.0, F.exp(_special.gammaln(F.add(n, 1.0))))


def rel_entr(x: Any, y: Any) -> Any:
    """SciPy's ``rel_entr``: ``x log(x / y)`` for x, y > 0, 0 where x == 0 and y >= 0,
    inf otherwise."""
    x, y = F.asarray(x), F.asarray(y)
    safe_x = F.where(F.greater(x, 0), x, 1.0)
    safe_y = F.where(F.greater(y, 0), y, 1.0)
    r = F.where(
        F.logical_and(F.greater(x, 0), F.greater(y, 0)),
        F.multiply(x, F.log(F.divide(safe_x, safe_y))),
        float("inf"),
    )
    return F.where(F.logical_and(F.equal(x, 0), F.greater_equal(y, 0)), 0.0, r)


def kl_div(x: Any, y: Any) -> Any:
    """SciPy's ``kl_div``: ``x log(x / y) - x + y`` for x, y > 0, ``y`` where x == 0 and
    y >= 0, inf otherwise."""
    x, y = F.asarray(x), F.asarray(y)
    return F.add(rel_entr(x, y), F.subtract(y, x))


def __getattr__(name: str) -> Any:
    """``cg.special``'s function of that name."""
    return getattr(_special, name)


def __dir__() -> list:
    return sorted(set(globals()) | set(dir(_special)))
