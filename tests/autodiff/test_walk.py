"""The plain backward walk (``loss.backward()`` with no leaf hooks): nodes in decreasing
recording order, sums of cotangents added in place once the walk made them.  It must give
what the counted walk gives, and never change an array anything else holds."""

from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg


def _rnn(w, xs):
    h = cg.tensor(np.zeros((2, 3)))
    for x in xs:
        h = cg.tanh(h @ w + x)
    return cg.sum(h * h)


def test_plain_and_counted_walks_agree_on_a_weight_used_at_every_step():
    rng = np.random.default_rng(0)
    w0, xs = rng.normal(size=(3, 3)) * 0.5, rng.normal(size=(6, 2, 3))
    w = cg.tensor(w0, requires_grad=True)
    _rnn(w, xs).backward()
    plain = w.grad.numpy().copy()
    v = cg.tensor(w0, requires_grad=True)
    v.register_hook(lambda g: g)  # a hooked leaf: the counted walk
    _rnn(v, xs).backward()
    np.testing.assert_allclose(plain, v.grad.numpy(), rtol=1e-13)
    torch = pytest.importorskip("torch")
    tw = torch.tensor(w0, requires_grad=True)
    h = torch.zeros(2, 3, dtype=torch.float64)
    for x in xs:
        h = torch.tanh(h @ tw + torch.tensor(x))
    (h * h).sum().backward()
    np.testing.assert_allclose(plain, tw.grad.numpy(), rtol=1e-12)


def test_in_place_sums_leave_retained_and_hooked_gradients_alone():
    x = cg.tensor(np.ones(3), requires_grad=True)
    u = x * 2.0
    u.retain_grad()
    seen = []
    u.register_hook(lambda g: seen.append(g.numpy().copy()) or None)
    kept = []
    v = u * 1.0
    v.register_hook(lambda g: kept.append(g) or None)  # keeps the Tensor itself
    y = cg.sum(v * 3.0) + cg.sum(u * 5.0) + cg.sum(u * 7.0)
    y.backward()
    before = kept[0].numpy().copy()
    np.testing.assert_allclose(u.grad.numpy(), [15.0] * 3)
    np.testing.assert_allclose(seen[0], [15.0] * 3)
    np.testing.assert_allclose(x.grad.numpy(), [30.0] * 3)
    np.testing.assert_allclose(kept[0].numpy(), before)  # not added to afterwards


def test_a_rule_returning_its_cotangent_is_not_changed_in_place():
    # add's rules hand g itself to both inputs: the first sum must be a new array.
    x = cg.tensor(np.arange(3.0), requires_grad=True)
    a = x * 1.0
    b = a + a
    c = b + a
    out = c * np.array([1.0, 2.0, 3.0])
    out.backward(np.ones(3))
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 6.0, 9.0])


def test_the_user_seed_is_never_changed():
    x = cg.tensor(np.arange(4.0), requires_grad=True)
    y = x * 1.0
    z = y + y
    seed = np.ones(4)
    z.backward(seed)
    np.testing.assert_array_equal(seed, np.ones(4))
    np.testing.assert_allclose(x.grad.numpy(), [2.0] * 4)


def test_leaf_grad_ignores_nodes_recorded_before_the_leaf():
    w = cg.tensor(2.0, requires_grad=True)
    pre = w * 3.0  # recorded before cg.grad's leaf exists

    def f(x):
        return x * pre + x * x

    assert float(cg.grad(f)(1.5)) == pytest.approx(6.0 + 3.0)
    assert w.grad is None
