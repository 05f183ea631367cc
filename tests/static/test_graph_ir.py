"""Static graphs: the IR (nodes, names, shapes, dtypes), Graph.run, and every op.

The core is ``CASES``: one expression per registered op (several for some),
written once and applied both to Tensors (the dynamic engine, the reference)
and to Symbols of a Graph whose inputs declare shape and dtype.  For each case
and for float64 and float32 inputs:

* ``Graph.run`` gives exactly what the Tensor computation gives (same NumPy
  calls), with the same dtype;
* the inferred ``.shape`` / ``.dtype`` of the result node are the real ones;
* ``Graph.compile`` gives the same values and dtype.

``test_every_registered_op_is_covered`` checks that the graphs built here
contain every op of the registry, so a new op cannot go untested.
"""
from __future__ import annotations

import inspect
import os
import re

import numpy as np
import pytest

import compgraph as cg
from compgraph.ops.registry import OPS
from compgraph.static import SYMBOLIC, Symbol
from compgraph.autodiff.recording import TENSOR
from helpers import assert_exact, case_inputs, sample_ops


# ============================================================ helpers

def ns(x):
    """The op namespace matching the operand: symbolic for Symbols, Tensor otherwise.

    Used only for registry ops that no public ``cg.*`` function exposes
    (identity, floor, sum_to, scatter_add, ...).
    """
    return SYMBOLIC if isinstance(x, Symbol) else TENSOR


# ============================================================ every op

