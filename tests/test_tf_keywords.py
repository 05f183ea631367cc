"""TensorFlow's keywords on the NumPy-named functions (issue 16): ``transpose(perm=,
conjugate=)``, ``unstack(num=)``, ``pad(paddings, mode="REFLECT", constant_values=)``,
``sort``/``argsort(direction=)``, ``cumsum``/``cumprod(exclusive=, reverse=)``,
``constant(shape=)`` and ``cg.tensor``/``cg.constant`` of Python floats following
``cg.set_default_dtype``.

NumPy's calls keep NumPy's results; TensorFlow's keywords give the values TensorFlow's
documentation prints (and ``tensorflow``'s own, where it is installed)."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

X = np.arange(1.0, 7.0).reshape(2, 3)  # [[1, 2, 3], [4, 5, 6]], as TensorFlow's examples


def _np(t):
    return np.asarray(t.data if isinstance(t, cg.Tensor) else t)


@pytest.fixture
def default_dtype():
    """Set the default dtype inside a test; restore compgraph's own afterwards."""
    yield cg.set_default_dtype
    cg.set_default_dtype(None)


# --------------------------------------------------------------------------- transpose
def test_transpose_perm_and_conjugate():
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(_np(cg.transpose(x, perm=[2, 0, 1])), x.transpose(2, 0, 1))
    np.testing.assert_array_equal(
        _np(cg.transpose(x, perm=np.array([1, 2, 0]))), x.transpose(1, 2, 0)
    )
    # NumPy's spellings are unchanged.
    np.testing.assert_array_equal(_np(cg.transpose(x, (2, 0, 1))), x.transpose(2, 0, 1))
    np.testing.assert_array_equal(_np(cg.transpose(x, axes=(2, 0, 1))), x.transpose(2, 0, 1))
    np.testing.assert_array_equal(_np(cg.transpose(x)), x.T)
    # tf.transpose(x, conjugate=True) of [[1+1j, 2+2j, 3+3j], [4+4j, 5+5j, 6+6j]]
    c = np.array([[1 + 1j, 2 + 2j, 3 + 3j], [4 + 4j, 5 + 5j, 6 + 6j]])
    want = np.array([[1 - 1j, 4 - 4j], [2 - 2j, 5 - 5j], [3 - 3j, 6 - 6j]])
    np.testing.assert_array_equal(_np(cg.transpose(c, conjugate=True)), want)
    np.testing.assert_array_equal(_np(cg.transpose(c, perm=[1, 0], conjugate=False)), c.T)
    assert cg.transpose(X, conjugate=True).dtype == np.float64


def test_transpose_keyword_errors():
    with pytest.raises(TypeError, match="transpose: give axes .* or perm"):
        cg.transpose(X, (1, 0), perm=[1, 0])
    with pytest.raises(TypeError, match="transpose: conjugate must be True or False"):
        cg.transpose(X, conjugate="yes")
    with pytest.raises(ValueError, match="transpose: axes .* not a permutation"):
        cg.transpose(X, perm=[0, 0])


def test_transpose_gradient_through_conjugate():
    c = cg.tensor(np.array([[1 + 2j, 3 - 1j]]), requires_grad=True)
    y = cg.sum(cg.real(cg.transpose(c, conjugate=True) * np.array([[2.0], [3.0]])))
    y.backward()
    # real(conj(c) * w) = real(c) * w: the gradient is w (JAX's convention, conjugated).
    np.testing.assert_allclose(_np(c.grad), np.array([[2.0, 3.0]]))


# --------------------------------------------------------------------------- unstack
def test_unstack_num_and_axis():
    a = np.arange(24.0).reshape(2, 3, 4)
    parts = cg.unstack(a, num=3, axis=1)
    assert len(parts) == 3
    for i, p in enumerate(parts):
        np.testing.assert_array_equal(_np(p), a[:, i])
    assert len(cg.unstack(a, 4, -1)) == 4  # TensorFlow's positional (num, axis)
    assert len(cg.unstack(a)) == 2 and len(cg.unstack(a, axis=2)) == 4  # NumPy's
    assert len(np.unstack(cg.tensor(a), axis=1)) == 3


