"""Graph optimisation: each pass on its own, then Graph.optimize.

Every test builds a graph meant to exercise one rewrite, then checks that

* the pass returns a new Graph and leaves the original alone,
* the node count drops by what the rewrite removes,
* the results are unchanged: bit-exact (same dtype, equal values) for the exact
  passes, close for ``exp(log(x))``,
* inputs and kept nodes keep their names (``opt[y.name]`` is ``y``).
"""
from __future__ import annotations

import numpy as np
import pytest

import compgraph as cg
from compgraph.static.optimize import (algebraic_simplification, common_subexpression_elimination,
                                       constant_folding, dead_code_elimination, specialize)
from helpers import assert_exact

PASSES = [dead_code_elimination, common_subexpression_elimination, constant_folding,
          algebraic_simplification]


def same_results(old, new, names, feeds, exact=True):
    """The nodes called ``names`` compute the same in both graphs."""
    ref = old.run(list(names), feeds)
    got = new.run(list(names), feeds)
    for nm, r, o in zip(names, ref, got):
        if exact:
            assert_exact(o, r, nm)
        else:
            assert o.dtype == r.dtype and o.shape == r.shape, nm
            np.testing.assert_allclose(o, r, rtol=1e-6, err_msg=nm)


def ops_of(g):
    return [n.op for n in g.nodes]


RNG = np.random.default_rng(0)
XV = RNG.standard_normal((3, 4))
YV = RNG.standard_normal((4,))


def _xy(dtype="float64"):
    g = cg.Graph()
    x = g.input("x", (3, 4), dtype)
    y = g.input("y", (4,), dtype)
    return g, x, y


def _feeds(dtype=np.float64):
    return {"x": XV.astype(dtype), "y": YV.astype(dtype)}


# ============================================================ every pass

@pytest.mark.parametrize("p", PASSES, ids=lambda p: p.__name__)
def test_every_pass_returns_a_new_graph_and_leaves_the_old_one_alone(p):
    g, x, y = _xy()
    u = x * y
    out = (u + u * 1.0 + g.constant(2.0) * 3.0).sum(axis=0)
    nodes_before = list(g.nodes)
    names_before = [n.name for n in g.nodes]
    new = p(g, [out])
    assert isinstance(new, cg.Graph) and new is not g
    assert g.nodes == nodes_before and [n.name for n in g.nodes] == names_before
    assert len(new) <= len(g)
    assert all(n.graph is new for n in new.nodes)
    assert [n.name for n in new.inputs] == ["x", "y"]
    same_results(g, new, [out.name], _feeds())
    # the new graph is topologically ordered and its names are unique
    pos = {id(n): i for i, n in enumerate(new.nodes)}
    assert all(pos[id(i)] < pos[id(n)] for n in new.nodes for i in n.inputs)
    assert len({n.name for n in new.nodes}) == len(new)


# ============================================================ dead-code elimination

def test_dce_drops_what_the_kept_nodes_do_not_need():
    g, x, y = _xy()
    g.input("unused", (2,), "float64")
    keep = cg.tanh(x) * y
    dead1 = cg.exp(x) + 1.0  # 3 nodes (const, exp, add)
    dead2 = (dead1 * y).sum()  # 2 nodes
    new = dead_code_elimination(g, [keep])
    assert len(new) == len(g) - 5  # exp, 1.0, add, mul, sum
    assert dead1.name not in new and dead2.name not in new
    # inputs always stay, with their names, even when nothing uses them
    assert [n.name for n in new.inputs] == ["x", "y", "unused"]
    assert new[keep.name].op == "multiply"
    same_results(g, new, [keep.name], _feeds())


def test_dce_default_keeps_every_unconsumed_node():
    g, x, y = _xy()
    a = x * y
    b = cg.sin(x)
    new = dead_code_elimination(g)
    assert len(new) == len(g)
    same_results(g, new, [a.name, b.name], _feeds())


def test_dce_with_names_as_keep():
    g, x, y = _xy()
    a = x * y
    cg.sin(x)
    new = dead_code_elimination(g, [a.name])
    assert ops_of(new) == ["input", "input", "multiply"]
    same_results(g, new, [a.name], _feeds())


# ============================================================ common subexpressions

