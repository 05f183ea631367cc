"""Elementwise primitives: arithmetic, transcendental functions, comparisons.

Forwards use Python operators where NumPy has them: on NumPy scalars (what a
one-element computation produces) they are ten times faster than ufunc calls,
and on arrays they are the same ufuncs.  Rules may use operators too: ``g * y``
works on ndarrays, Tensors and symbolic nodes alike.  Every op here is
``elementwise``: its JVP rules are its VJP rules (a diagonal Jacobian), batched
forward mode broadcasts them, and compiled code may write it into a dying operand.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .args import is_symbolic, plain
from .meta import boolean, broadcast, dtype_attr, floating, promote, same_dtype, same_shape
from .registry import defop
from .spec import Codegen, Facts, Onnx, no, same_meta

__all__ = [
    "ADD",
    "SUBTRACT",
    "MULTIPLY",
    "DIVIDE",
    "IDENTITY",
    "NEGATIVE",
    "POWER",
    "EXP",
    "LOG",
    "SQRT",
    "SIN",
    "COS",
    "TAN",
    "TANH",
    "SIGMOID",
    "SOFTPLUS",
    "ERF",
    "MASKED",
    "RELU",
    "ABS",
    "MAXIMUM",
    "MINIMUM",
    "WHERE",
    "CLIP",
    "CAST",
    "SIGN",
    "STOP_GRADIENT",
    "EQUAL",
    "NOT_EQUAL",
    "LESS",
    "LESS_EQUAL",
    "GREATER",
    "GREATER_EQUAL",
    "FLOOR",
    "real_dtype",
]

_OPERATOR = "the {} operator"
_NO_CLI_ATTRS = no("takes attributes; the command line calls one-argument functions")


def _no_cli(what: str) -> Any:
    return no(f"the command line calls one-argument functions; {what}")


def real_dtype(metas, **attrs):
    """The first input's dtype, its real counterpart for a complex one (abs, real, imag)."""
    d = same_dtype(metas)
    return d if d is None or d.kind != "c" else np.finfo(d).dtype


# ---------------------------------------------------------------- arithmetic

ADD = defop(
    "add",
    operator.add,
    linear=True,
    elementwise=True,
    shape=broadcast,
    dtype=promote,
    vjp=(lambda ns, g, out, x, y: g, lambda ns, g, out, x, y: g),
    saves=((), ()),
    deriv=("1", "1"),
    doc="Elementwise ``x + y`` with broadcasting.",
    symbol="+",
    method=no(_OPERATOR.format("+")),
    numpy=np.add,
    cli=True,
    codegen=Codegen(out=np.add, floats=True),
    onnx=Onnx("Add", promote=True),
    facts=Facts(unit=(0, "both"), negated_rhs=("negative", "subtract")),
)

SUBTRACT = defop(
    "subtract",
    operator.sub,
    linear=True,
    elementwise=True,
    shape=broadcast,
    dtype=promote,
    vjp=(lambda ns, g, out, x, y: g, lambda ns, g, out, x, y: -g),
    saves=((), ()),
    deriv=("1", "-1"),
    doc="Elementwise ``x - y`` with broadcasting.",
    symbol="-",
    method=no(_OPERATOR.format("-")),
    numpy=np.subtract,
    cli=True,
    short="sub",
    codegen=Codegen(out=np.subtract, floats=True),
    onnx=Onnx("Sub", promote=True),
    facts=Facts(unit=(0, "right"), self_zero=True),
)

MULTIPLY = defop(
    "multiply",
    operator.mul,
    elementwise=True,
    shape=broadcast,
    dtype=promote,
    vjp=(lambda ns, g, out, x, y: g * y, lambda ns, g, out, x, y: g * x),
    saves=((1,), (0,)),
    deriv=("y", "x"),
    doc="Elementwise ``x * y`` with broadcasting.",
    symbol="*",
    method=no(_OPERATOR.format("*")),
    numpy=np.multiply,
    cli=True,
    short="mul",
    codegen=Codegen(out=np.multiply, floats=True),
    onnx=Onnx("Mul", promote=True),
    facts=Facts(unit=(1, "both")),
)