def test_unstack_num_errors():
    a = np.zeros((2, 3))
    with pytest.raises(
        ValueError, match=r"unstack: num=2 is not the length 3 of axis 1 of shape \(2, 3\)"
    ):
        cg.unstack(a, num=2, axis=1)
    with pytest.raises(TypeError, match="unstack: num must be an int"):
        cg.unstack(a, num=2.0)
    with pytest.raises(TypeError, match="unstack: num must be an int"):
        cg.unstack(a, num=True)


def test_unstack_gradient():
    assert cg.gradcheck(lambda x: cg.unstack(x, num=3, axis=1)[1] * 2.0, X)


# --------------------------------------------------------------------------- pad
# tf.pad's documented example: t = [[1, 2, 3], [4, 5, 6]], paddings = [[1, 1], [2, 2]].
PADDINGS = [[1, 1], [2, 2]]
TF_PAD = {
    "CONSTANT": [[0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 2, 3, 0, 0],
                 [0, 0, 4, 5, 6, 0, 0], [0, 0, 0, 0, 0, 0, 0]],
    "REFLECT": [[6, 5, 4, 5, 6, 5, 4], [3, 2, 1, 2, 3, 2, 1],
                [6, 5, 4, 5, 6, 5, 4], [3, 2, 1, 2, 3, 2, 1]],
    "SYMMETRIC": [[2, 1, 1, 2, 3, 3, 2], [2, 1, 1, 2, 3, 3, 2],
                  [5, 4, 4, 5, 6, 6, 5], [5, 4, 4, 5, 6, 6, 5]],
}  # fmt: skip


@pytest.mark.parametrize("mode", sorted(TF_PAD))
def test_pad_tf_modes_give_tf_documented_values(mode):
    np.testing.assert_array_equal(_np(cg.pad(X, PADDINGS, mode)), TF_PAD[mode])
    np.testing.assert_array_equal(_np(cg.pad(X, paddings=PADDINGS, mode=mode)), TF_PAD[mode])
    np.testing.assert_array_equal(_np(cg.pad(X, PADDINGS, mode.capitalize())), TF_PAD[mode])
    # TensorFlow's modes are NumPy's constant, reflect and symmetric.
    np.testing.assert_array_equal(TF_PAD[mode], np.pad(X, PADDINGS, mode.lower()))


def test_pad_constant_values_and_tf_limits():
    got = _np(cg.pad(X, PADDINGS, "CONSTANT", constant_values=-1.5))
    np.testing.assert_array_equal(got, np.pad(X, PADDINGS, constant_values=-1.5))
    # TensorFlow ignores constant_values outside CONSTANT (NumPy refuses it).
    np.testing.assert_array_equal(
        _np(cg.pad(X, PADDINGS, "REFLECT", constant_values=0)), TF_PAD["REFLECT"]
    )
    with pytest.raises(TypeError, match="pad: unexpected keyword"):
        cg.pad(X, PADDINGS, "reflect", constant_values=0)
    # TensorFlow: REFLECT pads at most size - 1, SYMMETRIC at most size.
    with pytest.raises(ValueError, match=r"pad: mode REFLECT pads at most 1 .* axis 0 \(size 2\)"):
        cg.pad(X, [[2, 0], [0, 0]], "REFLECT")
    with pytest.raises(
        ValueError, match=r"pad: mode SYMMETRIC pads at most 3 .* axis 1 \(size 3\)"
    ):
        cg.pad(X, [[0, 0], [0, 4]], "SYMMETRIC")
    assert cg.pad(X, [[0, 0], [3, 3]], "SYMMETRIC").shape == (2, 9)
    # NumPy's lower-case modes keep NumPy's rules (reflecting past the edge is fine).
    np.testing.assert_array_equal(
        _np(cg.pad(X, [[2, 0], [0, 0]], "reflect")), np.pad(X, [[2, 0], [0, 0]], "reflect")
    )
    np.testing.assert_array_equal(_np(cg.pad(X, 1)), np.pad(X, 1))


def test_pad_keyword_errors():
    with pytest.raises(TypeError, match="pad: give pad_width .* or paddings"):
        cg.pad(X, 1, paddings=PADDINGS)
    with pytest.raises(TypeError, match="pad: missing the argument pad_width"):
        cg.pad(X)
    with pytest.raises(NotImplementedError, match="pad: mode 'CIRCULAR'"):
        cg.pad(X, 1, "CIRCULAR")


