"""JAX's ``jax.tree_util`` on compgraph's pytrees: ``tree_map``, ``tree_flatten``,
``tree_unflatten``, ``register_pytree_node`` ..."""

from __future__ import annotations

__all__: list[str] = []
