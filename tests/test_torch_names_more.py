"""More of PyTorch's top-level names (issue 16): aliases of declared functions, and
composites that NumPy lacks, against torch (values, gradients in float64, errors)."""

from __future__ import annotations

import numpy as np
import pytest
from test_torch_names import compare

import compgraph as cg

RNG = np.random.default_rng(3)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((2, 3, 4))


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def test_method_functions(torch):
    b = RNG.standard_normal(4)
    for name in ("mul", "sub", "div"):
        compare(torch, getattr(cg, name), getattr(torch, name), A, b)
    compare(torch, lambda x, y: cg.sub(x, y, alpha=2), lambda x, y: torch.sub(x, y, alpha=2), A, b)
    compare(
        torch,
        lambda x: cg.div(x, 0.3, rounding_mode="floor"),
        lambda t: torch.div(t, 0.3, rounding_mode="floor"),
        A,
        grad=False,
    )
    compare(torch, cg.neg, torch.neg, A)
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        compare(
            torch,
            lambda x: getattr(cg, name)(x, 0.1),
            lambda t: getattr(torch, name)(t, 0.1),
            A,
            grad=False,
        )


def test_aliases_are_the_declared_functions(torch):
    pairs = {
        "erfc": cg.special.erfc,
        "i0": cg.special.i0,
        "det": cg.linalg.det,
        "inverse": cg.linalg.inv,
        "slogdet": cg.linalg.slogdet,
        "matrix_power": cg.linalg.matrix_power,
        "swapdims": cg.swapaxes,
        "broadcast_tensors": cg.broadcast_arrays,
    }
    for name, fn in pairs.items():
        assert getattr(cg, name) is getattr(fn, "__wrapped__", fn) or getattr(cg, name) is fn, name
    m = RNG.standard_normal((3, 3)) + 3 * np.eye(3)
    compare(torch, lambda x: x.det(), lambda t: t.det(), m, atol=1e-10)
    compare(torch, lambda x: x.inverse(), lambda t: t.inverse(), m, atol=1e-10)
    compare(torch, lambda x: x.matrix_power(3), lambda t: t.matrix_power(3), m, atol=1e-9)
    compare(torch, lambda x: cg.slogdet(x)[1], lambda t: torch.slogdet(t)[1], m, atol=1e-10)
    compare(torch, lambda x: x.swapdims(0, -1), lambda t: t.swapdims(0, -1), B)
    compare(
        torch,
        lambda x, y: cg.broadcast_tensors(x, y),
        lambda x, y: torch.broadcast_tensors(x, y),
        A,
        RNG.standard_normal((2, 1, 4)),
    )


def test_special_ones(torch):
    pytest.importorskip("scipy.special")
    compare(torch, cg.erfc, torch.erfc, A, atol=1e-10)
    compare(torch, lambda x: x.i0(), lambda t: t.i0(), A, atol=1e-10)
    p = np.array([0.0, 0.2, 0.5, 0.999, 1.0])
    compare(
        torch, lambda x: cg.logit(x, eps=1e-3), lambda t: torch.logit(t, eps=1e-3), p, atol=1e-10
    )
    compare(torch, lambda x: x.logit(), lambda t: t.logit(), p[1:4], atol=1e-10)


def test_elementwise(torch):
    a = np.array([1.0, np.nan, 3.0, np.nan, -np.inf, 2.0])
    b = np.array([2.0, 1.0, np.nan, np.nan, 0.0, 2.0])
    for name in ("fmax", "fmin"):
        compare(torch, getattr(cg, name), getattr(torch, name), a, b)
        np.testing.assert_array_equal(
            getattr(np, name)(cg.tensor(a), cg.tensor(b)).numpy(),
            getattr(torch, name)(torch.tensor(a), torch.tensor(b)).numpy(),
        )
    inf = np.array([np.inf, -np.inf, 1.0, np.nan])
    for name in ("isposinf", "isneginf"):
        compare(torch, getattr(cg, name), getattr(torch, name), inf, grad=False)
        assert getattr(cg.tensor([1, 2]), name)().numpy().tolist() == [False, False]
    compare(torch, cg.sgn, torch.sgn, A)
    z = np.array([3 + 4j, 0j, -2j])
    np.testing.assert_allclose(cg.sgn(cg.tensor(z)).numpy(), torch.sgn(torch.tensor(z)).numpy())
    compare(
        torch,
        lambda x, e: cg.ldexp(x, e),
        lambda x, e: torch.ldexp(x, e),
        A,
        RNG.standard_normal(4),
    )
    i, j = np.array([4, 6, -9, 0]), np.array([6, 9, 6, 5])
    for name in ("gcd", "lcm"):
        np.testing.assert_array_equal(
            getattr(cg, name)(cg.tensor(i), cg.tensor(j)).numpy(),
            getattr(torch, name)(torch.tensor(i), torch.tensor(j)).numpy(),
        )
    with pytest.raises(TypeError, match="gcd"):
        cg.gcd(cg.tensor([1.5]), cg.tensor([2.0]))