@pytest.mark.parametrize("mode", sorted(TF_PAD))
def test_pad_tf_modes_gradients(mode):
    assert cg.gradcheck(lambda x: cg.pad(x, PADDINGS, mode) * np.arange(28.0).reshape(4, 7), X)


# --------------------------------------------------------------------------- sort, argsort
def test_sort_direction():
    a = np.array([[1.0, 10.0, 26.9, 2.8, 166.32, 62.3], [3.0, -1.0, 3.0, 0.5, 2.0, 7.0]])
    np.testing.assert_array_equal(_np(cg.sort(a, direction="ASCENDING")), np.sort(a, -1))
    np.testing.assert_array_equal(_np(cg.sort(a, direction="DESCENDING")), -np.sort(-a, -1))
    np.testing.assert_array_equal(_np(cg.sort(a, 0, "DESCENDING")), -np.sort(-a, 0))
    # tf.sort's documented example
    np.testing.assert_array_equal(
        _np(cg.sort([1, 10, 26.9, 2.8, 166.32, 62.3], direction="DESCENDING")),
        [166.32, 62.3, 26.9, 10.0, 2.8, 1.0],
    )
    np.testing.assert_array_equal(_np(cg.sort(a)), np.sort(a))  # NumPy's, unchanged
    np.testing.assert_array_equal(_np(cg.sort(a, axis=None)), np.sort(a, axis=None))


def test_argsort_direction_is_stable():
    # tf.argsort's documented example
    np.testing.assert_array_equal(
        _np(cg.argsort([1, 10, 26.9, 2.8, 166.32, 62.3], direction="DESCENDING")),
        [4, 5, 2, 1, 3, 0],
    )
    ties = np.array([2, 1, 2, 1, 2, 0, 1])
    np.testing.assert_array_equal(
        _np(cg.argsort(ties, direction="ASCENDING")), [5, 1, 3, 6, 0, 2, 4]
    )
    np.testing.assert_array_equal(
        _np(cg.argsort(ties, direction="DESCENDING")), [0, 2, 4, 1, 3, 6, 5]
    )
    np.testing.assert_array_equal(
        _np(cg.argsort(ties, direction="DESCENDING", stable=False)), [0, 2, 4, 1, 3, 6, 5]
    )
    np.testing.assert_array_equal(
        _np(cg.argsort(ties, kind="stable")), np.argsort(ties, kind="stable")
    )
    assert cg.argsort(ties, direction="DESCENDING").dtype == np.int64


def test_sort_direction_errors():
    for f in (cg.sort, cg.argsort):
        name = f.__name__
        with pytest.raises(ValueError, match=f"{name}: direction should be one of"):
            f(X, direction="descending")
        with pytest.raises(TypeError, match=f"{name}: give descending= .* or direction="):
            f(X, direction="DESCENDING", descending=True)
        with pytest.raises(TypeError, match=f"{name}: got direction twice"):
            f(X, -1, "DESCENDING", direction="DESCENDING")
        with pytest.raises(ValueError, match=f"{name}: kind must be one of"):
            f(X, -1, "fastest")


def test_sort_direction_gradient():
    a = np.array([[0.3, -1.2, 2.5, 0.7], [1.1, 0.2, -0.4, 3.0]])
    w = np.arange(1.0, 5.0)
    assert cg.gradcheck(lambda x: cg.sort(x, direction="DESCENDING") * w, a)
    assert cg.gradcheck(lambda x: cg.sort(x, 0, "DESCENDING") * w, a)


def test_sort_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    a = np.random.default_rng(0).normal(size=(3, 5))
    for d in ("ASCENDING", "DESCENDING"):
        for ax in (0, 1, -1):
            np.testing.assert_array_equal(
                _np(cg.sort(a, ax, direction=d)), tf.sort(a, ax, d).numpy()
            )
            np.testing.assert_array_equal(
                _np(cg.argsort(a, ax, direction=d)), tf.argsort(a, ax, d).numpy()
            )


