"""``jax.lax``'s elementwise functions and enums.  Where compgraph's function already
has lax's meaning it is the same object (``sin``, ``exp``, ``atan2`` ...); where lax
differs (``div`` truncates integers, ``round`` rounds half away from zero by default,
``max`` is elementwise, ``clamp`` takes ``(min, x, max)``), a function here says so.

Bit-level functions (``shift_right_logical``, ``population_count``, ``clz``,
``bitcast_convert_type``, ``reduce_precision``) compute on NumPy values: they need
concrete inputs (not values traced by ``cg.function``); only ``reduce_precision`` has a
gradient, the identity, as JAX's.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import special, tfmath
from ..functions import cg
from ..ops.args import is_symbolic

__all__ = [  # jax.lax's names, not compgraph ops
    "Precision", "RoundingMethod", "GatherScatterMode", "FftType", "DotAlgorithmPreset",
    "abs", "add", "sub", "mul", "div", "rem", "pow", "integer_pow", "neg", "sign", "floor",
    "ceil", "round", "exp", "exp2", "log", "log1p", "expm1", "sqrt", "rsqrt", "cbrt", "sin",
    "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh",
    "atanh", "logistic", "erf", "erfc", "erf_inv", "lgamma", "digamma", "igamma", "igammac",
    "bessel_i0e", "bessel_i1e", "betainc", "zeta", "polygamma", "is_finite", "max", "min",
    "nextafter", "clamp", "eq", "ne", "lt", "le", "gt", "ge", "bitwise_and", "bitwise_or",
    "bitwise_xor", "bitwise_not", "shift_left", "shift_right_arithmetic",
    "shift_right_logical", "population_count", "clz", "conj", "real", "imag", "complex",
    "square", "reciprocal", "convert_element_type", "bitcast_convert_type",
    "reduce_precision", "mulhi",
]  # fmt: skip


class Precision(enum.Enum):
    """JAX's ``Precision`` (accepted and ignored: NumPy computes in the inputs' dtype)."""

    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2


class RoundingMethod(enum.IntEnum):
    """JAX's ``RoundingMethod`` for ``round``."""

    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


class GatherScatterMode(enum.Enum):
    """JAX's ``GatherScatterMode`` (out-of-bounds rule of gathers and scatters)."""

    CLIP = 0
    FILL_OR_DROP = 1
    PROMISE_IN_BOUNDS = 2
    ONE_HOT = 3


class FftType(enum.IntEnum):
    """JAX's ``FftType``."""

    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3


class DotAlgorithmPreset(enum.Enum):
    """JAX's ``DotAlgorithmPreset`` (accepted and ignored, as ``precision``)."""

    DEFAULT = 0
    ANY_F8_ANY_F8_F32 = 1
    ANY_F8_ANY_F8_F32_FAST_ACCUM = 2
    ANY_F8_ANY_F8_ANY = 3
    ANY_F8_ANY_F8_ANY_FAST_ACCUM = 4
    F16_F16_F16 = 5
    F16_F16_F32 = 6
    BF16_BF16_BF16 = 7
    BF16_BF16_F32 = 8
    BF16_BF16_F32_X3 = 9
    BF16_BF16_F32_X6 = 10
    TF32_TF32_F32 = 11
    TF32_TF32_F32_X3 = 12
    F32_F32_F32 = 13
    F64_F64_F64 = 14


