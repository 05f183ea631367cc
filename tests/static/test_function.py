"""Tests of ``cg.function``: tracing per input signature, caching, retrace logging,
static vs numeric arguments, outputs as Tensors, clear errors for Python control
flow on traced values, ``get_graph``, ``traces``, and composition with ``cg.grad``.

Reference behaviour: /work/shared/API.md section 4 and the issue: numeric
arguments (Python numbers, ndarrays, Tensors, and lists/tuples/dicts of them) are
graph inputs keyed by shape and dtype (not value); other arguments (str, bool,
None, tuples of them) are static and keyed by value; a retrace logs one line on
the "compgraph" logger at WARNING level saying which argument changed.
"""
from __future__ import annotations

import inspect
import logging
import os

import numpy as np
import pytest

import compgraph as cg

DTYPES = [np.float64, np.float32]
TOL = {np.float64: dict(rtol=1e-12, atol=1e-12), np.float32: dict(rtol=1e-5, atol=1e-6)}
HERE = os.path.basename(__file__)


def val(t):
    """The value of a call result, asserting it is a Tensor."""
    assert isinstance(t, cg.Tensor), f"expected a Tensor, got {type(t).__name__}"
    return np.asarray(t.numpy())


def retrace_records(caplog):
    return [r for r in caplog.records
            if r.name == "compgraph" and r.levelno == logging.WARNING]


# --------------------------------------------------------------------------- caching

def test_traces_once_per_signature_and_reuses_the_compiled_graph():
    calls = []

    @cg.function
    def f(x, y):
        calls.append(1)
        return cg.sum(cg.tanh(x) * y) + 2.0 * x

    rng = np.random.default_rng(0)
    for _ in range(4):
        x, y = rng.standard_normal(3), rng.standard_normal(3)
        out = f(x, y)
        np.testing.assert_allclose(val(out), np.sum(np.tanh(x) * y) + 2.0 * x, rtol=1e-12)
    assert f.traces == 1
    assert len(calls) == 1, "the Python function must run only while tracing"


def test_new_shape_or_dtype_retraces_and_old_signature_stays_cached():
    @cg.function
    def f(x):
        return x * 3.0

    f(np.ones(3))
    f(np.ones(4))
    f(np.ones(4, dtype=np.float32))
    f(np.ones((2, 2)))
    assert f.traces == 4
    for x in (np.ones(3), np.ones(4), np.ones(4, dtype=np.float32), np.ones((2, 2))):
        out = f(x)
        assert out.dtype == x.dtype and out.shape == x.shape
    assert f.traces == 4


def test_values_are_not_part_of_the_signature():
    @cg.function
    def f(x, n):
        return x * n

    for n in (2, 5, -7):
        assert float(f(1.5, n)) == 1.5 * n
    assert f.traces == 1


@pytest.mark.parametrize("first,second", [
    (1.0, np.float64(2.0)),
    (1.0, np.array(2.0)),
    (1.0, cg.tensor(2.0)),
    (np.float64(1.0), 2.0),
    (np.array([1.0, 2.0]), cg.tensor(np.array([3.0, 4.0]))),
    (np.float32(1.0), np.array(2.0, dtype=np.float32)),
], ids=["float-npfloat64", "float-0d", "float-Tensor", "npfloat64-float",
        "ndarray-Tensor", "npfloat32-0d32"])
def test_same_shape_and_dtype_from_different_python_types_do_not_retrace(first, second, caplog):
    """Numeric arguments are keyed by shape and dtype only: a Python float, a NumPy
    float64 scalar, a 0-d array and a 0-d Tensor are the same signature."""
    @cg.function
    def f(x):
        return x * 2.0

    f(first)
    with caplog.at_level(logging.WARNING, logger="compgraph"):
        out = f(second)
    np.testing.assert_allclose(val(out), np.asarray(second.numpy() if isinstance(
        second, cg.Tensor) else second) * 2.0)
    assert f.traces == 1, "same shape and dtype must reuse the trace"
    assert not retrace_records(caplog)


