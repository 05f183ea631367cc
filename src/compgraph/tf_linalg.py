"""TensorFlow's ``tf.linalg`` names that ``cg.linalg`` (NumPy's ``np.linalg``) lacks
(``adjoint``, ``band_part``, ``diag_part``, ``logdet``, ``triangular_solve`` ...): written
here and put into :mod:`compgraph.linalg` when that name is free there.

Everything differentiable is built from differentiable cg ops; matrices are the two
innermost dims and leading dims are batch dims, as in TensorFlow.

>>> import compgraph as cg
>>> cg.linalg.band_part(cg.ones((3, 3)), 0, 1).tolist()
[[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import linalg as _linalg_module
from .nn.torch_top_linalg import lu as _torch_lu
from .nn.torch_top_linalg import lu_unpack as _torch_lu_unpack
from .nn.torch_top_linalg import matrix_exp as _matrix_exp
from .nn.torch_top_linalg import triangular_solve as _torch_triangular_solve
from .ops.namespace import cg
from .tensor import Tensor

__all__ = [
    "adjoint",
    "band_part",
    "diag",
    "diag_part",
    "set_diag",
    "tensor_diag",
    "tensor_diag_part",
    "eye",
    "einsum",
    "expm",
    "logdet",
    "logm",
    "sqrtm",
    "l2_normalize",
    "normalize",
    "global_norm",
    "matvec",
    "lu",
    "lu_reconstruct",
    "lu_solve",
    "lu_matrix_inverse",
    "cholesky_solve",
    "triangular_solve",
    "banded_triangular_solve",
    "tridiagonal_solve",
    "tridiagonal_matmul",
    "eigh_tridiagonal",
]


def _t(x: Any) -> Any:
    return x if isinstance(x, Tensor) else cg.asarray(x)


def _mT(x: Any) -> Tensor:
    return cg.swapaxes(x, -1, -2)


def _single_k(k: Any, where: str) -> int:
    """TF allows a band ``k=(lo, hi)``; only a single diagonal is supported here."""
    if isinstance(k, (tuple, list)) or np.ndim(k) == 1:
        ks = [int(v) for v in np.ravel(k)]
        if len(ks) == 2 and ks[0] == ks[1]:
            return ks[0]
        if len(ks) != 1:
            raise NotImplementedError(
                f"{where}: a band of diagonals k={k} is not supported; pass one k"
            )
        return ks[0]
    return int(k)


def adjoint(matrix: Any, name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.adjoint``: the conjugate transpose of the inner matrices."""
    m = _t(matrix)
    r = _mT(m)
    return cg.conj(r) if np.iscomplexobj(np.empty(0, m.dtype)) else r


def _band_mask(rows: int, cols: int, lower: int, upper: int) -> np.ndarray:
    i = np.arange(rows)[:, None]
    j = np.arange(cols)[None, :]
    keep = np.ones((rows, cols), bool)
    if lower >= 0:
        keep &= i - j <= lower
    if upper >= 0:
        keep &= j - i <= upper
    return keep


