"""Gradient tapes as TensorFlow's: a Variable used as the target itself, why_none's
wording, and two non-persistent tapes open at once."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg


def test_target_that_is_the_variable_itself():
    v = cg.Variable(2.0)
    with cg.GradientTape() as tape:
        r = v
    assert float(tape.gradient(r, v)) == 1.0
    with cg.GradientTape() as tape:
        r = v
    (g,) = tape.gradient(r, [v])
    assert float(g) == 1.0


def test_tensorflow_agrees_on_the_identity_target():
    tf = pytest.importorskip("tensorflow")
    v = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        r = v
    assert float(tape.gradient(r, v)) == 1.0


def test_why_none_does_not_blame_watch_accessed_variables_when_it_is_on():
    v = cg.Variable(2.0)
    with cg.GradientTape() as tape:
        y = cg.constant(1.0) * 3
    why = tape.why_none(y, v)
    assert "watch_accessed_variables=False" not in why and "read" in why
    with cg.GradientTape(watch_accessed_variables=False) as tape:
        y = cg.constant(1.0) * 3
    assert "watch_accessed_variables=False" in tape.why_none(y, v)


def test_two_non_persistent_tapes_open_at_once():
    x = cg.constant(np.array([3.0, 1.0]))
    with cg.GradientTape() as t0, cg.GradientTape() as t1:
        t0.watch(x)
        t1.watch(x)
        y = (x * x * x).sum()
    np.testing.assert_array_equal(t0.gradient(y, x).numpy(), [27.0, 3.0])
    np.testing.assert_array_equal(t1.gradient(y, x).numpy(), [27.0, 3.0])
    with pytest.raises(RuntimeError, match="only once"):
        t0.gradient(y, x)
