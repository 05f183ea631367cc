"""Every op sample (tests/op_samples) against NumPy, finite differences, forward mode,
second order, float32, and the static graph: a new op is covered by its samples."""
from __future__ import annotations

import numpy as np
import pytest
from helpers import all_samples, case_inputs

import compgraph as cg

SAMPLES = all_samples()
IDS = [s.id for s in SAMPLES]


def _values(x):
    return x.numpy() if isinstance(x, cg.Tensor) else np.asarray(x)


@pytest.mark.parametrize("s", SAMPLES, ids=IDS)
def test_value_and_dtype_equal_numpy(s):
    for dtype in s.dtypes:
        arrays = case_inputs(s.id, s.inputs, dtype)
        got = s.fn(*[cg.tensor(a) for a in arrays])
        if s.ref is None:
            continue
        with np.errstate(all="ignore"):
            want = np.asarray(s.ref(*arrays))
        v = _values(got)
        assert v.shape == want.shape, (s.id, dtype, v.shape, want.shape)
        assert v.dtype == want.dtype, (s.id, dtype, v.dtype, want.dtype)
        tol = s.rtol if np.dtype(dtype) == np.float64 else max(s.rtol, 1e-4)
        np.testing.assert_allclose(v, want, rtol=tol, atol=tol, equal_nan=True, err_msg=s.id)


@pytest.mark.parametrize("s", [s for s in SAMPLES if s.grad], ids=[s.id for s in SAMPLES if s.grad])
def test_reverse_and_forward_mode(s):
    arrays = case_inputs(s.id, s.inputs, np.float64)
    assert cg.gradcheck(lambda *xs: s.fn(*xs), *arrays)
    for k in range(len(arrays)):
        fwd = cg.jacfwd(s.fn, argnums=k)(*arrays)
        rev = cg.jacrev(s.fn, argnums=k)(*arrays)
        np.testing.assert_allclose(_values(fwd), _values(rev), rtol=1e-8, atol=1e-10,
                                   err_msg=f"{s.id}: jacfwd != jacrev for input {k}")


@pytest.mark.parametrize("s", [s for s in SAMPLES if s.order2],
                         ids=[s.id for s in SAMPLES if s.order2])
def test_second_order(s):
    arrays = case_inputs(s.id, s.inputs, np.float64)
    rng = np.random.default_rng(0)
    w = rng.standard_normal(np.shape(_values(s.fn(*[cg.tensor(a) for a in arrays]))))

    def first(*xs):
        return cg.sum(cg.grad(lambda *ys: cg.sum(s.fn(*ys) * w), argnums=0)(*xs) ** 2)

    assert cg.gradcheck(first, *arrays, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize("s", [s for s in SAMPLES if s.static],
                         ids=[s.id for s in SAMPLES if s.static])
def test_static_graph_equals_dynamic(s):
    arrays = case_inputs(s.id, s.inputs, np.float64)
    want = _values(s.fn(*[cg.tensor(a) for a in arrays]))
    g = cg.Graph()
    syms = [g.input(f"x{i}", shape=a.shape, dtype=a.dtype) for i, a in enumerate(arrays)]
    y = s.fn(*syms)
    assert y.shape == want.shape and y.dtype == want.dtype, (s.id, y.shape, y.dtype)
    np.testing.assert_allclose(g.run(y, dict(zip(syms, arrays))), want, rtol=1e-12,
                               atol=1e-12, err_msg=s.id)
    np.testing.assert_allclose(g.compile(y)(*arrays), want, rtol=1e-12, atol=1e-12,
                               err_msg=s.id)
    if s.grad and want.dtype.kind == "f":
        grads = g.gradients(cg.sum(y), syms)
        dyn = cg.grad(lambda *xs: cg.sum(s.fn(*xs)), argnums=tuple(range(len(arrays))))(*arrays)
        for got, exp in zip(g.run(grads, dict(zip(syms, arrays))), dyn):
            np.testing.assert_allclose(got, _values(exp), rtol=1e-10, atol=1e-12, err_msg=s.id)


@pytest.mark.parametrize("s", [s for s in SAMPLES if s.complex],
                         ids=[s.id for s in SAMPLES if s.complex])
def test_complex_inputs(s):
    rng = np.random.default_rng(1)
    arrays = [a + 1j * rng.standard_normal(a.shape) for a in case_inputs(s.id, s.inputs)]
    got = _values(s.fn(*[cg.tensor(a) for a in arrays]))
    if s.ref is not None:
        np.testing.assert_allclose(got, s.ref(*arrays), rtol=1e-10, atol=1e-12, err_msg=s.id)