# (id, fn, ((kind, shape), ...)); fn takes Tensors or Symbols.
CASES = [
    # arithmetic, operators and functions, with broadcasting and Python numbers
    ("add", lambda a, b: a + b, (("any", (3, 4)), ("any", (4,)))),
    ("add_fn_scalar", lambda a: cg.add(2.5, a), (("any", (3, 4)),)),
    ("subtract", lambda a, b: a - b, (("any", (3, 1)), ("any", (1, 4)))),
    ("rsubtract", lambda a: 1.0 - a, (("any", (5,)),)),
    ("multiply", lambda a, b: cg.multiply(a, b), (("any", (2, 3)), ("any", (2, 3)))),
    ("rmultiply_ndarray", lambda a: np.linspace(1, 2, 4).astype(a.dtype) * a, (("any", (3, 4)),)),
    ("divide", lambda a, b: a / b, (("any", (3, 4)), ("nz", (4,)))),
    ("rdivide", lambda a: 1 / a, (("nz", (3,)),)),
    ("power_int", lambda a: a ** 3, (("any", (4,)),)),
    ("power_both", lambda a, b: cg.power(a, b), (("pos", (3,)), ("any", (3,)))),
    ("rpower", lambda a: 2.0 ** a, (("any", (3,)),)),
    ("negative", lambda a: -a, (("any", (2, 2)),)),
    ("identity", lambda a: ns(a).identity(a), (("any", (3,)),)),
    ("exp", lambda a: cg.exp(a), (("any", (3, 2)),)),
    ("exp_method", lambda a: a.exp(), (("any", (3,)),)),
    ("log", lambda a: cg.log(a), (("pos", (3, 2)),)),
    ("sqrt", lambda a: a.sqrt(), (("pos", (4,)),)),
    ("sin", lambda a: cg.sin(a), (("any", (4,)),)),
    ("cos", lambda a: cg.cos(a), (("any", (4,)),)),
    ("tan", lambda a: cg.tan(a), (("small", (4,)),)),
    ("tanh", lambda a: a.tanh(), (("any", (4,)),)),
    ("sigmoid", lambda a: cg.sigmoid(a), (("any", (2, 3)),)),
    ("softplus", lambda a: cg.softplus(a * 5.0), (("any", (2, 3)),)),
    ("erf", lambda a: cg.erf(a), (("any", (2, 3)),)),
    ("gelu", lambda a: cg.gelu(a), (("any", (2, 3)),)),
    ("argmax_times", lambda a: a * cg.astype(cg.argmax(a, axis=1, keepdims=True), a.dtype),
     (("any", (2, 3)),)),
    ("relu", lambda a: a.relu(), (("nz", (2, 3)),)),
    ("abs", lambda a: abs(a), (("nz", (5,)),)),
    ("maximum", lambda a, b: cg.maximum(a, b), (("grid0", (3, 4)), ("grid1", (4,)))),
    ("minimum", lambda a, b: cg.minimum(a, b), (("grid0", (3, 1)), ("grid1", (1, 4)))),
    ("where", lambda a, b: cg.where(a > 0, a, b), (("any", (3, 4)), ("any", (4,)))),
    ("clip", lambda a: cg.clip(a, -0.5, 0.5), (("any", (3, 4)),)),
    ("clip_method", lambda a: a.clip(a_min=0.0), (("any", (6,)),)),
    ("astype_f64", lambda a: a.astype("float64"), (("any", (3,)),)),
    ("astype_i32", lambda a: cg.astype(a * 4, np.int32), (("any", (3,)),)),
    ("sign", lambda a: cg.sign(a), (("nz", (5,)),)),
    ("stop_gradient", lambda a: cg.stop_gradient(a) * 2, (("any", (3,)),)),
    ("equal", lambda a, b: a == b, (("grid0", (6,)), ("grid0", (6,)))),
    ("not_equal", lambda a, b: a != b, (("grid0", (6,)), ("grid0", (6,)))),
    ("less", lambda a, b: a < b, (("any", (3, 4)), ("any", (4,)))),
    ("less_equal", lambda a: a <= 0.25, (("grid0", (6,)),)),
    ("greater", lambda a, b: cg.greater(a, b), (("any", (3,)), ("any", (3,)))),
    ("greater_equal", lambda a, b: a >= b, (("grid0", (6,)), ("grid0", (6,)))),
    ("floor", lambda a: ns(a).floor(a * 3), (("any", (5,)),)),
    # linear algebra
    ("matmul", lambda a, b: a @ b, (("any", (3, 4)), ("any", (4, 2)))),
    ("matmul_batched_vec", lambda a, b: cg.matmul(a, b), (("any", (2, 3, 4)), ("any", (4,)))),
    ("matmul_vec_vec", lambda a, b: a @ b, (("any", (4,)), ("any", (4,)))),
    ("dot", lambda a, b: cg.dot(a, b), (("any", (3,)), ("any", (3, 2)))),
    ("linear", lambda a, w, b: cg.linear(a, w, b), (("any", (5, 3)), ("any", (4, 3)), ("any", (4,)))),
    ("linear_batched", lambda a, w, b: cg.linear(a, w, b),
     (("any", (2, 5, 3)), ("any", (4, 3)), ("any", (4,)))),
    ("linear_vec", lambda a, w, b: cg.linear(a, w, b), (("any", (3,)), ("any", (4, 3)), ("any", (4,)))),
    ("addmm", lambda c, a, b: cg.addmm(c, a, b, alpha=-0.5, beta=2.0),
     (("any", (3, 5)), ("any", (3, 4)), ("any", (4, 5)))),
    ("addmm_bcast", lambda c, a, b: cg.addmm(c, a, b), (("any", (5,)), ("any", (3, 4)), ("any", (4, 5)))),
    # reductions
    ("sum_all", lambda a: a.sum(), (("any", (3, 4)),)),
    ("sum_axis", lambda a: cg.sum(a, axis=-1), (("any", (2, 3, 4)),)),
    ("sum_axes_keepdims", lambda a: cg.sum(a, (0, 2), keepdims=True), (("any", (2, 3, 4)),)),
    ("mean_axis", lambda a: a.mean(axis=0), (("any", (3, 4)),)),
    ("max_axis", lambda a: cg.max(a, axis=1), (("distinct", (3, 4)),)),
    ("max_all_keepdims", lambda a: a.max(keepdims=True), (("distinct", (3, 4)),)),
    ("min_axis", lambda a: a.min(axis=(0, 1)), (("distinct", (2, 3, 2)),)),
    ("logsumexp", lambda a: cg.logsumexp(a, axis=1), (("any", (3, 4)),)),
    ("softmax", lambda a: cg.softmax(a, axis=-1), (("any", (3, 4)),)),
    ("log_softmax", lambda a: a.log_softmax(axis=0), (("any", (3, 4)),)),
    ("log_softmax_axes", lambda a: cg.log_softmax(a, axis=(0, 2)), (("any", (2, 3, 4)),)),
    # broadcasting helpers (internal ops of the gradients)
    ("sum_to", lambda a: ns(a).sum_to(a, shape=(3, 1)), (("any", (2, 3, 4)),)),
    ("broadcast_to", lambda a: cg.broadcast_to(a, (2, 3, 4)), (("any", (3, 1)),)),
    ("sum_to_like", lambda a, b: ns(a).sum_to_like(a, b), (("any", (2, 3, 4)), ("any", (3, 1)))),
    ("broadcast_like", lambda a, b: ns(a).broadcast_like(a, b), (("any", (3, 1)), ("any", (2, 3, 4)))),
    ("zeros_like", lambda a: ns(a).zeros_like(a), (("any", (2, 3)),)),
    ("ones_like", lambda a: ns(a).ones_like(a), (("any", (2, 3)),)),
    # shapes
    ("reshape", lambda a: a.reshape(4, 3), (("any", (3, 4)),)),
    ("reshape_minus1", lambda a: cg.reshape(a, (-1,)), (("any", (3, 4)),)),
    ("transpose_T", lambda a: a.T, (("any", (3, 4)),)),
    ("transpose_axes", lambda a: a.transpose(2, 0, 1), (("any", (2, 3, 4)),)),
    ("swapaxes", lambda a: cg.swapaxes(a, 0, 2), (("any", (2, 3, 4)),)),
    ("expand_dims", lambda a: cg.expand_dims(a, (0, 2)), (("any", (3, 4)),)),
    ("squeeze", lambda a: cg.squeeze(a, 1), (("any", (3, 1, 4)),)),
    ("getitem_int", lambda a: a[1], (("any", (3, 4)),)),
    ("getitem_slices", lambda a: a[:, 1:3], (("any", (3, 4)),)),
    ("getitem_neg_step", lambda a: a[::-1, None], (("any", (5,)),)),
    ("getitem_int_array", lambda a: a[[0, 2, 2]], (("any", (3, 4)),)),
    ("getitem_mixed", lambda a: a[1:, np.array([3, 0])], (("any", (3, 4)),)),
    ("getitem_bool_mask", lambda a: a[np.array([True, False, True])], (("any", (3, 2)),)),
    ("scatter_add", lambda a: ns(a).scatter_add(a, shape=(6,), index=np.array([0, 1, 1, 2])),
     (("any", (4,)),)),
    ("masked", lambda a: ns(a).masked(a, a > 0), (("any", (3, 4)),)),
    ("reduced_count", lambda a: ns(a).reduced_count(a, axis=(0, 2)) * a, (("any", (2, 3, 4)),)),
    ("im2col", lambda a: ns(a).im2col(a, kh=2, kw=2, stride=1, pad=1), (("any", (2, 3, 4, 4)),)),
    ("col2im", lambda a: ns(a).col2im(a, shape=(2, 3, 4, 4), kh=2, kw=2, stride=2, pad=0),
     (("any", (8, 12)),)),
    ("reshape_like", lambda a, r: ns(a).reshape_like(a, r), (("any", (2, 6)), ("any", (3, 4)))),
    ("concat_part", lambda g, a, b: ns(g).concat_part(g, a, b, index=1, axis=0),
     (("any", (5, 3)), ("any", (2, 3)), ("any", (3, 3)))),
    ("scatter_add_like", lambda a, r: ns(a).scatter_add_like(a, r, index=np.array([0, 1, 1, 2])),
     (("any", (4,)), ("any", (6,)))),
    ("concatenate", lambda a, b: cg.concatenate([a, b], axis=1), (("any", (3, 2)), ("any", (3, 4)))),
    ("stack", lambda a, b: cg.stack([a, b], axis=-1), (("any", (3, 2)), ("any", (3, 2)))),
    ("index_update", lambda a, v: cg.index_update(a, (slice(None), 1), v),
     (("any", (3, 4)), ("any", (3,)))),
    # a small composite
    ("mlp", lambda x, w, b: cg.tanh(x @ w + b).sum(axis=1),
     (("any", (5, 4)), ("any", (4, 3)), ("any", (3,)))),
]

