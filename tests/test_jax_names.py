"""JAX's top-level names (cg.linearize, cg.eval_shape, cg.devices, cg.debug_nans ...) and
jax.nn's functions in cg.nn (glu, mish, dot_product_attention, initializers ...), against
jax: values and gradients in float64, transforms on small functions, context managers
restoring their state, errors."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import compgraph as cg

RNG = np.random.default_rng(0)
X = np.linspace(-4.0, 4.0, 16) + 0.05  # (no point on a kink)
W = np.arange(16.0) - 5.0  # weights of the reduction the gradients are taken of


@pytest.fixture(scope="module")
def jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def _close(got, want, tol=1e-10):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol)


# ---------------------------------------------------------------- jax.nn functions
ELEMENTWISE = [
    "celu",
    "identity",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "mish",
    "soft_sign",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "standardize",
    "logsumexp",
    "logmeanexp",
]


def _weights(name):
    return W[: np.size(np.asarray(getattr(cg.nn, name)(X)))]


@pytest.fixture(scope="module")
def jax_refs(jax):
    """jax.nn's values (float64 and float32) and gradients for every name of ELEMENTWISE
    (+ glu, log1mexp in float32), each set in one compiled call: compiling one per
    function would take most of this file's time."""
    jnp = jax.numpy
    fs = [getattr(jax.nn, n) for n in ELEMENTWISE]
    ws = [_weights(n) for n in ELEMENTWISE]
    values = jax.jit(lambda x: [f(x) for f in fs])(X)

    def total(xs):
        return sum(jnp.sum(f(x) * w) for f, x, w in zip(fs, xs, ws))

    grads = jax.jit(jax.grad(total))(tuple(X for _ in fs))
    x32 = X.astype(np.float32)
    f32 = fs + [jax.nn.glu, lambda x: jax.nn.log1mexp(jnp.abs(x) + 0.1)]
    values32 = jax.jit(lambda x: [f(x) for f in f32])(x32)
    return {
        n: (np.asarray(v), np.asarray(g), np.asarray(v32))
        for n, v, g, v32 in zip(
            ELEMENTWISE + ["glu", "log1mexp"],
            values + [None] * 2,
            list(grads) + [None] * 2,
            values32,
        )
    }


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_nn_values_and_gradients(jax_refs, name):
    ours = getattr(cg.nn, name)
    value, grad, _ = jax_refs[name]
    _close(ours(X), value)
    assert ours(X).dtype == np.float64
    _close(cg.function(ours)(X), ours(X), 1e-12)  # traced into a static graph too
    g = cg.grad(lambda x: cg.sum(ours(x) * _weights(name)))(X)
    _close(g, grad)


def test_nn_float32_keeps_dtype(jax_refs):
    x32 = X.astype(np.float32)
    for name in ELEMENTWISE + ["glu", "log1mexp"]:
        arg = cg.abs(x32) + np.float32(0.1) if name == "log1mexp" else x32
        got, want = getattr(cg.nn, name)(arg), jax_refs[name][2]
        assert got.dtype == want.dtype == np.float32, name
        np.testing.assert_allclose(np.asarray(got), want, rtol=2e-6, atol=2e-6)


def test_glu_axis_and_errors(jax):
    x = RNG.normal(size=(4, 6))
    for axis in (0, 1, -1):
        _close(cg.nn.glu(x, axis), jax.nn.glu(x, axis))
    g = cg.grad(lambda t: cg.sum(cg.nn.glu(t, 0) ** 2))(x)
    _close(g, jax.grad(lambda t: (jax.nn.glu(t, 0) ** 2).sum())(x))
    with pytest.raises(ValueError, match="glu.*even"):
        cg.nn.glu(np.ones((3, 5)))


def test_log1mexp_both_branches(jax):
    x = np.array([1e-6, 0.1, 0.5, np.log(2.0) + 1e-3, 1.0, 5.0, 40.0])
    _close(cg.nn.log1mexp(x), jax.nn.log1mexp(x), 1e-12)
    g = cg.grad(lambda t: cg.sum(cg.nn.log1mexp(t)))(x)
    _close(g, jax.grad(lambda t: jax.nn.log1mexp(t).sum())(x), 1e-9)
    assert np.isfinite(np.asarray(g)).all()


