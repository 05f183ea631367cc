"""JAX-style code after a rename: cg.vmap against jax.vmap, cg.jit, and cg.function over
every transform (jacfwd, jacrev, hessian, vjp, jvp as well as grad)."""

from __future__ import annotations

import functools
import sys

import numpy as np
import pytest

import compgraph as cg

RNG = np.random.default_rng(0)
X = RNG.normal(size=(5, 3))
Y = RNG.normal(size=(5, 3))
W = RNG.normal(size=(3, 4))
BATCHED = sys.modules["compgraph.batched"]


@pytest.fixture(scope="module")
def jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def _leaves(tree):
    from compgraph.autodiff.tree import flatten

    return [np.asarray(v) for v in flatten(tree)[0]]


def _same(got, want, tol=1e-10):
    g, w = _leaves(got), [np.asarray(v) for v in _jleaves(want)]
    assert len(g) == len(w)
    for a, b in zip(g, w):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _jleaves(tree):
    import jax

    return jax.tree_util.tree_leaves(tree)


# (name, cg program, jax program): each takes the namespace pair (cg or jnp, transforms)
CASES = {
    "elementwise": lambda m, t: t.vmap(lambda x: m.sin(x) * 2 + x**2)(X),
    "matmul one side": lambda m, t: t.vmap(lambda x, w: x @ w, in_axes=(0, None))(X, W),
    "dot both sides": lambda m, t: t.vmap(lambda x, y: x @ y)(X, Y),
    "reduction": lambda m, t: t.vmap(lambda x: m.sum(x**2))(X),
    "in_axes 1": lambda m, t: t.vmap(lambda x: x.sum(), in_axes=1)(X),
    "in_axes -1 list": lambda m, t: t.vmap(lambda x, y: x * y, in_axes=[-1, 1])(X, Y),
    "out_axes 1": lambda m, t: t.vmap(lambda x: m.outer(x, x), out_axes=1)(X),
    "tuple out_axes": lambda m, t: t.vmap(lambda x: (x.sum(), x * 2), out_axes=(0, 1))(X),
    "dict prefix": lambda m, t: t.vmap(lambda d: d["a"] * d["b"], in_axes=({"a": 0, "b": None},))(
        {"a": X, "b": W[:, 0]}
    ),
    "tuple prefix": lambda m, t: t.vmap(lambda p: p[0] @ p[1], in_axes=((0, None),))((X, W)),
    "keyword mapped": lambda m, t: t.vmap(lambda x, s: x * s)(X, s=Y),
    "axis_size": lambda m, t: t.vmap(lambda: m.ones(2), axis_size=3)(),
    "unmapped output": lambda m, t: t.vmap(lambda x: (x * 2, W), out_axes=(0, None))(X),
    "nested": lambda m, t: t.vmap(t.vmap(lambda a, b: a * b + 1, (0, None)), (None, 0))(X[0], Y),
    "mlp": lambda m, t: t.vmap(lambda x: m.tanh(x @ W) @ W.T)(X),
    "softmax": lambda m, t: t.vmap(lambda x: m.exp(x) / m.sum(m.exp(x)))(X),
    "where": lambda m, t: t.vmap(lambda x: m.where(x > 0, x, 0.0))(X),
    "indexing": lambda m, t: t.vmap(lambda x: x[1:] * x[0])(X),
    "vmap of grad": lambda m, t: t.vmap(t.grad(lambda x: m.sum(m.tanh(x) ** 2)))(X),
    "vmap of hessian": lambda m, t: t.vmap(t.hessian(lambda x: m.sum(x**3)))(X),
    "grad of vmap": lambda m, t: t.grad(
        lambda w: t.vmap(lambda x, w: m.sum(m.tanh(x @ w)), (0, None))(X, w).sum()
    )(W),
    "jit of vmap": lambda m, t: t.jit(t.vmap(lambda x: m.sin(x) @ W))(X),
    "vmap of jit": lambda m, t: t.vmap(t.jit(lambda x: m.sin(x) @ W))(X),
    "jacfwd of vmap": lambda m, t: t.jacfwd(t.vmap(lambda x: m.sin(x) * x))(X[0]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_vmap_matches_jax(jax, name):
    import jax.numpy as jnp

    _same(CASES[name](cg, cg), CASES[name](jnp, jax))


@pytest.mark.parametrize("name", ["elementwise", "matmul one side", "dot both sides", "mlp"])
def test_vmap_runs_batched_ops_not_a_loop(monkeypatch, name):
    """Where every op has a batched form, f runs once to trace and once to check."""

    def no_loop(*a, **k):
        raise AssertionError("vmap fell back to a per-example loop")

    monkeypatch.setattr(BATCHED, "_loop", no_loop)
    CASES[name](cg, cg)


def test_vmap_value_dependent_python_control_flow_is_per_example():
    """The first example's branch is not reused for the others (the check catches it)."""
    xs = np.array([1.0, -1.0, -2.0, 3.0])
    got = cg.vmap(lambda x: x * 2 if float(x) > 0 else x * 3)(xs)
    np.testing.assert_allclose(got, [2.0, -3.0, -6.0, 6.0])


def test_vmap_errors_as_jax():
    with pytest.raises(ValueError, match="inconsistent sizes.*size 5.*size 3"):
        cg.vmap(lambda a, b: a + b)(X, W)
    with pytest.raises(ValueError, match="at least one non-None"):
        cg.vmap(lambda a: a, in_axes=None)(X)
    with pytest.raises(ValueError, match="rank should be at least 3"):
        cg.vmap(lambda a: a, in_axes=2)(X)
    with pytest.raises(ValueError, match="len\\(in_axes\\)=1, len\\(args\\)=2"):
        cg.vmap(lambda a, b: a, in_axes=(0,))(X, Y)
    with pytest.raises(ValueError, match="out_axes is None"):
        cg.vmap(lambda a: a * 2, out_axes=None)(X)
    with pytest.raises(ValueError, match="tree prefix"):
        cg.vmap(lambda p: p, in_axes=((0, 0, 0),))((X, Y))


def test_vmap_gradients_reach_parameters_and_tapes():
    w = cg.Variable(W)
    with cg.GradientTape() as tape:
        loss = cg.vmap(lambda x: cg.sum(cg.tanh(x @ w)))(X).sum()
    g = tape.gradient(loss, w)
    t = np.tanh(X @ W)
    np.testing.assert_allclose(g, X.T @ (1 - t**2), rtol=1e-12)


# ------------------------------------------------------------- cg.jit and static arguments
def test_jit_is_function_with_static_arguments():
    assert cg.jit is cg.function

    @functools.partial(cg.jit, static_argnums=1)
    def f(x, n):
        for _ in range(n):
            x = cg.sin(x)
        return x

    np.testing.assert_allclose(f(X, 2), np.sin(np.sin(X)))
    np.testing.assert_allclose(f(X, 3), np.sin(np.sin(np.sin(X))))
    assert f.traces == 2
    f(X + 1, 2)
    assert f.traces == 2

    @functools.partial(cg.jit, static_argnames="mode")
    def g(x, mode="double"):
        return x * 2 if mode == "double" else x * 3

    np.testing.assert_allclose(g(X, mode="triple"), 3 * X)
    with pytest.raises(ValueError, match="hashable"):
        f(X, [1])


# ------------------------------------------------- cg.function over every transform
def _f(x):
    return cg.sum(cg.sin(x) ** 2 * x)


def _g2(x, y):
    return cg.sin(x) * y, x @ y


V, U = X[0], Y[0]
TRANSFORMS = {
    "grad": (cg.grad(_f), (V,)),
    "jacfwd": (cg.jacfwd(cg.sin), (V,)),
    "jacrev": (cg.jacrev(cg.sin), (V,)),
    "jacobian": (cg.jacobian(lambda x: cg.outer(x, x)), (V,)),
    "hessian": (cg.hessian(_f), (V,)),
    "jacfwd(jacrev)": (cg.jacfwd(cg.jacrev(_f)), (V,)),
    "jacrev two args": (lambda x, y: cg.jacrev(_g2, argnums=(0, 1))(x, y), (V, U)),
    "vjp": (lambda x: cg.vjp(cg.sin, x)[1](cg.ones_like(x)), (V,)),
    "vjp two outputs": (lambda x, y: cg.vjp(_g2, x, y)[1]((x, 2.0)), (V, U)),
    "jvp": (lambda x: cg.jvp(cg.sin, (x,), (cg.ones_like(x),)), (V,)),
    "jvp two outputs": (lambda x, y: cg.jvp(_g2, (x, y), (y, x)), (V, U)),
    "grad of jvp": (cg.grad(lambda x: cg.jvp(_f, (x,), (x,))[1]), (V,)),
    "jvp of grad": (lambda x: cg.jvp(cg.grad(_f), (x,), (x,)), (V,)),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_function_traces_every_transform(name):
    fn, args = TRANSFORMS[name]
    compiled = cg.function(fn)
    got = compiled(*args)
    assert compiled.traces == 1
    for a, b in zip(_leaves(got), _leaves(fn(*args))):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_function_of_hessian_matches_jax(jax):
    import jax.numpy as jnp

    got = cg.jit(cg.hessian(lambda x: cg.sum(cg.tanh(x @ W))))(V)
    want = jax.hessian(lambda x: jnp.sum(jnp.tanh(x @ W)))(V)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


def test_vdot_is_numpy_and_jax():
    a, b = np.array([1 + 2j, 3 - 1j]), np.array([2 - 1j, 1j])
    np.testing.assert_allclose(cg.vdot(a, b), np.vdot(a, b))
    assert float(cg.grad(lambda x: cg.vdot(x, x))(1.5)) == 3.0


def test_vmap_gradients_reach_parameters_without_a_tape():
    w = cg.tensor(W, requires_grad=True)
    cg.vmap(lambda x: cg.sum(cg.tanh(x @ w)))(X).sum().backward()
    t = np.tanh(X @ W)
    np.testing.assert_allclose(w.grad, X.T @ (1 - t**2), rtol=1e-12)


def test_vmap_of_a_model_under_no_grad_is_batched(monkeypatch):
    def no_loop(*a, **k):
        raise AssertionError("vmap fell back to a per-example loop")

    w = cg.Variable(W)
    monkeypatch.setattr(BATCHED, "_loop", no_loop)
    with cg.no_grad():
        got = cg.vmap(lambda x: cg.tanh(x @ w))(X)
    np.testing.assert_allclose(got, np.tanh(X @ W), rtol=1e-12)
