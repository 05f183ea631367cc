"""The op registry: every primitive is declared exactly once, here or in a sibling module.

An :class:`Op` bundles everything any part of compgraph needs to know about a
primitive: its NumPy forward, which inputs/outputs its backward keeps, its
vector-Jacobian (VJP) and Jacobian-vector (JVP) rules, and a short text of its
local derivative for the chain-rule explainer.

Rules are written against an *array namespace* ``ns`` whose attributes are the
registered ops (``ns.multiply``, ``ns.sum``, ...) plus the ordinary Python
operators of the values they receive.  The same rule therefore runs on raw
ndarrays (:data:`NUMPY` - fast first-order backward, no Tensor objects), on
Tensors (higher order, ``create_graph=True``) and on symbolic nodes of static
graphs.  Broadcast reduction of gradients is *not* done by rules: the engine
reduces once, with a shape check that names the op.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

__all__ = ["Op", "defop", "OPS", "Namespace", "NUMPY", "get_op"]


class Op:
    """One primitive operation and all of its derivative rules.

    Attributes:
        name: registry key, also the name used in pictures, static graphs and files.
        forward: ``forward(*arrays, **attrs) -> ndarray`` computed with NumPy.
        vjp: ``None`` for non-differentiable ops; else a tuple with one rule per
            input, ``rule(ns, g, out, *inputs, **attrs) -> cotangent`` (possibly of the
            broadcast shape: the engine sums it back), or for variadic ops a single
            callable ``rule(ns, g, out, inputs, needs, **attrs) -> list``.
        jvp: like ``vjp``, one rule per input ``rule(ns, t, out, *inputs, **attrs)``
            returning that input's contribution to the output tangent; for
            ``linear`` ops it may be omitted (the op applied to the tangents).
        saves: for each input, the indices of the inputs its VJP rule reads; the
            engine keeps only those (the memory policy), others arrive as ``None``.
        save_out: whether the VJP rules read the output ``out``.
        meta: inputs not kept reach the rules as a ``Meta`` (``.shape``, ``.dtype``)
            instead of None: for rules that need an input's shape, not its values.
        deriv: for each input, the local derivative as text over the names
            ``x``/``y`` (inputs), ``out`` and attribute names: ``"n*x**(n-1)"``.
        shape_rule, dtype_rule: the output's shape and dtype from the inputs' (see
            :mod:`compgraph.ops.meta`), for static graphs that infer before running.
    """

    __slots__ = ("name", "forward", "vjp", "jvp", "saves", "save_out", "linear",
                 "deriv", "nargs", "variadic", "doc", "np_name", "shape_rule", "dtype_rule",
                 "meta", "drop", "__weakref__")

    def __init__(self, name: str, forward: Callable, *, vjp=None, jvp=None,
                 saves: Sequence[Sequence[int]] | None = None, save_out: bool = False,
                 linear: bool = False, deriv: Sequence[str] | None = None,
                 nargs: int | None = None, doc: str = "", np_name: str | None = None,
                 shape: Callable | None = None, dtype: Callable | None = None,
                 meta: bool = False):
        self.name = name
        self.meta = meta
        self.shape_rule = shape
        self.dtype_rule = dtype
        self.forward = forward
        self.variadic = nargs is None and callable(vjp)
        if vjp is not None and not callable(vjp):
            vjp = tuple(vjp)
            nargs = len(vjp) if nargs is None else nargs
        self.vjp = vjp
        self.nargs = nargs
        self.linear = linear
        if jvp is not None and not callable(jvp):
            jvp = tuple(jvp)
        self.jvp = jvp
        if saves is None and isinstance(vjp, tuple):
            # Default policy: a rule may read every input.
            saves = tuple(tuple(range(len(vjp))) for _ in vjp)
        self.saves = tuple(tuple(s) for s in saves) if saves is not None else None
        self.save_out = save_out
        self.deriv = tuple(deriv) if deriv is not None else None
        self.doc = doc
        self.np_name = np_name
        #: which inputs the graph need not keep, per bitmask of inputs needing grads
        #: (filled by ``tensor.op_drop``; read on every recorded op)
        self.drop: dict[int, tuple] = {}

    @property
    def differentiable(self) -> bool:
        """True when the op has VJP rules (non-differentiable ops are never recorded)."""
        return self.vjp is not None

    def __repr__(self) -> str:
        return f"<op {self.name}>"


OPS: dict[str, Op] = {}


class Namespace:
    """An array namespace: one attribute per registered op, all calling one ``apply``.

    ``Namespace(apply)`` gives ``ns.<op>(*inputs, **attrs) == apply(op, inputs, attrs)``.
    The NumPy namespace instead calls each op's forward directly.
    """

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

    def __repr__(self) -> str:
        return f"<array namespace {self._name}>"


_NAMESPACES: list[Namespace] = []


def defop(name: str, forward: Callable, **kw: Any) -> Op:
    """Declare a primitive op once; it becomes available in every namespace."""
    if name in OPS:
        raise ValueError(f"op {name!r} is already declared")
    op = Op(name, forward, **kw)
    OPS[name] = op
    for ns in _NAMESPACES:
        ns._bind(op)
    return op


def get_op(name: str) -> Op:
    """Look an op up by name, with an error listing what exists."""
    try:
        return OPS[name]
    except KeyError:
        raise ValueError(f"unknown op {name!r}; known ops: {', '.join(sorted(OPS))}") from None


#: The raw-ndarray namespace used by first-order backward (no Tensors created).
NUMPY = Namespace("numpy", None)
