"""More of PyTorch's top-level functions: statistics over values (``mode nanmedian
unique_consecutive histogram``), building (``combinations cumulative_trapezoid
scalar_tensor``), complex numbers (``complex polar view_as_real view_as_complex
conj_physical resolve_conj resolve_neg``), ``frexp rsub detach``, and linear algebra
under PyTorch's older names and conventions (``svd`` giving V, ``qr(some=)``,
``pinverse``, ``chain_matmul``, ``adjoint``).

Composites of the public functions (gradients from their rules), or for integer and
counting results NumPy's values (not differentiable, as PyTorch's).
"""

from __future__ import annotations

import itertools
from collections import namedtuple
from typing import Any

import numpy as np

from .args import is_symbolic, one_axis, plain
from .defaults import default_float
from .manip import known_shape
from .namespace import cg, lookup
from .registry import defpublic
from .spec import no

__all__ = [
    "ModeResult",
    "HistogramResult",
    "FrexpResult",
    "SvdResult",
    "mode",
    "nanmedian",
    "unique_consecutive",
    "histogram",
    "combinations",
    "cumulative_trapezoid",
    "scalar_tensor",
    "complex",
    "polar",
    "view_as_real",
    "view_as_complex",
    "conj_physical",
    "resolve_conj",
    "resolve_neg",
    "frexp",
    "rsub",
    "svd",
    "qr",
    "pinverse",
    "chain_matmul",
    "adjoint",
]

_CLI = no("takes several arguments; the command line calls one-argument functions of numbers")
_NP = no("NumPy has no function of this name and meaning (PyTorch's)")
_NOT_DIFF = no("an integer (counting) result, not differentiable, as PyTorch's")

#: PyTorch's ``torch.return_types.mode`` / ``nanmedian``.
ModeResult = namedtuple("ModeResult", ["values", "indices"])
#: PyTorch's ``torch.return_types.histogram``.
HistogramResult = namedtuple("HistogramResult", ["hist", "bin_edges"])
#: PyTorch's ``torch.return_types.frexp``.
FrexpResult = namedtuple("FrexpResult", ["mantissa", "exponent"])
#: PyTorch's ``torch.return_types.svd`` (V, not V's conjugate transpose).
SvdResult = namedtuple("SvdResult", ["U", "S", "V"])


def _t(x: Any) -> Any:
    return x if is_symbolic(x) or hasattr(x, "requires_grad") else cg.asarray(x)


def _values(x: Any, where: str) -> np.ndarray:
    if is_symbolic(x):
        raise TypeError(
            f"{where}: computed from the input's values, which a static graph does not "
            f"have yet; call it outside cg.function"
        )
    return np.asarray(plain(x))


def _picked(where: str, input: Any, idx: np.ndarray, d: int, keepdim: bool) -> Any:
    """``(values, indices)``: ``input`` at ``idx`` (keepdims shape) along ``d``."""
    x = _t(input)
    values = cg.take_along_axis(x, idx, axis=d)
    if not keepdim:
        values, idx = cg.squeeze(values, d), idx.squeeze(d)
    return ModeResult(values, cg.asarray(idx.astype(np.int64)))