IDS = [c[0] for c in CASES]
DTYPES = [np.float64, np.float32]


def _dynamic(fn, arrays):
    out = fn(*[cg.tensor(a) for a in arrays])
    return out.data if isinstance(out, cg.Tensor) else np.asarray(out)


def _symbolic(fn, arrays):
    g = cg.Graph()
    syms = [g.input(f"x{i}", shape=a.shape, dtype=a.dtype) for i, a in enumerate(arrays)]
    y = fn(*syms)
    return g, syms, y


def test_every_registered_op_is_covered():
    seen = set()
    for case_id, fn, specs in CASES:
        g, _, _ = _symbolic(fn, case_inputs(case_id, specs, np.float64))
        seen |= {n.op for n in g.nodes}
    missing = {n for n, o in OPS.items() if o.builtin} - seen - sample_ops()
    assert not missing, f"ops never built symbolically here or in tests/op_samples: {sorted(missing)}"
    assert seen - set(OPS) <= {"input", "constant"}


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("case_id,fn,specs", CASES, ids=IDS)
def test_run_equals_dynamic(case_id, fn, specs, dtype):
    arrays = case_inputs(case_id, specs, dtype)
    expected = _dynamic(fn, arrays)
    g, syms, y = _symbolic(fn, arrays)
    assert isinstance(y, Symbol) and y.graph is g
    got = g.run(y, {s.name: a for s, a in zip(syms, arrays)})
    assert isinstance(got, np.ndarray)
    assert_exact(got, expected, f"{case_id} run")
    # The inferred metadata is the real one (inputs declared shape and dtype).
    assert y.shape == expected.shape
    assert y.dtype == expected.dtype
    if expected.dtype.kind == "f":
        assert expected.dtype == np.dtype(dtype) or case_id == "astype_f64"


