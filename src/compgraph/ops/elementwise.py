"""Elementwise primitives: arithmetic, transcendental functions, comparisons.

Forwards use Python operators where NumPy has them: on NumPy scalars (what a
one-element computation produces) they are ten times faster than ufunc calls,
and on arrays they are the same ufuncs.  Rules may use operators too: ``g * y``
works on ndarrays, Tensors and symbolic nodes alike.
"""
from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .meta import boolean, broadcast, dtype_attr, floating, promote, same_dtype, same_shape
from .registry import defop

# ---------------------------------------------------------------- arithmetic

ADD = defop(
    "add", operator.add, linear=True, np_name="add", shape=broadcast, dtype=promote,
    vjp=(lambda ns, g, out, x, y: g, lambda ns, g, out, x, y: g),
    saves=((), ()), deriv=("1", "1"),
    doc="x + y")

SUBTRACT = defop(
    "subtract", operator.sub, linear=True, np_name="subtract", shape=broadcast, dtype=promote,
    vjp=(lambda ns, g, out, x, y: g, lambda ns, g, out, x, y: -g),
    saves=((), ()), deriv=("1", "-1"),
    doc="x - y")

MULTIPLY = defop(
    "multiply", operator.mul, np_name="multiply", shape=broadcast, dtype=promote,
    vjp=(lambda ns, g, out, x, y: g * y, lambda ns, g, out, x, y: g * x),
    jvp=(lambda ns, t, out, x, y: t * y, lambda ns, t, out, x, y: x * t),
    saves=((1,), (0,)), deriv=("y", "x"),
    doc="x * y")

DIVIDE = defop(
    "divide", operator.truediv, np_name="divide", shape=broadcast, dtype=floating,
    vjp=(lambda ns, g, out, x, y: g / y,
         lambda ns, g, out, x, y: -(g * x) / (y * y)),
    jvp=(lambda ns, t, out, x, y: t / y, lambda ns, t, out, x, y: -(t * x) / (y * y)),
    saves=((1,), (0, 1)), deriv=("1/y", "-x/y**2"),
    doc="x / y")

IDENTITY = defop(
    "identity", lambda x: x, linear=True, shape=same_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x: g,), saves=((),), deriv=("1",),
    doc="the same value (gives a view of a leaf its own place in the graph)")

NEGATIVE = defop(
    "negative", operator.neg, linear=True, np_name="negative", shape=same_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x: -g,), saves=((),), deriv=("-1",),
    doc="-x")


def _pow_dx(ns, g, out, x, y):
    if isinstance(y, (int, float)):
        if y == 0:
            return g * 0
        if y == 1:
            return g
        if y == 2:
            return g * (x * 2)
        return g * (ns.power(x, y - 1) * y)
    # Where y == 0 the derivative is 0 (PyTorch), not 0 * x**-1 (nan at x == 0).
    return g * (ns.power(x, ns.where(y == 0, 1, y - 1)) * y)


def _pow_dy(ns, g, out, x, y):
    # d/dy x**y = log(x) * x**y; at x == 0 the limit used by PyTorch is 0.
    safe = ns.where(x == 0, 1, x)
    return g * (out * ns.log(safe))


POWER = defop(
    "power", operator.pow, np_name="power", shape=broadcast, dtype=promote,
    vjp=(_pow_dx, _pow_dy),
    jvp=(lambda ns, t, out, x, y: _pow_dx(ns, t, out, x, y),
         lambda ns, t, out, x, y: _pow_dy(ns, t, out, x, y)),
    saves=((0, 1), (0,)), save_out=True,
    deriv=("y*x**(y-1)", "log(x)*x**y"),
    doc="x ** y")

# ---------------------------------------------------------------- unary math

EXP = defop(
    "exp", np.exp, np_name="exp", shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: g * out,), jvp=(lambda ns, t, out, x: t * out,),
    saves=((),), save_out=True, deriv=("exp(x)",), doc="e ** x")

LOG = defop(
    "log", np.log, np_name="log", shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: g / x,), jvp=(lambda ns, t, out, x: t / x,),
    saves=((0,),), deriv=("1/x",), doc="natural logarithm")

SQRT = defop(
    "sqrt", np.sqrt, np_name="sqrt", shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: g / (out * 2),), jvp=(lambda ns, t, out, x: t / (out * 2),),
    saves=((),), save_out=True, deriv=("1/(2*sqrt(x))",), doc="square root")

SIN = defop(
    "sin", np.sin, np_name="sin", shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: g * ns.cos(x),), jvp=(lambda ns, t, out, x: t * ns.cos(x),),
    saves=((0,),), deriv=("cos(x)",), doc="sine")

COS = defop(
    "cos", np.cos, np_name="cos", shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: -(g * ns.sin(x)),), jvp=(lambda ns, t, out, x: -(t * ns.sin(x)),),
    saves=((0,),), deriv=("-sin(x)",), doc="cosine")

