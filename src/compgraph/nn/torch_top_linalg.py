"""PyTorch's legacy linear-algebra names (``torch.lu``, ``torch.lu_solve``,
``torch.triangular_solve``, ``torch.matrix_exp`` ...) and their Tensor methods
(``t.lu()``, ``t.cholesky_solve(L)``, ``t.matrix_exp()`` ...), differentiable through
compgraph's own ops wherever torch's are.

The LU factors come from an elimination written with Tensor ops on the rows the pivots
(partial pivoting, chosen in NumPy as LAPACK does) put first, so they differentiate;
``matrix_exp`` is scaling and squaring of a degree-13 Padé approximant (Higham 2005) on
matmuls and a solve.  ``geqrf`` is NumPy's (LAPACK's) and, as in torch, has no
derivative; ``orgqr``/``ormqr`` multiply the Householder reflectors with Tensor ops.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functions as cg
from .. import linalg
from ..grad_mode import no_grad
from ..tensor import Tensor
from .fn_args import as_tensor as _t

__all__ = [
    "lu",
    "lu_solve",
    "lu_unpack",
    "cholesky_solve",
    "cholesky_inverse",
    "triangular_solve",
    "matrix_exp",
    "geqrf",
    "orgqr",
    "ormqr",
    "nuclear_norm",
    "frobenius_norm",
]


def _matrix(where: str, x: Tensor) -> None:
    if x.ndim < 2:
        raise ValueError(f"{where}: expected a (batch of) matrix, got shape {tuple(x.shape)}")
    if x.dtype.kind not in "fc":
        raise TypeError(f"{where}: expected a floating or complex tensor, got {x.dtype}")


def _pivots(a: np.ndarray) -> tuple:
    """LAPACK getrf's partial pivoting on a batch: 1-based pivots (int32), infos."""
    m, n = a.shape[-2:]
    k = min(m, n)
    flat = a.reshape(-1, m, n).astype(np.result_type(a.dtype, np.float64), copy=True)
    piv = np.zeros((flat.shape[0], k), np.int32)
    info = np.zeros(flat.shape[0], np.int32)
    for b in range(flat.shape[0]):
        u = flat[b]
        for j in range(k):
            p = j + int(np.argmax(np.abs(u[j:, j])))
            piv[b, j] = p + 1
            if p != j:
                u[[j, p]] = u[[p, j]]
            if u[j, j] == 0:
                if info[b] == 0:
                    info[b] = j + 1
                continue
            u[j + 1 :, j] /= u[j, j]
            u[j + 1 :, j + 1 :] -= np.outer(u[j + 1 :, j], u[j, j + 1 :])
    return piv.reshape(*a.shape[:-2], k), info.reshape(a.shape[:-2])


def _perm(piv: np.ndarray, m: int) -> np.ndarray:
    """Row order ``perm`` with ``(P^T A)[i] = A[perm[i]]``, from 1-based pivots."""
    flat = piv.reshape(-1, piv.shape[-1])
    out = np.tile(np.arange(m), (flat.shape[0], 1))
    for b in range(flat.shape[0]):
        for i, p in enumerate(flat[b]):
            p = int(p) - 1
            out[b, [i, p]] = out[b, [p, i]]
    return out.reshape(*piv.shape[:-1], m)


def _gather_rows(a: Tensor, perm: np.ndarray) -> Tensor:
    idx = cg.as_tensor(np.broadcast_to(perm[..., None], (*perm.shape, a.shape[-1])).copy())
    return cg.take_along_dim(a, idx, dim=-2)


def _eliminate(a: Any) -> Any:
    """The packed ``L\\U`` of an unpivoted elimination, with Tensor ops."""
    m, n = a.shape[-2:]
    rows = []
    rest: Any = a
    for _ in range(min(m, n)):
        pivot = rest[..., :1, :1]
        col = rest[..., 1:, :1] / pivot
        row = rest[..., :1, :]
        rows.append((row, col))
        rest = rest[..., 1:, 1:] - col @ row[..., :, 1:]
    # assemble column block by column block: [U row j; L col j below]
    k = len(rows)
    out_rows = []
    for j, (row, _) in enumerate(rows):
        left = [rows[i][1][..., j - i - 1 : j - i, :] for i in range(j)]
        out_rows.append(cg.concatenate([*left, row], axis=-1) if left else row)
    if m > k:
        out_rows.append(
            cg.concatenate([rows[i][1][..., k - i - 1 :, :] for i in range(k)], axis=-1)
        )
    return cg.concatenate(out_rows, axis=-2)


