"""``torch.autograd.functional``: ``jacobian``, ``hessian``, ``vjp``, ``jvp``.

Thin layers over compgraph's function transforms, with PyTorch's calling
convention: ``inputs`` is a tensor or a tuple of tensors, and results follow it
(a tuple of blocks for a tuple of inputs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import transforms

__all__ = ["jacobian", "hessian", "vjp", "jvp"]


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
