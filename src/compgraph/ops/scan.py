"""Products, scans and sorting (prod, cumsum, cumprod, sort, argsort, searchsorted) and
the statistics written with them and the reductions (var, std, median, quantile, the
nan- reductions, ptp, average, count_nonzero, the array API's cumulative_sum/prod).

Gradients follow PyTorch: prod and cumprod are exact where inputs are zero, to second
order (the rules split each product into its nonzero factors, differentiable, and the
zeros, whose first-order terms they keep); sort, median and quantile send the gradient
to the selected elements, tied values in their stable sorted order.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .args import is_symbolic, ndim_of, normalize_axis, one_axis, plain, shape_of
from .batch import shift_axes, shifted
from .manip import cg, known_shape
from .meta import Meta, same_dtype, same_shape
from .reduce import (
    keep_reduced,
    no_out,
    reduce_onnx,
    reduced_shape,
    sum_dtype,
    sum_prepare,
)
from .registry import defop, defpublic
from .spec import Onnx, no

__all__ = [
    "PROD", "CUMSUM", "CUMPROD", "SORT", "ARGSORT", "PERMUTE_ALONG", "SEARCHSORTED",
    "var", "std", "nanvar", "nanstd", "nansum", "nanprod", "nanmean", "nanmax", "nanmin",
    "quantile", "percentile", "median", "ptp", "average", "count_nonzero",
    "cumulative_sum", "cumulative_prod",
]  # fmt: skip

_CLI = no("takes axes; the command line calls one-argument functions of numbers")
_NODIFF = no("not differentiable")
_INT = no("integer results: no gradient")
_LOOP = no("zero-aware masks per slice: the rule runs once per direction")


def _int64(metas: Any, **attrs: Any) -> np.dtype:
    return np.dtype(np.int64)


# --------------------------------------------------------------------------- prod
def _others(ns: Any, x: Any, axis: Any) -> Any:
    """For each element, the product of the others in its slice (keepdims shape).

    Zeros are split off: ``u`` (x with zeros as 1) gives ``prod(u) / u``, and an element
    with one zero among the others gets ``prod(u) / u`` times that zero's value (0, whose
    derivative is the product of the rest), so the second derivative is exact too."""
    z = x == 0
    u = ns.where(z, 1, x)
    q = ns.prod(u, axis=axis, keepdims=True) / u
    rest = ns.sum(z, axis=axis, keepdims=True) - z  # zeros among the others
    xz = ns.where(z, x, 0)
    other = ns.sum(xz, axis=axis, keepdims=True) - xz  # the other zero, when one
    return ns.where(rest == 0, q, ns.where(rest == 1, q * other, 0))


def _prod_vjp(ns, g, out, x, axis=None, keepdims=False, acc=None):
    if not keepdims:
        g = keep_reduced(ns, g, x, axis)
    return g * _others(ns, x, axis)


def _prod_jvp(ns, t, out, x, axis=None, keepdims=False, acc=None):
    return ns.sum(t * _others(ns, x, axis), axis=axis, keepdims=keepdims)


PROD = defop(
    "prod",
    lambda x, axis=None, keepdims=False, acc=None: np.multiply.reduce(
        x, axis=axis, keepdims=keepdims, dtype=acc
    ),
    shape=reduced_shape("prod"),
    dtype=sum_dtype,
    vjp=(_prod_vjp,),
    jvp=(_prod_jvp,),
    saves=((0,),),
    deriv=("product of the other elements",),
    doc="Product over ``axis``, accumulated in ``dtype``; exact gradients where elements "
    "are zero (PyTorch's).",
    prepare=sum_prepare("prod", 1),
    method="prod",
    numpy=np.prod,
    cli=_CLI,
    onnx=Onnx(reduce_onnx("ReduceProd"), cast_input=True),
    batch=_LOOP,
)


# --------------------------------------------------------------------------- scans
def _shift_in(a: Any, axis: int, init: float, reverse: bool) -> Any:
    """``a`` moved one place along ``axis`` (towards the end, or the start when
    ``reverse``), ``init`` in the freed place: a scan of it is TensorFlow's exclusive one."""
    nd = ndim_of(a)
    if nd is None:
        raise ValueError("cumsum/cumprod: exclusive=True needs the number of dimensions")
    width = [(0, 0)] * nd
    width[axis] = (0, 1) if reverse else (1, 0)
    index: list = [slice(None)] * nd
    index[axis] = slice(1, None) if reverse else slice(0, -1)
    return cg.pad(a, width, constant_values=init)[tuple(index)]