# --------------------------------------------------------------------------- retrace log

def test_first_trace_and_cache_hits_do_not_log(caplog):
    @cg.function
    def f(x):
        return x + 1.0

    with caplog.at_level(logging.WARNING, logger="compgraph"):
        f(np.ones(3))
        f(np.zeros(3))
    assert not retrace_records(caplog)


@pytest.mark.parametrize("call1,call2,changed", [
    ((np.ones(3), np.ones(3)), (np.ones(3), np.ones((2, 3))), "y"),
    ((np.ones(3), np.ones(3)), (np.ones(3, np.float32), np.ones(3)), "x"),
    ((1.0, 2.0), (1.0, 2), "y"),
    ((1.0, 2.0), (np.float32(1.0), 2.0), "x"),
    ((np.ones(2), 2.0), (np.ones(2), np.ones(2)), "y"),
], ids=["shape", "dtype", "float-to-int", "python-to-numpy-scalar", "scalar-to-vector"])
def test_retrace_logs_one_warning_line_naming_the_argument(call1, call2, changed, caplog):
    @cg.function
    def f(x, y):
        return x * y

    f(*call1)
    with caplog.at_level(logging.WARNING, logger="compgraph"):
        f(*call2)
    recs = retrace_records(caplog)
    assert f.traces == 2
    assert len(recs) == 1, [r.getMessage() for r in recs]
    msg = recs[0].getMessage()
    assert "\n" not in msg
    assert f"'{changed}'" in msg, f"the log must name argument {changed!r}: {msg!r}"
    other = {"x": "y", "y": "x"}[changed]
    assert f"'{other}'" not in msg


def test_retrace_inside_a_container_argument_names_that_argument(caplog):
    @cg.function
    def f(scale, xs):
        return [x * scale for x in xs]

    f(2.0, [np.ones(2), np.ones(3)])
    with caplog.at_level(logging.WARNING, logger="compgraph"):
        out = f(2.0, [np.ones(2), np.ones(4)])
    np.testing.assert_array_equal(val(out[1]), np.full(4, 2.0))
    recs = retrace_records(caplog)
    assert f.traces == 2 and len(recs) == 1
    msg = recs[0].getMessage()
    assert "xs" in msg and "scale" not in msg, msg


def test_retrace_on_static_value_logs_the_argument(caplog):
    @cg.function
    def f(x, mode):
        return x * 2.0 if mode == "double" else x * 3.0

    assert float(f(1.0, "double")) == 2.0
    with caplog.at_level(logging.WARNING, logger="compgraph"):
        assert float(f(1.0, "triple")) == 3.0
    recs = retrace_records(caplog)
    assert len(recs) == 1 and "'mode'" in recs[0].getMessage()
    assert "triple" in recs[0].getMessage()
    assert f.traces == 2
    # both stay cached
    assert float(f(5.0, "double")) == 10.0 and float(f(5.0, "triple")) == 15.0
    assert f.traces == 2


# --------------------------------------------------------------------------- static args

def test_none_str_and_tuples_are_static_keyed_by_value():
    @cg.function
    def f(x, extra, names):
        y = x * len(names)
        if extra is not None:
            y = y - 10.0
        if extra == "double":
            y = y * 2.0
        return y

    assert float(f(2.0, None, ("a", "b"))) == 4.0
    assert float(f(2.0, "on", ("a", "b"))) == -6.0
    assert float(f(2.0, "double", ("a", "b"))) == -12.0
    assert float(f(2.0, "on", ("a", "b", "c"))) == -4.0
    assert f.traces == 4
    assert float(f(7.0, None, ("a", "b"))) == 14.0
    assert float(f(7.0, "on", ("a", "b", "c"))) == 11.0
    assert f.traces == 4
    g = f.get_graph(2.0, None, ("a", "b"))
    assert [n.name for n in g.inputs] == ["x"], "static arguments must not be graph inputs"


