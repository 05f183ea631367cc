"""Complex numbers: real, imag, conj and angle (NumPy's names, and ``.real``/``.imag``).

Gradients follow JAX's (and HIPS autograd's) convention: the cotangent ``g`` of a
complex value ``z`` stands for the linear form ``dz -> Re(g * dz)``, so a
holomorphic op's rule is the real one (``g * f'(z)``, no conjugate) and the gradient
of a real ``f(z)`` is ``df/dx - i df/dy``: PyTorch's ``.grad`` is its conjugate.
The engine takes the real part of a cotangent that reaches a real input.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .args import is_symbolic
from .decomp import _cg
from .elementwise import real_dtype
from .meta import floating, same_dtype, same_shape
from .registry import defop, defpublic
from .spec import Codegen, Method, no

__all__ = [
    "REAL",
    "IMAG",
    "CONJ",
    "ANGLE",
    "iscomplex",
    "isreal",
    "iscomplexobj",
    "isrealobj",
    "real_if_close",
]

_NO: dict[str, Any] = dict(
    cli=no("the command line computes with real numbers"),
    onnx=no("ONNX has no complex tensors"),
    elementwise=True,
    shape=same_shape,
)


def _complex(x):
    return x.dtype is not None and x.dtype.kind == "c"


REAL = defop(
    "real",
    np.real,
    linear=True,
    dtype=real_dtype,
    vjp=(lambda ns, g, out, x: g,),  # a real g: the engine makes it complex for a complex x
    jvp=(lambda ns, t, out, x: ns.real(t),),
    saves=((),),
    deriv=("1",),
    doc="The real part (``x`` itself for a real ``x``, as NumPy).",
    method=Method("real", prop=True),
    numpy=np.real,
    codegen=Codegen(fresh=False),
    **_NO,
)

IMAG = defop(
    "imag",
    np.imag,
    linear=True,
    dtype=real_dtype,
    vjp=(lambda ns, g, out, x: g * -1j if _complex(x) else ns.zeros_like(g),),
    jvp=(lambda ns, t, out, x: ns.imag(t),),
    saves=((),),
    meta=True,
    deriv=("-i",),
    doc="The imaginary part (zeros for a real ``x``).",
    method=Method("imag", prop=True),
    numpy=np.imag,
    codegen=Codegen(fresh=False),
    **_NO,
)

CONJ = defop(
    "conj",
    np.conjugate,
    linear=True,
    dtype=same_dtype,
    vjp=(lambda ns, g, out, x: ns.conj(g),),
    saves=((),),
    deriv=("conj",),
    doc="The complex conjugate (elementwise).",
    names=("conj", "conjugate"),
    method=("conj", "conjugate"),
    numpy=np.conjugate,
    codegen=Codegen(out=np.conjugate),
    **_NO,
)


def _angle_rule(ns, g, out, z, deg=False):
    # d angle = Im(dz / z): the cotangent is -i g / z (0 at z == 0, as torch); real z: 0.
    if not _complex(z):
        return ns.zeros_like(z)
    r = g * ns.where(z == 0, 0, -1j / ns.where(z == 0, 1, z))
    return r * (180 / np.pi) if deg else r


def _angle_jvp(ns, t, out, z, deg=False):
    if not _complex(z):
        return ns.zeros_like(out)
    r = ns.imag(ns.where(z == 0, 0, t / ns.where(z == 0, 1, z)))
    return r * (180 / np.pi) if deg else r


ANGLE = defop(
    "angle",
    lambda z, deg=False: np.angle(z, deg),
    dtype=lambda m, **a: floating([real_dtype(m)]),
    vjp=(_angle_rule,),
    jvp=(_angle_jvp,),
    deriv=("-i/z",),
    args=("z",),
    doc="The argument of ``z`` in radians (degrees with ``deg=True``); its gradient at 0 is 0.",
    method=no("NumPy arrays have no angle method"),
    numpy=np.angle,
    **_NO,
)


# ---------------------------------------------------------------- tests of complexness
_NONE: dict[str, Any] = dict(method=no("NumPy arrays have no such method"), cli=_NO["cli"])


@defpublic(numpy=np.iscomplex, **_NONE)
def iscomplex(x: Any) -> Any:
    """Where the imaginary part is not zero (a bool tensor)."""
    return _cg.not_equal(_cg.imag(x), 0)


@defpublic(numpy=np.isreal, **_NONE)
def isreal(x: Any) -> Any:
    """Where the imaginary part is zero (a bool tensor)."""
    return _cg.equal(_cg.imag(x), 0)


@defpublic(numpy=np.iscomplexobj, **_NONE)
def iscomplexobj(x: Any) -> bool:
    """Whether the dtype is complex."""
    return np.dtype(x.dtype).kind == "c"


@defpublic(numpy=np.isrealobj, **_NONE)
def isrealobj(x: Any) -> bool:
    """Whether the dtype is not complex."""
    return np.dtype(x.dtype).kind != "c"


@defpublic(numpy=np.real_if_close, **_NONE)
def real_if_close(a: Any, tol: float = 100) -> Any:
    """The real part when every imaginary part is within ``tol`` machine epsilons of 0 (``tol``
    above 1), else ``a``: the dtype depends on the values, so not in static graphs."""
    if np.dtype(a.dtype).kind != "c":
        return a
    if is_symbolic(a):
        raise TypeError("real_if_close: the result's dtype depends on the values (no static graph)")
    eps = np.finfo(a.dtype).eps
    bound = tol * eps if tol > 1 else tol
    return _cg.real(a) if bool(np.all(np.abs(np.imag(_cg.stop_gradient(a).numpy())) < bound)) else a
