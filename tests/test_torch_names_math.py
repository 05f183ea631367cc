"""PyTorch's math, statistics and counting functions (issue 16): ``cg.<name>`` and
``x.<name>`` give torch's values and gradients (float64), and torch's errors."""

from __future__ import annotations

import numpy as np
import pytest
from test_torch_names import compare

import compgraph as cg

RNG = np.random.default_rng(1)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((2, 3, 4))


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


# ------------------------------------------------------------------ comparisons
def test_isclose_allclose(torch):
    a = np.array([1.0, np.inf, np.nan, -np.inf, 1e-9, 1.0, 0.0])
    b = np.array([1.0 + 1e-9, np.inf, np.nan, np.inf, 0.0, 1.1, -0.0])
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.2}, {"atol": 1e-8, "rtol": 0.0}):
        got = cg.isclose(cg.tensor(a), cg.tensor(b), **kw)
        want = torch.isclose(torch.tensor(a), torch.tensor(b), **kw)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        assert cg.tensor(a).isclose(b, **kw).dtype == bool
        assert cg.allclose(cg.tensor(a), cg.tensor(b), **kw) is torch.allclose(
            torch.tensor(a), torch.tensor(b), **kw
        )
    assert cg.tensor(A).allclose(cg.tensor(A + 1e-12))
    assert cg.isclose(cg.tensor([1, 2]), cg.tensor([1, 3])).numpy().tolist() == [True, False]
    with pytest.raises(TypeError, match="isclose"):
        cg.isclose(cg.tensor([1.0]), cg.tensor([1]))
    x = cg.tensor(A, requires_grad=True)
    assert not cg.isclose(x, x).requires_grad
    # NumPy's own functions keep NumPy's rules on tensors (mixed dtypes), numbers are taken
    assert np.allclose(cg.tensor([2.0, 2.0]), 2) and cg.isclose(cg.tensor([2.0]), 2).item()


# ------------------------------------------------------------------ elementwise
@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # (the test's weighted sum of 1.8e308)
def test_nan_to_num(torch):
    a = np.array([np.nan, np.inf, -np.inf, 1.5, -2.0])
    for kw in ({}, {"nan": 1.0, "posinf": 9.0}, {"neginf": -3.0}):
        compare(torch, lambda x: cg.nan_to_num(x, **kw), lambda t: torch.nan_to_num(t, **kw), a)
        compare(torch, lambda x: x.nan_to_num(**kw), lambda t: t.nan_to_num(**kw), a)
    got = cg.nan_to_num(cg.tensor(np.array([np.inf], "float32")))
    assert got.dtype == np.float32 and got.item() == np.finfo(np.float32).max


def test_addcmul_addcdiv(torch):
    b, c = RNG.standard_normal((3, 4)), RNG.standard_normal((4,)) + 3.0
    compare(
        torch,
        lambda x, y, z: cg.addcmul(x, y, z, value=0.5),
        lambda x, y, z: torch.addcmul(x, y, z, value=0.5),
        A,
        b,
        c,
    )
    compare(
        torch,
        lambda x, y, z: x.addcdiv(y, z, value=-2),
        lambda x, y, z: x.addcdiv(y, z, value=-2),
        A,
        b,
        c,
    )
    compare(torch, cg.addcdiv, torch.addcdiv, A, b, c)
    with pytest.raises(TypeError, match="addcdiv"):
        cg.addcdiv(cg.tensor(A), cg.tensor([1, 2, 3, 4]), cg.tensor([1, 1, 1, 1]))
    with pytest.raises(ValueError):
        cg.addcmul(cg.tensor(A), cg.tensor(np.ones(3)), cg.tensor(np.ones(3)))


def test_frac(torch):
    a = np.array([1.5, -2.25, 3.0, -0.5])
    compare(torch, cg.frac, torch.frac, a)
    compare(torch, lambda x: x.frac(), lambda t: t.frac(), a)


# ------------------------------------------------------------------ reductions
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"dim": 1},
        {"dim": (0, 2), "keepdim": True},
        {"dim": -1, "correction": 0},
        {"dim": 0, "unbiased": False},
    ],
)
@pytest.mark.parametrize("name", ["std_mean", "var_mean"])
def test_std_var_mean(torch, name, kw):
    compare(
        torch,
        lambda x: getattr(cg, name)(x, **kw),
        lambda t: getattr(torch, name)(t, **kw),
        B,
        atol=1e-10,
    )


