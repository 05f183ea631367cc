"""The Python array API standard's namespace pieces that are not ops: dtypes, devices,
``__array_namespace_info__``, type promotion queries, constants, and the few standard
functions that are composites of the ops (``unique_*``, ``nonzero``, ``diff`` ...).

Dtypes are NumPy dtype objects (``cg.float32 == np.dtype("float32")``), so
``dtype=cg.float32`` works wherever NumPy's does.  PyTorch's aliases follow PyTorch:
``cg.float`` is float32, ``cg.double`` float64, ``cg.long`` int64, ``cg.int`` int32.
``float``, ``int`` and ``bool`` are attributes of ``compgraph`` only (not in
``__all__``), so ``from compgraph import *`` does not shadow Python's builtins.

>>> import compgraph as cg
>>> cg.ones(2, dtype=cg.float32).dtype == cg.float32
True
>>> cg.tensor([1.0]).device == "cpu"
True
"""

from __future__ import annotations

import builtins
import math
from typing import Any, NamedTuple

import numpy as np

from .ops.args import shape_of
from .ops.namespace import cg
from .ops.registry import defpublic
from .ops.spec import no

__all__ = [
    "__array_api_version__",
    "__array_namespace_info__",
    "DTYPES",
    "ALIASES",
    "Device",
    "device",
    "finfo",
    "iinfo",
    "can_cast",
    "result_type",
    "isdtype",
    "broadcast_shapes",
    "from_dlpack",
    "e",
    "inf",
    "nan",
    "pi",
    "newaxis",
    "nonzero",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
    "isin",
    "diff",
    "check_device",
    "CPU",
    "FInfo",
    "UniqueAllResult",
    "UniqueCountsResult",
    "UniqueInverseResult",
    "EigResult",
    "INTERNAL",
    # dtypes ("bool", "float", "int" are compgraph attributes, not exported by `*`)
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
    "double",
    "half",
    "long",
    "short",
    "cfloat",
    "cdouble",
]

__array_api_version__ = "2025.12"

# The standard's dtypes (and float16), as module attributes: `bool` shadows the builtin
# (and `float`, `int` below) in this module, which therefore writes builtins.bool.
_NAMES = (
    "bool int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64 "
    "complex64 complex128"
).split()
(
    bool,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
    float16,
    float32,
    float64,
    complex64,
    complex128,
) = (np.dtype(n) for n in _NAMES)
DTYPES: dict[str, np.dtype] = {n: np.dtype(n) for n in _NAMES}
# PyTorch's names (torch.float is float32, torch.int is int32, torch.cfloat complex64);
ALIASES: dict[str, np.dtype] = {
    "float": float32,
    "double": float64,
    "half": float16,
    "long": int64,
    "int": int32,
    "short": int16,
    "cfloat": complex64,
    "cdouble": complex128,
}
float, int, double, half, long, short, cfloat, cdouble = (
    float32,
    int32,
    float64,
    float16,
    int64,
    int16,
    complex64,
    complex128,
)

# Helpers and result types other modules use: in this module's __all__, not in cg's.
INTERNAL = ("DTYPES", "ALIASES", "check_device", "CPU", "INTERNAL")

e, inf, nan, pi, newaxis = math.e, math.inf, math.nan, math.pi, None

_KINDS = {
    "bool": "b",
    "signed integer": "i",
    "unsigned integer": "u",
    "integral": "iu",
    "real floating": "f",
    "complex floating": "c",
    "numeric": "iufc",
}


class Device:
    """A device, as ``torch.device``: compgraph computes on the CPU only, so the one
    device is ``cg.device("cpu")``, equal to the string ``"cpu"``."""

    __slots__ = ("type", "index")
    type: str
    index: builtins.int | None

    def __init__(self, type: Any = "cpu", index: builtins.int | None = None) -> None:
        name = str(type)
        kind, _, num = name.partition(":")
        if kind != "cpu":
            raise ValueError(f"device: compgraph runs on 'cpu' only, got {type!r}")
        self.type = "cpu"
        self.index = builtins.int(num) if num else index

    def __eq__(self, other: object) -> builtins.bool:
        if isinstance(other, str):
            return other.partition(":")[0] == self.type
        return isinstance(other, Device) and other.type == self.type

    def __hash__(self) -> builtins.int:
        return hash(self.type)

    def __repr__(self) -> str:
        return f"device(type={self.type!r})"

    def __str__(self) -> str:
        return self.type


device = Device
CPU = Device("cpu")


def check_device(dev: Any, where: str) -> None:
    """Raise unless ``dev`` (a creation function's ``device=``) is None or the CPU."""
    if dev is not None and Device(dev) != CPU:
        raise ValueError(f"{where}: compgraph runs on 'cpu' only, got device={dev!r}")


