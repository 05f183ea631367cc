"""JAX's ``jax.nn`` functions that ``cg.nn`` lacked (``glu``, ``hard_swish``, ``mish``,
``standardize``, ``dot_product_attention`` ...), written with cg functions."""

from __future__ import annotations

__all__: list[str] = []