@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"dim": 0}])
def test_aminmax(torch, kw):
    a = A.copy()
    a[0, 1] = a[0, 2] = a[0].max() + 1  # a tie: the gradient is shared, as torch's
    compare(torch, lambda x: cg.aminmax(x, **kw), lambda t: torch.aminmax(t, **kw), a)
    r = cg.tensor(a).aminmax(**kw)
    assert r.min.shape == r[0].shape
    with pytest.raises(ValueError, match="aminmax"):
        cg.aminmax(cg.tensor(np.zeros((0, 3))))


@pytest.mark.parametrize("k,dim,keepdim", [(1, -1, False), (3, 0, True), (2, 1, False)])
def test_kthvalue(torch, k, dim, keepdim):
    compare(
        torch,
        lambda x: cg.kthvalue(x, k, dim, keepdim),
        lambda t: torch.kthvalue(t, k, dim, keepdim),
        A,
    )
    with pytest.raises(IndexError, match="kthvalue"):
        cg.kthvalue(cg.tensor(A), 5, 1)


def test_msort(torch):
    compare(torch, cg.msort, torch.msort, A)
    compare(torch, lambda x: x.msort(), lambda t: t.msort(), B)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_logcumsumexp(torch, dim):
    compare(
        torch,
        lambda x: cg.logcumsumexp(x, dim),
        lambda t: torch.logcumsumexp(t, dim),
        B * 10,
        atol=1e-10,
    )
    wide = np.array([1.0, -1000.0, 2.0, 800.0, -np.inf])  # no underflow, no overflow
    compare(torch, lambda x: x.logcumsumexp(0), lambda t: t.logcumsumexp(0), wide)


# ------------------------------------------------------------------ distances, products
@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.0, float("inf")])
def test_cdist_and_dist(torch, p):
    x1, x2 = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 5, 4))
    x2[0, 1] = x1[0, 2]  # a zero distance: gradient 0, as torch
    grad = p != 0.0
    compare(
        torch,
        lambda a, b: cg.cdist(a, b, p),
        lambda a, b: torch.cdist(a, b, p),
        x1,
        x2,
        grad=grad,
        atol=1e-10,
    )
    compare(
        torch,
        lambda a, b: cg.dist(a, b, p),
        lambda a, b: torch.dist(a, b, p),
        A,
        A[1] + RNG.standard_normal(4),
        grad=grad,
        atol=1e-10,
    )
    compare(torch, lambda a: a.dist(a * 1.0, p), lambda a: a.dist(a * 1.0, p), A, grad=grad)
    with pytest.raises(ValueError, match="cdist"):
        cg.cdist(cg.tensor(x1), cg.tensor(x2[..., :3]))


@pytest.mark.parametrize("p,dim,maxnorm", [(2, 0, 1.0), (1, 1, 2.0), (3, -1, 0.5), (2, 1, 1e3)])
def test_renorm(torch, p, dim, maxnorm):
    compare(
        torch,
        lambda x: cg.renorm(x, p, dim, maxnorm),
        lambda t: torch.renorm(t, p, dim, maxnorm),
        B,
        atol=1e-10,
    )
    compare(
        torch,
        lambda x: x.renorm(p, dim, maxnorm),
        lambda t: t.renorm(p, dim, maxnorm),
        A,
        atol=1e-10,
    )


def test_baddbmm_addbmm(torch):
    b1, b2 = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 5))
    inp = RNG.standard_normal((3, 5))
    compare(
        torch,
        lambda i, x, y: cg.baddbmm(i, x, y, beta=0.5, alpha=2.0),
        lambda i, x, y: torch.baddbmm(i, x, y, beta=0.5, alpha=2.0),
        inp,
        b1,
        b2,
    )
    compare(
        torch,
        lambda i, x, y: i.addbmm(x, y, alpha=-1),
        lambda i, x, y: i.addbmm(x, y, alpha=-1),
        inp,
        b1,
        b2,
    )
    nan = np.full((3, 5), np.nan)
    compare(
        torch,
        lambda i, x, y: cg.baddbmm(i, x, y, beta=0),
        lambda i, x, y: torch.baddbmm(i, x, y, beta=0),
        nan,
        b1,
        b2,
    )
    with pytest.raises(ValueError, match="baddbmm"):
        cg.baddbmm(cg.tensor(inp), cg.tensor(b1), cg.tensor(b1))


