"""Forward mode: tangents pushed through each op's JVP rule, one op at a time.

A Tensor may carry tangents in ``_tan``, a dict from *level* to tangent Tensor;
each :func:`jvp` call opens a new level, so nested forward modes (``jvp`` of
``jvp``) never confuse their perturbations.  :func:`push_tangents` is called by
``apply`` (in :mod:`.recording`) whenever an input carries a tangent: for each level, in increasing
order, it evaluates the op's JVP rules (declared with the op, in the registry)
in the Tensor namespace on primals stripped of that level and higher.  Because
the rules themselves run through ``apply``, tangents of lower levels flow
through them and reverse mode records them, so forward-over-reverse and
reverse-over-forward compose.  Cost is a constant factor of the forward pass,
independent of the number of outputs.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any, Protocol, cast

import numpy as np

from ..grad_mode import RECORD_HOOKS
from ..ops.registry import NUMPY, Op
from .batching import batched_rule
from .recording import TENSOR, TensorBase, below, rule_sum, view, wrap, zeros_like_value

__all__ = ["new_level", "with_tangent", "primal_at", "tangent_at", "jvp", "linearize"]

_levels = itertools.count(1)


def new_level() -> int:
    """A fresh forward-mode level (one per ``jvp`` call)."""
    return next(_levels)


def with_tangent(x: TensorBase, level: int, tangent: TensorBase) -> TensorBase:
    """A view of ``x`` (same graph position) that also carries ``tangent`` at ``level``."""
    if tangent.shape != x.shape:
        raise ValueError(
            f"jvp: tangent shape {tangent.shape} does not match primal shape {x.shape}"
        )
    if tangent.dtype != x.dtype:
        tangent = TENSOR.astype(tangent, dtype=x.dtype)
    v = view(x)
    v._tan = dict(x._tan or {})
    v._tan[level] = tangent
    return v


def primal_at(y: Any, level: int) -> Any:
    """``y`` without its tangent at ``level`` (and higher)."""
    return below(y, level)


def tangent_at(y: Any, level: int) -> TensorBase:
    """The tangent of ``y`` at ``level`` (zeros when ``y`` does not depend on the inputs)."""
    if isinstance(y, TensorBase) and y._tan and level in y._tan:
        return y._tan[level]
    return wrap(zeros_like_value(y))


def jvp(
    fn: Callable[..., TensorBase], primals: Sequence[TensorBase], tangents: Sequence[TensorBase]
) -> tuple[Any, Any]:
    """Tensors in, Tensors out: ``(fn(*primals), J @ tangents)`` by forward mode."""
    level = new_level()
    xs = [with_tangent(p, level, t) for p, t in zip(primals, tangents)]
    y = fn(*xs)
    return primal_at(y, level), tangent_at(y, level)


def _key(t: TensorBase) -> Any:
    return t._node if t._node is not None else t


class _Push(Protocol):
    """``linearize``'s ``push(tangents, batch=None) -> tangent_of``, with its ``elements``."""

    elements: int

    def __call__(
        self, tangents: Sequence[Any], batch: int | None = None
    ) -> Callable[[Any], Any]: ...


def linearize(fn: Callable[..., Any], xs: Sequence[TensorBase]) -> tuple[Any, _Push]:
    """Run ``fn(*xs)`` once, keeping its equations; return ``(y, push)``.

    ``xs`` must require grad (so every op depending on them is recorded).
    ``push(tangents)`` runs forward mode over the kept equations with each op's JVP
    rule on raw ndarrays and returns ``tangent_of(t)`` for any recorded Tensor ``t``:
    many directions for the price of one trace (``jacfwd``, ``hessian``).
    """
    eqs: list = []

    def hook(op: Op, args: tuple, attrs: dict, out: TensorBase) -> None:
        eqs.append((op, args, attrs, out))

    RECORD_HOOKS.append(hook)
    try:
        y = fn(*xs)
    finally:
        RECORD_HOOKS.remove(hook)

    def push(tangents: Sequence[Any], batch: int | None = None) -> Callable[[Any], Any]:
        # With ``batch``, each tangent holds ``batch`` directions on a leading axis (None:
        # zero) and every tangent returned has that axis too.
        tan: dict = {_key(x): np.asarray(v) for x, v in zip(xs, tangents) if v is not None}
        for op, args, attrs, out in eqs:
            tins = None
            for i, a in enumerate(args):
                if isinstance(a, TensorBase):
                    tv = tan.get(_key(a))
                    if tv is not None:
                        if tins is None:
                            tins = [None] * len(args)
                        tins[i] = tv
            if tins is None:
                continue
            prims = [a._data if isinstance(a, TensorBase) else a for a in args]
            od = out._data
            if batch is None:
                tt = rule_sum(NUMPY, op, prims, tins, od, attrs)
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
            if not isinstance(t, TensorBase):
                return np.zeros(lead + np.shape(t))
            v = tan.get(_key(t))
            return np.zeros(lead + t.shape, t.dtype) if v is None else v

        return tangent_of

    # Elements of one direction's tangents over all equations: a batch of k directions
    # holds about k times this many at once (callers size their batches with it).
    pushed = cast(_Push, push)
    pushed.elements = sum(out._data.size for _, _, _, out in eqs)
    return y, pushed