def _scan_prepare(fname: str) -> Any:
    init = 0 if fname == "cumsum" else 1

    def prepare(
        a: Any,
        axis: Any = None,
        dtype: Any = None,
        out: Any = None,
        *,
        exclusive: Any = None,
        reverse: Any = None,
        name: Any = None,
    ) -> tuple:
        no_out(fname, out)
        tf = exclusive is not None or reverse is not None
        if axis is None and tf:  # TensorFlow's default axis
            axis = 0
        if axis is None:  # of the flattened array
            a, axis = (a if ndim_of(a) == 1 else cg.reshape(a, (-1,))), 0
        ax = one_axis(axis, ndim_of(a), fname, shape_of(a))
        attrs: dict = {"axis": ax}
        if dtype is not None:
            attrs["acc"] = dtype = np.dtype(dtype)
            if dtype.kind not in "fc":
                a = cg.stop_gradient(a)
        finish = None
        if tf:
            exclusive, reverse = bool(exclusive), bool(reverse)
            if reverse and fname == "cumsum":
                attrs["reverse"] = True  # (the op scans from the end itself)
            elif reverse:
                a = cg.flip(a, axis=ax)
                finish = lambda r: cg.flip(r, axis=ax)  # noqa: E731
                reverse = False
            if exclusive:
                a = _shift_in(a, ax, init, reverse)
        return ((a,), attrs, finish) if fname == "cumprod" else ((a,), attrs)

    prepare.__name__ = fname
    prepare.__doc__ = (
        f"NumPy's ``{fname}(a, axis=None, dtype=None)`` (the flattened array when ``axis`` "
        f"is None), and TensorFlow's keywords ``exclusive`` (each element leaves itself "
        f"out: the first result is {init}) and ``reverse`` (scans from the end); with "
        f"either given, ``axis`` defaults to TensorFlow's 0."
    )
    prepare.finishes = fname == "cumprod"  # type: ignore[attr-defined]
    return prepare


def _cumsum(x, axis, acc=None, reverse=False):
    if not reverse:
        return np.cumsum(x, axis, acc)
    return np.flip(np.cumsum(np.flip(x, axis), axis, acc), axis)  # (its gradient)


def _cumsum_onnx(b, n, ins, out):
    axis = b.const(np.int64(n.attrs["axis"]))
    b.add("CumSum", [ins[0], axis], out, reverse=int(bool(n.attrs.get("reverse"))))


CUMSUM = defop(
    "cumsum",
    _cumsum,
    linear=True,
    shape=same_shape,
    dtype=sum_dtype,
    vjp=(
        lambda ns, g, out, x, axis, acc=None, reverse=False: ns.cumsum(
            g, axis=axis, reverse=not reverse
        ),
    ),
    saves=((),),
    deriv=("1 (summed from the end)",),
    doc="Cumulative sum along ``axis`` (of the flattened array when None), in ``dtype``.",
    prepare=_scan_prepare("cumsum"),
    method="cumsum",
    numpy=np.cumsum,
    cli=_CLI,
    onnx=Onnx(_cumsum_onnx, cast_input=True),
    batch=lambda op, prims, tins, out, attrs, k: shifted(
        op, tins[0], attrs, axis=shift_axes(attrs["axis"], np.ndim(prims[0]))
    ),
)


def _zero_parts(ns: Any, x: Any, axis: Any) -> tuple:
    """The zeros ``z`` of x, their running count ``zc`` and x with zeros as 1."""
    z = x == 0
    return z, ns.cumsum(z, axis=axis), ns.where(z, 1, x)


