"""Symbolic reverse mode for static graphs: gradients are new nodes of the same graph.

The walk mirrors the dynamic engine: nodes in reverse graph order, each node's
cotangents summed once before its VJP rule runs, broadcast reduction and dtype
restoration done here once.  The rules are the ops' own, run in the symbolic
namespace.
"""

from __future__ import annotations

from typing import Any

from .ir import SYMBOLIC, Symbol, current_graph, is_scalar

__all__ = ["gradients"]


def _rule_value(n: Symbol) -> Any:
    # Python-number constants reach rules as numbers, so rules can specialise (x ** 2).
    if n.op == "constant" and is_scalar(n.value):
        return n.value
    return n


def _fit(g: Any, x: Symbol, op_name: str, i: int) -> Symbol:
    """Bring a cotangent to x's shape and dtype."""
    if not isinstance(g, Symbol):
        g = x.graph.constant(g)
    if g.shape is not None and x.shape is not None and None not in x.shape and None not in g.shape:
        if g.shape != x.shape:
            lead = len(g.shape) - len(x.shape)
            if lead < 0 or any(d != 1 and d != g.shape[k + lead] for k, d in enumerate(x.shape)):
                raise ValueError(
                    f"gradient of '{op_name}': the cotangent for input {i} has "
                    f"shape {g.shape}, which cannot be summed to {x.shape}"
                )
            g = SYMBOLIC.sum_to(g, shape=x.shape)
    elif g is not x:
        g = SYMBOLIC.sum_to_like(g, x)
    if g.dtype is not None and x.dtype is not None and g.dtype != x.dtype:
        if g.dtype.kind == "c" and x.dtype.kind != "c":
            g = SYMBOLIC.real(g)  # a real input's cotangent is the real part (JAX's convention)
        if g.dtype != x.dtype:
            g = SYMBOLIC.astype(g, dtype=x.dtype)
    return g


def gradients(graph: Any, ys: Any, xs: Any, grad_ys: Any = None) -> Any:
    """See :meth:`Graph.gradients`."""
    ys_list, _ = graph._outputs(ys, "Graph.gradients")
    xs_list, single_x = graph._outputs(xs, "Graph.gradients")
    if grad_ys is None:
        gys = [None] * len(ys_list)
    else:
        gys = list(grad_ys) if isinstance(grad_ys, (list, tuple)) else [grad_ys]
        if len(gys) != len(ys_list):
            raise ValueError(f"Graph.gradients: {len(gys)} grad_ys for {len(ys_list)} ys")
    for x in xs_list:
        if x.dtype is not None and x.dtype.kind not in "fc":
            raise TypeError(
                f"Graph.gradients: {x.name!r} has dtype {x.dtype}; only "
                f"floating-point nodes have gradients"
            )
    on_path = _on_path(graph, xs_list, ys_list)
    grads: dict = {}
    with current_graph(graph):
        for y, gy in zip(ys_list, gys):
            gy = SYMBOLIC.ones_like(y) if gy is None else graph._as_node(gy, "Graph.gradients")
            grads[id(y)] = grads[id(y)] + gy if id(y) in grads else gy
        last = max(y.index for y in ys_list)
        for n in reversed(graph.nodes[: last + 1]):
            g = grads.get(id(n))
            if g is None or id(n) not in on_path or n.op in ("input", "constant"):
                continue
            for inp, i, gi in _cotangents(n, g, on_path):
                gi = _fit(gi, inp, n.op, i)
                grads[id(inp)] = grads[id(inp)] + gi if id(inp) in grads else gi
        result = []
        for x in xs_list:
            g = grads.get(id(x))
            result.append(g if g is not None else SYMBOLIC.zeros_like(x))
    return result[0] if single_x else result


def _on_path(graph: Any, xs: list, ys: list) -> set:
    """Ids of the nodes that depend on some x and that some y depends on."""
    xset = set(map(id, xs))
    depends: set = set()
    for n in graph.nodes:
        if id(n) in xset or any(id(i) in depends for i in n.inputs):
            depends.add(id(n))
    return {id(n) for n in graph.needed(ys)} & depends


def _cotangents(n: Symbol, g: Symbol, on_path: set) -> list:
    """(input, index, cotangent) for each input of n on the path, from the op's rules."""
    op = n.opdef
    assert op is not None  # an op node (inputs and constants were skipped)
    if op.vjp is None:
        return []
    args = [_rule_value(i) for i in n.inputs]
    needs = [id(i) in on_path for i in n.inputs]
    if op.variadic:
        # A user's op keeps residuals: its forward rule, re-run on the graph's values.
        saved = op.residuals(args, **n.attrs) if op.residuals is not None else args
        many = op.vjp(SYMBOLIC, g, n, saved, needs, **n.attrs)
        return [
            (inp, i, many[i]) for i, inp in enumerate(n.inputs) if needs[i] and many[i] is not None
        ]
    out = []
    for i, inp in enumerate(n.inputs):
        rule = op.vjp[i]
        if not needs[i] or rule is None:
            continue
        try:
            out.append((inp, i, rule(SYMBOLIC, g, n, *args, **n.attrs)))
        except TypeError as err:
            raise TypeError(
                f"Graph.gradients: the rule of '{n.op}' (node {n.name!r}) needs "
                f"known shapes ({err}); declare them with g.input(name, shape=...)"
            ) from None
    return out
