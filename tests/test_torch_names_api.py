"""PyTorch's names around tensors (issue 16): ``cg.Size`` and ``x.size()``, flatten /
unflatten / expand, dtype queries and the default dtype, ``inference_mode``, the
special functions' top-level names and the in-place forms, against torch."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from test_torch_names import compare

import compgraph as cg

RNG = np.random.default_rng(2)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((2, 3, 4))


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def default_dtype():
    """Restores compgraph's own defaults after the test, whatever it set."""
    yield
    cg.set_default_dtype(None)


# ------------------------------------------------------------------ Size
def test_size_is_a_tuple_like_torch_size(torch):
    x = cg.zeros(2, 3, 4)
    s = x.size()
    assert isinstance(s, cg.Size) and isinstance(s, tuple)
    assert s == (2, 3, 4) and s == torch.zeros(2, 3, 4).size() and hash(s) == hash((2, 3, 4))
    assert repr(s) == "cg.Size([2, 3, 4])"
    assert isinstance(s[1:], cg.Size) and s[1:] == (3, 4) and s[-1] == 4
    assert isinstance(s + (5,), cg.Size) and (1,) + s == (1, 2, 3, 4)
    assert s.numel() == 24 == torch.Size([2, 3, 4]).numel()
    assert cg.Size([2, 3]) == torch.Size([2, 3]) and cg.Size() == ()
    assert x.size(-1) == 4 and x.size(0) == 2 and x.size == 24  # (NumPy's count stays)
    assert cg.tensor(1.0).size() == () == torch.tensor(1.0).size()
    with pytest.raises(IndexError, match="no dimensions"):
        cg.tensor(1.0).size(0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.size(3)
    with pytest.raises(TypeError, match="Size"):
        cg.Size([2.5])
    assert x.shape == (2, 3, 4) and type(x.shape) is tuple


# ------------------------------------------------------------------ flatten, unflatten, expand
@pytest.mark.parametrize("args", [(), (1,), (0, 1), (-2, -1), (1, 1), (2,)])
def test_flatten(torch, args):
    compare(torch, lambda x: cg.flatten(x, *args), lambda t: torch.flatten(t, *args), B)
    compare(torch, lambda x: x.flatten(*args), lambda t: t.flatten(*args), B)


def test_flatten_corners_and_errors(torch):
    compare(torch, lambda x: x.flatten(), lambda t: t.flatten(), np.array(2.0))
    compare(torch, lambda x: x.flatten(1), lambda t: t.flatten(1), np.zeros((2, 0, 3)))
    with pytest.raises(ValueError, match="start_dim"):
        cg.flatten(cg.tensor(B), 2, 1)
    with pytest.raises(IndexError):
        cg.flatten(cg.tensor(B), 3)


@pytest.mark.parametrize("dim,sizes", [(1, (3, 1)), (-1, (2, -1)), (0, [1, 2]), (2, (-1,))])
def test_unflatten(torch, dim, sizes):
    compare(
        torch, lambda x: cg.unflatten(x, dim, sizes), lambda t: torch.unflatten(t, dim, sizes), B
    )
    compare(torch, lambda x: x.unflatten(dim, sizes), lambda t: t.unflatten(dim, sizes), B)


def test_unflatten_errors():
    with pytest.raises(ValueError, match="multiply up"):
        cg.tensor(B).unflatten(1, (2, 2))
    with pytest.raises(ValueError, match="multiply up"):
        cg.tensor(B).unflatten(2, (-1, -1))


@pytest.mark.parametrize("sizes", [(3, 4), (2, -1, 4), ((5, 3, 4),), (-1, 4)])
def test_expand(torch, sizes):
    a = A[:, :1]  # (3, 1)
    compare(
        torch, lambda x: x.expand(*sizes) if x.ndim == 2 else None, lambda t: t.expand(*sizes), a
    ) if sizes != (2, -1, 4) else None
    compare(torch, lambda x: x.expand(*sizes), lambda t: t.expand(*sizes), a[None]) if sizes == (
        2,
        -1,
        4,
    ) else None
    other = np.zeros((2, 3, 4))
    compare(
        torch,
        lambda x: x.expand_as(cg.tensor(other)),
        lambda t: t.expand_as(torch.tensor(other)),
        a,
    )


def test_expand_errors():
    x = cg.tensor(A[:, :1])
    with pytest.raises(ValueError, match="leading"):
        x.expand(-1, 3, 4)
    with pytest.raises(ValueError):
        x.expand(4, 4)
    with pytest.raises(ValueError, match="number of sizes"):
        x.expand(4)


# ------------------------------------------------------------------ dtypes
def test_is_floating_point_is_complex(torch):
    for a in (
        np.ones(2),
        np.ones(2, "float32"),
        np.ones(2, int),
        np.ones(2, complex),
        np.ones(2, bool),
    ):
        t = torch.tensor(a)
        assert cg.is_floating_point(cg.tensor(a)) == torch.is_floating_point(t)
        assert cg.tensor(a).is_floating_point() == t.is_floating_point()
        assert cg.is_complex(cg.tensor(a)) == torch.is_complex(t) == cg.tensor(a).is_complex()


def test_default_dtype(default_dtype):
    # compgraph's own defaults: NumPy's float64, and float32 for the random functions
    assert cg.get_default_dtype() == np.float64
    assert cg.ones(2).dtype == cg.zeros(2).dtype == cg.eye(2).dtype == np.float64
    assert cg.randn(2).dtype == cg.rand(2).dtype == np.float32
    for d in (cg.float32, cg.float64, cg.float16):
        cg.set_default_dtype(d)
        assert cg.get_default_dtype() == d
        made = [
            cg.ones(2),
            cg.zeros(2, 3),
            cg.empty(1),
            cg.full((2,), 1.5),
            cg.arange(0.0, 1.0, 0.5),
            cg.eye(2),
            cg.identity(2),
            cg.linspace(0, 1, 3),
            cg.logspace(0, 1, 3),
            cg.randn(2),
            cg.rand(2),
            cg.normal(0.0, 1.0, (2,)),
        ]
        assert [m.dtype for m in made] == [np.dtype(d)] * len(made)
        # integers, explicit dtypes and other tensors' dtypes are untouched
        assert cg.arange(3).dtype == np.int64 and cg.full((2,), 1).dtype == np.int64
        assert cg.ones(2, dtype="float64").dtype == np.float64
        assert cg.zeros_like(np.zeros(2, "float64")).dtype == np.float64
        assert cg.linspace(np.zeros(1, "float32"), 1, 3).dtype == np.float32  # NumPy's rule
    cg.set_default_dtype(None)
    assert cg.randn(2).dtype == np.float32 and cg.ones(2).dtype == np.float64
    with pytest.raises(TypeError, match="floating-point"):
        cg.set_default_dtype(cg.int64)
    with pytest.raises(TypeError, match="floating-point"):
        cg.set_default_dtype("complex128")


def test_default_dtype_as_torch(torch, default_dtype):
    prev = torch.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float64)
        cg.set_default_dtype(cg.float64)
        for f in ("ones", "zeros", "randn", "rand"):
            assert getattr(cg, f)(2, 3).dtype == np.dtype(str(getattr(torch, f)(2, 3).dtype)[6:])
    finally:
        torch.set_default_dtype(prev)


