"""NumPy's namespace with NumPy's meanings, for code written against ``jax.numpy`` or
``autograd.numpy``: ``import compgraph.numpy as jnp`` (where ``compgraph``'s own namespace
gives a name PyTorch's or TensorFlow's meaning, this module keeps NumPy's).

Every NumPy name whose ``cg.<name>`` already has NumPy's meaning is that same object,
looked up when asked (a module ``__getattr__``), so functions added to ``cg`` later appear
here too.  Written here: the functions whose ``cg`` spelling follows another library
(``where`` with the condition alone, ``diff``'s positional axis, ``gradient`` of one
axis, ``histogram``'s counts and default bins, ``unique``'s keywords, ``dot`` of N-D
arrays, ``triu_indices`` / ``tril_indices`` / ``unravel_index`` as tuples), NumPy's
scalar types as dtype names (``float32`` ... are NumPy's own, callable as in NumPy),
the constants, ``ndarray`` (compgraph's Tensor class, for ``isinstance``) and the
sub-namespaces:

- ``linalg`` and ``fft`` are ``cg.linalg`` and ``cg.fft`` (NumPy's signatures and
  results; ``linalg.eigvals`` is always complex, as ``jax.numpy.linalg.eigvals``, where
  NumPy returns a real array when every eigenvalue is real);
- ``random`` is NumPy's own ``numpy.random``, as ``autograd.numpy.random`` (``jax.numpy``
  has none): its draws are constants (ndarrays), which every compgraph function takes.

Names that NumPy no longer has (``float``, ``int``, ``complex``, ``object``, ``str``) and
``cg`` names that NumPy lacks are not here, so ``hasattr`` answers as for NumPy.
"""

from __future__ import annotations

import builtins
import importlib
from typing import Any

import numpy as np

from . import fft as fft
from . import linalg as linalg
from .tensor import Tensor

# The package namespace: complete once ``import compgraph`` finishes, read at call time
# (it imports this module, so the names are not there yet while this line runs).
_cg: Any = importlib.import_module("compgraph")

random = np.random  # NumPy's own module, as autograd.numpy.random (jax.numpy has none)
ndarray = Tensor  # isinstance(x, jnp.ndarray)

pi = np.pi
e = np.e
inf = np.inf
nan = np.nan
newaxis = None
euler_gamma = np.euler_gamma

# NumPy's scalar types: dtype names that are also callable (jnp.float32(0.5)).
bool_ = np.bool_
bool = np.bool_  # noqa: A001
int8 = np.int8
int16 = np.int16
int32 = np.int32
int64 = np.int64
uint8 = np.uint8
uint16 = np.uint16
uint32 = np.uint32
uint64 = np.uint64
float16 = np.float16
float32 = np.float32
float64 = np.float64
complex64 = np.complex64
complex128 = np.complex128
int_ = np.int_
uint = np.uint
intc = np.intc
intp = np.intp
float_ = np.float64  # jax.numpy's alias (NumPy 2 dropped it)
complex_ = np.complex128  # likewise
single = np.single
double = np.double
csingle = np.csingle
cdouble = np.cdouble
half = np.half
generic = np.generic
number = np.number
integer = np.integer
signedinteger = np.signedinteger
unsignedinteger = np.unsignedinteger
inexact = np.inexact
floating = np.floating
complexfloating = np.complexfloating
character = np.character
flexible = np.flexible
object_ = np.object_
dtype = np.dtype
iinfo = np.iinfo
finfo = np.finfo
issubdtype = np.issubdtype
isscalar = np.isscalar
ComplexWarning = np.exceptions.ComplexWarning

_NO = object()  # an argument not given

# jax.numpy's names that NumPy lacks, taken from cg when it has them.
_JAX_ONLY = frozenset({"from_dlpack", "isdtype", "astype", "unstack", "cumulative_prod"})
# NumPy names that are not NumPy's meaning in cg and that NumPy 2 no longer has.
_NOT_HERE = frozenset(
    {"float", "int", "complex", "object", "str", "math", "range", "slice", "print"}
)


def _data(x: Any) -> np.ndarray:
    """The values of ``x`` (a Tensor, array or nested list) as an ndarray."""
    return x.numpy() if isinstance(x, Tensor) else np.asarray(x)


def where(condition: Any, x: Any = _NO, y: Any = _NO, /) -> Any:
    """NumPy's ``where``: ``x`` where ``condition`` holds, else ``y``; with the condition
    alone, the indices of its true entries (``nonzero``)."""
    if x is _NO and y is _NO:
        return _cg.nonzero(condition)
    if x is _NO or y is _NO:
        raise ValueError("compgraph.numpy.where: give both x and y, or neither")
    return _cg.where(condition, x, y)


