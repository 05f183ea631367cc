"""NumPy's namespace with NumPy's meanings, for code written against ``jax.numpy`` or
``autograd.numpy``: ``import compgraph.numpy as jnp`` (where ``compgraph``'s own namespace
gives a name PyTorch's or TensorFlow's meaning, this module keeps NumPy's)."""

from __future__ import annotations

__all__: list[str] = []
