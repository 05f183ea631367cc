"""cg.explain: the chain rule as text, for dynamic and static graphs."""
from __future__ import annotations

import math
import re
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import compgraph as cg
from helpers import seed_power, seed_product


def static_seed():
    g = cg.Graph()
    x = g.input("x", shape=(), dtype="float64")
    u = 3 * x + 2
    g.rename(u, "u")
    y = u ** 4
    g.rename(y, "y")
    a = g.input("a", shape=(), dtype="float64")
    b = g.input("b", shape=(), dtype="float64")
    d = a - b
    g.rename(d, "d")
    e = a + b
    g.rename(e, "e")
    Y = d * e
    g.rename(Y, "Y")
    return g, x, y, a, b, Y


def path_sum(text: str) -> tuple[int, float]:
    """(number of paths, the sum over paths as printed)."""
    head = text.splitlines()[0]
    m = re.search(r"(\d+) path\(s\)", head)
    assert m, text
    n = int(m.group(1))
    if n == 1:
        prods = re.findall(r"^  product: .* = (\S+)$", text, re.M)
        assert len(prods) == 1, text
        return n, float(prods[0])
    sums = re.findall(r"^sum over paths: .* = (\S+)$", text, re.M)
    assert len(sums) == 1, text
    return n, float(sums[0])


def final_value(text: str, y: str, x: str) -> float:
    m = re.findall(rf"^d{y}/d{x} = (\S+)", text, re.M)
    assert m, text
    return float(m[-1])


def test_seed_power_text():
    x, u, y = seed_power()
    text = cg.explain(y, x)
    lines = text.splitlines()
    assert lines[0].startswith("dy/dx by the chain rule: 1 path(s) from x to y")
    assert any(ln.startswith("path 1: x -> ") and ln.endswith("-> u -> y") for ln in lines)
    assert "  dy/du = 4*u**3 = 5324   (y = 14641)" in lines
    assert any(re.fullmatch(r"  d\S+/dx = 3", ln) for ln in lines), text
    assert any(re.fullmatch(r"  du/d\S+ = 1   \(u = 11\)", ln) for ln in lines), text
    assert "  product: 3 * 1 * 5324 = 15972" in lines
    assert final_value(text, "y", "x") == 15972
    y.backward()
    assert x.grad.item() == 15972


def test_seed_power_wrt_intermediate():
    x, u, y = seed_power()
    text = cg.explain(y, u)
    assert "1 path(s) from u to y" in text
    assert "dy/du = 4*u**3 = 5324" in text
    assert final_value(text, "y", "u") == 5324


def test_seed_product_text():
    a, b, _, _, Y = seed_product()
    ta, tb = cg.explain(Y, a), cg.explain(Y, b)
    assert ta.splitlines()[0] == "dY/da by the chain rule: 2 path(s) from a to Y"
    for want in ("path 1: a -> e -> Y", "path 2: a -> d -> Y", "  de/da = 1   (e = 4)",
                 "  dY/de = d = 2   (Y = 8)", "  dd/da = 1   (d = 2)", "  dY/dd = e = 4   (Y = 8)",
                 "sum over paths: 2 + 4 = 6"):
        assert want in ta.splitlines() or (want.startswith("path") and
                                           want.split(": ")[1] in ta), (want, ta)
    assert "  dd/db = -1   (d = 2)" in tb.splitlines()
    assert re.search(r"^sum over paths: .* = -2$", tb, re.M), tb
    assert path_sum(ta) == (2, 6.0) and path_sum(tb) == (2, -2.0)
    assert final_value(ta, "Y", "a") == 6 and final_value(tb, "Y", "b") == -2
    Y.backward()
    assert a.grad.item() == 6 and b.grad.item() == -2


def test_same_input_twice_counts_two_paths():
    x = cg.tensor(2.0, requires_grad=True, name="x")
    y = x * x
    y.name = "y"
    text = cg.explain(y, x)
    assert path_sum(text) == (2, 4.0)


