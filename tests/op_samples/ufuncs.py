"""Samples of NumPy's math ufuncs and elementwise functions (src/compgraph/ops/math.py);
special points, PyTorch/JAX comparisons and errors are in tests/ops/test_math.py.  (Not
named math.py: pytest's doctest collection would import it as the standard library's math.)
"""
import numpy as np
from helpers import Sample

import compgraph as cg

A = (("any", (3, 4)),)
P = (("pos", (3, 4)),)
NZ = (("nz", (3, 4)),)
AB = (("any", (3, 4)), ("any", (4,)))
A_NZ = (("any", (3, 4)), ("nz", (4,)))


def _u(name, kind=A, ref=None, pre=None, **kw):
    """cg.<name>(pre(a)) against np.<name>(pre(a))."""
    f, r = getattr(cg, name), ref or getattr(np, name)
    pre = pre or (lambda a: a)
    return Sample(name, lambda a: f(pre(a)), lambda a: r(pre(a)), kind, **kw)


def _b(name, kinds=AB, ref=None, **kw):
    f, r = getattr(cg, name), ref or getattr(np, name)
    return Sample(name, f, r, kinds, **kw)


def _ints(a):
    """Integers from float samples (Tensors, arrays and static values alike)."""
    return (a * 4).astype("int64")


def _bits(name, **kw):
    f, r = getattr(cg, name), getattr(np, name)
    return Sample(name, lambda a, b: f(_ints(a), abs(_ints(b))),
                  lambda a, b: r(_ints(a), abs(_ints(b))), AB, grad=False, **kw)


def _scaled(a):
    return a * 0.9


SAMPLES = [
    # unary, differentiable
    _u("log1p", P, order2=True, complex=True),
    _u("expm1", order2=True, complex=True),
    _u("log2", P, complex=True),
    _u("log10", P),
    _u("exp2", complex=True),
    _u("sinh", order2=True, complex=True),
    _u("cosh", complex=True),
    _u("arcsin", (("small", (3, 4)),), pre=_scaled, order2=True),
    _u("acos", (("small", (3, 4)),), ref=np.arccos, pre=_scaled),
    _u("arctan", order2=True, complex=True),
    _u("asinh", ref=np.arcsinh, complex=True),
    _u("arccosh", P, pre=lambda a: a + 1, order2=True),
    _u("atanh", (("small", (3, 4)),), ref=np.arctanh, pre=_scaled),
    _u("square", order2=True, complex=True),
    _u("reciprocal", NZ, order2=True, complex=True),
    _u("cbrt", NZ, order2=True),
    _u("sinc", order2=True, complex=True),
    _u("deg2rad"), _u("radians"), _u("rad2deg"), _u("degrees"),
    _u("fabs", NZ),
    _u("positive", complex=True),
    # unary, zero gradients
    _u("ceil"), _u("trunc"), _u("rint"), _u("fix"),
    Sample("round", lambda a: cg.round(a * 3, 2), lambda a: np.round(a * 3, 2), A),
    Sample("around_method", lambda a: (a * 3).round(1), lambda a: np.around(a * 3, 1), A),
    Sample("round_negative_decimals", lambda a: cg.around(a * 300, -1),
           lambda a: np.round(a * 300, -1), A),
    # binary, differentiable
    _b("arctan2", order2=True), _b("atan2", A_NZ, ref=np.arctan2),
    _b("hypot", (("nz", (3, 4)), ("nz", (4,))), order2=True),
    _b("logaddexp", order2=True), _b("logaddexp2"),
    _b("copysign", (("nz", (3, 4)), ("nz", (4,)))),
    _b("heaviside", (("nz", (3, 4)), ("any", (4,)))),
    _b("float_power", (("pos", (3, 4)), ("any", (4,))), order2=True),
    _b("remainder", A_NZ), _b("mod", A_NZ, ref=np.mod),
    Sample("mod_operator", lambda a, b: a % b + 2.5 % b, lambda a, b: a % b + 2.5 % b, A_NZ),
    _b("fmod", A_NZ),
    _b("nextafter"),
    # binary, zero gradients
    _b("floor_divide", A_NZ),
    Sample("floor_divide_operator", lambda a, b: a // b - 7.0 // b,
           lambda a, b: a // b - 7.0 // b, A_NZ),
    # not differentiable
    Sample("signbit", lambda a: cg.signbit(a), np.signbit, A, grad=False),
    Sample("isnan", lambda a: cg.isnan(cg.log(a)), lambda a: np.isnan(np.log(a)), A, grad=False),
    Sample("isinf", lambda a: cg.isinf(a / cg.floor(a)), lambda a: np.isinf(a / np.floor(a)),
           A, grad=False),
    Sample("isfinite", lambda a: cg.isfinite(cg.log(a)), lambda a: np.isfinite(np.log(a)), A,
           grad=False),
    Sample("logical_not", lambda a: cg.logical_not(cg.floor(a)), lambda a: np.logical_not(
        np.floor(a)), A, grad=False),
    _b("logical_and", grad=False), _b("logical_or", grad=False), _b("logical_xor", grad=False),
    _bits("bitwise_and"), _bits("bitwise_or"), _bits("bitwise_xor"), _bits("left_shift"),
    _bits("right_shift"), _bits("bitwise_left_shift"),
    Sample("bit_operators", lambda a, b: (_ints(a) & 6 | _ints(b)) ^ (_ints(b) >> 1) << 2,
           lambda a, b: (_ints(a) & 6 | _ints(b)) ^ (_ints(b) >> 1) << 2, AB, grad=False),
    Sample("invert", lambda a: ~_ints(a) + cg.bitwise_invert(_ints(a) > 0),
           lambda a: ~_ints(a) + np.invert(_ints(a) > 0), A, grad=False),
    # clip without bounds (the array API's clip(x))
    Sample("clip_no_bounds", lambda a: cg.clip(a), lambda a: np.clip(a, None, None), A),
]
