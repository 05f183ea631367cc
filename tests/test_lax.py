"""cg.lax against jax.lax: values in float64, gradients (cg.grad against jax.grad) through
control flow, indexing, dot_general and convolutions, and errors."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph import lax
from compgraph.autodiff.tree import flatten

RNG = np.random.default_rng(0)


@pytest.fixture(scope="module")
def jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


@pytest.fixture(scope="module")
def jl(jax):
    return jax.lax


def _leaves(tree):
    return [np.asarray(v) for v in flatten(tree)[0]]


def same(got, want, tol=1e-10, dtype=True):
    import jax

    g = _leaves(got)
    w = [np.asarray(v) for v in jax.tree_util.tree_leaves(want)]
    assert len(g) == len(w), (got, want)
    for a, b in zip(g, w, strict=True):
        assert a.shape == b.shape, (a.shape, b.shape)
        if dtype:
            assert a.dtype == b.dtype, (a.dtype, b.dtype)
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def grads(jax, fn_cg, fn_jax, *args, argnums=0, tol=1e-8):
    """cg.grad of fn_cg against jax.grad of fn_jax (scalar functions)."""
    g = cg.grad(fn_cg, argnums=argnums)(*[cg.asarray(a) for a in args])
    w = jax.jit(jax.grad(fn_jax, argnums=argnums))(*args)  # (one compile, not one per op)
    same(g, w, tol, dtype=False)


def test_same_objects_as_compgraph():
    assert lax.sin is cg.sin and lax.exp is cg.exp and lax.atan2 is cg.arctan2
    assert lax.max is cg.maximum and lax.logistic is cg.sigmoid
    assert set(lax.__all__) <= set(dir(lax))
    assert cg.lax is lax


# ----------------------------------------------------------------- elementwise
X = RNG.uniform(0.1, 0.9, size=(3, 4))
Y = RNG.uniform(0.5, 2.0, size=(3, 4))
UNARY = ["abs", "neg", "sign", "floor", "ceil", "exp", "exp2", "log", "log1p", "expm1", "sqrt",
         "rsqrt", "cbrt", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh",
         "asinh", "atanh", "logistic", "erf", "erfc", "erf_inv", "lgamma", "digamma",
         "bessel_i0e", "bessel_i1e", "is_finite", "square", "reciprocal"]  # fmt: skip
BINARY = ["add", "sub", "mul", "div", "rem", "pow", "atan2", "max", "min", "nextafter", "igamma",
          "igammac", "eq", "ne", "lt", "le", "gt", "ge", "zeta"]  # fmt: skip


@pytest.mark.parametrize("name", UNARY)
def test_unary(jl, name):
    same(getattr(lax, name)(X), getattr(jl, name)(X), 1e-9)


@pytest.mark.parametrize("name", BINARY)
def test_binary(jl, name):
    a, b = (Y + 1, X) if name == "zeta" else (X, Y)
    same(getattr(lax, name)(a, b), getattr(jl, name)(a, b), 1e-9)


@pytest.mark.parametrize("name", ["sin", "exp", "sqrt", "tanh", "logistic", "erf", "rsqrt",
                                  "lgamma", "digamma", "atanh", "erf_inv", "cbrt"])  # fmt: skip
def test_unary_grad(jax, name):
    grads(
        jax, lambda x: cg.sum(getattr(lax, name)(x)), lambda x: getattr(jax.lax, name)(x).sum(), X
    )


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow", "atan2", "max", "min", "rem"])
def test_binary_grad(jax, name):
    grads(jax, lambda x, y: cg.sum(getattr(lax, name)(x, y)),
          lambda x, y: getattr(jax.lax, name)(x, y).sum(), X, Y, argnums=(0, 1))  # fmt: skip


def test_special_functions(jl):
    a, b, x = Y, Y + 0.5, X
    same(lax.betainc(a, b, x), jl.betainc(a, b, x), 1e-8)
    same(lax.polygamma(np.full_like(Y, 2.0), Y), jl.polygamma(np.full_like(Y, 2.0), Y), 1e-8)
    same(lax.integer_pow(X, 3), jl.integer_pow(X, 3))
    same(lax.integer_pow(Y, -2), jl.integer_pow(Y, -2))
    same(lax.integer_pow(Y, 0), jl.integer_pow(Y, 0))
    with pytest.raises(TypeError, match="integer_pow"):
        lax.integer_pow(X, 2.5)


def test_integer_division_and_rounding(jl):
    a = np.array([7, -7, 7, -7, 0], np.int64)
    b = np.array([2, 2, -2, -2, 3], np.int64)
    same(lax.div(a, b), jl.div(a, b))
    same(lax.rem(a, b), jl.rem(a, b))
    v = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.3, -0.7, 0.49999999999999994, -4.5e15 - 0.5])
    same(lax.round(v), jl.round(v))
    same(
        lax.round(v, lax.RoundingMethod.TO_NEAREST_EVEN),
        jl.round(v, jl.RoundingMethod.TO_NEAREST_EVEN),
    )
    same(lax.round(v, 1), jl.round(v, 1))
    same(lax.clamp(0.2, X, 0.6), jl.clamp(0.2, X, 0.6))


def test_clamp_grad(jax):
    grads(
        jax,
        lambda x: cg.sum(lax.clamp(0.2, x, 0.6) ** 2),
        lambda x: (jax.lax.clamp(0.2, x, 0.6) ** 2).sum(),
        X,
    )


def test_complex_parts(jl):
    z = X + 1j * Y
    same(lax.conj(z), jl.conj(z))
    same(lax.conj(X), jl.conj(X))
    same(lax.real(z), jl.real(z))
    same(lax.imag(z), jl.imag(z))
    same(lax.complex(X, Y), jl.complex(X, Y))


def test_bit_functions(jl):
    a = np.array([0, 1, -1, 5, -8, 2**31 - 1, -(2**31)], np.int32)
    s = np.array([0, 1, 31, 32, 3, 4, 40], np.int32)
    for name in ["shift_left", "shift_right_arithmetic", "shift_right_logical"]:
        same(getattr(lax, name)(a, s), getattr(jl, name)(a, s))
    for name in ["population_count", "clz"]:
        same(getattr(lax, name)(a), getattr(jl, name)(a))
    u = np.array([0, 1, 255, 17], np.uint8)
    same(lax.clz(u), jl.clz(u))
    for name in ["bitwise_and", "bitwise_or", "bitwise_xor"]:
        same(getattr(lax, name)(a, s), getattr(jl, name)(a, s))
    same(lax.bitwise_not(a), jl.bitwise_not(a))
    with pytest.raises(TypeError, match="population_count"):
        lax.population_count(X)


def test_convert_and_bitcast(jl):
    v = np.array([-2.7, -0.5, 0.5, 3.9])
    same(lax.convert_element_type(v, np.int32), jl.convert_element_type(v, np.int32))
    same(lax.convert_element_type(v, np.float32), jl.convert_element_type(v, np.float32))
    f = np.array([1.0, -2.5, 3.25], np.float32)
    same(lax.bitcast_convert_type(f, np.int32), jl.bitcast_convert_type(f, np.int32))
    same(lax.bitcast_convert_type(f, np.uint8), jl.bitcast_convert_type(f, np.uint8))
    pairs = np.arange(6, dtype=np.int32).reshape(3, 2)
    same(lax.bitcast_convert_type(pairs, np.int64), jl.bitcast_convert_type(pairs, np.int64))
    with pytest.raises(ValueError, match="bitcast_convert_type"):
        lax.bitcast_convert_type(np.arange(3, dtype=np.int32), np.int64)


def test_convert_grad(jax):
    grads(jax, lambda x: cg.sum(lax.convert_element_type(x, np.float32) * 1.0),
          lambda x: (jax.lax.convert_element_type(x, np.float32) * 1.0).sum(), X, tol=1e-6)  # fmt: skip


@pytest.mark.filterwarnings(
    "ignore:overflow encountered in cast:RuntimeWarning"
)  # (1e300 to float32)
@pytest.mark.parametrize("bits", [(8, 7), (5, 10), (8, 23), (4, 3), (11, 52), (5, 2), (11, 4)])
def test_reduce_precision(jl, bits):
    v = np.concatenate([RNG.normal(size=50) * 10.0 ** RNG.integers(-8, 8, size=50),
                        [0.0, -0.0, np.inf, -np.inf, np.nan, 1e300, 1e-300, 65504.0, 70000.0]])  # fmt: skip
    same(lax.reduce_precision(v, *bits), jl.reduce_precision(v, *bits), 0)
    v32 = v.astype(np.float32)
    if bits[0] <= 8 and bits[1] <= 23:
        same(lax.reduce_precision(v32, *bits), jl.reduce_precision(v32, *bits), 0)


def test_reduce_precision_gradient_is_identity():
    x = cg.tensor(np.array([1.1, 2.3, 1e6]), requires_grad=True)
    g = cg.grad(lambda x: cg.sum(lax.reduce_precision(x, 5, 10) * x))(x)
    np.testing.assert_allclose(
        np.asarray(g), np.asarray(lax.reduce_precision(x, 5, 10)) + np.asarray(x)
    )


# ----------------------------------------------------------------- control flow
def test_fori_loop_and_grad(jax, jl):
    def body(i, v):
        return v * 1.5 + cg.sin(v) * i

    def jbody(i, v):
        return v * 1.5 + jax.numpy.sin(v) * i

    same(lax.fori_loop(0, 4, body, cg.asarray(X)), jl.fori_loop(0, 4, jbody, X))
    grads(
        jax,
        lambda x: cg.sum(lax.fori_loop(1, 4, body, x)),
        lambda x: jl.fori_loop(1, 4, jbody, x).sum(),
        X,
    )
    # a tuple carry and no iterations
    same(
        lax.fori_loop(3, 3, lambda i, c: (c[0] + 1, c[1]), (cg.asarray(1.0), cg.asarray(X))),
        (1.0, X),
    )


def test_loops_in_function(jl):
    x = RNG.normal(size=(3,))
    np.testing.assert_allclose(
        np.asarray(lax.fori_loop(0, cg.asarray(3), lambda i, v: v * 2.0, cg.asarray(x))), x * 8
    )
    g = cg.function(lambda v: lax.fori_loop(0, 3, lambda i, v: v * i + 1.0, v))
    same(g(cg.asarray(x)), jl.fori_loop(0, 3, lambda i, v: v * i + 1.0, x))
    h = cg.function(lambda v: lax.scan(lambda c, a: (c + a, c * a), v[0], v))
    same(h(cg.asarray(x)), jl.scan(lambda c, a: (c + a, c * a), x[0], x))
    s = cg.function(lambda i, v: lax.switch(i, [lambda v: v + 1, lambda v: v * 3], v))
    for i in (-1, 1, 5):
        same(s(cg.asarray(i), cg.asarray(x)), jl.switch(i, [lambda v: v + 1, lambda v: v * 3], x))
    f = cg.function(lambda v, n: lax.fori_loop(0, n, lambda i, v: v * 2.0, v))
    with pytest.raises(TypeError, match="while_loop"):
        f(cg.asarray(x), cg.asarray(3))


def test_while_loop(jax, jl):
    def cond(c):
        return c[0] < 5

    def body(c):
        return (c[0] + 1, c[1] * 1.1 + 0.5)

    same(
        lax.while_loop(cond, body, (cg.asarray(0), cg.asarray(X))),
        jl.while_loop(cond, body, (0, X)),
    )
    g = cg.grad(lambda x: cg.sum(lax.while_loop(cond, body, (cg.asarray(0), x))[1]))(cg.asarray(X))
    np.testing.assert_allclose(np.asarray(g), np.full_like(X, 1.1**5))


def test_cond_and_switch(jax, jl):
    def t(x, y):
        return x * y

    def f(x, y):
        return x - y

    for p in (True, False):
        same(lax.cond(p, t, f, X, Y), jl.cond(p, t, f, X, Y))
        grads(jax, lambda x, p=p: cg.sum(lax.cond(p, t, f, x, Y) ** 2),
              lambda x, p=p: (jl.cond(p, t, f, x, Y) ** 2).sum(), X)  # fmt: skip
    branches = [
        lambda x: x + 1,
        lambda x: x * 3,
        lambda x: cg.sin(x) if isinstance(x, cg.Tensor) else jax.numpy.sin(x),
    ]
    for i in (-2, 0, 1, 2, 7):
        same(lax.switch(i, branches, cg.asarray(X)), jl.switch(i, branches, X))
    with pytest.raises(TypeError, match="cond"):
        lax.cond(np.array([True, False]), t, f, X, Y)
    with pytest.raises(ValueError, match="switch"):
        lax.switch(0, [], X)


def test_cond_traced_in_function():
    f = cg.function(lambda p, x: lax.cond(p, lambda v: v * 2.0, lambda v: v - 1.0, x))
    np.testing.assert_allclose(np.asarray(f(cg.asarray(True), cg.asarray(X))), X * 2)
    np.testing.assert_allclose(np.asarray(f(cg.asarray(False), cg.asarray(X))), X - 1)


def test_scan_and_grad(jax, jl):
    xs = RNG.normal(size=(5, 4))

    def step(c, x):
        return c * 0.9 + x, (c * x).sum()

    def jstep(c, x):
        return c * 0.9 + x, (c * x).sum()

    for rev in (False, True):
        same(
            lax.scan(step, cg.asarray(X[0]), cg.asarray(xs), reverse=rev),
            jl.scan(jstep, X[0], xs, reverse=rev),
        )
        grads(jax, lambda c, x, rev=rev: cg.sum(lax.scan(step, c, x, reverse=rev)[1]) + cg.sum(lax.scan(step, c, x, reverse=rev)[0]),
              lambda c, x, rev=rev: jl.scan(jstep, c, x, reverse=rev)[1].sum() + jl.scan(jstep, c, x, reverse=rev)[0].sum(),
              X[0], xs, argnums=(0, 1))  # fmt: skip
    # no xs, length; structured xs; y None
    same(
        lax.scan(lambda c, _: (c + 1, c), cg.asarray(0.0), None, length=3),
        jl.scan(lambda c, _: (c + 1, c), 0.0, None, length=3),
    )
    d = {"a": xs, "b": xs[:, :2]}
    same(lax.scan(lambda c, x: (c + cg.sum(x["a"]) + cg.sum(x["b"]), None), cg.asarray(0.0), d)[0],
         jl.scan(lambda c, x: (c + x["a"].sum() + x["b"].sum(), None), 0.0, d)[0])  # fmt: skip
    with pytest.raises(ValueError, match="scan"):
        lax.scan(step, X[0], None)
    with pytest.raises(ValueError, match="scan"):
        lax.scan(step, X[0], xs, length=3)


def test_map_and_associative_scan(jax, jl):
    xs = RNG.normal(size=(4, 3))
    same(lax.map(lambda r: cg.sum(r) * r, cg.asarray(xs)), jl.map(lambda r: r.sum() * r, xs))
    for rev, axis in ((False, 0), (True, 1), (False, -1)):  # (jax's reverse refuses -1)
        if True:
            same(lax.associative_scan(cg.add, cg.asarray(xs), reverse=rev, axis=axis),
                 jl.associative_scan(jax.numpy.add, xs, reverse=rev, axis=axis))  # fmt: skip
    m = RNG.normal(size=(5, 2, 2))
    same(lax.associative_scan(cg.matmul, cg.asarray(m)), jl.associative_scan(jax.numpy.matmul, m))
    same(
        lax.associative_scan(cg.matmul, cg.asarray(m), reverse=True),
        jl.associative_scan(jax.numpy.matmul, m, reverse=True),
    )
    grads(jax, lambda x: cg.sum(lax.associative_scan(cg.multiply, x) ** 2),
          lambda x: (jl.associative_scan(jax.numpy.multiply, x) ** 2).sum(), xs)  # fmt: skip


def test_select_n_and_stop_gradient(jax, jl):
    w = np.array([0, 2, 1, 0, 2])
    c = [RNG.normal(size=5) for _ in range(3)]
    same(lax.select_n(w, *c), jl.select_n(w, *c))
    b = w > 0
    same(lax.select_n(b, c[0], c[1]), jl.select_n(b, c[0], c[1]))
    same(lax.select(b, c[0], c[1]), jl.select(b, c[0], c[1]))
    g = cg.grad(lambda x: cg.sum(lax.stop_gradient((x, x))[0] * x))(cg.asarray(X))
    np.testing.assert_allclose(np.asarray(g), X)


# ----------------------------------------------------------------- shapes
A = RNG.normal(size=(2, 3, 4))


def test_shape_functions(jl):
    same(lax.broadcast(A, (2,)), jl.broadcast(A, (2,)))
    same(
        lax.broadcast_in_dim(A[0, :, :1], (5, 3, 4), (1, 2)),
        jl.broadcast_in_dim(A[0, :, :1], (5, 3, 4), (1, 2)),
    )
    same(lax.broadcast_to_rank(A[0], 4), jl.broadcast_to_rank(A[0], 4))
    same(lax.iota(np.int32, 5), jl.iota(np.int32, 5))
    same(lax.broadcasted_iota(np.float64, (2, 3), 1), jl.broadcasted_iota(np.float64, (2, 3), 1))
    same(lax.reshape(A, (4, 6)), jl.reshape(A, (4, 6)))
    same(lax.reshape(A, (4, 6), dimensions=(2, 0, 1)), jl.reshape(A, (4, 6), dimensions=(2, 0, 1)))
    same(lax.squeeze(A[:, :1], (1,)), jl.squeeze(A[:, :1], (1,)))
    same(lax.expand_dims(A, (0, 3)), jl.expand_dims(A, (0, 3)))
    same(lax.expand_dims(A, (-1,)), jl.expand_dims(A, (-1,)))
    same(lax.transpose(A, (2, 0, 1)), jl.transpose(A, (2, 0, 1)))
    same(lax.rev(A, (0, 2)), jl.rev(A, (0, 2)))
    same(lax.concatenate([A, A * 2], 1), jl.concatenate([A, A * 2], 1))
    same(
        lax.slice(A, (0, 1, 0), (2, 3, 4), (1, 1, 2)), jl.slice(A, (0, 1, 0), (2, 3, 4), (1, 1, 2))
    )
    same(lax.slice_in_dim(A, 1, None, 1, 2), jl.slice_in_dim(A, 1, None, 1, 2))
    same(lax.slice_in_dim(A, -2, -1, 1, 1), jl.slice_in_dim(A, -2, -1, 1, 1))
    same(lax.index_in_dim(A, -1, 1, False), jl.index_in_dim(A, -1, 1, False))
    same(lax.collapse(A, 1), jl.collapse(A, 1))
    same(lax.collapse(A, 0, 2), jl.collapse(A, 0, 2))
    same(lax.split(A, (1, 3), 2), jl.split(A, (1, 3), 2))
    same(lax.tile(A, (1, 2, 1)), jl.tile(A, (1, 2, 1)))
    same(lax.full((2, 3), 1.5), jl.full((2, 3), 1.5))
    same(lax.full_like(A, 2, np.int32), jl.full_like(A, 2, np.int32))
    with pytest.raises(ValueError, match="squeeze"):
        lax.squeeze(A, (1,))
    with pytest.raises(ValueError, match="broadcast_in_dim"):
        lax.broadcast_in_dim(A[0], (3, 5), (0, 1))
    with pytest.raises(ValueError, match="slice"):
        lax.slice(A, (0, 0, 0), (3, 3, 4))
    with pytest.raises(ValueError, match="transpose"):
        lax.transpose(A, (0, 0, 1))


PADS = [
    [(1, 2, 0), (0, 0, 1), (2, 1, 2)],
    [(-1, 0, 1), (1, -2, 0), (0, -3, 1)],
    [(0, 0, 0), (-1, -1, 3), (3, -5, 0)],
]


@pytest.mark.parametrize("config", PADS)
def test_pad(jax, jl, config):
    same(lax.pad(A, -7.0, config), jl.pad(A, -7.0, config))
    same(lax.pad(A, 0.0, config), jl.pad(A, 0.0, config))
    w = RNG.normal(size=jl.pad(A, 0.0, config).shape)
    grads(jax, lambda x, v: cg.sum(lax.pad(x, v, config) * w), lambda x, v: (jl.pad(x, v, config) * w).sum(),
          A, 0.5, argnums=(0, 1))  # fmt: skip


def test_pad_errors():
    with pytest.raises(ValueError, match="pad"):
        lax.pad(A, 0.0, [(0, 0, 0)])
    with pytest.raises(ValueError, match="interior"):
        lax.pad(A, 0.0, [(0, 0, -1)] * 3)
    with pytest.raises(ValueError, match="negative size"):
        lax.pad(A, 0.0, [(-3, 0, 0), (0, 0, 0), (0, 0, 0)])


def test_dynamic_slicing(jax, jl):
    for starts in [(0, 1, 2), (1, 2, 3), (-1, 0, -2), (5, -9, 1)]:
        same(lax.dynamic_slice(A, starts, (1, 2, 2)), jl.dynamic_slice(A, starts, (1, 2, 2)))
        u = RNG.normal(size=(1, 2, 3))
        same(lax.dynamic_update_slice(A, u, starts), jl.dynamic_update_slice(A, u, starts))
    same(lax.dynamic_slice_in_dim(A, 2, 2, axis=2), jl.dynamic_slice_in_dim(A, 2, 2, axis=2))
    same(
        lax.dynamic_index_in_dim(A, 1, 1, keepdims=False),
        jl.dynamic_index_in_dim(A, 1, 1, keepdims=False),
    )
    u2 = RNG.normal(size=(2, 1, 4))
    same(lax.dynamic_update_slice_in_dim(A, u2, 5, 1), jl.dynamic_update_slice_in_dim(A, u2, 5, 1))
    same(
        lax.dynamic_update_index_in_dim(A, u2[:, 0], 1, 1),
        jl.dynamic_update_index_in_dim(A, u2[:, 0], 1, 1),
    )
    u = RNG.normal(size=(1, 2, 3))
    grads(jax, lambda x, v: cg.sum(lax.dynamic_update_slice(x, v, (1, 0, 1)) ** 2),
          lambda x, v: (jl.dynamic_update_slice(x, v, (1, 0, 1)) ** 2).sum(), A, u, argnums=(0, 1))  # fmt: skip
    grads(jax, lambda x: cg.sum(lax.dynamic_slice(x, (0, 1, 1), (2, 2, 2)) ** 3),
          lambda x: (jl.dynamic_slice(x, (0, 1, 1), (2, 2, 2)) ** 3).sum(), A)  # fmt: skip
    with pytest.raises(TypeError, match="dynamic_slice"):
        lax.dynamic_slice(A, (0, 0, 0), (3, 1, 1))


def test_dynamic_slicing_traced_indices(jl):
    f = cg.function(lambda x, i: lax.dynamic_slice(x, (i, i, i + 1), (1, 2, 2)))
    g = cg.function(lambda x, u, i: lax.dynamic_update_slice(x, u, (0, i, i)))
    u = RNG.normal(size=(2, 2, 2))
    for i in (0, 1, 3, -1):
        same(f(cg.asarray(A), cg.asarray(i)), jl.dynamic_slice(A, (i, i, i + 1), (1, 2, 2)))
        same(
            g(cg.asarray(A), cg.asarray(u), cg.asarray(i)), jl.dynamic_update_slice(A, u, (0, i, i))
        )


def test_index_take(jl):
    i0, i1 = np.array([0, 1, 1]), np.array([2, 0, 1])
    same(lax.index_take(A, (i0, i1), (0, 2)), jl.index_take(A, (i0, i1), (0, 2)))
    same(lax.index_take(A, (i1,), (1,)), jl.index_take(A, (i1,), (1,)))


def test_sort_family(jax, jl):
    k = np.array([[3, 1, 2, 1, 3], [0, 0, 1, 1, 0]], np.int64)
    v = RNG.normal(size=(2, 5))
    same(lax.sort(v), jl.sort(v))
    same(lax.sort(v, dimension=0), jl.sort(v, dimension=0))
    same(lax.sort((k, v)), jl.sort((k, v)))
    same(lax.sort((k[0], k[1], v[0]), num_keys=2), jl.sort((k[0], k[1], v[0]), num_keys=2))
    same(lax.sort_key_val(k, v), jl.sort_key_val(k, v))
    x = np.array([[1.0, 5.0, 3.0, 5.0, 2.0], [0.5, -1.0, 7.0, 2.0, 2.0]])
    same(lax.top_k(x, 3), jl.top_k(x, 3))
    same(lax.argmax(x, 1, np.int32), jl.argmax(x, 1, np.int32))
    same(lax.argmin(x, 0, np.int64), jl.argmin(x, 0, np.int64))
    grads(
        jax,
        lambda a: cg.sum(lax.sort(a) * cg.arange(5.0)),
        lambda a: (jl.sort(a) * np.arange(5.0)).sum(),
        v,
    )
    grads(
        jax, lambda a: cg.sum(lax.top_k(a, 2)[0] ** 2), lambda a: (jl.top_k(a, 2)[0] ** 2).sum(), v
    )
    with pytest.raises(ValueError, match="num_keys"):
        lax.sort((k, v), num_keys=3)


# ----------------------------------------------------------------- reductions
@pytest.mark.parametrize("name", ["cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp"])
def test_cumulative(jax, jl, name):
    for axis, reverse in ((0, False), (2, True)):
        same(getattr(lax, name)(A, axis, reverse), getattr(jl, name)(A, axis, reverse))
    same(getattr(lax, name)(A, -1), getattr(jl, name)(A, 2))  # (jax refuses negative axes)
    axis, reverse = 1, True
    w = RNG.normal(size=A.shape)
    grads(jax, lambda x: cg.sum(getattr(lax, name)(x, axis, reverse) * w),
          lambda x: (getattr(jl, name)(x, axis, reverse) * w).sum(), A)  # fmt: skip


def test_reductions(jax, jl):
    for name in ["reduce_sum", "reduce_prod", "reduce_max", "reduce_min"]:
        same(getattr(lax, name)(A, (0, 2)), getattr(jl, name)(A, (0, 2)))
        grads(jax, lambda x, n=name: cg.sum(getattr(lax, n)(x, (1,)) ** 2),
              lambda x, n=name: (getattr(jl, n)(x, (1,)) ** 2).sum(), A)  # fmt: skip
    b = RNG.integers(0, 16, size=(3, 4))
    b32 = b.astype(np.int32)
    for name in ["reduce_sum", "reduce_prod", "reduce_max", "cumsum", "cumprod"]:
        same(getattr(lax, name)(b32, (1,) if name.startswith("reduce") else 1),
             getattr(jl, name)(b32, (1,) if name.startswith("reduce") else 1))  # fmt: skip
    same(lax.reduce(b32, np.int32(0), lax.add, (0,)), jl.reduce(b32, np.int32(0), jl.add, (0,)))
    for name in ["reduce_and", "reduce_or", "reduce_xor"]:
        same(getattr(lax, name)(b, (1,)), getattr(jl, name)(b, (1,)))
        same(getattr(lax, name)(b > 5, (0,)), getattr(jl, name)(b > 5, (0,)))


def test_reduce(jax, jl):
    same(lax.reduce(A, 0.0, lax.add, (0, 2)), jl.reduce(A, 0.0, jl.add, (0, 2)))
    same(lax.reduce(A, 1.0, lax.mul, (1,)), jl.reduce(A, 1.0, jl.mul, (1,)))
    same(lax.reduce(A, -np.inf, lax.max, (2,)), jl.reduce(A, -np.inf, jl.max, (2,)))
    same(lax.reduce(A, 0.5, lax.min, (0,)), jl.reduce(A, 0.5, jl.min, (0,)))

    # a custom computation and a pair of operands (argmax as a reduction)
    def fn(a, b):
        return a * 0.5 + b

    same(lax.reduce(A, 1.0, fn, (1,)), jl.reduce(A, 1.0, fn, (1,)))
    idx = np.broadcast_to(np.arange(4), A.shape)

    def amax(a, b):
        take = b[0] > a[0]
        return (cg.where(take, b[0], a[0]), cg.where(take, b[1], a[1]))

    def jamax(a, b):
        take = b[0] > a[0]
        return (jax.numpy.where(take, b[0], a[0]), jax.numpy.where(take, b[1], a[1]))

    same(
        lax.reduce((A, idx), (-np.inf, 0), amax, (2,)),
        jl.reduce((A, idx), (-np.inf, 0), jamax, (2,)),
    )

    def plus(a, b):  # not recognised as lax.add: the general path
        return a + b

    same(lax.reduce(A, 1.0, plus, (0, 1)), jl.reduce(A, 1.0, plus, (0, 1)))
    grads(jax, lambda x: cg.sum(lax.reduce(x, 1.0, plus, (1,)) ** 2),
          lambda x: (jl.reduce(x, 1.0, plus, (1,)) ** 2).sum(), A)  # fmt: skip


WINDOWS = [
    dict(window_dimensions=(1, 2, 2), window_strides=(1, 1, 1), padding="VALID"),
    dict(window_dimensions=(1, 2, 3), window_strides=(1, 2, 2), padding="SAME"),
    dict(window_dimensions=(2, 2, 2), window_strides=(1, 1, 2), padding=((0, 1), (1, 0), (2, 1))),
    dict(window_dimensions=(1, 2, 2), window_strides=(1, 1, 1), padding="VALID", base_dilation=(1, 2, 1),
         window_dilation=(1, 1, 2)),
]  # fmt: skip


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # (max of -inf padding)
@pytest.mark.parametrize("kw", WINDOWS)
def test_reduce_window(jax, jl, kw):
    same(lax.reduce_window(A, 0.0, lax.add, **kw), jl.reduce_window(A, 0.0, jl.add, **kw))
    same(lax.reduce_window(A, -np.inf, lax.max, **kw), jl.reduce_window(A, -np.inf, jl.max, **kw))
    w = RNG.normal(size=jl.reduce_window(A, 0.0, jl.add, **kw).shape)
    ops = [(0.0, lax.add, jl.add)] + (
        [] if "window_dilation" in kw else [(-np.inf, lax.max, jl.max)]
    )
    for init, op, jop in ops:  # (jax has no max gradient with window dilation)
        grads(jax, lambda x, i=init, o=op: cg.sum(lax.reduce_window(x, i, o, **kw) * w),
              lambda x, i=init, o=jop: (jl.reduce_window(x, i, o, **kw) * w).sum(), A)  # fmt: skip


def test_window_helpers(jl):
    assert lax.padtype_to_pads((5, 6), (2, 3), (2, 1), "SAME") == [
        tuple(p) for p in jl.padtype_to_pads((5, 6), (2, 3), (2, 1), "SAME")
    ]
    assert lax.padtype_to_pads((5, 6), (2, 3), (2, 1), "VALID") == [
        tuple(p) for p in jl.padtype_to_pads((5, 6), (2, 3), (2, 1), "VALID")
    ]
    args = ((5, 6), (2, 3), (2, 1), ((1, 0), (0, 2)))
    assert lax.reduce_window_shape_tuple(*args) == tuple(jl.reduce_window_shape_tuple(*args))
    with pytest.raises(ValueError, match="padding"):
        lax.padtype_to_pads((5,), (2,), (1,), "FULL")


# ----------------------------------------------------------------- products
DOTS = [
    ((2, 3, 4), (4, 5), (([2], [0]), ([], []))),
    ((2, 3, 4), (2, 4, 5), (([2], [1]), ([0], [0]))),
    ((3, 2, 4), (4, 5, 2), (([2], [0]), ([1], [2]))),
    ((2, 3, 4), (3, 2, 4), (([1, 2], [0, 2]), ([0], [1]))),
    ((3,), (4,), (([], []), ([], []))),
]


@pytest.mark.parametrize("sa,sb,dn", DOTS)
def test_dot_general(jax, jl, sa, sb, dn):
    a, b = RNG.normal(size=sa), RNG.normal(size=sb)
    same(lax.dot_general(a, b, dn), jl.dot_general(a, b, dn))
    grads(jax, lambda x, y: cg.sum(cg.sin(lax.dot_general(x, y, dn))),
          lambda x, y: jax.numpy.sin(jl.dot_general(x, y, dn)).sum(), a, b, argnums=(0, 1))  # fmt: skip


def test_dot_and_batch_matmul(jl):
    m, v = RNG.normal(size=(3, 4)), RNG.normal(size=4)
    same(lax.dot(m, v), jl.dot(m, v))
    same(lax.dot(v, v), jl.dot(v, v))
    same(lax.dot(m, m.T, precision=lax.Precision.HIGHEST), jl.dot(m, m.T))
    ai = np.arange(6, dtype=np.int32).reshape(2, 3)
    same(
        lax.dot(ai, ai.T, preferred_element_type=np.float64),
        jl.dot(ai, ai.T, preferred_element_type=np.float64),
    )
    b1, b2 = RNG.normal(size=(2, 3, 4)), RNG.normal(size=(2, 4, 5))
    same(lax.batch_matmul(b1, b2), jl.batch_matmul(b1, b2))
    with pytest.raises(TypeError, match="dot_general"):
        lax.dot_general(m, v, (([0], [0]), ([], [])))
    with pytest.raises(TypeError, match="dot"):
        lax.dot(b1, b2)


CONVS = [
    dict(lhs=(2, 3, 7, 6), rhs=(4, 3, 3, 2), window_strides=(1, 1), padding="VALID"),
    dict(lhs=(2, 7, 6, 3), rhs=(3, 2, 3, 4), window_strides=(2, 1), padding="SAME",
         dimension_numbers=("NHWC", "HWIO", "NHWC")),
    dict(lhs=(2, 4, 7, 6), rhs=(6, 2, 3, 3), window_strides=(1, 2), padding=((1, 2), (-1, 1)),
         rhs_dilation=(2, 1), feature_group_count=2),
    dict(lhs=(2, 3, 5, 4), rhs=(4, 3, 2, 2), window_strides=(1, 1), padding=((1, 1), (0, 1)),
         lhs_dilation=(2, 1)),
    dict(lhs=(7, 2, 3, 6), rhs=(2, 3, 3, 4), window_strides=(1, 1), padding=((1, 1), (2, 0)),
         dimension_numbers=("HNCW", "WIHO", "NWHC"), lhs_dilation=(1, 2), rhs_dilation=(1, 2)),
    dict(lhs=(2, 3, 9), rhs=(4, 3, 3), window_strides=(2,), padding="SAME_LOWER"),
    dict(lhs=(1, 2, 4, 5, 3), rhs=(3, 2, 2, 2, 2), window_strides=(1, 1, 2), padding="VALID"),
]  # fmt: skip


@pytest.mark.parametrize("kw", CONVS)
def test_conv_general_dilated(jax, jl, kw):
    kw = dict(kw)
    a, b = RNG.normal(size=kw.pop("lhs")), RNG.normal(size=kw.pop("rhs"))
    want = jl.conv_general_dilated(a, b, **kw)
    same(lax.conv_general_dilated(a, b, **kw), want, 1e-9)
    if (
        "lhs_dilation" in kw
        or "rhs_dilation" in kw
        or "feature_group_count" in kw
        or len(a.shape) == 3
    ):
        return  # (values only: the gradients of the layouts and strides below cover these ops)
    w = RNG.normal(size=want.shape)
    grads(jax, lambda x, y: cg.sum(lax.conv_general_dilated(x, y, **kw) * w),
          lambda x, y: (jl.conv_general_dilated(x, y, **kw) * w).sum(), a, b, argnums=(0, 1))  # fmt: skip


def test_conv_variants(jax, jl):
    a, b = RNG.normal(size=(2, 3, 7, 6)), RNG.normal(size=(4, 3, 3, 2))
    same(lax.conv(a, b, (1, 2), "SAME"), jl.conv(a, b, (1, 2), "SAME"), 1e-9)
    same(lax.conv_with_general_padding(a, b, (1, 1), ((1, 0), (2, 1)), (1, 2), (2, 1)),
         jl.conv_with_general_padding(a, b, (1, 1), ((1, 0), (2, 1)), (1, 2), (2, 1)), 1e-9)  # fmt: skip
    x, k = RNG.normal(size=(2, 5, 6, 3)), RNG.normal(size=(3, 2, 3, 4))
    for pad, tk in (("SAME", False), ("VALID", True), (((1, 2), (0, 1)), True)):
        if True:
            kk = k if not tk else RNG.normal(size=(3, 2, 4, 3))
            same(lax.conv_transpose(x, kk, (2, 1), pad, transpose_kernel=tk),
                 jl.conv_transpose(x, kk, (2, 1), pad, transpose_kernel=tk), 1e-9)  # fmt: skip
    same(lax.conv_transpose(a, b.transpose(1, 0, 2, 3), (2, 2), "SAME", dimension_numbers=("NCHW", "IOHW", "NCHW")),
         jl.conv_transpose(a, b.transpose(1, 0, 2, 3), (2, 2), "SAME", dimension_numbers=("NCHW", "IOHW", "NCHW")), 1e-9)  # fmt: skip
    same(lax.conv_general_dilated_patches(a, (2, 3), (1, 2), "SAME"),
         jl.conv_general_dilated_patches(a, (2, 3), (1, 2), "SAME"), 1e-9)  # fmt: skip
    xn = RNG.normal(size=(2, 5, 6, 3))
    dn = ("NHWC", "OIHW", "NHWC")
    same(lax.conv_general_dilated_patches(xn, (2, 2), (1, 1), "VALID", dimension_numbers=dn),
         jl.conv_general_dilated_patches(xn, (2, 2), (1, 1), "VALID", dimension_numbers=dn), 1e-9)  # fmt: skip


def test_conv_helpers_and_errors(jl):
    dn = ("NHWC", "HWIO", "NHWC")
    assert tuple(lax.conv_dimension_numbers((1, 5, 5, 3), (2, 2, 3, 4), dn)) == tuple(
        tuple(s) for s in jl.conv_dimension_numbers((1, 5, 5, 3), (2, 2, 3, 4), dn)
    )
    assert lax.conv_shape_tuple((2, 3, 7, 6), (4, 3, 3, 2), (2, 1), "SAME") == tuple(
        jl.conv_shape_tuple((2, 3, 7, 6), (4, 3, 3, 2), (2, 1), "SAME")
    )
    assert lax.conv_general_shape_tuple((2, 7, 6, 3), (3, 2, 3, 4), (1, 2), "VALID", dn) == tuple(
        jl.conv_general_shape_tuple((2, 7, 6, 3), (3, 2, 3, 4), (1, 2), "VALID", dn)
    )
    a, b = RNG.normal(size=(2, 3, 7, 6)), RNG.normal(size=(4, 2, 3, 2))
    with pytest.raises(TypeError, match="feature_group_count"):
        lax.conv_general_dilated(a, b, (1, 1), "VALID")
    with pytest.raises(NotImplementedError, match="batch_group_count"):
        lax.conv_general_dilated(a, b, (1, 1), "VALID", batch_group_count=2)
    with pytest.raises(TypeError, match="letters|once"):
        lax.conv_general_dilated(a, b, (1, 1), "VALID", dimension_numbers=("NCHW", "OIHW", "NCH"))


# ----------------------------------------------------------------- gather / scatter
def _gathers(jl):
    G = jl.GatherDimensionNumbers
    return [  # operand shape, indices, dimension numbers (cg's and jax's), slice sizes
        ((5,), [[0], [4], [2]], dict(offset_dims=(), collapsed_slice_dims=(0,), start_index_map=(0,)), (1,)),
        ((4, 3), [[3], [1]], dict(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,)), (1, 3)),
        ((5, 6), [[[0, 1], [3, 4]], [[4, 5], [-1, 2]]], dict(offset_dims=(2, 3), collapsed_slice_dims=(), start_index_map=(0, 1)), (2, 3)),
        ((5, 6), [[1, 2], [2, 0]], dict(offset_dims=(0,), collapsed_slice_dims=(1,), start_index_map=(1, 0)), (3, 1)),
        ((3, 5), [[[1]], [[4]], [[0]]], dict(offset_dims=(), collapsed_slice_dims=(1,), start_index_map=(1,),
                                           operand_batching_dims=(0,), start_indices_batching_dims=(0,)), (1, 1)),
    ], G  # fmt: skip


@pytest.mark.parametrize("case", range(5))
@pytest.mark.parametrize("mode", [None, "fill"])
def test_gather(jax, jl, case, mode):
    cases, G = _gathers(jl)
    shape, idx, dn, sizes = cases[case]
    x, idx = RNG.normal(size=shape), np.array(idx)
    want = jl.gather(x, idx, G(**dn), sizes, mode=mode)
    same(lax.gather(x, idx, lax.GatherDimensionNumbers(**dn), sizes, mode=mode), want)
    w = RNG.normal(size=want.shape)
    if mode is None:  # (jax's promise_in_bounds gradient drops clamped slices: use 'clip')
        same(lax.gather(x, idx, lax.GatherDimensionNumbers(**dn), sizes, mode="clip"), want)
        grads(jax, lambda a: cg.sum(lax.gather(a, idx, lax.GatherDimensionNumbers(**dn), sizes, mode="clip") * w),
              lambda a: (jl.gather(a, idx, G(**dn), sizes, mode="clip") * w).sum(), x)  # fmt: skip


def _scatters():
    return [  # operand shape, indices, updates shape, dimension numbers
        ((5,), [[1], [3], [1], [7]], (4,), dict(update_window_dims=(), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))),
        ((4, 3), [[3], [0], [3]], (3, 3), dict(update_window_dims=(1,), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))),
        ((5, 6), [[0, 1], [3, 4], [4, 5]], (3, 2, 2), dict(update_window_dims=(1, 2), inserted_window_dims=(), scatter_dims_to_operand_dims=(0, 1))),
        ((3, 5), [[[1], [1]], [[4], [0]], [[0], [2]]], (3, 2), dict(update_window_dims=(), inserted_window_dims=(1,),
         scatter_dims_to_operand_dims=(1,), operand_batching_dims=(0,), scatter_indices_batching_dims=(0,))),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(4))
@pytest.mark.parametrize(
    "name", ["scatter", "scatter_add", "scatter_sub", "scatter_mul", "scatter_min", "scatter_max"]
)
def test_scatter(jax, jl, case, name):
    shape, idx, ushape, dn = _scatters()[case]
    x, u, idx = RNG.normal(size=shape), RNG.normal(size=ushape), np.array(idx)
    if name == "scatter":  # (repeated indices: XLA's order is unspecified)
        idx = idx[:2] if case < 2 else idx
        u = u[:2] if case < 2 else u
    for mode in (None, "clip"):
        same(getattr(lax, name)(x, idx, u, lax.ScatterDimensionNumbers(**dn), mode=mode),
             getattr(jl, name)(x, idx, u, jl.ScatterDimensionNumbers(**dn), mode=mode))  # fmt: skip
    if name in ("scatter_add", "scatter_max") and case in (
        0,
        2,
    ):  # (jax: scatter_mul's needs unique)
        w = RNG.normal(size=shape)
        grads(jax, lambda a, b: cg.sum(getattr(lax, name)(a, idx, b, lax.ScatterDimensionNumbers(**dn)) * w),
              lambda a, b: (getattr(jl, name)(a, idx, b, jl.ScatterDimensionNumbers(**dn)) * w).sum(),
              x, u, argnums=(0, 1))  # fmt: skip


def test_scatter_apply_and_errors(jl):
    x, idx = RNG.normal(size=(5,)), np.array([[1], [3]])
    dn = dict(update_window_dims=(), inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))
    same(lax.scatter_apply(x, idx, lambda v: v * 10, lax.ScatterDimensionNumbers(**dn), update_shape=(2,)),
         jl.scatter_apply(x, idx, lambda v: v * 10, jl.ScatterDimensionNumbers(**dn), update_shape=(2,)))  # fmt: skip
    gdn = lax.GatherDimensionNumbers((), (0,), (0,))
    with pytest.raises(TypeError, match="gather"):
        lax.gather(x, np.array([[0.5]]), gdn, (1,))
    with pytest.raises(TypeError, match="gather"):
        lax.gather(x, np.array([[0, 1]]), gdn, (1,))
    with pytest.raises(ValueError, match="mode"):
        lax.gather(x, idx, gdn, (1,), mode="wrap")
    f = cg.function(lambda a, i: lax.gather(a, i, gdn, (1,)))
    with pytest.raises(TypeError, match="concrete"):
        f(cg.asarray(x), cg.asarray(idx))


def test_extras(jl):
    x = RNG.normal(size=(3, 6))
    same(lax.approx_max_k(x, 2), jl.approx_max_k(x, 2))
    same(lax.approx_min_k(x, 3), jl.approx_min_k(x, 3))
    same(lax.broadcast_like(x[0], x), jl.broadcast_like(x[0], x))
    assert lax.broadcast_shapes((3, 1), (1, 4)) == tuple(jl.broadcast_shapes((3, 1), (1, 4)))
    same(lax.stack([x, x * 2], 1), jl.stack([x, x * 2], 1))
    same(lax.unstack(x, 1), jl.unstack(x, 1))
    same(lax.empty((2, 3), np.float32), jl.full((2, 3), 0, np.float32))
    a = np.array([2**31 - 1, -5, 123456789, -(2**31)], np.int32)
    b = np.array([2**31 - 1, 7, 987654321, -(2**31)], np.int32)
    same(lax.mulhi(a, b), jl.mulhi(a, b))
    a64, b64 = a.astype(np.int64) * 3**15, b.astype(np.int64) * -(3**15)
    same(lax.mulhi(a64, b64), jl.mulhi(a64, b64))
    same(
        lax.mulhi(a.astype(np.uint32), b.astype(np.uint32)),
        jl.mulhi(a.astype(np.uint32), b.astype(np.uint32)),
    )


def test_gradcheck_composites():
    a = cg.tensor(RNG.normal(size=(2, 3)), requires_grad=True)
    k = cg.tensor(RNG.normal(size=(2, 3, 2, 2)), requires_grad=True)
    x = cg.tensor(RNG.normal(size=(1, 3, 4, 4)), requires_grad=True)
    assert cg.gradcheck(lambda t: lax.pad(t, 0.5, [(1, -1, 2), (-1, 2, 1)]), a)
    assert cg.gradcheck(
        lambda t, w: lax.conv_general_dilated(t, w, (2, 1), "SAME", (1, 2), (1, 2)), x, k
    )
    assert cg.gradcheck(
        lambda t: lax.reduce_window(t, -np.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 1), "VALID"), x
    )
    assert cg.gradcheck(lambda t: lax.fori_loop(0, 3, lambda i, v: cg.sin(v) * i + v, t), a)
