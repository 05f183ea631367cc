"""Static graphs (define-then-run): build once, then run, differentiate, optimise, compile.

The graph is the IR of :mod:`compgraph.static.ir`: an ordered list of
:class:`~compgraph.static.ir.Symbol` nodes.  This module holds the :class:`Graph`
container and its methods; each method hands the graph to the pass or writer that
does the work (symbolic gradients, optimisation, code generation, files, ONNX,
pictures), and none of those imports this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from ..ops.registry import OPS
from ..tensor import Tensor
from ..viz import view as _view
from ..viz.dot import write_dot
from ..viz.render import svg_of
from . import codegen, onnx_export, optimize, serialize, symbolic_grad
from .ir import Symbol, evaluate, is_scalar, short_name, user_line

__all__ = ["Graph"]


class Graph:
    """A static computational graph: build once, then run, differentiate, optimise, compile.

    >>> import compgraph as cg
    >>> g = cg.Graph()
    >>> a, b = g.input("a"), g.input("b")
    >>> y = (a - b) * (a + b)
    >>> float(g.run(y, {"a": 3.0, "b": 1.0}))
    8.0
    >>> da, db = g.gradients(y, [a, b])
    >>> fn = g.compile([y, da, db])
    >>> [float(v) for v in fn(a=3.0, b=1.0)]
    [8.0, 6.0, -2.0]
    """

    def __init__(self) -> None:
        self.nodes: list[Symbol] = []
        self._by_name: dict[str, Symbol] = {}
        self._count = 0
        self._reserved: set = set()  # names generated ones must avoid (kept by passes)
        self._scopes: list[str] = []

    # ------------------------------------------------------------------ building
    def name_scope(self, scope: str) -> _NameScope:
        """Context manager: nodes made inside get names ``scope/...`` (grouped in pictures)."""
        return _NameScope(self, scope)

    def _unique(self, base: str) -> str:
        if self._scopes:
            base = "/".join(self._scopes) + "/" + base
        while True:
            name = f"{base}_{self._count}"
            self._count += 1
            if name not in self._by_name and name not in self._reserved:
                return name

    def _add(
        self,
        op: str,
        inputs: Sequence[Symbol],
        attrs: dict,
        shape: Any,
        dtype: Any,
        name: str | None = None,
        value: Any = None,
        source: str | None = None,
        opdef: Any = None,
    ) -> Symbol:
        # ``opdef``: the Op itself, when the caller has it (a user op redefined under the
        # same name since must not change a node built with the old one).
        if name is None:
            name = self._unique(short_name(op))
        elif name in self._by_name:
            raise ValueError(f"Graph: a node named {name!r} already exists")
        s = object.__new__(Symbol)
        s.graph = self
        s.op = op
        s.opdef = opdef if opdef is not None else OPS.get(op)
        s.inputs = tuple(inputs)
        s.attrs = attrs
        s.shape = None if shape is None else (shape if type(shape) is tuple else tuple(shape))
        s.dtype = (
            None
            if dtype is None
            else (
                dtype if type(dtype) is np.dtype or isinstance(dtype, np.dtype) else np.dtype(dtype)
            )
        )
        s.name = name
        s.value = value
        s.source = source if source is not None else user_line()
        s.index = len(self.nodes)
        self.nodes.append(s)
        self._by_name[name] = s
        return s

    def input(
        self, name: str, shape: Sequence[int | None] | None = None, dtype: Any = None
    ) -> Symbol:
        """A named input; ``shape=None`` accepts any shape, ``None`` inside a shape any size."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"Graph.input: the name must be a non-empty string, got {name!r}")
        if shape is not None:
            shape = tuple(None if d is None else int(d) for d in shape)
        return self._add(
            "input", (), {}, shape, None if dtype is None else np.dtype(dtype), name=name
        )

    def constant(self, value: Any, name: str | None = None) -> Symbol:
        """A constant node (Python numbers stay Python numbers: weakly typed, as in NumPy)."""
        if isinstance(value, Tensor):
            value = value.data
        if is_scalar(value):
            shape, dtype = (), None
        else:
            value = np.array(value)
            if value.dtype.kind not in "biufc":
                raise TypeError(f"Graph.constant: expected numbers, got dtype {value.dtype}")
            value.setflags(write=False)
            shape, dtype = value.shape, value.dtype
        return self._add("constant", (), {}, shape, dtype, name=name, value=value)

    def _as_node(self, v: Any, where: str) -> Symbol:
        if type(v) is Symbol:
            if v.graph is not self:
                raise ValueError(f"{where}: {v.name!r} belongs to another Graph")
            return v
        if isinstance(v, Tensor):
            return self.constant(v.data)
        if isinstance(v, (bool, int, float, np.ndarray, np.generic)):
            return self.constant(v)
        if isinstance(v, complex):  # a 0-d complex128 array (saved as one)
            return self.constant(np.array(v))
        if isinstance(v, (list, tuple)):
            arr = np.asarray(v)
            if arr.dtype.kind in "biufc":
                return self.constant(arr)
        raise TypeError(
            f"{where}: unsupported operand of type {type(v).__name__}; expected a "
            f"Symbol, Tensor, ndarray or Python number"
        )

    # ------------------------------------------------------------------ looking up
    def __len__(self) -> int:
        return len(self.nodes)

    def __iter__(self):
        return iter(self.nodes)

    def __contains__(self, item: Any) -> bool:
        if isinstance(item, str):
            return item in self._by_name
        return type(item) is Symbol and item.graph is self

    def __getitem__(self, name: str) -> Symbol:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"Graph has no node named {name!r}") from None

    def rename(self, node: Symbol, name: str) -> Symbol:
        """Give ``node`` a new name, unique in this graph."""
        node = self._node(node, "Graph.rename")
        if not isinstance(name, str) or not name:
            raise TypeError(f"Graph.rename: the name must be a non-empty string, got {name!r}")
        if name != node.name:
            if name in self._by_name:
                raise ValueError(f"Graph.rename: a node named {name!r} already exists")
            del self._by_name[node.name]
            node.name = name
            self._by_name[name] = node
        return node

    @property
    def inputs(self) -> list[Symbol]:
        """The input nodes, in the order they were declared."""
        return [n for n in self.nodes if n.op == "input"]

    def consumers(self) -> dict[Symbol, list[Symbol]]:
        """For every node, the nodes that use it."""
        users: dict = {n: [] for n in self.nodes}
        for n in self.nodes:
            for i in n.inputs:
                users[i].append(n)
        return users

    def outputs(self) -> list[Symbol]:
        """Nodes no other node consumes (the default results), inputs excluded."""
        used = {id(i) for n in self.nodes for i in n.inputs}
        return [n for n in self.nodes if id(n) not in used and n.op != "input"]

    def __repr__(self) -> str:
        return f"<Graph: {len(self.nodes)} nodes, inputs {[n.name for n in self.inputs]}>"

    def _node(self, ref: Any, where: str) -> Symbol:
        if isinstance(ref, str):
            if ref not in self._by_name:
                raise KeyError(f"{where}: Graph has no node named {ref!r}")
            return self._by_name[ref]
        if type(ref) is Symbol:
            if ref.graph is not self:
                raise ValueError(f"{where}: {ref.name!r} belongs to another Graph")
            return ref
        raise TypeError(f"{where}: expected a node or a node name, got {type(ref).__name__}")

    def _outputs(self, outputs: Any, where: str) -> tuple[list[Symbol], bool]:
        if isinstance(outputs, (list, tuple)):
            return [self._node(o, where) for o in outputs], False
        return [self._node(outputs, where)], True

    # ------------------------------------------------------------------ running
    def needed(self, outs: Iterable[Symbol]) -> list[Symbol]:
        """The nodes ``outs`` depend on, in graph order (iterative walk)."""
        seen: set = set()
        stack = list(outs)
        while stack:
            n = stack.pop()
            if id(n) in seen:
                continue
            seen.add(id(n))
            stack.extend(n.inputs)
        return [n for n in self.nodes if id(n) in seen]

    def feed_value(self, node: Symbol, value: Any) -> Any:
        """A fed value checked against the input's declared shape and dtype."""
        if isinstance(value, Tensor):
            value = value.data
        try:
            arr = (
                np.asarray(value, dtype=node.dtype) if node.dtype is not None else np.asarray(value)
            )
        except (TypeError, ValueError) as err:
            raise TypeError(
                f"input {node.name!r}: cannot use a {type(value).__name__} ({err})"
            ) from None
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"input {node.name!r}: expected numbers, got dtype {arr.dtype}")
        given = np.asarray(value).dtype if not is_scalar(value) else np.result_type(value)
        if node.dtype is not None and not np.can_cast(given, node.dtype, casting="same_kind"):
            raise TypeError(f"input {node.name!r}: expected dtype {node.dtype}, got {given}")
        if node.shape is not None and (
            len(node.shape) != arr.ndim
            or any(d is not None and d != a for d, a in zip(node.shape, arr.shape))
        ):
            raise ValueError(
                f"input {node.name!r}: expected shape {node.shape}, got "
                f"{arr.shape} (dtype {arr.dtype})"
            )
        return arr[()] if arr.ndim == 0 else arr

    def _feeds(self, feeds: Any, needed_inputs: list[Symbol], where: str) -> dict:
        if feeds is None:
            feeds = {}
        if not isinstance(feeds, dict):
            raise TypeError(f"{where}: feeds must be a dict of input name (or node) to value")
        by_node: dict = {}
        for k, v in feeds.items():
            n = None
            if isinstance(k, str):
                n = self._by_name.get(k)
            elif type(k) is Symbol and k.graph is self:
                n = k
            if n is None or n.op != "input":
                raise ValueError(
                    f"{where}: {k!r} is not an input of this graph; inputs are "
                    f"{[i.name for i in self.inputs]}"
                )
            by_node[n] = self.feed_value(n, v)
        missing = [n.name for n in needed_inputs if n not in by_node]
        if missing:
            raise ValueError(
                f"{where}: missing value for input(s) {missing}; pass them in "
                f"feeds, e.g. {{{missing[0]!r}: ...}}"
            )
        return by_node

    def run(self, outputs: Any, feeds: dict | None = None) -> Any:
        """Evaluate ``outputs`` (a node, a name, or a list/tuple of them) for ``feeds``.

        The result has the structure of ``outputs``: ndarrays.
        """
        outs, single = self._outputs(outputs, "Graph.run")
        order = self.needed(outs)
        values = self._feeds(feeds, [n for n in order if n.op == "input"], "Graph.run")
        env: dict = {}
        for n in order:
            if n.op == "input":
                env[n] = values[n]
            elif n.op == "constant":
                env[n] = n.value
            else:
                env[n] = evaluate(n, [env[i] for i in n.inputs])
        res = [np.asarray(env[o]) for o in outs]
        if single:
            return res[0]
        return type(outputs)(res) if isinstance(outputs, tuple) else res

    # ------------------------------------------------------------------ derivatives
    def gradients(self, ys: Any, xs: Any, grad_ys: Any = None) -> Any:
        """Symbolic reverse mode: d(sum of ys)/dx for each x, as new nodes of this graph.

        Uses each op's VJP rule in the symbolic namespace, so the gradients are
        ordinary nodes: they can be run, optimised, compiled, drawn, saved and
        differentiated again.  An x that ys do not depend on gets zeros.
        """
        return symbolic_grad.gradients(self, ys, xs, grad_ys)

    # ------------------------------------------------------------------ passes, code, files
    def optimize(self, keep: Sequence[Any] | None = None) -> Graph:
        """A new, equivalent, no larger Graph (see :mod:`compgraph.static.optimize`)."""
        return optimize.optimize(self, keep)

    def copy(self) -> Graph:
        """An independent copy with the same nodes, names and values."""
        return optimize.rebuild(self, [], None)

    def compile(self, outputs: Any, optimize: bool = True, donate: Any = ()) -> Any:
        """One straight-line Python function for ``outputs``; ``fn.source`` shows it.

        ``donate``: names of inputs whose arrays the function may overwrite once it no
        longer needs them (results are then written into them, as an in-place update).
        """
        return codegen.compile_graph(self, outputs, optimize=optimize, donate=donate)

    def to_dot(self, max_nodes: int = 500) -> str:
        """Graphviz DOT text of the graph (inputs at the bottom, results at the top)."""
        return write_dot(_view.static_view(self, max_nodes=max_nodes))

    def _repr_svg_(self) -> str | None:
        """The graph as SVG, for Jupyter."""
        return svg_of(self)

    def save(self, path: str) -> None:
        """Write the graph: JSON structure plus an ``.npz`` of constants (no pickle)."""
        serialize.save(self, path)

    @classmethod
    def load(cls, path: str) -> Graph:
        """Read a graph written by :meth:`save`, validating every op and reference."""
        return serialize.load(path, cls)

    def to_onnx(self, path: str, outputs: Any = None) -> None:
        """Export to an ONNX model that onnxruntime runs (needs the ``onnx`` extra)."""
        onnx_export.to_onnx(self, path, outputs)


class _NameScope:
    def __init__(self, graph: Graph, scope: str):
        if not isinstance(scope, str) or not scope or "/" in scope:
            raise ValueError(f"name_scope: expected a non-empty name without '/', got {scope!r}")
        self.graph, self.scope = graph, scope

    def __enter__(self) -> Graph:
        self.graph._scopes.append(self.scope)
        return self.graph

    def __exit__(self, *exc: Any) -> None:
        self.graph._scopes.pop()
