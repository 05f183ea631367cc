"""Graph inspection: what pictures and the chain-rule explainer read of a graph.

Both kinds of graph are read here: a dynamic graph from a Tensor back to its leaves
(the recorded Nodes, with the values and local derivatives they still hold), and a
static Graph's node list.  :func:`dynamic_view` and :func:`static_view` turn either
into a :class:`View`, a plain list of value boxes, op boxes and edges, which the one
DOT writer (:mod:`compgraph.viz.dot`) draws.  Static graphs are read through their
public attributes only (``nodes``, and each node's ``op``, ``opdef``, ``inputs``,
``name``, ``shape``, ``dtype``, ``value``), so this module never imports them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autodiff.recording import Node, TensorBase
from ..grad_mode import no_grad
from ..ops.meta import Meta
from ..ops.registry import NUMPY

__all__ = [
    "View",
    "Box",
    "dynamic_view",
    "static_view",
    "collect",
    "node_values",
    "local_derivative",
    "fmt",
    "value_lines",
]


def fmt(v: Any) -> str:
    """A short text for a one-element value."""
    x = np.asarray(v).reshape(-1)[0].item()
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


class Box:
    """One box of a picture: a value (``kind`` leaf, input, constant or value) or an op."""

    __slots__ = ("key", "kind", "lines", "scope")

    def __init__(self, key: str, kind: str, lines: list[str], scope: str | None = None):
        self.key, self.kind, self.lines, self.scope = key, kind, lines, scope


class View:
    """A graph as boxes and labelled edges, inputs first (what the DOT writer draws)."""

    def __init__(self) -> None:
        self.boxes: list[Box] = []
        self.edges: list[tuple[str, str, str | None]] = []
        self.note: str | None = None

    def box(self, key: str, kind: str, lines: list[str], scope: str | None = None) -> str:
        self.boxes.append(Box(key, kind, lines, scope))
        return key

    def edge(self, src: str, dst: str, label: str | None = None) -> None:
        self.edges.append((src, dst, label))


def value_lines(
    name: str | None, shape: Any, dtype: Any, value: Any = None, grad: Any = None
) -> list[str]:
    """The text of a value box: name, shape and dtype, the value and gradient when known."""
    lines = [name] if name else []
    if shape is not None:
        lines.append(f"{tuple(shape)} {dtype if dtype is not None else ''}".strip())
    if value is not None and np.size(value) == 1:
        lines.append(f"= {fmt(value)}")
    if grad is not None and np.size(grad) == 1:
        lines.append(f"grad {fmt(grad)}")
    elif grad is not None:
        lines.append("grad known")
    return lines


# ------------------------------------------------------------------ dynamic graphs
def collect(t: TensorBase, limit: int | None = None) -> tuple[list[Node], list[TensorBase]]:
    """Nodes (root first) and leaf Tensors of the graph behind ``t``; iterative."""
    if t._node is None:
        return [], [t]
    nodes, leaves, seen = [], [], set()
    stack = [t._node]
    seen.add(id(t._node))
    while stack:
        n = stack.pop()
        nodes.append(n)
        if limit is not None and len(nodes) >= limit:
            break
        for p in n.parents:
            if p is None or id(p) in seen:
                continue
            seen.add(id(p))
            if type(p) is Node:
                stack.append(p)
            else:
                leaves.append(p)
    return nodes, leaves


def _raw(v: Any) -> Any:
    if isinstance(v, TensorBase):
        return v._data
    if v is None or isinstance(v, Meta):
        return None
    return v


def node_values(t: TensorBase, nodes: list[Node]) -> dict[int, Any]:
    """The output value of every node the graph still holds (id(node) -> array)."""
    values: dict[int, Any] = {id(t._node): t._data} if t._node is not None else {}
    for n in nodes:
        if n.out is not None:
            values.setdefault(id(n), _raw(n.out))
        if n.saved is None or n.op.custom is not None:
            continue  # (a user op keeps residuals, not its inputs)
        for p, s in zip(n.parents, n.saved):
            r = _raw(s)
            if type(p) is Node and r is not None:
                values.setdefault(id(p), r)
    return values


def local_derivative(n: Node, i: int) -> Any:
    """d(output of n)/d(input i) as a number, when both are one element and still held:
    the op's VJP rule for input i applied to a cotangent of 1."""
    if n.saved is None or n.op.vjp is None or np.prod(n.shape) != 1:
        return None
    out = _raw(n.out)
    one = n.dtype.type(1)
    try:
        with np.errstate(all="ignore"), no_grad():
            if n.op.variadic:  # one rule for all inputs (a user's op keeps its residuals)
                saved = (
                    n.saved
                    if n.op.residuals is not None
                    else [_raw(s) if not isinstance(s, Meta) else s for s in n.saved]
                )
                needs = [j == i for j in range(len(n.parents))]
                v = n.op.vjp(NUMPY, one, out, saved, needs, **n.attrs)[i]
            else:
                rule = n.op.vjp[i]
                if rule is None:
                    return None
                saved = [_raw(s) if not isinstance(s, Meta) else s for s in n.saved]
                v = rule(NUMPY, one, out, *saved, **n.attrs)
    except Exception:  # an input the rule needs was not kept: no label
        return None
    return v if v is not None and np.size(v) == 1 else None


