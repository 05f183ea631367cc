"""The written-out recording paths (apply1, apply2, apply_num) make the same Tensor and
Node as the general ``apply``: same op, parents, saved buffers, shape, dtype, values
and gradients, for operands of every kind the operators take."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph.autodiff import recording
from compgraph.autodiff.recording import apply, apply1, apply2, apply_num
from compgraph.ops.registry import OPS


def _same_node(a, b):
    na, nb = a._node, b._node
    assert (na is None) == (nb is None)
    if na is None:
        return
    assert na.op is nb.op and na.attrs == nb.attrs
    assert na.shape == nb.shape and na.dtype == nb.dtype
    assert na.extra is None and nb.extra is None
    assert len(na.parents) == len(nb.parents)
    for p, q in zip(na.parents, nb.parents):
        assert p is q
    assert len(na.saved) == len(nb.saved)
    for s, t in zip(na.saved, nb.saved):
        assert (s is None) == (t is None)
        if s is not None:
            np.testing.assert_array_equal(np.asarray(s), np.asarray(t))
    assert (na.out is None) == (nb.out is None)
    assert na.seq < nb.seq or nb.seq < na.seq  # each op gets its own number


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # (-3.0) ** x and its log
@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "power", "maximum"])
@pytest.mark.parametrize("c", [2, 0.5, -3.0])
@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("leaf", [True, False])
def test_apply_num_matches_apply(name, c, right, leaf):
    op = OPS[name]
    x = cg.tensor(np.array([0.5, 1.5, 2.0]), requires_grad=True)
    t = x if leaf else x * 1.0
    args = (c, t) if right else (t, c)
    want = apply(op, args)
    got = apply_num(op, t, c, right)
    assert type(got) is type(want) and got._rg and want._rg
    np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert got.dtype == want.dtype
    _same_node(got, want)
    (ga,) = cg.autodiff.grad(want.sum(), [x], retain_graph=True)
    (gb,) = cg.autodiff.grad(got.sum(), [x])
    np.testing.assert_allclose(gb.numpy(), ga.numpy())


def test_apply_num_falls_back_where_it_must():
    op = OPS["multiply"]
    x = cg.tensor(2.0, requires_grad=True)
    with cg.no_grad():
        y = apply_num(op, x, 3.0, False)
    assert not y.requires_grad and y._node is None and y._why == "no_grad"
    c = cg.tensor(2.0)  # no gradient wanted: nothing recorded
    assert apply_num(op, c, 3.0, True)._node is None
    with pytest.raises(TypeError, match="divide"):
        apply_num(OPS["divide"], x, "a", False)


def test_operators_with_python_numbers_record_as_apply_does():
    x = cg.tensor(np.arange(1.0, 4.0), requires_grad=True)
    y = (3 - x * 2.0) / 4 + x**2 - 1.5
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), -0.5 + 2 * np.arange(1.0, 4.0))
    assert [type(p) for p in y._node.parents] == [recording.Node, type(None)]


@pytest.mark.parametrize("fn", ["sin", "tanh", "exp", "negative"])
def test_apply1_matches_apply(fn):
    op = OPS[fn]
    x = cg.tensor(np.array([0.5, -1.0]), requires_grad=True)
    h = x * 2.0
    _same_node(apply1(op, h), apply(op, (h,)))


@pytest.mark.parametrize("name", ["add", "multiply", "subtract"])
def test_apply2_matches_apply(name):
    op = OPS[name]
    x = cg.tensor(np.array([0.5, -1.0]), requires_grad=True)
    w = cg.tensor(np.array([2.0, 3.0]), requires_grad=True)
    h = x * 2.0
    for a, b in ((h, w), (w, h), (h, np.ones(2)), (np.ones(2), h)):
        _same_node(apply2(op, a, b), apply(op, (a, b)))


@pytest.mark.parametrize(
    "x,shape",
    [
        (np.float32(2.5), (3, 4)),
        (np.arange(4.0), (3, 4)),
        (np.arange(3.0).reshape(3, 1), (2, 3, 4)),
        (np.ones((1, 4), np.complex128), (5, 4)),
        (np.array(["a", "bc"]), (3, 2)),
        (np.datetime64("2020-01-01"), (2,)),
        (np.ones((3, 4))[:, ::2], (2, 3, 2)),  # not contiguous: NumPy's own
        (np.array([1, None], dtype=object), (2, 2)),
        (np.ones(0), (2, 0)),
    ],
)
def test_broadcast_to_views_equal_numpys(x, shape):
    got = OPS["broadcast_to"].forward(x, shape)
    want = np.broadcast_to(x, shape)
    assert got.shape == want.shape and got.dtype == want.dtype
    assert got.strides == want.strides or got.size == 0
    assert not got.flags.writeable
    assert (got == want).all()
    assert np.shares_memory(got, x) or got.size == 0 or isinstance(x, np.generic)


def test_broadcast_to_refuses_like_numpy():
    for x, shape in ((np.ones(3), (4,)), (np.ones((2, 3)), (3,))):
        with pytest.raises(ValueError):
            OPS["broadcast_to"].forward(x, shape)