def test_celu_alpha_and_squareplus_b(jax):
    _close(cg.nn.celu(X, 0.5), jax.nn.celu(X, 0.5))
    _close(cg.nn.squareplus(X, 1.5), jax.nn.squareplus(X, 1.5))
    g = cg.grad(lambda t: cg.sum(cg.nn.celu(t, 2.0)))(X)
    _close(g, jax.grad(lambda t: jax.nn.celu(t, 2.0).sum())(X))


def test_logsumexp_options(jax):
    jsp = jax.nn
    a = RNG.normal(size=(3, 4, 5))
    b = RNG.normal(size=(3, 4, 5))
    where = RNG.random((3, 4, 5)) > 0.3
    cases = [
        dict(axis=(0, 2), keepdims=True),
        dict(axis=-1, where=where),
        dict(axis=1),
        dict(axis=None, where=where, keepdims=True),
        dict(axis=2, b=np.abs(b)),
    ]

    def refs(a):  # (one compiled call for all: each compile takes seconds)
        values = [jsp.logsumexp(a, **kw) for kw in cases]
        grads = [jax.grad(lambda t, kw=kw: jsp.logsumexp(t, **kw).sum())(a) for kw in cases[:2]]
        return values, grads, jsp.logsumexp(a, axis=1, b=b, return_sign=True)

    values, grads, (jout, jsign) = jax.jit(refs)(a)
    for i, kw in enumerate(cases):
        _close(cg.nn.logsumexp(a, **kw), values[i])
        if i < 2:
            _close(cg.grad(lambda t: cg.sum(cg.nn.logsumexp(t, **kw)))(a), grads[i])
        else:
            assert cg.gradcheck(
                lambda t: cg.nn.logsumexp(t, **kw), cg.tensor(a, requires_grad=True)
            )
    out, sign = cg.nn.logsumexp(a, axis=1, b=b, return_sign=True)
    _close(out, jout)
    _close(sign, jsign)
    with np.errstate(all="ignore"):
        # a negative sum without return_sign: NaN, as JAX
        assert np.isnan(np.asarray(cg.nn.logsumexp(np.zeros(2), b=np.array([1.0, -2.0]))))
        # -inf everywhere: -inf (no NaN from the shift)
        assert np.asarray(cg.nn.logsumexp(np.full(3, -np.inf))) == -np.inf


def test_logmeanexp_where(jax):
    a = RNG.normal(size=(4, 5))
    where = RNG.random((4, 5)) > 0.4
    for i, kw in enumerate(
        [dict(axis=1, where=where, keepdims=True), dict(axis=0), dict(where=where)]
    ):
        _close(cg.nn.logmeanexp(a, **kw), jax.nn.logmeanexp(a, **kw))
        if i == 0:
            g = cg.grad(lambda t: cg.sum(cg.nn.logmeanexp(t, **kw)))(a)
            _close(g, jax.grad(lambda t: jax.nn.logmeanexp(t, **kw).sum())(a))
        else:
            assert cg.gradcheck(
                lambda t: cg.nn.logmeanexp(t, **kw), cg.tensor(a, requires_grad=True)
            )


def test_standardize_options(jax):
    x = RNG.normal(size=(3, 6)) * 3 + 1
    where = RNG.random((3, 6)) > 0.3
    cases = [
        dict(axis=0),
        dict(axis=(0, 1), algorithm="stable"),
        dict(axis=-1, where=where),
        dict(mean=0.5, variance=2.0, epsilon=0.1),
    ]
    for i, kw in enumerate(cases):
        _close(cg.nn.standardize(x, **kw), jax.nn.standardize(x, **kw))
        if i == 2:
            g = cg.grad(lambda t: cg.sum(cg.nn.standardize(t, **kw) * x))(x)
            _close(g, jax.grad(lambda t: (jax.nn.standardize(t, **kw) * x).sum())(x), 1e-9)
        else:
            assert cg.gradcheck(
                lambda t: cg.nn.standardize(t, **kw), cg.tensor(x, requires_grad=True)
            )
    with pytest.raises(ValueError, match="standardize.*algorithm"):
        cg.nn.standardize(x, algorithm="nope")


def test_one_hot(jax):
    idx = np.array([[0, 2, 5], [-1, 1, 3]])
    for axis in (-1, 0, 1, 2, -3):
        _close(cg.nn.one_hot(idx, 4, axis=axis), jax.nn.one_hot(idx, 4, axis=axis))
    assert cg.nn.one_hot(idx, 4).dtype == np.float64
    assert cg.nn.one_hot(idx, 4, dtype=np.int32).dtype == np.int32
    with pytest.raises(TypeError, match="num_classes"):
        cg.nn.one_hot(idx, 2.5)
    with pytest.raises(ValueError, match="axis"):
        cg.nn.one_hot(idx, 4, axis=3)
    with pytest.raises(TypeError, match="axis"):
        cg.nn.one_hot(idx, 4, axis="batch")