def test_cov_corrcoef(torch):
    x = RNG.standard_normal((3, 6))
    fw = np.array([1, 2, 1, 3, 1, 1])
    aw = RNG.random(6) + 0.1
    compare(torch, cg.cov, torch.cov, x, atol=1e-10)
    compare(torch, lambda a: a.cov(correction=0), lambda t: t.cov(correction=0), x, atol=1e-10)
    compare(
        torch,
        lambda a, w: cg.cov(a, fweights=fw, aweights=w),
        lambda t, w: torch.cov(t, fweights=torch.tensor(fw), aweights=w),
        x,
        aw,
        atol=1e-10,
    )
    compare(
        torch,
        lambda a: cg.cov(a, aweights=aw, correction=2),
        lambda t: torch.cov(t, aweights=torch.tensor(aw), correction=2),
        x,
        atol=1e-10,
    )
    compare(torch, cg.cov, torch.cov, x[0], atol=1e-10)
    compare(torch, cg.corrcoef, torch.corrcoef, x, atol=1e-10)
    compare(torch, lambda a: a.corrcoef(), lambda t: t.corrcoef(), x[:2], atol=1e-10)
    with pytest.raises(ValueError, match="cov"):
        cg.cov(cg.tensor(B))


# ------------------------------------------------------------------ counting
def test_unique(torch):
    a = np.array([[3, 1, 3], [2, 1, 0]])
    for kw in (
        {},
        {"return_inverse": True},
        {"return_counts": True},
        {"return_inverse": True, "return_counts": True},
        {"dim": 1, "return_inverse": True},
        {"dim": 0, "return_counts": True},
    ):
        got, want = cg.unique(cg.tensor(a), **kw), torch.unique(torch.tensor(a), **kw)
        got = got if isinstance(got, tuple) else (got,)
        want = want if isinstance(want, tuple) else (want,)
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g.numpy(), w.numpy())
            assert g.dtype == np.dtype(str(w.dtype).replace("torch.", ""))
    f = cg.tensor(np.array([0.5, -1.0, 0.5]), requires_grad=True)
    u = f.unique()
    np.testing.assert_array_equal(u.numpy(), [-1.0, 0.5])
    assert not u.requires_grad


def test_bincount(torch):
    a = np.array([0, 2, 2, 5])
    for w in (None, np.array([1.0, 2.0, 3.0, 4.0], "float32"), np.array([1, 2, 3, 4])):
        for minlength in (0, 8):
            got = cg.bincount(cg.tensor(a), None if w is None else cg.tensor(w), minlength)
            want = torch.bincount(
                torch.tensor(a), None if w is None else torch.tensor(w), minlength
            )
            np.testing.assert_array_equal(got.numpy(), want.numpy())
            assert got.dtype == np.dtype(str(want.dtype).replace("torch.", ""))
    assert cg.tensor(a).bincount().shape == (6,)
    assert cg.bincount(cg.tensor(np.zeros(0, int))).shape == (0,)
    with pytest.raises(ValueError, match="bincount"):
        cg.bincount(cg.tensor([1, -1]))
    with pytest.raises(ValueError, match="bincount"):
        cg.bincount(cg.tensor([[1]]))


def test_bucketize(torch):
    bounds = np.array([1.0, 3.0, 5.0, 7.0, 9.0])
    x = np.array([[0.5, 1.0, 3.5], [9.0, 10.0, 5.0]])
    for right in (False, True):
        for out_int32 in (False, True):
            got = cg.bucketize(cg.tensor(x), cg.tensor(bounds), right=right, out_int32=out_int32)
            want = torch.bucketize(
                torch.tensor(x), torch.tensor(bounds), right=right, out_int32=out_int32
            )
            np.testing.assert_array_equal(got.numpy(), want.numpy())
            assert got.dtype == np.dtype(str(want.dtype).replace("torch.", ""))
    assert cg.bucketize(4.0, cg.tensor(bounds)).item() == 2
    with pytest.raises(ValueError, match="bucketize"):
        cg.bucketize(cg.tensor(x), cg.tensor(x))


