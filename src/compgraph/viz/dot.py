"""The one Graphviz DOT writer, for dynamic and static graphs alike.

One shape convention: values are boxes (name, shape and dtype, the value when it
has one element, the gradient once known), rounded for leaves and inputs and
dashed for constants; ops are grey ellipses; inputs sit at the bottom and results
at the top (``rankdir=BT``), as in the classic computational-graph pictures.  An
edge into an op is labelled with the local derivative when it is a known scalar.
Name scopes of static graphs (``g.name_scope``) become clusters.
"""

from __future__ import annotations

from typing import Any

from ..autodiff.recording import TensorBase
from .view import View, dynamic_view, static_view

__all__ = ["to_dot", "write_dot", "dot_quote"]

_STYLE = {
    "leaf": "shape=box, style=rounded",
    "input": "shape=box, style=rounded",
    "constant": "shape=box, style=dashed",
    "value": "shape=box",
    "op": 'shape=ellipse, style=filled, fillcolor="#eeeeee"',
}


def dot_quote(text: str) -> str:
    """A DOT double-quoted string (backslashes, quotes and newlines escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_dot(view: View) -> str:
    """DOT text for a :class:`~compgraph.viz.view.View`."""
    out = [
        "digraph compgraph {",
        "  rankdir=BT;",
        '  node [fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    scopes: dict[str, list[str]] = {}
    for b in view.boxes:
        line = f"{b.key} [label={dot_quote(chr(10).join(b.lines))}, {_STYLE[b.kind]}];"
        if b.scope:
            scopes.setdefault(b.scope, []).append(line)
        else:
            out.append("  " + line)
    for k, (scope, members) in enumerate(scopes.items()):
        out.append(f"  subgraph cluster_{k} {{")
        out.append(f"    label={dot_quote(scope)}; style=rounded;")
        out += [f"    {m}" for m in members]
        out.append("  }")
    for src, dst, label in view.edges:
        attr = f" [label={dot_quote(label)}]" if label is not None else ""
        out.append(f"  {src} -> {dst}{attr};")
    if view.note:
        out.append(f"  more [label={dot_quote(view.note)}, shape=note];")
    out.append("}")
    return "\n".join(out) + "\n"


def to_dot(obj: Any, max_nodes: int | None = None) -> str:
    """Graphviz DOT text for the graph that produced a Tensor, or for a static Graph."""
    if isinstance(obj, TensorBase):
        return write_dot(dynamic_view(obj, max_nodes if max_nodes is not None else 200))
    if hasattr(obj, "nodes") and hasattr(obj, "inputs"):
        return write_dot(static_view(obj, max_nodes if max_nodes is not None else 500))
    raise TypeError(f"to_dot: expected a Tensor or a Graph, got {type(obj).__name__}")
