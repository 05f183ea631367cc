"""Compile a static graph into one straight-line Python function that calls NumPy.

The generated source contains only names the generator made (``p0`` for
inputs, ``v7`` for values, ``f7`` for op functions, ``c3``/``k7_axis`` for
constants and attributes); user-chosen names appear only inside ``repr()``
comments.  Every intermediate is deleted after its last use, and elementwise
ops whose operand dies at that op write into the operand's buffer
(``out=``), saving an allocation per op.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..ops.registry import OPS
from ..tensor import Tensor
from .graph import Graph, Symbol

__all__ = ["compile_graph", "CompiledGraph"]

# Ops whose result is always a new array (never a view of an operand).
_FRESH = {"add", "subtract", "multiply", "divide", "power", "negative", "exp", "log", "sqrt",
          "sin", "cos", "tan", "tanh", "sigmoid", "relu", "abs", "maximum", "minimum",
          "matmul", "where", "clip", "scatter_add", "concatenate", "stack", "zeros_like",
          "ones_like", "linear", "log_softmax", "masked", "addmm"}
# Elementwise ops that can write their result into an operand's buffer (``out=``).
_UFUNC = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply,
          "divide": np.divide, "power": np.power, "negative": np.negative, "exp": np.exp,
          "log": np.log, "sqrt": np.sqrt, "sin": np.sin, "cos": np.cos, "tan": np.tan,
          "tanh": np.tanh, "abs": np.absolute, "maximum": np.maximum, "minimum": np.minimum,
          "relu": OPS["relu"].forward, "masked": OPS["masked"].forward}


# The same computation as the op's forward, written as a Python expression: an
# operator or a method call costs less than a call through the op's function.
_BINOPS = {"add": "+", "subtract": "-", "multiply": "*", "divide": "/", "power": "**",
           "matmul": "@", "less": "<", "less_equal": "<=", "greater": ">",
           "greater_equal": ">=", "equal": "==", "not_equal": "!="}


def _expression(n: Symbol, i: int, args: list, glb: dict) -> str | None:
    op, a = n.op, n.attrs
    if op in _BINOPS:
        return f"{args[0]} {_BINOPS[op]} {args[1]}"
    if op == "negative":
        return f"-{args[0]}"
    if op in ("identity", "stop_gradient"):
        return args[0]
    if op == "getitem":
        return f"{args[0]}[k{i}_index]"
    if op in ("transpose", "reshape") and n.inputs[0].shape:
        return f"{args[0]}.{op}(k{i}_{'axes' if op == 'transpose' else 'shape'})"
    if op == "swapaxes":
        return f"{args[0]}.swapaxes(k{i}_axis1, k{i}_axis2)"
    if op == "sum":
        # np.sum's Python wrapper costs more than the reduction on small arrays.
        glb["np_sum"] = np.add.reduce
        return f"np_sum({args[0]}, axis=k{i}_axis, keepdims=k{i}_keepdims)"
    if op == "sum_to":
        src, dst = n.inputs[0].shape, tuple(a["shape"])
        if src is None or None in src:
            return None
        lead = len(src) - len(dst)
        if src == dst:
            return args[0]
        if lead > 0 and tuple(src[lead:]) == dst:
            glb["np_sum"] = np.add.reduce
            glb[f"k{i}_lead"] = tuple(range(lead))
            return f"np_sum({args[0]}, axis=k{i}_lead)"
    return None


def _converter(node: Symbol, graph: Graph) -> Callable[[Any], Any]:
    """A fast path for the common cases, the full check of Graph.feed_value otherwise."""
    dtype, shape = node.dtype, node.shape
    full = graph.feed_value
    if dtype is None and shape is None:
        f64 = np.float64

        def conv(v: Any) -> Any:
            t = type(v)
            if t is float:
                return f64(v)
            if t is np.ndarray and v.dtype.kind in "biufc":
                return v
            return full(node, v)
        return conv

    scalar_type = dtype.type if dtype is not None and dtype.kind == "f" else None
    scalar_ok = shape is None or shape == ()

    def conv_checked(v: Any) -> Any:
        t = type(v)
        if t is float and scalar_ok and scalar_type is not None:
            return scalar_type(v)
        if t is np.ndarray and v.dtype == dtype and v.shape == shape:
            return v
        return full(node, v)
    return conv_checked


def _key(v: Any) -> Any:
    t = type(v)
    if t is float:
        return float
    if t is np.ndarray:
        return (v.shape, v.dtype.str)
    if isinstance(v, Tensor):
        v = v._data
    try:
        return (np.shape(v), np.result_type(v).str)
    except TypeError:
        return t


class CompiledGraph:
    """A compiled graph: call with the inputs (keywords, or positionally in input order).

    When some input's shape or dtype was left open, the first call with each new
    input signature specialises the graph to it (shapes known, so more of it
    simplifies) and generates code for that signature; later calls with the same
    signature reuse it.  Attributes: ``source`` (the generated Python of the latest
    specialisation), ``graph`` (the optimised graph it came from), ``input_names``.
    """

    def __init__(self, graph: Graph, outs: list[Symbol], single: bool, optimize: bool,
                 donate: frozenset = frozenset()):
        self._base = graph
        self._donate = donate
        self._outs = [o.name for o in outs]
        self._single = single
        self._optimize = optimize
        self.input_names = [n.name for n in graph.inputs]
        self._bind = _binder(self.input_names)
        needed = graph.needed(outs)
        self._open = any(n.op == "input" and (n.shape is None or None in n.shape or
                                              n.dtype is None) for n in needed)
        self._cache: dict = {}
        self._fn, self.source, self.graph = _generate(graph, outs, single, optimize, donate)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs:
            names = self.input_names
            if not args and len(kwargs) == len(names):
                try:
                    args = tuple([kwargs[k] for k in names])
                except KeyError:
                    args = self._bind(args, kwargs)
            else:
                args = self._bind(args, kwargs)
        if len(args) != len(self.input_names):
            args = self._bind(args, {})
        if not self._open:
            return self._fn(*args)
        key = tuple([float if v.__class__ is float else _key(v) for v in args])
        fn = self._cache.get(key)
        if fn is None:
            fn = self._specialise(key, args)
        return fn(*args)

    def _specialise(self, key: tuple, args: tuple) -> Callable:
        from .optimize import specialize
        meta = {}
        for node, v in zip(self._base.inputs, args):
            arr = self._base.feed_value(node, v)
            meta[node.name] = (np.shape(arr), np.result_type(arr))
        g = specialize(self._base, meta, keep=self._outs)
        fn, self.source, self.graph = _generate(g, [g[o] for o in self._outs], self._single,
                                                self._optimize, self._donate)
        self._cache[key] = fn
        return fn

    def __repr__(self) -> str:
        return f"<CompiledGraph inputs={self.input_names}, {len(self.graph)} nodes>"


def _binder(names: list[str]) -> Callable:
    index = {n: i for i, n in enumerate(names)}

    def bind(args: tuple, kwargs: dict) -> tuple:
        if len(args) > len(names):
            raise TypeError(f"compiled graph: takes {len(names)} inputs {names}, got "
                            f"{len(args)} positional values")
        vals = list(args) + [_MISSING] * (len(names) - len(args))
        for k, v in kwargs.items():
            if k not in index:
                raise TypeError(f"compiled graph: unknown input {k!r}; inputs are {names}")
            if vals[index[k]] is not _MISSING:
                raise TypeError(f"compiled graph: input {k!r} given twice")
            vals[index[k]] = v
        missing = [n for n, v in zip(names, vals) if v is _MISSING]
        if missing:
            raise TypeError(f"compiled graph: missing value for input(s) {missing}")
        return tuple(vals)
    return bind


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


def _root(a: np.ndarray) -> int:
    while isinstance(a.base, np.ndarray):
        a = a.base
    return id(a.base) if a.base is not None else id(a)


def _donated(given: tuple, rest: tuple) -> list:
    """The donated inputs, each copied unless it is a writeable array sharing no memory
    with another input (writing into it then could change another input mid-run)."""
    seen = {_root(r) for r in rest if type(r) is np.ndarray}
    out = []
    for a in given:
        if type(a) is np.ndarray:
            r = _root(a)
            if r in seen or not a.flags.writeable:
                a = a.copy()
            else:
                seen.add(r)
        out.append(a)
    return out


def compile_graph(graph: Graph, outputs: Any, optimize: bool = True,
                  donate: Any = ()) -> CompiledGraph:
    """Generate, compile and return the function computing ``outputs`` (see Graph.compile)."""
    outs, single = graph._outputs(outputs, "Graph.compile")
    if isinstance(donate, str):
        donate = (donate,)
    names = {n.name for n in graph.inputs}
    unknown = [d for d in donate if d not in names]
    if unknown:
        raise ValueError(f"Graph.compile: cannot donate {unknown}: not inputs of the graph "
                         f"(inputs: {sorted(names)})")
    return CompiledGraph(graph, outs, single, optimize, frozenset(donate))


def _generate(graph: Graph, outs: list[Symbol], single: bool, optimize: bool,
              donate: frozenset = frozenset()) -> tuple[Callable, str, Graph]:
    g = graph
    if optimize:
        g = graph.optimize(keep=outs)
        outs = [g[o.name] for o in outs]
    order = g.needed(outs)
    inputs = g.inputs
    names = [n.name for n in inputs]
    glb: dict[str, Any] = {"_bind": _binder(names), "_MISSING": _MISSING}
    var: dict[int, str] = {}
    for k, n in enumerate(inputs):
        var[id(n)] = f"p{k}"
        glb[f"cv{k}"] = _converter(n, g)
    # Last use of each value, to free it (and maybe reuse its buffer) there.
    position = {id(n): i for i, n in enumerate(order)}
    last: dict[int, int] = {}
    for i, n in enumerate(order):
        for a in n.inputs:
            last[id(a)] = i
    out_ids = {id(o) for o in outs}
    # Which buffer each value lives in: fresh ops own theirs; any other op (a view,
    # or a result that may be its operand) aliases its operands'.  A buffer may be
    # overwritten only once every alias of it is dead.
    owner: dict[int, int | None] = {}
    alias_last: dict[int, float] = {}
    for n in order:
        if n.op == "input" and n.name in donate:
            owner[id(n)] = id(n)  # ours to overwrite once every alias of it is dead
            alias_last[id(n)] = float("inf") if id(n) in out_ids else last.get(id(n), -1)
            continue
        if n.op in ("input", "constant"):
            owner[id(n)] = None
            continue
        if n.op in _FRESH:
            owner[id(n)] = id(n)
        else:
            roots = {owner[id(a)] for a in n.inputs if owner.get(id(a)) is not None}
            owner[id(n)] = roots.pop() if len(roots) == 1 else None
            for r in roots:  # more than one: keep them all alive for good
                alias_last[r] = float("inf")
        r = owner[id(n)]
        if r is not None:
            end = float("inf") if id(n) in out_ids else last.get(id(n), -1)
            alias_last[r] = max(alias_last.get(r, -1), end)
    body: list[str] = []
    for i, n in enumerate(order):
        if n.op == "input":
            continue
        if n.op == "constant":
            name = f"c{i}"
            var[id(n)] = name
            glb[name] = n.value
            continue
        v = f"v{i}"
        var[id(n)] = v
        args = [var[id(a)] for a in n.inputs]
        kw = []
        for key, val in n.attrs.items():
            gname = f"k{i}_{key}"
            glb[gname] = val
            kw.append(f"{key}={gname}")
        call = _expression(n, i, args, glb)
        if call is None:
            glb[f"f{i}"] = OPS[n.op].forward
            call = f"f{i}({', '.join(args + kw)})"
        # Reuse a dying operand's buffer when it is ours, the same shape and dtype.
        if n.op in _UFUNC and not kw and n.shape and n.dtype is not None \
                and None not in n.shape:
            for a in n.inputs:
                if owner.get(id(a)) == id(a) and alias_last.get(id(a)) == i \
                        and a.shape == n.shape and a.dtype == n.dtype:
                    glb[f"u{i}"] = _UFUNC[n.op]
                    call = f"u{i}({', '.join(args)}, out={var[id(a)]})"
                    break
        if n.op == "addmm" and n.shape and None not in n.shape:
            # gemm updates c in place when c's buffer is ours and dies here.
            c = n.inputs[0]
            if owner.get(id(c)) == id(c) and alias_last.get(id(c)) == i \
                    and c.shape == n.shape and c.dtype == n.dtype:
                glb[f"f{i}"] = OPS[n.op].forward
                call = f"f{i}({', '.join(args + kw)}, out={args[0]})"
        comment = f"  # {n.op} {n.name!r}"
        body.append(f"    {v} = {call}{comment}")
        dead = [var[id(a)] for a in dict.fromkeys(n.inputs)
                if last.get(id(a)) == i and id(a) not in out_ids and a.op not in ("input", "constant")]
        if dead:
            body.append(f"    del {', '.join(dead)}")
    # Inputs arrive positionally in input order (CompiledGraph binds keywords).
    header = [f"def compiled({', '.join(f'p{k}' for k in range(len(names)))}):"]
    header += [f"    # p{k}: input {name!r}" for k, name in enumerate(names)]
    for k, n in enumerate(inputs):
        if n.shape == () and n.dtype is not None and n.dtype.kind == "f":
            # The common scalar case inline: a Python float becomes a NumPy scalar.
            glb[f"t{k}"] = n.dtype.type
            header.append(f"    p{k} = t{k}(p{k}) if p{k}.__class__ is float else cv{k}(p{k})")
        else:
            header.append(f"    p{k} = cv{k}(p{k})")
    given = [f"p{k}" for k, n in enumerate(inputs) if n.name in donate]
    if given:
        rest = [f"p{k}" for k, n in enumerate(inputs) if n.name not in donate]
        glb["_donated"] = _donated
        header.append(f"    {', '.join(given)}, = _donated(({', '.join(given)},), "
                      f"({', '.join(rest)}{',' if len(rest) == 1 else ''}))")
    glb["_nd"] = np.asarray
    # One-element results come back as 0-d ndarrays, like Graph.run.
    ret = []
    for o in outs:
        v = var[id(o)]
        if o.shape and None not in o.shape:
            ret.append(v)
        elif o.shape == () and o.dtype is not None and o.op not in ("input", "constant"):
            ret.append(f"{v}.__array__()")  # a NumPy scalar: the cheapest way to 0-d
        else:
            ret.append(f"_nd({v})")
    footer = [f"    return {ret[0]}" if single else f"    return ({', '.join(ret)}{',' if len(ret) == 1 else ''})"]
    source = "\n".join(header + body + footer) + "\n"
    code = compile(source, "<compgraph compiled graph>", "exec")
    exec(code, glb)  # the source holds only generated names: see the module docstring
    del position
    return glb["compiled"], source, g
