"""cg.set_printoptions (PyTorch's torch.set_printoptions) changes Tensor's repr only."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch

import compgraph as cg
from compgraph.tensor import PRINT_OPTIONS

torch = optional_torch()


@pytest.fixture(autouse=True)
def _restore():
    saved = dict(PRINT_OPTIONS)
    yield
    PRINT_OPTIONS.clear()
    PRINT_OPTIONS.update(saved)


def test_precision_and_profiles_as_pytorch():
    x = cg.tensor([1.23456789, 2.0])
    cg.set_printoptions(precision=2)
    assert repr(x) == "Tensor([1.23, 2.00])"
    cg.set_printoptions(profile="default")
    assert repr(x) == "Tensor([1.2346, 2.0000])"
    cg.set_printoptions(profile="short")
    assert repr(x) == "Tensor([1.23, 2.00])"
    cg.set_printoptions(threshold=5, edgeitems=1)
    assert repr(cg.arange(10.0)) == "Tensor([0.00, ..., 9.00])"
    cg.set_printoptions(profile="full")
    assert "..." not in repr(cg.arange(2000.0))
    assert repr(np.array([1.23456789])) == "array([1.23456789])"  # NumPy's own: unchanged


def test_sci_mode():
    x = cg.tensor([1.23456789, 2.0, 1e-9])
    cg.set_printoptions(profile="default", sci_mode=True)
    assert repr(x) == "Tensor([1.2346e+00, 2.0000e+00, 1.0000e-09])"
    cg.set_printoptions(sci_mode=False)
    assert repr(x) == "Tensor([1.2346, 2.0000, 0.0000])"
    cg.set_printoptions(sci_mode=None)
    assert "e" in repr(x)  # NumPy's choice for this range


@pytest.mark.skipif(torch is None, reason="needs torch")
def test_same_digits_as_torch():
    v = [1.23456789, -2.5, 3.0]
    try:
        for kw in (dict(precision=3), dict(profile="default"), dict(profile="short")):
            torch.set_printoptions(**kw)
            cg.set_printoptions(**kw)
            want = repr(torch.tensor(v, dtype=torch.float64)).split("[")[1].split("]")[0]
            got = repr(cg.tensor(v)).split("[")[1].split("]")[0]
            assert [g.strip() for g in got.split(",")] == [w.strip() for w in want.split(",")]
    finally:
        torch.set_printoptions(profile="default")


def test_bad_arguments():
    with pytest.raises(ValueError, match="profile"):
        cg.set_printoptions(profile="long")
    with pytest.raises(TypeError, match="precision"):
        cg.set_printoptions(precision="2")
    with pytest.raises(ValueError, match="edgeitems"):
        cg.set_printoptions(edgeitems=-1)
