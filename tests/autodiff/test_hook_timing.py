"""A leaf's hooks run as soon as its gradient is complete, during backward (PyTorch's
order), and queued callbacks run once backward has set every .grad: what a data-parallel
wrapper needs to overlap communication with the rest of backward."""
from __future__ import annotations

import numpy as np

import compgraph as cg
from compgraph.autodiff import engine


def test_leaf_hook_runs_before_the_rest_of_backward():
    events = []
    a = cg.tensor([1.0], requires_grad=True)
    b = cg.tensor([2.0], requires_grad=True)
    a.register_hook(lambda g: events.append(("a", float(g[0]))))
    b.register_hook(lambda g: events.append(("b", float(g[0]))))
    h = b * 3
    y = (a * h).sum() + cg.exp(h * 0.1).sum()
    # a's gradient is complete after the first product's rule, before h's subtree runs
    t = cg.tensor(0.0, requires_grad=True)
    t.register_hook(lambda g: events.append(("t", float(g))))
    y = y + t * 0
    engine.queue_callback(lambda: events.append(("done", float(a.grad[0]), float(b.grad[0]))))
    y.backward()
    names = [e[0] for e in events]
    assert names[-1] == "done" and set(names[:-1]) == {"a", "b", "t"}
    assert names.index("a") < names.index("b")
    assert events[-1][1:] == (6.0, 3 * 1.0 + 0.3 * np.exp(0.6))
    assert dict((e[0], e[1]) for e in events[:-1])["a"] == 6.0


def test_hook_runs_while_later_nodes_still_wait():
    a = cg.tensor([1.0], requires_grad=True)
    b = cg.tensor([2.0], requires_grad=True)
    h = cg.exp(b * 3)
    pending = []
    # h's node (exp) has not run yet when a's gradient is complete: its saved values are
    # still there (backward frees them as each node runs)
    a.register_hook(lambda g: pending.append(h._node.saved is not None))
    (a * h).sum().backward()
    assert pending == [True]


def test_hook_sees_every_contribution():
    x = cg.tensor(2.0, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(float(g)))
    (x * x + 3 * x).backward()
    assert seen == [7.0] and float(x.grad) == 7.0


def test_a_hook_can_still_replace_the_gradient():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: g * 0)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])