@defpublic(method="mode", numpy=_NP, cli=_CLI)
def mode(input: Any, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)``: the most frequent value along ``dim`` (the smallest of
    equally frequent ones) and the index of its last occurrence (PyTorch's
    ``torch.mode``; the gradient goes to that element)."""
    v = _values(cg.stop_gradient(_t(input)), "mode")
    if v.ndim == 0:
        one_axis(dim, 1, "mode", ())
        return ModeResult(cg.array(_t(input), copy=True), cg.asarray(np.int64(0)))
    d = one_axis(dim, v.ndim, "mode", v.shape)
    if v.shape[d] == 0:
        raise ValueError(f"mode: expected a non-empty dim {dim}, got shape {v.shape}")
    m = np.moveaxis(v, d, -1).reshape(-1, v.shape[d])
    best = np.empty(m.shape[0], np.int64)
    for r, row in enumerate(m):
        vals, counts = np.unique(row, return_counts=True)
        top = vals[np.argmax(counts)]  # (unique sorts: the smallest of the most frequent)
        best[r] = np.flatnonzero(row == top)[-1]
    idx = np.expand_dims(best.reshape(np.moveaxis(v, d, -1).shape[:-1]), d)
    return _picked("mode", input, idx, d, keepdim)


@defpublic(method="nanmedian", numpy=no("np.nanmedian averages the two middle values"), cli=_CLI)
def nanmedian(input: Any, dim: int | None = None, keepdim: bool = False) -> Any:
    """The median of the values that are not NaN (the lower of the two middle ones for
    an even count; NaN when all are NaN): over all elements when ``dim`` is None, else
    ``(values, indices)`` along ``dim`` (PyTorch's ``torch.nanmedian``)."""
    x = _t(input)
    v = _values(cg.stop_gradient(x), "nanmedian")
    if dim is None:
        flat = v.reshape(-1)
        if flat.size == 0:
            raise ValueError("nanmedian: cannot take the median of an empty tensor")
        r = _lower_median(flat[None, :])[0]
        return cg.reshape(cg.reshape(x, (-1,))[r], ())
    if v.ndim == 0:
        one_axis(dim, 1, "nanmedian", ())
        return ModeResult(cg.array(x, copy=True), cg.asarray(np.int64(0)))
    d = one_axis(dim, v.ndim, "nanmedian", v.shape)
    if v.shape[d] == 0:
        raise ValueError(f"nanmedian: expected a non-empty dim {dim}, got shape {v.shape}")
    moved = np.moveaxis(v, d, -1)
    best = _lower_median(moved.reshape(-1, v.shape[d]))
    idx = np.expand_dims(best.reshape(moved.shape[:-1]), d)
    return _picked("nanmedian", x, idx, d, keepdim)


def _lower_median(rows: np.ndarray) -> np.ndarray:
    """The index in each row of its lower median among the non-NaN values (of a NaN
    when the row is all NaN)."""
    order = np.argsort(rows, axis=1, kind="stable")  # (NaNs sort last)
    count = (
        (~np.isnan(rows)).sum(axis=1)
        if rows.dtype.kind == "f"
        else np.full(len(rows), rows.shape[1])
    )
    k = np.maximum(count - 1, 0) // 2
    return order[np.arange(len(rows)), k]


@defpublic(method="unique_consecutive", numpy=_NP, cli=_NOT_DIFF)
def unique_consecutive(
    input: Any, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
) -> Any:
    """``input`` with each run of equal consecutive elements (slices along ``dim``)
    kept once; with ``return_inverse`` the run each element belongs to, with
    ``return_counts`` the runs' lengths (PyTorch's ``torch.unique_consecutive``)."""
    v = _values(input, "unique_consecutive")
    if dim is None:
        flat, shape, d = v.reshape(-1), v.shape, 0
    else:
        d = one_axis(dim, max(v.ndim, 1), "unique_consecutive", v.shape)
        flat, shape = np.moveaxis(v, d, 0), (v.shape[d],)
    n = len(flat)
    if n:
        same = np.all((flat[1:] == flat[:-1]).reshape(n - 1, -1), axis=1)
        starts = np.concatenate([[True], ~same])
    else:
        starts = np.zeros(0, bool)
    first = np.flatnonzero(starts)
    out = flat[first] if dim is None else np.moveaxis(flat[first], 0, d)
    res = [cg.asarray(out)]
    if return_inverse:
        res.append(cg.asarray((np.cumsum(starts) - 1).reshape(shape).astype(np.int64)))
    if return_counts:
        res.append(cg.asarray(np.diff(np.append(first, n)).astype(np.int64)))
    return res[0] if len(res) == 1 else tuple(res)


@defpublic(method="histogram", numpy=no("np.histogram takes density= and returns a tuple"),
           cli=_NOT_DIFF)  # fmt: skip
def histogram(
    input: Any, bins: Any = 100, *, range: Any = None, weight: Any = None, density: bool = False
) -> Any:
    """``(hist, bin_edges)``: the (weighted) counts of ``input``'s elements in ``bins``
    equal bins over ``range`` (the data's by default) or between the given edges, the
    last bin closed, optionally a density (PyTorch's ``torch.histogram``)."""
    a = _values(input, "histogram")
    if a.dtype.kind != "f":
        raise TypeError(f"histogram: expected a floating input, got {a.dtype}")
    b = plain(bins)
    w = None if weight is None else _values(weight, "histogram")
    if w is not None and w.shape != a.shape:
        raise ValueError(f"histogram: weight {w.shape} must have input's shape {a.shape}")
    if np.ndim(b) == 0:
        lo, hi = (float(np.min(a)), float(np.max(a))) if range is None and a.size else (0.0, 0.0)
        if range is not None:
            lo, hi = float(range[0]), float(range[1])
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5  # (as torch.histogram for constant data)
        hist, edges = np.histogram(a, int(b), (lo, hi), weights=w, density=density)
    else:
        hist, edges = np.histogram(a, np.asarray(b), weights=w, density=density)
    return HistogramResult(cg.asarray(hist.astype(a.dtype)), cg.asarray(edges.astype(a.dtype)))


# ------------------------------------------------------------------ building
@defpublic(method=no("PyTorch has no Tensor.combinations"), numpy=_NP, cli=_CLI)
def combinations(input: Any, r: int = 2, with_replacement: bool = False) -> Any:
    """The length-``r`` combinations of the 1-D ``input``'s elements, one per row, in
    ``itertools.combinations`` order (PyTorch's ``torch.combinations``)."""
    x = _t(input)
    shape = known_shape(x, "combinations")
    if len(shape) != 1:
        raise ValueError(f"combinations: Expect a 1D vector, but got shape {shape}")
    if r < 0:
        raise ValueError(f"combinations: Expect a non-negative number, but got {r}")
    if r == 0:
        return cg.asarray(np.zeros((0,), np.dtype(x.dtype)))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(shape[0]), r)), np.int64).reshape(-1, r)
    return x[idx]