def _cumprod_vjp(ns, g, out, x, axis, acc=None):
    # x_i's gradient sums g_k * prod(x_j, j <= k, j != i) over k >= i: with u (x, zeros
    # as 1) that is cumprod(u)_k / u_i where no zero is left among the j, and the same
    # times the one zero left (value 0, derivative kept) where one is.
    z, zc, u = _zero_parts(ns, x, axis)
    a = g * ns.cumprod(u, axis=axis)
    r0, r1, r2 = (ns.cumsum(ns.where(zc == k, a, 0), axis=axis, reverse=True) for k in range(3))
    xz = ns.where(z, x, 0)
    f1, f2 = (ns.sum(ns.where(zc == k, xz, 0), axis=(axis,), keepdims=True) for k in (1, 2))
    other = ns.where(z & (zc == 1), f2, f1)  # the zero among the j when one is left
    return (ns.where(z, r1, r0) + ns.where(z, r2, r1) * other) / u


def _cumprod_jvp(ns, t, out, x, axis, acc=None):
    z, zc, u = _zero_parts(ns, x, axis)
    c = ns.cumsum(ns.where(z, 0, t / u), axis=axis)  # nonzero factors' tangents
    tz = ns.where(z, t, 0)
    s = ns.cumsum(tz, axis=axis)  # the zeros' tangents
    xs = ns.cumsum(ns.where(z, x, 0), axis=axis)  # (value 0: their first-order terms)
    r = ns.where(zc == 0, c, 0) + ns.where(zc == 1, s + c * xs, 0)
    r = r + ns.where(zc == 2, s * xs - ns.cumsum(tz * x, axis=axis), 0)
    return ns.cumprod(u, axis=axis) * r


CUMPROD = defop(
    "cumprod",
    lambda x, axis, acc=None: np.cumprod(x, axis, acc),
    shape=same_shape,
    dtype=sum_dtype,
    vjp=(_cumprod_vjp,),
    jvp=(_cumprod_jvp,),
    saves=((0,),),
    deriv=("products of the earlier elements but this one",),
    doc="Cumulative product along ``axis`` (of the flattened array when None), in "
    "``dtype``; exact gradients where elements are zero (PyTorch's).",
    prepare=_scan_prepare("cumprod"),
    method="cumprod",
    numpy=np.cumprod,
    cli=_CLI,
    onnx=no("ONNX has no cumulative product"),
    batch=_LOOP,
)


# --------------------------------------------------------------------------- sorting
_KINDS = (None, "quicksort", "mergesort", "heapsort", "stable")


def _sort_args(name: str, a: Any, axis: Any, kind: Any, order: Any, stable: Any) -> tuple:
    if order is not None:
        raise ValueError(f"{name}: order= sorts structured arrays; compgraph has none")
    if kind not in _KINDS:
        raise ValueError(f"{name}: kind must be one of {_KINDS[1:]}, got {kind!r}")
    if kind is not None and stable is not None:
        raise ValueError(
            f"{name}: `kind` and `stable` parameters can't be provided at the "
            "same time. Use only one of them."
        )
    if axis is None:  # of the flattened array
        a, axis = cg.reshape(a, (-1,)), 0
    return a, one_axis(axis, ndim_of(a), name, shape_of(a))


def _direction(name: str, kind: Any, direction: Any, descending: Any) -> tuple:
    """TensorFlow's ``direction`` (also in ``kind``'s place, as ``tf.sort(x, -1,
    "DESCENDING")``) as ``(kind, descending, given)``."""
    if kind in ("ASCENDING", "DESCENDING"):
        if direction is not None:
            raise TypeError(f"{name}: got direction twice ({kind!r} and {direction!r})")
        kind, direction = None, kind
    if direction is None:
        return kind, bool(descending), False
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError(
            f"{name}: direction should be one of 'ASCENDING' or 'DESCENDING', got {direction!r}"
        )
    if descending is not None:
        raise TypeError(
            f"{name}: give descending= (the array API's) or direction= (TensorFlow's), not both"
        )
    return kind, direction == "DESCENDING", True


def _sort_prepare(
    a: Any,
    axis: Any = -1,
    kind: Any = None,
    order: Any = None,
    *,
    descending: Any = None,
    stable: Any = None,
    direction: Any = None,
    name: Any = None,
) -> tuple:
    """Sorted along ``axis`` (the flattened array when None), ascending with NaN last, or
    ``descending`` (NaN first): NumPy's signature and the array API's, and TensorFlow's
    ``direction="ASCENDING"``/``"DESCENDING"``; the gradient goes back to where each
    value came from, ties in their stable order (PyTorch's).  ``t.sort()`` returns the
    sorted tensor, as JAX's (``ndarray.sort`` sorts in place)."""
    kind, desc, _ = _direction("sort", kind, direction, descending)
    a, axis = _sort_args("sort", a, axis, kind, order, stable)
    return (a,), {"axis": axis, "descending": desc}


