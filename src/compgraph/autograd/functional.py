"""``torch.autograd.functional``: ``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp``, ``vhp``.

Thin layers over compgraph's function transforms, with PyTorch's calling
convention: ``inputs`` is a tensor or a tuple of tensors, and results follow it
(a tuple of blocks for a tuple of inputs).  ``strict`` and ``vectorize`` are
accepted and ignored (compgraph's transforms are exact whatever the graph); results
carry no graph unless ``create_graph=True`` or the inputs themselves record.

>>> import compgraph as cg
>>> from compgraph.autograd.functional import hvp
>>> hvp(lambda x: (x ** 3).sum(), cg.tensor([1.0, 2.0]), cg.tensor([1.0, 1.0]))[1]
Tensor([ 6., 12.])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import transforms

__all__ = ["jacobian", "hessian", "vjp", "jvp", "hvp", "vhp"]


def _args(inputs: Any) -> tuple[tuple, bool]:
    if isinstance(inputs, (tuple, list)):
        return tuple(inputs), True
    return (inputs,), False


def jacobian(
    func: Callable,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """d func(inputs) / d inputs, each block of shape ``output.shape + input.shape``
    (``strategy="forward-mode"`` pushes tangents instead of pulling cotangents)."""
    args, many = _args(inputs)
    jac = transforms.jacfwd if strategy == "forward-mode" else transforms.jacrev
    r = jac(func, argnums=tuple(range(len(args))) if many else 0)(*args)
    return r


def hessian(
    func: Callable,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The second derivatives of a one-element ``func``."""
    args, many = _args(inputs)
    return transforms.hessian(func, argnums=tuple(range(len(args))) if many else 0)(*args)


def vjp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), v @ J)``; ``v`` may be omitted for a one-element output."""
    args, many = _args(inputs)
    out, pullback = transforms.vjp(func, *args)
    if v is None:
        v = out * 0 + 1
    grads = pullback(v)
    return out, grads if many else grads[0]


def jvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), J @ v)``; ``v`` may be omitted for a one-element input."""
    args, many = _args(inputs)
    if v is None:
        v = tuple(a * 0 + 1 for a in args)
    vs, _ = _args(v)
    return transforms.jvp(func, args, vs)


def hvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), H @ v)`` for a one-element ``func`` (forward over reverse)."""
    args, many = _args(inputs)
    if v is None:
        v = tuple(a * 0 + 1 for a in args)
    vs, _ = _args(v)
    if len(vs) != len(args):
        raise ValueError(f"hvp: v has {len(vs)} parts but inputs has {len(args)}")
    out = func(*args)
    if np.size(out) != 1:
        raise RuntimeError(
            f"hvp: the function must return a single-element tensor, got shape {np.shape(out)}"
        )
    g = transforms.grad(func, argnums=tuple(range(len(args))))
    _, hv = transforms.jvp(g, args, vs)
    return out, hv if many else hv[0]


def vhp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
) -> tuple:
    """``(func(inputs), v @ H)``: ``hvp``, as a Hessian is symmetric."""
    return hvp(func, inputs, v, create_graph, strict)