def diff(
    a: Any, n: builtins.int = 1, axis: builtins.int = -1, prepend: Any = _NO, append: Any = _NO
) -> Any:
    """NumPy's ``diff(a, n=1, axis=-1, prepend, append)``: the n-th discrete difference
    (``axis`` may be positional, as in NumPy)."""
    kwds: dict = {"axis": axis}
    if prepend is not _NO:
        kwds["prepend"] = prepend
    if append is not _NO:
        kwds["append"] = append
    return _cg.diff(a, n, **kwds)


def gradient(f: Any, *varargs: Any, axis: Any = None, edge_order: builtins.int = 1) -> Any:
    """NumPy's ``gradient``: one array for a single axis (a 1-D input), else a tuple."""
    ndim = _cg.asarray(f).ndim
    if axis is None:
        axis = 0 if ndim == 1 else tuple(builtins.range(ndim))
    r = _cg.gradient(f, *varargs, axis=axis, edge_order=edge_order)
    return tuple(r) if isinstance(r, (list, tuple)) else r


def histogram(
    a: Any, bins: Any = 10, range: Any = None, density: Any = None, weights: Any = None
) -> tuple:  # noqa: A002
    """NumPy's ``histogram``: ``(hist, bin_edges)``, 10 bins by default, the counts
    int64 (the weights' dtype when weighted, float with ``density``)."""
    r = _cg.histogram(
        _cg.asarray(a, dtype=np.float64),
        bins,
        range=range,
        weight=weights,
        density=builtins.bool(density),
    )
    hist, edges = r[0], r[1]
    if weights is None and not density:
        hist = _cg.astype(hist, np.int64)
    return hist, edges


def unique(
    ar: Any,
    return_index: builtins.bool = False,
    return_inverse: builtins.bool = False,
    return_counts: builtins.bool = False,
    axis: builtins.int | None = None,
    *,
    equal_nan: builtins.bool = True,
    sorted: builtins.bool = True,  # noqa: A002
) -> Any:
    """NumPy's ``unique``: the sorted unique values (rows along ``axis``), with the
    indices of first occurrence, the inverse and the counts on request; the values are
    taken from ``ar``, so gradients flow to the first occurrences."""
    data = _data(ar)
    _, index, inverse, counts = np.unique(
        data, True, True, True, axis, equal_nan=equal_nan, sorted=sorted
    )
    values = (
        _cg.take(_cg.reshape(ar, (-1,)), index) if axis is None else _cg.take(ar, index, axis=axis)
    )
    extra = [
        _cg.asarray(v)
        for v, want in ((index, return_index), (inverse, return_inverse), (counts, return_counts))
        if want
    ]
    return (values, *extra) if extra else values


def dot(a: Any, b: Any) -> Any:
    """NumPy's ``dot``: products of scalars, vectors and matrices, and for N-D arrays
    the sum over ``a``'s last axis and ``b``'s second-to-last."""
    a, b = _cg.asarray(a), _cg.asarray(b)
    if a.ndim == 0 or b.ndim == 0:
        return _cg.multiply(a, b)
    if a.ndim <= 2 and b.ndim <= 2:
        return _cg.dot(a, b)
    return _cg.tensordot(a, b, axes=([a.ndim - 1], [builtins.max(b.ndim - 2, 0)]))


def triu_indices(n: builtins.int, k: builtins.int = 0, m: builtins.int | None = None) -> tuple:
    """NumPy's ``triu_indices``: a tuple (rows, columns) of the upper triangle's indices."""
    return tuple(_cg.asarray(v) for v in np.triu_indices(n, k, m))


def tril_indices(n: builtins.int, k: builtins.int = 0, m: builtins.int | None = None) -> tuple:
    """NumPy's ``tril_indices``: a tuple (rows, columns) of the lower triangle's indices."""
    return tuple(_cg.asarray(v) for v in np.tril_indices(n, k, m))


def unravel_index(indices: Any, shape: Any, order: str = "C") -> tuple:
    """NumPy's ``unravel_index``: a tuple of coordinate arrays, one per dimension."""
    coords = np.unravel_index(_data(indices), shape, order=order)  # type: ignore[call-overload]
    return tuple(_cg.asarray(v) for v in coords)


def cov(
    m: Any,
    y: Any = None,
    rowvar: builtins.bool = True,
    bias: builtins.bool = False,
    ddof: builtins.int | None = None,
    fweights: Any = None,
    aweights: Any = None,
    *,
    dtype: Any = None,
) -> Any:
    """NumPy's ``cov``: variables in rows (``rowvar``), ``y`` stacked below ``m``, the
    normalisation ``N - 1`` (``bias``: ``N``; ``ddof`` overrides both), weights."""
    x = _cg.asarray(m)
    if x.ndim > 2:
        raise ValueError(f"cov: m has more than 2 dimensions (shape {tuple(x.shape)})")
    x = _cg.reshape(x, (1, -1)) if x.ndim < 2 else x
    if not rowvar and x.shape[0] != 1:
        x = _cg.transpose(x)
    if y is not None:
        yy = _cg.asarray(y)
        yy = _cg.reshape(yy, (1, -1)) if yy.ndim < 2 else yy
        if not rowvar and yy.shape[0] != 1:
            yy = _cg.transpose(yy)
        x = _cg.concatenate([x, yy], axis=0)
    if dtype is not None:
        x = _cg.asarray(x, dtype=dtype)
    correction = ddof if ddof is not None else (0 if bias else 1)
    return _cg.cov(x, correction=correction, fweights=fweights, aweights=aweights)