@pytest.mark.parametrize("dtype", DTYPES, ids=["f64", "f32"])
@pytest.mark.parametrize("case_id,fn,specs", CASES, ids=IDS)
def test_compiled_equals_dynamic(case_id, fn, specs, dtype):
    arrays = case_inputs(case_id, specs, dtype)
    expected = _dynamic(fn, arrays)
    g, syms, y = _symbolic(fn, arrays)
    f = g.compile(y)
    got = f(*arrays)
    assert_exact(got, expected, f"{case_id} compiled")
    got_kw = f(**{s.name: a for s, a in zip(syms, arrays)})
    assert_exact(got_kw, expected, f"{case_id} compiled (keywords)")
    # Unoptimised code must agree too.
    assert_exact(g.compile(y, optimize=False)(*arrays), expected, f"{case_id} unoptimised")


@pytest.mark.parametrize("case_id,fn,specs", CASES[:12], ids=IDS[:12])
def test_run_with_open_shapes_equals_dynamic(case_id, fn, specs):
    """Inputs declared without shape or dtype ("any") run and compile the same."""
    arrays = case_inputs(case_id, specs, np.float64)
    expected = _dynamic(fn, arrays)
    g = cg.Graph()
    syms = [g.input(f"x{i}") for i in range(len(arrays))]
    y = fn(*syms)
    assert_exact(g.run(y, dict(zip(syms, arrays))), expected, case_id)
    assert_exact(g.compile(y)(*arrays), expected, case_id)


@pytest.mark.parametrize("fn_name", ["zeros_like", "ones_like"])
def test_public_zeros_like_ones_like_accept_symbols(fn_name):
    """cg.zeros_like / cg.ones_like take Tensors, so they must take Symbols too."""
    g = cg.Graph()
    x = g.input("x", (2, 3), "float32")
    y = getattr(cg, fn_name)(x)
    assert isinstance(y, Symbol)
    out = g.run(y, {"x": np.ones((2, 3), np.float32)})
    assert_exact(out, getattr(np, fn_name)(np.ones((2, 3), np.float32)), fn_name)


def test_numpy_ufuncs_on_symbols_build_nodes():
    g = cg.Graph()
    x = g.input("x", (3,), "float64")
    y = np.exp(x) + np.sin(x)
    assert isinstance(y, Symbol)
    a = np.array([0.1, 0.2, 0.3])
    assert_exact(g.run(y, {"x": a}), np.exp(a) + np.sin(a))


# ============================================================ the seed

