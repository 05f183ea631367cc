"""JAX's ``jax.lax`` on compgraph values: ``cg.lax.fori_loop``, ``cg.lax.dynamic_slice``,
``cg.lax.dot_general`` ... (the control-flow primitives compgraph already has are the
same objects here)."""

from __future__ import annotations

__all__: list[str] = []
