"""Samples of the products (ops/products.py); more in tests/ops/test_products.py."""
import numpy as np
from helpers import Sample

import compgraph as cg


def _einsum(subscripts, *shapes, order2=False, optimize=False):
    return Sample(
        f"einsum_{subscripts}_{optimize}".replace(",", "_").replace("->", "_to_").replace(
            "...", "E"),
        lambda *xs: cg.einsum(subscripts, *xs, optimize=optimize),
        lambda *xs: np.einsum(subscripts, *xs, optimize=optimize),
        [("any", s) for s in shapes], order2=order2, complex=True)


SAMPLES = [
    _einsum("ij,jk->ik", (3, 4), (4, 2), order2=True),
    _einsum("ij,jk", (3, 4), (4, 2), optimize=True),
    _einsum("ij,jk,kl->il", (3, 4), (4, 2), (2, 5), order2=True, optimize="greedy"),
    _einsum("ii->i", (3, 3)),
    _einsum("ii", (4, 4)),
    _einsum("iji->j", (3, 2, 3)),
    _einsum("ij->", (3, 4)),
    _einsum("ij->ji", (3, 4)),
    _einsum("i,i", (5,), (5,), order2=True),
    _einsum("i,j->ij", (3,), (4,)),
    _einsum("ij,j->i", (3, 4), (4,)),
    _einsum("bij,bjk->bik", (2, 3, 4), (2, 4, 3), order2=True),
    _einsum("...ij,...jk->...ik", (2, 3, 4), (4, 2), order2=True),
    _einsum("...i,...i->...", (1, 3, 4), (2, 1, 4)),
    _einsum("i...->...", (3, 2, 4)),
    _einsum("...ii->...i", (2, 3, 3)),
    _einsum("ij,ij->i", (3, 4), (1, 4)),
    _einsum("ab,cd->", (2, 3), (4, 5)),
    _einsum("ijk,jil->kl", (3, 2, 4), (2, 3, 5), optimize=True),
    _einsum("Ab,bc", (2, 3), (3, 4)),
    Sample("einsum_sublists",
           lambda a, b: cg.einsum(a, [0, Ellipsis], b, [Ellipsis, 1], [Ellipsis, 1, 0]),
           lambda a, b: np.einsum(a, [0, Ellipsis], b, [Ellipsis, 1], [Ellipsis, 1, 0]),
           (("any", (3, 4)), ("any", (4, 2)))),
    Sample("tensordot", lambda a, b: cg.tensordot(a, b), np.tensordot,
           (("any", (2, 3, 4)), ("any", (3, 4, 5))), order2=True, complex=True),
    Sample("tensordot_axes", lambda a, b: cg.tensordot(a, b, axes=([0, 2], [2, 1])),
           lambda a, b: np.tensordot(a, b, axes=([0, 2], [2, 1])),
           (("any", (2, 3, 4)), ("any", (5, 4, 2)))),
    Sample("tensordot_0", lambda a, b: cg.linalg.tensordot(a, b, axes=0),
           lambda a, b: np.linalg.tensordot(a, b, axes=0), (("any", (2, 3)), ("any", (3,)))),
    Sample("outer", lambda a, b: cg.outer(a, b), np.outer, (("any", (2, 3)), ("any", (4,))),
           order2=True),
    Sample("linalg_outer", lambda a, b: cg.linalg.outer(a, b), np.linalg.outer,
           (("any", (3,)), ("any", (4,)))),
    Sample("inner", lambda a, b: cg.inner(a, b), np.inner, (("any", (2, 3, 4)), ("any", (5, 4))),
           complex=True),
    Sample("inner_scalar", lambda a, b: cg.inner(a[0], b), lambda a, b: np.inner(a[0], b),
           (("any", (2,)), ("any", (3, 4)))),
    Sample("vdot", lambda a, b: cg.vdot(a, b), np.vdot, (("any", (3, 4)), ("any", (2, 6))),
           complex=True),
    Sample("vecdot", lambda a, b: cg.vecdot(a, b, axis=0), lambda a, b: np.vecdot(a, b, axis=0),
           (("any", (3, 4)), ("any", (3, 1))), complex=True),
    Sample("linalg_vecdot", lambda a, b: cg.linalg.vecdot(a, b),
           lambda a, b: np.linalg.vecdot(a, b), (("any", (2, 3, 4)), ("any", (4,)))),
    Sample("kron", lambda a, b: cg.kron(a, b), np.kron, (("any", (2, 3)), ("any", (3, 2, 2))),
           order2=True),
    Sample("cross", lambda a, b: cg.cross(a, b), np.cross, (("any", (4, 3)), ("any", (3,))),
           order2=True),
    Sample("cross_axes", lambda a, b: cg.cross(a, b, axisa=0, axisb=1, axisc=0),
           lambda a, b: np.cross(a, b, axisa=0, axisb=1, axisc=0),
           (("any", (3, 2)), ("any", (2, 3)))),
    Sample("cross_2_3", lambda a, b: cg.cross(a, b), lambda a, b: np.cross(
        np.concatenate([a, 0 * a[:, :1]], 1), b), (("any", (4, 2)), ("any", (4, 3)))),
    Sample("linalg_cross", lambda a, b: cg.linalg.cross(a, b, axis=0),
           lambda a, b: np.linalg.cross(a, b, axis=0), (("any", (3, 2)), ("any", (3, 1)))),
]