def lu(A: Any, pivot: bool = True, get_infos: bool = False) -> tuple:
    """``torch.lu``: ``(LU, pivots)`` (and ``infos`` with ``get_infos``), LAPACK's packed
    factors with 1-based int32 pivots; differentiable.  ``pivot=False`` factors without
    row exchanges (torch refuses it on the CPU; here it is allowed)."""
    a = _t(A)
    _matrix("lu", a)
    m, n = a.shape[-2:]
    if pivot:
        piv, info = _pivots(a.detach().numpy())
    else:
        piv = np.broadcast_to(
            np.arange(1, min(m, n) + 1, dtype=np.int32), (*a.shape[:-2], min(m, n))
        ).copy()
        with no_grad():
            packed = _eliminate(a.detach()).numpy()
        diag = np.diagonal(packed, axis1=-2, axis2=-1)
        info = np.where((diag == 0).any(-1), np.argmax(diag == 0, -1) + 1, 0).astype(np.int32)
    packed_t = _eliminate(_gather_rows(a, _perm(piv, m)))
    out = (packed_t, cg.as_tensor(piv))
    return (*out, cg.as_tensor(info)) if get_infos else out


def lu_unpack(
    LU_data: Any, LU_pivots: Any, unpack_data: bool = True, unpack_pivots: bool = True
) -> tuple:
    """``torch.lu_unpack``: ``(P, L, U)`` with ``A = P @ L @ U``; an unpacked part not
    asked for is an empty tensor, as torch's."""
    lu_t = _t(LU_data)
    _matrix("lu_unpack", lu_t)
    m, n = lu_t.shape[-2:]
    k = min(m, n)
    piv = np.asarray(_t(LU_pivots).numpy())
    if piv.shape != (*lu_t.shape[:-2], k) or piv.dtype.kind not in "iu":
        raise ValueError(
            f"lu_unpack: expected integer pivots of shape {(*lu_t.shape[:-2], k)}, "
            f"got {piv.dtype} {piv.shape}"
        )
    if unpack_data:
        eye = cg.as_tensor(np.eye(m, k, dtype=lu_t.dtype))
        L = cg.tril(lu_t[..., :, :k], -1) + eye
        U = cg.triu(lu_t[..., :k, :])
    else:
        L = U = cg.as_tensor(np.zeros(0, lu_t.dtype))
    if unpack_pivots:
        perm = _perm(piv, m)
        p = np.zeros((*perm.shape, m), lu_t.dtype)
        np.put_along_axis(p, perm[..., :, None], 1, axis=-1)
        P = cg.as_tensor(np.swapaxes(p, -1, -2).copy())
    else:
        P = cg.as_tensor(np.zeros(0, lu_t.dtype))
    return P, L, U


def _tri(A: Tensor, upper: bool, unit: bool) -> Tensor:
    T = cg.triu(A) if upper else cg.tril(A)
    if unit:
        n = A.shape[-1]
        T = (cg.triu(A, 1) if upper else cg.tril(A, -1)) + cg.as_tensor(np.eye(n, dtype=A.dtype))
    return T


def _solve(A: Tensor, B: Tensor) -> Tensor:
    shape = np.broadcast_shapes(A.shape[:-2], B.shape[:-2])
    return linalg.solve(
        A.expand(*shape, *A.shape[-2:]) if A.shape[:-2] != shape else A,
        B.expand(*shape, *B.shape[-2:]) if B.shape[:-2] != shape else B,
    )


def lu_solve(b: Any, LU_data: Any, LU_pivots: Any) -> Tensor:
    """``torch.lu_solve``: solve ``A X = b`` from ``torch.lu``'s factors; differentiable
    in ``b`` and ``LU_data``."""
    B, lu_t = _t(b), _t(LU_data)
    _matrix("lu_solve", lu_t)
    if B.ndim < 2 or B.shape[-2] != lu_t.shape[-1] or lu_t.shape[-1] != lu_t.shape[-2]:
        raise ValueError(
            f"lu_solve: expected a square LU_data and b with as many rows, got "
            f"{tuple(lu_t.shape)} and {tuple(B.shape)}"
        )
    perm = _perm(np.asarray(_t(LU_pivots).numpy()), lu_t.shape[-1])
    shape = np.broadcast_shapes(B.shape[:-2], perm.shape[:-1])
    B = B.expand(*shape, *B.shape[-2:]) if B.shape[:-2] != shape else B
    pb = _gather_rows(B, np.broadcast_to(perm, (*shape, perm.shape[-1])))
    y = _solve(_tri(lu_t, False, True), pb)
    return _solve(_tri(lu_t, True, False), y)


