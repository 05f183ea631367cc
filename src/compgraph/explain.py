"""``cg.explain(y, x)``: the chain rule for dy/dx, written out path by path.

Every path from x up to y is listed with each local derivative as a formula
(from the op's declaration in the registry) and, for one-element values, its
number; then the product along each path, the sum over paths and the final
value, which is checked against the reverse-mode engine.  Works on dynamic
graphs (while their buffers are held) and on static graphs (with ``feeds`` for
numbers).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from .autodiff.engine import grad
from .autodiff.recording import Node
from .ops.meta import Meta
from .ops.registry import NUMPY, Op
from .static.ir import Symbol
from .tensor import Tensor
from .viz.view import collect, fmt, local_derivative, node_values

__all__ = ["explain"]

_MAX_PATHS = 32


def _formula(template: str, names: list[str], out_name: str, op: Op) -> str:
    """The op's declared local-derivative text with its input names (``op.args``) and
    ``out`` replaced by the names in the graph."""
    keys = dict(zip(op.args, names))
    keys["out"] = out_name
    tokens = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")\b")
    text = tokens.sub(lambda m: keys[m.group(1)], template)
    # Tidy integer arithmetic left by substitution: u**(4-1) -> u**3.
    text = re.sub(r"\((-?\d+)-1\)", lambda m: str(int(m.group(1)) - 1), text)
    return re.sub(r"\*\*1\b(?!\.)", "", text)


def _paths(top: Any, target: Any, parents_of: Any) -> tuple[list, bool]:
    """Paths from ``top`` down to ``target`` as lists of (node, input index); iterative."""
    found: list = []
    stack: list[tuple[Any, list]] = [(top, [])]
    cut = False
    while stack:
        n, path = stack.pop()
        for i, p in enumerate(parents_of(n)):
            if p is None:
                continue
            if p is target:
                found.append(path + [(n, i)])
                if len(found) > _MAX_PATHS:
                    return found[:_MAX_PATHS], True
            elif parents_of(p) is not None:
                stack.append((p, path + [(n, i)]))
    return found, cut


def _render(
    y_name: str,
    x_name: str,
    paths: list,
    cut: bool,
    step_text: Any,
    engine_value: Any,
    no_values: bool = False,
) -> str:
    lines = [
        f"d{y_name}/d{x_name} by the chain rule: {len(paths)} path(s) from {x_name} to "
        f"{y_name}" + (" (first ones only)" if cut else "")
    ]
    terms = []
    for k, path in enumerate(paths, 1):
        steps = [step_text(n, i) for n, i in reversed(path)]
        route = " -> ".join([x_name] + [s[0] for s in steps])
        lines.append(f"path {k}: {route}")
        vals = []
        for _, text, val in steps:
            lines.append(f"  {text}")
            vals.append(val)
        if all(v is not None for v in vals):
            prod = float(np.prod([float(v) for v in vals]))
            lines.append(f"  product: {' * '.join(fmt(v) for v in vals)} = {prod:.6g}")
            terms.append(prod)
        elif no_values:
            lines.append("  (no numbers: pass feeds={...} to see values)")
        else:
            lines.append("  product of the local Jacobians above (values are not scalars)")
    if terms and len(terms) == len(paths):
        if len(paths) > 1:
            lines.append(
                f"sum over paths: {' + '.join(f'{t:.6g}' for t in terms)} = {sum(terms):.6g}"
            )
    if not paths and engine_value is None:
        lines.append(f"d{y_name}/d{x_name} = 0 ({y_name} does not depend on {x_name})")
    if engine_value is not None:
        ev = np.asarray(engine_value)
        shown = fmt(ev) if ev.size == 1 else f"array of shape {ev.shape}"
        lines.append(f"d{y_name}/d{x_name} = {shown} (reverse mode gives the same)")
    return "\n".join(lines)


class _DynamicSteps:
    """Names for the values of a dynamic graph, and the chain-rule step of each edge."""

    def __init__(self, y: Tensor, values: dict):
        self.y = y
        self.values = values
        self.names: dict[int, str] = {}
        self.counter = 0

    def name(self, v: Any) -> str:
        """The value's name: its label, a short expression like (3*x), or op + number."""
        if id(v) in self.names:
            return self.names[id(v)]
        nm: str | None
        if isinstance(v, Tensor):
            nm = v.name or "x"
        elif v is self.y._node:
            nm = self.y._node.label or self.y.name or "y"
        else:
            nm = v.label or self.expression(v)
            if nm is None or nm in self.names.values():
                self.counter += 1
                nm = f"{v.op.label}{self.counter}"
        self.names[id(v)] = nm
        return nm

    def expression(self, n: Node) -> str | None:
        """A short readable name for an anonymous node, like (3*x) or sin(u)."""
        if n.saved is None or len(n.parents) > 2:
            return None
        ops = self.operand_names(n)
        sym = n.op.front.symbol if n.op.front is not None else None
        if sym is not None and len(ops) == 2:
            text = f"({ops[0]}{sym}{ops[1]})"
        elif len(ops) == 1 and not n.attrs:
            text = f"{n.op.label}({ops[0]})"
        else:
            return None
        return text if len(text) <= 24 else None

    def operand_names(self, n: Node) -> list[str]:
        """Names of n's operands: values by name, one-element constants by value."""
        assert n.saved is not None  # every node's saved values were checked before
        out = []
        for p, s in zip(n.parents, n.saved):
            if p is not None:
                out.append(self.name(p))
            elif s is not None and not isinstance(s, Meta) and np.size(s) == 1:
                out.append(fmt(s._data if isinstance(s, Tensor) else s))
            else:
                out.append("c")
        return out

    def step(self, n: Node, i: int) -> tuple[str, str, Any]:
        """(name of n, the text d n / d input i = formula = value, the value or None)."""
        top, below = self.name(n), self.name(n.parents[i])
        tmpl = n.op.deriv[i] if n.op.deriv and i < len(n.op.deriv) else "?"
        formula = _formula(tmpl, self.operand_names(n), top, n.op)
        val = local_derivative(n, i)
        if val is None:
            return top, f"d{top}/d{below} = {formula}   (shape {tuple(n.shape)})", None
        text = f"d{top}/d{below} = {formula}"
        if formula.strip() != fmt(val):
            text += f" = {fmt(val)}"
        values = self.values
        if np.size(values.get(id(n), 0)) == 1 and id(n) in values:
            text += f"   ({top} = {fmt(values[id(n)])})"
        return top, text, val


