"""Any optimisation passes. Each takes a Any and returns a new, equivalent one.

- :func:`dead_code_elimination` keeps only what the kept nodes need (and the inputs).
- :func:`common_subexpression_elimination` merges nodes with the same op, inputs,
  attributes (and equal constants).  Exact.
- :func:`constant_folding` evaluates nodes whose inputs are all constants.  Exact:
  the same NumPy call, made once; and cheap: Python-int arithmetic (exact, unbounded)
  is folded only while it fits in 64 bits (``2 ** 10**12`` is left to run time).
- :func:`algebraic_simplification` rewrites ``x*1``, ``x/1``, ``x+(-0.0)``, ``x-0``,
  ``--x``, ``x**1``, no-op reshapes/transposes/casts/sums, ``x+(-y)`` to ``x-y`` and
  ``x-x`` to zeros for integers, and ``exp(log(x))`` to ``x`` where ``x`` is provably
  positive (equal up to rounding).  Every identity an op declares is used only where it is exact for
  IEEE arithmetic: the op is first run on the values where algebra and floating point
  part (``inf``, ``-inf``, ``nan``, ``-0.0``, ``0.0`` ...) in the node's dtype, and must
  give what the unoptimised graph gives, bit for bit (so ``x + 0`` stays: it turns
  ``-0.0`` into ``0.0``; ``x - x`` of floats stays: it is ``nan`` for ``inf``).  Every
  rewrite keeps the result's shape and dtype: it applies only when they are known and
  unchanged.
- :func:`specialize` re-infers every shape and dtype for given input shapes/dtypes.

Inputs, and the nodes named in ``keep`` (default: nodes no other node consumes),
keep their names, so ``new[old.name]`` finds them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

import numpy as np

from ..ops.elementwise import IDENTITY, MULTIPLY, POWER
from ..ops.linalg import MATMUL
from ..ops.meta import Meta, infer
from ..ops.reduce import ZEROS_LIKE
from ..ops.registry import OPS, Op
from ..ops.shape import TRANSPOSE
from .ir import Symbol, is_scalar

__all__ = [
    "optimize",
    "dead_code_elimination",
    "common_subexpression_elimination",
    "constant_folding",
    "algebraic_simplification",
    "specialize",
    "rebuild",
]

Rewrite = Callable[[Symbol, list, Any], "Symbol | None"]


def _keep_list(graph: Any, keep: Sequence[Any] | None) -> list[Symbol]:
    if keep is None:
        return graph.outputs()
    if isinstance(keep, (str, Symbol)):
        keep = [keep]
    return [graph._node(k, "optimize") for k in keep]


def _copy(n: Symbol, ins: list, new: Any) -> Symbol:
    name = n.name if n.name not in new._by_name else None
    return new._add(
        n.op,
        ins,
        dict(n.attrs),
        n.shape,
        n.dtype,
        name=name,
        value=n.value,
        source=n.source,
        opdef=n.opdef,
    )


def rebuild(
    graph: Any,
    keep: list[Symbol],
    rewrite: Rewrite | None,
    only: set | None = None,
    input_meta: dict | None = None,
) -> Any:
    """Copy ``graph`` node by node, letting ``rewrite`` replace nodes; keep kept names."""
    new = type(graph)()
    new._reserved = {n.name for n in graph.nodes}
    new._count = graph._count
    m: dict[int, Symbol] = {}
    for n in graph.nodes:
        if only is not None and id(n) not in only and n.op != "input":
            continue
        if n.op == "input":
            shape, dtype = n.shape, n.dtype
            if input_meta and n.name in input_meta:
                shape, dtype = input_meta[n.name]
            m[id(n)] = new._add("input", (), {}, shape, dtype, name=n.name, source=n.source)
            continue
        ins = [m[id(i)] for i in n.inputs]
        r = rewrite(n, ins, new) if rewrite is not None else None
        m[id(n)] = r if r is not None else _copy(n, ins, new)
    for k in keep:
        r = m[id(k)]
        if r.name != k.name and k.name not in new._by_name:
            # The kept node was replaced by another: give its name to an alias.
            new._add(IDENTITY.name, (r,), {}, r.shape, r.dtype, name=k.name, source=k.source)
    return new


def dead_code_elimination(graph: Any, keep: Sequence[Any] | None = None) -> Any:
    """Drop every node the kept nodes do not need (inputs always stay)."""
    kept = _keep_list(graph, keep)
    needed = {id(n) for n in graph.needed(kept)}
    return rebuild(graph, kept, None, only=needed)


def _hashable(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return ("nd", v.dtype.str, v.shape, v.tobytes())
    if isinstance(v, np.generic):
        return ("np", v.dtype.str, v.tobytes())
    if isinstance(v, float):
        return ("f", repr(v))  # tells 0.0 from -0.0, and nan equals nan here
    if isinstance(v, slice):
        return ("slice", _hashable(v.start), _hashable(v.stop), _hashable(v.step))
    if isinstance(v, (tuple, list)):
        return (type(v).__name__,) + tuple(_hashable(x) for x in v)
    if isinstance(v, dict):
        return ("dict",) + tuple((k, _hashable(x)) for k, x in sorted(v.items()))
    if isinstance(v, np.dtype):
        return ("dtype", v.str)
    return (type(v).__name__, v)


def _cse_rule() -> Rewrite:
    seen: dict = {}

    def rewrite(n: Symbol, ins: list, new: Any) -> Symbol | None:
        if n.op == "constant":
            key: tuple = ("constant", _hashable(n.value))
        else:
            key = (n.op, tuple(id(i) for i in ins), _hashable(n.attrs))
        hit = seen.get(key)
        if hit is not None:
            return hit
        r = _copy(n, ins, new)
        seen[key] = r
        return r

    return rewrite


def common_subexpression_elimination(graph: Any, keep: Sequence[Any] | None = None) -> Any:
    """Merge nodes computing the same thing from the same inputs (and equal constants)."""
    return rebuild(graph, _keep_list(graph, keep), _cse_rule())


_FOLD_LIMIT = 1 << 16  # elements: folding must not write huge arrays into the graph
# Python ints are exact and unbounded: 2 ** 10**12 would take hours and all memory.
# Folding runs Python-int arithmetic only while operands and result fit in 64 bits.
_INT_BITS = 63


def _int_bits(op: str, values: list) -> int:
    """An upper bound on the bits of ``op``'s result on these Python ints (0: no
    Python-int arithmetic happens)."""
    ints = [v for v in values if type(v) is int]
    if not ints:
        return 0
    bits = max(abs(v).bit_length() for v in ints)
    if len(ints) == len(values) == 2:
        a, b = ints
        if op == POWER.name and b > 0 and abs(a) > 1:
            return abs(a).bit_length() * b  # (b itself is at most 63 bits here)
        if op == MULTIPLY.name:
            return abs(a).bit_length() + abs(b).bit_length()
    return bits


def _cheap(n: Symbol, values: list) -> bool:
    """Whether running ``n`` on these constant values is cheap enough to do now."""
    if any(type(v) is int and abs(v).bit_length() > _INT_BITS for v in values):
        return False  # (a bound checked first, so _int_bits multiplies small numbers)
    return _int_bits(n.op, values) <= _INT_BITS


def _fold_rule(n: Symbol, ins: list, new: Any) -> Symbol | None:
    op = n.opdef
    fill = op.facts.fill if op is not None else None
    if fill is not None and n.size is not None and n.size <= _FOLD_LIMIT and n.dtype is not None:
        # The value depends only on the (known) shape and dtype.
        name = n.name if n.name not in new._by_name else None
        shape = cast(tuple, n.shape)  # known: n.size is not None
        return new.constant(np.full(shape, fill, n.dtype), name=name)
    if not ins or any(i.op != "constant" for i in ins):
        return None
    if n.size is not None and n.size > _FOLD_LIMIT:
        return None
    if op is None:  # no declared op to run (inputs and constants have no operands)
        return None
    if not _cheap(n, [i.value for i in ins]):
        return None  # left to run time, where it computes (or fails) as unoptimised
    try:
        with np.errstate(all="ignore"):
            value = op.forward(*[i.value for i in ins], **n.attrs)
    except Exception:  # leave it to fail (with a good message) when it runs
        return None
    if not is_scalar(value):
        value = np.array(value)
    name = n.name if n.name not in new._by_name else None
    c = new.constant(value, name=name)
    c.source = n.source
    return c


def constant_folding(graph: Any, keep: Sequence[Any] | None = None) -> Any:
    """Replace nodes whose inputs are all constants by their (exact) value."""
    return rebuild(graph, _keep_list(graph, keep), _fold_rule)


def _is_const(n: Symbol, v: float) -> bool:
    if n.op != "constant":
        return False
    val = n.value
    if is_scalar(val):
        return val == v and not isinstance(val, bool)
    return val.size > 0 and bool(np.all(val == v))


def _same(a: Symbol, b: Symbol) -> bool:
    """Known, equal shapes and dtypes (so replacing b by a changes nothing)."""
    return (
        a.shape is not None
        and b.shape is not None
        and a.shape == b.shape
        and None not in a.shape
        and a.dtype is not None
        and a.dtype == b.dtype
    )


def _nonnegative(x: Symbol) -> bool:
    if x.op == "constant":
        return bool(np.all(np.asarray(x.value) > 0))
    return x.opdef is not None and x.opdef.facts.nonnegative


def _probes(dtype: Any) -> np.ndarray | None:
    """Values of ``dtype`` where floating point and algebra part ways (None: unknown)."""
    if dtype is None:
        return None
    dt = np.dtype(dtype)
    special = [np.inf, -np.inf, np.nan, -0.0, 0.0, 1.5, -2.5]
    if dt.kind == "f":
        return np.array(special, dt)
    if dt.kind == "c":
        return np.array([complex(a, b) for a in special for b in special], dt)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return np.array(sorted({0, 1, 2, int(info.max), int(info.min), max(int(info.min), -1)}), dt)
    if dt.kind == "b":
        return np.array([False, True])
    return None


def _identical(a: Any, b: Any) -> bool:
    """Same dtype, shape and values, bit for bit but for a nan's payload: -0.0 is not
    0.0, and a nan's sign counts (``x + -y`` and ``x - y`` differ there)."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "c":
        return _identical(a.real, b.real) and _identical(a.imag, b.imag)
    if a.dtype.kind != "f":
        return bool(np.array_equal(a, b))
    return bool(
        np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))
    )


