"""Forward mode: every op's JVP rule against finite differences and reverse mode."""
import numpy as np
import pytest

import compgraph as cg
from compgraph.autodiff import grad
from compgraph.autodiff.forward import jvp

rng = np.random.default_rng(1)
A = rng.standard_normal((3, 4))
B = rng.standard_normal((4,))
C = rng.standard_normal((2, 3, 4))
P = rng.uniform(0.5, 2.0, (3, 4))
M = A + np.where(A > 0, 0.1, -0.1)  # away from 0 and from ties

# (name, function of Tensors, inputs)
CASES = [
    ("add", lambda a, b: a + b, (A, B)), ("subtract", lambda a, b: a - b, (A, B)),
    ("multiply", lambda a, b: a * b, (A, B)), ("divide", lambda a, b: a / (b * b + 1), (A, B)),
    ("power", lambda a, b: a ** b, (P, B)), ("power_int", lambda a: a ** 3, (A,)),
    ("negative", lambda a: -a, (A,)), ("identity", lambda a: cg.stop_gradient(a) * 0 + a, (A,)),
    ("exp", cg.exp, (A,)), ("log", cg.log, (P,)), ("sqrt", cg.sqrt, (P,)),
    ("sin", cg.sin, (A,)), ("cos", cg.cos, (A,)), ("tan", lambda a: cg.tan(a * 0.3), (A,)),
    ("tanh", cg.tanh, (A,)), ("sigmoid", cg.sigmoid, (A,)),
    ("softplus", cg.softplus, (A,)), ("erf", cg.erf, (A,)), ("gelu", cg.gelu, (A,)), ("relu", cg.relu, (M,)),
    ("abs", cg.abs, (M,)), ("maximum", cg.maximum, (M, B)), ("minimum", cg.minimum, (M, B)),
    ("where", lambda a, b: cg.where(A > 0, a, b), (A, B)),
    ("clip", lambda a: cg.clip(a, -0.5, 0.5), (M,)),
    ("astype", lambda a: cg.astype(a, "float64") * 2, (A,)),
    ("sum", lambda a: a.sum(axis=1), (A,)), ("sum_keep", lambda c: c.sum(axis=(0, 2), keepdims=True), (C,)),
    ("mean", lambda c: c.mean(axis=-1), (C,)), ("max", lambda a: a.max(axis=0), (A,)),
    ("min", lambda a: a.min(), (A,)), ("reshape", lambda a: a.reshape(2, 6), (A,)),
    ("transpose", lambda c: c.transpose(2, 0, 1), (C,)),
    ("swapaxes", lambda c: cg.swapaxes(c, 0, 2), (C,)),
    ("expand_dims", lambda a: cg.expand_dims(a, (0, 2)), (A,)),
    ("squeeze", lambda a: cg.squeeze(a[None], 0), (A,)),
    ("getitem", lambda a: a[[0, 0, 2], 1:3], (A,)), ("getitem_mask", lambda a: a[A > 0], (A,)),
    ("broadcast_to", lambda b: cg.broadcast_to(b, (3, 4)), (B,)),
    ("matmul", lambda a, b: a @ b, (A, B)), ("matmul_2d", lambda a: a @ a.T, (A,)),
    ("matmul_batched", lambda c, a: c @ a.T, (C, A)), ("matmul_vv", lambda b: b @ b, (B,)),
    ("linear", lambda c, a, b: cg.linear(c, a, b[:3]), (C, A, B)),
    ("addmm", lambda a, b: cg.addmm(a[:, :3], a, a.T, alpha=-0.5, beta=2.0) * b[:3], (A, B)),
    ("concatenate", lambda a, b: cg.concatenate([a, b[None]], axis=0), (A, B)),
    ("stack", lambda a, b: cg.stack([a[0], b], axis=1), (A, B)),
    ("softmax", lambda a: cg.softmax(a, axis=0), (A,)), ("log_softmax", cg.log_softmax, (A,)),
    ("logsumexp", lambda a: cg.logsumexp(a, axis=1), (A,)),
]


def _numeric_jvp(f, xs, vs, eps=1e-6):
    plus = [cg.tensor(x + eps * v) for x, v in zip(xs, vs)]
    minus = [cg.tensor(x - eps * v) for x, v in zip(xs, vs)]
    return (f(*plus).numpy() - f(*minus).numpy()) / (2 * eps)


