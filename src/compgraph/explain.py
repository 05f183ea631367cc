"""``cg.explain(y, x)``: the chain rule for dy/dx, written out path by path.

Every path from x up to y is listed with each local derivative as a formula
(from the op's declaration in the registry) and, for one-element values, its
number; then the product along each path, the sum over paths and the final
value, which is checked against the reverse-mode engine.  Paths are counted
without being listed, and only the first ones are written out: a graph of n
doublings has 2**n paths, and its explanation still takes moments.  Works on dynamic
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

_MAX_PATHS = 32  # paths written out; the others are counted, not listed
# Steps written out over all paths: past this, no further path is written (the first
# one always is), so a deep graph's many long paths do not fill the screen.
_MAX_STEPS = 2_000
_COUNT_CAP = 10**100  # path counts saturate here (see _count_paths)
_COUNT_CAP_TEXT = "10**100"


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


def _paths(top: Any, target: Any, parents_of: Any) -> tuple[list, int]:
    """The first paths from ``top`` down to ``target`` and how many there are in all."""
    counts = _count_paths(top, target, parents_of)
    return _first_paths(top, target, parents_of, counts), counts.get(id(top), 0)


def _parents(v: Any, parents_of: Any) -> Any:
    """``parents_of(v)``, with a leaf (None) read as no parents."""
    return parents_of(v) or ()


def _count_paths(top: Any, target: Any, parents_of: Any) -> dict[int, int]:
    """For every node below ``top`` that is not ``target`` (by id): how many paths lead from
    it down to ``target``, counted without listing them: each node adds up its inputs'
    counts (``target`` counts 1), in one iterative post-order pass over the graph.

    Counts saturate at ``_COUNT_CAP``: a graph of a million doublings has a path count
    with a million bits, and exact sums of those would make the pass quadratic."""
    counts: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[Any, bool]] = [(top, False)]
    while stack:
        v, inputs_done = stack.pop()
        if inputs_done:
            total = sum(
                1 if p is target else counts.get(id(p), 0)
                for p in _parents(v, parents_of)
                if p is not None
            )
            counts[id(v)] = min(total, _COUNT_CAP)
            continue
        if id(v) in entered:
            continue
        entered.add(id(v))
        stack.append((v, True))
        for p in _parents(v, parents_of):
            # (an input still being entered would be a cycle, impossible in a graph)
            if p is not None and p is not target and id(p) not in entered:
                if parents_of(p) is not None:
                    stack.append((p, False))
    return counts


def _first_paths(top: Any, target: Any, parents_of: Any, counts: dict[int, int]) -> list:
    """The first ``_MAX_PATHS`` paths from ``top`` down to ``target`` (fewer once they
    hold ``_MAX_STEPS`` steps), each a list of (node, input index), top first; depth
    first and iterative.

    Only inputs that reach ``target`` (a count above 0) are entered, so every partial
    path explored ends in a path found: the search stops after ``_MAX_PATHS`` paths
    having done work proportional to their length, however many paths the graph has."""
    found: list = []
    steps = 0
    # A partial path is a linked list (node, input index, rest), shared by its
    # extensions: copying lists would cost the depth at every step.
    stack: list[tuple[Any, Any]] = [(top, None)]
    while stack:
        n, trail = stack.pop()
        for i, p in enumerate(_parents(n, parents_of)):
            if p is target:
                found.append(_unwind((n, i, trail)))
                steps += len(found[-1])
                if len(found) == _MAX_PATHS or steps >= _MAX_STEPS:
                    return found
            elif p is not None and counts.get(id(p), 0) > 0:
                stack.append((p, (n, i, trail)))
    return found


def _unwind(trail: Any) -> list:
    """A linked partial path as a list of (node, input index), top first."""
    path = []
    while trail is not None:
        n, i, trail = trail
        path.append((n, i))
    path.reverse()
    return path


def _count_text(count: int) -> str:
    """A path count as digits, or ``at least 10**100`` once it saturated."""
    return str(count) if count < _COUNT_CAP else f"at least {_COUNT_CAP_TEXT}"


def _render(
    y_name: str,
    x_name: str,
    paths: list,
    total: int,
    step_text: Any,
    engine_value: Any,
    no_values: bool = False,
    itself: bool = False,
) -> str:
    """The explanation: a header, the paths shown with their steps and products, the sum
    over paths (when all are shown) and the final value."""
    lines = [_header(y_name, x_name, len(paths), total)]
    terms = []
    for k, path in enumerate(paths, 1):
        term = _path_lines(k, path, x_name, step_text, no_values, lines)
        if term is not None:
            terms.append(term)
    omitted = total - len(paths)
    if omitted > 0:
        # A sum of the shown paths only would read as the derivative: none is printed.
        more = (
            _count_text(omitted)
            if total < _COUNT_CAP
            else f"at least {_COUNT_CAP_TEXT} - {len(paths)}"
        )
        lines.append(
            f"({more} more path(s) not shown"
            + ("; the value below sums them all)" if engine_value is not None else ")")
        )
    elif len(terms) == len(paths) > 1:
        lines.append(f"sum over paths: {' + '.join(f'{t:.6g}' for t in terms)} = {sum(terms):.6g}")
    if total == 0 and engine_value is None:
        # (y is x itself: no path, yet the derivative is 1, not 0)
        lines.append(
            f"d{y_name}/d{x_name} = 1 ({y_name} is {x_name} itself)"
            if itself
            else f"d{y_name}/d{x_name} = 0 ({y_name} does not depend on {x_name})"
        )
    if engine_value is not None:
        ev = np.asarray(engine_value)
        shown = fmt(ev) if ev.size == 1 else f"array of shape {ev.shape}"
        lines.append(f"d{y_name}/d{x_name} = {shown} (reverse mode gives the same)")
    return "\n".join(lines)


def _header(y_name: str, x_name: str, shown: int, total: int) -> str:
    """The first line: how many paths there are, and how many are shown."""
    count = _count_text(total)
    text = f"d{y_name}/d{x_name} by the chain rule: {count} path(s) from {x_name} to {y_name}"
    if shown < total:
        text += f" (first ones only: showing {shown} of {count} paths)"
    return text


def _path_lines(
    k: int, path: list, x_name: str, step_text: Any, no_values: bool, lines: list[str]
) -> float | None:
    """Append path ``k``: its route, each step and their product; return the product when
    every step has a number."""
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
        return prod
    if no_values:
        lines.append("  (no numbers: pass feeds={...} to see values)")
    else:
        lines.append("  product of the local Jacobians above (values are not scalars)")
    return None


class _DynamicSteps:
    """Names for the values of a dynamic graph, and the chain-rule step of each edge."""

    def __init__(self, y: Tensor, values: dict):
        self.y = y
        self.values = values
        self.names: dict[int, str] = {}
        self.taken: set[str] = set()  # the names given: a set, as graphs can be large
        self.counter = 0

    def name(self, v: Any) -> str:
        """The value's name: its label, a short expression like (3*x), or op + number."""
        if id(v) not in self.names:
            # An expression names its operands first. Naming them deepest first, in the
            # order a recursive walk would, gives the same names with no recursion
            # (a long chain of anonymous values would overflow the stack).
            for u in self.unnamed_below(v):
                self.name_one(u)
        return self.names[id(v)]

    def unnamed_below(self, v: Any) -> list:
        """``v`` and the values its name is built from that have no name yet, operands
        before the values they feed (an iterative post-order)."""
        order = []
        seen = {id(v)}
        stack = [(v, iter(self.named_from(v)))]
        while stack:
            u, operands = stack[-1]
            nxt = next((p for p in operands if id(p) not in self.names and id(p) not in seen), None)
            if nxt is None:
                stack.pop()
                order.append(u)
            else:
                seen.add(id(nxt))
                stack.append((nxt, iter(self.named_from(nxt))))
        return order

    def named_from(self, v: Any) -> list:
        """The operands whose names ``name_one(v)`` reads (those of an anonymous node
        that ``expression`` may describe)."""
        if isinstance(v, Tensor) or v is self.y._node or v.label:
            return []
        if v.saved is None or len(v.parents) > 2:
            return []
        return [p for p in v.parents if p is not None]

    def name_one(self, v: Any) -> str:
        """Name ``v`` (its operands are named already)."""
        nm: str | None
        if isinstance(v, Tensor):
            nm = v.name or "x"
        elif v is self.y._node:
            nm = self.y._node.label or self.y.name or "y"
        else:
            nm = v.label or self.expression(v)
            if nm is None or nm in self.taken:
                self.counter += 1
                nm = f"{v.op.label}{self.counter}"
        self.names[id(v)] = nm
        self.taken.add(nm)
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
    steps.name(target)  # x's name first: it keeps its own name if another value shares it
    paths, total = _paths(y._node, target, lambda v: v.parents if type(v) is Node else None)
    engine = None
    if x._rg:
        g = grad(y, [x], retain_graph=True, allow_unused=True)[0] if y.size == 1 else None
        engine = None if g is None else g._data
    y_name, x_name = steps.name(y._node), steps.name(target)
    return _render(y_name, x_name, paths, total, steps.step, engine, itself=y._node is target)


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

    paths, total = _paths(y, x, parents_of)
    engine = None
    if feeds is not None:
        # Differentiate a copy: explaining must not add nodes to the user's graph.
        copy = graph.copy()
        engine = copy.run(copy.gradients(copy[y.name], copy[x.name]), feeds)
    return _render(
        y.name, x.name, paths, total, step, engine, no_values=feeds is None, itself=y is x
    )


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