def _sort(x, axis=-1, descending=False):
    r = np.sort(x, axis)
    return np.flip(r, axis) if descending else r


def _argsort(x, axis=-1, descending=False, stable=False):
    if not descending:
        return np.argsort(x, axis, kind="stable" if stable else None)
    # stable descending: ties keep their order, NaN comes first (the array API's)
    flipped = np.argsort(np.flip(x, axis), axis, kind="stable")
    return np.shape(x)[axis] - 1 - np.flip(flipped, axis)


def _order(ns: Any, x: Any, axis: int, descending: bool) -> Any:
    return ns.argsort(x, axis=axis, descending=descending, stable=True)


SORT = defop(
    "sort",
    _sort,
    shape=same_shape,
    dtype=same_dtype,
    vjp=(
        lambda ns, g, out, x, axis=-1, descending=False: ns.permute_along(
            g, ns.argsort(_order(ns, x, axis, descending), axis=axis), axis=axis
        ),
    ),
    jvp=(
        lambda ns, t, out, x, axis=-1, descending=False: ns.permute_along(
            t, _order(ns, x, axis, descending), axis=axis
        ),
    ),
    saves=((0,),),
    deriv=("1 at the element's sorted place",),
    doc=_sort_prepare.__doc__,
    prepare=_sort_prepare,
    method="sort",
    numpy=np.sort,
    cli=_CLI,
    onnx=no("ONNX's TopK is not stable and orders NaN differently"),
    batch=lambda op, prims, tins, out, attrs, k: np.take_along_axis(
        tins[0],
        _argsort(prims[0], attrs["axis"], attrs["descending"], True)[None],
        attrs["axis"] + 1,
    ),
)


def _argsort_prepare(
    a: Any,
    axis: Any = -1,
    kind: Any = None,
    order: Any = None,
    *,
    descending: Any = None,
    stable: Any = None,
    direction: Any = None,
    name: Any = None,
) -> tuple:
    """Indices that sort along ``axis`` (NumPy's and the array API's signatures); ties
    keep their order (the array API's default ``stable=True``) unless ``stable=False`` or
    an unstable ``kind`` (NumPy's default quicksort, ties in no set order); ``descending``
    is stable, NaN first.  TensorFlow's ``direction="ASCENDING"``/``"DESCENDING"``
    sorts stably whatever ``stable`` says (as ``tf.argsort`` does).  No gradient."""
    kind, desc, tf = _direction("argsort", kind, direction, descending)
    a, axis = _sort_args("argsort", a, axis, kind, order, None if tf else stable)
    if tf:
        stable = True
    elif stable is None:
        stable = kind in (None, "stable", "mergesort")
    stable = bool(stable)
    return (a,), {"axis": axis, "descending": desc, "stable": stable}


ARGSORT = defop(
    "argsort",
    _argsort,
    shape=same_shape,
    dtype=_int64,
    doc=_argsort_prepare.__doc__,
    prepare=_argsort_prepare,
    method="argsort",
    numpy=np.argsort,
    cli=_NODIFF,
    onnx=no("ONNX's TopK is not stable"),
)


PERMUTE_ALONG = defop(
    "permute_along",
    lambda x, perm, axis: np.take_along_axis(x, perm, axis),
    shape=same_shape,
    dtype=same_dtype,
    vjp=(
        lambda ns, g, out, x, perm, axis: ns.permute_along(
            g, ns.argsort(perm, axis=axis), axis=axis
        ),
        None,
    ),
    jvp=(lambda ns, t, out, x, perm, axis: ns.permute_along(t, perm, axis=axis), None),
    saves=((1,), ()),
    deriv=("1 at the permuted place", ""),
    args=("x", "perm"),
    doc="x reordered along axis by perm, a permutation of each slice (sort's gradient)",
    names=no("internal: the gradient of sort; use cg.take_along_axis"),
    method=no("internal"),
    numpy=no("internal"),
    cli=no("internal"),
    onnx=no("internal: gradients are not exported"),
    batch=lambda op, prims, tins, out, attrs, k: np.take_along_axis(
        tins[0], np.asarray(prims[1])[None], attrs["axis"] + 1
    ),
)