def triangular_solve(
    b: Any, A: Any, upper: bool = True, transpose: bool = False, unitriangular: bool = False
) -> tuple:
    """``torch.triangular_solve``: ``(solution, cloned_coefficient)`` of ``op(T) X = b``
    with ``T`` the upper/lower triangle of ``A`` (unit diagonal if ``unitriangular``) and
    ``op`` the transpose if ``transpose``; differentiable."""
    B, a = _t(b), _t(A)
    _matrix("triangular_solve", a)
    if a.shape[-1] != a.shape[-2] or B.ndim < 2 or B.shape[-2] != a.shape[-1]:
        raise ValueError(
            f"triangular_solve: expected a square A and b with as many rows, got "
            f"{tuple(a.shape)} and {tuple(B.shape)}"
        )
    T = _tri(a, upper, unitriangular)
    if transpose:
        T = T.mT
    return _solve(T, B), a.clone()


def cholesky_solve(b: Any, L: Any, upper: bool = False) -> Tensor:
    """``torch.cholesky_solve``: solve ``A X = b`` with ``A = L L^H`` (or ``U^H U`` with
    ``upper``) from its Cholesky factor; differentiable."""
    B, f = _t(b), _t(L)
    _matrix("cholesky_solve", f)
    if f.shape[-1] != f.shape[-2] or B.ndim < 2 or B.shape[-2] != f.shape[-1]:
        raise ValueError(
            f"cholesky_solve: expected a square factor and b with as many rows, got "
            f"{tuple(f.shape)} and {tuple(B.shape)}"
        )
    # the triangle's values, but (as torch's backward) a gradient for every entry
    low = f + ((cg.triu(f) if upper else cg.tril(f)) - f).detach()
    low = low.mH if upper else low
    return _solve(low.mH, _solve(low, B))


def cholesky_inverse(L: Any, upper: bool = False) -> Tensor:
    """``torch.cholesky_inverse``: ``(L L^H)^{-1}`` (or ``(U^H U)^{-1}``)."""
    f = _t(L)
    _matrix("cholesky_inverse", f)
    n = f.shape[-1]
    eye = cg.as_tensor(np.broadcast_to(np.eye(n, dtype=f.dtype), f.shape).copy())
    return cholesky_solve(eye, f, upper)


# Higham (2005), "The scaling and squaring method for the matrix exponential revisited"
_PADE13 = (
    64764752532480000.0,
    32382376266240000.0,
    7771770303897600.0,
    1187353796428800.0,
    129060195264000.0,
    10559470521600.0,
    670442572800.0,
    33522128640.0,
    1323241920.0,
    40840800.0,
    960960.0,
    16380.0,
    182.0,
    1.0,
)
_THETA13 = 5.371920351148152


def matrix_exp(A: Any) -> Tensor:
    """``torch.matrix_exp``: ``exp(A)`` of a (batch of) square matrix; differentiable."""
    a = _t(A)
    _matrix("matrix_exp", a)
    if a.shape[-1] != a.shape[-2]:
        raise ValueError(f"matrix_exp: expected square matrices, got shape {tuple(a.shape)}")
    n = a.shape[-1]
    if a.numel() == 0:
        return a.clone()
    norm = float(np.max(np.abs(a.detach().numpy()).sum(-2))) if n else 0.0
    # NaN/inf entries give NaN results, as torch's, without squaring
    s = max(0, int(np.ceil(np.log2(norm / _THETA13)))) if 0 < norm < np.inf else 0
    x = a * (0.5**s)
    b = _PADE13
    eye = cg.as_tensor(np.eye(n, dtype=a.dtype))
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (
        x6 @ (x6 * b[13] + x4 * b[11] + x2 * b[9]) + x6 * b[7] + x4 * b[5] + x2 * b[3] + eye * b[1]
    )
    v = x6 @ (x6 * b[12] + x4 * b[10] + x2 * b[8]) + x6 * b[6] + x4 * b[4] + x2 * b[2] + eye * b[0]
    r = _solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


def geqrf(input: Any) -> tuple:  # noqa: A002 (PyTorch's name)
    """``torch.geqrf``: LAPACK's ``(a, tau)`` QR representation (Householder vectors
    below the diagonal of ``a``, ``R`` on and above it); not differentiable, as torch's."""
    a = _t(input)
    _matrix("geqrf", a)
    arr = a.detach().numpy()
    m, n = arr.shape[-2:]
    flat = arr.reshape(-1, m, n)
    hs = np.empty_like(flat)
    taus = np.empty((flat.shape[0], min(m, n)), arr.dtype)
    for i in range(flat.shape[0]):
        h, tau = np.linalg.qr(flat[i], mode="raw")
        hs[i] = h.T
        taus[i] = tau
    return cg.as_tensor(hs.reshape(arr.shape)), cg.as_tensor(taus.reshape(*arr.shape[:-2], -1))