@defpublic(method=no("PyTorch has no Tensor.cumulative_trapezoid"), numpy=_NP, cli=_CLI)
def cumulative_trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """The running trapezoidal-rule integral of ``y`` along ``dim`` (one fewer element),
    at the points ``x`` or spaced ``dx`` (PyTorch's ``torch.cumulative_trapezoid``)."""
    yt = _t(y)
    shape = known_shape(yt, "cumulative_trapezoid")
    if not shape:
        raise ValueError("cumulative_trapezoid: expected at least 1 dimension, got a 0-d tensor")
    d = one_axis(dim, len(shape), "cumulative_trapezoid", shape)
    n = shape[d]
    lo = yt[(slice(None),) * d + (slice(0, max(n - 1, 0)),)]
    hi = yt[(slice(None),) * d + (slice(1, n),)]
    mid = cg.divide(cg.add(lo, hi), 2.0)
    if x is not None:
        xt = _t(x)
        sx = known_shape(xt, "cumulative_trapezoid")
        steps = cg.diff(xt, axis=-1 if len(sx) == 1 else d - len(shape))
        if len(sx) == 1:
            steps = cg.reshape(steps, (-1,) + (1,) * (len(shape) - d - 1))
        mid = cg.multiply(mid, steps)
    elif dx is not None:
        mid = cg.multiply(mid, dx)
    return cg.cumsum(mid, axis=d)