def _holds(check: Callable[[], tuple]) -> bool:
    """Whether ``check() -> (rewritten, unoptimised)`` gives identical values (an
    error, as for a dtype the op refuses, means the identity is not used)."""
    try:
        with np.errstate(all="ignore"):
            got, want = check()
        return _identical(got, want)
    except Exception:
        return False


def _uniform(value: Any) -> Any:
    """The one value every element of a constant has (bit for bit), or None."""
    if is_scalar(value):
        return value
    first = value.flat[0]
    return first if _identical(value, np.full_like(value, first)) else None


def _unit_holds(op: Op, k: int, value: Any, dtype: Any) -> bool:
    """``op(x, u) == x`` (``u`` on the other side of ``x``'s position ``k``) for every
    hard value ``x`` of ``dtype``."""
    p, u = _probes(dtype), _uniform(value)
    if p is None or u is None:
        return False
    return _holds(lambda: (op.forward(*((p, u) if k == 0 else (u, p))), p))


def _self_zero_holds(op: Op, dtype: Any) -> bool:
    """``op(x, x) == 0`` for every hard value of ``dtype`` (integers; not inf or nan)."""
    p = _probes(dtype)
    return p is not None and _holds(lambda: (np.zeros_like(p), op.forward(p, p)))


def _negated_rhs_holds(op: Op, neg: Op, other: Op, dtype: Any) -> bool:
    """``op(x, neg(y)) == other(x, y)`` for every pair of hard values of ``dtype``."""
    p = _probes(dtype)
    if p is None:
        return False
    x, y = np.repeat(p, len(p)), np.tile(p, len(p))
    return _holds(lambda: (other.forward(x, y), op.forward(x, neg.forward(y))))