def test_cse_merges_identical_nodes_bit_exactly():
    g, x, y = _xy()
    p1, p2 = x * y, x * y  # same op, same inputs
    s1, s2 = cg.sin(p1), cg.sin(p2)  # equal after p1/p2 merge
    c1, c2 = g.constant(2.0), g.constant(2.0)  # equal constants
    r1, r2 = x.sum(axis=0), x.sum(axis=0)
    out = s1 * c1 + s2 * c2 + r1 + r2
    new = common_subexpression_elimination(g, [out])
    # merged: p2, s2, c2, (s2*c2 == s1*c1 after merge), r2
    assert len(new) == len(g) - 5
    same_results(g, new, [out.name], _feeds())


def test_cse_keeps_different_attributes_and_constants_apart():
    g, x, y = _xy()
    a0, a1 = x.sum(axis=0), x.sum(axis=1)
    i1, i2 = x[[0, 1]], x[[1, 0]]
    j1, j2 = x[0:2], x[1:3]
    z_pos, z_neg = x + 0.0, x + -0.0  # differ for x = -0.0
    k1, k2 = x * 1, x * 1.0  # int and float constants: different types
    outs = [a0, a1, i1, i2, j1, j2, z_pos, z_neg, k1, k2]
    new = common_subexpression_elimination(g, outs)
    assert len(new) == len(g)
    feeds = {"x": np.full((3, 4), -0.0), "y": YV}
    got = new.run([z_pos.name, z_neg.name], feeds)
    assert not np.signbit(got[0]).any() and np.signbit(got[1]).all()
    same_results(g, new, [o.name for o in outs], _feeds())


def test_cse_does_not_merge_integer_and_float_constants():
    g = cg.Graph()
    i = g.input("i", (3,), "int64")
    a = i * 2
    b = i * 2.0
    new = common_subexpression_elimination(g, [a, b])
    out = new.run([a.name, b.name], {"i": np.array([1, 2, 3])})
    assert out[0].dtype == np.int64 and out[1].dtype == np.float64
    same_results(g, new, [a.name, b.name], {"i": np.array([1, 2, 3])})


def test_cse_merges_equal_array_constants_but_not_other_dtypes():
    g, x, y = _xy()
    c1 = g.constant(np.arange(4.0))
    c2 = g.constant(np.arange(4.0))
    c3 = g.constant(np.arange(4.0, dtype=np.float32))
    out = x * c1 + x * c2 + x * c3
    new = common_subexpression_elimination(g, [out])
    assert len(new) == len(g) - 2  # c2 and x*c2
    assert sum(n.op == "constant" for n in new.nodes) == 2
    same_results(g, new, [out.name], _feeds())


def test_cse_keeps_kept_names():
    g, x, y = _xy()
    a, b = cg.exp(x), cg.exp(x)
    new = common_subexpression_elimination(g, [a, b])
    assert a.name in new and b.name in new
    same_results(g, new, [a.name, b.name], _feeds())


# ============================================================ constant folding

def test_constant_folding_evaluates_constant_subgraphs_exactly():
    g, x, y = _xy()
    c = g.constant(np.linspace(0.5, 2.0, 4))
    k = (cg.exp(c) * 3.0 + 1.0) / c.sum()  # all constant: 7 op/const nodes -> 1
    out = x * k + y
    new = constant_folding(g, [out])
    assert len(new) <= len(g)
    # what the output needs shrinks to x, y, one constant and two ops
    assert len(new.needed([new[out.name]])) == 5 < len(g.needed([out]))
    assert new[out.name].inputs[0].inputs[1].op == "constant"
    assert len(dead_code_elimination(new, [new[out.name]])) == 5
    # every remaining non-input op node reads an input (directly or indirectly)
    assert all(n.op in ("input", "constant") or any(i.op != "constant" for i in n.inputs)
               for n in new.nodes)
    same_results(g, new, [out.name], _feeds())


def test_constant_folding_keeps_dtypes():
    g, x, y = _xy("float32")
    c = g.constant(np.array([1.0, 2.0, 3.0, 4.0], np.float32))
    k = c * 2.0 + 1  # Python numbers are weak: stays float32
    out = x * k
    assert k.dtype == np.float32 and out.dtype == np.float32
    new = constant_folding(g, [out])
    folded = new[out.name].inputs[1]
    assert folded.op == "constant" and folded.dtype == np.float32
    got = new.run(out.name, _feeds(np.float32))
    assert got.dtype == np.float32
    same_results(g, new, [out.name], _feeds(np.float32))
    # the reference: the same computation with Tensors
    ref = cg.tensor(XV.astype(np.float32)) * (cg.constant(c.value) * 2.0 + 1)
    assert_exact(got, ref.data)


