"""More of TensorFlow's ``tf.nn`` (``conv3d``, ``max_pool3d``, ``depth_to_space``, ``lrn``
...), star-imported into ``cg.nn`` (``nn/tf_ops.py`` holds the rest)."""

from __future__ import annotations

__all__: list[str] = []