# --------------------------------------------------------------------------- cumsum, cumprod
# tf.math.cumsum's documented examples on [a, b, c] = [2, 3, 5].
ABC = np.array([2.0, 3.0, 5.0])
TF_SCANS = {
    # (exclusive, reverse): (cumsum, cumprod)
    (False, False): ([2, 5, 10], [2, 6, 30]),
    (True, False): ([0, 2, 5], [1, 2, 6]),
    (False, True): ([10, 8, 5], [30, 15, 5]),
    (True, True): ([8, 5, 0], [15, 5, 1]),
}


@pytest.mark.parametrize("exclusive, reverse", sorted(TF_SCANS))
def test_cumsum_cumprod_tf_documented_values(exclusive, reverse):
    want_sum, want_prod = TF_SCANS[exclusive, reverse]
    got = cg.cumsum(ABC, exclusive=exclusive, reverse=reverse)
    np.testing.assert_array_equal(_np(got), want_sum)
    got = cg.cumprod(ABC, exclusive=exclusive, reverse=reverse)
    np.testing.assert_array_equal(_np(got), want_prod)
    # the same through the Tensor methods, and TF's cg.math versions agree
    t = cg.tensor(ABC)
    np.testing.assert_array_equal(_np(t.cumsum(0, exclusive=exclusive, reverse=reverse)), want_sum)
    np.testing.assert_array_equal(
        _np(t.cumprod(0, exclusive=exclusive, reverse=reverse)), want_prod
    )
    np.testing.assert_array_equal(_np(cg.math.cumsum(ABC, 0, exclusive, reverse)), want_sum)


def _scan_reference(np_scan, init, x, axis, exclusive, reverse):
    y = np.flip(x, axis) if reverse else x
    if exclusive:
        first = np.full_like(np.take(y, [0], axis), init)
        y = np.concatenate([first, np.delete(y, -1, axis)], axis)
    y = np_scan(y, axis)
    return np.flip(y, axis) if reverse else y


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_scans_on_matrices(exclusive, reverse, axis):
    a = np.array([[1.5, -2.0, 0.5, 3.0], [0.25, 4.0, -1.0, 2.0], [2.0, 0.5, 1.5, -3.0]])
    for name, np_scan, init in (("cumsum", np.cumsum, 0), ("cumprod", np.cumprod, 1)):
        f = getattr(cg, name)
        got = f(a, axis, exclusive=exclusive, reverse=reverse)
        want = _scan_reference(np_scan, init, a, axis, exclusive, reverse)
        np.testing.assert_allclose(_np(got), want, rtol=1e-15, err_msg=name)


def test_scans_tf_default_axis_and_numpy_default():
    a = np.arange(1.0, 7.0).reshape(2, 3)
    # With a TensorFlow keyword, the axis defaults to TensorFlow's 0 ...
    np.testing.assert_array_equal(_np(cg.cumsum(a, exclusive=False)), np.cumsum(a, 0))
    np.testing.assert_array_equal(
        _np(cg.cumprod(a, reverse=True)), np.flip(np.cumprod(a[::-1], 0), 0)
    )
    # ... without, NumPy's (the flattened array), unchanged.
    np.testing.assert_array_equal(_np(cg.cumsum(a)), np.cumsum(a))
    np.testing.assert_array_equal(_np(cg.cumprod(a)), np.cumprod(a))
    np.testing.assert_array_equal(_np(cg.cumsum(a, 1)), np.cumsum(a, 1))
    assert cg.cumsum(np.array([1, 2, 3]), exclusive=True).dtype == np.int64
    np.testing.assert_array_equal(_np(cg.cumsum(np.array([1, 2, 3]), exclusive=True)), [0, 1, 3])
    np.testing.assert_array_equal(
        _np(cg.cumprod(np.zeros((2, 0)), 1, exclusive=True)), np.zeros((2, 0))
    )
    with pytest.raises(ValueError, match="cumprod"):
        cg.cumprod(a, 2, reverse=True)


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_scan_gradients(exclusive, reverse):
    a = np.array([[0.5, -1.5, 2.0], [1.25, 0.0, -0.75]])  # a zero: cumprod's exact rule
    w = np.array([[1.0, -2.0, 0.5], [3.0, 0.25, 1.5]])
    for axis in (0, 1):
        assert cg.gradcheck(
            lambda x: cg.cumsum(x, axis, exclusive=exclusive, reverse=reverse) * w, a
        )
        assert cg.gradcheck(
            lambda x: cg.cumprod(x, axis, exclusive=exclusive, reverse=reverse) * w, a
        )


