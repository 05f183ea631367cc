"""Products: ``einsum`` (a primitive whose derivatives are einsums) and the products
written with it or with ``matmul`` (tensordot, inner, outer, vdot, kron, cross, vecdot).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .args import ndim_of, one_axis, shape_of
from .manip import axes_of, cg, known_shape, moveaxis, ravel
from .meta import Meta, promote
from .registry import defop, defpublic
from .spec import Onnx, no

__all__ = [
    "EINSUM",
    "parse_einsum",
    "tensordot",
    "outer",
    "inner",
    "vdot",
    "vecdot",
    "kron",
    "cross",
]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SEVERAL = no("a function of several arrays")


# --------------------------------------------------------------------------- einsum
def _sublist(sub: Any) -> str:
    return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sub)


def parse_einsum(args: tuple) -> tuple[str, list]:
    """``einsum``'s arguments (subscripts and operands, or NumPy's interleaved
    ``op0, sub0, op1, sub1, ..., [out]``) as explicit subscripts ``"ij,jk->ik"``
    (ellipses kept) and the operands."""
    if not args:
        raise TypeError("einsum: no subscripts given")
    if isinstance(args[0], str):
        text, ops = args[0].replace(" ", ""), list(args[1:])
    else:
        n = len(args) // 2
        ops, subs = list(args[0 : 2 * n : 2]), [_sublist(s) for s in args[1 : 2 * n : 2]]
        text = ",".join(subs) + ("->" + _sublist(args[-1]) if len(args) % 2 else "")
    ins, arrow, out = text.partition("->")
    terms = ins.split(",")
    if len(terms) != len(ops):
        raise ValueError(f"einsum: {len(terms)} subscripts {ins!r} for {len(ops)} operands")
    for t in terms + [out]:
        if any(c not in _LETTERS for c in t.replace("...", "")) or t.count("...") > 1:
            raise ValueError(f"einsum: invalid subscript {t!r} in {text!r}")
    if not arrow:  # implicit: letters seen once, in order, after any ellipsis
        once = sorted(c for c in set(ins) if c in _LETTERS and ins.count(c) == 1)
        out = ("..." if "..." in ins else "") + "".join(once)
    return ",".join(terms) + "->" + out, ops


def _split(subscripts: str) -> tuple[list, str]:
    ins, _, out = subscripts.partition("->")
    return ins.split(","), out


def _labels(term: str, nd: int) -> list:
    """One label per axis of an operand: letters, and ``0``, ``1`` ... for the axes the
    ellipsis covers (numbered from the right, as they broadcast)."""
    pre, dots, post = term.partition("...")
    if not dots:
        return list(term)
    k = nd - len(pre) - len(post)
    return list(pre) + list(range(k - 1, -1, -1)) + list(post)


def _sizes(terms: list, shapes: list) -> dict:
    sizes: dict = {}
    for term, shape in zip(terms, shapes):
        for lab, d in zip(_labels(term, len(shape)), shape):
            if d is None or sizes.get(lab, 1) not in (1, None):
                continue
            sizes[lab] = d
    return sizes


def _einsum_shape(metas, subscripts, optimize):
    shapes = [m.shape if isinstance(m, Meta) else () for m in metas]
    if any(s is None for s in shapes):
        return None
    terms, out = _split(subscripts)
    sizes = _sizes(terms, shapes)
    n = max((k + 1 for k in sizes if isinstance(k, int)), default=0)
    return tuple(sizes.get(lab) for lab in _labels(out, len(out.replace("...", "")) + n))


def _vjp_plan(terms: list, out: str, i: int, shapes: list) -> tuple[str, list]:
    """The einsum that gives operand ``i``'s cotangent from the output's (``g``) and the
    other operands, and the constant operands it needs: an identity matrix linking
    each repeated letter of operand i to a fresh one (the cotangent lives on the
    diagonal) and ones for letters (or an ellipsis) that only operand i had (the
    cotangent is constant along them)."""
    used = set("".join(terms) + out)
    fresh = (c for c in _LETTERS if c not in used)
    sizes = _sizes(terms, shapes)
    target, consts, seen = "", [], set()
    for c in terms[i].replace("...", "."):
        if c in seen:
            d = next(fresh)
            consts.append((c + d, np.eye(sizes[c])))
            c = d
        seen.add(c)
        target += c
    target = target.replace(".", "...")
    have = set(
        out + "".join(t for j, t in enumerate(terms) if j != i) + "".join(s for s, _ in consts)
    )
    for c in seen - have - {"."}:
        consts.append((c, np.ones(sizes[c])))
    if "..." in terms[i] and "..." not in out:
        nd = len(shapes[i]) - len(terms[i].replace("...", ""))
        consts.append(("...", np.ones([sizes[k] for k in range(nd - 1, -1, -1)])))
    others = [t for j, t in enumerate(terms) if j != i]
    return ",".join([out, *others, *(s for s, _ in consts)]) + "->" + target, [c for _, c in consts]


def _vjp_optimize(optimize: Any) -> Any:
    return optimize if isinstance(optimize, (bool, str)) else "greedy"  # (a path is the forward's)


def _einsum_vjp(ns, g, out, inputs, needs, subscripts, optimize):
    terms, o = _split(subscripts)
    shapes = [x.shape for x in inputs]
    if any(s is None or None in s for s in shapes):
        raise ValueError("einsum: its gradient needs the operands' shapes")
    grads = []
    for i, need in enumerate(needs):
        if not need:
            grads.append(None)
            continue
        subs, consts = _vjp_plan(terms, o, i, shapes)
        dt = getattr(g, "dtype", None)
        others = [x for j, x in enumerate(inputs) if j != i]
        grads.append(
            ns.einsum(
                g,
                *others,
                *(c.astype(np.float64 if dt is None else dt) for c in consts),
                subscripts=subs,
                optimize=_vjp_optimize(optimize),
            )
        )
    return grads


def _einsum_jvp(ns, tangents, out, inputs, subscripts, optimize):
    total = None
    for i, t in enumerate(tangents):
        if t is not None:
            xs = list(inputs)
            xs[i] = t
            c = ns.einsum(*xs, subscripts=subscripts, optimize=optimize)
            total = c if total is None else total + c
    return total


def _einsum_batch(op, prims, tins, out, attrs, k):
    terms, o = _split(attrs["subscripts"])
    z = next(c for c in _LETTERS if c not in attrs["subscripts"])
    total = None
    for i, t in enumerate(tins):
        if t is not None:
            subs = ",".join(z + s if j == i else s for j, s in enumerate(terms)) + "->" + z + o
            xs = [t if j == i else p for j, p in enumerate(prims)]
            c = np.einsum(subs, *xs, optimize=attrs["optimize"])
            total = c if total is None else total + c
    return total


def _einsum_prepare(
    *operands: Any,
    out: Any = None,
    dtype: Any = None,
    order: str = "K",
    casting: str = "safe",
    optimize: Any = False,
) -> tuple:
    """Einstein summation, as ``np.einsum``: ``einsum("ij,jk->ik", a, b)``, implicit
    outputs, ellipses, repeated letters (diagonals) and NumPy's interleaved form;
    ``optimize`` is passed to NumPy (its derivatives are einsums too)."""
    if out is not None:
        raise TypeError("einsum: out= is not supported (results are new tensors)")
    subscripts, ops = parse_einsum(operands)
    if dtype is not None:
        ops = [cg.astype(x, dtype) for x in ops]
    if isinstance(optimize, list):
        optimize = tuple(optimize)
    return tuple(ops), {"subscripts": subscripts, "optimize": optimize}


EINSUM = defop(
    "einsum",
    lambda *xs, subscripts, optimize=False: np.einsum(subscripts, *xs, optimize=optimize),
    shape=_einsum_shape,
    dtype=promote,
    vjp=_einsum_vjp,
    jvp=_einsum_jvp,
    meta=True,
    deriv=("the einsum of g and the other operands",),
    doc=_einsum_prepare.__doc__,
    prepare=_einsum_prepare,
    method=no("a function of several arrays"),
    numpy=np.einsum,
    cli=_SEVERAL,
    onnx=Onnx(
        lambda b, n, ins, out: b.add("Einsum", ins, out, equation=n.attrs["subscripts"]),
        promote=True,
    ),
    batch=_einsum_batch,
)


# --------------------------------------------------------------------------- composites
@defpublic(
    names=("tensordot", "linalg.tensordot"),
    method=_SEVERAL,
    numpy=(np.tensordot, np.linalg.tensordot),
    cli=_SEVERAL,
)
def tensordot(a: Any, b: Any, axes: Any = 2) -> Any:
    """Sum of products over ``axes`` (n: the last n of a with the first n of b; or two
    lists of axes), as one matrix product (NumPy's way)."""
    a, b = cg.asarray(a), cg.asarray(b)
    sa, sb = known_shape(a, "tensordot"), known_shape(b, "tensordot")
    if np.ndim(axes) == 0:
        n = int(axes)
        xa, xb = list(range(len(sa) - n, len(sa))), list(range(n))
    else:
        xa, xb = (axes_of(ax, len(s), "tensordot") for ax, s in zip(axes, (sa, sb)))
    if len(xa) != len(xb) or any(sa[i] != sb[j] for i, j in zip(xa, xb)):
        raise ValueError(f"tensordot: shape-mismatch for sum ({sa} over {xa}, {sb} over {xb})")
    ra, rb = [k for k in range(len(sa)) if k not in xa], [k for k in range(len(sb)) if k not in xb]
    da, db = [sa[k] for k in ra], [sb[k] for k in rb]
    m = math.prod(sa[k] for k in xa)
    at = cg.reshape(cg.transpose(a, ra + xa), (math.prod(da), m))
    bt = cg.reshape(cg.transpose(b, xb + rb), (m, math.prod(db)))
    return cg.reshape(cg.matmul(at, bt), tuple(da + db))


@defpublic(method=_SEVERAL, numpy=np.outer, cli=_SEVERAL)
def outer(a: Any, b: Any, out: Any = None) -> Any:
    """``a[i] * b[j]`` of the flattened inputs."""
    return cg.multiply(cg.reshape(ravel(a), (-1, 1)), ravel(b))


@defpublic(names="linalg.outer", method=_SEVERAL, numpy=np.linalg.outer, cli=_SEVERAL)
def _linalg_outer(x1: Any, x2: Any, /) -> Any:
    """The outer product of two 1-D arrays."""
    if ndim_of(x1) != 1 or ndim_of(x2) != 1:
        raise ValueError("linalg.outer: input arrays must be one-dimensional")
    return outer(x1, x2)


@defpublic(method=_SEVERAL, numpy=np.inner, cli=_SEVERAL)
def inner(a: Any, b: Any, /) -> Any:
    """Sum of products over the last axes (a product for scalars)."""
    if ndim_of(a) == 0 or ndim_of(b) == 0:
        return cg.multiply(a, b)
    return tensordot(a, b, ([-1], [-1]))


def _conj(x: Any) -> Any:
    x = cg.asarray(x)
    return cg.conj(x) if x.dtype is not None and x.dtype.kind == "c" else x


@defpublic(method=_SEVERAL, numpy=np.vdot, cli=_SEVERAL)
def vdot(a: Any, b: Any, /) -> Any:
    """The dot product of the flattened inputs, the first conjugated."""
    return cg.matmul(ravel(_conj(a)), ravel(b))


@defpublic(
    names=("vecdot", "linalg.vecdot"),
    method=_SEVERAL,
    numpy=(np.vecdot, np.linalg.vecdot),
    cli=_SEVERAL,
)
def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """Dot products along ``axis`` (the first input conjugated), broadcasting the rest;
    the result keeps the inputs' promoted dtype (``uint8`` stays ``uint8``, as NumPy)."""
    s1, s2 = shape_of(x1), shape_of(x2)
    if s1 is not None and s2 is not None:
        n = min(len(s1), len(s2))
        # A non-negative axis is ambiguous when the ranks differ (the standard: negative).
        if not -n <= axis < (n if len(s1) == len(s2) else 0):
            raise ValueError(f"vecdot: axis {axis} must be an axis of both {s1} and {s2}")
        if s1[axis] != s2[axis]:
            raise ValueError(f"vecdot: sizes along axis {axis} differ: {s1} and {s2}")
    p = cg.multiply(_conj(x1), x2)
    return cg.sum(p, axis, dtype=p.dtype)


@defpublic(method=_SEVERAL, numpy=np.kron, cli=_SEVERAL)
def kron(a: Any, b: Any) -> Any:
    """The Kronecker product: blocks ``a[i, j] * b``."""
    a, b = cg.asarray(a), cg.asarray(b)
    sa, sb = known_shape(a, "kron"), known_shape(b, "kron")
    d = max(len(sa), len(sb))
    sa, sb = (1,) * (d - len(sa)) + sa, (1,) * (d - len(sb)) + sb
    x = cg.reshape(a, tuple(v for s in sa for v in (s, 1)))
    y = cg.reshape(b, tuple(v for s in sb for v in (1, s)))
    return cg.reshape(cg.multiply(x, y), tuple(p * q for p, q in zip(sa, sb)))


@defpublic(method=_SEVERAL, numpy=np.cross, cli=_SEVERAL)
def cross(
    a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: Any = None
) -> Any:
    """The cross product of 3-vectors (2-vectors: z = 0) along the given axes."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(a, axisa, -1), moveaxis(b, axisb, -1)
    na, nb = known_shape(a, "cross")[-1], known_shape(b, "cross")[-1]
    if na not in (2, 3) or nb not in (2, 3):
        raise ValueError("incompatible dimensions for cross product\n(dimension must be 2 or 3)")
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2] if na == 3 else 0
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2] if nb == 3 else 0
    if na == nb == 2:
        return a0 * b1 - a1 * b0
    c = cg.stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return moveaxis(c, -1, one_axis(axisc, ndim_of(c), "cross", shape_of(c)))


@defpublic(names="linalg.cross", method=_SEVERAL, numpy=np.linalg.cross, cli=_SEVERAL)
def _linalg_cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """The cross product of 3-vectors along ``axis``."""
    if any((shape_of(x) or (0,))[axis] != 3 for x in (x1, x2)):
        raise ValueError("linalg.cross: both inputs must have 3 elements along axis")
    return cross(x1, x2, axis=axis)
