"""Static graphs (define-then-run): one IR, an ordered list of nodes.

A :class:`Graph` is a list of :class:`Symbol` nodes in topological order: inputs,
constants and op applications.  Each op node names a primitive of the one
registry, its input nodes, its attributes, its inferred shape and dtype (None
where unknown) and the user's source line.  Symbols take every operator and
``cg.*`` function that Tensors take, because those functions dispatch to
:meth:`Symbol.__cg_apply__`, which appends a node instead of computing.
Tracing, optimisation passes, code generation, pictures and export all read
this one list.
"""
from __future__ import annotations

import os
import sys
import threading
from typing import Any, Iterable, Sequence

import numpy as np

from ..array_methods import ArrayMethods
from ..ops.meta import Meta, infer
from ..ops.registry import OPS, Namespace, Op
from ..tensor import SYMBOLIC_TYPES, Tensor

__all__ = ["Graph", "Symbol", "SYMBOLIC", "current_graph"]

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SHORT = {"add": "add", "subtract": "sub", "multiply": "mul", "divide": "div",
          "power": "pow", "negative": "neg", "input": "input", "constant": "const"}


def _user_line() -> str | None:
    """``file:line`` of the first frame outside compgraph (where the user built the node)."""
    f = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return None
    return f"{f.f_code.co_filename}:{f.f_lineno}"


def _is_scalar(v: Any) -> bool:
    return isinstance(v, (bool, int, float)) and not isinstance(v, np.generic)


class _Current(threading.local):
    graph: "Graph | None" = None


_CURRENT = _Current()


class current_graph:
    """Context manager: symbolic ops with no Symbol operand go into ``graph``."""

    def __init__(self, graph: "Graph"):
        self.graph = graph

    def __enter__(self) -> "Graph":
        self._prev = _CURRENT.graph
        _CURRENT.graph = self.graph
        return self.graph

    def __exit__(self, *exc: Any) -> None:
        _CURRENT.graph = self._prev


class Symbol(ArrayMethods):
    """A node of a static :class:`Graph`: an input, a constant or an op application.

    >>> import compgraph as cg
    >>> g = cg.Graph()
    >>> a = g.input("a")
    >>> y = a * 2 + 1
    >>> y.op, [n.name for n in y.inputs]
    ('add', ['mul_1', 'const_2'])
    """

    __slots__ = ("graph", "op", "inputs", "attrs", "shape", "dtype", "name", "value",
                 "source", "index", "__weakref__")

    @classmethod
    def __cg_apply__(cls, op: Op, args: tuple, attrs: dict) -> "Symbol":
        return symbolic_apply(op, args, attrs)

    @property
    def ndim(self) -> int | None:
        """Number of dimensions (None when the shape is unknown)."""
        return None if self.shape is None else len(self.shape)

    @property
    def size(self) -> int | None:
        """Number of elements (None when not fully known)."""
        if self.shape is None or any(d is None for d in self.shape):
            return None
        return int(np.prod(self.shape))

    def __repr__(self) -> str:
        args = ", ".join(n.name for n in self.inputs)
        what = f"{self.op}({args})" if self.op not in ("input", "constant") else self.op
        return f"<Symbol {self.name} = {what}, shape={self.shape}, dtype={self.dtype}>"

    # Python needs concrete values here; a static graph has none until it runs.
    def _concrete(self, what: str) -> TypeError:
        where = _user_line() or "?"
        return TypeError(
            f"{what} of the symbolic value {self.name!r} (op {self.op!r}) at {where}: a static "
            f"graph is built before any value exists, so Python control flow (if, while, "
            f"bool(), float(), len()) cannot depend on it. Use cg.where / cg.maximum for "
            f"data-dependent choices, or pass the value as a static (non-numeric) argument")

    def __bool__(self) -> bool:
        raise self._concrete("bool()")

    def __float__(self) -> float:
        raise self._concrete("float()")

    def __int__(self) -> int:
        raise self._concrete("int()")

    def __index__(self) -> int:
        raise self._concrete("use as an index")

    def __array__(self, *args: Any, **kwargs: Any) -> np.ndarray:
        raise self._concrete("conversion to a NumPy array")

    def item(self) -> Any:
        """Not available: symbolic values have no value until the graph runs."""
        raise self._concrete(".item()")

    def numpy(self) -> Any:
        """Not available: symbolic values have no value until the graph runs."""
        raise self._concrete(".numpy()")

    def __len__(self) -> int:
        if self.shape is None or not self.shape or self.shape[0] is None:
            raise self._concrete("len()")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))


