"""``cg.vmap``: JAX's vectorising map, as one batched op per op where the registry can.

``vmap(f)(xs)`` traces ``f`` into a static graph on one example's shapes (as
``cg.function`` does) and runs the graph's equations on the whole batch: an
elementwise op runs once on the stacked operands (they broadcast once the batch axis
leads); an op linear in its one batched operand (sum, reshape, transpose, indexing,
matmul with one batched side ...) runs through its declared ``batch`` rule; any other
op runs once per example and is stacked.  Where ``f`` cannot be traced (Python
control flow on values, NumPy functions called on the values) or gradients must flow
out (inputs or parameters that require grad, an open tape, an enclosing
``grad``/``jit``), ``f`` runs once per example on Tensors and the results are stacked:
the same numbers, differentiable, so every transform composes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .autodiff.recording import TensorBase, wrap
from .autodiff.tree import flatten, unflatten
from .functions import cg
from .grad_mode import OPEN_TAPES, STATE
from .ops.args import SYMBOLIC_TYPES
from .ops.batch import aligned
from .static import Graph, Symbol
from .static.ir import current_graph, evaluate
from .tensor import Tensor

__all__ = ["vmap"]


class _Fallback(Exception):
    """The replay cannot stand for ``f``: run it once per example."""


def _prefix(axes: Any, tree: Any, what: str) -> list:
    """One axis per leaf of ``tree``, from ``axes`` given as a prefix of its structure."""
    if axes is None or isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        return [axes] * len(flatten(tree)[0])
    if isinstance(axes, dict) and isinstance(tree, dict) and set(axes) == set(tree):
        return [a for k in sorted(tree) for a in _prefix(axes[k], tree[k], what)]
    if (
        isinstance(axes, (tuple, list))
        and isinstance(tree, (tuple, list))
        and len(axes) == len(tree)
    ):
        return [a for ax, t in zip(axes, tree) for a in _prefix(ax, t, what)]
    raise ValueError(
        f"vmap {what} specification must be a tree prefix of the corresponding value, got "
        f"specification {axes!r} for value tree {flatten(tree)[1]!r}"
    )


def _ndim(x: Any) -> int:
    return len(x.shape) if hasattr(x, "shape") and x.shape is not None else np.ndim(x)


def _shape(x: Any) -> tuple:
    return tuple(x.shape) if hasattr(x, "shape") and x.shape is not None else np.shape(x)


def _moved(leaf: Any, ax: int, where: str) -> Any:
    """``leaf`` with its mapped axis ``ax`` first."""
    nd = _ndim(leaf)
    if not -nd <= ax < nd:
        raise ValueError(
            f"vmap was requested to map its argument along axis {ax}, which implies that its "
            f"rank should be at least {ax + 1 if ax >= 0 else -ax}, but is only {nd} "
            f"(its shape is {_shape(leaf)}) ({where})"
        )
    ax %= nd
    if ax == 0:
        return leaf
    if isinstance(leaf, TensorBase) or type(leaf) in SYMBOLIC_TYPES:
        return cg.moveaxis(leaf, ax, 0)
    return np.moveaxis(np.asarray(leaf), ax, 0)


def _eager_ok(leaves: Sequence[Any]) -> bool:
    """True where a raw-array replay loses nothing: no gradients, tangents or tapes."""
    if STATE.transform_depth > 0 or OPEN_TAPES.stack:
        return False
    for v in leaves:
        if type(v) in SYMBOLIC_TYPES:
            return False
        if isinstance(v, TensorBase) and ((v._rg and STATE.enabled) or v._tan is not None):
            return False
    return True


class _Trace(Graph):
    """The graph ``vmap`` traces into: a Tensor that carries gradients or tangents into
    it (a parameter that requires grad, outside ``no_grad``) cannot become a constant,
    since the graph's results would not lead back to it."""

    def _as_node(self, v: Any, where: str) -> Symbol:
        if isinstance(v, TensorBase) and ((v._rg and STATE.enabled) or v._tan is not None):
            raise _Fallback(f"{where}: an operand outside the batch carries gradients")
        return super()._as_node(v, where)


