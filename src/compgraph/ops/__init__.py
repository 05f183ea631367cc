"""Primitive op declarations. Importing this package registers every op in ``OPS``.

Each op is declared once (:func:`defop`, with the records of :mod:`.spec`): forward,
derivative rules, shape and dtype rules, and how every front end treats it.
"""

from . import conv, elementwise, linalg, reduce, shape, update  # noqa: F401  (registration side effects)
from .registry import (
    NUMPY,
    OPS,
    PUBLIC,
    Front,
    Namespace,
    Op,
    defop,
    defpublic,
    fronts,
    get_op,
    mark_builtin,
    subscribe,
    undef,
)
from .spec import Codegen, Facts, Method, Onnx, no

mark_builtin()

__all__ = [
    "OPS",
    "PUBLIC",
    "Op",
    "Front",
    "defop",
    "defpublic",
    "undef",
    "get_op",
    "fronts",
    "subscribe",
    "Namespace",
    "NUMPY",
    "no",
    "Method",
    "Codegen",
    "Onnx",
    "Facts",
]
