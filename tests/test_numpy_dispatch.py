"""NumPy's functions applied to compgraph values: the ones an op or composite declares
(``numpy=`` in its declaration) run that function and keep the graph; any other NumPy
function sees plain arrays, as before."""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg


def test_declared_functions_keep_the_graph():
    x = cg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = np.sum(np.exp(x), axis=0) + np.mean(x, axis=1)
    assert isinstance(y, cg.Tensor) and y.requires_grad
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(x.numpy()) + 0.5)


@pytest.mark.parametrize("fn,args,kwargs", [
    (np.sum, (), {"axis": 1, "keepdims": True}),
    (np.max, (), {"axis": 0}),
    (np.amin, (), {}),
    (np.mean, (), {"axis": -1}),
    (np.transpose, (), {}),
    (np.reshape, ((3, 2),), {}),
    (np.squeeze, (), {}),
    (np.expand_dims, (0,), {}),
    (np.swapaxes, (0, 1), {}),
    (np.broadcast_to, ((4, 2, 3),), {}),
    (np.clip, (0.0, 2.5), {}),
    (np.argmax, (), {"axis": 1}),
    (np.dot, (np.ones((3, 2)),), {}),
    (np.matmul, (np.ones((3, 2)),), {}),
    (np.maximum, (1.5,), {}),
    (np.where, None, {}),
])
def test_results_equal_numpys(fn, args, kwargs):
    a = np.arange(6.0).reshape(2, 3) - 1.5
    t = cg.tensor(a, requires_grad=True)
    if fn is np.where:
        got, want = np.where(a > 0, t, 0.0), np.where(a > 0, a, 0.0)
    else:
        got, want = fn(t, *args, **kwargs), fn(a, *args, **kwargs)
    assert isinstance(got, cg.Tensor)
    np.testing.assert_array_equal(got.numpy(), want)
    assert got.dtype == np.asarray(want).dtype


def test_joining_lists_of_tensors():
    a, b = cg.tensor([1.0, 2.0], requires_grad=True), cg.tensor([3.0], requires_grad=True)
    c = np.concatenate([a, b])
    assert isinstance(c, cg.Tensor)
    (c * cg.tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [1.0, 2.0])
    np.testing.assert_array_equal(b.grad.numpy(), [3.0])
    s = np.stack([a, a])
    assert isinstance(s, cg.Tensor) and s.shape == (2, 2)


def test_other_numpy_functions_see_arrays():
    t = cg.tensor([3.0, 4.0])
    assert np.allclose(t, [3.0, 4.0])
    n = np.trapezoid(t)
    assert isinstance(n, (float, np.floating)) and n == 3.5
    np.testing.assert_array_equal(t, np.array([3.0, 4.0]))
    assert np.shape(t) == (2,) and np.ndim(t) == 1
    assert np.result_type(t) == np.float64


def test_static_values_refuse_undeclared_numpy_functions():
    g = cg.Graph()
    a = g.input("a", shape=(2,), dtype="float64")
    assert isinstance(np.exp(a), cg.Symbol) and isinstance(np.sum(a), cg.Symbol)
    with pytest.raises(TypeError, match="static-graph"):
        np.trapezoid(a)


def test_ufunc_methods_are_not_taken_over():
    t = cg.tensor([1.0, 2.0])
    with pytest.raises(TypeError):  # ufunc.reduce is not the op
        np.add.reduce(t)


def test_writing_into_an_ndarray():
    """``ndarray += tensor`` (and ``out=``) computes on the arrays, unless the tensor
    requires grad: then it says why instead of silently stopping the gradient."""
    a = np.zeros(2)
    a += cg.tensor([1.0, 2.0])
    np.testing.assert_array_equal(a, [1.0, 2.0])
    out = np.empty(2)
    np.exp(cg.tensor([0.0, 1.0]), out=out)
    np.testing.assert_allclose(out, [1.0, np.e])
    with pytest.raises(TypeError, match="requires grad"):
        a += cg.tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(a, [1.0, 2.0])  # unchanged
    with cg.no_grad():
        a += cg.tensor([1.0, 2.0], requires_grad=True)
    np.testing.assert_array_equal(a, [2.0, 4.0])


def test_ufunc_keywords_the_function_takes_keep_the_graph():
    a = cg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    r = np.vecdot(a, a, axis=0)
    np.testing.assert_allclose(r.numpy(), [10.0, 20.0])
    r.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * a.numpy())
    s = np.add(a, 1, dtype=np.float32)
    assert isinstance(s, cg.Tensor) and s.dtype == np.float32 and s.requires_grad


def test_ufunc_keywords_compgraph_does_not_take_are_numpys_type_error():
    a = cg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError):
        np.add(a, 1, where=np.array([True, False]))