def test_seed_example():
    g = cg.Graph()
    a, b = g.input("a"), g.input("b")
    y = (a - b) * (a + b)
    assert float(g.run(y, {"a": 3.0, "b": 1.0})) == 8.0
    da, db = g.gradients(y, [a, b])
    fn = g.compile([y, da, db])
    out = fn(a=3.0, b=1.0)
    assert isinstance(out, tuple) and len(out) == 3
    assert [float(v) for v in out] == [8.0, 6.0, -2.0]
    assert [float(v) for v in fn(3.0, 1.0)] == [8.0, 6.0, -2.0]


# ============================================================ the IR

def _chain():
    g = cg.Graph()
    a = g.input("a", (2, 3), "float32")
    b = g.input("b")
    u = a * 2.0
    v = u + b
    w = cg.exp(v).sum()
    return g, a, b, u, v, w


def test_nodes_are_ordered_topologically():
    g, *_ = _chain()
    position = {id(n): i for i, n in enumerate(g.nodes)}
    for n in g.nodes:
        for i in n.inputs:
            assert position[id(i)] < position[id(n)], (n.name, i.name)


def test_len_ops_names_and_lookup():
    g, a, b, u, v, w = _chain()
    assert len(g) == len(g.nodes)
    assert g.nodes[0] is a and g.nodes[1] is b
    assert a.op == "input" and b.op == "input"
    assert u.op == "multiply" and v.op == "add" and w.op == "sum"
    consts = [n for n in g.nodes if n.op == "constant"]
    assert len(consts) == 1
    assert all(isinstance(n.op, str) for n in g.nodes)
    assert u.inputs[0] is a and u.inputs[1] is consts[0]
    assert tuple(v.inputs) == (u, b)
    names = [n.name for n in g.nodes]
    assert len(set(names)) == len(names)
    assert a.name == "a" and b.name == "b"
    for n in g.nodes:
        assert g[n.name] is n
    # Generated names look like ``mul_3``: a short op name and a number.
    assert re.fullmatch(r"mul_\d+", u.name), u.name
    assert re.fullmatch(r"add_\d+", v.name), v.name
    assert re.fullmatch(r"sum_\d+", w.name), w.name
    with pytest.raises(KeyError, match="nope"):
        g["nope"]


def test_generated_names_avoid_user_names():
    g = cg.Graph()
    # A user takes the names the generator would pick next.
    a = g.input("mul_0")
    b = g.input("mul_1")
    c = g.constant(2.0, name="mul_2")
    ys = [a * b, b * c, a * c]
    names = [n.name for n in g.nodes]
    assert len(set(names)) == len(names)
    assert [g[y.name] for y in ys] == ys


def test_inferred_shapes_and_dtypes():
    g, a, b, u, v, w = _chain()
    assert a.shape == (2, 3) and a.dtype == np.float32
    assert b.shape is None and b.dtype is None
    assert u.shape == (2, 3) and u.dtype == np.float32  # the Python float is weak
    assert v.shape is None and v.dtype is None  # b is open
    m = a @ g.input("m", (3, 5), "float32")
    assert m.shape == (2, 5) and m.dtype == np.float32
    c = a < 0.5
    assert c.dtype == np.bool_ and c.shape == (2, 3)
    s = a.astype("float64").mean(axis=1, keepdims=True)
    assert s.shape == (2, 1) and s.dtype == np.float64


def test_partially_known_shapes():
    """``None`` inside a declared shape means "any size" for that axis."""
    g = cg.Graph()
    h = g.input("h", (None, 3), "float64")
    z = h * 2.0 + g.input("r", (3,), "float64")
    assert z.dtype == np.float64 and z.ndim == 2 and z.shape[1] == 3
    s = z.sum(axis=1)
    assert s.ndim == 1
    for rows in (1, 4):
        hv = np.arange(rows * 3.0).reshape(rows, 3)
        rv = np.array([1.0, 2.0, 3.0])
        assert_exact(g.run(s, {"h": hv, "r": rv}), (hv * 2.0 + rv).sum(axis=1))