def test_constant_folding_of_python_numbers_keeps_weak_typing():
    g = cg.Graph()
    x = g.input("x", (3,), "float32")
    k = g.constant(2.0) * 3.0  # a Python-number constant times a Python number
    out = x * k
    new = constant_folding(g, [out])
    feeds = {"x": np.array([1.0, 2.0, 3.0], np.float32)}
    same_results(g, new, [out.name], feeds)


def test_constant_folding_names_a_folded_kept_node_like_the_original():
    g = cg.Graph()
    g.input("x", (), "float64")
    c = g.constant(3.0)
    y = c * c + 1.0
    new = constant_folding(g, [y])
    assert new[y.name].op == "constant"
    assert float(new.run(y.name)) == 10.0


def test_constant_folding_folds_zeros_like_and_ones_like_of_known_shape():
    g, x, y = _xy()
    from compgraph.static import SYMBOLIC
    o = SYMBOLIC.ones_like(x)
    z = SYMBOLIC.zeros_like(y)
    out = x * o + z
    new = constant_folding(g, [out])
    assert "ones_like" not in ops_of(new) and "zeros_like" not in ops_of(new)
    same_results(g, new, [out.name], _feeds())


def test_constant_folding_leaves_input_dependent_nodes():
    g, x, y = _xy()
    out = cg.exp(x) * y
    new = constant_folding(g, [out])
    assert ops_of(new) == ops_of(g)


# ============================================================ algebraic simplification

IDENTITIES = [
    ("x*1", lambda x: x * 1),
    ("1*x", lambda x: 1.0 * x),
    ("x+(-0.0)", lambda x: x + -0.0),  # x + 0 is not x: -0.0 + 0 is 0.0
    ("(-0.0)+x", lambda x: -0.0 + x),
    ("x-0", lambda x: x - 0.0),
    ("x/1", lambda x: x / 1),
    ("x**1", lambda x: x ** 1),
    ("--x", lambda x: -(-x)),
    ("x*ones", lambda x: x * np.ones((3, 4), np.float32)),
]


@pytest.mark.parametrize("name,fn", IDENTITIES, ids=[i[0] for i in IDENTITIES])
def test_simplification_removes_identity_ops_exactly(name, fn):
    g = cg.Graph()
    x = g.input("x", (3, 4), "float32")
    inner = fn(cg.sin(x))
    out = cg.exp(inner)
    new = algebraic_simplification(g, [out])
    new = dead_code_elimination(new, [new[out.name]])
    assert ops_of(new) == ["input", "sin", "exp"], (name, ops_of(new))
    feeds = {"x": XV.astype(np.float32)}
    same_results(g, new, [out.name], feeds)
    # also bit-exact on special values
    special = np.array([[0.0, -0.0, np.inf, -np.inf], [np.nan, 1e-45, -1e30, 3.0],
                        [1.0, -1.0, 0.5, 7.0]], np.float32)
    g2 = cg.Graph()
    x2 = g2.input("x", (3, 4), "float32")
    out2 = fn(x2) * 2
    new2 = algebraic_simplification(g2, [out2])
    with np.errstate(all="ignore"):
        same_results(g2, new2, [out2.name], {"x": special})


def test_simplification_x_minus_x_gives_zeros_of_the_same_shape_and_dtype():
    """Exact for integers only: for floats x - x is nan where x is inf or nan."""
    g = cg.Graph()
    x = g.input("x", (3, 4), "int64")
    u = x * 3
    out = (u - u) + x
    new = algebraic_simplification(g, [out])
    new = dead_code_elimination(new, [new[out.name]])
    assert "subtract" not in ops_of(new)
    feeds = {"x": np.arange(12).reshape(3, 4) - 6}
    same_results(g, new, [out.name], feeds)
    # zeros of a known shape then fold, and x * 3 is no longer needed
    opt = g.optimize(keep=[out])
    assert "subtract" not in ops_of(opt) and "multiply" not in ops_of(opt)
    same_results(g, opt, [out.name], feeds)


