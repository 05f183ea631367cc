"""PyTorch's math and statistics functions that NumPy lacks or spells differently.

``isclose allclose nan_to_num addcmul addcdiv std_mean var_mean aminmax kthvalue msort
logcumsumexp cdist dist renorm baddbmm addbmm cov corrcoef frac`` are composites of the
public functions (their gradients come from those ops' rules, and match PyTorch's,
including the zero gradient of a distance at 0); ``unique bincount bucketize histc``
give integer (or counting) results that PyTorch does not differentiate, computed
with NumPy on the values.  Names, argument names and defaults are PyTorch's.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from .args import is_symbolic, ndim_of, one_axis, plain
from .manip import known_shape
from .namespace import cg, lookup
from .registry import defpublic
from .spec import no

__all__ = [
    "TORCH_ALIASES",
    "CumValues",
    "cummax",
    "cummin",
    "logdet",
    "addmv",
    "addr",
    "trapezoid",
    "trapz",
    "vander",
    "MinMax",
    "KthValue",
    "isclose",
    "allclose",
    "nan_to_num",
    "addcmul",
    "addcdiv",
    "std_mean",
    "var_mean",
    "aminmax",
    "kthvalue",
    "msort",
    "logcumsumexp",
    "cdist",
    "dist",
    "renorm",
    "baddbmm",
    "addbmm",
    "cov",
    "corrcoef",
    "frac",
    "unique",
    "bincount",
    "bucketize",
    "histc",
]

_CLI = no("takes several arguments; the command line calls one-argument functions of numbers")
_NP = no("NumPy has no function of this name and meaning (PyTorch's)")
_NOT_DIFF = no("an integer (counting) result, not differentiable, as PyTorch's")

#: PyTorch's ``torch.return_types.aminmax``.
MinMax = namedtuple("MinMax", ["min", "max"])
#: PyTorch's ``torch.return_types.kthvalue``.
KthValue = namedtuple("KthValue", ["values", "indices"])


def _t(x: Any) -> Any:
    return x if is_symbolic(x) or hasattr(x, "requires_grad") else cg.asarray(x)


def _dtype(x: Any) -> np.dtype:
    return np.dtype(x.dtype)


#: PyTorch's top-level (and Tensor method) names of functions declared under other
#: names: ``torch.<name>`` -> the declared function (``cg.lgamma`` is
#: ``cg.special.gammaln``, ``cg.inverse`` is ``cg.linalg.inv``: the same function
#: objects; :mod:`compgraph.torch_methods` publishes them, and the methods where the
#: Tensor has none of that name).  ``polygamma``'s method takes ``n`` as PyTorch's
#: ``t.polygamma(n)``.
TORCH_ALIASES: dict[str, str] = {
    "erfinv": "special.erfinv",
    "lgamma": "special.gammaln",
    "digamma": "special.digamma",
    "polygamma": "special.polygamma",
    "xlogy": "special.xlogy",
    "erfc": "special.erfc",
    "i0": "special.i0",
    "det": "linalg.det",
    "inverse": "linalg.inv",
    "slogdet": "linalg.slogdet",
    "matrix_power": "linalg.matrix_power",
    "swapdims": "swapaxes",
    "broadcast_tensors": "broadcast_arrays",
    "igamma": "special.gammainc",
    "igammac": "special.gammaincc",
    "mvlgamma": "special.multigammaln",
    "ger": "outer",
    "row_stack": "vstack",
    "cholesky": "linalg.cholesky",
}


# ------------------------------------------------------------------ comparisons
_NP_OWN = no("NumPy's own function keeps NumPy's rules (mixed dtypes, an ndarray result)")


@defpublic(method="isclose", numpy=_NP_OWN, cli=_CLI)
def isclose(
    input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Any:
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (equal infinities are
    close; NaNs only with ``equal_nan``), a bool tensor (PyTorch's ``torch.isclose``:
    two tensors must have the same dtype; a number or an array may be of any)."""
    both = hasattr(input, "requires_grad") and hasattr(other, "requires_grad")
    a, b = _t(input), _t(other)
    if both and a.dtype is not None and b.dtype is not None and a.dtype != b.dtype:
        raise TypeError(f"isclose: {a.dtype} did not match {b.dtype} (same dtypes expected)")
    if rtol < 0 or atol < 0:
        raise ValueError(f"isclose: rtol ({rtol}) and atol ({atol}) must be >= 0")
    a, b = cg.stop_gradient(a), cg.stop_gradient(b)
    if _dtype(a).kind == "b":
        r = cg.equal(a, b)
    else:
        with np.errstate(invalid="ignore", over="ignore"):  # (inf - inf: not close anyway)
            diff = cg.abs(cg.subtract(a, b))
            near = cg.less_equal(diff, cg.add(cg.multiply(cg.abs(b), rtol), atol))
        r = cg.logical_or(cg.equal(a, b), cg.logical_and(cg.isfinite(a), near))
    if equal_nan:
        r = cg.logical_or(r, cg.logical_and(cg.isnan(a), cg.isnan(b)))
    return r


