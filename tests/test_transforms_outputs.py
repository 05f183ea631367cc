"""cg.grad needs a floating output, as JAX and HIPS autograd: a bool, an integer or a
complex value (without holomorphic=True) is a TypeError, never a silent zero."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg


@pytest.mark.parametrize("f", [
    lambda x: x > 0,
    lambda x: True,
    lambda x: 3,
    lambda x: np.int64(3),
    lambda x: cg.astype(x, "int64"),
    lambda x: cg.argmax(cg.stack([x, 2 * x])),
])
def test_non_floating_outputs_are_type_errors(f):
    with pytest.raises(TypeError, match="floating"):
        cg.grad(f)(1.0)
    with pytest.raises(TypeError, match="floating"):
        cg.value_and_grad(f)(1.0)


def test_jax_agrees():
    jax = pytest.importorskip("jax")
    with pytest.raises(TypeError):
        jax.grad(lambda x: x > 0)(1.0)


def test_complex_output_needs_holomorphic():
    with pytest.raises(TypeError, match="holomorphic"):
        cg.grad(lambda x: cg.astype(x, "complex128"))(1.0)


def test_static_graph_outputs_are_checked_too():
    with pytest.raises(TypeError, match="floating"):
        cg.function(cg.grad(lambda x: x > 0))(1.0)


def test_floating_outputs_still_work():
    assert float(cg.grad(lambda x: x * 3)(1.0)) == 3.0
    assert float(cg.grad(lambda x: 3.0)(1.0)) == 0.0
