"""TensorFlow's ``tf.linalg`` names that ``cg.linalg`` (NumPy's ``np.linalg``) lacks
(``adjoint``, ``band_part``, ``diag_part``, ``logdet``, ``triangular_solve`` ...): written
here and put into :mod:`compgraph.linalg` when that name is free there."""

from __future__ import annotations

__all__: list[str] = []
