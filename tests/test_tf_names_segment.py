"""TensorFlow's segment reductions and bincount (cg.math.segment_*, unsorted_segment_*):
values against loops over NumPy (and TensorFlow where installed), gradients in float64
against central differences and TensorFlow's documented rule for max/min ties, and
tracing by cg.function."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

M = cg.math
RNG = np.random.default_rng(16)


def ref_segment(data, ids, n, op, empty):
    """Loop reference: ``op`` over the rows of each segment, ``empty`` where none."""
    data = np.asarray(data)
    ids = np.asarray(ids)
    rest = data.shape[ids.ndim :]
    flat = data.reshape((-1, *rest))
    out = np.empty((n, *rest), dtype=data.dtype)
    for s in range(n):
        rows = flat[ids.ravel() == s]
        out[s] = op(rows, axis=0) if len(rows) else empty
    return out


DATA = np.array([[1.0, -2.0], [3.0, 4.0], [3.0, 0.5], [-1.0, 7.0], [0.0, 2.0]])
SORTED = np.array([0, 0, 2, 2, 3])  # segment 1 is empty
UNSORTED = np.array([3, -1, 0, 3, 0])  # 1 and 2 empty, one row dropped
LOW, HIGH = np.finfo(np.float64).min, np.finfo(np.float64).max

SORTED_CASES = [
    ("segment_sum", np.sum, 0.0),
    ("segment_mean", np.mean, 0.0),
    ("segment_max", np.max, 0.0),
    ("segment_min", np.min, 0.0),
    ("segment_prod", np.prod, 1.0),
]
UNSORTED_CASES = [
    ("unsorted_segment_sum", np.sum, 0.0),
    ("unsorted_segment_mean", np.mean, 0.0),
    ("unsorted_segment_max", np.max, LOW),
    ("unsorted_segment_min", np.min, HIGH),
    ("unsorted_segment_prod", np.prod, 1.0),
    ("unsorted_segment_sqrt_n", lambda r, axis: r.sum(axis) / np.sqrt(len(r)), 0.0),
]


@pytest.mark.parametrize("name,op,empty", SORTED_CASES)
def test_sorted_values(name, op, empty):
    got = getattr(M, name)(DATA, SORTED)
    np.testing.assert_allclose(got.numpy(), ref_segment(DATA, SORTED, 4, op, empty))


@pytest.mark.parametrize("name,op,empty", UNSORTED_CASES)
def test_unsorted_values(name, op, empty):
    got = getattr(M, name)(DATA, UNSORTED, 5)
    keep = UNSORTED >= 0
    want = ref_segment(DATA[keep], UNSORTED[keep], 5, op, empty)
    np.testing.assert_allclose(got.numpy(), want)


def test_unsorted_ids_of_several_axes():
    data = RNG.standard_normal((2, 3, 4))
    ids = np.array([[0, 2, 0], [1, -1, 2]])
    got = M.unsorted_segment_max(data, ids, 3)
    want = ref_segment(
        data.reshape(6, 4)[ids.ravel() >= 0], ids.ravel()[ids.ravel() >= 0], 3, np.max, LOW
    )
    np.testing.assert_allclose(got.numpy(), want)
    assert M.unsorted_segment_sum(data, ids, 3).shape == (3, 4)


def test_integer_data_and_dtypes():
    d = np.array([1, 2, -3, -4, 7], dtype=np.int32)
    assert M.segment_sum(d, SORTED).dtype == np.int32
    # TensorFlow's integer segment_mean divides in the integer type, toward zero
    np.testing.assert_array_equal(M.segment_mean(d, [0, 0, 0, 1, 1]).numpy(), [0, 1])
    np.testing.assert_array_equal(M.segment_max(d, SORTED).numpy(), [2, 0, -3, 7])
    lo = M.unsorted_segment_max(d, [0, 0, 0, 0, 0], 2).numpy()
    assert lo.dtype == np.int32 and lo[1] == np.iinfo(np.int32).min
    # unsorted_segment_mean is sum / count with TensorFlow's integer true division
    mean = M.unsorted_segment_mean(d, [0, 0, 1, 1, 1], 2)
    assert mean.dtype == np.float64
    np.testing.assert_allclose(mean.numpy(), [1.5, 0.0])
    with pytest.raises(TypeError, match="unsorted_segment_sqrt_n"):
        M.unsorted_segment_sqrt_n(d, [0, 0, 1, 1, 1], 2)


def test_errors_name_function_and_shapes():
    with pytest.raises(ValueError, match=r"segment_sum: segment ids are not increasing"):
        M.segment_sum(DATA, [0, 1, 0, 2, 2])
    with pytest.raises(ValueError, match=r"segment_max: segment ids must be non-negative"):
        M.segment_max(DATA, [-1, 0, 0, 1, 1])
    with pytest.raises(ValueError, match=r"segment_mean: .*shape \(3,\).*\(5, 2\)"):
        M.segment_mean(DATA, [0, 0, 1])
    with pytest.raises(
        ValueError, match=r"unsorted_segment_sum: segment id 5 is out of range \[0, 3\)"
    ):
        M.unsorted_segment_sum(DATA, [0, 5, 1, 1, 1], 3)
    with pytest.raises(ValueError, match=r"prefix of data's shape"):
        M.unsorted_segment_min(DATA, [[0, 1]], 3)
    with pytest.raises(
        TypeError, match=r"segment_ids must be an integer tensor, got dtype float64"
    ):
        M.segment_sum(DATA, [0.0, 0.0, 1.0, 1.0, 2.0])


@pytest.mark.parametrize("name", [c[0] for c in SORTED_CASES])
def test_sorted_gradients(name):
    x = RNG.standard_normal((5, 3))  # no ties
    assert cg.gradcheck(lambda t: getattr(M, name)(t, SORTED), x)


@pytest.mark.parametrize("name", [c[0] for c in UNSORTED_CASES])
def test_unsorted_gradients(name):
    x = RNG.uniform(0.5, 2.0, (5, 3))
    fn = getattr(M, name)
    if name.endswith(("max", "min")):  # empty segments hold +-finfo.max: look at the others
        assert cg.gradcheck(lambda t: fn(t, UNSORTED, 5)[np.array([0, 3])], x)
    else:
        assert cg.gradcheck(lambda t: fn(t, UNSORTED, 5), x)


def test_prod_gradient_with_zeros_second_order():
    x = cg.tensor([2.0, 0.0, 3.0, 0.0, 0.0, 5.0, 4.0], dtype=cg.float64, requires_grad=True)
    ids = [0, 0, 0, 1, 1, 2, 2]
    with cg.GradientTape() as tape:
        y = M.segment_prod(x, ids)
    g = tape.gradient(y, x)
    # one zero: the product of the others there, 0 elsewhere; two zeros: all 0
    np.testing.assert_allclose(g.numpy(), [0.0, 6.0, 0.0, 0.0, 0.0, 4.0, 5.0])
    assert cg.gradcheck(
        lambda t: cg.grad(lambda u: cg.sum(M.segment_prod(u, ids)))(t),
        np.array([2.0, 0.5, 3.0, 1.5, 2.5, 5.0, 4.0]),
    )


@pytest.mark.parametrize(
    "name", ["segment_max", "segment_min", "unsorted_segment_max", "unsorted_segment_min"]
)
def test_max_min_gradient_split_among_ties(name):
    # TensorFlow's gradient: each segment's gradient divided equally among its maxima
    # (minima), whatever the order of the entries
    v = 2.0 if name.endswith("max") else -2.0
    x = cg.tensor([[v, 1.0], [0.0, 1.0], [v, 1.0], [0.5, 3.0], [v, -3.0]], dtype=cg.float64)
    args = (x, [0, 0, 0, 1, 1]) if name.startswith("segment") else (x, [0, 0, 0, 1, 1], 2)
    with cg.GradientTape() as tape:
        tape.watch(x)
        y = getattr(M, name)(*args)
        loss = cg.sum(y * np.array([[6.0, 12.0], [1.0, 1.0]]))
    g = tape.gradient(loss, x).numpy()
    want_col0 = [3.0, 0.0, 3.0] + ([0.0, 1.0] if v > 0 else [0.0, 1.0])
    want_col1 = [4.0, 4.0, 4.0] + ([1.0, 0.0] if v > 0 else [0.0, 1.0])
    np.testing.assert_allclose(g, np.stack([want_col0, want_col1], 1))
    assert y.numpy()[0, 0] == v  # the value itself is exact


def test_max_of_infinities():
    x = np.array([-np.inf, -np.inf, 1.0, np.inf])
    np.testing.assert_array_equal(M.segment_max(x, [0, 0, 1, 1]).numpy(), [-np.inf, np.inf])
    # TensorFlow starts unsorted_segment_max at the lowest finite value
    np.testing.assert_array_equal(M.unsorted_segment_max(x, [0, 0, 1, 1], 2).numpy(), [LOW, np.inf])
    t = cg.tensor(x, requires_grad=True)
    M.segment_max(t, [0, 0, 1, 1]).backward(cg.ones(2, dtype=cg.float64))
    np.testing.assert_array_equal(t.grad.numpy(), [0.5, 0.5, 0.0, 1.0])


def test_traced_by_function_same_as_eager():
    ids = np.array([0, 0, 2, 2, 3])

    def f(x):
        return [
            M.segment_max(x, ids),
            M.segment_prod(x, ids),
            M.unsorted_segment_min(x, UNSORTED, 5),
            M.segment_mean(x, ids),
            M.unsorted_segment_sum(x, UNSORTED, 5),
        ]

    x = np.array([[1.0, 2.0], [3.0, 3.0], [3.0, -1.0], [2.0, 0.0], [5.0, 1.0]])
    for a, b in zip(cg.function(f)(x), f(x), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())

    def loss(t):
        return cg.sum(M.segment_max(t, ids) * np.array([[1.0], [2.0], [3.0], [4.0]]))

    g = cg.grad(loss)
    np.testing.assert_allclose(cg.function(g)(x).numpy(), g(cg.tensor(x)).numpy())
    with pytest.raises(TypeError, match="segment_ids must be known when the function is traced"):
        cg.function(lambda t, i: M.segment_sum(t, i))(x, ids)


def test_bincount():
    a = np.array([1, 1, 2, 5, 0])
    np.testing.assert_array_equal(M.bincount(a).numpy(), np.bincount(a))
    assert M.bincount(a).dtype == np.int32
    np.testing.assert_array_equal(M.bincount(a, minlength=8).numpy(), np.bincount(a, minlength=8))
    np.testing.assert_array_equal(M.bincount(a, maxlength=2).numpy(), [1, 2])
    np.testing.assert_array_equal(M.bincount(a, binary_output=True).numpy(), [1, 1, 1, 0, 0, 1])
    np.testing.assert_array_equal(M.bincount([], minlength=3).numpy(), [0, 0, 0])
    rows = np.array([[1, 1, 3], [0, 2, 9]])
    np.testing.assert_array_equal(
        M.bincount(rows, axis=-1, maxlength=4).numpy(), [[0, 2, 0, 1], [1, 0, 1, 0]]
    )
    w = np.array([0.5, 1.0, 2.0, 3.0, 4.0])
    got = M.bincount(a, weights=w)
    assert got.dtype == np.float64
    np.testing.assert_allclose(got.numpy(), np.bincount(a, weights=w))
    assert cg.gradcheck(lambda t: M.bincount(a, weights=t, maxlength=3), w)
    with pytest.raises(ValueError, match="bincount: binary_output and weights"):
        M.bincount(a, weights=w, binary_output=True)
    with pytest.raises(ValueError, match="bincount: arr must be non-negative"):
        M.bincount([-1, 2])


def test_against_tensorflow():
    tf = pytest.importorskip("tensorflow")
    x = RNG.standard_normal((5, 3))
    x[2, 1] = x[0, 1] = 2.5  # a tie
    for name, _, _ in SORTED_CASES:
        np.testing.assert_allclose(
            getattr(M, name)(x, SORTED).numpy(),
            getattr(tf.math, name)(x, SORTED).numpy(),
            err_msg=name,
        )
        t = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(t)
            loss = tf.reduce_sum(getattr(tf.math, name)(t, SORTED) ** 2)
        c = cg.tensor(x, requires_grad=True)
        cg.sum(getattr(M, name)(c, SORTED) ** 2).backward()
        np.testing.assert_allclose(c.grad.numpy(), tape.gradient(loss, t).numpy(), err_msg=name)
    for name, _, _ in UNSORTED_CASES:
        np.testing.assert_allclose(
            getattr(M, name)(x, UNSORTED, 5).numpy(),
            getattr(tf.math, name)(x, UNSORTED, 5).numpy(),
            err_msg=name,
        )
    a = np.array([[1, 1, 3], [0, 2, 9]], dtype=np.int32)
    np.testing.assert_array_equal(
        M.bincount(a, axis=-1, maxlength=4).numpy(),
        tf.math.bincount(a, axis=-1, maxlength=4).numpy(),
    )