def test_nn_gradcheck():
    x = cg.tensor(RNG.normal(size=(2, 4)), requires_grad=True)
    for f in (
        cg.nn.mish,
        cg.nn.squareplus,
        cg.nn.soft_sign,
        lambda t: cg.nn.glu(t, 1),
        lambda t: cg.nn.standardize(t, algorithm="stable"),
        lambda t: cg.nn.logmeanexp(t, axis=1),
    ):
        assert cg.gradcheck(f, x)


# ---------------------------------------------------------------- dot_product_attention
def _qkv(B=2, T=5, S=6, N=4, K=2, H=3):
    return (
        RNG.normal(size=(B, T, N, H)),
        RNG.normal(size=(B, S, K, H)),
        RNG.normal(size=(B, S, K, H)),
    )


ATTENTION = {
    "plain": dict(),
    "causal": dict(is_causal=True),
    "scale and bias": dict(scale=0.7, bias=RNG.normal(size=(1, 4, 5, 6))),
    "mask": dict(mask=RNG.random((2, 1, 5, 6)) > 0.3),
    "window": dict(local_window_size=(1, 2)),
    "window int": dict(local_window_size=1, is_causal=True),
    "lengths": dict(
        query_seq_lengths=np.array([3, 5], np.int32),
        key_value_seq_lengths=np.array([6, 2], np.int32),
    ),
}


QKV = _qkv()
JAX_GRAD_CASES = ("plain", "lengths")  # (the others: gradcheck, cheaper than compiling)


@pytest.fixture(scope="module")
def attention_refs(jax):
    """JAX's outputs for every case and gradients for two, in one compiled call."""
    jnp = jax.numpy
    att = jax.nn.dot_product_attention

    def refs(q, k, v):
        values = {c: att(q, k, v, **kw) for c, kw in ATTENTION.items()}
        grads = {
            c: jax.grad(
                lambda q, k, v, kw=ATTENTION[c]: jnp.sum(att(q, k, v, **kw) ** 2), argnums=(0, 1, 2)
            )(q, k, v)
            for c in JAX_GRAD_CASES
        }
        return values, grads

    return jax.jit(refs)(*QKV)


@pytest.mark.parametrize("case", list(ATTENTION))
def test_dot_product_attention(attention_refs, case):
    kw = ATTENTION[case]
    q, k, v = QKV
    values, grads = attention_refs
    # JAX runs the softmax in float32 even for float64 inputs: hence the tolerance.
    _close(cg.nn.dot_product_attention(q, k, v, **kw), values[case], 1e-5)
    if case not in JAX_GRAD_CASES:
        small = [t[:1, :3, :, :2] for t in (q, k, v)]
        kw = {n: (a[:1, :, :3, :3] if n in ("bias", "mask") else a) for n, a in kw.items()}
        ins = [cg.tensor(t, requires_grad=True) for t in small]
        assert cg.gradcheck(lambda q, k, v: cg.nn.dot_product_attention(q, k, v, **kw), *ins)
        return
    g = cg.grad(
        lambda q, k, v: cg.sum(cg.nn.dot_product_attention(q, k, v, **kw) ** 2), argnums=(0, 1, 2)
    )(q, k, v)
    for a, b in zip(g, grads[case]):
        _close(a, b, 2e-5)


def test_dot_product_attention_3d_residual_and_float32(jax):
    q, k, v = _qkv(B=1, N=2, K=2)
    out, res = cg.nn.dot_product_attention(q[0], k[0], v[0], return_residual=True)
    jout, jres = jax.nn.dot_product_attention(q[0], k[0], v[0], return_residual=True)
    _close(out, jout, 1e-5)
    _close(res, jres, 1e-5)
    traced = cg.function(lambda q, k, v: cg.nn.dot_product_attention(q, k, v, is_causal=True))
    _close(traced(q, k, v), cg.nn.dot_product_attention(q, k, v, is_causal=True), 1e-12)
    q32, k32, v32 = (t.astype(np.float32) for t in (q, k, v))
    got = cg.nn.dot_product_attention(q32, k32, v32, implementation="xla")
    assert got.dtype == np.float32
    np.testing.assert_allclose(
        np.asarray(got),
        np.asarray(jax.nn.dot_product_attention(q32, k32, v32)),
        rtol=1e-5,
        atol=1e-5,
    )


