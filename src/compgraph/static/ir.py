"""The static graph IR: symbolic values (:class:`Symbol`) and how ops append them.

A static :class:`~compgraph.static.graph.Graph` is a list of Symbol nodes in
topological order: inputs, constants and op applications.  Each op node names a
primitive of the one registry, its input nodes, its attributes, its inferred shape
and dtype (None where unknown) and the user's source line.  Symbols take every
operator and ``cg.*`` function that Tensors take, because those functions dispatch to
:meth:`Symbol.__cg_apply__`, which appends a node instead of computing.  Tracing,
optimisation passes, code generation, pictures and export all read this one list;
this module holds what they share, and none of them imports the Graph class.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

import numpy as np

from ..array_methods import ArrayMethods
from ..ops.args import SYMBOLIC_TYPES
from ..ops.meta import Meta, infer
from ..ops.registry import OPS, Namespace, Op

if TYPE_CHECKING:  # (for annotations only: the Graph class is built on this module)
    from .graph import Graph

__all__ = [
    "Symbol",
    "SYMBOLIC",
    "current_graph",
    "symbolic_apply",
    "is_scalar",
    "user_line",
    "evaluate",
    "short_name",
]

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def user_line() -> str | None:
    """``file:line`` of the first frame outside compgraph (where the user built the node)."""
    f: FrameType | None = sys._getframe(1)
    while f is not None and f.f_code.co_filename.startswith(_PKG_DIR):
        f = f.f_back
    if f is None:
        return None
    return f"{f.f_code.co_filename}:{f.f_lineno}"


def is_scalar(v: Any) -> bool:
    return isinstance(v, (bool, int, float)) and not isinstance(v, np.generic)


class _Current(threading.local):
    graph: Graph | None = None


_CURRENT = _Current()


class current_graph:
    """Context manager: symbolic ops with no Symbol operand go into ``graph``."""

    def __init__(self, graph: Graph):
        self.graph = graph

    def __enter__(self) -> Graph:
        self._prev = _CURRENT.graph
        _CURRENT.graph = self.graph
        return self.graph

    def __exit__(self, *exc: Any) -> None:
        _CURRENT.graph = self._prev


def short_name(op: str) -> str:
    """The prefix of generated node names (``mul_3``): the op's short name."""
    if op == "constant":
        return "const"
    o = OPS.get(op)
    return o.short if o is not None else op


class Symbol(ArrayMethods):
    """A node of a static :class:`Graph`: an input, a constant or an op application.

    >>> import compgraph as cg
    >>> g = cg.Graph()
    >>> a = g.input("a")
    >>> y = a * 2 + 1
    >>> y.op, [n.name for n in y.inputs]
    ('add', ['mul_1', 'const_2'])
    """

    __slots__ = (
        "graph",
        "op",
        "opdef",
        "inputs",
        "attrs",
        "shape",
        "dtype",
        "name",
        "value",
        "source",
        "index",
        "__weakref__",
    )
    graph: Graph
    op: str
    opdef: Op | None
    inputs: tuple
    attrs: dict
    shape: tuple | None
    dtype: Any
    name: str
    value: Any
    source: str | None
    index: int

    @classmethod
    def __cg_apply__(cls, op: Op, args: tuple, attrs: dict) -> Symbol:
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
        where = user_line() or "?"
        return TypeError(
            f"{what} of the symbolic value {self.name!r} (op {self.op!r}) at {where}: a static "
            f"graph is built before any value exists, so Python control flow (if, while, "
            f"bool(), float(), len()) cannot depend on it. Use cg.where / cg.maximum for "
            f"data-dependent choices, or pass the value as a static (non-numeric) argument"
        )

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
                raise ValueError(
                    f"{op.name}: operands belong to different graphs "
                    f"({a.name!r} is from another Graph)"
                )
    if graph is None:
        graph = _CURRENT.graph
        if graph is None:
            raise ValueError(f"{op.name}: no symbolic operand and no current graph")
    inputs = [graph._as_node(a, op.name) for a in args]
    metas = [
        n.value if n.op == "constant" and is_scalar(n.value) else Meta(n.shape, n.dtype)
        for n in inputs
    ]
    try:
        shape, dtype = infer(op, metas, attrs)
    except (ValueError, TypeError) as err:
        desc = ", ".join(_describe(n) for n in inputs)
        raise type(err)(f"{op.name}: {err} (operands: {desc})") from None
    return graph._add(op.name, inputs, dict(attrs), shape, dtype, opdef=op)


#: The symbolic namespace: rules run here to build gradient graphs.
SYMBOLIC = Namespace("symbolic", symbolic_apply)


def evaluate(n: Symbol, args: list) -> Any:
    op = n.opdef
    assert op is not None  # an op node: Graph.run evaluates inputs and constants itself
    try:
        return op.forward(*args, **n.attrs)
    except (ValueError, TypeError, IndexError, ArithmeticError) as err:
        shapes = ", ".join(f"{np.shape(a)} {np.result_type(a)}" for a in args)
        where = f" (built at {n.source})" if n.source else ""
        raise type(err)(f"{n.op} node {n.name!r}{where}: {err}; operands: {shapes}") from None
