"""The op registry: every primitive is declared exactly once, and every front end reads it.

An :class:`Op` bundles everything any part of compgraph needs to know about a
primitive: its NumPy forward, which inputs/outputs its backward keeps, its
vector-Jacobian (VJP) and Jacobian-vector (JVP) rules, its shape and dtype rules,
the text of its local derivative, and how each front end treats it (public names,
Tensor methods, operators, NumPy dispatch, the command line, compiled code, ONNX,
batched forward mode, the optimiser: see :mod:`compgraph.ops.spec`).

Rules are written against an *array namespace* ``ns`` whose attributes are the
registered ops (``ns.multiply``, ``ns.sum``, ...) plus the ordinary Python
operators of the values they receive.  The same rule therefore runs on raw
ndarrays (:data:`NUMPY` - fast first-order backward, no Tensor objects), on
Tensors (higher order, ``create_graph=True``) and on symbolic nodes of static
graphs.  Broadcast reduction of gradients is *not* done by rules: the engine
reduces once, with a shape check that names the op.

Functions that are compositions of primitives (``mean``, ``softmax``) are declared
with :func:`defpublic` and reach the same front ends through the same :class:`Front`
record.  Front ends :func:`subscribe` to declarations, so an op declared later (by
a user, or a test) reaches them too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .spec import Absent, Codegen, Facts, Method

__all__ = [
    "Op",
    "Front",
    "defop",
    "defpublic",
    "undef",
    "OPS",
    "PUBLIC",
    "Namespace",
    "NUMPY",
    "get_op",
    "front_for_numpy",
    "subscribe",
]

# Python operators a symbol stands for: (symbol, arity) -> dunders (reflected last).
# Keyed by Python's own operator symbols; which op an operator means is on the op.
_DUNDERS: dict[tuple[str, int | None], tuple[str, ...]] = {
    ("+", 2): ("__add__", "__radd__"),
    ("-", 2): ("__sub__", "__rsub__"),
    ("*", 2): ("__mul__", "__rmul__"),
    ("/", 2): ("__truediv__", "__rtruediv__"),
    ("**", 2): ("__pow__", "__rpow__"),
    ("@", 2): ("__matmul__", "__rmatmul__"),
    ("<", 2): ("__lt__",),
    ("<=", 2): ("__le__",),
    (">", 2): ("__gt__",),
    (">=", 2): ("__ge__",),
    ("==", 2): ("__eq__",),
    ("!=", 2): ("__ne__",),
    ("//", 2): ("__floordiv__", "__rfloordiv__"),
    ("%", 2): ("__mod__", "__rmod__"),
    ("&", 2): ("__and__", "__rand__"),
    ("|", 2): ("__or__", "__ror__"),
    ("^", 2): ("__xor__", "__rxor__"),
    ("<<", 2): ("__lshift__", "__rlshift__"),
    (">>", 2): ("__rshift__", "__rrshift__"),
    ("-", 1): ("__neg__",),
    ("~", 1): ("__invert__",),
}


# The augmented assignment of a binary operator symbol (Python's own operators again).
_INPLACE: dict[str, str] = {
    "+": "__iadd__",
    "-": "__isub__",
    "*": "__imul__",
    "/": "__itruediv__",
    "**": "__ipow__",
    "//": "__ifloordiv__",
    "%": "__imod__",
    "&": "__iand__",
    "|": "__ior__",
    "^": "__ixor__",
    "<<": "__ilshift__",
    ">>": "__irshift__",
}


def dunders(symbol: str | None, arity: int | None) -> tuple:
    """The dunder methods a Python operator symbol gives (empty for none)."""
    return _DUNDERS.get((symbol, arity), ()) if symbol else ()


class Front:
    """How the front ends reach one function, a primitive's or a composite's.

    ``names``: its names in ``cg`` (empty: not published); ``methods``: Tensor and
    static-value methods; ``symbol``: the Python operator it is; ``numpy``: the NumPy
    ufuncs / functions that dispatch to it; ``cli``: whether the command line may call
    it; ``function``: the public callable (built by the front-end layer for primitives);
    ``absent``: front end -> the reason it does not reach this function.
    """

    __slots__ = (
        "name",
        "names",
        "op",
        "prepare",
        "methods",
        "symbol",
        "numpy",
        "cli",
        "doc",
        "function",
        "absent",
    )

    def __init__(
        self,
        name: str,
        *,
        names: Any = None,
        op: Op | None = None,
        prepare: Callable | None = None,
        method: Any = None,
        symbol: str | None = None,
        numpy: Any = None,
        cli: Any = None,
        doc: str = "",
        function: Callable | None = None,
    ):
        self.name = name
        self.op = op
        self.prepare = prepare
        self.symbol = symbol
        self.doc = doc
        self.function = function
        self.absent: dict[str, str] = {}
        if isinstance(names, Absent):
            self.absent["names"] = names.reason
            names = ()
        self.names = (
            (name,) if names is None else ((names,) if isinstance(names, str) else tuple(names))
        )
        self.methods = self._methods(method)
        if isinstance(numpy, Absent):
            self.absent["numpy"] = numpy.reason
            numpy = ()
        elif numpy is None:
            numpy = ()
        self.numpy = tuple(numpy) if isinstance(numpy, (tuple, list)) else (numpy,)
        if isinstance(cli, Absent):
            self.absent["cli"] = cli.reason
        self.cli = cli is True

    def _methods(self, method: Any) -> tuple:
        if isinstance(method, Absent):
            self.absent["method"] = method.reason
            return ()
        if method is None:
            return ()
        items = method if isinstance(method, (tuple, list)) else (method,)
        return tuple(m if isinstance(m, Method) else Method(m) for m in items)

    @property
    def inplace_operator(self) -> str | None:
        """The augmented-assignment dunder of the binary operator this function is."""
        if self.symbol is None or self.op is None or self.op.nargs != 2:
            return None
        return _INPLACE.get(self.symbol)

    @property
    def operators(self) -> tuple:
        """The dunder methods of the Python operator this function is."""
        arity = self.op.nargs if self.op is not None else None
        return dunders(self.symbol, arity)

    def __repr__(self) -> str:
        return f"<front {self.name}>"


class Op:
    """One primitive operation: its forward, its derivative rules and every front end's view.

    Attributes:
        name: registry key, also the name used in static graphs and files.
        forward: ``forward(*arrays, **attrs) -> ndarray`` computed with NumPy.
        vjp: ``None`` for non-differentiable ops; else a tuple with one rule per
            input, ``rule(ns, g, out, *inputs, **attrs) -> cotangent`` (possibly of the
            broadcast shape: the engine sums it back), or for variadic ops a single
            callable ``rule(ns, g, out, inputs, needs, **attrs) -> list``.
        jvp: like ``vjp``, one rule per input ``rule(ns, t, out, *inputs, **attrs)``
            returning that input's contribution to the output tangent (or one callable
            ``rule(ns, tangents, out, inputs, **attrs)`` for all of them).  Derived when
            not given: an ``elementwise`` op's Jacobian is diagonal, so its VJP rules are
            its JVP rules; a ``linear`` op applied to the tangents is its JVP; a
            ``multilinear`` op's JVP for input i is the op with input i replaced by the
            tangent (PyTorch's ``auto_element_wise`` / ``auto_linear``).
        saves: for each input, the indices of the inputs its VJP rule reads; the
            engine keeps only those (the memory policy), others arrive as ``None``.
        save_out: whether the VJP rules read the output ``out``.
        meta: inputs not kept reach the rules as a ``Meta`` (``.shape``, ``.dtype``)
            instead of None: for rules that need an input's shape, not its values.
        deriv: for each input, the local derivative as text over the input names
            (``args``), ``out`` and attribute names: ``"y*x**(y-1)"``.
        args: the names of the inputs (``("x", "y")``), as the texts use them.
        shape_rule, dtype_rule: the output's shape and dtype from the inputs' (see
            :mod:`compgraph.ops.meta`), for static graphs that infer before running.
        front: the :class:`Front` record (public names, methods, NumPy, CLI).
        codegen, onnx, batch, facts: see :mod:`compgraph.ops.spec`; ``batch`` is a
            batched forward-mode rule ``batch(op, prims, tangents, out, attrs, k)`` (or
            ``no(reason)``: the rule runs once per direction).
        label: the name shown in pictures and the chain rule (a user op's function name).
        custom: the user-defined op's definition (None for built-in ops).
    """

    __slots__ = (
        "name",
        "forward",
        "vjp",
        "jvp",
        "saves",
        "save_out",
        "linear",
        "elementwise",
        "multilinear",
        "deriv",
        "nargs",
        "variadic",
        "doc",
        "args",
        "shape_rule",
        "dtype_rule",
        "meta",
        "drop",
        "front",
        "codegen",
        "onnx",
        "batch",
        "facts",
        "short",
        "label",
        "custom",
        "residuals",
        "builtin",
        "_attr_names",
        "__weakref__",
    )

    def __init__(
        self,
        name: str,
        forward: Callable,
        *,
        vjp: Any = None,
        jvp: Any = None,
        saves: Sequence[Sequence[int]] | None = None,
        save_out: bool = False,
        linear: bool = False,
        elementwise: bool = False,
        multilinear: bool = False,
        deriv: Sequence[str] | None = None,
        nargs: int | None = None,
        args: Sequence[str] | None = None,
        doc: str = "",
        shape: Callable | None = None,
        dtype: Callable | None = None,
        meta: bool = False,
        codegen: Codegen | None = None,
        onnx: Any = None,
        batch: Any = None,
        facts: Facts | None = None,
        short: str | None = None,
        label: str | None = None,
        custom: Any = None,
        residuals: Any = None,
    ):
        self.name = name
        self.meta = meta
        self.shape_rule = shape
        self.dtype_rule = dtype
        self.forward = forward
        self.variadic = nargs is None and callable(vjp)
        if vjp is not None and not callable(vjp):
            vjp = tuple(vjp)
            nargs = len(vjp) if nargs is None else nargs
        if nargs is None and not self.variadic:
            nargs = _positional_arity(forward)
        self.vjp = vjp
        self.nargs = nargs
        self.linear = linear
        self.elementwise = elementwise
        self.multilinear = multilinear
        if jvp is not None and not callable(jvp):
            jvp = tuple(jvp)
            if nargs is not None and len(jvp) != nargs:
                raise ValueError(
                    f"defop {name!r}: {len(jvp)} JVP rules for {nargs} inputs; give one "
                    f"per input (None where the op is not differentiable in it)"
                )
        self.jvp = jvp if jvp is not None else self._derived_jvp()
        if saves is None and isinstance(vjp, tuple):
            # Default policy: a rule may read every input.
            saves = tuple(tuple(range(len(vjp))) for _ in vjp)
        self.saves = tuple(tuple(s) for s in saves) if saves is not None else None
        self.save_out = save_out
        self.deriv = tuple(deriv) if deriv is not None else None
        if args is None:
            args = (
                ("x", "y", "z")[:nargs]
                if nargs is not None and nargs <= 3
                else tuple(f"x{i}" for i in range(nargs or 0))
            )
        self.args = tuple(args)
        self.doc = doc
        self.codegen = codegen if codegen is not None else Codegen()
        if self.codegen.fresh is None:
            self.codegen.fresh = elementwise
        self.onnx = onnx
        self.batch = batch
        self.facts = facts if facts is not None else Facts()
        self.short = short or name
        self.label = label or name
        self.custom = custom
        self.residuals = residuals
        self.builtin = False
        self.front: Front | None = None
        self._attr_names: set | None = None
        #: which inputs the graph need not keep, per bitmask of inputs needing grads
        #: (filled by the recording layer's ``op_drop``; read on every recorded op)
        self.drop: dict[int, tuple] = {}

    def _derived_jvp(self) -> Any:
        if not isinstance(self.vjp, tuple):
            return None
        if self.elementwise:
            return self.vjp  # a diagonal Jacobian is its own transpose
        if self.multilinear:
            return tuple(_replace_input(self.name, i) for i in range(len(self.vjp)))
        return None  # linear ops: the op itself on the tangents (see forward mode)

    @property
    def differentiable(self) -> bool:
        """True when the op has VJP rules (non-differentiable ops are never recorded)."""
        return self.vjp is not None

    @property
    def attr_names(self) -> set | None:
        """Names the op's attributes may have, or None when the forward takes any.

        They are the forward's keyword parameters, less its inputs (the first ``nargs``
        positional parameters, or all before ``*args``) and NumPy's call keywords
        (``out``, ``where``, ``casting``, ``order``, ``subok``, ``signature``): a forward
        may take ``out=`` for compiled code, but no node, file or caller may set it.
        """
        if self._attr_names is None:
            if isinstance(self.forward, np.ufunc):
                self._attr_names = set()  # a bare ufunc takes no attributes
                return self._attr_names
            try:
                params = list(inspect.signature(self.forward).parameters.values())
            except (TypeError, ValueError):
                return None
            if any(p.kind is p.VAR_KEYWORD for p in params):
                return None
            positional = [
                p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            variadic = any(p.kind is p.VAR_POSITIONAL for p in params)
            inputs = {p.name for p in (positional if variadic else positional[: self.nargs or 0])}
            # These steer where and how NumPy writes a result, never what is computed.
            steering = {"out", "where", "casting", "order", "subok", "signature", "extobj"}
            self._attr_names = {
                p.name
                for p in params
                if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
                and p.name not in inputs
                and p.name not in steering
            }
        return self._attr_names

    def __repr__(self) -> str:
        return f"<op {self.name}>"


def _positional_arity(forward: Callable) -> int | None:
    """Positional inputs a forward takes (those without defaults), None for ``*args``."""
    try:
        params = list(inspect.signature(forward).parameters.values())
    except (TypeError, ValueError):
        return 2  # builtins such as operator.add
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        return None
    return sum(
        1
        for p in params
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty
    )


def _replace_input(name: str, i: int) -> Callable:
    def rule(ns, t, out, *args, **attrs):
        return getattr(ns, name)(*args[:i], t, *args[i + 1 :], **attrs)

    rule.__name__ = f"{name}_jvp{i}"
    return rule


OPS: dict[str, Op] = {}
#: Public name -> Front, for primitives and composites alike.
PUBLIC: dict[str, Front] = {}
_BY_NUMPY: dict[int, tuple[Any, Front]] = {}
_METHODS: dict[str, Front] = {}
_SUBSCRIBERS: list[Callable[[Front, bool], None]] = []


class Namespace:
    """An array namespace: one attribute per registered op, all calling one ``apply``.

    ``Namespace(apply)`` gives ``ns.<op>(*inputs, **attrs) == apply(op, inputs, attrs)``.
    The NumPy namespace instead calls each op's forward directly.
    """

    if TYPE_CHECKING:  # one attribute per declared op, bound at run time

        def __getattr__(self, name: str) -> Any: ...

    def __init__(self, name: str, apply: Callable[[Op, tuple, dict], Any] | None):
        self._name = name
        self._apply = apply
        for op in OPS.values():
            self._bind(op)
        _NAMESPACES.append(self)

    def _bind(self, op: Op) -> None:
        if self._apply is None:
            setattr(self, op.name, op.forward)
            return
        apply = self._apply

        def call(*inputs, **attrs):
            return apply(op, inputs, attrs)

        call.__name__ = op.name
        setattr(self, op.name, call)

    def _unbind(self, op: Op) -> None:
        self.__dict__.pop(op.name, None)

    def __repr__(self) -> str:
        return f"<array namespace {self._name}>"


_NAMESPACES: list[Namespace] = []


def _claim(front: Front) -> None:
    """Check that nothing else answers to this front's names, methods and NumPy functions."""
    for n in front.names:
        if n in PUBLIC:
            raise ValueError(f"defop: the name {n!r} already belongs to {PUBLIC[n].name!r}")
    for m in front.methods:
        if m.name in _METHODS:
            raise ValueError(
                f"defop: the method {m.name!r} already belongs to {_METHODS[m.name].name!r}"
            )
    for f in front.numpy:
        if id(f) in _BY_NUMPY:
            raise ValueError(
                f"defop: {getattr(f, '__name__', f)!r} already dispatches to "
                f"{_BY_NUMPY[id(f)][1].name!r}"
            )


def _publish(front: Front) -> None:
    _claim(front)
    for n in front.names:
        PUBLIC[n] = front
    for m in front.methods:
        _METHODS[m.name] = front
    for f in front.numpy:
        _BY_NUMPY[id(f)] = (f, front)
    for fn in _SUBSCRIBERS:
        fn(front, False)


def defop(
    name: str,
    forward: Callable,
    *,
    names: Any = None,
    prepare: Callable | None = None,
    method: Any = None,
    symbol: str | None = None,
    numpy: Any = None,
    cli: Any = None,
    **kw: Any,
) -> Op:
    """Declare a primitive op once; every namespace and front end picks it up.

    ``names`` (default: the op's name; ``no(reason)`` for none) are its public names in
    ``cg``; ``prepare(*args, **kwargs) -> (inputs, attrs)`` checks and normalises the
    public function's arguments (default: the inputs positionally, attributes as
    keywords); ``method`` names the Tensor methods, ``symbol`` the Python operator,
    ``numpy`` the NumPy functions that dispatch to it and ``cli`` whether the command
    line may call it.  The other keywords are :class:`Op`'s.
    """
    if not isinstance(name, str) or not name.isidentifier() and ":" not in name:
        raise ValueError(f"defop: the op name must be an identifier, got {name!r}")
    if name in OPS:
        raise ValueError(f"op {name!r} is already declared")
    op = Op(name, forward, **kw)
    front = Front(
        name,
        names=names,
        op=op,
        prepare=prepare,
        method=method,
        symbol=symbol,
        numpy=numpy,
        cli=cli,
        doc=op.doc,
    )
    op.front = front
    _claim(front)
    OPS[name] = op
    for ns in _NAMESPACES:
        ns._bind(op)
    _publish(front)
    return op


def defpublic(
    fn: Callable | None = None,
    *,
    name: str | None = None,
    method: Any = None,
    numpy: Any = None,
    cli: Any = None,
    names: Any = None,
) -> Any:
    """Declare a composite public function (written with other functions, so its
    derivatives come from theirs) and how the front ends reach it.  A decorator."""

    def declare(f: Callable) -> Callable:
        nm = name or f.__name__
        front = Front(
            nm, names=names, method=method, numpy=numpy, cli=cli, doc=f.__doc__ or "", function=f
        )
        _publish(front)
        return f

    return declare(fn) if fn is not None else declare


def undef(name: str) -> None:
    """Remove a declared op (or composite) and everything that reaches it (for tests and
    for user ops that are redefined)."""
    op = OPS.pop(name, None)
    front = op.front if op is not None else PUBLIC.get(name)
    if op is not None:
        for ns in _NAMESPACES:
            ns._unbind(op)
    if front is None:
        return
    for n in front.names:
        if PUBLIC.get(n) is front:
            del PUBLIC[n]
    for m in front.methods:
        if _METHODS.get(m.name) is front:
            del _METHODS[m.name]
    for f in front.numpy:
        if _BY_NUMPY.get(id(f), (None, None))[1] is front:
            del _BY_NUMPY[id(f)]
    for fn in _SUBSCRIBERS:
        fn(front, True)


def subscribe(fn: Callable[[Front, bool], None]) -> None:
    """Call ``fn(front, False)`` for every declared function now and for every later one,
    and ``fn(front, True)`` when :func:`undef` removes one."""
    _SUBSCRIBERS.append(fn)
    for front in list(_all_fronts()):
        fn(front, False)


def _all_fronts() -> list[Front]:
    seen: dict[int, Front] = {}
    for op in OPS.values():
        if op.front is not None:
            seen[id(op.front)] = op.front
    for f in PUBLIC.values():
        seen[id(f)] = f
    return list(seen.values())


def fronts() -> list[Front]:
    """Every declared function's front record (primitives first, then composites)."""
    return _all_fronts()


def front_for_numpy(func: Any) -> Front | None:
    """The function a NumPy ufunc or function dispatches to, or None."""
    hit = _BY_NUMPY.get(id(func))
    return None if hit is None or hit[0] is not func else hit[1]


def get_op(name: str) -> Op:
    """Look an op up by name, with an error listing what exists."""
    try:
        return OPS[name]
    except KeyError:
        raise ValueError(f"unknown op {name!r}; known ops: {', '.join(sorted(OPS))}") from None


def mark_builtin() -> None:
    """Mark every op declared so far as compgraph's own (the registry test walks these)."""
    for op in OPS.values():
        op.builtin = True


#: The raw-ndarray namespace used by first-order backward (no Tensors created).
NUMPY = Namespace("numpy", None)

__all__ += ["fronts", "mark_builtin", "dunders"]