class _Info:
    """What ``cg.__array_namespace_info__()`` returns: the standard's inspection API."""

    __module__ = "compgraph"

    def capabilities(self) -> dict:
        """Optional features: boolean indexing and data-dependent shapes are supported."""
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}

    def default_device(self) -> Device:
        """The CPU."""
        return CPU

    def devices(self) -> tuple:
        """The devices compgraph computes on: the CPU."""
        return (CPU,)

    def default_dtypes(self, *, device: Any = None) -> dict:
        """The dtypes creation functions choose (NumPy's: float64, complex128, int64)."""
        check_device(device, "default_dtypes")
        d = DTYPES
        ints = d["int64"]
        return {
            "real floating": d["float64"],
            "complex floating": d["complex128"],
            "integral": ints,
            "indexing": ints,
        }

    def dtypes(self, *, device: Any = None, kind: Any = None) -> dict:
        """The standard's dtypes of ``kind`` (a kind name, a tuple of them, or None)."""
        check_device(device, "dtypes")
        return {
            n: d for n, d in DTYPES.items() if n != "float16" and (kind is None or isdtype(d, kind))
        }


def __array_namespace_info__() -> _Info:
    """The array API standard's inspection object (devices, dtypes, capabilities)."""
    return _Info()


def _dtype(x: Any) -> np.dtype:
    """The dtype of an array, a Tensor or a dtype."""
    d = getattr(x, "dtype", None)
    return np.dtype(x if d is None or isinstance(x, (type, np.dtype)) else d)


class FInfo(NamedTuple):
    """Machine limits of a floating dtype, as Python numbers (the array API's ``finfo``)."""

    bits: builtins.int
    eps: builtins.float
    max: builtins.float
    min: builtins.float
    smallest_normal: builtins.float
    tiny: builtins.float
    resolution: builtins.float
    dtype: np.dtype


def finfo(type: Any, /) -> FInfo:
    """Machine limits of a floating or complex dtype (or of an array's dtype)."""
    f = np.finfo(_dtype(type))
    eps, hi, lo, normal, tiny, res = (
        builtins.float(v) for v in (f.eps, f.max, f.min, f.smallest_normal, f.tiny, f.resolution)
    )
    return FInfo(f.bits, eps, hi, lo, normal, tiny, res, f.dtype)


def iinfo(type: Any, /) -> Any:
    """Machine limits of an integer dtype (or of an array's dtype), NumPy's ``iinfo``."""
    return np.iinfo(_dtype(type))


def can_cast(from_: Any, to: Any, /) -> builtins.bool:
    """Whether ``from_`` (a dtype or an array) casts to ``to`` under safe casting."""
    return builtins.bool(np.can_cast(_dtype(from_), _dtype(to)))


def result_type(*arrays_and_dtypes: Any) -> np.dtype:
    """The dtype type promotion gives (Python scalars are weak, as NumPy 2's NEP 50)."""
    args = [
        a if isinstance(a, (builtins.int, builtins.float, complex)) else _dtype(a)
        for a in arrays_and_dtypes
    ]
    if not args:
        raise ValueError("result_type: at least one array or dtype is required")
    return np.result_type(*args)