DIVIDE = defop(
    "divide",
    operator.truediv,
    elementwise=True,
    shape=broadcast,
    dtype=floating,
    vjp=(lambda ns, g, out, x, y: g / y, lambda ns, g, out, x, y: -(g * x) / (y * y)),
    saves=((1,), (0, 1)),
    deriv=("1/y", "-x/y**2"),
    doc="Elementwise ``x / y`` with broadcasting (true division).",
    symbol="/",
    method=no(_OPERATOR.format("/")),
    numpy=np.divide,
    cli=True,
    short="div",
    names=("divide", "true_divide"),
    codegen=Codegen(out=np.divide, floats=True),
    onnx=Onnx("Div", promote=True),
    facts=Facts(unit=(1, "right")),
)

IDENTITY = defop(
    "identity",
    lambda x: x,
    linear=True,
    elementwise=True,
    shape=same_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x: g,),
    saves=((),),
    deriv=("1",),
    doc="the same value (gives a view of a leaf its own place in the graph)",
    names=no("internal: gives a value its own place in a graph"),
    method=no("internal"),
    numpy=no("internal"),
    cli=no("internal"),
    codegen=Codegen(expr="{0}", fresh=False),
    onnx=Onnx("Identity"),
    facts=Facts(noop=same_meta),
)

NEGATIVE = defop(
    "negative",
    operator.neg,
    linear=True,
    elementwise=True,
    shape=same_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x: -g,),
    saves=((),),
    deriv=("-1",),
    doc="Elementwise ``-x``.",
    symbol="-",
    method=no("the unary - operator"),
    numpy=np.negative,
    cli=no("unary minus is part of the command line's grammar"),
    short="neg",
    codegen=Codegen(out=np.negative, floats=True),
    onnx=Onnx("Neg"),
    facts=Facts(involution=True),
)


def _pow_dx(ns, g, out, x, y):
    if isinstance(y, (int, float)):
        if y == 0:
            return g * 0
        if y == 1:
            return g
        if y == 2:
            return g * (x * 2)
        return g * (x ** (y - 1) * y)  # (the operator: NumPy scalars skip the ufunc call)
    # Where y == 0 the derivative is 0 (PyTorch), not 0 * x**-1 (nan at x == 0 or inf).
    zero = y == 0
    return g * ns.where(zero, 0, ns.power(x, ns.where(zero, 1, y - 1)) * y)


def _log0(ns, x):
    """log(x) with log(0) = -inf and no divide-by-zero warning."""
    zero = x == 0
    return ns.log(ns.where(zero, 1, x)) + ns.where(zero, -math.inf, 0)


def _pow_dy(ns, g, out, x, y):
    # d/dy x**y = log(x) * x**y, as PyTorch: 0 where x == 0 and y >= 0 (the limit), and
    # the product (e.g. -inf) where x == 0 and y < 0.
    t = out * _log0(ns, x)
    return g * ns.where(x == 0, ns.where(y >= 0, 0, t), t)


def _pow(x, y):
    # Two Python ints follow NumPy (int64), as arrays do: Python's exact big-int power
    # could take hours and all memory for 2 ** 10**12.
    if type(x) is int and type(y) is int:
        return np.power(np.int64(x), np.int64(y))
    return x**y


def _pow_expr(n):
    if all(i.op == "constant" and type(i.value) is int for i in n.inputs):
        return None  # two Python ints: the forward's NumPy power, not Python's
    return "{0} ** {1}"


POWER = defop(
    "power",
    _pow,
    elementwise=True,
    shape=broadcast,
    dtype=promote,
    vjp=(_pow_dx, _pow_dy),
    saves=((0, 1), (0, 1)),
    save_out=True,
    deriv=("y*x**(y-1)", "log(x)*x**y"),
    doc="Elementwise ``x ** y`` with broadcasting (differentiable in both).",
    symbol="**",
    method=no(_OPERATOR.format("**")),
    numpy=np.power,
    cli=True,
    short="pow",
    names=("power", "pow"),
    codegen=Codegen(_pow_expr, out=np.power, floats=True),
    onnx=Onnx("Pow", promote=True),
    facts=Facts(unit=(1, "right")),
)


# ---------------------------------------------------------------- unary math
def _unary(
    name: str,
    forward: Any,
    rule: Any,
    deriv: str,
    doc: str,
    *,
    onnx: Any,
    out: Any = None,
    saves_x: bool = True,
    facts: Facts | None = None,
    numpy: Any = None,
    method: Any = None,
    cli: Any = True,
    dtype: Any = floating,
    save_out: bool = False,
    names: Any = None,
    jvp: Any = None,
) -> Any:
    """An elementwise one-input op reached as ``cg.name``, ``t.name()``, ``np.name`` and
    from the command line."""
    return defop(
        name,
        forward,
        elementwise=True,
        shape=same_shape,
        dtype=dtype,
        vjp=(rule,),
        jvp=jvp,
        saves=((0,),) if saves_x else ((),),
        save_out=save_out,
        deriv=(deriv,),
        doc=doc,
        method=method or name,
        names=names,
        numpy=numpy if numpy is not None else getattr(np, name),
        cli=cli,
        codegen=Codegen(out=getattr(np, name, None) if out is None else out or None),
        onnx=onnx,
        facts=facts,
    )