def _batched_op(op: Any, prims: list, attrs: dict, out: Any, bat: list, size: int) -> Any:
    """``op`` on operands of which those in ``bat`` carry a leading batch axis (``prims``
    holds the others, and a first example standing for each batched one); ``out`` has
    the unbatched output's shape and dtype."""
    want = (size,) + np.shape(out)
    which = [i for i, b in enumerate(bat) if b is not None]
    res = None
    if op.elementwise:
        r = np.ndim(out)
        res = op.forward(*[p if b is None else aligned(b, r) for p, b in zip(prims, bat)], **attrs)
    elif callable(op.batch) and len(which) == 1:
        # The batch rule pushes tangents of one operand: the batched value itself
        # when the op is linear in that operand and the others are fixed.
        arrays = sum(isinstance(p, np.ndarray) for p in prims)
        if op.multilinear or (op.linear and arrays == 1):
            res = op.batch(op, prims, bat, out, attrs, size)
    if res is None:
        res = np.stack(
            [
                np.asarray(
                    op.forward(*[p if b is None else b[k] for p, b in zip(prims, bat)], **attrs)
                )
                for k in range(size)
            ]
        )
    if np.shape(res) != want:
        raise _Fallback(f"{op.name}: batched shape {np.shape(res)}, expected {want}")
    return res


def _replay(call: Callable, leaves: list, axes: list, size: int) -> tuple[Any, list, list]:
    """Trace ``f`` into a static graph on one example's shapes, then run the graph's
    equations on the whole batch.

    Returns the output structure, its leaves (batched arrays or unbatched values) and
    which of them carry the batch axis."""
    g = _Trace()
    batched: dict = {}
    example = []
    for j, (leaf, ax) in enumerate(zip(leaves, axes)):
        if ax is None:
            example.append(leaf)
            continue
        d = leaf._data if isinstance(leaf, TensorBase) else np.asarray(leaf)
        x = g.input(f"x{j}", shape=d.shape[1:], dtype=d.dtype)
        batched[id(x)] = d
        example.append(x)
    try:
        with current_graph(g):
            out = call(example)
    except Exception as err:  # Python control flow on values, NumPy on a Symbol ...
        raise _Fallback(f"not traceable: {err}") from None
    outs, ospec = flatten(out)
    syms = [o for o in outs if type(o) is Symbol and o.graph is g]
    nodes = g.needed(syms)
    # An intermediate's batch is dropped after its last use: less memory, and NumPy's
    # allocator hands the same pages to the next op (a large fresh buffer costs faults).
    keep = {id(o) for o in syms}
    last = {id(i): k for k, n in enumerate(nodes) for i in n.inputs}
    values: dict = {}
    for k, n in enumerate(nodes):
        if n.op == "input":
            continue
        if n.op == "constant":
            values[id(n)] = n.value
            continue
        bat = [batched.get(id(i)) for i in n.inputs]
        if all(b is None for b in bat):
            values[id(n)] = evaluate(n, [values[id(i)] for i in n.inputs])
            continue
        if n.shape is None or None in n.shape or n.opdef is None:
            raise _Fallback(f"{n.op}: unknown shape")
        prims = [values[id(i)] if b is None else b[0] for i, b in zip(n.inputs, bat)]
        out = np.broadcast_to(np.zeros((), n.dtype), n.shape)
        batched[id(n)] = _batched_op(n.opdef, prims, n.attrs, out, bat, size)
        del bat, prims
        for i in n.inputs:
            if last.get(id(i)) == k and id(i) not in keep:
                batched.pop(id(i), None)
                values.pop(id(i), None)
    results, mapped = [], []
    for o in outs:
        if type(o) is Symbol and o.graph is g:
            b = batched.get(id(o))
            results.append(b if b is not None else np.asarray(values[id(o)]))
            mapped.append(b is not None)
        else:
            results.append(o)
            mapped.append(False)
    return ospec, results, mapped


def _loop(call: Callable, leaves: list, axes: list, size: int):
    """``f`` once per example, outputs stacked (differentiable, any argument kind)."""
    results = []
    for k in range(size):
        ex = [leaf if ax is None else leaf[k] for leaf, ax in zip(leaves, axes)]
        results.append(flatten(call(ex)))
    ospec = results[0][1]
    if any(s != ospec for _, s in results):
        raise ValueError("vmap: the function returned different structures for different examples")
    cols = list(zip(*[r for r, _ in results]))
    return ospec, [cg.stack(list(c)) for c in cols], [True] * len(cols)


