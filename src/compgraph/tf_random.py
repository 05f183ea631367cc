"""TensorFlow's ``tf.random`` names that ``cg.random`` lacks (``categorical``, ``gamma``,
``poisson``, ``shuffle``, the ``stateless_*`` family ...): written here and put into
:mod:`compgraph.random` when that name is free there."""

from __future__ import annotations

__all__: list[str] = []