def _searchsorted_prepare(a: Any, v: Any, side: str = "left", sorter: Any = None) -> tuple:
    """Indices where ``v``'s elements would go into the sorted 1-D ``a`` (``side``
    "left": before equal values, "right": after); no gradient."""
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    return (a, v), {"side": side, "sorter": None if sorter is None else plain(sorter)}


SEARCHSORTED = defop(
    "searchsorted",
    lambda a, v, side="left", sorter=None: np.asarray(np.searchsorted(a, v, side, sorter)),
    shape=lambda m, **a: m[1].shape if isinstance(m[1], Meta) else (),
    dtype=_int64,
    doc=_searchsorted_prepare.__doc__,
    args=("a", "v"),
    prepare=_searchsorted_prepare,
    method="searchsorted",
    numpy=np.searchsorted,
    cli=_NODIFF,
    onnx=no("ONNX has no binary search"),
)


# --------------------------------------------------------------------------- composites
def _float(x: Any) -> Any:
    """x, integers and bools as float64 (the statistics' dtype)."""
    if x.dtype is not None and x.dtype.kind in "biu":
        return cg.astype(x, np.float64)
    return x


def _mask(x: Any, where: Any, nan: bool) -> Any:
    """The elements taken: ``where`` (NumPy's argument) and, for nan-functions, not NaN;
    None when all are."""
    m = None if where is True else np.broadcast_to(plain(where), known_shape(x, "where="))
    if nan and (x.dtype is None or x.dtype.kind in "fc"):
        keep = cg.logical_not(cg.isnan(x))
        m = keep if m is None else cg.logical_and(keep, m)
    return m


def _size(x: Any, axes: Any) -> Any:
    """How many elements reducing over ``axes`` combines (a node when unknown)."""
    s = shape_of(x)
    dims = None if s is None else [s[a] for a in (range(len(s)) if axes is None else axes)]
    if dims is None or None in dims:  # (static graphs: counted when they run)
        return cg.sum(cg.ones_like(x), axes)
    return math.prod(dims)


def _var(name: str, a: Any, axis: Any, dtype: Any, out: Any, ddof: Any, keepdims: Any,
         where: Any, mean: Any, correction: Any) -> Any:  # fmt: skip
    no_out(name, out)
    if correction is not None:
        if ddof != 0:
            raise ValueError(f"{name}: ddof and correction can't be provided simultaneously.")
        ddof = correction
    x = cg.asarray(a)
    x = _float(x) if dtype is None else cg.astype(x, dtype)
    axes = normalize_axis(axis, ndim_of(x), name, shape_of(x))
    m = _mask(x, where, name.startswith("nan"))
    if m is None:
        n = _size(x, axes)
        d = x - (cg.mean(x, axes, keepdims=True) if mean is None else mean)
    else:
        real = np.finfo(x.dtype).dtype if x.dtype is not None else None
        n = cg.sum(m, axes, keepdims=keepdims, dtype=real)
        if mean is None:
            count = cg.sum(m, axes, keepdims=True, dtype=real)
            mean = cg.sum(cg.where(m, x, 0), axes, keepdims=True) / count
        d = cg.where(m, x - mean, 0)
    if x.dtype is not None and x.dtype.kind == "c":
        sq = cg.real(d) ** 2 + cg.imag(d) ** 2
    else:
        sq = d * d
    dof = n - ddof
    dof = max(dof, 0) if isinstance(dof, (int, float)) else cg.maximum(dof, 0)
    v = cg.sum(sq, axes, keepdims=keepdims) / dof
    if not name.endswith("std"):
        return v
    z = v == 0  # sqrt, its gradient 0 at 0 (PyTorch's std: no NaN for constant slices)
    return cg.where(z, 0, cg.sqrt(cg.where(z, 1, v)))


