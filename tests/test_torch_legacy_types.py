"""PyTorch's legacy tensor types (cg.FloatTensor ...) and Tensor.type, against torch."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch

import compgraph as cg

torch = optional_torch()
NAMES = ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
         "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]


@pytest.mark.parametrize("name", NAMES)
def test_constructors_make_their_dtype(name):
    t = getattr(cg, name)
    a = t([1, 0, 1])
    assert isinstance(a, cg.Tensor) and isinstance(a, t)
    assert a.dtype == t.dtype and a.numpy().tolist() == np.array([1, 0, 1], t.dtype).tolist()
    assert t(2, 3).shape == (2, 3) and t().shape == (0,)
    assert a.type() == f"compgraph.{name}"
    if torch is not None:
        want = getattr(torch, name)([1, 0, 1])
        assert a.dtype == np.dtype(str(want.dtype).split(".")[1])
        np.testing.assert_array_equal(a.numpy(), want.numpy())


def test_isinstance_asks_for_the_dtype():
    x = cg.tensor([1.0], dtype=np.float32)
    assert isinstance(x, cg.FloatTensor) and not isinstance(x, cg.DoubleTensor)
    assert not isinstance(np.ones(1, np.float32), cg.FloatTensor)
    assert repr(cg.FloatTensor) == "<class 'compgraph.FloatTensor'>"


def test_type_casts_differentiably():
    x = cg.tensor([1.5, -2.0], requires_grad=True)
    assert x.type(cg.DoubleTensor) is x  # already float64
    y = x.type(cg.FloatTensor)
    assert y.dtype == np.float32
    (y * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])
    assert x.type("torch.LongTensor").numpy().tolist() == [1, -2]
    assert x.type(np.float16).dtype == np.float16
    assert x.type("compgraph.IntTensor").dtype == np.int32


def test_errors():
    with pytest.raises(TypeError, match="FloatTensor"):
        cg.FloatTensor([1], [2])
    with pytest.raises(TypeError):
        cg.tensor([1.0]).type("no such type")
