"""Compile a static graph into one straight-line Python function that calls NumPy.

The generated source contains only names the generator made (``p0`` for
inputs, ``v7`` for values, ``f7`` for op functions, ``c3``/``k7_axis`` for
constants and attributes); user-chosen names appear only inside ``repr()``
comments.  Every intermediate is deleted after its last use, and elementwise
ops whose operand dies at that op write into the operand's buffer
(``out=``), saving an allocation per op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .ir import Symbol
from .optimize import specialize

__all__ = ["compile_graph", "CompiledGraph", "float_code"]


def _expression(n: Symbol, i: int, args: list, glb: dict) -> str | None:
    """The node as a Python expression, as its op's declaration spells it (None: call
    the op's forward).  An operator or a method call costs less than a call through
    the op's function."""
    op = n.opdef
    assert op is not None  # an op node: inputs and constants are not expressions
    spec = op.codegen
    expr = spec.expr(n) if callable(spec.expr) else spec.expr
    if expr is None and op.front is not None and op.front.operators:
        sym = op.front.symbol
        expr = f"{sym}{{0}}" if op.nargs == 1 else f"{{0}} {sym} {{1}}"
    if expr is None:
        return None
    glb.update(spec.names)
    return expr.format(*args, **{k: f"k{i}_{k}" for k in n.attrs})


_F64 = np.dtype(np.float64)


def float_code(graph: Any, outs: list[Symbol]) -> Callable | None:
    """The graph as Python-float arithmetic, for one float64 scalar output of float64
    scalar inputs when every op declares ``Codegen(floats=True)`` (None otherwise).

    Python's float operators give the same IEEE results as NumPy's float64 scalars and
    cost a fifth as much; where NumPy would warn (a division by zero, an overflowing
    power) they raise instead, and a negative number to a fractional power gives a
    complex: the caller then runs the NumPy code, so nothing but the speed differs.
    """
    if len(outs) != 1 or outs[0].shape != () or outs[0].dtype != _F64:
        return None
    order = graph.needed(outs)
    inputs = graph.inputs
    if any(n.shape != () or n.dtype != _F64 for n in inputs):
        return None
    var = {id(n): f"p{k}" for k, n in enumerate(inputs)}
    glb: dict[str, Any] = {}
    body = []
    for i, n in enumerate(order):
        if n.op == "input":
            continue
        if n.op == "constant":
            v = np.asarray(n.value)
            if v.shape != () or v.dtype.kind not in "iuf":
                return None
            if v.dtype.kind != "f" and abs(int(v)) > 2**53:
                return None  # (NumPy would convert it to float64 inexactly too, but
                # Python's int-float arithmetic is exact: the two could differ)
            var[id(n)] = f"c{i}"
            glb[f"c{i}"] = float(v)
            continue
        op = n.opdef
        if (
            op is None
            or not op.codegen.floats
            or n.attrs
            or n.shape != ()
            or n.dtype != _F64
            or op.front is None
            or not op.front.operators
        ):
            return None
        sym = op.front.symbol
        a = [var[id(x)] for x in n.inputs]
        body.append(
            f"    v{i} = {sym}{a[0]}" if op.nargs == 1 else f"    v{i} = {a[0]} {sym} {a[1]}"
        )
        var[id(n)] = f"v{i}"
    head = f"def compiled_floats({', '.join(f'p{k}' for k in range(len(inputs)))}):"
    source = "\n".join([head, *body, f"    return {var[id(outs[0])]}"]) + "\n"
    exec(compile(source, "<compgraph compiled floats>", "exec"), glb)  # generated names only
    return glb["compiled_floats"]


def _converter(node: Symbol, graph: Any) -> Callable[[Any], Any]:
    """A fast path for the common cases, the full check of Any.feed_value otherwise."""
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

    def __init__(
        self,
        graph: Any,
        outs: list[Symbol],
        single: bool,
        optimize: bool,
        donate: frozenset = frozenset(),
    ):
        self._base = graph
        self._donate = donate
        self._outs = [o.name for o in outs]
        self._single = single
        self._optimize = optimize
        self.input_names = [n.name for n in graph.inputs]
        self._bind = _binder(self.input_names)
        needed = graph.needed(outs)
        self._open = any(
            n.op == "input" and (n.shape is None or None in n.shape or n.dtype is None)
            for n in needed
        )
        self._cache: dict = {}
        self._fn, self.source, self.graph = _generate(graph, outs, single, optimize, donate)
        #: The same function on Python floats (see :func:`float_code`), or None.
        self.floats = (
            None if self._open else float_code(self.graph, [self.graph[o] for o in self._outs])
        )

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
        meta = {}
        for node, v in zip(self._base.inputs, args):
            arr = self._base.feed_value(node, v)
            meta[node.name] = (np.shape(arr), np.result_type(arr))
        g = specialize(self._base, meta, keep=self._outs)
        fn, self.source, self.graph = _generate(
            g, [g[o] for o in self._outs], self._single, self._optimize, self._donate
        )
        self._cache[key] = fn
        return fn

    def __repr__(self) -> str:
        return f"<CompiledGraph inputs={self.input_names}, {len(self.graph)} nodes>"


def _binder(names: list[str]) -> Callable:
    index = {n: i for i, n in enumerate(names)}

    def bind(args: tuple, kwargs: dict) -> tuple:
        if len(args) > len(names):
            raise TypeError(
                f"compiled graph: takes {len(names)} inputs {names}, got "
                f"{len(args)} positional values"
            )
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