def _moment(name: str, doc: str, method: Any) -> Any:
    def f(a: Any, axis: Any = None, dtype: Any = None, out: Any = None, ddof: Any = 0,
          keepdims: bool = False, *, where: Any = True, mean: Any = None,
          correction: Any = None) -> Any:  # fmt: skip
        return _var(name, a, axis, dtype, out, ddof, keepdims, where, mean, correction)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return defpublic(f, method=method, numpy=getattr(np, name), cli=_CLI)


_NO_METHOD = no("ndarray has no such method")
var = _moment("var", "Variance: the sum of ``|x - mean|**2`` over ``axis`` divided by "
              "``N - ddof`` (``correction``: the array API's name for ddof).", "var")  # fmt: skip
std = _moment("std", "Standard deviation, ``sqrt(var)``; its gradient at zero variance is 0, "
              "as PyTorch's.", "std")  # fmt: skip
nanvar = _moment("nanvar", "``var`` ignoring NaN (they get no gradient).", _NO_METHOD)
nanstd = _moment("nanstd", "``std`` ignoring NaN (they get no gradient).", _NO_METHOD)


# ------------------------------------------------------------------ nan- reductions
_NAN: dict[str, Any] = dict(method=_NO_METHOD, cli=_CLI)


def _nan_filled(a: Any, fill: Any) -> Any:
    x = cg.asarray(a)
    if x.dtype is not None and x.dtype.kind not in "fc":
        return x
    return cg.where(cg.isnan(x), fill, x)


@defpublic(numpy=np.nansum, **_NAN)
def nansum(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
           keepdims: bool = False, *, where: Any = True) -> Any:  # fmt: skip
    """Sum treating NaN as 0 (their gradient is 0, as PyTorch's nansum)."""
    return cg.sum(_nan_filled(a, 0), axis, dtype, out, keepdims, where=where)


@defpublic(numpy=np.nanprod, **_NAN)
def nanprod(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False, *, where: Any = True) -> Any:  # fmt: skip
    """Product treating NaN as 1 (their gradient is 0)."""
    return cg.prod(_nan_filled(a, 1), axis, dtype, out, keepdims, where=where)


@defpublic(numpy=np.nanmean, **_NAN)
def nanmean(a: Any, axis: Any = None, dtype: Any = None, out: Any = None,
            keepdims: bool = False, *, where: Any = True) -> Any:  # fmt: skip
    """Mean of the elements that are not NaN (NaN for an all-NaN slice); NaN get no
    gradient (JAX's; PyTorch's is NaN throughout an all-NaN slice)."""
    x = cg.asarray(a)
    m = _mask(x, where, True)
    if m is None:
        return cg.mean(x, axis, dtype, out, keepdims)
    no_out("nanmean", out)
    dt = np.dtype(dtype) if dtype is not None else _float(x).dtype
    s = cg.sum(cg.where(m, x, 0), axis, dt, keepdims=keepdims)
    return s / cg.sum(m, axis, keepdims=keepdims, dtype=dt)


