"""DOT text for dynamic (cg.to_dot) and static (Graph.to_dot) graphs."""
from __future__ import annotations

import re

import pydot
import pytest

import compgraph as cg
from helpers import seed_power, seed_product


def parse(dot: str) -> pydot.Dot:
    graphs = pydot.graph_from_dot_data(dot)
    assert graphs is not None and len(graphs) == 1, dot
    return graphs[0]


def unquote(s: str | None) -> str:
    if s is None:
        return ""
    s = s.strip()
    if s.startswith('"') and s.endswith('"'):
        s = s[1:-1]
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), s)


def all_nodes(g: pydot.Dot) -> dict[str, str]:
    out = {}
    for n in g.get_nodes():
        if n.get_name() in ("node", "edge", "graph"):
            continue
        out[n.get_name()] = unquote(n.get_label())
    for sub in g.get_subgraphs():
        out.update(all_nodes(sub))
    return out


def all_edges(g: pydot.Dot) -> list[tuple[str, str, str]]:
    out = [(e.get_source(), e.get_destination(), unquote(e.get_label()))
           for e in g.get_edges()]
    for sub in g.get_subgraphs():
        out += all_edges(sub)
    return out


def rankdir(g: pydot.Dot) -> str:
    rd = g.get_rankdir()
    if rd is None:
        for a in g.get_attributes().items():
            if a[0] == "rankdir":
                rd = a[1]
    return unquote(rd)


def find(nodes: dict[str, str], first_line: str) -> str:
    hits = [k for k, v in nodes.items() if v.split("\n")[0] == first_line]
    assert len(hits) == 1, (first_line, nodes)
    return hits[0]


def test_seed_power_dynamic():
    x, u, y = seed_power()
    g = parse(cg.to_dot(y))
    assert rankdir(g) == "BT"
    nodes = all_nodes(g)
    edges = all_edges(g)
    labels = list(nodes.values())
    ops = sorted(v for v in labels if v in ("power", "add", "multiply"))
    assert ops == ["add", "multiply", "power"]
    vx, vu, vy = find(nodes, "x"), find(nodes, "u"), find(nodes, "y")
    assert "() float64" in nodes[vx] and "= 3" in nodes[vx].split("\n")
    assert "= 11" in nodes[vu].split("\n")
    assert "= 14641" in nodes[vy].split("\n")
    for v in (vx, vu, vy):
        assert "() float64" in nodes[v]
    # x -> multiply (d/dx = 3), u -> power (d/du = 4*u**3 = 5324), product -> add (1)
    pow_op = [k for k, v in nodes.items() if v == "power"][0]
    mul_op = [k for k, v in nodes.items() if v == "multiply"][0]
    add_op = [k for k, v in nodes.items() if v == "add"][0]
    assert (vx, mul_op, "3") in edges
    assert (vu, pow_op, "5324") in edges
    assert (pow_op, vy, "") in edges
    assert (add_op, vu, "") in edges
    assert any(s != vx and d == add_op and lab == "1" for s, d, lab in edges)
    # no gradient before backward
    assert not any("grad" in v for v in labels)


def test_gradients_shown_once_known():
    x, u, y = seed_power()
    u.retain_grad()
    y.backward(retain_graph=True)
    nodes = all_nodes(parse(cg.to_dot(y)))
    assert "grad 15972" in nodes[find(nodes, "x")].split("\n")
    assert "grad 5324" in nodes[find(nodes, "u")].split("\n")


def test_after_backward_without_retain_still_parses():
    x, u, y = seed_power()
    y.backward()
    nodes = all_nodes(parse(cg.to_dot(y)))
    assert "grad 15972" in nodes[find(nodes, "x")].split("\n")


def test_seed_product_dynamic():
    a, b, d, e, Y = seed_product()
    Y.backward(retain_graph=True)
    g = parse(cg.to_dot(Y))
    nodes, edges = all_nodes(g), all_edges(g)
    va, vb, vd, ve, vY = (find(nodes, n) for n in "abdeY")
    assert "= 8" in nodes[vY].split("\n")
    assert "= 2" in nodes[vd].split("\n") and "= 4" in nodes[ve].split("\n")
    assert "grad 6" in nodes[va].split("\n") and "grad -2" in nodes[vb].split("\n")
    ops = {v: k for k, v in nodes.items() if v in ("subtract", "add", "multiply")}
    assert set(ops) == {"subtract", "add", "multiply"}
    # a and b are shared by both branches: each leaf appears once, with two out-edges
    assert sum(1 for v in nodes.values() if v.split("\n")[0] == "a") == 1
    assert (va, ops["subtract"], "1") in edges and (vb, ops["subtract"], "-1") in edges
    assert (va, ops["add"], "1") in edges and (vb, ops["add"], "1") in edges
    assert (vd, ops["multiply"], "4") in edges and (ve, ops["multiply"], "2") in edges
    assert (ops["multiply"], vY, "") in edges


def test_nonscalar_values_have_shape_but_no_value_or_edge_label():
    import numpy as np
    w = cg.tensor(np.ones((2, 3)), requires_grad=True, name="w")
    s = (w * 2.0).sum()
    s.name = "s"
    nodes = all_nodes(parse(cg.to_dot(s)))
    lw = nodes[find(nodes, "w")]
    assert "(2, 3) float64" in lw and "=" not in lw
    assert "= 12" in nodes[find(nodes, "s")].split("\n")


def test_labels_with_quotes_are_escaped():
    x = cg.tensor(1.0, requires_grad=True, name='we"ird\\name')
    y = x * 2
    nodes = all_nodes(parse(cg.to_dot(y)))
    assert any(v.split("\n")[0] == 'we"ird\\name' for v in nodes.values())


