"""JAX's top-level names that compgraph did not publish yet (``jax.linearize``,
``jax.checkpoint``, ``jax.eval_shape``, ``jax.device_put`` ...), by name in ``JAX_TOP``:
the package publishes each as ``cg.<name>`` unless that name is already taken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["JAX_TOP"]

#: JAX's top-level names written or collected here.
JAX_TOP: dict[str, Callable | Any] = {}