@pytest.mark.parametrize("name,f,xs", CASES, ids=[c[0] for c in CASES])
def test_jvp_matches_finite_differences(name, f, xs):
    vs = [rng.standard_normal(np.shape(x)) for x in xs]
    y, t = jvp(f, [cg.tensor(x) for x in xs], [cg.tensor(v) for v in vs])
    np.testing.assert_allclose(y.numpy(), f(*[cg.tensor(x) for x in xs]).numpy())
    np.testing.assert_allclose(t.numpy(), _numeric_jvp(f, xs, vs), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,f,xs", CASES[::3], ids=[c[0] for c in CASES[::3]])
def test_jvp_agrees_with_reverse_mode(name, f, xs):
    """<u, J v> from forward mode equals <J^T u, v> from reverse mode."""
    vs = [rng.standard_normal(np.shape(x)) for x in xs]
    _, t = jvp(f, [cg.tensor(x) for x in xs], [cg.tensor(v) for v in vs])
    u = rng.standard_normal(t.shape)
    leaves = [cg.tensor(x, requires_grad=True) for x in xs]
    gs = grad(f(*leaves), leaves, u)
    lhs = float(np.sum(u * t.numpy()))
    rhs = sum(float(np.sum(g.numpy() * v)) for g, v in zip(gs, vs) if g is not None)
    assert lhs == pytest.approx(rhs, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("name,f,xs", CASES, ids=[c[0] for c in CASES])
def test_batched_jacfwd_matches_jacrev_for_every_op(name, f, xs):
    """jacfwd pushes every basis direction at once through each op's JVP rule (batched
    tangents); it must give reverse mode's Jacobian for every op and every operand."""
    argnums = tuple(range(len(xs)))
    fwd = cg.jacfwd(f, argnums=argnums)(*xs)
    rev = cg.jacrev(f, argnums=argnums)(*xs)
    for jf, jr in zip(fwd, rev):
        np.testing.assert_allclose(jf.numpy(), jr.numpy(), rtol=1e-12, atol=1e-12)


def test_every_differentiable_op_has_a_jvp_rule_or_is_linear():
    from compgraph.ops import OPS
    missing = [n for n, o in OPS.items() if o.builtin and o.vjp is not None and o.jvp is None and not o.linear]
    assert missing == []


def test_float32_tangents_stay_float32():
    x = cg.tensor(np.ones(3, np.float32))
    y, t = jvp(lambda x: cg.tanh(x) * 2.0, [x], [cg.tensor(np.ones(3, np.float32))])
    assert y.dtype == np.float32 and t.dtype == np.float32


def test_forward_over_reverse_and_reverse_over_forward():
    x = cg.tensor(2.0, requires_grad=True)
    _, t = jvp(lambda x: grad(x ** 3, [x], create_graph=True)[0], [x], [cg.tensor(1.0)])
    assert float(t) == pytest.approx(12.0)  # d/dx 3x^2
    x = cg.tensor(2.0, requires_grad=True)
    _, t = jvp(lambda x: cg.sin(x) * x, [x], [cg.tensor(1.0)])
    t.backward()  # d/dx (cos(x) x + sin(x))
    assert float(x.grad) == pytest.approx(2 * np.cos(2.0) - 2 * np.sin(2.0))


def test_nested_jvp_does_not_confuse_levels():
    def inner(x):
        return jvp(lambda z: z ** 3, [x], [cg.tensor(1.0)])[1]  # 3 x^2
    y, t = jvp(inner, [cg.tensor(2.0)], [cg.tensor(1.0)])
    assert float(y) == pytest.approx(12.0) and float(t) == pytest.approx(12.0)
    # perturbation confusion check (Siskind & Pearlmutter): d/dx [x * d/dy (x + y)] = 1
    def f(x):
        return x * jvp(lambda y: x + y, [cg.tensor(1.0)], [cg.tensor(1.0)])[1]
    _, t = jvp(f, [cg.tensor(1.0)], [cg.tensor(1.0)])
    assert float(t) == pytest.approx(1.0)


def test_jacfwd_in_small_batches_equals_one_batch(monkeypatch):
    """A memory budget smaller than all the directions splits them into several
    batches; the Jacobian must not change."""
    import compgraph.transforms as transforms
    a = rng.standard_normal((5, 7))

    def f(x):
        return cg.tanh(cg.constant(a) @ x).sum() * x + x[2:5].sum()

    x = rng.standard_normal(7)
    whole = cg.jacfwd(f)(x).numpy()
    monkeypatch.setattr(transforms, "_BATCH_ELEMENTS", 40)  # a few directions per batch
    np.testing.assert_array_equal(cg.jacfwd(f)(x).numpy(), whole)
    np.testing.assert_allclose(whole, cg.jacrev(f)(x).numpy(), rtol=1e-12, atol=1e-12)