SYMBOLIC_TYPES.add(Symbol)


def _describe(n: Symbol) -> str:
    return f"{n.name} (shape {n.shape}, dtype {n.dtype})"


def symbolic_apply(op: Op, args: Sequence[Any], attrs: dict) -> Symbol:
    """Append ``op(*args, **attrs)`` to the graph of the symbolic operands."""
    graph = None
    for a in args:
        if type(a) is Symbol:
            if graph is None:
                graph = a.graph
            elif a.graph is not graph:
                raise ValueError(f"{op.name}: operands belong to different graphs "
                                 f"({a.name!r} is from another Graph)")
    if graph is None:
        graph = _CURRENT.graph
        if graph is None:
            raise ValueError(f"{op.name}: no symbolic operand and no current graph")
    inputs = [graph._as_node(a, op.name) for a in args]
    metas = [n.value if n.op == "constant" and _is_scalar(n.value) else Meta(n.shape, n.dtype)
             for n in inputs]
    try:
        shape, dtype = infer(op, metas, attrs)
    except (ValueError, TypeError) as err:
        desc = ", ".join(_describe(n) for n in inputs)
        raise type(err)(f"{op.name}: {err} (operands: {desc})") from None
    return graph._add(op.name, inputs, dict(attrs), shape, dtype)


