"""``cg.linalg``: NumPy's ``numpy.linalg`` and the array API's linalg extension, batched
over leading axes like NumPy, with the derivative rules of the matrix-calculus
literature (Giles 2008; Murray 2016 for cholesky; Townsend 2016 for svd; Walter and
Lehmann 2018 for qr), checked against ``torch.linalg``.

* Complex inputs follow JAX's convention (see ops/complex.py).  inv, solve and det are
  holomorphic: their rules are the real ones, with transposes.  The rules of the other
  functions are written as PyTorch's (with conjugate transposes) and :func:`_jax`
  conjugates cotangent and result, which turns PyTorch's convention into JAX's.
* slogdet, eigh, svd and qr have several results: one primitive computes them with
  one LAPACK call and packs them on its last axes; the public function splits them.
* As in PyTorch and JAX: eigh's and svd's gradients are inf/nan at repeated eigenvalues
  or singular values when the vectors are used (values alone are fine); the vectors'
  signs and phases are LAPACK's, so only functions that do not depend on them have
  well-defined gradients; cholesky, eigh and eigvalsh read one triangle (NumPy) but
  treat the input as Hermitian: the gradient is Hermitian; svd with
  ``full_matrices=True`` and qr with ``mode="complete"`` give the extra columns no
  gradient (PyTorch); det, slogdet, inv and solve need invertible matrices.
"""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np

from .args import is_symbolic, ndim_of, normalize_axis, shape_of
from .elementwise import real_dtype
from .meta import Meta, floating, reduced
from .namespace import cg as _cg
from .registry import defop, defpublic
from .spec import Onnx, no

__all__ = [
    "SlogdetResult",
    "EighResult",
    "SVDResult",
    "QRResult",
    "slogdet",
    "eigh",
    "svd",
    "qr",
    "matrix_power",
    "matrix_norm",
    "norm",
    "matmul",
    "multi_dot",
    "cond",
    "tensorinv",
    "tensorsolve",
    "lstsq",
    "LstsqResult",
    "run",
    "dims",
]

SlogdetResult = namedtuple("SlogdetResult", "sign logabsdet")
EighResult = namedtuple("EighResult", "eigenvalues eigenvectors")
SVDResult = namedtuple("SVDResult", "U S Vh")
QRResult = namedtuple("QRResult", "Q R")

_NOT: dict[str, Any] = dict(
    method=no("numpy.linalg's functions are not ndarray methods"),
    cli=no("a matrix function; the command line computes with scalars"),
)
_COMMON: dict[str, Any] = dict(
    onnx=no("ONNX has no such matrix operator"),
    batch=no("the rule runs once per direction"),
    dtype=floating,
    **_NOT,
)


def run(op: Any, *args: Any, **attrs: Any) -> Any:
    """An op's public function (checks and dispatch) called from a composite."""
    front = op.front
    assert front is not None and front.function is not None
    return front.function(*args, **attrs)


def dims(x: Any, where: str) -> tuple:
    """The shape, which the composite needs to know (a static value of unknown shape: error)."""
    s = shape_of(x)
    if s is None or None in s:
        raise ValueError(f"{where}: needs the input's shape (declare it on static inputs)")
    return tuple(s)


# ---------------------------------------------------------------- helpers for the rules
def _c(x: Any) -> bool:
    d = getattr(x, "dtype", None)
    return d is not None and d.kind == "c"


def _mT(ns, x):
    return ns.swapaxes(x, axis1=-1, axis2=-2)


def _mH(ns, x):
    return ns.conj(_mT(ns, x)) if _c(x) else _mT(ns, x)


def _mm(ns, *xs):
    r = xs[0]
    for x in xs[1:]:
        r = ns.matmul(r, x)
    return r


def _diag(v):
    """(..., n) -> diagonal matrices (..., n, n)."""
    return v[..., None] * np.eye(v.shape[-1], dtype=bool)


def _diagonal(m):
    r = np.arange(m.shape[-1])
    return m[..., r, r]


def _sum2(ns, x):
    """Sum over the last two axes."""
    return ns.sum(x, axis=(x.ndim - 2, x.ndim - 1), keepdims=False)


def _herm(ns, t):
    return (t + _mH(ns, t)) * 0.5


def _zero(g: Any) -> bool:
    """A cotangent known to be zero (a result the function did not use)."""
    d = getattr(g, "_data", g)
    return isinstance(d, np.ndarray) and not d.any()


def _jax(rule):
    """A rule written in PyTorch's convention (conjugated cotangents), in JAX's."""

    def jax_rule(ns, g, out, a, *rest, **attrs):
        if not _c(a):
            return rule(ns, g, out, a, *rest, **attrs)
        return ns.conj(rule(ns, ns.conj(g), out, a, *rest, **attrs))

    return jax_rule


def _tr_inv(ns, a, t):
    """tr(a^-1 t), batched: the differential of log det."""
    return _sum2(ns, _mT(ns, ns.linalg_inv(a)) * t)


def _split(p, cores, reshape):
    """The parts packed (flattened) on the last axis of ``p``, with their core shapes."""
    b, i, parts = tuple(p.shape[:-1]), 0, []
    for c in cores:
        n = math.prod(c)
        parts.append(reshape(p[..., i : i + n], b + tuple(c)))
        i += n
    return parts


def _pack(ns, parts):
    b = tuple(parts[0].shape[: parts[0].ndim - 2])
    flat = [ns.reshape(x, shape=b + (math.prod(x.shape[len(b) :]),)) for x in parts]
    return ns.concatenate(*flat, axis=len(b))


def _shape(f):
    """A shape rule from ``f(shape, **attrs)``, None while the input's shape is unknown."""

    def rule(metas, **attrs):
        s = metas[0].shape if isinstance(metas[0], Meta) else ()
        return None if s is None or None in s else f(tuple(s), **attrs)

    return rule