# ------------------------------------------------------------------ inference_mode
def test_inference_mode():
    x = cg.ones(2, requires_grad=True)
    with cg.inference_mode():
        assert not cg.is_grad_enabled() and cg.is_inference_mode_enabled()
        y = x * 2
        with cg.inference_mode(False):
            assert not cg.is_grad_enabled()  # mode=False changes nothing, as torch
    assert not y.requires_grad and cg.is_grad_enabled() and not cg.is_inference_mode_enabled()

    @cg.inference_mode
    def bare():
        return cg.is_grad_enabled(), cg.is_inference_mode_enabled()

    @cg.inference_mode()
    def called(v):
        return v * 3

    assert bare() == (False, True) and not called(x).requires_grad and (x * 3).requires_grad
    with cg.no_grad(), cg.inference_mode(False):
        assert not cg.is_grad_enabled()
    with pytest.raises(KeyError):
        with cg.inference_mode():
            raise KeyError("restored on errors")
    assert cg.is_grad_enabled() and not cg.is_inference_mode_enabled()
    seen = []
    with cg.inference_mode():
        t = threading.Thread(target=lambda: seen.append(cg.is_inference_mode_enabled()))
        t.start()
        t.join()
    assert seen == [False]  # per thread, as grad mode


# ------------------------------------------------------------------ special functions
def test_special_aliases(torch):
    pytest.importorskip("scipy.special")
    for name, target in (
        ("erfinv", "erfinv"),
        ("lgamma", "gammaln"),
        ("digamma", "digamma"),
        ("polygamma", "polygamma"),
        ("xlogy", "xlogy"),
    ):
        assert getattr(cg, name) is getattr(cg.special, target), name
    p = np.array([0.3, 1.7, 4.2])
    u = np.array([-0.6, 0.1, 0.9])
    compare(torch, cg.erfinv, torch.erfinv, u, atol=1e-10)
    compare(torch, lambda x: x.erfinv(), lambda t: t.erfinv(), u, atol=1e-10)
    compare(torch, lambda x: x.lgamma(), lambda t: t.lgamma(), p, atol=1e-10)
    compare(torch, lambda x: x.digamma(), lambda t: t.digamma(), p, atol=1e-7)
    # (torch's polygamma series and SciPy's differ in the 9th-10th digit)
    compare(torch, lambda x: cg.polygamma(2, x), lambda t: torch.polygamma(2, t), p, atol=1e-7)
    compare(torch, lambda x: x.polygamma(1), lambda t: t.polygamma(1), p, atol=1e-7)
    compare(torch, lambda x, y: x.xlogy(y), lambda x, y: x.xlogy(y), u, p, atol=1e-10)