def test_unused_variable_gives_zero():
    x = cg.tensor(2.0, requires_grad=True, name="x")
    z = cg.tensor(1.0, requires_grad=True, name="z")
    y = x * x
    y.name = "y"
    text = cg.explain(y, z)
    assert "0 path(s)" in text
    # the final value is still stated: dy/dz = 0
    assert final_value(text, "y", "z") == 0, text


def test_error_after_backward_without_retain_graph():
    x, u, y = seed_power()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        cg.explain(y, x)


def test_works_after_backward_with_retain_graph():
    x, u, y = seed_power()
    y.backward(retain_graph=True)
    text = cg.explain(y, x)
    assert path_sum(text) == (1, 15972.0)


def test_bad_arguments():
    x, u, y = seed_power()
    with pytest.raises(TypeError):
        cg.explain(y, 3.0)
    g, xs, ys, *_ = static_seed()
    with pytest.raises(TypeError):
        cg.explain(ys, x)
    with pytest.raises(TypeError):
        cg.explain(ys, static_seed()[1])  # a node of another graph
    with pytest.raises(ValueError):
        cg.explain(x, x)  # a leaf was not computed from anything


# ---------------------------------------------------------------- static graphs

def test_static_seed_with_feeds():
    g, x, y, a, b, Y = static_seed()
    text = cg.explain(y, x, feeds={"x": 3.0})
    lines = text.splitlines()
    assert lines[0] == "dy/dx by the chain rule: 1 path(s) from x to y"
    assert "  dy/du = 4*u**3 = 5324" in lines
    assert "  product: 3 * 1 * 5324 = 15972" in lines
    assert final_value(text, "y", "x") == 15972
    tb = cg.explain(Y, b, feeds={"a": 3.0, "b": 1.0})
    assert path_sum(tb) == (2, -2.0)
    assert "  dd/db = -1" in tb.splitlines()
    assert "  dY/dd = e = 4" in tb.splitlines()
    assert final_value(tb, "Y", "b") == -2


def test_static_without_feeds_is_symbolic():
    g, x, y, *_ = static_seed()
    text = cg.explain(y, x)
    assert "dy/du = 4*u**3" in text
    assert "5324" not in text and "15972" not in text


def test_static_explain_leaves_graph_unchanged():
    g, x, y, *_ = static_seed()
    before = len(g)
    dot = g.to_dot()
    cg.explain(y, x, feeds={"x": 3.0})
    cg.explain(y, x, feeds={"x": 3.0})
    assert len(g) == before
    assert g.to_dot() == dot


# ------------------------------------------------- random DAGs with shared parts

UNARY = ["sin", "cos", "tanh", "sigmoid", "scale"]
BINARY = ["add", "sub", "mul"]


@st.composite
def dags(draw):
    steps = []
    n_steps = draw(st.integers(1, 6))
    for k in range(n_steps):
        avail = 2 + k  # x, z, and earlier steps
        if draw(st.booleans()):
            op = draw(st.sampled_from(UNARY))
            steps.append((op, draw(st.integers(0, avail - 1)), None,
                          draw(st.floats(-2, 2, allow_nan=False))))
        else:
            op = draw(st.sampled_from(BINARY))
            i = draw(st.integers(0, avail - 1))
            j = draw(st.integers(0, avail - 1))
            steps.append((op, i, j, 0.0))
    xv = draw(st.floats(-1.5, 1.5, allow_nan=False))
    zv = draw(st.floats(-1.5, 1.5, allow_nan=False))
    return steps, xv, zv


def build(steps, x, z):
    vals = [x, z]
    for op, i, j, c in steps:
        a = vals[i]
        if op == "scale":
            r = a * c
        elif op in UNARY:
            r = getattr(cg, op)(a)
        else:
            b = vals[j]
            r = a + b if op == "add" else a - b if op == "sub" else a * b
        vals.append(r)
    # the output uses x and every step, so x always reaches it and parts are shared
    y = vals[2]
    for v in vals[3:]:
        y = y + v
    return y * x