EXP = _unary(
    "exp",
    np.exp,
    lambda ns, g, out, x: g * out,
    "exp(x)",
    "Elementwise ``e ** x``.",
    onnx=Onnx("Exp"),
    saves_x=False,
    save_out=True,
    facts=Facts(nonnegative=True, inverse_of="log"),
)
LOG = _unary(
    "log",
    np.log,
    lambda ns, g, out, x: g / x,
    "1/x",
    "Elementwise natural logarithm.",
    onnx=Onnx("Log"),
)
SQRT = _unary(
    "sqrt",
    np.sqrt,
    lambda ns, g, out, x: g / (out * 2),
    "1/(2*sqrt(x))",
    "Elementwise square root.",
    onnx=Onnx("Sqrt"),
    saves_x=False,
    save_out=True,
    facts=Facts(nonnegative=True),
)
SIN = _unary(
    "sin",
    np.sin,
    lambda ns, g, out, x: g * ns.cos(x),
    "cos(x)",
    "Elementwise sine.",
    onnx=Onnx("Sin"),
)
COS = _unary(
    "cos",
    np.cos,
    lambda ns, g, out, x: -(g * ns.sin(x)),
    "-sin(x)",
    "Elementwise cosine.",
    onnx=Onnx("Cos"),
)
TAN = _unary(
    "tan",
    np.tan,
    lambda ns, g, out, x: g * (out * out + 1),
    "1 + tan(x)**2",
    "Elementwise tangent.",
    onnx=Onnx("Tan"),
    saves_x=False,
    save_out=True,
)
TANH = _unary(
    "tanh",
    np.tanh,
    lambda ns, g, out, x: g * (1 - out * out),
    "1 - tanh(x)**2",
    "Elementwise hyperbolic tangent.",
    onnx=Onnx("Tanh"),
    saves_x=False,
    save_out=True,
)


def _sigmoid(x):
    # Two branches so that neither exp overflows and tiny results keep their precision.
    x = np.asarray(x)
    if x.dtype.kind == "c":  # (the two branches are for real x)
        return 1 / (1 + np.exp(-x))
    e = np.exp(-np.abs(x))
    r = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
    dtype = x.dtype if x.dtype.kind in "fc" else np.dtype(np.float64)
    return r.astype(dtype, copy=False) if r.ndim else dtype.type(r)


SIGMOID = _unary(
    "sigmoid",
    _sigmoid,
    lambda ns, g, out, x: g * (out * (1 - out)),
    "sigmoid(x)*(1 - sigmoid(x))",
    "Elementwise logistic function ``1 / (1 + exp(-x))``, computed stably.",
    onnx=Onnx("Sigmoid"),
    saves_x=False,
    save_out=True,
    out=False,
    numpy=no("NumPy has no logistic function (SciPy's is expit)"),
    facts=Facts(nonnegative=True),
)


def _softplus(x):
    # log(1 + e**x) = logaddexp(0, x): no overflow for large x, full precision for
    # very negative x (where the naive log(1 + e**x) rounds to 0 too early).
    return np.logaddexp(0, x)


SOFTPLUS = _unary(
    "softplus",
    _softplus,
    lambda ns, g, out, x: g * ns.sigmoid(x),
    "sigmoid(x)",
    "Elementwise ``log(1 + exp(x))``, computed stably; its derivative is ``sigmoid(x)`` "
    "everywhere.",
    onnx=Onnx("Softplus", cast_input=True),
    out=False,
    numpy=no("NumPy has no softplus"),
    facts=Facts(nonnegative=True),
)

# NumPy has no erf; the C library's (through math.erf) is exact to the last bit.
_ERF = np.frompyfunc(math.erf, 1, 1)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _erf(x):
    x = np.asarray(x)
    dtype = np.result_type(x, np.float16) if x.dtype.kind == "f" else np.dtype(np.float64)
    r = _ERF(x)
    return r.astype(dtype) if isinstance(r, np.ndarray) else dtype.type(r)