def _inverse_holds(op: Op, inner: Op, x: Symbol) -> bool:
    """``op(inner(v)) == v`` wherever a value ``v`` that ``x`` can take is infinite, nan
    or zero (elsewhere the two differ by rounding, as documented)."""
    if x.op == "constant":
        v = np.asarray(x.value)
    elif x.opdef is not None and len(x.inputs) == 1:
        p = _probes(x.inputs[0].dtype)
        if p is None:
            return False
        with np.errstate(all="ignore"):
            v = np.asarray(x.opdef.forward(p, **x.attrs))
    else:
        return False
    edge = ~np.isfinite(v) | (v == 0)
    return _holds(lambda: (v[edge], np.asarray(op.forward(inner.forward(v)))[edge]))


def _unit_rule(op: Op, fact: tuple, n: Symbol, ins: list) -> Symbol | None:
    """``x op unit`` -> ``x`` where that is exact (x * 1, x - 0, x + -0.0 ...)."""
    unit, side = fact
    for k in (0, 1) if side == "both" else (0,):
        x, other = ins[k], ins[1 - k]
        if _is_const(other, unit) and _same(x, n) and _unit_holds(op, k, other.value, x.dtype):
            return x
    return None


def _simplify_rule(n: Symbol, ins: list, new: Any) -> Symbol | None:
    """The algebraic facts each op declares (see :class:`compgraph.ops.spec.Facts`),
    each used only where it is exact (see the module docstring)."""
    op = n.opdef
    if op is None:
        return None
    f = op.facts
    if f.unit is not None and len(ins) == 2:
        r = _unit_rule(op, f.unit, n, ins)
        if r is not None:
            return r
    if (
        f.self_zero
        and len(ins) == 2
        and ins[0] is ins[1]
        and _same(ins[0], n)
        and _self_zero_holds(op, n.dtype)
    ):
        return new._add(ZEROS_LIKE.name, (ins[0],), {}, n.shape, n.dtype, source=n.source)
    if f.involution and ins[0].op == n.op:
        return ins[0].inputs[0]  # -(-x) flips the sign bit twice: exact, nan and -0.0 too
    if (
        f.negated_rhs is not None
        and len(ins) == 2
        and ins[1].op == f.negated_rhs[0]
        and _same(ins[0], n)
        and _same(ins[1], n)
        and ins[1].opdef is not None
        and f.negated_rhs[1] in OPS
        and _negated_rhs_holds(op, ins[1].opdef, OPS[f.negated_rhs[1]], n.dtype)
    ):
        # x + (-y) is exactly x - y: one op instead of two.
        return new._add(
            f.negated_rhs[1], (ins[0], ins[1].inputs[0]), {}, n.shape, n.dtype, source=n.source
        )
    if f.inverse_of is not None and ins[0].op == f.inverse_of and ins[0].opdef is not None:
        x = ins[0].inputs[0]
        if _nonnegative(x) and _same(x, n) and _inverse_holds(op, ins[0].opdef, x):
            return x
    if f.noop is not None and ins and f.noop(n, _same(ins[0], n)):
        return ins[0]
    return None