def test_simplification_keeps_x_minus_x_of_floats():
    g = cg.Graph()
    x = g.input("x", (4,), "float32")
    out = (x - x) + 1.0
    opt = g.optimize(keep=[out])
    assert "subtract" in ops_of(opt)
    got = opt.run(out.name, {"x": np.array([np.inf, np.nan, -np.inf, 2.0], np.float32)})
    assert np.isnan(got[:3]).all() and got[3] == 1.0


def test_simplification_exp_log_only_where_positive():
    g = cg.Graph()
    x = g.input("x", (3, 4), "float64")
    pos = cg.exp(cg.log(cg.sigmoid(x)))  # sigmoid > 0: exp(log(.)) can go
    anyx = cg.exp(cg.log(x))  # x may be <= 0: must stay (nan there)
    new = algebraic_simplification(g, [pos, anyx])
    new = dead_code_elimination(new, [new[pos.name], new[anyx.name]])
    assert ops_of(new).count("log") == 1 and ops_of(new).count("exp") == 1
    feeds = {"x": XV}
    with np.errstate(all="ignore"):
        same_results(g, new, [pos.name], feeds, exact=False)
        got = new.run(anyx.name, feeds)
    assert np.isnan(got[XV < 0]).all()
    np.testing.assert_allclose(got[XV > 0], XV[XV > 0], rtol=1e-12)


@pytest.mark.parametrize("name,build", [
    # the result would change shape: x (4,) times ones (3, 4) broadcasts
    ("broadcast_mul_ones", lambda x, i: x[0] * np.ones((3, 4))),
    ("broadcast_add_zeros", lambda x, i: x[0] + np.zeros((2, 4))),
    # the result would change dtype
    ("f32_times_f64_one", lambda x, i: x * np.float64(1.0)),
    ("f32_plus_f64_zeros", lambda x, i: x + np.zeros(4)),
    ("int_times_float_one", lambda x, i: i * 1.0),
    ("int_plus_float_zero", lambda x, i: i + 0.0),
    ("int_div_one", lambda x, i: i / 1),
    ("int_pow_one_float", lambda x, i: i ** 1.0),
    # not identities: x*0 is nan for inf/nan; x**0 is 1 for nan; 0-x is not x
    ("x_times_zero", lambda x, i: x * 0.0),
    ("x_pow_zero", lambda x, i: x ** 0),
    ("zero_minus_x", lambda x, i: 0.0 - x),
    ("one_div_x", lambda x, i: 1.0 / x),
])
def test_simplification_keeps_shape_dtype_and_ieee_semantics(name, build):
    g = cg.Graph()
    x = g.input("x", (3, 4), "float32")
    i = g.input("i", (3, 4), "int64")
    out = build(x, i)
    new = algebraic_simplification(g, [out])
    xv = XV.astype(np.float32)
    xv[0, 0], xv[1, 1], xv[2, 2] = np.inf, np.nan, -0.0
    feeds = {"x": xv, "i": np.arange(12).reshape(3, 4)}
    with np.errstate(all="ignore"):
        same_results(g, new, [out.name], feeds)
        ref = build(cg.tensor(xv), cg.tensor(feeds["i"])).data
        assert_exact(new.run(out.name, feeds), ref, name)


def test_simplification_keeps_names_of_kept_nodes():
    g = cg.Graph()
    x = g.input("x", (3,), "float64")
    y = x * 1.0
    new = algebraic_simplification(g, [y])
    assert y.name in new
    same_results(g, new, [y.name], {"x": np.array([1.0, -2.0, 3.0])})


# ============================================================ specialize

def test_specialize_infers_shapes_and_dtypes_for_open_inputs():
    g = cg.Graph()
    x = g.input("x")
    w = g.input("w")
    out = cg.tanh(x @ w).sum(axis=None) * 2.0
    assert out.shape is None or out.dtype is None
    new = specialize(g, {"x": ((5, 3), np.dtype("float32")), "w": ((3, 2), np.dtype("float32"))},
                     keep=[out])
    assert new["x"].shape == (5, 3) and new["x"].dtype == np.float32
    assert new[out.name].shape == () and new[out.name].dtype == np.float32
    rng = np.random.default_rng(3)
    feeds = {"x": rng.standard_normal((5, 3)).astype(np.float32),
             "w": rng.standard_normal((3, 2)).astype(np.float32)}
    same_results(g, new, [out.name], feeds)