def dynamic_view(t: TensorBase, max_nodes: int = 200) -> View:
    """The graph that produced ``t``: leaves at the bottom, ``t`` at the top."""
    nodes, leaves = collect(t, limit=max_nodes + 1)
    cut = len(nodes) > max_nodes
    if cut:
        nodes = nodes[:max_nodes]
        leaves = [lf for lf in leaves if any(p is lf for n in nodes for p in n.parents)]
    values = node_values(t, nodes)
    view = View()
    ids: dict[int, str] = {}
    for k, leaf in enumerate(leaves):
        g = leaf._grad._data if leaf._grad is not None else None
        ids[id(leaf)] = view.box(
            f"v_leaf{k}",
            "leaf",
            value_lines(
                leaf._name, np.shape(leaf._data), np.result_type(leaf._data), leaf._data, g
            ),
        )
    for k, n in enumerate(nodes):
        grad = None
        if n.retain is not None and n.retain() is not None and n.retain()._grad is not None:
            grad = n.retain()._grad._data
        name = n.label or (t._name if n is t._node else None)
        ids[id(n)] = view.box(
            f"v{k}", "value", value_lines(name, n.shape, n.dtype, values.get(id(n)), grad)
        )
        view.box(f"op{k}", "op", [n.op.label])
        view.edge(f"op{k}", f"v{k}")
    for k, n in enumerate(nodes):
        for i, p in enumerate(n.parents):
            if p is None or id(p) not in ids:
                continue
            d = local_derivative(n, i)
            view.edge(ids[id(p)], f"op{k}", fmt(d) if d is not None else None)
    if cut:
        view.note = f"graph cut at {max_nodes} ops"
    return view


# ------------------------------------------------------------------ static graphs
def static_view(graph: Any, max_nodes: int = 500) -> View:
    """A static graph: each input and constant a value box, each op node an op box
    with the value it makes above it."""
    view = View()
    shown = graph.nodes[:max_nodes]
    ids: dict[int, str] = {}
    for k, n in enumerate(shown):
        scope = n.name.rsplit("/", 1)[0] if "/" in n.name else None
        if n.op in ("input", "constant"):
            value = n.value if n.op == "constant" and np.size(n.value) == 1 else None
            ids[id(n)] = view.box(
                f"n{k}", n.op, value_lines(n.name, n.shape, n.dtype, value), scope
            )
            continue
        label = n.opdef.label if n.opdef is not None else n.op
        view.box(f"op{k}", "op", [label], scope)
        ids[id(n)] = view.box(f"n{k}", "value", value_lines(n.name, n.shape, n.dtype), scope)
        view.edge(f"op{k}", f"n{k}")
        for i in n.inputs:
            if id(i) in ids:
                view.edge(ids[id(i)], f"op{k}")
    if len(graph.nodes) > max_nodes:
        view.note = f"... {len(graph.nodes) - max_nodes} more nodes"
    return view