def _explain_dynamic(y: Tensor, x: Tensor) -> str:
    if y._node is None:
        raise ValueError(
            "explain: y was not computed from anything recorded (a leaf or a "
            "tensor built without requires_grad)"
        )
    target = x._node if x._node is not None else x
    nodes, _ = collect(y)
    if any(n.saved is None for n in nodes):
        raise RuntimeError(
            "explain: the graph's saved values were freed by backward(); call "
            "explain before backward(), or backward(retain_graph=True)"
        )
    steps = _DynamicSteps(y, node_values(y, nodes))
    steps.name(x if x._node is None else x._node)
    if x._node is None:
        steps.names[id(x)] = x.name or "x"
    paths, cut = _paths(y._node, target, lambda v: v.parents if type(v) is Node else None)
    engine = None
    if x._rg:
        g = grad(y, [x], retain_graph=True, allow_unused=True)[0] if y.size == 1 else None
        engine = None if g is None else g._data
    return _render(
        steps.name(y._node), steps.names.get(id(target), "x"), paths, cut, steps.step, engine
    )


def _explain_static(y: Any, x: Any, feeds: dict | None) -> str:
    graph = y.graph
    env: dict = {}
    if feeds is not None:
        order = graph.needed([y])
        vals = graph.run(order, feeds)
        env = {id(n): v for n, v in zip(order, vals)}

    def parents_of(v: Any) -> Any:
        return None if v.op in ("input", "constant") else v.inputs

    def step(n: Any, i: int) -> tuple[str, str, Any]:
        op = n.opdef
        tmpl = op.deriv[i] if op.deriv and i < len(op.deriv) else "?"
        names = [
            inp.name if inp.op != "constant" or np.size(inp.value) != 1 else fmt(inp.value)
            for inp in n.inputs
        ]
        formula = _formula(tmpl, names, n.name, op)
        val = None
        if (
            env
            and op.vjp is not None
            and not op.variadic
            and op.vjp[i] is not None
            and np.size(env[id(n)]) == 1
        ):
            args = [env[id(inp)] for inp in n.inputs]
            try:
                with np.errstate(all="ignore"):
                    v = op.vjp[i](
                        NUMPY, np.asarray(env[id(n)]).dtype.type(1), env[id(n)], *args, **n.attrs
                    )
                val = v if np.size(v) == 1 else None
            except Exception:  # a rule that needs more than values: leave it symbolic
                val = None
        text = f"d{n.name}/d{n.inputs[i].name} = {formula}"
        if val is not None and formula.strip() != fmt(val):
            text += f" = {fmt(val)}"
        return n.name, text, val

    paths, cut = _paths(y, x, parents_of)
    engine = None
    if feeds is not None:
        # Differentiate a copy: explaining must not add nodes to the user's graph.
        copy = graph.copy()
        engine = copy.run(copy.gradients(copy[y.name], copy[x.name]), feeds)
    return _render(y.name, x.name, paths, cut, step, engine, no_values=feeds is None)


def explain(y: Any, x: Any, feeds: dict | None = None) -> str:
    """The chain rule for dy/dx as text: every path, local derivatives, products and sum.

    >>> import compgraph as cg
    >>> x = cg.tensor(3.0, requires_grad=True, name="x")
    >>> u = 3 * x + 2
    >>> u.name = "u"
    >>> y = u ** 4
    >>> y.name = "y"
    >>> print(cg.explain(y, x).splitlines()[-2])
      product: 3 * 1 * 5324 = 15972
    """
    if isinstance(y, Symbol) or isinstance(x, Symbol):
        if not (isinstance(y, Symbol) and isinstance(x, Symbol)) or y.graph is not x.graph:
            raise TypeError("explain: y and x must both be nodes of the same static Graph")
        return _explain_static(y, x, feeds)
    if not isinstance(y, Tensor) or not isinstance(x, Tensor):
        raise TypeError(f"explain: expected Tensors, got {type(y).__name__} and {type(x).__name__}")
    return _explain_dynamic(y, x)