# Functions of a (batch, 3) value whose batch size is left open: the usual TF-style
# declaration g.input("x", (None, 3)).  Each must build and run like the Tensor version.
OPEN_BATCH = [
    ("mean_axis0", lambda x: x.mean(axis=0)),
    ("mean_all", lambda x: cg.mean(x)),
    ("mean_axis1", lambda x: x.mean(axis=1, keepdims=True)),
    ("sum_axis0", lambda x: x.sum(axis=0)),
    ("max_axis0", lambda x: cg.max(x, axis=0)),
    ("reshape_minus1", lambda x: x.reshape(-1)),
    ("flatten", lambda x: x.flatten()),
    ("reshape_minus1_3", lambda x: cg.reshape(x, (-1, 3))),
    ("concatenate_axis0", lambda x: cg.concatenate([x, x * 2], axis=0)),
    ("concatenate_axis1", lambda x: cg.concatenate([x, x * 2], axis=1)),
    ("stack", lambda x: cg.stack([x, x], axis=1)),
    ("transpose", lambda x: x.T),
    ("expand_dims", lambda x: cg.expand_dims(x, 0)),
    ("softmax", lambda x: cg.softmax(x, axis=1)),
    ("logsumexp_axis0", lambda x: cg.logsumexp(x, axis=0)),
    ("matmul", lambda x: x @ np.arange(6.0).reshape(3, 2)),
    ("getitem", lambda x: x[:, 1]),
]


@pytest.mark.parametrize("name,fn", OPEN_BATCH, ids=[o[0] for o in OPEN_BATCH])
def test_open_batch_dimension_builds_and_runs(name, fn):
    g = cg.Graph()
    x = g.input("x", (None, 3), "float64")
    y = fn(x)
    assert isinstance(y, Symbol)
    if y.shape is not None:
        assert y.ndim == np.ndim(fn(cg.tensor(np.ones((2, 3)))).data)
    compiled = g.compile(y)
    for rows in (2, 5):
        xv = np.linspace(-1, 1, rows * 3).reshape(rows, 3)
        ref = fn(cg.tensor(xv)).data
        assert_exact(g.run(y, {"x": xv}), ref, f"{name} rows={rows}")
        assert_exact(compiled(xv), ref, f"{name} rows={rows} compiled")


# Functions of a value of unknown rank (g.input("x") with no shape).
UNKNOWN_RANK = [
    ("T", "transpose", lambda x: x.T),
    ("transpose", "transpose", lambda x: cg.transpose(x)),
    ("mean", "mean", lambda x: cg.mean(x)),
    ("mean_axis", "mean", lambda x: x.mean(axis=0)),
    ("max", "max", lambda x: x.max()),
    ("min_axis", "min", lambda x: cg.min(x, axis=1)),
    ("logsumexp", "logsumexp", lambda x: cg.logsumexp(x)),
    ("stack", "stack", lambda x: cg.stack([x, x])),
    ("expand_dims", "expand_dims", lambda x: cg.expand_dims(x, 0)),
    ("squeeze", "squeeze", lambda x: cg.squeeze(x)),
    ("squeeze_axis", "squeeze", lambda x: cg.squeeze(x, 0)),
    ("softmax", "softmax", lambda x: cg.softmax(x)),
    ("concatenate", "concatenate", lambda x: cg.concatenate([x, x])),
    ("dot", "dot", lambda x: cg.dot(x, np.ones(3))),
]


@pytest.mark.parametrize("name,op,fn", UNKNOWN_RANK, ids=[u[0] for u in UNKNOWN_RANK])
def test_unknown_rank_works_or_raises_a_clear_error(name, op, fn):
    """Either the op builds and runs correctly, or it refuses with a ValueError/TypeError
    that names the operation (API section 7), not a bare Python error from inside."""
    g = cg.Graph()
    x = g.input("x")
    try:
        y = fn(x)
    except (ValueError, TypeError) as err:
        assert op in str(err), f"{type(err).__name__}: {err}"
        return
    xv = np.linspace(-1, 1, 6).reshape(1, 2, 3) if name == "squeeze_axis" else \
        np.linspace(-1, 1, 6).reshape(2, 3)
    assert_exact(g.run(y, {"x": xv}), fn(cg.tensor(xv)).data, name)
    if name == "squeeze_axis":  # an axis that is not of length 1 is refused when it runs
        with pytest.raises(ValueError, match="squeeze"):
            g.run(y, {"x": np.ones((2, 3))})


def test_nodes_record_the_user_source_line():
    g = cg.Graph()
    x = g.input("x")
    line = inspect.currentframe().f_lineno + 1
    y = cg.sin(x) * 3
    assert y.source is not None
    assert os.path.basename(__file__) in y.source
    assert y.source.endswith(f":{line}")


