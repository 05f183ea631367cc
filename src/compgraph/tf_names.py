"""TensorFlow's top-level names that compgraph did not publish yet (``tf.gradients``,
``tf.TensorShape``, ``tf.name_scope``, ``tf.py_function`` ...), by name in ``TF_TOP``: the
package publishes each as ``cg.<name>`` unless that name is already taken."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["TF_TOP"]

#: TensorFlow's top-level names written or collected here.
TF_TOP: dict[str, Callable | Any] = {}