@defpublic(method="allclose", numpy=_NP_OWN, cli=_CLI)
def allclose(
    input: Any, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether every element of ``input`` is close to ``other``'s (``isclose``), a
    Python bool (PyTorch's ``torch.allclose``)."""
    return bool(np.all(np.asarray(isclose(input, other, rtol, atol, equal_nan))))


# ------------------------------------------------------------------ elementwise
@defpublic(method="nan_to_num", numpy=no("np.nan_to_num takes copy= second"), cli=_CLI)
def nan_to_num(
    input: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Any:
    """NaN replaced by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (by default
    the dtype's largest and lowest finite values); gradient 1 at the finite elements
    and 0 at the replaced ones (PyTorch's ``torch.nan_to_num``)."""
    x = _t(input)
    dt = _dtype(x)
    if dt.kind not in "fc":
        return cg.array(x, copy=True)
    if dt.kind == "c":
        raise TypeError("nan_to_num: complex inputs are not supported here")
    info = np.finfo(dt)
    hi = info.max if posinf is None else posinf
    lo = info.min if neginf is None else neginf
    d = cg.stop_gradient(x)
    fixed = np.asarray(0, dt)
    r = cg.where(cg.isfinite(d), x, fixed)
    r = cg.where(cg.isnan(d), np.asarray(nan, dt), r)
    r = cg.where(cg.equal(d, np.inf), np.asarray(hi, dt), r)
    return cg.where(cg.equal(d, -np.inf), np.asarray(lo, dt), r)


@defpublic(method="addcmul", numpy=_NP, cli=_CLI)
def addcmul(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """``input + value * tensor1 * tensor2`` (PyTorch's ``torch.addcmul``)."""
    p = cg.multiply(tensor1, tensor2)
    return cg.add(input, p if value == 1 else cg.multiply(p, value))


@defpublic(method="addcdiv", numpy=_NP, cli=_CLI)
def addcdiv(input: Any, tensor1: Any, tensor2: Any, *, value: Any = 1) -> Any:
    """``input + value * tensor1 / tensor2`` (PyTorch's ``torch.addcdiv``; integer
    tensors are refused, as PyTorch)."""
    for t in (tensor1, tensor2):
        if _dtype(_t(t)).kind in "biu":
            raise TypeError(
                "addcdiv: Integer division with addcdiv is no longer supported; use "
                "addcmul(input, tensor1, 1 / tensor2) or true division"
            )
    q = cg.divide(tensor1, tensor2)
    return cg.add(input, q if value == 1 else cg.multiply(q, value))


@defpublic(method="frac", numpy=_NP, cli=True)
def frac(input: Any) -> Any:
    """The fractional part ``input - trunc(input)``, with the input's sign (PyTorch's
    ``torch.frac``); gradient 1."""
    return cg.subtract(input, cg.stop_gradient(cg.trunc(input)))


# ------------------------------------------------------------------ reductions
def _correction(where: str, unbiased: Any, correction: Any) -> Any:
    if unbiased is not None and correction is not None:
        raise TypeError(f"{where}: give unbiased or correction, not both")
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _moment_mean(
    pick: Any, where: str, input: Any, dim: Any, unbiased: Any, correction: Any, keepdim: bool
) -> tuple:
    x = _t(input)
    if isinstance(dim, bool):  # std_mean(x, False): PyTorch's old (input, unbiased) form
        dim, unbiased = None, dim
    axis = tuple(dim) if isinstance(dim, list) else dim
    c = _correction(where, unbiased, correction)
    return pick(x, axis=axis, correction=c, keepdims=keepdim), cg.mean(x, axis, keepdims=keepdim)


@defpublic(method=no("PyTorch has no Tensor.std_mean"), numpy=_NP, cli=_CLI)
def std_mean(
    input: Any,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple:
    """``(std, mean)`` over ``dim`` (all dims when None), the standard deviation with
    ``correction`` (default 1: the unbiased estimate); PyTorch's ``torch.std_mean``."""
    return _moment_mean(cg.std, "std_mean", input, dim, unbiased, correction, keepdim)


@defpublic(method=no("PyTorch has no Tensor.var_mean"), numpy=_NP, cli=_CLI)
def var_mean(
    input: Any,
    dim: Any = None,
    unbiased: bool | None = None,
    keepdim: bool = False,
    *,
    correction: Any = None,
) -> tuple:
    """``(var, mean)`` over ``dim`` (all dims when None), the variance with
    ``correction`` (default 1: the unbiased estimate); PyTorch's ``torch.var_mean``."""
    return _moment_mean(cg.var, "var_mean", input, dim, unbiased, correction, keepdim)


@defpublic(method="aminmax", numpy=_NP, cli=_CLI)
def aminmax(input: Any, *, dim: int | None = None, keepdim: bool = False) -> Any:
    """``(min, max)`` over ``dim`` (all elements when None), as PyTorch's
    ``torch.aminmax`` (a tie shares the gradient evenly, as ``amin``/``amax``)."""
    x = _t(input)
    shape = known_shape(x, "aminmax")
    axis = None if dim is None else one_axis(dim, max(len(shape), 1), "aminmax", shape)
    if (0 in shape and dim is None) or (axis is not None and shape and shape[axis] == 0):
        raise ValueError(
            f"aminmax: Expected reduction dim to be specified for input.numel() == 0 / a "
            f"non-empty dim {dim}, got shape {shape}"
        )
    if not shape:
        axis = None
    lo = cg.min(x, axis=axis, keepdims=keepdim)
    hi = cg.max(x, axis=axis, keepdims=keepdim)
    if dim is None and keepdim and shape:
        lo, hi = cg.reshape(lo, (1,) * len(shape)), cg.reshape(hi, (1,) * len(shape))
    return MinMax(lo, hi)


@defpublic(method="kthvalue", numpy=_NP, cli=_CLI)
def kthvalue(input: Any, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """``(values, indices)``: the ``k``-th smallest element (counting from 1) along
    ``dim`` and its index (PyTorch's ``torch.kthvalue``)."""
    x = _t(input)
    shape = known_shape(x, "kthvalue")
    scalar = not shape
    if scalar:
        x, shape = cg.reshape(x, (1,)), (1,)
    d = one_axis(dim, len(shape), "kthvalue", shape)
    if not 1 <= int(k) <= shape[d]:
        raise IndexError(f"kthvalue: selected number k ({k}) out of range for dimension {d} "
                         f"of size {shape[d]}")  # fmt: skip
    pick = np.array([int(k) - 1])  # (sort and argsort, both stable: static graphs too)
    idx = cg.take(cg.argsort(cg.stop_gradient(x), axis=d, stable=True), pick, axis=d)
    values = cg.take(cg.sort(x, axis=d, stable=True), pick, axis=d)
    if scalar:
        return KthValue(cg.reshape(values, ()), cg.reshape(idx, ()))
    if not keepdim:
        values, idx = cg.squeeze(values, d), cg.squeeze(idx, d)
    return KthValue(values, idx)


@defpublic(method="msort", numpy=no("np.msort was removed in NumPy 2"), cli=True)
def msort(input: Any) -> Any:
    """``input`` sorted along its first dim (PyTorch's ``torch.msort``)."""
    x = _t(input)
    return cg.array(x, copy=True) if ndim_of(x) == 0 else cg.sort(x, axis=0)


_LCSE_BLOCK = 128


@defpublic(method="logcumsumexp", numpy=_NP, cli=_CLI)
def logcumsumexp(input: Any, dim: int) -> Any:
    """``log(cumsum(exp(input)))`` along ``dim``, without overflow or underflow: each
    output is the ``logsumexp`` of the elements up to it and the result of the block
    before (blocks of 128 along ``dim``, each one masked ``logsumexp``); PyTorch's
    ``torch.logcumsumexp``."""
    x = _t(input)
    shape = known_shape(x, "logcumsumexp")
    if not shape:
        one_axis(dim, 1, "logcumsumexp", shape)
        return cg.array(x, copy=True)
    d = one_axis(dim, len(shape), "logcumsumexp", shape)
    n = shape[d]
    if n == 0:
        return cg.array(x, copy=True)
    dt = _dtype(x)
    if dt.kind not in "fc":
        raise TypeError(f"logcumsumexp: expected a floating input, got {dt}")
    xm = cg.moveaxis(x, d, -1)  # (..., n)
    outs: list = []
    carry = None  # the result at the end of the blocks before
    for lo in range(0, n, _LCSE_BLOCK):
        k = min(_LCSE_BLOCK, n - lo)
        block = xm[..., lo : lo + k] if k != n else xm
        mask = np.where(np.tril(np.ones((k, k), bool)), 0.0, -np.inf).astype(dt)
        rows = cg.add(cg.expand_dims(block, -2), mask)  # (..., k, k): row i holds block[:i+1]
        if carry is not None:
            lead = tuple(rows.shape[:-1]) + (1,)
            rows = cg.concatenate(
                [cg.broadcast_to(cg.expand_dims(carry, (-1, -2)), lead), rows], -1
            )
        out = cg.logsumexp(rows, axis=-1)
        outs.append(out)
        carry = out[..., k - 1]
    r = outs[0] if len(outs) == 1 else cg.concatenate(outs, axis=-1)
    return cg.moveaxis(r, -1, d)


# ------------------------------------------------------------------ distances
def _safe_root(s: Any, p: float) -> Any:
    """``s ** (1 / p)`` for ``s >= 0``, with gradient 0 (not inf or NaN) where ``s`` is 0."""
    pos = cg.greater(cg.stop_gradient(s), 0)
    safe = cg.where(pos, s, 1.0)
    return cg.where(pos, cg.power(safe, 1.0 / p), 0.0)


def _pnorm(diff: Any, p: float, axis: Any) -> Any:
    """The p-norm of ``diff`` over ``axis``, with PyTorch's subgradient 0 at 0."""
    a = cg.abs(diff)
    if p == 0:
        return cg.sum(cg.astype(cg.not_equal(cg.stop_gradient(diff), 0), _dtype(diff)), axis=axis)
    if p == math.inf:
        return cg.max(a, axis=axis)
    if p == 1:
        return cg.sum(a, axis=axis)
    pos = cg.greater(cg.stop_gradient(a), 0)
    ap = cg.where(pos, cg.power(cg.where(pos, a, 1.0), p), 0.0)
    return _safe_root(cg.sum(ap, axis=axis), p)


@defpublic(method=no("PyTorch has no Tensor.cdist"), numpy=_NP, cli=_CLI)
def cdist(x1: Any, x2: Any, p: float = 2.0, compute_mode: str | None = None) -> Any:
    """The p-norm distance between each row vector of ``x1`` (..., P, M) and each of
    ``x2`` (..., R, M): shape (..., P, R) (PyTorch's ``torch.cdist``; ``compute_mode``
    is accepted, the distances are computed directly)."""
    a, b = _t(x1), _t(x2)
    sa, sb = known_shape(a, "cdist"), known_shape(b, "cdist")
    if len(sa) < 2 or len(sb) < 2:
        raise ValueError(f"cdist: only supports at least 2D tensors, got shapes {sa} and {sb}")
    if sa[-1] != sb[-1]:
        raise ValueError(
            f"cdist: X1 and X2 must have the same number of columns. X1: {sa[-1]} X2: {sb[-1]}"
        )
    if p < 0:
        raise ValueError(f"cdist: only supports non-negative p values, got {p}")
    diff = cg.subtract(cg.expand_dims(a, -2), cg.expand_dims(b, -3))  # (..., P, R, M)
    return _pnorm(diff, float(p), -1)


@defpublic(method="dist", numpy=_NP, cli=_CLI)
def dist(input: Any, other: Any, p: float = 2) -> Any:
    """The p-norm of ``input - other`` (broadcast), over all elements (PyTorch's
    ``torch.dist``)."""
    return _pnorm(cg.subtract(input, other), float(p), None)


@defpublic(method="renorm", numpy=_NP, cli=_CLI)
def renorm(input: Any, p: float, dim: int, maxnorm: float) -> Any:
    """Each sub-tensor along ``dim`` whose p-norm exceeds ``maxnorm`` scaled down to
    norm ``maxnorm`` (PyTorch's ``torch.renorm``, whose scale is
    ``maxnorm / (norm + 1e-7)``)."""
    x = _t(input)
    shape = known_shape(x, "renorm")
    if len(shape) < 2:
        raise ValueError(f"renorm: input needs at least 2 dimensions, got {len(shape)}")
    if p <= 0:
        raise ValueError(f"renorm: non-positive norm (p = {p}) not supported")
    if maxnorm < 0:
        raise ValueError(f"renorm: non-negative maxnorm expected, got {maxnorm}")
    d = one_axis(dim, len(shape), "renorm", shape)
    others = tuple(a for a in range(len(shape)) if a != d)
    norms = cg.reshape(
        _pnorm(x, float(p), others), tuple(n if a == d else 1 for a, n in enumerate(shape))
    )
    over = cg.greater(cg.stop_gradient(norms), maxnorm)
    scale = cg.where(over, cg.divide(maxnorm, cg.add(norms, 1e-7)), 1.0)
    return cg.multiply(x, scale)


# ------------------------------------------------------------------ products
def _scaled(t: Any, s: Any) -> Any:
    return t if s == 1 else cg.multiply(t, s)


@defpublic(method="baddbmm", numpy=_NP, cli=_CLI)
def baddbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * (batch1 @ batch2)`` for batches of matrices (b, n, m)
    and (b, m, p); with ``beta=0`` ``input`` is ignored (its NaNs too), as PyTorch's
    ``torch.baddbmm``."""
    return _add_product("baddbmm", input, batch1, batch2, beta, alpha, False)


@defpublic(method="addbmm", numpy=_NP, cli=_CLI)
def addbmm(input: Any, batch1: Any, batch2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])`` (PyTorch's
    ``torch.addbmm``; ``beta=0`` ignores ``input``)."""
    return _add_product("addbmm", input, batch1, batch2, beta, alpha, True)


def _add_product(
    where: str, input: Any, b1: Any, b2: Any, beta: Any, alpha: Any, total: bool
) -> Any:
    s1, s2 = known_shape(b1, where), known_shape(b2, where)
    if len(s1) != 3 or len(s2) != 3:
        raise ValueError(f"{where}: batch1 and batch2 must be 3D tensors, got {s1} and {s2}")
    if s1[0] != s2[0] or s1[2] != s2[1]:
        raise ValueError(
            f"{where}: batch1 {s1} and batch2 {s2} do not multiply: expected (b, n, m) and "
            f"(b, m, p)"
        )
    prod = cg.matmul(b1, b2)
    if total:
        prod = cg.sum(prod, axis=0)
    want = tuple(prod.shape)
    try:
        if np.broadcast_shapes(known_shape(input, where), want) != want:
            raise ValueError
    except ValueError:
        raise ValueError(
            f"{where}: input of shape {known_shape(input, where)} does not broadcast to the "
            f"product's shape {want}"
        ) from None
    prod = _scaled(prod, alpha)
    if beta == 0:
        return cg.broadcast_to(prod, want)
    return cg.add(_scaled(input, beta), prod)


# ------------------------------------------------------------------ covariance
@defpublic(method="cov", numpy=no("np.cov takes y, rowvar, bias, ddof first"), cli=_CLI)
def cov(input: Any, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Any:
    """The covariance matrix of the variables in ``input``'s rows (observations in its
    columns; one variable, a 1-D input or a single row, gives a 0-d result), with ``correction`` (1: the
    unbiased estimate) and optional frequency and observation weights (PyTorch's
    ``torch.cov``)."""
    x = _t(input)
    shape = known_shape(x, "cov")
    if len(shape) > 2:
        raise ValueError(f"cov: expected input to have two or fewer dimensions, got {len(shape)}")
    m = cg.reshape(x, (1, -1)) if len(shape) < 2 else x
    n = known_shape(m, "cov")[1]
    w = None
    if fweights is not None:
        f = np.asarray(plain(fweights))
        if f.dtype.kind not in "iu" or f.shape != (n,) or (f < 0).any():
            raise ValueError(
                f"cov: fweights must be a 1-D tensor of {n} non-negative integers, got "
                f"{f.dtype} {f.shape}"
            )
        w = f.astype(np.float64)
    aw = None
    if aweights is not None:
        aw = _t(aweights)
        if known_shape(aw, "cov") != (n,) or _dtype(aw).kind != "f":
            raise ValueError(f"cov: aweights must be a 1-D floating tensor of {n} elements")
        w = aw if w is None else cg.multiply(aw, w)
    dt = _dtype(m) if _dtype(m).kind in "fc" else np.dtype(np.float64)
    if dt != _dtype(m):
        m = cg.astype(m, dt)
    if w is None:
        total: Any = float(n)
        avg = cg.mean(m, axis=1, keepdims=True)
        norm = total - correction
    else:
        total = cg.sum(w)
        avg = cg.divide(cg.sum(cg.multiply(m, w), axis=1, keepdims=True), total)
        if aw is None or correction == 0:
            norm = cg.subtract(total, correction)
        else:
            norm = cg.subtract(
                total, cg.divide(cg.multiply(cg.sum(cg.multiply(w, aw)), correction), total)
            )
    c = cg.subtract(m, avg)
    cw = c if w is None else cg.multiply(c, w)
    norm = cg.maximum(norm, 0)
    r = cg.divide(
        cg.matmul(cw, cg.conj(cg.transpose(c)) if dt.kind == "c" else cg.transpose(c)), norm
    )
    return cg.reshape(r, ()) if known_shape(m, "cov")[0] == 1 else r  # (as torch: squeezed)


@defpublic(method="corrcoef", numpy=no("np.corrcoef takes y and rowvar"), cli=True)
def corrcoef(input: Any) -> Any:
    """The Pearson correlation coefficients of the variables in ``input``'s rows,
    clipped to [-1, 1] (PyTorch's ``torch.corrcoef``)."""
    c = cov(input)
    if ndim_of(c) == 0:
        return cg.divide(c, c)
    d = cg.sqrt(cg.diagonal(c))
    r = cg.divide(cg.divide(c, cg.expand_dims(d, 1)), cg.expand_dims(d, 0))
    return cg.clip(r, -1, 1)


# ------------------------------------------------------------------ more of PyTorch's
#: PyTorch's ``torch.return_types.cummax`` / ``cummin``.
CumValues = namedtuple("CumValues", ["values", "indices"])


def _cumulative(where: str, input: Any, dim: int, larger: bool) -> Any:
    x = _t(input)
    if is_symbolic(x):
        raise TypeError(
            f"{where}: its indices are computed from the input's values, which a static "
            f"graph does not have yet; call {where} outside cg.function"
        )
    shape = known_shape(x, where)
    d = one_axis(dim, max(len(shape), 1), where, shape)
    if not shape or shape[d] == 0:
        return CumValues(cg.array(x, copy=True), cg.asarray(np.zeros(shape, np.int64)))
    v = np.asarray(plain(cg.stop_gradient(x)))
    run = (np.maximum if larger else np.minimum).accumulate(v, axis=d)
    pos = np.arange(shape[d]).reshape((-1,) + (1,) * (len(shape) - d - 1))
    hit = (v == run) | (np.isnan(v) if v.dtype.kind in "fc" else False)
    idx = np.maximum.accumulate(np.where(hit, pos, -1), axis=d)  # the last such index, as torch
    return CumValues(cg.take_along_axis(x, idx, axis=d), cg.asarray(idx.astype(np.int64)))


@defpublic(method="cummax", numpy=_NP, cli=_CLI)
def cummax(input: Any, dim: int) -> Any:
    """``(values, indices)``: the running maximum along ``dim`` and where it was taken
    (the latest of equal values), as PyTorch's ``torch.cummax``; the gradient goes to
    that element."""
    return _cumulative("cummax", input, dim, True)


@defpublic(method="cummin", numpy=_NP, cli=_CLI)
def cummin(input: Any, dim: int) -> Any:
    """``(values, indices)``: the running minimum along ``dim`` and where it was taken,
    as PyTorch's ``torch.cummin``."""
    return _cumulative("cummin", input, dim, False)


@defpublic(method="logdet", numpy=_NP, cli=_CLI)
def logdet(input: Any) -> Any:
    """``log(det(input))`` of (batches of) square matrices: NaN for a negative
    determinant, -inf for 0 (PyTorch's ``torch.logdet``)."""
    sign, logabs = lookup("linalg", "slogdet")(input)
    sg = cg.stop_gradient(sign)
    bad = cg.where(cg.equal(sg, 0), -np.inf, np.nan)
    return cg.where(cg.greater(sg, 0), logabs, cg.astype(bad, np.dtype(logabs.dtype)))


@defpublic(method="addmv", numpy=_NP, cli=_CLI)
def addmv(input: Any, mat: Any, vec: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * (mat @ vec)`` (PyTorch's ``torch.addmv``; ``beta=0``
    ignores ``input``)."""
    sm, sv = known_shape(mat, "addmv"), known_shape(vec, "addmv")
    if len(sm) != 2 or len(sv) != 1 or sm[1] != sv[0]:
        raise ValueError(f"addmv: mat {sm} and vec {sv} do not multiply: expected (n, m), (m,)")
    return _plus_scaled("addmv", input, cg.matmul(mat, vec), beta, alpha)


@defpublic(method="addr", numpy=_NP, cli=_CLI)
def addr(input: Any, vec1: Any, vec2: Any, *, beta: Any = 1, alpha: Any = 1) -> Any:
    """``beta * input + alpha * outer(vec1, vec2)`` (PyTorch's ``torch.addr``)."""
    s1, s2 = known_shape(vec1, "addr"), known_shape(vec2, "addr")
    if len(s1) != 1 or len(s2) != 1:
        raise ValueError(f"addr: expected 1-D vectors, got shapes {s1} and {s2}")
    return _plus_scaled("addr", input, cg.outer(vec1, vec2), beta, alpha)


def _plus_scaled(where: str, input: Any, prod: Any, beta: Any, alpha: Any) -> Any:
    want = tuple(prod.shape)
    si = known_shape(input, where)
    try:
        ok = np.broadcast_shapes(si, want) == want
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{where}: input of shape {si} does not broadcast to {want}")
    prod = _scaled(prod, alpha)
    if beta == 0:
        return cg.broadcast_to(prod, want)
    return cg.add(_scaled(input, beta), prod)


@defpublic(method=no("PyTorch has no Tensor.trapezoid"), numpy=no("np.trapezoid's argument names differ"),
           cli=_CLI)  # fmt: skip
def trapezoid(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """The trapezoidal rule's integral of ``y`` along ``dim``, at the points ``x`` or
    spaced ``dx`` (default 1); PyTorch's ``torch.trapezoid``."""
    yt = _t(y)
    shape = known_shape(yt, "trapezoid")
    if not shape:
        raise ValueError("trapezoid: expected a tensor with at least 1 dimension, got a 0-d one")
    d = one_axis(dim, len(shape), "trapezoid", shape)
    if x is not None and dx is not None:
        raise TypeError("trapezoid: give x or dx, not both")
    n = shape[d]
    if n == 0:
        return cg.sum(yt, axis=d)
    lo = yt[(slice(None),) * d + (slice(0, n - 1),)]
    hi = yt[(slice(None),) * d + (slice(1, n),)]
    mid = cg.divide(cg.add(lo, hi), 2.0)
    if x is None:
        return cg.multiply(cg.sum(mid, axis=d), 1.0 if dx is None else dx)
    xt = _t(x)
    sx = known_shape(xt, "trapezoid")
    if len(sx) == 1:
        if sx[0] != n:
            raise ValueError(f"trapezoid: x of length {sx[0]} for {n} values of y along dim {d}")
        steps = cg.reshape(cg.diff(xt), (n - 1,) + (1,) * (len(shape) - d - 1))
    else:  # (x broadcast against y, aligned at the end as broadcasting does)
        steps = cg.diff(xt, axis=d - len(shape))
    return cg.sum(cg.multiply(mid, steps), axis=d)


@defpublic(method=no("PyTorch has no Tensor.trapz"), numpy=no("np.trapz was removed in NumPy 2"),
           cli=_CLI)  # fmt: skip
def trapz(y: Any, x: Any = None, *, dx: Any = None, dim: int = -1) -> Any:
    """PyTorch's older name of :func:`trapezoid` (``torch.trapz(y, x, dim=-1)``)."""
    return trapezoid(y, x, dx=dx, dim=dim)


@defpublic(method=no("PyTorch has no Tensor.vander"), numpy=no("np.vander's default N and order differ"),
           cli=_CLI)  # fmt: skip
def vander(x: Any, N: int | None = None, increasing: bool = False) -> Any:
    """The Vandermonde matrix of the 1-D ``x``: columns ``x ** (N - 1) ... x ** 0``
    (``x ** 0 ...`` with ``increasing``), ``N`` the length of ``x`` unless given
    (PyTorch's ``torch.vander``)."""
    xt = _t(x)
    shape = known_shape(xt, "vander")
    if len(shape) != 1:
        raise ValueError(f"vander: x must be a one-dimensional tensor, got shape {shape}")
    n = shape[0] if N is None else int(N)
    if n < 0:
        raise ValueError(f"vander: N must be non-negative, got {N}")
    if n == 0:
        return cg.asarray(np.zeros((shape[0], 0), np.dtype(xt.dtype)))
    cols = [cg.ones_like(xt)]
    for _ in range(n - 1):
        cols.append(cg.multiply(cols[-1], xt))  # (products, not powers: exact for integers)
    m = cg.stack(cols, axis=1)
    return m if increasing else cg.flip(m, 1)


# ------------------------------------------------------------------ counting
def _values(x: Any, where: str) -> np.ndarray:
    if is_symbolic(x):
        raise TypeError(f"{where}: needs the values of its input (an integer result), not a "
                        f"static-graph value")  # fmt: skip
    return np.asarray(plain(x))


def _int_tensor(a: Any) -> Any:
    return cg.asarray(np.asarray(a, np.int64))


@defpublic(method="unique", numpy=no("np.unique returns index and takes axis; PyTorch's order differs"),
           cli=_NOT_DIFF)  # fmt: skip
def unique(
    input: Any,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct elements of ``input`` in ascending order (distinct slices along
    ``dim`` when given), and with ``return_inverse`` the index of each element's value
    among them (input's shape), with ``return_counts`` how often each occurs (PyTorch's
    ``torch.unique``; not differentiable, as PyTorch)."""
    a = _values(input, "unique")
    if dim is not None:
        dim = one_axis(dim, a.ndim, "unique", a.shape)
    u, inv, counts = np.unique(a, return_inverse=True, return_counts=True, axis=dim)
    inv = inv.reshape(a.shape if dim is None else (a.shape[dim],))
    out = [cg.asarray(u)]
    if return_inverse:
        out.append(_int_tensor(inv))
    if return_counts:
        out.append(_int_tensor(counts))
    return out[0] if len(out) == 1 else tuple(out)


@defpublic(method="bincount", numpy=_NP_OWN, cli=_NOT_DIFF)
def bincount(input: Any, weights: Any = None, minlength: int = 0) -> Any:
    """How often each value 0, 1, ... occurs in the 1-D non-negative integer ``input``
    (at least ``minlength`` counts), or the sums of ``weights`` per value (PyTorch's
    ``torch.bincount``; not differentiable, as PyTorch)."""
    a = _values(input, "bincount")
    if a.ndim != 1 or a.dtype.kind not in "iu" and not (a.size == 0):
        raise ValueError(f"bincount: only supports 1-d non-negative integral inputs, got "
                         f"{a.dtype} of shape {a.shape}")  # fmt: skip
    if a.size and a.min() < 0:
        raise ValueError("bincount: only supports 1-d non-negative integral inputs")
    if minlength < 0:
        raise ValueError(f"bincount: minlength should be >= 0, got {minlength}")
    a = a.astype(np.int64)
    if weights is None:
        return _int_tensor(np.bincount(a, minlength=minlength))
    w = _values(weights, "bincount")
    if w.shape != a.shape:
        raise ValueError(
            f"bincount: weights {w.shape} should have the same length as input {a.shape}"
        )
    dt = w.dtype if w.dtype.kind == "f" else np.dtype(np.float64)
    return cg.asarray(np.bincount(a, w, minlength=minlength).astype(dt))


@defpublic(method=no("PyTorch has no Tensor.bucketize"), numpy=no("np.digitize's rule differs"),
           cli=_NOT_DIFF)  # fmt: skip
def bucketize(input: Any, boundaries: Any, *, out_int32: bool = False, right: bool = False) -> Any:
    """For each element of ``input``, the index of its bucket among the sorted 1-D
    ``boundaries``: ``boundaries[i-1] < x <= boundaries[i]`` (with ``right``,
    ``boundaries[i-1] <= x < boundaries[i]``); PyTorch's ``torch.bucketize``."""
    b = _values(boundaries, "bucketize")
    if b.ndim != 1:
        raise ValueError(f"bucketize: boundaries tensor must be 1 dimension, but got dim({b.ndim})")
    x = _values(input, "bucketize")
    r = np.searchsorted(b, x, side="right" if right else "left")
    return cg.asarray(np.asarray(r, np.int32 if out_int32 else np.int64))


@defpublic(method="histc", numpy=no("np.histogram returns the edges too"), cli=_NOT_DIFF)
def histc(input: Any, bins: int = 100, min: float = 0, max: float = 0) -> Any:
    """The counts of ``input``'s elements in ``bins`` equal bins between ``min`` and
    ``max`` (the data's when both are 0; elements outside are ignored), in the input's
    floating dtype (PyTorch's ``torch.histc``; not differentiable)."""
    a = _values(input, "histc")
    if a.dtype.kind != "f":
        raise TypeError(f"histc: expected a floating input, got {a.dtype}")
    if bins <= 0:
        raise ValueError(f"histc: bins must be > 0, got {bins}")
    lo, hi = float(min), float(max)
    if lo == hi and a.size:
        lo, hi = float(np.min(a)), float(np.max(a))
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise ValueError(f"histc: max must be larger than min, got min {min} and max {max}")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"histc: range of [{lo}, {hi}] is not finite")
    counts, _ = np.histogram(a[(a >= lo) & (a <= hi)], bins=bins, range=(lo, hi))
    return cg.asarray(counts.astype(a.dtype))


for _f in (
    isclose, allclose, nan_to_num, addcmul, addcdiv, frac, std_mean, var_mean, aminmax,
    kthvalue, msort, logcumsumexp, cdist, dist, renorm, baddbmm, addbmm, cov, corrcoef,
    unique, bincount, bucketize, histc, cummax, cummin, logdet, addmv, addr, trapezoid, trapz,
    vander,
):  # fmt: skip
    _f.__module__ = "compgraph"
del _f