def algebraic_simplification(graph: Any, keep: Sequence[Any] | None = None) -> Any:
    """Identities that keep shape and dtype: see the module docstring."""
    return rebuild(graph, _keep_list(graph, keep), _simplify_rule)


def specialize(graph: Any, input_meta: dict[str, tuple], keep: Sequence[Any] | None = None) -> Any:
    """A copy with the given input shapes/dtypes and every other node's re-inferred."""
    kept = _keep_list(graph, keep)

    def rewrite(n: Symbol, ins: list, new: Any) -> Symbol | None:
        if n.op == "constant":
            return None
        metas = [
            i.value if i.op == "constant" and is_scalar(i.value) else Meta(i.shape, i.dtype)
            for i in ins
        ]
        shape, dtype = infer(n.opdef, metas, n.attrs)
        name = n.name if n.name not in new._by_name else None
        return new._add(
            n.op, ins, dict(n.attrs), shape, dtype, name=name, source=n.source, opdef=n.opdef
        )

    return rebuild(graph, kept, rewrite, input_meta=input_meta)


PASSES = (
    algebraic_simplification,
    constant_folding,
    common_subexpression_elimination,
    dead_code_elimination,
)


def _layout_rule(uses: dict) -> Rewrite:
    """transpose(a @ b) -> b.T @ a.T for 2-D operands used once: the product then comes
    out contiguous (gradients of ``x @ W.T`` layers), which later elementwise work and
    in-place updates read faster.  Not bit-exact: BLAS may sum in another order."""

    def rewrite(n: Symbol, ins: list, new: Any) -> Symbol | None:
        if n.op != TRANSPOSE.name or uses.get(id(n.inputs[0]), 0) != 1:
            return None
        m = ins[0]
        if m.op != MATMUL.name or m.shape is None or len(m.shape) != 2:
            return None
        a, b = m.inputs
        if a.ndim != 2 or b.ndim != 2 or tuple(n.attrs.get("axes") or (1, 0)) != (1, 0):
            return None
        bt = new._add(
            TRANSPOSE.name, (b,), {"axes": (1, 0)}, b.shape[::-1], b.dtype, source=n.source
        )
        at = new._add(
            TRANSPOSE.name, (a,), {"axes": (1, 0)}, a.shape[::-1], a.dtype, source=n.source
        )
        return new._add(MATMUL.name, (bt, at), {}, n.shape, n.dtype, source=n.source)

    return rewrite