def test_cumprod_reverse_second_order_and_forward_mode():
    a = np.array([0.5, -1.5, 2.0, 1.25])
    f = lambda x: cg.sum(cg.cumprod(x, exclusive=True, reverse=True) ** 2)  # noqa: E731
    assert cg.gradcheck(cg.grad(f), a)
    t = np.array([1.0, 0.5, -2.0, 0.25])
    _, jv = cg.jvp(lambda x: cg.cumprod(x, exclusive=True, reverse=True), (a,), (t,))
    want = cg.jacobian(lambda x: cg.cumprod(x, exclusive=True, reverse=True))(a)
    np.testing.assert_allclose(_np(jv), _np(want) @ t, rtol=1e-12)


def test_scans_in_static_graphs():
    g = cg.Graph()
    x = g.input("x", shape=(2, 3))
    ys = [
        cg.cumsum(x, 1, exclusive=True, reverse=True),
        cg.cumprod(x, 1, exclusive=True, reverse=True),
    ]
    got = g.compile(ys)(x=X)
    np.testing.assert_array_equal(got[0], _scan_reference(np.cumsum, 0, X, 1, True, True))
    np.testing.assert_array_equal(got[1], _scan_reference(np.cumprod, 1, X, 1, True, True))


def test_scans_match_tensorflow():
    tf = pytest.importorskip("tensorflow")
    a = np.random.default_rng(1).normal(size=(3, 4))
    for ex in (False, True):
        for rev in (False, True):
            for ax in (0, 1):
                kw = {"exclusive": ex, "reverse": rev}
                np.testing.assert_allclose(
                    _np(cg.cumsum(a, ax, **kw)), tf.cumsum(a, ax, **kw).numpy(), rtol=1e-12
                )
                np.testing.assert_allclose(
                    _np(cg.cumprod(a, ax, **kw)), tf.math.cumprod(a, ax, **kw).numpy(), rtol=1e-12
                )


# --------------------------------------------------------------------------- constant(shape=)
def test_constant_shape_fills_and_reshapes():
    # tf.constant's documented examples
    np.testing.assert_array_equal(_np(cg.constant(-1.0, shape=[2, 3])), np.full((2, 3), -1.0))
    np.testing.assert_array_equal(
        _np(cg.constant([1, 2, 3, 4, 5, 6], shape=[2, 3])), [[1, 2, 3], [4, 5, 6]]
    )
    assert cg.constant([1, 2, 3, 4, 5, 6], shape=[2, 3]).dtype == np.int64
    np.testing.assert_array_equal(_np(cg.constant([7], shape=(2, 2))), np.full((2, 2), 7))
    np.testing.assert_array_equal(_np(cg.constant([[1.0, 2.0]], shape=[2])), [1.0, 2.0])
    assert cg.constant(3.0, shape=[]).shape == ()
    assert cg.constant(True, shape=[3]).dtype == np.bool_
    assert cg.constant(np.float32(2), shape=cg.tensor([2, 1])).dtype == np.float32
    c = cg.constant(X, cg.float32, [3, 2], "c")
    assert c.shape == (3, 2) and c.dtype == np.float32 and c.name == "c"
    assert not c.requires_grad
    assert (
        cg.constant(1.0, None, "older").name == "older"
    )  # compgraph's constant(data, dtype, name)


def test_constant_shape_errors():
    with pytest.raises(
        ValueError,
        match=r"constant: the value of shape \(2,\) has 2 elements, but shape \(3,\) has 3",
    ):
        cg.constant([1, 2], shape=[3])
    with pytest.raises(TypeError):  # TensorFlow's eager tf.constant raises TypeError
        cg.constant(np.ones((2, 2)), shape=(3, 3))
    with pytest.raises(ValueError, match="constant: shape must be non-negative ints"):
        cg.constant(1.0, shape=[-1, 2])
    with pytest.raises(TypeError, match="constant: shape must be a sequence of ints"):
        cg.constant(1.0, shape=[None, 2])