def test_histc(torch):
    a = np.array([1.0, 2.0, 1.0, 2.5, 4.0, -1.0])
    for kw in ({}, {"bins": 4, "min": 0, "max": 3}, {"bins": 3}, {"bins": 5, "min": 1, "max": 1}):
        got, want = cg.histc(cg.tensor(a), **kw), torch.histc(torch.tensor(a), **kw)
        np.testing.assert_array_equal(got.numpy(), want.numpy())
        assert got.dtype == np.float64
    np.testing.assert_array_equal(cg.tensor(np.ones(2)).histc(bins=3).numpy(), [0, 2, 0])
    with pytest.raises(ValueError, match="histc"):
        cg.histc(cg.tensor(a), bins=2, min=3, max=1)


def test_gradcheck_of_the_composites():
    x1, x2 = RNG.standard_normal((3, 2)), RNG.standard_normal((4, 2))
    assert cg.gradcheck(lambda a, b: cg.cdist(a, b, 1.5), x1, x2)
    assert cg.gradcheck(lambda a: cg.logcumsumexp(a, 1), A)
    assert cg.gradcheck(lambda a: cg.renorm(a, 2, 0, 1.0), A)
    assert cg.gradcheck(lambda a: cg.corrcoef(a), RNG.standard_normal((3, 5)))
    assert cg.gradcheck(
        lambda a, w: cg.cov(a, aweights=w), RNG.standard_normal((2, 5)), RNG.random(5) + 0.5
    )


def test_one_variable_and_zero_dim(torch):
    row = np.array([[1.0, 2.0, 4.0]])
    compare(torch, cg.cov, torch.cov, row)  # one variable: 0-d, as torch
    compare(torch, cg.corrcoef, torch.corrcoef, row[0], grad=False)
    s = np.array(2.0)
    compare(torch, lambda x: x.kthvalue(1), lambda t: t.kthvalue(1), s)
    compare(torch, lambda x: x.logcumsumexp(0), lambda t: t.logcumsumexp(0), s)
    compare(torch, lambda x: x.msort(), lambda t: t.msort(), s)
    compare(torch, lambda x: x.aminmax(dim=1), lambda t: t.aminmax(dim=1), np.zeros((0, 3)))


def test_logcumsumexp_across_blocks(torch):
    x = RNG.standard_normal((2, 300)) * 30  # longer than one block of 128
    c, t = cg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    w = RNG.standard_normal((2, 300))
    r, rt = cg.logcumsumexp(c, -1), torch.logcumsumexp(t, -1)
    np.testing.assert_allclose(r.numpy(), rt.detach().numpy(), rtol=1e-12)
    cg.sum(r * w).backward()
    (rt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "name",
    [
        "narrow",
        "scatter_add",
        "index_add",
        "scatter_reduce",
        "movedim",
        "repeat_interleave",
        "take_along_dim",
        "addcmul",
        "std_mean",
        "aminmax",
        "kthvalue",
        "logcumsumexp",
        "cdist",
        "renorm",
        "cov",
        "frac",
        "select",
        "isclose",
    ],
)
def test_traced_by_cg_function(name):
    """The composites also build static graphs (cg.function): the same values."""
    idx = np.array([[0, 1, 2, 0]])
    calls = {
        "narrow": lambda x: cg.narrow(x, 1, 1, 2),
        "scatter_add": lambda x: cg.scatter_add(x, 0, idx, x[:1]),
        "index_add": lambda x: x.index_add(1, np.array([0, 0]), x[:, :2]),
        "scatter_reduce": lambda x: cg.scatter_reduce(x, 0, idx, x[:1], "amax"),
        "movedim": lambda x: cg.movedim(x, 0, 1),
        "repeat_interleave": lambda x: cg.repeat_interleave(x, 2, 1),
        "take_along_dim": lambda x: cg.take_along_dim(x, np.array([[0], [1], [2]]), 1),
        "addcmul": lambda x: cg.addcmul(x, x, x, value=2),
        "std_mean": lambda x: cg.std_mean(x, 1)[0],
        "aminmax": lambda x: cg.aminmax(x, dim=1).max,
        "kthvalue": lambda x: cg.kthvalue(x, 2, 1).values,
        "logcumsumexp": lambda x: cg.logcumsumexp(x, 1),
        "cdist": lambda x: cg.cdist(x, x),
        "renorm": lambda x: cg.renorm(x, 2, 0, 1.0),
        "cov": cg.cov,
        "frac": cg.frac,
        "select": lambda x: cg.select(x, 0, 1),
        "isclose": lambda x: cg.isclose(x, x * 1.0000001),
    }
    f = calls[name]
    got, want = cg.function(f)(cg.tensor(A)), f(cg.tensor(A))
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-12)
