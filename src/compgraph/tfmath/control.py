"""TensorFlow's functional control flow: ``cond``, ``while_loop``, ``map_fn``, ``foldl``,
``foldr`` and ``scan`` (TensorFlow's ``tf.scan``).

They run eagerly, in Python, as TensorFlow 2 runs them outside ``tf.function``: the ops
the functions record are what gets differentiated (``cg.GradientTape``, ``backward``,
``cg.grad``), to any order.  Structures of tensors (lists, tuples, namedtuples, dicts,
nested) are accepted wherever TensorFlow accepts them.

Inside ``cg.function`` (which traces Python into a static graph, so a Python ``if`` or
``while`` cannot depend on a traced value):

* ``map_fn``, ``foldl``, ``foldr`` and ``scan`` unroll over the (known) length of
  ``elems``, one copy of ``fn`` per element;
* ``while_loop`` unrolls while ``cond`` gives concrete values (loop counters that are
  Python numbers or values computed from constants); when ``cond`` depends on a traced
  value it needs ``maximum_iterations``: the loop is then unrolled that many times and
  each step after ``cond`` turned false keeps the old values (``cg.where``); without it,
  ``TypeError`` says so;
* ``cond`` with a traced ``pred`` builds both branches and selects between their
  results with ``cg.where`` (both branches must return the same structure).  As with
  any ``where``, a branch not taken whose value or derivative is infinite or NaN can
  still make the gradient NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..functions import cg
from ..ops.args import is_symbolic
from ._args import _int, _shape, _tensor

__all__ = ["cond", "case", "switch_case", "while_loop", "map_fn", "foldl", "foldr", "scan"]


# ------------------------------------------------------------------ structures
def _flatten(tree: Any) -> tuple[list, Any]:
    """Leaves left to right (dicts by sorted key) and a spec; namedtuples are
    structures, as in ``tf.nest``."""
    leaves: list = []

    def rec(node: Any) -> Any:
        if isinstance(node, dict):
            keys = tuple(sorted(node))
            return (dict, keys, tuple(rec(node[k]) for k in keys))
        if isinstance(node, (list, tuple)) and not hasattr(node, "dtype"):  # (a spec's)
            return (type(node), None, tuple(rec(c) for c in node))
        leaves.append(node)
        return None

    return leaves, rec(tree)


def _unflatten(spec: Any, leaves: list) -> Any:
    it = iter(leaves)

    def build(s: Any) -> Any:
        if s is None:
            return next(it)
        kind, keys, children = s
        values = [build(c) for c in children]
        if kind is dict:
            return dict(zip(keys, values, strict=True))
        if hasattr(kind, "_fields"):
            return kind(*values)
        return kind(values)

    return build(spec)


def _layout(spec: Any) -> Any:
    """A spec compared without telling lists from tuples (TensorFlow's loops accept a
    body returning a tuple for a list of loop variables)."""
    if spec is None:
        return None
    kind, keys, children = spec
    kind = "sequence" if kind in (list, tuple) else kind
    return (kind, keys, tuple(_layout(c) for c in children))


def _describe(spec: Any) -> str:
    if spec is None:
        return "tensor"
    kind, keys, children = spec
    inner = ", ".join(
        f"{k!r}: {_describe(c)}" if keys else _describe(c)
        for k, c in zip(keys or [None] * len(children), children, strict=True)
    )
    return f"{getattr(kind, '__name__', kind)}({inner})"


def _as_value(v: Any) -> Any:
    """A leaf as TensorFlow holds it: numbers and arrays become Tensors."""
    if v is None or is_symbolic(v) or hasattr(v, "_data"):
        return v
    if isinstance(v, (bool, int, float, complex, np.ndarray, np.generic)):
        return cg.asarray(v)
    return v


def _stop(tree: Any) -> Any:
    """``back_prop=False``: the results carry no gradient."""
    leaves, spec = _flatten(tree)
    return _unflatten(spec, [v if v is None else cg.stop_gradient(v) for v in leaves])


def _check_callable(f: str, **fns: Any) -> None:
    for k, fn in fns.items():
        if not callable(fn):
            raise TypeError(f"{f}: {k} must be callable, got {type(fn).__name__}")


def _elements(f: str, elems: Any) -> tuple[list, Any, int]:
    """The tensors of ``elems`` (a tensor or a structure of them), its spec and their
    common length along axis 0."""
    leaves, spec = _flatten(elems)
    if not leaves:
        raise ValueError(f"{f}: elems must be a tensor or a non-empty structure of tensors")
    xs = [_tensor(e) for e in leaves]
    lengths = set()
    for x in xs:
        s = _shape(x, f)
        if not s:
            raise ValueError(f"{f}: elems must have at least one axis, got a scalar")
        lengths.add(s[0])
    if len(lengths) != 1:
        raise ValueError(
            f"{f}: the tensors of elems must have the same length along axis 0, "
            f"got lengths {sorted(lengths)}"
        )
    return xs, spec, lengths.pop()


def _element(xs: list, spec: Any, i: int) -> Any:
    return _unflatten(spec, [x[i] for x in xs])


def _stack_results(f: str, outs: list, what: str) -> Any:
    """``outs`` (one structure per step) as one structure of tensors stacked on axis 0."""
    leaves0, spec = _flatten(outs[0])
    columns: list[list] = [[v] for v in leaves0]
    for i, o in enumerate(outs[1:], 1):
        leaves, s = _flatten(o)
        if _layout(s) != _layout(spec):
            raise ValueError(
                f"{f}: {what} returned {_describe(s)} at step {i} but {_describe(spec)} at "
                f"step 0; every step must return the same structure"
            )
        for col, v in zip(columns, leaves, strict=True):
            col.append(v)
    return _unflatten(spec, [cg.stack(col) for col in columns])


# ------------------------------------------------------------------ cond
def cond(
    pred: Any, true_fn: Callable | None = None, false_fn: Callable | None = None, name: Any = None
) -> Any:
    """TensorFlow's ``cond``: ``true_fn()`` if ``pred`` (a scalar boolean) else
    ``false_fn()``.  Inside ``cg.function`` with a traced ``pred``: both branches,
    their results selected with ``cg.where``."""
    f = "cond"
    _check_callable(f, true_fn=true_fn, false_fn=false_fn)
    assert true_fn is not None and false_fn is not None
    if is_symbolic(pred):
        if pred.shape is not None and tuple(pred.shape) != ():
            raise ValueError(f"{f}: pred must be a scalar, got shape {tuple(pred.shape)}")
        return _select(f, pred, true_fn(), false_fn(), "true_fn and false_fn", "the other")
    p = np.asarray(getattr(pred, "_data", pred))
    if p.shape != ():
        raise ValueError(f"{f}: pred must be a scalar, got shape {p.shape}")
    return true_fn() if bool(p) else false_fn()


def _select(
    f: str, pred: Any, a: Any, b: Any, who: str = "every branch", other: str = "another"
) -> Any:
    """``where(pred, a, b)`` over two results of one structure (traced branches)."""
    la, sa = _flatten(a)
    lb, sb = _flatten(b)
    if _layout(sa) != _layout(sb):
        raise ValueError(
            f"{f}: {who} must return the same structure, got {_describe(sa)} and {_describe(sb)}"
        )
    out = []
    for x, y in zip(la, lb, strict=True):
        if (x is None) != (y is None):
            raise ValueError(f"{f}: one branch returned None where {other} a value")
        out.append(None if x is None else cg.where(pred, x, y))
    return _unflatten(sa, out)


def _unpack_singleton(v: Any) -> Any:
    return v[0] if isinstance(v, (list, tuple)) and len(v) == 1 else v


def case(
    pred_fn_pairs: Any,
    default: Callable | None = None,
    exclusive: bool = False,
    strict: bool = False,
    name: Any = "case",
) -> Any:
    """TensorFlow's ``case``: the result of the first ``fn`` whose ``pred`` is true in
    ``pred_fn_pairs`` (a list of ``(pred, fn)``), else of ``default``.  Without
    ``default`` the last pair's ``fn`` stands in for it, and ``ValueError`` is raised if
    no predicate holds (TensorFlow's assertion).  ``exclusive``: more than one true
    predicate is an error.  Unless ``strict``, a one-element list or tuple result is
    unpacked.  Traced predicates select with ``cg.where`` over every branch."""
    f = "case"
    pairs = list(pred_fn_pairs.items()) if isinstance(pred_fn_pairs, dict) else pred_fn_pairs
    if not isinstance(pairs, (list, tuple)) or not pairs:
        raise TypeError(f"{f}: pred_fn_pairs must be a non-empty list of (pred, fn) pairs")
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"{f}: each entry of pred_fn_pairs must be a 2-tuple, got {pair!r}")
        if not callable(pair[1]):
            raise TypeError(f"{f}: the fn of each pair must be callable, got {pair[1]!r}")
    if default is not None and not callable(default):
        raise TypeError(f"{f}: default must be callable")
    finish = (lambda v: v) if strict else _unpack_singleton
    if any(is_symbolic(p) for p, _ in pairs):
        out = (default or pairs[-1][1])()
        rest = pairs if default is not None else pairs[:-1]
        for p, fn in reversed(rest):
            out = _select(f, p, fn(), out)
        return finish(out)
    truth = [_truth(f, p) for p, _ in pairs]
    if exclusive and sum(truth) > 1:
        raise ValueError(
            f"{f}: exclusive=True but more than one predicate is true (pairs "
            f"{[i for i, t in enumerate(truth) if t]})"
        )
    for t, (_, fn) in zip(truth, pairs, strict=True):
        if t:
            return finish(fn())
    if default is None:
        raise ValueError(f"{f}: none of the predicates is true and no default is given")
    return finish(default())


def switch_case(
    branch_index: Any, branch_fns: Any, default: Callable | None = None, name: Any = "switch_case"
) -> Any:
    """TensorFlow's ``switch_case``: ``branch_fns[branch_index]()`` (a list of callables,
    a list of ``(int, callable)`` pairs or a dict, keys ``0 .. n-1``); an index out of
    range runs ``default``, or the last branch without one.  A traced index selects
    with ``cg.where`` over every branch."""
    f = "switch_case"
    if isinstance(branch_fns, dict):
        items = sorted(branch_fns.items())
    elif isinstance(branch_fns, (list, tuple)) and all(
        isinstance(b, tuple) and len(b) == 2 for b in branch_fns
    ):
        items = sorted(branch_fns)
    elif isinstance(branch_fns, (list, tuple)):
        items = list(enumerate(branch_fns))
    else:
        raise TypeError(f"{f}: branch_fns must be a list or dict of callables")
    if not items or [k for k, _ in items] != list(range(len(items))):
        raise ValueError(f"{f}: branch indices must be 0 .. n-1, got {[k for k, _ in items]}")
    fns = [fn for _, fn in items]
    for fn in [*fns, default] if default is not None else fns:
        if not callable(fn):
            raise TypeError(f"{f}: every branch must be callable, got {fn!r}")
    fallback = default if default is not None else fns[-1]
    if is_symbolic(branch_index):
        out = fallback()
        for i in reversed(range(len(fns))):
            if default is None and i == len(fns) - 1:
                continue
            out = _select(f, branch_index == i, fns[i](), out)
        return out
    i = int(_truth_index(f, branch_index))
    return fns[i]() if 0 <= i < len(fns) else fallback()


def _truth_index(f: str, i: Any) -> int:
    a = np.asarray(getattr(i, "_data", i))
    if a.shape != () or a.dtype.kind not in "iu":
        raise ValueError(f"{f}: branch_index must be a scalar integer, got {a.dtype} {a.shape}")
    return int(a)


# ------------------------------------------------------------------ while_loop
def _truth(f: str, c: Any, what: str = "the predicate") -> bool:
    a = np.asarray(getattr(c, "_data", c))
    if a.shape != ():
        raise ValueError(f"{f}: {what} must be a scalar boolean, got shape {a.shape}")
    return bool(a)


def while_loop(
    cond: Callable,
    body: Callable,
    loop_vars: Any,
    shape_invariants: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    maximum_iterations: Any = None,
    name: Any = None,
) -> Any:
    """TensorFlow's ``while_loop``: ``while cond(*loop_vars): loop_vars = body(*loop_vars)``
    (at most ``maximum_iterations`` times), returning the loop variables in
    ``loop_vars``' structure (a list, tuple or namedtuple of tensors or nested
    structures; numbers become tensors).  ``body`` returns the same structure (a tuple
    for a list is fine; with one loop variable, the bare value).  A single tensor as
    ``loop_vars`` is one loop variable, returned bare.  Runs in Python; see the module
    docstring for ``cg.function``."""
    f = "while_loop"
    _check_callable(f, cond=cond, body=body)
    if parallel_iterations < 1:
        raise ValueError(f"{f}: parallel_iterations must be a positive integer")
    single = not isinstance(loop_vars, (list, tuple))
    top = [loop_vars] if single else list(loop_vars)
    if not top:
        raise ValueError(f"{f}: loop_vars must not be empty")
    leaves, spec = _flatten(top)
    cur = _unflatten(spec, [_as_value(v) for v in leaves])
    limit = None
    if maximum_iterations is not None:
        limit = _int(maximum_iterations, f, "maximum_iterations")
        if limit < 0:
            raise ValueError(f"{f}: maximum_iterations must be non-negative, got {limit}")

    def step(state: list) -> list:
        new = body(*state)
        if len(state) == 1 and not (isinstance(new, (list, tuple)) and len(new) == 1):
            new = [new]
        new_leaves, s = _flatten(list(new) if isinstance(new, (list, tuple)) else new)
        if _layout(s) != _layout(spec):
            raise ValueError(
                f"{f}: body must return the structure of loop_vars, {_describe(spec)}; "
                f"got {_describe(s)}"
            )
        return _unflatten(spec, [_as_value(v) for v in new_leaves])

    done = 0
    active = None  # the traced condition, once cond depends on traced values
    while limit is None or done < limit:
        c = cond(*cur)
        if active is not None:
            active = cg.logical_and(active, c)
        elif is_symbolic(c):
            if limit is None:
                raise TypeError(
                    f"{f}: cond returned a traced value ({c!r}); cg.function builds a static "
                    f"graph, which holds no loop, so the number of iterations must be known "
                    f"when tracing: give maximum_iterations= (the loop is unrolled that many "
                    f"times, iterations after cond turns false keep the values), or let cond "
                    f"depend on Python numbers or static arguments only"
                )
            active = c
        elif not _truth(f, c, "cond's result"):
            break
        new = step(cur)
        if active is not None:
            old_leaves, _ = _flatten(cur)
            new_leaves, _ = _flatten(new)
            new = _unflatten(
                spec,
                [cg.where(active, a, b) for a, b in zip(new_leaves, old_leaves, strict=True)],
            )
        cur = new
        done += 1
    out = cur if back_prop else _stop(cur)
    if single:
        return out[0]
    if isinstance(loop_vars, tuple) and hasattr(loop_vars, "_fields"):
        return type(loop_vars)(*out)
    return type(loop_vars)(out)


# ------------------------------------------------------------------ map, folds, scan
def _signature_dtypes(f: str, sig: Any, spec: Any) -> list | None:
    """The dtypes of ``fn_output_signature`` (dtypes or specs with ``.dtype``) per leaf
    of the output structure ``spec``; None where absent."""
    if sig is None:
        return None
    leaves, s = _flatten(sig)
    if s is None and spec is not None:
        raise ValueError(f"{f}: fn_output_signature is one dtype but fn returned {_describe(spec)}")
    if s is not None and _layout(s) != _layout(spec):
        raise ValueError(
            f"{f}: fn_output_signature {_describe(s)} does not match fn's output {_describe(spec)}"
        )
    return [np.dtype(getattr(d, "dtype", d)) for d in leaves]


def map_fn(
    fn: Callable,
    elems: Any,
    dtype: Any = None,
    parallel_iterations: Any = None,
    back_prop: bool = True,
    swap_memory: bool = False,
    infer_shape: bool = True,
    name: Any = None,
    fn_output_signature: Any = None,
) -> Any:
    """TensorFlow's ``map_fn``: ``fn`` applied to each element of ``elems`` along axis
    0 (``elems`` a tensor or a structure of tensors of one length; ``fn`` gets the same
    structure), the results stacked along axis 0 in ``fn``'s output structure.
    ``fn_output_signature`` (or the older ``dtype``) gives the output dtypes (dtypes or
    objects with ``.dtype``, in the output's structure); it is needed only when
    ``elems`` is empty and the output differs from the input in dtype or shape."""
    f = "map_fn"
    _check_callable(f, fn=fn)
    sig = fn_output_signature if fn_output_signature is not None else dtype
    xs, spec, n = _elements(f, elems)
    if n == 0:
        if sig is None:  # TensorFlow's default: the output looks like the input
            return _unflatten(spec, xs)
        leaves, s = _flatten(sig)
        return _unflatten(
            s,
            [
                cg.zeros((0, *tuple(getattr(d, "shape", ()) or ())), dtype=getattr(d, "dtype", d))
                for d in leaves
            ],
        )
    out = _stack_results(f, [fn(_element(xs, spec, i)) for i in range(n)], "fn")
    leaves, out_spec = _flatten(out)
    dtypes = _signature_dtypes(f, sig, out_spec)
    if dtypes is not None:
        leaves = [
            v if np.dtype(v.dtype) == d else cg.astype(v, d)
            for v, d in zip(leaves, dtypes, strict=True)
        ]
        out = _unflatten(out_spec, leaves)
    return out if back_prop else _stop(out)


def _fold(f: str, fn: Callable, elems: Any, initializer: Any, back_prop: bool, rev: bool):
    _check_callable(f, fn=fn)
    xs, spec, n = _elements(f, elems)
    order = list(reversed(range(n))) if rev else list(range(n))
    if initializer is None:
        if n == 0:
            raise ValueError(f"{f}: elems is empty and no initializer is given")
        acc = _element(xs, spec, order[0])
        order = order[1:]
    else:
        leaves, s = _flatten(initializer)
        acc = _unflatten(s, [_as_value(v) for v in leaves])
    for i in order:
        acc = fn(acc, _element(xs, spec, i))
    return acc if back_prop else _stop(acc)


def foldl(
    fn: Callable,
    elems: Any,
    initializer: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    name: Any = None,
) -> Any:
    """TensorFlow's ``foldl``: ``acc = fn(acc, elems[i])`` for i = 0, 1, ...; ``acc``
    starts as ``initializer`` (by default ``elems[0]``, and the fold starts at 1)."""
    return _fold("foldl", fn, elems, initializer, back_prop, False)


def foldr(
    fn: Callable,
    elems: Any,
    initializer: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    name: Any = None,
) -> Any:
    """TensorFlow's ``foldr``: ``acc = fn(acc, elems[i])`` for i = n-1, ..., 0; ``acc``
    starts as ``initializer`` (by default ``elems[-1]``)."""
    return _fold("foldr", fn, elems, initializer, back_prop, True)


def scan(
    fn: Callable,
    elems: Any,
    initializer: Any = None,
    parallel_iterations: int = 10,
    back_prop: bool = True,
    swap_memory: bool = False,
    infer_shape: bool = True,
    reverse: bool = False,
    name: Any = None,
) -> Any:
    """TensorFlow's ``scan``: ``acc = fn(acc, elems[i])`` over axis 0 (from the end with
    ``reverse``), every ``acc`` stacked: ``out[i]`` is the accumulator after element
    ``i``.  Without ``initializer`` the first accumulator is the first element
    (``out[0] = elems[0]``, or the last with ``reverse``)."""
    f = "scan"
    _check_callable(f, fn=fn)
    xs, spec, n = _elements(f, elems)
    order = list(reversed(range(n))) if reverse else list(range(n))
    outs: dict[int, Any] = {}
    if initializer is None:
        if n == 0:
            return _unflatten(spec, xs)
        acc = _element(xs, spec, order[0])
        outs[order[0]] = acc
        order = order[1:]
    else:
        leaves, s = _flatten(initializer)
        acc = _unflatten(s, [_as_value(v) for v in leaves])
        if n == 0:
            empty = [cg.zeros((0, *_shape(_tensor(v), f)), dtype=_tensor(v).dtype) for v in leaves]
            return _unflatten(s, empty)
    for i in order:
        acc = fn(acc, _element(xs, spec, i))
        outs[i] = acc
    out = _stack_results(f, [outs[i] for i in range(n)], "fn")
    return out if back_prop else _stop(out)