def isdtype(dtype: Any, kind: Any) -> builtins.bool:
    """Whether ``dtype`` is of ``kind``: a dtype, a kind name ("real floating",
    "integral", ...) or a tuple of them, as the array API's ``isdtype``."""
    if isinstance(kind, tuple):
        return any(isdtype(dtype, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"isdtype: unknown kind {kind!r}; expected one of {list(_KINDS)}")
        return np.dtype(dtype).kind in _KINDS[kind]
    return np.dtype(dtype) == np.dtype(kind)


def broadcast_shapes(*shapes: Any) -> tuple:
    """The shape that broadcasting the given shapes together gives."""
    return np.broadcast_shapes(*shapes)


def from_dlpack(x: Any, /, *, device: Any = None, copy: Any = None) -> Any:
    """A Tensor sharing the memory of a DLPack-exporting array (through NumPy)."""
    check_device(device, "from_dlpack")
    return cg.asarray(np.from_dlpack(x, copy=copy))


_NOT: dict[str, Any] = dict(
    method=no("a function of the array API"), cli=no("data-dependent shapes")
)


def _gather(x: Any, flat_index: np.ndarray) -> Any:
    # Values picked out of x by flat index: the gradient flows to the elements picked.
    return cg.take(cg.reshape(x, (-1,)), cg.asarray(flat_index))


@defpublic(numpy=np.nonzero, **_NOT)
def nonzero(x: Any, /) -> tuple:
    """The indices of the nonzero elements, one int64 array per axis (0-d input raises,
    as the standard says)."""
    arr = np.asarray(x)
    if arr.ndim == 0:
        raise ValueError("nonzero: a 0-d array has no indices; use x[None] or atleast_1d")
    return tuple(cg.asarray(i) for i in np.nonzero(arr))


class UniqueAllResult(NamedTuple):
    """``cg.unique_all``'s result."""

    values: Any
    indices: Any
    inverse_indices: Any
    counts: Any


class UniqueCountsResult(NamedTuple):
    """``cg.unique_counts``'s result."""

    values: Any
    counts: Any


class UniqueInverseResult(NamedTuple):
    """``cg.unique_inverse``'s result."""

    values: Any
    inverse_indices: Any


def _unique(x: Any) -> tuple:
    # NumPy's unique of the flattened values; NaNs are distinct, as the standard wants.
    arr = np.asarray(x).reshape(-1)
    vals, first, inverse, counts = np.unique(
        arr, return_index=True, return_inverse=True, return_counts=True, equal_nan=False
    )
    return vals, first, inverse.reshape(np.shape(x)), counts


@defpublic(numpy=no("NumPy's unique_all returns its own tuple type"), **_NOT)
def unique_all(x: Any, /) -> UniqueAllResult:
    """``(values, indices, inverse_indices, counts)`` of the sorted distinct values;
    ``values`` carries the gradient to the first occurrence of each."""
    _, first, inverse, counts = _unique(x)
    vals = _gather(x, first)
    return UniqueAllResult(vals, cg.asarray(first), cg.asarray(inverse), cg.asarray(counts))


@defpublic(numpy=no("NumPy's unique_counts returns its own tuple type"), **_NOT)
def unique_counts(x: Any, /) -> UniqueCountsResult:
    """``(values, counts)`` of the sorted distinct values."""
    _, first, _, counts = _unique(x)
    return UniqueCountsResult(_gather(x, first), cg.asarray(counts))


@defpublic(numpy=no("NumPy's unique_inverse returns its own tuple type"), **_NOT)
def unique_inverse(x: Any, /) -> UniqueInverseResult:
    """``(values, inverse_indices)``: ``values[inverse_indices]`` rebuilds ``x``."""
    _, first, inverse, _ = _unique(x)
    return UniqueInverseResult(_gather(x, first), cg.asarray(inverse))


@defpublic(numpy=np.unique_values, **_NOT)
def unique_values(x: Any, /) -> Any:
    """The sorted distinct values (flattened)."""
    return _gather(x, _unique(x)[1])


@defpublic(numpy=np.isin, **_NOT)
def isin(x1: Any, x2: Any, /, *, invert: builtins.bool = False) -> Any:
    """Whether each element of ``x1`` is in ``x2`` (a bool array of ``x1``'s shape)."""
    return cg.asarray(np.isin(np.asarray(x1), np.asarray(x2), invert=invert))


@defpublic(numpy=np.diff, method=no("a function of the array API"), cli=no("several outputs"))
def diff(
    x: Any,
    /,
    n: builtins.int = 1,
    *,
    axis: builtins.int = -1,
    prepend: Any = None,
    append: Any = None,
) -> Any:
    """The ``n``-th forward difference along ``axis`` (``prepend``/``append`` joined
    first), a composite of slicing and subtraction."""
    if n < 0:
        raise ValueError(f"diff: order n must be non-negative, got {n}")
    shape = shape_of(x)
    if not shape:
        raise ValueError(f"diff: needs an input of known shape with a dimension, got {shape}")
    ax = axis % len(shape)
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        full = list(shape)
        parts = [
            cg.broadcast_to(p, tuple(full[:ax]) + (1,) + tuple(full[ax + 1 :]))
            if np.ndim(p) == 0
            else p
            for p in parts
        ]
        x = cg.concat(parts, axis=ax)
    lo = (slice(None),) * ax + (slice(1, None),)
    hi = (slice(None),) * ax + (slice(None, -1),)
    for _ in range(n):
        x = x[lo] - x[hi]
    return x


class EigResult(NamedTuple):
    """``cg.linalg.eig``'s result."""

    eigenvalues: Any
    eigenvectors: Any


def _eig(x: Any, where: str, vectors: builtins.bool) -> Any:
    # Forward values only: eig of a general matrix has no gradient rule here yet (its
    # eigenvectors' phases and near-degenerate spectra need care); refuse rather than
    # return a silently disconnected result.
    if getattr(x, "requires_grad", False) or getattr(x, "_tan", None) is not None:
        raise TypeError(
            f"{where}: no gradient rule for general matrices yet; for symmetric or "
            f"Hermitian ones use cg.linalg.eigh/eigvalsh, or cut the graph with stop_gradient"
        )
    arr = np.asarray(x)
    if arr.ndim < 2 or arr.shape[-1] != arr.shape[-2]:
        raise ValueError(f"{where}: needs square matrices (..., n, n), got shape {arr.shape}")
    ct = np.result_type(arr.dtype, np.complex64)  # complex results, as the standard says
    out = np.linalg.eig(arr) if vectors else (np.linalg.eigvals(arr),)
    return tuple(cg.asarray(o.astype(ct, copy=False)) for o in out)


@defpublic(name="eig", names=("linalg.eig",), numpy=np.linalg.eig, **_NOT)
def _linalg_eig(x: Any, /) -> EigResult:
    """Eigenvalues and right eigenvectors of general square matrices (complex results;
    values only: no gradient rule yet)."""
    return EigResult(*_eig(x, "linalg.eig", True))


@defpublic(name="eigvals", names=("linalg.eigvals",), numpy=np.linalg.eigvals, **_NOT)
def _linalg_eigvals(x: Any, /) -> Any:
    """Eigenvalues of general square matrices (complex; values only: no gradient rule yet)."""
    return _eig(x, "linalg.eigvals", False)[0]