# ------------------------------------------------------------ same as compgraph's
# (typed Any: mypy cannot serialise the Callable[..., Any] of special's __getattr__)
_special: Any = special
abs = cg.abs  # noqa: A001
add = cg.add
pow = cg.pow  # noqa: A001
sign = cg.sign
floor = cg.floor
ceil = cg.ceil
exp = cg.exp
exp2 = cg.exp2
log = cg.log
log1p = cg.log1p
expm1 = cg.expm1
sqrt = cg.sqrt
cbrt = cg.cbrt
sin = cg.sin
cos = cg.cos
tan = cg.tan
asin = cg.arcsin
acos = cg.arccos
atan = cg.arctan
atan2 = cg.arctan2
sinh = cg.sinh
cosh = cg.cosh
tanh = cg.tanh
asinh = cg.arcsinh
acosh = cg.arccosh
atanh = cg.arctanh
logistic = cg.sigmoid
erf = cg.erf
erfc = _special.erfc
erf_inv = _special.erfinv
lgamma = _special.gammaln
digamma = _special.digamma
igamma = _special.gammainc
igammac = _special.gammaincc
bessel_i0e = _special.i0e
bessel_i1e = _special.i1e
betainc = _special.betainc
zeta = _special.zeta
polygamma = _special.polygamma
is_finite = cg.isfinite
max = cg.maximum  # noqa: A001
min = cg.minimum  # noqa: A001
nextafter = cg.nextafter
eq = cg.equal
ne = cg.not_equal
lt = cg.less
le = cg.less_equal
gt = cg.greater
ge = cg.greater_equal
bitwise_and = cg.bitwise_and
bitwise_or = cg.bitwise_or
bitwise_xor = cg.bitwise_xor
bitwise_not = cg.bitwise_not
real = cg.real
imag = cg.imag
complex = cg.complex  # noqa: A001
square = cg.square
reciprocal = cg.reciprocal
rsqrt = tfmath.rsqrt


# ------------------------------------------------------------ lax's own meanings
def sub(x: Any, y: Any) -> Any:
    """``x - y``."""
    return cg.subtract(x, y)


def mul(x: Any, y: Any) -> Any:
    """``x * y``."""
    return cg.multiply(x, y)


def neg(x: Any) -> Any:
    """``-x``."""
    return cg.negative(x)


def _is_int(x: Any) -> bool:
    return np.dtype(cg.asarray(x).dtype).kind in "iub"


def div(x: Any, y: Any) -> Any:
    """lax's ``div``: ``x / y`` for floats; integers are divided rounding toward zero
    (C's rule, as lax), not NumPy's floor."""
    if _is_int(x) and _is_int(y):
        r = cg.fmod(x, y)
        return cg.floor_divide(cg.subtract(x, r), y)
    return cg.divide(x, y)


def rem(x: Any, y: Any) -> Any:
    """lax's ``rem``: C's remainder, the sign of ``x`` (``cg.fmod``)."""
    return cg.fmod(x, y)


def integer_pow(x: Any, y: int) -> Any:
    """``x ** y`` for a Python integer ``y`` (negative allowed for floats)."""
    if not isinstance(y, (int, np.integer)) or isinstance(y, bool):
        raise TypeError(f"integer_pow: y must be a Python integer, got {type(y).__name__}")
    if y == 0:
        return cg.ones_like(x)
    return cg.pow(x, int(y))


def round(x: Any, rounding_method: Any = RoundingMethod.AWAY_FROM_ZERO) -> Any:  # noqa: A001
    """lax's ``round``: half away from zero (the default, unlike NumPy) or, with
    ``RoundingMethod.TO_NEAREST_EVEN`` (or 1), half to even.  Zero gradient."""
    method = RoundingMethod(int(rounding_method))
    if method is RoundingMethod.TO_NEAREST_EVEN:
        return cg.round(x)
    t = cg.trunc(x)  # (x - trunc(x) is exact: no double rounding near .5)
    return cg.where(cg.abs(x - t) >= 0.5, t + cg.sign(x), t)


def clamp(min: Any, x: Any, max: Any) -> Any:  # noqa: A002
    """lax's ``clamp(min, x, max)`` (the bounds around ``x``, not NumPy's order)."""
    return cg.minimum(cg.maximum(x, min), max)


def conj(x: Any) -> Any:
    """The complex conjugate (lax returns a complex array even for real ``x``)."""
    a = cg.asarray(x)
    if np.dtype(a.dtype).kind != "c":
        a = cg.astype(a, np.result_type(a.dtype, np.complex64))
    return cg.conj(a)


def convert_element_type(operand: Any, new_dtype: Any) -> Any:
    """``operand`` in ``new_dtype`` (differentiable between float dtypes; float to integer
    rounds toward zero, complex to real drops the imaginary part, as lax)."""
    a = cg.asarray(operand)
    dt = np.dtype(new_dtype)
    if np.dtype(a.dtype).kind == "c" and dt.kind != "c":
        a = cg.real(a)
    return cg.astype(a, dt)


