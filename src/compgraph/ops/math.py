"""NumPy's math ufuncs and elementwise functions (with the array API's names as aliases).

Each op's forward is NumPy's own function, and its dtype rule asks that function
(on one-element stand-ins), so values, dtypes and type errors are NumPy's.  Rules
follow PyTorch and JAX: piecewise-constant functions (ceil, trunc, rint, fix, round,
floor_divide) have zero gradients; those with boolean or bit results (signbit, isnan,
bitwise and logical ops) are not differentiable (never recorded); holomorphic rules
are ``g * f'(z)``, JAX's convention for complex numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .elementwise import _pow_dx, _pow_dy
from .meta import Meta, broadcast
from .registry import defop
from .spec import Codegen, Method, Onnx, no

__all__: list[str] = []

_LN2, _LN10, _D2R = math.log(2), math.log(10), math.pi / 180


def _zero(ns, g, out, *xs, **attrs):
    return ns.zeros_like(g)


def _dtype_of(f: Any) -> Any:
    """The dtype rule: ``f`` itself on one-element stand-ins (NumPy's type resolution)."""

    def rule(metas, **attrs):
        xs = []
        for m in metas:
            if isinstance(m, Meta):
                if m.dtype is None:
                    return None
                m = np.ones((), m.dtype)
            xs.append(m)
        with np.errstate(all="ignore"):
            return np.result_type(f(*xs, **attrs))

    return rule


def _integers(name: str, nin: int) -> Any:
    """``prepare`` of the bitwise ops: NumPy's TypeError for float operands, up front
    (also while a static graph is built)."""

    def check(xs):
        for v in xs:
            d = type(v) if isinstance(v, (int, float, complex)) else getattr(v, "dtype", None)
            if d is not None and np.dtype(d).kind not in "biu":
                raise TypeError(f"{name}: takes integers or booleans, not {np.dtype(d)}")
        return xs, {}

    if nin == 1:
        return lambda x: check((x,))
    return lambda x1, x2: check((x1, x2))


_READS: dict[str, dict] = {"x": {}, "out": dict(saves=((),), out=True), "": dict(saves=((),))}


def _def(
    name: str,
    f: Any,
    rules: Any,
    deriv: Any,
    doc: str,
    onnx: Any,
    *names: str,
    reads: Any = "x",
    out: bool = False,
    cli: Any = True,
    **kw: Any,
) -> Any:
    """One elementwise op reached as ``cg.<name>`` (and its aliases ``names``, also
    methods) and from NumPy: ``rules`` None (not differentiable), one rule or a tuple;
    ``reads``: the inputs each rule reads (a tuple), or "x", "out", ""."""
    nin = f.nin if isinstance(f, np.ufunc) else 1
    rules = (rules,) if callable(rules) else rules
    if isinstance(reads, str):
        kw.update(_READS[reads])
    else:
        kw["saves"] = reads
    every = (name, *names)
    return defop(
        name,
        f,
        nargs=nin,
        elementwise=rules is not None,
        shape=broadcast,
        dtype=_dtype_of(f),
        vjp=rules,
        saves=kw.pop("saves", ((0,),) if rules else None),
        save_out=kw.pop("out", out),
        deriv=(deriv,) if isinstance(deriv, str) else deriv,
        doc=doc,
        names=every,
        method=kw.pop("method", every),
        numpy=kw.pop("numpy", f),
        cli=cli if nin == 1 or not cli else _TWO,
        codegen=Codegen(out=f if isinstance(f, np.ufunc) else None, fresh=True),
        onnx=onnx,
        **kw,
    )


# ---------------------------------------------------------------- ONNX translations
def _no(what: str) -> Any:
    return no(f"ONNX has no {what}")


def _ort32(op: str) -> Onnx:
    """ONNX ``op``; onnxruntime has only float32 kernels for it, so float64 goes through
    float32 (about 1e-7), as erf does."""

    def emit(b, n, ins, out):
        if n.dtype == np.float64:
            r = b.add(op, [b.cast(ins[0], n.dtype, np.float32)])
            b.add("Cast", [r], out, to=b.elem(n.dtype))
        else:
            b.add(op, ins, out)

    return Onnx(emit, cast_input=True)


def _scaled(k: float) -> Onnx:
    return Onnx(
        lambda b, n, ins, out: b.add("Mul", [ins[0], b.const(k, n.dtype)], out), cast_input=True
    )


def _whole(op: Any) -> Onnx:
    """ONNX ``op`` (a name or an emitter) for floats; integers are whole already."""

    def emit(b, n, ins, out):
        if n.dtype.kind in "biu":
            b.add("Identity", ins, out)
        elif callable(op):
            op(b, n, ins, out)
        else:
            b.add(op, ins, out)

    return Onnx(emit, cast_input=True)


def _trunc_onnx(b, n, ins, out):
    neg = b.add("Less", [ins[0], b.const(0, n.dtype)])
    b.add("Where", [neg, b.add("Ceil", ins), b.add("Floor", ins)], out)


def _round_onnx(b, n, ins, out):
    # NumPy's order: x * 10**d, rint, / 10**d (x / 10**-d, rint, * 10**-d for d < 0)
    d = n.attrs.get("decimals", 0)
    if d == 0:
        b.add("Round", ins, out)
        return
    up, down = ("Mul", "Div") if d > 0 else ("Div", "Mul")
    s = b.const(10.0 ** abs(d), n.dtype)
    b.add(down, [b.add("Round", [b.add(up, [ins[0], s])]), s], out)


def _mod_onnx(b, n, ins, out):
    if n.dtype.kind in "iu":
        b.add("Mod", ins, out)  # the sign of the divisor, as NumPy's
        return
    # fmod, moved to the divisor's sign where they differ (NumPy's remainder)
    m, zero = b.add("Mod", ins, fmod=1), b.const(0, n.dtype)
    differ = b.add("Xor", [b.add("Less", [ins[1], zero]), b.add("Less", [m, zero])])
    fix = b.add("And", [differ, b.add("Not", [b.add("Equal", [m, zero])])])
    b.add("Where", [fix, b.add("Add", [m, ins[1]]), m], out)


def _test(op: str) -> Onnx:
    """IsNaN, IsInf or IsFinite (Not(IsNaN or IsInf)) of floats; of integers x != x
    (IsFinite: x == x)."""

    def emit(b, n, ins, out):
        x = ins[0]
        if n.inputs[0].dtype is not None and n.inputs[0].dtype.kind not in "fc":
            same = b.add("Equal", [x, x])
            b.add("Identity" if op == "IsFinite" else "Not", [same], out)
        elif op == "IsFinite":
            b.add("Not", [b.add("Or", [b.add("IsNaN", [x]), b.add("IsInf", [x])])], out)
        else:
            b.add(op, [x], out)

    return Onnx(emit)


def _logical(op: str) -> Onnx:
    def emit(b, n, ins, out):
        b.add(op, [b.cast(i, v.dtype, np.bool_) for i, v in zip(ins, n.inputs)], out)

    return Onnx(emit)


def _bitwise(op: str) -> Onnx:
    def emit(b, n, ins, out):
        b.add(op if n.dtype.kind == "b" else "Bitwise" + op.title(), ins, out)

    return Onnx(emit, promote=True)


# ---------------------------------------------------------------- rules
# sinc'(x) = pi * (t cos t - sin t) / t**2 at t = pi x, whose Taylor series (coefficients
# of t, t**3 ...) replaces the cancelling difference for |t| < 0.5
_SINC = (-1 / 3, 1 / 30, -1 / 840, 1 / 45360, -1 / 3991680, 1 / 518918400)


def _sinc_dx(ns, g, out, x):
    t = x * math.pi
    small = abs(t) < 0.5
    p = _SINC[-1]
    for c in _SINC[-2::-1]:
        p = p * (t * t) + c
    far = (ns.cos(t) - out) / ns.where(small, 1, x)
    return g * ns.where(small, p * t * math.pi, far)


def _norm2(ns, x, y):
    # x**2 + y**2, with 1 at (0, 0): arctan2's gradients there are 0, as PyTorch's
    s = x * x + y * y
    return ns.where(s == 0, 1, s)


def _round_prepare(x: Any, decimals: Any = 0) -> tuple:
    """Round half to even to ``decimals`` places (NumPy's); its gradient is zero."""
    return (x,), {"decimals": int(decimals)}


_ZERO: dict[str, Any] = dict(reads="", cli=no("its derivative is zero everywhere it exists"))
_BOOL: dict[str, Any] = dict(cli=no("its result is not differentiable"))
_TWO = no("the command line calls one-argument functions; this one takes two")
_SHIFT = no("ONNX's BitShift takes unsigned integers only")
_XY, _X_Y = ((0, 1), (0, 1)), ((0,), (1,))
_ROUND = Method("__round__", lambda t, nd=None: ((t,), {"decimals": nd or 0}))

# fmt: off
# -------------------------------------- unary, differentiable: name, forward, rule, d/dx, doc
_def("log1p", np.log1p, lambda ns, g, out, x: g / (x + 1), "1/(1 + x)",
     "Elementwise ``log(1 + x)``, accurate for small ``x``.", _no("log1p"))
_def("expm1", np.expm1, lambda ns, g, out, x: g * (out + 1), "exp(x)",
     "Elementwise ``exp(x) - 1``, accurate for small ``x``.", _no("expm1"), reads="out")
_def("log2", np.log2, lambda ns, g, out, x: g / (x * _LN2), "1/(x*log(2))",
     "Elementwise base-2 logarithm.", _no("log2"))
_def("log10", np.log10, lambda ns, g, out, x: g / (x * _LN10), "1/(x*log(10))",
     "Elementwise base-10 logarithm.", _no("log10"))
_def("exp2", np.exp2, lambda ns, g, out, x: g * (out * _LN2), "log(2)*2**x",
     "Elementwise ``2 ** x``.", _no("exp2"), reads="out")
_def("sinh", np.sinh, lambda ns, g, out, x: g * ns.cosh(x), "cosh(x)",
     "Elementwise hyperbolic sine.", _ort32("Sinh"))
_def("cosh", np.cosh, lambda ns, g, out, x: g * ns.sinh(x), "sinh(x)",
     "Elementwise hyperbolic cosine.", _ort32("Cosh"))
_def("arcsin", np.arcsin, lambda ns, g, out, x: g / ns.sqrt(1 - x * x), "1/sqrt(1 - x**2)",
     "Elementwise inverse sine.", _ort32("Asin"), "asin")
_def("arccos", np.arccos, lambda ns, g, out, x: -g / ns.sqrt(1 - x * x), "-1/sqrt(1 - x**2)",
     "Elementwise inverse cosine.", _ort32("Acos"), "acos")
_def("arctan", np.arctan, lambda ns, g, out, x: g / (x * x + 1), "1/(1 + x**2)",
     "Elementwise inverse tangent.", _ort32("Atan"), "atan")
_def("arcsinh", np.arcsinh, lambda ns, g, out, x: g / ns.sqrt(x * x + 1), "1/sqrt(x**2 + 1)",
     "Elementwise inverse hyperbolic sine.", _ort32("Asinh"), "asinh")
_def("arccosh", np.arccosh, lambda ns, g, out, x: g / ns.sqrt(x * x - 1), "1/sqrt(x**2 - 1)",
     "Elementwise inverse hyperbolic cosine.", _ort32("Acosh"), "acosh")
_def("arctanh", np.arctanh, lambda ns, g, out, x: g / (1 - x * x), "1/(1 - x**2)",
     "Elementwise inverse hyperbolic tangent.", _ort32("Atanh"), "atanh")
_def("square", np.square, lambda ns, g, out, x: g * (x * 2), "2*x",
     "Elementwise ``x * x`` (integers stay integers).",
     Onnx(lambda b, n, ins, out: b.add("Mul", [ins[0], ins[0]], out), cast_input=True))
_def("reciprocal", np.reciprocal, lambda ns, g, out, x: -(g * (out * out)), "-1/x**2",
     "Elementwise ``1 / x`` (integers stay integers).", Onnx("Reciprocal"), reads="out")
_def("cbrt", np.cbrt, lambda ns, g, out, x: g / (out * out * 3), "1/(3*cbrt(x)**2)",
     "Elementwise real cube root; its derivative at 0 is inf (JAX's).", _no("cbrt"), reads="out")
_def("sinc", np.sinc, _sinc_dx, "(cos(pi*x) - sinc(x))/x",
     "Elementwise normalised sinc ``sin(pi x) / (pi x)``, 1 at 0.", _no("sinc"), out=True)
_def("fabs", np.fabs, lambda ns, g, out, x: g * ns.sign(x), "sign(x)",
     "Elementwise absolute value as a float; its derivative at 0 is 0.",
     Onnx("Abs", cast_input=True))
_def("deg2rad", np.deg2rad, lambda ns, g, out, x: g * _D2R, "pi/180",
     "Elementwise degrees to radians.", _scaled(_D2R), "radians", reads="", linear=True,
     numpy=(np.deg2rad, np.radians))
_def("rad2deg", np.rad2deg, lambda ns, g, out, x: g * (1 / _D2R), "180/pi",
     "Elementwise radians to degrees.", _scaled(1 / _D2R), "degrees", reads="", linear=True,
     numpy=(np.rad2deg, np.degrees))
_def("positive", np.positive, lambda ns, g, out, x: g, "1", "Elementwise ``+x`` (a copy).",
     Onnx("Identity"), reads="", linear=True)

# -------------------------------------- unary, zero gradients (as PyTorch's and JAX's)
_def("ceil", np.ceil, _zero, "0", "Elementwise round up; its gradient is zero.",
     _whole("Ceil"), **_ZERO)
_def("trunc", np.trunc, _zero, "0", "Elementwise round towards zero; its gradient is zero.",
     _whole(_trunc_onnx), **_ZERO)
_def("fix", np.fix, _zero, "0", "Elementwise round towards zero; its gradient is zero.",
     _whole(_trunc_onnx), **_ZERO)
_def("rint", np.rint, _zero, "0", "Elementwise round half to even; its gradient is zero.",
     Onnx("Round", cast_input=True), **_ZERO)
_def("round", lambda x, decimals=0: np.round(x, decimals), _zero, "0", _round_prepare.__doc__
     or "", _whole(_round_onnx), "around", prepare=_round_prepare, numpy=(np.round, np.around),
     method=("round", _ROUND), **_ZERO)

# -------------------------------------- binary: name, forward, rules, d/dx1 and d/dx2, doc
_def("arctan2", np.arctan2, (lambda ns, g, out, x, y: g * y / _norm2(ns, x, y),
     lambda ns, g, out, x, y: -(g * x) / _norm2(ns, x, y)), ("y/(x**2 + y**2)",
     "-x/(x**2 + y**2)"), "Elementwise quadrant-aware ``arctan(x1 / x2)``; gradients 0 at "
     "(0, 0), as PyTorch's.", _no("atan2"), "atan2", reads=_XY)
_def("hypot", np.hypot, (lambda ns, g, out, x, y: g * x / out, lambda ns, g, out, x, y:
     g * y / out), ("x/out", "y/out"), "Elementwise ``sqrt(x1**2 + x2**2)`` without overflow; "
     "gradients nan at (0, 0), as PyTorch's.", _no("hypot"), reads=_X_Y, out=True)
_def("logaddexp", np.logaddexp, (lambda ns, g, out, x, y: g * ns.sigmoid(x - y),
     lambda ns, g, out, x, y: g * ns.sigmoid(y - x)), ("sigmoid(x - y)", "sigmoid(y - x)"),
     "Elementwise ``log(exp(x1) + exp(x2))`` without overflow.", _no("logaddexp"), reads=_XY)
_def("logaddexp2", np.logaddexp2, (lambda ns, g, out, x, y: g * ns.sigmoid((x - y) * _LN2),
     lambda ns, g, out, x, y: g * ns.sigmoid((y - x) * _LN2)), ("sigmoid((x - y)*log(2))",
     "sigmoid((y - x)*log(2))"), "Elementwise ``log2(2**x1 + 2**x2)`` without overflow.",
     _no("logaddexp2"), reads=_XY)
_def("copysign", np.copysign, (lambda ns, g, out, x, y: g * (ns.sign(x) * ns.sign(out)),
     _zero), ("sign(x)*sign(out)", "0"), "Elementwise ``|x1|`` with the sign of ``x2``; "
     "gradients +-1 (0 at x1 == 0, as PyTorch's) and 0.", _no("copysign"), reads=((0,), ()),
     out=True)
_def("heaviside", np.heaviside, (_zero, lambda ns, g, out, x, y: ns.where(x == 0, g, 0)),
     ("0", "1 if x == 0 else 0"), "Elementwise step: 0 below 0, ``x2`` at 0, 1 above; the "
     "gradient reaches x2 where x1 == 0 (JAX's).", _no("heaviside"), reads=((), (0,)))
_def("float_power", np.float_power, (lambda ns, g, out, x, y: ns.where(y == 0, 0, _pow_dx(
     ns, g, out, x, y)), _pow_dy), ("y*x**(y-1)", "log(x)*x**y"),
     "Elementwise ``x1 ** x2`` in float64 (or complex128); gradients as PyTorch's.",
     Onnx("Pow", promote=True), reads=_XY, out=True)
_def("remainder", np.remainder, (lambda ns, g, out, x, y: g, lambda ns, g, out, x, y:
     -(g * ns.floor_divide(x, y))), ("1", "-floor(x/y)"), "Elementwise ``x1 % x2`` (with the "
     "divisor's sign); gradients 1 and ``-floor_divide(x1, x2)``, as PyTorch's.",
     Onnx(_mod_onnx, promote=True), "mod", reads=((), (0, 1)), symbol="%",
     cli=no("the command line's grammar has no % operator"))
_def("fmod", np.fmod, (lambda ns, g, out, x, y: g, lambda ns, g, out, x, y:
     -(g * ns.trunc(x / y))), ("1", "-trunc(x/y)"), "Elementwise C remainder (with the "
     "dividend's sign); gradients 1 and ``-trunc(x1 / x2)``, as PyTorch's.",
     Onnx(lambda b, n, ins, out: b.add("Mod", ins, out, fmod=1), promote=True),
     reads=((), (0, 1)))
_def("nextafter", np.nextafter, (lambda ns, g, out, x, y: ns.where(x == y, 0, g), _zero),
     ("1 if x != y else 0", "0"), "Elementwise next float after x1 towards x2; gradients as "
     "PyTorch's: 1 (0 where x1 == x2) and 0.", _no("nextafter"), reads=(_XY[0], ()))
_def("floor_divide", np.floor_divide, (_zero, _zero), ("0", "0"), "Elementwise ``x1 // x2``; "
     "its gradients are zero (JAX's).", no("ONNX's Div truncates integers, and floor of the "
     "quotient is not NumPy's floor_divide of floats in every case"), reads=((), ()),
     symbol="//", cli=no("the command line's grammar has no // operator"))

# -------------------------------------- not differentiable (never recorded)
_def("signbit", np.signbit, None, None, "Elementwise: is the sign bit set (-0.0 too)?",
     _no("signbit (x < 0 misses -0.0)"), **_BOOL)
_def("isnan", np.isnan, None, None, "Elementwise: is x NaN?", _test("IsNaN"), **_BOOL)
_def("isinf", np.isinf, None, None, "Elementwise: is x infinite?", _test("IsInf"), **_BOOL)
_def("isfinite", np.isfinite, None, None, "Elementwise: is x neither infinite nor NaN?",
     _test("IsFinite"), **_BOOL)
_def("logical_not", np.logical_not, None, None, "Elementwise ``not x``.", _logical("Not"),
     **_BOOL)
for _name, _op, _sym in (("and", "And", "&"), ("or", "Or", "|"), ("xor", "Xor", "^")):
    _def(f"logical_{_name}", getattr(np, f"logical_{_name}"), None, None,
         f"Elementwise ``x1 {_name} x2`` of truth values.", _logical(_op), **_BOOL)
    _def(f"bitwise_{_name}", getattr(np, f"bitwise_{_name}"), None, None,
         f"Elementwise bitwise {_name} (``{_sym}``) of integers or booleans.", _bitwise(_op),
         prepare=_integers(f"bitwise_{_name}", 2), symbol=_sym, **_BOOL)
_def("invert", np.invert, None, None, "Elementwise bitwise not (``~x``; of booleans: not).",
     _bitwise("Not"), "bitwise_not", "bitwise_invert", prepare=_integers("invert", 1),
     symbol="~", **_BOOL)
_def("left_shift", np.left_shift, None, None, "Elementwise ``x1 << x2`` of integers.", _SHIFT,
     "bitwise_left_shift", prepare=_integers("left_shift", 2), symbol="<<", **_BOOL)
_def("right_shift", np.right_shift, None, None, "Elementwise ``x1 >> x2`` of integers.",
     _SHIFT, "bitwise_right_shift", prepare=_integers("right_shift", 2), symbol=">>", **_BOOL)
# fmt: on
