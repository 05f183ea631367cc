"""More of NumPy's functions, continued from :mod:`.numpy_more`: math (``modf divmod
unwrap interp convolve correlate piecewise apply_along_axis vectorize`` ...), histograms,
bits, ``matvec``/``vecmat`` and windows (NaN-aware scans, sets and polynomials are in
:mod:`.numpy_poly`).

Composites of the registered ops, so gradients come from their rules; results that are
indices, counts, bits or flags are NumPy's values (not differentiable, as NumPy's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .args import is_symbolic
from .manip import known_shape
from .namespace import cg, lookup
from .registry import defpublic
from .spec import no

__all__ = [
    "modf",
    "divmod",
    "spacing",
    "unwrap",
    "interp",
    "convolve",
    "correlate",
    "ediff1d",
    "digitize",
    "piecewise",
    "apply_along_axis",
    "apply_over_axes",
    "vectorize",
    "frompyfunc",
    "histogram2d",
    "histogram_bin_edges",
    "bitwise_count",
    "packbits",
    "unpackbits",
    "matvec",
    "vecmat",
    "bartlett",
    "blackman",
    "hamming",
    "hanning",
    "kaiser",
]

_CLI = no("takes several arguments or arrays; the command line calls one-argument functions")
_NEW = no("creates a new array")
_INT = no("an integer result, not differentiable, as NumPy's")


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


def _as(x: Any, dtype: Any) -> Any:
    return x if _dtype(x) == np.dtype(dtype) else cg.astype(x, dtype)


# ------------------------------------------------------------------ elementwise
@defpublic(method=no("NumPy has no ndarray.modf"), numpy=np.modf, cli=_CLI)
def modf(x: Any, /) -> tuple:
    """``(fractional, integral)`` parts of ``x``, both with ``x``'s sign and float
    (NumPy's ``np.modf``; the fractional part has slope 1, the integral part 0)."""
    t = _t(x)
    if _dtype(t).kind not in "f":
        t = cg.astype(t, np.modf(np.zeros(1, _dtype(t)))[0].dtype)
    whole = cg.trunc(t)
    return cg.subtract(t, whole), whole


@defpublic(name="divmod", method=no("Tensor.__divmod__ is Python's divmod"), numpy=np.divmod,
           cli=_CLI)  # fmt: skip
def divmod(x1: Any, x2: Any, /) -> tuple:
    """``(floor_divide(x1, x2), remainder(x1, x2))`` (NumPy's ``np.divmod``)."""
    return cg.floor_divide(x1, x2), cg.remainder(x1, x2)


@defpublic(method=no("NumPy has no ndarray.spacing"), numpy=np.spacing, cli=True)
def spacing(x: Any, /) -> Any:
    """The distance from ``x`` to the next float away from zero (NumPy's
    ``np.spacing``; piecewise constant, so not recorded: its gradient is 0)."""
    return cg.asarray(np.spacing(_values(x, "spacing")))


@defpublic(method=no("NumPy has no ndarray.unwrap"), numpy=np.unwrap, cli=_CLI)
def unwrap(p: Any, discont: Any = None, axis: int = -1, *, period: Any = 2 * np.pi) -> Any:
    """``p`` with jumps larger than ``discont`` along ``axis`` replaced by their
    complement modulo ``period`` (NumPy's ``np.unwrap``; the corrections are constants,
    so the gradient is the identity)."""
    t = _t(p)
    v = _values(t, "unwrap")
    nd = v.ndim
    dd = np.diff(v, axis=axis)
    if discont is None:
        discont = period / 2
    sl = [slice(None)] * nd
    sl[axis] = slice(1, None)
    dtype = np.result_type(dd, period)
    if np.issubdtype(dtype, np.integer):
        interval_high, rem = np.divmod(period, 2)
        boundary_ambiguous = rem == 0
    else:
        interval_high = period / 2
        boundary_ambiguous = True
    interval_low = -interval_high
    ddmod = np.mod(dd - interval_low, period) + interval_low
    if boundary_ambiguous:
        np.copyto(ddmod, interval_high, where=(ddmod == interval_low) & (dd > 0))
    correct = ddmod - dd
    np.copyto(correct, 0, where=abs(dd) < discont)
    base = _as(t, dtype)
    first = [slice(None)] * nd
    first[axis] = slice(0, 1)
    if v.shape[axis] == 0:
        return base
    return cg.concatenate(
        [base[tuple(first)], cg.add(base[tuple(sl)], np.cumsum(correct, axis).astype(dtype))],
        axis=axis,
    )


@defpublic(method=no("NumPy has no ndarray.interp"), numpy=np.interp, cli=_CLI)
def interp(x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None,
           period: Any = None) -> Any:  # fmt: skip
    """The piecewise-linear interpolant through ``(xp, fp)`` at ``x`` (``left``/``right``
    outside, or periodic with ``period``); float64 or complex128 as NumPy's
    ``np.interp``; differentiable in ``x``, ``xp`` and ``fp``.

    >>> import compgraph as cg
    >>> cg.interp(2.5, [1.0, 2.0, 3.0], [3.0, 2.0, 0.0])
    Tensor(1.)
    """
    xt, xpt, fpt = _t(x), _t(xp), _t(fp)
    cplx = _dtype(fpt).kind == "c"
    rt = np.complex128 if cplx else np.float64
    xt, xpt, fpt = _as(xt, np.float64), _as(xpt, np.float64), _as(fpt, rt)
    sxp, sfp = known_shape(xpt, "interp"), known_shape(fpt, "interp")
    if len(sxp) != 1 or len(sfp) != 1:
        raise ValueError(f"interp: xp and fp must be 1-D sequences, got {sxp} and {sfp}")
    if sxp != sfp:
        raise ValueError(f"interp: fp and xp are not of the same length, got {sxp} and {sfp}")
    if sxp[0] == 0:
        raise ValueError("interp: array of sample points is empty")
    if period is not None:
        if period == 0:
            raise ValueError("interp: period must be a non-zero value")
        period = abs(period)
        left = right = None
        xt, xpt = cg.remainder(xt, period), cg.remainder(xpt, period)
        order = np.argsort(_values(xpt, "interp"), kind="stable")
        xpt, fpt = cg.take(xpt, order), cg.take(fpt, order)
        xpt = cg.concatenate([cg.subtract(xpt[-1:], period), xpt, cg.add(xpt[0:1], period)])
        fpt = cg.concatenate([fpt[-1:], fpt, fpt[0:1]])
    vx, vxp = _values(xt, "interp"), _values(xpt, "interp")
    n = vxp.shape[0]
    if n == 1:
        out = cg.add(cg.multiply(cg.zeros_like(xt), 0.0), fpt[0])
        out = _as(out, rt)
    else:
        j = np.clip(np.searchsorted(vxp, vx, side="right") - 1, 0, n - 2)
        x0, x1 = cg.take(xpt, j), cg.take(xpt, j + 1)
        f0, f1 = cg.take(fpt, j), cg.take(fpt, j + 1)
        slope = cg.divide(cg.subtract(f1, f0), _as(cg.subtract(x1, x0), rt))
        out = cg.add(cg.multiply(slope, _as(cg.subtract(xt, x0), rt)), f0)
        # At the last sample point NumPy gives fp[-1] exactly.
        out = cg.where(vx == vxp[-1], fpt[-1], out)
    lo = fpt[0] if left is None else _as(_t(left), rt)
    hi = fpt[-1] if right is None else _as(_t(right), rt)
    out = cg.where(vx < vxp[0], lo, out)
    out = cg.where(vx > vxp[-1], hi, out)
    return _as(out, rt)


# ------------------------------------------------------------------ convolution
def _full_convolve(a: Any, v: Any) -> Any:
    n, m = known_shape(a, "convolve")[0], known_shape(v, "convolve")[0]
    k = np.arange(n + m - 1)[:, None] - np.arange(n)[None, :]
    k = np.where((k >= 0) & (k < m), k, m)  # m: the zero appended to v
    dt = np.result_type(_dtype(a), _dtype(v))
    vz = cg.concatenate([_as(v, dt), cg.zeros((1,), dt)])
    return cg.matmul(cg.take(vz, k), _as(a, dt))


def _mode_slice(full: Any, n: int, m: int, mode: str, where: str) -> Any:
    big, small = max(n, m), min(n, m)
    if mode == "full":
        return full
    if mode == "same":
        start = (small - 1) // 2
        return full[start : start + big]
    if mode == "valid":
        return full[small - 1 : big]
    raise ValueError(f"{where}: mode must be one of 'valid', 'same', 'full', got {mode!r}")


def _pair_1d(a: Any, v: Any, where: str) -> tuple:
    at, vt = _t(a), _t(v)
    sa, sv = known_shape(at, where), known_shape(vt, where)
    if len(sa) > 1 or len(sv) > 1:
        raise ValueError(f"{where}: object too deep for desired array, got {sa} and {sv}")
    at, vt = cg.ravel(at), cg.ravel(vt)
    n, m = known_shape(at, where)[0], known_shape(vt, where)[0]
    if n == 0:
        raise ValueError(f"{where}: a cannot be empty")
    if m == 0:
        raise ValueError(f"{where}: v cannot be empty")
    return at, vt, n, m


@defpublic(method=no("NumPy has no ndarray.convolve"), numpy=np.convolve, cli=_CLI)
def convolve(a: Any, v: Any, mode: str = "full") -> Any:
    """The discrete linear convolution of two 1-D sequences, ``'full'``, ``'same'`` or
    ``'valid'`` (NumPy's ``np.convolve``).

    >>> import compgraph as cg
    >>> cg.convolve(cg.asarray([1.0, 2.0, 3.0]), [0.0, 1.0, 0.5])
    Tensor([0. , 1. , 2.5, 4. , 1.5])
    """
    at, vt, n, m = _pair_1d(a, v, "convolve")
    return _mode_slice(_full_convolve(at, vt), n, m, mode, "convolve")


@defpublic(method=no("NumPy has no ndarray.correlate"), numpy=np.correlate, cli=_CLI)
def correlate(a: Any, v: Any, mode: str = "valid") -> Any:
    """The cross-correlation ``c[k] = sum_n a[n+k] * conj(v[n])`` of two 1-D sequences
    (NumPy's ``np.correlate``)."""
    at, vt, n, m = _pair_1d(a, v, "correlate")
    vr = cg.flip(vt, 0)
    if _dtype(vr).kind == "c":
        vr = cg.conj(vr)
    if mode == "same" and m > n:
        # NumPy centres the longer v's correlation from the other end.
        full = _full_convolve(at, vr)
        start = (n - 1) - (n - 1) // 2
        return full[start : start + m]
    return _mode_slice(_full_convolve(at, vr), n, m, mode, "correlate")


@defpublic(method=no("NumPy has no ndarray.ediff1d"), numpy=np.ediff1d, cli=_CLI)
def ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Any:
    """The differences of the flattened ``ary``'s consecutive elements, with
    ``to_begin`` and ``to_end`` put around them (NumPy's ``np.ediff1d``)."""
    flat = cg.ravel(_t(ary))
    dt = _dtype(flat)
    pieces: list = []
    for extra, name in ((to_begin, "to_begin"), (to_end, "to_end")):
        if extra is None:
            pieces.append(None)
            continue
        e = cg.ravel(_t(extra))
        if not np.can_cast(_dtype(e), dt, casting="same_kind"):
            raise TypeError(f"ediff1d: dtype of `{name}` must be compatible with input `ary` "
                            f"under the `same_kind` rule, got {_dtype(e)} and {dt}")  # fmt: skip
        pieces.append(_as(e, dt))
    body = cg.subtract(flat[1:], flat[:-1])
    parts = [p for p in (pieces[0], body, pieces[1]) if p is not None]
    return parts[0] if len(parts) == 1 else cg.concatenate(parts)


@defpublic(method=no("NumPy has no ndarray.digitize"), numpy=np.digitize, cli=_INT)
def digitize(x: Any, bins: Any, right: bool = False) -> Any:
    """The index of the bin each ``x`` falls in (NumPy's ``np.digitize``)."""
    return cg.asarray(np.digitize(_values(x, "digitize"), _values(bins, "digitize"), right))


@defpublic(method=no("NumPy has no ndarray.piecewise"), numpy=np.piecewise, cli=_CLI)
def piecewise(x: Any, condlist: Any, funclist: Sequence[Any], *args: Any, **kw: Any) -> Any:
    """``funclist[i](x[condlist[i]])`` (or the constant ``funclist[i]``) where each
    condition holds, later ones winning, one extra function for where none holds, 0
    elsewhere; ``x``'s dtype (NumPy's ``np.piecewise``; differentiable when the
    functions are)."""
    t = _t(x)
    shape = known_shape(t, "piecewise")
    cl = condlist
    if hasattr(cl, "requires_grad") or is_symbolic(cl):
        cl = _values(cl, "piecewise")
    elif isinstance(cl, (list, tuple)):
        cl = [_values(c, "piecewise") if hasattr(c, "requires_grad") else c for c in cl]
    # NumPy's rule: one condition unless the first item is itself a list or an array.
    if np.isscalar(cl) or (
        len(shape) != 0 and len(cl) and not isinstance(cl[0], (list, np.ndarray))
    ):
        cl = [cl]
    conds = list(np.asarray(cl, dtype=bool))
    conds = [np.broadcast_to(c, shape) for c in conds]
    n = len(conds)
    if len(funclist) == n + 1:
        otherwise = ~np.any(conds, axis=0) if n else np.ones(shape, bool)
        conds.append(otherwise)
    elif len(funclist) != n:
        raise ValueError(f"piecewise: with {n} condition(s), either {n} or {n + 1} functions "
                         f"are expected, got {len(funclist)}")  # fmt: skip
    dt = _dtype(t)
    out = cg.zeros(shape, dt)
    for cond, f in zip(conds, funclist):
        if not cond.any():
            continue
        if callable(f):
            vals = _t(f(t[cond], *args, **kw))
        else:
            vals = _t(f)
        vals = cg.broadcast_to(_as(vals, dt), (int(cond.sum()),))
        out = cg.where(cond, _scatter(vals, cond, dt), out)
    return out


def _scatter(vals: Any, cond: np.ndarray, dt: np.dtype) -> Any:
    """A ``cond``-shaped array holding ``vals`` where ``cond`` is true, 0 elsewhere."""
    pos = np.cumsum(cond.reshape(-1)) - 1
    padded = cg.concatenate([vals, cg.zeros((1,), dt)])
    idx = np.where(cond.reshape(-1), pos, known_shape(vals, "piecewise")[0])
    return cg.reshape(cg.take(padded, idx), cond.shape)


# ------------------------------------------------------------------ functions over axes
@defpublic(method=no("NumPy has no ndarray.apply_along_axis"), numpy=np.apply_along_axis, cli=_CLI)
def apply_along_axis(func1d: Callable, axis: int, arr: Any, *args: Any, **kwargs: Any) -> Any:
    """``func1d`` applied to each 1-D slice of ``arr`` along ``axis``, its results'
    dimensions taking ``axis``'s place (NumPy's ``np.apply_along_axis``; differentiable
    when ``func1d`` is)."""
    t = _t(arr)
    shape = known_shape(t, "apply_along_axis")
    nd = len(shape)
    if not -nd <= axis < nd:
        raise np.exceptions.AxisError(axis, nd)
    axis %= nd
    moved = cg.moveaxis(t, axis, -1)
    outer = shape[:axis] + shape[axis + 1 :]
    if 0 in outer:
        raise ValueError("apply_along_axis: Cannot apply_along_axis when any iteration "
                         "dimensions are 0")  # fmt: skip
    results = [_t(func1d(moved[ind], *args, **kwargs)) for ind in np.ndindex(*outer)]
    dt = _dtype(results[0])
    res = cg.stack([_as(r, dt) for r in results])
    rshape = known_shape(results[0], "apply_along_axis")
    res = cg.reshape(res, outer + rshape)
    k = len(rshape)
    order = list(range(axis)) + list(range(len(outer), len(outer) + k)) + list(
        range(axis, len(outer)))  # fmt: skip
    return cg.transpose(res, order) if order != sorted(order) else res


@defpublic(method=no("NumPy has no ndarray.apply_over_axes"), numpy=np.apply_over_axes, cli=_CLI)
def apply_over_axes(func: Callable, a: Any, axes: Any) -> Any:
    """``func(a, axis)`` for each of ``axes`` in turn, a dropped axis put back with size
    1 (NumPy's ``np.apply_over_axes``)."""
    val = _t(a)
    n = len(known_shape(val, "apply_over_axes"))
    for axis in np.atleast_1d(axes).tolist():
        if axis < 0:
            axis += n
        res = _t(func(val, axis))
        rn = len(known_shape(res, "apply_over_axes"))
        if rn == n:
            val = res
        elif rn == n - 1:
            val = cg.expand_dims(res, axis)
        else:
            raise ValueError("apply_over_axes: function is not returning an array of the "
                             "correct shape")  # fmt: skip
    return val


_DIM = r"\w+"
_CORE = rf"\((?:{_DIM}(?:,{_DIM})*)?\)"
_SIG = rf"^{_CORE}(?:,{_CORE})*->{_CORE}(?:,{_CORE})*$"


def _parse_signature(sig: str) -> tuple:
    s = re.sub(r"\s+", "", sig)
    if not re.match(_SIG, s):
        raise ValueError(f"vectorize: not a valid gufunc signature: {sig}")
    ins, outs = s.split("->")

    def parse(part: str) -> list:
        return [tuple(re.findall(_DIM, arg)) for arg in re.findall(_CORE, part)]

    return parse(ins), parse(outs)


class vectorize:
    """NumPy's ``np.vectorize`` on Tensors: ``pyfunc`` called on each element (0-d
    Tensors) of the broadcast arguments, or on each core slice given a gufunc
    ``signature``, the results stacked; differentiable when ``pyfunc`` is.
    ``otypes`` casts the outputs; ``excluded`` names arguments passed through.

    >>> import compgraph as cg
    >>> x = cg.tensor([1.0, -2.0], requires_grad=True)
    >>> cg.vectorize(lambda v: v * v if v > 0 else -v)(x).sum().backward()
    >>> x.grad
    Tensor([ 2., -1.])
    """

    def __init__(
        self,
        pyfunc: Any = None,
        otypes: Any = None,
        doc: str | None = None,
        excluded: Any = None,
        cache: bool = False,
        signature: str | None = None,
    ):
        self.pyfunc = pyfunc
        self.cache = cache
        self.signature = signature
        if isinstance(otypes, str):
            otypes = list(otypes)
        self.otypes = None if otypes is None else [np.dtype(o) for o in otypes]
        self.excluded = set(excluded or ())
        self._sig = _parse_signature(signature) if signature is not None else None
        self.__doc__ = doc if doc is not None else getattr(pyfunc, "__doc__", None)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Apply ``pyfunc`` over the broadcast arguments."""
        if self.pyfunc is None:  # used as a decorator with options: @vectorize(otypes=...)
            return vectorize(args[0], [o.char for o in self.otypes] if self.otypes else None,
                             self.__doc__, self.excluded, self.cache, self.signature)  # fmt: skip
        names = [i for i in range(len(args)) if i not in self.excluded]
        kwnames = [k for k in kwargs if k not in self.excluded]
        vec = [_t(args[i]) for i in names] + [_t(kwargs[k]) for k in kwnames]
        cores = self._sig[0] if self._sig else [()] * len(vec)
        if len(cores) != len(vec):
            raise TypeError(f"vectorize: wrong number of positional arguments: expected "
                            f"{len(cores)}, got {len(vec)}")  # fmt: skip
        sizes: dict = {}
        loops = []
        for v, core in zip(vec, cores):
            s = known_shape(v, "vectorize")
            if len(s) < len(core):
                raise ValueError(f"vectorize: input with shape {s} does not have enough "
                                 f"dimensions for its core dimensions {core}")  # fmt: skip
            for d, n in zip(core, s[len(s) - len(core) :]):
                if sizes.setdefault(d, n) != n:
                    raise ValueError(f"vectorize: inconsistent size for core dimension "
                                     f"{d!r}: {n} vs {sizes[d]}")  # fmt: skip
            loops.append(s[: len(s) - len(core)])
        loop = np.broadcast_shapes(*loops) if loops else ()
        vec = [cg.broadcast_to(v, loop + tuple(known_shape(v, "vectorize")[len(lp):]))
               for v, lp in zip(vec, loops)]  # fmt: skip
        if int(np.prod(loop)) == 0 and self.otypes is None:
            raise ValueError("vectorize: cannot call `vectorize` on size 0 inputs unless "
                             "`otypes` is set")  # fmt: skip
        results: list = []
        as_tuple = bool(self.otypes and len(self.otypes) > 1)
        for ind in np.ndindex(*loop):
            call_args = list(args)
            call_kw = dict(kwargs)
            for v, i in zip(vec[: len(names)], names):
                call_args[i] = v[ind]
            for v, k in zip(vec[len(names) :], kwnames):
                call_kw[k] = v[ind]
            r = self.pyfunc(*call_args, **call_kw)
            as_tuple = isinstance(r, tuple)
            results.append(r if isinstance(r, tuple) else (r,))
        if self._sig:
            nout = len(self._sig[1])
        elif results:
            nout = len(results[0])
        else:
            nout = len(self.otypes or [None])
        outs = []
        for o in range(nout):
            items = [_t(r[o]) for r in results]
            dt = self.otypes[o] if self.otypes else _dtype(items[0])
            if items:
                stacked = cg.stack([_as(i, dt) for i in items])
                outs.append(cg.reshape(stacked, loop + tuple(known_shape(items[0], "vectorize"))))
            else:
                outs.append(cg.zeros(loop, dt))
        return tuple(outs) if nout > 1 or as_tuple else outs[0]


class _PyUfunc:
    """The callable :func:`frompyfunc` returns."""

    def __init__(self, func: Callable, nin: int, nout: int, identity: Any):
        self._u = np.frompyfunc(func, nin, nout, identity=identity)
        self.nin, self.nout = nin, nout
        self.__name__ = f"{getattr(func, '__name__', 'func')} (vectorized)"

    def __call__(self, *args: Any) -> Any:
        res = self._u(*[_values(a, "frompyfunc") if hasattr(a, "requires_grad") else a
                        for a in args])  # fmt: skip
        conv = lambda r: cg.asarray(np.asarray(np.asarray(r).tolist()))  # noqa: E731
        return tuple(conv(r) for r in res) if self.nout > 1 else conv(res)


@defpublic(
    method=no("makes a function"), numpy=no("np.frompyfunc takes a function, not arrays"), cli=_CLI
)
def frompyfunc(func: Callable, /, nin: int, nout: int, *, identity: Any = None) -> Any:
    """A function that applies the Python ``func`` to each element of its broadcast
    arguments (NumPy's ``np.frompyfunc``; not differentiable: ``func`` sees numbers, and
    where NumPy gives object arrays the results here have the dtype their values take)."""
    return _PyUfunc(func, nin, nout, identity)


# ------------------------------------------------------------------ histograms and bits
@defpublic(method=no("a function of two arrays"), numpy=np.histogram2d, cli=_INT)
def histogram2d(x: Any, y: Any, bins: Any = 10, range: Any = None, density: Any = None,
                weights: Any = None) -> tuple:  # fmt: skip
    """``(H, xedges, yedges)``: the 2-D histogram of the points ``(x, y)`` (NumPy's
    ``np.histogram2d``; not differentiable)."""
    w = None if weights is None else _values(weights, "histogram2d")
    b = [_values(e, "histogram2d") for e in bins] if isinstance(bins, (list, tuple)) else bins
    h, xe, ye = np.histogram2d(_values(x, "histogram2d"), _values(y, "histogram2d"), b, range,
                               density, w)  # fmt: skip
    return cg.asarray(h), cg.asarray(xe), cg.asarray(ye)


@defpublic(method=no("NumPy has no ndarray.histogram_bin_edges"), numpy=np.histogram_bin_edges,
           cli=_INT)  # fmt: skip
def histogram_bin_edges(a: Any, bins: Any = 10, range: Any = None, weights: Any = None) -> Any:
    """The bin edges ``np.histogram`` would use (NumPy's ``np.histogram_bin_edges``)."""
    b = bins if isinstance(bins, (int, str)) else _values(bins, "histogram_bin_edges")
    w = None if weights is None else _values(weights, "histogram_bin_edges")
    return cg.asarray(np.histogram_bin_edges(_values(a, "histogram_bin_edges"), b, range, w))


@defpublic(method=no("NumPy has no ndarray.bitwise_count"), numpy=np.bitwise_count, cli=_INT)
def bitwise_count(x: Any, /) -> Any:
    """The number of 1 bits in each integer's absolute value, uint8 (NumPy's
    ``np.bitwise_count``)."""
    return cg.asarray(np.bitwise_count(_values(x, "bitwise_count")))


@defpublic(method=no("NumPy has no ndarray.packbits"), numpy=np.packbits, cli=_INT)
def packbits(a: Any, /, axis: Any = None, bitorder: Any = "big") -> Any:
    """Booleans or integers (nonzero is 1) packed 8 to a uint8 along ``axis`` (NumPy's
    ``np.packbits``)."""
    return cg.asarray(np.packbits(_values(a, "packbits"), axis=axis, bitorder=bitorder))


@defpublic(method=no("NumPy has no ndarray.unpackbits"), numpy=np.unpackbits, cli=_INT)
def unpackbits(a: Any, /, axis: Any = None, count: Any = None, bitorder: Any = "big") -> Any:
    """The bits of uint8 ``a`` as a uint8 array of 0s and 1s (NumPy's
    ``np.unpackbits``)."""
    return cg.asarray(np.unpackbits(_values(a, "unpackbits"), axis=axis, count=count,
                                    bitorder=bitorder))  # fmt: skip


@defpublic(method=no("NumPy has no ndarray.matvec"), numpy=np.matvec, cli=_CLI)
def matvec(x1: Any, x2: Any, /) -> Any:
    """The matrix-vector products of stacks ``x1 (..., m, n)`` and ``x2 (..., n)``
    (NumPy's ``np.matvec``)."""
    a, b = _t(x1), _t(x2)
    sa, sb = known_shape(a, "matvec"), known_shape(b, "matvec")
    if len(sa) < 2 or len(sb) < 1 or sa[-1] != sb[-1]:
        raise ValueError(f"matvec: expected x1 (..., m, n) and x2 (..., n), got {sa} and {sb}")
    return cg.matmul(a, cg.expand_dims(b, -1))[..., 0]


@defpublic(method=no("NumPy has no ndarray.vecmat"), numpy=np.vecmat, cli=_CLI)
def vecmat(x1: Any, x2: Any, /) -> Any:
    """The vector-matrix products of stacks ``conj(x1) (..., n)`` and ``x2 (..., n, m)``
    (NumPy's ``np.vecmat``)."""
    a, b = _t(x1), _t(x2)
    sa, sb = known_shape(a, "vecmat"), known_shape(b, "vecmat")
    if len(sa) < 1 or len(sb) < 2 or sa[-1] != sb[-2]:
        raise ValueError(f"vecmat: expected x1 (..., n) and x2 (..., n, m), got {sa} and {sb}")
    if _dtype(a).kind == "c":
        a = cg.conj(a)
    return cg.matmul(cg.expand_dims(a, -2), b)[..., 0, :]


# ------------------------------------------------------------------ windows
def _window(where: str, M: Any) -> int:
    m = int(_values(M, where)) if hasattr(M, "requires_grad") else int(M)
    return m


@defpublic(method=_NEW, numpy=no("takes a number"), cli=_NEW)
def bartlett(M: int) -> Any:
    """The ``M``-point Bartlett (triangular) window (NumPy's ``np.bartlett``)."""
    return cg.asarray(np.bartlett(_window("bartlett", M)))


@defpublic(method=_NEW, numpy=no("takes a number"), cli=_NEW)
def blackman(M: int) -> Any:
    """The ``M``-point Blackman window (NumPy's ``np.blackman``)."""
    return cg.asarray(np.blackman(_window("blackman", M)))


@defpublic(method=_NEW, numpy=no("takes a number"), cli=_NEW)
def hamming(M: int) -> Any:
    """The ``M``-point Hamming window (NumPy's ``np.hamming``)."""
    return cg.asarray(np.hamming(_window("hamming", M)))


@defpublic(method=_NEW, numpy=no("takes a number"), cli=_NEW)
def hanning(M: int) -> Any:
    """The ``M``-point Hann window (NumPy's ``np.hanning``)."""
    return cg.asarray(np.hanning(_window("hanning", M)))


@defpublic(method=_NEW, numpy=no("takes numbers"), cli=_NEW)
def kaiser(M: int, beta: Any) -> Any:
    """The ``M``-point Kaiser window of shape ``beta`` (NumPy's ``np.kaiser``;
    differentiable in ``beta``)."""
    m = _window("kaiser", M)
    if m == 1:
        return cg.ones((1,), np.float64)
    b = _as(_t(beta), np.result_type(_dtype(_t(beta)), np.float64))
    n = np.arange(0, m)
    alpha = (m - 1) / 2.0
    arg = np.sqrt(np.maximum(1 - ((n - alpha) / alpha) ** 2, 0.0)) if m > 1 else np.zeros(0)
    i0 = lookup("special", "i0")
    return cg.divide(i0(cg.multiply(b, arg)), i0(b))


defpublic(vectorize, method=no("a class"), numpy=no("np.vectorize is a class, not dispatched"),
          cli=_CLI)  # fmt: skip

for _f in (
    modf, divmod, spacing, unwrap, interp, convolve, correlate, ediff1d, digitize, piecewise,
    apply_along_axis, apply_over_axes, vectorize, frompyfunc, histogram2d, histogram_bin_edges,
    bitwise_count, packbits, unpackbits, matvec, vecmat, bartlett, blackman, hamming, hanning,
    kaiser,
):  # fmt: skip
    _f.__module__ = "compgraph"
del _f

# (registration side effects: scans, histograms, bits, sets, polynomials and windows)
from . import numpy_poly  # noqa: E402, F401