# ------------------------------------------------------------------ in-place forms
def test_inplace_forms(torch):
    idx = np.array([[0, 1, 2, 0]])
    cases = [
        ("scatter_", (0, idx, RNG.standard_normal((1, 4)))),
        ("scatter_add_", (0, idx, RNG.standard_normal((1, 4)))),
        ("index_add_", (1, np.array([0, 3]), RNG.standard_normal((3, 2)))),
        ("index_copy_", (1, np.array([3, 0]), RNG.standard_normal((3, 2)))),
        ("index_fill_", (0, np.array([1]), -1.0)),
        ("masked_scatter_", (A > 0, RNG.standard_normal(12))),
        ("addcmul_", (RNG.standard_normal(4), RNG.standard_normal(4))),
        ("nan_to_num_", ()),
        ("frac_", ()),
    ]
    for name, args in cases:
        x, t = cg.tensor(A.copy()), torch.tensor(A.copy())
        targs = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        cargs = [
            cg.tensor(a) if isinstance(a, np.ndarray) and a.dtype == float else a for a in args
        ]
        r = getattr(x, name)(*cargs)
        getattr(t, name)(*targs)
        assert r is x, name
        np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12, err_msg=name)


def test_inplace_gradients_follow_torchs_rules(torch):
    w = cg.tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match="in-place"):
        w.scatter_add_(0, np.array([[0]]), cg.tensor([[1.0]]))
    with cg.no_grad():
        w.index_fill_(1, np.array([0]), 0.0)
    assert (w.numpy()[:, 0] == 0).all()
    # on a non-leaf the in-place form is recorded: gradients as torch's out-of-place op
    src = RNG.standard_normal((1, 4))
    x, s = cg.tensor(A, requires_grad=True), cg.tensor(src, requires_grad=True)
    tx, ts = torch.tensor(A, requires_grad=True), torch.tensor(src, requires_grad=True)
    y, ty = x * 2, tx * 2
    y.scatter_add_(0, np.array([[2, 0, 1, 1]]), s)
    ty.scatter_add_(0, torch.tensor([[2, 0, 1, 1]]), ts)
    (y * y).sum().backward()
    (ty * ty).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.grad.numpy(), ts.grad.numpy(), rtol=1e-12)