def test_dot_product_attention_errors():
    q, k, v = _qkv()
    f = cg.nn.dot_product_attention
    with pytest.raises(NotImplementedError, match="cudnn"):
        f(q, k, v, implementation="cudnn")
    with pytest.raises(ValueError, match="implementation"):
        f(q, k, v, implementation="fast")
    with pytest.raises(ValueError, match="multiple of"):
        f(q[:, :, :3], k, v)
    with pytest.raises(ValueError, match="value shape"):
        f(q, k, v[:, :4])
    with pytest.raises(ValueError, match="mask dtype"):
        f(q, k, v, mask=np.ones((1, 1, 5, 6)))
    with pytest.raises(ValueError, match="query_seq_lengths dtype"):
        f(q, k, v, query_seq_lengths=np.array([1, 2]))
    with pytest.raises(ValueError, match="query dtype"):
        f(q.astype(np.float32), k, v)


# ---------------------------------------------------------------- initializers
def test_initializers_shapes_dtypes_and_keys():
    init = cg.nn.initializers
    shape = (64, 32)
    for make in (
        init.glorot_uniform,
        init.glorot_normal,
        init.he_uniform,
        init.he_normal,
        init.lecun_uniform,
        init.lecun_normal,
        init.xavier_uniform,
        init.kaiming_normal,
        init.orthogonal,
        lambda: init.normal(0.5),
        lambda: init.uniform(0.5),
        lambda: init.truncated_normal(0.5),
        lambda: init.constant(2.5),
    ):
        f = make()
        a = f(0, shape)
        assert isinstance(a, cg.Tensor) and a.shape == shape and a.dtype == np.float32
        assert f(0, shape, np.float64).dtype == np.float64
        _close(f(7, shape), f(7, shape), 0)  # the same key gives the same numbers
        _close(f(np.array([0, 7], np.uint32), shape), f(np.array([0, 7], np.uint32), shape), 0)
    assert not np.array_equal(
        np.asarray(init.normal()(1, shape)), np.asarray(init.normal()(2, shape))
    )
    gen = np.random.default_rng(3)
    assert not np.array_equal(
        np.asarray(init.normal()(gen, shape)), np.asarray(init.normal()(gen, shape))
    )
    _close(init.zeros(0, (2, 3)), np.zeros((2, 3)))
    _close(init.ones(0, (2, 3), np.float64), np.ones((2, 3)))
    _close(init.constant(2.5)(0, (2,)), np.full(2, 2.5, np.float32))


def test_variance_scaling_statistics():
    init = cg.nn.initializers
    shape = (200, 300)
    fan_in, fan_out = 200, 300
    for f, var in [
        (init.glorot_uniform(), 2 / (fan_in + fan_out)),
        (init.glorot_normal(), 2 / (fan_in + fan_out)),
        (init.he_normal(), 2 / fan_in),
        (init.lecun_uniform(), 1 / fan_in),
        (init.variance_scaling(3.0, "fan_out", "normal"), 3 / fan_out),
        (init.variance_scaling(1.0, "fan_geo_avg", "uniform"), 1 / np.sqrt(fan_in * fan_out)),
    ]:
        a = np.asarray(f(1, shape, np.float64))
        assert abs(a.var() / var - 1) < 0.05
        assert abs(a.mean()) < 0.01
    t = np.asarray(init.glorot_normal()(1, shape, np.float64))
    assert np.abs(t).max() <= 2 * np.sqrt(2 / 500) / 0.87962566103423978 + 1e-12
    u = np.asarray(init.uniform(0.3)(1, (1000,), np.float64))
    assert u.min() >= 0 and u.max() < 0.3
    # a conv kernel (3, 3, in, out): the receptive field counts in both fans
    k = np.asarray(init.he_uniform()(1, (3, 3, 40, 50), np.float64))
    assert abs(k.var() / (2 / (9 * 40)) - 1) < 0.05
    b = np.asarray(
        init.lecun_normal(in_axis=1, out_axis=2, batch_axis=0)(1, (5, 100, 80), np.float64)
    )
    assert abs(b.var() / (1 / 100) - 1) < 0.06


