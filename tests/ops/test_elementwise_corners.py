"""Elementwise ops at their corners: Python numbers compute in float64 (NumPy's
inference), and power's gradients at zero bases and exponents equal PyTorch's."""
from __future__ import annotations

import itertools

import numpy as np
import pytest

import compgraph as cg
from compgraph.ops import OPS


def _unary_float_ops():
    for name, op in sorted(OPS.items()):
        if op.builtin and op.elementwise and op.nargs == 1 and op.front.names \
                and not op.attr_names and op.dtype_rule is not None:
            yield name


@pytest.mark.parametrize("name", list(_unary_float_ops()))
def test_python_floats_compute_in_float64(name):
    fn = OPS[name].front.function
    with np.errstate(all="ignore"):
        r = fn(0.45)
    assert r.dtype == np.float64, (name, r.dtype)
    assert cg.sigmoid(0.45).item() == pytest.approx(1 / (1 + np.exp(-0.45)), rel=1e-15)


CORNERS = [0.0, 2.0, -2.0, 0.5, -1.0, 1.0, 3.0]


@pytest.mark.parametrize("a,b", list(itertools.product(CORNERS, CORNERS)))
def test_power_gradients_equal_torch(a, b):
    torch = pytest.importorskip("torch")
    for kind in ("both", "scalar_exponent", "scalar_base"):
        x = cg.tensor(a, requires_grad=True)
        y = cg.tensor(b, requires_grad=True)
        tx = torch.tensor(a, dtype=torch.float64, requires_grad=True)
        ty = torch.tensor(b, dtype=torch.float64, requires_grad=True)
        with np.errstate(all="ignore"):
            if kind == "both":
                (x ** y).backward()
                (tx ** ty).backward()
                pairs = [(x, tx), (y, ty)]
            elif kind == "scalar_exponent":
                (x ** b).backward()
                (tx ** b).backward()
                pairs = [(x, tx)]
            else:
                (a ** y).backward()
                (a ** ty).backward()
                pairs = [(y, ty)]
        for mine, theirs in pairs:
            np.testing.assert_allclose(float(mine.grad), float(theirs.grad), rtol=1e-14,
                                       err_msg=f"{a}**{b} {kind}")


def test_power_of_python_ints_is_bounded():
    assert cg.power(2, 10).item() == 1024
    cg.power(2, 10 ** 12)  # NumPy's int64 power: instant, not Python's big integers


def test_power_gradient_at_infinite_base_and_zero_exponent_is_zero_as_torch():
    x = cg.tensor([np.inf, -np.inf, 2.0], requires_grad=True)
    y = cg.tensor([0.0, 0.0, 0.0], requires_grad=True)
    with np.errstate(all="ignore"):
        (x**y).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0, 0.0])


def test_clip_takes_numpys_min_and_max_keywords():
    x = cg.tensor([1.0, 5.0, 9.0], requires_grad=True)
    r = cg.clip(x, min=2.0, max=6.0)
    np.testing.assert_array_equal(r.numpy(), np.clip([1.0, 5.0, 9.0], min=2.0, max=6.0))
    r.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 0.0])
    with pytest.raises(TypeError, match="clip"):
        cg.clip(x, 1.0, min=2.0)
    assert cg.pow is cg.power
