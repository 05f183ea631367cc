"""``jax.scipy.linalg``: SciPy's linear algebra names and conventions (``cholesky`` upper
by default, ``lu`` as ``(p, l, u)``, ``lu_factor``'s 0-based pivots, ``qr``'s modes
``full`` / ``economic`` / ``r``), written with compgraph's differentiable functions.
``sqrtm``, ``schur`` and ``hessenberg`` are not here."""

from __future__ import annotations

from typing import Any

from .. import functions as F
from .. import linalg as _linalg
from ..nn import torch_top_linalg as _torch_linalg

__all__ = [
    "block_diag",
    "cho_factor",
    "cho_solve",
    "cholesky",
    "det",
    "eigh",
    "expm",
    "inv",
    "lu",
    "lu_factor",
    "lu_solve",
    "qr",
    "solve",
    "solve_triangular",
    "svd",
]

L: Any = _linalg
T: Any = _torch_linalg


def _torch(name: str) -> Any:
    """PyTorch's linear algebra function ``name`` (``torch.lu``, ``torch.matrix_exp`` ...)."""
    return getattr(T, name)


def _as_matrix(b: Any) -> tuple[Any, bool]:
    b = F.asarray(b)
    return (F.expand_dims(b, -1), True) if b.ndim == 1 else (b, False)


def _trans(trans: Any) -> int:
    codes = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}
    if trans not in codes:
        raise ValueError(
            f"compgraph.scipy.linalg: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}"
        )
    return codes[trans]


def solve_triangular(
    a: Any, b: Any, trans: Any = 0, lower: bool = False, unit_diagonal: bool = False, **kwds: Any
) -> Any:
    """SciPy's ``solve_triangular``: ``x`` with ``a x = b`` (``a.T x = b`` for trans 1,
    ``a.conj().T x = b`` for 2), ``a`` lower or upper triangular."""
    code = _trans(trans)
    a = F.asarray(a)
    if code == 2:
        a = F.conj(a)
    bm, vec = _as_matrix(b)
    x = _torch("triangular_solve")(
        bm, a, upper=not lower, transpose=code != 0, unitriangular=unit_diagonal
    )[0]
    return F.squeeze(x, -1) if vec else x


def cholesky(a: Any, lower: bool = False, **kwds: Any) -> Any:
    """SciPy's ``cholesky``: the upper factor ``U`` (``a = U^H U``) unless ``lower``."""
    return L.cholesky(a, upper=not lower)


def cho_factor(a: Any, lower: bool = False, **kwds: Any) -> tuple[Any, bool]:
    """SciPy's ``cho_factor``: ``(c, lower)``, ``c`` the Cholesky factor (the other
    triangle zeros)."""
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower: tuple, b: Any, **kwds: Any) -> Any:
    """SciPy's ``cho_solve((c, lower), b)``: ``x`` with ``a x = b`` from ``cho_factor``."""
    c, lower = c_and_lower
    bm, vec = _as_matrix(b)
    x = _torch("cholesky_solve")(bm, c, upper=not lower)
    return F.squeeze(x, -1) if vec else x


def lu(a: Any, permute_l: bool = False, **kwds: Any) -> tuple:
    """SciPy's ``lu``: ``(p, l, u)`` with ``a = p @ l @ u``, or ``(p @ l, u)`` with
    ``permute_l``."""
    lu_data, piv = _torch("lu")(a)
    p, low, up = _torch("lu_unpack")(lu_data, piv)
    return (F.matmul(p, low), up) if permute_l else (p, low, up)


def lu_factor(a: Any, **kwds: Any) -> tuple:
    """SciPy's ``lu_factor``: ``(lu, piv)``, ``piv`` 0-based (row i was swapped with
    row ``piv[i]``)."""
    lu_data, piv = _torch("lu")(a)
    return lu_data, F.subtract(F.asarray(piv), 1)


def lu_solve(lu_and_piv: tuple, b: Any, trans: Any = 0, **kwds: Any) -> Any:
    """SciPy's ``lu_solve((lu, piv), b, trans=0)``: ``x`` with ``a x = b`` (``a.T`` for
    trans 1, ``a.conj().T`` for 2)."""
    lu_data, piv = lu_and_piv
    code = _trans(trans)
    p, low, up = _torch("lu_unpack")(lu_data, F.add(F.asarray(piv), 1))
    bm, vec = _as_matrix(b)
    tri = _torch("triangular_solve")
    if code == 0:
        y = tri(F.matmul(F.matrix_transpose(p), bm), low, upper=False, unitriangular=True)[0]
        x = tri(y, up, upper=True)[0]
    else:
        if code == 2:
            low, up = F.conj(low), F.conj(up)
        y = tri(bm, up, upper=True, transpose=True)[0]
        x = F.matmul(p, tri(y, low, upper=False, transpose=True, unitriangular=True)[0])
    return F.squeeze(x, -1) if vec else x


def expm(A: Any, *, upper_triangular: bool = False, max_squarings: int = 16) -> Any:
    """SciPy's ``expm``: the matrix exponential."""
    return _torch("matrix_exp")(A)


def block_diag(*arrs: Any) -> Any:
    """SciPy's ``block_diag``: the arrays on a block diagonal (1-D arrays are rows)."""
    return F.block_diag(*[F.atleast_2d(a) for a in arrs])


def inv(a: Any, **kwds: Any) -> Any:
    """SciPy's ``inv``."""
    return L.inv(a)


def det(a: Any, **kwds: Any) -> Any:
    """SciPy's ``det``."""
    return L.det(a)


def solve(a: Any, b: Any, lower: bool = False, assume_a: str = "gen", **kwds: Any) -> Any:
    """SciPy's ``solve``: ``x`` with ``a x = b`` (``assume_a`` "pos" / "sym" / "her"
    solve in general all the same)."""
    return L.solve(a, b)


def eigh(a: Any, b: Any = None, lower: bool = True, eigvals_only: bool = False, **kwds: Any) -> Any:
    """SciPy's ``eigh``: ``(w, v)`` ascending, or ``w`` with ``eigvals_only``; the
    generalized problem (``b``) is not supported (as in JAX)."""
    if b is not None:
        raise NotImplementedError(
            "compgraph.scipy.linalg.eigh: the generalized problem (b) is not supported"
        )
    w, v = L.eigh(a, UPLO="L" if lower else "U")
    return w if eigvals_only else (w, v)


def qr(a: Any, mode: str = "full", pivoting: bool = False, **kwds: Any) -> Any:
    """SciPy's ``qr``: ``(q, r)`` with ``mode`` "full" (q square) or "economic", ``r``
    alone with "r"; pivoting is not supported."""
    if pivoting:
        raise NotImplementedError("compgraph.scipy.linalg.qr: pivoting is not supported")
    modes = {"full": "complete", "economic": "reduced", "r": "r"}
    if mode not in modes:
        raise ValueError(
            f"compgraph.scipy.linalg.qr: mode must be 'full', 'economic' or 'r', got {mode!r}"
        )
    if mode == "r":
        return L.qr(a, mode="complete")[1]
    return tuple(L.qr(a, mode=modes[mode]))


def svd(a: Any, full_matrices: bool = True, compute_uv: bool = True, **kwds: Any) -> Any:
    """SciPy's ``svd``: ``(u, s, vh)``, or ``s`` without ``compute_uv``."""
    return L.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)