def band_part(input: Any, num_lower: int, num_upper: int, name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.band_part``: keep ``num_lower`` sub- and ``num_upper``
    superdiagonals (a negative count keeps that whole triangle), zero the rest."""
    x = _t(input)
    if x.ndim < 2:
        raise ValueError(f"linalg.band_part: expected a tensor of rank >= 2, got shape {x.shape}")
    mask = _band_mask(x.shape[-2], x.shape[-1], int(num_lower), int(num_upper))
    return cg.where(cg.asarray(mask), x, cg.zeros((), dtype=x.dtype))


def diag(
    diagonal: Any,
    name: str = "diag",
    k: Any = 0,
    num_rows: int = -1,
    num_cols: int = -1,
    padding_value: Any = 0,
    align: str = "RIGHT_LEFT",
) -> Tensor:
    """TensorFlow's ``tf.linalg.diag`` (``matrix_diag``): matrices with ``diagonal``'s
    innermost dim on their ``k``-th diagonal, ``padding_value`` elsewhere.  One ``k``
    only (TF's band form ``k=(lo, hi)`` raises NotImplementedError)."""
    d = _t(diagonal)
    kk = _single_k(k, "linalg.diag")
    if d.ndim < 1:
        raise ValueError(f"linalg.diag: expected a tensor of rank >= 1, got shape {d.shape}")
    n = d.shape[-1]
    square = n + abs(kk)
    rows = int(num_rows)
    cols = int(num_cols)
    # TF's inference (matrix_diag_op.cc): the smallest matrix holding the diagonal
    if rows < 0 and cols < 0:
        rows = cols = square
    elif rows < 0:
        rows = n - min(kk, 0)
    elif cols < 0:
        cols = n + max(kk, 0)
    need = min(rows + min(0, kk), cols - max(0, kk))
    if need != n:
        raise ValueError(
            f"linalg.diag: a diagonal of length {n} does not fit diagonal k={kk} of a "
            f"{rows}x{cols} matrix (length {need} expected)"
        )
    m = cg.diag_embed(d, offset=kk)
    pads = [(0, 0)] * (d.ndim - 1) + [(0, max(rows - square, 0)), (0, max(cols - square, 0))]
    if rows > square or cols > square:
        m = cg.pad(m, pads)
    m = m[..., :rows, :cols]
    if padding_value != 0:
        off = ~np.equal(np.arange(cols)[None, :] - np.arange(rows)[:, None], kk)
        m = cg.where(cg.asarray(off), cg.asarray(np.asarray(padding_value, m.dtype)), m)
    return m


def diag_part(
    input: Any,
    name: str = "diag_part",
    k: Any = 0,
    padding_value: Any = 0,
    align: str = "RIGHT_LEFT",
) -> Tensor:
    """TensorFlow's ``tf.linalg.diag_part``: the ``k``-th diagonal of the inner matrices
    (one ``k`` only)."""
    x = _t(input)
    if x.ndim < 2:
        raise ValueError(f"linalg.diag_part: expected a tensor of rank >= 2, got shape {x.shape}")
    return cg.diagonal(x, offset=_single_k(k, "linalg.diag_part"), axis1=-2, axis2=-1)


def set_diag(
    input: Any, diagonal: Any, name: str = "set_diag", k: Any = 0, align: str = "RIGHT_LEFT"
) -> Tensor:
    """TensorFlow's ``tf.linalg.set_diag``: ``input`` with its ``k``-th diagonal replaced
    (one ``k`` only)."""
    x = _t(input)
    if x.ndim < 2:
        raise ValueError(f"linalg.set_diag: expected a tensor of rank >= 2, got shape {x.shape}")
    kk = _single_k(k, "linalg.set_diag")
    rows, cols = x.shape[-2], x.shape[-1]
    on = np.equal(np.arange(cols)[None, :] - np.arange(rows)[:, None], kk)
    d = diag(cg.astype(_t(diagonal), x.dtype), k=kk, num_rows=rows, num_cols=cols)
    return cg.where(cg.asarray(on), d, x)


def tensor_diag(diagonal: Any, name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.tensor_diag``: shape ``s`` -> ``s + s`` with ``diagonal``
    where every index pair agrees."""
    d = _t(diagonal)
    n = int(np.prod(d.shape))
    return cg.reshape(cg.diag_embed(cg.reshape(d, (n,))), tuple(d.shape) * 2)


def tensor_diag_part(input: Any, name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.tensor_diag_part``: shape ``s + s`` -> ``s``."""
    x = _t(input)
    if x.ndim % 2 or x.shape[: x.ndim // 2] != x.shape[x.ndim // 2 :]:
        raise ValueError(f"linalg.tensor_diag_part: expected a shape s + s, got {x.shape}")
    s = tuple(x.shape[: x.ndim // 2])
    n = int(np.prod(s))
    return cg.reshape(cg.diagonal(cg.reshape(x, (n, n)), 0, 0, 1), s)


def eye(
    num_rows: int,
    num_columns: int | None = None,
    batch_shape: Sequence[int] | None = None,
    dtype: Any = "float32",
    name: str | None = None,
) -> Tensor:
    """TensorFlow's ``tf.linalg.eye``: identity matrices, optionally batched."""
    cols = num_rows if num_columns is None else int(num_columns)
    m = np.eye(int(num_rows), cols, dtype=np.dtype(dtype))
    if batch_shape is not None:
        m = np.broadcast_to(m, (*tuple(int(b) for b in batch_shape), *m.shape)).copy()
    return cg.asarray(m)


def einsum(equation: str, *inputs: Any, **kwargs: Any) -> Tensor:
    """TensorFlow's ``tf.linalg.einsum`` (``name=`` accepted and ignored)."""
    kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError(f"linalg.einsum: unexpected arguments {sorted(kwargs)}")
    return cg.einsum(equation, *inputs)


def expm(input: Any, name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.expm``: the matrix exponential (``cg.matrix_exp``)."""
    return _matrix_exp(_t(input))


def logdet(matrix: Any, name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.logdet``: log-determinant of Hermitian positive-definite
    matrices, through their Cholesky factor (differentiable)."""
    chol = _linalg_module.cholesky(_t(matrix))
    return 2.0 * cg.sum(cg.log(cg.real(cg.diagonal(chol, 0, -2, -1))), axis=-1)


def _eye_like(x: Tensor) -> Tensor:
    n = x.shape[-1]
    return cg.asarray(np.broadcast_to(np.eye(n, dtype=x.dtype), x.shape).copy())


def _values(x: Tensor) -> np.ndarray:
    return np.asarray(x.detach().numpy())


def _dist_to_eye(x: Tensor) -> float:
    v = _values(x)
    return float(np.max(np.abs(v - np.eye(v.shape[-1]))))


def sqrtm(input: Any, name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.sqrtm``: the principal matrix square root, by the
    Denman-Beavers iteration on cg ops (so differentiable: the gradient is that of the
    converged iteration).  Needs no eigenvalue on the closed negative real axis;
    like TF's, a matrix without a principal root gives non-finite values."""
    a = _t(input)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"linalg.sqrtm: expected square matrices, got shape {a.shape}")
    y = a
    z = _eye_like(a)
    for _ in range(64):
        y_next = 0.5 * (y + _linalg_module.inv(z))
        z = 0.5 * (z + _linalg_module.inv(y))
        new = _values(y_next)
        done = float(np.max(np.abs(new - _values(y)))) <= 1e-15 * (1 + float(np.max(np.abs(new))))
        y = y_next
        if done:
            break
    return y


def logm(input: Any, name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.logm``: the principal matrix logarithm by inverse scaling
    and squaring (repeated :func:`sqrtm`, then the series of ``log(I + X)``), all on cg
    ops, so differentiable.  TF accepts complex input only; real input is accepted here
    too (a real result)."""
    a = _t(input)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"linalg.logm: expected square matrices, got shape {a.shape}")
    s = 0
    while _dist_to_eye(a) > 0.1 and s < 60:
        a = sqrtm(a)
        s += 1
    x = a - _eye_like(a)
    term = x
    total = x
    for k in range(2, 40):
        term = cg.matmul(term, x)
        total = total + ((-1.0) ** (k + 1) / k) * term
    return total * float(2**s)


def l2_normalize(
    x: Any, axis: Any = None, epsilon: float = 1e-12, name: str | None = None, dim: Any = None
) -> Tensor:
    """TensorFlow's ``tf.linalg.l2_normalize``: ``x / sqrt(max(sum(|x|**2), epsilon))``
    over ``axis`` (all axes if None)."""
    v = _t(x)
    ax = dim if axis is None else axis
    if isinstance(ax, list):
        ax = tuple(ax)
    sq = cg.sum(
        cg.real(v * cg.conj(v)) if np.iscomplexobj(np.empty(0, v.dtype)) else v * v,
        axis=ax,
        keepdims=True,
    )
    return v * cg.astype(1.0 / cg.sqrt(cg.maximum(sq, epsilon)), v.dtype)


def normalize(
    tensor: Any, ord: Any = "euclidean", axis: Any = None, name: str | None = None
) -> tuple:
    """TensorFlow's ``tf.linalg.normalize``: ``(tensor / norm, norm)`` with TF's
    ``tf.norm`` (``norm`` keeps the reduced dims)."""
    x = _t(tensor)
    ax = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    a = cg.abs(x)
    if ax is None or isinstance(ax, int) or len(ax) == 1:
        if ord in ("euclidean", "fro", 2, 2.0):
            n = cg.sqrt(cg.sum(a * a, axis=ax, keepdims=True))
        elif ord in (np.inf, float("inf")):
            n = cg.max(a, axis=ax, keepdims=True)
        elif isinstance(ord, (int, float)) and ord > 0:
            n = cg.sum(a**ord, axis=ax, keepdims=True) ** (1.0 / ord)
        else:
            raise ValueError(
                f"linalg.normalize: ord must be 'euclidean', 'fro', a positive number or inf, got {ord!r}"
            )
    elif len(ax) == 2:
        if ord in ("euclidean", "fro"):
            n = cg.sqrt(cg.sum(a * a, axis=ax, keepdims=True))
        elif ord in (1, np.inf, float("inf")):
            inner = cg.sum(a, axis=ax[0] if ord == 1 else ax[1], keepdims=True)
            n = cg.max(inner, axis=ax[1] if ord == 1 else ax[0], keepdims=True)
        else:
            raise ValueError(
                f"linalg.normalize: matrix ord must be 'euclidean', 'fro', 1 or inf, got {ord!r}"
            )
    else:
        raise ValueError(f"linalg.normalize: axis must be None, an int or a pair, got {axis!r}")
    return x / cg.astype(n, x.dtype), n


def global_norm(t_list: Sequence[Any], name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.global_norm``: ``sqrt(sum of every tensor's squared
    entries)``; None entries are skipped."""
    if isinstance(t_list, (Tensor, np.ndarray)) or not isinstance(t_list, (list, tuple)):
        raise TypeError(
            f"linalg.global_norm: t_list must be a sequence of tensors, got {type(t_list).__name__}"
        )
    parts = [cg.sum(cg.abs(_t(t)) ** 2) for t in t_list if t is not None]
    if not parts:
        return cg.asarray(np.float32(0))
    return cg.sqrt(cg.sum(cg.stack(parts)))


def matvec(
    a: Any,
    b: Any,
    transpose_a: bool = False,
    adjoint_a: bool = False,
    a_is_sparse: bool = False,
    b_is_sparse: bool = False,
    name: str | None = None,
) -> Tensor:
    """TensorFlow's ``tf.linalg.matvec``: ``a @ b`` for matrices ``a`` and vectors ``b``."""
    m = _t(a)
    if transpose_a and adjoint_a:
        raise ValueError("linalg.matvec: only one of transpose_a and adjoint_a can be True")
    if transpose_a:
        m = _mT(m)
    if adjoint_a:
        m = adjoint(m)
    v = _t(b)
    return cg.squeeze(cg.matmul(m, cg.expand_dims(v, -1)), -1)


def lu(input: Any, output_idx_type: Any = "int32", name: str | None = None) -> tuple:
    """TensorFlow's ``tf.linalg.lu``: ``(lu, p)`` with ``L @ U == input[..., p, :]`` (L
    unit lower, U upper, packed in ``lu``); differentiable in ``lu``."""
    a = _t(input)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"linalg.lu: expected square matrices, got shape {a.shape}")
    packed, pivots = _torch_lu(a)
    perm_mat = np.asarray(_torch_lu_unpack(packed.detach(), pivots)[0].numpy())
    p = np.argmax(perm_mat, axis=-2).astype(np.dtype(output_idx_type))
    return packed, cg.asarray(p)


def _unpack(lower_upper: Tensor) -> tuple:
    n = lower_upper.shape[-1]
    low = cg.tril(lower_upper, -1) + cg.asarray(np.eye(n, dtype=lower_upper.dtype))
    return low, cg.triu(lower_upper)


def _row_take(x: Tensor, idx: np.ndarray) -> Tensor:
    idx = np.asarray(idx).astype(np.int64)
    full = np.broadcast_to(idx[..., :, None], (*idx.shape, x.shape[-1]))
    lead = np.broadcast_shapes(full.shape[:-2], tuple(x.shape[:-2]))
    full = np.broadcast_to(full, (*lead, *full.shape[-2:]))
    x = cg.broadcast_to(x, (*lead, *x.shape[-2:]))
    return cg.take_along_axis(x, cg.asarray(full.copy()), axis=-2)


def lu_reconstruct(
    lower_upper: Any, perm: Any, validate_args: bool = False, name: str | None = None
) -> Tensor:
    """TensorFlow's ``tf.linalg.lu_reconstruct``: the matrix whose :func:`lu` is
    ``(lower_upper, perm)``."""
    lu_ = _t(lower_upper)
    low, up = _unpack(lu_)
    p = np.asarray(_t(perm).numpy())
    inv = np.argsort(p, axis=-1)
    return _row_take(cg.matmul(low, up), inv)


def lu_solve(
    lower_upper: Any, perm: Any, rhs: Any, validate_args: bool = False, name: str | None = None
) -> Tensor:
    """TensorFlow's ``tf.linalg.lu_solve``: solve ``A X = rhs`` from ``A``'s :func:`lu`."""
    lu_ = _t(lower_upper)
    b = _t(rhs)
    if b.ndim < 2 or b.shape[-2] != lu_.shape[-1]:
        raise ValueError(
            f"linalg.lu_solve: rhs of shape {b.shape} does not match lower_upper {lu_.shape}"
        )
    low, up = _unpack(lu_)
    pb = _row_take(b, np.asarray(_t(perm).numpy()))
    y = triangular_solve(low, pb, lower=True)
    return triangular_solve(up, y, lower=False)


def lu_matrix_inverse(
    lower_upper: Any, perm: Any, validate_args: bool = False, name: str | None = None
) -> Tensor:
    """TensorFlow's ``tf.linalg.lu_matrix_inverse``: the inverse from an :func:`lu`."""
    lu_ = _t(lower_upper)
    return lu_solve(lu_, perm, eye(lu_.shape[-1], batch_shape=lu_.shape[:-2], dtype=lu_.dtype))


def cholesky_solve(chol: Any, rhs: Any, name: str | None = None) -> Tensor:
    """TensorFlow's ``tf.linalg.cholesky_solve``: solve ``A X = rhs`` given ``A``'s lower
    Cholesky factor ``chol`` (argument order as TF's, not torch's)."""
    c = _t(chol)
    y = triangular_solve(c, rhs, lower=True)
    return triangular_solve(c, y, lower=True, adjoint=True)


def triangular_solve(
    matrix: Any, rhs: Any, lower: bool = True, adjoint: bool = False, name: str | None = None
) -> Tensor:
    """TensorFlow's ``tf.linalg.triangular_solve``: solve ``matrix X = rhs`` (or with
    ``matrix``'s adjoint) for triangular ``matrix`` (the other triangle is ignored)."""
    a = _t(matrix)
    b = _t(rhs)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2] or b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise ValueError(
            f"linalg.triangular_solve: expected square matrix [..., M, M] and rhs [..., M, K], "
            f"got {a.shape} and {b.shape}"
        )
    a = cg.tril(a) if lower else cg.triu(a)
    if adjoint:
        a = globals()["adjoint"](a)
        lower = not lower
    return _torch_triangular_solve(b, a, upper=not lower)[0]


def _bands_dense(bands: Any, lower: bool) -> Any:
    k_count, n = bands.shape[-2], bands.shape[-1]
    total = None
    for k in range(k_count):
        if lower:
            part = diag(bands[..., k, k:], k=-k, num_rows=n, num_cols=n)
        else:
            part = diag(bands[..., k_count - 1 - k, : n - k], k=k, num_rows=n, num_cols=n)
        total = part if total is None else total + part
    assert total is not None
    return total


def banded_triangular_solve(
    bands: Any, rhs: Any, lower: bool = True, adjoint: bool = False, name: str | None = None
) -> Tensor:
    """TensorFlow's ``tf.linalg.banded_triangular_solve``: ``bands`` is ``[..., K, M]``
    (lower: row ``k`` holds the ``k``-th subdiagonal, ``bands[k, i] = A[i, i-k]``; upper:
    row ``K-1-k`` holds the ``k``-th superdiagonal, ``bands[K-1-k, i] = A[i, i+k]``).
    Solved densely."""
    b = _t(bands)
    if b.ndim < 2 or b.shape[-2] > b.shape[-1]:
        raise ValueError(
            f"linalg.banded_triangular_solve: expected bands [..., K, M] with K <= M, got {b.shape}"
        )
    return triangular_solve(_bands_dense(b, lower), rhs, lower=lower, adjoint=adjoint)


def _tridiag_dense(diagonals: Any, fmt: str, where: str) -> Tensor:
    if fmt == "matrix":
        m = _t(diagonals)
        if m.ndim < 2 or m.shape[-1] != m.shape[-2]:
            raise ValueError(f"{where}: 'matrix' format expects [..., M, M], got {m.shape}")
        return band_part(m, 1, 1)
    if fmt == "sequence":
        if not isinstance(diagonals, (list, tuple)) or len(diagonals) != 3:
            raise ValueError(f"{where}: 'sequence' format expects (superdiag, maindiag, subdiag)")
        sup, main, sub = (_t(d) for d in diagonals)
    elif fmt == "compact":
        d = _t(diagonals)
        if d.ndim < 2 or d.shape[-2] != 3:
            raise ValueError(f"{where}: 'compact' format expects [..., 3, M], got {d.shape}")
        sup, main, sub = d[..., 0, :], d[..., 1, :], d[..., 2, :]
    else:
        raise ValueError(
            f"{where}: diagonals_format must be 'compact', 'sequence' or 'matrix', got {fmt!r}"
        )
    n = main.shape[-1]
    return (
        diag(main)
        + diag(sup[..., : n - 1], k=1, num_rows=n, num_cols=n)
        + diag(sub[..., 1:], k=-1, num_rows=n, num_cols=n)
    )


def tridiagonal_solve(
    diagonals: Any,
    rhs: Any,
    diagonals_format: str = "compact",
    transpose_rhs: bool = False,
    conjugate_rhs: bool = False,
    name: str | None = None,
    partial_pivoting: bool = True,
    perturb_singular: bool = False,
) -> Tensor:
    """TensorFlow's ``tf.linalg.tridiagonal_solve`` (formats 'compact' ``[..., 3, M]``:
    superdiagonal (last entry ignored), main, subdiagonal (first ignored); 'sequence';
    'matrix').  Solved densely with pivoting; ``perturb_singular`` is not supported."""
    if perturb_singular:
        raise NotImplementedError(
            "linalg.tridiagonal_solve: perturb_singular=True is not supported"
        )
    a = _tridiag_dense(diagonals, diagonals_format, "linalg.tridiagonal_solve")
    b = _t(rhs)
    vec = b.ndim == a.ndim - 1
    if vec:
        b = cg.expand_dims(b, -1)
    elif transpose_rhs:
        b = _mT(b)
    if conjugate_rhs:
        b = cg.conj(b)
    if b.shape[-2] != a.shape[-1]:
        raise ValueError(
            f"linalg.tridiagonal_solve: rhs of shape {_t(rhs).shape} does not match M={a.shape[-1]}"
        )
    x = _linalg_module.solve(a, cg.astype(b, a.dtype) if b.dtype != a.dtype else b)
    return cg.squeeze(x, -1) if vec else x


def tridiagonal_matmul(
    diagonals: Any, rhs: Any, diagonals_format: str = "compact", name: str | None = None
) -> Tensor:
    """TensorFlow's ``tf.linalg.tridiagonal_matmul``: the tridiagonal matrix (formats as
    :func:`tridiagonal_solve`) times ``rhs`` ``[..., M, N]``."""
    a = _tridiag_dense(diagonals, diagonals_format, "linalg.tridiagonal_matmul")
    return cg.matmul(a, _t(rhs))


def eigh_tridiagonal(
    alpha: Any,
    beta: Any,
    eigvals_only: bool = True,
    select: str = "a",
    select_range: Any = None,
    tol: Any = None,
    name: str | None = None,
) -> Any:
    """TensorFlow's ``tf.linalg.eigh_tridiagonal``: eigenvalues (ascending; and
    eigenvectors as columns unless ``eigvals_only``) of the Hermitian tridiagonal matrix
    with diagonal ``alpha`` and off-diagonal ``beta``; ``select`` 'a' (all), 'v' (values in
    the half-open ``(lo, hi]``) or 'i' (indices ``lo..hi`` inclusive).  Solved densely
    (``cg.linalg.eigh``, differentiable); ``tol`` is ignored."""
    a = _t(alpha)
    b = _t(beta)
    if a.ndim != 1 or b.ndim != 1 or b.shape[0] != max(a.shape[0] - 1, 0):
        raise ValueError(
            f"linalg.eigh_tridiagonal: expected alpha [n] and beta [n-1], got {a.shape} and {b.shape}"
        )
    n = a.shape[0]
    m = diag(a)
    if n > 1:
        m = (
            m
            + diag(b, k=1, num_rows=n, num_cols=n)
            + diag(cg.conj(b), k=-1, num_rows=n, num_cols=n)
        )
    w, v = _linalg_module.eigh(m)
    if select == "a":
        idx = np.arange(n)
    elif select == "i":
        lo, hi = (int(s) for s in select_range)
        idx = np.arange(lo, hi + 1)
    elif select == "v":
        vlo, vhi = (float(s) for s in select_range)
        wv = np.asarray(w.numpy())
        idx = np.nonzero((wv > vlo) & (wv <= vhi))[0]
    else:
        raise ValueError(f"linalg.eigh_tridiagonal: select must be 'a', 'v' or 'i', got {select!r}")
    if select != "a":
        w = w[cg.asarray(idx)]
        v = v[:, cg.asarray(idx)]
    return w if eigvals_only else (w, v)


def _install() -> None:
    for n in __all__:
        if not hasattr(_linalg_module, n):
            setattr(_linalg_module, n, globals()[n])


_install()
