"""TensorFlow's ``tf.image`` on compgraph values (NHWC images): ``cg.image.resize``,
``flip_left_right``, ``adjust_brightness``, ``central_crop`` ..."""

from __future__ import annotations

__all__: list[str] = []
