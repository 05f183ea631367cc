"""Samples of NumPy's shape functions (ops/manip.py); more in tests/ops/test_shapes.py.
Functions that return several arrays are sampled through a stack of their results."""
import numpy as np
from helpers import Sample

import compgraph as cg

A = (("any", (3, 4)),)
B = (("any", (2, 3, 4)),)
V = (("any", (5,)),)
ORDER = np.array([[2, 0, 1, 3], [1, 1, 0, 2], [3, 2, 2, 0]])  # indices along axis 1 of (3, 4)


def _cat(xs):
    return cg.concatenate([cg.ravel(x) for x in xs])


def _npcat(xs):
    return np.concatenate([np.ravel(x) for x in xs])


SAMPLES = [
    Sample("ravel", lambda a: cg.ravel(a), np.ravel, B),
    Sample("ravel_F", lambda a: a.ravel("F"), lambda a: a.ravel("F"), B),
    Sample("moveaxis", lambda a: cg.moveaxis(a, [0, 2], [2, 0]),
           lambda a: np.moveaxis(a, [0, 2], [2, 0]), B),
    Sample("permute_dims", lambda a: cg.permute_dims(a, (1, 2, 0)),
           lambda a: np.permute_dims(a, (1, 2, 0)), B),
    Sample("matrix_transpose", lambda a: a.mT, lambda a: a.mT, B),
    Sample("tile", lambda a: cg.tile(a, (2, 1, 3)), lambda a: np.tile(a, (2, 1, 3)), A),
    Sample("repeat_int", lambda a: a.repeat(2, axis=1), lambda a: a.repeat(2, axis=1), A),
    Sample("repeat_counts", lambda a: cg.repeat(a, [2, 0, 1], axis=0),
           lambda a: np.repeat(a, [2, 0, 1], axis=0), A),
    Sample("repeat_flat", lambda a: cg.repeat(a, 3), lambda a: np.repeat(a, 3), A),
    Sample("roll", lambda a: cg.roll(a, (1, -2, 5), (0, 2, 0)),
           lambda a: np.roll(a, (1, -2, 5), (0, 2, 0)), B),
    Sample("roll_flat", lambda a: cg.roll(a, 3), lambda a: np.roll(a, 3), A),
    Sample("flip", lambda a: cg.flip(a, (0, 2)), lambda a: np.flip(a, (0, 2)), B),
    Sample("flip_all", lambda a: cg.flip(a), np.flip, A),
    Sample("fliplr", lambda a: cg.fliplr(a), np.fliplr, A),
    Sample("flipud", lambda a: cg.flipud(a), np.flipud, A),
    Sample("rot90", lambda a: cg.rot90(a, 3, (2, 0)), lambda a: np.rot90(a, 3, (2, 0)), B),
    Sample("pad_constant", lambda a: cg.pad(a, ((1, 2), (0, 3)), constant_values=1.5),
           lambda a: np.pad(a, ((1, 2), (0, 3)), constant_values=1.5), A),
    Sample("pad_values", lambda a: cg.pad(a, 1, constant_values=((1, 2), (3, 4))),
           lambda a: np.pad(a, 1, constant_values=((1, 2), (3, 4))), A),
    Sample("pad_edge", lambda a: cg.pad(a, ((2, 1), (1, 2)), "edge"),
           lambda a: np.pad(a, ((2, 1), (1, 2)), "edge"), A),
    Sample("pad_reflect", lambda a: cg.pad(a, (2, 3), "reflect"),
           lambda a: np.pad(a, (2, 3), "reflect"), A),
    Sample("pad_symmetric", lambda a: cg.pad(a, ((1, 4), (2, 0)), "symmetric"),
           lambda a: np.pad(a, ((1, 4), (2, 0)), "symmetric"), A),
    Sample("pad_wrap", lambda a: cg.pad(a, ((0, 1), (5, 2), (1, 1)), "wrap"),
           lambda a: np.pad(a, ((0, 1), (5, 2), (1, 1)), "wrap"), B),
    Sample("split", lambda a: _cat(cg.split(a, 2, axis=2)),
           lambda a: _npcat(np.split(a, 2, axis=2)), B),
    Sample("split_indices", lambda a: _cat(cg.split(a, [1, 3], axis=1)[1:]),
           lambda a: _npcat(np.split(a, [1, 3], axis=1)[1:]), A),
    Sample("array_split", lambda a: _cat(cg.array_split(a, 3, axis=1)[:2]),
           lambda a: _npcat(np.array_split(a, 3, axis=1)[:2]), A),
    Sample("hsplit", lambda a: cg.hsplit(a, 2)[1], lambda a: np.hsplit(a, 2)[1], A),
    Sample("vsplit", lambda a: cg.vsplit(a, [1])[1], lambda a: np.vsplit(a, [1])[1], A),
    Sample("dsplit", lambda a: cg.dsplit(a, 2)[0], lambda a: np.dsplit(a, 2)[0], B),
    Sample("unstack", lambda a: cg.unstack(a, axis=1)[2] * 2 + cg.unstack(a)[0][1],
           lambda a: np.unstack(a, axis=1)[2] * 2 + np.unstack(a)[0][1], B),
    Sample("vstack", lambda a, b: cg.vstack([a, b, a[0]]),
           lambda a, b: np.vstack([a, b, a[0]]), A + A),
    Sample("hstack", lambda a, b: cg.hstack([a, b]), lambda a, b: np.hstack([a, b]), A + A),
    Sample("hstack_1d", lambda a, b: cg.hstack((a, b)), lambda a, b: np.hstack((a, b)), V + V),
    Sample("dstack", lambda a, b: cg.dstack([a, b]), lambda a, b: np.dstack([a, b]), A + A),
    Sample("column_stack", lambda a, b: cg.column_stack([a, b[:, 0], b]),
           lambda a, b: np.column_stack([a, b[:, 0], b]), A + A),
    Sample("diag_vector", lambda v: cg.diag(v, -2), lambda v: np.diag(v, -2), V),
    Sample("diag_matrix", lambda a: cg.diag(a, 1), lambda a: np.diag(a, 1), A),
    Sample("diagflat", lambda a: cg.diagflat(a[:2]), lambda a: np.diagflat(a[:2]), A),
    Sample("diagonal", lambda a: a.diagonal(1, 2, 0), lambda a: a.diagonal(1, 2, 0), B),
    Sample("linalg_diagonal", lambda a: cg.linalg.diagonal(a, offset=-1),
           lambda a: np.linalg.diagonal(a, offset=-1), B),
    Sample("diag_embed", lambda a: cg.diag_embed(a, 1, 0, 2),
           lambda a: _np_diag_embed(a, 1, 0, 2), A),
    Sample("trace", lambda a: a.trace(), np.trace, A),
    Sample("trace_axes", lambda a: cg.trace(a, -1, 2, 1), lambda a: np.trace(a, -1, 2, 1), B),
    Sample("linalg_trace", lambda a: cg.linalg.trace(a, offset=1),
           lambda a: np.linalg.trace(a, offset=1), B),
    Sample("tril", lambda a: cg.tril(a, 1), lambda a: np.tril(a, 1), B),
    Sample("triu", lambda a: cg.triu(a, -1), lambda a: np.triu(a, -1), A),
    Sample("tril_vector", lambda v: cg.tril(v), np.tril, V),
    Sample("take", lambda a: a.take([[0, 5], [11, 5]]), lambda a: a.take([[0, 5], [11, 5]]), A),
    Sample("take_axis", lambda a: cg.take(a, [3, 0, 3], axis=-1),
           lambda a: np.take(a, [3, 0, 3], axis=-1), B),
    Sample("take_clip", lambda a: cg.take(a, [-1, 9], axis=1, mode="clip"),
           lambda a: np.take(a, [-1, 9], axis=1, mode="clip"), A),
    Sample("take_along_axis", lambda a: cg.take_along_axis(a, ORDER, axis=1),
           lambda a: np.take_along_axis(a, ORDER, axis=1), A),
    Sample("take_along_flat", lambda a: cg.take_along_axis(a, ORDER.ravel(), None),
           lambda a: np.take_along_axis(a, ORDER.ravel(), None), A),
    Sample("meshgrid", lambda a, b: cg.stack(cg.meshgrid(a, b[:3])),
           lambda a, b: np.stack(np.meshgrid(a, b[:3])), V + V),
    Sample("meshgrid_ij", lambda a, b: cg.meshgrid(a, b, a[:2], indexing="ij")[2],
           lambda a, b: np.meshgrid(a, b, a[:2], indexing="ij")[2], V + V),
    Sample("broadcast_arrays", lambda a, b: cg.stack(cg.broadcast_arrays(a, b[:, :1])),
           lambda a, b: np.stack(np.broadcast_arrays(a, b[:, :1])), A + A),
    Sample("atleast_1d", lambda a: cg.atleast_1d(a[0, 0]), lambda a: np.atleast_1d(a[0, 0]), A),
    Sample("atleast_2d", lambda v: cg.atleast_2d(v), np.atleast_2d, V),
    Sample("atleast_3d", lambda a, v: cg.atleast_3d(a, v)[0] + cg.atleast_3d(v)[0],
           lambda a, v: np.atleast_3d(a, v)[0] + np.atleast_3d(v)[0], (A[0], ("any", (4,)))),
]


def _np_diag_embed(x, offset, d1, d2):
    n = x.shape[-1] + abs(offset)
    out = np.zeros(x.shape[:-1] + (n, n), x.dtype)
    i = np.arange(x.shape[-1]) + max(-offset, 0)
    out[..., i, i + offset] = x
    return np.moveaxis(out, (-2, -1), (d1, d2))
