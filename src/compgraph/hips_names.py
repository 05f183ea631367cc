"""HIPS autograd's top-level names that compgraph did not publish yet
(``elementwise_grad``, ``make_vjp``, ``hessian_vector_product`` ...), by name in
``HIPS_TOP``: the package publishes each as ``cg.<name>`` unless that name is taken."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["HIPS_TOP"]

#: HIPS autograd's top-level names written or collected here.
HIPS_TOP: dict[str, Callable] = {}
