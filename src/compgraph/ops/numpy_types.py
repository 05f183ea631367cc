"""More of NumPy's functions, continued from :mod:`.numpy_more`: conversions
(``asanyarray require asarray_chkfinite copyto`` ...), queries of arrays and dtypes
(``array_equal isscalar ndim issubdtype common_type shares_memory`` ...), index helpers
(``ravel_multi_index einsum_path ndindex ndenumerate``) and number formatting
(``base_repr binary_repr``).

A Tensor has no memory layout (it is always contiguous, aligned and writeable), so the
layout conversions are ``asarray``; none of NumPy's conversions dispatch on other array
types (``np.asanyarray(tensor)`` gives an ndarray), so only ``cg.<name>`` reaches these.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .args import is_symbolic
from .manip import known_shape
from .namespace import cg
from .registry import defpublic
from .spec import no

__all__ = [
    "copyto",
    "ravel_multi_index",
    "isfortran",
    "einsum_path",
    "base_repr",
    "binary_repr",
    "ndindex",
    "ndenumerate",
    "asanyarray",
    "ascontiguousarray",
    "asfortranarray",
    "asarray_chkfinite",
    "require",
    "array_equal",
    "array_equiv",
    "isscalar",
    "iterable",
    "ndim",
    "issubdtype",
    "min_scalar_type",
    "common_type",
    "mintypecode",
    "may_share_memory",
    "shares_memory",
]

_CLI = no("takes several arguments or arrays; the command line calls one-argument functions")
_NODISPATCH = no("NumPy's function of this name does not dispatch on other array types")


def _t(x: Any) -> Any:
    return x if is_symbolic(x) or hasattr(x, "requires_grad") else cg.asarray(x)


def _values(x: Any, where: str) -> np.ndarray:
    if is_symbolic(x):
        raise TypeError(
            f"{where}: computed from the input's values, which a static graph does not "
            f"have yet; call it outside cg.function"
        )
    if hasattr(x, "requires_grad"):
        return np.asarray(cg.stop_gradient(x))
    return np.asarray(x)


def _dtype(x: Any) -> np.dtype:
    return np.dtype(x.dtype)


@defpublic(method=no("a conversion function"), numpy=_NODISPATCH, cli=no("a conversion"))
def asanyarray(a: Any, dtype: Any = None, order: Any = None, *, device: Any = None,
               copy: Any = None, like: Any = None) -> Any:  # fmt: skip
    """``a`` as a Tensor (itself when it is one of ``dtype``; NumPy's ``np.asanyarray``)."""
    return cg.asarray(a, dtype, device=device, copy=copy)


@defpublic(method=no("a conversion function"), numpy=_NODISPATCH, cli=no("a conversion"))
def ascontiguousarray(a: Any, dtype: Any = None, *, like: Any = None) -> Any:
    """``a`` as a Tensor of ``dtype`` (a Tensor has no memory layout, so this is
    ``asarray``; NumPy's ``np.ascontiguousarray``)."""
    return cg.asarray(a, dtype)


@defpublic(method=no("a conversion function"), numpy=_NODISPATCH, cli=no("a conversion"))
def asfortranarray(a: Any, dtype: Any = None, *, like: Any = None) -> Any:
    """``a`` as a Tensor of ``dtype`` (a Tensor has no memory layout, so this is
    ``asarray``; NumPy's ``np.asfortranarray``)."""
    return cg.asarray(a, dtype)


@defpublic(method=no("a conversion function"), numpy=_NODISPATCH, cli=no("a conversion"))
def asarray_chkfinite(a: Any, dtype: Any = None, order: Any = None) -> Any:
    """``a`` as a Tensor, refusing infinities and NaNs (NumPy's
    ``np.asarray_chkfinite``)."""
    t = cg.asarray(a, dtype)
    v = _values(t, "asarray_chkfinite")
    if v.dtype.kind in "fc" and not np.isfinite(v).all():
        raise ValueError("asarray_chkfinite: array must not contain infs or NaNs")
    return t


_REQUIREMENTS = {"C", "F", "A", "W", "O", "E", "CONTIGUOUS", "C_CONTIGUOUS", "F_CONTIGUOUS",
                 "FORTRAN", "FORTRAN_CONTIGUOUS", "ALIGNED", "WRITEABLE", "OWNDATA",
                 "ENSUREARRAY"}  # fmt: skip


@defpublic(method=no("a conversion function"), numpy=_NODISPATCH, cli=no("a conversion"))
def require(a: Any, dtype: Any = None, requirements: Any = None, *, like: Any = None) -> Any:
    """``a`` as a Tensor of ``dtype`` meeting ``requirements`` (a Tensor is always
    contiguous, aligned and writeable; ``'O'`` gives a copy; NumPy's ``np.require``)."""
    reqs = list(requirements or [])
    upper = {r.upper() for r in reqs}
    if not upper <= _REQUIREMENTS:
        raise KeyError(f"require: unknown requirements {sorted(upper - _REQUIREMENTS)}")
    if {"C", "CONTIGUOUS", "C_CONTIGUOUS"} & upper and {"F", "FORTRAN", "F_CONTIGUOUS",
                                                        "FORTRAN_CONTIGUOUS"} & upper:  # fmt: skip
        raise ValueError("require: Cannot specify both C and Fortran contiguous.")
    t = cg.asarray(a, dtype)
    return cg.array(t, copy=True) if {"O", "OWNDATA"} & upper and t is a else t


# ------------------------------------------------------------------ queries
@defpublic(method=no("a query of two arrays"), numpy=np.array_equal, cli=_CLI)
def array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> bool:
    """True when the arrays have one shape and equal elements (NaNs equal with
    ``equal_nan``; NumPy's ``np.array_equal``)."""
    return bool(np.array_equal(_values(a1, "array_equal"), _values(a2, "array_equal"),
                               equal_nan=equal_nan))  # fmt: skip


@defpublic(method=no("a query of two arrays"), numpy=np.array_equiv, cli=_CLI)
def array_equiv(a1: Any, a2: Any) -> bool:
    """True when the arrays broadcast together and are equal everywhere (NumPy's
    ``np.array_equiv``)."""
    return bool(np.array_equiv(_values(a1, "array_equiv"), _values(a2, "array_equiv")))


@defpublic(method=no("a query"), numpy=_NODISPATCH, cli=no("a query"))
def isscalar(element: Any) -> bool:
    """True for a Python or NumPy scalar (a Tensor, even 0-d, is not one; NumPy's
    ``np.isscalar``)."""
    return bool(np.isscalar(element))


@defpublic(method=no("a query"), numpy=_NODISPATCH, cli=no("a query"))
def iterable(y: Any) -> bool:
    """True when ``iter(y)`` works (a 0-d Tensor is not iterable; NumPy's
    ``np.iterable``)."""
    if hasattr(y, "requires_grad") or is_symbolic(y):
        return y.ndim is None or y.ndim > 0
    return bool(np.iterable(y))


@defpublic(method=no("ndarray.ndim is an attribute"), numpy=np.ndim, cli=no("a query"))
def ndim(a: Any) -> int:
    """The number of dimensions of ``a`` (NumPy's ``np.ndim``)."""
    if hasattr(a, "requires_grad") or is_symbolic(a):
        return len(known_shape(a, "ndim"))
    return int(np.ndim(a))


def _dtype_of(x: Any) -> Any:
    d = getattr(x, "dtype", None)
    return np.dtype(d) if d is not None and hasattr(x, "requires_grad") else x


@defpublic(method=no("a query of dtypes"), numpy=_NODISPATCH,
           cli=no("a query"))  # fmt: skip
def issubdtype(arg1: Any, arg2: Any) -> bool:
    """True when ``arg1`` is ``arg2`` or below it in NumPy's type hierarchy (NumPy's
    ``np.issubdtype``; a Tensor stands for its dtype)."""
    return bool(np.issubdtype(_dtype_of(arg1), _dtype_of(arg2)))


@defpublic(method=no("a query of dtypes"), numpy=np.min_scalar_type, cli=no("a query"))
def min_scalar_type(a: Any, /) -> np.dtype:
    """The smallest dtype that holds ``a`` (by value for a 0-d Tensor; NumPy's
    ``np.min_scalar_type``)."""
    return np.min_scalar_type(_values(a, "min_scalar_type") if hasattr(a, "requires_grad") else a)


@defpublic(method=no("a query of dtypes"), numpy=np.common_type, cli=no("a query"))
def common_type(*arrays: Any) -> type:
    """The inexact scalar type all ``arrays`` convert to (NumPy's ``np.common_type``)."""
    return np.common_type(*[np.empty(0, _dtype(_t(a))) for a in arrays])


@defpublic(method=no("a query of dtypes"), numpy=_NODISPATCH,
           cli=no("a query"))  # fmt: skip
def mintypecode(typechars: Any, typeset: str = "GDFgdf", default: str = "d") -> str:
    """The type character of ``typeset`` all ``typechars`` convert to safely (NumPy's
    ``np.mintypecode``)."""
    chars = [np.dtype(c.dtype).char if hasattr(c, "requires_grad") else c for c in typechars]
    return np.mintypecode(chars, typeset, default)


def _memory(x: Any, where: str) -> Any:
    if hasattr(x, "requires_grad"):
        if is_symbolic(x):
            raise TypeError(f"{where}: a static-graph value has no memory yet")
        return x.numpy()
    return x


@defpublic(method=no("a query of two arrays"), numpy=np.may_share_memory, cli=_CLI)
def may_share_memory(a: Any, b: Any, /, max_work: Any = 0) -> bool:
    """Whether ``a`` and ``b`` might share memory, by the bounds of their buffers (a
    Tensor's buffer is its array; NumPy's ``np.may_share_memory``)."""
    return bool(np.may_share_memory(_memory(a, "may_share_memory"),
                                    _memory(b, "may_share_memory"), max_work=max_work))  # fmt: skip


@defpublic(method=no("a query of two arrays"), numpy=np.shares_memory, cli=_CLI)
def shares_memory(a: Any, b: Any, /, max_work: Any = -1) -> bool:
    """Whether ``a`` and ``b`` share memory (a Tensor's buffer is its array; NumPy's
    ``np.shares_memory``)."""
    return bool(np.shares_memory(_memory(a, "shares_memory"), _memory(b, "shares_memory"),
                                 max_work=max_work))  # fmt: skip


def _dummy(x: Any) -> Any:
    """An uninitialised ndarray of ``x``'s shape and dtype (for NumPy's checks of shapes
    and casting rules, which read no values); Python numbers stay themselves."""
    if isinstance(x, (bool, int, float, complex)):
        return x
    t = _t(x)
    return np.empty(known_shape(t, "copyto"), _dtype(t))


@defpublic(method=no("NumPy has no ndarray.copyto"), numpy=np.copyto,
           cli=no("changes its argument in place"))  # fmt: skip
def copyto(dst: Any, src: Any, casting: Any = "same_kind", where: Any = True) -> None:
    """Copy ``src`` (broadcast, cast under ``casting``) into ``dst`` where ``where`` is
    true, in place; returns None (NumPy's ``np.copyto``).  A Tensor ``dst`` changes as
    by item assignment: torch's in-place rules (the graph records it, gradients reach
    ``src``; a leaf that requires grad refuses)."""
    mask = where if isinstance(where, bool) else _values(where, "copyto").astype(bool)
    if isinstance(dst, np.ndarray):
        np.copyto(dst, _values(src, "copyto") if hasattr(src, "requires_grad") else src,
                  casting=casting, where=mask)  # fmt: skip
        return None
    if is_symbolic(dst) or not hasattr(dst, "requires_grad"):
        raise TypeError(f"copyto: expected an ndarray or a Tensor to change, got {type(dst)}")
    shape, dt = known_shape(dst, "copyto"), _dtype(dst)
    # NumPy's own checks of the casting rule and the broadcast, on stand-ins.
    np.copyto(np.empty(shape, dt), _dummy(src), casting=casting, where=mask)
    value = cg.broadcast_to(cg.asarray(src, dt) if not hasattr(src, "requires_grad")
                            else cg.astype(src, dt), shape)  # fmt: skip
    full = np.broadcast_to(mask, shape)
    if full.all():
        dst[...] = value
    elif full.any():
        dst[full] = value[full]
    return None


@defpublic(method=no("builds indices"), numpy=np.ravel_multi_index, cli=no("builds indices"))
def ravel_multi_index(multi_index: Any, dims: Any, mode: Any = "raise", order: Any = "C") -> Any:
    """The flat indices of the index arrays ``multi_index`` into an array of shape
    ``dims`` (NumPy's ``np.ravel_multi_index``)."""
    idx = tuple(_values(i, "ravel_multi_index") for i in multi_index)
    return cg.asarray(np.ravel_multi_index(idx, tuple(dims), mode=mode, order=order))


@defpublic(method=no("a query"), numpy=_NODISPATCH, cli=no("a query"))
def isfortran(a: Any) -> bool:
    """True for a Fortran-ordered, not C-ordered ndarray; False for a Tensor, which has
    no memory layout (NumPy's ``np.isfortran``)."""
    return bool(np.isfortran(a)) if isinstance(a, np.ndarray) else False


@defpublic(method=no("plans a contraction"), numpy=np.einsum_path, cli=no("plans a contraction"))
def einsum_path(subscripts: Any, *operands: Any, optimize: Any = "greedy",
                einsum_call: bool = False) -> Any:  # fmt: skip
    """``(path, description)``: the order in which ``einsum`` would contract the
    operands (from their shapes; NumPy's ``np.einsum_path``)."""
    ops: list[Any] = [_dummy(o) if not isinstance(o, (str, list)) else o for o in operands]
    call: Any = einsum_call
    return np.einsum_path(subscripts, *ops, optimize=optimize, einsum_call=call)


@defpublic(method=no("formats a number"), numpy=_NODISPATCH, cli=no("formats a number"))
def base_repr(number: Any, base: int = 2, padding: int = 0) -> str:
    """The string of the integer ``number`` in ``base`` (NumPy's ``np.base_repr``)."""
    n = int(_values(number, "base_repr")) if hasattr(number, "requires_grad") else number
    return np.base_repr(n, base, padding)


@defpublic(method=no("formats a number"), numpy=_NODISPATCH, cli=no("formats a number"))
def binary_repr(num: Any, width: int | None = None) -> str:
    """The binary string of the integer ``num`` (two's complement in ``width`` bits for
    negatives; NumPy's ``np.binary_repr``)."""
    n = int(_values(num, "binary_repr")) if hasattr(num, "requires_grad") else num
    return np.binary_repr(n, width)


@defpublic(method=no("an iterator"), numpy=_NODISPATCH, cli=no("an iterator"))
def ndindex(*shape: Any) -> Any:
    """An iterator over the index tuples of an array of ``shape`` in C order (NumPy's
    ``np.ndindex``)."""
    return np.ndindex(*shape)


@defpublic(method=no("an iterator"), numpy=_NODISPATCH, cli=no("an iterator"))
def ndenumerate(arr: Any) -> Iterator[tuple]:
    """``(index, element)`` pairs of ``arr`` in C order; the elements are 0-d Tensors
    (differentiable), where NumPy's ``np.ndenumerate`` gives scalars."""
    t = _t(arr)
    for ind in np.ndindex(*known_shape(t, "ndenumerate")):
        yield ind, t[ind]


for _f in (
    copyto, ravel_multi_index, isfortran, einsum_path, base_repr, binary_repr, ndindex,
    ndenumerate,
    asanyarray, ascontiguousarray, asfortranarray, asarray_chkfinite, require, array_equal,
    array_equiv, isscalar, iterable, ndim, issubdtype, min_scalar_type, common_type,
    mintypecode, may_share_memory, shares_memory,
):  # fmt: skip
    _f.__module__ = "compgraph"
del _f
