"""The recorded graph and CPython's cyclic GC: big graphs are kept out of full
collections (frozen in blocks while recording) and are freed by reference counting
alone; the user's own cyclic garbage is still collected, and a user's ``gc.freeze``
is left alone."""
from __future__ import annotations

import gc
import weakref

import pytest

import compgraph as cg
from compgraph.autodiff import recording


@pytest.fixture(autouse=True)
def _fresh_gc_state():
    saved = dict(recording._GC)
    recording.unpark_graph()
    recording._GC.update(frozen=False, off=False)
    yield
    recording.unpark_graph()
    recording._GC.update(saved, frozen=False)
    gc.unfreeze()


def _chain(x, ops):
    y = x
    for _ in range(ops // 2):
        y = cg.sin(y) + 0.1
    return y


def test_a_graph_of_a_million_ops_is_freed_when_the_output_is_dropped():
    x = cg.tensor(0.5, requires_grad=True)
    y = _chain(x, 1_000_000)
    first = weakref.ref(y._node)
    node = y._node
    for _ in range(999_000):  # walk down to an early node
        node = node.parents[0]
        if type(node) is not recording.Node:
            break
    early = weakref.ref(node)
    del node
    assert gc.get_freeze_count() > 0  # the graph was parked out of the collector's way
    gc.disable()  # freed by reference counting alone: no cycle in what is recorded
    try:
        del y
        assert first() is None and early() is None
    finally:
        gc.enable()


def test_backward_hands_frozen_objects_back_and_gives_the_gradient():
    x = cg.tensor(0.5, requires_grad=True)
    y = _chain(x, 20_000)
    assert recording._GC["frozen"]
    y.backward()
    assert not recording._GC["frozen"] and gc.get_freeze_count() == 0
    z = cg.tensor(0.5, requires_grad=True)
    w = z
    for _ in range(10):
        w = cg.sin(w) + 0.1
    w.backward()
    assert x.grad.shape == () and abs(float(x.grad)) < 1  # the chain's product of cosines


def test_the_users_cyclic_garbage_is_still_collected_while_recording(monkeypatch):
    monkeypatch.setitem(recording._GC, "collect_at", 0)  # collect at the next park

    class Cycle:
        pass

    c = Cycle()
    c.me = c
    ref = weakref.ref(c)
    del c
    x = cg.tensor(0.5, requires_grad=True)
    y = _chain(x, 3 * 4096)  # parks twice: the second one collects
    assert ref() is None
    del y


def test_a_users_own_freeze_is_left_alone():
    keep = [object() for _ in range(10)]
    gc.freeze()
    frozen = gc.get_freeze_count()
    x = cg.tensor(0.5, requires_grad=True)
    y = _chain(x, 3 * 4096)
    y.backward()
    assert gc.get_freeze_count() >= frozen  # nothing of theirs was unfrozen
    assert recording._GC["off"]
    del keep
