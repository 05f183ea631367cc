"""Further PyTorch top-level names (issue 16): statistics over values, complex numbers,
building, and linear algebra under PyTorch's older names, against torch."""

from __future__ import annotations

import numpy as np
import pytest
from test_torch_names import compare

import compgraph as cg

RNG = np.random.default_rng(4)
A = RNG.standard_normal((3, 4))


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _same(got, want):
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-12)
        assert g.dtype == np.dtype(str(w.dtype).replace("torch.", ""))


@pytest.mark.filterwarnings("ignore:torch.cholesky is deprecated")
def test_aliases(torch):
    pytest.importorskip("scipy.special")
    assert cg.ger is cg.outer and cg.row_stack is cg.vstack and cg.cholesky is cg.linalg.cholesky
    assert cg.igamma is cg.special.gammainc and cg.mvlgamma is cg.special.multigammaln
    a, x = np.array([0.5, 2.0, 3.5]), np.array([0.3, 1.5, 4.0])
    compare(torch, lambda u, v: u.igamma(v), lambda u, v: u.igamma(v), a, x, grad=False, atol=1e-10)
    compare(
        torch, lambda u, v: u.igammac(v), lambda u, v: u.igammac(v), a, x, grad=False, atol=1e-10
    )
    compare(torch, lambda u: u.mvlgamma(2), lambda u: u.mvlgamma(2), x + 1, atol=1e-9)
    compare(torch, lambda u, v: u.ger(v), lambda u, v: u.ger(v), a, x)
    spd = A @ A.T + np.eye(3)
    compare(torch, lambda m: m.cholesky(), lambda m: m.cholesky(), spd, atol=1e-10)
    assert not hasattr(cg.Tensor, "row_stack")


def test_mode_nanmedian(torch):
    x = np.array([[1.0, 2.0, 2.0, 3.0, 3.0], [5.0, 5.0, 1.0, 1.0, 0.0]])
    compare(torch, lambda t: cg.mode(t, 1), lambda t: torch.mode(t, 1), x)
    compare(torch, lambda t: t.mode(0, keepdim=True), lambda t: t.mode(0, keepdim=True), x)
    n = np.array([[1.0, np.nan, 3.0, 2.0], [np.nan, np.nan, 5.0, 4.0], [7.0, 1.0, 9.0, 8.0]])
    compare(torch, lambda t: cg.nanmedian(t, 1), lambda t: torch.nanmedian(t, 1), n)
    compare(torch, cg.nanmedian, torch.nanmedian, n)
    got, want = (
        cg.nanmedian(cg.tensor([np.nan, np.nan])),
        torch.nanmedian(torch.tensor([np.nan] * 2)),
    )
    assert np.isnan(got.item()) and np.isnan(want.item())


def test_unique_consecutive_histogram(torch):
    a = np.array([1, 1, 2, 2, 3, 1, 1])
    for kw in ({}, {"return_inverse": True}, {"return_counts": True, "return_inverse": True}):
        _same(
            cg.unique_consecutive(cg.tensor(a), **kw),
            torch.unique_consecutive(torch.tensor(a), **kw),
        )
    m = np.array([[1, 2], [1, 2], [3, 4], [1, 2]])
    _same(
        cg.unique_consecutive(cg.tensor(m), return_counts=True, dim=0),
        torch.unique_consecutive(torch.tensor(m), return_counts=True, dim=0),
    )
    h = np.array([1.0, 2.0, 1.0, 2.9, 0.1])
    for kw in (
        {"bins": 4, "range": (0.0, 3.0)},
        {"bins": 3},
        {"bins": 2, "density": True},
        {"bins": 4, "weight": np.array([1.0, 2.0, 3.0, 4.0, 5.0])},
    ):
        tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
        _same(
            tuple(cg.histogram(cg.tensor(h), **kw)), tuple(torch.histogram(torch.tensor(h), **tkw))
        )
    edges = np.array([0.0, 1.0, 2.5, 3.0])
    _same(
        tuple(cg.histogram(cg.tensor(h), cg.tensor(edges))),
        tuple(torch.histogram(torch.tensor(h), torch.tensor(edges))),
    )