def test_to_dot_rejects_non_tensor():
    with pytest.raises(TypeError):
        cg.to_dot(3.0)


def chain(n: int):
    x = cg.tensor(0.5, requires_grad=True, name="x")
    y = x
    for _ in range(n):
        y = y * 1.0001
    return y


def test_dynamic_node_cap():
    y = chain(60)
    dot = cg.to_dot(y, max_nodes=20)
    nodes = all_nodes(parse(dot))
    assert sum(1 for v in nodes.values() if v == "multiply") <= 20
    assert any("20" in v and "cut" in v for v in nodes.values())
    # the default cap keeps a big graph small too
    full = cg.to_dot(chain(400))
    assert 0 < full.count('label="multiply"') <= 200
    assert "cut" in full


def test_dynamic_no_summary_when_not_cut():
    nodes = all_nodes(parse(cg.to_dot(chain(20), max_nodes=20)))
    assert sum(1 for v in nodes.values() if v == "multiply") == 20
    assert not any("cut" in v for v in nodes.values()), nodes
    nodes = all_nodes(parse(cg.to_dot(chain(5), max_nodes=20)))
    assert not any("cut" in v for v in nodes.values())


def test_deep_graph_no_recursion_error():
    y = chain(5000)
    assert cg.to_dot(y, max_nodes=10_000).count("multiply") == 5000


# ---------------------------------------------------------------- static graphs

def static_power():
    g = cg.Graph()
    x = g.input("x", shape=(), dtype="float64")
    u = 3 * x + 2
    g.rename(u, "u")
    y = u ** 4
    g.rename(y, "y")
    return g, x, u, y


def _made_by(nodes: dict, edges: list) -> dict:
    """value box -> the op box that makes it (the one convention: op -> value edges)."""
    ops = {k for k, v in nodes.items() if k.startswith("op")}
    return {t: s for s, t, _ in edges if s in ops}


def test_seed_power_static():
    g, x, u, y = static_power()
    d = parse(g.to_dot())
    assert rankdir(d) == "BT"
    nodes, edges = all_nodes(d), all_edges(d)
    made_by = _made_by(nodes, edges)
    kx, ku, ky = find(nodes, "x"), find(nodes, "u"), find(nodes, "y")
    assert kx not in made_by  # an input: a value box nothing makes
    assert nodes[made_by[ku]] == "add" and nodes[made_by[ky]] == "power"
    for k in (kx, ku, ky):
        assert "() float64" in nodes[k].split("\n")
    consts = sorted(v.split("\n")[-1] for v in nodes.values() if v.startswith("const"))
    assert consts == ["= 2", "= 3", "= 4"]
    mul = [k for k, v in nodes.items() if v == "multiply"]
    assert len(mul) == 1
    pairs = [(s, t) for s, t, _ in edges]
    mul_value = [t for s, t in pairs if s == mul[0]][0]
    assert (kx, mul[0]) in pairs and (mul_value, made_by[ku]) in pairs
    assert (ku, made_by[ky]) in pairs
    assert len(edges) == 9  # three ops, each: two operands in, one value out


def test_seed_product_static():
    g = cg.Graph()
    a = g.input("a", shape=(), dtype="float64")
    b = g.input("b", shape=(), dtype="float64")
    d = a - b
    g.rename(d, "d")
    e = a + b
    g.rename(e, "e")
    Y = d * e
    g.rename(Y, "Y")
    dd = parse(g.to_dot())
    nodes, edges = all_nodes(dd), all_edges(dd)
    ids = {v.split("\n")[0]: k for k, v in nodes.items() if not k.startswith("op")}
    assert set(ids) == {"a", "b", "d", "e", "Y"}
    made_by = _made_by(nodes, edges)
    # value -> op -> value, as the dynamic pictures draw it
    uses = {(s, made_by[t]) for t in made_by for s, t2, _ in edges if t2 == made_by[t]}
    pairs = {(s, t) for s, t, _ in edges if not s.startswith("op")}
    assert pairs == {(ids["a"], made_by[ids["d"]]), (ids["b"], made_by[ids["d"]]),
                     (ids["a"], made_by[ids["e"]]), (ids["b"], made_by[ids["e"]]),
                     (ids["d"], made_by[ids["Y"]]), (ids["e"], made_by[ids["Y"]])}
    assert uses
    assert nodes[made_by[ids["Y"]]] == "multiply"
    assert nodes[made_by[ids["d"]]] == "subtract"


def test_static_node_cap():
    g = cg.Graph()
    x = g.input("x", shape=(), dtype="float64")
    y = x
    for _ in range(300):
        y = cg.sin(y)
    total = len(g)
    d = parse(g.to_dot(max_nodes=50))
    nodes = all_nodes(d)
    values = [k for k in nodes if k != "more" and not k.startswith("op")]
    assert len(values) <= 50  # graph nodes shown (each a value box, ops with their op box)
    summary = [v for v in nodes.values() if "more" in v]
    assert summary and str(total - 50) in summary[0]
    # under the cap: no summary
    g2, *_ = static_power()
    assert not any("more" in v for v in all_nodes(parse(g2.to_dot())).values())


def test_dot_renders_with_graphviz_package():
    import shutil
    graphviz = pytest.importorskip("graphviz")
    if shutil.which("dot") is None:
        pytest.skip("Graphviz `dot` is not installed")
    _, _, y = seed_power()
    g, *_ = static_power()
    for text in (cg.to_dot(y), g.to_dot()):
        svg = graphviz.Source(text).pipe(format="svg")
        assert b"<svg" in svg
