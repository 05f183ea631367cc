"""Primitive op declarations. Importing this package registers every op in ``OPS``.

Each op is declared once (:func:`defop`, with the records of :mod:`.spec`): forward,
derivative rules, shape and dtype rules, and how every front end treats it.
"""

# (registration side effects: importing a module declares its ops)
from . import (  # noqa: F401
    complex,
    conv,
    ctc,
    decomp,
    elementwise,
    fft,
    linalg,
    manip,
    math,
    nnops,
    numpy_more,
    products,
    reduce,
    scan,
    shape,
    special,
    torch_elementwise,
    torch_math,
    torch_more,
    torch_shape,
    update,
)
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
