"""TensorFlow's top-level array and control names in cg (unique_with_counts,
dynamic_partition, dynamic_stitch, reverse_sequence, tensor_scatter_nd_max/min,
saturate_cast, slice, unravel_index, ensure_shape, shape_n, case, switch_case ...):
TensorFlow's documented examples, float64 gradients, errors, tracing."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg

RNG = np.random.default_rng(1620)


def test_unique_with_counts_first_appearance_order():
    # TensorFlow's example
    y, idx, count = cg.unique_with_counts(np.array([1, 1, 2, 4, 4, 4, 7, 8, 8]))
    np.testing.assert_array_equal(y.numpy(), [1, 2, 4, 7, 8])
    np.testing.assert_array_equal(idx.numpy(), [0, 0, 1, 2, 2, 2, 3, 4, 4])
    np.testing.assert_array_equal(count.numpy(), [2, 1, 3, 1, 2])
    y, idx, count = cg.unique_with_counts(np.array([3.0, 1.0, 3.0, 2.0]), out_idx=cg.int64)
    np.testing.assert_array_equal(y.numpy(), [3.0, 1.0, 2.0])  # not sorted
    np.testing.assert_array_equal(idx.numpy(), [0, 1, 0, 2])
    assert idx.dtype == count.dtype == np.int64
    with pytest.raises(ValueError, match=r"unique_with_counts: x must be 1-D"):
        cg.unique_with_counts(np.ones((2, 2)))


def test_dynamic_partition_and_stitch():
    # TensorFlow's examples
    parts = cg.dynamic_partition(np.array([10.0, 20, 30, 40, 50]), [0, 0, 1, 1, 0], 2)
    np.testing.assert_array_equal(parts[0].numpy(), [10, 20, 50])
    np.testing.assert_array_equal(parts[1].numpy(), [30, 40])
    parts = cg.dynamic_partition(np.array([10.0, 20, 30, 40, 50]), [1, 1, 0, 0, 1], 3)
    assert [p.shape for p in parts] == [(2,), (3,), (0,)]
    data = np.arange(12.0).reshape(2, 3, 2)
    p2 = cg.dynamic_partition(data, [[0, 1, 0], [1, 1, 0]], 2)
    np.testing.assert_array_equal(p2[1].numpy(), data.reshape(6, 2)[[1, 3, 4]])
    indices = [[6], [4, 1], [[5, 2], [0, 3]]]
    values = [
        [[61.0, 62.0]],
        [[41.0, 42.0], [11.0, 12.0]],
        [[[51.0, 52.0], [21.0, 22.0]], [[1.0, 2.0], [31.0, 32.0]]],
    ]
    merged = cg.dynamic_stitch(indices, values).numpy()
    np.testing.assert_array_equal(
        merged, [[1, 2], [11, 12], [21, 22], [31, 32], [41, 42], [51, 52], [61, 62]]
    )
    # partition then stitch is the identity (TensorFlow's documented round trip)
    x = RNG.standard_normal(6)
    part = np.array([0, 1, 1, 0, 2, 1])
    pieces = cg.dynamic_partition(x, part, 3)
    conds = cg.dynamic_partition(np.arange(6), part, 3)
    np.testing.assert_array_equal(cg.dynamic_stitch(conds, pieces).numpy(), x)
    # repeated index: the last wins, and only it gets the gradient
    np.testing.assert_array_equal(
        cg.dynamic_stitch([[0, 1], [1]], [[1.0, 2.0], [3.0]]).numpy(), [1.0, 3.0]
    )
    assert cg.gradcheck(lambda a, b: cg.dynamic_stitch([[0, 2], [1, 2]], [a, b]), x[:2], x[2:4])
    assert cg.gradcheck(lambda a: cg.dynamic_partition(a, part, 3)[1], x)
    with pytest.raises(ValueError, match=r"dynamic_partition: partitions must be in \[0, 2\)"):
        cg.dynamic_partition(x, [0, 1, 2, 0, 0, 0], 2)


def test_reverse_sequence():
    x = np.arange(12.0).reshape(3, 4)
    got = cg.reverse_sequence(x, [2, 4, 0], seq_axis=1).numpy()
    np.testing.assert_array_equal(got, [[1, 0, 2, 3], [7, 6, 5, 4], [8, 9, 10, 11]])
    # batch axis after the sequence axis
    y = RNG.standard_normal((4, 2, 3))
    got = cg.reverse_sequence(y, [3, 1, 4], seq_axis=0, batch_axis=2).numpy()
    want = y.copy()
    for b, n in enumerate([3, 1, 4]):
        want[:n, :, b] = y[:n, :, b][::-1]
    np.testing.assert_array_equal(got, want)
    assert cg.gradcheck(
        lambda t: cg.reverse_sequence(t, [2, 3], seq_axis=1) * np.arange(3.0),
        RNG.standard_normal((2, 3)),
    )
    with pytest.raises(ValueError, match=r"reverse_sequence: seq_lengths must be in \[0, 4\]"):
        cg.reverse_sequence(x, [5, 1, 1], seq_axis=1)
    with pytest.raises(ValueError, match="reverse_sequence: seq_axis and batch_axis must differ"):
        cg.reverse_sequence(x, [1, 1, 1], seq_axis=0)


def test_tensor_scatter_nd_max_min():
    t = np.array([0.0, 5.0, 0.0, 1.0])
    got = cg.tensor_scatter_nd_max(t, [[0], [0], [1], [3]], np.array([2.0, 3.0, 1.0, 1.0]))
    np.testing.assert_array_equal(got.numpy(), [3.0, 5.0, 0.0, 1.0])
    got = cg.tensor_scatter_nd_min(t, [[0], [1]], np.array([-2.0, 3.0]))
    np.testing.assert_array_equal(got.numpy(), [-2.0, 3.0, 0.0, 1.0])
    m = np.zeros((3, 2))
    np.testing.assert_array_equal(
        cg.tensor_scatter_nd_max(m, [[1]], np.array([[4.0, -4.0]])).numpy(),
        [[0, 0], [4, 0], [0, 0]],
    )
    # gradient divided among ties (tensor entry and updates), as TensorFlow's
    a = cg.tensor(t, requires_grad=True)
    b = cg.tensor([2.0, 3.0, 1.0, 1.0], dtype=cg.float64, requires_grad=True)
    with cg.GradientTape() as tape:
        out = cg.tensor_scatter_nd_max(a, [[0], [0], [1], [3]], b)
    ga, gb = tape.gradient(out, [a, b])
    np.testing.assert_array_equal(ga.numpy(), [0.0, 1.0, 1.0, 0.5])
    np.testing.assert_array_equal(gb.numpy(), [0.0, 1.0, 0.0, 0.5])
    assert cg.gradcheck(
        lambda x, u: cg.tensor_scatter_nd_min(x, [[2], [0]], u),
        RNG.standard_normal(3),
        RNG.standard_normal(2),
    )


def test_saturate_cast_slice_unravel():
    np.testing.assert_array_equal(
        cg.saturate_cast(np.array([-1e10, 3.7, 300.0]), cg.uint8).numpy(), [0, 3, 255]
    )
    big = cg.saturate_cast(np.array([1e30, -1e30]), cg.int64).numpy()
    assert big[0] > 0 and big[1] == np.iinfo(np.int64).min
    np.testing.assert_array_equal(cg.saturate_cast(np.array([-5, 300]), cg.uint8).numpy(), [0, 255])
    assert cg.saturate_cast(np.array([1e300]), cg.float32).numpy()[0] == np.finfo(np.float32).max
    t = cg.tensor([-1.0, 0.5, 2.0], dtype=cg.float64, requires_grad=True)
    cg.sum(cg.saturate_cast(t * 100, cg.float16)).backward()  # clipping passes the gradient inside
    np.testing.assert_array_equal(t.grad.numpy(), [100.0, 100.0, 100.0])
    x = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(cg.slice(x, [1, 0, 0], [1, 1, 3]).numpy(), x[1:2, 0:1, 0:3])
    np.testing.assert_array_equal(cg.slice(x, [0, 1, 2], [-1, -1, 2]).numpy(), x[:, 1:, 2:4])
    assert "slice" not in cg.__all__ and cg.math.slice is cg.slice
    with pytest.raises(ValueError, match="slice: begin 3 and size 1 exceed axis 0 of length 2"):
        cg.slice(x, [3, 0, 0], [1, 1, 1])
    np.testing.assert_array_equal(
        cg.unravel_index([1, 5, 4], [3, 3]).numpy(), [[0, 1, 1], [1, 2, 1]]
    )
    with pytest.raises(ValueError, match=r"unravel_index: indices must be in \[0, 9\)"):
        cg.unravel_index([9], [3, 3])


def test_small_helpers():
    x = np.ones((2, 3))
    assert cg.ensure_shape(x, (2, None)).shape == (2, 3)
    with pytest.raises(
        ValueError,
        match=r"ensure_shape: shape of tensor \(2, 3\) is not compatible with expected shape \(3, 3\)",
    ):
        cg.ensure_shape(x, (3, 3))
    s = cg.shape_n([x, np.ones(4)])
    np.testing.assert_array_equal(s[0].numpy(), [2, 3])
    assert s[1].dtype == np.int32
    a, b = cg.identity_n([x, 2.0])
    assert float(b) == 2.0 and a.shape == (2, 3)
    assert cg.parallel_stack([np.ones(2), np.zeros(2)]).shape == (2, 2)
    np.testing.assert_array_equal(
        cg.vectorized_map(lambda r: r * 2, np.arange(3.0)).numpy(), [0.0, 2.0, 4.0]
    )
    np.testing.assert_array_equal(cg.get_static_value(cg.constant([1, 2])), [1, 2])
    seen = []
    cg.function(lambda v: seen.append(cg.get_static_value(v)) or v)(np.ones(2))
    assert seen == [None]
    assert cg.broadcast_static_shape((2, 1), (3,)) == (2, 3)
    np.testing.assert_array_equal(cg.broadcast_dynamic_shape([2, 1], [3]).numpy(), [2, 3])
    with pytest.raises(ValueError, match="broadcast_static_shape: incompatible shapes"):
        cg.broadcast_static_shape((2,), (3,))
    assert cg.no_op() is None and cg.group(x) is None


def test_case_and_switch_case():
    x, y = cg.constant(1.0), cg.constant(2.0)
    # TensorFlow's examples
    assert (
        int(cg.case([(cg.less(x, y), lambda: cg.constant(17))], default=lambda: cg.constant(23)))
        == 17
    )
    r = cg.case(
        [(cg.less(y, x), lambda: cg.constant(17)), (cg.greater(x, y), lambda: cg.constant(23))],
        default=lambda: cg.constant(-1),
    )
    assert int(r) == -1
    assert cg.case([(x < y, lambda: [5])]) == 5  # singleton unpacked unless strict
    assert cg.case([(x < y, lambda: [5])], strict=True) == [5]
    with pytest.raises(
        ValueError, match="case: exclusive=True but more than one predicate is true"
    ):
        cg.case([(x < y, lambda: 1), (x < 3, lambda: 2)], exclusive=True)
    with pytest.raises(ValueError, match="case: none of the predicates is true and no default"):
        cg.case([(x > y, lambda: 1)])
    calls = []
    cg.case([(x < y, lambda: calls.append(1)), (x < y, lambda: calls.append(2))])
    assert calls == [1]
    branches = [lambda: "a", lambda: "b", lambda: "c"]
    assert cg.switch_case(cg.constant(1), branches) == "b"
    assert cg.switch_case(7, branches) == "c"  # out of range, no default: the last branch
    assert cg.switch_case(-1, branches, default=lambda: "d") == "d"
    assert cg.switch_case(0, {1: lambda: "one", 0: lambda: "zero"}) == "zero"
    with pytest.raises(
        ValueError, match=r"switch_case: branch indices must be 0 .. n-1, got \[0, 2\]"
    ):
        cg.switch_case(0, {0: lambda: 1, 2: lambda: 2})


def test_case_and_switch_case_traced():
    f = cg.function(lambda i, v: cg.switch_case(i, [lambda: v, lambda: v * 2, lambda: v * 3]))
    np.testing.assert_array_equal(f(np.int64(1), np.ones(2)).numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(f(np.int64(9), np.ones(2)).numpy(), [3.0, 3.0])
    g = cg.function(
        lambda v: cg.case(
            [(cg.sum(v) > 10, lambda: v * 0), (cg.sum(v) > 0, lambda: v * 2)], default=lambda: -v
        )
    )
    np.testing.assert_array_equal(g(np.ones(2)).numpy(), [2.0, 2.0])
    np.testing.assert_array_equal(g(np.full(2, 20.0)).numpy(), [0.0, 0.0])
    np.testing.assert_array_equal(g(-np.ones(2)).numpy(), [1.0, 1.0])


def test_against_tensorflow():
    tf = pytest.importorskip("tensorflow")
    v = np.array([3, 1, 3, 2, 1])
    ours, theirs = cg.unique_with_counts(v), tf.unique_with_counts(v)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(
        cg.reverse_sequence(x, [2, 4, 0], seq_axis=1).numpy(),
        tf.reverse_sequence(x, [2, 4, 0], seq_axis=1, batch_axis=0).numpy(),
    )
    w = np.array([-1e10, 3.7, 300.0])
    np.testing.assert_array_equal(
        cg.saturate_cast(w, cg.uint8).numpy(), tf.saturate_cast(w, tf.uint8).numpy()
    )


def test_math_identity_keeps_dtype():
    b = cg.math.identity(np.array([True, False]))
    assert b.dtype == np.bool_
    assert cg.math.identity(np.array([1, 2], np.int8)).dtype == np.int8
    t = cg.tensor([1.0, 2.0], requires_grad=True)
    out = cg.math.identity(t)
    assert out is not t
    cg.sum(out * 3).backward()
    np.testing.assert_array_equal(t.grad.numpy(), [3.0, 3.0])