def test_constants():
    g = cg.Graph()
    x = g.input("x", (3,), "float32")
    c = g.constant(np.array([1.0, 2.0, 3.0], dtype=np.float32), name="c")
    assert c.op == "constant" and c.shape == (3,) and c.dtype == np.float32
    assert g["c"] is c
    y = x * c
    xs = np.array([1.0, 1.0, 2.0], np.float32)
    assert_exact(g.run(y, {"x": xs}), xs * np.array([1.0, 2.0, 3.0], np.float32))
    assert_exact(g.run(c), np.array([1.0, 2.0, 3.0], np.float32))
    with pytest.raises(TypeError):
        g.constant("not a number")


# ============================================================ run: feeds and outputs

def _small():
    g = cg.Graph()
    a = g.input("a", (3,), "float64")
    b = g.input("b", (), "float64")
    y = a * b
    z = (y + 1.0).sum()
    return g, a, b, y, z


A = np.array([1.0, 2.0, 3.0])


def test_feeds_by_name_or_node_and_output_structures():
    g, a, b, y, z = _small()
    by_name = g.run(y, {"a": A, "b": 2.0})
    by_node = g.run(y, {a: A, b: 2.0})
    assert isinstance(by_name, np.ndarray)
    assert_exact(by_name, A * 2.0)
    assert_exact(by_node, A * 2.0)
    out = g.run([y, z], {"a": A, b: 2.0})
    assert isinstance(out, list) and len(out) == 2
    assert all(isinstance(o, np.ndarray) for o in out)
    assert_exact(out[1], np.asarray((A * 2.0 + 1.0).sum()))
    tup = g.run((z, y), {"a": A, "b": 2.0})
    assert isinstance(tup, tuple) and len(tup) == 2
    assert_exact(tup[0], out[1])
    # outputs by name, and a scalar output is a 0-d ndarray
    by_out_name = g.run(z.name, {"a": A, "b": 2.0})
    assert isinstance(by_out_name, np.ndarray) and by_out_name.shape == ()
    assert g.run([y.name], {"a": A, "b": 2.0})[0].tolist() == [2.0, 4.0, 6.0]
    # an input itself can be an output
    assert_exact(g.run(a, {"a": A}), A)


def test_run_only_needs_the_inputs_the_outputs_use():
    g = cg.Graph()
    a = g.input("a")
    g.input("unused")
    assert float(g.run(a * 2, {"a": 1.5})) == 3.0


def test_missing_feed_names_the_input():
    g, a, b, y, z = _small()
    with pytest.raises(ValueError, match="'b'"):
        g.run(y, {"a": A})
    with pytest.raises(ValueError, match="'a'"):
        g.run(z, {})
    with pytest.raises(ValueError, match="'a'"):
        g.run(z)


def test_unknown_feed_names_it():
    """An unknown feed is wrong input: a ValueError naming it (API section 7)."""
    g, a, b, y, z = _small()
    with pytest.raises(ValueError, match="'q'"):
        g.run(y, {"a": A, "b": 1.0, "q": 1.0})


def test_feeding_a_non_input_node_is_an_error():
    g, a, b, y, z = _small()
    with pytest.raises(ValueError, match=y.name):
        g.run(z, {"a": A, "b": 1.0, y: A})


def test_ill_shaped_feed_names_the_input_and_the_shapes():
    g, a, b, y, z = _small()
    with pytest.raises(ValueError, match=r"'a'.*\(3,\).*\(4,\)"):
        g.run(y, {"a": np.ones(4), "b": 1.0})
    with pytest.raises(ValueError, match="'b'"):
        g.run(y, {"a": A, "b": np.ones(2)})
    with pytest.raises(ValueError, match="'b'"):
        g.run(y, {"a": A, "b": np.ones((1, 1))})


def test_ill_shaped_feed_with_open_axis_names_the_input():
    h = cg.Graph()
    p = h.input("p", (None, 2))
    q = cg.exp(p)
    assert h.run(q, {"p": np.zeros((5, 2))}).shape == (5, 2)
    with pytest.raises(ValueError, match="'p'"):
        h.run(q, {"p": np.ones((5, 3))})
    with pytest.raises(ValueError, match="'p'"):
        h.run(q, {"p": np.ones(2)})


