"""PyTorch's indexing and shape functions (issue 16): ``cg.<name>`` and ``x.<name>``
give torch's values and gradients (float64), with torch's errors for wrong shapes."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((2, 3, 4))


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


def compare(torch, f_cg, f_t, *arrays, grad=True, atol=1e-12):
    """``f_cg`` on cg tensors and ``f_t`` on torch tensors of ``arrays``: the same
    values, and (``grad``) the same gradients of a weighted sum of the result."""
    xs = [cg.tensor(a, requires_grad=grad) for a in arrays]
    ts = [torch.tensor(a, requires_grad=grad) for a in arrays]
    got, want = f_cg(*xs), f_t(*ts)
    got_l = list(got) if isinstance(got, (tuple, list)) else [got]
    want_l = list(want) if isinstance(want, (tuple, list)) else [want]
    assert len(got_l) == len(want_l)
    for g, w in zip(got_l, want_l):
        assert g.shape == tuple(w.shape), (g.shape, tuple(w.shape))
        np.testing.assert_allclose(g.numpy(), w.detach().numpy(), atol=atol, rtol=1e-12)
        assert g.dtype == np.dtype(str(w.dtype).replace("torch.", ""))
    if not grad:
        return
    loss_c, loss_t = 0.0, 0.0
    for k, (g, w) in enumerate(zip(got_l, want_l)):
        if not w.requires_grad:
            continue
        wts = np.arange(1.0, g.size + 1.0).reshape(g.shape) * (k + 1)
        loss_c = loss_c + cg.sum(g * wts)
        loss_t = loss_t + (w * torch.tensor(wts)).sum()
    loss_c.backward()
    loss_t.backward()
    for x, t in zip(xs, ts):
        want_g = np.zeros(t.shape) if t.grad is None else t.grad.numpy(force=True)
        got_g = np.zeros(x.shape) if x.grad is None else x.grad.numpy()
        np.testing.assert_allclose(got_g, want_g, atol=atol, rtol=1e-12)


# ------------------------------------------------------------------ shape
@pytest.mark.parametrize("dim,start,length", [(0, 1, 2), (1, -3, 2), (-1, 0, 0), (1, 4, 0)])
def test_narrow(torch, dim, start, length):
    compare(
        torch,
        lambda x: cg.narrow(x, dim, start, length),
        lambda t: torch.narrow(t, dim, start, length),
        A,
    )
    compare(
        torch, lambda x: x.narrow(dim, start, length), lambda t: t.narrow(dim, start, length), A
    )


def test_narrow_errors():
    x = cg.tensor(A)
    with pytest.raises(ValueError, match="narrow"):
        cg.narrow(x, 0, 2, 2)
    with pytest.raises(IndexError, match="narrow"):
        cg.narrow(x, 0, 5, 0)
    with pytest.raises(IndexError):
        cg.narrow(x, 2, 0, 1)


@pytest.mark.parametrize("src,dst", [(0, 2), (-1, 0), ((0, 1), (2, 0)), ([1], [-1])])
def test_movedim(torch, src, dst):
    compare(torch, lambda x: cg.movedim(x, src, dst), lambda t: torch.movedim(t, src, dst), B)
    compare(torch, lambda x: x.moveaxis(src, dst), lambda t: t.moveaxis(src, dst), B)


def test_movedim_error():
    with pytest.raises(ValueError, match="movedim"):
        cg.movedim(cg.tensor(B), (0, 1), (2,))


@pytest.mark.parametrize(
    "repeats,dim", [(2, None), (2, 0), (np.array([1, 0, 3, 2]), 1), (np.array([2]), -1), (3, -2)]
)
def test_repeat_interleave(torch, repeats, dim):
    tr = torch.tensor(repeats) if isinstance(repeats, np.ndarray) else repeats
    compare(
        torch,
        lambda x: cg.repeat_interleave(x, repeats, dim),
        lambda t: torch.repeat_interleave(t, tr, dim),
        A,
    )
    compare(
        torch,
        lambda x: x.repeat_interleave(repeats, dim=dim),
        lambda t: t.repeat_interleave(tr, dim=dim),
        A,
    )


def test_repeat_interleave_counts_only_and_errors(torch):
    got = cg.repeat_interleave(np.array([2, 0, 1]))
    want = torch.repeat_interleave(torch.tensor([2, 0, 1]))
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    with pytest.raises(ValueError, match="repeat_interleave"):
        cg.repeat_interleave(cg.tensor(A), np.array([1, 2]), dim=1)
    with pytest.raises(ValueError, match="negative"):
        cg.repeat_interleave(cg.tensor(A), -1)


@pytest.mark.parametrize("dim", [0, 1, -1, None])
def test_take_along_dim(torch, dim):
    idx = RNG.integers(0, 3, (3, 4)) if dim is not None else RNG.integers(0, 12, (5,))
    compare(
        torch,
        lambda x: cg.take_along_dim(x, idx, dim),
        lambda t: torch.take_along_dim(t, torch.tensor(idx), dim),
        A,
    )


def test_take_along_dim_broadcasts(torch):
    idx = np.array([[0, 2, 1]])  # (1, 3) against (2, 3, 4) along dim 2: (2, 3, 3)
    idx3 = idx[None]
    compare(
        torch,
        lambda x: x.take_along_dim(idx3, dim=2),
        lambda t: t.take_along_dim(torch.tensor(idx3), dim=2),
        B,
    )
    with pytest.raises(ValueError, match="take_along_dim"):
        cg.take_along_dim(cg.tensor(B), idx, dim=2)
    with pytest.raises(IndexError):
        cg.take_along_dim(cg.tensor(A), np.array([[5]]), dim=1)


@pytest.mark.parametrize("ios,dim", [(3, 1), (2, 0), ([1, 3], 1), ([0, 5], -1), (5, 0)])
def test_tensor_split(torch, ios, dim):
    compare(
        torch, lambda x: cg.tensor_split(x, ios, dim), lambda t: torch.tensor_split(t, ios, dim), A
    )
    compare(
        torch, lambda x: x.tensor_split(ios, dim=dim), lambda t: t.tensor_split(ios, dim=dim), A
    )


# ------------------------------------------------------------------ scatter family
IDX = np.array([[0, 1, 2, 0], [2, 0, 0, 1]])  # into A (3, 4) along dim 0, with repeats
IDX1 = np.array([[3, 0], [1, 1], [0, 2]])  # into A along dim 1


def test_scatter_add(torch):
    src = RNG.standard_normal((2, 4))
    compare(
        torch,
        lambda x, s: cg.scatter_add(x, 0, IDX, s),
        lambda x, s: torch.scatter_add(x, 0, torch.tensor(IDX), s),
        A,
        src,
    )
    src = RNG.standard_normal((3, 2))
    compare(
        torch,
        lambda x, s: x.scatter_add(-1, IDX1, s),
        lambda x, s: x.scatter_add(-1, torch.tensor(IDX1), s),
        A,
        src,
    )
    big = RNG.standard_normal((3, 4))  # src larger than index: its corner is used
    compare(
        torch,
        lambda x, s: x.scatter_add(-1, IDX1, s),
        lambda x, s: x.scatter_add(-1, torch.tensor(IDX1), s),
        A,
        big,
        grad=False,
    )
    assert cg.gradcheck(lambda x, s: x.scatter_add(-1, IDX1, s), A, big)


def test_scatter_without_repeats(torch):
    idx = np.array([[0, 1, 2, 1], [2, 0, 1, 0]])  # no position written twice
    src = RNG.standard_normal((2, 4))
    compare(
        torch,
        lambda x, s: cg.scatter(x, 0, idx, s),
        lambda x, s: torch.scatter(x, 0, torch.tensor(idx), s),
        A,
        src,
    )
    compare(
        torch, lambda x: x.scatter(0, idx, 2.5), lambda x: x.scatter(0, torch.tensor(idx), 2.5), A
    )
    compare(
        torch,
        lambda x: cg.scatter(x, 1, IDX1[:, :1], value=-1.0),
        lambda x: torch.scatter(x, 1, torch.tensor(IDX1[:, :1]), value=-1.0),
        A,
    )


@pytest.mark.filterwarnings("ignore:The reduce argument")
@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_reduce_argument(torch, reduce):
    src = RNG.standard_normal((2, 4))
    compare(
        torch,
        lambda x, s: cg.scatter(x, 0, IDX, s, reduce=reduce),
        lambda x, s: torch.scatter(x, 0, torch.tensor(IDX), s, reduce=reduce),
        A,
        src,
        grad=False,
    )  # (torch warns: deprecated for scatter_reduce)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(torch, reduce, include_self):
    src = np.round(RNG.standard_normal((2, 4)), 1)
    src[1, 2] = src[0, 2]  # position (0, 2) gets two equal values: a tie
    x0 = A.copy()
    if include_self:  # a tie with input's own value (without include_self, torch's
        x0[0, 0] = src[0, 0]  # gradient still counts that value among the ties)
    compare(
        torch,
        lambda x, s: cg.scatter_reduce(x, 0, IDX, s, reduce, include_self=include_self),
        lambda x, s: torch.scatter_reduce(
            x, 0, torch.tensor(IDX), s, reduce, include_self=include_self
        ),
        x0,
        src,
    )


def test_scatter_errors():
    x = cg.tensor(A)
    with pytest.raises(ValueError, match="scatter_add"):
        cg.scatter_add(x, 0, np.zeros((3, 5), int), cg.tensor(np.ones((3, 5))))
    with pytest.raises(ValueError, match="scatter_add"):
        cg.scatter_add(x, 0, np.zeros((2,), int), cg.tensor(np.ones((2,))))
    with pytest.raises(IndexError):
        cg.scatter_add(x, 0, np.full((1, 1), 3), cg.tensor(np.ones((1, 1))))
    with pytest.raises(TypeError, match="integers"):
        cg.scatter_add(x, 0, np.zeros((1, 1)), cg.tensor(np.ones((1, 1))))
    with pytest.raises(TypeError, match="dtype"):
        cg.scatter_add(x, 0, np.zeros((1, 1), int), cg.tensor(np.ones((1, 1), "float32")))
    with pytest.raises(ValueError, match="reduce"):
        cg.scatter_reduce(x, 0, np.zeros((1, 1), int), cg.tensor(np.ones((1, 1))), "max")


def test_scatter_empty_index(torch):
    empty = np.zeros((0, 4), int)
    got = cg.scatter_add(cg.tensor(A), 0, empty, cg.tensor(A))
    want = torch.scatter_add(torch.tensor(A), 0, torch.tensor(empty), torch.tensor(A))
    np.testing.assert_array_equal(got.numpy(), want.numpy())


@pytest.mark.parametrize("dim,index", [(0, [2, 0, 2]), (1, [3, 1]), (-1, [0])])
def test_index_add_copy_fill(torch, dim, index):
    idx = np.array(index)
    shp = list(A.shape)
    shp[dim] = len(idx)
    src = RNG.standard_normal(shp)
    compare(
        torch,
        lambda x, s: cg.index_add(x, dim, idx, s, alpha=2.0),
        lambda x, s: torch.index_add(x, dim, torch.tensor(idx), s, alpha=2.0),
        A,
        src,
    )
    compare(
        torch,
        lambda x, s: x.index_add(dim, idx, s),
        lambda x, s: x.index_add(dim, torch.tensor(idx), s),
        A,
        src,
    )
    uniq = np.unique(idx)
    shp[dim] = len(uniq)
    src_u = RNG.standard_normal(shp)
    compare(
        torch,
        lambda x, s: cg.index_copy(x, dim, uniq, s),
        lambda x, s: torch.index_copy(x, dim, torch.tensor(uniq), s),
        A,
        src_u,
    )
    compare(
        torch,
        lambda x: x.index_fill(dim, idx, -2.0),
        lambda x: x.index_fill(dim, torch.tensor(idx), -2.0),
        A,
    )
    compare(
        torch,
        lambda x, v: cg.index_fill(x, dim, idx, v),
        lambda x, v: torch.index_fill(x, dim, torch.tensor(idx), v),
        A,
        np.array(3.0),
    )


def test_index_errors():
    x = cg.tensor(A)
    with pytest.raises(ValueError, match="index_add"):
        cg.index_add(x, 0, np.array([0, 1]), cg.tensor(np.ones((3, 4))))
    with pytest.raises(IndexError, match="index_copy"):
        cg.index_copy(x, 0, np.array([3]), cg.tensor(np.ones((1, 4))))
    with pytest.raises(ValueError, match="vector"):
        cg.index_fill(x, 0, np.array([[0]]), 1.0)


@pytest.mark.parametrize("accumulate", [False, True])
def test_index_put(torch, accumulate):
    rows, cols = np.array([0, 2, 1]), np.array([3, 0, 1])
    vals = RNG.standard_normal(3)
    compare(
        torch,
        lambda x, v: cg.index_put(x, (rows, cols), v, accumulate),
        lambda x, v: torch.index_put(x, (torch.tensor(rows), torch.tensor(cols)), v, accumulate),
        A,
        vals,
    )
    rep = np.array([1, 1, 0])  # whole rows, row 1 twice (accumulate only: torch's
    if accumulate:  # write order is undefined)
        compare(
            torch,
            lambda x, v: x.index_put((rep,), v, accumulate=True),
            lambda x, v: x.index_put((torch.tensor(rep),), v, accumulate=True),
            A,
            RNG.standard_normal((3, 4)),
        )
    mask = A > 0
    compare(
        torch,
        lambda x: x.index_put((mask,), cg.tensor(np.array(0.5)), accumulate),
        lambda x: x.index_put(
            (torch.tensor(mask),), torch.tensor(0.5, dtype=torch.float64), accumulate
        ),
        A,
    )
    with pytest.raises(ValueError, match="index_put"):
        cg.index_put(cg.tensor(A), (rows,), cg.tensor(np.ones(5)))


def test_masked_scatter_and_select(torch):
    mask = np.array([True, False, True, True])  # broadcast over A's rows
    src = RNG.standard_normal((4, 4))
    compare(
        torch,
        lambda x, s: cg.masked_scatter(x, mask, s),
        lambda x, s: torch.masked_scatter(x, torch.tensor(mask), s),
        A,
        src,
    )
    compare(
        torch,
        lambda x: cg.masked_select(x, mask),
        lambda x: torch.masked_select(x, torch.tensor(mask)),
        A,
    )
    with pytest.raises(ValueError, match="masked_scatter"):
        cg.masked_scatter(cg.tensor(A), mask, cg.tensor(np.ones(3)))
    with pytest.raises(TypeError, match="bool"):
        cg.masked_select(cg.tensor(A), mask.astype(int))


def test_block_diag_and_cartesian_prod(torch):
    a, b, c = RNG.standard_normal((2, 3)), RNG.standard_normal(2), np.array(4.0)
    compare(torch, cg.block_diag, torch.block_diag, a, b, c)
    x, y, z = RNG.standard_normal(2), RNG.standard_normal(3), RNG.standard_normal(1)
    compare(torch, cg.cartesian_prod, torch.cartesian_prod, x, y, z)
    compare(torch, cg.cartesian_prod, torch.cartesian_prod, x)
    with pytest.raises(ValueError, match="block_diag"):
        cg.block_diag(cg.tensor(B))


def test_gradcheck_of_the_composites():
    src = RNG.standard_normal((2, 4))
    assert cg.gradcheck(lambda x, s: cg.scatter_reduce(x, 0, IDX, s, "prod"), A, src)
    assert cg.gradcheck(
        lambda x, s: cg.scatter_reduce(x, 0, IDX, s, "mean", include_self=False), A, src
    )
    assert cg.gradcheck(
        lambda x, s: cg.index_add(x, 1, np.array([1, 1]), s), A, RNG.standard_normal((3, 2))
    )
    assert cg.gradcheck(lambda x: cg.repeat_interleave(x, np.array([1, 0, 2]), 0), A)


def test_zero_dim_and_negative_index_rules(torch):
    """0-d inputs and negative indices: accepted or refused as torch does."""
    s = np.array(2.0)
    compare(
        torch,
        lambda x: x.scatter_add(0, np.array(0), x * 3),
        lambda t: t.scatter_add(0, torch.tensor(0), t * 3),
        s,
    )
    compare(
        torch,
        lambda x: x.index_add(0, np.array([0]), x * 3),
        lambda t: t.index_add(0, torch.tensor([0]), t * 3),
        s,
    )
    compare(torch, lambda x: x.repeat_interleave(3), lambda t: t.repeat_interleave(3), s)
    compare(torch, lambda x: x.movedim(0, -1), lambda t: t.movedim(0, -1), s)
    with pytest.raises(IndexError):
        cg.take_along_dim(cg.tensor(s), np.array(0), 0)
    with pytest.raises(ValueError, match="0-dim"):
        cg.narrow(cg.tensor(s), 0, 0, 1)
    z = np.zeros((3, 2))
    compare(
        torch,
        lambda x: x.index_fill(0, np.array([-1]), 5.0),
        lambda t: t.index_fill(0, torch.tensor([-1]), 5.0),
        z,
    )
    for f in (
        lambda x: x.index_add(0, np.array([-1]), cg.ones(1, 2)),
        lambda x: x.index_copy(0, np.array([-1]), cg.ones(1, 2)),
        lambda x: x.scatter(0, np.array([[-1, 0]]), 1.0),
    ):
        with pytest.raises(IndexError, match="out of bounds"):
            f(cg.tensor(z))