def corrcoef(x: Any, y: Any = None, rowvar: builtins.bool = True, *, dtype: Any = None) -> Any:
    """NumPy's ``corrcoef``: Pearson coefficients of ``cov(x, y, rowvar)``, in [-1, 1]."""
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return _cg.divide(c, c)
    d = _cg.sqrt(_cg.diagonal(c))
    r = _cg.divide(_cg.divide(c, _cg.expand_dims(d, 1)), _cg.expand_dims(d, 0))
    return _cg.clip(r, -1, 1)


def select(condlist: Any, choicelist: Any, default: Any = 0) -> Any:
    """NumPy's ``select``: for each element, the choice of the first true condition, else
    ``default`` (differentiable in the choices and the default)."""
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"select: list of cases must be same length as list of conditions "
            f"({len(condlist)} conditions, {len(choicelist)} choices)"
        )
    if not condlist:
        raise ValueError("select: select with an empty condition list is not possible")
    out = _cg.asarray(default)
    for cond, choice in builtins.reversed(builtins.list(builtins.zip(condlist, choicelist))):
        c = _data(cond)
        if c.dtype != np.bool_:
            raise TypeError(
                f"select: invalid entry in condlist: should be boolean ndarray, got {c.dtype}"
            )
        out = _cg.where(c, choice, out)
    return out


def trapezoid(y: Any, x: Any = None, dx: Any = 1.0, axis: builtins.int = -1) -> Any:
    """NumPy's ``trapezoid``: the trapezoidal rule along ``axis`` at the points ``x``, or
    spaced ``dx``."""
    if x is not None:
        return _cg.trapezoid(y, x, dim=axis)
    return _cg.trapezoid(y, dx=dx, dim=axis)


def nanquantile(
    a: Any,
    q: Any,
    axis: Any = None,
    out: Any = None,
    overwrite_input: builtins.bool = False,
    method: str = "linear",
    keepdims: builtins.bool = False,
) -> Any:
    """NumPy's ``nanquantile``: quantiles ignoring NaN (``method`` one of linear, lower,
    higher, nearest, midpoint; ``out=`` is not supported)."""
    if out is not None:
        raise TypeError("nanquantile: out= is not supported (compgraph returns new tensors)")
    return _cg.nanquantile(a, q, axis, keepdims, interpolation=method)


def nanmedian(
    a: Any,
    axis: Any = None,
    out: Any = None,
    overwrite_input: builtins.bool = False,
    keepdims: builtins.bool = False,
) -> Any:
    """NumPy's ``nanmedian``: the median ignoring NaN, the mean of the two middle values
    for an even count (``cg.nanmedian`` is PyTorch's, the lower one)."""
    return nanquantile(a, 0.5, axis, out, keepdims=keepdims)


__all__ = [
    "fft",
    "linalg",
    "random",
    "ndarray",
    "pi",
    "e",
    "inf",
    "nan",
    "newaxis",
    "euler_gamma",
    "bool_",
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "int_",
    "uint",
    "intc",
    "intp",
    "float_",
    "complex_",
    "single",
    "double",
    "csingle",
    "cdouble",
    "half",
    "generic",
    "number",
    "integer",
    "signedinteger",
    "unsignedinteger",
    "inexact",
    "floating",
    "complexfloating",
    "character",
    "flexible",
    "object_",
    "dtype",
    "iinfo",
    "finfo",
    "issubdtype",
    "isscalar",
    "ComplexWarning",
    "where",
    "diff",
    "gradient",
    "histogram",
    "unique",
    "dot",
    "triu_indices",
    "tril_indices",
    "unravel_index",
    "cov",
    "corrcoef",
    "select",
    "trapezoid",
    "nanquantile",
    "nanmedian",
]


def _from_cg(name: str) -> builtins.bool:
    """Whether ``name`` is one of NumPy's (or jax.numpy's) names that cg has."""
    return (
        not name.startswith("_")
        and name not in _NOT_HERE
        and (hasattr(np, name) or name in _JAX_ONLY)
        and hasattr(_cg, name)
    )


def __getattr__(name: str) -> Any:
    """NumPy's other names: ``cg``'s object of that name (looked up now, so functions
    added to ``cg`` later are here too)."""
    if _from_cg(name):
        return getattr(_cg, name)
    raise AttributeError(f"module 'compgraph.numpy' has no attribute {name!r}")


def __dir__() -> list:
    return sorted(set(globals()) | {n for n in dir(_cg) if _from_cg(n)})