def test_bad_feed_value_type_names_the_input():
    g, a, b, y, z = _small()
    with pytest.raises(TypeError, match="'a'"):
        g.run(y, {"a": "abc", "b": 1.0})
    with pytest.raises(TypeError, match="'a'"):
        g.run(y, {"a": [object(), object(), object()], "b": 1.0})


def test_feeds_must_be_a_dict():
    g, a, b, y, z = _small()
    with pytest.raises(TypeError):
        g.run(y, [A, 1.0])


def test_declared_dtype_is_applied_to_feeds():
    g = cg.Graph()
    x = g.input("x", (2,), "float32")
    out = g.run(x * 2, {"x": np.array([1, 2])})
    assert_exact(out, np.array([2.0, 4.0], np.float32))
    out = g.run(x * 2, {"x": np.array([1.0, 2.0])})
    assert_exact(out, np.array([2.0, 4.0], np.float32))
    # a Tensor can be fed too
    out = g.run(x + 1, {"x": cg.tensor(np.array([1.0, 2.0], np.float32))})
    assert_exact(out, np.array([2.0, 3.0], np.float32))


def test_python_lists_can_be_fed():
    """Feeds are array-likes: a list works like np.asarray(list), declared dtype or not."""
    g = cg.Graph()
    x = g.input("x", (2,), "float32")
    y = g.input("y")
    assert_exact(g.run(x * 2, {"x": [1, 2]}), np.array([2.0, 4.0], np.float32))
    assert_exact(g.run(x * 2, {"x": (1.5, 2.5)}), np.array([3.0, 5.0], np.float32))
    assert_exact(g.run(y * 2, {"y": [1.0, 2.0]}), np.array([2.0, 4.0]))


def test_duplicate_input_name_is_rejected():
    g = cg.Graph()
    g.input("a")
    with pytest.raises(ValueError, match="'a'"):
        g.input("a")


# ============================================================ misuse while building

def test_mixing_graphs_is_an_error():
    g1, g2 = cg.Graph(), cg.Graph()
    a, b = g1.input("a"), g2.input("b")
    with pytest.raises(ValueError, match="graph"):
        a + b
    with pytest.raises(ValueError):
        cg.concatenate([a, b])
    with pytest.raises(ValueError):
        cg.where(a > 0, a, b)
    # nothing but the comparison was added to either graph by the failed operations
    assert [n.op for n in g1.nodes] == ["input", "constant", "greater"]
    assert len(g2) == 1
    with pytest.raises(ValueError):
        g1.run(b, {"b": 1.0})
    y = a * 2
    with pytest.raises(ValueError):
        g1.gradients(y, [b])


def test_shape_mismatch_at_build_time_names_op_and_shapes():
    g = cg.Graph()
    a = g.input("a", (2, 3))
    b = g.input("b", (4,))
    with pytest.raises(ValueError, match=r"add.*\(2, 3\).*\(4,\)"):
        a + b
    with pytest.raises(ValueError, match="matmul"):
        a @ g.input("c", (2, 3))


@pytest.mark.parametrize("convert", [bool, float, int], ids=["bool", "float", "int"])
def test_python_conversion_of_a_symbol_raises_type_error_with_the_line(convert):
    g = cg.Graph()
    x = g.input("x", ())
    y = x * 2
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(TypeError) as info:
        convert(y)
    msg = str(info.value)
    assert f"{os.path.basename(__file__)}:{line}" in msg, msg
    assert y.name in msg


def test_if_on_a_symbol_raises_type_error_with_the_line():
    g = cg.Graph()
    x = g.input("x", ())
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(TypeError) as info:
        if x > 0:
            pass
    assert f"{os.path.basename(__file__)}:{line}" in str(info.value)


def test_numpy_conversion_of_a_symbol_raises_type_error():
    g = cg.Graph()
    x = g.input("x", (3,))
    with pytest.raises(TypeError):
        np.asarray(x)
    with pytest.raises(TypeError):
        x.item()
    with pytest.raises(TypeError):
        x.numpy()


def test_unsupported_operand_is_a_type_error():
    g = cg.Graph()
    x = g.input("x", (3,))
    with pytest.raises(TypeError):
        x + "a"
    with pytest.raises(TypeError):
        x * object()