def close(a, b, terms_scale):
    return math.isclose(a, b, rel_tol=2e-5, abs_tol=1e-5 * max(1.0, terms_scale))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags())
def test_random_dag_dynamic_matches_backward(dag):
    steps, xv, zv = dag
    x = cg.tensor(xv, requires_grad=True, name="x")
    z = cg.tensor(zv, requires_grad=True, name="z")
    y = build(steps, x, z)
    y.name = "y"
    text = cg.explain(y, x)
    assume("first ones only" not in text)
    n, s = path_sum(text)
    assert n >= 1
    terms = [abs(float(t)) for t in re.findall(r"^  product: .* = (\S+)$", text, re.M)]
    assert len(terms) == n
    y.backward()
    g = x.grad.item()
    assert close(s, g, sum(terms)), (s, g, text)
    assert close(final_value(text, "y", "x"), g, abs(g))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dags())
def test_random_dag_static_matches_dynamic(dag):
    steps, xv, zv = dag
    gr = cg.Graph()
    xs = gr.input("x", shape=(), dtype="float64")
    zs = gr.input("z", shape=(), dtype="float64")
    ys = build(steps, xs, zs)
    gr.rename(ys, "y")
    text = cg.explain(ys, xs, feeds={"x": xv, "z": zv})
    assume("first ones only" not in text)
    n, s = path_sum(text)
    x = cg.tensor(xv, requires_grad=True, name="x")
    z = cg.tensor(zv, requires_grad=True, name="z")
    build(steps, x, z).backward()
    g = x.grad.item()
    terms = [abs(float(t)) for t in re.findall(r"^  product: .* = (\S+)$", text, re.M)]
    assert len(terms) == n
    assert close(s, g, sum(terms)), (s, g, text)
    assert close(final_value(text, "y", "x"), g, abs(g))


def test_many_paths_are_marked_when_cut():
    x = cg.tensor(0.3, requires_grad=True, name="x")
    y = x
    for _ in range(8):  # 2**8 paths
        y = y * y + y
    y.name = "y"
    text = cg.explain(y, x)
    assert "first ones only" in text
    # whatever is shown, the final value is the engine's
    y.backward()
    assert math.isclose(final_value(text, "y", "x"), x.grad.item(), rel_tol=1e-5)


# --------------------------------------- exponentially many paths: counted, not listed

def doublings(n, x):
    """x1 = x0 + x0, ..., xn = x(n-1) + x(n-1): 2**n paths from x0 to xn."""
    v = x
    for k in range(1, n + 1):
        v = v + v
        if isinstance(v, cg.Tensor):
            v.name = f"x{k}"
        else:
            v.graph.rename(v, f"x{k}")
    return v


def shown_paths(text):
    return len(re.findall(r"^path \d+: ", text, re.M))


def check_many_paths(text, final):
    head = text.splitlines()[0]
    assert head.startswith("dx30/dx0 by the chain rule: 1073741824 path(s) from x0 to x30")
    assert "showing 32 of 1073741824 paths" in head
    assert shown_paths(text) == 32
    assert "(1073741792 more path(s) not shown" in text
    assert "sum over paths" not in text  # a sum of 32 of them is not the derivative
    assert text.splitlines()[-1] == final


def test_exponentially_many_paths_dynamic():
    x0 = cg.tensor(1.0, requires_grad=True, name="x0")
    x30 = doublings(30, x0)
    start = time.perf_counter()
    text = cg.explain(x30, x0)
    assert time.perf_counter() - start < 1.0
    check_many_paths(text, "dx30/dx0 = 1.07374e+09 (reverse mode gives the same)")
    x30.backward()
    assert x0.grad.item() == 2.0**30


