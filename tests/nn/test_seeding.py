"""cg.manual_seed makes a model's initialisation and its dropout repeatable, as
torch.manual_seed does (layers and F.dropout draw from the process's generator unless
given their own seed or generator)."""
from __future__ import annotations

import numpy as np

import compgraph as cg
import compgraph.nn.functional as F


def _build_and_run():
    net = cg.nn.Sequential(cg.nn.Linear(5, 8), cg.nn.ReLU(), cg.nn.Dropout(0.5),
                           cg.nn.Linear(8, 3))
    lstm = cg.nn.LSTM(3, 4)
    x = cg.tensor(np.ones((2, 5)))
    return [p.numpy().copy() for p in net.parameters()] + [
        p.numpy().copy() for p in lstm.parameters()] + [net(x).numpy(), F.dropout(x).numpy()]


def test_manual_seed_repeats_init_and_dropout():
    cg.manual_seed(123)
    first = _build_and_run()
    cg.manual_seed(123)
    again = _build_and_run()
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    cg.manual_seed(124)
    other = _build_and_run()
    assert not np.array_equal(first[0], other[0])


def test_a_layers_own_seed_still_wins():
    a = cg.nn.Linear(4, 4, seed=7).weight.numpy()
    cg.manual_seed(1)
    b = cg.nn.Linear(4, 4, seed=7).weight.numpy()
    np.testing.assert_array_equal(a, b)