def _nan_extreme(name: str, doc: str) -> Any:
    def f(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
        x = cg.asarray(a)
        fill = np.inf if name == "nanmin" else -np.inf
        r = getattr(cg, name[3:])(_nan_filled(x, fill), axis, out, keepdims)
        if x.dtype is not None and x.dtype.kind not in "fc":
            return r
        return cg.where(cg.all(cg.isnan(x), axis, keepdims=keepdims), np.nan, r)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"{doc} ignoring NaN (NaN for an all-NaN slice); ties share the gradient."
    return defpublic(f, numpy=getattr(np, name), **_NAN)


nanmax = _nan_extreme("nanmax", "Maximum")
nanmin = _nan_extreme("nanmin", "Minimum")


# ------------------------------------------------------------------ quantiles
_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _tie_shared(x: Any, v: Any) -> Any:
    """``v``, elements of x's last axis (..., 1), its gradient shared evenly by the
    elements equal to it (exactly v: the added terms are x - v == 0)."""
    v = cg.stop_gradient(v)
    m = x == v
    return v + cg.sum(cg.where(m, x - v, 0), -1, keepdims=True) / cg.sum(
        m, -1, x.dtype, keepdims=True
    )


def _quantile(name: str, a: Any, q: Any, axis: Any, out: Any, method: str, keepdims: Any,
              interpolation: Any = None, share: bool = False) -> Any:  # fmt: skip
    no_out(name, out)
    if interpolation is not None:
        method = interpolation
    if method not in _METHODS:
        raise NotImplementedError(f"{name}: method {method!r}; supported: {_METHODS}")
    x = cg.asarray(a)
    dt = x.dtype or np.dtype(np.float64)
    if dt.kind not in "biuf":
        raise TypeError(f"{name}: a must be an array of real numbers")
    if name == "percentile":  # NumPy divides in a's dtype
        q = np.true_divide(plain(q), dt.type(100) if dt.kind == "f" else 100)
    weak = type(q) in (int, float) and dt.kind == "f"  # a Python number: a's dtype
    qa = np.asarray(q, dt) if weak else np.asarray(plain(q))
    if qa.dtype.kind not in "biuf" or not ((qa >= 0) & (qa <= 1)).all():
        raise ValueError(
            f"{name}: quantiles must be in the range [0, 1]"
            if name != "percentile"
            else f"{name}: percentiles must be in the range [0, 100]"
        )
    shape = known_shape(x, name)
    nd = len(shape)
    axes = normalize_axis(axis, nd, name, shape)
    axes = tuple(range(nd)) if axes is None else axes
    keep = [i for i in range(nd) if i not in axes]
    n = math.prod(shape[i] for i in axes)
    if n == 0:
        raise ValueError(f"{name}: cannot take the {name} of an empty axis of shape {shape}")
    if list(axes) != list(range(nd - len(axes), nd)):
        x = cg.transpose(x, keep + list(axes))
    if len(axes) != 1:
        x = cg.reshape(x, tuple(shape[i] for i in keep) + (n,))
    v = qa.ravel() * (n - 1)  # NumPy's virtual indices
    take: Any = {"lower": np.floor, "higher": np.ceil, "nearest": np.around}.get(method)
    if take is not None or v.dtype.kind in "iu" and method == "linear":  # an element
        s = cg.sort(x, axis=-1)
        r = s[..., (v if take is None else take(v)).astype(np.intp)]
    else:  # between two: NumPy's lerp, in the dtype of a and q together
        rdt = np.result_type(dt, v.dtype if v.dtype.kind == "f" else np.float64)
        x = x if rdt == dt else cg.astype(x, rdt)
        s = cg.sort(x, axis=-1)
        lo = np.floor(v).astype(np.intp)
        g = (v - lo) if method == "linear" else np.where(v > lo, 0.5, 0.0)
        g = g.astype(rdt)
        left, right = s[..., lo], s[..., np.minimum(lo + 1, n - 1)]
        if share:  # tied middle values share the gradient evenly (torch.median's)
            left, right = _tie_shared(x, left), _tie_shared(x, right)
        d = right - left
        r = cg.where(g >= 0.5, right - d * (1 - g), left + d * g)
    if dt.kind == "f":  # a NaN (sorted last) makes it NaN
        r = cg.where(cg.isnan(s[..., -1:]), np.nan, r)
    r = cg.moveaxis(r, -1, 0)
    if keepdims:
        r = cg.reshape(r, (len(v),) + tuple(1 if i in axes else k for i, k in enumerate(shape)))
    return cg.reshape(r, qa.shape + tuple(r.shape[1:]))


def _quantile_fn(name: str, doc: str) -> Any:
    def f(a: Any, q: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False,
          method: str = "linear", keepdims: bool = False, *,
          interpolation: Any = None) -> Any:  # fmt: skip
        return _quantile(name, a, q, axis, out, method, keepdims, interpolation)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return defpublic(f, numpy=getattr(np, name), method=_NO_METHOD, cli=_CLI)


quantile = _quantile_fn("quantile", "Quantiles ``q`` (constants in [0, 1]) over ``axis`` by "
    "NumPy's methods linear (the default), lower, higher, midpoint, nearest; the gradient "
    "goes to the elements interpolated (ties in stable sorted order); NaN in a slice gives "
    "NaN.")  # fmt: skip
percentile = _quantile_fn("percentile", "``quantile(a, q / 100)``: percentiles ``q`` in "
                          "[0, 100].")  # fmt: skip


@defpublic(numpy=np.median, method=_NO_METHOD, cli=_CLI)
def median(
    a: Any, axis: Any = None, out: Any = None, overwrite_input: bool = False, keepdims: bool = False
) -> Any:
    """Median over ``axis`` (the mean of the two middle values of an even count); the
    gradient goes to the middle value(s), shared evenly by elements equal to one
    (torch.median's ties)."""
    return _quantile("median", a, 0.5, axis, out, "linear", keepdims, share=True)


# ------------------------------------------------------------------ more statistics
@defpublic(numpy=np.ptp, method="ptp", cli=_CLI)
def ptp(a: Any, axis: Any = None, out: Any = None, keepdims: bool = False) -> Any:
    """Range ``max - min`` over ``axis`` (``t.ptp()`` as JAX's; NumPy 2 dropped the
    method); ties share the gradient."""
    x = cg.asarray(a)
    return cg.max(x, axis, out, keepdims) - cg.min(x, axis, out, keepdims)


@defpublic(numpy=np.average, method=_NO_METHOD, cli=_CLI)
def average(
    a: Any, axis: Any = None, weights: Any = None, returned: bool = False, *, keepdims: bool = False
) -> Any:
    """Weighted mean ``sum(a * w) / sum(w)`` over ``axis``, differentiable in ``a`` and
    in the weights; ``returned``: also the sum of the weights."""
    x = cg.asarray(a)
    if weights is None:
        avg = cg.mean(x, axis, keepdims=keepdims)
        n = math.prod(known_shape(x, "average")) // max(math.prod(known_shape(avg, "average")), 1)
        scl = np.asarray(n, dtype=avg.dtype)[()]
    else:
        w = cg.asarray(weights)
        sx, sw = known_shape(x, "average"), known_shape(w, "average")
        if sx != sw:
            if axis is None:
                raise TypeError("Axis must be specified when shapes of a and weights differ.")
            if len(sw) != 1:
                raise TypeError("1D weights expected when shapes of a and weights differ.")
            ax = one_axis(axis, len(sx), "average", sx)
            if sw[0] != sx[ax]:
                raise ValueError("Length of weights not compatible with specified axis.")
            w = cg.broadcast_to(cg.reshape(w, (-1,) + (1,) * (len(sx) - ax - 1)), sx)
        dt = np.result_type(x.dtype, w.dtype, *(() if x.dtype.kind in "fc" else (1.0,)))
        scl = cg.sum(w, axis, dt, keepdims=keepdims)
        if not is_symbolic(scl) and (np.asarray(scl) == 0).any():
            raise ZeroDivisionError("Weights sum to zero, can't be normalized")
        avg = cg.sum(cg.multiply(x, w), axis, dt, keepdims=keepdims) / scl
    if not returned:
        return avg
    return avg, (cg.broadcast_to(scl, avg.shape) if np.shape(scl) != avg.shape else scl)


@defpublic(numpy=np.count_nonzero, method=_NO_METHOD, cli=_CLI)
def count_nonzero(a: Any, axis: Any = None, *, keepdims: bool = False) -> Any:
    """How many elements are not zero along ``axis``; no gradient."""
    return cg.sum(cg.not_equal(a, 0), axis, keepdims=keepdims)


def _cumulative(name: str, scan: str, initial: int) -> Any:
    def f(x: Any, /, *, axis: Any = None, dtype: Any = None,
          include_initial: bool = False) -> Any:  # fmt: skip
        x = cg.asarray(x)
        nd = ndim_of(x)
        if axis is None:
            if nd is not None and nd > 1:
                raise ValueError(f"{name}: axis must be given for arrays of more than 1 dimension")
            axis = 0
        r = getattr(cg, scan)(x, axis, dtype)
        if not include_initial:
            return r
        nd = len(known_shape(r, name))
        ax = one_axis(axis, nd, name)
        pads = tuple((1, 0) if i == ax else (0, 0) for i in range(nd))
        return cg.pad(r, pads, constant_values=initial)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = (f"The array API's ``{scan}`` (axis needed beyond 1-D); ``include_initial`` "
                 f"starts with {initial}.")  # fmt: skip
    return defpublic(f, numpy=getattr(np, name), method=no(f"see {scan}"), cli=_CLI)


cumulative_sum = _cumulative("cumulative_sum", "cumsum", 0)
cumulative_prod = _cumulative("cumulative_prod", "cumprod", 1)
