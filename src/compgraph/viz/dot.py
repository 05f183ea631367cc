"""Graphviz DOT for dynamic graphs: from a Tensor back to its leaves.

Values are boxes (name, shape, dtype, the value when it has one element, the
gradient once known) and ops are ellipses; inputs sit at the bottom and results
at the top (``rankdir=BT``), as in the classic computational-graph pictures.
An edge into an op is labelled with the local derivative when it is a scalar.
Values and local derivatives come from the buffers the graph still holds, so a
picture drawn after ``backward()`` (without ``retain_graph``) shows less.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..ops.meta import Meta
from ..ops.registry import NUMPY
from ..static.dot import dot_quote
from ..tensor import Node, Tensor

__all__ = ["to_dot", "collect", "node_values", "local_derivative", "fmt"]


def fmt(v: Any) -> str:
    """A short text for a one-element value."""
    x = np.asarray(v).reshape(-1)[0].item()
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def collect(t: Tensor, limit: int | None = None) -> tuple[list[Node], list[Tensor]]:
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
    if isinstance(v, Tensor):
        return v._data
    if v is None or isinstance(v, Meta):
        return None
    return v


def node_values(t: Tensor, nodes: list[Node]) -> dict[int, Any]:
    """The output value of every node the graph still holds (id(node) -> array)."""
    values: dict[int, Any] = {id(t._node): t._data} if t._node is not None else {}
    for n in nodes:
        if n.out is not None:
            values.setdefault(id(n), _raw(n.out))
        if n.saved is None:
            continue
        for p, s in zip(n.parents, n.saved):
            r = _raw(s)
            if type(p) is Node and r is not None:
                values.setdefault(id(p), r)
    return values


def local_derivative(n: Node, i: int) -> Any:
    """d(output of n)/d(input i) as a number, when both are one element and still held."""
    if n.saved is None or n.op.vjp is None or n.op.variadic or np.prod(n.shape) != 1:
        return None
    rule = n.op.vjp[i]
    if rule is None:
        return None
    saved = [_raw(s) if not isinstance(s, Meta) else s for s in n.saved]
    out = _raw(n.out)
    try:
        with np.errstate(all="ignore"):
            v = rule(NUMPY, n.dtype.type(1), out, *saved, **n.attrs)
    except Exception:  # an input the rule needs was not kept: no label
        return None
    return v if np.size(v) == 1 else None


def _value_label(name: str | None, shape: tuple, dtype: Any, value: Any, grad: Any) -> str:
    lines = [name] if name else []
    lines.append(f"{tuple(shape)} {dtype}")
    if value is not None and np.size(value) == 1:
        lines.append(f"= {fmt(value)}")
    if grad is not None and np.size(grad) == 1:
        lines.append(f"grad {fmt(grad)}")
    elif grad is not None:
        lines.append("grad known")
    return "\n".join(lines)


def to_dot(t: Tensor, max_nodes: int = 200) -> str:
    """Graphviz DOT text for the graph that produced ``t`` (see the module docstring)."""
    if not isinstance(t, Tensor):
        raise TypeError(f"to_dot: expected a Tensor, got {type(t).__name__}")
    nodes, leaves = collect(t, limit=max_nodes + 1)
    cut = len(nodes) > max_nodes
    if cut:
        nodes = nodes[:max_nodes]
        leaves = [lf for lf in leaves if any(p is lf for n in nodes for p in n.parents)]
    values = node_values(t, nodes)
    out = ["digraph compgraph {", "  rankdir=BT;", '  node [fontname="Helvetica"];',
           '  edge [fontname="Helvetica", fontsize=10];']
    ids: dict[int, str] = {}
    for k, leaf in enumerate(leaves):
        ids[id(leaf)] = f"v_leaf{k}"
        g = leaf.grad._data if leaf.grad is not None else None
        label = _value_label(leaf.name, leaf.shape, leaf.dtype,
                             leaf._data, g)
        out.append(f"  v_leaf{k} [label={dot_quote(label)}, shape=box, style=rounded];")
    for k, n in enumerate(nodes):
        ids[id(n)] = f"v{k}"
        grad = None
        if n.retain is not None and n.retain() is not None and n.retain().grad is not None:
            grad = n.retain().grad._data
        name = n.label or (t.name if n is t._node else None)
        label = _value_label(name, n.shape, n.dtype, values.get(id(n)), grad)
        out.append(f"  v{k} [label={dot_quote(label)}, shape=box];")
        out.append(f"  op{k} [label={dot_quote(n.op.name)}, shape=ellipse, style=filled, "
                   f"fillcolor=\"#eeeeee\"];")
        out.append(f"  op{k} -> v{k};")
    for k, n in enumerate(nodes):
        for i, p in enumerate(n.parents):
            if p is None or id(p) not in ids:
                continue
            d = local_derivative(n, i)
            attr = f" [label={dot_quote(fmt(d))}]" if d is not None else ""
            out.append(f"  {ids[id(p)]} -> op{k}{attr};")
    if cut:
        out.append(f"  more [label={dot_quote(f'graph cut at {max_nodes} ops')}, shape=note];")
    out.append("}")
    return "\n".join(out) + "\n"
