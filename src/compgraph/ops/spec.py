"""The vocabulary of an op declaration: how each front end reaches and treats the op.

A primitive is declared once, with :func:`compgraph.ops.registry.defop`; besides its
forward and derivative rules the declaration says, with the small records below,

* which public names, Tensor methods, Python operators and NumPy functions reach it
  and whether the command line may call it (:class:`Method`; ``names=``,
  ``method=``, ``symbol=``, ``numpy=``, ``cli=``),
* how compiled code spells it (:class:`Codegen`),
* how it is exported to ONNX (:class:`Onnx`, or a function of the exporter),
* the algebraic facts the optimiser may use (:class:`Facts`),

and every front end reads these fields; none keeps a table of op names.  A front end
that cannot reach an op says so on the op with :func:`no` and a reason, which the
registry test reads.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Absent", "no", "Method", "Codegen", "Onnx", "Facts", "is_absent", "same_meta"]


class Absent:
    """A front end that does not reach the op, and why (``no("reason")``)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str):
        if not isinstance(reason, str) or not reason.strip():
            raise ValueError("no(): give the reason the front end does not reach this op")
        self.reason = reason

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"no({self.reason!r})"


def no(reason: str) -> Absent:
    """Mark a front end as not reaching an op, with the reason (read by the registry test)."""
    return Absent(reason)


def is_absent(v: Any) -> bool:
    """True for a ``no(...)`` marker."""
    return isinstance(v, Absent)


class Method:
    """A method (or property) of Tensors and static-graph values that calls the op's
    public function with the value first.

    ``adapt(self, *args, **kwargs) -> (args, kwargs)`` turns the method's arguments
    into the public function's (``t.reshape(2, 3)`` -> ``reshape(t, (2, 3))``).
    """

    __slots__ = ("name", "adapt", "prop")

    def __init__(self, name: str, adapt: Callable | None = None, prop: bool = False):
        self.name = name
        self.adapt = adapt
        self.prop = prop

    def __repr__(self) -> str:
        return f"Method({self.name!r})"


class Codegen:
    """How compiled static graphs spell the op.

    ``expr``: a Python expression over the operands ``{0}``, ``{1}`` ... and attributes
    ``{axis}`` ... (or a callable ``expr(node) -> str | None`` choosing one from the
    node's shapes); None calls the op's forward.  ``names``: globals the expression
    uses.  ``fresh``: the result is always a new array, never a view of an operand.
    ``out``: a function taking ``out=`` that computes the op into a dying operand's
    buffer; ``out_operands``: which operands may be reused that way (None: any of the
    result's shape and dtype).  ``floats``: the expression, run on Python floats, gives
    the bits NumPy's float64 gives, or raises (ZeroDivisionError, OverflowError) or
    leaves the floats (a complex power) where NumPy would warn: compiled scalar graphs of
    such ops also get a Python-float version of their code.
    """

    __slots__ = ("expr", "names", "fresh", "out", "out_operands", "floats")

    def __init__(
        self,
        expr: str | Callable | None = None,
        names: dict | None = None,
        fresh: bool | None = None,
        out: Callable | None = None,
        out_operands: tuple | None = None,
        floats: bool = False,
    ):
        self.expr = expr
        self.names = dict(names or {})
        self.fresh = fresh
        self.out = out
        self.out_operands = out_operands
        self.floats = floats


class Onnx:
    """The op as ONNX operators.

    ``op``: the ONNX operator that computes it with the same inputs (``"Add"``), or
    ``emit(b, node, ins, out)`` writing nodes through the exporter's builder ``b``.
    ``promote``: ONNX does not promote dtypes, so cast the array operands to the
    result's dtype first (``"operands"``: to the operands' common dtype, for
    comparisons); ``cast_input``: cast the first input to the result's dtype (a sum of
    bools, softplus of ints).
    """

    __slots__ = ("op", "promote", "cast_input", "first")

    def __init__(
        self,
        op: str | Callable,
        promote: bool | str = False,
        cast_input: bool = False,
        first: int = 0,
    ):
        self.op = op
        self.promote = promote
        self.cast_input = cast_input
        self.first = first  # operands before this one are not promoted (where's cond)


class Facts:
    """Algebraic facts the optimiser uses.

    ``unit``: the identity element and on which side (``"both"`` or ``"right"``): x + 0,
    x * 1, x - 0, x / 1, x ** 1.  ``involution``: op(op(x)) == x (negation).
    ``self_zero``: op(x, x) == 0 (subtraction).  ``negated_rhs``: ``(neg, other)``: op(x,
    neg(y)) is other(x, y) (``x + -y`` -> ``x - y``).  ``nonnegative``: the result
    is never negative (so log then exp gives it back).  ``inverse_of``: op(other(x)) == x
    where x is nonnegative (``exp(log(x))``).  ``noop``: ``noop(node, same) -> bool``:
    the node returns its first input unchanged (``same``: the node's shape and dtype are
    known and equal to its first input's; :func:`same_meta` is the common case).
    ``fill``: the result is this number everywhere, whatever the input's values (so it
    folds to a constant once the shape is known).
    """

    __slots__ = (
        "unit",
        "involution",
        "self_zero",
        "negated_rhs",
        "nonnegative",
        "inverse_of",
        "noop",
        "fill",
    )

    def __init__(
        self,
        unit: tuple | None = None,
        involution: bool = False,
        self_zero: bool = False,
        negated_rhs: tuple | None = None,
        nonnegative: bool = False,
        inverse_of: str | None = None,
        noop: Callable | None = None,
        fill: float | None = None,
    ):
        self.unit = unit
        self.involution = involution
        self.self_zero = self_zero
        self.negated_rhs = negated_rhs
        self.nonnegative = nonnegative
        self.inverse_of = inverse_of
        self.noop = noop
        self.fill = fill


def same_meta(node: Any, same: bool) -> bool:
    """The ``noop`` fact of ops that change nothing when shape and dtype stay the same
    (reshape, broadcast_to, astype, sum_to ...)."""
    return same