def _square(name):
    def prepare(a: Any, /) -> tuple:
        s = shape_of(a)
        if s is not None and (len(s) < 2 or None not in s[-2:] and s[-1] != s[-2]):
            raise ValueError(f"{name}: expected square matrices (..., n, n), got shape {s}")
        return (a,), {}

    return prepare


# ---------------------------------------------------------------- inv, solve, det
INV = defop(
    "linalg_inv",
    np.linalg.inv,
    shape=_shape(lambda s: s),
    vjp=(lambda ns, g, out, a: -_mm(ns, _mT(ns, out), g, _mT(ns, out)),),
    jvp=(lambda ns, t, out, a: -_mm(ns, out, t, out),),
    saves=((),),
    save_out=True,
    deriv=("-inv(a).T @ g @ inv(a).T",),
    args=("a",),
    doc="The inverse of each square matrix (``numpy.linalg.inv``).",
    names=("linalg.inv",),
    prepare=_square("inv"),
    numpy=np.linalg.inv,
    **_COMMON,
)


def _solve_vec(ns, a, b, vector):
    return ns.linalg_solve(a, b[..., None])[..., 0] if vector else ns.linalg_solve(a, b)


def _mv(ns, m, v, vector):
    """m @ v, v a stack of vectors when ``vector`` (NumPy 2's rule for solve's b)."""
    return ns.matmul(m, v[..., None])[..., 0] if vector else ns.matmul(m, v)


def _solve_db(ns, g, out, a, b):
    return _solve_vec(ns, _mT(ns, a), g, b.ndim == 1)


def _solve_da(ns, g, out, a, b, gb=None):
    gb = _solve_db(ns, g, out, a, b) if gb is None else gb
    return -(gb[..., :, None] * out[..., None, :]) if b.ndim == 1 else -ns.matmul(gb, _mT(ns, out))


def _solve_vjp(ns, g, out, inputs, needs):
    # One solve with a.T serves both cotangents (two per-input rules would solve twice).
    a, b = inputs
    gb = _solve_db(ns, g, out, a, b)
    return [_solve_da(ns, g, out, a, b, gb) if needs[0] else None, gb if needs[1] else None]


def _solve_shape(metas, **attrs):
    a, b = (m.shape if isinstance(m, Meta) else () for m in metas)
    if a is None or b is None:
        return None
    if len(b) == 1:
        return a[:-1]
    return tuple(np.broadcast_shapes(a[:-2], b[:-2])) + b[-2:]


def _solve_prepare(a: Any, b: Any, /) -> tuple:
    _square("solve")(a)
    return (a, b), {}


SOLVE = defop(
    "linalg_solve",
    # (*ab): the op's one VJP rule serves both inputs, which makes it variadic-shaped
    lambda *ab: np.linalg.solve(*ab),
    shape=_solve_shape,
    vjp=_solve_vjp,
    jvp=(
        lambda ns, t, out, a, b: -_solve_vec(ns, a, _mv(ns, t, out, b.ndim == 1), b.ndim == 1),
        lambda ns, t, out, a, b: ns.linalg_solve(a, t),
    ),
    saves=((0,), (0,)),
    save_out=True,
    meta=True,
    deriv=("-solve(a.T, g) @ x.T", "solve(a.T, g)"),
    args=("a", "b"),
    doc="``x`` with ``a @ x == b`` (``b`` is a vector when it is 1-D, as NumPy 2).",
    names=("linalg.solve",),
    prepare=_solve_prepare,
    numpy=np.linalg.solve,
    **_COMMON,
)

DET = defop(
    "linalg_det",
    np.linalg.det,
    shape=_shape(lambda s: s[:-2]),
    vjp=(lambda ns, g, out, a: (g * out)[..., None, None] * _mT(ns, ns.linalg_inv(a)),),
    jvp=(lambda ns, t, out, a: out * _tr_inv(ns, a, t),),
    save_out=True,
    deriv=("det(a) * inv(a).T",),
    args=("a",),
    doc="The determinant of each square matrix; its gradient needs an invertible matrix.",
    names=("linalg.det",),
    prepare=_square("det"),
    numpy=np.linalg.det,
    **{**_COMMON, "onnx": Onnx("Det")},
)


def _slogdet(a):
    s, logabs = np.linalg.slogdet(a)
    return np.stack((s, logabs.astype(s.dtype)), -1)


def _slogdet_vjp(ns, g, out, a):
    c = g[..., 1]
    if _c(out):  # d sign = sign * i Im(tr(a^-1 da)), d logabsdet = Re(tr(a^-1 da))
        c = ns.real(c) + ns.imag(g[..., 0] * out[..., 0]) * 1j
    return c[..., None, None] * _mT(ns, ns.linalg_inv(a))


def _slogdet_jvp(ns, t, out, a):
    tr = _tr_inv(ns, a, t)
    if _c(out):
        return ns.stack(out[..., 0] * ns.imag(tr) * 1j, ns.real(tr) + 0j, axis=tr.ndim)
    return ns.stack(tr * 0, tr, axis=tr.ndim)


SLOGDET = defop(
    "linalg_slogdet",
    _slogdet,
    shape=_shape(lambda s: s[:-2] + (2,)),
    vjp=(_slogdet_vjp,),
    jvp=(_slogdet_jvp,),
    save_out=True,
    deriv=("inv(a).T",),
    args=("a",),
    doc="sign and log|det| of each square matrix, packed on a last axis of 2.",
    names=no("cg.linalg.slogdet splits its result"),
    numpy=no("np.linalg.slogdet reaches cg.linalg.slogdet"),
    **_COMMON,
)