def test_constant_matches_tensorflow():
    tf = pytest.importorskip("tensorflow")
    for value, shape in ((-1.0, [2, 3]), ([1, 2, 3, 4, 5, 6], [3, 2]), ([5], [2, 2])):
        np.testing.assert_array_equal(
            _np(cg.constant(value, shape=shape)), tf.constant(value, shape=shape).numpy()
        )
    with pytest.raises(TypeError):
        tf.constant([1, 2], shape=[3])


# --------------------------------------------------------------------------- default dtype
def test_python_floats_follow_the_default_dtype(default_dtype):
    assert cg.tensor(1.0).dtype == np.float64 and cg.constant([1.0]).dtype == np.float64
    default_dtype(cg.float32)
    assert cg.tensor(1.0).dtype == np.float32
    assert cg.tensor([1.0, 2.0]).dtype == np.float32
    assert cg.tensor([[1, 2.5], (3, 4)]).dtype == np.float32
    assert cg.constant([1.0, 2.0]).dtype == np.float32
    assert cg.constant(0.5, shape=[2, 2]).dtype == np.float32
    assert cg.tensor(2, requires_grad=True).dtype == np.float32  # micrograd's Value(2)
    # ints, complex, ndarrays, NumPy scalars, Tensors and explicit dtypes keep theirs
    assert cg.tensor([1, 2]).dtype == np.int64
    assert cg.tensor(1 + 2j).dtype == np.complex128
    assert cg.tensor(np.array([1.0])).dtype == np.float64
    assert cg.tensor(np.float64(1.0)).dtype == np.float64
    assert cg.tensor([np.float64(1.0), 2.0]).dtype == np.float64
    assert cg.tensor(cg.tensor(np.ones(2))).dtype == np.float64
    assert cg.tensor([1.0], dtype=cg.float64).dtype == np.float64
    assert cg.constant([1.0], dtype="float16").dtype == np.float16
    default_dtype(cg.float16)
    assert cg.tensor([0.1]).dtype == np.float16
    np.testing.assert_array_equal(_np(cg.tensor([0.1])), np.array([0.1], np.float16))
    default_dtype(None)
    assert cg.tensor([1.0]).dtype == np.float64 and cg.constant(1.0).dtype == np.float64


def test_split_with_tfs_keyword_takes_sizes():
    x = cg.tensor(np.arange(12.0).reshape(2, 6), requires_grad=True)
    parts = cg.split(x, num_or_size_splits=[1, -1, 2], axis=1)
    assert [p.shape for p in parts] == [(2, 1), (2, 3), (2, 2)]
    np.testing.assert_array_equal(parts[1].numpy(), x.numpy()[:, 1:4])
    cg.sum(parts[1] * parts[1]).backward()
    want = np.zeros((2, 6))
    want[:, 1:4] = 2 * x.numpy()[:, 1:4]
    np.testing.assert_allclose(x.grad.numpy(), want)
    # an int: equal parts, as NumPy; a positional list keeps NumPy's cut points
    assert [p.shape for p in cg.split(x, num_or_size_splits=3, axis=1)] == [(2, 2)] * 3
    assert [p.shape for p in cg.split(x, [1, 4], axis=1)] == [(2, 1), (2, 3), (2, 2)]
    with pytest.raises(ValueError, match="add up"):
        cg.split(x, num_or_size_splits=[1, 2], axis=1)
    with pytest.raises(TypeError, match="not both"):
        cg.split(x, 2, num_or_size_splits=[3, 3], axis=1)


def test_one_argument_where_says_what_to_call():
    c = cg.tensor([[True, False], [False, True]])
    with pytest.raises(TypeError, match="argwhere"):
        cg.where(c)
    np.testing.assert_array_equal(cg.argwhere(c).numpy(), [[0, 0], [1, 1]])  # TF's
    rows, cols = cg.nonzero(c)  # NumPy's and torch's
    np.testing.assert_array_equal(rows.numpy(), [0, 1])
    np.testing.assert_array_equal(cols.numpy(), [0, 1])