def _reflectors(where: str, a: Any, tau: Any, full: bool) -> Any:
    """``H_1 H_2 ... H_k`` (m x m when ``full``, else its first n columns)."""
    _matrix(where, a)
    m, n = a.shape[-2:]
    k = tau.shape[-1]
    if k > min(m, n) and not full or k > m or tau.shape[:-1] != a.shape[:-2]:
        raise ValueError(
            f"{where}: tau of shape {tuple(tau.shape)} does not fit input {tuple(a.shape)}"
        )
    eye = cg.as_tensor(np.eye(m, dtype=np.result_type(a.dtype, tau.dtype)))
    q = eye
    for i in range(k):
        below = a[..., i + 1 :, i : i + 1]
        head = cg.as_tensor(np.zeros((*a.shape[:-2], i, 1), a.dtype))
        one = cg.as_tensor(np.ones((*a.shape[:-2], 1, 1), a.dtype))
        v = cg.concatenate([head, one, below], axis=-2)
        t = tau[..., i : i + 1].unsqueeze(-1)
        q = q - (q @ v) @ (v.mH * t)
    return q if full else q[..., :, :n]


def orgqr(input: Any, tau: Any) -> Tensor:  # noqa: A002 (PyTorch's name)
    """``torch.orgqr``: the first ``n`` columns of ``Q = H_1 ... H_k`` from ``geqrf``'s
    representation (``torch.linalg.householder_product``); differentiable."""
    return _reflectors("orgqr", _t(input), _t(tau), False)


def ormqr(
    input: Any,  # noqa: A002 (PyTorch's name)
    tau: Any,
    other: Any,
    left: bool = True,
    transpose: bool = False,
) -> Tensor:
    """``torch.ormqr``: ``op(Q) C`` (``left``) or ``C op(Q)``, ``Q`` the full product of
    ``geqrf``'s reflectors and ``op`` the conjugate transpose if ``transpose``."""
    q = _reflectors("ormqr", _t(input), _t(tau), True)
    c = _t(other)
    if transpose:
        q = q.mH
    need = c.shape[-2] if left else c.shape[-1]
    if c.ndim < 2 or need != q.shape[-1]:
        raise ValueError(
            f"ormqr: other of shape {tuple(c.shape)} does not fit Q of shape {tuple(q.shape)}"
        )
    return q @ c if left else c @ q


def nuclear_norm(input: Any, dim: Any = None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """``torch.nuclear_norm``: the sum of singular values over ``dim`` (the last two
    dims by default; torch's default needs a 2-D input)."""
    x = _t(input)
    if dim is None:
        if x.ndim != 2:
            raise ValueError(f"nuclear_norm: expected a 2-D input without dim, got {x.ndim}-D")
        dim = (0, 1)
    if isinstance(dim, bool):  # torch.nuclear_norm(x, keepdim)
        if x.ndim != 2:
            raise ValueError(f"nuclear_norm: expected a 2-D input without dim, got {x.ndim}-D")
        dim, keepdim = (0, 1), dim
    d = [int(v) % x.ndim for v in dim]
    if len(d) != 2 or d[0] == d[1]:
        raise ValueError(f"nuclear_norm: dim must name two different dims, got {dim!r}")
    moved = cg.movedim(x, d, [-2, -1])
    out = linalg.svdvals(moved).sum(-1)
    if keepdim:
        for v in sorted(d):
            out = out.unsqueeze(v)
    return out


def frobenius_norm(input: Any, dim: Any, keepdim: bool = False) -> Tensor:  # noqa: A002
    """``torch.frobenius_norm``: ``sqrt(sum(|x|^2))`` over ``dim``."""
    x = _t(input)
    d = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    return cg.sqrt((cg.abs(x) ** 2).sum(d, keepdim=keepdim))


def _method(fn: Any, name: str) -> Any:
    def method(self: Tensor, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"``Tensor.{name}``: ``torch.{name}`` with this tensor first."
    return method


_METHODS = {
    "lu": lu,
    "lu_solve": lu_solve,
    "cholesky_solve": cholesky_solve,
    "cholesky_inverse": cholesky_inverse,
    "triangular_solve": triangular_solve,
    "matrix_exp": matrix_exp,
    "geqrf": geqrf,
    "orgqr": orgqr,
    "ormqr": ormqr,
}
for _name, _fn in _METHODS.items():
    if not hasattr(Tensor, _name):
        setattr(Tensor, _name, _method(_fn, _name))
