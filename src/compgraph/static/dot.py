"""Graphviz DOT text for static graphs: inputs at the bottom, results at the top."""
from __future__ import annotations

from .graph import Graph, Symbol

__all__ = ["graph_to_dot", "dot_quote"]


def dot_quote(text: str) -> str:
    """A DOT double-quoted string (backslashes, quotes and newlines escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _label(n: Symbol) -> str:
    parts = [n.op if n.op not in ("input", "constant") else n.op]
    parts.append(n.name)
    if n.shape is not None:
        parts.append(f"{n.shape} {n.dtype if n.dtype is not None else ''}".strip())
    if n.op == "constant":
        v = n.value
        size = getattr(v, "size", 1)
        if size == 1:
            parts.append(f"= {float(v) if not isinstance(v, bool) else v:g}")
    return "\n".join(parts)


def graph_to_dot(graph: Graph, max_nodes: int = 500) -> str:
    """DOT text; graphs larger than ``max_nodes`` are cut, with a summary node."""
    lines = ["digraph compgraph {", "  rankdir=BT;", '  node [fontname="Helvetica"];']
    shown = graph.nodes[:max_nodes]
    ids = {id(n): f"n{k}" for k, n in enumerate(shown)}
    scopes: dict[str, list[str]] = {}
    for n in shown:
        shape = "ellipse" if n.op == "input" else "box" if n.op != "constant" else "plaintext"
        line = f"{ids[id(n)]} [label={dot_quote(_label(n))}, shape={shape}];"
        if "/" in n.name:  # name scopes become clusters
            scopes.setdefault(n.name.rsplit("/", 1)[0], []).append(line)
        else:
            lines.append("  " + line)
    for k, (scope, members) in enumerate(scopes.items()):
        lines.append(f"  subgraph cluster_{k} {{")
        lines.append(f"    label={dot_quote(scope)}; style=rounded;")
        lines += [f"    {m}" for m in members]
        lines.append("  }")
    for n in shown:
        for i in n.inputs:
            if id(i) in ids:
                lines.append(f"  {ids[id(i)]} -> {ids[id(n)]};")
    if len(graph.nodes) > max_nodes:
        lines.append(f"  more [label={dot_quote(f'... {len(graph.nodes) - max_nodes} more nodes')}"
                     f", shape=note];")
    lines.append("}")
    return "\n".join(lines) + "\n"
