"""Version counters, as PyTorch's: a value the backward still needs, changed in place
after it was used, makes backward raise (naming the op) instead of a wrong gradient."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg


def test_in_place_change_of_a_saved_input():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    with cg.no_grad():
        x += 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation.*multiply"):
        y.sum().backward()


def test_data_iadd_and_setitem_count_too():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    x.data += 1
    with pytest.raises(RuntimeError, match="in-place"):
        y.sum().backward()
    c = cg.tensor([3.0, 4.0])
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    y = x * c
    c[0] = 10.0
    with pytest.raises(RuntimeError, match="in-place"):
        y.sum().backward()


def test_an_optimiser_step_between_forward_and_backward():
    model = cg.nn.Sequential(cg.nn.Linear(2, 3, seed=0), cg.nn.Tanh(), cg.nn.Linear(3, 1, seed=1))
    opt = cg.optim.SGD(model.parameters(), lr=0.1)
    x = cg.tensor(np.ones((3, 2)))
    loss1 = (model(x) ** 2).sum()
    loss1.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="in-place"):
        loss1.backward()


def test_the_usual_training_loop_is_unaffected():
    model = cg.nn.Linear(2, 1, seed=0)
    opt = cg.optim.Adam(model.parameters(), lr=0.1)
    x = cg.tensor(np.ones((3, 2)))
    for _ in range(3):
        opt.zero_grad()
        (model(x) ** 2).sum().backward()
        opt.step()


def test_a_change_before_recording_is_fine():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    with cg.no_grad():
        x += 1
    y = x * x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [4.0, 6.0])


def test_variable_assign_keeps_the_values_the_graph_read():
    v = cg.Variable([1.0, 2.0])
    with cg.GradientTape() as tape:
        y = (v * v).sum()
    v.assign([10.0, 10.0])  # a new buffer: the graph keeps what it read
    np.testing.assert_array_equal(tape.gradient(y, v).numpy(), [2.0, 4.0])


def test_versions_match_torch_on_exp_plus_equals():
    torch = pytest.importorskip("torch")
    # torch refuses y += 1 after exp saved y; compgraph records y += 1 as a new value
    # (the saved buffer is left alone), so backward is correct: both are safe.
    x = cg.tensor([0.5, 1.0], requires_grad=True)
    y = cg.exp(x)
    y += 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.5, 1.0]))
    tx = torch.tensor([0.5, 1.0], requires_grad=True)
    ty = tx.exp()
    ty += 1
    with pytest.raises(RuntimeError, match="inplace"):
        ty.sum().backward()


def test_zero_grad_in_place_counts_as_a_change():
    x = cg.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    second = (x * x.grad).sum()  # a graph that keeps the gradient's array
    opt = cg.optim.SGD([x], lr=0.1)
    opt.zero_grad(set_to_none=False)
    with pytest.raises(RuntimeError, match="in-place"):
        second.backward()


def test_nodes_recorded_after_the_last_change_are_not_checked(monkeypatch):
    # A training loop: the optimiser changes the weight in place, then the next forward
    # records a new graph; its backward has nothing to check (and must stay fast).
    from compgraph.autodiff import engine

    w = cg.tensor(np.ones(3), requires_grad=True)
    with cg.no_grad():
        w -= 0.1 * cg.tensor(np.ones(3))  # noted as changed in place
    calls = []
    real = engine.check_unchanged
    monkeypatch.setattr(engine, "check_unchanged", lambda n: calls.append(n) or real(n))
    y = cg.sum(cg.sin(w) * w)
    y.backward()
    assert calls == []
    # a change after recording is still caught
    y = cg.sum(cg.sin(w) * w)
    with cg.no_grad():
        w -= 0.1 * cg.tensor(np.ones(3))
    with pytest.raises(RuntimeError, match="modified by an in-place"):
        y.backward()
    assert calls