# ============================================================ optimize()

def test_optimize_is_new_equivalent_and_no_larger():
    g, x, y = _xy()
    u = x * y
    v = x * y  # CSE
    c = g.constant(np.arange(4.0)) * 2.0 + 1.0  # folding
    w = (u + v * 1.0 + 0.0) * c  # simplification
    dead = cg.sin(u)  # a second (default-kept) output
    opt = g.optimize()
    assert isinstance(opt, cg.Graph) and opt is not g
    assert len(opt) < len(g)
    assert [n.name for n in opt.inputs] == ["x", "y"]
    assert opt[w.name] is not None and opt[dead.name] is not None
    same_results(g, opt, [w.name, dead.name], _feeds())
    # the original still runs as before
    assert_exact(g.run(w, _feeds()), (XV * YV + XV * YV) * (np.arange(4.0) * 2.0 + 1.0))


def test_optimize_keep_drops_other_outputs_but_keeps_inputs():
    g, x, y = _xy()
    g.input("spare")
    a = cg.exp(x) * 1.0
    b = cg.sin(y)
    opt = g.optimize(keep=[a])
    assert b.name not in opt
    assert [n.name for n in opt.inputs] == ["x", "y", "spare"]
    same_results(g, opt, [a.name], _feeds())
    opt2 = g.optimize(keep=[a.name, b.name])
    same_results(g, opt2, [a.name, b.name], _feeds())


def test_optimize_kept_node_replaced_by_an_input_still_answers_to_its_name():
    g = cg.Graph()
    x = g.input("x", (3,), "float64")
    y = (x + 0.0) * 1.0
    opt = g.optimize(keep=[y])
    assert y.name in opt
    assert len(opt) <= len(g)
    same_results(g, opt, [y.name], {"x": np.array([1.0, 2.0, 3.0])})


def test_optimize_reaches_a_fixed_point():
    """A rewrite that enables another (fold ones_like, then drop x*1) is followed up."""
    g = cg.Graph()
    a, b = g.input("a", (), "float64"), g.input("b", (), "float64")
    y = (a - b) * (a + b)
    da, db = g.gradients(y, [a, b])
    opt = g.optimize(keep=[y, da, db])
    assert "ones_like" not in ops_of(opt)
    assert not any(n.op == "multiply" and any(i.op == "constant" for i in n.inputs)
                   for n in opt.nodes), [str(n) for n in opt.nodes]
    again = opt.optimize(keep=[y.name, da.name, db.name])
    assert len(again) == len(opt)
    same_results(g, opt, [y.name, da.name, db.name], {"a": 3.0, "b": 1.0})


def test_optimize_shrinks_a_gradient_graph_and_keeps_its_results():
    rng = np.random.default_rng(4)
    feeds = {"x": rng.standard_normal((5, 4)), "w": rng.standard_normal((4, 3)),
             "b": rng.standard_normal((3,))}
    g = cg.Graph()
    x = g.input("x", (5, 4), "float64")
    w = g.input("w", (4, 3), "float64")
    b = g.input("b", (3,), "float64")
    loss = (cg.tanh(x @ w + b) ** 2).mean()
    dw, db = g.gradients(loss, [w, b])
    opt = g.optimize(keep=[loss, dw, db])
    assert len(opt) < len(g)
    names = [loss.name, dw.name, db.name]
    ref = g.run(names, feeds)
    got = opt.run(names, feeds)
    for r, o in zip(ref, got):
        assert o.dtype == r.dtype and o.shape == r.shape
        np.testing.assert_allclose(o, r, rtol=1e-12, atol=1e-15)
    # the optimised graph is a graph like any other: differentiate it again
    d2 = opt.gradients(opt[db.name].sum(), opt["b"])
    assert d2.graph is opt and opt.run(d2, feeds).shape == (3,)