def vmap(
    fun: Callable,
    in_axes: Any = 0,
    out_axes: Any = 0,
    axis_name: Any = None,
    axis_size: int | None = None,
) -> Callable:
    """Vectorise ``fun`` over an axis of its arguments (JAX's ``vmap``).

    ``in_axes``: an int, None (not mapped) or a tuple with one entry per positional
    argument, each an int, None or a structure matching that argument's lists, tuples
    and dicts (a tree prefix).  ``out_axes``
    likewise for the outputs.  Keyword arguments are mapped over axis 0 (as JAX: bind
    unmapped ones with ``functools.partial``).  ``axis_size`` gives the size when no
    argument is mapped.
    Mapped axes of different sizes are a ValueError naming them.  Collectives over a
    named axis (``axis_name``, ``psum``) are not supported.

    >>> import compgraph as cg
    >>> cg.vmap(lambda a, b: a @ b, in_axes=(0, None))(cg.ones((4, 2, 3)), cg.ones((3, 5))).shape
    (4, 2, 5)
    """
    if axis_name is not None:
        raise NotImplementedError("vmap: named axes (axis_name, collectives such as psum)")
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)  # as JAX: a list stands for the tuple of positional axes

    @functools.wraps(fun)
    def vmapped(*args: Any, **kwargs: Any) -> Any:
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(
                f"vmap in_axes must be an int, None, or a tuple of entries corresponding to "
                f"the positional arguments passed to the function, but got "
                f"len(in_axes)={len(in_axes)}, len(args)={len(args)}"
            )
        leaves, spec = flatten((list(args), kwargs))
        axes = _prefix(
            in_axes if isinstance(in_axes, tuple) else [in_axes] * len(args), list(args), "in_axes"
        )
        axes += [0] * (len(leaves) - len(axes))  # keyword arguments: axis 0, as JAX
        where = [f"argument {i}" for i, a in enumerate(args) for _ in flatten(a)[0]]
        where += [f"keyword argument {k}" for k in sorted(kwargs) for _ in flatten(kwargs[k])[0]]

        def call(ls: list) -> Any:
            a, k = unflatten(spec, ls)
            return fun(*a, **k)

        moved, sizes = [], []
        for leaf, ax, w in zip(leaves, axes, where):
            if ax is None:
                moved.append(leaf)
                continue
            if isinstance(leaf, (list, tuple)) or not (
                isinstance(leaf, (TensorBase, np.ndarray, np.generic, int, float, complex))
                or type(leaf) in SYMBOLIC_TYPES
            ):
                raise TypeError(f"vmap: {w} is a {type(leaf).__name__}, expected an array")
            m = _moved(leaf, int(ax), w)
            moved.append(m)
            sizes.append((m.shape[0], f"axis {ax} of {w} of shape {_shape(leaf)}"))
        if not sizes and axis_size is None:
            raise ValueError("vmap must have at least one non-None value in in_axes")
        size = sizes[0][0] if sizes else int(axis_size)  # type: ignore[arg-type]
        if any(s != size for s, _ in sizes) or (axis_size is not None and size != axis_size):
            detail = "; ".join(f"{d} has size {s}" for s, d in sizes)
            raise ValueError(
                f"vmap got inconsistent sizes for array axes to be mapped: {detail}"
                + (f" (axis_size={axis_size})" if axis_size is not None else "")
            )
        looped = True
        if sizes and _eager_ok(moved):
            try:
                ospec, values, mapped = _replay(call, moved, axes, size)
                values = [wrap(v) if m else v for v, m in zip(values, mapped)]
                looped = False
            except _Fallback:
                pass
        if looped:
            ospec, values, mapped = _loop(call, moved, axes, size)
        tree = unflatten(ospec, values)
        oaxes = _prefix(out_axes, tree, "out_axes")
        placed = []
        for v, m, ax in zip(values, mapped, oaxes):
            if ax is None:
                if m and (not looped or _spread(v)):
                    raise ValueError(
                        "vmap has mapped output but out_axes is None: the output varies "
                        "along the mapped axis"
                    )
                placed.append(v[0] if m else v)
                continue
            if not m:  # not mapped: the same value for every example
                v = cg.broadcast_to(v, (size,) + _shape(v))
            nd = _ndim(v)
            if not -nd <= ax < nd:
                raise ValueError(
                    f"vmap: out_axes {ax} is out of range for an output of rank {nd - 1}"
                )
            placed.append(v if ax % nd == 0 else cg.moveaxis(v, 0, ax % nd))
        return unflatten(ospec, placed)

    return vmapped


def _spread(v: Any) -> bool:
    """True when a stacked value differs between examples."""
    if type(v) in SYMBOLIC_TYPES:
        return False
    d = np.asarray(v._data if isinstance(v, Tensor) else v)
    return bool(d.shape[0] > 1 and not (d == d[:1]).all())
