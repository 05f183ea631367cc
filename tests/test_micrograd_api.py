"""Code written for micrograd runs with ``Value`` -> ``cg.tensor(..., requires_grad=True)``:
its README demo, its tests (torch as the oracle where installed), a neuron and a training
loop written as micrograd's demo writes them, and walking the graph as trace_graph does."""

from __future__ import annotations

import random

import pytest

import compgraph as cg


def Value(x, label=None):  # micrograd's constructor, as a user would alias it
    t = cg.tensor(x, requires_grad=True)
    if label is not None:
        t.label = label
    return t


def test_readme_demo():
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_sanity_check_against_torch():
    torch = pytest.importorskip("torch")
    x = Value(-4.0)
    z = 2 * x + 2 + x
    q = z.relu() + z * x
    h = (z * z).relu()
    y = h + q + q * x
    y.backward()
    xt = torch.Tensor([-4.0]).double()
    xt.requires_grad = True
    zt = 2 * xt + 2 + xt
    qt = zt.relu() + zt * xt
    ht = (zt * zt).relu()
    yt = ht + qt + qt * xt
    yt.backward()
    assert y.data == yt.data.item()
    assert x.grad == xt.grad.item()


def test_integer_values_and_labels():
    x = Value(2)  # micrograd's Value(2): an int that must record becomes the default float
    assert x.dtype == "float64" and x.requires_grad
    assert cg.tensor(0, requires_grad=True).item() == 0.0
    y = x * Value(3, label="w")
    y.label = "y"
    assert y.label == y.name == "y"
    y.backward()
    assert float(x.grad) == 3.0
    assert "y" in cg.to_dot(y)  # labels show in the picture, as draw_dot's


class Neuron:
    """micrograd's nn.Neuron, written against compgraph."""

    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


def test_neuron_and_training_loop_as_micrograds_demo():
    random.seed(1337)
    n = Neuron(2, nonlin=False)
    xs = [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0], [1.0, 1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(20):
        preds = [n([Value(a), Value(b)]) for a, b in xs]
        loss = sum((p - y) ** 2 for p, y in zip(preds, ys))
        for p in n.parameters():
            p.grad = 0  # micrograd's zero_grad
        loss.backward()
        for p in n.parameters():
            p.data -= 0.01 * p.grad  # micrograd's update: in place on the leaf's data
        losses.append(float(loss.data))
    assert losses[-1] < losses[0]
    assert all(p.is_leaf and p.requires_grad for p in n.parameters())


def test_trace_graph_idioms():
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    # trace(root): nodes and edges by walking the inputs of each op, as trace_graph does
    nodes, edges, stack = set(), set(), [y.grad_fn]
    while stack:
        v = stack.pop()
        if v in nodes:
            continue
        nodes.add(v)
        for child, _ in v.next_functions:
            if child is not None and hasattr(child, "op"):
                edges.add((child, v))
                stack.append(child)
    assert sorted(n.name() for n in nodes) == sorted(["relu", "add", "multiply"])
    assert len(edges) == 2
    leaf = y.grad_fn.next_functions[0][0].next_functions[0][0].next_functions[0][0]
    assert leaf.variable is x and float(leaf.variable.grad) == 2.0
    assert "digraph" in cg.to_dot(y)  # draw_dot(y): compgraph draws the graph itself