def test_building(torch):
    v = RNG.standard_normal(4)
    compare(torch, cg.combinations, torch.combinations, v)
    compare(
        torch,
        lambda t: cg.combinations(t, 3, with_replacement=True),
        lambda t: torch.combinations(t, 3, with_replacement=True),
        v[:3],
    )
    y, x = RNG.standard_normal((2, 5)), np.sort(RNG.standard_normal(5))
    compare(torch, cg.cumulative_trapezoid, torch.cumulative_trapezoid, y)
    compare(
        torch,
        lambda a, b: cg.cumulative_trapezoid(a, b),
        lambda a, b: torch.cumulative_trapezoid(a, b),
        y,
        x,
    )
    compare(
        torch,
        lambda a: cg.cumulative_trapezoid(a, dx=2.0, dim=0),
        lambda a: torch.cumulative_trapezoid(a, dx=2.0, dim=0),
        y,
    )
    assert cg.scalar_tensor(3).dtype == np.float64 and cg.scalar_tensor(3).shape == ()
    assert cg.scalar_tensor(3, dtype=cg.int64).item() == 3


def test_complex_numbers(torch):
    re, im = RNG.standard_normal(3), RNG.standard_normal(3)
    got, want = (
        cg.complex(cg.tensor(re), cg.tensor(im)),
        torch.complex(torch.tensor(re), torch.tensor(im)),
    )
    np.testing.assert_allclose(got.numpy(), want.numpy())
    got, want = (
        cg.polar(cg.tensor(np.abs(re)), cg.tensor(im)),
        torch.polar(torch.tensor(np.abs(re)), torch.tensor(im)),
    )
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)
    z = re + 1j * im
    compare(torch, cg.view_as_real, torch.view_as_real, z, grad=False)
    np.testing.assert_allclose(cg.view_as_complex(cg.tensor(np.stack([re, im], -1))).numpy(), z)
    # gradients through real and imaginary parts: |complex(re, im)|^2 = re^2 + im^2
    r, i = cg.tensor(re, requires_grad=True), cg.tensor(im, requires_grad=True)
    cg.sum(cg.real(cg.multiply(cg.complex(r, i), cg.conj(cg.complex(r, i))))).backward()
    np.testing.assert_allclose(r.grad.numpy(), 2 * re)
    np.testing.assert_allclose(i.grad.numpy(), 2 * im)
    assert cg.resolve_conj(cg.tensor(z)).dtype == np.complex128
    np.testing.assert_allclose(cg.tensor(z).conj_physical().numpy(), z.conj())
    with pytest.raises(TypeError, match="complex"):
        cg.complex(cg.tensor(re), cg.tensor(im.astype("float32")))


def test_frexp_rsub(torch):
    x = np.array([8.0, 0.3, -5.0, 0.0])
    _same(tuple(cg.frexp(cg.tensor(x))), tuple(torch.frexp(torch.tensor(x))))
    compare(
        torch, lambda a, b: cg.rsub(a, b, alpha=2), lambda a, b: torch.rsub(a, b, alpha=2), A, A[0]
    )


def test_linear_algebra(torch):
    m = RNG.standard_normal((4, 3))
    got, want = cg.svd(cg.tensor(m)), torch.svd(torch.tensor(m))
    np.testing.assert_allclose(got.S.numpy(), want.S.numpy(), rtol=1e-12)
    recon = got.U.numpy() @ np.diag(got.S.numpy()) @ got.V.numpy().T
    np.testing.assert_allclose(recon, m, atol=1e-12)
    assert got.V.shape == tuple(want.V.shape) and cg.svd(cg.tensor(m), some=False).U.shape == (4, 4)
    q, r = cg.qr(cg.tensor(m))
    np.testing.assert_allclose(q.numpy() @ r.numpy(), m, atol=1e-12)
    assert cg.qr(cg.tensor(m), some=False)[0].shape == (4, 4)
    compare(torch, cg.pinverse, torch.pinverse, m, atol=1e-10)
    mats = [RNG.standard_normal((2, 3)), RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2))]
    compare(torch, cg.chain_matmul, lambda *t: torch.linalg.multi_dot(t), *mats, atol=1e-12)
    compare(torch, lambda t: t.adjoint(), lambda t: t.adjoint(), m)
