"""Products (ops/products.py) beyond their op samples: einsum's parsing against NumPy,
gradients and Hessians against PyTorch, its derivatives being einsums, errors."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg
from compgraph.ops.products import parse_einsum

torch = optional_torch()
needs_torch = skip_if_missing(torch)
RNG = np.random.default_rng(3)


def _arrays(*shapes):
    return [RNG.standard_normal(s) for s in shapes]


EINSUMS = [
    ("ij,jk->ik", (3, 4), (4, 5)),
    ("ii->i", (4, 4)),
    ("ii", (4, 4)),
    ("iij->j", (3, 3, 2)),
    ("ij,ij->", (3, 4), (3, 4)),
    ("bij,bkj->bik", (2, 3, 4), (2, 5, 4)),
    ("...ij,...jk", (2, 3, 4), (4, 5)),
    ("i,j,k->ijk", (2,), (3,), (4,)),
    ("ijk->", (2, 3, 4)),
    ("ab,bc,cd,da->", (2, 3), (3, 4), (4, 5), (5, 2)),
    ("ij,jk,ki", (3, 4), (4, 3), (3, 3)),
    ("Ab,bC->CA", (2, 3), (3, 4)),
]


@pytest.mark.parametrize("case", EINSUMS, ids=[c[0] for c in EINSUMS])
@pytest.mark.parametrize("optimize", [False, True, "optimal"])
def test_einsum_values_equal_numpy(case, optimize):
    subs, *shapes = case
    xs = _arrays(*shapes)
    got = cg.einsum(subs, *xs, optimize=optimize)
    want = np.einsum(subs, *xs, optimize=optimize)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12, atol=1e-12)


@needs_torch
@pytest.mark.parametrize("case", EINSUMS, ids=[c[0] for c in EINSUMS])
def test_einsum_gradients_equal_torch(case):
    subs, *shapes = case
    xs = _arrays(*shapes)
    w = RNG.standard_normal(np.einsum(subs, *xs).shape)
    got = cg.grad(lambda *v: cg.sum(cg.einsum(subs, *v) * w), argnums=tuple(range(len(xs))))(*xs)
    ts = [torch.tensor(x, requires_grad=True) for x in xs]
    (torch.einsum(subs, *ts) * torch.tensor(w)).sum().backward()
    for g, t in zip(got, ts):
        np.testing.assert_allclose(g.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


@needs_torch
def test_einsum_hessian_equals_torch():
    # trace(x @ x @ x): third order in x, its Hessian an einsum of einsums
    x = RNG.standard_normal((3, 3))
    h = cg.hessian(lambda v: cg.einsum("ij,jk,ki", v, v, v))(x).numpy()
    want = torch.autograd.functional.hessian(
        lambda v: torch.einsum("ij,jk,ki", v, v, v), torch.tensor(x)).numpy()
    np.testing.assert_allclose(h, want, rtol=1e-12, atol=1e-12)


def test_einsum_derivatives_are_einsums():
    x = cg.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    cg.einsum("ii", x).backward(create_graph=True)  # the trace: g times an identity
    np.testing.assert_array_equal(x.grad.numpy(), np.eye(3))
    # the recorded backward of a product: einsum nodes
    a = cg.tensor(RNG.standard_normal((2, 3)), requires_grad=True)
    b = cg.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
    out = cg.einsum("ij,jk->ik", a, b)
    out.backward(np.ones((2, 4)), create_graph=True)
    assert a.grad.op == "einsum" and b.grad.op == "einsum"


@needs_torch
@pytest.mark.parametrize("name", ["tensordot", "kron", "cross", "inner", "outer", "vdot",
                                  "vecdot"])
def test_products_gradients_equal_torch(name):
    a, b = _arrays((2, 3, 4), (3, 4, 5)) if name == "tensordot" else _arrays((4, 3), (4, 3))
    f_cg, f_t = {
        "tensordot": (lambda x, y: cg.tensordot(x, y, 2), lambda x, y: torch.tensordot(x, y, 2)),
        "kron": (cg.kron, torch.kron),
        "cross": (cg.cross, lambda x, y: torch.linalg.cross(x, y)),
        "inner": (cg.inner, torch.inner),
        "outer": (lambda x, y: cg.outer(x[0], y[1]), lambda x, y: torch.outer(x[0], y[1])),
        "vdot": (lambda x, y: cg.vdot(x[0], y[1]), lambda x, y: torch.vdot(x[0], y[1])),
        "vecdot": (lambda x, y: cg.vecdot(x, y, axis=0),
                   lambda x, y: torch.linalg.vecdot(x, y, dim=0)),
    }[name]
    w = RNG.standard_normal(np.shape(f_cg(cg.tensor(a), cg.tensor(b))))
    got = cg.grad(lambda x, y: cg.sum(f_cg(x, y) * w), argnums=(0, 1))(a, b)
    ts = [torch.tensor(v, requires_grad=True) for v in (a, b)]
    (f_t(*ts) * torch.tensor(w)).sum().backward()
    for g, t in zip(got, ts):
        np.testing.assert_allclose(g.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_parse_einsum_forms():
    a = np.ones((2, 3))
    assert parse_einsum(("ij , jk", a, a))[0] == "ij,jk->ik"
    assert parse_einsum(("...ij", a))[0] == "...ij->...ij"
    assert parse_einsum(("iji", a))[0] == "iji->j"
    assert parse_einsum((a, [0, 1], a, [1, 2]))[0] == "ab,bc->ac"
    assert parse_einsum((a, [Ellipsis, 0], [0, Ellipsis]))[0] == "...a->a..."


def test_einsum_dispatch_dtype_and_errors():
    x = cg.tensor(RNG.standard_normal((3, 3)), requires_grad=True)
    r = np.einsum("ij,jk", x, x)
    assert isinstance(r, cg.Tensor) and r.requires_grad
    assert cg.einsum("ij->i", np.ones((2, 2), int)).dtype == np.int64
    assert cg.einsum("i,i", np.ones(2, np.float32), np.ones(2), dtype="float32").dtype == np.float32
    path = np.einsum_path("ij,jk,kl", *[np.ones((2, 2))] * 3)[0]
    np.testing.assert_allclose(cg.einsum("ij,jk,kl", x, x, x, optimize=path).numpy(),
                               np.einsum("ij,jk,kl", *[x.numpy()] * 3))
    with pytest.raises(ValueError, match="subscripts"):
        cg.einsum("ij,jk", x)
    with pytest.raises(ValueError, match="invalid subscript"):
        cg.einsum("i1", x)
    with pytest.raises(TypeError, match="out="):
        cg.einsum("ii", x, out=np.zeros(()))


def test_einsum_static_graph_and_forward_mode():
    g = cg.Graph()
    a = g.input("a", shape=(2, 3), dtype="float64")
    b = g.input("b", shape=(3,), dtype="float64")
    y = cg.einsum("ij,j->i", a, b)
    assert y.shape == (2,)
    av, bv = _arrays((2, 3), (3,))
    np.testing.assert_allclose(g.compile(y)(av, bv), av @ bv)
    _, t = cg.jvp(lambda u, v: cg.einsum("ij,j->i", u, v), (av, bv), (np.ones((2, 3)), bv))
    np.testing.assert_allclose(t.numpy(), np.ones((2, 3)) @ bv + av @ bv)


def test_products_errors():
    with pytest.raises(ValueError, match="shape-mismatch"):
        cg.tensordot(np.ones((2, 3)), np.ones((2, 3)), 1)
    with pytest.raises(ValueError, match="dimension must be 2 or 3"):
        cg.cross(np.ones(4), np.ones(3))
    with pytest.raises(ValueError, match="one-dimensional"):
        cg.linalg.outer(np.ones((2, 2)), np.ones(2))
    with pytest.raises(ValueError, match="3 elements"):
        cg.linalg.cross(np.ones(2), np.ones(2))
    with pytest.raises(ValueError):
        cg.vdot(np.ones(3), np.ones(4))
