"""TensorFlow's gather_nd, scatter_nd, tensor_scatter_nd_*, sequence_mask and reverse
(cg.<name> and cg.math.<name>): values against NumPy (and TensorFlow where installed),
float64 gradients against central differences, errors, tracing by cg.function."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

RNG = np.random.default_rng(1616)
P = np.arange(24.0).reshape(2, 3, 4)


def test_top_level_and_math_are_the_same():
    for n in [
        "gather_nd",
        "scatter_nd",
        "tensor_scatter_nd_update",
        "tensor_scatter_nd_add",
        "tensor_scatter_nd_sub",
        "sequence_mask",
        "reverse",
    ]:
        assert getattr(cg, n) is getattr(cg.math, n), n
        assert n in cg.__all__


def test_gather_nd_values():
    np.testing.assert_array_equal(cg.gather_nd(P, [[0, 1], [1, 2]]).numpy(), P[[0, 1], [1, 2]])
    np.testing.assert_array_equal(cg.gather_nd(P, [[1, 2, 3]]).numpy(), [23.0])
    np.testing.assert_array_equal(cg.gather_nd(P, [1]).numpy(), P[1])
    idx = np.array([[[0, 0], [1, 1]], [[1, 2], [0, 2]]])  # (2, 2, 2): shape (2, 2) + (4,)
    got = cg.gather_nd(P, idx)
    assert got.shape == (2, 2, 4)
    np.testing.assert_array_equal(got.numpy()[1, 0], P[1, 2])
    assert cg.gather_nd(P, np.zeros((3, 0), dtype=np.int64)).shape == (3, 2, 3, 4)


def test_gather_nd_batch_dims():
    # TensorFlow's example: batch_dims=1 gathers params[b][indices[b]]
    idx = np.array([[1], [0]])
    np.testing.assert_array_equal(cg.gather_nd(P, idx, batch_dims=1).numpy(), [P[0, 1], P[1, 0]])
    idx2 = np.array([[[1, 3], [0, 0]], [[2, 2], [1, 1]]])  # (2, 2, 2) over (2 | 3, 4)
    got = cg.gather_nd(P, idx2, batch_dims=1).numpy()
    want = np.array([[P[b, i, j] for i, j in idx2[b]] for b in range(2)])
    np.testing.assert_array_equal(got, want)
    with pytest.raises(
        ValueError, match=r"gather_nd: the batch axes of params \(2,\) and indices \(3,\)"
    ):
        cg.gather_nd(P, np.zeros((3, 1), dtype=int), batch_dims=1)


def test_gather_nd_errors_and_gradient():
    with pytest.raises(
        ValueError, match=r"gather_nd: index 3 along axis 1 is out of range \[0, 3\)"
    ):
        cg.gather_nd(P, [[0, 3]])
    with pytest.raises(ValueError, match=r"gather_nd: index -1"):
        cg.gather_nd(P, [[-1, 0]])
    with pytest.raises(ValueError, match="longer than the rank"):
        cg.gather_nd(P, [[0, 0, 0, 0]])
    with pytest.raises(TypeError, match="gather_nd: indices must be an integer tensor"):
        cg.gather_nd(P, [[0.0, 1.0]])
    x = RNG.standard_normal((3, 4))
    idx = np.array([[0, 1], [2, 3], [0, 1]])  # a repeat: gradients add up
    assert cg.gradcheck(lambda t: cg.gather_nd(t, idx), x)
    t = cg.tensor(x, requires_grad=True)
    cg.sum(cg.gather_nd(t, idx)).backward()
    assert t.grad.numpy()[0, 1] == 2.0


def test_scatter_nd():
    # TensorFlow's example
    got = cg.scatter_nd([[4], [3], [1], [7]], [9.0, 10.0, 11.0, 12.0], [8])
    np.testing.assert_array_equal(got.numpy(), [0, 11, 0, 10, 9, 0, 0, 12])
    # slices, and a repeated index adds
    upd = np.arange(8.0).reshape(2, 4)
    got = cg.scatter_nd([[1], [1]], upd, [3, 4]).numpy()
    np.testing.assert_array_equal(got, [np.zeros(4), upd[0] + upd[1], np.zeros(4)])
    assert cg.scatter_nd([[1]], np.array([2], dtype=np.int32), [3]).dtype == np.int32
    assert cg.gradcheck(
        lambda u: cg.scatter_nd([[0, 1], [2, 0], [0, 1]], u, [3, 2]), RNG.standard_normal(3)
    )
    with pytest.raises(
        ValueError, match=r"scatter_nd: updates must have shape .* \(2, 4\), got \(2, 3\)"
    ):
        cg.scatter_nd([[1], [2]], np.ones((2, 3)), [3, 4])
    with pytest.raises(ValueError, match=r"scatter_nd: index 5 along axis 0 is out of range"):
        cg.scatter_nd([[5]], [1.0], [3])


def test_tensor_scatter_nd_update_add_sub():
    t = np.arange(8.0)
    idx = [[4], [3], [1], [7]]
    u = np.array([9.0, 10.0, 11.0, 12.0])
    want = t.copy()
    want[[4, 3, 1, 7]] = u
    np.testing.assert_array_equal(cg.tensor_scatter_nd_update(t, idx, u).numpy(), want)
    np.testing.assert_array_equal(
        cg.tensor_scatter_nd_add(t, idx, u).numpy(), t + np.bincount([4, 3, 1, 7], u, 8)
    )
    np.testing.assert_array_equal(
        cg.tensor_scatter_nd_sub(t, idx, u).numpy(), t - np.bincount([4, 3, 1, 7], u, 8)
    )
    m = RNG.standard_normal((4, 3))
    upd = RNG.standard_normal((2, 3))
    for f in (cg.tensor_scatter_nd_update, cg.tensor_scatter_nd_add, cg.tensor_scatter_nd_sub):
        assert cg.gradcheck(lambda a, b, f=f: f(a, [[0], [2]], b), m, upd)
    # update: the replaced entries get no gradient from the tensor, the updates get theirs
    a = cg.tensor(m, requires_grad=True)
    b = cg.tensor(upd, requires_grad=True)
    with cg.GradientTape() as tape:
        y = cg.tensor_scatter_nd_update(a, [[0], [2]], b)
    ga, gb = tape.gradient(y, [a, b])
    np.testing.assert_array_equal(ga.numpy(), [[0] * 3, [1] * 3, [0] * 3, [1] * 3])
    np.testing.assert_array_equal(gb.numpy(), np.ones((2, 3)))
    with pytest.raises(
        TypeError, match=r"tensor_scatter_nd_add: tensor and updates must have the same dtype"
    ):
        cg.tensor_scatter_nd_add(np.zeros(3, np.float32), [[0]], np.ones(1))


def test_sequence_mask():
    got = cg.sequence_mask([1, 3, 2], 5)
    assert got.dtype == np.bool_
    np.testing.assert_array_equal(got.numpy(), np.arange(5) < np.array([[1], [3], [2]]))
    got = cg.sequence_mask([[1, 3], [2, 0]])  # maxlen = max(lengths)
    assert got.shape == (2, 2, 3)
    np.testing.assert_array_equal(got.numpy()[0, 1], [True, True, True])
    f = cg.sequence_mask([2, 0], 3, dtype=cg.float32)
    assert f.dtype == np.float32
    np.testing.assert_array_equal(f.numpy(), [[1, 1, 0], [0, 0, 0]])
    # traced: lengths may be an argument when maxlen is given
    traced = cg.function(lambda n: cg.sequence_mask(n, 4))
    np.testing.assert_array_equal(
        traced(np.array([1, 3])).numpy(), np.arange(4) < np.array([[1], [3]])
    )
    with pytest.raises(TypeError, match=r"sequence_mask: lengths \(without maxlen\) must be known"):
        cg.function(lambda n: cg.sequence_mask(n))(np.array([1, 3]))


def test_reverse():
    np.testing.assert_array_equal(cg.reverse(P, [1]).numpy(), P[:, ::-1])
    np.testing.assert_array_equal(cg.reverse(P, [0, -1]).numpy(), P[::-1, :, ::-1])
    np.testing.assert_array_equal(cg.reverse(P, []).numpy(), P)
    assert cg.gradcheck(
        lambda t: cg.reverse(t, [0]) * np.arange(3.0)[:, None], RNG.standard_normal((3, 2))
    )
    with pytest.raises(ValueError, match="reverse: axis 3 is out of range for a tensor of rank 3"):
        cg.reverse(P, [3])
    with pytest.raises(ValueError, match="reverse: an axis is given more than once"):
        cg.reverse(P, [0, -3])


def test_traced_by_function():
    def f(x, u):
        row = cg.reshape(u, (1, 2))
        return [
            cg.gather_nd(x, [[0, 1], [1, 0]]),
            cg.tensor_scatter_nd_update(x, [[1]], row),
            cg.tensor_scatter_nd_add(x, [[0], [0]], cg.stack([u, u])),
            cg.scatter_nd([[2]], row, [3, 2]),
        ]

    x, u = RNG.standard_normal((2, 2)), RNG.standard_normal(2)
    for a, b in zip(cg.function(f)(x, u), f(x, u), strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy())


def test_against_tensorflow():
    tf = pytest.importorskip("tensorflow")
    idx = np.array([[[1, 3], [0, 0]], [[2, 2], [1, 1]]])
    np.testing.assert_array_equal(
        cg.gather_nd(P, idx, batch_dims=1).numpy(), tf.gather_nd(P, idx, batch_dims=1).numpy()
    )
    np.testing.assert_array_equal(
        cg.scatter_nd([[1], [1]], np.ones((2, 4)), [3, 4]).numpy(),
        tf.scatter_nd([[1], [1]], np.ones((2, 4)), [3, 4]).numpy(),
    )
    np.testing.assert_array_equal(
        cg.sequence_mask([[1, 3], [2, 0]]).numpy(), tf.sequence_mask([[1, 3], [2, 0]]).numpy()
    )
    np.testing.assert_array_equal(cg.reverse(P, [0, -1]).numpy(), tf.reverse(P, [0, -1]).numpy())


def test_gather_batch_dims_and_axis():
    p = RNG.standard_normal((2, 3, 4, 5))
    idx = np.array([[[0, 2, 2], [1, 1, 0]], [[2, 2, 1], [0, 1, 2]]])  # (2 | 2, 3)
    for ax in (1, 2, 3, -1):
        got = cg.gather(p, idx, axis=ax, batch_dims=1).numpy()
        a = ax % 4
        want = np.stack([np.take(p[b], idx[b], axis=a - 1) for b in range(2)])
        np.testing.assert_array_equal(got, want)
    # axis defaults to batch_dims
    i1 = np.array([[0, 2], [1, 1]])
    np.testing.assert_array_equal(
        cg.gather(p, i1, batch_dims=1).numpy(), np.stack([p[0][[0, 2]], p[1][[1, 1]]])
    )
    # two batch axes
    i2 = RNG.integers(0, 4, (2, 3, 2))
    got = cg.gather(p, i2, axis=3, batch_dims=2).numpy()
    want = np.stack([np.stack([p[a, b][:, i2[a, b]] for b in range(3)]) for a in range(2)])
    np.testing.assert_array_equal(got, want)
    assert cg.gradcheck(lambda t: cg.gather(t, i1, axis=2, batch_dims=1), p[:, :2, :3, :2])
    with pytest.raises(ValueError, match=r"gather: index 4 is out of range \[0, 4\) along axis 2"):
        cg.gather(p, [[4], [0]], axis=2, batch_dims=1)
    with pytest.raises(
        ValueError, match=r"gather: the batch axes of params \(2,\) and indices \(3,\) differ"
    ):
        cg.gather(p, np.zeros((3, 1), dtype=int), axis=1, batch_dims=1)