def _scale_rule(uses: dict) -> Rewrite:
    """c * (a @ b) -> (c * a) @ b, scaling whichever operand is smaller than the product,
    for a Python-number c and a product used only here: SGD's ``lr * (g.T @ h)`` then
    scales the batch-sized gradient instead of the weight-sized product.  Not
    bit-exact (the rounding of the scaling moves into the sums)."""

    def rewrite(n: Symbol, ins: list, new: Any) -> Symbol | None:
        if n.op != MULTIPLY.name or len(ins) != 2:
            return None
        for k in (0, 1):
            c, m = ins[k], ins[1 - k]
            if (
                c.op == "constant"
                and is_scalar(c.value)
                and not isinstance(c.value, bool)
                and m.op == MATMUL.name
                and uses.get(id(n.inputs[1 - k]), 0) == 1
            ):
                break
        else:
            return None
        a, b = m.inputs
        if (
            m.shape is None
            or None in m.shape
            or a.shape is None
            or None in a.shape
            or b.shape is None
            or None in b.shape
            or m.dtype != n.dtype
        ):
            return None
        size = int(np.prod(m.shape))
        small = 0 if np.prod(a.shape) <= np.prod(b.shape) else 1
        op = (a, b)[small]
        if np.prod(op.shape) >= size or op.dtype is None:
            return None
        scaled = new._add(
            MULTIPLY.name,
            (c, op) if k == 0 else (op, c),
            {},
            op.shape,
            infer(MULTIPLY, (c.value, Meta(op.shape, op.dtype)), {})[1],
            source=n.source,
        )
        pair = (scaled, b) if small == 0 else (a, scaled)
        # The product takes the multiply's name: a kept output needs no alias node.
        name = n.name if n.name not in new._by_name else None
        return new._add(MATMUL.name, pair, {}, n.shape, n.dtype, name=name, source=n.source)

    return rewrite


def _known(*nodes: Symbol) -> bool:
    return all(n.shape is not None and None not in n.shape for n in nodes)


def _structure(g: Any) -> tuple:
    index = {id(n): k for k, n in enumerate(g.nodes)}
    return tuple((n.op, tuple(index[id(i)] for i in n.inputs)) for n in g.nodes)


def optimize(graph: Any, keep: Sequence[Any] | None = None) -> Any:
    """Every pass, to a fixed point; never larger than ``graph``.

    One sweep applies simplification, folding and CSE to each node in graph order
    (so a rewrite sees its inputs already rewritten), then dead code goes; sweeps
    repeat while the graph still changes.
    """
    kept = _keep_list(graph, keep)
    names = [k.name for k in kept]

    def sweep(g: Any) -> Any:
        cse = _cse_rule()
        uses: dict = {}
        for node in g.nodes:
            for i in node.inputs:
                uses[id(i)] = uses.get(id(i), 0) + 1
        layout = _layout_rule(uses)
        scale = _scale_rule(uses)

        def rule(n: Symbol, ins: list, new: Any) -> Symbol | None:
            r = _simplify_rule(n, ins, new)
            if r is None:
                r = _fold_rule(n, ins, new)
            if r is None:
                r = layout(n, ins, new)
            if r is None:
                r = scale(n, ins, new)
            return r if r is not None else cse(n, ins, new)

        g = rebuild(g, [g[nm] for nm in names], rule)
        return dead_code_elimination(g, [g[nm] for nm in names])

    g = sweep(graph)
    before = _structure(g)
    for _ in range(4):
        g2 = sweep(g)
        after = _structure(g2)
        g = g2
        if after == before:
            break
        before = after
    if len(g) > len(graph):  # never larger than what we were given
        g = dead_code_elimination(graph, kept)
    return g