@defpublic(names=("linalg.slogdet",), numpy=np.linalg.slogdet, **_NOT)
def slogdet(a: Any, /) -> SlogdetResult:
    """``(sign, logabsdet)`` of each square matrix: ``det == sign * exp(logabsdet)``, computed
    without overflow; the gradient flows through both (``sign`` is constant for real ``a``)."""
    p = run(SLOGDET, *_square("slogdet")(a)[0])
    logabs = p[..., 1]
    return SlogdetResult(p[..., 0], _cg.real(logabs) if _c(p) else logabs)


# ---------------------------------------------------------------- cholesky
def _tril(n, k=0):
    return np.tri(n, n, k, dtype=bool)


def _phi(x):
    """x's lower triangle with half its diagonal (the cholesky rules' projection)."""
    n = x.shape[-1]
    return x * (np.tri(n) - np.eye(n) * 0.5).astype(np.finfo(x.dtype).dtype)


def _chol_L(ns, out, upper):
    return _mH(ns, out) if upper else out


@_jax
def _cholesky_vjp(ns, g, out, a, upper=False):
    L = _chol_L(ns, out, upper)
    n = L.shape[-1]
    gL = (_mH(ns, g) if upper else g) * _tril(n)
    Li = ns.linalg_inv(L)
    s = _mm(ns, _mH(ns, Li), _phi(_mm(ns, _mH(ns, L), gL)), Li)
    return _herm(ns, s)


def _cholesky_jvp(ns, t, out, a, upper=False):
    L = _chol_L(ns, out, upper)
    Li = ns.linalg_inv(L)
    dL = ns.matmul(L, _phi(_mm(ns, Li, _herm(ns, t), _mH(ns, Li))))
    return _mH(ns, dL) if upper else dL


def _cholesky_prepare(a: Any, /, *, upper: bool = False) -> tuple:
    return _square("cholesky")(a)[0], {"upper": bool(upper)}


CHOLESKY = defop(
    "linalg_cholesky",
    lambda a, upper=False: np.linalg.cholesky(a, upper=upper),
    shape=_shape(lambda s, upper=False: s),
    vjp=(_cholesky_vjp,),
    jvp=(_cholesky_jvp,),
    saves=((),),
    save_out=True,
    meta=True,
    deriv=("L^-H Phi(L^H gL) L^-1, made Hermitian",),
    args=("a",),
    doc="The Cholesky factor ``L`` of each Hermitian positive-definite matrix (``L @ L^H ==\n"
    "a``; ``upper=True``: ``L^H``).  NumPy reads one triangle; the gradient is Hermitian.",
    names=("linalg.cholesky",),
    prepare=_cholesky_prepare,
    numpy=np.linalg.cholesky,
    **_COMMON,
)


# ---------------------------------------------------------------- eigh, eigvalsh
def _eigh(a, UPLO="L"):
    w, v = np.linalg.eigh(a, UPLO)
    return np.concatenate((w[..., None, :].astype(v.dtype), v), -2)


def _inv_gaps(ns, w, square=False):
    """1 / (w_j - w_i) off the diagonal (w_j**2 - w_i**2 with ``square``), 0 on it."""
    if square:
        w = w * w
    eye = np.eye(w.shape[-1], dtype=bool)
    return ns.where(eye, 0, 1 / ns.where(eye, 1, w[..., None, :] - w[..., :, None]))


def _w_v(ns, out):
    w = out[..., 0, :]
    return (ns.real(w) if _c(w) else w), out[..., 1:, :]


@_jax
def _eigh_vjp(ns, g, out, a, UPLO="L"):
    w, v = _w_v(ns, out)
    gw, gv = g[..., 0, :], g[..., 1:, :]
    inner = _diag(ns.real(gw) if _c(gw) else gw)
    if not _zero(gv):
        m = _mm(ns, _mH(ns, v), gv)
        inner = inner + _inv_gaps(ns, w) * (m - _mH(ns, m)) * 0.5
    return _mm(ns, v, inner, _mH(ns, v))


def _eigh_jvp(ns, t, out, a, UPLO="L"):
    w, v = _w_v(ns, out)
    k = _mm(ns, _mH(ns, v), _herm(ns, t), v)
    dw = _diagonal(k)
    dw = ns.real(dw) if _c(dw) else dw
    return ns.concatenate(dw[..., None, :], ns.matmul(v, _inv_gaps(ns, w) * k), axis=k.ndim - 2)


def _uplo(name):
    def prepare(a: Any, /, UPLO: str = "L") -> tuple:
        if UPLO not in ("L", "U"):
            raise ValueError(f"{name}: UPLO must be 'L' or 'U', got {UPLO!r}")
        return _square(name)(a)[0], {"UPLO": UPLO}

    return prepare


EIGH = defop(
    "linalg_eigh",
    _eigh,
    shape=_shape(lambda s, UPLO="L": s[:-2] + (s[-1] + 1, s[-1])),
    vjp=(_eigh_vjp,),
    jvp=(_eigh_jvp,),
    saves=((),),
    save_out=True,
    meta=True,
    deriv=("V (diag(gw) + F * skew(V^H gV)) V^H",),
    args=("a",),
    doc="eigenvalues (first row) and eigenvectors (the other rows) of Hermitian matrices",
    names=no("cg.linalg.eigh splits its result"),
    numpy=no("np.linalg.eigh reaches cg.linalg.eigh"),
    **_COMMON,
)


