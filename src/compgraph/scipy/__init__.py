"""SciPy's namespaces as JAX (``jax.scipy``) and HIPS autograd (``autograd.scipy``) offer
them: ``compgraph.scipy.special``, ``.stats``, ``.linalg`` on compgraph values."""

from __future__ import annotations

from . import linalg, special, stats

__all__: list[str] = ["linalg", "special", "stats"]
