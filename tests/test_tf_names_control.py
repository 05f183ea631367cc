"""TensorFlow's control flow as cg functions (cg.cond, cg.while_loop, cg.map_fn, cg.foldl,
cg.foldr, cg.scan): TensorFlow's documented examples and semantics, gradients through
the recorded ops (float64, central differences and closed forms), structures, errors,
and what cg.function does with them (unrolls; masked while_loop; cond by where)."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import compgraph as cg

RNG = np.random.default_rng(1617)


# ------------------------------------------------------------------ map_fn
def test_map_fn_examples():
    np.testing.assert_array_equal(
        cg.map_fn(lambda t: t * t, np.array([3, 4, 5])).numpy(), [9, 16, 25]
    )
    # a structure in (fn gets the same structure), a structure out
    out = cg.map_fn(lambda t: (t[0] + t[1], {"p": t[0] * t[1]}), (np.arange(3.0), np.full(3, 2.0)))
    assert isinstance(out, tuple) and isinstance(out[1], dict)
    np.testing.assert_array_equal(out[0].numpy(), [2.0, 3.0, 4.0])
    np.testing.assert_array_equal(out[1]["p"].numpy(), [0.0, 2.0, 4.0])
    # rows of a matrix, results with an axis of their own
    m = RNG.standard_normal((4, 3))
    got = cg.map_fn(lambda r: cg.stack([cg.sum(r), cg.max(r)]), m)
    np.testing.assert_allclose(got.numpy(), np.stack([m.sum(1), m.max(1)], 1))


def test_map_fn_output_signature_and_empty():
    out = cg.map_fn(lambda t: t > 1, np.array([0.5, 2.0]), fn_output_signature=cg.bool)
    assert out.dtype == np.bool_
    out = cg.map_fn(lambda t: t * 2, np.array([1, 2]), fn_output_signature=cg.float32)
    assert out.dtype == np.float32
    assert cg.map_fn(lambda t: t, np.zeros((0, 3))).shape == (0, 3)
    spec = namedtuple("Spec", "shape dtype")((2,), np.float32)
    empty = cg.map_fn(lambda t: t, np.zeros((0, 3)), fn_output_signature=spec)
    assert empty.shape == (0, 2) and empty.dtype == np.float32
    with pytest.raises(
        ValueError, match="map_fn: fn_output_signature is one dtype but fn returned tuple"
    ):
        cg.map_fn(lambda t: (t, t), np.ones(2), fn_output_signature=cg.float64)


def test_map_fn_gradient_and_errors():
    m = RNG.standard_normal((3, 4))
    assert cg.gradcheck(lambda x: cg.map_fn(lambda r: cg.sum(r * r) * r, x), m)
    x = cg.tensor(m, requires_grad=True)
    with cg.GradientTape() as tape:
        y = cg.reduce_sum(cg.map_fn(lambda r: cg.exp(r), x))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), np.exp(m))
    with pytest.raises(
        ValueError, match=r"map_fn: .* same length along axis 0, got lengths \[2, 3\]"
    ):
        cg.map_fn(lambda t: t, (np.ones(2), np.ones(3)))
    with pytest.raises(ValueError, match="map_fn: elems must have at least one axis"):
        cg.map_fn(lambda t: t, 3.0)
    with pytest.raises(TypeError, match="map_fn: fn must be callable"):
        cg.map_fn(None, np.ones(2))
    with pytest.raises(ValueError, match="map_fn: fn returned tensor at step 1 but tuple"):
        cg.map_fn(lambda t: (t, t) if float(t) < 1 else t, np.arange(2.0))
    z = cg.tensor(m, requires_grad=True)
    assert not cg.map_fn(lambda r: r * 2, z, back_prop=False).requires_grad


# ------------------------------------------------------------------ folds and scan
def test_foldl_foldr_examples():
    elems = np.array([1, 2, 3, 4, 5, 6])
    assert int(cg.foldl(lambda a, x: a + x, elems)) == 21  # TensorFlow's example
    assert int(cg.foldr(lambda a, x: a + x, elems)) == 21
    # order: foldl from the front, foldr from the back
    np.testing.assert_array_equal(
        cg.foldl(lambda a, x: a * 10 + x, np.array([1, 2, 3])).numpy(), 123
    )
    np.testing.assert_array_equal(
        cg.foldr(lambda a, x: a * 10 + x, np.array([1, 2, 3])).numpy(), 321
    )
    got = cg.foldl(lambda a, x: a - x, np.arange(3.0), initializer=10.0)
    assert float(got) == 7.0
    # structured accumulator and elements
    acc = cg.foldl(
        lambda a, x: (a[0] + x["u"], a[1] * x["v"]),
        {"u": np.arange(4.0), "v": np.arange(1.0, 5.0)},
        initializer=(0.0, 1.0),
    )
    assert float(acc[0]) == 6.0 and float(acc[1]) == 24.0
    with pytest.raises(ValueError, match="foldl: elems is empty and no initializer"):
        cg.foldl(lambda a, x: a + x, np.zeros(0))
    assert cg.gradcheck(
        lambda e: cg.foldr(lambda a, x: a * x + 1.0, e, initializer=0.5), RNG.standard_normal(4)
    )


def test_scan_examples():
    elems = np.array([1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(cg.scan(lambda a, x: a + x, elems).numpy(), [1, 3, 6, 10, 15, 21])
    np.testing.assert_array_equal(
        cg.scan(lambda a, x: a + x, elems, reverse=True).numpy(), [21, 20, 18, 15, 11, 6]
    )
    # TensorFlow's example: structured accumulator with an initializer (Fibonacci)
    initializer = (np.array(0), np.array(1))
    fib = cg.scan(lambda a, _: (a[1], a[0] + a[1]), elems, initializer)
    np.testing.assert_array_equal(fib[0].numpy(), [1, 1, 2, 3, 5, 8])
    np.testing.assert_array_equal(fib[1].numpy(), [1, 2, 3, 5, 8, 13])
    # multiple elems
    out = cg.scan(lambda a, x: a + x[0] * x[1], (np.arange(3.0), np.arange(3.0)), initializer=0.0)
    np.testing.assert_array_equal(out.numpy(), [0.0, 1.0, 5.0])
    assert cg.scan(lambda a, x: a + x, np.zeros((0, 2)), initializer=np.zeros(2)).shape == (0, 2)


def test_scan_gradient_is_cumulative():
    x = RNG.standard_normal(5)
    assert cg.gradcheck(lambda e: cg.scan(lambda a, v: a * cg.tanh(v) + v, e), x)
    assert cg.gradcheck(lambda e: cg.scan(lambda a, v: a * v, e, initializer=1.5, reverse=True), x)
    t = cg.tensor(x, requires_grad=True)
    cg.sum(cg.scan(lambda a, v: a + v, t)).backward()
    np.testing.assert_allclose(t.grad.numpy(), [5, 4, 3, 2, 1])  # d sum(cumsum) / dx_i


# ------------------------------------------------------------------ cond and while_loop
def test_cond_eager():
    x, y = cg.constant(2.0), cg.constant(5.0)
    assert float(cg.cond(x < y, lambda: cg.add(x, 1.0), lambda: cg.square(y))) == 3.0
    assert float(cg.cond(x > y, lambda: cg.add(x, 1.0), lambda: cg.square(y))) == 25.0
    calls = []
    cg.cond(True, lambda: calls.append("t"), lambda: calls.append("f"))
    assert calls == ["t"]  # only the branch taken runs
    w = cg.tensor(3.0, requires_grad=True)
    with cg.GradientTape() as tape:
        out = cg.cond(w > 0, lambda: w * w, lambda: -w)
    assert float(tape.gradient(out, w)) == 6.0
    with pytest.raises(ValueError, match=r"cond: pred must be a scalar, got shape \(2,\)"):
        cg.cond(np.array([True, False]), lambda: 1, lambda: 2)
    with pytest.raises(TypeError, match="cond: false_fn must be callable"):
        cg.cond(True, lambda: 1)


def test_cond_traced_selects_with_where():
    @cg.function
    def f(x):
        return cg.cond(cg.sum(x) > 0, lambda: (x * 2, x), lambda: (-x, x * 0))

    a, b = f(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(a.numpy(), [2.0, 4.0])
    a, b = f(np.array([-1.0, -2.0]))
    np.testing.assert_array_equal(a.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(b.numpy(), [0.0, 0.0])
    g = cg.function(cg.grad(lambda x: cg.sum(cg.cond(cg.sum(x) > 0, lambda: x * x, lambda: -x))))
    np.testing.assert_array_equal(g(np.array([1.0, 3.0])).numpy(), [2.0, 6.0])
    np.testing.assert_array_equal(g(np.array([-1.0, -3.0])).numpy(), [-1.0, -1.0])
    with pytest.raises(
        ValueError, match="cond: true_fn and false_fn must return the same structure"
    ):
        cg.function(lambda x: cg.cond(cg.sum(x) > 0, lambda: (x, x), lambda: x))(np.ones(2))


def test_while_loop_examples():
    # TensorFlow's examples
    i = cg.constant(0)
    r = cg.while_loop(lambda i: cg.less(i, 10), lambda i: (cg.add(i, 1),), [i])
    assert isinstance(r, list) and int(r[0]) == 10
    Pair = namedtuple("Pair", "j k")
    ijk = (cg.constant(0), Pair(cg.constant(1), cg.constant(2)))
    out = cg.while_loop(lambda i, p: i < 10, lambda i, p: (i + 1, Pair(p.j + p.k, p.j - p.k)), ijk)
    assert isinstance(out, tuple) and isinstance(out[1], Pair) and int(out[0]) == 10
    j, k = 1, 2
    for _ in range(10):
        j, k = j + k, j - k
    assert (int(out[1].j), int(out[1].k)) == (j, k)
    # maximum_iterations, a bare tensor for one variable, numbers become tensors
    assert int(cg.while_loop(lambda v: v < 100, lambda v: v + 1, [0], maximum_iterations=7)[0]) == 7
    assert int(cg.while_loop(lambda v: v < 5, lambda v: v + 1, cg.constant(0))) == 5
    assert isinstance(cg.while_loop(lambda v: v < 1, lambda v: v + 1, [0])[0], cg.Tensor)


def test_while_loop_gradient():
    # y = x ** (2 ** 3) by squaring three times: dy/dx = 8 x ** 7
    x = cg.tensor(1.1, dtype=cg.float64, requires_grad=True)
    with cg.GradientTape() as tape:
        _, y = cg.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * y), [0, x])
    np.testing.assert_allclose(float(tape.gradient(y, x)), 8 * 1.1**7)
    # a data-dependent number of iterations (Newton's square root), checked numerically
    assert cg.gradcheck(
        lambda a: cg.while_loop(
            lambda i, s: i < 6, lambda i, s: (i + 1, 0.5 * (s + a / s)), [0, a]
        )[1],
        np.array([2.0, 9.0]),
    )


def test_while_loop_errors():
    with pytest.raises(
        ValueError, match=r"while_loop: body must return the structure of loop_vars"
    ):
        cg.while_loop(lambda a, b: a < 3, lambda a, b: a + 1, [0, 1])
    with pytest.raises(
        ValueError, match=r"while_loop: cond's result must be a scalar boolean, got shape \(2,\)"
    ):
        cg.while_loop(lambda v: v < 3, lambda v: v + 1, [np.zeros(2)])
    with pytest.raises(ValueError, match="while_loop: loop_vars must not be empty"):
        cg.while_loop(lambda: True, lambda: (), [])
    with pytest.raises(TypeError, match="while_loop: body must be callable"):
        cg.while_loop(lambda v: v < 3, 3, [0])


def test_while_loop_traced():
    # a Python counter: unrolled
    @cg.function
    def power(x):
        return cg.while_loop(lambda i, y: i < 3, lambda i, y: (i + 1, y * x), [0, x])[1]

    np.testing.assert_allclose(power(np.array([2.0, 3.0])).numpy(), [16.0, 81.0])
    # a traced condition: masked unrolling up to maximum_iterations
    doubling = cg.function(
        lambda x: cg.while_loop(
            lambda v: cg.sum(v) < 100, lambda v: v * 2, [x], maximum_iterations=10
        )[0]
    )
    np.testing.assert_array_equal(doubling(np.array([1.0, 2.0])).numpy(), [64.0, 128.0])
    np.testing.assert_array_equal(doubling(np.array([60.0, 50.0])).numpy(), [60.0, 50.0])
    grad = cg.function(
        cg.grad(
            lambda x: cg.sum(
                cg.while_loop(
                    lambda v: cg.sum(v) < 100, lambda v: v * 2, [x], maximum_iterations=10
                )[0]
            )
        )
    )
    np.testing.assert_array_equal(grad(np.array([1.0, 2.0])).numpy(), [64.0, 64.0])
    with pytest.raises(
        TypeError, match="while_loop: cond returned a traced value .* maximum_iterations="
    ):
        cg.function(lambda x: cg.while_loop(lambda v: cg.sum(v) < 100, lambda v: v * 2, [x]))(
            np.ones(2)
        )


def test_map_fn_and_scan_traced():
    f = cg.function(
        lambda m: (cg.map_fn(lambda r: cg.sum(r * r), m), cg.scan(lambda a, r: a + r, m))
    )
    m = RNG.standard_normal((3, 2))
    a, b = f(m)
    np.testing.assert_allclose(a.numpy(), (m * m).sum(1))
    np.testing.assert_allclose(b.numpy(), np.cumsum(m, 0))


def test_against_tensorflow():
    tf = pytest.importorskip("tensorflow")
    elems = np.arange(1.0, 6.0)
    for ours, theirs in [(cg.scan, tf.scan), (cg.foldl, tf.foldl), (cg.foldr, tf.foldr)]:
        np.testing.assert_allclose(
            ours(lambda a, x: a * 0.5 + x, elems).numpy(),
            theirs(lambda a, x: a * 0.5 + x, elems).numpy(),
        )
    np.testing.assert_allclose(
        cg.scan(lambda a, x: a - x, elems, reverse=True).numpy(),
        tf.scan(lambda a, x: a - x, elems, reverse=True).numpy(),
    )
    r = tf.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * 1.5), [0, 1.0])
    ours = cg.while_loop(lambda i, s: i < 4, lambda i, s: (i + 1, s * 1.5), [0, 1.0])
    assert float(ours[1]) == float(r[1])