def _erf_onnx(b, n, ins, out):
    if n.dtype == np.float64:
        # onnxruntime has no float64 Erf kernel: compute in float32 (about 1e-7).
        r = b.add("Erf", [b.cast(ins[0], n.dtype, np.float32)])
        b.add("Cast", [r], out, to=b.elem(n.dtype))
    else:
        b.add("Erf", ins, out)


ERF = _unary(
    "erf",
    _erf,
    lambda ns, g, out, x: g * (_TWO_OVER_SQRT_PI * ns.exp(-(x * x))),
    "2/sqrt(pi) * exp(-x**2)",
    "Elementwise error function (exact: the C library's ``erf``).",
    onnx=Onnx(_erf_onnx, cast_input=True),
    out=False,
    numpy=no("NumPy has no erf"),
)


def _masked(g, mask, out=None):
    # A product is branch-free and ~15x faster than np.where on random masks; where g
    # holds inf or nan, where() keeps the masked-out entries exactly zero.  (``out``
    # lets compiled graphs write into g's dying buffer: g is checked before that.)
    if np.result_type(g).kind == "f" and not np.isfinite(g).all():
        return np.where(mask, g, 0)
    return np.multiply(g, mask, out=out)


def _masked_onnx(b, n, ins, out):
    zero = b.const(np.zeros((), dtype=n.dtype))
    b.add("Where", [b.cast(ins[1], n.inputs[1].dtype, np.bool_), ins[0], zero], out)


MASKED = defop(
    "masked",
    _masked,
    elementwise=True,
    shape=broadcast,
    dtype=lambda m, **a: same_dtype(m[:1]),
    vjp=(lambda ns, g, out, x, mask: ns.masked(g, mask), None),
    saves=((1,), ()),
    deriv=("1 where mask else 0", ""),
    args=("x", "mask"),
    doc="x where mask is true, else 0 (the gradient of relu, max, clip ...)",
    names=no("internal: the gradient of relu, max and clip; use cg.where"),
    method=no("internal"),
    numpy=no("internal"),
    cli=no("internal"),
    codegen=Codegen(out=_masked, out_operands=(0,)),
    onnx=Onnx(_masked_onnx),
)

# The rules read the output (out > 0 exactly where x > 0), as PyTorch does: the input
# buffer, usually a layer's pre-activation, can then be freed right after the forward.
# np.maximum(x, 0) takes NumPy's scalar loop (about 5x slower than np.add on float32);
# against a contiguous array of zeros it takes the SIMD loop.  The zeros come from one
# read-only calloc'd buffer per dtype, so they cost address space, not memory: every
# page of it maps the kernel's shared zero page.
_ZEROS: dict = {}
_ZEROS_MIN = 4096  # below this a scalar is as fast
_ZEROS_MAX = 1 << 24  # above this, broadcast a zero row instead of growing further


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


RELU = _unary(
    "relu",
    _relu,
    lambda ns, g, out, x: ns.masked(g, out > 0),
    "1 if x > 0 else 0",
    "Elementwise ``max(x, 0)``; its derivative at 0 is 0, as in PyTorch.",
    onnx=Onnx("Relu"),
    saves_x=False,
    save_out=True,
    out=_relu,
    dtype=same_dtype,
    numpy=no("NumPy has no relu (np.maximum(x, 0) reaches cg.maximum)"),
    facts=Facts(nonnegative=True),
)


def _abs_rule(ns, g, out, x):
    if _is_complex(x):
        # d|z| = Re(conj(z)/|z| dz): the cotangent g * conj(z)/|z| (JAX's), 0 at 0
        a = ns.abs(x)
        return g * (ns.conj(x) / ns.where(a == 0, 1, a))
    return g * ns.sign(x)


def _is_complex(x):
    return x.dtype is not None and x.dtype.kind == "c"


def _abs_jvp(ns, t, out, x):
    # a complex z's tangent is Re(conj(z)/|z| t)
    return ns.real(_abs_rule(ns, t, out, x)) if _is_complex(x) else t * ns.sign(x)


ABS = _unary(
    "abs",
    np.abs,
    _abs_rule,
    "sign(x)",
    "Elementwise absolute value (the modulus of complex numbers); its derivative at 0 is 0.",
    onnx=Onnx("Abs"),
    out=np.absolute,
    dtype=real_dtype,
    jvp=(_abs_jvp,),
    numpy=np.absolute,
    method=("abs", "__abs__"),
    names=("abs", "absolute"),
    facts=Facts(nonnegative=True),
)


