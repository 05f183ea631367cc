"""Primitive op declarations. Importing this package registers every op in ``OPS``."""
from . import conv, elementwise, linalg, reduce, shape  # noqa: F401  (registration side effects)
from .registry import NUMPY, OPS, Namespace, Op, defop, get_op

__all__ = ["OPS", "Op", "defop", "get_op", "Namespace", "NUMPY"]
