"""A list or tuple holding tensors, given to a cg function, keeps the graph (it is
stacked, as JAX and NumPy read such a list as an array); cg.tensor of one warns."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import compgraph as cg


@pytest.mark.parametrize("f,expect", [
    (lambda x: cg.mean([x, x + 2]), 1.0),
    (lambda x: cg.sum([x, 2 * x]), 3.0),
    (lambda x: cg.max([x, 2 * x]), 2.0),
    (lambda x: cg.min((x, 2 * x)), 1.0),
    (lambda x: cg.sum(cg.exp([x, [x, x]][1])), 2 * np.exp(1.0)),
    (lambda x: cg.sum(cg.multiply([x, 1.0], [3.0, x])), 4.0),
])
def test_gradient_flows_into_each_element(f, expect):
    assert float(cg.grad(f)(1.0)) == pytest.approx(expect)
    x = cg.tensor(1.0, requires_grad=True)
    f(x).backward()
    assert float(x.grad) == pytest.approx(expect)


def test_nested_lists_and_static_graphs():
    x = cg.tensor(2.0, requires_grad=True)
    y = cg.sum(cg.exp([[x, 1.0], [x * x, 0.0]]))
    y.backward()
    assert float(x.grad) == pytest.approx(np.exp(2.0) + 4 * np.exp(4.0))
    g = cg.Graph()
    a = g.input("a", shape=(), dtype="float64")
    s = cg.sum([a, a * 3])
    (da,) = g.gradients(s, [a])
    assert float(g.run(da, {"a": 1.0})) == 4.0
    assert float(cg.function(lambda v: cg.mean([v, 3 * v]))(1.0)) == 2.0


def test_cg_tensor_of_recording_tensors_warns_that_the_graph_is_cut():
    x = cg.tensor(1.0, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t = cg.tensor([x, 2 * x])
        cg.tensor([1.0, 2.0])  # plain numbers: no warning
    assert len(caught) == 1 and "cg.stack" in str(caught[0].message)
    assert t.is_leaf and not t.requires_grad