def _max_dx(ns, g, out, x, y):
    # Ties split the gradient evenly, as PyTorch does.
    return ns.where(x > y, g, ns.where(x == y, g * 0.5, 0))


def _max_dy(ns, g, out, x, y):
    return ns.where(y > x, g, ns.where(x == y, g * 0.5, 0))


MAXIMUM = defop(
    "maximum",
    np.maximum,
    elementwise=True,
    shape=broadcast,
    dtype=promote,
    vjp=(_max_dx, _max_dy),
    deriv=("1 if x > y else 0", "1 if y > x else 0"),
    doc="Elementwise maximum; where ``x == y`` each side gets half the gradient.",
    method=no("NumPy arrays have no maximum method; use cg.maximum"),
    numpy=np.maximum,
    cli=_no_cli("maximum takes two"),
    codegen=Codegen(out=np.maximum),
    onnx=Onnx("Max", promote=True),
)

MINIMUM = defop(
    "minimum",
    np.minimum,
    elementwise=True,
    shape=broadcast,
    dtype=promote,
    vjp=(
        lambda ns, g, out, x, y: _max_dy(ns, g, out, x, y),
        lambda ns, g, out, x, y: _max_dx(ns, g, out, x, y),
    ),
    deriv=("1 if x < y else 0", "1 if y < x else 0"),
    doc="Elementwise minimum; where ``x == y`` each side gets half the gradient.",
    method=no("NumPy arrays have no minimum method; use cg.minimum"),
    numpy=np.minimum,
    cli=_no_cli("minimum takes two"),
    codegen=Codegen(out=np.minimum),
    onnx=Onnx("Min", promote=True),
)


_NO_Y = object()


def _where_prepare(cond: Any, x: Any = _NO_Y, y: Any = _NO_Y) -> tuple:
    """``x`` where ``cond`` is true, else ``y`` (gradients flow to x and y, not cond)."""
    if x is _NO_Y or y is _NO_Y:
        raise TypeError(
            "where: give cond, x and y (x where cond is true, else y); for the positions "
            "of the true entries use cg.nonzero(cond) (what NumPy's and PyTorch's "
            "one-argument where give: a tuple of index arrays) or cg.argwhere(cond) "
            "(TensorFlow's one-argument where: an (n, ndim) array)"
        )
    if not is_symbolic(cond):
        cond = np.asarray(plain(cond), dtype=bool)
    return (cond, x, y), {}


WHERE = defop(
    "where",
    np.where,
    elementwise=True,
    shape=broadcast,
    dtype=lambda m, **a: promote(m[1:]),
    vjp=(
        None,
        lambda ns, g, out, c, x, y: ns.where(c, g, 0),
        lambda ns, g, out, c, x, y: ns.where(c, 0, g),
    ),
    saves=((), (0,), (0,)),
    deriv=("", "1 if cond else 0", "0 if cond else 1"),
    args=("cond", "x", "y"),
    doc="choose x where cond is true, else y",
    prepare=_where_prepare,
    method=no("NumPy arrays have no where method; use cg.where"),
    numpy=np.where,
    cli=_no_cli("where takes three"),
    onnx=Onnx("Where", promote=True, first=1),
)


def _clip_rule(ns, g, out, x, lo=None, hi=None):
    # Gradient passes where lo <= x <= hi, as in PyTorch's clamp.
    if lo is not None:
        g = ns.where(x < lo, 0, g)
    if hi is not None:
        g = ns.where(x > hi, 0, g)
    return g


def _clip_prepare(
    x: Any,
    min: Any = None,  # noqa: A002  (NumPy 2's, the array API's and torch.clamp's names)
    max: Any = None,  # noqa: A002
    *,
    a_min: Any = None,
    a_max: Any = None,
) -> tuple:
    """Limit values to ``[min, max]`` (also spelt ``a_min=``/``a_max=``, NumPy's older
    names; neither bound: ``x``, as the array API's); the gradient passes only inside."""
    if a_min is not None:
        if min is not None:
            raise TypeError("clip: give the lower bound as a_min or min, not both")
        min = a_min
    if a_max is not None:
        if max is not None:
            raise TypeError("clip: give the upper bound as a_max or max, not both")
        max = a_max
    return (x,), {"lo": plain(min), "hi": plain(max)}


def _clip_onnx(b, n, ins, out):
    a = n.attrs
    if a.get("lo") is None and a.get("hi") is None:
        b.add("Identity", [ins[0]], out)
        return
    lo = "" if a.get("lo") is None else b.const(a["lo"], n.dtype)
    hi = "" if a.get("hi") is None else b.const(a["hi"], n.dtype)
    b.add("Clip", [ins[0], lo, hi], out)


