"""Samples of cg.linalg (tests/ops/test_linalg.py compares with torch.linalg and JAX)."""
import numpy as np
from helpers import Sample

import compgraph as cg

L = cg.linalg
M = (("any", (4, 4)),)
B = (("any", (2, 3, 3)),)  # a batch of matrices
TALL, WIDE = (("any", (5, 3)),), (("any", (3, 5)),)


def _hpd(a, xp):
    """A Hermitian positive-definite matrix made from a (so its inputs may be anything)."""
    n = a.shape[-1]
    return xp.matmul(a, xp.conj(xp.swapaxes(a, -1, -2))) + n * np.eye(n)


def s(id, fn, ref, inputs=M, **kw):  # noqa: A002
    return Sample("linalg." + id, fn, ref, inputs, **kw)


def h(id, fn, ref, inputs=M, **kw):  # noqa: A002
    """A function of a Hermitian positive-definite matrix."""
    return s(id, lambda a: fn(_hpd(a, cg)), lambda a: ref(_hpd(a, np)), inputs, **kw)


SAMPLES = [
    s("inv", L.inv, np.linalg.inv, B, order2=True, complex=True),
    s("det", L.det, np.linalg.det, B, order2=True, complex=True),
    s("slogdet", lambda a: L.slogdet(a).logabsdet, lambda a: np.linalg.slogdet(a)[1], B,
      order2=True, complex=True),
    s("slogdet_sign", lambda a: L.slogdet(a)[0] * a, lambda a: np.linalg.slogdet(a)[0] * a, M),
    s("solve", L.solve, np.linalg.solve, (("any", (2, 3, 3)), ("any", (3, 2))), order2=True,
      complex=True),
    s("solve_vector", L.solve, np.linalg.solve, (("any", (2, 3, 3)), ("any", (3,)))),
    h("cholesky", L.cholesky, np.linalg.cholesky, order2=True, complex=True),
    h("cholesky_upper", lambda a: L.cholesky(a, upper=True),
      lambda a: np.linalg.cholesky(a, upper=True), B),
    h("eigvalsh", L.eigvalsh, np.linalg.eigvalsh, B, order2=True, complex=True),
    h("eigh_values", lambda a: L.eigh(a).eigenvalues, lambda a: np.linalg.eigh(a)[0],
      complex=True),
    h("eigh_vectors", lambda a: L.eigh(a, "U")[1] ** 2, lambda a: np.linalg.eigh(a, "U")[1] ** 2,
      B, order2=True),
    s("svdvals", L.svdvals, np.linalg.svdvals, TALL, order2=True, complex=True),
    s("svd_values", lambda a: L.svd(a, compute_uv=False), lambda a: np.linalg.svd(a)[1], WIDE),
    s("svd_tall", lambda a: L.svd(a, full_matrices=False).U ** 2 + L.svd(a).S,
      lambda a: np.linalg.svd(a, False)[0] ** 2 + np.linalg.svd(a)[1], TALL,
      order2=True),
    s("svd_wide", lambda a: L.svd(a)[2][:3] ** 2, lambda a: np.linalg.svd(a)[2][:3] ** 2, WIDE),
    s("svd_batch", lambda a: L.svd(a)[0] @ L.svd(a)[2], lambda a: np.linalg.svd(a)[0] @
      np.linalg.svd(a)[2], B),
    s("qr_tall", lambda a: cg.concatenate(list(L.qr(a)), axis=0),
      lambda a: np.concatenate(np.linalg.qr(a), axis=0), (("any", (3, 2)),), order2=True),
    s("qr_wide", lambda a: cg.concatenate(list(L.qr(a)), axis=-1),
      lambda a: np.concatenate(np.linalg.qr(a), axis=-1), (("any", (2, 2, 4)),)),
    s("qr_r", lambda a: L.qr(a, "r"), lambda a: np.linalg.qr(a, "r"), TALL),
    s("qr_raw", lambda a: L.qr(a, "raw")[0], lambda a: np.linalg.qr(a, "raw")[0], TALL,
      grad=False),
    s("qr_complete", lambda a: L.qr(a, "complete").R, lambda a: np.linalg.qr(a, "complete")[1],
      TALL),
    s("pinv", L.pinv, np.linalg.pinv, TALL, order2=True, complex=True),
    s("pinv_wide", L.pinv, np.linalg.pinv, (("any", (2, 3, 5)),)),
    s("matrix_power", lambda a: L.matrix_power(a, 5), lambda a: np.linalg.matrix_power(a, 5), B,
      order2=True),
    s("matrix_power_neg", lambda a: L.matrix_power(a, -2),
      lambda a: np.linalg.matrix_power(a, -2), M),
    s("matrix_power_0", lambda a: L.matrix_power(a, 0) + a, lambda a: np.linalg.matrix_power(a, 0) + a, M),
    s("matrix_rank", L.matrix_rank, np.linalg.matrix_rank, B, grad=False),
    s("matmul", L.matmul, np.linalg.matmul, (("any", (2, 3)), ("any", (3, 4)))),
    s("multi_dot", lambda a, b, c: L.multi_dot([a, b, c]),
      lambda a, b, c: np.linalg.multi_dot([a, b, c]),
      (("any", (3,)), ("any", (3, 4)), ("any", (4, 2)))),
    s("lstsq", lambda a, b: L.lstsq(a, b)[0], lambda a, b: np.linalg.lstsq(a, b)[0],
      (("any", (5, 3)), ("any", (5, 2))), order2=True, complex=True),
    s("lstsq_residuals", lambda a, b: L.lstsq(a, b).residuals,
      lambda a, b: np.linalg.lstsq(a, b)[1], (("any", (5, 3)), ("any", (5,)))),
    s("cond", L.cond, np.linalg.cond, B, complex=True),
    s("cond_fro", lambda a: L.cond(a, "fro"), lambda a: np.linalg.cond(a, "fro"), B),
    s("cond_-2", lambda a: L.cond(a, -2), lambda a: np.linalg.cond(a, -2), TALL),
    s("tensorinv", lambda a: L.tensorinv(a, 1), lambda a: np.linalg.tensorinv(a, 1),
      (("any", (6, 2, 3)),)),
    s("tensorsolve", lambda a, b: L.tensorsolve(a, b, (0, 1)),
      lambda a, b: np.linalg.tensorsolve(a, b, (0, 1)), (("any", (2, 3, 6)), ("any", (6,)))),
    s("norm", L.norm, np.linalg.norm, (("nz", (2, 3, 4)),), order2=True, complex=True),
]
SIGNS = np.array([1.0, -1.0, -1.0, 1.0])  # "pos" inputs times these: no zeros, no ties of |x|
for o in (None, 1, 2, np.inf, -np.inf, 3, 0.5, -1.5):
    SAMPLES.append(s(f"norm_vector_{o}", lambda a, o=o: L.norm(a * SIGNS, o, -1, keepdims=True),
                     lambda a, o=o: np.linalg.norm(a * SIGNS, o, -1, keepdims=True),
                     (("pos", (3, 4)),), complex=True))
for o in ("fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf):
    SAMPLES.append(s(f"norm_matrix_{o}", lambda a, o=o: L.norm(a * SIGNS, o, axis=(2, 0)),
                     lambda a, o=o: np.linalg.norm(a * SIGNS, o, axis=(2, 0)),
                     (("pos", (3, 2, 4)),), complex=True))
SAMPLES += [
    s("norm_0", lambda a: L.norm(a, 0, axis=0), lambda a: np.linalg.norm(a, 0, axis=0),
      (("any", (3, 4)),)),
    s("norm_2d", lambda a: L.norm(a, 2), lambda a: np.linalg.norm(a, 2), M, order2=True),
    s("vector_norm", lambda a: L.vector_norm(a, axis=(0, 2), ord=3),
      lambda a: np.linalg.vector_norm(a, axis=(0, 2), ord=3), (("nz", (2, 3, 4)),), order2=True),
    s("matrix_norm", lambda a: L.matrix_norm(a, keepdims=True, ord="nuc"),
      lambda a: np.linalg.matrix_norm(a, keepdims=True, ord="nuc"), B, complex=True),
]
