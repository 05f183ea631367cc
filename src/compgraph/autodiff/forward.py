"""Forward mode: tangents pushed through each op's JVP rule, one op at a time.

A Tensor may carry tangents in ``_tan``, a dict from *level* to tangent Tensor;
each :func:`jvp` call opens a new level, so nested forward modes (``jvp`` of
``jvp``) never confuse their perturbations.  :func:`push_tangents` is called by
``apply`` whenever an input carries a tangent: for each level, in increasing
order, it evaluates the op's JVP rules (declared with the op, in the registry)
in the Tensor namespace on primals stripped of that level and higher.  Because
the rules themselves run through ``apply``, tangents of lower levels flow
through them and reverse mode records them, so forward-over-reverse and
reverse-over-forward compose.  Cost is a constant factor of the forward pass,
independent of the number of outputs.
"""
from __future__ import annotations

import itertools
from typing import Any, Callable, Sequence

import numpy as np

from ..grad_mode import RECORD_HOOKS, next_seq
from ..ops.registry import NUMPY, OPS, Op
from ..tensor import TENSOR, Node, Tensor, _new, _wrap

__all__ = ["push_tangents", "jvp_level", "new_level", "with_tangent", "primal_at",
           "tangent_at", "linearize"]

_levels = itertools.count(1)
IDENTITY = OPS["identity"]

def new_level() -> int:
    """A fresh forward-mode level (one per ``jvp`` call)."""
    return next(_levels)


def _view(a: Tensor) -> Tensor:
    """The same value at the same place in the reverse graph, without tangents."""
    if a._rg and a._node is None:
        # A new leaf would steal the gradient; an identity node routes it to `a`.
        node = _new(Node)
        node.op = IDENTITY
        node.attrs = {}
        node.parents = (a,)
        node.saved = (None,)
        node.out = None
        node.shape = a._data.shape
        node.dtype = a._data.dtype
        node.hooks = None
        node.retain = None
        node.label = None
        node.seq = next_seq()
        return _wrap(a._data, node, True)
    return _wrap(a._data, a._node, a._rg)


def _below(a: Any, level: int) -> Any:
    """``a`` keeping only the tangents of levels lower than ``level``."""
    if not isinstance(a, Tensor) or a._tan is None:
        return a
    if all(k < level for k in a._tan):
        return a
    v = _view(a)
    keep = {k: t for k, t in a._tan.items() if k < level}
    v._tan = keep or None
    return v


def _zeros_like(p: Any) -> Any:
    d = p._data if isinstance(p, Tensor) else p
    return np.zeros(np.shape(d), np.result_type(d))


def _rule_sum(ns: Any, op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Any,
              attrs: dict) -> Any:
    """Sum of the op's JVP contributions in namespace ``ns`` (None: zero tangent)."""
    if op.vjp is None:
        return None  # not differentiable: a zero tangent
    if op.jvp is None:
        if not op.linear:
            raise NotImplementedError(f"op '{op.name}' declares no JVP rule")
        ts = [t if t is not None else _zeros_like(p) for p, t in zip(prims, tins)]
        return getattr(ns, op.name)(*ts, **attrs)
    total = None
    for i, t in enumerate(tins):
        rule = op.jvp[i]
        if t is None or rule is None:
            continue
        c = rule(ns, t, out, *prims, **attrs)
        total = c if total is None else total + c
    return total


def jvp_level(op: Op, prims: Sequence[Any], tins: Sequence[Any], out: Tensor,
              attrs: dict) -> Tensor | None:
    """The output tangent of ``op`` given input tangents (None means zero), as a Tensor."""
    total = _rule_sum(TENSOR, op, prims, tins, out, attrs)
    if total is None:
        return None
    if not isinstance(total, Tensor):
        total = _wrap(total)
    if total.shape != out.shape:
        total = TENSOR.broadcast_to(total, shape=out.shape)
    if total.dtype != out.dtype:
        total = TENSOR.astype(total, dtype=out.dtype)
    return total


def push_tangents(op: Op, args: Sequence[Any], attrs: dict, t: Tensor) -> None:
    """Give ``t`` (the output of ``op`` on ``args``) its tangents at every level present."""
    levels = sorted({k for a in args if isinstance(a, Tensor) and a._tan for k in a._tan})
    out = _wrap(t._data, t._node, t._rg)
    tans: dict = {}
    for level in levels:
        prims = [_below(a, level) for a in args]
        tins = [a._tan.get(level) if isinstance(a, Tensor) and a._tan else None for a in args]
        out._tan = dict(tans) or None
        tt = jvp_level(op, prims, tins, out, attrs)
        if tt is not None:
            tans[level] = tt
    t._tan = tans or None