@pytest.mark.parametrize("feeds", [{"x0": 1.0}, None])
def test_exponentially_many_paths_static(feeds):
    g = cg.Graph()
    x0 = g.input("x0", shape=(), dtype="float64")
    x30 = doublings(30, x0)
    start = time.perf_counter()
    text = cg.explain(x30, x0, feeds=feeds)
    assert time.perf_counter() - start < 1.0
    if feeds:
        check_many_paths(text, "dx30/dx0 = 1.07374e+09 (reverse mode gives the same)")
    else:
        check_many_paths(text, "(1073741792 more path(s) not shown)")


@pytest.mark.parametrize("static", [False, True])
def test_search_skips_parts_that_miss_the_variable(static):
    # one path from z; the 2**22 paths through x22 never reach z and are not walked
    if static:
        g = cg.Graph()
        x0, z = g.input("x0", shape=(), dtype="float64"), g.input("z", shape=(), dtype="float64")
    else:
        x0 = cg.tensor(1.0, requires_grad=True, name="x0")
        z = cg.tensor(2.0, requires_grad=True, name="z")
    y = z + doublings(22, x0)
    if static:
        g.rename(y, "y")
    else:
        y.name = "y"
    start = time.perf_counter()
    text = cg.explain(y, z, feeds={"x0": 1.0, "z": 2.0} if static else None)
    assert time.perf_counter() - start < 1.0
    assert text.splitlines()[0] == "dy/dz by the chain rule: 1 path(s) from z to y"
    assert text.splitlines()[-1] == "dy/dz = 1 (reverse mode gives the same)"


def test_huge_path_counts_saturate_and_long_paths_are_capped():
    x0 = cg.tensor(1.0, requires_grad=True, name="x0")
    y = doublings(400, x0)  # 2**400 paths of 400 steps
    start = time.perf_counter()
    text = cg.explain(y, x0)
    assert time.perf_counter() - start < 2.0
    head = text.splitlines()[0]
    assert "at least 10**100 path(s)" in head
    # 2000 steps at most: 5 paths of 400 steps
    assert "showing 5 of at least 10**100 paths" in head and shown_paths(text) == 5
    assert "(at least 10**100 - 5 more path(s) not shown" in text
    assert text.splitlines()[-1] == "dx400/dx0 = 2.58225e+120 (reverse mode gives the same)"


def test_path_count_is_exact_on_a_shared_dag():
    # a chain of diamonds with a skip edge: counts add up where paths share nodes
    x = cg.tensor(0.5, requires_grad=True, name="x")
    a = cg.sin(x) + cg.cos(x)           # 2 paths to a
    b = a * x + a                       # 2*2 + 1 = 5 paths to b
    y = b * b + a                       # 5 + 5 + 2 = 12 paths to y
    y.name = "y"
    text = cg.explain(y, x)
    assert path_sum(text)[0] == 12 and shown_paths(text) == 12
    n, s = path_sum(text)
    y.backward()
    assert math.isclose(s, x.grad.item(), rel_tol=1e-5)  # (printed to 6 digits)


def test_deep_operand_chain_does_not_recurse():
    # the name of y's second operand is built from a 5000-deep chain of unnamed values
    x = cg.tensor(0.5, requires_grad=True, name="x")
    w = cg.tensor(0.5, requires_grad=True, name="w")
    for _ in range(5000):
        w = cg.sin(w)
    y = x * w
    y.name = "y"
    text = cg.explain(y, x)
    assert text.splitlines()[0] == "dy/dx by the chain rule: 1 path(s) from x to y"
    y.backward()
    assert math.isclose(final_value(text, "y", "x"), x.grad.item(), rel_tol=1e-5)


def test_value_explained_by_itself_is_one():
    g, x, y, *_ = static_seed()
    u = g["u"]
    assert cg.explain(u, u).splitlines()[-1] == "du/du = 1 (u is u itself)"
    assert cg.explain(u, u, feeds={"x": 3.0}).splitlines()[-1] == (
        "du/du = 1 (reverse mode gives the same)")
