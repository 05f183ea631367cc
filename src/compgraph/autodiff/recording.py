"""Define-by-run recording: :func:`apply` runs an op and records it as a :class:`Node`.

The recorded graph is made of Nodes, one per op application; a Node points at its
parents (other Nodes, or leaf tensors that accumulate ``.grad``) and keeps only the
buffers its op's VJP rule declared it reads.  Tensors themselves are not kept by
the graph, so an intermediate value lives exactly as long as the user or a saved
buffer holds it.

This module also pushes forward-mode tangents through each op as it runs
(:func:`push_tangents`), since that happens inside :func:`apply` too.

Values here are :class:`TensorBase` objects: the slots every layer reads.  The
user-facing :class:`compgraph.tensor.Tensor` subclasses it and registers itself with
:func:`set_tensor_class`, so results made here are full Tensors while this layer
never imports the ones above it.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..grad_mode import RECORD_HOOKS, STATE, VARIABLE_HOOK, next_seq
from ..ops.meta import Meta
from ..ops.registry import OPS, Namespace, Op

__all__ = [
    "MUTATED",
    "MUTATED_LAST",
    "HOOKED_LEAVES",
    "mark_mutated",
    "check_unchanged",
    "buffer_root",
    "TensorBase",
    "Node",
    "apply",
    "apply1",
    "apply2",
    "apply_num",
    "op_drop",
    "park_graph",
    "unpark_graph",
    "wrap",
    "new_node",
    "set_tensor_class",
    "TENSOR",
    "push_tangents",
    "jvp_level",
    "rule_sum",
    "below",
    "view",
    "zeros_like_value",
]

_new = object.__new__
_NOATTRS: dict = {}
_PY_NUMBERS = frozenset((bool, int, float, complex))


class TensorBase:
    """The slots of a recorded value (see :class:`compgraph.tensor.Tensor`).

    ``_data`` the array; ``_rg`` requires grad; ``_node`` the Node that produced it
    (None for leaves); ``_grad`` the accumulated gradient; ``_name`` a label;
    ``_hooks`` a leaf's gradient hooks; ``_why`` why it does not require grad;
    ``_tan`` forward-mode tangents by level.
    """

    __slots__ = ("_data", "_rg", "_node", "_grad", "_name", "_hooks", "_why", "_tan", "__weakref__")
    _data: Any
    _rg: bool
    _node: Node | None
    _grad: Any
    _name: str | None
    _hooks: list | None
    _why: str | None
    _tan: dict | None
    if TYPE_CHECKING:  # the Tensor subclass and the declared methods add the rest

        def __getattr__(self, name: str) -> Any: ...

    # Subclasses whose buffer can change in place (Variable) are told when a graph keeps it.
    _capturable = False

    @property
    def shape(self) -> tuple:
        """The array's shape."""
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype."""
        return self._data.dtype


#: The class results are made of (compgraph.tensor.Tensor, once it is imported).
_Result: type[TensorBase] = TensorBase


def set_tensor_class(cls: type[TensorBase]) -> None:
    """Make results of every op instances of ``cls`` (a TensorBase subclass)."""
    global _Result
    _Result = cls


class Node:
    """One recorded op application (PyTorch's ``grad_fn``).

    ``parents[i]`` is the Node that produced input ``i``, the leaf tensor itself,
    or None when input ``i`` needs no gradient.  ``saved`` holds the inputs the
    VJP rules read (None where not needed) and becomes None once backward has
    used it without ``retain_graph``.
    """

    __slots__ = (
        "op",
        "attrs",
        "parents",
        "saved",
        "out",
        "shape",
        "dtype",
        "extra",
        "seq",
        "__weakref__",
    )
    op: Op
    attrs: dict
    parents: tuple
    saved: tuple | None
    out: Any
    shape: tuple
    dtype: Any
    #: None, or the rarely set fields (``hooks``, ``retain``, ``label``) in one object:
    #: one slot to write per recorded op instead of three, one to read in backward.
    extra: _NodeExtra | None
    seq: int

    def _extra(self) -> _NodeExtra:
        e = self.extra
        if e is None:
            e = self.extra = _NodeExtra()
        return e

    @property
    def hooks(self) -> list | None:
        """Hooks on the gradient of this node's output (``register_hook``), or None."""
        e = self.extra
        return None if e is None else e.hooks

    @hooks.setter
    def hooks(self, value: list | None) -> None:
        self._extra().hooks = value

    @property
    def retain(self) -> Any:
        """A weak reference to the output Tensor that called ``retain_grad()``, or None."""
        e = self.extra
        return None if e is None else e.retain

    @retain.setter
    def retain(self, value: Any) -> None:
        self._extra().retain = value

    @property
    def label(self) -> str | None:
        """The output's name as given to the graph (``t.name = ...``), or None."""
        e = self.extra
        return None if e is None else e.label

    @label.setter
    def label(self, value: str | None) -> None:
        self._extra().label = value

    def __repr__(self) -> str:
        return f"<Node {self.op.name} -> {self.shape} {self.dtype}>"

    @property
    def name(self) -> str:
        """The op's name (PyTorch shows ``MulBackward0``; compgraph shows ``multiply``)."""
        return self.op.label

    @property
    def next_functions(self) -> tuple:
        """The parent nodes / leaf tensors, for code written against PyTorch's grad_fn."""
        return self.parents


class _NodeExtra:
    """A Node's rarely set fields (see ``Node.extra``)."""

    __slots__ = ("hooks", "retain", "label")

    def __init__(self) -> None:
        self.hooks: list | None = None
        self.retain: Any = None
        self.label: str | None = None


def new_node(
    op: Op, attrs: dict, parents: tuple, saved: tuple, out: Any, shape: tuple, dtype: Any
) -> Node:
    """A Node with every slot set (apply inlines the same assignments)."""
    node = _new(Node)
    node.op = op
    node.attrs = attrs
    node.parents = parents
    node.saved = saved
    node.out = out
    node.shape = shape
    node.dtype = dtype
    node.extra = None
    node.seq = s = next_seq()
    if not s & _PARK_MASK:
        park_graph()
    return node


def _describe(v: Any) -> str:
    if isinstance(v, TensorBase):
        d = v._data
        return f"Tensor(shape={tuple(np.shape(d))}, dtype={np.result_type(d)})"
    if isinstance(v, (np.ndarray, np.generic)):
        return f"ndarray(shape={v.shape}, dtype={v.dtype})"
    return f"{type(v).__name__} {v!r}"[:80]


def _forward_error(op: Op, args: tuple, attrs: dict, err: Exception) -> Exception:
    operands = ", ".join(_describe(a) for a in args)
    extra = "".join(f", {k}={v!r}" for k, v in attrs.items())
    msg = f"{op.name}: {err} (operands: {operands}{extra})"
    try:  # keep the error's own type (numpy.linalg.LinAlgError, ZeroDivisionError ...)
        new = type(err)(msg)
        if isinstance(new, type(err)) and str(new) == msg:
            return new
    except Exception:  # an exception class that wants other arguments
        pass
    if isinstance(err, IndexError):
        return IndexError(msg)
    if isinstance(err, TypeError):
        return TypeError(msg)
    return ValueError(msg)


def apply(op: Op, args: Sequence[Any], attrs: dict = _NOATTRS) -> Any:
    """Run ``op`` on tensors / arrays / numbers and record it when gradients are needed.

    This is the single dispatch point of the dynamic graph and most of the per-op
    overhead, so it allocates as little as it can: a Tensor, and when recording a
    Node plus two tuples (tuples of arrays drop out of the cyclic GC's work).
    """
    if len(args) == 1 and attrs:
        a = args[0]
        if (
            a.__class__ is _Result
            and a._rg
            and a._tan is None
            and STATE.enabled
            and op.vjp is not None
            and not RECORD_HOOKS
        ):
            # One recorded Tensor and attributes (sum, reshape, transpose, indexing):
            # apply1's path, without the loops below.
            return apply1(op, a, attrs)
    arrays = []
    rg = False
    why = None
    tan = False
    for a in args:
        if isinstance(a, TensorBase):
            arrays.append(a._data)
            if a._rg:
                rg = True
            elif a._why is not None:
                why = a._why
            if a._tan is not None:
                tan = True
        else:
            arrays.append(a)
    try:
        out = op.forward(*arrays, **attrs) if attrs else op.forward(*arrays)
    except (ValueError, TypeError, IndexError, ArithmeticError) as err:
        raise _forward_error(op, tuple(args), attrs, err) from None
    t = _new(_Result)
    t._data = out
    t._grad = None
    t._name = None
    t._hooks = None
    t._tan = None
    if not rg or not STATE.enabled or op.vjp is None:
        if out.__class__ in _PY_NUMBERS:
            # Only Python numbers went in (Python's operators gave one back): a NumPy
            # scalar, as NumPy infers (a Python float is float64).
            t._data = np.asarray(out)[()]
        t._rg = False
        t._node = None
        t._why = why if not rg else ("no_grad" if op.vjp is not None else "nondiff:" + op.name)
        if tan:
            push_tangents(op, args, attrs, t)
        return t
    parents: list[Node | TensorBase | None] = []
    needs = 0
    bit = 1
    for a in args:
        if isinstance(a, TensorBase) and a._rg:
            n = a._node
            if n is None:
                parents.append(a)
                if a._capturable:
                    # a Variable (its slot): its next assign must not touch this buffer
                    cast(Any, a)._captured = True
                    if VARIABLE_HOOK[0] is not None:
                        VARIABLE_HOOK[0](a)
            else:
                parents.append(n)
            needs |= bit
        else:
            parents.append(None)
        bit <<= 1
    if tan:
        # Tangents must survive into backward (forward-over-reverse): keep the Tensors.
        arrays = list(args)
    drop = op.drop.get(needs)
    if drop is None:
        drop = op_drop(op, needs)
    if drop:
        _kept(arrays, drop, op.meta)
    node = _new(Node)
    node.op = op
    node.attrs = attrs
    node.parents = tuple(parents)
    node.saved = tuple(arrays)
    node.out = (t if tan else out) if op.save_out else None
    node.shape = out.shape
    node.dtype = out.dtype
    node.extra = None
    node.seq = s = next_seq()
    if not s & _PARK_MASK:
        park_graph()
    t._rg = True
    t._node = node
    t._why = None
    if RECORD_HOOKS:
        for hook in RECORD_HOOKS:
            hook(op, args, attrs, t)
    if tan:
        push_tangents(op, args, attrs, t)
    return t


# Saved tuples when backward reads no input: shared (tuples are immutable, and backward
# only rebinds ``Node.saved``), one allocation and 48-56 bytes fewer per such node.
_NONE1 = (None,)
_NONE2 = (None, None)


def apply1(op: Op, a: Any, attrs: dict = _NOATTRS) -> Any:
    """``apply(op, (a,), attrs)`` for a one-input op (``cg.sin(x)``, ``-x``, ``cg.sum(x)``):
    the usual case (a recording Tensor, no tangents, no hooks watching) written out, as
    :func:`apply2`; anything else goes to :func:`apply`."""
    if (
        a.__class__ is not _Result
        or not a._rg
        or a._tan is not None
        or not STATE.enabled
        or op.vjp is None
        or RECORD_HOOKS
    ):
        return apply(op, (a,), attrs)
    try:
        out = op.forward(a._data, **attrs) if attrs else op.forward(a._data)
    except (ValueError, TypeError, IndexError, ArithmeticError) as err:
        raise _forward_error(op, (a,), attrs, err) from None
    drop = op.drop.get(1)
    if drop is None:
        drop = op_drop(op, 1)
    node = _new(Node)
    node.op = op
    node.attrs = attrs
    node.parents = (a if a._node is None else a._node,)
    if not drop:
        node.saved = (a._data,)
    else:
        node.saved = tuple(_kept([a._data], drop, True)) if op.meta else _NONE1
    node.out = out if op.save_out else None
    node.shape = out.shape
    node.dtype = out.dtype
    node.extra = None
    node.seq = s = next_seq()
    if not s & _PARK_MASK:
        park_graph()
    t = _new(_Result)
    t._data = out
    t._rg = True
    t._node = node
    t._grad = None
    t._name = None
    t._hooks = None
    t._why = None
    t._tan = None
    return t


def apply2(op: Op, a: Any, b: Any) -> Any:
    """``apply(op, (a, b))`` for a two-input op without attributes (the operators).

    The usual case (plain Tensors and numbers, no tangents, no Variables, no hooks
    watching the recording) is written out here without apply's loops; everything
    else goes to :func:`apply`, so both give the same Tensor and the same Node.
    """
    if isinstance(a, TensorBase):
        if a._tan is not None or a._capturable:
            return apply(op, (a, b))
        da = a._data
        ra = a._rg
    else:
        da = a
        ra = False
    if isinstance(b, TensorBase):
        if b._tan is not None or b._capturable:
            return apply(op, (a, b))
        db = b._data
        rb = b._rg
    else:
        db = b
        rb = False
    if not (ra or rb) or not STATE.enabled or op.vjp is None or RECORD_HOOKS:
        return apply(op, (a, b))
    try:
        out = op.forward(da, db)
    except (ValueError, TypeError, IndexError, ArithmeticError) as err:
        raise _forward_error(op, (a, b), _NOATTRS, err) from None
    needs = (1 if ra else 0) | (2 if rb else 0)
    drop = op.drop.get(needs)
    if drop is None:
        drop = op_drop(op, needs)
    node = _new(Node)
    node.op = op
    node.attrs = _NOATTRS
    node.parents = (
        ((a if a._node is None else a._node) if ra else None),
        ((b if b._node is None else b._node) if rb else None),
    )
    if not drop:
        node.saved = (da, db)
    elif op.meta:
        node.saved = tuple(_kept([da, db], drop, True))
    elif len(drop) == 2:
        node.saved = _NONE2  # (add, subtract: nothing to keep, one shared tuple)
    else:
        node.saved = (None if 0 in drop else da, None if 1 in drop else db)
    node.out = out if op.save_out else None
    node.shape = out.shape
    node.dtype = out.dtype
    node.extra = None
    node.seq = s = next_seq()
    if not s & _PARK_MASK:
        park_graph()
    t = _new(_Result)
    t._data = out
    t._rg = True
    t._node = node
    t._grad = None
    t._name = None
    t._hooks = None
    t._why = None
    t._tan = None
    return t


def apply_num(op: Op, t: Any, c: Any, right: bool) -> Any:
    """:func:`apply2` for a Tensor and a Python number (``x * 2.0``; ``3 - x`` when
    ``right``), the scalar chains' usual op, written out shorter; anything unusual goes
    to :func:`apply2`, which makes the same Tensor and Node."""
    if (
        t.__class__ is not _Result
        or not t._rg
        or t._tan is not None
        or t._capturable
        or not STATE.enabled
        or op.vjp is None
        or op.meta
        or RECORD_HOOKS
    ):
        return apply2(op, c, t) if right else apply2(op, t, c)
    d = t._data
    try:
        out = op.forward(c, d) if right else op.forward(d, c)
    except (ValueError, TypeError, IndexError, ArithmeticError) as err:
        raise _forward_error(op, (c, t) if right else (t, c), _NOATTRS, err) from None
    p: Any = t._node
    if p is None:
        p = t
    node = _new(Node)
    node.op = op
    node.attrs = _NOATTRS
    if right:
        node.parents = (None, p)
        drop = op.drop.get(2)
        if drop is None:
            drop = op_drop(op, 2)
    else:
        node.parents = (p, None)
        drop = op.drop.get(1)
        if drop is None:
            drop = op_drop(op, 1)
    if len(drop) == 2:
        node.saved = _NONE2
    elif right:
        node.saved = (None if 0 in drop else c, None if 1 in drop else d)
    else:
        node.saved = (None if 0 in drop else d, None if 1 in drop else c)
    node.out = out if op.save_out else None
    node.shape = out.shape
    node.dtype = out.dtype
    node.extra = None
    node.seq = s = next_seq()
    if not s & _PARK_MASK:
        park_graph()
    r = _new(_Result)
    r._data = out
    r._rg = True
    r._node = node
    r._grad = None
    r._name = None
    r._hooks = None
    r._why = None
    r._tan = None
    return r


def _kept(arrays: list, drop: tuple, meta: bool) -> list:
    """``arrays`` with the inputs backward will not read dropped (shape-only ops keep
    their shape and dtype, as a Meta)."""
    for j in drop:
        if meta:
            a = arrays[j]
            arrays[j] = Meta(a.shape, a.dtype) if hasattr(a, "shape") else None
        else:
            arrays[j] = None
    return arrays


# ------------------------------------------------------------------ the cyclic GC
# Every recorded op leaves a Node and its parents tuple tracked by CPython's cyclic
# GC, and each full collection walks them all: on a graph of 1e6 ops that was a
# quarter of the time, and the cost per op grew with the graph (cache misses).  The
# graph holds no reference cycles (it is freed by reference counting alone), so every
# 4096 recorded ops the objects alive then are moved out of the collector's sight
# (``gc.freeze``, which costs O(1)); backward gives them back (``gc.unfreeze``) once it
# has freed the graph.  A user's cyclic garbage frozen with them is still collected:
# whenever the frozen objects have doubled since the last time, everything is handed
# back and collected once (amortised O(1) per op, as CPython's own rule for full
# collections).  Nothing is done when the user froze objects or turned the GC off.
_PARK_MASK = (1 << 12) - 1
_GC = {"frozen": False, "off": False, "collect_at": 1 << 20}


def park_graph() -> None:
    """Keep the recorded graph out of full collections (called every 4096 nodes)."""
    if _GC["off"] or not gc.isenabled():
        return
    if _GC["frozen"]:
        seq = next_seq()
        if seq > _GC["collect_at"]:
            gc.unfreeze()
            gc.collect()
            _GC["collect_at"] = seq + max(1 << 20, len(gc.get_objects()))
    elif gc.get_freeze_count():  # (it walks the frozen list: only when none is ours)
        _GC["off"] = True  # the user freezes objects: leave the collector alone
        return
    gc.freeze()
    _GC["frozen"] = True


def unpark_graph() -> None:
    """Give frozen objects back to the collector (after backward freed a graph)."""
    if _GC["frozen"]:
        _GC["frozen"] = False
        gc.unfreeze()


def op_drop(op: Op, needs: int) -> tuple:
    """Indices of inputs the op's backward will not read, given which inputs need grads."""
    d = op.drop.get(needs)
    if d is None:
        if op.saves is None:  # variadic rules may read everything
            d = ()
        else:
            keep: set[int] = set()
            for i, s in enumerate(op.saves):
                if needs >> i & 1:
                    keep.update(s)
            d = tuple(j for j in range(len(op.saves)) if j not in keep)
        op.drop[needs] = d
    return d


class _LeafRefs(set):
    """Weak references to tensors, each gone with its tensor (a WeakSet whose truth
    test is C's: the engine asks it once per backward)."""

    def add(self, t: Any) -> None:
        set.add(self, weakref.ref(t, self.discard))


#: Leaf tensors that have had gradient hooks (they are run as soon as the leaf's gradient
#: is complete, which needs the consumer counts of the engine's general walk).
HOOKED_LEAVES: set = _LeafRefs()


# ------------------------------------------------------------------ in-place changes
# PyTorch's version counters, kept per buffer: every in-place change made through
# compgraph (in-place operators, ``t[i] = v``, ``p.data += ...``, optimiser steps) notes
# the buffer's root and the time (a node sequence number).  Backward then refuses a
# node whose saved values were changed after it was recorded, instead of computing a
# silently wrong gradient.  Nothing is kept per node, so recording costs nothing more.
MUTATED: dict[int, tuple[Any, int]] = {}
#: The time (sequence number) of the latest change noted: a node recorded after it
#: cannot have had a saved buffer changed since, and backward skips its check (in a
#: training loop the optimiser's step comes before the next forward records anything).
MUTATED_LAST: list[int] = [0]
_MUTATED_PRUNE = 4096


def buffer_root(a: Any) -> Any:
    """The array that owns the memory of ``a`` (views share their base's changes)."""
    while isinstance(getattr(a, "base", None), np.ndarray):
        a = a.base
    return a


def mark_mutated(a: Any) -> None:
    """Note that the buffer of ``a`` (an ndarray or a tensor) was changed in place now."""
    if isinstance(a, TensorBase):
        a = a._data
    if type(a) is not np.ndarray:
        return  # NumPy scalars are immutable: a change rebinds them
    root = buffer_root(a)
    if len(MUTATED) >= _MUTATED_PRUNE:
        for k in [k for k, (ref, _) in MUTATED.items() if ref() is None]:
            del MUTATED[k]
    MUTATED[id(root)] = (weakref.ref(root), s := next_seq())
    MUTATED_LAST[0] = s


def check_unchanged(n: Node) -> None:
    """Raise if a value node ``n``'s backward reads was changed in place after ``n`` was
    recorded (only called while some change was noted)."""
    values = list(n.saved or ()) + [n.out]
    for i, a in enumerate(values):
        if isinstance(a, TensorBase):
            a = a._data
        if type(a) is not np.ndarray:
            continue
        root = buffer_root(a)
        hit = MUTATED.get(id(root))
        if hit is not None and hit[0]() is root and hit[1] > n.seq:
            what = "its output" if i == len(values) - 1 else f"its input {i}"
            raise RuntimeError(
                f"one of the values needed to compute gradients was modified by an in-place "
                f"operation: {what} of '{n.op.label}' (an array of shape {a.shape}, "
                f"{a.dtype}) was changed after '{n.op.label}' used it, so the gradient "
                f"would be wrong. Change a copy instead (y = x + 1, not x += 1), or do the "
                f"in-place update after backward()"
            )


def wrap(data: Any, node: Node | None = None, rg: bool = False) -> Any:
    """A Tensor holding ``data`` (at ``node``'s place in the graph when given)."""
    # The same assignments as the constructors', inline: this runs for every gradient.
    t = _new(_Result)
    t._data = data
    t._rg = rg
    t._node = node
    t._grad = None
    t._name = None
    t._hooks = None
    t._why = None
    t._tan = None
    return t


def _tensor_apply(op: Op, inputs: tuple, attrs: dict) -> Any:
    return apply(op, inputs, attrs)


#: The Tensor namespace: rules run here when ``create_graph=True`` (recorded, so higher order).
TENSOR = Namespace("tensor", _tensor_apply)


# ------------------------------------------------------------------ forward-mode tangents
# A tensor may carry tangents in ``_tan``, a dict from *level* to tangent tensor; each
# jvp opens a new level, so nested forward modes never confuse their perturbations.
_IDENTITY = OPS["identity"]


def view(a: Any) -> Any:
    """The same value at the same place in the reverse graph, without tangents."""
    if a._rg and a._node is None:
        # A new leaf would steal the gradient; an identity node routes it to `a`.
        node = new_node(_IDENTITY, {}, (a,), (None,), None, a._data.shape, a._data.dtype)
        v = wrap(a._data, node, True)
        for hook in RECORD_HOOKS:  # linearize must see the step from `a` to its view
            hook(_IDENTITY, (a,), {}, v)
        return v
    return wrap(a._data, a._node, a._rg)


def below(a: Any, level: int) -> Any:
    """``a`` keeping only the tangents of levels lower than ``level``."""
    if not isinstance(a, TensorBase) or a._tan is None:
        return a
    if all(k < level for k in a._tan):
        return a
    v = view(a)
    keep = {k: t for k, t in a._tan.items() if k < level}
    v._tan = keep or None
    return v


def zeros_like_value(p: Any) -> Any:
    """Zeros shaped like a value (tensor, array or number)."""
    d = p._data if isinstance(p, TensorBase) else p
    return np.zeros(np.shape(d), np.result_type(d))


def rule_sum(
    ns: Any, op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Any, attrs: dict
) -> Any:
    """Sum of the op's JVP contributions in namespace ``ns`` (None: zero tangent)."""
    if op.vjp is None:
        return None  # not differentiable: a zero tangent
    jvp = op.jvp
    if jvp is None:
        if not op.linear:
            raise TypeError(
                f"{op.label}: forward mode (jvp, jacfwd, hessian) needs a JVP "
                f"rule, and this op has only a VJP rule"
            )
        ts = [t if t is not None else zeros_like_value(p) for p, t in zip(prims, tins)]
        return getattr(ns, op.name)(*ts, **attrs)
    if callable(jvp):  # one rule for every input (user-defined ops)
        return jvp(ns, tins, out, prims, **attrs)
    total = None
    for i, t in enumerate(tins):
        rule = jvp[i]
        if t is None or rule is None:
            continue
        c = rule(ns, t, out, *prims, **attrs)
        total = c if total is None else total + c
    return total


def jvp_level(op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Any, attrs: dict) -> Any:
    """The output tangent of ``op`` given input tangents (None means zero), as a Tensor."""
    total = rule_sum(TENSOR, op, prims, tins, out, attrs)
    if total is None:
        return None
    if not isinstance(total, TensorBase):
        total = wrap(total)
    if total.shape != out.shape:
        total = TENSOR.broadcast_to(total, shape=out.shape)
    if total.dtype != out.dtype:
        total = TENSOR.astype(total, dtype=out.dtype)
    return total


def push_tangents(op: Op, args: Sequence[Any], attrs: dict, t: Any) -> None:
    """Give ``t`` (the output of ``op`` on ``args``) its tangents at every level present."""
    levels = sorted({k for a in args if isinstance(a, TensorBase) and a._tan for k in a._tan})
    out = wrap(t._data, t._node, t._rg)
    tans: dict = {}
    for level in levels:
        prims = [below(a, level) for a in args]
        tins = [a._tan.get(level) if isinstance(a, TensorBase) and a._tan else None for a in args]
        out._tan = dict(tans) or None
        tt = jvp_level(op, prims, tins, out, attrs)
        if tt is not None:
            tans[level] = tt
    t._tan = tans or None