def test_orthogonal_initializers():
    init = cg.nn.initializers
    for shape in [(6, 4), (4, 6), (3, 2, 5)]:
        q = np.asarray(init.orthogonal(2.0)(1, shape, np.float64)).reshape(-1, shape[-1])
        small = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
        _close(small, 4.0 * np.eye(min(q.shape)), 1e-10)
    q = np.asarray(init.orthogonal(column_axis=0)(1, (5, 3), np.float64))
    _close(q.T @ q, np.eye(3), 1e-10)
    d = np.asarray(init.delta_orthogonal()(1, (3, 3, 4, 4), np.float64))
    centre = d[1, 1]
    _close(centre @ centre.T, np.eye(4), 1e-10)
    assert np.abs(d).sum() == pytest.approx(np.abs(centre).sum())


def test_initializer_errors():
    init = cg.nn.initializers
    with pytest.raises(ValueError, match="in_axis"):
        init.glorot_uniform()(0, (5,))
    with pytest.raises(ValueError, match="mode"):
        init.variance_scaling(1.0, "fan_sideways", "normal")
    with pytest.raises(ValueError, match="distribution"):
        init.variance_scaling(1.0, "fan_in", "cauchy")
    with pytest.raises(ValueError, match="2D"):
        init.orthogonal()(0, (4,))
    with pytest.raises(ValueError, match="3D, 4D or 5D"):
        init.delta_orthogonal()(0, (4, 4))
    with pytest.raises(ValueError, match="fan_in"):
        init.delta_orthogonal()(0, (3, 5, 4))
    with pytest.raises(TypeError, match="key"):
        init.normal()("seed", (2,))
    with pytest.raises(TypeError, match="key"):
        init.normal()(None, (2,))
    with pytest.raises(TypeError, match="floating"):
        init.normal()(0, (2,), np.int32)
    with pytest.raises(NotImplementedError, match="complex"):
        init.normal()(0, (2,), np.complex64)
    with pytest.raises(NotImplementedError, match="sharding"):
        init.zeros(0, (2,), out_sharding="x")


# ---------------------------------------------------------------- transforms
def _f(x, y):
    return cg.sin(x) * y + x**2


def _jf(jnp):
    return lambda x, y: jnp.sin(x) * y + x**2


def test_linearize(jax):
    x, y = RNG.normal(size=3), RNG.normal(size=3)
    tx, ty = RNG.normal(size=3), RNG.normal(size=3)
    out, f_jvp = cg.linearize(_f, x, y)
    jout, jf_jvp = jax.linearize(_jf(jax.numpy), x, y)
    _close(out, jout)
    _close(f_jvp(tx, ty), jf_jvp(tx, ty))
    _close(f_jvp(2 * tx, 0 * ty), 2 * np.asarray(jf_jvp(tx, 0 * ty)))  # linear
    out, f_jvp, aux = cg.linearize(lambda x: (cg.exp(x), "aux"), x, has_aux=True)
    assert aux == "aux"
    _close(f_jvp(tx), np.exp(x) * tx)
    with pytest.raises(TypeError, match="tangent"):
        f_jvp(tx, tx)
    with pytest.raises(TypeError, match="pair"):
        cg.linearize(lambda x: x, x, has_aux=True)
    # composes: the gradient of a linearized function's output
    g = cg.grad(lambda x: cg.sum(cg.linearize(cg.sin, x)[1](cg.ones_like(x))))(x)
    _close(g, -np.sin(x))


def test_linear_transpose(jax):
    A = RNG.normal(size=(3, 4))
    ct = RNG.normal(size=3)
    (got,) = cg.linear_transpose(lambda x: A @ x, np.zeros(4))(ct)
    (want,) = jax.linear_transpose(lambda x: A @ x, np.zeros(4))(ct)
    _close(got, want)
    two = cg.linear_transpose(
        lambda a, b: (2 * a + b, a - b), cg.ShapeDtypeStruct((2,), np.float64), np.zeros(2)
    )
    ga, gb = two((np.ones(2), np.full(2, 3.0)))
    _close(ga, np.full(2, 5.0))
    _close(gb, np.full(2, -2.0))
    # an offset is ignored, as JAX
    _close(
        cg.linear_transpose(lambda x: 2 * x + 1, 1.0)(1.0)[0],
        jax.linear_transpose(lambda x: 2 * x + 1, 1.0)(1.0)[0],
    )
    with pytest.raises(TypeError, match="not linear"):
        cg.linear_transpose(lambda x: x**2, 1.0)
    with pytest.raises(TypeError, match="inexact"):
        cg.linear_transpose(lambda x: x, np.zeros(2, np.int64))
    with pytest.raises(NotImplementedError, match="reduce_axes"):
        cg.linear_transpose(lambda x: x, 1.0, reduce_axes=("i",))