def compile_graph(
    graph: Any, outputs: Any, optimize: bool = True, donate: Any = ()
) -> CompiledGraph:
    """Generate, compile and return the function computing ``outputs`` (see Any.compile)."""
    outs, single = graph._outputs(outputs, "Any.compile")
    if isinstance(donate, str):
        donate = (donate,)
    names = {n.name for n in graph.inputs}
    unknown = [d for d in donate if d not in names]
    if unknown:
        raise ValueError(
            f"Any.compile: cannot donate {unknown}: not inputs of the graph "
            f"(inputs: {sorted(names)})"
        )
    return CompiledGraph(graph, outs, single, optimize, frozenset(donate))


def _generate(
    graph: Any, outs: list[Symbol], single: bool, optimize: bool, donate: frozenset = frozenset()
) -> tuple[Callable, str, Any]:
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
    plan = _Buffers(order, outs, donate)
    body = _body(order, plan, var, glb)
    header = _header(inputs, names, donate, glb)
    footer = _footer(outs, var, single, glb)
    source = "\n".join(header + body + footer) + "\n"
    code = compile(source, "<compgraph compiled graph>", "exec")
    exec(code, glb)  # the source holds only generated names: see the module docstring
    return glb["compiled"], source, g


class _Buffers:
    """Which buffer each value lives in, and when each buffer's last alias dies.

    Fresh ops (the declaration says the result is always a new array) own their
    buffer; any other op (a view, or a result that may be its operand) aliases its
    operands'.  A buffer may be overwritten only once every alias of it is dead.
    Donated inputs are buffers of ours too.
    """

    def __init__(self, order: list, outs: list, donate: frozenset):
        self.last: dict[int, int] = {}  # the position of each value's last use
        for i, n in enumerate(order):
            for a in n.inputs:
                self.last[id(a)] = i
        self.out_ids = {id(o) for o in outs}
        self.owner: dict[int, int | None] = {}
        self.alias_last: dict[int, float] = {}
        for n in order:
            self._assign(n, donate)

    def _end(self, n: Symbol) -> float:
        return float("inf") if id(n) in self.out_ids else self.last.get(id(n), -1)

    def _assign(self, n: Symbol, donate: frozenset) -> None:
        owner, alias_last = self.owner, self.alias_last
        if n.op == "input" and n.name in donate:
            owner[id(n)] = id(n)  # ours to overwrite once every alias of it is dead
            alias_last[id(n)] = self._end(n)
            return
        if n.op in ("input", "constant"):
            owner[id(n)] = None
            return
        op = n.opdef
        assert op is not None  # an op node: inputs and constants were handled above
        if op.codegen.fresh:
            owner[id(n)] = id(n)
        else:
            roots = {o for o in (owner.get(id(a)) for a in n.inputs) if o is not None}
            owner[id(n)] = roots.pop() if len(roots) == 1 else None
            for root in roots:  # more than one: keep them all alive for good
                alias_last[root] = float("inf")
        r = owner[id(n)]
        if r is not None:
            alias_last[r] = max(alias_last.get(r, -1), self._end(n))

    def reusable(self, a: Symbol, i: int, n: Symbol) -> bool:
        """Whether node ``n`` (at position i) may write into operand ``a``'s buffer."""
        return (
            self.owner.get(id(a)) == id(a)
            and self.alias_last.get(id(a)) == i
            and a.shape == n.shape
            and a.dtype == n.dtype
        )

    def dead_after(self, n: Symbol, i: int) -> list:
        """Operands of n whose last use is n (to delete right after it)."""
        return [
            a
            for a in dict.fromkeys(n.inputs)
            if self.last.get(id(a)) == i
            and id(a) not in self.out_ids
            and a.op not in ("input", "constant")
        ]


def _body(order: list, plan: _Buffers, var: dict, glb: dict) -> list[str]:
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
            glb[f"f{i}"] = n.opdef.forward
            call = f"f{i}({', '.join(args + kw)})"
        spec = n.opdef.codegen
        if spec.out is not None and n.shape and n.dtype is not None and None not in n.shape:
            # Write into a dying operand's buffer when it is ours, the same shape and dtype.
            allowed = spec.out_operands if spec.out_operands is not None else range(len(n.inputs))
            for j in allowed:
                a = n.inputs[j]
                if plan.reusable(a, i, n):
                    glb[f"u{i}"] = spec.out
                    call = f"u{i}({', '.join(args + kw)}, out={var[id(a)]})"
                    break
        body.append(f"    {v} = {call}  # {n.op} {n.name!r}")
        dead = [var[id(a)] for a in plan.dead_after(n, i)]
        if dead:
            body.append(f"    del {', '.join(dead)}")
    return body


def _header(inputs: list, names: list, donate: frozenset, glb: dict) -> list[str]:
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
        header.append(
            f"    {', '.join(given)}, = _donated(({', '.join(given)},), "
            f"({', '.join(rest)}{',' if len(rest) == 1 else ''}))"
        )
    return header


def _footer(outs: list, var: dict, single: bool, glb: dict) -> list[str]:
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
    if single:
        return [f"    return {ret[0]}"]
    return [f"    return ({', '.join(ret)}{',' if len(ret) == 1 else ''})"]