def test_bool_arguments_are_static_keyed_by_value():
    """bool is static (it steers Python control flow), although bool subclasses int."""
    @cg.function
    def f(x, flag):
        return x + 1.0 if flag else x - 1.0

    assert float(f(2.0, True)) == 3.0
    assert float(f(2.0, False)) == 1.0
    assert f.traces == 2
    assert float(f(5.0, True)) == 6.0
    assert f.traces == 2
    assert [n.name for n in f.get_graph(2.0, True).inputs] == ["x"]
    h = cg.function(lambda x, flags: x * 2.0 if flags[0] and not flags[1] else x)
    assert float(h(2.0, (True, False))) == 4.0
    assert float(h(2.0, (True, True))) == 2.0


def test_python_numbers_are_graph_inputs():
    @cg.function
    def f(x, n):
        return x * n

    g = f.get_graph(np.ones(3), 4)
    assert [n.name for n in g.inputs] == ["x", "n"]
    assert g["n"].shape == () and g["n"].dtype == np.int64
    assert g["x"].shape == (3,) and g["x"].dtype == np.float64
    np.testing.assert_array_equal(val(f(np.ones(3), 4)), [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(val(f(np.ones(3), 9)), [9.0, 9.0, 9.0])
    assert f.traces == 1


def test_keyword_arguments():
    @cg.function
    def f(x, scale=1.0, mode="mul"):
        return x * scale if mode == "mul" else x - scale

    assert float(f(2.0, scale=3.0)) == 6.0
    assert float(f(2.0, scale=5.0)) == 10.0
    assert f.traces == 1
    assert float(f(2.0, scale=5.0, mode="sub")) == -3.0


def test_nested_containers_of_numbers_are_inputs_and_outputs_keep_structure():
    @cg.function
    def f(params, xs):
        w, b = params["w"], params["b"]
        h = xs[0] @ w + b
        return {"out": h, "parts": (cg.sum(h), [xs[1] * 2.0])}

    rng = np.random.default_rng(1)
    for _ in range(3):
        w, b = rng.standard_normal((3, 2)), rng.standard_normal(2)
        x0, x1 = rng.standard_normal((4, 3)), rng.standard_normal(5)
        out = f({"w": w, "b": b}, [x0, x1])
        assert isinstance(out, dict) and set(out) == {"out", "parts"}
        assert isinstance(out["parts"], tuple) and isinstance(out["parts"][1], list)
        np.testing.assert_allclose(val(out["out"]), x0 @ w + b, rtol=1e-12)
        np.testing.assert_allclose(val(out["parts"][0]), np.sum(x0 @ w + b), rtol=1e-12)
        np.testing.assert_allclose(val(out["parts"][1][0]), x1 * 2.0)
    assert f.traces == 1
    g = f.get_graph({"w": w, "b": b}, [x0, x1])
    assert len(g.inputs) == 4


def test_tuple_output_and_list_output():
    @cg.function
    def f(x):
        return x + 1.0, x * 2.0

    @cg.function
    def h(x):
        return [x + 1.0]

    out = f(np.arange(3.0))
    assert isinstance(out, tuple) and len(out) == 2
    np.testing.assert_array_equal(val(out[0]), np.arange(3.0) + 1)
    np.testing.assert_array_equal(val(out[1]), np.arange(3.0) * 2)
    out = h(np.arange(3.0))
    assert isinstance(out, list) and len(out) == 1
    np.testing.assert_array_equal(val(out[0]), np.arange(3.0) + 1)


def test_returning_an_input_unchanged_gives_a_tensor():
    f = cg.function(lambda x: x)
    out = f(np.arange(3.0))
    np.testing.assert_array_equal(val(out), np.arange(3.0))
    assert out.dtype == np.float64 and out.shape == (3,)


def test_returning_a_python_constant_gives_a_proper_tensor():
    """Calls return Tensors; a constant among the outputs is a Tensor like any other."""
    @cg.function
    def f(x):
        return x * 2.0, 1.5

    a, b = f(np.ones(2))
    assert isinstance(b, cg.Tensor)
    assert b.shape == () and b.dtype == np.float64
    assert float(b) == 1.5
    repr(b)


def test_unhashable_static_argument_is_a_clear_type_error():
    f = cg.function(lambda x, s: x)
    with pytest.raises(TypeError, match="hashable"):
        f(1.0, {1, 2})


# --------------------------------------------------------------------------- get_graph

def test_get_graph_returns_the_traced_graph():
    @cg.function
    def f(x, w):
        return cg.sum(cg.tanh(x @ w))

    x, w = np.ones((2, 3)), np.full((3, 4), 0.1)
    f(x, w)
    assert f.traces == 1
    g = f.get_graph(x, w)
    assert isinstance(g, cg.Graph)
    assert f.traces == 1, "get_graph on a traced signature must not retrace"
    assert f.get_graph(np.zeros((2, 3)), np.zeros((3, 4))) is g
    assert [n.name for n in g.inputs] == ["x", "w"]
    assert g["x"].shape == (2, 3) and g["x"].dtype == np.float64
    assert {n.op for n in g.nodes} >= {"matmul", "tanh", "sum"}
    out = g.outputs()
    assert len(out) == 1
    np.testing.assert_allclose(g.run(out[0], {"x": x, "w": w}), float(f(x, w)), rtol=1e-12)
    g32 = f.get_graph(x.astype(np.float32), w.astype(np.float32))
    assert g32 is not g and g32["x"].dtype == np.float32
    assert f.traces == 2


# --------------------------------------------------------------------------- errors

def _expect_concrete_error(fn, arg, lines):
    with pytest.raises(TypeError) as info:
        fn(arg)
    line = lines[0]
    msg = str(info.value)
    assert f"{HERE}:{line}" in msg, f"the error must name the line {HERE}:{line}: {msg}"
    assert "static graph" in msg
    return msg


def test_if_on_traced_value_is_a_clear_type_error():
    line = []

    @cg.function
    def f(x):
        line.append(inspect.currentframe().f_lineno + 1)
        if x > 0:
            return x
        return -x

    _expect_concrete_error(f, 1.0, line)


def test_float_of_traced_value_is_a_clear_type_error():
    line = []

    @cg.function
    def f(x):
        line.append(inspect.currentframe().f_lineno + 1)
        return x * float(cg.sum(x))

    _expect_concrete_error(f, np.ones(3), line)


def test_bool_of_traced_value_is_a_clear_type_error():
    line = []

    @cg.function
    def f(x):
        line.append(inspect.currentframe().f_lineno + 1)
        return x if bool(x) else x

    _expect_concrete_error(f, 1.0, line)


def test_while_on_traced_value_is_a_clear_type_error():
    line = []

    @cg.function
    def f(x):
        line.append(inspect.currentframe().f_lineno + 1)
        while x < 10:
            x = x * 2
        return x

    _expect_concrete_error(f, 1.0, line)


def test_data_dependent_choice_with_where_works():
    @cg.function
    def f(x):
        return cg.where(x > 0, x, -x)

    np.testing.assert_array_equal(val(f(np.array([-2.0, 3.0]))), [2.0, 3.0])


# --------------------------------------------------------------------------- grad

def _loss(x):
    return cg.sum(cg.sin(x) * x ** 2 + cg.exp(-x) / (1.0 + x * x))


def _loss_np_grad(x):
    return (np.cos(x) * x ** 2 + 2 * x * np.sin(x) - np.exp(-x) / (1 + x * x)
            - np.exp(-x) * 2 * x / (1 + x * x) ** 2)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("kind", ["scalar", "vector"])
def test_grad_of_function_and_function_of_grad_agree_with_grad(dtype, kind):
    rng = np.random.default_rng(2)
    x = dtype(0.7) if kind == "scalar" else rng.uniform(-1.5, 1.5, 5).astype(dtype)
    ref = cg.grad(_loss)(x)
    a = cg.grad(cg.function(_loss))(x)
    fg = cg.function(cg.grad(_loss))
    b = fg(x)
    for r in (a, b):
        assert isinstance(r, cg.Tensor)
        assert r.dtype == dtype and r.shape == np.shape(x)
        np.testing.assert_allclose(val(r), val(ref), **TOL[dtype])
    np.testing.assert_allclose(val(ref), _loss_np_grad(np.asarray(x, np.float64)),
                               rtol=1e-4 if dtype is np.float32 else 1e-10, atol=1e-5)
    # the compiled gradient is reused for new values of the same signature
    x2 = (x * 0.5).astype(dtype) if kind == "vector" else dtype(0.3)
    np.testing.assert_allclose(val(fg(x2)), val(cg.grad(_loss)(x2)), **TOL[dtype])
    assert fg.traces == 1


@pytest.mark.parametrize("dtype", DTYPES, ids=["float64", "float32"])
def test_grad_with_argnums_tuple_composes(dtype):
    def f(x, y):
        return cg.sum(x * cg.sin(y)) + cg.sum(x * x) * 0.5

    rng = np.random.default_rng(3)
    x, y = rng.standard_normal(4).astype(dtype), rng.standard_normal(4).astype(dtype)
    ref = cg.grad(f, argnums=(0, 1))(x, y)
    for got in (cg.grad(cg.function(f), argnums=(0, 1))(x, y),
                cg.function(cg.grad(f, argnums=(0, 1)))(x, y)):
        assert isinstance(got, tuple) and len(got) == 2
        for g_, r_ in zip(got, ref):
            assert g_.dtype == dtype
            np.testing.assert_allclose(val(g_), val(r_), **TOL[dtype])


def test_second_derivative_composes():
    f = lambda x: x ** 3 + cg.sin(x)  # noqa: E731
    ref = float(cg.grad(cg.grad(f))(0.8))
    assert ref == pytest.approx(6 * 0.8 - np.sin(0.8))
    assert float(cg.function(cg.grad(cg.grad(f)))(0.8)) == pytest.approx(ref, rel=1e-12)
    assert float(cg.grad(cg.grad(cg.function(f)))(0.8)) == pytest.approx(ref, rel=1e-12)
    assert float(cg.grad(cg.function(cg.grad(f)))(0.8)) == pytest.approx(ref, rel=1e-12)


def test_function_of_grad_graph_holds_symbolic_gradient_nodes():
    fg = cg.function(cg.grad(_loss))
    g = fg.get_graph(np.ones(3))
    ops = [n.op for n in g.nodes]
    assert "cos" in ops, "the traced graph must contain the derivative of sin"
    assert [n.name for n in g.inputs] == ["x"]


def test_tensor_requiring_grad_flows_through_a_function():
    f = cg.function(lambda x: cg.sum(x ** 2))
    x = cg.tensor(np.arange(3.0), requires_grad=True)
    y = f(x)
    y.backward()
    np.testing.assert_allclose(val(x.grad), 2 * np.arange(3.0))


def test_function_calling_another_function_while_tracing():
    """A cg.function used inside another traced function (or under cg.grad inside
    cg.function) is part of the outer trace."""
    @cg.function
    def inner(x):
        return cg.sum(x * x)

    @cg.function
    def outer(x):
        return inner(x) + 1.0

    np.testing.assert_allclose(val(outer(np.arange(3.0))), 6.0)
    np.testing.assert_allclose(val(cg.function(cg.grad(inner))(np.arange(3.0))),
                               2 * np.arange(3.0))


# --------------------------------------------------------------------------- training
def test_whole_training_step_traced_once_matches_eager_sgd():
    """JAX style: loss, gradients and the SGD update in one cg.function, traced once;
    float32 parameters stay float32 and match nn.Linear + optim.SGD step for step."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((16, 5)).astype(np.float32)
    labels = rng.integers(0, 3, 16)
    onehot = np.eye(3, dtype=np.float32)[labels]
    model = cg.nn.Sequential(cg.nn.Linear(5, 8, dtype="float32", seed=1), cg.nn.ReLU(),
                             cg.nn.Linear(8, 3, dtype="float32", seed=2))
    params = [p.data.copy() for p in model.parameters()]
    opt = cg.optim.SGD(model.parameters(), lr=0.1)

    def loss_fn(ps, xb, oh):
        w1, b1, w2, b2 = ps
        logits = cg.linear(cg.relu(cg.linear(xb, w1, b1)), w2, b2)
        return -cg.sum(cg.log_softmax(logits) * oh) / xb.shape[0]

    @cg.function
    def step(ps, xb, oh):
        loss, grads = cg.value_and_grad(loss_fn)(ps, xb, oh)
        return loss, [p - 0.1 * g for p, g in zip(ps, grads)]

    for _ in range(5):
        loss, new = step(params, x, onehot)
        params = [t.numpy() for t in new]
        eager = cg.nn.cross_entropy(model(cg.tensor(x)), labels)
        opt.zero_grad()
        eager.backward()
        opt.step()
        np.testing.assert_allclose(val(loss), eager.numpy(), rtol=1e-5)
        for mine, p in zip(params, model.parameters()):
            assert mine.dtype == np.float32
            np.testing.assert_allclose(mine, p.data, rtol=1e-4, atol=1e-6)
    assert step.traces == 1


# --------------------------------------------------------------------------- donation
def _sgd_step(donate):
    def loss_fn(ps, xb, oh):
        w1, b1, w2, b2 = ps
        logits = cg.linear(cg.relu(xb @ w1.T + b1), w2, b2)
        return -cg.sum(cg.log_softmax(logits) * oh) / xb.shape[0]

    def step(ps, xb, oh):
        loss, grads = cg.value_and_grad(loss_fn)(ps, xb, oh)
        return loss, [p - 0.1 * g for p, g in zip(ps, grads)]
    return cg.function(step, donate_argnums=donate) if donate is not None else cg.function(step)


def _problem(dtype=np.float32):
    rng = np.random.default_rng(8)
    x = rng.standard_normal((16, 5)).astype(dtype)
    oh = np.eye(3, dtype=dtype)[rng.integers(0, 3, 16)]
    ps = [rng.standard_normal(s).astype(dtype) * 0.3 for s in ((8, 5), (8,), (3, 8), (3,))]
    return ps, x, oh


@pytest.mark.parametrize("dtype", DTYPES)
def test_donated_parameters_are_updated_in_place_with_the_same_results(dtype):
    ps, x, oh = _problem(dtype)
    ref_ps, don_ps = [p.copy() for p in ps], [p.copy() for p in ps]
    plain, donating = _sgd_step(None), _sgd_step(0)
    for _ in range(4):
        l1, new1 = plain(ref_ps, x, oh)
        ref_ps = [t.numpy() for t in new1]
        before = list(don_ps)
        l2, new2 = donating(don_ps, x, oh)
        don_ps = [t.numpy() for t in new2]
        np.testing.assert_allclose(val(l2), val(l1), **TOL[dtype])
        for mine, ref, old in zip(don_ps, ref_ps, before):
            np.testing.assert_allclose(mine, ref, **TOL[dtype])
            assert np.shares_memory(mine, old)   # the result lives in the donated array
    x0 = x.copy()
    donating(don_ps, x, oh)
    np.testing.assert_array_equal(x, x0)        # arguments not donated are untouched
    assert donating.traces == 1


def test_donation_copies_read_only_or_aliased_arrays():
    ps, x, oh = _problem()
    step = _sgd_step(0)
    _, want = _sgd_step(None)([p.copy() for p in ps], x, oh)
    ro = [p.copy() for p in ps]
    for p in ro:
        p.flags.writeable = False
    _, got = step(ro, x, oh)                     # no "read-only" error: copied first
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.numpy(), w.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ro[0], ps[0])

    # A donated array that is also passed as another argument must not change that one.
    f = cg.function(lambda a, b: (a * 2.0 + b, b * 3.0), donate_argnums=0)
    a = np.arange(4.0)
    r1, r2 = f(a, a)
    np.testing.assert_array_equal(r1.numpy(), np.arange(4.0) * 3)
    np.testing.assert_array_equal(r2.numpy(), np.arange(4.0) * 3)
    # ... nor a view of another argument.
    base = np.arange(8.0)
    r1, r2 = f(base[:4], base[2:6])
    np.testing.assert_array_equal(r1.numpy(), np.arange(4.0) * 2 + np.arange(2.0, 6.0))


def test_donation_writes_into_the_argument_and_bad_argnums_are_refused():
    f = cg.function(lambda a, b: cg.exp(a) + b, donate_argnums=(0,))
    a, b = np.zeros(5), np.ones(5)
    out = f(a, b)
    assert np.shares_memory(out.numpy(), a) and np.all(a == 2.0)
    with pytest.raises(TypeError, match="donate_argnums"):
        cg.function(lambda a: a, donate_argnums=("a",))
    with pytest.raises(ValueError, match="donate_argnums"):
        cg.function(lambda a: a * 2.0, donate_argnums=3)(np.ones(2))
    g = cg.Graph()
    x = g.input("x", shape=(2,))
    with pytest.raises(ValueError, match="cannot donate"):
        g.compile(x * 2.0, donate=["y"])


def test_donated_adam_step_matches_the_plain_one():
    """Parameters and both moment lists donated: every elementwise update writes into a
    donated array, in an order the codegen chooses; results must not change."""
    ps, x, oh = _problem(np.float64)

    def loss_fn(ps, xb, oh):
        w1, b1, w2, b2 = ps
        logits = cg.linear(cg.relu(xb @ w1.T + b1), w2, b2)
        return -cg.sum(cg.log_softmax(logits) * oh) / xb.shape[0]

    def step(ps, ms, vs, xb, oh):
        loss, grads = cg.value_and_grad(loss_fn)(ps, xb, oh)
        ms = [0.9 * m + 0.1 * g for m, g in zip(ms, grads)]
        vs = [0.999 * v + 0.001 * g * g for v, g in zip(vs, grads)]
        return loss, [p - 0.01 * m / (cg.sqrt(v) + 1e-8) for p, m, v in zip(ps, ms, vs)], ms, vs

    plain, donating = cg.function(step), cg.function(step, donate_argnums=(0, 1, 2))
    state1 = ([p.copy() for p in ps], [np.zeros_like(p) for p in ps], [np.zeros_like(p) for p in ps])
    state2 = tuple([a.copy() for a in group] for group in state1)
    for _ in range(4):
        l1, *new1 = plain(*state1, x, oh)
        state1 = tuple([t.numpy() for t in group] for group in new1)
        old = [a for group in state2 for a in group]
        l2, *new2 = donating(*state2, x, oh)
        state2 = tuple([t.numpy() for t in group] for group in new2)
        np.testing.assert_allclose(val(l2), val(l1), rtol=1e-12)
        for a, b in zip([a for g in state2 for a in g], [a for g in state1 for a in g]):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)
        assert any(np.shares_memory(a, o) for a in (a for g in state2 for a in g) for o in old)


def test_clear_cache_makes_the_next_call_trace_again():
    traces = []

    @cg.function
    def f(x):
        traces.append(1)
        return x + 1

    f(1.0), f(2.0)
    f.clear_cache()
    assert float(f(3.0)) == 4.0 and len(traces) == 2