# ------------------------------------------------------------ on NumPy bits
def _values(f: str, fn: Callable, *args: Any) -> Any:
    if any(is_symbolic(a) for a in args):
        raise TypeError(f"{f}: works on concrete values (a bit-level NumPy computation), "
                        "not on values traced by cg.function")  # fmt: skip
    return cg.asarray(fn(*[np.asarray(a) for a in args]))


def _need_int(f: str, a: np.ndarray) -> None:
    if a.dtype.kind not in "iu":
        raise TypeError(f"{f}: expects integer arrays, got {a.dtype}")


def _unsigned(dt: np.dtype) -> np.dtype:
    return np.dtype(f"u{dt.itemsize}")


def shift_left(x: Any, y: Any) -> Any:
    """``x << y``; shifts of the bit width or more give 0 (lax's rule)."""

    def fn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _need_int("shift_left", a)
        a, b = np.broadcast_arrays(a, b.astype(a.dtype))
        bits = a.dtype.itemsize * 8
        ok = (b >= 0) & (b < bits)
        return np.where(ok, np.left_shift(a, np.where(ok, b, 0)), 0).astype(a.dtype)

    return _values("shift_left", fn, x, y)


def shift_right_arithmetic(x: Any, y: Any) -> Any:
    """``x >> y`` keeping the sign; shifts of the bit width or more give 0 or -1."""

    def fn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _need_int("shift_right_arithmetic", a)
        a, b = np.broadcast_arrays(a, b.astype(a.dtype))
        bits = a.dtype.itemsize * 8
        s = a.view(a.dtype.str.replace("u", "i")) if a.dtype.kind == "u" else a
        ok = (b >= 0) & (b < bits)
        out = np.where(
            ok, np.right_shift(s, np.where(ok, b, 0).astype(s.dtype)), np.where(s < 0, -1, 0)
        )
        return out.astype(s.dtype).view(a.dtype)

    return _values("shift_right_arithmetic", fn, x, y)


def shift_right_logical(x: Any, y: Any) -> Any:
    """``x >> y`` filling with zeros (of the unsigned bits); wide shifts give 0."""

    def fn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _need_int("shift_right_logical", a)
        a, b = np.broadcast_arrays(a, b.astype(a.dtype))
        u = np.ascontiguousarray(a).view(_unsigned(a.dtype))
        bits = a.dtype.itemsize * 8
        ok = (b >= 0) & (b < bits)
        out = np.where(ok, np.right_shift(u, np.where(ok, b, 0).astype(u.dtype)), 0)
        return out.astype(u.dtype).view(a.dtype)

    return _values("shift_right_logical", fn, x, y)


def population_count(x: Any) -> Any:
    """The number of set bits of each integer (in its own dtype, as lax)."""

    def fn(a: np.ndarray) -> np.ndarray:
        _need_int("population_count", a)
        return np.bitwise_count(np.ascontiguousarray(a).view(_unsigned(a.dtype))).astype(a.dtype)

    return _values("population_count", fn, x)


def clz(x: Any) -> Any:
    """The number of leading zero bits of each integer (in its own dtype)."""

    def fn(a: np.ndarray) -> np.ndarray:
        _need_int("clz", a)
        bits = a.dtype.itemsize * 8
        u = np.ascontiguousarray(a).view(_unsigned(a.dtype))
        used = sum(((u >> np.array(k, u.dtype)) != 0).astype(np.int64) for k in range(bits))
        return (bits - used).astype(a.dtype)

    return _values("clz", fn, x)