#: The symbolic namespace: rules run here to build gradient graphs.
SYMBOLIC = Namespace("symbolic", symbolic_apply)


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
    def name_scope(self, scope: str) -> "_NameScope":
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

    def _add(self, op: str, inputs: Sequence[Symbol], attrs: dict, shape: Any, dtype: Any,
             name: str | None = None, value: Any = None, source: str | None = None) -> Symbol:
        if name is None:
            name = self._unique(_SHORT.get(op, op))
        elif name in self._by_name:
            raise ValueError(f"Graph: a node named {name!r} already exists")
        s = object.__new__(Symbol)
        s.graph = self
        s.op = op
        s.inputs = tuple(inputs)
        s.attrs = attrs
        s.shape = None if shape is None else (shape if type(shape) is tuple else tuple(shape))
        s.dtype = None if dtype is None else (dtype if type(dtype) is np.dtype or
                                              isinstance(dtype, np.dtype) else np.dtype(dtype))
        s.name = name
        s.value = value
        s.source = source if source is not None else _user_line()
        s.index = len(self.nodes)
        self.nodes.append(s)
        self._by_name[name] = s
        return s

    def input(self, name: str, shape: Sequence[int | None] | None = None,
              dtype: Any = None) -> Symbol:
        """A named input; ``shape=None`` accepts any shape, ``None`` inside a shape any size."""
        if not isinstance(name, str) or not name:
            raise TypeError(f"Graph.input: the name must be a non-empty string, got {name!r}")
        if shape is not None:
            shape = tuple(None if d is None else int(d) for d in shape)
        return self._add("input", (), {}, shape, None if dtype is None else np.dtype(dtype),
                         name=name)

    def constant(self, value: Any, name: str | None = None) -> Symbol:
        """A constant node (Python numbers stay Python numbers: weakly typed, as in NumPy)."""
        if isinstance(value, Tensor):
            value = value.data
        if _is_scalar(value):
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
        if isinstance(v, (list, tuple)):
            arr = np.asarray(v)
            if arr.dtype.kind in "biufc":
                return self.constant(arr)
        raise TypeError(f"{where}: unsupported operand of type {type(v).__name__}; expected a "
                        f"Symbol, Tensor, ndarray or Python number")

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
            arr = np.asarray(value, dtype=node.dtype) if node.dtype is not None else np.asarray(value)
        except (TypeError, ValueError) as err:
            raise TypeError(f"input {node.name!r}: cannot use a {type(value).__name__} "
                            f"({err})") from None
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"input {node.name!r}: expected numbers, got dtype {arr.dtype}")
        given = np.asarray(value).dtype if not _is_scalar(value) else np.result_type(value)
        if node.dtype is not None and not np.can_cast(given, node.dtype, casting="same_kind"):
            raise TypeError(f"input {node.name!r}: expected dtype {node.dtype}, got {given}")
        if node.shape is not None and (len(node.shape) != arr.ndim or any(
                d is not None and d != a for d, a in zip(node.shape, arr.shape))):
            raise ValueError(f"input {node.name!r}: expected shape {node.shape}, got "
                             f"{arr.shape} (dtype {arr.dtype})")
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
                raise ValueError(f"{where}: {k!r} is not an input of this graph; inputs are "
                                 f"{[i.name for i in self.inputs]}")
            by_node[n] = self.feed_value(n, v)
        missing = [n.name for n in needed_inputs if n not in by_node]
        if missing:
            raise ValueError(f"{where}: missing value for input(s) {missing}; pass them in "
                             f"feeds, e.g. {{{missing[0]!r}: ...}}")
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
                env[n] = _evaluate(n, [env[i] for i in n.inputs])
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
        from .symbolic_grad import gradients
        return gradients(self, ys, xs, grad_ys)

    # ------------------------------------------------------------------ passes, code, files
    def optimize(self, keep: Sequence[Any] | None = None) -> "Graph":
        """A new, equivalent, no larger Graph (see :mod:`compgraph.static.optimize`)."""
        from .optimize import optimize
        return optimize(self, keep)

    def compile(self, outputs: Any, optimize: bool = True, donate: Any = ()) -> Any:
        """One straight-line Python function for ``outputs``; ``fn.source`` shows it.

        ``donate``: names of inputs whose arrays the function may overwrite once it no
        longer needs them (results are then written into them, as an in-place update).
        """
        from .codegen import compile_graph
        return compile_graph(self, outputs, optimize=optimize, donate=donate)

    def to_dot(self, **kwargs: Any) -> str:
        """Graphviz DOT text of the graph (inputs at the bottom, results at the top)."""
        from .dot import graph_to_dot
        return graph_to_dot(self, **kwargs)

    def _repr_svg_(self) -> str | None:
        """The graph as SVG, for Jupyter."""
        from ..viz.render import svg_of
        return svg_of(self)

    def save(self, path: str) -> None:
        """Write the graph: JSON structure plus an ``.npz`` of constants (no pickle)."""
        from .serialize import save
        save(self, path)

    @classmethod
    def load(cls, path: str) -> "Graph":
        """Read a graph written by :meth:`save`, validating every op and reference."""
        from .serialize import load
        return load(path)

    def to_onnx(self, path: str, outputs: Any = None) -> None:
        """Export to an ONNX model that onnxruntime runs (needs the ``onnx`` extra)."""
        from .onnx_export import to_onnx
        to_onnx(self, path, outputs)


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


def _evaluate(n: Symbol, args: list) -> Any:
    op = OPS[n.op]
    try:
        return op.forward(*args, **n.attrs)
    except (ValueError, TypeError, IndexError, ArithmeticError) as err:
        shapes = ", ".join(f"{np.shape(a)} {np.result_type(a)}" for a in args)
        where = f" (built at {n.source})" if n.source else ""
        raise type(err)(f"{n.op} node {n.name!r}{where}: {err}; operands: {shapes}") from None