def test_names_shared_by_both_graphs_mean_the_same_value():
    """opt[name] never finds a different computation than g[name]."""
    g, x, y = _xy()
    u = x * y
    v = x * y
    k = g.constant(2.0) + 1.0
    s = (u - u) + v * k + (-(-v)) ** 1
    t = cg.exp(cg.log(cg.exp(s)))
    opt = g.optimize(keep=[t, s])
    shared = [n.name for n in opt.nodes if n.name in g]
    ref = g.run(shared, _feeds())
    got = opt.run(shared, _feeds())
    for nm, r, o in zip(shared, ref, got):
        assert o.shape == r.shape and o.dtype == r.dtype, nm
        np.testing.assert_allclose(o, r, rtol=1e-12, err_msg=nm)


def _random_graph(seed):
    """A random expression DAG over two inputs with repeated subexpressions and constants."""
    rng = np.random.default_rng(seed)
    g = cg.Graph()
    vals = [g.input("x", (4,), "float64"), g.input("y", (4,), "float64")]
    unary = [cg.sin, cg.tanh, lambda v: -v, lambda v: v * 1, lambda v: v + 0.0,
             lambda v: cg.exp(cg.log(cg.sigmoid(v))), lambda v: v ** 1]
    binary = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b,
              lambda a, b: cg.maximum(a, b), lambda a, b: a - a + b]
    for _ in range(25):
        r = rng.random()
        if r < 0.4:
            vals.append(unary[rng.integers(len(unary))](vals[rng.integers(len(vals))]))
        elif r < 0.85:
            a, b = (vals[i] for i in rng.integers(len(vals), size=2))
            vals.append(binary[rng.integers(len(binary))](a, b))
        else:
            vals.append(vals[rng.integers(len(vals))] * g.constant(float(rng.integers(1, 3))))
    return g


@pytest.mark.parametrize("seed", range(8))
def test_optimize_random_graphs(seed):
    g = _random_graph(seed)
    opt = g.optimize()
    assert len(opt) <= len(g)
    outs = [n.name for n in g.outputs()]
    rng = np.random.default_rng(100 + seed)
    feeds = {"x": rng.standard_normal(4), "y": rng.standard_normal(4)}
    same_results(g, opt, outs, feeds, exact=False)
    for p in PASSES:
        one = p(g)
        assert len(one) <= len(g)
        same_results(g, one, outs, feeds, exact=p is not algebraic_simplification)


# --------------------------------------------------------------------------- scaling
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_scalar_times_product_scales_the_smaller_operand(dtype):
    """lr * (g.T @ h) (an SGD update) scales g, smaller than the product, instead."""
    g = cg.Graph()
    a = g.input("a", shape=(16, 3), dtype=dtype)    # 48 elements
    b = g.input("b", shape=(16, 20), dtype=dtype)   # 320 elements; the product has 60
    y = 0.01 * (cg.transpose(a) @ b)
    opt = g.optimize()
    mults = [n for n in opt.nodes if n.op == "multiply"]
    assert len(mults) == 1 and mults[0].shape == (3, 16)  # the scaled operand is a.T
    rng = np.random.default_rng(3)
    feeds = {"a": rng.standard_normal((16, 3)).astype(dtype),
             "b": rng.standard_normal((16, 20)).astype(dtype)}
    ref, got = g.run(y, feeds), opt.run(y.name, feeds)  # the same name, no alias node
    assert got.dtype == ref.dtype == dtype
    np.testing.assert_allclose(got, ref, rtol=1e-5 if dtype == np.float32 else 1e-12,
                               atol=1e-7)


def test_product_used_twice_or_non_number_scale_is_left_alone():
    g = cg.Graph()
    a = g.input("a", shape=(16, 3))
    b = g.input("b", shape=(16, 20))
    s = g.input("s", shape=())
    p = cg.transpose(a) @ b
    y1, y2 = 0.5 * p, p + 1.0                  # the product has another consumer
    y3 = s * (cg.transpose(a) @ (b * 2.0))     # the scale is a graph input, not a number
    opt = g.optimize()
    shapes = sorted(n.shape for n in opt.nodes if n.op == "multiply")
    assert (3, 16) not in shapes and (3, 20) in shapes
    rng = np.random.default_rng(4)
    feeds = {"a": rng.standard_normal((16, 3)), "b": rng.standard_normal((16, 20)), "s": 0.3}
    same_results(g, opt, [y1.name, y2.name, y3.name], feeds)
