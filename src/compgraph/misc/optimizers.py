"""HIPS autograd's ``autograd.misc.optimizers``: ``sgd``, ``rmsprop`` and ``adam`` with
autograd's signature ``opt(grad, x0, callback=None, num_iters=..., step_size=..., ...)``.

``grad(x, i)`` gives the gradient at ``x`` on iteration ``i``; ``x0`` may be a nest of
tuples, lists and dicts of arrays (flattened with :func:`compgraph.misc.flatten`);
``callback(x, i, g)`` runs before each update.  The updates are compgraph operations,
so the optimizers themselves can be differentiated (meta-optimization), as autograd's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ..functions import cg
from .flatten import flatten

__all__ = ["sgd", "rmsprop", "adam", "unflatten_optimizer"]


def unflatten_optimizer(optimize: Callable) -> Callable:
    """An optimizer on flat 1-D vectors as one on nests of arrays: ``grad``, ``x0``,
    ``callback`` and the result use the nest (autograd's ``unflatten_optimizer``)."""

    @functools.wraps(optimize)
    def wrapped(
        grad: Callable, x0: Any, callback: Callable | None = None, *args: Any, **kwargs: Any
    ) -> Any:
        if not callable(grad):
            raise TypeError(
                f"{optimize.__name__}: grad must be a function grad(x, i), got "
                f"{type(grad).__name__}"
            )
        flat0, unflatten = flatten(x0)

        def flat_grad(x: Any, i: int) -> Any:
            g, _ = flatten(grad(unflatten(x), i))
            if tuple(g.shape) != tuple(flat0.shape):
                raise ValueError(
                    f"{optimize.__name__}: grad(x, {i}) has {g.shape[0]} elements in all, "
                    f"the parameters have {flat0.shape[0]}"
                )
            return g

        flat_callback = None
        if callback:

            def flat_callback(x: Any, i: int, g: Any) -> None:
                callback(unflatten(x), i, unflatten(g))

        return unflatten(optimize(flat_grad, flat0, flat_callback, *args, **kwargs))

    return wrapped


@unflatten_optimizer
def sgd(
    grad: Callable,
    x: Any,
    callback: Callable | None = None,
    num_iters: int = 200,
    step_size: float = 0.1,
    mass: float = 0.9,
) -> Any:
    """Stochastic gradient descent with momentum (autograd's ``sgd``):
    ``v = mass * v - (1 - mass) * g; x = x + step_size * v``."""
    velocity = cg.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        velocity = mass * velocity - (1.0 - mass) * g
        x = x + step_size * velocity
    return x


@unflatten_optimizer
def rmsprop(
    grad: Callable,
    x: Any,
    callback: Callable | None = None,
    num_iters: int = 100,
    step_size: float = 0.1,
    gamma: float = 0.9,
    eps: float = 10**-8,
) -> Any:
    """Root-mean-square propagation (autograd's ``rmsprop``; the running average of the
    squared gradient starts at ones, as autograd's)."""
    avg_sq_grad = cg.ones(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        avg_sq_grad = avg_sq_grad * gamma + g**2 * (1 - gamma)
        x = x - step_size * g / (cg.sqrt(avg_sq_grad) + eps)
    return x


@unflatten_optimizer
def adam(
    grad: Callable,
    x: Any,
    callback: Callable | None = None,
    num_iters: int = 100,
    step_size: float = 0.001,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 10**-8,
) -> Any:
    """Adam (Kingma and Ba, arXiv:1412.6980), as autograd's ``adam``: bias-corrected
    first and second moment estimates."""
    m = cg.zeros(len(x))
    v = cg.zeros(len(x))
    for i in range(num_iters):
        g = grad(x, i)
        if callback:
            callback(x, i, g)
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * (g**2) + b2 * v
        mhat = m / (1 - b1 ** (i + 1))
        vhat = v / (1 - b2 ** (i + 1))
        x = x - step_size * mhat / (cg.sqrt(vhat) + eps)
    return x