@pytest.mark.parametrize("name", ["cummax", "cummin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cummax_cummin(torch, name, dim):
    a = np.round(A * 2) / 2  # ties
    compare(torch, lambda x: getattr(cg, name)(x, dim), lambda t: getattr(torch, name)(t, dim), a)
    compare(torch, lambda x: getattr(x, name)(dim), lambda t: getattr(t, name)(dim), a)


def test_logdet_addmv_addr(torch):
    m = RNG.standard_normal((2, 3, 3)) + 3 * np.eye(3)
    compare(torch, cg.logdet, torch.logdet, m, atol=1e-10)
    neg = np.diag([-1.0, 2.0, 3.0])
    compare(torch, cg.logdet, torch.logdet, neg, grad=False)
    compare(torch, cg.logdet, torch.logdet, np.zeros((2, 2)), grad=False)
    v3, v4 = RNG.standard_normal(3), RNG.standard_normal(4)
    compare(
        torch,
        lambda i, m_, v: cg.addmv(i, m_, v, beta=0.5, alpha=2),
        lambda i, m_, v: torch.addmv(i, m_, v, beta=0.5, alpha=2),
        v3,
        A,
        v4,
    )
    compare(
        torch,
        lambda i, x, y: i.addr(x, y, alpha=-1),
        lambda i, x, y: i.addr(x, y, alpha=-1),
        A,
        v3,
        v4,
    )
    with pytest.raises(ValueError, match="addmv"):
        cg.addmv(cg.tensor(v3), cg.tensor(A), cg.tensor(v3))


def test_trapezoid_vander(torch):
    y, x = RNG.standard_normal((3, 5)), np.sort(RNG.standard_normal(5))
    compare(torch, cg.trapezoid, torch.trapezoid, y)
    compare(torch, lambda a, b: cg.trapezoid(a, b), lambda a, b: torch.trapezoid(a, b), y, x)
    compare(
        torch,
        lambda a: cg.trapezoid(a, dx=0.5, dim=0),
        lambda a: torch.trapezoid(a, dx=0.5, dim=0),
        y,
    )
    compare(
        torch,
        lambda a, b: cg.trapz(a, b, dim=0),
        lambda a, b: torch.trapz(a, b, dim=0),
        y,
        np.sort(RNG.standard_normal(3)),
    )
    xs = np.array([1.0, 2.0, -3.0])  # (torch's own vander backward fails: gradcheck)
    compare(torch, cg.vander, torch.vander, xs, grad=False)
    compare(
        torch,
        lambda a: cg.vander(a, N=4, increasing=True),
        lambda t: torch.vander(t, N=4, increasing=True),
        xs,
        grad=False,
    )
    assert cg.gradcheck(lambda a: cg.vander(a, N=4), xs)
    got = cg.vander(cg.tensor([2, 3]))
    assert got.dtype == np.int64 and got.numpy().tolist() == [[2, 1], [3, 1]]


def test_select_and_scatters(torch):
    compare(torch, lambda x: cg.select(x, 1, -1), lambda t: torch.select(t, 1, -1), B)
    compare(torch, lambda x: x.select(0, 1), lambda t: t.select(0, 1), B)
    with pytest.raises(IndexError, match="select"):
        cg.select(cg.tensor(A), 0, 3)
    s3, s2 = RNG.standard_normal((2, 4)), RNG.standard_normal((2, 3, 2))
    compare(
        torch,
        lambda x, s: cg.select_scatter(x, s, 1, -2),
        lambda x, s: torch.select_scatter(x, s, 1, -2),
        B,
        s3,
    )
    compare(
        torch,
        lambda x, s: x.slice_scatter(s, dim=2, start=1, step=2),
        lambda x, s: x.slice_scatter(s, dim=2, start=1, step=2),
        B,
        s2,
    )
    d3 = RNG.standard_normal((2, 3))  # diagonal offset 1 of the (3, 4) planes over dims 1, 2
    compare(
        torch,
        lambda x, s: cg.diagonal_scatter(x, s, 1, 1, 2),
        lambda x, s: torch.diagonal_scatter(x, s, 1, 1, 2),
        B,
        d3,
    )
    compare(
        torch,
        lambda x, s: x.diagonal_scatter(s, -1),
        lambda x, s: x.diagonal_scatter(s, -1),
        A,
        RNG.standard_normal(2),
    )
    with pytest.raises(ValueError, match="slice_scatter"):
        cg.slice_scatter(cg.tensor(A), cg.tensor(np.ones((3, 3))), 1, 0, 2)
    compare(torch, lambda x: cg.narrow_copy(x, 1, 1, 2), lambda t: torch.narrow_copy(t, 1, 1, 2), A)


@pytest.mark.filterwarnings("ignore:index_reduce")
@pytest.mark.parametrize("reduce", ["prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_index_reduce(torch, reduce, include_self):
    idx = np.array([0, 2, 0])
    src = RNG.standard_normal((3, 3))
    compare(
        torch,
        lambda x, s: cg.index_reduce(x, 1, idx, s, reduce, include_self=include_self),
        lambda x, s: torch.index_reduce(
            x, 1, torch.tensor(idx), s, reduce, include_self=include_self
        ),
        A,
        src,
        atol=1e-10,
    )


def test_argwhere_and_triangle_indices(torch):
    a = np.array([[1, 0, 2], [0, 0, 3]])
    np.testing.assert_array_equal(
        cg.argwhere(cg.tensor(a)).numpy(), torch.argwhere(torch.tensor(a)).numpy()
    )
    assert cg.tensor(a).argwhere().dtype == np.int64
    for off in (-1, 0, 2):
        np.testing.assert_array_equal(
            cg.tril_indices(3, 4, off).numpy(), torch.tril_indices(3, 4, off).numpy()
        )
        np.testing.assert_array_equal(
            cg.triu_indices(4, 3, off).numpy(), torch.triu_indices(4, 3, off).numpy()
        )
    assert cg.tril_indices(0, 0).shape == (2, 0) == tuple(torch.tril_indices(0, 0).shape)
    with pytest.raises(ValueError, match="device"):
        cg.tril_indices(2, 2, device="cuda")