def test_checkpoint_remat(jax):
    x = RNG.normal(size=4)
    f = lambda x: cg.sum(cg.tanh(x) ** 3)  # noqa: E731
    for ck in (
        cg.checkpoint(f),
        cg.remat(f),
        cg.checkpoint(f, policy=cg.checkpoint_policies.dots_saveable, prevent_cse=False),
        cg.checkpoint(policy=cg.checkpoint_policies.nothing_saveable)(f),
    ):
        _close(ck(x), f(x))
        _close(cg.grad(ck)(x), jax.grad(lambda x: (jax.numpy.tanh(x) ** 3).sum())(x))
    h = cg.checkpoint(lambda x, n: x * n, static_argnums=(1,))
    _close(h(x, 3), 3 * x)
    with pytest.raises(TypeError, match="policy"):
        cg.checkpoint(f, policy="everything")
    with pytest.raises(TypeError, match="static_argnums"):
        cg.checkpoint(f, static_argnums=("n",))
    with pytest.raises(ValueError, match="static_argnums"):
        h(x)
    assert cg.checkpoint_policies.save_from_both_policies(
        cg.checkpoint_policies.nothing_saveable, cg.checkpoint_policies.everything_saveable
    )()


def _sds(jax, tree):
    return jax.tree_util.tree_map(lambda s: (tuple(s.shape), np.dtype(s.dtype)), tree)


def test_eval_shape(jax):
    jnp = jax.numpy

    def make(m):
        def f(x, y, n=2):
            return {"a": m.sin(x) @ y, "b": (m.reshape(x, (-1,)) * n, m.sum(y, axis=0) > 0)}

        return f

    x = np.ones((3, 4), np.float32)
    y = cg.ShapeDtypeStruct((4, 5), np.float32)
    got = cg.eval_shape(make(cg), x, y)
    want = jax.eval_shape(make(jnp), x, jax.ShapeDtypeStruct((4, 5), np.float32))
    assert _sds(jax, {"a": got["a"], "b": list(got["b"])}) == _sds(
        jax, {"a": want["a"], "b": list(want["b"])}
    )
    assert isinstance(got["a"], cg.ShapeDtypeStruct) and got["a"] == cg.ShapeDtypeStruct(
        (3, 5), np.float32
    )
    # Python control flow on values: the run on zeros answers
    calls = []

    def branchy(x):
        calls.append(1)
        return x[:2] * 2 if float(cg.sum(x)) >= 0 else x

    assert cg.eval_shape(branchy, cg.ShapeDtypeStruct((5, 2), np.float64)) == cg.ShapeDtypeStruct(
        (2, 2), np.float64
    )
    assert calls == [1, 1]  # the trace, then the run
    # jax's own ShapeDtypeStruct is read too; errors of f are f's
    assert cg.eval_shape(lambda a: a.T, jax.ShapeDtypeStruct((2, 3), np.int32)).shape == (3, 2)
    with pytest.raises(ValueError):
        cg.eval_shape(lambda a, b: a @ b, np.ones((2, 3)), np.ones((2, 3)))


def test_make_jaxpr(jax):
    jx = cg.make_jaxpr(lambda x, y: cg.sin(x) * y)(np.ones(3), np.ones(3, np.float32))
    text = str(jx)
    assert text.startswith("{ lambda ; a:f64[3] b:f32[3]. let")
    assert "sin a" in text and "multiply" in text and text.endswith(",) }")
    assert [s.shape for s in jx.in_avals] == [(3,), (3,)]
    assert jx.out_avals == [cg.ShapeDtypeStruct((3,), np.float64)]
    # the graph runs
    _close(
        jx.graph.run(jx.outvars[0], {"a": np.full(3, 0.5), "b": np.full(3, 2.0, np.float32)}),
        2 * np.sin(np.full(3, 0.5)),
    )
    jx2, shape = cg.make_jaxpr(
        lambda x, n: (x * n, cg.sum(x)), static_argnums=1, return_shape=True
    )(np.ones((2, 2)), 3)
    assert shape == (cg.ShapeDtypeStruct((2, 2), np.float64), cg.ShapeDtypeStruct((), np.float64))
    assert len(jx2.invars) == 1 and "3" in str(jx2)
    with pytest.raises(TypeError):
        cg.make_jaxpr(lambda x: x if x > 0 else -x)(np.ones(2))  # (as JAX: no value to branch on)
    with pytest.raises(NotImplementedError, match="axis_env"):
        cg.make_jaxpr(cg.sin, axis_env=[("i", 2)])(1.0)