def with_tangent(x: Tensor, level: int, tangent: Tensor) -> Tensor:
    """A view of ``x`` (same graph position) that also carries ``tangent`` at ``level``."""
    if tangent.shape != x.shape:
        raise ValueError(f"jvp: tangent shape {tangent.shape} does not match primal shape "
                         f"{x.shape}")
    if tangent.dtype != x.dtype:
        tangent = TENSOR.astype(tangent, dtype=x.dtype)
    v = _view(x)
    v._tan = dict(x._tan or {})
    v._tan[level] = tangent
    return v


def primal_at(y: Any, level: int) -> Any:
    """``y`` without its tangent at ``level`` (and higher)."""
    return _below(y, level)


def tangent_at(y: Any, level: int) -> Tensor:
    """The tangent of ``y`` at ``level`` (zeros when ``y`` does not depend on the inputs)."""
    if isinstance(y, Tensor) and y._tan and level in y._tan:
        return y._tan[level]
    return _wrap(_zeros_like(y))


def jvp(fn: Callable[..., Tensor], primals: Sequence[Tensor], tangents: Sequence[Tensor]
        ) -> tuple[Any, Any]:
    """Tensors in, Tensors out: ``(fn(*primals), J @ tangents)`` by forward mode."""
    level = new_level()
    xs = [with_tangent(p, level, t) for p, t in zip(primals, tangents)]
    y = fn(*xs)
    return primal_at(y, level), tangent_at(y, level)


def _key(t: Tensor) -> Any:
    return t._node if t._node is not None else t


def linearize(fn: Callable[..., Any], xs: Sequence[Tensor]) -> tuple[Any, Callable]:
    """Run ``fn(*xs)`` once, keeping its equations; return ``(y, push)``.

    ``xs`` must require grad (so every op depending on them is recorded).
    ``push(tangents)`` runs forward mode over the kept equations with each op's JVP
    rule on raw ndarrays and returns ``tangent_of(t)`` for any recorded Tensor ``t``:
    many directions for the price of one trace (``jacfwd``, ``hessian``).
    """
    eqs: list = []

    def hook(op: Op, args: tuple, attrs: dict, out: Tensor) -> None:
        eqs.append((op, args, attrs, out))

    RECORD_HOOKS.append(hook)
    try:
        y = fn(*xs)
    finally:
        RECORD_HOOKS.remove(hook)

    def push(tangents: Sequence[Any], batch: int | None = None) -> Callable[[Any], Any]:
        # With ``batch``, each tangent holds ``batch`` directions on a leading axis (None:
        # zero) and every tangent returned has that axis too.
        if batch is not None:
            from .batching import batched_rule  # (it imports this module)
        tan: dict = {_key(x): np.asarray(v) for x, v in zip(xs, tangents) if v is not None}
        for op, args, attrs, out in eqs:
            tins = None
            for i, a in enumerate(args):
                if isinstance(a, Tensor):
                    tv = tan.get(_key(a))
                    if tv is not None:
                        if tins is None:
                            tins = [None] * len(args)
                        tins[i] = tv
            if tins is None:
                continue
            prims = [a._data if isinstance(a, Tensor) else a for a in args]
            od = out._data
            if batch is None:
                tt = _rule_sum(NUMPY, op, prims, tins, od, attrs)
                shape = od.shape
            else:
                tt = batched_rule(op, prims, tins, od, attrs, batch)
                shape = (batch,) + od.shape
            if tt is None:
                continue
            if np.shape(tt) != shape:
                tt = np.broadcast_to(tt, shape)
            if np.result_type(tt) != od.dtype:
                tt = np.asarray(tt).astype(od.dtype)
            tan[_key(out)] = tt

        lead = () if batch is None else (batch,)

        def tangent_of(t: Any) -> Any:
            if not isinstance(t, Tensor):
                return np.zeros(lead + np.shape(t))
            v = tan.get(_key(t))
            return np.zeros(lead + t.shape, t.dtype) if v is None else v
        return tangent_of

    # Elements of one direction's tangents over all equations: a batch of k directions
    # holds about k times this many at once (callers size their batches with it).
    push.elements = sum(out._data.size for _, _, _, out in eqs)  # type: ignore[attr-defined]
    return y, push