@defpublic(names=("linalg.eigh",), numpy=np.linalg.eigh, **_NOT)
def eigh(a: Any, /, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and eigenvectors of Hermitian (real symmetric) matrices; NumPy
    reads the ``UPLO`` triangle.  The gradient is Hermitian; it is inf/nan at repeated
    eigenvalues when the eigenvectors are used (as PyTorch and JAX)."""
    inputs, attrs = _uplo("eigh")(a, UPLO)
    p = run(EIGH, *inputs, **attrs)
    w = p[..., 0, :]
    return EighResult(_cg.real(w) if _c(p) else w, p[..., 1:, :])


@_jax
def _eigvalsh_vjp(ns, g, out, a, UPLO="L"):
    v = ns.linalg_eigh(a, UPLO=UPLO)[..., 1:, :]
    return _mm(ns, v, _diag(g), _mH(ns, v))


def _eigvalsh_jvp(ns, t, out, a, UPLO="L"):
    v = ns.linalg_eigh(a, UPLO=UPLO)[..., 1:, :]
    dw = _diagonal(_mm(ns, _mH(ns, v), _herm(ns, t), v))
    return ns.real(dw) if _c(dw) else dw


EIGVALSH = defop(
    "linalg_eigvalsh",
    lambda a, UPLO="L": np.linalg.eigvalsh(a, UPLO),
    shape=_shape(lambda s, UPLO="L": s[:-1]),
    vjp=(_eigvalsh_vjp,),
    jvp=(_eigvalsh_jvp,),
    deriv=("V diag(g) V^H",),
    args=("a",),
    doc="The eigenvalues (ascending) of Hermitian matrices; the gradient recomputes the "
    "eigenvectors (it is fine at repeated eigenvalues).",
    names=("linalg.eigvalsh",),
    prepare=_uplo("eigvalsh"),
    numpy=np.linalg.eigvalsh,
    **{**_COMMON, "dtype": real_dtype},
)


# ---------------------------------------------------------------- svd, svdvals
def _svd(a, full_matrices=True, hermitian=False):
    u, s, vh = np.linalg.svd(a, full_matrices, True, hermitian)
    b = s.shape[:-1]
    return np.concatenate((u.reshape(b + (-1,)), s.astype(u.dtype), vh.reshape(b + (-1,))), -1)


def _svd_cores(m, n, full):
    k = min(m, n)
    return (m, m if full else k), (k,), (n if full else k, n)


def _usv(ns, p, m, n, full):
    """U, S, Vh narrowed to min(m, n) vectors (S real), from a packed svd (or cotangent)."""
    k = min(m, n)
    u, s, vh = _split(p, _svd_cores(m, n, full), lambda x, shape: ns.reshape(x, shape=shape))
    return u[..., :, :k], (ns.real(s) if _c(s) else s), vh[..., :k, :]


@_jax
def _svd_vjp(ns, g, out, a, full_matrices=True, hermitian=False):
    m, n = a.shape[-2:]
    k = min(m, n)
    u, s, vh = _usv(ns, out, m, n, full_matrices)
    gu, gs, gvh = _usv(ns, g, m, n, full_matrices)
    gp = _diag(gs)
    if _zero(gu) and _zero(gvh):
        return _mm(ns, u, gp, vh)
    f = _inv_gaps(ns, s, square=True)
    extra = 0
    if not _zero(gu):
        mu = _mm(ns, _mH(ns, u), gu)
        gp = gp + f * (mu - _mH(ns, mu)) * s[..., None, :]
        if _c(u):  # the phase gauge: U's columns turn, V's do not (PyTorch's choice)
            gp = gp + _diag(ns.imag(_diagonal(mu)) / s) * 1j
        if m > k:
            gp = gp - mu / s[..., None, :]
            extra = ns.matmul(gu / s[..., None, :], vh)
    if not _zero(gvh):
        mv = _mm(ns, vh, _mH(ns, gvh))
        gp = gp + s[..., :, None] * f * (mv - _mH(ns, mv))
        if n > k:
            gp = gp - _mm(ns, gvh, _mH(ns, vh)) / s[..., :, None]
            extra = extra + ns.matmul(u, gvh / s[..., :, None])
    return _mm(ns, u, gp, vh) + extra


def _svd_jvp(ns, t, out, a, full_matrices=True, hermitian=False):
    m, n = a.shape[-2:]
    k = min(m, n)
    uf, _, vhf = _split(
        out, _svd_cores(m, n, full_matrices), lambda x, shape: ns.reshape(x, shape=shape)
    )
    u, s, vh = _usv(ns, out, m, n, full_matrices)
    v = _mH(ns, vh)
    dp = _mm(ns, _mH(ns, u), t, v)
    ds = _diagonal(dp)
    f = _inv_gaps(ns, s, square=True)
    dph = _mH(ns, dp)
    om_u = f * (dp * s[..., None, :] + s[..., :, None] * dph)
    if _c(dp):
        om_u = om_u + _diag(ns.imag(ds) / s) * 1j
        ds = ns.real(ds)
    du = ns.matmul(u, om_u)
    dvh = -ns.matmul(f * (s[..., :, None] * dp + dph * s[..., None, :]), vh)
    if m > k:
        du = du + (ns.matmul(t, v) - ns.matmul(u, dp)) / s[..., None, :]
    if n > k:
        dvh = dvh + (ns.matmul(_mH(ns, u), t) - ns.matmul(dp, vh)) / s[..., :, None]
    if full_matrices:  # the extra vectors are any basis: no tangent (as their gradient)
        du = ns.concatenate(du, ns.zeros_like(uf[..., :, k:]), axis=du.ndim - 1)
        dvh = ns.concatenate(dvh, ns.zeros_like(vhf[..., k:, :]), axis=dvh.ndim - 2)
    return _pack(ns, [du, ds[..., None, :], dvh])


def _svd_size(s, full_matrices=True, hermitian=False):
    (m, n), b = s[-2:], s[:-2]
    return b + (sum(math.prod(c) for c in _svd_cores(m, n, full_matrices)),)


SVD = defop(
    "linalg_svd",
    _svd,
    shape=_shape(_svd_size),
    vjp=(_svd_vjp,),
    jvp=(_svd_jvp,),
    saves=((),),
    save_out=True,
    meta=True,
    deriv=("U (diag(gS) + F * skew terms) Vh",),
    args=("a",),
    doc="U, S and Vh of each matrix, packed on the last axis",
    names=no("cg.linalg.svd splits its result"),
    numpy=no("np.linalg.svd reaches cg.linalg.svd"),
    **_COMMON,
)


def _matrices(name, a):
    s = dims(a, name)
    if len(s) < 2:
        raise ValueError(f"{name}: expected matrices (..., m, n), got shape {s}")
    return s


@defpublic(names=("linalg.svd",), numpy=np.linalg.svd, **_NOT)
def svd(
    a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False
) -> Any:
    """``U, S, Vh`` with ``a == U @ diag(S) @ Vh`` (``S`` descending); ``compute_uv=False``:
    ``S`` only.  Gradients as PyTorch: inf/nan at repeated singular values when U or Vh
    are used, none for the extra vectors of ``full_matrices=True``."""
    s = _matrices("svd", a)
    if not compute_uv:
        return run(SVDVALS, a)
    p = run(SVD, a, full_matrices=bool(full_matrices), hermitian=bool(hermitian))
    m, n = s[-2:]
    u, sv, vh = _split(p, _svd_cores(m, n, full_matrices), _cg.reshape)
    return SVDResult(u, _cg.real(sv) if _c(p) else sv, vh)


@_jax
def _svdvals_vjp(ns, g, out, a):
    u, _, vh = _usv(ns, ns.linalg_svd(a, full_matrices=False), *a.shape[-2:], False)
    return ns.matmul(u, g[..., :, None] * vh)


def _svdvals_jvp(ns, t, out, a):
    u, _, vh = _usv(ns, ns.linalg_svd(a, full_matrices=False), *a.shape[-2:], False)
    d = _diagonal(_mm(ns, _mH(ns, u), t, _mH(ns, vh)))
    return ns.real(d) if _c(d) else d


def _svdvals_prepare(x: Any, /) -> tuple:
    _matrices("svdvals", x)
    return (x,), {}


SVDVALS = defop(
    "linalg_svdvals",
    lambda a: np.linalg.svd(a, compute_uv=False),
    shape=_shape(lambda s: s[:-2] + (min(s[-2:]),)),
    vjp=(_svdvals_vjp,),
    jvp=(_svdvals_jvp,),
    deriv=("U diag(g) Vh",),
    args=("a",),
    doc="The singular values (descending) of each matrix; the gradient recomputes U and Vh "
    "(it is fine at repeated singular values).",
    names=("linalg.svdvals",),
    prepare=_svdvals_prepare,
    numpy=np.linalg.svdvals,
    **{**_COMMON, "dtype": real_dtype},
)


# ---------------------------------------------------------------- qr
def _qr_cores(m, n, mode):
    k = min(m, n)
    return ((m, m), (m, n)) if mode == "complete" else ((m, k), (k, n))


def _qr(a, mode="reduced"):
    q, r = np.linalg.qr(a, mode)
    b = q.shape[:-2]
    return np.concatenate((q.reshape(b + (-1,)), r.reshape(b + (-1,))), -1)


def _q_r(ns, p, m, n, mode):
    k = min(m, n)
    q, r = _split(p, _qr_cores(m, n, mode), lambda x, shape: ns.reshape(x, shape=shape))
    return q[..., :, :k], r[..., :k, :]


def _qr_square_vjp(ns, q, r, gq, gr):
    """(gQ + Q G) R^-H for a QR with R square (the tall and square case)."""
    k = r.shape[-1]
    nn = _mm(ns, gr, _mH(ns, r)) - _mm(ns, _mH(ns, q), gq)
    d = _diagonal(nn)
    low = _tril(k, -1)
    gx = nn * low.T + _mH(ns, nn) * low + _diag(ns.real(d) if _c(d) else d)
    return _mm(ns, gq + ns.matmul(q, gx), _mH(ns, ns.linalg_inv(r)))


@_jax
def _qr_vjp(ns, g, out, a, mode="reduced"):
    m, n = a.shape[-2:]
    q, r = _q_r(ns, out, m, n, mode)
    gq, gr = _q_r(ns, g, m, n, mode)
    if m >= n:
        return _qr_square_vjp(ns, q, r, gq, gr)
    # wide: a = [x, y] with x = q r1 square and r2 = q^H y
    y, gr2 = a[..., :, m:], gr[..., :, m:]
    gx = _qr_square_vjp(ns, q, r[..., :, :m], gq + _mm(ns, y, _mH(ns, gr2)), gr[..., :, :m])
    return ns.concatenate(gx, ns.matmul(q, gr2), axis=gx.ndim - 1)


def _qr_square_jvp(ns, q, r, t):
    ri = ns.linalg_inv(r)
    x = _mm(ns, _mH(ns, q), t, ri)
    low = x * _tril(x.shape[-1], -1)
    om = low - _mH(ns, low)
    if _c(x):
        om = om + _diag(ns.imag(_diagonal(x))) * 1j
    dq = ns.matmul(q, om)
    if q.shape[-2] > q.shape[-1]:
        dq = dq + ns.matmul(t, ri) - ns.matmul(q, x)
    return dq, ns.matmul(x - om, r)


def _qr_jvp(ns, t, out, a, mode="reduced"):
    m, n = a.shape[-2:]
    qf, rf = _split(out, _qr_cores(m, n, mode), lambda x, shape: ns.reshape(x, shape=shape))
    q, r = _q_r(ns, out, m, n, mode)
    if m >= n:
        dq, dr = _qr_square_jvp(ns, q, r, t)
    else:
        dq, dr1 = _qr_square_jvp(ns, q, r[..., :, :m], t[..., :, :m])
        dr2 = _mm(ns, _mH(ns, dq), a[..., :, m:]) + _mm(ns, _mH(ns, q), t[..., :, m:])
        dr = ns.concatenate(dr1, dr2, axis=dr1.ndim - 1)
    if mode == "complete" and m > n:  # Q's extra columns: no tangent; R's extra rows: 0
        dq = ns.concatenate(dq, ns.zeros_like(qf[..., :, n:]), axis=dq.ndim - 1)
        dr = ns.concatenate(dr, ns.zeros_like(rf[..., n:, :]), axis=dr.ndim - 2)
    return _pack(ns, [dq, dr])


QR = defop(
    "linalg_qr",
    _qr,
    shape=_shape(
        lambda s, mode="reduced": (
            s[:-2] + (sum(math.prod(c) for c in _qr_cores(s[-2], s[-1], mode)),)
        )
    ),
    vjp=(_qr_vjp,),
    jvp=(_qr_jvp,),
    save_out=True,
    deriv=("(gQ + Q copyltu(M)) R^-H",),
    args=("a",),
    doc="Q and R of each matrix, packed on the last axis",
    names=no("cg.linalg.qr splits its result"),
    numpy=no("np.linalg.qr reaches cg.linalg.qr"),
    **_COMMON,
)


def _qr_raw(a):
    h, tau = np.linalg.qr(a, "raw")
    return np.concatenate((h.reshape(tau.shape[:-1] + (-1,)), tau), -1)


QR_RAW = defop(
    "linalg_qr_raw",
    _qr_raw,
    shape=_shape(lambda s: s[:-2] + (s[-1] * s[-2] + min(s[-2:]),)),
    doc="LAPACK's Householder reflectors and scaling factors, packed (not differentiable)",
    names=no("cg.linalg.qr(a, 'raw') splits its result"),
    numpy=no("np.linalg.qr reaches cg.linalg.qr"),
    **_COMMON,
)


@defpublic(names=("linalg.qr",), numpy=np.linalg.qr, **_NOT)
def qr(a: Any, mode: str = "reduced") -> Any:
    """``Q, R`` with ``a == Q @ R`` (``mode``: "reduced", "complete", "r": R only, "raw":
    LAPACK's ``(h, tau)``, not differentiable).  Gradients as PyTorch; with "complete" the
    extra columns of Q get none."""
    s = _matrices("qr", a)
    m, n = s[-2:]
    if mode == "raw":
        p = run(QR_RAW, a)
        h, tau = _split(p, ((n, m), (min(m, n),)), _cg.reshape)
        return h, tau
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"qr: unrecognized mode {mode!r}")
    p = run(QR, a, mode="complete" if mode == "complete" else "reduced")
    q, r = _split(p, _qr_cores(m, n, mode), _cg.reshape)
    return r if mode == "r" else QRResult(q, r)


# ---------------------------------------------------------------- pinv
def _pinv(a, rcond=None, hermitian=False, rtol=None):
    if rtol is not None:
        return np.linalg.pinv(a, hermitian=hermitian, rtol=rtol)
    return np.linalg.pinv(a, rcond, hermitian)


@_jax
def _pinv_vjp(ns, g, out, a, rcond=None, hermitian=False, rtol=None):
    m, n = a.shape[-2:]
    x, xh, gh = out, _mH(ns, out), _mH(ns, g)
    r = -_mm(ns, xh, g, xh)
    r = r + _mm(ns, ns.subtract(np.eye(m, dtype=a.dtype), ns.matmul(a, x)), gh, ns.matmul(x, xh))
    return r + _mm(ns, ns.matmul(xh, x), gh, ns.subtract(np.eye(n, dtype=a.dtype), ns.matmul(x, a)))


def _pinv_jvp(ns, t, out, a, rcond=None, hermitian=False, rtol=None):
    m, n = a.shape[-2:]
    x, xh, th = out, _mH(ns, out), _mH(ns, t)
    r = -_mm(ns, x, t, x)
    r = r + _mm(ns, ns.matmul(x, xh), th, ns.subtract(np.eye(m, dtype=a.dtype), ns.matmul(a, x)))
    return r + _mm(ns, ns.subtract(np.eye(n, dtype=a.dtype), ns.matmul(x, a)), th, ns.matmul(xh, x))


def _pinv_prepare(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None) -> tuple:
    if rcond is not None and rtol is not None:
        raise ValueError("pinv: give rcond or rtol, not both")
    _matrices("pinv", a)
    return (a,), {"rcond": rcond, "hermitian": bool(hermitian), "rtol": rtol}


PINV = defop(
    "linalg_pinv",
    _pinv,
    shape=_shape(lambda s, **k: s[:-2] + (s[-1], s[-2])),
    vjp=(_pinv_vjp,),
    jvp=(_pinv_jvp,),
    save_out=True,
    deriv=("-X^H g X^H + (I - a X) g^H X X^H + X^H X g^H (I - X a)",),
    args=("a",),
    doc="The Moore-Penrose pseudo-inverse (singular values below the cutoff count as 0); its "
    "gradient (PyTorch's) holds where the rank does not change.",
    names=("linalg.pinv",),
    prepare=_pinv_prepare,
    numpy=np.linalg.pinv,
    **_COMMON,
)


def _rank(a, tol=None, hermitian=False, rtol=None):
    return np.linalg.matrix_rank(a, tol, hermitian, rtol=rtol)


MATRIX_RANK = defop(
    "linalg_matrix_rank",
    _rank,
    shape=_shape(lambda s, **k: s[:-2]),
    doc="The number of singular values above the tolerance (an integer: no gradient).",
    names=("linalg.matrix_rank",),
    prepare=lambda A, tol=None, hermitian=False, *, rtol=None: (
        (A,),
        {"tol": tol, "hermitian": bool(hermitian), "rtol": rtol},
    ),
    numpy=np.linalg.matrix_rank,
    **{**_COMMON, "dtype": lambda m, **a: np.dtype(np.intp)},
)


@defpublic(names=("linalg.matrix_power",), numpy=np.linalg.matrix_power, **_NOT)
def matrix_power(a: Any, n: int) -> Any:
    """``a @ a @ ... @ a`` (``n`` times; ``n < 0``: of the inverse; ``n == 0``: the
    identity), by repeated squaring as NumPy."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
        raise TypeError("matrix_power: exponent must be an integer")
    s = _square("matrix_power")(a)[0][0]
    if n == 0:
        return _cg.zeros_like(s) + np.eye(dims(a, "matrix_power")[-1], dtype=a.dtype)
    if n < 0:
        s, n = run(INV, s), -n
    z = result = None
    while n > 0:
        z = s if z is None else _cg.matmul(z, z)
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else _cg.matmul(result, z)
    return result * 1 if result is s else result


# ---------------------------------------------------------------- norms
def _keep(ns, v, x, axis, keepdims):
    """A reduced value with the reduced axes back as 1s (broadcasts against x)."""
    if keepdims:
        return v
    axes = range(x.ndim) if axis is None else axis
    return ns.reshape(v, shape=tuple(1 if i in axes else d for i, d in enumerate(x.shape)))


def _sgn(ns, x):
    """x / |x| (0 at 0), conjugated for complex x: the cotangent of |x| (JAX's)."""
    if not _c(x):
        return ns.sign(x)
    a = ns.abs(x)
    return ns.where(a == 0, 0, ns.conj(x) / ns.where(a == 0, 1, a))


def _vn_factor(ns, x, out, axis=None, keepdims=False, ord=2):
    """d norm / dx (a JAX cotangent for complex x), as PyTorch's rules at the kinks."""
    if ord == 0:
        return None
    n = _keep(ns, out, x, axis, keepdims)
    if ord == 1:
        return _sgn(ns, x)
    if ord == 2:
        return ns.where(n == 0, 0, (ns.conj(x) if _c(x) else x) / ns.where(n == 0, 1, n))
    a = ns.abs(x)
    if math.isinf(ord):  # ties share the gradient evenly
        hit = a == n
        return _sgn(ns, x) * hit / ns.sum(hit, axis=axis, keepdims=True)
    if ord < 1:
        return _sgn(ns, x) * ns.where(a == 0, 0, a ** (ord - 1)) * n ** (1 - ord)
    return (
        _sgn(ns, x) * a ** (ord - 1) * ns.where(n == 0, 0, 1 / ns.where(n == 0, 1, n) ** (ord - 1))
    )


def _vn_vjp(ns, g, out, x, axis=None, keepdims=False, ord=2):
    f = _vn_factor(ns, x, out, axis, keepdims, ord)
    return ns.zeros_like(x) if f is None else _keep(ns, g, x, axis, keepdims) * f


def _vn_jvp(ns, t, out, x, axis=None, keepdims=False, ord=2):
    f = _vn_factor(ns, x, out, axis, keepdims, ord)
    if f is None:
        return None
    r = ns.sum(f * t, axis=axis, keepdims=keepdims)
    return ns.real(r) if _c(r) else r


def _vn_prepare(x: Any, /, *, axis: Any = None, keepdims: bool = False, ord: Any = 2) -> tuple:
    if isinstance(ord, str) or ord is None:
        raise ValueError(f"vector_norm: ord must be a number, got {ord!r}")
    axes = normalize_axis(axis, ndim_of(x), "vector_norm", shape_of(x))
    return (x,), {"axis": axes, "keepdims": bool(keepdims), "ord": float(ord)}


VECTOR_NORM = defop(
    "linalg_vector_norm",
    lambda x, axis=None, keepdims=False, ord=2.0: np.linalg.vector_norm(
        x, axis=axis, keepdims=keepdims, ord=ord
    ),
    shape=lambda m, axis=None, keepdims=False, ord=2: reduced(m, axis=axis, keepdims=keepdims),
    vjp=(_vn_vjp,),
    jvp=(_vn_jvp,),
    save_out=True,
    deriv=("sign(x) |x|**(ord-1) / norm**(ord-1)",),
    args=("x",),
    doc="The ``ord``-norm (``sum(|x|**ord)**(1/ord)``; inf: max |x|, 0: count of nonzeros) over "
    "``axis`` (None: all); gradients as PyTorch: 0 where the norm is 0 (ord 2), ties of "
    "inf-norms share it.",
    names=("linalg.vector_norm",),
    prepare=_vn_prepare,
    numpy=np.linalg.vector_norm,
    **{**_COMMON, "dtype": lambda m, **a: floating([real_dtype(m)])},
)


def _vnorm(x, axis, keepdims, ord):
    return run(VECTOR_NORM, x, axis=axis, keepdims=keepdims, ord=ord)


def _matrix_norm(x, ord, keepdims):
    """The matrix ``ord``-norm over the last two axes (``keepdims``: both kept as 1s)."""
    nd = len(dims(x, "matrix_norm"))
    if ord in ("fro", "f", None):
        return _vnorm(x, (nd - 2, nd - 1), keepdims, 2)
    if ord == "nuc" or ord in (2, -2):
        s = run(SVDVALS, x)
        r = (
            _cg.sum(s, axis=-1)
            if ord == "nuc"
            else _vnorm(s, -1, False, math.copysign(np.inf, ord))
        )
    elif ord in (1, -1, np.inf, -np.inf):
        inner = nd - 2 if abs(ord) == 1 else nd - 1  # sum |x| over rows (1) or columns (inf)
        r = _vnorm(_vnorm(x, inner, False, 1), nd - 2, False, math.copysign(np.inf, ord))
    else:
        raise ValueError("Invalid norm order for matrices.")
    return _cg.reshape(r, dims(r, "matrix_norm") + (1, 1)) if keepdims else r


@defpublic(names=("linalg.matrix_norm",), numpy=np.linalg.matrix_norm, **_NOT)
def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    """The matrix norm over the last two axes: 'fro', 'nuc', 1, -1, 2, -2, inf, -inf."""
    _matrices("matrix_norm", x)
    return _matrix_norm(x, ord, keepdims)


@defpublic(names=("linalg.norm",), numpy=np.linalg.norm, **_NOT)
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """NumPy's ``linalg.norm``: a vector norm over one axis, a matrix norm over two, the
    2-norm of everything without ``ord`` and ``axis``; gradients as ``torch.linalg.norm``."""
    nd = len(dims(x, "norm"))
    if axis is None:
        if ord is None or ord in ("f", "fro") and nd == 2 or ord == 2 and nd == 1:
            return _vnorm(x, None, keepdims, 2)
        axis = tuple(range(nd))
    elif not isinstance(axis, tuple):
        axis = (axis,)
    axes = [a % nd if isinstance(a, (int, np.integer)) and -nd <= a < nd else a for a in axis]
    normalize_axis(tuple(axes), nd, "norm")
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"Invalid norm order '{ord}' for vectors")
        return _vnorm(x, axes[0], keepdims, 2 if ord is None else ord)
    if len(axes) != 2:
        raise ValueError("Improper number of dimensions to norm.")
    rest = [i for i in range(nd) if i not in axes]
    moved = x if axes == [nd - 2, nd - 1] else _cg.transpose(x, tuple(rest + axes))
    r = _matrix_norm(moved, ord, False)
    if keepdims:
        shape = list(dims(x, "norm"))
        shape[axes[0]] = shape[axes[1]] = 1
        r = _cg.reshape(r, tuple(shape))
    return r


@defpublic(names=("linalg.matmul",), numpy=np.linalg.matmul, **_NOT)
def matmul(x1: Any, x2: Any, /) -> Any:
    """The matrix product (``cg.matmul``, the array API's ``linalg.matmul``)."""
    return _cg.matmul(x1, x2)


@defpublic(names=("linalg.multi_dot",), numpy=np.linalg.multi_dot, **_NOT)
def multi_dot(arrays: Any, *, out: Any = None) -> Any:
    """``arrays[0] @ arrays[1] @ ...`` (the first and last may be vectors)."""
    if out is not None:
        raise TypeError("multi_dot: out= is not supported (tensors are not written in place)")
    if len(arrays) < 2:
        raise ValueError("Expecting at least two arrays.")
    r = arrays[0]
    for a in arrays[1:]:
        r = _cg.matmul(r, a)
    return r


@defpublic(names=("linalg.cond",), numpy=np.linalg.cond, **_NOT)
def cond(x: Any, p: Any = None) -> Any:
    """The condition number in the norm ``p`` (None, 2, -2: a ratio of singular values;
    'fro', 'nuc', 1, -1, inf, -inf: ``norm(x) * norm(inv(x))``)."""
    if p is None or p in (2, -2):
        s = run(SVDVALS, x)
        return s[..., -1] / s[..., 0] if p == -2 else s[..., 0] / s[..., -1]
    return norm(x, p, (-2, -1)) * norm(run(INV, x), p, (-2, -1))


@defpublic(names=("linalg.tensorinv",), numpy=np.linalg.tensorinv, **_NOT)
def tensorinv(a: Any, ind: int = 2) -> Any:
    """The inverse of ``a`` as a map from its first ``ind`` axes to the others."""
    s = dims(a, "tensorinv")
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    r = run(INV, _cg.reshape(a, (math.prod(s[ind:]), -1)))
    return _cg.reshape(r, s[ind:] + s[:ind])


@defpublic(names=("linalg.tensorsolve",), numpy=np.linalg.tensorsolve, **_NOT)
def tensorsolve(a: Any, b: Any, axes: Any = None) -> Any:
    """``x`` with ``tensordot(a, x, x.ndim) == b`` (``axes``: a's axes moved to the end)."""
    an = len(dims(a, "tensorsolve"))
    if axes is not None:
        order = [k for k in range(an) if k not in [ax % an for ax in axes]]
        a = _cg.transpose(a, tuple(order + [ax % an for ax in axes]))
    s = dims(a, "tensorsolve")
    old = s[len(s) - (an - len(dims(b, "tensorsolve"))) :]
    n = math.prod(old)
    if math.prod(s) != n * n:
        raise ValueError(
            "Input arrays must satisfy prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])"
        )
    return _cg.reshape(run(SOLVE, _cg.reshape(a, (n, n)), _cg.reshape(b, (n,))), old)


LstsqResult = namedtuple("LstsqResult", "x residuals rank s")


@defpublic(names=("linalg.lstsq",), numpy=np.linalg.lstsq, **_NOT)
def lstsq(a: Any, b: Any, rcond: Any = None) -> Any:
    """The least-squares solution ``x = pinv(a) @ b`` (singular values at most ``rcond`` times
    the largest count as 0), with ``residuals`` (the squared norms of ``b - a @ x`` when the
    rank is full and ``a`` is tall), ``rank`` and the singular values ``s``; gradients
    through ``x`` as pinv's (PyTorch); static graphs give the residuals of a full rank."""
    (m, n), bs = dims(a, "lstsq"), dims(b, "lstsq")
    if len(bs) not in (1, 2) or bs[0] != m:
        raise ValueError(f"lstsq: incompatible shapes {(m, n)} and {bs}")
    if rcond is None:
        rcond = np.finfo(np.result_type(a.dtype, b.dtype, np.float32)).eps * max(m, n)
    x = _cg.matmul(run(PINV, a, rtol=rcond), b)
    rank = _cg.astype(run(MATRIX_RANK, a, rtol=rcond), np.int32)  # (LAPACK's, as NumPy)
    s = run(SVDVALS, a)
    # (a static graph cannot see the rank: its residuals are those of a full rank)
    if m > n and (is_symbolic(rank) or int(rank) == n):
        r = _cg.sum(_cg.abs(_cg.subtract(b, _cg.matmul(a, x))) ** 2, axis=0, keepdims=len(bs) == 1)
    else:
        r = _cg.zeros((0,), dtype=s.dtype)
    return LstsqResult(x, r, rank, s)
