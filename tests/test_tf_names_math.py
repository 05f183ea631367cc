"""More of tf.math in cg.math (and tf's top-level truediv/floordiv/realdiv/truncatediv/
truncatemod/scalar_mul in cg): TensorFlow's semantics at the special points (x == 0 for
xlogy/xlog1py, y == 0 for multiply_no_nan), its integer-to-float table for truediv, and
float64 gradients as TensorFlow's registered ones."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

M = cg.math
RNG = np.random.default_rng(1619)


def test_xlogy_xlog1py_zero_x():
    x = np.array([0.0, 0.0, 0.0, 2.0])
    y = np.array([0.0, np.nan, -1.0, 3.0])
    np.testing.assert_array_equal(M.xlogy(x, np.abs(y)).numpy()[:2], [0.0, 0.0])
    np.testing.assert_array_equal(M.xlog1py(x, y).numpy(), [0.0, 0.0, 0.0, 2.0 * np.log1p(3.0)])
    a = cg.tensor([0.0, 2.0], dtype=cg.float64, requires_grad=True)
    b = cg.tensor([1.0, 1.0], dtype=cg.float64, requires_grad=True)
    with cg.GradientTape() as tape:
        out = M.xlog1py(a, b)
    ga, gb = tape.gradient(out, [a, b])
    # TensorFlow: d/dx = log1p(y) where x != 0, else 0; d/dy = x / (1 + y)
    np.testing.assert_allclose(ga.numpy(), [0.0, np.log(2.0)])
    np.testing.assert_allclose(gb.numpy(), [0.0, 1.0])
    assert cg.gradcheck(M.xlog1py, RNG.uniform(0.5, 2, 4), RNG.uniform(0.1, 2, 4))
    assert cg.gradcheck(M.xlogy, RNG.uniform(0.5, 2, 4), RNG.uniform(0.1, 2, 4))
    assert M.xlog1py(np.float32(1.0), np.float32(1.0)).dtype == np.float32


def test_multiply_no_nan():
    x = np.array([np.inf, np.nan, -3.0, 2.0])
    y = np.array([0.0, 0.0, 0.0, 3.0])
    got = M.multiply_no_nan(x, y).numpy()
    np.testing.assert_array_equal(got, [0.0, 0.0, 0.0, 6.0])
    assert not np.signbit(got[2])
    a = cg.tensor([-3.0, 2.0], dtype=cg.float64, requires_grad=True)
    b = cg.tensor([0.0, 3.0], dtype=cg.float64, requires_grad=True)
    with cg.GradientTape() as tape:
        out = M.multiply_no_nan(a, b)
    ga, gb = tape.gradient(out, [a, b])
    np.testing.assert_array_equal(ga.numpy(), [0.0, 3.0])  # mul_no_nan(g, y)
    np.testing.assert_array_equal(gb.numpy(), [-3.0, 2.0])  # mul_no_nan(x, g)
    with pytest.raises(TypeError, match="multiply_no_nan: x and y must have the same dtype"):
        M.multiply_no_nan(np.ones(2, np.float32), np.ones(2))


def test_truediv_floordiv_and_friends():
    for dt, want in [
        (np.int8, np.float32),
        (np.uint16, np.float32),
        (np.int32, np.float64),
        (np.int64, np.float64),
    ]:
        out = cg.truediv(np.array([1, 3], dt), np.array([2, 2], dt))
        assert out.dtype == want, dt
        np.testing.assert_array_equal(out.numpy(), [0.5, 1.5])
    assert cg.truediv(np.float32(1.0), 4).dtype == np.float32  # a number takes x's dtype
    with pytest.raises(
        TypeError, match=r"truediv: x and y must have the same dtype, got int32 and float32"
    ):
        cg.truediv(np.array([1], np.int32), np.array([1.0], np.float32))
    assert cg.truediv is M.truediv and cg.floordiv is M.floordiv
    np.testing.assert_array_equal(cg.floordiv(np.array([7, -7]), 2).numpy(), [3, -4])
    np.testing.assert_array_equal(
        cg.truncatediv(np.array([7, -7, 7, -7]), np.array([2, 2, -2, -2])).numpy(), [3, -3, -3, 3]
    )
    np.testing.assert_array_equal(
        cg.truncatemod(np.array([7, -7, 7, -7]), np.array([2, 2, -2, -2])).numpy(), [1, -1, 1, -1]
    )
    with pytest.raises(ValueError, match="truncatediv: integer division by zero"):
        cg.truncatediv(np.array([1]), np.array([0]))
    with pytest.raises(TypeError, match="truncatediv: x and y must be integer tensors"):
        cg.truncatediv(np.array([1.0]), np.array([2.0]))
    np.testing.assert_array_equal(cg.realdiv(np.array([1.0]), np.array([4.0])).numpy(), [0.25])
    assert cg.gradcheck(
        lambda a, b: cg.truediv(a, b), RNG.uniform(0.5, 2, 3), RNG.uniform(0.5, 2, 3)
    )
    np.testing.assert_array_equal(cg.scalar_mul(2.0, np.array([1.0, 2.0])).numpy(), [2.0, 4.0])
    with pytest.raises(ValueError, match=r"scalar_mul: scalar must be 0-d, got shape \(2,\)"):
        cg.scalar_mul(np.ones(2), np.ones(2))


def test_accumulate_n():
    xs = [RNG.standard_normal(3) for _ in range(3)]
    np.testing.assert_allclose(M.accumulate_n(xs).numpy(), sum(xs))
    np.testing.assert_allclose(
        M.accumulate_n(xs, shape=[3], tensor_dtype=cg.float64).numpy(), sum(xs)
    )
    with pytest.raises(
        ValueError, match="accumulate_n: inputs must all have the same shape and dtype"
    ):
        M.accumulate_n([np.ones(2), np.ones(3)])
    with pytest.raises(ValueError, match="accumulate_n: inputs must be a non-empty list"):
        M.accumulate_n([])
    assert cg.gradcheck(lambda a, b: M.accumulate_n([a, b, a]), xs[0], xs[1])


def test_order_and_permutation_helpers():
    assert bool(M.is_non_decreasing([1, 1, 2])) and not bool(M.is_strictly_increasing([1, 1, 2]))
    assert bool(M.is_strictly_increasing([[1, 2], [3, 4]]))  # flattened
    assert bool(M.is_non_decreasing([])) and bool(M.is_strictly_increasing([5]))
    assert not bool(M.is_non_decreasing(np.array([3, 2], dtype=np.uint8)))
    inv = M.invert_permutation(np.array([3, 4, 0, 2, 1], np.int32))
    np.testing.assert_array_equal(inv.numpy(), [2, 4, 3, 0, 1])
    assert inv.dtype == np.int32
    with pytest.raises(ValueError, match="invert_permutation: x must be a permutation"):
        M.invert_permutation([0, 0, 1])
    assert float(M.zero_fraction(np.array([[0.0, 1.0], [0.0, 0.0]]))) == 0.75


def test_confusion_matrix():
    # TensorFlow's example
    cm = M.confusion_matrix([1, 2, 4], [2, 2, 4])
    want = np.zeros((5, 5), dtype=np.int32)
    want[1, 2] = want[2, 2] = want[4, 4] = 1
    np.testing.assert_array_equal(cm.numpy(), want)
    assert cm.dtype == np.int32
    w = M.confusion_matrix(
        [0, 1, 1], [0, 1, 0], num_classes=3, weights=[0.5, 1.0, 2.0], dtype=cg.float64
    )
    np.testing.assert_array_equal(w.numpy(), [[0.5, 0, 0], [2.0, 1.0, 0], [0, 0, 0]])
    with pytest.raises(
        ValueError, match="confusion_matrix: labels and predictions must be below num_classes=2"
    ):
        M.confusion_matrix([0, 3], [0, 1], num_classes=2)


def test_cumulative_logsumexp():
    x = RNG.standard_normal((4, 3)) * 10
    np.testing.assert_allclose(
        M.cumulative_logsumexp(x).numpy(), np.logaddexp.accumulate(x, axis=0)
    )
    np.testing.assert_allclose(
        M.cumulative_logsumexp(x, axis=1, reverse=True).numpy(),
        np.logaddexp.accumulate(x[:, ::-1], axis=1)[:, ::-1],
    )
    ex = M.cumulative_logsumexp(x[:, 0], exclusive=True).numpy()
    assert ex[0] == -np.inf
    np.testing.assert_allclose(ex[1:], np.logaddexp.accumulate(x[:-1, 0]))
    big = M.cumulative_logsumexp(np.array([1000.0, 1000.0])).numpy()  # stable
    np.testing.assert_allclose(big, [1000.0, 1000.0 + np.log(2.0)])
    assert cg.gradcheck(lambda t: M.cumulative_logsumexp(t, axis=1), x / 10)


def test_lbeta_and_special_names():
    sp = pytest.importorskip("scipy.special")
    x = RNG.uniform(0.5, 3, (2, 3))
    np.testing.assert_allclose(M.lbeta(x).numpy(), sp.gammaln(x).sum(-1) - sp.gammaln(x.sum(-1)))
    assert cg.gradcheck(M.lbeta, x)
    v = np.array([0.3, 1.2])
    for ours, theirs in [
        (M.bessel_i0, sp.i0),
        (M.bessel_i0e, sp.i0e),
        (M.bessel_i1, sp.i1),
        (M.bessel_i1e, sp.i1e),
    ]:
        np.testing.assert_allclose(ours(v).numpy(), theirs(v))
    np.testing.assert_allclose(M.erfinv(v / 2).numpy(), sp.erfinv(v / 2))
    np.testing.assert_allclose(M.ndtri(v / 2).numpy(), sp.ndtri(v / 2))
    np.testing.assert_allclose(M.erfcinv(v).numpy(), sp.erfcinv(v))
    np.testing.assert_allclose(M.igamma(2.0, v).numpy(), sp.gammainc(2.0, v))
    np.testing.assert_allclose(M.igammac(2.0, v).numpy(), sp.gammaincc(2.0, v))
    np.testing.assert_allclose(M.betainc(2.0, 3.0, v / 2).numpy(), sp.betainc(2.0, 3.0, v / 2))
    np.testing.assert_allclose(M.polygamma(1.0, v).numpy(), sp.polygamma(1, v))


def test_against_tensorflow():
    tf = pytest.importorskip("tensorflow")
    x = np.array([0.0, 0.0, 2.0])
    y = np.array([-1.0, np.nan, 1.0])
    np.testing.assert_array_equal(M.xlog1py(x, y).numpy(), tf.math.xlog1py(x, y).numpy())
    np.testing.assert_array_equal(
        M.multiply_no_nan(np.array([np.inf, 2.0]), np.array([0.0, 3.0])).numpy(),
        tf.math.multiply_no_nan(np.array([np.inf, 2.0]), np.array([0.0, 3.0])).numpy(),
    )
    a = np.array([1, 3], np.int16)
    assert cg.truediv(a, a).dtype == tf.truediv(a, a).numpy().dtype
    v = np.array([0.0, 1.0, 2.0])
    np.testing.assert_allclose(
        M.cumulative_logsumexp(v, exclusive=True).numpy(),
        tf.math.cumulative_logsumexp(v, exclusive=True).numpy(),
    )


def test_count_nonzero():
    x = np.array([[0, 1, 2], [0, 0, 3]])
    got = M.count_nonzero(x)
    assert got.dtype == np.int64 and int(got) == 3
    np.testing.assert_array_equal(M.count_nonzero(x, axis=[0]).numpy(), [0, 1, 2])
    k = M.count_nonzero(x, axis=1, keepdims=True, dtype=cg.int32)
    assert k.dtype == np.int32 and k.shape == (2, 1)
    assert int(M.count_nonzero(np.array([0.0, np.nan, -0.0]))) == 1
