"""Property tests: gradients of random expression DAGs.

Each example is a DAG over a few float64 leaves (all of one shape, or 0-d and
broadcast), with nodes that apply a random op to randomly chosen *earlier*
nodes, so values have several consumers (shared subexpressions).  The output
is the sum of the last few nodes.  Gradients are checked against central
finite differences (``cg.gradcheck``) and against PyTorch on the same DAG,
first and second order.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import compgraph as cg

torch = pytest.importorskip("torch")


class _CG:
    tanh, sin, cos, exp, log, sqrt, sigmoid = (cg.tanh, cg.sin, cg.cos, cg.exp, cg.log,
                                               cg.sqrt, cg.sigmoid)


class _Torch:
    tanh, sin, cos, exp, log, sqrt, sigmoid = (torch.tanh, torch.sin, torch.cos, torch.exp,
                                               torch.log, torch.sqrt, torch.sigmoid)


# name -> (arity, fn(lib, *args)); the same code runs on compgraph and torch values.
UNARY = {
    "tanh": lambda L, a: L.tanh(a),
    "sin": lambda L, a: L.sin(a),
    "cos": lambda L, a: L.cos(a),
    "exp_tanh": lambda L, a: L.exp(L.tanh(a)),
    "sigmoid": lambda L, a: L.sigmoid(a),
    "neg": lambda L, a: -a,
    "square": lambda L, a: a ** 2,
    "cube": lambda L, a: a ** 3,
    "recip": lambda L, a: 1.0 / (a * a + 1),
    "log1p_sq": lambda L, a: L.log(a * a + 1),
    "sqrt1p_sq": lambda L, a: L.sqrt(a * a + 1),
    "scale": lambda L, a: 0.5 * a - 1.5,
    "center": lambda L, a: a - a.mean(),
    "times_sum": lambda L, a: a * L.tanh(a.sum()),
    "plus_mean_sq": lambda L, a: a + (a * a).mean(),
}
BINARY = {
    "add": lambda L, a, b: a + b,
    "sub": lambda L, a, b: a - b,
    "mul": lambda L, a, b: a * b,
    "div": lambda L, a, b: a / (b * b + 1),
    "rdiv": lambda L, a, b: (a - 2.0) / (1 + L.exp(L.tanh(b))),
    "mul_tanh": lambda L, a, b: a * L.tanh(b),
    "sum_bcast": lambda L, a, b: a * b.sum() * 0.25,
    "pow_mix": lambda L, a, b: a ** 2 * b - b ** 3 * 0.1,
}
TERNARY = {
    "fma": lambda L, a, b, c: a * b + c,
    "mix": lambda L, a, b, c: L.sigmoid(a) * b - L.sin(c) * a,
}
OPS = {**{k: (1, f) for k, f in UNARY.items()},
       **{k: (2, f) for k, f in BINARY.items()},
       **{k: (3, f) for k, f in TERNARY.items()}}
OP_NAMES = sorted(OPS)

SHAPES = [(), (3,), (2, 3)]


@st.composite
def dags(draw):
    shape = draw(st.sampled_from(SHAPES))
    n_leaves = draw(st.integers(1, 3))
    leaves = []
    for i in range(n_leaves):
        # the first leaf has the full shape; the others may be 0-d (broadcast)
        s = shape if i == 0 or not draw(st.booleans()) else ()
        size = int(np.prod(s)) if s else 1
        vals = draw(st.lists(st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False),
                             min_size=size, max_size=size))
        leaves.append(np.array(vals, dtype=np.float64).reshape(s))
    n_nodes = draw(st.integers(1, 8))
    nodes = []
    for k in range(n_nodes):
        avail = n_leaves + k
        name = draw(st.sampled_from(OP_NAMES))
        arity = OPS[name][0]
        # the first operand is often the newest value (a deep DAG); the others are any
        # earlier value, so values get several consumers
        first = draw(st.one_of(st.just(avail - 1), st.integers(0, avail - 1)))
        args = (first, *(draw(st.integers(0, avail - 1)) for _ in range(arity - 1)))
        nodes.append((name, args))
    n_out = draw(st.integers(1, min(3, n_nodes)))
    return shape, leaves, nodes, n_out


def evaluate(dag, inputs, L):
    """Evaluate the DAG with library ``L`` (``_CG`` or ``_Torch``) on the leaf values."""
    _, _, nodes, n_out = dag
    values = list(inputs)
    for name, args in nodes:
        values.append(OPS[name][1](L, *(values[i] for i in args)))
    out = values[-1]
    for v in values[-n_out:-1]:
        out = out + v
    return out


def forward_ok(dag):
    """Reject DAGs whose values overflow or get too large for finite differences."""
    with cg.no_grad():
        out = evaluate(dag, [cg.tensor(x) for x in dag[1]], _CG)
    arr = np.asarray(out.data)
    return bool(np.all(np.isfinite(arr)) and np.max(np.abs(arr), initial=0.0) < 1e4)


def torch_leaves(dag):
    return [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in dag[1]]


def cg_leaves(dag):
    return [cg.tensor(x.copy(), requires_grad=True) for x in dag[1]]


SETTINGS = settings(max_examples=75, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@SETTINGS
@given(dags())
def test_gradcheck_random_dag(dag):
    assume(forward_ok(dag))
    assert cg.gradcheck(lambda *xs: evaluate(dag, xs, _CG), *dag[1])


@SETTINGS
@given(dags(), st.randoms(use_true_random=False))
def test_backward_matches_torch_on_random_dag(dag, rnd):
    assume(forward_ok(dag))
    xs = cg_leaves(dag)
    out = evaluate(dag, xs, _CG)
    tx = torch_leaves(dag)
    tout = evaluate(dag, tx, _Torch)
    assert out.shape == tuple(tout.shape)
    np.testing.assert_allclose(np.asarray(out.data), tout.detach().numpy(), rtol=1e-12, atol=1e-12)

    seed = np.array([rnd.uniform(-1, 1) for _ in range(out.size)]).reshape(out.shape)
    if out.size == 1 and rnd.random() < 0.5:
        out.backward()
        tout.backward(torch.ones_like(tout))
        seed = np.ones(out.shape)
    else:
        out.backward(seed)
        tout.backward(torch.tensor(seed))
    # cg.autodiff.grad gives the same numbers without touching .grad (graph is freed: rebuild)
    xs2 = cg_leaves(dag)
    g2 = cg.autodiff.grad(evaluate(dag, xs2, _CG), xs2, grad_outputs=seed)
    for x, t, x2, g in zip(xs, tx, xs2, g2):
        assert x2.grad is None
        if t.grad is None:  # a leaf the output does not use
            assert x.grad is None and g is None
            continue
        assert x.grad is not None and x.grad.shape == x.shape
        assert x.grad.dtype == np.float64
        np.testing.assert_allclose(np.asarray(x.grad.data), t.grad.numpy(), rtol=1e-9, atol=1e-10)
        np.testing.assert_allclose(np.asarray(g.data), t.grad.numpy(), rtol=1e-9, atol=1e-10)


@SETTINGS
@given(dags(), st.randoms(use_true_random=False))
def test_hessian_vector_product_matches_torch_on_random_dag(dag, rnd):
    assume(forward_ok(dag))
    shape = dag[0]
    w = np.array([rnd.uniform(-1, 1) for _ in range(int(np.prod(shape)))]).reshape(shape)
    vs = [np.array([rnd.uniform(-1, 1) for _ in range(x.size)]).reshape(x.shape) for x in dag[1]]

    def scalar_loss(xs, L, wrap):
        out = evaluate(dag, xs, L)
        # the cubic term makes every first derivative depend on every leaf
        loss = (out * wrap(w)).sum()
        for x in xs:
            loss = loss + (x * x * x).sum() * 0.1
        return loss

    xs = cg_leaves(dag)
    gs = cg.autodiff.grad(scalar_loss(xs, _CG, cg.tensor), xs, create_graph=True)
    dot = None
    for g, v in zip(gs, vs):
        term = (g * cg.tensor(v)).sum()
        dot = term if dot is None else dot + term
    hv = cg.autodiff.grad(dot, xs)
    assert all(x.grad is None for x in xs)

    tx = torch_leaves(dag)
    tgs = torch.autograd.grad(scalar_loss(tx, _Torch, torch.tensor), tx, create_graph=True)
    tdot = sum((g * torch.tensor(v)).sum() for g, v in zip(tgs, vs))
    thv = torch.autograd.grad(tdot, tx, allow_unused=True, materialize_grads=True)

    for g, tg in zip(gs, tgs):
        np.testing.assert_allclose(np.asarray(g.data), tg.detach().numpy(), rtol=1e-9, atol=1e-10)
    for h, th in zip(hv, thv):
        assert h is not None
        assert h.shape == tuple(th.shape)
        np.testing.assert_allclose(np.asarray(h.data), th.numpy(), rtol=1e-8, atol=1e-9)


@SETTINGS
@given(dags())
def test_accumulated_grads_equal_sum_of_parts(dag):
    """Two backward passes through one retained graph accumulate exactly twice the gradient."""
    assume(forward_ok(dag))
    xs = cg_leaves(dag)
    out = evaluate(dag, xs, _CG).sum()
    out.backward(retain_graph=True)
    first = [None if x.grad is None else np.array(x.grad.data) for x in xs]
    out.backward()
    for x, f in zip(xs, first):
        if f is None:
            assert x.grad is None
        else:
            np.testing.assert_allclose(np.asarray(x.grad.data), 2 * f, rtol=1e-15)