def test_closure_convert_named_call_and_scopes():
    w = cg.tensor([1.0, 2.0])
    conv, consts = cg.closure_convert(lambda x: x * w, np.ones(2))
    assert consts == []
    _close(conv(np.full(2, 3.0)), [3.0, 6.0])
    f = cg.named_call(lambda x: x + 1, name="step")
    assert f.__name__ == "step" and float(f(1.0)) == 2.0
    with cg.named_scope("block"):
        _close(cg.grad(lambda x: x**2)(3.0), 6.0)
    with pytest.raises(TypeError, match="string"):
        with cg.named_scope(3):
            pass
    with cg.ensure_compile_time_eval():
        assert float(cg.sum(cg.ones(3))) == 3.0
    with cg.disable_jit(False):
        assert float(cg.function(lambda x: x * 2)(2.0)) == 4.0

    calls = []

    @cg.function
    def f(x):
        calls.append(1)  # a Python side effect: once per trace, or every call without jit
        return x * 2

    f(1.0), f(2.0)
    assert len(calls) == 1
    with cg.disable_jit():
        with cg.disable_jit():
            assert float(f(3.0)) == 6.0
        f(4.0)
    assert len(calls) == 3
    f(5.0)
    assert len(calls) == 3  # compiled again after the block
    with pytest.raises(ZeroDivisionError):
        with cg.disable_jit():
            1 / 0
    f(6.0)
    assert len(calls) == 3  # restored after an error too


def test_pure_callback(jax):
    x = np.array([1.0, 2.0, 3.0])
    spec = cg.ShapeDtypeStruct((3,), np.float64)
    seen = []

    def cb(a, scale=1.0):
        seen.append(type(a))
        return np.sin(a) * scale

    out = cg.pure_callback(cb, spec, cg.tensor(x), scale=2.0)
    assert isinstance(out, cg.Tensor) and seen == [np.ndarray]
    _close(out, 2 * np.sin(x))
    pair = cg.pure_callback(lambda a: (a, a.sum()), (spec, cg.ShapeDtypeStruct((), np.float64)), x)
    _close(pair[1], 6.0)
    with pytest.raises(ValueError, match="shape"):
        cg.pure_callback(lambda a: a[:2], spec, x)
    with pytest.raises(TypeError, match="dtype"):
        cg.pure_callback(lambda a: a.astype(np.float32), spec, x)
    with pytest.raises(ValueError, match="JVP"):
        cg.grad(lambda t: cg.sum(cg.pure_callback(np.sin, spec, t)))(x)
    with pytest.raises(ValueError, match="JVP"):
        cg.jvp(lambda t: cg.pure_callback(np.sin, spec, t), (x,), (x,))
    with pytest.raises(NotImplementedError, match="cg.function"):
        cg.function(lambda t: cg.pure_callback(np.sin, spec, t))(x)
    with pytest.raises(ValueError, match="vmap_method"):
        cg.pure_callback(np.sin, spec, x, vmap_method="magic")


# ---------------------------------------------------------------- devices and arrays
def test_devices_and_processes(jax):
    (d,) = cg.devices()
    assert d == cg.device("cpu") and d == "cpu" and d.platform == "cpu" and d.id == 0
    assert cg.local_devices() == cg.devices("cpu")
    assert (
        cg.device_count() == cg.local_device_count() == cg.process_count() == cg.host_count() == 1
    )
    assert cg.process_index() == cg.host_id() == 0
    assert cg.process_indices() == cg.host_ids() == [0]
    assert cg.default_backend() == jax.default_backend() == "cpu"
    with pytest.raises(RuntimeError, match="backend"):
        cg.devices("gpu")
    with pytest.raises(ValueError, match="process"):
        cg.local_devices(process_index=1)