def mulhi(x: Any, y: Any) -> Any:
    """The high half of the double-width product of two integers (lax's ``mulhi``)."""

    def fn(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        _need_int("mulhi", a)
        a, b = np.broadcast_arrays(a, b.astype(a.dtype))
        bits = a.dtype.itemsize * 8
        if bits == 64:  # exact with Python integers (no 128-bit NumPy type)
            flat = [(int(p) * int(q)) >> 64 for p, q in zip(a.ravel(), b.ravel(), strict=True)]
            mask = (1 << 64) - 1
            out = np.array([v & mask for v in flat], dtype=np.uint64).view(a.dtype)
            return out.reshape(a.shape)
        wide = np.dtype(f"{a.dtype.kind}{a.dtype.itemsize * 2}")
        return ((a.astype(wide) * b.astype(wide)) >> bits).astype(a.dtype)

    return _values("mulhi", fn, x, y)


def bitcast_convert_type(operand: Any, new_dtype: Any) -> Any:
    """The bits of ``operand`` read as ``new_dtype``: the same shape for the same width; a
    narrower type adds a last axis (width ratio), a wider one consumes it (lax's rule)."""
    dt = np.dtype(new_dtype)

    def fn(a: np.ndarray) -> np.ndarray:
        a = np.ascontiguousarray(a)
        old = a.dtype.itemsize
        if old == dt.itemsize:
            return a.view(dt)
        if old > dt.itemsize:
            return a.reshape(*a.shape, 1).view(dt)
        ratio = dt.itemsize // old
        if a.ndim == 0 or a.shape[-1] != ratio:
            raise ValueError(f"bitcast_convert_type: {a.dtype} {a.shape} to {dt} needs a "
                             f"last axis of size {ratio}")  # fmt: skip
        return a.view(dt).reshape(a.shape[:-1])

    return _values("bitcast_convert_type", fn, operand)


def _reduce_precision_np(a: np.ndarray, exponent_bits: int, mantissa_bits: int) -> np.ndarray:
    fi = np.finfo(a.dtype)
    src_m, src_e = int(fi.nmant), int(fi.nexp)
    nbits = a.dtype.itemsize * 8
    ut = _unsigned(a.dtype)
    one = ut.type(1)
    bits = np.ascontiguousarray(a).view(ut).copy()
    if mantissa_bits < src_m:
        shift = ut.type(src_m - mantissa_bits)
        last = one << shift
        base_bias = (last >> one) - one
        x_last = (bits & last) >> shift
        truncation = ~(last - one)
        bits = (bits + x_last + base_bias) & truncation
    if exponent_bits < src_e:
        sign_mask = one << ut.type(nbits - 1)
        exp_mask = ((one << ut.type(src_e)) - one) << ut.type(src_m)
        bias = (1 << (src_e - 1)) - 1
        reduced_bias = (1 << (exponent_bits - 1)) - 1
        max_exp = ut.type(bias + reduced_bias) << ut.type(src_m)
        min_exp = ut.type(bias - reduced_bias) << ut.type(src_m)
        x_exp = bits & exp_mask
        signed_zero = bits & sign_mask
        signed_inf = signed_zero | exp_mask
        bits = np.where(x_exp > max_exp, signed_inf, np.where(x_exp <= min_exp, signed_zero, bits))
    out = np.asarray(bits, dtype=ut).view(a.dtype)
    if exponent_bits < src_e or mantissa_bits < src_m:
        out = np.where(np.isnan(a), a, out)
    return out.astype(a.dtype)


def reduce_precision(operand: Any, exponent_bits: int, mantissa_bits: int) -> Any:
    """``operand`` rounded (to nearest even) to a float with ``exponent_bits`` and
    ``mantissa_bits`` (overflow to infinity, underflow to zero: XLA's rule), in its
    own dtype.  Its gradient is the identity, as JAX's."""
    if exponent_bits < 1 or mantissa_bits < 0:
        raise ValueError(f"reduce_precision: needs exponent_bits >= 1 and mantissa_bits >= 0, "
                         f"got {exponent_bits}, {mantissa_bits}")  # fmt: skip
    x = cg.asarray(operand)
    if np.dtype(x.dtype).kind != "f":
        raise TypeError(f"reduce_precision: expects a float array, got {x.dtype}")
    e, m = int(exponent_bits), int(mantissa_bits)
    r = _values("reduce_precision", lambda a: _reduce_precision_np(a, e, m), cg.stop_gradient(x))
    # x + (r - x) is r exactly (Sterbenz) where both are finite; elsewhere r itself
    ok = cg.isfinite(x) & cg.isfinite(r)
    step = cg.where(ok, r, 0) - cg.where(ok, cg.stop_gradient(x), 0)
    return cg.where(ok, x + cg.stop_gradient(step), r)