TAN = defop(
    "tan", np.tan, np_name="tan", shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: g * (out * out + 1),),
    jvp=(lambda ns, t, out, x: t * (out * out + 1),),
    saves=((),), save_out=True, deriv=("1 + tan(x)**2",), doc="tangent")

TANH = defop(
    "tanh", np.tanh, np_name="tanh", shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: g * (1 - out * out),),
    jvp=(lambda ns, t, out, x: t * (1 - out * out),),
    saves=((),), save_out=True, deriv=("1 - tanh(x)**2",), doc="hyperbolic tangent")


def _sigmoid(x):
    # Two branches so that neither exp overflows and tiny results keep their precision.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(np.result_type(x, np.float16), copy=False)


SIGMOID = defop(
    "sigmoid", _sigmoid, shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: g * (out * (1 - out)),),
    jvp=(lambda ns, t, out, x: t * (out * (1 - out)),),
    saves=((),), save_out=True, deriv=("sigmoid(x)*(1 - sigmoid(x))",),
    doc="logistic function 1 / (1 + e**-x)")

def _softplus(x):
    # log(1 + e**x) = logaddexp(0, x): no overflow for large x, full precision for
    # very negative x (where the naive log(1 + e**x) rounds to 0 too early).
    return np.logaddexp(0, x)


SOFTPLUS = defop(
    "softplus", _softplus, np_name="softplus", shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: g * ns.sigmoid(x),),
    jvp=(lambda ns, t, out, x: t * ns.sigmoid(x),),
    saves=((0,),), deriv=("sigmoid(x)",),
    doc="log(1 + e**x), computed stably (its derivative is the logistic function)")

# NumPy has no erf; the C library's (through math.erf) is exact to the last bit.
_ERF = np.frompyfunc(math.erf, 1, 1)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _erf(x):
    x = np.asarray(x)
    dtype = np.result_type(x, np.float16) if x.dtype.kind == "f" else np.dtype(np.float64)
    r = _ERF(x)
    return r.astype(dtype) if isinstance(r, np.ndarray) else dtype.type(r)


ERF = defop(
    "erf", _erf, np_name="erf", shape=same_shape, dtype=floating,
    vjp=(lambda ns, g, out, x: g * (_TWO_OVER_SQRT_PI * ns.exp(-(x * x))),),
    jvp=(lambda ns, t, out, x: t * (_TWO_OVER_SQRT_PI * ns.exp(-(x * x))),),
    saves=((0,),), deriv=("2/sqrt(pi) * exp(-x**2)",),
    doc="the error function 2/sqrt(pi) * integral of exp(-t**2) from 0 to x")


def _masked(g, mask, out=None):
    # A product is branch-free and ~15x faster than np.where on random masks; where g
    # holds inf or nan, where() keeps the masked-out entries exactly zero.  (``out``
    # lets compiled graphs write into g's dying buffer: g is checked before that.)
    if np.result_type(g).kind == "f" and not np.isfinite(g).all():
        return np.where(mask, g, 0)
    return np.multiply(g, mask, out=out)


MASKED = defop(
    "masked", _masked, shape=broadcast, dtype=lambda m, **a: same_dtype(m[:1]),
    vjp=(lambda ns, g, out, x, mask: ns.masked(g, mask), None), saves=((1,), ()),
    jvp=(lambda ns, t, out, x, mask: ns.masked(t, mask), None),
    deriv=("1 where mask else 0", ""),
    doc="x where mask is true, else 0 (the gradient of relu, max, clip ...)")

# The rules read the output (out > 0 exactly where x > 0), as PyTorch does: the input
# buffer, usually a layer's pre-activation, can then be freed right after the forward.
# np.maximum(x, 0) takes NumPy's scalar loop (about 5x slower than np.add on float32);
# against a contiguous array of zeros it takes the SIMD loop.  The zeros come from one
# read-only calloc'd buffer per dtype, so they cost address space, not memory: every
# page of it maps the kernel's shared zero page.
_ZEROS: dict = {}
_ZEROS_MIN = 4096          # below this a scalar is as fast
_ZEROS_MAX = 1 << 24       # above this, broadcast a zero row instead of growing further


def _zeros_for(x: np.ndarray) -> Any:
    """Zeros shaped like ``x`` (a read-only view of a shared buffer), or a scalar 0."""
    n, dt = x.size, x.dtype
    if n < _ZEROS_MIN or dt.kind != "f":
        return 0
    if n > _ZEROS_MAX:
        return np.zeros(x.shape[-1], dt)
    buf = _ZEROS.get(dt)
    if buf is None or buf.size < n:
        buf = np.zeros(max(n, 2 * buf.size if buf is not None else 0, 1 << 16), dt)
        buf.flags.writeable = False
        _ZEROS[dt] = buf
    return buf[:n].reshape(x.shape)