def test_device_put_get_and_friends():
    t = cg.tensor([1.0, 2.0])
    assert cg.device_put(t) is t
    assert cg.device_put(t, cg.devices()[0]) is t
    put = cg.device_put({"a": np.ones(2), "b": [3.0, "s"]})
    assert (
        isinstance(put["a"], cg.Tensor)
        and isinstance(put["b"][0], cg.Tensor)
        and put["b"][1] == "s"
    )
    with pytest.raises(NotImplementedError, match="device"):
        cg.device_put(t, "cuda:0")
    got = cg.device_get((t, 1))
    assert type(got[0]) is np.ndarray and got[1] == 1
    assert cg.block_until_ready(t) is t and cg.copy_to_host_async(t) is t
    assert cg.effects_barrier() is None
    assert isinstance(t, cg.Array) and not isinstance(np.ones(2), cg.Array)
    assert cg.typeof(t) == cg.ShapeDtypeStruct((2,), np.float64)
    assert cg.typeof(1.0).weak_type and cg.typeof(np.int32(1)).dtype == np.int32
    with pytest.raises(TypeError, match="typeof"):
        cg.typeof("x")
    assert any(a is t for a in cg.live_arrays())


def test_shape_dtype_struct():
    s = cg.ShapeDtypeStruct([2, 3], "float32")
    assert (
        s.shape == (2, 3) and s.dtype == np.float32 and s.ndim == 2 and s.size == 6 and len(s) == 2
    )
    assert s == cg.ShapeDtypeStruct((2, 3), np.float32) and hash(s) == hash(
        cg.ShapeDtypeStruct((2, 3), np.float32)
    )
    assert repr(s) == "ShapeDtypeStruct(shape=(2, 3), dtype=float32)"
    with pytest.raises(NotImplementedError, match="sharding"):
        cg.ShapeDtypeStruct((2,), np.float32, sharding="x")
    with pytest.raises(ValueError, match="dtype"):
        cg.ShapeDtypeStruct((2,), None)


def test_clear_caches_retraces():
    f = cg.function(lambda x: x * 3)
    f(np.ones(2))
    f(np.ones(2))
    assert f.traces == 1
    cg.clear_caches()
    _close(f(np.ones(2)), np.full(2, 3.0))
    assert f.traces == 2


# ---------------------------------------------------------------- configuration
CONFIG = [
    ("debug_nans", False, True),
    ("debug_infs", False, True),
    ("enable_x64", True, False),
    ("numpy_dtype_promotion", "standard", "strict"),
    ("numpy_rank_promotion", "allow", "raise"),
    ("log_compiles", False, True),
    ("enable_checks", False, True),
    ("check_tracer_leaks", False, True),
]


@pytest.mark.parametrize("name,ok,refused", CONFIG)
def test_config_states(name, ok, refused):
    state = getattr(cg, name)
    before = state.value
    with state(ok):
        assert state.value == ok
    assert state.value == before
    with pytest.raises(NotImplementedError, match=name):
        state(refused)
    assert state.value == before
    with pytest.raises(ValueError, match=name):
        state("no such value")


def test_config_restores_after_errors_nesting_and_threads():
    st = cg.default_matmul_precision
    assert st.value is None
    with pytest.raises(KeyError):
        with st("highest"):
            with st("float32"):
                assert st.value == "float32"
            assert st.value == "highest"
            seen = []
            t = threading.Thread(target=lambda: seen.append(st.value))
            t.start()
            t.join()
            assert seen == [None]  # per thread, as JAX's context managers
            raise KeyError
    assert st.value is None
    with cg.transfer_guard("disallow"):
        assert cg.transfer_guard_host_to_device.value == "disallow"
        assert cg.transfer_guard_device_to_device.value == "disallow"
    assert cg.transfer_guard_device_to_host.value is None
    with pytest.raises(NotImplementedError, match="check_tracer_leaks"):
        cg.checking_leaks()
    with cg.default_device(cg.devices()[0]):
        assert cg.default_device.value == "cpu"
    with pytest.raises(NotImplementedError, match="device"):
        cg.default_device("gpu:0")


def test_published_names(jax):
    for n in [
        "linearize",
        "checkpoint",
        "remat",
        "eval_shape",
        "make_jaxpr",
        "devices",
        "Array",
        "debug_nans",
    ]:
        assert n in cg.__all__ and hasattr(jax, n), n
    for n in ["glu", "mish", "dot_product_attention", "initializers", "one_hot", "logsumexp"]:
        assert hasattr(cg.nn, n) and hasattr(jax.nn, n), n