CLIP = defop(
    "clip",
    lambda x, lo=None, hi=None: np.clip(x, lo, hi),
    elementwise=True,
    shape=same_shape,
    dtype=same_dtype,
    vjp=(_clip_rule,),
    saves=((0,),),
    deriv=("1 if lo <= x <= hi else 0",),
    doc=_clip_prepare.__doc__,
    prepare=_clip_prepare,
    method="clip",
    numpy=np.clip,
    cli=_NO_CLI_ATTRS,
    onnx=Onnx(_clip_onnx, promote=True),
)


def _cast_onnx(b, n, ins, out):
    b.add("Cast", ins, out, to=b.elem(n.attrs["dtype"]))


CAST = defop(
    "astype",
    lambda x, dtype: x.astype(dtype),
    shape=same_shape,
    dtype=dtype_attr,
    vjp=(lambda ns, g, out, x, dtype: g,),
    linear=True,
    elementwise=True,
    saves=((),),
    deriv=("1",),
    doc="convert to another dtype (the engine casts the gradient back)",
    names=no("cg.astype is the composite that also cuts the gradient of integer casts"),
    method=no("the composite cg.astype owns the method"),
    numpy=no("not a NumPy function"),
    cli=_NO_CLI_ATTRS,
    codegen=Codegen(fresh=False),
    onnx=Onnx(_cast_onnx),
    facts=Facts(noop=same_meta),
)

# ----------------------------------------------- piecewise constant: zero gradients
SIGN = defop(
    "sign",
    np.sign,
    elementwise=True,
    shape=same_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x: ns.zeros_like(g),),
    saves=((),),
    deriv=("0",),
    doc="Elementwise sign; its gradient is zero (as in PyTorch and JAX).",
    method="sign",
    numpy=np.sign,
    cli=no("its derivative is zero everywhere it exists"),
    codegen=Codegen(out=np.sign),
    onnx=Onnx("Sign"),
)

# ----------------------------------------------- non-differentiable (never recorded)
_NONDIFF = Codegen(fresh=True)

STOP_GRADIENT = defop(
    "stop_gradient",
    lambda x: x,
    shape=same_shape,
    dtype=same_dtype,
    doc="The same values, with no gradient flowing back (TF's ``tf.stop_gradient``).",
    method=no("Tensor.detach makes a new leaf instead"),
    numpy=no("not a NumPy function"),
    cli=no("not differentiable"),
    codegen=Codegen(expr="{0}"),
    onnx=Onnx("Identity"),
)


def _compare(name: str, forward: Any, symbol: str, onnx: Any, doc: str) -> Any:
    return defop(
        name,
        forward,
        shape=broadcast,
        dtype=boolean,
        doc=doc,
        symbol=symbol,
        method=no(_OPERATOR.format(symbol)),
        numpy=getattr(np, name),
        cli=no("comparisons give booleans, which have no derivative"),
        codegen=_NONDIFF,
        onnx=Onnx(onnx, promote="operands"),
    )


def _not_equal_onnx(b, n, ins, out):
    b.add("Not", [b.add("Equal", ins)], out)


EQUAL = _compare(
    "equal",
    operator.eq,
    "==",
    "Equal",
    "Elementwise ``x == y`` (a bool tensor, never requires grad).",
)
NOT_EQUAL = _compare("not_equal", operator.ne, "!=", _not_equal_onnx, "Elementwise ``x != y``.")
LESS = _compare("less", operator.lt, "<", "Less", "Elementwise ``x < y``.")
LESS_EQUAL = _compare("less_equal", operator.le, "<=", "LessOrEqual", "Elementwise ``x <= y``.")
GREATER = _compare("greater", operator.gt, ">", "Greater", "Elementwise ``x > y``.")
GREATER_EQUAL = _compare(
    "greater_equal", operator.ge, ">=", "GreaterOrEqual", "Elementwise ``x >= y``."
)
FLOOR = defop(
    "floor",
    np.floor,
    elementwise=True,
    shape=same_shape,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x: ns.zeros_like(g),),
    saves=((),),
    deriv=("0",),
    doc="Elementwise round down; its gradient is zero (as in PyTorch and JAX).",
    method="floor",
    numpy=np.floor,
    cli=no("its derivative is zero everywhere it exists"),
    codegen=Codegen(out=np.floor),
    onnx=Onnx("Floor"),
)