@defpublic(method=no("creates a new tensor"), numpy=_NP, cli=no("creates a new tensor"))
def scalar_tensor(
    s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Any:
    """A 0-d tensor holding the number ``s``, of the default floating dtype unless
    ``dtype`` is given (PyTorch's ``torch.scalar_tensor``)."""
    dt = default_float("float64") if dtype is None else dtype
    return cg.full((), s, dt, device=device, requires_grad=requires_grad)


# ------------------------------------------------------------------ complex numbers
def _float_pair(where: str, a: Any, b: Any) -> tuple:
    x, y = _t(a), _t(b)
    dx, dy = np.dtype(x.dtype), np.dtype(y.dtype)
    if dx.kind != "f" or dx != dy:
        raise TypeError(
            f"{where}: expected both inputs to be the same floating dtype, got {dx} and {dy}"
        )
    return x, y, np.result_type(dx, np.complex64)


@defpublic(method=no("PyTorch has no Tensor.complex"), numpy=_NP, cli=_CLI)
def complex(real: Any, imag: Any) -> Any:
    """``real + 1j * imag`` of two tensors of the same floating dtype (PyTorch's
    ``torch.complex``)."""
    x, y, ct = _float_pair("complex", real, imag)
    return cg.add(cg.astype(x, ct), cg.multiply(cg.astype(y, ct), np.asarray(1j, ct)))


@defpublic(method=no("PyTorch has no Tensor.polar"), numpy=_NP, cli=_CLI)
def polar(abs: Any, angle: Any) -> Any:
    """``abs * (cos(angle) + 1j * sin(angle))`` (PyTorch's ``torch.polar``)."""
    r, t, _ = _float_pair("polar", abs, angle)
    return complex(cg.multiply(r, cg.cos(t)), cg.multiply(r, cg.sin(t)))


@defpublic(method=no("PyTorch has no Tensor.view_as_real"), numpy=_NP, cli=_CLI)
def view_as_real(input: Any) -> Any:
    """A complex tensor's real and imaginary parts on a new last dim of size 2 (a copy
    here, PyTorch's ``torch.view_as_real`` is a view)."""
    x = _t(input)
    if np.dtype(x.dtype).kind != "c":
        raise TypeError(f"view_as_real: is only supported for complex tensors, got {x.dtype}")
    return cg.stack([cg.real(x), cg.imag(x)], axis=-1)


@defpublic(method=no("PyTorch has no Tensor.view_as_complex"), numpy=_NP, cli=_CLI)
def view_as_complex(input: Any) -> Any:
    """The complex tensor whose real and imaginary parts are ``input``'s last dim of
    size 2 (a copy here; PyTorch's ``torch.view_as_complex``)."""
    x = _t(input)
    shape = known_shape(x, "view_as_complex")
    if not shape or shape[-1] != 2:
        raise ValueError(
            f"view_as_complex: Tensor must have a last dimension of size 2, got {shape}"
        )
    return complex(x[..., 0], x[..., 1])


@defpublic(method="conj_physical", numpy=_NP, cli=True)
def conj_physical(input: Any) -> Any:
    """The complex conjugate (PyTorch's ``torch.conj_physical``; ``conj`` here)."""
    return cg.conj(input)


@defpublic(method="resolve_conj", numpy=_NP, cli=no("the identity here"))
def resolve_conj(input: Any) -> Any:
    """``input`` itself: compgraph keeps no lazy conjugation (PyTorch's
    ``torch.resolve_conj``)."""
    return _t(input)


@defpublic(method="resolve_neg", numpy=_NP, cli=no("the identity here"))
def resolve_neg(input: Any) -> Any:
    """``input`` itself: compgraph keeps no lazy negation (PyTorch's
    ``torch.resolve_neg``)."""
    return _t(input)


@defpublic(method="frexp", numpy=no("np.frexp returns int32 exponents too; its dispatch stays NumPy's"),
           cli=_NOT_DIFF)  # fmt: skip
def frexp(input: Any) -> Any:
    """``(mantissa, exponent)`` with ``input = mantissa * 2 ** exponent`` and
    ``0.5 <= |mantissa| < 1`` (exponent int32; PyTorch's ``torch.frexp``, not
    differentiable)."""
    v = _values(input, "frexp")
    if v.dtype.kind != "f":
        raise TypeError(f"frexp: only supports floating-point dtypes, got {v.dtype}")
    m, e = np.frexp(v)
    return FrexpResult(cg.asarray(m), cg.asarray(e.astype(np.int32)))


@defpublic(method=no("PyTorch has no Tensor.rsub"), numpy=_NP, cli=_CLI)
def rsub(input: Any, other: Any, *, alpha: Any = 1) -> Any:
    """``other - alpha * input`` (PyTorch's ``torch.rsub``)."""
    return cg.subtract(other, input if alpha == 1 else cg.multiply(input, alpha))


# ------------------------------------------------------------------ linear algebra
@defpublic(method="svd", numpy=no("np.linalg.svd is cg.linalg.svd (it gives V's conjugate transpose)"),
           cli=_CLI)  # fmt: skip
def svd(input: Any, some: bool = True, compute_uv: bool = True) -> Any:
    """``(U, S, V)`` with ``input = U @ diag(S) @ V.mH`` (reduced unless ``some`` is
    False); PyTorch's older ``torch.svd`` (``cg.linalg.svd`` gives V's conjugate
    transpose instead).  ``compute_uv=False`` gives zero U and V, as PyTorch."""
    x = _t(input)
    shape = known_shape(x, "svd")
    if len(shape) < 2:
        raise ValueError(f"svd: input must have at least 2 dimensions, got shape {shape}")
    u, s, vh = lookup("linalg", "svd")(x, full_matrices=not some)
    v = (
        cg.conj(cg.swapaxes(vh, -1, -2))
        if np.dtype(x.dtype).kind == "c"
        else cg.swapaxes(vh, -1, -2)
    )
    if not compute_uv:
        return SvdResult(cg.zeros_like(cg.stop_gradient(u)), s, cg.zeros_like(cg.stop_gradient(v)))
    return SvdResult(u, s, v)


@defpublic(method="qr", numpy=no("np.linalg.qr is cg.linalg.qr"), cli=_CLI)
def qr(input: Any, some: bool = True) -> Any:
    """``(Q, R)``, reduced unless ``some`` is False (PyTorch's ``torch.qr``;
    ``cg.linalg.qr`` takes ``mode=``)."""
    return lookup("linalg", "qr")(input, mode="reduced" if some else "complete")


@defpublic(method="pinverse", numpy=no("np.linalg.pinv is cg.linalg.pinv"), cli=_CLI)
def pinverse(input: Any, rcond: float = 1e-15) -> Any:
    """The Moore-Penrose pseudo-inverse, singular values below ``rcond`` times the
    largest taken as 0 (PyTorch's ``torch.pinverse``)."""
    return lookup("linalg", "pinv")(input, rcond)


@defpublic(method=no("a function of several tensors"), numpy=_NP, cli=_CLI)
def chain_matmul(*matrices: Any) -> Any:
    """The product of the 2-D ``matrices`` in order (PyTorch's ``torch.chain_matmul``;
    ``cg.linalg.multi_dot``)."""
    if not matrices:
        raise ValueError("chain_matmul: expected one or more tensors, got none")
    if len(matrices) == 1:
        return cg.array(_t(matrices[0]), copy=True)
    return lookup("linalg", "multi_dot")(list(matrices))


@defpublic(method="adjoint", numpy=_NP, cli=_CLI)
def adjoint(input: Any) -> Any:
    """The conjugate transpose of the last two dims (PyTorch's ``torch.adjoint``)."""
    x = _t(input)
    t = cg.swapaxes(x, -1, -2)
    return cg.conj(t) if np.dtype(x.dtype).kind == "c" else t


for _f in (
    mode, nanmedian, unique_consecutive, histogram, combinations, cumulative_trapezoid,
    scalar_tensor, complex, polar, view_as_real, view_as_complex, conj_physical, resolve_conj,
    resolve_neg, frexp, rsub, svd, qr, pinverse, chain_matmul, adjoint,
):  # fmt: skip
    _f.__module__ = "compgraph"
del _f
