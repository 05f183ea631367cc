"""More of PyTorch's Tensor methods (torch_methods/extra.py, extra_props.py and
nn/tensor_methods.py) against torch: values, dtypes, float64 gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest
from test_torch_names import compare

import compgraph as cg

RNG = np.random.default_rng(11)
A = RNG.standard_normal((3, 4))
B3 = RNG.standard_normal((2, 3, 4))
V = RNG.standard_normal(5)


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def _dt(w):
    return np.dtype(str(w.dtype).replace("torch.", ""))


def _same(got, want, atol=1e-12):
    got_l = list(got) if isinstance(got, (tuple, list)) else [got]
    want_l = list(want) if isinstance(want, (tuple, list)) else [want]
    assert len(got_l) == len(want_l)
    for g, w in zip(got_l, want_l):
        assert g.shape == tuple(w.shape), (g.shape, tuple(w.shape))
        np.testing.assert_allclose(g.numpy(), w.detach().numpy(), atol=atol, rtol=1e-12)
        assert g.dtype == _dt(w), (g.dtype, w.dtype)


def both(torch, a):
    return cg.tensor(a), torch.tensor(a)


# ------------------------------------------------------------------ reductions
@pytest.mark.parametrize(
    "kw", [{}, {"dim": 1}, {"dim": (0, 2)}, {"dim": [-1], "keepdim": True}, {"dim": ()}]
)
@pytest.mark.parametrize("name", ["amax", "amin"])
def test_amax_amin(torch, name, kw):
    a = np.round(B3, 0)  # (ties: the gradient is shared)
    compare(torch, lambda x: getattr(x, name)(**kw), lambda t: getattr(t, name)(**kw), a)


def test_amax_positional(torch):
    compare(torch, lambda x: x.amax(1, True), lambda t: t.amax(1, True), A)


@pytest.mark.parametrize("dim", [None, 0, (0, 1), -1])
def test_count_nonzero(torch, dim):
    a = np.array([[0, 1, 2], [0, 0, 3]])
    x, t = both(torch, a)
    _same(x.count_nonzero(dim), t.count_nonzero(dim))


@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": 0, "keepdim": True}])
def test_nanmean_nansum(torch, kw):
    a = A.copy()
    a[0, 1] = a[2, 3] = np.nan
    compare(torch, lambda x: x.nanmean(**kw), lambda t: t.nanmean(**kw), a)
    compare(torch, lambda x: x.nansum(**kw), lambda t: t.nansum(**kw), a)
    x, t = both(torch, np.array([[1, 2], [3, 4]], dtype=np.int32))
    _same(x.nansum(**kw), t.nansum(**kw))
    with pytest.raises(TypeError, match="nanmean"):
        x.nanmean()
    with pytest.raises(RuntimeError):
        t.nanmean()


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize(
    "q,dim,keepdim",
    [(0.3, None, False), (0.5, 1, False), ([0.0, 0.25, 0.45, 1.0], 1, True),
     ([0.1, 0.75], None, True), (0.9, -1, True), (0.6, 0, False)],
)  # fmt: skip
def test_quantile(torch, q, dim, keepdim, interpolation):
    kw = dict(dim=dim, keepdim=keepdim, interpolation=interpolation)
    # (with ties, which of the equal elements gets the gradient is the sort's choice)
    for a, grad in ((B3, True), (np.round(B3, 0), False)):
        for name in ("quantile", "nanquantile"):
            compare(
                torch,
                lambda x, n=name: getattr(x, n)(q if np.ndim(q) == 0 else cg.tensor(q), **kw),
                lambda t, n=name: getattr(t, n)(
                    q if np.ndim(q) == 0 else torch.tensor(q, dtype=torch.float64), **kw
                ),
                a,
                grad=grad,
            )


@pytest.mark.parametrize("interpolation", ["linear", "nearest", "midpoint"])
def test_quantile_nan(torch, interpolation):
    a = A.copy()
    a[0, 1] = a[2, :] = np.nan
    q = [0.2, 0.5, 0.8]
    kw = dict(dim=1, interpolation=interpolation)
    compare(
        torch,
        lambda x: x.quantile(cg.tensor(q), **kw),
        lambda t: t.quantile(torch.tensor(q, dtype=torch.float64), **kw),
        a,
        grad=False,
    )
    compare(
        torch,
        lambda x: x.nanquantile(cg.tensor(q), **kw),
        lambda t: t.nanquantile(torch.tensor(q, dtype=torch.float64), **kw),
        a,
        grad=False,
    )
    compare(torch, lambda x: cg.nanquantile(x, 0.3), lambda t: torch.nanquantile(t, 0.3), a)
    # the gradient of the rows that have values
    compare(
        torch, lambda x: x[:2].nanquantile(0.4, dim=1), lambda t: t[:2].nanquantile(0.4, dim=1), a
    )


def test_quantile_float32_and_0d(torch):
    a = A.astype(np.float32)
    x, t = both(torch, a)
    _same(x.quantile(0.3, dim=0), t.quantile(0.3, dim=0), atol=1e-6)
    x, t = both(torch, np.array(2.5))
    _same(x.quantile(0.3), t.quantile(0.3))
    _same(x.quantile(0.3, dim=0, keepdim=True), t.quantile(0.3, dim=0, keepdim=True))


def test_quantile_errors(torch):
    x, t = both(torch, A)
    cases = [
        (lambda u: u.quantile(1.5), ValueError),
        (lambda u: u.quantile(0.5, interpolation="cubic"), ValueError),
        (lambda u: u.quantile(0.5, dim=2), IndexError),
        (lambda u: u[:0].quantile(0.5), ValueError),
    ]
    for f, err in cases:
        with pytest.raises(err):
            f(x)
        with pytest.raises((RuntimeError, IndexError, ValueError)):
            f(t)
    with pytest.raises(TypeError, match="float or double"):
        cg.tensor([1, 2]).quantile(0.5)
    with pytest.raises(TypeError, match="same dtype"):
        x.quantile(cg.tensor([0.5], dtype="float32"))
    with pytest.raises(ValueError, match="1D"):
        x.quantile(cg.tensor([[0.5]]))


# ------------------------------------------------------------------ elementwise
def test_comparison_names(torch):
    x, t = both(torch, A)
    y, u = both(torch, np.round(A))
    for name in ("greater", "greater_equal", "less", "less_equal", "not_equal"):
        _same(getattr(x, name)(y), getattr(t, name)(u))
        _same(getattr(x, name)(0.5), getattr(t, name)(0.5))
    compare(torch, lambda x: x.absolute(), lambda t: t.absolute(), A)
    _same(x.isreal(), t.isreal())
    z, w = both(torch, np.array([1 + 0j, 2 + 1j]))
    _same(z.isreal(), w.isreal())


def test_angle(torch):
    compare(torch, lambda x: x.angle(), lambda t: t.angle(), np.array([1.5, -2.0, 3.0]))
    # integers give compgraph's default float (float64 unless set; torch's float32)
    x, t = both(torch, np.array([1, -2, 0]))
    np.testing.assert_allclose(x.angle().numpy(), t.angle().numpy(), rtol=1e-6)
    assert x.angle().dtype == cg.get_default_dtype()
    z, w = both(torch, np.array([1 + 1j, -2 - 0.5j]))
    _same(z.angle(), w.angle())


def test_equal(torch):
    x, t = both(torch, A)
    assert x.equal(cg.tensor(A.copy())) is True and t.equal(torch.tensor(A.copy())) is True
    assert x.equal(x + 1) is False
    assert x.equal(x[:2]) is False and t.equal(t[:2]) is False
    i, j = both(torch, np.array([1, 2]))
    assert i.equal(cg.tensor([1.0, 2.0])) is j.equal(torch.tensor([1.0, 2.0])) is True
    n = cg.tensor([np.nan])
    assert n.equal(n) is False and torch.tensor([np.nan]).equal(torch.tensor([np.nan])) is False


# ------------------------------------------------------------------ shape
def test_broadcast_to(torch):
    a = A[:1]
    for size in [(3, 4), (2, 3, 4), (2, -1, 4), (2, -1, -1)]:
        compare(torch, lambda x: x.broadcast_to(size), lambda t: t.broadcast_to(size), a)
    with pytest.raises(ValueError, match="broadcast_to"):
        cg.tensor(A).broadcast_to((4,))
    with pytest.raises(ValueError, match="leading"):
        cg.tensor(V).broadcast_to((-1, 5))


def test_cross(torch):
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((4, 3))
    compare(torch, lambda x, y: x.cross(y), lambda t, u: t.cross(u, dim=1), a, b)
    c, d = RNG.standard_normal((3, 2, 3)), RNG.standard_normal((3, 2, 3))
    compare(torch, lambda x, y: x.cross(y, dim=-1), lambda t, u: t.cross(u, dim=-1), c, d)
    compare(torch, lambda x, y: x.cross(y), lambda t, u: t.cross(u, dim=0), c, d)
    compare(torch, lambda x, y: x.cross(y, 1), lambda t, u: t.cross(u, 1), a[:1], b)
    with pytest.raises(ValueError, match="length 3"):
        cg.tensor(c).cross(cg.tensor(d), dim=1)
    with pytest.raises(ValueError, match="size 3"):
        cg.tensor(A[:2, :2]).cross(cg.tensor(A[:2, :2]))


def test_diag_family(torch):
    for a, k in [(V, 0), (V, 2), (V, -1), (A, 0), (A, 1), (A, -2)]:
        compare(torch, lambda x: x.diag(k), lambda t: t.diag(k), a)
        compare(torch, lambda x: x.diagflat(k), lambda t: t.diagflat(k), a)
    for kw in [{}, {"offset": 1}, {"offset": -1, "dim1": 0, "dim2": 2}]:
        compare(torch, lambda x: x.diag_embed(**kw), lambda t: t.diag_embed(**kw), A)
    with pytest.raises(ValueError, match="1D or 2D"):
        cg.tensor(B3).diag()


@pytest.mark.parametrize(
    "kw", [{}, {"n": 2}, {"dim": 0}, {"n": 0}, {"prepend": A[:, :1], "append": A[:, :2]}]
)
def test_diff(torch, kw):
    kt = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    kc = {k: cg.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    compare(torch, lambda x: x.diff(**kc), lambda t: t.diff(**kt), A)


def test_flips_rot90(torch):
    compare(torch, lambda x: x.fliplr(), lambda t: t.fliplr(), B3)
    compare(torch, lambda x: x.flipud(), lambda t: t.flipud(), V)
    for k, dims in [(1, (0, 1)), (2, (1, 2)), (-1, [2, 0]), (3, (0, 1)), (0, (1, 0))]:
        compare(torch, lambda x: x.rot90(k, dims), lambda t: t.rot90(k, dims), B3)
    compare(torch, lambda x: x.rot90(), lambda t: t.rot90(), A)
    x = cg.tensor(B3)
    with pytest.raises(ValueError, match="Input must be >= 2-d"):
        cg.tensor(V).fliplr()
    with pytest.raises(ValueError, match="rotation dims == 2"):
        x.rot90(1, (0,))
    with pytest.raises(ValueError, match="different"):
        x.rot90(1, (0, -3))
    with pytest.raises(ValueError, match="total dims >= 2"):
        cg.tensor(V).rot90()


def test_tile(torch):
    for reps in [(2,), (2, 1), (1, 2, 2)]:
        compare(torch, lambda x: x.tile(reps), lambda t: t.tile(reps), A)
        compare(torch, lambda x: x.tile(*reps), lambda t: t.tile(*reps), A)


@pytest.mark.parametrize(
    "a,args", [(V, (0, 2, 1)), (V, (0, 5, 2)), (A, (1, 2, 2)), (B3, (-1, 3, 1)),
               (B3, (1, 1, 2)), (A, (0, 0, 1)), (np.array(2.0), (0, 1, 1))],
)  # fmt: skip
def test_unfold(torch, a, args):
    compare(torch, lambda x: x.unfold(*args), lambda t: t.unfold(*args), a)


def test_unfold_errors(torch):
    x = cg.tensor(A)
    with pytest.raises(ValueError, match="maximum size"):
        x.unfold(1, 5, 1)
    with pytest.raises(ValueError, match="step"):
        x.unfold(1, 2, 0)
    with pytest.raises(IndexError):
        x.unfold(2, 1, 1)


def test_sum_to_size(torch):
    for size in [(3, 4), (1, 4), (3, 1), (1, 1), (4,), (1,)]:
        compare(torch, lambda x: x.sum_to_size(size), lambda t: t.sum_to_size(size), A)
        compare(torch, lambda x: x.sum_to_size(*size), lambda t: t.sum_to_size(*size), A)
    with pytest.raises(ValueError, match="not expandable"):
        cg.tensor(A).sum_to_size(2, 4)
    with pytest.raises(RuntimeError):
        torch.tensor(A).sum_to_size(2, 4)


def test_splits(torch):
    compare(
        torch, lambda x: x.split_with_sizes([1, 3], 1), lambda t: t.split_with_sizes([1, 3], 1), A
    )
    compare(torch, lambda x: x.unsafe_split(2, 1), lambda t: t.unsafe_split(2, 1), A)
    compare(torch, lambda x: x.unsafe_chunk(2, 0), lambda t: t.unsafe_chunk(2, 0), A)
    compare(
        torch,
        lambda x: x.unsafe_split_with_sizes([2, 1]),
        lambda t: t.unsafe_split_with_sizes([2, 1]),
        A,
    )
    compare(
        torch,
        lambda x: cg.split_with_sizes(x, [1, 3], 1),
        lambda t: torch.split_with_sizes(t, [1, 3], 1),
        A,
    )
    with pytest.raises(ValueError):
        cg.tensor(A).split_with_sizes([1, 2], 1)


@pytest.mark.parametrize(
    "name,a,arg",
    [("hsplit", A, 2), ("hsplit", A, [1, 3]), ("hsplit", V, 5), ("hsplit", V, [2, 9]),
     ("vsplit", A, 3), ("vsplit", A, [1]), ("dsplit", B3, 2), ("dsplit", B3, [1, 2])],
)  # fmt: skip
def test_hvdsplit(torch, name, a, arg):
    compare(torch, lambda x: getattr(x, name)(arg), lambda t: getattr(t, name)(arg), a)
    assert isinstance(getattr(cg.tensor(a), name)(arg), tuple)


def test_hvdsplit_errors(torch):
    with pytest.raises(ValueError, match="divisible"):
        cg.tensor(A).hsplit(3)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        cg.tensor(V).vsplit(1)
    with pytest.raises(ValueError, match="at least 3 dimensions"):
        cg.tensor(A).dsplit(1)
    with pytest.raises(RuntimeError):
        torch.tensor(A).hsplit(3)


def test_H_mH(torch):
    compare(torch, lambda x: x.H, lambda t: t.H, A)
    compare(torch, lambda x: x.mH, lambda t: t.mH, B3)
    z = A + 1j * A[::-1]
    x, t = both(torch, z)
    _same(x.H, t.H.resolve_conj())
    _same(cg.tensor(B3 * 1j).mH, torch.tensor(B3 * 1j).mH.resolve_conj())
    with pytest.raises(ValueError, match="matrices"):
        _ = cg.tensor(V).H
    with pytest.raises(ValueError, match="matrices"):
        _ = cg.tensor(V).mH
    s = cg.tensor(2.0)
    assert s.H is s


# ------------------------------------------------------------------ products, indices
@pytest.mark.parametrize("kw", [{}, {"beta": 0.5, "alpha": 2.0}, {"alpha": -1.0}])
def test_addmm(torch, kw):
    m1, m2 = RNG.standard_normal((3, 2)), RNG.standard_normal((2, 4))
    f_c = lambda c, a, b: c.addmm(a, b, **kw)  # noqa: E731
    f_t = lambda c, a, b: c.addmm(a, b, **kw)  # noqa: E731
    compare(torch, f_c, f_t, A, m1, m2)
    compare(torch, f_c, f_t, A[0], m1, m2)  # (self broadcasts)


def test_addmm_beta0_ignores_nan(torch):
    m1, m2 = RNG.standard_normal((3, 2)), RNG.standard_normal((2, 4))
    c = np.full((3, 4), np.nan)
    compare(
        torch, lambda c, a, b: c.addmm(a, b, beta=0), lambda c, a, b: c.addmm(a, b, beta=0),
        c, m1, m2, grad=False,
    )  # fmt: skip
    with pytest.raises(ValueError, match="matrix"):
        cg.tensor(A).addmm(cg.tensor(V), cg.tensor(m2))


def test_vdot(torch):
    compare(torch, lambda x, y: x.vdot(y), lambda t, u: t.vdot(u), V, V[::-1].copy())
    z = V + 1j * V[::-1]
    x, t = both(torch, z)
    _same(x.vdot(x * 2), t.vdot(t * 2))
    with pytest.raises(ValueError, match="1D"):
        cg.tensor(A).vdot(cg.tensor(A))
    with pytest.raises(TypeError, match="same dtype"):
        cg.tensor(V).vdot(cg.tensor([1, 2, 3, 4, 5]))
    with pytest.raises(ValueError, match="same number"):
        cg.tensor(V).vdot(cg.tensor(V[:2]))


@pytest.mark.parametrize("a", [A * (A > 0), np.array(3.0), np.array(0.0), np.zeros((2, 0)), V])
def test_nonzero(torch, a):
    x, t = both(torch, a)
    _same(x.nonzero(), t.nonzero())
    _same(x.nonzero(as_tuple=True), t.nonzero(as_tuple=True))


@pytest.mark.parametrize("accumulate", [False, True])
def test_put(torch, accumulate):
    idx = np.array([[0, 5], [-1, 7]])
    src = RNG.standard_normal((2, 2))
    compare(
        torch,
        lambda x, s: x.put(cg.tensor(idx), s, accumulate),
        lambda t, s: t.put(torch.tensor(idx), s, accumulate),
        A, src,
    )  # fmt: skip
    if accumulate:  # (repeated indices add up)
        i2 = np.array([1, 1, 2])
        compare(
            torch,
            lambda x, s: cg.put(x, cg.tensor(i2), s, accumulate=True),
            lambda t, s: torch.put(t, torch.tensor(i2), s, accumulate=True),
            A, V[:3],
        )  # fmt: skip
    x = cg.tensor(A)
    with pytest.raises(ValueError, match="same number"):
        x.put(cg.tensor([0, 1]), cg.tensor([1.0]))
    with pytest.raises(IndexError, match="out of range"):
        x.put(cg.tensor([12]), cg.tensor([1.0]))
    with pytest.raises(TypeError, match="integer"):
        x.put(cg.tensor([1.0]), cg.tensor([1.0]))


def test_gradcheck_new_ops():
    assert cg.gradcheck(lambda u: u.unfold(2, 2, 1), B3)
    assert cg.gradcheck(lambda u: u.quantile(cg.tensor([0.3, 0.8]), dim=1), B3)
    assert cg.gradcheck(lambda u: u.nanquantile(0.4, dim=2, interpolation="midpoint"), B3)
    assert cg.gradcheck(lambda u: u.sum_to_size(1, 3, 1), B3)
    assert cg.gradcheck(lambda u, v: u.put(cg.tensor([0, 3, 7, 9]), v, True), B3, V[:4])


# ------------------------------------------------------------------ properties
def test_flags_and_sizes(torch):
    for a in [A, A.astype(np.float32), np.array([1, 2], dtype=np.int16), np.array(True)]:
        x, t = both(torch, a)
        for n in (
            "is_cpu is_cuda is_xpu is_mps is_ipu is_xla is_meta is_mkldnn is_vulkan is_maia "
            "is_mtia is_sparse is_sparse_csr is_quantized is_nested itemsize nbytes "
            "output_nr retains_grad"
        ).split():
            assert getattr(x, n) == getattr(t, n), n
        for n in "is_conj is_neg is_inference is_signed is_shared is_pinned is_distributed".split():
            assert getattr(x, n)() == getattr(t, n)(), n
        assert x.get_device() == t.get_device() == -1
        assert x.stride() == t.stride() and x.storage_offset() == t.storage_offset() == 0
        assert x.dim_order() == t.dim_order()
    assert cg.tensor(np.array([1], np.uint8)).is_signed() is False
    assert cg.tensor([1j]).is_signed() is True
    assert cg.is_signed(cg.tensor([1.0])) and cg.is_same_size(cg.tensor(A), cg.tensor(A + 1))
    assert not cg.tensor(A).is_same_size(cg.tensor(V))
    assert repr(cg.tensor(A).layout) == "cg.strided" and cg.tensor(A).layout is cg.strided
    assert isinstance(cg.strided, cg.layout)
    with pytest.raises(TypeError, match="sparse"):
        cg.tensor(A).is_coalesced()


def test_strides_views(torch):
    x, t = both(torch, B3)
    for f in [lambda u: u.transpose(0, 2), lambda u: u[:, 1], lambda u: u[1:, :, 2:],
              lambda u: u.permute(2, 0, 1), lambda u: u[..., ::2]]:  # fmt: skip
        xv, tv = f(x), f(t)
        assert xv.stride() == tv.stride() and xv.dim_order() == tv.dim_order()
        assert [xv.stride(d) for d in range(-xv.ndim, xv.ndim)] == [
            tv.stride(d) for d in range(-tv.ndim, tv.ndim)
        ]
    for f in [lambda u: u[1:, 1:, 2:], lambda u: u[1], lambda u: u[:, 2]]:
        xv, tv = f(x), f(t)
        assert xv.storage_offset() == tv.storage_offset()
        assert xv.data_ptr() == x.data_ptr() + xv.storage_offset() * 8
    assert x.expand(3, 2, 3, 4).stride() == t.expand(3, 2, 3, 4).stride()
    assert x.data_ptr() == x.numpy().ctypes.data
    with pytest.raises(IndexError):
        x.stride(3)
    with pytest.raises(IndexError, match="no dimensions"):
        cg.tensor(1.0).stride(0)
    assert cg.tensor(1.0).stride() == () == torch.tensor(1.0).stride()
    assert x.is_set_to(x) and x.is_set_to(x.detach()) is True
    assert t.is_set_to(t.detach())
    assert not x.is_set_to(x[1:]) and not x.is_set_to(cg.tensor(B3))


def test_is_nonzero(torch):
    assert cg.tensor([2.0]).is_nonzero() is True and cg.tensor(0).is_nonzero() is False
    assert cg.is_nonzero(cg.tensor([[1]]))
    for a, msg in [([], "no values"), ([1.0, 2.0], "more than one value")]:
        with pytest.raises(ValueError, match=msg):
            cg.tensor(a).is_nonzero()
        with pytest.raises(RuntimeError, match=msg):
            torch.tensor(a).is_nonzero()


def test_retains_grad():
    x = cg.tensor(A, requires_grad=True)
    y = x * 2
    z = y.sum()
    assert not x.retains_grad and not y.retains_grad
    y.retain_grad()
    assert y.retains_grad and not z.retains_grad and not x.retains_grad


def test_new(torch):
    for a in [A, np.array([1, 2], np.int32)]:
        x, t = both(torch, a)
        _same(x.new(), t.new())
        _same(x.new([1, 2]), t.new([1, 2]))
        _same(x.new((2, 3)), t.new((2, 3)))
        assert x.new(2, 3).shape == tuple(t.new(2, 3).shape) == (2, 3)
        assert x.new(2, 3).dtype == _dt(t.new(2, 3))
        assert x.new(cg.Size([2, 1])).shape == (2, 1)
        u = x.new(x)
        assert u.data_ptr() == x.data_ptr() and not u.requires_grad
    with pytest.raises(TypeError, match="dtype"):
        cg.tensor(A).new(cg.tensor([1]))


def test_new_empty_strided(torch):
    x, t = both(torch, A)
    for size, stride, dtype in [((2, 3), (1, 2), None), ((2, 3), (3, 1), "float32"),
                                ((4,), (0,), None), ((0, 2), (2, 1), None)]:  # fmt: skip
        got = x.new_empty_strided(size, stride, dtype=dtype)
        want = t.new_empty_strided(size, stride, dtype=getattr(torch, dtype or "float64"))
        assert got.shape == tuple(want.shape) and got.stride() == want.stride()
        assert got.dtype == _dt(want)
    assert x.new_empty_strided((2,), (1,), requires_grad=True).requires_grad
    with pytest.raises(ValueError, match="mismatch"):
        x.new_empty_strided((2, 3), (1,))


def test_memory_noops():
    x = cg.tensor(A)
    assert x.pin_memory() is x and x.share_memory_() is x


# ------------------------------------------------------------------ hooks
def test_post_accumulate_grad_hook(torch):
    calls = []
    x = cg.tensor(A, requires_grad=True)
    h = x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.numpy().copy()))
    (x * 2).sum().backward()
    assert len(calls) == 1 and np.array_equal(calls[0], np.full(A.shape, 2.0))
    (x * 3).sum().backward()  # (called with the accumulated gradient)
    assert len(calls) == 2 and np.array_equal(calls[1], np.full(A.shape, 5.0))
    # torch's hook does not run for autograd.grad; neither does it here, then or later
    cg.autodiff.grad((x * 4).sum(), [x])
    assert len(calls) == 2
    y = cg.tensor(1.0, requires_grad=True)
    (y * 2).backward()
    assert len(calls) == 2
    (x * 1).sum().backward()
    assert len(calls) == 3 and np.array_equal(calls[2], np.full(A.shape, 6.0))
    h.remove()
    (x * 1).sum().backward()
    assert len(calls) == 3
    # the same sequence in torch
    tc = []
    t = torch.tensor(A, requires_grad=True)
    th = t.register_post_accumulate_grad_hook(lambda u: tc.append(u.grad.numpy().copy()))
    (t * 2).sum().backward()
    (t * 3).sum().backward()
    torch.autograd.grad((t * 4).sum(), [t])
    (t * 1).sum().backward()
    th.remove()
    (t * 1).sum().backward()
    assert len(tc) == 3 and all(np.array_equal(a, b) for a, b in zip(tc, calls))


def test_post_accumulate_grad_hook_errors():
    with pytest.raises(RuntimeError, match="doesn't require"):
        cg.tensor(A).register_post_accumulate_grad_hook(lambda t: None)
    x = cg.tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)


# ------------------------------------------------------------------ random
def test_bernoulli_multinomial(torch):
    p = cg.tensor(np.array([[0.0, 1.0, 0.3], [1.0, 0.0, 0.7]]))
    g = cg.Generator().manual_seed(3)
    s = p.bernoulli(generator=g)
    assert s.dtype == p.dtype and s.shape == p.shape and not s.requires_grad
    assert s.numpy()[0, 0] == 0 and s.numpy()[0, 1] == 1 and s.numpy()[1, 1] == 0
    s2 = p.bernoulli(generator=cg.Generator().manual_seed(3))
    assert np.array_equal(s.numpy(), s2.numpy())
    half = cg.zeros(10000).bernoulli(0.25)
    assert abs(float(half.mean()) - 0.25) < 0.03
    w = cg.tensor([0.0, 1.0, 3.0])
    d = w.multinomial(2000, replacement=True, generator=cg.Generator().manual_seed(1))
    assert d.dtype == np.int64 and d.shape == (2000,) and (d.numpy() > 0).all()
    assert abs((d.numpy() == 2).mean() - 0.75) < 0.05
    d2 = cg.tensor(np.ones((3, 4))).multinomial(4)
    assert d2.shape == (3, 4) and all(sorted(r) == [0, 1, 2, 3] for r in d2.numpy())
    # (cg.multinomial refuses more draws without replacement than positive weights;
    # torch 2.13 draws the zero weights last)
    with pytest.raises(RuntimeError, match="positive weights"):
        w.multinomial(3)


# ------------------------------------------------------------------ nn methods
def test_prelu_hardshrink(torch):
    a = RNG.standard_normal((2, 3, 4))
    w = np.array([0.1, 0.2, -0.3])
    compare(torch, lambda x, v: x.prelu(v), lambda t, u: t.prelu(u), a, w)
    compare(torch, lambda x, v: x.prelu(v), lambda t, u: t.prelu(u), a, w[:1])
    compare(torch, lambda x: x.hardshrink(), lambda t: t.hardshrink(), a)
    compare(torch, lambda x: x.hardshrink(0.8), lambda t: t.hardshrink(0.8), a)


def test_published_functions():
    import compgraph.torch_methods.extra as extra

    for n, f in extra.EXTRA_FUNCTIONS.items():
        assert getattr(cg, n) is f, n
    # compgraph's NumPy functions keep their meaning
    assert cg.equal(cg.tensor([1, 2]), cg.tensor([1, 3])).shape == (2,)


# ------------------------------------------------------------------ strided views, kinds
@pytest.mark.parametrize(
    "size,stride,offset", [((2, 2), (1, 2), 1), ((3,), (4,), None), ((2, 3), (0, 1), 5),
                           ((0, 2), (1, 1), None), ((2, 2, 2), (6, 1, 2), 0)],
)  # fmt: skip
def test_as_strided(torch, size, stride, offset):
    a = RNG.standard_normal((3, 4))
    compare(
        torch,
        lambda x: x.as_strided(size, stride, offset),
        lambda t: t.as_strided(size, stride, offset),
        a,
    )
    src = RNG.standard_normal(size)
    if 0 in stride:  # (overlapping writes: both refuse)
        with pytest.raises(ValueError, match="more than one element"):
            cg.tensor(a).as_strided_scatter(cg.tensor(src), size, stride, offset)
        return
    # (torch 2.13's gradient of self is wrong, torch.autograd.gradcheck fails on it: the
    # values and src's gradient are compared, self's is checked by differences)
    compare(
        torch,
        lambda x, s: x.as_strided_scatter(s, size, stride, offset),
        lambda t, s: t.as_strided_scatter(s, size, stride, offset),
        a.copy(), src, grad=False,
    )  # fmt: skip
    if src.size == 0:
        return
    xs, ts = cg.tensor(src, requires_grad=True), torch.tensor(src, requires_grad=True)
    w = np.arange(1.0, 13.0).reshape(3, 4)
    (cg.tensor(a).as_strided_scatter(xs, size, stride, offset) * w).sum().backward()
    (
        torch.tensor(a).as_strided_scatter(ts, size, stride, offset) * torch.tensor(w)
    ).sum().backward()
    np.testing.assert_array_equal(xs.grad.numpy(), ts.grad.numpy())
    assert cg.gradcheck(lambda u, v: u.as_strided_scatter(v, size, stride, offset), a, src)


def test_as_strided_views_and_errors(torch):
    x, t = both(torch, A)
    _same(x[1:].as_strided((2,), (1,)), t[1:].as_strided((2,), (1,)))
    with pytest.raises(ValueError, match="out of"):
        x.as_strided((3,), (6,))
    with pytest.raises(RuntimeError):
        t.as_strided((3,), (6,))
    with pytest.raises(NotImplementedError, match="contiguous"):
        x.T.as_strided((2,), (1,))
    with pytest.raises(ValueError, match="slice"):
        x.as_strided_scatter(cg.ones(3), (2,), (1,))
    assert cg.gradcheck(lambda u: u.as_strided((2, 3), (1, 2), 2), A)


def test_nonzero_static(torch):
    for a in [A * (A > 0), np.array([1, 0, 2])]:
        x, t = both(torch, a)
        for kw in [{"size": 1}, {"size": 10}, {"size": 10, "fill_value": 7}, {"size": 0}]:
            _same(x.nonzero_static(**kw), t.nonzero_static(**kw))


def test_unsupported_kinds(torch):
    x, t = both(torch, A)
    assert x.to_dense() is x and t.to_dense() is t and x.dequantize() is x
    assert x.sparse_dim() == t.sparse_dim() and x.dense_dim() == t.dense_dim()
    assert x.to_dense(dtype="float32").dtype == np.float32
    assert x.const_data_ptr() == x.data_ptr() and x.volatile is False
    for name in ("to_sparse", "indices", "coalesce", "q_scale", "int_repr", "storage"):
        with pytest.raises(NotImplementedError, match=name):
            getattr(x, name)()
    for name in ("bfloat16", "chalf"):
        with pytest.raises(TypeError, match="no"):
            getattr(x, name)()
    for name in ("xpu", "ipu", "mtia"):
        with pytest.raises(ValueError, match="CPU"):
            getattr(x, name)()
    with pytest.raises(RuntimeError, match="removed"):
        x.reinforce(1.0)


def test_module_load(torch):
    x, o = cg.tensor(A), cg.tensor(A + 1)
    r = x.module_load(o)
    assert r is not x and r is not o and np.array_equal(x.numpy(), A + 1)
    r2 = x.module_load(o, assign=True)
    assert r2 is not o and r2.data_ptr() == o.data_ptr()