def _relu(x, out=None):
    # (``out``: compiled graphs reuse a dying buffer)
    if type(x) is np.ndarray:
        return np.maximum(x, _zeros_for(x), out=out)
    return np.maximum(x, 0, out=out)


RELU = defop(
    "relu", _relu, shape=same_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x: ns.masked(g, out > 0),),
    jvp=(lambda ns, t, out, x: ns.masked(t, out > 0),),
    saves=((),), save_out=True, deriv=("1 if x > 0 else 0",), doc="max(x, 0)")

ABS = defop(
    "abs", np.abs, np_name="absolute", shape=same_shape, dtype=same_dtype,
    vjp=(lambda ns, g, out, x: g * ns.sign(x),), jvp=(lambda ns, t, out, x: t * ns.sign(x),),
    saves=((0,),), deriv=("sign(x)",), doc="absolute value")


def _max_dx(ns, g, out, x, y):
    # Ties split the gradient evenly, as PyTorch does.
    return ns.where(x > y, g, ns.where(x == y, g * 0.5, 0))


def _max_dy(ns, g, out, x, y):
    return ns.where(y > x, g, ns.where(x == y, g * 0.5, 0))


MAXIMUM = defop(
    "maximum", np.maximum, np_name="maximum", shape=broadcast, dtype=promote,
    vjp=(_max_dx, _max_dy), jvp=(_max_dx, _max_dy),
    deriv=("1 if x > y else 0", "1 if y > x else 0"), doc="elementwise maximum")

MINIMUM = defop(
    "minimum", np.minimum, np_name="minimum", shape=broadcast, dtype=promote,
    vjp=(lambda ns, g, out, x, y: _max_dy(ns, g, out, x, y),
         lambda ns, g, out, x, y: _max_dx(ns, g, out, x, y)),
    jvp=(lambda ns, t, out, x, y: _max_dy(ns, t, out, x, y),
         lambda ns, t, out, x, y: _max_dx(ns, t, out, x, y)),
    deriv=("1 if x < y else 0", "1 if y < x else 0"), doc="elementwise minimum")

WHERE = defop(
    "where", np.where, shape=broadcast, dtype=lambda m, **a: promote(m[1:]),
    vjp=(None,
         lambda ns, g, out, c, x, y: ns.where(c, g, 0),
         lambda ns, g, out, c, x, y: ns.where(c, 0, g)),
    jvp=(None,
         lambda ns, t, out, c, x, y: ns.where(c, t, 0),
         lambda ns, t, out, c, x, y: ns.where(c, 0, t)),
    saves=((), (0,), (0,)), deriv=("", "1 if cond else 0", "0 if cond else 1"),
    doc="choose x where cond is true, else y")


def _clip_rule(ns, g, out, x, lo=None, hi=None):
    # Gradient passes where lo <= x <= hi, as in PyTorch's clamp.
    if lo is not None:
        g = ns.where(x < lo, 0, g)
    if hi is not None:
        g = ns.where(x > hi, 0, g)
    return g


CLIP = defop(
    "clip", lambda x, lo=None, hi=None: np.clip(x, lo, hi), shape=same_shape, dtype=same_dtype,
    vjp=(_clip_rule,), jvp=(_clip_rule,),
    saves=((0,),), deriv=("1 if lo <= x <= hi else 0",), doc="limit x to [lo, hi]")

CAST = defop(
    "astype", lambda x, dtype: x.astype(dtype), shape=same_shape, dtype=dtype_attr,
    vjp=(lambda ns, g, out, x, dtype: g,), linear=True, saves=((),), deriv=("1",),
    doc="convert to another dtype (the engine casts the gradient back)")

# ----------------------------------------------- non-differentiable (never recorded)

SIGN = defop("sign", np.sign, np_name="sign", shape=same_shape, dtype=same_dtype, doc="sign of x: -1, 0 or 1")
STOP_GRADIENT = defop("stop_gradient", lambda x: x, shape=same_shape, dtype=same_dtype, doc="identity that blocks gradients")
EQUAL = defop("equal", operator.eq, np_name="equal", shape=broadcast, dtype=boolean, doc="x == y")
NOT_EQUAL = defop("not_equal", operator.ne, np_name="not_equal", shape=broadcast, dtype=boolean, doc="x != y")
LESS = defop("less", operator.lt, np_name="less", shape=broadcast, dtype=boolean, doc="x < y")
LESS_EQUAL = defop("less_equal", operator.le, np_name="less_equal", shape=broadcast, dtype=boolean, doc="x <= y")
GREATER = defop("greater", operator.gt, np_name="greater", shape=broadcast, dtype=boolean, doc="x > y")
GREATER_EQUAL = defop("greater_equal", operator.ge, np_name="greater_equal", shape=broadcast, dtype=boolean, doc="x >= y")
FLOOR = defop("floor", np.floor, np_name="floor", shape=same_shape, dtype=same_dtype, doc="round down")
