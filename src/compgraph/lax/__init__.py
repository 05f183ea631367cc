"""JAX's ``jax.lax`` on compgraph values: ``cg.lax.fori_loop``, ``cg.lax.dynamic_slice``,
``cg.lax.dot_general``, ``cg.lax.conv_general_dilated`` ... (code written for
``jax.lax`` runs with ``from compgraph import lax``).

Where compgraph's function already has lax's meaning it is the same object
(``lax.sin is cg.sin``).  lax's own signatures win where they differ: ``lax.scan``,
``lax.cond`` and ``lax.while_loop`` take JAX's arguments (written on compgraph's
TensorFlow-style ``cg.scan``/``cg.cond``/``cg.while_loop`` machinery, which keeps
TensorFlow's signatures), ``lax.max`` is elementwise, ``lax.clamp(min, x, max)``,
``lax.round`` rounds half away from zero, ``lax.div`` truncates integers.

Unlike JAX, compgraph does not require equal dtypes (operands are promoted as NumPy
does) and computes every op eagerly on one CPU device; ``precision`` arguments are
accepted and ignored.  Collectives (``psum`` ...), tokens, ragged and random-bit
primitives are not here; ``gather``/``scatter`` need concrete indices.

Modules: ``control`` (loops, branches, ``scan``), ``elementwise`` (and the enums),
``shapes`` (shapes, indexing, sorting), ``reductions`` (scans, ``reduce``,
``reduce_window``), ``convolution`` (``dot_general`` and the convolutions), ``gathers``
(``gather`` and the ``scatter`` family).
"""

from __future__ import annotations

from . import control, convolution, elementwise, gathers, reductions, shapes
from .control import *  # noqa: F403
from .convolution import *  # noqa: F403
from .elementwise import *  # noqa: F403
from .gathers import *  # noqa: F403
from .reductions import *  # noqa: F403
from .shapes import *  # noqa: F403

__all__ = [
    *control.__all__,
    *elementwise.__all__,
    *shapes.__all__,
    *reductions.__all__,
    *convolution.__all__,
    *gathers.__all__,
]
