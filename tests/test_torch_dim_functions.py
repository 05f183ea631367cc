"""PyTorch's ``torch.<fn>(x, dim=..., keepdim=...)`` after the rename: every cg function
that takes ``axis`` also takes ``dim=``/``keepdim=``; with ``dim=``, the functions whose
PyTorch versions return ``(values, indices)`` (max, min, sort, median) or the unbiased
estimate (std, var) do so too.  Values and gradients against torch."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import optional_torch, skip_if_missing

import compgraph as cg

torch = optional_torch()
pytestmark = skip_if_missing(torch)

X = np.array([[3.0, 1.0, 4.0, 2.0], [9.0, 7.0, 8.0, 5.0], [0.5, 6.0, 2.0, 1.0]])

CALLS = {
    "sum": dict(dim=1), "sum-keep": dict(dim=0, keepdim=True), "mean": dict(dim=1),
    "prod": dict(dim=0), "amax": dict(dim=1), "amin": dict(dim=0, keepdim=True),
    "logsumexp": dict(dim=1), "softmax": dict(dim=-1), "log_softmax": dict(dim=0),
    "cumsum": dict(dim=1), "cumprod": dict(dim=0), "std": dict(dim=1), "var": dict(dim=0),
    "argmax": dict(dim=1), "argmin": dict(dim=0, keepdim=True),
}


def _first(r):
    return r.values if hasattr(r, "values") and not callable(r.values) else r


@pytest.mark.parametrize("name", [k for k, v in CALLS.items() if v is not None])
def test_dim_keywords_give_torchs_values_and_gradients(name):
    kw = CALLS[name]
    fn = name.split("-")[0]
    x = cg.tensor(X, requires_grad=True)
    tx = torch.tensor(X, requires_grad=True)
    got, want = _first(getattr(cg, fn)(x, **kw)), _first(getattr(torch, fn)(tx, **kw))
    np.testing.assert_allclose(got.numpy(), want.detach().numpy(), rtol=1e-12)
    assert got.shape == tuple(want.shape)
    if got.dtype.kind == "f":
        (got * cg.tensor(np.arange(got.size).reshape(got.shape) + 1.0)).sum().backward()
        (want * torch.arange(want.numel()).reshape(want.shape).double().add(1)).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", ["max", "min", "sort", "median"])
def test_values_and_indices_as_torch(name):
    x, tx = cg.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    got, want = getattr(cg, name)(x, dim=1), getattr(torch, name)(tx, dim=1)
    values, indices = got  # a pair, as torch's return types
    np.testing.assert_array_equal(values.numpy(), want.values.detach().numpy())
    np.testing.assert_array_equal(indices.numpy(), want.indices.numpy())
    values.sum().backward()
    want.values.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_stack_and_without_dim_numpy_meaning_stays():
    a, b = cg.tensor(X), cg.tensor(2 * X)
    assert cg.stack([a, b], dim=1).shape == (3, 2, 4)
    assert float(cg.median(cg.tensor([1.0, 2.0, 3.0, 4.0]))) == 2.5  # NumPy's mean of two
    np.testing.assert_array_equal(cg.max(a, 1).numpy(), X.max(1))  # positional: NumPy's
    assert cg.sum(X, dim=0).shape == (4,)  # plain arrays too
